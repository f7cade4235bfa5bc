/*
 * parse_xml.c - responses of the XML protocols (query, ec2, rest-xml) to
 * Lua, directed by the output shape.
 *
 * query results sit under <OpResponse><OpResult> (the resultWrapper); ec2
 * and rest-xml members sit under the root. Element names are locationName
 * or the member name, matched on local names. Flattened lists and maps are
 * the repeated elements of the parent. Errors: <ErrorResponse><Error>
 * (query, rest-xml), <Response><Errors><Error> (ec2), <Error> (S3); the
 * members of a modeled error shape are added to the error table. Lists
 * carry core.json_array_mt, so they encode as JSON arrays also when empty.
 */
#include "aws_int.h"
#include "luaform/json.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void push_value(lua_State *L, const lf_shape_info *s, lf_xml *x);

static int type_of(const lf_shape_info *s) { return s ? s->type : LF_T_NONE; }

/* How many child elements x has: the size of the table a list or map needs
   (the items or entries are all of them, or most). */
static int children(const lf_xml *x) {
  int n = 0;
  for (const lf_xml *c = x->child; c && n < 1 << 20; c = c->next) n++;
  return n;
}

/* One <entry> (or flattened element) of a map: its key and value children. */
static void push_map_entry(lua_State *L, const lf_shape_info *map, lf_xml *entry) {
  lf_xml *k = lf_xml_find(entry, map->key.xml_name);
  if (!k) return;
  lf_xml *v = lf_xml_find(entry, map->value.xml_name);
  lua_pushlstring(L, k->text, k->text_len);
  if (v) push_value(L, map->value.shape, v);
  else lua_pushnil(L);
  lua_settable(L, -3);
}

/* Pushes the member mi of the structure node x (nil if absent). */
static void push_member(lua_State *L, const lf_member_info *mi, lf_xml *x) {
  const lf_shape_info *ms = mi->shape;
  int type = type_of(ms);
  if (mi->xml_attribute) {
    const char *a = lf_xml_attr(x, mi->xml_name);
    if (a) lf_push_scalar_typed(L, type, a, strlen(a));
    else lua_pushnil(L);
    return;
  }
  if ((type == LF_T_LIST || type == LF_T_MAP) && mi->flattened) {
    int any = 0;
    lua_Integer n = 0;
    /* a flattened list's elements may be named after the member's locationName */
    const char *alt = type == LF_T_LIST && !mi->has_location_name ? ms->member.location_name
                                                                  : NULL;
    /* x's children bound the items: sized once instead of a rehash per power of two */
    if (type == LF_T_LIST) lua_createtable(L, children(x), 0);
    else lua_createtable(L, 0, children(x));
    for (lf_xml *c = x->child; c; c = c->next) {
      const char *ln = c->local;
      if (strcmp(ln, mi->xml_name) && !(alt && !strcmp(ln, alt))) continue;
      any = 1;
      if (type == LF_T_LIST) {
        push_value(L, ms->member.shape, c);
        lua_rawseti(L, -2, ++n);
      } else {
        push_map_entry(L, ms, c);
      }
    }
    if (!any) { lua_pop(L, 1); lua_pushnil(L); }
    else if (type == LF_T_LIST) lf_json_mark_array(L);
    return;
  }
  lf_xml *c = lf_xml_find(x, mi->xml_name);
  if (c) push_value(L, ms, c);
  else lua_pushnil(L);
}

static void push_structure(lua_State *L, const lf_shape_info *s, lf_xml *x) {
  lua_createtable(L, 0, (int)s->nmembers);
  for (size_t i = 0; i < s->nmembers; i++) {
    const lf_member_info *mi = &s->members[i];
    if (mi->outside_body) continue;   /* filled by the REST layer */
    push_member(L, mi, x);
    lua_setfield(L, -2, mi->name);
  }
}

/* x's value following the shape s (NULL: no shape, the text as it is). */
static void push_value(lua_State *L, const lf_shape_info *s, lf_xml *x) {
  luaL_checkstack(L, 4, LF_TOO_DEEP);   /* the tree is at most LF_MAX_NESTING deep */
  switch (type_of(s)) {
  case LF_T_STRUCTURE:
    push_structure(L, s, x);
    break;
  case LF_T_LIST: {
    const char *item = s->member.xml_name;
    const lf_shape_info *ms = s->member.shape;
    lua_Integer n = 0;
    lua_createtable(L, children(x), 0);   /* sized once: no rehash per power of two */
    for (lf_xml *c = x->child; c; c = c->next)
      if (!strcmp(c->local, item)) {
        push_value(L, ms, c);
        lua_rawseti(L, -2, ++n);
      }
    lf_json_mark_array(L);
    break;
  }
  case LF_T_MAP:
    lua_createtable(L, 0, children(x));
    for (lf_xml *c = x->child; c; c = c->next)
      if (!strcmp(c->local, "entry")) push_map_entry(L, s, c);
    break;
  default:
    lf_push_scalar_typed(L, type_of(s), x->text ? x->text : "", x->text_len);
  }
}

static const char *child_text(lf_xml *x, const char *name) {
  lf_xml *c = lf_xml_find(x, name);
  return c && c->text ? c->text : NULL;
}

static const char *request_id(lf_xml *root, const lf_response *res) {
  const char *id = child_text(root, "RequestId");
  if (!id) id = child_text(root, "RequestID");
  if (!id) id = child_text(root, "requestId");
  if (!id) id = child_text(lf_xml_find(root, "ResponseMetadata"), "RequestId");
  if (!id) id = lf_response_header(res, "x-amzn-requestid");
  if (!id) id = lf_response_header(res, "x-amz-request-id");
  return id;
}

static int parse_error(lua_State *L, const lf_model *m, json_t *op, const lf_response *res,
                       lf_xml *root) {
  lf_xml *err = NULL;
  if (root) {
    if (!strcmp(root->local, "Error")) err = root;
    else if ((err = lf_xml_find(lf_xml_find(root, "Errors"), "Error")) == NULL)
      err = lf_xml_find(root, "Error");
  }
  const char *code = err ? child_text(err, "Code") : NULL;
  const char *msg = err ? child_text(err, "Message") : NULL;
  if (!msg && err) msg = child_text(err, "message");
  const char *rid = root ? request_id(root, res) : NULL;
  if (!rid && err) rid = child_text(err, "RequestId");
  if (!rid) rid = lf_response_header(res, "x-amzn-requestid");
  if (!rid) rid = lf_response_header(res, "x-amz-request-id");
  char fallback[32];
  if (!code) {   /* no body (HEAD) or not an AWS error document */
    static const struct { int status; const char *code; } known[] = {
      {400, "BadRequest"}, {403, "Forbidden"}, {404, "NotFound"}, {409, "Conflict"},
      {412, "PreconditionFailed"}, {500, "InternalError"}, {503, "ServiceUnavailable"}};
    lf_fmt(fallback, sizeof fallback, "%d", res->status);
    code = fallback;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
      if (known[i].status == res->status) code = known[i].code;
  }
  lf_push_error(L, code, msg, res->status, rid);
  json_t *ref = err ? lf_error_ref(m, op, code) : NULL;
  const lf_shape_info *info = ref ? lf_shape_info_of(m, ref) : NULL;
  if (info) {   /* modeled members, beside code/message/status/request_id */
    push_structure(L, info, err);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      if (lua_getfield(L, -5, lua_tostring(L, -2)) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_settable(L, -5);
      } else {
        lua_pop(L, 3);
      }
    }
    lua_pop(L, 1);
    if (!strcmp(lf_model_protocol(m), "rest-xml")) lf_parse_rest_headers(L, info, res);
  }
  return 0;
}

/* A document whose root element is itself a scalar member, e.g. S3
   GetBucketLocation's <LocationConstraint>eu-west-1</LocationConstraint>
   (botocore special-cases that operation): fill the member from the root. */
static void root_is_member(lua_State *L, const lf_shape_info *s, lf_xml *root) {
  if (root->child) return;
  for (size_t i = 0; i < s->nmembers; i++) {
    const lf_member_info *mi = &s->members[i];
    int type = type_of(mi->shape);
    if (mi->outside_body || type == LF_T_STRUCTURE || type == LF_T_LIST || type == LF_T_MAP ||
        strcmp(mi->xml_name, root->local))
      continue;
    if (lua_getfield(L, -1, mi->name) == LUA_TNIL) {
      lf_push_scalar_typed(L, type, root->text ? root->text : "", root->text_len);
      lua_setfield(L, -3, mi->name);
    }
    lua_pop(L, 1);
  }
}

int lf_parse_xml_output(lua_State *L, const lf_model *m, const lf_op_info *oi,
                        const lf_response *res) {
  const char *proto = lf_model_protocol(m);
  char err[256];
  lf_xml *root = NULL;
  int has_body = res->body_len > 0 && res->body;
  json_t *op = oi->json;
  const lf_shape_info *info = oi->has_output ? oi->output.shape : NULL;
  const lf_member_info *pm = info ? info->payload : NULL;
  const char *payload = info ? info->payload_name : NULL;
  int ptype = pm ? type_of(pm->shape) : LF_T_NONE;
  int raw_payload = ptype == LF_T_BLOB || ptype == LF_T_STRING;

  if (res->status >= 300) {
    if (has_body) root = lf_xml_parse(res->body, res->body_len, err, sizeof err);
    parse_error(L, m, op, res, root);
    lf_xml_free(root);
    return 0;
  }
  /* botocore reads no body of a rest-xml operation without output (moto's
     S3 PutBucketPolicy answers 200 "True"); the query parsers do read it */
  if (!info && !strcmp(proto, "rest-xml")) has_body = 0;
  if (has_body && !raw_payload) {
    root = lf_xml_parse(res->body, res->body_len, err, sizeof err);
    if (!root) {
      if (!strcmp(err, LF_TOO_DEEP)) lua_pushstring(L, LF_TOO_DEEP);
      else lua_pushfstring(L, "malformed XML response (status %d): %s", res->status, err);
      return -1;
    }
  }
  if (!info) {
    lf_xml_free(root);
    lua_newtable(L);
    return 1;
  }
  if (!strcmp(proto, "rest-xml")) {
    if (payload) {
      lua_newtable(L);
      if (raw_payload) {
        /* no body: absent, but a stream (S3 GetObject's Body) is "" */
        if (has_body || lf_trait_true(m, pm ? pm->ref : NULL, "streaming")) {
          lua_pushlstring(L, res->body ? res->body : "", res->body_len);
          lua_setfield(L, -2, payload);
        }
      } else if (root) {
        push_value(L, pm ? pm->shape : NULL, root);
        lua_setfield(L, -2, payload);
      }
    } else if (root) {
      push_structure(L, info, root);
      root_is_member(L, info, root);
    } else {
      lua_newtable(L);
    }
    lf_parse_rest_headers(L, info, res);
  } else {
    lf_xml *node = root;
    const char *wrapper = json_string_value(json_object_get(oi->output.ref, "resultWrapper"));
    if (wrapper && root) node = lf_xml_find(root, wrapper);
    if (node) push_structure(L, info, node);
    else lua_newtable(L);
  }
  lf_xml_free(root);
  return 1;
}

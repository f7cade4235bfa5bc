/*
 * parse_xml.c - responses of the XML protocols (query, ec2, rest-xml) to
 * Lua, directed by the output shape.
 *
 * query results sit under <OpResponse><OpResult> (the resultWrapper); ec2
 * and rest-xml members sit under the root. Element names are locationName
 * or the member name, matched on local names. Flattened lists and maps are
 * the repeated elements of the parent. Errors: <ErrorResponse><Error>
 * (query, rest-xml), <Response><Errors><Error> (ec2), <Error> (S3); the
 * members of a modeled error shape are added to the error table.
 */
#include "aws_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *member_xml_name(json_t *mref, const char *name) {
  const char *n = json_string_value(json_object_get(mref, "locationName"));
  return n ? n : name;
}

static int is_flat(const lf_model *m, json_t *ref) {
  return json_is_true(json_object_get(ref, "flattened")) ||
         json_is_true(json_object_get(lf_shape_of(m, ref), "flattened"));
}

static void push_map_entry(lua_State *L, const lf_model *m, json_t *shape, lf_xml *entry) {
  json_t *kref = json_object_get(shape, "key"), *vref = json_object_get(shape, "value");
  lf_xml *k = lf_xml_find(entry, member_xml_name(kref, "key"));
  lf_xml *v = lf_xml_find(entry, member_xml_name(vref, "value"));
  if (!k) return;
  lua_pushlstring(L, k->text, k->text_len);
  if (v) lf_push_xml(L, m, vref, v);
  else lua_pushnil(L);
  lua_settable(L, -3);
}

/* Pushes the member `name` of the structure node x (nil if absent). */
static void push_member(lua_State *L, const lf_model *m, json_t *mref, const char *name,
                        lf_xml *x) {
  json_t *mshape = lf_shape_of(m, mref);
  const char *type = lf_shape_type(mshape);
  const char *xname = member_xml_name(mref, name);
  if (json_is_true(json_object_get(mref, "xmlAttribute"))) {
    const char *a = lf_xml_attr(x, xname);
    if (a) lf_push_scalar_text(L, m, mref, a, strlen(a), "iso8601");
    else lua_pushnil(L);
    return;
  }
  if ((!strcmp(type, "list") || !strcmp(type, "map")) && is_flat(m, mref)) {
    int any = 0;
    lua_Integer n = 0;
    json_t *member = json_object_get(mshape, "member");
    /* a flattened list's elements may be named after the member's locationName */
    const char *alt = !strcmp(type, "list") ? json_string_value(json_object_get(member,
                                                                 "locationName")) : NULL;
    lua_newtable(L);
    for (lf_xml *c = x->child; c; c = c->next) {
      const char *ln = lf_xml_local(c->name);
      if (strcmp(ln, xname) && !(alt && !json_object_get(mref, "locationName") &&
                                 !strcmp(ln, alt)))
        continue;
      any = 1;
      if (!strcmp(type, "list")) {
        lf_push_xml(L, m, member, c);
        lua_rawseti(L, -2, ++n);
      } else {
        push_map_entry(L, m, mshape, c);
      }
    }
    if (!any) { lua_pop(L, 1); lua_pushnil(L); }
    return;
  }
  lf_xml *c = lf_xml_find(x, xname);
  if (c) lf_push_xml(L, m, mref, c);
  else lua_pushnil(L);
}

static void push_structure(lua_State *L, const lf_model *m, json_t *shape, lf_xml *x) {
  lua_newtable(L);
  const char *name;
  json_t *mref;
  json_object_foreach(json_object_get(shape, "members"), name, mref) {
    if (lf_bound_outside_body(mref)) continue;   /* filled by the REST layer */
    push_member(L, m, mref, name, x);
    lua_setfield(L, -2, name);
  }
}

void lf_push_xml(lua_State *L, const lf_model *m, json_t *ref, lf_xml *x) {
  json_t *shape = lf_shape_of(m, ref);
  const char *type = lf_shape_type(shape);
  if (!strcmp(type, "structure")) {
    push_structure(L, m, shape, x);
  } else if (!strcmp(type, "list")) {
    json_t *member = json_object_get(shape, "member");
    const char *item = member_xml_name(member, "member");
    lua_Integer n = 0;
    lua_newtable(L);
    for (lf_xml *c = x->child; c; c = c->next)
      if (!strcmp(lf_xml_local(c->name), item)) {
        lf_push_xml(L, m, member, c);
        lua_rawseti(L, -2, ++n);
      }
  } else if (!strcmp(type, "map")) {
    lua_newtable(L);
    for (lf_xml *c = x->child; c; c = c->next)
      if (!strcmp(lf_xml_local(c->name), "entry")) push_map_entry(L, m, shape, c);
  } else {
    lf_push_scalar_text(L, m, ref, x->text ? x->text : "", x->text_len, "iso8601");
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
    if (!strcmp(lf_xml_local(root->name), "Error")) err = root;
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
  json_t *shape = ref ? lf_shape_of(m, ref) : NULL;
  if (shape) {   /* modeled members, beside code/message/status/request_id */
    push_structure(L, m, shape, err);
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
    if (!strcmp(lf_model_protocol(m), "rest-xml")) lf_parse_rest_headers(L, m, shape, res);
  }
  return 0;
}

/* A document whose root element is itself a scalar member, e.g. S3
   GetBucketLocation's <LocationConstraint>eu-west-1</LocationConstraint>
   (botocore special-cases that operation): fill the member from the root. */
static void root_is_member(lua_State *L, const lf_model *m, json_t *shape, lf_xml *root) {
  const char *name;
  json_t *mref;
  if (root->child) return;
  json_object_foreach(json_object_get(shape, "members"), name, mref) {
    const char *type = lf_shape_type(lf_shape_of(m, mref));
    if (lf_bound_outside_body(mref) || !strcmp(type, "structure") || !strcmp(type, "list") ||
        !strcmp(type, "map") || strcmp(member_xml_name(mref, name), lf_xml_local(root->name)))
      continue;
    if (lua_getfield(L, -1, name) == LUA_TNIL) {
      lf_push_scalar_text(L, m, mref, root->text ? root->text : "", root->text_len, "iso8601");
      lua_setfield(L, -3, name);
    }
    lua_pop(L, 1);
  }
}

int lf_parse_xml_output(lua_State *L, const lf_model *m, json_t *op, const lf_response *res) {
  const char *proto = lf_model_protocol(m);
  char err[256];
  lf_xml *root = NULL;
  int has_body = res->body_len > 0 && res->body;
  json_t *out_ref = json_object_get(op, "output");
  json_t *shape = lf_shape_of(m, out_ref);
  const char *payload = json_string_value(json_object_get(shape, "payload"));
  json_t *pref = payload ? json_object_get(json_object_get(shape, "members"), payload) : NULL;
  const char *ptype = pref ? lf_shape_type(lf_shape_of(m, pref)) : "";
  int raw_payload = !strcmp(ptype, "blob") || !strcmp(ptype, "string");

  if (res->status >= 300) {
    if (has_body) root = lf_xml_parse(res->body, res->body_len, err, sizeof err);
    parse_error(L, m, op, res, root);
    lf_xml_free(root);
    return 0;
  }
  if (has_body && !raw_payload) {
    root = lf_xml_parse(res->body, res->body_len, err, sizeof err);
    if (!root) {
      lua_pushfstring(L, "malformed XML response (status %d): %s", res->status, err);
      return -1;
    }
  }
  if (!shape) {
    lf_xml_free(root);
    lua_newtable(L);
    return 1;
  }
  if (!strcmp(proto, "rest-xml")) {
    if (payload) {
      lua_newtable(L);
      if (raw_payload) {
        /* no body: absent, but a stream (S3 GetObject's Body) is "" */
        if (has_body || lf_trait_true(m, pref, "streaming")) {
          lua_pushlstring(L, res->body ? res->body : "", res->body_len);
          lua_setfield(L, -2, payload);
        }
      } else if (root) {
        lf_push_xml(L, m, pref, root);
        lua_setfield(L, -2, payload);
      }
    } else if (root) {
      push_structure(L, m, shape, root);
      root_is_member(L, m, shape, root);
    } else {
      lua_newtable(L);
    }
    lf_parse_rest_headers(L, m, shape, res);
  } else {
    lf_xml *node = root;
    const char *wrapper = json_string_value(json_object_get(out_ref, "resultWrapper"));
    if (wrapper && root) node = lf_xml_find(root, wrapper);
    if (node) push_structure(L, m, shape, node);
    else lua_newtable(L);
  }
  lf_xml_free(root);
  return 1;
}

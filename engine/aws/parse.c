/*
 * parse.c - lf_parse_response: dispatch by protocol, plus what the parsers
 * share: scalar text to Lua (XML text, headers), REST members bound to
 * headers and the status code, and the error table.
 */
#include "aws_int.h"
#include "luaform/json.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int lf_bound_outside_body(json_t *mref) {
  const char *loc = json_string_value(json_object_get(mref, "location"));
  return loc && (!strcmp(loc, "header") || !strcmp(loc, "headers") || !strcmp(loc, "statusCode"));
}

const char *lf_response_header(const lf_response *res, const char *name) {
  for (size_t i = 0; i < res->nheaders; i++)
    if (strcasecmp(res->headers[i].name, name) == 0) return res->headers[i].value;
  return NULL;
}

json_t *lf_error_ref(const lf_model *m, json_t *op, const char *code) {
  size_t i;
  json_t *ref;
  json_array_foreach(json_object_get(op, "errors"), i, ref) {
    json_t *shape = lf_shape_of(m, ref);
    const char *c = json_string_value(json_object_get(json_object_get(shape, "error"), "code"));
    const char *n = json_string_value(json_object_get(ref, "shape"));
    if ((c && !strcmp(c, code)) || (n && !strcmp(n, code))) return ref;
  }
  return NULL;
}

int lf_push_error(lua_State *L, const char *code, const char *message, int status,
                  const char *request_id) {
  lua_createtable(L, 0, 4);
  lua_pushstring(L, code && *code ? code : "Unknown");
  lua_setfield(L, -2, "code");
  lua_pushstring(L, message ? message : "");
  lua_setfield(L, -2, "message");
  lua_pushinteger(L, status);
  lua_setfield(L, -2, "status");
  if (request_id) {
    lua_pushstring(L, request_id);
    lua_setfield(L, -2, "request_id");
  }
  return 0;
}

void lf_push_scalar_typed(lua_State *L, int type, const char *s, size_t n) {
  if (type == LF_T_STRING || type == LF_T_NONE || type == LF_T_OTHER ||
      type == LF_T_DOCUMENT || type == LF_T_STRUCTURE || type == LF_T_LIST ||
      type == LF_T_MAP) {   /* the common case (strings): as it is */
    lua_pushlstring(L, s, n);
    return;
  }
  if (type == LF_T_BLOB) {
    size_t len;
    unsigned char *d = lf_base64_decode(s, n, &len);
    if (d) lua_pushlstring(L, (const char *)d, len);
    else lua_pushlstring(L, s, n);
    free(d);
    return;
  }
  char tmp[128];   /* numbers, booleans and timestamps: NUL-terminated, leading space skipped */
  size_t tn = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
  memcpy(tmp, s, tn);
  tmp[tn] = '\0';
  char *t = tmp;
  while (isspace((unsigned char)*t)) t++;
  if (type == LF_T_INTEGER) {
    lua_pushinteger(L, strtoll(t, NULL, 10));
  } else if (type == LF_T_FLOAT) {
    if (!strncmp(t, "NaN", 3)) lua_pushnumber(L, NAN);
    else if (!strncmp(t, "Infinity", 8)) lua_pushnumber(L, HUGE_VAL);
    else if (!strncmp(t, "-Infinity", 9)) lua_pushnumber(L, -HUGE_VAL);
    else lua_pushnumber(L, strtod(t, NULL));
  } else if (type == LF_T_BOOLEAN) {
    lua_pushboolean(L, strncmp(t, "true", 4) == 0);
  } else {   /* LF_T_TIMESTAMP: parsing accepts every format */
    double v;
    if (lf_parse_timestamp(t, &v) == 0) lua_pushnumber(L, v);
    else lua_pushlstring(L, s, n);
  }
}

/* Splits a list header: items separated by commas, "quoted" items
   unescaped; rfc822 timestamps contain one comma each, so those are
   joined back in pairs. */
static void push_header_list(lua_State *L, const lf_member_info *ref, const char *v) {
  const lf_shape_info *member = ref->shape ? ref->shape->member.shape : NULL;
  int type = member ? member->type : LF_T_NONE;
  int ts = type == LF_T_TIMESTAMP;
  lua_newtable(L);
  lua_Integer n = 0;
  const char *p = v;
  while (*p) {
    while (*p == ' ' || *p == '\t') p++;
    lf_buf item = {0};
    if (*p == '"') {
      for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1]) p++;
        lf_buf_putc(&item, *p);
      }
      if (*p == '"') p++;
      while (*p && *p != ',') p++;
    } else {
      const char *start = p;
      int commas = ts ? 2 : 1;
      while (*p && !(*p == ',' && --commas == 0)) p++;
      const char *end = p;
      while (end > start && (end[-1] == ' ' || end[-1] == '\t')) end--;
      lf_buf_add(&item, start, (size_t)(end - start));
    }
    lf_push_scalar_typed(L, type, item.p ? item.p : "", item.n);
    lua_rawseti(L, -2, ++n);
    lf_buf_free(&item);
    if (*p == ',') p++;
  }
  lf_json_mark_array(L);
}

void lf_parse_rest_headers(lua_State *L, const lf_shape_info *shape, const lf_response *res) {
  for (size_t k = 0; shape && k < shape->nmembers; k++) {
    const lf_member_info *mi = &shape->members[k];
    const char *loc = mi->location, *lname = mi->location_name, *name = mi->name;
    if (!loc) continue;
    int type = mi->shape ? mi->shape->type : LF_T_NONE;
    if (!strcmp(loc, "statusCode")) {
      lua_pushinteger(L, res->status);
      lua_setfield(L, -2, name);
    } else if (!strcmp(loc, "header")) {
      const char *v = lf_response_header(res, lname ? lname : name);
      if (!v) continue;
      if (type == LF_T_LIST) {
        push_header_list(L, mi, v);
      } else if (mi->jsonvalue) {
        size_t len;
        unsigned char *d = lf_base64_decode(v, strlen(v), &len);
        json_t *j = d ? json_loadb((const char *)d, len, JSON_DECODE_ANY, NULL) : NULL;
        if (j && !lf_json_too_deep(j)) lf_json_push(L, j);
        else lua_pushstring(L, v);
        json_decref(j);
        free(d);
      } else {
        lf_push_scalar_typed(L, type, v, strlen(v));
      }
      lua_setfield(L, -2, name);
    } else if (!strcmp(loc, "headers")) {
      const char *prefix = lname ? lname : "";
      size_t pl = strlen(prefix);
      const lf_shape_info *vs = mi->shape ? mi->shape->value.shape : NULL;
      int vtype = vs ? vs->type : LF_T_NONE;
      lua_newtable(L);   /* present even when empty, like the SDKs */
      for (size_t i = 0; i < res->nheaders; i++)
        if (strncasecmp(res->headers[i].name, prefix, pl) == 0) {
          const char *v = res->headers[i].value;
          lf_push_scalar_typed(L, vtype, v, strlen(v));
          lua_setfield(L, -2, res->headers[i].name + pl);
        }
      lua_setfield(L, -2, name);
    }
  }
}

int lf_parse_response(lua_State *L, const lf_model *m, const char *op, const lf_response *res) {
  const lf_op_info *oi = lf_op_info_named(m, op);
  if (!oi) {
    lua_pushfstring(L, "unknown operation '%s'", op);
    return -1;
  }
  const char *proto = lf_model_protocol(m);
  if (!strcmp(proto, "json") || !strcmp(proto, "rest-json"))
    return lf_parse_json_output(L, m, oi, res);
  if (!strcmp(proto, "query") || !strcmp(proto, "ec2") || !strcmp(proto, "rest-xml"))
    return lf_parse_xml_output(L, m, oi, res);
  lua_pushfstring(L, "%s: unsupported protocol '%s'", op, proto);
  return -1;
}

/*
 * shape.c - shapes of a model and the validated Lua -> jansson conversion.
 *
 * A Lua table cannot tell a list from a map, so every conversion is
 * directed by the shape: structures take only their members (an unknown key
 * is an error), lists take sequences, maps string keys. Errors name the
 * path of the value ("TagSpecifications[1].Tags[1].Key: expected string").
 * core.null (decoded JSON null) counts as absent.
 * Missing idempotency tokens are filled from the call's lf_token (the
 * caller's token, else one UUID v4 made on first use) and never written into
 * the caller's parameters: a table sent twice makes two logical calls, while
 * the retries of one call resend the one serialized request.
 */
#include "aws_int.h"
#include "luaform/json.h"
#include "luaform/util.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *lf_token_value(lf_token *t) {
  if (t->given && *t->given) return t->given;
  if (!t->made[0]) lf_uuid(t->made);
  return t->made;
}

json_t *lf_shape_of(const lf_model *m, json_t *ref) {
  const char *name = json_string_value(json_object_get(ref, "shape"));
  return name ? lf_model_shape(m, name) : NULL;
}

const char *lf_shape_type(json_t *shape) {
  if (json_is_true(json_object_get(shape, "document"))) return "document";
  const char *t = json_string_value(json_object_get(shape, "type"));
  return t ? t : "";
}

json_t *lf_trait(const lf_model *m, json_t *ref, const char *key) {
  json_t *v = json_object_get(ref, key);
  if (v) return v;
  return json_object_get(lf_shape_of(m, ref), key);
}

const char *lf_trait_str(const lf_model *m, json_t *ref, const char *key) {
  return json_string_value(lf_trait(m, ref, key));
}

int lf_trait_true(const lf_model *m, json_t *ref, const char *key) {
  return json_is_true(lf_trait(m, ref, key));
}

static int fail(char *err, size_t errlen, const char *path, const char *msg) {
  snprintf(err, errlen, "%s%s%s", path, *path ? ": " : "", msg);
  return 0;
}

static void join(char *out, size_t n, const char *path, const char *name) {
  snprintf(out, n, "%s%s%s", path, *path ? "." : "", name);
}

/* Is the table at idx a sequence 1..n (n >= 0)? Sets *n. */
static int is_sequence(lua_State *L, int idx, lua_Integer *n) {
  lua_Integer count = 0, max = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) { lua_pop(L, 1); return 0; }
    lua_Integer k = lua_tointeger(L, -1);
    if (k > max) max = k;
    count++;
  }
  *n = count;
  return max == count;
}

static int key_cmp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A Lua table has no order: map entries are put in key order, so a request
   is the same bytes every time. Consumes o. */
static json_t *sorted_object(json_t *o) {
  size_t n = json_object_size(o), i = 0;
  if (n < 2) return o;
  const char **keys = lf_xmalloc(n * sizeof *keys);
  const char *k;
  json_t *x;
  json_object_foreach(o, k, x) keys[i++] = k;
  qsort(keys, n, sizeof *keys, key_cmp);
  json_t *out = json_object();
  for (i = 0; i < n; i++) json_object_set(out, keys[i], json_object_get(o, keys[i]));
  free(keys);
  json_decref(o);
  return out;
}

/* Any Lua value as generic JSON (documents, jsonvalue strings). */
static json_t *generic(lua_State *L, int idx, int depth) {
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
  case LUA_TBOOLEAN: return json_boolean(lua_toboolean(L, idx));
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) return json_integer(lua_tointeger(L, idx));
    return json_real(lua_tonumber(L, idx));
  case LUA_TSTRING: {
    size_t n;
    const char *s = lua_tolstring(L, idx, &n);
    return json_stringn(s, n);
  }
  case LUA_TTABLE: {
    if (depth > LF_MAX_NESTING) return NULL;
    lua_Integer n;
    if (is_sequence(L, idx, &n) && n > 0) {
      json_t *a = json_array();
      for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, i);
        json_t *v = generic(L, -1, depth + 1);
        lua_pop(L, 1);
        if (!v) { json_decref(a); return NULL; }
        json_array_append_new(a, v);
      }
      return a;
    }
    json_t *o = json_object();
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      lua_pushvalue(L, -2);
      const char *k = lua_tostring(L, -1);
      json_t *v = generic(L, -2, depth + 1);
      if (!k || !v) { lua_pop(L, 3); json_decref(o); json_decref(v); return NULL; }
      json_object_set_new(o, k, v);
      lua_pop(L, 2);
    }
    return sorted_object(o);
  }
  default: return json_null();
  }
}

/* Where a value sits, kept as a chain and written out only when an error
   names it ("TagSpecifications[1].Tags[1].Key"). */
typedef struct path {
  const struct path *up;
  enum { PATH_ROOT, PATH_MEMBER, PATH_INDEX } kind;
  const char *name;        /* ROOT: the caller's text; MEMBER: member name or map key */
  lua_Integer index;       /* INDEX: 1-based */
} path;

static void path_text(const path *p, char *out, size_t n) {
  const path *chain[LF_MAX_NESTING + 8];
  size_t k = 0;
  for (; p && k < sizeof chain / sizeof chain[0]; p = p->up) chain[k++] = p;
  out[0] = '\0';
  while (k--) {
    const path *q = chain[k];
    size_t len = strlen(out);
    if (q->kind == PATH_ROOT) snprintf(out, n, "%s", q->name);
    else if (q->kind == PATH_MEMBER) snprintf(out + len, n - len, "%s%s", len ? "." : "", q->name);
    else snprintf(out + len, n - len, "[%lld]", (long long)q->index);
  }
}

static int fail_at(char *err, size_t errlen, const path *p, const char *msg) {
  char text[1024];
  path_text(p, text, sizeof text);
  return fail(err, errlen, text, msg);
}

static json_t *convert(lua_State *L, int idx, const lf_model *m, const lf_member_info *ref,
                       lf_token *tok, const path *at, char *err, size_t errlen, int depth);

static json_t *structure(lua_State *L, int idx, const lf_model *m, const lf_shape_info *shape,
                         lf_token *tok, const path *at, char *err, size_t errlen, int depth) {
  char sub[1024];
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 1);
      fail_at(err, errlen, at, "expected a table with member names as keys");
      return NULL;
    }
    const char *k = lua_tostring(L, -1);
    if (!json_object_get(shape->members_json, k)) {
      snprintf(sub, sizeof sub, "unknown parameter '%s'", k);
      lua_pop(L, 1);
      fail_at(err, errlen, at, sub);
      return NULL;
    }
  }
  json_t *out = json_object();
  for (size_t i = 0; i < shape->nmembers; i++) {
    const lf_member_info *mi = &shape->members[i];
    path here = {at, PATH_MEMBER, mi->name, 0};
    lua_getfield(L, idx, mi->name);
    if (lf_json_is_null(L, -1)) { lua_pop(L, 1); lua_pushnil(L); }   /* core.null: absent */
    if (lua_isnil(L, -1) && mi->idempotency_token) {
      lua_pop(L, 1);
      lua_pushstring(L, lf_token_value(tok));
    }
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      if (mi->required) {
        fail_at(err, errlen, &here, "missing required parameter");
        json_decref(out);
        return NULL;
      }
      continue;
    }
    json_t *v = convert(L, -1, m, mi, tok, &here, err, errlen, depth + 1);
    lua_pop(L, 1);
    if (!v) { json_decref(out); return NULL; }
    json_object_set_new_nocheck(out, mi->name, v);   /* model names: valid UTF-8 */
  }
  return out;
}

static json_t *convert(lua_State *L, int idx, const lf_model *m, const lf_member_info *ref,
                       lf_token *tok, const path *at, char *err, size_t errlen, int depth) {
  idx = lua_absindex(L, idx);
  const lf_shape_info *shape = ref->shape;
  if (!shape) { fail_at(err, errlen, at, "model has no shape for this member"); return NULL; }
  if (depth > LF_MAX_NESTING) { fail_at(err, errlen, at, LF_TOO_DEEP); return NULL; }
  int lt = lua_type(L, idx);

  switch (shape->type) {
  case LF_T_STRUCTURE:
    if (lt != LUA_TTABLE) { fail_at(err, errlen, at, "expected table"); return NULL; }
    return structure(L, idx, m, shape, tok, at, err, errlen, depth);
  case LF_T_LIST: {
    lua_Integer n;
    if (lt != LUA_TTABLE || !is_sequence(L, idx, &n)) {
      fail_at(err, errlen, at, "expected list");
      return NULL;
    }
    json_t *out = json_array();
    for (lua_Integer i = 1; i <= n; i++) {
      path here = {at, PATH_INDEX, NULL, i};
      lua_rawgeti(L, idx, i);
      json_t *v = convert(L, -1, m, &shape->member, tok, &here, err, errlen, depth + 1);
      lua_pop(L, 1);
      if (!v) { json_decref(out); return NULL; }
      json_array_append_new(out, v);
    }
    return out;
  }
  case LF_T_MAP: {
    if (lt != LUA_TTABLE) { fail_at(err, errlen, at, "expected map"); return NULL; }
    json_t *out = json_object();
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      if (lua_type(L, -2) != LUA_TSTRING) {
        lua_pop(L, 2);
        json_decref(out);
        fail_at(err, errlen, at, "expected map with string keys");
        return NULL;
      }
      const char *k = lua_tostring(L, -2);
      if (lf_json_is_null(L, -1)) { lua_pop(L, 1); continue; }
      path here = {at, PATH_MEMBER, k, 0};
      json_t *v = convert(L, -1, m, &shape->value, tok, &here, err, errlen, depth + 1);
      lua_pop(L, 1);
      if (!v) { lua_pop(L, 1); json_decref(out); return NULL; }
      json_object_set_new(out, k, v);
    }
    return sorted_object(out);
  }
  case LF_T_STRING: {
    if (ref->jsonvalue) {
      json_t *v = generic(L, idx, depth);
      if (!v) fail_at(err, errlen, at, "value cannot be encoded as JSON");
      return v;
    }
    if (lt != LUA_TSTRING) { fail_at(err, errlen, at, "expected string"); return NULL; }
    size_t n;
    const char *s = lua_tolstring(L, idx, &n);
    json_t *v = json_stringn(s, n);
    if (!v) fail_at(err, errlen, at, "string is not valid UTF-8");
    return v;
  }
  case LF_T_INTEGER:
    if (lt == LUA_TNUMBER && lua_isinteger(L, idx)) return json_integer(lua_tointeger(L, idx));
    if (lt == LUA_TNUMBER) {
      double d = lua_tonumber(L, idx);
      if (d == floor(d) && fabs(d) < 9.2e18) return json_integer((json_int_t)d);
    }
    fail_at(err, errlen, at, "expected integer");
    return NULL;
  case LF_T_FLOAT:
    if (lt == LUA_TNUMBER) {
      double d = lua_tonumber(L, idx);
      if (isnan(d)) return json_string("NaN");
      if (isinf(d)) return json_string(d > 0 ? "Infinity" : "-Infinity");
      if (lua_isinteger(L, idx)) return json_integer(lua_tointeger(L, idx));
      return json_real(d);
    }
    if (lt == LUA_TSTRING) {
      const char *s = lua_tostring(L, idx);
      if (!strcmp(s, "NaN") || !strcmp(s, "Infinity") || !strcmp(s, "-Infinity"))
        return json_string(s);
    }
    fail_at(err, errlen, at, "expected number");
    return NULL;
  case LF_T_BOOLEAN:
    if (lt != LUA_TBOOLEAN) { fail_at(err, errlen, at, "expected boolean"); return NULL; }
    return json_boolean(lua_toboolean(L, idx));
  case LF_T_TIMESTAMP: {
    double t;
    if (lt == LUA_TNUMBER) return json_real(lua_tonumber(L, idx));
    if (lt == LUA_TSTRING && lf_parse_timestamp(lua_tostring(L, idx), &t) == 0)
      return json_real(t);
    fail_at(err, errlen, at, "expected timestamp (epoch seconds or ISO 8601 string)");
    return NULL;
  }
  case LF_T_BLOB: {
    if (lt != LUA_TSTRING) { fail_at(err, errlen, at, "expected string (blob)"); return NULL; }
    size_t n;
    const char *s = lua_tolstring(L, idx, &n);
    return json_stringn_nocheck(s, n);
  }
  default: {
    json_t *v = generic(L, idx, depth);   /* document and unknown types */
    if (!v) fail_at(err, errlen, at, "value cannot be encoded as JSON");
    return v;
  }
  }
}

json_t *lf_lua_to_shape(lua_State *L, int idx, const lf_model *m, const lf_member_info *ref,
                        lf_token *tok, const char *path_text, char *err, size_t errlen) {
  path root = {NULL, PATH_ROOT, path_text, 0};
  return convert(L, idx, m, ref, tok, &root, err, errlen, 0);
}

static int deeper_than(const json_t *v, int levels) {
  if (!json_is_object(v) && !json_is_array(v)) return 0;
  if (levels == 0) return 1;
  const char *k;
  size_t i;
  json_t *x;
  if (json_is_object(v)) {
    json_object_foreach((json_t *)v, k, x) if (deeper_than(x, levels - 1)) return 1;
  } else {
    json_array_foreach(v, i, x) if (deeper_than(x, levels - 1)) return 1;
  }
  return 0;
}

int lf_json_too_deep(const json_t *v) { return v && deeper_than(v, LF_MAX_NESTING); }

/* ---- the same conversion from a jansson value (JSON callers: the CLI,
   scripts). Objects keep their order, so maps are written as given. ---- */

static json_t *jconvert(const lf_model *m, json_t *ref, json_t *v, lf_token *tok,
                        const char *path, char *err, size_t errlen, int depth);

static json_t *jstructure(const lf_model *m, json_t *shape, json_t *v, lf_token *tok,
                          const char *path, char *err, size_t errlen, int depth) {
  json_t *members = json_object_get(shape, "members"), *x, *mref;
  const char *k;
  char sub[1024];
  json_object_foreach(v, k, x)
    if (!json_object_get(members, k)) {
      snprintf(sub, sizeof sub, "unknown parameter '%s'", k);
      fail(err, errlen, path, sub);
      return NULL;
    }
  json_t *out = json_object(), *required = json_object_get(shape, "required");
  json_object_foreach(members, k, mref) {
    join(sub, sizeof sub, path, k);
    x = json_object_get(v, k);
    if ((!x || json_is_null(x)) && json_is_true(json_object_get(mref, "idempotencyToken"))) {
      json_object_set_new(out, k, json_string(lf_token_value(tok)));
      continue;
    }
    if (!x || json_is_null(x)) {
      size_t i;
      json_t *r;
      json_array_foreach(required, i, r)
        if (json_is_string(r) && strcmp(json_string_value(r), k) == 0) {
          fail(err, errlen, sub, "missing required parameter");
          json_decref(out);
          return NULL;
        }
      continue;
    }
    json_t *c = jconvert(m, mref, x, tok, sub, err, errlen, depth + 1);
    if (!c) { json_decref(out); return NULL; }
    json_object_set_new(out, k, c);
  }
  return out;
}

static json_t *jconvert(const lf_model *m, json_t *ref, json_t *v, lf_token *tok,
                        const char *path, char *err, size_t errlen, int depth) {
  json_t *shape = lf_shape_of(m, ref);
  if (!shape) { fail(err, errlen, path, "model has no shape for this member"); return NULL; }
  if (depth > LF_MAX_NESTING) { fail(err, errlen, path, LF_TOO_DEEP); return NULL; }
  const char *type = lf_shape_type(shape);
  char sub[1024];
  if (!strcmp(type, "structure")) {
    if (!json_is_object(v)) { fail(err, errlen, path, "expected object"); return NULL; }
    return jstructure(m, shape, v, tok, path, err, errlen, depth);
  }
  if (!strcmp(type, "list")) {
    if (!json_is_array(v)) { fail(err, errlen, path, "expected list"); return NULL; }
    json_t *out = json_array(), *member = json_object_get(shape, "member"), *x;
    size_t i;
    json_array_foreach(v, i, x) {
      snprintf(sub, sizeof sub, "%s[%zu]", path, i + 1);
      json_t *c = jconvert(m, member, x, tok, sub, err, errlen, depth + 1);
      if (!c) { json_decref(out); return NULL; }
      json_array_append_new(out, c);
    }
    return out;
  }
  if (!strcmp(type, "map")) {
    if (!json_is_object(v)) { fail(err, errlen, path, "expected map"); return NULL; }
    json_t *out = json_object(), *vref = json_object_get(shape, "value"), *x;
    const char *k;
    json_object_foreach(v, k, x) {
      if (json_is_null(x)) continue;
      join(sub, sizeof sub, path, k);
      json_t *c = jconvert(m, vref, x, tok, sub, err, errlen, depth + 1);
      if (!c) { json_decref(out); return NULL; }
      json_object_set_new(out, k, c);
    }
    return out;
  }
  if (!strcmp(type, "string")) {
    if (lf_trait_true(m, ref, "jsonvalue")) return json_deep_copy(v);
    if (!json_is_string(v)) { fail(err, errlen, path, "expected string"); return NULL; }
    return json_incref(v);
  }
  if (!strcmp(type, "integer") || !strcmp(type, "long") || !strcmp(type, "short") ||
      !strcmp(type, "byte")) {
    if (json_is_integer(v)) return json_incref(v);
    if (json_is_real(v)) {
      double d = json_real_value(v);
      if (d == floor(d) && fabs(d) < 9.2e18) return json_integer((json_int_t)d);
    }
    fail(err, errlen, path, "expected integer");
    return NULL;
  }
  if (!strcmp(type, "float") || !strcmp(type, "double")) {
    if (json_is_number(v)) return json_incref(v);
    const char *s = json_string_value(v);
    if (s && (!strcmp(s, "NaN") || !strcmp(s, "Infinity") || !strcmp(s, "-Infinity")))
      return json_incref(v);
    fail(err, errlen, path, "expected number");
    return NULL;
  }
  if (!strcmp(type, "boolean")) {
    if (!json_is_boolean(v)) { fail(err, errlen, path, "expected boolean"); return NULL; }
    return json_incref(v);
  }
  if (!strcmp(type, "timestamp")) {
    double t;
    if (json_is_number(v)) return json_real(json_number_value(v));
    if (json_is_string(v) && lf_parse_timestamp(json_string_value(v), &t) == 0)
      return json_real(t);
    fail(err, errlen, path, "expected timestamp (epoch seconds or ISO 8601 string)");
    return NULL;
  }
  if (!strcmp(type, "blob")) {
    if (!json_is_string(v)) { fail(err, errlen, path, "expected string (blob)"); return NULL; }
    return json_incref(v);
  }
  return json_deep_copy(v);   /* document and unknown types */
}

json_t *lf_json_to_shape(const lf_model *m, json_t *ref, json_t *v, lf_token *tok,
                         const char *path, char *err, size_t errlen) {
  return jconvert(m, ref, v, tok, path, err, errlen, 0);
}

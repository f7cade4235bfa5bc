/*
 * json.c - JSON <-> Lua values on jansson (see luaform/json.h).
 *
 * Encoding walks the Lua value once and builds a jansson tree, which
 * jansson serializes (sorted keys by default, so state files and their
 * diffs are stable). Array or object is decided per table: metatable
 * field __jsontype first, else "keys are exactly 1..n, n >= 1". The
 * tables on the current path are kept in a small stack, which finds
 * cycles and bounds the depth. An error carries the path to the bad value,
 * built while the recursion unwinds.
 *
 * Numbers: Lua integers, and floats with an integral value that fits in
 * 64 bits, become JSON integers; other floats become reals printed with
 * the fewest digits (15..17) that read back to the same double.
 */
#include "luaform/json.h"
#include "luaform/luaform.h"

#include <lauxlib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 256

static const char NULL_SENTINEL = 0;
static const char ARRAY_MT_KEY[] = "luaform.json_array_mt";

void lf_json_push_null(lua_State *L) { lua_pushlightuserdata(L, (void *)&NULL_SENTINEL); }

int lf_json_is_null(lua_State *L, int idx) {
  return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == &NULL_SENTINEL;
}

void lf_json_push_array_mt(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, ARRAY_MT_KEY) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "array");
  lua_setfield(L, -2, "__jsontype");
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, ARRAY_MT_KEY);
}

/* ---- Lua -> JSON ---- */

typedef struct {
  lua_State *L;
  const void *tables[MAX_DEPTH];  /* tables on the current path */
  int depth;
  char msg[200];                  /* what went wrong */
  char path[400];                 /* where: built innermost first */
} encoder;

__attribute__((format(printf, 2, 3)))
static json_t *fail(encoder *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
  return NULL;
}

/* Prepends one path segment while unwinding. */
static void prepend(encoder *e, const char *seg) {
  size_t sl = strlen(seg), pl = strlen(e->path);
  if (sl + pl >= sizeof e->path) return;  /* too long: keep the innermost part */
  memmove(e->path + sl, e->path, pl + 1);
  memcpy(e->path, seg, sl);
}

static void prepend_index(encoder *e, lua_Integer i) {
  char seg[32];
  snprintf(seg, sizeof seg, "[%lld]", (long long)i);
  prepend(e, seg);
}

static int is_identifier(const char *s, size_t len) {
  if (len == 0 || (s[0] >= '0' && s[0] <= '9')) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!(c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z'))) return 0;
  }
  return 1;
}

static void prepend_key(encoder *e, const char *k, size_t len) {
  char seg[160];
  if (is_identifier(k, len)) snprintf(seg, sizeof seg, ".%.*s", (int)(len > 120 ? 120 : len), k);
  else snprintf(seg, sizeof seg, "[\"%.*s\"]", (int)(len > 120 ? 120 : len), k);
  prepend(e, seg);
}

enum { AUTO, ARRAY, OBJECT };

static int declared_type(lua_State *L, int idx) {
  if (!lua_getmetatable(L, idx)) return AUTO;
  int t = AUTO;
  lua_pushliteral(L, "__jsontype");
  if (lua_rawget(L, -2) == LUA_TSTRING) {
    const char *s = lua_tostring(L, -1);
    if (strcmp(s, "array") == 0) t = ARRAY;
    else if (strcmp(s, "object") == 0) t = OBJECT;
  }
  lua_pop(L, 2);
  return t;
}

/* Are the keys of the table at idx exactly 1..n? */
static int is_sequence(lua_State *L, int idx, lua_Integer n) {
  lua_Integer count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1)) { lua_pop(L, 1); return 0; }
    lua_Integer k = lua_tointeger(L, -1);
    if (k < 1 || k > n || ++count > n) { lua_pop(L, 1); return 0; }
  }
  return count == n;
}

static json_t *encode_value(encoder *e, int idx);

static json_t *encode_array(encoder *e, int idx, lua_Integer n) {
  lua_State *L = e->L;
  json_t *a = json_array();
  if (!a) return fail(e, "out of memory");
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, idx, i);
    json_t *v = encode_value(e, lua_gettop(L));
    lua_pop(L, 1);
    if (!v || json_array_append_new(a, v) != 0) {
      if (v && !e->msg[0]) fail(e, "out of memory");
      prepend_index(e, i);
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

static json_t *encode_object(encoder *e, int idx) {
  lua_State *L = e->L;
  json_t *o = json_object();
  if (!o) return fail(e, "out of memory");
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    char num[32];
    const char *k;
    size_t klen;
    if (lua_type(L, -2) == LUA_TSTRING) {
      k = lua_tolstring(L, -2, &klen);
    } else if (lua_isinteger(L, -2)) {
      klen = (size_t)snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(L, -2));
      k = num;
    } else {
      char seg[64];
      snprintf(seg, sizeof seg, "[<%s key>]", luaL_typename(L, -2));
      fail(e, "cannot use a %s as an object key (only strings and integers)", luaL_typename(L, -2));
      lua_pop(L, 2);
      prepend(e, seg);
      json_decref(o);
      return NULL;
    }
    json_t *v = encode_value(e, lua_gettop(L));
    if (v && json_object_setn_new(o, k, klen, v) != 0) {
      v = NULL;
      fail(e, "object key is not valid UTF-8");
    }
    if (!v) {
      prepend_key(e, k, klen);
      lua_pop(L, 2);
      json_decref(o);
      return NULL;
    }
    lua_pop(L, 1);
  }
  return o;
}

static json_t *encode_table(encoder *e, int idx) {
  lua_State *L = e->L;
  const void *p = lua_topointer(L, idx);
  for (int i = 0; i < e->depth; i++)
    if (e->tables[i] == p) return fail(e, "cycle: the table contains itself");
  if (e->depth == MAX_DEPTH) return fail(e, "nested too deeply");
  if (!lua_checkstack(L, 6)) return fail(e, "Lua stack overflow");
  e->tables[e->depth++] = p;
  json_t *v;
  int type = declared_type(L, idx);
  lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
  if (type == OBJECT) {
    v = encode_object(e, idx);
  } else if (n > 0 && is_sequence(L, idx, n)) {
    v = encode_array(e, idx, n);
  } else if (type == ARRAY) {
    lua_pushnil(L);
    if (lua_next(L, idx)) {
      lua_pop(L, 2);
      v = fail(e, "array (__jsontype) has keys other than 1..n");
    } else {
      v = json_array();
    }
  } else {
    v = encode_object(e, idx);
  }
  e->depth--;
  return v;
}

static json_t *encode_number(encoder *e, int idx) {
  lua_State *L = e->L;
  if (lua_isinteger(L, idx)) return json_integer((json_int_t)lua_tointeger(L, idx));
  double d = lua_tonumber(L, idx);
  if (isnan(d) || isinf(d)) return fail(e, "cannot encode NaN or infinity");
  if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
    return json_integer((json_int_t)d);
  return json_real(d);
}

static json_t *encode_value(encoder *e, int idx) {
  lua_State *L = e->L;
  switch (lua_type(L, idx)) {
    case LUA_TNIL: return json_null();
    case LUA_TBOOLEAN: return json_boolean(lua_toboolean(L, idx));
    case LUA_TNUMBER: return encode_number(e, idx);
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      json_t *v = json_stringn(s, len);
      return v ? v : fail(e, "string is not valid UTF-8 (encode binary data with base64)");
    }
    case LUA_TTABLE: return encode_table(e, idx);
    case LUA_TLIGHTUSERDATA:
      if (lf_json_is_null(L, idx)) return json_null();
      /* fallthrough */
    default: return fail(e, "cannot encode a %s", luaL_typename(L, idx));
  }
}

json_t *lf_json_from_lua(lua_State *L, int idx, char *err, size_t n) {
  encoder *e = malloc(sizeof *e);
  if (!e) {
    snprintf(err, n, "out of memory");
    return NULL;
  }
  e->L = L;
  e->depth = 0;
  e->msg[0] = e->path[0] = '\0';
  int top = lua_gettop(L);
  json_t *v = encode_value(e, lua_absindex(L, idx));
  lua_settop(L, top);
  if (!v) snprintf(err, n, "value%s: %s", e->path, e->msg);
  free(e);
  return v;
}

/* Fewest significant digits (15..17) that read back as d. */
static int digits_for(double d) {
  char buf[40];
  for (int p = 15; p < 17; p++) {
    snprintf(buf, sizeof buf, "%.*g", p, d);
    if (strtod(buf, NULL) == d) return p;
  }
  return 17;
}

static int precision_of(const json_t *v, int p) {
  size_t i;
  const char *k;
  json_t *x;
  switch (json_typeof(v)) {
    case JSON_REAL: {
      int q = digits_for(json_real_value(v));
      return q > p ? q : p;
    }
    case JSON_ARRAY:
      json_array_foreach(v, i, x) if (p < 17) p = precision_of(x, p);
      return p;
    case JSON_OBJECT:
      json_object_foreach((json_t *)v, k, x) if (p < 17) p = precision_of(x, p);
      return p;
    default: return p;
  }
}

char *lf_json_dump(const json_t *v, size_t flags, size_t *len) {
  flags |= JSON_ENCODE_ANY | JSON_REAL_PRECISION(precision_of(v, 15));
  char *s = json_dumps(v, flags);
  if (s && len) *len = strlen(s);
  return s;
}

/* ---- JSON -> Lua ---- */

void lf_json_push(lua_State *L, const json_t *v) {
  luaL_checkstack(L, 4, "JSON nested too deeply");
  switch (json_typeof(v)) {
    case JSON_OBJECT: {
      const char *k;
      size_t klen;
      json_t *x;
      lua_createtable(L, 0, (int)json_object_size(v));
      json_object_keylen_foreach((json_t *)v, k, klen, x) {
        lua_pushlstring(L, k, klen);
        lf_json_push(L, x);
        lua_rawset(L, -3);
      }
      break;
    }
    case JSON_ARRAY: {
      size_t n = json_array_size(v);
      lua_createtable(L, (int)n, 0);
      for (size_t i = 0; i < n; i++) {
        lf_json_push(L, json_array_get(v, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
      }
      lf_json_push_array_mt(L);
      lua_setmetatable(L, -2);
      break;
    }
    case JSON_STRING: lua_pushlstring(L, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: lua_pushinteger(L, (lua_Integer)json_integer_value(v)); break;
    case JSON_REAL: lua_pushnumber(L, json_real_value(v)); break;
    case JSON_TRUE: lua_pushboolean(L, 1); break;
    case JSON_FALSE: lua_pushboolean(L, 0); break;
    case JSON_NULL: lf_json_push_null(L); break;
  }
}

json_t *lf_json_load(const char *text, size_t len, const char *chunk, char *err, size_t n) {
  json_error_t je;
  json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
  if (!v) snprintf(err, n, "%s:%d:%d: %s", chunk, je.line, je.column, je.text);
  return v;
}

/* ---- Lua surface ---- */

static int opt_flag(lua_State *L, int opts, const char *name, int dflt) {
  if (lua_isnoneornil(L, opts)) return dflt;
  int t = lua_getfield(L, opts, name);
  int v = t == LUA_TNIL ? dflt : lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* core.json_encode(value [, {pretty=, sort_keys=}]) -> string */
static int core_json_encode(lua_State *L) {
  luaL_checkany(L, 1);
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  size_t flags = opt_flag(L, 2, "pretty", 0) ? JSON_INDENT(2) : JSON_COMPACT;
  if (opt_flag(L, 2, "sort_keys", 1)) flags |= JSON_SORT_KEYS;
  char err[600];
  json_t *v = lf_json_from_lua(L, 1, err, sizeof err);
  if (!v) return luaL_error(L, "json_encode: %s", err);
  size_t len;
  char *s = lf_json_dump(v, flags, &len);
  json_decref(v);
  if (!s) return luaL_error(L, "json_encode: out of memory");
  lua_pushlstring(L, s, len);
  free(s);
  return 1;
}

/* core.json_decode(text [, chunkname]) -> value | nil, "chunk:line:col: msg" */
static int core_json_decode(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  const char *chunk = luaL_optstring(L, 2, "json");
  char err[400];
  json_t *v = lf_json_load(text, len, chunk, err, sizeof err);
  if (!v) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  lf_json_push(L, v);
  json_decref(v);
  return 1;
}

void lf_open_json(lua_State *L) {
  lua_pushcfunction(L, core_json_encode);
  lua_setfield(L, -2, "json_encode");
  lua_pushcfunction(L, core_json_decode);
  lua_setfield(L, -2, "json_decode");
  lf_json_push_null(L);
  lua_setfield(L, -2, "null");
  lf_json_push_array_mt(L);
  lua_setfield(L, -2, "json_array_mt");
}

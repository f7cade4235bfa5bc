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
#include "luaform/alloc.h"
#include "luaform/json.h"
#include "luaform/luaform.h"

#include <lauxlib.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void lf_json_mark_array(lua_State *L) {
  lf_json_push_array_mt(L);
  lua_setmetatable(L, -2);
}

/* ---- Lua -> JSON ---- */

typedef struct {
  lua_State *L;
  const void *tables[LF_MAX_NESTING];  /* tables on the current path */
  int depth;
  char msg[200];                  /* what went wrong */
  char path[400];                 /* where: built innermost first */
  int sort;                       /* insert object members sorted by key */
  int precision;                  /* digits the reals seen so far need */
  struct member *members;
  size_t nmembers, cap;
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

/* Members of the objects being built, innermost last: an object collects
 * its members here, sorts them, then inserts them in order (jansson keeps
 * insertion order, so the output is sorted without a sort at dump time). */
typedef struct member {
  const char *key;   /* a string key (held by the table), or NULL: num */
  size_t klen;
  char num[24];      /* an integer key as text */
  json_t *value;
} member;

static const char *member_key(const member *m) { return m->key ? m->key : m->num; }

static int compare_members(const void *a, const void *b) {
  const member *x = a, *y = b;
  size_t n = x->klen < y->klen ? x->klen : y->klen;
  int c = memcmp(member_key(x), member_key(y), n);
  return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

static member *push_member(encoder *e) {
  if (e->nmembers == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 64;
    e->members = lf_xrealloc(e->members, cap * sizeof *e->members);
    e->cap = cap;
  }
  return &e->members[e->nmembers++];
}

static void drop_members(encoder *e, size_t base) {
  while (e->nmembers > base) json_decref(e->members[--e->nmembers].value);
}

static json_t *encode_object(encoder *e, int idx) {
  lua_State *L = e->L;
  size_t base = e->nmembers;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    member *m = push_member(e);
    m->value = NULL;
    if (lua_type(L, -2) == LUA_TSTRING) {
      m->key = lua_tolstring(L, -2, &m->klen);
    } else if (lua_isinteger(L, -2)) {
      m->key = NULL;
      m->klen = (size_t)snprintf(m->num, sizeof m->num, "%lld", (long long)lua_tointeger(L, -2));
    } else {
      char seg[64];
      snprintf(seg, sizeof seg, "[<%s key>]", luaL_typename(L, -2));
      fail(e, "cannot use a %s as an object key (only strings and integers)", luaL_typename(L, -2));
      lua_pop(L, 2);
      drop_members(e, base);
      prepend(e, seg);
      return NULL;
    }
    json_t *v = encode_value(e, lua_gettop(L));
    m = &e->members[e->nmembers - 1];  /* the array may have moved */
    if (!v) {
      prepend_key(e, member_key(m), m->klen);
      lua_pop(L, 2);
      drop_members(e, base);
      return NULL;
    }
    m->value = v;
    lua_pop(L, 1);
  }
  size_t count = e->nmembers - base;
  if (e->sort && count > 1) qsort(e->members + base, count, sizeof(member), compare_members);
  json_t *o = json_object();
  for (size_t i = base; o && i < e->nmembers; i++) {
    member *m = &e->members[i];
    json_t *v = m->value;
    m->value = NULL;
    if (json_object_setn_new(o, member_key(m), m->klen, v) != 0) {
      fail(e, "object key is not valid UTF-8");
      prepend_key(e, member_key(m), m->klen);
      json_decref(o);
      o = NULL;
    }
  }
  if (!o && !e->msg[0]) fail(e, "out of memory");
  drop_members(e, base);
  return o;
}

static json_t *encode_table(encoder *e, int idx) {
  lua_State *L = e->L;
  const void *p = lua_topointer(L, idx);
  for (int i = 0; i < e->depth; i++)
    if (e->tables[i] == p) return fail(e, "cycle: the table contains itself");
  if (e->depth == LF_MAX_NESTING) return fail(e, LF_TOO_DEEP);
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

/* Fewest significant digits (15..17) that read back as d. */
static int digits_for(double d) {
  char buf[40];
  for (int p = 15; p < 17; p++) {
    snprintf(buf, sizeof buf, "%.*g", p, d);
    if (strtod(buf, NULL) == d) return p;
  }
  return 17;
}

static json_t *encode_number(encoder *e, int idx) {
  lua_State *L = e->L;
  if (lua_isinteger(L, idx)) return json_integer((json_int_t)lua_tointeger(L, idx));
  double d = lua_tonumber(L, idx);
  if (isnan(d) || isinf(d)) return fail(e, "cannot encode NaN or infinity");
  if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
    return json_integer((json_int_t)d);
  if (e->precision < 17) {
    int p = digits_for(d);
    if (p > e->precision) e->precision = p;
  }
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

static json_t *from_lua(lua_State *L, int idx, int sort, int *precision, char *err, size_t n) {
  encoder *e = lf_xcalloc(1, sizeof *e);
  e->L = L;
  e->sort = sort;
  e->precision = 15;
  int top = lua_gettop(L);
  json_t *v = encode_value(e, lua_absindex(L, idx));
  lua_settop(L, top);
  if (!v) snprintf(err, n, "value%s: %s", e->path, e->msg);
  if (precision) *precision = e->precision;
  free(e->members);
  free(e);
  return v;
}

json_t *lf_json_from_lua(lua_State *L, int idx, char *err, size_t n) {
  return from_lua(L, idx, 1, NULL, err, n);
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

/* json_dump_callback into one growing buffer: no final copy, and the
 * caller's size hint avoids regrowing for documents of a known size. */
typedef struct { char *p; size_t len, cap; } outbuf;

static int append(const char *chunk, size_t size, void *ud) {
  outbuf *b = ud;
  if (b->len + size + 2 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (b->len + size + 2 > cap) cap *= 2;
    b->p = lf_xrealloc(b->p, cap);
    b->cap = cap;
  }
  memcpy(b->p + b->len, chunk, size);
  b->len += size;
  return 0;
}

static char *dump(const json_t *v, size_t flags, int precision, size_t hint, size_t *len) {
  outbuf b = {hint ? lf_xmalloc(hint) : NULL, 0, hint};
  flags |= JSON_ENCODE_ANY | JSON_REAL_PRECISION(precision);
  if (json_dump_callback(v, append, &b, flags) != 0) {
    free(b.p);
    return NULL;
  }
  b.p[b.len] = '\0';  /* append keeps 2 spare bytes: NUL, or "\n" + NUL */
  if (len) *len = b.len;
  return b.p;
}

char *lf_json_dump(const json_t *v, size_t flags, size_t *len) {
  return dump(v, flags, precision_of(v, 15), 0, len);
}

/* The arena for the temporary jansson tree of a large document
 * (lf_json_encode's before it is dumped, lf_json_decode's while it is
 * pushed into Lua). jansson allocates a block per value, so inside that
 * window its allocator bumps through chunks, and leaving the window drops
 * the tree by freeing the chunks instead of ~20 blocks per resource. The
 * chunks are smaller than glibc's mmap threshold (alloc.c fixes it), so
 * the memory they free stays in the heap for what is allocated next (the
 * Lua values of a plan) instead of going back to the system and being
 * faulted in again: on a large state, touching new memory costs as much
 * as parsing (so a new chunk is also prefaulted at once, alloc.h). This
 * is safe because nothing else can allocate a jansson value in that
 * window: it runs no Lua code (raw accesses only, the collector is
 * stopped so no finalizer runs) and the engine is single-threaded. A
 * block from before the window that is freed inside it goes to free(). */
typedef struct chunk {
  struct chunk *next;
  size_t size, used;
  max_align_t data[];
} chunk;

static chunk *arena;   /* the current chunk, first in the list */

/* Texts at least this long are parsed into the arena. Its chunks double
 * from ARENA_FIRST_CHUNK (a small state's save needs no more) up to
 * ARENA_CHUNK; a value larger than that gets a chunk of its own. */
#define ARENA_MIN_TEXT ((size_t)64 * 1024)
#define ARENA_FIRST_CHUNK ((size_t)256 * 1024)
#define ARENA_CHUNK ((size_t)4 << 20)
/* Texts at least this long have the heap grown for their Lua values at
 * once (alloc.h, lf_heap_reserve): a large state's. */
#define RESERVE_MIN_TEXT ((size_t)4 << 20)

static void *arena_malloc(size_t size) {
  size = (size + 15) & ~(size_t)15;
  if (!arena || arena->used + size > arena->size) {
    size_t csize = !arena ? ARENA_FIRST_CHUNK : arena->size < ARENA_CHUNK ? arena->size * 2 : ARENA_CHUNK;
    if (csize < size) csize = size;
    chunk *c = lf_xmalloc(sizeof *c + csize);
    lf_prefault(c, sizeof *c + csize);   /* it will be filled */
    c->next = arena;
    c->size = csize;
    c->used = 0;
    arena = c;
  }
  void *p = (char *)arena->data + arena->used;
  arena->used += size;
  return p;
}

static void arena_free(void *p) {
  for (chunk *c = arena; c; c = c->next)
    if ((char *)p >= (char *)c->data && (char *)p < (char *)c->data + c->size) return;
  free(p);
}

/* Enters/leaves the window in which jansson allocates from the arena. */
typedef struct {
  json_malloc_t malloc_fn;
  json_free_t free_fn;
  int gc_was_running;
} arena_window;

static void arena_enter(lua_State *L, arena_window *w) {
  json_get_alloc_funcs(&w->malloc_fn, &w->free_fn);
  w->gc_was_running = lua_gc(L, LUA_GCISRUNNING);
  lua_gc(L, LUA_GCSTOP);
  json_set_alloc_funcs(arena_malloc, arena_free);
}

static void arena_leave(lua_State *L, arena_window *w) {
  json_set_alloc_funcs(w->malloc_fn, w->free_fn);
  while (arena) {   /* the tree goes with the arena */
    chunk *next = arena->next;
    free(arena);
    arena = next;
  }
  if (w->gc_was_running) lua_gc(L, LUA_GCRESTART);
}

char *lf_json_encode(lua_State *L, int idx, size_t flags, size_t size_hint, size_t *len,
                     char *err, size_t n) {
  arena_window w;
  int precision;
  /* Only large documents use the arena: restarting Lua's collector zeroes
   * its debt, so each window costs a collection step, which a small value
   * (core.json_encode of a string) would pay thousands of times. */
  int use_arena = size_hint > 0;
  if (use_arena) arena_enter(L, &w);
  json_t *v = from_lua(L, idx, !(flags & LF_JSON_UNSORTED), &precision, err, n);
  char *s = v ? dump(v, flags & ~(size_t)LF_JSON_UNSORTED, precision, size_hint, len) : NULL;
  if (v && !s) snprintf(err, n, "out of memory");
  if (use_arena) arena_leave(L, &w);
  else json_decref(v);
  return s;
}

/* ---- JSON -> Lua ---- */

/* The array metatable is at stack index mt (absolute), looked up once per
 * document rather than once per array. */
static void push_value(lua_State *L, const json_t *v, int mt) {
  luaL_checkstack(L, 4, "JSON nested too deeply");
  switch (json_typeof(v)) {
    case JSON_OBJECT: {
      const char *k;
      size_t klen;
      json_t *x;
      lua_createtable(L, 0, (int)json_object_size(v));
      json_object_keylen_foreach((json_t *)v, k, klen, x) {
        lua_pushlstring(L, k, klen);
        push_value(L, x, mt);
        lua_rawset(L, -3);
      }
      break;
    }
    case JSON_ARRAY: {
      size_t n = json_array_size(v);
      lua_createtable(L, (int)n, 0);
      for (size_t i = 0; i < n; i++) {
        push_value(L, json_array_get(v, i), mt);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
      }
      lua_pushvalue(L, mt);
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

void lf_json_push(lua_State *L, const json_t *v) {
  lf_json_push_array_mt(L);
  push_value(L, v, lua_gettop(L));
  lua_remove(L, -2);
}

json_t *lf_json_load(const char *text, size_t len, const char *chunk, char *err, size_t n) {
  json_error_t je;
  json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
  if (!v) snprintf(err, n, "%s:%d:%d: %s", chunk, je.line, je.column, je.text);
  return v;
}

static int push_protected(lua_State *L) {
  lf_json_push(L, lua_touserdata(L, 1));
  return 1;
}

int lf_json_decode(lua_State *L, const char *text, size_t len, lf_json_check_fn check,
                   json_error_t *je) {
  arena_window w;
  int use_arena = len >= ARENA_MIN_TEXT;  /* see lf_json_encode */
  if (use_arena) arena_enter(L, &w);
  json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, je);
  if (v && check && check(v, je->text, sizeof je->text) != 0) {
    je->line = je->column = 1;
    if (!use_arena) json_decref(v);
    v = NULL;
  }
  int status = LUA_OK;
  if (v && len >= RESERVE_MIN_TEXT) lf_heap_reserve(len * 2);   /* the Lua values: ~1.7x a state's text */
  if (v) {
    lua_pushcfunction(L, push_protected);
    lua_pushlightuserdata(L, v);
    status = lua_pcall(L, 1, 1, 0);
  }
  if (use_arena) arena_leave(L, &w);
  else json_decref(v);
  if (status != LUA_OK) lua_error(L);  /* out of memory, or nested too deeply */
  return v != NULL;
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
  if (!opt_flag(L, 2, "sort_keys", 1)) flags |= LF_JSON_UNSORTED;
  char err[600];
  size_t len;
  char *s = lf_json_encode(L, 1, flags, 0, &len, err, sizeof err);
  if (!s) return luaL_error(L, "json_encode: %s", err);
  lua_pushlstring(L, s, len);
  free(s);
  return 1;
}

/* core.json_decode(text [, chunkname]) -> value | nil, "chunk:line:col: msg" */
static int core_json_decode(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  const char *chunk = luaL_optstring(L, 2, "json");
  json_error_t je;
  if (!lf_json_decode(L, text, len, NULL, &je)) {
    lua_pushnil(L);
    lua_pushfstring(L, "%s:%d:%d: %s", chunk, je.line, je.column, je.text);
    return 2;
  }
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
  lua_createtable(L, 0, 1); /* core.json_object_mt: a table that is an object, even empty */
  lua_pushliteral(L, "object");
  lua_setfield(L, -2, "__jsontype");
  lua_setfield(L, -2, "json_object_mt");
}

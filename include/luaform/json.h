/*
 * JSON <-> Lua (engine/json.c), on jansson.
 *
 * Lua side: a table whose keys are exactly 1..n (n >= 1) is an array; an
 * empty table is an object unless its metatable has __jsontype = "array";
 * __jsontype = "object" forces an object. JSON null is the lightuserdata
 * core.null. Decoded arrays carry the shared metatable core.json_array_mt,
 * so an empty decoded array encodes back as [].
 */
#ifndef LUAFORM_JSON_H
#define LUAFORM_JSON_H

#include <jansson.h>
#include <lua.h>
#include <stddef.h>

/* Pushes the Lua value of v (never fails short of memory). */
void lf_json_push(lua_State *L, const json_t *v);

/* The JSON value of the Lua value at idx, or NULL with a message naming
 * the path of the offending value ("$.resources[\"a\"].x: ...") in err. */
json_t *lf_json_from_lua(lua_State *L, int idx, char *err, size_t n);

/* Serializes v; flags are jansson's (JSON_INDENT, JSON_SORT_KEYS, ...) and
 * the real precision is chosen so every real round-trips in the fewest
 * digits. Returns a malloc'd string (free()), its length in *len. */
char *lf_json_dump(const json_t *v, size_t flags, size_t *len);

/* Parses text; on error returns NULL and writes "chunk:line:col: message". */
json_t *lf_json_load(const char *text, size_t len, const char *chunk,
                     char *err, size_t n);

/* The sentinel core.null, and the shared array metatable. */
void lf_json_push_null(lua_State *L);
int lf_json_is_null(lua_State *L, int idx);
void lf_json_push_array_mt(lua_State *L);

#endif

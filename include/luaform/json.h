/*
 * JSON <-> Lua (engine/json.c), on jansson.
 *
 * Lua side: a table whose keys are exactly 1..n (n >= 1) is an array; an
 * empty table is an object unless its metatable has __jsontype = "array";
 * __jsontype = "object" (the shared core.json_object_mt) forces an
 * object. JSON null is the lightuserdata
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

/* The JSON value of the Lua value at idx, objects with their members
 * inserted in key order (so dumps are sorted without JSON_SORT_KEYS), or
 * NULL with a message naming the path of the offending value
 * ("value.resources[\"a\"].x: cannot encode a function") in err. */
json_t *lf_json_from_lua(lua_State *L, int idx, char *err, size_t n);

/* Serializes v; flags are jansson's (JSON_INDENT, JSON_SORT_KEYS, ...) and
 * the real precision is chosen so every real round-trips in the fewest
 * digits. Returns a malloc'd string (free()), its length in *len. */
char *lf_json_dump(const json_t *v, size_t flags, size_t *len);

/* Lua value at idx -> JSON text in one step (what core.json_encode and
 * state saves use): members sorted by key unless LF_JSON_UNSORTED is in
 * flags; size_hint preallocates the output (0: none) and, when not 0,
 * builds the temporary tree in a scratch arena (for state saves). The result is
 * malloc'd with 2 spare bytes after *len (room for "\n" and NUL). NULL
 * with the message in err on failure. */
#define LF_JSON_UNSORTED ((size_t)1 << 30)
char *lf_json_encode(lua_State *L, int idx, size_t flags, size_t size_hint, size_t *len,
                     char *err, size_t n);

/* Parses text; on error returns NULL and writes "chunk:line:col: message". */
json_t *lf_json_load(const char *text, size_t len, const char *chunk,
                     char *err, size_t n);

/* Parses text and pushes its Lua value (the fast path: the parse tree
 * lives in a scratch arena). check, when not NULL, vets the parsed tree
 * first (0 ok, else a message). Returns 1 with the value pushed, or 0 with
 * je->line, je->column and je->text set (1:1 for a check failure). */
typedef int (*lf_json_check_fn)(const json_t *doc, char *err, size_t n);
int lf_json_decode(lua_State *L, const char *text, size_t len, lf_json_check_fn check,
                   json_error_t *je);

/* The sentinel core.null, and the shared array metatable. */
void lf_json_push_null(lua_State *L);
int lf_json_is_null(lua_State *L, int idx);
void lf_json_push_array_mt(lua_State *L);
/* Gives the table on top the array metatable: a list that encodes as a JSON
 * array, also when empty (the AWS parsers mark every list shape with it). */
void lf_json_mark_array(lua_State *L);

#endif

/*
 * state.c - fuzz target: the state file loader (lua_target.h): the local
 * backend's load (JSON parse, required fields, the Lua table) and the
 * store's checks, as every command opens the state.
 */
#define SCRATCH_NAME "luaform.state.json"
#define LOADER                                                                    \
  "local state = require('luaform.state')\n"                                     \
  "return function(path)\n"                                                       \
  "  local store = require('luaform.backend_init').open_state({ path = path })\n" \
  "  local st = store:load()\n"                                                   \
  "  state.addresses(st)\n"                                                       \
  "  store.backend:close()\n"                                                     \
  "end\n"
#include "lua_target.h"

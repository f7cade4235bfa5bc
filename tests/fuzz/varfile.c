/*
 * varfile.c - fuzz target: the -var-file loader (lua_target.h) for JSON
 * variable files (*.json); Lua variable files are Lua code the user runs,
 * not input to parse.
 */
#define SCRATCH_NAME "vars.json"
#define LOADER                                                                    \
  "local dsl = require('luaform.dsl')\n"                                         \
  "return function(path)\n"                                                       \
  "  for _ in pairs(dsl.load_var_file(path)) do end   -- as dsl.lua reads it\n"     \
  "end\n"
#include "lua_target.h"

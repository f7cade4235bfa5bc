/*
 * planfile.c - fuzz target: the saved-plan loader (lua_target.h):
 * luaform.planfile's load, then what `show` reads of the document.
 */
#define SCRATCH_NAME "plan.out"
#define LOADER                                                                    \
  "local planfile = require('luaform.planfile')\n"                               \
  "return function(path)\n"                                                       \
  "  local doc = planfile.load(path)\n"                                           \
  "  planfile.shown(doc)\n"                                                       \
  "  planfile.actions(doc)\n"                                                     \
  "end\n"
#include "lua_target.h"

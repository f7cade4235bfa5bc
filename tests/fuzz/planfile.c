/*
 * planfile.c - fuzz target: the saved-plan loader (lua_target.h):
 * luaform.planfile's load, then what `show PLANFILE` reads of the document
 * (its text, Markdown and JSON forms) and the fields apply hands on.
 */
#define SCRATCH_NAME "plan.out"
#define LOADER                                                                    \
  "local core = require('luaform.core')\n"                                       \
  "local planfile = require('luaform.planfile')\n"                               \
  "return function(path)\n"                                                       \
  "  local doc = planfile.load(path)\n"                                           \
  "  string.len(doc.rendered); string.len(doc.markdown)\n"                        \
  "  core.json_encode(doc.json)\n"                                                \
  "  for _, v in pairs(doc.replace) do string.len(v) end\n"                       \
  "  for _, ch in pairs(doc.changes) do string.len(ch.action) end\n"              \
  "end\n"
#include "lua_target.h"

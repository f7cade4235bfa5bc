/*
 * state_journal.c - fuzz target: the state journal's replay (lua_target.h).
 * The input is the journal beside a fixed snapshot (a state of serial 1, as
 * a run killed after its first save leaves it); the store loads snapshot +
 * replay as every command does: framing (length, checksum), the records'
 * JSON, and what the store does with each record's resources.
 */
#define SCRATCH_NAME "luaform.state.json.journal"
#define LOADER                                                                    \
  "local core = require('luaform.core')\n"                                       \
  "local state = require('luaform.state')\n"                                     \
  "local SNAPSHOT = '{\"version\": 1, \"lineage\": \"e8af124c-2b80-4972-a52f-e2f7fd492cc5\", '\n" \
  "  .. '\"serial\": 1, \"outputs\": {}, \"resources\": {\"random_id.r1\": {\"mode\": \"managed\", '\n" \
  "  .. '\"type\": \"random_id\", \"provider\": \"random\", \"schema_version\": 0, \"dependencies\": {}, '\n" \
  "  .. '\"pending\": {\"op\": \"create\", \"token\": \"faa5c740\", \"since\": 1, \"args\": {}}}}}'\n" \
  "return function(path)\n"                                                       \
  "  local snapshot = path:gsub('%.journal$', '')\n"                              \
  "  assert(core.write_file(snapshot, SNAPSHOT, '0600'))\n"                       \
  "  local store = require('luaform.backend_init').open_state({ path = snapshot })\n" \
  "  local st = store:load()\n"                                                   \
  "  state.addresses(st)\n"                                                       \
  "  store.backend:close()\n"                                                     \
  "end\n"
#include "lua_target.h"

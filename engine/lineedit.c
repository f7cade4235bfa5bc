/*
 * lineedit.c - line editing for `luaform console`, through libedit's
 * readline interface (Debian's libedit-dev): core.readline(prompt) reads
 * one line with editing and history (nil at end of input);
 * core.add_history(line) makes it recallable with the up arrow.
 */
#include "luaform/luaform.h"

#include <editline/readline.h>
#include <lauxlib.h>
#include <stdlib.h>

static int core_readline(lua_State *L) {
  const char *prompt = luaL_optstring(L, 1, "> ");
  char *line = readline(prompt);
  if (!line) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushstring(L, line);
  free(line);
  return 1;
}

static int core_add_history(lua_State *L) {
  const char *line = luaL_checkstring(L, 1);
  if (*line) add_history(line);
  return 0;
}

void lf_open_lineedit(lua_State *L) {
  static const luaL_Reg fns[] = {
    {"readline", core_readline},
    {"add_history", core_add_history},
    {NULL, NULL},
  };
  luaL_setfuncs(L, fns, 0);
}

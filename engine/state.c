/* state.c - placeholder until the state concern lands. */
#include "luaform/luaform.h"
void lf_open_state(lua_State *L) { (void)L; }

/* walk.c - placeholder */
#include "luaform/luaform.h"
void lf_open_walk(lua_State *L) { (void)L; }

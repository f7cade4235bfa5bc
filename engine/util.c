/* util.c - placeholder until the util concern lands. */
#include "luaform/luaform.h"
void lf_open_util(lua_State *L) { (void)L; }

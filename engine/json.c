/* json.c - placeholder until the json concern lands. */
#include "luaform/luaform.h"
void lf_open_json(lua_State *L) { (void)L; }

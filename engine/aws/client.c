/* client.c - placeholder until the AWS transport lands. */
#include "luaform/luaform.h"
void lf_open_aws(lua_State *L) { (void)L; }

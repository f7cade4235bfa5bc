/* graph.c - placeholder */
#include "luaform/luaform.h"
void lf_open_graph(lua_State *L) { (void)L; }

/* main.c - the luaform executable: a runtime and the Lua CLI. */
#include "luaform/luaform.h"

int main(int argc, char **argv) {
  lf_install_signal_handlers();
  lua_State *L = lf_runtime_new();
  if (!L) return 1;
  int code = lf_runtime_main(L, argc, argv);
  lf_runtime_close_at_exit(L);
  return code;
}

/*
 * lua_target.h - the body of the fuzz targets whose loader is Lua code
 * (state, plan and variable files): a luaform runtime with the embedded Lua
 * side, and the Lua chunk LOADER (defined by the including file), which
 * returns a function(path) that loads the file at path as luaform does.
 *
 * The input is written to a scratch file named SCRATCH_NAME (its extension
 * picks the format where luaform does so) and the function is called. A
 * rejection is an error raised with luaform.errors or by the C core (a
 * message string); a Lua runtime error ("attempt to index a nil value", a
 * bad argument to a library function: see classify) means the loader
 * trusted the file's shape and is a finding, as is a crash or a sanitizer
 * report.
 */
#include "fuzz.h"
#include "luaform/luaform.h"

static lua_State *L;
static int loader_ref;
static char scratch[128];

static void remove_scratch(void) {
  unlink(scratch);
  rmdir(fuzz_scratch_dir());
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  L = lf_runtime_new();
  if (!L) abort();
  if (luaL_loadstring(L, LOADER) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
    fprintf(stderr, "fuzz: loader: %s\n", lua_tostring(L, -1));
    exit(2);
  }
  loader_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  snprintf(scratch, sizeof scratch, "%s/%s", fuzz_scratch_dir(), SCRATCH_NAME);
  atexit(remove_scratch);
  return 0;
}

/* The message handler: notes whether the error is a Lua runtime error (raised
   by the VM in a Lua function, or a library function's "bad argument")
   rather than a rejection (errors.raise, or a C core function's message). */
static int runtime_error;
static int classify(lua_State *L) {
  lua_Debug ar;
  const char *msg = lua_tostring(L, 1);
  runtime_error = (msg && !strncmp(msg, "bad argument #", 14)) ||   /* luaL_argerror's */
                  (lua_getstack(L, 1, &ar) && lua_getinfo(L, "S", &ar) && ar.what[0] != 'C');
  if (runtime_error) luaL_traceback(L, L, msg, 1);
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_write_file(scratch, data, size);
  lua_pushcfunction(L, classify);
  lua_rawgeti(L, LUA_REGISTRYINDEX, loader_ref);
  lua_pushstring(L, scratch);
  runtime_error = 0;
  if (lua_pcall(L, 1, 0, 1) != LUA_OK && runtime_error) {
    fprintf(stderr, "fuzz: the loader failed on its input: %s\n", lua_tostring(L, -1));
    abort();
  }
  lua_settop(L, 0);
  return 0;
}

/*
 * runtime.c - the Lua universe of the engine.
 *
 * One lua_State with the standard libraries, a searcher for the Lua sources
 * compiled into the binary (tools/embed.c), and the C core registered as the
 * preloaded module "luaform.core". The CLI itself is Lua (luaform.cli); the
 * runtime calls its main() and turns what it returns into an exit code.
 * A Lua error that escapes is printed once, as one line.
 */
#include "luaform/luaform.h"
#include "luaform/alloc.h"
#include "luaform/embedded.h"
#include "luaform/loop.h"

#include <curl/curl.h>
#include <lauxlib.h>
#include <lualib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const lf_embedded *find_embedded(const char *module) {
  for (const lf_embedded *e = lf_embedded_files; e->module; e++)
    if (strcmp(e->module, module) == 0) return e;
  return NULL;
}

/* package.searchers entry: modules compiled into the binary. */
static int search_embedded(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  const lf_embedded *e = find_embedded(name);
  if (!e) {
    lua_pushfstring(L, "no embedded module '%s'", name);
    return 1;
  }
  char chunk[600];
  snprintf(chunk, sizeof chunk, "@%s", e->path);
  if (luaL_loadbuffer(L, e->source, e->len, chunk) != LUA_OK) return lua_error(L);
  lua_pushstring(L, e->path);
  return 2;
}

/* core.embedded(module) -> source, path | nil: lets Lua list/read them. */
static int core_embedded(lua_State *L) {
  if (lua_isnoneornil(L, 1)) {
    lua_newtable(L);
    int i = 1;
    for (const lf_embedded *e = lf_embedded_files; e->module; e++) {
      lua_pushstring(L, e->module);
      lua_rawseti(L, -2, i++);
    }
    return 1;
  }
  const lf_embedded *e = find_embedded(luaL_checkstring(L, 1));
  if (!e) return 0;
  lua_pushlstring(L, e->source, e->len);
  lua_pushstring(L, e->path);
  return 2;
}

static int open_core(lua_State *L) {
  lua_newtable(L);
  lf_open_loop(L);
  lf_open_graph(L);
  lf_open_walk(L);
  lf_open_state(L);
  lf_open_json(L);
  lf_open_util(L);
  lf_open_lineedit(L);
  lf_open_aws(L);
  lf_open_process(L);
  lf_open_crypt(L);
  lua_pushcfunction(L, core_embedded);
  lua_setfield(L, -2, "embedded");
  lua_pushstring(L, lf_exe_dir());
  lua_setfield(L, -2, "exe_dir");
  lua_pushstring(L, LUAFORM_VERSION);
  lua_setfield(L, -2, "version");
  return 1;
}

const char *lf_exe_dir(void) {
  static char dir[PATH_MAX];
  if (!dir[0]) {
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n <= 0) return strcpy(dir, ".");
    dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
  }
  return dir;
}

lua_State *lf_runtime_new(void) {
  static int curl_ready;
  if (!curl_ready) {
    /* curl and jansson allocate through the engine's allocator (alloc.h) */
    curl_global_init_mem(CURL_GLOBAL_DEFAULT, lf_xmalloc, free, lf_xrealloc, lf_xstrdup, lf_xcalloc);
    lf_alloc_init();
    curl_ready = 1;
  }
  lua_State *L = luaL_newstate();
  if (!L) return NULL;
  /* The main thread's extra space (loop.c keeps a thread's task there) starts
     uninitialised, and new threads copy it: zero it. */
  memset(lua_getextraspace(L), 0, LUA_EXTRASPACE);
  luaL_openlibs(L);
  /* package.searchers: preload, embedded, then the Lua and C path ones. */
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchers");
  lua_pushcfunction(L, search_embedded);
  for (int i = (int)lua_rawlen(L, -2); i >= 2; i--) {
    lua_rawgeti(L, -2, i);
    lua_rawseti(L, -3, i + 1);
  }
  lua_rawseti(L, -2, 2);
  lua_pop(L, 1);
  lua_getfield(L, -1, "preload");
  lua_pushcfunction(L, open_core);
  lua_setfield(L, -2, "luaform.core");
  lua_pop(L, 2);
  return L;
}

void lf_runtime_close(lua_State *L) {
  lf_loop_close(L);
  lua_close(L);
}

/* Freeing a large plan's heap, millions of objects one by one, takes
 * most of a second that the exit does for nothing. So the allocator that
 * lua_close uses at exit skips Lua's frees: finalizers still run (locks
 * released, keys wiped; what they free through the C library is freed),
 * and a free skipped while they run is memory the exit returns anyway.
 * Sanitizer builds free everything, for LeakSanitizer to check. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FREE_AT_EXIT 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FREE_AT_EXIT 1
#endif

#ifndef FREE_AT_EXIT
static lua_Alloc lua_allocator;

static void *alloc_without_free(void *ud, void *ptr, size_t osize, size_t nsize) {
  if (nsize == 0) return NULL;
  return lua_allocator(ud, ptr, osize, nsize);
}
#endif

void lf_runtime_close_at_exit(lua_State *L) {
  lf_loop_close(L);
#ifndef FREE_AT_EXIT
  void *ud;
  lua_allocator = lua_getallocf(L, &ud);
  lua_setallocf(L, alloc_without_free, ud);
#endif
  lua_close(L);
}

static int traceback(lua_State *L) {
  if (getenv("LUAFORM_TRACE")) {
    const char *msg = luaL_tolstring(L, 1, NULL);
    luaL_traceback(L, L, msg, 1);
  }
  return 1;
}

int lf_runtime_main(lua_State *L, int argc, char **argv) {
  lua_pushcfunction(L, traceback);
  lua_getglobal(L, "require");
  lua_pushstring(L, "luaform.cli");
  if (lua_pcall(L, 1, 1, -3) != LUA_OK) goto fail;
  lua_getfield(L, -1, "main");
  lua_newtable(L);
  for (int i = 1; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i);
  }
  if (lua_pcall(L, 1, 1, -4) != LUA_OK) goto fail;
  int code = (int)lua_tointeger(L, -1);
  lua_settop(L, 0);
  return code;
fail:
  fprintf(stderr, "Error: %s\n", luaL_tolstring(L, -1, NULL));
  lua_settop(L, 0);
  return 1;
}

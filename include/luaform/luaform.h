/*
 * luaform's embedding API. A host creates a runtime (one lua_State with the
 * engine's Lua side loaded), runs the CLI or its own Lua, and closes it.
 *
 * The C core exposes itself to Lua as the module "luaform.core"; every
 * engine file that adds functions to it has an lf_open_<concern> function
 * listed in core.c.
 */
#ifndef LUAFORM_H
#define LUAFORM_H

#include <lua.h>

#define LUAFORM_VERSION "0.1.0"

/* The deepest nesting luaform accepts in what it parses or pushes into Lua:
 * AWS responses (JSON and XML; expat has no limit of its own, jansson's is
 * 2048), request parameters, JSON it encodes. A response nested deeper is
 * refused with "InvalidResponse: nested deeper than 256". It bounds the C
 * recursion of every pusher, and each recursive push also checks the Lua
 * stack (luaL_checkstack). */
#define LF_MAX_NESTING 256
#define LF_STRINGIFY_(x) #x
#define LF_STRINGIFY(x) LF_STRINGIFY_(x)
#define LF_TOO_DEEP "nested deeper than " LF_STRINGIFY(LF_MAX_NESTING)

lua_State *lf_runtime_new(void);
void lf_runtime_close(lua_State *L);
/* lf_runtime_close for a process about to exit: every finalizer runs
 * (locks released, keys wiped), but the Lua heap is left to the exit
 * instead of freed object by object (sanitizer builds free it all). */
void lf_runtime_close_at_exit(lua_State *L);
/* Runs luaform.cli.main(argv) and returns the process exit code. */
int lf_runtime_main(lua_State *L, int argc, char **argv);

/* Directory of the running executable (no trailing slash). */
const char *lf_exe_dir(void);

/* Each adds its functions to the table on top of the stack. */
void lf_open_loop(lua_State *L);    /* sleep, spawn, now */
void lf_open_graph(lua_State *L);   /* graph */
void lf_open_walk(lua_State *L);    /* walk */
void lf_open_state(lua_State *L);   /* state_* */
void lf_open_json(lua_State *L);    /* json_encode, json_decode */
void lf_open_util(lua_State *L);    /* hashes, random, files, uuid, environment */
void lf_open_lineedit(lua_State *L); /* readline, add_history (libedit) */
void lf_open_aws(lua_State *L);     /* aws transport (engine/aws) */
void lf_open_process(lua_State *L); /* chdir, interrupted */
void lf_open_crypt(lua_State *L);   /* keyring (state and plan encryption) */

/* Interrupts (SIGINT/SIGTERM) seen so far; the walker stops scheduling at
 * 1 and abandons in-flight work at 2. */
int lf_interrupts(void);
/* The next of the first two interrupts not announced yet (1, then 2), or
 * 0: each is handed out once per process. */
int lf_interrupt_to_announce(void);
void lf_install_signal_handlers(void);

#endif

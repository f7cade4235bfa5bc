/*
 * process.c - the process: Ctrl-C handling and the working directory.
 *
 * The signal handler only counts; the walker reads the count between
 * turns: 1 stops new operations, 2 abandons the ones in flight (their
 * intents are already in state). lf_interrupt_to_announce hands out each
 * of the first two interrupts once, so the walker can tell the user at
 * once what a Ctrl-C does.
 */
#include "luaform/luaform.h"

#include <errno.h>
#include <lauxlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t interrupts;

static void on_signal(int sig) {
  (void)sig;
  if (interrupts < 100) interrupts++;
}

int lf_interrupts(void) { return interrupts; }

int lf_interrupt_to_announce(void) {
  static int announced;
  int seen = interrupts < 2 ? interrupts : 2;
  if (announced >= seen) return 0;
  return ++announced;
}

void lf_install_signal_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

/* core.chdir(dir) -> true | nil, message */
static int core_chdir(lua_State *L) {
  if (chdir(luaL_checkstring(L, 1)) != 0) {
    lua_pushnil(L);
    lua_pushstring(L, strerror(errno));
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* core.interrupted() -> how many interrupts arrived */
static int core_interrupted(lua_State *L) {
  lua_pushinteger(L, lf_interrupts());
  return 1;
}

void lf_open_process(lua_State *L) {
  lua_pushcfunction(L, core_chdir);
  lua_setfield(L, -2, "chdir");
  lua_pushcfunction(L, core_interrupted);
  lua_setfield(L, -2, "interrupted");
}

/*
 * signals.c - Ctrl-C handling. The handler only counts; the walker reads
 * the count between turns: 1 stops new operations, 2 abandons the ones in
 * flight (their intents are already in state).
 */
#include "luaform/luaform.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t interrupts;

static void on_signal(int sig) {
  (void)sig;
  if (interrupts < 100) interrupts++;
}

int lf_interrupts(void) { return interrupts; }

void lf_install_signal_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

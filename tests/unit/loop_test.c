/*
 * loop_test.c - the event loop (engine/loop.c) through its C API
 * (luaform/loop.h), on a lua_State made by lf_runtime_new: timers fire in
 * due-time order, never early, and a step sleeps only until the nearest
 * one; a task (lf_spawn of a C function) that waits on a timer is parked
 * and resumed with the wait's results; tasks wait concurrently; lf_await
 * outside a task drives the loop itself (and runs other tasks meanwhile);
 * a wait already done resumes on the next turn; a failing task and a task
 * that calls coroutine.yield end with an error status; a cancelled task
 * never runs again and ends (LF_TASK_CANCELLED) when its wait is over, or
 * at once when it was ready; closing the loop ends every task still alive
 * as cancelled (the sanitizer build checks nothing is left allocated);
 * lf_loop_busy counts tasks and timers. No HTTP (the transport's tests cover it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lauxlib.h>

#include "luaform/loop.h"
#include "luaform/luaform.h"

/* What the callbacks saw, in the order they ran. */
typedef struct {
  int n;
  int id[16];
  double at[16];
  int status[16];
  char msg[16][120];
} event_log;

static event_log ev;

static void log_event(int id, int status, const char *msg) {
  assert_true(ev.n < 16);
  ev.id[ev.n] = id;
  ev.at[ev.n] = lf_now();
  ev.status[ev.n] = status;
  snprintf(ev.msg[ev.n], sizeof ev.msg[0], "%s", msg ? msg : "");
  ev.n++;
}

static int setup(void **state) {
  memset(&ev, 0, sizeof ev);
  lua_State *L = lf_runtime_new();
  if (!L) return -1;
  *state = L;
  return 0;
}

static int teardown(void **state) {
  lf_runtime_close(*state);
  return 0;
}

static void run_until_idle(lf_loop *loop) {
  double give_up = lf_now() + 3.0;
  while (lf_loop_busy(loop)) {
    lf_loop_step(loop, 50);
    assert_true(lf_now() < give_up);
  }
}

/* ---- timers ---- */

static void timer_fired(void *ud) { log_event((int)(intptr_t)ud, 0, NULL); }

static void test_timers_fire_in_due_order(void **state) {
  lf_loop *loop = lf_loop_of(*state);
  assert_ptr_equal(lf_loop_of(*state), loop);  /* one loop per universe */
  assert_int_equal(lf_loop_busy(loop), 0);
  double t0 = lf_now();
  const double delay[6] = {0.06, 0.02, 0.04, 0.0, 0.02, 0.02};
  for (int i = 0; i < 6; i++) lf_loop_add_timer(loop, delay[i], timer_fired, (void *)(intptr_t)i);
  assert_int_equal(lf_loop_busy(loop), 6);
  run_until_idle(loop);
  assert_int_equal(ev.n, 6);
  /* Due order; equal delays in the order they were added. */
  const int want[6] = {3, 1, 4, 5, 2, 0};
  for (int k = 0; k < 6; k++) {
    assert_int_equal(ev.id[k], want[k]);
    assert_true(ev.at[k] >= t0 + delay[ev.id[k]]);  /* never early */
  }
  assert_true(ev.at[5] - t0 < 0.5);
}

static void test_step_sleeps_until_the_timer(void **state) {
  lf_loop *loop = lf_loop_of(*state);
  double t0 = lf_now();
  lf_loop_add_timer(loop, 0.05, timer_fired, (void *)1);
  lf_loop_step(loop, 0);  /* no waiting: not due yet */
  assert_int_equal(ev.n, 0);
  assert_int_equal(lf_loop_busy(loop), 1);
  /* One step with a long max_wait sleeps until the timer, not max_wait. */
  lf_loop_step(loop, 2000);
  assert_int_equal(ev.n, 1);
  assert_true(ev.at[0] - t0 >= 0.05);
  assert_true(ev.at[0] - t0 < 0.5);
  assert_int_equal(lf_loop_busy(loop), 0);
}

/* ---- tasks ---- */

typedef struct {
  lf_wait *w;
  lua_Integer value;
} wake_ctx;

/* push: the task's wait result is the value it asked to get back. */
static int push_value(lua_State *L, void *ud) {
  wake_ctx *c = ud;
  lua_pushinteger(L, c->value);
  lua_pushstring(L, "woke");
  free(c);
  return 2;
}

static void wake(void *ud) { lf_wait_done(((wake_ctx *)ud)->w, push_value, ud); }

/* sleep_then(delay, value) -> value, "woke": waits on a timer. */
static int l_sleep_then(lua_State *L) {
  double delay = luaL_checknumber(L, 1);
  wake_ctx *c = malloc(sizeof *c);
  assert_non_null(c);
  c->value = luaL_checkinteger(L, 2);
  c->w = lf_wait_new(L);
  lf_loop_add_timer(lf_loop_of(L), delay, wake, c);
  return lf_await(L, c->w);
}

/* ready_now(value) -> value, "woke": the wait is done before the await. */
static int l_ready_now(lua_State *L) {
  wake_ctx *c = malloc(sizeof *c);
  assert_non_null(c);
  c->value = luaL_checkinteger(L, 1);
  c->w = lf_wait_new(L);
  lf_wait_done(c->w, push_value, c);
  return lf_await(L, c->w);
}

static int l_fail(lua_State *L) { return luaL_error(L, "boom %d", 42); }

/* end(): logs the task's id, status, and its results or error. */
static void task_end(void *ud, lua_State *co, int status) {
  char msg[120];
  if (status == LUA_OK) {
    assert_int_equal(lua_gettop(co), 2);
    snprintf(msg, sizeof msg, "%lld %s", (long long)lua_tointeger(co, 1), lua_tostring(co, 2));
  } else if (status == LF_TASK_CANCELLED) {
    snprintf(msg, sizeof msg, "cancelled");
  } else {
    snprintf(msg, sizeof msg, "%s", lua_tostring(co, -1));
  }
  log_event((int)(intptr_t)ud, status, msg);
}

static void spawn_sleeper(lua_State *L, int id, double delay, lua_Integer value) {
  lua_pushcfunction(L, l_sleep_then);
  lua_pushnumber(L, delay);
  lua_pushinteger(L, value);
  int top = lua_gettop(L);
  lf_spawn(L, 2, task_end, (void *)(intptr_t)id);
  assert_int_equal(lua_gettop(L), top - 3);  /* function and args taken */
}

static void test_task_waits_on_timer(void **state) {
  lua_State *L = *state;
  lf_loop *loop = lf_loop_of(L);
  double t0 = lf_now();
  spawn_sleeper(L, 1, 0.05, 7);
  assert_int_equal(lf_loop_busy(loop), 1);  /* the task, not started */
  lf_loop_step(loop, 0);                    /* runs it up to its await */
  assert_int_equal(ev.n, 0);
  assert_int_equal(lf_loop_busy(loop), 2);  /* parked task + its timer */
  run_until_idle(loop);
  assert_int_equal(ev.n, 1);
  assert_int_equal(ev.id[0], 1);
  assert_int_equal(ev.status[0], LUA_OK);
  assert_string_equal(ev.msg[0], "7 woke");  /* the wait's results returned */
  assert_true(ev.at[0] - t0 >= 0.05);
  assert_int_equal(lua_gettop(L), 0);
}

static void test_tasks_wait_concurrently(void **state) {
  lua_State *L = *state;
  lf_loop *loop = lf_loop_of(L);
  double t0 = lf_now();
  spawn_sleeper(L, 1, 0.20, 100);
  spawn_sleeper(L, 2, 0.10, 200);
  spawn_sleeper(L, 3, 0.15, 300);
  run_until_idle(loop);
  double total = lf_now() - t0;
  assert_int_equal(ev.n, 3);
  const int want[3] = {2, 3, 1};  /* by delay, not by spawn order */
  for (int k = 0; k < 3; k++) {
    assert_int_equal(ev.id[k], want[k]);
    assert_int_equal(ev.status[k], LUA_OK);
  }
  assert_string_equal(ev.msg[0], "200 woke");
  assert_string_equal(ev.msg[2], "100 woke");
  /* One thread, three waits at once: the longest, not the sum (0.45 s). */
  assert_true(total >= 0.20);
  assert_true(total < 0.40);
}

static void test_await_outside_task_drives_loop(void **state) {
  lua_State *L = *state;
  lf_loop *loop = lf_loop_of(L);
  spawn_sleeper(L, 1, 0.02, 5);  /* finishes while the main thread waits */
  double t0 = lf_now();
  lua_pushcfunction(L, l_sleep_then);
  lua_pushnumber(L, 0.08);
  lua_pushinteger(L, 9);
  assert_int_equal(lua_pcall(L, 2, 2, 0), LUA_OK);
  double waited = lf_now() - t0;
  assert_int_equal(lua_tointeger(L, -2), 9);
  assert_string_equal(lua_tostring(L, -1), "woke");
  lua_pop(L, 2);
  assert_true(waited >= 0.08 && waited < 0.5);
  assert_int_equal(ev.n, 1);  /* the task ran to its end meanwhile */
  assert_string_equal(ev.msg[0], "5 woke");
  assert_true(ev.at[0] < t0 + waited);
  assert_int_equal(lf_loop_busy(loop), 0);

  /* A wait that is already done returns at once outside a task. */
  lua_pushcfunction(L, l_ready_now);
  lua_pushinteger(L, 3);
  assert_int_equal(lua_pcall(L, 1, 2, 0), LUA_OK);
  assert_int_equal(lua_tointeger(L, -2), 3);
  lua_pop(L, 2);
}

static void test_done_wait_resumes_next_turn(void **state) {
  lua_State *L = *state;
  lf_loop *loop = lf_loop_of(L);
  lua_pushcfunction(L, l_ready_now);
  lua_pushinteger(L, 11);
  lf_spawn(L, 1, task_end, (void *)4);
  lf_loop_step(loop, 0);  /* starts, yields on a done wait, is made ready */
  assert_int_equal(ev.n, 0);
  assert_int_equal(lf_loop_busy(loop), 1);
  lf_loop_step(loop, 0);  /* resumed with the results */
  assert_int_equal(ev.n, 1);
  assert_int_equal(ev.status[0], LUA_OK);
  assert_string_equal(ev.msg[0], "11 woke");
  assert_int_equal(lf_loop_busy(loop), 0);
}

static void test_failing_tasks(void **state) {
  lua_State *L = *state;
  lf_loop *loop = lf_loop_of(L);
  lua_pushcfunction(L, l_fail);
  lf_spawn(L, 0, task_end, (void *)1);
  /* A plain coroutine.yield in a task is not a loop wait: it ends the task
   * with an error instead of parking it forever. */
  assert_int_equal(luaL_loadstring(L, "coroutine.yield(1) return 2"), LUA_OK);
  lf_spawn(L, 0, task_end, (void *)2);
  spawn_sleeper(L, 3, 0.01, 1);  /* a healthy task alongside is unaffected */
  run_until_idle(loop);
  assert_int_equal(ev.n, 3);
  assert_int_equal(ev.id[0], 1);
  assert_int_equal(ev.status[0], LUA_ERRRUN);
  assert_string_equal(ev.msg[0], "boom 42");
  assert_int_equal(ev.id[1], 2);
  assert_int_equal(ev.status[1], LUA_ERRRUN);
  assert_non_null(strstr(ev.msg[1], "coroutine.yield across a luaform task"));
  assert_int_equal(ev.id[2], 3);
  assert_int_equal(ev.status[2], LUA_OK);
  assert_string_equal(ev.msg[2], "1 woke");
}

/* Sets the global "ran_on" to its argument: what a cancelled task must
   never reach. */
static int l_mark(lua_State *L) {
  lua_pushinteger(L, luaL_checkinteger(L, 1));
  lua_setglobal(L, "ran_on");
  return 0;
}

static void test_cancelled_tasks(void **state) {
  lua_State *L = *state;
  lf_loop *loop = lf_loop_of(L);
  lua_pushnil(L);
  lua_setglobal(L, "ran_on");
  /* parked on a timer when cancelled: ends when the timer fires, not resumed */
  assert_int_equal(luaL_loadstring(L, "local core = require('luaform.core'); core.sleep(0.02); "
                                      "ran_on = 1"), LUA_OK);
  lf_task *parked = lf_spawn(L, 0, task_end, (void *)1);
  lf_loop_step(loop, 0);   /* runs up to its sleep */
  /* ready (never started) when cancelled: ends on the next turn */
  lua_pushcfunction(L, l_mark);
  lua_pushinteger(L, 2);
  lf_task *ready = lf_spawn(L, 1, task_end, (void *)2);
  lf_task_cancel(parked);
  lf_task_cancel(ready);
  spawn_sleeper(L, 3, 0.01, 5);  /* a task not cancelled is unaffected */
  run_until_idle(loop);
  assert_int_equal(ev.n, 3);
  assert_int_equal(ev.id[0], 2);   /* the first turn resumes ready tasks first */
  assert_int_equal(ev.status[0], LF_TASK_CANCELLED);
  for (int i = 1; i < 3; i++)   /* 1 and 3 end with their timers, in either order */
    assert_int_equal(ev.status[i], ev.id[i] == 1 ? LF_TASK_CANCELLED : LUA_OK);
  assert_int_not_equal(ev.id[1], ev.id[2]);
  assert_int_equal(lua_getglobal(L, "ran_on"), LUA_TNIL);
  lua_pop(L, 1);
  assert_int_equal(lf_loop_busy(loop), 0);
}

/* A second Ctrl-C leaves operations parked on their timers; closing the
   loop at exit ends them as cancelled, without running them. */
static void test_close_ends_live_tasks(void **state) {
  lua_State *L = *state;
  lf_loop *loop = lf_loop_of(L);
  lua_pushnil(L);
  lua_setglobal(L, "ran_on");
  /* parked for a minute on core.sleep (its timer holds only the wait) */
  assert_int_equal(luaL_loadstring(L, "require('luaform.core').sleep(60); ran_on = 1"), LUA_OK);
  lf_spawn(L, 0, task_end, (void *)1);
  lf_loop_step(loop, 0);
  lua_pushcfunction(L, l_mark);
  lua_pushinteger(L, 2);
  lf_spawn(L, 1, task_end, (void *)2);  /* ready, never started */
  assert_int_equal(ev.n, 0);
  lf_loop_close(L);
  assert_int_equal(ev.n, 2);
  for (int i = 0; i < 2; i++) assert_int_equal(ev.status[i], LF_TASK_CANCELLED);
  assert_int_not_equal(ev.id[0], ev.id[1]);
  assert_int_equal(lua_getglobal(L, "ran_on"), LUA_TNIL);
  lua_pop(L, 1);
  assert_int_equal(lf_loop_busy(lf_loop_of(L)), 0);  /* a fresh loop */
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_timers_fire_in_due_order),
    T(test_step_sleeps_until_the_timer),
    T(test_task_waits_on_timer),
    T(test_tasks_wait_concurrently),
    T(test_await_outside_task_drives_loop),
    T(test_done_wait_resumes_next_turn),
    T(test_failing_tasks),
    T(test_cancelled_tasks),
    T(test_close_ends_live_tasks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

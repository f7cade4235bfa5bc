/*
 * The event loop: one thread, many operations in flight.
 *
 * All Lua code runs on one lua_State. Provider and client code runs in
 * coroutines ("tasks"). A C function that has to wait (an HTTP exchange, a
 * timer) creates an lf_wait, arranges for lf_wait_done() to be called when
 * the result is there, and returns lf_await(). Inside a task lf_await
 * yields to the loop, which resumes the task when the wait is done; outside
 * a task (the main chunk, a non-yieldable pcall) it drives the loop itself
 * until the wait is done. Either way the C function appears to return the
 * results to its Lua caller.
 *
 * HTTP goes through libcurl's multi interface: lf_loop_add_http() hands an
 * easy handle to the loop and gets a callback when the transfer ends.
 */
#ifndef LUAFORM_LOOP_H
#define LUAFORM_LOOP_H

#include <curl/curl.h>
#include <lua.h>

typedef struct lf_loop lf_loop;
typedef struct lf_wait lf_wait;

/* The loop of the Lua universe L belongs to (created on first use). */
lf_loop *lf_loop_of(lua_State *L);
void lf_loop_close(lua_State *L);

/* Pushes the results of a finished wait onto L; returns how many. */
typedef int (*lf_push_fn)(lua_State *L, void *ud);

lf_wait *lf_wait_new(lua_State *L);
/* Marks w finished; push(L, ud) will be called on the waiting thread to
 * produce its results (push may be NULL: no results). push is called
 * exactly once, then ud is the caller's to free inside push. */
void lf_wait_done(lf_wait *w, lf_push_fn push, void *ud);
/* `return lf_await(L, w);` from the C function that created w. */
int lf_await(lua_State *L, lf_wait *w);

/* HTTP: the loop owns nothing; done() is called once when the transfer
 * finishes (rc is the curl result), after the handle left the multi. */
typedef void (*lf_http_done_fn)(void *ud, CURL *easy, CURLcode rc);
void lf_loop_add_http(lf_loop *loop, CURL *easy, lf_http_done_fn done, void *ud);
CURLM *lf_loop_multi(lf_loop *loop);

typedef void (*lf_timer_fn)(void *ud);
void lf_loop_add_timer(lf_loop *loop, double delay_s, lf_timer_fn fn, void *ud);
/* Removes the pending timer added with fn and ud, if any. */
void lf_loop_cancel_timer(lf_loop *loop, lf_timer_fn fn, void *ud);

/* Tasks. lf_spawn takes a function and nargs arguments from the top of
 * L's stack and starts it as a task; end() is called once with the task's
 * thread when it returns (status LUA_OK, results on co's stack) or fails
 * (status is the error status, error value on top of co's stack). The
 * thread stays anchored until end() returns. The task handle is valid
 * until then. */
typedef struct lf_task lf_task;
typedef void (*lf_task_end_fn)(void *ud, lua_State *co, int status);
lf_task *lf_spawn(lua_State *L, int nargs, lf_task_end_fn end, void *ud);

/* Cancels a task: it never runs again. Its end() is called with status
 * LF_TASK_CANCELLED in the turn where it would have been resumed (at once
 * if it was ready, when its wait ends if it was parked); the results of
 * that wait are dropped. */
#define LF_TASK_CANCELLED (-1)
void lf_task_cancel(lf_task *t);

/* One turn: resume ready tasks, then wait up to max_wait_ms for timers or
 * network, and dispatch what finished. */
void lf_loop_step(lf_loop *loop, int max_wait_ms);
/* How many tasks, timers and transfers are still alive. */
int lf_loop_busy(lf_loop *loop);

double lf_now(void);  /* monotonic seconds */

#endif

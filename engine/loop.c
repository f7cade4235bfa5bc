/*
 * loop.c - the event loop and the task scheduler (see luaform/loop.h).
 *
 * A task is a Lua thread plus the callback to run when it ends. A task is
 * either ready (in the ready queue, to be resumed on the next turn) or
 * parked on exactly one lf_wait. The task pointer lives in the thread's
 * extra space, so lf_await finds the task of the running thread in O(1).
 *
 * A task that ended normally leaves its thread for the next spawn.
 *
 * A turn (lf_loop_step) resumes every ready task, then sleeps in
 * curl_multi_poll until the nearest timer, a socket event or max_wait_ms,
 * then dispatches finished transfers and due timers. Those call
 * lf_wait_done, which puts the parked task back in the ready queue.
 *
 * The loop also keeps every live task in a list, so that closing it ends
 * the tasks still parked (a second Ctrl-C abandons running operations):
 * each ends as cancelled, its wait and its end() owner's memory released.
 */
#include "luaform/alloc.h"
#include "luaform/loop.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct lf_task task;

#define IDLE_THREADS 64

struct lf_task {
  lua_State *co;
  int ref;              /* anchors co in the registry */
  int nargs;            /* arguments for the first resume */
  int started;
  int cancelled;
  lf_wait *waiting;
  lf_task_end_fn end;
  void *ud;
  task *next;           /* ready queue */
  task *live_prev, *live_next; /* every task not yet ended */
};

struct lf_wait {
  task *task;           /* NULL while the waiter is blocking */
  int done;
  lf_push_fn push;
  void *ud;
};

typedef struct timer {
  double at;
  lf_timer_fn fn;
  void *ud;
  struct timer *next;   /* sorted by at */
} timer;

typedef struct transfer {
  lf_http_done_fn done;
  void *ud;
} transfer;

struct lf_loop {
  lua_State *L;         /* main thread */
  CURLM *multi;
  task *ready, *ready_tail;
  task *live;           /* tasks not yet ended */
  timer *timers;
  int tasks, transfers;
  /* Threads of tasks that ended normally, kept (anchored) for the next
   * spawns: a walk of 100,000 operations then makes a few threads, not
   * 100,000 for the collector. */
  lua_State *idle[IDLE_THREADS];
  int idle_ref[IDLE_THREADS], nidle;
};

static const char LOOP_KEY[] = "luaform.loop";

double lf_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void resume_task(lf_loop *loop, task *t);

static task **task_slot(lua_State *co) { return (task **)lua_getextraspace(co); }

lf_loop *lf_loop_of(lua_State *L) {
  lf_loop *loop;
  lua_getfield(L, LUA_REGISTRYINDEX, LOOP_KEY);
  loop = lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (loop) return loop;
  loop = lf_xcalloc(1, sizeof *loop);
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
  loop->L = lua_tothread(L, -1);
  lua_pop(L, 1);
  loop->multi = curl_multi_init();
  lua_pushlightuserdata(L, loop);
  lua_setfield(L, LUA_REGISTRYINDEX, LOOP_KEY);
  return loop;
}

void lf_loop_close(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, LOOP_KEY);
  lf_loop *loop = lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (!loop) return;
  while (loop->live) {
    loop->live->cancelled = 1;
    resume_task(loop, loop->live);
  }
  while (loop->timers) {
    timer *t = loop->timers;
    loop->timers = t->next;
    free(t);
  }
  curl_multi_cleanup(loop->multi);
  free(loop);
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, LOOP_KEY);
}

CURLM *lf_loop_multi(lf_loop *loop) { return loop->multi; }

int lf_loop_busy(lf_loop *loop) {
  int n = loop->tasks + loop->transfers;
  for (timer *t = loop->timers; t; t = t->next) n++;
  return n;
}

static void make_ready(lf_loop *loop, task *t) {
  t->next = NULL;
  if (loop->ready_tail) loop->ready_tail->next = t;
  else loop->ready = t;
  loop->ready_tail = t;
}

lf_wait *lf_wait_new(lua_State *L) {
  (void)L;
  return lf_xcalloc(1, sizeof(lf_wait));
}

void lf_wait_done(lf_wait *w, lf_push_fn push, void *ud) {
  w->done = 1;
  w->push = push;
  w->ud = ud;
  if (w->task) {
    task *t = w->task;
    lf_loop *loop = lf_loop_of(t->co);
    make_ready(loop, t);
  }
}

static int finish_wait(lua_State *L, lf_wait *w) {
  lf_push_fn push = w->push;
  void *ud = w->ud;
  free(w);
  return push ? push(L, ud) : 0;
}

static int await_k(lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  return finish_wait(L, (lf_wait *)ctx);
}

int lf_await(lua_State *L, lf_wait *w) {
  task *t = *task_slot(L);
  if (t && t->co == L && lua_isyieldable(L)) {
    t->waiting = w;
    w->task = t;
    if (w->done) make_ready(lf_loop_of(L), t);
    return lua_yieldk(L, 0, (lua_KContext)w, await_k);
  }
  lf_loop *loop = lf_loop_of(L);
  while (!w->done) lf_loop_step(loop, 50);
  return finish_wait(L, w);
}

lf_task *lf_spawn(lua_State *L, int nargs, lf_task_end_fn end, void *ud) {
  lf_loop *loop = lf_loop_of(L);
  task *t = lf_xcalloc(1, sizeof *t);
  if (loop->nidle > 0) {
    loop->nidle--;
    t->co = loop->idle[loop->nidle];
    t->ref = loop->idle_ref[loop->nidle];
  } else {
    t->co = lua_newthread(L);
    t->ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_xmove(L, t->co, nargs + 1);
  *task_slot(t->co) = t;
  t->nargs = nargs;
  t->end = end;
  t->ud = ud;
  t->live_next = loop->live;
  if (loop->live) loop->live->live_prev = t;
  loop->live = t;
  loop->tasks++;
  make_ready(loop, t);
  return t;
}

void lf_task_cancel(lf_task *t) { t->cancelled = 1; }

/* Frees a finished wait without a task to take its results: push runs on
 * the main thread under pcall (it may raise, e.g. for an error response)
 * and what it pushes is dropped. */
static int drop_wait_results(lua_State *L) {
  finish_wait(L, lua_touserdata(L, 1));
  return 0;
}

static void drop_wait(lf_loop *loop, lf_wait *w) {
  lua_State *L = loop->L;
  int top = lua_gettop(L);
  if (!lua_checkstack(L, 2)) {
    /* no room to call push: its results (and their memory) are lost */
    free(w);
    return;
  }
  lua_pushcfunction(L, drop_wait_results);
  lua_pushlightuserdata(L, w);
  lua_pcall(L, 1, 0, 0);
  lua_settop(L, top);
}

/* Ends a task: end() sees its thread, then the task is gone. */
static void end_task(lf_loop *loop, task *t, int status) {
  *task_slot(t->co) = NULL;
  loop->tasks--;
  if (t->live_prev) t->live_prev->live_next = t->live_next;
  else loop->live = t->live_next;
  if (t->live_next) t->live_next->live_prev = t->live_prev;
  if (t->end) t->end(t->ud, t->co, status);
  if (status == LUA_OK && loop->nidle < IDLE_THREADS) {
    /* ended normally: its stack is the base level again, reusable */
    lua_settop(t->co, 0);
    loop->idle[loop->nidle] = t->co;
    loop->idle_ref[loop->nidle++] = t->ref;
  } else {
    luaL_unref(loop->L, LUA_REGISTRYINDEX, t->ref);
  }
  free(t);
}

static void resume_task(lf_loop *loop, task *t) {
  if (t->cancelled) {
    if (t->waiting) drop_wait(loop, t->waiting);
    end_task(loop, t, LF_TASK_CANCELLED);
    return;
  }
  int nres, nargs = t->started ? 0 : t->nargs;
  t->started = 1;
  t->waiting = NULL;
  int status = lua_resume(t->co, NULL, nargs, &nres);
  if (status == LUA_YIELD) {
    if (t->waiting) return;         /* parked on a wait */
    lua_pop(t->co, nres);
    lua_pushstring(t->co, "coroutine.yield across a luaform task (use a plain iterator)");
    status = LUA_ERRRUN;
  }
  end_task(loop, t, status);
}

void lf_loop_add_timer(lf_loop *loop, double delay_s, lf_timer_fn fn, void *ud) {
  timer *t = lf_xmalloc(sizeof *t), **p = &loop->timers;
  t->at = lf_now() + delay_s;
  t->fn = fn;
  t->ud = ud;
  while (*p && (*p)->at <= t->at) p = &(*p)->next;
  t->next = *p;
  *p = t;
}

void lf_loop_cancel_timer(lf_loop *loop, lf_timer_fn fn, void *ud) {
  for (timer **p = &loop->timers; *p; p = &(*p)->next) {
    if ((*p)->fn == fn && (*p)->ud == ud) {
      timer *t = *p;
      *p = t->next;
      free(t);
      return;
    }
  }
}

void lf_loop_add_http(lf_loop *loop, CURL *easy, lf_http_done_fn done, void *ud) {
  transfer *x = lf_xmalloc(sizeof *x);
  x->done = done;
  x->ud = ud;
  curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
  loop->transfers++;
  CURLMcode rc = curl_multi_add_handle(loop->multi, easy);
  if (rc != CURLM_OK) {
    loop->transfers--;
    free(x);
    done(ud, easy, CURLE_FAILED_INIT);
  }
}

static void dispatch_transfers(lf_loop *loop) {
  int running, left;
  CURLMsg *m;
  curl_multi_perform(loop->multi, &running);
  while ((m = curl_multi_info_read(loop->multi, &left))) {
    if (m->msg != CURLMSG_DONE) continue;
    CURL *easy = m->easy_handle;
    CURLcode rc = m->data.result;
    transfer *x = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
    curl_multi_remove_handle(loop->multi, easy);
    loop->transfers--;
    if (x) {
      x->done(x->ud, easy, rc);
      free(x);
    }
  }
}

static void dispatch_timers(lf_loop *loop) {
  double now = lf_now();
  while (loop->timers && loop->timers->at <= now) {
    timer *t = loop->timers;
    loop->timers = t->next;
    t->fn(t->ud);
    free(t);
  }
}

void lf_loop_step(lf_loop *loop, int max_wait_ms) {
  /* Resume only the tasks ready at the start of the turn; tasks made ready
   * while running wait for the next turn, so a busy task cannot starve I/O. */
  task *t = loop->ready;
  loop->ready = loop->ready_tail = NULL;
  while (t) {
    task *next = t->next;
    resume_task(loop, t);
    t = next;
  }
  int wait = max_wait_ms;
  if (loop->ready) wait = 0;
  if (loop->timers) {
    int ms = (int)((loop->timers->at - lf_now()) * 1000.0 + 0.999);
    if (ms < wait) wait = ms < 0 ? 0 : ms;
  }
  if (loop->transfers) {
    long curl_ms = -1;
    curl_multi_timeout(loop->multi, &curl_ms);
    if (curl_ms >= 0 && curl_ms < wait) wait = (int)curl_ms;
    curl_multi_poll(loop->multi, NULL, 0, wait, NULL);
    dispatch_transfers(loop);
  } else if (wait > 0 && (loop->timers || loop->tasks)) {
    curl_multi_poll(loop->multi, NULL, 0, wait, NULL);
  }
  dispatch_timers(loop);
}

/* ---- Lua surface: core.sleep, core.now, core.every ---- */

static void timer_wake(void *ud) { lf_wait_done(ud, NULL, NULL); }

/* core.sleep(seconds): waits without blocking other tasks. */
static int core_sleep(lua_State *L) {
  double s = luaL_checknumber(L, 1);
  lf_wait *w = lf_wait_new(L);
  lf_loop_add_timer(lf_loop_of(L), s > 0 ? s : 0, timer_wake, w);
  return lf_await(L, w);
}

static int core_now(lua_State *L) {
  lua_pushnumber(L, lf_now());
  return 1;
}

/* core.every(seconds, fn) -> ticker: a repeating timer. Every `seconds`
 * fn(n) (n = 1, 2, ...) starts as a task of its own, until ticker:stop()
 * or the ticker is collected; stop() cancels the pending timer at once. */
typedef struct ticker {
  lf_loop *loop;
  double interval;
  int fn;     /* registry reference of fn; LUA_NOREF once stopped */
  int count;  /* ticks so far */
} ticker;

static const char TICKER_MT[] = "luaform.ticker";

static void tick_end(void *ud, lua_State *co, int status) {
  (void)ud;
  if (status != LUA_OK && status != LF_TASK_CANCELLED)
    fprintf(stderr, "Error: %s\n", luaL_tolstring(co, -1, NULL));
}

static void tick(void *ud) {
  ticker *t = ud;
  lua_State *L = t->loop->L;
  /* Re-armed first: a collection during the spawn may stop the ticker,
   * and must then find this timer to cancel it. */
  lf_loop_add_timer(t->loop, t->interval, tick, t);
  t->count++;
  lua_rawgeti(L, LUA_REGISTRYINDEX, t->fn);
  lua_pushinteger(L, t->count);
  lf_spawn(L, 1, tick_end, NULL);
}

static int ticker_stop(lua_State *L) {
  ticker *t = luaL_checkudata(L, 1, TICKER_MT);
  if (t->fn == LUA_NOREF) return 0;
  /* At exit the loop may be gone already, and its timers with it. */
  lua_getfield(L, LUA_REGISTRYINDEX, LOOP_KEY);
  if (lua_touserdata(L, -1) == t->loop) lf_loop_cancel_timer(t->loop, tick, t);
  lua_pop(L, 1);
  luaL_unref(L, LUA_REGISTRYINDEX, t->fn);
  t->fn = LUA_NOREF;
  return 0;
}

static int core_every(lua_State *L) {
  double s = luaL_checknumber(L, 1);
  luaL_argcheck(L, s > 0, 1, "the interval must be positive");
  luaL_checktype(L, 2, LUA_TFUNCTION);
  ticker *t = lua_newuserdatauv(L, sizeof *t, 0);
  t->loop = lf_loop_of(L);
  t->interval = s;
  t->count = 0;
  lua_pushvalue(L, 2);
  t->fn = luaL_ref(L, LUA_REGISTRYINDEX);
  luaL_setmetatable(L, TICKER_MT);
  lf_loop_add_timer(t->loop, s, tick, t);
  return 1;
}

void lf_open_loop(lua_State *L) {
  lua_pushcfunction(L, core_sleep);
  lua_setfield(L, -2, "sleep");
  lua_pushcfunction(L, core_now);
  lua_setfield(L, -2, "now");
  lua_pushcfunction(L, core_every);
  lua_setfield(L, -2, "every");
  if (luaL_newmetatable(L, TICKER_MT)) {
    lua_pushcfunction(L, ticker_stop);
    lua_setfield(L, -2, "__gc");
    lua_newtable(L);
    lua_pushcfunction(L, ticker_stop);
    lua_setfield(L, -2, "stop");
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
}

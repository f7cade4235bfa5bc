/*
 * walk.c - the parallel walker.
 *
 * core.walk(graph, opts) runs opts.run(node) for every node as soon as the
 * nodes it depends on are done (or, with opts.reverse, as soon as the nodes
 * that depend on it are done: destroy order), with at most
 * opts.parallelism (default 10) operations in flight. Each operation is a
 * task on the event loop, so an operation that waits (a timer, an AWS
 * call) lets the others run. Nodes for which opts.active[node] is false
 * are passed through without a task.
 *
 * After each operation opts.on_done(node, ok, err) runs on the walker's
 * thread (the Lua side saves state there). The first failure, or the first
 * interrupt, stops new operations from starting; the running ones finish.
 * A second interrupt returns at once: the operations still in flight are
 * cancelled (lf_task_cancel: they never run again, so none writes state
 * after the caller's final save; their intents are already in state). A
 * cancelled task still ends in a later turn of the loop (the caller's save
 * and unlock turn it), so the walker lives on the heap, owned by the walk
 * and by each running operation, and is freed by the last of them.
 * Each of the two interrupts is passed to opts.on_interrupt(count) within
 * a turn of the loop of its arrival, so the user hears at once what will
 * happen. Returns "ok", "failed",
 * "interrupted" or "aborted".
 */
#include "luaform/alloc.h"
#include "luaform/graph.h"
#include "luaform/loop.h"
#include "luaform/luaform.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct walker {
  lua_State *L;
  lf_graph *g;
  int reverse, parallelism, running, failed;
  int owners;               /* the walk while it runs + running operations */
  int abandoned;            /* the walk returned: ends report nothing */
  int *left;                /* dependencies not done yet */
  int *queue, qhead, qtail; /* ready nodes */
  lf_task **tasks;          /* the running operation of each node, or NULL */
  int opts;                 /* stack index of the opts table */
} walker;

typedef struct op {
  walker *w;
  int node;
} op;

static lf_ints *waits_on(walker *w, int i) { return w->reverse ? &w->g->users[i] : &w->g->deps[i]; }
static lf_ints *released(walker *w, int i) { return w->reverse ? &w->g->deps[i] : &w->g->users[i]; }

static void release(walker *w, int i) {
  lf_ints *r = released(w, i);
  for (size_t k = 0; k < r->len; k++)
    if (--w->left[r->items[k]] == 0) w->queue[w->qtail++] = r->items[k];
}

static int is_active(walker *w, int i) {
  if (lua_getfield(w->L, w->opts, "active") == LUA_TNIL) {
    lua_pop(w->L, 1);
    return 1;
  }
  lua_rawgeti(w->L, -1, i);
  int on = lua_toboolean(w->L, -1);
  lua_pop(w->L, 2);
  return on;
}

/* Calls opts.on_done(node, ok, err) with err on top of the stack (or nil). */
static void report(walker *w, int node, int ok) {
  lua_State *L = w->L;
  if (lua_getfield(L, w->opts, "on_done") == LUA_TNIL) {
    lua_pop(L, 2);
    return;
  }
  lua_insert(L, -2);
  lua_pushinteger(L, node);
  lua_insert(L, -2);
  lua_pushboolean(L, ok);
  lua_insert(L, -2);
  if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
    /* A failing on_done (state could not be saved) stops the walk too. */
    w->failed = 1;
    fprintf(stderr, "Error: %s\n", luaL_tolstring(L, -1, NULL));
    lua_pop(L, 2);
  }
}

/* Calls opts.on_interrupt(count) for each interrupt not announced yet;
 * without on_interrupt they stay for a walker that has one. */
static void announce_interrupts(walker *w) {
  lua_State *L = w->L;
  if (lua_getfield(L, w->opts, "on_interrupt") == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  int count;
  while ((count = lf_interrupt_to_announce()) > 0) {
    lua_pushvalue(L, -1);
    lua_pushinteger(L, count);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
      fprintf(stderr, "Error: %s\n", luaL_tolstring(L, -1, NULL));
      lua_pop(L, 2);
    }
  }
  lua_pop(L, 1);
}

/* Drops one owner's hold; the last one frees the walker. */
static void walker_release(walker *w) {
  if (--w->owners > 0) return;
  free(w->left);
  free(w->queue);
  free(w->tasks);
  free(w);
}

static void op_end(void *ud, lua_State *co, int status) {
  op *o = ud;
  walker *w = o->w;
  w->running--;
  w->tasks[o->node] = NULL;
  if (w->abandoned) {
    /* cancelled; opts and the graph belonged to the returned walk */
  } else if (status == LUA_OK) {
    lua_pushnil(w->L);
    report(w, o->node, 1);
    release(w, o->node);
  } else {
    w->failed = 1;
    lua_xmove(co, w->L, 1);
    report(w, o->node, 0);
  }
  free(o);
  walker_release(w);
}

static void start(walker *w, int i) {
  op *o = lf_xmalloc(sizeof *o);
  o->w = w;
  o->node = i;
  lua_getfield(w->L, w->opts, "run");
  lua_pushinteger(w->L, i);
  w->running++;
  w->owners++;
  w->tasks[i] = lf_spawn(w->L, 1, op_end, o);
}

static const char *walk(walker *w) {
  lf_loop *loop = lf_loop_of(w->L);
  for (int i = 1; i <= w->g->n; i++) {
    w->left[i] = (int)waits_on(w, i)->len;
    if (!w->left[i]) w->queue[w->qtail++] = i;
  }
  for (;;) {
    announce_interrupts(w);
    int intr = lf_interrupts();
    if (intr >= 2) {
      for (int i = 1; i <= w->g->n; i++)
        if (w->tasks[i]) lf_task_cancel(w->tasks[i]);
      return "aborted";
    }
    int stop = w->failed || intr;
    while (!stop && w->running < w->parallelism && w->qhead < w->qtail) {
      int i = w->queue[w->qhead++];
      if (is_active(w, i)) start(w, i);
      else release(w, i);
    }
    if (w->running == 0 && (stop || w->qhead == w->qtail)) break;
    lf_loop_step(loop, 100);
  }
  if (w->failed) return "failed";
  if (lf_interrupts()) return "interrupted";
  return "ok";
}

static int l_walk(lua_State *L) {
  lf_graph *g = lf_graph_check(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_getfield(L, 2, "reverse");
  int reverse = lua_toboolean(L, -1);
  lua_getfield(L, 2, "parallelism");
  int parallelism = (int)luaL_optinteger(L, -1, 10);
  lua_pop(L, 2);
  walker *w = lf_xcalloc(1, sizeof *w);
  w->L = L;
  w->g = g;
  w->opts = 2;
  w->reverse = reverse;
  w->parallelism = parallelism < 1 ? 1 : parallelism;
  w->left = lf_xcalloc(g->n + 1, sizeof *w->left);
  w->queue = lf_xcalloc(g->n + 1, sizeof *w->queue);
  w->tasks = lf_xcalloc(g->n + 1, sizeof *w->tasks);
  w->owners = 1;
  const char *status = walk(w);
  w->abandoned = 1;
  walker_release(w);
  lua_pushstring(L, status);
  return 1;
}

void lf_open_walk(lua_State *L) {
  lua_pushcfunction(L, l_walk);
  lua_setfield(L, -2, "walk");
}

/*
 * graph.c - the resource graph: a DAG over nodes 1..n.
 *
 * The Lua side numbers its nodes and declares dependencies; the graph keeps
 * both directions as growable int arrays (deps: what a node needs first;
 * users: who needs the node), so the walker can count remaining
 * dependencies and release dependents in O(edges). order() is Kahn's
 * algorithm, stable by node number; when it cannot finish, cycle() finds
 * one cycle by depth-first search over the nodes left, so the error can
 * name every member.
 */
#include "luaform/alloc.h"
#include "luaform/graph.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

static const char GRAPH_MT[] = "luaform.graph";

static void push_int(lf_ints *v, int x) {
  if (v->len == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 4;
    v->items = lf_xrealloc(v->items, v->cap * sizeof *v->items);
  }
  v->items[v->len++] = x;
}

int lf_graph_init(lf_graph *g, int n) {
  g->n = n;
  g->deps = lf_xcalloc(n + 1, sizeof *g->deps);
  g->users = lf_xcalloc(n + 1, sizeof *g->users);
  return 0;
}

void lf_graph_free(lf_graph *g) {
  for (int i = 0; g->deps && i <= g->n; i++) {
    free(g->deps[i].items);
    free(g->users[i].items);
  }
  free(g->deps);
  free(g->users);
  g->deps = g->users = NULL;
}

void lf_graph_add_dep(lf_graph *g, int node, int dep) {
  lf_ints *d = &g->deps[node];
  for (size_t k = 0; k < d->len; k++)
    if (d->items[k] == dep) return;
  push_int(d, dep);
  push_int(&g->users[dep], node);
}

int lf_graph_order(const lf_graph *g, int *out) {
  int *left = lf_xcalloc(g->n + 1, sizeof *left), head = 0, tail = 0;
  for (int i = 1; i <= g->n; i++) {
    left[i] = (int)g->deps[i].len;
    if (!left[i]) out[tail++] = i;
  }
  while (head < tail) {
    int i = out[head++];
    for (size_t k = 0; k < g->users[i].len; k++) {
      int u = g->users[i].items[k];
      if (--left[u] == 0) out[tail++] = u;
    }
  }
  free(left);
  return tail;
}

/* Depth-first search from root with an explicit stack, since a deep chain
   would overflow the C stack: stack[0..depth] is the path from root, next[i]
   the index of node i's next dependency to try. Colors: 0 new, 1 on the
   path, 2 done. Returns the cycle's length, written to path, or 0. */
static int find_cycle(const lf_graph *g, int root, char *color, int *stack, size_t *next,
                      int *path) {
  int depth = 0;
  stack[0] = root;
  next[root] = 0;
  color[root] = 1;
  while (depth >= 0) {
    int i = stack[depth];
    if (next[i] == g->deps[i].len) {
      color[i] = 2;
      depth--;
      continue;
    }
    int d = g->deps[i].items[next[i]++];
    if (color[d] == 1) {
      int start = depth, plen = 0;
      while (stack[start] != d) start--;
      for (int s = start; s <= depth; s++) path[plen++] = stack[s];
      return plen;
    }
    if (color[d] == 0) {
      color[d] = 1;
      next[d] = 0;
      stack[++depth] = d;
    }
  }
  return 0;
}

int lf_graph_cycle(const lf_graph *g, int *path) {
  char *color = lf_xcalloc(g->n + 1, 1);
  int *stack = lf_xcalloc(g->n + 1, sizeof *stack), plen = 0;
  size_t *next = lf_xcalloc(g->n + 1, sizeof *next);
  for (int i = 1; i <= g->n && !plen; i++)
    if (!color[i]) plen = find_cycle(g, i, color, stack, next, path);
  free(color);
  free(stack);
  free(next);
  return plen;
}

/* ---- Lua surface ---- */

lf_graph *lf_graph_check(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, GRAPH_MT);
}

static int check_node(lua_State *L, lf_graph *g, int arg) {
  lua_Integer i = luaL_checkinteger(L, arg);
  luaL_argcheck(L, i >= 1 && i <= g->n, arg, "no such node");
  return (int)i;
}

/* core.graph(n) */
static int l_graph(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 0 && n < 100000000, 1, "bad node count");
  lf_graph *g = lua_newuserdatauv(L, sizeof *g, 0);
  memset(g, 0, sizeof *g);
  luaL_setmetatable(L, GRAPH_MT);
  lf_graph_init(g, (int)n);
  return 1;
}

/* g:dep(node, dep): node needs dep first. */
static int l_dep(lua_State *L) {
  lf_graph *g = lf_graph_check(L, 1);
  int node = check_node(L, g, 2), dep = check_node(L, g, 3);
  lf_graph_add_dep(g, node, dep);
  return 0;
}

static void push_ints(lua_State *L, const int *v, int n) {
  lua_createtable(L, n, 0);
  for (int k = 0; k < n; k++) {
    lua_pushinteger(L, v[k]);
    lua_rawseti(L, -2, k + 1);
  }
}

/* g:order() -> list | nil, cycle (list of nodes, each needing the next) */
static int l_order(lua_State *L) {
  lf_graph *g = lf_graph_check(L, 1);
  int *out = lf_xmalloc((g->n + 1) * sizeof *out);
  int got = lf_graph_order(g, out);
  if (got == g->n) {
    push_ints(L, out, got);
    free(out);
    return 1;
  }
  int plen = lf_graph_cycle(g, out);
  lua_pushnil(L);
  push_ints(L, out, plen);
  free(out);
  return 2;
}

/* g:deps(node) / g:users(node) -> list */
static int l_deps(lua_State *L) {
  lf_graph *g = lf_graph_check(L, 1);
  lf_ints *v = &g->deps[check_node(L, g, 2)];
  push_ints(L, v->items, (int)v->len);
  return 1;
}

static int l_users(lua_State *L) {
  lf_graph *g = lf_graph_check(L, 1);
  lf_ints *v = &g->users[check_node(L, g, 2)];
  push_ints(L, v->items, (int)v->len);
  return 1;
}

static int l_size(lua_State *L) {
  lua_pushinteger(L, lf_graph_check(L, 1)->n);
  return 1;
}

static int l_gc(lua_State *L) {
  lf_graph_free(lf_graph_check(L, 1));
  return 0;
}

void lf_open_graph(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"dep", l_dep}, {"order", l_order}, {"deps", l_deps}, {"users", l_users},
    {"size", l_size}, {NULL, NULL}};
  if (luaL_newmetatable(L, GRAPH_MT)) {
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  lua_pushcfunction(L, l_graph);
  lua_setfield(L, -2, "graph");
}

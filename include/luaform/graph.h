/* The resource graph (engine/graph.c): a DAG over nodes 1..n. */
#ifndef LUAFORM_GRAPH_H
#define LUAFORM_GRAPH_H

#include <lua.h>
#include <stddef.h>

typedef struct { int *items; size_t len, cap; } lf_ints;

typedef struct lf_graph {
  int n;
  lf_ints *deps;   /* deps[i]: nodes i needs first */
  lf_ints *users;  /* users[i]: nodes that need i */
} lf_graph;

int lf_graph_init(lf_graph *g, int n);   /* 0 (out of memory aborts: alloc.h) */
void lf_graph_free(lf_graph *g);
void lf_graph_add_dep(lf_graph *g, int node, int dep);
/* Topological order into out (n slots); returns how many nodes it could
 * order: n, or fewer when there is a cycle. */
int lf_graph_order(const lf_graph *g, int *out);
/* A cycle into path (n slots), each node needing the next and the last
 * needing the first; returns its length (0: none). */
int lf_graph_cycle(const lf_graph *g, int *path);
lf_graph *lf_graph_check(lua_State *L, int idx);

#endif

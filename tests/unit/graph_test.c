/*
 * graph_test.c - the resource graph (engine/graph.c) through its C API
 * (luaform/graph.h): lf_graph_order puts every node after the nodes it
 * needs and keeps independent nodes in node-number order; when a cycle
 * blocks the order, lf_graph_cycle returns the whole cycle in order (each
 * node needing the next, the last needing the first); a repeated edge is
 * stored once; the empty graph orders to nothing and has no cycle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "luaform/graph.h"

static int has_dep(const lf_graph *g, int node, int dep) {
  for (size_t k = 0; k < g->deps[node].len; k++)
    if (g->deps[node].items[k] == dep) return 1;
  return 0;
}

/* Position of each node in out[0..n-1]; every node appears exactly once. */
static void positions(const lf_graph *g, const int *out, int *pos) {
  for (int i = 1; i <= g->n; i++) pos[i] = -1;
  for (int k = 0; k < g->n; k++) {
    assert_in_range(out[k], 1, g->n);
    assert_int_equal(pos[out[k]], -1);  /* not seen twice */
    pos[out[k]] = k;
  }
}

static void assert_order_respects_edges(const lf_graph *g, const int *out) {
  int *pos = calloc(g->n + 1, sizeof *pos);
  assert_non_null(pos);
  positions(g, out, pos);
  for (int i = 1; i <= g->n; i++)
    for (size_t k = 0; k < g->deps[i].len; k++)
      assert_true(pos[g->deps[i].items[k]] < pos[i]);
  free(pos);
}

/* path[0..len-1] is a cycle: each node needs the next, the last the first,
 * and no node is repeated. */
static void assert_is_cycle(const lf_graph *g, const int *path, int len) {
  assert_true(len > 0);
  for (int k = 0; k < len; k++) {
    assert_true(has_dep(g, path[k], path[(k + 1) % len]));
    for (int j = 0; j < k; j++) assert_int_not_equal(path[j], path[k]);
  }
}

static void test_order_respects_edges(void **state) {
  (void)state;
  /* The reference stack's shape: vpc(1) <- igw(2), subnet(3) <- nat(4)
   * needs igw and subnet; route table(5) needs vpc and nat. Declared in an
   * order that is not already topological. */
  lf_graph g;
  assert_int_equal(lf_graph_init(&g, 5), 0);
  lf_graph_add_dep(&g, 5, 4);
  lf_graph_add_dep(&g, 5, 1);
  lf_graph_add_dep(&g, 4, 2);
  lf_graph_add_dep(&g, 4, 3);
  lf_graph_add_dep(&g, 3, 1);
  lf_graph_add_dep(&g, 2, 1);
  int out[5];
  assert_int_equal(lf_graph_order(&g, out), 5);
  assert_order_respects_edges(&g, out);
  /* Kahn, stable by node number: 1, then 2 and 3 (released by 1 in the
   * order they declared their edge to it: 3 first), then 4, then 5. */
  const int want[5] = {1, 3, 2, 4, 5};
  assert_memory_equal(out, want, sizeof want);
  /* Both directions are recorded. */
  assert_int_equal(g.users[1].len, 3);
  assert_int_equal(g.deps[4].len, 2);
  assert_int_equal(lf_graph_cycle(&g, out), 0);
  lf_graph_free(&g);
  assert_null(g.deps);
}

static void test_reverse_chain(void **state) {
  (void)state;
  /* node i needs node i+1: the order is n, n-1, ..., 1. */
  enum { N = 1000 };
  lf_graph g;
  assert_int_equal(lf_graph_init(&g, N), 0);
  for (int i = 1; i < N; i++) lf_graph_add_dep(&g, i, i + 1);
  int *out = malloc(N * sizeof *out);
  assert_non_null(out);
  assert_int_equal(lf_graph_order(&g, out), N);
  for (int k = 0; k < N; k++) assert_int_equal(out[k], N - k);
  assert_int_equal(lf_graph_cycle(&g, out), 0);
  free(out);
  lf_graph_free(&g);
}

static void test_independent_nodes(void **state) {
  (void)state;
  lf_graph g;
  assert_int_equal(lf_graph_init(&g, 6), 0);
  int out[6];
  assert_int_equal(lf_graph_order(&g, out), 6);
  for (int k = 0; k < 6; k++) assert_int_equal(out[k], k + 1);
  assert_int_equal(lf_graph_cycle(&g, out), 0);
  lf_graph_free(&g);

  /* Two independent components interleave by node number, each in its own
   * dependency order. */
  assert_int_equal(lf_graph_init(&g, 4), 0);
  lf_graph_add_dep(&g, 1, 3);  /* component A: 3 then 1 */
  lf_graph_add_dep(&g, 2, 4);  /* component B: 4 then 2 */
  int out4[4];
  assert_int_equal(lf_graph_order(&g, out4), 4);
  const int want[4] = {3, 4, 1, 2};
  assert_memory_equal(out4, want, sizeof want);
  lf_graph_free(&g);
}

static void test_cycle_path_in_order(void **state) {
  (void)state;
  /* 1 -> 2 -> 3 -> 4 -> 2 (a -> b: a needs b), 5 independent, 6 needs 5. */
  lf_graph g;
  assert_int_equal(lf_graph_init(&g, 6), 0);
  lf_graph_add_dep(&g, 1, 2);
  lf_graph_add_dep(&g, 2, 3);
  lf_graph_add_dep(&g, 3, 4);
  lf_graph_add_dep(&g, 4, 2);
  lf_graph_add_dep(&g, 6, 5);
  int out[6];
  /* Only what is not behind the cycle can be ordered. */
  assert_int_equal(lf_graph_order(&g, out), 2);
  assert_int_equal(out[0], 5);
  assert_int_equal(out[1], 6);
  int path[6];
  int len = lf_graph_cycle(&g, path);
  assert_int_equal(len, 3);
  const int want[3] = {2, 3, 4};  /* 1 leads into the cycle but is not in it */
  assert_memory_equal(path, want, sizeof want);
  assert_is_cycle(&g, path, len);
  lf_graph_free(&g);
}

static void test_cycle_through_every_node(void **state) {
  (void)state;
  /* The cycle is found from a node that is in it and reported whole:
   * 1 -> 4 -> 2 -> 5 -> 3 -> 1. */
  lf_graph g;
  assert_int_equal(lf_graph_init(&g, 5), 0);
  lf_graph_add_dep(&g, 1, 4);
  lf_graph_add_dep(&g, 4, 2);
  lf_graph_add_dep(&g, 2, 5);
  lf_graph_add_dep(&g, 5, 3);
  lf_graph_add_dep(&g, 3, 1);
  int out[5];
  assert_int_equal(lf_graph_order(&g, out), 0);
  int len = lf_graph_cycle(&g, out);
  assert_int_equal(len, 5);
  const int want[5] = {1, 4, 2, 5, 3};
  assert_memory_equal(out, want, sizeof want);
  assert_is_cycle(&g, out, len);
  lf_graph_free(&g);
}

static void test_self_and_two_node_cycles(void **state) {
  (void)state;
  lf_graph g;
  int out[3];
  assert_int_equal(lf_graph_init(&g, 3), 0);
  lf_graph_add_dep(&g, 2, 2);  /* depends_on itself */
  assert_int_equal(lf_graph_order(&g, out), 2);
  assert_int_equal(lf_graph_cycle(&g, out), 1);
  assert_int_equal(out[0], 2);
  lf_graph_free(&g);

  assert_int_equal(lf_graph_init(&g, 3), 0);
  lf_graph_add_dep(&g, 3, 1);
  lf_graph_add_dep(&g, 1, 3);
  assert_int_equal(lf_graph_order(&g, out), 1);
  assert_int_equal(out[0], 2);
  int len = lf_graph_cycle(&g, out);
  assert_int_equal(len, 2);
  assert_int_equal(out[0], 1);
  assert_int_equal(out[1], 3);
  assert_is_cycle(&g, out, len);
  lf_graph_free(&g);
}

static void test_duplicate_edges(void **state) {
  (void)state;
  /* vpc.id used twice in one resource, plus depends_on the same vpc:
   * one edge. */
  lf_graph g;
  assert_int_equal(lf_graph_init(&g, 3), 0);
  for (int r = 0; r < 3; r++) lf_graph_add_dep(&g, 2, 1);
  lf_graph_add_dep(&g, 3, 2);
  lf_graph_add_dep(&g, 3, 1);
  lf_graph_add_dep(&g, 3, 2);
  assert_int_equal(g.deps[2].len, 1);
  assert_int_equal(g.users[1].len, 2);  /* 2 and 3, once each */
  assert_int_equal(g.users[2].len, 1);
  assert_int_equal(g.deps[3].len, 2);
  int out[3];
  assert_int_equal(lf_graph_order(&g, out), 3);
  const int want[3] = {1, 2, 3};
  assert_memory_equal(out, want, sizeof want);
  lf_graph_free(&g);
}

static void test_cycle_behind_a_deep_chain(void **state) {
  (void)state;
  /* 1 -> 2 -> ... -> N, and N -> N-1: the search walks a chain far deeper
   * than the C stack would allow if it recursed. */
  enum { N = 300000 };
  lf_graph g;
  assert_int_equal(lf_graph_init(&g, N), 0);
  for (int i = 1; i < N; i++) lf_graph_add_dep(&g, i, i + 1);
  lf_graph_add_dep(&g, N, N - 1);
  int *out = malloc(N * sizeof *out);
  assert_non_null(out);
  assert_int_equal(lf_graph_order(&g, out), 0);
  int len = lf_graph_cycle(&g, out);
  assert_int_equal(len, 2);
  assert_int_equal(out[0], N - 1);
  assert_int_equal(out[1], N);
  free(out);
  lf_graph_free(&g);
}

static void test_empty_graph(void **state) {
  (void)state;
  lf_graph g;
  assert_int_equal(lf_graph_init(&g, 0), 0);
  int out[1] = {-7};
  assert_int_equal(lf_graph_order(&g, out), 0);
  assert_int_equal(lf_graph_cycle(&g, out), 0);
  assert_int_equal(out[0], -7);  /* nothing written */
  lf_graph_free(&g);
  lf_graph_free(&g);  /* freeing twice is harmless: deps was reset */
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_order_respects_edges),
    cmocka_unit_test(test_reverse_chain),
    cmocka_unit_test(test_independent_nodes),
    cmocka_unit_test(test_cycle_path_in_order),
    cmocka_unit_test(test_cycle_through_every_node),
    cmocka_unit_test(test_self_and_two_node_cycles),
    cmocka_unit_test(test_duplicate_edges),
    cmocka_unit_test(test_cycle_behind_a_deep_chain),
    cmocka_unit_test(test_empty_graph),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

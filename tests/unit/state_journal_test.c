/*
 * state_journal_test.c - the journal's records (engine/state_journal.c):
 * framed records replayed over a decoded snapshot set and remove entries
 * and advance the serial; records the snapshot already holds (serial not
 * above its own) or of another lineage are skipped; a torn or corrupt
 * last record is ignored with a warning, while a corrupt record followed
 * by others is an error naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "luaform/state.h"

static json_t *snapshot(void) {
  return json_pack("{s:i, s:s, s:i, s:{s:{s:s}, s:{s:s}}}", "version", 1, "lineage", "L", "serial", 5,
                   "resources", "a", "type", "x", "b", "type", "x");
}

/* Appends the framed payload to buf (len updated). */
static void add(char *buf, size_t *len, const char *payload) {
  size_t n;
  char *rec = lf_journal_frame(payload, strlen(payload), &n);
  assert_non_null(rec);
  memcpy(buf + *len, rec, n);
  *len += n;
  free(rec);
}

static void test_replay_sets_removes_and_skips(void **unused) {
  (void)unused;
  char j[1024], warn[200], err[200];
  size_t len = 0;
  add(j, &len, "{\"lineage\":\"L\",\"serial\":5,\"set\":{\"old\":{}},\"del\":[]}");
  add(j, &len, "{\"lineage\":\"M\",\"serial\":9,\"set\":{\"other\":{}},\"del\":[]}");
  add(j, &len, "{\"lineage\":\"L\",\"serial\":6,\"set\":{\"c\":{\"type\":\"y\"}},\"del\":[\"a\"]}");
  add(j, &len, "{\"lineage\":\"L\",\"serial\":7,\"set\":{\"b\":{\"type\":\"z\"}},\"del\":[]}");
  json_t *st = snapshot();
  assert_int_equal(lf_journal_replay(st, j, len, NULL, "journal", warn, sizeof warn, err, sizeof err), 0);
  assert_string_equal(warn, "");
  json_t *res = json_object_get(st, "resources");
  assert_null(json_object_get(res, "a"));
  assert_null(json_object_get(res, "old"));
  assert_null(json_object_get(res, "other"));
  assert_string_equal(json_string_value(json_object_get(json_object_get(res, "c"), "type")), "y");
  assert_string_equal(json_string_value(json_object_get(json_object_get(res, "b"), "type")), "z");
  assert_int_equal(json_integer_value(json_object_get(st, "serial")), 7);
  json_decref(st);
}

static void test_torn_or_corrupt_last_record_ignored(void **unused) {
  (void)unused;
  char j[1024], warn[200], err[200];
  size_t len = 0;
  add(j, &len, "{\"lineage\":\"L\",\"serial\":6,\"set\":{\"c\":{}},\"del\":[]}");
  add(j, &len, "{\"lineage\":\"L\",\"serial\":7,\"set\":{\"d\":{}},\"del\":[]}");
  json_t *st = snapshot();
  assert_int_equal(lf_journal_replay(st, j, len - 3, NULL, "journal", warn, sizeof warn, err, sizeof err), 0);
  assert_non_null(strstr(warn, "torn record"));
  assert_non_null(json_object_get(json_object_get(st, "resources"), "c"));
  assert_null(json_object_get(json_object_get(st, "resources"), "d"));
  json_decref(st);
  j[len - 2] ^= 1;  /* the last record's payload */
  st = snapshot();
  assert_int_equal(lf_journal_replay(st, j, len, NULL, "journal", warn, sizeof warn, err, sizeof err), 0);
  assert_non_null(strstr(warn, "checksum mismatch"));
  assert_int_equal(json_integer_value(json_object_get(st, "serial")), 6);
  json_decref(st);
}

static void test_corrupt_record_before_last_refused(void **unused) {
  (void)unused;
  char j[1024], warn[200], err[200];
  size_t len = 0;
  add(j, &len, "{\"lineage\":\"L\",\"serial\":6,\"set\":{\"c\":{}},\"del\":[]}");
  add(j, &len, "{\"lineage\":\"L\",\"serial\":7,\"set\":{\"d\":{}},\"del\":[]}");
  j[20] ^= 1;  /* inside the first record's payload */
  json_t *st = snapshot();
  assert_int_equal(lf_journal_replay(st, j, len, NULL, "journal", warn, sizeof warn, err, sizeof err), -1);
  assert_string_equal(err, "journal record 1 at byte 0: checksum mismatch, and records follow it");
  json_decref(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_replay_sets_removes_and_skips),
    cmocka_unit_test(test_torn_or_corrupt_last_record_ignored),
    cmocka_unit_test(test_corrupt_record_before_last_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

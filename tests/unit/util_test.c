/*
 * util_test.c - the file and identity helpers of engine/util.c
 * (luaform/util.h): lf_write_atomic (content, mode whatever the umask or
 * the old file's mode, replacement by rename so the old inode is never
 * written, no temp file left, a stale temp file of our pid replaced,
 * failure naming the path and leaving the target alone), lf_read_file
 * (missing file is 1, empty, large, binary, a directory is -1 with the
 * path), lf_uuid (version 4, RFC 4122 variant, lower case, distinct),
 * lf_hex, lf_iso8601, lf_who and lf_fsync_dir.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"

#include "luaform/util.h"

/* A fresh temporary directory per test (state), removed with its files. */
static int make_dir(void **state) {
  char *dir = strdup("/tmp/luaform-util-test.XXXXXX");
  if (!dir || !mkdtemp(dir)) return -1;
  *state = dir;
  return 0;
}


static int remove_dir(void **state) {
  remove_tree(*state);
  free(*state);
  return 0;
}



static void assert_file_is(const char *path, const char *want, size_t len) {
  char *data = NULL, err[512];
  size_t got = 0;
  assert_int_equal(lf_read_file(path, &data, &got, err, sizeof err), 0);
  assert_int_equal(got, len);
  assert_memory_equal(data, want, len);
  free(data);
}

static void test_write_atomic_content_and_mode(void **state) {
  const char *dir = *state;
  char path[4096], err[512];
  snprintf(path, sizeof path, "%s/state.json", dir);
  mode_t old_umask = umask(0077);  /* the mode is set, not masked */
  assert_int_equal(lf_write_atomic(path, "{\"a\":1}\n", 8, 0644, err, sizeof err), 0);
  umask(old_umask);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0644);
  assert_file_is(path, "{\"a\":1}\n", 8);

  /* Replacing a 0644 file with mode 0600 leaves a 0600 file. */
  assert_int_equal(lf_write_atomic(path, "x", 1, 0600, err, sizeof err), 0);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0600);
  assert_file_is(path, "x", 1);

  /* Empty content is a valid (empty) file. */
  assert_int_equal(lf_write_atomic(path, "", 0, 0600, err, sizeof err), 0);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_size, 0);
  assert_int_equal(count_entries(dir), 1);  /* no PATH.tmp.<pid> left */
}

static void test_write_atomic_replaces_by_rename(void **state) {
  const char *dir = *state;
  char path[4096], link_path[4096], err[512];
  snprintf(path, sizeof path, "%s/state.json", dir);
  snprintf(link_path, sizeof link_path, "%s/old-inode", dir);
  write_plain(path, "old content\n", 0600);
  struct stat before, after;
  assert_int_equal(stat(path, &before), 0);
  /* A second name for the old inode: an in-place write (truncate + write)
   * would change what it shows; a rename of a new file does not. */
  assert_int_equal(link(path, link_path), 0);
  assert_int_equal(lf_write_atomic(path, "new content\n", 12, 0600, err, sizeof err), 0);
  assert_int_equal(stat(path, &after), 0);
  assert_true(after.st_ino != before.st_ino);
  assert_file_is(path, "new content\n", 12);
  assert_file_is(link_path, "old content\n", 12);
  assert_int_equal(count_entries(dir), 2);  /* state.json and old-inode only */
}

static void test_write_atomic_stale_temp(void **state) {
  /* A dead process with our pid left PATH.tmp.<pid>: it is replaced, not
   * a reason to fail, and is gone afterwards. */
  const char *dir = *state;
  char path[4096], tmp[4200], err[512];
  snprintf(path, sizeof path, "%s/state.json", dir);
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  write_plain(tmp, "half a state from a crash", 0644);
  assert_int_equal(lf_write_atomic(path, "whole", 5, 0600, err, sizeof err), 0);
  assert_file_is(path, "whole", 5);
  assert_int_equal(access(tmp, F_OK), -1);
  assert_int_equal(count_entries(dir), 1);
}

static void test_write_atomic_failure(void **state) {
  const char *dir = *state;
  char path[4096], err[512] = "";
  /* The directory does not exist: -1 with the temp path in the message. */
  snprintf(path, sizeof path, "%s/missing/state.json", dir);
  assert_int_equal(lf_write_atomic(path, "x", 1, 0600, err, sizeof err), -1);
  assert_non_null(strstr(err, path));
  assert_non_null(strstr(err, "No such file or directory"));

  /* The target is a directory: rename fails, the message names it, the
   * directory is untouched and no temp file is left. */
  snprintf(path, sizeof path, "%s/adir", dir);
  assert_int_equal(mkdir(path, 0700), 0);
  char inside[4200];
  snprintf(inside, sizeof inside, "%s/keep", path);
  write_plain(inside, "keep", 0600);
  err[0] = '\0';
  assert_int_equal(lf_write_atomic(path, "x", 1, 0600, err, sizeof err), -1);
  assert_non_null(strstr(err, path));
  assert_non_null(strstr(err, "rename"));
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  assert_file_is(inside, "keep", 4);
  assert_int_equal(count_entries(dir), 1);
}

static void test_read_file(void **state) {
  const char *dir = *state;
  char path[4096], err[512];
  char *data = (char *)"untouched";
  size_t len = 12345;

  snprintf(path, sizeof path, "%s/absent.json", dir);
  assert_int_equal(lf_read_file(path, &data, &len, err, sizeof err), 1);
  assert_string_equal(data, "untouched");  /* outputs left alone */
  assert_int_equal(len, 12345);

  /* Empty file: 0, a NUL-terminated empty buffer. */
  snprintf(path, sizeof path, "%s/empty", dir);
  write_plain(path, "", 0600);
  assert_int_equal(lf_read_file(path, &data, &len, err, sizeof err), 0);
  assert_int_equal(len, 0);
  assert_int_equal(data[0], '\0');
  free(data);

  /* Large binary content with NULs: read whole and terminated. */
  enum { BIG = 3 * 65536 + 17 };
  char *big = malloc(BIG);
  assert_non_null(big);
  for (size_t i = 0; i < BIG; i++) big[i] = (char)(i * 7 % 256);
  snprintf(path, sizeof path, "%s/big.bin", dir);
  assert_int_equal(lf_write_atomic(path, big, BIG, 0600, err, sizeof err), 0);
  assert_int_equal(lf_read_file(path, &data, &len, err, sizeof err), 0);
  assert_int_equal(len, BIG);
  assert_memory_equal(data, big, BIG);
  assert_int_equal(data[BIG], '\0');
  free(data);
  free(big);

  /* /proc files report size 0: the buffer grows past its 4096-byte first
   * guess until the end of the file. */
  assert_int_equal(lf_read_file("/proc/self/smaps", &data, &len, err, sizeof err), 0);
  assert_true(len > 4096);
  assert_int_equal(strlen(data), len);
  assert_int_equal(data[len - 1], '\n');
  free(data);

  /* A directory: -1 (not "missing"), the message names the path. */
  err[0] = '\0';
  assert_int_equal(lf_read_file(dir, &data, &len, err, sizeof err), -1);
  assert_non_null(strstr(err, dir));
}

static int is_hex_lower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

static void test_uuid_v4(void **state) {
  (void)state;
  char seen[64][37];
  for (int k = 0; k < 64; k++) {
    char *u = seen[k];
    memset(u, 'Z', 37);
    lf_uuid(u);
    assert_int_equal(strlen(u), 36);
    for (int i = 0; i < 36; i++) {
      if (i == 8 || i == 13 || i == 18 || i == 23) assert_int_equal(u[i], '-');
      else assert_true(is_hex_lower(u[i]));
    }
    assert_int_equal(u[14], '4');                    /* version 4 */
    assert_non_null(strchr("89ab", u[19]));          /* RFC 4122 variant */
    for (int j = 0; j < k; j++) assert_string_not_equal(seen[j], u);
  }
}

static void test_hex(void **state) {
  (void)state;
  char out[2 * 6 + 1];
  const unsigned char bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  lf_hex(bytes, sizeof bytes, out);
  assert_string_equal(out, "00017f80abff");
  memset(out, 'x', sizeof out);
  lf_hex(bytes, 0, out);
  assert_string_equal(out, "");
  lf_hex((const unsigned char *)"luaform", 3, out);
  assert_string_equal(out, "6c7561");
}

static void test_iso8601(void **state) {
  (void)state;
  char out[32];
  lf_iso8601(0, out);
  assert_string_equal(out, "1970-01-01T00:00:00Z");
  lf_iso8601(1764051204.0, out);
  assert_string_equal(out, "2025-11-25T06:13:24Z");
  lf_iso8601(1764051204.999, out);  /* fractions are dropped, not rounded */
  assert_string_equal(out, "2025-11-25T06:13:24Z");
  lf_iso8601(951782400.0, out);     /* leap day */
  assert_string_equal(out, "2000-02-29T00:00:00Z");
  lf_iso8601(4102444799.0, out);
  assert_string_equal(out, "2099-12-31T23:59:59Z");
}

static void test_who_and_fsync_dir(void **state) {
  const char *dir = *state;
  char who[400], err[512];
  lf_who(who, sizeof who);
  char *at = strchr(who, '@');
  assert_non_null(at);
  assert_true(at > who && at[1] != '\0');
  char host[256];
  assert_int_equal(gethostname(host, sizeof host), 0);
  assert_string_equal(at + 1, host);

  char path[4096];
  snprintf(path, sizeof path, "%s/anything", dir);
  assert_int_equal(lf_fsync_dir(path, err, sizeof err), 0);
  assert_int_equal(lf_fsync_dir("relative-name", err, sizeof err), 0);  /* "." */
  assert_int_equal(lf_fsync_dir("/at-root", err, sizeof err), 0);
  snprintf(path, sizeof path, "%s/no/such/dir/file", dir);
  err[0] = '\0';
  assert_int_equal(lf_fsync_dir(path, err, sizeof err), -1);
  assert_non_null(strstr(err, "/no/such/dir"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_write_atomic_content_and_mode, make_dir, remove_dir),
    cmocka_unit_test_setup_teardown(test_write_atomic_replaces_by_rename, make_dir, remove_dir),
    cmocka_unit_test_setup_teardown(test_write_atomic_stale_temp, make_dir, remove_dir),
    cmocka_unit_test_setup_teardown(test_write_atomic_failure, make_dir, remove_dir),
    cmocka_unit_test_setup_teardown(test_read_file, make_dir, remove_dir),
    cmocka_unit_test(test_uuid_v4),
    cmocka_unit_test(test_hex),
    cmocka_unit_test(test_iso8601),
    cmocka_unit_test_setup_teardown(test_who_and_fsync_dir, make_dir, remove_dir),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

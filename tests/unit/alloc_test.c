/*
 * alloc_test.c - the out-of-memory policy (luaform/alloc.h): an allocation
 * that cannot be satisfied ends the process with SIGABRT and
 * "luaform: out of memory" on stderr, never a NULL the caller writes
 * through. Each case runs in a child (this binary re-executed with
 * --oom-child CASE, so a sanitizer build is told to return NULL instead of
 * reporting the huge request itself) and the parent checks how it died.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../engine/aws/aws_int.h"
#include "luaform/alloc.h"

/* Far beyond any address space: malloc refuses it without trying. */
#define HUGE_SIZE ((size_t)PTRDIFF_MAX / 2)

static void oom_child(const char *which) {
  if (!strcmp(which, "buf")) {   /* the byte buffer every serializer grows */
    lf_buf b = {0};
    lf_buf_add(&b, "x", 1);
    b.n = HUGE_SIZE;   /* as if that much were in it: the next add must grow past it */
    lf_buf_add(&b, "y", 1);
  } else if (!strcmp(which, "xmalloc")) {
    char *p = lf_xmalloc(HUGE_SIZE);
    p[0] = 1;
  }
  exit(0);   /* not reached when the policy holds */
}

/* Runs this binary with --oom-child which; returns its stderr, status in *status. */
static char *run_child(const char *which, int *status) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    /* its warning about the huge request goes to the pipe, not to a report file
       (UBSAN_OPTIONS' log_path would win for the flags both runtimes share) */
    setenv("ASAN_OPTIONS", "allocator_may_return_null=1:detect_leaks=0:log_path=stderr", 1);
    setenv("UBSAN_OPTIONS", "log_path=stderr", 1);
    execl("/proc/self/exe", "alloc_test", "--oom-child", which, (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  static char out[4096];
  size_t n = 0;
  ssize_t r;
  while (n < sizeof out - 1 && (r = read(fds[0], out + n, sizeof out - 1 - n)) > 0) n += (size_t)r;
  out[n] = 0;
  close(fds[0]);
  assert_int_equal(waitpid(pid, status, 0), pid);
  return out;
}

static void expect_abort_with_message(const char *which) {
  int status;
  char *err = run_child(which, &status);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGABRT);
  assert_non_null(strstr(err, "luaform: out of memory\n"));
}

static void buf_add_aborts(void **state) {
  (void)state;
  expect_abort_with_message("buf");
}

static void xmalloc_aborts(void **state) {
  (void)state;
  expect_abort_with_message("xmalloc");
}

static void small_allocations_succeed(void **state) {
  (void)state;
  char *s = lf_xstrdup("abc");
  assert_string_equal(s, "abc");
  s = lf_xrealloc(s, 10);
  assert_string_equal(s, "abc");
  free(s);
  int *z = lf_xcalloc(4, sizeof *z);
  assert_int_equal(z[0] | z[1] | z[2] | z[3], 0);
  free(z);
  char *d = lf_xstrndup("abcdef", 2);
  assert_string_equal(d, "ab");
  free(d);
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "--oom-child")) oom_child(argv[2]);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(buf_add_aborts),
    cmocka_unit_test(xmalloc_aborts),
    cmocka_unit_test(small_allocations_succeed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

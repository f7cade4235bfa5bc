/*
 * state_test.c - the state store: the local backend (engine/state_local.c)
 * through its C vtable, and the checks of engine/state.c.
 *
 * - save replaces the file atomically (new inode, no temp file left),
 *   mode 0600 even over a 0644 file, and keeps the file as it was before
 *   the backend's first save in PATH.backup (once per backend, 0600);
 *   load returns the bytes, or 1 when there is no state yet.
 * - the lock is exclusive across processes: a holder in a fork()ed child
 *   makes lock() return 1 with a message naming the holder from its lock
 *   record; a timeout waits for the holder to let go; unlock, exit and
 *   SIGKILL of the holder release it; unlock clears the record, or
 *   removes the lock file when there is no state, and a waiter then
 *   locks the file at the path, not the removed one.
 * - through the Lua surface (core.state_backend, on a lua_State made by
 *   lf_runtime_new, the way the CLI makes it): a truncated or
 *   field-missing file is refused with "PATH:LINE:COL: state file is
 *   corrupted", is left untouched (bytes, inode, mtime, no backup) and is
 *   never saved over; a valid save is sorted, 2-space indented and 0600.
 * - lf_state_check (the serial/lineage/version/resources types; serial
 *   increments and lineage matching are the Lua side's, lua/luaform/state.lua)
 *   and lf_lock_describe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"
#include <lauxlib.h>

#include "luaform/loop.h"
#include "luaform/luaform.h"
#include "luaform/state.h"
#include "luaform/util.h"

typedef struct {
  char dir[64];
  char path[128], backup[160], lock[160];
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f) return -1;
  strcpy(f->dir, "/tmp/luaform-state-test.XXXXXX");
  if (!mkdtemp(f->dir)) return -1;
  snprintf(f->path, sizeof f->path, "%s/luaform.state.json", f->dir);
  snprintf(f->backup, sizeof f->backup, "%s.backup", f->path);
  snprintf(f->lock, sizeof f->lock, "%s.lock", f->path);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  remove_tree(f->dir);
  free(f);
  return 0;
}



/* The file's whole content, malloc'd (NULL if it does not exist). */
static char *slurp(const char *path) {
  char *data, err[300];
  size_t len;
  int rc = lf_read_file(path, &data, &len, err, sizeof err);
  assert_true(rc == 0 || rc == 1);
  return rc == 0 ? data : NULL;
}

static void assert_file_is(const char *path, const char *want) {
  char *got = slurp(path);
  assert_non_null(got);
  assert_string_equal(got, want);
  free(got);
}

static mode_t mode_of(const char *path) {
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  return st.st_mode & 07777;
}

static lf_backend *local(const char *path) {
  char err[300];
  lf_backend *b = lf_backend_local_new(path, err, sizeof err);
  assert_non_null(b);
  assert_string_equal(b->name, path);
  return b;
}

static int save(lf_backend *b, const char *text) {
  char err[300];
  return b->ops->save(b, text, strlen(text), err, sizeof err);
}

static const char V1[] = "{\"lineage\": \"L\", \"resources\": {}, \"serial\": 1, \"version\": 4}\n";
static const char V2[] = "{\"lineage\": \"L\", \"resources\": {}, \"serial\": 2, \"version\": 4}\n";
static const char V3[] = "{\"lineage\": \"L\", \"resources\": {}, \"serial\": 3, \"version\": 4}\n";
static const char V4[] = "{\"lineage\": \"L\", \"resources\": {}, \"serial\": 4, \"version\": 4}\n";

/* ---- save, load, backup ---- */

static void test_load_absent_then_save(void **state) {
  fixture *f = *state;
  lf_backend *b = local(f->path);
  char *data = NULL, err[300];
  size_t len = 0;
  assert_int_equal(b->ops->load(b, &data, &len, err, sizeof err), 1);
  assert_null(data);
  /* First save with no previous state: no backup to make. */
  assert_int_equal(save(b, V1), 0);
  assert_int_equal(access(f->backup, F_OK), -1);
  assert_int_equal(mode_of(f->path), 0600);
  assert_int_equal(b->ops->load(b, &data, &len, err, sizeof err), 0);
  assert_int_equal(len, strlen(V1));
  assert_string_equal(data, V1);
  free(data);
  assert_int_equal(count_entries(f->dir), 1);  /* no temp file, no lock file */
  b->ops->close(b);
}

static void test_save_atomic_0600_with_backup(void **state) {
  fixture *f = *state;
  write_plain(f->path, V1, 0644);  /* e.g. written by hand or by `state push` */
  struct stat before, after;
  assert_int_equal(stat(f->path, &before), 0);

  lf_backend *b = local(f->path);
  assert_int_equal(save(b, V2), 0);
  assert_int_equal(stat(f->path, &after), 0);
  assert_true(after.st_ino != before.st_ino);  /* replaced by rename */
  assert_int_equal(after.st_mode & 07777, 0600);
  assert_file_is(f->path, V2);
  assert_file_is(f->backup, V1);               /* the state before this run */
  assert_int_equal(mode_of(f->backup), 0600);

  /* Later saves of the same backend keep the pre-run backup. */
  assert_int_equal(save(b, V3), 0);
  assert_file_is(f->path, V3);
  assert_file_is(f->backup, V1);
  b->ops->close(b);

  /* The next run (a new backend) backs up what the last run left. */
  b = local(f->path);
  assert_int_equal(save(b, V4), 0);
  assert_file_is(f->path, V4);
  assert_file_is(f->backup, V3);
  b->ops->close(b);
  assert_int_equal(count_entries(f->dir), 2);  /* state and backup only */
}

static void test_save_failure_names_path(void **state) {
  fixture *f = *state;
  char path[200], err[300] = "";
  snprintf(path, sizeof path, "%s/no-such-dir/luaform.state.json", f->dir);
  lf_backend *b = local(path);
  assert_int_equal(b->ops->save(b, V1, strlen(V1), err, sizeof err), -1);
  assert_non_null(strstr(err, path));
  b->ops->close(b);
}

/* ---- the lock ---- */

static const char HOLDER[] =
    "{\"created\":\"2026-11-25T06:13:24Z\",\"id\":\"0b0e5c4e-9d0e-4c54-8f0b-7f3c2f1c9a11\","
    "\"operation\":\"apply\",\"pid\":1,\"who\":\"alice@build-7\"}";
static const char HOLDER_MSG[] =
    "state is locked by alice@build-7 (apply, pid 1, since 2026-11-25T06:13:24Z, "
    "ID 0b0e5c4e-9d0e-4c54-8f0b-7f3c2f1c9a11)";

enum release { RELEASE_UNLOCK, RELEASE_EXIT, RELEASE_NEVER, RELEASE_AFTER_200MS };

typedef struct {
  pid_t pid;
  int go;     /* write end: a byte (or closing it) tells the holder to release */
  int ready;  /* read end: 'U' once the holder unlocked (RELEASE_UNLOCK) */
} holder;

static void release_holder(holder *h) {
  close(h->go);
  close(h->ready);
}

/* Forks a process that takes the lock of path with HOLDER's record and
 * holds it until told (or 200 ms), then releases it as `how` says.
 * Returns once the child holds the lock. */
static holder spawn_holder(const char *path, enum release how) {
  int ready[2], go[2];
  assert_int_equal(pipe(ready), 0);
  assert_int_equal(pipe(go), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(ready[0]);
    close(go[1]);
    char err[300], c = 'x';
    lf_backend *b = lf_backend_local_new(path, err, sizeof err);
    int rc = b ? b->ops->lock(b, HOLDER, 0, err, sizeof err) : -1;
    c = rc == 0 ? 'L' : 'E';
    if (write(ready[1], &c, 1) != 1 || rc != 0) _exit(3);
    if (how == RELEASE_AFTER_200MS) {
      struct timespec ts = {0, 200 * 1000 * 1000};
      nanosleep(&ts, NULL);
    } else if (read(go[0], &c, 1) < 0) {
      _exit(4);
    }
    if (how == RELEASE_NEVER) pause();  /* until SIGKILL */
    if (how == RELEASE_EXIT) _exit(0);  /* no unlock, no close: the kernel's job */
    if (b->ops->unlock(b, err, sizeof err) != 0) _exit(5);
    if (how == RELEASE_UNLOCK) {
      c = 'U';
      if (write(ready[1], &c, 1) != 1) _exit(6);
      if (read(go[0], &c, 1) < 0) _exit(7);  /* stay alive until told */
    }
    b->ops->close(b);
    _exit(0);
  }
  close(ready[1]);
  close(go[0]);
  char c = 0;
  assert_int_equal(read(ready[0], &c, 1), 1);
  assert_int_equal(c, 'L');
  holder h = {pid, go[1], ready[0]};
  return h;
}

static int wait_child(pid_t pid) {
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  return status;
}

static int try_lock(lf_backend *b, double timeout, char *err, size_t n) {
  err[0] = '\0';
  return b->ops->lock(b, "{\"who\":\"me@here\"}", timeout, err, n);
}

static void test_lock_refused_names_holder_until_unlock(void **state) {
  fixture *f = *state;
  write_plain(f->path, V1, 0600);  /* a state: unlock keeps the (emptied) lock file */
  holder h = spawn_holder(f->path, RELEASE_UNLOCK);
  assert_file_is(f->lock, HOLDER);  /* the record is in the lock file */

  lf_backend *b = local(f->path);
  char err[400];
  assert_int_equal(try_lock(b, 0, err, sizeof err), 1);
  assert_string_equal(err, HOLDER_MSG);
  /* Refused: our record did not replace the holder's. */
  assert_file_is(f->lock, HOLDER);

  /* The holder unlocks (and stays alive): the lock is free and its record
   * gone. */
  char c = 'u';
  assert_int_equal(write(h.go, &c, 1), 1);
  assert_int_equal(read(h.ready, &c, 1), 1);
  assert_int_equal(c, 'U');
  assert_file_is(f->lock, "");
  assert_int_equal(try_lock(b, 0, err, sizeof err), 0);
  assert_file_is(f->lock, "{\"who\":\"me@here\"}");
  assert_int_equal(try_lock(b, 0, err, sizeof err), 0);  /* ours already: ok */

  release_holder(&h);
  int status = wait_child(h.pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);

  assert_int_equal(b->ops->unlock(b, err, sizeof err), 0);
  assert_file_is(f->lock, "");
  assert_int_equal(b->ops->unlock(b, err, sizeof err), 0);  /* not held: no-op */
  b->ops->close(b);
}

static void test_lock_released_on_exit_and_kill(void **state) {
  fixture *f = *state;
  char err[400];
  lf_backend *b = local(f->path);

  /* The holder exits without unlocking: the kernel drops its flock; the
   * record it left in the lock file does not keep anyone out. */
  holder h = spawn_holder(f->path, RELEASE_EXIT);
  assert_int_equal(try_lock(b, 0, err, sizeof err), 1);
  assert_string_equal(err, HOLDER_MSG);
  release_holder(&h);
  int status = wait_child(h.pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  assert_file_is(f->lock, HOLDER);
  assert_int_equal(try_lock(b, 0, err, sizeof err), 0);
  assert_file_is(f->lock, "{\"who\":\"me@here\"}");
  assert_int_equal(b->ops->unlock(b, err, sizeof err), 0);

  /* kill -9 of the holder: the same. */
  h = spawn_holder(f->path, RELEASE_NEVER);
  assert_int_equal(try_lock(b, 0, err, sizeof err), 1);
  assert_string_equal(err, HOLDER_MSG);
  assert_int_equal(kill(h.pid, SIGKILL), 0);
  status = wait_child(h.pid);
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  release_holder(&h);
  assert_file_is(f->lock, HOLDER);
  assert_int_equal(try_lock(b, 0, err, sizeof err), 0);
  assert_file_is(f->lock, "{\"who\":\"me@here\"}");
  b->ops->close(b);  /* close releases too */

  /* ... so another process can take it right away. */
  h = spawn_holder(f->path, RELEASE_UNLOCK);
  char c = 'u';
  assert_int_equal(write(h.go, &c, 1), 1);
  assert_int_equal(read(h.ready, &c, 1), 1);
  assert_int_equal(c, 'U');
  release_holder(&h);
  status = wait_child(h.pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_lock_file_removed_without_state(void **state) {
  fixture *f = *state;
  char err[400];
  struct stat st;
  lf_backend *b = local(f->path);

  /* A run that saved nothing leaves no lock file. */
  assert_int_equal(try_lock(b, 0, err, sizeof err), 0);
  assert_file_is(f->lock, "{\"who\":\"me@here\"}");
  assert_int_equal(b->ops->unlock(b, err, sizeof err), 0);
  assert_int_equal(stat(f->lock, &st), -1);
  assert_int_equal(count_entries(f->dir), 0);

  /* We wait on the lock file of a holder that then removes it: the lock
   * we get is on the file at the path, so a third party is refused. */
  holder h = spawn_holder(f->path, RELEASE_AFTER_200MS);
  assert_int_equal(try_lock(b, 3.0, err, sizeof err), 0);
  assert_file_is(f->lock, "{\"who\":\"me@here\"}");
  lf_backend *third = local(f->path);
  assert_int_equal(try_lock(third, 0, err, sizeof err), 1);
  third->ops->close(third);
  release_holder(&h);
  int status = wait_child(h.pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  /* Once a state is saved, unlock keeps the file and clears the record. */
  assert_int_equal(save(b, V1), 0);
  assert_int_equal(b->ops->unlock(b, err, sizeof err), 0);
  assert_file_is(f->lock, "");
  b->ops->close(b);
}

static void test_lock_timeout(void **state) {
  fixture *f = *state;
  char err[400];
  lf_backend *b = local(f->path);

  /* Held for good: a 0.2 s timeout waits that long, then names the holder. */
  holder h = spawn_holder(f->path, RELEASE_NEVER);
  double t0 = lf_now();
  assert_int_equal(try_lock(b, 0.2, err, sizeof err), 1);
  double waited = lf_now() - t0;
  assert_true(waited >= 0.19);
  assert_string_equal(err, HOLDER_MSG);
  kill(h.pid, SIGKILL);
  wait_child(h.pid);
  release_holder(&h);

  /* Held for 0.2 s: a 3 s timeout gets the lock when the holder lets go
     (success, not the timeout's failure, shows it did not wait 3 s). */
  h = spawn_holder(f->path, RELEASE_AFTER_200MS);
  t0 = lf_now();
  assert_int_equal(try_lock(b, 3.0, err, sizeof err), 0);
  waited = lf_now() - t0;
  assert_true(waited > 0.05);
  release_holder(&h);
  int status = wait_child(h.pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  b->ops->close(b);
}

static void test_lock_same_process_other_backend(void **state) {
  /* flock belongs to the open file, not the process: a second backend on
   * the same path in this process is refused too. */
  fixture *f = *state;
  char err[400];
  lf_backend *a = local(f->path), *b = local(f->path);
  assert_int_equal(a->ops->lock(a, HOLDER, 0, err, sizeof err), 0);
  assert_int_equal(try_lock(b, 0, err, sizeof err), 1);
  assert_string_equal(err, HOLDER_MSG);
  a->ops->close(a);
  assert_int_equal(try_lock(b, 0, err, sizeof err), 0);
  b->ops->close(b);
}

/* ---- the Lua surface: corrupted files ---- */

/* Runs chunk with (path) as its argument on a fresh runtime and returns
 * its one result, a string, malloc'd. */
static char *run_lua(const char *chunk, const char *path) {
  lua_State *L = lf_runtime_new();
  assert_non_null(L);
  if (luaL_loadstring(L, chunk) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  lua_pushstring(L, path);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  assert_true(lua_isstring(L, -1));
  char *out = strdup(lua_tostring(L, -1));
  lf_runtime_close(L);
  return out;
}

/* load, then save: both must fail; returns "load error\nsave error". */
static const char LOAD_THEN_SAVE[] =
    "local core, path = require('luaform.core'), ...\n"
    "local b = core.state_backend('local', {path = path})\n"
    "local ok, lerr = pcall(b.load, b)\n"
    "assert(not ok, 'load accepted a corrupted state')\n"
    "local saved, serr = b:save({version = 4, lineage = 'L', serial = 9, resources = {}})\n"
    "assert(not saved, 'save overwrote a corrupted state')\n"
    "b:close()\n"
    "return lerr .. '\\n' .. serr\n";

/* save without a load first: must fail too. */
static const char SAVE_ONLY[] =
    "local core, path = require('luaform.core'), ...\n"
    "local b = core.state_backend('local', {path = path})\n"
    "local saved, serr = b:save({version = 4, lineage = 'L', serial = 9, resources = {}})\n"
    "assert(not saved, 'save overwrote a corrupted state')\n"
    "b:close()\n"
    "return serr\n";

typedef struct { struct stat st; char *bytes; } snapshot;

static snapshot take(const char *path) {
  snapshot s;
  assert_int_equal(stat(path, &s.st), 0);
  s.bytes = slurp(path);
  return s;
}

static void assert_untouched(const char *path, snapshot *s) {
  struct stat now;
  assert_int_equal(stat(path, &now), 0);
  assert_int_equal(now.st_ino, s->st.st_ino);
  assert_int_equal(now.st_size, s->st.st_size);
  assert_int_equal(now.st_mode, s->st.st_mode);
  assert_true(now.st_mtim.tv_sec == s->st.st_mtim.tv_sec &&
              now.st_mtim.tv_nsec == s->st.st_mtim.tv_nsec);
  char *bytes = slurp(path);
  assert_string_equal(bytes, s->bytes);
  free(bytes);
  free(s->bytes);
}

static void test_truncated_state_refused(void **state) {
  fixture *f = *state;
  /* A state cut off mid-write by something other than luaform (a full
   * disk under `cp`, an editor): the parse fails on line 6. */
  write_plain(f->path,
              "{\n"
              "  \"lineage\": \"3f1c\",\n"
              "  \"resources\": {\n"
              "    \"aws_vpc.main\": {\n"
              "      \"type\": \"aws_vpc\",\n"
              "      \"attributes\": {\"id\": \"vpc-0a",
              0600);
  snapshot s = take(f->path);
  char *msgs = run_lua(LOAD_THEN_SAVE, f->path);
  char want[300];
  snprintf(want, sizeof want, "%s:6:", f->path);
  assert_ptr_equal(strstr(msgs, want), msgs);  /* starts with PATH:6: */
  assert_non_null(strstr(msgs, "state file is corrupted"));
  assert_non_null(strstr(msgs, "The file was left untouched."));
  char *save_msg = strchr(msgs, '\n');
  assert_non_null(save_msg);
  snprintf(want, sizeof want, "\nrefusing to save over %s: %s:6:", f->path, f->path);
  assert_ptr_equal(strstr(msgs, want), save_msg);
  free(msgs);
  assert_untouched(f->path, &s);
  assert_int_equal(access(f->backup, F_OK), -1);
  assert_int_equal(count_entries(f->dir), 1);
}

static void test_bad_json_line_and_save_first(void **state) {
  fixture *f = *state;
  /* A stray comma on line 3; refused by a save that comes before any
   * load (never replace a file not seen valid). */
  write_plain(f->path, "{\n  \"serial\": 3,\n  \"lineage\": \"L\",,\n}\n", 0644);
  snapshot s = take(f->path);
  char *msg = run_lua(SAVE_ONLY, f->path);
  char want[300];
  snprintf(want, sizeof want, "refusing to save over %s: %s:3:", f->path, f->path);
  assert_ptr_equal(strstr(msg, want), msg);
  assert_non_null(strstr(msg, "state file is corrupted"));
  free(msg);
  assert_untouched(f->path, &s);
  assert_int_equal(access(f->backup, F_OK), -1);
}

static void test_missing_field_refused(void **state) {
  fixture *f = *state;
  /* Valid JSON without "serial": refused at 1:1 with the field named. */
  write_plain(f->path, "{\"version\": 4, \"lineage\": \"L\", \"resources\": {}}\n", 0600);
  snapshot s = take(f->path);
  char *msgs = run_lua(LOAD_THEN_SAVE, f->path);
  char want[300];
  snprintf(want, sizeof want, "%s:1:1: state file is corrupted (missing field \"serial\")",
           f->path);
  assert_ptr_equal(strstr(msgs, want), msgs);
  free(msgs);
  assert_untouched(f->path, &s);
}

static void test_valid_save_through_lua(void **state) {
  fixture *f = *state;
  write_plain(f->path, V1, 0644);
  char *out = run_lua(
      "local core, path = require('luaform.core'), ...\n"
      "local b = core.state_backend('local', {path = path})\n"
      "local st = b:load()\n"
      "assert(st.serial == 1 and st.lineage == 'L', 'loaded the wrong state')\n"
      "local bad, why = b:save({version = 4, lineage = 'L', serial = 1.5, resources = {}})\n"
      "assert(not bad)\n"
      "st.serial = st.serial + 1\n"
      "assert(b:save(st))\n"
      "b:close()\n"
      "return why\n",
      f->path);
  char want[300];
  snprintf(want, sizeof want,
           "refusing to save an invalid state to %s: field \"serial\" is not an integer", f->path);
  assert_string_equal(out, want);
  free(out);
  assert_file_is(f->path,
                 "{\n"
                 "  \"lineage\": \"L\",\n"
                 "  \"resources\": {},\n"
                 "  \"serial\": 2,\n"
                 "  \"version\": 4\n"
                 "}\n");
  assert_int_equal(mode_of(f->path), 0600);
  assert_file_is(f->backup, V1);
}

/* ---- document checks and lock messages ---- */

static int check(const char *text, char *err, size_t n) {
  json_error_t je;
  json_t *doc = json_loads(text, 0, &je);
  assert_non_null(doc);
  err[0] = '\0';
  int rc = lf_state_check(doc, err, n);
  json_decref(doc);
  return rc;
}

static void test_state_check(void **state) {
  (void)state;
  char err[200];
  assert_int_equal(check(V1, err, sizeof err), 0);
  assert_int_equal(check("{\"version\":4,\"lineage\":\"L\",\"serial\":0,\"resources\":{},"
                         "\"outputs\":{},\"extra\":[1]}", err, sizeof err), 0);
  assert_int_equal(check("[]", err, sizeof err), -1);
  assert_string_equal(err, "the document is not a JSON object");
  assert_int_equal(check("{\"lineage\":\"L\",\"serial\":1,\"resources\":{}}", err, sizeof err), -1);
  assert_string_equal(err, "missing field \"version\"");
  assert_int_equal(check("{\"version\":4,\"lineage\":7,\"serial\":1,\"resources\":{}}", err, sizeof err), -1);
  assert_string_equal(err, "field \"lineage\" is not a string");
  assert_int_equal(check("{\"version\":4,\"lineage\":\"L\",\"serial\":1.0,\"resources\":{}}", err, sizeof err), -1);
  assert_string_equal(err, "field \"serial\" is not an integer");
  assert_int_equal(check("{\"version\":4,\"lineage\":\"L\",\"serial\":\"1\",\"resources\":{}}", err, sizeof err), -1);
  assert_string_equal(err, "field \"serial\" is not an integer");
  assert_int_equal(check("{\"version\":4,\"lineage\":\"L\",\"serial\":1,\"resources\":[]}", err, sizeof err), -1);
  assert_string_equal(err, "field \"resources\" is not an object");
}

static void test_lock_describe(void **state) {
  (void)state;
  char out[300];
  lf_lock_describe(HOLDER, strlen(HOLDER), out, sizeof out);
  assert_string_equal(out, HOLDER_MSG);
  const char partial[] = "{\"who\":\"bob@ci\"}";
  lf_lock_describe(partial, strlen(partial), out, sizeof out);
  assert_string_equal(out, "state is locked by bob@ci (unknown operation, pid unknown, since unknown time, ID unknown)");
  /* The holder took the flock but has not written its record yet, or the
   * record is garbage. */
  lf_lock_describe("", 0, out, sizeof out);
  assert_string_equal(out, "state is locked by another process (no lock record yet)");
  lf_lock_describe("{\"who\":", 7, out, sizeof out);
  assert_string_equal(out, "state is locked by another process (no lock record yet)");
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_load_absent_then_save),
    T(test_save_atomic_0600_with_backup),
    T(test_save_failure_names_path),
    T(test_lock_refused_names_holder_until_unlock),
    T(test_lock_released_on_exit_and_kill),
    T(test_lock_file_removed_without_state),
    T(test_lock_timeout),
    T(test_lock_same_process_other_backend),
    T(test_truncated_state_refused),
    T(test_bad_json_line_and_save_first),
    T(test_missing_field_refused),
    T(test_valid_save_through_lua),
    cmocka_unit_test(test_state_check),
    cmocka_unit_test(test_lock_describe),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

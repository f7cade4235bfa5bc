/*
 * state_local.c - the local-file state backend (see luaform/state.h).
 *
 * Saves replace the file atomically (temp + fsync + rename + fsync of the
 * directory, mode 0600). The first save of a backend copies the file as it
 * was before this run to PATH.backup. The lock is flock(2) on PATH.lock, a
 * separate file, so replacing the state by rename never drops the lock;
 * the kernel releases it when the process dies, so no crash leaves a stale
 * lock. The lock file holds the holder's record for the refusal message;
 * unlock empties it, or removes it when there is no state (a run that
 * saved nothing leaves no file), so lock checks that the file it locked
 * is still the one at PATH.lock.
 */
#include "luaform/alloc.h"
#include "luaform/loop.h"
#include "luaform/luaform.h"
#include "luaform/state.h"
#include "luaform/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOCK_POLL_S 0.1

typedef struct {
  lf_backend base;
  char path[PATH_MAX], backup[PATH_MAX], lock[PATH_MAX];
  int lock_fd;     /* >= 0 while we hold the lock */
  int backed_up;   /* the pre-run copy is made */
} local_backend;

static int local_load(lf_backend *b, char **data, size_t *len, char *err, size_t n) {
  local_backend *lb = (local_backend *)b;
  return lf_read_file(lb->path, data, len, err, n);
}

/* Copies the state as it is before this process's first save. */
static int make_backup(local_backend *lb, char *err, size_t n) {
  char *old;
  size_t len;
  int rc = lf_read_file(lb->path, &old, &len, err, n);
  if (rc == 1) return 0;
  if (rc < 0) return -1;
  rc = lf_write_atomic(lb->backup, old, len, 0600, err, n);
  free(old);
  return rc;
}

static int local_save(lf_backend *b, const char *data, size_t len, char *err, size_t n) {
  local_backend *lb = (local_backend *)b;
  if (!lb->backed_up) {
    if (make_backup(lb, err, n) != 0) return -1;
    lb->backed_up = 1;
  }
  return lf_write_atomic(lb->path, data, len, 0600, err, n);
}

static void describe_holder(int fd, char *out, size_t n) {
  char rec[4096];
  ssize_t got = pread(fd, rec, sizeof rec - 1, 0);
  lf_lock_describe(rec, got > 0 ? (size_t)got : 0, out, n);
}

/* Waits until fd's flock is ours (0) or the deadline passes or Ctrl-C
 * comes (1: err names the holder); -1 on an error. */
static int wait_for_flock(local_backend *lb, int fd, double deadline, char *err, size_t n) {
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      snprintf(err, n, "lock %s: %s", lb->lock, strerror(errno));
      return -1;
    }
    double left = deadline - lf_now();
    if (left <= 0 || lf_interrupts() > 0) {
      describe_holder(fd, err, n);
      return 1;
    }
    double nap = left < LOCK_POLL_S ? left : LOCK_POLL_S;
    struct timespec ts = {(time_t)nap, (long)((nap - (time_t)nap) * 1e9)};
    nanosleep(&ts, NULL);
  }
  return 0;
}

/* Is fd the file now at path? A holder that leaves no state removes the
 * lock file before it lets go, so a flock on the file it removed guards
 * nothing. */
static int is_file_at(int fd, const char *path) {
  struct stat opened, named;
  return fstat(fd, &opened) == 0 && stat(path, &named) == 0 && opened.st_dev == named.st_dev &&
         opened.st_ino == named.st_ino;
}

static int local_lock(lf_backend *b, const char *info, double timeout_s, char *err, size_t n) {
  local_backend *lb = (local_backend *)b;
  if (lb->lock_fd >= 0) return 0;
  double deadline = lf_now() + (timeout_s > 0 ? timeout_s : 0);
  int fd;
  for (;;) {
    fd = open(lb->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      snprintf(err, n, "open %s: %s", lb->lock, strerror(errno));
      return -1;
    }
    int rc = wait_for_flock(lb, fd, deadline, err, n);
    if (rc != 0) {
      close(fd);
      return rc;
    }
    if (is_file_at(fd, lb->lock)) break;
    close(fd);  /* locked a removed lock file: lock the one at the path now */
  }
  size_t len = strlen(info);
  if (ftruncate(fd, 0) != 0 || pwrite(fd, info, len, 0) != (ssize_t)len) {
    snprintf(err, n, "write %s: %s", lb->lock, strerror(errno));
    close(fd);  /* releases the lock */
    return -1;
  }
  lb->lock_fd = fd;
  return 0;
}

/* Clears the lock record; when there is no state beside it (a run that
 * saved nothing), removes the lock file instead, so such a run leaves no
 * file behind. Either happens before the flock is let go. */
static const char *release_lock(local_backend *lb) {   /* NULL, or what failed (errno) */
  const char *failed = NULL;
  struct stat st;
  if (stat(lb->path, &st) != 0 && errno == ENOENT) {
    if (unlink(lb->lock) != 0 && errno != ENOENT) failed = "remove";
  } else if (ftruncate(lb->lock_fd, 0) != 0) {
    failed = "truncate";
  }
  int saved = errno;
  flock(lb->lock_fd, LOCK_UN);
  close(lb->lock_fd);
  lb->lock_fd = -1;
  errno = saved;
  return failed;
}

static int local_unlock(lf_backend *b, char *err, size_t n) {
  local_backend *lb = (local_backend *)b;
  if (lb->lock_fd < 0) return 0;
  const char *failed = release_lock(lb);
  if (!failed) return 0;
  snprintf(err, n, "%s %s: %s", failed, lb->lock, strerror(errno));
  return -1;
}

static void local_close(lf_backend *b) {
  local_backend *lb = (local_backend *)b;
  if (lb->lock_fd >= 0) release_lock(lb);   /* at exit: nothing to report to */
  free(b);
}

static const struct lf_backend_ops local_ops = {
  local_load, local_save, local_lock, local_unlock, local_close,
};

lf_backend *lf_backend_local_new(const char *path, char *err, size_t n) {
  local_backend *lb = lf_xcalloc(1, sizeof *lb);
  if (snprintf(lb->path, sizeof lb->path, "%s", path) >= (int)sizeof lb->path - 16) {
    snprintf(err, n, "state path too long");
    free(lb);
    return NULL;
  }
  snprintf(lb->backup, sizeof lb->backup, "%s.backup", path);
  snprintf(lb->lock, sizeof lb->lock, "%s.lock", path);
  snprintf(lb->base.name, sizeof lb->base.name, "%s", path);
  lb->base.ops = &local_ops;
  lb->lock_fd = -1;
  return &lb->base;
}

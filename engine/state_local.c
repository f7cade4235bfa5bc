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
 *
 * The journal is PATH.journal: records appended with O_APPEND and
 * fdatasync'ed before the append returns (the file's creation is made
 * durable by an fsync of the directory); a save renames the new snapshot
 * into place first and removes the journal after, so a crash between the
 * two leaves records the snapshot already holds (replay skips them). The
 * backup is the state as loaded: the snapshot, plus the journal replayed
 * when a killed run left one (sealed with the backend's keyring, as the
 * snapshot is, when the state is encrypted). A reader without the lock may race a
 * compaction: journal_read says so when the snapshot's inode changed
 * since load, and the store reads both again.
 */
#include "luaform/alloc.h"
#include "luaform/loop.h"
#include "luaform/json.h"
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
  char path[PATH_MAX], backup[PATH_MAX], lock[PATH_MAX], journal[PATH_MAX];
  int lock_fd;     /* >= 0 while we hold the lock */
  int journal_fd;  /* >= 0 once this process appended since the snapshot */
  struct stat loaded;  /* the snapshot file load read (st_ino 0: none) */
  int backed_up;   /* the pre-run copy is made */
} local_backend;

static int local_load(lf_backend *b, char **data, size_t *len, char *err, size_t n) {
  local_backend *lb = (local_backend *)b;
  if (stat(lb->path, &lb->loaded) != 0) lb->loaded.st_ino = 0;
  return lf_read_file(lb->path, data, len, err, n);
}

static int local_journal_read(lf_backend *b, char **data, size_t *len, char *err, size_t n) {
  local_backend *lb = (local_backend *)b;
  int rc = lf_read_file(lb->journal, data, len, err, n);
  struct stat now;
  if (rc >= 0 && (stat(lb->path, &now) != 0 || now.st_ino != lb->loaded.st_ino ||
                  now.st_dev != lb->loaded.st_dev)) {
    if (rc == 0) free(*data);
    return 2;  /* compacted meanwhile: this journal may not follow what load read */
  }
  return rc;
}

/* The snapshot text with the journal at PATH.journal replayed into it
 * (old is replaced; unchanged when there is no journal). */
static int with_journal(local_backend *lb, char **old, size_t *len, char *err, size_t n) {
  char *j;
  size_t jlen;
  int rc = lf_read_file(lb->journal, &j, &jlen, err, n);
  if (rc == 1 || (rc == 0 && jlen == 0)) {
    if (rc == 0) free(j);
    return 0;
  }
  if (rc < 0) return -1;
  char *plain, warn[300];
  size_t plain_len;
  int sealed = lf_unseal(lb->base.keyring, lb->path, *old, *len, &plain, &plain_len, NULL, err, n);
  if (sealed < 0) {
    free(j);
    return -1;
  }
  json_error_t je;
  json_t *doc = sealed == 0 ? json_loadb(plain, plain_len, 0, &je) : json_loadb(*old, *len, 0, &je);
  if (sealed == 0) free(plain);
  rc = -1;
  if (!doc) {
    snprintf(err, n, "%s: %s", lb->path, je.text);
  } else if (lf_journal_replay(doc, j, jlen, lb->base.keyring, "a journal record", warn, sizeof warn,
                               err, n) == 0) {
    size_t text_len;
    char *text = lf_json_dump(doc, JSON_INDENT(2) | JSON_SORT_KEYS, &text_len);
    char *out;
    size_t out_len;
    int rs = text ? lf_seal(lb->base.keyring, text, text_len, &out, &out_len, err, n) : -1;
    if (!text) snprintf(err, n, "out of memory");
    if (rs == 0) free(text), text = out, text_len = out_len;
    if (rs >= 0) {
      free(*old);
      *old = text, *len = text_len;
      rc = 0;
    } else {
      free(text);
    }
  }
  json_decref(doc);
  free(j);
  return rc;
}

/* Copies the state as it is before this process's first save. */
static int make_backup(local_backend *lb, char *err, size_t n) {
  char *old;
  size_t len;
  int rc = lf_read_file(lb->path, &old, &len, err, n);
  if (rc == 1) return 0;
  if (rc < 0) return -1;
  rc = with_journal(lb, &old, &len, err, n);
  if (rc == 0) rc = lf_write_atomic(lb->backup, old, len, 0600, err, n);
  free(old);
  return rc;
}

static int local_journal_append(lf_backend *b, const char *rec, size_t len, json_int_t serial,
                                char *err, size_t n) {
  local_backend *lb = (local_backend *)b;
  (void)serial;
  if (lb->journal_fd < 0) {
    lb->journal_fd = open(lb->journal, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (lb->journal_fd < 0) {
      snprintf(err, n, "open %s: %s", lb->journal, strerror(errno));
      return -1;
    }
    if (lf_fsync_dir(lb->journal, err, n) != 0) return -1;
  }
  for (size_t off = 0; off < len;) {
    ssize_t w = write(lb->journal_fd, rec + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      snprintf(err, n, "write %s: %s", lb->journal, strerror(errno));
      return -1;
    }
    off += (size_t)w;
  }
  if (fdatasync(lb->journal_fd) != 0) {
    snprintf(err, n, "fsync %s: %s", lb->journal, strerror(errno));
    return -1;
  }
  return 0;
}

/* After a snapshot: the journal's records are in it. */
static int drop_journal(local_backend *lb, char *err, size_t n) {
  if (lb->journal_fd >= 0) {
    close(lb->journal_fd);
    lb->journal_fd = -1;
  }
  if (unlink(lb->journal) != 0) {
    if (errno == ENOENT) return 0;
    snprintf(err, n, "remove %s: %s", lb->journal, strerror(errno));
    return -1;
  }
  return lf_fsync_dir(lb->journal, err, n);
}

static int local_save(lf_backend *b, const char *data, size_t len, char *err, size_t n) {
  local_backend *lb = (local_backend *)b;
  if (!lb->backed_up) {
    if (make_backup(lb, err, n) != 0) return -1;
    lb->backed_up = 1;
  }
  if (lf_write_atomic(lb->path, data, len, 0600, err, n) != 0) return -1;
  return drop_journal(lb, err, n);
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
  if (lb->journal_fd >= 0) close(lb->journal_fd);
  free(b);
}

static const struct lf_backend_ops local_ops = {
  local_load, local_save, local_lock, local_unlock, local_close,
  local_journal_read, local_journal_append,
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
  snprintf(lb->journal, sizeof lb->journal, "%s.journal", path);
  snprintf(lb->base.name, sizeof lb->base.name, "%s", path);
  lb->base.ops = &local_ops;
  lb->lock_fd = -1;
  lb->journal_fd = -1;
  return &lb->base;
}

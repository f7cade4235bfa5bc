/*
 * The state store (engine/state.c, engine/state_local.c).
 *
 * A backend moves the state document (JSON text) and guards it with a
 * lock; it knows nothing of the document's schema. The Lua surface
 * (core.state_backend) parses and checks the document, remembers a refused
 * (corrupted) one so it is never overwritten, and serializes saves with
 * sorted keys and 2-space indent.
 *
 * Between two snapshots a save may append a record to the state's
 * journal instead (engine/state_journal.c): journal_append stores one
 * framed record durably before it returns; journal_read returns the
 * records stored since the snapshot, concatenated; save replaces the
 * snapshot, then discards the journal. A backend without a journal has
 * NULL for both.
 *
 * Return codes: load and journal_read 0 ok (*data malloc'd, caller
 * frees), 1 none yet, -1 error, and journal_read 2 when the snapshot was
 * replaced since load (a writer compacted meanwhile: load again); lock 0 acquired, 1 held by someone else
 * (err names the holder), -1 error; save/unlock/journal_append 0 ok, -1
 * error. err always gets a message on failure.
 */
#ifndef LUAFORM_STATE_H
#define LUAFORM_STATE_H

#include "luaform/crypt.h"

#include <jansson.h>
#include <stddef.h>

typedef struct lf_backend lf_backend;

struct lf_backend_ops {
  int (*load)(lf_backend *, char **data, size_t *len, char *err, size_t n);
  int (*save)(lf_backend *, const char *data, size_t len, char *err, size_t n);
  int (*lock)(lf_backend *, const char *info_json, double timeout_s, char *err, size_t n);
  int (*unlock)(lf_backend *, char *err, size_t n);
  void (*close)(lf_backend *);
  int (*journal_read)(lf_backend *, char **data, size_t *len, char *err, size_t n);
  int (*journal_append)(lf_backend *, const char *rec, size_t len, json_int_t serial,
                        char *err, size_t n);
};

/* Every backend starts with this. */
struct lf_backend {
  const struct lf_backend_ops *ops;
  char name[512];  /* how messages name the state, e.g. its path */
  lf_keyring *keyring;  /* seals what is stored (NULL: plaintext); set by b:encrypt */
};

/* Local file: path (the state), path.backup (the state before this
 * process's first save), path.lock (flock; holds the lock record; unlock
 * empties it, or removes it when there is no state at path). */
lf_backend *lf_backend_local_new(const char *path, char *err, size_t n);

/* Checks the required top-level fields of a decoded state document:
 * version (integer), lineage (string), serial (integer), resources
 * (object). 0 ok, -1 with the problem in err. */
int lf_state_check(const json_t *state, char *err, size_t n);

/* "state is locked by root@host (apply, pid 4242, since 2026-11-25T06:13:24Z, ID ...)"
 * from a lock record (JSON: who, operation, pid, created, id). */
void lf_lock_describe(const char *info_json, size_t len, char *out, size_t n);

/* A journal record: payload framed with its length and crc32 (*out_len
 * bytes, lf_xmalloc'd), NULL when the payload is over 4 GiB. */
char *lf_journal_frame(const char *payload, size_t len, size_t *out_len);

/* Applies a journal (framed records, in order) to state, a decoded
 * snapshot; each record's payload is unsealed with kr first (what names
 * the journal in messages). 0 ok, warn "" or why a torn or corrupt last record was
 * ignored; -1 a record before the last is corrupt (err says which). */
int lf_journal_replay(json_t *state, const char *journal, size_t len, lf_keyring *kr,
                      const char *what, char *warn, size_t wn, char *err, size_t n);

#endif

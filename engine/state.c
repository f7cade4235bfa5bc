/*
 * state.c - the state store's Lua surface (see luaform/state.h).
 *
 * core.state_backend(kind, config) wraps an lf_backend in a userdata with
 * lock/load/save/unlock/close/path. The wrapper owns what is the same for
 * every backend: the lock record, parsing and checking the document on
 * load, and the rule that a state refused as corrupted is never
 * overwritten by this process (save refuses too, also when it is the first
 * thing called). The Lua side owns the schema; C checks only the fields
 * every state has.
 *
 * Saves between two snapshots are journal records (b:append, see
 * state_journal.c) when the backend keeps a journal; load replays them
 * over the snapshot, so every reader sees one document. b:save writes a
 * snapshot, which ends the journal. b:encrypt(keyring) seals what is
 * stored from then on (the snapshot, each record's payload; the local
 * backend's backup) and opens what is read (luaform/crypt.h).
 *
 * core.state_backend_register(name, fns) plugs in a backend written in
 * Lua: its functions become the vtable (lua_backend below). They run on
 * the Lua thread that called the method.
 */
#include "luaform/alloc.h"
#include "luaform/json.h"
#include "luaform/luaform.h"
#include "luaform/state.h"
#include "luaform/util.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BACKEND_MT "luaform.state_backend"
#define REGISTERED_KEY "luaform.state_backends"
#define DEFAULT_STATE_PATH "luaform.state.json"
#define JOURNAL_MIN_BYTES (1 << 20) /* compaction: journal > max(this, snapshot) */
#define READ_TRIES 20               /* snapshot + journal reads racing compactions */

/* ---- the document ---- */

/* The fields every state has, checked on load (JSON, lf_state_check) and
 * on save (the Lua table, check_table): one list for both. */
static const struct {
  const char *key;
  json_type type;    /* as JSON; in Lua an integer, a string, a table */
  const char *what;
} STATE_FIELDS[] = {
  {"version", JSON_INTEGER, "an integer"},
  {"lineage", JSON_STRING, "a string"},
  {"serial", JSON_INTEGER, "an integer"},
  {"resources", JSON_OBJECT, "an object"},
};
#define NFIELDS (sizeof STATE_FIELDS / sizeof STATE_FIELDS[0])

static int field_fail(char *err, size_t n, size_t i, int missing) {
  if (missing) snprintf(err, n, "missing field \"%s\"", STATE_FIELDS[i].key);
  else snprintf(err, n, "field \"%s\" is not %s", STATE_FIELDS[i].key, STATE_FIELDS[i].what);
  return -1;
}

int lf_state_check(const json_t *state, char *err, size_t n) {
  if (!json_is_object(state)) {
    snprintf(err, n, "the document is not a JSON object");
    return -1;
  }
  for (size_t i = 0; i < NFIELDS; i++) {
    json_t *v = json_object_get(state, STATE_FIELDS[i].key);
    if (!v || json_typeof(v) != STATE_FIELDS[i].type) return field_fail(err, n, i, !v);
  }
  return 0;
}

void lf_lock_describe(const char *info, size_t len, char *out, size_t n) {
  json_t *rec = len ? json_loadb(info, len, 0, NULL) : NULL;
  const char *who = json_string_value(json_object_get(rec, "who"));
  const char *op = json_string_value(json_object_get(rec, "operation"));
  const char *since = json_string_value(json_object_get(rec, "created"));
  const char *id = json_string_value(json_object_get(rec, "id"));
  json_t *pid = json_object_get(rec, "pid");
  char pid_text[32] = "unknown";
  if (json_is_integer(pid)) snprintf(pid_text, sizeof pid_text, "%" JSON_INTEGER_FORMAT, json_integer_value(pid));
  if (who) {
    snprintf(out, n, "state is locked by %s (%s, pid %s, since %s, ID %s)", who,
             op ? op : "unknown operation", pid_text, since ? since : "unknown time", id ? id : "unknown");
  } else {
    snprintf(out, n, "state is locked by another process (no lock record yet)");
  }
  json_decref(rec);
}

/* ---- backends written in Lua ---- */

typedef struct {
  lf_backend base;
  lua_State *L;  /* the thread of the current method call */
  int self;      /* registry refs: the instance and its function table */
  int fns;
} lua_backend;

static const struct lf_backend_ops lua_ops;

/* Calls fns[name](self, ...nargs on top of L) -> nres results, or -1 with
 * err; a missing optional function counts as success with no results. */
static int lb_call(lua_backend *lb, const char *name, int nargs, int nres, int optional,
                  char *err, size_t n) {
  lua_State *L = lb->L;
  lua_rawgeti(L, LUA_REGISTRYINDEX, lb->fns);
  if (lua_getfield(L, -1, name) != LUA_TFUNCTION) {
    lua_pop(L, 2 + nargs);
    if (optional) {
      for (int i = 0; i < nres; i++) lua_pushnil(L);
      return 0;
    }
    snprintf(err, n, "%s: backend has no %s function", lb->base.name, name);
    return -1;
  }
  lua_remove(L, -2);
  lua_insert(L, -1 - nargs);
  lua_rawgeti(L, LUA_REGISTRYINDEX, lb->self);
  lua_insert(L, -1 - nargs);
  if (lua_pcall(L, nargs + 1, nres, 0) != LUA_OK) {
    snprintf(err, n, "%s", luaL_tolstring(L, -1, NULL));
    lua_pop(L, 2);
    return -1;
  }
  return 0;
}

/* The usual "true | nil, message" result of a Lua backend function. */
static int lb_status(lua_State *L, int fail_code, char *err, size_t n) {
  int ok = lua_toboolean(L, -2);
  if (!ok) snprintf(err, n, "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "failed");
  lua_pop(L, 2);
  return ok ? 0 : fail_code;
}

/* Takes a "text | nil | nil, message" result: 0 with a copy of the text,
 * -1 with the message, 1 for nil; `false` as the text gives if_false. */
static int lb_text(lua_State *L, int if_false, char **data, size_t *len, char *err, size_t n) {
  int rc = 1;
  if (lua_type(L, -2) == LUA_TSTRING) {
    size_t l;
    const char *s = lua_tolstring(L, -2, &l);
    *data = lf_xmalloc(l + 1);
    memcpy(*data, s, l + 1);
    *len = l;
    rc = 0;
  } else if (lua_isstring(L, -1)) {
    snprintf(err, n, "%s", lua_tostring(L, -1));
    rc = -1;
  } else if (lua_type(L, -2) == LUA_TBOOLEAN && !lua_toboolean(L, -2)) {
    rc = if_false;
  }
  lua_pop(L, 2);
  return rc;
}

static int lb_load(lf_backend *b, char **data, size_t *len, char *err, size_t n) {
  lua_backend *lb = (lua_backend *)b;
  if (lb_call(lb, "load", 0, 2, 0, err, n) != 0) return -1;
  return lb_text(lb->L, 1, data, len, err, n);
}

static int lb_save(lf_backend *b, const char *data, size_t len, char *err, size_t n) {
  lua_backend *lb = (lua_backend *)b;
  lua_pushlstring(lb->L, data, len);
  if (lb_call(lb, "save", 1, 2, 0, err, n) != 0) return -1;
  return lb_status(lb->L, -1, err, n);
}

static int lb_lock(lf_backend *b, const char *info, double timeout_s, char *err, size_t n) {
  lua_backend *lb = (lua_backend *)b;
  lua_pushstring(lb->L, info);
  lua_pushnumber(lb->L, timeout_s);
  if (lb_call(lb, "lock", 2, 2, 1, err, n) != 0) return -1;
  if (lua_isnil(lb->L, -2) && lua_isnil(lb->L, -1)) {  /* no lock function */
    lua_pop(lb->L, 2);
    return 0;
  }
  return lb_status(lb->L, 1, err, n);
}

static int lb_unlock(lf_backend *b, char *err, size_t n) {
  lua_backend *lb = (lua_backend *)b;
  if (lb_call(lb, "unlock", 0, 0, 1, err, n) != 0) return -1;
  return 0;
}

static void lb_close(lf_backend *b) {
  lua_backend *lb = (lua_backend *)b;
  char err[200];
  if (lb_call(lb, "close", 0, 0, 1, err, sizeof err) != 0) { /* closing: nothing to report to */ }
  luaL_unref(lb->L, LUA_REGISTRYINDEX, lb->self);
  luaL_unref(lb->L, LUA_REGISTRYINDEX, lb->fns);
  free(lb);
}

/* fns.journal(self) -> text of the records since the snapshot | nil
 * (none) | false (the snapshot changed since load) | nil, message */
static int lb_journal_read(lf_backend *b, char **data, size_t *len, char *err, size_t n) {
  lua_backend *lb = (lua_backend *)b;
  if (lb_call(lb, "journal", 0, 2, 1, err, n) != 0) return -1;
  return lb_text(lb->L, 2, data, len, err, n);
}

/* fns.append(self, record, serial) -> true | nil, message */
static int lb_journal_append(lf_backend *b, const char *rec, size_t len, json_int_t serial,
                             char *err, size_t n) {
  lua_backend *lb = (lua_backend *)b;
  lua_pushlstring(lb->L, rec, len);
  lua_pushinteger(lb->L, (lua_Integer)serial);
  if (lb_call(lb, "append", 2, 2, 0, err, n) != 0) return -1;
  return lb_status(lb->L, -1, err, n);
}

static const struct lf_backend_ops lua_ops = {
  lb_load, lb_save, lb_lock, lb_unlock, lb_close, lb_journal_read, lb_journal_append,
};

/* Whether a Lua backend has fn. */
static int lb_has(lua_backend *lb, const char *fn) {
  lua_rawgeti(lb->L, LUA_REGISTRYINDEX, lb->fns);
  int has = lua_getfield(lb->L, -1, fn) == LUA_TFUNCTION;
  lua_pop(lb->L, 2);
  return has;
}

/* fns at fns_idx, config at cfg_idx -> backend (self = fns.new(config)
 * when there is a new function, else {config = config}). */
static lf_backend *lua_backend_new(lua_State *L, const char *kind, int fns_idx, int cfg_idx) {
  lua_backend *lb = lf_xcalloc(1, sizeof *lb);
  lb->base.ops = &lua_ops;
  lb->L = L;
  if (lua_getfield(L, fns_idx, "new") == LUA_TFUNCTION) {
    lua_pushvalue(L, cfg_idx);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
      free(lb);
      lua_error(L);
    }
  } else {
    lua_pop(L, 1);
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, cfg_idx);
    lua_setfield(L, -2, "config");
  }
  snprintf(lb->base.name, sizeof lb->base.name, "%s", kind);
  if (lua_type(L, -1) == LUA_TTABLE) {  /* self.name names the state in messages */
    if (lua_getfield(L, -1, "name") == LUA_TSTRING)
      snprintf(lb->base.name, sizeof lb->base.name, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  lb->self = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, fns_idx);
  lb->fns = luaL_ref(L, LUA_REGISTRYINDEX);
  return &lb->base;
}

/* ---- the userdata ---- */

typedef struct {
  lf_backend *b;
  int checked;         /* the stored state was seen valid or absent */
  char *refused;       /* why the stored state was refused; never save */
  size_t last_len;     /* size of the last save: preallocates the next */
  size_t journal_len;  /* bytes appended since the last snapshot */
  char warning[400];   /* why load ignored the journal's last record, or "" */
  int stale;           /* the snapshot read is not sealed as the keyring writes */
  int replayed;        /* the state read had journal records; no snapshot since */
} backend_ud;

static backend_ud *check_ud(lua_State *L) {
  backend_ud *u = luaL_checkudata(L, 1, BACKEND_MT);
  if (!u->b) luaL_error(L, "state backend is closed");
  if (u->b->ops == &lua_ops) ((lua_backend *)u->b)->L = L;
  lf_keyring_bind(u->b->keyring, L);
  return u;
}

static int push_fail(lua_State *L, const char *msg) {
  lua_pushnil(L);
  lua_pushstring(L, msg);
  return 2;
}

/* b:lock{timeout = seconds, operation = "apply"} -> true, id | nil, message */
static int m_lock(lua_State *L) {
  backend_ud *u = check_ud(L);
  double timeout = 0;
  const char *op = "unknown";
  if (lua_istable(L, 2)) {
    lua_getfield(L, 2, "timeout");
    timeout = luaL_optnumber(L, -1, 0);
    lua_getfield(L, 2, "operation");
    op = luaL_optstring(L, -1, "unknown");
  }
  char id[37], who[400], when[32], err[1024];
  lf_uuid(id);
  lf_who(who, sizeof who);
  lf_iso8601((double)time(NULL), when);
  json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "id", id, "who", who,
                          "operation", op, "created", when, "pid", (json_int_t)getpid(),
                          "version", LUAFORM_VERSION, "path", u->b->name);
  char *info = rec ? json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  json_decref(rec);
  if (!info) return luaL_error(L, "lock: cannot encode the lock record");
  int rc = u->b->ops->lock(u->b, info, timeout, err, sizeof err);
  free(info);
  if (rc != 0) return push_fail(L, err);
  lua_pushboolean(L, 1);
  lua_pushstring(L, id);
  return 2;
}

static int m_unlock(lua_State *L) {
  backend_ud *u = check_ud(L);
  char err[1024];
  if (u->b->ops->unlock(u->b, err, sizeof err) != 0) return push_fail(L, err);
  lua_pushboolean(L, 1);
  return 1;
}

/* The backend's journal: 0 with records in *j, 1 none (or empty), 2
 * compacted since load, -1. */
static int read_journal(backend_ud *u, char **j, size_t *jlen, char *err, size_t n) {
  if (!u->b->ops->journal_read) return 1;
  if (u->b->ops == &lua_ops && !lb_has((lua_backend *)u->b, "journal")) return 1;
  int rc = u->b->ops->journal_read(u->b, j, jlen, err, n);
  if (rc == 0 && *jlen == 0) {
    free(*j);
    rc = 1;
  }
  return rc;
}

/* Parses the snapshot, replays the journal over it and checks the result:
 * the document, or NULL with je set (the refusal). */
static json_t *replayed(backend_ud *u, const char *data, size_t len, const char *j, size_t jlen,
                        json_error_t *je) {
  json_t *v = json_loadb(data, len, JSON_ALLOW_NUL, je);
  if (!v) return NULL;
  if (lf_state_check(v, je->text, sizeof je->text) != 0 ||
      lf_journal_replay(v, j, jlen, u->b->keyring, "a journal record", u->warning, sizeof u->warning,
                        je->text, sizeof je->text) != 0 ||
      lf_state_check(v, je->text, sizeof je->text) != 0) {
    je->line = je->column = 1;
    json_decref(v);
    return NULL;
  }
  return v;
}

/* Reads the stored state (snapshot + journal) and pushes it (checked)
 * when push is set: 0 valid, 1 absent, -1 I/O error (err), -2 corrupted
 * (err is the refusal; u remembers it). */
static int read_state(lua_State *L, backend_ud *u, int push, char *err, size_t n) {
  char *data, *j = NULL;
  size_t len, jlen = 0;
  u->warning[0] = '\0';
  int rc, jrc, tries = 0;
  do {  /* again when a writer compacted between the two reads */
    rc = u->b->ops->load(u->b, &data, &len, err, n);
    if (rc != 0) {
      if (rc == 1) u->checked = 1;
      return rc;
    }
    jrc = read_journal(u, &j, &jlen, err, n);
    if (jrc == 2) free(data);
  } while (jrc == 2 && ++tries < READ_TRIES);
  if (jrc == 2) {
    snprintf(err, n, "%s: the state kept changing while it was read", u->b->name);
    return -1;
  }
  if (jrc < 0) {
    free(data);
    return -1;
  }
  char *plain;
  size_t plain_len;
  int sealed = lf_unseal(u->b->keyring, u->b->name, data, len, &plain, &plain_len, &u->stale, err, n);
  free(sealed == 1 ? NULL : data);
  if (sealed < 0) {  /* a wrong or missing key, or tampered: an error, not a corrupted state */
    if (jrc == 0) free(j);
    return -1;
  }
  if (sealed == 0) data = plain, len = plain_len;
  json_error_t je;
  int ok;
  if (jrc == 0) {
    json_t *v = replayed(u, data, len, j, jlen, &je);
    ok = v != NULL;
    if (ok && push) lf_json_push(L, v);
    json_decref(v);
    free(j);
  } else if (push) {
    ok = lf_json_decode(L, data, len, lf_state_check, &je);
  } else {
    json_t *v = json_loadb(data, len, JSON_ALLOW_NUL, &je);
    ok = v && lf_state_check(v, je.text, sizeof je.text) == 0;
    if (v && !ok) je.line = je.column = 1;
    json_decref(v);
  }
  free(data);
  if (!ok) {
    snprintf(err, n, "%s:%d:%d: state file is corrupted (%s); refusing to use it. "
             "The file was left untouched.", u->b->name, je.line, je.column, je.text);
    free(u->refused);
    u->refused = lf_xstrdup(err);
    return -2;
  }
  u->checked = 1;
  u->replayed = jrc == 0;
  return 0;
}

/* b:load() -> state table | nil (no state yet), and why the journal's
 * last record was ignored (nil: it was not); corrupted: error */
static int m_load(lua_State *L) {
  backend_ud *u = check_ud(L);
  char err[1024];
  int rc = read_state(L, u, 1, err, sizeof err);
  if (rc == 1) {
    lua_pushnil(L);
    return 1;
  }
  if (rc < 0) {
    lua_pushstring(L, err);
    return lua_error(L);
  }
  if (!u->warning[0]) return 1;
  lua_pushfstring(L, "%s: %s", u->b->name, u->warning);
  return 2;
}

/* STATE_FIELDS of the state table at idx, before it is encoded. */
static int check_table(lua_State *L, int idx, char *err, size_t n) {
  for (size_t i = 0; i < NFIELDS; i++) {
    int t = lua_getfield(L, idx, STATE_FIELDS[i].key), ok;
    switch (STATE_FIELDS[i].type) {
    case JSON_INTEGER: lua_tointegerx(L, -1, &ok); ok = ok && t == LUA_TNUMBER; break;
    case JSON_STRING: ok = t == LUA_TSTRING; break;
    default: ok = t == LUA_TTABLE; break;   /* JSON_OBJECT */
    }
    lua_pop(L, 1);
    if (!ok) return field_fail(err, n, i, t == LUA_TNIL);
  }
  return 0;
}

/* b:save(state) -> true | nil, message */
static int m_save(lua_State *L) {
  backend_ud *u = check_ud(L);
  luaL_checktype(L, 2, LUA_TTABLE);
  char err[1024];
  if (!u->checked && !u->refused) {  /* never replace a file we have not seen valid */
    if (read_state(L, u, 0, err, sizeof err) == -1) return push_fail(L, err);
  }
  if (u->refused) {
    snprintf(err, sizeof err, "refusing to save over %s: %s", u->b->name, u->refused);
    return push_fail(L, err);
  }
  char why[300];
  if (check_table(L, 2, why, sizeof why) != 0) {
    snprintf(err, sizeof err, "refusing to save an invalid state to %s: %s", u->b->name, why);
    return push_fail(L, err);
  }
  size_t len;
  char *full = lf_json_encode(L, 2, JSON_INDENT(2), u->last_len + u->last_len / 8 + 4096,
                              &len, err, sizeof err);
  if (!full) return push_fail(L, err);
  full[len++] = '\n';
  full[len] = '\0';
  u->last_len = len;
  char *sealed;
  size_t sealed_len;
  int rc = lf_seal(u->b->keyring, full, len, &sealed, &sealed_len, err, sizeof err);
  if (rc == 0) {
    free(full);
    full = sealed, len = sealed_len;
  }
  if (rc >= 0) rc = u->b->ops->save(u->b, full, len, err, sizeof err);
  free(full);
  if (rc != 0) return push_fail(L, err);
  u->journal_len = 0;
  u->stale = 0;
  u->replayed = 0;
  lua_pushboolean(L, 1);
  return 1;
}

/* b:stale() -> whether the state read is not sealed as b:encrypt's keyring
 * writes (plaintext, or the fallback key's): a save migrates it. */
static int m_stale(lua_State *L) {
  lua_pushboolean(L, check_ud(L)->stale);
  return 1;
}

/* b:replayed() -> whether the state read was a snapshot and journal
 * records, and no snapshot was written since: a save compacts them. */
static int m_replayed(lua_State *L) {
  lua_pushboolean(L, check_ud(L)->replayed);
  return 1;
}

/* b:journaled() -> whether saves may be journal records (b:append) */
static int m_journaled(lua_State *L) {
  backend_ud *u = check_ud(L);
  int has = u->b->ops->journal_append != NULL;
  if (has && u->b->ops == &lua_ops) has = lb_has((lua_backend *)u->b, "append");
  lua_pushboolean(L, has);
  return 1;
}

/* b:append{lineage, serial, set = {addr = entry}, del = {addr}} -> true,
 * whether a snapshot is due (the journal outgrew max(1 MiB, the last
 * snapshot)) | nil, message. Only after a save of this process. */
static int m_append(lua_State *L) {
  backend_ud *u = check_ud(L);
  luaL_checktype(L, 2, LUA_TTABLE);
  char err[1024];
  if (u->refused || !u->last_len) {
    snprintf(err, sizeof err, "%s: a journal record needs a snapshot written by this run first", u->b->name);
    return push_fail(L, err);
  }
  lua_getfield(L, 2, "serial");
  lua_Integer serial = luaL_checkinteger(L, -1);
  lua_pop(L, 1);
  size_t len, framed_len;
  char *payload = lf_json_encode(L, 2, JSON_COMPACT, 0, &len, err, sizeof err);
  if (!payload) return push_fail(L, err);
  char *sealed;
  size_t sealed_len;
  int sr = lf_seal(u->b->keyring, payload, len, &sealed, &sealed_len, err, sizeof err);
  if (sr < 0) {
    free(payload);
    return push_fail(L, err);
  }
  if (sr == 0) {
    free(payload);
    payload = sealed, len = sealed_len;
  }
  char *framed = lf_journal_frame(payload, len, &framed_len);
  free(payload);
  if (!framed) return luaL_error(L, "append: a record over 4 GiB");
  int rc = u->b->ops->journal_append(u->b, framed, framed_len, (json_int_t)serial, err, sizeof err);
  free(framed);
  if (rc != 0) return push_fail(L, err);
  u->journal_len += framed_len;
  size_t limit = u->last_len > JOURNAL_MIN_BYTES ? u->last_len : JOURNAL_MIN_BYTES;
  lua_pushboolean(L, 1);
  lua_pushboolean(L, u->journal_len > limit);
  return 2;
}

/* b:encrypt(keyring): what this backend stores is sealed with keyring
 * (core.keyring), and what it reads is opened with it. */
static int m_encrypt(lua_State *L) {
  backend_ud *u = check_ud(L);
  u->b->keyring = lf_keyring_check(L, 2);
  lua_pushvalue(L, 2);
  lua_setiuservalue(L, 1, 1);  /* keeps the keyring alive as long as the backend */
  return 0;
}

static int m_path(lua_State *L) {
  lua_pushstring(L, check_ud(L)->b->name);
  return 1;
}

static int m_close(lua_State *L) {
  backend_ud *u = luaL_checkudata(L, 1, BACKEND_MT);
  if (u->b) {
    if (u->b->ops == &lua_ops) ((lua_backend *)u->b)->L = L;
    u->b->ops->close(u->b);
    u->b = NULL;
  }
  free(u->refused);
  u->refused = NULL;
  return 0;
}

static int m_tostring(lua_State *L) {
  backend_ud *u = luaL_checkudata(L, 1, BACKEND_MT);
  lua_pushfstring(L, "state backend (%s)", u->b ? u->b->name : "closed");
  return 1;
}

/* core.state_backend(kind, config) -> backend */
static int core_state_backend(lua_State *L) {
  const char *kind = luaL_checkstring(L, 1);
  if (lua_isnoneornil(L, 2)) {
    lua_settop(L, 1);
    lua_newtable(L);
  }
  luaL_checktype(L, 2, LUA_TTABLE);
  lf_backend *b;
  if (strcmp(kind, "local") == 0) {
    lua_getfield(L, 2, "path");
    const char *path = luaL_optstring(L, -1, DEFAULT_STATE_PATH);
    char err[300];
    b = lf_backend_local_new(path, err, sizeof err);
    if (!b) return luaL_error(L, "%s", err);
  } else {
    lua_getfield(L, LUA_REGISTRYINDEX, REGISTERED_KEY);
    if (!lua_istable(L, -1) || lua_getfield(L, -1, kind) != LUA_TTABLE)
      return luaL_error(L, "unknown state backend \"%s\"", kind);
    b = lua_backend_new(L, kind, lua_gettop(L), 2);
  }
  backend_ud *u = lua_newuserdatauv(L, sizeof *u, 1);
  memset(u, 0, sizeof *u);
  u->b = b;
  luaL_setmetatable(L, BACKEND_MT);
  return 1;
}

/* core.state_backend_register(name, {load=, save=, lock=, unlock=, close=, new=}) */
static int core_state_backend_register(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  luaL_argcheck(L, strcmp(name, "local") != 0, 1, "\"local\" is built in");
  if (lua_getfield(L, LUA_REGISTRYINDEX, REGISTERED_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, REGISTERED_KEY);
  }
  lua_pushvalue(L, 2);
  lua_setfield(L, -2, name);
  return 0;
}

void lf_open_state(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"lock", m_lock}, {"unlock", m_unlock}, {"load", m_load}, {"save", m_save},
    {"path", m_path}, {"close", m_close}, {"journaled", m_journaled}, {"append", m_append},
    {"encrypt", m_encrypt}, {"stale", m_stale}, {"replayed", m_replayed}, {NULL, NULL},
  };
  if (luaL_newmetatable(L, BACKEND_MT)) {
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, m_close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, m_close);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, m_tostring);
    lua_setfield(L, -2, "__tostring");
  }
  lua_pop(L, 1);
  lua_pushcfunction(L, core_state_backend);
  lua_setfield(L, -2, "state_backend");
  lua_pushcfunction(L, core_state_backend_register);
  lua_setfield(L, -2, "state_backend_register");
}

/*
 * creds.c - the reader of AWS shared config files (~/.aws/credentials,
 * ~/.aws/config) and its Lua binding. The credentials chain itself is Lua
 * (luaform.aws.creds): it needs HTTP and STS calls, which are simplest as
 * client calls in a coroutine.
 *
 * The format, as botocore reads it: "[section]" headers; "key = value"
 * (or "key: value") lines, keys lower-cased, both sides trimmed; lines
 * starting with '#' or ';' are comments; an indented line right after a
 * "key =" with an empty value is a nested setting, stored as
 * "key.subkey" (e.g. "s3.addressing_style"); other indented lines continue
 * the previous value. Lines before the first section, and malformed lines,
 * are ignored, as the SDKs do. Later duplicates win.
 *
 *   core.aws_ini_parse(text) -> { [section] = { [key] = value } }
 *   core.aws_parse_time(text) -> epoch seconds | nil (ISO 8601, RFC 822, epoch)
 */
#include "transport.h"
#include "aws_int.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
  char *section, *key, *value;
  struct entry *next;
} entry;

struct lf_ini {
  entry *head, *tail;
  char **sections;
  size_t nsections;
};

static char *trim_dup(const char *s, size_t n) {
  while (n && isspace((unsigned char)*s)) { s++; n--; }
  while (n && isspace((unsigned char)s[n - 1])) n--;
  return lf_xstrndup(s, n);
}

static void add_section(lf_ini *ini, const char *name) {
  for (size_t i = 0; i < ini->nsections; i++)
    if (strcmp(ini->sections[i], name) == 0) return;
  ini->sections = lf_xrealloc(ini->sections, (ini->nsections + 1) * sizeof *ini->sections);
  ini->sections[ini->nsections++] = lf_xstrdup(name);
}

static entry *find(const lf_ini *ini, const char *section, const char *key) {
  entry *found = NULL;
  for (entry *e = ini->head; e; e = e->next)
    if (strcmp(e->section, section) == 0 && strcmp(e->key, key) == 0) found = e;
  return found;
}

/* Stores key = value (taking both strings) and returns the entry. */
static entry *set(lf_ini *ini, const char *section, char *key, char *value) {
  entry *e = find(ini, section, key);
  if (e) {
    free(e->value);
    e->value = value;
    free(key);
    return e;
  }
  e = lf_xcalloc(1, sizeof *e);
  e->section = lf_xstrdup(section);
  e->key = key;
  e->value = value;
  if (ini->tail) ini->tail->next = e;
  else ini->head = e;
  ini->tail = e;
  return e;
}

lf_ini *lf_ini_parse(const char *text, size_t len) {
  lf_ini *ini = lf_xcalloc(1, sizeof *ini);
  char *section = NULL;
  char *parent = NULL;      /* key with an empty value: indented lines nest under it */
  entry *last = NULL;       /* value that an indented line continues */
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    size_t n = (size_t)(eol - p);
    if (n && p[n - 1] == '\r') n--;
    int indented = n && (p[0] == ' ' || p[0] == '\t');
    const char *s = p;
    size_t m = n;
    while (m && isspace((unsigned char)*s)) { s++; m--; }
    p = eol < end ? eol + 1 : end;
    if (m == 0 || *s == '#' || *s == ';') continue;
    if (!indented && *s == '[') {
      const char *close = memchr(s, ']', m);
      free(section);
      free(parent);
      parent = NULL;
      last = NULL;
      section = close ? trim_dup(s + 1, (size_t)(close - s - 1)) : NULL;
      if (section) add_section(ini, section);
      continue;
    }
    if (!section) continue;
    const char *eq = memchr(s, '=', m);
    const char *colon = memchr(s, ':', m);
    if (!eq || (colon && colon < eq)) eq = colon;
    if (indented && parent && eq) {
      char *k = trim_dup(s, (size_t)(eq - s));
      char *full = lf_xmalloc(strlen(parent) + strlen(k) + 2);
      sprintf(full, "%s.%s", parent, k);
      for (char *c = full; *c; c++) *c = (char)tolower((unsigned char)*c);
      free(k);
      set(ini, section, full, trim_dup(eq + 1, (size_t)(s + m - eq - 1)));
      continue;
    }
    if (indented && last) {   /* continuation of the previous value */
      char *v = trim_dup(s, m);
      size_t ol = strlen(last->value);
      last->value = lf_xrealloc(last->value, ol + strlen(v) + 2);
      sprintf(last->value + ol, "%s%s", ol ? "\n" : "", v);
      free(v);
      continue;
    }
    if (!eq) continue;
    char *k = trim_dup(s, (size_t)(eq - s));
    for (char *c = k; *c; c++) *c = (char)tolower((unsigned char)*c);
    char *v = trim_dup(eq + 1, (size_t)(s + m - eq - 1));
    free(parent);
    parent = *v ? NULL : lf_xstrdup(k);
    entry *e = set(ini, section, k, v);   /* k may be freed here */
    last = *e->value ? e : NULL;
  }
  free(section);
  free(parent);
  return ini;
}

lf_ini *lf_ini_load(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  lf_buf b = {0};
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) lf_buf_add(&b, chunk, n);
  fclose(f);
  lf_ini *ini = lf_ini_parse(b.p ? b.p : "", b.n);
  lf_buf_free(&b);
  return ini;
}

void lf_ini_free(lf_ini *ini) {
  if (!ini) return;
  for (entry *e = ini->head, *next; e; e = next) {
    next = e->next;
    free(e->section);
    free(e->key);
    lf_free_secret(e->value);   /* aws_secret_access_key, aws_session_token... */
    free(e);
  }
  for (size_t i = 0; i < ini->nsections; i++) free(ini->sections[i]);
  free(ini->sections);
  free(ini);
}

const char *lf_ini_get(const lf_ini *ini, const char *section, const char *key) {
  entry *e = ini ? find(ini, section, key) : NULL;
  return e ? e->value : NULL;
}

int lf_ini_has_section(const lf_ini *ini, const char *section) {
  for (size_t i = 0; ini && i < ini->nsections; i++)
    if (strcmp(ini->sections[i], section) == 0) return 1;
  return 0;
}

/* ---- Lua ---- */

static int core_aws_ini_parse(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  lf_ini *ini = lf_ini_parse(text, len);
  lua_newtable(L);
  for (size_t i = 0; i < ini->nsections; i++) {
    lua_newtable(L);
    lua_setfield(L, -2, ini->sections[i]);
  }
  for (entry *e = ini->head; e; e = e->next) {
    lua_getfield(L, -1, e->section);
    lua_pushstring(L, e->value);
    lua_setfield(L, -2, e->key);
    lua_pop(L, 1);
  }
  lf_ini_free(ini);
  return 1;
}

static int core_aws_parse_time(lua_State *L) {
  const char *s = luaL_checkstring(L, 1);
  double t;
  if (lf_parse_timestamp(s, &t) != 0) return 0;
  lua_pushnumber(L, t);
  return 1;
}

void lf_open_aws_creds(lua_State *L) {
  lua_pushcfunction(L, core_aws_ini_parse);
  lua_setfield(L, -2, "aws_ini_parse");
  lua_pushcfunction(L, core_aws_parse_time);
  lua_setfield(L, -2, "aws_parse_time");
}

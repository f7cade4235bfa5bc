/*
 * model.c - AWS service models: finding, loading and caching them.
 *
 * A model is the jansson tree of a service-2.json plus its paginators and
 * waiters. lf_model_load searches, in order: each directory of
 * $LUAFORM_MODELS_PATH (colon-separated, botocore layout
 * <svc>/<version>/service-2.json, newest version wins), then
 * <exe_dir>/models/<svc>/ and <exe_dir>/../share/luaform/models/<svc>/ (the
 * trimmed layout written by tools/trim_models.py). Files may be gzipped
 * (service-2.json.gz, as pip's botocore ships them). A loaded model is cached
 * for the life of the process (one thread: no locking). Each model owns the
 * table of its shapes' resolved facts (shape_info.c), freed with it.
 *
 * Beside the models, botocore's partitions file endpoints.json (global
 * services' hostnames and signing regions): lf_model_partitions gives the one
 * in the directory the model came from (a LUAFORM_MODELS_PATH entry), else the
 * trimmed copy in the built-in models directory. Each file is loaded once.
 */
#include "aws_int.h"
#include "luaform/luaform.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

struct lf_model {
  char *service;
  char *root;          /* the models directory it came from, or NULL (lf_model_new) */
  json_t *desc;        /* {metadata, operations, shapes} */
  json_t *paginators;  /* "pagination" object or NULL */
  json_t *waiters;     /* "waiters" object or NULL */
  lf_shape_table *shape_info;   /* facts of the shapes, made on first use (shape_info.c) */
  const char *protocol;         /* metadata.protocol, or "" */
  struct lf_model *next;
};

static lf_model *cache;

static int is_file(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* "<dir>/<file>" or, as newer botocore ships them, "<dir>/<file>.gz". */
static int has_json(const char *dir, const char *file) {
  char p[4400];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  if (is_file(p)) return 1;
  snprintf(p, sizeof p, "%s/%s.gz", dir, file);
  return is_file(p);
}

/* Loads "<dir>/<file>", else "<dir>/<file>.gz" (zlib). NULL with je filled. */
static json_t *load_json(const char *dir, const char *file, json_error_t *je) {
  char p[4400];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  if (is_file(p)) return json_load_file(p, 0, je);
  snprintf(p, sizeof p, "%s/%s.gz", dir, file);
  gzFile gz = gzopen(p, "rb");
  if (!gz) {
    snprintf(je->text, sizeof je->text, "cannot open the file or its .gz");
    je->line = 0;
    return NULL;
  }
  size_t n = 0, cap = 1 << 20;
  char *buf = lf_xmalloc(cap);
  int got;
  while ((got = gzread(gz, buf + n, (unsigned)(cap - n))) > 0) {
    n += (size_t)got;
    if (n == cap) buf = lf_xrealloc(buf, cap *= 2);
  }
  int bad = got < 0;
  gzclose(gz);
  json_t *v = bad ? NULL : json_loadb(buf, n, 0, je);
  if (bad) {
    snprintf(je->text, sizeof je->text, "cannot decompress the .gz file");
    je->line = 0;
  }
  free(buf);
  return v;
}

/* Newest "<dir>/<svc>/<version>" holding service-2.json(.gz), into out. */
static int find_botocore(const char *dir, const char *svc, char *out, size_t n) {
  char base[4096], probe[4200], best[256] = "";
  if (snprintf(base, sizeof base, "%s/%s", dir, svc) >= (int)sizeof base) return 0;
  DIR *d = opendir(base);
  if (!d) return 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof best) continue;
    if (snprintf(probe, sizeof probe, "%s/%s", base, e->d_name) >= (int)sizeof probe) continue;
    if (has_json(probe, "service-2.json") && strcmp(e->d_name, best) > 0)
      strcpy(best, e->d_name);
  }
  closedir(d);
  if (!best[0]) return 0;
  return snprintf(out, n, "%s/%s", base, best) < (int)n;
}

static const char *const BUILTIN[] = {"%s/models", "%s/../share/luaform/models"};

/* The model directory of svc into out, and the models directory holding it
   into root. */
static int find_model_dir(const char *svc, char *out, size_t n, char *root, size_t rn) {
  const char *env = getenv("LUAFORM_MODELS_PATH");
  if (env && *env) {
    char *paths = lf_xstrdup(env), *save = NULL;
    for (char *p = strtok_r(paths, ":", &save); p; p = strtok_r(NULL, ":", &save))
      if (find_botocore(p, svc, out, n)) {
        snprintf(root, rn, "%s", p);
        free(paths);
        return 1;
      }
    free(paths);
  }
  const char *exe = lf_exe_dir();
  for (size_t i = 0; exe && i < 2; i++) {
    snprintf(root, rn, BUILTIN[i], exe);
    if (snprintf(out, n, "%s/%s", root, svc) >= (int)n) continue;
    if (has_json(out, "service-2.json")) return 1;
  }
  return 0;
}

/* ---- the partitions file (endpoints.json), one per directory ---- */

typedef struct partitions {
  char *dir;
  json_t *data;   /* NULL: the directory has none (or it does not parse) */
  struct partitions *next;
} partitions;

static partitions *partitions_cache;

static json_t *partitions_in(const char *dir) {
  for (partitions *p = partitions_cache; p; p = p->next)
    if (strcmp(p->dir, dir) == 0) return p->data;
  json_error_t je;
  json_t *data = has_json(dir, "endpoints.json") ? load_json(dir, "endpoints.json", &je) : NULL;
  if (data && !json_is_array(json_object_get(data, "partitions"))) {
    json_decref(data);
    data = NULL;
  }
  partitions *p = lf_xcalloc(1, sizeof *p);
  p->dir = lf_xstrdup(dir);
  p->data = data;
  p->next = partitions_cache;
  partitions_cache = p;
  return data;
}

json_t *lf_model_partitions(const lf_model *m) {
  json_t *data = m->root ? partitions_in(m->root) : NULL;
  const char *exe = lf_exe_dir();
  char dir[4096];
  for (size_t i = 0; !data && exe && i < 2; i++) {
    snprintf(dir, sizeof dir, BUILTIN[i], exe);
    data = partitions_in(dir);
  }
  return data;
}

static json_t *load_optional(const char *dir, const char *file, const char *key) {
  json_error_t je;
  if (!has_json(dir, file)) return NULL;
  json_t *root = load_json(dir, file, &je);
  if (!root) return NULL;
  json_t *v = json_incref(json_object_get(root, key));
  json_decref(root);
  return v;
}

static int valid_service_name(const char *s) {
  if (!*s || strlen(s) > 100) return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
      return 0;
  return 1;
}

lf_model *lf_model_load(const char *service, char *err, size_t errlen) {
  for (lf_model *m = cache; m; m = m->next)
    if (strcmp(m->service, service) == 0) return m;
  if (!valid_service_name(service) || strstr(service, "..")) {
    snprintf(err, errlen, "invalid service name '%s'", service);
    return NULL;
  }
  char dir[4096], root[4096];
  if (!find_model_dir(service, dir, sizeof dir, root, sizeof root)) {
    snprintf(err, errlen, "no model for service '%s' (looked in LUAFORM_MODELS_PATH, "
             "%s/models, %s/../share/luaform/models)", service, lf_exe_dir(), lf_exe_dir());
    return NULL;
  }
  json_error_t je;
  json_t *desc = load_json(dir, "service-2.json", &je);
  if (!desc) {
    snprintf(err, errlen, "%s/service-2.json:%d: %s", dir, je.line, je.text);
    return NULL;
  }
  lf_model *m = lf_model_new(desc, err, errlen);
  json_decref(desc);
  if (!m) return NULL;
  m->service = lf_xstrdup(service);
  m->root = lf_xstrdup(root);
  m->paginators = load_optional(dir, "paginators-1.json", "pagination");
  m->waiters = load_optional(dir, "waiters-2.json", "waiters");
  m->next = cache;
  cache = m;
  return m;
}

lf_model *lf_model_new(json_t *desc, char *err, size_t errlen) {
  if (!json_is_object(json_object_get(desc, "metadata")) ||
      !json_is_object(json_object_get(desc, "shapes"))) {
    snprintf(err, errlen, "model has no metadata or shapes");
    return NULL;
  }
  /* The serializers name an operation by its "name" (found by tests/fuzz/model.c). */
  json_t *ops = json_object_get(desc, "operations"), *op;
  const char *key;
  if (ops && !json_is_object(ops)) {
    snprintf(err, errlen, "model operations are not an object");
    return NULL;
  }
  json_object_foreach(ops, key, op) {
    if (!json_is_string(json_object_get(op, "name"))) {
      snprintf(err, errlen, "model operation '%.100s' has no name", key);
      return NULL;
    }
  }
  lf_model *m = lf_xcalloc(1, sizeof *m);
  m->desc = json_incref(desc);
  if (!json_object_get(desc, "operations")) json_object_set_new(desc, "operations", json_object());
  m->protocol = json_string_value(json_object_get(json_object_get(desc, "metadata"), "protocol"));
  if (!m->protocol) m->protocol = "";
  m->shape_info = lf_shape_table_new(json_object_get(desc, "shapes"),
                                     json_object_get(desc, "operations"));
  return m;
}

void lf_model_free(lf_model *m) {
  if (!m) return;
  lf_shape_table_free(m->shape_info);
  json_decref(m->desc);
  json_decref(m->paginators);
  json_decref(m->waiters);
  free(m->service);
  free(m->root);
  free(m);
}

lf_shape_table *lf_model_shape_table(const lf_model *m) { return m->shape_info; }

json_t *lf_model_metadata(const lf_model *m) { return json_object_get(m->desc, "metadata"); }

static const char *meta(const lf_model *m, const char *key) {
  return json_string_value(json_object_get(lf_model_metadata(m), key));
}

const char *lf_model_protocol(const lf_model *m) { return m->protocol; }
const char *lf_model_signing_name(const lf_model *m) {
  const char *s = meta(m, "signingName");
  return s ? s : lf_model_endpoint_prefix(m);
}
const char *lf_model_endpoint_prefix(const lf_model *m) {
  const char *s = meta(m, "endpointPrefix");
  return s ? s : "";
}
const char *lf_model_sdk_id(const lf_model *m) {
  const char *s = meta(m, "serviceId");
  return s ? s : lf_model_endpoint_prefix(m);
}
const char *lf_model_api_version(const lf_model *m) {
  const char *s = meta(m, "apiVersion");
  return s ? s : "";
}
const char *lf_model_global_endpoint(const lf_model *m) { return meta(m, "globalEndpoint"); }

json_t *lf_model_operation(const lf_model *m, const char *op) {
  return json_object_get(json_object_get(m->desc, "operations"), op);
}
int lf_model_has_operation(const lf_model *m, const char *op) {
  return lf_model_operation(m, op) != NULL;
}
json_t *lf_model_shape(const lf_model *m, const char *name) {
  return json_object_get(json_object_get(m->desc, "shapes"), name);
}
json_t *lf_model_operations(const lf_model *m) {
  return json_object_get(m->desc, "operations");
}
json_t *lf_model_waiters(const lf_model *m) { return m->waiters; }
json_t *lf_model_paginator(const lf_model *m, const char *op) {
  return m->paginators ? json_object_get(m->paginators, op) : NULL;
}
json_t *lf_model_waiter(const lf_model *m, const char *name) {
  return m->waiters ? json_object_get(m->waiters, name) : NULL;
}

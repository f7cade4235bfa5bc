/*
 * response.h - the body of the response_<protocol> fuzz targets: one
 * protocol's response parsers (success and error bodies, REST headers and
 * status) through lf_parse_response, the function the client calls.
 *
 * The including file defines PROTOCOL (the model's metadata.protocol),
 * VECTORS (the conformance output files of that protocol, NULL-ended) and
 * SERVICES (the built-in models of that protocol, NULL-ended).
 *
 * Operations: every case of the conformance output vectors (its own small
 * model, selected by the case id) and every operation of the built-in models
 * (selected by "service:Operation"). Input:
 *   line 1   the selector (an unknown one picks an operation by its hash)
 *   line 2   the HTTP status
 *   lines    "name: value" headers, up to an empty line
 *   rest     the body
 */
#include "fuzz.h"
#include "luaform/aws.h"

#include <ctype.h>

typedef struct {
  char *key;
  lf_model *model;
  const char *op;   /* borrowed from the model */
} target_op;

static target_op *ops;
static size_t nops, capops;
static lua_State *L;

static void add_op(const char *key, lf_model *m, const char *op) {
  if (nops == capops) {
    capops = capops ? capops * 2 : 256;
    ops = realloc(ops, capops * sizeof *ops);
    if (!ops) abort();
  }
  ops[nops].key = strdup(key);
  if (!ops[nops].key) abort();
  ops[nops].model = m;
  ops[nops].op = op;
  nops++;
}

/* A model holding one conformance case's operation (as protocols_test.c
   builds it: query outputs with members sit in <OpResult>). */
static void add_case(json_t *suite, json_t *cs) {
  json_t *desc = json_object();
  json_object_set(desc, "metadata", json_object_get(suite, "metadata"));
  json_object_set(desc, "shapes", json_object_get(suite, "shapes"));
  json_t *given = json_deep_copy(json_object_get(cs, "given"));
  const char *name = json_string_value(json_object_get(given, "name"));
  const char *id = json_string_value(json_object_get(cs, "id"));
  if (!name || !id) {
    json_decref(given);
    json_decref(desc);
    return;
  }
  json_t *out = json_object_get(given, "output");
  json_t *shape = json_object_get(json_object_get(suite, "shapes"),
                                  json_string_value(json_object_get(out, "shape")));
  if (!strcmp(PROTOCOL, "query") && out && json_object_size(json_object_get(shape, "members"))) {
    char w[512];
    snprintf(w, sizeof w, "%sResult", name);
    json_object_set_new(out, "resultWrapper", json_string(w));
  }
  json_t *opsobj = json_object();
  json_object_set_new(opsobj, name, given);
  json_object_set_new(desc, "operations", opsobj);
  char err[512];
  lf_model *m = lf_model_new(desc, err, sizeof err);
  json_decref(desc);
  if (!m) {
    fprintf(stderr, "fuzz: %s: %s\n", id, err);
    exit(2);
  }
  const char *key;
  json_t *v;
  json_object_foreach(lf_model_operations(m), key, v) add_op(id, m, key);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  static const char *vectors[] = VECTORS;
  for (size_t i = 0; vectors[i]; i++) {
    char path[4096];
    fuzz_conformance_path(vectors[i], path, sizeof path);
    json_error_t je;
    json_t *suites = json_load_file(path, 0, &je);
    if (!suites) {
      fprintf(stderr, "fuzz: %s:%d: %s\n", path, je.line, je.text);
      exit(2);
    }
    size_t si, ci;
    json_t *suite, *cs;
    json_array_foreach(suites, si, suite) json_array_foreach(json_object_get(suite, "cases"), ci, cs)
      add_case(suite, cs);
    json_decref(suites);
  }
  static const char *services[] = SERVICES;
  for (size_t i = 0; services[i]; i++) {
    char err[512];
    lf_model *m = lf_model_load(services[i], err, sizeof err);
    if (!m) {
      fprintf(stderr, "fuzz: %s\n", err);
      exit(2);
    }
    const char *name;
    json_t *v;
    json_object_foreach(lf_model_operations(m), name, v) {
      char key[512];
      snprintf(key, sizeof key, "%s:%s", services[i], name);
      add_op(key, m, name);
    }
  }
  if (!nops) abort();
  L = luaL_newstate();
  if (!L) abort();
  return 0;
}

typedef struct {
  const target_op *op;
  const lf_response *res;
} parse_call;

static int parse_in_lua(lua_State *L) {
  parse_call *c = lua_touserdata(L, 1);
  int rc = lf_parse_response(L, c->op->model, c->op->op, c->res);
  if (rc < -1 || rc > 1) abort();
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end = p + size;
  char *sel = fuzz_line(&p, end);
  const target_op *op = NULL;
  for (size_t i = 0; i < nops && !op; i++)
    if (!strcmp(ops[i].key, sel)) op = &ops[i];
  if (!op) op = &ops[fuzz_hash(sel) % nops];
  free(sel);

  lf_response res = {0};
  char *status = fuzz_line(&p, end);
  res.status = atoi(status);
  free(status);
  size_t cap = 0;
  while (p < end) {
    char *h = fuzz_line(&p, end);
    if (!*h) {
      free(h);
      break;
    }
    char *colon = strchr(h, ':');
    if (colon) {
      *colon = 0;
      for (char *c = h; *c; c++) *c = (char)tolower((unsigned char)*c);
      const char *v = colon + 1;
      while (*v == ' ') v++;
      if (res.nheaders == cap) {
        cap = cap ? cap * 2 : 8;
        res.headers = realloc(res.headers, cap * sizeof *res.headers);
        if (!res.headers) abort();
      }
      res.headers[res.nheaders].name = strdup(h);
      res.headers[res.nheaders].value = strdup(v);
      if (!res.headers[res.nheaders].name || !res.headers[res.nheaders].value) abort();
      res.nheaders++;
    }
    free(h);
  }
  res.body = p;
  res.body_len = (size_t)(end - p);

  parse_call c = {op, &res};
  lua_pushcfunction(L, parse_in_lua);
  lua_pushlightuserdata(L, &c);
  lua_pcall(L, 1, 1, 0);   /* an error raised is a rejection, as a -1 is */
  lua_settop(L, 0);

  for (size_t i = 0; i < res.nheaders; i++) {
    free(res.headers[i].name);
    free(res.headers[i].value);
  }
  free(res.headers);
  return 0;
}

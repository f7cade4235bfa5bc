/*
 * protocols_test.c - runs AWS's SDK protocol test vectors (botocore's
 * tests/unit/protocols format) against the transport's serializers and
 * parsers: every case of input/{ec2,query,json,json_1_0,rest-json,rest-xml}.json
 * (params -> request) and of output/<same>.json (response -> result or
 * error), minus ignore-list.json. Vectors are looked up in
 * $LUAFORM_CONFORMANCE_DIR/protocols, else ../shared/aws-conformance next
 * to the checkout (from the working directory, then from the binary's
 * place in build/tests/); absent, every test fails naming where it looked
 * (a suite that cannot run must not pass).
 *
 * Comparison follows botocore's tests/unit/test_protocols.py:
 *  - method and URI (path plus query string) exactly; host (endpoint
 *    trait prefix + the suite's clientEndpoint host) when given;
 *  - body: JSON protocols as parsed JSON (numbers by value), rest-xml as
 *    canonical XML (sorted attributes, stripped text), query/ec2 bytes;
 *  - expected headers present with their value (names case-insensitive;
 *    list headers compared with ", " read as ","; stricter than botocore,
 *    which skips rest-xml's and rest-json's non-JSON Content-Type), and
 *    forbidHeaders absent (requireHeaders, e.g. Content-Length, are the
 *    HTTP layer's and not checked, as in botocore);
 *  - output: the parsed table equals `result`; errors as
 *    {Error={Code,Message}} plus the error shape's members, beside
 *    code/message/status/request_id, compared with `errorCode`,
 *    `errorMessage` (default "") and `error`. Numbers compare by value,
 *    special floats as "NaN"/"Infinity"/"-Infinity", blobs as strings,
 *    timestamps as epoch seconds.
 * Input cases go through both front ends: lf_serialize_json of the params
 * (object order as in the vector, like botocore's OrderedDict) must make
 * the expected request, and lf_serialize of the params as a Lua table must
 * make the very bytes lf_serialize_json makes with sorted keys. Both get
 * TOKEN for missing idempotency tokens, as botocore's runner fixes its uuid4.
 * One line per protocol and direction: "protocols ec2 input: N passed,
 * N failed, N ignored"; each failure prints the case id and the difference.
 * Beside the vectors: every operation of the committed models serializes
 * (both front ends agree), the Lua front end's error paths and idempotency
 * tokens (the call's, never written into the params), S3 Content-MD5 and outputs, awsQueryCompatible errors, and
 * model loading from LUAFORM_MODELS_PATH (newest version, .gz files).
 * Debugging: PROTOCOLS_CASE=<id> runs one case; PROTOCOLS_VERBOSE=1 lists
 * passes; PROTOCOLS_IGNORED=1 also runs the ignored cases and prints
 * whether each would pass (not counted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../../engine/aws/aws_int.h"
#include "luaform/aws.h"
#include "luaform/json.h"

/* The token the vectors expect for an auto-filled idempotency token. */
#define TOKEN "00000000-0000-4000-8000-000000000000"

static char base_dir[4096];   /* .../protocols, or "" when absent */
static json_t *ignore_list;
static int verbose;

/* ---- locating the vectors ---- */

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void find_vectors(void) {
  const char *env = getenv("LUAFORM_CONFORMANCE_DIR");
  if (env && *env) {
    snprintf(base_dir, sizeof base_dir, "%s/protocols", env);
    if (!is_dir(base_dir)) base_dir[0] = 0;
    return;
  }
  snprintf(base_dir, sizeof base_dir, "../shared/aws-conformance/protocols");
  if (is_dir(base_dir)) return;
  char exe[2048];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = 0;
    char *slash = strrchr(exe, '/');   /* <repo>/build/tests/protocols_test */
    if (slash) *slash = 0;
    snprintf(base_dir, sizeof base_dir, "%s/../../../shared/aws-conformance/protocols", exe);
    if (is_dir(base_dir)) return;
  }
  base_dir[0] = 0;
}

static int in_list(json_t *arr, const char *s) {
  size_t i;
  json_t *v;
  if (!s) return 0;
  json_array_foreach(arr, i, v)
    if (json_is_string(v) && !strcmp(json_string_value(v), s)) return 1;
  return 0;
}

static int ignored(const char *proto, const char *dir, const char *suite, const char *id) {
  json_t *g = json_object_get(json_object_get(ignore_list, "general"), dir);
  if (in_list(json_object_get(g, "suites"), suite) || in_list(json_object_get(g, "cases"), id))
    return 1;
  json_t *p = json_object_get(json_object_get(json_object_get(ignore_list, "protocols"), proto),
                              dir);
  return in_list(json_object_get(p, "suites"), suite) || in_list(json_object_get(p, "cases"), id);
}

/* ---- failure reporting ---- */

static char why[8192];

static int failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int failf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  return 0;
}

/* ---- JSON params -> Lua ---- */

static void push_params(lua_State *L, json_t *v, int top) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: {
    lua_newtable(L);
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) {
      if (json_is_null(x)) continue;
      push_params(L, x, 0);
      lua_setfield(L, -2, k);
    }
    return;
  }
  case JSON_ARRAY: {
    lua_newtable(L);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
      push_params(L, x, 0);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return;
  }
  case JSON_STRING: {
    /* botocore's runner turns top-level special float strings into floats */
    const char *s = json_string_value(v);
    if (top && !strcmp(s, "NaN")) lua_pushnumber(L, NAN);
    else if (top && !strcmp(s, "Infinity")) lua_pushnumber(L, HUGE_VAL);
    else if (top && !strcmp(s, "-Infinity")) lua_pushnumber(L, -HUGE_VAL);
    else lua_pushlstring(L, s, json_string_length(v));
    return;
  }
  case JSON_INTEGER: lua_pushinteger(L, json_integer_value(v)); return;
  case JSON_REAL: lua_pushnumber(L, json_real_value(v)); return;
  case JSON_TRUE: lua_pushboolean(L, 1); return;
  case JSON_FALSE: lua_pushboolean(L, 0); return;
  default: lua_pushnil(L); return;
  }
}

/* ---- JSON equality with numbers by value (Python's ==) ---- */

static int json_same(json_t *a, json_t *b) {
  if (json_is_number(a) && json_is_number(b))
    return json_number_value(a) == json_number_value(b);
  if (json_typeof(a) != json_typeof(b)) return 0;
  if (json_is_object(a)) {
    if (json_object_size(a) != json_object_size(b)) return 0;
    const char *k;
    json_t *x;
    json_object_foreach(a, k, x) {
      json_t *y = json_object_get(b, k);
      if (!y || !json_same(x, y)) return 0;
    }
    return 1;
  }
  if (json_is_array(a)) {
    if (json_array_size(a) != json_array_size(b)) return 0;
    for (size_t i = 0; i < json_array_size(a); i++)
      if (!json_same(json_array_get(a, i), json_array_get(b, i))) return 0;
    return 1;
  }
  return json_equal(a, b);
}

/* ---- canonical XML (ET.canonicalize(strip_text=True)) ---- */

static int attr_cmp(const void *a, const void *b) {
  return strcmp(((char *const *)a)[0], ((char *const *)b)[0]);
}

static void canon(lf_buf *b, lf_xml *x) {
  for (; x; x = x->next) {
    lf_buf_printf(b, "<%s", x->name);
    size_t n = 0;
    while (x->attrs && x->attrs[2 * n]) n++;
    char **pairs = malloc((n ? n : 1) * 2 * sizeof *pairs);
    memcpy(pairs, x->attrs, n * 2 * sizeof *pairs);
    qsort(pairs, n, 2 * sizeof *pairs, attr_cmp);
    for (size_t i = 0; i < n; i++) {
      lf_buf_printf(b, " %s=\"", pairs[2 * i]);
      lf_buf_xmlescape(b, pairs[2 * i + 1], strlen(pairs[2 * i + 1]));
      lf_buf_putc(b, '"');
    }
    free(pairs);
    lf_buf_putc(b, '>');
    const char *t = x->text ? x->text : "";
    size_t tn = x->text_len;
    while (tn && isspace((unsigned char)*t)) { t++; tn--; }
    while (tn && isspace((unsigned char)t[tn - 1])) tn--;
    lf_buf_xmlescape(b, t, tn);
    canon(b, x->child);
    lf_buf_printf(b, "</%s>", x->name);
  }
}

/* Canonical text of an XML document, or NULL if it does not parse. */
static char *xml_canonical(const char *s, size_t n) {
  char err[256];
  lf_xml *x = lf_xml_parse(s, n, err, sizeof err);
  if (!x) return NULL;
  lf_buf b = {0};
  canon(&b, x);
  lf_xml_free(x);
  return lf_buf_take(&b);
}

/* ---- building the model of one case ---- */

static lf_model *case_model(json_t *suite, json_t *cs, int output_query_wrapper) {
  json_t *desc = json_object();
  json_object_set(desc, "metadata", json_object_get(suite, "metadata"));
  json_object_set(desc, "shapes", json_object_get(suite, "shapes"));
  json_t *given = json_deep_copy(json_object_get(cs, "given"));
  const char *name = json_string_value(json_object_get(given, "name"));
  if (output_query_wrapper) {
    /* like botocore's runner: query outputs with members sit in <OpResult> */
    json_t *out = json_object_get(given, "output");
    json_t *shape = json_object_get(json_object_get(suite, "shapes"),
                                    json_string_value(json_object_get(out, "shape")));
    if (out && json_object_size(json_object_get(shape, "members"))) {
      char w[512];
      snprintf(w, sizeof w, "%sResult", name);
      json_object_set_new(out, "resultWrapper", json_string(w));
    }
  }
  json_t *ops = json_object();
  json_object_set_new(ops, name ? name : "OperationName", given);
  json_object_set_new(desc, "operations", ops);
  char err[512];
  lf_model *m = lf_model_new(desc, err, sizeof err);
  json_decref(desc);
  if (!m) failf("model: %s", err);
  return m;
}

/* ---- input cases ---- */

static char *show_request(const lf_request *r) {
  lf_buf b = {0};
  lf_buf_printf(&b, "%s %s\n", r->method ? r->method : "?", r->path ? r->path : "?");
  if (r->host_prefix) lf_buf_printf(&b, "(host prefix %s)\n", r->host_prefix);
  for (size_t i = 0; i < r->nheaders; i++)
    lf_buf_printf(&b, "%s: %s\n", r->headers[i].name, r->headers[i].value);
  lf_buf_puts(&b, "\n");
  if (r->body) lf_buf_add(&b, r->body, r->body_len);
  return lf_buf_take(&b);
}

/* Removes every ", " -> "," (botocore's list header normalization). */
static void squeeze_list(char *s) {
  char *w = s;
  for (char *r = s; *r; r++) {
    *w++ = *r;
    if (*r == ',' && r[1] == ' ') r++;
  }
  *w = 0;
}

/* Is the header `name` bound to a list member of the input shape? */
static int list_header(const lf_model *m, json_t *op, const char *name) {
  json_t *shape = lf_shape_of(m, json_object_get(op, "input"));
  const char *k;
  json_t *mref;
  json_object_foreach(json_object_get(shape, "members"), k, mref) {
    const char *loc = json_string_value(json_object_get(mref, "location"));
    const char *ln = json_string_value(json_object_get(mref, "locationName"));
    if (loc && !strcmp(loc, "header") && ln && !strcasecmp(ln, name))
      return !strcmp(lf_shape_type(lf_shape_of(m, mref)), "list");
  }
  return 0;
}

static int check_body(const char *proto, const char *want, const lf_request *r) {
  const char *got = r->body ? r->body : "";
  size_t got_n = r->body ? r->body_len : 0;
  if (!strcmp(proto, "json") || !strcmp(proto, "rest-json")) {
    json_t *a = json_loadb(got, got_n, JSON_DECODE_ANY, NULL);
    json_t *b = json_loads(want, JSON_DECODE_ANY, NULL);
    int ok;
    if (a && b) ok = json_same(a, b);
    else if (!strcmp(proto, "json")) ok = 0;
    else ok = strlen(want) == got_n && !memcmp(want, got, got_n);
    json_decref(a);
    json_decref(b);
    if (!ok) return failf("body differs\n--- expected\n%s\n--- got\n%.*s", want, (int)got_n, got);
    return 1;
  }
  if (!strcmp(proto, "rest-xml")) {
    char *a = xml_canonical(got, got_n), *b = xml_canonical(want, strlen(want));
    int ok = a && b ? !strcmp(a, b) : strlen(want) == got_n && !memcmp(want, got, got_n);
    if (!ok)
      failf("body differs\n--- expected\n%s\n--- got\n%.*s", b ? b : want, a ? (int)strlen(a) :
            (int)got_n, a ? a : got);
    free(a);
    free(b);
    return ok;
  }
  if (strlen(want) != got_n || memcmp(want, got, got_n))
    return failf("body differs\n--- expected\n%s\n--- got\n%.*s", want, (int)got_n, got);
  return 1;
}

static int check_request(const char *proto, const lf_model *m, json_t *op, json_t *suite,
                         json_t *ser, const lf_request *r) {
  const char *method = json_string_value(json_object_get(ser, "method"));
  if (method && strcmp(method, r->method))
    return failf("method: expected %s, got %s", method, r->method);
  const char *uri = json_string_value(json_object_get(ser, "uri"));
  if (strcmp(uri ? uri : "", r->path)) return failf("URI: expected %s, got %s", uri, r->path);
  const char *host = json_string_value(json_object_get(ser, "host"));
  if (host) {
    const char *ep = json_string_value(json_object_get(suite, "clientEndpoint"));
    const char *h = ep && strstr(ep, "://") ? strstr(ep, "://") + 3 : "";
    char got[1024];
    snprintf(got, sizeof got, "%s%.*s", r->host_prefix ? r->host_prefix : "",
             (int)strcspn(h, "/"), h);
    if (strcmp(got, host)) return failf("host: expected %s, got %s", host, got);
  }
  json_t *body = json_object_get(ser, "body");
  if (json_is_string(body) && !check_body(proto, json_string_value(body), r)) return 0;
  const char *name;
  json_t *v;
  json_object_foreach(json_object_get(ser, "headers"), name, v) {
    const char *got = lf_request_header(r, name);
    if (!got) return failf("header %s: missing (expected \"%s\")", name, json_string_value(v));
    char *a = strdup(got), *b = strdup(json_string_value(v));
    if (list_header(m, op, name)) { squeeze_list(a); squeeze_list(b); }
    int ok = !strcmp(a, b);
    free(a);
    free(b);
    if (!ok)
      return failf("header %s: expected \"%s\", got \"%s\"", name, json_string_value(v), got);
  }
  size_t i;
  json_array_foreach(json_object_get(ser, "forbidHeaders"), i, v)
    if (lf_request_header(r, json_string_value(v)))
      return failf("header %s: present but forbidden", json_string_value(v));
  return 1;
}

static int key_cmp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Deep copy with every object's keys in sorted order. */
static json_t *sorted_copy(json_t *v) {
  if (json_is_array(v)) {
    json_t *a = json_array(), *x;
    size_t i;
    json_array_foreach(v, i, x) json_array_append_new(a, sorted_copy(x));
    return a;
  }
  if (!json_is_object(v)) return json_deep_copy(v);
  size_t n = json_object_size(v), i = 0;
  const char **keys = malloc((n ? n : 1) * sizeof *keys);
  const char *k;
  json_t *x;
  json_object_foreach(v, k, x) keys[i++] = k;
  qsort(keys, n, sizeof *keys, key_cmp);
  json_t *o = json_object();
  for (i = 0; i < n; i++) json_object_set_new(o, keys[i], sorted_copy(json_object_get(v, keys[i])));
  free(keys);
  return o;
}

static int same_request(const lf_request *a, const lf_request *b) {
  if (strcmp(a->method, b->method) || strcmp(a->path, b->path) || a->nheaders != b->nheaders ||
      a->body_len != b->body_len || (a->body_len && memcmp(a->body, b->body, a->body_len)) ||
      strcmp(a->host_prefix ? a->host_prefix : "", b->host_prefix ? b->host_prefix : ""))
    return 0;
  for (size_t i = 0; i < a->nheaders; i++)
    if (strcmp(a->headers[i].name, b->headers[i].name) ||
        strcmp(a->headers[i].value, b->headers[i].value))
      return 0;
  return 1;
}

static void append_request(const char *title, const lf_request *r) {
  char *s = show_request(r);
  size_t n = strlen(why);
  snprintf(why + n, sizeof why - n, "\n--- %s\n%s", title, s);
  free(s);
}

/* An input case passes when (1) lf_serialize_json of the params (objects
   in the vector's order, as botocore's runner gives them) makes the
   expected request, and (2) lf_serialize of the same params as a Lua table
   makes byte for byte the request lf_serialize_json makes of them with
   sorted keys (a Lua table has no order: its map entries go sorted). */
static int run_input(lua_State *L, const char *proto, json_t *suite, json_t *cs) {
  (void)proto;   /* the file name; the wire protocol is the model's */
  lf_model *m = case_model(suite, cs, 0);
  if (!m) return 0;
  const char *op = json_string_value(json_object_get(json_object_get(cs, "given"), "name"));
  if (!op) op = "OperationName";
  json_t *params = json_deep_copy(json_object_get(cs, "params"));
  lf_request req, sreq, lreq;
  char err[1024];
  int ok = 0;
  if (lf_serialize_json(params, m, op, TOKEN, &req, err, sizeof err) != 0) {
    failf("lf_serialize_json: %s", err);
    goto done;
  }
  ok = check_request(lf_model_protocol(m), m, lf_model_operation(m, op), suite,
                     json_object_get(cs, "serialized"), &req);
  if (!ok) append_request("request", &req);
  lf_request_free(&req);
  if (!ok) goto done;

  /* the Lua front end (both fill missing idempotency tokens with TOKEN) */
  json_t *sorted = sorted_copy(params);
  if (lf_serialize_json(sorted, m, op, TOKEN, &sreq, err, sizeof err) != 0) {
    ok = failf("lf_serialize_json (sorted keys): %s", err);
    json_decref(sorted);
    goto done;
  }
  push_params(L, sorted, 0);
  const char *k;
  json_t *v;
  json_object_foreach(sorted, k, v)   /* top-level special floats, as botocore's runner */
    if (json_is_string(v)) { push_params(L, v, 1); lua_setfield(L, -2, k); }
  json_decref(sorted);
  if (lf_serialize(L, -1, m, op, TOKEN, &lreq, err, sizeof err) != 0) {
    ok = failf("lf_serialize (Lua parameters): %s", err);
  } else {
    if (!same_request(&lreq, &sreq)) {
      ok = failf("lf_serialize (Lua parameters) differs from lf_serialize_json");
      append_request("from JSON", &sreq);
      append_request("from Lua", &lreq);
    }
    lf_request_free(&lreq);
  }
  lf_request_free(&sreq);
  lua_pop(L, 1);
done:
  json_decref(params);
  lf_model_free(m);
  return ok;
}

/* ---- output cases ---- */

static void show_lua(lf_buf *b, lua_State *L, int idx, int depth) {
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
  case LUA_TTABLE:
    if (depth > 20) { lf_buf_puts(b, "{...}"); return; }
    lf_buf_putc(b, '{');
    lua_pushnil(L);
    int first = 1;
    while (lua_next(L, idx)) {
      if (!first) lf_buf_puts(b, ", ");
      first = 0;
      if (lua_type(L, -2) == LUA_TSTRING) lf_buf_printf(b, "%s=", lua_tostring(L, -2));
      else lf_buf_printf(b, "[%s]=", luaL_tolstring(L, -2, NULL)), lua_pop(L, 1);
      show_lua(b, L, -1, depth + 1);
      lua_pop(L, 1);
    }
    lf_buf_putc(b, '}');
    return;
  case LUA_TSTRING: {
    size_t n;
    const char *s = lua_tolstring(L, idx, &n);
    lf_buf_putc(b, '"');
    lf_buf_add(b, s, n);
    lf_buf_putc(b, '"');
    return;
  }
  default:
    lf_buf_puts(b, luaL_tolstring(L, idx, NULL));
    lua_pop(L, 1);
  }
}

static int special_float_eq(double d, const char *s) {
  return (isnan(d) && !strcmp(s, "NaN")) || (isinf(d) && d > 0 && !strcmp(s, "Infinity")) ||
         (isinf(d) && d < 0 && !strcmp(s, "-Infinity"));
}

/* Lua value at idx equals the expected JSON value (path for messages). */
static int lua_same(lua_State *L, int idx, json_t *want, const char *path) {
  idx = lua_absindex(L, idx);
  int t = lua_type(L, idx);
  char sub[1024];
  switch (json_typeof(want)) {
  case JSON_OBJECT: {
    if (t != LUA_TTABLE) return failf("%s: expected an object, got %s", path, lua_typename(L, t));
    const char *k;
    json_t *x;
    json_object_foreach(want, k, x) {
      snprintf(sub, sizeof sub, "%s.%s", path, k);
      lua_getfield(L, idx, k);
      if (lua_isnil(L, -1) && !json_is_null(x)) {
        lua_pop(L, 1);
        return failf("%s: missing", sub);
      }
      int ok = json_is_null(x) ? lua_isnil(L, -1) : lua_same(L, -1, x, sub);
      lua_pop(L, 1);
      if (!ok) return 0;
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      lua_pop(L, 1);
      if (lua_type(L, -1) != LUA_TSTRING || !json_object_get(want, lua_tostring(L, -1))) {
        lua_pushvalue(L, -1);
        failf("%s: unexpected key %s", path, luaL_tolstring(L, -1, NULL));
        lua_pop(L, 3);
        return 0;
      }
    }
    return 1;
  }
  case JSON_ARRAY: {
    if (t != LUA_TTABLE) return failf("%s: expected a list, got %s", path, lua_typename(L, t));
    size_t n = json_array_size(want);
    if (lua_rawlen(L, idx) != n) return failf("%s: expected %zu items, got %zu", path, n,
                                               (size_t)lua_rawlen(L, idx));
    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) { lua_pop(L, 1); count++; }
    if (count != n) return failf("%s: list has non-sequence keys", path);
    for (size_t i = 0; i < n; i++) {
      snprintf(sub, sizeof sub, "%s[%zu]", path, i + 1);
      lua_rawgeti(L, idx, (lua_Integer)i + 1);
      int ok = lua_same(L, -1, json_array_get(want, i), sub);
      lua_pop(L, 1);
      if (!ok) return 0;
    }
    return 1;
  }
  case JSON_STRING: {
    const char *s = json_string_value(want);
    if (t == LUA_TNUMBER && special_float_eq(lua_tonumber(L, idx), s)) return 1;
    size_t n;
    if (t != LUA_TSTRING) return failf("%s: expected string \"%s\", got %s", path, s,
                                       lua_typename(L, t));
    const char *g = lua_tolstring(L, idx, &n);
    if (n != json_string_length(want) || memcmp(g, s, n))
      return failf("%s: expected \"%s\", got \"%.*s\"", path, s, (int)n, g);
    return 1;
  }
  case JSON_INTEGER:
  case JSON_REAL:
    if (t != LUA_TNUMBER) return failf("%s: expected number %g, got %s", path,
                                       json_number_value(want), lua_typename(L, t));
    if (lua_tonumber(L, idx) != json_number_value(want))
      return failf("%s: expected %.17g, got %.17g", path, json_number_value(want),
                   lua_tonumber(L, idx));
    return 1;
  case JSON_TRUE:
  case JSON_FALSE:
    if (t != LUA_TBOOLEAN || lua_toboolean(L, idx) != json_is_true(want))
      return failf("%s: expected %s", path, json_is_true(want) ? "true" : "false");
    return 1;
  default:
    return t == LUA_TNIL ? 1 : failf("%s: expected null", path);
  }
}

/* Reshapes the error table on top into botocore's form:
   {Error={Code=, Message=}, <modeled members>}. */
static void botocore_error(lua_State *L) {
  int e = lua_gettop(L);
  lua_newtable(L);
  lua_newtable(L);
  lua_getfield(L, e, "code");
  lua_setfield(L, -2, "Code");
  lua_getfield(L, e, "message");
  lua_setfield(L, -2, "Message");
  lua_setfield(L, -2, "Error");
  lua_pushnil(L);
  while (lua_next(L, e)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
    if (!strcmp(k, "code") || !strcmp(k, "message") || !strcmp(k, "status") ||
        !strcmp(k, "request_id")) {
      lua_pop(L, 1);
      continue;
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_settable(L, -4);
  }
  lua_remove(L, e);
}

static int run_output(lua_State *L, const char *proto, json_t *suite, json_t *cs) {
  (void)proto;
  const char *sp = json_string_value(json_object_get(json_object_get(suite, "metadata"),
                                                     "protocol"));
  lf_model *m = case_model(suite, cs, sp && !strcmp(sp, "query"));
  if (!m) return 0;
  const char *op = json_string_value(json_object_get(json_object_get(cs, "given"), "name"));
  json_t *resp = json_object_get(cs, "response");
  lf_response res = {0};
  res.status = (int)json_integer_value(json_object_get(resp, "status_code"));
  json_t *hdrs = json_object_get(resp, "headers");
  res.headers = calloc(json_object_size(hdrs) + 1, sizeof *res.headers);
  const char *k;
  json_t *v;
  json_object_foreach(hdrs, k, v) {
    char *name = strdup(k);
    for (char *c = name; *c; c++) *c = (char)tolower((unsigned char)*c);
    res.headers[res.nheaders].name = name;
    res.headers[res.nheaders].value = strdup(json_string_value(v) ? json_string_value(v) : "");
    res.nheaders++;
  }
  json_t *body = json_object_get(resp, "body");
  int query = !strcmp(lf_model_protocol(m), "query");
  res.body = body ? json_string_value(body) : query ? "<xml/>" : "";
  res.body_len = body ? json_string_length(body) : strlen(res.body);

  int top = lua_gettop(L);
  int rc = lf_parse_response(L, m, op, &res);
  assert_int_equal(lua_gettop(L), top + 1);   /* exactly one value pushed */
  int ok;
  json_t *want;
  if (json_object_get(cs, "error")) {
    want = json_deep_copy(json_object_get(cs, "error"));
    json_t *e = json_object();
    const char *code = json_string_value(json_object_get(cs, "errorCode"));
    const char *msg = json_string_value(json_object_get(cs, "errorMessage"));
    json_object_set_new(e, "Code", json_string(code ? code : ""));
    json_object_set_new(e, "Message", json_string(msg ? msg : ""));
    json_object_set_new(want, "Error", e);
    if (rc != 0) {
      ok = failf("expected an AWS error, lf_parse_response returned %d%s%s", rc,
                 rc < 0 ? ": " : "", rc < 0 ? lua_tostring(L, -1) : "");
    } else {
      botocore_error(L);
      ok = lua_same(L, -1, want, "result");
    }
  } else {
    want = json_incref(json_object_get(cs, "result"));
    if (!want) want = json_object();
    if (rc != 1) {
      lf_buf b = {0};
      if (rc < 0) lf_buf_puts(&b, lua_tostring(L, -1));
      else show_lua(&b, L, -1, 0);
      ok = failf("expected a result, lf_parse_response returned %d: %s", rc, b.p ? b.p : "");
      lf_buf_free(&b);
    } else {
      ok = lua_same(L, -1, want, "result");
    }
  }
  if (!ok && lua_gettop(L) > top) {
    lf_buf b = {0};
    show_lua(&b, L, -1, 0);
    char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
    size_t n = strlen(why);
    snprintf(why + n, sizeof why - n, "\n--- expected\n%s\n--- got\n%s", w ? w : "",
             b.p ? b.p : "");
    free(w);
    lf_buf_free(&b);
  }
  json_decref(want);
  lua_settop(L, top);
  for (size_t i = 0; i < res.nheaders; i++) {
    free(res.headers[i].name);
    free(res.headers[i].value);
  }
  free(res.headers);
  lf_model_free(m);
  return ok;
}

/* ---- driver ---- */

static void run_file(const char *proto, const char *dir) {
  if (!base_dir[0])
    fail_msg("protocols %s %s: no vectors: ../shared/aws-conformance/protocols not found "
             "(set LUAFORM_CONFORMANCE_DIR)", proto, dir);
  char path[4200];
  snprintf(path, sizeof path, "%s/%s/%s.json", base_dir, dir, proto);
  json_error_t je;
  json_t *suites = json_load_file(path, 0, &je);
  if (!suites) fail_msg("%s: %s", path, je.text);
  const char *only = getenv("PROTOCOLS_CASE");   /* debugging: run one case id */
  lua_State *L = luaL_newstate();
  int passed = 0, failed = 0, skipped = 0;
  size_t i, j;
  json_t *suite, *cs;
  json_array_foreach(suites, i, suite) {
    const char *sname = json_string_value(json_object_get(suite, "description"));
    json_array_foreach(json_object_get(suite, "cases"), j, cs) {
      const char *id = json_string_value(json_object_get(cs, "id"));
      if (only && (!id || strcmp(only, id))) continue;
      if (ignored(proto, dir, sname, id)) {
        skipped++;
        if (getenv("PROTOCOLS_IGNORED")) {
          why[0] = 0;
          int ok = !strcmp(dir, "input") ? run_input(L, proto, suite, cs)
                                         : run_output(L, proto, suite, cs);
          printf("ignored %s %s %s: %s%s\n", proto, dir, id ? id : "?",
                 ok ? "would pass" : "fails: ", ok ? "" : why);
        }
        continue;
      }
      why[0] = 0;
      int ok = !strcmp(dir, "input") ? run_input(L, proto, suite, cs)
                                     : run_output(L, proto, suite, cs);
      if (ok) {
        passed++;
        if (verbose) printf("  ok %s\n", id);
      } else {
        failed++;
        printf("FAIL protocols %s %s %s (%s):\n%s\n", proto, dir, id ? id : "?",
               sname ? sname : "?", why);
      }
      assert_int_equal(lua_gettop(L), 0);
    }
  }
  lua_close(L);
  json_decref(suites);
  printf("protocols %s %s: %d passed, %d failed, %d ignored\n", proto, dir, passed, failed,
         skipped);
  assert_true(passed > 0);
  assert_int_equal(failed, 0);
}

/* ---- every operation of the committed models ---- */

/* A value for ref's shape: every member down to depth 3, then only the
   required ones; one item per list and map. */
static json_t *sample(const lf_model *m, json_t *ref, int depth) {
  json_t *shape = lf_shape_of(m, ref);
  const char *type = lf_shape_type(shape);
  if (!strcmp(type, "structure")) {
    json_t *o = json_object(), *mref;
    const char *k;
    if (depth > 12) return o;
    json_object_foreach(json_object_get(shape, "members"), k, mref) {
      int required = in_list(json_object_get(shape, "required"), k);
      if (depth < 3 || required) json_object_set_new(o, k, sample(m, mref, depth + 1));
    }
    return o;
  }
  if (!strcmp(type, "list")) {
    json_t *a = json_array();
    if (depth < 6) json_array_append_new(a, sample(m, json_object_get(shape, "member"), depth + 1));
    return a;
  }
  if (!strcmp(type, "map")) {
    json_t *o = json_object();
    if (depth < 6)
      json_object_set_new(o, "k1", sample(m, json_object_get(shape, "value"), depth + 1));
    return o;
  }
  if (!strcmp(type, "string")) {
    json_t *e = json_array_get(json_object_get(shape, "enum"), 0);
    if (lf_trait_true(m, ref, "jsonvalue")) return json_pack("{s:i}", "a", 1);
    return json_string(e ? json_string_value(e) : "v-1");
  }
  if (!strcmp(type, "integer") || !strcmp(type, "long") || !strcmp(type, "short") ||
      !strcmp(type, "byte")) return json_integer(1);
  if (!strcmp(type, "float") || !strcmp(type, "double")) return json_real(1.5);
  if (!strcmp(type, "boolean")) return json_true();
  if (!strcmp(type, "timestamp")) return json_real(1422172800.25);
  if (!strcmp(type, "blob")) return json_string("blob");
  return json_pack("{s:i}", "a", 1);
}

static int request_well_formed(const char *proto, const lf_request *r) {
  if (!r->method || !r->path || r->path[0] != '/') return failf("bad request line");
  if (r->body_len && (!strcmp(proto, "json") || !strcmp(proto, "rest-json"))) {
    const char *ct = lf_request_header(r, "Content-Type");
    if (ct && strstr(ct, "json")) {
      json_t *j = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
      if (!j) return failf("body is not JSON: %.*s", (int)r->body_len, r->body);
      json_decref(j);
    }
  }
  if (r->body_len && !strcmp(proto, "rest-xml") && lf_request_header(r, "Content-Type") &&
      strstr(lf_request_header(r, "Content-Type"), "xml")) {
    char *c = xml_canonical(r->body, r->body_len);
    if (!c) return failf("body is not XML: %.*s", (int)r->body_len, r->body);
    free(c);
  }
  return 1;
}

/* Every operation of every model in <repo>/models serializes a full sample
   of its input through both front ends into a well-formed request. */
static void models_serialize(void **state) {
  (void)state;
  char exe[2048], dir[4200];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  assert_true(n > 0);
  exe[n] = 0;
  *strrchr(exe, '/') = 0;
  snprintf(dir, sizeof dir, "%s/../../models", exe);
  const char *services[] = {"application-autoscaling", "dynamodb", "ec2", "ecr", "ecs", "elbv2",
                            "iam", "logs", "s3", "sns", "sqs", "sts"};
  int ops = 0, bad = 0;
  lua_State *L = luaL_newstate();
  for (size_t i = 0; i < sizeof services / sizeof *services; i++) {
    char path[4400], err[1024];
    snprintf(path, sizeof path, "%s/%s/service-2.json", dir, services[i]);
    json_t *desc = json_load_file(path, 0, NULL);
    if (!desc) fail_msg("cannot read %s", path);
    lf_model *m = lf_model_new(desc, err, sizeof err);
    assert_non_null(m);
    const char *op;
    json_t *opdef;
    json_object_foreach(json_object_get(desc, "operations"), op, opdef) {
      json_t *in = json_object_get(opdef, "input");
      json_t *params = in ? sample(m, in, 0) : json_object();
      json_t *sorted = sorted_copy(params);
      lf_request a, b;
      ops++;
      int ok = 1;
      why[0] = 0;
      if (lf_serialize_json(sorted, m, op, TOKEN, &a, err, sizeof err) != 0) {
        ok = failf("lf_serialize_json: %s", err);
      } else {
        ok = request_well_formed(lf_model_protocol(m), &a);
        push_params(L, sorted, 0);
        if (lf_serialize(L, -1, m, op, TOKEN, &b, err, sizeof err) != 0) {
          ok = failf("lf_serialize: %s", err);
        } else {
          if (ok && !same_request(&a, &b)) ok = failf("Lua and JSON front ends differ");
          lf_request_free(&b);
        }
        lua_pop(L, 1);
        lf_request_free(&a);
      }
      if (!ok) {
        bad++;
        printf("FAIL models %s %s: %s\n", services[i], op, why);
      }
      json_decref(sorted);
      json_decref(params);
    }
    lf_model_free(m);
    json_decref(desc);
  }
  lua_close(L);
  printf("protocols models: %d operations serialized, %d failed\n", ops, bad);
  assert_true(ops > 1000);
  assert_int_equal(bad, 0);
}

static lf_model *repo_model(const char *svc) {
  char exe[2048], path[4400], err[512];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return NULL;
  exe[n] = 0;
  *strrchr(exe, '/') = 0;
  snprintf(path, sizeof path, "%s/../../models/%s/service-2.json", exe, svc);
  json_t *desc = json_load_file(path, 0, NULL);
  if (!desc) return NULL;
  lf_model *m = lf_model_new(desc, err, sizeof err);
  json_decref(desc);
  return m;
}

/* Serializes the Lua expression `expr` for ec2 operation op; returns the
   lf_serialize result, err filled, the request in *r (free it when 0). */
static int ec2_call(lua_State *L, lf_model *m, const char *op, const char *expr, lf_request *r,
                    char *err, size_t n) {
  char chunk[2048];
  snprintf(chunk, sizeof chunk, "return %s", expr);
  if (luaL_dostring(L, chunk) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  int top = lua_gettop(L);
  int rc = lf_serialize(L, -1, m, op, TOKEN, r, err, n);
  assert_int_equal(lua_gettop(L), top);   /* stack balanced, error or not */
  return rc;
}

/* The Lua front end's contract: errors name the operation and the path,
   before anything is serialized; core.null is absent; missing idempotency
   tokens take the call's token and the caller's table is left as it was. */
static void lua_front_end(void **state) {
  (void)state;
  lf_model *m = repo_model("ec2");
  assert_non_null(m);
  lua_State *L = luaL_newstate();
  lf_request r;
  char err[512];
  assert_int_equal(ec2_call(L, m, "CreateVpc",
                            "{TagSpecifications={{ResourceType='vpc',Tags={{Key=1}}}}}", &r,
                            err, sizeof err), -1);
  assert_string_equal(err, "CreateVpc: TagSpecifications[1].Tags[1].Key: expected string");
  lua_settop(L, 0);
  assert_int_equal(ec2_call(L, m, "CreateVpc", "{CidrBlok='10.0.0.0/16'}", &r, err, sizeof err),
                   -1);
  assert_string_equal(err, "CreateVpc: unknown parameter 'CidrBlok'");
  lua_settop(L, 0);
  assert_int_equal(ec2_call(L, m, "RunInstances", "{MinCount=1}", &r, err, sizeof err), -1);
  assert_string_equal(err, "RunInstances: MaxCount: missing required parameter");
  lua_settop(L, 0);
  assert_int_equal(ec2_call(L, m, "CreateVpc", "{TagSpecifications={1}}", &r, err, sizeof err),
                   -1);
  assert_string_equal(err, "CreateVpc: TagSpecifications[1]: expected table");
  lua_settop(L, 0);
  assert_int_equal(ec2_call(L, m, "NoSuchOp", "{}", &r, err, sizeof err), -1);
  assert_string_equal(err, "unknown operation 'NoSuchOp'");
  lua_settop(L, 0);

  /* core.null is absent */
  assert_int_equal(ec2_call(L, m, "CreateVpc", "{CidrBlock='10.0.0.0/16'}", &r, err,
                            sizeof err), 0);
  lua_pushliteral(L, "x");   /* replaced below by core.null */
  lf_json_push_null(L);
  lua_setfield(L, 1, "Ipv6Pool");
  lua_settop(L, 1);
  lf_request r2;
  assert_int_equal(lf_serialize(L, 1, m, "CreateVpc", TOKEN, &r2, err, sizeof err), 0);
  assert_string_equal(r.body, r2.body);
  assert_string_equal(r.body, "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16");
  lf_request_free(&r);
  lf_request_free(&r2);
  lua_settop(L, 0);

  /* the idempotency token: the call's fills the missing member, and the
     caller's table is not written to */
  assert_int_equal(ec2_call(L, m, "RunInstances", "{MinCount=1, MaxCount=1}", &r, err,
                            sizeof err), 0);
  assert_non_null(strstr(r.body, "&ClientToken=" TOKEN));
  lua_getfield(L, 1, "ClientToken");
  assert_true(lua_isnil(L, -1));
  lua_pop(L, 1);
  lf_request_free(&r);
  /* without a call token each request gets its own UUID v4 */
  assert_int_equal(lf_serialize(L, 1, m, "RunInstances", NULL, &r, err, sizeof err), 0);
  assert_int_equal(lf_serialize(L, 1, m, "RunInstances", NULL, &r2, err, sizeof err), 0);
  const char *t1 = strstr(r.body, "&ClientToken="), *t2 = strstr(r2.body, "&ClientToken=");
  assert_non_null(t1);
  assert_non_null(t2);
  assert_int_equal(strcspn(t1 + 13, "&"), 36);
  assert_int_equal(t1[13 + 14], '4');   /* version 4 */
  assert_string_not_equal(t1, t2);
  lf_request_free(&r);
  lf_request_free(&r2);
  lua_settop(L, 0);
  /* a token in the parameters wins over the call's */
  assert_int_equal(ec2_call(L, m, "RunInstances", "{MinCount=1, MaxCount=1, ClientToken='mine'}",
                            &r, err, sizeof err), 0);
  assert_non_null(strstr(r.body, "&ClientToken=mine"));
  lf_request_free(&r);
  lua_settop(L, 0);
  /* the JSON front end leaves its params unchanged too */
  json_t *jp = json_pack("{s:i,s:i}", "MinCount", 1, "MaxCount", 1);
  assert_int_equal(lf_serialize_json(jp, m, "RunInstances", NULL, &r, err, sizeof err), 0);
  assert_null(json_object_get(jp, "ClientToken"));
  assert_non_null(strstr(r.body, "&ClientToken="));
  lf_request_free(&r);
  json_decref(jp);
  lua_close(L);
  lf_model_free(m);
}

/* Malformed bodies: a 200 that does not parse is -1 with a message (never
   a half result); an error status with an unparsable body (a proxy's HTML)
   is still an AWS error named after the status. */
static void malformed_responses(void **state) {
  (void)state;
  lf_model *q = repo_model("sqs"), *j = repo_model("ecs");
  assert_non_null(q);
  assert_non_null(j);
  lua_State *L = luaL_newstate();
  lf_response bad_xml = {200, NULL, 0, "<GetQueueUrlResponse><GetQueueUrlResult>", 40};
  assert_int_equal(lf_parse_response(L, q, "GetQueueUrl", &bad_xml), -1);
  assert_non_null(strstr(lua_tostring(L, -1), "malformed XML response"));
  lua_settop(L, 0);
  lf_response bad_json = {200, NULL, 0, "{\"clusters\": [", 14};
  assert_int_equal(lf_parse_response(L, j, "DescribeClusters", &bad_json), -1);
  assert_non_null(strstr(lua_tostring(L, -1), "malformed JSON response"));
  lua_settop(L, 0);
  const char *html = "<html><body>502 Bad Gateway</body></html>";
  lf_response proxy = {503, NULL, 0, html, strlen(html)};
  assert_int_equal(lf_parse_response(L, q, "GetQueueUrl", &proxy), 0);
  lua_getfield(L, -1, "code");
  assert_string_equal(lua_tostring(L, -1), "ServiceUnavailable");
  lua_getfield(L, -2, "status");
  assert_int_equal(lua_tointeger(L, -1), 503);
  lua_settop(L, 0);
  lf_response proxy_j = {502, NULL, 0, html, strlen(html)};
  assert_int_equal(lf_parse_response(L, j, "DescribeClusters", &proxy_j), 0);
  lua_getfield(L, -1, "status");
  assert_int_equal(lua_tointeger(L, -1), 502);
  lua_settop(L, 0);
  assert_int_equal(lf_parse_response(L, j, "NoSuchOperation", &proxy_j), -1);
  lua_settop(L, 0);
  /* an operation without output reads no body, as botocore's rest and JSON
     parsers: moto answers S3 PutBucketPolicy with 200 "True" */
  lf_model *s3 = repo_model("s3"), *logs = repo_model("logs");
  assert_non_null(s3);
  assert_non_null(logs);
  lf_response not_xml = {200, NULL, 0, "True", 4};
  assert_int_equal(lf_parse_response(L, s3, "PutBucketPolicy", &not_xml), 1);
  assert_true(lua_istable(L, -1));
  lua_settop(L, 0);
  assert_int_equal(lf_parse_response(L, logs, "PutRetentionPolicy", &not_xml), 1);
  assert_true(lua_istable(L, -1));
  lua_settop(L, 0);
  /* the query protocol still reads it (botocore's QueryParser does) */
  assert_int_equal(lf_parse_response(L, q, "DeleteQueue", &not_xml), -1);
  lua_close(L);
  lf_model_free(q);
  lf_model_free(j);
  lf_model_free(s3);
  lf_model_free(logs);
}

/* JSON bodies write numbers in the fewest digits that read back exactly
   (1.1, not 1.1000000000000001); timestamps keep their milliseconds. */
static void json_numbers(void **state) {
  (void)state;
  json_t *desc = json_pack("{s:{s:s,s:s,s:s},s:{s:{s:s,s:{s:{s:s},s:{s:s},s:{s:s}}},"
                           "s:{s:s},s:{s:s},s:{s:s}},s:{s:{s:s,s:{s:s,s:s},s:{s:s}}}}",
                           "metadata", "protocol", "json", "jsonVersion", "1.1",
                           "targetPrefix", "T",
                           "shapes", "In", "type", "structure", "members",
                           "v", "shape", "D", "t", "shape", "Ts", "n", "shape", "L",
                           "D", "type", "double", "Ts", "type", "timestamp", "L", "type", "long",
                           "operations", "Op", "name", "Op", "http", "method", "POST",
                           "requestUri", "/", "input", "shape", "In");
  assert_non_null(desc);
  char err[256];
  lf_model *m = lf_model_new(desc, err, sizeof err);
  json_decref(desc);
  assert_non_null(m);
  lua_State *L = luaL_newstate();
  assert_int_equal(luaL_dostring(L, "return {v = 1.1, t = 1422172800.123, n = 9007199254740993}"),
                   LUA_OK);
  lf_request r;
  assert_int_equal(lf_serialize(L, -1, m, "Op", TOKEN, &r, err, sizeof err), 0);
  assert_string_equal(r.body, "{\"v\":1.1,\"t\":1422172800.123,\"n\":9007199254740993}");
  lf_request_free(&r);
  lua_close(L);
  lf_model_free(m);
}

/* A response read as the model says becomes JSON again as it came: lists
   (empty or not) are arrays, structures and maps objects, and a document
   keeps its nulls and empty arrays (one pusher of generic JSON,
   lf_json_push; the transport's copy dropped nulls and left arrays
   unmarked). */
static void response_json_round_trip(void **state) {
  (void)state;
  json_t *desc = json_pack("{s:{s:s,s:s,s:s},s:{s:{s:s,s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s}}},"
                           "s:{s:s,s:{s:s}},s:{s:s,s:{s:s},s:{s:s}},s:{s:s},s:{s:s}},"
                           "s:{s:{s:s,s:{s:s,s:s},s:{s:s}}}}",
                           "metadata", "protocol", "json", "jsonVersion", "1.1",
                           "targetPrefix", "T",
                           "shapes", "Out", "type", "structure", "members",
                           "Doc", "shape", "Doc", "Empty", "shape", "L", "One", "shape", "L",
                           "Tags", "shape", "M",
                           "L", "type", "list", "member", "shape", "S",
                           "M", "type", "map", "key", "shape", "S", "value", "shape", "S",
                           "S", "type", "string", "Doc", "type", "document",
                           "operations", "Op", "name", "Op", "http", "method", "POST",
                           "requestUri", "/", "output", "shape", "Out");
  assert_non_null(desc);
  char err[256];
  lf_model *m = lf_model_new(desc, err, sizeof err);
  json_decref(desc);
  assert_non_null(m);
  const char *body = "{\"Doc\":{\"a\":null,\"b\":[],\"c\":[1,null,{}]},\"Empty\":[],"
                     "\"One\":[\"x\"],\"Tags\":{}}";
  lf_response res = {200, NULL, 0, body, strlen(body)};
  lua_State *L = luaL_newstate();
  assert_int_equal(lf_parse_response(L, m, "Op", &res), 1);
  json_t *back = lf_json_from_lua(L, -1, err, sizeof err);
  assert_non_null(back);
  char *text = lf_json_dump(back, JSON_COMPACT | JSON_SORT_KEYS, NULL);
  assert_string_equal(text, "{\"Doc\":{\"a\":null,\"b\":[],\"c\":[1,null,{}]},\"Empty\":[],"
                            "\"One\":[\"x\"],\"Tags\":{}}");
  free(text);
  json_decref(back);
  lua_close(L);
  lf_model_free(m);
}

/* awsQueryCompatible JSON services report the query-era error code. */
static void query_compatible_error(void **state) {
  (void)state;
  json_t *desc = json_pack("{s:{s:s,s:s,s:s,s:{}},s:{s:{s:s}},s:{s:{s:s,s:{s:s,s:s}}}}",
                           "metadata", "protocol", "json", "jsonVersion", "1.0",
                           "targetPrefix", "AmazonSQS", "awsQueryCompatible",
                           "shapes", "S", "type", "string",
                           "operations", "GetQueueUrl", "name", "GetQueueUrl",
                           "http", "method", "POST", "requestUri", "/");
  char err[256];
  lf_model *m = lf_model_new(desc, err, sizeof err);
  json_decref(desc);
  assert_non_null(m);
  lf_header h[] = {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"},
                   {"x-amzn-requestid", "rid-1"}};
  const char *body = "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"nope\"}";
  lf_response res = {400, h, 2, body, strlen(body)};
  lua_State *L = luaL_newstate();
  assert_int_equal(lf_parse_response(L, m, "GetQueueUrl", &res), 0);
  lua_getfield(L, -1, "code");
  assert_string_equal(lua_tostring(L, -1), "AWS.SimpleQueueService.NonExistentQueue");
  lua_getfield(L, -2, "message");
  assert_string_equal(lua_tostring(L, -1), "nope");
  lua_getfield(L, -3, "request_id");
  assert_string_equal(lua_tostring(L, -1), "rid-1");
  lua_close(L);
  lf_model_free(m);
}

static void write_file(const char *path, const char *text, int gz) {
  if (gz) {
    gzFile f = gzopen(path, "wb");
    assert_non_null(f);
    gzputs(f, text);
    gzclose(f);
  } else {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
  }
}

/* LUAFORM_MODELS_PATH: botocore layout, newest version wins, gzipped files
   (pip's botocore) read like plain ones; a bad name or no model is an error. */
static void model_load_path(void **state) {
  (void)state;
  char root[] = "/tmp/lf-models-XXXXXX", p[512], err[512];
  assert_non_null(mkdtemp(root));
  const char *tmpl = "{\"metadata\":{\"protocol\":\"json\",\"apiVersion\":\"%s\","
                     "\"endpointPrefix\":\"tinysvc\"},\"operations\":{},\"shapes\":{}}";
  const char *versions[] = {"2019-01-01", "2021-06-30"};
  for (int i = 0; i < 2; i++) {
    char text[512];
    snprintf(p, sizeof p, "%s/tinysvc", root);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/tinysvc/%s", root, versions[i]);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(text, sizeof text, tmpl, versions[i]);
    snprintf(p, sizeof p, "%s/tinysvc/%s/service-2.json%s", root, versions[i], i ? ".gz" : "");
    write_file(p, text, i);
  }
  snprintf(p, sizeof p, "%s/tinysvc/2021-06-30/waiters-2.json.gz", root);
  write_file(p, "{\"version\":2,\"waiters\":{\"Ready\":{\"delay\":1}}}", 1);
  setenv("LUAFORM_MODELS_PATH", root, 1);
  lf_model *m = lf_model_load("tinysvc", err, sizeof err);
  assert_non_null(m);
  assert_string_equal(lf_model_api_version(m), "2021-06-30");
  assert_non_null(lf_model_waiter(m, "Ready"));
  assert_ptr_equal(lf_model_load("tinysvc", err, sizeof err), m);   /* cached */
  assert_null(lf_model_load("nosuchsvc", err, sizeof err));
  assert_non_null(strstr(err, "no model for service 'nosuchsvc'"));
  assert_null(lf_model_load("../tinysvc", err, sizeof err));
  assert_non_null(strstr(err, "invalid service name"));
  unsetenv("LUAFORM_MODELS_PATH");
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  assert_int_equal(system(cmd), 0);
}

/* S3 as the state backend uses it: an empty object's Body is "" (a
   stream), bytes come back exact, user metadata is a map, ETag is read, a
   HEAD 404 without body is NotFound, a lost conditional write is
   PreconditionFailed; PutObject sends If-None-Match / If-Match;
   GetBucketLocation's root element is the member. */
static void s3_outputs(void **state) {
  (void)state;
  lf_model *m = repo_model("s3");
  assert_non_null(m);
  lua_State *L = luaL_newstate();
  lf_header h[] = {{"x-amz-meta-owner", "team-a"}, {"content-length", "0"},
                   {"x-amz-request-id", "r1"}};
  lf_response res = {200, h, 3, "", 0};
  assert_int_equal(lf_parse_response(L, m, "GetObject", &res), 1);
  lua_getfield(L, -1, "Body");
  assert_string_equal(lua_tostring(L, -1), "");
  lua_getfield(L, -2, "Metadata");
  lua_getfield(L, -1, "owner");
  assert_string_equal(lua_tostring(L, -1), "team-a");
  lua_getfield(L, -4, "ContentLength");
  assert_int_equal(lua_tointeger(L, -1), 0);
  assert_true(lua_isinteger(L, -1));
  lua_settop(L, 0);
  lf_header gh[] = {{"etag", "\"9b2cf535f27731c974343645a3985328\""}};
  lf_response got = {200, gh, 1, "state-bytes\0x", 13};
  assert_int_equal(lf_parse_response(L, m, "GetObject", &got), 1);
  lua_getfield(L, -1, "Body");
  size_t bn;
  const char *b = lua_tolstring(L, -1, &bn);
  assert_int_equal(bn, 13);
  assert_memory_equal(b, "state-bytes\0x", 13);
  lua_getfield(L, -2, "ETag");
  assert_string_equal(lua_tostring(L, -1), "\"9b2cf535f27731c974343645a3985328\"");
  lua_settop(L, 0);
  lf_response pf = {412, h + 2, 1, "", 0};   /* conditional write lost */
  assert_int_equal(lf_parse_response(L, m, "PutObject", &pf), 0);
  lua_getfield(L, -1, "code");
  assert_string_equal(lua_tostring(L, -1), "PreconditionFailed");
  lua_settop(L, 0);
  const char *pfb = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>PreconditionFailed"
                    "</Code><Message>At least one of the pre-conditions you specified did not hold"
                    "</Message><Condition>If-Match</Condition><RequestId>R2</RequestId></Error>";
  lf_response pf2 = {412, NULL, 0, pfb, strlen(pfb)};
  assert_int_equal(lf_parse_response(L, m, "PutObject", &pf2), 0);
  lua_getfield(L, -1, "code");
  assert_string_equal(lua_tostring(L, -1), "PreconditionFailed");
  lua_getfield(L, -2, "request_id");
  assert_string_equal(lua_tostring(L, -1), "R2");
  lua_settop(L, 0);

  const char *loc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns="
                    "\"http://s3.amazonaws.com/doc/2006-03-01/\">eu-west-1</LocationConstraint>";
  lf_response lr = {200, NULL, 0, loc, strlen(loc)};
  assert_int_equal(lf_parse_response(L, m, "GetBucketLocation", &lr), 1);
  lua_getfield(L, -1, "LocationConstraint");
  assert_string_equal(lua_tostring(L, -1), "eu-west-1");
  lua_settop(L, 0);

  /* conditional writes (overlay in tools/trim_models.py) */
  char err[512];
  lf_request r;
  assert_int_equal(luaL_dostring(L, "return {Bucket='st', Key='env/prod.json', Body='{}',"
                                    " IfNoneMatch='*'}"), LUA_OK);
  assert_int_equal(lf_serialize(L, -1, m, "PutObject", TOKEN, &r, err, sizeof err), 0);
  assert_string_equal(r.method, "PUT");
  assert_string_equal(r.path, "/st/env/prod.json");
  assert_string_equal(lf_request_header(&r, "If-None-Match"), "*");
  assert_int_equal(r.body_len, 2);
  lf_request_free(&r);
  lua_settop(L, 0);
  assert_int_equal(luaL_dostring(L, "return {Bucket='st', Key='k', Body='x', IfMatch='\"e1\"'}"),
                   LUA_OK);
  assert_int_equal(lf_serialize(L, -1, m, "PutObject", TOKEN, &r, err, sizeof err), 0);
  assert_string_equal(lf_request_header(&r, "If-Match"), "\"e1\"");
  lf_request_free(&r);
  lua_settop(L, 0);
  lf_response nf = {404, h + 2, 1, "", 0};
  assert_int_equal(lf_parse_response(L, m, "HeadObject", &nf), 0);
  lua_getfield(L, -1, "code");
  assert_string_equal(lua_tostring(L, -1), "NotFound");
  lua_getfield(L, -2, "request_id");
  assert_string_equal(lua_tostring(L, -1), "r1");
  lua_close(L);
  lf_model_free(m);
}

/* S3 refuses PutBucketTagging without a body checksum: Content-MD5 is the
   base64 MD5 of the very body sent. */
static void s3_checksum_required(void **state) {
  (void)state;
  char err[512];
  lf_model *m = repo_model("s3");
  assert_non_null(m);
  json_t *params = json_pack("{s:s,s:{s:[{s:s,s:s}]}}", "Bucket", "b1", "Tagging", "TagSet",
                             "Key", "env", "Value", "prod");
  lf_request r;
  assert_int_equal(lf_serialize_json(params, m, "PutBucketTagging", TOKEN, &r, err, sizeof err), 0);
  assert_string_equal(r.path, "/b1?tagging");
  assert_non_null(strstr(r.body, "<Key>env</Key><Value>prod</Value>"));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdn = 0;
  EVP_Digest(r.body, r.body_len, md, &mdn, EVP_md5(), NULL);
  char *want = lf_base64_encode(md, mdn);
  assert_string_equal(lf_request_header(&r, "Content-MD5"), want);
  free(want);
  lf_request_free(&r);
  /* an operation without the trait gets none */
  json_decref(params);
  params = json_pack("{s:s}", "Bucket", "b1");
  assert_int_equal(lf_serialize_json(params, m, "GetBucketTagging", TOKEN, &r, err, sizeof err), 0);
  assert_null(lf_request_header(&r, "Content-MD5"));
  lf_request_free(&r);
  json_decref(params);
  lf_model_free(m);
}

#define PROTO_TESTS(fn, proto)                                             \
  static void fn##_input(void **s) { (void)s; run_file(proto, "input"); }   \
  static void fn##_output(void **s) { (void)s; run_file(proto, "output"); }
PROTO_TESTS(ec2, "ec2")
PROTO_TESTS(query, "query")
PROTO_TESTS(json11, "json")
PROTO_TESTS(json10, "json_1_0")
PROTO_TESTS(rest_json, "rest-json")
PROTO_TESTS(rest_xml, "rest-xml")

int main(void) {
  find_vectors();
  verbose = getenv("PROTOCOLS_VERBOSE") != NULL;
  if (base_dir[0]) {
    char path[4200];
    snprintf(path, sizeof path, "%s/ignore-list.json", base_dir);
    ignore_list = json_load_file(path, 0, NULL);
    if (!ignore_list) ignore_list = json_object();
  }
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(ec2_input),       cmocka_unit_test(ec2_output),
    cmocka_unit_test(query_input),     cmocka_unit_test(query_output),
    cmocka_unit_test(json11_input),    cmocka_unit_test(json11_output),
    cmocka_unit_test(json10_input),    cmocka_unit_test(json10_output),
    cmocka_unit_test(rest_json_input), cmocka_unit_test(rest_json_output),
    cmocka_unit_test(rest_xml_input),  cmocka_unit_test(rest_xml_output),
    cmocka_unit_test(models_serialize), cmocka_unit_test(s3_checksum_required),
    cmocka_unit_test(lua_front_end),    cmocka_unit_test(s3_outputs),
    cmocka_unit_test(model_load_path),  cmocka_unit_test(malformed_responses),
    cmocka_unit_test(json_numbers),    cmocka_unit_test(response_json_round_trip),
    cmocka_unit_test(query_compatible_error),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  json_decref(ignore_list);
  return rc;
}

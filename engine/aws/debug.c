/*
 * debug.c - what LUAFORM_LOG=debug shows of an AWS call, the header
 * redaction it shares with the dry-run view (client:prepare,
 * `luaform aws --dry-run`), and the parameter redaction of `luaform run
 * -dry-run` (lf_push_redacted: the calls it holds back, secrets replaced).
 *
 * Each attempt logs its request (method, URL, Host and the signed headers)
 * and its response (status, headers), each with the body cut at
 * LF_DEBUG_BODY_MAX bytes, control bytes escaped, on stderr. Secrets never
 * appear: Authorization keeps its scope and signed header names but not the
 * key id nor the signature, X-Amz-Security-Token and SSE-C keys are replaced,
 * and a body is withheld (its size shown) when the operation's input (for
 * the request) or output (for a 2xx response) can carry a secret: a member
 * whose shape is marked sensitive, or one named like the credentials and
 * passwords AWS returns (STS's models do not mark those). The same test
 * (secret_member) picks the members lf_push_redacted replaces by
 * "(sensitive)" in a copy of a call's parameters.
 */
#include "transport.h"
#include "aws_int.h"
#include "luaform/json.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LF_DEBUG_BODY_MAX 2048

int lf_aws_debug(void) {
  static int v = -1;
  if (v < 0) {
    const char *s = getenv("LUAFORM_LOG");
    v = s && strcasecmp(s, "debug") == 0;
  }
  return v;
}

/* "AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=h, Signature=hex"
   -> the key id and signature replaced; anything else: wholly replaced. */
static void redact_authorization(const char *v, lf_buf *out) {
  const char *cred = strstr(v, "Credential="), *sig = strstr(v, "Signature=");
  const char *slash = cred ? strchr(cred, '/') : NULL;
  if (!cred || !sig || !slash || slash > sig) {
    lf_buf_puts(out, "<redacted>");
    return;
  }
  lf_buf_add(out, v, (size_t)(cred - v) + 11);
  lf_buf_puts(out, "<redacted>");
  lf_buf_add(out, slash, (size_t)(sig - slash));
  lf_buf_puts(out, "Signature=<redacted>");
}

const char *lf_redact_header(const char *name, const char *value, char *buf, size_t n) {
  lf_buf b = {0};
  if (strcasecmp(name, "authorization") == 0) {
    redact_authorization(value, &b);
  } else if (strcasecmp(name, "x-amz-security-token") == 0 ||
             (strcasestr(name, "customer-key") && !strcasestr(name, "customer-key-md5"))) {
    lf_buf_puts(&b, "<redacted>");
  } else {
    return value;
  }
  char *s = lf_buf_take(&b);
  /* cut rather than leak: a value too long for buf is wholly replaced */
  if (!s || strlen(s) >= n) snprintf(buf, n, "<redacted>");
  else memcpy(buf, s, strlen(s) + 1);
  free(s);
  return buf;
}

/* Member names that hold secrets in models that do not mark them sensitive. */
static int secret_name(const char *name) {
  static const char *const names[] = {"SecretAccessKey", "SessionToken", "SecretKey",
    "Password", "NewPassword", "OldPassword", "PasswordData", "PrivateKey", "PrivateKeyMaterial",
    "KeyMaterial", "WebIdentityToken", "SAMLAssertion", "SecretString", "SecretBinary",
    "AuthorizationToken", "Token", NULL};
  for (int i = 0; names[i]; i++)
    if (strcasecmp(names[i], name) == 0) return 1;
  return 0;
}

/* Is the structure member name (reference mref) a secret as a whole? */
static int secret_member(const lf_model *m, const char *name, json_t *mref) {
  return secret_name(name) || lf_trait_true(m, mref, "sensitive");
}

static int carries_secret(const lf_model *m, json_t *ref, json_t *seen, int depth) {
  const char *sname = json_string_value(json_object_get(ref, "shape"));
  json_t *shape = lf_shape_of(m, ref);
  if (!shape || depth > 64) return 0;
  if (lf_trait_true(m, ref, "sensitive")) return 1;
  if (json_object_get(seen, sname)) return 0;
  json_object_set_new(seen, sname, json_true());
  const char *type = lf_shape_type(shape);
  if (!strcmp(type, "structure")) {
    const char *k;
    json_t *mref;
    json_object_foreach(json_object_get(shape, "members"), k, mref)
      if (secret_member(m, k, mref) || carries_secret(m, mref, seen, depth + 1)) return 1;
    return 0;
  }
  if (!strcmp(type, "list")) return carries_secret(m, json_object_get(shape, "member"), seen, depth + 1);
  if (!strcmp(type, "map"))
    return carries_secret(m, json_object_get(shape, "key"), seen, depth + 1) ||
           carries_secret(m, json_object_get(shape, "value"), seen, depth + 1);
  return 0;
}

/* Can op's "input" or "output" hold a secret? */
static int op_carries_secret(const lf_model *m, const char *op, const char *which) {
  json_t *ref = json_object_get(lf_model_operation(m, op), which);
  if (!ref) return 0;
  json_t *seen = json_object();
  int r = carries_secret(m, ref, seen, 0);
  json_decref(seen);
  return r;
}

#define LF_REDACTED "(sensitive)"

static void push_redacted(lua_State *L, int idx, const lf_model *m, json_t *ref, int depth);

/* The structure at idx (a table): each member copied, secret ones replaced.
   Keys the model does not know are copied as they are (the serializer
   refuses them before anything is sent). */
static void push_redacted_structure(lua_State *L, int idx, const lf_model *m, json_t *members,
                                    int depth) {
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    json_t *mref = k ? json_object_get(members, k) : NULL;
    lua_pushvalue(L, -2);                       /* key */
    if (mref && secret_member(m, k, mref)) lua_pushliteral(L, LF_REDACTED);
    else if (mref) push_redacted(L, lua_absindex(L, -2), m, mref, depth + 1);
    else lua_pushvalue(L, -2);
    lua_settable(L, -5);
    lua_pop(L, 1);                              /* value */
  }
}

/* The list or map at idx: each element copied through the element shape. */
static void push_redacted_elements(lua_State *L, int idx, const lf_model *m, json_t *eref,
                                   int depth) {
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pushvalue(L, -2);
    push_redacted(L, lua_absindex(L, -2), m, eref, depth + 1);
    lua_settable(L, -5);
    lua_pop(L, 1);
  }
}

/* Pushes a copy of the value at idx, shaped by ref, with secret members replaced. */
static void push_redacted(lua_State *L, int idx, const lf_model *m, json_t *ref, int depth) {
  json_t *shape = lf_shape_of(m, ref);
  if (shape && (depth > 64 || lf_trait_true(m, ref, "sensitive"))) {
    lua_pushliteral(L, LF_REDACTED);
    return;
  }
  if (lua_type(L, idx) != LUA_TTABLE || !shape) { lua_pushvalue(L, idx); return; }
  luaL_checkstack(L, 6, "redacting parameters");
  const char *type = lf_shape_type(shape);
  if (!strcmp(type, "structure"))
    push_redacted_structure(L, idx, m, json_object_get(shape, "members"), depth);
  else if (!strcmp(type, "list")) {
    push_redacted_elements(L, idx, m, json_object_get(shape, "member"), depth);
    lf_json_mark_array(L);   /* printed as [] also when empty */
  }
  else if (!strcmp(type, "map"))
    push_redacted_elements(L, idx, m, json_object_get(shape, "value"), depth);
  else
    lua_pushvalue(L, idx);
}

void lf_push_redacted(lua_State *L, int idx, const lf_model *m, const char *op) {
  idx = lua_absindex(L, idx);
  push_redacted(L, idx, m, json_object_get(lf_model_operation(m, op), "input"), 0);
}

/* Body text on one line: control bytes and non-ASCII escaped, cut at the limit. */
static void put_body(FILE *f, const char *b, size_t n, int withheld) {
  if (!n) { fputs("[debug]   (no body)\n", f); return; }
  if (withheld) {
    fprintf(f, "[debug]   body: %zu bytes, not shown (the operation carries secrets)\n", n);
    return;
  }
  size_t show = n < LF_DEBUG_BODY_MAX ? n : LF_DEBUG_BODY_MAX;
  fprintf(f, "[debug]   body (%zu bytes): ", n);
  for (size_t i = 0; i < show; i++) {
    unsigned char c = (unsigned char)b[i];
    if (c == '\n') fputs("\\n", f);
    else if (c == '\r') fputs("\\r", f);
    else if (c == '\t') fputs("\\t", f);
    else if (c < 0x20 || c >= 0x7f) fprintf(f, "\\x%02x", c);
    else fputc(c, f);
  }
  if (show < n) fprintf(f, " ... (%zu more bytes)", n - show);
  fputc('\n', f);
}

static void put_headers(FILE *f, const lf_header *h, size_t n) {
  char buf[1024];
  for (size_t i = 0; i < n; i++)
    fprintf(f, "[debug]   %s: %s\n", h[i].name,
            lf_redact_header(h[i].name, h[i].value, buf, sizeof buf));
}

void lf_debug_request(const lf_model *m, const char *service, const char *op, int attempt,
                      const lf_request *req, const char *url, const char *host) {
  FILE *f = stderr;
  fprintf(f, "[debug] aws %s %s attempt %d request: %s %s\n", service, op, attempt, req->method,
          url);
  fprintf(f, "[debug]   Host: %s\n", host);
  put_headers(f, req->headers, req->nheaders);
  put_body(f, req->body, req->body_len, op_carries_secret(m, op, "input"));
}

void lf_debug_response(const lf_model *m, const char *op, const lf_http_response *r) {
  FILE *f = stderr;
  put_headers(f, r->headers, r->nheaders);
  int ok = r->status >= 200 && r->status < 300;
  put_body(f, r->body, r->body_len, ok && op_carries_secret(m, op, "output"));
}

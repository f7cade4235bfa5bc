/*
 * client.c - the AWS client's Lua binding: one logical call end to end.
 *
 *   core.aws_client(service, cfg) -> handle    model (lazy, cached) + endpoint
 *   core.aws_call(handle, op, params, creds)   -> output table, or raises an
 *                                                 error table (see below)
 *   core.aws_info / aws_operations / aws_has_operation / aws_paginator /
 *   aws_waiter / aws_waiter_names              model facts for luaform.aws
 *   core.aws_redact(handle, op, params)        params, secret members replaced
 *   core.aws_http{method,url,headers,body,...} -> {status,headers,body} | nil, msg
 *                                                 (raw HTTP for metadata endpoints)
 *
 * A call serializes once (idempotency tokens the params leave out get
 * opts.token, else one UUID v4: made once per logical call, never written into
 * params), then loops: sign (fresh X-Amz-Date) -> HTTP on the
 * loop -> parse -> maybe retry after a backoff timer. A call allowed one
 * attempt only (max_attempts = 1: creates without a token) goes on a fresh
 * connection, because libcurl silently resends a request whose reused
 * connection closed before any answer. A clock-skew error whose Date header
 * is over 4 minutes from our clock sets the client's skew (later signatures
 * use the server's time) and is re-sent at once, as the SDKs do. Each wait is an
 * lf_wait whose push function runs on the calling coroutine and either
 * returns the result or starts the next wait, so the coroutine stays parked
 * for the whole call and other tasks run meanwhile.
 *
 * Errors are tables {code, message, status, request_id, service, operation,
 * attempts, unanswered_attempt (an earlier attempt got no answer, so the
 * call may have been applied although the last one was refused)} with the
 * metatable "luaform.aws_error" (__tostring gives one line). Credentials live in the call only as long as it runs and are wiped
 * when it ends. LUAFORM_LOG=debug logs each attempt's request and response
 * through debug.c, which redacts or withholds every secret.
 */
#include "transport.h"
#include "aws_int.h"
#include "luaform/json.h"
#include "luaform/luaform.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CLIENT_MT "luaform.aws_client"
#define ERROR_MT "luaform.aws_error"

typedef struct {
  lf_model *m;
  char service[64];
  char region[64];
  lf_endpoint ep;
  char base_path[256];       /* path part of an override URL, no trailing '/' */
  int max_attempts;
  int insecure;
  long connect_timeout_ms, timeout_ms;
  double retry_base;         /* seconds; the SDK's 1 */
  long skew;                 /* server clock - ours, learned from a clock-skew error */
  lf_retry_quota quota;
} client;

typedef struct {
  client *c;
  int client_ref;            /* keeps the handle alive during the call */
  char op[128];
  lf_request req;
  char *url;
  char *host;                /* Host header: bucket and host prefix included */
  lf_credentials cred;       /* strdup'd, wiped on free; access_key NULL: anonymous */
  int attempt, max_attempts, retried_cls, unsigned_payload, skew_fixed;
  int throttles_only;        /* opts.throttles_only: only a throttled answer is re-sent */
  int unanswered;            /* an attempt got no answer: it may have been applied */
  char retry_codes[LF_RETRY_CODES_MAX][64];   /* opts.retry_codes: this call's "try again" codes */
  int nretry_codes;
  lf_wait *wait;
  lf_http_response *res;
  lf_loop *loop;
} call;

static char *dup_or_null(const char *s) { return s ? lf_xstrdup(s) : NULL; }

/* snprintf(dst, n, "%s", src) without the formatting machinery (request path). */
static void copy_str(char *dst, size_t n, const char *src) {
  size_t len = strlen(src);
  if (len >= n) len = n - 1;
  memcpy(dst, src, len);
  dst[len] = '\0';
}

static void call_free(lua_State *L, call *k) {
  lf_request_free(&k->req);
  free(k->url);
  free(k->host);
  lf_free_secret((char *)k->cred.access_key);
  lf_free_secret((char *)k->cred.secret_key);
  lf_free_secret((char *)k->cred.session_token);
  lf_http_response_free(k->res);
  luaL_unref(L, LUA_REGISTRYINDEX, k->client_ref);
  free(k);
}

/* ---- errors ---- */

static int error_tostring(lua_State *L) {
  /* Fields first: the buffer must own the top of the stack once started. */
  const char *f[] = {"service", "operation", "code", "message", "request_id"};
  const char *v[5];
  for (int i = 0; i < 5; i++) {
    lua_getfield(L, 1, f[i]);
    v[i] = lua_tostring(L, -1);
  }
  lua_getfield(L, 1, "status");
  lua_Integer status = lua_tointeger(L, -1);
  lua_getfield(L, 1, "attempts");
  lua_Integer attempts = lua_tointeger(L, -1);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  if (v[0]) { luaL_addstring(&b, v[0]); luaL_addchar(&b, ' '); }
  if (v[1]) { luaL_addstring(&b, v[1]); luaL_addstring(&b, ": "); }
  luaL_addstring(&b, v[2] ? v[2] : "Unknown");
  if (v[3] && *v[3]) { luaL_addstring(&b, ": "); luaL_addstring(&b, v[3]); }
  char tail[200] = "";
  size_t n = 0;
  if (status) n += (size_t)snprintf(tail + n, sizeof tail - n, "status %lld", (long long)status);
  if (v[4] && n < sizeof tail)
    n += (size_t)snprintf(tail + n, sizeof tail - n, "%srequest id %.80s", n ? ", " : "", v[4]);
  if (attempts > 1 && n < sizeof tail)
    n += (size_t)snprintf(tail + n, sizeof tail - n, "%s%lld attempts", n ? ", " : "",
                          (long long)attempts);
  if (n) { luaL_addstring(&b, " ("); luaL_addstring(&b, tail); luaL_addchar(&b, ')'); }
  luaL_pushresult(&b);
  return 1;
}

/* Completes the error table on top of L and raises it. */
static int raise_error(lua_State *L, const char *service, const char *op, int attempts) {
  lua_pushstring(L, service);
  lua_setfield(L, -2, "service");
  lua_pushstring(L, op);
  lua_setfield(L, -2, "operation");
  if (attempts > 0) {
    lua_pushinteger(L, attempts);
    lua_setfield(L, -2, "attempts");
  }
  luaL_setmetatable(L, ERROR_MT);
  return lua_error(L);
}

static int raise_simple(lua_State *L, const char *service, const char *op, const char *code,
                        const char *msg, int attempts) {
  lua_createtable(L, 0, 6);
  lua_pushstring(L, code);
  lua_setfield(L, -2, "code");
  lua_pushstring(L, msg);
  lua_setfield(L, -2, "message");
  return raise_error(L, service, op, attempts);
}

/* ---- the call state machine ---- */

static int start_attempt(lua_State *L, call *k);
static int push_response(lua_State *L, void *ud);

static void on_http(void *ud, lf_http_response *res) {
  call *k = ud;
  k->res = lf_http_response_take(res);
  lf_wait_done(k->wait, push_response, k);
}

static int push_retry(lua_State *L, void *ud) { return start_attempt(L, ud); }

static void on_backoff(void *ud) {
  call *k = ud;
  lf_wait_done(k->wait, push_retry, k);
}

static void debug_line(call *k, const char *what) {
  if (!lf_aws_debug()) return;
  lf_http_response *r = k->res;
  fprintf(stderr, "[debug] aws %s %s %s %s attempt %d: %s (%.1f ms, %zu bytes)\n",
          k->c->service, k->op, k->req.method, k->url, k->attempt, what,
          r ? r->seconds * 1000.0 : 0.0, r ? r->body_len : 0);
  if (r && r->rc == CURLE_OK) lf_debug_response(k->c->m, k->op, r);
}

/* Errors that mean "your X-Amz-Date is too far from my clock". */
static int is_skew_error(const char *code) {
  static const char *const codes[] = {"RequestTimeTooSkewed", "RequestExpired",
    "RequestInTheFuture", "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure", NULL};
  for (int i = 0; codes[i]; i++)
    if (strcmp(codes[i], code) == 0) return 1;
  return 0;
}

/* When the response's Date is more than 4 minutes from our clock, remember the
   difference (signatures then use the server's time) and return 1. */
static int learn_skew(client *c, const lf_http_response *r) {
  const char *date = lf_http_header(r, "date");
  double server;
  if (!date || lf_parse_timestamp(date, &server) != 0) return 0;
  long diff = (long)(server - (double)time(NULL));
  if (labs(diff - c->skew) <= 240) return 0;
  c->skew = diff;
  return 1;
}

/* Is code one of the call's own "eventually consistent, try again" codes? */
static int call_retry_code(const call *k, const char *code) {
  for (int i = 0; i < k->nretry_codes; i++)
    if (strcmp(k->retry_codes[i], code) == 0) return 1;
  return 0;
}

static int push_response(lua_State *L, void *ud) {
  call *k = ud;
  client *c = k->c;
  lf_http_response *r = k->res;
  int cls, parsed = -2;
  char what[CURL_ERROR_SIZE + 16] = "";
  if (r->rc != CURLE_OK) {
    k->unanswered = 1;
    cls = lf_retry_class(0, NULL, r->rc);
    if (lf_aws_debug()) snprintf(what, sizeof what, "%s", r->error);
    lua_createtable(L, 0, 6);
    lua_pushstring(L, r->rc == CURLE_OPERATION_TIMEDOUT ? "RequestTimeout" : "NetworkError");
    lua_setfield(L, -2, "code");
    lua_pushstring(L, r->error);
    lua_setfield(L, -2, "message");
  } else {
    lf_response resp = {r->status, r->headers, r->nheaders, r->body, r->body_len};
    parsed = lf_parse_response(L, c->m, k->op, &resp);
    if (lf_aws_debug()) snprintf(what, sizeof what, "status %d", r->status);
    if (parsed == 1) {
      debug_line(k, what);
      lf_retry_quota_release(&c->quota, k->retried_cls);
      call_free(L, k);
      return 1;
    }
    if (parsed == 0) {
      lua_getfield(L, -1, "code");
      const char *code = lua_tostring(L, -1);
      if (!k->skew_fixed && code && is_skew_error(code) && learn_skew(c, r)) {
        /* Re-signed with the server's time at once; not counted as an attempt. */
        lua_pop(L, 2);
        debug_line(k, "clock skew: re-signing with the server's time");
        k->skew_fixed = 1;
        k->attempt--;
        lf_http_response_free(k->res);
        k->res = NULL;
        return start_attempt(L, k);
      }
      cls = lf_retry_class(r->status, code, CURLE_OK);
      if (k->throttles_only && cls != LF_RETRY_THROTTLE) cls = LF_RETRY_NO;
      /* An answered 4xx of the call's own codes was not applied: safe to re-send. */
      if (cls == LF_RETRY_NO && code && call_retry_code(k, code)) cls = LF_RETRY_TRANSIENT;
      lua_pop(L, 1);
    } else {
      /* Unparsable body: a transient 5xx page, or a protocol mismatch. */
      cls = lf_retry_class(r->status, NULL, CURLE_OK);
      const char *msg = lua_tostring(L, -1);
      lua_createtable(L, 0, 6);
      lua_pushstring(L, "InvalidResponse");
      lua_setfield(L, -2, "code");
      lua_pushstring(L, msg ? msg : "unparsable response");
      lua_setfield(L, -2, "message");
      lua_pushinteger(L, r->status);
      lua_setfield(L, -2, "status");
      lua_remove(L, -2);
    }
  }
  debug_line(k, what);
  if (k->throttles_only && parsed != 0 && cls != LF_RETRY_THROTTLE) cls = LF_RETRY_NO;
  if (cls != LF_RETRY_NO && k->attempt < k->max_attempts && lf_retry_quota_take(&c->quota, cls)) {
    lua_pop(L, 1);
    k->retried_cls = cls;
    lf_http_response_free(k->res);
    k->res = NULL;
    double delay = lf_retry_delay(k->attempt, c->retry_base);
    k->wait = lf_wait_new(L);
    lf_loop_add_timer(k->loop, delay, on_backoff, k);
    return lf_await(L, k->wait);
  }
  char service[64], op[128];
  snprintf(service, sizeof service, "%s", c->service);
  snprintf(op, sizeof op, "%s", k->op);
  int attempts = k->attempt, unanswered = k->unanswered;
  call_free(L, k);
  if (unanswered) {   /* an answered last error does not prove the call was never applied */
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "unanswered_attempt");
  }
  return raise_error(L, service, op, attempts);
}

static int start_attempt(lua_State *L, call *k) {
  client *c = k->c;
  k->attempt++;
  if (k->cred.access_key &&
      lf_sigv4_sign(&k->req, k->host, c->ep.signing_name, c->ep.signing_region, &k->cred,
                    time(NULL) + c->skew, k->unsigned_payload) != 0) {
    char service[64], op[128];
    snprintf(service, sizeof service, "%s", c->service);
    snprintf(op, sizeof op, "%s", k->op);
    call_free(L, k);
    return raise_simple(L, service, op, "SigningError", "could not sign the request", 0);
  }
  lf_http_request h = {
    .method = k->req.method, .url = k->url,
    .headers = k->req.headers, .nheaders = k->req.nheaders,
    .body = k->req.body, .body_len = k->req.body_len,
    .connect_timeout_ms = c->connect_timeout_ms, .timeout_ms = c->timeout_ms,
    .insecure = c->insecure, .fresh_connect = k->max_attempts == 1 || k->throttles_only,
  };
  if (lf_aws_debug()) lf_debug_request(c->m, c->service, k->op, k->attempt, &k->req, k->url, k->host);
  k->wait = lf_wait_new(L);
  lf_http_start(k->loop, &h, on_http, k);
  return lf_await(L, k->wait);
}

static int opt_int(lua_State *L, int t, const char *k, int dflt) {
  lua_getfield(L, t, k);
  int v = lua_isnumber(L, -1) ? (int)lua_tointeger(L, -1) : dflt;
  lua_pop(L, 1);
  return v;
}

static client *check_client(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, CLIENT_MT);
}

static const char *opt_field_str(lua_State *L, int t, const char *k, char *buf, size_t n) {
  lua_getfield(L, t, k);
  const char *s = lua_tostring(L, -1);
  if (s) snprintf(buf, n, "%s", s);
  lua_pop(L, 1);
  return s ? buf : NULL;
}

/* opts.retry_codes (a list of strings, at most LF_RETRY_CODES_MAX kept) and
   opts.throttles_only into the call. */
static void read_retry_opts(lua_State *L, int t, call *k) {
  lua_getfield(L, t, "throttles_only");
  k->throttles_only = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (lua_getfield(L, t, "retry_codes") == LUA_TTABLE) {
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = 1; i <= n && k->nretry_codes < LF_RETRY_CODES_MAX; i++) {
      lua_rawgeti(L, -1, i);
      const char *s = lua_tostring(L, -1);
      if (s) copy_str(k->retry_codes[k->nretry_codes++], sizeof k->retry_codes[0], s);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
}

/* The target: URL and Host for this request (S3 virtual host, host prefix). */
static void call_target(const char *bucket, call *k) {
  client *c = k->c;
  lf_buf url = {0};
  const char *path = k->req.path && *k->req.path ? k->req.path : "/";
  lf_buf host = {0};   /* grows: a bucket, a host prefix and the host fit whatever their length */
  lf_buf_puts(&host, c->ep.host);
  int https = strncasecmp(c->ep.url, "https:", 6) == 0;

  if (strcmp(c->service, "s3") == 0 && !c->ep.s3_path_style && bucket) {
    const char *b = bucket;
    size_t bl = strlen(b);
    if (b && lf_s3_bucket_dns_ok(b) && path[0] == '/' && strncmp(path + 1, b, bl) == 0 &&
        (path[1 + bl] == '/' || path[1 + bl] == '?' || path[1 + bl] == 0)) {
      lf_buf_free(&host);
      lf_buf_printf(&host, "%s.%s", b, c->ep.host);
      path += 1 + bl;
      if (*path != '/') {   /* "/bucket?x" -> "/?x" */
        lf_buf p = {0};
        lf_buf_putc(&p, '/');
        lf_buf_puts(&p, path);
        free(k->req.path);
        k->req.path = lf_buf_take(&p);
        path = k->req.path;
      } else {
        char *np = lf_xstrdup(path);
        free(k->req.path);
        k->req.path = np;
        path = np;
      }
    }
  }
  if (k->req.host_prefix && *k->req.host_prefix && !c->ep.overridden) {
    lf_buf prefixed = {0};
    lf_buf_printf(&prefixed, "%s%s", k->req.host_prefix, host.p);
    lf_buf_free(&host);
    host = prefixed;
  }
  if (c->base_path[0]) {   /* the override URL's path is part of what is signed */
    lf_buf p = {0};
    lf_buf_puts(&p, c->base_path);
    lf_buf_puts(&p, path);
    free(k->req.path);
    k->req.path = lf_buf_take(&p);
    path = k->req.path;
  }
  lf_buf_puts(&url, https ? "https://" : "http://");
  lf_buf_puts(&url, host.p);
  lf_buf_puts(&url, path);
  /* host carries a non-default port already (lf_url_host) */
  k->url = lf_buf_take(&url);
  k->host = lf_buf_take(&host);
}

static void set_str(lua_State *L, const char *k, const char *v) {
  if (!v) return;
  lua_pushstring(L, v);
  lua_setfield(L, -2, k);
}

/* opts.dry_run: the signed request as a table {method, url, host, headers, body}, not sent;
   headers redacted as in the debug log (lf_redact_header: key id, signature, token). */
static int push_prepared(lua_State *L, call *k) {
  client *c = k->c;
  if (k->cred.access_key)
    lf_sigv4_sign(&k->req, k->host, c->ep.signing_name, c->ep.signing_region, &k->cred,
                  time(NULL) + c->skew, k->unsigned_payload);
  lua_createtable(L, 0, 5);
  set_str(L, "method", k->req.method);
  set_str(L, "url", k->url);
  set_str(L, "host", k->host);
  lua_pushlstring(L, k->req.body ? k->req.body : "", k->req.body_len);
  lua_setfield(L, -2, "body");
  lua_createtable(L, 0, (int)k->req.nheaders);
  char buf[1024];
  for (size_t i = 0; i < k->req.nheaders; i++) {
    const char *name = k->req.headers[i].name;
    lua_pushstring(L, lf_redact_header(name, k->req.headers[i].value, buf, sizeof buf));
    lua_setfield(L, -2, name);
  }
  lua_setfield(L, -2, "headers");
  call_free(L, k);
  return 1;
}

/* core.aws_call(handle, op, params, creds|nil, opts|nil); params is a table or JSON text;
   opts.max_attempts overrides the client's for this call (1: send once); opts.token fills
   the idempotency tokens params leave out (default: a fresh UUID v4 for this call);
   opts.retry_codes = {"InvalidGroup.NotFound", ...} are retried like transient errors
   (same max_attempts, backoff and quota: codes a type knows mean "not visible yet");
   opts.throttles_only re-sends only throttled answers (a create without a token: an
   answer that was not throttling may mean the create was applied), on a fresh connection;
   opts.dry_run returns the request instead. */
static int core_aws_call(lua_State *L) {
  client *c = check_client(L, 1);
  const char *op = luaL_checkstring(L, 2);
  int params = lua_isnoneornil(L, 3) ? 0 : 3;
  int json_text = lua_type(L, 3) == LUA_TSTRING;
  if (params && !json_text) luaL_checktype(L, 3, LUA_TTABLE);
  if (!lf_model_has_operation(c->m, op))
    return raise_simple(L, c->service, op, "UnknownOperation", "no such operation in the model", 0);

  call *k = lf_xcalloc(1, sizeof *k);
  k->c = c;
  k->max_attempts = c->max_attempts;
  if (lua_type(L, 5) == LUA_TTABLE) k->max_attempts = opt_int(L, 5, "max_attempts", c->max_attempts);
  if (k->max_attempts < 1) k->max_attempts = 1;
  if (lua_type(L, 5) == LUA_TTABLE) read_retry_opts(L, 5, k);
  k->loop = lf_loop_of(L);
  copy_str(k->op, sizeof k->op, op);
  lua_pushvalue(L, 1);
  k->client_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  if (lua_type(L, 4) == LUA_TTABLE) {
    lua_getfield(L, 4, "access_key");
    lua_getfield(L, 4, "secret_key");
    lua_getfield(L, 4, "session_token");
    if (lua_isstring(L, -3) && lua_isstring(L, -2)) {
      k->cred.access_key = dup_or_null(lua_tostring(L, -3));
      k->cred.secret_key = dup_or_null(lua_tostring(L, -2));
      k->cred.session_token = dup_or_null(lua_tostring(L, -1));
    }
    lua_pop(L, 3);
  }
  char err[512], bucket[256] = "", token[128] = "";
  if (lua_type(L, 5) == LUA_TTABLE) opt_field_str(L, 5, "token", token, sizeof token);
  int rc;
  if (json_text) {   /* JSON parameters (luaform aws): serialized as given, map order kept */
    json_error_t je;
    json_t *j = json_loads(lua_tostring(L, 3), 0, &je);
    if (!j || !json_is_object(j)) {
      json_decref(j);
      call_free(L, k);
      return raise_simple(L, c->service, op, "ParamValidation",
                          "parameters must be a JSON object", 0);
    }
    const char *b = json_string_value(json_object_get(j, "Bucket"));
    if (b) snprintf(bucket, sizeof bucket, "%s", b);
    rc = lf_serialize_json(j, c->m, op, token[0] ? token : NULL, &k->req, err, sizeof err);
    json_decref(j);
  } else {
    if (params) {
      lua_getfield(L, params, "Bucket");
      const char *b = lua_tostring(L, -1);
      if (b) copy_str(bucket, sizeof bucket, b);
      lua_pop(L, 1);
    }
    rc = lf_serialize(L, params, c->m, op, token[0] ? token : NULL, &k->req, err, sizeof err);
  }
  if (rc != 0) {
    call_free(L, k);
    /* The serializer names the operation already: keep only the path part. */
    const char *msg = err;
    size_t ol = strlen(op);
    if (strncmp(msg, op, ol) == 0 && msg[ol] == ':' && msg[ol + 1] == ' ') msg += ol + 2;
    return raise_simple(L, c->service, op, "ParamValidation", msg, 0);
  }
  call_target(bucket[0] ? bucket : NULL, k);
  if (lua_type(L, 5) == LUA_TTABLE && lua_getfield(L, 5, "dry_run") != LUA_TNIL &&
      lua_toboolean(L, -1))
    return push_prepared(L, k);
  return start_attempt(L, k);
}

/* ---- client handles ---- */

/* A configuration problem (no model, no region, bad endpoint): a plain message, no
   source position (it is about the user's setup, not a line of code). */
static int config_error(lua_State *L, const char *msg) {
  lua_pushfstring(L, "aws: %s", msg);
  return lua_error(L);
}

/* core.aws_client(service, {region, endpoint, profile_endpoint, profile_max_attempts,
   max_attempts, insecure, connect_timeout, timeout, retry_base}) */
static int core_aws_client(lua_State *L) {
  const char *service = luaL_checkstring(L, 1);
  int cfg = 2;
  if (lua_isnoneornil(L, 2)) { lua_newtable(L); lua_replace(L, 2); }
  luaL_checktype(L, 2, LUA_TTABLE);
  char err[600];
  lf_model *m = lf_model_load(service, err, sizeof err);
  if (!m) return config_error(L, err);

  client *c = lua_newuserdatauv(L, sizeof *c, 0);
  memset(c, 0, sizeof *c);
  luaL_setmetatable(L, CLIENT_MT);
  c->m = m;
  snprintf(c->service, sizeof c->service, "%s", service);
  char region[64], url[512], purl[512], pmax[32];
  const char *r = opt_field_str(L, cfg, "region", region, sizeof region);
  lf_endpoint_query q = {
    .service = service,
    .endpoint_prefix = lf_model_endpoint_prefix(m),
    .signing_name = lf_model_signing_name(m),
    .sdk_id = lf_model_sdk_id(m),
    .region = r,
    .override_url = opt_field_str(L, cfg, "endpoint", url, sizeof url),
    .profile_url = opt_field_str(L, cfg, "profile_endpoint", purl, sizeof purl),
    .partitions = lf_model_partitions(m),
  };
  if (lf_endpoint_resolve(&q, &c->ep, err, sizeof err) != 0) return config_error(L, err);
  snprintf(c->region, sizeof c->region, "%s", c->ep.signing_region);
  /* the path part of an override URL ("http://host:4566/base") prefixes every request */
  const char *p = strstr(c->ep.url, "://");
  p = p ? p + 3 : c->ep.url;
  const char *slash = strchr(p, '/');
  if (slash) {
    snprintf(c->base_path, sizeof c->base_path, "%s", slash);
    size_t bl = strlen(c->base_path);
    while (bl && c->base_path[bl - 1] == '/') c->base_path[--bl] = 0;
  }
  c->max_attempts = lf_retry_max_attempts(opt_int(L, cfg, "max_attempts", 0),
                                          opt_field_str(L, cfg, "profile_max_attempts", pmax,
                                                        sizeof pmax));
  lua_getfield(L, cfg, "insecure");
  c->insecure = lua_toboolean(L, -1);
  lua_pop(L, 1);
  c->connect_timeout_ms = opt_int(L, cfg, "connect_timeout_ms", 10000);
  c->timeout_ms = opt_int(L, cfg, "timeout_ms", 60000);
  lua_getfield(L, cfg, "retry_base");
  c->retry_base = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : 1.0;
  lua_pop(L, 1);
  lf_retry_quota_init(&c->quota);
  return 1;
}

/* core.aws_info(handle) -> facts about the client (no secrets here). */
static int core_aws_info(lua_State *L) {
  client *c = check_client(L, 1);
  lua_createtable(L, 0, 12);
  set_str(L, "service", c->service);
  set_str(L, "region", c->region);
  set_str(L, "url", c->ep.url);
  set_str(L, "host", c->ep.host);
  set_str(L, "signing_region", c->ep.signing_region);
  set_str(L, "signing_name", c->ep.signing_name);
  set_str(L, "protocol", lf_model_protocol(c->m));
  set_str(L, "api_version", lf_model_api_version(c->m));
  set_str(L, "service_id", lf_model_sdk_id(c->m));
  lua_pushboolean(L, c->ep.overridden);
  lua_setfield(L, -2, "overridden");
  lua_pushboolean(L, c->ep.s3_path_style);
  lua_setfield(L, -2, "s3_path_style");
  lua_pushinteger(L, c->max_attempts);
  lua_setfield(L, -2, "max_attempts");
  lua_pushboolean(L, c->insecure);
  lua_setfield(L, -2, "insecure");
  return 1;
}

/* core.aws_redact(handle, op, params) -> a copy of params with the members
   the model marks sensitive (and those named like passwords and keys)
   replaced by "(sensitive)": what a dry run may print of a call. */
static int core_aws_redact(lua_State *L) {
  client *c = check_client(L, 1);
  const char *op = luaL_checkstring(L, 2);
  luaL_checktype(L, 3, LUA_TTABLE);
  lf_push_redacted(L, 3, c->m, op);
  return 1;
}

static void push_keys(lua_State *L, json_t *obj) {
  lua_newtable(L);
  const char *key;
  json_t *v;
  int i = 1;
  if (!json_is_object(obj)) return;
  json_object_foreach(obj, key, v) {
    (void)v;
    lua_pushstring(L, key);
    lua_rawseti(L, -2, i++);
  }
}

/* core.aws_operations(handle) -> { "CreateVpc", ... } */
static int core_aws_operations(lua_State *L) {
  client *c = check_client(L, 1);
  push_keys(L, lf_model_operations(c->m));
  return 1;
}

/* core.aws_waiter_names(handle) -> { "VpcAvailable", ... } */
static int core_aws_waiter_names(lua_State *L) {
  client *c = check_client(L, 1);
  push_keys(L, lf_model_waiters(c->m));
  return 1;
}

static int core_aws_has_operation(lua_State *L) {
  client *c = check_client(L, 1);
  lua_pushboolean(L, lf_model_has_operation(c->m, luaL_checkstring(L, 2)));
  return 1;
}

static int core_aws_paginator(lua_State *L) {
  client *c = check_client(L, 1);
  json_t *p = lf_model_paginator(c->m, luaL_checkstring(L, 2));
  if (!p) return 0;
  lf_json_push(L, p);
  return 1;
}

static int core_aws_waiter(lua_State *L) {
  client *c = check_client(L, 1);
  json_t *w = lf_model_waiter(c->m, luaL_checkstring(L, 2));
  if (!w) return 0;
  lf_json_push(L, w);
  return 1;
}

/* ---- raw HTTP (metadata endpoints of the credentials chain) ---- */

typedef struct {
  lf_wait *wait;
  lf_http_response *res;
} raw;

static int push_raw(lua_State *L, void *ud) {
  raw *x = ud;
  lf_http_response *r = x->res;
  free(x);
  if (r->rc != CURLE_OK) {
    lua_pushnil(L);
    lua_pushstring(L, r->error);
    lf_http_response_free(r);
    return 2;
  }
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, r->status);
  lua_setfield(L, -2, "status");
  lua_pushlstring(L, r->body, r->body_len);
  lua_setfield(L, -2, "body");
  lua_createtable(L, 0, (int)r->nheaders);
  for (size_t i = 0; i < r->nheaders; i++) {
    lua_pushstring(L, r->headers[i].value);
    lua_setfield(L, -2, r->headers[i].name);
  }
  lua_setfield(L, -2, "headers");
  lf_http_response_free(r);
  return 1;
}

static void on_raw(void *ud, lf_http_response *res) {
  raw *x = ud;
  x->res = lf_http_response_take(res);
  lf_wait_done(x->wait, push_raw, x);
}

/* core.aws_http{method=, url=, headers={k=v}, body=, timeout_ms=, connect_timeout_ms=,
   insecure=} -> {status, headers, body} | nil, message */
static int core_aws_http(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lf_http_request h = {0};
  lua_getfield(L, 1, "method");
  h.method = luaL_optstring(L, -1, "GET");
  lua_getfield(L, 1, "url");
  h.url = luaL_checkstring(L, -1);
  lua_getfield(L, 1, "body");
  h.body = lua_tolstring(L, -1, &h.body_len);
  h.connect_timeout_ms = opt_int(L, 1, "connect_timeout_ms", 0);
  h.timeout_ms = opt_int(L, 1, "timeout_ms", 0);
  lua_getfield(L, 1, "insecure");
  h.insecure = lua_toboolean(L, -1);
  lf_header hs[32];
  size_t n = 0;
  if (lua_getfield(L, 1, "headers") == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2) && n < 32) {
      if (lua_type(L, -2) == LUA_TSTRING && lua_isstring(L, -1)) {
        hs[n].name = (char *)lua_tostring(L, -2);
        hs[n].value = (char *)lua_tostring(L, -1);
        n++;
      }
      lua_pop(L, 1);   /* strings stay alive: they are keys/values of the table */
    }
  }
  h.headers = hs;
  h.nheaders = n;
  raw *x = lf_xcalloc(1, sizeof *x);
  x->wait = lf_wait_new(L);
  lf_http_start(lf_loop_of(L), &h, on_raw, x);
  return lf_await(L, x->wait);
}

void lf_open_aws(lua_State *L) {
  luaL_newmetatable(L, CLIENT_MT);
  lua_pushliteral(L, "aws client");
  lua_setfield(L, -2, "__name");
  lua_pop(L, 1);
  luaL_newmetatable(L, ERROR_MT);
  lua_pushcfunction(L, error_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushliteral(L, "aws error");
  lua_setfield(L, -2, "__name");
  lua_setfield(L, -2, "aws_error_mt");   /* core.aws_error_mt: for errors made in Lua */
  static const luaL_Reg fns[] = {
    {"aws_client", core_aws_client},
    {"aws_call", core_aws_call},
    {"aws_info", core_aws_info},
    {"aws_redact", core_aws_redact},
    {"aws_operations", core_aws_operations},
    {"aws_has_operation", core_aws_has_operation},
    {"aws_paginator", core_aws_paginator},
    {"aws_waiter", core_aws_waiter},
    {"aws_waiter_names", core_aws_waiter_names},
    {"aws_http", core_aws_http},
    {NULL, NULL},
  };
  luaL_setfuncs(L, fns, 0);
  lf_open_aws_creds(L);
}

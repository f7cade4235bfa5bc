/*
 * sigv4.c - AWS Signature Version 4 (OpenSSL HMAC/SHA-256).
 *
 * The steps are separate functions so the official test suite can drive
 * them with requests that have unusual headers: canonical request,
 * string to sign, signature. lf_sigv4_sign composes them for an lf_request.
 *
 * Canonical URI: with normalize (every service but S3) the path is
 * percent-decoded, dot segments and empty segments removed, and encoded
 * again; since a request path is already encoded once this yields the
 * "double encoding" AWS expects. Without normalize (S3) the path is used as
 * sent. The query is decoded, re-encoded strictly and sorted.
 * Never logs anything: the secret only enters the first HMAC of the key
 * chain, in a context freed (and so cleansed) at once; no copy of it is
 * kept. The one-entry cache holds derived keys only, wiped when replaced.
 */
#include "aws_int.h"
#include "luaform/util.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void lf_sha256_hex(const void *data, size_t len, char out[65]) {
  static EVP_MD *sha256;   /* fetched once: OpenSSL 3 looks it up per one-shot call */
  static EVP_MD_CTX *ctx;  /* kept: EVP_Digest makes and frees one per call */
  unsigned char md[32];
  if (!sha256) sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
  if (!ctx) ctx = EVP_MD_CTX_new();
  if (!sha256 || !ctx || !EVP_DigestInit_ex(ctx, sha256, NULL) ||
      !EVP_DigestUpdate(ctx, data, len) || !EVP_DigestFinal_ex(ctx, md, NULL))
    SHA256(data, len, md);
  lf_hex(md, 32, out);
}

/* HMAC-SHA256. A context keeps the fetched algorithms (OpenSSL 3 looks
   them up again on every one-shot HMAC() call); it is re-keyed per call. */
static EVP_MAC_CTX *hmac_ctx_new(void) {
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
  EVP_MAC_free(mac);   /* the context holds its own reference */
  OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
                    OSSL_PARAM_construct_end()};
  if (ctx && !EVP_MAC_CTX_set_params(ctx, p)) { EVP_MAC_CTX_free(ctx); ctx = NULL; }
  return ctx;
}

static void hmac(const void *key, size_t klen, const char *msg, unsigned char out[32]) {
  static EVP_MAC_CTX *ctx;
  size_t n = 0;
  if (!ctx) ctx = hmac_ctx_new();
  if (ctx && EVP_MAC_init(ctx, key, klen, NULL) &&
      EVP_MAC_update(ctx, (const unsigned char *)msg, strlen(msg)) &&
      EVP_MAC_final(ctx, out, &n, 32) && n == 32)
    return;
  unsigned int m = 32;   /* fallback: the one-shot call */
  HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &m);
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n) into b. */
static void uridecode(lf_buf *b, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int h, l;
    if (s[i] == '%' && i + 2 < n &&
        (h = hexval(s[i + 1])) >= 0 && (l = hexval(s[i + 2])) >= 0) {
      lf_buf_putc(b, (char)(h * 16 + l));
      i += 2;
    } else {
      lf_buf_putc(b, s[i]);
    }
  }
}

/* Normalized, encoded canonical path of the decoded path p. */
static void canonical_path(lf_buf *out, const char *p, size_t n) {
  const char *segs[256];
  size_t lens[256], k = 0;
  size_t i = 0;
  int trailing = n > 0 && p[n - 1] == '/';
  while (i < n) {
    while (i < n && p[i] == '/') i++;
    size_t start = i;
    while (i < n && p[i] != '/') i++;
    size_t len = i - start;
    if (len == 0 || (len == 1 && p[start] == '.')) continue;
    if (len == 2 && p[start] == '.' && p[start + 1] == '.') { if (k) k--; continue; }
    if (k < 256) { segs[k] = p + start; lens[k] = len; k++; }
  }
  lf_buf_putc(out, '/');
  for (size_t j = 0; j < k; j++) {
    if (j) lf_buf_putc(out, '/');
    lf_buf_uriencode(out, segs[j], lens[j], 0);
  }
  if (trailing && k) lf_buf_putc(out, '/');
}

typedef struct { char *k, *v; } kv;

static int kv_cmp(const void *a, const void *b) {
  const kv *x = a, *y = b;
  int c = strcmp(x->k, y->k);
  return c ? c : strcmp(x->v, y->v);
}

static void canonical_query(lf_buf *out, const char *q) {
  size_t cap = 8, n = 0;
  kv *items = lf_xmalloc(cap * sizeof *items);
  while (q && *q) {
    const char *amp = strchr(q, '&');
    size_t len = amp ? (size_t)(amp - q) : strlen(q);
    if (len) {
      const char *eq = memchr(q, '=', len);
      size_t klen = eq ? (size_t)(eq - q) : len;
      lf_buf dk = {0}, dv = {0}, ek = {0}, ev = {0};
      uridecode(&dk, q, klen);
      if (eq) uridecode(&dv, eq + 1, len - klen - 1);
      lf_buf_uriencode(&ek, dk.p ? dk.p : "", dk.n, 0);
      lf_buf_uriencode(&ev, dv.p ? dv.p : "", dv.n, 0);
      lf_buf_free(&dk);
      lf_buf_free(&dv);
      if (n == cap) items = lf_xrealloc(items, (cap *= 2) * sizeof *items);
      items[n].k = lf_buf_take(&ek);
      items[n].v = lf_buf_take(&ev);
      n++;
    }
    q = amp ? amp + 1 : NULL;
  }
  qsort(items, n, sizeof *items, kv_cmp);
  for (size_t i = 0; i < n; i++) {
    if (i) lf_buf_putc(out, '&');
    lf_buf_puts(out, items[i].k);
    lf_buf_putc(out, '=');
    lf_buf_puts(out, items[i].v);
    free(items[i].k);
    free(items[i].v);
  }
  free(items);
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Trimmed value with whitespace runs (including folded lines) collapsed. */
static void canonical_value(lf_buf *out, const char *v) {
  int space = 0, started = 0;
  while (*v) {
    if (is_ws(*v)) { space = started; v++; continue; }
    if (space) lf_buf_putc(out, ' ');
    const char *run = v;   /* a run without whitespace goes in at once */
    while (*v && !is_ws(*v)) v++;
    lf_buf_add(out, run, (size_t)(v - run));
    space = 0;
    started = 1;
  }
}

static int name_cmp(const void *a, const void *b) {
  const kv *x = a, *y = b;
  return strcmp(x->k, y->k);
}

char *lf_sigv4_canonical_request(const char *method, const char *path_query,
                                 const lf_header *headers, size_t nheaders,
                                 const char *payload_hash, int normalize,
                                 char **signed_headers) {
  lf_buf b = {0}, sh = {0};
  lf_buf_puts(&b, method);
  lf_buf_putc(&b, '\n');
  const char *qm = strchr(path_query, '?');
  size_t plen = qm ? (size_t)(qm - path_query) : strlen(path_query);
  if (normalize) {
    lf_buf dec = {0};
    uridecode(&dec, path_query, plen);
    canonical_path(&b, dec.p ? dec.p : "", dec.n);
    lf_buf_free(&dec);
  } else {
    lf_buf_add(&b, plen ? path_query : "/", plen ? plen : 1);
  }
  lf_buf_putc(&b, '\n');
  canonical_query(&b, qm ? qm + 1 : NULL);
  lf_buf_putc(&b, '\n');

  /* lower-case names, stable-sorted; duplicates merged with ',' */
  kv *hs = lf_xcalloc(nheaders ? nheaders : 1, sizeof *hs);
  for (size_t i = 0; i < nheaders; i++) {
    lf_buf v = {0};
    hs[i].k = lf_xstrdup(headers[i].name);
    for (char *c = hs[i].k; *c; c++) *c = (char)tolower((unsigned char)*c);
    canonical_value(&v, headers[i].value);
    hs[i].v = lf_buf_take(&v);
  }
  /* insertion sort keeps the order of duplicates */
  for (size_t i = 1; i < nheaders; i++)
    for (size_t j = i; j > 0 && name_cmp(&hs[j - 1], &hs[j]) > 0; j--) {
      kv t = hs[j]; hs[j] = hs[j - 1]; hs[j - 1] = t;
    }
  for (size_t i = 0; i < nheaders; i++) {
    if (i && strcmp(hs[i].k, hs[i - 1].k) == 0) {
      lf_buf_putc(&b, ',');
      lf_buf_puts(&b, hs[i].v);
      continue;
    }
    if (i) lf_buf_putc(&b, '\n');
    lf_buf_puts(&b, hs[i].k);
    lf_buf_putc(&b, ':');
    lf_buf_puts(&b, hs[i].v);
    if (sh.n) lf_buf_putc(&sh, ';');
    lf_buf_puts(&sh, hs[i].k);
  }
  for (size_t i = 0; i < nheaders; i++) { free(hs[i].k); free(hs[i].v); }
  free(hs);
  lf_buf_add(&b, "\n\n", 2);
  lf_buf_add(&b, sh.p ? sh.p : "", sh.n);
  lf_buf_putc(&b, '\n');
  lf_buf_puts(&b, payload_hash);
  if (signed_headers) *signed_headers = lf_buf_take(&sh);
  else lf_buf_free(&sh);
  return lf_buf_take(&b);
}

char *lf_sigv4_string_to_sign(const char *amz_date, const char *scope, const char *creq) {
  char h[65];
  lf_sha256_hex(creq, strlen(creq), h);
  lf_buf b = {0};
  lf_buf_puts(&b, "AWS4-HMAC-SHA256\n");
  lf_buf_puts(&b, amz_date);
  lf_buf_putc(&b, '\n');
  lf_buf_puts(&b, scope);
  lf_buf_putc(&b, '\n');
  lf_buf_add(&b, h, 64);
  return lf_buf_take(&b);
}

/* kDate = HMAC("AWS4" + secret, date8), the first step of the key chain.
   A one-shot HMAC: its context, which copies the key, is freed and
   cleansed before returning (the shared context of hmac() would keep the
   secret until its next use). */
static void date_key(const char *secret, const char *date8, unsigned char out[32]) {
  size_t n = 4 + strlen(secret);
  char *key = lf_xmalloc(n);
  memcpy(key, "AWS4", 4);
  memcpy(key + 4, secret, n - 4);
  unsigned int m = 32;
  HMAC(EVP_sha256(), key, (int)n, (const unsigned char *)date8, strlen(date8), out, &m);
  OPENSSL_cleanse(key, n);
  free(key);
}

/* The signing key of the last (secret, date, region, service): deriving it
   takes four HMACs and it changes once a day, so it is kept (one entry,
   wiped with OPENSSL_cleanse when replaced), with an HMAC context keyed
   with it: each signature re-initializes that context (EVP_MAC_init with a
   NULL key keeps the key) instead of hashing the key's pads again. The
   entry is known by kDate, a one-way function of the secret scoped to the
   day: the secret itself is never kept. */
static struct {
  int valid;
  unsigned char kdate[32];
  char region[64], service[64];
  unsigned char k[32];
  EVP_MAC_CTX *keyed;   /* NULL: sign with hmac() */
} key_cache;

static void signing_key(const char *secret, const char *date8, const char *region,
                        const char *service, unsigned char k[32]) {
  unsigned char kdate[32];
  date_key(secret, date8, kdate);
  if (key_cache.valid && !CRYPTO_memcmp(key_cache.kdate, kdate, 32) &&
      !strcmp(key_cache.region, region) && !strcmp(key_cache.service, service)) {
    OPENSSL_cleanse(kdate, sizeof kdate);
    memcpy(k, key_cache.k, 32);
    return;
  }
  hmac(kdate, 32, region, k);
  hmac(k, 32, service, k);
  hmac(k, 32, "aws4_request", k);
  EVP_MAC_CTX_free(key_cache.keyed);   /* cleanses its key material */
  OPENSSL_cleanse(&key_cache, sizeof key_cache);
  if (strlen(region) < sizeof key_cache.region && strlen(service) < sizeof key_cache.service) {
    memcpy(key_cache.kdate, kdate, 32);
    strcpy(key_cache.region, region);
    strcpy(key_cache.service, service);
    memcpy(key_cache.k, k, 32);
    key_cache.valid = 1;
    key_cache.keyed = hmac_ctx_new();
    if (key_cache.keyed && !EVP_MAC_init(key_cache.keyed, k, 32, NULL)) {
      EVP_MAC_CTX_free(key_cache.keyed);
      key_cache.keyed = NULL;
    }
  }
  OPENSSL_cleanse(kdate, sizeof kdate);
}

void lf_sigv4_signature(const char *secret, const char *date8, const char *region,
                        const char *service, const char *sts, char out[65]) {
  unsigned char k[32], sig[32];
  size_t n = 0;
  signing_key(secret, date8, region, service, k);
  /* valid: the cache holds this key now; a NULL key re-initializes the
     context with the key it was given */
  EVP_MAC_CTX *c = key_cache.valid ? key_cache.keyed : NULL;
  if (!c || !EVP_MAC_init(c, NULL, 0, NULL) ||
      !EVP_MAC_update(c, (const unsigned char *)sts, strlen(sts)) ||
      !EVP_MAC_final(c, sig, &n, 32) || n != 32)
    hmac(k, 32, sts, sig);
  OPENSSL_cleanse(k, sizeof k);
  lf_hex(sig, 32, out);
}

/* Headers never signed (they may change in transit or are added later). */
static int unsigned_header(const char *name) {
  static const char *skip[] = {"authorization", "user-agent", "expect", "x-amzn-trace-id",
                               "transfer-encoding", "content-length", NULL};
  for (int i = 0; skip[i]; i++)
    if (strcasecmp(name, skip[i]) == 0) return 1;
  return 0;
}

static void digits(char *p, int v, int n) {
  while (n--) {
    p[n] = (char)('0' + v % 10);
    v /= 10;
  }
}

int lf_sigv4_sign(lf_request *req, const char *host, const char *service, const char *region,
                  const lf_credentials *c, time_t t, int unsigned_payload) {
  if (!req || !req->method || !req->path || !c || !c->access_key || !c->secret_key) return -1;
  char amz_date[17], date8[9], hash[65];
  struct tm tm;
  gmtime_r(&t, &tm);
  if (tm.tm_year >= -1900 && tm.tm_year <= 9999 - 1900) {   /* what strftime writes, cheaper */
    digits(amz_date, tm.tm_year + 1900, 4);
    digits(amz_date + 4, tm.tm_mon + 1, 2);
    digits(amz_date + 6, tm.tm_mday, 2);
    amz_date[8] = 'T';
    digits(amz_date + 9, tm.tm_hour, 2);
    digits(amz_date + 11, tm.tm_min, 2);
    digits(amz_date + 13, tm.tm_sec, 2);
    amz_date[15] = 'Z';
    amz_date[16] = '\0';
    memcpy(date8, amz_date, 8);
    date8[8] = '\0';
  } else {
    strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
    strftime(date8, sizeof date8, "%Y%m%d", &tm);
  }
  int s3 = strcmp(service, "s3") == 0;
  if (unsigned_payload) strcpy(hash, "UNSIGNED-PAYLOAD");
  else lf_sha256_hex(req->body ? req->body : "", req->body_len, hash);

  lf_request_set_header(req, "X-Amz-Date", amz_date);
  if (c->session_token && *c->session_token)
    lf_request_set_header(req, "X-Amz-Security-Token", c->session_token);
  if (s3 || unsigned_payload) lf_request_set_header(req, "X-Amz-Content-Sha256", hash);

  lf_header *hs = lf_xcalloc(req->nheaders + 1, sizeof *hs);
  size_t n = 0;
  hs[n++] = (lf_header){"host", (char *)host};
  for (size_t i = 0; i < req->nheaders; i++)
    if (!unsigned_header(req->headers[i].name) && strcasecmp(req->headers[i].name, "host"))
      hs[n++] = req->headers[i];
  char *signed_headers = NULL;
  char *creq = lf_sigv4_canonical_request(req->method, req->path, hs, n, hash, !s3,
                                          &signed_headers);
  free(hs);
  char scope[256];
  size_t rl = strlen(region), sl = strlen(service);
  if (8 + 1 + rl + 1 + sl + 13 < sizeof scope) {
    char *p = scope;
    memcpy(p, date8, 8);
    p += 8;
    *p++ = '/';
    memcpy(p, region, rl);
    p += rl;
    *p++ = '/';
    memcpy(p, service, sl);
    p += sl;
    memcpy(p, "/aws4_request", 14);
  } else {
    snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", date8, region, service);
  }
  char *sts = lf_sigv4_string_to_sign(amz_date, scope, creq);
  char sig[65];
  lf_sigv4_signature(c->secret_key, date8, region, service, sts, sig);
  lf_buf auth = {0};
  lf_buf_puts(&auth, "AWS4-HMAC-SHA256 Credential=");
  lf_buf_puts(&auth, c->access_key);
  lf_buf_putc(&auth, '/');
  lf_buf_puts(&auth, scope);
  lf_buf_puts(&auth, ", SignedHeaders=");
  lf_buf_puts(&auth, signed_headers);
  lf_buf_puts(&auth, ", Signature=");
  lf_buf_add(&auth, sig, 64);
  lf_request_set_header(req, "Authorization", auth.p);
  lf_buf_free(&auth);
  free(creq);
  free(sts);
  free(signed_headers);
  return 0;
}

/*
 * http.c - one HTTP exchange over the event loop's curl multi.
 *
 * A transfer owns copies of everything it sends (headers as a curl_slist,
 * the body) and collects the response: the status, headers with lower-cased
 * names (reset when a new status line arrives, e.g. after 100-continue) and
 * the body in one growing buffer.
 *
 * A POST's "Content-Type: application/x-www-form-urlencoded" (the query
 * protocols) is left to curl, which writes that line itself for
 * CURLOPT_POSTFIELDS (documented); as a custom header curl would format it
 * byte by byte. The bytes on the wire are the same.
 *
 * Connections are reused through the multi's connection cache, which every
 * easy handle added to it shares; finished easy handles are kept in a small
 * pool and reset for the next exchange, so a request costs no handle setup.
 * TLS verification stays curl's default (on) unless the caller asks for
 * insecure; AWS_CA_BUNDLE, as in the SDKs, names the CA file to trust; proxies come from curl's standard environment (http_proxy,
 * https_proxy, no_proxy), which libcurl reads itself. Redirects are not
 * followed: AWS answers what it means.
 */
#include "transport.h"
#include "aws_int.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct xfer {
  CURL *easy;
  struct curl_slist *hdrs;
  char *body;
  lf_buf rbody;
  lf_header *rh;
  size_t nrh, caprh;
  double t0;
  lf_http_fn done;
  void *ud;
  char error[CURL_ERROR_SIZE];
} xfer;

#define POOL_MAX 64
static CURL *pool[POOL_MAX];
static int npool;

static CURL *easy_get(void) {
  if (npool) {
    CURL *e = pool[--npool];
    curl_easy_reset(e);
    return e;
  }
  return curl_easy_init();
}

static void easy_put(CURL *e) {
  if (npool < POOL_MAX) pool[npool++] = e;
  else curl_easy_cleanup(e);
}

/* A response header's name and value share one allocation (the name's). */
static void clear_headers(xfer *x) {
  for (size_t i = 0; i < x->nrh; i++) free(x->rh[i].name);
  x->nrh = 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
  xfer *x = ud;
  size_t len = size * n, end = len;
  while (end && (p[end - 1] == '\r' || p[end - 1] == '\n')) end--;
  if (end >= 5 && memcmp(p, "HTTP/", 5) == 0) {  /* a new response starts */
    clear_headers(x);
    return len;
  }
  char *colon = memchr(p, ':', end);
  if (!colon) return len;
  size_t nlen = (size_t)(colon - p);
  const char *v = colon + 1, *vend = p + end;
  while (v < vend && (*v == ' ' || *v == '\t')) v++;
  while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t')) vend--;
  if (x->nrh == x->caprh) {
    x->caprh = x->caprh ? x->caprh * 2 : 16;
    x->rh = lf_xrealloc(x->rh, x->caprh * sizeof *x->rh);
  }
  size_t vlen = (size_t)(vend - v);
  char *name = lf_xmalloc(nlen + 1 + vlen + 1);
  for (size_t i = 0; i < nlen; i++) name[i] = (char)tolower((unsigned char)p[i]);
  name[nlen] = 0;
  char *value = name + nlen + 1;
  memcpy(value, v, vlen);
  value[vlen] = 0;
  x->rh[x->nrh].name = name;
  x->rh[x->nrh].value = value;
  x->nrh++;
  return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
  xfer *x = ud;
  lf_buf_add(&x->rbody, p, size * n);
  return size * n;
}

static void on_done(void *ud, CURL *easy, CURLcode rc) {
  xfer *x = ud;
  lf_http_response res = {0};
  res.rc = rc;
  if (rc != CURLE_OK)
    snprintf(res.error, sizeof res.error, "%s", x->error[0] ? x->error : curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  res.status = rc == CURLE_OK ? (int)status : 0;
  res.headers = x->rh;
  res.nheaders = x->nrh;
  if (!x->rbody.p) lf_buf_add(&x->rbody, "", 0);
  res.body = x->rbody.p;
  res.body_len = x->rbody.n;
  res.seconds = lf_now() - x->t0;
  x->done(x->ud, &res);
  /* res may have been taken: free only what is still ours. */
  for (size_t i = 0; i < res.nheaders; i++) free(res.headers[i].name);
  free(res.headers);
  free(res.body);
  for (struct curl_slist *h = x->hdrs; h; h = h->next)   /* Authorization, token */
    OPENSSL_cleanse(h->data, strlen(h->data));
  curl_slist_free_all(x->hdrs);
  free(x->body);
  easy_put(easy);
  free(x);
}

void lf_http_start(lf_loop *loop, const lf_http_request *req, lf_http_fn done, void *ud) {
  xfer *x = lf_xcalloc(1, sizeof *x);
  x->done = done;
  x->ud = ud;
  x->t0 = lf_now();
  CURL *e = x->easy = easy_get();
  curl_easy_setopt(e, CURLOPT_URL, req->url);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->error);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 10000L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 60000L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");   /* identity or what curl can decode */
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  if (req->fresh_connect) curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
  const char *ca = getenv("AWS_CA_BUNDLE");   /* the SDKs' extra trust anchors */
  if (ca && *ca) curl_easy_setopt(e, CURLOPT_CAINFO, ca);
  if (req->insecure) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, x);

  int has_ctype = 0;
  const char *m = req->method ? req->method : "GET";
  int form_post = strcmp(m, "POST") == 0;   /* curl's POSTFIELDS default type is ours */
  lf_buf line = {0};
  for (size_t i = 0; i < req->nheaders; i++) {
    const char *name = req->headers[i].name, *value = req->headers[i].value;
    if (form_post && strcasecmp(name, "content-type") == 0 &&
        strcmp(value, "application/x-www-form-urlencoded") == 0) {
      has_ctype = 1;   /* curl writes this very line itself, without formatting it */
      continue;
    }
    line.n = 0;
    lf_buf_puts(&line, name);
    if (value[0]) {
      lf_buf_add(&line, ": ", 2);
      lf_buf_puts(&line, value);
    } else {
      lf_buf_putc(&line, ';');   /* curl drops "Name:"; "Name;" sends it empty */
    }
    x->hdrs = curl_slist_append(x->hdrs, line.p);
    if (strcasecmp(name, "content-type") == 0) has_ctype = 1;
  }
  lf_buf_free(&line);
  x->hdrs = curl_slist_append(x->hdrs, "Expect:");   /* no 100-continue round trip */
  x->hdrs = curl_slist_append(x->hdrs, "Accept:");
  if (!has_ctype) x->hdrs = curl_slist_append(x->hdrs, "Content-Type:");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);

  if (strcmp(m, "GET") == 0) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (strcmp(m, "HEAD") == 0) {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    x->body = lf_xmalloc(req->body_len + 1);
    if (req->body_len) memcpy(x->body, req->body, req->body_len);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
    if (strcmp(m, "POST") != 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
  }
  lf_loop_add_http(loop, e, on_done, x);
}

lf_http_response *lf_http_response_take(lf_http_response *res) {
  lf_http_response *copy = lf_xmalloc(sizeof *copy);
  *copy = *res;
  res->headers = NULL;
  res->nheaders = 0;
  res->body = NULL;
  res->body_len = 0;
  return copy;
}

void lf_http_response_free(lf_http_response *res) {
  if (!res) return;
  for (size_t i = 0; i < res->nheaders; i++) free(res->headers[i].name);   /* value too */
  free(res->headers);
  free(res->body);
  free(res);
}

const char *lf_http_header(const lf_http_response *res, const char *lower_name) {
  for (size_t i = 0; i < res->nheaders; i++)
    if (strcmp(res->headers[i].name, lower_name) == 0) return res->headers[i].value;
  return NULL;
}

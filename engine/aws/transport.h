/*
 * transport.h - internals of the AWS client (engine/aws): HTTP over the
 * event loop (http.c), endpoint resolution (endpoints.c), the retry policy
 * (retry.c) and the shared config file reader (creds.c; the credentials
 * chain itself is Lua, luaform.aws.creds). The protocol layer (models,
 * serializers, SigV4) is luaform/aws.h; client.c joins both into the Lua
 * surface (luaform.aws).
 *
 * Everything here is plain C with no Lua state except where a function
 * takes one, so the pieces are unit-testable on their own.
 */
#ifndef LF_AWS_TRANSPORT_H
#define LF_AWS_TRANSPORT_H

#include "luaform/aws.h"
#include "luaform/loop.h"

#include <curl/curl.h>
#include <stddef.h>

/* ---- http.c: one HTTP exchange on the loop's curl multi ---- */

typedef struct {
  const char *method;            /* GET, PUT, POST, DELETE, HEAD */
  const char *url;
  const lf_header *headers;      /* sent as given (no Host: curl derives it) */
  size_t nheaders;
  const char *body;              /* may be NULL */
  size_t body_len;
  long connect_timeout_ms;       /* 0: 10 s */
  long timeout_ms;               /* 0: 60 s, whole exchange */
  int insecure;                  /* 1: no TLS peer/host verification */
  int fresh_connect;             /* 1: a new connection, never a reused one (curl resends a
                                    request whose reused connection closed without an answer:
                                    a second create for a call that must be sent once) */
} lf_http_request;

typedef struct {
  CURLcode rc;                   /* CURLE_OK when a response arrived */
  char error[CURL_ERROR_SIZE];   /* curl's message when rc != CURLE_OK */
  int status;
  lf_header *headers;            /* names lower-cased, in arrival order; each value lives
                                    in its name's allocation (free the name only) */
  size_t nheaders;
  char *body;                    /* NUL-terminated */
  size_t body_len;
  double seconds;                /* wall time of the exchange */
} lf_http_response;

/* Called once when the exchange ended; res is valid only during the call
 * (use lf_http_response_take to keep it). */
typedef void (*lf_http_fn)(void *ud, lf_http_response *res);

/* Starts req on the loop; everything in req is copied, so the caller may
 * free it at once. done runs from the loop (never inside this call). */
void lf_http_start(lf_loop *loop, const lf_http_request *req, lf_http_fn done, void *ud);
/* Moves res's contents into a heap copy the caller frees with
 * lf_http_response_free. */
lf_http_response *lf_http_response_take(lf_http_response *res);
void lf_http_response_free(lf_http_response *res);
const char *lf_http_header(const lf_http_response *res, const char *lower_name);

/* ---- endpoints.c ---- */

typedef struct {
  char url[512];        /* scheme://host[:port][/base], no trailing slash */
  char host[256];       /* Host header value (":port" when not default) */
  char signing_region[64];
  char signing_name[64];
  int overridden;       /* from AWS_ENDPOINT_URL*, profile or opts.endpoints */
  int s3_path_style;    /* S3: buckets go in the path, not the host */
} lf_endpoint;

typedef struct {
  const char *service;        /* model directory name: "ec2", "elbv2" */
  const char *endpoint_prefix;/* model metadata.endpointPrefix */
  const char *signing_name;   /* model signing name */
  const char *sdk_id;         /* model metadata.serviceId */
  const char *region;
  const char *override_url;   /* opts.endpoints[service], or NULL */
  const char *profile_url;    /* endpoint_url of the profile, or NULL */
  json_t *partitions;         /* botocore's endpoints.json tree, or NULL */
} lf_endpoint_query;

/* Resolves q into ep. Environment read: AWS_ENDPOINT_URL_<SDK_ID>,
 * AWS_ENDPOINT_URL, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS,
 * AWS_STS_REGIONAL_ENDPOINTS, AWS_S3_US_EAST_1_REGIONAL_ENDPOINT.
 * Returns 0, or -1 with err filled. */
int lf_endpoint_resolve(const lf_endpoint_query *q, lf_endpoint *ep, char *err, size_t errlen);
/* "Elastic Load Balancing v2" -> "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2" */
void lf_endpoint_env_name(const char *sdk_id, char *out, size_t n);
/* The DNS suffix of region's partition: "amazonaws.com", "amazonaws.com.cn"... */
const char *lf_partition_suffix(const char *region);
/* 1 when bucket can be a host label (virtual-host addressing). */
int lf_s3_bucket_dns_ok(const char *bucket);
/* Splits "scheme://host[:port][/path]"; fills host with the Host header
 * value. Returns 0 or -1. */
int lf_url_host(const char *url, char *host, size_t n, int *https);

/* ---- retry.c: the SDK "standard" retry mode ---- */

enum { LF_RETRY_NO = 0, LF_RETRY_TRANSIENT, LF_RETRY_THROTTLE, LF_RETRY_TIMEOUT };
/* The most "try again" codes one call may add (opts.retry_codes). */
enum { LF_RETRY_CODES_MAX = 8 };
/* Classifies one failed attempt: status 0 with curl_rc != CURLE_OK is a
 * transport failure; code is the AWS error code or NULL. */
int lf_retry_class(int status, const char *code, CURLcode curl_rc);
/* Delay before attempt+1 after `attempt` attempts failed (1-based):
 * min(rand[0,1) * 2^(attempt-1), 20) * scale seconds. */
double lf_retry_delay(int attempt, double scale);
/* Retry quota (token bucket) shared by a client's calls. */
typedef struct { int tokens; } lf_retry_quota;
void lf_retry_quota_init(lf_retry_quota *q);
/* Takes the cost of a retry of class cls; 0 when the quota is empty. */
int lf_retry_quota_take(lf_retry_quota *q, int cls);
/* After a success: gives back the retry cost (retried) or 1. */
void lf_retry_quota_release(lf_retry_quota *q, int retried_cls);
/* max attempts: opt > 0 ? opt : AWS_MAX_ATTEMPTS : profile value : 3. */
int lf_retry_max_attempts(int opt, const char *profile_value);

/* ---- creds.c: the shared config file reader (the chain is Lua) ---- */

typedef struct lf_ini lf_ini;  /* sections of key = value */
lf_ini *lf_ini_parse(const char *text, size_t len);
lf_ini *lf_ini_load(const char *path);           /* NULL when absent */
void lf_ini_free(lf_ini *ini);
/* Value of key (lower-case; nested "parent.sub") in section, or NULL. */
const char *lf_ini_get(const lf_ini *ini, const char *section, const char *key);
int lf_ini_has_section(const lf_ini *ini, const char *section);
/* Adds core.aws_ini_parse and core.aws_parse_time to the table on top. */
void lf_open_aws_creds(lua_State *L);

/* ---- debug.c: LUAFORM_LOG=debug, and header redaction ---- */
int lf_aws_debug(void);   /* LUAFORM_LOG=debug */
/* value, or its redacted form in buf: Authorization without key id and
   signature; X-Amz-Security-Token and SSE-C keys "<redacted>". */
const char *lf_redact_header(const char *name, const char *value, char *buf, size_t n);
/* Pushes a copy of the parameters at idx (a table) of op with every member
   the debug log counts as a secret (marked sensitive in the model, or named
   like a password or key) replaced by "(sensitive)". */
void lf_push_redacted(lua_State *L, int idx, const lf_model *m, const char *op);
/* One attempt's request / response on stderr, secrets redacted or withheld. */
void lf_debug_request(const lf_model *m, const char *service, const char *op, int attempt,
                      const lf_request *req, const char *url, const char *host);
void lf_debug_response(const lf_model *m, const char *op, const lf_http_response *r);

#endif

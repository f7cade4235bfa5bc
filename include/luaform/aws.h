/*
 * The AWS transport's protocol layer (engine/aws): service models, the six
 * wire protocols (ec2, query, json 1.0/1.1, rest-json, rest-xml) and SigV4.
 *
 * Everything here is pure: lf_serialize turns a Lua table into an
 * lf_request, lf_parse_response turns an lf_response into a Lua table, and
 * lf_sigv4_sign adds the signature headers. I/O (HTTP, endpoints,
 * credentials, retries) lives in the client on top of this header.
 *
 * All strings in lf_request/lf_header are heap-allocated and owned by the
 * request; lf_request_free releases them.
 */
#ifndef LUAFORM_AWS_H
#define LUAFORM_AWS_H

#include <jansson.h>
#include <lua.h>
#include <stddef.h>
#include <time.h>

typedef struct lf_model lf_model;        /* one service's model (jansson tree), cached */
typedef struct { char *name; char *value; } lf_header;
typedef struct {
  char *method;          /* "POST" */
  char *path;            /* encoded path + "?" + encoded query ("/" if none) */
  char *host_prefix;     /* from the endpoint trait, or NULL */
  lf_header *headers; size_t nheaders;   /* Content-Type, X-Amz-Target, ... (no Host/auth) */
  char *body; size_t body_len;
} lf_request;
typedef struct {
  int status;
  lf_header *headers; size_t nheaders;   /* names lower-cased */
  const char *body; size_t body_len;
} lf_response;

/* ---- Models ---------------------------------------------------------- */

/* Models: service = model directory name ("ec2", "elbv2", "sqs", ...). Searched in
   $LUAFORM_MODELS_PATH (botocore layout <svc>/<version>/service-2.json, newest version),
   then <exe_dir>/models and <exe_dir>/../share/luaform/models (lf_exe_dir() in luaform.h).
   Returns NULL and fills err on failure. Loaded once per process; never freed. */
lf_model *lf_model_load(const char *service, char *err, size_t errlen);
/* Builds a model from a service description {metadata, operations, shapes}
   (a service-2.json tree, or a conformance-test description). Takes a new
   reference to desc. Free with lf_model_free (only models made here). */
lf_model *lf_model_new(json_t *desc, char *err, size_t errlen);
void lf_model_free(lf_model *m);

const char *lf_model_protocol(const lf_model *m);     /* "ec2","query","json","rest-json","rest-xml" */
const char *lf_model_signing_name(const lf_model *m);  /* metadata.signingName or endpointPrefix */
const char *lf_model_endpoint_prefix(const lf_model *m);
const char *lf_model_sdk_id(const lf_model *m);        /* metadata.serviceId, for AWS_ENDPOINT_URL_<ID> */
const char *lf_model_api_version(const lf_model *m);   /* metadata.apiVersion */
const char *lf_model_global_endpoint(const lf_model *m); /* metadata.globalEndpoint or NULL */
int lf_model_has_operation(const lf_model *m, const char *op);
json_t *lf_model_operation(const lf_model *m, const char *op);   /* or NULL (borrowed) */
json_t *lf_model_shape(const lf_model *m, const char *name);     /* or NULL (borrowed) */
json_t *lf_model_paginator(const lf_model *m, const char *op);   /* or NULL (borrowed) */
json_t *lf_model_waiter(const lf_model *m, const char *name);    /* or NULL (borrowed) */
/* The "operations" object, name -> definition (borrowed). */
json_t *lf_model_operations(const lf_model *m);
/* The "waiters" object of waiters-2.json, or NULL (borrowed). */
json_t *lf_model_waiters(const lf_model *m);
/* The metadata object (borrowed). */
json_t *lf_model_metadata(const lf_model *m);
/* botocore's partitions file (endpoints.json) beside the model: in the
   LUAFORM_MODELS_PATH directory it came from, else the built-in trimmed copy
   (models/endpoints.json); NULL when neither exists (borrowed). */
json_t *lf_model_partitions(const lf_model *m);

/* ---- Requests and responses ----------------------------------------- */

/* Serialize the Lua table at params_idx (validated against the input shape first: unknown
   member, missing required, wrong type → error naming the path, e.g.
   "CreateVpc: TagSpecifications[1].Tags[1].Key: expected string"). idempotencyToken members
   that are nil get token (the logical call's; NULL: a fresh UUID v4 for this request); the
   Lua table is never written to. params_idx may be 0 or refer to nil: no parameters.
   Returns 0, or -1 with err filled. */
int lf_serialize(lua_State *L, int params_idx, const lf_model *m, const char *op,
                 const char *token, lf_request *req, char *err, size_t errlen);
/* The same from JSON parameters (an object, or NULL: none), for callers that
   hold JSON (the `luaform aws` command, tests). Map entries keep the object's
   order (lf_serialize writes a Lua table's map keys sorted). Missing
   idempotency tokens get token as above; params is not changed. */
int lf_serialize_json(json_t *params, const lf_model *m, const char *op, const char *token,
                      lf_request *req, char *err, size_t errlen);
void lf_request_free(lf_request *req);
/* Sets (replacing any header of that name, case-insensitively) or adds a header. */
void lf_request_set_header(lf_request *req, const char *name, const char *value);
/* The value of a header (case-insensitive name), or NULL. */
const char *lf_request_header(const lf_request *req, const char *name);

/* Parse a response. On success pushes the output table (keys = model member names; lists always
   Lua sequences; numbers numbers; booleans booleans; timestamps epoch seconds; blobs strings) and
   returns 1. On an AWS error response pushes an error table {code=, message=, status=,
   request_id=} and returns 0. On a malformed body pushes a message string and returns -1. */
int lf_parse_response(lua_State *L, const lf_model *m, const char *op, const lf_response *res);

/* ---- SigV4 ------------------------------------------------------------ */

/* SigV4. Signs req for host/service/region at time t (UTC). Adds X-Amz-Date, Authorization,
   X-Amz-Security-Token (when token != NULL), and for S3 X-Amz-Content-Sha256.
   host is the Host header as it will be sent (with ":port" when not the scheme's default).
   unsigned_payload: use "UNSIGNED-PAYLOAD" as payload hash (S3 only).
   Returns 0, or -1 on an unusable request (e.g. out of memory). */
typedef struct { const char *access_key, *secret_key, *session_token; } lf_credentials;
int lf_sigv4_sign(lf_request *req, const char *host, const char *service, const char *region,
                  const lf_credentials *c, time_t t, int unsigned_payload);

/* Lower level steps of SigV4 (used by lf_sigv4_sign and the conformance test).
   headers: all headers to sign, including host and x-amz-date; names any case,
   duplicates allowed (values joined with ","), values trimmed and inner
   whitespace runs collapsed. path_query: the request target as sent.
   normalize: remove dot segments and double-encode the path (all services but S3).
   Returns malloc'd canonical request; *signed_headers (malloc'd) gets "a;b;c". */
char *lf_sigv4_canonical_request(const char *method, const char *path_query,
                                 const lf_header *headers, size_t nheaders,
                                 const char *payload_hash, int normalize,
                                 char **signed_headers);
/* scope: "20150830/us-east-1/service/aws4_request". Returns malloc'd string. */
char *lf_sigv4_string_to_sign(const char *amz_date, const char *scope, const char *creq);
/* Hex signature (64 chars + NUL) of sts with the key derived from secret. */
void lf_sigv4_signature(const char *secret, const char *date8, const char *region,
                        const char *service, const char *sts, char out[65]);
/* Lower-case hex SHA-256 of data. */
void lf_sha256_hex(const void *data, size_t len, char out[65]);

#endif

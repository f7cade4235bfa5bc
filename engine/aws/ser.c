/*
 * ser.c - lf_serialize: validate the Lua parameters against the operation's
 * input shape, then hand the converted tree to the protocol's serializer.
 * Also the pieces shared by serializers: scalar text (query, URI, headers),
 * the endpoint trait's host prefix, and Content-MD5 where a checksum is
 * required.
 */
#include "aws_int.h"
#include "luaform/json.h"

#include <lauxlib.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void lf_scalar_text_mi(const lf_member_info *ref, json_t *v, const char *default_ts,
                       lf_buf *out) {
  int type = ref->shape ? ref->shape->type : LF_T_NONE;
  char num[64];
  if (type == LF_T_TIMESTAMP && json_is_number(v)) {
    const char *fmt = ref->timestamp_format;
    lf_fmt_timestamp(json_number_value(v), fmt ? fmt : default_ts, num, sizeof num);
    lf_buf_puts(out, num);
  } else if (type == LF_T_BLOB && json_is_string(v)) {
    char *b64 = lf_base64_encode(json_string_value(v), json_string_length(v));
    lf_buf_puts(out, b64);
    free(b64);
  } else if (json_is_string(v)) {
    lf_buf_add(out, json_string_value(v), json_string_length(v));
  } else if (json_is_integer(v)) {
    int n = lf_fmt_int(num, (long long)json_integer_value(v));
    lf_buf_add(out, num, (size_t)n);
  } else if (json_is_real(v)) {
    lf_fmt_double(json_real_value(v), num, sizeof num);
    lf_buf_puts(out, num);
  } else if (json_is_boolean(v)) {
    lf_buf_puts(out, json_is_true(v) ? "true" : "false");
  } else if (v && !json_is_null(v)) {   /* jsonvalue */
    char *s = lf_json_dump(v, JSON_COMPACT, NULL);
    lf_buf_puts(out, s ? s : "");
    free(s);
  }
}

void lf_scalar_text(const lf_model *m, json_t *ref, json_t *v, const char *default_ts,
                    lf_buf *out) {
  lf_member_info mi;
  lf_member_info_of(m, ref, "", &mi);
  lf_scalar_text_mi(&mi, v, default_ts, out);
}

/* "foo.{label}." with hostLabel members substituted. */
static int host_prefix(json_t *opdef, json_t *in, lf_request *req,
                       char *err, size_t errlen) {
  const char *tmpl = json_string_value(json_object_get(json_object_get(opdef, "endpoint"),
                                                       "hostPrefix"));
  if (!tmpl) return 0;
  lf_buf b = {0};
  for (const char *p = tmpl; *p; p++) {
    const char *close;
    if (*p != '{' || !(close = strchr(p, '}'))) { lf_buf_putc(&b, *p); continue; }
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(close - p - 1), p + 1);
    json_t *v = json_object_get(in, name);
    if (!json_is_string(v) || !json_string_length(v)) {
      snprintf(err, errlen, "%s: host label must be a non-empty string", name);
      lf_buf_free(&b);
      return -1;
    }
    const char *s = json_string_value(v);
    for (const char *c = s; *c; c++)
      if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '.')) {
        snprintf(err, errlen, "%s: host label has characters not allowed in a host name", name);
        lf_buf_free(&b);
        return -1;
      }
    lf_buf_puts(&b, s);
    p = close;
  }
  req->host_prefix = lf_buf_take(&b);
  return 0;
}

/* Operations marked httpChecksumRequired (or httpChecksum.requestChecksumRequired,
   e.g. S3 PutBucketTagging) are refused without a body checksum: add
   Content-MD5 unless the caller gave one (Content-MD5 or x-amz-checksum-*). */
static void checksum_required(json_t *opdef, lf_request *req) {
  if (!json_is_true(json_object_get(opdef, "httpChecksumRequired")) &&
      !json_is_true(json_object_get(json_object_get(opdef, "httpChecksum"),
                                    "requestChecksumRequired")))
    return;
  if (lf_request_header(req, "Content-MD5")) return;
  for (size_t i = 0; i < req->nheaders; i++)
    if (!strncasecmp(req->headers[i].name, "x-amz-checksum-", 15)) return;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(req->body ? req->body : "", req->body_len, md, &n, EVP_md5(), NULL);
  char *b64 = lf_base64_encode(md, n);
  lf_request_set_header(req, "Content-MD5", b64);
  free(b64);
}

/* The protocol's serializer over the converted input tree. */
static int serialize_tree(const lf_model *m, const char *op, const lf_op_info *oi, json_t *in,
                          lf_request *req, char *err, size_t errlen) {
  json_t *opdef = oi->json;
  const char *proto = lf_model_protocol(m);
  char inner[1024];
  int rc;
  if (host_prefix(opdef, in, req, inner, sizeof inner) != 0) {
    snprintf(err, errlen, "%s: %s", op, inner);
    rc = -1;
  } else if (strcmp(proto, "query") == 0 || strcmp(proto, "ec2") == 0) {
    rc = lf_ser_query(m, oi, in, req, proto[0] == 'e', err, errlen);
  } else if (strcmp(proto, "json") == 0) {
    rc = lf_ser_json_rpc(m, opdef, in, req, err, errlen);
  } else if (strcmp(proto, "rest-json") == 0 || strcmp(proto, "rest-xml") == 0) {
    rc = lf_ser_rest(m, opdef, in, req, proto[5] == 'x', err, errlen);
  } else {
    snprintf(err, errlen, "%s: unsupported protocol '%s'", op, proto);
    rc = -1;
  }
  if (rc == 0) checksum_required(opdef, req);
  if (rc != 0) lf_request_free(req);
  return rc;
}

int lf_serialize(lua_State *L, int params_idx, const lf_model *m, const char *op,
                 const char *token, lf_request *req, char *err, size_t errlen) {
  memset(req, 0, sizeof *req);
  const lf_op_info *oi = lf_op_info_named(m, op);
  if (!oi) {
    snprintf(err, errlen, "unknown operation '%s'", op);
    return -1;
  }
  int has_input = oi->has_input;
  if (params_idx) params_idx = lua_absindex(L, params_idx);
  int has_params = params_idx && !lua_isnoneornil(L, params_idx);
  if (has_params && !lua_istable(L, params_idx)) {
    snprintf(err, errlen, "%s: parameters must be a table", op);
    return -1;
  }
  char inner[1024];
  json_t *in;
  if (has_input) {
    if (!has_params) { lua_newtable(L); params_idx = lua_gettop(L); }
    lf_token tok = {.given = token};
    in = lf_lua_to_shape(L, params_idx, m, &oi->input, &tok, "", inner, sizeof inner);
    if (!has_params) lua_pop(L, 1);
    if (!in) {
      snprintf(err, errlen, "%s: %s", op, inner);
      return -1;
    }
  } else {
    if (has_params) {
      lua_pushnil(L);
      if (lua_next(L, params_idx)) {
        lua_pop(L, 2);
        snprintf(err, errlen, "%s: takes no parameters", op);
        return -1;
      }
    }
    in = json_object();
  }
  int rc = serialize_tree(m, op, oi, in, req, err, errlen);
  json_decref(in);
  return rc;
}

int lf_serialize_json(json_t *params, const lf_model *m, const char *op, const char *token,
                      lf_request *req, char *err, size_t errlen) {
  memset(req, 0, sizeof *req);
  const lf_op_info *oi = lf_op_info_named(m, op);
  if (!oi) {
    snprintf(err, errlen, "unknown operation '%s'", op);
    return -1;
  }
  json_t *opdef = oi->json;
  if (params && !json_is_null(params) && !json_is_object(params)) {
    snprintf(err, errlen, "%s: parameters must be an object", op);
    return -1;
  }
  json_t *input_ref = json_object_get(opdef, "input");
  int has_params = json_is_object(params) && json_object_size(params);
  char inner[1024];
  json_t *in;
  if (input_ref) {
    json_t *p = json_is_object(params) ? json_incref(params) : json_object();
    lf_token tok = {.given = token};
    in = lf_json_to_shape(m, input_ref, p, &tok, "", inner, sizeof inner);
    json_decref(p);
    if (!in) {
      snprintf(err, errlen, "%s: %s", op, inner);
      return -1;
    }
  } else if (has_params) {
    snprintf(err, errlen, "%s: takes no parameters", op);
    return -1;
  } else {
    in = json_object();
  }
  int rc = serialize_tree(m, op, oi, in, req, err, errlen);
  json_decref(in);
  return rc;
}

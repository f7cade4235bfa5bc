/*
 * parse_json.c - responses of the JSON protocols (json 1.0/1.1, rest-json)
 * to Lua, directed by the output shape.
 *
 * Keys are locationName or the member name; blobs are base64; timestamps
 * epoch numbers or strings in any AWS format; "NaN"/"Infinity" strings are
 * floats; nulls are skipped. Error codes come from the X-Amzn-Errortype
 * header, else __type, else code, and are trimmed to the bare name
 * ("aws.protocoltests#FooError:http://..." -> "FooError").
 */
#include "aws_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lf_push_json_shape(lua_State *L, const lf_model *m, json_t *ref, json_t *v) {
  json_t *shape = lf_shape_of(m, ref);
  const char *type = lf_shape_type(shape);
  if (!strcmp(type, "structure") && json_is_object(v)) {
    lua_newtable(L);
    const char *name;
    json_t *mref;
    json_object_foreach(json_object_get(shape, "members"), name, mref) {
      if (lf_bound_outside_body(mref)) continue;   /* filled by the REST layer */
      const char *key = json_string_value(json_object_get(mref, "locationName"));
      json_t *mv = json_object_get(v, key ? key : name);
      if (!mv || json_is_null(mv)) continue;
      lf_push_json_shape(L, m, mref, mv);
      lua_setfield(L, -2, name);
    }
  } else if (!strcmp(type, "list") && json_is_array(v)) {
    json_t *member = json_object_get(shape, "member"), *x;
    size_t i;
    lua_Integer n = 0;
    lua_createtable(L, (int)json_array_size(v), 0);
    json_array_foreach(v, i, x) {
      if (json_is_null(x)) continue;
      lf_push_json_shape(L, m, member, x);
      lua_rawseti(L, -2, ++n);
    }
  } else if (!strcmp(type, "map") && json_is_object(v)) {
    json_t *vref = json_object_get(shape, "value"), *x;
    const char *k;
    lua_newtable(L);
    json_object_foreach(v, k, x) {
      if (json_is_null(x)) continue;
      lf_push_json_shape(L, m, vref, x);
      lua_setfield(L, -2, k);
    }
  } else if (json_is_string(v) && strcmp(type, "string") && strcmp(type, "document")) {
    lf_push_scalar_text(L, m, ref, json_string_value(v), json_string_length(v), "iso8601");
  } else {
    lf_push_json(L, v);
  }
}

/* "ns#Name:extra" -> "Name" */
static void bare_code(const char *s, char *out, size_t n) {
  const char *hash = strchr(s, '#');
  if (hash) s = hash + 1;
  size_t len = strcspn(s, ":");
  lf_fmt(out, n, "%.*s", (int)len, s);
}

static int parse_error(lua_State *L, const lf_model *m, json_t *op, const lf_response *res,
                       json_t *body) {
  const char *raw = lf_response_header(res, "x-amzn-errortype");
  if (!raw) raw = json_string_value(json_object_get(body, "__type"));
  if (!raw) raw = json_string_value(json_object_get(body, "code"));
  if (!raw) raw = json_string_value(json_object_get(body, "Code"));
  char code[256] = "";
  /* awsQueryCompatible services (SQS on JSON) give the query-era code in
     x-amzn-query-error: "AWS.SimpleQueueService.NonExistentQueue;Sender" */
  const char *qe = lf_response_header(res, "x-amzn-query-error");
  if (qe && json_object_get(lf_model_metadata(m), "awsQueryCompatible"))
    lf_fmt(code, sizeof code, "%.*s", (int)strcspn(qe, ";"), qe);
  else if (raw) bare_code(raw, code, sizeof code);
  else lf_fmt(code, sizeof code, "%d", res->status);
  const char *msg = json_string_value(json_object_get(body, "message"));
  if (!msg) msg = json_string_value(json_object_get(body, "Message"));
  if (!msg) msg = json_string_value(json_object_get(body, "errorMessage"));
  const char *rid = lf_response_header(res, "x-amzn-requestid");
  if (!rid) rid = lf_response_header(res, "x-amz-request-id");
  lf_push_error(L, code, msg, res->status, rid);
  json_t *ref = lf_error_ref(m, op, code);
  if (ref && json_is_object(body)) {   /* modeled members beside the fixed fields */
    json_t *shape = lf_shape_of(m, ref), *mref;
    const char *name;
    json_object_foreach(json_object_get(shape, "members"), name, mref) {
      if (!strcmp(name, "code") || !strcmp(name, "message") || !strcmp(name, "status") ||
          !strcmp(name, "request_id"))
        continue;
      const char *key = json_string_value(json_object_get(mref, "locationName"));
      json_t *mv = json_object_get(body, key ? key : name);
      if (!mv || json_is_null(mv)) continue;
      lf_push_json_shape(L, m, mref, mv);
      lua_setfield(L, -2, name);
    }
    if (!strcmp(lf_model_protocol(m), "rest-json")) lf_parse_rest_headers(L, m, shape, res);
  }
  return 0;
}

int lf_parse_json_output(lua_State *L, const lf_model *m, json_t *op, const lf_response *res) {
  int rest = !strcmp(lf_model_protocol(m), "rest-json");
  json_t *out_ref = json_object_get(op, "output");
  json_t *shape = lf_shape_of(m, out_ref);
  const char *payload = json_string_value(json_object_get(shape, "payload"));
  json_t *pref = payload ? json_object_get(json_object_get(shape, "members"), payload) : NULL;
  const char *ptype = pref ? lf_shape_type(lf_shape_of(m, pref)) : "";
  int raw_payload = !strcmp(ptype, "blob") || !strcmp(ptype, "string");
  json_t *body = NULL;
  if (res->body_len && (res->status >= 300 || !raw_payload)) {
    json_error_t je;
    body = json_loadb(res->body, res->body_len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!body && res->status < 300) {
      lua_pushfstring(L, "malformed JSON response (status %d): %s", res->status, je.text);
      return -1;
    }
  }
  if (res->status >= 300) {
    parse_error(L, m, op, res, body);
    json_decref(body);
    return 0;
  }
  if (!shape) {
    lua_newtable(L);
  } else if (payload) {
    lua_newtable(L);
    if (raw_payload) {
      if (res->body_len || lf_trait_true(m, pref, "streaming")) {
        lua_pushlstring(L, res->body, res->body_len);
        lua_setfield(L, -2, payload);
      }
    } else if (body && !json_is_null(body)) {
      lf_push_json_shape(L, m, pref, body);
      lua_setfield(L, -2, payload);
    }
  } else if (json_is_object(body)) {
    lf_push_json_shape(L, m, out_ref, body);
  } else {
    lua_newtable(L);
  }
  if (rest && shape) lf_parse_rest_headers(L, m, shape, res);
  json_decref(body);
  return 1;
}

/*
 * parse_json.c - responses of the JSON protocols (json 1.0/1.1, rest-json)
 * to Lua, directed by the output shape.
 *
 * Keys are locationName or the member name; blobs are base64; timestamps
 * epoch numbers or strings in any AWS format; "NaN"/"Infinity" strings are
 * floats; nulls are skipped. Lists carry core.json_array_mt, so they encode
 * as JSON arrays also when empty. Error codes come from the X-Amzn-Errortype
 * header, else __type, else code, and are trimmed to the bare name
 * ("aws.protocoltests#FooError:http://..." -> "FooError").
 */
#include "aws_int.h"
#include "luaform/json.h"

#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* v following the reference ref (its target shape and type resolved). */
static void push_value(lua_State *L, const lf_member_info *ref, json_t *v) {
  luaL_checkstack(L, 4, LF_TOO_DEEP);   /* v is at most LF_MAX_NESTING deep */
  const lf_shape_info *shape = ref->shape;
  int type = shape ? shape->type : LF_T_NONE;
  if (type == LF_T_STRUCTURE && json_is_object(v)) {
    lua_createtable(L, 0, (int)json_object_size(v));
    for (size_t i = 0; i < shape->nmembers; i++) {
      const lf_member_info *mi = &shape->members[i];
      if (mi->outside_body) continue;   /* filled by the REST layer */
      json_t *mv = json_object_get(v, mi->location_name ? mi->location_name : mi->name);
      if (!mv || json_is_null(mv)) continue;
      push_value(L, mi, mv);
      lua_setfield(L, -2, mi->name);
    }
  } else if (type == LF_T_LIST && json_is_array(v)) {
    json_t *x;
    size_t i;
    lua_Integer n = 0;
    lua_createtable(L, (int)json_array_size(v), 0);
    json_array_foreach(v, i, x) {
      if (json_is_null(x)) continue;
      push_value(L, &shape->member, x);
      lua_rawseti(L, -2, ++n);
    }
    lf_json_mark_array(L);
  } else if (type == LF_T_MAP && json_is_object(v)) {
    json_t *x;
    const char *k;
    lua_createtable(L, 0, (int)json_object_size(v));
    json_object_foreach(v, k, x) {
      if (json_is_null(x)) continue;
      push_value(L, &shape->value, x);
      lua_setfield(L, -2, k);
    }
  } else if (json_is_string(v) && type != LF_T_STRING && type != LF_T_DOCUMENT) {
    lf_push_scalar_typed(L, type, json_string_value(v), json_string_length(v));
  } else {
    lf_json_push(L, v);   /* documents and values of no shape: nulls as core.null */
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
    const lf_shape_info *info = lf_shape_info_of(m, ref);
    for (size_t i = 0; info && i < info->nmembers; i++) {
      const lf_member_info *mi = &info->members[i];
      const char *name = mi->name;
      if (!strcmp(name, "code") || !strcmp(name, "message") || !strcmp(name, "status") ||
          !strcmp(name, "request_id"))
        continue;
      json_t *mv = json_object_get(body, mi->location_name ? mi->location_name : name);
      if (!mv || json_is_null(mv)) continue;
      push_value(L, mi, mv);
      lua_setfield(L, -2, name);
    }
    if (!strcmp(lf_model_protocol(m), "rest-json")) lf_parse_rest_headers(L, info, res);
  }
  return 0;
}

int lf_parse_json_output(lua_State *L, const lf_model *m, const lf_op_info *oi,
                         const lf_response *res) {
  int rest = !strcmp(lf_model_protocol(m), "rest-json");
  json_t *op = oi->json;
  const lf_shape_info *info = oi->has_output ? oi->output.shape : NULL;
  json_t *shape = info ? info->json : NULL;
  const lf_member_info *pm = info ? info->payload : NULL;
  const char *payload = info ? info->payload_name : NULL;
  int ptype = pm && pm->shape ? pm->shape->type : LF_T_NONE;
  int raw_payload = ptype == LF_T_BLOB || ptype == LF_T_STRING;
  json_t *body = NULL;
  /* a success of an operation without output: no body read, as botocore */
  if (res->body_len && (res->status >= 300 || (shape && !raw_payload))) {
    json_error_t je;
    body = json_loadb(res->body, res->body_len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if ((!body && json_error_code(&je) == json_error_stack_overflow) || lf_json_too_deep(body)) {
      json_decref(body);
      lua_pushstring(L, LF_TOO_DEEP);
      return -1;
    }
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
      if (res->body_len || lf_trait_true(m, pm ? pm->ref : NULL, "streaming")) {
        lua_pushlstring(L, res->body, res->body_len);
        lua_setfield(L, -2, payload);
      }
    } else if (body && !json_is_null(body)) {
      if (pm) push_value(L, pm, body);
      else lf_json_push(L, body);   /* a payload naming no member: no shape */
      lua_setfield(L, -2, payload);
    }
  } else if (json_is_object(body)) {
    push_value(L, &oi->output, body);
  } else {
    lua_newtable(L);
  }
  if (rest && shape) lf_parse_rest_headers(L, info, res);
  json_decref(body);
  return 1;
}

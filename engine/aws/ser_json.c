/*
 * ser_json.c - JSON encoding of shapes (json 1.0/1.1 bodies and rest-json
 * bodies) and the "json" RPC protocol: POST / with X-Amz-Target and
 * Content-Type application/x-amz-json-1.x.
 *
 * Keys are locationName or the member name; blobs are base64; timestamps
 * epoch seconds unless timestampFormat says otherwise; special floats are
 * the strings "NaN", "Infinity", "-Infinity"; documents are copied.
 */
#include "aws_int.h"
#include "luaform/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

json_t *lf_json_body(const lf_model *m, json_t *ref, json_t *v) {
  json_t *shape = lf_shape_of(m, ref);
  const char *type = lf_shape_type(shape);
  if (strcmp(type, "structure") == 0) {
    json_t *out = json_object();
    const char *name;
    json_t *mref;
    json_object_foreach(json_object_get(shape, "members"), name, mref) {
      json_t *mv = json_object_get(v, name);
      if (!mv || json_is_null(mv)) continue;
      const char *loc = json_string_value(json_object_get(mref, "locationName"));
      json_object_set_new(out, loc ? loc : name, lf_json_body(m, mref, mv));
    }
    return out;
  }
  if (strcmp(type, "list") == 0) {
    json_t *out = json_array(), *member = json_object_get(shape, "member"), *x;
    size_t i;
    json_array_foreach(v, i, x) json_array_append_new(out, lf_json_body(m, member, x));
    return out;
  }
  if (strcmp(type, "map") == 0) {
    json_t *out = json_object(), *vref = json_object_get(shape, "value"), *x;
    const char *k;
    json_object_foreach(v, k, x) json_object_set_new(out, k, lf_json_body(m, vref, x));
    return out;
  }
  if (strcmp(type, "blob") == 0 && json_is_string(v)) {
    char *b64 = lf_base64_encode(json_string_value(v), json_string_length(v));
    json_t *out = json_string(b64);
    free(b64);
    return out;
  }
  if (strcmp(type, "timestamp") == 0 && json_is_number(v)) {
    const char *fmt = lf_trait_str(m, ref, "timestampFormat");
    double t = json_number_value(v);
    if (!fmt || strcmp(fmt, "unixTimestamp") == 0)
      return t == floor(t) ? json_integer((json_int_t)t) : json_real(t);
    char text[64];
    lf_fmt_timestamp(t, fmt, text, sizeof text);
    return json_string(text);
  }
  return json_deep_copy(v);
}

int lf_ser_json_rpc(const lf_model *m, json_t *op, json_t *in, lf_request *req,
                    char *err, size_t errlen) {
  (void)err; (void)errlen;
  json_t *meta = lf_model_metadata(m);
  const char *ver = json_string_value(json_object_get(meta, "jsonVersion"));
  const char *prefix = json_string_value(json_object_get(meta, "targetPrefix"));
  const char *name = json_string_value(json_object_get(op, "name"));
  char buf[512];
  req->method = lf_xstrdup("POST");
  req->path = lf_xstrdup("/");
  lf_fmt(buf, sizeof buf, "application/x-amz-json-%s", ver ? ver : "1.0");
  lf_request_set_header(req, "Content-Type", buf);
  lf_fmt(buf, sizeof buf, "%s.%s", prefix ? prefix : "", name);
  lf_request_set_header(req, "X-Amz-Target", buf);
  json_t *input = json_object_get(op, "input");
  json_t *body = input ? lf_json_body(m, input, in) : json_object();
  req->body = lf_json_dump(body, JSON_COMPACT, NULL);
  req->body_len = strlen(req->body);
  json_decref(body);
  return 0;
}

/*
 * ser_query.c - the "query" and "ec2" protocols: a form-encoded POST body
 * Action=Op&Version=...&Name.Sub.N=value.
 *
 * query: names are locationName or the member name; lists are
 * Name.member.N (or Name.<member locationName>.N), flattened Name.N, and an
 * empty list is "Name="; maps Name.entry.N.key/value (flattened Name.N.key).
 * ec2: names are queryName, else locationName or the member name with its
 * first letter upper-cased (Smithy's ec2Query rule; botocore leaves member
 * names as they are, which real models never notice: their unnamed members
 * are capitalized already); lists are always Name.N and empty
 * lists are omitted. Map entries are written in the order of the input tree.
 */
#include "aws_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void add_param(lf_buf *b, const char *key, const char *val, size_t n) {
  lf_buf_putc(b, '&');
  lf_buf_uriencode(b, key, strlen(key), 0);
  lf_buf_putc(b, '=');
  lf_buf_uriencode(b, val, n, 0);
}

static void member_name(json_t *mref, const char *name, int ec2, char *out, size_t n) {
  const char *q = json_string_value(json_object_get(mref, "queryName"));
  const char *loc = json_string_value(json_object_get(mref, "locationName"));
  if (ec2 && q) {
    lf_fmt(out, n, "%s", q);
  } else if (ec2) {
    lf_fmt(out, n, "%s", loc ? loc : name);
    out[0] = (char)toupper((unsigned char)out[0]);
  } else {
    lf_fmt(out, n, "%s", loc ? loc : name);
  }
}

static void value(lf_buf *b, const lf_model *m, json_t *ref, json_t *v, const char *prefix,
                  int ec2) {
  json_t *shape = lf_shape_of(m, ref);
  const char *type = lf_shape_type(shape);
  char sub[2048];
  if (strcmp(type, "structure") == 0) {
    const char *name;
    json_t *mref;
    json_object_foreach(json_object_get(shape, "members"), name, mref) {
      json_t *mv = json_object_get(v, name);
      if (!mv) continue;
      char n[512];
      member_name(mref, name, ec2, n, sizeof n);
      lf_fmt(sub, sizeof sub, "%s%s%s", prefix, *prefix ? "." : "", n);
      value(b, m, mref, mv, sub, ec2);
    }
  } else if (strcmp(type, "list") == 0) {
    json_t *member = json_object_get(shape, "member");
    if (json_array_size(v) == 0) {
      if (!ec2) add_param(b, prefix, "", 0);
      return;
    }
    char base[2048];
    if (ec2) {
      lf_fmt(base, sizeof base, "%s", prefix);
    } else if (json_is_true(json_object_get(shape, "flattened")) ||
               json_is_true(json_object_get(ref, "flattened"))) {
      const char *loc = json_string_value(json_object_get(member, "locationName"));
      const char *dot = strrchr(prefix, '.');
      if (loc) lf_fmt(base, sizeof base, "%.*s%s", dot ? (int)(dot - prefix + 1) : 0,
                        prefix, loc);
      else lf_fmt(base, sizeof base, "%s", prefix);
    } else {
      const char *loc = json_string_value(json_object_get(member, "locationName"));
      lf_fmt(base, sizeof base, "%s.%s", prefix, loc ? loc : "member");
    }
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
      lf_fmt(sub, sizeof sub, "%s.%zu", base, i + 1);
      value(b, m, member, x, sub, ec2);
    }
  } else if (strcmp(type, "map") == 0) {
    json_t *kref = json_object_get(shape, "key"), *vref = json_object_get(shape, "value");
    const char *kn = json_string_value(json_object_get(kref, "locationName"));
    const char *vn = json_string_value(json_object_get(vref, "locationName"));
    int flat = json_is_true(json_object_get(shape, "flattened")) ||
               json_is_true(json_object_get(ref, "flattened"));
    size_t n = json_object_size(v), i = 0;
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) keys[i++] = k;
    for (i = 0; i < n; i++) {
      char entry[2048];
      lf_fmt(entry, sizeof entry, "%s%s.%zu", prefix, flat ? "" : ".entry", i + 1);
      lf_fmt(sub, sizeof sub, "%s.%s", entry, kn ? kn : "key");
      add_param(b, sub, keys[i], strlen(keys[i]));
      lf_fmt(sub, sizeof sub, "%s.%s", entry, vn ? vn : "value");
      value(b, m, vref, json_object_get(v, keys[i]), sub, ec2);
    }
    free(keys);
  } else {
    lf_buf t = {0};
    lf_scalar_text(m, ref, v, "iso8601", &t);
    add_param(b, prefix, t.p ? t.p : "", t.n);
    lf_buf_free(&t);
  }
}

int lf_ser_query(const lf_model *m, json_t *op, json_t *in, lf_request *req, int ec2,
                 char *err, size_t errlen) {
  (void)err; (void)errlen;
  lf_buf b = {0};
  lf_buf_puts(&b, "Action=");
  const char *name = json_string_value(json_object_get(op, "name"));
  lf_buf_uriencode(&b, name, strlen(name), 0);
  lf_buf_puts(&b, "&Version=");
  const char *ver = lf_model_api_version(m);
  lf_buf_uriencode(&b, ver, strlen(ver), 0);
  json_t *input = json_object_get(op, "input");
  if (input) value(&b, m, input, in, "", ec2);
  const char *method = json_string_value(json_object_get(json_object_get(op, "http"), "method"));
  req->method = strdup(method ? method : "POST");
  req->path = strdup("/");
  lf_request_set_header(req, "Content-Type", "application/x-www-form-urlencoded");
  req->body_len = b.n;
  req->body = lf_buf_take(&b);
  return 0;
}

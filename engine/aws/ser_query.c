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
 * Names and values are form-encoded byte for byte as botocore's urlencode
 * writes them (space as '+'): servers that re-encode the form to check the
 * signature (moto) accept nothing else.
 */
#include "aws_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* &key=value, both form-encoded as botocore writes them (space as '+'). */
static void add_param(lf_buf *b, const char *key, size_t kn, const char *val, size_t n) {
  lf_buf_putc(b, '&');
  lf_buf_formencode(b, key, kn);
  lf_buf_putc(b, '=');
  lf_buf_formencode(b, val, n);
}

/* key (the parameter name so far) grows by one part per level and is cut
   back after it; these append to it. */
static void key_add(lf_buf *key, const char *s) { lf_buf_puts(key, s); }
static void key_index(lf_buf *key, size_t i) {
  char num[24];
  int n = lf_fmt_int(num, (long long)i);
  lf_buf_putc(key, '.');
  lf_buf_add(key, num, (size_t)n);
}
static void key_cut(lf_buf *key, size_t n) {
  key->n = n;
  if (key->p) key->p[n] = '\0';
}

static void value(lf_buf *b, const lf_member_info *ref, json_t *v, lf_buf *key, int ec2,
                  lf_buf *scratch) {
  const lf_shape_info *shape = ref->shape;
  int type = shape ? shape->type : LF_T_NONE;
  size_t at = key->n;
  if (type == LF_T_STRUCTURE) {
    for (size_t i = 0; i < shape->nmembers; i++) {
      const lf_member_info *mi = &shape->members[i];
      json_t *mv = json_object_get(v, mi->name);
      if (!mv) continue;
      if (at) lf_buf_putc(key, '.');
      size_t name_at = key->n;
      if (ec2 && mi->query_name) {
        key_add(key, mi->query_name);
      } else {
        key_add(key, mi->location_name ? mi->location_name : mi->name);
        if (ec2 && key->n > name_at)
          key->p[name_at] = (char)toupper((unsigned char)key->p[name_at]);
      }
      value(b, mi, mv, key, ec2, scratch);
      key_cut(key, at);
    }
  } else if (type == LF_T_LIST) {
    const lf_member_info *member = &shape->member;
    if (json_array_size(v) == 0) {
      if (!ec2) add_param(b, key->p ? key->p : "", key->n, "", 0);
      return;
    }
    if (ec2) {
      /* Name.N */
    } else if (ref->flattened) {
      /* Name.N, or <member locationName>.N in place of the last part */
      if (member->location_name) {
        const char *dot = key->p ? strrchr(key->p, '.') : NULL;
        key_cut(key, dot ? (size_t)(dot - key->p + 1) : 0);
        key_add(key, member->location_name);
      }
    } else {
      lf_buf_putc(key, '.');
      key_add(key, member->location_name ? member->location_name : "member");
    }
    size_t base = key->n, i;
    json_t *x;
    json_array_foreach(v, i, x) {
      key_index(key, i + 1);
      value(b, member, x, key, ec2, scratch);
      key_cut(key, base);
    }
    key_cut(key, at);
  } else if (type == LF_T_MAP) {
    const char *kn = shape->key.location_name, *vn = shape->value.location_name;
    size_t i = 0;
    const char *k;
    json_t *x;
    if (!ref->flattened) key_add(key, ".entry");
    size_t base = key->n;
    json_object_foreach(v, k, x) {
      key_index(key, ++i);
      size_t entry = key->n;
      lf_buf_putc(key, '.');
      key_add(key, kn ? kn : "key");
      add_param(b, key->p, key->n, k, strlen(k));
      key_cut(key, entry);
      lf_buf_putc(key, '.');
      key_add(key, vn ? vn : "value");
      value(b, &shape->value, x, key, ec2, scratch);
      key_cut(key, base);
    }
    key_cut(key, at);
  } else {
    const char *text;
    size_t n;
    if (json_is_string(v) && type != LF_T_TIMESTAMP && type != LF_T_BLOB) {
      text = json_string_value(v);   /* strings as they are */
      n = json_string_length(v);
    } else {
      scratch->n = 0;
      lf_scalar_text_mi(ref, v, "iso8601", scratch);
      text = scratch->p ? scratch->p : "";
      n = scratch->n;
    }
    add_param(b, key->p ? key->p : "", key->n, text, n);
  }
}

int lf_ser_query(const lf_model *m, const lf_op_info *oi, json_t *in, lf_request *req, int ec2,
                 char *err, size_t errlen) {
  json_t *op = oi->json;
  (void)err; (void)errlen;
  lf_buf b = {0};
  lf_buf_puts(&b, "Action=");
  const char *name = json_string_value(json_object_get(op, "name"));
  lf_buf_formencode(&b, name, strlen(name));
  lf_buf_puts(&b, "&Version=");
  const char *ver = lf_model_api_version(m);
  lf_buf_formencode(&b, ver, strlen(ver));
  if (oi->has_input) {
    lf_buf key = {0}, scratch = {0};
    value(&b, &oi->input, in, &key, ec2, &scratch);
    lf_buf_free(&key);
    lf_buf_free(&scratch);
  }
  const char *method = json_string_value(json_object_get(json_object_get(op, "http"), "method"));
  req->method = lf_xstrdup(method ? method : "POST");
  req->path = lf_xstrdup("/");
  lf_request_set_header(req, "Content-Type", "application/x-www-form-urlencoded");
  req->body_len = b.n;
  req->body = lf_buf_take(&b);
  return 0;
}

/*
 * ser_rest.c - the REST protocols (rest-json, rest-xml): members bound to
 * the URI ({Label}, greedy {Label+}), the query string, headers (and
 * prefixed header maps), and the body: the payload member if the input
 * names one (raw bytes for blobs and strings, else an encoded structure),
 * otherwise the unbound members as a JSON object / XML document.
 *
 * Text defaults: timestamps iso8601 in URIs and query strings, rfc822 in
 * headers; jsonvalue headers are base64 of the JSON; list headers are
 * comma-separated (items with commas or quotes are quoted).
 */
#include "aws_int.h"
#include "luaform/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *location(json_t *mref) {
  return json_string_value(json_object_get(mref, "location"));
}

static const char *loc_name(json_t *mref, const char *fallback) {
  const char *n = json_string_value(json_object_get(mref, "locationName"));
  return n ? n : fallback;
}

/* The member bound to URI label `label`. */
static const char *label_member(json_t *members, const char *label, json_t **mref_out) {
  const char *name;
  json_t *mref;
  json_object_foreach(members, name, mref) {
    const char *loc = location(mref);
    if (loc && strcmp(loc, "uri") == 0 && strcmp(loc_name(mref, name), label) == 0) {
      *mref_out = mref;
      return name;
    }
  }
  return NULL;
}

static int expand_uri(const lf_model *m, const char *tmpl, json_t *members, json_t *in,
                      lf_buf *out, char *err, size_t errlen) {
  for (const char *p = tmpl; *p; p++) {
    const char *close;
    if (*p != '{' || !(close = strchr(p, '}'))) { lf_buf_putc(out, *p); continue; }
    char label[256];
    lf_fmt(label, sizeof label, "%.*s", (int)(close - p - 1), p + 1);
    size_t len = strlen(label);
    int greedy = len && label[len - 1] == '+';
    if (greedy) label[len - 1] = 0;
    json_t *mref = NULL;
    const char *name = label_member(members, label, &mref);
    json_t *v = name ? json_object_get(in, name) : NULL;
    lf_buf t = {0};
    if (v) lf_scalar_text(m, mref, v, "iso8601", &t);
    if (!v || !t.n) {
      lf_buf_free(&t);
      snprintf(err, errlen, "%s: missing required parameter (URI label)", name ? name : label);
      return -1;
    }
    lf_buf_uriencode(out, t.p, t.n, greedy);
    lf_buf_free(&t);
    p = close;
  }
  return 0;
}

static void query_pair(lf_buf *q, const char *k, const char *v, size_t vn) {
  if (q->n) lf_buf_putc(q, '&');
  lf_buf_uriencode(q, k, strlen(k), 0);
  lf_buf_putc(q, '=');
  lf_buf_uriencode(q, v, vn, 0);
}

static void query_value(lf_buf *q, const lf_model *m, json_t *ref, const char *key, json_t *v) {
  json_t *shape = lf_shape_of(m, ref);
  if (json_is_array(v)) {
    json_t *member = json_object_get(shape, "member"), *x;
    size_t i;
    json_array_foreach(v, i, x) query_value(q, m, member, key, x);
    return;
  }
  lf_buf t = {0};
  lf_scalar_text(m, ref, v, "iso8601", &t);
  query_pair(q, key, t.p ? t.p : "", t.n);
  lf_buf_free(&t);
}

/* Named query members first; a map member adds only keys not yet used. */
static void build_query(const lf_model *m, json_t *members, json_t *in, lf_buf *q) {
  const char *name;
  json_t *mref;
  json_t *used = json_object();
  json_object_foreach(members, name, mref) {
    json_t *v = json_object_get(in, name);
    const char *loc = location(mref);
    if (!v || !loc || strcmp(loc, "querystring") || json_is_object(v)) continue;
    query_value(q, m, mref, loc_name(mref, name), v);
    json_object_set_new(used, loc_name(mref, name), json_true());
  }
  json_object_foreach(members, name, mref) {
    json_t *v = json_object_get(in, name);
    const char *loc = location(mref);
    if (!v || !loc || strcmp(loc, "querystring") || !json_is_object(v)) continue;
    json_t *vref = json_object_get(lf_shape_of(m, mref), "value");
    size_t n = json_object_size(v), i = 0;
    const char **keys = lf_xmalloc((n ? n : 1) * sizeof *keys);
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) keys[i++] = k;
    for (i = 0; i < n; i++)
      if (!json_object_get(used, keys[i]))
        query_value(q, m, vref, keys[i], json_object_get(v, keys[i]));
    free(keys);
  }
  json_decref(used);
}

static void header_text(const lf_model *m, json_t *ref, json_t *v, lf_buf *out) {
  json_t *shape = lf_shape_of(m, ref);
  if (json_is_array(v)) {
    json_t *member = json_object_get(shape, "member"), *x;
    size_t i;
    json_array_foreach(v, i, x) {
      lf_buf t = {0};
      header_text(m, member, x, &t);
      if (i) lf_buf_puts(out, ", ");
      int quote = t.n && (strchr(t.p, ',') || strchr(t.p, '"')) &&
                  strcmp(lf_shape_type(lf_shape_of(m, member)), "timestamp") != 0;
      if (quote) {
        lf_buf_putc(out, '"');
        for (size_t j = 0; j < t.n; j++) {
          if (t.p[j] == '"' || t.p[j] == '\\') lf_buf_putc(out, '\\');
          lf_buf_putc(out, t.p[j]);
        }
        lf_buf_putc(out, '"');
      } else if (t.n) {
        lf_buf_add(out, t.p, t.n);
      }
      lf_buf_free(&t);
    }
    return;
  }
  if (lf_trait_true(m, ref, "jsonvalue")) {
    char *s = lf_json_dump(v, JSON_COMPACT, NULL);
    char *b64 = lf_base64_encode(s, strlen(s));
    lf_buf_puts(out, b64);
    free(b64);
    free(s);
    return;
  }
  lf_scalar_text(m, ref, v, "rfc822", out);
}

static void build_headers(const lf_model *m, json_t *members, json_t *in, lf_request *req) {
  const char *name;
  json_t *mref;
  json_object_foreach(members, name, mref) {
    json_t *v = json_object_get(in, name);
    const char *loc = location(mref);
    if (!v || !loc) continue;
    if (strcmp(loc, "header") == 0) {
      lf_buf t = {0};
      header_text(m, mref, v, &t);
      lf_request_set_header(req, loc_name(mref, name), t.p ? t.p : "");
      lf_buf_free(&t);
    } else if (strcmp(loc, "headers") == 0 && json_is_object(v)) {
      const char *prefix = loc_name(mref, "");
      json_t *vref = json_object_get(lf_shape_of(m, mref), "value"), *x;
      const char *k;
      json_object_foreach(v, k, x) {
        char hname[512];
        lf_buf t = {0};
        lf_fmt(hname, sizeof hname, "%s%s", prefix, k);
        header_text(m, vref, x, &t);
        lf_request_set_header(req, hname, t.p ? t.p : "");
        lf_buf_free(&t);
      }
    }
  }
}

static void set_body(lf_request *req, char *body, size_t n, const char *content_type) {
  req->body = body;
  req->body_len = n;
  if (content_type && !lf_request_header(req, "Content-Type"))
    lf_request_set_header(req, "Content-Type", content_type);
}

static void build_body(const lf_model *m, json_t *input, json_t *shape, json_t *in,
                       lf_request *req, int xml) {
  json_t *members = json_object_get(shape, "members");
  const char *payload = json_string_value(json_object_get(shape, "payload"));
  if (payload) {
    json_t *pref = json_object_get(members, payload);
    json_t *v = json_object_get(in, payload);
    const char *ptype = lf_shape_type(lf_shape_of(m, pref));
    if (!strcmp(ptype, "blob") || !strcmp(ptype, "string")) {
      if (!v) return;
      char *body = lf_xmalloc(json_string_length(v) + 1);
      memcpy(body, json_string_value(v), json_string_length(v) + 1);
      set_body(req, body, json_string_length(v),
               !strcmp(ptype, "blob") ? "application/octet-stream" : "text/plain");
      return;
    }
    if (!v) {
      if (!xml) set_body(req, lf_xstrdup("{}"), 2, "application/json");
      return;
    }
    if (xml) {
      lf_buf b = {0};
      lf_xml_write(&b, m, pref, v, loc_name(pref, payload), 1);
      size_t n = b.n;
      set_body(req, lf_buf_take(&b), n, NULL);
      lf_request_set_header(req, "Content-Type", "application/xml");
    } else {
      json_t *j = lf_json_body(m, pref, v);
      char *s = lf_json_dump(j, JSON_COMPACT, NULL);
      json_decref(j);
      set_body(req, s, strlen(s), "application/json");
    }
    return;
  }
  /* unbound members form the body */
  json_t *body_in = json_object();
  int has_body_members = 0;
  const char *name;
  json_t *mref;
  json_object_foreach(members, name, mref) {
    if (location(mref)) continue;
    has_body_members = 1;
    json_t *v = json_object_get(in, name);
    if (v) json_object_set(body_in, name, v);
  }
  if (xml && json_object_size(body_in)) {
    lf_buf b = {0};
    const char *root = json_string_value(json_object_get(input, "locationName"));
    const char *shape_name = json_string_value(json_object_get(input, "shape"));
    json_t *root_ref = json_deep_copy(input);
    if (!json_object_get(root_ref, "xmlNamespace") && json_object_get(shape, "xmlNamespace"))
      json_object_set(root_ref, "xmlNamespace", json_object_get(shape, "xmlNamespace"));
    lf_xml_write(&b, m, root_ref, body_in, root ? root : shape_name, 1);
    json_decref(root_ref);
    size_t n = b.n;
    set_body(req, lf_buf_take(&b), n, NULL);
    lf_request_set_header(req, "Content-Type", "application/xml");
  } else if (!xml && has_body_members) {
    json_t *j = lf_json_body(m, input, body_in);
    char *s = lf_json_dump(j, JSON_COMPACT, NULL);
    json_decref(j);
    set_body(req, s, strlen(s), "application/json");
  }
  json_decref(body_in);
}

int lf_ser_rest(const lf_model *m, json_t *op, json_t *in, lf_request *req, int xml,
                char *err, size_t errlen) {
  json_t *http = json_object_get(op, "http");
  const char *method = json_string_value(json_object_get(http, "method"));
  const char *uri = json_string_value(json_object_get(http, "requestUri"));
  json_t *input = json_object_get(op, "input");
  json_t *shape = lf_shape_of(m, input);
  json_t *members = json_object_get(shape, "members");
  req->method = lf_xstrdup(method ? method : "GET");

  char *tmpl = lf_xstrdup(uri ? uri : "/");
  char *qm = strchr(tmpl, '?');
  if (qm) *qm = 0;
  lf_buf path = {0}, q = {0};
  if (expand_uri(m, tmpl, members, in, &path, err, errlen) != 0) {
    free(tmpl);
    lf_buf_free(&path);
    return -1;
  }
  if (qm && qm[1]) lf_buf_puts(&q, qm + 1);   /* literal query of the template */
  free(tmpl);
  build_query(m, members, in, &q);
  if (!path.n) lf_buf_putc(&path, '/');
  if (q.n) { lf_buf_putc(&path, '?'); lf_buf_add(&path, q.p, q.n); }
  lf_buf_free(&q);
  req->path = lf_buf_take(&path);

  build_headers(m, members, in, req);
  if (input) build_body(m, input, shape, in, req, xml);
  return 0;
}

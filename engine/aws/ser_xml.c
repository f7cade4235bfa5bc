/*
 * ser_xml.c - XML encoding of shapes for rest-xml bodies.
 *
 * Element names come from locationName (member reference) or the member
 * name; xmlNamespace (a URI, or {prefix, uri}) becomes an xmlns attribute
 * on the element whose reference or shape carries it; xmlAttribute members
 * become attributes of their structure. Lists are wrapped
 * (<name><member>..</member></name>, member renamed by its locationName)
 * unless flattened; maps are <name><entry><key/><value/></entry></name>
 * (flattened: <name><key/><value/></name> per entry), in the order of the input tree.
 * Only the writer is here; XML is read with expat (xml.c).
 */
#include "aws_int.h"

#include <stdlib.h>
#include <string.h>

void lf_buf_xmlescape(lf_buf *b, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    switch (s[i]) {
    case '&': lf_buf_puts(b, "&amp;"); break;
    case '<': lf_buf_puts(b, "&lt;"); break;
    case '>': lf_buf_puts(b, "&gt;"); break;
    case '"': lf_buf_puts(b, "&quot;"); break;
    case '\r': lf_buf_puts(b, "&#xD;"); break;
    default: lf_buf_putc(b, s[i]);
    }
  }
}

static void xmlns(lf_buf *b, json_t *ns) {
  if (json_is_string(ns)) {
    lf_buf_puts(b, " xmlns=\"");
    lf_buf_xmlescape(b, json_string_value(ns), json_string_length(ns));
    lf_buf_putc(b, '"');
  } else if (json_is_object(ns)) {
    const char *prefix = json_string_value(json_object_get(ns, "prefix"));
    json_t *uri = json_object_get(ns, "uri");
    lf_buf_printf(b, " xmlns%s%s=\"", prefix ? ":" : "", prefix ? prefix : "");
    if (json_is_string(uri)) lf_buf_xmlescape(b, json_string_value(uri), json_string_length(uri));
    lf_buf_putc(b, '"');
  }
}

static const char *loc_name(json_t *ref, const char *fallback) {
  const char *n = json_string_value(json_object_get(ref, "locationName"));
  return n ? n : fallback;
}

static void open_tag(lf_buf *b, const lf_model *m, json_t *ref, const char *name) {
  lf_buf_printf(b, "<%s", name);
  xmlns(b, lf_trait(m, ref, "xmlNamespace"));
}

void lf_xml_write(lf_buf *b, const lf_model *m, json_t *ref, json_t *v, const char *name,
                  int top) {
  (void)top;
  json_t *shape = lf_shape_of(m, ref);
  const char *type = lf_shape_type(shape);
  int flat = json_is_true(json_object_get(ref, "flattened")) ||
             json_is_true(json_object_get(shape, "flattened"));
  if (strcmp(type, "structure") == 0) {
    json_t *members = json_object_get(shape, "members"), *mref;
    const char *mname;
    open_tag(b, m, ref, name);
    json_object_foreach(members, mname, mref) {
      json_t *mv = json_object_get(v, mname);
      if (!mv || !json_is_true(json_object_get(mref, "xmlAttribute"))) continue;
      lf_buf t = {0};
      lf_scalar_text(m, mref, mv, "iso8601", &t);
      lf_buf_printf(b, " %s=\"", loc_name(mref, mname));
      lf_buf_xmlescape(b, t.p ? t.p : "", t.n);
      lf_buf_putc(b, '"');
      lf_buf_free(&t);
    }
    lf_buf_putc(b, '>');
    json_object_foreach(members, mname, mref) {
      json_t *mv = json_object_get(v, mname);
      if (!mv || json_is_null(mv) || json_is_true(json_object_get(mref, "xmlAttribute")))
        continue;
      lf_xml_write(b, m, mref, mv, loc_name(mref, mname), 0);
    }
    lf_buf_printf(b, "</%s>", name);
  } else if (strcmp(type, "list") == 0) {
    json_t *member = json_object_get(shape, "member"), *x;
    size_t i;
    if (flat) {
      json_array_foreach(v, i, x) lf_xml_write(b, m, member, x, name, 0);
      return;
    }
    open_tag(b, m, ref, name);
    lf_buf_putc(b, '>');
    const char *item = loc_name(member, "member");
    json_array_foreach(v, i, x) lf_xml_write(b, m, member, x, item, 0);
    lf_buf_printf(b, "</%s>", name);
  } else if (strcmp(type, "map") == 0) {
    json_t *kref = json_object_get(shape, "key"), *vref = json_object_get(shape, "value");
    const char *kn = loc_name(kref, "key"), *vn = loc_name(vref, "value");
    size_t n = json_object_size(v), i = 0;
    const char **keys = lf_xmalloc((n ? n : 1) * sizeof *keys);
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) keys[i++] = k;
    if (!flat) { open_tag(b, m, ref, name); lf_buf_putc(b, '>'); }
    for (i = 0; i < n; i++) {
      if (flat) { open_tag(b, m, ref, name); lf_buf_putc(b, '>'); }
      else lf_buf_puts(b, "<entry>");
      json_t *kv = json_string(keys[i]);
      lf_xml_write(b, m, kref, kv, kn, 0);
      json_decref(kv);
      lf_xml_write(b, m, vref, json_object_get(v, keys[i]), vn, 0);
      if (flat) lf_buf_printf(b, "</%s>", name);
      else lf_buf_puts(b, "</entry>");
    }
    if (!flat) lf_buf_printf(b, "</%s>", name);
    free(keys);
  } else {
    lf_buf t = {0};
    lf_scalar_text(m, ref, v, "iso8601", &t);
    open_tag(b, m, ref, name);
    lf_buf_putc(b, '>');
    lf_buf_xmlescape(b, t.p ? t.p : "", t.n);
    lf_buf_printf(b, "</%s>", name);
    lf_buf_free(&t);
  }
}

/*
 * xml.c - a small DOM over expat for AWS responses.
 *
 * Elements keep their written name (prefix included; lf_xml_local strips
 * it), attributes, concatenated character data, and children in document
 * order. Namespace processing is off: AWS parsers match local names.
 */
#include "aws_int.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  lf_xml *root;
  lf_xml *stack[256];
  int depth;
  int too_deep;
  lf_buf text[256];
} builder;

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs) {
  builder *b = ud;
  if (b->depth >= 255) { b->too_deep = 1; b->depth++; return; }
  lf_xml *x = calloc(1, sizeof *x);
  x->name = strdup(name);
  size_t n = 0;
  while (attrs[n]) n++;
  x->attrs = calloc(n + 1, sizeof *x->attrs);
  for (size_t i = 0; i < n; i++) x->attrs[i] = strdup(attrs[i]);
  if (b->depth == 0) {
    if (!b->root) b->root = x;
    else { lf_xml_free(x); b->too_deep = 1; return; }
  } else {
    lf_xml *parent = b->stack[b->depth - 1], **tail = &parent->child;
    while (*tail) tail = &(*tail)->next;
    *tail = x;
  }
  b->stack[b->depth] = x;
  memset(&b->text[b->depth], 0, sizeof b->text[0]);
  b->depth++;
}

static void on_end(void *ud, const XML_Char *name) {
  (void)name;
  builder *b = ud;
  b->depth--;
  if (b->depth >= 255) return;
  lf_xml *x = b->stack[b->depth];
  x->text_len = b->text[b->depth].n;
  x->text = lf_buf_take(&b->text[b->depth]);
}

static void on_text(void *ud, const XML_Char *s, int len) {
  builder *b = ud;
  if (b->depth > 0 && b->depth <= 255) lf_buf_add(&b->text[b->depth - 1], s, (size_t)len);
}

lf_xml *lf_xml_parse(const char *s, size_t n, char *err, size_t errlen) {
  builder b;
  memset(&b, 0, sizeof b);
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, &b);
  XML_SetElementHandler(p, on_start, on_end);
  XML_SetCharacterDataHandler(p, on_text);
  int ok = XML_Parse(p, s, (int)n, 1) == XML_STATUS_OK && !b.too_deep && b.root;
  if (!ok) {
    if (b.too_deep) snprintf(err, errlen, "XML nested too deeply");
    else snprintf(err, errlen, "XML line %lu: %s", (unsigned long)XML_GetCurrentLineNumber(p),
                  XML_ErrorString(XML_GetErrorCode(p)));
    for (int i = 0; i < b.depth && i < 256; i++) lf_buf_free(&b.text[i]);
    lf_xml_free(b.root);
    XML_ParserFree(p);
    return NULL;
  }
  XML_ParserFree(p);
  return b.root;
}

void lf_xml_free(lf_xml *x) {
  while (x) {
    lf_xml *next = x->next;
    lf_xml_free(x->child);
    for (char **a = x->attrs; a && *a; a++) free(*a);
    free(x->attrs);
    free(x->name);
    free(x->text);
    free(x);
    x = next;
  }
}

const char *lf_xml_local(const char *name) {
  const char *c = strchr(name, ':');
  return c ? c + 1 : name;
}

lf_xml *lf_xml_find(lf_xml *parent, const char *local_name) {
  for (lf_xml *c = parent ? parent->child : NULL; c; c = c->next)
    if (strcmp(lf_xml_local(c->name), local_name) == 0) return c;
  return NULL;
}

const char *lf_xml_attr(const lf_xml *x, const char *name) {
  for (char **a = x->attrs; a && a[0] && a[1]; a += 2)
    if (strcmp(a[0], name) == 0 || strcmp(lf_xml_local(a[0]), name) == 0) return a[1];
  return NULL;
}

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
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

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

/* One parser, reset for each document. Expat draws a fresh hash salt from
   the kernel for every new document (a getrandom call, most of the cost of
   parsing a small response); the salt here is drawn once per process, which
   keeps hash flooding unpredictable. Single-threaded engine: no locking. */
static XML_Parser parser;
static unsigned long salt;

static XML_Parser get_parser(void) {
  if (!parser) {
    parser = XML_ParserCreate("UTF-8");
    if (!parser) return NULL;
    if (getrandom(&salt, sizeof salt, 0) != (ssize_t)sizeof salt || !salt) {
      struct timespec t;
      clock_gettime(CLOCK_REALTIME, &t);
      salt = (unsigned long)t.tv_nsec ^ ((unsigned long)getpid() << 32) ^ (unsigned long)t.tv_sec;
    }
  } else if (!XML_ParserReset(parser, "UTF-8")) {
    XML_ParserFree(parser);
    parser = NULL;
    return get_parser();
  }
  XML_SetHashSalt(parser, salt);
  return parser;
}

lf_xml *lf_xml_parse(const char *s, size_t n, char *err, size_t errlen) {
  builder b;
  memset(&b, 0, sizeof b);
  XML_Parser p = get_parser();
  if (!p) {
    snprintf(err, errlen, "XML: out of memory");
    return NULL;
  }
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
    return NULL;
  }
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

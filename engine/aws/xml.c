/*
 * xml.c - a small DOM over expat for AWS responses.
 *
 * Elements keep their written name (prefix included; lf_xml_local strips
 * it), attributes, concatenated character data, and children in document
 * order. Namespace processing is off: AWS parsers match local names.
 * Expat has no nesting limit of its own: an element deeper than
 * LF_MAX_NESTING stops the parse with LF_TOO_DEEP, which also bounds the
 * builder's per-depth arrays and the recursion of the pushers.
 */
#include "aws_int.h"

#include <expat.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* A document lives in a chain of chunks freed together by lf_xml_free:
   one allocation per few kilobytes instead of four per element. Freed
   chunks of the standard size are kept (up to SPARE_MAX) for the next
   document, so a small response allocates nothing here. */
typedef struct lf_xml_chunk {
  struct lf_xml_chunk *next;
  size_t used, cap;
  max_align_t data[];
} chunk;

#define CHUNK 4096
#define SPARE_MAX 16
static chunk *spare;    /* single-threaded engine: no locking */
static int nspare;

static void *arena_alloc(chunk **head, size_t n) {
  n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
  chunk *c = *head;
  if (!c || c->cap - c->used < n) {
    size_t cap = n > CHUNK ? n : CHUNK;
    if (cap == CHUNK && spare) {
      c = spare;
      spare = c->next;
      nspare--;
    } else {
      c = lf_xmalloc(sizeof *c + cap);
    }
    c->next = *head;
    c->used = 0;
    c->cap = cap;
    *head = c;
  }
  void *p = (char *)c->data + c->used;
  c->used += n;
  return p;
}

static char *arena_strndup(chunk **head, const char *s, size_t n) {
  char *p = arena_alloc(head, n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

static void arena_free(chunk *c) {
  while (c) {
    chunk *next = c->next;
    if (c->cap == CHUNK && nspare < SPARE_MAX) {
      c->next = spare;
      spare = c;
      nspare++;
    } else {
      free(c);
    }
    c = next;
  }
}

typedef struct {
  XML_Parser parser;
  chunk *mem;
  lf_xml *root;
  lf_xml *stack[LF_MAX_NESTING];
  lf_xml *last[LF_MAX_NESTING];     /* last child of stack[i], for appending */
  int depth;
  int too_deep;
  lf_buf text[LF_MAX_NESTING];      /* character data of the open elements; kept for the next document */
} builder;

static char *no_attrs[] = {NULL};   /* shared by the elements without attributes */

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs) {
  builder *b = ud;
  if (b->depth >= LF_MAX_NESTING) {
    b->too_deep = 1;
    XML_StopParser(b->parser, XML_FALSE);   /* no need to read the rest */
  }
  if (b->too_deep) { b->depth++; return; }
  size_t n = 0;
  while (attrs[n]) n++;
  size_t nl = strlen(name);
  lf_xml *x = arena_alloc(&b->mem, sizeof *x);
  char **av = n ? arena_alloc(&b->mem, (n + 1) * sizeof *av) : no_attrs;
  char *nm = arena_strndup(&b->mem, name, nl);
  memset(x, 0, sizeof *x);
  x->name = nm;
  x->local = lf_xml_local(nm);
  x->attrs = av;
  for (size_t i = 0; i < n; i++)
    av[i] = arena_strndup(&b->mem, attrs[i], strlen(attrs[i]));
  if (n) av[n] = NULL;
  if (b->depth == 0) {
    b->root = x;           /* expat refuses a second root element */
  } else {
    lf_xml **tail = b->last[b->depth - 1] ? &b->last[b->depth - 1]->next : &b->stack[b->depth - 1]->child;
    *tail = x;
    b->last[b->depth - 1] = x;
  }
  b->stack[b->depth] = x;
  b->last[b->depth] = NULL;
  b->text[b->depth].n = 0;
  b->depth++;
}

static void on_end(void *ud, const XML_Char *name) {
  (void)name;
  builder *b = ud;
  b->depth--;
  if (b->too_deep) return;
  lf_xml *x = b->stack[b->depth];
  lf_buf *t = &b->text[b->depth];
  x->text_len = t->n;
  x->text = arena_strndup(&b->mem, t->p ? t->p : "", t->n);
}

static void on_text(void *ud, const XML_Char *s, int len) {
  builder *b = ud;
  if (b->depth > 0 && !b->too_deep) lf_buf_add(&b->text[b->depth - 1], s, (size_t)len);
}

/* One parser, reset for each document. Expat draws a fresh hash salt from
   the kernel for every new document (a getrandom call, most of the cost of
   parsing a small response); the salt here is drawn once per process, which
   keeps hash flooding unpredictable. Single-threaded engine: no locking. */
static XML_Parser parser;
static unsigned long salt;

static const XML_Memory_Handling_Suite memsuite = {lf_xmalloc, lf_xrealloc, free};

static XML_Parser get_parser(void) {
  if (!parser) {
    parser = XML_ParserCreate_MM("UTF-8", &memsuite, NULL);
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

/* Like the parser, one builder for the process: its text buffers keep
   their memory (the largest text seen at each depth) for the next document. */
static builder doc;

lf_xml *lf_xml_parse(const char *s, size_t n, char *err, size_t errlen) {
  doc.mem = NULL;
  doc.root = NULL;
  doc.depth = doc.too_deep = 0;
  XML_Parser p = get_parser();
  doc.parser = p;
  XML_SetUserData(p, &doc);
  XML_SetElementHandler(p, on_start, on_end);
  XML_SetCharacterDataHandler(p, on_text);
  int parsed = XML_Parse(p, s, (int)n, 1) == XML_STATUS_OK;
  if (!parsed || doc.too_deep || !doc.root) {
    if (doc.too_deep) snprintf(err, errlen, "%s", LF_TOO_DEEP);
    else snprintf(err, errlen, "XML line %lu: %s", (unsigned long)XML_GetCurrentLineNumber(p),
                  XML_ErrorString(XML_GetErrorCode(p)));
    arena_free(doc.mem);
    return NULL;
  }
  doc.root->mem = doc.mem;
  return doc.root;
}

/* Frees a document: x must be the root lf_xml_parse returned. */
void lf_xml_free(lf_xml *x) {
  if (x) arena_free(x->mem);
}

const char *lf_xml_local(const char *name) {
  const char *c = strchr(name, ':');
  return c ? c + 1 : name;
}

lf_xml *lf_xml_find(lf_xml *parent, const char *local_name) {
  for (lf_xml *c = parent ? parent->child : NULL; c; c = c->next)
    if (strcmp(c->local, local_name) == 0) return c;
  return NULL;
}

const char *lf_xml_attr(const lf_xml *x, const char *name) {
  for (char **a = x->attrs; a && a[0] && a[1]; a += 2)
    if (strcmp(a[0], name) == 0 || strcmp(lf_xml_local(a[0]), name) == 0) return a[1];
  return NULL;
}

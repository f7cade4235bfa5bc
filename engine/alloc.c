/*
 * alloc.c - the allocator with luaform's out-of-memory policy: abort with a
 * message (see luaform/alloc.h).
 */
#include "luaform/alloc.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *out_of_memory(void) {
  static const char msg[] = "luaform: out of memory\n";
  ssize_t ignored = write(2, msg, sizeof msg - 1);
  (void)ignored;
  abort();
}

void *lf_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  return p ? p : out_of_memory();
}

void *lf_xcalloc(size_t count, size_t size) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  return p ? p : out_of_memory();
}

void *lf_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  return q ? q : out_of_memory();
}

char *lf_xstrdup(const char *s) {
  char *p = strdup(s);
  return p ? p : out_of_memory();
}

char *lf_xstrndup(const char *s, size_t n) {
  char *p = strndup(s, n);
  return p ? p : out_of_memory();
}

void lf_free_secret(char *s) {
  if (!s) return;
  OPENSSL_cleanse(s, strlen(s));
  free(s);
}

void lf_alloc_init(void) { json_set_alloc_funcs(lf_xmalloc, free); }

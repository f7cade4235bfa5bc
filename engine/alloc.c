/*
 * alloc.c - the allocator with luaform's out-of-memory policy: abort with a
 * message (see luaform/alloc.h); and its heap policy: memory freed during
 * a run stays in the process for what the run allocates next.
 */
#include "luaform/alloc.h"

#include <jansson.h>
#include <malloc.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

void lf_prefault(void *p, size_t n) {
#ifdef MADV_POPULATE_WRITE
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) return;
  uintptr_t start = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
  uintptr_t end = ((uintptr_t)p + n) & ~((uintptr_t)page - 1);
  if (end > start) (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);   /* a hint: failure changes nothing */
#else
  (void)p;
  (void)n;
#endif
}

void lf_heap_reserve(size_t n) {
  enum { STEP = 8 << 20, MAX_STEPS = 256 };   /* blocks the heap serves (< the mmap threshold) */
  void *blocks[MAX_STEPS];
  size_t k = 0;
  for (; k < MAX_STEPS && k * STEP < n; k++) {
    blocks[k] = lf_xmalloc(STEP);
    lf_prefault(blocks[k], STEP);
  }
  while (k > 0) free(blocks[--k]);
}

/* A run is short, and its memory peaks when it holds the stack, the state
 * and a plan at once. On a large state, faulting in fresh pages costs as
 * much as the parsing that fills them (a state's temporary JSON tree is
 * about 5x the text), so glibc is told to keep what is freed for reuse:
 * blocks under 32 MB come from the heap (json.c's arena chunks are), and
 * the heap is never trimmed. The exit returns everything. */
void lf_alloc_init(void) {
  json_set_alloc_funcs(lf_xmalloc, free);
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, -1);
#endif
}

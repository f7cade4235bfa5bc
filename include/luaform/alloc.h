/*
 * The engine's allocator: the one out-of-memory policy of luaform.
 *
 * Every allocation in engine/ goes through these (and jansson's through
 * them too, see lf_alloc_init). When memory runs out they print
 * "luaform: out of memory" to stderr and abort: a CLI that cannot allocate
 * cannot save state or report reliably either, and the intent journal
 * already makes a run that dies at any moment recoverable. So none of them
 * returns NULL, and no caller checks. Lua's own allocations keep Lua's
 * policy (a catchable "not enough memory" error).
 */
#ifndef LUAFORM_ALLOC_H
#define LUAFORM_ALLOC_H

#include <stddef.h>

void *lf_xmalloc(size_t n);
void *lf_xcalloc(size_t count, size_t size);
void *lf_xrealloc(void *p, size_t n);
char *lf_xstrdup(const char *s);
char *lf_xstrndup(const char *s, size_t n);

/* Frees a NUL-terminated string that held a secret (key, token, header
 * carrying one) after wiping it with OPENSSL_cleanse; NULL is ignored. */
void lf_free_secret(char *s);

/* Asks the kernel to map the pages of [p, p+n) now, in one call, for a
 * block that is about to be filled: on a virtual machine each page first
 * touched costs a fault, and a large block faulted in at once costs about
 * half (Linux 5.14+; elsewhere nothing happens). */
void lf_prefault(void *p, size_t n);

/* Grows the heap by about n bytes now, prefaulted, and hands them back to
 * malloc: for a burst of small allocations about to come (a large JSON
 * document pushed into Lua), which then find memory already mapped. */
void lf_heap_reserve(size_t n);

/* Points jansson at lf_xmalloc/free; called once at startup. */
void lf_alloc_init(void);

#endif

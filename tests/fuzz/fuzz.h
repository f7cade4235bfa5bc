/*
 * fuzz.h - what the libFuzzer targets of tests/fuzz/ share (static inline:
 * each target is one translation unit): cutting an input into text fields,
 * finding the conformance vectors, running a parser under lua_pcall, and a
 * Lua runtime for the loaders written in Lua.
 *
 * A target's input is text: its first lines are fields (selector, status,
 * headers...), the rest is the body; seeds are generated from the
 * conformance vectors by tests/fuzz/seeds.py in this layout. A parser that
 * rejects an input (a return code, a Lua error) is correct behaviour; only a
 * sanitizer report, a crash or a timeout is a finding.
 */
#ifndef LUAFORM_FUZZ_H
#define LUAFORM_FUZZ_H

#include <jansson.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The next line of [*p, end) as a malloc'd string (without the newline);
   *p moves past it. At the end: an empty string. */
static inline char *fuzz_line(const char **p, const char *end) {
  const char *nl = memchr(*p, '\n', (size_t)(end - *p));
  size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
  char *s = malloc(n + 1);
  if (!s) abort();
  memcpy(s, *p, n);
  s[n] = 0;
  *p += n + (nl ? 1 : 0);
  return s;
}

/* The input as a NUL-terminated malloc'd string. */
static inline char *fuzz_string(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) abort();
  memcpy(s, data, size);
  s[size] = 0;
  return s;
}

/* FNV-1a, to map a selector no table entry has onto some entry. */
static inline size_t fuzz_hash(const char *s) {
  size_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* <conformance>/<sub>: $LUAFORM_CONFORMANCE_DIR, else ../shared/aws-conformance
   from the repository (the working directory of make fuzz / tests/run.sh).
   Missing vectors end the process: a target without them is not fuzzing. */
static inline void fuzz_conformance_path(const char *sub, char *out, size_t n) {
  const char *env = getenv("LUAFORM_CONFORMANCE_DIR");
  snprintf(out, n, "%s/%s", env && *env ? env : "../shared/aws-conformance", sub);
  struct stat st;
  if (stat(out, &st) != 0) {
    fprintf(stderr, "fuzz: %s not found (set LUAFORM_CONFORMANCE_DIR)\n", out);
    exit(2);
  }
}

/* Writes data to path (a scratch file a loader reads). */
static inline void fuzz_write_file(const char *path, const uint8_t *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
    perror(path);
    abort();
  }
}

/* A scratch directory for this process, removed at exit by the caller's
   choice of /tmp (small files, overwritten on each run). */
static inline const char *fuzz_scratch_dir(void) {
  static char dir[64];
  if (!dir[0]) {
    snprintf(dir, sizeof dir, "/tmp/luaform-fuzz-XXXXXX");
    if (!mkdtemp(dir)) abort();
  }
  return dir;
}

#endif

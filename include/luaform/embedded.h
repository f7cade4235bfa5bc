/* The Lua sources compiled into the binary (see tools/embed.c). */
#ifndef LUAFORM_EMBEDDED_H
#define LUAFORM_EMBEDDED_H
#include <stddef.h>

typedef struct lf_embedded {
  const char *module;   /* "luaform.dsl" */
  const char *path;     /* "lua/luaform/dsl.lua", used as chunk name */
  const char *source;
  size_t len;
} lf_embedded;

extern const lf_embedded lf_embedded_files[];  /* ends with module == NULL */

#endif

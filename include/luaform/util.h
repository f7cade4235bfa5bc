/*
 * File and identity helpers shared by the engine (engine/util.c).
 * Each returns 0 on success, or -1 with a message naming the path in err.
 */
#ifndef LUAFORM_UTIL_H
#define LUAFORM_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Replaces path with data atomically: PATH.tmp.<pid> in the same
 * directory, fchmod(mode), fsync, rename over path, fsync the directory.
 * A crash leaves either the old or the new file, never a mix. */
int lf_write_atomic(const char *path, const char *data, size_t len, mode_t mode,
                    char *err, size_t n);

/* lf_write_atomic without the fsyncs when durable is 0: a crash of the
 * process still leaves the old or the new file, a crash of the machine
 * may leave the old one (for files the next run can rewrite). */
int lf_write_replace(const char *path, const char *data, size_t len, mode_t mode, int durable,
                     char *err, size_t n);

/* Reads a whole file into a malloc'd buffer (NUL-terminated, *len bytes;
 * a regular file: the size it had when opened, at most). Returns 0, 1
 * when the file does not exist, or -1. */
int lf_read_file(const char *path, char **data, size_t *len, char *err, size_t n);

/* fsync of the directory that holds path. */
int lf_fsync_dir(const char *path, char *err, size_t n);

/* A random (version 4) UUID, lower case, into out[37]. */
void lf_uuid(char out[37]);

/* "user@host" of this process, and UTC "2026-11-25T06:13:24Z". */
void lf_who(char *out, size_t n);
void lf_iso8601(double epoch, char out[32]);

/* Lower-case hex of len bytes into out[2 * len + 1], NUL-terminated. */
void lf_hex(const unsigned char *p, size_t len, char *out);

#endif

/*
 * files.h - file helpers shared by the cmocka tests (static inline: each test is
 * one translation unit). Include after <cmocka.h>: failures are asserts.
 */
#ifndef LUAFORM_TEST_FILES_H
#define LUAFORM_TEST_FILES_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Removes dir and everything below it. */
static inline void remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    char p[4096];
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) continue;
      if (unlink(p) != 0) remove_tree(p);
    }
    closedir(d);
  }
  rmdir(dir);
}

/* How many entries dir holds, "." and ".." aside. */
static inline int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  closedir(d);
  return n;
}

/* Writes text to path with plain stdio (not the code under test), then
 * sets its mode. */
static inline void write_plain(const char *path, const char *text, mode_t mode) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  assert_int_equal(fclose(fp), 0);
  assert_int_equal(chmod(path, mode), 0);
}

#endif

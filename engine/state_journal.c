/*
 * state_journal.c - the state journal's records (see luaform/state.h).
 *
 * A save between two snapshots appends one record: the entries of
 * state.resources that changed (whole entries, or their removal) and the
 * new serial, so its cost does not grow with the state. A record is framed
 * "LFJ1", payload length and zlib crc32 of the payload (both 32-bit big
 * endian), then the payload (compact JSON: lineage, serial, set = {addr =
 * entry}, del = [addr]), sealed (luaform/crypt.h) when the state is
 * encrypted: the frame's checksum covers what is stored. Loading applies the records of the snapshot's
 * lineage whose serial is above the snapshot's, in order; a record the
 * snapshot already holds (a crash between the snapshot's rename and the
 * journal's removal) is skipped. The last record may be torn by a crash
 * during its write: it is ignored and reported. A bad record with others
 * after it is corruption: the state is refused.
 */
#include "luaform/alloc.h"
#include "luaform/state.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAGIC "LFJ1"
#define HEADER 12

static void put_u32(unsigned char *p, uint32_t v) {
  p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

static uint32_t get_u32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

char *lf_journal_frame(const char *payload, size_t len, size_t *out_len) {
  if (len > UINT32_MAX) return NULL;
  unsigned char *out = lf_xmalloc(HEADER + len);
  memcpy(out, MAGIC, 4);
  put_u32(out + 4, (uint32_t)len);
  put_u32(out + 8, (uint32_t)crc32(0L, (const Bytef *)payload, (uInt)len));
  memcpy(out + HEADER, payload, len);
  *out_len = HEADER + len;
  return (char *)out;
}

static int all_zero(const unsigned char *p, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (p[i]) return 0;
  return 1;
}

/* Applies one decoded record to state. */
static int apply_record(json_t *state, json_t *rec, char *err, size_t n) {
  json_t *serial = json_object_get(rec, "serial");
  const char *lineage = json_string_value(json_object_get(rec, "lineage"));
  json_t *set = json_object_get(rec, "set"), *del = json_object_get(rec, "del");
  if (!json_is_integer(serial) || !lineage || (set && !json_is_object(set)) ||
      (del && !json_is_array(del) && !json_is_object(del))) {
    snprintf(err, n, "a journal record lacks its lineage, serial, set or del");
    return -1;
  }
  const char *own = json_string_value(json_object_get(state, "lineage"));
  json_int_t at = json_integer_value(json_object_get(state, "serial"));
  if (!own || strcmp(own, lineage) != 0 || json_integer_value(serial) <= at) return 0;
  json_t *resources = json_object_get(state, "resources");
  const char *addr;
  json_t *v;
  size_t i;
  json_object_foreach(set, addr, v) {
    if (json_object_set(resources, addr, v) != 0) goto oom;
  }
  if (json_is_array(del)) {
    json_array_foreach(del, i, v) {
      if (json_is_string(v)) json_object_del(resources, json_string_value(v));
    }
  }
  if (json_object_set(state, "serial", serial) != 0) goto oom;
  return 0;
oom:
  snprintf(err, n, "out of memory");
  return -1;
}

int lf_journal_replay(json_t *state, const char *journal, size_t len, lf_keyring *kr,
                      const char *what, char *warn, size_t wn, char *err, size_t n) {
  const unsigned char *p = (const unsigned char *)journal;
  size_t off = 0;
  int records = 0;
  warn[0] = '\0';
  while (off < len) {
    size_t left = len - off;
    const char *why = NULL;
    size_t size = 0;
    if (left < HEADER) {
      why = "torn header";
    } else if (memcmp(p + off, MAGIC, 4) != 0) {
      why = all_zero(p + off, left) ? "zero-filled tail" : "bad record marker";
      if (!all_zero(p + off, left)) left = len + 1;  /* never the last: refuse */
    } else {
      size = get_u32(p + off + 4);
      if (size > left - HEADER) {
        why = "torn record";
      } else if (get_u32(p + off + 8) != (uint32_t)crc32(0L, p + off + HEADER, (uInt)size)) {
        why = "checksum mismatch";
        if (left > HEADER + size) left = len + 1;  /* records follow it: refuse */
      }
    }
    if (why) {
      if (left > len) {
        snprintf(err, n, "journal record %d at byte %zu: %s, and records follow it", records + 1, off, why);
        return -1;
      }
      snprintf(warn, wn, "ignored the journal's last record (%s at byte %zu): the operation it "
               "recorded was not reported done", why, off);
      return 0;
    }
    char *plain;
    size_t plain_len;
    int sealed = lf_unseal(kr, what, journal + off + HEADER, size, &plain, &plain_len, NULL, err, n);
    if (sealed < 0) return -1;
    json_error_t je;
    json_t *rec = sealed == 0 ? json_loadb(plain, plain_len, 0, &je)
                              : json_loadb(journal + off + HEADER, size, 0, &je);
    if (sealed == 0) free(plain);
    if (!rec) {
      snprintf(err, n, "journal record %d at byte %zu: %s", records + 1, off, je.text);
      return -1;
    }
    int rc = apply_record(state, rec, err, n);
    json_decref(rec);
    if (rc != 0) return -1;
    off += HEADER + size;
    records++;
  }
  return 0;
}

/*
 * shape_info.c - the facts of a model's shapes, resolved once.
 *
 * Walking a response (or a request) by the model asks the same questions of
 * every member every time: which shape does this reference point to, what is
 * its type, what is its XML name, is it flattened. Each answer is a jansson
 * lookup (two for the target shape), so a map of ten entries cost a hundred
 * hash lookups and a chain of strcmp on type names. An lf_shape_info holds
 * those answers for one shape, with its member references already resolved
 * to the lf_shape_info of their targets, so a walk goes from pointer to
 * pointer.
 *
 * The table belongs to the model (lf_model_free frees it) and is keyed by
 * shape name, never by json_t pointer: references may be temporary copies
 * (ser_rest.c deep-copies one), and tests build and free models. Entries are
 * made on first use, the shapes reachable from it with them (cycles are fine:
 * a shape is in the table before its members are resolved). Everything
 * borrowed (names, references) lives in the model's description, which is
 * not changed once the model is made.
 */
#include "aws_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct lf_shape_table {
  json_t *shapes;          /* the model's "shapes" object (borrowed) */
  struct slot { const char *name; lf_shape_info *info; } *slots;
  size_t cap, n;           /* cap: a power of two, at most half full */
};

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ull;   /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

lf_shape_table *lf_shape_table_new(json_t *shapes) {
  lf_shape_table *t = calloc(1, sizeof *t);
  if (t) t->shapes = shapes;
  return t;
}

static void info_free(lf_shape_info *s) {
  free(s->members);
  free(s);
}

void lf_shape_table_free(lf_shape_table *t) {
  if (!t) return;
  for (size_t i = 0; i < t->cap; i++)
    if (t->slots[i].info) info_free(t->slots[i].info);
  free(t->slots);
  free(t);
}

static struct slot *find_slot(const lf_shape_table *t, const char *name) {
  size_t mask = t->cap - 1;
  for (size_t i = hash(name) & mask;; i = (i + 1) & mask)
    if (!t->slots[i].info || strcmp(t->slots[i].name, name) == 0) return &t->slots[i];
}

static int grow(lf_shape_table *t) {
  size_t cap = t->cap ? t->cap * 2 : 64;
  struct slot *old = t->slots, *fresh = calloc(cap, sizeof *fresh);
  if (!fresh) return -1;
  size_t oldcap = t->cap;
  t->slots = fresh;
  t->cap = cap;
  for (size_t i = 0; i < oldcap; i++)
    if (old[i].info) *find_slot(t, old[i].name) = old[i];
  free(old);
  return 0;
}

int lf_type_code(const char *type) {
  switch (type[0]) {
  case 's':
    if (!strcmp(type, "string")) return LF_T_STRING;
    if (!strcmp(type, "structure")) return LF_T_STRUCTURE;
    if (!strcmp(type, "short")) return LF_T_INTEGER;
    break;
  case 'l':
    if (!strcmp(type, "list")) return LF_T_LIST;
    if (!strcmp(type, "long")) return LF_T_INTEGER;
    break;
  case 'm': if (!strcmp(type, "map")) return LF_T_MAP; break;
  case 'i': if (!strcmp(type, "integer")) return LF_T_INTEGER; break;
  case 'b':
    if (!strcmp(type, "boolean")) return LF_T_BOOLEAN;
    if (!strcmp(type, "blob")) return LF_T_BLOB;
    if (!strcmp(type, "byte")) return LF_T_INTEGER;
    break;
  case 'f': if (!strcmp(type, "float")) return LF_T_FLOAT; break;
  case 'd':
    if (!strcmp(type, "double")) return LF_T_FLOAT;
    if (!strcmp(type, "document")) return LF_T_DOCUMENT;
    break;
  case 't': if (!strcmp(type, "timestamp")) return LF_T_TIMESTAMP; break;
  case '\0': return LF_T_NONE;
  }
  return LF_T_OTHER;
}

static lf_shape_info *info_named(lf_shape_table *t, const char *name);

/* The facts of one reference (a structure member, a list member, a map key
   or value); name is the member name or "member" / "key" / "value". */
static void resolve_ref(lf_shape_table *t, lf_member_info *mi, const char *name, json_t *ref) {
  const char *target = json_string_value(json_object_get(ref, "shape"));
  mi->name = name;
  mi->ref = ref;
  mi->shape = target ? info_named(t, target) : NULL;
  mi->location_name = json_string_value(json_object_get(ref, "locationName"));
  mi->has_location_name = json_object_get(ref, "locationName") != NULL;
  mi->xml_name = mi->location_name ? mi->location_name : name;
  mi->flattened = json_is_true(json_object_get(ref, "flattened")) ||
                  (mi->shape && mi->shape->flattened);
  mi->xml_attribute = json_is_true(json_object_get(ref, "xmlAttribute"));
  mi->outside_body = lf_bound_outside_body(ref);
}

static lf_shape_info *info_named(lf_shape_table *t, const char *name) {
  if (!t->cap) {
    if (grow(t) != 0) return NULL;
  }
  struct slot *s = find_slot(t, name);
  if (s->info) return s->info;
  json_t *shape = json_object_get(t->shapes, name);
  if (!json_is_object(shape)) return NULL;
  if ((t->n + 1) * 2 > t->cap) {
    if (grow(t) != 0) return NULL;
    s = find_slot(t, name);
  }
  lf_shape_info *info = calloc(1, sizeof *info);
  if (!info) return NULL;
  /* the key as the shapes object holds it: lives as long as the model */
  void *it = json_object_iter_at(t->shapes, name);
  info->name = it ? json_object_iter_key(it) : NULL;
  if (!info->name) { free(info); return NULL; }
  info->json = shape;
  info->type_name = lf_shape_type(shape);
  info->type = lf_type_code(info->type_name);
  info->flattened = json_is_true(json_object_get(shape, "flattened"));
  s->name = info->name;
  s->info = info;
  t->n++;
  /* members after the entry exists: recursive shapes find it */
  if (info->type == LF_T_STRUCTURE) {
    json_t *members = json_object_get(shape, "members"), *mref;
    size_t n = json_object_size(members), i = 0;
    const char *mname;
    info->members = n ? calloc(n, sizeof *info->members) : NULL;
    if (n && !info->members) n = 0;
    json_object_foreach(members, mname, mref) {
      if (i == n) break;
      resolve_ref(t, &info->members[i++], mname, mref);
    }
    info->nmembers = i;
    const char *payload = json_string_value(json_object_get(shape, "payload"));
    for (i = 0; payload && i < info->nmembers; i++)
      if (!strcmp(info->members[i].name, payload)) info->payload = &info->members[i];
  } else if (info->type == LF_T_LIST) {
    resolve_ref(t, &info->member, "member", json_object_get(shape, "member"));
  } else if (info->type == LF_T_MAP) {
    resolve_ref(t, &info->key, "key", json_object_get(shape, "key"));
    resolve_ref(t, &info->value, "value", json_object_get(shape, "value"));
  }
  return info;
}

lf_shape_info *lf_shape_info_named(const lf_model *m, const char *name) {
  lf_shape_table *t = lf_model_shape_table(m);
  return t && name ? info_named(t, name) : NULL;
}

lf_shape_info *lf_shape_info_of(const lf_model *m, json_t *ref) {
  return lf_shape_info_named(m, json_string_value(json_object_get(ref, "shape")));
}

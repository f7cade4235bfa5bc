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
 * a shape is in the table before its members are resolved). Operations are
 * kept the same way (lf_op_info: the definition with its input and output
 * references resolved), keyed by operation name. Everything borrowed (names,
 * references) lives in the model's description, which is not changed once
 * the model is made.
 */
#include "aws_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* name -> entry, open addressing; names are borrowed from the model. */
typedef struct { const char *name; void *value; } slot;
typedef struct {
  slot *slots;
  size_t cap, n;           /* cap: a power of two, at most half full */
} name_map;

struct lf_shape_table {
  json_t *shapes;          /* the model's "shapes" object (borrowed) */
  json_t *operations;      /* its "operations" object (borrowed) */
  name_map by_shape;       /* -> lf_shape_info */
  name_map by_op;          /* -> lf_op_info */
};

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ull;   /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static slot *find_slot(const name_map *t, const char *name) {
  size_t mask = t->cap - 1;
  for (size_t i = hash(name) & mask;; i = (i + 1) & mask)
    if (!t->slots[i].value || strcmp(t->slots[i].name, name) == 0) return &t->slots[i];
}

static void grow(name_map *t) {
  size_t cap = t->cap ? t->cap * 2 : 64;
  slot *old = t->slots, *fresh = lf_xcalloc(cap, sizeof *fresh);
  size_t oldcap = t->cap;
  t->slots = fresh;
  t->cap = cap;
  for (size_t i = 0; i < oldcap; i++)
    if (old[i].value) *find_slot(t, old[i].name) = old[i];
  free(old);
}

/* The entry of name, or NULL. */
static void *map_get(const name_map *t, const char *name) {
  return t->cap ? find_slot(t, name)->value : NULL;
}

/* Adds name (absent) -> value. */
static void map_put(name_map *t, const char *name, void *value) {
  if ((t->n + 1) * 2 > t->cap) grow(t);
  slot *s = find_slot(t, name);
  s->name = name;
  s->value = value;
  t->n++;
}

lf_shape_table *lf_shape_table_new(json_t *shapes, json_t *operations) {
  lf_shape_table *t = lf_xcalloc(1, sizeof *t);
  t->shapes = shapes;
  t->operations = operations;
  return t;
}

void lf_shape_table_free(lf_shape_table *t) {
  if (!t) return;
  for (size_t i = 0; i < t->by_shape.cap; i++) {
    lf_shape_info *s = t->by_shape.slots[i].value;
    if (s) {
      free(s->members);
      free(s);
    }
  }
  for (size_t i = 0; i < t->by_op.cap; i++) free(t->by_op.slots[i].value);
  free(t->by_shape.slots);
  free(t->by_op.slots);
  free(t);
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
  mi->query_name = json_string_value(json_object_get(ref, "queryName"));
  mi->location = json_string_value(json_object_get(ref, "location"));
  json_t *shape = mi->shape ? mi->shape->json : NULL, *tf = json_object_get(ref, "timestampFormat");
  mi->timestamp_format = json_string_value(tf ? tf : json_object_get(shape, "timestampFormat"));
  mi->idempotency_token = json_is_true(json_object_get(ref, "idempotencyToken"));
  mi->jsonvalue = json_is_true(json_object_get(ref, "jsonvalue")) ||
                  json_is_true(json_object_get(shape, "jsonvalue"));
  mi->flattened = json_is_true(json_object_get(ref, "flattened")) ||
                  (mi->shape && mi->shape->flattened);
  mi->xml_attribute = json_is_true(json_object_get(ref, "xmlAttribute"));
  mi->outside_body = lf_bound_outside_body(ref);
}

static lf_shape_info *info_named(lf_shape_table *t, const char *name) {
  lf_shape_info *info = map_get(&t->by_shape, name);
  if (info) return info;
  json_t *shape = json_object_get(t->shapes, name);
  if (!shape) return NULL;
  /* the key as the shapes object holds it: lives as long as the model */
  void *it = json_object_iter_at(t->shapes, name);
  const char *key = it ? json_object_iter_key(it) : NULL;
  if (!key) return NULL;
  info = lf_xcalloc(1, sizeof *info);
  info->name = key;
  info->json = shape;
  info->type = lf_type_code(lf_shape_type(shape));
  info->flattened = json_is_true(json_object_get(shape, "flattened"));
  map_put(&t->by_shape, key, info);
  /* members after the entry exists: recursive shapes find it */
  if (info->type == LF_T_STRUCTURE) {
    json_t *members = json_object_get(shape, "members"), *mref, *r;
    size_t n = json_object_size(members), i = 0;
    const char *mname;
    info->members_json = members;
    info->members = n ? lf_xcalloc(n, sizeof *info->members) : NULL;
    json_object_foreach(members, mname, mref) {
      if (i == n) break;
      resolve_ref(t, &info->members[i++], mname, mref);
    }
    info->nmembers = i;
    json_array_foreach(json_object_get(shape, "required"), n, r)
      for (i = 0; json_is_string(r) && i < info->nmembers; i++)
        if (!strcmp(info->members[i].name, json_string_value(r))) info->members[i].required = 1;
    const char *payload = json_string_value(json_object_get(shape, "payload"));
    info->payload_name = payload;
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

const lf_op_info *lf_op_info_named(const lf_model *m, const char *name) {
  lf_shape_table *t = lf_model_shape_table(m);
  if (!t || !name) return NULL;
  lf_op_info *op = map_get(&t->by_op, name);
  if (op) return op;
  json_t *def = json_object_get(t->operations, name);
  void *it = def ? json_object_iter_at(t->operations, name) : NULL;
  const char *key = it ? json_object_iter_key(it) : NULL;
  if (!key) return NULL;
  op = lf_xcalloc(1, sizeof *op);
  op->name = key;
  op->json = def;
  json_t *in = json_object_get(def, "input"), *out = json_object_get(def, "output");
  if (in) resolve_ref(t, &op->input, "", in);
  if (out) resolve_ref(t, &op->output, "", out);
  op->has_input = in != NULL;
  op->has_output = out != NULL;
  map_put(&t->by_op, key, op);
  return op;
}

void lf_member_info_of(const lf_model *m, json_t *ref, const char *name, lf_member_info *out) {
  memset(out, 0, sizeof *out);
  lf_shape_table *t = lf_model_shape_table(m);
  if (t) resolve_ref(t, out, name, ref);
  else out->name = out->xml_name = name;
}

/*
 * aws_int.h - internals shared by the files of engine/aws (not installed).
 *
 * lf_buf: a growable byte buffer. codec.c: base64, URI encoding, number and
 * timestamp text. shape.c: shape lookups and the validated Lua -> jansson
 * conversion every serializer starts from. xml.c: a small DOM over expat.
 *
 * The intermediate input tree (jansson) follows the shapes: structures and
 * maps are objects, lists arrays, blobs raw byte strings (json_stringn_nocheck),
 * timestamps json reals (epoch seconds), special floats the strings "NaN",
 * "Infinity", "-Infinity".
 */
#ifndef LF_AWS_INT_H
#define LF_AWS_INT_H

#include "luaform/alloc.h"
#include "luaform/aws.h"
#include "luaform/luaform.h"

#include <stdarg.h>

/* ---- buffer ---- */
typedef struct { char *p; size_t n, cap; } lf_buf;
void lf_buf_add(lf_buf *b, const void *s, size_t n);
void lf_buf_puts(lf_buf *b, const char *s);
void lf_buf_putc(lf_buf *b, char c);
void lf_buf_printf(lf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *lf_buf_take(lf_buf *b);   /* NUL-terminated, caller frees; b is reset */
void lf_buf_free(lf_buf *b);

/* ---- codec.c ---- */
char *lf_base64_encode(const void *data, size_t n);                 /* malloc'd */
unsigned char *lf_base64_decode(const char *s, size_t n, size_t *outlen);  /* NULL if invalid */
/* RFC 3986 percent-encoding of all but A-Za-z0-9-_.~ (and '/' if keep_slash). */
void lf_buf_uriencode(lf_buf *b, const char *s, size_t n, int keep_slash);
void lf_buf_formencode(lf_buf *b, const char *s, size_t n);   /* space as '+' */
/* Shortest text that reads back as d; "NaN", "Infinity", "-Infinity". */
void lf_fmt_double(double d, char *out, size_t n);
/* fmt: "iso8601" (ms when fractional), "rfc822", "unixTimestamp". */
void lf_fmt_timestamp(double t, const char *fmt, char *out, size_t n);
/* Accepts iso8601 (fraction, Z or offset), rfc822 and epoch seconds. */
int lf_parse_timestamp(const char *s, double *out);
int lf_fmt(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* v in decimal (what "%lld" writes, without printf); returns the length. */
int lf_fmt_int(char out[24], long long v);

/* ---- shape_info.c: per-shape facts resolved once, owned by the model ---- */
enum {
  LF_T_NONE,        /* no shape (or no type): scalar text as it is */
  LF_T_STRING, LF_T_STRUCTURE, LF_T_LIST, LF_T_MAP,
  LF_T_INTEGER,     /* integer, long, short, byte */
  LF_T_FLOAT,       /* float, double */
  LF_T_BOOLEAN, LF_T_TIMESTAMP, LF_T_BLOB, LF_T_DOCUMENT,
  LF_T_OTHER        /* a type name not listed here */
};
/* LF_T_* of a type name as lf_shape_type gives it ("" is LF_T_NONE). */
int lf_type_code(const char *type);

typedef struct lf_shape_info lf_shape_info;
/* One reference: a structure member, a list's member, a map's key or value. */
typedef struct {
  const char *name;            /* member name; "member", "key", "value" for the others */
  json_t *ref;                 /* the reference (borrowed from the model; may be NULL) */
  lf_shape_info *shape;        /* its target, NULL when the model has none */
  const char *location_name;   /* string locationName or NULL */
  const char *xml_name;        /* location_name, else name */
  const char *query_name;      /* string queryName or NULL (ec2) */
  const char *location;        /* string location (header, headers, statusCode, uri...) or NULL */
  const char *timestamp_format;/* timestampFormat of the reference, else of the target */
  unsigned has_location_name : 1;   /* any locationName key */
  unsigned required : 1;            /* named in the structure's required list */
  unsigned idempotency_token : 1;
  unsigned jsonvalue : 1;           /* jsonvalue on the reference or the target */
  unsigned flattened : 1;           /* on the reference or on the target shape */
  unsigned xml_attribute : 1;
  unsigned outside_body : 1;        /* lf_bound_outside_body */
} lf_member_info;

struct lf_shape_info {
  const char *name;            /* shape name */
  json_t *json;                /* the shape (borrowed) */
  int type;                    /* LF_T_* */
  unsigned flattened : 1;      /* the shape's own flattened trait */
  json_t *members_json;        /* structure: the members object (borrowed), or NULL */
  lf_member_info *members;     /* structure: in model order */
  size_t nmembers;
  const char *payload_name;    /* structure: its payload trait, or NULL */
  const lf_member_info *payload;   /* the member payload_name names, or NULL */
  lf_member_info member;       /* list */
  lf_member_info key, value;   /* map */
};

typedef struct lf_shape_table lf_shape_table;
/* One operation: its definition and its input and output references. */
typedef struct {
  const char *name;
  json_t *json;                /* the operation (borrowed) */
  lf_member_info input, output;   /* valid when has_input / has_output */
  unsigned has_input : 1, has_output : 1;
} lf_op_info;

lf_shape_table *lf_shape_table_new(json_t *shapes, json_t *operations);   /* borrowed */
void lf_shape_table_free(lf_shape_table *t);
lf_shape_table *lf_model_shape_table(const lf_model *m);
/* The facts of the shape named name / the one ref points to, or NULL.
   Valid as long as the model. */
lf_shape_info *lf_shape_info_named(const lf_model *m, const char *name);
lf_shape_info *lf_shape_info_of(const lf_model *m, json_t *ref);
/* The operation named name, or NULL. Valid as long as the model. */
const lf_op_info *lf_op_info_named(const lf_model *m, const char *name);
/* The facts of a reference that is not a member of a model shape (an
   operation's input or output, a temporary copy): made fresh, nothing kept. */
void lf_member_info_of(const lf_model *m, json_t *ref, const char *name, lf_member_info *out);

/* ---- shape.c ---- */
/* The shape a reference ({"shape": name, ...traits}) points to, or NULL. */
json_t *lf_shape_of(const lf_model *m, json_t *ref);
const char *lf_shape_type(json_t *shape);
/* Trait of the member reference, else of the target shape. */
json_t *lf_trait(const lf_model *m, json_t *ref, const char *key);
const char *lf_trait_str(const lf_model *m, json_t *ref, const char *key);
int lf_trait_true(const lf_model *m, json_t *ref, const char *key);
/* The value of idempotency-token members the parameters leave out, one per
   logical call: given (the caller's), else a UUID v4 made on first use. */
typedef struct { const char *given; char made[37]; } lf_token;
const char *lf_token_value(lf_token *t);
/* Converts the Lua value at idx following ref's shape, validating it; missing
   idempotency tokens take tok's value (the table is not written to).
   path names the value in errors. Returns a new reference or NULL (err). */
json_t *lf_lua_to_shape(lua_State *L, int idx, const lf_model *m, const lf_member_info *ref,
                        lf_token *tok, const char *path, char *err, size_t errlen);
/* The same from a jansson value (object order kept; v is not changed).
   Returns a new reference or NULL (err). */
json_t *lf_json_to_shape(const lf_model *m, json_t *ref, json_t *v, lf_token *tok,
                         const char *path, char *err, size_t errlen);
/* Whether v nests deeper than LF_MAX_NESTING (a response that must be refused). */
int lf_json_too_deep(const json_t *v);

/* ---- serializers (input tree -> request) ---- */
int lf_ser_query(const lf_model *m, const lf_op_info *op, json_t *in, lf_request *req, int ec2,
                 char *err, size_t errlen);
int lf_ser_json_rpc(const lf_model *m, json_t *op, json_t *in, lf_request *req,
                    char *err, size_t errlen);
int lf_ser_rest(const lf_model *m, json_t *op, json_t *in, lf_request *req, int xml,
                char *err, size_t errlen);
/* JSON body of a structure/any shape (json protocols' encoding). New ref. */
json_t *lf_json_body(const lf_model *m, json_t *ref, json_t *v);
/* XML element for v under name (rest-xml encoding). */
void lf_xml_write(lf_buf *b, const lf_model *m, json_t *ref, json_t *v, const char *name,
                  int top);
/* Text of a scalar for query/uri/header use (timestamps in fmt). */
void lf_scalar_text(const lf_model *m, json_t *ref, json_t *v, const char *default_ts,
                    lf_buf *out);
void lf_scalar_text_mi(const lf_member_info *ref, json_t *v, const char *default_ts,
                       lf_buf *out);

/* ---- xml.c ---- */
typedef struct lf_xml lf_xml;
struct lf_xml {
  char *name;                 /* as written, may have a prefix */
  const char *local;          /* name without the prefix (lf_xml_local) */
  char **attrs;               /* name, value, ..., NULL */
  char *text;                 /* concatenated character data */
  size_t text_len;
  lf_xml *child, *next;       /* first child, next sibling */
  struct lf_xml_chunk *mem;   /* root only: the document's memory */
};
lf_xml *lf_xml_parse(const char *s, size_t n, char *err, size_t errlen);
void lf_xml_free(lf_xml *x);
const char *lf_xml_local(const char *name);   /* name without "prefix:" */
lf_xml *lf_xml_find(lf_xml *parent, const char *local_name);
const char *lf_xml_attr(const lf_xml *x, const char *name);
/* Escapes text for XML character data / attribute values. */
void lf_buf_xmlescape(lf_buf *b, const char *s, size_t n);

/* ---- parsers (response -> Lua) ---- */
int lf_parse_xml_output(lua_State *L, const lf_model *m, const lf_op_info *op,
                        const lf_response *res);
int lf_parse_json_output(lua_State *L, const lf_model *m, const lf_op_info *op,
                         const lf_response *res);
/* Pushes the scalar text s (a header, attribute or XML text) as a value of
   the type LF_T_* (timestamps in any AWS format, blobs base64-decoded). */
void lf_push_scalar_typed(lua_State *L, int type, const char *s, size_t n);
/* Fills output members bound to headers and the status code (rest protocols)
   into the table on top. */
void lf_parse_rest_headers(lua_State *L, const lf_shape_info *shape, const lf_response *res);
const char *lf_response_header(const lf_response *res, const char *name);
/* Output member read from headers or the status code, not from the body
   (uri/querystring bindings do not apply to responses: read from the body). */
int lf_bound_outside_body(json_t *mref);
/* The reference to op's modeled error whose code (or shape name) is code, or NULL. */
json_t *lf_error_ref(const lf_model *m, json_t *op, const char *code);
/* Pushes {code=, message=, status=, request_id=} and returns 0. */
int lf_push_error(lua_State *L, const char *code, const char *message, int status,
                  const char *request_id);

#endif

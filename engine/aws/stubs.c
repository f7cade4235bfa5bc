/*
 * stubs.c - temporary stand-ins until the serializers, parsers and SigV4
 * land (so the client can build against aws.h). Each fails loudly.
 */
#include "luaform/aws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lf_serialize(lua_State *L, int params_idx, const lf_model *m, const char *op,
                 lf_request *req, char *err, size_t errlen) {
  (void)L; (void)params_idx; (void)m; (void)req;
  snprintf(err, errlen, "%s: serializer not implemented yet", op);
  return -1;
}

int lf_parse_response(lua_State *L, const lf_model *m, const char *op, const lf_response *res) {
  (void)m; (void)res;
  lua_pushfstring(L, "%s: response parser not implemented yet", op);
  return -1;
}


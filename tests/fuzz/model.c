/*
 * model.c - fuzz target: loading a service model (service-2.json) with
 * lf_model_new, then what the client does with it first for each operation:
 * its resolved facts (lf_op_info_named), serializing no parameters, and
 * parsing an empty success response.
 */
#include "fuzz.h"
#include "luaform/aws.h"
#include "../../engine/aws/aws_int.h"

static lua_State *L;

typedef struct {
  const lf_model *m;
  const char *op;
} parse_call;

static int parse_in_lua(lua_State *L) {
  parse_call *c = lua_touserdata(L, 1);
  const char *proto = lf_model_protocol(c->m);
  const char *body = proto && strstr(proto, "json") ? "{}" : "<R/>";
  lf_response res = {200, NULL, 0, body, strlen(body)};
  lf_parse_response(L, c->m, c->op, &res);
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!L && !(L = luaL_newstate())) abort();
  json_t *desc = json_loadb((const char *)data, size, 0, NULL);
  if (!desc) return 0;
  char err[512];
  lf_model *m = lf_model_new(desc, err, sizeof err);
  json_decref(desc);
  if (!m) return 0;
  const char *name;
  json_t *v;
  int n = 0;
  json_object_foreach(lf_model_operations(m), name, v) {
    if (n++ == 20) break;
    lf_op_info_named(m, name);
    lf_request req = {0};
    if (lf_serialize_json(NULL, m, name, "token", &req, err, sizeof err) == 0)
      lf_request_free(&req);
    parse_call c = {m, name};
    lua_pushcfunction(L, parse_in_lua);
    lua_pushlightuserdata(L, &c);
    lua_pcall(L, 1, 1, 0);
    lua_settop(L, 0);
  }
  lf_model_free(m);
  return 0;
}

/*
 * request.c - lf_request ownership and header helpers.
 *
 * A request owns every string it points to. Headers keep insertion order;
 * set replaces the first header of the same name (case-insensitive).
 */
#include "luaform/alloc.h"
#include "luaform/aws.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void lf_request_free(lf_request *req) {
  if (!req) return;
  free(req->method);
  free(req->path);
  free(req->host_prefix);
  for (size_t i = 0; i < req->nheaders; i++) {
    free(req->headers[i].name);
    lf_free_secret(req->headers[i].value);   /* Authorization, X-Amz-Security-Token */
  }
  free(req->headers);
  free(req->body);
  memset(req, 0, sizeof *req);
}

const char *lf_request_header(const lf_request *req, const char *name) {
  for (size_t i = 0; i < req->nheaders; i++)
    if (strcasecmp(req->headers[i].name, name) == 0) return req->headers[i].value;
  return NULL;
}

void lf_request_set_header(lf_request *req, const char *name, const char *value) {
  for (size_t i = 0; i < req->nheaders; i++)
    if (strcasecmp(req->headers[i].name, name) == 0) {
      lf_free_secret(req->headers[i].value);
      req->headers[i].value = lf_xstrdup(value);
      return;
    }
  req->headers = lf_xrealloc(req->headers, (req->nheaders + 1) * sizeof *req->headers);
  req->headers[req->nheaders].name = lf_xstrdup(name);
  req->headers[req->nheaders].value = lf_xstrdup(value);
  req->nheaders++;
}

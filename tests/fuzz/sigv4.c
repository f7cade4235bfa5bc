/*
 * sigv4.c - fuzz target: SigV4 canonicalization and signing of an arbitrary
 * method, path, query and headers.
 *
 * Input: an HTTP request as the conformance vectors' *.req files write it
 *   "METHOD /path?query HTTP/1.1", then "Name:value" header lines (a line
 *   starting with white space continues the previous value), an empty line,
 *   the body.
 * Each input goes through lf_sigv4_canonical_request (with and without path
 * normalization), lf_sigv4_string_to_sign, lf_sigv4_signature and the whole
 * lf_sigv4_sign.
 */
#include "fuzz.h"
#include "luaform/aws.h"

#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end = p + size;
  char *line = fuzz_line(&p, end);
  char *sp = strchr(line, ' ');
  char *method = line, *target = sp ? sp + 1 : line + strlen(line);
  if (sp) *sp = 0;
  char *proto = strstr(target, " HTTP/");
  if (proto) *proto = 0;

  lf_request req = {0};
  req.method = strdup(method);
  req.path = strdup(*target ? target : "/");
  if (!req.method || !req.path) abort();
  lf_header *hs = NULL;
  size_t nh = 0;
  while (p < end) {
    char *h = fuzz_line(&p, end);
    if (!*h) {
      free(h);
      break;
    }
    char *colon = strchr(h, ':');
    if ((*h == ' ' || *h == '\t') && nh) {   /* continuation */
      size_t a = strlen(hs[nh - 1].value), b = strlen(h);
      char *v = realloc(hs[nh - 1].value, a + b + 2);
      if (!v) abort();
      v[a] = '\n';
      memcpy(v + a + 1, h, b + 1);
      hs[nh - 1].value = v;
    } else if (colon) {
      *colon = 0;
      hs = realloc(hs, (nh + 1) * sizeof *hs);
      if (!hs) abort();
      hs[nh].name = strdup(h);
      hs[nh].value = strdup(colon + 1);
      if (!hs[nh].name || !hs[nh].value) abort();
      nh++;
    }
    free(h);
  }
  char hash[65];
  lf_sha256_hex(p, (size_t)(end - p), hash);

  for (int normalize = 0; normalize <= 1; normalize++) {
    char *signed_headers = NULL;
    char *creq = lf_sigv4_canonical_request(req.method, req.path, hs, nh, hash, normalize,
                                            &signed_headers);
    if (creq) {
      char *sts = lf_sigv4_string_to_sign("20150830T123600Z",
                                          "20150830/us-east-1/service/aws4_request", creq);
      if (sts) {
        char sig[65];
        lf_sigv4_signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1",
                           "service", sts, sig);
        free(sts);
      }
      free(creq);
    }
    free(signed_headers);
  }

  const char *host = "example.amazonaws.com";
  for (size_t i = 0; i < nh; i++) {
    if (!strcasecmp(hs[i].name, "host")) host = hs[i].value;
    else lf_request_set_header(&req, hs[i].name, hs[i].value);
  }
  req.body = malloc((size_t)(end - p) + 1);
  if (!req.body) abort();
  memcpy(req.body, p, (size_t)(end - p));
  req.body_len = (size_t)(end - p);
  lf_credentials creds = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token"};
  lf_sigv4_sign(&req, host, "service", "us-east-1", &creds, 1440938160, size & 1);

  for (size_t i = 0; i < nh; i++) {
    free(hs[i].name);
    free(hs[i].value);
  }
  free(hs);
  lf_request_free(&req);
  free(line);
  return 0;
}

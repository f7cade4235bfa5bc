/*
 * endpoints.c - where a service's requests go and how they are signed.
 *
 * Overrides first, in the SDK order: the provider's endpoints table, then
 * AWS_ENDPOINT_URL_<SERVICE> (the model's serviceId upper-cased, spaces
 * to underscores), then AWS_ENDPOINT_URL, then the profile's endpoint_url
 * (the last three off when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true). An
 * overridden endpoint is used as given, and S3 then uses path-style
 * addressing.
 *
 * Otherwise https://{endpointPrefix}.{region}.{partition suffix}, with the
 * exceptions the SDKs make for our services:
 *   IAM  global per partition (iam.amazonaws.com, signed for us-east-1;
 *        iam.cn-north-1.amazonaws.com.cn; iam.us-gov.amazonaws.com)
 *   STS  regional; the global sts.amazonaws.com (us-east-1) when
 *        AWS_STS_REGIONAL_ENDPOINTS=legacy and the region is one the
 *        legacy global endpoint served
 *   S3   s3.amazonaws.com in us-east-1 unless
 *        AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=regional; buckets are
 *        virtual hosts when DNS-compatible (decided per request, client.c)
 * and, from botocore's partitions file (endpoints.json, q->partitions), the
 * services that are not regionalized (CloudFront, Route 53, Organizations):
 * in the region's partition (listed in its regions, else matching its
 * regionRegex), an entry with isRegionalized false and a partitionEndpoint
 * goes to that endpoint's hostname, signed for its credentialScope region,
 * whatever the region (which may then be left out).
 */
#include "transport.h"
#include "aws_int.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int env_true(const char *name) {
  const char *v = getenv(name);
  return v && strcasecmp(v, "true") == 0;
}

static int env_is(const char *name, const char *value) {
  const char *v = getenv(name);
  return v && strcasecmp(v, value) == 0;
}

void lf_endpoint_env_name(const char *sdk_id, char *out, size_t n) {
  size_t i = (size_t)snprintf(out, n, "AWS_ENDPOINT_URL_");
  for (const char *p = sdk_id; *p && i + 1 < n; p++)
    out[i++] = *p == ' ' || *p == '-' ? '_' : (char)toupper((unsigned char)*p);
  out[i < n ? i : n - 1] = 0;
}

const char *lf_partition_suffix(const char *region) {
  if (strncmp(region, "cn-", 3) == 0) return "amazonaws.com.cn";
  if (strncmp(region, "us-isob-", 8) == 0) return "sc2s.sgov.gov";
  if (strncmp(region, "us-iso-", 7) == 0) return "c2s.ic.gov";
  return "amazonaws.com";   /* aws and aws-us-gov */
}

int lf_s3_bucket_dns_ok(const char *b) {
  size_t n = strlen(b);
  if (n < 3 || n > 63) return 0;
  if (!islower((unsigned char)b[0]) && !isdigit((unsigned char)b[0])) return 0;
  if (!islower((unsigned char)b[n - 1]) && !isdigit((unsigned char)b[n - 1])) return 0;
  int digits_dots = 1;
  for (size_t i = 0; i < n; i++) {
    char c = b[i];
    if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-' || c == '.')) return 0;
    if (c == '.' && (b[i + 1] == '.' || b[i + 1] == '-' || (i && b[i - 1] == '-'))) return 0;
    if (!isdigit((unsigned char)c) && c != '.') digits_dots = 0;
  }
  /* Dots break TLS wildcard certificates over https; IP-like names are not hosts. */
  if (digits_dots || strchr(b, '.')) return 0;
  return 1;
}

int lf_url_host(const char *url, char *host, size_t n, int *https) {
  const char *p = strstr(url, "://");
  if (!p) return -1;
  size_t slen = (size_t)(p - url);
  int tls;
  if (slen == 5 && strncasecmp(url, "https", 5) == 0) tls = 1;
  else if (slen == 4 && strncasecmp(url, "http", 4) == 0) tls = 0;
  else return -1;
  p += 3;
  size_t len = strcspn(p, "/?#");
  if (len == 0 || len >= n) return -1;
  memcpy(host, p, len);
  host[len] = 0;
  if (strchr(host, '@')) return -1;   /* no credentials in endpoint URLs */
  /* curl leaves the scheme's default port out of Host: so do we. */
  const char *dflt = tls ? ":443" : ":80";
  size_t dl = strlen(dflt);
  if (len > dl && strcmp(host + len - dl, dflt) == 0 && host[len - dl - 1] != ':')
    host[len - dl] = 0;
  if (https) *https = tls;
  return 0;
}

static int region_ok(const char *r) {
  if (!r || !*r || strlen(r) > 40) return 0;
  for (const char *p = r; *p; p++)
    if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-')) return 0;
  return 1;
}

static int sts_legacy_global(const char *region) {
  static const char *const regions[] = {
    "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global",
    "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
    "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2", NULL};
  for (int i = 0; regions[i]; i++)
    if (strcmp(regions[i], region) == 0) return 1;
  return 0;
}

static const char *override_of(const lf_endpoint_query *q) {
  if (q->override_url && *q->override_url) return q->override_url;
  if (env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) return NULL;
  char name[160];
  if (q->sdk_id) {
    lf_endpoint_env_name(q->sdk_id, name, sizeof name);
    const char *v = getenv(name);
    if (v && *v) return v;
  }
  const char *v = getenv("AWS_ENDPOINT_URL");
  if (v && *v) return v;
  if (q->profile_url && *q->profile_url) return q->profile_url;
  return NULL;
}

/* IAM's global endpoint and signing region in region's partition. */
static void iam_global(const char *region, lf_endpoint *ep) {
  const char *host = "iam.amazonaws.com", *sreg = "us-east-1";
  if (region && strncmp(region, "cn-", 3) == 0) {
    host = "iam.cn-north-1.amazonaws.com.cn";
    sreg = "cn-north-1";
  } else if (region && strncmp(region, "us-gov-", 7) == 0) {
    host = "iam.us-gov.amazonaws.com";
    sreg = "us-gov-west-1";
  } else if (region && strncmp(region, "us-isob-", 8) == 0) {
    host = "iam.us-isob-east-1.sc2s.sgov.gov";
    sreg = "us-isob-east-1";
  } else if (region && strncmp(region, "us-iso-", 7) == 0) {
    host = "iam.us-iso-east-1.c2s.ic.gov";
    sreg = "us-iso-east-1";
  }
  snprintf(ep->host, sizeof ep->host, "%s", host);
  snprintf(ep->signing_region, sizeof ep->signing_region, "%s", sreg);
}

/* Does region match a partition's regionRegex? Its \\d (not POSIX) is
   written [0-9]; glibc's ERE knows \\w. A regex with a repetition count or
   a quantifier on a quantifier ("a{9}", "a++") matches nothing: botocore's
   never have one, and glibc compiles them in exponential time (found by
   tests/fuzz/endpoints.c). */
static int is_quantifier(char c) { return c == '+' || c == '*' || c == '?'; }

static int region_matches(const char *re, const char *region) {
  char pat[512];
  size_t n = 0;
  for (const char *p = re; *p && n + 6 < sizeof pat; p++) {
    if (*p == '{' || (p > re && is_quantifier(*p) && is_quantifier(p[-1]) &&
                      (p == re + 1 || p[-2] != '\\')))
      return 0;
    if (p[0] == '\\' && p[1] == 'd') {
      memcpy(pat + n, "[0-9]", 5);
      n += 5;
      p++;
    } else {
      pat[n++] = *p;
    }
  }
  pat[n] = 0;
  regex_t rx;
  if (regcomp(&rx, pat, REG_EXTENDED | REG_NOSUB) != 0) return 0;
  int ok = regexec(&rx, region, 0, NULL, 0) == 0;
  regfree(&rx);
  return ok;
}

/* The partition of region (NULL: "aws"), or NULL. */
static json_t *partition_of(json_t *data, const char *region) {
  json_t *parts = json_object_get(data, "partitions"), *p;
  size_t i;
  json_array_foreach(parts, i, p) {
    const char *id = json_string_value(json_object_get(p, "partition"));
    if (region ? json_object_get(json_object_get(p, "regions"), region) != NULL
               : id && strcmp(id, "aws") == 0)
      return p;
  }
  if (!region) return NULL;
  json_array_foreach(parts, i, p) {
    const char *re = json_string_value(json_object_get(p, "regionRegex"));
    if (re && region_matches(re, region)) return p;
  }
  return NULL;
}

/* "{service}.{region}.{dnsSuffix}" filled in. */
static void expand_host(const char *tmpl, const char *service, const char *region,
                        const char *suffix, char *out, size_t n) {
  lf_buf b = {0};
  for (const char *p = tmpl; *p; p++) {
    if (!strncmp(p, "{service}", 9)) { lf_buf_puts(&b, service); p += 8; }
    else if (!strncmp(p, "{region}", 8)) { lf_buf_puts(&b, region); p += 7; }
    else if (!strncmp(p, "{dnsSuffix}", 11)) { lf_buf_puts(&b, suffix); p += 10; }
    else lf_buf_putc(&b, *p);
  }
  char *h = lf_buf_take(&b);
  snprintf(out, n, "%s", h ? h : "");
  free(h);
}

/* A service that is not regionalized, per the partitions file: its
   partition endpoint's host and signing region into ep; 1 when found. */
static int global_endpoint(json_t *data, const char *prefix, const char *region,
                           lf_endpoint *ep) {
  json_t *part = data ? partition_of(data, region) : NULL;
  json_t *svc = json_object_get(json_object_get(part, "services"), prefix);
  const char *pe = json_string_value(json_object_get(svc, "partitionEndpoint"));
  if (!pe || !json_is_false(json_object_get(svc, "isRegionalized"))) return 0;
  json_t *e = json_object_get(json_object_get(svc, "endpoints"), pe);
  json_t *sdef = json_object_get(svc, "defaults"), *pdef = json_object_get(part, "defaults");
  const char *host = json_string_value(json_object_get(e, "hostname"));
  if (!host) host = json_string_value(json_object_get(sdef, "hostname"));
  if (!host) host = json_string_value(json_object_get(pdef, "hostname"));
  const char *scope = json_string_value(
      json_object_get(json_object_get(e, "credentialScope"), "region"));
  if (!scope)
    scope = json_string_value(json_object_get(json_object_get(sdef, "credentialScope"), "region"));
  const char *suffix = json_string_value(json_object_get(part, "dnsSuffix"));
  if (!host || !scope || !suffix) return 0;
  expand_host(host, prefix, scope, suffix, ep->host, sizeof ep->host);
  snprintf(ep->signing_region, sizeof ep->signing_region, "%s", scope);
  return 1;
}

int lf_endpoint_resolve(const lf_endpoint_query *q, lf_endpoint *ep, char *err, size_t errlen) {
  memset(ep, 0, sizeof *ep);
  const char *svc = q->service;
  int iam = strcmp(svc, "iam") == 0, sts = strcmp(svc, "sts") == 0, s3 = strcmp(svc, "s3") == 0;
  snprintf(ep->signing_name, sizeof ep->signing_name, "%s",
           q->signing_name ? q->signing_name : q->endpoint_prefix);
  if (q->region && !region_ok(q->region)) {
    snprintf(err, errlen, "%s: invalid region name", svc);
    return -1;
  }
  lf_endpoint global;
  int is_global = !iam && !sts && !s3 &&
                  global_endpoint(q->partitions, q->endpoint_prefix, q->region, &global);
  if (!q->region && !iam && !is_global) {
    snprintf(err, errlen,
             "%s: no region (set AWS_REGION, a profile region, or the provider's region)", svc);
    return -1;
  }

  const char *url = override_of(q);
  if (url) {
    size_t len = strlen(url);
    while (len && url[len - 1] == '/') len--;
    if (len >= sizeof ep->url || lf_url_host(url, ep->host, sizeof ep->host, NULL) != 0) {
      snprintf(err, errlen, "%s: invalid endpoint URL '%.200s'", svc, url);
      return -1;
    }
    memcpy(ep->url, url, len);
    ep->url[len] = 0;
    ep->overridden = 1;
    ep->s3_path_style = s3;
    if (iam) iam_global(q->region, ep);
    /* The host was overwritten by iam_global: take it from the URL again. */
    lf_url_host(ep->url, ep->host, sizeof ep->host, NULL);
    /* as botocore: an endpoint URL is signed for the client's region */
    if (!iam)
      snprintf(ep->signing_region, sizeof ep->signing_region, "%s",
               q->region ? q->region : global.signing_region);
    return 0;
  }

  const char *suffix = q->region ? lf_partition_suffix(q->region) : "amazonaws.com";
  if (iam) {
    iam_global(q->region, ep);
  } else if (sts && env_is("AWS_STS_REGIONAL_ENDPOINTS", "legacy") &&
             sts_legacy_global(q->region)) {
    snprintf(ep->host, sizeof ep->host, "sts.amazonaws.com");
    snprintf(ep->signing_region, sizeof ep->signing_region, "us-east-1");
  } else if (s3 && strcmp(q->region, "us-east-1") == 0 &&
             !env_is("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "regional")) {
    snprintf(ep->host, sizeof ep->host, "s3.amazonaws.com");
    snprintf(ep->signing_region, sizeof ep->signing_region, "us-east-1");
  } else if (is_global) {
    snprintf(ep->host, sizeof ep->host, "%s", global.host);
    snprintf(ep->signing_region, sizeof ep->signing_region, "%s", global.signing_region);
  } else {
    snprintf(ep->host, sizeof ep->host, "%s.%s.%s", q->endpoint_prefix, q->region, suffix);
    snprintf(ep->signing_region, sizeof ep->signing_region, "%s", q->region);
  }
  snprintf(ep->url, sizeof ep->url, "https://%s", ep->host);
  return 0;
}

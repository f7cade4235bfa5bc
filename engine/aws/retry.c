/*
 * retry.c - the SDK "standard" retry mode (as botocore's retries/standard.py).
 *
 * An attempt is retried when it was throttled (error codes below), failed
 * transiently (RequestTimeout, PriorRequestNotComplete, HTTP 500/502/503/504)
 * or never got a response (connection, DNS, timeout). Other 4xx never are.
 * The delay before the next attempt is min(rand * 2^(attempt-1), 20) s
 * ("full jitter"); the caller waits it on a loop timer.
 *
 * The retry quota is a token bucket per client: a retry costs 5 tokens
 * (10 after a timeout) out of 500; a success gives the cost back, or one
 * token when it needed no retry. An empty bucket stops retrying, so a
 * failing service is not hammered by every caller at once.
 */
#include "transport.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

static const char *const throttling_codes[] = {
  "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
  "TooManyRequestsException", "ProvisionedThroughputExceededException",
  "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
  "LimitExceededException", "RequestThrottled", "SlowDown", "EC2ThrottledException",
  "Throttled",   /* SNS's code (status 400); not in botocore's list, but it is throttling */
  NULL};

static const char *const transient_codes[] = {
  "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", NULL};

static int listed(const char *const *list, const char *code) {
  for (int i = 0; list[i]; i++)
    if (strcmp(list[i], code) == 0) return 1;
  return 0;
}

int lf_retry_class(int status, const char *code, CURLcode curl_rc) {
  if (status == 0) {
    if (curl_rc == CURLE_OPERATION_TIMEDOUT) return LF_RETRY_TIMEOUT;
    switch (curl_rc) {
    case CURLE_OK: return LF_RETRY_NO;
    /* Nothing a retry can fix: a bad URL, TLS trust, an unsupported option. */
    case CURLE_UNSUPPORTED_PROTOCOL: case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CACERT_BADFILE:
    case CURLE_OUT_OF_MEMORY: case CURLE_FAILED_INIT:
      return LF_RETRY_NO;
    default: return LF_RETRY_TRANSIENT;
    }
  }
  if (code && listed(throttling_codes, code)) return LF_RETRY_THROTTLE;
  if (status == 429) return LF_RETRY_THROTTLE;
  if (code && listed(transient_codes, code)) return LF_RETRY_TRANSIENT;
  if (status == 500 || status == 502 || status == 503 || status == 504) return LF_RETRY_TRANSIENT;
  return LF_RETRY_NO;
}

static double random_unit(void) {
  unsigned int r;
  if (RAND_bytes((unsigned char *)&r, sizeof r) != 1) r = (unsigned int)rand();
  return (double)r / 4294967296.0;
}

double lf_retry_delay(int attempt, double scale) {
  double cap = 1.0;
  for (int i = 1; i < attempt && cap < 20.0; i++) cap *= 2.0;
  double d = random_unit() * cap;
  if (d > 20.0) d = 20.0;
  return d * scale;
}

enum { QUOTA_INITIAL = 500, RETRY_COST = 5, TIMEOUT_COST = 10, NO_RETRY_INCREMENT = 1 };

void lf_retry_quota_init(lf_retry_quota *q) { q->tokens = QUOTA_INITIAL; }

static int cost_of(int cls) { return cls == LF_RETRY_TIMEOUT ? TIMEOUT_COST : RETRY_COST; }

int lf_retry_quota_take(lf_retry_quota *q, int cls) {
  int cost = cost_of(cls);
  if (q->tokens < cost) return 0;
  q->tokens -= cost;
  return 1;
}

void lf_retry_quota_release(lf_retry_quota *q, int retried_cls) {
  q->tokens += retried_cls ? cost_of(retried_cls) : NO_RETRY_INCREMENT;
  if (q->tokens > QUOTA_INITIAL) q->tokens = QUOTA_INITIAL;
}

int lf_retry_max_attempts(int opt, const char *profile_value) {
  if (opt > 0) return opt;
  const char *env = getenv("AWS_MAX_ATTEMPTS");
  if (env && atoi(env) > 0) return atoi(env);
  if (profile_value && atoi(profile_value) > 0) return atoi(profile_value);
  return 3;
}

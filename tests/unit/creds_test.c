/*
 * creds_test.c - the shared config file reader (engine/aws/creds.c) on the
 * forms botocore accepts, plus the pure parts of the transport it feeds:
 * endpoint environment names and retry classification.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../engine/aws/transport.h"

static lf_ini *parse(const char *text) { return lf_ini_parse(text, strlen(text)); }

static void test_sections_and_keys(void **state) {
  (void)state;
  lf_ini *ini = parse(
      "# comment\n"
      "; another\n"
      "ignored = before any section\n"
      "[default]\n"
      "aws_access_key_id = AKID\n"
      "  \n"
      "AWS_Secret_Access_Key=se=cret\r\n"
      "region: eu-west-1\n"
      "[profile dev]\n"
      "role_arn = arn:aws:iam::123456789012:role/x\n"
      "source_profile = default\n"
      "[default]\n"
      "region = us-east-2\n");
  assert_true(lf_ini_has_section(ini, "default"));
  assert_true(lf_ini_has_section(ini, "profile dev"));
  assert_false(lf_ini_has_section(ini, "dev"));
  assert_string_equal(lf_ini_get(ini, "default", "aws_access_key_id"), "AKID");
  /* keys lower-cased, values keep '=' after the first one, CRLF trimmed */
  assert_string_equal(lf_ini_get(ini, "default", "aws_secret_access_key"), "se=cret");
  /* a repeated section merges; the later value wins */
  assert_string_equal(lf_ini_get(ini, "default", "region"), "us-east-2");
  assert_string_equal(lf_ini_get(ini, "profile dev", "source_profile"), "default");
  assert_null(lf_ini_get(ini, "default", "ignored"));
  assert_null(lf_ini_get(ini, "nope", "region"));
  lf_ini_free(ini);
}

static void test_nested_and_continuation(void **state) {
  (void)state;
  lf_ini *ini = parse(
      "[profile x]\n"
      "s3 =\n"
      "    addressing_style = path\n"
      "    max_concurrent_requests = 10\n"
      "region = ap-northeast-2\n"
      "note = first\n"
      "   second\n");
  assert_string_equal(lf_ini_get(ini, "profile x", "s3.addressing_style"), "path");
  assert_string_equal(lf_ini_get(ini, "profile x", "s3.max_concurrent_requests"), "10");
  assert_string_equal(lf_ini_get(ini, "profile x", "s3"), "");
  assert_string_equal(lf_ini_get(ini, "profile x", "region"), "ap-northeast-2");
  assert_string_equal(lf_ini_get(ini, "profile x", "note"), "first\nsecond");
  lf_ini_free(ini);
}

static void test_malformed_lines_are_skipped(void **state) {
  (void)state;
  lf_ini *ini = parse("[unterminated\nkey = v\n[ok]\nno equals sign\nk = v\n\n[empty]");
  assert_false(lf_ini_has_section(ini, "unterminated"));
  assert_null(lf_ini_get(ini, "unterminated", "key"));
  assert_string_equal(lf_ini_get(ini, "ok", "k"), "v");
  assert_true(lf_ini_has_section(ini, "empty"));
  lf_ini_free(ini);
  ini = parse("");
  assert_false(lf_ini_has_section(ini, "default"));
  lf_ini_free(ini);
  assert_null(lf_ini_load("/nonexistent/luaform/credentials"));
}

static void test_endpoint_env_names(void **state) {
  (void)state;
  char out[160];
  lf_endpoint_env_name("EC2", out, sizeof out);
  assert_string_equal(out, "AWS_ENDPOINT_URL_EC2");
  lf_endpoint_env_name("Application Auto Scaling", out, sizeof out);
  assert_string_equal(out, "AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING");
  lf_endpoint_env_name("Elastic Load Balancing v2", out, sizeof out);
  assert_string_equal(out, "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2");
  assert_string_equal(lf_partition_suffix("cn-north-1"), "amazonaws.com.cn");
  assert_string_equal(lf_partition_suffix("us-gov-west-1"), "amazonaws.com");
  assert_true(lf_s3_bucket_dns_ok("my-bucket-1"));
  assert_false(lf_s3_bucket_dns_ok("My_Bucket"));
  assert_false(lf_s3_bucket_dns_ok("with.dots"));
  assert_false(lf_s3_bucket_dns_ok("ab"));
}

static void test_retry_classes(void **state) {
  (void)state;
  assert_int_equal(lf_retry_class(400, "ThrottlingException", CURLE_OK), LF_RETRY_THROTTLE);
  assert_int_equal(lf_retry_class(503, "RequestLimitExceeded", CURLE_OK), LF_RETRY_THROTTLE);
  assert_int_equal(lf_retry_class(400, "Throttled", CURLE_OK), LF_RETRY_THROTTLE);   /* SNS */
  assert_int_equal(lf_retry_class(429, NULL, CURLE_OK), LF_RETRY_THROTTLE);
  assert_int_equal(lf_retry_class(400, "PriorRequestNotComplete", CURLE_OK), LF_RETRY_TRANSIENT);
  assert_int_equal(lf_retry_class(500, "InternalError", CURLE_OK), LF_RETRY_TRANSIENT);
  assert_int_equal(lf_retry_class(502, NULL, CURLE_OK), LF_RETRY_TRANSIENT);
  assert_int_equal(lf_retry_class(400, "InvalidVpcID.NotFound", CURLE_OK), LF_RETRY_NO);
  assert_int_equal(lf_retry_class(403, "AccessDenied", CURLE_OK), LF_RETRY_NO);
  assert_int_equal(lf_retry_class(501, "NotImplemented", CURLE_OK), LF_RETRY_NO);
  assert_int_equal(lf_retry_class(0, NULL, CURLE_COULDNT_CONNECT), LF_RETRY_TRANSIENT);
  assert_int_equal(lf_retry_class(0, NULL, CURLE_GOT_NOTHING), LF_RETRY_TRANSIENT);
  assert_int_equal(lf_retry_class(0, NULL, CURLE_OPERATION_TIMEDOUT), LF_RETRY_TIMEOUT);
  assert_int_equal(lf_retry_class(0, NULL, CURLE_PEER_FAILED_VERIFICATION), LF_RETRY_NO);
  for (int attempt = 1; attempt <= 10; attempt++) {
    double cap = attempt >= 6 ? 20.0 : (double)(1 << (attempt - 1));
    for (int i = 0; i < 50; i++) {
      double d = lf_retry_delay(attempt, 1.0);
      assert_true(d >= 0.0 && d <= cap);
    }
  }
  lf_retry_quota q;
  lf_retry_quota_init(&q);
  int taken = 0;
  while (lf_retry_quota_take(&q, LF_RETRY_TRANSIENT)) taken++;
  assert_int_equal(taken, 100);   /* 500 tokens, 5 per retry */
  lf_retry_quota_release(&q, LF_RETRY_TRANSIENT);
  assert_true(lf_retry_quota_take(&q, LF_RETRY_TRANSIENT));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sections_and_keys),
    cmocka_unit_test(test_nested_and_continuation),
    cmocka_unit_test(test_malformed_lines_are_skipped),
    cmocka_unit_test(test_endpoint_env_names),
    cmocka_unit_test(test_retry_classes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

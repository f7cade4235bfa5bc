/*
 * ini.c - fuzz target: the AWS shared config/credentials file reader
 * (lf_ini_parse, engine/aws/creds.c), then lookups of the keys the
 * credentials chain reads.
 */
#include "fuzz.h"
#include "../../engine/aws/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lf_ini *ini = lf_ini_parse((const char *)data, size);
  if (!ini) return 0;
  static const char *sections[] = {"default", "profile dev", "sso-session s", "services x"};
  static const char *keys[] = {"aws_access_key_id", "aws_secret_access_key", "region",
                               "role_arn", "source_profile", "s3.addressing_style",
                               "credential_process", "endpoint_url"};
  for (size_t s = 0; s < sizeof sections / sizeof *sections; s++) {
    lf_ini_has_section(ini, sections[s]);
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) lf_ini_get(ini, sections[s], keys[k]);
  }
  lf_ini_free(ini);
  return 0;
}

/*
 * endpoints.c - fuzz target: botocore's partitions file (endpoints.json) as
 * lf_endpoint_resolve reads it: the input is the file, resolved for the
 * services and regions the built-in models use (global services included).
 */
#include "fuzz.h"
#include "../../engine/aws/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *partitions = json_loadb((const char *)data, size, 0, NULL);
  if (!partitions) return 0;
  static const char *services[][3] = {   /* service, endpoint prefix, signing name */
    {"ec2", "ec2", "ec2"}, {"iam", "iam", "iam"}, {"sts", "sts", "sts"},
    {"s3", "s3", "s3"}, {"cloudfront", "cloudfront", "cloudfront"},
    {"route53", "route53", "route53"}};
  static const char *regions[] = {"us-east-1", "cn-north-1", "us-gov-west-1", "eu-west-3",
                                  "aws-global", NULL};
  for (size_t s = 0; s < sizeof services / sizeof *services; s++)
    for (size_t r = 0; r < sizeof regions / sizeof *regions; r++) {
      lf_endpoint_query q = {services[s][0], services[s][1], services[s][2], services[s][0],
                             regions[r], NULL, NULL, partitions};
      lf_endpoint ep;
      char err[256];
      lf_endpoint_resolve(&q, &ep, err, sizeof err);
    }
  json_decref(partitions);
  return 0;
}

/* response_query.c - fuzz target: query protocol (IAM, STS, SNS, SQS, ELBv2) responses (see response.h). */
#define PROTOCOL "query"
#define VECTORS {"protocols/output/query.json", NULL}
#define SERVICES {"iam", "sts", "sns", "sqs", "elbv2", NULL}
#include "response.h"

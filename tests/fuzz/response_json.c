/* response_json.c - fuzz target: JSON 1.0/1.1 protocol responses (DynamoDB,
   ECS, ECR, Logs, Application Auto Scaling; see response.h). */
#define PROTOCOL "json"
#define VECTORS {"protocols/output/json.json", "protocols/output/json_1_0.json", NULL}
#define SERVICES {"dynamodb", "ecs", "ecr", "logs", "application-autoscaling", NULL}
#include "response.h"

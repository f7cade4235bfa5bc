/* response_ec2.c - fuzz target: EC2 protocol responses (see response.h). */
#define PROTOCOL "ec2"
#define VECTORS {"protocols/output/ec2.json", NULL}
#define SERVICES {"ec2", NULL}
#include "response.h"

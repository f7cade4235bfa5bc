/* response_rest_json.c - fuzz target: REST-JSON protocol responses (see response.h). */
#define PROTOCOL "rest-json"
#define VECTORS {"protocols/output/rest-json.json", NULL}
#define SERVICES { NULL}
#include "response.h"

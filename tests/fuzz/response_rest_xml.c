/* response_rest_xml.c - fuzz target: REST-XML protocol (S3) responses (see response.h). */
#define PROTOCOL "rest-xml"
#define VECTORS {"protocols/output/rest-xml.json", NULL}
#define SERVICES {"s3", NULL}
#include "response.h"

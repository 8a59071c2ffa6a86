/*
 * h_openapi.c - GET /api/v1/openapi.json: the OpenAPI 3.1 description of
 * every route (data/openapi.json, built into the binary). It describes
 * the API and holds no data, so it is served without a session, like the
 * catalog. tests/unit/test_openapi.c checks it against the route table;
 * tests/e2e/openapi.test.mjs validates real answers against it.
 */
#include "server/http_int.h"

#include <stdlib.h>
#include <string.h>

#include "lib/embedded.h"

enum MHD_Result
h_openapi(struct req *r)
{
	struct embedded_file f;
	char *data;

	if (embedded_get("data/openapi.json", &f) != 0)
		return reply_error(r, 500, "io", "", "未内置接口描述 (the API "
		    "description is not built in)");
	/* reply_bytes() hands the copy to libmicrohttpd, which free()s it */
	if ((data = malloc(f.len ? f.len : 1)) == NULL)
		return reply_nomem(r);
	memcpy(data, f.data, f.len);
	return reply_bytes(r, 200, "application/json; charset=utf-8", NULL,
	    data, f.len);
}

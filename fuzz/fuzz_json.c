/*
 * fuzz_json.c - libFuzzer target for request bodies through the handlers:
 * every route that reads a JSON body gets the fuzzed bytes as its body,
 * sent to a real server in this process (inproc.h), so the body passes
 * MHD, body_parse(), the handler's allow-list, its field checks, the
 * catalog validation and, when all holds, the write. Whatever the body,
 * the answer must be a 2xx or 4xx: a 5xx, or no answer,
 * traps.
 *
 * Input: the first byte picks the route and the user (admin or county);
 * the rest is the body.
 *
 *   make fuzz       build with clang, run each target for FUZZ_SECONDS
 *   make test       replays fuzz/corpus/json under ASan+UBSan (replay.c)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz/inproc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Routes with a body; %1 is a person, %2 an item. */
static const struct {
	const char *method, *path;
} routes[] = {
	{ "POST", "/api/v1/session" },
	{ "POST", "/api/v1/persons" },
	{ "POST", "/api/v1/persons/search" },
	{ "POST", "/api/v1/persons/%1/reveal" },
	{ "PUT", "/api/v1/persons/%1/surveys/2026" },
	{ "POST", "/api/v1/persons/%1/plans/2026/build" },
	{ "POST", "/api/v1/persons/%1/plans/2026/items" },
	{ "POST", "/api/v1/persons/%1/plans/2026/confirm" },
	{ "POST", "/api/v1/persons/%1/plans/2026/reopen" },
	{ "PATCH", "/api/v1/items/%2" },
	{ "POST", "/api/v1/items/%2/accept" },
	{ "POST", "/api/v1/items/%2/return" },
	{ "POST", "/api/v1/items/%2/deliveries" },
	{ "POST", "/api/v1/rules/check" },
	{ "POST", "/api/v1/rules/simulate" },
	{ "POST", "/api/v1/plans/build" },
	{ "POST", "/api/v1/users" },
};
#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

/* The path with %1 and %2 filled in. */
static void
fill(const char *pat, char *out, size_t len)
{
	const char *p = strchr(pat, '%');

	if (p == NULL)
		snprintf(out, len, "%s", pat);
	else
		snprintf(out, len, "%.*s%s%s", (int)(p - pat), pat,
		    p[1] == '1' ? inproc_uid[1] : inproc_item, p + 2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[256];
	size_t k;
	int user, status;

	if (size < 1)
		return 0;
	inproc_start();
	k = data[0] % NROUTES;
	user = (data[0] / NROUTES) & 1;
	fill(routes[k].path, path, sizeof(path));
	status = inproc_send(routes[k].method, path, (const char *)data + 1,
	    size - 1, user);
	if (status < 200 || status >= 500) {
		fprintf(stderr, "fuzz_json: %s %s answered %d\n",
		    routes[k].method, path, status);
		__builtin_trap();
	}
	return 0;
}

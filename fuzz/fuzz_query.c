/*
 * fuzz_query.c - libFuzzer target for query strings through the handlers
 * that read one: the fuzzed bytes become the query of a GET sent to a
 * real server in this process (inproc.h), so they pass MHD's decoding,
 * the handler's argument list, its number and region checks, the list
 * filters over catalog items, the statistics filters (f=ITEM=CODES) and
 * the formats. The answer must be a 2xx or 4xx: a 5xx, or no answer,
 * traps.
 *
 * Input: the first byte picks the route and the user; the rest is the
 * query. Bytes a request line cannot carry (controls, space, '#', non-
 * ASCII) are sent percent-encoded, so they reach the handler decoded;
 * '%' is sent as is, so broken escapes are tried too.
 *
 *   make fuzz       build with clang, run each target for FUZZ_SECONDS
 *   make test       replays fuzz/corpus/query under ASan+UBSan (replay.c)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz/inproc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const paths[] = {
	"/api/v1/persons",
	"/api/v1/stats",
	"/api/v1/plans",
	"/api/v1/inbox",
	"/api/v1/audit",
	"/api/v1/users",
	"/api/v1/policies",
	"/api/v1/regions/51/children",
	"/api/v1/persons/%1",
	"/api/v1/persons/%1/plans/2026",
	"/api/v1/items/%2",
};
#define NPATHS	(sizeof(paths) / sizeof(paths[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	char target[8192];
	const char *pat, *p;
	size_t i, n;
	int user, status;

	if (size < 1 || size > 2000)
		return 0;
	inproc_start();
	pat = paths[data[0] % NPATHS];
	user = (data[0] / NPATHS) & 1;
	if ((p = strchr(pat, '%')) == NULL)
		n = (size_t)snprintf(target, sizeof(target), "%s?", pat);
	else
		n = (size_t)snprintf(target, sizeof(target), "%.*s%s%s?",
		    (int)(p - pat), pat, p[1] == '1' ? inproc_uid[1] :
		    inproc_item, p + 2);
	for (i = 1; i < size && n + 4 < sizeof(target); i++) {
		uint8_t c = data[i];

		if (c <= 0x20 || c >= 0x7f || c == '#') {
			target[n++] = '%';
			target[n++] = hex[c >> 4];
			target[n++] = hex[c & 15];
		} else
			target[n++] = (char)c;
	}
	target[n] = '\0';
	status = inproc_send("GET", target, NULL, 0, user);
	if (status < 200 || status >= 500) {
		fprintf(stderr, "fuzz_query: %s answered %d\n", target,
		    status);
		__builtin_trap();
	}
	return 0;
}

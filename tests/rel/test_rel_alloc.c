/*
 * test_rel_alloc.c - allocation-failure sweep over every kind of request.
 *
 * A real server runs in this process (fuzz/inproc.h). For each route
 * (one request of each kind the API has, reads and writes), the n-th
 * allocation from the moment the request is sent is made to fail
 * (core/mem.h), for n = 0, 1, 2, ... until the request completes without
 * reaching it. Every answer must be a clean one: a 5xx carries a JSON
 * error body; when not even the answer can be allocated the server
 * closes the connection (MHD_NO: counted as "closed"); a sanitizer
 * report or a crash ends the test. After each route the server must still answer a read, and at
 * the end the database passes PRAGMA integrity_check. The import and the
 * bulk plan build have their own sweeps (tests/unit/test_import.c,
 * tests/unit/test_plan.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "fuzz/inproc.h"
#include "store/backup.h"

/* %1 a person, %2 an item */
static const struct {
	const char *method, *path, *body;
	int user;		/* 0 admin (province), 1 county */
} reqs[] = {
	{ "GET", "/api/v1/session", NULL, 1 },
	{ "GET", "/api/v1/catalog", NULL, 1 },
	{ "GET", "/api/v1/regions/510104/children", NULL, 1 },
	{ "GET", "/api/v1/persons?limit=5", NULL, 1 },
	{ "POST", "/api/v1/persons/search", "{\"name\":\"张\"}", 1 },
	{ "GET", "/api/v1/persons/%1", NULL, 1 },
	{ "POST", "/api/v1/persons/%1/reveal", "{}", 1 },
	{ "GET", "/api/v1/persons/%1/plans/2026", NULL, 1 },
	{ "POST", "/api/v1/persons/%1/plans/2026/build", "{}", 1 },
	{ "POST", "/api/v1/persons/%1/plans/2026/items",
	    "{\"policy\":\"SUB_CARE\"}", 1 },
	{ "GET", "/api/v1/items/%2", NULL, 1 },
	{ "PATCH", "/api/v1/items/%2", "{\"month\":5}", 1 },
	{ "POST", "/api/v1/persons/%1/plans/2026/confirm", "{}", 1 },
	{ "POST", "/api/v1/persons/%1/plans/2026/reopen", "{}", 1 },
	{ "GET", "/api/v1/inbox", NULL, 1 },
	{ "GET", "/api/v1/policies", NULL, 1 },
	{ "POST", "/api/v1/rules/check", "{\"expr\":\"age in 16..59 and "
	    "valid_card\"}", 1 },
	{ "POST", "/api/v1/rules/simulate", "{\"expr\":\"severe\"}", 1 },
	{ "GET", "/api/v1/plans?year=2026", NULL, 1 },
	{ "GET", "/api/v1/stats?year=2026", NULL, 1 },
	{ "GET", "/api/v1/stats?year=2026&format=csv", NULL, 1 },
	{ "GET", "/api/v1/audit?limit=5", NULL, 0 },
	{ "GET", "/api/v1/users", NULL, 0 },
	{ "POST", "/api/v1/users", "{\"login\":\"sweep%n\",\"role\":"
	    "\"county\",\"region\":\"510104\",\"password\":"
	    "\"Sweep-Sichuan-2026\"}", 0 },
	{ "POST", "/api/v1/plans/build", "{\"year\":2026}", 1 },
};
#define NREQS	(sizeof(reqs) / sizeof(reqs[0]))
#define MAX_N	4000

/* pat with %1, %2 and %n (a counter) filled in. */
static void
fill(const char *pat, char *out, size_t len, long n)
{
	size_t o = 0;

	for (; *pat != '\0' && o + 64 < len; pat++) {
		if (pat[0] == '%' && pat[1] == '1')
			o += (size_t)snprintf(out + o, len - o, "%s",
			    inproc_uid[1]);
		else if (pat[0] == '%' && pat[1] == '2')
			o += (size_t)snprintf(out + o, len - o, "%s",
			    inproc_item);
		else if (pat[0] == '%' && pat[1] == 'n')
			o += (size_t)snprintf(out + o, len - o, "%ld", n);
		else {
			out[o++] = *pat;
			continue;
		}
		pat++;
	}
	out[o] = '\0';
}

int
main(void)
{
	char path[512], body[512];
	struct lf_error err;
	long n, total = 0, seq = 0;
	size_t i;
	int status, fails = 0;

	inproc_start();
	inproc_relogin = 0;
	for (i = 0; i < NREQS; i++) {
		long count = 0, failed5xx = 0, closed = 0;

		for (n = 0; n < MAX_N; n += n < 64 ? 1 : n / 16) {
			fill(reqs[i].path, path, sizeof(path), seq);
			fill(reqs[i].body ? reqs[i].body : "", body,
			    sizeof(body), seq++);
			mem_fail_after(n);
			status = inproc_send(reqs[i].method, path, body,
			    strlen(body), reqs[i].user);
			count = mem_alloc_count();
			mem_fail_after(-1);
			total++;
			if (status < 0) {
				closed++;
				continue;
			}
			if (status < 100 || (status >= 500 &&
			    strstr(inproc_answer(), "\"error\"") == NULL)) {
				fprintf(stderr, "alloc sweep: %s %s, failing "
				    "allocation %ld: answer %d\n%.300s\n",
				    reqs[i].method, path, n, status,
				    inproc_answer());
				fails++;
				break;
			}
			if (status >= 500)
				failed5xx++;
			if (count <= n)
				break;		/* done before the failure */
		}
		status = inproc_send("GET", "/api/v1/catalog", NULL, 0, 1);
		if (status != 200) {
			fprintf(stderr, "alloc sweep: after %s %s the server "
			    "answers %d\n", reqs[i].method, reqs[i].path,
			    status);
			fails++;
		}
		printf("alloc sweep: %-6s %-40s %5ld allocations, %4ld "
		    "JSON errors, %4ld closed\n", reqs[i].method,
		    reqs[i].path, count, failed5xx, closed);
	}
	lf_error_clear(&err);
	if (store_integrity(inproc_db, &err) != 0) {
		fprintf(stderr, "alloc sweep: %s\n", err.message);
		fails++;
	}
	printf("alloc sweep: %zu kinds of request, %ld requests, %d "
	    "failures\n", NREQS, total, fails);
	return fails == 0 ? 0 : 1;
}

/*
 * fuzz_request.c - libFuzzer target for what a client controls in a
 * request: the path (route table matching, path parameters) and the JSON
 * body (parsing, allow-listed fields, survey values into a record, full
 * validation).
 *
 * Input: the path up to the first newline, then the body. The body is
 * parsed with the search endpoint's allow-list and, separately, with no
 * allow-list as survey values.
 *
 *   make fuzz            build with clang and run for FUZZ_SECONDS (600)
 *   make test            replays fuzz/corpus/ under ASan+UBSan (replay.c)
 */
#include <stdint.h>
#include <string.h>

#include "lib/embedded.h"
#include "core/validate.h"
#include "server/http_int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct catalog *cat;
static struct regions *regs;

static void
load(void)
{
	struct embedded_file f;
	struct lf_error err;

	if (cat != NULL)
		return;
	if (embedded_get("data/catalog.tsv", &f) != 0 ||
	    catalog_parse(f.data, f.len, f.name, &cat, &err) != 0 ||
	    embedded_get("data/regions-sichuan.tsv", &f) != 0 ||
	    regions_parse(f.data, f.len, f.name, &regs, &err) != 0)
		__builtin_trap();
}

static void
path_part(const char *p, size_t n)
{
	static const char *const methods[] = { "GET", "POST", "PUT",
	    "DELETE" };
	char path[512];
	struct req r;
	size_t i;
	int allowed;

	if (n >= sizeof(path))
		n = sizeof(path) - 1;
	memcpy(path, p, n);
	path[n] = '\0';
	for (i = 0; i < 4; i++) {
		memset(&r, 0, sizeof(r));
		r.method = methods[i];
		if (router_match(&r, path, &allowed) != NULL &&
		    r.nparams > HTTP_MAX_PARAMS)
			__builtin_trap();
	}
}

static void
body_part(const char *b, size_t n)
{
	static const char *const search[] = { "id_number", "certificate_no",
	    "name", "region", NULL };
	struct validate_ctx vc = { regs, 20786, 2026 };
	struct lf_error err;
	struct record *rec;
	json_t *obj;

	lf_error_clear(&err);
	if (body_parse(b, n, search, &obj, &err) == 0)
		json_decref(obj);
	lf_error_clear(&err);
	if (body_parse(b, n, NULL, &obj, &err) != 0)
		return;
	if ((rec = record_new(cat)) != NULL) {
		lf_error_clear(&err);
		if (json_to_record(obj, rec, &err) == 0) {
			json_t *back;

			lf_error_clear(&err);
			(void)record_validate(rec, &vc, &err);
			back = json_from_record(rec, 1);
			json_decref(back);
		}
		record_free(rec);
	}
	json_decref(obj);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *nl = memchr(p, '\n', size);
	size_t plen = nl ? (size_t)(nl - p) : size;

	load();
	path_part(p, plen);
	if (nl != NULL)
		body_part(nl + 1, size - plen - 1);
	return 0;
}

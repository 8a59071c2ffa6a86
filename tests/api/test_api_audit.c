/*
 * test_api_audit.c - the audit screen's API over real HTTP (issue 14): a
 * supervisor finds a person by ID number or name through the keyed hash,
 * only inside their scope (a supervisor of another county finds nobody);
 * entries come with the action, result and target in words (a person by
 * masked name); pages follow a cursor; the log downloads as xlsx; and the
 * searched ID number appears in no audit entry, no URL and no log line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "auth/users.h"
#include "testutil.h"
#include "apiclient.h"

#define YEAR	2025

static const struct api_user users[] = {
	{ "sup1", "supervisor", "510104", NULL },
	{ "sup2", "supervisor", "510105", NULL },
	{ "cty1", "county", "510104", NULL },
	{ "aud1", "auditor", "51", NULL },
};

/* Person A of county 510104: opaque id, ID number, name. */
static char a_uid[40], a_idn[20], a_name[100];

static int
first(void *arg, const struct store_person *p, const struct record *r)
{
	(void)r;
	snprintf(arg, 40, "%s", p->uid);
	return 1;
}

static int
group_setup(void **state)
{
	struct store_person p;
	struct lf_error err;
	struct store *s;

	(void)state;
	api_group_begin("audit.db");
	s = api_store_new();
	api_seed_counties(s, 120, 3, 60, 4, YEAR);
	assert_int_equal(store_scan_surveys(s, YEAR, regions_find(
	    tu_regions(), "510104"), first, a_uid, &err), 1);
	assert_int_equal(store_person_by_uid(s, a_uid, &p, &err), 0);
	/* lookups leave the sealed ID number closed (issue 17.2) */
	assert_int_equal(store_person_open_id(s, &p, &err), 0);
	snprintf(a_idn, sizeof(a_idn), "%s", p.id_number);
	snprintf(a_name, sizeof(a_name), "%s", p.name);
	assert_int_equal(strlen(a_idn), 18);
	api_store_done(s, users, API_NELEMS(users));
	api_start_server();
	return 0;
}

/* POST /api/v1/audit/persons with body; the persons found. */
static json_t *
find(const struct who *w, const char *body, long want)
{
	struct resp r;
	json_t *j;

	api_call(&r, "POST", "/api/v1/audit/persons", body, w, 1);
	if (r.status != want)
		fail_msg("%s: %ld %s", body, r.status, buf_str(&r.body));
	j = json_incref(json_object_get(r.json, "persons"));
	api_done(&r);
	return j;
}

static void
test_search_in_scope(void **state)
{
	char body[128], first3[8], *text;
	struct who sup1, sup2, cty;
	json_t *ps, *p;
	const char *masked;
	size_t i;

	(void)state;
	api_login(&sup1, "sup1");
	snprintf(body, sizeof(body), "{\"id_number\":\"%s\"}", a_idn);
	ps = find(&sup1, body, 200);
	assert_int_equal(json_array_size(ps), 1);
	p = json_array_get(ps, 0);
	assert_string_equal(json_string_value(json_object_get(p, "id")), a_uid);
	masked = json_string_value(json_object_get(p, "name"));
	/* the masked name: the first character kept, the rest not all */
	assert_string_not_equal(masked, a_name);
	assert_memory_equal(masked, a_name, 3);
	assert_non_null(strchr(masked, '*'));
	text = json_dumps(p, 0);
	assert_null(strstr(text, a_idn));
	free(text);
	json_decref(ps);
	/* a supervisor of another county finds nobody */
	api_login(&sup2, "sup2");
	ps = find(&sup2, body, 200);
	assert_int_equal(json_array_size(ps), 0);
	json_decref(ps);
	/* by name: only persons of the caller's county */
	memcpy(first3, a_name, 3);
	first3[3] = '\0';
	snprintf(body, sizeof(body), "{\"name\":\"%s\"}", first3);
	ps = find(&sup1, body, 200);
	assert_true(json_array_size(ps) >= 1);
	json_array_foreach(ps, i, p)
		assert_memory_equal(json_string_value(json_object_get(p,
		    "region")), "510104", 6);
	json_decref(ps);
	/* a role without the audit log is refused; bad input is named */
	api_login(&cty, "cty1");
	json_decref(find(&cty, "{\"name\":\"王\"}", 403));
	json_decref(find(&sup1, "{\"id_number\":\"12345\"}", 422));
}

/* GET /api/v1/audit?QUERY as w: the body. */
static json_t *
entries(const struct who *w, const char *q, long want)
{
	char path[256];

	snprintf(path, sizeof(path), "/api/v1/audit?%s", q);
	return api_get_json(w, path, want);
}

static void
test_words_and_pages(void **state)
{
	char path[128], q[160];
	struct who cty, sup1, sup2;
	struct resp r;
	json_t *p1, *p2, *e;
	int i;

	(void)state;
	api_login(&cty, "cty1");
	snprintf(path, sizeof(path), "/api/v1/persons/%s", a_uid);
	for (i = 0; i < 5; i++) {
		api_call(&r, "GET", path, NULL, &cty, 0);
		assert_int_equal(r.status, 200);
		api_done(&r);
	}
	api_login(&sup1, "sup1");
	snprintf(q, sizeof(q), "person=%s&limit=3", a_uid);
	p1 = entries(&sup1, q, 200);
	assert_int_equal(json_array_size(json_object_get(p1, "entries")), 3);
	assert_true(json_is_integer(json_object_get(p1, "next")));
	e = json_array_get(json_object_get(p1, "entries"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    e, "action_label"), "zh")), "查看人员");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    e, "result_label"), "zh")), "成功");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    e, "target_type_label"), "zh")), "人员");
	assert_memory_equal(json_string_value(json_object_get(json_object_get(
	    e, "target_label"), "zh")), a_name, 3);
	assert_non_null(strchr(json_string_value(json_object_get(
	    json_object_get(e, "target_label"), "zh")), '*'));
	/* the next page starts after the last entry of this one */
	snprintf(q, sizeof(q), "person=%s&limit=3&after=%lld", a_uid,
	    (long long)json_integer_value(json_object_get(p1, "next")));
	p2 = entries(&sup1, q, 200);
	assert_true(json_array_size(json_object_get(p2, "entries")) >= 2);
	assert_true(json_integer_value(json_object_get(json_array_get(
	    json_object_get(p2, "entries"), 0), "id")) >
	    json_integer_value(json_object_get(p1, "next")));
	json_decref(p1);
	json_decref(p2);
	/* the other county's supervisor cannot read this person's log */
	api_login(&sup2, "sup2");
	snprintf(q, sizeof(q), "person=%s", a_uid);
	json_decref(entries(&sup2, q, 404));
}

static void
test_xlsx_and_no_number(void **state)
{
	char q[160], logf[200], *text;
	struct who sup1, aud;
	struct resp r;
	json_t *all;
	FILE *fp;
	long n;

	(void)state;
	api_login(&sup1, "sup1");
	snprintf(q, sizeof(q), "/api/v1/audit?person=%s&format=xlsx", a_uid);
	api_call(&r, "GET", q, NULL, &sup1, 0);
	assert_int_equal(r.status, 200);
	assert_true(r.body.len > 2000);
	assert_memory_equal(buf_str(&r.body), "PK", 2);
	api_done(&r);
	/* the whole log, as the province's auditor reads it */
	api_login(&aud, "aud1");
	all = entries(&aud, "limit=1000", 200);
	assert_true(json_array_size(json_object_get(all, "entries")) > 10);
	text = json_dumps(all, 0);
	assert_null(strstr(text, a_idn));
	assert_non_null(strstr(text, "audit.search"));
	assert_non_null(strstr(text, "by=id_number matches=1"));
	assert_non_null(strstr(text, "by=id_number matches=0"));
	free(text);
	json_decref(all);
	/* nor in the server's log (which has every request line) */
	snprintf(logf, sizeof(logf), "%s/server.log", api_dir);
	fp = fopen(logf, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	text = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	assert_true(n > 0);
	assert_null(strstr(text, a_idn));
	free(text);
}

/* The what-if screen's calls: each region's yearly cost, and the xlsx. */
static void
test_simulate_by_region_and_xlsx(void **state)
{
	static const char body[] = "{\"expression\":\"severe\",\"year\":"
	    "2025,\"amount\":15000,\"per\":\"month\"}";
	static const char xbody[] = "{\"expression\":\"severe\",\"year\":"
	    "2025,\"amount\":15000,\"per\":\"month\",\"format\":\"xlsx\"}";
	int64_t persons = 0, cost = 0;
	struct resp r;
	struct who w;
	json_t *c;
	size_t i;

	(void)state;
	api_login(&w, "cty1");
	api_call(&r, "POST", "/api/v1/rules/simulate", body, &w, 1);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "children"), i, c) {
		int64_t n = json_integer_value(json_object_get(c, "persons"));

		assert_int_equal(json_integer_value(json_object_get(c,
		    "cost_per_year")), n * 15000 * 12);
		persons += n;
		cost += json_integer_value(json_object_get(c,
		    "cost_per_year"));
	}
	assert_true(persons > 0);
	assert_int_equal(persons, json_integer_value(json_object_get(r.json,
	    "persons")));
	assert_int_equal(cost, json_integer_value(json_object_get(r.json,
	    "cost_per_year")));
	api_done(&r);
	api_call(&r, "POST", "/api/v1/rules/simulate", xbody, &w, 1);
	assert_int_equal(r.status, 200);
	assert_memory_equal(buf_str(&r.body), "PK", 2);
	api_done(&r);
	api_call(&r, "POST", "/api/v1/rules/simulate", "{\"expression\":"
	    "\"severe\",\"year\":2025,\"format\":\"pdf\"}", &w, 1);
	assert_int_equal(r.status, 422);
	api_done(&r);
}

/* A code a machine reads, in text a person reads: a run of six digits or
 * more (a region, an ID), or a snake_case or dotted code ("not_found",
 * "person.list"), or a key=value pair. NULL when there is none. */
static const char *
code_in(const char *s)
{
	const char *p;
	int run = 0;

	for (p = s; *p; p++) {
		run = (*p >= '0' && *p <= '9') ? run + 1 : 0;
		if (run >= 6)
			return p - 5;
		if (p > s && (*p == '_' || *p == '.' || *p == '=') &&
		    p[-1] >= 'a' && p[-1] <= 'z' && p[1] >= 'a' && p[1] <= 'z')
			return p;
	}
	return NULL;
}

static void
no_code(json_t *e, const char *label)
{
	json_t *l = json_object_get(e, label);
	const char *zh = json_string_value(json_object_get(l, "zh"));
	const char *en = json_string_value(json_object_get(l, "en"));

	if (zh == NULL || en == NULL)
		fail_msg("entry %lld (%s): no %s", (long long)json_integer_value(
		    json_object_get(e, "id")), json_string_value(
		    json_object_get(e, "action")), label);
	if (code_in(zh) != NULL || code_in(en) != NULL)
		fail_msg("entry %lld (%s): %s shows a code: \"%s\" / \"%s\"",
		    (long long)json_integer_value(json_object_get(e, "id")),
		    json_string_value(json_object_get(e, "action")), label, zh,
		    en);
}

/* The sheet's text (the worksheet and its shared strings) into b. */
static void
xlsx_text(const char *path, struct buf *b)
{
	char cmd[300], chunk[4096];
	FILE *fp;
	size_t n;

	snprintf(cmd, sizeof(cmd), "unzip -p '%s' xl/worksheets/sheet1.xml "
	    "xl/sharedStrings.xml 2>/dev/null", path);
	assert_non_null(fp = popen(cmd, "r"));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		assert_int_equal(buf_add(b, chunk, n), 0);
	pclose(fp);
	assert_true(b->len > 100);
}

/* Issue 14 point 3: what the audit screen and its xlsx show a person
 * names regions, statuses, roles and reasons in words; the region code,
 * the status code and the reason code stay in the machine fields. */
static void
test_detail_in_words(void **state)
{
	const struct region *county = regions_find(tu_regions(), "510104");
	struct who cty, aud;
	struct resp r;
	struct buf x;
	char path[200], *text;
	json_t *all, *e;
	FILE *fp;
	size_t i;
	int listed = 0, denied = 0;

	(void)state;
	buf_init(&x, 64u << 20);
	api_login(&cty, "cty1");
	json_decref(api_get_json(&cty, "/api/v1/persons?region=510104&"
	    "year=2025", 200));
	json_decref(api_get_json(&cty, "/api/v1/plans?region=510104&year=2025"
	    "&status=draft", 200));
	api_call(&r, "GET", "/api/v1/stats?region=510105&year=2025", NULL,
	    &cty, 0);
	assert_int_equal(r.status, 400);
	api_done(&r);
	api_login(&aud, "aud1");
	all = entries(&aud, "limit=1000", 200);
	json_array_foreach(json_object_get(all, "entries"), i, e) {
		const char *d = json_string_value(json_object_get(e, "detail"));
		const char *act = json_string_value(json_object_get(e,
		    "action"));

		no_code(e, "detail_label");
		no_code(e, "target_label");
		no_code(e, "role_label");
		if (strcmp(act, "person.list") == 0 &&
		    strstr(d, "region=510104") != NULL) {
			/* the machine field keeps the code, the words the name */
			assert_non_null(strstr(json_string_value(
			    json_object_get(json_object_get(e, "detail_label"),
			    "zh")), county->name));
			listed++;
		}
		if (strcmp(act, "stats.read") == 0 &&
		    strcmp(json_string_value(json_object_get(e, "result")),
		    "denied") == 0) {
			assert_string_equal(json_string_value(json_object_get(e,
			    "target")), "510105");
			assert_string_equal(json_string_value(json_object_get(
			    json_object_get(e, "detail_label"), "zh")),
			    "超出管辖范围");
			denied++;
		}
	}
	assert_true(listed >= 1);
	assert_true(denied >= 1);
	json_decref(all);
	/* the workbook: no region code in any cell */
	api_call(&r, "GET", "/api/v1/audit?format=xlsx", NULL, &aud, 0);
	assert_int_equal(r.status, 200);
	snprintf(path, sizeof(path), "%s/audit.xlsx", api_dir);
	assert_non_null(fp = fopen(path, "wb"));
	assert_int_equal(fwrite(r.body.data, 1, r.body.len, fp), r.body.len);
	fclose(fp);
	api_done(&r);
	xlsx_text(path, &x);
	text = (char *)buf_str(&x);
	assert_non_null(strstr(text, county->name));
	assert_null(strstr(text, "510104"));
	assert_null(strstr(text, "region="));
	assert_null(strstr(text, ">supervisor<"));
	buf_free(&x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_in_scope),
		cmocka_unit_test(test_words_and_pages),
		cmocka_unit_test(test_xlsx_and_no_number),
		cmocka_unit_test(test_simulate_by_region_and_xlsx),
		cmocka_unit_test(test_detail_in_words),
	};

	return cmocka_run_group_tests_name("api-audit", tests, group_setup,
	    api_group_teardown);
}

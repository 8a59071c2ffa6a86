/*
 * test_api_stats.c - 全项统计 over real HTTP: a county officer gets only
 * their county's statistics (broken down by township), a city officer may
 * drill into any county of the city; roles without statistics are
 * refused; a write through the API moves the totals by exactly that write
 * in the next report (no batch step); xlsx and CSV downloads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
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
	{ "cty1", "county", "510104", NULL },
	{ "city1", "city", "5101", NULL },
	{ "sup1", "supervisor", "510104", NULL },
	{ "civil1", "department", "510104", "civil" },
	{ "aud1", "auditor", "51", NULL },
};

static int
group_setup(void **state)
{
	struct store *s;

	(void)state;
	api_group_begin("stats.db");
	s = api_store_new();
	api_seed_counties(s, 400, 3, 200, 4, YEAR);
	api_store_done(s, users, API_NELEMS(users));
	api_start_server();
	return 0;
}

/* GET /api/v1/stats with query q; fails unless the status is want. */
static json_t *
stats(const struct who *w, const char *q, long want)
{
	char path[512];

	snprintf(path, sizeof(path), "/api/v1/stats?year=%d%s", YEAR, q);
	return api_get_json(w, path, want);
}

static int64_t
cell(json_t *rep, const char *group, const char *table, const char *col)
{
	json_t *t = group ? json_object_get(json_object_get(rep, group),
	    table) : json_object_get(rep, table);

	return json_integer_value(json_object_get(json_object_get(t,
	    "region"), col));
}

static void
test_county_scope(void **state)
{
	struct who cty, city;
	json_t *rep, *children;
	const char *code;
	json_t *v;
	int64_t sum = 0;

	(void)state;
	api_login(&cty, "cty1");
	rep = stats(&cty, "", 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    rep, "region"), "code")), "510104");
	assert_int_equal(cell(rep, NULL, "kpi", "registered"), 400);
	/* by township; the children add up to the county */
	children = json_object_get(json_object_get(rep, "kpi"), "children");
	assert_true(json_object_size(children) > 1);
	json_object_foreach(children, code, v) {
		assert_int_equal(strlen(code), 9);
		assert_memory_equal(code, "510104", 6);
		sum += json_integer_value(json_object_get(v, "registered"));
	}
	assert_int_equal(sum, 400);
	assert_non_null(json_object_get(json_object_get(rep, "items"),
	    "disability_category"));
	assert_non_null(json_string_value(json_object_get(rep, "as_of")));
	json_decref(rep);
	/* another county, and the province, are outside */
	json_decref(stats(&cty, "&region=510105", 400));
	json_decref(stats(&cty, "&region=51", 400));
	/* the city officer may look at both, by county */
	api_login(&city, "city1");
	rep = stats(&city, "", 200);
	assert_int_equal(cell(rep, NULL, "kpi", "registered"), 600);
	json_decref(rep);
	rep = stats(&city, "&region=510105", 200);
	assert_int_equal(cell(rep, NULL, "kpi", "registered"), 200);
	json_decref(rep);
}

static void
test_roles(void **state)
{
	struct who w;

	(void)state;
	api_login(&w, "civil1");
	json_decref(stats(&w, "", 403));
	api_login(&w, "aud1");
	json_decref(stats(&w, "", 403));
	api_login(&w, "sup1");
	json_decref(stats(&w, "", 200));
}

static void
test_filters(void **state)
{
	struct who w;
	json_t *all, *sev;
	int64_t g1, g2;

	(void)state;
	api_login(&w, "cty1");
	all = stats(&w, "", 200);
	sev = stats(&w, "&f=disability_grade=1,2", 200);
	g1 = cell(all, "items", "disability_grade", "1");
	g2 = cell(all, "items", "disability_grade", "2");
	assert_int_equal(cell(sev, "items", "disability_grade", "1"), g1);
	assert_int_equal(cell(sev, "items", "disability_grade", "3"), 0);
	assert_int_equal(cell(sev, NULL, "kpi", "surveyed"), g1 + g2);
	json_decref(all);
	json_decref(sev);
	json_decref(stats(&w, "&f=no_such_item=1", 422));
	json_decref(stats(&w, "&bogus=1", 400));
}

/* The first person of the county's list. */
static void
first_person(const struct who *w, char *uid, size_t len)
{
	char path[128];
	struct resp r;

	snprintf(path, sizeof(path), "/api/v1/persons?year=%d&limit=1", YEAR);
	api_call(&r, "GET", path, NULL, w, 0);
	assert_int_equal(r.status, 200);
	snprintf(uid, len, "%s", json_string_value(json_object_get(
	    json_array_get(json_object_get(r.json, "persons"), 0), "id")));
	api_done(&r);
}

static void
test_write_moves_totals(void **state)
{
	char uid[40], path[160];
	struct resp r;
	struct who w;
	json_t *before, *after;
	int64_t inserted;

	(void)state;
	api_login(&w, "cty1");
	before = stats(&w, "", 200);
	first_person(&w, uid, sizeof(uid));
	snprintf(path, sizeof(path), "/api/v1/persons/%s/plans/%d/build", uid,
	    YEAR);
	api_call(&r, "POST", path, "{}", &w, 1);
	assert_int_equal(r.status, 200);
	inserted = json_integer_value(json_object_get(json_object_get(r.json,
	    "build"), "inserted"));
	assert_true(inserted > 0);
	api_done(&r);
	after = stats(&w, "", 200);
	assert_int_equal(cell(after, NULL, "kpi", "items"),
	    cell(before, NULL, "kpi", "items") + inserted);
	assert_int_equal(cell(after, NULL, "kpi", "registered"),
	    cell(before, NULL, "kpi", "registered"));
	json_decref(before);
	json_decref(after);
}

static void
test_downloads(void **state)
{
	char path[128];
	struct resp r;
	struct who w;

	(void)state;
	api_login(&w, "cty1");
	snprintf(path, sizeof(path), "/api/v1/stats?year=%d&format=xlsx",
	    YEAR);
	api_call(&r, "GET", path, NULL, &w, 0);
	assert_int_equal(r.status, 200);
	assert_true(r.body.len > 10000);
	assert_memory_equal(buf_str(&r.body), "PK", 2);
	api_done(&r);
	snprintf(path, sizeof(path), "/api/v1/stats?year=%d&format=csv", YEAR);
	api_call(&r, "GET", path, NULL, &w, 0);
	assert_int_equal(r.status, 200);
	assert_memory_equal(buf_str(&r.body), "\xef\xbb\xbf", 3);
	assert_non_null(strstr(buf_str(&r.body), "合计"));
	api_done(&r);
	snprintf(path, sizeof(path), "/api/v1/stats?year=%d&format=pdf", YEAR);
	api_call(&r, "GET", path, NULL, &w, 0);
	assert_int_equal(r.status, 400);
	api_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_county_scope),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_write_moves_totals),
		cmocka_unit_test(test_downloads),
	};

	return cmocka_run_group_tests_name("api-stats", tests, group_setup,
	    api_group_teardown);
}

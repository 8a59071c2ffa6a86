/*
 * test_api_plans.c - 一人一策 over real HTTP: a worker builds, edits and
 * decides a plan in scope and cannot outside it; an officer confirms it;
 * department officers see only their department's items in their region
 * and record deliveries (idempotently); rebuilding, alone or in bulk,
 * keeps what a person edited; the person page shows the chain need ->
 * item -> delivery; the rule check explains itself.
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

#define YEAR	2024

static char uid_a[40], uid_b[40];	/* in 510104017001 and 510105002002 */

static const struct api_user users[] = {
	{ "vil1", "village", "510104017001", NULL },
	{ "vil2", "village", "510104017002", NULL },
	{ "town1", "township", "510104017", NULL },
	{ "cty1", "county", "510104", NULL },
	{ "civil1", "department", "510104", "civil" },
	{ "civil2", "department", "510105", "civil" },
	{ "justice1", "department", "510104", "justice" },
	{ "aud1", "auditor", "51", NULL },
};

/* Person seq with the needs this test plans for. */
static void
person(struct record *r, int seq, const char *village)
{
	tu_valid_person(r, seq);
	tu_set(r, "hukou_region", village);
	tu_set(r, "residence_region", village);
	tu_set(r, "ss_care_subsidy", "是");	/* SUB_CARE, 民政, 80/month */
	tu_set(r, "ss_dibao", "是");		/* not eligible: unmet */
	tu_set(r, "ss_accident_insurance", "是"); /* no policy: unmet */
	tu_set(r, "legal_aid", "是");		/* LEGAL_AID, 司法 */
}

static void
populate(void)
{
	struct store_put put = { YEAR, 0, "test", 0, 0 };
	struct store_put_result res;
	struct lf_error err;
	struct store *s;
	struct record *r = record_new(tu_catalog());

	s = api_store_new();
	put.today = tu_days("2026-11-29");
	person(r, 11, "510104017001");
	assert_int_equal(store_survey_put(s, r, &put, &res, &err), 0);
	snprintf(uid_a, sizeof(uid_a), "%s", res.uid);
	person(r, 12, "510105002002");
	assert_int_equal(store_survey_put(s, r, &put, &res, &err), 0);
	snprintf(uid_b, sizeof(uid_b), "%s", res.uid);
	record_free(r);
	api_store_done(s, users, API_NELEMS(users));
}

static int
group_setup(void **state)
{
	(void)state;
	api_group_begin("plans.db");
	populate();
	api_start_server();
	return 0;
}

/* ---- helpers ------------------------------------------------------ */

static void
path_of(char *out, size_t len, const char *uid, const char *tail)
{
	snprintf(out, len, "/api/v1/persons/%s/plans/%d%s", uid, YEAR, tail);
}

/* The item of the plan JSON with this policy code, or NULL. */
static json_t *
item_of(json_t *plan, const char *policy)
{
	json_t *items = json_object_get(plan, "items"), *it;
	size_t i;

	json_array_foreach(items, i, it) {
		const char *code = json_string_value(json_object_get(
		    json_object_get(it, "policy"), "code"));

		if (code != NULL && strcmp(code, policy) == 0)
			return it;
	}
	return NULL;
}

static json_t *
item_of_preview(json_t *plan, const char *policy)
{
	json_t *it;
	size_t i;

	json_array_foreach(json_object_get(plan, "preview"), i, it)
		if (strcmp(json_string_value(json_object_get(json_object_get(
		    it, "policy"), "code")), policy) == 0)
			return it;
	return NULL;
}

static int
has_unmet(json_t *plan, const char *need)
{
	json_t *u;
	size_t i;

	json_array_foreach(json_object_get(plan, "unmet"), i, u)
		if (strcmp(json_string_value(json_object_get(u, "need")),
		    need) == 0)
			return 1;
	return 0;
}

static int64_t
jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* An item's id: an opaque reference (a string). */
static const char *
jstr(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	assert_non_null(v);
	return v;
}

/* Builds A's plan as vil1 and returns its JSON (caller decrefs). */
static json_t *
build_a(const struct who *w)
{
	char path[160];
	struct resp r;
	json_t *j;

	path_of(path, sizeof(path), uid_a, "/build");
	api_call(&r, "POST", path, "{}", w, 1);
	if (r.status != 200)
		fail_msg("build: %ld %s", r.status, buf_str(&r.body));
	j = json_incref(r.json);
	api_done(&r);
	return j;
}

static json_t *
get_plan(const struct who *w, const char *uid, long want)
{
	char path[160];

	path_of(path, sizeof(path), uid, "");
	return api_get_json(w, path, want);
}

static long
patch(const struct who *w, const char *id, const char *fmt, int64_t version,
    json_t **out)
{
	char path[160], body[1024];
	struct resp r;
	long st;

	snprintf(path, sizeof(path), "/api/v1/items/%s", id);
	snprintf(body, sizeof(body), fmt, (long long)version);
	api_call(&r, "PATCH", path, body, w, 1);
	st = r.status;
	if (out != NULL)
		*out = json_incref(json_object_get(r.json, st == 409 ?
		    "current" : "item"));
	api_done(&r);
	return st;
}

/* ---- tests -------------------------------------------------------- */

static void
test_build_and_explain(void **state)
{
	struct who w;
	json_t *plan, *care, *legal;

	(void)state;
	api_login(&w, "vil1");
	/* before the first build: a preview, and only the real unmet needs */
	plan = get_plan(&w, uid_a, 200);
	assert_true(json_is_null(json_object_get(plan, "plan")));
	assert_non_null(item_of_preview(plan, "SUB_CARE"));
	assert_true(has_unmet(plan, "ss_accident_insurance"));
	assert_false(has_unmet(plan, "ss_care_subsidy"));
	json_decref(plan);
	plan = build_a(&w);
	care = item_of(plan, "SUB_CARE");
	legal = item_of(plan, "LEGAL_AID");
	assert_non_null(care);
	assert_non_null(legal);
	/* grade 2: 80 yuan a month (月标准); the yearly figure (年度资金),
	 * 12 months, with the policy's default measures */
	assert_int_equal(jint(json_object_get(json_object_get(care, "five"),
	    "funds"), "planned"), 12 * 8000);
	assert_true(json_string_length(json_object_get(json_object_get(care,
	    "five"), "measures")) > 0);
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(json_object_get(care, "five"), "responsible"),
	    "dept")), "civil");
	assert_non_null(strstr(json_string_value(json_object_get(
	    json_object_get(care, "why"), "en")), "severe"));
	assert_true(has_unmet(plan, "ss_dibao"));
	assert_true(has_unmet(plan, "ss_accident_insurance"));
	assert_false(has_unmet(plan, "ss_care_subsidy"));
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(plan, "plan"), "status")), "draft");
	json_decref(plan);
	/* building again adds nothing */
	plan = build_a(&w);
	assert_int_equal(jint(json_object_get(plan, "build"), "inserted"), 0);
	json_decref(plan);
}

static void
test_scope(void **state)
{
	struct who other, town;
	char path[160];
	struct resp r;

	(void)state;
	api_login(&other, "vil2");
	json_decref(get_plan(&other, uid_a, 404));
	path_of(path, sizeof(path), uid_a, "/build");
	api_call(&r, "POST", path, "{}", &other, 1);
	assert_int_equal(r.status, 404);
	api_done(&r);
	api_login(&town, "town1");
	json_decref(get_plan(&town, uid_a, 200));
	json_decref(get_plan(&town, uid_b, 404));
}

static void
test_edit_decide_confirm(void **state)
{
	struct who w, town;
	json_t *plan, *care, *legal, *it = NULL, *item;
	char path[160], body[128];
	struct resp r;
	size_t i;

	(void)state;
	api_login(&w, "vil1");
	plan = get_plan(&w, uid_a, 200);
	care = item_of(plan, "SUB_CARE");
	legal = item_of(plan, "LEGAL_AID");
	/* a rejection needs a reason */
	assert_int_equal(patch(&w, jstr(legal, "id"), "{\"version\":%lld,"
	    "\"decision\":2}", jint(legal, "version"), NULL), 422);
	/* edit the five elements and accept */
	assert_int_equal(patch(&w, jstr(care, "id"), "{\"version\":%lld,"
	    "\"decision\":1,\"org\":\"锦江区民政局\",\"measures\":\"按月发放\"}",
	    jint(care, "version"), &it), 200);
	assert_true(json_is_true(json_object_get(it, "edited")));
	/* a stale version is refused, with the item as it is now */
	json_decref(it);
	assert_int_equal(patch(&w, jstr(care, "id"), "{\"version\":%lld,"
	    "\"measures\":\"x\"}", jint(care, "version"), &it), 409);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    it, "five"), "measures")), "按月发放");
	json_decref(it);
	/* the village worker cannot confirm; with open proposals nobody can */
	path_of(path, sizeof(path), uid_a, "/confirm");
	snprintf(body, sizeof(body), "{\"version\":%lld}", (long long)jint(
	    json_object_get(plan, "plan"), "version"));
	api_call(&r, "POST", path, body, &w, 1);
	assert_int_equal(r.status, 404);
	api_done(&r);
	api_login(&town, "town1");
	api_call(&r, "POST", path, body, &town, 1);
	assert_int_equal(r.status, 422);
	assert_string_equal(api_err_code(&r), "state");
	api_done(&r);
	/* decide the rest: accept every open proposal */
	json_decref(plan);
	plan = get_plan(&w, uid_a, 200);
	json_array_foreach(json_object_get(plan, "items"), i, item) {
		if (jint(json_object_get(item, "decision"), "code") != 0)
			continue;
		assert_int_equal(patch(&w, jstr(item, "id"), "{\"version\":"
		    "%lld,\"decision\":1}", jint(item, "version"), NULL), 200);
	}
	json_decref(plan);
	plan = get_plan(&w, uid_a, 200);
	snprintf(body, sizeof(body), "{\"version\":%lld}", (long long)jint(
	    json_object_get(plan, "plan"), "version"));
	api_call(&r, "POST", path, body, &town, 1);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    r.json, "plan"), "status")), "confirmed");
	api_done(&r);
	json_decref(plan);
}

/* "My work": plans of a region with their open and overdue items. */
static void
test_plans_list(void **state)
{
	struct who w, other;
	struct resp r;
	json_t *pl;

	(void)state;
	api_login(&w, "vil1");
	api_call(&r, "GET", "/api/v1/plans?year=2024&status=confirmed", NULL,
	    &w, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "plans")), 1);
	pl = json_array_get(json_object_get(r.json, "plans"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    pl, "person"), "id")), uid_a);
	assert_int_equal(jint(pl, "open"), 0);
	/* 2024 is past: every accepted item not done is overdue */
	assert_true(jint(pl, "overdue") > 0);
	assert_int_equal(jint(pl, "overdue"), jint(pl, "items") -
	    jint(pl, "done"));
	api_done(&r);
	api_call(&r, "GET", "/api/v1/plans?year=2024&status=draft", NULL, &w,
	    0);
	assert_int_equal(json_array_size(json_object_get(r.json, "plans")), 0);
	api_done(&r);
	api_call(&r, "GET", "/api/v1/plans?year=2024&status=bogus", NULL, &w,
	    0);
	assert_int_equal(r.status, 400);
	api_done(&r);
	/* another village sees none of them */
	api_login(&other, "vil2");
	api_call(&r, "GET", "/api/v1/plans?year=2024", NULL, &other, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "plans")), 0);
	api_done(&r);
}

/* Drafts and persons with overdue items by village (issue 14): the
 * confirmed plan of uid_a (2024 is past, so its open items are overdue),
 * in the caller's scope only. */
static void
test_plans_villages(void **state)
{
	struct who cty, town, vil;
	struct resp r;
	json_t *v, *pl;
	size_t i;
	int late = 0;

	(void)state;
	api_login(&cty, "cty1");
	api_call(&r, "GET", "/api/v1/plans/villages?year=2024", NULL, &cty,
	    0);
	assert_int_equal(r.status, 200);
	assert_int_equal(jint(r.json, "total"), 1);
	assert_int_equal(jint(r.json, "year"), 2024);
	assert_string_equal(json_string_value(json_object_get(r.json,
	    "region")), "510104");
	assert_int_equal(json_array_size(json_object_get(r.json, "villages")),
	    1);
	v = json_array_get(json_object_get(r.json, "villages"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "code")),
	    "510104017001");
	assert_true(strlen(json_string_value(json_object_get(v, "name"))) > 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    v, "township"), "code")), "510104017");
	assert_true(strlen(json_string_value(json_object_get(json_object_get(
	    v, "township"), "name"))) > 0);
	assert_int_equal(jint(v, "plans"), 1);
	assert_int_equal(jint(v, "drafts"), 0);
	assert_int_equal(jint(v, "overdue"), 1);
	api_done(&r);
	/* the same count as the plans list's overdue */
	api_call(&r, "GET", "/api/v1/plans?year=2024", NULL, &cty, 0);
	pl = json_object_get(r.json, "plans");
	for (i = 0; i < json_array_size(pl); i++)
		late += jint(json_array_get(pl, i), "overdue") > 0;
	assert_int_equal(late, 1);
	api_done(&r);
	api_call(&r, "GET", "/api/v1/plans/villages?year=2023", NULL, &cty,
	    0);
	assert_int_equal(r.status, 200);
	assert_int_equal(jint(r.json, "total"), 0);
	api_done(&r);
	api_login(&town, "town1");
	api_call(&r, "GET", "/api/v1/plans/villages?year=2024&region="
	    "510104017", NULL, &town, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(jint(r.json, "total"), 1);
	api_done(&r);
	/* outside the caller's scope, or unknown: 404 */
	api_call(&r, "GET", "/api/v1/plans/villages?year=2024&region=510104",
	    NULL, &town, 0);
	assert_int_equal(r.status, 404);
	api_done(&r);
	api_call(&r, "GET", "/api/v1/plans/villages?year=2024&region=510105",
	    NULL, &cty, 0);
	assert_int_equal(r.status, 404);
	api_done(&r);
	api_call(&r, "GET", "/api/v1/plans/villages?region=519999", NULL,
	    &cty, 0);
	assert_int_equal(r.status, 404);
	api_done(&r);
	/* bad queries */
	api_call(&r, "GET", "/api/v1/plans/villages?limit=0", NULL, &cty, 0);
	assert_int_equal(r.status, 400);
	api_done(&r);
	api_call(&r, "GET", "/api/v1/plans/villages?bogus=1", NULL, &cty, 0);
	assert_int_equal(r.status, 400);
	api_done(&r);
	/* another village: nothing to do there */
	api_login(&vil, "vil2");
	api_call(&r, "GET", "/api/v1/plans/villages?year=2024", NULL, &vil, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(jint(r.json, "total"), 0);
	assert_int_equal(json_array_size(json_object_get(r.json, "villages")),
	    0);
	api_done(&r);
}

static void
test_rebuild_keeps_edits(void **state)
{
	struct who w, cty;
	struct resp r;
	json_t *plan, *care;

	(void)state;
	api_login(&cty, "cty1");
	api_call(&r, "POST", "/api/v1/plans/build", "{\"year\":2024,"
	    "\"region\":\"510104\"}", &cty, 1);
	assert_int_equal(r.status, 200);
	assert_int_equal(jint(r.json, "inserted"), 0);
	assert_int_equal(jint(r.json, "updated"), 0);
	assert_int_equal(jint(r.json, "deleted"), 0);
	/* the build re-checked the region's findings (writes before it
	 * already had: nothing new) */
	assert_int_equal(jint(json_object_get(r.json, "findings"), "opened"),
	    0);
	assert_true(json_is_integer(json_object_get(json_object_get(r.json,
	    "findings"), "closed")));
	api_done(&r);
	/* a region outside the officer's scope is refused */
	api_call(&r, "POST", "/api/v1/plans/build", "{\"year\":2024,"
	    "\"region\":\"510105\"}", &cty, 1);
	assert_int_equal(r.status, 400);
	api_done(&r);
	api_login(&w, "vil1");
	plan = get_plan(&w, uid_a, 200);
	care = item_of(plan, "SUB_CARE");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    care, "five"), "measures")), "按月发放");
	assert_int_equal(jint(json_object_get(care, "decision"), "code"), 1);
	json_decref(plan);
}

static int
inbox_has(const struct who *w, const char *policy, char id[64],
    int64_t *version)
{
	struct resp r;
	json_t *it;
	size_t i;
	int n = 0;

	api_call(&r, "GET", "/api/v1/inbox?year=2024", NULL, w, 0);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "items"), i, it) {
		const char *code = json_string_value(json_object_get(
		    json_object_get(it, "policy"), "code"));

		/* a department sees no survey items, only name, masked ID
		 * and village */
		assert_int_equal(json_object_size(json_object_get(it,
		    "person")), 4);
		assert_null(json_object_get(json_object_get(it, "person"),
		    "birth_date"));
		assert_non_null(strstr(json_string_value(json_object_get(
		    json_object_get(it, "person"), "id_number")), "****"));
		if (code != NULL && strcmp(code, policy) == 0) {
			n++;
			snprintf(id, 64, "%s", jstr(it, "id"));
			*version = jint(it, "version");
		}
	}
	api_done(&r);
	return n;
}

static void
test_department(void **state)
{
	struct who civ, civ2, jus;
	char id[64] = "", id2[64] = "";
	int64_t ver = 0, ver2 = 0;
	char path[160], body[256];
	struct resp r;

	(void)state;
	api_login(&civ, "civil1");
	api_login(&civ2, "civil2");
	api_login(&jus, "justice1");
	assert_int_equal(inbox_has(&civ, "SUB_CARE", id, &ver), 1);
	assert_int_equal(inbox_has(&civ, "LEGAL_AID", id2, &ver2), 0);
	assert_int_equal(inbox_has(&civ2, "SUB_CARE", id2, &ver2), 0);
	assert_int_equal(inbox_has(&jus, "LEGAL_AID", id2, &ver2), 1);
	/* another department's item, and persons, are not theirs */
	snprintf(path, sizeof(path), "/api/v1/items/%s", id2);
	api_call(&r, "GET", path, NULL, &civ, 0);
	assert_int_equal(r.status, 404);
	api_done(&r);
	snprintf(path, sizeof(path), "/api/v1/persons/%s", uid_a);
	api_call(&r, "GET", path, NULL, &civ, 0);
	assert_int_equal(r.status, 404);
	api_done(&r);
	/* accept, then deliver twice with the same client id */
	snprintf(path, sizeof(path), "/api/v1/items/%s/accept", id);
	snprintf(body, sizeof(body), "{\"version\":%lld}", (long long)ver);
	api_call(&r, "POST", path, body, &civ, 1);
	assert_int_equal(r.status, 200);
	api_done(&r);
	snprintf(path, sizeof(path), "/api/v1/items/%s/deliveries", id);
	for (int i = 0; i < 2; i++) {
		api_call(&r, "POST", path, "{\"date\":\"2024-06-15\","
		    "\"amount\":8000,\"note\":\"6月\",\"client_id\":"
		    "\"c-2024-06\"}", &civ, 1);
		assert_int_equal(r.status, 201);
		assert_int_equal(jint(json_object_get(json_object_get(
		    json_object_get(r.json, "item"), "five"), "funds"),
		    "spent"), 8000);
		api_done(&r);
	}
	api_call(&r, "POST", path, "{\"date\":\"2024-07-15\",\"amount\":8000,"
	    "\"client_id\":\"c-2024-07\"}", &civ, 1);
	assert_int_equal(r.status, 201);
	assert_int_equal(jint(json_object_get(json_object_get(json_object_get(
	    r.json, "item"), "five"), "funds"), "spent"), 16000);
	assert_int_equal(json_array_size(json_object_get(json_object_get(
	    r.json, "item"), "deliveries")), 2);
	api_done(&r);
	/* the other county's civil officer cannot deliver on it */
	api_call(&r, "POST", path, "{\"date\":\"2024-08-15\",\"amount\":8000}",
	    &civ2, 1);
	assert_int_equal(r.status, 404);
	api_done(&r);
}

static void
test_person_page_chain(void **state)
{
	struct who w;
	char path[160];
	struct resp r;
	json_t *plans, *care = NULL, *it;
	size_t i;

	(void)state;
	api_login(&w, "vil1");
	snprintf(path, sizeof(path), "/api/v1/persons/%s", uid_a);
	api_call(&r, "GET", path, NULL, &w, 0);
	assert_int_equal(r.status, 200);
	plans = json_object_get(r.json, "plans");
	assert_int_equal(json_array_size(plans), 1);
	json_array_foreach(json_object_get(json_array_get(plans, 0), "items"),
	    i, it)
		if (strcmp(json_string_value(json_object_get(json_object_get(
		    it, "policy"), "code")), "SUB_CARE") == 0)
			care = it;
	assert_non_null(care);
	assert_int_equal(json_array_size(json_object_get(care, "deliveries")),
	    2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(care, "needs"), 0), "code")), "ss_care_subsidy");
	api_done(&r);
}

static void
test_rules(void **state)
{
	struct who w, aud;
	struct resp r;

	(void)state;
	api_login(&w, "vil1");
	api_call(&r, "GET", "/api/v1/policies", NULL, &w, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "policies")),
	    37);
	api_done(&r);
	api_call(&r, "POST", "/api/v1/rules/check", "{\"policy\":\"SUB_CARE\","
	    "\"year\":2024,\"values\":{\"disability_grade\":3,"
	    "\"card_status\":1}}", &w, 1);
	assert_int_equal(r.status, 200);
	assert_false(json_is_true(json_object_get(r.json, "result")));
	api_done(&r);
	api_call(&r, "POST", "/api/v1/rules/check", "{\"expression\":"
	    "\"age in 16..\",\"year\":2024,\"values\":{}}", &w, 1);
	assert_int_equal(r.status, 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    r.json, "error"), "field")), "expression");
	api_done(&r);
	/* simulation is for county and higher officers */
	api_call(&r, "POST", "/api/v1/rules/simulate", "{\"expression\":"
	    "\"severe\",\"year\":2024}", &w, 1);
	assert_int_equal(r.status, 403);
	api_done(&r);
	api_login(&aud, "aud1");
	api_call(&r, "GET", "/api/v1/inbox", NULL, &aud, 0);
	assert_int_equal(r.status, 403);
	api_done(&r);
}

static void
test_simulate(void **state)
{
	struct who cty;
	struct resp r;

	(void)state;
	api_login(&cty, "cty1");
	api_call(&r, "POST", "/api/v1/rules/simulate", "{\"expression\":"
	    "\"severe and valid_card\",\"year\":2024,\"amount\":8000,"
	    "\"per\":\"month\"}", &cty, 1);
	assert_int_equal(r.status, 200);
	/* one person of the county (B lives in another) */
	assert_int_equal(jint(r.json, "persons"), 1);
	assert_int_equal(jint(r.json, "cost_per_year"), 12 * 8000);
	api_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_and_explain),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_edit_decide_confirm),
		cmocka_unit_test(test_plans_list),
		cmocka_unit_test(test_plans_villages),
		cmocka_unit_test(test_rebuild_keeps_edits),
		cmocka_unit_test(test_department),
		cmocka_unit_test(test_person_page_chain),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_simulate),
	};

	return cmocka_run_group_tests_name("api-plans", tests, group_setup,
	    api_group_teardown);
}

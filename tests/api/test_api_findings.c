/*
 * test_api_findings.c - data-quality findings over real HTTP: a survey
 * write opens a finding and the corrected survey closes it (run on
 * write); the list's filters; resolve and dismiss need a reason; a
 * finding outside the caller's region is 404; the rule table and the
 * statistics' findings section speak Chinese; a surveyor's third survey
 * filled in seconds opens SURVEYOR_FAST on that write, and the batch
 * then agrees (same finding, nothing opened or closed).
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

#include "core/idcard.h"
#include "server/http_int.h"
#include "quality/findings_batch.h"
#include "store/store.h"
#include "auth/users.h"
#include "testutil.h"
#include "apiclient.h"

#define YEAR	2024

static char uid_a[40], uid_b[40];	/* in 510104017001 and 510105002002 */
static char uid_f[40];	/* 510104017002: the third survey of 快手甲 */

static const struct api_user users[] = {
	{ "vil1", "village", "510104017001", NULL },
	{ "vil2", "village", "510104017002", NULL },
	{ "cty1", "county", "510104", NULL },
	{ "cty2", "county", "510105", NULL },
	{ "sup1", "supervisor", "51", NULL },
	{ "aud1", "auditor", "51", NULL },
};

/* Person seq in village; limb1 makes it a grade-1 limb disability,
 * fully self-caring, with no aid (rule LIMB1_NO_NEED). */
static void
person(struct record *r, int seq, const char *village, int limb1)
{
	char card[21];

	tu_valid_person(r, seq);
	tu_set(r, "hukou_region", village);
	tu_set(r, "residence_region", village);
	assert_int_equal(idcard_make_certificate(tu_id(seq), 4, limb1 ? 1 : 2,
	    card), 0);
	tu_set(r, "disability_card_no", card);
	tu_set(r, "disability_grade", limb1 ? "1" : "2");
	tu_set(r, "self_care_ability", limb1 ? "1" : "2");
	tu_set(r, "aid_wheelchair", "否");
}

/* Person seq in village surveyed by 快手甲 in secs seconds (form
 * envelope times; secs < 0: not timed). */
static void
fast_person(struct record *r, int seq, const char *village, int secs)
{
	char v[24];

	person(r, seq, village, 0);
	snprintf(v, sizeof(v), "快%d", seq);	/* no duplicate registration */
	tu_set(r, "name", v);
	tu_set(r, "surveyor_name", "快手甲");
	if (secs < 0)
		return;
	tu_set(r, "form_started_at", "1764000000");
	snprintf(v, sizeof(v), "%d", 1764000000 + secs);
	tu_set(r, "form_submitted_at", v);
}

/* The index of the built-in rule code. */
static int
rule_index(const char *code)
{
	struct quality_rules *qr;
	struct lf_error err;
	int i;

	if (quality_rules_load_embedded(tu_catalog(), &qr, &err) != 0)
		fail_msg("%s", err.message);
	assert_non_null(quality_rule_find(qr, code));
	i = quality_rule_find(qr, code)->index;
	quality_rules_free(qr);
	return i;
}

/* The batch over the whole year (as `liangfu quality`). */
static void
batch(struct store *s, struct findings_batch_stats *st)
{
	struct quality_rules *qr;
	struct policies *ps;
	struct lf_error err;

	if (policies_load_embedded(tu_catalog(), &ps, &err) != 0 ||
	    quality_rules_load_embedded(tu_catalog(), &qr, &err) != 0)
		fail_msg("%s", err.message);
	if (findings_batch(s, qr, ps, NULL, YEAR, NULL, "test", NULL, NULL, st,
	    &err) != 0)
		fail_msg("%s", err.message);
	quality_rules_free(qr);
	policies_free(ps);
}

static void
populate(void)
{
	struct store_put put = { YEAR, 0, "test", 0, 0 };
	struct store_put_result res;
	struct findings_batch_stats st;
	struct lf_error err;
	struct store *s;
	struct record *r = record_new(tu_catalog());

	s = api_store_new();	/* either backend (apiclient.h) */
	put.today = tu_days("2026-11-29");
	person(r, 11, "510104017001", 0);
	assert_int_equal(store_survey_put(s, r, &put, &res, &err), 0);
	snprintf(uid_a, sizeof(uid_a), "%s", res.uid);
	person(r, 12, "510105002002", 1);
	assert_int_equal(store_survey_put(s, r, &put, &res, &err), 0);
	snprintf(uid_b, sizeof(uid_b), "%s", res.uid);
	/* two fast surveys of 快手甲 (the rule needs 3) and a slow one */
	fast_person(r, 21, "510104017002", 30);
	assert_int_equal(store_survey_put(s, r, &put, &res, &err), 0);
	fast_person(r, 22, "510104017002", 45);
	assert_int_equal(store_survey_put(s, r, &put, &res, &err), 0);
	fast_person(r, 23, "510104017002", 900);
	assert_int_equal(store_survey_put(s, r, &put, &res, &err), 0);
	snprintf(uid_f, sizeof(uid_f), "%s", res.uid);
	batch(s, &st);
	assert_int_equal(st.c.opened, 1);	/* B's */
	record_free(r);
	api_store_done(s, users, API_NELEMS(users));
}

static int
group_setup(void **state)
{
	(void)state;
	api_group_begin("findings.db");
	populate();
	api_start_server();
	return 0;
}

/* ---- helpers ------------------------------------------------------ */

/* The findings the caller sees with query q: how many, and the first's
 * id. */
static size_t
list(struct who *w, const char *q, long status, int64_t *first)
{
	char path[256];
	struct resp r;
	size_t n;

	snprintf(path, sizeof(path), "/api/v1/findings%s", q);
	api_call(&r, "GET", path, NULL, w, 0);
	assert_int_equal(r.status, status);
	if (status != 200) {
		api_done(&r);
		return 0;
	}
	n = json_array_size(json_object_get(r.json, "findings"));
	if (first != NULL && n > 0)
		*first = json_integer_value(json_object_get(json_array_get(
		    json_object_get(r.json, "findings"), 0), "id"));
	api_done(&r);
	return n;
}

static void
put_survey(struct who *w, const char *uid, struct record *rec)
{
	char path[160];
	struct resp r;
	json_t *body;
	char *text;
	int64_t v;

	snprintf(path, sizeof(path), "/api/v1/persons/%s", uid);
	api_call(&r, "GET", path, NULL, w, 0);
	assert_int_equal(r.status, 200);
	v = json_integer_value(json_object_get(json_array_get(json_object_get(
	    r.json, "years"), 0), "version"));
	api_done(&r);
	body = json_pack("{s:I,s:o}", "version", (json_int_t)v, "values",
	    json_from_record(rec, 0));
	text = json_dumps(body, JSON_COMPACT);
	snprintf(path, sizeof(path), "/api/v1/persons/%s/surveys/%d", uid,
	    YEAR);
	api_extra_header = "X-Change-Reason: %E5%A4%8D%E8%AF%84";	/* 复评 */
	api_call(&r, "PUT", path, text, w, 1);
	api_extra_header = NULL;
	if (r.status != 200)
		fail_msg("PUT survey: %ld %s", r.status, buf_str(&r.body));
	api_done(&r);
	free(text);
	json_decref(body);
}

/* ---- tests -------------------------------------------------------- */

static void
test_on_write(void **state)
{
	struct record *rec = record_new(tu_catalog());
	struct who w;
	int64_t id = 0;

	(void)state;
	api_login(&w, "vil1");
	assert_int_equal(list(&w, "?year=2024&status=open", 200, NULL), 0);
	person(rec, 11, "510104017001", 1);
	put_survey(&w, uid_a, rec);
	assert_int_equal(list(&w, "?year=2024&status=open&rule=LIMB1_NO_NEED",
	    200, &id), 1);
	assert_true(id > 0);
	person(rec, 11, "510104017001", 0);	/* corrected */
	put_survey(&w, uid_a, rec);
	assert_int_equal(list(&w, "?year=2024&status=open", 200, NULL), 0);
	assert_int_equal(list(&w, "?year=2024&status=resolved", 200, NULL),
	    1);
	record_free(rec);
}

/* The open SURVEYOR_FAST findings seen by sup1: how many; the first's
 * id and surveyor. */
static size_t
fast_open(struct who *w, int64_t *id, char *surveyor, size_t size)
{
	struct resp r;
	json_t *f;
	size_t n;

	api_call(&r, "GET", "/api/v1/findings?year=2024&status=open&"
	    "rule=SURVEYOR_FAST", NULL, w, 0);
	assert_int_equal(r.status, 200);
	n = json_array_size(json_object_get(r.json, "findings"));
	if (n > 0) {
		f = json_array_get(json_object_get(r.json, "findings"), 0);
		*id = json_integer_value(json_object_get(f, "id"));
		snprintf(surveyor, size, "%s", json_string_value(
		    json_object_get(f, "surveyor")));
	}
	api_done(&r);
	return n;
}

/* The third fast survey of one surveyor, written through the API, opens
 * the finding on that write; the batch then finds the same (no second
 * finding, nothing opened or closed); a slow survey again closes it. */
static void
test_surveyor_on_write(void **state)
{
	struct record *rec = record_new(tu_catalog());
	struct findings_batch_stats st;
	char name[80] = "";
	struct lf_error err;
	struct store *s;
	struct who w, sup;
	int64_t id = 0, id2 = 0;

	(void)state;
	api_login(&sup, "sup1");
	assert_int_equal(fast_open(&sup, &id, name, sizeof(name)), 0);
	api_login(&w, "vil2");
	fast_person(rec, 23, "510104017002", 20);
	put_survey(&w, uid_f, rec);
	assert_int_equal(fast_open(&sup, &id, name, sizeof(name)), 1);
	assert_string_equal(name, "快手甲");
	assert_int_equal(store_open(api_db, tu_catalog(), tu_regions(), &s,
	    &err), 0);
	batch(s, &st);
	assert_int_equal(st.c.opened, 0);
	assert_int_equal(st.c.closed, 0);
	assert_int_equal(st.hits[rule_index("SURVEYOR_FAST")], 1);
	store_close(s);
	assert_int_equal(fast_open(&sup, &id2, name, sizeof(name)), 1);
	assert_int_equal(id2, id);
	fast_person(rec, 23, "510104017002", 900);	/* slow again */
	put_survey(&w, uid_f, rec);
	assert_int_equal(fast_open(&sup, &id, name, sizeof(name)), 0);
	record_free(rec);
}

static void
test_scope_and_filters(void **state)
{
	char path[160];
	struct resp r;
	struct who w;
	int64_t idb = 0;

	(void)state;
	api_login(&w, "cty2");
	assert_int_equal(list(&w, "?status=open", 200, &idb), 1);
	assert_int_equal(list(&w, "?status=open&owner=village:510105002002",
	    200, NULL), 1);
	assert_int_equal(list(&w, "?status=open&owner=county:510105", 200,
	    NULL), 0);
	assert_int_equal(list(&w, "?status=open&rule=UNMET_POLICY", 200,
	    NULL), 0);
	assert_int_equal(list(&w, "?status=maybe", 400, NULL), 0);
	assert_int_equal(list(&w, "?region=510104", 400, NULL), 0);
	snprintf(path, sizeof(path), "/api/v1/findings/%lld", (long long)idb);
	api_call(&r, "GET", path, NULL, &w, 0);
	assert_int_equal(r.status, 200);
	{
		json_t *f = json_object_get(r.json, "finding");

		assert_string_equal(json_string_value(json_object_get(f,
		    "rule_name")), "一级肢体残疾却无行动或照护需求");
		assert_string_equal(json_string_value(json_object_get(f,
		    "person")), uid_b);
		assert_string_equal(json_string_value(json_object_get(f,
		    "status_name")), "待处理");
		assert_non_null(strstr(json_string_value(json_object_get(f,
		    "detail")), "残疾等级"));
		assert_int_equal(json_array_size(json_object_get(f,
		    "history")), 1);
	}
	api_done(&r);
	/* outside: 404 for reading and deciding alike */
	api_login(&w, "cty1");
	assert_int_equal(list(&w, "?status=open&year=2024", 200, NULL), 0);
	api_call(&r, "GET", path, NULL, &w, 0);
	assert_int_equal(r.status, 404);
	api_done(&r);
	snprintf(path, sizeof(path), "/api/v1/findings/%lld/dismiss",
	    (long long)idb);
	api_call(&r, "POST", path, "{\"reason\":\"x\"}", &w, 1);
	assert_int_equal(r.status, 404);
	api_done(&r);
	api_call(&r, "GET", "/api/v1/findings/999999", NULL, &w, 0);
	assert_int_equal(r.status, 404);
	api_done(&r);
	/* an auditor reads no findings */
	api_login(&w, "aud1");
	assert_int_equal(list(&w, "", 403, NULL), 0);
	/* a supervisor reads them, but does not decide */
	api_login(&w, "sup1");
	assert_true(list(&w, "?year=2024", 200, NULL) >= 1);
	api_call(&r, "POST", path, "{\"reason\":\"x\"}", &w, 1);
	assert_int_equal(r.status, 404);
	api_done(&r);
}

static void
test_decide(void **state)
{
	char path[160];
	struct resp r;
	struct who w;
	int64_t id = 0;

	(void)state;
	api_login(&w, "cty2");
	assert_int_equal(list(&w, "?status=open", 200, &id), 1);
	snprintf(path, sizeof(path), "/api/v1/findings/%lld/dismiss",
	    (long long)id);
	api_call(&r, "POST", path, "{}", &w, 1);
	assert_int_equal(r.status, 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    r.json, "error"), "field")), "reason");
	api_done(&r);
	api_call(&r, "POST", path, "{\"reason\":\"   \"}", &w, 1);
	assert_int_equal(r.status, 422);
	api_done(&r);
	api_call(&r, "POST", path, "{\"reason\":\"ok\",\"nope\":1}", &w, 1);
	assert_int_equal(r.status, 400);
	api_done(&r);
	api_call(&r, "POST", path, "{\"reason\":\"入户核实: 可自理\","
	    "\"version\":1}", &w, 1);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    r.json, "finding"), "status")), "dismissed");
	assert_int_equal(json_array_size(json_object_get(json_object_get(
	    r.json, "finding"), "history")), 2);
	api_done(&r);
	snprintf(path, sizeof(path), "/api/v1/findings/%lld/resolve",
	    (long long)id);
	api_call(&r, "POST", path, "{\"reason\":\"again\"}", &w, 1);
	assert_int_equal(r.status, 422);
	assert_string_equal(api_err_code(&r), "state");
	api_done(&r);
	assert_int_equal(list(&w, "?status=dismissed", 200, NULL), 1);
}

static void
test_rules_and_stats(void **state)
{
	struct resp r;
	struct who w;
	json_t *f;

	(void)state;
	api_login(&w, "sup1");
	api_call(&r, "GET", "/api/v1/findings/rules", NULL, &w, 0);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "rules")) >= 8);
	assert_non_null(json_string_value(json_object_get(json_array_get(
	    json_object_get(r.json, "rules"), 0), "name_zh")));
	api_done(&r);
	api_call(&r, "GET", "/api/v1/stats?year=2024", NULL, &w, 0);
	assert_int_equal(r.status, 200);
	f = json_object_get(r.json, "findings");
	assert_non_null(f);
	assert_true(json_integer_value(json_object_get(json_object_get(f,
	    "totals"), "resolved")) >= 1);
	assert_true(json_array_size(json_object_get(f, "by_region")) >= 1);
	api_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_on_write),
		cmocka_unit_test(test_surveyor_on_write),
		cmocka_unit_test(test_scope_and_filters),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_rules_and_stats),
	};

	return cmocka_run_group_tests(tests, group_setup, api_group_teardown);
}

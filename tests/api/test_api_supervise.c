/*
 * test_api_supervise.c - 精准监督 over real HTTP: drawing a sample inside
 * and outside the scope, the checker who is the surveyor refused (4xx
 * with a clear error), a check whose wrong item corrects the survey with
 * the check in the history, and the precision in /precision and /stats.
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

static char uid_a[40], uid_checked[40];
static long long sample_id, task_id;

static const struct api_user users[] = {
	{ "vil1", "village", "510104017001", NULL },
	{ "cty1", "county", "510104", NULL },
	{ "cty2", "county", "510105", NULL },
	{ "sup1", "supervisor", "510104", NULL },
};

static void
populate(void)
{
	struct store_put put = { 2024, 0, "vil1", 0, 0 };
	struct store_put_result res;
	struct lf_error err;
	struct store *s;
	struct record *r = record_new(tu_catalog());
	size_t i;

	s = api_store_new();
	put.today = tu_days("2024-06-01");
	for (i = 1; i <= 3; i++) {
		record_clear(r);
		tu_valid_person(r, (int)(20 + i));
		assert_int_equal(store_survey_put(s, r, &put, &res, &err), 0);
		if (i == 1)
			snprintf(uid_a, sizeof(uid_a), "%s", res.uid);
	}
	record_clear(r);
	tu_valid_person(r, 30);
	tu_set(r, "hukou_region", "510105002002");
	tu_set(r, "residence_region", "510105002002");
	assert_int_equal(store_survey_put(s, r, &put, &res, &err), 0);
	record_free(r);
	api_store_done(s, users, API_NELEMS(users));
}

static int
group_setup(void **state)
{
	(void)state;
	api_group_begin("supervise.db");
	populate();
	api_start_server();
	return 0;
}

static long long
jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

#define SAMPLE_BODY(region) "{\"year\":2024,\"region\":\"" region "\"," \
	"\"rate\":1.0,\"min_per_surveyor\":0,\"recheck_rate\":0," \
	"\"seed\":\"5\",\"items\":\"marital_status\",\"mode\":\"phone\"," \
	"\"due\":\"2030-01-01\"}"

static void
test_sample_scope(void **state)
{
	struct who cty, cty2, vil;
	struct resp r;
	char path[96];

	(void)state;
	api_login(&cty, "cty1");
	api_login(&cty2, "cty2");
	api_login(&vil, "vil1");
	api_call(&r, "POST", "/api/v1/samples", SAMPLE_BODY("510104"), &cty,
	    1);
	assert_int_equal(r.status, 201);
	sample_id = jint(r.json, "id");
	assert_int_equal(jint(json_object_get(r.json, "progress"), "tasks"),
	    3);
	assert_string_equal(json_string_value(json_object_get(r.json, "seed")),
	    "5");
	api_done(&r);
	/* another county's region: 404, as if it did not exist */
	api_call(&r, "POST", "/api/v1/samples", SAMPLE_BODY("510105"), &cty,
	    1);
	assert_int_equal(r.status, 404);
	api_done(&r);
	snprintf(path, sizeof(path), "/api/v1/samples/%lld", sample_id);
	api_call(&r, "GET", path, NULL, &cty2, 0);
	assert_int_equal(r.status, 404);
	api_done(&r);
	/* bad input names its field */
	api_call(&r, "POST", "/api/v1/samples", "{\"year\":2024,\"region\":"
	    "\"510104\",\"rate\":1.5}", &cty, 1);
	assert_int_equal(r.status, 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    r.json, "error"), "field")), "rate");
	api_done(&r);
	api_call(&r, "POST", "/api/v1/samples", "{\"year\":2024,\"region\":"
	    "\"510104\",\"rate\":0.5,\"seed\":\"x1\"}", &cty, 1);
	assert_int_equal(r.status, 400);
	api_done(&r);
	/* a village worker does not draw samples */
	api_call(&r, "POST", "/api/v1/samples", SAMPLE_BODY("510104017001"),
	    &vil, 1);
	assert_int_equal(r.status, 403);
	api_done(&r);
	api_call(&r, "GET", path, NULL, &cty, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "tasks")), 3);
	task_id = jint(json_array_get(json_object_get(r.json, "tasks"), 0),
	    "id");
	api_done(&r);
}

static void
test_assign_and_check(void **state)
{
	struct who cty, sup, cty2;
	struct resp r;
	char path[96], apath[112];
	json_t *line;

	(void)state;
	api_login(&cty, "cty1");
	api_login(&sup, "sup1");
	api_login(&cty2, "cty2");
	snprintf(path, sizeof(path), "/api/v1/checks/%lld", task_id);
	snprintf(apath, sizeof(apath), "%s/assign", path);
	/* the surveyor's own account is refused, with a clear error */
	api_call(&r, "POST", apath, "{\"checker\":\"vil1\"}", &cty, 1);
	assert_int_equal(r.status, 422);
	assert_string_equal(api_err_code(&r), "checker_is_surveyor");
	api_done(&r);
	api_call(&r, "POST", apath, "{\"checker\":\"sup1\",\"mode\":\"visit\"}",
	    &cty, 1);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json,
	    "checker")), "sup1");
	api_done(&r);
	/* the checker's list and form */
	api_call(&r, "GET", "/api/v1/checks", NULL, &sup, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "tasks")), 1);
	api_done(&r);
	api_call(&r, "GET", path, NULL, &sup, 0);
	assert_int_equal(r.status, 200);
	snprintf(uid_checked, sizeof(uid_checked), "%s", json_string_value(
	    json_object_get(r.json, "person")));
	line = json_array_get(json_object_get(r.json, "lines"), 0);
	assert_string_equal(json_string_value(json_object_get(line, "code")),
	    "marital_status");
	assert_string_equal(json_string_value(json_object_get(line,
	    "label_zh")), "婚姻状况");
	assert_string_equal(json_string_value(json_object_get(line,
	    "recorded")), "20");
	api_done(&r);
	api_call(&r, "GET", path, NULL, &cty2, 0);
	assert_int_equal(r.status, 404);
	api_done(&r);
	/* someone else than the checker cannot record it */
	api_call(&r, "POST", path, "{\"items\":[{\"code\":\"marital_status\","
	    "\"ok\":true}]}", &cty, 1);
	assert_int_equal(r.status, 403);
	api_done(&r);
	api_call(&r, "POST", path, "{\"items\":[{\"code\":\"marital_status\","
	    "\"ok\":false,\"value\":\"30\"}]}", &sup, 1);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "done")));
	api_done(&r);
}

static void
test_correction_and_precision(void **state)
{
	struct who cty;
	struct resp r;
	char path[96];
	json_t *reg;

	(void)state;
	api_login(&cty, "cty1");
	api_call(&r, "GET", "/api/v1/precision?year=2024&region=510104", NULL,
	    &cty, 0);
	assert_int_equal(r.status, 200);
	reg = json_array_get(json_object_get(r.json, "regions"), 0);
	assert_int_equal(jint(json_object_get(reg, "survey"), "right"), 0);
	assert_int_equal(jint(json_object_get(reg, "survey"), "checked"), 1);
	/* 0 of 1: Wilson [0, 0.7935] -> hi_bp 7935 */
	assert_int_equal(jint(json_object_get(reg, "survey"), "hi_bp"), 7935);
	assert_int_equal(json_array_size(json_object_get(r.json,
	    "below_target")), 1);
	api_done(&r);
	api_call(&r, "GET", "/api/v1/stats?year=2024&region=510104", NULL,
	    &cty, 0);
	if (r.status == 503) {
		api_done(&r);
		api_call(&r, "GET", "/api/v1/stats?year=2024&region=510104",
		    NULL, &cty, 0);
	}
	assert_int_equal(r.status, 200);
	assert_non_null(json_object_get(json_object_get(r.json, "precision"),
	    "regions"));
	api_done(&r);
	/* the wrong item was corrected in the survey (its old value is in
	 * the history, with "spot check #N: sup1" as the writer: see
	 * test_supervise.c and the CLI test's liangfu show) */
	snprintf(path, sizeof(path), "/api/v1/persons/%s", uid_checked);
	api_call(&r, "GET", path, NULL, &cty, 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(buf_str(&r.body), "\"marital_status\":30"));
	api_done(&r);
	/* the others keep theirs */
	snprintf(path, sizeof(path), "/api/v1/persons/%s", uid_a);
	api_call(&r, "GET", path, NULL, &cty, 0);
	assert_int_equal(r.status, 200);
	if (strcmp(uid_a, uid_checked) != 0)
		assert_non_null(strstr(buf_str(&r.body),
		    "\"marital_status\":20"));
	api_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_scope),
		cmocka_unit_test(test_assign_and_check),
		cmocka_unit_test(test_correction_and_precision),
	};

	return cmocka_run_group_tests_name("api-supervise", tests,
	    group_setup, api_group_teardown);
}

/*
 * test_api_security.c - what a hostile tester found, over real HTTP:
 * ID and phone numbers sent by a client never reach the server's log nor
 * come back in error messages; the lockout answers an unknown login as
 * it answers a known one; failures from one address never lock the
 * owner out; JSON bodies only as application/json; a department reads an
 * item only once it is routed to it, by an id that cannot be walked; the
 * static file handler serves only the web app's own files; request ids
 * differ across restarts.
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
#include <unistd.h>

#include "store/store.h"
#include "auth/users.h"
#include "testutil.h"
#include "apiclient.h"

#define YEAR	2024
#define ID_A	"510104194512277396"	/* an ID number a client types */
#define MOBILE	"13912345678"

static char uid_a[40];

static const struct api_user users[] = {
	{ "vil1", "village", "510104017001", NULL },
	{ "town1", "township", "510104017", NULL },
	{ "civil1", "department", "510104", "civil" },
	{ "owner1", "village", "510104017001", NULL },
	{ "known1", "village", "510104017001", NULL },
};

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
	tu_valid_person(r, 21);
	tu_set(r, "hukou_region", "510104017001");
	tu_set(r, "residence_region", "510104017001");
	tu_set(r, "ss_care_subsidy", "是");	/* SUB_CARE, civil */
	assert_int_equal(store_survey_put(s, r, &put, &res, &err), 0);
	snprintf(uid_a, sizeof(uid_a), "%s", res.uid);
	record_free(r);
	api_store_done(s, users, API_NELEMS(users));
}

static int
group_setup(void **state)
{
	(void)state;
	api_group_begin("security.db");
	populate();
	api_start_server();
	return 0;
}

/* The server's log so far (caller frees), or NULL. */
static char *
server_log(void)
{
	char path[160], *text = NULL;
	size_t len = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/server.log", api_dir);
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if (getdelim(&text, &len, '\0', fp) < 0) {
		free(text);
		text = NULL;
	}
	fclose(fp);
	return text;
}

/* Waits until the server's log holds needle (the access line is written
 * after the answer left); 1 when it does. */
static int
log_has(const char *needle)
{
	char *log;
	int i, found = 0;

	for (i = 0; i < 100 && !found; i++) {
		log = server_log();
		found = log != NULL && strstr(log, needle) != NULL;
		free(log);
		if (!found)
			usleep(20000);
	}
	return found;
}

static void
login_as(struct resp *r, const char *login, const char *pw)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}",
	    login, pw);
	api_call(r, "POST", "/api/v1/session", body, NULL, 0);
}

/* ---- logs ------------------------------------------------------------ */

static void
test_log_masks_ids(void **state)
{
	struct resp r;
	struct who w;
	char *log;

	(void)state;
	api_login(&w, "vil1");
	api_call(&r, "GET", "/api/v1/persons/" ID_A, NULL, &w, 0);
	assert_int_equal(r.status, 404);
	api_done(&r);
	api_call(&r, "GET", "/api/v1/persons/" ID_A, NULL, NULL, 0);
	assert_int_equal(r.status, 401);
	api_done(&r);
	api_call(&r, "GET", "/api/v1/tel/" MOBILE "/x", NULL, NULL, 0);
	assert_int_equal(r.status, 404);
	api_done(&r);
	api_call(&r, "GET", "/static/" ID_A ".js?q=" MOBILE, NULL, NULL, 0);
	assert_int_equal(r.status, 404);
	api_done(&r);
	/* the access lines are there, masked */
	assert_true(log_has("path=/api/v1/tel/***********/x status=404"));
	assert_true(log_has("path=/api/v1/persons/****************** "
	    "status=404"));
	log = server_log();
	assert_non_null(log);
	assert_null(strstr(log, ID_A));
	assert_null(strstr(log, MOBILE));
	assert_null(strstr(log, "194512277396"));
	free(log);
}

/* ---- error messages ------------------------------------------------- */

static void
assert_no_echo(const struct resp *r)
{
	const char *body = buf_str(&r->body);

	if (strstr(body, ID_A) != NULL || strstr(body, "5101041945") != NULL)
		fail_msg("the answer echoes the ID number: %s", body);
}

static void
test_errors_do_not_echo(void **state)
{
	static const struct {
		const char	*body;
		const char	*code;
		const char	*where;	/* in the message */
	} rows[] = {
		/* an unknown field named by an ID number */
		{ "{\"" ID_A "\":1}", "unknown_field", "field 1" },
		{ "{\"name\":\"x\",\"" ID_A "\":1}", "unknown_field",
		    "field 2" },
		/* jansson would say near '"5101...' */
		{ "{\"id_number\":\"" ID_A "\" x}", "bad_json",
		    "line 1, column" },
		{ "{\"id_number\":\"" ID_A "\",\n\"" ID_A "\"}", "bad_json",
		    "line 2, column" },
		{ "{\"id_number\":\"" ID_A, "bad_json", "line 1" },
		{ "{\"id_number\":1,\"id_number\":\"" ID_A "\"}", "bad_json",
		    "duplicate" },
	};
	char path[160], body[256];
	struct resp r;
	struct who w;
	size_t i;

	(void)state;
	api_login(&w, "vil1");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		api_call(&r, "POST", "/api/v1/persons/search", rows[i].body,
		    &w, 1);
		if (r.status != 400 || api_err_code(&r) == NULL ||
		    strcmp(api_err_code(&r), rows[i].code) != 0 ||
		    strstr(buf_str(&r.body), rows[i].where) == NULL)
			fail_msg("row %zu: %ld %s", i, r.status,
			    buf_str(&r.body));
		assert_no_echo(&r);
		api_done(&r);
	}
	/* a field-shaped name is still named */
	api_call(&r, "POST", "/api/v1/persons/search", "{\"nosuch\":1}", &w,
	    1);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    r.json, "error"), "field")), "nosuch");
	api_done(&r);
	/* a list filter named by an ID number */
	api_call(&r, "GET", "/api/v1/persons?year=2024&" ID_A "=1", NULL, &w,
	    0);
	assert_int_equal(r.status, 400);
	assert_string_equal(api_err_code(&r), "unknown_field");
	assert_no_echo(&r);
	api_done(&r);
	/* a survey's values named by an ID number */
	snprintf(path, sizeof(path), "/api/v1/persons/%s/surveys/%d", uid_a,
	    YEAR);
	snprintf(body, sizeof(body), "{\"version\":1,\"values\":{\"" ID_A
	    "\":\"1\"}}");
	api_call(&r, "PUT", path, body, &w, 1);
	assert_int_equal(r.status, 422);
	assert_string_equal(api_err_code(&r), "unknown_field");
	assert_no_echo(&r);
	api_done(&r);
}

/* ---- login ------------------------------------------------------------ */

/* A known and an unknown login get the same statuses and codes, attempt
 * by attempt: four from one address, then from others (one address may
 * fail only four times on one login). */
static void
test_lockout_same_for_unknown(void **state)
{
	static const char *const from[] = { "127.0.0.2", "127.0.0.2",
	    "127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.4" };
	struct resp k, u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		api_source = from[i];
		login_as(&k, "known1", "wrong-Password-1");
		login_as(&u, "ghost1", "wrong-Password-1");
		if (k.status != u.status || strcmp(api_err_code(&k),
		    api_err_code(&u)) != 0)
			fail_msg("attempt %zu: known %ld %s, unknown %ld %s",
			    i, k.status, buf_str(&k.body), u.status,
			    buf_str(&u.body));
		/* the fifth failure locks, the sixth finds it locked */
		assert_int_equal(k.status, i < 4 ? 401 : 429);
		assert_string_equal(api_err_code(&k), i < 4 ? "bad_login" :
		    "locked");
		api_done(&k);
		api_done(&u);
	}
	/* the right password does not open a locked account */
	login_as(&k, "known1", PASSWORD);
	assert_int_equal(k.status, 429);
	api_done(&k);
	api_source = NULL;
}

/* An attacker's failures from one address stop at four for a login and
 * never lock it: the owner, elsewhere, still logs in. */
static void
test_attacker_cannot_lock_owner(void **state)
{
	struct resp r;
	int i;

	(void)state;
	api_source = "127.0.0.7";
	for (i = 0; i < 10; i++) {
		login_as(&r, "owner1", "wrong-Password-1");
		assert_int_equal(r.status, i < 4 ? 401 : 429);
		assert_string_equal(api_err_code(&r), i < 4 ? "bad_login" :
		    "rate_limited");
		api_done(&r);
	}
	/* even the right password is refused to that address for now */
	login_as(&r, "owner1", PASSWORD);
	assert_int_equal(r.status, 429);
	assert_string_equal(api_err_code(&r), "rate_limited");
	api_done(&r);
	api_source = "127.0.0.8";
	login_as(&r, "owner1", PASSWORD);
	assert_int_equal(r.status, 200);
	api_done(&r);
	api_source = NULL;
}

/* One address failing on many logins is stopped after 30. */
static void
test_client_rate_limit(void **state)
{
	char login[32];
	struct resp r;
	int i;

	(void)state;
	api_source = "127.0.0.9";
	for (i = 0; i < 31; i++) {
		snprintf(login, sizeof(login), "spray%02d", i);
		login_as(&r, login, "wrong-Password-1");
		assert_int_equal(r.status, i < 30 ? 401 : 429);
		api_done(&r);
	}
	/* other addresses are not affected */
	api_source = "127.0.0.10";
	login_as(&r, "spray00", "wrong-Password-1");
	assert_int_equal(r.status, 401);
	api_done(&r);
	api_source = NULL;
}

/* ---- content type ------------------------------------------------------ */

static void
test_json_only(void **state)
{
	static const char *const bad[] = { "text/plain",
	    "application/x-www-form-urlencoded", "multipart/form-data",
	    "text/plain; charset=utf-8", "application/jsonx",
	    "application/json-patch+json" };
	static const char *const good[] = { "application/json",
	    "application/json; charset=utf-8", "Application/JSON" };
	struct resp r;
	struct who w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api_content_type = bad[i];
		login_as(&r, "vil1", PASSWORD);
		if (r.status != 415)
			fail_msg("%s: %ld", bad[i], r.status);
		assert_string_equal(api_err_code(&r), "unsupported_media_type");
		assert_string_equal(r.cookie, "");
		api_done(&r);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		api_content_type = good[i];
		login_as(&r, "vil1", PASSWORD);
		if (r.status != 200)
			fail_msg("%s: %ld", good[i], r.status);
		api_done(&r);
	}
	api_content_type = NULL;
	/* every other JSON body route too */
	api_login(&w, "vil1");
	api_content_type = "text/plain";
	api_call(&r, "POST", "/api/v1/persons/search", "{\"name\":\"x\"}",
	    &w, 1);
	assert_int_equal(r.status, 415);
	api_done(&r);
	api_call(&r, "POST", "/api/v1/rules/check", "{\"expr\":\"1\"}", &w,
	    1);
	assert_int_equal(r.status, 415);
	api_done(&r);
	api_content_type = NULL;
}

/* ---- items ------------------------------------------------------------ */

static json_t *
plan_of(const struct who *w, const char *method, const char *tail,
    const char *body)
{
	char path[160];
	struct resp r;
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/persons/%s/plans/%d%s", uid_a,
	    YEAR, tail);
	api_call(&r, method, path, body, w, 1);
	if (r.status != 200)
		fail_msg("%s %s: %ld %s", method, path, r.status,
		    buf_str(&r.body));
	j = json_incref(r.json);
	api_done(&r);
	return j;
}

static long
get_item(const struct who *w, const char *id)
{
	char path[160];
	struct resp r;
	long st;

	snprintf(path, sizeof(path), "/api/v1/items/%s", id);
	api_call(&r, "GET", path, NULL, w, 0);
	st = r.status;
	api_done(&r);
	return st;
}

static void
test_department_sees_routed_items_only(void **state)
{
	struct who vil, town, civ;
	json_t *plan, *it, *care = NULL;
	char id[80], path[160], body[128];
	struct resp r;
	size_t i;

	(void)state;
	api_login(&vil, "vil1");
	api_login(&town, "town1");
	api_login(&civ, "civil1");
	json_decref(plan_of(&vil, "POST", "/build", "{}"));
	plan = plan_of(&vil, "GET", "", NULL);
	json_array_foreach(json_object_get(plan, "items"), i, it)
		if (strcmp(json_string_value(json_object_get(json_object_get(
		    it, "policy"), "code")), "SUB_CARE") == 0)
			care = it;
	assert_non_null(care);
	/* the id is opaque: not a number, and not the row's number */
	assert_true(json_is_string(json_object_get(care, "id")));
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(care,
	    "id")));
	assert_true(strlen(id) >= 16);
	assert_true(strspn(id, "0123456789") < 4);
	/* a draft: the worker reads it, the department does not */
	assert_int_equal(get_item(&vil, id), 200);
	assert_int_equal(get_item(&civ, id), 404);
	/* walking integer ids finds nothing */
	for (i = 1; i < 40; i++) {
		snprintf(path, sizeof(path), "%zu", i);
		assert_int_equal(get_item(&civ, path), 404);
		assert_int_equal(get_item(&vil, path), 404);
	}
	/* a changed character is another (missing) item */
	snprintf(path, sizeof(path), "%s", id);
	path[0] = path[0] == 'a' ? 'b' : 'a';
	assert_int_equal(get_item(&vil, path), 404);
	/* accept every proposal, still a draft: still not the department's */
	json_array_foreach(json_object_get(plan, "items"), i, it) {
		snprintf(path, sizeof(path), "/api/v1/items/%s",
		    json_string_value(json_object_get(it, "id")));
		snprintf(body, sizeof(body), "{\"version\":%lld,"
		    "\"decision\":1}", (long long)json_integer_value(
		    json_object_get(it, "version")));
		api_call(&r, "PATCH", path, body, &vil, 1);
		assert_int_equal(r.status, 200);
		api_done(&r);
	}
	json_decref(plan);
	assert_int_equal(get_item(&civ, id), 404);
	/* confirmed: routed to the department */
	plan = plan_of(&vil, "GET", "", NULL);
	snprintf(body, sizeof(body), "{\"version\":%lld}", (long long)
	    json_integer_value(json_object_get(json_object_get(plan, "plan"),
	    "version")));
	json_decref(plan);
	json_decref(plan_of(&town, "POST", "/confirm", body));
	assert_int_equal(get_item(&civ, id), 200);
	/* the inbox hands out the same opaque id */
	api_call(&r, "GET", "/api/v1/inbox?year=2024", NULL, &civ, 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(buf_str(&r.body), id));
	api_done(&r);
}

/* ---- static files ------------------------------------------------------ */

static void
test_static_files(void **state)
{
	static const struct {
		const char	*path;
		long		 status;
	} rows[] = {
		{ "/", 200 },
		{ "/index.html", 200 },
		{ "/app/main.js", 200 },
		{ "/app/screens/login.js", 200 },
		{ "/sw.js", 200 },
		{ "/style.css", 200 },
		{ "/manifest.webmanifest", 200 },
		{ "/package.json", 404 },
		{ "/package-lock.json", 404 },
		{ "/node_modules/.package-lock.json", 404 },
		{ "/node_modules/preact/package.json", 404 },
		{ "/node_modules/preact/dist/preact.mjs", 404 },
		{ "/index.html%00.js", 404 },
		{ "/index.html%00", 404 },
		{ "/app/main.js%00.css", 404 },
		{ "/%2e%2e/README.md", 404 },
		{ "/app/%2e%2e/package.json", 404 },
		{ "/.gitignore", 404 },
		{ "/app/.hidden.js", 404 },
		{ "/index", 404 },
		{ "/tests/e2e/harness.mjs", 404 },
	};
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		api_call(&r, "GET", rows[i].path, NULL, NULL, 0);
		if (r.status != rows[i].status)
			fail_msg("%s: %ld, want %ld", rows[i].path, r.status,
			    rows[i].status);
		api_done(&r);
	}
}

/* ---- long queries ------------------------------------------------------ */

/* A query of n parameters: "?lang=zh&k=1..." (or "?&&&..." when empty). */
static void
query_call(struct resp *r, int n, int empty)
{
	struct buf b;
	int i;

	buf_init(&b, 1 << 20);
	buf_adds(&b, "/api/v1/catalog?lang=zh");
	for (i = 1; i < n; i++)
		buf_adds(&b, empty ? "&" : "&k=1");
	api_call(r, "GET", buf_str(&b), NULL, NULL, 0);
	buf_free(&b);
}

/*
 * Many query parameters once made libmicrohttpd run out of its
 * connection's memory while it stored them: it sent nothing and held the
 * connection until the idle timeout (the client saw an empty reply after
 * 30 s). Now such a query gets 414 at once, and a query of up to 32
 * parameters is served as before.
 */
static void
test_long_query(void **state)
{
	static const struct {
		int	 n, empty;
		long	 status;
	} rows[] = {
		{ 32, 0, 200 }, { 33, 0, 414 }, { 300, 1, 414 },
		{ 600, 0, 414 }, { 1500, 1, 414 },
	};
	struct resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		query_call(&r, rows[i].n, rows[i].empty);
		if (r.status != rows[i].status)
			fail_msg("%d parameters: %ld, want %ld", rows[i].n,
			    r.status, rows[i].status);
		if (r.status == 414)
			assert_string_equal(api_err_code(&r), "query_too_long");
		api_done(&r);
	}
	/* a URI over 4 KiB in one parameter */
	{
		struct buf b;

		buf_init(&b, 1 << 20);
		buf_adds(&b, "/api/v1/catalog?lang=zh&q=");
		for (i = 0; i < 5000; i++)
			buf_adds(&b, "a");
		api_call(&r, "GET", buf_str(&b), NULL, NULL, 0);
		buf_free(&b);
		assert_int_equal(r.status, 414);
		api_done(&r);
	}
}

/* ---- request ids -------------------------------------------------------- */

static void
first_ids(char ids[][64], int n)
{
	struct resp r;
	int i;

	for (i = 0; i < n; i++) {
		api_call(&r, "GET", "/api/v1/catalog", NULL, NULL, 0);
		assert_int_equal(r.status, 200);
		assert_true(strlen(r.request_id) >= 12);
		snprintf(ids[i], 64, "%s", r.request_id);
		api_done(&r);
	}
}

static void
test_request_ids_unique_across_restarts(void **state)
{
	char before[3][64], after[3][64];
	int i, j;

	(void)state;
	assert_int_equal(api_stop_server(), 0);
	api_start_server();
	first_ids(before, 3);
	assert_int_equal(api_stop_server(), 0);
	api_start_server();
	first_ids(after, 3);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			assert_string_not_equal(before[i], after[j]);
			if (i != j)
				assert_string_not_equal(before[i], before[j]);
		}
	/* not by luck: a process's ids share a random prefix (8 letters)
	 * and count after it, and each run draws a new prefix, so the first
	 * request of two runs differs there (a counter alone starts again
	 * at the same value) */
	assert_memory_equal(before[0], before[2], 8);
	assert_memory_not_equal(before[0], after[0], 8);
	for (i = 0; i < 8; i++)
		assert_true(before[0][i] >= 'a' && before[0][i] <= 'z');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_masks_ids),
		cmocka_unit_test(test_errors_do_not_echo),
		cmocka_unit_test(test_lockout_same_for_unknown),
		cmocka_unit_test(test_attacker_cannot_lock_owner),
		cmocka_unit_test(test_client_rate_limit),
		cmocka_unit_test(test_json_only),
		cmocka_unit_test(test_department_sees_routed_items_only),
		cmocka_unit_test(test_static_files),
		cmocka_unit_test(test_long_query),
		cmocka_unit_test(test_request_ids_unique_across_restarts),
	};

	return cmocka_run_group_tests(tests, group_setup, api_group_teardown);
}

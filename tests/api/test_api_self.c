/*
 * test_api_self.c - feedback and self-service (开放量服) over real HTTP:
 * a worker issues a code for one person; with it and the last six of the
 * ID number that person, and only that person, is reachable (the other
 * person's items answer 404, the worker routes refuse the self-service
 * cookie), until the code expires or is revoked; wrong guesses lock the
 * code, and too many from one address are refused; errors never echo
 * what was typed; every use is audited as "self-service via code #id";
 * ratings by the worker and by the person are kept with their history
 * and counted in GET /api/v1/stats.
 *
 * Each test calls from its own loopback source address (127.0.0.N), so
 * the per-address limit of one test does not touch the others.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/policy.h"
#include "core/selfcode.h"
#include "plan/plan.h"
#include "store/plan.h"
#include "auth/selfcode.h"
#include "store/store.h"
#include "auth/users.h"
#include "testutil.h"
#include "apiclient.h"

#define YEAR	2024

/* a, b in 510104017001 (b: same village, for id walking), c elsewhere */
static char uid_a[40], uid_b[40];
static int64_t pid_a, item_a, item_a_open, item_b;
/* the items as the API names them: opaque references (store/plan.h);
 * ref_walk is a made-up item's, the next row ids on from item_b's */
static char ref_a[PLAN_REF_LEN + 1], ref_a_open[PLAN_REF_LEN + 1],
    ref_b[PLAN_REF_LEN + 1], ref_walk[PLAN_REF_LEN + 1];
static char last6_a[7], last6_b[7];

static const struct api_user users[] = {
	{ "vil1", "village", "510104017001", NULL },
	{ "vil2", "village", "510104017002", NULL },
	{ "town1", "township", "510104017", NULL },
	{ "cty1", "county", "510104", NULL },
};

/* ---- fixture ------------------------------------------------------- */

static int64_t
add_item(struct store *s, const struct policies *ps, int64_t pid)
{
	struct plan_item_change c;
	struct plan_item it;
	struct lf_error err;

	memset(&c, 0, sizeof(c));
	c.set = PI_DEPT | PI_MONTH | PI_FUNDS | PI_MEASURES;
	c.dept = "cdpf";
	c.planned_month = "2024-03";
	c.funds_planned = 20000;
	c.measures = "康复训练每周两次";
	if (plan_item_add(s, ps, pid, YEAR, "", "rehab_training", &c, NULL,
	    "vil1", &it, &err) != 0)
		fail_msg("item: %s", err.message);
	return it.id;
}

/* A person with a confirmed plan: one delivered item, one open. */
static int64_t
person(struct store *s, const struct policies *ps, int seq, char *uid,
    char *last6, int64_t *done, int64_t *open)
{
	struct store_put put = { YEAR, 0, "test", 0, 0 };
	struct store_put_result res;
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	struct plan p;
	const char *id = tu_id(seq);

	tu_valid_person(r, seq);
	put.today = tu_days("2026-11-29");
	if (store_survey_put(s, r, &put, &res, &err) != 0)
		fail_msg("put: %s", err.message);
	record_free(r);
	snprintf(uid, 40, "%s", res.uid);
	snprintf(last6, 7, "%s", id + strlen(id) - 6);
	*done = add_item(s, ps, res.person_id);
	*open = add_item(s, ps, res.person_id);
	if (plan_get(s, res.person_id, YEAR, &p, &err) != 0 ||
	    plan_confirm(s, p.id, 0, "town1", &p, &err) != 0 ||
	    plan_delivery_add(s, *done, "2024-04-01", 20000, "已上门", NULL,
	    "cdpf1", NULL, NULL, &err) != 0)
		fail_msg("plan: %s", err.message);
	return res.person_id;
}

static void
populate(void)
{
	struct policies *ps;
	struct lf_error err;
	struct store *s;
	int64_t unused;

	s = api_store_new();	/* either backend (apiclient.h) */
	if (policies_load_embedded(tu_catalog(), &ps, &err) != 0)
		fail_msg("%s", err.message);
	pid_a = person(s, ps, 21, uid_a, last6_a, &item_a, &item_a_open);
	person(s, ps, 22, uid_b, last6_b, &item_b, &unused);
	if (plan_item_ref(s, item_a, ref_a, &err) != 0 ||
	    plan_item_ref(s, item_a_open, ref_a_open, &err) != 0 ||
	    plan_item_ref(s, item_b, ref_b, &err) != 0 ||
	    plan_item_ref(s, item_b + 1000, ref_walk, &err) != 0)
		fail_msg("ref: %s", err.message);
	policies_free(ps);
	api_store_done(s, users, API_NELEMS(users));
}

static int
group_setup(void **state)
{
	(void)state;
	api_group_begin("self.db");
	populate();
	api_start_server();
	return 0;
}

/* ---- the self-service client ---------------------------------------- */

struct self {
	char	 token[160];	/* lf_self cookie */
	char	 csrf[160];
	char	 src[16];	/* loopback source address */
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	buf_add(&((struct resp *)arg)->body, p, size * n);
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct resp *r = arg;
	const char *key = "Set-Cookie: lf_self=";
	size_t len = size * n, k = strlen(key), v;

	if (len > k && strncasecmp(p, key, k) == 0) {
		v = strcspn(p + k, ";\r\n");
		snprintf(r->cookie, sizeof(r->cookie), "%.*s", (int)v, p + k);
	}
	return len;
}

/* A request from me->src with the self-service cookie and CSRF header
 * (when set); cookie_name picks the cookie the token is sent in. */
static void
self_call(struct resp *r, const char *method, const char *path,
    const char *body, const struct self *me, const char *cookie_name)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[512], cookie[200], csrf[200], src[32];
	json_error_t je;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 1 << 24);
	snprintf(url, sizeof(url), "%s%s", api_base, path);
	snprintf(src, sizeof(src), "host!%s", me->src);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_INTERFACE, src);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		h = curl_slist_append(h, "Content-Type: application/json");
	}
	if (me->token[0] != '\0') {
		snprintf(cookie, sizeof(cookie), "%s=%s", cookie_name ?
		    cookie_name : "lf_self", me->token);
		curl_easy_setopt(c, CURLOPT_COOKIE, cookie);
	}
	if (me->csrf[0] != '\0') {
		snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", me->csrf);
		h = curl_slist_append(h, csrf);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	r->json = json_loads(buf_str(&r->body), 0, &je);
}

/* Redeems code with last6 from me->src; the status, and on 200 me holds
 * the session. The answer never echoes the code or the digits. */
static long
open_self(struct self *me, const char *code, const char *last6)
{
	char body[256];
	struct resp r;
	long st;

	me->token[0] = me->csrf[0] = '\0';
	snprintf(body, sizeof(body), "{\"code\":\"%s\",\"last6\":\"%s\"}", code,
	    last6);
	self_call(&r, "POST", "/api/v1/self/session", body, me, NULL);
	st = r.status;
	if (st == 200) {
		snprintf(me->token, sizeof(me->token), "%s", r.cookie);
		snprintf(me->csrf, sizeof(me->csrf), "%s", json_string_value(
		    json_object_get(r.json, "csrf")));
		assert_int_equal(strlen(me->token), SELF_TOKEN_HEX);
	} else {
		assert_null(strstr(buf_str(&r.body), code));
		assert_null(strstr(buf_str(&r.body), last6));
		assert_non_null(api_err_code(&r));
	}
	api_done(&r);
	return st;
}

/* A worker issues a code for uid: its display form into code, its id. */
static int64_t
issue(const struct who *w, const char *uid, char *code, long want)
{
	char path[160];
	struct resp r;
	int64_t id = 0;

	snprintf(path, sizeof(path), "/api/v1/persons/%s/self-codes", uid);
	api_call(&r, "POST", path, "{}", w, 1);
	if (r.status != want)
		fail_msg("issue: %ld %s", r.status, buf_str(&r.body));
	if (want == 201) {
		const char *c = json_string_value(json_object_get(r.json,
		    "code"));

		assert_non_null(c);
		assert_int_equal(strlen(c), SELFCODE_DISPLAY_LEN);
		assert_int_equal(c[5], '-');
		assert_null(strpbrk(c, "0O1I"));
		snprintf(code, 16, "%s", c);
		id = json_integer_value(json_object_get(r.json, "id"));
		/* the SMS text and the slip carry it, in Chinese */
		assert_non_null(strstr(json_string_value(json_object_get(
		    r.json, "sms")), c));
		assert_non_null(strstr(json_string_value(json_object_get(
		    r.json, "sms")), "身份证号后六位"));
		assert_int_equal(json_array_size(json_object_get(r.json,
		    "slip")), 4);
		assert_string_equal(json_string_value(json_object_get(r.json,
		    "state")), "ok");
	}
	api_done(&r);
	return id;
}

/* The first column of sql's first row, with one text parameter. */
static int64_t
sql_int(const char *sql, const char *arg)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(api_db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Neither the audit log nor the server's log holds text s. */
static void
nowhere(const char *s)
{
	char log[160], *text = NULL, pat[64];
	size_t n = 0;
	FILE *fp;

	snprintf(pat, sizeof(pat), "%%%s%%", s);
	assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE actor LIKE "
	    "?1 OR target LIKE ?1 OR detail LIKE ?1", pat), 0);
	snprintf(log, sizeof(log), "%s/server.log", api_dir);
	if ((fp = fopen(log, "r")) != NULL) {
		text = calloc(1, 1 << 22);
		n = fread(text, 1, (1 << 22) - 1, fp);
		fclose(fp);
		text[n] = '\0';
		assert_null(strstr(text, s));
		free(text);
	}
}

static int
has_item(json_t *page, const char *ref)
{
	json_t *y, *it;
	size_t i, j;

	json_array_foreach(json_object_get(page, "years"), i, y)
		json_array_foreach(json_object_get(y, "items"), j, it)
			if (strcmp(json_string_value(json_object_get(it,
			    "id")) ? json_string_value(json_object_get(it,
			    "id")) : "", ref) == 0)
				return 1;
	return 0;
}

static long
rate_self(const struct self *me, const char *item, const char *rating)
{
	char body[200];
	struct resp r;
	long st;

	if (item != NULL)
		snprintf(body, sizeof(body), "{\"year\":%d,\"item\":\"%s\","
		    "\"rating\":\"%s\",\"note\":\"很好\"}", YEAR,
		    item, rating);
	else
		snprintf(body, sizeof(body), "{\"year\":%d,\"item\":null,"
		    "\"rating\":\"%s\"}", YEAR, rating);
	self_call(&r, "POST", "/api/v1/self/feedback", body, me, NULL);
	st = r.status;
	api_done(&r);
	return st;
}

/* ---- tests --------------------------------------------------------- */

static void
test_issue_scope(void **state)
{
	struct who vil1, vil2, cty1;
	char code[16], path[160];
	struct resp r;
	int64_t id;

	(void)state;
	api_login(&vil1, "vil1");
	api_login(&vil2, "vil2");
	api_login(&cty1, "cty1");
	id = issue(&vil1, uid_a, code, 201);
	assert_true(id > 0);
	/* outside the village, or a role that does not issue: 404 */
	issue(&vil2, uid_a, code, 404);
	issue(&cty1, uid_a, code, 404);
	/* without CSRF: refused */
	snprintf(path, sizeof(path), "/api/v1/persons/%s/self-codes", uid_a);
	api_call(&r, "POST", path, "{}", &vil1, 0);
	assert_int_equal(r.status, 403);
	api_done(&r);
	/* the list shows the code's state, never the code */
	api_call(&r, "GET", path, NULL, &vil1, 0);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "codes")) >= 1);
	assert_null(strstr(buf_str(&r.body), "\"code\""));
	api_done(&r);
	/* bad validity */
	api_call(&r, "POST", path, "{\"valid_days\":31}", &vil1, 1);
	assert_int_equal(r.status, 400);
	api_done(&r);
	/* kept as a keyed hash only; never logged or audited */
	nowhere(code);
	assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE action = "
	    "'selfcode.issue' AND result = 'ok'", NULL), 1);
}

static void
test_one_person_only(void **state)
{
	struct self me = { "", "", "127.0.0.2" }, stolen;
	struct who vil1;
	char code[16], path[200], actor[64];
	struct resp r;
	int64_t id;

	(void)state;
	api_login(&vil1, "vil1");
	id = issue(&vil1, uid_a, code, 201);
	assert_int_equal(open_self(&me, code, last6_a), 200);
	self_call(&r, "GET", "/api/v1/self", NULL, &me, NULL);
	assert_int_equal(r.status, 200);
	assert_true(has_item(r.json, ref_a));
	assert_false(has_item(r.json, ref_b));
	/* the page holds no ID number and no worker internals */
	assert_null(strstr(buf_str(&r.body), tu_id(21)));
	assert_null(strstr(buf_str(&r.body), "updated_by"));
	api_done(&r);
	/* id walking: another person's item answers 404, nothing written */
	assert_int_equal(rate_self(&me, ref_b, "satisfied"), 404);
	assert_int_equal(rate_self(&me, ref_walk, "satisfied"), 404);
	snprintf(path, sizeof(path), "%lld", (long long)item_b);
	assert_int_equal(sql_int("SELECT count(*) FROM feedback WHERE "
	    "item_id = ?", path), 0);
	/* not delivered yet: 409; delivered: 201; the plan: 201 */
	assert_int_equal(rate_self(&me, ref_a_open, "satisfied"), 409);
	assert_int_equal(rate_self(&me, ref_a, "basic"), 201);
	assert_int_equal(rate_self(&me, NULL, "satisfied"), 201);
	/* without the CSRF header: refused */
	stolen = me;
	stolen.csrf[0] = '\0';
	assert_int_equal(rate_self(&stolen, ref_a, "satisfied"), 403);
	/* the self cookie opens none of the worker routes ... */
	snprintf(path, sizeof(path), "/api/v1/persons/%s", uid_b);
	self_call(&r, "GET", path, NULL, &stolen, NULL);
	assert_int_equal(r.status, 401);
	api_done(&r);
	/* ... not even when sent under the worker's cookie name */
	self_call(&r, "GET", path, NULL, &stolen, "lf_session");
	assert_int_equal(r.status, 401);
	api_done(&r);
	snprintf(path, sizeof(path), "/api/v1/items/%s", ref_b);
	self_call(&r, "GET", path, NULL, &stolen, "lf_session");
	assert_int_equal(r.status, 401);
	api_done(&r);
	/* and the worker's session opens no self-service route */
	snprintf(stolen.token, sizeof(stolen.token), "%s", vil1.token);
	self_call(&r, "GET", "/api/v1/self", NULL, &stolen, NULL);
	assert_int_equal(r.status, 401);
	api_done(&r);
	/* every use audited as the code, never with the code or digits */
	snprintf(actor, sizeof(actor), "self-service via code #%lld",
	    (long long)id);
	assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE actor = ? "
	    "AND action = 'self.login' AND result = 'ok'", actor), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE actor = ? "
	    "AND action = 'self.read'", actor), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE actor = ? "
	    "AND action = 'feedback.add' AND result = 'ok'", actor), 2);
	assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE actor = ? "
	    "AND action = 'feedback.add' AND result = 'not_found'", actor), 2);
	nowhere(code);
	nowhere(last6_a);
	/* logout ends the session */
	self_call(&r, "DELETE", "/api/v1/self/session", NULL, &me, NULL);
	assert_int_equal(r.status, 200);
	api_done(&r);
	self_call(&r, "GET", "/api/v1/self", NULL, &me, NULL);
	assert_int_equal(r.status, 401);
	api_done(&r);
}

static void
test_wrong_guesses_lock(void **state)
{
	struct self me = { "", "", "127.0.0.3" };
	struct who vil1;
	char code[16], wrong[7];
	int i;

	(void)state;
	api_login(&vil1, "vil1");
	issue(&vil1, uid_a, code, 201);
	/* the other person's last six are wrong for this code */
	assert_int_equal(open_self(&me, code, last6_b), 401);
	memcpy(wrong, last6_a, sizeof(wrong));
	wrong[0] = wrong[0] == '9' ? '0' : (char)(wrong[0] + 1);
	for (i = 2; i < SELFCODE_MAX_FAILURES; i++)
		assert_int_equal(open_self(&me, code, wrong), 401);
	/* the Nth locks it; the right digits are then refused too */
	assert_int_equal(open_self(&me, code, wrong), 423);
	me.src[8] = '4';	/* 127.0.0.4: not the address's limit */
	assert_int_equal(open_self(&me, code, last6_a), 423);
	/* malformed and unknown codes: 401, echoing nothing */
	assert_int_equal(open_self(&me, "ZZZZZ-ZZZZZ", last6_a), 401);
	assert_int_equal(open_self(&me, "<b>O0I1</b>", "12345Q"), 401);
	nowhere(wrong);
}

static void
test_address_limit(void **state)
{
	struct self me = { "", "", "127.0.0.5" };
	struct who vil1;
	char code[16];
	int i;

	(void)state;
	api_login(&vil1, "vil1");
	issue(&vil1, uid_a, code, 201);
	for (i = 0; i < SELF_CLIENT_MAX_FAILURES; i++)
		assert_int_equal(open_self(&me, "22222-22222", "000000"), 401);
	/* this address is now refused, even with the right input */
	assert_int_equal(open_self(&me, code, last6_a), 429);
	me.src[8] = '6';
	assert_int_equal(open_self(&me, code, last6_a), 200);
}

static void
test_revoke(void **state)
{
	struct self me = { "", "", "127.0.0.7" };
	struct who vil1, vil2;
	char code[16], path[120];
	struct resp r;
	int64_t id;

	(void)state;
	api_login(&vil1, "vil1");
	api_login(&vil2, "vil2");
	id = issue(&vil1, uid_a, code, 201);
	assert_int_equal(open_self(&me, code, last6_a), 200);
	snprintf(path, sizeof(path), "/api/v1/self-codes/%lld/revoke",
	    (long long)id);
	/* outside the scope: as if missing */
	api_call(&r, "POST", path, NULL, &vil2, 1);
	assert_int_equal(r.status, 404);
	api_done(&r);
	api_call(&r, "POST", path, NULL, &vil1, 1);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json,
	    "state")), "revoked");
	api_done(&r);
	/* its open session ends; the code opens nothing */
	self_call(&r, "GET", "/api/v1/self", NULL, &me, NULL);
	assert_int_equal(r.status, 401);
	api_done(&r);
	assert_int_equal(open_self(&me, code, last6_a), 410);
}

static void
test_expiry(void **state)
{
	struct self me = { "", "", "127.0.0.8" };
	char code[SELFCODE_LEN + 1];
	struct selfcode c;
	struct lf_error err;
	struct resp r;
	struct store *s;

	(void)state;
	/* a code valid for 2 seconds, issued beside the running server */
	if (store_open(api_db, tu_catalog(), tu_regions(), &s, &err) != 0 ||
	    selfcode_issue(s, pid_a, "vil1", (int64_t)time(NULL), 2, code, &c,
	    &err) != 0)
		fail_msg("%s", err.message);
	store_close(s);
	assert_int_equal(open_self(&me, code, last6_a), 200);
	self_call(&r, "GET", "/api/v1/self", NULL, &me, NULL);
	assert_int_equal(r.status, 200);
	api_done(&r);
	sleep(3);
	/* the session ended with the code, and the code opens nothing */
	self_call(&r, "GET", "/api/v1/self", NULL, &me, NULL);
	assert_int_equal(r.status, 401);
	api_done(&r);
	assert_int_equal(open_self(&me, code, last6_a), 410);
}

static void
test_worker_feedback_and_stats(void **state)
{
	struct who vil1, cty1, town1;
	char path[200], body[200];
	struct resp r;
	json_t *sat, *fb, *f;
	size_t i, worker = 0, self = 0, latest = 0;

	(void)state;
	api_login(&vil1, "vil1");
	api_login(&cty1, "cty1");
	api_login(&town1, "town1");
	snprintf(path, sizeof(path), "/api/v1/persons/%s/plans/%d/feedback",
	    uid_b, YEAR);
	snprintf(body, sizeof(body), "{\"item\":\"%s\",\"rating\":\"不满意\","
	    "\"note\":\"还没有上门\"}", ref_b);
	/* a county officer does not record ratings */
	api_call(&r, "POST", path, body, &cty1, 1);
	assert_int_equal(r.status, 404);
	api_done(&r);
	api_call(&r, "POST", path, body, &vil1, 1);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_string_value(json_object_get(r.json, "by")),
	    "worker");
	assert_string_equal(json_string_value(json_object_get(r.json,
	    "actor")), "vil1");
	api_done(&r);
	/* a second rating supersedes the first; both are kept */
	snprintf(body, sizeof(body), "{\"item\":\"%s\","
	    "\"rating\":\"satisfied\"}", ref_b);
	api_call(&r, "POST", path, body, &town1, 1);
	assert_int_equal(r.status, 201);
	api_done(&r);
	api_call(&r, "POST", path, "{\"rating\":\"great\"}", &vil1, 1);
	assert_int_equal(r.status, 400);
	api_done(&r);
	api_call(&r, "GET", path, NULL, &cty1, 0);
	assert_int_equal(r.status, 200);
	fb = json_object_get(r.json, "feedback");
	assert_int_equal(json_array_size(fb), 2);
	json_array_foreach(fb, i, f) {
		worker += strcmp(json_string_value(json_object_get(f, "by")),
		    "worker") == 0;
		latest += json_is_null(json_object_get(f, "superseded_by"));
	}
	assert_int_equal(worker, 2);
	assert_int_equal(latest, 1);
	api_done(&r);
	/* person a's ratings came from the self-service test */
	snprintf(path, sizeof(path), "/api/v1/persons/%s/plans/%d/feedback",
	    uid_a, YEAR);
	api_call(&r, "GET", path, NULL, &vil1, 0);
	json_array_foreach(json_object_get(r.json, "feedback"), i, f)
		self += strcmp(json_string_value(json_object_get(f, "by")),
		    "self") == 0;
	assert_int_equal(self, 2);
	api_done(&r);
	/* stats: a: item basic + plan satisfied; b: item satisfied (the
	 * unsatisfied one superseded): 3 rated, all count, 100% */
	snprintf(path, sizeof(path), "/api/v1/stats?year=%d&region=510104017",
	    YEAR);
	for (i = 0; i < 100; i++) {
		api_call(&r, "GET", path, NULL, &cty1, 0);
		if (r.status != 503)
			break;
		api_done(&r);
		usleep(100000);
	}
	assert_int_equal(r.status, 200);
	sat = json_object_get(r.json, "satisfaction");
	assert_non_null(sat);
	assert_int_equal(json_integer_value(json_object_get(sat, "target_bp")),
	    9000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_object_get(r.json, "kpi"), "targets"), "satisfaction_bp")),
	    9000);
	f = json_object_get(sat, "region");
	assert_int_equal(json_integer_value(json_object_get(f, "rated")), 3);
	assert_int_equal(json_integer_value(json_object_get(f, "satisfied")),
	    2);
	assert_int_equal(json_integer_value(json_object_get(f, "basic")), 1);
	assert_int_equal(json_integer_value(json_object_get(f, "plans")), 1);
	assert_int_equal(json_integer_value(json_object_get(f, "rate_bp")),
	    10000);
	f = json_object_get(json_object_get(sat, "children"), "510104017001");
	assert_int_equal(json_integer_value(json_object_get(f, "rated")), 3);
	api_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_scope),
		cmocka_unit_test(test_one_person_only),
		cmocka_unit_test(test_wrong_guesses_lock),
		cmocka_unit_test(test_address_limit),
		cmocka_unit_test(test_revoke),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_worker_feedback_and_stats),
	};

	return cmocka_run_group_tests(tests, group_setup, api_group_teardown);
}

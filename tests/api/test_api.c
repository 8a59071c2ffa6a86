/*
 * test_api.c - the HTTP API over real HTTP: a server on an ephemeral port
 * (the sanitizer build of liangfu), driven with libcurl.
 *
 * Covers: login, logout, lockout, CSRF; every role x in-scope /
 * out-of-scope x read / write on persons and the audit log, with the
 * audit record of each refusal; malformed bodies of every kind; the
 * concurrent update answered 409 with both versions; reveal audited and
 * lists that never show a full ID number; a clean shutdown on SIGTERM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "server/session_cache.h"
#include "lib/buf.h"
#include "store/audit.h"
#include "store/dbq.h"
#include "store/store.h"
#include "auth/users.h"
#include "testutil.h"
#include "apiclient.h"

static char uid_a[40], uid_b[40];	/* in 510104 and in 510105 */

static const struct {
	const char	*login;
	const char	*role;
	const char	*region;
	const char	*dept;
	int		 read_a, read_b, write_a, audit;
} users[] = {
	{ "vil1", "village", "510104017001", NULL, 1, 0, 1, 0 },
	{ "town1", "township", "510104017", NULL, 1, 0, 1, 0 },
	{ "cty1", "county", "510104", NULL, 1, 0, 1, 0 },
	{ "city1", "city", "5101", NULL, 1, 1, 1, 0 },
	{ "prov1", "province", "51", NULL, 1, 1, 1, 0 },
	{ "dept1", "department", "510104", "civil", 0, 0, 0, 0 },
	{ "sup1", "supervisor", "510104", NULL, 1, 0, 0, 1 },
	{ "aud1", "auditor", "51", NULL, 0, 0, 0, 1 },
	{ "adm1", "admin", "51", NULL, 0, 0, 0, 0 },
	{ "adm2", "admin", "510104", NULL, 0, 0, 0, 0 },
};
#define NUSERS (sizeof(users) / sizeof(users[0]))

static void
populate(void)
{
	struct store_put put = { 2024, 0, "test", 0, 0 };
	struct store_put_result res;
	struct lf_error err;
	struct store *s;
	struct record *r = record_new(tu_catalog());
	size_t i;

	s = api_store_new();	/* a single write each (store_survey_put) */
	put.today = tu_days("2026-11-29");
	tu_valid_person(r, 5);
	assert_int_equal(store_survey_put(s, r, &put, &res, &err), 0);
	snprintf(uid_a, sizeof(uid_a), "%s", res.uid);
	tu_valid_person(r, 6);
	tu_set(r, "hukou_region", "510105002002");
	assert_int_equal(store_survey_put(s, r, &put, &res, &err), 0);
	snprintf(uid_b, sizeof(uid_b), "%s", res.uid);
	for (i = 0; i < NUSERS; i++) {
		struct user_new u = { users[i].login, users[i].role,
		    users[i].region, users[i].dept, PASSWORD, 0 };

		if (users_add(s, &u, &err) != 0)
			fail_msg("%s: %s", users[i].login, err.message);
	}
	record_free(r);
	store_close(s);
}

static int
group_setup(void **state)
{
	(void)state;
	api_group_begin("api.db");
	populate();
	api_start_server();
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return api_group_end();
}

/* Entries of the audit log for target, read from the database. */
struct tally {
	int	denied;
	int	not_found;
	int	ok;
	char	last_actor[64];
	char	last_action[64];
	char	last_detail[256];
};

static int
on_audit(void *arg, const struct audit_row *a)
{
	struct tally *t = arg;

	t->denied += strcmp(a->result, "denied") == 0;
	t->not_found += strcmp(a->result, "not_found") == 0;
	t->ok += strcmp(a->result, "ok") == 0;
	snprintf(t->last_actor, sizeof(t->last_actor), "%s", a->actor);
	snprintf(t->last_action, sizeof(t->last_action), "%s", a->action);
	snprintf(t->last_detail, sizeof(t->last_detail), "%s", a->detail);
	return 0;
}

static struct tally
audit_of(const char *target, const char *actor)
{
	struct audit_query q;
	struct tally t;
	struct lf_error err;
	struct store *s;

	memset(&q, 0, sizeof(q));
	memset(&t, 0, sizeof(t));
	q.target_type = "person";
	q.target = target;
	q.actor = actor;
	q.limit = 1000;
	assert_int_equal(store_open_any(api_owner_db(), tu_catalog(),
	    tu_regions(), &s, &err), 0);
	assert_int_equal(audit_query(s, &q, on_audit, &t, &err), 0);
	store_close(s);
	return t;
}

static void
test_login(void **state)
{
	struct resp r;
	struct who w;
	int i;

	(void)state;
	api_call(&r, "POST", "/api/v1/session",
	    "{\"login\":\"vil1\",\"password\":\"wrong-Password-1\"}", NULL, 0);
	assert_int_equal(r.status, 401);
	assert_string_equal(api_err_code(&r), "bad_login");
	api_done(&r);
	api_call(&r, "POST", "/api/v1/session",
	    "{\"login\":\"nobody\",\"password\":\"wrong-Password-1\"}", NULL, 0);
	assert_int_equal(r.status, 401);
	assert_string_equal(api_err_code(&r), "bad_login");
	api_done(&r);
	api_login(&w, "vil1");
	api_call(&r, "GET", "/api/v1/session", NULL, &w, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    r.json, "user"), "role")), "village");
	api_done(&r);
	/* logout needs CSRF, then the session is gone */
	api_call(&r, "DELETE", "/api/v1/session", NULL, &w, 0);
	assert_int_equal(r.status, 403);
	assert_string_equal(api_err_code(&r), "csrf");
	api_done(&r);
	api_call(&r, "DELETE", "/api/v1/session", NULL, &w, 1);
	assert_int_equal(r.status, 200);
	api_done(&r);
	api_call(&r, "GET", "/api/v1/session", NULL, &w, 0);
	assert_int_equal(r.status, 401);
	api_done(&r);
	/* lockout after 5 wrong passwords, even with the right one after;
	 * one address may fail 4 times on a login (then it is refused,
	 * 429 rate_limited), so the fifth comes from another address */
	for (i = 0; i < 5; i++) {
		api_source = i < 4 ? NULL : "127.0.0.5";
		api_call(&r, "POST", "/api/v1/session", "{\"login\":\"adm1\","
		    "\"password\":\"wrong-Password-1\"}", NULL, 0);
		/* the fifth failure locks the account at once */
		assert_int_equal(r.status, i < 4 ? 401 : 429);
		api_done(&r);
	}
	api_source = "127.0.0.6";
	api_call(&r, "POST", "/api/v1/session", "{\"login\":\"adm1\",\"password\":\""
	    PASSWORD "\"}", NULL, 0);
	assert_int_equal(r.status, 429);
	assert_string_equal(api_err_code(&r), "locked");
	api_done(&r);
	api_source = NULL;
}

static void
survey_body(char *out, size_t len, int seq, int version, const char *wheel,
    const char *region)
{
	struct record *rec = record_new(tu_catalog());
	json_t *values, *body;
	char *text;

	tu_valid_person(rec, seq);
	tu_set(rec, "aid_wheelchair", wheel);
	if (region)
		tu_set(rec, "hukou_region", region);
	/* json_from_record is the server's; build the JSON the same way a
	 * client would: from text forms of the catalog items */
	values = json_object();
	for (size_t i = 0; i < tu_catalog()->nfields; i++) {
		const struct field *f = &tu_catalog()->fields[i];
		struct buf b;

		if (!rec->set[i])
			continue;
		buf_init(&b, 1024);
		record_format_value(rec, f, &b);
		switch (f->type) {
		case FT_ENUM:
			json_object_set_new(values, f->code, json_integer(
			    rec->num[i]));
			break;
		case FT_BOOL:
			json_object_set_new(values, f->code, json_boolean(
			    rec->num[i]));
			break;
		case FT_MULTI: {
			json_t *a = json_array();

			for (int c = 0; c < 63; c++)
				if ((rec->num[i] >> c) & 1)
					json_array_append_new(a,
					    json_integer(c));
			json_object_set_new(values, f->code, a);
			break;
		}
		default:
			json_object_set_new(values, f->code,
			    json_string(buf_str(&b)));
		}
		buf_free(&b);
	}
	body = json_pack("{s:i,s:o}", "version", version, "values", values);
	text = json_dumps(body, JSON_COMPACT);
	snprintf(out, len, "%s", text);
	free(text);
	json_decref(body);
	record_free(rec);
}

static void
test_matrix(void **state)
{
	static char body[65536];
	char path[160];
	struct resp r;
	struct who w;
	struct tally before, after;
	size_t i;
	int hidden;

	(void)state;
	for (i = 0; i < NUSERS; i++) {
		if (strcmp(users[i].login, "adm1") == 0)
			continue;	/* locked by test_login */
		if (strcmp(users[i].login, "adm2") == 0)
			continue;	/* same role as adm1 */
		api_login(&w, users[i].login);
		/* read in scope */
		snprintf(path, sizeof(path), "/api/v1/persons/%s", uid_a);
		before = audit_of(uid_a, users[i].login);
		api_call(&r, "GET", path, NULL, &w, 0);
		if (r.status != (users[i].read_a ? 200 : 404))
			fail_msg("%s read A: %ld", users[i].login, r.status);
		after = audit_of(uid_a, users[i].login);
		assert_int_equal(after.ok + after.denied,
		    before.ok + before.denied + 1);
		assert_int_equal(after.denied - before.denied,
		    users[i].read_a ? 0 : 1);
		if (users[i].read_a)
			assert_null(strstr(buf_str(&r.body), tu_id(5)));
		api_done(&r);
		/* read out of scope: 404, like a missing person */
		snprintf(path, sizeof(path), "/api/v1/persons/%s", uid_b);
		api_call(&r, "GET", path, NULL, &w, 0);
		if (r.status != (users[i].read_b ? 200 : 404))
			fail_msg("%s read B: %ld", users[i].login, r.status);
		/* audited as denied; on PostgreSQL through the app role,
		 * a person outside the user's region is hidden from the C
		 * check itself by row-level security: audited as not
		 * found */
		if (!users[i].read_b) {
			hidden = api_on_pg() && strncmp(users[i].region,
			    "510105002002", strlen(users[i].region) < 6 ?
			    strlen(users[i].region) : 6) != 0;
			before = audit_of(uid_b, users[i].login);
			if ((hidden ? before.not_found : before.denied) != 1)
				fail_msg("%s read B: audited %d denied, %d not "
				    "found", users[i].login, before.denied,
				    before.not_found);
		}
		api_done(&r);
		/* write in scope */
		snprintf(path, sizeof(path), "/api/v1/persons/%s/surveys/2024",
		    uid_a);
		api_call(&r, "GET", "/api/v1/persons/00000000000000000000000000000000",
		    NULL, &w, 0);
		assert_int_equal(r.status, 404);
		api_done(&r);
		/* audit log by person */
		snprintf(path, sizeof(path), "/api/v1/audit?person=%s", uid_a);
		api_call(&r, "GET", path, NULL, &w, 0);
		if (!api_missing(&r) && r.status != (users[i].audit ? 200 :
		    403))
			fail_msg("%s audit: %ld", users[i].login, r.status);
		api_done(&r);
		/* write: a survey update of A (wheelchair flips) */
		snprintf(path, sizeof(path), "/api/v1/persons/%s/surveys/2024",
		    uid_a);
		survey_body(body, sizeof(body), 5, 0, "否", NULL);
		api_call(&r, "PUT", path, body, &w, 1);
		if (users[i].write_a) {
			/* version 0 means new: the survey exists: 409 */
			assert_int_equal(r.status, 409);
		} else
			assert_int_equal(r.status, 404);
		api_done(&r);
	}
	api_skip_missing();	/* PostgreSQL: the audit route's checks */
}

/* Registers a new person, then the same again (409), then one outside
 * the caller's region (403). */
static void
test_create(void **state)
{
	static char body[65536];
	struct resp r;
	struct who w;
	char *p;

	(void)state;
	api_login(&w, "cty1");
	survey_body(body, sizeof(body), 21, 0, "是", NULL);
	/* {"version":0,"values":...} -> {"year":2024,"values":...} */
	p = strstr(body, "\"version\":0");
	assert_non_null(p);
	memcpy(p, "\"year\":2024", 11);
	api_call(&r, "POST", "/api/v1/persons", body, &w, 1);
	if (r.status != 201)
		fail_msg("create: %ld %s", r.status, buf_str(&r.body));
	assert_int_equal(strlen(json_string_value(json_object_get(r.json,
	    "id"))), 32);
	api_done(&r);
	api_call(&r, "POST", "/api/v1/persons", body, &w, 1);
	assert_int_equal(r.status, 409);
	assert_string_equal(api_err_code(&r), "exists");
	api_done(&r);
	survey_body(body, sizeof(body), 23, 0, "是", "510105002002");
	p = strstr(body, "\"version\":0");
	memcpy(p, "\"year\":2024", 11);
	api_call(&r, "POST", "/api/v1/persons", body, &w, 1);
	assert_int_equal(r.status, 403);
	api_done(&r);
}

/*
 * Reads keep their snapshot between requests (store.h, "Held read
 * snapshots"), but not once their thread is idle: a snapshot held for
 * ever would keep the log from being checkpointed. After a few pages the
 * server has no request left, and a RESTART checkpoint, which waits for
 * every reader of the log, gets through (busy = 0).
 */
static void
test_idle_reader_lets_checkpoint(void **state)
{
	char path[160];
	struct resp r;
	struct who w;
	sqlite3_stmt *st;
	sqlite3 *h;
	int i;

	(void)state;
	if (api_on_pg()) {
		print_message("[  SKIP    ] SQLite's WAL checkpoint: PostgreSQL "
		    "has no such file\n");
		skip();
	}
	api_login(&w, "sup1");
	snprintf(path, sizeof(path), "/api/v1/persons/%s", uid_a);
	for (i = 0; i < 8; i++) {
		api_call(&r, "GET", path, NULL, &w, 0);
		assert_int_equal(r.status, 200);
		api_done(&r);
	}
	assert_int_equal(sqlite3_open(api_db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 2000);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA wal_checkpoint(RESTART)",
	    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static int64_t
person_version(struct who *w, const char *uid)
{
	char path[160];
	struct resp r;
	int64_t v;

	snprintf(path, sizeof(path), "/api/v1/persons/%s", uid);
	api_call(&r, "GET", path, NULL, w, 0);
	assert_int_equal(r.status, 200);
	v = json_integer_value(json_object_get(json_array_get(json_object_get(
	    r.json, "years"), 0), "version"));
	api_done(&r);
	return v;
}

static void
test_update_conflict(void **state)
{
	static char body[65536];
	char path[160];
	struct resp r;
	struct who w;
	int64_t v;

	(void)state;
	api_login(&w, "cty1");
	v = person_version(&w, uid_a);
	snprintf(path, sizeof(path), "/api/v1/persons/%s/surveys/2024", uid_a);
	survey_body(body, sizeof(body), 5, (int)v, "否", NULL);
	api_call(&r, "PUT", path, body, &w, 1);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json,
	    "version")), v + 1);
	api_done(&r);
	/* a second writer still holding version v: 409 with both */
	survey_body(body, sizeof(body), 5, (int)v, "是", NULL);
	api_call(&r, "PUT", path, body, &w, 1);
	assert_int_equal(r.status, 409);
	assert_string_equal(api_err_code(&r), "conflict");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    r.json, "current"), "version")), v + 1);
	assert_non_null(json_object_get(r.json, "yours"));
	api_done(&r);
	/* invalid value: 422 naming the field */
	survey_body(body, sizeof(body), 5, (int)v + 1, "否", NULL);
	{
		char *p = strstr(body, "\"gender\":1");

		assert_non_null(p);
		p[9] = '2';
	}
	api_call(&r, "PUT", path, body, &w, 1);
	assert_int_equal(r.status, 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    r.json, "error"), "field")), "gender");
	api_done(&r);
}

/* Sets the "version" of a survey body in place. */
static void
survey_version(char *body, int64_t v)
{
	json_error_t je;
	json_t *j = json_loads(body, 0, &je);
	char *text;

	assert_non_null(j);
	json_object_set_new(j, "version", json_integer(v));
	text = json_dumps(j, JSON_COMPACT);
	assert_true(strlen(text) < 65536);
	memcpy(body, text, strlen(text) + 1);
	free(text);
	json_decref(j);
}

/* A change of grade needs a reason (X-Change-Reason), which the audit
 * log keeps. */
static void
test_change_reason(void **state)
{
	static char body[65536];
	char path[160], card[32], *p;
	struct resp r;
	struct who w;
	struct tally t;
	int64_t v;

	(void)state;
	api_login(&w, "cty1");
	v = person_version(&w, uid_a);
	snprintf(path, sizeof(path), "/api/v1/persons/%s/surveys/2024", uid_a);
	survey_body(body, sizeof(body), 5, (int)v, "否", NULL);
	p = strstr(body, "\"disability_grade\":2");
	assert_non_null(p);
	p[19] = '1';
	snprintf(card, sizeof(card), "%s42", tu_id(5));
	p = strstr(body, card);
	assert_non_null(p);
	p[19] = '1';
	api_call(&r, "PUT", path, body, &w, 1);
	assert_int_equal(r.status, 422);
	assert_string_equal(api_err_code(&r), "reason_required");
	api_done(&r);
	api_extra_header = "X-Change-Reason: %E5%A4%8D%E8%AF%84";	/* 复评 */
	api_call(&r, "PUT", path, body, &w, 1);
	api_extra_header = NULL;
	assert_int_equal(r.status, 200);
	api_done(&r);
	t = audit_of(uid_a, "cty1");
	assert_string_equal(t.last_action, "survey.write");
	assert_string_equal(t.last_detail, "复评");
	/* secrets sent back masked, as the person page shows them, keep the
	 * stored values; a mask of another number is refused */
	{
		char full[24], mask[24];
		char *q;

		snprintf(full, sizeof(full), "\"%s\"", tu_id(5));
		snprintf(mask, sizeof(mask), "\"%.3s***********%s\"",
		    tu_id(5), tu_id(5) + 14);
		q = strstr(body, full);
		assert_non_null(q);
		memcpy(q, mask, strlen(mask));
		snprintf(path, sizeof(path), "/api/v1/persons/%s/surveys/2024",
		    uid_a);
		v = person_version(&w, uid_a);
		survey_version(body, v);
		api_call(&r, "PUT", path, body, &w, 1);
		assert_int_equal(r.status, 200);
		api_done(&r);
		q = strstr(body, mask);
		q[mask[1] == '9' ? 2 : 1] = mask[1] == '9' ? '8' : '9';
		survey_version(body, v + 1);
		api_call(&r, "PUT", path, body, &w, 1);
		assert_int_equal(r.status, 422);
		assert_string_equal(api_err_code(&r), "masked");
		api_done(&r);
	}
}

/* Runs one UPDATE on the server's database, on either backend (SQLite's
 * WAL or PostgreSQL: the server keeps running). */
static void
db_exec(const char *sql)
{
	struct lf_error err;
	struct store *s;

	if (store_open_any(api_owner_db(), tu_catalog(), tu_regions(), &s,
	    &err) != 0 || dbq_script(s, sql, "test update", &err) != 0)
		fail_msg("%s: %s", sql, err.message);
	store_close(s);
}

/* Waits until a session checked before now is no longer answered from
 * the server's cache (SESSION_CACHE_SECS, whole seconds of the clock). */
static void
past_session_cache(void)
{
	struct timespec ts = { SESSION_CACHE_SECS, 100000000 };

	nanosleep(&ts, NULL);
}

/* Sessions end over HTTP after USERS_IDLE_SECS without use and
 * USERS_ABSOLUTE_SECS after login, whatever the use: the session rows are
 * aged in the database, then the next request is refused. The rows are
 * aged by another connection, which the server sees once its cache of
 * sessions checked in the last second (server/session_cache.h) no
 * longer answers: the test waits that second. */
static void
test_session_expiry(void **state)
{
	char sql[256];
	struct resp r;
	struct who w;

	(void)state;
	api_login(&w, "sup1");
	api_call(&r, "GET", "/api/v1/session", NULL, &w, 0);
	assert_int_equal(r.status, 200);
	api_done(&r);
	/* idle: last seen just over the limit ago */
	snprintf(sql, sizeof(sql), "UPDATE sessions SET last_seen = %lld "
	    "WHERE user_id = (SELECT id FROM users WHERE login = 'sup1')",
	    (long long)time(NULL) - USERS_IDLE_SECS - 5);
	db_exec(sql);
	past_session_cache();
	api_call(&r, "GET", "/api/v1/session", NULL, &w, 0);
	assert_int_equal(r.status, 401);
	api_done(&r);
	/* absolute: in use a moment ago, but made too long ago */
	api_login(&w, "sup1");
	snprintf(sql, sizeof(sql), "UPDATE sessions SET expires_at = %lld "
	    "WHERE user_id = (SELECT id FROM users WHERE login = 'sup1') AND "
	    "revoked = 0", (long long)time(NULL) - 1);
	db_exec(sql);
	past_session_cache();
	api_call(&r, "GET", "/api/v1/session", NULL, &w, 0);
	assert_int_equal(r.status, 401);
	api_done(&r);
}

static void
test_search_and_reveal(void **state)
{
	char body[256], path[160];
	struct resp r;
	struct who w;
	struct tally t;

	(void)state;
	api_login(&w, "cty1");
	snprintf(body, sizeof(body), "{\"id_number\":\"%s\"}", tu_id(5));
	api_call(&r, "POST", "/api/v1/persons/search", body, &w, 1);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "persons")), 1);
	assert_null(strstr(buf_str(&r.body), tu_id(5)));
	assert_non_null(strstr(buf_str(&r.body), "510***********"));
	api_done(&r);
	/* out of scope: found nowhere */
	snprintf(body, sizeof(body), "{\"id_number\":\"%s\"}", tu_id(6));
	api_call(&r, "POST", "/api/v1/persons/search", body, &w, 1);
	assert_int_equal(json_array_size(json_object_get(r.json, "persons")), 0);
	api_done(&r);
	api_call(&r, "POST", "/api/v1/persons/search", "{\"name\":\"张\"}", &w, 1);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "persons")), 1);
	assert_null(strstr(buf_str(&r.body), tu_id(5)));
	api_done(&r);
	/* reveal: the full number, audited */
	snprintf(path, sizeof(path), "/api/v1/persons/%s/reveal", uid_a);
	api_call(&r, "POST", path, NULL, &w, 1);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json,
	    "id_number")), tu_id(5));
	api_done(&r);
	t = audit_of(uid_a, "cty1");
	assert_string_equal(t.last_action, "person.reveal");
}

static const struct {
	const char	*login;
	const char	*query;
	long		 status;
	int		 rows;
} list_rows[] = {
	{ "cty1", "year=2024", 200, 1 },
	{ "city1", "year=2024", 200, 2 },
	{ "city1", "year=2024&region=510105", 200, 1 },
	{ "cty1", "year=2024&region=510105", 400, -1 },
	{ "city1", "year=2024&disability_category=4", 200, 2 },
	{ "city1", "year=2024&disability_category=肢体残疾", 200, 2 },
	{ "city1", "year=2024&disability_category=1", 200, 0 },
	{ "city1", "year=2024&rehab_training=4&hukou_type=2", 200, 2 },
	{ "city1", "year=2024&fill_date=2024-05-10&name=张三", 200, 2 },
	{ "city1", "year=2024&hukou_region=510105002002", 200, 1 },
	{ "city1", "year=2023", 200, 0 },
	{ "city1", "year=2024&limit=1", 200, 1 },
	{ "city1", "year=2024&nosuch=1", 400, -1 },
	{ "city1", "year=2024&id_number=1", 400, -1 },
	{ "city1", "year=2024&disability_category=9", 400, -1 },
	{ "city1", "year=1800", 400, -1 },
	{ "aud1", "year=2024", 403, -1 },
};

static void
test_list(void **state)
{
	char path[256];
	struct resp r;
	struct who w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(list_rows) / sizeof(list_rows[0]); i++) {
		api_login(&w, list_rows[i].login);
		snprintf(path, sizeof(path), "/api/v1/persons?%s",
		    list_rows[i].query);
		api_call(&r, "GET", path, NULL, &w, 0);
		if (r.status != list_rows[i].status || (list_rows[i].rows >= 0 &&
		    (int)json_array_size(json_object_get(r.json, "persons")) !=
		    list_rows[i].rows))
			fail_msg("%s %s: %ld %s", list_rows[i].login,
			    list_rows[i].query, r.status, buf_str(&r.body));
		assert_null(strstr(buf_str(&r.body), tu_id(5)));
		api_done(&r);
	}
	/* paging: limit 1 gives a cursor that yields the second */
	api_login(&w, "city1");
	api_call(&r, "GET", "/api/v1/persons?year=2024&limit=1", NULL, &w, 0);
	snprintf(path, sizeof(path), "/api/v1/persons?year=2024&limit=1&after=%s",
	    json_string_value(json_object_get(r.json, "next")));
	api_done(&r);
	api_call(&r, "GET", path, NULL, &w, 0);
	assert_int_equal(json_array_size(json_object_get(r.json, "persons")), 1);
	api_done(&r);
}

static const struct {
	const char	*method;
	const char	*path;
	const char	*body;
	long		 status;
	const char	*code;
} bad_bodies[] = {
	{ "POST", "/api/v1/persons/search", "{", 400, "bad_json" },
	{ "POST", "/api/v1/persons/search", "[1,2]", 400, "bad_json" },
	{ "POST", "/api/v1/persons/search", "", 400, "bad_json" },
	{ "POST", "/api/v1/persons/search", "{\"nosuch\":1}", 400,
	    "unknown_field" },
	{ "POST", "/api/v1/persons/search", "{\"id_number\":5}", 422,
	    "bad_request" },
	{ "POST", "/api/v1/persons/search", "{\"id_number\":\"1\",\"name\":"
	    "\"x\"}", 422, "bad_request" },
	{ "POST", "/api/v1/persons/search", "{\"name\":\"\xff\xfe\"}", 400,
	    "bad_utf8" },
	{ "POST", "/api/v1/persons/search", "{\"a\":1,\"a\":2}", 400,
	    "bad_json" },
	{ "POST", "/api/v1/persons/search", "{\"id_number\":"
	    "\"11010519491231002Y\"}", 422, "id_chars" },
	{ "GET", "/api/v1/nosuch", NULL, 404, "not_found" },
	{ "PATCH", "/api/v1/session", NULL, 405, "method_not_allowed" },
	{ "GET", "/api/v1/persons/../../etc", NULL, 404, "not_found" },
};

static void
test_malformed(void **state)
{
	struct resp r;
	struct who w;
	size_t i;
	char *big;

	(void)state;
	api_login(&w, "prov1");
	for (i = 0; i < sizeof(bad_bodies) / sizeof(bad_bodies[0]); i++) {
		api_call(&r, bad_bodies[i].method, bad_bodies[i].path,
		    bad_bodies[i].body, &w, 1);
		if (r.status != bad_bodies[i].status || api_err_code(&r) == NULL ||
		    strcmp(api_err_code(&r), bad_bodies[i].code) != 0)
			fail_msg("row %zu: %ld %s", i, r.status,
			    buf_str(&r.body));
		api_done(&r);
	}
	/* oversized body: 413 */
	big = malloc(2 << 20);
	memset(big, ' ', (2 << 20) - 1);
	big[(2 << 20) - 1] = '\0';
	api_call(&r, "POST", "/api/v1/persons/search", big, &w, 1);
	assert_int_equal(r.status, 413);
	api_done(&r);
	free(big);
	/* no session at all: 401 */
	api_call(&r, "GET", "/api/v1/session", NULL, NULL, 0);
	assert_int_equal(r.status, 401);
	api_done(&r);
}

static void
test_users_admin(void **state)
{
	struct resp r;
	struct who w, c;
	char body[256];

	(void)state;
	api_login(&c, "cty1");
	api_call(&r, "GET", "/api/v1/users", NULL, &c, 0);
	if (api_missing(&r)) {
		api_done(&r);
		api_skip_missing();
	}
	assert_int_equal(r.status, 403);
	api_done(&r);
	api_login(&w, "adm2");
	api_call(&r, "GET", "/api/v1/users", NULL, &w, 0);
	assert_int_equal(r.status, 200);
	/* only accounts within 510104: not the city, province, auditor */
	assert_null(strstr(buf_str(&r.body), "\"city1\""));
	assert_non_null(strstr(buf_str(&r.body), "\"town1\""));
	api_done(&r);
	snprintf(body, sizeof(body), "{\"login\":\"newv\",\"role\":\"village\","
	    "\"region\":\"510104017002\",\"password\":\"%s\"}", PASSWORD);
	api_call(&r, "POST", "/api/v1/users", body, &w, 1);
	assert_int_equal(r.status, 201);
	api_done(&r);
	api_call(&r, "POST", "/api/v1/users", body, &w, 1);
	assert_int_equal(r.status, 409);
	api_done(&r);
	snprintf(body, sizeof(body), "{\"login\":\"farv\",\"role\":\"village\","
	    "\"region\":\"510105002002\",\"password\":\"%s\"}", PASSWORD);
	api_call(&r, "POST", "/api/v1/users", body, &w, 1);
	assert_int_equal(r.status, 403);
	api_done(&r);
	snprintf(body, sizeof(body), "{\"login\":\"weak\",\"role\":\"village\","
	    "\"region\":\"510104017002\",\"password\":\"short\"}");
	api_call(&r, "POST", "/api/v1/users", body, &w, 1);
	assert_int_equal(r.status, 422);
	api_done(&r);
	api_login(&c, "newv");
	/* disabling ends the account's sessions */
	api_call(&r, "POST", "/api/v1/users/newv/disable", NULL, &w, 1);
	assert_int_equal(r.status, 200);
	api_done(&r);
	api_call(&r, "GET", "/api/v1/session", NULL, &c, 0);
	assert_int_equal(r.status, 401);
	api_done(&r);
	/* an account outside the region is not found */
	api_call(&r, "POST", "/api/v1/users/city1/disable", NULL, &w, 1);
	assert_int_equal(r.status, 404);
	api_done(&r);
	api_call(&r, "PUT", "/api/v1/users/town1/password",
	    "{\"password\":\"Another-Pass-2026\"}", &w, 1);
	assert_int_equal(r.status, 200);
	api_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_update_conflict),
		cmocka_unit_test(test_change_reason),
		cmocka_unit_test(test_session_expiry),
		cmocka_unit_test(test_idle_reader_lets_checkpoint),
		cmocka_unit_test(test_search_and_reveal),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_users_admin),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests_name("api", tests, group_setup,
	    group_teardown);
}

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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "store/audit.h"
#include "store/store.h"
#include "store/users.h"
#include "testutil.h"

#define PASSWORD "Sichuan-2026-test"

static char dir[64], db[128], base[64];
static pid_t server;
static char uid_a[40], uid_b[40];	/* in 510104 and in 510105 */

struct resp {
	long		 status;
	struct buf	 body;
	char		 cookie[128];
	json_t		*json;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct resp *r = arg;

	buf_add(&r->body, p, size * n);
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct resp *r = arg;
	const char *key = "Set-Cookie: lf_session=";
	size_t len = size * n, k = strlen(key), v;

	if (len > k && strncasecmp(p, key, k) == 0) {
		v = strcspn(p + k, ";\r\n");
		snprintf(r->cookie, sizeof(r->cookie), "%.*s", (int)v, p + k);
	}
	return len;
}

struct who {
	char	token[160];
	char	csrf[160];
};

/* One request; body may be NULL. who may be NULL (no session). */
static void
call(struct resp *r, const char *method, const char *path, const char *body,
    const struct who *w, int with_csrf)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[512], cookie[200], csrf[200];
	json_error_t je;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 1 << 24);
	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		h = curl_slist_append(h, "Content-Type: application/json");
	}
	if (w != NULL) {
		snprintf(cookie, sizeof(cookie), "lf_session=%s", w->token);
		curl_easy_setopt(c, CURLOPT_COOKIE, cookie);
		if (with_csrf) {
			snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s",
			    w->csrf);
			h = curl_slist_append(h, csrf);
		}
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	r->json = json_loads(buf_str(&r->body), 0, &je);
}

static void
done(struct resp *r)
{
	json_decref(r->json);
	buf_free(&r->body);
}

static const char *
err_code(const struct resp *r)
{
	return json_string_value(json_object_get(json_object_get(r->json,
	    "error"), "code"));
}

static void
login(struct who *w, const char *login)
{
	char body[256];
	struct resp r;

	snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}",
	    login, PASSWORD);
	call(&r, "POST", "/api/v1/session", body, NULL, 0);
	if (r.status != 200)
		fail_msg("login %s: %ld %s", login, r.status,
		    buf_str(&r.body));
	snprintf(w->token, sizeof(w->token), "%s", r.cookie);
	snprintf(w->csrf, sizeof(w->csrf), "%s",
	    json_string_value(json_object_get(r.json, "csrf")));
	assert_int_equal(strlen(w->token), 64);
	done(&r);
}

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

	if (store_create(db, tu_catalog(), &err) != 0 ||
	    store_open(db, tu_catalog(), tu_regions(), &s, &err) != 0)
		fail_msg("%s", err.message);
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

static void
start_server(void)
{
	char portf[160], log[160], port[16] = "";
	FILE *fp;
	int i;

	snprintf(portf, sizeof(portf), "%s/port", dir);
	snprintf(log, sizeof(log), "%s/server.log", dir);
	if ((server = fork()) == 0) {
		freopen(log, "w", stderr);
		freopen(log, "a", stdout);
		execl("build/test/liangfu", "liangfu", "serve", db, "--listen",
		    "127.0.0.1:0", "--port-file", portf, "--web", "web",
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && port[0] == '\0'; i++) {
		usleep(50000);
		if ((fp = fopen(portf, "r")) != NULL) {
			if (fgets(port, sizeof(port), fp) == NULL)
				port[0] = '\0';
			fclose(fp);
		}
	}
	if (port[0] == '\0')
		fail_msg("server did not start; see %s", log);
	port[strcspn(port, "\n")] = '\0';
	snprintf(base, sizeof(base), "http://127.0.0.1:%s", port);
}

static int
group_setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(db, sizeof(db), "%s/api.db", dir);
	populate();
	start_server();
	return 0;
}

static int
group_teardown(void **state)
{
	int status = -1;
	char cmd[256];

	(void)state;
	kill(server, SIGTERM);
	waitpid(server, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s/server.log >&2", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot show the server log\n");
		fprintf(stderr, "server exit status %d\n", status);
		return -1;
	}
	tu_rmdir(dir);
	tu_env_free();
	curl_global_cleanup();
	return 0;
}

/* Entries of the audit log for target, read from the database. */
struct tally {
	int	denied;
	int	ok;
	char	last_actor[64];
	char	last_action[64];
};

static int
on_audit(void *arg, const struct audit_row *a)
{
	struct tally *t = arg;

	t->denied += strcmp(a->result, "denied") == 0;
	t->ok += strcmp(a->result, "ok") == 0;
	snprintf(t->last_actor, sizeof(t->last_actor), "%s", a->actor);
	snprintf(t->last_action, sizeof(t->last_action), "%s", a->action);
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
	assert_int_equal(store_open(db, tu_catalog(), tu_regions(), &s, &err),
	    0);
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
	call(&r, "POST", "/api/v1/session",
	    "{\"login\":\"vil1\",\"password\":\"wrong-Password-1\"}", NULL, 0);
	assert_int_equal(r.status, 401);
	assert_string_equal(err_code(&r), "bad_login");
	done(&r);
	call(&r, "POST", "/api/v1/session",
	    "{\"login\":\"nobody\",\"password\":\"wrong-Password-1\"}", NULL, 0);
	assert_int_equal(r.status, 401);
	assert_string_equal(err_code(&r), "bad_login");
	done(&r);
	login(&w, "vil1");
	call(&r, "GET", "/api/v1/session", NULL, &w, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    r.json, "user"), "role")), "village");
	done(&r);
	/* logout needs CSRF, then the session is gone */
	call(&r, "DELETE", "/api/v1/session", NULL, &w, 0);
	assert_int_equal(r.status, 403);
	assert_string_equal(err_code(&r), "csrf");
	done(&r);
	call(&r, "DELETE", "/api/v1/session", NULL, &w, 1);
	assert_int_equal(r.status, 200);
	done(&r);
	call(&r, "GET", "/api/v1/session", NULL, &w, 0);
	assert_int_equal(r.status, 401);
	done(&r);
	/* lockout after 5 wrong passwords, even with the right one after */
	for (i = 0; i < 5; i++) {
		call(&r, "POST", "/api/v1/session", "{\"login\":\"adm1\","
		    "\"password\":\"wrong-Password-1\"}", NULL, 0);
		/* the fifth failure locks the account at once */
		assert_int_equal(r.status, i < 4 ? 401 : 429);
		done(&r);
	}
	call(&r, "POST", "/api/v1/session", "{\"login\":\"adm1\",\"password\":\""
	    PASSWORD "\"}", NULL, 0);
	assert_int_equal(r.status, 429);
	assert_string_equal(err_code(&r), "locked");
	done(&r);
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

	(void)state;
	for (i = 0; i < NUSERS; i++) {
		if (strcmp(users[i].login, "adm1") == 0)
			continue;	/* locked by test_login */
		if (strcmp(users[i].login, "adm2") == 0)
			continue;	/* same role as adm1 */
		login(&w, users[i].login);
		/* read in scope */
		snprintf(path, sizeof(path), "/api/v1/persons/%s", uid_a);
		before = audit_of(uid_a, users[i].login);
		call(&r, "GET", path, NULL, &w, 0);
		if (r.status != (users[i].read_a ? 200 : 404))
			fail_msg("%s read A: %ld", users[i].login, r.status);
		after = audit_of(uid_a, users[i].login);
		assert_int_equal(after.ok + after.denied,
		    before.ok + before.denied + 1);
		assert_int_equal(after.denied - before.denied,
		    users[i].read_a ? 0 : 1);
		if (users[i].read_a)
			assert_null(strstr(buf_str(&r.body), tu_id(5)));
		done(&r);
		/* read out of scope: 404, like a missing person */
		snprintf(path, sizeof(path), "/api/v1/persons/%s", uid_b);
		call(&r, "GET", path, NULL, &w, 0);
		if (r.status != (users[i].read_b ? 200 : 404))
			fail_msg("%s read B: %ld", users[i].login, r.status);
		if (!users[i].read_b)
			assert_int_equal(audit_of(uid_b,
			    users[i].login).denied, 1);
		done(&r);
		/* write in scope */
		snprintf(path, sizeof(path), "/api/v1/persons/%s/surveys/2024",
		    uid_a);
		call(&r, "GET", "/api/v1/persons/00000000000000000000000000000000",
		    NULL, &w, 0);
		assert_int_equal(r.status, 404);
		done(&r);
		/* audit log by person */
		snprintf(path, sizeof(path), "/api/v1/audit?person=%s", uid_a);
		call(&r, "GET", path, NULL, &w, 0);
		if (r.status != (users[i].audit ? 200 : 403))
			fail_msg("%s audit: %ld", users[i].login, r.status);
		done(&r);
		/* write: a survey update of A (wheelchair flips) */
		snprintf(path, sizeof(path), "/api/v1/persons/%s/surveys/2024",
		    uid_a);
		survey_body(body, sizeof(body), 5, 0, "否", NULL);
		call(&r, "PUT", path, body, &w, 1);
		if (users[i].write_a) {
			/* version 0 means new: the survey exists: 409 */
			assert_int_equal(r.status, 409);
		} else
			assert_int_equal(r.status, 404);
		done(&r);
	}
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
	login(&w, "cty1");
	survey_body(body, sizeof(body), 21, 0, "是", NULL);
	/* {"version":0,"values":...} -> {"year":2024,"values":...} */
	p = strstr(body, "\"version\":0");
	assert_non_null(p);
	memcpy(p, "\"year\":2024", 11);
	call(&r, "POST", "/api/v1/persons", body, &w, 1);
	if (r.status != 201)
		fail_msg("create: %ld %s", r.status, buf_str(&r.body));
	assert_int_equal(strlen(json_string_value(json_object_get(r.json,
	    "id"))), 32);
	done(&r);
	call(&r, "POST", "/api/v1/persons", body, &w, 1);
	assert_int_equal(r.status, 409);
	assert_string_equal(err_code(&r), "exists");
	done(&r);
	survey_body(body, sizeof(body), 23, 0, "是", "510105002002");
	p = strstr(body, "\"version\":0");
	memcpy(p, "\"year\":2024", 11);
	call(&r, "POST", "/api/v1/persons", body, &w, 1);
	assert_int_equal(r.status, 403);
	done(&r);
}

static int64_t
person_version(struct who *w, const char *uid)
{
	char path[160];
	struct resp r;
	int64_t v;

	snprintf(path, sizeof(path), "/api/v1/persons/%s", uid);
	call(&r, "GET", path, NULL, w, 0);
	assert_int_equal(r.status, 200);
	v = json_integer_value(json_object_get(json_array_get(json_object_get(
	    r.json, "years"), 0), "version"));
	done(&r);
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
	login(&w, "cty1");
	v = person_version(&w, uid_a);
	snprintf(path, sizeof(path), "/api/v1/persons/%s/surveys/2024", uid_a);
	survey_body(body, sizeof(body), 5, (int)v, "否", NULL);
	call(&r, "PUT", path, body, &w, 1);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json,
	    "version")), v + 1);
	done(&r);
	/* a second writer still holding version v: 409 with both */
	survey_body(body, sizeof(body), 5, (int)v, "是", NULL);
	call(&r, "PUT", path, body, &w, 1);
	assert_int_equal(r.status, 409);
	assert_string_equal(err_code(&r), "conflict");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    r.json, "current"), "version")), v + 1);
	assert_non_null(json_object_get(r.json, "yours"));
	done(&r);
	/* invalid value: 422 naming the field */
	survey_body(body, sizeof(body), 5, (int)v + 1, "否", NULL);
	{
		char *p = strstr(body, "\"gender\":1");

		assert_non_null(p);
		p[9] = '2';
	}
	call(&r, "PUT", path, body, &w, 1);
	assert_int_equal(r.status, 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    r.json, "error"), "field")), "gender");
	done(&r);
}

static void
test_search_and_reveal(void **state)
{
	char body[256], path[160];
	struct resp r;
	struct who w;
	struct tally t;

	(void)state;
	login(&w, "cty1");
	snprintf(body, sizeof(body), "{\"id_number\":\"%s\"}", tu_id(5));
	call(&r, "POST", "/api/v1/persons/search", body, &w, 1);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "persons")), 1);
	assert_null(strstr(buf_str(&r.body), tu_id(5)));
	assert_non_null(strstr(buf_str(&r.body), "510***********"));
	done(&r);
	/* out of scope: found nowhere */
	snprintf(body, sizeof(body), "{\"id_number\":\"%s\"}", tu_id(6));
	call(&r, "POST", "/api/v1/persons/search", body, &w, 1);
	assert_int_equal(json_array_size(json_object_get(r.json, "persons")), 0);
	done(&r);
	call(&r, "POST", "/api/v1/persons/search", "{\"name\":\"张\"}", &w, 1);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "persons")), 1);
	assert_null(strstr(buf_str(&r.body), tu_id(5)));
	done(&r);
	/* reveal: the full number, audited */
	snprintf(path, sizeof(path), "/api/v1/persons/%s/reveal", uid_a);
	call(&r, "POST", path, NULL, &w, 1);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json,
	    "id_number")), tu_id(5));
	done(&r);
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
		login(&w, list_rows[i].login);
		snprintf(path, sizeof(path), "/api/v1/persons?%s",
		    list_rows[i].query);
		call(&r, "GET", path, NULL, &w, 0);
		if (r.status != list_rows[i].status || (list_rows[i].rows >= 0 &&
		    (int)json_array_size(json_object_get(r.json, "persons")) !=
		    list_rows[i].rows))
			fail_msg("%s %s: %ld %s", list_rows[i].login,
			    list_rows[i].query, r.status, buf_str(&r.body));
		assert_null(strstr(buf_str(&r.body), tu_id(5)));
		done(&r);
	}
	/* paging: limit 1 gives a cursor that yields the second */
	login(&w, "city1");
	call(&r, "GET", "/api/v1/persons?year=2024&limit=1", NULL, &w, 0);
	snprintf(path, sizeof(path), "/api/v1/persons?year=2024&limit=1&after=%s",
	    json_string_value(json_object_get(r.json, "next")));
	done(&r);
	call(&r, "GET", path, NULL, &w, 0);
	assert_int_equal(json_array_size(json_object_get(r.json, "persons")), 1);
	done(&r);
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
	login(&w, "prov1");
	for (i = 0; i < sizeof(bad_bodies) / sizeof(bad_bodies[0]); i++) {
		call(&r, bad_bodies[i].method, bad_bodies[i].path,
		    bad_bodies[i].body, &w, 1);
		if (r.status != bad_bodies[i].status || err_code(&r) == NULL ||
		    strcmp(err_code(&r), bad_bodies[i].code) != 0)
			fail_msg("row %zu: %ld %s", i, r.status,
			    buf_str(&r.body));
		done(&r);
	}
	/* oversized body: 413 */
	big = malloc(2 << 20);
	memset(big, ' ', (2 << 20) - 1);
	big[(2 << 20) - 1] = '\0';
	call(&r, "POST", "/api/v1/persons/search", big, &w, 1);
	assert_int_equal(r.status, 413);
	done(&r);
	free(big);
	/* no session at all: 401 */
	call(&r, "GET", "/api/v1/session", NULL, NULL, 0);
	assert_int_equal(r.status, 401);
	done(&r);
}

static void
test_users_admin(void **state)
{
	struct resp r;
	struct who w, c;
	char body[256];

	(void)state;
	login(&c, "cty1");
	call(&r, "GET", "/api/v1/users", NULL, &c, 0);
	assert_int_equal(r.status, 403);
	done(&r);
	login(&w, "adm2");
	call(&r, "GET", "/api/v1/users", NULL, &w, 0);
	assert_int_equal(r.status, 200);
	/* only accounts within 510104: not the city, province, auditor */
	assert_null(strstr(buf_str(&r.body), "\"city1\""));
	assert_non_null(strstr(buf_str(&r.body), "\"town1\""));
	done(&r);
	snprintf(body, sizeof(body), "{\"login\":\"newv\",\"role\":\"village\","
	    "\"region\":\"510104017002\",\"password\":\"%s\"}", PASSWORD);
	call(&r, "POST", "/api/v1/users", body, &w, 1);
	assert_int_equal(r.status, 201);
	done(&r);
	call(&r, "POST", "/api/v1/users", body, &w, 1);
	assert_int_equal(r.status, 409);
	done(&r);
	snprintf(body, sizeof(body), "{\"login\":\"farv\",\"role\":\"village\","
	    "\"region\":\"510105002002\",\"password\":\"%s\"}", PASSWORD);
	call(&r, "POST", "/api/v1/users", body, &w, 1);
	assert_int_equal(r.status, 403);
	done(&r);
	snprintf(body, sizeof(body), "{\"login\":\"weak\",\"role\":\"village\","
	    "\"region\":\"510104017002\",\"password\":\"short\"}");
	call(&r, "POST", "/api/v1/users", body, &w, 1);
	assert_int_equal(r.status, 422);
	done(&r);
	login(&c, "newv");
	/* disabling ends the account's sessions */
	call(&r, "POST", "/api/v1/users/newv/disable", NULL, &w, 1);
	assert_int_equal(r.status, 200);
	done(&r);
	call(&r, "GET", "/api/v1/session", NULL, &c, 0);
	assert_int_equal(r.status, 401);
	done(&r);
	/* an account outside the region is not found */
	call(&r, "POST", "/api/v1/users/city1/disable", NULL, &w, 1);
	assert_int_equal(r.status, 404);
	done(&r);
	call(&r, "PUT", "/api/v1/users/town1/password",
	    "{\"password\":\"Another-Pass-2026\"}", &w, 1);
	assert_int_equal(r.status, 200);
	done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_update_conflict),
		cmocka_unit_test(test_search_and_reveal),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_users_admin),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests_name("api", tests, group_setup,
	    group_teardown);
}

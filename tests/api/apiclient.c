/*
 * apiclient.c - the plumbing of the API tests (see apiclient.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <postgresql/libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apiclient.h"
#include "store/store.h"
#include "auth/users.h"
#include "testutil.h"

char api_dir[64], api_db[128], api_base[64];
const char *api_extra_header;
const char *api_content_type;
size_t api_body_len;
const char *api_source;
pid_t api_server;

/* PostgreSQL (LIANGFU_TEST_PG_URL set): the group's own database, made
 * by api_group_begin() and dropped by api_group_end(); its owner's URL
 * (init, fixtures, reading the audit log) */
static char pg_dbname[64], pg_owner[256];
/* the 501 answers met by the running test: "METHOD PATH: ..." each */
static char missing[8][160];
static size_t nmissing;

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
	const char *rid = "X-Request-Id: ";
	size_t len = size * n, k = strlen(key), v;

	if (len > k && strncasecmp(p, key, k) == 0) {
		v = strcspn(p + k, ";\r\n");
		snprintf(r->cookie, sizeof(r->cookie), "%.*s", (int)v, p + k);
	}
	k = strlen(rid);
	if (len > k && strncasecmp(p, rid, k) == 0) {
		v = strcspn(p + k, "\r\n");
		snprintf(r->request_id, sizeof(r->request_id), "%.*s", (int)v,
		    p + k);
	}
	return len;
}

void
api_call(struct resp *r, const char *method, const char *path, const char *body,
    const struct who *w, int with_csrf)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char cookie[200], csrf[200], ctype[200];
	struct buf url;
	json_error_t je;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 1 << 24);
	buf_init(&url, 1 << 20);
	assert_int_equal(buf_addf(&url, "%s%s", api_base, path), 0);
	curl_easy_setopt(c, CURLOPT_URL, buf_str(&url));
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		if (api_body_len > 0)
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
			    (long)api_body_len);
		snprintf(ctype, sizeof(ctype), "Content-Type: %s",
		    api_content_type ? api_content_type : "application/json");
		h = curl_slist_append(h, ctype);
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
	if (api_extra_header != NULL)
		h = curl_slist_append(h, api_extra_header);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (api_source != NULL)
		curl_easy_setopt(c, CURLOPT_INTERFACE, api_source);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	buf_free(&url);
	r->json = json_loads(buf_str(&r->body), 0, &je);
}

void
api_done(struct resp *r)
{
	json_decref(r->json);
	buf_free(&r->body);
}

const char *
api_err_code(const struct resp *r)
{
	return json_string_value(json_object_get(json_object_get(r->json,
	    "error"), "code"));
}

void
api_login(struct who *w, const char *login)
{
	char body[256];
	struct resp r;

	snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}",
	    login, PASSWORD);
	api_call(&r, "POST", "/api/v1/session", body, NULL, 0);
	if (r.status != 200)
		fail_msg("login %s: %ld %s", login, r.status,
		    buf_str(&r.body));
	snprintf(w->token, sizeof(w->token), "%s", r.cookie);
	snprintf(w->csrf, sizeof(w->csrf), "%s",
	    json_string_value(json_object_get(r.json, "csrf")));
	assert_int_equal(strlen(w->token), 64);
	api_done(&r);
}

void
api_start_server(void)
{
	char portf[160], log[160], port[16] = "";
	FILE *fp;
	int i;

	snprintf(portf, sizeof(portf), "%s/port", api_dir);
	snprintf(log, sizeof(log), "%s/server.log", api_dir);
	unlink(portf);	/* a restart must not read the last run's port */
	if ((api_server = fork()) == 0) {
		freopen(log, "a", stderr);
		freopen(log, "a", stdout);
		execl("build/test/liangfu", "liangfu", "serve", api_db,
		    "--listen",
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
	snprintf(api_base, sizeof(api_base), "http://127.0.0.1:%s", port);
}

int
api_stop_server(void)
{
	int status = -1;
	char cmd[256];

	if (api_server <= 0)	/* never started (a group setup that failed):
				   kill(0) would end the test itself */
		return -1;
	kill(api_server, SIGTERM);
	waitpid(api_server, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s/server.log >&2", api_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot show the server log\n");
		fprintf(stderr, "server exit status %d\n", status);
		return -1;
	}
	return 0;
}

int
api_on_pg(void)
{
	return tu_pg_url() != NULL;
}

const char *
api_owner_db(void)
{
	return api_on_pg() ? pg_owner : api_db;
}

/* url with its database (the last path segment) replaced by name. */
static void
url_db(const char *url, const char *name, char *out, size_t len)
{
	const char *slash = strrchr(url, '/');

	if (slash == NULL || strchr(slash, '?') != NULL)
		fail_msg("PostgreSQL URL without a plain database name: %s", url);
	snprintf(out, len, "%.*s/%s", (int)(slash - url), url, name);
}

/* Runs sql as the administrator (LIANGFU_TEST_PG_ADMIN_URL, a role that
 * may create databases) in database db (NULL: the URL's own). */
static void
pg_admin(const char *db, const char *sql)
{
	const char *admin = getenv("LIANGFU_TEST_PG_ADMIN_URL");
	char url[256];
	PGresult *r;
	PGconn *c;

	if (admin == NULL || *admin == '\0')
		fail_msg("LIANGFU_TEST_PG_ADMIN_URL is not set: the API tests "
		    "make a database per group on PostgreSQL");
	if (db != NULL)
		url_db(admin, db, url, sizeof(url));
	c = PQconnectdb(db != NULL ? url : admin);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("PostgreSQL: %s", PQerrorMessage(c));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

/* A fresh database for the group, made as tests/pg/pg.sh makes its
 * first (owned by liangfu_owner, its schema closed to PUBLIC, open to
 * liangfu_app); the server serves it through LIANGFU_TEST_PG_WEB_URL's
 * role (the app role: row-level security applies) when set, else the
 * owner's; the key file in api_dir. */
static void
pg_group_begin(void)
{
	static int n;
	const char *web = getenv("LIANGFU_TEST_PG_WEB_URL");
	char sql[160], key[128];

	snprintf(pg_dbname, sizeof(pg_dbname), "lf_api_%ld_%d", (long)getpid(),
	    n++);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s OWNER liangfu_owner",
	    pg_dbname);
	pg_admin(NULL, sql);
	pg_admin(pg_dbname, "REVOKE ALL ON SCHEMA public FROM PUBLIC; GRANT "
	    "USAGE ON SCHEMA public TO liangfu_app; ALTER SCHEMA public OWNER "
	    "TO liangfu_owner");
	url_db(tu_pg_url(), pg_dbname, pg_owner, sizeof(pg_owner));
	url_db(web != NULL && *web != '\0' ? web : tu_pg_url(), pg_dbname,
	    api_db, sizeof(api_db));
	snprintf(key, sizeof(key), "%s/pg.key", api_dir);
	setenv("LIANGFU_KEY_FILE", key, 1);
}

void
api_group_begin(const char *dbname)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(api_dir, sizeof(api_dir), "%s", tu_tmpdir());
	snprintf(api_db, sizeof(api_db), "%s/%s", api_dir, dbname);
	if (api_on_pg())
		pg_group_begin();
}

int
api_group_end(void)
{
	char sql[160];

	if (api_stop_server() != 0)
		return -1;
	if (api_on_pg()) {
		snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)",
		    pg_dbname);
		pg_admin(NULL, sql);
	}
	tu_rmdir(api_dir);
	tu_env_free();
	curl_global_cleanup();
	return 0;
}

struct store *
api_store_new(void)
{
	struct lf_error err;
	struct store *s = NULL;
	const char *db = api_owner_db();

	if (store_create(db, tu_catalog(), &err) != 0 ||
	    store_open_any(db, tu_catalog(), tu_regions(), &s, &err) != 0)
		fail_msg("%s", err.message);
	return s;
}

int
api_missing(const struct resp *r)
{
	const char *msg = json_string_value(json_object_get(json_object_get(
	    r->json, "error"), "message"));
	size_t i;

	if (!api_on_pg() || r->status != 501 || api_err_code(r) == NULL ||
	    strcmp(api_err_code(r), "unsupported") != 0)
		return 0;
	for (i = 0; i < nmissing; i++)
		if (strcmp(missing[i], msg ? msg : "") == 0)
			return 1;
	if (nmissing < sizeof(missing) / sizeof(missing[0]))
		snprintf(missing[nmissing++], sizeof(missing[0]), "%s",
		    msg ? msg : "(501 without a message)");
	return 1;
}

void
api_skip_missing(void)
{
	size_t i;

	if (nmissing == 0)
		return;
	for (i = 0; i < nmissing; i++)
		print_message("[  SKIP    ] on PostgreSQL, route not there yet: "
		    "%s\n", missing[i]);
	nmissing = 0;
	skip();
}

void
api_seed_counties(struct store *s, uint64_t n104, uint64_t s104,
    uint64_t n105, uint64_t s105, int year)
{
	struct lf_error err;

	assert_int_equal(store_begin(s, &err), 0);
	tu_seed_county(s, "510104", n104, s104, year);
	tu_seed_county(s, "510105", n105, s105, year);
	assert_int_equal(store_commit(s, &err), 0);
}

void
api_store_done(struct store *s, const struct api_user *u, size_t n)
{
	struct lf_error err;
	size_t i;

	for (i = 0; i < n; i++) {
		struct user_new nu = { u[i].login, u[i].role, u[i].region,
		    u[i].dept, PASSWORD, 0 };

		if (users_add(s, &nu, &err) != 0)
			fail_msg("%s: %s", u[i].login, err.message);
	}
	store_close(s);
}

int
api_group_teardown(void **state)
{
	(void)state;
	return api_group_end();
}

json_t *
api_get_json(const struct who *w, const char *path, long want)
{
	struct resp r;
	json_t *j;

	api_call(&r, "GET", path, NULL, w, 0);
	if (r.status != want)
		fail_msg("GET %s: %ld, wanted %ld: %s", path, r.status, want,
		    buf_str(&r.body));
	j = json_incref(r.json);
	api_done(&r);
	return j;
}

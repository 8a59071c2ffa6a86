/*
 * session.c - login, logout, the session cookie and CSRF checks.
 */
#include "server/session.h"
#include "server/session_cache.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/failtab.h"
#include "server/auditq.h"
#include "lib/log.h"
#include "store/audit.h"
#include "auth/users.h"

/* The writer's word on an entry of request r: a failure is logged. */
static void
audit_done(void *arg, int rc, const struct lf_error *err)
{
	struct req *r = arg;

	if (rc != 0)
		log_warnx("audit append failed (request %s): %s", r->id,
		    err->message);
	http_release(r);
}

/* The same for an entry the answer depends on: a failure also marks the
 * request, so that the server answers 503 instead. */
static void
audit_gate_done(void *arg, int rc, const struct lf_error *err)
{
	struct req *r = arg;

	if (rc != 0)
		atomic_store(&r->audit_failed, 1);
	audit_done(arg, rc, err);
}

/* Queues e for request r; the answer waits until it is written (a read)
 * or durable (anything else): auditq.h. */
static int
submit(struct req *r, const struct audit_entry *e, int gate)
{
	struct lf_error err;

	lf_error_clear(&err);
	http_hold(r);
	if (auditq_submit(e, r->reads ? AUDITQ_WRITTEN : AUDITQ_DURABLE,
	    gate ? audit_gate_done : audit_done, r, &err) != 0) {
		http_release(r);
		log_warnx("audit append failed (request %s): %s", r->id,
		    err.message);
		return -1;
	}
	return 0;
}

static int
audit_req(struct req *r, int gate, const char *action,
    const char *target_type, const char *target, const char *result,
    const char *detail)
{
	struct audit_entry e = { NULL, r->authed ? r->who.login : "-",
	    r->authed ? r->who.role : "", action, target_type, target, result,
	    r->client, r->id, detail };

	return submit(r, &e, gate);
}

int
http_audit(struct req *r, const char *action, const char *target_type,
    const char *target, const char *result, const char *detail)
{
	return audit_req(r, 0, action, target_type, target, result, detail);
}

const char *
http_audit_kv(char *buf, size_t n, const char *key, const char *value)
{
	snprintf(buf, n, "%s=%s", key, value ? value : "");
	return buf;
}

int
http_audit_gate(struct req *r, const char *action, const char *target_type,
    const char *target, const char *result, const char *detail)
{
	return audit_req(r, 1, action, target_type, target, result, detail);
}

static int
fill_principal(struct req *r, const struct user *u,
    const struct session_info *si, const char *token)
{
	const struct users_role *role = users_role_get(u->role);

	memset(&r->who, 0, sizeof(r->who));
	r->who.user_id = u->id;
	snprintf(r->who.login, sizeof(r->who.login), "%s", u->login);
	snprintf(r->who.role, sizeof(r->who.role), "%s",
	    role ? role->code : "");
	snprintf(r->who.region, sizeof(r->who.region), "%s", u->region);
	snprintf(r->who.department, sizeof(r->who.department), "%s",
	    u->department);
	snprintf(r->who.csrf, sizeof(r->who.csrf), "%s", si->csrf);
	snprintf(r->who.token, sizeof(r->who.token), "%s", token);
	r->who.scope = regions_find(r->app->regions, u->region);
	return r->who.scope != NULL ? 0 : -1;
}

/* The session of token, from the cache of sessions checked in the last
 * second when it is there (session_cache.h), else from the database (and
 * then kept). 0, or users_session()'s value with err. */
static int
session_check(struct req *r, const char *token, struct user *u,
    struct session_info *si, struct lf_error *err)
{
	int64_t now = (int64_t)time(NULL);
	unsigned long seen = users_revocations();

	if (session_cache_get(r->app->sessions, token, now, u, si) == 1)
		return 0;
	if (users_session(r->s, token, now, u, si, err) != 0)
		return -1;
	session_cache_put(r->app->sessions, token, seen, now, u, si);
	return 0;
}

int
session_require(struct req *r, int need_csrf, enum MHD_Result *res)
{
	const char *token = MHD_lookup_connection_value(r->conn,
	    MHD_COOKIE_KIND, SESSION_COOKIE);
	struct session_info si;
	struct lf_error err;
	struct user u;

	lf_error_clear(&err);
	if (token == NULL || strlen(token) != USERS_TOKEN_HEX ||
	    session_check(r, token, &u, &si, &err) != 0 ||
	    fill_principal(r, &u, &si, token) != 0) {
		/* the database failed (PostgreSQL unreachable: 503), not
		 * the session: the client is not logged out */
		if (err.code != NULL && (strcmp(err.code, "store") == 0 ||
		    strcmp(err.code, "io") == 0 ||
		    strcmp(err.code, "unavailable") == 0)) {
			*res = reply_lf_error(r, &err);
			return -1;
		}
		http_audit(r, "session.check", "session", "", "denied",
		    token ? "invalid or expired session" : "no session");
		*res = reply_error(r, 401, "unauthenticated", "", "请先登录 "
		    "(not logged in, or the session expired)");
		return -1;
	}
	r->authed = 1;
	if (!need_csrf)
		return 0;
	return http_audit_csrf(r, "session.csrf", r->who.csrf, res);
}

int
http_audit_csrf(struct req *r, const char *action, const char *want,
    enum MHD_Result *res)
{
	const char *csrf = MHD_lookup_connection_value(r->conn,
	    MHD_HEADER_KIND, CSRF_HEADER);

	if (csrf == NULL || strlen(csrf) != strlen(want) ||
	    CRYPTO_memcmp(csrf, want, strlen(csrf)) != 0) {
		http_audit(r, action, "session", "", "denied",
		    "missing or wrong CSRF token");
		*res = reply_error(r, 403, "csrf", CSRF_HEADER, "缺少或错误的 "
		    "CSRF 令牌 (missing or wrong %s header)", CSRF_HEADER);
		return -1;
	}
	return 0;
}

static json_t *
user_json(const struct req *r)
{
	const struct region *reg = r->who.scope;

	return json_pack("{s:s,s:s,s:s,s:s,s:s}", "login", r->who.login,
	    "role", r->who.role, "region", r->who.region, "region_name",
	    reg ? reg->name : "", "department", r->who.department);
}

static enum MHD_Result
login_ok(struct req *r, const struct session *ses)
{
	char cookie[256];
	json_t *body;

	snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=%d%s", SESSION_COOKIE, ses->token,
	    USERS_ABSOLUTE_SECS, r->app->cfg->secure_cookies ? "; Secure" :
	    "");
	body = json_pack("{s:o,s:s}", "user", user_json(r), "csrf",
	    ses->info.csrf);
	return reply_json_cookie(r, 200, body, cookie);
}

/*
 * Rate limits in front of the accounts' lockout (auth/users.h), by the
 * client's address: one address may fail USERS_MAX_FAILURES - 1 times in
 * a row on one login, and LOGIN_CLIENT_FAILURES times on all logins, then
 * it is refused for USERS_FAIL_WINDOW without a password being checked.
 * An account locks at USERS_MAX_FAILURES in a row, so failures from one
 * address alone never lock it (docs/security.md has the trade-off).
 */
#define LOGIN_CLIENT_FAILURES	30

static struct failtab login_pairs = FAILTAB_INIT(USERS_MAX_FAILURES - 1,
    USERS_FAIL_WINDOW, USERS_FAIL_WINDOW);
static struct failtab login_clients = FAILTAB_INIT(LOGIN_CLIENT_FAILURES,
    USERS_FAIL_WINDOW, USERS_FAIL_WINDOW);

/* The key of (client address, login): both, NUL between. */
static size_t
pair_key(const struct req *r, const char *login, char *out, size_t len)
{
	int n = snprintf(out, len, "%s%c%s", r->client, '\0', login);

	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* 1 when the client may not try login now (*until: till when). */
static int
login_throttled(const struct req *r, const char *login, int64_t now,
    int64_t *until)
{
	char key[160];
	size_t n = pair_key(r, login, key, sizeof(key));

	return failtab_locked(&login_clients, r->client, strlen(r->client),
	    now, until) || failtab_locked(&login_pairs, key, n, now, until);
}

static void
login_failed(const struct req *r, const char *login, int64_t now)
{
	char key[160];
	size_t n = pair_key(r, login, key, sizeof(key));
	int64_t until;

	failtab_fail(&login_clients, r->client, strlen(r->client), now,
	    &until);
	failtab_fail(&login_pairs, key, n, now, &until);
}

/* This address knows this login's password: its run on the login ends
 * (not its run on all logins). */
static void
login_succeeded(const struct req *r, const char *login)
{
	char key[160];
	size_t n = pair_key(r, login, key, sizeof(key));

	failtab_clear(&login_pairs, key, n);
}

/* Audits a refused login. */
static void
login_refused(struct req *r, const char *login, const char *code)
{
	char who[AUDIT_FIELD_MAX];
	struct audit_entry e = { NULL, "-", "", "session.login", "user", who,
	    "denied", r->client, r->id, code };

	/* the typed login is client text: cleaned before it is kept */
	audit_clean(login, who, sizeof(who));
	submit(r, &e, 0);
}

static unsigned
login_status(const char *code)
{
	if (strcmp(code, "locked") == 0)
		return 429;
	if (strcmp(code, "disabled") == 0)
		return 403;
	if (strcmp(code, "io") == 0 || strcmp(code, "busy") == 0)
		return 503;
	if (strcmp(code, "store") == 0 || strcmp(code, "no_memory") == 0)
		return 500;
	return 401;
}

enum MHD_Result
h_session_login(struct req *r)
{
	static const char *const allowed[] = { "login", "password", NULL };
	enum MHD_Result res;
	struct session ses;
	struct session_info si;
	struct lf_error err;
	json_t *body = req_json(r, allowed, &res);
	const char *login, *pw;
	int64_t now, until;
	struct user u;

	if (body == NULL)
		return res;
	login = json_string_value(json_object_get(body, "login"));
	pw = json_string_value(json_object_get(body, "password"));
	if (login == NULL || pw == NULL) {
		json_decref(body);
		return reply_error(r, 400, "bad_request", login ? "password" :
		    "login", "需要 login 和 password 字符串 (login and password "
		    "strings are required)");
	}
	now = (int64_t)time(NULL);
	if (login_throttled(r, login, now, &until)) {
		login_refused(r, login, "rate_limited");
		json_decref(body);
		return reply_error(r, 429, "rate_limited", "", "此地址登录失败"
		    "次数过多, 请 %lld 分钟后再试 (too many failed logins from "
		    "this address; try again in %lld minutes)",
		    (long long)(until - now + 59) / 60,
		    (long long)(until - now + 59) / 60);
	}
	lf_error_clear(&err);
	if (users_login(r->s, login, pw, now, &ses, &err)) {
		unsigned st = login_status(err.code);

		if (strcmp(err.code, "bad_login") == 0 ||
		    strcmp(err.code, "locked") == 0)
			login_failed(r, login, now);
		login_refused(r, login, err.code);
		json_decref(body);
		if (st >= 500)
			return reply_lf_error(r, &err);
		return reply_error(r, st, st == 401 ? "bad_login" : err.code,
		    "", "%s", st == 401 ? "用户名或密码错误 (wrong login or "
		    "password)" : err.message);
	}
	login_succeeded(r, login);
	json_decref(body);
	lf_error_clear(&err);
	if (users_session(r->s, ses.token, (int64_t)time(NULL), &u, &si,
	    &err) != 0 || fill_principal(r, &u, &si, ses.token) != 0)
		return reply_error(r, 500, "store", "", "登录失败 (login failed)");
	r->authed = 1;
	http_audit(r, "session.login", "user", r->who.login, "ok", "");
	return login_ok(r, &ses);
}

enum MHD_Result
h_session_get(struct req *r)
{
	return reply_json(r, 200, json_pack("{s:o,s:s}", "user", user_json(r),
	    "csrf", r->who.csrf));
}

enum MHD_Result
h_session_logout(struct req *r)
{
	struct MHD_Response *resp;
	struct lf_error err;
	static const char body[] = "{\"ok\":true}";

	lf_error_clear(&err);
	if (users_logout(r->s, r->who.token, &err) != 0)
		return reply_lf_error(r, &err);
	http_audit(r, "session.logout", "user", r->who.login, "ok", "");
	resp = MHD_create_response_from_buffer(sizeof(body) - 1,
	    (void *)body, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Set-Cookie", SESSION_COOKIE "=; Path=/;"
	    " HttpOnly; SameSite=Strict; Max-Age=0");
	return reply_queue(r, 200, resp);
}

/*
 * test_users.c - accounts, login with lockout, sessions: validation rows,
 * expiry by moving `now`, revocation, tokens stored only hashed, and
 * store failures leaving nothing half-written. On a new SQLite file, and
 * with LIANGFU_TEST_PG_URL set on that PostgreSQL registry (tests/pg/
 * run.sh): the same tests, the rows through store/dbq.h on either.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/dbq.h"
#include "store/store.h"
#include "core/dept.h"
#include "auth/users.h"
#include "testutil.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define T0	INT64_C(1700000000)	/* 2023-11-14T22:13:20Z */
#define PW	"Abc1234!xy"
#define PW2	"Xyz9876?ab"

struct fx {
	char		 dir[64];
	char		 db[128];
	struct store	*s;
};

static void
add(struct fx *fx, const char *login, const char *role, const char *region,
    const char *dept)
{
	struct user_new n = { login, role, region, dept, PW, T0 };
	struct lf_error err;

	lf_error_clear(&err);
	if (users_add(fx->s, &n, &err) != 0)
		fail_msg("add %s: %s", login, err.message);
}

static void sql(struct fx *fx, const char *stmt);

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct lf_error err;

	users_forget_unknown();

	fx->s = tu_store_any(fx->dir, fx->db, "t.db");
	if (users_init(fx->s, &err) != 0)
		fail_msg("%s", err.message);
	/* PostgreSQL's tables outlive the test */
	if (tu_pg_url() != NULL)
		sql(fx, "DELETE FROM sessions; DELETE FROM users");
	add(fx, "alice", "county", "510104", NULL);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->s);
	tu_rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Runs SQL on a second connection to the database. */
static void
sql(struct fx *fx, const char *stmt)
{
	struct lf_error err;
	struct store *s;
	sqlite3 *db;

	if (tu_pg_url() != NULL) {
		if (store_open_any(fx->db, tu_catalog(), tu_regions(), &s,
		    &err) != 0 || dbq_script(s, stmt, "sql", &err) != 0)
			fail_msg("%s: %s", stmt, err.message);
		store_close(s);
		return;
	}
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, stmt, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", stmt, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* Logs in; returns NULL on success or the error code. */
static const char *
login(struct fx *fx, const char *user, const char *pw, int64_t now,
    struct session *out)
{
	struct session tmp;
	struct lf_error err;

	lf_error_clear(&err);
	if (out == NULL)
		out = &tmp;
	if (users_login(fx->s, user, pw, now, out, &err) == 0)
		return NULL;
	assert_non_null(err.code);
	/* a failed login hands out no token */
	assert_int_equal(out->token[0], '\0');
	return err.code;
}

static int
check(struct fx *fx, const char *token, int64_t now)
{
	struct session_info si;
	struct lf_error err;
	struct user u;
	int rc;

	lf_error_clear(&err);
	rc = users_session(fx->s, token, now, &u, &si, &err);
	if (rc == 1)
		assert_string_equal(err.code, "session");
	if (rc == -1)
		fail_msg("%s", err.message);
	return rc;
}

static struct user
get(struct fx *fx, const char *user)
{
	struct lf_error err;
	struct user u;

	if (users_get(fx->s, user, &u, &err) != 0)
		fail_msg("get %s", user);
	return u;
}

/* ---- tables ---------------------------------------------------------- */

static void
test_tables(void **state)
{
	static const char *const codes[] = { "village", "township", "county",
	    "city", "province", "department", "supervisor", "auditor",
	    "admin" };
	static const struct {
		const char	*in;
		const char	*code;	/* NULL = unknown */
	} depts[] = {
		{ "civil", "civil" }, { "民政", "civil" }, { "hrss", "hrss" },
		{ "人社", "hrss" }, { "health", "health" },
		{ "medins", "medins" }, { "edu", "edu" },
		{ "housing", "housing" }, { "农业农村", "agri" },
		{ "cdpf", "cdpf" }, { "残联", "cdpf" },
		{ "justice", "justice" }, { "culture", "culture" },
		{ "ndrc", "ndrc" }, { "emergency", "emergency" },
		{ "finance", "finance" }, { "财政", "finance" },
		{ "Civil", NULL }, { "", NULL }, { NULL, NULL }, { "民", NULL },
	};
	const struct dept *d;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(codes); i++) {
		assert_non_null(users_role_find(codes[i]));
		assert_int_equal(users_role_find(codes[i])->role, (int)i);
		assert_string_equal(users_role_get((enum user_role)i)->code,
		    codes[i]);
	}
	assert_int_equal(nitems(codes), USER_NROLES);
	assert_null(users_role_find("mayor"));
	assert_null(users_role_find(""));
	assert_null(users_role_find(NULL));
	for (i = 0; i < nitems(depts); i++) {
		d = dept_find(depts[i].in);
		if (depts[i].code == NULL)
			assert_null(d);
		else {
			assert_non_null(d);
			assert_string_equal(d->code, depts[i].code);
		}
	}
}

/* ---- adding ---------------------------------------------------------- */

static const struct {
	const char	*login;
	const char	*role;
	const char	*region;
	const char	*dept;
	const char	*pw;
	const char	*code;		/* NULL = added */
	const char	*stored_dept;
} add_rows[] = {
	{ "abc", "county", "510104", NULL, PW, NULL, "" },
	{ "ab", "county", "510104", NULL, PW, "login", NULL },
	{ "a234567890123456789012345678901x", "county", "510104", NULL, PW,
	    NULL, "" },					/* 32 */
	{ "a234567890123456789012345678901xy", "county", "510104", NULL, PW,
	    "login", NULL },				/* 33 */
	{ "Bob", "county", "510104", NULL, PW, "login", NULL },
	{ "b b", "county", "510104", NULL, PW, "login", NULL },
	{ "张三", "county", "510104", NULL, PW, "login", NULL },
	{ "", "county", "510104", NULL, PW, "login", NULL },
	{ NULL, "county", "510104", NULL, PW, "login", NULL },
	{ "a.b-c_9", "county", "510104", NULL, PW, NULL, "" },
	{ "r1", "mayor", "510104", NULL, PW, "login", NULL },
	{ "role1", "mayor", "510104", NULL, PW, "role", NULL },
	{ "role2", "", "510104", NULL, PW, "role", NULL },
	{ "role3", NULL, "510104", NULL, PW, "role", NULL },
	{ "role4", "County", "510104", NULL, PW, "role", NULL },
	{ "reg1", "county", "999999", NULL, PW, "region", NULL },
	{ "reg2", "county", "51x104", NULL, PW, "region", NULL },
	{ "reg3", "county", "", NULL, PW, "region", NULL },
	{ "reg4", "county", NULL, NULL, PW, "region", NULL },
	{ "reg5", "county", "5101", NULL, PW, "region", NULL },	/* a city */
	{ "reg6", "village", "510104017", NULL, PW, "region", NULL },
	{ "vil1", "village", "510104017001", NULL, PW, NULL, "" },
	{ "town1", "township", "510104017", NULL, PW, NULL, "" },
	{ "city1", "city", "5101", NULL, PW, NULL, "" },
	{ "prov1", "province", "51", NULL, PW, NULL, "" },
	{ "prov2", "province", "5101", NULL, PW, "region", NULL },
	{ "adm1", "admin", "510104017001", NULL, PW, NULL, "" },
	{ "sup1", "supervisor", "5101", NULL, PW, NULL, "" },
	{ "aud1", "auditor", "51", NULL, PW, NULL, "" },
	{ "dep1", "department", "510104", "civil", PW, NULL, "civil" },
	{ "dep2", "department", "51", "民政", PW, NULL, "civil" },
	{ "dep3", "department", "510104", NULL, PW, "department", NULL },
	{ "dep4", "department", "510104", "", PW, "department", NULL },
	{ "dep5", "department", "510104", "xyz", PW, "department", NULL },
	{ "dep6", "county", "510104", "civil", PW, "department", NULL },
	{ "dep7", "department", "999", "cdpf", PW, "region", NULL },
	{ "pw1", "county", "510104", NULL, "short", "password", NULL },
	{ "pw2", "county", "510104", NULL, "abcdefghij", "password", NULL },
	{ "pw3", "county", "510104", NULL, NULL, "password", NULL },
	{ "alice", "county", "510104", NULL, PW, "exists", NULL },
	{ "abc", "city", "5101", NULL, PW2, "exists", NULL },
};

static void
test_add_rows(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	struct user u;
	size_t i;
	int rc;

	for (i = 0; i < nitems(add_rows); i++) {
		struct user_new n = { add_rows[i].login, add_rows[i].role,
		    add_rows[i].region, add_rows[i].dept, add_rows[i].pw,
		    T0 + (int64_t)i };

		lf_error_clear(&err);
		rc = users_add(fx->s, &n, &err);
		if (add_rows[i].code == NULL) {
			if (rc != 0)
				fail_msg("row %zu: %s", i, err.message);
			u = get(fx, n.login);
			assert_string_equal(users_role_get(u.role)->code,
			    n.role);
			assert_string_equal(u.region, n.region);
			assert_string_equal(u.department,
			    add_rows[i].stored_dept);
			assert_int_equal(u.created_at, T0 + (int64_t)i);
			assert_int_equal(u.pw_changed_at, T0 + (int64_t)i);
			assert_int_equal(u.disabled, 0);
			continue;
		}
		if (rc != -1 || err.code == NULL ||
		    strcmp(err.code, add_rows[i].code) != 0)
			fail_msg("row %zu: rc %d code %s, want %s", i, rc,
			    err.code ? err.code : "-", add_rows[i].code);
		assert_true((unsigned char)err.message[0] >= 0x80);
		if (n.login != NULL && strcmp(add_rows[i].code, "exists") != 0)
			assert_int_equal(users_get(fx->s, n.login, &u, &err),
			    1);
	}
	/* no password in any message */
	assert_null(strstr(err.message, PW));
}

static void
test_check(void **state)
{
	struct fx *fx = *state;
	struct user_new n = { "newbie", "county", "510104", NULL, NULL, 0 };
	struct lf_error err;

	lf_error_clear(&err);
	assert_int_equal(users_check(fx->s, &n, &err), 0);
	n.password = "short";
	assert_int_equal(users_check(fx->s, &n, &err), -1);
	assert_string_equal(err.code, "password");
	n.password = NULL;
	n.login = "alice";
	assert_int_equal(users_check(fx->s, &n, &err), -1);
	assert_string_equal(err.code, "exists");
	n.role = "mayor";
	assert_int_equal(users_check(fx->s, &n, &err), -1);
	assert_string_equal(err.code, "role");
	/* nothing was added; the clock's time when now is 0 */
	assert_int_equal(users_get(fx->s, "newbie", &(struct user){ 0 },
	    &err), 1);
	n.login = "newbie";
	n.role = "county";
	n.password = PW;
	assert_int_equal(users_add(fx->s, &n, &err), 0);
	assert_true(get(fx, "newbie").created_at > T0);
}

struct seen {
	char	 s[128];
};

static int
on_user(void *arg, const struct user *u)
{
	struct seen *seen = arg;
	size_t n = strlen(seen->s);

	snprintf(seen->s + n, sizeof(seen->s) - n, "%s,", u->login);
	return 0;
}

static int
stop_second(void *arg, const struct user *u)
{
	int *n = arg;

	(void)u;
	return ++*n == 2 ? 7 : 0;
}

static void
test_get_list(void **state)
{
	static const struct {
		const char	*prefix;
		const char	*logins;	/* in order, comma after each */
	} rows[] = {
		{ NULL, "alice,bob,carol,dave," },
		{ "", "alice,bob,carol,dave," },
		{ "51", "alice,bob,carol,dave," },
		{ "5101", "alice,bob,carol," },
		{ "510104", "alice,carol," },
		{ "510104017", "carol," },
		{ "5102", "" },
	};
	struct fx *fx = *state;
	struct lf_error err;
	struct user u;
	struct seen seen;
	size_t i;
	int n;

	add(fx, "dave", "province", "51", NULL);
	add(fx, "bob", "city", "5101", NULL);
	add(fx, "carol", "village", "510104017001", NULL);
	lf_error_clear(&err);
	for (i = 0; i < nitems(rows); i++) {
		seen.s[0] = '\0';
		assert_int_equal(users_list(fx->s, rows[i].prefix,
		    on_user, &seen, &err), 0);
		assert_string_equal(seen.s, rows[i].logins);
	}
	/* the callback stops the walk with its value */
	n = 0;
	assert_int_equal(users_list(fx->s, NULL, stop_second, &n, &err), 7);
	assert_int_equal(n, 2);
	u = get(fx, "bob");
	assert_int_equal(users_get_id(fx->s, u.id, &u, &err), 0);
	assert_string_equal(u.login, "bob");
	assert_int_equal(u.role, USER_CITY);
	assert_int_equal(users_get_id(fx->s, 999999, &u, &err), 1);
	assert_int_equal(users_get(fx->s, "nobody", &u, &err), 1);
	assert_int_equal(users_get(fx->s, NULL, &u, &err), 1);
}

/* ---- login ------------------------------------------------------------- */

static int
is_hex(const char *s, size_t len)
{
	return strlen(s) == len && strspn(s, "0123456789abcdef") == len;
}

static void
test_login_ok(void **state)
{
	struct fx *fx = *state;
	struct session a, b;
	struct session_info si;
	struct lf_error err;
	struct user u;

	assert_null(login(fx, "alice", PW, T0, &a));
	assert_true(is_hex(a.token, USERS_TOKEN_HEX));
	assert_true(is_hex(a.info.csrf, USERS_CSRF_HEX));
	assert_string_not_equal(a.token, a.info.csrf);
	assert_int_equal(a.info.created_at, T0);
	assert_int_equal(a.info.last_seen, T0);
	assert_int_equal(a.info.expires_at, T0 + USERS_ABSOLUTE_SECS);
	assert_int_equal(a.info.user_id, get(fx, "alice").id);
	/* a second login is a second, independent session */
	assert_null(login(fx, "alice", PW, T0 + 1, &b));
	assert_string_not_equal(a.token, b.token);
	assert_string_not_equal(a.info.csrf, b.info.csrf);
	assert_true(a.info.id != b.info.id);
	lf_error_clear(&err);
	assert_int_equal(users_session(fx->s, a.token, T0 + 10, &u, &si,
	    &err), 0);
	assert_string_equal(u.login, "alice");
	assert_int_equal(u.role, USER_COUNTY);
	assert_string_equal(u.region, "510104");
	assert_int_equal(si.id, a.info.id);
	assert_string_equal(si.csrf, a.info.csrf);
	assert_int_equal(si.expires_at, T0 + USERS_ABSOLUTE_SECS);
	/* u and si may be NULL */
	assert_int_equal(users_session(fx->s, b.token, T0 + 10, NULL, NULL,
	    &err), 0);
}

static void
test_login_refused(void **state)
{
	static const struct {
		const char	*login;
		const char	*pw;
	} rows[] = {
		{ "alice", "Abc1234!xz" },	/* wrong password */
		{ "alice", "" },
		{ "alice", NULL },
		{ "alice", "ABC1234!XY" },
		{ "Alice", PW },		/* logins are exact */
		{ "nobody", PW },		/* unknown */
		{ "x", PW },			/* not even a login */
		{ "", PW },
		{ NULL, PW },
	};
	struct fx *fx = *state;
	struct session out;
	struct lf_error err, first;
	size_t i;

	for (i = 0; i < nitems(rows); i++) {
		lf_error_clear(&err);
		memset(&out, 0x55, sizeof(out));
		assert_int_equal(users_login(fx->s, rows[i].login, rows[i].pw,
		    T0, &out, &err), -1);
		assert_string_equal(err.code, "bad_login");
		assert_int_equal(out.token[0], '\0');
		/* the same answer, word for word, whoever asks */
		if (i == 0)
			first = err;
		assert_string_equal(err.message, first.message);
	}
	/* four wrong passwords above; one more does not lock yet... */
	assert_int_equal(get(fx, "alice").failed_count, 4);
	/* ...because a success resets the count */
	assert_null(login(fx, "alice", PW, T0, NULL));
	assert_int_equal(get(fx, "alice").failed_count, 0);
	assert_string_equal(login(fx, "alice", "wrong-Pass1", T0, NULL),
	    "bad_login");
	assert_int_equal(get(fx, "alice").failed_count, 1);
}

static void
test_lockout(void **state)
{
	/* attempt times (seconds after T0), password, expected code */
	static const struct {
		int64_t		 at;
		const char	*pw;
		const char	*code;
	} rows[] = {
		{ 0, "wrong-Pass1", "bad_login" },
		{ 10, "wrong-Pass1", "bad_login" },
		{ 20, "wrong-Pass1", "bad_login" },
		{ 30, "wrong-Pass1", "bad_login" },
		{ 40, "wrong-Pass1", "locked" },	/* the fifth locks */
		{ 41, PW, "locked" },			/* even the right one */
		{ 40 + USERS_LOCK_SECS - 1, PW, "locked" },
		{ 40 + USERS_LOCK_SECS - 1, "wrong-Pass1", "locked" },
		{ 40 + USERS_LOCK_SECS, "wrong-Pass1", "bad_login" },
		{ 40 + USERS_LOCK_SECS + 1, PW, NULL },	/* unlocked */
		/* the count restarted: four more wrong do not lock */
		{ 2000, "wrong-Pass1", "bad_login" },
		{ 2001, "wrong-Pass1", "bad_login" },
		{ 2002, "wrong-Pass1", "bad_login" },
		{ 2003, "wrong-Pass1", "bad_login" },
		{ 2004, PW, NULL },
	};
	struct fx *fx = *state;
	struct lf_error err;
	struct session out;
	const char *code;
	size_t i;

	for (i = 0; i < nitems(rows); i++) {
		code = login(fx, "alice", rows[i].pw, T0 + rows[i].at, NULL);
		if ((code == NULL) != (rows[i].code == NULL) ||
		    (code != NULL && strcmp(code, rows[i].code) != 0))
			fail_msg("row %zu: %s, want %s", i, code ? code : "ok",
			    rows[i].code ? rows[i].code : "ok");
	}
	/* the message says until when, in Beijing time */
	for (i = 0; i < USERS_MAX_FAILURES; i++)
		login(fx, "alice", "wrong-Pass1", T0 + 3000, NULL);
	lf_error_clear(&err);
	assert_int_equal(users_login(fx->s, "alice", PW, T0 + 3001, &out,
	    &err), -1);
	assert_string_equal(err.code, "locked");
	/* T0 + 3000 + 900 = 2023-11-14T23:18:20Z = 2023-11-15 07:18:20 +8 */
	assert_non_null(strstr(err.message, "2023-11-15 07:18:20"));
	assert_int_equal(get(fx, "alice").locked_until,
	    T0 + 3000 + USERS_LOCK_SECS);
	/* other accounts are not affected */
	add(fx, "bob", "county", "510104", NULL);
	assert_null(login(fx, "bob", PW, T0 + 3001, NULL));
}

/* An unknown login gets the same answers at the same attempts as a
 * known one: bad_login, then locked at the fifth, until the lock ends. */
static void
test_lockout_unknown_same(void **state)
{
	static const int64_t at[] = { 0, 10, 20, 30, 40, 41,
	    40 + USERS_LOCK_SECS - 1, 40 + USERS_LOCK_SECS,
	    40 + USERS_LOCK_SECS + 1 };
	struct fx *fx = *state;
	struct lf_error ek, eu;
	struct session out;
	size_t i;

	for (i = 0; i < nitems(at); i++) {
		lf_error_clear(&ek);
		lf_error_clear(&eu);
		assert_int_equal(users_login(fx->s, "alice", "wrong-Pass1",
		    T0 + at[i], &out, &ek), -1);
		assert_int_equal(users_login(fx->s, "nobody", "wrong-Pass1",
		    T0 + at[i], &out, &eu), -1);
		if (strcmp(ek.code, eu.code) != 0 ||
		    strcmp(ek.message, eu.message) != 0)
			fail_msg("attempt %zu: known %s \"%s\", unknown %s "
			    "\"%s\"", i, ek.code, ek.message, eu.code,
			    eu.message);
		assert_string_equal(ek.code, i >= 4 && i <= 6 ? "locked" :
		    "bad_login");
	}
}

/* Failures spread out (a pause of USERS_FAIL_WINDOW between runs) never
 * lock, known login or not. */
static void
test_lockout_window(void **state)
{
	static const char *const who[] = { "alice", "nobody2" };
	struct fx *fx = *state;
	size_t i, k;

	for (k = 0; k < nitems(who); k++) {
		for (i = 0; i < 4; i++)
			assert_string_equal(login(fx, who[k], "wrong-Pass1",
			    T0 + (int64_t)i, NULL), "bad_login");
		/* each a whole window after the one before: new runs */
		for (i = 0; i < 4; i++)
			assert_string_equal(login(fx, who[k], "wrong-Pass1",
			    T0 + 3 + USERS_FAIL_WINDOW + (int64_t)i *
			    USERS_FAIL_WINDOW, NULL), "bad_login");
	}
	/* a pause of a whole window ended each run: alice still logs in */
	assert_null(login(fx, "alice", PW, T0 + 10 * USERS_FAIL_WINDOW,
	    NULL));
	/* and inside one window the fifth locks */
	for (i = 0; i < 5; i++)
		login(fx, "alice", "wrong-Pass1", T0 + 20 * USERS_FAIL_WINDOW +
		    (int64_t)i * (USERS_FAIL_WINDOW - 1), NULL);
	assert_non_null(login(fx, "alice", PW, T0 + 24 * USERS_FAIL_WINDOW,
	    NULL));
	assert_string_equal(login(fx, "alice", PW, T0 + 24 *
	    USERS_FAIL_WINDOW, NULL), "locked");
}

static void
test_disabled(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	struct session a;

	assert_null(login(fx, "alice", PW, T0, &a));
	lf_error_clear(&err);
	assert_int_equal(users_disable(fx->s, "alice", &err), 0);
	assert_int_equal(get(fx, "alice").disabled, 1);
	/* its sessions are gone */
	assert_int_equal(check(fx, a.token, T0 + 1), 1);
	/* only the right password learns that the account is disabled */
	assert_string_equal(login(fx, "alice", PW, T0 + 2, NULL), "disabled");
	assert_string_equal(login(fx, "alice", PW2, T0 + 2, NULL),
	    "bad_login");
	/* disabling twice is fine; an unknown login is not */
	assert_int_equal(users_disable(fx->s, "alice", &err), 0);
	assert_int_equal(users_disable(fx->s, "nobody", &err), -1);
	assert_string_equal(err.code, "not_found");
	assert_int_equal(users_disable(fx->s, NULL, &err), -1);
	assert_string_equal(err.code, "not_found");
}

static void
test_disabled_user_session(void **state)
{
	struct fx *fx = *state;
	struct session a;

	/* a user disabled behind our back: the session stops at once */
	assert_null(login(fx, "alice", PW, T0, &a));
	assert_int_equal(check(fx, a.token, T0 + 1), 0);
	sql(fx, "UPDATE users SET disabled = 1 WHERE login = 'alice'");
	assert_int_equal(check(fx, a.token, T0 + 2), 1);
}

/* ---- sessions ---------------------------------------------------------- */

static void
test_idle_expiry(void **state)
{
	/* checks (seconds after login) and the expected result, per run */
	static const struct {
		int64_t	 at[4];
		int	 rc[4];
		int	 n;
	} runs[] = {
		{ { USERS_IDLE_SECS - 1 }, { 0 }, 1 },
		{ { USERS_IDLE_SECS }, { 1 }, 1 },
		{ { USERS_IDLE_SECS + 5000 }, { 1 }, 1 },
		/* each use moves the idle limit */
		{ { 1000, 1000 + USERS_IDLE_SECS - 1,
		    1000 + 2 * USERS_IDLE_SECS - 2 }, { 0, 0, 0 }, 3 },
		{ { 1000, 1000 + USERS_IDLE_SECS }, { 0, 1 }, 2 },
		/* last seen is recorded only every USERS_TOUCH_SECS */
		{ { USERS_TOUCH_SECS - 1, USERS_IDLE_SECS }, { 0, 1 }, 2 },
		{ { USERS_TOUCH_SECS, USERS_TOUCH_SECS + USERS_IDLE_SECS - 1 },
		    { 0, 0 }, 2 },
		{ { USERS_TOUCH_SECS, USERS_TOUCH_SECS + USERS_IDLE_SECS },
		    { 0, 1 }, 2 },
		/* a refused check does not count as use */
		{ { USERS_IDLE_SECS, USERS_IDLE_SECS + 30 }, { 1, 1 }, 2 },
	};
	struct fx *fx = *state;
	struct session a;
	size_t i;
	int j;

	for (i = 0; i < nitems(runs); i++) {
		int64_t t = T0 + 100000 * (int64_t)i;

		assert_null(login(fx, "alice", PW, t, &a));
		for (j = 0; j < runs[i].n; j++)
			if (check(fx, a.token, t + runs[i].at[j]) !=
			    runs[i].rc[j])
				fail_msg("run %zu check %d", i, j);
	}
}

static void
test_absolute_expiry(void **state)
{
	struct fx *fx = *state;
	struct session a;
	int64_t t;

	assert_null(login(fx, "alice", PW, T0, &a));
	/* used every 20 minutes: alive until 12 hours, not a second more */
	for (t = T0 + 1200; t < T0 + USERS_ABSOLUTE_SECS; t += 1200)
		assert_int_equal(check(fx, a.token, t), 0);
	assert_int_equal(check(fx, a.token, T0 + USERS_ABSOLUTE_SECS - 1), 0);
	assert_int_equal(check(fx, a.token, T0 + USERS_ABSOLUTE_SECS), 1);
	assert_int_equal(check(fx, a.token, T0 + USERS_ABSOLUTE_SECS + 1), 1);
}

static void
test_logout(void **state)
{
	struct fx *fx = *state;
	struct session a, b;
	struct lf_error err;
	char upper[USERS_TOKEN_HEX + 1];
	size_t i;

	assert_null(login(fx, "alice", PW, T0, &a));
	assert_null(login(fx, "alice", PW, T0, &b));
	lf_error_clear(&err);
	/* an upper-case copy of the token is not the token */
	for (i = 0; i <= USERS_TOKEN_HEX; i++)
		upper[i] = (char)(a.token[i] >= 'a' ? a.token[i] - 32 :
		    a.token[i]);
	assert_int_equal(users_logout(fx->s, upper, &err), 1);
	assert_int_equal(users_logout(fx->s, a.token, &err), 0);
	assert_int_equal(check(fx, a.token, T0 + 1), 1);
	/* the other session lives on */
	assert_int_equal(check(fx, b.token, T0 + 1), 0);
	/* logging out twice is fine */
	assert_int_equal(users_logout(fx->s, a.token, &err), 0);
	/* a well-formed unknown token, and malformed ones */
	memset(upper, 'a', USERS_TOKEN_HEX);
	assert_int_equal(users_logout(fx->s, upper, &err), 1);
	assert_string_equal(err.code, "session");
	assert_int_equal(users_logout(fx->s, NULL, &err), 1);
	assert_int_equal(users_logout(fx->s, "abc", &err), 1);
	/* a new login after logout deletes the revoked session */
	assert_null(login(fx, "alice", PW, T0 + 2, NULL));
}

/*
 * The server checks sessions on one connection per thread with a statement
 * kept prepared, while logout, password changes and disabling happen on
 * other connections: every revocation must show on the next check there.
 */
static void
test_revoked_elsewhere(void **state)
{
	static const char *const how[] = { "logout", "passwd", "disable",
	    "expire" };
	struct fx *fx = *state;
	struct store *other;
	struct session a, b;
	struct lf_error err;
	size_t i;

	lf_error_clear(&err);
	if (store_open_any(fx->db, tu_catalog(), tu_regions(), &other,
	    &err) != 0)
		fail_msg("%s", err.message);
	for (i = 0; i < nitems(how); i++) {
		int64_t t = T0 + 100000 * (int64_t)i;

		/* the checking connection has its statement prepared */
		assert_null(login(fx, "alice", PW, t, &a));
		assert_null(login(fx, "alice", PW, t, &b));
		assert_int_equal(check(fx, a.token, t + 1), 0);
		assert_int_equal(check(fx, b.token, t + 1), 0);
		if (i == 0)
			assert_int_equal(users_logout(other, a.token, &err), 0);
		else if (i == 1)
			assert_int_equal(users_passwd(other, "alice", PW, &err),
			    0);
		else if (i == 2)
			assert_int_equal(users_disable(other, "alice", &err), 0);
		else
			sql(fx, "UPDATE sessions SET expires_at = 0");
		assert_int_equal(check(fx, a.token, t + 2), 1);
		/* logout ends one session; the others end every session */
		assert_int_equal(check(fx, b.token, t + 2), i == 0 ? 0 : 1);
		if (i == 2)
			sql(fx, "UPDATE users SET disabled = 0");
	}
	store_close(other);
}

static void
test_bad_tokens(void **state)
{
	struct fx *fx = *state;
	struct session a;
	char t[USERS_TOKEN_HEX + 2];
	const char *bad[6];
	size_t i;

	assert_null(login(fx, "alice", PW, T0, &a));
	bad[0] = NULL;
	bad[1] = "";
	bad[2] = "zz";
	bad[3] = a.info.csrf;			/* the CSRF token is no key */
	bad[4] = t;
	bad[5] = t;
	for (i = 0; i < 4; i++)
		assert_int_equal(check(fx, bad[i], T0 + 1), 1);
	snprintf(t, sizeof(t), "%sa", a.token);		/* 65 */
	assert_int_equal(check(fx, bad[4], T0 + 1), 1);
	t[USERS_TOKEN_HEX - 1] = '\0';			/* 63 */
	assert_int_equal(check(fx, bad[5], T0 + 1), 1);
	snprintf(t, sizeof(t), "%s", a.token);
	t[10] = 'g';
	assert_int_equal(check(fx, t, T0 + 1), 1);
	assert_int_equal(check(fx, a.token, T0 + 1), 0);
}

static void
test_passwd(void **state)
{
	struct fx *fx = *state;
	struct session a, b;
	struct lf_error err;
	int64_t before;

	assert_null(login(fx, "alice", PW, T0, &a));
	assert_null(login(fx, "alice", PW, T0, &b));
	before = get(fx, "alice").pw_changed_at;
	lf_error_clear(&err);
	/* refused by the policy: nothing changes */
	assert_int_equal(users_passwd(fx->s, "alice", "short", &err), -1);
	assert_string_equal(err.code, "password");
	assert_int_equal(users_passwd(fx->s, "alice", NULL, &err), -1);
	assert_string_equal(err.code, "password");
	assert_int_equal(check(fx, a.token, T0 + 1), 0);
	assert_int_equal(users_passwd(fx->s, "nobody", PW2, &err), -1);
	assert_string_equal(err.code, "not_found");
	assert_int_equal(users_passwd(fx->s, NULL, PW2, &err), -1);
	assert_string_equal(err.code, "not_found");
	/* changed: every session ends, only the new password works */
	assert_int_equal(users_passwd(fx->s, "alice", PW2, &err), 0);
	assert_int_equal(check(fx, a.token, T0 + 2), 1);
	assert_int_equal(check(fx, b.token, T0 + 2), 1);
	assert_true(get(fx, "alice").pw_changed_at > before);
	assert_string_equal(login(fx, "alice", PW, T0 + 3, NULL),
	    "bad_login");
	assert_null(login(fx, "alice", PW2, T0 + 3, NULL));
}

static void
test_passwd_unlocks(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	int i;

	for (i = 0; i < USERS_MAX_FAILURES; i++)
		login(fx, "alice", "wrong-Pass1", T0, NULL);
	assert_string_equal(login(fx, "alice", PW, T0 + 1, NULL), "locked");
	lf_error_clear(&err);
	assert_int_equal(users_passwd(fx->s, "alice", PW2, &err), 0);
	assert_int_equal(get(fx, "alice").locked_until, 0);
	assert_null(login(fx, "alice", PW2, T0 + 2, NULL));
}

/* ---- at rest --------------------------------------------------------- */

static void
test_token_hashed(void **state)
{
	struct fx *fx = *state;
	unsigned char raw[USERS_TOKEN_HEX / 2];
	char wal[160], hexbyte[3];
	struct session a;
	struct lf_error err;
	struct dbq q;
	sqlite3_stmt *st;
	sqlite3 *db;
	size_t i;

	assert_null(login(fx, "alice", PW, T0, &a));
	for (i = 0; i < sizeof(raw); i++) {
		memcpy(hexbyte, a.token + 2 * i, 2);
		hexbyte[2] = '\0';
		raw[i] = (unsigned char)strtoul(hexbyte, NULL, 16);
	}
	/* what is stored, on either backend: a 32-byte hash, and an
	 * Argon2id string */
	assert_int_equal(dbq_prep(fx->s, &q, "SELECT length(token_hash), "
	    "(SELECT pw_hash FROM users WHERE login = 'alice'), csrf FROM "
	    "sessions", "stored", &err), 0);
	assert_int_equal(dbq_step(&q, &err), 1);
	assert_int_equal(dbq_int(&q, 0), 32);
	assert_int_equal(strncmp(dbq_text0(&q, 1), "$argon2id$", 10), 0);
	assert_string_equal(dbq_text0(&q, 2), a.info.csrf);
	dbq_end(&q);
	if (tu_pg_url() != NULL)
		return;		/* its files are the server's */
	snprintf(wal, sizeof(wal), "%s-wal", fx->db);
	/* the CSRF token is stored (to compare with); the token is not */
	assert_true(tu_file_has(fx->db, a.info.csrf, USERS_CSRF_HEX) ||
	    tu_file_has(wal, a.info.csrf, USERS_CSRF_HEX));
	assert_false(tu_file_has(fx->db, a.token, USERS_TOKEN_HEX));
	assert_false(tu_file_has(wal, a.token, USERS_TOKEN_HEX));
	assert_false(tu_file_has(fx->db, raw, sizeof(raw)));
	assert_false(tu_file_has(wal, raw, sizeof(raw)));
	/* nor the password */
	assert_false(tu_file_has(fx->db, PW, strlen(PW)));
	assert_false(tu_file_has(wal, PW, strlen(PW)));
	/* SQLite keeps the hash as a blob */
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT typeof(token_hash) "
	    "FROM sessions", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "blob");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
test_init_reopen(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	struct session a;

	assert_null(login(fx, "alice", PW, T0, &a));
	lf_error_clear(&err);
	/* users_init is idempotent and keeps what is there */
	assert_int_equal(users_init(fx->s, &err), 0);
	store_close(fx->s);
	if (store_open_any(fx->db, tu_catalog(), tu_regions(), &fx->s,
	    &err) != 0 || users_init(fx->s, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(check(fx, a.token, T0 + 1), 0);
	assert_null(login(fx, "alice", PW, T0 + 2, NULL));
}

static void
test_no_regions(void **state)
{
	struct fx *fx = *state;
	struct user_new n = { "bob", "county", "510104", NULL, PW, T0 };
	struct lf_error err;
	struct store *s;

	lf_error_clear(&err);
	assert_int_equal(store_open_any(fx->db, tu_catalog(), NULL, &s, &err),
	    0);
	assert_int_equal(users_add(s, &n, &err), -1);
	assert_string_equal(err.code, "region");
	store_close(s);
}

/* ---- failures below --------------------------------------------------- */

static void
test_store_errors(void **state)
{
	struct fx *fx = *state;
	struct session a;
	struct lf_error err;
	struct user u;

	assert_null(login(fx, "alice", PW, T0, &a));
	sql(fx, "ALTER TABLE sessions RENAME TO gone");
	lf_error_clear(&err);
	assert_int_equal(users_login(fx->s, "alice", PW, T0, &a, &err), -1);
	assert_string_equal(err.code, "store");
	assert_int_equal(a.token[0], '\0');
	assert_int_equal(users_session(fx->s, "00000000000000000000000000000"
	    "00000000000000000000000000000000000", T0, NULL, NULL, &err), -1);
	assert_int_equal(users_logout(fx->s, "00000000000000000000000000000"
	    "00000000000000000000000000000000000", &err), -1);
	/* all or nothing: the user is not disabled, the password kept */
	assert_int_equal(users_disable(fx->s, "alice", &err), -1);
	assert_string_equal(err.code, "store");
	assert_int_equal(get(fx, "alice").disabled, 0);
	assert_int_equal(users_passwd(fx->s, "alice", PW2, &err), -1);
	assert_string_equal(err.code, "store");
	sql(fx, "ALTER TABLE gone RENAME TO sessions");
	assert_null(login(fx, "alice", PW, T0 + 1, NULL));
	/* a row with an unknown role is reported, not guessed */
	sql(fx, "UPDATE users SET role = 'mayor' WHERE login = 'alice'");
	assert_int_equal(users_get(fx->s, "alice", &u, &err), -1);
	assert_string_equal(err.code, "corrupt");
	assert_int_equal(users_list(fx->s, NULL, on_user, &(struct seen){ "" },
	    &err), -1);
	assert_int_equal(users_login(fx->s, "alice", PW, T0, &a, &err), -1);
	assert_string_equal(err.code, "corrupt");
	/* tables gone (renamed away: PostgreSQL's outlive the test) */
	sql(fx, "ALTER TABLE sessions RENAME TO gone_s; ALTER TABLE users "
	    "RENAME TO gone_u");
	assert_int_equal(users_get(fx->s, "alice", &u, &err), -1);
	assert_int_equal(users_get_id(fx->s, 1, &u, &err), -1);
	assert_int_equal(users_list(fx->s, NULL, on_user, &(struct seen){ "" },
	    &err), -1);
	assert_int_equal(users_add(fx->s, &(struct user_new){ "bob", "county",
	    "510104", NULL, PW, T0 }, &err), -1);
	assert_string_equal(err.code, "store");
	sql(fx, "ALTER TABLE gone_s RENAME TO sessions; ALTER TABLE gone_u "
	    "RENAME TO users");
	assert_int_equal(users_get(fx->s, "bob", &u, &err), 1);
}

static int
group_teardown(void **state)
{
	(void)state;
	tu_env_free();
	return 0;
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		T(test_add_rows),
		T(test_check),
		T(test_get_list),
		T(test_login_ok),
		T(test_login_refused),
		T(test_lockout),
		T(test_lockout_unknown_same),
		T(test_lockout_window),
		T(test_disabled),
		T(test_disabled_user_session),
		T(test_idle_expiry),
		T(test_absolute_expiry),
		T(test_logout),
		T(test_revoked_elsewhere),
		T(test_bad_tokens),
		T(test_passwd),
		T(test_passwd_unlocks),
		T(test_token_hashed),
		T(test_init_reopen),
		T(test_no_regions),
		T(test_store_errors),
	};

	if (tu_pg_url() != NULL)
		printf("test_users: on PostgreSQL\n");
	return cmocka_run_group_tests_name("users", tests, NULL,
	    group_teardown);
}

/*
 * test_users.c - accounts, login with lockout, sessions: validation rows,
 * expiry by moving `now`, revocation, tokens stored only hashed, and
 * store failures leaving nothing half-written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/users.h"
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

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct lf_error err;

	snprintf(fx->dir, sizeof(fx->dir), "%s", tu_tmpdir());
	snprintf(fx->db, sizeof(fx->db), "%s/t.db", fx->dir);
	if (store_create(fx->db, tu_catalog(), &err) != 0 ||
	    store_open(fx->db, tu_catalog(), tu_regions(), &fx->s,
	    &err) != 0 || users_init(fx->s, &err) != 0)
		fail_msg("%s", err.message);
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
	sqlite3 *db;

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
	const struct users_dept *d;
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
		d = users_dept_find(depts[i].in);
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
	char seen[128];
	size_t i;
	int n;

	add(fx, "dave", "province", "51", NULL);
	add(fx, "bob", "city", "5101", NULL);
	add(fx, "carol", "village", "510104017001", NULL);
	lf_error_clear(&err);
	for (i = 0; i < nitems(rows); i++) {
		seen[0] = '\0';
		assert_int_equal(users_list(fx->s, rows[i].prefix,
		    on_user, seen, &err), 0);
		assert_string_equal(seen, rows[i].logins);
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

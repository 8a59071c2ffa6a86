/*
 * test_session_cache.c - the cache of sessions checked in the last second
 * (server/session_cache.h): a hit only for the same token, within
 * SESSION_CACHE_SECS of the check, within the session's own times, and
 * with no revocation made by this process since the check. The
 * revocations run on a new SQLite file, and with LIANGFU_TEST_PG_URL set
 * on that PostgreSQL registry (tests/pg/run.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "server/session_cache.h"
#include "store/dbq.h"
#include "store/store.h"
#include "testutil.h"

#define NOW	1800000000

static const char tok_a[] =
    "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
/* the same first digits as tok_a: the same slot */
static const char tok_b[] =
    "a1b2ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

static void
fill(struct user *u, struct session_info *si, int64_t last_seen)
{
	memset(u, 0, sizeof(*u));
	memset(si, 0, sizeof(*si));
	u->id = 5;
	snprintf(u->login, sizeof(u->login), "sup1");
	snprintf(u->region, sizeof(u->region), "510104");
	si->id = 9;
	si->user_id = 5;
	snprintf(si->csrf, sizeof(si->csrf), "%064d", 7);
	si->created_at = NOW - 100;
	si->last_seen = last_seen;
	si->expires_at = NOW + 3600;
}

static void
test_hit_and_age(void **state)
{
	struct session_cache *c = session_cache_new();
	struct session_info si, got_si;
	struct user u, got;

	(void)state;
	assert_non_null(c);
	fill(&u, &si, NOW - 5);
	assert_int_equal(session_cache_get(c, tok_a, NOW, &got, &got_si), 0);
	session_cache_put(c, tok_a, users_revocations(), NOW, &u, &si);
	assert_int_equal(session_cache_get(c, tok_a, NOW, &got, &got_si), 1);
	assert_string_equal(got.login, "sup1");
	assert_string_equal(got_si.csrf, si.csrf);
	assert_int_equal(got_si.id, 9);
	/* another token, even in the same slot: no */
	assert_int_equal(session_cache_get(c, tok_b, NOW, &got, &got_si), 0);
	assert_int_equal(session_cache_get(c, "a1b2", NOW, &got, &got_si), 0);
	/* SESSION_CACHE_SECS after the check, or a clock gone back: no */
	assert_int_equal(session_cache_get(c, tok_a, NOW + SESSION_CACHE_SECS,
	    &got, &got_si), 0);
	assert_int_equal(session_cache_get(c, tok_a, NOW - 1, &got, &got_si),
	    0);
	/* a newer session in the slot replaces the older */
	session_cache_put(c, tok_b, users_revocations(), NOW, &u, &si);
	assert_int_equal(session_cache_get(c, tok_b, NOW, &got, &got_si), 1);
	assert_int_equal(session_cache_get(c, tok_a, NOW, &got, &got_si), 0);
	session_cache_free(c);
	/* no cache: never a hit */
	session_cache_put(NULL, tok_a, 0, NOW, &u, &si);
	assert_int_equal(session_cache_get(NULL, tok_a, NOW, &got, &got_si),
	    0);
}

/* The session's own times and its user, as users_session() judges. */
static void
test_session_times(void **state)
{
	struct session_cache *c = session_cache_new();
	struct session_info si, got_si;
	struct user u, got;

	(void)state;
	/* its lifetime is over */
	fill(&u, &si, NOW - 5);
	si.expires_at = NOW;
	session_cache_put(c, tok_a, users_revocations(), NOW, &u, &si);
	assert_int_equal(session_cache_get(c, tok_a, NOW, &got, &got_si), 0);
	/* idle too long (as stored) */
	fill(&u, &si, NOW - USERS_IDLE_SECS);
	session_cache_put(c, tok_a, users_revocations(), NOW, &u, &si);
	assert_int_equal(session_cache_get(c, tok_a, NOW, &got, &got_si), 0);
	/* "last seen" due for an update: the database's check must run */
	fill(&u, &si, NOW - USERS_TOUCH_SECS);
	session_cache_put(c, tok_a, users_revocations(), NOW, &u, &si);
	assert_int_equal(session_cache_get(c, tok_a, NOW, &got, &got_si), 0);
	fill(&u, &si, NOW - USERS_TOUCH_SECS + 1);
	session_cache_put(c, tok_a, users_revocations(), NOW, &u, &si);
	assert_int_equal(session_cache_get(c, tok_a, NOW, &got, &got_si), 1);
	/* a disabled user */
	fill(&u, &si, NOW - 5);
	u.disabled = 1;
	session_cache_put(c, tok_a, users_revocations(), NOW, &u, &si);
	assert_int_equal(session_cache_get(c, tok_a, NOW, &got, &got_si), 0);
	session_cache_free(c);
}

/* A logout, a password change or a disabled account in this process
 * empties the cache at once. */
static void
test_revocations(void **state)
{
	struct session_cache *c = session_cache_new();
	struct user_new nu = { "sup1", "province", "51", NULL,
	    "Str0ng-pass-2026", 0 };
	char dir[TU_DIR_MAX], db[TU_DB_MAX];
	struct store *s = tu_store_any(dir, db, "u.db");
	struct session_info si, got_si;
	struct session ses, ses2;
	struct lf_error err;
	struct user u, got;
	int64_t now;

	(void)state;
	lf_error_clear(&err);
	/* PostgreSQL's tables outlive the tests */
	if (dbq_is_pg(s) && dbq_script(s, "DELETE FROM sessions; DELETE FROM "
	    "users", "empty", &err) != 0)
		fail_msg("%s", err.message);
	if (users_add(s, &nu, &err) != 0)
		fail_msg("add: %s", err.message);
	now = (int64_t)time(NULL);
	assert_int_equal(users_login(s, "sup1", nu.password, now, &ses, &err),
	    0);
	assert_int_equal(users_login(s, "sup1", nu.password, now, &ses2, &err),
	    0);
	/* logout of another session of the same process: this one too
	 * goes back to the database */
	fill(&u, &si, now);
	session_cache_put(c, ses.token, users_revocations(), now, &u, &si);
	assert_int_equal(session_cache_get(c, ses.token, now, &got, &got_si),
	    1);
	assert_int_equal(users_logout(s, ses2.token, &err), 0);
	assert_int_equal(session_cache_get(c, ses.token, now, &got, &got_si),
	    0);
	/* a password change */
	session_cache_put(c, ses.token, users_revocations(), now, &u, &si);
	assert_int_equal(users_passwd(s, "sup1", "Other-pass-2026x", &err), 0);
	assert_int_equal(session_cache_get(c, ses.token, now, &got, &got_si),
	    0);
	/* a check that began before a revocation keeps nothing */
	{
		unsigned long seen = users_revocations();

		assert_int_equal(users_disable(s, "sup1", &err), 0);
		session_cache_put(c, ses.token, seen, now, &u, &si);
		assert_int_equal(session_cache_get(c, ses.token, now, &got,
		    &got_si), 0);
	}
	session_cache_free(c);
	store_close(s);
	tu_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_and_age),
		cmocka_unit_test(test_session_times),
		cmocka_unit_test(test_revocations),
	};
	int rc;

	if (tu_pg_url() != NULL)
		printf("test_session_cache: on PostgreSQL\n");
	rc = cmocka_run_group_tests(tests, NULL, NULL);

	tu_env_free();
	return rc;
}

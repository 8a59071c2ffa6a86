/*
 * test_selfcode.c - self-service codes: their form and reading
 * (core/selfcode.h), issue, keyed-hash storage, redemption, failure
 * limits, expiry, revocation and sessions (auth/selfcode.h). The store
 * tests run on SQLite, and on PostgreSQL with LIANGFU_TEST_PG_URL set
 * (tu_store_any(); the persons by a bulk load, as loads write them
 * there; what a test made is removed after it, tu_pg_forget()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/selfcode.h"
#include "crypto/crypto.h"
#include "auth/selfcode.h"
#include "store/dbq.h"
#include "store/store_int.h"
#include "testutil.h"

#define T0	1800000000LL	/* a fixed "now" */

/* ---- core ---------------------------------------------------------- */

static void
test_alphabet(void **state)
{
	const char *a = SELFCODE_ALPHABET;
	size_t i, j;

	(void)state;
	assert_int_equal(strlen(a), 32);
	assert_null(strpbrk(a, "0O1I"));
	for (i = 0; i < 32; i++)
		for (j = i + 1; j < 32; j++)
			assert_int_not_equal(a[i], a[j]);
}

static void
test_from_random(void **state)
{
	static const struct {
		unsigned char	 rnd[SELFCODE_RANDOM_BYTES];
		const char	*code;
	} rows[] = {
		{ { 0, 0, 0, 0, 0, 0, 0 }, "2222222222" },
		/* low 50 bits all set: the last symbol of the alphabet */
		{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, "ZZZZZZZZZZ" },
		/* value 1: first symbol '3', then '2's */
		{ { 0, 0, 0, 0, 0, 0, 1 }, "3222222222" },
		/* value 32: second symbol '3' */
		{ { 0, 0, 0, 0, 0, 0, 32 }, "2322222222" },
	};
	char out[SELFCODE_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		selfcode_from_random(rows[i].rnd, out);
		assert_string_equal(out, rows[i].code);
	}
}

static void
test_normalize(void **state)
{
	static const struct {
		const char	*in;
		int		 rc;
		const char	*out;
	} rows[] = {
		{ "K7MX2QP9RD", 0, "K7MX2QP9RD" },
		{ "k7mx2-qp9rd", 0, "K7MX2QP9RD" },
		{ " K7MX2 QP9RD ", 0, "K7MX2QP9RD" },
		{ "K7MX2QP9R", -1, "" },		/* 9 symbols */
		{ "K7MX2QP9RDD", -1, "" },		/* 11 */
		{ "K7MX2QP9R0", -1, "" },		/* 0 not in alphabet */
		{ "K7MX2QP9RO", -1, "" },		/* O */
		{ "K7MX2QP9R1", -1, "" },		/* 1 */
		{ "K7MX2QP9RI", -1, "" },		/* I */
		{ "K7MX2QP9R\xe4", -1, "" },
		{ "", -1, "" },
		{ NULL, -1, "" },
	};
	char out[SELFCODE_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(selfcode_normalize(rows[i].in, out),
		    rows[i].rc);
		assert_string_equal(out, rows[i].out);
	}
}

static void
test_display(void **state)
{
	char out[SELFCODE_DISPLAY_LEN + 1];

	(void)state;
	selfcode_display("K7MX2QP9RD", out);
	assert_string_equal(out, "K7MX2-QP9RD");
}

static void
test_last6(void **state)
{
	static const struct {
		const char	*in;
		int		 rc;
		const char	*out;
	} rows[] = {
		{ "123456", 0, "123456" },
		{ "12345x", 0, "12345X" },
		{ "12345X", 0, "12345X" },
		{ "123 456", 0, "123456" },
		{ "1234X6", -1, "" },		/* X only last */
		{ "12345", -1, "" },
		{ "1234567", -1, "" },
		{ "12345a", -1, "" },
		{ NULL, -1, "" },
	};
	char out[SELF_LAST6_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(selfcode_last6_normalize(rows[i].in, out),
		    rows[i].rc);
		assert_string_equal(out, rows[i].out);
	}
}

static void
test_state(void **state)
{
	static const struct {
		struct selfcode_times	 t;
		int64_t			 now;
		enum selfcode_state	 want;
	} rows[] = {
		{ { 100, 200, 0, 0 }, 100, SELFCODE_OK },
		{ { 100, 200, 0, 0 }, 199, SELFCODE_OK },
		{ { 100, 200, 0, 0 }, 200, SELFCODE_EXPIRED },
		{ { 100, 200, 0, 0 }, 5000, SELFCODE_EXPIRED },
		{ { 100, 200, 150, 0 }, 160, SELFCODE_REVOKED },
		{ { 100, 200, 0, 150 }, 160, SELFCODE_LOCKED },
		{ { 100, 200, 150, 150 }, 160, SELFCODE_REVOKED },
		{ { 100, 200, 0, 150 }, 500, SELFCODE_LOCKED },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(selfcode_state(&rows[i].t, rows[i].now),
		    rows[i].want);
	assert_string_equal(selfcode_state_name(SELFCODE_LOCKED), "locked");
}

static void
test_session_end(void **state)
{
	(void)state;
	assert_int_equal(selfcode_session_end(1000, 1000000),
	    1000 + SELF_SESSION_SECS);
	assert_int_equal(selfcode_session_end(1000, 1500), 1500);
}

/* ---- store --------------------------------------------------------- */

struct fx {
	char		 dir[TU_DIR_MAX];
	char		 db[TU_DB_MAX];
	struct store	*s;
	int64_t		 pid, pid2;
	char		 last6[7], last6_2[7];
};

/* Puts person seq inside the caller's bulk load. */
static int64_t
put(struct store *s, int seq, char last6[7])
{
	struct store_put p = { 2024, 0, "tester", 0, 0 };
	struct store_put_result res;
	struct lf_error err;
	struct record *r = record_new(tu_catalog());
	const char *id = tu_id(seq);

	tu_valid_person(r, seq);
	lf_error_clear(&err);
	if (store_survey_put(s, r, &p, &res, &err) != 0)
		fail_msg("put: %s", err.message);
	record_free(r);
	snprintf(last6, 7, "%s", id + strlen(id) - 6);
	return res.person_id;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct lf_error err;

	lf_error_clear(&err);
	fx->s = tu_store_any(fx->dir, fx->db, "sc.db");
	if (store_begin_bulk(fx->s, &err) != 0)
		fail_msg("bulk: %s", err.message);
	fx->pid = put(fx->s, 1, fx->last6);
	fx->pid2 = put(fx->s, 2, fx->last6_2);
	if (store_commit(fx->s, &err) != 0)
		fail_msg("commit: %s", err.message);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	int64_t ids[2] = { fx->pid, fx->pid2 };

	tu_pg_forget(fx->s, ids, 2);
	store_close(fx->s);
	tu_rmdir(fx->dir);
	free(fx);
	tu_env_free();
	return 0;
}

static int64_t
issue(struct fx *fx, int64_t pid, int64_t now, int64_t ttl,
    char code[SELFCODE_LEN + 1])
{
	struct selfcode c;
	struct lf_error err;

	lf_error_clear(&err);
	if (selfcode_issue(fx->s, pid, "vil1", now, ttl, code, &c, &err) != 0)
		fail_msg("issue: %s", err.message);
	assert_int_equal(c.person_id, pid);
	assert_int_equal(c.expires_at, now + ttl);
	return c.id;
}

/* Redeems; returns the error code or "" on success. */
static const char *
redeem(struct fx *fx, const char *code, const char *last6,
    const char *client, int64_t now, struct self_session *ss,
    int64_t *code_id)
{
	struct lf_error err;

	lf_error_clear(&err);
	if (selfcode_redeem(fx->s, code, last6, client, now, ss, code_id,
	    &err) == 0)
		return "";
	/* refusals never echo what was typed */
	assert_null(strstr(err.message, code ? code : "\x01"));
	assert_null(strstr(err.message, last6 ? last6 : "\x01"));
	return err.code;
}

static void
test_issue_hash_only(void **state)
{
	struct fx *fx = *state;
	char code[SELFCODE_LEN + 1], other[SELFCODE_LEN + 1];
	unsigned char h[CRYPTO_HASH_LEN];
	struct lf_error err;
	sqlite3_stmt *st;
	struct dbq q;
	const void *b;
	size_t n;
	int64_t id = issue(fx, fx->pid, T0, 3600, code);

	assert_int_equal(selfcode_normalize(code, other), 0);
	issue(fx, fx->pid, T0, 3600, other);
	assert_string_not_equal(code, other);
	/* the row holds the keyed hash, nothing else of the code */
	assert_int_equal(crypto_lookup_hash(fx->s->keys, "self_code", code,
	    strlen(code), h), 0);
	if (!dbq_is_pg(fx->s))
		assert_int_equal(sqlite3_prepare_v2(fx->s->db, "SELECT "
		    "code_hash, quote(self_codes.*) FROM self_codes WHERE id = "
		    "?", -1, &st, NULL), SQLITE_ERROR);
	lf_error_clear(&err);
	assert_int_equal(dbq_prep(fx->s, &q, "SELECT code_hash, id || "
	    "issued_by || issued_at || expires_at FROM self_codes WHERE id = "
	    "?", "code row", &err), 0);
	assert_int_equal(dbq_bind(&q, &err, "i", id), 0);
	assert_int_equal(dbq_step(&q, &err), 1);
	b = dbq_blob(&q, 0, &n, NULL);
	assert_int_equal(n, CRYPTO_HASH_LEN);
	assert_memory_equal(b, h, CRYPTO_HASH_LEN);
	assert_null(strstr(dbq_text0(&q, 1), code));
	dbq_end(&q);
}

static void
test_redeem_one_person(void **state)
{
	struct fx *fx = *state;
	char code[SELFCODE_LEN + 1], shown[SELFCODE_DISPLAY_LEN + 1], low[16];
	struct self_session ss, chk;
	struct lf_error err;
	int64_t id = issue(fx, fx->pid, T0, 3600, code), cid;
	size_t i;

	/* typed as shown, lower case: the same code */
	selfcode_display(code, shown);
	for (i = 0; shown[i]; i++)
		low[i] = (char)(shown[i] >= 'A' && shown[i] <= 'Z' ?
		    shown[i] + 32 : shown[i]);
	low[i] = '\0';
	assert_string_equal(redeem(fx, low, fx->last6, "c1", T0 + 10, &ss,
	    &cid), "");
	assert_int_equal(cid, id);
	assert_int_equal(ss.person_id, fx->pid);
	assert_int_equal(ss.code_id, id);
	assert_int_equal(strlen(ss.token), SELF_TOKEN_HEX);
	assert_int_equal(ss.expires_at, T0 + 10 + SELF_SESSION_SECS);
	/* the session is that person's */
	lf_error_clear(&err);
	assert_int_equal(self_session_check(fx->s, ss.token, T0 + 20, &chk,
	    &err), 0);
	assert_int_equal(chk.person_id, fx->pid);
	assert_string_equal(chk.csrf, ss.csrf);
	assert_string_equal(chk.token, "");
	/* its CSRF token is no session token */
	assert_int_equal(self_session_check(fx->s, ss.csrf, T0 + 20, &chk,
	    &err), 1);
	/* past its end, the session is gone */
	assert_int_equal(self_session_check(fx->s, ss.token,
	    T0 + 10 + SELF_SESSION_SECS, &chk, &err), 1);
	/* logout ends it at once */
	assert_int_equal(self_session_end(fx->s, ss.token, &err), 0);
	assert_int_equal(self_session_check(fx->s, ss.token, T0 + 21, &chk,
	    &err), 1);
	/* the other person's last six do not open the code */
	assert_string_equal(redeem(fx, code, fx->last6_2, "c1", T0 + 30, &ss,
	    &cid), "bad_code");
}

static void
test_lock_after_failures(void **state)
{
	struct fx *fx = *state;
	char code[SELFCODE_LEN + 1], wrong[7];
	struct self_session ss;
	struct selfcode c;
	struct lf_error err;
	int64_t id = issue(fx, fx->pid, T0, 3600, code), cid;
	int i;

	memcpy(wrong, fx->last6, sizeof(wrong));
	wrong[0] = wrong[0] == '9' ? '0' : (char)(wrong[0] + 1);
	for (i = 1; i < SELFCODE_MAX_FAILURES; i++)
		assert_string_equal(redeem(fx, code, wrong, "c2", T0 + i, &ss,
		    &cid), "bad_code");
	assert_int_equal(cid, id);
	/* the Nth failure locks it */
	assert_string_equal(redeem(fx, code, wrong, "c3", T0 + 10, &ss, &cid),
	    "locked");
	/* and then the right digits are refused too */
	assert_string_equal(redeem(fx, code, fx->last6, "c4", T0 + 11, &ss,
	    &cid), "locked");
	lf_error_clear(&err);
	assert_int_equal(selfcode_get(fx->s, id, &c, &err), 0);
	assert_int_equal(c.failures, SELFCODE_MAX_FAILURES);
	assert_int_not_equal(c.locked_at, 0);
	assert_int_equal(c.uses, 0);
}

static void
test_expiry(void **state)
{
	struct fx *fx = *state;
	char code[SELFCODE_LEN + 1];
	struct self_session ss, chk;
	struct lf_error err;
	int64_t cid;

	issue(fx, fx->pid, T0, 600, code);
	/* a session opened near the end ends with the code */
	assert_string_equal(redeem(fx, code, fx->last6, "c5", T0 + 599, &ss,
	    &cid), "");
	assert_int_equal(ss.expires_at, T0 + 600);
	lf_error_clear(&err);
	assert_int_equal(self_session_check(fx->s, ss.token, T0 + 599, &chk,
	    &err), 0);
	assert_int_equal(self_session_check(fx->s, ss.token, T0 + 600, &chk,
	    &err), 1);
	assert_string_equal(redeem(fx, code, fx->last6, "c5", T0 + 600, &ss,
	    &cid), "expired");
	/* ttl out of range */
	assert_int_equal(selfcode_issue(fx->s, fx->pid, "v", T0, 0, code, NULL,
	    &err), -1);
	assert_string_equal(err.code, "invalid");
	assert_int_equal(selfcode_issue(fx->s, fx->pid, "v", T0,
	    SELFCODE_TTL_MAX + 1, code, NULL, &err), -1);
}

static void
test_revoke(void **state)
{
	struct fx *fx = *state;
	char code[SELFCODE_LEN + 1];
	struct self_session ss, chk;
	struct selfcode c;
	struct lf_error err;
	int64_t id = issue(fx, fx->pid, T0, 3600, code), cid;

	assert_string_equal(redeem(fx, code, fx->last6, "c6", T0 + 1, &ss,
	    &cid), "");
	lf_error_clear(&err);
	assert_int_equal(selfcode_revoke(fx->s, id, "vil1", T0 + 2, &err), 0);
	assert_int_equal(selfcode_revoke(fx->s, id, "vil1", T0 + 3, &err), 0);
	/* its session ends, and the code opens nothing */
	assert_int_equal(self_session_check(fx->s, ss.token, T0 + 3, &chk,
	    &err), 1);
	assert_string_equal(redeem(fx, code, fx->last6, "c6", T0 + 4, &ss,
	    &cid), "revoked");
	assert_int_equal(selfcode_get(fx->s, id, &c, &err), 0);
	assert_int_equal(c.revoked_at, T0 + 2);
	assert_string_equal(c.revoked_by, "vil1");
	assert_int_equal(c.uses, 1);
	assert_int_equal(selfcode_revoke(fx->s, 99999, "vil1", T0, &err), -1);
	assert_string_equal(err.code, "not_found");
}

static void
test_client_throttle(void **state)
{
	struct fx *fx = *state;
	char code[SELFCODE_LEN + 1];
	struct self_session ss;
	int64_t cid;
	int i;

	issue(fx, fx->pid, T0, 86400, code);
	for (i = 0; i < SELF_CLIENT_MAX_FAILURES; i++)
		assert_string_equal(redeem(fx, "2222222222", "000000", "c7",
		    T0 + i, &ss, &cid), "bad_code");
	/* that address is refused even with the right input ... */
	assert_string_equal(redeem(fx, code, fx->last6, "c7", T0 + 20, &ss,
	    &cid), "throttled");
	/* ... another is not */
	assert_string_equal(redeem(fx, code, fx->last6, "c8", T0 + 21, &ss,
	    &cid), "");
	/* and after the window it may try again */
	assert_string_equal(redeem(fx, code, fx->last6, "c7",
	    T0 + SELF_CLIENT_WINDOW + 1, &ss, &cid), "");
	/* malformed input counts as well, and never matches */
	assert_string_equal(redeem(fx, "O0O0O0O0O0", fx->last6, "c9", T0, &ss,
	    &cid), "bad_code");
	assert_int_equal(cid, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alphabet),
		cmocka_unit_test(test_from_random),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_display),
		cmocka_unit_test(test_last6),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_session_end),
		cmocka_unit_test_setup_teardown(test_issue_hash_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_redeem_one_person, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lock_after_failures,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_throttle, setup,
		    teardown),
	};

	if (tu_pg_url() != NULL)
		printf("test_selfcode: on PostgreSQL\n");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_dbq.c - the backend-neutral statement API (store/dbq.h). The same
 * tests run on a new SQLite file (make unit-test) and, with
 * LIANGFU_TEST_PG_URL set, on PostgreSQL (tests/pg/run.sh, make pg-test):
 * the dialect scanner, a round trip of every column type, NULLs, blobs
 * with zero bytes, RETURNING, constraints (2, the transaction still
 * usable), changes, errors that name the statement and never a value,
 * transactions committed and rolled back, kept statements.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "store/dbq.h"
#include "store/store.h"
#include "store/store_int.h"
#include "testutil.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* The scratch table, in each backend's types (the one place they differ:
 * DDL is not in the common dialect). */
static const char sq_ddl[] = "DROP TABLE IF EXISTS dbq_t; CREATE TABLE "
    "dbq_t(id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER, b BLOB)";
static const char pg_ddl[] = "DROP TABLE IF EXISTS dbq_t; CREATE TABLE "
    "dbq_t(id bigserial PRIMARY KEY, name text UNIQUE, n bigint, b bytea)";

struct fx {
	char		 dir[TU_DIR_MAX];
	char		 db[TU_DB_MAX];
	struct store	*s;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct lf_error err;

	fx->s = tu_store_any(fx->dir, fx->db, "t.db");
	if (dbq_script(fx->s, dbq_is_pg(fx->s) ? pg_ddl : sq_ddl, "ddl",
	    &err) != 0)
		fail_msg("%s", err.message);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;

	if (dbq_is_pg(fx->s))
		dbq_script(fx->s, "DROP TABLE IF EXISTS dbq_t", "ddl", &err);
	store_close(fx->s);
	tu_rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Inserts a row; its id, or -1 when refused (2). */
static int64_t
ins(struct store *s, const char *name, int64_t n, const void *b, size_t blen)
{
	struct dbq q;
	struct lf_error err;
	int64_t id = -1;
	int rc;

	lf_error_clear(&err);
	if (dbq_prep(s, &q, "INSERT INTO dbq_t(name, n, b) VALUES (?, ?, ?) "
	    "RETURNING id", "ins", &err) != 0 ||
	    dbq_bind(&q, &err, "tib", name, n, b, blen) != 0)
		fail_msg("%s", err.message);
	rc = dbq_step(&q, &err);
	if (rc == 1) {
		id = dbq_int64(&q, 0);
		rc = dbq_step(&q, &err);
		assert_int_equal(rc, 0);
	} else if (rc != 2)
		fail_msg("insert: %d %s", rc, err.message);
	dbq_end(&q);
	return id;
}

/* The count of rows of dbq_t. */
static int64_t
count(struct store *s)
{
	struct dbq q;
	struct lf_error err;
	int64_t n;

	if (dbq_prep(s, &q, "SELECT count(*) FROM dbq_t", "count", &err) != 0
	    || dbq_step(&q, &err) != 1)
		fail_msg("%s", err.message);
	n = dbq_int64(&q, 0);
	assert_int_equal(dbq_step(&q, &err), 0);
	dbq_end(&q);
	return n;
}

static void
test_scan(void **state)
{
	static const struct {
		const char	*in, *out;
		int		 n;
	} t[] = {
		{ "SELECT 1", "SELECT 1", 0 },
		{ "a = ? AND b = ?", "a = $1 AND b = $2", 2 },
		{ "'?' || ? || \"?x\"", "'?' || $1 || \"?x\"", 1 },
		{ "'it''s ?' ?", "'it''s ?' $1", 1 },
		{ "x -- what?\n?", "x -- what?\n$1", 1 },
		{ "? ? ? ? ? ? ? ? ? ?", "$1 $2 $3 $4 $5 $6 $7 $8 $9 $10", 10 },
		{ "?1", NULL, -1 },
		{ "'open", NULL, -1 },
		{ "\"open", NULL, -1 },
	};
	char out[128];
	size_t i;

	(void)state;
	for (i = 0; i < nitems(t); i++) {
		assert_int_equal(dbq_scan(t[i].in, out, sizeof(out)), t[i].n);
		assert_int_equal(dbq_scan(t[i].in, NULL, 0), t[i].n);
		if (t[i].out != NULL)
			assert_string_equal(out, t[i].out);
	}
	/* an output buffer one byte short */
	assert_int_equal(dbq_scan("a = ?", out, 6), -1);
	assert_int_equal(dbq_scan("a = ?", out, 7), 1);
}

static void
test_roundtrip(void **state)
{
	static const unsigned char bin[] = { 0x00, 0xff, 0x5c, 0x78, 0x00 };
	struct fx *fx = *state;
	struct lf_error err;
	struct dbq q;
	const unsigned char *b;
	char small[4];
	size_t n;
	int64_t id1, id2, id3;
	int bad;

	id1 = ins(fx->s, "甲乙", INT64_MAX, bin, sizeof(bin));
	id2 = ins(fx->s, NULL, INT64_MIN, "", 0);
	id3 = ins(fx->s, "c", -1, NULL, 0);
	assert_true(id1 > 0 && id2 > id1 && id3 > id2);
	assert_int_equal(dbq_prep(fx->s, &q, "SELECT id, name, n, b FROM "
	    "dbq_t WHERE id >= ? ORDER BY id", "read", &err), 0);
	assert_int_equal(dbq_bind(&q, &err, "i", id1), 0);
	assert_int_equal(dbq_step(&q, &err), 1);
	assert_int_equal(dbq_int64(&q, 0), id1);
	assert_string_equal(dbq_text(&q, 1), "甲乙");
	dbq_copy(&q, 1, small, sizeof(small));
	assert_string_equal(small, "甲");
	assert_true(dbq_int64(&q, 2) == INT64_MAX);
	b = dbq_blob(&q, 3, &n, &bad);
	assert_int_equal(bad, 0);
	assert_int_equal(n, sizeof(bin));
	assert_memory_equal(b, bin, sizeof(bin));
	assert_int_equal(dbq_step(&q, &err), 1);
	assert_null(dbq_text(&q, 1));
	assert_string_equal(dbq_text0(&q, 1), "");
	assert_true(dbq_is_null(&q, 1));
	assert_true(dbq_int64(&q, 2) == INT64_MIN);
	assert_false(dbq_is_null(&q, 3));	/* empty, not NULL */
	b = dbq_blob(&q, 3, &n, NULL);
	assert_non_null(b);
	assert_int_equal(n, 0);
	assert_int_equal(dbq_step(&q, &err), 1);
	assert_int_equal(dbq_int(&q, 2), -1);
	assert_true(dbq_is_null(&q, 3));
	assert_null(dbq_blob(&q, 3, &n, NULL));
	assert_int_equal(n, 0);
	assert_int_equal(dbq_step(&q, &err), 0);
	assert_int_equal(dbq_step(&q, &err), 0);	/* stays done */
	dbq_end(&q);
}

static void
test_constraint(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	int tx;

	assert_true(ins(fx->s, "a", 1, NULL, 0) > 0);
	assert_int_equal(ins(fx->s, "a", 2, NULL, 0), -1);
	assert_int_equal(count(fx->s), 1);
	/* inside a transaction: refused, and the transaction goes on */
	assert_int_equal(dbq_tx_begin(fx->s, &tx, &err), 0);
	assert_true(ins(fx->s, "b", 1, NULL, 0) > 0);
	assert_int_equal(ins(fx->s, "a", 3, NULL, 0), -1);
	assert_true(ins(fx->s, "c", 1, NULL, 0) > 0);
	assert_int_equal(dbq_tx_end(fx->s, tx, 0, &err), 0);
	assert_int_equal(count(fx->s), 3);
}

static void
test_changes(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	struct dbq q;

	ins(fx->s, "a", 1, NULL, 0);
	ins(fx->s, "b", 1, NULL, 0);
	ins(fx->s, "c", 2, NULL, 0);
	assert_int_equal(dbq_prep(fx->s, &q, "UPDATE dbq_t SET n = n + 10 "
	    "WHERE n = ?", "upd", &err), 0);
	assert_int_equal(dbq_bind(&q, &err, "i", (int64_t)1), 0);
	assert_int_equal(dbq_exec(&q, &err), 0);
	assert_int_equal(dbq_changes(&q), 2);
	dbq_end(&q);
	assert_int_equal(dbq_prep(fx->s, &q, "DELETE FROM dbq_t WHERE n = ?",
	    "del", &err), 0);
	assert_int_equal(dbq_bind_int(&q, 1, 1, &err), 0);
	assert_int_equal(dbq_exec(&q, &err), 0);
	assert_int_equal(dbq_changes(&q), 0);
	dbq_end(&q);
	assert_int_equal(count(fx->s), 3);
}

static void
test_errors(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	struct dbq q;

	/* a statement that fails names what, not a value */
	lf_error_clear(&err);
	if (dbq_prep(fx->s, &q, "SELECT nope FROM dbq_missing WHERE x = ?",
	    "the lookup", &err) == 0) {
		assert_int_equal(dbq_bind(&q, &err, "t", "S3CRETV"), 0);
		assert_int_equal(dbq_step(&q, &err), -1);
		assert_int_equal(dbq_step(&q, &err), -1);	/* stays */
	}
	dbq_end(&q);
	assert_string_equal(err.code, "store");
	assert_non_null(strstr(err.message, "the lookup"));
	assert_null(strstr(err.message, "S3CRETV"));
	/* a value the column does not take: PostgreSQL quotes it in its
	 * message; dbq gives the SQLSTATE only (SQLite takes the text) */
	lf_error_clear(&err);
	assert_int_equal(dbq_prep(fx->s, &q, "INSERT INTO dbq_t(name, n) "
	    "VALUES ('x', ?)", "ins", &err), 0);
	assert_int_equal(dbq_bind(&q, &err, "t", "5101041990S3CRETV"), 0);
	assert_int_equal(dbq_exec(&q, &err), dbq_is_pg(fx->s) ? -1 : 0);
	dbq_end(&q);
	if (dbq_is_pg(fx->s)) {
		assert_null(strstr(err.message, "S3CRETV"));
		assert_non_null(strstr(err.message, "22P02"));
	}
	/* outside the dialect, and binding out of range */
	assert_int_equal(dbq_prep(fx->s, &q, "SELECT ?1", "num", &err), -1);
	assert_string_equal(err.code, "internal");
	dbq_end(&q);
	assert_int_equal(dbq_prep(fx->s, &q, "SELECT id FROM dbq_t WHERE id "
	    "= ?", "pos", &err), 0);
	assert_int_equal(dbq_bind_int(&q, 2, 1, &err), -1);
	assert_string_equal(err.code, "internal");
	assert_int_equal(dbq_bind(&q, &err, "x", 1), -1);
	dbq_end(&q);
	/* the store still works */
	assert_true(ins(fx->s, "after", 1, NULL, 0) > 0);
}

static void
test_tx(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	int tx, inner;

	assert_int_equal(dbq_tx_begin(fx->s, &tx, &err), 0);
	ins(fx->s, "a", 1, NULL, 0);
	assert_int_equal(dbq_tx_end(fx->s, tx, -1, &err), -1);
	assert_int_equal(count(fx->s), 0);
	/* nested: the inner one rolled back, the outer kept */
	assert_int_equal(dbq_tx_begin(fx->s, &tx, &err), 0);
	ins(fx->s, "b", 1, NULL, 0);
	assert_int_equal(dbq_tx_begin(fx->s, &inner, &err), 0);
	ins(fx->s, "c", 1, NULL, 0);
	assert_int_equal(dbq_tx_end(fx->s, inner, 1, &err), 1);
	assert_int_equal(dbq_tx_end(fx->s, tx, 0, &err), 0);
	assert_int_equal(count(fx->s), 1);
}

static void
test_kept(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	struct dbq q;
	int64_t id[3];
	int i, round;

	id[0] = ins(fx->s, "a", 10, NULL, 0);
	id[1] = ins(fx->s, "b", 20, NULL, 0);
	id[2] = ins(fx->s, "c", 30, NULL, 0);
	for (round = 0; round < 2; round++)
		for (i = 0; i < 3; i++) {
			assert_int_equal(dbq_keep(fx->s, &q, ST_PLAN_BASE +
			    ST_PLAN_SLOTS - 1, "SELECT n FROM dbq_t WHERE "
			    "id = ?", "kept", &err), 0);
			assert_int_equal(dbq_bind(&q, &err, "i", id[i]), 0);
			assert_int_equal(dbq_step(&q, &err), 1);
			assert_int_equal(dbq_int(&q, 0), 10 * (i + 1));
			dbq_end(&q);
		}
	assert_int_equal(dbq_keep(fx->s, &q, NSTMT, "SELECT 1", "slot",
	    &err), -1);
	dbq_end(&q);
}

/* Every allocation of a round trip failing in turn: an error or the
 * right answer, never a crash or a leak. */
static void
test_nomem(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	struct dbq q;
	long n;
	int rc;

	ins(fx->s, "a", 7, "\x01", 1);
	for (n = 0; n < 20; n++) {
		mem_fail_after(n);
		rc = dbq_prep(fx->s, &q, "SELECT n, b FROM dbq_t WHERE name = "
		    "?", "nomem", &err);
		if (rc == 0)
			rc = dbq_bind(&q, &err, "t", "a");
		if (rc == 0 && (rc = dbq_step(&q, &err)) == 1) {
			size_t len;
			int bad;

			assert_int_equal(dbq_int(&q, 0), 7);
			if (dbq_blob(&q, 1, &len, &bad) == NULL)
				assert_int_equal(bad, 1);
		}
		mem_fail_after(-1);
		dbq_end(&q);
	}
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan),
		T(test_roundtrip),
		T(test_constraint),
		T(test_changes),
		T(test_errors),
		T(test_tx),
		T(test_kept),
		T(test_nomem),
	};
	int rc;

	if (tu_pg_url() != NULL)
		printf("test_dbq: on PostgreSQL\n");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tu_env_free();
	return rc;
}

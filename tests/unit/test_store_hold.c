/*
 * test_store_hold.c - held read snapshots (store.h, "Held read
 * snapshots"): the audit writer's commits no longer empty a reader's page
 * cache; every other write of the process, time, and a write on the
 * holding connection itself end the snapshot, and writes never join it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/selfcode_rows.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/users_rows.h"
#include "testutil.h"

struct fx {
	char		 dir[64];
	char		 db[128];
	struct store	*a;		/* the reader that holds */
	struct store	*audit;		/* quiet: the audit writer's */
	struct store	*other;		/* another writer of the process */
};

static void
exec_ok(struct store *s, const char *sql)
{
	assert_int_equal(sqlite3_exec(s->db, sql, NULL, NULL, NULL),
	    SQLITE_OK);
}

/* Another connection to the database at path. */
static struct store *
open_at(const char *path)
{
	struct lf_error err;
	struct store *s = NULL;

	if (store_open(path, tu_catalog(), tu_regions(), &s, &err) != 0)
		fail_msg("%s: %s", path, err.message);
	return s;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	int i;

	fx->a = tu_store_new(fx->dir, fx->db, "t.db");
	/* a table of some pages, for the cache to hold */
	exec_ok(fx->a, "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT);"
	    "CREATE TABLE log(k INTEGER PRIMARY KEY, v TEXT)");
	exec_ok(fx->a, "BEGIN");
	for (i = 0; i < 2000; i++)
		exec_ok(fx->a, "INSERT INTO t(v) VALUES (hex(randomblob(100)))");
	exec_ok(fx->a, "COMMIT");
	fx->audit = open_at(fx->db);
	fx->other = open_at(fx->db);
	store_hold_quiet(fx->audit);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->other);
	store_close(fx->audit);
	store_close(fx->a);
	tu_rmdir(fx->dir);
	free(fx);
	return 0;
}

static int64_t
count(struct store *s, const char *table)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return store_sqlite_count(s, sql);
}

/* A commit of s through the store's write path (gate, generation). */
static void
write_row(struct store *s, const char *table)
{
	struct lf_error err;
	char sql[80];

	lf_error_clear(&err);
	assert_int_equal(store_begin(s, &err), 0);
	snprintf(sql, sizeof(sql), "INSERT INTO %s(v) VALUES ('x')", table);
	exec_ok(s, sql);
	assert_int_equal(store_commit(s, &err), 0);
}

/* Pages the reader had to fetch for one read of every row of t. */
static int
misses_of_scan(struct store *s)
{
	int cur = 0, hi = 0;

	sqlite3_db_status(s->db, SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 1);
	assert_true(store_sqlite_count(s, "SELECT sum(length(v)) FROM t") >
	    0);
	sqlite3_db_status(s->db, SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 0);
	return cur;
}

/* The point of it: after the audit writer commits, a held reader reads
 * from its cache; without holding it fetches every page again. */
static void
test_audit_commit_keeps_cache(void **state)
{
	struct fx *fx = *state;

	/* without holding: each commit elsewhere empties the cache */
	(void)misses_of_scan(fx->a);
	write_row(fx->audit, "log");
	assert_true(misses_of_scan(fx->a) > 10);

	store_hold_enable(fx->a, 10000);
	store_hold_begin(fx->a);
	(void)misses_of_scan(fx->a);
	write_row(fx->audit, "log");
	store_hold_begin(fx->a);	/* the next request */
	assert_int_equal(misses_of_scan(fx->a), 0);
	/* and it reads the snapshot it held: the audit rows are not seen */
	assert_int_equal(count(fx->a, "log"), 1);
	store_hold_drop(fx->a);
	assert_int_equal(count(fx->a, "log"), 2);
}

/* Any other write of the process ends the snapshot at the next request:
 * what was answered before a request began is seen by it. */
static void
test_process_write_stales(void **state)
{
	struct fx *fx = *state;

	store_hold_enable(fx->a, 10000);
	store_hold_begin(fx->a);
	assert_int_equal(count(fx->a, "t"), 2000);
	write_row(fx->other, "t");
	store_hold_begin(fx->a);
	assert_int_equal(count(fx->a, "t"), 2001);
	assert_true(fx->a->held);
}

/* What the snapshot misses (another process, the audit writer) is seen
 * once it is older than the hold. */
static void
test_hold_is_bounded_in_time(void **state)
{
	struct fx *fx = *state;
	struct timespec ts = { 0, 80 * 1000000L };

	store_hold_enable(fx->a, 50);
	store_hold_begin(fx->a);
	assert_int_equal(count(fx->a, "log"), 0);
	write_row(fx->audit, "log");
	store_hold_begin(fx->a);
	assert_int_equal(count(fx->a, "log"), 0);
	nanosleep(&ts, NULL);
	store_hold_begin(fx->a);
	assert_int_equal(count(fx->a, "log"), 1);
}

/* The holding connection writes as before: the snapshot is ended first,
 * the write is its own transaction and is committed. */
static void
test_write_on_holding_connection(void **state)
{
	struct fx *fx = *state;

	store_hold_enable(fx->a, 10000);
	store_hold_begin(fx->a);
	assert_int_equal(count(fx->a, "t"), 2000);
	write_row(fx->audit, "t");	/* quiet: a stale snapshot now */
	write_row(fx->a, "t");		/* would be BUSY_SNAPSHOT if joined */
	assert_int_equal(count(fx->other, "t"), 2002);
	assert_int_equal(sqlite3_get_autocommit(fx->a->db), 1);
	assert_false(fx->a->held);
}

/* store_read_begin() in a request reuses the held snapshot and leaves it
 * held; a write made inside such a read is committed at its end, as
 * before. */
static void
test_read_begin_reuses(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;

	lf_error_clear(&err);
	store_hold_enable(fx->a, 10000);
	store_hold_begin(fx->a);
	assert_int_equal(store_read_begin(fx->a, &err), 0);
	assert_int_equal(count(fx->a, "t"), 2000);
	store_read_end(fx->a);
	assert_true(fx->a->held);
	assert_int_equal(fx->a->in_tx, 0);

	assert_int_equal(store_read_begin(fx->a, &err), 0);
	exec_ok(fx->a, "INSERT INTO log(v) VALUES ('inside')");
	store_read_end(fx->a);
	assert_false(fx->a->held);
	assert_int_equal(sqlite3_get_autocommit(fx->a->db), 1);
	assert_int_equal(count(fx->other, "log"), 1);
}

/* The session touch, a lone UPDATE, on a connection holding a snapshot
 * the audit writer has made stale: it must not try to upgrade it (SQLite
 * refuses: "database is locked"), nor keep the write lock after. */
static void
test_touch_in_stale_snapshot(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;

	lf_error_clear(&err);
	store_hold_enable(fx->a, 10000);
	store_hold_begin(fx->a);
	assert_int_equal(count(fx->a, "t"), 2000);
	write_row(fx->audit, "log");
	store_hold_begin(fx->a);	/* kept: the audit writer is quiet */
	assert_true(fx->a->held);
	assert_int_equal(users_rows_touch(fx->a, 1, 1700000000, &err), 0);
	store_hold_after(fx->a);
	assert_int_equal(sqlite3_get_autocommit(fx->a->db), 1);
	write_row(fx->other, "t");	/* the write lock is free */
}

/* A write that slipped into the held snapshot is committed after the
 * request, and later requests of the process see it. */
static void
test_after_commits_a_joined_write(void **state)
{
	struct fx *fx = *state;

	store_hold_enable(fx->a, 10000);
	store_hold_enable(fx->other, 10000);
	store_hold_begin(fx->other);
	assert_int_equal(count(fx->other, "log"), 0);
	store_hold_begin(fx->a);
	exec_ok(fx->a, "INSERT INTO log(v) VALUES ('joined')");
	store_hold_after(fx->a);
	assert_false(fx->a->held);
	assert_int_equal(sqlite3_get_autocommit(fx->a->db), 1);
	store_hold_begin(fx->other);
	assert_int_equal(count(fx->other, "log"), 1);
}

/* A self-service logout (a lone UPDATE) is seen by the next request of
 * any connection: a held snapshot from before it is not reused. */
static void
test_logout_stales_snapshots(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	char token[SELF_TOKEN_HEX + 1];

	lf_error_clear(&err);
	store_hold_enable(fx->a, 10000);
	store_hold_begin(fx->a);
	assert_int_equal(count(fx->a, "log"), 0);
	write_row(fx->audit, "log");	/* unseen while held */

	memset(token, 'a', SELF_TOKEN_HEX);
	token[SELF_TOKEN_HEX] = '\0';
	assert_int_equal(selfcode_rows_session_end(fx->other, token, &err),
	    0);
	store_hold_begin(fx->a);
	assert_int_equal(count(fx->a, "log"), 1);
}

/* Holding off (the CLI, read_hold_ms = 0): nothing is kept. */
static void
test_off_keeps_nothing(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;

	lf_error_clear(&err);
	store_hold_begin(fx->a);
	assert_int_equal(sqlite3_get_autocommit(fx->a->db), 1);
	assert_int_equal(store_read_begin(fx->a, &err), 0);
	store_read_end(fx->a);
	assert_int_equal(sqlite3_get_autocommit(fx->a->db), 1);
	assert_false(fx->a->held);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_audit_commit_keeps_cache,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_process_write_stales,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold_is_bounded_in_time,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_write_on_holding_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_begin_reuses,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_off_keeps_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_touch_in_stale_snapshot,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_after_commits_a_joined_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logout_stales_snapshots,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

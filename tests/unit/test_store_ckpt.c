/*
 * test_store_ckpt.c - the checkpoint thread of bulk work: the writer's
 * automatic checkpoints are off while it runs and restored after, the
 * thread copies committed frames back into the database by itself, and
 * stopping it twice or with nothing to stop is harmless.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store/store_ckpt.h"
#include "store/store_int.h"	/* s->db, for white-box checks */
#include "testutil.h"

struct fx {
	char		 dir[64];
	char		 db[128];
	struct store	*s;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->s = tu_store_new(fx->dir, fx->db, "t.db");
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

static int
pragma(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
}

/* Size of the database file (not its log). */
static long long
db_size(const struct fx *fx)
{
	struct stat sb;

	assert_int_equal(stat(fx->db, &sb), 0);
	return (long long)sb.st_size;
}

static void
test_thread_checkpoints(void **state)
{
	struct fx *fx = *state;
	struct store_ckpt *c = NULL;
	struct lf_error err;
	struct timespec nap = { 0, 20 * 1000000L };
	long long before = db_size(fx);
	int i;

	exec(fx->s->db, "PRAGMA wal_autocheckpoint=321");
	assert_int_equal(store_ckpt_start(fx->s, &c, &err), 0);
	assert_non_null(c);
	assert_int_equal(pragma(fx->s->db, "PRAGMA wal_autocheckpoint"), 0);
	exec(fx->s->db, "CREATE TABLE t(x)");
	for (i = 0; i < 20; i++)
		exec(fx->s->db, "BEGIN; INSERT INTO t SELECT randomblob(900) "
		    "FROM (WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT "
		    "k + 1 FROM n WHERE k < 200) SELECT k FROM n); COMMIT");
	/* the writer checkpoints nothing (its automatic checkpoints are
	 * off): the rows reach the database file only by the thread */
	for (i = 0; i < 250 && db_size(fx) < before + 3600000; i++)
		nanosleep(&nap, NULL);
	assert_true(db_size(fx) >= before + 3600000);
	store_ckpt_stop(c);
	assert_int_equal(pragma(fx->s->db, "PRAGMA wal_autocheckpoint"), 321);
	assert_int_equal(pragma(fx->s->db, "SELECT count(*) FROM t"), 4000);
	store_ckpt_stop(NULL);
}

/* The log's checkpoint sequence number (WAL header bytes 12..15, big
 * endian): a writer adds one each time it starts the log over. Reading
 * the file checkpoints nothing. */
static unsigned
log_seq(const struct fx *fx)
{
	unsigned char h[16];
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s-wal", fx->db);
	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fread(h, 1, sizeof(h), f), sizeof(h));
	fclose(f);
	return (unsigned)h[12] << 24 | (unsigned)h[13] << 16 |
	    (unsigned)h[14] << 8 | h[15];
}

/* Size of the log file. */
static long long
log_size(const struct fx *fx)
{
	struct stat sb;
	char path[160];

	snprintf(path, sizeof(path), "%s-wal", fx->db);
	assert_int_equal(stat(path, &sb), 0);
	return (long long)sb.st_size;
}

/* A reader holding the snapshot of the empty table t while the store
 * writes 2,000 rows of 4 KB in ten transactions: the log grows past the
 * limit and the checkpoint thread can copy none of it. The reader is the
 * caller's to end and close. */
static sqlite3 *
log_behind_reader(struct fx *fx)
{
	sqlite3 *reader;
	int i;

	assert_int_equal(sqlite3_open(fx->db, &reader), SQLITE_OK);
	exec(reader, "BEGIN");
	assert_int_equal(pragma(reader, "SELECT count(*) FROM t"), 0);
	for (i = 0; i < 10; i++)
		exec(fx->s->db, "BEGIN; INSERT INTO t SELECT randomblob(4000) "
		    "FROM (WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT "
		    "k + 1 FROM n WHERE k < 200) SELECT k FROM n); COMMIT");
	return reader;
}

/* A log past the limit is restarted between the writer's transactions:
 * the next transaction writes it from the start. The log grows here as
 * in a bulk job, because a reader holds an old snapshot meanwhile. */
static void
test_restart(void **state)
{
	struct fx *fx = *state;
	struct store_ckpt *c = NULL;
	struct lf_error err;
	sqlite3 *reader;
	unsigned seq;

	assert_int_equal(store_ckpt_restart(NULL, 1, &err), 0);
	assert_int_equal(store_ckpt_start(fx->s, &c, &err), 0);
	exec(fx->s->db, "CREATE TABLE t(x)");
	/* small: under the limit, nothing is done */
	assert_int_equal(store_ckpt_restart(c, 1, &err), 0);
	reader = log_behind_reader(fx);
	/* past the test build's limit of 512 frames (8 KiB pages); the
	 * thread can copy none of it while the reader stays */
	assert_true(store_ckpt_frames(c) >= 1000);
	exec(reader, "COMMIT");
	sqlite3_close(reader);
	assert_true(log_size(fx) > 1000LL * 8192);
	seq = log_seq(fx);
	/* at once, before the thread's next round could copy the rest */
	assert_int_equal(store_ckpt_restart(c, 1, &err), 0);
	exec(fx->s->db, "INSERT INTO t VALUES (1)");
	assert_int_equal(log_seq(fx), seq + 1);
	assert_int_equal(pragma(fx->s->db, "SELECT count(*) FROM t"), 2001);
	store_ckpt_stop(c);
}

/* The server's audit writer restarts without waiting: with a reader on
 * an old snapshot (readers never all leave under load) the call returns
 * at once instead of holding the write lock for the busy timeout, and
 * does not try again within the next second; a waiting restart after the
 * reader has left does restart the log. */
static void
test_restart_nowait(void **state)
{
	struct fx *fx = *state;
	struct store_ckpt *c = NULL;
	struct lf_error err;
	struct timespec t0, t1;
	sqlite3 *reader;
	unsigned seq;

	assert_int_equal(store_ckpt_start(fx->s, &c, &err), 0);
	exec(fx->s->db, "CREATE TABLE t(x)");
	reader = log_behind_reader(fx);
	assert_true(store_ckpt_frames(c) >= 1000);
	seq = log_seq(fx);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(store_ckpt_restart(c, 0, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* blocking would take the busy timeout (STORE_BUSY_MS, 10 s) */
	assert_true(t1.tv_sec - t0.tv_sec < STORE_BUSY_MS / 2000);
	exec(fx->s->db, "INSERT INTO t VALUES (1)");
	assert_int_equal(log_seq(fx), seq);	/* not restarted */
	exec(reader, "COMMIT");
	sqlite3_close(reader);
	/* within a second of the refusal: not tried again */
	assert_int_equal(store_ckpt_restart(c, 0, &err), 0);
	exec(fx->s->db, "INSERT INTO t VALUES (2)");
	assert_int_equal(log_seq(fx), seq);
	assert_int_equal(store_ckpt_restart(c, 1, &err), 0);
	exec(fx->s->db, "INSERT INTO t VALUES (3)");
	assert_int_equal(log_seq(fx), seq + 1);
	assert_int_equal(pragma(fx->s->db, "SELECT count(*) FROM t"), 2003);
	store_ckpt_stop(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_thread_checkpoints, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_nowait, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

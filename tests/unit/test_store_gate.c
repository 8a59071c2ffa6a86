/*
 * test_store_gate.c - the process's writers take SQLite's write lock in
 * the order they asked for it (store/store_gate.h), and every way a
 * write transaction ends passes the turn on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "store/store_gate.h"
#include "store/store_int.h"
#include "testutil.h"

struct fx {
	char		 dir[64];
	char		 db[128];
	struct store	*s;
};

/* One writer on a connection of its own: waits for the lock, notes its
 * name in the shared order, holds the lock a moment, commits. */
struct writer {
	struct fx	*fx;
	char		 name;
	char		*order;
	pthread_mutex_t	*mu;
	int		 rc;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	fx->s = tu_store_new(fx->dir, fx->db, "t.db");
	store_gate_enable(1);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_gate_enable(0);
	store_close(fx->s);
	tu_rmdir(fx->dir);
	free(fx);
	return 0;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
write_once(void *arg)
{
	struct writer *w = arg;
	struct lf_error err;
	struct store *s;
	size_t n;

	w->rc = -1;
	if (store_open(w->fx->db, tu_catalog(), NULL, &s, &err) != 0)
		return NULL;
	if (store_begin(s, &err) == 0) {
		pthread_mutex_lock(w->mu);
		n = strlen(w->order);
		w->order[n] = w->name;
		pthread_mutex_unlock(w->mu);
		nap_ms(20);
		w->rc = store_commit(s, &err);
	}
	store_close(s);
	return NULL;
}

/* B asks first and waits long, C asks last: B writes before C. SQLite's
 * busy handler alone polls B every 100 ms by then and C every few ms, so
 * C would most often take the lock first. */
static void
test_first_come_first_served(void **state)
{
	struct fx *fx = *state;
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	char order[4] = "";
	struct writer b = { fx, 'B', order, &mu, 0 };
	struct writer c = { fx, 'C', order, &mu, 0 };
	struct lf_error err;
	pthread_t tb, tc;
	int round;

	for (round = 0; round < 3; round++) {
		memset(order, 0, sizeof(order));
		assert_int_equal(store_begin(fx->s, &err), 0);
		assert_int_equal(pthread_create(&tb, NULL, write_once, &b), 0);
		nap_ms(400);
		assert_int_equal(pthread_create(&tc, NULL, write_once, &c), 0);
		nap_ms(25);
		assert_int_equal(store_commit(fx->s, &err), 0);
		pthread_join(tb, NULL);
		pthread_join(tc, NULL);
		assert_int_equal(b.rc, 0);
		assert_int_equal(c.rc, 0);
		assert_string_equal(order, "BC");
	}
}

/* After a rollback, a failed begin, a closed connection with its
 * transaction open, and a plain commit, the next writer does not wait. */
static void
test_every_end_passes_the_turn(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	struct store *s2;
	double t0;

	assert_int_equal(store_open(fx->db, tu_catalog(), NULL, &s2, &err),
	    0);
	assert_int_equal(store_begin(fx->s, &err), 0);
	store_rollback(fx->s);
	t0 = now_s();
	assert_int_equal(store_begin(s2, &err), 0);
	assert_int_equal(store_commit(s2, &err), 0);
	assert_true(now_s() - t0 < 1.0);
	/* a begin inside a transaction fails and keeps the turn it has */
	assert_int_equal(store_begin(fx->s, &err), 0);
	assert_int_equal(store_begin(fx->s, &err), -1);
	store_rollback(fx->s);
	t0 = now_s();
	assert_int_equal(store_begin(s2, &err), 0);
	store_close(s2);	/* closed with its transaction open */
	assert_int_equal(store_begin(fx->s, &err), 0);
	assert_int_equal(store_commit(fx->s, &err), 0);
	assert_true(now_s() - t0 < 1.0);
}

/* A commit that fails (here a deferred foreign key, which SQLite refuses
 * at COMMIT and leaves the transaction open) rolls back and passes the
 * turn on: the next writer does not wait out the busy timeout. */
static void
test_failed_commit_passes_the_turn(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	struct store *s2;
	double t0;

	assert_int_equal(sqlite3_exec(fx->s->db, "CREATE TABLE gp(id INTEGER "
	    "PRIMARY KEY); CREATE TABLE gc(p INTEGER REFERENCES gp(id) "
	    "DEFERRABLE INITIALLY DEFERRED)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_open(fx->db, tu_catalog(), NULL, &s2, &err),
	    0);
	assert_int_equal(store_begin(fx->s, &err), 0);
	assert_int_equal(sqlite3_exec(fx->s->db, "INSERT INTO gc VALUES (7)",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_commit(fx->s, &err), -1);
	assert_int_equal(sqlite3_get_autocommit(fx->s->db), 1);
	t0 = now_s();
	assert_int_equal(store_begin(s2, &err), 0);
	assert_int_equal(store_commit(s2, &err), 0);
	assert_true(now_s() - t0 < 1.0);
	store_close(s2);
	/* a begin inside a read snapshot fails and takes no turn */
	assert_int_equal(store_read_begin(fx->s, &err), 0);
	assert_int_equal(store_begin(fx->s, &err), -1);
	store_read_end(fx->s);
	assert_int_equal(store_open(fx->db, tu_catalog(), NULL, &s2, &err),
	    0);
	t0 = now_s();
	assert_int_equal(store_begin(s2, &err), 0);
	assert_int_equal(store_commit(s2, &err), 0);
	assert_true(now_s() - t0 < 1.0);
	store_close(s2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_come_first_served,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_end_passes_the_turn,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_failed_commit_passes_the_turn, setup, teardown),
	};

	return cmocka_run_group_tests_name("store_gate", tests, NULL, NULL);
}

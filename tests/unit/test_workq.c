/*
 * test_workq.c - the server's worker pool: jobs run, a full queue
 * refuses at once (the server's 503), stopping runs what is queued.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "server/workq.h"
#include "testutil.h"

static atomic_int ran;
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;

static void
count(void *arg)
{
	(void)arg;
	atomic_fetch_add(&ran, 1);
}

/* Waits until the test opens the gate. */
static void
blocked(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gate);
	pthread_mutex_unlock(&gate);
	atomic_fetch_add(&ran, 1);
}

static void
test_runs(void **state)
{
	struct lf_error err;
	int i;

	(void)state;
	atomic_store(&ran, 0);
	assert_int_equal(workq_start(3, 64, &err), 0);
	for (i = 0; i < 50; i++)
		assert_int_equal(workq_submit(count, NULL), 0);
	for (i = 0; i < 2000 && atomic_load(&ran) < 50; i++)
		usleep(1000);
	assert_int_equal(atomic_load(&ran), 50);
	workq_stop();
	/* stopped: refused */
	assert_int_equal(workq_submit(count, NULL), -1);
}

static void
test_full_queue_refuses(void **state)
{
	struct lf_error err;
	int i, taken = 0;

	(void)state;
	atomic_store(&ran, 0);
	pthread_mutex_lock(&gate);
	assert_int_equal(workq_start(1, 4, &err), 0);
	/* the worker takes one and blocks; four more fill the queue */
	assert_int_equal(workq_submit(blocked, NULL), 0);
	for (i = 0; i < 2000 && workq_queued() > 0; i++)
		usleep(1000);
	for (i = 0; i < 10; i++)
		if (workq_submit(blocked, NULL) == 0)
			taken++;
	assert_int_equal(taken, 4);
	assert_int_equal(workq_queued(), 4);
	pthread_mutex_unlock(&gate);
	/* stop runs every queued job before it returns */
	workq_stop();
	assert_int_equal(atomic_load(&ran), 5);
}

static void
test_bad_sizes(void **state)
{
	struct lf_error err;

	(void)state;
	assert_int_equal(workq_start(0, 4, &err), -1);
	assert_string_equal(err.code, "invalid");
	assert_int_equal(workq_start(2, 0, &err), -1);
	assert_int_equal(workq_submit(count, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_full_queue_refuses),
		cmocka_unit_test(test_bad_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

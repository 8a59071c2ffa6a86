/*
 * test_failtab.c - failure runs in a fixed table: counting, the window,
 * the lock, clearing, and a flood of keys that cannot push out a lock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/failtab.h"

static struct failtab tab = FAILTAB_INIT(3, 100, 50);
static struct failtab big = FAILTAB_INIT(3, 1000000, 1000000);

static int
fail_at(const char *key, int64_t now)
{
	int64_t until = 0;

	return failtab_fail(&tab, key, strlen(key), now, &until);
}

static int
fail_big(const char *key, int64_t now)
{
	int64_t until = 0;

	return failtab_fail(&big, key, strlen(key), now, &until);
}

static int
locked(const char *key, int64_t now)
{
	int64_t until = 0;

	return failtab_locked(&tab, key, strlen(key), now, &until);
}

static void
test_runs_and_lock(void **state)
{
	(void)state;
	failtab_reset(&tab);
	/* two, a pause of a whole window: a new run */
	assert_int_equal(fail_at("a", 1000), 0);
	assert_int_equal(fail_at("a", 1099), 0);
	assert_int_equal(fail_at("a", 1199), 0);
	assert_int_equal(locked("a", 1199), 0);
	/* the third within the window locks, for 50 s */
	assert_int_equal(fail_at("a", 1200), 0);
	assert_int_equal(fail_at("a", 1201), 1);
	assert_int_equal(locked("a", 1201), 1);
	assert_int_equal(locked("a", 1250), 1);
	assert_int_equal(locked("a", 1251), 0);
	/* other keys are apart; keys are bytes, not strings */
	assert_int_equal(locked("b", 1201), 0);
	assert_int_equal(failtab_locked(&tab, "a\0x", 3, 1201,
	    &(int64_t){ 0 }), 0);
	/* after the lock the count starts again */
	assert_int_equal(fail_at("a", 1260), 0);
	assert_int_equal(fail_at("a", 1261), 0);
	/* clear forgets */
	failtab_clear(&tab, "a", 1);
	assert_int_equal(fail_at("a", 1262), 0);
	assert_int_equal(fail_at("a", 1263), 0);
	assert_int_equal(fail_at("a", 1264), 1);
}

/* Far more keys than slots: memory stays the table's, and a live lock
 * stays (a new key takes the least recently used unlocked slot). */
static void
test_bounded(void **state)
{
	char key[32];
	int i, n = 0;

	(void)state;
	failtab_reset(&big);
	fail_big("victim", 10);
	fail_big("victim", 11);
	assert_int_equal(fail_big("victim", 12), 1);
	for (i = 0; i < 20 * FAILTAB_SLOTS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		fail_big(key, 13 + i);
	}
	assert_int_equal(failtab_locked(&big, "victim", 6, 20 * FAILTAB_SLOTS,
	    &(int64_t){ 0 }), 1);
	/* the newest keys are still counted: two more failures lock them */
	for (i = 20 * FAILTAB_SLOTS - 10; i < 20 * FAILTAB_SLOTS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		fail_big(key, 30 * FAILTAB_SLOTS);
		n += fail_big(key, 30 * FAILTAB_SLOTS);
	}
	assert_int_equal(n, 10);
	assert_true(sizeof(tab) < 200 * 1024);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_and_lock),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

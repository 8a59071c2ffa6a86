/*
 * test_mem.c - mem_grow(): room doubles from 16, is cut at the cap, an
 * overflowing or over-cap request and a failed allocation leave the array
 * and its room as they were.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "lib/mem.h"

static const struct {
	size_t	cap, need, size, max;
	int	rc;
	size_t	cap_after;
} rows[] = {
	{ 0, 0, 4, SIZE_MAX, 0, 0 },		/* nothing needed */
	{ 0, 1, 4, SIZE_MAX, 0, 16 },		/* first room: 16 */
	{ 0, 40, 4, SIZE_MAX, 0, 64 },		/* doubled past need */
	{ 16, 16, 4, SIZE_MAX, 0, 16 },		/* fits already */
	{ 16, 17, 4, SIZE_MAX, 0, 32 },
	{ 0, 5, 4, 10, 0, 10 },			/* 16 cut at the cap */
	{ 16, 20, 4, 24, 0, 24 },		/* 32 cut at the cap */
	{ 16, 24, 4, 24, 0, 24 },		/* need equal to the cap */
	{ 16, 25, 4, 24, -1, 16 },		/* over the cap */
	{ 0, SIZE_MAX / 8 + 1, 8, SIZE_MAX, -1, 0 },	/* bytes overflow */
	{ 0, 1, 0, SIZE_MAX, -1, 0 },		/* no element size */
};

static void
test_grow_rows(void **state)
{
	size_t i, cap;
	int *a;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		a = NULL;
		cap = 0;
		if (rows[i].cap > 0)
			assert_int_equal(mem_grow(&a, &cap, rows[i].cap,
			    rows[i].size, SIZE_MAX), 0);
		assert_int_equal(cap, rows[i].cap);
		assert_int_equal(mem_grow(&a, &cap, rows[i].need, rows[i].size,
		    rows[i].max), rows[i].rc);
		assert_int_equal(cap, rows[i].cap_after);
		assert_true((a != NULL) == (cap > 0));
		mem_free(a);
	}
}

/* Elements survive a move; a failed allocation keeps array and room. */
static void
test_grow_keeps(void **state)
{
	size_t cap = 0, i;
	long *a = NULL, *before;

	(void)state;
	for (i = 0; i < 100; i++) {
		assert_int_equal(mem_grow(&a, &cap, i + 1, sizeof(*a),
		    SIZE_MAX), 0);
		a[i] = (long)i * 7;
	}
	assert_int_equal(cap, 128);
	for (i = 0; i < 100; i++)
		assert_int_equal(a[i], (long)i * 7);
	before = a;
	mem_fail_after(0);
	assert_int_equal(mem_grow(&a, &cap, 129, sizeof(*a), SIZE_MAX), -1);
	mem_fail_after(-1);
	assert_ptr_equal(a, before);
	assert_int_equal(cap, 128);
	assert_int_equal(a[99], 99 * 7);
	mem_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_rows),
		cmocka_unit_test(test_grow_keeps),
	};

	return cmocka_run_group_tests_name("mem", tests, NULL, NULL);
}

/*
 * test_copy_sum.c - the canonical lines that liangfu migrate sums on both
 * sides of a copy (store/store_copy.h) are unambiguous: a value holding
 * '|', "name=", a backslash or a newline cannot sum like another split of
 * the row, a value "\N" is not NULL, and plain values are written as
 * they are.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "lib/buf.h"
#include "store/store_copy.h"

static const char *const names[] = { "a", "b" };

/* The line of the two columns a and b. */
static void
cols(struct buf *b, const char *a, const char *bv)
{
	const char *v[2] = { a, bv };

	assert_int_equal(store_copy_cols_line(b, 2, names, v), 0);
}

static void
test_plain_values_as_they_are(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	cols(&b, "x", "量服");
	assert_string_equal(buf_str(&b), "a=x|b=量服\n");
	cols(&b, NULL, "");
	assert_string_equal(buf_str(&b), "a=\\N|b=\n");
	buf_free(&b);
}

static void
test_no_value_splits_the_row(void **state)
{
	struct buf x, y;

	(void)state;
	buf_init(&x, 4096);
	buf_init(&y, 4096);
	/* one value "1|b=2" against two columns "1" and "2" */
	cols(&x, "1|b=2", "");
	cols(&y, "1", "2");
	assert_string_not_equal(buf_str(&x), buf_str(&y));
	assert_string_equal(buf_str(&x), "a=1\\|b=2|b=\n");
	/* a value "\N" is not NULL */
	cols(&x, "\\N", "");
	cols(&y, NULL, "");
	assert_string_not_equal(buf_str(&x), buf_str(&y));
	/* a backslash before '|' cannot undo the escape */
	cols(&x, "1\\", "b=2");
	cols(&y, "1\\|b=2", "");
	assert_string_not_equal(buf_str(&x), buf_str(&y));
	/* a newline cannot end the line early */
	cols(&x, "1\n", "");
	assert_string_equal(buf_str(&x), "a=1\\n|b=\n");
	buf_free(&x);
	buf_free(&y);
}

static void
test_person_line_escaped(void **state)
{
	struct buf x, y;

	(void)state;
	buf_init(&x, 4096);
	buf_init(&y, 4096);
	assert_int_equal(store_copy_person_line(&x, 7, "u", "h", "id",
	    "张|1", 2, "1990-01-01", "510104001001", 1), 0);
	assert_string_equal(buf_str(&x),
	    "7|u|h|id|张\\|1|2|1990-01-01|510104001001|1\n");
	assert_int_equal(store_copy_person_line(&y, 7, "u", "h", "id|张",
	    "1", 2, "1990-01-01", "510104001001", 1), 0);
	assert_string_not_equal(buf_str(&x), buf_str(&y));
	buf_free(&x);
	buf_free(&y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_values_as_they_are),
		cmocka_unit_test(test_no_value_splits_the_row),
		cmocka_unit_test(test_person_line_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

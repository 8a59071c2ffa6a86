/*
 * test_error.c - struct lf_error: set, clear, and a prefix that keeps the
 * code and field and cuts the message to fit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "lib/error.h"

static void
test_set_clear(void **state)
{
	struct lf_error err;

	(void)state;
	assert_int_equal(lf_error_set(&err, "bad", NULL, "x=%d", 7), -1);
	assert_string_equal(err.code, "bad");
	assert_string_equal(err.field, "");
	assert_string_equal(err.message, "x=7");
	lf_error_clear(&err);
	assert_null(err.code);
	assert_string_equal(err.message, "");
}

static void
test_prefix(void **state)
{
	struct lf_error err;
	char longer[600];

	(void)state;
	lf_error_set(&err, "corrupt", "contact_mobile", "why");
	err.line = 4;
	assert_int_equal(lf_error_prefix(&err, "person #%d, %d: ", 12, 2025),
	    -1);
	assert_string_equal(err.message, "person #12, 2025: why");
	assert_string_equal(err.code, "corrupt");
	assert_string_equal(err.field, "contact_mobile");
	assert_int_equal(err.line, 4);
	/* a message that no longer fits is cut, still terminated */
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	lf_error_set(&err, "x", "", "%s", "tail");
	lf_error_prefix(&err, "%s", longer);
	assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
	assert_int_equal(err.message[0], 'a');
	lf_error_set(&err, "x", "", "%s", longer + 200);
	lf_error_prefix(&err, "p: ");
	assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
	assert_memory_equal(err.message, "p: aaa", 6);
}

/* The one out-of-memory wording: Chinese then English, no field. */
static void
test_nomem(void **state)
{
	struct lf_error err;

	(void)state;
	lf_error_set(&err, "x", "f", "old");
	assert_int_equal(lf_error_nomem(&err), -1);
	assert_string_equal(err.code, "no_memory");
	assert_string_equal(err.field, "");
	assert_string_equal(err.message, "内存不足 (out of memory)");
	assert_string_equal(err.message, LF_ERROR_NOMEM_TEXT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_clear),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_nomem),
	};

	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}

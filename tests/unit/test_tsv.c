/*
 * test_tsv.c - TSV data lines (CRLF, blank and '#' lines skipped, every
 * line counted), the bound on a text's lines, fields (short, exact, too
 * many) and located errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/tsv.h"

static void
test_next(void **state)
{
	char text[] = "h\r\n\n# note\na\tb\r\n\r\nlast";
	char *p = text, *line;
	unsigned long n = 0;

	(void)state;
	line = tsv_next(&p, &n);
	assert_string_equal(line, "h");
	assert_int_equal(n, 1);
	line = tsv_next(&p, &n);
	assert_string_equal(line, "a\tb");
	assert_int_equal(n, 4);
	line = tsv_next(&p, &n);
	assert_string_equal(line, "last");
	assert_int_equal(n, 6);
	assert_null(tsv_next(&p, &n));
	assert_int_equal(n, 6);
	assert_null(tsv_next(&p, &n));
}

static const struct {
	const char	*line;
	size_t		 max, n;
	const char	*f[3];
} split_rows[] = {
	{ "a", 3, 1, { "a" } },
	{ "a\tb", 3, 2, { "a", "b" } },
	{ "a\tb\tc", 3, 3, { "a", "b", "c" } },
	{ "a\tb\tc\td\te", 3, 4, { "a", "b", "c" } },	/* too many */
	{ "\t\t", 3, 3, { "", "", "" } },		/* empty fields */
	{ "\t\t\t", 3, 4, { "", "", "" } },
	{ "x\ty", 1, 2, { "x" } },
};

static void
test_split(void **state)
{
	char buf[64], *f[3];
	size_t i, j, n;

	(void)state;
	for (i = 0; i < sizeof(split_rows) / sizeof(split_rows[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", split_rows[i].line);
		n = tsv_split(buf, f, split_rows[i].max);
		assert_int_equal(n, split_rows[i].n);
		for (j = 0; j < n && j < split_rows[i].max; j++)
			assert_string_equal(f[j], split_rows[i].f[j]);
	}
}

/* The bound counts every '\n' in len bytes (none past len), plus one. */
static void
test_lines(void **state)
{
	(void)state;
	assert_int_equal(tsv_lines("", 0), 1);
	assert_int_equal(tsv_lines("a", 1), 1);
	assert_int_equal(tsv_lines("a\n", 2), 2);
	assert_int_equal(tsv_lines("a\r\n\n#\nb", 7), 4);
	assert_int_equal(tsv_lines("a\nb\nc\n", 3), 2);
}

static void
test_error_at(void **state)
{
	struct lf_error err;

	(void)state;
	assert_int_equal(tsv_error(&err, "budget_file", "county", "b.tsv", 7,
	    5, "应为数字 (not a number)"), -1);
	assert_string_equal(err.code, "budget_file");
	assert_string_equal(err.field, "county");
	assert_string_equal(err.message, "b.tsv:7:5: 应为数字 (not a number)");
	assert_int_equal(err.line, 7);
	assert_int_equal(err.column, 5);
	tsv_error(&err, "regions", NULL, "r.tsv", 1, 0, "x");
	assert_string_equal(err.field, "");
	assert_string_equal(err.message, "r.tsv:1:0: x");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_error_at),
	};

	return cmocka_run_group_tests_name("tsv", tests, NULL, NULL);
}

/*
 * test_log.c - log_mask(): what counts as an ID or mobile number in a log
 * line, and that the logging family masks every line it writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/log.h"

struct mask_case {
	const char	*in;
	const char	*out;
};

static const struct mask_case mask_cases[] = {
	{ "", "" },
	{ "no digits", "no digits" },
	/* ID numbers: 18 digits, 17 + X, 15 (first generation) */
	{ "path=/api/v1/persons/510104194512277396 status=404",
	  "path=/api/v1/persons/****************** status=404" },
	{ "/p/51010419451227739X/x", "/p/******************/x" },
	{ "/p/51010419451227739x", "/p/******************" },
	{ "510104451227739", "***************" },
	/* longer runs hide an ID inside them */
	{ "a5101041945122773961234b", "a**********************b" },
	/* glued to letters: still masked */
	{ "id510104194512277396abc", "id******************abc" },
	/* separators between digits */
	{ "510104 19451227 7396", "****** ******** ****" },
	{ "510104-1945-1227-7396", "******-****-****-****" },
	/* 14 digits are not an ID and not a mobile */
	{ "20261129053000", "20261129053000" },
	/* an X after fewer than 14 digits is a letter */
	{ "1234567890123X", "1234567890123X" },
	/* mobile numbers, with and without a country code */
	{ "tel 13912345678 ok", "tel *********** ok" },
	{ "8613912345678", "*************" },
	{ "139-1234-5678", "***-****-****" },
	{ "q=15012345678&x", "q=***********&x" },
	/* 11 digits that are not a mobile number */
	{ "12012345678", "12012345678" },
	{ "23912345678", "23912345678" },
	/* what a log line normally holds is left alone */
	{ "access id=1a2b3c4d0001 client=113.145.123.231 us=1234567",
	  "access id=1a2b3c4d0001 client=113.145.123.231 us=1234567" },
	{ "2026-11-29 05:30:00", "2026-11-29 05:30:00" },
	{ "persons/0123456789abcdef0123456789abcdef",
	  "persons/0123456789abcdef0123456789abcdef" },
	/* a trailing separator is not part of the run */
	{ "13912345678-", "***********-" },
	{ "5101041945122773 96", "**************** **" },
};

static void
test_mask_table(void **state)
{
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mask_cases) / sizeof(mask_cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", mask_cases[i].in);
		log_mask(buf, strlen(buf));
		if (strcmp(buf, mask_cases[i].out) != 0)
			fail_msg("case %zu: \"%s\" gave \"%s\", expected "
			    "\"%s\"", i, mask_cases[i].in, buf,
			    mask_cases[i].out);
	}
}

/* Only the given length is looked at. */
static void
test_mask_len(void **state)
{
	char buf[] = "13912345678";

	(void)state;
	log_mask(buf, 10);
	assert_string_equal(buf, "13912345678");
}

/* The logging family masks what it writes. */
static void
test_log_lines_masked(void **state)
{
	char path[] = "/tmp/lf_test_log_XXXXXX", line[256];
	int fd, saved;
	FILE *fp;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	log_info("access path=/api/v1/persons/%s status=%d",
	    "510104194512277396", 404);
	log_warnx("bad value %s", "13912345678");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "liangfu: access path=/api/v1/persons/"
	    "****************** status=404\n");
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "liangfu: bad value ***********\n");
	fclose(fp);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_table),
		cmocka_unit_test(test_mask_len),
		cmocka_unit_test(test_log_lines_masked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

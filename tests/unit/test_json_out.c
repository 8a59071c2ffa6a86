/*
 * test_json_out.c - the JSON written straight into a buffer (json_out.h)
 * must be byte for byte what jansson dumps for the same values: strings
 * with every escape, whole survey records (masked and not), synthetic
 * persons of a county, and the person summary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "synth/synth.h"
#include "server/http_int.h"
#include "server/json_out.h"
#include "testutil.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* jansson's compact text of j (consumed), or NULL when it refuses. */
static char *
dumped(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	json_decref(j);
	return s;
}

static void
test_strings(void **state)
{
	static const char *const rows[] = {
		"", "plain", "quote \" inside", "back\\slash", "\b\f\n\r\t",
		"\x01\x02\x1e\x1f", "del \x7f stays", "slash / stays",
		"中文 and 残联", "line sep \xe2\x80\xa8 stays", "\"\\\"",
		"end\n", "\ttab first",
	};
	static const char *const bad[] = { "\xff", "a\xc3", "\xed\xa0\x80" };
	struct buf b;
	size_t i;
	char *want;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		buf_init(&b, 1 << 16);
		want = dumped(json_string(rows[i]));
		assert_non_null(want);
		assert_int_equal(jout_str(&b, rows[i]), 0);
		if (strcmp(buf_str(&b), want) != 0)
			fail_msg("row %zu: got %s want %s", i, buf_str(&b),
			    want);
		free(want);
		buf_free(&b);
	}
	/* not UTF-8: refused, as jansson refuses it */
	for (i = 0; i < nitems(bad); i++) {
		buf_init(&b, 1 << 16);
		assert_null(json_string(bad[i]));
		assert_int_equal(jout_str(&b, bad[i]), -1);
		buf_free(&b);
	}
	/* the cap holds */
	buf_init(&b, 4);
	assert_int_equal(jout_str(&b, "too long for four"), -1);
	buf_free(&b);
}

static void
test_ints(void **state)
{
	static const int64_t rows[] = {
		0, 1, -1, 9, 10, -10, 99, 100, 123456789, -987654321,
		INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, INT64_MIN + 1,
	};
	struct buf b;
	size_t i;
	char *want;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		buf_init(&b, 64);
		want = dumped(json_integer(rows[i]));
		assert_int_equal(jout_int(&b, rows[i]), 0);
		if (strcmp(buf_str(&b), want) != 0)
			fail_msg("row %zu: got %s want %s", i, buf_str(&b),
			    want);
		free(want);
		buf_free(&b);
	}
	buf_init(&b, 4);
	assert_int_equal(jout_int(&b, 123456), -1);
	buf_free(&b);
}

/* Compares both writers on r, masked and not. */
static void
same_record(const struct record *r, const char *what)
{
	struct buf b;
	char *want;
	int mask;

	for (mask = 0; mask <= 1; mask++) {
		buf_init(&b, 1 << 20);
		want = dumped(json_from_record(r, mask));
		assert_non_null(want);
		assert_int_equal(jout_record(&b, r, mask), 0);
		if (strcmp(buf_str(&b), want) != 0)
			fail_msg("%s mask %d:\n got %s\nwant %s", what, mask,
			    buf_str(&b), want);
		free(want);
		buf_free(&b);
	}
}

static void
test_records(void **state)
{
	const struct catalog *cat = tu_catalog();
	struct record *r = record_new(cat);
	size_t i;

	(void)state;
	assert_non_null(r);
	same_record(r, "empty");
	tu_valid_person(r, 1);
	same_record(r, "valid person");
	/* every text item holding every escape */
	for (i = 0; i < cat->nfields; i++)
		if (cat->fields[i].type == FT_TEXT)
			assert_int_equal(record_set_str(r, (int)i,
			    "a\"b\\c\n\x01/中"), 0);
	same_record(r, "escapes");
	record_free(r);
}

static void
test_synthetic(void **state)
{
	struct record *r = record_new(tu_catalog());
	struct synth *sy;
	struct lf_error err;
	char what[32];
	uint64_t i;

	(void)state;
	assert_non_null(r);
	lf_error_clear(&err);
	if (synth_new(tu_catalog(), tu_regions(), regions_find(tu_regions(),
	    "510104"), 7, tu_days("2025-12-31"), &sy, &err) != 0 ||
	    synth_set_first_year(sy, 2020, &err) != 0)
		fail_msg("%s", err.message);
	for (i = 0; i < 300; i++) {
		if (synth_person(sy, i, 2025, r, &err) != 0)
			fail_msg("%s", err.message);
		snprintf(what, sizeof(what), "person %llu",
		    (unsigned long long)i);
		same_record(r, what);
	}
	synth_free(sy);
	record_free(r);
}

static void
test_person(void **state)
{
	static const struct store_person rows[] = {
		{ 1, "0123456789abcdef0123456789abcdef", "510104198506151234",
		    "张三", 1, "1985-06-15", "510104001001", 1, 3, "", "", "" },
		/* a region not in the table: empty name */
		{ 2, "ffffffffffffffffffffffffffffffff", "51010419850615123X",
		    "O\"Brien\\\n", 2, "1985-06-15", "999999999999", 2, 1, "",
		    "", "" },
		{ 3, "00000000000000000000000000000000", "", "", 0, "", "", 0,
		    0, "", "", "" },
	};
	struct http_config cfg;
	struct app app = { &cfg, tu_catalog(), tu_regions(), NULL, NULL,
	    NULL };
	struct req r;
	struct buf b;
	size_t i;
	char *want;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.app = &app;
	for (i = 0; i < nitems(rows); i++) {
		buf_init(&b, 1 << 16);
		want = dumped(http_person_json(&r, &rows[i]));
		assert_non_null(want);
		assert_int_equal(jout_person(&b, tu_regions(), &rows[i]), 0);
		if (strcmp(buf_str(&b), want) != 0)
			fail_msg("row %zu: got %s want %s", i, buf_str(&b),
			    want);
		free(want);
		buf_free(&b);
	}
}

static void
test_tree(void **state)
{
	json_t *j = json_pack("{s:[i,s,b,n],s:{s:I}}", "a", 1, "x\n", 1,
	    "o", "big", (json_int_t)INT64_MAX);
	struct buf b;
	char *want = json_dumps(j, JSON_COMPACT);

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(jout_json(&b, j), 0);
	assert_string_equal(buf_str(&b), want);
	assert_int_equal(jout_json(&b, NULL), -1);
	buf_reset(&b);
	assert_int_equal(jout_int(&b, INT64_MIN), 0);
	assert_string_equal(buf_str(&b), "-9223372036854775808");
	free(want);
	json_decref(j);
	buf_free(&b);
}

static int
group_teardown(void **state)
{
	(void)state;
	tu_env_free();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_person),
		cmocka_unit_test(test_tree),
	};

	return cmocka_run_group_tests_name("json_out", tests, NULL,
	    group_teardown);
}

/*
 * test_disaster.c - the disaster-area table: parse errors with file, line
 * and column; lookups by region prefix and year bounds; the shipped
 * data/disaster_regions.tsv names regions that exist.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/disaster.h"
#include "lib/embedded.h"
#include "lib/mem.h"
#include "testutil.h"

#define HEADER	"region\tfrom_year\tto_year\tevent_zh\tevent_en\n"

static const struct {
	const char	*text;
	unsigned long	 line;
	unsigned	 column;	/* 0: the line as a whole */
	const char	*msg;		/* a part of the message */
} error_rows[] = {
	{ "", 1, 0, "t.tsv:1: 缺少表头 (no header line)" },
	{ "# only a comment\n\n", 3, 0, "no header line" },
	{ "region\tfrom_year\tto_year\tevent_zh\n", 1, 0, "header must be" },
	{ "# c\n" HEADER "51\t2008\t2011\ta\n", 3, 0, "expected 5" },
	{ HEADER "51\t2008\t2011\ta\tb\tc\n", 2, 0, "expected 5" },
	{ HEADER "5\t2008\t2011\ta\tb\n", 2, 1,
	    "t.tsv:2:region: 地区代码应为 2 至 12 位数字" },
	{ HEADER "5133221000011\t2008\t2011\ta\tb\n", 2, 1, "2..12 digits" },
	{ HEADER "51a3\t2008\t2011\ta\tb\n", 2, 1, "2..12 digits" },
	{ HEADER "\t2008\t2011\ta\tb\n", 2, 1, "2..12 digits" },
	{ HEADER "51\t08\t2011\ta\tb\n", 2, 2, "t.tsv:2:from_year:" },
	{ HEADER "51\t+208\t2011\ta\tb\n", 2, 2, "four digits" },
	{ HEADER "51\t1948\t2011\ta\tb\n", 2, 2, "out of 1949..2100" },
	{ HEADER "51\t2008\t2101\ta\tb\n", 2, 3, "out of 1949..2100" },
	{ HEADER "51\t2008\t\ta\tb\n", 2, 3, "four digits" },
	{ HEADER "51\t2008\t2007\ta\tb\n", 2, 3, "before from_year" },
	{ HEADER "51\t2008\t2011\t\tb\n", 2, 4, "empty event_zh" },
	{ HEADER "51\t2008\t2011\ta\t\n", 2, 5, "empty event_en" },
	{ HEADER "51\t2008\t2011\ta\tb\r\n\n# c\n52\t2008\t2011\ta\n", 5, 0,
	    "expected 5" },
};

static void
test_parse_errors(void **state)
{
	struct disaster *d = NULL;
	struct lf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(error_rows) / sizeof(error_rows[0]); i++) {
		lf_error_clear(&err);
		if (disaster_parse(error_rows[i].text,
		    strlen(error_rows[i].text), "t.tsv", &d, &err) == 0)
			fail_msg("row %zu parsed", i);
		assert_null(d);
		if (strcmp(err.code, "disaster_file") != 0 ||
		    err.line != error_rows[i].line ||
		    err.column != error_rows[i].column ||
		    strstr(err.message, error_rows[i].msg) == NULL)
			fail_msg("row %zu: got %s at %lu:%u: %s", i, err.code,
			    err.line, err.column, err.message);
	}
}

static const char table[] =
    "# comment before the header\r\n"
    "\n"
    "region\tfrom_year\tto_year\tevent_zh\tevent_en\r\n"
    "5133\t2022\t2025\t甲\tA\r\n"
    "511824\t2022\t2025\t乙\tB\n"
    "# comment between rows\n"
    "513322100001\t2020\t2020\t丙\tC\n"
    "51\t1949\t1949\t丁\tD\n"
    "\n";

static const struct {
	long long	 village;
	int		 year;
	const char	*want;		/* event_en, NULL for none */
} find_rows[] = {
	{ 513322100001LL, 2022, "A" },	/* first area that holds */
	{ 513322100001LL, 2025, "A" },
	{ 513322100001LL, 2026, NULL },
	{ 513322100001LL, 2021, NULL },
	{ 513322100001LL, 2020, "C" },	/* a village-level area */
	{ 513322100002LL, 2020, NULL },
	{ 513301001001LL, 2023, "A" },	/* another county under 5133 */
	{ 511824002001LL, 2022, "B" },
	{ 511824002001LL, 2021, NULL },
	{ 511825002001LL, 2022, NULL },	/* 5118 but not 511824 */
	{ 510104017001LL, 1949, "D" },	/* a province-level area */
	{ 510104017001LL, 1950, NULL },
	{ 520104017001LL, 1949, NULL },
	{ 0, 2022, NULL },
	{ -513322100001LL, 2022, NULL },
	{ 51332210000LL, 2022, NULL },	/* 11 digits */
	{ 5133221000010LL, 2022, NULL },	/* 13 digits */
	{ 999999999999LL, 2022, NULL },
	{ 100000000000LL, 1949, NULL },
};

static void
test_find(void **state)
{
	const struct disaster_area *a;
	struct disaster *d;
	struct lf_error err;
	size_t i;

	(void)state;
	if (disaster_parse(table, sizeof(table) - 1, "t.tsv", &d, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(d->n, 4);
	assert_string_equal(d->v[0].region, "5133");
	assert_int_equal(d->v[0].from_year, 2022);
	assert_int_equal(d->v[0].to_year, 2025);
	assert_string_equal(d->v[0].event_zh, "甲");
	assert_string_equal(d->v[0].event_en, "A");	/* CR removed */
	for (i = 0; i < sizeof(find_rows) / sizeof(find_rows[0]); i++) {
		a = disaster_find(d, find_rows[i].village, find_rows[i].year);
		if (find_rows[i].want == NULL ? a != NULL : a == NULL ||
		    strcmp(a->event_en, find_rows[i].want) != 0)
			fail_msg("%lld in %d: got %s", find_rows[i].village,
			    find_rows[i].year, a ? a->event_en : "none");
	}
	assert_null(disaster_find(NULL, 513322100001LL, 2022));
	disaster_free(d);
	disaster_free(NULL);
}

static void
test_header_only(void **state)
{
	struct disaster *d;
	struct lf_error err;

	(void)state;
	assert_int_equal(disaster_parse(HEADER, strlen(HEADER), "t.tsv", &d,
	    &err), 0);
	assert_int_equal(d->n, 0);
	assert_null(disaster_find(d, 513322100001LL, 2022));
	disaster_free(d);
}

/* The shipped table: embedded when the build links it in, else read from
 * the source tree (tests run from the top directory). */
static char *
shipped(size_t *len)
{
	struct embedded_file f;
	char *text;
	FILE *fp;

	if (embedded_get("data/disaster_regions.tsv", &f) == 0) {
		text = mem_strndup(f.data, f.len);
		*len = f.len;
		return text;
	}
	fp = fopen("data/disaster_regions.tsv", "r");
	if (fp == NULL)
		fail_msg("cannot open data/disaster_regions.tsv");
	text = mem_alloc(65536);
	assert_non_null(text);
	*len = fread(text, 1, 65535, fp);
	text[*len] = '\0';
	fclose(fp);
	return text;
}

static const struct {
	long long	 village;
	int		 year;
	const char	*want;		/* event_zh, NULL for none */
} shipped_rows[] = {
	{ 513322100001LL, 2024, "2022年泸定6.8级地震" },	/* 泸定县 */
	{ 511824002001LL, 2025, "2022年泸定6.8级地震" },	/* 石棉县 */
	{ 513322100001LL, 2026, NULL },
	{ 513221100001LL, 2008, "2008年汶川8.0级地震" },	/* 汶川县 */
	{ 513221100001LL, 2011, "2008年汶川8.0级地震" },
	{ 513221100001LL, 2012, NULL },
	{ 510104017001LL, 2024, NULL },			/* 锦江区 */
};

static void
test_shipped(void **state)
{
	const struct disaster_area *a;
	struct disaster *d;
	struct lf_error err;
	size_t len, i;
	char *text = shipped(&len);

	(void)state;
	if (disaster_parse(text, len, "data/disaster_regions.tsv", &d,
	    &err) != 0)
		fail_msg("%s", err.message);
	mem_free(text);
	assert_true(d->n >= 10);
	for (i = 0; i < d->n; i++)
		if (regions_find(tu_regions(), d->v[i].region) == NULL)
			fail_msg("region %s is not in regions-sichuan.tsv",
			    d->v[i].region);
	for (i = 0; i < sizeof(shipped_rows) / sizeof(shipped_rows[0]); i++) {
		a = disaster_find(d, shipped_rows[i].village,
		    shipped_rows[i].year);
		if (shipped_rows[i].want == NULL ? a != NULL : a == NULL ||
		    strcmp(a->event_zh, shipped_rows[i].want) != 0)
			fail_msg("%lld in %d: got %s",
			    shipped_rows[i].village, shipped_rows[i].year,
			    a ? a->event_zh : "none");
	}
	disaster_free(d);
}

#ifdef LF_TESTING
static void
test_alloc_failure(void **state)
{
	struct disaster *d;
	struct lf_error err;
	long n;
	int rc;

	(void)state;
	for (n = 0; n < 10; n++) {
		d = NULL;
		mem_fail_after(n);
		rc = disaster_parse(table, sizeof(table) - 1, "t.tsv", &d,
		    &err);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		assert_string_equal(err.code, "no_memory");
		assert_null(d);
	}
	assert_true(n > 0 && n < 10);
	disaster_free(d);
}
#endif

static int
teardown(void **state)
{
	(void)state;
	tu_env_free();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_shipped),
#ifdef LF_TESTING
		cmocka_unit_test(test_alloc_failure),
#endif
	};

	return cmocka_run_group_tests_name("disaster", tests, NULL, teardown);
}

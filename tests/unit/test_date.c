/*
 * test_date.c - core/date: parse, format, y-m-d conversion, age.
 *
 * Expected day counts were computed independently (Python's datetime:
 * (date(y, m, d) - date(1970, 1, 1)).days).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/date.h"

#define UNTOUCHED	0x5a5a5a5a

static const struct parse_row {
	const char	*in;
	int		 rc;
	int		 days;
} parse_rows[] = {
	{ "1970-01-01", 0, 0 },
	{ "1969-12-31", 0, -1 },
	{ "1970-01-02", 0, 1 },
	{ "1800-01-01", 0, -62091 },		/* lowest year */
	{ "2999-12-31", 0, 376199 },		/* highest year */
	{ "1949-12-31", 0, -7306 },
	{ "1900-03-01", 0, -25508 },
	{ "2000-02-29", 0, 11016 },		/* leap: divisible by 400 */
	{ "2000-03-01", 0, 11017 },
	{ "2024-02-29", 0, 19782 },		/* leap: divisible by 4 */
	{ "2023-02-29", -1, 0 },		/* not leap */
	{ "1900-02-29", -1, 0 },		/* not leap: by 100 */
	{ "2100-02-29", -1, 0 },
	{ "2023-02-28", 0, 19416 },
	{ "2024-04-30", 0, 19843 },
	{ "2024-04-31", -1, 0 },		/* 30-day month */
	{ "2024-01-31", 0, 19753 },
	{ "2024-01-32", -1, 0 },
	{ "2024-12-31", 0, 20088 },
	{ "2024-13-01", -1, 0 },
	{ "2024-00-10", -1, 0 },
	{ "2024-01-00", -1, 0 },
	{ "1799-12-31", -1, 0 },		/* below range */
	{ "3000-01-01", -1, 0 },		/* above range */
	{ "0000-01-01", -1, 0 },
	{ "", -1, 0 },
	{ "2024-1-01", -1, 0 },			/* 9 chars */
	{ "2024-01-1", -1, 0 },
	{ "2024-01-011", -1, 0 },		/* 11 chars */
	{ " 2024-01-01", -1, 0 },
	{ "2024-01-01 ", -1, 0 },
	{ "20240101", -1, 0 },
	{ "2024/01/01", -1, 0 },
	{ "2024-01/01", -1, 0 },
	{ "2024_01-01", -1, 0 },
	{ "+024-01-01", -1, 0 },
	{ "-024-01-01", -1, 0 },
	{ "2024-0a-01", -1, 0 },
	{ "2024-01-0 ", -1, 0 },
	{ "2O24-01-01", -1, 0 },		/* letter O */
	{ "\xef\xbc\x92" "4-01-01", -1, 0 },	/* full-width 2, 10 bytes */
	{ "2024-01-01T00:00", -1, 0 },
};

static void
test_parse(void **state)
{
	size_t	 i;
	int	 days, rc;

	(void)state;
	for (i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
		const struct parse_row	*r = &parse_rows[i];

		days = UNTOUCHED;
		rc = date_parse(r->in, &days);
		if (rc != r->rc)
			fail_msg("row %zu \"%s\": rc %d, want %d", i, r->in,
			    rc, r->rc);
		if (r->rc == 0 && days != r->days)
			fail_msg("row %zu \"%s\": days %d, want %d", i, r->in,
			    days, r->days);
		if (r->rc != 0 && days != UNTOUCHED)
			fail_msg("row %zu \"%s\": days changed on failure",
			    i, r->in);
	}
}

static void
test_parse_null(void **state)
{
	int	 days = UNTOUCHED;

	(void)state;
	assert_int_equal(date_parse(NULL, &days), -1);
	assert_int_equal(days, UNTOUCHED);
}

static const struct ymd_row {
	int	 y, m, d;
	int	 rc;
	int	 days;
} ymd_rows[] = {
	{ 1970, 1, 1, 0, 0 },
	{ 1800, 1, 1, 0, -62091 },
	{ 2999, 12, 31, 0, 376199 },
	{ 2000, 2, 29, 0, 11016 },
	{ 2024, 2, 29, 0, 19782 },
	{ 2023, 2, 29, -1, 0 },
	{ 1900, 2, 29, -1, 0 },
	{ 2023, 2, 28, 0, 19416 },
	{ 1799, 12, 31, -1, 0 },
	{ 3000, 1, 1, -1, 0 },
	{ 2024, 0, 1, -1, 0 },
	{ 2024, 13, 1, -1, 0 },
	{ 2024, 1, 0, -1, 0 },
	{ 2024, 1, 32, -1, 0 },
	{ 2024, 6, 31, -1, 0 },
	{ 2024, 11, 31, -1, 0 },
	{ 2024, -1, 1, -1, 0 },
	{ 2024, 1, -1, -1, 0 },
	{ INT_MIN, 1, 1, -1, 0 },
	{ INT_MAX, 1, 1, -1, 0 },
	{ 2024, INT_MAX, 1, -1, 0 },
	{ 2024, 1, INT_MAX, -1, 0 },
};

static void
test_from_ymd(void **state)
{
	size_t	 i;
	int	 days, rc;

	(void)state;
	for (i = 0; i < sizeof(ymd_rows) / sizeof(ymd_rows[0]); i++) {
		const struct ymd_row	*r = &ymd_rows[i];

		days = UNTOUCHED;
		rc = date_from_ymd(r->y, r->m, r->d, &days);
		if (rc != r->rc)
			fail_msg("row %zu %d-%d-%d: rc %d, want %d", i, r->y,
			    r->m, r->d, rc, r->rc);
		if (rc == 0 && days != r->days)
			fail_msg("row %zu: days %d, want %d", i, days,
			    r->days);
		if (rc != 0 && days != UNTOUCHED)
			fail_msg("row %zu: days changed on failure", i);
	}
}

static const struct format_row {
	int		 days;
	const char	*out;
} format_rows[] = {
	{ 0, "1970-01-01" },
	{ -1, "1969-12-31" },
	{ 11016, "2000-02-29" },
	{ 11017, "2000-03-01" },
	{ -62091, "1800-01-01" },
	{ 376199, "2999-12-31" },
	{ -719162, "0001-01-01" },		/* outside 1800..2999: still written */
	{ -719163, "0000-12-31" },
	{ 2932896, "9999-12-31" },
	{ -719529, "0000-00-00" },		/* year -1: cannot be written */
	{ 2932897, "0000-00-00" },		/* year 10000 */
	{ INT_MAX, "0000-00-00" },
	{ INT_MIN, "0000-00-00" },
};

static void
test_format(void **state)
{
	size_t	 i;
	char	 out[DATE_STRLEN + 1];

	(void)state;
	for (i = 0; i < sizeof(format_rows) / sizeof(format_rows[0]); i++) {
		memset(out, 'z', sizeof(out));
		date_format(format_rows[i].days, out);
		if (strcmp(out, format_rows[i].out) != 0)
			fail_msg("row %zu %d: \"%s\", want \"%s\"", i,
			    format_rows[i].days, out, format_rows[i].out);
	}
}

/* Every day of the accepted range: format, parse and y-m-d all agree and
 * the calendar advances by exactly one day each step. */
static void
test_round_trip(void **state)
{
	char	 out[DATE_STRLEN + 1];
	int	 days, back, y, m, d, py, pm, pd, first, last;

	(void)state;
	assert_int_equal(date_from_ymd(DATE_YEAR_MIN, 1, 1, &first), 0);
	assert_int_equal(date_from_ymd(DATE_YEAR_MAX, 12, 31, &last), 0);
	date_to_ymd(first - 1, &py, &pm, &pd);
	assert_int_equal(py, DATE_YEAR_MIN - 1);
	for (days = first; days <= last; days++) {
		date_format(days, out);
		if (date_parse(out, &back) != 0 || back != days)
			fail_msg("%d: \"%s\" does not parse back", days, out);
		date_to_ymd(days, &y, &m, &d);
		if (date_from_ymd(y, m, d, &back) != 0 || back != days)
			fail_msg("%d: y-m-d does not convert back", days);
		if (d == 1) {
			if (!(m == pm + 1 && y == py) &&
			    !(m == 1 && pm == 12 && y == py + 1))
				fail_msg("%d: month does not advance", days);
		} else if (!(d == pd + 1 && m == pm && y == py))
			fail_msg("%d: day does not advance", days);
		py = y;
		pm = m;
		pd = d;
	}
	date_to_ymd(last + 1, &y, &m, &d);
	assert_int_equal(y, DATE_YEAR_MAX + 1);
	assert_int_equal(date_from_ymd(y, m, d, &back), -1);
}

/* Extreme day counts convert without overflow to a plausible date. */
static void
test_to_ymd_extremes(void **state)
{
	static const int	 rows[] = { INT_MIN, INT_MIN + 1, -1, 0,
	    INT_MAX - 1, INT_MAX };
	size_t			 i;
	int			 y, m, d;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		date_to_ymd(rows[i], &y, &m, &d);
		assert_in_range(m, 1, 12);
		assert_in_range(d, 1, 31);
		if (rows[i] < 0)
			assert_true(y <= 1969);
		else
			assert_true(y >= 1970);
	}
}

static const struct age_row {
	const char	*birth;
	const char	*at;
	int		 age;
} age_rows[] = {
	{ "1990-06-15", "1990-06-15", 0 },	/* birth day */
	{ "1990-06-15", "1990-06-14", -1 },	/* day before birth */
	{ "1990-06-15", "1989-06-15", -1 },	/* a year before */
	{ "1990-06-15", "1989-06-14", -1 },	/* not -2 */
	{ "1990-06-15", "1800-01-01", -1 },
	{ "1990-06-15", "1991-06-14", 0 },
	{ "1990-06-15", "1991-06-15", 1 },
	{ "1990-06-15", "2008-06-14", 17 },
	{ "1990-06-15", "2008-06-15", 18 },
	{ "1990-06-15", "2008-07-01", 18 },
	{ "1990-06-15", "2008-05-31", 17 },
	{ "1990-12-31", "1991-01-01", 0 },
	{ "1990-12-31", "1991-12-31", 1 },
	{ "1991-01-01", "1991-12-31", 0 },
	/* Feb 29 birthday: reached on Mar 1 in non-leap years */
	{ "2000-02-29", "2001-02-28", 0 },
	{ "2000-02-29", "2001-03-01", 1 },
	{ "2000-02-29", "2004-02-28", 3 },
	{ "2000-02-29", "2004-02-29", 4 },
	{ "2000-02-29", "2018-02-28", 17 },
	{ "2000-02-29", "2018-03-01", 18 },
	{ "2000-02-29", "2100-02-28", 99 },	/* 2100 is not leap */
	{ "2000-02-29", "2100-03-01", 100 },
	{ "2000-03-01", "2001-02-28", 0 },
	{ "2000-03-01", "2001-03-01", 1 },
	{ "2000-02-28", "2001-02-28", 1 },
	{ "1800-01-01", "2999-12-31", 1199 },
	{ "1800-01-01", "2999-12-30", 1199 },
	{ "1800-01-02", "2999-01-01", 1198 },
};

static void
test_age(void **state)
{
	size_t	 i;
	int	 b, a, age;

	(void)state;
	for (i = 0; i < sizeof(age_rows) / sizeof(age_rows[0]); i++) {
		const struct age_row	*r = &age_rows[i];

		assert_int_equal(date_parse(r->birth, &b), 0);
		assert_int_equal(date_parse(r->at, &a), 0);
		age = date_age(b, a);
		if (age != r->age)
			fail_msg("row %zu %s at %s: %d, want %d", i, r->birth,
			    r->at, age, r->age);
	}
}

/* China time is UTC+8: 2026-03-01T15:59:59Z is still 23:59:59 on Mar 1
 * in Sichuan, 16:00:00Z is Mar 2; 1772380799 = 2026-03-01T15:59:59Z. */
static const struct clock_row {
	int64_t		 t;
	const char	*china_day, *china_min, *china_sec, *utc;
} clock_rows[] = {
	{ 1772380799, "2026-03-01", "2026-03-01 23:59", "2026-03-01 23:59:59",
	  "2026-03-01T15:59:59Z" },
	{ 1772380800, "2026-03-02", "2026-03-02 00:00", "2026-03-02 00:00:00",
	  "2026-03-01T16:00:00Z" },
	{ 0, "1970-01-01", "1970-01-01 08:00", "1970-01-01 08:00:00",
	  "1970-01-01T00:00:00Z" },
	{ -28801, "1969-12-31", "1969-12-31 23:59", "1969-12-31 23:59:59",
	  "1969-12-31T15:59:59Z" },
};

static void
test_clock(void **state)
{
	char day[DATE_STRLEN + 1], text[DATE_TIMELEN + 1], iso[DATE_ISOLEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(clock_rows) / sizeof(clock_rows[0]); i++) {
		const struct clock_row *r = &clock_rows[i];

		date_format(date_china_day(r->t), day);
		assert_string_equal(day, r->china_day);
		date_china_text(r->t, 0, text);
		assert_string_equal(text, r->china_min);
		date_china_text(r->t, 1, text);
		assert_string_equal(text, r->china_sec);
		date_utc_iso(r->t, iso);
		assert_string_equal(iso, r->utc);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_null),
		cmocka_unit_test(test_from_ymd),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_to_ymd_extremes),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * date.c - civil dates as days since 1970-01-01.
 *
 * The conversions are Howard Hinnant's days_from_civil / civil_from_days:
 * the year is shifted to start on March 1 so that the leap day falls at
 * its end, and split into 400-year eras of 146097 days. The arithmetic is
 * done in long long so that no int day count can overflow it.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/date.h"

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_length(int y, int m)
{
	static const int len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && is_leap(y))
		return 29;
	return len[m - 1];
}

/* Day count of a valid y-m-d; no range checks. */
static int
civil_to_days(int y, int m, int d)
{
	long long	 yy, era, yoe, doy, doe;

	yy = (long long)y - (m <= 2);
	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = yy - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int)(era * 146097 + doe - 719468);
}

int
date_digits(const char *s, int n)
{
	int	 i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

void
date_put_digits(char *out, int v, int n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

int
date_from_ymd(int y, int m, int d, int *days)
{
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX)
		return -1;
	if (m < 1 || m > 12)
		return -1;
	if (d < 1 || d > month_length(y, m))
		return -1;
	*days = civil_to_days(y, m, d);
	return 0;
}

void
date_to_ymd(int days, int *y, int *m, int *d)
{
	long long	 z, era, doe, yoe, doy, mp, yy;

	z = (long long)days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	yy = yoe + era * 400 + (*m <= 2);
	*y = (int)yy;
}

int
date_parse(const char *s, int *days)
{
	int	 y, m, d;

	if (s == NULL || strnlen(s, DATE_STRLEN + 1) != DATE_STRLEN)
		return -1;
	if (s[4] != '-' || s[7] != '-')
		return -1;
	y = date_digits(s, 4);
	m = date_digits(s + 5, 2);
	d = date_digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0)
		return -1;
	return date_from_ymd(y, m, d, days);
}

void
date_format(int days, char out[DATE_STRLEN + 1])
{
	int	 y, m, d;

	date_to_ymd(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		y = 0;
		m = 0;
		d = 0;
	}
	date_put_digits(out, y, 4);
	out[4] = '-';
	date_put_digits(out + 5, m, 2);
	out[7] = '-';
	date_put_digits(out + 8, d, 2);
	out[DATE_STRLEN] = '\0';
}

int
date_age(int birth_days, int at_days)
{
	int	 by, bm, bd, ay, am, ad, age;

	if (at_days < birth_days)
		return -1;
	date_to_ymd(birth_days, &by, &bm, &bd);
	date_to_ymd(at_days, &ay, &am, &ad);
	age = ay - by;
	/*
	 * Not yet reached this year's birthday. For a Feb 29 birthday in a
	 * non-leap year, Feb 28 compares before it and Mar 1 after it, so
	 * the birthday counts on Mar 1 as required.
	 */
	if (am < bm || (am == bm && ad < bd))
		age--;
	return age;
}

/* ---- clock times ----------------------------------------------------- */

#define CHINA_OFFSET	(8 * 3600)	/* UTC+8, no daylight saving */

int
date_china_day(int64_t t)
{
	int64_t s = t + CHINA_OFFSET;

	/* floor division: a time before 1970 lies on an earlier day */
	return (int)(s >= 0 ? s / 86400 : -((-s + 86399) / 86400));
}

/* Writes t shifted by off seconds through strftime(fmt); else fail. */
static void
clock_text(int64_t t, int64_t off, const char *fmt, char *out, size_t size,
    const char *fail)
{
	time_t x = (time_t)(t + off);
	struct tm tm;

	if (gmtime_r(&x, &tm) == NULL || strftime(out, size, fmt, &tm) == 0)
		snprintf(out, size, "%s", fail);
}

void
date_china_text(int64_t t, int seconds, char out[DATE_TIMELEN + 1])
{
	clock_text(t, CHINA_OFFSET, seconds ? "%Y-%m-%d %H:%M:%S" :
	    "%Y-%m-%d %H:%M", out, DATE_TIMELEN + 1, "?");
}

void
date_utc_iso(int64_t t, char out[DATE_ISOLEN + 1])
{
	clock_text(t, 0, "%Y-%m-%dT%H:%M:%SZ", out, DATE_ISOLEN + 1, "");
}

/*
 * date.h - civil (proleptic Gregorian) dates as a day count.
 *
 * A date is an int: the number of days since 1970-01-01 (negative before
 * it). Days compare and subtract as plain integers, so "is A before B" and
 * "how many days between" need no helper.
 *
 * Text form is strict ISO 8601 "YYYY-MM-DD". Dates that come from people
 * (birth dates, survey dates) are only accepted for years DATE_YEAR_MIN..
 * DATE_YEAR_MAX; date_parse() and date_from_ymd() refuse anything else.
 *
 * This module does no I/O and never reads the clock: a caller that needs
 * "today" obtains it elsewhere and passes it in. Nothing here allocates.
 * All functions are pure and thread-safe.
 */
#ifndef LF_CORE_DATE_H
#define LF_CORE_DATE_H

#include <stdint.h>

#define DATE_YEAR_MIN	1800
#define DATE_YEAR_MAX	2999
#define DATE_STRLEN	10	/* "YYYY-MM-DD" without the NUL */

/*
 * Parse exactly "YYYY-MM-DD" (ten characters, nothing before or after, no
 * spaces, no sign) naming a real calendar date with a year in range.
 * On success stores the day count in *days and returns 0. On failure
 * returns -1 and leaves *days untouched. s == NULL fails; days must not
 * be NULL.
 */
int	 date_parse(const char *s, int *days);

/*
 * Write days as "YYYY-MM-DD" plus NUL into out (11 bytes). Any day count
 * whose year lies in 0..9999 is written, even outside DATE_YEAR_MIN..MAX;
 * other years cannot be written in this form and give "0000-00-00", which
 * date_parse() refuses.
 */
void	 date_format(int days, char out[DATE_STRLEN + 1]);

/*
 * Validate year y (DATE_YEAR_MIN..DATE_YEAR_MAX), month m (1..12) and day
 * d (1..length of that month, Feb 29 only in leap years). On success
 * stores the day count in *days and returns 0; otherwise returns -1 and
 * leaves *days untouched.
 */
int	 date_from_ymd(int y, int m, int d, int *days);

/* Split any day count into year, month (1..12) and day (1..31). None of
 * y, m, d may be NULL. */
void	 date_to_ymd(int days, int *y, int *m, int *d);

/*
 * Whole years completed on day at by someone born on day birth. A Feb 29
 * birthday is reached on Mar 1 in non-leap years. Returns -1 when at is
 * before birth (0 on the birth day itself).
 */
int	 date_age(int birth_days, int at_days);

/* The n (<= 4) ASCII digits at s as a number; -1 if any is not a digit.
 * date_put_digits() writes v (0 <= v < 10^n) as n digits, zero-padded
 * (no NUL): the date fields of ISO dates and ID numbers. */
int	 date_digits(const char *s, int n);
void	 date_put_digits(char *out, int v, int n);

/*
 * China time (UTC+8 all year, no daylight saving): dates and times people
 * read or type in Sichuan. t is Unix time in seconds, given by the caller.
 * date_china_day() is the China-time day count of t: a survey filled at
 * 07:00 in Sichuan is "today" before 08:00 UTC. date_china_text() writes
 * t as China wall-clock time, "YYYY-MM-DD HH:MM" plus ":SS" when seconds
 * is set, into out (DATE_TIMELEN + 1 bytes; "?" when t cannot be written).
 */
#define DATE_TIMELEN	19
int	 date_china_day(int64_t t);
void	 date_china_text(int64_t t, int seconds, char out[DATE_TIMELEN + 1]);

/*
 * Write Unix time t as UTC ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" into out
 * (DATE_ISOLEN + 1 bytes), as timestamps are stored and sent; "" when t
 * cannot be written.
 */
#define DATE_ISOLEN	20
void	 date_utc_iso(int64_t t, char out[DATE_ISOLEN + 1]);

#endif

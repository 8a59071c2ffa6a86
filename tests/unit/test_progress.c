/*
 * test_progress.c - the progress bar: output forced on with
 * LIANGFU_PROGRESS=1 and captured from stderr; silence when forced off or
 * when stderr is not a terminal (not even the final line); NULL handling;
 * the number formats.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/mem.h"
#include "lib/progress.h"

/* stderr redirected into a temporary file while a test runs. */
struct capture {
	FILE	*tmp;
	int	 saved;
	char	 text[4096];
};

static void
capture_begin(struct capture *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	assert_non_null(c->tmp);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->tmp), STDERR_FILENO) >= 0);
}

static const char *
capture_end(struct capture *c)
{
	size_t n;

	fflush(stderr);
	assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
	close(c->saved);
	rewind(c->tmp);
	n = fread(c->text, 1, sizeof(c->text) - 1, c->tmp);
	c->text[n] = '\0';
	fclose(c->tmp);
	return c->text;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	nanosleep(&ts, NULL);
}

static size_t
count_char(const char *s, char ch)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (*s == ch)
			n++;
	return n;
}

static void
test_forced_on_known_total(void **state)
{
	struct capture c;
	struct progress *p;
	const char *out;

	(void)state;
	setenv("LIANGFU_PROGRESS", "1", 1);
	capture_begin(&c);
	p = progress_start("导入", 100);
	assert_non_null(p);
	nap_ms(150);
	progress_update(p, 50);
	nap_ms(150);
	progress_update(p, 150);	/* past the total: clamped */
	progress_done(p);
	out = capture_end(&c);
	assert_non_null(strstr(out, "\r导入 [###############...............]"
	    "  50% 50/100 "));
	assert_non_null(strstr(out, " 100% 150/100 "));
	assert_non_null(strstr(out, "ETA 00:00"));
	assert_non_null(strstr(out, "\r导入: 150 done in 00:00 ("));
	assert_int_equal(out[strlen(out) - 1], '\n');
	assert_int_equal(count_char(out, '\n'), 1);
	assert_int_equal(count_char(out, '\r'), 3);
}

static void
test_forced_on_unknown_total(void **state)
{
	struct capture c;
	struct progress *p;
	const char *out;

	(void)state;
	setenv("LIANGFU_PROGRESS", "1", 1);
	capture_begin(&c);
	p = progress_start("扫描", 0);
	nap_ms(150);
	progress_update(p, 7);
	progress_done(p);
	out = capture_end(&c);
	assert_non_null(strstr(out, "\r扫描 7 "));
	assert_null(strstr(out, "ETA"));
	assert_null(strstr(out, "%"));
	assert_non_null(strstr(out, "\r扫描: 7 done in 00:00 ("));
}

/* Quick updates are not drawn (at most eight redraws a second), and the
 * final line blanks out what is left of a longer bar line. */
static void
test_rate_limited(void **state)
{
	struct capture c;
	struct progress *p;
	const char *out;
	uint64_t i;

	(void)state;
	setenv("LIANGFU_PROGRESS", "1", 1);
	capture_begin(&c);
	p = progress_start("x", 1000000);
	for (i = 1; i <= 1000; i++)
		progress_update(p, i);
	progress_done(p);
	out = capture_end(&c);
	assert_int_equal(count_char(out, '\r'), 1);
	assert_non_null(strstr(out, "\rx: 1000 done in 00:00 ("));
}

/* Fast updates stretch the countdown between clock reads; when updates
 * turn slow it shrinks again and the bar is drawn. */
static void
test_fast_then_slow(void **state)
{
	struct capture c;
	struct progress *p;
	const char *out;
	uint64_t i;

	(void)state;
	setenv("LIANGFU_PROGRESS", "1", 1);
	capture_begin(&c);
	p = progress_start("x", 0);
	for (i = 1; i <= 10; i++)
		progress_update(p, i);
	for (; i <= 22; i++) {
		nap_ms(25);
		progress_update(p, i);
	}
	progress_done(p);
	out = capture_end(&c);
	/* Bar lines before the final line. */
	assert_true(count_char(out, '\r') >= 2);
	assert_non_null(strstr(out, "\rx 1"));
}

static void
test_padding(void **state)
{
	struct capture c;
	struct progress *p;
	const char *out, *last;

	(void)state;
	setenv("LIANGFU_PROGRESS", "1", 1);
	capture_begin(&c);
	p = progress_start("x", 1000000);
	nap_ms(150);
	progress_update(p, 999999);
	progress_done(p);
	out = capture_end(&c);
	last = strrchr(out, '\r');
	assert_non_null(last);
	/* The bar line was longer than the final one: blanks follow it. */
	assert_non_null(strstr(last, ")    "));
	assert_int_equal(count_char(out, '\r'), 2);
}

struct silent_case {
	const char	*env;		/* NULL: unset */
};

static const struct silent_case silent_cases[] = {
	{ "0" },	/* forced off */
	{ NULL },	/* stderr is a file, not a terminal */
	{ "" },		/* ignored values fall back to isatty() */
	{ "yes" },
	{ "10" },
};

static void
test_silent(void **state)
{
	struct capture c;
	struct progress *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(silent_cases) / sizeof(silent_cases[0]); i++) {
		if (silent_cases[i].env != NULL)
			setenv("LIANGFU_PROGRESS", silent_cases[i].env, 1);
		else
			unsetenv("LIANGFU_PROGRESS");
		capture_begin(&c);
		p = progress_start("导入", 10);
		assert_non_null(p);
		progress_update(p, 1);
		nap_ms(140);
		progress_update(p, 10);
		progress_done(p);
		if (capture_end(&c)[0] != '\0')
			fail_msg("case %zu wrote output", i);
	}
}

static void
test_null_and_oom(void **state)
{
	struct capture c;

	(void)state;
	setenv("LIANGFU_PROGRESS", "1", 1);
	capture_begin(&c);
	progress_update(NULL, 5);
	progress_done(NULL);
	mem_fail_after(0);
	assert_null(progress_start("x", 10));
	mem_fail_after(-1);
	assert_string_equal(capture_end(&c), "");
}

/* Labels are cut to 40 bytes without splitting a character; NULL is "". */
static void
test_label(void **state)
{
	struct capture c;
	struct progress *p;
	const char *out;

	(void)state;
	setenv("LIANGFU_PROGRESS", "1", 1);
	capture_begin(&c);
	/* 15 three-byte characters = 45 bytes: 13 fit (39 bytes). */
	p = progress_start("一二三四五六七八九十一二三四五", 0);
	progress_done(p);
	p = progress_start(NULL, 0);
	progress_done(p);
	out = capture_end(&c);
	assert_non_null(strstr(out, "\r一二三四五六七八九十一二三: 0 done"));
	assert_non_null(strstr(out, "\r: 0 done in 00:00 (0/s)"));
}

struct rate_case {
	double		 v;
	const char	*want;
};

static const struct rate_case rate_cases[] = {
	{ 0, "0/s" },
	{ 0.4, "0/s" },
	{ 1, "1/s" },
	{ 999.4, "999/s" },
	{ 999.5, "1.0k/s" },
	{ 12345, "12.3k/s" },
	{ 999949, "999.9k/s" },
	{ 999950, "1.0M/s" },
	{ 4.5e6, "4.5M/s" },
	{ 999949999, "999.9M/s" },
	{ 999950000, "1.0G/s" },
	{ 2e9, "2.0G/s" },
	{ -1, "0/s" },
};

static void
test_format_rate(void **state)
{
	char b[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rate_cases) / sizeof(rate_cases[0]); i++)
		assert_string_equal(progress_format_rate(b, sizeof(b),
		    rate_cases[i].v), rate_cases[i].want);
	assert_string_equal(progress_format_rate(b, sizeof(b), NAN), "0/s");
	assert_string_equal(progress_format_rate(b, 4, 12345), "12.");
}

struct duration_case {
	double		 s;
	const char	*want;
};

static const struct duration_case duration_cases[] = {
	{ 0, "00:00" },
	{ 0.99, "00:00" },
	{ 59.9, "00:59" },
	{ 60, "01:00" },
	{ 3599, "59:59" },
	{ 3600, "1:00:00" },
	{ 86399, "23:59:59" },
	{ 360000, "100:00:00" },
	{ -1, "--:--" },
	{ 1e16, "--:--" },
};

static void
test_format_duration(void **state)
{
	char b[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(duration_cases) / sizeof(duration_cases[0]);
	    i++)
		assert_string_equal(progress_format_duration(b, sizeof(b),
		    duration_cases[i].s), duration_cases[i].want);
	assert_string_equal(progress_format_duration(b, sizeof(b), NAN),
	    "--:--");
	assert_string_equal(progress_format_duration(b, 3, 61), "01");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forced_on_known_total),
		cmocka_unit_test(test_forced_on_unknown_total),
		cmocka_unit_test(test_rate_limited),
		cmocka_unit_test(test_fast_then_slow),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_silent),
		cmocka_unit_test(test_null_and_oom),
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_format_rate),
		cmocka_unit_test(test_format_duration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_utf8.c - strict UTF-8 validation: every class of ill-formed input,
 * the boundaries of each sequence length, truncation, and the ASCII fast
 * path on both sides of an eight-byte word.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/utf8.h"

struct scan_case {
	const char	*name;
	const char	*s;
	size_t		 len;		/* 0: strlen(s) */
	int		 status;
	size_t		 off;		/* error offset, or len when valid */
	long		 count;		/* -1 when not valid */
};

static const struct scan_case scan_cases[] = {
	{ "empty", "", 0, UTF8_OK, 0, 0 },
	{ "ascii", "abc", 0, UTF8_OK, 3, 3 },
	{ "nul is valid", "a\0b", 3, UTF8_OK, 3, 3 },
	{ "del", "\x7f", 0, UTF8_OK, 1, 1 },
	{ "two bytes", "\xc3\xa9", 0, UTF8_OK, 2, 1 },
	{ "cjk", "你好", 0, UTF8_OK, 6, 2 },
	{ "mixed", "a你b好c", 0, UTF8_OK, 9, 5 },
	{ "U+0080", "\xc2\x80", 0, UTF8_OK, 2, 1 },
	{ "U+07FF", "\xdf\xbf", 0, UTF8_OK, 2, 1 },
	{ "U+0800", "\xe0\xa0\x80", 0, UTF8_OK, 3, 1 },
	{ "U+D7FF", "\xed\x9f\xbf", 0, UTF8_OK, 3, 1 },
	{ "U+E000", "\xee\x80\x80", 0, UTF8_OK, 3, 1 },
	{ "U+FFFF", "\xef\xbf\xbf", 0, UTF8_OK, 3, 1 },
	{ "U+10000", "\xf0\x90\x80\x80", 0, UTF8_OK, 4, 1 },
	{ "U+10FFFF", "\xf4\x8f\xbf\xbf", 0, UTF8_OK, 4, 1 },
	{ "U+20000", "\xf0\xa0\x80\x80", 0, UTF8_OK, 4, 1 },
	{ "U+110000", "\xf4\x90\x80\x80", 0, UTF8_INVALID, 0, -1 },
	{ "F5 lead", "\xf5\x80\x80\x80", 0, UTF8_INVALID, 0, -1 },
	{ "FF byte", "ab\xff", 0, UTF8_INVALID, 2, -1 },
	{ "FE byte", "\xfe", 0, UTF8_INVALID, 0, -1 },
	{ "overlong C0", "\xc0\x80", 0, UTF8_INVALID, 0, -1 },
	{ "overlong C1", "\xc1\xbf", 0, UTF8_INVALID, 0, -1 },
	{ "overlong E0", "\xe0\x80\x80", 0, UTF8_INVALID, 0, -1 },
	{ "overlong E0 9F", "\xe0\x9f\xbf", 0, UTF8_INVALID, 0, -1 },
	{ "overlong F0", "\xf0\x80\x80\x80", 0, UTF8_INVALID, 0, -1 },
	{ "overlong F0 8F", "\xf0\x8f\xbf\xbf", 0, UTF8_INVALID, 0, -1 },
	{ "surrogate D800", "\xed\xa0\x80", 0, UTF8_INVALID, 0, -1 },
	{ "surrogate DFFF", "x\xed\xbf\xbf", 0, UTF8_INVALID, 1, -1 },
	{ "stray 80", "\x80", 0, UTF8_INVALID, 0, -1 },
	{ "stray BF after ascii", "abc\xbf", 0, UTF8_INVALID, 3, -1 },
	{ "two-byte bad cont", "\xc3\x41", 0, UTF8_INVALID, 0, -1 },
	{ "three-byte bad 2nd", "\xe4\x41\x42", 0, UTF8_INVALID, 0, -1 },
	{ "three-byte bad 3rd", "ab\xe4\xbd\x41", 0, UTF8_INVALID, 2, -1 },
	{ "four-byte bad 4th", "\xf0\x90\x80\x41", 0, UTF8_INVALID, 0, -1 },
	{ "cont after char", "\xc3\xa9\xa9", 0, UTF8_INVALID, 2, -1 },
	{ "cut two-byte", "\xc3", 0, UTF8_TRUNCATED, 0, -1 },
	{ "cut three-byte", "a\xe4\xbd", 0, UTF8_TRUNCATED, 1, -1 },
	{ "cut four-byte", "\xf0\x90\x80", 0, UTF8_TRUNCATED, 0, -1 },
	{ "cut but overlong", "\xe0\x80", 0, UTF8_INVALID, 0, -1 },
	{ "cut but too big", "\xf4\x90", 0, UTF8_INVALID, 0, -1 },
	{ "cut but surrogate", "\xed\xa0", 0, UTF8_INVALID, 0, -1 },
	{ "word then bad", "abcdefghij\xff", 0, UTF8_INVALID, 10, -1 },
	{ "bad in 2nd word", "abcdefgh\xff" "bcdefgh", 0, UTF8_INVALID, 8,
	    -1 },
	{ "words and chars", "abcdefgh\xc3\xa9ijklmnopq", 0, UTF8_OK, 19,
	    18 },
	{ "cjk run", "四川省成都市锦江区", 0, UTF8_OK, 27, 9 },
	{ "cut after word", "abcdefgh\xe4", 0, UTF8_TRUNCATED, 8, -1 },
};

static void
test_scan_table(void **state)
{
	const struct scan_case *c;
	size_t i, len, off;

	(void)state;
	for (i = 0; i < sizeof(scan_cases) / sizeof(scan_cases[0]); i++) {
		c = &scan_cases[i];
		len = c->len ? c->len : strlen(c->s);
		off = 12345;
		if (utf8_scan(c->s, len, &off) != c->status || off != c->off)
			fail_msg("%s: status/offset %zu", c->name, off);
		assert_int_equal(utf8_scan(c->s, len, NULL), c->status);
		assert_int_equal(utf8_valid(c->s, len), c->status == UTF8_OK);
		assert_int_equal(utf8_count(c->s, len), c->count);
		assert_int_equal(utf8_error_offset(c->s, len), c->off);
	}
}

static void
test_null_empty(void **state)
{
	size_t off = 7;

	(void)state;
	assert_int_equal(utf8_scan(NULL, 0, &off), UTF8_OK);
	assert_int_equal(off, 0);
	assert_true(utf8_valid(NULL, 0));
	assert_int_equal(utf8_count(NULL, 0), 0);
	assert_int_equal(utf8_error_offset(NULL, 0), 0);
	assert_int_equal(utf8_cut(NULL, 0, 5), 0);
}

/* Every single byte on its own: ASCII valid, 80..C1 and F5..FF invalid,
 * C2..F4 truncated. */
static void
test_every_lead_byte(void **state)
{
	char b[1];
	int want;
	unsigned v;

	(void)state;
	for (v = 0; v < 256; v++) {
		b[0] = (char)v;
		if (v < 0x80)
			want = UTF8_OK;
		else if (v < 0xC2 || v > 0xF4)
			want = UTF8_INVALID;
		else
			want = UTF8_TRUNCATED;
		if (utf8_scan(b, 1, NULL) != want)
			fail_msg("byte 0x%02x", v);
	}
}

/* Every code point encodes to what the scanner accepts, surrogates
 * excluded. Catches an off-by-one in any of the range limits. */
static size_t
encode(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static void
test_every_code_point(void **state)
{
	char b[4];
	unsigned long cp;
	size_t n;
	int want;

	(void)state;
	for (cp = 0; cp <= 0x10FFFF; cp++) {
		n = encode(cp, b);
		want = cp >= 0xD800 && cp <= 0xDFFF ? UTF8_INVALID : UTF8_OK;
		if (utf8_scan(b, n, NULL) != want)
			fail_msg("U+%04lX", cp);
		if (want == UTF8_OK && n > 1 &&
		    utf8_scan(b, n - 1, NULL) != UTF8_TRUNCATED)
			fail_msg("U+%04lX cut", cp);
	}
}

struct cut_case {
	const char	*s;
	size_t		 max;
	size_t		 want;
};

static const struct cut_case cut_cases[] = {
	{ "你好", 0, 0 },
	{ "你好", 2, 0 },
	{ "你好", 3, 3 },
	{ "你好", 4, 3 },
	{ "你好", 5, 3 },
	{ "你好", 6, 6 },
	{ "你好", 100, 6 },
	{ "abc", 0, 0 },
	{ "abc", 2, 2 },
	{ "a\xc3\xa9", 2, 1 },
	{ "a\xf0\x90\x80\x80z", 4, 1 },
	{ "a\xf0\x90\x80\x80z", 5, 5 },
};

static void
test_cut_table(void **state)
{
	const struct cut_case *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cut_cases) / sizeof(cut_cases[0]); i++) {
		c = &cut_cases[i];
		if (utf8_cut(c->s, strlen(c->s), c->max) != c->want)
			fail_msg("cut case %zu", i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_table),
		cmocka_unit_test(test_null_empty),
		cmocka_unit_test(test_every_lead_byte),
		cmocka_unit_test(test_every_code_point),
		cmocka_unit_test(test_cut_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

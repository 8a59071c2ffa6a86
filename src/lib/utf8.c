/*
 * utf8.c - strict UTF-8 validation.
 *
 * A lead byte fixes the sequence length and the allowed range of the
 * second byte; that range is what excludes overlongs (E0, F0), surrogates
 * (ED) and values past U+10FFFF (F4). Later bytes are plain continuation
 * bytes 80..BF. ASCII is skipped eight bytes at a time, and the common
 * three-byte characters (most CJK) take a short path.
 */
#include "lib/utf8.h"

#include <stdint.h>
#include <string.h>

#define ASCII_MASK	0x8080808080808080ULL

/*
 * Length of the sequence led by b (2..4), with the allowed range of its
 * second byte in *lo..*hi, or 0 when b cannot start a multibyte sequence.
 */
static size_t
lead(unsigned char b, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (b >= 0xC2 && b <= 0xDF)
		return 2;
	if (b == 0xE0)
		*lo = 0xA0;
	else if (b == 0xED)
		*hi = 0x9F;
	if (b >= 0xE0 && b <= 0xEF)
		return 3;
	if (b == 0xF0)
		*lo = 0x90;
	else if (b == 0xF4)
		*hi = 0x8F;
	if (b >= 0xF0 && b <= 0xF4)
		return 4;
	return 0;
}

/* Check the multibyte sequence at p (p < e, *p >= 0x80). Returns its
 * length, or 0 with *status set when it is invalid or cut short. */
static size_t
sequence(const unsigned char *p, const unsigned char *e, int *status)
{
	unsigned char lo, hi;
	size_t n, i;

	n = lead(*p, &lo, &hi);
	*status = UTF8_INVALID;
	if (n == 0)
		return 0;
	for (i = 1; i < n; i++) {
		if (p + i == e) {
			*status = UTF8_TRUNCATED;
			return 0;
		}
		if (p[i] < lo || p[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xBF;
	}
	*status = UTF8_OK;
	return n;
}

/* Lead bytes E1..EC, EE, EF: three bytes, no range quirks (most CJK). */
#define PLAIN3(c)	(((c) >= 0xE1 && (c) <= 0xEC) || \
			    (c) == 0xEE || (c) == 0xEF)
#define CONT(c)		(((c) & 0xC0) == 0x80)

/* Return the first byte at or after p that is not ASCII, or e. */
static const unsigned char *
skip_ascii(const unsigned char *p, const unsigned char *e)
{
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w, m;

	while (e - p >= 8) {
		memcpy(&w, p, sizeof(w));
		m = w & ASCII_MASK;
		if (m != 0)
			return p + (__builtin_ctzll(m) >> 3);
		p += 8;
	}
#endif
	while (p < e && *p < 0x80)
		p++;
	return p;
}

int
utf8_scan(const char *s, size_t len, size_t *off)
{
	const unsigned char *p, *e;
	size_t n;
	int status = UTF8_OK;

	if (len == 0) {
		if (off != NULL)
			*off = 0;
		return UTF8_OK;
	}
	p = (const unsigned char *)s;
	e = p + len;
	while (p < e) {
		if (*p < 0x80) {
			p = skip_ascii(p, e);
			continue;
		}
		if (PLAIN3(*p) && e - p >= 3 && CONT(p[1]) && CONT(p[2])) {
			p += 3;
			continue;
		}
		n = sequence(p, e, &status);
		if (n == 0)
			break;
		p += n;
	}
	if (off != NULL)
		*off = (size_t)(p - (const unsigned char *)s);
	return status;
}

int
utf8_valid(const char *s, size_t len)
{
	return utf8_scan(s, len, NULL) == UTF8_OK;
}

long
utf8_count(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	long count = 0;
	size_t i;

	if (utf8_scan(s, len, NULL) != UTF8_OK)
		return -1;
	for (i = 0; i < len; i++)
		if ((p[i] & 0xC0) != 0x80)
			count++;
	return count;
}

size_t
utf8_error_offset(const char *s, size_t len)
{
	size_t off;

	utf8_scan(s, len, &off);
	return off;
}

size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (len <= max)
		return len;
	n = max;
	while (n > 0 && (p[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/*
 * utf8.h - strict UTF-8 validation and counting (RFC 3629).
 *
 * "Strict" means that overlong forms (C0 80 for U+0000, E0 80 80 ...), the
 * UTF-16 surrogates U+D800..U+DFFF, code points above U+10FFFF, stray
 * continuation bytes, the bytes C0, C1 and F5..FF, and sequences cut short
 * are all invalid. U+0000 is valid UTF-8; callers that hand out C strings
 * must refuse it themselves.
 *
 * Every function takes a pointer and a byte length; s may be NULL only when
 * len is 0. Nothing here allocates or does I/O; all functions are pure and
 * thread-safe. Pure ASCII runs are checked eight bytes at a time, so
 * validating large blocks is cheap.
 */
#ifndef LF_CORE_UTF8_H
#define LF_CORE_UTF8_H

#include <stddef.h>

enum utf8_status {
	UTF8_OK,		/* every sequence is complete and valid */
	UTF8_INVALID,		/* an ill-formed sequence starts at *off */
	UTF8_TRUNCATED		/* valid so far, but s ends mid-sequence */
};

/*
 * Check s[0..len). Returns a utf8_status. For UTF8_INVALID and
 * UTF8_TRUNCATED, stores in *off the byte offset of the first byte of the
 * offending sequence (everything before it is valid); for UTF8_OK stores
 * len. off may be NULL. UTF8_TRUNCATED lets a stream reader keep the last
 * one to three bytes of a block and retry once more bytes have arrived.
 */
int	 utf8_scan(const char *s, size_t len, size_t *off);

/* 1 when s[0..len) is valid UTF-8 (UTF8_OK), 0 otherwise. */
int	 utf8_valid(const char *s, size_t len);

/* Number of code points in s[0..len), or -1 when it is not valid UTF-8
 * (a truncated final sequence counts as invalid). */
long	 utf8_count(const char *s, size_t len);

/*
 * Byte offset of the first byte of the first invalid or truncated
 * sequence, or len when s[0..len) is valid. Callers report it as a
 * position ("byte 17") and may print the valid prefix.
 */
size_t	 utf8_error_offset(const char *s, size_t len);

/*
 * The largest n <= max and n <= len such that s[0..n) does not end in the
 * middle of a multibyte sequence, for truncating valid UTF-8 text to a
 * byte budget without leaving half a character. Only looks back from the
 * cut; it does not validate.
 */
size_t	 utf8_cut(const char *s, size_t len, size_t max);

#endif

/*
 * num.h - a whole decimal number from text, within bounds.
 *
 * The one parser of integers that command options, CSV columns and the
 * catalog's option codes and ranges use. Pure: no allocation, no state;
 * a failure is -1 and leaves *out untouched (the caller words the error,
 * naming its own field). And the one comparison of 64-bit integers that
 * qsort() and bsearch() take.
 */
#ifndef LF_LIB_NUM_H
#define LF_LIB_NUM_H

/* Parses s, a whole decimal number (optional sign, nothing else) in
 * lo..hi, into *out: 0, or -1 when s is NULL or empty, not such a number,
 * out of range, or outside lo..hi. */
int	lf_parse_int(const char *s, long long lo, long long hi,
	    long long *out);

/* qsort()/bsearch() order of two int64_t: -1, 0 or 1. */
int	lf_cmp_i64(const void *a, const void *b);

#endif

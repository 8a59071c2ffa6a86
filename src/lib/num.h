/*
 * num.h - a whole decimal number from text, within bounds.
 *
 * The one parser of integers that command options, CSV columns and the
 * catalog's option codes and ranges use. Pure: no allocation, no state;
 * a failure is -1 and leaves *out untouched (the caller words the error,
 * naming its own field).
 */
#ifndef LF_LIB_NUM_H
#define LF_LIB_NUM_H

/* Parses s, a whole decimal number (optional sign, nothing else) in
 * lo..hi, into *out: 0, or -1 when s is NULL or empty, not such a number,
 * out of range, or outside lo..hi. */
int	lf_parse_int(const char *s, long long lo, long long hi,
	    long long *out);

#endif

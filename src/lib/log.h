/*
 * log.h - the logging family (OpenBSD httpd's log.c).
 *
 * Every line goes to stderr as "liangfu: <message>\n", written with one
 * fprintf under flockfile(), so lines from different threads never mix.
 * A line is cut at LOG_LINE_MAX bytes (on a UTF-8 character boundary).
 * Control characters other than tab are written as '?', so text that came
 * from input files cannot move the cursor or forge extra lines.
 *
 *	log_warn	message + ": " + strerror(errno)
 *	log_warnx	message only
 *	log_info	message only
 *	log_debug	message only, and only after log_init(1)
 *	fatal		as log_warn, then exit(1)
 *	fatalx		as log_warnx, then exit(1)
 *
 * Every line is masked with log_mask() before it is written: no ID or
 * phone number reaches the log, whatever text a client sent.
 *
 * log_warn and fatal accept fmt == NULL and then print just the strerror
 * text. None of the functions allocates, and all of them leave errno as
 * they found it. log_init may be called at any time (it only sets the
 * debug switch); logging before it behaves as log_init(0).
 */
#ifndef LF_IO_LOG_H
#define LF_IO_LOG_H

#include <stddef.h>

#define LOG_LINE_MAX	1024	/* bytes per line, prefix included */

void	log_init(int debug);
/*
 * Masks, in place, everything in s (len bytes) shaped like an ID or a
 * mobile number: a run of digits (a single ' ' or '-' may stand
 * between two digits; a final X or x counts as a digit) of 15 or more
 * digits, or of 11 to 14 digits whose last 11 begin 1[3-9] (a mobile
 * number, with or without a country code). Each digit and X of such a
 * run becomes '*'; separators stay. Other text is left as it is. This is
 * the one masking function: every log line passes through it.
 */
void	log_mask(char *s, size_t len);
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif

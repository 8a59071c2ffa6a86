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
 * log_warn and fatal accept fmt == NULL and then print just the strerror
 * text. None of the functions allocates, and all of them leave errno as
 * they found it. log_init may be called at any time (it only sets the
 * debug switch); logging before it behaves as log_init(0).
 */
#ifndef LF_IO_LOG_H
#define LF_IO_LOG_H

#define LOG_LINE_MAX	1024	/* bytes per line, prefix included */

void	log_init(int debug);
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif

/*
 * log.c - the logging family: format into a stack buffer, clean it, write
 * it with a single fprintf.
 */
#include "lib/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utf8.h"

#define LOG_PREFIX	"liangfu: "

static atomic_int debug_on;

void
log_init(int debug)
{
	debug_on = debug != 0;
}

/* Replace control characters (except tab) so a line stays one line. */
static void
clean(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7F)
			s[i] = '?';
	}
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_sep(char c)
{
	return c == ' ' || c == '-';
}

/* Whether the run's digits (n of them, the last 11 starting at d11) are
 * shaped like an ID or a mobile number. */
static int
run_secret(size_t n, const char *d11)
{
	if (n >= 15)
		return 1;
	return n >= 11 && d11[0] == '1' && d11[1] >= '3' && d11[1] <= '9';
}

/* The end of the digit run starting at s[i] (a digit); *ndig gets its
 * digits, *d11 where its last 11 digits begin. */
static size_t
run_end(const char *s, size_t len, size_t i, size_t *ndig, size_t *d11)
{
	size_t pos[11], n = 0, end = i;

	while (end < len) {
		if (is_digit(s[end]) || ((s[end] == 'X' || s[end] == 'x') &&
		    n >= 14)) {
			pos[n++ % 11] = end;
			if (!is_digit(s[end++]))
				break;
		} else if (is_sep(s[end]) && end + 1 < len &&
		    is_digit(s[end + 1]) && n > 0)
			end++;
		else
			break;
	}
	*ndig = n;
	*d11 = n >= 11 ? pos[n % 11] : i;
	return end;
}

void
log_mask(char *s, size_t len)
{
	size_t i = 0, end, n, d11, k;

	while (i < len) {
		if (!is_digit(s[i])) {
			i++;
			continue;
		}
		end = run_end(s, len, i, &n, &d11);
		if (n >= 11) {
			char first[2] = { s[d11], '\0' };

			/* the 11th-last digit and the one after it */
			for (k = d11 + 1; k < end && !is_digit(s[k]); k++)
				;
			first[1] = k < end ? s[k] : '\0';
			if (run_secret(n, first))
				for (k = i; k < end; k++)
					if (!is_sep(s[k]))
						s[k] = '*';
		}
		i = end;
	}
}

/* Append s to line (holding *len bytes), cutting it to fit. */
static void
add(char *line, size_t *len, const char *s)
{
	size_t n = strlen(s);

	n = utf8_cut(s, n, LOG_LINE_MAX - 1 - *len);
	memcpy(line + *len, s, n);
	*len += n;
	line[*len] = '\0';
}

/*
 * Write one line. errnum >= 0 appends ": strerror(errnum)"; fmt may then
 * be NULL. errno is left as it was.
 */
static void __attribute__((format(printf, 2, 0)))
vlog(int errnum, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX], msg[LOG_LINE_MAX], ebuf[128];
	size_t len = 0;
	int n, saved = errno;

	line[0] = '\0';
	add(line, &len, LOG_PREFIX);
	if (fmt != NULL) {
		n = vsnprintf(msg, sizeof(msg), fmt, ap);
		if (n < 0)
			msg[0] = '\0';
		add(line, &len, msg);
	}
	if (errnum >= 0) {
		if (fmt != NULL)
			add(line, &len, ": ");
		/* GNU strerror_r (the build defines _GNU_SOURCE). */
		add(line, &len, strerror_r(errnum, ebuf, sizeof(ebuf)));
	}
	clean(line, len);
	log_mask(line, len);
	flockfile(stderr);
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
	funlockfile(stderr);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(errno, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(-1, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(-1, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!debug_on)
		return;
	va_start(ap, fmt);
	vlog(-1, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(errno, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(-1, fmt, ap);
	va_end(ap);
	exit(1);
}

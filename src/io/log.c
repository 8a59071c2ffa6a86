/*
 * log.c - the logging family: format into a stack buffer, clean it, write
 * it with a single fprintf.
 */
#include "io/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

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

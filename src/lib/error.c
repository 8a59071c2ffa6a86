/*
 * error.c - filling struct lf_error.
 */
#include "lib/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
lf_error_clear(struct lf_error *err)
{
	err->code = NULL;
	err->field[0] = '\0';
	err->message[0] = '\0';
	err->line = 0;
	err->column = 0;
}

int
lf_error_set(struct lf_error *err, const char *code, const char *field,
    const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

int
lf_error_prefix(struct lf_error *err, const char *fmt, ...)
{
	char msg[sizeof(err->message)];
	va_list ap;
	int n;

	memcpy(msg, err->message, sizeof(msg));
	va_start(ap, fmt);
	n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(err->message))
		snprintf(err->message + n, sizeof(err->message) - (size_t)n,
		    "%s", msg);
	return -1;
}

int
lf_error_nomem(struct lf_error *err)
{
	return lf_error_set(err, "no_memory", "", "%s", LF_ERROR_NOMEM_TEXT);
}

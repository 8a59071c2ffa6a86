/*
 * error.c - filling struct lf_error.
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

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

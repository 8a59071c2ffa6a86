/*
 * tsv.c - data lines, fields and located errors of TSV input (tsv.h).
 */
#include "core/tsv.h"

#include <string.h>

char *
tsv_line(char **p)
{
	char *line = *p;
	size_t n;

	if (*line == '\0')
		return NULL;
	n = strcspn(line, "\n");
	*p = line + n + (line[n] == '\n');
	line[n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';
	return line;
}

char *
tsv_next(char **p, unsigned long *lineno)
{
	char *line;

	while ((line = tsv_line(p)) != NULL) {
		(*lineno)++;
		if (line[0] != '\0' && line[0] != '#')
			return line;
	}
	return NULL;
}

size_t
tsv_lines(const char *text, size_t len)
{
	size_t n = 1, i;

	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

size_t
tsv_split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *t;

	for (;;) {
		f[n++] = line;
		if ((t = strchr(line, '\t')) == NULL)
			return n;
		*t = '\0';
		if (n == max)
			return max + 1;
		line = t + 1;
	}
}

int
tsv_error(struct lf_error *err, const char *code, const char *field,
    const char *file, unsigned long line, unsigned column, const char *why)
{
	lf_error_set(err, code, field, "%s:%lu:%u: %s", file, line, column,
	    why);
	err->line = line;
	err->column = column;
	return -1;
}

/*
 * tsv.h - the tab-separated input files (budget shares, reconciliation
 * kinds, supply lists, quality rules, disaster years, regions): cutting a
 * text into data lines and fields, and the error that names where a value
 * is wrong.
 *
 * Everything works in place on a NUL-terminated text the caller owns and
 * may change; nothing allocates. Lines end in "\n" or "\r\n"; a line that
 * is empty or starts with '#' holds no data.
 */
#ifndef LF_CORE_TSV_H
#define LF_CORE_TSV_H

#include <stddef.h>

#include "lib/error.h"

/*
 * Cuts the next line off *p, whatever it holds: ends it at its '\n' (and
 * a '\r' before it) and moves *p past it. Returns the line, or NULL at
 * the end of the text.
 */
char	*tsv_line(char **p);

/*
 * Cuts the next data line off *p: ends it at its '\n' (and a '\r' before
 * it), steps over empty and '#' lines, adds every line it passes, the
 * returned one included, to *lineno, and moves *p past the line. Returns
 * the line, or NULL at the end of the text.
 */
char	*tsv_next(char **p, unsigned long *lineno);

/*
 * The number of lines in the len bytes of text at the most: its '\n's
 * plus one. An upper bound on its data lines, to size a table before
 * parsing.
 */
size_t	 tsv_lines(const char *text, size_t len);

/*
 * Splits line in place at its tabs into fields f[0], f[1] ... f[max - 1]
 * (max >= 1; f has room for max). Returns the number of fields stored,
 * 1..max, or max + 1 when the line has more columns than max (the first
 * max are stored, each ended at its tab).
 */
size_t	 tsv_split(char *line, char **f, size_t max);

/*
 * Fills err for a bad value in an input file: code, field (NULL for none)
 * and the message "file:line:column: why", with err->line and err->column
 * set (columns count from 1; 0 for the whole line). Always returns -1.
 */
int	 tsv_error(struct lf_error *err, const char *code, const char *field,
	    const char *file, unsigned long line, unsigned column,
	    const char *why);

#endif

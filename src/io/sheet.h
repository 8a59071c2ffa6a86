/*
 * sheet.h - a plain table (a title, column heads, rows of text and
 * numbers) as a one-sheet xlsx workbook, with libxlsxwriter. For the
 * downloads that are lists rather than statistics reports: the audit log
 * and a what-if scenario. report.h writes the statistics reports.
 *
 * The caller owns every string and keeps it alive during the call.
 * Columns have a kind: text, a count ("#,##0") or fen (written as 元 with
 * two decimals). The workbook has a bold title row, a header row that
 * stays frozen, then the rows.
 *
 * Errors: 0, or -1 with err ("io" when the file cannot be written, with
 * the path; "no_memory").
 */
#ifndef LF_IO_SHEET_H
#define LF_IO_SHEET_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

enum sheet_kind { SHEET_TEXT, SHEET_COUNT, SHEET_FEN };

struct sheet_col {
	const char	*head;		/* Chinese header */
	enum sheet_kind	 kind;
	double		 width;		/* characters; 0 = 12 */
};

/* One cell: text for SHEET_TEXT columns (NULL = empty), n otherwise. */
struct sheet_cell {
	const char	*text;
	int64_t		 n;
};

struct sheet {
	const char		*name;		/* sheet name, <= 31 chars */
	const char		*title;		/* first row */
	const struct sheet_col	*cols;
	size_t			 ncols;
	const struct sheet_cell	*cells;		/* nrows * ncols, row-major */
	size_t			 nrows;
};

/* Writes sh to path as xlsx. */
int	sheet_xlsx_write(const struct sheet *sh, const char *path,
	    struct lf_error *err);

/* Writes sh as xlsx into memory: *data (free with mem_free()) and *len. */
int	sheet_xlsx_bytes(const struct sheet *sh, char **data, size_t *len,
	    struct lf_error *err);

#endif

/*
 * xlsx_csv.h - reading an .xlsx workbook as CSV, for the readers that
 * take CSV (department rosters, supply stock; issue 16).
 *
 * Debian 12 packages no C library that reads .xlsx (libfreexl reads the
 * old .xls only), so the workbook's first sheet is converted by Debian's
 * `xlsx2csv` program (package xlsx2csv), found on PATH and run directly
 * (posix_spawn with an argument vector, no shell) with the workbook as
 * its open file descriptor 3 (the path /dev/fd/3), its standard output a
 * private unlinked temporary file (tmpfile()), its standard error a
 * second one. Options: first sheet, dates as YYYY-MM-DD, line breaks in
 * a cell replaced by spaces; an empty sheet row is an empty line, so the
 * CSV's line N is the sheet's row N and the CSV reader's FILE:LINE:COLUMN
 * messages name the workbook's row and column (column 1 = A) when given
 * the workbook's own name. Cells are as Excel shows them: an ID number
 * typed as a number comes out as 1.10101199003078E+17 and is refused by
 * the row checks like any bad cell.
 *
 * xlsx_is(): whether a file is a workbook, by its first bytes (a ZIP
 * local header, "PK\3\4") or, when name is not NULL, a name ending in
 * ".xlsx" (any case): a damaged file named .xlsx goes to xlsx2csv and is
 * refused there, clearly, instead of being read as text.
 *
 * Ownership: xlsx_csv_open() returns a FILE the caller fcloses (the
 * temporary file vanishes with it); fd stays the caller's. Errors: NULL
 * with ce->message "FILE: why" (line and column 0): xlsx2csv not
 * installed (naming the package), not a readable workbook (xlsx2csv's
 * own first line of complaint, without paths), no temporary file.
 * Threads: safe (no shared state; the spawned child inherits only what
 * is not close-on-exec).
 */
#ifndef LF_IO_XLSX_CSV_H
#define LF_IO_XLSX_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "io/csv.h"

/* head: the file's first n bytes (n may be less than 4). */
int	xlsx_is(const char *name, const unsigned char *head, size_t n);

/* The first sheet of the workbook open on fd, as UTF-8 CSV; file names
 * it in messages. */
FILE	*xlsx_csv_open(int fd, const char *file, struct csv_error *ce);

/* As xlsx_csv_open() for a workbook held in memory. */
FILE	*xlsx_csv_open_mem(const void *data, size_t len, const char *file,
	    struct csv_error *ce);

#endif

/*
 * outfile.h - writing an output file into place: under a temporary name
 * that is renamed over the target once the file is whole, so a reader
 * never sees half a report; and the xlsx workbook opened and closed that
 * way (the report and budget workbooks).
 *
 * outfile_path() names the file to write: path.tmp, to be renamed over
 * path by outfile_finish() (which removes it instead when rc is not 0) -
 * or, when path exists and is not a regular file (a device, a pipe, a
 * symbolic link such as /dev/stdout), path itself (*direct set):
 * renaming over it would replace it, so it is written in place and not
 * synced. Errors: "io" (name too long, rename failed, xlsx not written,
 * naming path) or "no_memory".
 */
#ifndef LF_IO_OUTFILE_H
#define LF_IO_OUTFILE_H

#include <stddef.h>

#include "lib/error.h"

struct lxw_workbook;

/* -1 with "io" when the name does not fit in len. */
int	outfile_path(const char *path, char *out, size_t len, int *direct,
	    struct lf_error *err);
/* Returns rc, or -1 with "io" when the rename fails. */
int	outfile_finish(const char *out, const char *path, int direct,
	    int rc, struct lf_error *err);

/* An xlsx workbook under outfile_path()'s name (tmp, of tmplen bytes);
 * NULL with err set when it cannot be begun. */
struct lxw_workbook *outfile_xlsx_open(const char *path, char *tmp,
	    size_t tmplen, int *direct, struct lf_error *err);
/* Closes (and frees) wb and puts the file into place, unless e, the
 * first failure of writing it (an lxw_error, 0 for none), or the close
 * failed: then the file is removed and err names path. 0 or -1. */
int	outfile_xlsx_close(struct lxw_workbook *wb, int e, const char *tmp,
	    const char *path, int direct, struct lf_error *err);

#endif

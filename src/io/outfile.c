/*
 * outfile.c - output files written under a temporary name and renamed
 * into place (io/outfile.h).
 */
#include "io/outfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

int
outfile_path(const char *path, char *out, size_t len, int *direct,
    struct lf_error *err)
{
	struct stat sb;
	int n;

	/* a device, pipe or link (/dev/stdout) is written in place: renaming
	 * over it would replace it */
	*direct = lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode);
	n = snprintf(out, len, *direct ? "%s" : "%s.tmp", path);
	if (n < 0 || (size_t)n >= len)
		return lf_error_set(err, "io", "path", "文件名过长 (file name "
		    "too long)");
	return 0;
}

int
outfile_finish(const char *out, const char *path, int direct, int rc,
    struct lf_error *err)
{
	if (direct)
		return rc;
	if (rc == 0 && rename(out, path) != 0)
		rc = lf_error_set(err, "io", "path", "%s: 无法写入 (cannot "
		    "rename into place: %s)", path, strerror(errno));
	if (rc != 0)
		unlink(out);
	return rc;
}

struct lxw_workbook *
outfile_xlsx_open(const char *path, char *tmp, size_t tmplen, int *direct,
    struct lf_error *err)
{
	lxw_workbook *wb;

	if (outfile_path(path, tmp, tmplen, direct, err) != 0)
		return NULL;
	if ((wb = workbook_new(tmp)) == NULL)
		lf_error_nomem(err);
	return wb;
}

int
outfile_xlsx_close(struct lxw_workbook *wb, int e, const char *tmp,
    const char *path, int direct, struct lf_error *err)
{
	lxw_error ce = workbook_close(wb);	/* frees wb, whatever happens */

	if (e == LXW_NO_ERROR)
		e = (int)ce;
	if (e != LXW_NO_ERROR)
		lf_error_set(err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ?
		    "no_memory" : "io", "path", "%s: 无法写入 xlsx (cannot "
		    "write: %s)", path, lxw_strerror((lxw_error)e));
	return outfile_finish(tmp, path, direct, e == LXW_NO_ERROR ? 0 : -1,
	    err);
}

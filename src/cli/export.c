/*
 * export.c - a year's surveys as CSV (see export.h).
 */
#include "cli/export.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "io/csv.h"
#include "io/progress.h"

struct export {
	FILE			*fp;
	const struct catalog	*cat;
	struct buf		*vals;		/* one per column */
	const char		**cols;
	size_t			 ncols;
	struct progress		*bar;
	uint64_t		 rows;
	int			 year;
};

static int
write_header(struct export *ex)
{
	size_t i;

	ex->cols[0] = CLI_COL_YEAR;
	ex->cols[1] = CLI_COL_STATUS;
	for (i = 0; i < ex->cat->nfields; i++)
		ex->cols[i + 2] = ex->cat->fields[i].label_zh;
	return csv_write_bom(ex->fp) != 0 ||
	    csv_write_row(ex->fp, ex->cols, ex->ncols) != 0 ? -1 : 0;
}

static int
write_row(void *arg, const struct store_person *p, const struct record *r)
{
	struct export *ex = arg;
	size_t i;

	for (i = 0; i < ex->ncols; i++)
		buf_reset(&ex->vals[i]);
	if (buf_addf(&ex->vals[0], "%d", ex->year) != 0 ||
	    buf_addf(&ex->vals[1], "%d", p->status) != 0)
		return -1;
	for (i = 0; i < ex->cat->nfields; i++)
		if (record_format_value(r, &ex->cat->fields[i],
		    &ex->vals[i + 2]) != 0)
			return -1;
	for (i = 0; i < ex->ncols; i++)
		ex->cols[i] = buf_str(&ex->vals[i]);
	if (csv_write_row(ex->fp, ex->cols, ex->ncols) != 0)
		return -1;
	progress_update(ex->bar, ++ex->rows);
	return 0;
}

static int
run_export(struct store *s, struct export *ex, const struct region *in,
    const char *tmp, int progress, struct lf_error *err)
{
	size_t i;
	int rc;

	ex->ncols = ex->cat->nfields + 2;
	ex->vals = mem_calloc(ex->ncols, sizeof(*ex->vals));
	ex->cols = mem_calloc(ex->ncols, sizeof(*ex->cols));
	if (ex->vals == NULL || ex->cols == NULL) {
		rc = lf_error_set(err, "no_memory", "", "内存不足");
		goto out;
	}
	for (i = 0; i < ex->ncols; i++)
		buf_init(&ex->vals[i], 64 * 1024);
	if (write_header(ex) != 0) {
		rc = lf_error_set(err, "io", "", "%s: 写入失败 (write failed)",
		    tmp);
		goto out;
	}
	if (progress)
		ex->bar = progress_start("导出 export", 0);
	rc = store_scan_surveys(s, ex->year, in, write_row, ex, err);
	progress_done(ex->bar);
	if (rc != 0 && err->code == NULL)
		lf_error_set(err, "io", "", "%s: 写入失败 (write failed)", tmp);
out:
	for (i = 0; ex->vals != NULL && i < ex->ncols; i++)
		buf_free(&ex->vals[i]);
	mem_free(ex->vals);
	mem_free(ex->cols);
	return rc;
}

int
export_csv(struct store *s, const struct catalog *cat, int year,
    const struct region *in, const char *file, int progress, uint64_t *rows,
    struct lf_error *err)
{
	struct export ex;
	char tmp[4096];
	int rc;

	memset(&ex, 0, sizeof(ex));
	lf_error_clear(err);
	ex.cat = cat;
	ex.year = year;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", file) >= (int)sizeof(tmp) ||
	    (ex.fp = fopen(tmp, "wb")) == NULL)
		return lf_error_set(err, "io", "", "%s: 无法创建 (cannot "
		    "create)", tmp);
	rc = run_export(s, &ex, in, tmp, progress, err);
	if (fflush(ex.fp) != 0 || fsync(fileno(ex.fp)) != 0)
		rc = rc ? rc : lf_error_set(err, "io", "", "%s: 写入失败 "
		    "(write failed)", tmp);
	if (fclose(ex.fp) != 0 && rc == 0)
		rc = lf_error_set(err, "io", "", "%s: 写入失败", tmp);
	if (rc == 0 && rename(tmp, file) != 0)
		rc = lf_error_set(err, "io", "", "%s: 无法改名 (cannot rename)",
		    file);
	if (rc != 0) {
		unlink(tmp);
		return -1;
	}
	*rows = ex.rows;
	return 0;
}


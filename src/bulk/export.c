/*
 * export.c - a year's surveys as CSV (see export.h).
 */
#include "bulk/export.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bulk/bulk.h"
#include "lib/buf.h"
#include "io/csv.h"
#include "lib/progress.h"

/*
 * The export runs as a bulk_run_read() pipeline: the producer steps a
 * store cursor (the store's connection stays on that one thread), the
 * preparers open each row's sealed values and format its CSV line, and
 * the calling thread writes the lines in order.
 */
struct export {
	FILE			*fp;
	const char		*tmp;
	struct store		*s;
	struct store_cursor	*cur;
	const struct catalog	*cat;
	size_t			 ncols;
	struct progress		*bar;
	uint64_t		 rows;
	int			 year;
};

static int
write_failed(const struct export *ex, struct lf_error *err)
{
	return lf_error_set(err, "io", "", "%s: 写入失败 (write failed)",
	    ex->tmp);
}

static int
write_header(struct export *ex)
{
	const char *cols[CSV_FIELDS_MAX];
	size_t i;

	cols[0] = CSV_COL_YEAR;
	cols[1] = CSV_COL_STATUS;
	for (i = 0; i < ex->cat->nfields; i++)
		cols[i + 2] = ex->cat->fields[i].label_zh;
	return csv_write_bom(ex->fp) != 0 ||
	    csv_write_row(ex->fp, cols, ex->ncols) != 0 ? -1 : 0;
}

/* Puts the row's person (opaque id, as in /api/v1/persons/{id}) and year
 * before err's message, so that a bad stored value can be found. */
static int
name_row(struct lf_error *err, const char *uid, int year)
{
	return uid[0] == '\0' ? -1 :
	    lf_error_prefix(err, "人员 (person) %s, %d: ", uid, year);
}

/* Producer: the cursor's next row into the slot; 1, 0 at the end, -1. */
static int
produce(void *arg, struct bulk_slot *sl)
{
	struct export *ex = arg;
	struct store_person p;
	int rc;

	p.uid[0] = '\0';
	rc = store_cursor_next(ex->cur, &p, sl->r, sl->sealed, &sl->err);
	if (rc < 0)
		return name_row(&sl->err, p.uid, ex->year);
	if (rc == 1) {
		sl->status = p.status;
		sl->year = ex->year;
		memcpy(sl->uid, p.uid, sizeof(sl->uid));
	}
	return rc;
}

/* The slot's values as text, NUL-separated in vals, pointed to by cols. */
static int
format_values(const struct export *ex, const struct bulk_slot *sl,
    struct buf *vals, const char **cols)
{
	size_t offs[CSV_FIELDS_MAX], i;

	offs[0] = 0;
	if (buf_addf(vals, "%d", sl->year) != 0 || buf_addc(vals, '\0') != 0)
		return -1;
	offs[1] = vals->len;
	if (buf_addf(vals, "%d", sl->status) != 0 || buf_addc(vals, '\0') != 0)
		return -1;
	for (i = 0; i < ex->cat->nfields; i++) {
		offs[i + 2] = vals->len;
		if (record_format_value(sl->r, &ex->cat->fields[i], vals) != 0 ||
		    buf_addc(vals, '\0') != 0)
			return -1;
	}
	for (i = 0; i < ex->ncols; i++)
		cols[i] = vals->data + offs[i];
	return 0;
}

/* Preparer: opens the sealed values and formats the CSV line into out. */
static int
prepare(void *arg, struct bulk_slot *sl)
{
	const struct export *ex = arg;
	const char *cols[CSV_FIELDS_MAX];

	if (store_sealed_open(ex->s, sl->sealed, sl->r, &sl->err) != 0)
		return name_row(&sl->err, sl->uid, sl->year);
	buf_reset(&sl->scratch);
	buf_reset(&sl->out);
	return format_values(ex, sl, &sl->scratch, cols) != 0 ||
	    csv_format_row(&sl->out, cols, ex->ncols) != 0 ?
	    lf_error_nomem(&sl->err) : 0;
}

/* Consumer: writes the line. */
static int
consume(void *arg, struct bulk_slot *sl)
{
	struct export *ex = arg;

	if (fwrite(sl->out.data, 1, sl->out.len, ex->fp) != sl->out.len ||
	    ferror(ex->fp))
		return write_failed(ex, &sl->err);
	progress_update(ex->bar, ++ex->rows);
	return 0;
}

static int
run_export(struct export *ex, const struct region *in, int progress,
    struct lf_error *err)
{
	int rc;

	ex->ncols = ex->cat->nfields + 2;
	if (ex->ncols > CSV_FIELDS_MAX)
		return lf_error_set(err, "catalog", "", "目录字段过多 (the "
		    "catalog has more than %d items)", CSV_FIELDS_MAX - 2);
	if (write_header(ex) != 0)
		return write_failed(ex, err);
	if (store_cursor_open(ex->s, ex->year, in, &ex->cur, err) != 0)
		return -1;
	if (progress)
		ex->bar = progress_start("导出 export", 0);
	rc = bulk_run_read(ex->cat, produce, prepare, ex, consume, ex, err);
	progress_done(ex->bar);
	store_cursor_close(ex->cur);
	ex->cur = NULL;
	return rc;
}

FILE *
export_open(const char *file, char *tmp, size_t len, struct lf_error *err)
{
	FILE *fp = NULL;

	if (snprintf(tmp, len, "%s.tmp", file) >= (int)len ||
	    (fp = fopen(tmp, "wb")) == NULL)
		lf_error_set(err, "io", "", "%s: 无法创建 (cannot create)", tmp);
	return fp;
}

int
export_finish(FILE *fp, const char *tmp, const char *file, int rc,
    struct lf_error *err)
{
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0)
		rc = rc ? rc : lf_error_set(err, "io", "", "%s: 写入失败 "
		    "(write failed)", tmp);
	if (fclose(fp) != 0 && rc == 0)
		rc = lf_error_set(err, "io", "", "%s: 写入失败", tmp);
	if (rc == 0 && rename(tmp, file) != 0)
		rc = lf_error_set(err, "io", "", "%s: 无法改名 (cannot rename)",
		    file);
	if (rc != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
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
	ex.s = s;
	ex.cat = cat;
	ex.year = year;
	ex.tmp = tmp;
	if ((ex.fp = export_open(file, tmp, sizeof(tmp), err)) == NULL)
		return -1;
	rc = run_export(&ex, in, progress, err);
	if (export_finish(ex.fp, tmp, file, rc, err) != 0)
		return -1;
	*rows = ex.rows;
	return 0;
}


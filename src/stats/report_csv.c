/*
 * report_csv.c - a statistics report as CSV (report.h): UTF-8 with BOM,
 * the tables one after another, each a title line, its header and rows,
 * then a blank line.
 */
#include "stats/report.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/mem.h"
#include "io/csv.h"
#include "io/outfile.h"

/* One CSV record being put together: fields NUL-separated in b. */
struct rec {
	struct buf	 b;
	size_t		*off;
	const char	**field;
	size_t		 n, max;
};

static int
rec_init(struct rec *c, size_t max)
{
	buf_init(&c->b, 1 << 20);
	c->n = 0;
	c->max = max;
	c->off = mem_calloc(max, sizeof(*c->off));
	c->field = mem_calloc(max, sizeof(*c->field));
	return c->off == NULL || c->field == NULL ? -1 : 0;
}

static void
rec_free(struct rec *c)
{
	buf_free(&c->b);
	mem_free(c->off);
	mem_free(c->field);
}

static void
rec_start(struct rec *c)
{
	buf_reset(&c->b);
	c->n = 0;
}

/* Ends the field being appended to c->b. */
static int
rec_end_field(struct rec *c, size_t start)
{
	if (c->n >= c->max || buf_add(&c->b, "", 1) != 0)
		return -1;
	c->off[c->n++] = start;
	return 0;
}

static int
rec_add(struct rec *c, const char *s)
{
	size_t start = c->b.len;

	return buf_adds(&c->b, s) != 0 ? -1 : rec_end_field(c, start);
}

static int
rec_write(struct rec *c, FILE *fp)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		c->field[i] = c->b.data + c->off[i];
	return csv_write_row(fp, c->field, c->n);
}

static int
head_rec(struct rec *c, const struct stats_table *t)
{
	size_t i, start;

	rec_start(c);
	if (rec_add(c, "区划") != 0 || rec_add(c, "区划代码") != 0)
		return -1;
	for (i = 0; i < t->ncols; i++) {
		start = c->b.len;
		if (report_col_head(t, i, &c->b) != 0 ||
		    rec_end_field(c, start) != 0)
			return -1;
	}
	return 0;
}

static int
data_rec(struct rec *c, const struct stats_table *t, size_t row)
{
	size_t i, start;

	rec_start(c);
	if (rec_add(c, report_row_name(t, row)) != 0 ||
	    rec_add(c, t->rows[row].region->code) != 0)
		return -1;
	for (i = 0; i < t->ncols; i++) {
		start = c->b.len;
		if (report_value_text(report_unit(t->col_code[i]),
		    t->rows[row].v[i], &c->b) != 0 ||
		    rec_end_field(c, start) != 0)
			return -1;
	}
	return 0;
}

/* Record k of table rt: its title, its header, then its rows. */
static int
rec_build(struct rec *c, const struct report *r,
    const struct report_table *rt, size_t k)
{
	if (k == 0) {
		rec_start(c);
		return report_title(r, rt, &c->b) != 0 ? -1 :
		    rec_end_field(c, 0);
	}
	return k == 1 ? head_rec(c, &rt->t) : data_rec(c, &rt->t, k - 2);
}

/* One table: 0, -1 on a write error, -2 when memory runs out. */
static int
table_csv(FILE *fp, const struct report *r, const struct report_table *rt)
{
	struct rec c;
	size_t k;
	int rc = -2;

	if (rec_init(&c, rt->t.ncols + 2) != 0)
		goto out;
	for (k = 0; k < rt->t.nrows + 2; k++) {
		if (rec_build(&c, r, rt, k) != 0) {
			rc = -2;
			goto out;
		}
		if (rec_write(&c, fp) != 0) {
			rc = -1;
			goto out;
		}
	}
	rc = fputs("\r\n", fp) == EOF ? -1 : 0;
out:
	rec_free(&c);
	return rc;
}

int
report_csv_write(const struct report *r, const char *path,
    struct lf_error *err)
{
	char tmp[4096];
	FILE *fp;
	size_t i;
	int rc = 0, direct;

	if (outfile_path(path, tmp, sizeof(tmp), &direct, err) != 0)
		return -1;
	if ((fp = fopen(tmp, "w")) == NULL)
		return lf_error_set(err, "io", "path", "%s: 无法创建 (cannot "
		    "create)", tmp);
	if (csv_write_bom(fp) != 0)
		rc = -1;
	for (i = 0; rc == 0 && i < r->ntables; i++)
		rc = table_csv(fp, r, &r->tables[i]);
	if (rc == 0)
		rc = report_sections_csv(r, fp);
	if (rc == 0 && (fflush(fp) != 0 || (!direct &&
	    fsync(fileno(fp)) != 0)))
		rc = -1;
	if (fclose(fp) != 0 && rc == 0)
		rc = -1;
	if (rc == -2)
		lf_error_nomem(err);
	else if (rc != 0)
		lf_error_set(err, "io", "path", "%s: 写入失败 (write failed)",
		    tmp);
	return outfile_finish(tmp, path, direct, rc == 0 ? 0 : -1, err);
}

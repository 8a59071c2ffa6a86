/*
 * report_text.c - the KPI table of a report as aligned text, for a
 * terminal (report.h).
 */
#include "stats/report.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"

/* Terminal columns of UTF-8 text s: ASCII one, anything else two (the
 * Chinese of names and labels). */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if ((*s & 0xC0) != 0x80)
			w += (unsigned char)*s < 0x80 ? 1 : 2;
	return w;
}

static int
cell(FILE *fp, const char *s, size_t w, int right)
{
	size_t have = width(s), pad = have < w ? w - have : 0;

	if (right)
		return fprintf(fp, "  %*s%s", (int)pad, "", s) < 0 ? -1 : 0;
	return fprintf(fp, "%s%*s", s, (int)pad, "") < 0 ? -1 : 0;
}

/* Widths of the name column and every value column. */
static int
widths(const struct stats_table *t, size_t *w, struct buf *b)
{
	size_t i, c;

	w[0] = 4;
	for (c = 0; c < t->ncols; c++) {
		buf_reset(b);
		if (report_col_head(t, c, b) != 0)
			return -1;
		w[c + 1] = width(buf_str(b));
	}
	for (i = 0; i < t->nrows; i++) {
		if (width(report_row_name(t, i)) > w[0])
			w[0] = width(report_row_name(t, i));
		for (c = 0; c < t->ncols; c++) {
			buf_reset(b);
			if (report_value_text(report_unit(t->col_code[c]),
			    t->rows[i].v[c], b) != 0)
				return -1;
			if (width(buf_str(b)) > w[c + 1])
				w[c + 1] = width(buf_str(b));
		}
	}
	return 0;
}

/* Row i (-1: the header). */
static int
line(FILE *fp, const struct stats_table *t, long i, const size_t *w,
    struct buf *b)
{
	size_t c;

	if (cell(fp, i < 0 ? "区划" : report_row_name(t, (size_t)i), w[0],
	    0) != 0)
		return -1;
	for (c = 0; c < t->ncols; c++) {
		buf_reset(b);
		if ((i < 0 ? report_col_head(t, c, b) :
		    report_value_text(report_unit(t->col_code[c]),
		    t->rows[i].v[c], b)) != 0 || cell(fp, buf_str(b),
		    w[c + 1], 1) != 0)
			return -1;
	}
	return fputc('\n', fp) == EOF ? -1 : 0;
}

static int
below(FILE *fp, const struct stats_table *t, struct lf_error *err)
{
	size_t i, n, *rows;
	int rc = 0;

	if (report_below_target(t, &rows, &n, err) != 0)
		return -2;
	if (n > 0 && fputs("未达标 (below target):", fp) == EOF)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++)
		if (fprintf(fp, " %s", t->rows[rows[i]].region->name) < 0)
			rc = -1;
	if (rc == 0 && n > 0 && fputc('\n', fp) == EOF)
		rc = -1;
	mem_free(rows);
	return rc;
}

int
report_text_kpi(const struct report *r, FILE *fp, struct lf_error *err)
{
	const struct report_table *rt = report_table(r, "kpi");
	size_t *w = NULL;
	struct buf b;
	long i;
	int rc = -2;

	lf_error_clear(err);
	buf_init(&b, 1 << 16);
	if (rt == NULL || (w = mem_calloc(rt->t.ncols + 1,
	    sizeof(*w))) == NULL || widths(&rt->t, w, &b) != 0)
		goto out;
	buf_reset(&b);
	if (report_title(r, rt, &b) != 0)
		goto out;
	rc = fprintf(fp, "%s\n", buf_str(&b)) < 0 ? -1 : 0;
	for (i = -1; rc == 0 && i < (long)rt->t.nrows; i++)
		rc = line(fp, &rt->t, i, w, &b);
	if (rc == 0)
		rc = below(fp, &rt->t, err);
	if (rc == 0)
		rc = report_sections_text(r, fp);
	if (rc == 0 && fflush(fp) != 0)
		rc = -1;
out:
	buf_free(&b);
	mem_free(w);
	if (rc == -2 && err->code == NULL)
		lf_error_nomem(err);
	else if (rc == -1)
		lf_error_set(err, "io", "", "输出失败 (write failed)");
	return rc == 0 ? 0 : -1;
}

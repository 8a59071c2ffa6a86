/*
 * report_xlsx.c - a statistics report as an xlsx workbook (report.h),
 * with libxlsxwriter: one sheet per table, title row, frozen header and
 * first column, number formats by column unit.
 */
#include "stats/report.h"

#include <stdio.h>
#include <string.h>

#include <xlsxwriter.h>

#include "io/outfile.h"
#include "lib/mem.h"

#define ROW_TITLE	0
#define ROW_HEAD	1
#define ROW_FIRST	2	/* the 合计 row */
#define COL_DATA	2	/* after name and code */

/* The formats of a workbook: plain and bold (the 合计 row). */
struct xfmt {
	lxw_format	*title, *head;
	lxw_format	*text[2], *count[2], *fen[2], *rate[2];
};

static lxw_format *
fmt_new(lxw_workbook *wb, const char *num, int bold)
{
	lxw_format *f = workbook_add_format(wb);

	if (f == NULL)
		return NULL;
	if (num != NULL)
		format_set_num_format(f, num);
	if (bold)
		format_set_bold(f);
	return f;
}

static int
fmt_init(lxw_workbook *wb, struct xfmt *x)
{
	int b;

	if ((x->title = fmt_new(wb, NULL, 1)) == NULL ||
	    (x->head = fmt_new(wb, NULL, 1)) == NULL)
		return -1;
	format_set_font_size(x->title, 12);
	format_set_text_wrap(x->head);
	format_set_align(x->head, LXW_ALIGN_CENTER);
	format_set_align(x->head, LXW_ALIGN_VERTICAL_CENTER);
	format_set_bg_color(x->head, 0xDDEBF7);
	format_set_border(x->head, LXW_BORDER_THIN);
	for (b = 0; b < 2; b++)
		if ((x->text[b] = fmt_new(wb, NULL, b)) == NULL ||
		    (x->count[b] = fmt_new(wb, "#,##0", b)) == NULL ||
		    (x->fen[b] = fmt_new(wb, "#,##0.00", b)) == NULL ||
		    (x->rate[b] = fmt_new(wb, "0.0%", b)) == NULL)
			return -1;
	return 0;
}

/* ---- sheet names ----------------------------------------------------- */

/* s with the characters Excel refuses in sheet names replaced (a
 * slash by a full-width one) and cut to LXW_SHEETNAME_MAX characters. */
static void
sheet_clean(const char *s, char *out, size_t len)
{
	size_t o = 0, chars = 0, n;

	while (*s != '\0' && chars < LXW_SHEETNAME_MAX) {
		n = 1;
		while ((s[n] & 0xC0) == 0x80)
			n++;
		if (*s == '/' || *s == '\\') {
			if (o + 3 >= len)
				break;
			memcpy(out + o, "\xef\xbc\x8f", 3);	/* U+FF0F */
			o += 3;
		} else if (strchr("[]:*?'", *s) != NULL) {
			if (o + 1 >= len)
				break;
			out[o++] = '_';
		} else {
			if (o + n >= len)
				break;
			memcpy(out + o, s, n);
			o += n;
		}
		s += n;
		chars++;
	}
	out[o] = '\0';
}

/* A name for table t, unique in wb: its title, else its key, else
 * "表<n>". */
static void
sheet_name(lxw_workbook *wb, const struct report_table *t, size_t n,
    char *out, size_t len)
{
	sheet_clean(t->title, out, len);
	if (workbook_validate_sheet_name(wb, out) == LXW_NO_ERROR)
		return;
	sheet_clean(t->key, out, len);
	if (workbook_validate_sheet_name(wb, out) == LXW_NO_ERROR)
		return;
	snprintf(out, len, "表%zu", n + 1);
}

/* ---- one sheet ------------------------------------------------------- */

static lxw_format *
value_fmt(const struct xfmt *x, enum report_unit u, int bold)
{
	return u == RU_FEN ? x->fen[bold] : u == RU_BP ? x->rate[bold] :
	    x->count[bold];
}

static double
value_num(enum report_unit u, int64_t v)
{
	return u == RU_FEN ? (double)v / 100.0 : u == RU_BP ?
	    (double)v / 10000.0 : (double)v;
}

static lxw_error
head_row(lxw_worksheet *ws, const struct xfmt *x, const struct stats_table *t,
    struct buf *b)
{
	lxw_error e;
	size_t i;

	if ((e = worksheet_write_string(ws, ROW_HEAD, 0, "区划",
	    x->head)) != LXW_NO_ERROR || (e = worksheet_write_string(ws,
	    ROW_HEAD, 1, "区划代码", x->head)) != LXW_NO_ERROR)
		return e;
	for (i = 0; i < t->ncols; i++) {
		buf_reset(b);
		if (report_col_head(t, i, b) != 0)
			return LXW_ERROR_MEMORY_MALLOC_FAILED;
		if ((e = worksheet_write_string(ws, ROW_HEAD,
		    (lxw_col_t)(COL_DATA + i), buf_str(b), x->head)) !=
		    LXW_NO_ERROR)
			return e;
	}
	return LXW_NO_ERROR;
}

static lxw_error
data_row(lxw_worksheet *ws, const struct xfmt *x, const struct stats_table *t,
    size_t i)
{
	lxw_row_t row = (lxw_row_t)(ROW_FIRST + i);
	enum report_unit u;
	int bold = i == 0;
	lxw_error e;
	size_t c;

	if ((e = worksheet_write_string(ws, row, 0, report_row_name(t, i),
	    x->text[bold])) != LXW_NO_ERROR ||
	    (e = worksheet_write_string(ws, row, 1, t->rows[i].region->code,
	    x->text[bold])) != LXW_NO_ERROR)
		return e;
	for (c = 0; c < t->ncols; c++) {
		u = report_unit(t->col_code[c]);
		if ((e = worksheet_write_number(ws, row,
		    (lxw_col_t)(COL_DATA + c), value_num(u, t->rows[i].v[c]),
		    value_fmt(x, u, bold))) != LXW_NO_ERROR)
			return e;
	}
	return LXW_NO_ERROR;
}

static lxw_error
sheet_write(lxw_workbook *wb, const struct xfmt *x, const struct report *r,
    size_t n, struct buf *b)
{
	const struct report_table *rt = &r->tables[n];
	const struct stats_table *t = &rt->t;
	char name[LXW_MAX_SHEETNAME_LENGTH];
	lxw_worksheet *ws;
	lxw_error e;
	size_t i;

	sheet_name(wb, rt, n, name, sizeof(name));
	if ((ws = workbook_add_worksheet(wb, name)) == NULL)
		return LXW_ERROR_SHEETNAME_ALREADY_USED;
	buf_reset(b);
	if (report_title(r, rt, b) != 0)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	if ((e = worksheet_merge_range(ws, ROW_TITLE, 0, ROW_TITLE,
	    (lxw_col_t)(COL_DATA + (t->ncols ? t->ncols - 1 : 0)), buf_str(b),
	    x->title)) != LXW_NO_ERROR || (e = head_row(ws, x, t, b)) !=
	    LXW_NO_ERROR)
		return e;
	for (i = 0; i < t->nrows; i++)
		if ((e = data_row(ws, x, t, i)) != LXW_NO_ERROR)
			return e;
	worksheet_set_row(ws, ROW_TITLE, 24, NULL);
	worksheet_set_row(ws, ROW_HEAD, 45, NULL);
	worksheet_set_column(ws, 0, 0, 20, NULL);
	worksheet_set_column(ws, 1, 1, 14, NULL);
	if (t->ncols > 0)
		worksheet_set_column(ws, COL_DATA,
		    (lxw_col_t)(COL_DATA + t->ncols - 1), 13, NULL);
	worksheet_freeze_panes(ws, ROW_FIRST, 1);
	return LXW_NO_ERROR;
}

int
report_xlsx_write(const struct report *r, const char *path,
    struct lf_error *err)
{
	char tmp[4096];
	lxw_workbook *wb;
	struct xfmt x;
	struct buf b;
	lxw_error e = LXW_NO_ERROR;
	size_t i;
	int direct;

	if ((wb = outfile_xlsx_open(path, tmp, sizeof(tmp), &direct, err)) ==
	    NULL)
		return -1;
	buf_init(&b, 1 << 16);
	if (fmt_init(wb, &x) != 0)
		e = LXW_ERROR_MEMORY_MALLOC_FAILED;
	for (i = 0; e == LXW_NO_ERROR && i < r->ntables; i++)
		e = sheet_write(wb, &x, r, i, &b);
	if (e == LXW_NO_ERROR)
		e = (lxw_error)report_sections_xlsx(wb, r);
	buf_free(&b);
	return outfile_xlsx_close(wb, e, tmp, path, direct, err);
}

/*
 * sheet_xlsx.c - a plain table as an xlsx workbook (sheet.h).
 */
#include "io/sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "lib/mem.h"

static int
io_error(struct lf_error *err, const char *path)
{
	return lf_error_set(err, "io", "", "%s: 无法写入 xlsx (cannot write "
	    "the xlsx file)", path);
}

static int
write_rows(lxw_workbook *wb, lxw_worksheet *ws, const struct sheet *sh)
{
	lxw_format *title = workbook_add_format(wb);
	lxw_format *head = workbook_add_format(wb);
	lxw_format *count = workbook_add_format(wb);
	lxw_format *fen = workbook_add_format(wb);
	size_t i, c;

	if (title == NULL || head == NULL || count == NULL || fen == NULL)
		return -1;
	format_set_bold(title);
	format_set_font_size(title, 12);
	format_set_bold(head);
	format_set_bg_color(head, 0xDDEBF7);
	format_set_border(head, LXW_BORDER_THIN);
	format_set_text_wrap(head);
	format_set_num_format(count, "#,##0");
	format_set_num_format(fen, "#,##0.00");
	if (worksheet_write_string(ws, 0, 0, sh->title, title) != LXW_NO_ERROR)
		return -1;
	for (c = 0; c < sh->ncols; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
		    sh->cols[c].width > 0 ? sh->cols[c].width : 12, NULL);
		if (worksheet_write_string(ws, 1, (lxw_col_t)c,
		    sh->cols[c].head, head) != LXW_NO_ERROR)
			return -1;
	}
	worksheet_freeze_panes(ws, 2, 0);
	for (i = 0; i < sh->nrows; i++)
		for (c = 0; c < sh->ncols; c++) {
			const struct sheet_cell *x = &sh->cells[i * sh->ncols +
			    c];
			lxw_row_t row = (lxw_row_t)(i + 2);
			lxw_error e;

			if (sh->cols[c].kind == SHEET_TEXT)
				e = x->text == NULL ? LXW_NO_ERROR :
				    worksheet_write_string(ws, row,
				    (lxw_col_t)c, x->text, NULL);
			else if (sh->cols[c].kind == SHEET_FEN)
				e = worksheet_write_number(ws, row,
				    (lxw_col_t)c, (double)x->n / 100, fen);
			else
				e = worksheet_write_number(ws, row,
				    (lxw_col_t)c, (double)x->n, count);
			if (e != LXW_NO_ERROR)
				return -1;
		}
	return 0;
}

int
sheet_xlsx_write(const struct sheet *sh, const char *path,
    struct lf_error *err)
{
	lxw_workbook *wb;
	lxw_worksheet *ws;
	int rc;

	if ((wb = workbook_new(path)) == NULL)
		return io_error(err, path);
	ws = workbook_add_worksheet(wb, sh->name);
	rc = ws == NULL ? -1 : write_rows(wb, ws, sh);
	if (workbook_close(wb) != LXW_NO_ERROR || rc != 0) {
		unlink(path);
		return io_error(err, path);
	}
	return 0;
}

int
sheet_xlsx_bytes(const struct sheet *sh, char **data, size_t *len,
    struct lf_error *err)
{
	char path[] = "/tmp/liangfu-sheet-XXXXXX";
	FILE *fp = NULL;
	long n = -1;
	int fd, rc = -1;

	*data = NULL;
	*len = 0;
	if ((fd = mkstemp(path)) < 0)
		return io_error(err, "/tmp");
	close(fd);
	if (sheet_xlsx_write(sh, path, err) != 0) {
		unlink(path);
		return -1;
	}
	if ((fp = fopen(path, "rb")) != NULL && fseek(fp, 0, SEEK_END) == 0 &&
	    (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
	    (*data = mem_alloc((size_t)n + 1)) != NULL &&
	    fread(*data, 1, (size_t)n, fp) == (size_t)n)
		rc = 0;
	if (fp != NULL)
		fclose(fp);
	unlink(path);
	if (rc != 0) {
		mem_free(*data);
		*data = NULL;
		return io_error(err, path);
	}
	*len = (size_t)n;
	return 0;
}

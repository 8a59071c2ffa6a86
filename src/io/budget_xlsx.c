/*
 * budget_xlsx.c - scenarios side by side (budget_xlsx.h).
 */
#include "io/budget_xlsx.h"

#include <stdio.h>
#include <string.h>

#include <xlsxwriter.h>

#include "io/outfile.h"

static const char *const level_zh[BUDGET_LEVELS] = { "省级", "市级",
	"县级" };
static const char *const cat_zh[BUDGET_CATS] = { "未知", "视力", "听力",
	"言语", "肢体", "智力", "精神", "多重" };

struct fmts {
	lxw_format	*head, *money, *count;
};

static double
yuan(int64_t fen)
{
	return (double)fen / 100.0;
}

/* One metric row of the comparison sheet. */
static void
cmp_row(lxw_worksheet *ws, const struct fmts *f, lxw_row_t row,
    const char *label, const struct budget_view *v, size_t n, int k,
    int what)
{
	size_t i;

	worksheet_write_string(ws, row, 0, label, NULL);
	for (i = 0; i < n; i++) {
		const struct budget_tot *t = &v[i].proj[k];

		if (what == 0)
			worksheet_write_number(ws, row, (lxw_col_t)(i + 1),
			    (double)t->persons, f->count);
		else if (what == 1)
			worksheet_write_number(ws, row, (lxw_col_t)(i + 1),
			    yuan(t->cost), f->money);
		else
			worksheet_write_number(ws, row, (lxw_col_t)(i + 1),
			    yuan(t->level[what - 2]), f->money);
	}
}

static void
compare_sheet(lxw_workbook *wb, const struct fmts *f,
    const struct budget_view *v, size_t n, int year, const struct region *in)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "方案对比");
	char label[96], title[160];
	lxw_row_t row = 2;
	size_t i;
	int k, w;

	snprintf(title, sizeof(title), "%s %d 年政策测算：分级预算与三年预测",
	    in->name, year);
	worksheet_write_string(ws, 0, 0, title, f->head);
	worksheet_write_string(ws, 1, 0, "指标", f->head);
	for (i = 0; i < n; i++)
		worksheet_write_string(ws, 1, (lxw_col_t)(i + 1), v[i].name,
		    f->head);
	for (k = 0; k <= BUDGET_YEARS; k++)
		for (w = 0; w < 2 + BUDGET_LEVELS; w++) {
			snprintf(label, sizeof(label), "%d 年 %s", year + k,
			    w == 0 ? "人数" : w == 1 ? "年度费用(元)" :
			    level_zh[w - 2]);
			cmp_row(ws, f, row++, label, v, n, k, w);
		}
	worksheet_write_string(ws, row + 1, 0, "规则", f->head);
	for (i = 0; i < n; i++)
		worksheet_write_string(ws, row + 1, (lxw_col_t)(i + 1),
		    v[i].expression, NULL);
	worksheet_set_column(ws, 0, 0, 26, NULL);
	worksheet_set_column(ws, 1, (lxw_col_t)n, 18, NULL);
	worksheet_freeze_panes(ws, 2, 1);
}

static void
tot_cells(lxw_worksheet *ws, const struct fmts *f, lxw_row_t row,
    const struct budget_tot *t)
{
	int i;

	worksheet_write_number(ws, row, 2, (double)t->persons, f->count);
	worksheet_write_number(ws, row, 3, yuan(t->cost), f->money);
	for (i = 0; i < BUDGET_LEVELS; i++)
		worksheet_write_number(ws, row, (lxw_col_t)(4 + i),
		    yuan(t->level[i]), f->money);
}

static void
head_cells(lxw_worksheet *ws, const struct fmts *f, lxw_row_t row,
    const char *first)
{
	static const char *const h[] = { "名称", "人数", "年度费用(元)", "省级",
	    "市级", "县级" };
	size_t i;

	worksheet_write_string(ws, row, 0, first, f->head);
	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		worksheet_write_string(ws, row, (lxw_col_t)(i + 1), h[i],
		    f->head);
}

static void
scenario_sheet(lxw_workbook *wb, const struct fmts *f,
    const struct budget_view *v, size_t idx, const struct regions *rs)
{
	const struct budget_scen *s = v->s;
	const struct region *rg;
	lxw_worksheet *ws;
	char name[32];
	lxw_row_t row = 1;
	size_t i;

	snprintf(name, sizeof(name), "方案%zu", idx + 1);
	ws = workbook_add_worksheet(wb, name);
	worksheet_write_string(ws, 0, 0, v->name, f->head);
	head_cells(ws, f, row++, "区划");
	for (i = 0; i < s->nchild; i++, row++) {
		rg = regions_find(rs, s->child[i].code);
		worksheet_write_string(ws, row, 0, s->child[i].code, NULL);
		worksheet_write_string(ws, row, 1, rg ? rg->name : "", NULL);
		tot_cells(ws, f, row, &s->child[i].t);
	}
	row++;
	head_cells(ws, f, row++, "残疾类别");
	for (i = 0; i < BUDGET_CATS; i++) {
		if (s->cat[i].persons == 0)
			continue;
		worksheet_write_number(ws, row, 0, (double)i, NULL);
		worksheet_write_string(ws, row, 1, cat_zh[i], NULL);
		tot_cells(ws, f, row++, &s->cat[i]);
	}
	worksheet_set_column(ws, 0, 1, 16, NULL);
	worksheet_set_column(ws, 2, 6, 16, NULL);
}

int
budget_xlsx_write(const struct budget_view *v, size_t n, int year,
    const struct region *in, const struct regions *rs, const char *path,
    struct lf_error *err)
{
	char tmp[4096];
	lxw_workbook *wb;
	struct fmts f;
	size_t i;
	int direct;

	if ((wb = outfile_xlsx_open(path, tmp, sizeof(tmp), &direct, err)) ==
	    NULL)
		return -1;
	f.head = workbook_add_format(wb);
	format_set_bold(f.head);
	f.money = workbook_add_format(wb);
	format_set_num_format(f.money, "#,##0.00");
	f.count = workbook_add_format(wb);
	format_set_num_format(f.count, "#,##0");
	compare_sheet(wb, &f, v, n, year, in);
	for (i = 0; i < n; i++)
		scenario_sheet(wb, &f, &v[i], i, rs);
	return outfile_xlsx_close(wb, LXW_NO_ERROR, tmp, path, direct, err);
}

/*
 * report_satisf.c - satisfaction (满意度) in the report's outputs: JSON,
 * the KPI text, CSV and xlsx (report.h).
 */
#include "stats/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "lib/utf8.h"
#include "io/csv.h"

static const char label[] = "满意度 (satisfaction)";
static const char definition[] = "(满意 + 基本满意) ÷ 已评价; 每个服务项目和"
    "每年的计划按最新一次评价计一次 ((satisfied + basically satisfied) / "
    "rated; each item and each plan counted once, by its latest rating)";

static int64_t
target_bp(void)
{
	const struct report_target *t;
	size_t n, i;

	t = report_targets(&n);
	for (i = 0; i < n; i++)
		if (strcmp(t[i].col, "satisfaction_bp") == 0)
			return t[i].bp;
	return 0;
}

/* 1 when the row has ratings and falls short of the target. */
static int
below(const struct satisf_row *row)
{
	int64_t bp = satisf_rate_bp(&row->c);

	return bp >= 0 && bp < target_bp();
}

static json_t *
row_json(const struct satisf_row *row, int with_name)
{
	int64_t bp = satisf_rate_bp(&row->c);
	json_t *j = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "satisfied",
	    (json_int_t)row->c.satisfied, "basic", (json_int_t)row->c.basic,
	    "unsatisfied", (json_int_t)row->c.unsatisfied, "rated",
	    (json_int_t)satisf_rated(&row->c), "items",
	    (json_int_t)row->c.items, "plans", (json_int_t)row->c.plans,
	    "rate_bp", bp >= 0 ? json_integer(bp) : json_null());

	if (j != NULL && with_name)
		json_object_set_new(j, "name", json_string(row->name));
	return j;
}

int
report_satisf_json(json_t *root, const struct report *r)
{
	const struct satisf_table *t = &r->satisf;
	json_t *children, *low, *obj;
	size_t i;

	if (t->n == 0)
		return 0;
	children = json_object();
	low = json_array();
	for (i = 1; i < t->n; i++) {
		json_object_set_new(children, t->rows[i].code,
		    row_json(&t->rows[i], 1));
		if (below(&t->rows[i]))
			json_array_append_new(low,
			    json_string(t->rows[i].code));
	}
	obj = json_pack("{s:s,s:s,s:I,s:o,s:o,s:o}", "label", label,
	    "definition", definition, "target_bp", (json_int_t)target_bp(),
	    "region", row_json(&t->rows[0], 0), "children", children,
	    "below_target", low);
	return obj == NULL || json_object_set_new(root, "satisfaction",
	    obj) != 0 ? -1 : 0;
}

/* "92.5%" or "-" */
static void
rate_text(const struct satisf_row *row, char *out, size_t len)
{
	int64_t bp = satisf_rate_bp(&row->c);

	if (bp < 0)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%" PRId64 ".%" PRId64 "%%", bp / 100,
		    (bp % 100) / 10);
}

/* Spaces that pad name to 12 terminal columns (CJK characters, three
 * bytes in UTF-8, take two columns). */
static int
pad(const char *name)
{
	long bytes = (long)strlen(name), chars = utf8_count(name,
	    (size_t)bytes), cols = chars + (bytes - chars) / 2;

	return cols >= 12 ? 0 : (int)(12 - cols);
}

int
report_satisf_text(const struct report *r, FILE *fp)
{
	const struct satisf_table *t = &r->satisf;
	char rate[48];
	size_t i;

	if (t->n == 0)
		return 0;
	if (fprintf(fp, "\n%s, 目标 (target) %" PRId64 "%%:\n", label,
	    target_bp() / 100) < 0)
		return -1;
	for (i = 0; i < t->n; i++) {
		const char *name = i == 0 ? "合计" : t->rows[i].name;

		rate_text(&t->rows[i], rate, sizeof(rate));
		if (fprintf(fp, "  %s%*s %7s  已评价 %" PRId64 " (满意 %" PRId64
		    ", 基本满意 %" PRId64 ", 不满意 %" PRId64 ")%s\n", name,
		    pad(name), "", rate, satisf_rated(&t->rows[i].c),
		    t->rows[i].c.satisfied, t->rows[i].c.basic,
		    t->rows[i].c.unsatisfied, below(&t->rows[i]) ?
		    "  未达标 (below target)" : "") < 0)
			return -1;
	}
	return 0;
}

static const char *const heads[] = { "地区 (region)", "代码 (code)",
    "满意", "基本满意", "不满意", "已评价 (rated)", "服务项目 (items)",
    "计划 (plans)", "满意度 (rate)", "目标 (target)" };
#define NHEADS	(sizeof(heads) / sizeof(heads[0]))

int
report_satisf_csv(const struct report *r, FILE *fp)
{
	const struct satisf_table *t = &r->satisf;
	char num[7][24], rate[48], title[128], target[48];
	const char *f[NHEADS];
	size_t i;

	if (t->n == 0)
		return 0;
	snprintf(title, sizeof(title), "%d年 %s", r->year, label);
	snprintf(target, sizeof(target), "%" PRId64 "%%", target_bp() / 100);
	f[0] = title;
	if (csv_write_row(fp, f, 1) != 0 || csv_write_row(fp, heads,
	    NHEADS) != 0)
		return -1;
	for (i = 0; i < t->n; i++) {
		const struct satisf_count *c = &t->rows[i].c;

		snprintf(num[0], 24, "%" PRId64, c->satisfied);
		snprintf(num[1], 24, "%" PRId64, c->basic);
		snprintf(num[2], 24, "%" PRId64, c->unsatisfied);
		snprintf(num[3], 24, "%" PRId64, satisf_rated(c));
		snprintf(num[4], 24, "%" PRId64, c->items);
		snprintf(num[5], 24, "%" PRId64, c->plans);
		rate_text(&t->rows[i], rate, sizeof(rate));
		f[0] = i == 0 ? "合计" : t->rows[i].name;
		f[1] = t->rows[i].code;
		f[2] = num[0];
		f[3] = num[1];
		f[4] = num[2];
		f[5] = num[3];
		f[6] = num[4];
		f[7] = num[5];
		f[8] = rate;
		f[9] = target;
		if (csv_write_row(fp, f, NHEADS) != 0)
			return -1;
	}
	return fputs("\r\n", fp) == EOF ? -1 : 0;
}

int
report_satisf_xlsx(struct lxw_workbook *wb, const struct report *r)
{
	const struct satisf_table *t = &r->satisf;
	lxw_worksheet *ws;
	lxw_format *pct;
	char title[128];
	lxw_error e = LXW_NO_ERROR;
	size_t i, k;

	if (t->n == 0)
		return 0;
	if ((ws = workbook_add_worksheet(wb, "满意度")) == NULL ||
	    (pct = workbook_add_format(wb)) == NULL)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	format_set_num_format(pct, "0.0%");
	snprintf(title, sizeof(title), "%d年 %s %s", r->year, r->in->name,
	    label);
	e = worksheet_write_string(ws, 0, 0, title, NULL);
	for (k = 0; e == LXW_NO_ERROR && k < NHEADS; k++)
		e = worksheet_write_string(ws, 1, (lxw_col_t)k, heads[k], NULL);
	for (i = 0; e == LXW_NO_ERROR && i < t->n; i++) {
		const struct satisf_count *c = &t->rows[i].c;
		const double v[6] = { (double)c->satisfied, (double)c->basic,
		    (double)c->unsatisfied, (double)satisf_rated(c),
		    (double)c->items, (double)c->plans };
		lxw_row_t row = (lxw_row_t)(i + 2);
		int64_t bp = satisf_rate_bp(c);

		e = worksheet_write_string(ws, row, 0, i == 0 ? "合计" :
		    t->rows[i].name, NULL);
		if (e == LXW_NO_ERROR)
			e = worksheet_write_string(ws, row, 1, t->rows[i].code,
			    NULL);
		for (k = 0; e == LXW_NO_ERROR && k < 6; k++)
			e = worksheet_write_number(ws, row, (lxw_col_t)(k + 2),
			    v[k], NULL);
		if (e == LXW_NO_ERROR && bp >= 0)
			e = worksheet_write_number(ws, row, 8, (double)bp /
			    10000.0, pct);
		if (e == LXW_NO_ERROR)
			e = worksheet_write_number(ws, row, 9,
			    (double)target_bp() / 10000.0, pct);
	}
	return (int)e;
}

/* ---- the section (report.h) ------------------------------------------ */

static int
sec_json(json_t *root, const struct report *r, const void *data)
{
	(void)data;
	return report_satisf_json(root, r);
}

static int
sec_text(const struct report *r, const void *data, FILE *fp)
{
	(void)data;
	return report_satisf_text(r, fp);
}

static int
sec_csv(const struct report *r, const void *data, FILE *fp)
{
	(void)data;
	return report_satisf_csv(r, fp);
}

static int
sec_xlsx(struct lxw_workbook *wb, const struct report *r, const void *data)
{
	(void)data;
	return report_satisf_xlsx(wb, r);
}

const struct report_section_ops report_satisf_section = {
	sec_json, sec_text, sec_csv, sec_xlsx, NULL
};

/*
 * report_precision.c - the precision rates in JSON, text, CSV and xlsx
 * (see report_precision.h).
 */
#include "stats/report_precision.h"

#include <math.h>
#include <string.h>

static json_int_t
bp(double v)
{
	return (json_int_t)llround(v * 10000.0);
}

static json_t *
rate_json(const struct sup_rate *r)
{
	json_t *o = json_pack("{s:I, s:I}", "right", (json_int_t)r->x,
	    "checked", (json_int_t)r->n);

	if (o != NULL && r->valid && (json_object_set_new(o, "rate_bp",
	    json_integer(bp(r->p))) != 0 || json_object_set_new(o, "lo_bp",
	    json_integer(bp(r->lo))) != 0 || json_object_set_new(o, "hi_bp",
	    json_integer(bp(r->hi))) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
row_json(const struct sup_prec_row *row, int surveyor)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:o*, s:o*, s:o*, s:b}",
	    surveyor ? "surveyor" : "code", row->key, "name", row->name,
	    "tasks", (json_int_t)row->c.tasks, "done",
	    (json_int_t)row->c.done, "survey", rate_json(&row->survey), "plan",
	    rate_json(&row->plan), "supervision", rate_json(&row->sup),
	    "below", row->below);
}

json_t *
report_precision_json(const struct sup_precision *p)
{
	json_t *o, *regions = json_array(), *surveyors = json_array(),
	    *below = json_array();
	size_t i;
	int bad = regions == NULL || surveyors == NULL || below == NULL;

	for (i = 0; !bad && i < p->nregion; i++)
		bad = json_array_append_new(regions,
		    row_json(&p->by_region[i], 0)) != 0;
	for (i = 0; !bad && i < p->nsurveyor; i++) {
		bad = json_array_append_new(surveyors,
		    row_json(&p->by_surveyor[i], 1)) != 0;
		if (!bad && p->by_surveyor[i].below)
			bad = json_array_append_new(below,
			    json_string(p->by_surveyor[i].name)) != 0;
	}
	if (bad) {
		json_decref(regions);
		json_decref(surveyors);
		json_decref(below);
		return NULL;
	}
	o = json_pack("{s:i, s:s, s:s, s:{s:I, s:I, s:I}, s:o, s:o, s:o}",
	    "year", p->year, "region", p->region, "method", "wilson95",
	    "targets", "survey_bp", bp(SUP_TARGET), "plan_bp", bp(SUP_TARGET),
	    "supervision_bp", bp(SUP_TARGET), "regions", regions, "surveyors",
	    surveyors, "below_target", below);
	return o;
}

/* "96.5% [93.1%, 98.3%] 110/114" or "-". */
static void
rate_text(const struct sup_rate *r, char *out, size_t len)
{
	if (!r->valid)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%.1f%% [%.1f%%, %.1f%%] %lld/%lld",
		    100 * r->p, 100 * r->lo, 100 * r->hi, (long long)r->x,
		    (long long)r->n);
}

static int
text_row(FILE *fp, const struct sup_prec_row *row)
{
	char a[80], b[80], c[80];

	rate_text(&row->survey, a, sizeof(a));
	rate_text(&row->plan, b, sizeof(b));
	rate_text(&row->sup, c, sizeof(c));
	return fprintf(fp, "  %s  调研 survey %s  一人一策 plan %s  监督 "
	    "supervision %s%s\n", row->name, a, b, c, row->below ?
	    "  低于目标 below target" : "") < 0 ? -1 : 0;
}

int
report_precision_text(const struct sup_precision *p, FILE *fp)
{
	size_t i;
	int rc;

	rc = fprintf(fp, "\n精准率 precision (目标 target >= 90%%; 95%% Wilson "
	    "区间 interval)\n") < 0 ? -1 : 0;
	for (i = 0; rc == 0 && i < p->nregion; i++)
		rc = text_row(fp, &p->by_region[i]);
	for (i = 0; rc == 0 && i < p->nsurveyor; i++)
		if (p->by_surveyor[i].below)
			rc = text_row(fp, &p->by_surveyor[i]);
	return rc;
}

/* Writes s as one CSV field (quoted, quotes doubled). */
static int
csv_field(FILE *fp, const char *s)
{
	if (fputc('"', fp) == EOF)
		return -1;
	for (; *s; s++)
		if ((*s == '"' && fputc('"', fp) == EOF) || fputc(*s, fp) == EOF)
			return -1;
	return fputc('"', fp) == EOF ? -1 : 0;
}

static int
csv_rate(FILE *fp, const struct sup_rate *r)
{
	if (!r->valid)
		return fprintf(fp, ",%lld,%lld,,,", (long long)r->x,
		    (long long)r->n) < 0 ? -1 : 0;
	return fprintf(fp, ",%lld,%lld,%.4f,%.4f,%.4f", (long long)r->x,
	    (long long)r->n, r->p, r->lo, r->hi) < 0 ? -1 : 0;
}

static int
csv_row(FILE *fp, const char *kind, const struct sup_prec_row *row)
{
	if (csv_field(fp, kind) != 0 || fputc(',', fp) == EOF ||
	    csv_field(fp, row->name) != 0 || fputc(',', fp) == EOF ||
	    csv_field(fp, row->key) != 0 || csv_rate(fp, &row->survey) != 0 ||
	    csv_rate(fp, &row->plan) != 0 || csv_rate(fp, &row->sup) != 0)
		return -1;
	return fprintf(fp, ",%s\r\n", row->below ? "是" : "否") < 0 ? -1 : 0;
}

int
report_precision_csv(const struct sup_precision *p, FILE *fp)
{
	static const char head[] = "分组,名称,代码,"
	    "调研正确项,调研核查项,调研精准率,下限,上限,"
	    "计划确认项,计划核查项,一人一策精准率,下限,上限,"
	    "监督合格,监督应查,精准监督率,下限,上限,远低于目标\r\n";
	size_t i;
	int rc;

	rc = fprintf(fp, "%d年 %s 精准率 (目标 90%%, 95%% Wilson 区间)\r\n%s",
	    p->year, p->region, head) < 0 ? -1 : 0;
	for (i = 0; rc == 0 && i < p->nregion; i++)
		rc = csv_row(fp, i ? "下级区划" : "合计", &p->by_region[i]);
	for (i = 0; rc == 0 && i < p->nsurveyor; i++)
		rc = csv_row(fp, "调查员", &p->by_surveyor[i]);
	return rc == 0 && fputs("\r\n", fp) != EOF ? 0 : -1;
}

static lxw_error
xlsx_rate(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
    const struct sup_rate *r, lxw_format *pct)
{
	lxw_error e;

	if ((e = worksheet_write_number(ws, row, col, (double)r->x, NULL)) !=
	    LXW_NO_ERROR || (e = worksheet_write_number(ws, row, col + 1,
	    (double)r->n, NULL)) != LXW_NO_ERROR || !r->valid)
		return e;
	if ((e = worksheet_write_number(ws, row, col + 2, r->p, pct)) !=
	    LXW_NO_ERROR || (e = worksheet_write_number(ws, row, col + 3,
	    r->lo, pct)) != LXW_NO_ERROR)
		return e;
	return worksheet_write_number(ws, row, col + 4, r->hi, pct);
}

static lxw_error
xlsx_row(lxw_worksheet *ws, lxw_row_t row, const char *kind,
    const struct sup_prec_row *pr, lxw_format *pct)
{
	lxw_error e;

	if ((e = worksheet_write_string(ws, row, 0, kind, NULL)) !=
	    LXW_NO_ERROR || (e = worksheet_write_string(ws, row, 1, pr->name,
	    NULL)) != LXW_NO_ERROR || (e = worksheet_write_string(ws, row, 2,
	    pr->key, NULL)) != LXW_NO_ERROR || (e = xlsx_rate(ws, row, 3,
	    &pr->survey, pct)) != LXW_NO_ERROR || (e = xlsx_rate(ws, row, 8,
	    &pr->plan, pct)) != LXW_NO_ERROR || (e = xlsx_rate(ws, row, 13,
	    &pr->sup, pct)) != LXW_NO_ERROR)
		return e;
	return worksheet_write_string(ws, row, 18, pr->below ? "是" : "否",
	    NULL);
}

lxw_error
report_precision_xlsx(lxw_workbook *wb, const struct sup_precision *p)
{
	static const char *const head[] = { "分组", "名称", "代码",
	    "调研正确项", "调研核查项", "调研精准率", "下限", "上限",
	    "计划确认项", "计划核查项", "一人一策精准率", "下限", "上限",
	    "监督合格", "监督应查", "精准监督率", "下限", "上限", "远低于目标" };
	lxw_worksheet *ws = workbook_add_worksheet(wb, "精准率");
	lxw_format *pct = workbook_add_format(wb);
	lxw_row_t row = 1;
	lxw_error e = LXW_NO_ERROR;
	size_t i;

	if (ws == NULL || pct == NULL)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	format_set_num_format(pct, "0.0%");
	for (i = 0; e == LXW_NO_ERROR && i < sizeof(head) / sizeof(head[0]);
	    i++)
		e = worksheet_write_string(ws, 0, (lxw_col_t)i, head[i], NULL);
	for (i = 0; e == LXW_NO_ERROR && i < p->nregion; i++)
		e = xlsx_row(ws, row++, i ? "下级区划" : "合计",
		    &p->by_region[i], pct);
	for (i = 0; e == LXW_NO_ERROR && i < p->nsurveyor; i++)
		e = xlsx_row(ws, row++, "调查员", &p->by_surveyor[i], pct);
	if (e == LXW_NO_ERROR)
		worksheet_freeze_panes(ws, 1, 2);
	return e;
}

/* ---- the section (report.h) ------------------------------------------ */

static int
sec_json(json_t *root, const struct report *r, const void *data)
{
	(void)r;
	return json_object_set_new(root, "precision",
	    report_precision_json(data)) != 0 ? -1 : 0;
}

static int
sec_text(const struct report *r, const void *data, FILE *fp)
{
	(void)r;
	return report_precision_text(data, fp);
}

static int
sec_csv(const struct report *r, const void *data, FILE *fp)
{
	(void)r;
	return report_precision_csv(data, fp);
}

static int
sec_xlsx(struct lxw_workbook *wb, const struct report *r, const void *data)
{
	(void)r;
	return (int)report_precision_xlsx(wb, data);
}

const struct report_section_ops report_precision_section = {
	sec_json, sec_text, sec_csv, sec_xlsx, NULL
};

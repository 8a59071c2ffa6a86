/*
 * stats_findings.c - the findings section of the statistics reports
 * (stats_findings.h).
 */
#include "stats/stats_findings.h"

#include <inttypes.h>
#include <stdio.h>
#include <xlsxwriter.h>

#include "io/csv.h"
#include "stats/findings_stats.h"

#define NHEADS	6
static const char *const heads[NHEADS] = {
	"规则代码", "规则", "严重程度", "待处理", "已整改", "已排除"
};
static const char *const states[3] = { "open", "resolved", "dismissed" };
static const char title_zh[] = "数据质量问题";

/* Row i of the table: rule i, or the totals (i == number of rules):
 * its three texts in f[0..2], its counts in v. */
static void
row_of(const json_t *j, size_t i, const char *f[3], int64_t v[3])
{
	const json_t *r = json_array_get(json_object_get(j, "rules"), i);
	const json_t *c = r != NULL ? json_object_get(r, "counts") :
	    json_object_get(j, "totals");
	size_t k;

	f[0] = json_string_value(json_object_get(r, "code"));
	f[1] = r != NULL ? json_string_value(json_object_get(r, "name_zh")) :
	    "合计";
	f[2] = json_string_value(json_object_get(r, "severity"));
	for (k = 0; k < 3; k++) {
		if (f[k] == NULL)
			f[k] = "";
		v[k] = (int64_t)json_integer_value(json_object_get(c,
		    states[k]));
	}
}

static int
sec_json(json_t *root, const struct report *r, const void *data)
{
	(void)r;
	return json_object_set(root, "findings", (json_t *)data) != 0 ? -1 : 0;
}

static int
sec_text(const struct report *r, const void *data, FILE *fp)
{
	(void)r;
	return findings_stats_text(data, fp);
}

static int
sec_csv(const struct report *r, const void *data, FILE *fp)
{
	size_t i, k, n = json_array_size(json_object_get(data, "rules"));
	const char *f[NHEADS];
	char num[3][24], title[160];
	int64_t v[3];

	snprintf(title, sizeof(title), "%d年 %s(%s) %s", r->year, r->in->name,
	    r->in->code, title_zh);
	f[0] = title;
	if (csv_write_row(fp, f, 1) != 0 || csv_write_row(fp, heads,
	    NHEADS) != 0)
		return -1;
	for (i = 0; i <= n; i++) {
		row_of(data, i, f, v);
		for (k = 0; k < 3; k++) {
			snprintf(num[k], sizeof(num[k]), "%" PRId64, v[k]);
			f[3 + k] = num[k];
		}
		if (csv_write_row(fp, f, NHEADS) != 0)
			return -1;
	}
	return fputs("\r\n", fp) < 0 ? -1 : 0;
}

static int
sec_xlsx(struct lxw_workbook *wb, const struct report *r, const void *data)
{
	size_t i, k, n = json_array_size(json_object_get(data, "rules"));
	const char *f[3];
	char title[160];
	lxw_worksheet *ws;
	lxw_row_t row;
	lxw_error e;
	int64_t v[3];

	if ((ws = workbook_add_worksheet(wb, title_zh)) == NULL)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	snprintf(title, sizeof(title), "%d年 %s(%s) %s", r->year, r->in->name,
	    r->in->code, title_zh);
	e = worksheet_write_string(ws, 0, 0, title, NULL);
	for (k = 0; e == LXW_NO_ERROR && k < NHEADS; k++)
		e = worksheet_write_string(ws, 1, (lxw_col_t)k, heads[k], NULL);
	for (i = 0; e == LXW_NO_ERROR && i <= n; i++) {
		row = (lxw_row_t)(i + 2);
		row_of(data, i, f, v);
		for (k = 0; e == LXW_NO_ERROR && k < 3; k++)
			e = worksheet_write_string(ws, row, (lxw_col_t)k, f[k],
			    NULL);
		for (k = 0; e == LXW_NO_ERROR && k < 3; k++)
			e = worksheet_write_number(ws, row, (lxw_col_t)(3 + k),
			    (double)v[k], NULL);
	}
	return (int)e;
}

static void
sec_release(void *data)
{
	json_decref(data);
}

static const struct report_section_ops ops = {
	sec_json, sec_text, sec_csv, sec_xlsx, sec_release
};

int
stats_findings_add(struct report *r, struct store *s,
    const struct quality_rules *qr, const struct regions *regs,
    struct lf_error *err)
{
	json_t *f;

	f = findings_stats_json(s, qr, regs, r->year, r->in->code, err);
	if (f == NULL)
		return -1;
	return report_section_add(r, &ops, f, err);
}

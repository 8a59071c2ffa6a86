/*
 * stats_names.c - the column codes and labels of the statistics tables,
 * and the one allocation a table lives in (see stats.h, stats_int.h).
 */
#include <string.h>

#include "core/dept.h"
#include "lib/mem.h"
#include "stats/stats_int.h"

struct colname {
	const char	*c1, *c2, *l1, *l2;
};

static const char *const kpi_cols[STATS_KPI_NCOLS][2] = {
	{ "registered", "入库人数" }, { "valid_card", "持证人数" },
	{ "surveyed", "已调查人数" }, { "entry_rate_bp", "录入率(万分比)" },
	{ "covered", "覆盖人数" }, { "coverage_bp", "覆盖率(万分比)" },
	{ "items", "服务项目数(含待确认建议)" },
	{ "items_done", "已完成项目数" },
	{ "completion_bp", "完成率(万分比)" }, { "overdue", "逾期项目数" },
	{ "plans_draft", "草稿计划数" }, { "plans_confirmed", "已确认计划数" },
	{ "items_open", "待确认建议数" }, { "items_committed", "已确认项目数" },
	{ "funds_planned", "已确认项目年度资金(分)" },
	{ "funds_spent", "已支出资金(分)" },
	{ "reg_target", "入库目标人数" },
	{ "reg_target_bp", "入库目标完成率(万分比)" },
};
static const char *const service_cols[][2] = {
	{ ".persons", "·人数" }, { ".items", "·人次" }, { ".done", "·已完成" },
	{ ".planned", "·年度计划资金(分)" }, { ".spent", "·已支出(分)" },
};
static const char *const need_cols[][2] = {
	{ ".need", "·需求人数" }, { ".met", "·已安排" },
	{ ".done", "·已完成" }, { ".gap", "·缺口" },
};
static const char *const band_codes[STATS_MAX_BANDS] = {
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
	"13", "14", "15",
};

static void
field_col(const struct stats_col *c, size_t j, struct colname *cn)
{
	static const char *const yn[][2] = { { "0", "否" }, { "1", "是" } };

	if (j == c->ncols) {
		cn->c1 = "empty";
		cn->l1 = "未填";
		return;
	}
	switch (c->kind) {
	case SK_ENUM: case SK_MULTI:
		cn->c1 = c->f->options[j].code_text;
		cn->l1 = c->f->options[j].label;
		break;
	case SK_BOOL:
		cn->c1 = yn[j][0];
		cn->l1 = yn[j][1];
		break;
	case SK_BAND:
		cn->c1 = band_codes[j];
		cn->l1 = c->bands[j].label;
		break;
	default:
		cn->c1 = "filled";
		cn->l1 = "已填";
	}
}

static void
group_name(const struct stats *st, enum stats_secid sec, size_t g,
    struct colname *cn)
{
	if (sec == SS_POLICY) {
		cn->c1 = st->ps->v[g].code;
		cn->l1 = st->ps->v[g].name_zh;
	} else if (sec == SS_BATCH) {
		cn->c1 = policy_batch_get((enum policy_batch)g)->code;
		cn->l1 = policy_batch_get((enum policy_batch)g)->name_zh;
	} else {
		cn->c1 = dept_get(g)->code;
		cn->l1 = dept_get(g)->name_zh;
	}
}

static void
col_name(const struct stats *st, const struct stats_tspec *ts, size_t j,
    struct colname *cn)
{
	const struct field *f;

	cn->c2 = cn->l2 = "";
	switch (ts->kind) {
	case STK_FIELD:
		field_col(&st->cols[ts->k], j, cn);
		break;
	case STK_KPI:
		cn->c1 = kpi_cols[j][0];
		cn->l1 = kpi_cols[j][1];
		break;
	case STK_SERVICE:
		group_name(st, ts->sec, j / 5, cn);
		cn->c2 = service_cols[j % 5][0];
		cn->l2 = service_cols[j % 5][1];
		break;
	case STK_NEED:
		f = &st->cat->fields[st->need_field[j / 4]];
		cn->c1 = f->code;
		cn->l1 = f->label_zh;
		cn->c2 = need_cols[j % 4][0];
		cn->l2 = need_cols[j % 4][1];
		break;
	}
}

static char *
put2(char *p, const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	memcpy(p, a, na);
	memcpy(p + na, b, nb);
	p[na + nb] = '\0';
	return p + na + nb + 1;
}

/* The table's one allocation: cells, rows, column names and their text. */
int
stats_names_alloc(const struct stats *st, const struct stats_tspec *ts,
    size_t nrows, struct stats_table *t)
{
	struct colname cn;
	size_t j, text = 0, size;
	char *p;

	for (j = 0; j < ts->ncols; j++) {
		col_name(st, ts, j, &cn);
		text += strlen(cn.c1) + strlen(cn.c2) + strlen(cn.l1) +
		    strlen(cn.l2) + 2;
	}
	size = nrows * ts->ncols * sizeof(int64_t) + nrows * sizeof(*t->rows)
	    + 2 * ts->ncols * sizeof(char *) + text;
	t->cells = mem_calloc(1, size);
	if (t->cells == NULL)
		return -1;
	t->rows = (struct stats_row *)(void *)(t->cells + nrows * ts->ncols);
	t->col_code = (const char **)(void *)(t->rows + nrows);
	t->col_label = t->col_code + ts->ncols;
	p = (char *)(t->col_label + ts->ncols);
	for (j = 0; j < ts->ncols; j++) {
		col_name(st, ts, j, &cn);
		t->col_code[j] = p;
		p = put2(p, cn.c1, cn.c2);
		t->col_label[j] = p;
		p = put2(p, cn.l1, cn.l2);
	}
	t->ncols = ts->ncols;
	t->nrows = nrows;
	for (j = 0; j < nrows; j++)
		t->rows[j].v = t->cells + j * ts->ncols;
	return 0;
}

void
stats_table_free(struct stats_table *t)
{
	if (t == NULL)
		return;
	mem_free(t->cells);
	memset(t, 0, sizeof(*t));
}


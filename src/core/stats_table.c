/*
 * stats_table.c - the tables of the statistics (see stats.h).
 *
 * A table is built in three steps: the raw counters of each row (one
 * section of the counter layout, stats_int.h), the row of R as the sum of
 * its children's rows, then the final columns (rates, gaps, overdue
 * items) from the raw counters. A child's raw counters come from its
 * running-total block when there is no filter and the child lies above
 * village level; otherwise from scanning the persons of its villages,
 * which are held village by village (the villages of a region have
 * consecutive ordinals), through the same per-person code the running
 * totals use.
 */
#include <string.h>

#include "core/date.h"
#include "core/dept.h"
#include "core/mem.h"
#include "core/stats_int.h"

#define CHUNK	512		/* persons per filter pass */
#define AHEAD	8		/* persons whose items are fetched ahead */
#define PF_VILLAGES 4		/* villages whose data is fetched ahead */

enum tkind { TK_FIELD, TK_KPI, TK_SERVICE, TK_NEED };

struct tspec {
	enum tkind		 kind;
	enum stats_secid	 sec;
	size_t			 k;		/* field table: kept column */
	size_t			 coff, ncnt, moff, nmoney;
	size_t			 ncols;		/* output columns */
};

/* A compiled filter: a table of accepted stored values for one-byte
 * columns; a mask of option indices for wider (multi) ones. */
struct qfilter {
	size_t		 pos, width;
	int		 multi;
	uint64_t	 mask;
	unsigned char	 ok[256];
};

struct colname {
	const char	*c1, *c2, *l1, *l2;
};

static int
bad(struct lf_error *err, const char *field, const char *zh, const char *en)
{
	return lf_error_set(err, "invalid", field, "统计: %s (stats: %s)",
	    zh, en);
}

static int
nomem(struct lf_error *err)
{
	return lf_error_set(err, "no_memory", "", "内存不足 (out of memory)");
}

/* The kept column of field f, or NULL (not of this catalog, secret). */
static const struct stats_col *
kept_col(const struct stats *st, const struct field *f)
{
	if (f == NULL || f < st->cat->fields ||
	    f >= st->cat->fields + st->cat->nfields ||
	    st->col_of[f->index] < 0)
		return NULL;
	return &st->cols[st->col_of[f->index]];
}

/* ---- filters ----------------------------------------------------- */

/* The option index filter bit b stands for in an enum, or -1. */
static int
enum_index(const struct stats_col *c, size_t b)
{
	const struct field_option *o;

	if (!c->codebits)
		return b < c->f->noptions ? (int)b : -1;
	o = field_option(c->f, (int)b);
	return o == NULL ? -1 : (int)(o - c->f->options);
}

static int
compile_bits(const struct stats_col *c, uint64_t codes, struct qfilter *qf)
{
	size_t b;
	int x;

	for (b = 0; b < 64; b++) {
		if (!(codes & ((uint64_t)1 << b)))
			continue;
		switch (c->kind) {
		case SK_ENUM:
			x = enum_index(c, b);
			break;
		case SK_MULTI:
			x = b < 63 ? c->midx[b] : -1;
			break;
		default:
			x = b < c->ncols ? (int)b : -1;
		}
		if (x < 0 || x >= 64)
			return -1;
		qf->mask |= (uint64_t)1 << x;
	}
	return 0;
}

static int
compile_filter(const struct stats *st, const struct stats_filter *sf,
    struct qfilter *qf, struct lf_error *err)
{
	const struct field *f = sf->f;
	const struct stats_col *c = kept_col(st, f);
	size_t v;

	if (c == NULL)
		return bad(err, f == NULL ? "filters" : f->code,
		    "不能按此项筛选", "no such item to filter on");
	memset(qf, 0, sizeof(*qf));
	qf->pos = c->pos;
	qf->width = c->width;
	qf->multi = c->kind == SK_MULTI;
	if (sf->codes == 0 || compile_bits(c, sf->codes, qf) != 0)
		return bad(err, f->code, "筛选代码无效", "bad filter codes");
	for (v = 1; v < 256 && c->width == 1; v++)
		qf->ok[v] = qf->multi ? (v & qf->mask) != 0 :
		    v - 1 < 64 && (qf->mask >> (v - 1)) & 1;
	return 0;
}

static int
check_query(const struct stats *st, const struct stats_query *q,
    struct qfilter *qf, struct lf_error *err)
{
	size_t i;

	if (q == NULL || q->in == NULL || q->in < st->rs->v ||
	    q->in >= st->rs->v + st->rs->n)
		return bad(err, "region", "地区无效",
		    "not a region of the table");
	if (q->nfilters > STATS_MAX_FILTERS ||
	    (q->nfilters > 0 && q->filters == NULL))
		return bad(err, "filters", "筛选条件过多", "too many filters");
	for (i = 0; i < q->nfilters; i++)
		if (compile_filter(st, &q->filters[i], &qf[i], err) != 0)
			return -1;
	return 0;
}

/* Wider columns are multi items (enums take one byte). */
static int
accept_wide(const struct qfilter *qf, uint64_t v)
{
	return (v & qf->mask) != 0;
}

static uint64_t
wide_value(const unsigned char *p, size_t width, size_t i)
{
	if (width == 2)
		return ((const uint16_t *)(const void *)p)[i];
	if (width == 4)
		return ((const uint32_t *)(const void *)p)[i];
	return ((const uint64_t *)(const void *)p)[i];
}

/* pass[i] for persons from .. from + m - 1 of block b. */
static void
pass_chunk(const struct stats *st, const struct stats_vblock *b,
    size_t from, size_t m, const struct qfilter *qf, size_t nqf,
    unsigned want, unsigned char *pass)
{
	const unsigned char *fl = stats_colp(b, st->pos_flags) + from, *p;
	unsigned mask = want | STATS_F_STATUS;
	size_t i, j;

	for (i = 0; i < m; i++)
		pass[i] = (fl[i] & mask) == want;
	for (j = 0; j < nqf; j++) {
		p = stats_colp(b, qf[j].pos);
		if (qf[j].width == 1) {
			for (i = 0; i < m; i++)
				pass[i] &= qf[j].ok[p[from + i]];
			continue;
		}
		for (i = 0; i < m; i++)
			if (pass[i])
				pass[i] = (unsigned char)accept_wide(&qf[j],
				    wide_value(p, qf[j].width, from + i));
	}
}

/* ---- scanning ---------------------------------------------------- */

/* Adds the persons of block b passing the filters to acc (and, for a
 * field table of one-byte codes, to hist). */
static void
scan_block(const struct stats *st, const struct stats_vblock *b,
    const struct tspec *ts, const struct qfilter *qf, size_t nqf,
    struct stats_acc *acc, uint32_t *hist)
{
	unsigned char pass[CHUNK];
	const unsigned char *p = NULL;
	unsigned want = STATS_ACTIVE;
	size_t from, m, i;

	if (ts->kind == TK_FIELD) {
		want |= STATS_F_SURVEY;
		if (st->cols[ts->k].width == 1)
			p = stats_colp(b, st->cols[ts->k].pos);
	}
	for (from = 0; from < b->n; from += m) {
		m = b->n - from < CHUNK ? b->n - from : CHUNK;
		pass_chunk(st, b, from, m, qf, nqf, want, pass);
		if (p != NULL) {
			for (i = 0; i < m; i++)
				hist[p[from + i]] += pass[i];
			continue;
		}
		for (i = 0; i < m; i++) {
			if (i + AHEAD < m && pass[i + AHEAD] &&
			    ts->kind != TK_FIELD)
				__builtin_prefetch(stats_items_of(st, b,
				    from + i + AHEAD));
			if (!pass[i])
				continue;
			if (ts->kind == TK_FIELD)
				stats_acc_field(st, ts->k, stats_get(st, b,
				    ts->k, from + i), acc, 1, 1);
			else
				stats_acc_person(st, b, from + i, acc, 1, 1,
				    SS_BIT(ts->sec));
		}
	}
}

/* Up to four cache lines of a column. */
static void
prefetch_col(const struct stats_vblock *b, size_t pos, size_t width)
{
	const unsigned char *p = stats_colp(b, pos);
	size_t len = b->n * width, o;

	for (o = 0; o < len && o < 256; o += 64)
		__builtin_prefetch(p + o);
}

/* Asks for the first bytes of the columns a scan of block b reads, so
 * that the next village's data is on its way while this one is counted
 * (blocks are separate allocations: no prefetcher guesses them). */
static void
prefetch_block(const struct stats *st, const struct stats_vblock *b,
    const struct tspec *ts, const struct qfilter *qf, size_t nqf)
{
	size_t j;

	if (b->n == 0)
		return;
	prefetch_col(b, st->pos_flags, 1);
	for (j = 0; j < nqf; j++)
		prefetch_col(b, qf[j].pos, qf[j].width);
	if (ts->kind == TK_FIELD)
		prefetch_col(b, st->cols[ts->k].pos, st->cols[ts->k].width);
	else
		prefetch_col(b, st->pos_items, sizeof(void *));
	if (ts->kind == TK_NEED)
		prefetch_col(b, st->pos_yes, 8 * st->nw);
}

/* Raw counters of region r, by scanning its villages. */
static void
scan_region(const struct stats *st, int r, const struct tspec *ts,
    const struct qfilter *qf, size_t nqf, struct stats_acc *acc,
    int64_t *raw)
{
	uint32_t hist[256];
	int32_t v;
	size_t i;

	memset(acc->cnt, 0, st->ncnt * sizeof(int32_t));
	memset(acc->money, 0, st->nmoney * sizeof(int64_t));
	memset(hist, 0, sizeof(hist));
	for (v = st->vlo[r]; v < st->vhi[r]; v++) {
		if (v + PF_VILLAGES < st->vhi[r])
			prefetch_block(st, &st->vb[v + PF_VILLAGES], ts, qf,
			    nqf);
		if (st->vb[v].n > 0)
			scan_block(st, &st->vb[v], ts, qf, nqf, acc, hist);
	}
	for (i = 0; i < 256; i++)
		if (hist[i] != 0)
			stats_acc_field(st, ts->k, i, acc, 1,
			    (int32_t)hist[i]);
	for (i = 0; i < ts->ncnt; i++)
		raw[i] = acc->cnt[ts->coff + i];
	for (i = 0; i < ts->nmoney; i++)
		raw[ts->ncnt + i] = acc->money[ts->moff + i];
}

static void
tot_region(const struct stats *st, int r, const struct tspec *ts,
    int64_t *raw)
{
	const struct stats_tot *t = st->tot[r];
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < ts->ncnt; i++)
		raw[i] = t->cnt[ts->coff + i];
	for (i = 0; i < ts->nmoney; i++)
		raw[ts->ncnt + i] = t->money[ts->moff + i];
}

/* ---- final columns ----------------------------------------------- */

static int64_t
bp(int64_t a, int64_t b)
{
	return b > 0 ? a * 10000 / b : 0;
}

static int64_t
overdue(const struct stats *st, int today, const int64_t *notdone)
{
	int y, m, d, i;
	int64_t n = 0;

	date_to_ymd(today, &y, &m, &d);
	if (y < st->year)
		return 0;
	if (y > st->year)
		m = 13;
	for (i = 1; i < m; i++)
		n += notdone[i - 1];
	return n;
}

static void
finish_row(const struct stats *st, const struct tspec *ts, int today,
    const int64_t *raw, int64_t *v)
{
	size_t g, ng;

	switch (ts->kind) {
	case TK_FIELD:
		memcpy(v, raw, ts->ncols * sizeof(*v));
		break;
	case TK_KPI:
		v[0] = raw[SKPI_REG];
		v[1] = raw[SKPI_VALID];
		v[2] = raw[SKPI_SURV];
		v[3] = bp(v[2], v[0]);
		v[4] = raw[SKPI_COVERED];
		v[5] = bp(v[4], v[1]);
		v[6] = raw[SKPI_ITEMS];
		v[7] = raw[SKPI_DONE];
		v[8] = bp(v[7], v[6]);
		v[9] = overdue(st, today, raw + SKPI_NOTDONE);
		break;
	case TK_SERVICE:
		for (g = 0, ng = ts->ncnt / 3; g < ng; g++) {
			memcpy(v + 5 * g, raw + 3 * g, 3 * sizeof(*v));
			v[5 * g + 3] = raw[ts->ncnt + 2 * g];
			v[5 * g + 4] = raw[ts->ncnt + 2 * g + 1];
		}
		break;
	case TK_NEED:
		for (g = 0, ng = ts->ncnt / 3; g < ng; g++) {
			memcpy(v + 4 * g, raw + 3 * g, 3 * sizeof(*v));
			v[4 * g + 3] = raw[3 * g] - raw[3 * g + 1];
		}
		break;
	}
}

/* ---- column names ------------------------------------------------ */

static const char *const kpi_cols[][2] = {
	{ "registered", "入库人数" }, { "valid_card", "持证人数" },
	{ "surveyed", "已调查人数" }, { "entry_rate_bp", "录入率(万分比)" },
	{ "covered", "覆盖人数" }, { "coverage_bp", "覆盖率(万分比)" },
	{ "items", "服务项目数" }, { "items_done", "已完成项目数" },
	{ "completion_bp", "完成率(万分比)" }, { "overdue", "逾期项目数" },
};
static const char *const service_cols[][2] = {
	{ ".persons", "·人数" }, { ".items", "·人次" }, { ".done", "·已完成" },
	{ ".planned", "·计划资金(分)" }, { ".spent", "·已支出(分)" },
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
col_name(const struct stats *st, const struct tspec *ts, size_t j,
    struct colname *cn)
{
	const struct field *f;

	cn->c2 = cn->l2 = "";
	switch (ts->kind) {
	case TK_FIELD:
		field_col(&st->cols[ts->k], j, cn);
		break;
	case TK_KPI:
		cn->c1 = kpi_cols[j][0];
		cn->l1 = kpi_cols[j][1];
		break;
	case TK_SERVICE:
		group_name(st, ts->sec, j / 5, cn);
		cn->c2 = service_cols[j % 5][0];
		cn->l2 = service_cols[j % 5][1];
		break;
	case TK_NEED:
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
static int
table_alloc(const struct stats *st, const struct tspec *ts, size_t nrows,
    struct stats_table *t)
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

/* ---- building ---------------------------------------------------- */

/* The rows' regions: R, then its children (R again for a village). */
static void
fill_regions(const struct stats *st, const struct region *in,
    struct stats_table *t)
{
	size_t n = 1;
	int c;

	t->rows[0].region = in;
	if (in->level == RL_VILLAGE) {
		t->rows[1].region = in;
		return;
	}
	for (c = in->first_child; c >= 0; c = st->rs->v[c].next_sibling)
		t->rows[n++].region = &st->rs->v[c];
}

static int
scratch_new(const struct stats *st, struct stats_acc *acc)
{
	acc->cnt = mem_alloc(st->ncnt * sizeof(int32_t) + 4);
	acc->money = mem_alloc(st->nmoney * sizeof(int64_t) + 8);
	return acc->cnt == NULL || acc->money == NULL ? -1 : 0;
}

static void
fill_raw(const struct stats *st, const struct stats_query *q,
    const struct tspec *ts, const struct qfilter *qf,
    struct stats_acc *acc, struct stats_table *t, int64_t *raw)
{
	size_t nraw = ts->ncnt + ts->nmoney, r, i;
	int reg;

	for (r = 1; r < t->nrows; r++) {
		reg = (int)(t->rows[r].region - st->rs->v);
		if (acc->cnt == NULL)
			tot_region(st, reg, ts, raw + r * nraw);
		else
			scan_region(st, reg, ts, qf, q->nfilters, acc,
			    raw + r * nraw);
		for (i = 0; i < nraw; i++)
			raw[i] += raw[r * nraw + i];
	}
}

static int
build(const struct stats *st, const struct stats_query *q,
    const struct tspec *ts, struct stats_table *out, struct lf_error *err)
{
	struct qfilter qf[STATS_MAX_FILTERS];
	struct stats_acc acc = { NULL, NULL };
	int64_t *raw = NULL;
	size_t nrows, nraw = ts->ncnt + ts->nmoney, r;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (check_query(st, q, qf, err) != 0)
		return -1;
	nrows = 1 + (q->in->level == RL_VILLAGE ? 1 :
	    (size_t)q->in->nchildren);
	if (table_alloc(st, ts, nrows, out) != 0)
		goto fail;
	raw = mem_calloc(nrows * nraw + 1, sizeof(*raw));
	if (raw == NULL)
		goto fail;
	if ((q->nfilters > 0 || q->in->level >= RL_TOWNSHIP) &&
	    scratch_new(st, &acc) != 0)
		goto fail;
	fill_regions(st, q->in, out);
	fill_raw(st, q, ts, qf, &acc, out, raw);
	for (r = 0; r < nrows; r++)
		finish_row(st, ts, q->today, raw + r * nraw, out->rows[r].v);
	rc = 0;
	goto out;
fail:
	nomem(err);
	stats_table_free(out);
out:
	mem_free(acc.cnt);
	mem_free(acc.money);
	mem_free(raw);
	return rc;
}

static void
spec_sec(const struct stats *st, enum tkind kind, enum stats_secid sec,
    struct tspec *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->kind = kind;
	ts->sec = sec;
	ts->coff = st->sec[sec].coff;
	ts->ncnt = st->sec[sec].ncnt;
	ts->moff = st->sec[sec].moff;
	ts->nmoney = st->sec[sec].nmoney;
}

int
stats_field_table(const struct stats *st, const struct stats_query *q,
    const struct field *f, struct stats_table *out, struct lf_error *err)
{
	struct tspec ts;

	memset(out, 0, sizeof(*out));
	if (kept_col(st, f) == NULL)
		return bad(err, f == NULL ? "field" : f->code,
		    "无此统计项", "no statistics for this item");
	spec_sec(st, TK_FIELD, SS_FIELDS, &ts);
	ts.k = (size_t)st->col_of[f->index];
	ts.coff = st->cols[ts.k].coff;
	ts.ncnt = ts.ncols = st->cols[ts.k].ncols + 1;
	return build(st, q, &ts, out, err);
}

int
stats_service_table(const struct stats *st, const struct stats_query *q,
    enum stats_by by, struct stats_table *out, struct lf_error *err)
{
	static const enum stats_secid secs[] = { SS_POLICY, SS_BATCH,
	    SS_DEPT };
	struct tspec ts;

	memset(out, 0, sizeof(*out));
	if ((unsigned)by > STATS_BY_DEPT)
		return bad(err, "by", "分组无效", "bad grouping");
	spec_sec(st, TK_SERVICE, secs[by], &ts);
	ts.ncols = ts.ncnt / 3 * 5;
	return build(st, q, &ts, out, err);
}

int
stats_kpi_table(const struct stats *st, const struct stats_query *q,
    struct stats_table *out, struct lf_error *err)
{
	struct tspec ts;

	spec_sec(st, TK_KPI, SS_KPI, &ts);
	ts.ncols = sizeof(kpi_cols) / sizeof(kpi_cols[0]);
	return build(st, q, &ts, out, err);
}

int
stats_need_table(const struct stats *st, const struct stats_query *q,
    struct stats_table *out, struct lf_error *err)
{
	struct tspec ts;

	spec_sec(st, TK_NEED, SS_NEED, &ts);
	ts.ncols = ts.ncnt / 3 * 4;
	return build(st, q, &ts, out, err);
}

int
stats_filter_bit(const struct stats *st, const struct field *f, int code)
{
	const struct stats_col *c = kept_col(st, f);
	const struct field_option *o;
	struct qfilter qf;

	if (c == NULL || code < 0)
		return -1;
	if (c->kind == SK_ENUM && !c->codebits) {
		o = field_option(f, code);
		if (o == NULL || o - f->options >= 64)
			return -1;
		return (int)(o - f->options);
	}
	memset(&qf, 0, sizeof(qf));
	if (code >= 64 || compile_bits(c, (uint64_t)1 << code, &qf) != 0)
		return -1;
	return code;
}

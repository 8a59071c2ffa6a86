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
 * totals use. Item tables asked together share one scan: the persons
 * passing the filters are found once, then each item's column is read.
 */
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "plan/plan.h"
#include "stats/stats_int.h"

#define CHUNK	512		/* persons per filter pass */
#define AHEAD	8		/* persons whose items are fetched ahead */
#define PF_VILLAGES 4		/* villages whose data is fetched ahead */

static int
bad(struct lf_error *err, const char *field, const char *zh, const char *en)
{
	return lf_error_set(err, "invalid", field, "统计: %s (stats: %s)",
	    zh, en);
}

/* ---- scanning ---------------------------------------------------- */

/* What a scan needs: the compiled filters, the items of item tables,
 * a scratch copy of the counter layout and, per item, 256 counts of
 * one-byte codes. */
struct scan {
	struct stats_qfilter	 qf[STATS_MAX_FILTERS];
	size_t			 nqf;
	const size_t		*ks;
	size_t			 nk;
	struct stats_acc	 acc;
	uint32_t		*hist;
	int			 pivot;		/* slices for this filter, -1 */
};

/* The items' codes of persons from .. from + m - 1 passing: the passing
 * ones are listed once, then each item's column is read at them. */
static void
scan_fields(const struct stats *st, const struct stats_vblock *b,
    size_t from, size_t m, const unsigned char *pass, struct scan *sc)
{
	uint32_t at[CHUNK];
	const unsigned char *p;
	uint32_t *h;
	size_t j, i, k, n = 0;

	for (i = 0; i < m; i++) {
		at[n] = (uint32_t)(from + i);
		n += pass[i];
	}
	for (j = 0; j < sc->nk; j++) {
		k = sc->ks[j];
		if (st->cols[k].width > 1) {
			for (i = 0; i < n; i++)
				stats_acc_field(st, k, stats_get(st, b, k,
				    at[i]), &sc->acc, 1, 1);
			continue;
		}
		p = stats_colp(b, st->cols[k].pos);
		h = sc->hist + 256 * j;
		for (i = 0; i < n; i++)
			h[p[at[i]]]++;
	}
}

/* Adds the persons of block b passing the filters to acc: for a table
 * of items, the items ks[0..nk) (one-byte codes counted into hist, 256
 * per item); else the table's section. */
static void
scan_block(const struct stats *st, const struct stats_vblock *b,
    const struct stats_tspec *ts, struct scan *sc)
{
	unsigned char pass[CHUNK];
	unsigned want = STATS_ACTIVE;
	size_t from, m, i;

	if (ts->kind == STK_FIELD)
		want |= STATS_F_SURVEY;
	for (from = 0; from < b->n; from += m) {
		m = b->n - from < CHUNK ? b->n - from : CHUNK;
		stats_filter_pass(st, b, from, m, sc->qf, sc->nqf, want,
		    pass);
		if (ts->kind == STK_FIELD) {
			scan_fields(st, b, from, m, pass, sc);
			continue;
		}
		for (i = 0; i < m; i++) {
			if (i + AHEAD < m && pass[i + AHEAD])
				__builtin_prefetch(stats_items_of(st, b,
				    from + i + AHEAD));
			if (pass[i])
				stats_acc_person(st, b, from + i, &sc->acc, 1,
				    1, SS_BIT(ts->sec));
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
    const struct stats_tspec *ts, const struct scan *sc)
{
	size_t j;

	if (b->n == 0)
		return;
	prefetch_col(b, st->pos_flags, 1);
	for (j = 0; j < sc->nqf; j++)
		prefetch_col(b, sc->qf[j].pos, sc->qf[j].width);
	if (ts->kind == STK_FIELD)
		prefetch_col(b, st->cols[sc->ks[0]].pos,
		    st->cols[sc->ks[0]].width);
	else
		prefetch_col(b, st->pos_items, sizeof(uint32_t));
	if (ts->kind == STK_NEED)
		prefetch_col(b, st->pos_yes, 8 * st->nw);
}

/* Counts region r into sc->acc by scanning its villages. */
static void
scan_region(const struct stats *st, int r, const struct stats_tspec *ts,
    struct scan *sc)
{
	int32_t v;
	size_t i, j;

	memset(sc->acc.cnt, 0, st->ncnt * sizeof(int32_t));
	memset(sc->acc.money, 0, st->nmoney * sizeof(int64_t));
	memset(sc->hist, 0, sc->nk * 256 * sizeof(uint32_t));
	for (v = st->vlo[r]; v < st->vhi[r]; v++) {
		if (v + PF_VILLAGES < st->vhi[r])
			prefetch_block(st, &st->vb[v + PF_VILLAGES], ts, sc);
		if (st->vb[v].n > 0)
			scan_block(st, &st->vb[v], ts, sc);
	}
	for (j = 0; j < sc->nk; j++)
		for (i = 0; i < 256; i++)
			if (sc->hist[256 * j + i] != 0)
				stats_acc_field(st, sc->ks[j], i, &sc->acc, 1,
				    (int32_t)sc->hist[256 * j + i]);
}

/* The raw counters of ts in a counter layout. */
static void
raw_of(const struct stats_tspec *ts, const int32_t *cnt,
    const int64_t *money, int64_t *raw)
{
	size_t i;

	for (i = 0; i < ts->ncnt; i++)
		raw[i] = cnt[ts->coff + i];
	for (i = 0; i < ts->nmoney; i++)
		raw[ts->ncnt + i] = money[ts->moff + i];
}

/* ---- final columns ----------------------------------------------- */

static int64_t
bp(int64_t a, int64_t b)
{
	return b > 0 ? a * 10000 / b : 0;
}

/* The overdue items: the committed unfinished ones (by planned month)
 * before plan/plan.h's cut-off month. */
static int64_t
overdue(const struct stats *st, int today, const int64_t *notdone)
{
	int y, m, d, i, before;
	int64_t n = 0;

	date_to_ymd(today, &y, &m, &d);
	before = plan_overdue_before(st->year, y, m);
	for (i = 1; i < before; i++)
		n += notdone[i - 1];
	return n;
}

static void
finish_row(const struct stats *st, const struct stats_tspec *ts, int today,
    const int64_t *raw, int64_t *v)
{
	size_t g, ng;

	switch (ts->kind) {
	case STK_FIELD:
		memcpy(v, raw, ts->ncols * sizeof(*v));
		break;
	case STK_KPI:
		v[0] = raw[SKPI_REG];
		v[1] = raw[SKPI_VALID];
		v[2] = raw[SKPI_SURV];
		v[3] = bp(v[2], v[0]);
		v[4] = raw[SKPI_COVERED];
		v[5] = bp(v[4], v[1]);
		v[6] = raw[SKPI_ITEMS];
		v[7] = raw[SKPI_DONE];
		v[8] = bp(v[7], raw[SKPI_COMMITTED]);
		v[9] = overdue(st, today, raw + SKPI_NOTDONE);
		v[10] = raw[SKPI_DRAFT];
		v[11] = raw[SKPI_CONFIRMED];
		v[12] = raw[SKPI_OPEN];
		v[13] = raw[SKPI_COMMITTED];
		v[14] = raw[ts->ncnt + SKPIM_PLANNED];
		v[15] = raw[ts->ncnt + SKPIM_SPENT];
		v[16] = v[17] = 0;	/* targets: stats_kpi_table() */
		break;
	case STK_SERVICE:
		for (g = 0, ng = ts->ncnt / 3; g < ng; g++) {
			memcpy(v + 5 * g, raw + 3 * g, 3 * sizeof(*v));
			v[5 * g + 3] = raw[ts->ncnt + 2 * g];
			v[5 * g + 4] = raw[ts->ncnt + 2 * g + 1];
		}
		break;
	case STK_NEED:
		for (g = 0, ng = ts->ncnt / 3; g < ng; g++) {
			memcpy(v + 4 * g, raw + 3 * g, 3 * sizeof(*v));
			v[4 * g + 3] = raw[3 * g] - raw[3 * g + 1];
		}
		break;
	}
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
scratch_new(const struct stats *st, struct scan *sc)
{
	sc->acc.cnt = mem_alloc(st->ncnt * sizeof(int32_t) + 4);
	sc->acc.money = mem_alloc(st->nmoney * sizeof(int64_t) + 8);
	sc->hist = mem_alloc(sc->nk * 256 * sizeof(uint32_t) + 4);
	return sc->acc.cnt == NULL || sc->acc.money == NULL ||
	    sc->hist == NULL ? -1 : 0;
}

/* Raw counters of every table and row: from the children's totals or by
 * one scan per row for all the tables. Row 0 sums the others. */
static void
fill_raw(const struct stats *st, const struct stats_tspec *ts, size_t n,
    struct scan *sc, const struct stats_table *out, size_t maxraw,
    int64_t *raw)
{
	const struct stats_tot *t;
	size_t nrows = out[0].nrows, r, i, c;
	int64_t *rw;
	int reg;

	for (r = 1; r < nrows; r++) {
		reg = (int)(out[0].rows[r].region - st->rs->v);
		t = st->tot[reg];
		if (sc->acc.cnt != NULL && sc->pivot >= 0 &&
		    stats_slice_covers(st, reg))
			stats_slice_region(st, reg, sc->pivot, &sc->qf[0],
			    &sc->acc);
		else if (sc->acc.cnt != NULL)
			scan_region(st, reg, &ts[0], sc);
		for (i = 0; i < n; i++) {
			rw = raw + (i * nrows + r) * maxraw;
			if (sc->acc.cnt != NULL)
				raw_of(&ts[i], sc->acc.cnt, sc->acc.money, rw);
			else if (t != NULL)
				raw_of(&ts[i], t->cnt, t->money, rw);
			for (c = 0; c < maxraw; c++)
				raw[i * nrows * maxraw + c] += rw[c];
		}
	}
}

/* Tables ts[0..n) of q into out[0..n) (ks: the items of item tables,
 * else NULL). On error every out[i] is zeroed. */
static int
build(const struct stats *st, const struct stats_query *q,
    const struct stats_tspec *ts, size_t n, const size_t *ks,
    struct stats_table *out, struct lf_error *err)
{
	struct scan sc;
	int64_t *raw = NULL;
	size_t nrows, maxraw = 1, i, r;
	int rc = -1;

	memset(&sc, 0, sizeof(sc));
	memset(out, 0, n * sizeof(*out));
	if (stats_filter_query(st, q, sc.qf, err) != 0)
		return -1;
	sc.nqf = q->nfilters;
	sc.pivot = stats_slice_pivot(st, sc.nqf, sc.qf);
	sc.ks = ks;
	sc.nk = ks != NULL ? n : 0;
	nrows = 1 + (q->in->level == RL_VILLAGE ? 1 :
	    (size_t)q->in->nchildren);
	for (i = 0; i < n; i++) {
		if (ts[i].ncnt + ts[i].nmoney > maxraw)
			maxraw = ts[i].ncnt + ts[i].nmoney;
		if (stats_names_alloc(st, &ts[i], nrows, &out[i]) != 0)
			goto fail;
		fill_regions(st, q->in, &out[i]);
	}
	raw = mem_calloc(n * nrows * maxraw + 1, sizeof(*raw));
	if (raw == NULL || ((q->nfilters > 0 ||
	    q->in->level >= RL_TOWNSHIP) && scratch_new(st, &sc) != 0))
		goto fail;
	fill_raw(st, ts, n, &sc, out, maxraw, raw);
	for (i = 0; i < n; i++)
		for (r = 0; r < nrows; r++)
			finish_row(st, &ts[i], q->today, raw + (i * nrows +
			    r) * maxraw, out[i].rows[r].v);
	rc = 0;
	goto out;
fail:
	lf_error_nomem(err);
	for (i = 0; i < n; i++)
		stats_table_free(&out[i]);
out:
	mem_free(sc.acc.cnt);
	mem_free(sc.acc.money);
	mem_free(sc.hist);
	mem_free(raw);
	return rc;
}

static void
spec_sec(const struct stats *st, enum stats_tkind kind, enum stats_secid sec,
    struct stats_tspec *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->kind = kind;
	ts->sec = sec;
	ts->coff = st->sec[sec].coff;
	ts->ncnt = st->sec[sec].ncnt;
	ts->moff = st->sec[sec].moff;
	ts->nmoney = st->sec[sec].nmoney;
}

/* The specs of item tables for fs[0..n) into ts and ks. */
static int
field_specs(const struct stats *st, const struct field *const *fs,
    size_t n, struct stats_tspec *ts, size_t *ks, struct lf_error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (stats_filter_field(st, fs[i]) == NULL)
			return bad(err, fs[i] == NULL ? "field" : fs[i]->code,
			    "无此统计项", "no statistics for this item");
		ks[i] = (size_t)st->col_of[fs[i]->index];
		spec_sec(st, STK_FIELD, SS_FIELDS, &ts[i]);
		ts[i].k = ks[i];
		ts[i].coff = st->cols[ks[i]].coff;
		ts[i].ncnt = ts[i].ncols = st->cols[ks[i]].ncols + 1;
	}
	return 0;
}

int
stats_field_tables(const struct stats *st, const struct stats_query *q,
    const struct field *const *fs, size_t n, struct stats_table *out,
    struct lf_error *err)
{
	struct stats_tspec *ts;
	size_t *ks;
	int rc = -1;

	memset(out, 0, n * sizeof(*out));
	if (n == 0)
		return 0;
	ts = mem_alloc(n * sizeof(*ts));
	ks = mem_alloc(n * sizeof(*ks));
	if (ts == NULL || ks == NULL)
		lf_error_nomem(err);
	else if (field_specs(st, fs, n, ts, ks, err) == 0)
		rc = build(st, q, ts, n, ks, out, err);
	mem_free(ts);
	mem_free(ks);
	return rc;
}

int
stats_field_table(const struct stats *st, const struct stats_query *q,
    const struct field *f, struct stats_table *out, struct lf_error *err)
{
	return stats_field_tables(st, q, &f, 1, out, err);
}

int
stats_service_table(const struct stats *st, const struct stats_query *q,
    enum stats_by by, struct stats_table *out, struct lf_error *err)
{
	static const enum stats_secid secs[] = { SS_POLICY, SS_BATCH,
	    SS_DEPT };
	struct stats_tspec ts;

	memset(out, 0, sizeof(*out));
	if ((unsigned)by > STATS_BY_DEPT)
		return bad(err, "by", "分组无效", "bad grouping");
	spec_sec(st, STK_SERVICE, secs[by], &ts);
	ts.ncols = ts.ncnt / 3 * 5;
	return build(st, q, &ts, 1, NULL, out, err);
}

int
stats_kpi_table(const struct stats *st, const struct stats_query *q,
    struct stats_table *out, struct lf_error *err)
{
	struct stats_tspec ts;

	spec_sec(st, STK_KPI, SS_KPI, &ts);
	ts.ncols = STATS_KPI_NCOLS;
	return build(st, q, &ts, 1, NULL, out, err);
}

void
stats_kpi_targets(struct stats_table *kpi, const struct targets *tg,
    int year)
{
	size_t i;
	int64_t *v;

	if (kpi->ncols != STATS_KPI_NCOLS)
		return;
	for (i = 0; i < kpi->nrows; i++) {
		v = kpi->rows[i].v;
		v[16] = targets_get(tg, kpi->rows[i].region->code, year);
		v[17] = bp(v[0], v[16]);
	}
}

int
stats_need_table(const struct stats *st, const struct stats_query *q,
    struct stats_table *out, struct lf_error *err)
{
	struct stats_tspec ts;

	spec_sec(st, STK_NEED, SS_NEED, &ts);
	ts.ncols = ts.ncnt / 3 * 4;
	return build(st, q, &ts, 1, NULL, out, err);
}

/*
 * test_stats.c - core/stats: the statistics engine against a naive
 * recomputation.
 *
 * A population of 3,000 synthetic persons of 彭州市 (510182) and 1,000
 * of 广汉市 (510681), year 2025, some moved out, deceased or without a
 * survey, each with hand-made service items (rejected, done, without
 * policy or department, funds beyond 32 bits), is kept both in the
 * engine and in a plain array here. Every table (every catalog item,
 * service by policy, batch and department, KPI, need) for the province,
 * a city, a county, a township and a village, unfiltered and with
 * filters, must equal the same table counted by a plain loop over the
 * array. Then persons change (values, status, village, survey removed,
 * items replaced, removed and added back) and the totals must move by
 * exactly that. Errors, filter bits, bands, allocation failures and the
 * release of memory are checked; a catalog of its own covers what the
 * real one lacks (multi items of 2, 4 and 8 bytes, enums filtered by
 * option index, int, money and date bands, more than 64 policies). A
 * timing of province tables over 200k persons is printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/catalog.h"
#include "lib/date.h"
#include "core/dept.h"
#include "lib/mem.h"
#include "plan/planner.h"
#include "core/policy.h"
#include "core/record.h"
#include "core/region.h"
#include "stats/stats.h"
#include "synth/synth.h"
#include "testutil.h"

#define YEAR		2025
#define NA		3000		/* persons of 510182 */
#define NB		1000		/* persons of 510681 */
#define NPOP		(NA + NB)
#define MAXIT		6
#define NROWS(a)	(sizeof(a) / sizeof((a)[0]))
#define BIG_FUNDS	(INT64_C(1) << 40)

struct person {
	int64_t			 id;
	char			 village[13];
	int			 status;
	struct record		*survey;	/* NULL: none */
	int			 plan;
	struct stats_item	 items[MAXIT];
	int			 needs[MAXIT][2];
	size_t			 nitems;
	int			 held;
};

static const struct catalog	*cat;
static const struct regions	*rs;
static struct policies		*ps;
static struct stats		*st;
static struct person		 pop[NPOP];
static int			 today;
static int			*need_fields;
static size_t			 nneed;

/* ---- helpers ------------------------------------------------------- */

static const struct field *
field(const char *code)
{
	const struct field *f = catalog_find(cat, code, strlen(code));

	if (f == NULL)
		fail_msg("catalog lacks %s", code);
	return f;
}

static const struct region *
region(const char *code)
{
	const struct region *r = regions_find(rs, code);

	if (r == NULL)
		fail_msg("no region %s", code);
	return r;
}

static int64_t
code12(const char *village)
{
	return strtoll(village, NULL, 10);
}

/* A well-mixed number from (k, j, v, salt). */
static size_t
mix(size_t k, size_t j, size_t v, size_t salt)
{
	uint64_t x = (uint64_t)k * 0x9e3779b97f4a7c15u ^ (uint64_t)j << 20 ^
	    (uint64_t)v << 40 ^ (uint64_t)salt << 56;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9u;
	x ^= x >> 29;
	return (size_t)(x >> 8);
}

/* Deterministic hand-made items of person k (variant v). */
static void
make_items(struct person *p, size_t k, size_t v)
{
	size_t j, n = mix(k, 0, v, 0) % MAXIT, ny = 0;
	int yes[8];

	for (j = 0; j < nneed && p->survey != NULL && ny < 8; j++)
		if (planner_need_yes(cat, p->survey, need_fields[j]))
			yes[ny++] = need_fields[j];
	p->nitems = n;
	p->plan = (int)(mix(k, 0, v, 1) % 4);
	for (j = 0; j < n; j++) {
		struct stats_item *it = &p->items[j];

		memset(it, 0, sizeof(*it));
		it->policy = (int)(mix(k, j, v, 2) % (ps->n + 1)) - 1;
		it->dept = (int)(mix(k, j, v, 3) % (dept_count() + 1)) - 1;
		it->decision = (int)(mix(k, j, v, 4) % 3);
		it->status = 1 + (int)(mix(k, j, v, 5) % 4);
		it->effect = (int)(mix(k, j, v, 6) % 5);
		it->month = 1 + (int)(mix(k, j, v, 7) % 12);
		it->planned = (int64_t)(mix(k, j, v, 8) % 100000);
		it->spent = it->planned / 2;
		if (mix(k, j, v, 9) % 101 == 5)
			it->planned = BIG_FUNDS + (int64_t)k;
		p->needs[j][0] = need_fields[mix(k, j, v, 10) % nneed];
		p->needs[j][1] = ny > 0 ? yes[mix(k, j, v, 11) % ny] :
		    need_fields[0];
		it->needs = p->needs[j];
		it->nneeds = 1 + mix(k, j, v, 12) % 2;
	}
}

static void
engine_put(struct person *p)
{
	struct lf_error err;

	if (stats_person_set(st, p->id, p->village, p->status, p->survey,
	    &err) != 0)
		fail_msg("person_set %lld: %s", (long long)p->id, err.message);
	if (stats_items_set(st, p->id, p->plan, p->items, p->nitems,
	    &err) != 0)
		fail_msg("items_set %lld: %s", (long long)p->id, err.message);
	p->held = 1;
}

static void
make_population(void)
{
	struct synth *sy;
	struct lf_error err;
	char v[32];
	size_t k, i;

	for (k = 0; k < NPOP; k++) {
		struct person *p = &pop[k];
		int half = k >= NA;

		if (k == 0 || k == NA) {
			if (k > 0)
				synth_free(sy);
			if (synth_new(cat, rs, region(half ? "510681" :
			    "510182"), 7, today, &sy, &err) != 0 ||
			    synth_set_first_year(sy, YEAR, &err) != 0)
				fail_msg("synth: %s", err.message);
		}
		p->survey = record_new(cat);
		assert_non_null(p->survey);
		if (synth_person(sy, half ? k - NA : k, YEAR, p->survey,
		    &err) != 0)
			fail_msg("synth_person: %s", err.message);
		snprintf(v, sizeof(v), "%012lld", (long long)p->survey->num[
		    field("hukou_region")->index]);
		memcpy(p->village, v, 13);
		p->id = (int64_t)k + 1;
		p->status = k % 17 == 3 ? 2 : k % 29 == 4 ? 3 : 1;
		if (k % 23 == 6) {
			record_free(p->survey);
			p->survey = NULL;
		}
		make_items(p, k, 0);
	}
	synth_free(sy);
	/* into the engine in an order unrelated to villages or ids */
	for (i = 0; i < NPOP; i++)
		engine_put(&pop[(i * 2477) % NPOP]);
}

static int
setup(void **state)
{
	struct lf_error err;
	size_t i;

	(void)state;
	cat = tu_catalog();
	rs = tu_regions();
	today = tu_days("2025-12-31");
	if (policies_load_embedded(cat, &ps, &err) != 0)
		fail_msg("%s", err.message);
	need_fields = calloc(cat->nfields, sizeof(int));
	assert_non_null(need_fields);
	for (i = 0; i < cat->nfields; i++)
		if (cat->fields[i].section == SEC_NEED)
			need_fields[nneed++] = (int)i;
	st = stats_new(cat, rs, ps, YEAR);
	assert_non_null(st);
	make_population();
	return 0;
}

static int
teardown(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < NPOP; k++)
		record_free(pop[k].survey);
	stats_free(st);
	policies_free(ps);
	free(need_fields);
	tu_env_free();
	return 0;
}

/* ---- the naive count --------------------------------------------- */

enum kind { K_FIELD, K_POLICY, K_BATCH, K_DEPT, K_KPI, K_NEED };

struct want {
	enum kind		 kind;
	const struct field	*f;
	const struct stats_filter *flt;
	size_t			 nflt;
	int			 today;
};

static int
all_codes_small(const struct field *f)
{
	size_t i;

	for (i = 0; i < f->noptions; i++)
		if (f->options[i].code > 63)
			return 0;
	return 1;
}

static int
option_index(const struct field *f, int64_t code)
{
	size_t i;

	for (i = 0; i < f->noptions; i++)
		if (f->options[i].code == code)
			return (int)i;
	fail_msg("%s: no option %lld", f->code, (long long)code);
	return -1;
}

/* The band of value v of banded item f, counted here. */
static int
naive_band(const struct field *f, int64_t v)
{
	static const int ages[] = { 0, 7, 15, 18, 45, 60, 80 };
	const struct stats_band *b;
	int july1, y, m, d, i;
	size_t n;

	assert_int_equal(date_from_ymd(YEAR, 7, 1, &july1), 0);
	if (strcmp(f->code, "birth_date") == 0) {
		int age = date_age((int)v, july1);

		for (i = 6; i > 0; i--)
			if (age >= ages[i])
				return i;
		return 0;
	}
	b = stats_bands(st, f, &n);
	assert_true(n > 0);
	if (f->type == FT_DATE) {
		date_to_ymd((int)v, &y, &m, &d);
		v = y;
	}
	for (i = (int)n - 1; i > 0; i--)
		if (v >= b[i].lo)
			return i;
	return 0;
}

static int
banded(const struct field *f)
{
	return f->type == FT_INT || f->type == FT_MONEY ||
	    f->type == FT_DECIMAL || f->type == FT_DATE;
}

/* Filter bit of a set value (not multi). */
static int
naive_bit(const struct field *f, int64_t v)
{
	if (f->type == FT_ENUM)
		return all_codes_small(f) ? (int)v : option_index(f, v);
	if (f->type == FT_BOOL)
		return (int)v;
	if (banded(f))
		return naive_band(f, v);
	return 0;
}

static int
naive_pass(const struct person *p, const struct want *w)
{
	const struct stats_filter *fl;
	size_t i;
	int64_t v;

	if (p->status != 1)
		return 0;
	for (i = 0; i < w->nflt; i++) {
		fl = &w->flt[i];
		if (p->survey == NULL || !p->survey->set[fl->f->index])
			return 0;
		v = p->survey->num[fl->f->index];
		if (fl->f->type == FT_MULTI) {
			if (((uint64_t)v & fl->codes) == 0)
				return 0;
		} else if (!((fl->codes >> naive_bit(fl->f, v)) & 1))
			return 0;
	}
	return 1;
}

static size_t
naive_ncols(const struct want *w)
{
	const struct field *f = w->f;
	size_t n;

	switch (w->kind) {
	case K_FIELD:
		if (f->type == FT_ENUM || f->type == FT_MULTI)
			return f->noptions + 1;
		if (f->type == FT_BOOL)
			return 3;
		if (banded(f)) {
			stats_bands(st, f, &n);
			return n + 1;
		}
		return 2;
	case K_POLICY:
		return 5 * ps->n;
	case K_BATCH:
		return 5 * NBATCHES;
	case K_DEPT:
		return 5 * dept_count();
	case K_KPI:
		return 18;	/* the two target columns are 0: no targets */
	default:
		return 4 * nneed;
	}
}

static void
add_field(const struct person *p, const struct want *w, int64_t *row)
{
	const struct field *f = w->f;
	size_t nc = naive_ncols(w), i;
	int64_t v;

	if (p->survey == NULL)
		return;
	if (!p->survey->set[f->index]) {
		row[nc - 1]++;
		return;
	}
	v = p->survey->num[f->index];
	if (f->type == FT_ENUM)
		row[option_index(f, v)]++;
	else if (f->type == FT_MULTI) {
		for (i = 0; i < f->noptions; i++)
			if ((uint64_t)v & ((uint64_t)1 << f->options[i].code))
				row[i]++;
	} else
		row[naive_bit(f, v)]++;
}

static int
group(const struct stats_item *it, enum kind k)
{
	if (k == K_POLICY)
		return it->policy;
	if (k == K_BATCH)
		return it->policy < 0 ? BATCH_NONE :
		    (int)ps->v[it->policy].batch;
	return it->dept;
}

static void
add_service(const struct person *p, enum kind k, int64_t *row)
{
	int seen[64] = { 0 };
	size_t j;
	int g;

	for (j = 0; j < p->nitems; j++) {
		const struct stats_item *it = &p->items[j];

		g = group(it, k);
		if (it->decision == 2 || g < 0)
			continue;
		assert_true(g < 64);
		if (!seen[g])
			row[5 * g]++;
		seen[g] = 1;
		row[5 * g + 1]++;
		row[5 * g + 2] += it->status == 3;
		row[5 * g + 3] += it->planned;
		row[5 * g + 4] += it->spent;
	}
}

/* KPI raw: registered, valid, surveyed, covered, items, done, overdue,
 * draft plans, confirmed plans, open proposals, committed items, their
 * planned and spent funds (stats.h). */
#define NRAW	16
static void
add_kpi(const struct person *p, int day, int64_t *raw)
{
	const struct field *cs = field("card_status");
	int y, m, d, firm = p->plan == 2 || p->plan == 3;
	size_t j;

	date_to_ymd(day, &y, &m, &d);
	raw[0]++;
	raw[7] += p->plan == 1;
	raw[8] += firm;
	if (p->survey != NULL) {
		raw[2]++;
		if (p->survey->set[cs->index] &&
		    p->survey->num[cs->index] == 1) {
			raw[1]++;
			raw[3] += firm;
		}
	}
	for (j = 0; j < p->nitems; j++) {
		const struct stats_item *it = &p->items[j];

		if (it->decision == 2)
			continue;
		raw[4]++;
		raw[9] += it->decision == 0;
		if (it->decision != 1 || !firm)
			continue;
		raw[10]++;
		raw[11] += it->planned;
		raw[12] += it->spent;
		raw[5] += it->status == 3;
		raw[6] += it->status != 3 && it->status != 4 && (y > YEAR ||
		    (y == YEAR && it->month < m));
	}
}

static int
meets(const struct person *p, int f, int done)
{
	size_t j, l;

	for (j = 0; j < p->nitems; j++) {
		const struct stats_item *it = &p->items[j];

		if (it->decision == 2 || (done && it->status != 3))
			continue;
		for (l = 0; l < it->nneeds; l++)
			if (it->needs[l] == f)
				return 1;
	}
	return 0;
}

static void
add_need(const struct person *p, int64_t *row)
{
	size_t j;

	for (j = 0; j < nneed && p->survey != NULL; j++) {
		if (!planner_need_yes(cat, p->survey, need_fields[j]))
			continue;
		row[4 * j]++;
		row[4 * j + 1] += meets(p, need_fields[j], 0);
		row[4 * j + 2] += meets(p, need_fields[j], 1);
	}
}

static int64_t
rate(int64_t a, int64_t b)
{
	return b > 0 ? a * 10000 / b : 0;
}

static void
finish(const struct want *w, int64_t *row, const int64_t *raw)
{
	size_t j;

	if (w->kind == K_KPI) {
		row[0] = raw[0];
		row[1] = raw[1];
		row[2] = raw[2];
		row[3] = rate(raw[2], raw[0]);
		row[4] = raw[3];
		row[5] = rate(raw[3], raw[1]);
		row[6] = raw[4];
		row[7] = raw[5];
		row[8] = rate(raw[5], raw[10]);
		row[9] = raw[6];
		row[10] = raw[7];
		row[11] = raw[8];
		row[12] = raw[9];
		row[13] = raw[10];
		row[14] = raw[11];
		row[15] = raw[12];
	}
	if (w->kind == K_NEED)
		for (j = 0; j < nneed; j++)
			row[4 * j + 3] = row[4 * j] - row[4 * j + 1];
}

/* The row of table t a village falls in, -1 when outside R. */
static size_t
row_of(const struct stats_table *t, int64_t v12)
{
	size_t r;

	if (!region_contains(t->rows[0].region, v12))
		return (size_t)-1;
	for (r = 1; r < t->nrows; r++)
		if (region_contains(t->rows[r].region, v12))
			return r;
	fail_msg("village %lld in no row", (long long)v12);
	return (size_t)-1;
}

static void
check_rows(const struct region *in, const struct stats_table *t)
{
	size_t r = 1;
	int c;

	assert_ptr_equal(t->rows[0].region, in);
	if (in->level == RL_VILLAGE) {
		assert_int_equal(t->nrows, 2);
		assert_ptr_equal(t->rows[1].region, in);
		return;
	}
	assert_int_equal(t->nrows, 1 + (size_t)in->nchildren);
	for (c = in->first_child; c >= 0; c = rs->v[c].next_sibling)
		assert_ptr_equal(t->rows[r++].region, &rs->v[c]);
}

/* Compares table t for R with the naive count. */
static void
compare(const struct region *in, const struct want *w,
    const struct stats_table *t, const char *what)
{
	size_t nc = naive_ncols(w), r, c, k;
	int64_t *exp, *raw;

	check_rows(in, t);
	assert_int_equal(t->ncols, nc);
	exp = calloc(t->nrows * nc, sizeof(*exp));
	raw = calloc(t->nrows * NRAW, sizeof(*raw));
	assert_true(exp != NULL && raw != NULL);
	for (k = 0; k < NPOP; k++) {
		const struct person *p = &pop[k];

		r = p->held ? row_of(t, code12(p->village)) : (size_t)-1;
		if (r == (size_t)-1 || !naive_pass(p, w))
			continue;
		switch (w->kind) {
		case K_FIELD:
			add_field(p, w, exp + r * nc);
			break;
		case K_KPI:
			add_kpi(p, w->today, raw + r * NRAW);
			break;
		case K_NEED:
			add_need(p, exp + r * nc);
			break;
		default:
			add_service(p, w->kind, exp + r * nc);
		}
	}
	for (r = 1; r < t->nrows; r++) {
		for (c = 0; c < nc; c++)
			exp[c] += exp[r * nc + c];
		for (c = 0; c < NRAW; c++)
			raw[c] += raw[r * NRAW + c];
	}
	for (r = 0; r < t->nrows; r++) {
		finish(w, exp + r * nc, raw + r * NRAW);
		for (c = 0; c < nc; c++)
			if (t->rows[r].v[c] != exp[r * nc + c])
				fail_msg("%s in %s, row %s, column %s: got "
				    "%lld, want %lld", what, in->code,
				    t->rows[r].region->code, t->col_code[c],
				    (long long)t->rows[r].v[c],
				    (long long)exp[r * nc + c]);
	}
	free(exp);
	free(raw);
}

static void
table(const struct want *w, struct stats_query *q, struct stats_table *t)
{
	struct lf_error err;
	int rc;

	switch (w->kind) {
	case K_FIELD:
		rc = stats_field_table(st, q, w->f, t, &err);
		break;
	case K_POLICY:
		rc = stats_service_table(st, q, STATS_BY_POLICY, t, &err);
		break;
	case K_BATCH:
		rc = stats_service_table(st, q, STATS_BY_BATCH, t, &err);
		break;
	case K_DEPT:
		rc = stats_service_table(st, q, STATS_BY_DEPT, t, &err);
		break;
	case K_KPI:
		rc = stats_kpi_table(st, q, t, &err);
		break;
	default:
		rc = stats_need_table(st, q, t, &err);
	}
	if (rc != 0)
		fail_msg("table: %s", err.message);
}

static void
check(const struct region *in, const struct want *w, const char *what)
{
	struct stats_query q = { in, w->flt, w->nflt, w->today };
	struct stats_table t;

	table(w, &q, &t);
	compare(in, w, &t, what);
	stats_table_free(&t);
}

/* ---- filter sets and regions --------------------------------------- */

static struct stats_filter fsets[6][2];
static size_t nfsets[6];

static uint64_t
bits(const char *code, const int *codes, size_t n)
{
	uint64_t m = 0;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		b = stats_filter_bit(st, field(code), codes[i]);
		assert_true(b >= 0);
		m |= (uint64_t)1 << b;
	}
	return m;
}

static void
make_filters(void)
{
	static const int g12[] = { 1, 2 }, c4[] = { 4 }, eth[] = { 1, 7 },
	    ws[] = { 1, 2 }, old[] = { 5 }, f2[] = { 2 };

	fsets[1][0] = (struct stats_filter){ field("disability_grade"),
	    bits("disability_grade", g12, 2) };
	nfsets[1] = 1;
	fsets[2][0] = (struct stats_filter){ field("disability_category"),
	    bits("disability_category", c4, 1) };
	nfsets[2] = 1;
	fsets[3][0] = (struct stats_filter){ field("ethnicity"),
	    bits("ethnicity", eth, 2) };
	nfsets[3] = 1;
	fsets[4][0] = (struct stats_filter){ field("welfare_subsidy_received"),
	    bits("welfare_subsidy_received", ws, 2) };
	nfsets[4] = 1;
	fsets[5][0] = (struct stats_filter){ field("birth_date"),
	    bits("birth_date", old, 1) };
	fsets[5][1] = (struct stats_filter){ field("gender"),
	    bits("gender", f2, 1) };
	nfsets[5] = 2;
}

/* Province, city, county, a township and a village of 510182 with
 * persons. */
static void
regions_under_test(const struct region **out)
{
	const struct region *c = region("510182");
	int t;

	out[0] = region("51");
	out[1] = region("5101");
	out[2] = c;
	out[3] = out[4] = NULL;
	for (t = c->first_child; t >= 0 && out[4] == NULL;
	    t = rs->v[t].next_sibling) {
		const struct region *tw = &rs->v[t];
		size_t k;

		for (k = 0; k < NPOP; k++)
			if (pop[k].held && pop[k].status == 1 &&
			    region_contains(tw, code12(pop[k].village))) {
				out[3] = tw;
				out[4] = region(pop[k].village);
				break;
			}
	}
	assert_non_null(out[4]);
}

/* The kept items of the catalog (static storage); *n set. */
static const struct field *const *
kept_fields(size_t *n)
{
	static const struct field *fs[512];
	size_t i;

	*n = 0;
	for (i = 0; i < cat->nfields && *n < NROWS(fs); i++)
		if (!cat->fields[i].secret)
			fs[(*n)++] = &cat->fields[i];
	return fs;
}

static void
same_table(const struct stats_table *a, const struct stats_table *b)
{
	size_t r, c;

	assert_int_equal(a->ncols, b->ncols);
	assert_int_equal(a->nrows, b->nrows);
	for (c = 0; c < a->ncols; c++) {
		assert_string_equal(a->col_code[c], b->col_code[c]);
		assert_string_equal(a->col_label[c], b->col_label[c]);
	}
	for (r = 0; r < a->nrows; r++) {
		assert_ptr_equal(a->rows[r].region, b->rows[r].region);
		assert_memory_equal(a->rows[r].v, b->rows[r].v,
		    a->ncols * sizeof(int64_t));
	}
}

/* Every item table of R at once against the naive count, and each
 * against its table alone. */
static void
check_items(const struct region *in, struct want *w)
{
	struct stats_query q = { in, w->flt, w->nflt, w->today };
	struct stats_table all[512], one;
	struct lf_error err;
	const struct field *const *fs;
	size_t n, i;

	fs = kept_fields(&n);
	if (stats_field_tables(st, &q, fs, n, all, &err) != 0)
		fail_msg("field_tables: %s", err.message);
	w->kind = K_FIELD;
	for (i = 0; i < n; i++) {
		w->f = fs[i];
		compare(in, w, &all[i], fs[i]->code);
		if (stats_field_table(st, &q, fs[i], &one, &err) != 0)
			fail_msg("field_table: %s", err.message);
		same_table(&all[i], &one);
		stats_table_free(&one);
		stats_table_free(&all[i]);
	}
}

static void
check_all(int fields, size_t every_filter)
{
	static const enum kind kinds[] = { K_POLICY, K_BATCH, K_DEPT, K_KPI,
	    K_NEED };
	const struct region *regs[5];
	struct want w;
	size_t r, s, i;

	make_filters();
	regions_under_test(regs);
	for (r = 0; r < 5; r++)
		for (s = 0; s < 6; s += every_filter) {
			memset(&w, 0, sizeof(w));
			w.flt = fsets[s];
			w.nflt = nfsets[s];
			w.today = today;
			for (i = 0; i < NROWS(kinds); i++) {
				w.kind = kinds[i];
				check(regs[r], &w, "service/kpi/need");
			}
			if (fields)
				check_items(regs[r], &w);
		}
}

static size_t
counted(const struct person *p)
{
	size_t j, n = 0;

	for (j = 0; j < p->nitems; j++)
		n += p->items[j].decision != 2;
	return n;
}

/* Persons and counted items held agree with the model. */
static void
check_size(void)
{
	int64_t persons, items, wp = 0, wi = 0;
	size_t k;

	for (k = 0; k < NPOP; k++)
		if (pop[k].held) {
			wp++;
			wi += (int64_t)counted(&pop[k]);
		}
	stats_size(st, &persons, &items, NULL);
	assert_int_equal(persons, wp);
	assert_int_equal(items, wi);
}

/* ---- tests --------------------------------------------------------- */

static void
test_all_tables(void **state)
{
	int64_t persons, items;
	size_t bytes;

	(void)state;
	stats_size(st, &persons, &items, &bytes);
	assert_int_equal(persons, NPOP);
	assert_true(items > 0);
	check_size();
	check_all(1, 1);
}

/* Column names of each kind. */
static void
test_columns(void **state)
{
	static const struct {
		enum kind	 kind;
		const char	*field;
		size_t		 col;
		const char	*code, *label;
	} rows[] = {
		{ K_FIELD, "disability_grade", 0, "1", "一级" },
		{ K_FIELD, "disability_grade", 4, "empty", "未填" },
		{ K_FIELD, "ethnicity", 0, "01", "汉族" },
		{ K_FIELD, "in_welfare_institution", 1, "1", "是" },
		{ K_FIELD, "birth_date", 6, "6", "80岁及以上" },
		{ K_FIELD, "name", 0, "filled", "已填" },
		{ K_FIELD, "fill_date", 4, "4", "2026年及以后" },
		{ K_KPI, NULL, 0, "registered", "入库人数" },
		{ K_KPI, NULL, 9, "overdue", "逾期项目数" },
		{ K_NEED, NULL, 3, NULL, NULL },
		{ K_BATCH, NULL, 2 * 5 + 1, "SOCIAL_SEC.items", NULL },
		{ K_DEPT, NULL, 0, "civil.persons", "民政·人数" },
	};
	struct stats_query q = { NULL, NULL, 0, 0 };
	struct stats_table t;
	struct want w;
	char want[128];
	size_t i;

	(void)state;
	q.in = region("510182");
	for (i = 0; i < NROWS(rows); i++) {
		memset(&w, 0, sizeof(w));
		w.kind = rows[i].kind;
		w.f = rows[i].field ? field(rows[i].field) : NULL;
		table(&w, &q, &t);
		assert_true(rows[i].col < t.ncols);
		if (rows[i].code == NULL)	/* need: first need's gap */
			snprintf(want, sizeof(want), "%s.gap",
			    cat->fields[need_fields[0]].code);
		else
			snprintf(want, sizeof(want), "%s", rows[i].code);
		assert_string_equal(t.col_code[rows[i].col], want);
		if (rows[i].label != NULL)
			assert_string_equal(t.col_label[rows[i].col],
			    rows[i].label);
		stats_table_free(&t);
	}
}

static void
test_bands(void **state)
{
	static const struct {
		const char	*field;
		size_t		 n;
		size_t		 i;
		int64_t		 lo;
		const char	*label;
	} rows[] = {
		{ "birth_date", 7, 0, 0, "0-6岁" },
		{ "birth_date", 7, 3, 18, "18-44岁" },
		{ "birth_date", 7, 6, 80, "80岁及以上" },
		{ "fill_date", 5, 0, YEAR - 3, "2022年及以前" },
		{ "fill_date", 5, 3, YEAR, "2025年" },
		{ "gps_lat", 5, 0, -90000000, "-90~-54.000001" },
		{ "gps_lat", 5, 4, 54000000, "54~90" },
		{ "name", 0, 0, 0, NULL },
		{ "disability_grade", 0, 0, 0, NULL },
		{ "id_number", 0, 0, 0, NULL },
	};
	const struct stats_band *b;
	size_t i, n;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		b = stats_bands(st, field(rows[i].field), &n);
		assert_int_equal(n, rows[i].n);
		if (n == 0) {
			assert_null(b);
			continue;
		}
		assert_int_equal(b[rows[i].i].lo, rows[i].lo);
		assert_string_equal(b[rows[i].i].label, rows[i].label);
	}
	b = stats_bands(st, NULL, &n);
	assert_null(b);
	assert_int_equal(n, 0);
	assert_int_equal(stats_year(st), YEAR);
}

static void
test_filter_bit(void **state)
{
	static const struct {
		const char	*field;
		int		 code, bit;
	} rows[] = {
		{ "disability_grade", 1, 1 }, { "disability_grade", 4, 4 },
		{ "disability_grade", 0, -1 }, { "disability_grade", 5, -1 },
		{ "contact_relation", 0, 0 }, { "ethnicity", 1, 0 },
		{ "ethnicity", 7, 6 }, { "ethnicity", 98, 57 },
		{ "ethnicity", 60, -1 }, { "marital_status", 10, 0 },
		{ "marital_status", 90, 7 }, { "marital_status", 11, -1 },
		{ "in_welfare_institution", 0, 0 },
		{ "in_welfare_institution", 1, 1 },
		{ "in_welfare_institution", 2, -1 },
		{ "welfare_subsidy_received", 4, 4 },
		{ "welfare_subsidy_received", 0, -1 },
		{ "welfare_subsidy_received", 63, -1 },
		{ "birth_date", 6, 6 }, { "birth_date", 7, -1 },
		{ "name", 0, 0 }, { "name", 1, -1 }, { "hukou_region", 0, 0 },
		{ "id_number", 0, -1 }, { "contact_mobile", 0, -1 },
		{ "disability_grade", -1, -1 }, { "disability_grade", 64, -1 },
	};
	struct field other;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++)
		if (stats_filter_bit(st, field(rows[i].field), rows[i].code) !=
		    rows[i].bit)
			fail_msg("%s %d: want %d", rows[i].field, rows[i].code,
			    rows[i].bit);
	other = *field("gender");
	assert_int_equal(stats_filter_bit(st, &other, 1), -1);
	assert_int_equal(stats_filter_bit(st, NULL, 1), -1);
}

/* ---- errors ---------------------------------------------------------- */

static void
test_person_errors(void **state)
{
	static const struct {
		int64_t		 id;
		const char	*village;
		int		 status;
		const char	*set_field;	/* num forced to value */
		int64_t		 value;
		const char	*field;
	} rows[] = {
		{ 0, "510182100201", 1, NULL, 0, "person_id" },
		{ -5, "510182100201", 1, NULL, 0, "person_id" },
		{ INT64_C(2147483648), "510182100201", 1, NULL, 0,
		    "person_id" },
		{ 9000, "510182100201", 0, NULL, 0, "status" },
		{ 9000, "510182100201", 4, NULL, 0, "status" },
		{ 9000, NULL, 1, NULL, 0, "village" },
		{ 9000, "51", 1, NULL, 0, "village" },
		{ 9000, "510182", 1, NULL, 0, "village" },
		{ 9000, "999999999999", 1, NULL, 0, "village" },
		{ 9000, "5101821002011", 1, NULL, 0, "village" },
		{ 9000, "VILLAGE", 1, "", 0, "survey" },
		{ 9000, "VILLAGE", 1, "disability_grade", 9,
		    "disability_grade" },
		{ 9000, "VILLAGE", 1, "disability_grade", INT64_C(1) << 40,
		    "disability_grade" },
		{ 9000, "VILLAGE", 1, "in_welfare_institution", 2,
		    "in_welfare_institution" },
		{ 9000, "VILLAGE", 1, "welfare_subsidy_received", 1,
		    "welfare_subsidy_received" },
		{ 9000, "VILLAGE", 1, "welfare_subsidy_received",
		    INT64_MIN, "welfare_subsidy_received" },
	};
	static const char other_tsv[] = "section\tcode\tlabel_zh\tlabel_en\t"
	    "type\toptions\trequired\trule\task_if\texclusive\n"
	    "basic\tx\tx\tx\tbool\t\tn\t\t\t\n";
	struct catalog *other = NULL;
	struct record *r = record_new(cat), *ro;
	struct lf_error err;
	int64_t persons, items, p2, i2;
	size_t i;

	(void)state;
	assert_non_null(r);
	assert_int_equal(catalog_parse(other_tsv, strlen(other_tsv), "o.tsv",
	    &other, &err), 0);
	ro = record_new(other);
	assert_non_null(ro);
	stats_size(st, &persons, &items, NULL);
	for (i = 0; i < NROWS(rows); i++) {
		const struct record *sv = NULL;
		const char *v = rows[i].village;

		if (v != NULL && strcmp(v, "VILLAGE") == 0)
			v = pop[0].village;
		if (rows[i].set_field != NULL && rows[i].set_field[0] == '\0')
			sv = ro;
		else if (rows[i].set_field != NULL) {
			record_copy(r, pop[0].survey);
			record_set_num(r, field(rows[i].set_field)->index,
			    rows[i].value);
			sv = r;
		}
		lf_error_clear(&err);
		assert_int_equal(stats_person_set(st, rows[i].id, v,
		    rows[i].status, sv, &err), -1);
		assert_string_equal(err.code, "invalid");
		assert_string_equal(err.field, rows[i].field);
	}
	stats_size(st, &p2, &i2, NULL);
	assert_int_equal(p2, persons);
	assert_int_equal(i2, items);
	stats_person_remove(st, 0);
	stats_person_remove(st, 99999);
	stats_person_remove(st, INT64_MAX);
	record_free(r);
	record_free(ro);
	catalog_free(other);
}

static void
test_items_errors(void **state)
{
	static const struct {
		int64_t		 id;
		int		 plan;
		int		 policy, dept, decision, status, effect, month;
		int64_t		 planned, spent;
		int		 need;		/* -2: gender, -3: NULL list */
		size_t		 n;
		const char	*field;		/* NULL: accepted */
	} rows[] = {
		{ 1, 0, -1, -1, 0, 1, 0, 1, 0, 0, -1, 1, NULL },
		{ 1, 3, 0, 0, 2, 4, 4, 12, (INT64_C(1) << 47) - 1,
		    -(INT64_C(1) << 47) + 1, 0, 1, NULL },
		{ 99999, 0, -1, -1, 0, 1, 0, 1, 0, 0, -1, 1, "person_id" },
		{ 0, 0, -1, -1, 0, 1, 0, 1, 0, 0, -1, 1, "person_id" },
		{ 1, -1, -1, -1, 0, 1, 0, 1, 0, 0, -1, 1, "plan_status" },
		{ 1, 4, -1, -1, 0, 1, 0, 1, 0, 0, -1, 1, "plan_status" },
		{ 1, 0, -1, -1, 0, 1, 0, 1, 0, 0, -1, 100001, "items" },
		{ 1, 0, -2, -1, 0, 1, 0, 1, 0, 0, -1, 1, "policy" },
		{ 1, 0, 9999, -1, 0, 1, 0, 1, 0, 0, -1, 1, "policy" },
		{ 1, 0, -1, -2, 0, 1, 0, 1, 0, 0, -1, 1, "dept" },
		{ 1, 0, -1, 999, 0, 1, 0, 1, 0, 0, -1, 1, "dept" },
		{ 1, 0, -1, -1, -1, 1, 0, 1, 0, 0, -1, 1, "decision" },
		{ 1, 0, -1, -1, 3, 1, 0, 1, 0, 0, -1, 1, "decision" },
		{ 1, 0, -1, -1, 0, 0, 0, 1, 0, 0, -1, 1, "status" },
		{ 1, 0, -1, -1, 0, 5, 0, 1, 0, 0, -1, 1, "status" },
		{ 1, 0, -1, -1, 0, 1, -1, 1, 0, 0, -1, 1, "effect" },
		{ 1, 0, -1, -1, 0, 1, 5, 1, 0, 0, -1, 1, "effect" },
		{ 1, 0, -1, -1, 0, 1, 0, 0, 0, 0, -1, 1, "month" },
		{ 1, 0, -1, -1, 0, 1, 0, 13, 0, 0, -1, 1, "month" },
		{ 1, 0, -1, -1, 0, 1, 0, 1, INT64_C(1) << 47, 0, -1, 1,
		    "planned" },
		{ 1, 0, -1, -1, 0, 1, 0, 1, -(INT64_C(1) << 47), 0, -1, 1,
		    "planned" },
		{ 1, 0, -1, -1, 0, 1, 0, 1, 0, INT64_C(1) << 47, -1, 1,
		    "spent" },
		{ 1, 0, -1, -1, 0, 1, 0, 1, 0, 0, -2, 1, "needs" },
		{ 1, 0, -1, -1, 0, 1, 0, 1, 0, 0, -3, 1, "needs" },
		{ 1, 0, -1, -1, 0, 1, 0, 1, 0, 0, 100000, 1, "needs" },
	};
	struct stats_item it;
	struct lf_error err;
	int need;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		memset(&it, 0, sizeof(it));
		it.policy = rows[i].policy;
		it.dept = rows[i].dept;
		it.decision = rows[i].decision;
		it.status = rows[i].status;
		it.effect = rows[i].effect;
		it.month = rows[i].month;
		it.planned = rows[i].planned;
		it.spent = rows[i].spent;
		need = rows[i].need == -2 ? field("gender")->index :
		    rows[i].need >= 0 && rows[i].need < 100 ?
		    need_fields[rows[i].need] : rows[i].need;
		it.needs = rows[i].need == -3 ? NULL : &need;
		it.nneeds = rows[i].need == -1 ? 0 : 1;
		lf_error_clear(&err);
		if (rows[i].field == NULL) {
			assert_int_equal(stats_items_set(st, rows[i].id,
			    rows[i].plan, &it, rows[i].n, &err), 0);
			continue;
		}
		assert_int_equal(stats_items_set(st, rows[i].id, rows[i].plan,
		    &it, rows[i].n, &err), -1);
		assert_string_equal(err.code, "invalid");
		assert_string_equal(err.field, rows[i].field);
	}
	assert_int_equal(stats_items_set(st, 1, 0, NULL, 1, &err), -1);
	assert_string_equal(err.field, "items");
	/* back to the model's items */
	engine_put(&pop[0]);
	check(region("510182"), &(struct want){ K_KPI, NULL, NULL, 0,
	    today }, "kpi after errors");
}

/* stats_field_tables: a bad item or query anywhere, nothing made. */
static void
batch_errors(const struct region *fake)
{
	static const struct {
		const char	*f1;		/* NULL: f = NULL */
		int		 fake_region;
		const char	*err;
	} rows[] = {
		{ "id_number", 0, "id_number" },
		{ NULL, 0, "field" },
		{ "gender", 1, "region" },
	};
	const struct field *fs[3];
	struct stats_table t3[3];
	struct stats_query q;
	struct lf_error err;
	size_t i, j;

	for (i = 0; i < NROWS(rows); i++) {
		fs[0] = field("gender");
		fs[1] = rows[i].f1 != NULL ? field(rows[i].f1) : NULL;
		fs[2] = field("ethnicity");
		q = (struct stats_query){ rows[i].fake_region ? fake :
		    region("51"), NULL, 0, today };
		assert_int_equal(stats_field_tables(st, &q, fs, 3, t3, &err),
		    -1);
		assert_string_equal(err.code, "invalid");
		assert_string_equal(err.field, rows[i].err);
		for (j = 0; j < 3; j++)
			assert_null(t3[j].cells);
	}
	q = (struct stats_query){ region("51"), NULL, 0, today };
	assert_int_equal(stats_field_tables(st, &q, fs, 0, t3, &err), 0);
}

static void
test_table_errors(void **state)
{
	struct stats_filter fl[STATS_MAX_FILTERS + 1];
	struct stats_query q;
	struct stats_table t;
	struct lf_error err;
	struct region fake;
	struct field other;
	size_t i;
	static const struct {
		const char	*field;		/* NULL: f = NULL */
		uint64_t	 codes;
		size_t		 n;		/* filters */
		const char	*err;
	} rows[] = {
		{ "disability_grade", 0, 1, "disability_grade" },
		{ "disability_grade", 1, 1, "disability_grade" },
		{ "disability_grade", 1u << 5, 1, "disability_grade" },
		{ "disability_grade", UINT64_C(1) << 63, 1,
		    "disability_grade" },
		{ "ethnicity", UINT64_C(1) << 58, 1, "ethnicity" },
		{ "welfare_subsidy_received", 1, 1,
		    "welfare_subsidy_received" },
		{ "birth_date", 1u << 7, 1, "birth_date" },
		{ "name", 2, 1, "name" },
		{ "in_welfare_institution", 4, 1, "in_welfare_institution" },
		{ "id_number", 1, 1, "id_number" },
		{ NULL, 1, 1, "filters" },
		{ "gender", 2, STATS_MAX_FILTERS + 1, "filters" },
	};

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		size_t j;

		for (j = 0; j < rows[i].n; j++) {
			fl[j].f = rows[i].field ? field(rows[i].field) : NULL;
			fl[j].codes = rows[i].codes;
		}
		q = (struct stats_query){ region("51"), fl, rows[i].n, today };
		assert_int_equal(stats_kpi_table(st, &q, &t, &err), -1);
		assert_string_equal(err.code, "invalid");
		assert_string_equal(err.field, rows[i].err);
		assert_null(t.cells);
		stats_table_free(&t);
	}
	q = (struct stats_query){ region("51"), NULL, 1, today };
	assert_int_equal(stats_need_table(st, &q, &t, &err), -1);
	assert_string_equal(err.field, "filters");
	fake = *region("51");
	q = (struct stats_query){ &fake, NULL, 0, today };
	assert_int_equal(stats_need_table(st, &q, &t, &err), -1);
	assert_string_equal(err.field, "region");
	q.in = NULL;
	assert_int_equal(stats_need_table(st, &q, &t, &err), -1);
	assert_string_equal(err.field, "region");
	assert_int_equal(stats_need_table(st, NULL, &t, &err), -1);
	q.in = region("51");
	assert_int_equal(stats_field_table(st, &q, field("id_number"), &t,
	    &err), -1);
	assert_string_equal(err.field, "id_number");
	assert_int_equal(stats_field_table(st, &q, NULL, &t, &err), -1);
	assert_string_equal(err.field, "field");
	other = *field("gender");
	assert_int_equal(stats_field_table(st, &q, &other, &t, &err), -1);
	assert_string_equal(err.field, "gender");
	assert_int_equal(stats_service_table(st, &q, (enum stats_by)3, &t,
	    &err), -1);
	assert_string_equal(err.field, "by");
	stats_table_free(NULL);
	batch_errors(&fake);
}

/* ---- changes ------------------------------------------------------- */

static int64_t
cell(const struct want *w, const char *region_code, const char *col)
{
	struct stats_query q = { region(region_code), w->flt, w->nflt,
	    w->today };
	struct stats_table t;
	int64_t v = INT64_MIN;
	size_t c;

	table(w, &q, &t);
	for (c = 0; c < t.ncols; c++)
		if (strcmp(t.col_code[c], col) == 0)
			v = t.rows[0].v[c];
	stats_table_free(&t);
	if (v == INT64_MIN)
		fail_msg("no column %s", col);
	return v;
}

/* The first active surveyed person of 510182 with `code` = value and
 * items (when items is set). */
static struct person *
find(const char *code, int64_t value, int items)
{
	const struct field *f = field(code);
	size_t k;

	for (k = 0; k < NA; k++) {
		struct person *p = &pop[k];

		if (p->held && p->status == 1 && p->survey != NULL &&
		    region_contains(region("510182"), code12(p->village)) &&
		    p->survey->set[f->index] && p->survey->num[f->index] ==
		    value && (!items || p->nitems >= 2))
			return p;
	}
	fail_msg("nobody with %s = %lld", code, (long long)value);
	return NULL;
}

enum change { CH_VALUE, CH_STATUS, CH_MOVE, CH_NOSURVEY, CH_ITEMS,
	CH_REMOVE, CH_READD };

static void
apply(struct person *p, enum change ch, const char *arg, int64_t v)
{
	switch (ch) {
	case CH_VALUE:
		record_set_num(p->survey, field(arg)->index, v);
		break;
	case CH_STATUS:
		p->status = (int)v;
		break;
	case CH_MOVE:
		memcpy(p->village, arg, 13);
		break;
	case CH_NOSURVEY:
		record_free(p->survey);
		p->survey = NULL;
		break;
	case CH_ITEMS:
		make_items(p, (size_t)(p - pop), (size_t)v);
		break;
	case CH_REMOVE:
		stats_person_remove(st, p->id);
		p->held = 0;
		return;
	case CH_READD:
		break;
	}
	engine_put(p);
}

static void
test_changes(void **state)
{
	static const struct {
		enum change	 ch;
		const char	*who, *who_value;	/* field = value */
		const char	*arg;
		int64_t		 v;
		enum kind	 kind;
		const char	*table_field, *region, *col;
		int64_t		 delta;
	} rows[] = {
		{ CH_VALUE, "disability_grade", "2", "disability_grade", 1,
		    K_FIELD, "disability_grade", "51", "1", 1 },
		{ CH_VALUE, "disability_grade", "2", "disability_grade", 1,
		    K_FIELD, "disability_grade", "510182", "2", -1 },
		{ CH_VALUE, "disability_grade", "3", "disability_grade", 4,
		    K_FIELD, "disability_grade", "5106", "4", 0 },
		{ CH_STATUS, "disability_grade", "3", NULL, 3,
		    K_KPI, NULL, "51", "registered", -1 },
		{ CH_STATUS, "disability_grade", "3", NULL, 2,
		    K_KPI, NULL, "510182", "surveyed", -1 },
		{ CH_MOVE, "disability_grade", "1", "VILLAGE_B", 0,
		    K_KPI, NULL, "510681", "registered", 1 },
		{ CH_MOVE, "disability_grade", "1", "VILLAGE_B", 0,
		    K_KPI, NULL, "510182", "registered", -1 },
		{ CH_MOVE, "disability_grade", "1", "VILLAGE_B", 0,
		    K_KPI, NULL, "51", "registered", 0 },
		{ CH_NOSURVEY, "disability_grade", "4", NULL, 0,
		    K_KPI, NULL, "51", "surveyed", -1 },
		{ CH_NOSURVEY, "disability_grade", "4", NULL, 0,
		    K_FIELD, "disability_grade", "51", "4", -1 },
		{ CH_REMOVE, "disability_grade", "2", NULL, 0,
		    K_KPI, NULL, "510182", "registered", -1 },
		{ CH_ITEMS, "disability_grade", "3", NULL, 1,
		    K_KPI, NULL, "51", "registered", 0 },
	};
	struct want w;
	struct person *p;
	size_t i;
	int64_t before, after;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		memset(&w, 0, sizeof(w));
		w.kind = rows[i].kind;
		w.today = today;
		w.f = rows[i].table_field ? field(rows[i].table_field) : NULL;
		p = find(rows[i].who, strtoll(rows[i].who_value, NULL, 10),
		    rows[i].ch == CH_ITEMS);
		before = cell(&w, rows[i].region, rows[i].col);
		apply(p, rows[i].ch, rows[i].arg && strcmp(rows[i].arg,
		    "VILLAGE_B") == 0 ? pop[NA].village : rows[i].arg,
		    rows[i].v);
		after = cell(&w, rows[i].region, rows[i].col);
		if (after - before != rows[i].delta)
			fail_msg("change %zu: %s moved by %lld, want %lld", i,
			    rows[i].col, (long long)(after - before),
			    (long long)rows[i].delta);
	}
	/* items replaced: the KPI items move by the counted items */
	p = find("disability_grade", 2, 1);
	memset(&w, 0, sizeof(w));
	w.kind = K_KPI;
	w.today = today;
	before = cell(&w, "51", "items");
	{
		int64_t counted = 0;
		size_t j;

		for (j = 0; j < p->nitems; j++)
			counted += p->items[j].decision != 2;
		apply(p, CH_ITEMS, NULL, 0);	/* same items: no move */
		assert_int_equal(cell(&w, "51", "items"), before);
		p->nitems = 0;
		engine_put(p);
		assert_int_equal(cell(&w, "51", "items"), before - counted);
		make_items(p, (size_t)(p - pop), 0);
		engine_put(p);
	}
	/* removed persons come back */
	for (i = 0; i < NPOP; i++)
		if (!pop[i].held)
			apply(&pop[i], CH_READD, NULL, 0);
	check_all(1, 2);
	check_size();
}

static void
test_overdue(void **state)
{
	static const struct {
		const char	*today;
	} rows[] = {
		{ "2024-12-31" }, { "2025-01-01" }, { "2025-01-31" },
		{ "2025-02-01" }, { "2025-07-15" }, { "2025-12-31" },
		{ "2026-01-01" },
	};
	struct want w;
	size_t i;

	(void)state;
	memset(&w, 0, sizeof(w));
	w.kind = K_KPI;
	for (i = 0; i < NROWS(rows); i++) {
		w.today = tu_days(rows[i].today);
		check(region("51"), &w, rows[i].today);
		check(region("510182"), &w, rows[i].today);
	}
	w.today = tu_days("2024-06-01");
	assert_int_equal(cell(&w, "51", "overdue"), 0);
}

/* ---- allocation failures ----------------------------------------- */

/* An active person of 510182 with two counted items or more. */
static struct person *
rich(void)
{
	size_t k;

	for (k = 0; k < NA; k++)
		if (pop[k].held && pop[k].status == 1 && counted(&pop[k]) >= 2)
			return &pop[k];
	fail_msg("nobody with items");
	return NULL;
}

static void
same_kpi(const int64_t *before)
{
	struct stats_query q = { region("51"), NULL, 0, 0 };
	struct stats_table t;
	struct lf_error err;

	q.today = today;
	assert_int_equal(stats_kpi_table(st, &q, &t, &err), 0);
	assert_memory_equal(t.rows[0].v, before, 10 * sizeof(int64_t));
	stats_table_free(&t);
}

static void
kpi_now(int64_t *v)
{
	struct stats_query q = { region("51"), NULL, 0, 0 };
	struct stats_table t;
	struct lf_error err;

	q.today = today;
	assert_int_equal(stats_kpi_table(st, &q, &t, &err), 0);
	memcpy(v, t.rows[0].v, 10 * sizeof(int64_t));
	stats_table_free(&t);
}

/* Runs op with the n-th allocation failing, n = 0, 1, ... until it
 * succeeds; every failure must be clean and change nothing, not even
 * the memory held. */
#define SWEEP(op) do {							\
	int64_t kb[10];							\
	size_t b0_, b1_;						\
	long n_;							\
	int rc_;							\
	for (n_ = 0; ; n_++) {						\
		kpi_now(kb);						\
		stats_size(st, NULL, NULL, &b0_);			\
		lf_error_clear(&err);					\
		mem_fail_after(n_);					\
		rc_ = (op);						\
		mem_fail_after(-1);					\
		if (rc_ == 0)						\
			break;						\
		assert_string_equal(err.code, "no_memory");		\
		same_kpi(kb);						\
		stats_size(st, NULL, NULL, &b1_);			\
		assert_int_equal(b0_, b1_);				\
		assert_true(n_ < 1000);					\
	}								\
} while (0)

static void
test_alloc_failures(void **state)
{
	static const char *const qregions[] = { "51", "510182", "TOWNSHIP" };
	struct person *p = &pop[NPOP - 1], *mover = rich();
	struct stats_table t;
	struct stats_query q;
	struct lf_error err;
	struct stats *s2;
	const struct region *regs[5];
	const struct field *three[3];
	struct stats_table t3[3];
	const char *vnew;
	long n;
	size_t i, j, k;

	(void)state;
	for (n = 0; ; n++) {
		mem_fail_after(n);
		s2 = stats_new(cat, rs, ps, YEAR);
		mem_fail_after(-1);
		if (s2 != NULL)
			break;
	}
	stats_free(s2);
	assert_null(stats_new(cat, rs, ps, 99999));
	/* a new person, id beyond the locator, in an empty prefecture */
	vnew = rs->v[region("5107")->first_child].code;
	for (i = 0; i < rs->n; i++)
		if (rs->v[i].level == RL_VILLAGE &&
		    strncmp(rs->v[i].code, "5107", 4) == 0) {
			vnew = rs->v[i].code;
			break;
		}
	/* the locator grows first: it is not given back */
	assert_int_equal(stats_person_set(st, 70000, pop[0].village, 1, NULL,
	    &err), 0);
	stats_person_remove(st, 70000);
	SWEEP(stats_person_set(st, 70000, vnew, 1, p->survey, &err));
	SWEEP(stats_items_set(st, 70000, 2, p->items, p->nitems, &err));
	stats_person_remove(st, 70000);
	/* a move into the empty prefecture */
	memcpy(mover->village, vnew, 13);
	SWEEP(stats_person_set(st, mover->id, mover->village, mover->status,
	    mover->survey, &err));
	make_items(mover, (size_t)(mover - pop), 3);
	SWEEP(stats_items_set(st, mover->id, mover->plan, mover->items,
	    mover->nitems, &err));
	/* tables */
	three[0] = field("ethnicity");
	three[1] = field("welfare_subsidy_received");
	three[2] = field("birth_date");
	make_filters();
	regions_under_test(regs);
	for (i = 0; i < NROWS(qregions); i++)
		for (k = 0; k < 2; k++) {
			q = (struct stats_query){ i == 2 ? regs[3] :
			    region(qregions[i]), fsets[1], k, today };
			SWEEP(stats_kpi_table(st, &q, &t, &err));
			stats_table_free(&t);
			SWEEP(stats_need_table(st, &q, &t, &err));
			stats_table_free(&t);
			SWEEP(stats_service_table(st, &q, STATS_BY_DEPT, &t,
			    &err));
			stats_table_free(&t);
			SWEEP(stats_field_table(st, &q, field("ethnicity"),
			    &t, &err));
			stats_table_free(&t);
			SWEEP(stats_field_tables(st, &q, three, 3, t3, &err));
			for (j = 0; j < 3; j++)
				stats_table_free(&t3[j]);
		}
	check_all(0, 5);
	check_size();
}

/* Everything taken out again leaves what an empty year holds. */
static void
test_release(void **state)
{
	struct stats *s2 = stats_new(cat, rs, ps, YEAR);
	const struct person *r = rich();
	struct lf_error err;
	int64_t persons, items;
	size_t empty, bytes, before, i;

	(void)state;
	assert_non_null(s2);
	stats_size(s2, &persons, &items, &empty);
	assert_int_equal(persons, 0);
	/* the id locator cannot grow */
	mem_fail_after(0);
	assert_int_equal(stats_person_set(s2, 1, pop[0].village, 1,
	    pop[0].survey, &err), -1);
	mem_fail_after(-1);
	assert_string_equal(err.code, "no_memory");
	stats_size(s2, &persons, &items, &bytes);
	assert_int_equal(persons, 0);
	assert_int_equal(bytes, empty);
	stats_free(NULL);
	/* 40 persons into one village, then removed with allocation
	 * failing: the blocks cannot shrink but nothing breaks */
	for (i = 0; i < 40; i++) {
		assert_int_equal(stats_person_set(s2, (int64_t)i + 1,
		    r->village, 1, r->survey, &err), 0);
		assert_int_equal(stats_items_set(s2, (int64_t)i + 1, 2,
		    r->items, r->nitems, &err), 0);
	}
	/* items replaced over and over: the garbage is given back */
	stats_size(s2, NULL, NULL, &before);
	for (i = 0; i < 200; i++)
		assert_int_equal(stats_items_set(s2, 1 + (int64_t)i % 3, 2,
		    r->items, r->nitems, &err), 0);
	stats_size(s2, &persons, &items, &bytes);
	assert_int_equal(items, 40 * (int64_t)counted(r));
	assert_true(bytes <= before + 4096);
	for (i = 0; i < NPOP; i++)
		assert_int_equal(stats_person_set(s2, pop[i].id + 40,
		    pop[i].village, pop[i].status, pop[i].survey, &err), 0);
	mem_fail_after(0);
	for (i = 0; i < 35; i++)
		stats_person_remove(s2, (int64_t)i + 1);
	mem_fail_after(-1);
	for (i = 35; i < 40 + NPOP; i++)
		stats_person_remove(s2, (int64_t)i + 1);
	stats_size(s2, &persons, &items, &bytes);
	assert_int_equal(persons, 0);
	assert_int_equal(items, 0);
	assert_true(bytes >= empty);
	/* only the id locator stays */
	assert_true(bytes - empty <= 8 * 8192);
	stats_free(s2);
}

/* ---- wide codes, other bands (a catalog of their own) -------------- */

#define U	INT64_MIN	/* unset, in test_wide's rows */
#define WIDE_HEAD "section\tcode\tlabel_zh\tlabel_en\ttype\toptions\t" \
	"required\trule\task_if\texclusive\n"

/* "basic\t<code>\t<code>\t<code>\t<type>\t1=o1|...|n=on\tn\t\t\t\n" */
static void
wide_line(char *out, size_t size, const char *code, const char *type,
    int n)
{
	size_t len;
	int i;

	len = (size_t)snprintf(out, size, "basic\t%s\t%s\t%s\t%s\t", code,
	    code, code, type);
	for (i = 1; i <= n; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%d=o%d",
		    i > 1 ? "|" : "", i, i);
	snprintf(out + len, size - len, "\tn\t\t\t\n");
}

static struct catalog *
wide_catalog(void)
{
	static char text[16384];
	struct catalog *c = NULL;
	struct lf_error err;
	size_t len;

	len = (size_t)snprintf(text, sizeof(text), "%s", WIDE_HEAD);
	wide_line(text + len, sizeof(text) - len, "big", "enum", 250);
	len = strlen(text);
	wide_line(text + len, sizeof(text) - len, "wide", "multi", 12);
	len = strlen(text);
	wide_line(text + len, sizeof(text) - len, "wider", "multi", 20);
	len = strlen(text);
	wide_line(text + len, sizeof(text) - len, "widest", "multi", 40);
	len = strlen(text);
	snprintf(text + len, sizeof(text) - len,
	    "basic\thousehold_size\th\th\tint\trange=1..20\tn\t\t\t\n"
	    "basic\tannual_income\ti\ti\tmoney\t\tn\t\t\t\n"
	    "basic\tscore\ts\ts\tint\trange=0..3\tn\t\t\t\n"
	    "basic\tfee\tf\tf\tmoney\trange=0..5249\tn\t\t\t\n"
	    "basic\tbirth_date\tb\tb\tdate\t\tn\t\t\t\n"
	    "basic\tvisit_date\tv\tv\tdate\t\tn\t\t\t\n"
	    "need\tneed_x\tx\tx\tbool\t\tn\t\t\t\n");
	if (catalog_parse(text, strlen(text), "wide.tsv", &c, &err) != 0)
		fail_msg("%s", err.message);
	return c;
}

/* 70 policies, so that policy groups beyond 64 are counted too. */
static struct policies *
wide_policies(const struct catalog *wc)
{
	static char text[8192];
	struct policies *wp = NULL;
	struct lf_error err;
	size_t len;
	int i;

	len = (size_t)snprintf(text, sizeof(text), "code\tname_zh\tname_en\t"
	    "batch\tdepartment\ttrigger_needs\teligibility\tamount\titems\n");
	for (i = 0; i < 70; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "P%02d\t测试\tTest\tSOCIAL_SEC\t民政\tneed_x\tneed_x\t"
		    "100元\tone\n", i);
	if (policies_parse(text, len, "p.tsv", wc, &wp, &err) != 0)
		fail_msg("%s", err.message);
	return wp;
}

/* Items of policy groups above 64: persons count once per group. */
static void
wide_items(struct stats *ws, const struct region *in)
{
	static const struct {
		int		 policy, status;
	} items[] = { { 66, 3 }, { 66, 1 }, { 3, 1 }, { 69, 4 } };
	static const struct {
		const char	*col;
		int64_t		 want;
	} cells[] = {
		{ "P66.persons", 1 }, { "P66.items", 2 }, { "P66.done", 1 },
		{ "P66.planned", 200 }, { "P03.persons", 1 },
		{ "P69.items", 1 }, { "P00.items", 0 },
	};
	struct stats_item it[NROWS(items)];
	struct stats_query q = { in, NULL, 0, 0 };
	struct stats_table t;
	struct lf_error err;
	size_t i, j;

	memset(it, 0, sizeof(it));
	for (i = 0; i < NROWS(items); i++) {
		it[i].policy = items[i].policy;
		it[i].dept = -1;
		it[i].status = items[i].status;
		it[i].month = 1;
		it[i].planned = 100;
	}
	assert_int_equal(stats_items_set(ws, 1, 2, it, NROWS(items), &err),
	    0);
	assert_int_equal(stats_service_table(ws, &q, STATS_BY_POLICY, &t,
	    &err), 0);
	for (i = 0; i < NROWS(cells); i++) {
		for (j = 0; j < t.ncols; j++)
			if (strcmp(t.col_code[j], cells[i].col) == 0)
				break;
		assert_true(j < t.ncols);
		assert_int_equal(t.rows[0].v[j], cells[i].want);
	}
	stats_table_free(&t);
}

static void
test_wide(void **state)
{
	/* persons: big, wide, wider, widest (bit masks of codes), household
	 * size, income, score, fee, birth date, visit date (days), status;
	 * U = unset */
	static const struct {
		int64_t		 v[10];
		int		 status;
	} persons[] = {
		{ { 250, 0x1002, 1 << 20, (INT64_C(1) << 40) | 2, 1, 499999,
		    0, 1050, 20332, 2000000 }, 1 },
		{ { 1, 0x1000, (1 << 20) | 2, INT64_C(1) << 33, 7, 10000000,
		    3, 5249, -9000, -2000000 }, 1 },
		{ { 250, U, 1 << 5, U, U, 0, 2, 0, 20270, 20270 }, 1 },
		{ { 1, 0x1000, 2, 2, 2, 2, 2, 2, 2, 2 }, 2 },
	};
	static const char *const codes[] = { "big", "wide", "wider",
	    "widest", "household_size", "annual_income", "score", "fee",
	    "birth_date", "visit_date" };
	static const struct {
		const char	*field, *col;
		int64_t		 want;
	} cells[] = {
		{ "big", "250", 2 }, { "big", "1", 1 }, { "big", "empty", 0 },
		{ "wide", "12", 2 }, { "wide", "1", 1 }, { "wide", "empty", 1 },
		{ "wider", "20", 2 }, { "wider", "1", 1 }, { "wider", "5", 1 },
		{ "widest", "40", 1 }, { "widest", "33", 1 },
		{ "widest", "1", 1 }, { "widest", "empty", 1 },
		{ "household_size", "0", 1 }, { "household_size", "5", 1 },
		{ "household_size", "empty", 1 },
		{ "annual_income", "0", 2 }, { "annual_income", "6", 1 },
		{ "score", "0", 1 }, { "score", "1", 0 }, { "score", "3", 1 },
		{ "fee", "0", 1 }, { "fee", "1", 1 }, { "fee", "4", 1 },
		/* born 2025-09-01, after 1 July: age -1, first band */
		{ "birth_date", "0", 2 }, { "birth_date", "6", 1 },
		{ "visit_date", "0", 1 }, { "visit_date", "3", 1 },
		{ "visit_date", "4", 1 },
	};
	static const struct {
		const char	*field;
		int		 code;		/* filter bit via code */
		int64_t		 want;		/* registered */
	} filters[] = {
		{ "big", 1, 1 }, { "wide", 12, 2 }, { "wide", 1, 1 },
		{ "wider", 20, 2 }, { "wider", 5, 1 }, { "widest", 40, 1 },
		{ "widest", 33, 1 }, { "household_size", 5, 1 },
		{ "score", 2, 1 },
	};
	struct catalog *wc = wide_catalog();
	struct policies *wp;
	struct stats *ws;
	struct record *r;
	struct stats_query q = { region("51"), NULL, 0, 0 };
	struct stats_filter fl;
	struct stats_table t;
	struct lf_error err;
	const struct stats_band *b;
	size_t i, j, n;

	(void)state;
	wp = wide_policies(wc);
	ws = stats_new(wc, rs, wp, YEAR);
	r = record_new(wc);
	assert_true(ws != NULL && r != NULL);
	for (i = 0; i < NROWS(persons); i++) {
		record_clear(r);
		for (j = 0; j < NROWS(codes); j++)
			if (persons[i].v[j] != U)
				record_set_num(r, (int)j, persons[i].v[j]);
		assert_int_equal(stats_person_set(ws, (int64_t)i + 1,
		    pop[0].village, persons[i].status, r, &err), 0);
	}
	/* from the totals (province) and by scanning (the village) */
	for (i = 0; i < 2 * NROWS(cells); i++) {
		size_t c = i % NROWS(cells);
		const struct field *f = catalog_find(wc, cells[c].field,
		    strlen(cells[c].field));
		int64_t got = INT64_MIN;

		q.in = i < NROWS(cells) ? region("51") :
		    region(pop[0].village);
		assert_int_equal(stats_field_table(ws, &q, f, &t, &err), 0);
		for (j = 0; j < t.ncols; j++)
			if (strcmp(t.col_code[j], cells[c].col) == 0)
				got = t.rows[0].v[j];
		stats_table_free(&t);
		if (got != cells[c].want)
			fail_msg("%s %s in %s: %lld, want %lld", cells[c].field,
			    cells[c].col, q.in->code, (long long)got,
			    (long long)cells[c].want);
	}
	for (i = 0; i < NROWS(filters); i++) {
		fl.f = catalog_find(wc, filters[i].field,
		    strlen(filters[i].field));
		fl.codes = (uint64_t)1 << stats_filter_bit(ws, fl.f,
		    filters[i].code);
		q.filters = &fl;
		q.nfilters = 1;
		assert_int_equal(stats_kpi_table(ws, &q, &t, &err), 0);
		assert_int_equal(t.rows[0].v[0], filters[i].want);
		stats_table_free(&t);
	}
	fl.f = catalog_find(wc, "big", 3);
	assert_int_equal(stats_filter_bit(ws, fl.f, 250), -1);
	assert_int_equal(stats_filter_bit(ws, fl.f, 64), 63);
	b = stats_bands(ws, catalog_find(wc, "household_size", 14), &n);
	assert_int_equal(n, 6);
	assert_string_equal(b[5].label, "6人及以上");
	b = stats_bands(ws, catalog_find(wc, "score", 5), &n);
	assert_int_equal(n, 4);
	assert_string_equal(b[3].label, "3");
	b = stats_bands(ws, catalog_find(wc, "annual_income", 13), &n);
	assert_int_equal(n, 7);
	assert_string_equal(b[1].label, "5000-9999元");
	b = stats_bands(ws, catalog_find(wc, "fee", 3), &n);
	assert_int_equal(n, 5);
	assert_string_equal(b[0].label, "0~10.49");
	assert_string_equal(b[1].label, "10.5~20.99");
	assert_string_equal(b[4].label, "42~52.49");
	wide_items(ws, q.in);
	record_free(r);
	stats_free(ws);
	policies_free(wp);
	catalog_free(wc);
}

/* ---- timing (printed, not asserted) -------------------------------- */

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
test_timing(void **state)
{
	const size_t n = 200000;
	struct stats *s2 = stats_new(cat, rs, ps, YEAR);
	const struct field *const *fs;
	struct stats_table t, all[512];
	struct stats_query q;
	struct lf_error err;
	struct timespec t0;
	size_t nf;
	int *vill, nv = 0;
	int64_t persons, items;
	size_t i, bytes, f;
	double ms;

	(void)state;
	assert_non_null(s2);
	make_filters();
	vill = calloc(rs->n, sizeof(int));
	assert_non_null(vill);
	for (i = 0; i < rs->n; i++)
		if (rs->v[i].level == RL_VILLAGE)
			vill[nv++] = (int)i;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		const struct person *p = &pop[i % NPOP];

		if (stats_person_set(s2, (int64_t)i + 1, rs->v[vill[(i *
		    2654435761u) % (size_t)nv]].code, p->status, p->survey,
		    &err) != 0 || stats_items_set(s2, (int64_t)i + 1,
		    p->plan, p->items, p->nitems, &err) != 0)
			fail_msg("%s", err.message);
	}
	ms = ms_since(&t0);
	stats_size(s2, &persons, &items, &bytes);
	print_message("stats (ASan build): %zu persons, %lld items set in "
	    "%.0f ms; %zu bytes (%.0f per person)\n", n, (long long)items, ms,
	    bytes, (double)bytes / (double)n);
	q = (struct stats_query){ region("51"), NULL, 0, today };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (f = 0; f < cat->nfields; f++)
		if (!cat->fields[f].secret) {
			assert_int_equal(stats_field_table(s2, &q,
			    &cat->fields[f], &t, &err), 0);
			stats_table_free(&t);
		}
	print_message("  every item table, province by city: %.1f ms\n",
	    ms_since(&t0));
	q.filters = fsets[1];
	q.nfilters = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(stats_field_table(s2, &q, field("ethnicity"), &t,
	    &err), 0);
	stats_table_free(&t);
	print_message("  one filtered item table, province: %.1f ms\n",
	    ms_since(&t0));
	fs = kept_fields(&nf);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(stats_field_tables(s2, &q, fs, nf, all, &err), 0);
	for (f = 0; f < nf; f++)
		stats_table_free(&all[f]);
	print_message("  every filtered item table at once, province: "
	    "%.1f ms\n", ms_since(&t0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(stats_need_table(s2, &q, &t, &err), 0);
	stats_table_free(&t);
	assert_int_equal(stats_service_table(s2, &q, STATS_BY_POLICY, &t,
	    &err), 0);
	stats_table_free(&t);
	print_message("  filtered need + service tables, province: %.1f ms\n",
	    ms_since(&t0));
	free(vill);
	stats_free(s2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_tables),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_bands),
		cmocka_unit_test(test_filter_bit),
		cmocka_unit_test(test_person_errors),
		cmocka_unit_test(test_items_errors),
		cmocka_unit_test(test_table_errors),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_overdue),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_wide),
		cmocka_unit_test(test_timing),
	};

	return cmocka_run_group_tests_name("stats", tests, setup, teardown);
}

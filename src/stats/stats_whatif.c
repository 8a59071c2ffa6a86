/*
 * stats_whatif.c - a what-if over the engine's persons, counted village
 * by village (stats_whatif.h).
 */
#include "stats/stats_whatif.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"
#include "plan/planner.h"
#include "stats/stats_wprog.h"

/* What one run needs besides the program. */
struct wrun {
	const struct stats		*st;
	const struct disaster		*dis;
	const struct budget_shares	*b;
	struct budget_scen		*s;
	struct stats_whatif		*out;
	struct wprog			 p;
	int				 years;
	struct expr_ctx			 base;	/* no village: 1 July */
	struct expr_ctx			 at[BUDGET_YEARS + 1];
	size_t				 share_len;	/* digits that pick a
							   sharing row */
	char				 share_key[13];
	int64_t				 lv[BUDGET_LEVELS];	/* its split */
	struct budget_child		*child;	/* the last village's */
	int				 cat_k;	/* kept column, -1 */
	unsigned char			 cat[256];	/* by stored code */
};

static int
region_of(const struct stats *st, const struct region *in,
    struct lf_error *err)
{
	const struct region *rg = in;

	if (rg < st->rs->v || rg >= st->rs->v + st->rs->n)
		rg = regions_find(st->rs, in->code);
	if (rg == NULL)
		return lf_error_set(err, "invalid", "region", "not a region of "
		    "the statistics");
	return (int)(rg - st->rs->v);
}

static size_t
largest_block(const struct stats *st, int r)
{
	size_t most = 0;
	int32_t v;

	for (v = st->vlo[r]; v < st->vhi[r]; v++)
		if (st->vb[v].n > most)
			most = st->vb[v].n;
	return most;
}

/* The disability category by stored code (core/budget.h's rule). */
static void
cat_table(struct wrun *w)
{
	int f = budget_cat_field(w->st->cat);
	const struct stats_col *c;
	size_t v;

	memset(w->cat, 0, sizeof(w->cat));
	w->cat_k = f >= 0 ? w->st->col_of[f] : -1;
	if (w->cat_k < 0 || w->st->cols[w->cat_k].width != 1 ||
	    w->st->cols[w->cat_k].kind == SK_BAND) {
		w->cat_k = -1;
		return;
	}
	c = &w->st->cols[w->cat_k];
	for (v = 0; v < 256; v++) {
		wprog_decode(c, v, w->p.rec);
		w->cat[v] = (unsigned char)budget_cat_of(w->p.rec, f);
	}
	w->p.rec->set[f] = 0;
}

/* Adds m persons at yearly fen each, split lv, to t. */
static void
tot_addn(struct budget_tot *t, int64_t m, int64_t yearly,
    const int64_t lv[BUDGET_LEVELS])
{
	int i;

	t->persons += m;
	t->cost += m * yearly;
	for (i = 0; i < BUDGET_LEVELS; i++)
		t->level[i] += m * lv[i];
}

/* Year 0 of village v: who qualifies, by child region and category. */
static int
year0(struct wrun *w, const struct stats_vblock *b, const char *village,
    const unsigned char *hit, const int64_t lv[BUDGET_LEVELS],
    struct lf_error *err)
{
	const unsigned char *fl = stats_colp(b, w->st->pos_flags);
	const int64_t *id = (const int64_t *)(const void *)stats_colp(b,
	    w->st->pos_id);
	const unsigned char *cc = w->cat_k >= 0 ? stats_colp(b,
	    w->st->cols[w->cat_k].pos) : NULL;
	int64_t ncat[BUDGET_CATS] = { 0 }, m = 0, first = INT64_MAX;
	struct budget_child *c;
	uint32_t j;
	size_t ci;
	int k;

	for (j = 0; j < b->n; j++) {
		if (!(fl[j] & STATS_F_SURVEY))
			continue;
		w->out->surveys++;
		if (!(hit[j] & 1))
			continue;
		m++;
		ncat[cc != NULL ? w->cat[cc[j]] : 0]++;
		if (id[j] < first)
			first = id[j];
	}
	if (m == 0)
		return 0;
	c = w->child;
	if ((c == NULL || strncmp(c->code, village, (size_t)w->s->child_len)
	    != 0) && (c = w->child = budget_child_of(w->s, village, err)) ==
	    NULL)
		return -1;
	ci = (size_t)(c - w->s->child);
	if (c->t.persons == 0 || first < w->out->first[ci])
		w->out->first[ci] = first;
	tot_addn(&w->s->year[0], m, w->s->yearly, lv);
	tot_addn(&c->t, m, w->s->yearly, lv);
	for (k = 0; k < BUDGET_CATS; k++)
		if (ncat[k] > 0)
			tot_addn(&w->s->cat[k], ncat[k], w->s->yearly, lv);
	return 0;
}

/* Adds the persons who qualify k years on (bit k of hit), k = 1..years,
 * to the projection. */
static void
later(struct wrun *w, const struct stats_vblock *b, const unsigned char *hit,
    const int64_t lv[BUDGET_LEVELS])
{
	const unsigned char *fl = stats_colp(b, w->st->pos_flags);
	int64_t m[BUDGET_YEARS + 1] = { 0 };
	uint32_t j;
	int k;

	for (j = 0; j < b->n; j++)
		if (fl[j] & STATS_F_SURVEY)
			for (k = 1; k <= BUDGET_YEARS; k++)
				m[k] += (hit[j] >> k) & 1;
	for (k = 1; k <= w->years; k++)
		tot_addn(&w->s->year[k], m[k], w->s->yearly, lv);
}

/* The split of a person's yearly cost in village code: the sharing row
 * is looked up again only when the digits that pick it change (villages
 * come in region order). */
static const int64_t *
split_of(struct wrun *w, const char *code)
{
	if (w->share_key[0] != '\0' && strncmp(w->share_key, code,
	    w->share_len) == 0)
		return w->lv;
	snprintf(w->share_key, sizeof(w->share_key), "%.*s",
	    (int)w->share_len, code);
	budget_split(w->s->yearly, w->b != NULL ? budget_share_find(w->b,
	    w->s->policy, code) : NULL, w->lv);
	return w->lv;
}

static int
village(struct wrun *w, int32_t v, struct lf_error *err)
{
	const struct stats_vblock *b = &w->st->vb[v];
	const struct region *rg = &w->st->rs->v[w->st->vreg[v]];
	const unsigned char *hit;
	const int64_t *lv;
	struct expr_ctx at[BUDGET_YEARS + 1];
	int64_t m0 = w->s->year[0].persons;
	int k;

	if (b->n == 0)
		return 0;
	lv = split_of(w, rg->code);
	for (k = 0; k <= BUDGET_YEARS; k++) {
		at[k] = w->at[k];
		at[k].village = rg->code12;	/* as planner_ctx() */
	}
	hit = wprog_run(&w->p, b, at);
	if (year0(w, b, rg->code, hit, lv, err) != 0)
		return -1;
	m0 = w->s->year[0].persons - m0;
	if (w->p.ctxdep)
		later(w, b, hit, lv);
	else
		for (k = 1; k <= w->years; k++)
			tot_addn(&w->s->year[k], m0, w->s->yearly, lv);
	return 0;
}

/* The next village's columns, while this one is counted. */
static void
prefetch(const struct wrun *w, const struct stats_vblock *b)
{
	if (b->n == 0)
		return;
	wprog_prefetch(&w->p, b);
	__builtin_prefetch(stats_colp(b, w->st->pos_flags));
	__builtin_prefetch(stats_colp(b, w->st->pos_id));
	if (w->cat_k >= 0)
		__builtin_prefetch(stats_colp(b, w->st->cols[w->cat_k].pos));
}

/* The contexts of the years and what picks a sharing row. */
static void
contexts(struct wrun *w)
{
	size_t i, len;
	int k;

	planner_ctx(w->p.rec, w->st->year, NULL, w->dis, &w->base);
	for (k = 0; k <= BUDGET_YEARS; k++)
		budget_ctx_years_on(&w->base, k, &w->at[k]);
	wprog_base(&w->p, &w->base);
	w->share_len = 12;
	if (w->b == NULL)
		return;
	for (i = 0, w->share_len = 2; i < w->b->n; i++)
		if ((len = strlen(w->b->v[i].region)) > w->share_len)
			w->share_len = len;
}

int
stats_whatif_run(const struct stats *st, const struct region *in,
    const struct disaster *dis, const struct budget_shares *b,
    struct budget_scen *s, int years, struct stats_whatif *out,
    struct lf_error *err)
{
	struct wrun *w;
	int r, rc = -1;
	int32_t v;

	memset(out, 0, sizeof(*out));
	if ((r = region_of(st, in, err)) < 0)
		return -1;
	if ((w = mem_calloc(1, sizeof(*w))) == NULL)
		return lf_error_nomem(err);
	w->st = st;
	w->dis = dis;
	w->b = b;
	w->s = s;
	w->out = out;
	w->years = years < 0 ? 0 : years > BUDGET_YEARS ? BUDGET_YEARS : years;
	if (wprog_compile(&w->p, st, s->e, largest_block(st, r), err) != 0)
		goto out;
	cat_table(w);
	contexts(w);
	for (v = st->vlo[r]; v < st->vhi[r]; v++) {
		if (v + 1 < st->vhi[r])
			prefetch(w, &st->vb[v + 1]);
		if (village(w, v, err) != 0)
			goto out;
	}
	rc = 0;
out:
	wprog_free(&w->p);
	mem_free(w);
	return rc;
}

/*
 * gap.c - the gaps of every county and item of a region
 * (supply/supply.h): open demand (the demand expression holds, the need
 * not closed) against the stock that remains after the year's issues.
 */
#include "supply/supply.h"
#include "supply/supply_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "plan/planner.h"
#include "store/insight_scan.h"

#define MAX_ITEMS	32

struct county_row {
	char		 code[7];
	int64_t		 demand[MAX_ITEMS], stock[MAX_ITEMS];
	int64_t		 issued[MAX_ITEMS];
};

struct gctx {
	const struct supply	*sp;
	int			 year;
	struct supply_set	 closed[MAX_ITEMS];
	struct county_row	*c;
	size_t			 n, cap;
};

static int
cmp_code(const void *a, const void *b)
{
	return strcmp(a, ((const struct county_row *)b)->code);
}

/* The row of county (6 digits), made when missing; NULL out of memory. */
static struct county_row *
row_of(struct gctx *g, const char *county)
{
	struct county_row *r;
	char key[7];
	size_t i;

	snprintf(key, sizeof(key), "%.6s", county);
	county = key;
	r = g->n ? bsearch(county, g->c, g->n, sizeof(*g->c), cmp_code) : NULL;
	if (r != NULL)
		return r;
	if (mem_grow(&g->c, &g->cap, g->n + 1, sizeof(*g->c), SIZE_MAX) != 0)
		return NULL;
	for (i = g->n; i > 0 && strcmp(g->c[i - 1].code, county) > 0; i--)
		;
	memmove(&g->c[i + 1], &g->c[i], (g->n - i) * sizeof(*g->c));
	memset(&g->c[i], 0, sizeof(g->c[i]));
	snprintf(g->c[i].code, sizeof(g->c[i].code), "%.6s", county);
	g->n++;
	return &g->c[i];
}

static int
gap_person(void *arg, const struct insight_person *p, const struct record *r)
{
	struct gctx *g = arg;
	struct county_row *row = NULL;
	struct expr_ctx ctx;
	size_t i;

	if (p->status != PERSON_ACTIVE)
		return 0;
	planner_ctx(r, g->year, p->region, NULL, &ctx);
	for (i = 0; i < g->sp->nitems; i++) {
		if (!expr_eval_ctx(g->sp->items[i].demand, r, &ctx))
			continue;
		if (supply_set_has(&g->closed[i], p->id))
			continue;
		if (row == NULL && (row = row_of(g, p->region)) == NULL)
			return -1;
		row->demand[i]++;
	}
	return 0;
}

struct stock_arg {
	struct gctx	*g;
	int		 oom;
};

static int
stock_row(void *arg, const char *county, const char *item, int64_t qty)
{
	struct stock_arg *a = arg;
	const struct supply_item *it = supply_item_find(a->g->sp, item);
	struct county_row *row;

	if (it == NULL)
		return 0;
	if ((row = row_of(a->g, county)) == NULL) {
		a->oom = 1;
		return 1;
	}
	row->stock[it - a->g->sp->items] = qty;
	return 0;
}

/* Closed needs per item (ids) and issued per county; then the stock. */
static int
load_known(struct store *s, struct gctx *g, const struct region *in,
    struct lf_error *err)
{
	struct stock_arg a = { g, 0 };
	struct county_row *row;
	size_t i, j;

	for (i = 0; i < g->sp->nitems; i++) {
		struct supply_set *x = &g->closed[i];

		if (supply_set_load(s, &g->sp->items[i], g->year, 0, x,
		    err) != 0)
			return -1;
		for (j = 0; j < x->n; j++) {
			if (!region_contains(in, strtoll(x->region[j], NULL,
			    10)))
				continue;
			if ((row = row_of(g, x->region[j])) == NULL)
				return lf_error_nomem(err);
			row->issued[i]++;
		}
	}
	if (supply_stock_rows(s, in, g->year, stock_row, &a, err) != 0)
		return -1;
	return a.oom ? lf_error_nomem(err) : 0;
}

static int
report(struct gctx *g, supply_gap_fn fn, void *arg)
{
	struct supply_gap gp;
	size_t c, i;
	int rc;

	for (c = 0; c < g->n; c++)
		for (i = 0; i < g->sp->nitems; i++) {
			const struct county_row *r = &g->c[c];

			if (r->demand[i] == 0 && r->stock[i] == 0 &&
			    r->issued[i] == 0)
				continue;
			memset(&gp, 0, sizeof(gp));
			memcpy(gp.county, r->code, sizeof(gp.county));
			gp.item = &g->sp->items[i];
			gp.demand = r->demand[i];
			gp.stock = r->stock[i];
			gp.issued = r->issued[i];
			gp.remaining = gp.stock > gp.issued ? gp.stock -
			    gp.issued : 0;
			gp.gap = gp.demand > gp.remaining ? gp.demand -
			    gp.remaining : 0;
			if ((rc = fn(arg, &gp)) != 0)
				return rc;
		}
	return 0;
}

int
supply_gaps(struct store *s, const struct supply *sp,
    const struct region *in, int year, supply_gap_fn fn, void *arg,
    struct lf_error *err)
{
	struct gctx g;
	size_t i;
	int rc = -1;

	memset(&g, 0, sizeof(g));
	g.sp = sp;
	g.year = year;
	if (sp->nitems > MAX_ITEMS)
		return lf_error_set(err, "invalid", "", "辅具种类过多 (too many "
		    "supply items)");
	if (load_known(s, &g, in, err) == 0 &&
	    insight_scan(s, year, in, gap_person, &g, err) == 0)
		rc = report(&g, fn, arg);
	else if (err->code == NULL)
		lf_error_nomem(err);
	for (i = 0; i < MAX_ITEMS; i++)
		supply_set_free(&g.closed[i]);
	mem_free(g.c);
	return rc;
}

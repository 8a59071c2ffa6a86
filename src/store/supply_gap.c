/*
 * supply_gap.c - the gaps of every county and item of a region, and
 * issuing from a list (supply_store.h).
 */
#include "store/store_int.h"
#include "store/supply_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "plan/plan.h"
#include "plan/planner.h"
#include "store/audit.h"
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
	int64_t			*closed[MAX_ITEMS];	/* sorted ids */
	size_t			 nclosed[MAX_ITEMS];
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
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
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
		if (g->nclosed[i] > 0 && bsearch(&p->id, g->closed[i],
		    g->nclosed[i], sizeof(int64_t), cmp_i64) != NULL)
			continue;
		if (row == NULL && (row = row_of(g, p->region)) == NULL)
			return -1;
		row->demand[i]++;
	}
	return 0;
}

/* Closed needs per item (ids) and issued per county; then the stock. */
static int
load_known(struct store *s, struct gctx *g, const struct region *in,
    struct lf_error *err)
{
	char need[80], lo[24], hi[24];
	struct county_row *row;
	sqlite3_stmt *st = NULL;
	size_t i, cap;
	int64_t *nv;
	int step;

	for (i = 0; i < g->sp->nitems; i++) {
		const struct supply_item *it = &g->sp->items[i];

		snprintf(need, sizeof(need), ",%s,", it->need->code);
		if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT i.person_id, "
		    "p.region FROM items i JOIN persons p ON p.id = i.person_id"
		    " WHERE i.year = ?1 AND i.policy = ?2 AND instr(',' || "
		    "coalesce(i.needs, '') || ',', ?3) > 0 AND EXISTS (SELECT 1"
		    " FROM deliveries d WHERE d.item_id = i.id) ORDER BY 1", -1,
		    &st, NULL) != SQLITE_OK)
			return store_sqlite_error(s, "supply gaps", err);
		sqlite3_bind_int(st, 1, g->year);
		sqlite3_bind_text(st, 2, it->policy->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, need, -1, SQLITE_STATIC);
		cap = 0;
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			const char *rg = (const char *)sqlite3_column_text(st,
			    1);

			if (g->nclosed[i] == cap) {
				cap = cap ? cap * 2 : 64;
				nv = mem_realloc(g->closed[i], cap *
				    sizeof(*nv));
				if (nv == NULL)
					goto oom;
				g->closed[i] = nv;
			}
			g->closed[i][g->nclosed[i]++] =
			    sqlite3_column_int64(st, 0);
			if (rg != NULL && region_contains(in, strtoll(rg, NULL,
			    10))) {
				if ((row = row_of(g, rg)) == NULL)
					goto oom;
				row->issued[i]++;
			}
		}
		sqlite3_finalize(st);
		if (step != SQLITE_DONE)
			return store_sqlite_error(s, "supply gaps", err);
	}
	store_region_range(in, lo, hi);
	lo[6] = hi[6] = '\0';
	if (sqlite3_prepare_v2(s->db, "SELECT county, item, quantity FROM "
	    "supply_stock WHERE year = ?1 AND county >= ?2 AND county < ?3",
	    -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "supply gaps", err);
	sqlite3_bind_int(st, 1, g->year);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, strcmp(lo, hi) == 0 ? "999999" : hi, -1,
	    SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const struct supply_item *it = supply_item_find(g->sp,
		    (const char *)sqlite3_column_text(st, 1));

		if (it == NULL)
			continue;
		if ((row = row_of(g, (const char *)sqlite3_column_text(st,
		    0))) == NULL)
			goto oom;
		row->stock[it - g->sp->items] = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : store_sqlite_error(s, "supply gaps",
	    err);
oom:
	sqlite3_finalize(st);
	return lf_error_nomem(err);
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
		mem_free(g.closed[i]);
	mem_free(g.c);
	return rc;
}

/* ---- issuing -------------------------------------------------------- */

/* The person's item of the year for the policy and need, not rejected:
 * its id, or 0. */
static int
find_item(struct store *s, const struct supply_item *it, int64_t person,
    int year, int64_t *id, int *decision, struct lf_error *err)
{
	char need[80];
	sqlite3_stmt *st;
	int step;

	*id = 0;
	snprintf(need, sizeof(need), ",%s,", it->need->code);
	if (sqlite3_prepare_v2(s->db, "SELECT id, decision FROM items WHERE "
	    "year = ?1 AND person_id = ?2 AND policy = ?3 AND instr(',' || "
	    "coalesce(needs, '') || ',', ?4) > 0 AND decision <> 2 ORDER BY "
	    "seq LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "supply issue", err);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_int64(st, 2, person);
	sqlite3_bind_text(st, 3, it->policy->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, need, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*decision = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 :
	    store_sqlite_error(s, "supply issue", err);
}

/* The person is on the county's list, within the remaining stock. */
static int
check_listed(struct store *s, const struct supply *sp,
    const struct supply_item *it, const struct store_person *p, int year,
    int today, struct lf_error *err)
{
	struct supply_list l;
	char county[7];
	size_t i;
	int found = 0;

	snprintf(county, sizeof(county), "%.6s", p->region);
	if (supply_list_build(s, sp, it, county, year, today, &l, err) != 0)
		return -1;
	for (i = 0; i < l.n; i++)
		if (l.v[i].person_id == p->id)
			found = l.v[i].allocated ? 2 : 1;
	mem_free(l.v);
	if (!found)
		return lf_error_set(err, "state", "person", "此人不在待发放名单中"
		    " (the person is not on the list: no open need)");
	if (l.remaining <= 0)
		return lf_error_set(err, "state", "stock", "%s 库存不足 (no "
		    "stock left in the county)", it->name_zh);
	if (found == 1)
		return lf_error_set(err, "state", "person", "按分配规则尚未轮到"
		    "此人 (the rules put others first for the remaining "
		    "stock)");
	return 0;
}

/* A manual item for the need; a confirmed plan is reopened for it and
 * confirmed again (every other item is decided already). A draft plan
 * gets it as is: the delivery then refuses until the plan is confirmed. */
static int
add_item(struct store *s, const struct policies *ps,
    const struct supply_item *it, int64_t person, int year,
    const char *actor, struct plan_item *io, struct lf_error *err)
{
	struct plan_item_change c;
	struct plan pl;
	int rc, confirmed;

	memset(&c, 0, sizeof(c));
	rc = plan_get(s, person, year, &pl, err);
	if (rc < 0)
		return -1;
	confirmed = rc == 0 && pl.status == PLAN_CONFIRMED;
	if (confirmed && plan_reopen(s, pl.id, pl.version, actor, &pl,
	    err) != 0)
		return -1;
	if (plan_item_add(s, ps, person, year, it->policy->code,
	    it->need->code, &c, NULL, actor, io, err) != 0)
		return -1;
	if (confirmed && (plan_get(s, person, year, &pl, err) != 0 ||
	    plan_confirm(s, pl.id, pl.version, actor, &pl, err) != 0))
		return -1;
	return 0;
}

static int
issue_body(struct store *s, const struct policies *ps,
    const struct supply *sp, const struct supply_item *it,
    const struct store_person *p, int year, const char *date, int today,
    const char *actor, struct plan_item *io, struct plan_delivery *d,
    struct lf_error *err)
{
	struct plan_item_change c;
	struct audit_entry e;
	char note[256], kv[64];
	int64_t id;
	int decision = 0;

	if (check_listed(s, sp, it, p, year, today, err) != 0 ||
	    find_item(s, it, p->id, year, &id, &decision, err) != 0)
		return -1;
	memset(&c, 0, sizeof(c));
	if (id == 0 && add_item(s, ps, it, p->id, year, actor, io, err) != 0)
		return -1;
	if (id != 0 && decision != DECISION_ACCEPTED) {
		c.set = PI_DECISION;
		c.decision = DECISION_ACCEPTED;
		if (plan_item_update(s, id, &c, 0, actor, io, err) != 0)
			return -1;
	}
	snprintf(note, sizeof(note), "发放%s (%s issued from the distribution "
	    "list)", it->name_zh, it->name_en);
	if (plan_delivery_add(s, id ? id : io->id, date, 0, note, NULL, actor,
	    d, io, err) != 0)
		return -1;
	memset(&e, 0, sizeof(e));
	e.actor = actor;
	e.action = "supply.issue";
	e.target_type = "person";
	e.target = p->uid;
	e.result = "ok";
	snprintf(kv, sizeof(kv), "supply=%s", it->code);
	e.detail = kv;
	return audit_append(s, &e, err);
}

int
supply_issue(struct store *s, const struct policies *ps,
    const struct supply *sp, const struct supply_item *it,
    int64_t person_id, int year, const char *date, int today,
    const char *actor, struct plan_item *item_out,
    struct plan_delivery *d_out, struct lf_error *err)
{
	struct store_person p;
	int rc;

	rc = store_person_by_id(s, person_id, &p, err);
	if (rc == 1)
		return lf_error_set(err, "not_found", "person", "没有这个人 (no "
		    "such person)");
	if (rc != 0 || store_begin(s, err) != 0)
		return -1;
	if (issue_body(s, ps, sp, it, &p, year, date, today, actor, item_out,
	    d_out, err) != 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err);
}

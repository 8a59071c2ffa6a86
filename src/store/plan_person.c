/*
 * plan_person.c - a person's plans with their items and deliveries in one
 * statement (plan.h's plan_person_each()), for the person page.
 *
 * The rows are the left join plans -> items -> deliveries of one person:
 * a plan's columns repeat on each of its items' rows and an item's on
 * each of its deliveries' rows; a plan without items has NULL item
 * columns, an item without deliveries NULL delivery columns. A change of
 * plan id or item id starts the next one. On PostgreSQL:
 * pg_plan_person_each() (pg/pg_plan.h).
 */
#include "store/plan_int.h"
#include "store/pg/pg_plan.h"

#include <string.h>

/* Where the row's plan, item and delivery columns start. */
#define COL_PLAN	0
#define COL_ITEM	PLAN_NCOLS

struct walk {
	const struct plan_person_fns	*fns;
	void				*arg;
	struct plan			 plan;
	struct plan_item		*it;
	struct plan_delivery		 d;
	int64_t				 plan_id, item_id;
	int				 col_dlv;
};

/* Hands over what is new in the current row; non-zero to stop. */
static int
walk_row(struct walk *w, sqlite3_stmt *st)
{
	int64_t id = sqlite3_column_int64(st, COL_PLAN);
	int rc;

	if (id != w->plan_id) {
		w->plan_id = id;
		w->item_id = 0;
		plan_from_row(st, COL_PLAN, &w->plan);
		if ((rc = w->fns->plan(w->arg, &w->plan)) != 0)
			return rc;
	}
	if (sqlite3_column_type(st, COL_ITEM) == SQLITE_NULL)
		return 0;
	id = sqlite3_column_int64(st, COL_ITEM);
	if (id != w->item_id) {
		w->item_id = id;
		plan_item_from_row(st, COL_ITEM, w->it);
		if ((rc = w->fns->item(w->arg, w->it)) != 0)
			return rc;
	}
	if (sqlite3_column_type(st, w->col_dlv) == SQLITE_NULL)
		return 0;
	plan_delivery_from_row(st, w->col_dlv, &w->d);
	return w->fns->delivery(w->arg, &w->d);
}

int
plan_person_each(struct store *s, int64_t person_id,
    const struct plan_person_fns *fns, void *arg, struct lf_error *err)
{
	sqlite3_stmt *st;
	struct walk w;
	int rc = 0, step = SQLITE_DONE;

	if (store_is_pg(s))
		return pg_plan_person_each(s, person_id, fns, arg, err);
	if ((st = plan_stmt(s, PS_PERSON_PLANS, err)) == NULL)
		return -1;
	memset(&w, 0, sizeof(w));
	if ((w.it = mem_alloc(sizeof(*w.it))) == NULL)
		return lf_error_nomem(err);
	w.fns = fns;
	w.arg = arg;
	w.col_dlv = sqlite3_column_count(st) - PLAN_DLV_NCOLS;
	sqlite3_bind_int64(st, 1, person_id);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = walk_row(&w, st);
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlite_error(s, "plans of a person", err);
	sqlite3_reset(st);
	mem_free(w.it);
	return rc;
}

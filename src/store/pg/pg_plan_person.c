/*
 * pg_plan_person.c - a person's plans with their items (plan.h's
 * plan_person_each()) on PostgreSQL, for the person page: two queries
 * (plans by year, items by year and seq) in one transaction, so that
 * they are read as of one moment, walked together. PostgreSQL has no
 * deliveries table yet (docs/postgresql.md): no delivery is handed over.
 */
#include "store/pg/pg_int.h"
#include "store/pg/pg_plan.h"
#include "store/plan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

/* The person's plans and items into *plans and *items. */
static int
read_both(struct store *s, const char *id, PGresult **plans,
    PGresult **items, struct lf_error *err)
{
	const char *params[1] = { id };
	struct buf sql;
	int rc;

	*plans = *items = NULL;
	if (pg_query(s->pg->conn, "SELECT " PLAN_COLS " FROM plans WHERE "
	    "person_id = $1 ORDER BY year", 1, params, plans, "plans of a "
	    "person", err) != 0)
		return -1;
	buf_init(&sql, 1 << 14);
	rc = buf_adds(&sql, "SELECT ") != 0 || plan_item_cols(&sql, 0) != 0 ||
	    buf_adds(&sql, " FROM items WHERE person_id = $1 ORDER BY year, "
	    "seq") != 0 ? lf_error_nomem(err) : pg_query(s->pg->conn,
	    buf_str(&sql), 1, params, items, "items of a person", err);
	buf_free(&sql);
	return rc;
}

/* Hands plans and, after each plan, the items of its year over. */
static int
walk(PGresult *plans, PGresult *items, const struct plan_person_fns *fns,
    void *arg, struct lf_error *err)
{
	struct plan p;
	struct plan_item *it = mem_alloc(sizeof(*it));
	int i, j = 0, n = PQntuples(items), rc = 0;

	if (it == NULL)
		return lf_error_nomem(err);
	if (n > 0)
		pg_plan_item_row(items, 0, it);
	for (i = 0; rc == 0 && i < PQntuples(plans); i++) {
		pg_plan_row(plans, i, &p);
		if ((rc = fns->plan(arg, &p)) != 0)
			break;
		/* items of a year without a plan are not shown (as the
		 * left join on SQLite) */
		while (rc == 0 && j < n && it->year <= p.year) {
			if (it->year == p.year)
				rc = fns->item(arg, it);
			if (++j < n)
				pg_plan_item_row(items, j, it);
		}
	}
	mem_free(it);
	return rc;
}

int
pg_plan_person_each(struct store *s, int64_t person_id,
    const struct plan_person_fns *fns, void *arg, struct lf_error *err)
{
	PGresult *plans, *items;
	char id[24];
	int own, rc;

	snprintf(id, sizeof(id), "%lld", (long long)person_id);
	if ((own = pg_tx_begin(s, 0, err)) < 0)
		return -1;
	rc = read_both(s, id, &plans, &items, err);
	if (rc == 0)
		rc = walk(plans, items, fns, arg, err);
	PQclear(plans);
	PQclear(items);
	if (pg_tx_end(s, own, rc == 0 ? err : NULL) != 0 && rc == 0)
		rc = -1;
	return rc;
}

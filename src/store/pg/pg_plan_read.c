/*
 * pg_plan_read.c - a person's plan of a year, the years of their plans
 * and a plan's items, read one at a time (plan.h's plan_get(),
 * plan_years(), plan_items()) on PostgreSQL, for the self-service page
 * and the satisfaction ratings (feedback/). Each read runs in the
 * caller's transaction or a read-only one of its own, scoped (row-level
 * security). The rows are decoded as the plan build's are
 * (pg_plan_row(), pg_plan_item_row()).
 */
#include "store/pg/pg_int.h"
#include "store/pg/pg_plan.h"
#include "store/plan_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "lib/mem.h"

/* Runs sql with params in a transaction (the caller's or its own); *r
 * gets the rows. 0 or -1. */
static int
read_rows(struct store *s, const char *sql, int n, const char *const *params,
    PGresult **r, const char *what, struct lf_error *err)
{
	int own, rc;

	*r = NULL;
	if ((own = pg_tx_begin(s, 0, err)) < 0)
		return -1;
	rc = pg_query(s->pg->conn, sql, n, params, r, what, err);
	if (pg_tx_end(s, own, rc == 0 ? err : NULL) != 0 && rc == 0) {
		PQclear(*r);
		*r = NULL;
		rc = -1;
	}
	return rc;
}

int
pg_plan_get(struct store *s, int64_t person_id, int year, struct plan *out,
    struct lf_error *err)
{
	char id[24], y[12];
	const char *params[2] = { id, y };
	PGresult *r;
	int found;

	snprintf(id, sizeof(id), "%lld", (long long)person_id);
	snprintf(y, sizeof(y), "%d", year);
	if (read_rows(s, "SELECT " PLAN_COLS " FROM plans WHERE person_id = "
	    "$1 AND year = $2", 2, params, &r, "plan", err) != 0)
		return -1;
	if ((found = PQntuples(r) > 0))
		pg_plan_row(r, 0, out);
	PQclear(r);
	return found ? 0 : 1;
}

int
pg_plan_years(struct store *s, int64_t person_id, int *years, size_t max,
    size_t *n, struct lf_error *err)
{
	char id[24];
	const char *params[1] = { id };
	PGresult *r;
	int i;

	*n = 0;
	snprintf(id, sizeof(id), "%lld", (long long)person_id);
	if (read_rows(s, "SELECT year FROM plans WHERE person_id = $1 ORDER "
	    "BY year", 1, params, &r, "plan years", err) != 0)
		return -1;
	for (i = 0; i < PQntuples(r) && *n < max; i++)
		years[(*n)++] = atoi(PQgetvalue(r, i, 0));
	PQclear(r);
	return 0;
}

int
pg_plan_items(struct store *s, int64_t plan_id, plan_item_fn fn, void *arg,
    struct lf_error *err)
{
	struct plan_item *it;
	char id[24];
	const char *params[1] = { id };
	struct buf sql;
	PGresult *r;
	int i, rc;

	snprintf(id, sizeof(id), "%lld", (long long)plan_id);
	buf_init(&sql, 1 << 14);
	/* the plan's person and year, in its county (the items' key) */
	rc = buf_adds(&sql, "SELECT ") != 0 || plan_item_cols(&sql, 0) != 0 ||
	    buf_adds(&sql, " FROM items i WHERE (i.city, i.county, "
	    "i.person_id, i.year) = (SELECT city, county, person_id, year "
	    "FROM plans WHERE id = $1) ORDER BY i.seq") != 0 ?
	    lf_error_nomem(err) : read_rows(s, buf_str(&sql), 1, params, &r,
	    "items of a plan", err);
	buf_free(&sql);
	if (rc != 0)
		return -1;
	if ((it = mem_alloc(sizeof(*it))) == NULL) {
		PQclear(r);
		return lf_error_nomem(err);
	}
	for (i = 0; rc == 0 && i < PQntuples(r); i++) {
		pg_plan_item_row(r, i, it);
		rc = fn(arg, it);
	}
	mem_free(it);
	PQclear(r);
	return rc;
}

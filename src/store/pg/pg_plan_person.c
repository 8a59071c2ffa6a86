/*
 * pg_plan_person.c - a person's plans with their items (plan.h's
 * plan_person_each()) on PostgreSQL, for the person page: three queries
 * (plans by year, items by year and seq, the items' deliveries by item,
 * date and id) in one transaction, so that they are read as of one
 * moment, walked together: each item's deliveries follow it, as the
 * left join hands them over on SQLite.
 */
#include "store/pg/pg_int.h"
#include "store/pg/pg_plan.h"
#include "store/plan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

/* The person's plans, items and deliveries into r[0], r[1], r[2]. */
static int
read_all(struct store *s, const char *id, PGresult *r[3],
    struct lf_error *err)
{
	const char *params[1] = { id };
	PGresult **plans = &r[0], **items = &r[1];
	struct buf sql;
	int rc;

	r[0] = r[1] = r[2] = NULL;
	if (pg_query(s->pg->conn, "SELECT " PLAN_DLV_COLS " FROM deliveries "
	    "WHERE item_id IN (SELECT id FROM items WHERE person_id = $1) "
	    "ORDER BY item_id, date, id", 1, params, &r[2], "deliveries of a "
	    "person", err) != 0)
		return -1;
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

/* Row i of r (PLAN_DLV_COLS) into d. */
static void
delivery_row(const PGresult *r, int i, struct plan_delivery *d)
{
	memset(d, 0, sizeof(*d));
	d->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	d->item_id = strtoll(PQgetvalue(r, i, 1), NULL, 10);
	snprintf(d->date, sizeof(d->date), "%s", PQgetvalue(r, i, 2));
	d->amount = strtoll(PQgetvalue(r, i, 3), NULL, 10);
	snprintf(d->note, sizeof(d->note), "%s", PQgetvalue(r, i, 4));
	snprintf(d->client_id, sizeof(d->client_id), "%s",
	    PQgetvalue(r, i, 5));
	plan_time_iso(strtoll(PQgetvalue(r, i, 6), NULL, 10), d->created_at);
	snprintf(d->created_by, sizeof(d->created_by), "%s",
	    PQgetvalue(r, i, 7));
}

/* Hands item it over, then its deliveries (rows of dlv, by item). */
static int
item_with(const struct plan_person_fns *fns, void *arg,
    const struct plan_item *it, const PGresult *dlv)
{
	struct plan_delivery d;
	int i, rc = fns->item(arg, it);

	for (i = 0; rc == 0 && i < PQntuples(dlv); i++)
		if (strtoll(PQgetvalue(dlv, i, 1), NULL, 10) == it->id) {
			delivery_row(dlv, i, &d);
			rc = fns->delivery(arg, &d);
		}
	return rc;
}

/* Hands plans and, after each plan, the items of its year over, each
 * with its deliveries. */
static int
walk(PGresult *plans, PGresult *items, PGresult *dlv,
    const struct plan_person_fns *fns, void *arg, struct lf_error *err)
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
				rc = item_with(fns, arg, it, dlv);
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
	PGresult *r[3];
	char id[24];
	int own, rc;

	snprintf(id, sizeof(id), "%lld", (long long)person_id);
	if ((own = pg_tx_begin(s, 0, err)) < 0)
		return -1;
	rc = read_all(s, id, r, err);
	if (rc == 0)
		rc = walk(r[0], r[1], r[2], fns, arg, err);
	PQclear(r[0]);
	PQclear(r[1]);
	PQclear(r[2]);
	if (pg_tx_end(s, own, rc == 0 ? err : NULL) != 0 && rc == 0)
		rc = -1;
	return rc;
}

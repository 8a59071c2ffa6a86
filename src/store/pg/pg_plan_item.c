/*
 * pg_plan_item.c - a stored item read whole, updated and deleted by id
 * on PostgreSQL, each change with its history row (pg_plan.h): what the
 * bulk build's refresh of a changed survey writes (plan/plan_merge.c
 * decides, store/plan.c's plan_item_save/delete make the history's
 * change set and dispatch here).
 *
 * The columns and their stored forms come from store/plan.c's one
 * table (plan_item_col*, plan_int.h). A row is addressed by its key
 * (city, county, id), the county taken from the item's village, so a
 * write touches one partition; history gets the same row SQLite's
 * store_history_add() writes, in the same transaction.
 */
#include "store/pg/pg_plan.h"
#include "store/pg/pg_int.h"
#include "store/plan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The city and county of a 12-digit village. */
static void
county_of(const char *village, char city[5], char county[7])
{
	snprintf(city, 5, "%.4s", village);
	snprintf(county, 7, "%.6s", village);
}

void
pg_plan_item_row(const PGresult *r, int row, struct plan_item *it)
{
	size_t i;

	memset(it, 0, sizeof(*it));
	for (i = 0; i < PLAN_ITEM_NCOLS; i++)
		plan_item_col_set(it, i, PQgetisnull(r, row, (int)i) ? NULL :
		    PQgetvalue(r, row, (int)i));
}

/* The prefetched row of item id (the last person's rows first), or -1. */
static int
cached_row(const struct pgstore *p, int64_t id)
{
	const PGresult *c = p->cache_items;
	int i, n;

	if (c == NULL)
		return -1;
	n = PQntuples(c);
	for (i = p->light_from; i < p->light_to && i < n; i++)
		if (strtoll(PQgetvalue(c, i, 0), NULL, 10) == id)
			return i;
	for (i = 0; i < n; i++)
		if (strtoll(PQgetvalue(c, i, 0), NULL, 10) == id)
			return i;
	return -1;
}

/* The select of an item: by its key when the county is known. */
static int
load_sql(struct buf *b, int keyed)
{
	return buf_adds(b, "SELECT ") != 0 || plan_item_cols(b, 0) != 0 ||
	    buf_adds(b, keyed ? " FROM items WHERE city = $1 AND county = $2 "
	    "AND id = $3" : " FROM items WHERE id = $1") != 0 ? -1 : 0;
}

/* pg_plan_item_load() in a transaction: 0, 1 none, -1. */
static int
load(struct store *s, int64_t id, struct plan_item *it, struct lf_error *err)
{
	const PGresult *c = s->pg->cache_items;
	int row = cached_row(s->pg, id), rc;
	const char *params[3];
	char sid[24];
	struct buf sql;
	PGresult *r;

	snprintf(sid, sizeof(sid), "%lld", (long long)id);
	params[0] = row >= 0 ? PQgetvalue(c, row, PG_ITEM_CITY) : sid;
	params[1] = row >= 0 ? PQgetvalue(c, row, PG_ITEM_COUNTY) : NULL;
	params[2] = sid;
	buf_init(&sql, 1 << 14);
	if (load_sql(&sql, row >= 0) != 0)
		rc = lf_error_nomem(err);
	else
		rc = pg_query(s->pg->conn, buf_str(&sql), row >= 0 ? 3 : 1,
		    params, &r, "item", err);
	buf_free(&sql);
	if (rc != 0)
		return -1;
	rc = PQntuples(r) == 1 ? 0 : 1;
	if (rc == 0)
		pg_plan_item_row(r, 0, it);
	PQclear(r);
	return rc;
}

int
pg_plan_item_load(struct store *s, int64_t id, struct plan_item *it,
    struct lf_error *err)
{
	int own, rc;

	if ((own = pg_tx_begin(s, 0, err)) < 0)
		return -1;
	if ((rc = load(s, id, it, err)) < 0) {
		pg_tx_end(s, own, NULL);
		return -1;
	}
	return pg_tx_end(s, own, err) != 0 ? -1 : rc;
}

/* History's row of a change of it (store_history_add()'s columns). */
static int
history_add(struct store *s, const struct plan_item *it, const char *actor,
    const char *at, const char *changes, struct lf_error *err)
{
	char city[5], county[7], eid[24], pid[24], year[16], ver[24];
	const char *params[9] = { city, county, eid, pid, year, ver, actor,
	    at, changes };
	PGresult *r;

	county_of(it->region, city, county);
	snprintf(eid, sizeof(eid), "%lld", (long long)it->id);
	snprintf(pid, sizeof(pid), "%lld", (long long)it->person_id);
	snprintf(year, sizeof(year), "%d", it->year);
	snprintf(ver, sizeof(ver), "%lld", (long long)it->version);
	if (pg_query(s->pg->conn, "INSERT INTO history(city, county, entity, "
	    "entity_id, person_id, year, version, actor, at, changes) VALUES "
	    "($1, $2, 'item', $3, $4, $5, $6, $7, $8, $9)", 9, params, &r,
	    "history", err) != 0)
		return -1;
	PQclear(r);
	return 0;
}

/* Runs sql (n params) that must touch one row of item version ver:
 * "conflict" when it touched none. */
static int
one_row(struct store *s, const char *sql, int n, const char *const *params,
    int64_t ver, const char *what, struct lf_error *err)
{
	PGresult *r;
	int rc;

	if (pg_query(s->pg->conn, sql, n, params, &r, what, err) != 0)
		return -1;
	rc = strcmp(PQcmdTuples(r), "1") == 0 ? 0 : plan_version_check(-1,
	    ver, "item", err);
	PQclear(r);
	return rc;
}

/* "UPDATE items SET c = $1, ... WHERE <key> AND version = $n": the
 * columns an update writes; *n = how many. */
static int
update_sql(struct buf *b, int *n)
{
	const char *col;
	size_t i;
	int upd;

	*n = 0;
	if (buf_adds(b, "UPDATE items SET ") != 0)
		return -1;
	for (i = 0; i < PLAN_ITEM_NCOLS; i++) {
		col = plan_item_col(i, &upd);
		if (upd && buf_addf(b, "%s%s = $%d", *n ? ", " : "", col,
		    *n + 1) != 0)
			return -1;
		*n += upd != 0;
	}
	return buf_addf(b, " WHERE city = $%d AND county = $%d AND id = $%d "
	    "AND version = $%d", *n + 1, *n + 2, *n + 3, *n + 4);
}

/* Writes new over old, the version checked. */
static int
update(struct store *s, const struct plan_item *old,
    const struct plan_item *new, struct lf_error *err)
{
	char num[PLAN_ITEM_NCOLS][24], city[5], county[7], id[24], ver[24];
	const char *params[PLAN_ITEM_NCOLS + 4];
	struct buf sql;
	size_t i;
	int n, k = 0, upd, rc;

	for (i = 0; i < PLAN_ITEM_NCOLS; i++) {
		plan_item_col(i, &upd);
		if (upd)
			params[k++] = plan_item_col_value(new, i, num[i]);
	}
	county_of(old->region, city, county);
	snprintf(id, sizeof(id), "%lld", (long long)old->id);
	snprintf(ver, sizeof(ver), "%lld", (long long)old->version);
	params[k++] = city;
	params[k++] = county;
	params[k++] = id;
	params[k++] = ver;
	buf_init(&sql, 1 << 14);
	if (update_sql(&sql, &n) != 0)
		rc = lf_error_nomem(err);
	else
		rc = one_row(s, buf_str(&sql), k, params, old->version,
		    "item update", err);
	buf_free(&sql);
	return rc;
}

int
pg_plan_item_update(struct store *s, const struct plan_item *old,
    const struct plan_item *new, const char *at, const char *changes,
    struct lf_error *err)
{
	int own, rc;

	if ((own = pg_tx_begin(s, 1, err)) < 0)
		return -1;
	rc = history_add(s, old, new->updated_by, at, changes, err) == 0 &&
	    update(s, old, new, err) == 0 ? 0 : -1;
	if (rc != 0) {
		pg_tx_end(s, own, NULL);
		return -1;
	}
	return pg_tx_end(s, own, err);
}

int
pg_plan_item_delete(struct store *s, const struct plan_item *it,
    const char *actor, const char *at, const char *changes,
    struct lf_error *err)
{
	char city[5], county[7], id[24], ver[24];
	const char *params[4] = { city, county, id, ver };
	int own, rc;

	county_of(it->region, city, county);
	snprintf(id, sizeof(id), "%lld", (long long)it->id);
	snprintf(ver, sizeof(ver), "%lld", (long long)it->version);
	if ((own = pg_tx_begin(s, 1, err)) < 0)
		return -1;
	rc = history_add(s, it, actor, at, changes, err) == 0 &&
	    one_row(s, "DELETE FROM items WHERE city = $1 AND county = $2 AND "
	    "id = $3 AND version = $4", 4, params, it->version,
	    "item delete", err) == 0 ? 0 : -1;
	if (rc != 0) {
		pg_tx_end(s, own, NULL);
		return -1;
	}
	return pg_tx_end(s, own, err);
}

/* The rows of the scan's cursor a fetch brings. */
#define SCAN_FETCH	"FETCH 4096 FROM liangfu_items_scan"

/* Hands the rows of r to fn: fn's non-zero value when it stopped, 0. */
static int
scan_rows(const PGresult *r, plan_item_fn fn, void *arg)
{
	struct plan_item it;
	int i, rc = 0;

	for (i = 0; rc == 0 && i < PQntuples(r); i++) {
		pg_plan_item_row(r, i, &it);
		rc = fn(arg, &it);
	}
	return rc;
}

int
pg_plan_scan_items(struct store *s, int year, int64_t lo, int64_t hi,
    plan_item_fn fn, void *arg, struct lf_error *err)
{
	char y[16], l[24], h[24];
	const char *params[3] = { y, l, h };
	struct lf_error e;
	struct buf sql;
	PGresult *r;
	int own, rc, n;

	snprintf(y, sizeof(y), "%d", year);
	snprintf(l, sizeof(l), "%lld", (long long)lo);
	snprintf(h, sizeof(h), "%lld", (long long)hi);
	buf_init(&sql, 1 << 14);
	if (buf_adds(&sql, "DECLARE liangfu_items_scan NO SCROLL CURSOR FOR "
	    "SELECT ") != 0 || plan_item_cols(&sql, 0) != 0 ||
	    buf_adds(&sql, " FROM items WHERE year = $1 AND region >= $2 AND "
	    "region < $3 ORDER BY person_id, seq") != 0) {
		buf_free(&sql);
		return lf_error_nomem(err);
	}
	if ((own = pg_tx_begin(s, 0, err)) < 0) {
		buf_free(&sql);
		return -1;
	}
	rc = pg_query(s->pg->conn, buf_str(&sql), 3, params, &r, "items",
	    err);
	buf_free(&sql);
	if (rc == 0)
		PQclear(r);
	/* fn may read on this connection (the item's person) between
	 * fetches: the cursor keeps its place in the transaction */
	while (rc == 0 && (rc = pg_query(s->pg->conn, SCAN_FETCH, 0, NULL, &r,
	    "items", err)) == 0) {
		n = PQntuples(r);
		rc = scan_rows(r, fn, arg);
		PQclear(r);
		if (n == 0)
			break;
	}
	if (rc == 0)
		rc = pg_exec(s->pg->conn, "CLOSE liangfu_items_scan", "items",
		    err);
	else if (own == 0)	/* the caller's transaction goes on */
		pg_exec(s->pg->conn, "CLOSE liangfu_items_scan", "items", &e);
	if (pg_tx_end(s, own, rc == 0 ? err : NULL) != 0 && rc == 0)
		rc = -1;
	return rc;
}

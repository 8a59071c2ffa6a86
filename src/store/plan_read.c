/*
 * plan_read.c - reading plans, items and deliveries (plan.h).
 *
 * Single-row lookups use the connection's cached statements; the calls
 * that hand rows to a callback prepare their own statement, so that the
 * callback may call back into the store.
 */
#include "store/plan_int.h"
#include "store/pg/pg_plan.h"

#include <stdio.h>
#include <string.h>

#include "core/dept.h"
#include "crypto/ref.h"
#include "store/pg/pg_plan.h"

static void
fill_plan(sqlite3_stmt *st, void *out)
{
	plan_from_row(st, 0, out);
}

int
plan_get(struct store *s, int64_t person_id, int year, struct plan *out,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (s->pg != NULL)
		return pg_plan_get(s, person_id, year, out, err);
	if ((st = plan_stmt(s, PS_PLAN_GET, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int(st, 2, year);
	return store_one_row(s, st, fill_plan, out, "plan", err);
}

int
plan_years(struct store *s, int64_t person_id, int *years, size_t max,
    size_t *n, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (s->pg != NULL)
		return pg_plan_years(s, person_id, years, max, n, err);
	*n = 0;
	if ((st = plan_stmt(s, PS_PLAN_YEARS, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		years[(*n)++] = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_error(s, "plan years", err);
	return 0;
}

int
plan_item_ref(struct store *s, int64_t item_id, char out[PLAN_REF_LEN + 1],
    struct lf_error *err)
{
	if (crypto_ref_encode(s->keys, "item", item_id, out) != 0)
		return lf_error_set(err, "crypto", "", "无法生成条目编号 (cannot "
		    "make the item's reference)");
	return 0;
}

int
plan_item_unref(struct store *s, const char *ref, int64_t *item_id)
{
	return crypto_ref_decode(s->keys, "item", ref, item_id) == 0 ? 0 : 1;
}

int
plan_item_get(struct store *s, int64_t item_id, struct plan_item *out,
    struct lf_error *err)
{
	return plan_item_load(s, item_id, out, err);
}

/* Prepares "SELECT <item columns> FROM items " tail; the caller
 * finalizes *st. */
static int
item_query(struct store *s, const char *tail, sqlite3_stmt **st,
    struct lf_error *err)
{
	struct buf sql;
	int rc = -1;

	*st = NULL;
	buf_init(&sql, 8192);
	if (buf_adds(&sql, "SELECT ") != 0 || plan_item_cols(&sql, 1) != 0 ||
	    buf_adds(&sql, " FROM items ") != 0 || buf_adds(&sql, tail) != 0)
		lf_error_nomem(err);
	else if (sqlite3_prepare_v2(s->db, buf_str(&sql), -1, st, NULL) !=
	    SQLITE_OK)
		store_sqlite_error(s, "items", err);
	else
		rc = 0;
	buf_free(&sql);
	return rc;
}

/*
 * Steps st, handing each item to fn. Returns fn's non-zero value when it
 * stopped, 0 at the end, -1 on error. *last (may be NULL) gets the id of
 * the last item handed over. Finalizes st.
 */
static int
item_rows(struct store *s, sqlite3_stmt *st, plan_item_fn fn, void *arg,
    int64_t *last, struct lf_error *err)
{
	struct plan_item *it = mem_alloc(sizeof(*it));
	int rc = 0, step = SQLITE_DONE;

	if (it == NULL) {
		sqlite3_finalize(st);
		return lf_error_nomem(err);
	}
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		plan_item_from_row(st, 0, it);
		if (last != NULL)
			*last = it->id;
		rc = fn(arg, it);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlite_error(s, "items", err);
	sqlite3_finalize(st);
	mem_free(it);
	return rc;
}

int
plan_items(struct store *s, int64_t plan_id, plan_item_fn fn, void *arg,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (s->pg != NULL)
		return pg_plan_items(s, plan_id, fn, arg, err);
	if (item_query(s, "WHERE " PLAN_ITEMS_OF " ORDER BY seq", &st,
	    err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, plan_id);
	return item_rows(s, st, fn, arg, NULL, err);
}

void
plan_delivery_from_row(sqlite3_stmt *st, int col, struct plan_delivery *d)
{
	d->id = sqlite3_column_int64(st, col);
	d->item_id = sqlite3_column_int64(st, col + 1);
	store_copy_col(st, col + 2, d->date, sizeof(d->date));
	d->amount = sqlite3_column_int64(st, col + 3);
	store_copy_col(st, col + 4, d->note, sizeof(d->note));
	store_copy_col(st, col + 5, d->client_id, sizeof(d->client_id));
	plan_time_iso(sqlite3_column_int64(st, col + 6), d->created_at);
	store_copy_col(st, col + 7, d->created_by, sizeof(d->created_by));
}

static void
delivery_from_row(sqlite3_stmt *st, void *out)
{
	plan_delivery_from_row(st, 0, out);
}

int
plan_delivery_by_client(struct store *s, const char *client_id,
    struct plan_delivery *out, struct lf_error *err)
{
	sqlite3_stmt *st = plan_stmt(s, PS_DLV_BY_CLIENT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, client_id, -1, SQLITE_STATIC);
	return store_one_row(s, st, delivery_from_row, out, "delivery", err);
}

int
plan_deliveries(struct store *s, int64_t item_id, plan_delivery_fn fn,
    void *arg, struct lf_error *err)
{
	struct plan_delivery *d = mem_alloc(sizeof(*d));
	sqlite3_stmt *st = NULL;
	int rc = -1, step = SQLITE_DONE;

	if (d == NULL)
		return lf_error_nomem(err);
	/* PostgreSQL has no deliveries table yet (docs/postgresql.md): an
	 * item has none there, as on the person page (pg_plan_person.c) */
	if (s->pg != NULL) {
		mem_free(d);
		return 0;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT " PLAN_DLV_COLS " FROM deliveries"
	    " WHERE item_id = ? ORDER BY date, id", -1, &st, NULL) !=
	    SQLITE_OK) {
		store_sqlite_error(s, "deliveries", err);
		goto out;
	}
	sqlite3_bind_int64(st, 1, item_id);
	rc = 0;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		plan_delivery_from_row(st, 0, d);
		rc = fn(arg, d);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlite_error(s, "deliveries", err);
out:
	sqlite3_finalize(st);
	mem_free(d);
	return rc;
}

static int
inbox_check(const struct plan_inbox_query *q, const struct dept **d,
    struct lf_error *err)
{
	if (q->dept == NULL || (*d = dept_find(q->dept)) == NULL)
		return lf_error_set(err, "invalid", "dept", "部门代码未知 "
		    "(dept: unknown department code)");
	if (q->year < PLAN_YEAR_MIN || q->year > PLAN_YEAR_MAX)
		return lf_error_set(err, "invalid", "year", "年度无效 (year %d "
		    "is out of range)", q->year);
	if (q->dept_state < -1 || q->dept_state > DEPT_RETURNED)
		return lf_error_set(err, "invalid", "dept_state", "部门处理状态"
		    "无效 (dept_state: -1 for any, or 0..2)");
	if (q->limit < 1 || q->limit > 1000)
		return lf_error_set(err, "invalid", "limit", "每页条数无效 "
		    "(limit: 1..1000)");
	return 0;
}

int
plan_inbox(struct store *s, const struct plan_inbox_query *q,
    plan_item_fn fn, void *arg, int64_t *last, struct lf_error *err)
{
	const struct dept *d = NULL;
	sqlite3_stmt *st;
	int64_t lo, hi;

	*last = q->after;
	if (inbox_check(q, &d, err) != 0 ||
	    plan_region_bounds(q->region, &lo, &hi, err) != 0)
		return -1;
	if (item_query(s, "WHERE dept = ?1 AND year = ?2 AND region >= ?3 AND "
	    "region < ?4 AND decision = 1 AND id > ?5 AND (?6 < 0 OR "
	    "dept_state = ?6) AND EXISTS (SELECT 1 FROM plans p WHERE p.id = "
	    "items.plan_id AND p.status = 2) ORDER BY id LIMIT ?7", &st,
	    err) != 0)
		return -1;
	sqlite3_bind_text(st, 1, d->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, q->year);
	sqlite3_bind_int64(st, 3, lo);
	sqlite3_bind_int64(st, 4, hi);
	sqlite3_bind_int64(st, 5, q->after);
	sqlite3_bind_int(st, 6, q->dept_state);
	sqlite3_bind_int(st, 7, q->limit);
	return item_rows(s, st, fn, arg, last, err);
}

int
plan_scan_items(struct store *s, int year, const char *region,
    plan_item_fn fn, void *arg, struct lf_error *err)
{
	sqlite3_stmt *st;
	int64_t lo = 0, hi = 1000000000000LL;

	if (region != NULL && plan_region_bounds(region, &lo, &hi, err) != 0)
		return -1;
	if (s->pg != NULL)
		return pg_plan_scan_items(s, year, lo, hi, fn, arg, err);
	if (item_query(s, "WHERE year = ? AND region >= ? AND region < ? "
	    "ORDER BY person_id, seq", &st, err) != 0)
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	return item_rows(s, st, fn, arg, NULL, err);
}

/* ---- plans of a region, with their counts -------------------------- */

static int
list_check(const struct plan_list_query *q, struct lf_error *err)
{
	if (q->year < PLAN_YEAR_MIN || q->year > PLAN_YEAR_MAX)
		return lf_error_set(err, "invalid", "year", "年度无效 (year %d "
		    "is out of range)", q->year);
	if (q->status < -1 || q->status > PLAN_CLOSED || q->status == 0)
		return lf_error_set(err, "invalid", "status", "计划状态无效 "
		    "(status: -1 for any, or 1 draft, 2 confirmed, 3 closed)");
	if (q->limit < 1 || q->limit > 1000)
		return lf_error_set(err, "invalid", "limit", "每页条数无效 "
		    "(limit: 1..1000)");
	return 0;
}

int
plan_list(struct store *s, const struct plan_list_query *q,
    plan_summary_fn fn, void *arg, int64_t *last, struct lf_error *err)
{
	struct plan_summary ps;
	sqlite3_stmt *st;
	int64_t lo, hi;
	int rc, stop = 0;

	*last = q->after;
	if (list_check(q, err) != 0 ||
	    plan_region_bounds(q->region, &lo, &hi, err) != 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, "SELECT p.id, p.person_id, p.status, "
	    "count(i.id), IFNULL(sum(i.decision = 0), 0), "
	    "IFNULL(sum(i.status = 3), 0), IFNULL(sum(" PLAN_OVERDUE_SQL "), 0), "
	    "IFNULL(sum(i.funds_planned), 0), IFNULL(sum(i.funds_spent), 0) "
	    "FROM plans p LEFT JOIN items i ON i.year = p.year AND "
	    "i.person_id = p.person_id AND i.decision != 2 WHERE p.year = ?2 "
	    "AND p.region >= ?3 AND p.region < ?4 AND (?5 < 0 OR p.status = "
	    "?5) AND p.id > ?6 GROUP BY p.id ORDER BY p.id LIMIT ?7", -1, &st,
	    NULL) != SQLITE_OK)
		return store_sqlite_error(s, "plan list", err);
	sqlite3_bind_int(st, 1, q->overdue_before);
	sqlite3_bind_int(st, 2, q->year);
	sqlite3_bind_int64(st, 3, lo);
	sqlite3_bind_int64(st, 4, hi);
	sqlite3_bind_int(st, 5, q->status);
	sqlite3_bind_int64(st, 6, q->after);
	sqlite3_bind_int(st, 7, q->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&ps, 0, sizeof(ps));
		ps.plan_id = sqlite3_column_int64(st, 0);
		ps.person_id = sqlite3_column_int64(st, 1);
		ps.status = sqlite3_column_int(st, 2);
		ps.items = sqlite3_column_int(st, 3);
		ps.open = sqlite3_column_int(st, 4);
		ps.done = sqlite3_column_int(st, 5);
		ps.overdue = sqlite3_column_int(st, 6);
		ps.planned = sqlite3_column_int64(st, 7);
		ps.spent = sqlite3_column_int64(st, 8);
		*last = ps.plan_id;
		if ((stop = fn(arg, &ps)) != 0)
			break;
	}
	if (stop == 0 && rc != SQLITE_DONE)
		stop = store_sqlite_error(s, "plan list", err);
	sqlite3_finalize(st);
	return stop < 0 ? -1 : 0;
}

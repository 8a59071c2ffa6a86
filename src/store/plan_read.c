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
#include "store/dbq.h"

int
plan_get(struct store *s, int64_t person_id, int year, struct plan *out,
    struct lf_error *err)
{
	struct dbq q = { 0 };
	int rc;

	if ((rc = dbq_prep(s, &q, "SELECT " PLAN_COLS " FROM plans WHERE "
	    "person_id = ? AND year = ?", "plan", err)) == 0 &&
	    (rc = dbq_bind(&q, err, "ii", person_id, (int64_t)year)) == 0 &&
	    (rc = dbq_step(&q, err)) == 1)
		plan_from_dbq(&q, 0, out);
	dbq_end(&q);
	return rc == 1 ? 0 : rc == 0 ? 1 : -1;
}

int
plan_years(struct store *s, int64_t person_id, int *years, size_t max,
    size_t *n, struct lf_error *err)
{
	struct dbq q = { 0 };
	int rc;

	*n = 0;
	if ((rc = dbq_prep(s, &q, "SELECT year FROM plans WHERE person_id = ? "
	    "ORDER BY year", "plan years", err)) == 0 &&
	    (rc = dbq_bind(&q, err, "i", person_id)) == 0)
		while ((rc = dbq_step(&q, err)) == 1 && *n < max)
			years[(*n)++] = dbq_int(&q, 0);
	dbq_end(&q);
	return rc < 0 || rc == 2 ? -1 : 0;
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

/* Prepares "SELECT <item columns> FROM items " tail into q (dbq.h's
 * dialect); the caller ends q. */
static int
item_query(struct store *s, struct dbq *q, const char *tail,
    struct lf_error *err)
{
	struct buf sql;
	int rc = -1;

	buf_init(&sql, 8192);
	if (buf_adds(&sql, "SELECT ") != 0 ||
	    plan_item_cols(&sql, !dbq_is_pg(s)) != 0 ||
	    buf_adds(&sql, " FROM items ") != 0 || buf_adds(&sql, tail) != 0)
		lf_error_nomem(err);
	else
		rc = dbq_prep(s, q, buf_str(&sql), "items", err);
	buf_free(&sql);
	return rc;
}

/*
 * Steps q, handing each item to fn. Returns fn's non-zero value when it
 * stopped, 0 at the end, -1 on error. *last (may be NULL) gets the id of
 * the last item handed over. Ends q.
 */
static int
item_rows(struct dbq *q, plan_item_fn fn, void *arg, int64_t *last,
    struct lf_error *err)
{
	struct plan_item *it = mem_alloc(sizeof(*it));
	int rc = 0, step = 0;

	if (it == NULL) {
		dbq_end(q);
		return lf_error_nomem(err);
	}
	while (rc == 0 && (step = dbq_step(q, err)) == 1) {
		plan_item_from_dbq(q, 0, it);
		if (last != NULL)
			*last = it->id;
		rc = fn(arg, it);
	}
	if (rc == 0 && step != 0)
		rc = -1;
	dbq_end(q);
	mem_free(it);
	return rc;
}

int
plan_items(struct store *s, int64_t plan_id, plan_item_fn fn, void *arg,
    struct lf_error *err)
{
	struct dbq q = { 0 };

	if (item_query(s, &q, "WHERE " PLAN_ITEMS_OF_Q " ORDER BY seq",
	    err) != 0 || dbq_bind(&q, err, "ii", plan_id, plan_id) != 0) {
		dbq_end(&q);
		return -1;
	}
	return item_rows(&q, fn, arg, NULL, err);
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

void
plan_delivery_from_dbq(struct dbq *q, int col, struct plan_delivery *d)
{
	d->id = dbq_int64(q, col);
	d->item_id = dbq_int64(q, col + 1);
	dbq_copy(q, col + 2, d->date, sizeof(d->date));
	d->amount = dbq_int64(q, col + 3);
	dbq_copy(q, col + 4, d->note, sizeof(d->note));
	dbq_copy(q, col + 5, d->client_id, sizeof(d->client_id));
	plan_time_iso(dbq_int64(q, col + 6), d->created_at);
	dbq_copy(q, col + 7, d->created_by, sizeof(d->created_by));
}

int
plan_delivery_by_client(struct store *s, const char *client_id,
    struct plan_delivery *out, struct lf_error *err)
{
	struct dbq q = { 0 };
	int rc;

	if ((rc = dbq_prep(s, &q, "SELECT " PLAN_DLV_COLS " FROM deliveries "
	    "WHERE client_id = ?", "delivery", err)) == 0 &&
	    (rc = dbq_bind(&q, err, "t", client_id)) == 0 &&
	    (rc = dbq_step(&q, err)) == 1)
		plan_delivery_from_dbq(&q, 0, out);
	dbq_end(&q);
	return rc == 1 ? 0 : rc == 0 ? 1 : -1;
}

int
plan_deliveries(struct store *s, int64_t item_id, plan_delivery_fn fn,
    void *arg, struct lf_error *err)
{
	struct plan_delivery *d = mem_alloc(sizeof(*d));
	struct dbq q = { 0 };
	int rc, step = 0;

	if (d == NULL)
		return lf_error_nomem(err);
	if ((rc = dbq_prep(s, &q, "SELECT " PLAN_DLV_COLS " FROM deliveries "
	    "WHERE item_id = ? ORDER BY date, id", "deliveries", err)) == 0)
		rc = dbq_bind(&q, err, "i", item_id);
	while (rc == 0 && (step = dbq_step(&q, err)) == 1) {
		plan_delivery_from_dbq(&q, 0, d);
		rc = fn(arg, d);
	}
	if (rc == 0 && step != 0)
		rc = -1;
	dbq_end(&q);
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
plan_inbox(struct store *s, const struct plan_inbox_query *q_,
    plan_item_fn fn, void *arg, int64_t *last, struct lf_error *err)
{
	const struct dept *d = NULL;
	struct dbq q = { 0 };
	int64_t lo, hi;

	*last = q_->after;
	if (inbox_check(q_, &d, err) != 0 ||
	    plan_region_bounds(q_->region, &lo, &hi, err) != 0)
		return -1;
	if (item_query(s, &q, "WHERE dept = ? AND year = ? AND region >= ? AND "
	    "region < ? AND decision = 1 AND id > ? AND (? < 0 OR "
	    "dept_state = ?) AND EXISTS (SELECT 1 FROM plans p WHERE p.id = "
	    "items.plan_id AND p.status = 2) ORDER BY id LIMIT ?", err) != 0 ||
	    dbq_bind(&q, err, "tiiiiiii", d->code, (int64_t)q_->year, lo, hi,
	    q_->after, (int64_t)q_->dept_state, (int64_t)q_->dept_state,
	    (int64_t)q_->limit) != 0) {
		dbq_end(&q);
		return -1;
	}
	return item_rows(&q, fn, arg, last, err);
}

int
plan_scan_items(struct store *s, int year, const char *region,
    plan_item_fn fn, void *arg, struct lf_error *err)
{
	struct dbq q = { 0 };
	int64_t lo = 0, hi = 1000000000000LL;

	if (region != NULL && plan_region_bounds(region, &lo, &hi, err) != 0)
		return -1;
	if (item_query(s, &q, "WHERE year = ? AND region >= ? AND region < ? "
	    "ORDER BY person_id, seq", err) != 0 ||
	    dbq_bind(&q, err, "iii", (int64_t)year, lo, hi) != 0) {
		dbq_end(&q);
		return -1;
	}
	return item_rows(&q, fn, arg, NULL, err);
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
plan_list(struct store *s, const struct plan_list_query *q_,
    plan_summary_fn fn, void *arg, int64_t *last, struct lf_error *err)
{
	struct plan_summary ps;
	struct dbq q = { 0 };
	int64_t lo, hi;
	int rc, stop = 0;

	*last = q_->after;
	if (list_check(q_, err) != 0 ||
	    plan_region_bounds(q_->region, &lo, &hi, err) != 0)
		return -1;
	/* PLAN_OVERDUE_SQL's ?1 is the first parameter */
	if ((rc = dbq_prep(s, &q, "SELECT p.id, p.person_id, p.status, "
	    "count(i.id), coalesce(sum(CASE WHEN i.decision = 0 THEN 1 ELSE 0 "
	    "END), 0), coalesce(sum(CASE WHEN i.status = 3 THEN 1 ELSE 0 END), "
	    "0), coalesce(sum(CASE WHEN " PLAN_OVERDUE_Q " THEN 1 ELSE 0 END), "
	    "0), coalesce(sum(i.funds_planned), 0), coalesce(sum("
	    "i.funds_spent), 0) FROM plans p LEFT JOIN items i ON i.year = "
	    "p.year AND i.person_id = p.person_id AND i.decision != 2 WHERE "
	    "p.year = ? AND p.region >= ? AND p.region < ? AND (? < 0 OR "
	    "p.status = ?) AND p.id > ? GROUP BY p.id, p.person_id, p.status "
	    "ORDER BY p.id LIMIT ?", "plan list", err)) == 0)
		rc = dbq_bind(&q, err, "iiiiiiii", (int64_t)q_->overdue_before,
		    (int64_t)q_->year, lo, hi, (int64_t)q_->status,
		    (int64_t)q_->status, q_->after, (int64_t)q_->limit);
	while (rc == 0 && (rc = dbq_step(&q, err)) == 1) {
		memset(&ps, 0, sizeof(ps));
		ps.plan_id = dbq_int64(&q, 0);
		ps.person_id = dbq_int64(&q, 1);
		ps.status = dbq_int(&q, 2);
		ps.items = dbq_int(&q, 3);
		ps.open = dbq_int(&q, 4);
		ps.done = dbq_int(&q, 5);
		ps.overdue = dbq_int(&q, 6);
		ps.planned = dbq_int64(&q, 7);
		ps.spent = dbq_int64(&q, 8);
		*last = ps.plan_id;
		if ((stop = fn(arg, &ps)) != 0)
			break;
		rc = 0;
	}
	dbq_end(&q);
	if (stop != 0)
		return stop < 0 ? -1 : 0;
	return rc == 0 ? 0 : -1;
}

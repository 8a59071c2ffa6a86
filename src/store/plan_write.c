/*
 * plan_write.c - single-row reads and writes under the plan rules
 * (plan_rows.h): an item by client id, a person's village, the next seq,
 * a plan's open items, a plan's status row with its history, and the
 * delivery rows. No rule is decided here: plan/plan_item.c checks first.
 *
 * Written once in store/dbq.h's dialect: the same statements run on the
 * SQLite file and on PostgreSQL, where an insert also names the row's
 * partition key (city and county, PLAN_KEY_COLS(), plan_int.h).
 */
#include "store/plan_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/dbq.h"
#include "store/store_diff.h"

/* Prepares sql with the arguments bound (dbq_bind()'s letters) and steps
 * it once: 1 a row (read it, then dbq_end()), 0 none, -1 error. */
static int
one(struct store *s, struct dbq *q, const char *sql, const char *what,
    struct lf_error *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (dbq_prep(s, q, sql, what, err) != 0)
		return -1;
	va_start(ap, fmt);
	rc = dbq_vbind(q, err, fmt, ap);
	va_end(ap);
	if (rc != 0)
		return -1;
	rc = dbq_step(q, err);
	return rc == 2 ? -1 : rc;
}

int
plan_item_by_client(struct store *s, const char *client_id,
    struct plan_item *out, struct lf_error *err)
{
	struct dbq q = { 0 };
	struct buf sql;
	int rc = -1;

	buf_init(&sql, 8192);
	if (buf_adds(&sql, "SELECT ") != 0 ||
	    plan_item_cols(&sql, !dbq_is_pg(s)) != 0 ||
	    buf_adds(&sql, " FROM items WHERE client_id = ?") != 0)
		lf_error_nomem(err);
	else if ((rc = one(s, &q, buf_str(&sql), "item", err, "t",
	    client_id)) == 1)
		plan_item_from_dbq(&q, 0, out);
	dbq_end(&q);
	buf_free(&sql);
	return rc == 1 ? 0 : rc == 0 ? 1 : -1;
}

int
plan_person_region(struct store *s, int64_t person_id, char region[13],
    struct lf_error *err)
{
	struct dbq q = { 0 };
	int rc = one(s, &q, "SELECT region FROM persons WHERE id = ?",
	    "person", err, "i", person_id);

	if (rc == 1)
		dbq_copy(&q, 0, region, 13);
	dbq_end(&q);
	return rc == 0 ? plan_not_found("person", person_id, err) :
	    rc == 1 ? 0 : -1;
}

/* The one number sql gives for a plan id (bound twice: PLAN_ITEMS_OF_Q). */
static int
number_of(struct store *s, const char *sql, int64_t plan_id, int64_t *n,
    const char *what, struct lf_error *err)
{
	struct dbq q = { 0 };
	int rc = one(s, &q, sql, what, err, "ii", plan_id, plan_id);

	*n = rc == 1 ? dbq_int64(&q, 0) : 0;
	dbq_end(&q);
	if (rc == 0)
		return lf_error_set(err, "store", "", "数据库错误 (%s: no row)",
		    what);
	return rc == 1 ? 0 : -1;
}

int
plan_item_next_seq(struct store *s, int64_t plan_id, int *seq,
    struct lf_error *err)
{
	int64_t max;

	if (number_of(s, "SELECT coalesce(max(seq), 0) FROM items WHERE "
	    PLAN_ITEMS_OF_Q, plan_id, &max, "item seq", err) != 0)
		return -1;
	*seq = (int)max + 1;
	return 0;
}

int
plan_open_items(struct store *s, int64_t plan_id, int64_t *n,
    struct lf_error *err)
{
	return number_of(s, "SELECT count(*) FROM items WHERE "
	    PLAN_ITEMS_OF_Q " AND decision = 0", plan_id, n, "plan", err);
}

static int
plan_history(struct store *s, const struct plan *p, int to,
    const char *actor, const struct plan_clock *now, struct lf_error *err)
{
	json_t *obj = json_object();
	char a[8], b[8], *changes = NULL, village[13] = "";
	int rc;

	snprintf(a, sizeof(a), "%d", p->status);
	snprintf(b, sizeof(b), "%d", to);
	/* PostgreSQL keys the row by the person's county */
	if (dbq_is_pg(s) && plan_person_region(s, p->person_id, village,
	    err) != 0)
		rc = -1;
	else if (obj == NULL || diff_add_plain(obj, "status", a, b) != 0 ||
	    (changes = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		rc = lf_error_nomem(err);
	else
		rc = plan_history_put(s, "plan", p->id, p->person_id, p->year,
		    p->version, actor, now->iso, changes, village, err);
	free(changes);
	json_decref(obj);
	return rc;
}

int
plan_status_write(struct store *s, struct plan *p, int to,
    const char *actor, const struct plan_clock *now, struct lf_error *err)
{
	struct dbq q = { 0 };
	int confirm = to == PLAN_CONFIRMED, rc;

	if (plan_history(s, p, to, actor, now, err) != 0)
		return -1;
	rc = dbq_prep(s, &q, "UPDATE plans SET status = ?, version = version + "
	    "1, updated_at = ?, updated_by = ?, confirmed_at = ?, confirmed_by "
	    "= ? WHERE id = ? AND version = ?", "plan update", err);
	if (rc == 0 && (dbq_bind_int(&q, 1, to, err) != 0 ||
	    dbq_bind_int(&q, 2, now->t, err) != 0 ||
	    dbq_bind_text(&q, 3, actor, err) != 0 ||
	    (confirm ? dbq_bind_int(&q, 4, now->t, err) :
	    dbq_bind_null(&q, 4, err)) != 0 ||
	    dbq_bind_text(&q, 5, confirm ? actor : NULL, err) != 0 ||
	    dbq_bind_int(&q, 6, p->id, err) != 0 ||
	    dbq_bind_int(&q, 7, p->version, err) != 0))
		rc = -1;
	if (rc == 0 && (rc = dbq_exec(&q, err)) == 2)
		rc = lf_error_set(err, "store", "", "数据库错误 (plan update: "
		    "a constraint refused the row)");
	if (rc == 0 && dbq_changes(&q) != 1)
		rc = plan_version_check(-1, p->version, "plan", err);
	dbq_end(&q);
	if (rc != 0)
		return -1;
	p->status = to;
	p->version++;
	snprintf(p->updated_at, sizeof(p->updated_at), "%s", now->iso);
	snprintf(p->updated_by, sizeof(p->updated_by), "%s", actor);
	snprintf(p->confirmed_at, sizeof(p->confirmed_at), "%s",
	    confirm ? now->iso : "");
	snprintf(p->confirmed_by, sizeof(p->confirmed_by), "%s",
	    confirm ? actor : "");
	return 0;
}

int
plan_delivery_month_taken(struct store *s, int64_t item_id,
    const char *date, int *taken, struct lf_error *err)
{
	struct dbq q = { 0 };
	char month[8];
	int rc;

	snprintf(month, sizeof(month), "%.7s", date);
	rc = one(s, &q, "SELECT 1 FROM deliveries WHERE item_id = ? AND "
	    "substr(date, 1, 7) = ? LIMIT 1", "deliveries", err, "it", item_id,
	    month);
	dbq_end(&q);
	*taken = rc == 1;
	return rc < 0 ? -1 : 0;
}

int
plan_delivery_insert(struct store *s, struct plan_delivery *d,
    const char *village, const char *actor, const struct plan_clock *now,
    struct lf_error *err)
{
	struct dbq q = { 0 };
	struct plan_key k;
	char sql[256];
	int pg = dbq_is_pg(s), pos, rc;

	snprintf(sql, sizeof(sql), "INSERT INTO deliveries(%sitem_id, date, "
	    "amount, note, client_id, created_at, created_by) VALUES (%s?, ?, "
	    "?, ?, ?, ?, ?) RETURNING id", PLAN_KEY_COLS(pg),
	    PLAN_KEY_VALS(pg));
	rc = dbq_prep(s, &q, sql, "delivery insert", err);
	if (rc == 0 && ((pos = plan_key_bind(&q, 1, &k, village, err)) < 0 ||
	    dbq_bind_int(&q, pos, d->item_id, err) != 0 ||
	    dbq_bind_text(&q, pos + 1, d->date, err) != 0 ||
	    dbq_bind_int(&q, pos + 2, d->amount, err) != 0 ||
	    dbq_bind_text(&q, pos + 3, d->note[0] != '\0' ? d->note : NULL,
	    err) != 0 ||
	    dbq_bind_text(&q, pos + 4, d->client_id[0] != '\0' ?
	    d->client_id : NULL, err) != 0 ||
	    dbq_bind_int(&q, pos + 5, now->t, err) != 0 ||
	    dbq_bind_text(&q, pos + 6, actor, err) != 0))
		rc = -1;
	if (rc == 0 && (rc = dbq_step(&q, err)) == 1) {
		d->id = dbq_int64(&q, 0);
		rc = dbq_step(&q, err);
	}
	if (rc == 2)
		rc = lf_error_set(err, "store", "", "数据库错误 (delivery "
		    "insert: a constraint refused the row)");
	dbq_end(&q);
	if (rc != 0)
		return -1;
	memcpy(d->created_at, now->iso, sizeof(d->created_at));
	snprintf(d->created_by, sizeof(d->created_by), "%s", actor);
	return 0;
}

int
plan_delivery_months(struct store *s, const struct plan_item *it, int *n,
    struct lf_error *err)
{
	struct dbq q = { 0 };
	int rc = one(s, &q, "SELECT count(DISTINCT substr(date, 1, 7)) FROM "
	    "deliveries WHERE item_id = ? AND date >= ?", "deliveries", err,
	    "it", it->id, it->planned_month);

	*n = rc == 1 ? dbq_int(&q, 0) : 0;
	dbq_end(&q);
	return rc == 1 ? 0 : rc == 0 ? lf_error_set(err, "store", "",
	    "数据库错误 (deliveries: no row)") : -1;
}

/*
 * plan_write.c - single-row reads and writes under the plan rules
 * (plan_rows.h): an item by client id, a person's village, the next seq,
 * a plan's open items, a plan's status row with its history, and the
 * delivery rows. No rule is decided here: plan/plan_item.c checks first.
 */
#include "store/plan_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_diff.h"

static void
fill_item(sqlite3_stmt *st, void *out)
{
	plan_item_from_row(st, 0, out);
}

int
plan_item_by_client(struct store *s, const char *client_id,
    struct plan_item *out, struct lf_error *err)
{
	sqlite3_stmt *st = plan_stmt(s, PS_ITEM_BY_CLIENT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, client_id, -1, SQLITE_STATIC);
	return store_one_row(s, st, fill_item, out, "item", err);
}

static void
fill_region(sqlite3_stmt *st, void *out)
{
	store_copy_col(st, 0, out, 13);
}

int
plan_person_region(struct store *s, int64_t person_id, char region[13],
    struct lf_error *err)
{
	sqlite3_stmt *st = plan_stmt(s, PS_PERSON_REGION, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	rc = store_one_row(s, st, fill_region, region, "person", err);
	return rc == 1 ? plan_not_found("person", person_id, err) : rc;
}

/* The one number a statement `id` gives for key (a plan id). */
static int
number_of(struct store *s, enum plan_stmt id, int64_t key, int64_t *n,
    const char *what, struct lf_error *err)
{
	sqlite3_stmt *st = plan_stmt(s, id, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, key);
	rc = sqlite3_step(st);
	*n = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_ROW)
		store_sqlite_error(s, what, err);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
plan_item_next_seq(struct store *s, int64_t plan_id, int *seq,
    struct lf_error *err)
{
	int64_t max;

	if (number_of(s, PS_ITEM_MAXSEQ, plan_id, &max, "item seq", err) != 0)
		return -1;
	*seq = (int)max + 1;
	return 0;
}

int
plan_open_items(struct store *s, int64_t plan_id, int64_t *n,
    struct lf_error *err)
{
	return number_of(s, PS_ITEM_OPEN, plan_id, n, "plan", err);
}

static int
plan_history(struct store *s, const struct plan *p, int to,
    const char *actor, const struct plan_clock *now, struct lf_error *err)
{
	json_t *obj = json_object();
	char a[8], b[8], *changes = NULL;
	int rc;

	snprintf(a, sizeof(a), "%d", p->status);
	snprintf(b, sizeof(b), "%d", to);
	if (obj == NULL || diff_add_plain(obj, "status", a, b) != 0 ||
	    (changes = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		rc = lf_error_nomem(err);
	else
		rc = store_history_add(s, "plan", p->id, p->person_id, p->year,
		    p->version, actor, now->iso, changes, err);
	free(changes);
	json_decref(obj);
	return rc;
}

int
plan_status_write(struct store *s, struct plan *p, int to,
    const char *actor, const struct plan_clock *now, struct lf_error *err)
{
	sqlite3_stmt *st = plan_stmt(s, PS_PLAN_UPD, err);
	int rc;

	if (st == NULL || plan_history(s, p, to, actor, now, err) != 0)
		return -1;
	sqlite3_bind_int(st, 1, to);
	sqlite3_bind_int64(st, 2, now->t);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	if (to == PLAN_CONFIRMED) {
		sqlite3_bind_int64(st, 4, now->t);
		sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, 4);
		sqlite3_bind_null(st, 5);
	}
	sqlite3_bind_int64(st, 6, p->id);
	sqlite3_bind_int64(st, 7, p->version);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "plan update", err);
	if (sqlite3_changes(s->db) != 1)
		return plan_version_check(-1, p->version, "plan", err);
	p->status = to;
	p->version++;
	snprintf(p->updated_at, sizeof(p->updated_at), "%s", now->iso);
	snprintf(p->updated_by, sizeof(p->updated_by), "%s", actor);
	snprintf(p->confirmed_at, sizeof(p->confirmed_at), "%s",
	    to == PLAN_CONFIRMED ? now->iso : "");
	snprintf(p->confirmed_by, sizeof(p->confirmed_by), "%s",
	    to == PLAN_CONFIRMED ? actor : "");
	return 0;
}

int
plan_delivery_month_taken(struct store *s, int64_t item_id,
    const char *date, int *taken, struct lf_error *err)
{
	sqlite3_stmt *st = plan_stmt(s, PS_DLV_IN_MONTH, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, item_id);
	sqlite3_bind_text(st, 2, date, 7, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	*taken = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    store_sqlite_error(s, "deliveries", err);
}

int
plan_delivery_insert(struct store *s, struct plan_delivery *d,
    const char *actor, const struct plan_clock *now, struct lf_error *err)
{
	sqlite3_stmt *st = plan_stmt(s, PS_DLV_INS, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, d->item_id);
	sqlite3_bind_text(st, 2, d->date, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, d->amount);
	if (d->note[0] != '\0')
		sqlite3_bind_text(st, 4, d->note, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	if (d->client_id[0] != '\0')
		sqlite3_bind_text(st, 5, d->client_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, now->t);
	sqlite3_bind_text(st, 7, actor, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "delivery insert", err);
	d->id = sqlite3_last_insert_rowid(s->db);
	memcpy(d->created_at, now->iso, sizeof(d->created_at));
	snprintf(d->created_by, sizeof(d->created_by), "%s", actor);
	return 0;
}

int
plan_delivery_months(struct store *s, const struct plan_item *it, int *n,
    struct lf_error *err)
{
	sqlite3_stmt *st = plan_stmt(s, PS_DLV_MONTHS, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, it->id);
	sqlite3_bind_text(st, 2, it->planned_month, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_sqlite_error(s, "deliveries", err);
}

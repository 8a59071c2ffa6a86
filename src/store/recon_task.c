/*
 * recon_task.c - the rows of reconciliation tasks: list, read, the close
 * row and its history, open counts by region (recon_rows.h), over
 * store/dbq.h for either backend.
 */
#include "store/store_int.h"
#include "store/recon_rows.h"
#include "store/dbq.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>


#define TASK_COLS "t.id, t.person_id, p.uid, t.kind, t.finding, t.region," \
	" t.county, coalesce(t.owner, ''), t.open, coalesce(t.close_reason," \
	" ''), coalesce(t.closed_by, ''), t.created_at," \
	" coalesce(t.closed_at, 0), t.version"

static void
task_row(struct dbq *q, struct recon_task *t)
{
	memset(t, 0, sizeof(*t));
	t->id = dbq_int64(q, 0);
	t->person_id = dbq_int64(q, 1);
	dbq_copy(q, 2, t->uid, sizeof(t->uid));
	dbq_copy(q, 3, t->kind, sizeof(t->kind));
	dbq_copy(q, 4, t->finding, sizeof(t->finding));
	dbq_copy(q, 5, t->region, sizeof(t->region));
	dbq_copy(q, 6, t->county, sizeof(t->county));
	dbq_copy(q, 7, t->owner, sizeof(t->owner));
	t->open = dbq_int(q, 8);
	dbq_copy(q, 9, t->close_reason, sizeof(t->close_reason));
	dbq_copy(q, 10, t->closed_by, sizeof(t->closed_by));
	t->created_at = dbq_int64(q, 11);
	t->closed_at = dbq_int64(q, 12);
}

int
recon_tasks(struct store *s, const struct recon_task_query *q,
    recon_task_fn fn, void *arg, int64_t *last, struct lf_error *err)
{
	struct recon_task t;
	struct dbq d = { 0 };
	char hi[16];
	int step, rc = 0;

	*last = 0;
	if (q->limit < 1 || q->limit > 1000)
		return lf_error_set(err, "invalid", "limit", "limit 应在 1..1000"
		    " (limit must be 1..1000)");
	snprintf(hi, sizeof(hi), "%s~", q->region);
	step = dbq_prep(s, &d, "SELECT " TASK_COLS " FROM recon_tasks t JOIN "
	    "persons p ON p.id = t.person_id WHERE t.region >= ? AND t.region "
	    "< ? AND (CAST(? AS text) IS NULL OR t.kind = ?) AND (? < 0 OR "
	    "t.open = ?) AND t.id > ? ORDER BY t.id LIMIT ?", "recon tasks",
	    err) != 0 || dbq_bind(&d, err, "ttttiiii", q->region, hi, q->kind,
	    q->kind, (int64_t)q->open, (int64_t)q->open, q->after,
	    (int64_t)q->limit) != 0 ? -1 : 1;
	while (rc == 0 && step == 1 && (step = dbq_step(&d, err)) == 1) {
		task_row(&d, &t);
		*last = t.id;
		rc = fn(arg, &t);
	}
	dbq_end(&d);
	if (rc == 0 && step != 0)
		rc = -1;
	return rc < 0 ? rc : 0;
}

int
recon_task_get(struct store *s, int64_t id, struct recon_task *out,
    struct lf_error *err)
{
	struct dbq q = { 0 };
	int step;

	step = dbq_prep(s, &q, "SELECT " TASK_COLS " FROM recon_tasks t JOIN "
	    "persons p ON p.id = t.person_id WHERE t.id = ?", "recon task",
	    err) != 0 || dbq_bind(&q, err, "i", id) != 0 ? -1 :
	    dbq_step(&q, err);
	if (step == 1)
		task_row(&q, out);
	dbq_end(&q);
	return step == 1 ? 0 : step == 0 ? 1 : -1;
}

int
recon_rows_task_close(struct store *s, const struct recon_task *t,
    const char *reason, const char *actor, struct lf_error *err)
{
	char at[21], *changes;
	struct dbq q = { 0 };
	json_t *ch;
	int64_t n = 0;
	int rc;

	rc = dbq_prep(s, &q, "UPDATE recon_tasks SET open = 0, close_reason = "
	    "?, closed_by = ?, closed_at = ?, version = version + 1 WHERE id = "
	    "? AND open = 1", "recon close", err) != 0 || dbq_bind(&q, err,
	    "ttii", reason, actor, (int64_t)time(NULL), t->id) != 0 ? -1 :
	    dbq_exec(&q, err);
	if (rc == 0)
		n = dbq_changes(&q);
	dbq_end(&q);
	if (rc != 0)
		return rc == 2 ? lf_error_set(err, "store", "", "recon close "
		    "refused") : -1;
	if (n != 1)
		return lf_error_set(err, "state", "", "任务已关闭 (task already "
		    "closed)");
	ch = json_pack("{s:{s:b,s:b},s:{s:n,s:s}}", "open", "old", 1, "new",
	    0, "close_reason", "old", "new", reason);
	changes = ch ? json_dumps(ch, JSON_COMPACT) : NULL;
	json_decref(ch);
	if (changes == NULL)
		return lf_error_nomem(err);
	store_now_iso(at);
	rc = store_history_add(s, "recon_task", t->id, t->person_id, 0, 1,
	    actor, at, changes, err);
	free(changes);
	return rc;
}

int
recon_counts(struct store *s, const struct region *in, recon_count_fn fn,
    void *arg, struct lf_error *err)
{
	static const int child_len[] = { 4, 6, 9, 12, 12 };
	char lo[24], hi[24], code[13], fnd[32];
	struct dbq q = { 0 };
	int step, rc = 0;

	store_region_range(in, lo, hi);
	step = dbq_prep(s, &q, "SELECT substr(region, 1, ?), finding, "
	    "count(*) FROM recon_tasks WHERE open = 1 AND region >= ? AND "
	    "region < ? GROUP BY 1, 2 ORDER BY 1, 2", "recon counts", err) !=
	    0 || dbq_bind(&q, err, "itt", (int64_t)child_len[in->level < 4 ?
	    in->level : 4], lo, hi) != 0 ? -1 : 1;
	while (rc == 0 && step == 1 && (step = dbq_step(&q, err)) == 1) {
		dbq_copy(&q, 0, code, sizeof(code));
		dbq_copy(&q, 1, fnd, sizeof(fnd));
		rc = fn(arg, code, fnd, dbq_int64(&q, 2));
	}
	dbq_end(&q);
	if (rc == 0 && step != 0)
		rc = -1;
	return rc < 0 ? rc : 0;
}

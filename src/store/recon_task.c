/*
 * recon_task.c - the rows of reconciliation tasks: list, read, the close
 * row and its history, open counts by region (recon_rows.h).
 */
#include "store/store_int.h"
#include "store/recon_rows.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>


#define TASK_COLS "t.id, t.person_id, p.uid, t.kind, t.finding, t.region," \
	" t.county, coalesce(t.owner, ''), t.open, coalesce(t.close_reason," \
	" ''), coalesce(t.closed_by, ''), t.created_at," \
	" coalesce(t.closed_at, 0), t.version"

static void
task_row(sqlite3_stmt *st, struct recon_task *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->person_id = sqlite3_column_int64(st, 1);
	store_copy_col(st, 2, t->uid, sizeof(t->uid));
	store_copy_col(st, 3, t->kind, sizeof(t->kind));
	store_copy_col(st, 4, t->finding, sizeof(t->finding));
	store_copy_col(st, 5, t->region, sizeof(t->region));
	store_copy_col(st, 6, t->county, sizeof(t->county));
	store_copy_col(st, 7, t->owner, sizeof(t->owner));
	t->open = sqlite3_column_int(st, 8);
	store_copy_col(st, 9, t->close_reason, sizeof(t->close_reason));
	store_copy_col(st, 10, t->closed_by, sizeof(t->closed_by));
	t->created_at = sqlite3_column_int64(st, 11);
	t->closed_at = sqlite3_column_int64(st, 12);
}

int
recon_tasks(struct store *s, const struct recon_task_query *q,
    recon_task_fn fn, void *arg, int64_t *last, struct lf_error *err)
{
	struct recon_task t;
	sqlite3_stmt *st;
	char hi[16];
	int step, rc = 0;

	*last = 0;
	if (q->limit < 1 || q->limit > 1000)
		return lf_error_set(err, "invalid", "limit", "limit 应在 1..1000"
		    " (limit must be 1..1000)");
	snprintf(hi, sizeof(hi), "%s~", q->region);
	if (sqlite3_prepare_v2(s->db, "SELECT " TASK_COLS " FROM recon_tasks "
	    "t JOIN persons p ON p.id = t.person_id WHERE t.region >= ?1 AND "
	    "t.region < ?2 AND (?3 IS NULL OR t.kind = ?3) AND (?4 < 0 OR "
	    "t.open = ?4) AND t.id > ?5 ORDER BY t.id LIMIT ?6", -1, &st,
	    NULL) != SQLITE_OK)
		return store_sqlite_error(s, "recon tasks", err);
	sqlite3_bind_text(st, 1, q->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	if (q->kind != NULL)
		sqlite3_bind_text(st, 3, q->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, q->open);
	sqlite3_bind_int64(st, 5, q->after);
	sqlite3_bind_int(st, 6, q->limit);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		task_row(st, &t);
		*last = t.id;
		rc = fn(arg, &t);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlite_error(s, "recon tasks", err);
	sqlite3_finalize(st);
	return rc < 0 ? rc : 0;
}

int
recon_task_get(struct store *s, int64_t id, struct recon_task *out,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int step;

	if (sqlite3_prepare_v2(s->db, "SELECT " TASK_COLS " FROM recon_tasks "
	    "t JOIN persons p ON p.id = t.person_id WHERE t.id = ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return store_sqlite_error(s, "recon task", err);
	sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		task_row(st, out);
	sqlite3_finalize(st);
	if (step == SQLITE_ROW)
		return 0;
	if (step == SQLITE_DONE)
		return 1;
	return store_sqlite_error(s, "recon task", err);
}

int
recon_rows_task_close(struct store *s, const struct recon_task *t,
    const char *reason, const char *actor, struct lf_error *err)
{
	char at[21], *changes;
	sqlite3_stmt *st;
	json_t *ch;
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE recon_tasks SET open = 0, "
	    "close_reason = ?2, closed_by = ?3, closed_at = ?4, version = "
	    "version + 1 WHERE id = ?1 AND open = 1", -1, &st, NULL) !=
	    SQLITE_OK)
		return store_sqlite_error(s, "recon close", err);
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "recon close", err);
	if (sqlite3_changes(s->db) != 1)
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
	sqlite3_stmt *st;
	int step, rc = 0;

	/* PostgreSQL keeps no reconciliation table yet (docs/postgresql.md): none */
	if (s->pg != NULL)
		return 0;
	store_region_range(in, lo, hi);
	if (sqlite3_prepare_v2(s->db, "SELECT substr(region, 1, ?3), finding,"
	    " count(*) FROM recon_tasks WHERE open = 1 AND region >= ?1 AND "
	    "region < ?2 GROUP BY 1, 2 ORDER BY 1, 2", -1, &st, NULL) !=
	    SQLITE_OK)
		return store_sqlite_error(s, "recon counts", err);
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, child_len[in->level < 4 ? in->level : 4]);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		store_copy_col(st, 0, code, sizeof(code));
		store_copy_col(st, 1, fnd, sizeof(fnd));
		rc = fn(arg, code, fnd, sqlite3_column_int64(st, 2));
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlite_error(s, "recon counts", err);
	sqlite3_finalize(st);
	return rc < 0 ? rc : 0;
}

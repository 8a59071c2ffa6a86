/*
 * supervise.c - the rows of 精准监督 (store/supervise_rows.h): schema,
 * transactions, the draw's candidates, samples, check tasks, answers
 * and the rows the precision counts. The rules are supervise/'s.
 */
#include "store/supervise_rows.h"

#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "store/store_int.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS samples ("
	" id INTEGER PRIMARY KEY,"
	" year INTEGER NOT NULL,"
	" region TEXT NOT NULL,"
	" rate REAL NOT NULL,"
	" min_per_surveyor INTEGER NOT NULL,"
	" recheck_rate REAL NOT NULL,"
	" seed INTEGER NOT NULL,"
	" items TEXT NOT NULL,"
	" mode INTEGER NOT NULL,"
	" due TEXT NOT NULL,"
	" persons INTEGER NOT NULL,"
	" created_at TEXT NOT NULL,"
	" created_by TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS check_tasks ("
	" id INTEGER PRIMARY KEY,"
	" sample_id INTEGER NOT NULL REFERENCES samples(id),"
	" person_id INTEGER NOT NULL REFERENCES persons(id),"
	" year INTEGER NOT NULL,"
	" region TEXT NOT NULL,"
	" township TEXT NOT NULL,"
	" surveyor TEXT NOT NULL,"
	" survey_by TEXT NOT NULL,"
	" survey_upd_by TEXT NOT NULL,"
	" recheck_of INTEGER REFERENCES check_tasks(id),"
	" checker TEXT,"
	" mode INTEGER NOT NULL,"
	" due TEXT NOT NULL,"
	" done INTEGER NOT NULL DEFAULT 0,"
	" done_at TEXT,"
	" done_day TEXT,"
	" version INTEGER NOT NULL DEFAULT 1,"
	" assigned_at TEXT,"
	" assigned_by TEXT);"
	"CREATE INDEX IF NOT EXISTS check_tasks_sample"
	" ON check_tasks(sample_id, id);"
	"CREATE INDEX IF NOT EXISTS check_tasks_checker"
	" ON check_tasks(checker, done);"
	"CREATE INDEX IF NOT EXISTS check_tasks_year ON check_tasks(year, region);"
	"CREATE INDEX IF NOT EXISTS check_tasks_recheck"
	" ON check_tasks(recheck_of) WHERE recheck_of IS NOT NULL;"
	"CREATE TABLE IF NOT EXISTS check_results ("
	" id INTEGER PRIMARY KEY,"
	" task_id INTEGER NOT NULL REFERENCES check_tasks(id),"
	" kind INTEGER NOT NULL,"
	" ref TEXT NOT NULL,"
	" recorded TEXT NOT NULL,"
	" ok INTEGER NOT NULL,"
	" right_value TEXT,"
	" final TEXT NOT NULL,"
	" UNIQUE (task_id, kind, ref));";

int
supervise_init(struct store *s, struct lf_error *err)
{
	sqlite3_stmt *st;
	int have = 0;

	/* take no write lock when the tables are there */
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name IN ('samples', 'check_tasks', 'check_results')", -1,
	    &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			have = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (have == 3)
		return 0;
	return store_sqlite_exec(s, schema_sql, err);
}

/* ---- transactions ---------------------------------------------------- */

/* 1 when this call began the transaction (commit it), 0 when it joins a
 * savepoint of the caller's; -1 on error. */
int
supervise_tx_begin(struct store *s, struct lf_error *err)
{
	if (store_autocommit(s))
		return store_tx_immediate(s, "supervise", err) == 0 ? 1 : -1;
	return store_sqlite_exec(s, "SAVEPOINT supervise", err) == 0 ? 0 : -1;
}

int
supervise_tx_end(struct store *s, int own, int rc, struct lf_error *err)
{
	if (own < 0)
		return -1;
	if (own) {
		if (rc != 0) {
			store_tx_finish(s, 0, err);
			return -1;
		}
		return store_tx_finish(s, 1, err);
	}
	if (rc == 0 && store_sqlite_exec(s, "RELEASE supervise", err) == 0)
		return 0;
	sqlite3_exec(s->db, "ROLLBACK TO supervise; RELEASE supervise", NULL,
	    NULL, NULL);
	return -1;
}

/* ---- drawing --------------------------------------------------------- */

void
supervise_cands_free(struct sup_cand *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mem_free(c[i].surv);
	mem_free(c);
}

int
supervise_cands(struct store *s, int year, const struct region *in,
    struct sup_cand **out, size_t *nout, struct lf_error *err)
{
	sqlite3_stmt *st;
	struct sup_cand *c = NULL, *nc;
	size_t n = 0, cap = 0;
	char lo[24], hi[24];
	const char *sv;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT p.id, p.region, "
	    "coalesce(lf_item(v.rec, 'surveyor_name'), '') FROM surveys v JOIN persons p "
	    "ON p.id = v.person_id WHERE v.year = ? AND p.region >= ? AND "
	    "p.region < ? AND p.status = 1", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "sample", err);
	store_region_range(in, lo, hi);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			nc = mem_realloc(c, cap * sizeof(*c));
			if (nc == NULL)
				goto oom;
			c = nc;
		}
		memset(&c[n], 0, sizeof(c[n]));
		c[n].id = sqlite3_column_int64(st, 0);
		store_copy_col(st, 1, c[n].region, sizeof(c[n].region));
		memcpy(c[n].town, c[n].region, 9);
		c[n].town[9] = '\0';
		sv = (const char *)sqlite3_column_text(st, 2);
		if ((c[n].surv = mem_strdup(sv ? sv : "")) == NULL)
			goto oom;
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		supervise_cands_free(c, n);
		return store_sqlite_error(s, "sample", err);
	}
	*out = c;
	*nout = n;
	return 0;
oom:
	sqlite3_finalize(st);
	supervise_cands_free(c, n);
	return lf_error_nomem(err);
}

int
supervise_sample_insert(struct store *s, int year, const struct region *in,
    const struct sup_params *prm, const char *items, int mode,
    const char *due, int64_t persons, const char *actor, int64_t *id,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	char now[21];
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO samples (year, region, "
	    "rate, min_per_surveyor, recheck_rate, seed, items, mode, due, "
	    "persons, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "sample", err);
	store_now_iso(now);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, in->code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 3, prm->rate);
	sqlite3_bind_int(st, 4, prm->min_per_surveyor);
	sqlite3_bind_double(st, 5, prm->recheck_rate);
	sqlite3_bind_int64(st, 6, (int64_t)prm->seed);
	sqlite3_bind_text(st, 7, items, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 8, mode);
	sqlite3_bind_text(st, 9, due, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 10, persons);
	sqlite3_bind_text(st, 11, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 12, actor, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "sample", err);
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

#define TASK_INSERT "INSERT INTO check_tasks (sample_id, person_id, year, " \
	"region, township, surveyor, survey_by, survey_upd_by, recheck_of, " \
	"mode, due) SELECT ?1, ?2, ?3, ?4, ?5, ?6, v.created_by, " \
	"v.updated_by, ?7, ?8, ?9 FROM surveys v WHERE v.person_id = ?2 " \
	"AND v.year = ?3"

int
supervise_tasks_insert(struct store *s, int64_t sample, int year,
    const struct sup_cand *c,
    const size_t *idx, const unsigned char *recheck, size_t m, int mode,
    const char *due, struct lf_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc = SQLITE_DONE, round;

	if (sqlite3_prepare_v2(s->db, TASK_INSERT, -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "check task", err);
	for (i = 0; i < m && rc == SQLITE_DONE; i++) {
		const struct sup_cand *p = &c[idx[i]];
		int64_t first = 0;

		for (round = 0; round < 1 + (recheck[i] != 0); round++) {
			sqlite3_bind_int64(st, 1, sample);
			sqlite3_bind_int64(st, 2, p->id);
			sqlite3_bind_int(st, 3, year);
			sqlite3_bind_text(st, 4, p->region, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, p->town, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 6, p->surv, -1, SQLITE_STATIC);
			if (first != 0)
				sqlite3_bind_int64(st, 7, first);
			else
				sqlite3_bind_null(st, 7);
			sqlite3_bind_int(st, 8, mode);
			sqlite3_bind_text(st, 9, due, -1, SQLITE_STATIC);
			rc = sqlite3_step(st);
			sqlite3_reset(st);
			if (rc != SQLITE_DONE)
				break;
			first = sqlite3_last_insert_rowid(s->db);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "check task", err);
	return 0;
}

/* ---- reading --------------------------------------------------------- */

#define SAMPLE_COLS "s.id, s.year, s.region, s.rate, s.min_per_surveyor, " \
	"s.recheck_rate, s.seed, s.items, s.mode, s.due, s.persons, " \
	"s.created_at, s.created_by, " \
	"(SELECT count(*) FROM check_tasks t WHERE t.sample_id = s.id), " \
	"(SELECT count(*) FROM check_tasks t WHERE t.sample_id = s.id AND " \
	"t.checker IS NOT NULL), " \
	"(SELECT count(*) FROM check_tasks t WHERE t.sample_id = s.id AND " \
	"t.done = 1), " \
	"(SELECT count(*) FROM check_tasks t WHERE t.sample_id = s.id AND " \
	"t.done = 0 AND t.due < ?1), " \
	"(SELECT count(*) FROM check_tasks t WHERE t.sample_id = s.id AND " \
	"t.recheck_of IS NOT NULL) FROM samples s "

static void
sample_row(sqlite3_stmt *st, void *out)
{
	struct sup_sample *sm = out;

	memset(sm, 0, sizeof(*sm));
	sm->id = sqlite3_column_int64(st, 0);
	sm->year = sqlite3_column_int(st, 1);
	store_copy_col(st, 2, sm->region, sizeof(sm->region));
	sm->prm.rate = sqlite3_column_double(st, 3);
	sm->prm.min_per_surveyor = sqlite3_column_int(st, 4);
	sm->prm.recheck_rate = sqlite3_column_double(st, 5);
	sm->prm.seed = (uint64_t)sqlite3_column_int64(st, 6);
	store_copy_col(st, 7, sm->items, sizeof(sm->items));
	sm->mode = sqlite3_column_int(st, 8);
	store_copy_col(st, 9, sm->due, sizeof(sm->due));
	sm->persons = sqlite3_column_int64(st, 10);
	store_copy_col(st, 11, sm->created_at, sizeof(sm->created_at));
	store_copy_col(st, 12, sm->created_by, sizeof(sm->created_by));
	sm->tasks = sqlite3_column_int64(st, 13);
	sm->assigned = sqlite3_column_int64(st, 14);
	sm->done = sqlite3_column_int64(st, 15);
	sm->overdue = sqlite3_column_int64(st, 16);
	sm->rechecks = sqlite3_column_int64(st, 17);
}

static void
bind_today(sqlite3_stmt *st)
{
	char today[11];

	date_format(store_today(), today);
	sqlite3_bind_text(st, 1, today, -1, SQLITE_TRANSIENT);
}

int
supervise_sample_get(struct store *s, int64_t id, struct sup_sample *out,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "SELECT " SAMPLE_COLS "WHERE s.id = ?2",
	    -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "sample", err);
	bind_today(st);
	sqlite3_bind_int64(st, 2, id);
	return store_one_row_final(s, st, sample_row, out, "sample", err);
}

int
supervise_samples(struct store *s, const struct region *in, int year,
    supervise_sample_fn fn, void *arg, struct lf_error *err)
{
	struct sup_sample sm;
	sqlite3_stmt *st;
	int rc, stop = 0;
	size_t len;

	if (sqlite3_prepare_v2(s->db, "SELECT " SAMPLE_COLS "WHERE "
	    "(?2 = 0 OR s.year = ?2) AND substr(s.region, 1, ?3) = ?4 "
	    "ORDER BY s.id DESC", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "sample", err);
	bind_today(st);
	sqlite3_bind_int(st, 2, year);
	len = in ? strlen(in->code) : 0;
	sqlite3_bind_int(st, 3, (int)len);
	sqlite3_bind_text(st, 4, in ? in->code : "", -1, SQLITE_TRANSIENT);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		sample_row(st, &sm);
		stop = fn(arg, &sm);
	}
	sqlite3_finalize(st);
	if (!stop && rc != SQLITE_DONE)
		return store_sqlite_error(s, "sample", err);
	return stop < 0 ? stop : 0;
}

#define TASK_COLS "t.id, t.sample_id, t.person_id, t.year, p.uid, p.name, " \
	"t.region, t.township, t.surveyor, t.survey_by, t.survey_upd_by, " \
	"coalesce(t.recheck_of, 0), coalesce(t.checker, ''), t.mode, t.due, " \
	"t.done, coalesce(t.done_at, ''), t.version FROM check_tasks t " \
	"JOIN persons p ON p.id = t.person_id "

static void
task_row(sqlite3_stmt *st, void *out)
{
	struct sup_task *t = out;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->sample_id = sqlite3_column_int64(st, 1);
	t->person_id = sqlite3_column_int64(st, 2);
	t->year = sqlite3_column_int(st, 3);
	store_copy_col(st, 4, t->uid, sizeof(t->uid));
	store_copy_col(st, 5, t->name, sizeof(t->name));
	store_copy_col(st, 6, t->region, sizeof(t->region));
	store_copy_col(st, 7, t->township, sizeof(t->township));
	store_copy_col(st, 8, t->surveyor, sizeof(t->surveyor));
	store_copy_col(st, 9, t->survey_by, sizeof(t->survey_by));
	store_copy_col(st, 10, t->survey_upd_by, sizeof(t->survey_upd_by));
	t->recheck_of = sqlite3_column_int64(st, 11);
	store_copy_col(st, 12, t->checker, sizeof(t->checker));
	t->mode = sqlite3_column_int(st, 13);
	store_copy_col(st, 14, t->due, sizeof(t->due));
	t->done = sqlite3_column_int(st, 15);
	store_copy_col(st, 16, t->done_at, sizeof(t->done_at));
	t->version = sqlite3_column_int64(st, 17);
}

int
supervise_task_get(struct store *s, int64_t id, struct sup_task *out,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "SELECT " TASK_COLS "WHERE t.id = ?", -1,
	    &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "check task", err);
	sqlite3_bind_int64(st, 1, id);
	return store_one_row_final(s, st, task_row, out, "check task", err);
}

int
supervise_tasks(struct store *s, int64_t sample, const char *checker,
    const struct region *in, supervise_task_fn fn, void *arg,
    struct lf_error *err)
{
	struct sup_task t;
	sqlite3_stmt *st;
	char lo[24] = "", hi[24] = "~";
	int rc, stop = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT " TASK_COLS "WHERE (?1 = 0 OR "
	    "t.sample_id = ?1) AND (?2 IS NULL OR t.checker = ?2) AND "
	    "t.region >= ?3 AND t.region < ?4 ORDER BY t.id", -1, &st,
	    NULL) != SQLITE_OK)
		return store_sqlite_error(s, "check task", err);
	if (in != NULL)
		store_region_range(in, lo, hi);
	sqlite3_bind_int64(st, 1, sample);
	if (checker != NULL)
		sqlite3_bind_text(st, 2, checker, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, lo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, hi, -1, SQLITE_TRANSIENT);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		task_row(st, &t);
		stop = fn(arg, &t);
	}
	sqlite3_finalize(st);
	if (!stop && rc != SQLITE_DONE)
		return store_sqlite_error(s, "check task", err);
	return stop < 0 ? stop : 0;
}

/* ---- writing tasks and answers ---------------------------------------- */

int
supervise_task_assign(struct store *s, int64_t task, const char *checker,
    int mode, const char *due, const char *actor, struct lf_error *err)
{
	sqlite3_stmt *st;
	char now[21];
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE check_tasks SET checker = ?, "
	    "mode = ?, due = ?, version = version + 1, assigned_at = ?, "
	    "assigned_by = ? WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "check task", err);
	store_now_iso(now);
	sqlite3_bind_text(st, 1, checker, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, mode);
	sqlite3_bind_text(st, 3, due, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, task);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "check task", err);
}

int
supervise_task_finish(struct store *s, int64_t task, int today,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	char now[21], day[11];
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE check_tasks SET done = 1, "
	    "done_at = ?, done_day = ?, version = version + 1 WHERE id = ? "
	    "AND done = 0", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "check", err);
	store_now_iso(now);
	date_format(today, day);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, task);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "check", err);
}

int
supervise_results(struct store *s, int64_t task, supervise_line_fn fn,
    void *arg, struct lf_error *err)
{
	struct sup_line *ln;
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((ln = mem_alloc(sizeof(*ln))) == NULL)
		return lf_error_nomem(err);
	if (sqlite3_prepare_v2(s->db, "SELECT kind, ref, recorded, ok, "
	    "coalesce(right_value, '') FROM check_results WHERE task_id = ? "
	    "ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		mem_free(ln);
		return store_sqlite_error(s, "check", err);
	}
	sqlite3_bind_int64(st, 1, task);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(ln, 0, sizeof(*ln));
		ln->kind = sqlite3_column_int(st, 0);
		store_copy_col(st, 1, ln->ref, sizeof(ln->ref));
		store_copy_col(st, 2, ln->recorded, sizeof(ln->recorded));
		ln->answered = 1;
		ln->ok = sqlite3_column_int(st, 3);
		store_copy_col(st, 4, ln->right, sizeof(ln->right));
		stop = fn(arg, ln);
	}
	sqlite3_finalize(st);
	mem_free(ln);
	if (stop)
		return stop < 0 ? -1 : 0;
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "check", err);
}

int
supervise_results_save(struct store *s, int64_t task,
    const struct sup_line *l, const char *const *final, size_t n,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	size_t j;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO check_results (task_id, "
	    "kind, ref, recorded, ok, right_value, final) VALUES (?, ?, ?, ?, "
	    "?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "check", err);
	for (j = 0; j < n && rc == SQLITE_DONE; j++) {
		const struct sup_line *ln = &l[j];

		sqlite3_bind_int64(st, 1, task);
		sqlite3_bind_int(st, 2, ln->kind);
		sqlite3_bind_text(st, 3, ln->ref, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, ln->recorded, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, ln->ok);
		if (ln->ok || ln->kind != SUP_SURVEY_ITEM)
			sqlite3_bind_null(st, 6);
		else
			sqlite3_bind_text(st, 6, ln->right, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, final[j], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "check", err);
}

/* ---- the rows the precision counts ------------------------------------ */

/* One row per first check, ordered by its group key (?4). */
static const char tally_sql[] =
	"SELECT CASE WHEN ?4 = 0 THEN substr(t.region, 1, ?5) ELSE "
	"t.township || '|' || t.surveyor END AS k, t.done, "
	"coalesce(t.done_day, ''), t.due, "
	"(SELECT count(*) FROM check_results c WHERE c.task_id = t.id AND "
	"c.kind = 1), "
	"(SELECT count(*) FROM check_results c WHERE c.task_id = t.id AND "
	"c.kind = 1 AND c.ok = 1), "
	"(SELECT count(*) FROM check_results c WHERE c.task_id = t.id AND "
	"c.kind = 2), "
	"(SELECT count(*) FROM check_results c WHERE c.task_id = t.id AND "
	"c.kind = 2 AND c.ok = 1), "
	"(SELECT count(*) FROM check_tasks r2 JOIN check_results b ON "
	"b.task_id = r2.id JOIN check_results a ON a.task_id = t.id AND "
	"a.kind = b.kind AND a.ref = b.ref WHERE r2.recheck_of = t.id AND "
	"r2.done = 1 AND a.final <> b.final) "
	"FROM check_tasks t WHERE t.year = ?1 AND t.region >= ?2 AND "
	"t.region < ?3 AND t.recheck_of IS NULL ORDER BY k";

int
supervise_tally_rows(struct store *s, int year, const struct region *in,
    int by_surveyor, int digits, supervise_tally_row_fn fn, void *arg,
    struct lf_error *err)
{
	struct sup_tally_row t;
	sqlite3_stmt *st;
	char lo[24], hi[24];
	int rc, stop = 0;

	/* PostgreSQL keeps no spot-check table yet (docs/postgresql.md): none */
	if (s->pg != NULL)
		return 0;
	if (sqlite3_prepare_v2(s->db, tally_sql, -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "precision", err);
	store_region_range(in, lo, hi);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, by_surveyor ? 1 : 0);
	sqlite3_bind_int(st, 5, digits);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		t.key = (const char *)sqlite3_column_text(st, 0);
		t.key = t.key ? t.key : "";
		t.done = sqlite3_column_int(st, 1);
		t.done_day = (const char *)sqlite3_column_text(st, 2);
		t.due = (const char *)sqlite3_column_text(st, 3);
		t.survey_n = sqlite3_column_int64(st, 4);
		t.survey_ok = sqlite3_column_int64(st, 5);
		t.plan_n = sqlite3_column_int64(st, 6);
		t.plan_ok = sqlite3_column_int64(st, 7);
		t.differing = sqlite3_column_int64(st, 8);
		stop = fn(arg, &t);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop < 0 ? -1 : 0;
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "precision", err);
}

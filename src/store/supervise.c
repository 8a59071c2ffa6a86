/*
 * supervise.c - the rows of 精准监督 (store/supervise_rows.h): schema,
 * transactions, the draw's candidates, samples, check tasks, answers
 * and the rows the precision counts. The rules are supervise/'s.
 *
 * Written once over store/dbq.h (issue 18): every statement runs on the
 * SQLite file and on a PostgreSQL registry alike. The tables are
 * SQLite's schema_sql below; PostgreSQL's are derived from it
 * (pg/pg_super.c: the same columns, with the city and county keys).
 */
#include "store/supervise_rows.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "store/dbq.h"
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

const char *
supervise_schema_sql(void)
{
	return schema_sql;
}

int
supervise_init(struct store *s, struct lf_error *err)
{
	sqlite3_stmt *st;
	int have = 0;

	if (s->pg != NULL)	/* made by init or the upgrade (pg_super.c) */
		return 0;
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

/* ---- statements ------------------------------------------------------ */

/* Steps q to its one row and fills out from it: 0, 1 when there is no
 * row, -1 with err. Ends q. */
static int
one_row(struct dbq *q, void (*fill)(struct dbq *, void *), void *out,
    struct lf_error *err)
{
	int rc = dbq_step(q, err);

	if (rc == 1) {
		fill(q, out);
		rc = 0;
	} else if (rc == 0)
		rc = 1;
	else
		rc = -1;
	dbq_end(q);
	return rc;
}

/* ---- transactions ---------------------------------------------------- */

/* dbq_tx_begin()'s transaction: its kind (0 or more), or -1 on error. */
int
supervise_tx_begin(struct store *s, struct lf_error *err)
{
	int tx;

	return dbq_tx_begin(s, &tx, err) == 0 ? tx : -1;
}

int
supervise_tx_end(struct store *s, int own, int rc, struct lf_error *err)
{
	if (own < 0)
		return -1;
	return dbq_tx_end(s, own, rc, err) == 0 ? 0 : -1;
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

/* The survey's surveyor_name: an item of SQLite's packed record, a
 * column of PostgreSQL's survey row (docs/postgresql.md, "Schema"). */
static const char cands_sqlite[] =
	"SELECT p.id, p.region, "
	"coalesce(lf_item(v.rec, 'surveyor_name'), '') FROM surveys v JOIN "
	"persons p ON p.id = v.person_id WHERE v.year = ? AND p.region >= ? "
	"AND p.region < ? AND p.status = 1";
static const char cands_pg[] =
	"SELECT p.id, p.region, "
	"coalesce(v.surveyor_name, '') FROM surveys v JOIN "
	"persons p ON p.id = v.person_id WHERE v.year = ? AND p.region >= ? "
	"AND p.region < ? AND p.status = 1";

int
supervise_cands(struct store *s, int year, const struct region *in,
    struct sup_cand **out, size_t *nout, struct lf_error *err)
{
	struct sup_cand *c = NULL, *nc;
	struct dbq q;
	size_t n = 0, cap = 0;
	char lo[24], hi[24];
	int rc;

	store_region_range(in, lo, hi);
	if (dbq_query(s, &q, "sample", err, dbq_is_pg(s) ? cands_pg :
	    cands_sqlite, "itt", (int64_t)year, lo, hi) != 0) {
		dbq_end(&q);
		return -1;
	}
	while ((rc = dbq_step(&q, err)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			nc = mem_realloc(c, cap * sizeof(*c));
			if (nc == NULL)
				goto oom;
			c = nc;
		}
		memset(&c[n], 0, sizeof(c[n]));
		c[n].id = dbq_int64(&q, 0);
		dbq_copy(&q, 1, c[n].region, sizeof(c[n].region));
		memcpy(c[n].town, c[n].region, 9);
		c[n].town[9] = '\0';
		if ((c[n].surv = mem_strdup(dbq_text0(&q, 2))) == NULL)
			goto oom;
		n++;
	}
	dbq_end(&q);
	if (rc != 0) {
		supervise_cands_free(c, n);
		return -1;
	}
	*out = c;
	*nout = n;
	return 0;
oom:
	dbq_end(&q);
	supervise_cands_free(c, n);
	return lf_error_nomem(err);
}

/* Runs an INSERT ... RETURNING id prepared in q: *id the new row's (0
 * when it inserted none). Ends q. */
static int
insert_id(struct dbq *q, int64_t *id, struct lf_error *err)
{
	int rc;

	*id = 0;
	while ((rc = dbq_step(q, err)) == 1)
		*id = dbq_int64(q, 0);
	dbq_end(q);
	if (rc == 2)
		return lf_error_set(err, "store", "", "写入被拒绝 (the row was "
		    "refused by a constraint)");
	return rc;
}

int
supervise_sample_insert(struct store *s, int year, const struct region *in,
    const struct sup_params *prm, const char *items, int mode,
    const char *due, int64_t persons, const char *actor, int64_t *id,
    struct lf_error *err)
{
	struct dbq q;
	char now[21];

	store_now_iso(now);
	if (dbq_query(s, &q, "sample", err, "INSERT INTO samples (year, region, "
	    "rate, min_per_surveyor, recheck_rate, seed, items, mode, due, "
	    "persons, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?) RETURNING id", "itdiditit", (int64_t)year, in->code,
	    prm->rate, (int64_t)prm->min_per_surveyor, prm->recheck_rate,
	    (int64_t)prm->seed, items, (int64_t)mode, due) != 0 ||
	    dbq_bind_int(&q, 10, persons, err) != 0 ||
	    dbq_bind_text(&q, 11, now, err) != 0 ||
	    dbq_bind_text(&q, 12, actor, err) != 0) {
		dbq_end(&q);
		return -1;
	}
	return insert_id(&q, id, err);
}

/* The survey's accounts are copied in; each value a CAST, which
 * PostgreSQL needs to type a parameter of an INSERT's SELECT. */
#define TASK_INSERT "INSERT INTO check_tasks (sample_id, person_id, year, " \
	"region, township, surveyor, survey_by, survey_upd_by, recheck_of, " \
	"mode, due) SELECT CAST(? AS bigint), CAST(? AS bigint), " \
	"CAST(? AS bigint), CAST(? AS text), CAST(? AS text), " \
	"CAST(? AS text), v.created_by, v.updated_by, CAST(? AS bigint), " \
	"CAST(? AS bigint), CAST(? AS text) FROM surveys v WHERE " \
	"v.person_id = ? AND v.year = ? RETURNING id"

int
supervise_tasks_insert(struct store *s, int64_t sample, int year,
    const struct sup_cand *c,
    const size_t *idx, const unsigned char *recheck, size_t m, int mode,
    const char *due, struct lf_error *err)
{
	struct dbq q;
	size_t i;
	int round;

	for (i = 0; i < m; i++) {
		const struct sup_cand *p = &c[idx[i]];
		int64_t first = 0, id;

		for (round = 0; round < 1 + (recheck[i] != 0); round++) {
			if (dbq_query(s, &q, "check task", err, TASK_INSERT,
			    "iiitttn", sample, p->id, (int64_t)year,
			    p->region, p->town, p->surv) != 0 ||
			    (first != 0 && dbq_bind_int(&q, 7, first,
			    err) != 0) || dbq_bind_int(&q, 8, mode, err) != 0 ||
			    dbq_bind_text(&q, 9, due, err) != 0 ||
			    dbq_bind_int(&q, 10, p->id, err) != 0 ||
			    dbq_bind_int(&q, 11, year, err) != 0) {
				dbq_end(&q);
				return -1;
			}
			if (insert_id(&q, &id, err) != 0)
				return -1;
			first = id;
		}
	}
	return 0;
}

/* ---- reading --------------------------------------------------------- */

/* One parameter: today, for the overdue count. */
#define SAMPLE_COLS "s.id, s.year, s.region, s.rate, s.min_per_surveyor, " \
	"s.recheck_rate, s.seed, s.items, s.mode, s.due, s.persons, " \
	"s.created_at, s.created_by, " \
	"(SELECT count(*) FROM check_tasks t WHERE t.sample_id = s.id), " \
	"(SELECT count(*) FROM check_tasks t WHERE t.sample_id = s.id AND " \
	"t.checker IS NOT NULL), " \
	"(SELECT count(*) FROM check_tasks t WHERE t.sample_id = s.id AND " \
	"t.done = 1), " \
	"(SELECT count(*) FROM check_tasks t WHERE t.sample_id = s.id AND " \
	"t.done = 0 AND t.due < ?), " \
	"(SELECT count(*) FROM check_tasks t WHERE t.sample_id = s.id AND " \
	"t.recheck_of IS NOT NULL) FROM samples s "

static void
sample_row(struct dbq *q, void *out)
{
	struct sup_sample *sm = out;

	memset(sm, 0, sizeof(*sm));
	sm->id = dbq_int64(q, 0);
	sm->year = dbq_int(q, 1);
	dbq_copy(q, 2, sm->region, sizeof(sm->region));
	sm->prm.rate = dbq_double(q, 3);
	sm->prm.min_per_surveyor = dbq_int(q, 4);
	sm->prm.recheck_rate = dbq_double(q, 5);
	sm->prm.seed = (uint64_t)dbq_int64(q, 6);
	dbq_copy(q, 7, sm->items, sizeof(sm->items));
	sm->mode = dbq_int(q, 8);
	dbq_copy(q, 9, sm->due, sizeof(sm->due));
	sm->persons = dbq_int64(q, 10);
	dbq_copy(q, 11, sm->created_at, sizeof(sm->created_at));
	dbq_copy(q, 12, sm->created_by, sizeof(sm->created_by));
	sm->tasks = dbq_int64(q, 13);
	sm->assigned = dbq_int64(q, 14);
	sm->done = dbq_int64(q, 15);
	sm->overdue = dbq_int64(q, 16);
	sm->rechecks = dbq_int64(q, 17);
}

int
supervise_sample_get(struct store *s, int64_t id, struct sup_sample *out,
    struct lf_error *err)
{
	struct dbq q;
	char today[11];

	date_format(store_today(), today);
	if (dbq_query(s, &q, "sample", err, "SELECT " SAMPLE_COLS "WHERE s.id = ?",
	    "ti", today, id) != 0) {
		dbq_end(&q);
		return -1;
	}
	return one_row(&q, sample_row, out, err);
}

int
supervise_samples(struct store *s, const struct region *in, int year,
    supervise_sample_fn fn, void *arg, struct lf_error *err)
{
	struct sup_sample sm;
	struct dbq q;
	char today[11];
	int rc, stop = 0;
	size_t len;

	date_format(store_today(), today);
	len = in ? strlen(in->code) : 0;
	if (dbq_query(s, &q, "sample", err, "SELECT " SAMPLE_COLS "WHERE "
	    "(? = 0 OR s.year = ?) AND substr(s.region, 1, ?) = ? "
	    "ORDER BY s.id DESC", "tiiit", today, (int64_t)year, (int64_t)year,
	    (int64_t)len, in ? in->code : "") != 0) {
		dbq_end(&q);
		return -1;
	}
	while (!stop && (rc = dbq_step(&q, err)) == 1) {
		sample_row(&q, &sm);
		stop = fn(arg, &sm);
	}
	dbq_end(&q);
	if (!stop && rc != 0)
		return -1;
	return stop < 0 ? stop : 0;
}

#define TASK_COLS "t.id, t.sample_id, t.person_id, t.year, p.uid, p.name, " \
	"t.region, t.township, t.surveyor, t.survey_by, t.survey_upd_by, " \
	"coalesce(t.recheck_of, 0), coalesce(t.checker, ''), t.mode, t.due, " \
	"t.done, coalesce(t.done_at, ''), t.version FROM check_tasks t " \
	"JOIN persons p ON p.id = t.person_id "

static void
task_row(struct dbq *q, void *out)
{
	struct sup_task *t = out;

	memset(t, 0, sizeof(*t));
	t->id = dbq_int64(q, 0);
	t->sample_id = dbq_int64(q, 1);
	t->person_id = dbq_int64(q, 2);
	t->year = dbq_int(q, 3);
	dbq_copy(q, 4, t->uid, sizeof(t->uid));
	dbq_copy(q, 5, t->name, sizeof(t->name));
	dbq_copy(q, 6, t->region, sizeof(t->region));
	dbq_copy(q, 7, t->township, sizeof(t->township));
	dbq_copy(q, 8, t->surveyor, sizeof(t->surveyor));
	dbq_copy(q, 9, t->survey_by, sizeof(t->survey_by));
	dbq_copy(q, 10, t->survey_upd_by, sizeof(t->survey_upd_by));
	t->recheck_of = dbq_int64(q, 11);
	dbq_copy(q, 12, t->checker, sizeof(t->checker));
	t->mode = dbq_int(q, 13);
	dbq_copy(q, 14, t->due, sizeof(t->due));
	t->done = dbq_int(q, 15);
	dbq_copy(q, 16, t->done_at, sizeof(t->done_at));
	t->version = dbq_int64(q, 17);
}

int
supervise_task_get(struct store *s, int64_t id, struct sup_task *out,
    struct lf_error *err)
{
	struct dbq q;

	if (dbq_query(s, &q, "check task", err, "SELECT " TASK_COLS
	    "WHERE t.id = ?", "i", id) != 0) {
		dbq_end(&q);
		return -1;
	}
	return one_row(&q, task_row, out, err);
}

int
supervise_tasks(struct store *s, int64_t sample, const char *checker,
    const struct region *in, supervise_task_fn fn, void *arg,
    struct lf_error *err)
{
	struct sup_task t;
	struct dbq q;
	char lo[24] = "", hi[24] = "~";
	int rc, stop = 0;

	if (in != NULL)
		store_region_range(in, lo, hi);
	if (dbq_query(s, &q, "check task", err, "SELECT " TASK_COLS "WHERE (? = 0 "
	    "OR t.sample_id = ?) AND (CAST(? AS text) IS NULL OR t.checker = "
	    "?) AND t.region >= ? AND t.region < ? ORDER BY t.id", "iitttt",
	    sample, sample, checker, checker, lo, hi) != 0) {
		dbq_end(&q);
		return -1;
	}
	while (!stop && (rc = dbq_step(&q, err)) == 1) {
		task_row(&q, &t);
		stop = fn(arg, &t);
	}
	dbq_end(&q);
	if (!stop && rc != 0)
		return -1;
	return stop < 0 ? stop : 0;
}

/* ---- writing tasks and answers ---------------------------------------- */

/* Runs a write prepared in q (a constraint's refusal is an error here).
 * Ends q. */
static int
write_end(struct dbq *q, struct lf_error *err)
{
	int rc = dbq_exec(q, err);

	dbq_end(q);
	if (rc == 2)
		return lf_error_set(err, "store", "", "写入被拒绝 (the row was "
		    "refused by a constraint)");
	return rc;
}

int
supervise_task_assign(struct store *s, int64_t task, const char *checker,
    int mode, const char *due, const char *actor, struct lf_error *err)
{
	struct dbq q;
	char now[21];

	store_now_iso(now);
	if (dbq_query(s, &q, "check task", err, "UPDATE check_tasks SET checker = "
	    "?, mode = ?, due = ?, version = version + 1, assigned_at = ?, "
	    "assigned_by = ? WHERE id = ?", "tittti", checker, (int64_t)mode,
	    due, now, actor, task) != 0) {
		dbq_end(&q);
		return -1;
	}
	return write_end(&q, err);
}

int
supervise_task_finish(struct store *s, int64_t task, int today,
    struct lf_error *err)
{
	struct dbq q;
	char now[21], day[11];

	store_now_iso(now);
	date_format(today, day);
	if (dbq_query(s, &q, "check", err, "UPDATE check_tasks SET done = 1, "
	    "done_at = ?, done_day = ?, version = version + 1 WHERE id = ? "
	    "AND done = 0", "tti", now, day, task) != 0) {
		dbq_end(&q);
		return -1;
	}
	return write_end(&q, err);
}

int
supervise_results(struct store *s, int64_t task, supervise_line_fn fn,
    void *arg, struct lf_error *err)
{
	struct sup_line *ln;
	struct dbq q;
	int rc, stop = 0;

	if ((ln = mem_alloc(sizeof(*ln))) == NULL)
		return lf_error_nomem(err);
	if (dbq_query(s, &q, "check", err, "SELECT kind, ref, recorded, ok, "
	    "coalesce(right_value, '') FROM check_results WHERE task_id = ? "
	    "ORDER BY id", "i", task) != 0) {
		dbq_end(&q);
		mem_free(ln);
		return -1;
	}
	while (!stop && (rc = dbq_step(&q, err)) == 1) {
		memset(ln, 0, sizeof(*ln));
		ln->kind = dbq_int(&q, 0);
		dbq_copy(&q, 1, ln->ref, sizeof(ln->ref));
		dbq_copy(&q, 2, ln->recorded, sizeof(ln->recorded));
		ln->answered = 1;
		ln->ok = dbq_int(&q, 3);
		dbq_copy(&q, 4, ln->right, sizeof(ln->right));
		stop = fn(arg, ln);
	}
	dbq_end(&q);
	mem_free(ln);
	if (stop)
		return stop < 0 ? -1 : 0;
	return rc == 0 ? 0 : -1;
}

int
supervise_results_save(struct store *s, int64_t task,
    const struct sup_line *l, const char *const *final, size_t n,
    struct lf_error *err)
{
	struct dbq q;
	size_t j;

	for (j = 0; j < n; j++) {
		const struct sup_line *ln = &l[j];
		const char *right = ln->ok || ln->kind != SUP_SURVEY_ITEM ?
		    NULL : ln->right;

		if (dbq_query(s, &q, "check", err, "INSERT INTO check_results "
		    "(task_id, kind, ref, recorded, ok, right_value, final) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?)", "iittitt", task,
		    (int64_t)ln->kind, ln->ref, ln->recorded, (int64_t)ln->ok,
		    right, final[j]) != 0) {
			dbq_end(&q);
			return -1;
		}
		if (write_end(&q, err) != 0)
			return -1;
	}
	return 0;
}

/* ---- the rows the precision counts ------------------------------------ */

/* One row per first check, ordered by its group key: by_surveyor,
 * digits, then year and the region range. */
static const char tally_sql[] =
	"SELECT CASE WHEN ? = 0 THEN substr(t.region, 1, ?) ELSE "
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
	"FROM check_tasks t WHERE t.year = ? AND t.region >= ? AND "
	"t.region < ? AND t.recheck_of IS NULL ORDER BY k";

int
supervise_tally_rows(struct store *s, int year, const struct region *in,
    int by_surveyor, int digits, supervise_tally_row_fn fn, void *arg,
    struct lf_error *err)
{
	struct sup_tally_row t;
	struct dbq q;
	char lo[24], hi[24];
	int rc, stop = 0;

	store_region_range(in, lo, hi);
	if (dbq_query(s, &q, "precision", err, tally_sql, "iiitt",
	    (int64_t)(by_surveyor ? 1 : 0), (int64_t)digits, (int64_t)year,
	    lo, hi) != 0) {
		dbq_end(&q);
		return -1;
	}
	while (!stop && (rc = dbq_step(&q, err)) == 1) {
		t.key = dbq_text0(&q, 0);
		t.done = dbq_int(&q, 1);
		t.done_day = dbq_text0(&q, 2);
		t.due = dbq_text0(&q, 3);
		t.survey_n = dbq_int64(&q, 4);
		t.survey_ok = dbq_int64(&q, 5);
		t.plan_n = dbq_int64(&q, 6);
		t.plan_ok = dbq_int64(&q, 7);
		t.differing = dbq_int64(&q, 8);
		stop = fn(arg, &t);
	}
	dbq_end(&q);
	if (stop)
		return stop < 0 ? -1 : 0;
	return rc == 0 ? 0 : -1;
}

/*
 * feedback_rows.c - the rows of satisfaction ratings and their counts
 * (feedback_rows.h), and the tables of self-service (selfcode_rows.h).
 * The rows are written once in store/dbq.h's dialect and run on SQLite
 * and PostgreSQL alike; the tables are made here on SQLite and by
 * pg/pg_feedback.c on PostgreSQL, whose columns it derives from
 * schema_sql below.
 */
#include "store/feedback_rows.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/dbq.h"
#include "store/plan_int.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS feedback ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES persons(id),"
	" year INTEGER NOT NULL,"
	" item_id INTEGER REFERENCES items(id),"
	" region INTEGER NOT NULL,"
	" rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 3),"
	" note TEXT,"
	" by_self INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" code_id INTEGER,"
	" created_at INTEGER NOT NULL,"
	" superseded_by INTEGER);"
	"CREATE INDEX IF NOT EXISTS feedback_target ON feedback (person_id, "
	" year, item_id);"
	"CREATE INDEX IF NOT EXISTS feedback_latest ON feedback (year, region)"
	" WHERE superseded_by IS NULL;"
	"CREATE TABLE IF NOT EXISTS self_codes ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES persons(id),"
	" code_hash BLOB NOT NULL UNIQUE,"
	" issued_by TEXT NOT NULL,"
	" issued_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" revoked_at INTEGER NOT NULL DEFAULT 0,"
	" revoked_by TEXT,"
	" locked_at INTEGER NOT NULL DEFAULT 0,"
	" failures INTEGER NOT NULL DEFAULT 0,"
	" uses INTEGER NOT NULL DEFAULT 0,"
	" last_used_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS self_codes_person ON self_codes "
	" (person_id);"
	"CREATE TABLE IF NOT EXISTS self_sessions ("
	" id INTEGER PRIMARY KEY,"
	" token_hash BLOB NOT NULL UNIQUE,"
	" code_id INTEGER NOT NULL REFERENCES self_codes(id),"
	" person_id INTEGER NOT NULL,"
	" csrf TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" ended INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS self_sessions_code ON self_sessions "
	" (code_id);"
	"CREATE TABLE IF NOT EXISTS self_throttle ("
	" client TEXT PRIMARY KEY,"
	" window_start INTEGER NOT NULL,"
	" failures INTEGER NOT NULL);";

const char *
feedback_schema_sql(void)
{
	return schema_sql;
}

static int
present(struct store *s)
{
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name IN ('feedback', 'feedback_target', 'feedback_latest', "
	    "'self_codes', 'self_codes_person', 'self_sessions', "
	    "'self_sessions_code', 'self_throttle')", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n == 8;
}

int
feedback_init(struct store *s, struct lf_error *err)
{
	enum plan_tx tx;
	int rc = 0;

	/* PostgreSQL's tables are the registry's own (pg/pg_feedback.c) */
	if (dbq_is_pg(s) || present(s))
		return 0;
	if (plan_tx_begin(s, &tx, err) != 0)
		return -1;
	if (sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		rc = store_sqlite_error(s, "feedback_init", err);
	return plan_tx_end(s, tx, rc, err);
}

/* ---- rows ---------------------------------------------------------- */

#define FB_COLS "id, person_id, year, item_id, rating, note, by_self, " \
	"actor, code_id, created_at, superseded_by"

static void
from_row(struct dbq *q, struct feedback *f)
{
	memset(f, 0, sizeof(*f));
	f->id = dbq_int64(q, 0);
	f->person_id = dbq_int64(q, 1);
	f->year = dbq_int(q, 2);
	f->item_id = dbq_int64(q, 3);
	f->rating = dbq_int(q, 4);
	dbq_copy(q, 5, f->note, sizeof(f->note));
	f->by_self = dbq_int(q, 6);
	dbq_copy(q, 7, f->actor, sizeof(f->actor));
	f->code_id = dbq_int64(q, 8);
	plan_time_iso(dbq_int64(q, 9), f->at);
	f->superseded_by = dbq_int64(q, 10);
}

/* Prepares sql with the arguments after fmt bound (dbq_bind()'s
 * letters). 0 or -1; the caller ends q either way. */
static int
query(struct store *s, struct dbq *q, struct lf_error *err, const char *sql,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (dbq_prep(s, q, sql, "feedback", err) != 0)
		return -1;
	va_start(ap, fmt);
	rc = dbq_vbind(q, err, fmt, ap);
	va_end(ap);
	return rc;
}

/* Runs q to its end and ends it: 0 or -1 (a constraint is an error
 * here: no verb expects one). */
static int
done(struct dbq *q, struct lf_error *err)
{
	int rc = dbq_exec(q, err);

	if (rc == 2)
		rc = lf_error_set(err, "store", "", "数据库错误 (database "
		    "error in %s): a constraint refused the write", q->what);
	dbq_end(q);
	return rc;
}

int
feedback_each(struct store *s, int64_t person_id, int year, feedback_fn fn,
    void *arg, struct lf_error *err)
{
	struct feedback f;
	struct dbq q;
	int rc;

	if (query(s, &q, err, "SELECT " FB_COLS " FROM feedback WHERE "
	    "person_id = ? AND year = ? ORDER BY id", "ii", person_id,
	    (int64_t)year) != 0) {
		dbq_end(&q);
		return -1;
	}
	while ((rc = dbq_step(&q, err)) == 1) {
		from_row(&q, &f);
		if ((rc = fn(arg, &f)) != 0)
			break;
	}
	dbq_end(&q);
	return rc;
}

/* ---- writing ------------------------------------------------------- */

/*
 * PostgreSQL's rows carry their person's city and county (the keys of
 * the partition and of row-level security, pg/pg_feedback.c), which
 * SQLite's have not: the one statement, with those two columns first
 * on PostgreSQL, taken from the row's village.
 */
int
feedback_rows_insert(struct store *s, const struct feedback_new *in,
    const char *region, int64_t *id, struct lf_error *err)
{
	struct dbq q;
	char sql[512];
	int pg = dbq_is_pg(s), n = pg ? 2 : 0, rc;

	snprintf(sql, sizeof(sql), "INSERT INTO feedback (%sperson_id, year, "
	    "item_id, region, rating, note, by_self, actor, code_id, "
	    "created_at) VALUES (%s?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    pg ? "city, county, " : "", pg ? "substr(CAST(? AS text), 1, 4), "
	    "substr(CAST(? AS text), 1, 6), " : "");
	if (dbq_prep(s, &q, sql, "feedback", err) != 0 ||
	    (pg && dbq_bind(&q, err, "tt", region, region) != 0) ||
	    dbq_bind_int(&q, n + 1, in->person_id, err) != 0 ||
	    dbq_bind_int(&q, n + 2, in->year, err) != 0 ||
	    (in->item_id != 0 ? dbq_bind_int(&q, n + 3, in->item_id, err) :
	    dbq_bind_null(&q, n + 3, err)) != 0 ||
	    dbq_bind_int(&q, n + 4, strtoll(region, NULL, 10), err) != 0 ||
	    dbq_bind_int(&q, n + 5, in->rating, err) != 0 ||
	    dbq_bind_text(&q, n + 6, in->note != NULL && in->note[0] != '\0' ?
	    in->note : NULL, err) != 0 ||
	    dbq_bind_int(&q, n + 7, in->by_self != 0, err) != 0 ||
	    dbq_bind_text(&q, n + 8, in->actor, err) != 0 ||
	    (in->code_id != 0 ? dbq_bind_int(&q, n + 9, in->code_id, err) :
	    dbq_bind_null(&q, n + 9, err)) != 0 ||
	    dbq_bind_int(&q, n + 10, in->now, err) != 0) {
		dbq_end(&q);
		return -1;
	}
	if ((rc = dbq_step(&q, err)) == 1) {
		*id = dbq_int64(&q, 0);
		return done(&q, err);
	}
	if (rc == 0)
		lf_error_set(err, "store", "", "数据库错误 (database error in "
		    "feedback): no id returned");
	else if (rc == 2)
		return done(&q, err);
	dbq_end(&q);
	return -1;
}

int
feedback_rows_supersede(struct store *s, const struct feedback_new *in,
    int64_t id, struct lf_error *err)
{
	struct dbq q;

	/* "item_id IS ?" is SQLite's; both read "the same item or both
	 * the plan" this way */
	if (query(s, &q, err, "UPDATE feedback SET superseded_by = ? WHERE "
	    "person_id = ? AND year = ? AND coalesce(item_id, 0) = ? AND "
	    "superseded_by IS NULL AND id <> ?", "iiiii", id, in->person_id,
	    (int64_t)in->year, in->item_id, id) != 0) {
		dbq_end(&q);
		return -1;
	}
	return done(&q, err);
}

int
feedback_rows_get(struct store *s, int64_t id, struct feedback *out,
    struct lf_error *err)
{
	struct dbq q;
	int rc;

	if (query(s, &q, err, "SELECT " FB_COLS " FROM feedback WHERE id = ?",
	    "i", id) != 0) {
		dbq_end(&q);
		return -1;
	}
	if ((rc = dbq_step(&q, err)) == 1)
		from_row(&q, out);
	else if (rc == 0)
		lf_error_set(err, "store", "", "数据库错误 (database error in "
		    "feedback): no row %lld", (long long)id);
	dbq_end(&q);
	return rc == 1 ? 0 : -1;
}

/* ---- counting ------------------------------------------------------ */

static int64_t
pow10i(int n)
{
	int64_t v = 1;

	while (n-- > 0)
		v *= 10;
	return v;
}

/* The row (1..) of the child holding village v, or 0. */
static size_t
child_row(const struct regions *rs, const struct satisf_table *t, int64_t v)
{
	size_t i;

	for (i = 1; i < t->n; i++) {
		const struct region *c = regions_find(rs, t->rows[i].code);

		if (c != NULL && region_contains(c, v))
			return i;
	}
	return 0;
}

static int
rows_make(const struct region *in, const struct regions *rs,
    struct satisf_table *t, struct lf_error *err)
{
	int c;
	size_t n = 1;

	t->n = 0;
	t->rows = mem_calloc((size_t)in->nchildren + 1, sizeof(*t->rows));
	if (t->rows == NULL)
		return lf_error_nomem(err);
	memcpy(t->rows[0].code, in->code, sizeof(in->code));
	t->rows[0].name = in->name;
	for (c = in->first_child; c >= 0 && n <= (size_t)in->nchildren;
	    c = rs->v[c].next_sibling, n++) {
		memcpy(t->rows[n].code, rs->v[c].code, sizeof(rs->v[c].code));
		t->rows[n].name = rs->v[c].name;
	}
	t->n = n;
	return 0;
}

int
feedback_counts(struct store *s, const struct region *in,
    const struct regions *rs, int year, struct satisf_table *t,
    struct lf_error *err)
{
	int64_t span = pow10i(12 - region_level_digits(in->level)), v, n;
	struct dbq q;
	size_t row;
	int rc, rating, is_item;

	memset(t, 0, sizeof(*t));
	t->year = year;
	if (rows_make(in, rs, t, err) != 0)
		return -1;
	if (query(s, &q, err, "SELECT region, rating, CASE WHEN item_id IS "
	    "NULL THEN 0 ELSE 1 END, count(*) FROM feedback WHERE year = ? "
	    "AND superseded_by IS NULL AND region BETWEEN ? AND ? GROUP BY 1, "
	    "2, 3", "iii", (int64_t)year, in->code12,
	    in->code12 + span - 1) != 0) {
		dbq_end(&q);
		satisf_table_free(t);
		return -1;
	}
	while ((rc = dbq_step(&q, err)) == 1) {
		v = dbq_int64(&q, 0);
		rating = dbq_int(&q, 1);
		is_item = dbq_int(&q, 2);
		n = dbq_int64(&q, 3);
		satisf_count_add(&t->rows[0].c, rating, is_item, n);
		if ((row = child_row(rs, t, v)) != 0)
			satisf_count_add(&t->rows[row].c, rating, is_item, n);
	}
	dbq_end(&q);
	if (rc != 0) {
		satisf_table_free(t);
		return -1;
	}
	return 0;
}

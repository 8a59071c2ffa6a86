/*
 * feedback_rows.c - the rows of satisfaction ratings and their counts
 * (feedback_rows.h), and the tables of self-service (selfcode_rows.h).
 */
#include "store/feedback_rows.h"

#include <stdlib.h>
#include <string.h>

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

static int
prep(struct store *s, const char *sql, sqlite3_stmt **st,
    struct lf_error *err)
{
	return store_stmt(s, sql, "feedback", st, err);
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

	if (present(s))
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
from_row(sqlite3_stmt *st, struct feedback *f)
{
	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(st, 0);
	f->person_id = sqlite3_column_int64(st, 1);
	f->year = sqlite3_column_int(st, 2);
	f->item_id = sqlite3_column_int64(st, 3);
	f->rating = sqlite3_column_int(st, 4);
	store_copy_col(st, 5, f->note, sizeof(f->note));
	f->by_self = sqlite3_column_int(st, 6);
	store_copy_col(st, 7, f->actor, sizeof(f->actor));
	f->code_id = sqlite3_column_int64(st, 8);
	plan_time_iso(sqlite3_column_int64(st, 9), f->at);
	f->superseded_by = sqlite3_column_int64(st, 10);
}

int
feedback_each(struct store *s, int64_t person_id, int year, feedback_fn fn,
    void *arg, struct lf_error *err)
{
	struct feedback f;
	sqlite3_stmt *st;
	int rc;

	if (prep(s, "SELECT " FB_COLS " FROM feedback WHERE person_id = ? AND "
	    "year = ? ORDER BY id", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int(st, 2, year);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		from_row(st, &f);
		if ((rc = fn(arg, &f)) != 0) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "feedback", err);
}

/* ---- writing ------------------------------------------------------- */

int
feedback_rows_insert(struct store *s, const struct feedback_new *in,
    const char *region, int64_t *id, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (prep(s, "INSERT INTO feedback (person_id, year, item_id, region, "
	    "rating, note, by_self, actor, code_id, created_at) VALUES (?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?)", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, in->person_id);
	sqlite3_bind_int(st, 2, in->year);
	if (in->item_id != 0)
		sqlite3_bind_int64(st, 3, in->item_id);
	sqlite3_bind_int64(st, 4, strtoll(region, NULL, 10));
	sqlite3_bind_int(st, 5, in->rating);
	if (in->note != NULL && in->note[0] != '\0')
		sqlite3_bind_text(st, 6, in->note, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, in->by_self != 0);
	sqlite3_bind_text(st, 8, in->actor, -1, SQLITE_STATIC);
	if (in->code_id != 0)
		sqlite3_bind_int64(st, 9, in->code_id);
	sqlite3_bind_int64(st, 10, in->now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "feedback", err);
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int
feedback_rows_supersede(struct store *s, const struct feedback_new *in,
    int64_t id, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (prep(s, "UPDATE feedback SET superseded_by = ? WHERE person_id = ? "
	    "AND year = ? AND item_id IS ? AND superseded_by IS NULL AND "
	    "id <> ?", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, in->person_id);
	sqlite3_bind_int(st, 3, in->year);
	if (in->item_id != 0)
		sqlite3_bind_int64(st, 4, in->item_id);
	sqlite3_bind_int64(st, 5, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "feedback", err);
}

int
feedback_rows_get(struct store *s, int64_t id, struct feedback *out,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (prep(s, "SELECT " FB_COLS " FROM feedback WHERE id = ?", &st,
	    err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		from_row(st, out);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_sqlite_error(s, "feedback", err);
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
	sqlite3_stmt *st;
	size_t row;
	int rc, rating, is_item;

	memset(t, 0, sizeof(*t));
	t->year = year;
	if (rows_make(in, rs, t, err) != 0)
		return -1;
	/* PostgreSQL keeps no feedback table yet (docs/postgresql.md): none */
	if (s->pg != NULL)
		return 0;
	if (prep(s, "SELECT region, rating, item_id IS NOT NULL, count(*) "
	    "FROM feedback WHERE year = ? AND superseded_by IS NULL AND "
	    "region BETWEEN ? AND ? GROUP BY 1, 2, 3", &st, err) != 0) {
		satisf_table_free(t);
		return -1;
	}
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_int64(st, 2, in->code12);
	sqlite3_bind_int64(st, 3, in->code12 + span - 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		rating = sqlite3_column_int(st, 1);
		is_item = sqlite3_column_int(st, 2);
		n = sqlite3_column_int64(st, 3);
		satisf_count_add(&t->rows[0].c, rating, is_item, n);
		if ((row = child_row(rs, t, v)) != 0)
			satisf_count_add(&t->rows[row].c, rating, is_item, n);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		satisf_table_free(t);
		return store_sqlite_error(s, "feedback", err);
	}
	return 0;
}

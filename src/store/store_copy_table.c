/*
 * store_copy_table.c - tables copied column by column (store_copy.h):
 * history, plans and items, whose PostgreSQL tables have SQLite's
 * columns (pg_schema.c) plus the city and county of the row's village
 * (history: of its person's). SQLite to PostgreSQL: every column is
 * carried as it is (INTEGER as the target column's bigint, integer or
 * smallint, TEXT as text, NULL as NULL; history's time "at", TEXT on
 * SQLite, as timestamptz) through binary COPY (pg_int.h's field
 * encoders), but a survey history row's entity_id (col_read()); the id
 * sequences are moved past the largest id. PostgreSQL to SQLite:
 * store_copy_back.c. The sums read the same columns on both sides, in
 * byte order of their names.
 * An item's interned text (an id into texts on SQLite, plan_int.h)
 * is read and sent as its text (PostgreSQL's column is text); a copy
 * into SQLite interns it again (store_copy_back.c).
 */
#include "store/store_copy.h"
#include "store/store_int.h"
#include "store/pg/pg_int.h"
#include "store/plan_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/mem.h"

#define MAX_COLS	64
#define FLUSH_BYTES	((size_t)8 << 20)

/* The columns of a SQLite table, by name: their list, their number, how
 * each goes into PostgreSQL's (pg_col_kinds()); the index of "id", and
 * whether the table has "region" (else its village is its person's). */
struct tcols {
	struct buf	 list;		/* "a, b, c" */
	struct buf	 sel;		/* what is read of each */
	int		 n;
	char		 kind[MAX_COLS];
	int		 id, region;
};

/* What is read of column name of table: the column, but for a survey
 * history row's entity_id (store_copy.h): the person's id when copied
 * into PostgreSQL (as PostgreSQL's loads write it), left out (NULL) of
 * the sums. */
static const char *
col_read(const char *table, const char *name, int copy)
{
	if (strcmp(table, "history") != 0 || strcmp(name, "entity_id") != 0)
		return name;
	return copy ? "CASE WHEN entity = 'survey' THEN person_id ELSE "
	    "entity_id END AS entity_id" : STORE_COPY_SURVEY_REF;
}

static int
table_cols(struct store *s, const char *table, int copy, struct tcols *t,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	const char *name;
	int rc, text;

	t->n = 0;
	t->id = t->region = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT name FROM "
	    "pragma_table_info(?1) ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, table, err);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && t->n < MAX_COLS) {
		name = (const char *)sqlite3_column_text(st, 0);
		text = strcmp(table, "items") == 0 && plan_item_interned(name);
		if (buf_addf(&t->list, "%s%s", t->n ? ", " : "", name) != 0 ||
		    buf_adds(&t->sel, t->n ? ", " : "") != 0 || (text ?
		    buf_addf(&t->sel, PLAN_TEXT_OF("%s") " AS %s", name, name) :
		    buf_adds(&t->sel, col_read(table, name, copy))) != 0)
			break;
		if (strcmp(name, "id") == 0)
			t->id = t->n;
		if (strcmp(name, "region") == 0)
			t->region = t->n;
		t->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || t->id < 0)
		return lf_error_set(err, "store", table, "表 %s 的列无法读取 "
		    "(cannot read the columns of %s)", table, table);
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ" as Unix time; -1 when it is not that. */
static int
iso_time(const char *v, time_t *out)
{
	struct tm tm;
	char z;

	memset(&tm, 0, sizeof(tm));
	if (v == NULL || sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &z) != 7 || z != 'Z' || strlen(v) != 20)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm);
	return 0;
}

/* One SQLite row as a binary COPY row: city, county (of the village in
 * the last column, after t's), then the columns. 1 when a time is not
 * one, -1 out of memory. */
static int
copy_row(sqlite3_stmt *st, const struct tcols *t, struct buf *b)
{
	time_t at;
	int i;

	if (pg_row_head(b, t->n + 2, sqlite3_column_int64(st, t->n)) != 0)
		return -1;
	for (i = 0; i < t->n; i++) {
		if (sqlite3_column_type(st, i) == SQLITE_NULL) {
			if (pg_put_field(b, NULL, 0) != 0)
				return -1;
		} else if (t->kind[i] == 't') {
			if (iso_time((const char *)sqlite3_column_text(st, i),
			    &at) != 0)
				return 1;
			if (pg_put_time(b, at) != 0)
				return -1;
		} else if (t->kind[i] != 's') {
			if (pg_put_int(b, sqlite3_column_int64(st, i),
			    t->kind[i]) != 0)
				return -1;
		} else if (pg_put_field(b, sqlite3_column_text(st, i),
		    (size_t)sqlite3_column_bytes(st, i)) != 0)
			return -1;
	}
	return 0;
}

static int
copy_rows(struct store *from, struct store *to, const char *table,
    const struct tcols *t, sqlite3_stmt *st, int64_t *rows,
    struct lf_error *err)
{
	struct buf b;
	int64_t last = 0;
	int rc;

	buf_init(&b, (size_t)1 << 30);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = copy_row(st, t, &b)) != 0) {
			buf_free(&b);
			return rc < 0 ? lf_error_nomem(err) : lf_error_set(err,
			    "corrupt", table, "表 %s 的时间无效 (table %s: a "
			    "time is not YYYY-MM-DDTHH:MM:SSZ)", table, table);
		}
		if (sqlite3_column_int64(st, t->id) > last)
			last = sqlite3_column_int64(st, t->id);
		(*rows)++;
		if (b.len >= FLUSH_BYTES && pg_rows_send(to, table,
		    buf_str(&t->list), &b, err) != 0)
			break;
	}
	if (rc == SQLITE_ROW || (rc != SQLITE_DONE &&
	    store_sqlite_error(from, table, err) != 0) || pg_rows_send(to,
	    table, buf_str(&t->list), &b, err) != 0) {
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	return *rows > 0 ? pg_seq_past(to, table, last, err) : 0;
}

/* The columns of SQLite table into t (t->list and t->sel initialised
 * by the caller) and *st, a statement selecting them from every row
 * (col_read()), with the row's village (its person's for a table
 * without one) last when village (for a copy; else for the sums). 0, or
 * -1 with err (*st then NULL). */
static int
table_select(struct store *s, const char *table, int village,
    struct tcols *t, sqlite3_stmt **st, struct lf_error *err)
{
	struct buf q;
	int rc = -1;

	*st = NULL;
	buf_init(&q, 1 << 16);
	if (table_cols(s, table, village, t, err) != 0)
		goto out;
	if (buf_addf(&q, "SELECT %s%s FROM %s", buf_str(&t->sel), !village ?
	    "" : t->region >= 0 ? ", region" : ", (SELECT p.region FROM "
	    "persons p WHERE p.id = person_id)", table) != 0)
		lf_error_nomem(err);
	else if (sqlite3_prepare_v2(s->db, buf_str(&q), -1, st, NULL) !=
	    SQLITE_OK)
		store_sqlite_error(s, table, err);
	else
		rc = 0;
out:
	buf_free(&q);
	return rc;
}

/* How each column of st goes into to's table (pg_col_kinds()). */
static int
target_kinds(struct store *to, const char *table, sqlite3_stmt *st,
    struct tcols *t, struct lf_error *err)
{
	const char *names[MAX_COLS];
	int i;

	for (i = 0; i < t->n; i++)
		names[i] = sqlite3_column_name(st, i);
	return pg_col_kinds(to, table, t->n, names, t->kind, err);
}

int
store_copy_table(struct store *from, struct store *to, const char *table,
    int64_t *rows, struct lf_error *err)
{
	struct tcols t;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	*rows = 0;
	if (from->pg != NULL)
		return store_copy_table_back(from, to, table, rows, err);
	buf_init(&t.list, 1 << 16);
	buf_init(&t.sel, 1 << 16);
	if (table_select(from, table, 1, &t, &st, err) == 0 &&
	    target_kinds(to, table, st, &t, err) == 0)
		rc = copy_rows(from, to, table, &t, st, rows, err);
	sqlite3_finalize(st);
	buf_free(&t.list);
	buf_free(&t.sel);
	return rc;
}

int
store_copy_cols_line(struct buf *b, int n, const char *const *names,
    const char *const *v)
{
	size_t from;
	int i;

	buf_reset(b);
	for (i = 0; i < n; i++) {
		if (buf_addf(b, "%s%s=", i ? "|" : "", names[i]) != 0)
			return -1;
		from = b->len;
		if (v[i] == NULL ? buf_adds(b, "\\N") != 0 :
		    buf_adds(b, v[i]) != 0 || store_copy_sum_escape(b, from) != 0)
			return -1;
	}
	return buf_adds(b, "\n");
}

/* A SQLite table's rows into sum: SQLITE_DONE, another SQLite code, or
 * -1 out of memory. */
static int
table_sum_rows(const struct store *s, sqlite3_stmt *st,
    const struct tcols *t, struct buf *b, struct store_sum *sum)
{
	const char *names[MAX_COLS], *v[MAX_COLS];
	int i, rc;

	for (i = 0; i < t->n; i++)
		names[i] = sqlite3_column_name(st, i);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < t->n; i++)
			v[i] = (const char *)sqlite3_column_text(st, i);
		if (store_copy_cols_line(b, t->n, names, v) != 0 ||
		    store_copy_sum_add(s, sum, b) != 0)
			return -1;
	}
	return rc;
}

int
store_copy_table_sum(struct store *s, const char *table, struct buf *b,
    struct store_sum *sum, struct lf_error *err)
{
	struct tcols t;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (s->pg != NULL)
		return pg_table_sum(s, table, b, sum, err);
	buf_init(&t.list, 1 << 16);
	buf_init(&t.sel, 1 << 16);
	if (table_select(s, table, 0, &t, &st, err) != 0)
		goto out;
	if ((rc = table_sum_rows(s, st, &t, b, sum)) == SQLITE_DONE)
		rc = 0;
	else
		rc = rc < 0 ? lf_error_nomem(err) : store_sqlite_error(s, table,
		    err);
out:
	sqlite3_finalize(st);
	buf_free(&t.list);
	buf_free(&t.sel);
	return rc;
}

/*
 * store_copy_table.c - tables copied column by column (store_copy.h):
 * the plans and items, whose PostgreSQL tables have SQLite's columns
 * (pg_schema.c derives them from SQLite's DDL) plus the city and county
 * taken from the row's village. Every column is carried as it is
 * (INTEGER as bigint, TEXT as text, NULL as NULL) through binary COPY
 * (pg_int.h's field encoders); the id sequences are moved past the
 * largest id, and an item's interned text (an id into texts on SQLite,
 * plan_int.h) goes as its text, PostgreSQL's column being text. The sums
 * read the same columns on both sides, in byte order of their names.
 */
#include "store/store_copy.h"
#include "store/store_int.h"
#include "store/pg/pg_int.h"
#include "store/plan_int.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"

#define MAX_COLS	64
#define FLUSH_BYTES	((size_t)8 << 20)

/* The columns of a SQLite table, by name: their list, what selects
 * them, their number, and which hold integers; the index of "id" and
 * "region". */
struct tcols {
	struct buf	 list;		/* "a, b, c" */
	struct buf	 sel;		/* the same, interned texts as text */
	int		 n;
	int		 integer[MAX_COLS];
	int		 id, region;
};

static int
table_cols(struct store *s, const char *table, struct tcols *t,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	const char *name;
	int rc, text;

	t->n = 0;
	t->id = t->region = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT name, type FROM "
	    "pragma_table_info(?1) ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, table, err);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && t->n < MAX_COLS) {
		name = (const char *)sqlite3_column_text(st, 0);
		text = strcmp(table, "items") == 0 && plan_item_interned(name);
		if (buf_addf(&t->list, "%s%s", t->n ? ", " : "", name) != 0 ||
		    buf_adds(&t->sel, t->n ? ", " : "") != 0 || buf_addf(&t->sel,
		    text ? PLAN_TEXT_OF("%s") " AS %s" : "%s", name, name) != 0)
			break;
		t->integer[t->n] = !text && strstr((const char *)
		    sqlite3_column_text(st, 1), "INT") != NULL;
		if (strcmp(name, "id") == 0)
			t->id = t->n;
		if (strcmp(name, "region") == 0)
			t->region = t->n;
		t->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || t->id < 0 || t->region < 0)
		return lf_error_set(err, "store", table, "表 %s 的列无法读取 "
		    "(cannot read the columns of %s)", table, table);
	return 0;
}

/* One SQLite row as a binary COPY row: city, county, then the columns. */
static int
copy_row(sqlite3_stmt *st, const struct tcols *t, struct buf *b)
{
	int i;

	if (pg_row_head(b, t->n + 2, sqlite3_column_int64(st, t->region)) != 0)
		return -1;
	for (i = 0; i < t->n; i++) {
		if (sqlite3_column_type(st, i) == SQLITE_NULL) {
			if (pg_put_field(b, NULL, 0) != 0)
				return -1;
		} else if (t->integer[i]) {
			if (pg_put_int(b, sqlite3_column_int64(st, i), 8) != 0)
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
		if (copy_row(st, t, &b) != 0) {
			buf_free(&b);
			return lf_error_nomem(err);
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

/* The columns of SQLite table into t (t->list and t->sel initialised by
 * the caller) and *st, a statement selecting them from every row. 0, or -1
 * with err (*st then NULL). */
static int
table_select(struct store *s, const char *table, struct tcols *t,
    sqlite3_stmt **st, struct lf_error *err)
{
	struct buf q;
	int rc = -1;

	*st = NULL;
	buf_init(&q, 1 << 16);
	if (table_cols(s, table, t, err) != 0)
		goto out;
	if (buf_addf(&q, "SELECT %s FROM %s", buf_str(&t->sel), table) != 0)
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

int
store_copy_table(struct store *from, struct store *to, const char *table,
    int64_t *rows, struct lf_error *err)
{
	struct tcols t;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	*rows = 0;
	buf_init(&t.list, 1 << 16);
	buf_init(&t.sel, 1 << 16);
	if (table_select(from, table, &t, &st, err) == 0)
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
	int i;

	buf_reset(b);
	for (i = 0; i < n; i++)
		if (buf_addf(b, "%s%s=%s", i ? "|" : "", names[i],
		    v[i] != NULL ? v[i] : "\\N") != 0)
			return -1;
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
	if (table_select(s, table, &t, &st, err) != 0)
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

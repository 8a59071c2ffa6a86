/*
 * store_copy_back.c - a table copied column by column from PostgreSQL
 * into SQLite (store_copy.h's store_copy_table_back()): history, plans
 * and items, every row as pg_table_each() reads it (text, NULL as NULL,
 * history's time as SQLite keeps times), inserted by column name inside
 * the SQLite target's open transaction. SQLite's column affinity turns
 * an INTEGER column's text into its number; ids are carried, and SQLite
 * numbers later rows after the largest by itself. A survey history row's
 * entity_id becomes the id of the survey of its person and year in the
 * target, whose surveys store_copy_survey_ids() numbered.
 */
#include "store/store_copy.h"
#include "store/stats_gen.h"
#include "store/store_int.h"
#include "store/plan_int.h"
#include "store/pg/pg_int.h"

#include <stdio.h>
#include <string.h>

struct back {
	struct store	*to;
	const char	*table;
	sqlite3_stmt	*st;		/* made at the first row */
	int64_t		*rows;
};

static int
col_of(int n, const char *const *names, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i + 1;
	return 0;
}

/* 1 when column name of k's table holds an interned text's id on SQLite
 * (an item's measures and effect note, plan_int.h): PostgreSQL sends the
 * text, which the insert looks up in texts after texts_put() stored it. */
static int
interned(const struct back *k, const char *name)
{
	return strcmp(k->table, "items") == 0 && plan_item_interned(name);
}

/* Stores the interned texts of a row (texts_put: an empty text is NULL,
 * as the items' own writes keep it). 0 or -1 with err. */
static int
texts_put(struct back *k, int n, const char *const *names,
    const char *const *v, struct lf_error *err)
{
	int64_t id;
	int i;

	for (i = 0; i < n; i++)
		if (v[i] != NULL && v[i][0] != '\0' && interned(k, names[i]) &&
		    plan_text_id(k->to, v[i], &id, err) != 0)
			return -1;
	return 0;
}

/* The value written into column i: its parameter, but a survey history
 * row's entity_id (store_copy.h), which names the target's survey. */
static int
value_of(const struct back *k, int n, const char *const *names, int i,
    struct buf *q)
{
	if (interned(k, names[i]))
		return buf_addf(q, "%s(SELECT id FROM texts WHERE body = ?%d)",
		    i ? ", " : "", i + 1);
	if (strcmp(k->table, "history") != 0 || strcmp(names[i],
	    "entity_id") != 0)
		return buf_addf(q, "%s?%d", i ? ", " : "", i + 1);
	return buf_addf(q, "%sCASE WHEN ?%d = 'survey' THEN (SELECT id FROM "
	    "surveys WHERE person_id = ?%d AND year = ?%d) ELSE ?%d END",
	    i ? ", " : "", col_of(n, names, "entity"), col_of(n, names,
	    "person_id"), col_of(n, names, "year"), i + 1);
}

/* "INSERT INTO table (a, b) VALUES (?1, ?2)" for the n names. */
static int
insert_prepare(struct back *k, int n, const char *const *names,
    struct lf_error *err)
{
	struct buf q;
	int i, rc = -1;

	buf_init(&q, 1 << 16);
	if (buf_addf(&q, "INSERT INTO %s (", k->table) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (buf_addf(&q, "%s%s", i ? ", " : "", names[i]) != 0)
			goto out;
	if (buf_adds(&q, ") VALUES (") != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (value_of(k, n, names, i, &q) != 0)
			goto out;
	rc = buf_adds(&q, ")");
out:
	if (rc != 0)
		lf_error_nomem(err);
	else if (sqlite3_prepare_v2(k->to->db, buf_str(&q), -1, &k->st,
	    NULL) != SQLITE_OK)
		rc = store_sqlite_error(k->to, k->table, err);
	buf_free(&q);
	return rc;
}

static int
back_row(void *arg, int n, const char *const *names, const char *const *v,
    struct lf_error *err)
{
	struct back *k = arg;
	int i, rc;

	if (k->st == NULL && insert_prepare(k, n, names, err) != 0)
		return -1;
	if (texts_put(k, n, names, v, err) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (v[i] == NULL || (v[i][0] == '\0' && interned(k, names[i])))
			sqlite3_bind_null(k->st, i + 1);
		else
			sqlite3_bind_text(k->st, i + 1, v[i], -1, SQLITE_STATIC);
	rc = sqlite3_step(k->st);
	sqlite3_reset(k->st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(k->to, k->table, err);
	/* a bulk load holds the write counter's triggers off and counts
	 * the rows itself (store_sqlite.c) */
	if (k->to->gen_held && stats_gen_watches(k->table))
		k->to->gen_moves++;
	(*k->rows)++;
	return 0;
}

int
store_copy_table_back(struct store *from, struct store *to,
    const char *table, int64_t *rows, struct lf_error *err)
{
	struct back k = { to, table, NULL, rows };
	int rc;

	*rows = 0;
	if (from->pg == NULL || to->db == NULL)
		return lf_error_set(err, "internal", table, "须从 PostgreSQL "
		    "复制到 SQLite (a table copied back goes from PostgreSQL "
		    "to SQLite)");
	rc = pg_table_each(from, table, back_row, &k, err);
	sqlite3_finalize(k.st);
	return rc;
}

int
store_copy_survey_ids(struct store *to, struct lf_error *err)
{
	if (to->db == NULL)
		return 0;
	return store_sqlite_exec(to, "UPDATE surveys SET id = -id; UPDATE "
	    "surveys SET id = r.n FROM (SELECT person_id AS p, year AS y, "
	    "row_number() OVER (ORDER BY year, person_id) AS n FROM surveys) "
	    "AS r WHERE surveys.person_id = r.p AND surveys.year = r.y", err);
}

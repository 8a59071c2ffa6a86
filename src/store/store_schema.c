/*
 * store_schema.c - the SQL schema, and the catalog versions that the
 * packed survey records (packrec.h) are written under.
 *
 * A survey row keeps as columns what an index or a join needs (person,
 * year, versions, the certificate number's lookup hash) and every catalog
 * item in one packed record, `rec`. The table is `WITHOUT ROWID`, keyed
 * (person_id, year): a person's years lie side by side in one B-tree leaf,
 * so the person page reads them with one seek (docs/performance.md, issue
 * 17). The survey's id, which history, audit and checks refer to, stays a
 * column with its own unique index (surveys_id), given as max(id) + 1 on
 * insert (what an INTEGER PRIMARY KEY did), or numbered by a bulk load
 * itself. The catalog's layout is registered in
 * catalog_versions when the store opens; a catalog that gains items gains
 * a version, and records of older versions stay readable.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"

static const char fixed_schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
	"CREATE TABLE persons(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  uid TEXT NOT NULL,\n"
	"  id_hash BLOB NOT NULL,\n"
	"  id_enc BLOB NOT NULL,\n"
	"  id_masked TEXT NOT NULL DEFAULT '',\n"
	"  name TEXT NOT NULL,\n"
	"  gender INTEGER NOT NULL,\n"
	"  birth_date TEXT NOT NULL,\n"
	"  region TEXT NOT NULL,\n"
	"  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 3),\n"
	"  version INTEGER NOT NULL,\n"
	"  created_at TEXT NOT NULL, created_by TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);\n"

	"CREATE TABLE history(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  entity TEXT NOT NULL,\n"
	"  entity_id INTEGER NOT NULL,\n"
	"  person_id INTEGER NOT NULL REFERENCES persons(id),\n"
	"  year INTEGER NOT NULL,\n"
	"  version INTEGER NOT NULL,\n"
	"  actor TEXT NOT NULL,\n"
	"  at TEXT NOT NULL,\n"
	"  changes TEXT NOT NULL);\n"
	"CREATE INDEX history_person ON history(person_id, id);\n";

/* Secondary indexes, unique ones included: a bulk load into empty tables
 * drops those the database has and builds them again, by sorting, before
 * it commits (store_sqlite.c). Databases made before issue 17's load work
 * keep the ID hash's and the survey id's uniqueness in the tables' own
 * constraints (SQLite's autoindexes, which cannot be dropped): there the
 * two are kept up during the load, and missing from sqlite_master, they
 * are neither dropped nor built. */
const struct schema_index schema_indexes[] = {
	{ "persons_id_hash", "persons", "CREATE UNIQUE INDEX persons_id_hash "
	    "ON persons(id_hash)" },
	{ "persons_uid", "persons", "CREATE UNIQUE INDEX persons_uid ON "
	    "persons(uid)" },
	{ "persons_region", "persons", "CREATE INDEX persons_region ON "
	    "persons(region)" },
	{ "persons_name", "persons", "CREATE INDEX persons_name ON "
	    "persons(name)" },
	{ "surveys_id", "surveys", "CREATE UNIQUE INDEX surveys_id ON "
	    "surveys(id)" },
	{ "surveys_year", "surveys", "CREATE INDEX surveys_year ON "
	    "surveys(year, person_id)" },
	{ "surveys_card", "surveys", "CREATE INDEX surveys_card ON "
	    "surveys(disability_card_no_hash)" },
	{ NULL, NULL, NULL }
};

int
schema_indexes_create(struct store *s, const char *table,
    struct lf_error *err)
{
	const struct schema_index *x;

	for (x = schema_indexes; x->name != NULL; x++)
		if (strcmp(x->table, table) == 0 &&
		    store_sqlite_exec(s, x->sql, err) != 0)
			return -1;
	return 0;
}

/* Made on open when missing (a database of the old layout). */
static const char versions_table[] =
	"CREATE TABLE IF NOT EXISTS catalog_versions(\n"
	"  version INTEGER PRIMARY KEY,\n"
	"  layout TEXT NOT NULL UNIQUE);\n";

int
schema_hashed(const struct field *f)
{
	return f->secret && f->type != FT_PHONE;
}

int
schema_hash_columns(const struct catalog *cat, const char *prefix,
    struct buf *b)
{
	size_t i;

	for (i = 0; i < cat->nfields; i++)
		if (schema_hashed(&cat->fields[i]) && buf_addf(b, "%s%s_hash",
		    prefix, cat->fields[i].code) != 0)
			return -1;
	return 0;
}

int
schema_survey_table(const struct catalog *cat, const char *name,
    struct buf *b)
{
	return buf_addf(b, "CREATE TABLE %s(\n"
	    "  id INTEGER NOT NULL,\n"
	    "  person_id INTEGER NOT NULL REFERENCES persons(id),\n"
	    "  year INTEGER NOT NULL,\n"
	    "  version INTEGER NOT NULL,\n"
	    "  created_at TEXT NOT NULL, created_by TEXT NOT NULL,\n"
	    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,\n"
	    "  rec BLOB NOT NULL", name) != 0 ||
	    schema_hash_columns(cat, ",\n  ", b) != 0 ||
	    buf_adds(b, ",\n  PRIMARY KEY (person_id, year)) WITHOUT ROWID;\n")
	    != 0 ? -1 : 0;
}

/* Adds the hash column of every hashed item the survey table lacks (a
 * catalog that gained an ID or certificate item). */
static int
hash_upgrade(struct store *s, struct lf_error *err)
{
	char sql[160];
	size_t i;
	int has;

	for (i = 0; i < s->cat->nfields; i++) {
		const struct field *f = &s->cat->fields[i];

		if (!schema_hashed(f))
			continue;
		snprintf(sql, sizeof(sql), "%s_hash", f->code);
		if ((has = schema_has_column(s->db, "surveys", sql)) < 0)
			return store_sqlite_error(s, "schema", err);
		snprintf(sql, sizeof(sql), "ALTER TABLE surveys ADD COLUMN "
		    "%s_hash BLOB", f->code);
		if (!has && sqlite3_exec(s->db, sql, NULL, NULL, NULL) !=
		    SQLITE_OK)
			return store_sqlite_error(s, "schema", err);
	}
	return 0;
}

int
schema_has_column(sqlite3 *db, const char *table, const char *name)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) "
	    "WHERE name = ?2", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
schema_create_sql(const struct catalog *cat, struct buf *b)
{
	const struct schema_index *x;

	if (buf_adds(b, fixed_schema) != 0 ||
	    buf_adds(b, versions_table) != 0 ||
	    schema_survey_table(cat, "surveys", b) != 0)
		return -1;
	for (x = schema_indexes; x->name != NULL; x++)
		if (buf_addf(b, "%s;\n", x->sql) != 0)
			return -1;
	return 0;
}

/* The version of layout, registering it when new: 0, -1 with err. Looked
 * up first: an INSERT, even one that inserts nothing, takes the write
 * lock, and every connection the server opens passes here (a worker's
 * first request waited behind any writer, up to the busy timeout). */
static int
register_layout(struct store *s, const char *layout, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM catalog_versions WHERE "
	    "layout = ?1", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "catalog versions", err);
	sqlite3_bind_text(st, 1, layout, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "catalog versions", err);
	if (sqlite3_prepare_v2(s->db, "INSERT INTO catalog_versions(layout) "
	    "SELECT ?1 WHERE NOT EXISTS (SELECT 1 FROM catalog_versions "
	    "WHERE layout = ?1)", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "catalog versions", err);
	sqlite3_bind_text(st, 1, layout, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "catalog "
	    "versions", err);
}

static int
load_versions(struct store *s, const char *current, struct lf_error *err)
{
	sqlite3_stmt *st;
	const char *layout;
	int rc = 0, step;

	if (sqlite3_prepare_v2(s->db, "SELECT version, layout FROM "
	    "catalog_versions ORDER BY version", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "catalog versions", err);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		layout = (const char *)sqlite3_column_text(st, 1);
		rc = packrec_set_add(s->packs, sqlite3_column_int(st, 0),
		    layout ? layout : "", layout && strcmp(layout, current) ==
		    0, err);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlite_error(s, "catalog versions", err);
	sqlite3_finalize(st);
	if (rc == 0 && packrec_set_current(s->packs) == 0)
		rc = lf_error_set(err, "store", "", "目录版本未登记 (the "
		    "catalog's version is not registered)");
	return rc;
}

int
schema_open(struct store *s, struct lf_error *err)
{
	struct buf layout;
	int rc = -1;

	buf_init(&layout, 1 << 20);
	if ((s->packs = packrec_set_new(s->cat)) == NULL ||
	    (s->sealed = mem_calloc(s->cat->nfields, sizeof(*s->sealed))) ==
	    NULL || packrec_layout(s->cat, &layout) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (sqlite3_exec(s->db, versions_table, NULL, NULL, NULL) !=
	    SQLITE_OK) {
		store_sqlite_error(s, "catalog versions", err);
		goto out;
	}
	if (register_layout(s, buf_str(&layout), err) != 0 ||
	    load_versions(s, buf_str(&layout), err) != 0 ||
	    migrate_wide(s, err) < 0 || hash_upgrade(s, err) != 0 ||
	    migrate_cluster(s, err) < 0)
		goto out;
	if (schema_functions(s->db, s->packs) != 0) {
		store_sqlite_error(s, "lf_item", err);
		goto out;
	}
	rc = 0;
out:
	buf_free(&layout);
	return rc;
}

/* lf_item(rec, code): one item of a packed record, or NULL. */
static void
item_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct packrec_set *ps = sqlite3_user_data(ctx);
	const unsigned char *code = sqlite3_value_text(argv[1]);
	const struct catalog *cat = packrec_catalog(ps);
	const struct field *f;
	struct packrec_value v;
	struct lf_error err;

	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_BLOB || code == NULL)
		return;
	if ((f = catalog_find(cat, (const char *)code, strlen((const char *)
	    code))) == NULL) {
		sqlite3_result_error(ctx, "lf_item: no such catalog item", -1);
		return;
	}
	lf_error_clear(&err);
	if (packrec_item(ps, sqlite3_value_blob(argv[0]),
	    (size_t)sqlite3_value_bytes(argv[0]), f->index, &v, &err) != 0) {
		sqlite3_result_error(ctx, err.message, -1);
		return;
	}
	if (v.kind == 1)
		sqlite3_result_int64(ctx, v.num);
	else if (v.kind == 2)
		sqlite3_result_text(ctx, v.text, (int)v.tlen,
		    SQLITE_TRANSIENT);
}

int
schema_functions(sqlite3 *db, const struct packrec_set *ps)
{
	return sqlite3_create_function(db, "lf_item", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, (void *)ps, item_fn, NULL, NULL) ==
	    SQLITE_OK ? 0 : -1;
}

/* The set behind a connection's lf_item(), freed with the connection. */
static void
set_destroy(void *p)
{
	packrec_set_free(p);
}

static int
view_sql(const struct catalog *cat, struct buf *b)
{
	size_t i;

	if (buf_adds(b, "CREATE TEMP VIEW surveys AS SELECT id, person_id, "
	    "year, version, created_at, created_by, updated_at, updated_by, "
	    "rec") != 0 || schema_hash_columns(cat, ", ", b) != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++)
		if (!cat->fields[i].secret && buf_addf(b, ", lf_item(rec, "
		    "'%s') AS %s", cat->fields[i].code, cat->fields[i].code))
			return -1;
	return buf_adds(b, " FROM main.surveys");
}

int
store_wide_view(void *dbp, const struct catalog *cat, struct lf_error *err)
{
	sqlite3 *db = dbp;
	struct store s;
	struct buf layout;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	s.db = db;
	s.cat = cat;
	buf_init(&layout, 1 << 20);
	if ((s.packs = packrec_set_new(cat)) == NULL ||
	    packrec_layout(cat, &layout) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (load_versions(&s, buf_str(&layout), err) != 0)
		goto out;
	if (sqlite3_create_function_v2(db, "lf_item", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, s.packs, item_fn, NULL, NULL, set_destroy) !=
	    SQLITE_OK) {
		s.packs = NULL;		/* freed by SQLite */
		store_sqlite_error(&s, "lf_item", err);
		goto out;
	}
	s.packs = NULL;			/* the connection's now */
	buf_reset(&layout);
	if (view_sql(cat, &layout) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (sqlite3_exec(db, buf_str(&layout), NULL, NULL, NULL) != SQLITE_OK) {
		store_sqlite_error(&s, "view", err);
		goto out;
	}
	rc = 0;
out:
	packrec_set_free(s.packs);
	buf_free(&layout);
	return rc;
}

/*
 * store_schema.c - the SQL schema, generated from the field catalog.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

static const char fixed_schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
	"CREATE TABLE persons(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  uid TEXT NOT NULL,\n"
	"  id_hash BLOB NOT NULL UNIQUE,\n"
	"  id_enc BLOB NOT NULL,\n"
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

/* Secondary indexes: dropped while a bulk load fills empty tables and
 * built again, by sorting, before it commits. */
const char schema_index_sql[] =
	"CREATE UNIQUE INDEX persons_uid ON persons(uid);\n"
	"CREATE INDEX persons_region ON persons(region);\n"
	"CREATE INDEX persons_name ON persons(name);\n"
	"CREATE INDEX surveys_year ON surveys(year, person_id);\n"
	"CREATE INDEX surveys_card ON surveys(disability_card_no_hash);\n";
const char schema_index_drop_sql[] =
	"DROP INDEX persons_uid; DROP INDEX persons_region;\n"
	"DROP INDEX persons_name; DROP INDEX surveys_year;\n"
	"DROP INDEX surveys_card;\n";

int
schema_field_ncols(const struct field *f)
{
	return f->secret ? 2 : 1;
}

const char *
schema_sql_type(const struct field *f)
{
	if (f->secret)
		return "BLOB";
	switch (f->type) {
	case FT_TEXT:
	case FT_DATE:
	case FT_REGION:
		return "TEXT";
	case FT_ID_NUMBER:
	case FT_PHONE:
		return "BLOB";
	default:
		return "INTEGER";
	}
}

int
schema_survey_columns(const struct catalog *cat, const char *prefix,
    struct buf *b)
{
	size_t i;

	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];

		if (f->secret) {
			if (buf_addf(b, "%s%s%s_enc, %s%s_hash", i ? ", " : "",
			    prefix, f->code, prefix, f->code) != 0)
				return -1;
		} else if (buf_addf(b, "%s%s%s", i ? ", " : "", prefix,
		    f->code) != 0)
			return -1;
	}
	return 0;
}

static int
column_defs(const struct field *f, struct buf *b)
{
	if (f->secret)
		return buf_addf(b, ",\n  %s_enc BLOB, %s_hash BLOB", f->code,
		    f->code);
	return buf_addf(b, ",\n  %s %s", f->code, schema_sql_type(f));
}

int
schema_create_sql(const struct catalog *cat, struct buf *b)
{
	size_t i;

	if (buf_adds(b, fixed_schema) != 0 ||
	    buf_adds(b, "CREATE TABLE surveys(\n"
	    "  id INTEGER PRIMARY KEY,\n"
	    "  person_id INTEGER NOT NULL REFERENCES persons(id),\n"
	    "  year INTEGER NOT NULL,\n"
	    "  version INTEGER NOT NULL,\n"
	    "  created_at TEXT NOT NULL, created_by TEXT NOT NULL,\n"
	    "  updated_at TEXT NOT NULL, updated_by TEXT NOT NULL") != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++)
		if (column_defs(&cat->fields[i], b) != 0)
			return -1;
	return buf_adds(b, ",\n  UNIQUE (person_id, year));\n") != 0 ||
	    buf_adds(b, schema_index_sql) != 0 ? -1 : 0;
}

/* 1 when the survey table has column name. */
static int
has_column(sqlite3 *db, const char *name, int *err)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('surveys')"
	    " WHERE name = ?", -1, &st, NULL) != SQLITE_OK) {
		*err = 1;
		return 0;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int
add_column(sqlite3 *db, const char *name, const char *type,
    struct lf_error *err)
{
	struct buf sql;
	int rc;

	buf_init(&sql, 512);
	if (buf_addf(&sql, "ALTER TABLE surveys ADD COLUMN %s %s", name,
	    type) != 0) {
		buf_free(&sql);
		return lf_error_nomem(err);
	}
	rc = sqlite3_exec(db, buf_str(&sql), NULL, NULL, NULL);
	buf_free(&sql);
	if (rc != SQLITE_OK)
		return lf_error_set(err, "store", name, "无法添加列 %s (cannot "
		    "add column): %s", name, sqlite3_errmsg(db));
	return 0;
}

int
schema_upgrade(sqlite3 *db, const struct catalog *cat, struct lf_error *err)
{
	char name[80];
	size_t i;
	int e = 0;

	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];

		snprintf(name, sizeof(name), f->secret ? "%s_enc" : "%s",
		    f->code);
		if (has_column(db, name, &e) || e)
			continue;
		if (add_column(db, name, schema_sql_type(f), err) != 0)
			return -1;
		snprintf(name, sizeof(name), "%s_hash", f->code);
		if (f->secret && add_column(db, name, "BLOB", err) != 0)
			return -1;
	}
	if (e)
		return lf_error_set(err, "store", "", "无法读取表结构 (cannot "
		    "read the survey table's columns): %s", sqlite3_errmsg(db));
	return 0;
}

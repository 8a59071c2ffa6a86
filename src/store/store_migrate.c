/*
 * store_migrate.c - a database of the old layout (one survey column per
 * catalog item, "wide") migrated to packed records, once, when opened.
 *
 * This file is the only reader of the old layout left. The migration runs
 * in one transaction (all or nothing; a crash leaves the old layout, and
 * the next open starts again): every survey row is read column by column
 * as before (dates as ISO text, regions as text, codes and numbers as
 * integers, secrets as sealed blobs), packed (sealed values are copied as
 * they are: their binding to person, year and item does not change; each
 * is opened once to make its masked form) and written with the same id,
 * versions and authors; the persons gain their masked ID number. Progress
 * goes to stderr.
 *
 * A packed survey table of the rowid layout (issue 17's first step, where
 * a person's years lay wherever they were written) is copied, once, into
 * the table keyed (person_id, year) WITHOUT ROWID, in key order, with the
 * same ids, versions and authors; also one transaction.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "lib/progress.h"

/* Where the old row's columns are: per field its value (or sealed value)
 * column, -1 when the table has none. */
struct wide {
	int		*col;
	int		*hash;		/* per field: its <code>_hash, or -1 */
	int		 id, person, year, version, c_at, c_by, u_at, u_by;
	int		 bind;		/* the person's id_hash */
};

/* The column of the statement named name, or -1. */
static int
col_of(sqlite3_stmt *st, const char *name)
{
	int i, n = sqlite3_column_count(st);

	for (i = 0; i < n; i++)
		if (strcmp(sqlite3_column_name(st, i), name) == 0)
			return i;
	return -1;
}

static int
map_columns(const struct catalog *cat, sqlite3_stmt *st, struct wide *w)
{
	char name[96];
	size_t i;

	for (i = 0; i < cat->nfields; i++) {
		snprintf(name, sizeof(name), cat->fields[i].secret ? "%s_enc" :
		    "%s", cat->fields[i].code);
		w->col[i] = col_of(st, name);
		snprintf(name, sizeof(name), "%s_hash", cat->fields[i].code);
		w->hash[i] = schema_hashed(&cat->fields[i]) ? col_of(st, name) :
		    -1;
	}
	w->bind = 0;
	w->id = col_of(st, "id");
	w->person = col_of(st, "person_id");
	w->year = col_of(st, "year");
	w->version = col_of(st, "version");
	w->c_at = col_of(st, "created_at");
	w->c_by = col_of(st, "created_by");
	w->u_at = col_of(st, "updated_at");
	w->u_by = col_of(st, "updated_by");
	return w->id < 0 || w->person < 0 || w->year < 0 || w->version < 0 ||
	    w->c_at < 0 || w->c_by < 0 || w->u_at < 0 || w->u_by < 0 ? -1 : 0;
}

static int
corrupt(const struct field *f, struct lf_error *err, const char *why)
{
	return lf_error_set(err, "corrupt", f->code, "%s(%s): 数据库中的值无效"
	    " (stored value is invalid: %s)", f->label_zh, f->code, why);
}

/* One old column into r (a plain item). */
static int
read_plain(sqlite3_stmt *st, int c, struct record *r, const struct field *f,
    struct lf_error *err)
{
	const char *text;
	int days;

	switch (f->type) {
	case FT_TEXT:
	case FT_REGION:
	case FT_ID_NUMBER:
	case FT_PHONE:
		text = (const char *)sqlite3_column_text(st, c);
		if (text == NULL || record_set_str(r, f->index, text) != 0)
			return lf_error_set(err, "no_memory", f->code, "%s", LF_ERROR_NOMEM_TEXT);
		if (f->type == FT_REGION)
			r->num[f->index] = strtoll(text, NULL, 10);
		return 0;
	case FT_DATE:
		text = (const char *)sqlite3_column_text(st, c);
		if (text == NULL || date_parse(text, &days) != 0)
			return corrupt(f, err, "not a date");
		record_set_num(r, f->index, days);
		return 0;
	default:
		record_set_num(r, f->index, sqlite3_column_int64(st, c));
		return 0;
	}
}

/* The old row into r and s->sealed (secrets opened, sealed kept). */
static int
read_row(struct store *s, sqlite3_stmt *st, const struct wide *w,
    struct record *r, struct lf_error *err)
{
	const struct catalog *cat = s->cat;
	char bind[BIND_LEN + 1];
	int year = sqlite3_column_int(st, w->year), c;
	size_t i;

	if (sqlite3_column_bytes(st, w->bind) != CRYPTO_HASH_LEN)
		return lf_error_set(err, "corrupt", "id_number", "人员记录损坏 "
		    "(a person row has no valid lookup hash)");
	fieldio_bind_of(sqlite3_column_blob(st, w->bind), bind);
	record_clear(r);
	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];

		s->sealed[i].slen = 0;
		if ((c = w->col[i]) < 0 ||
		    sqlite3_column_type(st, c) == SQLITE_NULL)
			continue;
		if (!f->secret) {
			if (read_plain(st, c, r, f, err) != 0)
				return -1;
			continue;
		}
		s->sealed[i].sealed = sqlite3_column_blob(st, c);
		s->sealed[i].slen = (size_t)sqlite3_column_bytes(st, c);
		if (fieldio_open(s, s->sealed[i].sealed, s->sealed[i].slen, r,
		    f, bind, year, err) != 0)
			return -1;
	}
	return 0;
}

static void
copy_text(sqlite3_stmt *to, int idx, sqlite3_stmt *from, int col)
{
	sqlite3_bind_value(to, idx, sqlite3_column_value(from, col));
}

static int
write_row(struct store *s, sqlite3_stmt *ins, sqlite3_stmt *st,
    const struct wide *w, const struct buf *rec, struct lf_error *err)
{
	size_t i;
	int rc, idx = 11;

	copy_text(ins, 1, st, w->id);
	copy_text(ins, 2, st, w->person);
	copy_text(ins, 3, st, w->year);
	copy_text(ins, 4, st, w->version);
	copy_text(ins, 5, st, w->c_at);
	copy_text(ins, 6, st, w->c_by);
	copy_text(ins, 7, st, w->u_at);
	copy_text(ins, 8, st, w->u_by);
	sqlite3_bind_blob(ins, 9, rec->data, (int)rec->len, SQLITE_STATIC);
	for (i = 0; i < s->cat->nfields; i++) {
		if (!schema_hashed(&s->cat->fields[i]))
			continue;
		if (w->hash[i] >= 0)
			copy_text(ins, idx - 1, st, w->hash[i]);
		else
			sqlite3_bind_null(ins, idx - 1);
		idx++;
	}
	rc = sqlite3_step(ins);
	sqlite3_reset(ins);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "migration", err);
}

static int64_t
count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int
insert_sql(const struct catalog *cat, struct buf *b)
{
	size_t i;

	if (buf_adds(b, "INSERT INTO surveys_packed(id, person_id, year, "
	    "version, created_at, created_by, updated_at, updated_by, rec") ||
	    schema_hash_columns(cat, ", ", b) != 0 ||
	    buf_adds(b, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?") != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++)
		if (schema_hashed(&cat->fields[i]) && buf_adds(b, ", ?") != 0)
			return -1;
	return buf_adds(b, ")");
}

/* Every old survey row packed into surveys_packed. */
static int
copy_surveys(struct store *s, struct lf_error *err)
{
	sqlite3_stmt *st = NULL, *ins = NULL;
	struct record *r = record_new(s->cat);
	struct wide w = { 0 };
	struct progress *pg;
	struct buf rec;
	uint64_t done = 0;
	int rc = -1, step;

	buf_init(&rec, 1 << 20);
	pg = progress_start("迁移调查记录 (packing surveys)", (uint64_t)
	    count_rows(s->db, "SELECT count(*) FROM surveys"));
	w.col = mem_calloc(s->cat->nfields, sizeof(*w.col));
	w.hash = mem_calloc(s->cat->nfields, sizeof(*w.hash));
	if (r == NULL || w.col == NULL || w.hash == NULL ||
	    insert_sql(s->cat, &rec) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT p.id_hash AS person_hash, s.* "
	    "FROM surveys s JOIN persons p ON p.id = s.person_id ORDER BY "
	    "s.person_id, s.year", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, buf_str(&rec), -1, &ins, NULL) !=
	    SQLITE_OK) {
		store_sqlite_error(s, "migration", err);
		goto out;
	}
	if (map_columns(s->cat, st, &w) != 0) {
		lf_error_set(err, "format", "", "调查表缺少基本列 (the old survey "
		    "table lacks its key columns)");
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		buf_reset(&rec);
		if (read_row(s, st, &w, r, err) != 0 ||
		    packrec_encode(s->packs, r, s->sealed, &rec, err) != 0 ||
		    write_row(s, ins, st, &w, &rec, err) != 0)
			goto out;
		progress_update(pg, ++done);
	}
	if (step != SQLITE_DONE) {
		store_sqlite_error(s, "migration", err);
		goto out;
	}
	rc = 0;
out:
	progress_done(pg);
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	mem_free(w.col);
	mem_free(w.hash);
	record_free(r);
	buf_free(&rec);
	return rc;
}

/* Every person's masked ID number, from their sealed one. */
static int
mask_persons(struct store *s, struct lf_error *err)
{
	sqlite3_stmt *st = NULL, *up = NULL;
	struct store_person p;
	char bind[BIND_LEN + 1];
	int rc = -1, step;

	if (sqlite3_prepare_v2(s->db, "SELECT id, uid, name, gender, "
	    "birth_date, region, status, version, updated_at, updated_by, "
	    "id_enc, id_hash, id_masked FROM persons", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(s->db, "UPDATE persons SET "
	    "id_masked = ? WHERE id = ?", -1, &up, NULL) != SQLITE_OK) {
		store_sqlite_error(s, "migration", err);
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_person_row(s, st, 0, &p, bind, 1, err) != 0)
			goto out;
		packrec_mask(p.id_number, p.id_masked, sizeof(p.id_masked));
		sqlite3_bind_text(up, 1, p.id_masked, -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, 2, p.id);
		step = sqlite3_step(up);
		sqlite3_reset(up);
		if (step != SQLITE_DONE)
			break;
	}
	if (step != SQLITE_DONE) {
		store_sqlite_error(s, "migration", err);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	return rc;
}

static int
migrate(struct store *s, struct lf_error *err)
{
	int masked = schema_has_column(s->db, "persons", "id_masked"), rc;
	struct buf sql;

	if (masked < 0)
		return store_sqlite_error(s, "migration", err);
	buf_init(&sql, 1 << 16);
	if (schema_survey_table(s->cat, "surveys_packed", &sql) != 0) {
		buf_free(&sql);
		return lf_error_nomem(err);
	}
	rc = store_sqlite_exec(s, buf_str(&sql), err);
	buf_free(&sql);
	if (rc != 0 ||
	    (!masked && store_sqlite_exec(s, "ALTER TABLE persons ADD "
	    "COLUMN id_masked TEXT NOT NULL DEFAULT ''", err) != 0) ||
	    copy_surveys(s, err) != 0 || mask_persons(s, err) != 0)
		return -1;
	return store_sqlite_exec(s, "DROP TABLE surveys;\n"
	    "ALTER TABLE surveys_packed RENAME TO surveys;\n", err) != 0 ? -1 :
	    schema_indexes_create(s, "surveys", err);
}

/* Tells stderr what, then runs step in one transaction (all or nothing):
 * 0, or -1 with err. Memory stays bounded whatever the database's size:
 * a 64 MiB page cache, and sorts (ORDER BY slices, CREATE INDEX) spill to
 * temporary files instead of the heap (temp_store=MEMORY, the store's
 * setting for requests, made a migration's index builds grow with the
 * data). Both settings are restored after. */
int
store_migrate_once(struct store *s, const char *what,
    int (*step)(struct store *, struct lf_error *), struct lf_error *err)
{
	int64_t cache = store_pragma_get(s->db, "cache_size", 0);
	int rc = -1;

	fprintf(stderr, "%s\n", what);
	sqlite3_exec(s->db, "PRAGMA temp_store=FILE", NULL, NULL, NULL);
	store_pragma_set(s->db, "cache_size", -65536);
	if (store_tx_immediate(s, "migrate", err) != 0)
		goto out;
	if (step(s, err) != 0) {
		store_tx_finish(s, 0, err);
		goto out;
	}
	rc = store_tx_finish(s, 1, err);
out:
	sqlite3_exec(s->db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
	if (cache != 0)
		store_pragma_set(s->db, "cache_size", cache);
	return rc;
}

int
migrate_wide(struct store *s, struct lf_error *err)
{
	int packed = schema_has_column(s->db, "surveys", "rec");

	if (packed < 0)
		return store_sqlite_error(s, "migration", err);
	if (packed)
		return 1;
	return store_migrate_once(s, "liangfu: 旧版数据库, 迁移为紧凑调查记录, 仅此"
	    "一次 (old database layout: packing the surveys, once)", migrate,
	    err);
}

/* ---- clustering: a person's years side by side ---------------------- */

/* The survey table's columns, in the order schema_survey_table() makes. */
static int
survey_columns(const struct catalog *cat, struct buf *b)
{
	return buf_adds(b, "id, person_id, year, version, created_at, "
	    "created_by, updated_at, updated_by, rec") != 0 ||
	    schema_hash_columns(cat, ", ", b) != 0 ? -1 : 0;
}

/* 1 when surveys is keyed (person_id, year) WITHOUT ROWID, 0 when it is
 * the rowid table of before, -1 on error. */
static int
clustered(sqlite3 *db)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_index_list("
	    "'surveys') WHERE origin = 'pk'", -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) > 0 :
	    -1;
	sqlite3_finalize(st);
	return rc;
}

/* Every survey row into surveys_clustered, in key order, a slice of
 * persons at a time (so that progress can be shown). */
static int
copy_clustered(struct store *s, struct lf_error *err)
{
	sqlite3_stmt *st = NULL;
	struct progress *pg;
	struct buf sql;
	int64_t lo, top, done = 0;
	int rc = -1, step = SQLITE_DONE;

	buf_init(&sql, 1 << 16);
	if (buf_adds(&sql, "INSERT INTO surveys_clustered(") != 0 ||
	    survey_columns(s->cat, &sql) != 0 || buf_adds(&sql, ") SELECT ")
	    != 0 || survey_columns(s->cat, &sql) != 0 || buf_adds(&sql,
	    " FROM surveys WHERE person_id > ?1 AND person_id <= ?2 ORDER BY "
	    "person_id, year") != 0) {
		buf_free(&sql);
		return lf_error_nomem(err);
	}
	pg = progress_start("按人归并调查记录 (clustering surveys by person)",
	    (uint64_t)count_rows(s->db, "SELECT count(*) FROM surveys"));
	top = count_rows(s->db, "SELECT coalesce(max(person_id), 0) FROM "
	    "surveys");
	if (sqlite3_prepare_v2(s->db, buf_str(&sql), -1, &st, NULL) !=
	    SQLITE_OK)
		goto out;
	for (lo = 0; lo < top && step == SQLITE_DONE; lo += 65536) {
		sqlite3_bind_int64(st, 1, lo);
		sqlite3_bind_int64(st, 2, lo + 65536);
		step = sqlite3_step(st);
		sqlite3_reset(st);
		done += sqlite3_changes(s->db);
		progress_update(pg, (uint64_t)done);
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	if (rc != 0)
		store_sqlite_error(s, "migration", err);
	progress_done(pg);
	sqlite3_finalize(st);
	buf_free(&sql);
	return rc;
}

static int
cluster(struct store *s, struct lf_error *err)
{
	struct buf sql;
	int rc;

	buf_init(&sql, 1 << 16);
	if (schema_survey_table(s->cat, "surveys_clustered", &sql) != 0) {
		buf_free(&sql);
		return lf_error_nomem(err);
	}
	rc = store_sqlite_exec(s, buf_str(&sql), err);
	buf_free(&sql);
	if (rc != 0 || copy_clustered(s, err) != 0)
		return -1;
	return store_sqlite_exec(s, "DROP TABLE surveys;\n"
	    "ALTER TABLE surveys_clustered RENAME TO surveys;\n", err) != 0 ?
	    -1 : schema_indexes_create(s, "surveys", err);
}

int
migrate_cluster(struct store *s, struct lf_error *err)
{
	int c = clustered(s->db);

	if (c < 0)
		return store_sqlite_error(s, "migration", err);
	if (c)
		return 1;
	return store_migrate_once(s, "liangfu: 旧版数据库, 按人归并调查记录, 仅此"
	    "一次 (old database layout: clustering the surveys by person, "
	    "once)", cluster, err);
}

/*
 * store_sqlite.c - store.h over SQLite: opening, transactions, puts.
 */
#include "store/store_int.h"
#include "store/stats_gen.h"
#include "store/pg/pg_int.h"
#include "store/recon_rows.h"
#include "store/supply_rows.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/date.h"
#include "store/faultvfs.h"
#include "store/keycheck.h"
#include "store/findings_rows.h"
#include "lib/mem.h"
#include "core/validate.h"
#include "store/audit.h"
#include "store/feedback_rows.h"
#include "store/plan.h"
#include "store/supervise_rows.h"
#include "store/store_diff.h"
#include "store/users_rows.h"


/* A failing or full disk is "io" (the API answers 503: try again), any
 * other SQLite error "store" (500). A file that cannot be opened (a
 * journal, the WAL) and a WAL-index lock that cannot be taken are the
 * disk's or the file system's failures too. */
int
store_sqlite_error(struct store *s, const char *what, struct lf_error *err)
{
	int rc = s->db ? sqlite3_errcode(s->db) & 0xff : SQLITE_ERROR;
	int io = rc == SQLITE_IOERR || rc == SQLITE_FULL ||
	    rc == SQLITE_CANTOPEN || rc == SQLITE_PROTOCOL;

	return lf_error_set(err, io ? "io" : "store", "", "数据库错误 "
	    "(database error in %s): %s", what,
	    s->db ? sqlite3_errmsg(s->db) : "no handle");
}

int64_t
store_pragma_get(sqlite3 *db, const char *name, int64_t dflt)
{
	sqlite3_stmt *st;
	char sql[64];
	int64_t v = dflt;

	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
store_pragma_set(sqlite3 *db, const char *name, int64_t v)
{
	char sql[80];

	snprintf(sql, sizeof(sql), "PRAGMA %s = %lld", name, (long long)v);
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

void
store_copy_col(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n;

	if (len == 0)
		return;
	n = t != NULL ? strnlen((const char *)t, len - 1) : 0;	/* cut as
								   snprintf() */
	memcpy(out, t != NULL ? (const char *)t : "", n);
	out[n] = '\0';
}

void
store_now_iso(char out[21])
{
	date_utc_iso((int64_t)time(NULL), out);
}

int
store_one_row(struct store *s, sqlite3_stmt *st, store_fill_fn fill,
    void *out, const char *what, struct lf_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		fill(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : store_sqlite_error(s, what, err);
}

int
store_one_row_final(struct store *s, sqlite3_stmt *st, store_fill_fn fill,
    void *out, const char *what, struct lf_error *err)
{
	int rc = store_one_row(s, st, fill, out, what, err);

	sqlite3_finalize(st);
	return rc;
}

int
store_today(void)
{
	return date_china_day((int64_t)time(NULL));
}

static int
keyfile_path(const char *db, char *out, size_t len)
{
	int n = snprintf(out, len, "%s.key", db);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
store_stmt(struct store *s, const char *sql, const char *what,
    sqlite3_stmt **st, struct lf_error *err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return store_sqlite_error(s, what, err);
	}
	return 0;
}

int
store_sqlite_exec(struct store *s, const char *sql, struct lf_error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlite_error(s, sql, err);
	return 0;
}

int64_t
store_sqlite_count(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int
pragmas(struct store *s, struct lf_error *err)
{
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	return store_sqlite_exec(s, "PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
	    "PRAGMA cache_size=-1048576;"
	    " PRAGMA temp_store=MEMORY;", err);
}

static int
write_schema(struct store *s, const struct catalog *cat, struct lf_error *err)
{
	struct buf sql;
	char now[21];
	int rc = -1;

	buf_init(&sql, 1 << 20);
	store_now_iso(now);
	if (schema_create_sql(cat, &sql) != 0 ||
	    buf_addf(&sql, "INSERT INTO meta VALUES ('format', '%s'),"
	    " ('created_at', '%s');", STORE_FORMAT_TAG, now) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (store_sqlite_exec(s, "BEGIN", err) != 0)
		goto out;
	if (store_sqlite_exec(s, buf_str(&sql), err) != 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	rc = store_sqlite_exec(s, "COMMIT", err);
out:
	buf_free(&sql);
	return rc;
}

/* Before SQLite's first use in the process: no memory statistics, which
 * would take one global mutex around every SQLite allocation of every
 * connection (threads serving requests queued on it). Later calls of
 * sqlite3_config() are refused by SQLite and change nothing. */
static void
sqlite_config(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	faultvfs_install();	/* test builds with LF_FAULT_IO only */
}

static void
sqlite_setup(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, sqlite_config);
}

int
store_create(const char *path, const struct catalog *cat,
    struct lf_error *err)
{
	struct store s;
	char key[4096], msg[256];
	struct stat sb;
	int rc = -1;

	if (pg_location(path))
		return pg_store_create(path, cat, err);
	memset(&s, 0, sizeof(s));
	sqlite_setup();
	if (keyfile_path(path, key, sizeof(key)) != 0)
		return lf_error_set(err, "usage", "", "路径过长 (path too long)");
	if (stat(path, &sb) == 0)
		return lf_error_set(err, "exists", "", "%s 已存在, 不会覆盖 "
		    "(already exists; not overwritten)", path);
	if (crypto_keys_create(key, msg, sizeof(msg)) != 0)
		return lf_error_set(err, "keys", "", "%s: %s", key, msg);
	if (sqlite3_open_v2(path, &s.db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE, NULL) != SQLITE_OK) {
		store_sqlite_error(&s, "open", err);
		goto out;
	}
	if (store_sqlite_exec(&s, "PRAGMA page_size=8192", err) != 0 ||
	    pragmas(&s, err) != 0 || write_schema(&s, cat, err) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_close(s.db);
	if (rc != 0) {
		unlink(path);
		unlink(key);
	}
	return rc;
}

static int
check_format(struct store *s, const char *path, struct lf_error *err)
{
	sqlite3_stmt *st;
	int ok = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = "
	    "'format'", -1, &st, NULL) == SQLITE_OK) {
		ok = sqlite3_step(st) == SQLITE_ROW &&
		    (strcmp((const char *)sqlite3_column_text(st, 0),
		    STORE_FORMAT_TAG) == 0 || strcmp((const char *)
		    sqlite3_column_text(st, 0), STORE_FORMAT_OLD) == 0);
		sqlite3_finalize(st);
	}
	if (!ok)
		return lf_error_set(err, "format", "", "%s 不是 liangfu 数据库 "
		    "(not a liangfu database, or another format version)",
		    path);
	return 0;
}

static int
person_fields(struct store *s, struct lf_error *err)
{
	static const char *names[] = { "id_number", "name", "gender",
	    "birth_date", "hukou_region" };
	int *slots[] = { &s->f_id, &s->f_name, &s->f_gender, &s->f_birth,
	    &s->f_region };
	const struct field *f;
	size_t i;

	for (i = 0; i < 5; i++) {
		f = catalog_find(s->cat, names[i], strlen(names[i]));
		if (f == NULL)
			return lf_error_set(err, "catalog", names[i], "目录缺少"
			    "人员项 %s (the catalog lacks person item %s)",
			    names[i], names[i]);
		*slots[i] = f->index;
	}
	f = catalog_find(s->cat, CARD_CODE, strlen(CARD_CODE));
	s->f_card = f != NULL && f->secret ? f->index : -1;
	return 0;
}

static int
prepare(struct store *s, enum stmt_id id, const char *sql,
    struct lf_error *err)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &s->st[id], NULL) != SQLITE_OK)
		return store_sqlite_error(s, "prepare", err);
	return 0;
}

/* What ST_PERSON_FIND and ST_PERSON_FIND_ID read (store_put.c). */
#define PERSON_FIND_COLS "id, uid, name, gender, birth_date, region, " \
	"status, version, updated_at, updated_by, id_enc, id_hash, id_masked"

/* The write statements: the packed record, then every lookup hash. The
 * insert comes twice: numbering the survey max(id) + 1, and (a bulk load,
 * which numbers its surveys itself) with the id given as ?1. */
static int
survey_insert_sql(struct store *s, struct buf *b, const char *id, size_t n)
{
	size_t i;

	buf_reset(b);
	if (buf_adds(b, "INSERT INTO surveys(id, person_id, year, version, "
	    "created_at, created_by, updated_at, updated_by, rec") != 0 ||
	    schema_hash_columns(s->cat, ", ", b) != 0 ||
	    buf_addf(b, ") VALUES (%s, ?, ?, 1, ?, ?, ?, ?, ?", id) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (buf_adds(b, ", ?") != 0)
			return -1;
	return buf_adds(b, ")");
}

static int
survey_write_sql(struct store *s, struct buf b[2], struct lf_error *err)
{
	size_t i, n = 0;

	for (i = 0; i < s->cat->nfields; i++)
		n += (size_t)schema_hashed(&s->cat->fields[i]);
	if (survey_insert_sql(s, &b[0], "(SELECT coalesce(max(id), 0) + 1 "
	    "FROM surveys)", n) != 0 || survey_insert_sql(s, &b[1], "?", n) != 0)
		goto nomem;
	if (prepare(s, ST_SURVEY_INS, buf_str(&b[0]), err) != 0 ||
	    prepare(s, ST_SURVEY_INS_ID, buf_str(&b[1]), err) != 0)
		return -1;
	buf_reset(b);
	if (buf_adds(b, "UPDATE surveys SET version = version + 1, "
	    "updated_at = ?, updated_by = ?, rec = ?") != 0)
		goto nomem;
	for (i = 0; i < s->cat->nfields; i++)
		if (schema_hashed(&s->cat->fields[i]) && buf_addf(b,
		    ", %s_hash = ?", s->cat->fields[i].code) != 0)
			goto nomem;
	if (buf_adds(b, " WHERE id = ? AND version = ?") != 0)
		goto nomem;
	return prepare(s, ST_SURVEY_UPD, buf_str(b), err);
nomem:
	return lf_error_nomem(err);
}

static int
survey_sql(struct store *s, struct lf_error *err)
{
	struct buf b[2];
	int rc;

	if (prepare(s, ST_SURVEY_FIND, "SELECT id, version, rec FROM "
	    "surveys WHERE person_id = ? AND year = ?", err) != 0 ||
	    prepare(s, ST_SURVEY_ALL, "SELECT year, version, rec FROM surveys "
	    "WHERE person_id = ? ORDER BY year", err) != 0 ||
	    prepare(s, ST_SURVEY_LATEST, "SELECT rec FROM surveys WHERE "
	    "person_id = ?1 AND year <= ?2 ORDER BY year DESC LIMIT 1", err)
	    != 0)
		return -1;
	buf_init(&b[0], 1 << 16);
	buf_init(&b[1], 1 << 16);
	rc = survey_write_sql(s, b, err);
	buf_free(&b[0]);
	buf_free(&b[1]);
	return rc;
}

static int
prepare_all(struct store *s, struct lf_error *err)
{
	if (prepare(s, ST_PERSON_FIND, "SELECT " PERSON_FIND_COLS " FROM "
	    "persons WHERE id_hash = ?", err) != 0 ||
	    prepare(s, ST_PERSON_FIND_ID, "SELECT " PERSON_FIND_COLS " FROM "
	    "persons WHERE id = ?", err) != 0 ||
	    prepare(s, ST_PERSON_INS, "INSERT INTO persons(uid, id_hash, "
	    "id_enc, name, gender, birth_date, region, status, version, "
	    "created_at, created_by, updated_at, updated_by, id_masked, id) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)", err) != 0 ||
	    prepare(s, ST_PERSON_UPD, "UPDATE persons SET name = ?, gender = "
	    "?, birth_date = ?, region = ?, status = ?, version = version + 1,"
	    " updated_at = ?, updated_by = ? WHERE id = ?", err) != 0 ||
	    prepare(s, ST_HIST_INS, "INSERT INTO history(entity, entity_id, "
	    "person_id, year, version, actor, at, changes) VALUES (?, ?, ?, ?,"
	    " ?, ?, ?, ?)", err) != 0 ||
	    prepare(s, ST_SAVEPOINT, "SAVEPOINT put", err) != 0 ||
	    prepare(s, ST_RELEASE, "RELEASE put", err) != 0 ||
	    prepare(s, ST_ROLLBACK_TO, "ROLLBACK TO put", err) != 0 ||
	    prepare(s, ST_PERSON_BY_UID, "SELECT id, uid, name, gender, "
	    "birth_date, region, status, version, updated_at, updated_by, "
	    "id_enc, id_hash, id_masked FROM persons WHERE uid = ?", err) != 0 ||
	    prepare(s, ST_SURVEY_YEARS, "SELECT year FROM surveys WHERE "
	    "person_id = ? ORDER BY year", err) != 0 ||
	    prepare(s, ST_PERSON_BIND, "SELECT id_hash FROM persons WHERE id = "
	    "?", err) != 0 ||
	    prepare(s, ST_PERSON_SEALED, "SELECT id_enc, id_hash FROM persons "
	    "WHERE id = ?", err) != 0 ||
	    prepare(s, ST_READ_BEGIN, "BEGIN DEFERRED", err) != 0 ||
	    prepare(s, ST_READ_END, "COMMIT", err) != 0)
		return -1;
	return survey_sql(s, err);
}

int
store_set_cache(struct store *s, int mib, struct lf_error *err)
{
	if (s->pg != NULL)	/* the server's cache: nothing per connection */
		return 0;
	if (mib < 1 || mib > 65536 || store_pragma_set(s->db, "cache_size",
	    -(int64_t)mib * 1024) != SQLITE_OK)
		return store_sqlite_error(s, "cache_size", err);
	return 0;
}

/* The records a put needs besides the caller's. */
static int
scratch_new(struct store *s, struct lf_error *err)
{
	if ((s->old = record_new(s->cat)) == NULL ||
	    (s->prep = store_prep_new(s->cat)) == NULL)
		return lf_error_nomem(err);
	return 0;
}

/* The last step of every open: the scratch records, then *out = s. On
 * failure s is closed. 0 or -1 with err. */
static int
open_end(struct store *s, struct store **out, struct lf_error *err)
{
	if (scratch_new(s, err) != 0) {
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

int
store_open(const char *path, const struct catalog *cat,
    const struct regions *regions, struct store **out, struct lf_error *err)
{
	struct store *s;
	char key[4096], msg[256];

	if (pg_location(path))
		return lf_error_set(err, "unsupported", "", "该命令尚不支持 "
		    "PostgreSQL (this command does not run on PostgreSQL yet; "
		    "see docs/postgresql.md for the commands that do)");
	sqlite_setup();
	if ((s = mem_calloc(1, sizeof(*s))) == NULL)
		return lf_error_nomem(err);
	s->cat = cat;
	s->regions = regions;
	if (keyfile_path(path, key, sizeof(key)) != 0) {
		lf_error_set(err, "usage", "", "路径过长 (path too long)");
		goto fail;
	}
	/* one connection per thread: no per-call mutex (multi-thread mode) */
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		lf_error_set(err, "open", "", "无法打开 %s (cannot open): %s",
		    path, s->db ? sqlite3_errmsg(s->db) : "no memory");
		goto fail;
	}
	if (crypto_keys_load(key, &s->keys, msg, sizeof(msg)) != 0) {
		lf_error_set(err, "keys", "", "%s: %s", key, msg);
		goto fail;
	}
	if (pragmas(s, err) != 0 || check_format(s, path, err) != 0 ||
	    keycheck_verify(s, key, err) != 0 ||
	    person_fields(s, err) != 0 || schema_open(s, err) != 0
	    || users_init(s, err) != 0 || audit_init(s, err) != 0 ||
	    plan_init(s, err) != 0 || findings_init(s, err) != 0 ||
	    prepare_all(s, err) != 0)
		goto fail;
	if (feedback_init(s, err) != 0)		/* feedback, self-service */
		goto fail;
	/* the statistics' write counter (store/stats_gen.h) */
	if (stats_gen_init(s, err) != 0)
		goto fail;
	/* 精准监督's tables (store/supervise_rows.h) */
	if (supervise_init(s, err) != 0)
		goto fail;
	/* issue 16: reconciliation, need-supply matching */
	if (recon_init(s, err) != 0 || supply_init(s, err) != 0)
		goto fail;
	return open_end(s, out, err);
fail:
	store_close(s);
	return -1;
}

const struct catalog *
store_catalog(const struct store *s)
{
	return s->cat;
}

const struct regions *
store_regions(const struct store *s)
{
	return s->regions;
}

int
store_open_any(const char *path, const struct catalog *cat,
    const struct regions *regions, struct store **out, struct lf_error *err)
{
	struct store *s;

	if (!pg_location(path))
		return store_open(path, cat, regions, out, err);
	if ((s = mem_calloc(1, sizeof(*s))) == NULL)
		return lf_error_nomem(err);
	s->cat = cat;
	s->regions = regions;
	if (pg_store_open(s, path, err) != 0 || person_fields(s, err) != 0) {
		store_close(s);
		return -1;
	}
	return open_end(s, out, err);
}

int
store_set_scope(struct store *s, const char *region, struct lf_error *err)
{
	size_t n = region != NULL ? strlen(region) : 0;

	if (s->pg != NULL)
		return pg_set_scope(s, region, err);
	if (region == NULL)
		return 0;
	if (n < 2 || n > 12 || strspn(region, "0123456789") != n)
		return lf_error_set(err, "invalid", "region", "区划代码无效 "
		    "(a region code has 2 to 12 digits)");
	return 0;
}

int
store_location_is_pg(const char *location)
{
	return pg_location(location);
}

int
store_is_pg(const struct store *s)
{
	return s->pg != NULL;
}

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->pg != NULL) {
		pg_store_close(s);
		crypto_keys_free(s->keys);
		record_free(s->old);
		store_prep_free(s->prep);
		mem_free(s);
		return;
	}
	for (i = 0; i < NSTMT; i++)
		sqlite3_finalize(s->st[i]);
	if (s->in_tx || !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	store_tx_released(s);
	sqlite3_close(s->db);
	store_bulk_ids_end(s);
	crypto_keys_free(s->keys);
	record_free(s->old);
	store_prep_free(s->prep);
	packrec_set_free(s->packs);
	mem_free(s->sealed);
	mem_free(s);
}

int
store_begin(struct store *s, struct lf_error *err)
{
	if (s->pg != NULL)	/* a write transaction, scoped */
		return pg_begin(s, err);
	if (store_tx_immediate(s, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	s->in_tx = 1;
	return 0;
}

/* 1 when the registry holds no person, 0 when it does, -1 on error.
 * One index step, where count(*) would read the whole table. */
static int
registry_empty(struct store *s, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT NOT EXISTS (SELECT 1 FROM "
	    "persons)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc < 0 ? store_sqlite_error(s, "count", err) : rc;
}

/* Sets the journal mode; 1 when SQLite reports it changed to mode. */
static int
journal_mode(struct store *s, const char *mode)
{
	char sql[40];
	sqlite3_stmt *st;
	int ok = 0;

	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=%s", mode);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0),
		    mode) == 0;
	sqlite3_finalize(st);
	return ok;
}

/*
 * A load into an empty registry writes every page new. In WAL mode each
 * page is written twice, once to the log and once more by the checkpoint:
 * gigabytes at province scale. A rollback journal records only pages that
 * existed before the transaction (a few, here), so the load goes to the
 * rollback journal when no other connection has the database open (SQLite
 * refuses the switch otherwise, and the load stays in WAL). A crash
 * leaves the journal, and the next open rolls back to the empty registry:
 * still all or nothing. store_commit() and store_rollback() return to WAL.
 */
static void
leave_wal_if_empty(struct store *s)
{
	struct lf_error e;

	if (registry_empty(s, &e) == 1 && journal_mode(s, "delete"))
		s->rollback_journal = 1;
}

static void
back_to_wal(struct store *s)
{
	if (s->rollback_journal)
		journal_mode(s, "wal");
	s->rollback_journal = 0;
}

int
store_reconnect(struct store *s, struct lf_error *err)
{
	return s->pg != NULL ? pg_reconnect(s, err) : 0;
}

int
store_read_begin(struct store *s, struct lf_error *err)
{
	if (s->pg != NULL)
		return pg_tx_begin(s, 0, err) < 0 ? -1 : 0;
	if (s->in_tx)
		return lf_error_set(err, "internal", "", "读快照不能嵌套在事务中 "
		    "(read snapshot inside a transaction)");
	if (store_hold_read_begin(s))
		return 0;
	if (store_step_done(s, ST_READ_BEGIN, "begin", err) != 0)
		return -1;
	s->in_tx = 1;
	return 0;
}

void
store_read_end(struct store *s)
{
	struct lf_error err;

	if (s->pg != NULL) {
		pg_tx_end(s, 1, &err);	/* read only: nothing to keep */
		return;
	}
	if (store_hold_read_end(s))
		return;
	if (s->in_tx && store_step_done(s, ST_READ_END, "commit", &err) != 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
}

/* 1 when the database has index name, 0 when not, -1 on error. */
static int
has_index(struct store *s, const char *name)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE "
	    "type = 'index' AND name = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Filling empty tables: sorting the indexes once at the end beats
 * inserting into them row by row. Drops every secondary index the
 * database has; s->reindex remembers which (bit i: schema_indexes[i]). */
static int
drop_indexes(struct store *s, struct lf_error *err)
{
	char sql[96];
	unsigned i;
	int has;

	for (i = 0; schema_indexes[i].name != NULL; i++) {
		if ((has = has_index(s, schema_indexes[i].name)) < 0)
			return store_sqlite_error(s, "schema", err);
		if (!has)
			continue;
		snprintf(sql, sizeof(sql), "DROP INDEX %s",
		    schema_indexes[i].name);
		if (store_sqlite_exec(s, sql, err) != 0)
			return -1;
		s->reindex |= 1u << i;
	}
	return 0;
}

/* Builds again the indexes drop_indexes() dropped. A unique index that
 * finds two equal keys fails here (the whole load rolls back). */
static int
build_indexes(struct store *s, struct lf_error *err)
{
	unsigned i;

	for (i = 0; schema_indexes[i].name != NULL; i++)
		if ((s->reindex & 1u << i) &&
		    store_sqlite_exec(s, schema_indexes[i].sql, err) != 0)
			return -1;
	return 0;
}

/* The next survey id of a bulk load, which numbers them itself. */
static int
first_survey_id(struct store *s, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(id), 0) + 1 FROM "
	    "surveys", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "survey id", err);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		s->next_sid = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_sqlite_error(s, "survey id", err);
}

/*
 * Foreign keys are not checked during a bulk load (SQLite's setting can
 * change only outside a transaction): the load writes each survey and
 * history row for the person row it has just found or written in the same
 * transaction, so the references hold by construction, and the check was
 * one more B-tree seek a row. They are on again after it ends.
 */
static void
fk_off(struct store *s)
{
	s->bulk_fk = (int)store_pragma_get(s->db, "foreign_keys", 0);
	if (s->bulk_fk)
		store_pragma_set(s->db, "foreign_keys", 0);
}

static void
fk_back(struct store *s)
{
	if (s->bulk_fk)
		store_pragma_set(s->db, "foreign_keys", 1);
	s->bulk_fk = 0;
}

/*
 * The write counter (stats_gen.c) moves by one for every row written to
 * persons, surveys, plans and items, from triggers. In a bulk load each of
 * them was an UPDATE a row, and made every insert a two-table write that
 * SQLite guards with a statement journal (the table's last pages copied
 * each time). A bulk load therefore holds the connection's triggers off
 * (SQLITE_DBCONFIG_ENABLE_TRIGGER, which also skips the audit table's
 * guards: the load writes no audit entry), counts the rows its statements
 * change (moves_gen(): the only ones a load runs on those tables) and
 * moves the counter by as much, once, before it commits: the same value
 * as the triggers would have left. Held only where the counter's table is.
 */
static int
moves_gen(enum stmt_id id)
{
	switch (id) {
	case ST_PERSON_INS:
	case ST_PERSON_UPD:
	case ST_SURVEY_INS:
	case ST_SURVEY_INS_ID:
	case ST_SURVEY_UPD:
		return 1;
	default:
		return 0;
	}
}

static void
gen_hold(struct store *s)
{
	int on = 1;

	s->gen_moves = 0;
	if (sqlite3_table_column_metadata(s->db, "main", "stats_gen", "gen",
	    NULL, NULL, NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0,
	    &on) == SQLITE_OK && on == 0)
		s->gen_held = 1;
}

static void
gen_back(struct store *s)
{
	if (s->gen_held)
		sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1,
		    (int *)NULL);
	s->gen_held = 0;
	s->gen_moves = 0;
}

/* Moves the counter by the rows counted while the triggers were off. */
static int
gen_move(struct store *s, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (!s->gen_held || s->gen_moves == 0)
		return 0;
	if (sqlite3_prepare_v2(s->db, "UPDATE stats_gen SET gen = gen + ? "
	    "WHERE k = 1", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "write counter", err);
	sqlite3_bind_int64(st, 1, s->gen_moves);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "write counter", err);
	s->gen_moves = 0;
	return 0;
}

int
store_begin_bulk(struct store *s, struct lf_error *err)
{
	int empty;

	if (s->pg != NULL)
		return pg_begin_bulk(s, err);
	leave_wal_if_empty(s);
	fk_off(s);
	if (store_begin(s, err) != 0) {
		fk_back(s);
		back_to_wal(s);
		return -1;
	}
	s->bulk = 1;
	gen_hold(s);
	if ((empty = registry_empty(s, err)) < 0 ||
	    first_survey_id(s, err) != 0 ||
	    (empty && (store_bulk_ids_begin(s, err) != 0 ||
	    drop_indexes(s, err) != 0))) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

int
store_commit(struct store *s, struct lf_error *err)
{
	if (s->pg != NULL)
		return pg_commit(s, err);
	/* a failed commit rolls back (SQLite may have already) and passes
	 * the writers' turn on: callers need not roll back after it */
	if ((s->reindex && build_indexes(s, err) != 0) ||
	    gen_move(s, err) != 0) {
		store_rollback(s);
		return -1;
	}
	s->reindex = 0;
	if (store_sqlite_exec(s, "COMMIT", err) != 0) {
		store_rollback(s);
		return -1;
	}
	store_tx_released(s);
	s->in_tx = s->bulk = 0;
	store_bulk_ids_end(s);
	gen_back(s);
	fk_back(s);
	back_to_wal(s);
	return 0;
}

void
store_rollback(struct store *s)
{
	if (s->pg != NULL) {
		pg_rollback(s);
		return;
	}
	if (s->in_tx && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	store_tx_released(s);
	s->in_tx = s->bulk = 0;
	s->reindex = 0;
	store_bulk_ids_end(s);
	gen_back(s);
	fk_back(s);
	back_to_wal(s);
}

/* Steps a statement that returns no row; resets it. */
int
store_step_done(struct store *s, enum stmt_id id, const char *what,
    struct lf_error *err)
{
	int rc = sqlite3_step(s->st[id]);

	if (rc == SQLITE_DONE && s->gen_held && moves_gen(id))
		s->gen_moves += sqlite3_changes(s->db);
	sqlite3_reset(s->st[id]);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, what, err);
	return 0;
}

int
store_history_add(struct store *s, const char *entity, int64_t entity_id,
    int64_t person_id, int year, int64_t version, const char *actor,
    const char *at, const char *changes, struct lf_error *err)
{
	sqlite3_stmt *st;

	if (s->pg != NULL)	/* a bulk load's row (store/pg/pg_put.c) */
		return pg_put_history(s, entity, entity_id, person_id, year,
		    version, actor, changes, err);
	st = s->st[ST_HIST_INS];
	sqlite3_bind_text(st, 1, entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, entity_id);
	sqlite3_bind_int64(st, 3, person_id);
	sqlite3_bind_int(st, 4, year);
	sqlite3_bind_int64(st, 5, version);
	sqlite3_bind_text(st, 6, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, changes, -1, SQLITE_STATIC);
	return store_step_done(s, ST_HIST_INS, "history", err);
}


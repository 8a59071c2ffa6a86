/*
 * plan_scan.c - what the bulk plan build reads and how it writes
 * (plan_rows.h): the year's surveys page by page on a read-only
 * connection of their own, last year's items to carry by range, and the
 * bulk write session (foreign keys off, synchronous NORMAL, checkpoints
 * while it runs, the log fsynced at the end). The build itself, its
 * threads and its rules are plan/plan_build_all.c.
 */
#include "store/plan_int.h"
#include "store/store_ckpt.h"
#include "store/pg/pg_plan.h"

#include <stdio.h>
#include <string.h>

struct plan_scan {
	struct store		*s;	/* its catalog versions decode the
					   records; no secret item is read */
	const struct catalog	*cat;
	int			 year, carry, scoped;
	char			 lo[13], hi[13];	/* villages, both in */
	sqlite3			*db;
	sqlite3_stmt		*page, *cand;
	struct record		*r;
	struct plan_carry	 c;
	struct pg_plan_scan	*pg;	/* PostgreSQL's, or NULL */
};

struct plan_bulk {
	struct store		*s;
	int			 fk, sync;	/* as they were */
	struct store_ckpt	*ck;
	int			 pg;	/* on PostgreSQL (pg_plan.h) */
};

static int
db_error(sqlite3 *db, const char *what, struct lf_error *err)
{
	return lf_error_set(err, "store", "", "数据库错误 (database error in "
	    "%s): %s", what, db != NULL ? sqlite3_errmsg(db) : "no handle");
}

/* ---- the scan's queries -------------------------------------------- */

/* "SELECT person, village, packed record ... ": the page of persons
 * after ?2, in order. */
static int
page_sql(const struct plan_scan *sc, struct buf *b)
{
	(void)sc;
	if (buf_adds(b, "SELECT s.person_id, p.region, s.rec") != 0)
		return -1;
	if (buf_adds(b, " FROM surveys s JOIN persons p ON p.id = "
	    "s.person_id WHERE s.year = ?1 AND s.person_id > ?2") != 0)
		return -1;
	if (sc->scoped && buf_adds(b, " AND p.region >= ?3 AND p.region <= "
	    "?4") != 0)
		return -1;
	return buf_adds(b, " ORDER BY s.person_id LIMIT ?5");
}

static int
prepare(struct plan_scan *sc, const char *sql, sqlite3_stmt **st,
    struct lf_error *err)
{
	if (sqlite3_prepare_v3(sc->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK)
		return db_error(sc->db, "plan build", err);
	return 0;
}

/* One row of the query sql with an int parameter: its first column. */
static int
query_int(struct plan_scan *sc, const char *sql, int64_t p1, int64_t *out,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if (sqlite3_prepare_v2(sc->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(sc->db, "plan build", err);
	sqlite3_bind_int64(st, 1, p1);
	if (sc->scoped) {
		sqlite3_bind_text(st, 3, sc->lo, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, sc->hi, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    db_error(sc->db, "plan build", err);
}

void
plan_village_pad(char out[13], const char *code, char c)
{
	size_t n = strnlen(code, 12);

	memcpy(out, code, n);
	memset(out + n, c, 12 - n);
	out[12] = '\0';
}

static int
scan_prepare(struct plan_scan *sc, const struct region *in,
    struct lf_error *err)
{
	const char *path = sqlite3_db_filename(sc->s->db, "main");
	struct buf sql;
	int64_t any;
	int rc;

	if (in != NULL) {
		sc->scoped = 1;
		plan_village_pad(sc->lo, in->code, '0');
		plan_village_pad(sc->hi, in->code, '9');
	}
	if (path == NULL || path[0] == '\0' || sqlite3_open_v2(path, &sc->db,
	    SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return db_error(sc->db, "plan build open", err);
	sqlite3_busy_timeout(sc->db, 10000);
	sqlite3_exec(sc->db, "PRAGMA cache_size=-65536", NULL, NULL, NULL);
	if (query_int(sc, "SELECT 1 FROM items INDEXED BY items_carry WHERE "
	    "year = ?1 AND " PLAN_CARRY_WHERE " LIMIT 1", sc->year - 1, &any,
	    err) != 0)
		return -1;
	sc->carry = any != 0;
	buf_init(&sql, 1 << 16);
	rc = page_sql(sc, &sql) != 0 ? lf_error_nomem(err) : prepare(sc,
	    buf_str(&sql), &sc->page, err);
	buf_free(&sql);
	if (rc != 0 || prepare(sc, "SELECT " PLAN_CAND_COLS " FROM items "
	    "INDEXED BY items_carry WHERE year = ?1 AND person_id > ?2 AND "
	    "person_id <= ?3 AND "
	    PLAN_CARRY_WHERE " ORDER BY person_id, seq", &sc->cand, err) != 0)
		return -1;
	if ((sc->r = record_new(sc->cat)) == NULL)
		return lf_error_nomem(err);
	return 0;
}

int
plan_scan_open(struct store *s, int year, const struct region *in,
    struct plan_scan **out, struct lf_error *err)
{
	struct plan_scan *sc = mem_calloc(1, sizeof(*sc));

	*out = NULL;
	if (sc == NULL)
		return lf_error_nomem(err);
	sc->s = s;
	sc->cat = s->cat;
	sc->year = year;
	if (s->pg != NULL ? pg_plan_scan_open(s, year, in, &sc->pg, err) !=
	    0 : scan_prepare(sc, in, err) != 0) {
		plan_scan_close(sc);
		return -1;
	}
	*out = sc;
	return 0;
}

void
plan_scan_close(struct plan_scan *sc)
{
	if (sc == NULL)
		return;
	pg_plan_scan_close(sc->pg);
	sqlite3_finalize(sc->page);
	sqlite3_finalize(sc->cand);
	sqlite3_close(sc->db);
	record_free(sc->r);
	mem_free(sc);
}

int
plan_scan_any_carry(const struct plan_scan *sc)
{
	if (sc->pg != NULL)
		return pg_plan_scan_any_carry(sc->pg);
	return sc->carry;
}

int
plan_scan_count(struct plan_scan *sc, int64_t *n, struct lf_error *err)
{
	if (sc->pg != NULL)
		return pg_plan_scan_count(sc->pg, n, err);
	return query_int(sc, sc->scoped ? "SELECT count(*) FROM surveys s "
	    "JOIN persons p ON p.id = s.person_id WHERE s.year = ?1 AND "
	    "p.region >= ?3 AND p.region <= ?4" : "SELECT count(*) FROM "
	    "surveys WHERE year = ?1", sc->year, n, err);
}

/* Decodes the row's survey and hands it to fn. */
static int
scan_row(struct plan_scan *sc, plan_survey_fn fn, void *arg,
    struct lf_error *err)
{
	sqlite3_stmt *st = sc->page;
	char region[13];

	store_copy_col(st, 1, region, sizeof(region));
	if (store_rec_read(sc->s, st, 2, sc->r, PACKREC_SKIP, err) != 0)
		return -1;
	return fn(arg, sqlite3_column_int64(st, 0), region, sc->r);
}

int
plan_scan_page(struct plan_scan *sc, int64_t after, int limit,
    plan_survey_fn fn, void *arg, int *n, int64_t *last,
    struct lf_error *err)
{
	sqlite3_stmt *st = sc->page;
	int rc;

	if (sc->pg != NULL)
		return pg_plan_scan_page(sc->pg, after, limit, fn, arg, n, last,
		    err);
	*n = 0;
	*last = after;
	sqlite3_bind_int(st, 1, sc->year);
	sqlite3_bind_int64(st, 2, after);
	if (sc->scoped) {
		sqlite3_bind_text(st, 3, sc->lo, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, sc->hi, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(st, 5, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (scan_row(sc, fn, arg, err) != 0) {
			sqlite3_reset(st);
			return -1;
		}
		*last = sqlite3_column_int64(st, 0);
		(*n)++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(sc->db, "plan build scan",
	    err);
}

int
plan_scan_carry(struct plan_scan *sc, int64_t from, int64_t to,
    plan_carry_fn fn, void *arg, struct lf_error *err)
{
	sqlite3_stmt *st = sc->cand;
	int rc;

	if (sc->pg != NULL)
		return pg_plan_scan_carry(sc->pg, from, to, fn, arg, err);
	sqlite3_bind_int(st, 1, sc->year - 1);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		plan_carry_from_row(st, &sc->c);
		if (fn(arg, &sc->c) != 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(sc->db, "carry", err);
}

/* ---- the bulk write ------------------------------------------------ */

/* Sets the connection's synchronous level (0..3), outside a
 * transaction. */
static int
sync_set(struct store *s, int level, struct lf_error *err)
{
	if (store_pragma_set(s->db, "synchronous", level) != SQLITE_OK)
		return store_sqlite_error(s, "synchronous", err);
	return 0;
}

/* fsyncs the write-ahead log: every frame committed before is durable
 * when this returns 0. */
static int
wal_sync(struct store *s, struct lf_error *err)
{
	sqlite3_file *f = NULL;

	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER,
	    &f) != SQLITE_OK)
		return store_sqlite_error(s, "wal sync", err);
	if (f == NULL || f->pMethods == NULL)
		return 0;	/* no log open: every commit is in the file */
	if (f->pMethods->xSync(f, SQLITE_SYNC_FULL) != SQLITE_OK)
		return lf_error_set(err, "store", "", "数据库错误 (database "
		    "error in wal sync): fsync failed");
	return 0;
}

/* A bulk transaction: no savepoint per write. (store_begin_bulk() would
 * count the persons at every chunk.) */
static int
tx_begin(struct store *s, struct lf_error *err)
{
	if (store_begin(s, err) != 0)
		return -1;
	s->bulk = 1;
	return 0;
}

/* Puts the settings back; the first error goes to err when rc is 0. */
static int
restore(struct plan_bulk *b, int rc, struct lf_error *err)
{
	struct store *s = b->s;
	struct lf_error e2;

	store_ckpt_stop(b->ck);
	b->ck = NULL;
	if ((sync_set(s, b->sync, &e2) != 0 || (b->sync > 1 &&
	    wal_sync(s, &e2) != 0)) && rc == 0) {
		*err = e2;
		rc = -1;
	}
	if (b->fk && store_pragma_set(s->db, "foreign_keys", 1) !=
	    SQLITE_OK && rc == 0)
		rc = store_sqlite_error(s, "foreign keys", err);
	return rc;
}

int
plan_bulk_begin(struct store *s, struct plan_bulk **out,
    struct lf_error *err)
{
	struct plan_bulk *b = mem_calloc(1, sizeof(*b));
	int rc;

	*out = NULL;
	if (b == NULL)
		return lf_error_nomem(err);
	b->s = s;
	if (s->pg != NULL) {
		b->pg = 1;
		if (pg_plan_bulk_begin(s, err) == 0) {
			*out = b;
			return 0;
		}
		mem_free(b);
		return -1;
	}
	b->fk = (int)store_pragma_get(s->db, "foreign_keys", 0);
	b->sync = (int)store_pragma_get(s->db, "synchronous", 2);
	if (b->fk && store_pragma_set(s->db, "foreign_keys", 0) !=
	    SQLITE_OK) {
		mem_free(b);
		return store_sqlite_error(s, "foreign keys", err);
	}
	rc = b->sync > 1 ? sync_set(s, 1, err) : 0;
	if (rc == 0)
		rc = store_ckpt_start(s, &b->ck, err);
	if (rc == 0)
		rc = tx_begin(s, err);
	if (rc != 0) {
		restore(b, rc, err);
		mem_free(b);
		return -1;
	}
	*out = b;
	return 0;
}

int
plan_bulk_chunk(struct plan_bulk *b, struct lf_error *err)
{
	if (b->pg)
		return pg_plan_bulk_chunk(b->s, err);
	if (store_commit(b->s, err) != 0)
		return -1;
	if (store_ckpt_restart(b->ck, 1, err) != 0 || tx_begin(b->s, err) != 0)
		return -1;
	return 0;
}

int
plan_bulk_end(struct plan_bulk *b, int rc, struct lf_error *err)
{
	if (b == NULL)
		return rc;
	if (b->pg) {
		rc = pg_plan_bulk_end(b->s, rc, err);
		mem_free(b);
		return rc;
	}
	if (rc == 0 && b->s->in_tx && store_commit(b->s, err) != 0)
		rc = -1;
	if (rc != 0)
		store_rollback(b->s);
	rc = restore(b, rc, err);
	mem_free(b);
	return rc;
}

/*
 * recon_rows.c - the rows a reconciliation run reads and writes
 * (recon_rows.h): rosters, the persons receiving a policy, open tasks,
 * county accounts, the task writer and the registry scan.
 *
 * How the scan reads (issue 16, docs/performance.md): the persons in id
 * order, by rowid for the whole province (by the region index and a
 * sort of the small person rows below it), and the year's surveys beside
 * them: for the whole province as a second cursor in person order merged
 * with the first, below it one lookup a person; of each survey only the
 * items the caller wants are decoded. On PostgreSQL (pg_scan() below)
 * the persons with the year's survey joined, a page at a time. The
 * other statements are store/dbq.h's, one text for both backends.
 */
#include "store/store_int.h"
#include "store/recon_rows.h"
#include "store/dbq.h"
#include "store/pg/pg_int.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/mem.h"

/* Roster rows go in RR_BATCH at a time (one statement of RR_BATCH
 * rows: a PostgreSQL write inside the run's transaction is a round trip
 * and a savepoint), the rest one at a time. */
#define RR_BATCH	10

static int
roster_rows_stmt(struct store *s, struct dbq *q, size_t rows,
    struct lf_error *err)
{
	char sql[512];
	size_t i, n;

	if (rows == RR_BATCH && dbq_is_kept(s, ST_RECON_ROWS))
		return dbq_keep(s, q, ST_RECON_ROWS, NULL, "recon rows", err);
	n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO roster_rows("
	    "roster_id, id_hash, fact) VALUES (?, ?, ?)");
	for (i = 1; i < rows && n < sizeof(sql); i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", (?, ?, ?)");
	if (rows == RR_BATCH)
		return dbq_keep(s, q, ST_RECON_ROWS, sql, "recon rows", err);
	return dbq_prep(s, q, sql, "recon rows", err);
}

static int
roster_rows_add(struct store *s, int64_t id, const struct recon_roster_new *r,
    struct lf_error *err)
{
	struct dbq q = { 0 };
	size_t i = 0, k, n;
	int rc = 0;

	while (rc == 0 && i < r->nrows) {
		n = r->nrows - i >= RR_BATCH ? RR_BATCH : 1;
		rc = roster_rows_stmt(s, &q, n, err);
		for (k = 0; rc == 0 && k < n; k++)
			rc = dbq_bind_int(&q, 3 * (int)k + 1, id, err) != 0 ||
			    dbq_bind_blob(&q, 3 * (int)k + 2, r->rows[i + k].hash,
			    CRYPTO_HASH_LEN, err) != 0 || dbq_bind_int(&q, 3 *
			    (int)k + 3, r->rows[i + k].fact_days, err) != 0 ?
			    -1 : 0;
		if (rc == 0 && (rc = dbq_exec(&q, err)) == 2)
			rc = lf_error_set(err, "store", "", "recon rows refused");
		dbq_end(&q);
		i += n;
	}
	return rc;
}

int
recon_rows_roster_add(struct store *s, const struct recon_roster_new *r,
    int64_t *id, struct lf_error *err)
{
	struct dbq q = { 0 };
	int rc;

	rc = dbq_prep(s, &q, "INSERT INTO rosters(kind, year, region, file, "
	    "rows, matched, findings, imported_at, imported_by) VALUES (?, "
	    "?, ?, ?, ?, 0, 0, ?, ?) RETURNING id", "recon roster", err) != 0 ||
	    dbq_bind(&q, err, "titiiit", r->kind, (int64_t)r->year, r->region,
	    r->file, (int64_t)r->nrows, r->at, r->actor) != 0 ? -1 :
	    dbq_step(&q, err);
	if (rc == 1) {
		*id = dbq_int64(&q, 0);
		rc = dbq_step(&q, err);
	} else if (rc == 0 || rc == 2)
		rc = lf_error_set(err, "store", "", "recon roster not added");
	dbq_end(&q);
	if (rc != 0)
		return rc == 2 ? lf_error_set(err, "store", "", "recon roster "
		    "not added") : -1;
	return roster_rows_add(s, *id, r, err);
}

int
recon_rows_roster_finish(struct store *s, int64_t id, int64_t matched,
    int64_t findings, struct lf_error *err)
{
	struct dbq q = { 0 };
	int rc;

	rc = dbq_prep(s, &q, "UPDATE rosters SET matched = ?, findings = ? "
	    "WHERE id = ?", "recon roster", err) != 0 || dbq_bind(&q, err,
	    "iii", matched, findings, id) != 0 ? -1 : dbq_exec(&q, err);
	dbq_end(&q);
	return rc == 0 ? 0 : rc == 2 ? lf_error_set(err, "store", "",
	    "recon roster refused") : -1;
}

int
recon_rows_receiving(struct store *s, int year, const char *policy,
    int64_t **ids, size_t *n, struct lf_error *err)
{
	int any = strcmp(policy, "*") == 0;
	struct dbq q = { 0 };
	size_t cap = 0;
	int step;

	*ids = NULL;
	*n = 0;
	step = dbq_prep(s, &q, any ? "SELECT DISTINCT person_id FROM items "
	    "WHERE year = ? AND decision = 1 AND effect <> 4 AND status <> 4"
	    " ORDER BY person_id" : "SELECT DISTINCT person_id FROM items "
	    "WHERE year = ? AND decision = 1 AND effect <> 4 AND status "
	    "<> 4 AND policy = ? ORDER BY person_id", "recon receiving",
	    err) != 0 || (any ? dbq_bind(&q, err, "i", (int64_t)year) :
	    dbq_bind(&q, err, "it", (int64_t)year, policy)) != 0 ? -1 : 0;
	while (step == 0 && (step = dbq_step(&q, err)) == 1) {
		if (mem_grow(ids, &cap, *n + 1, sizeof(**ids), SIZE_MAX) != 0) {
			step = lf_error_nomem(err);
			break;
		}
		(*ids)[(*n)++] = dbq_int64(&q, 0);
		step = 0;
	}
	dbq_end(&q);
	if (step == 0)
		return 0;
	mem_free(*ids);
	*ids = NULL;
	*n = 0;
	return -1;
}

int
recon_rows_open_tasks(struct store *s, const char *kind, recon_open_fn fn,
    void *arg, struct lf_error *err)
{
	struct dbq q = { 0 };
	int step, rc = 0;

	step = dbq_prep(s, &q, "SELECT person_id, finding, id, "
	    "coalesce(owner, '') FROM recon_tasks WHERE kind = ? AND open = 1",
	    "recon tasks", err) != 0 || dbq_bind(&q, err, "t", kind) != 0 ?
	    -1 : 1;
	while (rc == 0 && step == 1 && (step = dbq_step(&q, err)) == 1)
		rc = fn(arg, dbq_int64(&q, 0), dbq_text0(&q, 1),
		    dbq_int64(&q, 2), dbq_text0(&q, 3), err);
	dbq_end(&q);
	return rc != 0 || step != 0 ? -1 : 0;
}

int
recon_rows_county_accounts(struct store *s, recon_account_fn fn, void *arg,
    struct lf_error *err)
{
	struct dbq q = { 0 };
	int step, rc = 0;

	step = dbq_prep(s, &q, "SELECT region, login FROM users WHERE role = "
	    "'county' AND disabled = 0 AND length(region) = 6 ORDER BY id",
	    "recon owners", err) != 0 ? -1 : 1;
	while (rc == 0 && step == 1 && (step = dbq_step(&q, err)) == 1)
		rc = fn(arg, dbq_text0(&q, 0), dbq_text0(&q, 1), err);
	dbq_end(&q);
	return rc != 0 || step != 0 ? -1 : 0;
}

/* ---- the task writer -------------------------------------------------- */

/*
 * One statement for both backends, but for PostgreSQL's partition key:
 * its recon_tasks has the city (the county's first four digits) besides
 * SQLite's columns (pg/pg_recon.c), given from the county bound first.
 */
#define TASK_INS(city, cityval) "INSERT INTO recon_tasks(" city "roster_id, " \
	"person_id, kind, finding, region, county, owner, open, created_at, " \
	"created_by, version) VALUES (" cityval "?, ?, ?, ?, ?, ?, ?, 1, ?, " \
	"?, 1) RETURNING id"

struct recon_task_writer {
	struct store	*s;
};

int
recon_rows_writer_open(struct store *s, struct recon_task_writer **w,
    struct lf_error *err)
{
	if ((*w = mem_calloc(1, sizeof(**w))) == NULL)
		return lf_error_nomem(err);
	(*w)->s = s;
	return 0;
}

int
recon_rows_task_add(struct recon_task_writer *w,
    const struct recon_task_new *t, int64_t *id, struct lf_error *err)
{
	const char *owner = t->owner[0] != '\0' ? t->owner : NULL;
	struct store *s = w->s;
	struct dbq q = { 0 };
	int rc;

	rc = dbq_keep(s, &q, ST_RECON_TASK, dbq_is_kept(s, ST_RECON_TASK) ?
	    NULL : dbq_is_pg(s) ? TASK_INS("city, ", "substr(CAST(? AS text), "
	    "1, 4), ") : TASK_INS("", ""), "recon task", err);
	if (rc == 0)
		rc = dbq_is_pg(s) ? dbq_bind(&q, err, "tiitttttit", t->county,
		    t->roster_id, t->person_id, t->kind, t->finding, t->region,
		    t->county, owner, t->at, t->actor) : dbq_bind(&q, err,
		    "iitttttit", t->roster_id, t->person_id, t->kind,
		    t->finding, t->region, t->county, owner, t->at, t->actor);
	if (rc == 0)
		rc = dbq_step(&q, err);
	if (rc == 1) {
		*id = dbq_int64(&q, 0);
		rc = dbq_step(&q, err);
	} else if (rc == 0 || rc == 2)
		rc = lf_error_set(err, "store", "", "recon task not added");
	dbq_end(&q);
	return rc == 0 ? 0 : -1;
}

void
recon_rows_writer_close(struct recon_task_writer *w)
{
	mem_free(w);
}

/* ---- the scan --------------------------------------------------------- */

void
recon_rows_cache_cap(struct store *s, int64_t *old)
{
	*old = 0;
	if (s->db == NULL)	/* PostgreSQL: the server's own cache */
		return;
	*old = store_pragma_get(s->db, "cache_size", -2000);
	if (*old < -RECON_SCAN_CACHE_KIB)
		store_pragma_set(s->db, "cache_size", -RECON_SCAN_CACHE_KIB);
}

void
recon_rows_cache_restore(struct store *s, int64_t old)
{
	if (s->db != NULL && old < -RECON_SCAN_CACHE_KIB)
		store_pragma_set(s->db, "cache_size", old);
}

/* The scan's two statements: persons in id order, and the year's
 * surveys (merge: all in person order; else: one person's). */
struct cursors {
	struct store	*s;
	sqlite3_stmt	*persons, *surveys;
	int		 merge, more;	/* more: surveys has a current row */
};

static int
cursors_open(struct cursors *c, const struct region *in, int year,
    struct lf_error *err)
{
	char lo[24] = "0", hi[24] = "A";

	c->merge = in == NULL || in->level == 0;
	if (store_stmt(c->s, c->merge ? "SELECT id, uid, id_hash, region, "
	    "status FROM persons NOT INDEXED WHERE region >= ?1 AND region < "
	    "?2 ORDER BY id" : "SELECT id, uid, id_hash, region, status FROM "
	    "persons WHERE region >= ?1 AND region < ?2 ORDER BY id", "recon",
	    &c->persons, err) != 0 || store_stmt(c->s, c->merge ?
	    "SELECT person_id, rec FROM surveys WHERE year = ?1 ORDER BY "
	    "person_id" : "SELECT person_id, rec FROM surveys WHERE year = ?1"
	    " AND person_id = ?2", "recon", &c->surveys, err) != 0)
		return -1;
	if (in != NULL)
		store_region_range(in, lo, hi);
	sqlite3_bind_text(c->persons, 1, lo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->persons, 2, hi, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(c->surveys, 1, year);
	if (!c->merge)
		return 0;
	c->more = sqlite3_step(c->surveys);
	if (c->more != SQLITE_ROW && c->more != SQLITE_DONE)
		return store_sqlite_error(c->s, "recon surveys", err);
	c->more = c->more == SQLITE_ROW;
	return 0;
}

/* Positions c->surveys on person id's survey: 1 there, 0 none. */
static int
survey_at(struct cursors *c, int64_t id, struct lf_error *err)
{
	int step;

	if (!c->merge) {
		sqlite3_reset(c->surveys);
		sqlite3_bind_int64(c->surveys, 2, id);
		step = sqlite3_step(c->surveys);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			return store_sqlite_error(c->s, "recon surveys", err);
		return step == SQLITE_ROW;
	}
	while (c->more && sqlite3_column_int64(c->surveys, 0) < id) {
		step = sqlite3_step(c->surveys);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			return store_sqlite_error(c->s, "recon surveys", err);
		c->more = step == SQLITE_ROW;
	}
	return c->more && sqlite3_column_int64(c->surveys, 0) == id;
}

static void
person_row(sqlite3_stmt *st, struct recon_person_row *p)
{
	p->id = sqlite3_column_int64(st, 0);
	store_copy_col(st, 1, p->uid, sizeof(p->uid));
	p->hash = sqlite3_column_blob(st, 2);
	if (sqlite3_column_bytes(st, 2) != CRYPTO_HASH_LEN)
		p->hash = NULL;
	store_copy_col(st, 3, p->region, sizeof(p->region));
	p->status = sqlite3_column_int(st, 4);
}

/*
 * PostgreSQL's scan: the persons of the range in id order, each with the
 * year's survey joined (its items that are not secret, one column each,
 * read by pg_survey_read() as export and the statistics read them), a
 * page of PG_SCAN_PAGE persons a statement, in the caller's transaction.
 */
#define PG_SCAN_PAGE	4096

static int
pg_scan_sql(struct store *s, struct buf *b)
{
	return buf_adds(b, "SELECT p.id, p.uid, p.id_hash, p.region, "
	    "p.status, v.person_id") != 0 || pg_survey_cols(s->cat, "v", b) !=
	    0 || buf_addf(b, " FROM persons p LEFT JOIN surveys v ON v.city = "
	    "p.city AND v.county = p.county AND v.person_id = p.id AND v.year "
	    "= ? WHERE p.region >= ? AND p.region < ? AND p.id > ? ORDER BY "
	    "p.id LIMIT %d", PG_SCAN_PAGE) != 0 ? -1 : 0;
}

/* One page from after on: *last the last person's id, *n the rows. */
static int
pg_scan_page(struct store *s, const char *sql, const char *lo,
    const char *hi, int year, struct record *r, recon_person_fn fn,
    void *arg, int64_t *last, int *n, struct lf_error *err)
{
	struct recon_person_row p;
	struct dbq q = { 0 };
	size_t len;
	int step, has, bad, rc = 0;

	*n = 0;
	step = dbq_prep(s, &q, sql, "recon scan", err) != 0 || dbq_bind(&q,
	    err, "itti", (int64_t)year, lo, hi, *last) != 0 ? -1 : 1;
	while (rc == 0 && step == 1 && (step = dbq_step(&q, err)) == 1) {
		p.id = dbq_int64(&q, 0);
		dbq_copy(&q, 1, p.uid, sizeof(p.uid));
		p.hash = dbq_blob(&q, 2, &len, &bad);
		if (bad)
			rc = lf_error_nomem(err);
		else if (len != CRYPTO_HASH_LEN)
			p.hash = NULL;
		dbq_copy(&q, 3, p.region, sizeof(p.region));
		p.status = dbq_int(&q, 4);
		has = !dbq_is_null(&q, 5);
		if (rc == 0 && has)
			rc = pg_survey_read(s->cat, q.res, q.row, 6, r, p.uid,
			    err);
		if (rc == 0)
			rc = fn(arg, &p, has ? r : NULL, err);
		*last = p.id;
		(*n)++;
	}
	dbq_end(&q);
	return rc != 0 || step != 0 ? -1 : 0;
}

static int
pg_scan(struct store *s, const struct region *in, int year,
    recon_person_fn fn, void *arg, struct lf_error *err)
{
	char lo[24] = "0", hi[24] = "A";
	struct record *r = record_new(s->cat);
	struct buf sql;
	int64_t last = 0;
	int n = PG_SCAN_PAGE, rc = 0;

	buf_init(&sql, 1 << 16);
	if (r == NULL || pg_scan_sql(s, &sql) != 0)
		rc = lf_error_nomem(err);
	if (in != NULL)
		store_region_range(in, lo, hi);
	while (rc == 0 && n == PG_SCAN_PAGE)
		rc = pg_scan_page(s, buf_str(&sql), lo, hi, year, r, fn, arg,
		    &last, &n, err);
	buf_free(&sql);
	record_free(r);
	return rc;
}

int
recon_rows_scan(struct store *s, const struct region *in, int year,
    const unsigned char *want, recon_person_fn fn, void *arg,
    struct lf_error *err)
{
	struct record *r;
	struct cursors c = { s, NULL, NULL, 0, 0 };
	struct recon_person_row p;
	int step = SQLITE_DONE, has, rc = -1;

	if (s->pg != NULL)
		return pg_scan(s, in, year, fn, arg, err);
	if ((r = record_new(s->cat)) == NULL)
		return lf_error_nomem(err);
	if (cursors_open(&c, in, year, err) != 0)
		goto out;
	while ((step = sqlite3_step(c.persons)) == SQLITE_ROW) {
		person_row(c.persons, &p);
		if ((has = survey_at(&c, p.id, err)) < 0 || (has &&
		    packrec_decode_some(s->packs, sqlite3_column_blob(
		    c.surveys, 1), (size_t)sqlite3_column_bytes(c.surveys, 1),
		    r, want, err) != 0) || fn(arg, &p, has ? r : NULL, err) != 0)
			goto out;
	}
	if (step != SQLITE_DONE) {
		store_sqlite_error(s, "recon scan", err);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(c.persons);
	sqlite3_finalize(c.surveys);
	record_free(r);
	return rc;
}

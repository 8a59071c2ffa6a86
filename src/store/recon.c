/*
 * recon.c - rosters, the reconciliation run and its tasks (recon.h).
 */
#include "store/store_int.h"
#include "store/recon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/mem.h"
#include "plan/planner.h"
#include "lib/utf8.h"
#include "store/audit.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS rosters ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL, year INTEGER NOT NULL, region TEXT NOT NULL,"
	" file TEXT NOT NULL, rows INTEGER NOT NULL,"
	" matched INTEGER NOT NULL, findings INTEGER NOT NULL,"
	" imported_at INTEGER NOT NULL, imported_by TEXT NOT NULL,"
	" erased_at INTEGER);"
	"CREATE TABLE IF NOT EXISTS roster_rows ("
	" roster_id INTEGER NOT NULL REFERENCES rosters(id),"
	" id_hash BLOB NOT NULL, fact INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS roster_rows_roster ON"
	" roster_rows(roster_id);"
	"CREATE TABLE IF NOT EXISTS recon_tasks ("
	" id INTEGER PRIMARY KEY,"
	" roster_id INTEGER NOT NULL REFERENCES rosters(id),"
	" person_id INTEGER NOT NULL REFERENCES persons(id),"
	" kind TEXT NOT NULL, finding TEXT NOT NULL,"
	" region TEXT NOT NULL, county TEXT NOT NULL, owner TEXT,"
	" open INTEGER NOT NULL CHECK (open IN (0, 1)),"
	" close_reason TEXT, closed_by TEXT, closed_at INTEGER,"
	" created_at INTEGER NOT NULL, created_by TEXT NOT NULL,"
	" version INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX IF NOT EXISTS recon_tasks_open ON"
	" recon_tasks(person_id, kind, finding) WHERE open = 1;"
	"CREATE INDEX IF NOT EXISTS recon_tasks_region ON"
	" recon_tasks(region, id);";

int
recon_init(struct store *s, struct lf_error *err)
{
	if (sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "recon_init", err);
	return 0;
}

int
recon_id_hash(struct store *s, const char *id18,
    unsigned char out[CRYPTO_HASH_LEN], struct lf_error *err)
{
	if (crypto_lookup_hash(s->keys, "id_number", id18, strlen(id18),
	    out) != 0)
		return lf_error_set(err, "store", "", "哈希失败 (hash failed)");
	return 0;
}

static int
prep(struct store *s, const char *sql, sqlite3_stmt **st,
    struct lf_error *err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return store_sqlite_error(s, "recon", err);
	}
	return 0;
}

/* ---- the run -------------------------------------------------------- */

struct run {
	struct store			*s;
	const struct recon_run_opts	*o;
	struct recon_roster_row		*rows;	/* sorted by hash */
	size_t				 nrows;
	unsigned char			*seen;	/* per row: matched */
	int64_t				*recv;	/* receiving person ids, sorted */
	size_t				 nrecv;
	sqlite3_stmt			*task_find, *task_ins, *owner;
	int64_t				 roster_id, now;
	recon_found_fn			 fn;
	void				*arg;
	struct recon_summary		*sum;
};

static int
cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, CRYPTO_HASH_LEN);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Person ids receiving the kind's policy in the year, sorted. */
static int
load_receiving(struct run *rn, struct lf_error *err)
{
	const char *pol = rn->o->kind->policy;
	int any = strcmp(pol, "*") == 0;
	sqlite3_stmt *st;
	size_t cap = 0;
	int64_t *nv;
	int step;

	if (prep(rn->s, any ? "SELECT DISTINCT person_id FROM items WHERE "
	    "year = ?1 AND decision = 1 AND effect <> 4 AND status <> 4 "
	    "ORDER BY person_id" : "SELECT DISTINCT person_id FROM items "
	    "WHERE year = ?1 AND decision = 1 AND effect <> 4 AND status "
	    "<> 4 AND policy = ?2 ORDER BY person_id", &st, err) != 0)
		return -1;
	sqlite3_bind_int(st, 1, rn->o->year);
	if (!any)
		sqlite3_bind_text(st, 2, pol, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (rn->nrecv == cap) {
			cap = cap ? cap * 2 : 1024;
			nv = mem_realloc(rn->recv, cap * sizeof(*nv));
			if (nv == NULL) {
				sqlite3_finalize(st);
				return lf_error_nomem(err);
			}
			rn->recv = nv;
		}
		rn->recv[rn->nrecv++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return store_sqlite_error(rn->s, "recon receiving", err);
	return 0;
}

static int
record_roster(struct run *rn, struct lf_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (prep(rn->s, "INSERT INTO rosters(kind, year, region, file, rows,"
	    " matched, findings, imported_at, imported_by) VALUES (?1, ?2,"
	    " ?3, ?4, ?5, 0, 0, ?6, ?7)", &st, err) != 0)
		return -1;
	sqlite3_bind_text(st, 1, rn->o->kind->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, rn->o->year);
	sqlite3_bind_text(st, 3, rn->o->in ? rn->o->in->code : "51", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, rn->o->file ? rn->o->file : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)rn->nrows);
	sqlite3_bind_int64(st, 6, rn->now);
	sqlite3_bind_text(st, 7, rn->o->actor, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(rn->s, "recon roster", err);
	rn->roster_id = sqlite3_last_insert_rowid(rn->s->db);
	if (prep(rn->s, "INSERT INTO roster_rows(roster_id, id_hash, fact) "
	    "VALUES (?1, ?2, ?3)", &st, err) != 0)
		return -1;
	for (i = 0; i < rn->nrows; i++) {
		sqlite3_bind_int64(st, 1, rn->roster_id);
		sqlite3_bind_blob(st, 2, rn->rows[i].hash, CRYPTO_HASH_LEN,
		    SQLITE_STATIC);
		sqlite3_bind_int(st, 3, rn->rows[i].fact_days);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_sqlite_error(rn->s, "recon rows", err);
		}
	}
	sqlite3_finalize(st);
	return 0;
}

static void
find_owner(struct run *rn, const char *county, char out[64])
{
	out[0] = '\0';
	sqlite3_bind_text(rn->owner, 1, county, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(rn->owner) == SQLITE_ROW)
		store_copy_col(rn->owner, 0, out, 64);
	sqlite3_reset(rn->owner);
}

/* The task for one finding: found open, or inserted. */
static int
task_for(struct run *rn, struct recon_found *f, struct lf_error *err)
{
	const char *code = recon_finding_code(f->finding);
	int rc;

	sqlite3_bind_int64(rn->task_find, 1, f->person_id);
	sqlite3_bind_text(rn->task_find, 2, rn->o->kind->code, -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(rn->task_find, 3, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(rn->task_find);
	if (rc == SQLITE_ROW) {
		f->task_id = sqlite3_column_int64(rn->task_find, 0);
		store_copy_col(rn->task_find, 1, f->owner, sizeof(f->owner));
		f->created = 0;
	}
	sqlite3_reset(rn->task_find);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return store_sqlite_error(rn->s, "recon task", err);
	find_owner(rn, f->county, f->owner);
	sqlite3_bind_int64(rn->task_ins, 1, rn->roster_id);
	sqlite3_bind_int64(rn->task_ins, 2, f->person_id);
	sqlite3_bind_text(rn->task_ins, 3, rn->o->kind->code, -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(rn->task_ins, 4, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(rn->task_ins, 5, f->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(rn->task_ins, 6, f->county, -1, SQLITE_STATIC);
	if (f->owner[0] != '\0')
		sqlite3_bind_text(rn->task_ins, 7, f->owner, -1,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(rn->task_ins, 7);
	sqlite3_bind_int64(rn->task_ins, 8, rn->now);
	sqlite3_bind_text(rn->task_ins, 9, rn->o->actor, -1, SQLITE_STATIC);
	rc = sqlite3_step(rn->task_ins);
	sqlite3_reset(rn->task_ins);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(rn->s, "recon task", err);
	f->task_id = sqlite3_last_insert_rowid(rn->s->db);
	f->created = 1;
	rn->sum->tasks_created++;
	return 0;
}

/* Classifies one person and records the findings. */
static int
one_person(struct run *rn, sqlite3_stmt *st, const struct record *survey,
    struct lf_error *err)
{
	struct recon_person p;
	struct recon_found f;
	struct expr_ctx ctx;
	const void *hash = sqlite3_column_blob(st, 2);
	const struct recon_roster_row *row = NULL;
	unsigned bits;
	int i;

	memset(&f, 0, sizeof(f));
	f.person_id = sqlite3_column_int64(st, 0);
	store_copy_col(st, 1, f.uid, sizeof(f.uid));
	store_copy_col(st, 3, f.region, sizeof(f.region));
	f.status = sqlite3_column_int(st, 4);
	snprintf(f.county, sizeof(f.county), "%.6s", f.region);
	if (hash != NULL && rn->nrows > 0 &&
	    sqlite3_column_bytes(st, 2) == CRYPTO_HASH_LEN)
		row = bsearch(hash, rn->rows, rn->nrows, sizeof(*rn->rows),
		    cmp_hash);
	if (row != NULL) {
		rn->seen[row - rn->rows] = 1;
		rn->sum->matched++;
	}
	memset(&p, 0, sizeof(p));
	p.on_roster = row != NULL;
	p.status = f.status;
	p.survey = survey;
	if (survey != NULL)
		planner_ctx(survey, rn->o->year, f.region, NULL, &ctx);
	p.ctx = survey != NULL ? &ctx : NULL;
	p.receiving = rn->nrecv > 0 && bsearch(&f.person_id, rn->recv,
	    rn->nrecv, sizeof(*rn->recv), cmp_i64) != NULL;
	rn->sum->persons++;
	bits = recon_classify(rn->o->kind, &p);
	for (i = 0; i < NRFINDINGS; i++) {
		if ((bits & (1u << i)) == 0)
			continue;
		f.finding = i;
		rn->sum->counts[i]++;
		if (task_for(rn, &f, err) != 0)
			return -1;
		if (rn->fn != NULL && rn->fn(rn->arg, &f) != 0)
			return lf_error_set(err, "stopped", "", "已中止 "
			    "(stopped)");
	}
	return 0;
}

/* SELECT of persons in the region with their survey's non-secret items. */
static int
scan_sql(struct buf *b)
{
	buf_adds(b, "SELECT p.id, p.uid, p.id_hash, p.region, p.status, "
	    "s.person_id, s.rec");
	return buf_adds(b, " FROM persons p LEFT JOIN surveys s ON "
	    "s.person_id = p.id AND s.year = ?1 WHERE p.region >= ?2 AND "
	    "p.region < ?3 ORDER BY p.id");
}

static int
scan(struct run *rn, struct lf_error *err)
{
	struct store *s = rn->s;
	struct record *r = record_new(s->cat);
	sqlite3_stmt *st = NULL;
	char lo[24] = "0", hi[24] = "A";
	struct buf sql;
	int step, rc = -1;

	buf_init(&sql, 65536);
	if (r == NULL || scan_sql(&sql) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (prep(s, buf_str(&sql), &st, err) != 0)
		goto out;
	if (rn->o->in != NULL)
		store_region_range(rn->o->in, lo, hi);
	sqlite3_bind_int(st, 1, rn->o->year);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int has = sqlite3_column_type(st, 5) != SQLITE_NULL;

		if (store_rec_read(s, st, 6, r, PACKREC_SKIP, err) != 0)
			goto out;
		if (one_person(rn, st, has ? r : NULL, err) != 0)
			goto out;
	}
	if (step != SQLITE_DONE) {
		store_sqlite_error(s, "recon scan", err);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	buf_free(&sql);
	record_free(r);
	return rc;
}

static int
finish_roster(struct run *rn, struct lf_error *err)
{
	sqlite3_stmt *st;
	int64_t total = 0;
	int i, rc;

	for (i = 0; i < NRFINDINGS; i++)
		total += rn->sum->counts[i];
	if (prep(rn->s, "UPDATE rosters SET matched = ?1, findings = ?2 "
	    "WHERE id = ?3", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, rn->sum->matched);
	sqlite3_bind_int64(st, 2, total);
	sqlite3_bind_int64(st, 3, rn->roster_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(rn->s, "recon roster", err);
	return 0;
}

/* One audit entry for the run, in its transaction. */
static int
audit_run(struct run *rn, struct lf_error *err)
{
	struct audit_entry e;
	char target[24], detail[128];
	int64_t total = 0;
	int i;

	for (i = 0; i < NRFINDINGS; i++)
		total += rn->sum->counts[i];
	snprintf(target, sizeof(target), "%lld", (long long)rn->roster_id);
	snprintf(detail, sizeof(detail), "kind=%s year=%d rows=%zu "
	    "findings=%lld", rn->o->kind->code, rn->o->year, rn->nrows,
	    (long long)total);
	memset(&e, 0, sizeof(e));
	e.actor = rn->o->actor;
	e.action = "recon.run";
	e.target_type = "roster";
	e.target = target;
	e.result = "ok";
	e.detail = detail;
	return audit_append(rn->s, &e, err);
}

static int
run_body(struct run *rn, struct lf_error *err)
{
	if (load_receiving(rn, err) != 0 || record_roster(rn, err) != 0 ||
	    prep(rn->s, "SELECT id, coalesce(owner, '') FROM recon_tasks "
	    "WHERE person_id = ?1 AND kind = ?2 AND finding = ?3 AND open = 1",
	    &rn->task_find, err) != 0 ||
	    prep(rn->s, "INSERT INTO recon_tasks(roster_id, person_id, kind,"
	    " finding, region, county, owner, open, created_at, created_by,"
	    " version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, 1)",
	    &rn->task_ins, err) != 0 ||
	    prep(rn->s, "SELECT login FROM users WHERE role = 'county' AND "
	    "region = ?1 AND disabled = 0 ORDER BY id LIMIT 1", &rn->owner,
	    err) != 0 || scan(rn, err) != 0)
		return -1;
	return finish_roster(rn, err) != 0 ? -1 : audit_run(rn, err);
}

int
recon_run(struct store *s, const struct recon_roster_row *rows, size_t n,
    const struct recon_run_opts *o, recon_found_fn fn, void *arg,
    struct recon_summary *sum, struct lf_error *err)
{
	struct run rn;
	size_t i;
	int rc = -1;

	memset(sum, 0, sizeof(*sum));
	memset(&rn, 0, sizeof(rn));
	rn.s = s;
	rn.o = o;
	rn.nrows = n;
	rn.fn = fn;
	rn.arg = arg;
	rn.sum = sum;
	rn.now = (int64_t)time(NULL);
	rn.rows = mem_calloc(n ? n : 1, sizeof(*rows));
	rn.seen = mem_calloc(n ? n : 1, 1);
	if (rn.rows == NULL || rn.seen == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	if (n > 0)
		memcpy(rn.rows, rows, n * sizeof(*rows));
	qsort(rn.rows, n, sizeof(*rn.rows), cmp_hash);
	if (store_begin(s, err) != 0)
		goto out;
	if (run_body(&rn, err) != 0) {
		sqlite3_finalize(rn.task_find);
		sqlite3_finalize(rn.task_ins);
		sqlite3_finalize(rn.owner);
		rn.task_find = rn.task_ins = rn.owner = NULL;
		store_rollback(s);
		goto out;
	}
	sqlite3_finalize(rn.task_find);
	sqlite3_finalize(rn.task_ins);
	sqlite3_finalize(rn.owner);
	rn.task_find = rn.task_ins = rn.owner = NULL;
	if (store_commit(s, err) != 0)
		goto out;
	sum->roster_id = rn.roster_id;
	sum->rows = (int64_t)n;
	for (i = 0; i < n; i++)
		if (!rn.seen[i])
			sum->unmatched++;
	rc = 0;
out:
	if (rc != 0)
		memset(sum, 0, sizeof(*sum));
	mem_free(rn.rows);
	mem_free(rn.seen);
	mem_free(rn.recv);
	return rc;
}

/* ---- erase ---------------------------------------------------------- */

int
recon_erase(struct store *s, int keep_days, int64_t now, int64_t *erased,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int64_t before = now - (int64_t)keep_days * 86400;
	int rc;

	*erased = 0;
	if (keep_days < 0)
		return lf_error_set(err, "invalid", "roster_keep_days", "保留天数"
		    "不能为负 (keep days must not be negative)");
	if (store_begin(s, err) != 0)
		return -1;
	if (prep(s, "DELETE FROM roster_rows WHERE roster_id IN (SELECT id "
	    "FROM rosters WHERE imported_at < ?1 AND erased_at IS NULL)", &st,
	    err) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, before);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || prep(s, "UPDATE rosters SET erased_at = ?2 "
	    "WHERE imported_at < ?1 AND erased_at IS NULL", &st, err) != 0) {
		if (rc != SQLITE_DONE)
			store_sqlite_error(s, "recon erase", err);
		goto fail;
	}
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_sqlite_error(s, "recon erase", err);
		goto fail;
	}
	*erased = sqlite3_changes(s->db);
	return store_commit(s, err);
fail:
	store_rollback(s);
	*erased = 0;
	return -1;
}

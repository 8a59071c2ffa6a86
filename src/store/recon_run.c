/*
 * recon_run.c - one reconciliation run (recon.h's recon_run).
 *
 * How it reads (issue 16, docs/performance.md): the roster is a sorted
 * array of hashes, joined in memory with every person's id_hash; the
 * open tasks of the kind and the counties' owners are loaded once
 * (recon_index.c) instead of two queries a finding; the persons are read
 * in id order, by rowid for the whole province (by the region index and
 * a sort of the small person rows below it), and the year's surveys
 * beside them: for the whole province as a second cursor in person order
 * merged with the first, below it one lookup a person; of each survey only
 * the items the kind's expressions read are decoded. New tasks go in
 * through one prepared statement, all in the caller's one transaction.
 */
#include "store/store_int.h"
#include "store/recon.h"
#include "store/recon_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/mem.h"
#include "lib/num.h"
#include "plan/planner.h"
#include "store/audit.h"

/* SQLite's page cache during a run, KiB (the connection's own is 1 GiB):
 * a province run reads the whole database once, in order, so a larger
 * cache only holds pages that are not read again; the run's dirty pages
 * beyond it go to the WAL before the commit. Keeps a 3.5 M run's peak
 * memory near half a gigabyte (docs/performance.md). */
#define RUN_CACHE_KIB	262144

struct run {
	struct store			*s;
	const struct recon_run_opts	*o;
	const struct recon_roster_row	*rows;	/* sorted by hash */
	size_t				 nrows;
	unsigned char			*seen;	/* per row: matched */
	int64_t				*recv;	/* receiving person ids, sorted */
	size_t				 nrecv;
	struct recon_index		 ix;
	unsigned char			*want;	/* survey items classifying
						   reads, by field */
	sqlite3_stmt			*task_ins;
	int64_t				 roster_id, now;
	recon_found_fn			 fn;
	void				*arg;
	struct recon_summary		*sum;
};

/* One person row of the scan. */
struct prow {
	int64_t		 id;
	char		 uid[STORE_UID_LEN + 1];
	char		 region[13];
	int		 status;
	const void	*hash;		/* CRYPTO_HASH_LEN bytes or NULL */
};

static int
cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, CRYPTO_HASH_LEN);
}

/* Person ids receiving the kind's policy in the year, sorted. */
static int
load_receiving(struct run *rn, struct lf_error *err)
{
	const char *pol = rn->o->kind->policy;
	int any = strcmp(pol, "*") == 0;
	sqlite3_stmt *st;
	size_t cap = 0;
	int step;

	if (recon_prep(rn->s, any ? "SELECT DISTINCT person_id FROM items "
	    "WHERE year = ?1 AND decision = 1 AND effect <> 4 AND status <> 4"
	    " ORDER BY person_id" : "SELECT DISTINCT person_id FROM items "
	    "WHERE year = ?1 AND decision = 1 AND effect <> 4 AND status "
	    "<> 4 AND policy = ?2 ORDER BY person_id", &st, err) != 0)
		return -1;
	sqlite3_bind_int(st, 1, rn->o->year);
	if (!any)
		sqlite3_bind_text(st, 2, pol, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (mem_grow(&rn->recv, &cap, rn->nrecv + 1, sizeof(*rn->recv),
		    SIZE_MAX) != 0) {
			sqlite3_finalize(st);
			return lf_error_nomem(err);
		}
		rn->recv[rn->nrecv++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return store_sqlite_error(rn->s, "recon receiving", err);
	return 0;
}

static int
record_rows(struct run *rn, struct lf_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (recon_prep(rn->s, "INSERT INTO roster_rows(roster_id, id_hash, "
	    "fact) VALUES (?1, ?2, ?3)", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, rn->roster_id);
	for (i = 0; i < rn->nrows; i++) {
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

static int
record_roster(struct run *rn, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (recon_prep(rn->s, "INSERT INTO rosters(kind, year, region, file, "
	    "rows, matched, findings, imported_at, imported_by) VALUES (?1, "
	    "?2, ?3, ?4, ?5, 0, 0, ?6, ?7)", &st, err) != 0)
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
	return record_rows(rn, err);
}

/* The task for one finding: found open, or inserted. */
static int
task_for(struct run *rn, struct recon_found *f, struct lf_error *err)
{
	const struct recon_open *t = recon_index_task(&rn->ix, f->person_id,
	    f->finding);
	sqlite3_stmt *st = rn->task_ins;
	int rc;

	if (t != NULL) {
		f->task_id = t->task_id;
		snprintf(f->owner, sizeof(f->owner), "%s",
		    recon_index_name(&rn->ix, t->owner));
		f->created = 0;
		return 0;
	}
	recon_index_owner(&rn->ix, f->county, f->owner);
	sqlite3_bind_int64(st, 1, rn->roster_id);
	sqlite3_bind_int64(st, 2, f->person_id);
	sqlite3_bind_text(st, 3, rn->o->kind->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, recon_finding_code(f->finding), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, f->county, -1, SQLITE_STATIC);
	if (f->owner[0] != '\0')
		sqlite3_bind_text(st, 7, f->owner, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_int64(st, 8, rn->now);
	sqlite3_bind_text(st, 9, rn->o->actor, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(rn->s, "recon task", err);
	f->task_id = sqlite3_last_insert_rowid(rn->s->db);
	f->created = 1;
	rn->sum->tasks_created++;
	return 0;
}

/* Classifies one person and records the findings. */
static int
one_person(struct run *rn, const struct prow *pr, const struct record *survey,
    struct lf_error *err)
{
	const struct recon_roster_row *row = NULL;
	struct recon_person p;
	struct recon_found f;
	struct expr_ctx ctx;
	unsigned bits;
	int i;

	memset(&f, 0, sizeof(f));
	f.person_id = pr->id;
	memcpy(f.uid, pr->uid, sizeof(f.uid));
	memcpy(f.region, pr->region, sizeof(f.region));
	f.status = pr->status;
	snprintf(f.county, sizeof(f.county), "%.6s", f.region);
	if (pr->hash != NULL && rn->nrows > 0)
		row = bsearch(pr->hash, rn->rows, rn->nrows, sizeof(*rn->rows),
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
	    rn->nrecv, sizeof(*rn->recv), lf_cmp_i64) != NULL;
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

/* The scan's two statements: persons in id order, and the year's
 * surveys (merge: all in person order; else: one person's). */
struct cursors {
	sqlite3_stmt	*persons, *surveys;
	int		 merge, more;	/* more: surveys has a current row */
};

static int
cursors_open(struct run *rn, struct cursors *c, struct lf_error *err)
{
	char lo[24] = "0", hi[24] = "A";

	memset(c, 0, sizeof(*c));
	c->merge = rn->o->in == NULL || rn->o->in->level == 0;
	if (recon_prep(rn->s, c->merge ? "SELECT id, uid, id_hash, region, "
	    "status FROM persons NOT INDEXED WHERE region >= ?1 AND region < "
	    "?2 ORDER BY id" : "SELECT id, uid, id_hash, region, status FROM "
	    "persons WHERE region >= ?1 AND region < ?2 ORDER BY id",
	    &c->persons, err) != 0 || recon_prep(rn->s, c->merge ?
	    "SELECT person_id, rec FROM surveys WHERE year = ?1 ORDER BY "
	    "person_id" : "SELECT person_id, rec FROM surveys WHERE year = ?1"
	    " AND person_id = ?2", &c->surveys, err) != 0)
		return -1;
	if (rn->o->in != NULL)
		store_region_range(rn->o->in, lo, hi);
	sqlite3_bind_text(c->persons, 1, lo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->persons, 2, hi, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(c->surveys, 1, rn->o->year);
	if (!c->merge)
		return 0;
	c->more = sqlite3_step(c->surveys);
	if (c->more != SQLITE_ROW && c->more != SQLITE_DONE)
		return store_sqlite_error(rn->s, "recon surveys", err);
	c->more = c->more == SQLITE_ROW;
	return 0;
}

/* Positions c->surveys on person id's survey: 1 there, 0 none. */
static int
survey_at(struct run *rn, struct cursors *c, int64_t id,
    struct lf_error *err)
{
	int step;

	if (!c->merge) {
		sqlite3_reset(c->surveys);
		sqlite3_bind_int64(c->surveys, 2, id);
		step = sqlite3_step(c->surveys);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			return store_sqlite_error(rn->s, "recon surveys", err);
		return step == SQLITE_ROW;
	}
	while (c->more && sqlite3_column_int64(c->surveys, 0) < id) {
		step = sqlite3_step(c->surveys);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			return store_sqlite_error(rn->s, "recon surveys", err);
		c->more = step == SQLITE_ROW;
	}
	return c->more && sqlite3_column_int64(c->surveys, 0) == id;
}

static void
prow_read(sqlite3_stmt *st, struct prow *pr)
{
	pr->id = sqlite3_column_int64(st, 0);
	store_copy_col(st, 1, pr->uid, sizeof(pr->uid));
	pr->hash = sqlite3_column_blob(st, 2);
	if (sqlite3_column_bytes(st, 2) != CRYPTO_HASH_LEN)
		pr->hash = NULL;
	store_copy_col(st, 3, pr->region, sizeof(pr->region));
	pr->status = sqlite3_column_int(st, 4);
}

static int
scan(struct run *rn, struct lf_error *err)
{
	struct record *r = record_new(rn->s->cat);
	struct cursors c;
	struct prow pr;
	int step = SQLITE_DONE, has, rc = -1;

	if (r == NULL) {
		lf_error_nomem(err);
		return -1;
	}
	if (cursors_open(rn, &c, err) != 0)
		goto out;
	while ((step = sqlite3_step(c.persons)) == SQLITE_ROW) {
		prow_read(c.persons, &pr);
		if ((has = survey_at(rn, &c, pr.id, err)) < 0 || (has &&
		    packrec_decode_some(rn->s->packs, sqlite3_column_blob(
		    c.surveys, 1), (size_t)sqlite3_column_bytes(c.surveys, 1),
		    r, rn->want, err) != 0) || one_person(rn, &pr, has ? r :
		    NULL, err) != 0)
			goto out;
	}
	if (step != SQLITE_DONE) {
		store_sqlite_error(rn->s, "recon scan", err);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(c.persons);
	sqlite3_finalize(c.surveys);
	record_free(r);
	return rc;
}

static int64_t
total_findings(const struct recon_summary *sum)
{
	int64_t total = 0;
	int i;

	for (i = 0; i < NRFINDINGS; i++)
		total += sum->counts[i];
	return total;
}

static int
finish_roster(struct run *rn, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (recon_prep(rn->s, "UPDATE rosters SET matched = ?1, findings = ?2"
	    " WHERE id = ?3", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, rn->sum->matched);
	sqlite3_bind_int64(st, 2, total_findings(rn->sum));
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

	snprintf(target, sizeof(target), "%lld", (long long)rn->roster_id);
	snprintf(detail, sizeof(detail), "kind=%s year=%d rows=%zu "
	    "findings=%lld", rn->o->kind->code, rn->o->year, rn->nrows,
	    (long long)total_findings(rn->sum));
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
	int rc;

	if (load_receiving(rn, err) != 0 || recon_index_load(rn->s,
	    rn->o->kind->code, &rn->ix, err) != 0 || record_roster(rn,
	    err) != 0)
		return -1;
	if (recon_prep(rn->s, "INSERT INTO recon_tasks(roster_id, person_id,"
	    " kind, finding, region, county, owner, open, created_at, "
	    "created_by, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, "
	    "?9, 1)", &rn->task_ins, err) != 0)
		return -1;
	rc = scan(rn, err);
	sqlite3_finalize(rn->task_ins);
	rn->task_ins = NULL;
	if (rc != 0 || finish_roster(rn, err) != 0)
		return -1;
	return audit_run(rn, err);
}

/* The survey items the kind's expressions and the evaluation context
 * (planner_ctx: fill_date) read; only these are decoded. */
static unsigned char *
wanted_items(const struct catalog *cat, const struct recon_kind *k)
{
	unsigned char *want = mem_calloc(cat->nfields ? cat->nfields : 1, 1);
	const struct field *f = catalog_find(cat, "fill_date", 9);

	if (want == NULL)
		return NULL;
	expr_fields(k->says, want, cat->nfields);
	expr_fields(k->elig, want, cat->nfields);
	if (f != NULL)
		want[f->index] = 1;
	return want;
}

/* rows, sorted by hash: the caller's when they are (cmd_reconcile sorts
 * them to find repeats), else a sorted copy in *copy. */
static const struct recon_roster_row *
sorted_rows(const struct recon_roster_row *rows, size_t n,
    struct recon_roster_row **copy)
{
	size_t i;

	*copy = NULL;
	for (i = 1; i < n; i++)
		if (cmp_hash(rows[i - 1].hash, rows[i].hash) > 0)
			break;
	if (i >= n)
		return rows;
	if ((*copy = mem_calloc(n, sizeof(*rows))) == NULL)
		return NULL;
	memcpy(*copy, rows, n * sizeof(*rows));
	qsort(*copy, n, sizeof(**copy), cmp_hash);
	return *copy;
}

int
recon_run(struct store *s, const struct recon_roster_row *rows, size_t n,
    const struct recon_run_opts *o, recon_found_fn fn, void *arg,
    struct recon_summary *sum, struct lf_error *err)
{
	struct recon_roster_row *copy = NULL;
	struct run rn;
	int64_t cache = 0;
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
	rn.rows = sorted_rows(rows, n, &copy);
	rn.seen = mem_calloc(n ? n : 1, 1);
	rn.want = wanted_items(s->cat, o->kind);
	if ((n > 0 && rn.rows == NULL) || rn.seen == NULL || rn.want == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	cache = store_pragma_get(s->db, "cache_size", -2000);
	if (cache < -RUN_CACHE_KIB)
		store_pragma_set(s->db, "cache_size", -RUN_CACHE_KIB);
	if (store_begin(s, err) != 0)
		goto out;
	if (run_body(&rn, err) != 0) {
		store_rollback(s);
		goto out;
	}
	if (store_commit(s, err) != 0)
		goto out;
	sum->roster_id = rn.roster_id;
	sum->rows = (int64_t)n;
	for (i = 0; i < n; i++)
		sum->unmatched += !rn.seen[i];
	rc = 0;
out:
	if (cache < -RUN_CACHE_KIB)
		store_pragma_set(s->db, "cache_size", cache);
	if (rc != 0)
		memset(sum, 0, sizeof(*sum));
	recon_index_free(&rn.ix);
	mem_free(copy);
	mem_free(rn.want);
	mem_free(rn.seen);
	mem_free(rn.recv);
	return rc;
}

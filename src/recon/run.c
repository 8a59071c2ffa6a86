/*
 * run.c - one reconciliation run (recon.h's recon_run): the roster is a
 * sorted array of hashes, joined in memory with every person's id_hash as
 * store/recon_rows.h's scan hands the persons over; the open tasks of the
 * kind and the counties' owners are loaded once (index.h); each finding
 * is looked up there and becomes a new task only when none is open. All
 * in one transaction.
 */
#include "recon/recon.h"
#include "recon/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/mem.h"
#include "lib/num.h"
#include "plan/planner.h"
#include "store/audit.h"

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
	struct recon_task_writer	*w;
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

/* The task for one finding: found open, or added. */
static int
task_for(struct run *rn, struct recon_found *f, struct lf_error *err)
{
	const struct recon_open *t = recon_index_task(&rn->ix, f->person_id,
	    f->finding);
	struct recon_task_new nt;

	if (t != NULL) {
		f->task_id = t->task_id;
		snprintf(f->owner, sizeof(f->owner), "%s",
		    recon_index_name(&rn->ix, t->owner));
		f->created = 0;
		return 0;
	}
	recon_index_owner(&rn->ix, f->county, f->owner);
	nt.roster_id = rn->roster_id;
	nt.person_id = f->person_id;
	nt.kind = rn->o->kind->code;
	nt.finding = recon_finding_code(f->finding);
	nt.region = f->region;
	nt.county = f->county;
	nt.owner = f->owner;
	nt.at = rn->now;
	nt.actor = rn->o->actor;
	if (recon_rows_task_add(rn->w, &nt, &f->task_id, err) != 0)
		return -1;
	f->created = 1;
	rn->sum->tasks_created++;
	return 0;
}

/* The row of the roster holding the person's hash, or NULL. */
static const struct recon_roster_row *
on_roster(struct run *rn, const struct recon_person_row *pr)
{
	const struct recon_roster_row *row = NULL;

	if (pr->hash != NULL && rn->nrows > 0)
		row = bsearch(pr->hash, rn->rows, rn->nrows, sizeof(*rn->rows),
		    cmp_hash);
	if (row != NULL) {
		rn->seen[row - rn->rows] = 1;
		rn->sum->matched++;
	}
	return row;
}

/* Classifies one person and records the findings (recon_person_fn). */
static int
one_person(void *arg, const struct recon_person_row *pr,
    const struct record *survey, struct lf_error *err)
{
	struct run *rn = arg;
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
	memset(&p, 0, sizeof(p));
	p.on_roster = on_roster(rn, pr) != NULL;
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

static int64_t
total_findings(const struct recon_summary *sum)
{
	int64_t total = 0;
	int i;

	for (i = 0; i < NRFINDINGS; i++)
		total += sum->counts[i];
	return total;
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
	const struct recon_run_opts *o = rn->o;
	struct recon_roster_new r = { o->kind->code, o->year, o->in ?
	    o->in->code : "51", o->file ? o->file : "", rn->rows, rn->nrows,
	    rn->now, o->actor };
	int rc;

	if (recon_rows_receiving(rn->s, o->year, o->kind->policy, &rn->recv,
	    &rn->nrecv, err) != 0 || recon_index_load(rn->s, o->kind->code,
	    &rn->ix, err) != 0 || recon_rows_roster_add(rn->s, &r,
	    &rn->roster_id, err) != 0 || recon_rows_writer_open(rn->s, &rn->w,
	    err) != 0)
		return -1;
	rc = recon_rows_scan(rn->s, o->in, o->year, rn->want, one_person, rn,
	    err);
	recon_rows_writer_close(rn->w);
	rn->w = NULL;
	if (rc != 0 || recon_rows_roster_finish(rn->s, rn->roster_id,
	    rn->sum->matched, total_findings(rn->sum), err) != 0)
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

/* The run in its transaction, with the scan's page cache capped. */
static int
run_in_tx(struct run *rn, struct lf_error *err)
{
	int64_t cache;
	int rc = -1;

	recon_rows_cache_cap(rn->s, &cache);
	if (store_begin(rn->s, err) == 0) {
		if (run_body(rn, err) != 0)
			store_rollback(rn->s);
		else
			rc = store_commit(rn->s, err);
	}
	recon_rows_cache_restore(rn->s, cache);
	return rc;
}

int
recon_run(struct store *s, const struct recon_roster_row *rows, size_t n,
    const struct recon_run_opts *o, recon_found_fn fn, void *arg,
    struct recon_summary *sum, struct lf_error *err)
{
	struct recon_roster_row *copy = NULL;
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
	rn.rows = sorted_rows(rows, n, &copy);
	rn.seen = mem_calloc(n ? n : 1, 1);
	rn.want = wanted_items(store_catalog(s), o->kind);
	if ((n > 0 && rn.rows == NULL) || rn.seen == NULL || rn.want == NULL)
		lf_error_nomem(err);
	else if (run_in_tx(&rn, err) == 0) {
		sum->roster_id = rn.roster_id;
		sum->rows = (int64_t)n;
		for (i = 0; i < n; i++)
			sum->unmatched += !rn.seen[i];
		rc = 0;
	}
	if (rc != 0)
		memset(sum, 0, sizeof(*sum));
	recon_index_free(&rn.ix);
	mem_free(copy);
	mem_free(rn.want);
	mem_free(rn.seen);
	mem_free(rn.recv);
	return rc;
}

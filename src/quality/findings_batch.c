/*
 * findings_batch.c - findings_batch(): every rule over a year's
 * population in one pass (findings_batch.h).
 *
 * A reader thread (findings_scan.c) reads the year's persons a page at a
 * time on a connection of its own, with their surveys, plans, items and
 * deliveries, and tallies the registration keys; this thread meanwhile
 * decodes the surveys of the page before, tallies the surveyors,
 * evaluates and syncs the findings on the store's connection, in
 * transactions of CHUNK pages. Memory: two pages, the hash of
 * registration keys (duplicates) and the surveyors' tally.
 */
#include "quality/findings_batch.h"
#include "store/findings_scan.h"
#include "store/plan_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"

#ifndef LF_TESTING
#define CHUNK		40
#else
#define CHUNK		3
#endif

struct batch {
	struct store			*s;
	const struct quality_rules	*qr;
	const struct policies		*ps;
	const struct disaster		*dis;
	const char			*actor;
	int				 year;
	char				 prefix[13];
	int64_t				 lo, hi;	/* villages */
	struct fscan			*scan;
	struct fscan_page		*pg;	/* the page evaluated */
	struct record			*r;	/* its survey evaluated */
	struct quality_item		*qit;
	struct quality_delivery		*qdl;
	size_t				 qcap, qdlcap;
	struct finding_keys		 ex;
	struct finding_hit		*fh;
	size_t				 fhcap;
	struct quality_hits		 hits;
	struct planner_result		 res;
	struct quality_dups		*dups;
	struct quality_surveyors	*svs;
	struct findings_batch_stats	*st;
};

/* ---- one person ---------------------------------------------------- */

/* Stored findings of rules evaluated per person (not the global ones). */
static int
per_person_rule(const struct batch *b, const char *code)
{
	const struct quality_rule *q = quality_rule_find(b->qr, code);

	return q == NULL || !quality_rule_is_global(q);
}

static int
person_hits(struct batch *b, const struct fscan_person *p, size_t *nfh,
    struct lf_error *err)
{
	size_t i;

	*nfh = 0;
	if (mem_grow(&b->fh, &b->fhcap, b->hits.n, sizeof(*b->fh),
	    SIZE_MAX) != 0)
		return lf_error_nomem(err);
	for (i = 0; i < b->hits.n; i++) {
		const struct quality_rule *q = &b->qr->v[b->hits.v[i].rule];
		struct finding_hit *h = &b->fh[(*nfh)++];

		b->st->hits[q->index]++;
		h->rule = q->code;
		h->person_id = p->id;
		h->item_id = b->hits.v[i].item_id;
		h->surveyor = "";
		h->region = p->region;
		h->owner_role = q->owner;
		h->owner_digits = q->owner_digits;
		h->detail = b->hits.v[i].detail;
	}
	return 0;
}

static int
check_person(struct batch *b, size_t k, size_t *it, size_t *dl, size_t *ex,
    struct lf_error *err)
{
	const struct fscan_page *pg = b->pg;
	const struct fscan_person *p = &pg->per[k];
	struct quality_person qp;
	struct finding_keys view;
	size_t i0, n, nfh;

	memset(&qp, 0, sizeof(qp));
	qp.person_id = p->id;
	qp.village = p->region;
	qp.status = p->status;
	qp.year = b->year;
	if (fscan_record(b->scan, pg, k, b->r, err) != 0)
		return -1;
	if (quality_surveyors_add_survey(b->svs, b->r, p->region) != 0)
		return lf_error_nomem(err);
	qp.r = b->r;
	qp.has_plan = p->has_plan;
	while (*it < pg->nit && pg->it[*it].person_id < p->id)
		(*it)++;
	for (n = 0; *it < pg->nit && pg->it[*it].person_id == p->id; (*it)++) {
		b->qit[n] = pg->it[*it].q;
		b->qit[n++].policy = pg->it[*it].policy;
	}
	qp.items = b->qit;
	qp.nitems = n;
	while (*dl < pg->ndl && pg->dl[*dl].person_id < p->id)
		(*dl)++;
	for (n = 0; *dl < pg->ndl && pg->dl[*dl].person_id == p->id; (*dl)++)
		b->qdl[n++] = pg->dl[*dl].d;
	qp.dl = b->qdl;
	qp.ndl = n;
	if (quality_eval(b->qr, b->ps, b->dis, &qp, &b->res, &b->hits,
	    err) != 0 || person_hits(b, p, &nfh, err) != 0)
		return -1;
	while (*ex < b->ex.n && b->ex.v[*ex].person_id < p->id)
		(*ex)++;
	for (i0 = *ex; *ex < b->ex.n && b->ex.v[*ex].person_id == p->id;)
		(*ex)++;
	view.v = b->ex.v + i0;
	view.n = *ex - i0;
	view.cap = view.n;
	b->st->persons++;
	return findings_sync(b->s, b->year, &view, b->fh, nfh, b->actor,
	    &b->st->c, err);
}

/* Drops the loaded findings of global rules (synced at the end). */
static void
keep_per_person(struct batch *b)
{
	size_t i, k = 0;

	for (i = 0; i < b->ex.n; i++)
		if (per_person_rule(b, b->ex.v[i].rule))
			b->ex.v[k++] = b->ex.v[i];
	b->ex.n = k;
}

static int
check_page(struct batch *b, struct lf_error *err)
{
	const struct fscan_page *pg = b->pg;
	size_t k, it = 0, dl = 0, ex = 0;

	b->ex.n = 0;
	if (findings_load_persons(b->s, b->year, pg->from,
	    pg->per[pg->n - 1].id, &b->ex, err) != 0)
		return -1;
	keep_per_person(b);
	if (mem_grow(&b->qit, &b->qcap, pg->nit + 1, sizeof(*b->qit),
	    SIZE_MAX) != 0 || mem_grow(&b->qdl, &b->qdlcap, pg->ndl + 1,
	    sizeof(*b->qdl), SIZE_MAX) != 0)
		return lf_error_nomem(err);
	for (k = 0; k < pg->n; k++)
		if (check_person(b, k, &it, &dl, &ex, err) != 0)
			return -1;
	return 0;
}

/* ---- the global rules ---------------------------------------------- */

static int
sync_rule(struct batch *b, const struct quality_rule *q,
    const struct finding_hit *h, size_t n, struct lf_error *err)
{
	b->st->hits[q->index] += (int64_t)n;
	return findings_sync_rule(b->s, b->year, q->code, b->prefix, h, n,
	    b->actor, &b->st->c, err);
}

static int
sync_dups(struct batch *b, const struct quality_rule *q, struct lf_error *err)
{
	struct store_person *pv = NULL;
	struct finding_hit *h = NULL;
	const int64_t *ids;
	size_t n, i, k = 0;
	int rc = -1, found;

	ids = quality_dups_persons(b->dups, &n);
	if (n > 0 && ((pv = mem_calloc(n, sizeof(*pv))) == NULL ||
	    (h = mem_calloc(n, sizeof(*h))) == NULL)) {
		lf_error_nomem(err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((found = store_person_by_id(b->s, ids[i], &pv[k], err)) < 0)
			goto out;
		if (found == 1)
			continue;
		h[k].rule = q->code;
		h[k].person_id = ids[i];
		h[k].surveyor = "";
		h[k].region = pv[k].region;
		h[k].owner_role = q->owner;
		h[k].owner_digits = q->owner_digits;
		h[k].detail = quality_dup_detail;
		k++;
	}
	rc = sync_rule(b, q, h, k, err);
out:
	mem_free(pv);
	mem_free(h);
	return rc;
}

static int
sync_global(struct batch *b, struct lf_error *err)
{
	enum plan_tx tx;
	size_t i;
	int rc = 0;

	if (plan_tx_begin(b->s, &tx, err) != 0)
		return -1;
	for (i = 0; i < b->qr->n && rc == 0; i++) {
		const struct quality_rule *q = &b->qr->v[i];

		if (q->kind == QK_DUP_PERSON)
			rc = sync_dups(b, q, err);
	}
	if (rc == 0)
		rc = findings_surveyors_sync(b->s, b->qr, b->svs, b->year,
		    b->prefix, b->actor, b->st->hits, &b->st->c, err);
	return plan_tx_end(b->s, tx, rc, err);
}

/* ---- the pass ------------------------------------------------------ */

static int
run(struct batch *b, void (*progress)(void *, int64_t), void *arg,
    struct lf_error *err)
{
	enum plan_tx tx = PLAN_TX_NONE;
	int pages = 0, rc = 0, open = 0, got;

	if (fscan_start(b->s, b->year, b->lo, b->hi, b->dups, &b->scan,
	    err) != 0)
		return -1;
	while ((got = fscan_next(b->scan, &b->pg, err)) == 1) {
		if (!open && (rc = plan_tx_begin(b->s, &tx, err)) != 0)
			break;
		open = 1;
		if ((rc = check_page(b, err)) != 0)
			break;
		if (++pages % CHUNK == 0) {
			open = 0;
			if ((rc = plan_tx_end(b->s, tx, 0, err)) != 0)
				break;
			if (progress != NULL)
				progress(arg, b->st->persons);
		}
	}
	if (got < 0)
		rc = -1;
	if (open && plan_tx_end(b->s, tx, rc, err) != 0)
		rc = -1;
	fscan_stop(b->scan);	/* the tallies are whole now (got == 0) */
	b->scan = NULL;
	if (rc == 0)
		rc = sync_global(b, err);
	if (progress != NULL)
		progress(arg, b->st->persons);
	return rc;
}

static void
batch_free(struct batch *b)
{
	fscan_stop(b->scan);
	record_free(b->r);
	mem_free(b->qit);
	mem_free(b->qdl);
	mem_free(b->fh);
	finding_keys_free(&b->ex);
	quality_hits_free(&b->hits);
	planner_result_free(&b->res);
	quality_dups_free(b->dups);
	quality_surveyors_free(b->svs);
}

static int
batch_init(struct batch *b, const char *region, struct lf_error *err)
{
	if (region == NULL || region[0] == '\0') {
		b->lo = 0;
		b->hi = 1000000000000LL;
	} else if (plan_region_bounds(region, &b->lo, &b->hi, err) != 0)
		return -1;
	snprintf(b->prefix, sizeof(b->prefix), "%s", region ? region : "");
	quality_hits_init(&b->hits);
	planner_result_init(&b->res);
	if ((b->dups = quality_dups_new()) == NULL ||
	    (b->svs = findings_surveyors_new(store_catalog(b->s), b->qr)) == NULL ||
	    (b->r = record_new(store_catalog(b->s))) == NULL)
		return lf_error_nomem(err);
	return 0;
}

int
findings_batch(struct store *s, const struct quality_rules *qr,
    const struct policies *ps, const struct disaster *dis, int year,
    const char *region, const char *actor,
    void (*progress)(void *arg, int64_t done), void *arg,
    struct findings_batch_stats *st, struct lf_error *err)
{
	struct batch *b;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if ((b = mem_calloc(1, sizeof(*b))) == NULL)
		return lf_error_nomem(err);
	b->s = s;
	b->qr = qr;
	b->ps = ps;
	b->dis = dis;
	b->actor = actor;
	b->year = year;
	b->st = st;
	if (batch_init(b, region, err) == 0)
		rc = run(b, progress, arg, err);
	batch_free(b);
	mem_free(b);
	return rc;
}

/*
 * findings_shard.c - one shard of the quality batch (findings_shard.h):
 * evaluate a page without a lock, then sync its findings under the
 * batch's mutex.
 */
#include "quality/findings_shard.h"

#include <string.h>

#include "lib/mem.h"

/* ---- evaluating a page (no lock) ----------------------------------- */

/* Appends one person's hits to the page's. */
static int
keep_hits(struct fshard *w, struct lf_error *err)
{
	if (w->hits.n == 0)
		return 0;
	if (mem_grow(&w->ph.v, &w->ph.cap, w->ph.n + w->hits.n,
	    sizeof(*w->ph.v), SIZE_MAX) != 0)
		return lf_error_nomem(err);
	memcpy(w->ph.v + w->ph.n, w->hits.v, w->hits.n * sizeof(*w->ph.v));
	w->ph.n += w->hits.n;
	return 0;
}

static int
eval_person(struct fshard *w, size_t k, size_t *it, size_t *dl,
    struct lf_error *err)
{
	const struct fscan_page *pg = w->pg;
	const struct fscan_person *p = &pg->per[k];
	struct quality_person qp;
	size_t n;

	memset(&qp, 0, sizeof(qp));
	qp.person_id = p->id;
	qp.village = p->region;
	qp.status = p->status;
	qp.year = w->b->year;
	if (fscan_record(w->scan, pg, k, w->r, err) != 0)
		return -1;
	if (quality_surveyors_add_survey(w->svs, w->r, p->region) != 0)
		return lf_error_nomem(err);
	qp.r = w->r;
	qp.has_plan = p->has_plan;
	while (*it < pg->nit && pg->it[*it].person_id < p->id)
		(*it)++;
	for (n = 0; *it < pg->nit && pg->it[*it].person_id == p->id; (*it)++) {
		w->qit[n] = pg->it[*it].q;
		w->qit[n++].policy = pg->it[*it].policy;
	}
	qp.items = w->qit;
	qp.nitems = n;
	while (*dl < pg->ndl && pg->dl[*dl].person_id < p->id)
		(*dl)++;
	for (n = 0; *dl < pg->ndl && pg->dl[*dl].person_id == p->id; (*dl)++)
		w->qdl[n++] = pg->dl[*dl].d;
	qp.dl = w->qdl;
	qp.ndl = n;
	if (quality_eval(w->b->qr, w->b->ps, w->b->dis, &qp, &w->res,
	    &w->hits, err) != 0)
		return -1;
	return keep_hits(w, err);
}

static int
eval_page(struct fshard *w, struct lf_error *err)
{
	const struct fscan_page *pg = w->pg;
	size_t k, it = 0, dl = 0;

	w->ph.n = 0;
	if (mem_grow(&w->qit, &w->qcap, pg->nit + 1, sizeof(*w->qit),
	    SIZE_MAX) != 0 || mem_grow(&w->qdl, &w->qdlcap, pg->ndl + 1,
	    sizeof(*w->qdl), SIZE_MAX) != 0)
		return lf_error_nomem(err);
	for (k = 0; k < pg->n; k++) {
		w->phoff[k] = w->ph.n;
		if (eval_person(w, k, &it, &dl, err) != 0)
			return -1;
	}
	w->phoff[pg->n] = w->ph.n;
	return 0;
}

/* ---- syncing a page (under the batch's mutex) ---------------------- */

/* Stored findings of rules evaluated per person (not the global ones). */
static int
per_person_rule(const struct fbatch *b, const char *code)
{
	const struct quality_rule *q = quality_rule_find(b->qr, code);

	return q == NULL || !quality_rule_is_global(q);
}

/* Drops the loaded findings of global rules (synced at the end). */
static void
keep_per_person(struct fshard *w)
{
	size_t i, k = 0;

	for (i = 0; i < w->ex.n; i++)
		if (per_person_rule(w->b, w->ex.v[i].rule))
			w->ex.v[k++] = w->ex.v[i];
	w->ex.n = k;
}

/* Person k's hits as findings_sync() takes them. */
static int
person_hits(struct fshard *w, size_t k, size_t *nfh, struct lf_error *err)
{
	const struct fscan_person *p = &w->pg->per[k];
	size_t i;

	*nfh = 0;
	if (mem_grow(&w->fh, &w->fhcap, w->phoff[k + 1] - w->phoff[k] + 1,
	    sizeof(*w->fh), SIZE_MAX) != 0)
		return lf_error_nomem(err);
	for (i = w->phoff[k]; i < w->phoff[k + 1]; i++) {
		const struct quality_rule *q = &w->b->qr->v[w->ph.v[i].rule];
		struct finding_hit *h = &w->fh[(*nfh)++];

		w->b->st->hits[q->index]++;
		h->rule = q->code;
		h->person_id = p->id;
		h->item_id = w->ph.v[i].item_id;
		h->surveyor = "";
		h->region = p->region;
		h->owner_role = q->owner;
		h->owner_digits = q->owner_digits;
		h->detail = w->ph.v[i].detail;
	}
	return 0;
}

static int
sync_person(struct fshard *w, size_t k, size_t *ex, struct lf_error *err)
{
	int64_t id = w->pg->per[k].id;
	struct finding_keys view;
	size_t i0, nfh;

	if (person_hits(w, k, &nfh, err) != 0)
		return -1;
	while (*ex < w->ex.n && w->ex.v[*ex].person_id < id)
		(*ex)++;
	for (i0 = *ex; *ex < w->ex.n && w->ex.v[*ex].person_id == id;)
		(*ex)++;
	view.v = w->ex.n > 0 ? w->ex.v + i0 : NULL; /* no offset on NULL */
	view.n = *ex - i0;
	view.cap = view.n;
	w->b->st->persons++;
	return findings_sync(w->b->s, w->b->year, &view, w->fh, nfh,
	    w->b->actor, &w->b->st->c, err);
}

static int
sync_page(struct fshard *w, struct lf_error *err)
{
	const struct fscan_page *pg = w->pg;
	size_t k, ex = 0;

	w->ex.n = 0;
	if (findings_load_persons(w->b->s, w->b->year, pg->from,
	    pg->per[pg->n - 1].id, &w->ex, err) != 0)
		return -1;
	keep_per_person(w);
	for (k = 0; k < pg->n; k++)
		if (sync_person(w, k, &ex, err) != 0)
			return -1;
	return 0;
}

/* Records a failure (the first one's error is kept); under b->mu. */
static void
fail_locked(struct fbatch *b, const struct lf_error *err)
{
	if (!b->failed)
		b->err = *err;
	b->failed = 1;
}

static void
fail(struct fbatch *b, const struct lf_error *err)
{
	pthread_mutex_lock(&b->mu);
	fail_locked(b, err);
	pthread_mutex_unlock(&b->mu);
}

/* Syncs the page evaluated: 0, 1 when a shard failed (stop), -1. */
static int
commit_page(struct fshard *w)
{
	struct fbatch *b = w->b;
	struct lf_error err;
	int rc = 0;

	lf_error_clear(&err);
	pthread_mutex_lock(&b->mu);
	if (b->failed) {
		pthread_mutex_unlock(&b->mu);
		return 1;
	}
	if (!b->open && (rc = store_tx_join(b->s, &b->tx, &err)) == 0)
		b->open = 1;
	if (rc == 0)
		rc = sync_page(w, &err);
	if (rc == 0 && ++b->pages % FSHARD_CHUNK == 0) {
		b->open = 0;
		rc = store_tx_leave(b->s, b->tx, 0, &err);
		if (rc == 0 && b->progress != NULL)
			b->progress(b->arg, b->st->persons);
	}
	if (rc != 0)
		fail_locked(b, &err);
	pthread_mutex_unlock(&b->mu);
	return rc;
}

/* ---- the shard ----------------------------------------------------- */

int
fshard_run(struct fshard *w)
{
	struct lf_error err;
	int got, rc = 0;

	lf_error_clear(&err);
	while ((got = fscan_next(w->scan, &w->pg, &err)) == 1) {
		if (eval_page(w, &err) != 0) {
			fail(w->b, &err);
			return -1;
		}
		if ((rc = commit_page(w)) != 0)
			return -1;
	}
	if (got < 0) {
		fail(w->b, &err);
		return -1;
	}
	return 0;
}

static void *
shard_main(void *arg)
{
	fshard_run(arg);
	return NULL;
}

int
fshard_spawn(struct fshard *w, struct lf_error *err)
{
	if (pthread_create(&w->th, NULL, shard_main, w) != 0)
		return lf_error_set(err, "internal", "", "无法启动检查线程 "
		    "(cannot start an evaluating thread)");
	w->started = 1;
	return 0;
}

void
fshard_join(struct fshard *w)
{
	if (w->started)
		pthread_join(w->th, NULL);
	w->started = 0;
}

int
fshard_init(struct fshard *w, struct fbatch *b, struct lf_error *err)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	quality_hits_init(&w->hits);
	quality_hits_init(&w->ph);
	planner_result_init(&w->res);
	if ((w->svs = findings_surveyors_new(store_catalog(b->s), b->qr)) == NULL ||
	    (w->r = record_new(store_catalog(b->s))) == NULL)
		return lf_error_nomem(err);
	return 0;
}

void
fshard_free(struct fshard *w)
{
	fscan_stop(w->scan);
	w->scan = NULL;
	record_free(w->r);
	mem_free(w->qit);
	mem_free(w->qdl);
	mem_free(w->fh);
	finding_keys_free(&w->ex);
	quality_hits_free(&w->hits);
	quality_hits_free(&w->ph);
	planner_result_free(&w->res);
	quality_surveyors_free(w->svs);
	w->svs = NULL;
}

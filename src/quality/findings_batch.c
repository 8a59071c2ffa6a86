/*
 * findings_batch.c - findings_batch(): every rule over a year's
 * population in one pass (findings_batch.h).
 *
 * The persons' id range is split into shards (findings_shard.h), each
 * with a reader thread (findings_scan.c: a read-only connection of its
 * own, a page of persons at a time with their surveys, plans, items and
 * deliveries, adding the registration keys to the one tally of
 * duplicates) and an evaluating thread (the caller's own for the first
 * shard) that decodes, tallies its surveyors, evaluates and syncs on the
 * store's connection under the batch's mutex. Then the shards' surveyor
 * tallies are merged and the rules across persons synced. Memory: two
 * pages a shard, the readers' page caches (CACHE_KIB together), the hash
 * of registration keys and the surveyors' tallies.
 */
#include "quality/findings_batch.h"
#include "quality/findings_shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"

#define MAX_SHARDS	8
#define SHARDS		2	/* by default: one per core of the target */
#define CACHE_KIB	65536	/* the readers' page caches, together */

struct batch {
	struct fbatch		 fb;	/* shared with the shards */
	char			 prefix[13];
	int64_t			 lo, hi;	/* villages */
	unsigned char		*want;	/* survey items the rules read */
	struct quality_dups	*dups;
	pthread_mutex_t		 dups_mu;
	struct fshard		 w[MAX_SHARDS];
	size_t			 nw;
};

/* ---- the global rules ---------------------------------------------- */

static int
sync_rule(struct batch *b, const struct quality_rule *q,
    const struct finding_hit *h, size_t n, struct lf_error *err)
{
	b->fb.st->hits[q->index] += (int64_t)n;
	return findings_sync_rule(b->fb.s, b->fb.year, q->code, b->prefix, h,
	    n, b->fb.actor, &b->fb.st->c, err);
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
		if ((found = store_person_by_id(b->fb.s, ids[i], &pv[k],
		    err)) < 0)
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

/* Every shard's surveyors into the first shard's tally. */
static int
merge_surveyors(struct batch *b, struct lf_error *err)
{
	size_t i;

	for (i = 1; i < b->nw; i++)
		if (quality_surveyors_merge(b->w[0].svs, b->w[i].svs) != 0)
			return lf_error_nomem(err);
	return 0;
}

static int
sync_global(struct batch *b, struct lf_error *err)
{
	int tx;
	size_t i;
	int rc = 0;

	if (merge_surveyors(b, err) != 0 || store_tx_join(b->fb.s, &tx,
	    err) != 0)
		return -1;
	for (i = 0; i < b->fb.qr->n && rc == 0; i++) {
		const struct quality_rule *q = &b->fb.qr->v[i];

		if (q->kind == QK_DUP_PERSON)
			rc = sync_dups(b, q, err);
	}
	if (rc == 0)
		rc = findings_surveyors_sync(b->fb.s, b->fb.qr, b->w[0].svs,
		    b->fb.year, b->prefix, b->fb.actor, b->fb.st->hits,
		    &b->fb.st->c, err);
	return store_tx_leave(b->fb.s, tx, rc, err);
}

/* ---- the shards ---------------------------------------------------- */

/* The number of shards: LF_QUALITY_SHARDS (1..MAX_SHARDS; tests set
 * it), else SHARDS. */
static size_t
nshards(void)
{
	const char *v = getenv("LF_QUALITY_SHARDS");
	char *end;
	long n;

	if (v == NULL || v[0] == '\0')
		return SHARDS;
	n = strtol(v, &end, 10);
	return *end == '\0' && n >= 1 && n <= MAX_SHARDS ? (size_t)n : SHARDS;
}

/* Starts shard k's reader over its share of (first, last]. */
static int
start_reader(struct batch *b, size_t k, int64_t first, int64_t last,
    struct lf_error *err)
{
	struct fscan_range rg;
	int64_t span = last - first;

	memset(&rg, 0, sizeof(rg));
	rg.year = b->fb.year;
	rg.lo = b->lo;
	rg.hi = b->hi;
	rg.first = first + (int64_t)((double)span * (double)k /
	    (double)b->nw);
	rg.last = k + 1 == b->nw ? last : first + (int64_t)((double)span *
	    (double)(k + 1) / (double)b->nw);
	rg.want = b->want;
	rg.dups = b->dups;
	rg.dups_mu = b->nw > 1 ? &b->dups_mu : NULL;
	rg.cache_kib = CACHE_KIB / (int)b->nw;
	return fscan_start(b->fb.s, &rg, &b->w[k].scan, err);
}

/* Starts every shard (readers, and threads for all but the first). */
static int
start(struct batch *b, struct lf_error *err)
{
	int64_t first, last;
	size_t k;

	if (fscan_id_range(b->fb.s, &first, &last, err) != 0)
		return -1;
	/* the whole year: about one key a person id (a region: grown as
	 * needed, its persons being a few of the ids) */
	if (b->prefix[0] == '\0' && last > first &&
	    quality_dups_reserve(b->dups, (size_t)(last - first)) != 0)
		return lf_error_nomem(err);
	for (k = 0; k < b->nw; k++)
		if (fshard_init(&b->w[k], &b->fb, err) != 0 ||
		    start_reader(b, k, first, last, err) != 0)
			return -1;
	for (k = 1; k < b->nw; k++)
		if (fshard_spawn(&b->w[k], err) != 0)
			return -1;
	return 0;
}

/* ---- the pass ------------------------------------------------------ */

static int
run(struct batch *b, struct lf_error *err)
{
	size_t k;
	int rc = start(b, err);

	if (rc == 0)
		fshard_run(&b->w[0]);
	else {			/* the shards started stop at their next page */
		pthread_mutex_lock(&b->fb.mu);
		b->fb.failed = 1;
		pthread_mutex_unlock(&b->fb.mu);
	}
	for (k = 1; k < b->nw; k++)
		fshard_join(&b->w[k]);
	if (rc == 0 && b->fb.failed) {
		*err = b->fb.err;
		rc = -1;
	}
	if (b->fb.open && store_tx_leave(b->fb.s, b->fb.tx, rc, err) != 0)
		rc = -1;
	b->fb.open = 0;
	for (k = 0; k < b->nw; k++) {	/* the tallies are whole now */
		fscan_stop(b->w[k].scan);
		b->w[k].scan = NULL;
	}
	if (rc == 0)
		rc = sync_global(b, err);
	if (b->fb.progress != NULL)
		b->fb.progress(b->fb.arg, b->fb.st->persons);
	return rc;
}

static void
batch_free(struct batch *b)
{
	size_t k;

	for (k = 0; k < b->nw; k++) {
		fshard_join(&b->w[k]);
		fshard_free(&b->w[k]);
	}
	mem_free(b->want);
	quality_dups_free(b->dups);
	pthread_mutex_destroy(&b->dups_mu);
	pthread_mutex_destroy(&b->fb.mu);
}

/* The survey items the rules read, from the rules, the policies and the
 * surveyors' tally (only those are decoded). */
static int
wanted(struct batch *b, struct lf_error *err)
{
	struct quality_surveyors *svs;

	if ((b->want = mem_calloc(store_catalog(b->fb.s)->nfields + 1, 1)) == NULL ||
	    (svs = findings_surveyors_new(store_catalog(b->fb.s), b->fb.qr)) == NULL)
		return lf_error_nomem(err);
	quality_fields(b->fb.qr, b->fb.ps, b->want);
	quality_surveyors_fields(svs, b->want);
	quality_surveyors_free(svs);
	return 0;
}

static int
batch_init(struct batch *b, const char *region, struct lf_error *err)
{
	pthread_mutex_init(&b->fb.mu, NULL);
	pthread_mutex_init(&b->dups_mu, NULL);
	b->nw = nshards();
	if (region == NULL || region[0] == '\0') {
		b->lo = 0;
		b->hi = 1000000000000LL;
	} else if (plan_region_bounds(region, &b->lo, &b->hi, err) != 0)
		return -1;
	snprintf(b->prefix, sizeof(b->prefix), "%s", region ? region : "");
	if ((b->dups = quality_dups_new()) == NULL)
		return lf_error_nomem(err);
	return wanted(b, err);
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
	b->fb.s = s;
	b->fb.qr = qr;
	b->fb.ps = ps;
	b->fb.dis = dis;
	b->fb.actor = actor;
	b->fb.year = year;
	b->fb.progress = progress;
	b->fb.arg = arg;
	b->fb.st = st;
	lf_error_clear(&b->fb.err);
	if (batch_init(b, region, err) == 0)
		rc = run(b, err);
	batch_free(b);
	mem_free(b);
	return rc;
}

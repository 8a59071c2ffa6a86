/*
 * findings_shard.h - one shard of the quality batch (findings_batch.c):
 * the persons of a range of person ids, read by a reader thread of their
 * own (findings_scan.h) and evaluated by one thread (a thread of its own,
 * or the batch's caller for the first shard).
 *
 * Per page the shard decodes the surveys (the items of the batch's
 * `want` only), tallies its surveyors into its own tally, evaluates every
 * per-person rule, then, under the batch's mutex (the store's connection
 * is one), loads the page's stored findings and syncs them, in
 * transactions of FSHARD_CHUNK pages counted over every shard.
 *
 * Ownership: a shard belongs to its batch; the shared part (struct
 * fbatch) is read-only while the shards run, but for the fields under
 * `mu`. Errors: the first failure of any shard is kept in fbatch.err and
 * stops the others at their next page.
 */
#ifndef LF_STORE_FINDINGS_SHARD_H
#define LF_STORE_FINDINGS_SHARD_H

#include <pthread.h>

#include "quality/findings_batch.h"
#include "store/findings_scan.h"
#include "store/plan_rows.h"

#ifndef LF_TESTING
#define FSHARD_CHUNK	40
#else
#define FSHARD_CHUNK	3
#endif

struct fbatch;

struct fshard {
	struct fbatch			*b;
	struct fscan			*scan;
	struct fscan_page		*pg;	/* the page evaluated */
	struct record			*r;	/* its survey evaluated */
	struct quality_item		*qit;
	struct quality_delivery		*qdl;
	size_t				 qcap, qdlcap;
	struct quality_hits		 hits;	/* one person's */
	struct quality_hits		 ph;	/* the page's, by person: */
	size_t				 phoff[FSCAN_PAGE + 1];
	struct finding_keys		 ex;
	struct finding_hit		*fh;
	size_t				 fhcap;
	struct planner_result		 res;
	struct quality_surveyors	*svs;
	pthread_t			 th;
	int				 started;
};

struct fbatch {
	struct store			*s;
	const struct quality_rules	*qr;
	const struct policies		*ps;
	const struct disaster		*dis;
	const char			*actor;
	int				 year;
	void				(*progress)(void *, int64_t);
	void				*arg;
	/* under mu (the store's connection too) */
	pthread_mutex_t			 mu;
	int				 tx;
	int				 open, pages, failed;
	struct lf_error			 err;
	struct findings_batch_stats	*st;
};

/* Makes the shard's state (its surveyors' tally, record); -1 with err. */
int	fshard_init(struct fshard *w, struct fbatch *b, struct lf_error *err);
void	fshard_free(struct fshard *w);
/* Runs the shard over the pages of its started reader (w->scan) until
 * the end or a failure of any shard: 0, or -1 (fbatch.err). */
int	fshard_run(struct fshard *w);
/* Runs fshard_run() on a thread of its own (w->started). -1 with err. */
int	fshard_spawn(struct fshard *w, struct lf_error *err);
/* Waits for a spawned shard. */
void	fshard_join(struct fshard *w);

#endif

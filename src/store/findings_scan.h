/*
 * findings_scan.h - the reader of the quality batch (findings_batch.c):
 * a year's persons of a range of person ids (a shard: the batch runs one
 * reader per shard) in person-id order, a page at a time, with their
 * surveys (packed records, copied as stored: the caller decodes them with
 * fscan_record(), which keeps the two threads' shares of the work about
 * even), plans, items and deliveries, read by a thread of its own on a
 * read-only connection of its own (WAL: it does not block the batch's
 * writes of findings, on the store's connection) one page ahead of the
 * caller.
 *
 * The reader also fills the tally of registration keys (quality_dups) as
 * it goes, a page at a time under dups_mu when the tally is shared by
 * several readers; it is the caller's to read once every reader's
 * fscan_next() returned 0 (the end), and is not touched by it before.
 *
 * On PostgreSQL the reader has a connection of its own (in the store's
 * scope) and keeps each page's rows as the server sent them: the
 * surveys' items are decoded from their columns by fscan_record(), and
 * there are no deliveries (no table there yet).
 *
 * Memory: two pages (PAGE packed records, their items and deliveries)
 * and the connection's page cache (cache_kib).
 * One caller thread; errors: 0 / -1 with err ("store", "no_memory").
 */
#ifndef LF_STORE_FINDINGS_SCAN_H
#define LF_STORE_FINDINGS_SCAN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/quality.h"
#include "store/store.h"

#ifndef LF_TESTING
#define FSCAN_PAGE	512
#else
#define FSCAN_PAGE	8
#endif

struct fscan_item {
	int64_t			 person_id;
	struct quality_item	 q;	/* q.policy set by the caller */
	char			 policy[32];
};

struct fscan_dl {
	int64_t			 person_id;
	struct quality_delivery	 d;
};

struct fscan_person {
	int64_t		 id;
	char		 region[13];
	int		 status;
	int		 has_plan;
};

struct fscan_page {
	struct fscan_person	 per[FSCAN_PAGE];
	size_t			 off[FSCAN_PAGE];	/* packed records */
	size_t			 len[FSCAN_PAGE];	/* SIZE_MAX: NULL */
	unsigned char		*blob;
	size_t			 nblob, blobcap;
	size_t			 n;		/* 1..FSCAN_PAGE */
	int64_t			 from;		/* persons in (from, last id] */
	struct fscan_item	*it;		/* in person order */
	size_t			 nit, itcap;
	struct fscan_dl		*dl;		/* in person order */
	size_t			 ndl, dlcap;
	/* PostgreSQL: the persons' rows (a PGresult), their surveys'
	 * items from column 6 on */
	void			*pgres;
};

struct fscan;

/* What a reader reads: the year's persons of villages [lo, hi) (numbers
 * of 12 digits) with person ids in (first, last]. */
struct fscan_range {
	int			 year;
	int64_t			 lo, hi;
	int64_t			 first, last;
	const unsigned char	*want;	/* survey items decoded, by field;
					   NULL: all but the secret ones */
	struct quality_dups	*dups;
	pthread_mutex_t		*dups_mu;	/* NULL: dups is this
						   reader's alone */
	int			 cache_kib;	/* its page cache */
};

/* Starts a reader (rg is copied; want and dups must outlive it). */
int	fscan_start(struct store *s, const struct fscan_range *rg,
	    struct fscan **out, struct lf_error *err);
/* The next page: 1 (*out valid until the next call), 0 at the end, -1
 * with err. */
int	fscan_next(struct fscan *f, struct fscan_page **out,
	    struct lf_error *err);
/* Decodes the survey of person k of pg into r: the items of want, or
 * all but the secret ones (no rule reads one); the rest unset. */
int	fscan_record(const struct fscan *f, const struct fscan_page *pg,
	    size_t k, struct record *r, struct lf_error *err);
/* Stops the reader (it may be mid-way) and frees it. */
void	fscan_stop(struct fscan *f);
/* The person ids a batch splits into shards: (*first, *last], both 0 when
 * there is no person. 0, or -1 with err. */
int	fscan_id_range(struct store *s, int64_t *first, int64_t *last,
	    struct lf_error *err);

#endif

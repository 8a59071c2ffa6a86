/*
 * findings_scan.h - the reader of the quality batch (findings_batch.c):
 * a year's persons in person-id order, a page at a time, with their
 * surveys (packed records, copied as stored: the caller decodes them with
 * fscan_record(), which keeps the two threads' shares of the work about
 * even), plans, items and deliveries, read by a thread of its own on a
 * read-only connection of its own (WAL: it does not block the batch's
 * writes of findings, on the store's connection) one page ahead of the
 * caller.
 *
 * The reader also fills the tally of registration keys (quality_dups) as
 * it goes; it is the caller's to read once fscan_next() returned 0 (the
 * end), and is not touched by the caller before.
 *
 * Memory: two pages (PAGE packed records, their items and deliveries).
 * One caller thread; errors: 0 / -1 with err ("store", "no_memory").
 */
#ifndef LF_STORE_FINDINGS_SCAN_H
#define LF_STORE_FINDINGS_SCAN_H

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
};

struct fscan;

/* Starts reading the year's persons of villages [lo, hi) (numbers of 12
 * digits). */
int	fscan_start(struct store *s, int year, int64_t lo, int64_t hi,
	    struct quality_dups *dups, struct fscan **out,
	    struct lf_error *err);
/* The next page: 1 (*out valid until the next call), 0 at the end, -1
 * with err. */
int	fscan_next(struct fscan *f, struct fscan_page **out,
	    struct lf_error *err);
/* Decodes the survey of person k of pg into r (secret items unset: no
 * rule reads one). */
int	fscan_record(const struct fscan *f, const struct fscan_page *pg,
	    size_t k, struct record *r, struct lf_error *err);
/* Stops the reader (it may be mid-way) and frees it. */
void	fscan_stop(struct fscan *f);

#endif

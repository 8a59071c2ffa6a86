/*
 * findings_scan.h - the reader of the quality batch (findings_batch.c):
 * a year's persons in person-id order, a page at a time, with their
 * surveys (items that are not secret; no rule reads a secret one), plans,
 * items and deliveries, read by a thread of its own on a read-only
 * connection of its own (WAL: it does not block the batch's writes of
 * findings, on the store's connection) one page ahead of the caller.
 *
 * The reader also fills the tallies across persons as it goes: the
 * registration keys (quality_dups) and the surveyors (quality_surveyors);
 * they are the caller's to read once fscan_next() returned 0 (the end),
 * and are not touched by the caller before.
 *
 * Memory: two pages (PAGE records, their items and deliveries). One
 * caller thread; errors: 0 / -1 with err ("store", "no_memory").
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
	struct record		*rec[FSCAN_PAGE];
	struct fscan_person	 per[FSCAN_PAGE];
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
	    struct quality_dups *dups, struct quality_surveyors *svs,
	    struct fscan **out, struct lf_error *err);
/* The next page: 1 (*out valid until the next call), 0 at the end, -1
 * with err. */
int	fscan_next(struct fscan *f, struct fscan_page **out,
	    struct lf_error *err);
/* Stops the reader (it may be mid-way) and frees it. */
void	fscan_stop(struct fscan *f);

#endif

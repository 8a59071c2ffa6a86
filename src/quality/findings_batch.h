/*
 * findings_batch.h - every data-quality rule over a year's population
 * (`liangfu quality`), in one pass over persons, surveys, plans, items
 * and deliveries in person-id order (see findings_batch.c), then the
 * rules across persons (duplicate registrations, surveyors).
 *
 * The findings end as findings_person() would leave them for each person
 * (same sync, findings.h), and the global rules' findings of the region
 * are synced as a whole: running the batch twice changes nothing the
 * second time. A region (prefix of 2..12 digits, NULL or "" = all) limits
 * the persons; duplicates are then looked for among them only, and the
 * surveyor rule is left alone below township level.
 *
 * Writes go on the store's connection in transactions of some tens of
 * thousands of persons; a failure leaves the chunks done before it
 * (the next run completes them). 0, or -1 with err.
 */
#ifndef LF_QUALITY_FINDINGS_BATCH_H
#define LF_QUALITY_FINDINGS_BATCH_H

#include "quality/findings.h"

struct findings_batch_stats {
	int64_t			 persons;	/* surveys looked at */
	int64_t			 hits[QUALITY_MAX_RULES];	/* by rule */
	struct findings_counts	 c;		/* opened, closed */
};

/* progress (may be NULL) gets the persons done now and then. */
int	findings_batch(struct store *s, const struct quality_rules *qr,
	    const struct policies *ps, const struct disaster *dis, int year,
	    const char *region, const char *actor,
	    void (*progress)(void *arg, int64_t done), void *arg,
	    struct findings_batch_stats *st, struct lf_error *err);

#endif

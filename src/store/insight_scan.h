/*
 * insight_scan.h - the year's surveys of a region without their secret
 * items (no ID, phone or certificate number is opened, so nothing is
 * decrypted): what budgets (core/budget.h) and need-supply matching
 * (core/supply.h) read. One statement, persons in id order.
 *
 * fn gets each person (p->id_number is "") with r holding every
 * non-secret item; it returns 0 to go on, non-zero to stop (returned).
 * Errors: -1 with err. Threads: as for struct store.
 */
#ifndef LF_STORE_INSIGHT_SCAN_H
#define LF_STORE_INSIGHT_SCAN_H

#include <stdint.h>

#include "lib/error.h"
#include "core/record.h"
#include "core/region.h"
#include "store/store.h"

struct insight_person {
	int64_t		 id;
	char		 uid[STORE_UID_LEN + 1];
	char		 region[13];
	int		 status;
};

typedef int (*insight_scan_fn)(void *arg, const struct insight_person *p,
	    const struct record *r);
int	insight_scan(struct store *s, int year, const struct region *in,
	    insight_scan_fn fn, void *arg, struct lf_error *err);

/* Persons with a survey of year inside in (NULL = all). */
int	insight_count_surveys(struct store *s, int year,
	    const struct region *in, int64_t *n, struct lf_error *err);

#endif

/*
 * supply.h - need-supply matching, the rules: each county's distribution
 * list, the gaps, and issuing a device or place from the list. The data
 * files and the ranking arithmetic are core/supply.h's; the rows are
 * store/supply_rows.h's.
 *
 * Demand: persons 在册 with a survey of the year for whom the item's
 * demand expression holds and whose need is not yet closed. A need is
 * closed when the person has an item of the year of the supply item's
 * policy naming its need with at least one delivery; so issuing drops
 * the person from the list, and that issue counts against the stock.
 * remaining = stock - issued; gap = open demand - remaining, when
 * positive.
 *
 * supply_issue() in one transaction: the person's item of the year for
 * the policy and need (an existing accepted or proposed one, else a
 * manual item made by plan_item_add), then its delivery
 * (plan_delivery_add, so the plan must be confirmed: "state" otherwise),
 * after checking the person is in the county's open demand and stock
 * remains and the rules give the person a share of it ("state": 库存不足,
 * 尚未轮到). One audit entry ("supply.issue").
 *
 * Errors: 0 / -1 with err ("invalid", "not_found", "state", "store").
 */
#ifndef LF_SUPPLY_SUPPLY_H
#define LF_SUPPLY_SUPPLY_H

#include <stddef.h>
#include <stdint.h>

#include "core/supply.h"
#include "lib/error.h"
#include "store/plan.h"
#include "store/store.h"
#include "store/supply_rows.h"

/* The distribution list of one county and item: *out (caller frees with
 * mem_free) holds the open demand ranked by the rules, the first
 * `remaining` marked allocated. */
struct supply_list {
	struct supply_cand	*v;
	size_t			 n;
	int64_t			 stock, issued, remaining, gap;
};
int	supply_list_build(struct store *s, const struct supply *sp,
	    const struct supply_item *it, const char *county, int year,
	    int today, struct supply_list *out, struct lf_error *err);

/* Gaps of every county inside region and every item: fn gets each row
 * with any demand or stock, counties ascending. */
struct supply_gap {
	char			 county[7];
	const struct supply_item *item;
	int64_t			 demand, stock, issued, remaining, gap;
};
typedef int (*supply_gap_fn)(void *arg, const struct supply_gap *g);
int	supply_gaps(struct store *s, const struct supply *sp,
	    const struct region *in, int year, supply_gap_fn fn, void *arg,
	    struct lf_error *err);

int	supply_issue(struct store *s, const struct policies *ps,
	    const struct supply *sp, const struct supply_item *it,
	    int64_t person_id, int year, const char *date, int today,
	    const char *actor, struct plan_item *item_out,
	    struct plan_delivery *d_out, struct lf_error *err);

#endif

/*
 * supply_int.h - private to supply/: the sets of persons closed and
 * served that the distribution list and the gaps both read.
 */
#ifndef LF_SUPPLY_SUPPLY_INT_H
#define LF_SUPPLY_SUPPLY_INT_H

#include "supply/supply.h"

/* Person ids, ascending, each with their region (village code). */
struct supply_set {
	int64_t		*id;
	char		(*region)[13];
	size_t		 n, cap;
};

/* The persons with a delivered item of it's policy: of `year` naming
 * its need (earlier 0: the closed needs) or in a year before (earlier 1:
 * served). x starts zeroed; free with supply_set_free(), also on error. */
int	supply_set_load(struct store *s, const struct supply_item *it,
	    int year, int earlier, struct supply_set *x, struct lf_error *err);
int	supply_set_has(const struct supply_set *x, int64_t id);
void	supply_set_free(struct supply_set *x);

#endif

/*
 * persons.c - the sets of persons whose need of a supply item is closed
 * (a delivered item of the year) or who were served before (an earlier
 * year), by id, with their counties (supply_int.h).
 */
#include "supply/supply_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "lib/num.h"

void
supply_set_free(struct supply_set *x)
{
	mem_free(x->id);
	mem_free(x->region);
	memset(x, 0, sizeof(*x));
}

static int
set_add(struct supply_set *x, int64_t id, const char *region)
{
	int64_t *ni;
	char (*nc)[13];

	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 256;
		ni = mem_realloc(x->id, x->cap * sizeof(*ni));
		if (ni == NULL)
			return -1;
		x->id = ni;
		nc = mem_realloc(x->region, x->cap * sizeof(*nc));
		if (nc == NULL)
			return -1;
		x->region = nc;
	}
	x->id[x->n] = id;
	snprintf(x->region[x->n], 13, "%s", region ? region : "");
	x->n++;
	return 0;
}

int
supply_set_has(const struct supply_set *x, int64_t id)
{
	return x->n > 0 && bsearch(&id, x->id, x->n, sizeof(*x->id),
	    lf_cmp_i64) != NULL;
}

static int
set_row(void *arg, int64_t id, const char *region)
{
	return set_add(arg, id, region) != 0 ? -1 : 0;
}

int
supply_set_load(struct store *s, const struct supply_item *it, int year,
    int earlier, struct supply_set *x, struct lf_error *err)
{
	int rc;

	lf_error_clear(err);
	rc = supply_delivered(s, it->policy->code, it->need->code, year,
	    earlier, set_row, x, err);
	if (rc != 0 && err->code == NULL)
		lf_error_nomem(err);
	return rc;
}


/*
 * supply_rows.h - the narrow persistence interface under need-supply
 * matching (supply/): stock and capacity per county, item and year
 * (table supply_stock, every change kept in supply_stock_history with an
 * audit entry), and the plan rows the matching reads: who has a
 * delivered item of a policy, and a person's item for a policy and need.
 * Nothing here decides who needs what, who comes first or what an issue
 * writes: supply/ (with core/supply.h's rules) does, then calls these.
 * Implemented by store/supply_store.c over store/dbq.h, for either
 * backend (PostgreSQL's tables: store/pg/pg_recon.c).
 *
 * Errors: 0 / -1 with err ("store", "no_memory").
 */
#ifndef LF_STORE_SUPPLY_ROWS_H
#define LF_STORE_SUPPLY_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "core/supply.h"
#include "store/store.h"

int	supply_init(struct store *s, struct lf_error *err);
/* SQLite's DDL of the stock tables, from which PostgreSQL's are derived
 * (store/pg/pg_recon.c). Static text. */
const char	*supply_schema_sql(void);

/* Sets the quantities of rows[0..n) (all or nothing); history and one
 * audit entry (action "supply.stock") in the same transaction. */
int	supply_stock_put(struct store *s, const struct supply_stock *rows,
	    size_t n, const char *actor, struct lf_error *err);
/* The quantity (0 when never set). */
int	supply_stock_get(struct store *s, const char *county,
	    const char *item, int year, int64_t *qty, struct lf_error *err);
typedef int (*supply_stock_fn)(void *arg, const char *county,
	    const char *item, int64_t quantity);
/* Every stock row of year whose county lies inside `in`. */
int	supply_stock_rows(struct store *s, const struct region *in, int year,
	    supply_stock_fn fn, void *arg, struct lf_error *err);

typedef int (*supply_person_fn)(void *arg, int64_t person_id,
	    const char *region);
/* The persons (ascending, once each) with a delivered item of `policy`:
 * of `year` and naming the need `need` or, when earlier, accepted in a
 * year before (need not compared). fn's non-zero stops (returned when
 * negative). */
int	supply_delivered(struct store *s, const char *policy,
	    const char *need, int year, int earlier, supply_person_fn fn,
	    void *arg, struct lf_error *err);

/* The person's first item (by seq) of year for policy naming need, not
 * rejected: *id and *decision, or *id 0 when none. */
int	supply_item_of(struct store *s, const char *policy, const char *need,
	    int64_t person, int year, int64_t *id, int *decision,
	    struct lf_error *err);

#endif

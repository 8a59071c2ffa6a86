/*
 * supply.h - need-supply matching: the assistive devices and
 * capacity-limited services (data/supply_items.tsv), the rules of who gets
 * one first (data/distribution_rules.tsv), rows of stock, priorities and
 * the ranking of a county's distribution list. No I/O.
 *
 * supply_items.tsv: code name_zh name_en unit need policy demand. need is
 * a need item of the catalog (the one a plan item names), policy a code
 * of policies.tsv (the plan item an issue creates), demand an expression
 * (who needs one, over the year's survey).
 *
 * distribution_rules.tsv: term weight expression note. A person's
 * priority is the sum of the weights of the terms that hold: "expr" (the
 * expression holds on the survey), "waiting" (weight times the full
 * 30-day periods since the survey that reported the need), "served" (the
 * person received the same policy in an earlier year). The list is by
 * priority, highest first; ties by earlier survey, then person id.
 *
 * Stock rows (CSV import or the screen): county (a 6-digit county code),
 * item (a code or Chinese name of supply_items.tsv), year, quantity
 * (0..1000000). supply_stock_row() checks one; errors name the column.
 *
 * Errors: -1 with err (code "supply_file" for the data files, message
 * "file:line:column: why"; "invalid" for a stock row, err->column the
 * 1-based column, err->field its name).
 */
#ifndef LF_CORE_SUPPLY_H
#define LF_CORE_SUPPLY_H

#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "lib/error.h"
#include "core/expr.h"
#include "core/policy.h"
#include "core/record.h"
#include "core/region.h"

#define SUPPLY_QTY_MAX	1000000
#define SUPPLY_WEIGHT_MAX 1000

struct supply_item {
	char			 code[32];
	char			 name_zh[64], name_en[64], unit[16];
	const struct field	*need;
	const struct policy	*policy;
	struct expr		*demand;
};

enum supply_term { ST_EXPR, ST_WAITING, ST_SERVED };

struct supply_rule {
	enum supply_term	 term;
	int			 weight;
	struct expr		*e;		/* ST_EXPR */
	char			 text[200];
};

struct supply {
	struct supply_item	*items;
	size_t			 nitems;
	struct supply_rule	*rules;
	size_t			 nrules;
};

int	supply_parse(const char *items, size_t ilen, const char *rules,
	    size_t rlen, const struct catalog *cat, const struct policies *ps,
	    struct supply **out, struct lf_error *err);
/* The embedded data files. */
int	supply_load(const struct catalog *cat, const struct policies *ps,
	    struct supply **out, struct lf_error *err);
void	supply_free(struct supply *sp);
/* By code or Chinese name; NULL when unknown. */
const struct supply_item *supply_item_find(const struct supply *sp,
	    const char *name);

/* Priority of one person (see top); waiting_days >= 0. */
int64_t	supply_priority(const struct supply *sp, const struct record *r,
	    const struct expr_ctx *ctx, int waiting_days, int served);

struct supply_cand {
	int64_t		 person_id;
	char		 uid[33];
	char		 region[13];
	int64_t		 priority;
	int		 survey_days;	/* date of the survey */
	int		 served;
	int		 severe, age;
	int		 allocated;	/* within the stock, after ranking */
};
/* Sorts c by priority (see top) and marks the first `stock` allocated. */
void	supply_rank(struct supply_cand *c, size_t n, int64_t stock);

struct supply_stock {
	char			 county[7];
	const struct supply_item *item;
	int			 year;
	int64_t			 quantity;
};
/* One stock row (fields county, item, year, quantity at positions 0..3);
 * the county must be a county of rs. */
int	supply_stock_row(const struct supply *sp, const struct regions *rs,
	    const char *const *f, size_t n, struct supply_stock *out,
	    struct lf_error *err);

#endif

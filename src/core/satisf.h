/*
 * satisf.h - satisfaction (满意度) of the persons served: the three
 * ratings, what may be rated, and the satisfaction rate by region. Pure
 * functions; feedback/feedback.h records ratings, the store keeps them
 * (store/feedback_rows.h) and counts them into a struct satisf_table,
 * the report writers print it.
 *
 * Ratings: 1 满意 (satisfied), 2 基本满意 (basically satisfied), 3 不满意
 * (not satisfied). A person's service item may be rated once it was
 * delivered: accepted and in progress or done (a delivery was recorded,
 * or the worker marked it done). A year's plan may be rated once it is
 * confirmed or closed.
 *
 * Satisfaction rate = (满意 + 基本满意) ÷ rated, where "rated" counts each
 * rated item and each rated plan once, by its latest rating (a new rating
 * supersedes the earlier one, which is kept as history). In basis points;
 * with nothing rated there is no rate (-1). The target (9000, 90%) is data
 * beside the other KPI targets (io/report.c, column "satisfaction_bp").
 */
#ifndef LF_CORE_SATISF_H
#define LF_CORE_SATISF_H

#include <stddef.h>
#include <stdint.h>

enum satisf_rating {
	SATISF_SATISFIED = 1,	/* 满意 */
	SATISF_BASIC = 2,	/* 基本满意 */
	SATISF_UNSATISFIED = 3	/* 不满意 */
};

#define SATISF_NOTE_MAX	500	/* bytes of a rating's note */

/* The rating named by its code ("satisfied", "basic", "unsatisfied"),
 * its number ("1".."3") or its Chinese name; 0 when none. */
int	satisf_rating_parse(const char *s);
/* "satisfied" ... and "满意" ... ("" outside 1..3). */
const char *satisf_rating_code(int rating);
const char *satisf_rating_zh(int rating);

/* 1 when an item with this decision and status (store/plan.h enums:
 * decision 1 accepted; status 2 in progress, 3 done) may be rated. */
int	satisf_item_rateable(int decision, int status);
/* 1 when a plan with this status (2 confirmed, 3 closed) may be rated. */
int	satisf_plan_rateable(int status);

/* Latest ratings of one region. */
struct satisf_count {
	int64_t	 satisfied, basic, unsatisfied;
	int64_t	 items, plans;		/* rated items, rated plans */
};

/* Ratings counted so far. */
int64_t	satisf_rated(const struct satisf_count *c);
/* (satisfied + basic) * 10000 / rated, rounded half up; -1 when nothing
 * is rated. */
int64_t	satisf_rate_bp(const struct satisf_count *c);
/* Adds one latest rating (of an item when is_item, else of a plan). */
void	satisf_count_add(struct satisf_count *c, int rating, int is_item,
	    int64_t n);

/* A region's counts: row 0 is the region asked for, rows 1.. its
 * children one level down, in the region table's order. */
struct satisf_row {
	char			 code[13];
	const char		*name;		/* the region table's */
	struct satisf_count	 c;
};
struct satisf_table {
	int			 year;
	size_t			 n;
	struct satisf_row	*rows;		/* mem_alloc'd */
};

/* Frees t's rows (t itself is the caller's). NULL is a no-op. */
void	satisf_table_free(struct satisf_table *t);

#endif

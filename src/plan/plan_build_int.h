/*
 * plan_build_int.h - private to plan/plan_merge.c and plan_build_all.c:
 * the planner's proposals of many persons in one batch, and the merger
 * that applies the refresh rules of plan/plan.h to their plans.
 */
#ifndef LF_PLAN_PLAN_BUILD_INT_H
#define LF_PLAN_PLAN_BUILD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "plan/plan.h"
#include "plan/planner.h"
#include "store/plan_rows.h"

/* One proposal of the planner, kept apart from its result. */
struct build_prop {
	const struct policy	*pol;
	int			 needs[PLANNER_MAX_NEEDS];
	int			 nneeds;
	int			 month, monthly;
	int64_t			 funds;
};

/* One person's survey, planned. */
struct build_job {
	int64_t		 person_id;
	char		 region[13];
	int		 month;		/* for carried items */
	int64_t		 unmet;
	size_t		 prop0, nprop;	/* in the batch's props */
	size_t		 cand0, ncand;	/* in the batch's cands */
};

/* Jobs and what they point into; arrays only grow and are reused. */
struct build_batch {
	struct build_job	*jobs;
	size_t			 njobs, jobs_cap;
	struct build_prop	*props;
	size_t			 nprops, props_cap;
	struct plan_carry	*cands;
	size_t			 ncands, cands_cap;
};

void	build_batch_clear(struct build_batch *b);
void	build_batch_free(struct build_batch *b);
/* Runs the planner on person's survey r (village region) and appends
 * the job with its proposals: the one place a survey becomes proposals
 * for a plan. res is the caller's scratch. */
int	build_job_plan(struct build_batch *b, const struct policies *ps,
	    const struct disaster *dis, int64_t person_id, const char *region,
	    const struct record *r, int year, struct planner_result *res,
	    struct lf_error *err);
/* Appends an item to carry; the caller attributes it to a job. */
int	build_cand_add(struct build_batch *b, const struct plan_carry *c,
	    struct lf_error *err);

/* Merges jobs into plans on the store's connection, in the caller's
 * transaction. all: plan_build_all (a plan no longer a draft is skipped;
 * plan_build refuses it with "state"). */
struct build_merger;
struct build_merger *build_merger_new(struct store *s, int year,
	    const char *actor, int all, struct plan_build_stats *st);
void	build_merger_free(struct build_merger *m);
/* New items are written in groups of rows: build_merger_flush() writes
 * what is pending, and must run before the batch b changes and before
 * the transaction ends. */
int	build_merge(struct build_merger *m, const struct build_batch *b,
	    const struct build_job *j, struct lf_error *err);
int	build_merger_flush(struct build_merger *m, struct lf_error *err);
/*
 * Before merging the jobs of persons lo..hi (ids, both in) in a write
 * transaction: when none of them has a plan of the year yet, their plans
 * are made without a lookup each, with ids taken after the table's
 * largest and written like the items, many rows a statement, by
 * build_merger_flush(). The mode ends at that flush. 0, or -1 with err.
 */
int	build_merger_fresh(struct build_merger *m, int64_t lo, int64_t hi,
	    struct lf_error *err);

#endif

/*
 * planner.h - 一人一策 proposals: from one survey, the service items the
 * rules propose and the needs no policy can meet. Pure computation: no
 * I/O, no database; plan/plan_merge.c merges the result into a plan.
 *
 * A need is "yes" when the item is set and: bool true; multi with any code
 * other than its exclusive ("none") code; enum with a value other than
 * its exclusive code (care_service 4=不需要). Umbrella needs are those
 * whose code ends in "_need_any"; the group of a need is its code up to
 * the first '_' (rehab, aid, edu, emp, ss, house, access, care, cult,
 * legal).
 *
 * For each policy triggered by a yes need (policy_triggered_by), in
 * policy-table order: if its eligibility holds, it is proposed once
 * (items "one", naming every yes trigger need) or once per yes trigger
 * need (items "per_need"; the umbrella only when no other trigger need of
 * the policy is yes). The amount comes from policy_amount(); planned funds
 * are the rule's yearly figure (年度资金): the monthly rate (月标准) x 12
 * for per month, fen for per year and once, 0 when no amount row
 * applies.
 * The planned month is the month after ctx->ref_days (the survey date)
 * when that lies in ctx->year, else January; capped at December.
 *
 * A yes need is unmet when no proposal names it: either no policy is
 * triggered by it, or every policy it triggers was not eligible. An
 * umbrella need is also met when any proposal names a need of its group.
 *
 * Thread safety: a planner_result is one caller's; the policies are shared
 * read-only.
 */
#ifndef LF_CORE_PLANNER_H
#define LF_CORE_PLANNER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/error.h"
#include "core/expr.h"
#include "core/policy.h"
#include "core/record.h"

#define PLANNER_MAX_NEEDS	16	/* trigger needs on one item */

struct planner_item {
	const struct policy		*policy;
	int				 needs[PLANNER_MAX_NEEDS];
	size_t				 nneeds;
	const struct policy_amount	*amount;	/* NULL: none applies */
	int64_t				 funds_fen;	/* planned */
	int				 month;		/* planned, 1..12 */
	int				 monthly;	/* per month schedule */
	/* PLANNER_EXPLAIN only, else NULL; point into the result */
	const char			*why_zh, *why_en;
};

struct planner_unmet {
	int		 need;		/* catalog field index */
	/* PLANNER_EXPLAIN only, else NULL: "no policy for this need" or,
	 * per triggered policy, why it was not eligible */
	const char	*why_zh, *why_en;
};

struct planner_result {
	struct planner_item	*items;
	size_t			 nitems;
	struct planner_unmet	*unmet;
	size_t			 nunmet;
	/* private */
	size_t			 items_cap, unmet_cap;
	struct buf		 text;
	unsigned char		*marks;		/* per field, then per policy */
	size_t			 marks_cap;
	int			*yes;		/* the needs answered yes */
	size_t			 nyes, yes_cap;
	size_t			*offs;		/* PLANNER_EXPLAIN: text offsets,
						   2 per item, then per unmet */
	size_t			 offs_cap;
};

#define PLANNER_EXPLAIN	0x01	/* fill the why_ texts (slower) */

/* An empty result; reuse it across calls (planner_propose clears it). */
void	planner_result_init(struct planner_result *res);
void	planner_result_free(struct planner_result *res);

/* Proposes for survey r (village, year and survey date in ctx). -1 only
 * when memory runs out (code "no_memory"). */
int	planner_propose(const struct policies *ps, const struct record *r,
	    const struct expr_ctx *ctx, unsigned flags,
	    struct planner_result *res, struct lf_error *err);

/* Marks in want[0..nfields) every catalog field planner_propose() and
 * planner_ctx() read: the need items, the fields of the eligibility and
 * amount conditions, the survey date. A record holding only these gets
 * the same proposals as the whole record. */
void	planner_fields(const struct policies *ps, unsigned char *want);

/* The planned month (1..12) of a survey's items, by the rule on top
 * (1 when ctx is NULL): proposals and carried items alike. */
int	planner_month(const struct expr_ctx *ctx);
/* The evaluation context of a survey (in planner_ctx.c): ref_days is
 * the survey's fill_date, or 1 July of year when it has none; village the
 * 12-digit code (0 when not numeric). */
void	planner_ctx(const struct record *r, int year, const char *village,
	    const struct disaster *dis, struct expr_ctx *ctx);
/* The catalog field that gives ref_days (fill_date), or -1. */
int	planner_ref_field(const struct catalog *cat);

/* 1 when need field f of r is answered yes, as above. */
int	planner_need_yes(const struct catalog *cat, const struct record *r,
	    int f);

/* 1 when need field f is an umbrella ("<group>_need_any"). */
int	planner_need_is_umbrella(const struct field *f);

/* 1 when fields a and b are in the same group. */
int	planner_same_group(const struct field *a, const struct field *b);

#endif

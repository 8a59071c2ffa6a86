/*
 * plan.h - the 一人一策 rules over the plan tables of store/plan.h: the
 * refresh that merges the planner's proposals into a plan, a worker's
 * changes of an item and which of them a plan's state allows, manual
 * items, confirming and reopening plans, the department's answers and
 * deliveries. Each call checks everything before its first write and
 * writes through the narrow persistence interface store/plan_rows.h
 * (rows, history, transactions; no decision is taken there).
 *
 * Refresh (plan_build): from the year's survey the planner proposes items;
 * the build creates the plan when missing and merges:
 *   - a rule item of the same policy and the same first need that is
 *     neither edited nor decided is updated in place (needs, department,
 *     amount, month); one no longer proposed is deleted;
 *   - edited or decided items are left alone, whatever the proposal;
 *   - a proposal with no item yet is inserted as proposed;
 *   - last year's items that were accepted and ended not done, 部分落实 or
 *     未落实 (and not 不再需要) are carried in as origin carried (once:
 *     carried_from remembers the source; a proposal of the same policy and
 *     need then takes carried_from instead of making a second item).
 * Running the build twice changes nothing the second time.
 *
 * Errors: 0 on success, -1 with err (codes "not_found", "conflict",
 * "invalid" with err->field naming the bad item field, "state" when the
 * action does not fit the item's or plan's state, "store"). Threads: as
 * for struct store.
 */
#ifndef LF_PLAN_PLAN_H
#define LF_PLAN_PLAN_H

#include <stdint.h>

#include "core/disaster.h"
#include "core/policy.h"
#include "core/record.h"
#include "core/region.h"
#include "lib/error.h"
#include "plan/planner.h"
#include "store/plan.h"
#include "store/store.h"

/* ---- building (the batch and the API's "refresh") ---------------- */

struct plan_build_stats {
	int64_t		 persons;	/* surveys looked at */
	int64_t		 plans_created;
	int64_t		 inserted, updated, deleted, kept, carried;
	int64_t		 unmet;		/* yes needs with no proposal */
	int64_t		 skipped;	/* plans left alone: no longer a
					   draft (plan_build_all only) */
};

/*
 * Builds or refreshes the plan of one person and year from the survey r
 * (already read; the village is p->region) as described on top. ps and a
 * disaster table (may be NULL) give the rules. Joins the caller's
 * transaction, else makes its own. stats are added to (may be NULL).
 */
int	plan_build(struct store *s, const struct policies *ps,
	    const struct disaster *dis, const struct store_person *p,
	    const struct record *r, int year, const char *actor,
	    struct plan_build_stats *stats, struct lf_error *err);

/*
 * Builds every plan of `year` for persons whose village lies in `in`
 * (NULL = all), in one bulk transaction per chunk of persons; progress
 * (may be NULL) is called now and then with persons done and the total.
 */
int	plan_build_all(struct store *s, const struct policies *ps,
	    const struct disaster *dis, int year, const struct region *in,
	    const char *actor, void (*progress)(void *arg, int64_t done,
	    int64_t total), void *arg, struct plan_build_stats *stats,
	    struct lf_error *err);

/* ---- writing ------------------------------------------------------ */

/*
 * A change to an item: each field is applied only when its bit is set in
 * `set`. Checks: decision rejected needs decision_reason; dept a known
 * code; planned_month YYYY-MM within the item's year; actual_date a real
 * date; funds_planned 0..10^11 fen; effect 0..4; status 1..4, not done
 * needs status_reason; texts valid UTF-8 within PLAN_TEXT_MAX. Sets
 * edited. A confirmed or closed plan's items can still change status,
 * effect and actual date, not their decision.
 */
enum plan_item_bits {
	PI_DECISION = 1 << 0, PI_DEPT = 1 << 1, PI_ORG = 1 << 2,
	PI_CONTACT = 1 << 3, PI_MONTH = 1 << 4, PI_ACTUAL = 1 << 5,
	PI_FUNDS = 1 << 6, PI_MEASURES = 1 << 7, PI_EFFECT = 1 << 8,
	PI_STATUS = 1 << 9
};
struct plan_item_change {
	unsigned	 set;		/* plan_item_bits */
	int		 decision;
	const char	*decision_reason;
	const char	*dept, *org, *contact;
	const char	*planned_month, *actual_date;
	int64_t		 funds_planned;
	const char	*measures;
	int		 effect;
	const char	*effect_note;
	int		 status;
	const char	*status_reason;
};
int	plan_item_update(struct store *s, int64_t item_id,
	    const struct plan_item_change *c, int64_t expect_version,
	    const char *actor, struct plan_item *out, struct lf_error *err);

/*
 * Adds a manual item to the person's plan of year (made as a draft when
 * missing). policy may be "" (none) or a code of ps; needs a
 * comma-separated list of need codes (may be ""); c gives the five
 * elements (PI_DECISION ignored: a manual item is accepted); with no
 * department, given or from the policy, it goes to 残联 (cdpf). client_id
 * (may be NULL) makes the call idempotent: a second call with the same
 * client_id returns the first item and adds nothing.
 */
int	plan_item_add(struct store *s, const struct policies *ps,
	    int64_t person_id, int year, const char *policy,
	    const char *needs, const struct plan_item_change *c,
	    const char *client_id, const char *actor, struct plan_item *out,
	    struct lf_error *err);

/* Confirms a draft plan: every item must be decided (none proposed:
 * "state", naming how many are open). */
int	plan_confirm(struct store *s, int64_t plan_id, int64_t expect_version,
	    const char *actor, struct plan *out, struct lf_error *err);
/* Back to draft (an officer reopening a confirmed plan). */
int	plan_reopen(struct store *s, int64_t plan_id, int64_t expect_version,
	    const char *actor, struct plan *out, struct lf_error *err);

/* The department's answers. accept: pending -> accepted; return (needs a
 * reason): pending or accepted -> returned. A returned item stays in the
 * department's inbox (state returned) and may be routed anew by the
 * worker even in a confirmed plan (decision, responsible party, time,
 * funds, measures); accepting it again sends it back as pending. */
int	plan_item_dept_accept(struct store *s, int64_t item_id,
	    int64_t expect_version, const char *actor, struct plan_item *out,
	    struct lf_error *err);
int	plan_item_dept_return(struct store *s, int64_t item_id,
	    const char *reason, int64_t expect_version, const char *actor,
	    struct plan_item *out, struct lf_error *err);

/*
 * Records a delivery on an accepted item of a confirmed plan: date within
 * the item's year and not in the future, amount >= 0 fen, note. Adds the
 * amount to funds_spent, sets actual_date (first delivery), status in
 * progress, or done when the item is not monthly or when its deliveries
 * cover every planned month; the department state becomes accepted.
 * client_id (may be NULL) makes it idempotent as for plan_item_add. A
 * monthly item takes at most one delivery per month ("invalid", field
 * "date").
 */
int	plan_delivery_add(struct store *s, int64_t item_id, const char *date,
	    int64_t amount, const char *note, const char *client_id,
	    const char *actor, struct plan_delivery *out,
	    struct plan_item *item_out, struct lf_error *err);

/* ---- overdue ------------------------------------------------------- */

/*
 * An item is overdue (the KPI `overdue`, the plans list's and the
 * villages' counts) when it is accepted, in a confirmed or closed plan
 * (never in a draft), neither done nor closed as not done, and its
 * planned month lies before the month of today (China time) in its year;
 * once the year is past, every such item of the year is overdue, and
 * none is before the year begins. plan_overdue_before() gives that
 * cut-off month for an item year: 1..12, or 13 once the year is past (1
 * before it begins). The SQL form of the rule is store/plan_int.h's
 * PLAN_OVERDUE_SQL (its ?1 is this month); the statistics engine
 * (stats/stats_table.c) counts by this function too.
 */
int	plan_overdue_before(int year, int today_year, int today_month);

#endif

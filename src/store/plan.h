/*
 * plan.h - 一人一策: yearly plans, their service items with the five
 * elements, and delivery records, kept in the store's database (tables
 * plans, items, deliveries; created on open like users and audit).
 *
 * A plan belongs to one person and one year (unique). Its status is
 * draft, then confirmed (by a township, county or higher officer), then
 * closed at year end. Each item of a plan carries:
 *   - where it came from: origin rule (proposed by a policy), manual
 *     (added by a worker) or carried (an unmet item of last year);
 *   - the worker's decision: proposed, accepted or rejected (a rejection
 *     needs a reason);
 *   - the five elements: responsible party (department code, unit,
 *     contact), time (planned month YYYY-MM, actual date), funds (planned
 *     and spent, fen; spent is the sum of the item's deliveries and is
 *     never written directly), measures (text), effect (1 已落实, 2 部分落实,
 *     3 未落实, 4 不再需要; note);
 *   - a status: planned, in progress, done, not done (with reason);
 *   - the department's answer: pending, accepted or returned (reason).
 * An item is "edited" once a person changed it (decision, any of the five
 * elements, status): the batch then never changes it again.
 *
 * The rules that decide what is written (the refresh merge, which
 * changes are allowed in which state, the department's answers,
 * deliveries) are plan/plan.h's; this header is the tables and their
 * reads.
 *
 * Every change of an item or plan is written to the store's history
 * (entity "plan" or "item", with who, when, old -> new) in the same
 * transaction; every write checks the version the writer saw (0 = no
 * check) and fails with "conflict" on a stale one, writing nothing.
 *
 * Errors: 0 on success, -1 with err (codes "not_found", "conflict",
 * "invalid" with err->field naming the bad item field, "state" when the
 * action does not fit the item's or plan's state, "store"); lookups
 * return 1 for "not found". Threads: as for struct store.
 */
#ifndef LF_STORE_PLAN_H
#define LF_STORE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "core/policy.h"
#include "store/store.h"

enum plan_status { PLAN_DRAFT = 1, PLAN_CONFIRMED = 2, PLAN_CLOSED = 3 };
enum item_origin { ORIGIN_RULE = 1, ORIGIN_MANUAL = 2, ORIGIN_CARRIED = 3 };
enum item_decision { DECISION_PROPOSED = 0, DECISION_ACCEPTED = 1,
	DECISION_REJECTED = 2 };
enum item_status { ITEM_PLANNED = 1, ITEM_IN_PROGRESS = 2, ITEM_DONE = 3,
	ITEM_NOT_DONE = 4 };
enum item_effect { EFFECT_NONE = 0, EFFECT_DONE = 1, EFFECT_PARTIAL = 2,
	EFFECT_NOT_DONE = 3, EFFECT_NOT_NEEDED = 4 };
enum item_dept_state { DEPT_PENDING = 0, DEPT_ACCEPTED = 1,
	DEPT_RETURNED = 2 };

#define PLAN_TEXT_MAX	2000	/* bytes of measures, notes, reasons */
#define PLAN_NEEDS_MAX	400	/* bytes of the comma-separated needs */

struct plan {
	int64_t		 id;
	int64_t		 person_id;
	int		 year;
	int		 status;		/* enum plan_status */
	int64_t		 version;
	char		 created_at[21], created_by[64];
	char		 updated_at[21], updated_by[64];
	char		 confirmed_at[21], confirmed_by[64];	/* "" */
};

struct plan_item {
	int64_t		 id;
	int64_t		 plan_id;
	int64_t		 person_id;
	int		 year;
	char		 region[13];		/* the person's village */
	int		 seq;			/* order within the plan */
	char		 policy[32];		/* code, "" for none */
	char		 needs[PLAN_NEEDS_MAX];	/* need codes, "a,b" */
	int		 origin;		/* enum item_origin */
	int		 decision;		/* enum item_decision */
	char		 decision_reason[PLAN_TEXT_MAX];
	/* the five elements */
	char		 dept[16];		/* core/dept.h code */
	char		 org[200];		/* responsible unit */
	char		 contact[100];
	char		 planned_month[8];	/* YYYY-MM */
	char		 actual_date[11];	/* YYYY-MM-DD or "" */
	int64_t		 funds_planned;		/* fen */
	int64_t		 funds_spent;		/* fen, sum of deliveries */
	int		 monthly;		/* monthly schedule */
	char		 measures[PLAN_TEXT_MAX];
	int		 effect;		/* enum item_effect */
	char		 effect_note[PLAN_TEXT_MAX];
	int		 status;		/* enum item_status */
	char		 status_reason[PLAN_TEXT_MAX];
	int		 dept_state;		/* enum item_dept_state */
	char		 dept_reason[PLAN_TEXT_MAX];
	int		 edited;
	int64_t		 carried_from;		/* item id, 0 = none */
	char		 client_id[40];		/* "" or the client's */
	int64_t		 version;
	char		 updated_at[21], updated_by[64];
};

struct plan_delivery {
	int64_t		 id;
	int64_t		 item_id;
	char		 date[11];		/* YYYY-MM-DD */
	int64_t		 amount;		/* fen, >= 0 */
	char		 note[PLAN_TEXT_MAX];
	char		 client_id[40];
	char		 created_at[21], created_by[64];
};

/* Creates the tables and indexes when missing; on every open. */
int	plan_init(struct store *s, struct lf_error *err);

/* ---- reading ------------------------------------------------------ */

/* The plan of person and year. 0 found, 1 none. */
int	plan_get(struct store *s, int64_t person_id, int year,
	    struct plan *out, struct lf_error *err);
/* The years the person has plans for, ascending. */
int	plan_years(struct store *s, int64_t person_id, int *years,
	    size_t max, size_t *n, struct lf_error *err);

typedef int (*plan_item_fn)(void *arg, const struct plan_item *it);
typedef int (*plan_delivery_fn)(void *arg, const struct plan_delivery *d);

/* Calls fn for each item of the plan, by seq. fn returns non-zero to
 * stop (returned). */
int	plan_items(struct store *s, int64_t plan_id, plan_item_fn fn,
	    void *arg, struct lf_error *err);
/* An item's id as it appears in URLs and JSON: an opaque reference
 * (crypto/ref.h, domain "item"; 32 letters a-p). 0, or -1 with err. */
#define PLAN_REF_LEN	32
int	plan_item_ref(struct store *s, int64_t item_id,
	    char out[PLAN_REF_LEN + 1], struct lf_error *err);
/* The item id of reference ref: 0, or 1 when ref is not an item's. */
int	plan_item_unref(struct store *s, const char *ref, int64_t *item_id);
/* One item. 0 found, 1 none. */
int	plan_item_get(struct store *s, int64_t item_id, struct plan_item *out,
	    struct lf_error *err);
/* The deliveries of an item, by date. */
int	plan_deliveries(struct store *s, int64_t item_id,
	    plan_delivery_fn fn, void *arg, struct lf_error *err);

/* What plan_person_each() hands over, in order: a plan, then its items,
 * each followed by its deliveries. Each function returns non-zero to
 * stop (that value is returned). */
struct plan_person_fns {
	int	(*plan)(void *arg, const struct plan *p);
	int	(*item)(void *arg, const struct plan_item *it);
	int	(*delivery)(void *arg, const struct plan_delivery *d);
};
/* Every plan of the person, by year, each with its items by seq and each
 * item with its deliveries by date then id: the person page's plans, in
 * one statement kept by the connection (plans by (person_id, year),
 * items by items_person, deliveries by deliveries_item; no sort). The
 * functions run while the statement is being stepped: they may make item
 * references (plan_item_ref()) but must run no other SQL on s. */
int	plan_person_each(struct store *s, int64_t person_id,
	    const struct plan_person_fns *fns, void *arg,
	    struct lf_error *err);
struct plan_inbox_query {
	const char	*dept;		/* department code, required */
	const char	*region;	/* region code prefix, required */
	int		 year;
	int		 dept_state;	/* -1 = any */
	int64_t		 after;		/* item id, for paging */
	int		 limit;		/* 1..1000 */
};
/* Items of confirmed plans, decided accepted, of the department, whose
 * village starts with region, by id after `after`. *last = last id. */
int	plan_inbox(struct store *s, const struct plan_inbox_query *q,
	    plan_item_fn fn, void *arg, int64_t *last, struct lf_error *err);

/* One plan of a region with the counts of its items (rejected ones left
 * out): for "my work" lists (drafts to finish, overdue items). */
struct plan_summary {
	int64_t		 plan_id, person_id;
	int		 status;		/* enum plan_status */
	int		 items, open, done;	/* open: still proposed */
	int		 overdue;	/* in a confirmed or closed plan
					   (never in a draft): accepted,
					   neither done nor not done with
					   reason, planned month before
					   overdue_before */
	int64_t		 planned, spent;	/* fen */
};
typedef int (*plan_summary_fn)(void *arg, const struct plan_summary *ps);
struct plan_list_query {
	const char	*region;	/* region code prefix, required */
	int		 year;
	int		 status;	/* -1 any, else enum plan_status */
	int		 overdue_before;	/* month 1..13 (13: the whole
						   year is past) */
	int64_t		 after;		/* plan id, for paging */
	int		 limit;		/* 1..1000 */
};
/* Plans of year whose village starts with region, by id after `after`;
 * *last = the last plan id given. fn returns non-zero to stop (that
 * value is returned when it is negative, else 0). */
int	plan_list(struct store *s, const struct plan_list_query *q,
	    plan_summary_fn fn, void *arg, int64_t *last,
	    struct lf_error *err);

/* One village's plans of a year, for the home of a township and above
 * (issue 14): drafts to finish and persons with overdue items. */
struct plan_village {
	int64_t		 village;	/* 12-digit code */
	int		 plans;		/* every plan of the village */
	int		 drafts;	/* plans with status draft */
	int		 overdue;	/* persons with an overdue item: the
					   plans whose plan_summary.overdue
					   is above 0 */
};
typedef int (*plan_village_fn)(void *arg, const struct plan_village *v);
struct plan_villages_query {
	const char	*region;	/* region code prefix, required */
	int		 year;
	int		 overdue_before;	/* as in plan_list_query */
	int		 limit;		/* 1..1000 */
};
/* The villages of region with a draft or a person with overdue items in
 * year, most to do first (drafts + overdue, then code), at most limit of
 * them; *total = how many such villages there are in all. One GROUP BY
 * over plans_region, items found by items_person. fn returns non-zero to
 * stop (that value is returned when it is negative, else 0). */
int	plan_villages(struct store *s, const struct plan_villages_query *q,
	    plan_village_fn fn, void *arg, int64_t *total,
	    struct lf_error *err);

/* Every item of year whose village starts with region (NULL = all), by
 * person then seq: for export. */
int	plan_scan_items(struct store *s, int year, const char *region,
	    plan_item_fn fn, void *arg, struct lf_error *err);

/* Item labels for exports and the UI: "已落实" ... ("" for 0). */
const char *plan_effect_zh(int effect);
const char *plan_status_zh(int status);
const char *plan_origin_zh(int origin);
const char *plan_decision_zh(int decision);
/* The same in English: "delivered" ... ("" for 0). */
const char *plan_effect_en(int effect);
const char *plan_status_en(int status);
const char *plan_origin_en(int origin);
const char *plan_decision_en(int decision);

#endif

/*
 * plan_int.h - private to store/plan*.c: the plan tables' rows, cached
 * statements, transactions, the clock and the checks that plan.c,
 * plan_item.c and plan_build.c share.
 *
 * Rows are compact (a province holds some 32.5 million items a year):
 * times are Unix seconds, the planned month an integer 1..12 (the year is
 * the item's), the village an integer, and every empty text is NULL. The
 * structs of plan.h carry the readable forms; plan_item_from_row() and
 * plan_item_bind() convert.
 */
#ifndef LF_STORE_PLAN_INT_H
#define LF_STORE_PLAN_INT_H

#include <stdint.h>

#include "lib/mem.h"
#include "store/plan.h"
#include "store/store_int.h"

#define PLAN_FUNDS_MAX	100000000000LL	/* fen: 10^9 yuan */
#define PLAN_YEAR_MIN	1990
#define PLAN_YEAR_MAX	2999

/* Statements prepared once per connection, on first use; they live in
 * the store's ST_PLAN_BASE slots and are finalized by store_close(). A
 * caller resets a statement after use and never holds one across a
 * callback. */
enum plan_stmt {
	PS_PLAN_GET,		/* plan of person, year */
	PS_PLAN_BY_ID,
	PS_PLAN_YEARS,
	PS_PLAN_INS,		/* new draft; nothing when one exists */
	PS_PLAN_UPD,		/* status change, version checked */
	PS_ITEM_GET,
	PS_ITEMS_OF_PLAN,
	PS_ITEM_INS,
	PS_ITEM_UPD,		/* whole row, version checked */
	PS_ITEM_DEL,
	PS_ITEM_BY_CLIENT,
	PS_ITEM_MAXSEQ,
	PS_ITEM_OPEN,		/* proposed items of a plan */
	PS_PERSON_REGION,
	PS_DLV_INS,
	PS_DLV_BY_CLIENT,
	PS_DLV_IN_MONTH,	/* a delivery of the item in a month */
	PS_DLV_MONTHS,		/* months delivered from a month on */
	PS_CARRY,		/* a person's items to carry from a year */
	PS_ITEMS_LIGHT,		/* what a merge compares, of a plan */
	PS_PLAN_FRESH,		/* any plan of persons lo..hi in a year */
	PS_N
};

sqlite3_stmt	*plan_stmt(struct store *s, enum plan_stmt id,
		    struct lf_error *err);

/* The items of plan ?1: a plan is one person's year, and the index
 * items_person (year, person_id, seq) finds its items in order. */
#define PLAN_ITEMS_OF	"year = (SELECT year FROM plans WHERE id = ?1) AND " \
	"person_id = (SELECT person_id FROM plans WHERE id = ?1)"

/* An overdue item (docs/api.md, KPI `overdue`; the plans list's count):
 * item i of plan p accepted in a confirmed or closed plan, neither done
 * (3) nor closed as not done (4), planned before month ?1 (13 once the
 * year is past). The one SQL form of the rule: every query that counts
 * overdue items uses it. */
#define PLAN_OVERDUE_SQL	"p.status != 1 AND i.decision = 1 AND " \
	"i.status NOT IN (3, 4) AND i.month < ?1"

/* ---- rows ---------------------------------------------------------- */

/* Appends the item columns in row order, comma-separated: the select
 * list that plan_item_from_row() reads. 0, or -1 when b is full. */
int	plan_item_cols(struct buf *b);
/* Fills it from the row of st whose first item column is col. */
void	plan_item_from_row(sqlite3_stmt *st, int col, struct plan_item *it);
/* Binds every column of it but id from parameter idx on, in row order
 * (plan_id ... updated_by); texts are bound static, so it must outlive
 * the step. Returns the next parameter index. */
int	plan_item_bind(sqlite3_stmt *st, int idx, const struct plan_item *it);

#define PLAN_COLS	"id, person_id, year, status, version, created_at, " \
	"created_by, updated_at, updated_by, confirmed_at, confirmed_by"
void	plan_from_row(sqlite3_stmt *st, int col, struct plan *p);

/* 0 found, 1 not found, -1 error. */
int	plan_item_load(struct store *s, int64_t id, struct plan_item *it,
	    struct lf_error *err);
int	plan_load(struct store *s, int64_t id, struct plan *p,
	    struct lf_error *err);

/* The delivery with this client id: 0 found, 1 none, -1 error. */
int	plan_delivery_by_client(struct store *s, const char *client_id,
	    struct plan_delivery *out, struct lf_error *err);

/*
 * Writes new over old (same id) when they differ: history (entity
 * "item", the fields that changed, old -> new) and the row with version
 * old->version + 1, updated now by actor; new's version and updated_* are
 * set. Fails with "conflict" when the stored version is no longer old's.
 * *changed (may be NULL) says whether anything was written.
 */
struct plan_clock;
int	plan_item_save(struct store *s, const struct plan_item *old,
	    struct plan_item *new, const char *actor,
	    const struct plan_clock *now, int *changed, struct lf_error *err);
/* Deletes it, writing its fields (old -> null) to history. */
int	plan_item_delete(struct store *s, const struct plan_item *it,
	    const char *actor, const struct plan_clock *now,
	    struct lf_error *err);
/* Inserts it (id and version are set). */
int	plan_item_insert(struct store *s, struct plan_item *it,
	    struct lf_error *err);

/*
 * The plan of person and year, made as a draft (in the village region)
 * when there is none; *created says which. Joins the caller's
 * transaction.
 */
int	plan_open(struct store *s, int64_t person_id, int year,
	    const char *region, const char *actor,
	    const struct plan_clock *now, struct plan *p, int *created,
	    struct lf_error *err);

/* ---- building (plan_build.c, plan_build_all.c) --------------------- */

/* Last year's items that are carried: accepted, and ended not done,
 * partly done or not done (not "no longer needed"). The index
 * items_carry holds only these rows. */
#define PLAN_CARRY_WHERE	"decision = 1 AND effect <> 4 AND (status = " \
	"4 OR effect IN (2, 3))"
#define PLAN_CAND_COLS	"id, person_id, policy, needs, dept, org, contact, " \
	"measures, funds_planned, funds_spent, monthly"

/* One proposal of the planner, kept apart from its result. */
struct build_prop {
	const struct policy	*pol;
	int			 needs[PLANNER_MAX_NEEDS];
	int			 nneeds;
	int			 month, monthly;
	int64_t			 funds;
};

/* One of last year's items to carry. */
struct build_cand {
	int64_t		 id, person_id;
	int64_t		 funds;		/* planned less spent, >= 0 */
	int		 monthly;
	char		 policy[32], needs[PLAN_NEEDS_MAX], dept[16];
	char		 org[200], contact[100], measures[PLAN_TEXT_MAX];
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
	struct build_cand	*cands;
	size_t			 ncands, cands_cap;
};

void	build_batch_clear(struct build_batch *b);
void	build_batch_free(struct build_batch *b);
/* Appends the job of person from the planner's result. */
int	build_job_add(struct build_batch *b, int64_t person_id,
	    const char *region, const struct expr_ctx *ctx,
	    const struct planner_result *res, struct lf_error *err);
/* Appends a candidate read from a PLAN_CAND_COLS row; the caller
 * attributes it to a job. */
int	build_cand_add(struct build_batch *b, sqlite3_stmt *st,
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

/* ---- time ---------------------------------------------------------- */

struct plan_clock {
	int64_t		 t;		/* Unix seconds */
	char		 iso[21];	/* "2026-11-29T04:22:07Z" */
	int		 today;		/* days since 1970-01-01, UTC */
	int		 year, month;	/* of today */
};
void	plan_clock_now(struct plan_clock *c);
/* "YYYY-MM-DDTHH:MM:SSZ" of t, or "" for 0. */
void	plan_time_iso(int64_t t, char out[21]);
/* "YYYY-MM" of year and month 1..12, "" for any other month. */
void	plan_month_text(int year, int month, char out[8]);
/* The month (1..12) of "YYYY-MM", 0 for anything else. */
int	plan_month_of(const char *ym);

/* ---- transactions -------------------------------------------------- */

/*
 * A write joins the caller's transaction in a savepoint, skips the
 * savepoint in bulk mode, or makes its own (BEGIN IMMEDIATE, so that it
 * never has to upgrade a read lock). plan_tx_end() commits or releases
 * when rc is 0, else rolls back (bulk mode: leaves that to the caller),
 * and returns rc, or -1 when committing fails.
 */
enum plan_tx { PLAN_TX_NONE, PLAN_TX_OWN, PLAN_TX_SAVEPOINT };
int	plan_tx_begin(struct store *s, enum plan_tx *tx, struct lf_error *err);
int	plan_tx_end(struct store *s, enum plan_tx tx, int rc,
	    struct lf_error *err);

/* ---- checks -------------------------------------------------------- */

/*
 * Copies text v (NULL = "") into dst after checking it: valid UTF-8,
 * shorter than size bytes, no control characters but tab and line
 * breaks, not empty when required. On error "invalid" naming field; zh
 * is the field's Chinese name for the message.
 */
int	plan_text_set(char *dst, size_t size, const char *v, const char *field,
	    const char *zh, int required, struct lf_error *err);
/* Checks a client id: 1..39 printable ASCII characters. */
int	plan_client_id_check(const char *id, struct lf_error *err);
/* [lo, hi) of the 12-digit village codes that start with prefix (2..12
 * digits); -1 with "invalid" (field "region") otherwise. */
int	plan_region_bounds(const char *prefix, int64_t *lo, int64_t *hi,
	    struct lf_error *err);
/* The village code as a number (0 when it is not 1..12 digits). */
int64_t	plan_region_num(const char *region);

/* Fails with "conflict" when expect is set and is not the version. */
int	plan_version_check(int64_t expect, int64_t version, const char *what,
	    struct lf_error *err);
int	plan_not_found(const char *what, int64_t id, struct lf_error *err);

#endif

/*
 * plan_rows.h - the narrow persistence interface under the plan rules
 * (plan/): read, insert, update and delete plan, item and delivery rows,
 * with their history, in transactions. Nothing here decides what may
 * change: plan/ checks, then calls these. Implemented by store/plan.c,
 * plan_write.c and plan_rows.c.
 *
 * Errors: 0, or -1 with err ("store", "no_memory", "conflict" for a
 * stale version, "not_found"); lookups return 1 for "not found".
 * Threads: as for struct store.
 */
#ifndef LF_STORE_PLAN_ROWS_H
#define LF_STORE_PLAN_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/record.h"
#include "core/region.h"
#include "lib/error.h"
#include "store/plan.h"
#include "store/store.h"

#define PLAN_FUNDS_MAX	100000000000LL	/* fen: 10^9 yuan */
#define PLAN_YEAR_MIN	1990
#define PLAN_YEAR_MAX	2999

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

/* ---- single rows (plan_write.c) ------------------------------------ */

/* The item written under client_id (any person's): 0 found, 1 none. */
int	plan_item_by_client(struct store *s, const char *client_id,
	    struct plan_item *out, struct lf_error *err);
/* The person's village: 0, or -1 ("not_found" when there is none). */
int	plan_person_region(struct store *s, int64_t person_id,
	    char region[13], struct lf_error *err);
/* The seq after the plan's last item. */
int	plan_item_next_seq(struct store *s, int64_t plan_id, int *seq,
	    struct lf_error *err);
/* How many items of the plan are still proposed. */
int	plan_open_items(struct store *s, int64_t plan_id, int64_t *n,
	    struct lf_error *err);
/* Writes status `to` over p (history entity "plan", the version
 * checked: "conflict" when it is stale) and updates p: status, version,
 * updated_*, confirmed_* (set when to is PLAN_CONFIRMED, else cleared). */
int	plan_status_write(struct store *s, struct plan *p, int to,
	    const char *actor, const struct plan_clock *now,
	    struct lf_error *err);
/* *taken = 1 when the item has a delivery in the month of date
 * (YYYY-MM...). */
int	plan_delivery_month_taken(struct store *s, int64_t item_id,
	    const char *date, int *taken, struct lf_error *err);
/* The distinct months of the item's deliveries from its planned month
 * on. */
int	plan_delivery_months(struct store *s, const struct plan_item *it,
	    int *n, struct lf_error *err);
/* Inserts d (its item_id, date, amount, note, client_id), created now by
 * actor; sets d's id and created_*. village: the item's (PostgreSQL keys
 * the row by its county). */
int	plan_delivery_insert(struct store *s, struct plan_delivery *d,
	    const char *village, const char *actor,
	    const struct plan_clock *now, struct lf_error *err);

/* ---- rows of the bulk build (plan_rows.c) -------------------------- */

/* One of last year's items to carry (store/plan_int.h's
 * PLAN_CARRY_WHERE selects them). */
struct plan_carry {
	int64_t		 id, person_id;
	int64_t		 funds;		/* planned less spent, >= 0 */
	int		 monthly;
	char		 policy[32], needs[PLAN_NEEDS_MAX], dept[16];
	char		 org[200], contact[100], measures[PLAN_TEXT_MAX];
};
typedef int (*plan_carry_fn)(void *arg, const struct plan_carry *c);
/* Calls fn for the person's items to carry of year, by seq. */
int	plan_carry_of(struct store *s, int year, int64_t person_id,
	    plan_carry_fn fn, void *arg, struct lf_error *err);

/* What a merge compares of an existing item. */
struct plan_light {
	int64_t		 id, carried_from, funds;
	int		 seq, origin, decision, edited, month, monthly;
	char		 policy[32], needs[PLAN_NEEDS_MAX], dept[16];
};
typedef int (*plan_light_fn)(void *arg, const struct plan_light *o);
/* Calls fn for every item of the person's plan of year. */
int	plan_items_light(struct store *s, int year, int64_t person_id,
	    plan_light_fn fn, void *arg, struct lf_error *err);

/*
 * A writer of many new plans and items, many rows a statement (prepared
 * once, kept by the writer), on the store's connection in the caller's
 * transaction. Rows wait until plan_writer_flush() (or a full group):
 * the texts a row points to must live until then, and every row must be
 * flushed before the transaction ends.
 */
struct plan_row {
	int64_t		 plan_id, person_id, region, funds, cf;
	int		 seq, origin, month, monthly;
	const char	*policy, *dept, *org, *contact, *measures, *effect_note;
	char		 needs[PLAN_NEEDS_MAX];
};
struct plan_writer;
struct plan_writer *plan_writer_new(struct store *s, int year,
	    const char *actor, const struct plan_clock *now);
void	plan_writer_free(struct plan_writer *w);
/* Queues a new item (copied; its texts are not). The ids of its
 * interned texts (store/plan_int.h) are found now: kept by the writer,
 * or looked up, a new text put in texts, in the caller's transaction. */
int	plan_writer_item(struct plan_writer *w, const struct plan_row *r,
	    struct lf_error *err);
/* Queues a new draft plan of id (ids the caller takes after
 * plan_writer_fresh()'s *last_id). A full group of items may be written
 * before the plans it refers to: only with foreign keys off
 * (plan_bulk_begin()). */
int	plan_writer_plan(struct plan_writer *w, int64_t id, int64_t person_id,
	    int64_t region, struct lf_error *err);
/* Writes what waits: plans first. */
int	plan_writer_flush(struct plan_writer *w, struct lf_error *err);
/* *none = 1 when no person of ids lo..hi (both in) has a plan of the
 * writer's year; *last_id = the largest plan id of the table. */
int	plan_writer_fresh(struct plan_writer *w, int64_t lo, int64_t hi,
	    int *none, int64_t *last_id, struct lf_error *err);

/* ---- the bulk build's scan and transactions (plan_scan.c) ---------- */

/*
 * The surveys of a year, persons in id order, on a read-only connection
 * of their own (so that another thread may read while the store's
 * connection writes); only items that are not secret are decoded.
 */
struct plan_scan;
/* in: only persons whose village lies in it (NULL = all). */
int	plan_scan_open(struct store *s, int year, const struct region *in,
	    struct plan_scan **out, struct lf_error *err);
void	plan_scan_close(struct plan_scan *sc);
/* Persons with a survey of the year, in scope. */
int	plan_scan_count(struct plan_scan *sc, int64_t *n,
	    struct lf_error *err);
/* 1 when any item of the year before is to be carried. */
int	plan_scan_any_carry(const struct plan_scan *sc);
typedef int (*plan_survey_fn)(void *arg, int64_t person_id,
	    const char *region, const struct record *r);
/* Calls fn for up to limit persons after person id `after`; *n = how
 * many, *last = the last person's id. */
int	plan_scan_page(struct plan_scan *sc, int64_t after, int limit,
	    plan_survey_fn fn, void *arg, int *n, int64_t *last,
	    struct lf_error *err);
/* Calls fn for the items to carry from the year before of persons in
 * (from, to], by person then seq. */
int	plan_scan_carry(struct plan_scan *sc, int64_t from, int64_t to,
	    plan_carry_fn fn, void *arg, struct lf_error *err);

/*
 * A bulk write on the store's connection: foreign keys off (every row
 * the build writes refers to a plan it has just read or made), the
 * synchronous level at most NORMAL and a checkpointer running, one
 * transaction with no savepoint per write. plan_bulk_chunk() commits and
 * begins the next; plan_bulk_end() commits when rc is 0 (else rolls
 * back), restores the settings and, when the store ran FULL, fsyncs the
 * log so that every commit is durable on return. Returns rc, or -1 when
 * ending fails.
 */
struct plan_bulk;
int	plan_bulk_begin(struct store *s, struct plan_bulk **out,
	    struct lf_error *err);
int	plan_bulk_chunk(struct plan_bulk *b, struct lf_error *err);
int	plan_bulk_end(struct plan_bulk *b, int rc, struct lf_error *err);

#endif

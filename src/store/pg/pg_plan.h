/*
 * pg_plan.h - private to store/: plan_rows.h's verbs of the bulk plan
 * build on PostgreSQL (issue 18). plan_scan.c, plan_rows.c and plan.c
 * dispatch to these at the top of each verb when the store is a
 * PostgreSQL one; the rules stay in plan/.
 *
 * pg_plan.c: the scan of a year's surveys (on a connection of its own,
 * so that the build's reader thread reads while the store's connection
 * writes), last year's items to carry, the bulk transactions (one
 * advisory lock serialises plan builds: plan ids are taken after the
 * largest), a person's plan made or found, a plan's items as a merge
 * compares them. pg_plan_write.c: new plans and items as binary COPY.
 *
 * pg_plan_item.c: an item read whole, updated and deleted by id, each
 * change with its history row, as a refresh of a changed survey needs
 * (plan_item_load/save/delete); the change rules and the history's
 * change set stay in store/plan.c and plan/.
 *
 * The single reads and writes of plans, items and deliveries (store/
 * plan_write.c, plan_read.c, plan_villages.c) are written once over
 * store/dbq.h and need nothing here.
 *
 * Errors: as plan_rows.h, the server's primary message only.
 */
#ifndef LF_STORE_PG_PG_PLAN_H
#define LF_STORE_PG_PG_PLAN_H

#include "store/plan_rows.h"

struct pg_plan_scan;
int	pg_plan_scan_open(struct store *s, int year, const struct region *in,
	    struct pg_plan_scan **out, struct lf_error *err);
void	pg_plan_scan_close(struct pg_plan_scan *sc);
int	pg_plan_scan_count(struct pg_plan_scan *sc, int64_t *n,
	    struct lf_error *err);
int	pg_plan_scan_any_carry(const struct pg_plan_scan *sc);
int	pg_plan_scan_page(struct pg_plan_scan *sc, int64_t after, int limit,
	    plan_survey_fn fn, void *arg, int *n, int64_t *last,
	    struct lf_error *err);
int	pg_plan_scan_carry(struct pg_plan_scan *sc, int64_t from, int64_t to,
	    plan_carry_fn fn, void *arg, struct lf_error *err);

/* A bulk transaction, as plan_bulk_begin/chunk/end. */
int	pg_plan_bulk_begin(struct store *s, struct lf_error *err);
int	pg_plan_bulk_chunk(struct store *s, struct lf_error *err);
int	pg_plan_bulk_end(struct store *s, int rc, struct lf_error *err);

int	pg_plan_open(struct store *s, int64_t person_id, int year,
	    const char *region, const char *actor,
	    const struct plan_clock *now, struct plan *p, int *created,
	    struct lf_error *err);
int	pg_plan_items_light(struct store *s, int year, int64_t person_id,
	    plan_light_fn fn, void *arg, struct lf_error *err);
/* Reads the plans and items of persons lo..hi of year in one go, for
 * pg_plan_open() and pg_plan_items_light() to answer from until the next
 * prefetch or the end of the build (pg_plan_cache_drop()). */
int	pg_plan_prefetch(struct store *s, int year, int64_t lo, int64_t hi,
	    struct lf_error *err);
void	pg_plan_cache_drop(struct store *s);
/* "unsupported", naming what (in Chinese and English): the verbs not on
 * PostgreSQL yet. */
int	pg_plan_unsupported(const char *zh, const char *en,
	    struct lf_error *err);

/*
 * The item of id into it: 0, 1 when there is none (in scope), -1.
 * Answered from the prefetched range's city and county when it holds
 * the item (the key of its partition), else by id alone.
 */
int	pg_plan_item_load(struct store *s, int64_t id, struct plan_item *it,
	    struct lf_error *err);
/*
 * Writes the history row (entity "item", old's id, person, year and
 * version, new's updated_by, at, changes: the JSON store/plan.c made)
 * and new over old, if the stored version is still old's ("conflict"
 * otherwise). Joins the transaction open on the store (the bulk build's
 * chunk), else makes its own.
 */
int	pg_plan_item_update(struct store *s, const struct plan_item *old,
	    const struct plan_item *new, const char *at, const char *changes,
	    struct lf_error *err);
/* Writes the history row (changes: old -> null) and deletes it, as
 * above. */
int	pg_plan_item_delete(struct store *s, const struct plan_item *it,
	    const char *actor, const char *at, const char *changes,
	    struct lf_error *err);

/* plan_scan_items() on PostgreSQL: the items of year whose village is
 * in [lo, hi), in person and seq order, handed to fn (which may read on
 * the store meanwhile: a cursor fetched 4096 rows at a time), in one
 * transaction (the caller's, or a read-only one of its own, scoped).
 * 0, fn's non-zero value when it stopped, or -1 with err. */
int	pg_plan_scan_items(struct store *s, int year, int64_t lo, int64_t hi,
	    plan_item_fn fn, void *arg, struct lf_error *err);

struct pg_result;
/* Row i of r into p (PLAN_COLS in order) or it (the item columns of
 * plan_item_cols(), in order). */
void	pg_plan_row(const struct pg_result *r, int i, struct plan *p);
void	pg_plan_item_row(const struct pg_result *r, int i, struct plan_item *it);
/* pg_plan_person.c: plan_person_each() (plan.h) on PostgreSQL: the
 * person's plans by year, each with its items by seq, read in one
 * transaction (the caller's, or a read-only one of its own, scoped),
 * each item followed by its deliveries by date. 0, fn's non-zero, or -1
 * with err. */
struct plan_person_fns;
int	pg_plan_person_each(struct store *s, int64_t person_id,
	    const struct plan_person_fns *fns, void *arg,
	    struct lf_error *err);
struct pg_plan_writer;
struct pg_plan_writer *pg_plan_writer_new(struct store *s, int year,
	    const char *actor, int64_t t);
void	pg_plan_writer_free(struct pg_plan_writer *w);
int	pg_plan_writer_item(struct pg_plan_writer *w, const struct plan_row *r,
	    struct lf_error *err);
int	pg_plan_writer_plan(struct pg_plan_writer *w, int64_t id,
	    int64_t person_id, int64_t region, struct lf_error *err);
int	pg_plan_writer_flush(struct pg_plan_writer *w, struct lf_error *err);
int	pg_plan_writer_fresh(struct pg_plan_writer *w, int64_t lo, int64_t hi,
	    int *none, int64_t *last_id, struct lf_error *err);

#endif

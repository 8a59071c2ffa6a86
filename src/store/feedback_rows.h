/*
 * feedback_rows.h - the narrow persistence interface under the
 * satisfaction rules (feedback/feedback.h): the table feedback (made on
 * open by feedback_init(), with the self-service tables of
 * selfcode_rows.h; on PostgreSQL by the registry's schema), its rows
 * read and written on either backend (store/dbq.h), and the counts of the
 * year's latest ratings by region. Nothing here decides whether a rating
 * is valid, whether its person, plan or item exists or may be rated:
 * feedback/ decides, then calls these. Implemented by
 * store/feedback_rows.c.
 *
 * Errors: 0, or -1 with err ("store", "no_memory"). Every write joins the
 * caller's transaction; store_tx_join() (store.h) groups several.
 * Threads: as for struct store.
 */
#ifndef LF_STORE_FEEDBACK_ROWS_H
#define LF_STORE_FEEDBACK_ROWS_H

#include <stdint.h>

#include "core/region.h"
#include "core/satisf.h"
#include "lib/error.h"
#include "store/store.h"

/* A row of feedback. */
struct feedback {
	int64_t		 id;
	int64_t		 person_id;
	int		 year;
	int64_t		 item_id;	/* 0 = the plan */
	int		 rating;	/* enum satisf_rating */
	char		 note[SATISF_NOTE_MAX + 1];
	int		 by_self;	/* 1: the person via a code */
	char		 actor[64];
	int64_t		 code_id;	/* 0 unless by_self */
	char		 at[21];	/* ISO 8601 UTC */
	int64_t		 superseded_by;	/* 0 = the latest */
};

/* A rating to record (feedback_add()) or to store (feedback_rows_insert()). */
struct feedback_new {
	int64_t		 person_id;
	int		 year;
	int64_t		 item_id;	/* 0 = the plan */
	int		 rating;
	const char	*note;		/* may be NULL */
	int		 by_self;
	const char	*actor;
	int64_t		 code_id;
	int64_t		 now;		/* Unix seconds */
};

/* Creates the feedback and self-service tables when missing; on every
 * open. On PostgreSQL nothing: the registry holds them (format 7,
 * store/pg/pg_feedback.c). */
int	feedback_init(struct store *s, struct lf_error *err);
/* SQLite's DDL of those tables: the one list of their columns, from
 * which pg/pg_feedback.c derives PostgreSQL's. */
const char *feedback_schema_sql(void);

typedef int (*feedback_fn)(void *arg, const struct feedback *f);
/* Every rating of the person's year, latest and superseded, oldest
 * first; fn returns non-zero to stop (returned). */
int	feedback_each(struct store *s, int64_t person_id, int year,
	    feedback_fn fn, void *arg, struct lf_error *err);

/* The latest ratings of year for the region `in` (row 0) and each of its
 * children (rows 1..); t->rows is allocated (satisf_table_free()). On
 * PostgreSQL only those the store's scope shows (row-level security). */
int	feedback_counts(struct store *s, const struct region *in,
	    const struct regions *rs, int year, struct satisf_table *t,
	    struct lf_error *err);

/* Adds the row as given (note "" or NULL stored as none), with region,
 * the person's village code; *id gets its id. 0 or -1. */
int	feedback_rows_insert(struct store *s, const struct feedback_new *in,
	    const char *region, int64_t *id, struct lf_error *err);
/* Marks the other latest rows of in's person, year and item (0: the
 * plan) as superseded by id. 0 or -1. */
int	feedback_rows_supersede(struct store *s, const struct feedback_new *in,
	    int64_t id, struct lf_error *err);
/* The row with this id. 0, or -1 (also when there is none). */
int	feedback_rows_get(struct store *s, int64_t id, struct feedback *out,
	    struct lf_error *err);

#endif

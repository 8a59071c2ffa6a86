/*
 * feedback.h - satisfaction ratings (满意度) of delivered service items
 * and of yearly plans, kept in the store's database (table feedback),
 * and the counts behind the satisfaction rate (core/satisf.h).
 *
 * A rating names the person, the year and either one item of that
 * person's plan of the year (item_id) or the plan itself (item_id 0). It
 * holds the rating (1..3), a note, who gave it - a worker's login, or the
 * person via a self-service code ("self-service via code #<id>", with the
 * code's id) - and when. A new rating of the same thing supersedes the
 * earlier one: the old row stays, marked with the id of the row that
 * replaced it, so the history is kept and only the latest counts.
 *
 * feedback_init() also makes the self-service tables of selfcode.h.
 *
 * Errors: 0 / -1 with err: "invalid" (field "rating" or "note"),
 * "not_found" (no such plan, or the item is not on this person's plan of
 * this year), "state" (an item not yet delivered, a plan not confirmed),
 * "store". Each write is one transaction (joins the caller's).
 */
#ifndef LF_STORE_FEEDBACK_H
#define LF_STORE_FEEDBACK_H

#include <stdint.h>

#include "lib/error.h"
#include "core/region.h"
#include "core/satisf.h"
#include "store/store.h"

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
 * open. */
int	feedback_init(struct store *s, struct lf_error *err);

/* Records a rating after the checks above; out (may be NULL) gets the
 * new row. */
int	feedback_add(struct store *s, const struct feedback_new *in,
	    struct feedback *out, struct lf_error *err);

typedef int (*feedback_fn)(void *arg, const struct feedback *f);
/* Every rating of the person's year, latest and superseded, oldest
 * first; fn returns non-zero to stop (returned). */
int	feedback_each(struct store *s, int64_t person_id, int year,
	    feedback_fn fn, void *arg, struct lf_error *err);

/* The latest ratings of year for the region `in` (row 0) and each of its
 * children (rows 1..); t->rows is allocated (satisf_table_free()). */
int	feedback_counts(struct store *s, const struct region *in,
	    const struct regions *rs, int year, struct satisf_table *t,
	    struct lf_error *err);

#endif

/*
 * feedback.h - the rules of satisfaction ratings (满意度) of delivered
 * service items and of yearly plans: who may rate what, and when. The
 * rows (table feedback, struct feedback, struct feedback_new, the reads
 * feedback_each() and feedback_counts(), the counts behind the rate of
 * core/satisf.h) are store/feedback_rows.h's, which this header includes.
 *
 * A rating names the person, the year and either one item of that
 * person's plan of the year (item_id) or the plan itself (item_id 0). It
 * holds the rating (1..3), a note, who gave it - a worker's login, or the
 * person via a self-service code ("self-service via code #<id>", with the
 * code's id) - and when. A new rating of the same thing supersedes the
 * earlier one: the old row stays, marked with the id of the row that
 * replaced it, so the history is kept and only the latest counts.
 *
 * feedback_init() (store/feedback_rows.h) also makes the self-service
 * tables of auth/selfcode.h.
 *
 * Errors: 0 / -1 with err: "invalid" (field "rating" or "note"),
 * "not_found" (no such plan, or the item is not on this person's plan of
 * this year), "state" (an item not yet delivered, a plan not confirmed),
 * "store". Each write is one transaction (joins the caller's).
 *
 * Implemented by feedback/rate.c.
 */
#ifndef LF_FEEDBACK_FEEDBACK_H
#define LF_FEEDBACK_FEEDBACK_H

#include "lib/error.h"
#include "store/feedback_rows.h"
#include "store/store.h"

/* Records a rating after the checks above; out (may be NULL) gets the
 * new row. */
int	feedback_add(struct store *s, const struct feedback_new *in,
	    struct feedback *out, struct lf_error *err);

#endif

/*
 * json_plan.h - JSON forms of plans, items and deliveries (see
 * docs/api.md), and item changes sent by clients.
 *
 * Each form is written once, as text (jout_*(), json_out.h's writer and
 * its rules: 0, or -1 when b is full or a text is not UTF-8); the json_*()
 * forms are the same text parsed into a tree, for the answers that add
 * to it. Those return a new reference (NULL only when memory runs out, or
 * a text is not UTF-8); the caller owns it.
 */
#ifndef LF_HTTP_JSON_PLAN_H
#define LF_HTTP_JSON_PLAN_H

#include <jansson.h>

#include "core/catalog.h"
#include "lib/buf.h"
#include "lib/error.h"
#include "core/policy.h"
#include "plan/plan.h"
#include "store/plan.h"

/* An item; its "id" and "carried_from" are references (plan_item_ref()
 * of s; null in the unlikely case one cannot be made). jout_item_open()
 * leaves the object open (the caller adds keys and the '}') and puts the
 * item's reference into ref ("" when it could not be made). */
int	jout_item_open(struct buf *b, struct store *s,
	    const struct catalog *cat, const struct policies *ps,
	    const struct plan_item *it, char ref[PLAN_REF_LEN + 1]);
int	jout_item(struct buf *b, struct store *s, const struct catalog *cat,
	    const struct policies *ps, const struct plan_item *it);
int	jout_plan(struct buf *b, const struct plan *p);
int	jout_delivery(struct buf *b, const struct plan_delivery *d,
	    const char *item_ref);

json_t	*json_item(struct store *s, const struct catalog *cat,
	    const struct policies *ps, const struct plan_item *it);
json_t	*json_plan(const struct plan *p);
/* A delivery of the item whose reference is item_ref. */
json_t	*json_delivery(const struct plan_delivery *d, const char *item_ref);

/* The JSON names an item change may carry (NULL-terminated). */
extern const char *const json_change_names[];

/* Fills c from the change fields of obj (others are ignored: the caller
 * has refused unknown ones). Strings point into obj, which must outlive
 * c. null clears a text. -1 with err naming the field of a wrong type. */
int	json_to_change(json_t *obj, struct plan_item_change *c,
	    struct lf_error *err);

#endif

/*
 * supervise_int.h - private to supervise/: what the assignment and the
 * check share.
 */
#ifndef LF_SUPERVISE_SUPERVISE_INT_H
#define LF_SUPERVISE_SUPERVISE_INT_H

#include "supervise/supervise.h"

/* The task `id` into *t: 0, or -1 with err ("not_found" when there is
 * none). */
int	supervise_task_need(struct store *s, int64_t id, struct sup_task *t,
	    struct lf_error *err);

#endif

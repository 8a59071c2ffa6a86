/*
 * access.h - the one access decision every handler asks.
 *
 * From (who, action, target) it answers allowed or not, by the role table
 * in access.c and the region scope: a user acts only on persons whose
 * village lies inside the user's region. Refusals of person actions are
 * answered 404 by the handlers, indistinguishable from a missing person,
 * and audited.
 */
#ifndef LF_HTTP_ACCESS_H
#define LF_HTTP_ACCESS_H

#include <stdint.h>

#include "server/http_int.h"

enum action {
	ACT_PERSON_READ,	/* search, person page (masked) */
	ACT_PERSON_REVEAL,	/* full ID and phone numbers */
	ACT_PERSON_WRITE,	/* create or update surveys */
	ACT_AUDIT_READ,		/* query the audit log */
	ACT_REGION_READ,	/* region tree with counts */
	ACT_USER_ADMIN,		/* manage accounts in the region */
	ACT_PLAN_READ,		/* plans and items of a person */
	ACT_PLAN_WRITE,		/* draft, edit, decide, add items */
	ACT_PLAN_CONFIRM,	/* confirm or reopen a plan */
	ACT_ITEM_DEPT,		/* department inbox: accept, return,
				   record deliveries (own department) */
	ACT_PLAN_BATCH,		/* build every plan of a region */
	ACT_STATS_READ,		/* statistics of a region */
	ACT_FEEDBACK,		/* record satisfaction, issue and revoke
				   self-service codes (village, township) */
	/* 精准监督 (issue 13): decided by their own table in access.c */
	ACT_SAMPLE,		/* draw spot-check samples, assign checkers,
				   follow progress (county and above,
				   supervisor) */
	ACT_CHECK,		/* record the checks assigned to oneself */
	NACTIONS
};

/* 1 when who may do action on a target in village12 (0 = no target, for
 * actions not tied to a person). */
int	access_allowed(const struct principal *who, enum action a,
	    int64_t village12);
/* 1 when the role name is known. */
int	access_role_known(const char *role);

#endif

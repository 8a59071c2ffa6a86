/*
 * issue.c - issuing a device or place from a county's list
 * (supply/supply.h): only to a person on the list within the remaining
 * stock whose turn it is by the rules; the person's item for the policy
 * and need accepted (or a manual one added), then its delivery, and one
 * audit entry, in one transaction.
 */
#include "supply/supply.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"
#include "plan/plan.h"
#include "store/audit.h"

/* The person is on the county's list, within the remaining stock. */
static int
check_listed(struct store *s, const struct supply *sp,
    const struct supply_item *it, const struct store_person *p, int year,
    int today, struct lf_error *err)
{
	struct supply_list l;
	char county[7];
	size_t i;
	int found = 0;

	snprintf(county, sizeof(county), "%.6s", p->region);
	if (supply_list_build(s, sp, it, county, year, today, &l, err) != 0)
		return -1;
	for (i = 0; i < l.n; i++)
		if (l.v[i].person_id == p->id)
			found = l.v[i].allocated ? 2 : 1;
	mem_free(l.v);
	if (!found)
		return lf_error_set(err, "state", "person", "此人不在待发放名单中"
		    " (the person is not on the list: no open need)");
	if (l.remaining <= 0)
		return lf_error_set(err, "state", "stock", "%s 库存不足 (no "
		    "stock left in the county)", it->name_zh);
	if (found == 1)
		return lf_error_set(err, "state", "person", "按分配规则尚未轮到"
		    "此人 (the rules put others first for the remaining "
		    "stock)");
	return 0;
}

/* A manual item for the need; a confirmed plan is reopened for it and
 * confirmed again (every other item is decided already). A draft plan
 * gets it as is: the delivery then refuses until the plan is confirmed. */
static int
add_item(struct store *s, const struct policies *ps,
    const struct supply_item *it, int64_t person, int year,
    const char *actor, struct plan_item *io, struct lf_error *err)
{
	struct plan_item_change c;
	struct plan pl;
	int rc, confirmed;

	memset(&c, 0, sizeof(c));
	rc = plan_get(s, person, year, &pl, err);
	if (rc < 0)
		return -1;
	confirmed = rc == 0 && pl.status == PLAN_CONFIRMED;
	if (confirmed && plan_reopen(s, pl.id, pl.version, actor, &pl,
	    err) != 0)
		return -1;
	if (plan_item_add(s, ps, person, year, it->policy->code,
	    it->need->code, &c, NULL, actor, io, err) != 0)
		return -1;
	if (confirmed && (plan_get(s, person, year, &pl, err) != 0 ||
	    plan_confirm(s, pl.id, pl.version, actor, &pl, err) != 0))
		return -1;
	return 0;
}

static int
issue_body(struct store *s, const struct policies *ps,
    const struct supply *sp, const struct supply_item *it,
    const struct store_person *p, int year, const char *date, int today,
    const char *actor, struct plan_item *io, struct plan_delivery *d,
    struct lf_error *err)
{
	struct plan_item_change c;
	struct audit_entry e;
	char note[256], kv[64];
	int64_t id;
	int decision = 0;

	if (check_listed(s, sp, it, p, year, today, err) != 0 ||
	    supply_item_of(s, it->policy->code, it->need->code, p->id, year,
	    &id, &decision, err) != 0)
		return -1;
	memset(&c, 0, sizeof(c));
	if (id == 0 && add_item(s, ps, it, p->id, year, actor, io, err) != 0)
		return -1;
	if (id != 0 && decision != DECISION_ACCEPTED) {
		c.set = PI_DECISION;
		c.decision = DECISION_ACCEPTED;
		if (plan_item_update(s, id, &c, 0, actor, io, err) != 0)
			return -1;
	}
	snprintf(note, sizeof(note), "发放%s (%s issued from the distribution "
	    "list)", it->name_zh, it->name_en);
	if (plan_delivery_add(s, id ? id : io->id, date, 0, note, NULL, actor,
	    d, io, err) != 0)
		return -1;
	memset(&e, 0, sizeof(e));
	e.actor = actor;
	e.action = "supply.issue";
	e.target_type = "person";
	e.target = p->uid;
	e.result = "ok";
	snprintf(kv, sizeof(kv), "supply=%s", it->code);
	e.detail = kv;
	return audit_append(s, &e, err);
}

int
supply_issue(struct store *s, const struct policies *ps,
    const struct supply *sp, const struct supply_item *it,
    int64_t person_id, int year, const char *date, int today,
    const char *actor, struct plan_item *item_out,
    struct plan_delivery *d_out, struct lf_error *err)
{
	struct store_person p;
	int rc;

	rc = store_person_by_id(s, person_id, &p, err);
	if (rc == 1)
		return lf_error_set(err, "not_found", "person", "没有这个人 (no "
		    "such person)");
	if (rc != 0 || store_begin(s, err) != 0)
		return -1;
	if (issue_body(s, ps, sp, it, &p, year, date, today, actor, item_out,
	    d_out, err) != 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err);
}

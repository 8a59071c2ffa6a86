/*
 * findings_sync.c - the findings' open/close rule and a user's decision
 * (findings.h); the rows are store/findings_rows.h's.
 */
#include "quality/findings.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/date.h"
#include "store/plan_rows.h"

#define OPEN_REASON	"规则成立 (rule holds)"
#define AUTO_REASON	"复核时规则不再成立 (the rule no longer holds)"

static int
same(const struct finding_key *k, const struct finding_hit *h)
{
	return k->person_id == h->person_id && k->item_id == h->item_id &&
	    strcmp(k->rule, h->rule) == 0 &&
	    strcmp(k->surveyor, h->surveyor) == 0;
}

/* The finding hit h opens: owned by its role at owner_digits of its
 * region ("township:510104001"). */
static int
open_hit(struct store *s, int year, const struct finding_hit *h,
    const char *at, const char *actor, struct lf_error *err)
{
	struct finding_new f = { h->rule, year, h->person_id, h->item_id,
		h->surveyor, h->region, NULL, h->detail };
	char owner[32];
	int n = (int)strlen(h->region);

	if (h->owner_digits < n)
		n = h->owner_digits;
	snprintf(owner, sizeof(owner), "%s:%.*s", h->owner_role, n,
	    h->region);
	f.owner = owner;
	return findings_row_open(s, &f, OPEN_REASON, at, actor, err);
}

static int
sync_rows(struct store *s, int year, struct finding_keys *ex,
    const struct finding_hit *hits, size_t nhits, const char *actor,
    struct findings_counts *c, struct lf_error *err)
{
	char at[21];
	size_t i, k;
	int keep;

	date_utc_iso((int64_t)time(NULL), at);
	for (i = 0; i < nhits; i++) {
		/* an open or a dismissed finding stands; a resolved one is
		 * opened again as a new finding */
		keep = 0;
		for (k = 0; k < ex->n; k++)
			if (same(&ex->v[k], &hits[i])) {
				ex->v[k].seen = 1;
				keep |= ex->v[k].status != FINDING_RESOLVED;
			}
		if (keep)
			continue;
		if (open_hit(s, year, &hits[i], at, actor, err) != 0)
			return -1;
		if (c != NULL)
			c->opened++;
	}
	for (k = 0; k < ex->n; k++) {
		if (ex->v[k].seen || ex->v[k].status != FINDING_OPEN)
			continue;
		if (findings_row_close(s, ex->v[k].id, FINDING_RESOLVED,
		    AUTO_REASON, at, actor, err) != 0)
			return -1;
		if (c != NULL)
			c->closed++;
	}
	return 0;
}

int
findings_sync(struct store *s, int year, struct finding_keys *ex,
    const struct finding_hit *hits, size_t nhits, const char *actor,
    struct findings_counts *c, struct lf_error *err)
{
	int tx;
	int rc;

	if (nhits == 0 && ex->n == 0)
		return 0;
	if (store_tx_join(s, &tx, err) != 0)
		return -1;
	rc = sync_rows(s, year, ex, hits, nhits, actor, c, err);
	return store_tx_leave(s, tx, rc, err);
}

int
findings_sync_rule(struct store *s, int year, const char *rule,
    const char *prefix, const struct finding_hit *hits, size_t nhits,
    const char *actor, struct findings_counts *c, struct lf_error *err)
{
	struct finding_keys ex = { 0 };
	int rc;

	rc = findings_load_rule(s, year, rule, prefix, &ex, err);
	if (rc == 0)
		rc = findings_sync(s, year, &ex, hits, nhits, actor, c, err);
	finding_keys_free(&ex);
	return rc;
}

/* ---- a user's decision ------------------------------------------------ */

static int
decide_rows(struct store *s, int64_t id, int to, const char *reason,
    int64_t expect_version, const char *actor, struct lf_error *err)
{
	struct finding f;
	char at[21];
	int rc;

	if ((rc = findings_get(s, id, &f, err)) != 0)
		return rc < 0 ? -1 : lf_error_set(err, "not_found", "id",
		    "没有这条问题 (no such finding)");
	if (plan_version_check(expect_version, f.version, "finding",
	    err) != 0)
		return -1;
	if (f.status != FINDING_OPEN)
		return lf_error_set(err, "state", "status", "该问题已处理, 不是"
		    "待处理状态 (the finding is not open)");
	date_utc_iso((int64_t)time(NULL), at);
	return findings_row_close(s, id, to, reason, at, actor, err);
}

int
findings_decide(struct store *s, int64_t id, int to, const char *reason,
    int64_t expect_version, const char *actor, struct finding *out,
    struct lf_error *err)
{
	char text[FINDING_REASON_MAX];
	int tx;
	int rc;

	if (to != FINDING_RESOLVED && to != FINDING_DISMISSED)
		return lf_error_set(err, "invalid", "status", "只能标记为已整改"
		    "或已排除 (status must be resolved or dismissed)");
	if (plan_text_set(text, sizeof(text), reason, "reason", "理由", 1,
	    err) != 0)
		return -1;
	if (strspn(text, " \t\r\n") == strlen(text))
		return lf_error_set(err, "invalid", "reason", "必须填写理由 "
		    "(a reason is required)");
	if (store_tx_join(s, &tx, err) != 0)
		return -1;
	rc = decide_rows(s, id, to, text, expect_version, actor, err);
	if (store_tx_leave(s, tx, rc, err) != 0)
		return -1;
	return out != NULL ? (findings_get(s, id, out, err) == 0 ? 0 : -1) :
	    0;
}

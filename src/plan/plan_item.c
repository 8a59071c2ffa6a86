/*
 * plan_item.c - the rules of changing plans and items (plan/plan.h): a worker's edits,
 * manual items, confirming and reopening plans, the department's answers
 * and deliveries.
 *
 * Each call runs in one transaction or savepoint (plan_tx_begin), checks
 * the version the writer saw, validates everything before its first
 * write, and writes through store/plan_rows.h (plan_item_save() writes
 * the history). The checks of an
 * item change are one table, `rules`: a bit of plan_item_change, the
 * field it names, whether it may change once the plan is confirmed, and
 * the function that checks and applies it (for a free text, where the
 * text is: one setter serves them all).
 */
#include "plan/plan.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/dept.h"
#include "lib/date.h"
#include "lib/mem.h"
#include "store/plan_rows.h"

#define PI_ALL	((unsigned)PI_STATUS * 2 - 1)

/* Scratch for one call: kept off the stack (an item is 11 KB). */
struct work {
	struct plan_item	 old, new;
	struct plan		 plan;
	struct plan_delivery	 dlv;
};

/* Scratch and a transaction for one call; NULL (err set) when either
 * cannot be had. The caller ends the transaction and frees w. */
static struct work *
work_begin(struct store *s, enum plan_tx *tx, struct lf_error *err)
{
	struct work *w = mem_alloc(sizeof(*w));

	if (w == NULL) {
		lf_error_nomem(err);
		return NULL;
	}
	if (plan_tx_begin(s, tx, err) != 0) {
		mem_free(w);
		return NULL;
	}
	return w;
}

/* ---- the change rules ------------------------------------------------ */

/*
 * A coded field with a reason: the value must lie in lo..hi, and the
 * reason text is required when the value is `needs` (a rejected
 * decision, an item not done).
 */
static const struct coded {
	const char	*field, *invalid, *reason_field, *reason_label;
	int		 lo, hi, needs;
} decision_code = {
	"decision", "决定无效 (decision: 0 proposed, 1 accepted or 2 rejected)",
	"decision_reason", "不采纳理由",
	DECISION_PROPOSED, DECISION_REJECTED, DECISION_REJECTED,
}, status_code = {
	"status", "状态无效 (status: 1 planned, 2 in progress, 3 done, "
	"4 not done)",
	"status_reason", "未完成原因",
	ITEM_PLANNED, ITEM_NOT_DONE, ITEM_NOT_DONE,
};

/* Checks value v and its reason by k; sets *to and the reason text. */
static int
set_coded(const struct coded *k, int v, const char *reason, int *to,
    char *why, size_t whysz, struct lf_error *err)
{
	if (v < k->lo || v > k->hi)
		return lf_error_set(err, "invalid", k->field, "%s", k->invalid);
	if (plan_text_set(why, whysz, reason, k->reason_field,
	    k->reason_label, v == k->needs, err) != 0)
		return -1;
	*to = v;
	return 0;
}

static int
set_decision(const struct plan_item_change *c, struct plan_item *it,
    struct lf_error *err)
{
	if (set_coded(&decision_code, c->decision, c->decision_reason,
	    &it->decision, it->decision_reason, sizeof(it->decision_reason),
	    err) != 0)
		return -1;
	/* accepted again after the department returned it: back to them */
	if (c->decision == DECISION_ACCEPTED &&
	    it->dept_state == DEPT_RETURNED) {
		it->dept_state = DEPT_PENDING;
		it->dept_reason[0] = '\0';
	}
	return 0;
}

static int
set_dept(const struct plan_item_change *c, struct plan_item *it,
    struct lf_error *err)
{
	const struct dept *d = dept_find(c->dept);

	if (d == NULL)
		return lf_error_set(err, "invalid", "dept", "部门代码未知 "
		    "(dept: unknown department code, e.g. civil, hrss, cdpf)");
	snprintf(it->dept, sizeof(it->dept), "%s", d->code);
	return 0;
}

/* A free text of an item: where it is in the change and in the item. */
static const struct text_field {
	size_t		 from, to, size;
	const char	*field, *label;
} text_org = {
	offsetof(struct plan_item_change, org),
	offsetof(struct plan_item, org), sizeof(((struct plan_item *)0)->org),
	"org", "责任单位",
}, text_contact = {
	offsetof(struct plan_item_change, contact),
	offsetof(struct plan_item, contact),
	sizeof(((struct plan_item *)0)->contact), "contact", "联系人",
}, text_measures = {
	offsetof(struct plan_item_change, measures),
	offsetof(struct plan_item, measures),
	sizeof(((struct plan_item *)0)->measures), "measures", "帮扶措施",
};

/* Sets the text t of it from c (valid UTF-8 within its size). */
static int
set_text(const struct text_field *t, const struct plan_item_change *c,
    struct plan_item *it, struct lf_error *err)
{
	const char *v;

	memcpy(&v, (const char *)c + t->from, sizeof(v));
	return plan_text_set((char *)it + t->to, t->size, v, t->field,
	    t->label, 0, err);
}

static int
set_month(const struct plan_item_change *c, struct plan_item *it,
    struct lf_error *err)
{
	const char *v = c->planned_month != NULL ? c->planned_month : "";
	int m = plan_month_of(v), y = 0;

	if (m != 0)
		y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 +
		    (v[2] - '0') * 10 + (v[3] - '0');
	if (m == 0 || y != it->year)
		return lf_error_set(err, "invalid", "planned_month", "计划月份"
		    "无效, 须在 %d 年内 (planned_month: YYYY-MM within %d)",
		    it->year, it->year);
	plan_month_text(y, m, it->planned_month);
	return 0;
}

static int
set_actual(const struct plan_item_change *c, struct plan_item *it,
    struct lf_error *err)
{
	int days;

	if (c->actual_date != NULL && c->actual_date[0] == '\0') {
		it->actual_date[0] = '\0';
		return 0;
	}
	if (c->actual_date == NULL || date_parse(c->actual_date, &days) != 0)
		return lf_error_set(err, "invalid", "actual_date", "实际日期"
		    "无效 (actual_date: a real date YYYY-MM-DD, or empty)");
	snprintf(it->actual_date, sizeof(it->actual_date), "%s",
	    c->actual_date);
	return 0;
}

static int
set_funds(const struct plan_item_change *c, struct plan_item *it,
    struct lf_error *err)
{
	if (c->funds_planned < 0 || c->funds_planned > PLAN_FUNDS_MAX)
		return lf_error_set(err, "invalid", "funds_planned", "计划资金"
		    "无效 (funds_planned: 0 to 10^11 fen)");
	it->funds_planned = c->funds_planned;
	return 0;
}

static int
set_effect(const struct plan_item_change *c, struct plan_item *it,
    struct lf_error *err)
{
	if (c->effect < EFFECT_NONE || c->effect > EFFECT_NOT_NEEDED)
		return lf_error_set(err, "invalid", "effect", "成效无效 "
		    "(effect: 0 none, 1 已落实, 2 部分落实, 3 未落实, "
		    "4 不再需要)");
	if (plan_text_set(it->effect_note, sizeof(it->effect_note),
	    c->effect_note, "effect_note", "成效说明", 0, err) != 0)
		return -1;
	it->effect = c->effect;
	return 0;
}

static int
set_status(const struct plan_item_change *c, struct plan_item *it,
    struct lf_error *err)
{
	return set_coded(&status_code, c->status, c->status_reason,
	    &it->status, it->status_reason, sizeof(it->status_reason), err);
}

static const struct rule {
	unsigned	 bit;
	const char	*field;
	int		 confirmed;	/* may change in a confirmed plan */
	int		(*apply)(const struct plan_item_change *,
			    struct plan_item *, struct lf_error *);
	const struct text_field *text;	/* instead of apply */
} rules[] = {
	{ PI_DECISION,	"decision",	 0, set_decision, NULL },
	{ PI_DEPT,	"dept",		 0, set_dept, NULL },
	{ PI_ORG,	"org",		 0, NULL, &text_org },
	{ PI_CONTACT,	"contact",	 0, NULL, &text_contact },
	{ PI_MONTH,	"planned_month", 0, set_month, NULL },
	{ PI_ACTUAL,	"actual_date",	 1, set_actual, NULL },
	{ PI_FUNDS,	"funds_planned", 0, set_funds, NULL },
	{ PI_MEASURES,	"measures",	 0, NULL, &text_measures },
	{ PI_EFFECT,	"effect",	 1, set_effect, NULL },
	{ PI_STATUS,	"status",	 1, set_status, NULL },
};
#define NRULES	(sizeof(rules) / sizeof(rules[0]))

/*
 * Checks c and applies it to it, but for the bits in `skip`. In a plan
 * that is no longer a draft only the rules marked `confirmed` may apply
 * ("state"). Nothing is written.
 */
static int
apply_change(const struct plan_item_change *c, unsigned skip,
    int plan_status, struct plan_item *it, struct lf_error *err)
{
	/* an item the department returned may be routed anew (decision,
	 * responsible party, time, funds, measures) in a confirmed plan */
	int returned = it->dept_state == DEPT_RETURNED &&
	    plan_status == PLAN_CONFIRMED;
	size_t i;

	if (c == NULL)
		return 0;
	if ((c->set & ~PI_ALL) != 0)
		return lf_error_set(err, "invalid", "set", "未知的修改项 (set: "
		    "unknown change bits 0x%x)", c->set & ~PI_ALL);
	for (i = 0; i < NRULES; i++)
		if ((c->set & rules[i].bit) && !(skip & rules[i].bit) &&
		    (rules[i].apply != NULL ? rules[i].apply(c, it, err) :
		    set_text(rules[i].text, c, it, err)) != 0)
			return -1;
	for (i = 0; i < NRULES; i++)
		if ((c->set & rules[i].bit) && !(skip & rules[i].bit) &&
		    !rules[i].confirmed && plan_status != PLAN_DRAFT &&
		    !returned)
			return lf_error_set(err, "state", rules[i].field,
			    "计划已确认, 不能修改 %s (the plan is %s: %s "
			    "can no longer change; reopen it first)",
			    rules[i].field,
			    plan_status == PLAN_CONFIRMED ? "confirmed" :
			    "closed", rules[i].field);
	return 0;
}

/* Loads the item and its plan, checking the version the caller saw. */
static int
load_item(struct store *s, int64_t item_id, int64_t expect,
    struct work *w, struct lf_error *err)
{
	int rc = plan_item_load(s, item_id, &w->old, err);

	if (rc != 0)
		return rc < 0 ? -1 : plan_not_found("item", item_id, err);
	rc = plan_load(s, w->old.plan_id, &w->plan, err);
	if (rc != 0)
		return rc < 0 ? -1 : plan_not_found("plan", w->old.plan_id,
		    err);
	w->new = w->old;
	return plan_version_check(expect, w->old.version, "item", err);
}

/* Saves w->new over w->old and copies the result to out (may be NULL). */
static int
save(struct store *s, struct work *w, const char *actor,
    struct plan_item *out, struct lf_error *err)
{
	struct plan_clock now;
	int changed;

	plan_clock_now(&now);
	if (plan_item_save(s, &w->old, &w->new, actor, &now, &changed,
	    err) != 0)
		return -1;
	if (out != NULL)
		*out = changed ? w->new : w->old;
	return 0;
}

int
plan_item_update(struct store *s, int64_t item_id,
    const struct plan_item_change *c, int64_t expect_version,
    const char *actor, struct plan_item *out, struct lf_error *err)
{
	struct work *w;
	enum plan_tx tx;
	int rc = -1;

	if ((w = work_begin(s, &tx, err)) == NULL)
		return -1;
	if (load_item(s, item_id, expect_version, w, err) == 0 &&
	    apply_change(c, 0, w->plan.status, &w->new, err) == 0) {
		w->new.edited = 1;
		rc = save(s, w, actor, out, err);
	}
	rc = plan_tx_end(s, tx, rc, err);
	mem_free(w);
	return rc;
}

/* ---- manual items ---------------------------------------------------- */

/* Checks a comma-separated list of need codes into out. */
static int
needs_check(const struct catalog *cat, const char *needs, char *out,
    struct lf_error *err)
{
	const char *p = needs != NULL ? needs : "", *end;
	const struct field *f;
	size_t n = strnlen(p, PLAN_NEEDS_MAX);

	if (n >= PLAN_NEEDS_MAX)
		return lf_error_set(err, "invalid", "needs", "需求项过多 "
		    "(needs: at most %d bytes)", PLAN_NEEDS_MAX - 1);
	memcpy(out, p, n + 1);
	while (*p != '\0') {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		f = end > p ? catalog_find(cat, p, (size_t)(end - p)) : NULL;
		if (f == NULL || f->section != SEC_NEED)
			return lf_error_set(err, "invalid", "needs",
			    "未知需求项 %.*s (needs: %.*s is not a need item "
			    "of the catalog)", (int)(end - p), p,
			    (int)(end - p), p);
		p = *end == ',' ? end + 1 : end;
		if (*end == ',' && *p == '\0')
			return lf_error_set(err, "invalid", "needs", "需求项"
			    "列表以逗号结尾 (needs: ends with a comma)");
	}
	return 0;
}

/* A new manual item of year, policy pol (may be NULL), with c applied. */
static int
manual_item(const struct store *s, const struct policy *pol, int year,
    const char *needs, const struct plan_item_change *c,
    const struct plan_clock *now, struct plan_item *it,
    struct lf_error *err)
{
	memset(it, 0, sizeof(*it));
	it->year = year;
	if (pol != NULL) {
		snprintf(it->policy, sizeof(it->policy), "%s", pol->code);
		if (pol->dept != NULL)
			snprintf(it->dept, sizeof(it->dept), "%s",
			    pol->dept->code);
	}
	if (needs_check(store_catalog(s), needs, it->needs, err) != 0)
		return -1;
	it->origin = ORIGIN_MANUAL;
	it->decision = DECISION_ACCEPTED;
	it->status = ITEM_PLANNED;
	it->edited = 1;
	plan_month_text(year, now->year == year ? now->month : 1,
	    it->planned_month);
	return apply_change(c, PI_DECISION, PLAN_DRAFT, it, err);
}

/* The client's earlier item: 0 with *out when it is there, 1 when not;
 * a client id names one person's item of one year. */
static int
item_by_client(struct store *s, const char *client_id, int64_t person_id,
    int year, struct plan_item *out, struct lf_error *err)
{
	int rc = plan_item_by_client(s, client_id, out, err);

	if (rc != 0)
		return rc;
	if (out->person_id != person_id || out->year != year)
		return lf_error_set(err, "conflict", "client_id", "客户端编号已"
		    "用于另一项目 (client_id was used for another person's or "
		    "year's item)");
	return 0;
}

/* Adds w->new to the person's draft plan (made when missing). */
static int
add_to_plan(struct store *s, int64_t person_id, const char *actor,
    const struct plan_clock *now, struct work *w, struct lf_error *err)
{
	struct plan_item *it = &w->new;
	int created;

	if (plan_person_region(s, person_id, it->region, err) != 0 ||
	    plan_open(s, person_id, it->year, it->region, actor, now,
	    &w->plan, &created, err) != 0)
		return -1;
	if (w->plan.status != PLAN_DRAFT)
		return lf_error_set(err, "state", "", "计划已确认, 不能添加"
		    "项目 (the plan is no longer a draft; reopen it first)");
	it->plan_id = w->plan.id;
	it->person_id = person_id;
	if (plan_item_next_seq(s, it->plan_id, &it->seq, err) != 0)
		return -1;
	snprintf(it->updated_at, sizeof(it->updated_at), "%s", now->iso);
	snprintf(it->updated_by, sizeof(it->updated_by), "%s",
	    actor != NULL ? actor : "");
	return plan_item_insert(s, it, err);
}

int
plan_item_add(struct store *s, const struct policies *ps, int64_t person_id,
    int year, const char *policy, const char *needs,
    const struct plan_item_change *c, const char *client_id,
    const char *actor, struct plan_item *out, struct lf_error *err)
{
	struct work *w = mem_alloc(sizeof(*w));
	const struct policy *pol = NULL;
	struct plan_clock now;
	enum plan_tx tx;
	int rc = -1;

	if (w == NULL)
		return lf_error_nomem(err);
	if (client_id != NULL && client_id[0] == '\0')
		client_id = NULL;
	if (client_id != NULL && plan_client_id_check(client_id, err) != 0)
		goto out;
	if (year < PLAN_YEAR_MIN || year > PLAN_YEAR_MAX) {
		lf_error_set(err, "invalid", "year", "年度无效 (year %d is out "
		    "of range)", year);
		goto out;
	}
	if (policy != NULL && policy[0] != '\0' &&
	    (ps == NULL || (pol = policy_find(ps, policy)) == NULL)) {
		lf_error_set(err, "invalid", "policy", "未知政策 (policy: "
		    "unknown code)");
		goto out;
	}
	plan_clock_now(&now);
	if (manual_item(s, pol, year, needs, c, &now, &w->new, err) != 0)
		goto out;
	if (w->new.dept[0] == '\0')
		/* 残联 coordinates what no other department is named for;
		 * an item with no department would reach no inbox */
		snprintf(w->new.dept, sizeof(w->new.dept), "cdpf");
	if (client_id != NULL)
		snprintf(w->new.client_id, sizeof(w->new.client_id), "%s",
		    client_id);
	if (plan_tx_begin(s, &tx, err) != 0)
		goto out;
	rc = client_id != NULL ? item_by_client(s, client_id, person_id,
	    year, &w->old, err) : 1;
	if (rc == 0 && out != NULL)
		*out = w->old;
	if (rc == 1 && (rc = add_to_plan(s, person_id, actor, &now, w,
	    err)) == 0 && out != NULL)
		*out = w->new;
	rc = plan_tx_end(s, tx, rc, err);
out:
	mem_free(w);
	return rc;
}

/* ---- plan status ----------------------------------------------------- */

static const struct transition {
	int		 from, to;
	const char	*zh, *en;
} confirm_tr = { PLAN_DRAFT, PLAN_CONFIRMED, "只有草稿可以确认",
	"only a draft plan can be confirmed" },
  reopen_tr = { PLAN_CONFIRMED, PLAN_DRAFT, "只有已确认的计划可以退回",
	"only a confirmed plan can be reopened" };

static int
move_plan(struct store *s, int64_t plan_id, int64_t expect,
    const struct transition *tr, const char *actor, struct plan *p,
    struct lf_error *err)
{
	struct plan_clock now;
	int64_t open = 0;
	int rc = plan_load(s, plan_id, p, err);

	if (rc != 0)
		return rc < 0 ? -1 : plan_not_found("plan", plan_id, err);
	if (plan_version_check(expect, p->version, "plan", err) != 0)
		return -1;
	if (p->status != tr->from)
		return lf_error_set(err, "state", "status", "%s (%s)", tr->zh,
		    tr->en);
	if (tr->to == PLAN_CONFIRMED &&
	    (plan_open_items(s, plan_id, &open, err) != 0 || open > 0))
		return open > 0 ? lf_error_set(err, "state", "decision",
		    "尚有 %lld 项未决定 (%lld items are still proposed; accept "
		    "or reject each first)", (long long)open,
		    (long long)open) : -1;
	plan_clock_now(&now);
	return plan_status_write(s, p, tr->to, actor != NULL ? actor : "",
	    &now, err);
}

static int
plan_move(struct store *s, int64_t plan_id, int64_t expect,
    const struct transition *tr, const char *actor, struct plan *out,
    struct lf_error *err)
{
	struct plan p;
	enum plan_tx tx;
	int rc;

	if (plan_tx_begin(s, &tx, err) != 0)
		return -1;
	rc = move_plan(s, plan_id, expect, tr, actor, &p, err);
	rc = plan_tx_end(s, tx, rc, err);
	if (rc == 0 && out != NULL)
		*out = p;
	return rc;
}

int
plan_confirm(struct store *s, int64_t plan_id, int64_t expect_version,
    const char *actor, struct plan *out, struct lf_error *err)
{
	return plan_move(s, plan_id, expect_version, &confirm_tr, actor, out,
	    err);
}

int
plan_reopen(struct store *s, int64_t plan_id, int64_t expect_version,
    const char *actor, struct plan *out, struct lf_error *err)
{
	return plan_move(s, plan_id, expect_version, &reopen_tr, actor, out,
	    err);
}

/* ---- the department's answers ---------------------------------------- */

/* An item the department may answer: accepted, of a confirmed plan. */
static int
dept_can_answer(const struct work *w, int returning, struct lf_error *err)
{
	int st = w->old.dept_state;

	if (w->plan.status != PLAN_CONFIRMED ||
	    w->old.decision != DECISION_ACCEPTED)
		return lf_error_set(err, "state", "dept_state", "项目未进入部门"
		    "办理 (the item is not an accepted item of a confirmed "
		    "plan)");
	if (st == DEPT_RETURNED || (!returning && st != DEPT_PENDING))
		return lf_error_set(err, "state", "dept_state", "项目已%s "
		    "(the item was already %s)", st == DEPT_RETURNED ? "退回" :
		    "受理", st == DEPT_RETURNED ? "returned" : "accepted");
	return 0;
}

/* reason NULL: accept; else return with reason. */
static int
dept_answer(struct store *s, int64_t item_id, const char *reason,
    int64_t expect, const char *actor, struct plan_item *out,
    struct lf_error *err)
{
	struct work *w;
	enum plan_tx tx;
	int rc = -1;

	if ((w = work_begin(s, &tx, err)) == NULL)
		return -1;
	if (load_item(s, item_id, expect, w, err) != 0 ||
	    dept_can_answer(w, reason != NULL, err) != 0)
		goto end;
	if (reason == NULL) {
		w->new.dept_state = DEPT_ACCEPTED;
		w->new.dept_reason[0] = '\0';
	} else {
		if (plan_text_set(w->new.dept_reason,
		    sizeof(w->new.dept_reason), reason, "dept_reason",
		    "退回理由", 1, err) != 0)
			goto end;
		w->new.dept_state = DEPT_RETURNED;
	}
	rc = save(s, w, actor, out, err);
end:
	rc = plan_tx_end(s, tx, rc, err);
	mem_free(w);
	return rc;
}

int
plan_item_dept_accept(struct store *s, int64_t item_id,
    int64_t expect_version, const char *actor, struct plan_item *out,
    struct lf_error *err)
{
	return dept_answer(s, item_id, NULL, expect_version, actor, out, err);
}

int
plan_item_dept_return(struct store *s, int64_t item_id, const char *reason,
    int64_t expect_version, const char *actor, struct plan_item *out,
    struct lf_error *err)
{
	return dept_answer(s, item_id, reason != NULL ? reason : "",
	    expect_version, actor, out, err);
}

/* ---- deliveries ------------------------------------------------------ */

/* Checks the delivery's own values into w->dlv (no database). */
static int
delivery_check(const char *date, int64_t amount, const char *note,
    const char *client_id, struct plan_delivery *d, struct lf_error *err)
{
	int days;

	memset(d, 0, sizeof(*d));
	if (date == NULL || date_parse(date, &days) != 0)
		return lf_error_set(err, "invalid", "date", "发放日期无效 "
		    "(date: a real date YYYY-MM-DD)");
	snprintf(d->date, sizeof(d->date), "%s", date);
	if (amount < 0 || amount > PLAN_FUNDS_MAX)
		return lf_error_set(err, "invalid", "amount", "金额无效 "
		    "(amount: 0 to 10^11 fen)");
	d->amount = amount;
	if (client_id != NULL && plan_client_id_check(client_id, err) != 0)
		return -1;
	snprintf(d->client_id, sizeof(d->client_id), "%s",
	    client_id != NULL ? client_id : "");
	return plan_text_set(d->note, sizeof(d->note), note, "note", "备注",
	    0, err);
}

/* The delivery fits the item: its year, not in the future, a month
 * not yet delivered for a monthly item. */
static int
delivery_fits(struct store *s, const struct work *w,
    const struct plan_clock *now, struct lf_error *err)
{
	int days = 0, y, m, d, taken = 0;

	if (w->plan.status != PLAN_CONFIRMED ||
	    w->old.decision != DECISION_ACCEPTED)
		return lf_error_set(err, "state", "", "只能为已确认计划中采纳的"
		    "项目登记发放 (deliveries go to accepted items of "
		    "confirmed plans)");
	date_parse(w->dlv.date, &days);
	date_to_ymd(days, &y, &m, &d);
	if (y != w->old.year || days > now->today)
		return lf_error_set(err, "invalid", "date", "发放日期须在 %d 年"
		    "内且不晚于今天 (date: within %d and not in the future)",
		    w->old.year, w->old.year);
	if (w->old.monthly && plan_delivery_month_taken(s, w->old.id,
	    w->dlv.date, &taken, err) != 0)
		return -1;
	if (taken)
		return lf_error_set(err, "invalid", "date", "该月已有发放记录 "
		    "(date: a monthly item takes one delivery a month)");
	return 0;
}

/* The item after the delivery w->dlv. */
static int
item_delivered(struct store *s, struct work *w, struct lf_error *err)
{
	struct plan_item *it = &w->new;
	int m = plan_month_of(it->planned_month), n = 0;

	it->funds_spent += w->dlv.amount;
	if (it->actual_date[0] == '\0' ||
	    strcmp(w->dlv.date, it->actual_date) < 0)
		memcpy(it->actual_date, w->dlv.date, sizeof(it->actual_date));
	it->dept_state = DEPT_ACCEPTED;
	it->dept_reason[0] = '\0';
	it->edited = 1;
	if (it->monthly && plan_delivery_months(s, it, &n, err) != 0)
		return -1;
	if (!it->monthly || n >= 12 - (m ? m : 1) + 1) {
		it->status = ITEM_DONE;
		it->status_reason[0] = '\0';
	} else if (it->status != ITEM_DONE)
		it->status = ITEM_IN_PROGRESS;
	return 0;
}

static int
deliver(struct store *s, int64_t item_id, const char *actor,
    struct work *w, struct plan_delivery *out, struct plan_item *item_out,
    struct lf_error *err)
{
	struct plan_clock now;
	int rc;

	plan_clock_now(&now);
	if (w->dlv.client_id[0] != '\0') {
		rc = plan_delivery_by_client(s, w->dlv.client_id, out, err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (out->item_id != item_id)
				return lf_error_set(err, "conflict",
				    "client_id", "客户端编号已用于另一项目 "
				    "(client_id was used for another item)");
			rc = plan_item_load(s, item_id, item_out, err);
			return rc == 1 ? plan_not_found("item", item_id, err) :
			    rc;
		}
	}
	if (load_item(s, item_id, 0, w, err) != 0 ||
	    delivery_fits(s, w, &now, err) != 0)
		return -1;
	w->dlv.item_id = item_id;
	if (plan_delivery_insert(s, &w->dlv, w->old.region, actor, &now,
	    err) != 0 ||
	    item_delivered(s, w, err) != 0 ||
	    plan_item_save(s, &w->old, &w->new, actor, &now, NULL, err) != 0)
		return -1;
	*out = w->dlv;
	*item_out = w->new;
	return 0;
}

int
plan_delivery_add(struct store *s, int64_t item_id, const char *date,
    int64_t amount, const char *note, const char *client_id,
    const char *actor, struct plan_delivery *out,
    struct plan_item *item_out, struct lf_error *err)
{
	struct work *w = mem_alloc(sizeof(*w));
	struct plan_delivery *d = mem_alloc(sizeof(*d));
	struct plan_item *it = mem_alloc(sizeof(*it));
	enum plan_tx tx;
	int rc = -1;

	if (w == NULL || d == NULL || it == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	if (client_id != NULL && client_id[0] == '\0')
		client_id = NULL;
	if (actor == NULL)
		actor = "";
	if (delivery_check(date, amount, note, client_id, &w->dlv, err) != 0 ||
	    plan_tx_begin(s, &tx, err) != 0)
		goto out;
	rc = plan_tx_end(s, tx, deliver(s, item_id, actor, w, d, it, err),
	    err);
	if (rc == 0 && out != NULL)
		*out = *d;
	if (rc == 0 && item_out != NULL)
		*item_out = *it;
out:
	mem_free(w);
	mem_free(d);
	mem_free(it);
	return rc;
}

/*
 * quality_eval.c - the rules of one person's year (quality_eval() of
 * quality.h). Explanations are in Chinese, with catalog labels and
 * policy names, never codes alone.
 */
#include "core/quality.h"

#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "lib/utf8.h"

void
quality_hits_init(struct quality_hits *h)
{
	memset(h, 0, sizeof(*h));
}

void
quality_hits_free(struct quality_hits *h)
{
	mem_free(h->v);
	quality_hits_init(h);
}

/* Appends a hit; one per rule and item (a repeat is dropped). */
static int
hit(struct quality_hits *h, const struct quality_rule *q, int64_t item,
    const char *detail, struct lf_error *err)
{
	struct quality_hit *x;
	size_t i, n;

	for (i = 0; i < h->n; i++)
		if (h->v[i].rule == q->index && h->v[i].item_id == item)
			return 0;
	if (mem_grow(&h->v, &h->cap, h->n + 1, sizeof(*h->v), SIZE_MAX) != 0)
		return lf_error_nomem(err);
	x = &h->v[h->n++];
	x->rule = q->index;
	x->item_id = item;
	n = utf8_cut(detail, strlen(detail), sizeof(x->detail) - 1);
	memcpy(x->detail, detail, n);
	x->detail[n] = '\0';
	return 0;
}

/* The survey items the built-in kinds read (quality_fields()). */
static const char f_fill[] = "fill_date", f_card[] = "card_status";

static int
field_num(const struct record *r, const char *code, int64_t *v)
{
	const struct field *f;

	if (r == NULL || (f = catalog_find(r->cat, code, strlen(code))) ==
	    NULL || !r->set[f->index])
		return 0;
	*v = r->num[f->index];
	return 1;
}

/* The survey's fill date (days), or -1. */
static int
fill_date(const struct record *r)
{
	int64_t v;

	return field_num(r, f_fill, &v) ? (int)v : -1;
}

static int
exited(const struct quality_person *p)
{
	int64_t v;

	if (p->status == 2 || p->status == 3)
		return 1;
	return field_num(p->r, f_card, &v) && (v == 3 || v == 4);
}

static int
eval_expr(const struct quality_rule *q, const struct quality_person *p,
    const struct expr_ctx *ctx, struct quality_hits *out,
    struct lf_error *err)
{
	struct buf b;
	int rc;

	if (p->r == NULL || !expr_eval_ctx(q->cond, p->r, ctx))
		return 0;
	buf_init(&b, 4096);
	rc = expr_explain(q->cond, p->r, ctx, EXPR_ZH, &b);
	if (rc < 0 && b.len == 0) {
		buf_free(&b);
		return hit(out, q, 0, q->name_zh, err);
	}
	rc = hit(out, q, 0, buf_str(&b), err);
	buf_free(&b);
	return rc;
}

/* 1 when the plan answers for policy: an item not rejected, or rejected
 * with a reason. */
static int
planned(const struct quality_person *p, const char *policy)
{
	size_t i;

	for (i = 0; i < p->nitems; i++)
		if (strcmp(p->items[i].policy, policy) == 0 &&
		    (p->items[i].decision != 2 || p->items[i].has_reason))
			return 1;
	return 0;
}

static int
eval_unmet(const struct quality_rule *q, const struct quality_person *p,
    const struct planner_result *res, struct quality_hits *out,
    struct lf_error *err)
{
	char d[QUALITY_DETAIL_MAX];
	size_t i;

	if (!p->has_plan)
		return 0;
	for (i = 0; i < res->nitems; i++) {
		if (planned(p, res->items[i].policy->code))
			continue;
		snprintf(d, sizeof(d), "符合「%s」的条件且有相应需求, 但一人一策"
		    "中没有此项, 也没有不列入的理由", res->items[i].policy->name_zh);
		if (hit(out, q, 0, d, err) != 0)
			return -1;
		return 0;	/* one finding per person-year */
	}
	return 0;
}

static int
eval_exit_active(const struct quality_rule *q, const struct quality_person *p,
    struct quality_hits *out, struct lf_error *err)
{
	size_t i;

	if (!exited(p))
		return 0;
	for (i = 0; i < p->nitems; i++)
		if (p->items[i].decision == 1 && (p->items[i].status == 1 ||
		    p->items[i].status == 2) && hit(out, q, p->items[i].id,
		    "人员已死亡或迁出, 该服务项目仍在办(计划中或进行中)",
		    err) != 0)
			return -1;
	return 0;
}

/* Deliveries before (before = 1) or after the survey's fill date. */
static int
eval_dates(const struct quality_rule *q, const struct quality_person *p,
    int before, struct quality_hits *out, struct lf_error *err)
{
	char d[QUALITY_DETAIL_MAX], a[DATE_STRLEN + 1], b[DATE_STRLEN + 1];
	int fd = fill_date(p->r);
	size_t i;

	if (fd < 0 || (!before && !exited(p)))
		return 0;
	for (i = 0; i < p->ndl; i++) {
		if (before ? p->dl[i].date >= fd : p->dl[i].date <= fd)
			continue;
		date_format(fd, b);
		date_format(p->dl[i].date, a);
		snprintf(d, sizeof(d), before ? "交付日期 %s 早于当年入户调查"
		    "日期 %s" : "人员已死亡或迁出(%s 调查记录), 仍有 %s 的交付",
		    before ? a : b, before ? b : a);
		if (hit(out, q, p->dl[i].item_id, d, err) != 0)
			return -1;
	}
	return 0;
}

static int
eval_funds(const struct quality_rule *q, const struct quality_person *p,
    const struct planner_result *res, struct quality_hits *out,
    struct lf_error *err)
{
	char d[QUALITY_DETAIL_MAX];
	const struct quality_item *it;
	int64_t std, diff;
	size_t i, k;

	for (i = 0; i < p->nitems; i++) {
		it = &p->items[i];
		if (it->decision == 2 || it->policy[0] == '\0')
			continue;
		for (k = 0; k < res->nitems; k++)
			if (strcmp(res->items[k].policy->code, it->policy) == 0)
				break;
		if (k == res->nitems || (std = res->items[k].funds_fen) <= 0)
			continue;
		diff = it->funds_planned - std;
		if (diff < 0)
			diff = -diff;
		if (diff * 100 <= q->threshold * std)
			continue;
		snprintf(d, sizeof(d), "「%s」计划资金 %lld.%02lld 元, 政策标准 "
		    "%lld.%02lld 元, 偏差超过 %lld%%",
		    res->items[k].policy->name_zh,
		    (long long)(it->funds_planned / 100),
		    (long long)(it->funds_planned % 100),
		    (long long)(std / 100), (long long)(std % 100),
		    (long long)q->threshold);
		if (hit(out, q, it->id, d, err) != 0)
			return -1;
	}
	return 0;
}

static int
eval_one(const struct quality_rule *q, const struct quality_person *p,
    const struct expr_ctx *ctx, const struct planner_result *res,
    struct quality_hits *out, struct lf_error *err)
{
	switch (q->kind) {
	case QK_EXPR:
		return eval_expr(q, p, ctx, out, err);
	case QK_DUP_PERSON:
		return p->dup ? hit(out, q, 0, "另有一人姓名、性别、出生日期"
		    "与此人相同, 可能重复登记", err) : 0;
	case QK_UNMET_POLICY:
		return eval_unmet(q, p, res, out, err);
	case QK_EXIT_ACTIVE:
		return eval_exit_active(q, p, out, err);
	case QK_EXIT_DELIVERY:
		return eval_dates(q, p, 0, out, err);
	case QK_DELIVERY_BEFORE_SURVEY:
		return eval_dates(q, p, 1, out, err);
	case QK_FUNDS_OFF:
		return eval_funds(q, p, res, out, err);
	default:
		return 0;	/* surveyor_identical: quality_surveyors */
	}
}

int
quality_eval(const struct quality_rules *qr, const struct policies *ps,
    const struct disaster *dis, const struct quality_person *p,
    struct planner_result *scratch, struct quality_hits *out,
    struct lf_error *err)
{
	struct expr_ctx ctx;
	size_t i;

	out->n = 0;
	memset(&ctx, 0, sizeof(ctx));
	scratch->nitems = 0;
	if (p->r != NULL) {
		planner_ctx(p->r, p->year, p->village, dis, &ctx);
		if (planner_propose(ps, p->r, &ctx, 0, scratch, err) != 0)
			return -1;
	}
	for (i = 0; i < qr->n; i++)
		if (eval_one(&qr->v[i], p, &ctx, scratch, out, err) != 0)
			return -1;
	return 0;
}

static void
mark(const struct catalog *cat, const char *code, unsigned char *want)
{
	const struct field *f = catalog_find(cat, code, strlen(code));

	if (f != NULL)
		want[f->index] = 1;
}

void
quality_fields(const struct quality_rules *qr, const struct policies *ps,
    unsigned char *want)
{
	size_t i;

	for (i = 0; i < qr->n; i++)
		expr_fields(qr->v[i].cond, want, qr->cat->nfields);
	mark(qr->cat, f_fill, want);
	mark(qr->cat, f_card, want);
	if (ps != NULL)
		planner_fields(ps, want);
}

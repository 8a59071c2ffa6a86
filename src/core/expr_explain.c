/*
 * expr_explain.c - say why an expression holds or not for one record.
 *
 * An explanation is a list of facts, each a true statement about the
 * record, that together decide the result: "age 67 not in 16..59", "no
 * value for rural_poverty_status", "severe (disability_grade 2)". Facts
 * are joined with "and" (且): an "and" that holds and an "or" that fails
 * need every part, an "and" that fails and an "or" that holds need only
 * the first part that decided it. "not" adds no words of its own, since
 * its part's facts already say what is true. A derived name is one fact:
 * its name (or, in Chinese, its negative name when it fails) and in
 * parentheses the values it rests on, without the operators of its
 * definition. Items and options are named by their labels (English item
 * labels in English; option labels are the catalog's Chinese ones), never
 * by their codes: explanations are read by people.
 *
 * The walk is over the tree in expr_int.h; values come from the same
 * test code that expr_eval() runs, so the two cannot disagree. Appends
 * go to a capped buf; the first that fails makes the whole call fail.
 */
#include "core/expr.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

#include "lib/date.h"
#include "core/disaster.h"
#include "core/expr_int.h"

struct explainer {
	const struct expr	*e;
	const struct record	*r;
	const struct expr_ctx	*ctx;
	int			 zh;		/* EXPR_ZH */
	struct buf		*b;
	int			 nfacts;	/* facts in the current list */
	int			 inner;		/* in a derived name's () */
	int			 failed;	/* an append failed */
};

static int explain(struct explainer *x, int n);

static void
add(struct explainer *x, const char *s)
{
	if (buf_adds(x->b, s) != 0)
		x->failed = 1;
}

static void addf(struct explainer *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
addf(struct explainer *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (buf_vaddf(x->b, fmt, ap) != 0)
		x->failed = 1;
	va_end(ap);
}

/* English or Chinese. */
static void
say(struct explainer *x, const char *en, const char *zh)
{
	add(x, x->zh ? zh : en);
}

/* Starts a fact: the separator from the previous one. */
static void
begin_fact(struct explainer *x)
{
	if (x->nfacts++ == 0)
		return;
	if (x->inner)
		say(x, ", ", "、");
	else
		say(x, " and ", " 且 ");
}

static const struct field *
field_of(const struct explainer *x, const struct expr_insn *in)
{
	return in->field >= 0 ? &x->r->cat->fields[in->field] : NULL;
}

/* The item the rule used by its label: age, or the catalog's label. */
static void
put_name(struct explainer *x, const struct expr_insn *in)
{
	const struct field *f = field_of(x, in);

	if (f == NULL)
		say(x, "age", "年龄");
	else
		add(x, x->zh ? f->label_zh : f->label_en);
}

/* An option by its label, quoted ("“一般农户”"); a code the catalog lacks
 * as the number, and a plain number for age (f NULL). `label` is kept for
 * the callers' symmetry: options always show as labels. */
static void
put_option(struct explainer *x, const struct field *f, int64_t v, int label)
{
	const struct field_option *o = NULL;

	(void)label;
	if (f != NULL && v >= INT_MIN && v <= INT_MAX)
		o = field_option(f, (int)v);
	if (o == NULL) {
		addf(x, "%" PRId64, v);
		return;
	}
	if (x->zh)
		addf(x, "“%s”", o->label);
	else
		addf(x, "\"%s\"", o->label);
}

static void
put_mask(struct explainer *x, const struct field *f, uint64_t mask,
    int label)
{
	int c, n = 0;

	for (c = 0; c < 64; c++)
		if ((mask >> c) & 1) {
			if (n++ > 0)
				say(x, ", ", "、");
			put_option(x, f, c, label);
		}
	if (n == 0)
		say(x, "nothing", "无");
}

/* A number in the form of field f (NULL: age). */
static void
put_num(struct explainer *x, const struct field *f, int64_t v, int label)
{
	char d[DATE_STRLEN + 1];

	switch (f == NULL ? FT_INT : f->type) {
	case FT_ENUM:
		put_option(x, f, v, label);
		break;
	case FT_MULTI:
		put_mask(x, f, (uint64_t)v, label);
		break;
	case FT_BOOL:
		if (v)
			say(x, "yes", "是");
		else
			say(x, "no", "否");
		break;
	case FT_DATE:
		date_format((int)v, d);
		add(x, d);
		break;
	default:
		addf(x, "%" PRId64, v);
	}
}

/* The record's value for the test's field (which is set). */
static void
put_value(struct explainer *x, const struct expr_insn *in)
{
	const struct field *f = field_of(x, in);
	const struct record *r = x->r;

	if (f == NULL) {
		addf(x, "%d", date_age((int)r->num[in->birth],
		    x->ctx->ref_days));
		return;
	}
	switch (f->type) {
	case FT_TEXT:
	case FT_ID_NUMBER:
	case FT_PHONE:
		if (f->secret || f->type != FT_TEXT)
			add(x, "***");
		else
			addf(x, "'%s'", r->str[f->index]);
		break;
	default:
		put_num(x, f, r->num[f->index], 1);
	}
}

static void
put_set(struct explainer *x, const struct field *f,
    const struct expr_insn *in)
{
	size_t i;

	if (in->set == NULL) {
		put_mask(x, f, in->mask, 0);
		return;
	}
	for (i = 0; i < in->nset; i++) {
		if (i > 0)
			say(x, ", ", "、");
		put_num(x, f, in->set[i], 0);
	}
}

static void
put_cmp(struct explainer *x, enum expr_cmp c, int holds)
{
	static const enum expr_cmp neg[] = { C_NE, C_EQ, C_GE, C_GT, C_LE,
	    C_LT };
	static const char *const en[] = { "=", "!=", "<", "<=", ">", ">=" };
	static const char *const zh[] = { "等于", "不等于", "小于",
	    "小于等于", "大于", "大于等于" };

	if (!holds)
		c = neg[c];
	addf(x, " %s ", x->zh ? zh[c] : en[c]);
}

static void
put_has(struct explainer *x, const struct field *f,
    const struct expr_insn *in, int holds)
{
	int c = 0;

	if ((in->mask & (in->mask - 1)) == 0) {
		while (c < 63 && !((in->mask >> c) & 1))
			c++;
		if (holds)
			say(x, " has ", " 含 ");
		else
			say(x, " lacks ", " 不含 ");
		put_option(x, f, c, 0);
		return;
	}
	if (holds)
		say(x, " has one of ", " 含 ");
	else
		say(x, " has none of ", " 不含 ");
	put_mask(x, f, in->mask, 0);
	if (holds)
		say(x, "", " 之一");
	else
		say(x, "", " 中任何一项");
}

/* The operator and the rule's value(s), as a true statement. */
static void
put_relation(struct explainer *x, const struct expr_insn *in, int holds)
{
	const struct field *f = field_of(x, in);

	switch (in->kind) {
	case T_CMP:
		put_cmp(x, (enum expr_cmp)in->cmp, holds);
		put_num(x, f, in->a, 0);
		break;
	case T_STR:
		put_cmp(x, (enum expr_cmp)in->cmp, holds);
		addf(x, "'%s'", in->str);
		break;
	case T_IN:
		say(x, holds ? " in " : " not in ", holds ? " 属于 " :
		    " 不属于 ");
		put_set(x, f, in);
		break;
	case T_RANGE:
		say(x, holds ? " in " : " not in ", holds ? " 在 " :
		    " 不在 ");
		addf(x, "%" PRId64 "..%" PRId64, in->a, in->b);
		say(x, "", " 之内");
		break;
	case T_HAS_ANY:
		put_has(x, f, in, holds);
		break;
	}
}

/* The item the test reads has a value. */
static int
has_value(const struct explainer *x, const struct expr_insn *in)
{
	int f = in->field == EXPR_AGE_FIELD ? in->birth : in->field;

	if (!x->r->set[f])
		return 0;
	return in->kind != T_STR || x->r->str[f] != NULL;
}

static void
put_no_value(struct explainer *x, const struct expr_insn *in)
{
	const struct field *f = &x->r->cat->fields[in->field ==
	    EXPR_AGE_FIELD ? in->birth : in->field];

	if (x->zh)
		addf(x, "%s 未填写", f->label_zh);
	else
		addf(x, "no value for %s", f->label_en);
}

/* One test as a fact. */
static int
test_fact(struct explainer *x, const struct expr_insn *in)
{
	const struct field *f = field_of(x, in);
	int holds = expr_test_holds(in, x->r, x->ctx->ref_days);

	begin_fact(x);
	if (!has_value(x, in)) {
		put_no_value(x, in);
		return holds;
	}
	put_name(x, in);
	if (in->kind == T_TRUTHY && f != NULL && f->type != FT_BOOL &&
	    f->type != FT_MULTI) {
		say(x, " has a value", " 已填写");
		return holds;
	}
	add(x, " ");
	put_value(x, in);
	if (!x->inner && in->kind != T_TRUTHY)
		put_relation(x, in, holds);
	return holds;
}

/* The value of node n, without words. */
static int
value(const struct explainer *x, int n)
{
	const struct expr_node *nd = &x->e->nodes[n];
	int c;

	switch (nd->kind) {
	case N_TRUE:
		return 1;
	case N_TEST:
		return expr_test_holds(&x->e->code[nd->arg], x->r,
		    x->ctx->ref_days);
	case N_NOT:
		return !value(x, nd->child);
	case N_DERIVED:
		if (nd->child < 0)
			return expr_region_holds(x->ctx);
		return value(x, nd->child);
	case N_AND:
	case N_OR:
		for (c = nd->child; c >= 0; c = x->e->nodes[c].next)
			if (value(x, c) == (nd->kind == N_OR))
				return nd->kind == N_OR;
		return nd->kind != N_OR;
	}
	return 0;
}

/* An and/or chain: the first part equal to `decides` alone, else all. */
static int
chain(struct explainer *x, const struct expr_node *nd, int decides)
{
	int c;

	for (c = nd->child; c >= 0; c = x->e->nodes[c].next)
		if (value(x, c) == decides)
			return explain(x, c);
	for (c = nd->child; c >= 0; c = x->e->nodes[c].next)
		explain(x, c);
	return !decides;
}

/* disaster_region's facts: the village and year, and the area found. */
static void
region_facts(struct explainer *x)
{
	const struct expr_ctx *ctx = x->ctx;
	const struct disaster_area *a;

	if (ctx->disaster == NULL) {
		say(x, "no disaster table", "无灾区表");
		return;
	}
	if (ctx->village == 0) {
		say(x, "no village", "村/社区 未填写");
		return;
	}
	addf(x, x->zh ? "村/社区 %012" PRId64 "，%d年" : "village %012"
	    PRId64 ", %d", ctx->village, ctx->year);
	a = disaster_find(ctx->disaster, ctx->village, ctx->year);
	if (a != NULL)
		addf(x, x->zh ? "：%s %d..%d年" : ": %s %d..%d",
		    x->zh ? a->event_zh : a->event_en, a->from_year,
		    a->to_year);
}

static int
derived_fact(struct explainer *x, int n)
{
	const struct expr_node *nd = &x->e->nodes[n];
	const struct expr_derived *d = &expr_derived[nd->arg];
	int holds = value(x, n), saved_n = x->nfacts, saved_in = x->inner;

	begin_fact(x);
	if (x->zh)
		addf(x, "%s(", holds ? d->zh : d->zh_not);
	else
		addf(x, "%s (", holds ? d->en : d->en_not);
	x->nfacts = 0;
	x->inner = 1;
	if (nd->child < 0)
		region_facts(x);
	else
		explain(x, nd->child);
	x->nfacts = saved_n + 1;
	x->inner = saved_in;
	add(x, ")");
	return holds;
}

/* Appends the facts that decide node n; returns its value. */
static int
explain(struct explainer *x, int n)
{
	const struct expr_node *nd = &x->e->nodes[n];

	switch (nd->kind) {
	case N_TRUE:
	case N_FALSE:
		begin_fact(x);
		if (nd->kind == N_TRUE)
			say(x, "true", "恒成立");
		else
			say(x, "false", "恒不成立");
		return nd->kind == N_TRUE;
	case N_TEST:
		return test_fact(x, &x->e->code[nd->arg]);
	case N_NOT:
		return !explain(x, nd->child);
	case N_AND:
		return chain(x, nd, 0);
	case N_OR:
		return chain(x, nd, 1);
	case N_DERIVED:
		return derived_fact(x, n);
	}
	return 0;
}

int
expr_explain(const struct expr *e, const struct record *r,
    const struct expr_ctx *ctx, enum expr_lang lang, struct buf *b)
{
	static const struct expr_ctx none;
	struct explainer x;
	int holds;

	x.e = e;
	x.r = r;
	x.ctx = ctx != NULL ? ctx : &none;
	x.zh = lang == EXPR_ZH;
	x.b = b;
	x.nfacts = 0;
	x.inner = 0;
	x.failed = 0;
	holds = explain(&x, e->root);
	return x.failed ? -1 : holds;
}

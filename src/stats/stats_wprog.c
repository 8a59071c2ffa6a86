/*
 * stats_wprog.c - a rule compiled over the engine's columns and run on
 * the persons of one village block at a time (stats_wprog.h).
 */
#include "stats/stats_wprog.h"

#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "plan/planner.h"

#define MAX_STACK	256	/* as core/expr.c's evaluator */

/* Why step i cannot run over the engine, or 0 when it can. */
static int
unsupported(const struct stats *st, const struct expr_step *s,
    struct lf_error *err)
{
	const struct field *f = s->field >= 0 ? &st->cat->fields[s->field] :
	    NULL;
	int k = f != NULL ? st->col_of[s->field] : -1;

	if (f == NULL)
		return lf_error_set(err, "unsupported", "expression", "age "
		    "without a birth date item");
	if (k < 0)
		return lf_error_set(err, "unsupported", f->code, "%s is not "
		    "held by the statistics engine (secret item)", f->code);
	if (s->text || (st->cols[k].kind == SK_FILLED && !s->bare))
		return lf_error_set(err, "unsupported", f->code, "%s: the "
		    "statistics engine holds only whether the text is filled",
		    f->code);
	return 0;
}

void
wprog_decode(const struct stats_col *c, uint64_t v, struct record *r)
{
	const struct field *f = c->f;
	int64_t x = 0;
	size_t i;

	r->set[f->index] = v != 0;
	r->num[f->index] = 0;
	if (v == 0)
		return;
	switch (c->kind) {
	case SK_ENUM:
		x = v <= f->noptions ? f->options[v - 1].code : -1;
		break;
	case SK_BOOL:
		x = (int64_t)v - 1;
		break;
	case SK_MULTI:
		for (i = 0; i < c->ncols; i++)
			if ((v >> i) & 1)
				x |= (int64_t)1 << f->options[i].code;
		break;
	default:
		break;
	}
	r->num[f->index] = x;
}

/* The table of a test over every stored value of a 1- or 2-byte
 * column. */
static int
make_lut(struct wprog *p, size_t i, struct wstep *w)
{
	const struct stats_col *c = &p->st->cols[w->k];
	size_t v, n = (size_t)1 << (8 * c->width);

	if ((w->lut = mem_alloc(n)) == NULL)
		return -1;
	for (v = 0; v < n; v++) {
		wprog_decode(c, v, p->rec);
		w->lut[v] = expr_step_holds(p->e, i, p->rec, 0) ? WALL : 0;
	}
	p->rec->set[c->f->index] = 0;
	return 0;
}

/* The years bits of an age test for age a at the survey's date (age + k
 * k years on), or WEVAL when some year is not in the table. */
static unsigned char
year_mask(const struct wstep *w, int a)
{
	unsigned char m = 0;
	int k;

	for (k = 0; k <= BUDGET_YEARS; k++) {
		if (a + k >= WAGES - 1 || w->alut[a + k + 1] < 0)
			return WEVAL;
		m |= (unsigned char)(w->alut[a + k + 1] << k);
	}
	return m;
}

/* The table of an age test by age: the test run on a birth date and a
 * reference date exactly a years apart (core/expr.c's age). */
static int
make_alut(struct wprog *p, size_t i, struct wstep *w)
{
	int f = w->s.field, ref, birth, a;

	if ((w->alut = mem_alloc(WAGES)) == NULL ||
	    date_from_ymd(2100, 7, 1, &ref) != 0)
		return -1;
	for (a = -1; a < WAGES - 1; a++) {
		w->alut[a + 1] = -1;
		if (date_from_ymd(2100 - a, 7, 1, &birth) != 0 ||
		    date_age(birth, ref) != a)
			continue;
		p->rec->set[f] = 1;
		p->rec->num[f] = birth;
		w->alut[a + 1] = (signed char)expr_step_holds(p->e, i, p->rec,
		    ref);
	}
	p->rec->set[f] = 0;
	for (a = -1; a < WAGES - 1; a++)
		w->amask[a + 1] = year_mask(w, a);
	return 0;
}

static int
compile_step(struct wprog *p, size_t i, struct lf_error *err)
{
	struct wstep *w = &p->steps[i];
	const struct stats_col *c;

	expr_step(p->e, i, &w->s);
	p->ctxdep |= w->s.op == EXPR_S_REGION;
	if (w->s.op != EXPR_S_TEST)
		return 0;
	if (unsupported(p->st, &w->s, err) != 0)
		return -1;
	w->k = p->st->col_of[w->s.field];
	c = &p->st->cols[w->k];
	p->ages |= w->s.age;
	p->ctxdep |= w->s.age;
	if (w->s.age)
		w->mode = W_AGE;
	else if (c->kind == SK_BAND)
		w->mode = W_EXACT;
	else if (c->width <= 2)
		w->mode = W_LUT;
	else
		w->mode = W_DECODE;
	if ((w->mode == W_LUT && make_lut(p, i, w) != 0) ||
	    (w->mode == W_AGE && make_alut(p, i, w) != 0))
		return lf_error_nomem(err);
	return 0;
}

/* The kept column of the reference date, needed when age is tested. */
static int
ref_column(struct wprog *p, struct lf_error *err)
{
	int f = planner_ref_field(p->st->cat);

	p->ref_k = f >= 0 ? p->st->col_of[f] : -1;
	if (p->ages && p->st->age_k < 0)
		return lf_error_set(err, "unsupported", "fill_date", "the "
		    "reference date is not held exactly");
	return 0;
}

int
wprog_compile(struct wprog *p, const struct stats *st, const struct expr *e,
    size_t cap, struct lf_error *err)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->st = st;
	p->e = e;
	p->n = expr_nsteps(e);
	p->depth = expr_stack(e);
	p->cap = cap;
	p->steps = mem_calloc(p->n + 1, sizeof(*p->steps));
	p->rec = record_new(st->cat);
	p->stk = mem_alloc((p->depth + 1) * (cap + 1));
	if (p->steps == NULL || p->rec == NULL || p->stk == NULL)
		return lf_error_nomem(err);
	for (i = 0; i < p->n; i++)
		if (compile_step(p, i, err) != 0)
			return -1;
	return ref_column(p, err);
}

void
wprog_free(struct wprog *p)
{
	size_t i;

	for (i = 0; p->steps != NULL && i < p->n; i++) {
		mem_free(p->steps[i].lut);
		mem_free(p->steps[i].alut);
	}
	mem_free(p->steps);
	mem_free(p->stk);
	record_free(p->rec);
	memset(p, 0, sizeof(*p));
}

/* ref_days moved k years on (budget_ctx_years_on()), remembered: a
 * year's surveys have few distinct dates. */
static int
shifted(struct wprog *p, int days, int k)
{
	size_t h = ((size_t)k * WMEMO + ((unsigned)days % WMEMO));
	struct expr_ctx one, at;

	if (p->mkey[h] != days || !p->mset[h]) {
		one = p->base;
		one.ref_days = days;
		budget_ctx_years_on(&one, k, &at);
		p->mkey[h] = days;
		p->mval[h] = at.ref_days;
		p->mset[h] = 1;
	}
	return p->mval[h];
}

void
wprog_base(struct wprog *p, const struct expr_ctx *ctx)
{
	p->base = *ctx;
}

void
wprog_prefetch(const struct wprog *p, const struct stats_vblock *b)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->steps[i].s.op == EXPR_S_TEST)
			__builtin_prefetch(stats_colp(b, p->steps[i].mode ==
			    W_AGE ? p->st->pos_age :
			    p->st->cols[p->steps[i].k].pos));
}

/* The reference date of person j k years on: the survey's date, or
 * the context's (planner_ctx()), moved as budget_ctx_years_on(). */
static int
ref_of(struct wprog *p, const struct stats_vblock *b, uint32_t j, int k)
{
	const int64_t *x;

	if (p->ref_k < 0 || stats_get(p->st, b, (size_t)p->ref_k, j) == 0)
		return shifted(p, p->base.ref_days, k);
	x = (const int64_t *)(const void *)stats_colp(b,
	    p->st->cols[p->ref_k].xpos);
	return shifted(p, (int)x[j], k);
}

/* Age test step i for person j from the dates, each year, as core/expr.c
 * evaluates it. */
static unsigned char
age_exact(struct wprog *p, size_t i, const struct stats_vblock *b,
    uint32_t j)
{
	const struct stats_col *c = &p->st->cols[p->steps[i].k];
	const int64_t *x = (const int64_t *)(const void *)stats_colp(b,
	    c->xpos);
	unsigned char m = 0;
	int k;

	p->rec->set[c->f->index] = 1;
	p->rec->num[c->f->index] = x[j];
	for (k = 0; k <= BUDGET_YEARS; k++)
		m |= (unsigned char)(expr_step_holds(p->e, i, p->rec,
		    ref_of(p, b, j, k)) << k);
	p->rec->set[c->f->index] = 0;
	return m;
}

/*
 * Age test step i over the block's persons into out. Age k years on is
 * the age column plus k (the date moves k whole years, month and day
 * kept): the step's table gives the bits of every year at once; the
 * persons the column marks STATS_AGE_EXACT, and ages past the table, are
 * evaluated from the dates.
 */
static void
run_age(struct wprog *p, size_t i, const struct stats_vblock *b,
    unsigned char *out)
{
	const struct wstep *w = &p->steps[i];
	const int16_t *ag = (const int16_t *)(const void *)stats_colp(b,
	    p->st->pos_age);
	unsigned char m;
	uint32_t j;

	for (j = 0; j < b->n; j++) {
		m = ag[j] >= 0 && ag[j] < WAGES - 1 ? w->amask[ag[j] + 1] :
		    WEVAL;
		if (m == WEVAL)
			m = ag[j] == STATS_AGE_NONE ? 0 :	/* the test fails */
			    age_exact(p, i, b, j);
		out[j] = m;
	}
}

/* Test step i over the block's persons into out. */
static void
run_test(struct wprog *p, size_t i, const struct stats_vblock *b,
    unsigned char *out)
{
	const struct wstep *w = &p->steps[i];
	const struct stats_col *c = &p->st->cols[w->k];
	const unsigned char *col = stats_colp(b, c->pos);
	const int64_t *x;
	int f = c->f->index;
	uint32_t j;

	if (w->mode == W_AGE) {
		run_age(p, i, b, out);
		return;
	}
	if (w->mode == W_LUT && c->width == 1) {
		for (j = 0; j < b->n; j++)
			out[j] = w->lut[col[j]];
		return;
	}
	if (w->mode == W_LUT) {
		for (j = 0; j < b->n; j++)
			out[j] = w->lut[((const uint16_t *)(const void *)
			    col)[j]];
		return;
	}
	x = (const int64_t *)(const void *)stats_colp(b, c->xpos);
	for (j = 0; j < b->n; j++) {
		if (w->mode == W_DECODE)
			wprog_decode(c, stats_get(p->st, b, (size_t)w->k, j), p->rec);
		else {
			p->rec->set[f] = stats_get(p->st, b, (size_t)w->k, j)
			    != 0;
			p->rec->num[f] = p->rec->set[f] ? x[j] : 0;
		}
		out[j] = expr_step_holds(p->e, i, p->rec, 0) ? WALL : 0;
	}
	p->rec->set[f] = 0;
}

/* "and" / "or" of a and b into a; "not" of a. */
static void
combine(enum expr_step_op op, unsigned char *a, const unsigned char *b,
    uint32_t n)
{
	uint32_t j;

	if (op == EXPR_S_NOT)
		for (j = 0; j < n; j++)
			a[j] ^= WALL;
	else if (op == EXPR_S_AND)
		for (j = 0; j < n; j++)
			a[j] &= b[j];
	else
		for (j = 0; j < n; j++)
			a[j] |= b[j];
}

/* Step i with sp values on the stack; the new sp. */
static size_t
run_step(struct wprog *p, size_t i, const struct stats_vblock *b,
    const struct expr_ctx *at, size_t sp)
{
	unsigned char m = 0;
	int k;

	size_t w = p->cap + 1;
	unsigned char *top = p->stk + sp * w;
	enum expr_step_op op = p->steps[i].s.op;

	switch (op) {
	case EXPR_S_TRUE:
	case EXPR_S_FALSE:
		memset(top, op == EXPR_S_TRUE ? WALL : 0, b->n);
		return sp + 1;
	case EXPR_S_REGION:
		for (k = 0; k <= BUDGET_YEARS; k++)
			m |= (unsigned char)(expr_step_region(&at[k]) << k);
		memset(top, m, b->n);
		return sp + 1;
	case EXPR_S_TEST:
		run_test(p, i, b, top);
		return sp + 1;
	case EXPR_S_NOT:
		combine(op, top - w, NULL, b->n);
		return sp;
	default:
		combine(op, top - 2 * w, top - w, b->n);
		return sp - 1;
	}
}

const unsigned char *
wprog_run(struct wprog *p, const struct stats_vblock *b,
    const struct expr_ctx at[BUDGET_YEARS + 1])
{
	size_t i, sp = 0;

	if (p->depth > MAX_STACK || p->n == 0) {
		memset(p->stk, 0, b->n);	/* expr.c: never holds */
		return p->stk;
	}
	for (i = 0; i < p->n; i++)
		sp = run_step(p, i, b, at, sp);
	if (sp != 1)
		memset(p->stk, 0, b->n);
	return p->stk;
}

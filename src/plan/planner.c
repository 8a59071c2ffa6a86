/*
 * planner.c - 一人一策 proposals from one survey (see planner.h).
 *
 * One pass marks the need items answered yes (marks[field], and the list
 * res->yes) and the policies they trigger (marks[nfields + p]); a second
 * walks the policies in table order and evaluates the eligibility only of
 * those marked, recording the outcome beside the mark and, in the need
 * marks, the needs each proposal names (MARK_MET). The unmet needs are
 * the yes needs left unnamed. Arrays in the result only grow, so once a
 * result has served a person with many items, later calls allocate
 * nothing (PLANNER_EXPLAIN aside: its texts go to a growing buffer).
 *
 * Explanation texts are appended to res->text as NUL-separated strings;
 * the buffer may move while it grows, so offsets are kept in res->offs
 * and turned into pointers at the end.
 */
#include "plan/planner.h"

#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"

_Static_assert(PLANNER_MAX_NEEDS >= POLICY_MAX_TRIGGERS,
    "an item of a policy with items \"one\" names all its triggers");

#define MARK_YES	0x01	/* need field answered yes */
#define MARK_MET	0x02	/* named by a proposal */
#define POL_TRIGGERED	0x01	/* policy: a trigger need is yes */
#define POL_ELIGIBLE	0x02

#define TEXT_MAX	((size_t)4 << 20)	/* bytes of explanations */
#define UMBRELLA	"_need_any"

/* What one call works with. */
struct run {
	const struct policies	*ps;
	const struct catalog	*cat;
	const struct record	*r;
	const struct expr_ctx	*ctx;
	struct planner_result	*res;
	int			 explain;
	int			 month;
	unsigned char		*pol;		/* marks of the policies */
};

void
planner_result_init(struct planner_result *res)
{
	memset(res, 0, sizeof(*res));
	buf_init(&res->text, TEXT_MAX);
}

void
planner_result_free(struct planner_result *res)
{
	mem_free(res->items);
	mem_free(res->unmet);
	mem_free(res->marks);
	mem_free(res->yes);
	mem_free(res->offs);
	buf_free(&res->text);
	planner_result_init(res);
}

int
planner_need_is_umbrella(const struct field *f)
{
	size_t n = strlen(f->code), u = sizeof(UMBRELLA) - 1;

	return n > u && strcmp(f->code + n - u, UMBRELLA) == 0;
}

static size_t
group_len(const char *code)
{
	const char *us = strchr(code, '_');

	return us != NULL ? (size_t)(us - code) : strlen(code);
}

int
planner_same_group(const struct field *a, const struct field *b)
{
	size_t n = group_len(a->code);

	return n == group_len(b->code) && memcmp(a->code, b->code, n) == 0;
}

/* Need field f of r is yes, given its type and exclusive code. */
static int
need_yes(int type, int exclusive, const struct record *r, int f)
{
	int64_t v;

	if (!r->set[f])
		return 0;
	v = r->num[f];
	switch (type) {
	case FT_BOOL:
		return v != 0;
	case FT_MULTI:
		if (exclusive >= 0)
			v &= ~((int64_t)1 << exclusive);
		return v != 0;
	case FT_ENUM:
		return exclusive < 0 || v != exclusive;
	default:
		return 1;	/* no other type is a need in the catalog */
	}
}

int
planner_need_yes(const struct catalog *cat, const struct record *r, int f)
{
	if (f < 0 || (size_t)f >= cat->nfields)
		return 0;
	return need_yes((int)cat->fields[f].type, cat->fields[f].exclusive, r,
	    f);
}

/* The planned month: the one after the survey date when that lies in
 * the survey year, else January; December at the latest. */
int
planner_month(const struct expr_ctx *ctx)
{
	int y, m, d;

	if (ctx == NULL)
		return 1;
	date_to_ymd(ctx->ref_days, &y, &m, &d);
	if (y != ctx->year)
		return 1;
	return m < 12 ? m + 1 : 12;
}

/* Marks the needs answered yes (and lists them) and the policies they
 * trigger. */
static int
mark_needs(struct run *rn)
{
	const struct catalog *cat = rn->cat;
	struct planner_result *res = rn->res;
	const struct policy_need *nd;
	const int *pl;
	size_t i, j, n;

	memset(res->marks, 0, cat->nfields + rn->ps->n);
	if (mem_grow(&res->yes, &res->yes_cap, rn->ps->nneeds + 1,
	    sizeof(*res->yes), SIZE_MAX) != 0)
		return -1;
	res->nyes = 0;
	for (i = 0; i < rn->ps->nneeds; i++) {
		nd = &rn->ps->needs[i];
		if (!need_yes(nd->type, nd->exclusive, rn->r, nd->field))
			continue;
		res->marks[nd->field] = MARK_YES;
		res->yes[res->nyes++] = nd->field;
		pl = policy_triggered_by(rn->ps, nd->field, &n);
		for (j = 0; j < n; j++)
			rn->pol[pl[j]] = POL_TRIGGERED;
	}
	return 0;
}

static int
yes(const struct run *rn, int f)
{
	return rn->res->marks[f] & MARK_YES;
}

/* Ends a text begun at the buffer's length with its NUL. */
static int
text_end(struct run *rn)
{
	return buf_addc(&rn->res->text, '\0');
}

/* Explains e in both languages; offsets of the texts in off[0..1]. */
static int
explain_both(struct run *rn, const struct expr *e, size_t off[2], int *ok)
{
	struct buf *b = &rn->res->text;

	off[0] = b->len;
	if ((*ok = expr_explain(e, rn->r, rn->ctx, EXPR_ZH, b)) < 0 ||
	    text_end(rn) != 0)
		return -1;
	off[1] = b->len;
	if (expr_explain(e, rn->r, rn->ctx, EXPR_EN, b) < 0 ||
	    text_end(rn) != 0)
		return -1;
	return 0;
}

static int
push_offs(struct run *rn, size_t n, const size_t off[2])
{
	struct planner_result *res = rn->res;

	if (mem_grow(&res->offs, &res->offs_cap, 2 * (n + 1),
	    sizeof(*res->offs), SIZE_MAX) != 0)
		return -1;
	res->offs[2 * n] = off[0];
	res->offs[2 * n + 1] = off[1];
	return 0;
}

static int
add_item(struct run *rn, const struct policy *p, const int *needs,
    size_t nneeds, const struct policy_amount *a, const size_t why[2])
{
	struct planner_result *res = rn->res;
	struct planner_item *it;
	size_t i;

	if (mem_grow(&res->items, &res->items_cap, res->nitems + 1,
	    sizeof(*res->items), SIZE_MAX) != 0)
		return -1;
	if (rn->explain && push_offs(rn, res->nitems, why) != 0)
		return -1;
	it = &res->items[res->nitems++];
	it->policy = p;
	for (i = 0; i < nneeds; i++) {
		it->needs[i] = needs[i];
		res->marks[needs[i]] |= MARK_MET;
	}
	it->nneeds = nneeds;
	it->amount = a;
	it->month = rn->month;
	it->monthly = a != NULL && a->per == PER_MONTH;
	if (a == NULL)
		it->funds_fen = 0;
	else if (it->monthly)
		it->funds_fen = a->fen * 12;	/* the yearly figure */
	else
		it->funds_fen = a->fen;
	it->why_zh = it->why_en = NULL;
	return 0;
}

/* Another trigger of p than t is yes. */
static int
other_yes(const struct run *rn, const struct policy *p, int t)
{
	size_t i;

	for (i = 0; i < p->ntriggers; i++)
		if (p->triggers[i] != t && yes(rn, p->triggers[i]))
			return 1;
	return 0;
}

static int
propose_items(struct run *rn, const struct policy *p, const size_t why[2])
{
	const struct policy_amount *a = NULL;
	int needs[PLANNER_MAX_NEEDS];
	size_t i, n = 0;

	if (policy_amount(rn->ps, p, rn->r, rn->ctx, &a) != 0)
		a = NULL;
	for (i = 0; i < p->ntriggers; i++) {
		int t = p->triggers[i];

		if (!yes(rn, t))
			continue;
		if (!p->per_need) {
			needs[n++] = t;
			continue;
		}
		if (planner_need_is_umbrella(&rn->cat->fields[t]) &&
		    other_yes(rn, p, t))
			continue;
		if (add_item(rn, p, &t, 1, a, why) != 0)
			return -1;
	}
	if (!p->per_need)
		return add_item(rn, p, needs, n, a, why);
	return 0;
}

static int
consider(struct run *rn, const struct policy *p)
{
	size_t why[2] = { 0, 0 };
	int ok;

	if (rn->explain) {
		if (explain_both(rn, p->elig, why, &ok) != 0)
			return -1;
	} else
		ok = expr_eval_ctx(p->elig, rn->r, rn->ctx);
	if (ok)
		rn->pol[p->index] |= POL_ELIGIBLE;
	return ok ? propose_items(rn, p, why) : 0;
}

/* An item names a need of umbrella u's group. */
static int
group_named(const struct run *rn, int u)
{
	const struct field *fu = &rn->cat->fields[u];
	size_t i, j;

	for (i = 0; i < rn->res->nitems; i++)
		for (j = 0; j < rn->res->items[i].nneeds; j++)
			if (planner_same_group(fu,
			    &rn->cat->fields[rn->res->items[i].needs[j]]))
				return 1;
	return 0;
}

/* Why need f is unmet, in one language, appended to the text. */
static int
why_unmet(struct run *rn, int f, enum expr_lang lang)
{
	struct buf *b = &rn->res->text;
	const int *pl;
	size_t n, i;

	if ((pl = policy_triggered_by(rn->ps, f, &n)) == NULL)
		return buf_adds(b, lang == EXPR_ZH ? "没有对应的政策" :
		    "no policy for this need");
	for (i = 0; i < n; i++) {
		const struct policy *p = &rn->ps->v[pl[i]];

		/* the policy by its name: its code is for machines */
		if (buf_addf(b, "%s%s: ", i > 0 ? (lang == EXPR_ZH ? "；" :
		    "; ") : "", lang == EXPR_ZH ? p->name_zh : p->name_en) != 0)
			return -1;
		if (rn->pol[p->index] & POL_ELIGIBLE) {
			if (buf_adds(b, lang == EXPR_ZH ? "已为同组其他需求提出" :
			    "proposed for other needs") != 0)
				return -1;
		} else if (expr_explain(p->elig, rn->r, rn->ctx, lang, b) < 0)
			return -1;
	}
	return 0;
}

static int
add_unmet(struct run *rn, int f)
{
	struct planner_result *res = rn->res;
	size_t off[2];

	if (mem_grow(&res->unmet, &res->unmet_cap, res->nunmet + 1,
	    sizeof(*res->unmet), SIZE_MAX) != 0)
		return -1;
	if (rn->explain) {
		off[0] = res->text.len;
		if (why_unmet(rn, f, EXPR_ZH) != 0 || text_end(rn) != 0)
			return -1;
		off[1] = res->text.len;
		if (why_unmet(rn, f, EXPR_EN) != 0 || text_end(rn) != 0 ||
		    push_offs(rn, res->nitems + res->nunmet, off) != 0)
			return -1;
	}
	res->unmet[res->nunmet].need = f;
	res->unmet[res->nunmet].why_zh = NULL;
	res->unmet[res->nunmet].why_en = NULL;
	res->nunmet++;
	return 0;
}

static int
collect_unmet(struct run *rn)
{
	size_t i;
	int f;

	for (i = 0; i < rn->res->nyes; i++) {
		f = rn->res->yes[i];
		if (rn->res->marks[f] & MARK_MET)
			continue;
		if (planner_need_is_umbrella(&rn->cat->fields[f]) &&
		    group_named(rn, f))
			continue;
		if (add_unmet(rn, f) != 0)
			return -1;
	}
	return 0;
}

static void
resolve_texts(struct planner_result *res)
{
	const char *t = buf_str(&res->text);
	size_t i, k;

	for (i = 0; i < res->nitems; i++) {
		res->items[i].why_zh = t + res->offs[2 * i];
		res->items[i].why_en = t + res->offs[2 * i + 1];
	}
	for (i = 0; i < res->nunmet; i++) {
		k = res->nitems + i;
		res->unmet[i].why_zh = t + res->offs[2 * k];
		res->unmet[i].why_en = t + res->offs[2 * k + 1];
	}
}

int
planner_propose(const struct policies *ps, const struct record *r,
    const struct expr_ctx *ctx, unsigned flags, struct planner_result *res,
    struct lf_error *err)
{
	struct run rn;
	size_t i;

	res->nitems = res->nunmet = 0;
	buf_reset(&res->text);
	if (mem_grow(&res->marks, &res->marks_cap, ps->cat->nfields + ps->n, 1,
	    SIZE_MAX) != 0)
		goto oom;
	rn.ps = ps;
	rn.cat = ps->cat;
	rn.r = r;
	rn.ctx = ctx;
	rn.res = res;
	rn.explain = (flags & PLANNER_EXPLAIN) != 0;
	rn.month = planner_month(ctx);
	rn.pol = res->marks + ps->cat->nfields;
	if (mark_needs(&rn) != 0)
		goto oom;
	for (i = 0; i < ps->n; i++)
		if ((rn.pol[i] & POL_TRIGGERED) && consider(&rn, &ps->v[i]) != 0)
			goto oom;
	if (collect_unmet(&rn) != 0)
		goto oom;
	if (rn.explain)
		resolve_texts(res);
	return 0;
oom:
	res->nitems = res->nunmet = 0;
	return lf_error_set(err, "no_memory", "", "%s", "内存不足或说明过长 "
	    "(out of memory, or the explanations exceed their cap)");
}

void
planner_fields(const struct policies *ps, unsigned char *want)
{
	size_t i, k, n = ps->cat->nfields;
	int ref = planner_ref_field(ps->cat);

	for (i = 0; i < ps->nneeds; i++)
		if (ps->needs[i].field >= 0 && (size_t)ps->needs[i].field < n)
			want[ps->needs[i].field] = 1;
	for (i = 0; i < ps->n; i++) {
		for (k = 0; k < ps->v[i].ntriggers; k++)
			if (ps->v[i].triggers[k] >= 0 &&
			    (size_t)ps->v[i].triggers[k] < n)
				want[ps->v[i].triggers[k]] = 1;
		expr_fields(ps->v[i].elig, want, n);
	}
	for (i = 0; i < ps->namounts; i++)
		expr_fields(ps->amounts[i].when, want, n);
	if (ref >= 0)
		want[ref] = 1;
}

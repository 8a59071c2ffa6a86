/*
 * budget.c - sharing ratios, splits and the projection (budget.h).
 */
#include "core/budget.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tsv.h"
#include "lib/date.h"
#include "lib/embedded.h"
#include "lib/mem.h"

#define NCOLS	6	/* policy region province city county note */

static const char *const colnames[NCOLS] = { "policy", "region",
	"province", "city", "county", "note" };

void
budget_shares_free(struct budget_shares *b)
{
	if (b == NULL)
		return;
	mem_free(b->v);
	mem_free(b);
}

static int
bad(struct lf_error *err, const char *file, int line, int col,
    const char *why)
{
	return tsv_error(err, "budget_file", colnames[col], file,
	    (unsigned long)line, (unsigned)col + 1, why);
}

static int
parse_row(char **f, size_t nf, const struct policies *ps,
    struct budget_share *row, const char *file, int line,
    struct lf_error *err)
{
	size_t i, len;
	char *end;
	long v;
	int sum = 0;

	if (nf < NCOLS - 1)
		return bad(err, file, line, (int)nf, "缺少列 (missing "
		    "column)");
	if (strcmp(f[0], "*") != 0 && policy_find(ps, f[0]) == NULL)
		return bad(err, file, line, 0, "未知政策 (unknown policy)");
	len = strlen(f[1]);
	if (len < 2 || len > 12 || strspn(f[1], "0123456789") != len)
		return bad(err, file, line, 1, "区划应为 2-12 位数字 (region: "
		    "2-12 digits)");
	snprintf(row->policy, sizeof(row->policy), "%s", f[0]);
	memcpy(row->region, f[1], len + 1);
	for (i = 0; i < BUDGET_LEVELS; i++) {
		v = strtol(f[2 + i], &end, 10);
		if (f[2 + i][0] == '\0' || *end != '\0' || v < 0 || v > 100)
			return bad(err, file, line, 2 + (int)i, "应为 0-100 的"
			    "整数 (must be a whole percentage 0-100)");
		row->pct[i] = (int)v;
		sum += (int)v;
	}
	if (sum != 100)
		return bad(err, file, line, 4, "三级比例之和应为 100 (the three "
		    "shares must add up to 100)");
	return 0;
}

static int
parse_lines(char *text, const char *file, const struct policies *ps,
    struct budget_shares *b, size_t cap, struct lf_error *err)
{
	char *p = text, *line, *f[NCOLS];
	unsigned long lineno = 0;
	int header = 1;
	size_t nf;

	while ((line = tsv_next(&p, &lineno)) != NULL) {
		if ((nf = tsv_split(line, f, NCOLS)) > NCOLS)
			nf = NCOLS;	/* further columns are ignored */
		if (header) {
			header = 0;
			if (nf != NCOLS || strcmp(f[0], "policy") != 0 ||
			    strcmp(f[4], "county") != 0)
				return bad(err, file, lineno, 0, "表头应为 policy "
				    "region province city county note (header)");
			continue;
		}
		if (b->n == cap)
			return bad(err, file, lineno, 0, "行数过多 (too many "
			    "rows)");
		if (parse_row(f, nf, ps, &b->v[b->n], file, lineno, err) != 0)
			return -1;
		b->n++;
	}
	if (header)
		return bad(err, file, 1, 0, "缺少表头 (no header)");
	return 0;
}

int
budget_shares_parse(const char *text, size_t len, const char *file,
    const struct policies *ps, struct budget_shares **out,
    struct lf_error *err)
{
	struct budget_shares *b;
	char *copy;
	size_t lines;
	int rc;

	*out = NULL;
	lines = tsv_lines(text, len);
	b = mem_calloc(1, sizeof(*b));
	copy = mem_strndup(text, len);
	if (b == NULL || copy == NULL ||
	    (b->v = mem_calloc(lines, sizeof(*b->v))) == NULL) {
		mem_free(copy);
		budget_shares_free(b);
		return lf_error_nomem(err);
	}
	rc = parse_lines(copy, file, ps, b, lines, err);
	mem_free(copy);
	if (rc != 0) {
		budget_shares_free(b);
		return -1;
	}
	*out = b;
	return 0;
}

int
budget_shares_load(const struct policies *ps, struct budget_shares **out,
    struct lf_error *err)
{
	struct embedded_file f;

	if (embedded_get("data/budget_shares.tsv", &f) != 0)
		return lf_error_set(err, "budget_file", "", "缺少 "
		    "budget_shares.tsv (file missing)");
	return budget_shares_parse(f.data, f.len, "budget_shares.tsv", ps, out,
	    err);
}

static const struct budget_share *
find_policy(const struct budget_shares *b, const char *policy,
    const char *village)
{
	const struct budget_share *best = NULL;
	size_t i, len, blen = 0;

	for (i = 0; i < b->n; i++) {
		if (strcmp(b->v[i].policy, policy) != 0)
			continue;
		len = strlen(b->v[i].region);
		if (strncmp(b->v[i].region, village, len) == 0 && len > blen) {
			best = &b->v[i];
			blen = len;
		}
	}
	return best;
}

const struct budget_share *
budget_share_find(const struct budget_shares *b, const char *policy,
    const char *village)
{
	const struct budget_share *row = NULL;

	if (policy != NULL && policy[0] != '\0')
		row = find_policy(b, policy, village);
	return row != NULL ? row : find_policy(b, "*", village);
}

void
budget_split(int64_t cost, const struct budget_share *row,
    int64_t out[BUDGET_LEVELS])
{
	if (row == NULL) {
		out[0] = cost;
		out[1] = out[2] = 0;
		return;
	}
	out[0] = cost * row->pct[0] / 100;
	out[1] = cost * row->pct[1] / 100;
	out[2] = cost - out[0] - out[1];
}

int64_t
budget_yearly(int64_t amount, int per)
{
	return per == PER_MONTH ? amount * 12 : amount;
}

static void
tot_add(struct budget_tot *t, int64_t cost, const int64_t lv[BUDGET_LEVELS])
{
	int i;

	t->persons++;
	t->cost += cost;
	for (i = 0; i < BUDGET_LEVELS; i++)
		t->level[i] += lv[i];
}

struct budget_child *
budget_child_of(struct budget_scen *s, const char *village,
    struct lf_error *err)
{
	size_t i;

	for (i = 0; i < s->nchild; i++)
		if (strncmp(s->child[i].code, village, (size_t)s->child_len)
		    == 0)
			return &s->child[i];
	if (s->nchild == BUDGET_CHILDREN) {
		lf_error_set(err, "too_many", "region", "下级区划过多 (too many "
		    "child regions)");
		return NULL;
	}
	snprintf(s->child[i].code, sizeof(s->child[i].code), "%.*s",
	    s->child_len, village);
	s->nchild++;
	return &s->child[i];
}

void
budget_ctx_years_on(const struct expr_ctx *ctx, int k, struct expr_ctx *out)
{
	int y, m, d;

	*out = *ctx;
	out->year = ctx->year + k;
	date_to_ymd(ctx->ref_days, &y, &m, &d);
	if (date_from_ymd(y + k, m, d, &out->ref_days) != 0)
		(void)date_from_ymd(y + k, m, 28, &out->ref_days);
}

int
budget_cat_field(const struct catalog *cat)
{
	const struct field *f = catalog_find(cat, "disability_category", 19);

	return f != NULL ? f->index : -1;
}

int
budget_cat_of(const struct record *r, int field)
{
	if (field >= 0 && r->set[field] && r->num[field] > 0 &&
	    r->num[field] < BUDGET_CATS)
		return (int)r->num[field];
	return 0;
}

int
budget_add(struct budget_scen *s, const struct budget_shares *b,
    const struct record *r, const char *village, int year,
    const struct expr_ctx *ctx, struct lf_error *err)
{
	const struct budget_share *row = budget_share_find(b, s->policy,
	    village);
	struct budget_child *c;
	struct expr_ctx at;
	int64_t lv[BUDGET_LEVELS];
	int k;

	(void)year;
	budget_split(s->yearly, row, lv);
	for (k = 0; k <= BUDGET_YEARS; k++) {
		budget_ctx_years_on(ctx, k, &at);
		if (!expr_eval_ctx(s->e, r, &at))
			continue;
		tot_add(&s->year[k], s->yearly, lv);
		if (k > 0)
			continue;
		if ((c = budget_child_of(s, village, err)) == NULL)
			return -1;
		tot_add(&c->t, s->yearly, lv);
		tot_add(&s->cat[budget_cat_of(r, budget_cat_field(r->cat))],
		    s->yearly, lv);
	}
	return 0;
}

void
budget_project(const struct budget_scen *s, int k, int64_t n_now,
    int64_t n_prev, struct budget_tot *out)
{
	double g = n_prev > 0 ? (double)n_now / (double)n_prev : 1.0;
	double f = pow(g, k);
	int i;

	out->persons = llround((double)s->year[k].persons * f);
	out->cost = 0;
	for (i = 0; i < BUDGET_LEVELS; i++) {
		out->level[i] = llround((double)s->year[k].level[i] * f);
		out->cost += out->level[i];
	}
}

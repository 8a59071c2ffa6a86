/*
 * supply.c - devices and places, distribution rules, ranking (supply.h).
 */
#include "core/supply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tsv.h"
#include "lib/date.h"
#include "lib/embedded.h"
#include "lib/mem.h"

#define MAXF	8

static int
bad(struct lf_error *err, const char *file, int line, int col,
    const char *why)
{
	return tsv_error(err, "supply_file", NULL, file, (unsigned long)line,
	    (unsigned)col, why);
}

typedef int (*row_fn)(void *arg, char **f, size_t nf, int line,
    struct lf_error *err);

/* Calls fn for every data row of a TSV text (header first, '#' and
 * empty lines skipped); the header must start with first. */
static int
each_row(const char *text, size_t len, const char *file, const char *first,
    row_fn fn, void *arg, struct lf_error *err)
{
	char *copy = mem_strndup(text, len), *p = copy, *line, *f[MAXF];
	unsigned long lineno = 0;
	int header = 1, rc = 0;
	size_t nf;

	if (copy == NULL)
		return lf_error_nomem(err);
	while (rc == 0 && (line = tsv_next(&p, &lineno)) != NULL) {
		if ((nf = tsv_split(line, f, MAXF)) > MAXF)
			nf = MAXF;	/* further columns are ignored */
		if (header) {
			header = 0;
			if (strcmp(f[0], first) != 0)
				rc = bad(err, file, lineno, 1, "表头不对 (bad "
				    "header)");
			continue;
		}
		rc = fn(arg, f, nf, lineno, err);
	}
	mem_free(copy);
	if (rc == 0 && header)
		return bad(err, file, 1, 1, "缺少表头 (no header)");
	return rc;
}

struct pctx {
	struct supply		*sp;
	const struct catalog	*cat;
	const struct policies	*ps;
	const char		*file;
	size_t			 cap;
};

static int
compile_at(struct pctx *p, const char *src, struct expr **e, int line,
    int col, struct lf_error *err)
{
	struct lf_error ee;
	char why[420];

	if (expr_compile(src, p->cat, e, &ee) == 0)
		return 0;
	snprintf(why, sizeof(why), "%u: %s", ee.column, ee.message);
	return bad(err, p->file, line, col, why);
}

static int
item_row(void *arg, char **f, size_t nf, int line, struct lf_error *err)
{
	struct pctx *p = arg;
	struct supply_item *it;
	size_t i;

	if (nf < 7)
		return bad(err, p->file, line, (int)nf + 1, "缺少列 (missing "
		    "column)");
	if (p->sp->nitems == p->cap)
		return bad(err, p->file, line, 1, "行数过多 (too many rows)");
	it = &p->sp->items[p->sp->nitems];
	if (f[0][0] == '\0' || strlen(f[0]) >= sizeof(it->code) ||
	    strlen(f[1]) >= sizeof(it->name_zh) ||
	    strlen(f[2]) >= sizeof(it->name_en) ||
	    strlen(f[3]) >= sizeof(it->unit))
		return bad(err, p->file, line, 1, "名称为空或过长 (name empty "
		    "or too long)");
	for (i = 0; i < p->sp->nitems; i++)
		if (strcmp(p->sp->items[i].code, f[0]) == 0)
			return bad(err, p->file, line, 1, "代码重复 (code "
			    "repeated)");
	snprintf(it->code, sizeof(it->code), "%s", f[0]);
	snprintf(it->name_zh, sizeof(it->name_zh), "%s", f[1]);
	snprintf(it->name_en, sizeof(it->name_en), "%s", f[2]);
	snprintf(it->unit, sizeof(it->unit), "%s", f[3]);
	it->need = catalog_find(p->cat, f[4], strlen(f[4]));
	if (it->need == NULL || it->need->section != SEC_NEED)
		return bad(err, p->file, line, 5, "不是目录中的需求项 (not a "
		    "need item of the catalog)");
	if ((it->policy = policy_find(p->ps, f[5])) == NULL)
		return bad(err, p->file, line, 6, "未知政策 (unknown policy)");
	if (compile_at(p, f[6], &it->demand, line, 7, err) != 0)
		return -1;
	p->sp->nitems++;
	return 0;
}

static int
rule_row(void *arg, char **f, size_t nf, int line, struct lf_error *err)
{
	struct pctx *p = arg;
	struct supply_rule *ru;
	char *end;
	long w;

	if (nf < 3)
		return bad(err, p->file, line, (int)nf + 1, "缺少列 (missing "
		    "column)");
	if (p->sp->nrules == p->cap)
		return bad(err, p->file, line, 1, "行数过多 (too many rows)");
	ru = &p->sp->rules[p->sp->nrules];
	if (strcmp(f[0], "expr") == 0)
		ru->term = ST_EXPR;
	else if (strcmp(f[0], "waiting") == 0)
		ru->term = ST_WAITING;
	else if (strcmp(f[0], "served") == 0)
		ru->term = ST_SERVED;
	else
		return bad(err, p->file, line, 1, "应为 expr、waiting 或 served "
		    "(term: expr, waiting or served)");
	w = strtol(f[1], &end, 10);
	if (f[1][0] == '\0' || *end != '\0' || w < -SUPPLY_WEIGHT_MAX ||
	    w > SUPPLY_WEIGHT_MAX)
		return bad(err, p->file, line, 2, "权重应为 -1000..1000 的整数 "
		    "(weight: a whole number -1000..1000)");
	ru->weight = (int)w;
	snprintf(ru->text, sizeof(ru->text), "%s", ru->term == ST_EXPR ? f[2] :
	    nf > 3 ? f[3] : "");
	if (ru->term == ST_EXPR && compile_at(p, f[2], &ru->e, line, 3,
	    err) != 0)
		return -1;
	if (ru->term != ST_EXPR && f[2][0] != '\0')
		return bad(err, p->file, line, 3, "此项不用表达式 (this term "
		    "takes no expression)");
	p->sp->nrules++;
	return 0;
}

int
supply_parse(const char *items, size_t ilen, const char *rules, size_t rlen,
    const struct catalog *cat, const struct policies *ps,
    struct supply **out, struct lf_error *err)
{
	struct pctx p = { NULL, cat, ps, "supply_items.tsv", 0 };
	struct supply *sp = mem_calloc(1, sizeof(*sp));

	*out = NULL;
	if (sp == NULL || (sp->items = mem_calloc(tsv_lines(items, ilen),
	    sizeof(*sp->items))) == NULL || (sp->rules =
	    mem_calloc(tsv_lines(rules, rlen), sizeof(*sp->rules))) == NULL) {
		supply_free(sp);
		return lf_error_nomem(err);
	}
	p.sp = sp;
	p.cap = tsv_lines(items, ilen);
	if (each_row(items, ilen, p.file, "code", item_row, &p, err) != 0)
		goto fail;
	p.file = "distribution_rules.tsv";
	p.cap = tsv_lines(rules, rlen);
	if (each_row(rules, rlen, p.file, "term", rule_row, &p, err) != 0)
		goto fail;
	*out = sp;
	return 0;
fail:
	supply_free(sp);
	return -1;
}

int
supply_load(const struct catalog *cat, const struct policies *ps,
    struct supply **out, struct lf_error *err)
{
	struct embedded_file a, b;

	if (embedded_get("data/supply_items.tsv", &a) != 0 ||
	    embedded_get("data/distribution_rules.tsv", &b) != 0)
		return lf_error_set(err, "supply_file", "", "缺少数据文件 "
		    "(data file missing)");
	return supply_parse(a.data, a.len, b.data, b.len, cat, ps, out, err);
}

void
supply_free(struct supply *sp)
{
	size_t i;

	if (sp == NULL)
		return;
	for (i = 0; sp->items != NULL && i < sp->nitems; i++)
		expr_free(sp->items[i].demand);
	for (i = 0; sp->rules != NULL && i < sp->nrules; i++)
		expr_free(sp->rules[i].e);
	mem_free(sp->items);
	mem_free(sp->rules);
	mem_free(sp);
}

const struct supply_item *
supply_item_find(const struct supply *sp, const char *name)
{
	size_t i;

	for (i = 0; i < sp->nitems; i++)
		if (strcmp(sp->items[i].code, name) == 0 ||
		    strcmp(sp->items[i].name_zh, name) == 0)
			return &sp->items[i];
	return NULL;
}

int64_t
supply_priority(const struct supply *sp, const struct record *r,
    const struct expr_ctx *ctx, int waiting_days, int served)
{
	int64_t p = 0;
	size_t i;

	for (i = 0; i < sp->nrules; i++) {
		const struct supply_rule *ru = &sp->rules[i];

		if (ru->term == ST_EXPR && expr_eval_ctx(ru->e, r, ctx))
			p += ru->weight;
		else if (ru->term == ST_WAITING && waiting_days > 0)
			p += (int64_t)ru->weight * (waiting_days / 30);
		else if (ru->term == ST_SERVED && served)
			p += ru->weight;
	}
	return p;
}

static int
cmp_cand(const void *a, const void *b)
{
	const struct supply_cand *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (x->survey_days != y->survey_days)
		return x->survey_days < y->survey_days ? -1 : 1;
	return x->person_id < y->person_id ? -1 : x->person_id > y->person_id;
}

void
supply_rank(struct supply_cand *c, size_t n, int64_t stock)
{
	size_t i;

	if (n > 0)
		qsort(c, n, sizeof(*c), cmp_cand);
	for (i = 0; i < n; i++)
		c[i].allocated = (int64_t)i < stock;
}

static int
row_bad(struct lf_error *err, int col, const char *name, const char *why)
{
	lf_error_set(err, "invalid", name, "%s: %s", name, why);
	err->column = (unsigned)col;
	return -1;
}

int
supply_stock_row(const struct supply *sp, const struct regions *rs,
    const char *const *f, size_t n, struct supply_stock *out,
    struct lf_error *err)
{
	const struct region *rg;
	char *end;
	long long v;

	memset(out, 0, sizeof(*out));
	if (n < 4)
		return row_bad(err, (int)n + 1, "数量", "缺少列 (missing "
		    "column)");
	rg = regions_find(rs, f[0]);
	if (rg == NULL || rg->level != RL_COUNTY)
		return row_bad(err, 1, "区县", "应为区县代码 (must be a county "
		    "code)");
	snprintf(out->county, sizeof(out->county), "%.6s", rg->code);
	if ((out->item = supply_item_find(sp, f[1])) == NULL)
		return row_bad(err, 2, "物品", "未知的辅具或服务 (unknown device "
		    "or service)");
	v = strtoll(f[2], &end, 10);
	if (f[2][0] == '\0' || *end != '\0' || v < 1990 || v > 2999)
		return row_bad(err, 3, "年度", "应为年份 (must be a year)");
	out->year = (int)v;
	v = strtoll(f[3], &end, 10);
	if (f[3][0] == '\0' || *end != '\0' || v < 0 || v > SUPPLY_QTY_MAX)
		return row_bad(err, 4, "数量", "应为 0..1000000 的整数 (must be "
		    "a whole number 0..1000000)");
	out->quantity = v;
	return 0;
}

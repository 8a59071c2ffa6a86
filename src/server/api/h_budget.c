/*
 * h_budget.c - POST /api/v1/budget: what-if scenarios with the yearly
 * cost split into province / city / county shares (data/budget_shares.tsv),
 * a three-year projection (core/budget.h) and the breakdown by region one
 * level down and by disability category; JSON, or every scenario side by
 * side in one xlsx (io/budget_xlsx.h). County and higher officers, over
 * their own region.
 */
#include "server/access.h"
#include "server/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/budget.h"
#include "lib/mem.h"
#include "plan/planner.h"
#include "io/budget_xlsx.h"
#include "store/insight_scan.h"
#include "lib/log.h"
#include "stats/stats_whatif.h"
#include "stats/statsd.h"

#define MAX_SCENARIOS	4

static const int child_digits[] = { 4, 6, 9, 12, 12 };
static const char *const cat_zh[BUDGET_CATS] = { "未知", "视力", "听力",
	"言语", "肢体", "智力", "精神", "多重" };

struct job {
	struct req		*r;
	const struct region	*in;
	int			 year, xlsx;
	size_t			 n;
	struct budget_shares	*shares;
	struct expr		*e[MAX_SCENARIOS];
	struct budget_scen	*s[MAX_SCENARIOS];
	struct budget_view	 v[MAX_SCENARIOS];
	char			 name[MAX_SCENARIOS][64];
	char			 policy[MAX_SCENARIOS][32];
	struct lf_error		 err;
};

static int
scenario_of(struct job *j, size_t i, json_t *sc)
{
	static const char *const keys[] = { "name", "expression", "policy",
	    "amount", "per", NULL };
	const char *key, *name, *src, *pol, *per;
	json_t *amt, *val;
	int per_i = PER_MONTH;
	size_t k;

	json_object_foreach(sc, key, val) {
		for (k = 0; keys[k] != NULL && strcmp(keys[k], key) != 0; k++)
			;
		if (keys[k] == NULL)
			return lf_error_set(&j->err, "bad_request", "scenarios",
			    "方案中有未知字段 (unknown field in a scenario)");
	}
	name = json_string_value(json_object_get(sc, "name"));
	src = json_string_value(json_object_get(sc, "expression"));
	pol = json_string_value(json_object_get(sc, "policy"));
	per = json_string_value(json_object_get(sc, "per"));
	amt = json_object_get(sc, "amount");
	if (src == NULL || strlen(src) > 2000)
		return lf_error_set(&j->err, "bad_request", "expression", "每个"
		    "方案需要 expression (文本) (each scenario needs an "
		    "expression)");
	if (!json_is_integer(amt) || json_integer_value(amt) < 0 ||
	    json_integer_value(amt) > 100000000)
		return lf_error_set(&j->err, "bad_request", "amount", "amount "
		    "应为非负整数 (分) (amount: fen, a non-negative integer)");
	if (per != NULL && (per_i = policy_per_find(per)) < 0)
		return lf_error_set(&j->err, "bad_request", "per", "per 应为 "
		    "month、year 或 once (per: month, year or once)");
	if (pol != NULL && pol[0] != '\0' && policy_find(j->r->app->policies,
	    pol) == NULL)
		return lf_error_set(&j->err, "invalid", "policy", "未知政策 "
		    "(unknown policy)");
	snprintf(j->name[i], sizeof(j->name[i]), "%s", name && name[0] ?
	    name : "方案");
	snprintf(j->policy[i], sizeof(j->policy[i]), "%s", pol ? pol : "");
	if (expr_compile(src, j->r->app->cat, &j->e[i], &j->err) != 0) {
		snprintf(j->err.field, sizeof(j->err.field), "expression");
		return -1;
	}
	if ((j->s[i] = mem_calloc(1, sizeof(*j->s[i]))) == NULL)
		return lf_error_nomem(&j->err);
	j->s[i]->e = j->e[i];
	j->s[i]->policy = j->policy[i];
	j->s[i]->yearly = budget_yearly(json_integer_value(amt), per_i);
	j->s[i]->child_len = child_digits[j->in->level < 4 ? j->in->level : 4];
	j->v[i].name = j->name[i];
	j->v[i].expression = src;
	j->v[i].s = j->s[i];
	return 0;
}

static int
parse(struct job *j, json_t *body)
{
	json_t *y = json_object_get(body, "year"), *scs;
	const char *rcode = json_string_value(json_object_get(body, "region"));
	const char *fmt = json_string_value(json_object_get(body, "format"));
	size_t i;

	j->in = j->r->who.scope;
	scs = json_object_get(body, "scenarios");
	if (!json_is_integer(y) || json_integer_value(y) < 1990 ||
	    json_integer_value(y) > 2999)
		return lf_error_set(&j->err, "bad_request", "year", "需要 year "
		    "(整数年度) (year, an integer, is required)");
	j->year = (int)json_integer_value(y);
	if (fmt != NULL && strcmp(fmt, "json") != 0 && strcmp(fmt, "xlsx"))
		return lf_error_set(&j->err, "bad_request", "format", "format "
		    "应为 json 或 xlsx (format: json or xlsx)");
	j->xlsx = fmt != NULL && strcmp(fmt, "xlsx") == 0;
	if (rcode != NULL && ((j->in = regions_find(j->r->app->regions,
	    rcode)) == NULL || !region_contains(j->r->who.scope,
	    j->in->code12) || j->in->level < j->r->who.scope->level))
		return lf_error_set(&j->err, "bad_region", "region", "区划不在"
		    "您的范围内 (region unknown or outside your scope)");
	if (!json_is_array(scs) || json_array_size(scs) < 1 ||
	    json_array_size(scs) > MAX_SCENARIOS)
		return lf_error_set(&j->err, "bad_request", "scenarios", "需要 "
		    "1-4 个方案 (scenarios: an array of 1 to 4)");
	for (i = 0; i < json_array_size(scs); i++) {
		if (!json_is_object(json_array_get(scs, i)))
			return lf_error_set(&j->err, "bad_request",
			    "scenarios", "方案应为对象 (a scenario is an "
			    "object)");
		if (scenario_of(j, i, json_array_get(scs, i)) != 0)
			return -1;
		j->n = i + 1;
	}
	return budget_shares_load(j->r->app->policies, &j->shares, &j->err);
}

static int
on_person(void *arg, const struct insight_person *p, const struct record *r)
{
	struct job *j = arg;
	struct expr_ctx ctx;
	size_t i;

	planner_ctx(r, j->year, p->region, j->r->app->disaster, &ctx);
	for (i = 0; i < j->n; i++)
		if (budget_add(j->s[i], j->shares, r, p->region, j->year, &ctx,
		    &j->err) != 0)
			return -1;
	return 0;
}

static int
cmp_child(const void *a, const void *b)
{
	return strcmp(((const struct budget_child *)a)->code,
	    ((const struct budget_child *)b)->code);
}

/* Scenario i back to no persons (after a failed engine run). */
static void
reset(struct job *j, size_t i)
{
	struct budget_scen *s = j->s[i];
	const struct expr *e = s->e;
	const char *policy = s->policy;
	int64_t yearly = s->yearly;
	int child_len = s->child_len;

	memset(s, 0, sizeof(*s));
	s->e = e;
	s->policy = policy;
	s->yearly = yearly;
	s->child_len = child_len;
}

/* Every scenario over the statistics engine in memory (stats_whatif.h),
 * *now the persons surveyed: 0, or -1 (why logged) when it cannot answer
 * and the caller scans. */
static int
engine(struct job *j, int64_t *now)
{
	struct stats_whatif *w = mem_calloc(1, sizeof(*w));
	struct statsd_ref ref;
	struct lf_error err;
	size_t i;
	int rc = -1;

	lf_error_clear(&err);
	if (w == NULL)
		lf_error_nomem(&err);
	else if (statsd_acquire(j->r->s, j->year, &ref, &err) == 0) {
		for (i = 0, rc = 0; rc == 0 && i < j->n; i++)
			rc = stats_whatif_run(ref.st, j->in, j->r->app->disaster,
			    j->shares, j->s[i], BUDGET_YEARS, w, &err);
		statsd_release(&ref);
		*now = w->surveys;
	}
	if (rc != 0) {
		log_info("budget: the database is scanned (%s)", err.message);
		for (i = 0; i < j->n; i++)
			reset(j, i);
	}
	mem_free(w);
	return rc;
}

static int
compute(struct job *j)
{
	int64_t now, prev;
	size_t i;
	int k;

	if (engine(j, &now) != 0 && (insight_scan(j->r->s, j->year, j->in,
	    on_person, j, &j->err) != 0 || insight_count_surveys(j->r->s,
	    j->year, j->in, &now, &j->err) != 0))
		return -1;
	if (insight_count_surveys(j->r->s, j->year - 1, j->in, &prev,
	    &j->err) != 0)
		return -1;
	for (i = 0; i < j->n; i++) {
		qsort(j->s[i]->child, j->s[i]->nchild, sizeof(*j->s[i]->child),
		    cmp_child);
		j->v[i].proj[0] = j->s[i]->year[0];
		for (k = 1; k <= BUDGET_YEARS; k++)
			budget_project(j->s[i], k, now, prev,
			    &j->v[i].proj[k]);
	}
	return 0;
}

static json_t *
tot_json(const struct budget_tot *t)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I}", "persons",
	    (json_int_t)t->persons, "cost", (json_int_t)t->cost, "province",
	    (json_int_t)t->level[0], "city", (json_int_t)t->level[1],
	    "county", (json_int_t)t->level[2]);
}

static json_t *
scen_json(const struct job *j, size_t i)
{
	const struct budget_scen *s = j->s[i];
	json_t *years = json_array(), *ch = json_array(), *cats = json_array();
	const struct region *rg;
	json_t *o;
	size_t c;
	int k;

	for (k = 0; k <= BUDGET_YEARS; k++) {
		o = tot_json(&j->v[i].proj[k]);
		json_object_set_new(o, "year", json_integer(j->year + k));
		json_object_set_new(o, "projected", json_boolean(k > 0));
		json_array_append_new(years, o);
	}
	for (c = 0; c < s->nchild; c++) {
		o = tot_json(&s->child[c].t);
		rg = regions_find(j->r->app->regions, s->child[c].code);
		json_object_set_new(o, "region", json_string(s->child[c].code));
		json_object_set_new(o, "name", json_string(rg ? rg->name : ""));
		json_array_append_new(ch, o);
	}
	for (c = 0; c < BUDGET_CATS; c++) {
		if (s->cat[c].persons == 0)
			continue;
		o = tot_json(&s->cat[c]);
		json_object_set_new(o, "category", json_integer((int)c));
		json_object_set_new(o, "name", json_string(cat_zh[c]));
		json_array_append_new(cats, o);
	}
	return json_pack("{s:s,s:s,s:s,s:I,s:o,s:o,s:o}", "name", j->name[i],
	    "expression", j->v[i].expression, "policy", j->policy[i],
	    "yearly_per_person", (json_int_t)s->yearly, "years", years,
	    "children", ch, "categories", cats);
}

static enum MHD_Result
reply_xlsx(struct job *j)
{
	char path[32], name[64];
	int rc;

	if (reply_tmp_open(path) != 0)
		return reply_error(j->r, 500, "io", "", "服务器内部错误 "
		    "(internal error; request id %s)", j->r->id);
	rc = budget_xlsx_write(j->v, j->n, j->year, j->in, j->r->app->regions,
	    path, &j->err);
	snprintf(name, sizeof(name), "liangfu-budget-%s-%d.xlsx",
	    j->in->code, j->year);
	return reply_tmp_file(j->r, path, rc, "application/vnd.openxmlformats-"
	    "officedocument.spreadsheetml.sheet", name);
}

static enum MHD_Result
answer(struct job *j)
{
	json_t *list;
	size_t i;

	http_audit(j->r, "budget.simulate", "region", j->in->code, "ok",
	    j->xlsx ? "xlsx" : "json");
	if (j->xlsx)
		return reply_xlsx(j);
	list = json_array();
	for (i = 0; i < j->n; i++)
		json_array_append_new(list, scen_json(j, i));
	return reply_json(j->r, 200, json_pack("{s:s,s:s,s:i,s:o}", "region",
	    j->in->code, "region_name", j->in->name, "year", j->year,
	    "scenarios", list));
}

/* POST /api/v1/budget {"year", "region", "format", "scenarios": [{"name",
 * "expression", "policy", "amount", "per"}]} */
enum MHD_Result
h_budget(struct req *r)
{
	static const char *const allowed[] = { "year", "region", "format",
	    "scenarios", NULL };
	enum MHD_Result res;
	struct job *j;
	json_t *body;
	size_t i;

	if (!access_allowed(&r->who, ACT_PLAN_BATCH, 0))
		return reply_error(r, 403, "forbidden", "", "只有县级及以上干部可"
		    "做预算测算 (only county and higher officers run budgets)");
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	if ((j = mem_calloc(1, sizeof(*j))) == NULL) {
		json_decref(body);
		return reply_nomem(r);
	}
	j->r = r;
	lf_error_clear(&j->err);
	if (parse(j, body) != 0 || compute(j) != 0)
		res = reply_lf_error(r, &j->err);
	else
		res = answer(j);
	for (i = 0; i < MAX_SCENARIOS; i++) {
		expr_free(j->e[i]);
		mem_free(j->s[i]);
	}
	budget_shares_free(j->shares);
	mem_free(j);
	json_decref(body);
	return res;
}

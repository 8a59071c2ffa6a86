/*
 * h_rules.c - the policy catalog and the rule engine over HTTP: list the
 * policies with their amount rules, check an expression or a policy on a
 * set of values (the survey form's hints), simulate a rule over the
 * caller's region (what a new subsidy would reach and cost), and build
 * every plan of a region (the batch of `liangfu plan`).
 *
 * All of it runs the one engine of core/expr.c: the server, the batch,
 * the simulation and the form cannot disagree.
 */
#include "server/access.h"
#include "server/findings_hook.h"
#include "server/json_plan.h"
#include "server/session.h"
#include "stats/statsd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/mem.h"
#include "plan/planner.h"
#include "io/sheet.h"
#include "store/audit.h"
#include "quality/findings_batch.h"
#include "stats/stats_whatif.h"

static json_t *
amounts_json(const struct policies *ps, int policy)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < ps->namounts; i++) {
		const struct policy_amount *am = &ps->amounts[i];

		if (am->policy != policy)
			continue;
		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:s,s:s}",
		    "region", am->region, "when", am->when_text ?
		    am->when_text : "", "amount", (json_int_t)am->fen, "per",
		    policy_per_name(am->per), "note", am->note ? am->note : ""));
	}
	return a;
}

static json_t *
policy_json(const struct catalog *cat, const struct policies *ps,
    const struct policy *p)
{
	const struct policy_batch_info *b = policy_batch_get(p->batch);
	json_t *tr = json_array();
	size_t i;

	for (i = 0; i < p->ntriggers; i++)
		json_array_append_new(tr, json_string(
		    cat->fields[p->triggers[i]].code));
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:o}",
	    "code", p->code, "name", p->name_zh, "name_en", p->name_en,
	    "batch", b->code, "batch_name", b->name_zh, "dept", p->dept->code,
	    "dept_name", p->dept->name_zh, "triggers", tr, "eligibility",
	    p->elig_text, "amount_text", p->amount_text, "items",
	    p->per_need ? "per_need" : "one", "amounts",
	    amounts_json(ps, p->index));
}

enum MHD_Result
h_policies(struct req *r)
{
	const struct policies *ps = r->app->policies;
	json_t *list = json_array(), *batches = json_array();
	size_t i;

	for (i = 0; i < ps->n; i++)
		json_array_append_new(list, policy_json(r->app->cat, ps,
		    &ps->v[i]));
	for (i = 0; i < NBATCHES; i++) {
		const struct policy_batch_info *b = policy_batch_get(i);

		json_array_append_new(batches, json_pack("{s:s,s:s,s:s}",
		    "code", b->code, "name", b->name_zh, "name_en",
		    b->name_en));
	}
	return reply_json(r, 200, json_pack("{s:o,s:o}", "policies", list,
	    "batches", batches));
}

/* ---- check: one expression or policy on given values -------------- */

/* Compiles the body's "expression", or takes the "policy"'s. */
static int
rule_of(struct req *r, json_t *body, struct expr **own,
    const struct expr **e, const struct policy **pol, struct lf_error *err)
{
	const char *src = json_string_value(json_object_get(body,
	    "expression"));
	const char *code = json_string_value(json_object_get(body, "policy"));

	*own = NULL;
	*pol = NULL;
	if ((src == NULL) == (code == NULL))
		return lf_error_set(err, "bad_request", "expression", "请给出 "
		    "expression 或 policy 之一 (give exactly one of expression "
		    "and policy, as a string)");
	if (code != NULL) {
		if ((*pol = policy_find(r->app->policies, code)) == NULL)
			return lf_error_set(err, "invalid", "policy", "未知政策 "
			    "(unknown policy)");
		*e = (*pol)->elig;
		return 0;
	}
	if (strlen(src) > 2000)
		return lf_error_set(err, "invalid", "expression", "表达式过长 "
		    "(expression too long)");
	if (expr_compile(src, r->app->cat, own, err) != 0) {
		snprintf(err->field, sizeof(err->field), "expression");
		return -1;
	}
	*e = *own;
	return 0;
}

/* year and region (a village code, optional) of the body. */
static int
ctx_of(json_t *body, const struct record *rec, const struct app *app,
    struct expr_ctx *ctx, struct lf_error *err)
{
	json_t *y = json_object_get(body, "year");
	const char *v = json_string_value(json_object_get(body, "region"));

	if (!json_is_integer(y) || json_integer_value(y) < 1990 ||
	    json_integer_value(y) > 2999)
		return lf_error_set(err, "bad_request", "year", "需要 year "
		    "(整数年度) (year, an integer, is required)");
	planner_ctx(rec, (int)json_integer_value(y), v, app->disaster, ctx);
	return 0;
}

static json_t *
check_result(struct req *r, const struct expr *e, const struct policy *pol,
    const struct record *rec, const struct expr_ctx *ctx,
    struct lf_error *err)
{
	const struct policy_amount *am;
	struct buf zh, en;
	json_t *out = NULL;
	int res;

	buf_init(&zh, 16384);
	buf_init(&en, 16384);
	res = expr_explain(e, rec, ctx, EXPR_ZH, &zh);
	if (res < 0 || expr_explain(e, rec, ctx, EXPR_EN, &en) < 0) {
		lf_error_nomem(err);
		goto out;
	}
	out = json_pack("{s:b,s:{s:s%,s:s%}}", "result", res, "why", "zh",
	    buf_str(&zh), zh.len, "en", buf_str(&en), en.len);
	if (pol != NULL && policy_amount(r->app->policies, pol, rec, ctx,
	    &am) == 0)
		json_object_set_new(out, "amount", json_pack("{s:I,s:s}",
		    "amount", (json_int_t)am->fen, "per",
		    policy_per_name(am->per)));
out:
	buf_free(&zh);
	buf_free(&en);
	return out;
}

/* POST /api/v1/rules/check {"expression"|"policy", "values", "year",
 * "region"} */
enum MHD_Result
h_rules_check(struct req *r)
{
	static const char *const allowed[] = { "expression", "policy",
	    "values", "year", "region", NULL };
	const struct policy *pol = NULL;
	const struct expr *e = NULL;
	struct expr *own = NULL;
	struct record *rec;
	struct expr_ctx ctx;
	struct lf_error err;
	enum MHD_Result res;
	json_t *body, *values, *out = NULL;

	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	lf_error_clear(&err);
	values = json_object_get(body, "values");
	if ((rec = record_new(r->app->cat)) == NULL)
		lf_error_nomem(&err);
	else if (!json_is_object(values))
		lf_error_set(&err, "bad_request", "values", "需要 values (对象)"
		    " (values object is required)");
	else if (rule_of(r, body, &own, &e, &pol, &err) == 0 &&
	    json_to_record(values, rec, &err) == 0 &&
	    ctx_of(body, rec, r->app, &ctx, &err) == 0)
		out = check_result(r, e, pol, rec, &ctx, &err);
	expr_free(own);
	record_free(rec);
	json_decref(body);
	return out != NULL ? reply_json(r, 200, out) : reply_lf_error(r, &err);
}

/* ---- simulate: a rule over the caller's region ------------------- */

struct sim {
	const struct expr	*e;
	const struct app	*app;
	int			 year;
	int64_t			 surveys, holds;
	json_t			*by_region;	/* code -> count */
	int			 child_len;	/* digits of the level below */
};

static int
sim_one(void *arg, const struct store_person *p, const struct record *rec)
{
	struct sim *s = arg;
	struct expr_ctx ctx;
	char key[13];
	json_t *n;

	s->surveys++;
	planner_ctx(rec, s->year, p->region, s->app->disaster, &ctx);
	if (!expr_eval_ctx(s->e, rec, &ctx))
		return 0;
	s->holds++;
	snprintf(key, sizeof(key), "%.*s", s->child_len, p->region);
	n = json_object_get(s->by_region, key);
	json_object_set_new(s->by_region, key, json_integer(n ?
	    json_integer_value(n) + 1 : 1));
	return 0;
}

/* A child region and the first person the scan would meet in it. */
struct sim_child {
	int64_t		 first;
	size_t		 i;
};

static int
cmp_first(const void *a, const void *b)
{
	const struct sim_child *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* The counts of a what-if run over the engine, children in the order
 * the scan (persons by id) meets them, so the answer is the same. */
static int
sim_fill(struct sim *sim, const struct budget_scen *s,
    const struct stats_whatif *w)
{
	struct sim_child *o = mem_calloc(s->nchild + 1, sizeof(*o));
	size_t i;

	if (o == NULL)
		return -1;
	for (i = 0; i < s->nchild; i++) {
		o[i].first = w->first[i];
		o[i].i = i;
	}
	qsort(o, s->nchild, sizeof(*o), cmp_first);
	sim->surveys = w->surveys;
	sim->holds = s->year[0].persons;
	for (i = 0; i < s->nchild; i++)
		json_object_set_new(sim->by_region, s->child[o[i].i].code,
		    json_integer(s->child[o[i].i].t.persons));
	mem_free(o);
	return 0;
}

/* The what-if over the statistics engine in memory (stats_whatif.h): 0,
 * or -1 (why logged) when it cannot answer and the caller scans. */
static int
sim_engine(struct req *r, const struct region *in, struct sim *sim)
{
	struct budget_scen *s = mem_calloc(1, sizeof(*s));
	struct stats_whatif *w = mem_calloc(1, sizeof(*w));
	struct statsd_ref ref;
	struct lf_error err;
	int rc = -1;

	lf_error_clear(&err);
	if (s == NULL || w == NULL)
		lf_error_nomem(&err);
	else if (statsd_acquire(r->s, sim->year, &ref, &err) == 0) {
		s->e = sim->e;
		s->policy = "";
		s->child_len = sim->child_len;
		rc = stats_whatif_run(ref.st, in, r->app->disaster, NULL, s, 0,
		    w, &err);
		statsd_release(&ref);
		if (rc == 0 && (rc = sim_fill(sim, s, w)) != 0)
			lf_error_nomem(&err);
	}
	if (rc != 0)
		log_info("rules.simulate: the database is scanned (%s)",
		    err.message);
	mem_free(s);
	mem_free(w);
	return rc;
}

static const int level_len[] = { 2, 4, 6, 9, 12 };

/* The children's counts, each with its yearly cost when there is an
 * amount (per_year: fen a person costs in a year; < 0 none). */
static json_t *
sim_children(const struct app *app, json_t *counts, int64_t per_year)
{
	json_t *a = json_array(), *v;
	const char *key;
	const struct region *rg;

	json_object_foreach(counts, key, v) {
		rg = regions_find(app->regions, key);
		json_array_append_new(a, json_pack("{s:s,s:s,s:O,s:o}",
		    "region", key, "name", rg ? rg->name : "", "persons", v,
		    "cost_per_year", per_year < 0 ? json_null() :
		    json_integer(per_year * json_integer_value(v))));
	}
	return a;
}

/* issue 14: the what-if screen's download, a scenario as xlsx (one row
 * per region, then the total). */
static enum MHD_Result
sim_xlsx(struct req *r, json_t *out)
{
	static const struct sheet_col cols[] = {
		{ "区划代码", SHEET_TEXT, 14 }, { "区划", SHEET_TEXT, 20 },
		{ "符合条件人数", SHEET_COUNT, 14 },
		{ "年度资金 (元)", SHEET_FEN, 18 },
	};
	json_t *ch = json_object_get(out, "children"), *c;
	struct sheet_cell *cells;
	struct lf_error err;
	struct sheet sh;
	char title[2300], *data;
	size_t i, n = json_array_size(ch), len;
	int rc;

	if ((cells = mem_calloc((n + 1) * 4, sizeof(*cells))) == NULL) {
		json_decref(out);
		return reply_nomem(r);
	}
	json_array_foreach(ch, i, c) {
		cells[i * 4].text = json_string_value(json_object_get(c,
		    "region"));
		cells[i * 4 + 1].text = json_string_value(json_object_get(c,
		    "name"));
		cells[i * 4 + 2].n = json_integer_value(json_object_get(c,
		    "persons"));
		cells[i * 4 + 3].n = json_integer_value(json_object_get(c,
		    "cost_per_year"));
	}
	cells[n * 4].text = json_string_value(json_object_get(out, "region"));
	cells[n * 4 + 1].text = "合计";
	cells[n * 4 + 2].n = json_integer_value(json_object_get(out,
	    "persons"));
	cells[n * 4 + 3].n = json_integer_value(json_object_get(out,
	    "cost_per_year"));
	snprintf(title, sizeof(title), "政策测算 %s %d 年 · 条件: %s",
	    json_string_value(json_object_get(out, "region_name")),
	    (int)json_integer_value(json_object_get(out, "year")),
	    json_string_value(json_object_get(out, "expression")));
	sh.name = "政策测算";
	sh.title = title;
	sh.cols = cols;
	sh.ncols = 4;
	sh.cells = cells;
	sh.nrows = n + 1;
	lf_error_clear(&err);
	rc = sheet_xlsx_bytes(&sh, &data, &len, &err);
	mem_free(cells);
	json_decref(out);
	if (rc != 0)
		return reply_lf_error(r, &err);
	return reply_bytes(r, 200, "application/vnd.openxmlformats-"
	    "officedocument.spreadsheetml.sheet", "liangfu-simulate.xlsx",
	    data, len);
}

/* POST /api/v1/rules/simulate {"expression", "year", "region",
 * "amount", "per"}: persons of the year's surveys in region for whom the
 * rule holds, by region one level down, and the yearly cost when an
 * amount (fen) per month, year or once is given. */
enum MHD_Result
h_rules_simulate(struct req *r)
{
	static const char *const allowed[] = { "expression", "year",
	    "region", "amount", "per", "format", NULL };
	const char *rcode, *per, *format;
	const struct region *in = r->who.scope;
	struct sim sim;
	struct expr *e = NULL;
	struct lf_error err;
	enum MHD_Result res;
	json_t *body, *y, *amt, *out;
	int64_t yearly = 0;
	int per_i = PER_MONTH, xlsx;

	if (!access_allowed(&r->who, ACT_PLAN_BATCH, 0))
		return reply_error(r, 403, "forbidden", "", "只有县级及以上干部可"
		    "做政策测算 (only county and higher officers simulate "
		    "rules)");
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	lf_error_clear(&err);
	memset(&sim, 0, sizeof(sim));
	y = json_object_get(body, "year");
	amt = json_object_get(body, "amount");
	rcode = json_string_value(json_object_get(body, "region"));
	per = json_string_value(json_object_get(body, "per"));
	format = json_string_value(json_object_get(body, "format"));
	if (format != NULL && strcmp(format, "json") != 0 &&
	    strcmp(format, "xlsx") != 0)
		lf_error_set(&err, "bad_request", "format", "format 应为 json "
		    "或 xlsx (format: json or xlsx)");
	else if (!json_is_integer(y) || json_integer_value(y) < 1990 ||
	    json_integer_value(y) > 2999)
		lf_error_set(&err, "bad_request", "year", "需要 year (整数年度)"
		    " (year, an integer, is required)");
	else if (amt != NULL && (!json_is_integer(amt) ||
	    json_integer_value(amt) < 0))
		lf_error_set(&err, "bad_request", "amount", "amount 应为非负整数"
		    " (分) (amount: fen, a non-negative integer)");
	else if (per != NULL && (per_i = policy_per_find(per)) < 0)
		lf_error_set(&err, "bad_request", "per", "per 应为 month、year "
		    "或 once (per: month, year or once)");
	else if (rcode != NULL && ((in = regions_find(r->app->regions,
	    rcode)) == NULL || !region_contains(r->who.scope, in->code12) ||
	    in->level < r->who.scope->level))
		lf_error_set(&err, "bad_region", "region", "区划不在您的范围内 "
		    "(region unknown or outside your scope)");
	else if (!json_is_string(json_object_get(body, "expression")))
		lf_error_set(&err, "bad_request", "expression", "需要 "
		    "expression (文本) (expression, a string, is required)");
	else if (expr_compile(json_string_value(json_object_get(body,
	    "expression")), r->app->cat, &e, &err) != 0)
		snprintf(err.field, sizeof(err.field), "expression");
	if (err.code != NULL) {
		json_decref(body);
		return reply_lf_error(r, &err);
	}
	sim.e = e;
	sim.app = r->app;
	sim.year = (int)json_integer_value(y);
	sim.by_region = json_object();
	sim.child_len = level_len[in->level < 4 ? in->level + 1 : 4];
	if (sim_engine(r, in, &sim) != 0 && store_scan_surveys(r->s, sim.year,
	    in, sim_one, &sim, &err) != 0) {
		json_decref(sim.by_region);
		json_decref(body);
		expr_free(e);
		return reply_lf_error(r, &err);
	}
	if (amt != NULL)
		yearly = json_integer_value(amt) * sim.holds *
		    (per_i == PER_MONTH ? 12 : 1);
	out = json_pack("{s:s,s:s,s:i,s:s,s:I,s:I,s:o,s:o}", "region",
	    in->code, "region_name", in->name, "year", sim.year, "expression",
	    json_string_value(json_object_get(body, "expression")), "surveys",
	    (json_int_t)sim.surveys, "persons", (json_int_t)sim.holds,
	    "cost_per_year", amt ? json_integer(yearly) : json_null(),
	    "children", sim_children(r->app, sim.by_region, amt ?
	    json_integer_value(amt) * (per_i == PER_MONTH ? 12 : 1) : -1));
	xlsx = format != NULL && strcmp(format, "xlsx") == 0;
	json_decref(sim.by_region);
	json_decref(body);
	expr_free(e);
	http_audit(r, "rules.simulate", "region", in->code, "ok", xlsx ?
	    "format=xlsx" : "");
	if (xlsx)
		return sim_xlsx(r, out);
	return reply_json(r, 200, out);
}

/* ---- build every plan of a region ---------------------------------- */

/* POST /api/v1/plans/build {"year", "region"} */
/* The data-quality rules over the region's year after a bulk build, as a
 * single write re-checks its person (one batched pass); a failure is
 * logged and leaves the findings to the next write or batch. */
static void
recheck_region(struct req *r, int year, const char *region,
    struct findings_batch_stats *st)
{
	const struct quality_rules *qr = findings_rules_of(r->app);
	struct lf_error err;

	memset(st, 0, sizeof(*st));
	lf_error_clear(&err);
	if (qr != NULL && findings_batch(r->s, qr, r->app->policies,
	    r->app->disaster, year, region, "system:quality", NULL, NULL, st,
	    &err) != 0)
		log_warnx("findings after the build of %s, %d: %s", region,
		    year, err.message);
}

enum MHD_Result
h_plans_build(struct req *r)
{
	static const char *const allowed[] = { "year", "region", NULL };
	const struct region *in = r->who.scope;
	struct findings_batch_stats fst;
	struct plan_build_stats st;
	struct lf_error err;
	enum MHD_Result res;
	const char *rcode;
	json_t *body, *y;
	char detail[128];
	int year;

	if (!access_allowed(&r->who, ACT_PLAN_BATCH, 0))
		return reply_error(r, 403, "forbidden", "", "只有县级及以上干部可"
		    "批量生成计划 (only county and higher officers build plans "
		    "in bulk)");
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	y = json_object_get(body, "year");
	rcode = json_string_value(json_object_get(body, "region"));
	year = json_is_integer(y) && json_integer_value(y) >= 1990 &&
	    json_integer_value(y) <= 2999 ? (int)json_integer_value(y) : 0;
	if (rcode != NULL && ((in = regions_find(r->app->regions, rcode)) ==
	    NULL || !region_contains(r->who.scope, in->code12) ||
	    in->level < r->who.scope->level))
		in = NULL;
	json_decref(body);
	if (year == 0)
		return reply_error(r, 400, "bad_request", "year", "需要 year "
		    "(整数年度) (year, an integer, is required)");
	if (in == NULL)
		return reply_error(r, 400, "bad_region", "region", "区划不在您的"
		    "范围内 (region unknown or outside your scope)");
	memset(&st, 0, sizeof(st));
	lf_error_clear(&err);
	if (plan_build_all(r->s, r->app->policies, r->app->disaster, year, in,
	    r->who.login, NULL, NULL, &st, &err) != 0) {
		http_audit(r, "plan.build_all", "region", in->code, "invalid",
		    err.code);
		return reply_lf_error(r, &err);
	}
	statsd_reload(year);
	recheck_region(r, year, in->code, &fst);
	snprintf(detail, sizeof(detail), "year=%d persons=%lld", year,
	    (long long)st.persons);
	http_audit(r, "plan.build_all", "region", in->code, "ok", detail);
	return reply_json(r, 200, json_pack("{s:s,s:i,s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:I,s:I,s:{s:I,s:I}}", "region", in->code, "year", year,
	    "persons",
	    (json_int_t)st.persons, "plans_created",
	    (json_int_t)st.plans_created, "inserted", (json_int_t)st.inserted,
	    "updated", (json_int_t)st.updated, "deleted",
	    (json_int_t)st.deleted, "kept", (json_int_t)st.kept, "carried",
	    (json_int_t)st.carried, "unmet", (json_int_t)st.unmet,
	    "findings", "opened", (json_int_t)fst.c.opened, "closed",
	    (json_int_t)fst.c.closed));
}

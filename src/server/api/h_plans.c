/*
 * h_plans.c - a person's 一人一策 plan of one year: read it with the
 * rules' explanations and unmet needs, (re)build it from the survey, add
 * manual items, confirm and reopen it.
 *
 * Routes (router.c): GET /api/v1/persons/{id}/plans/{year},
 * POST .../build, POST .../items, POST .../confirm, POST .../reopen.
 * The person must lie in the caller's scope (else 404, audited like every
 * read and write here).
 */
#include "lib/mem.h"
#include "server/access.h"
#include "server/json_out.h"
#include "server/json_plan.h"
#include "server/session.h"
#include "stats/statsd.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/audit.h"

/* ---- the plan view ---------------------------------------------- */

struct view {
	struct req		*r;
	json_t			*items;
	struct planner_result	 pr;
	int			 have_survey;
	struct record		*rec;
	/* needs named by items not rejected, by catalog index */
	unsigned char		*covered;
};

/* The planner's explanation for a rule item: same policy, first need. */
static const struct planner_item *
proposal_of(const struct view *v, const struct plan_item *it)
{
	const struct catalog *cat = v->r->app->cat;
	size_t i, n = strcspn(it->needs, ",");

	for (i = 0; i < v->pr.nitems; i++) {
		const struct planner_item *pi = &v->pr.items[i];
		const struct field *f = pi->nneeds ?
		    &cat->fields[pi->needs[0]] : NULL;

		if (strcmp(pi->policy->code, it->policy) == 0 && f != NULL &&
		    strlen(f->code) == n && strncmp(f->code, it->needs, n) == 0)
			return pi;
	}
	return NULL;
}

static void
mark_covered(struct view *v, const char *needs)
{
	const struct catalog *cat = v->r->app->cat;
	const struct field *f;
	const char *p = needs;
	size_t n;

	while (*p != '\0') {
		n = strcspn(p, ",");
		if ((f = catalog_find(cat, p, n)) != NULL)
			v->covered[f->index] = 1;
		p += n + (p[n] == ',');
	}
}

static int
add_item(void *arg, const struct plan_item *it)
{
	struct view *v = arg;
	const struct planner_item *pi;
	json_t *j = json_item(v->r->s, v->r->app->cat, v->r->app->policies,
	    it);

	if (it->origin == ORIGIN_RULE && (pi = proposal_of(v, it)) != NULL)
		json_object_set_new(j, "why", json_pack("{s:s,s:s}", "zh",
		    pi->why_zh ? pi->why_zh : "", "en",
		    pi->why_en ? pi->why_en : ""));
	if (it->decision != DECISION_REJECTED)
		mark_covered(v, it->needs);
	json_array_append_new(v->items, j);
	return 0;
}

/* Is yes-need f covered: named by an item, or an umbrella whose group
 * has a covered need. */
static int
covered(const struct view *v, const struct field *f)
{
	const struct catalog *cat = v->r->app->cat;
	size_t i;

	if (v->covered[f->index])
		return 1;
	if (!planner_need_is_umbrella(f))
		return 0;
	for (i = 0; i < cat->nfields; i++)
		if (v->covered[i] && planner_same_group(f, &cat->fields[i]))
			return 1;
	return 0;
}

static const struct planner_unmet *
unmet_why(const struct view *v, int need)
{
	size_t i;

	for (i = 0; i < v->pr.nunmet; i++)
		if (v->pr.unmet[i].need == need)
			return &v->pr.unmet[i];
	return NULL;
}

static json_t *
unmet_json(const struct view *v)
{
	const struct catalog *cat = v->r->app->cat;
	const struct planner_unmet *u;
	json_t *a = json_array();
	size_t i;

	if (!v->have_survey)
		return a;
	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];

		if (f->section != SEC_NEED ||
		    !planner_need_yes(cat, v->rec, (int)i) || covered(v, f))
			continue;
		u = unmet_why(v, (int)i);
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s}", "need",
		    f->code, "label", f->label_zh, "why",
		    u && u->why_zh ? u->why_zh : "提议已被拒绝或尚未加入计划",
		    "why_en", u && u->why_en ? u->why_en :
		    "the proposal was rejected or is not in the plan"));
	}
	return a;
}

/* Reads the year's survey and runs the planner with explanations. */
static int
view_propose(struct view *v, const struct store_person *p, int year,
    struct lf_error *err)
{
	struct expr_ctx ctx;
	int64_t version;
	int rc;

	rc = store_survey_get(v->r->s, p->id, year, v->rec, &version, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	v->have_survey = 1;
	planner_ctx(v->rec, year, p->region, v->r->app->disaster, &ctx);
	return planner_propose(v->r->app->policies, v->rec, &ctx,
	    PLANNER_EXPLAIN, &v->pr, err);
}

/* Before the first build: what the rules would propose, so that the
 * unmet needs are the real ones. */
static json_t *
preview(struct view *v)
{
	const struct catalog *cat = v->r->app->cat;
	json_t *a = json_array(), *needs;
	size_t i, k;

	for (i = 0; i < v->pr.nitems; i++) {
		const struct planner_item *pi = &v->pr.items[i];
		const struct policy_batch_info *b =
		    policy_batch_get(pi->policy->batch);

		needs = json_array();
		for (k = 0; k < pi->nneeds; k++) {
			const struct field *f = &cat->fields[pi->needs[k]];

			v->covered[f->index] = 1;
			json_array_append_new(needs, json_pack("{s:s,s:s}",
			    "code", f->code, "label", f->label_zh));
		}
		json_array_append_new(a, json_pack("{s:{s:s,s:s,s:s,s:s},s:o,"
		    "s:s,s:I,s:i,s:b,s:{s:s,s:s}}", "policy", "code",
		    pi->policy->code, "name", pi->policy->name_zh, "batch",
		    b->code, "batch_name", b->name_zh, "needs", needs, "dept",
		    pi->policy->dept->code, "funds_planned",
		    (json_int_t)pi->funds_fen, "month", pi->month, "monthly",
		    pi->monthly, "why", "zh", pi->why_zh ? pi->why_zh : "",
		    "en", pi->why_en ? pi->why_en : ""));
	}
	return a;
}

static json_t *
plan_view(struct req *r, const struct store_person *p, int year,
    struct lf_error *err)
{
	struct view v;
	struct plan plan;
	json_t *out = NULL, *pv;
	int rc;

	memset(&v, 0, sizeof(v));
	v.r = r;
	planner_result_init(&v.pr);
	v.rec = record_new(r->app->cat);
	v.covered = mem_calloc(r->app->cat->nfields, 1);
	v.items = json_array();
	if (v.rec == NULL || v.covered == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	if (view_propose(&v, p, year, err) != 0 ||
	    (rc = plan_get(r->s, p->id, year, &plan, err)) < 0)
		goto out;
	if (rc == 0 && plan_items(r->s, plan.id, add_item, &v, err) != 0)
		goto out;
	pv = rc == 1 ? preview(&v) : json_array();
	out = json_pack("{s:i,s:b,s:o,s:O,s:o,s:o}", "year", year, "survey",
	    v.have_survey, "plan", rc == 0 ? json_plan(&plan) : json_null(),
	    "items", v.items, "preview", pv, "unmet", unmet_json(&v));
out:
	json_decref(v.items);
	mem_free(v.covered);
	record_free(v.rec);
	planner_result_free(&v.pr);
	return out;
}

static enum MHD_Result
reply_view(struct req *r, const struct store_person *p, int year,
    unsigned status, const char *action, json_t *extra)
{
	struct lf_error err;
	json_t *view;

	lf_error_clear(&err);
	if ((view = plan_view(r, p, year, &err)) == NULL) {
		json_decref(extra);
		return reply_lf_error(r, &err);
	}
	if (extra != NULL)
		json_object_update_new(view, extra);
	if (action != NULL && http_audit_gate(r, action, "person", p->uid, "ok",
	    http_audit_kv(HTTP_AUDIT_KV, "year", r->params[1])) != 0) {
		json_decref(view);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, status, view);
}

enum MHD_Result
h_plan_get(struct req *r)
{
	struct store_person p;
	enum MHD_Result res;
	int year;

	if (http_path_person_year(r, ACT_PLAN_READ, "plan.read", &p, &year,
	    &res) != 0)
		return res;
	return reply_view(r, &p, year, 200, "plan.read", NULL);
}

/* ---- writes ------------------------------------------------------ */

static enum MHD_Result
write_failed(struct req *r, const struct store_person *p, const char *action,
    const struct lf_error *err)
{
	http_audit(r, action, "person", p->uid,
	    strcmp(err->code, "conflict") == 0 ? "conflict" : "invalid",
	    err->code);
	return reply_lf_error(r, err);
}

enum MHD_Result
h_plan_build(struct req *r)
{
	struct plan_build_stats st;
	struct store_person p;
	struct record *rec;
	struct lf_error err;
	enum MHD_Result res;
	int64_t version;
	int year, rc;

	if (http_path_person_year(r, ACT_PLAN_WRITE, "plan.build", &p, &year,
	    &res) != 0)
		return res;
	if ((rec = record_new(r->app->cat)) == NULL)
		return reply_nomem(r);
	memset(&st, 0, sizeof(st));
	lf_error_clear(&err);
	rc = store_survey_get(r->s, p.id, year, rec, &version, &err);
	if (rc == 0)
		rc = plan_build(r->s, r->app->policies, r->app->disaster, &p,
		    rec, year, r->who.login, &st, &err);
	else if (rc == 1)
		rc = lf_error_set(&err, "state", "year", "该年度尚无调查, 不能生成"
		    "计划 (no survey for this year: survey first)");
	record_free(rec);
	if (rc != 0)
		return write_failed(r, &p, "plan.build", &err);
	statsd_person(r->s, p.id);
	return reply_view(r, &p, year, 200, "plan.build", json_pack(
	    "{s:{s:I,s:I,s:I,s:I,s:I}}", "build", "inserted",
	    (json_int_t)st.inserted, "updated", (json_int_t)st.updated,
	    "deleted", (json_int_t)st.deleted, "kept", (json_int_t)st.kept,
	    "carried", (json_int_t)st.carried));
}

enum MHD_Result
h_plan_item_add(struct req *r)
{
	static const char *extra[] = { "policy", "needs", "client_id", NULL };
	const char *allowed[24];
	struct plan_item_change c;
	struct store_person p;
	struct plan_item it;
	struct lf_error err;
	enum MHD_Result res;
	const char *pol, *needs, *cid;
	json_t *body;
	size_t i, n = 0;
	int year, rc;

	if (http_path_person_year(r, ACT_PLAN_WRITE, "item.add", &p, &year,
	    &res) != 0)
		return res;
	for (i = 0; json_change_names[i] != NULL; i++)
		allowed[n++] = json_change_names[i];
	for (i = 0; extra[i] != NULL; i++)
		allowed[n++] = extra[i];
	allowed[n] = NULL;
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	lf_error_clear(&err);
	pol = json_string_value(json_object_get(body, "policy"));
	needs = json_string_value(json_object_get(body, "needs"));
	cid = json_string_value(json_object_get(body, "client_id"));
	if (json_to_change(body, &c, &err) != 0)
		rc = -1;
	else
		rc = plan_item_add(r->s, r->app->policies, p.id, year,
		    pol ? pol : "", needs ? needs : "", &c, cid, r->who.login,
		    &it, &err);
	if (rc != 0) {
		json_decref(body);
		return write_failed(r, &p, "item.add", &err);
	}
	json_decref(body);
	statsd_person(r->s, p.id);
	http_audit(r, "item.add", "person", p.uid, "ok", http_audit_kv(HTTP_AUDIT_KV,
	    "year", r->params[1]));
	return reply_json(r, 201, json_pack("{s:o}", "item",
	    json_item(r->s, r->app->cat, r->app->policies, &it)));
}

/* confirm and reopen: {"version"} */
static enum MHD_Result
plan_state(struct req *r, int confirm)
{
	static const char *const allowed[] = { "version", NULL };
	const char *what = confirm ? "plan.confirm" : "plan.reopen";
	struct store_person p;
	struct plan plan;
	struct lf_error err;
	enum MHD_Result res;
	json_t *body;
	int64_t ver = 0;
	int year, rc;

	if (http_path_person_year(r, ACT_PLAN_CONFIRM, what, &p, &year,
	    &res) != 0)
		return res;
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	if (!json_is_integer(json_object_get(body, "version"))) {
		json_decref(body);
		return reply_error(r, 400, "bad_request", "version", "需要 "
		    "version (整数) (version integer is required)");
	}
	ver = json_integer_value(json_object_get(body, "version"));
	json_decref(body);
	lf_error_clear(&err);
	rc = plan_get(r->s, p.id, year, &plan, &err);
	if (rc == 1)
		rc = lf_error_set(&err, "state", "year", "该年度尚无计划 (no "
		    "plan for this year)");
	else if (rc == 0)
		rc = confirm ? plan_confirm(r->s, plan.id, ver, r->who.login,
		    &plan, &err) : plan_reopen(r->s, plan.id, ver,
		    r->who.login, &plan, &err);
	if (rc != 0)
		return write_failed(r, &p, what, &err);
	statsd_person(r->s, p.id);
	return reply_view(r, &p, year, 200, what, NULL);
}

enum MHD_Result
h_plan_confirm(struct req *r)
{
	return plan_state(r, 1);
}

enum MHD_Result
h_plan_reopen(struct req *r)
{
	return plan_state(r, 0);
}

/* ---- every year's plan, for the person page ------------------------ */

/* The page's plans as text, in the order plan_person_each() hands them
 * over: a plan opens its object and items array, an item its object
 * (closed with its deliveries when the next item, plan or the end
 * comes). */
struct chain {
	struct req	*r;
	struct buf	*b;
	int		 plans, items, dls;	/* how many so far */
	char		 ref[PLAN_REF_LEN + 1];	/* the open item's */
};

/* Closes the open item, if any. */
static int
chain_close_item(struct chain *c)
{
	if (c->items == 0)
		return 0;
	return buf_adds(c->b, c->dls == 0 ? "\"deliveries\":[]}" : "]}");
}

/* Closes the open plan, if any. */
static int
chain_close_plan(struct chain *c)
{
	if (c->plans == 0)
		return 0;
	return chain_close_item(c) != 0 ? -1 : buf_adds(c->b, "]}");
}

static int
chain_plan(void *arg, const struct plan *p)
{
	struct chain *c = arg;

	if (chain_close_plan(c) != 0 ||
	    buf_adds(c->b, c->plans++ ? ",{\"year\":" : "{\"year\":") != 0 ||
	    jout_int(c->b, p->year) != 0 || buf_adds(c->b, ",\"plan\":") != 0 ||
	    jout_plan(c->b, p) != 0 || buf_adds(c->b, ",\"items\":[") != 0)
		return -1;
	c->items = 0;
	return 0;
}

/* need -> item: the item, open for its deliveries. */
static int
chain_item(void *arg, const struct plan_item *it)
{
	struct chain *c = arg;

	if (chain_close_item(c) != 0 || (c->items++ &&
	    buf_addc(c->b, ',') != 0) || jout_item_open(c->b, c->r->s,
	    c->r->app->cat, c->r->app->policies, it, c->ref) != 0 ||
	    buf_addc(c->b, ',') != 0)
		return -1;
	c->dls = 0;
	if (c->ref[0] == '\0')
		return -2;
	return 0;
}

/* item -> delivery -> effect */
static int
chain_delivery(void *arg, const struct plan_delivery *d)
{
	struct chain *c = arg;

	return buf_adds(c->b, c->dls++ ? "," : "\"deliveries\":[") != 0 ||
	    jout_delivery(c->b, d, c->ref) != 0 ? -1 : 0;
}

int
http_person_plans(struct req *r, const struct store_person *p,
    struct buf *b, struct lf_error *err)
{
	static const struct plan_person_fns fns = { chain_plan, chain_item,
	    chain_delivery };
	struct chain c = { r, b, 0, 0, 0, "" };
	int rc;

	if (buf_addc(b, '[') != 0)
		return lf_error_nomem(err);
	rc = plan_person_each(r->s, p->id, &fns, &c, err);
	if (rc == -2)
		return lf_error_set(err, "crypto", "", "无法生成条目编号 "
		    "(cannot make the item's reference)");
	if (rc < 0 && err->code != NULL)
		return -1;
	if (rc != 0 || chain_close_plan(&c) != 0 || buf_addc(b, ']') != 0)
		return lf_error_nomem(err);
	return 0;
}

/* ---- plans of a region: drafts to finish, overdue items ------------ */

struct list_page {
	struct req	*r;
	json_t		*list;
	struct lf_error	*err;
};

static int
list_add(void *arg, const struct plan_summary *ps)
{
	static const char *const st[] = { "", "draft", "confirmed",
	    "closed" };
	struct list_page *pg = arg;
	struct store_person p;

	if (store_person_by_id(pg->r->s, ps->person_id, &p, pg->err) != 0)
		return -1;
	json_array_append_new(pg->list, json_pack("{s:o,s:{s:I,s:s},s:i,s:i,"
	    "s:i,s:i,s:I,s:I}", "person", http_person_json(pg->r, &p), "plan",
	    "id", (json_int_t)ps->plan_id, "status", ps->status >= 1 &&
	    ps->status <= 3 ? st[ps->status] : "", "items", ps->items, "open",
	    ps->open, "done", ps->done, "overdue", ps->overdue, "planned",
	    (json_int_t)ps->planned, "spent", (json_int_t)ps->spent));
	return 0;
}

/* -1 for none, the plan status named, or -2 when unknown. */
static int
status_of(const char *name)
{
	static const char *const names[] = { "", "draft", "confirmed",
	    "closed" };
	int i;

	if (name == NULL)
		return -1;
	for (i = PLAN_DRAFT; i <= PLAN_CLOSED; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -2;
}

/* GET /api/v1/plans?year=&region=&status=draft|confirmed|closed&after=
 * &limit= */
enum MHD_Result
h_plans_list(struct req *r)
{
	static const char *const names[] = { "year", "region", "status",
	    "after", "limit", NULL };
	enum { A_YEAR, A_REGION, A_STATUS, A_AFTER, A_LIMIT, NA };
	const char *a[NA] = { NULL, NULL, NULL, NULL, NULL };
	struct plan_list_query q;
	struct list_page pg = { r, NULL, NULL };
	const struct region *in;
	struct lf_error err;
	enum MHD_Result res;
	int64_t last = 0;
	long limit;
	int bad;

	memset(&q, 0, sizeof(q));
	if (http_plans_query(r, "plan.list", names, a, &q.year, &bad,
	    &res) != 0)
		return res;
	q.status = status_of(a[A_STATUS]);
	limit = http_query_num(a[A_LIMIT], 50, 1, 200);
	q.after = a[A_AFTER] ? strtoll(a[A_AFTER], NULL, 10) : 0;
	if (bad || q.year < 1990 || q.status == -2 || limit < 1 ||
	    q.after < 0)
		return reply_error(r, 400, "bad_request", "", "参数无效: 可用 "
		    "year、region、status (draft/confirmed/closed)、after、limit "
		    "(bad query)");
	if ((in = http_scope_region(r, a[A_REGION])) == NULL)
		return reply_error(r, 400, "bad_region", "region", "区划不在您的"
		    "范围内 (region unknown or outside your scope)");
	q.region = in->code;
	q.limit = (int)limit;
	q.overdue_before = http_overdue_before(q.year);
	pg.list = json_array();
	lf_error_clear(&err);
	pg.err = &err;
	if (plan_list(r->s, &q, list_add, &pg, &last, &err) != 0) {
		json_decref(pg.list);
		return reply_lf_error(r, &err);
	}
	http_audit(r, "plan.list", "region", in->code, "ok", http_audit_kv(
	    HTTP_AUDIT_KV, "status", a[A_STATUS]));
	return reply_json(r, 200, json_pack("{s:o,s:o}", "plans", pg.list,
	    "next", json_array_size(pg.list) == (size_t)limit ?
	    json_sprintf("%lld", (long long)last) : json_null()));
}

/*
 * h_plan_villages.c - GET /api/v1/plans/villages?year=&region=&limit=:
 * the villages of a region with the most draft plans and persons with
 * overdue items first, for the home of a township and above (issue 14).
 * The region must lie in the caller's scope (else 404, audited).
 */
#include "server/access.h"
#include "server/session.h"

#include <stdio.h>
#include <string.h>

#include "store/plan.h"

struct vpage {
	const struct regions	*rs;
	json_t			*list;
};

/* {"code","name"} of the region of level lv holding village code12. */
static json_t *
place(const struct regions *rs, int64_t code12, enum region_level lv)
{
	const struct region *g;
	char code[13];
	int64_t div = lv == RL_TOWNSHIP ? 1000 : 1;

	g = regions_find12(rs, code12 / div * div, lv);
	if (g != NULL)
		return json_pack("{s:s,s:s}", "code", g->code, "name", g->name);
	snprintf(code, sizeof(code), "%012lld", (long long)code12);
	if (lv == RL_TOWNSHIP)
		code[9] = '\0';
	return json_pack("{s:s,s:s}", "code", code, "name", "");
}

static int
village_add(void *arg, const struct plan_village *v)
{
	struct vpage *pg = arg;
	json_t *o = place(pg->rs, v->village, RL_VILLAGE);

	json_object_set_new(o, "township", place(pg->rs, v->village,
	    RL_TOWNSHIP));
	json_object_set_new(o, "plans", json_integer(v->plans));
	json_object_set_new(o, "drafts", json_integer(v->drafts));
	json_object_set_new(o, "overdue", json_integer(v->overdue));
	json_array_append_new(pg->list, o);
	return 0;
}

enum MHD_Result
h_plans_villages(struct req *r)
{
	static const char *const names[] = { "year", "region", "limit",
	    NULL };
	enum { A_YEAR, A_REGION, A_LIMIT, NA };
	const char *a[NA] = { NULL, NULL, NULL };
	struct plan_villages_query q;
	struct vpage pg = { r->app->regions, NULL };
	const struct region *in;
	struct lf_error err;
	enum MHD_Result res;
	int64_t total = 0;
	long limit;
	int bad;

	memset(&q, 0, sizeof(q));
	if (http_plans_query(r, "plan.villages", names, a, &q.year, &bad,
	    &res) != 0)
		return res;
	limit = http_query_num(a[A_LIMIT], 100, 1, 1000);
	if (bad || q.year < 1990 || limit < 1)
		return reply_error(r, 400, "bad_request", "", "参数无效: 可用 "
		    "year、region、limit (1..1000) (bad query)");
	if ((in = http_scope_region(r, a[A_REGION])) == NULL) {
		http_audit(r, "plan.villages", "region", a[A_REGION] != NULL &&
		    strlen(a[A_REGION]) <= 12 ? a[A_REGION] : "", "denied",
		    "scope");
		return reply_error(r, 404, "not_found", "region", "没有这个区划"
		    " (no such region in your scope)");
	}
	q.region = in->code;
	q.limit = (int)limit;
	q.overdue_before = http_overdue_before(q.year);
	pg.list = json_array();
	if (plan_villages(r->s, &q, village_add, &pg, &total, &err) != 0) {
		json_decref(pg.list);
		return reply_lf_error(r, &err);
	}
	http_audit(r, "plan.villages", "region", in->code, "ok", "");
	return reply_json(r, 200, json_pack("{s:i,s:s,s:I,s:o}", "year",
	    q.year, "region", in->code, "total", (json_int_t)total,
	    "villages", pg.list));
}

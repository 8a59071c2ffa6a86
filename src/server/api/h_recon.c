/*
 * h_recon.c - the tasks of reconciliation findings (recon/recon.h, store/recon_rows.h) over
 * HTTP: list those of the caller's region, close one with a reason.
 * County and higher officers only; a task outside the caller's region is
 * answered 404 like any other record there.
 */
#include "server/access.h"
#include "server/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reconcile.h"
#include "recon/recon.h"

static json_t *
task_json(const struct recon_task *t)
{
	int f = recon_finding_find(t->finding);

	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:I,"
	    "s:I}", "id", (json_int_t)t->id, "person", t->uid, "kind", t->kind,
	    "finding", t->finding, "finding_name", f >= 0 ?
	    recon_finding_zh(f) : "", "region", t->region, "county", t->county,
	    "owner", t->owner, "open", t->open, "close_reason",
	    t->close_reason, "closed_by", t->closed_by, "created_at",
	    (json_int_t)t->created_at, "closed_at", (json_int_t)t->closed_at);
}

static int
list_add(void *arg, const struct recon_task *t)
{
	return json_array_append_new(arg, task_json(t)) == 0 ? 0 : -1;
}

static enum MHD_Result
forbidden(struct req *r, const char *action)
{
	return http_audit_refuse(r, action, "recon_task", "role",
	    "只有县级及以上干部可处理比对任务 (only county and higher "
	    "officers handle reconciliation tasks)");
}

/* GET /api/v1/recon/tasks?region=&kind=&open=1|0&after=&limit= */
enum MHD_Result
h_recon_tasks(struct req *r)
{
	static const char *const names[] = { "region", "kind", "open",
	    "after", "limit", NULL };
	enum { A_REGION, A_KIND, A_OPEN, A_AFTER, A_LIMIT, NA };
	const char *a[NA] = { NULL, NULL, NULL, NULL, NULL };
	const struct region *in = r->who.scope;
	struct recon_task_query q;
	struct lf_error err;
	json_t *list;
	int64_t last = 0;
	long limit;

	if (!access_allowed(&r->who, ACT_PLAN_BATCH, 0))
		return forbidden(r, "recon.list");
	memset(&q, 0, sizeof(q));
	if (http_query_args(r, names, a) != 0 ||
	    (limit = http_query_num(a[A_LIMIT], 50, 1, 200)) < 1 ||
	    (a[A_OPEN] != NULL && strcmp(a[A_OPEN], "1") != 0 &&
	    strcmp(a[A_OPEN], "0") != 0) ||
	    (a[A_KIND] != NULL && strlen(a[A_KIND]) > 15))
		return reply_error(r, 400, "bad_request", "", "参数无效: 可用 "
		    "region、kind、open (1/0)、after、limit (bad query)");
	if (a[A_REGION] != NULL && ((in = regions_find(r->app->regions,
	    a[A_REGION])) == NULL || !region_contains(r->who.scope,
	    in->code12) || in->level < r->who.scope->level))
		return reply_error(r, 400, "bad_region", "region", "区划不在您的"
		    "范围内 (region unknown or outside your scope)");
	q.region = in->code;
	q.kind = a[A_KIND];
	q.open = a[A_OPEN] ? a[A_OPEN][0] == '1' : -1;
	q.after = a[A_AFTER] ? strtoll(a[A_AFTER], NULL, 10) : 0;
	q.limit = (int)limit;
	list = json_array();
	lf_error_clear(&err);
	if (recon_tasks(r->s, &q, list_add, list, &last, &err) != 0) {
		json_decref(list);
		return reply_lf_error(r, &err);
	}
	http_audit(r, "recon.list", "region", in->code, "ok", "");
	return reply_json(r, 200, json_pack("{s:o,s:o}", "tasks", list,
	    "next", json_array_size(list) == (size_t)limit ?
	    json_sprintf("%lld", (long long)last) : json_null()));
}

/* POST /api/v1/recon/tasks/{id}/close {"reason"} */
enum MHD_Result
h_recon_close(struct req *r)
{
	static const char *const allowed[] = { "reason", NULL };
	struct recon_task t;
	struct lf_error err;
	enum MHD_Result res;
	json_t *body;
	char *end;
	long long id = strtoll(r->params[0], &end, 10);
	int rc;

	if (!access_allowed(&r->who, ACT_PLAN_BATCH, 0))
		return forbidden(r, "recon.close");
	lf_error_clear(&err);
	rc = *end != '\0' || id <= 0 ? 1 : recon_task_get(r->s, id, &t, &err);
	if (rc < 0)
		return reply_lf_error(r, &err);
	if (rc == 1 || !region_contains(r->who.scope, strtoll(t.region, NULL,
	    10))) {
		http_audit(r, "recon.close", "recon_task", r->params[0],
		    "not_found", "");
		return reply_not_found(r);
	}
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	rc = recon_task_close(r->s, id, json_string_value(json_object_get(body,
	    "reason")), r->who.login, &t, &err);
	json_decref(body);
	http_audit(r, "recon.close", "recon_task", r->params[0], rc == 0 ?
	    "ok" : "invalid", rc == 0 ? "" : err.code);
	if (rc != 0)
		return reply_lf_error(r, &err);
	return reply_json(r, 200, task_json(&t));
}

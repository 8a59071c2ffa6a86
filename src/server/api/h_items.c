/*
 * h_items.c - one service item: read it with its deliveries, edit it
 * (workers), and the department's side (开放量服): the inbox, accept,
 * return with a reason, record deliveries.
 *
 * Who may touch an item: workers and officers whose region holds the
 * item's village (plan actions of access.c); department officers only
 * when the item is assigned to their department, lies in their region
 * and has been routed to them: accepted in a plan that was confirmed (a
 * draft is the workers' business). Anything else is 404, audited, as for
 * persons. Items are addressed by their opaque reference
 * (plan_item_ref()), never by their row number. Department
 * officers see the item, the person's name, masked ID number and village,
 * and the item's needs: no other survey item.
 */
#include "server/access.h"
#include "server/json_plan.h"
#include "server/session.h"
#include "stats/statsd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/audit.h"

enum who_may { MAY_WORKER_READ, MAY_WORKER_WRITE, MAY_DEPT, MAY_ANY_READ };

/* 1 when the item has reached its department: accepted, in a plan that
 * was confirmed (confirmed or closed since); -1 on a store error. */
static int
routed(struct req *r, const struct plan_item *it, struct lf_error *err)
{
	struct plan pl;
	int rc;

	if (it->decision != DECISION_ACCEPTED)
		return 0;
	if ((rc = plan_get(r->s, it->person_id, it->year, &pl, err)) != 0)
		return rc < 0 ? -1 : 0;
	return pl.id == it->plan_id && pl.status >= PLAN_CONFIRMED;
}

static int
dept_may(struct req *r, const struct plan_item *it, int64_t village,
    struct lf_error *err)
{
	if (!access_allowed(&r->who, ACT_ITEM_DEPT, village) ||
	    strcmp(r->who.department, it->dept) != 0)
		return 0;
	return routed(r, it, err);
}

/* 1 may, 0 may not, -1 store error. */
static int
may(struct req *r, const struct plan_item *it, enum who_may m,
    struct lf_error *err)
{
	int64_t v = strtoll(it->region, NULL, 10);

	switch (m) {
	case MAY_WORKER_READ:
		return access_allowed(&r->who, ACT_PLAN_READ, v);
	case MAY_WORKER_WRITE:
		return access_allowed(&r->who, ACT_PLAN_WRITE, v);
	case MAY_DEPT:
		return dept_may(r, it, v, err);
	default:
		if (access_allowed(&r->who, ACT_PLAN_READ, v))
			return 1;
		return dept_may(r, it, v, err);
	}
}

/* Loads item r->params[0] if the caller may; else replies (*res) and
 * returns 1. */
static int
load_item(struct req *r, enum who_may m, const char *what,
    struct plan_item *it, enum MHD_Result *res)
{
	struct lf_error err;
	int64_t id;
	int rc = 1, ok = 0;

	lf_error_clear(&err);
	if (plan_item_unref(r->s, r->params[0], &id) == 0)
		rc = plan_item_get(r->s, id, it, &err);
	if (rc == 0)
		ok = may(r, it, m, &err);
	if (rc < 0 || ok < 0) {
		*res = reply_lf_error(r, &err);
		return 1;
	}
	if (rc == 1 || !ok) {
		http_audit(r, what, "item", r->params[0], rc == 1 ?
		    "not_found" : "denied", rc == 1 ? "" :
		    "outside the caller's scope, role or department");
		*res = reply_not_found(r);
		return 1;
	}
	return 0;
}

struct deliveries {
	json_t		*list;
	const char	*ref;		/* the item's reference */
};

static int
add_delivery(void *arg, const struct plan_delivery *d)
{
	struct deliveries *dl = arg;

	json_array_append_new(dl->list, json_delivery(d, dl->ref));
	return 0;
}

/* What a department sees of the person: name, masked ID number and
 * village, nothing of the survey. */
static json_t *
dept_person(const struct req *r, const struct store_person *p)
{
	const struct region *v = regions_find(r->app->regions, p->region);
	char masked[40];

	json_mask(store_person_shown_id(p), masked, sizeof(masked));
	return json_pack("{s:s,s:s,s:s,s:s}", "name", p->name, "id_number",
	    masked, "region", p->region, "region_name", v ? v->name : "");
}

/* The item with its deliveries and its person's summary. */
static json_t *
item_full(struct req *r, const struct plan_item *it, struct lf_error *err)
{
	struct store_person p;
	struct deliveries dl = { json_array(), NULL };
	json_t *j = json_item(r->s, r->app->cat, r->app->policies, it);
	int rc;

	dl.ref = json_string_value(json_object_get(j, "id"));
	if (dl.ref == NULL) {
		lf_error_set(err, "crypto", "", "无法生成条目编号 (cannot make "
		    "the item's reference)");
		goto fail;
	}
	if (plan_deliveries(r->s, it->id, add_delivery, &dl, err) != 0 ||
	    (rc = store_person_by_id(r->s, it->person_id, &p, err)) < 0)
		goto fail;
	json_object_set_new(j, "deliveries", dl.list);
	json_object_set_new(j, "person", rc != 0 ? json_null() :
	    strcmp(r->who.role, "department") == 0 ? dept_person(r, &p) :
	    http_person_json(r, &p));
	return j;
fail:
	json_decref(dl.list);
	json_decref(j);
	return NULL;
}

static enum MHD_Result
reply_item(struct req *r, const struct plan_item *it, unsigned status,
    const char *what)
{
	struct lf_error err;
	json_t *j;

	lf_error_clear(&err);
	if ((j = item_full(r, it, &err)) == NULL)
		return reply_lf_error(r, &err);
	if (http_audit_gate(r, what, "item", r->params[0], "ok", "") != 0) {
		json_decref(j);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, status, json_pack("{s:o}", "item", j));
}

/* A refused write; a stale version (409) comes with the item as it is
 * now, so the client can show both. */
static enum MHD_Result
failed(struct req *r, int64_t id, const char *what,
    const struct lf_error *err)
{
	int conflict = strcmp(err->code, "conflict") == 0;
	struct plan_item cur;
	struct lf_error e2;

	http_audit(r, what, "item", r->params[0], conflict ? "conflict" :
	    "invalid", err->code);
	lf_error_clear(&e2);
	if (conflict && plan_item_get(r->s, id, &cur, &e2) == 0)
		return reply_json(r, 409, json_pack("{s:{s:s,s:s,s:s},s:o}",
		    "error", "code", "conflict", "message", err->message,
		    "field", "version", "current", json_item(r->s, r->app->cat,
		    r->app->policies, &cur)));
	return reply_lf_error(r, err);
}

enum MHD_Result
h_item_get(struct req *r)
{
	struct plan_item it;
	enum MHD_Result res;

	if (load_item(r, MAY_ANY_READ, "item.read", &it, &res) != 0)
		return res;
	return reply_item(r, &it, 200, "item.read");
}

/* Reads {"version": n, ...} of body into *ver. */
static int
body_version(json_t *body, int64_t *ver, struct lf_error *err)
{
	json_t *v = json_object_get(body, "version");

	if (!json_is_integer(v))
		return lf_error_set(err, "bad_request", "version", "需要 "
		    "version (整数) (version integer is required)");
	*ver = json_integer_value(v);
	return 0;
}

enum MHD_Result
h_item_patch(struct req *r)
{
	const char *allowed[20];
	struct plan_item_change c;
	struct plan_item it;
	struct lf_error err;
	enum MHD_Result res;
	json_t *body;
	int64_t ver = 0;
	size_t n;
	int rc;

	if (load_item(r, MAY_WORKER_WRITE, "item.write", &it, &res) != 0)
		return res;
	for (n = 0; json_change_names[n] != NULL; n++)
		allowed[n] = json_change_names[n];
	allowed[n++] = "version";
	allowed[n] = NULL;
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	lf_error_clear(&err);
	rc = body_version(body, &ver, &err);
	if (rc == 0)
		rc = json_to_change(body, &c, &err);
	if (rc == 0)
		rc = plan_item_update(r->s, it.id, &c, ver, r->who.login, &it,
		    &err);
	json_decref(body);
	if (rc != 0)
		return failed(r, it.id, "item.write", &err);
	statsd_person(r->s, it.person_id);
	return reply_item(r, &it, 200, "item.write");
}

/* accept: {"version"}; return: {"version", "reason"} */
static enum MHD_Result
dept_answer(struct req *r, int accept)
{
	static const char *const allowed[] = { "version", "reason", NULL };
	const char *what = accept ? "item.accept" : "item.return";
	struct plan_item it;
	struct lf_error err;
	enum MHD_Result res;
	const char *reason;
	json_t *body;
	int64_t ver = 0;
	int rc;

	if (load_item(r, MAY_DEPT, what, &it, &res) != 0)
		return res;
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	lf_error_clear(&err);
	reason = json_string_value(json_object_get(body, "reason"));
	rc = body_version(body, &ver, &err);
	if (rc == 0 && accept)
		rc = plan_item_dept_accept(r->s, it.id, ver, r->who.login, &it,
		    &err);
	else if (rc == 0)
		rc = plan_item_dept_return(r->s, it.id, reason ? reason : "",
		    ver, r->who.login, &it, &err);
	json_decref(body);
	if (rc != 0)
		return failed(r, it.id, what, &err);
	statsd_person(r->s, it.person_id);
	return reply_item(r, &it, 200, what);
}

enum MHD_Result
h_item_accept(struct req *r)
{
	return dept_answer(r, 1);
}

enum MHD_Result
h_item_return(struct req *r)
{
	return dept_answer(r, 0);
}

/* POST /api/v1/items/{id}/deliveries {"date","amount","note","client_id"} */
enum MHD_Result
h_item_deliver(struct req *r)
{
	static const char *const allowed[] = { "date", "amount", "note",
	    "client_id", NULL };
	struct plan_delivery d;
	struct plan_item it;
	struct lf_error err;
	enum MHD_Result res;
	json_t *body, *amount;
	const char *date, *note, *cid;
	int rc;

	if (load_item(r, MAY_DEPT, "item.deliver", &it, &res) != 0)
		return res;
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	lf_error_clear(&err);
	date = json_string_value(json_object_get(body, "date"));
	note = json_string_value(json_object_get(body, "note"));
	cid = json_string_value(json_object_get(body, "client_id"));
	amount = json_object_get(body, "amount");
	if (date == NULL)
		rc = lf_error_set(&err, "bad_request", "date", "需要 date "
		    "(YYYY-MM-DD) (date is required)");
	else if (!json_is_integer(amount))
		rc = lf_error_set(&err, "bad_request", "amount", "需要 amount"
		    " (整数, 分) (amount in fen, an integer, is required)");
	else
		rc = plan_delivery_add(r->s, it.id, date,
		    json_integer_value(amount), note ? note : "", cid,
		    r->who.login, &d, &it, &err);
	json_decref(body);
	if (rc != 0)
		return failed(r, it.id, "item.deliver", &err);
	statsd_person(r->s, it.person_id);
	return reply_item(r, &it, 201, "item.deliver");
}

/* ---- the department inbox --------------------------------------- */

struct inbox_page {
	struct req	*r;
	json_t		*list;
};

static int
inbox_add(void *arg, const struct plan_item *it)
{
	struct inbox_page *pg = arg;
	struct lf_error err;
	json_t *j;

	lf_error_clear(&err);
	if ((j = item_full(pg->r, it, &err)) == NULL)
		return -1;
	json_array_append_new(pg->list, j);
	return 0;
}

enum MHD_Result
h_inbox(struct req *r)
{
	static const char *const names[] = { "year", "state", "after", "limit",
	    NULL };
	const char *v[4] = { NULL, NULL, NULL, NULL };
	struct plan_inbox_query q;
	struct inbox_page pg = { r, NULL };
	struct lf_error err;
	int64_t last = 0;
	int year, bad;
	char detail[96];
	long limit, state;

	if (!access_allowed(&r->who, ACT_ITEM_DEPT, 0))
		return http_audit_refuse(r, "item.inbox", "item", "role",
		    "只有部门工作人员有待办 (only department officers "
		    "have an inbox)");
	bad = http_query_args(r, names, v) != 0;
	http_china_date(&year, NULL);
	memset(&q, 0, sizeof(q));
	q.dept = r->who.department;
	q.region = r->who.region;
	q.year = (int)http_query_num(v[0], year, 1990, 2999);
	state = http_query_num(v[1], -1, -1, 2);
	limit = http_query_num(v[3], 50, 1, 200);
	q.after = 0;
	if (v[2] != NULL && plan_item_unref(r->s, v[2], &q.after) != 0)
		bad = 1;
	if (bad || q.year < 1990 || state < -1 || limit < 1 || q.after < 0)
		return reply_error(r, 400, "bad_request", "", "参数无效: 可用 "
		    "year、state (0 待接收, 1 已接收, 2 已退回)、after、limit "
		    "(bad query: year, state, after, limit)");
	q.dept_state = (int)state;
	q.limit = (int)limit;
	pg.list = json_array();
	lf_error_clear(&err);
	if (plan_inbox(r->s, &q, inbox_add, &pg, &last, &err) != 0) {
		json_decref(pg.list);
		return reply_lf_error(r, &err);
	}
	snprintf(detail, sizeof(detail), "year=%d state=%ld rows=%zu", q.year,
	    state, json_array_size(pg.list));
	if (http_audit_gate(r, "item.inbox", "item", "", "ok", detail) != 0) {
		json_decref(pg.list);
		return reply_audit_unavailable(r);
	}
	/* the cursor is the last item's reference */
	return reply_json(r, 200, json_pack("{s:o,s:o}", "items", pg.list,
	    "next", json_array_size(pg.list) == (size_t)limit && last > 0 ?
	    json_copy(json_object_get(json_array_get(pg.list,
	    json_array_size(pg.list) - 1), "id")) : json_null()));
}

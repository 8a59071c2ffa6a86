/*
 * h_self.c - self-service (开放量服): the person opens a read-only page of
 * their own plans, items, deliveries and ratings with a code and the last
 * six characters of their ID number, and rates delivered items and plans.
 *
 * Routes (router.c):
 *   POST   /api/v1/self/session   {code, last6} -> lf_self cookie, csrf
 *   GET    /api/v1/self/session   the session's csrf and end
 *   DELETE /api/v1/self/session   end it
 *   GET    /api/v1/self           the page of the session's person
 *   POST   /api/v1/self/feedback  {year, item, rating, note}
 * No route takes a person id: the person is the session's. An item of
 * another person answers 404 like a missing one. Every use is audited as
 * "self-service via code #<id>"; no answer, log or audit entry holds the
 * typed code or digits.
 */
#include "server/session_self.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/date.h"
#include "server/json_plan.h"
#include "server/session.h"
#include "feedback/feedback.h"
#include "auth/selfcode.h"

static unsigned
refusal_status(const char *code)
{
	static const struct {
		const char	*code;
		unsigned	 status;
	} map[] = {
		{ "bad_code", 401 }, { "expired", 410 }, { "revoked", 410 },
		{ "locked", 423 }, { "throttled", 429 },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].code, code) == 0)
			return map[i].status;
	return 0;
}

enum MHD_Result
h_self_login(struct req *r)
{
	static const char *const allowed[] = { "code", "last6", NULL };
	char cookie[256], when[21], target[32];
	struct store_person p;
	struct self_session ss;
	struct lf_error err;
	enum MHD_Result res;
	int64_t code_id = 0, now = (int64_t)time(NULL);
	unsigned st;
	json_t *body;

	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	lf_error_clear(&err);
	if (selfcode_redeem(r->s, json_string_value(json_object_get(body,
	    "code")), json_string_value(json_object_get(body, "last6")),
	    r->client, now, &ss, &code_id, &err) != 0) {
		json_decref(body);
		if (code_id != 0)
			self_principal(r, code_id);
		target[0] = '\0';
		if (code_id != 0)
			snprintf(target, sizeof(target), "#%lld",
			    (long long)code_id);
		st = refusal_status(err.code);
		http_audit(r, "self.login", "selfcode", target, "denied",
		    st ? err.code : "error");
		return st ? reply_error(r, st, err.code, "", "%s",
		    err.message) : reply_lf_error(r, &err);
	}
	json_decref(body);
	self_principal(r, ss.code_id);
	if (store_person_by_id(r->s, ss.person_id, &p, &err) != 0)
		return reply_error(r, 500, "store", "", "服务器内部错误 "
		    "(internal error; request id %s)", r->id);
	http_audit(r, "self.login", "person", p.uid, "ok", "");
	date_utc_iso(ss.expires_at, when);
	self_cookie(r, ss.token, (long)(ss.expires_at - now), cookie,
	    sizeof(cookie));
	memset(&ss.token, 0, sizeof(ss.token));
	body = json_pack("{s:s,s:s}", "csrf", ss.csrf, "expires_at", when);
	return reply_json_cookie(r, 200, body, cookie);
}

enum MHD_Result
h_self_session(struct req *r)
{
	struct self_session ss;
	struct lf_error err;
	char when[21];

	lf_error_clear(&err);
	if (self_session_check(r->s, r->self.token, (int64_t)time(NULL), &ss,
	    &err) != 0)
		return reply_error(r, 401, "unauthenticated", "", "请先输入验证码"
		    " (enter the code first)");
	date_utc_iso(ss.expires_at, when);
	return reply_json(r, 200, json_pack("{s:s,s:s}", "csrf", r->self.csrf,
	    "expires_at", when));
}

enum MHD_Result
h_self_logout(struct req *r)
{
	struct MHD_Response *resp;
	struct lf_error err;
	static const char body[] = "{\"ok\":true}";
	char cookie[256];

	lf_error_clear(&err);
	if (self_session_end(r->s, r->self.token, &err) != 0)
		return reply_lf_error(r, &err);
	http_audit(r, "self.logout", "session", "", "ok", "");
	resp = MHD_create_response_from_buffer(sizeof(body) - 1,
	    (void *)body, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	self_cookie(r, NULL, 0, cookie, sizeof(cookie));
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Set-Cookie", cookie);
	return reply_queue(r, 200, resp);
}

/* ---- the page ------------------------------------------------------ */

struct page {
	struct req	*r;
	json_t		*items;
	struct lf_error	*err;
};

static int
add_delivery(void *arg, const struct plan_delivery *d)
{
	json_array_append_new(arg, json_pack("{s:s,s:I,s:o}", "date", d->date,
	    "amount", (json_int_t)d->amount, "note", d->note[0] ?
	    json_string(d->note) : json_null()));
	return 0;
}

/* One item as the person sees it: the worker's internals left out. */
static int
add_item(void *arg, const struct plan_item *it)
{
	static const char *const internal[] = { "updated_by", "client_id",
	    "edited", "carried_from", "dept_state", "version", "origin",
	    "decision", NULL };
	struct page *pg = arg;
	json_t *j, *dl;
	size_t i;

	if (it->decision == DECISION_REJECTED)
		return 0;
	j = json_item(pg->r->s, pg->r->app->cat, pg->r->app->policies, it);
	dl = json_array();
	if (plan_deliveries(pg->r->s, it->id, add_delivery, dl, pg->err) != 0) {
		json_decref(dl);
		json_decref(j);
		return -1;
	}
	for (i = 0; internal[i] != NULL; i++)
		json_object_del(j, internal[i]);
	json_object_set_new(j, "deliveries", dl);
	json_object_set_new(j, "rateable", json_boolean(satisf_item_rateable(
	    it->decision, it->status)));
	json_array_append_new(pg->items, j);
	return 0;
}

static json_t *
year_json(struct req *r, const struct store_person *p, int year,
    struct lf_error *err)
{
	static const char *const st[] = { "", "draft", "confirmed", "closed" };
	static const char *const st_zh[] = { "", "草稿", "已确认", "已结束" };
	struct page pg = { r, json_array(), err };
	struct plan plan;
	json_t *fb;
	int s;

	if (plan_get(r->s, p->id, year, &plan, err) != 0 ||
	    plan_items(r->s, plan.id, add_item, &pg, err) != 0 ||
	    (fb = http_feedback_list(r, p->id, year, 0, err)) == NULL) {
		json_decref(pg.items);
		return NULL;
	}
	s = plan.status >= 1 && plan.status <= 3 ? plan.status : 0;
	return json_pack("{s:i,s:{s:s,s:s,s:b},s:o,s:o}", "year", year,
	    "plan", "status", st[s], "status_label", st_zh[s], "rateable",
	    satisf_plan_rateable(plan.status), "items", pg.items, "feedback",
	    fb);
}

static json_t *
page_json(struct req *r, const struct store_person *p, struct lf_error *err)
{
	const struct region *v = regions_find(r->app->regions, p->region);
	json_t *years = json_array(), *y;
	int ys[64];
	size_t n, i;

	if (plan_years(r->s, p->id, ys, 64, &n, err) != 0)
		goto fail;
	for (i = n; i-- > 0;) {		/* newest first */
		if ((y = year_json(r, p, ys[i], err)) == NULL)
			goto fail;
		json_array_append_new(years, y);
	}
	return json_pack("{s:{s:s,s:s},s:o}", "person", "name", p->name,
	    "region_name", v ? v->name : "", "years", years);
fail:
	json_decref(years);
	return NULL;
}

enum MHD_Result
h_self_page(struct req *r)
{
	struct store_person p;
	struct lf_error err;
	json_t *out;
	int rc;

	lf_error_clear(&err);
	if (store_read_begin(r->s, &err) != 0)
		return reply_lf_error(r, &err);
	rc = store_person_by_id(r->s, r->self.person_id, &p, &err);
	out = rc == 0 ? page_json(r, &p, &err) : NULL;
	store_read_end(r->s);
	memset(p.id_number, 0, sizeof(p.id_number));
	if (out == NULL)
		return rc == 1 ? reply_not_found(r) : reply_lf_error(r, &err);
	if (http_audit_gate(r, "self.read", "person", p.uid, "ok", "") != 0) {
		json_decref(out);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, 200, out);
}

enum MHD_Result
h_self_feedback(struct req *r)
{
	static const char *const allowed[] = { "year", "item", "rating", "note",
	    NULL };
	struct feedback_new in;
	struct store_person p;
	struct feedback out;
	struct lf_error err;
	enum MHD_Result res;
	json_t *body, *year;
	int rc;

	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	memset(&in, 0, sizeof(in));
	lf_error_clear(&err);
	year = json_object_get(body, "year");
	in.person_id = r->self.person_id;
	in.year = json_is_integer(year) ? (int)json_integer_value(year) : 0;
	in.by_self = 1;
	in.actor = r->who.login;
	in.code_id = r->self.code_id;
	in.now = (int64_t)time(NULL);
	rc = store_person_by_id(r->s, in.person_id, &p, &err);
	memset(p.id_number, 0, sizeof(p.id_number));
	if (rc == 0 && in.year == 0)
		rc = lf_error_set(&err, "bad_request", "year", "需要年度 (year "
		    "is required)");
	if (rc == 0 && http_feedback_parse(r, body, &in, &err) != 0)
		rc = -1;
	if (rc == 0)
		rc = feedback_add(r->s, &in, &out, &err);
	json_decref(body);
	if (rc != 0) {
		http_audit(r, "feedback.add", "person", rc > 0 ? "" : p.uid,
		    strcmp(err.code ? err.code : "", "not_found") == 0 ?
		    "not_found" : "invalid", err.code ? err.code : "");
		if (rc > 0 || strcmp(err.code, "not_found") == 0)
			return reply_not_found(r);
		if (strcmp(err.code, "store") == 0 ||
		    strcmp(err.code, "io") == 0 ||
		    strcmp(err.code, "busy") == 0 ||
		    strcmp(err.code, "no_memory") == 0)
			return reply_lf_error(r, &err);
		return reply_error(r, strcmp(err.code, "state") == 0 ? 409 :
		    400, err.code, err.field, "%s", err.message);
	}
	return http_feedback_added(r, p.uid, &in, &out, 0);
}

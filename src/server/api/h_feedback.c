/*
 * h_feedback.c - satisfaction ratings recorded by a worker, and the
 * one-time self-service codes a worker issues, lists and revokes.
 *
 * Routes (router.c):
 *   GET  /api/v1/persons/{id}/plans/{year}/feedback   ratings, history
 *   POST /api/v1/persons/{id}/plans/{year}/feedback   rate item or plan
 *   POST /api/v1/persons/{id}/self-codes              issue a code
 *   GET  /api/v1/persons/{id}/self-codes              the person's codes
 *   POST /api/v1/self-codes/{id}/revoke               revoke one
 * Reading needs ACT_PLAN_READ, writing ACT_FEEDBACK (village and
 * township workers), always for a person in the caller's scope (else
 * 404, audited). The code is in the answer to the issue only, never in
 * a log, the audit log or a later answer.
 */
#include "server/access.h"
#include "lib/date.h"
#include "server/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/selfcode.h"
#include "store/audit.h"
#include "feedback/feedback.h"
#include "store/plan.h"
#include "auth/selfcode.h"

/* ---- JSON ---------------------------------------------------------- */

json_t *
http_feedback_json(struct req *r, const struct feedback *f, int with_actor)
{
	char ref[PLAN_REF_LEN + 1];
	struct lf_error err;
	json_t *j;

	if (f->item_id && plan_item_ref(r->s, f->item_id, ref, &err) != 0)
		return NULL;
	j = json_pack("{s:I,s:o,s:s,s:s,s:o,s:s,s:s,s:o}", "id",
	    (json_int_t)f->id, "item", f->item_id ? json_string(ref) :
	    json_null(), "rating", satisf_rating_code(f->rating),
	    "rating_label", satisf_rating_zh(f->rating), "note",
	    f->note[0] ? json_string(f->note) : json_null(), "by",
	    f->by_self ? "self" : "worker", "at", f->at, "superseded_by",
	    f->superseded_by ? json_integer(f->superseded_by) : json_null());

	if (j != NULL && with_actor)
		json_object_set_new(j, "actor", json_string(f->actor));
	return j;
}

struct fb_list {
	struct req *r;
	json_t	*a;
	int	 with_actor;
};

static int
fb_one(void *arg, const struct feedback *f)
{
	struct fb_list *l = arg;

	json_array_append_new(l->a, http_feedback_json(l->r, f, l->with_actor));
	return 0;
}

json_t *
http_feedback_list(struct req *r, int64_t person_id, int year, int with_actor,
    struct lf_error *err)
{
	struct fb_list l = { r, json_array(), with_actor };

	if (feedback_each(r->s, person_id, year, fb_one, &l, err) != 0) {
		json_decref(l.a);
		return NULL;
	}
	return l.a;
}

int
http_feedback_parse(struct req *r, json_t *body, struct feedback_new *in,
    struct lf_error *err)
{
	json_t *item = json_object_get(body, "item");
	json_t *rating = json_object_get(body, "rating");
	json_t *note = json_object_get(body, "note");

	in->item_id = 0;
	if (item != NULL && !json_is_null(item) && (!json_is_string(item) ||
	    plan_item_unref(r->s, json_string_value(item), &in->item_id) != 0))
		return lf_error_set(err, "bad_request", "item", "item 须为服务"
		    "项目编号或 null (item: a service item id, or null for the "
		    "plan)");
	in->rating = json_is_string(rating) ?
	    satisf_rating_parse(json_string_value(rating)) : 0;
	if (in->rating == 0)
		return lf_error_set(err, "invalid", "rating", "评价须为 满意、"
		    "基本满意 或 不满意 (rating: satisfied, basic or "
		    "unsatisfied)");
	if (note != NULL && !json_is_null(note) && !json_is_string(note))
		return lf_error_set(err, "bad_request", "note", "note 须为文本 "
		    "(note must be a string)");
	in->note = json_string_value(note);
	return 0;
}

enum MHD_Result
http_feedback_added(struct req *r, const char *uid,
    const struct feedback_new *in, const struct feedback *out,
    int with_actor)
{
	char detail[64];

	snprintf(detail, sizeof(detail), "year=%d item=%lld rating=%d",
	    in->year, (long long)in->item_id, in->rating);
	http_audit(r, "feedback.add", "person", uid, "ok", detail);
	return reply_json(r, 201, http_feedback_json(r, out, with_actor));
}

static unsigned
fb_status(const char *code)
{
	if (strcmp(code, "not_found") == 0)
		return 404;
	if (strcmp(code, "state") == 0)
		return 409;
	if (strcmp(code, "invalid") == 0 || strcmp(code, "bad_request") == 0)
		return 400;
	return 500;
}

/* ---- worker: ratings ---------------------------------------------- */

enum MHD_Result
h_feedback_get(struct req *r)
{
	struct store_person p;
	struct lf_error err;
	enum MHD_Result res;
	json_t *list;
	int year;

	if (http_path_person_year(r, ACT_PLAN_READ, "feedback.read", &p, &year,
	    &res))
		return res;
	lf_error_clear(&err);
	if ((list = http_feedback_list(r, p.id, year, 1, &err)) == NULL)
		return reply_lf_error(r, &err);
	if (http_audit_gate(r, "feedback.read", "person", p.uid, "ok",
	    http_audit_kv(HTTP_AUDIT_KV, "year", r->params[1])) != 0) {
		json_decref(list);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, 200, json_pack("{s:i,s:o}", "year", year,
	    "feedback", list));
}

enum MHD_Result
h_feedback_add(struct req *r)
{
	static const char *const allowed[] = { "item", "rating", "note", NULL };
	struct feedback_new in;
	struct store_person p;
	struct feedback out;
	struct lf_error err;
	enum MHD_Result res;
	json_t *body;
	int year;

	if (http_path_person_year(r, ACT_FEEDBACK, "feedback.add", &p, &year,
	    &res))
		return res;
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	memset(&in, 0, sizeof(in));
	lf_error_clear(&err);
	in.person_id = p.id;
	in.year = year;
	in.actor = r->who.login;
	in.now = (int64_t)time(NULL);
	if (http_feedback_parse(r, body, &in, &err) != 0 ||
	    feedback_add(r->s, &in, &out, &err) != 0) {
		json_decref(body);
		http_audit(r, "feedback.add", "person", p.uid, "invalid",
		    err.code);
		return fb_status(err.code) == 500 ? reply_lf_error(r, &err) :
		    reply_error(r, fb_status(err.code), err.code, err.field,
		    "%s", err.message);
	}
	json_decref(body);
	return http_feedback_added(r, p.uid, &in, &out, 1);
}

/* ---- worker: self-service codes ----------------------------------- */

static json_t *
code_json(const struct selfcode *c, int64_t now)
{
	struct selfcode_times t = { c->issued_at, c->expires_at, c->revoked_at,
	    c->locked_at };
	char issued[21], expires[21];

	date_utc_iso(c->issued_at, issued);
	date_utc_iso(c->expires_at, expires);
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:i}", "id",
	    (json_int_t)c->id, "state", selfcode_state_name(selfcode_state(&t,
	    now)), "issued_by", c->issued_by, "issued_at", issued,
	    "expires_at", expires, "failures", c->failures, "uses", c->uses);
}

/* The slip and the SMS text: the code, how to use it, until when. */
static json_t *
code_texts(const char *shown, const struct selfcode *c)
{
	char until[DATE_TIMELEN + 1], line[64], sms[512];

	date_china_text(c->expires_at, 0, until);
	snprintf(line, sizeof(line), "有效期至 %s", until);
	snprintf(sms, sizeof(sms), "【量服】您的一人一策查询验证码:%s,"
	    "有效期至%s。请打开量服网站的“查看我的服务”页面,输入验证码和"
	    "身份证号后六位,查看并评价您的服务。请勿把验证码告诉他人。",
	    shown, until);
	return json_pack("{s:s,s:s,s:[s,s,s,s]}", "until", until, "sms", sms,
	    "slip", "量服 · 查看我的服务", shown, line, "打开“查看我的服务”"
	    "页面,输入上面的验证码和您身份证号的后六位。请妥善保管,不要告诉"
	    "他人。");
}

enum MHD_Result
h_selfcode_issue(struct req *r)
{
	static const char *const allowed[] = { "valid_days", NULL };
	char code[SELFCODE_LEN + 1], shown[SELFCODE_DISPLAY_LEN + 1];
	char detail[64];
	struct store_person p;
	struct selfcode c;
	struct lf_error err;
	enum MHD_Result res;
	json_t *body, *days, *out;
	int64_t now = (int64_t)time(NULL), ttl = SELFCODE_TTL_DEFAULT;

	if (http_path_person(r, ACT_FEEDBACK, "selfcode.issue", &p, &res))
		return res;
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	days = json_object_get(body, "valid_days");
	if (days != NULL && (!json_is_integer(days) ||
	    json_integer_value(days) < 1 || json_integer_value(days) > 30)) {
		json_decref(body);
		return reply_error(r, 400, "invalid", "valid_days", "有效天数须"
		    "为 1 到 30 (valid_days: 1 to 30)");
	}
	if (days != NULL)
		ttl = json_integer_value(days) * 24 * 3600;
	json_decref(body);
	lf_error_clear(&err);
	if (selfcode_issue(r->s, p.id, r->who.login, now, ttl, code, &c,
	    &err) != 0)
		return reply_lf_error(r, &err);
	selfcode_display(code, shown);
	memset(code, 0, sizeof(code));
	snprintf(detail, sizeof(detail), "code=%lld", (long long)c.id);
	out = code_json(&c, now);
	json_object_set_new(out, "code", json_string(shown));
	json_object_update_new(out, code_texts(shown, &c));
	memset(shown, 0, sizeof(shown));
	if (http_audit_gate(r, "selfcode.issue", "person", p.uid, "ok",
	    detail) != 0) {
		json_decref(out);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, 201, out);
}

struct code_list {
	json_t	*a;
	int64_t	 now;
};

static int
code_one(void *arg, const struct selfcode *c)
{
	struct code_list *l = arg;

	json_array_append_new(l->a, code_json(c, l->now));
	return 0;
}

enum MHD_Result
h_selfcode_list(struct req *r)
{
	struct code_list l = { NULL, (int64_t)time(NULL) };
	struct store_person p;
	struct lf_error err;
	enum MHD_Result res;

	if (http_path_person(r, ACT_PLAN_READ, "selfcode.list", &p, &res))
		return res;
	lf_error_clear(&err);
	l.a = json_array();
	if (selfcode_list(r->s, p.id, code_one, &l, &err) != 0) {
		json_decref(l.a);
		return reply_lf_error(r, &err);
	}
	if (http_audit_gate(r, "selfcode.list", "person", p.uid, "ok", "") !=
	    0) {
		json_decref(l.a);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, 200, json_pack("{s:o}", "codes", l.a));
}

enum MHD_Result
h_selfcode_revoke(struct req *r)
{
	struct store_person p;
	struct selfcode c;
	struct lf_error err;
	char *end, detail[64];
	long long id = strtoll(r->params[0], &end, 10);
	int rc;

	lf_error_clear(&err);
	rc = *r->params[0] != '\0' && *end == '\0' && id > 0 ?
	    selfcode_get(r->s, id, &c, &err) : 1;
	if (rc == 0 && (rc = store_person_by_id(r->s, c.person_id, &p,
	    &err)) == 0 && !access_allowed(&r->who, ACT_FEEDBACK,
	    strtoll(p.region, NULL, 10)))
		rc = 1;
	if (rc < 0)
		return reply_lf_error(r, &err);
	if (rc == 1) {
		http_audit(r, "selfcode.revoke", "selfcode", "", "not_found",
		    "no such code in the caller's scope");
		return reply_not_found(r);
	}
	if (selfcode_revoke(r->s, c.id, r->who.login, (int64_t)time(NULL),
	    &err) != 0)
		return reply_lf_error(r, &err);
	snprintf(detail, sizeof(detail), "code=%lld", (long long)c.id);
	http_audit(r, "selfcode.revoke", "person", p.uid, "ok", detail);
	if (selfcode_get(r->s, c.id, &c, &err) != 0)
		return reply_lf_error(r, &err);
	return reply_json(r, 200, code_json(&c, (int64_t)time(NULL)));
}

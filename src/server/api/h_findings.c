/*
 * h_findings.c - data-quality findings over HTTP:
 *   GET  /api/v1/findings?year=&region=&rule=&status=&owner=&person=&after=&limit=
 *   GET  /api/v1/findings/rules          the rule table (names, severity)
 *   GET  /api/v1/findings/{id}           one finding, its record, history
 *   POST /api/v1/findings/{id}/resolve   {"reason":"...","version":N}
 *   POST /api/v1/findings/{id}/dismiss   {"reason":"...","version":N}
 *
 * Who may: reading as plans (ACT_PLAN_READ: workers and supervisors),
 * deciding as plan writes (ACT_PLAN_WRITE: workers), each only for
 * findings whose region lies in their own; a finding outside is 404,
 * audited, like a person. Rule names and statuses go out with Chinese
 * and English labels beside the codes.
 */
#include "server/access.h"
#include "server/findings_hook.h"
#include "server/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quality/findings.h"
#include "store/plan.h"

/* The 12-digit code to check a finding's region against (a township's
 * is padded with zeros: a code inside it). */
static int64_t
region12(const char *region)
{
	char v[13];
	size_t n = strnlen(region, 12);

	memcpy(v, region, n);
	memset(v + n, '0', 12 - n);
	v[12] = '\0';
	return strtoll(v, NULL, 10);
}

static const char *
region_name(const struct req *r, const char *code)
{
	const struct region *g = regions_find(r->app->regions, code);

	return g != NULL ? g->name : code;
}

static const char *const role_zh[][2] = {
	{ "village", "村(社区)" }, { "township", "乡镇(街道)" },
	{ "county", "县(市、区)" }, { "city", "市(州)" }, { "province", "省" }
};

/* The surveyor as people read it: the name, without the township code
 * the key carries ("510104017|王芳"; the township is the finding's
 * region). */
static const char *
surveyor_name(const char *key)
{
	const char *bar = strchr(key, '|');

	return bar != NULL ? bar + 1 : key;
}

/* "乡镇(街道) 某某镇" for "township:510104001". */
static json_t *
owner_label(const struct req *r, const char *owner)
{
	const char *colon = strchr(owner, ':');
	char role[16];
	size_t i, n;

	if (colon == NULL)
		return json_string(owner);
	n = (size_t)(colon - owner) < sizeof(role) - 1 ?
	    (size_t)(colon - owner) : sizeof(role) - 1;
	memcpy(role, owner, n);
	role[n] = '\0';
	for (i = 0; i < sizeof(role_zh) / sizeof(role_zh[0]); i++)
		if (strcmp(role_zh[i][0], role) == 0)
			return json_sprintf("%s %s", role_zh[i][1],
			    region_name(r, colon + 1));
	return json_string(owner);
}

static json_t *
finding_json(const struct req *r, const struct quality_rules *qr,
    const struct finding *f)
{
	const struct quality_rule *q = quality_rule_find(qr, f->rule);
	char ref[PLAN_REF_LEN + 1];
	struct lf_error err;
	json_t *j;

	/* the item by its opaque reference, as everywhere in the API */
	if (f->item_id > 0 && plan_item_ref(r->s, f->item_id, ref, &err) != 0)
		return NULL;
	j = json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:s,s:o,s:s,s:s,s:s,s:s,"
	    "s:o,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s}",
	    "id", (json_int_t)f->id, "rule", f->rule,
	    "rule_name", q ? q->name_zh : f->rule,
	    "rule_name_en", q ? q->name_en : f->rule,
	    "severity", q ? quality_severity_name(q->severity, 0) : "",
	    "year", f->year, "person", f->person_uid,
	    "item", f->item_id > 0 ? json_string(ref) : json_null(),
	    "surveyor", surveyor_name(f->surveyor),
	    "region", f->region, "region_name", region_name(r, f->region),
	    "owner", f->owner, "owner_label", owner_label(r, f->owner),
	    "status", finding_status_code(f->status),
	    "status_name", finding_status_zh(f->status),
	    "detail", f->detail, "reason", f->reason,
	    "version", (json_int_t)f->version, "created_at", f->created_at,
	    "updated_at", f->updated_at, "updated_by", f->updated_by);
	return j;
}

static int
may_see(const struct req *r, const struct finding *f, enum action a)
{
	return access_allowed(&r->who, a, region12(f->region));
}

/* ---- the list --------------------------------------------------------- */

struct page {
	const struct req		*r;
	const struct quality_rules	*qr;
	json_t				*list;
};

static int
add(void *arg, const struct finding *f)
{
	struct page *pg = arg;

	json_array_append_new(pg->list, finding_json(pg->r, pg->qr, f));
	return 0;
}

static int
parse_list(struct req *r, const char **a, struct findings_query *q,
    long *limit)
{
	enum { A_YEAR, A_REGION, A_RULE, A_STATUS, A_OWNER, A_PERSON,
	    A_AFTER, A_LIMIT };
	const struct region *in = r->who.scope;
	struct store_person p;
	struct lf_error err;

	memset(q, 0, sizeof(*q));
	q->year = a[A_YEAR] ? (int)http_query_num(a[A_YEAR], 0, 1990, 2999) :
	    0;
	q->status = a[A_STATUS] ? finding_status_parse(a[A_STATUS]) : 0;
	*limit = http_query_num(a[A_LIMIT], 50, 1, 200);
	q->after = a[A_AFTER] ? strtoll(a[A_AFTER], NULL, 10) : 0;
	q->rule = a[A_RULE];
	q->owner = a[A_OWNER];
	if (q->year < 0 || q->year == 1989 || q->status < 0 || *limit < 1 ||
	    q->after < 0)
		return -1;
	if (a[A_REGION] != NULL && ((in = regions_find(r->app->regions,
	    a[A_REGION])) == NULL || !region_contains(r->who.scope,
	    in->code12) || in->level < r->who.scope->level))
		return -2;
	q->region = in->code;
	q->limit = (int)*limit;
	if (a[A_PERSON] != NULL) {
		lf_error_clear(&err);
		if (!http_valid_uid(a[A_PERSON]) || store_person_by_uid(r->s,
		    a[A_PERSON], &p, &err) != 0 || !access_allowed(&r->who,
		    ACT_PLAN_READ, region12(p.region)))
			q->person_id = -1;	/* matches nothing */
		else
			q->person_id = p.id;
	}
	return 0;
}

enum MHD_Result
h_findings_list(struct req *r)
{
	static const char *const names[] = { "year", "region", "rule",
	    "status", "owner", "person", "after", "limit", NULL };
	const char *a[9] = { NULL };
	struct page pg = { r, NULL, NULL };
	struct findings_query q;
	struct lf_error err;
	int64_t last = 0;
	long limit;
	int rc;

	if (!access_allowed(&r->who, ACT_PLAN_READ, 0))
		return http_audit_refuse(r, "finding.list", "finding", "role",
		    "无权查看数据质量问题 (your role cannot read "
		    "findings)");
	if ((pg.qr = findings_rules_of(r->app)) == NULL)
		return reply_error(r, 500, "internal", "", "质量规则不可用 "
		    "(quality rules unavailable)");
	rc = http_query_args(r, names, a) != 0 ? -1 : parse_list(r, a, &q,
	    &limit);
	if (rc == -2)
		return reply_error(r, 400, "bad_region", "region", "区划不在您的"
		    "范围内 (region unknown or outside your scope)");
	if (rc != 0)
		return reply_error(r, 400, "bad_request", "", "参数无效: 可用 "
		    "year、region、rule、status (open/resolved/dismissed)、owner、"
		    "person、after、limit (bad query)");
	pg.list = json_array();
	lf_error_clear(&err);
	if (findings_list(r->s, &q, add, &pg, &last, &err) != 0) {
		json_decref(pg.list);
		return reply_lf_error(r, &err);
	}
	http_audit(r, "finding.list", "region", q.region, "ok", a[1] ?
	    http_audit_kv(HTTP_AUDIT_KV, "region", a[1]) : "");
	return reply_json(r, 200, json_pack("{s:o,s:o}", "findings", pg.list,
	    "next", json_array_size(pg.list) == (size_t)limit ?
	    json_sprintf("%lld", (long long)last) : json_null()));
}

enum MHD_Result
h_findings_rules(struct req *r)
{
	const struct quality_rules *qr = findings_rules_of(r->app);
	json_t *a;
	size_t i;

	if (qr == NULL)
		return reply_error(r, 500, "internal", "", "质量规则不可用 "
		    "(quality rules unavailable)");
	a = json_array();
	for (i = 0; i < qr->n; i++) {
		const struct quality_rule *q = &qr->v[i];

		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,"
		    "s:s,s:s}", "code", q->code, "name_zh", q->name_zh,
		    "name_en", q->name_en, "severity",
		    quality_severity_name(q->severity, 0), "severity_name",
		    quality_severity_name(q->severity, 1), "scope",
		    quality_scope_name(q->scope, 0), "scope_name",
		    quality_scope_name(q->scope, 1), "owner", q->owner));
	}
	return reply_json(r, 200, json_pack("{s:o}", "rules", a));
}

/* ---- one finding ------------------------------------------------------ */

static int
load(struct req *r, enum action act, const char *what, struct finding *f,
    enum MHD_Result *res)
{
	struct lf_error err;
	char *end;
	long long id = strtoll(r->params[0], &end, 10);
	int rc = 1;

	lf_error_clear(&err);
	if (*end == '\0' && id > 0)
		rc = findings_get(r->s, id, f, &err);
	if (rc < 0) {
		*res = reply_lf_error(r, &err);
		return 1;
	}
	if (rc == 1 || !may_see(r, f, act)) {
		http_audit(r, what, "finding", r->params[0], rc == 1 ?
		    "not_found" : "denied", rc == 1 ? "" : "outside the "
		    "caller's scope or role");
		*res = reply_not_found(r);
		return 1;
	}
	return 0;
}

static int
add_event(void *arg, const struct finding_event *e)
{
	json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:s,s:s}", "at",
	    e->at, "actor", e->actor, "from", finding_status_code(e->from),
	    "to", finding_status_code(e->to), "reason", e->reason));
	return 0;
}

static enum MHD_Result
reply_finding(struct req *r, const struct finding *f, const char *what)
{
	struct store_person p;
	struct lf_error err;
	json_t *j, *ev = json_array();

	lf_error_clear(&err);
	if (findings_events(r->s, f->id, add_event, ev, &err) != 0) {
		json_decref(ev);
		return reply_lf_error(r, &err);
	}
	j = finding_json(r, findings_rules_of(r->app), f);
	json_object_set_new(j, "history", ev);
	if (f->person_id != 0 && store_person_by_id(r->s, f->person_id, &p,
	    &err) == 0)
		json_object_set_new(j, "person_summary",
		    http_person_json(r, &p));
	if (http_audit_gate(r, what, "finding", r->params[0], "ok", "") != 0) {
		json_decref(j);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, 200, json_pack("{s:o}", "finding", j));
}

enum MHD_Result
h_finding_get(struct req *r)
{
	enum MHD_Result res;
	struct finding f;

	if (findings_rules_of(r->app) == NULL)
		return reply_error(r, 500, "internal", "", "质量规则不可用 "
		    "(quality rules unavailable)");
	if (load(r, ACT_PLAN_READ, "finding.read", &f, &res) != 0)
		return res;
	return reply_finding(r, &f, "finding.read");
}

static enum MHD_Result
decide(struct req *r, int to, const char *what)
{
	static const char *const allowed[] = { "reason", "version", NULL };
	enum MHD_Result res;
	struct lf_error err;
	struct finding f;
	json_t *body, *v;
	const char *reason;

	if (findings_rules_of(r->app) == NULL)
		return reply_error(r, 500, "internal", "", "质量规则不可用 "
		    "(quality rules unavailable)");
	if (load(r, ACT_PLAN_WRITE, what, &f, &res) != 0)
		return res;
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	reason = json_string_value(json_object_get(body, "reason"));
	v = json_object_get(body, "version");
	if (v != NULL && !json_is_integer(v)) {
		json_decref(body);
		return reply_error(r, 400, "invalid", "version", "version 应为"
		    "整数 (version must be a number)");
	}
	lf_error_clear(&err);
	if (findings_decide(r->s, f.id, to, reason != NULL ? reason : "",
	    v ? (int64_t)json_integer_value(v) : 0, r->who.login, &f,
	    &err) != 0) {
		json_decref(body);
		http_audit(r, what, "finding", r->params[0], "refused",
		    err.code ? err.code : "");
		return reply_lf_error(r, &err);
	}
	json_decref(body);
	http_audit(r, what, "finding", r->params[0], "ok", "");
	return reply_finding(r, &f, what);
}

enum MHD_Result
h_finding_resolve(struct req *r)
{
	return decide(r, FINDING_RESOLVED, "finding.resolve");
}

enum MHD_Result
h_finding_dismiss(struct req *r)
{
	return decide(r, FINDING_DISMISSED, "finding.dismiss");
}

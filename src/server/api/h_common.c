/*
 * h_common.c - what several resource handlers share: loading a person
 * the caller may act on, the person's JSON summary, the prologue of the
 * plan lists and the region a query names within the caller's scope.
 */
#include "server/access.h"
#include "server/session.h"

#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "store/audit.h"

json_t *
http_person_json(const struct req *r, const struct store_person *p)
{
	const struct region *v = regions_find(r->app->regions, p->region);
	char masked[40];

	json_mask(store_person_shown_id(p), masked, sizeof(masked));
	return json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:i,s:I}", "id", p->uid,
	    "name", p->name, "id_number", masked, "gender", p->gender,
	    "birth_date", p->birth_date, "region", p->region, "region_name",
	    v ? v->name : "", "status", p->status, "version",
	    (json_int_t)p->version);
}

enum MHD_Result
http_audit_refuse(struct req *r, const char *action, const char *target_type,
    const char *why, const char *message)
{
	http_audit(r, action, target_type, "", "denied", why);
	return reply_error(r, 403, "forbidden", "", "%s", message);
}

int
http_valid_uid(const char *uid)
{
	return strlen(uid) == STORE_UID_LEN &&
	    strspn(uid, "0123456789abcdef") == STORE_UID_LEN;
}

int
http_load_person(struct req *r, const char *uid, int a,
    const char *audit_action, struct store_person *p, struct lf_error *err)
{
	char detail[AUDIT_FIELD_MAX];
	int rc;

	if (!http_valid_uid(uid)) {
		/* not an id at all: the path text goes to detail, cleaned */
		audit_clean(uid, detail, sizeof(detail));
		http_audit(r, audit_action, "person", "", "not_found", detail);
		return 1;
	}
	if ((rc = store_person_by_uid(r->s, uid, p, err)) < 0)
		return -1;
	if (rc == 1) {
		http_audit(r, audit_action, "person", uid, "not_found", "");
		return 1;
	}
	if (!access_allowed(&r->who, (enum action)a,
	    strtoll(p->region, NULL, 10))) {
		http_audit(r, audit_action, "person", uid, "denied",
		    "outside the caller's scope or role");
		return 1;
	}
	return 0;
}

int
http_plans_query(struct req *r, const char *action,
    const char *const *names, const char **a, int *year, int *bad,
    enum MHD_Result *res)
{
	if (!access_allowed(&r->who, ACT_PLAN_READ, 0)) {
		*res = http_audit_refuse(r, action, "plan", "role",
		    "无权查看计划 (your role cannot read plans)");
		return -1;
	}
	*bad = http_query_args(r, names, a) != 0;
	http_china_date(year, NULL);
	*year = (int)http_query_num(a[0], *year, 1990, 2999);
	return 0;
}

const struct region *
http_scope_region(const struct req *r, const char *code)
{
	const struct region *in;

	if (code == NULL)
		return r->who.scope;
	in = regions_find(r->app->regions, code);
	if (in == NULL || !region_contains(r->who.scope, in->code12) ||
	    in->level < r->who.scope->level)
		return NULL;
	return in;
}

long
http_query_num(const char *s, long def, long lo, long hi)
{
	char *end;
	long v;

	if (s == NULL)
		return def;
	v = strtol(s, &end, 10);
	return *s == '\0' || *end != '\0' || v < lo || v > hi ? lo - 1 : v;
}

int
http_path_person(struct req *r, int a, const char *audit_action,
    struct store_person *p, enum MHD_Result *res)
{
	struct lf_error err;
	int rc;

	lf_error_clear(&err);
	rc = http_load_person(r, r->params[0], a, audit_action, p, &err);
	if (rc != 0)
		*res = rc < 0 ? reply_lf_error(r, &err) : reply_not_found(r);
	return rc != 0;
}

int
http_path_person_year(struct req *r, int a, const char *audit_action,
    struct store_person *p, int *year, enum MHD_Result *res)
{
	if (http_path_person(r, a, audit_action, p, res) != 0)
		return 1;
	if ((*year = http_path_year(r->params[1])) == 0) {
		*res = reply_error(r, 400, "bad_year", "year", "年度无效 (bad "
		    "year)");
		return 1;
	}
	return 0;
}

int
http_path_year(const char *s)
{
	long y = http_query_num(s, 0, 1990, 2999);

	return y < 1990 ? 0 : (int)y;
}

struct query_ctx {
	const char *const	*names;
	const char		**values;
	int			 bad;
};

static enum MHD_Result
query_one(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct query_ctx *c = cls;
	size_t i;

	(void)kind;
	for (i = 0; c->names[i] != NULL; i++)
		if (strcmp(c->names[i], key) == 0) {
			c->values[i] = value;
			return MHD_YES;
		}
	c->bad = 1;
	return MHD_YES;
}

void
http_china_date(int *year, int *month)
{
	int y, m, d;

	date_to_ymd(store_today(), &y, &m, &d);
	if (year != NULL)
		*year = y;
	if (month != NULL)
		*month = m;
}

int
http_overdue_before(int year)
{
	int y, m;

	http_china_date(&y, &m);
	return plan_overdue_before(year, y, m);
}

int
http_query_args(struct req *r, const char *const *names, const char **values)
{
	struct query_ctx c = { names, values, 0 };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND,
	    query_one, &c);
	return c.bad ? -1 : 0;
}

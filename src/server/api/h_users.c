/*
 * h_users.c - account management over the API, for administrators,
 * within their region: list, add, disable, set a password.
 *
 * A user "lies within" the administrator's region when the user's region
 * is the administrator's or below it. Passwords follow the same policy as
 * the CLI and are never logged. Every change is audited.
 */
#include "server/access.h"
#include "server/session.h"

#include <stdio.h>
#include <string.h>

#include "auth/users.h"

/* 1 when region code lies within the caller's region. */
static int
in_scope(const struct req *r, const char *code)
{
	const struct region *g = regions_find(r->app->regions, code);

	return g != NULL && g->level >= r->who.scope->level &&
	    region_contains(r->who.scope, g->code12);
}

static enum MHD_Result
refuse(struct req *r, const char *action)
{
	return http_audit_refuse(r, action, "user", "not an administrator",
	    "只有管理员可以管理账户 (administrators only)");
}

static int
add_user(void *arg, const struct user *u)
{
	json_t *list = arg;
	const struct users_role *role = users_role_get(u->role);

	return json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:b}",
	    "login", u->login, "role", role ? role->code : "", "region",
	    u->region, "department", u->department, "disabled",
	    u->disabled));
}

enum MHD_Result
h_users_list(struct req *r)
{
	struct lf_error err;
	json_t *list;

	if (!access_allowed(&r->who, ACT_USER_ADMIN, 0))
		return refuse(r, "user.list");
	list = json_array();
	lf_error_clear(&err);
	if (users_list(r->s, r->who.region, add_user, list, &err) != 0) {
		json_decref(list);
		return reply_lf_error(r, &err);
	}
	http_audit(r, "user.list", "user", "", "ok", "");
	return reply_json(r, 200, json_pack("{s:o}", "users", list));
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

enum MHD_Result
h_users_add(struct req *r)
{
	static const char *const allowed[] = { "login", "role", "region",
	    "department", "password", NULL };
	struct user_new u;
	struct lf_error err;
	enum MHD_Result out;
	json_t *b;

	if (!access_allowed(&r->who, ACT_USER_ADMIN, 0))
		return refuse(r, "user.add");
	if ((b = req_json(r, allowed, &out)) == NULL)
		return out;
	memset(&u, 0, sizeof(u));
	u.login = str(b, "login");
	u.role = str(b, "role");
	u.region = str(b, "region");
	u.department = str(b, "department");
	u.password = str(b, "password");
	lf_error_clear(&err);
	if (!u.login || !u.role || !u.region || !u.password)
		out = reply_error(r, 400, "bad_request", "", "需要 login、role、"
		    "region 和 password (login, role, region and password "
		    "strings are required)");
	else if (!in_scope(r, u.region))
		out = reply_error(r, 403, "forbidden", "region", "只能在您的辖区"
		    "内添加账户 (region outside yours)");
	else if (users_add(r->s, &u, &err) != 0)
		out = reply_error(r, strcmp(err.code, "exists") == 0 ? 409 :
		    422, err.code, err.field, "%s", err.message);
	else {
		http_audit(r, "user.add", "user", u.login, "ok", http_audit_kv(
		    HTTP_AUDIT_KV, "role", u.role));
		out = reply_json(r, 201, json_pack("{s:s}", "login", u.login));
	}
	json_decref(b);
	return out;
}

/* The account named in the path, if it lies within the caller's region:
 * 0; else 1 after replying 404 (*out). */
static int
target(struct req *r, struct user *u, enum MHD_Result *out)
{
	struct lf_error err;

	lf_error_clear(&err);
	if (users_get(r->s, r->params[0], u, &err) != 0 ||
	    !in_scope(r, u->region)) {
		*out = reply_not_found(r);
		return 1;
	}
	return 0;
}

enum MHD_Result
h_users_disable(struct req *r)
{
	struct lf_error err;
	enum MHD_Result out;
	struct user u;

	if (!access_allowed(&r->who, ACT_USER_ADMIN, 0))
		return refuse(r, "user.disable");
	if (target(r, &u, &out) != 0)
		return out;
	lf_error_clear(&err);
	if (users_disable(r->s, u.login, &err) != 0)
		return reply_lf_error(r, &err);
	http_audit(r, "user.disable", "user", u.login, "ok", "");
	return reply_json(r, 200, json_pack("{s:s,s:b}", "login", u.login,
	    "disabled", 1));
}

enum MHD_Result
h_users_password(struct req *r)
{
	static const char *const allowed[] = { "password", NULL };
	struct lf_error err;
	enum MHD_Result out;
	struct user u;
	json_t *b;

	if (!access_allowed(&r->who, ACT_USER_ADMIN, 0))
		return refuse(r, "user.passwd");
	if (target(r, &u, &out) != 0)
		return out;
	if ((b = req_json(r, allowed, &out)) == NULL)
		return out;
	lf_error_clear(&err);
	if (str(b, "password") == NULL)
		out = reply_error(r, 400, "bad_request", "password", "需要 "
		    "password 字符串 (a password string is required)");
	else if (users_passwd(r->s, u.login, str(b, "password"), &err) != 0)
		out = reply_error(r, 422, err.code, err.field, "%s",
		    err.message);
	else {
		http_audit(r, "user.passwd", "user", u.login, "ok", "");
		out = reply_json(r, 200, json_pack("{s:s}", "login", u.login));
	}
	json_decref(b);
	return out;
}

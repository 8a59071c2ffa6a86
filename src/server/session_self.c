/*
 * session_self.c - the self-service session check (session_self.h).
 */
#include "server/session_self.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/session.h"
#include "auth/selfcode.h"

void
self_actor(int64_t code_id, char *out, size_t len)
{
	snprintf(out, len, "self-service via code #%lld", (long long)code_id);
}

void
self_principal(struct req *r, int64_t code_id)
{
	memset(&r->who, 0, sizeof(r->who));
	self_actor(code_id, r->who.login, sizeof(r->who.login));
	snprintf(r->who.role, sizeof(r->who.role), "%s", SELF_ROLE);
	r->who.scope = NULL;
	r->authed = 1;
}

void
self_cookie(const struct req *r, const char *token, long max_age, char *out,
    size_t len)
{
	snprintf(out, len, "%s=%s; Path=/api/v1/self; HttpOnly; "
	    "SameSite=Strict; Max-Age=%ld%s", SELF_COOKIE, token ? token : "",
	    token ? max_age : 0, r->app->cfg->secure_cookies ? "; Secure" : "");
}

int
self_require(struct req *r, int need_csrf, enum MHD_Result *res)
{
	const char *token = MHD_lookup_connection_value(r->conn,
	    MHD_COOKIE_KIND, SELF_COOKIE);
	struct self_session ss;
	struct lf_error err;
	int rc;

	lf_error_clear(&err);
	memset(&r->self, 0, sizeof(r->self));
	rc = token ? self_session_check(r->s, token, (int64_t)time(NULL), &ss,
	    &err) : 1;
	if (rc < 0) {
		*res = reply_lf_error(r, &err);
		return -1;
	}
	if (rc == 1) {
		http_audit(r, "self.check", "session", "", "denied", token ?
		    "invalid or expired self-service session" :
		    "no self-service session");
		*res = reply_error(r, 401, "unauthenticated", "", "请先输入验证码"
		    " (enter the code first, or the session expired)");
		return -1;
	}
	r->self.session_id = ss.id;
	r->self.code_id = ss.code_id;
	r->self.person_id = ss.person_id;
	snprintf(r->self.csrf, sizeof(r->self.csrf), "%s", ss.csrf);
	snprintf(r->self.token, sizeof(r->self.token), "%s", token);
	self_principal(r, ss.code_id);
	if (!need_csrf)
		return 0;
	return http_audit_csrf(r, "self.csrf", r->self.csrf, res);
}

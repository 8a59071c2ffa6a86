/*
 * session_self.h - the restricted session of self-service (开放量服).
 *
 * A person who redeemed a code (auth/selfcode.h) holds a session of its
 * own kind: the token travels in a separate cookie, lf_self (HttpOnly,
 * SameSite=Strict, Path=/api/v1/self, Secure behind TLS), is stored only
 * as a keyed hash in its own table, and is accepted only by the routes
 * marked AUTH_SELF / AUTH_SELF_CSRF. Those routes never look at the
 * lf_session cookie and the normal routes never look at lf_self, so a
 * self-service session can reach nothing but the self-service routes,
 * and only for its one person (r->self.person_id; no route takes a
 * person id from the client). Writes need the session's CSRF token in
 * the X-CSRF-Token header.
 *
 * While a self-service request runs, r->who names the actor for the
 * audit log: login "self-service via code #<id>", role "self", no
 * scope (access_allowed() refuses it everything).
 */
#ifndef LF_HTTP_SESSION_SELF_H
#define LF_HTTP_SESSION_SELF_H

#include "server/http_int.h"

#define SELF_COOKIE	"lf_self"
#define SELF_ROLE	"self"

/* "self-service via code #12" */
void	self_actor(int64_t code_id, char *out, size_t len);
/* Makes r's audit actor the person via code code_id (also before a
 * session exists: a failed redemption of a known code). */
void	self_principal(struct req *r, int64_t code_id);

/* Fills r->self from the lf_self cookie. 0 when the session is live
 * (and, with need_csrf, the header matches); otherwise -1 after replying
 * 401 or 403 (*res) and auditing the refusal. */
int	self_require(struct req *r, int need_csrf, enum MHD_Result *res);

/* The cookie line that sets (token non-NULL, lasting max_age seconds)
 * or clears (NULL) the self-service session. */
void	self_cookie(const struct req *r, const char *token, long max_age,
	    char *out, size_t len);

#endif

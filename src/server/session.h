/*
 * session.h - sessions over HTTP: the cookie, CSRF, and auditing helpers
 * for handlers.
 *
 * Login sets the session token in the cookie lf_session (HttpOnly,
 * SameSite=Strict, Path=/, Secure behind TLS); the token is stored only
 * hashed (store/users_rows.c). Every state-changing request must also carry
 * the session's CSRF token in the X-CSRF-Token header.
 */
#ifndef LF_HTTP_SESSION_H
#define LF_HTTP_SESSION_H

#include "server/http_int.h"

#define SESSION_COOKIE	"lf_session"
#define CSRF_HEADER	"X-CSRF-Token"

/* Fills r->who from the session cookie. 0 when valid (and, with
 * need_csrf, the CSRF header matches); otherwise -1 after replying 401 or
 * 403 (*res holds the result) and auditing the refusal. */
int	session_require(struct req *r, int need_csrf, enum MHD_Result *res);
/* Whether the request's CSRF header equals want (the session's token,
 * compared in constant time): 0; otherwise -1 after auditing action as
 * denied and replying 403 "csrf" (*res). Shared by the staff sessions
 * and the self-service ones (session_self.h). */
int	http_audit_csrf(struct req *r, const char *action, const char *want,
	    enum MHD_Result *res);

/*
 * Audit entries for this request. Both queue the entry for the audit
 * writer and return at once; the request's answer is held back until
 * every entry is durable. -1 when the entry could not even be queued
 * (logged; the caller decides whether to go on: reads answer 503).
 *
 * http_audit(): a later failure to write the entry is logged and the
 * answer goes out as it is (writes that committed, refusals).
 * http_audit_gate(): for answers that must not leave unaudited (every
 * read of a person): if the entry cannot be written, the answer is
 * replaced by 503 "audit".
 */
int	http_audit(struct req *r, const char *action, const char *target_type,
	    const char *target, const char *result, const char *detail);
int	http_audit_gate(struct req *r, const char *action,
	    const char *target_type, const char *target, const char *result,
	    const char *detail);
/* A detail of one "key=value" pair in buf (value NULL: ""), for the
 * audit screen to put into words (api/audit_detail.c); returns buf.
 * HTTP_AUDIT_KV is a buffer living until the end of the statement:
 * http_audit(r, ..., http_audit_kv(HTTP_AUDIT_KV, "year", y)). */
#define HTTP_AUDIT_KV_MAX	160
#define HTTP_AUDIT_KV	(char[HTTP_AUDIT_KV_MAX]){ 0 }, HTTP_AUDIT_KV_MAX
const char *http_audit_kv(char *buf, size_t n, const char *key,
	    const char *value);

#endif

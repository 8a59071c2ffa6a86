/*
 * selfcode.h - the rules of self-service codes and sessions (开放量服).
 * The rows (tables self_codes, self_sessions, self_throttle; struct
 * selfcode, struct self_session; the reads selfcode_get() and
 * selfcode_list()) are store/selfcode_rows.h's, which this header
 * includes; the code's form and when it ends are core/selfcode.h's.
 *
 * A worker issues a code for one person (selfcode_issue): the code, drawn
 * from crypto_random() in the form of core/selfcode.h, is handed back
 * once and stored only as its keyed SM3 hash (crypto_lookup_hash, domain
 * "self_code"), with who issued it, when, and when it expires. It may be
 * revoked; it locks itself after SELFCODE_MAX_FAILURES wrong last-6
 * entries (counted over its life, never reset).
 *
 * Redeeming (selfcode_redeem) takes the typed code, the typed last six
 * characters of the ID number and the client's address. In order:
 *   1. a client address with SELF_CLIENT_MAX_FAILURES failures inside
 *      the last SELF_CLIENT_WINDOW seconds is refused ("throttled")
 *      without looking at the input;
 *   2. malformed input or an unknown code: "bad_code";
 *   3. a revoked, locked or expired code: "revoked", "locked",
 *      "expired" (the last six are not checked);
 *   4. wrong last six: "bad_code" (or "locked" when this failure locks
 *      the code); the code's failure count goes up;
 *   5. right: a session (256-bit token, stored as its keyed hash, domain
 *      "self_session", and a CSRF token) for that person only, ending
 *      SELF_SESSION_SECS later or when the code expires, whichever is
 *      first; the code's use count goes up.
 * Every refusal in 2-4 adds one failure to the client address. The
 * counters are committed even though the call fails. Error messages
 * never contain the typed code or digits.
 *
 * A session is checked by its token (self_session_check): live while
 * not ended, not past its end, and its code neither revoked nor expired.
 *
 * On PostgreSQL a redemption that found its code (step 2) and a live
 * session's check leave the store scoped to the county of the code's
 * person (selfcode_rows_scope(): row-level security then shows that
 * county only), until the next store_set_scope(); on SQLite the scope
 * is unchanged.
 *
 * Time is passed in as Unix seconds (now) so tests can move it. Errors:
 * 0 / -1 with err ("store", "crypto", "not_found", and the refusals
 * above); lookups return 1 for "not found". Each call is one
 * transaction (joins the caller's).
 *
 * Implemented by auth/selfcode.c (issue, revoke, sessions) and
 * auth/redeem.c (redeeming).
 */
#ifndef LF_AUTH_SELFCODE_H
#define LF_AUTH_SELFCODE_H

#include <stdint.h>

#include "core/selfcode.h"
#include "lib/error.h"
#include "store/selfcode_rows.h"
#include "store/store.h"

/* Issues a code for the person, valid ttl seconds (1..SELFCODE_TTL_MAX)
 * from now. code gets the code (show it once, then forget it); out the
 * stored row. 0 or -1 ("invalid" field ttl, "crypto", "store"). */
int	selfcode_issue(struct store *s, int64_t person_id, const char *actor,
	    int64_t now, int64_t ttl, char code[SELFCODE_LEN + 1],
	    struct selfcode *out, struct lf_error *err);
/* Revokes the code and ends its sessions. Revoking a revoked code
 * succeeds and changes nothing. 0 or -1 ("not_found", "store"). */
int	selfcode_revoke(struct store *s, int64_t id, const char *actor,
	    int64_t now, struct lf_error *err);

/* See above. *code_id gets the code's id when the code was found (else
 * 0), also on failure, so that the caller can audit "via code #id". */
int	selfcode_redeem(struct store *s, const char *code, const char *last6,
	    const char *client, int64_t now, struct self_session *out,
	    int64_t *code_id, struct lf_error *err);
/* The live session of token at now: 0 (out filled, token ""), 1 when
 * the token is malformed, unknown, ended or expired, -1 on error. */
int	self_session_check(struct store *s, const char *token, int64_t now,
	    struct self_session *out, struct lf_error *err);
/* Ends the session of token (logout). 0 or -1. */
int	self_session_end(struct store *s, const char *token,
	    struct lf_error *err);

#endif

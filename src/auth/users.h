/*
 * users.h - the rules of platform accounts, their passwords and login
 * sessions. The rows (tables users and sessions, struct user, struct
 * session_info, the reads users_get(), users_get_id(), users_list())
 * are store/users_rows.h's, which this header includes; the role table
 * is core/role.h's.
 *
 * Accounts. A user has a login ([a-z0-9_.-], 3 to 32 bytes, compared
 * exactly), one role from the role table below and exactly one region, a
 * code of the store's region table. The five officer roles name a level
 * and need a region of that level (a village worker holds a village, a
 * county officer a county); department officers, supervisors, auditors and
 * admins may hold a region of any level. A department officer also holds
 * one department code from the department table; no other role holds one.
 * Passwords pass password_policy() and are stored as Argon2id hashes
 * (crypto/password.h), never in the clear.
 *
 * Login. An unknown login and a wrong password give the same error code,
 * "bad_login", after the same Argon2 work. USERS_MAX_FAILURES wrong
 * passwords in a row, each less than USERS_FAIL_WINDOW after the one
 * before, lock the account for USERS_LOCK_SECS (code "locked"; the
 * failure that locks it already says so); during the lock no password is
 * checked. The count starts again after a lock, after a pause of
 * USERS_FAIL_WINDOW and on every success. A login that names no account
 * is counted and locked the same way, in memory (crypto/failtab.h, per
 * process, bounded), so answers never tell whether an account exists. A
 * right password for a disabled account gives "disabled" (a wrong one
 * gives "bad_login", so only the owner learns the account is disabled).
 *
 * Sessions. A login makes a session: a 256-bit random token, handed to
 * the caller once as 64 hex digits and stored only as its keyed SM3 hash
 * (crypto_lookup_hash, domain "session"), so the database alone cannot be
 * used to hijack a session; and a separate random CSRF token, stored and
 * returned with the session on every check. A session ends when it is
 * revoked (logout, password change, account disabled), USERS_IDLE_SECS
 * after it was last seen, USERS_ABSOLUTE_SECS after it was made, or when
 * its user is disabled. To spare the database a write per request, a check
 * records "last seen" only when the stored value is at least
 * USERS_TOUCH_SECS old, so idle expiry may come up to that much early.
 *
 * Time is passed in by the caller as seconds since the epoch (`now`), so
 * that tests can move it; functions without a `now` use the clock.
 *
 * Errors: functions return 0 on success and -1 with err filled (codes:
 * "login", "role", "region", "department", "password" for bad input, with
 * err->field naming it; "exists", "not_found", "bad_login", "locked",
 * "disabled"; "store", "crypto" for failures below). Lookups return 1 for
 * "not found". Nothing here puts a password or a token into a message.
 * All functions join the caller's transaction when one is open; the
 * writes of one call are all or nothing.
 *
 * Threads: as for struct store, one thread at a time per store; several
 * stores (connections) may share one database file.
 *
 * Implemented by auth/account.c (accounts), auth/login.c (login and
 * lockout) and auth/session.c (sessions).
 */
#ifndef LF_AUTH_USERS_H
#define LF_AUTH_USERS_H

#include <stdint.h>

#include "core/role.h"
#include "lib/error.h"
#include "store/store.h"
#include "store/users_rows.h"

#define USERS_LOGIN_MIN		3	/* USERS_LOGIN_MAX: users_rows.h */
#define USERS_MAX_FAILURES	5		/* wrong passwords in a row */
#define USERS_LOCK_SECS		(15 * 60)	/* then locked this long */
#define USERS_FAIL_WINDOW	(15 * 60)	/* a longer pause ends a run */
#define USERS_IDLE_SECS		(30 * 60)	/* session idle expiry */
#define USERS_ABSOLUTE_SECS	(12 * 60 * 60)	/* session lifetime */
#define USERS_TOUCH_SECS	60		/* last_seen granularity */

/* What users_add() takes; every string NUL-terminated. */
struct user_new {
	const char	*login;
	const char	*role;		/* role code, e.g. "county" */
	const char	*region;	/* region code, 2..12 digits */
	const char	*department;	/* code or Chinese name ("civil" or
					   "民政"); NULL unless role
					   department; stored as the code */
	const char	*password;	/* plain; not kept */
	int64_t		 now;		/* 0 = the clock's */
};

/* A new session. token exists only here: the store keeps its hash. */
struct session {
	char			 token[USERS_TOKEN_HEX + 1];
	struct session_info	 info;
};

/*
 * Adds an account after checking, in this order: login form ("login"),
 * role ("role"), department ("department": required for, and only for,
 * role department; a code or Chinese name of the department table,
 * stored as the code), region ("region":
 * in the store's region table, of the level the role needs; a store
 * opened without regions refuses), password policy ("password"), an
 * unused login ("exists"). 0 or -1.
 */
int	users_add(struct store *s, const struct user_new *u,
	    struct lf_error *err);

/*
 * The checks users_add() makes, in the same order, without adding
 * anything; the password is checked only when u->password is not NULL.
 * Lets a form or the CLI refuse bad input before asking for a password.
 * 0 or -1.
 */
int	users_check(struct store *s, const struct user_new *u,
	    struct lf_error *err);

/* Disables the account and revokes all its sessions. Disabling a disabled
 * account succeeds. 0, or -1 ("not_found", "store"). */
int	users_disable(struct store *s, const char *login, struct lf_error *err);

/*
 * Sets a new password (which must pass the policy: "password"), clears
 * any lock and failure count, and revokes all the user's sessions. 0, or
 * -1 ("password", "not_found", "crypto", "store").
 */
int	users_passwd(struct store *s, const char *login, const char *newpw,
	    struct lf_error *err);

/*
 * Checks login and password as described above and, on success, makes a
 * session at time now: out->token (give it to the client, then forget it)
 * and out->info. Expired and revoked sessions of the user are deleted.
 * 0, or -1 with err->code "bad_login", "locked" (message: until when,
 * Beijing time), "disabled", "crypto" or "store"; out is then zeroed.
 */
int	users_login(struct store *s, const char *login, const char *pw,
	    int64_t now, struct session *out, struct lf_error *err);
/* Forgets the failures of unknown logins (tests). */
void	users_forget_unknown(void);

/*
 * Looks up the session of token (64 lower-case hex digits) at time now.
 * 0 when it is live and its user enabled: *u and *si are filled and
 * last_seen is advanced to now (see USERS_TOUCH_SECS). 1 when the token is
 * malformed, unknown, revoked, idle too long, past its absolute end, or
 * its user is disabled (err code "session"); -1 on a store error. u and si
 * may be NULL.
 */
int	users_session(struct store *s, const char *token, int64_t now,
	    struct user *u, struct session_info *si, struct lf_error *err);

/* Revokes the session of token. 0 revoked (or already so), 1 no such
 * session (err code "session"), -1 store error. */
int	users_logout(struct store *s, const char *token, struct lf_error *err);
/* How many revocations (users_logout(), users_passwd(), users_disable())
 * this process has made so far: a cache of checked sessions
 * (server/session_cache.h) drops what it holds when this moves. */
unsigned long	users_revocations(void);

#endif

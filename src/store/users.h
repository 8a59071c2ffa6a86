/*
 * users.h - platform accounts, their passwords and login sessions, kept in
 * the store's database (tables users and sessions).
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
 */
#ifndef LF_STORE_USERS_H
#define LF_STORE_USERS_H

#include <stdint.h>

#include "lib/error.h"
#include "store/store.h"

#define USERS_LOGIN_MIN		3
#define USERS_LOGIN_MAX		32
#define USERS_MAX_FAILURES	5		/* wrong passwords in a row */
#define USERS_LOCK_SECS		(15 * 60)	/* then locked this long */
#define USERS_FAIL_WINDOW	(15 * 60)	/* a longer pause ends a run */
#define USERS_IDLE_SECS		(30 * 60)	/* session idle expiry */
#define USERS_ABSOLUTE_SECS	(12 * 60 * 60)	/* session lifetime */
#define USERS_TOUCH_SECS	60		/* last_seen granularity */
#define USERS_TOKEN_HEX		64		/* 256-bit session token */
#define USERS_CSRF_HEX		64		/* 256-bit CSRF token */

enum user_role {
	USER_VILLAGE,		/* 村(社区)专职委员, region: a village */
	USER_TOWNSHIP,		/* 乡镇(街道) officer, a township */
	USER_COUNTY,		/* 县(市、区) officer, a county */
	USER_CITY,		/* 市(州) officer, a city */
	USER_PROVINCE,		/* 省 officer, the province */
	USER_DEPARTMENT,	/* 部门 officer, any level, with a department */
	USER_SUPERVISOR,	/* 督导, any level */
	USER_AUDITOR,		/* 审计, any level */
	USER_ADMIN,		/* 系统管理员, any level */
	USER_NROLES
};

struct users_role {
	enum user_role	 role;
	const char	*code;		/* ASCII, as stored: "village" */
	const char	*name_zh;	/* "村(社区)专职委员" */
	int		 level;		/* enum region_level, -1 = any */
};

/* The role with this code, or NULL. */
const struct users_role	*users_role_find(const char *code);
/* The role's entry; r < USER_NROLES. */
const struct users_role	*users_role_get(enum user_role r);

struct user {
	int64_t		 id;
	char		 login[USERS_LOGIN_MAX + 1];
	enum user_role	 role;
	char		 region[13];
	char		 department[16];	/* code, or "" */
	int		 disabled;
	int		 failed_count;		/* wrong passwords in a row */
	int64_t		 locked_until;		/* > now: locked until then;
						 * else the last failure */
	int64_t		 created_at;
	int64_t		 updated_at;
	int64_t		 pw_changed_at;
};

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

struct session_info {
	int64_t		 id;
	int64_t		 user_id;
	char		 csrf[USERS_CSRF_HEX + 1];
	int64_t		 created_at;
	int64_t		 last_seen;
	int64_t		 expires_at;	/* absolute end */
};

/* A new session. token exists only here: the store keeps its hash. */
struct session {
	char			 token[USERS_TOKEN_HEX + 1];
	struct session_info	 info;
};

/*
 * Creates the users and sessions tables and their indexes when missing.
 * Idempotent; run on every open. 0 or -1 ("store").
 */
int	users_init(struct store *s, struct lf_error *err);

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

/* The account with this login (or id). 0 found, 1 not found, -1 error. */
int	users_get(struct store *s, const char *login, struct user *out,
	    struct lf_error *err);
int	users_get_id(struct store *s, int64_t id, struct user *out,
	    struct lf_error *err);

typedef int (*users_list_fn)(void *arg, const struct user *u);
/*
 * Calls fn for every account whose region code starts with region_prefix
 * (NULL or "" = all), by login. fn returns 0 to go on, non-zero to stop
 * (users_list then returns that value). -1 on error.
 */
int	users_list(struct store *s, const char *region_prefix,
	    users_list_fn fn, void *arg, struct lf_error *err);

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

/*
 * users_rows.h - the narrow persistence interface under the account
 * rules (auth/users.h): the tables users and sessions (created on open
 * by users_init()), their rows read and written. Nothing here decides
 * whether input is valid, whether a password is right, when an account
 * locks or when a session ends: auth/ decides, then calls these with the
 * values to store. Implemented by store/users_rows.c.
 *
 * What the store does decide is how a row is kept: a session token is
 * stored only as its keyed SM3 hash (crypto_lookup_hash, domain
 * "session"), so every verb that takes a token hashes it first (the
 * caller has checked its form); a password only as the hash the caller
 * made (crypto/password.h).
 *
 * Errors: 0, or -1 with err ("store"; "crypto" when a token cannot be
 * hashed; "corrupt" for a user row with an unknown role). Lookups and
 * conditional writes return 1 for "not found" or "not written" (said at
 * each) and leave err alone. Nothing here puts a password, a hash or a
 * token into a message. Every verb joins the caller's transaction when
 * one is open; users_rows_tx_begin() groups several.
 *
 * Threads: as for struct store, one thread at a time per store.
 */
#ifndef LF_STORE_USERS_ROWS_H
#define LF_STORE_USERS_ROWS_H

#include <stdint.h>

#include "core/role.h"
#include "crypto/password.h"
#include "lib/error.h"
#include "store/store.h"

#define USERS_LOGIN_MAX		32		/* bytes of a login */
#define USERS_TOKEN_HEX		64		/* 256-bit session token */
#define USERS_CSRF_HEX		64		/* 256-bit CSRF token */

/* A row of users, without the password hash. */
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

/* A row of sessions, without the token's hash. */
struct session_info {
	int64_t		 id;
	int64_t		 user_id;
	char		 csrf[USERS_CSRF_HEX + 1];
	int64_t		 created_at;
	int64_t		 last_seen;
	int64_t		 expires_at;	/* absolute end */
};

/* What users_rows_insert() stores; strings NUL-terminated. */
struct user_row_new {
	const char	*login;
	const char	*role;		/* role code */
	const char	*region;
	const char	*department;	/* code, or NULL */
	const char	*pw_hash;	/* password_hash()'s */
	int64_t		 now;		/* created, updated, pw changed */
};

/*
 * Creates the users and sessions tables and their indexes when missing.
 * Idempotent; run on every open. 0 or -1 ("store").
 */
int	users_init(struct store *s, struct lf_error *err);

/* The account with this login (or id). 0 found, 1 not found (also for a
 * NULL login), -1 error. */
int	users_get(struct store *s, const char *login, struct user *out,
	    struct lf_error *err);
int	users_get_id(struct store *s, int64_t id, struct user *out,
	    struct lf_error *err);
/* Like users_get(), and hash gets the stored password hash. */
int	users_rows_secret(struct store *s, const char *login, struct user *out,
	    char hash[PASSWORD_HASH_MAX], struct lf_error *err);

typedef int (*users_list_fn)(void *arg, const struct user *u);
/*
 * Calls fn for every account whose region code starts with region_prefix
 * (NULL or "" = all), by login. fn returns 0 to go on, non-zero to stop
 * (users_list then returns that value). -1 on error.
 */
int	users_list(struct store *s, const char *region_prefix,
	    users_list_fn fn, void *arg, struct lf_error *err);

/* Groups the writes until users_rows_tx_end() (store_tx_join(): a
 * transaction of their own, taking the writers' turn, or a savepoint in
 * the caller's); end commits or releases when rc is 0 and else rolls
 * back. begin: 0 or -1, with *tx for end; end: rc, or -1 when the commit
 * fails. */
int	users_rows_tx_begin(struct store *s, int *tx, struct lf_error *err);
int	users_rows_tx_end(struct store *s, int tx, int rc,
	    struct lf_error *err);

/* Adds the row. 0, 1 when the login is taken, -1. */
int	users_rows_insert(struct store *s, const struct user_row_new *u,
	    struct lf_error *err);
/* Marks the account disabled (updated_at now). 0, 1 no such login, -1. */
int	users_rows_disable(struct store *s, const char *login, int64_t now,
	    struct lf_error *err);
/* Stores a new password hash (pw_changed_at and updated_at now). 0, 1 no
 * such login, -1. */
int	users_rows_set_password(struct store *s, const char *login,
	    const char *pw_hash, int64_t now, struct lf_error *err);
/* Sets failed_count and locked_until of the account. 0 or -1. */
int	users_rows_set_failures(struct store *s, int64_t id, int count,
	    int64_t locked_until, struct lf_error *err);
/* Sets them only while they still hold seen's values (a compare and
 * swap: another login may have written them meanwhile). 0 written, 1
 * not (read again and retry), -1. */
int	users_rows_swap_failures(struct store *s, const struct user *seen,
	    int count, int64_t locked_until, struct lf_error *err);

/* Marks every unrevoked session of the login's account revoked. 0 or
 * -1. */
int	users_rows_revoke_all(struct store *s, const char *login,
	    struct lf_error *err);
/* Marks the session of token revoked. 0, 1 no such session, -1. */
int	users_rows_revoke(struct store *s, const char *token,
	    struct lf_error *err);
/* Deletes the user's sessions that are revoked, end at or before now,
 * or were last seen at or before seen_before. 0 or -1. */
int	users_rows_prune(struct store *s, int64_t user_id, int64_t now,
	    int64_t seen_before, struct lf_error *err);
/* Adds a session of token with si's user_id, csrf, created_at,
 * last_seen and expires_at; si->id gets the new row's id. 0, 1 when the
 * token's hash is taken, -1. */
int	users_rows_session_add(struct store *s, const char *token,
	    struct session_info *si, struct lf_error *err);
/* The session of token with its user, whatever its state: *revoked gets
 * its flag. One indexed read on a kept statement. 0 found, 1 not, -1. */
int	users_rows_session(struct store *s, const char *token,
	    struct user *u, struct session_info *si, int *revoked,
	    struct lf_error *err);
/* Advances the session's last_seen to now (never back). 0 or -1. */
int	users_rows_touch(struct store *s, int64_t id, int64_t now,
	    struct lf_error *err);

#endif

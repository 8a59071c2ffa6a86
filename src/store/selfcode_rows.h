/*
 * selfcode_rows.h - the narrow persistence interface under the
 * self-service code rules (auth/selfcode.h): the tables self_codes,
 * self_sessions and self_throttle (made on open by feedback_init(); on
 * PostgreSQL by the registry's schema, format 7),
 * their rows read and written. Nothing here decides whether a code may
 * be issued or redeemed, when it locks or expires, how often a client
 * may fail, or whether a session is live: auth/ decides, then calls
 * these with the values to store. Implemented by store/selfcode_rows.c.
 *
 * What the store does decide is how a secret is kept: a code only as
 * its keyed SM3 hash (crypto_lookup_hash, domain "self_code"), a session
 * token only as its hash (domain "self_session"); the verbs that take
 * one hash it first (the caller has checked its form).
 *
 * Errors: 0, or -1 with err ("store"; "crypto" when hashing fails).
 * Lookups return 1 for "not found" and leave err alone. Every verb joins
 * the caller's transaction; store_tx_join() (store.h) groups several.
 *
 * Threads: as for struct store.
 */
#ifndef LF_STORE_SELFCODE_ROWS_H
#define LF_STORE_SELFCODE_ROWS_H

#include <stdint.h>

#include "core/selfcode.h"
#include "lib/error.h"
#include "store/store.h"

#define SELF_TOKEN_HEX	64

/* A row of self_codes, without the code's hash. */
struct selfcode {
	int64_t		 id;
	int64_t		 person_id;
	char		 issued_by[64];
	int64_t		 issued_at, expires_at;
	int64_t		 revoked_at;		/* 0 = not revoked */
	char		 revoked_by[64];
	int64_t		 locked_at;		/* 0 = not locked */
	int		 failures;		/* wrong last-6 entries */
	int		 uses;			/* sessions opened */
	int64_t		 last_used_at;		/* 0 = never */
};

/* A row of self_sessions, without the token's hash. */
struct self_session {
	char		 token[SELF_TOKEN_HEX + 1];	/* only from redeem */
	char		 csrf[SELF_TOKEN_HEX + 1];
	int64_t		 id;
	int64_t		 code_id;
	int64_t		 person_id;
	int64_t		 expires_at;
};

/* What decides whether a session is live, as read with it. */
struct self_session_state {
	int		 ended;
	int64_t		 code_revoked_at;	/* 0 = not revoked */
	int64_t		 code_expires_at;
};

/* A client address's failures (table self_throttle). */
struct self_throttle {
	int64_t		 window_start;
	int		 failures;
};

/* The code with this id. 0 found, 1 none, -1 error. */
int	selfcode_get(struct store *s, int64_t id, struct selfcode *out,
	    struct lf_error *err);
typedef int (*selfcode_fn)(void *arg, const struct selfcode *c);
/* The person's codes, newest first; fn returns non-zero to stop (the
 * call then returns that value). 0 or -1. */
int	selfcode_list(struct store *s, int64_t person_id, selfcode_fn fn,
	    void *arg, struct lf_error *err);
/* The code whose hash is code's (canonical form). 0, 1 none, -1. */
int	selfcode_rows_by_code(struct store *s, const char *code,
	    struct selfcode *out, struct lf_error *err);

/* Adds a code row (its hash, who, when, until when); *id gets its id. */
int	selfcode_rows_insert(struct store *s, int64_t person_id,
	    const char *code, const char *actor, int64_t now,
	    int64_t expires_at, int64_t *id, struct lf_error *err);
/* Sets the code's revoked_at and revoked_by. 0 or -1. */
int	selfcode_rows_revoke(struct store *s, int64_t id, const char *actor,
	    int64_t now, struct lf_error *err);
/* Sets the code's failure count and locked_at. 0 or -1. */
int	selfcode_rows_failures(struct store *s, int64_t id, int failures,
	    int64_t locked_at, struct lf_error *err);
/* Counts a use of the code: uses + 1, last_used_at now. 0 or -1. */
int	selfcode_rows_used(struct store *s, int64_t id, int64_t now,
	    struct lf_error *err);

/* The client address's row. 0 found, 1 none, -1. */
int	selfcode_rows_client(struct store *s, const char *client,
	    struct self_throttle *out, struct lf_error *err);
/* Stores the client address's row (adds or replaces it). 0 or -1. */
int	selfcode_rows_client_set(struct store *s, const char *client,
	    const struct self_throttle *t, struct lf_error *err);

/* Adds a session of ss->token with ss's code_id, person_id, csrf and
 * expires_at, made at now; ss->id gets its id. 0 or -1. */
int	selfcode_rows_session_add(struct store *s, struct self_session *ss,
	    int64_t now, struct lf_error *err);
/* The session of token (out->token left "") with what decides whether
 * it is live. 0 found, 1 none, -1. */
int	selfcode_rows_session(struct store *s, const char *token,
	    struct self_session *out, struct self_session_state *st,
	    struct lf_error *err);
/* Marks the session of token ended (none: nothing changes). 0 or -1. */
int	selfcode_rows_session_end(struct store *s, const char *token,
	    struct lf_error *err);
/* Marks every session of the code ended. 0 or -1. */
int	selfcode_rows_end_sessions(struct store *s, int64_t code_id,
	    struct lf_error *err);

/*
 * PostgreSQL: scopes the store (store_set_scope(), at once in the open
 * transaction) to the county of the code's person, so that row-level
 * security shows a redemption or a self-service request that person,
 * their plans and ratings, and no other county's; the code must be
 * visible (found just before by its hash, selfcode_rows_by_code(), or
 * through its session, selfcode_rows_session()). The scope lasts until
 * the next store_set_scope(). 0, 1 when the code is not seen, -1. On
 * SQLite, whose access checks are the C code's alone: 0, nothing done.
 */
int	selfcode_rows_scope(struct store *s, int64_t code_id,
	    struct lf_error *err);

#endif

/*
 * session_cache.h - the sessions checked in the last second, so that most
 * requests need no lookup of their session in the database.
 *
 * Every request of a signed-in user names its session by the token in
 * its cookie; checking it (users_session()) hashes the token and reads the
 * session and its user, one SQL lookup a request. The cache keeps the
 * answer of a successful check for SESSION_CACHE_SECS, keyed by the token
 * itself (compared in constant time), in SESSION_CACHE_SLOTS slots (a
 * token's slot is given by its first digits; a newer session takes the
 * slot of an older one).
 *
 * What it may not change: a session it hands out is one the database
 * held valid at most SESSION_CACHE_SECS ago, and is still within its
 * lifetime and idle time now (the same rules as users_session(), on the
 * times the database gave). A revocation made by this process (logout,
 * password change, account disabled: users_revocations()) empties it at
 * once: every entry carries the count of revocations seen before its
 * check, and no longer matches. A revocation made by another process (the
 * CLI on the same file) is seen within SESSION_CACHE_SECS. When the
 * session's "last seen" is USERS_TOUCH_SECS old the cache does not answer,
 * so the database's check advances it as before. Refusals are never kept.
 *
 * Threads: any number at once (one mutex, held for a copy). The cache owns
 * its copies of tokens and wipes them when freed.
 */
#ifndef LF_HTTP_SESSION_CACHE_H
#define LF_HTTP_SESSION_CACHE_H

#include <stdint.h>

#include "auth/users.h"

#define SESSION_CACHE_SECS	1
#define SESSION_CACHE_SLOTS	256

struct session_cache;

/* NULL when memory runs out. */
struct session_cache	*session_cache_new(void);
void			 session_cache_free(struct session_cache *c);

/* 1 with *u and *si when token's session was checked valid less than
 * SESSION_CACHE_SECS before now, no revocation happened since and it is
 * still within its times; else 0. c may be NULL (never a hit). */
int	session_cache_get(struct session_cache *c, const char *token,
	    int64_t now, struct user *u, struct session_info *si);
/* Keeps what users_session() answered for token at now; revocations is
 * users_revocations() as read before that check. c may be NULL. */
void	session_cache_put(struct session_cache *c, const char *token,
	    unsigned long revocations, int64_t now, const struct user *u,
	    const struct session_info *si);

#endif

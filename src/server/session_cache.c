/*
 * session_cache.c - sessions checked in the last second (see
 * session_cache.h).
 */
#include "server/session_cache.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>

#include "lib/mem.h"

struct entry {
	int			 used;
	char			 token[USERS_TOKEN_HEX + 1];
	unsigned long		 revocations;
	int64_t			 checked;	/* when the database said yes */
	struct user		 u;
	struct session_info	 si;
};

struct session_cache {
	pthread_mutex_t		 mu;
	struct entry		 e[SESSION_CACHE_SLOTS];
};

struct session_cache *
session_cache_new(void)
{
	struct session_cache *c = mem_calloc(1, sizeof(*c));

	if (c != NULL && pthread_mutex_init(&c->mu, NULL) != 0) {
		mem_free(c);
		return NULL;
	}
	return c;
}

void
session_cache_free(struct session_cache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->mu);
	explicit_bzero(c, sizeof(*c));
	mem_free(c);
}

/* The slot of a token: tokens are random hex, so their first digits
 * spread them evenly. NULL for a token of another form. */
static struct entry *
slot(struct session_cache *c, const char *token)
{
	unsigned h = 0;
	int i;

	if (strlen(token) != USERS_TOKEN_HEX)
		return NULL;
	for (i = 0; i < 4; i++)
		h = h * 16 + (unsigned)(token[i] & 15);
	return &c->e[h % SESSION_CACHE_SLOTS];
}

/* Is e, checked at e->checked, still good at now (users_session()'s
 * rules on the stored times)? */
static int
fresh(const struct entry *e, int64_t now)
{
	return now >= e->checked && now - e->checked < SESSION_CACHE_SECS &&
	    now < e->si.expires_at && now < e->si.last_seen + USERS_IDLE_SECS &&
	    now - e->si.last_seen < USERS_TOUCH_SECS && !e->u.disabled &&
	    e->revocations == users_revocations();
}

int
session_cache_get(struct session_cache *c, const char *token, int64_t now,
    struct user *u, struct session_info *si)
{
	struct entry *e;
	int hit = 0;

	if (c == NULL || (e = slot(c, token)) == NULL)
		return 0;
	pthread_mutex_lock(&c->mu);
	if (e->used && CRYPTO_memcmp(e->token, token, USERS_TOKEN_HEX) == 0 &&
	    fresh(e, now)) {
		*u = e->u;
		*si = e->si;
		hit = 1;
	}
	pthread_mutex_unlock(&c->mu);
	return hit;
}

void
session_cache_put(struct session_cache *c, const char *token,
    unsigned long revocations, int64_t now, const struct user *u,
    const struct session_info *si)
{
	struct entry *e;

	if (c == NULL || (e = slot(c, token)) == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	e->used = 1;
	memcpy(e->token, token, USERS_TOKEN_HEX + 1);
	e->revocations = revocations;
	e->checked = now;
	e->u = *u;
	e->si = *si;
	pthread_mutex_unlock(&c->mu);
}

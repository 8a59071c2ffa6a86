/*
 * failtab.c - a fixed-size table of failure runs by keyed hash.
 */
#include "crypto/failtab.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static unsigned char	hash_key[crypto_shorthash_KEYBYTES];
static pthread_once_t	key_once = PTHREAD_ONCE_INIT;

static void
make_key(void)
{
	if (sodium_init() < 0)
		abort();
	randombytes_buf(hash_key, sizeof(hash_key));
}

static uint64_t
hash_of(const void *key, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	pthread_once(&key_once, make_key);
	crypto_shorthash(out, key, len, hash_key);
	memcpy(&h, out, sizeof(h));
	return h | 1;	/* never 0 */
}

/* The slot of hash h, or with create the slot it may take; NULL when
 * absent (or, with create, when every probed slot holds a live lock). */
static struct failtab_slot *
find(struct failtab *t, uint64_t h, int64_t now, int create)
{
	struct failtab_slot *s, *best = NULL;
	size_t i, at = (size_t)(h % FAILTAB_SLOTS);

	for (i = 0; i < FAILTAB_PROBE; i++) {
		s = &t->slot[(at + i) % FAILTAB_SLOTS];
		if (s->hash == h && s->last != 0)
			return s;
		if (!create || s->until > now)
			continue;
		if (best == NULL || s->last < best->last)
			best = s;
	}
	if (best != NULL)
		memset(best, 0, sizeof(*best));
	return best;
}

int
failtab_locked(struct failtab *t, const void *key, size_t len, int64_t now,
    int64_t *until)
{
	uint64_t h = hash_of(key, len);
	struct failtab_slot *s;
	int rc = 0;

	pthread_mutex_lock(&t->mu);
	s = find(t, h, now, 0);
	if (s != NULL && s->until > now) {
		*until = s->until;
		rc = 1;
	}
	pthread_mutex_unlock(&t->mu);
	return rc;
}

int
failtab_fail(struct failtab *t, const void *key, size_t len, int64_t now,
    int64_t *until)
{
	uint64_t h = hash_of(key, len);
	struct failtab_slot *s;
	int rc = 0;

	pthread_mutex_lock(&t->mu);
	s = find(t, h, now, 1);
	if (s != NULL) {
		if (s->last == 0 || s->count == 0 || now - s->last >= t->window)
			s->count = 0;
		s->hash = h;
		s->last = now > 0 ? now : 1;
		if (++s->count >= t->max) {
			s->count = 0;
			s->until = now + t->lock;
			*until = s->until;
			rc = 1;
		}
	}
	pthread_mutex_unlock(&t->mu);
	return rc;
}

void
failtab_clear(struct failtab *t, const void *key, size_t len)
{
	uint64_t h = hash_of(key, len);
	struct failtab_slot *s;

	pthread_mutex_lock(&t->mu);
	s = find(t, h, 0, 0);
	if (s != NULL)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&t->mu);
}

void
failtab_reset(struct failtab *t)
{
	pthread_mutex_lock(&t->mu);
	memset(t->slot, 0, sizeof(t->slot));
	pthread_mutex_unlock(&t->mu);
}

/*
 * failtab.h - counts of recent failures (failed logins) per key, in a
 * fixed amount of memory, for lockouts and rate limits.
 *
 * A key is any byte string (a login, a client address, both). It is kept
 * only as a keyed 64-bit hash (SipHash, libsodium's crypto_shorthash, a
 * random key per process), so the table holds no login or address and
 * a client cannot choose keys that collide.
 *
 * Counting: failures of one key form a run while each comes less than
 * `window` seconds after the one before; a failure after a longer pause
 * starts a new run. The failure that brings a run to `max` locks the key
 * for `lock` seconds and ends the run (the count starts again after the
 * lock). failtab_clear() forgets a key (a success).
 *
 * Memory: FAILTAB_SLOTS entries. A new key takes a free entry among the
 * FAILTAB_PROBE slots its hash points at, or else the one of them used
 * least recently, so a flood of new keys pushes out the oldest entries
 * (those of keys not seen for the longest time), never a live lock
 * unless every probed entry is locked.
 *
 * Threads: every function may be called from any thread (one mutex per
 * table). Time is passed in by the caller (seconds since the epoch).
 */
#ifndef LF_CRYPTO_FAILTAB_H
#define LF_CRYPTO_FAILTAB_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define FAILTAB_SLOTS	4096
#define FAILTAB_PROBE	8

struct failtab_slot {
	uint64_t	 hash;
	int64_t		 last;		/* last failure; 0 = free */
	int64_t		 until;		/* locked until */
	int		 count;		/* failures in the current run */
};

struct failtab {
	pthread_mutex_t		 mu;
	int			 max;
	int64_t			 window;
	int64_t			 lock;
	struct failtab_slot	 slot[FAILTAB_SLOTS];
};

/* A table counting to max failures with the given window and lock (all
 * > 0), for a static struct failtab. */
#define FAILTAB_INIT(max, window, lock) \
	{ PTHREAD_MUTEX_INITIALIZER, (max), (window), (lock), { { 0, 0, 0, 0 } } }

/* 1 and *until set when key is locked at now, else 0. */
int	failtab_locked(struct failtab *t, const void *key, size_t len,
	    int64_t now, int64_t *until);
/* Counts a failure of key at now: 1 and *until set when this failure
 * locks the key, else 0. */
int	failtab_fail(struct failtab *t, const void *key, size_t len,
	    int64_t now, int64_t *until);
/* Forgets key (its run and any lock). */
void	failtab_clear(struct failtab *t, const void *key, size_t len);
/* Forgets every key (tests). */
void	failtab_reset(struct failtab *t);

#endif

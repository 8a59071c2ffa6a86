/*
 * statsd.c - resident years of statistics (see statsd.h).
 *
 * Locking: one mutex guards the slot table (which year is in which slot,
 * the use counter); each slot has a read-write lock guarding its stats.
 * Nobody waits for a slot's lock while holding the mutex, except to evict
 * a year, which happens only when a new year is asked for.
 */
#include "stats/statsd.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/mem.h"
#include "server/http_int.h"
#include "lib/log.h"
#include "stats/stats_load.h"
#include "server/findings_hook.h"

struct slot {
	int			 year;		/* 0: empty */
	struct stats		*st;		/* NULL while loading */
	int			 loading;	/* under sd.mu */
	int64_t			*pending;	/* persons written meanwhile */
	size_t			 npending, cap;	/* under sd.mu */
	int			 stale;
	int64_t			 as_of;
	uint64_t		 used;
	pthread_rwlock_t	 lock;
};

static struct {
	const struct app	*app;
	struct slot		*slots;
	int			 n;
	uint64_t		 tick;
	pthread_mutex_t		 mu;
	pthread_t		 warm;
	int			 warming;
} sd = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* The slot holding year, or NULL; under sd.mu. */
static struct slot *
find(int year)
{
	int i;

	for (i = 0; i < sd.n; i++)
		if (sd.slots[i].year == year)
			return &sd.slots[i];
	return NULL;
}

/* An empty slot, else the one used longest ago; under sd.mu. */
static struct slot *
victim(void)
{
	struct slot *v = &sd.slots[0];
	int i;

	for (i = 0; i < sd.n; i++) {
		if (sd.slots[i].year == 0)
			return &sd.slots[i];
		if (sd.slots[i].used < v->used)
			v = &sd.slots[i];
	}
	return v;
}

/* Loads year into slot x, whose write lock the caller holds. */
static int
load(struct store *s, struct slot *x, int year, struct lf_error *err)
{
	struct stats *st;
	double t0 = (double)clock() / CLOCKS_PER_SEC;
	int64_t started = (int64_t)time(NULL);

	stats_free(x->st);
	x->st = NULL;
	if ((st = stats_new(sd.app->cat, sd.app->regions, sd.app->policies,
	    year)) == NULL)
		return lf_error_nomem(err);
	if (stats_load(s, st, sd.app->policies, NULL, NULL, err) != 0) {
		stats_free(st);
		return -1;
	}
	x->st = st;
	x->stale = 0;
	x->as_of = started;	/* writes since are applied by catch_up() */
	log_info("statistics of %d loaded (%.1f s CPU)", year,
	    (double)clock() / CLOCKS_PER_SEC - t0);
	return 0;
}

/* Refreshes the persons written while x was loading (the load may or may
 * not have seen them); x's write lock is held. New ones may arrive while
 * this runs: the loop takes them too. */
static void
catch_up(struct store *s, struct slot *x)
{
	struct lf_error err;
	int64_t id;

	for (;;) {
		pthread_mutex_lock(&sd.mu);
		if (x->npending == 0) {
			x->loading = 0;
			pthread_mutex_unlock(&sd.mu);
			return;
		}
		id = x->pending[--x->npending];
		pthread_mutex_unlock(&sd.mu);
		lf_error_clear(&err);
		if (stats_refresh(s, x->st, sd.app->policies, id, &err) != 0) {
			log_warnx("statistics of %d: %s; reloading on next use",
			    x->year, err.message);
			x->stale = 1;
		}
	}
}

/* Notes person id for a slot being loaded; under sd.mu. Returns 0, or -1
 * when memory runs out (the slot is then marked stale). */
static int
note_pending(struct slot *x, int64_t id)
{
	int64_t *p;
	size_t cap;

	if (x->npending == x->cap) {
		cap = x->cap ? x->cap * 2 : 256;
		if ((p = mem_realloc(x->pending, cap * sizeof(*p))) == NULL) {
			x->stale = 1;
			return -1;
		}
		x->pending = p;
		x->cap = cap;
	}
	x->pending[x->npending++] = id;
	return 0;
}

/* Puts year into a slot (evicting one) and loads it. */
static int
bring_in(struct store *s, int year, struct lf_error *err)
{
	struct slot *x;
	int rc;

	pthread_mutex_lock(&sd.mu);
	x = find(year);
	if (x == NULL)
		x = victim();
	pthread_mutex_unlock(&sd.mu);
	pthread_rwlock_wrlock(&x->lock);
	pthread_mutex_lock(&sd.mu);
	if (x->year != year && find(year) != NULL) {
		/* another request brought it in meanwhile */
		pthread_mutex_unlock(&sd.mu);
		pthread_rwlock_unlock(&x->lock);
		return 0;
	}
	x->year = year;
	x->used = ++sd.tick;
	x->loading = 1;
	x->npending = 0;
	pthread_mutex_unlock(&sd.mu);
	rc = 0;
	if (x->st == NULL || x->stale || stats_year(x->st) != year)
		rc = load(s, x, year, err);
	if (rc == 0)
		catch_up(s, x);
	pthread_mutex_lock(&sd.mu);
	x->loading = 0;
	x->npending = 0;
	if (rc != 0)
		x->year = 0;
	pthread_mutex_unlock(&sd.mu);
	pthread_rwlock_unlock(&x->lock);
	return rc;
}

int
statsd_acquire(struct store *s, int year, struct statsd_ref *ref,
    struct lf_error *err)
{
	struct slot *x;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		pthread_mutex_lock(&sd.mu);
		if ((x = find(year)) != NULL && x->loading) {
			/* do not tie up a worker thread for a whole load */
			pthread_mutex_unlock(&sd.mu);
			return lf_error_set(err, "loading", "year", "%d 年的统计"
			    "正在载入, 请稍后再试 (the statistics of %d are being "
			    "loaded: try again shortly)", year, year);
		}
		if (x != NULL)
			x->used = ++sd.tick;
		pthread_mutex_unlock(&sd.mu);
		if (x != NULL) {
			pthread_rwlock_rdlock(&x->lock);
			if (x->year == year && x->st != NULL && !x->stale) {
				ref->st = x->st;
				ref->as_of = x->as_of;
				ref->slot = x;
				return 0;
			}
			pthread_rwlock_unlock(&x->lock);
		}
		if (bring_in(s, year, err) != 0)
			return -1;
	}
	return lf_error_set(err, "busy", "", "统计正忙, 请稍后再试 "
	    "(statistics busy: try again)");
}

void
statsd_release(struct statsd_ref *ref)
{
	struct slot *x = ref->slot;

	if (x != NULL)
		pthread_rwlock_unlock(&x->lock);
	ref->slot = NULL;
	ref->st = NULL;
}

void
statsd_person(struct store *s, int64_t person_id)
{
	struct lf_error err;
	int years[16], i, n = 0;
	struct slot *x;

	findings_hook_person(s, sd.app, person_id);	/* issue 13 */
	pthread_mutex_lock(&sd.mu);
	for (i = 0; i < sd.n && n < 16; i++)
		if (sd.slots[i].year != 0)
			years[n++] = sd.slots[i].year;
	pthread_mutex_unlock(&sd.mu);
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&sd.mu);
		x = find(years[i]);
		if (x != NULL && x->loading) {
			/* do not wait for a load: catch_up() applies it */
			note_pending(x, person_id);
			x = NULL;
		}
		pthread_mutex_unlock(&sd.mu);
		if (x == NULL)
			continue;
		pthread_rwlock_wrlock(&x->lock);
		lf_error_clear(&err);
		if (x->year == years[i] && x->st != NULL && !x->stale) {
			if (stats_refresh(s, x->st, sd.app->policies, person_id,
			    &err) != 0) {
				log_warnx("statistics of %d: refresh failed "
				    "(%s); reloading on next use", x->year,
				    err.message);
				x->stale = 1;
			} else
				x->as_of = (int64_t)time(NULL);
		}
		pthread_rwlock_unlock(&x->lock);
	}
}

void
statsd_reload(int year)
{
	struct slot *x;

	pthread_mutex_lock(&sd.mu);
	x = find(year);
	pthread_mutex_unlock(&sd.mu);
	if (x == NULL)
		return;
	pthread_rwlock_wrlock(&x->lock);
	if (x->year == year)
		x->stale = 1;
	pthread_rwlock_unlock(&x->lock);
}

/* Loads this year in the background, so the first dashboard is quick. */
static void *
warm(void *arg)
{
	struct statsd_ref ref;
	struct lf_error err;
	struct store *s;
	int year;

	(void)arg;
	lf_error_clear(&err);
	if (store_open(sd.app->cfg->db, sd.app->cat, sd.app->regions, &s,
	    &err) != 0) {
		log_warnx("statistics: %s", err.message);
		return NULL;
	}
	http_china_date(&year, NULL);
	if (statsd_acquire(s, year, &ref, &err) == 0)
		statsd_release(&ref);
	else
		log_warnx("statistics: %s", err.message);
	store_close(s);
	return NULL;
}

int
statsd_start(const struct app *app, int max_years, struct lf_error *err)
{
	int i;

	sd.app = app;
	sd.n = max_years;
	if ((sd.slots = mem_calloc((size_t)max_years, sizeof(*sd.slots))) ==
	    NULL)
		return lf_error_nomem(err);
	for (i = 0; i < sd.n; i++)
		pthread_rwlock_init(&sd.slots[i].lock, NULL);
	sd.warming = pthread_create(&sd.warm, NULL, warm, NULL) == 0;
	return 0;
}

void
statsd_stop(void)
{
	int i;

	if (sd.warming)
		pthread_join(sd.warm, NULL);
	sd.warming = 0;
	for (i = 0; i < sd.n; i++) {
		stats_free(sd.slots[i].st);
		mem_free(sd.slots[i].pending);
		pthread_rwlock_destroy(&sd.slots[i].lock);
	}
	mem_free(sd.slots);
	sd.slots = NULL;
	sd.n = 0;
}

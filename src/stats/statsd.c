/*
 * statsd.c - resident years of statistics (see statsd.h).
 *
 * Locking: one mutex guards the slot table (which year is in which slot,
 * the use counter); each slot has a read-write lock guarding its stats.
 * Nobody waits for a slot's lock while holding the mutex, except to evict
 * a year, which happens only when a new year is asked for.
 *
 * PostgreSQL (issue 18): a year is loaded on the statistics' own
 * connection (sd.db, under sd.dbmu), scoped to the whole registry: a
 * request's connection is scoped to its user's region by row-level
 * security, and a year is shared by every user (each report is then
 * confined to the user's region by h_stats). No snapshot, no write
 * counter: the watcher thread (instead of the checkpoint) listens on a
 * connection of its own (sd.listen) for the commits of any writer
 * (stats_gen_notified(): this server's, `liangfu import`, a SQL shell)
 * and every PG_PERIOD_MS reloads each resident year that changed into a
 * new engine while readers go on with the old one, then swaps them (for
 * that moment the year's memory is twice). Lock order: a slot's lock,
 * then sd.dbmu; the watcher takes sd.dbmu alone, then a slot's lock.
 */
#include "stats/statsd.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/mem.h"
#include "stats/stats_snap.h"
#include "server/http_int.h"
#include "lib/log.h"
#include "store/stats_gen.h"
#include "stats/stats_load.h"
#include "server/findings_hook.h"

#define SNAP_EVERY	600	/* seconds between checkpoint snapshots */
#define PG_PERIOD_MS	2000	/* PostgreSQL: how often changes are read */

struct slot {
	int			 year;		/* 0: empty */
	struct stats		*st;		/* NULL while loading */
	int			 loading;	/* under sd.mu */
	int64_t			*pending;	/* persons written meanwhile */
	size_t			 npending, cap;	/* under sd.mu */
	int			 stale;
	int64_t			 as_of;
	uint64_t		 used;
	/* the database's write counter when the engine was last exactly
	 * the database, and sd.claims then (see certified()); the counter
	 * of the snapshot on disk (UINT64_MAX: none known) */
	uint64_t		 base_gen, base_claims, snap_gen;
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
	/* moves of the write counter this server committed and applied
	 * (stats_gen_take() after each statsd_person()) */
	uint64_t		 claims;
	/* the checkpoint thread */
	pthread_t		 ckpt;
	int			 ckpt_on, stopping, snap_now;
	pthread_cond_t		 wake;
	/* PostgreSQL: the loads' connection (under dbmu) and the watcher's;
	 * a reload to try again at the next period */
	int			 pg, again;
	struct store		*db, *listen;
	pthread_mutex_t		 dbmu;
} sd = { .mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
	.dbmu = PTHREAD_MUTEX_INITIALIZER };

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

/* The snapshot file of year: next to the database. */
static void
snap_path(int year, char *out, size_t len)
{
	snprintf(out, len, "%s.stats-%d", sd.app->cfg->db, year);
}

static uint64_t
claims_now(void)
{
	uint64_t n;

	pthread_mutex_lock(&sd.mu);
	n = sd.claims;
	pthread_mutex_unlock(&sd.mu);
	return n;
}

/*
 * Whether x's engine is exactly the database at write counter gen: every
 * move of the counter since its base was made by this server and applied
 * (claimed after the person was re-read). A write by another program, a
 * write not followed by statsd_person(), or one in flight (committed,
 * not yet applied) leaves gen ahead of the claims.
 */
static int
certified(const struct slot *x, uint64_t gen)
{
	return x->st != NULL && !x->stale && gen == x->base_gen +
	    (claims_now() - x->base_claims);
}

/* Writes x's snapshot (of its engine's year) when it is certified and not
 * already on disk; x's lock (read or write) is held. */
static void
snap_save(struct store *s, struct slot *x)
{
	struct lf_error err;
	char path[4200];
	uint64_t gen;
	int year;
	double t0 = (double)clock() / CLOCKS_PER_SEC;

	lf_error_clear(&err);
	if (sd.pg || x->st == NULL || stats_gen_get(s, &gen, &err) != 0)
		return;
	year = stats_year(x->st);
	if (gen == x->snap_gen)
		return;
	if (!certified(x, gen)) {
		log_info("statistics of %d: no snapshot written (writes not "
		    "applied by this server since the last load)", year);
		return;
	}
	snap_path(year, path, sizeof(path));
	if (stats_snap_write(x->st, gen, path, &err) != 0) {
		log_warnx("statistics of %d: %s", year, err.message);
		return;
	}
	x->snap_gen = gen;
	log_info("statistics of %d: snapshot written at write %llu (%.1f s "
	    "CPU)", year, (unsigned long long)gen,
	    (double)clock() / CLOCKS_PER_SEC - t0);
}

/* Fills st from year's snapshot when it is current: 0, or -1 (logged;
 * st must then be replaced). */
static int
snap_load(struct stats *st, int year, uint64_t gen)
{
	struct lf_error err;
	char path[4200];

	snap_path(year, path, sizeof(path));
	lf_error_clear(&err);
	if (stats_snap_read(st, gen, path, &err) == 0)
		return 0;
	if (strcmp(err.code, "not_found") == 0)
		log_info("statistics of %d: no snapshot, reading the database",
		    year);
	else
		log_warnx("statistics of %d: snapshot refused, reading the "
		    "database instead: %s", year, err.message);
	return -1;
}

/* Empties slot x (write lock held) before another year is loaded into
 * it: its snapshot is saved first when certified (so that the evicted
 * year starts from it next time), and the freed memory is given back to
 * the system at once. Without the trim, the engine freed by one thread
 * stayed in that thread's malloc arena while another thread loaded the
 * next year: at province scale the server peaked at 2.2 GB (snapshot
 * start) and 2.8 GB (scan start) holding one year. */
static void
evict(struct store *s, struct slot *x)
{
	if (x->st == NULL)
		return;
	snap_save(s, x);
	stats_free(x->st);
	x->st = NULL;
	malloc_trim(0);
}

/* Loads year into slot x, whose write lock the caller holds: from the
 * snapshot when it is current, else by reading the database. */
static int
load(struct store *s, struct slot *x, int year, struct lf_error *err)
{
	struct stats *st;
	double t0 = (double)clock() / CLOCKS_PER_SEC;
	int64_t started = (int64_t)time(NULL);
	uint64_t claims = claims_now(), gen;
	int from_snap;

	evict(s, x);
	x->snap_gen = UINT64_MAX;
	gen = 0;
	if (!sd.pg && stats_gen_get(s, &gen, err) != 0)
		return -1;
	if ((st = stats_new(sd.app->cat, sd.app->regions, sd.app->policies,
	    year)) == NULL)
		return lf_error_nomem(err);
	from_snap = !sd.pg && snap_load(st, year, gen) == 0;
	if (!from_snap) {
		stats_free(st);
		st = stats_new(sd.app->cat, sd.app->regions, sd.app->policies,
		    year);
		if (st == NULL)
			return lf_error_nomem(err);
		if (stats_load(s, st, sd.app->policies, NULL, NULL, err) !=
		    0) {
			stats_free(st);
			return -1;
		}
	}
	x->st = st;
	x->stale = 0;
	x->as_of = started;	/* writes since are applied by catch_up() */
	x->base_gen = gen;
	x->base_claims = claims;
	if (from_snap)
		x->snap_gen = gen;
	log_info("statistics of %d loaded from %s (%.1f s CPU)", year,
	    from_snap ? "its snapshot" : "the database",
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

/* The store a year is loaded with: the caller's on SQLite, the
 * statistics' own on PostgreSQL (sd.dbmu taken; a lost connection made
 * again first). Give it back with load_store_done(). */
static struct store *
load_store(struct store *s)
{
	struct lf_error err;

	if (!sd.pg)
		return s;
	pthread_mutex_lock(&sd.dbmu);
	lf_error_clear(&err);
	store_reconnect(sd.db, &err);	/* else the load fails, saying so */
	return sd.db;
}

static void
load_store_done(void)
{
	if (sd.pg)
		pthread_mutex_unlock(&sd.dbmu);
}

/* Puts year into a slot (evicting one) and loads it. */
static int
bring_in(struct store *caller, int year, struct lf_error *err)
{
	struct store *s;
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
	s = load_store(caller);
	if (x->st == NULL || x->stale || stats_year(x->st) != year)
		rc = load(s, x, year, err);
	if (rc == 0) {
		catch_up(s, x);
		if (x->snap_gen == UINT64_MAX) {
			/* scanned: the checkpoint thread writes its snapshot
			 * (under a read lock, not this write lock) */
			pthread_mutex_lock(&sd.mu);
			sd.snap_now = 1;
			pthread_cond_broadcast(&sd.wake);
			pthread_mutex_unlock(&sd.mu);
		}
	}
	load_store_done();
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
	uint64_t claim;

	findings_hook_person(s, sd.app, person_id);	/* issue 13 */
	if (sd.pg)	/* the commit's notice reloads the year (watch()) */
		return;
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
	/* this thread's writes are applied to every resident year */
	claim = stats_gen_take();
	pthread_mutex_lock(&sd.mu);
	sd.claims += claim;
	pthread_mutex_unlock(&sd.mu);
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

/* Loads this year in the background, so the first dashboard is quick:
 * once (a request for another year may take the slot meanwhile: it is
 * not fought for). */
static void *
warm(void *arg)
{
	struct lf_error err;
	struct store *s;
	int year, here;

	(void)arg;
	lf_error_clear(&err);
	s = NULL;	/* PostgreSQL: bring_in() loads with sd.db */
	if (!sd.pg && store_open(sd.app->cfg->db, sd.app->cat,
	    sd.app->regions, &s, &err) != 0) {
		log_warnx("statistics: %s", err.message);
		return NULL;
	}
	http_china_date(&year, NULL);
	pthread_mutex_lock(&sd.mu);
	here = find(year) != NULL;
	pthread_mutex_unlock(&sd.mu);
	if (!here && bring_in(s, year, &err) != 0)
		log_warnx("statistics: %s", err.message);
	if (s != NULL)
		store_close(s);
	return NULL;
}

/* Writes the snapshot of every resident year that is certified and
 * changed since its last one. */
static void
snap_all(void)
{
	struct lf_error err;
	struct store *s;
	int i, busy;

	lf_error_clear(&err);
	if (store_open(sd.app->cfg->db, sd.app->cat, sd.app->regions, &s,
	    &err) != 0) {
		log_warnx("statistics snapshot: %s", err.message);
		return;
	}
	for (i = 0; i < sd.n; i++) {
		pthread_rwlock_rdlock(&sd.slots[i].lock);
		pthread_mutex_lock(&sd.mu);
		busy = sd.slots[i].year == 0 || sd.slots[i].loading;
		pthread_mutex_unlock(&sd.mu);
		if (!busy)
			snap_save(s, &sd.slots[i]);
		pthread_rwlock_unlock(&sd.slots[i].lock);
	}
	store_close(s);
}

/* The checkpoint: a snapshot of each changed year every SNAP_EVERY
 * seconds (readers go on meanwhile; writers wait for it). */
static void *
checkpoint(void *arg)
{
	struct timespec t;

	(void)arg;
	pthread_mutex_lock(&sd.mu);
	while (!sd.stopping) {
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_sec += SNAP_EVERY;
		while (!sd.stopping && !sd.snap_now &&
		    pthread_cond_timedwait(&sd.wake, &sd.mu, &t) == 0)
			;
		if (sd.stopping)
			break;
		sd.snap_now = 0;
		pthread_mutex_unlock(&sd.mu);
		snap_all();
		pthread_mutex_lock(&sd.mu);
	}
	pthread_mutex_unlock(&sd.mu);
	return NULL;
}

/* PostgreSQL: loads the engine of slot i's year again; readers use the
 * old one meanwhile. 0 (also for an empty slot), or -1: failed (logged;
 * the old one stays) or the year is being loaded (the load may have
 * begun before the change): the watcher tries again at its next period. */
static int
reload(int i)
{
	struct slot *x = &sd.slots[i];
	struct lf_error err;
	struct stats *st, *old;
	int64_t started = (int64_t)time(NULL);
	double t0 = (double)clock() / CLOCKS_PER_SEC;
	int year, busy, rc;

	pthread_mutex_lock(&sd.mu);
	year = x->year;
	busy = x->loading;
	pthread_mutex_unlock(&sd.mu);
	if (year == 0)
		return 0;
	if (busy)	/* its load may have begun before the change */
		return -1;
	lf_error_clear(&err);
	if ((st = stats_new(sd.app->cat, sd.app->regions, sd.app->policies,
	    year)) == NULL)
		rc = lf_error_nomem(&err);
	else {
		load_store(NULL);
		rc = stats_load(sd.db, st, sd.app->policies, NULL, NULL, &err);
		load_store_done();
	}
	if (rc != 0) {
		log_warnx("statistics of %d: reload failed (%s); the loaded "
		    "ones stay, trying again", year, err.message);
		stats_free(st);
		return -1;
	}
	pthread_rwlock_wrlock(&x->lock);
	old = NULL;
	if (x->year == year && x->st != NULL) {
		old = x->st;
		x->st = st;
		x->stale = 0;
		x->as_of = started;
		st = NULL;
	}
	pthread_rwlock_unlock(&x->lock);
	stats_free(st);		/* the year left meanwhile */
	stats_free(old);
	malloc_trim(0);
	log_info("statistics of %d reloaded after a change (%.1f s CPU)",
	    year, (double)clock() / CLOCKS_PER_SEC - t0);
	return 0;
}

/* PostgreSQL: every PG_PERIOD_MS, the changes committed since the last
 * look (stats_gen_notified()) reload every resident year. */
static void *
watch(void *arg)
{
	struct lf_error err;
	struct timespec t;
	int i, n, down = 0;

	(void)arg;
	pthread_mutex_lock(&sd.mu);
	while (!sd.stopping) {
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += (long)(PG_PERIOD_MS % 1000) * 1000000L;
		t.tv_sec += PG_PERIOD_MS / 1000 + t.tv_nsec / 1000000000L;
		t.tv_nsec %= 1000000000L;
		while (!sd.stopping && pthread_cond_timedwait(&sd.wake, &sd.mu,
		    &t) == 0)
			;
		if (sd.stopping)
			break;
		pthread_mutex_unlock(&sd.mu);
		lf_error_clear(&err);
		if ((n = stats_gen_notified(sd.listen, &err)) < 0) {
			if (!down)
				log_warnx("statistics: changes not read: %s",
				    err.message);
			down = 1;
		} else {
			down = 0;
			if (n > 0 || sd.again) {
				sd.again = 0;
				for (i = 0; i < sd.n; i++)
					if (reload(i) != 0)
						sd.again = 1;
			}
		}
		pthread_mutex_lock(&sd.mu);
	}
	pthread_mutex_unlock(&sd.mu);
	return NULL;
}

/* PostgreSQL: the loads' connection, scoped to the whole registry (its
 * root region), and the watcher's, listening. */
static int
pg_open(const struct app *app, struct lf_error *err)
{
	const char *root = NULL;
	size_t i;

	for (i = 0; i < app->regions->n && root == NULL; i++)
		if (app->regions->v[i].parent < 0)
			root = app->regions->v[i].code;
	if (root == NULL)
		return lf_error_set(err, "invalid", "region", "没有区划表 (no "
		    "region table)");
	if (store_open_any(app->cfg->db, app->cat, app->regions, &sd.db,
	    err) != 0 || store_set_scope(sd.db, root, err) != 0 ||
	    store_open_any(app->cfg->db, app->cat, app->regions, &sd.listen,
	    err) != 0 || stats_gen_listen(sd.listen, err) != 0)
		return -1;
	return 0;
}

static void
pg_close(void)
{
	if (sd.db != NULL)
		store_close(sd.db);
	if (sd.listen != NULL)
		store_close(sd.listen);
	sd.db = sd.listen = NULL;
}

int
statsd_start(const struct app *app, int max_years, struct lf_error *err)
{
	int i;

	sd.app = app;
	sd.n = 0;
	sd.claims = 0;
	sd.stopping = sd.snap_now = sd.again = 0;
	sd.pg = store_location_is_pg(app->cfg->db);
	/* listening before the first load: no change is missed */
	if (sd.pg && pg_open(app, err) != 0) {
		pg_close();
		return -1;
	}
	if ((sd.slots = mem_calloc((size_t)max_years, sizeof(*sd.slots))) ==
	    NULL) {
		pg_close();
		return lf_error_nomem(err);
	}
	sd.n = max_years;
	for (i = 0; i < sd.n; i++)
		pthread_rwlock_init(&sd.slots[i].lock, NULL);
	sd.warming = pthread_create(&sd.warm, NULL, warm, NULL) == 0;
	sd.ckpt_on = pthread_create(&sd.ckpt, NULL, sd.pg ? watch :
	    checkpoint, NULL) == 0;
	return 0;
}

void
statsd_stop(void)
{
	int i;

	if (sd.warming)
		pthread_join(sd.warm, NULL);
	sd.warming = 0;
	pthread_mutex_lock(&sd.mu);
	sd.stopping = 1;
	pthread_cond_broadcast(&sd.wake);
	pthread_mutex_unlock(&sd.mu);
	if (sd.ckpt_on)
		pthread_join(sd.ckpt, NULL);
	sd.ckpt_on = 0;
	/* a clean stop: every request has finished */
	if (sd.n > 0 && !sd.pg)
		snap_all();
	for (i = 0; i < sd.n; i++) {
		stats_free(sd.slots[i].st);
		mem_free(sd.slots[i].pending);
		pthread_rwlock_destroy(&sd.slots[i].lock);
	}
	mem_free(sd.slots);
	sd.slots = NULL;
	sd.n = 0;
	pg_close();
}

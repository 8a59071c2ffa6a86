/*
 * store_ckpt.c - the checkpoint thread of bulk work (store_ckpt.h).
 */
#include "store/store_ckpt.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/mem.h"
#include "store/store_int.h"

#define PERIOD_MS	50	/* between PASSIVE checkpoints, by default */
#define RETRY_MS	1000	/* a restart that found readers, again after */
#ifndef LF_TESTING
#define RESTART_FRAMES	16384	/* a log of 128 MiB (8 KiB pages) */
#else
#define RESTART_FRAMES	512	/* small, for the unit tests */
#endif

struct store_ckpt {
	struct store	*s;
	sqlite3		*db;		/* the thread's own connection */
	int		 autockpt;	/* the store's wal_autocheckpoint */
	int		 stop;
	int		 frames;	/* the log's, at the writer's last commit */
	int64_t		 retry_at;	/* CLOCK_MONOTONIC ns: no restart before */
	int		 period_ms;	/* between PASSIVE checkpoints; under mu */
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
};

static void *
ckpt_main(void *arg)
{
	struct store_ckpt *c = arg;
	struct timespec ts;

	/* named for top -H and perf (at most 15 bytes) */
	pthread_setname_np(pthread_self(), "lf-checkpoint");
	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		pthread_mutex_unlock(&c->mu);
		/* an error (say, SQLITE_BUSY) only means "not now" */
		sqlite3_wal_checkpoint_v2(c->db, "main",
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->mu);
		clock_deadline(&ts, CLOCK_REALTIME, c->period_ms * 1000000LL);
		while (!c->stop && pthread_cond_timedwait(&c->cv, &c->mu,
		    &ts) == 0)
			;
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* The writer's commit hook (in place of the automatic checkpoints',
 * which it replaces): the log's size after each commit. */
static int
on_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store_ckpt *c = arg;

	(void)db;
	(void)name;
	c->frames = frames;
	return SQLITE_OK;
}

static void
ckpt_free(struct store_ckpt *c)
{
	/* also takes the commit hook back from on_commit */
	store_pragma_set(c->s->db, "wal_autocheckpoint", c->autockpt);
	sqlite3_close(c->db);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	mem_free(c);
}

int
store_ckpt_start(struct store *s, struct store_ckpt **out,
    struct lf_error *err)
{
	const char *path = sqlite3_db_filename(s->db, "main");
	struct store_ckpt *c;

	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return 0;
	if ((c = mem_calloc(1, sizeof(*c))) == NULL)
		return lf_error_nomem(err);
	c->s = s;
	c->period_ms = PERIOD_MS;
	c->autockpt = (int)store_pragma_get(s->db, "wal_autocheckpoint",
	    1000);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	/* the first read puts the connection in WAL mode: until then a
	 * checkpoint of it does nothing */
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK || sqlite3_exec(c->db,
	    "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		lf_error_set(err, "store", "", "数据库错误 (database error in "
		    "checkpoint open): %s", sqlite3_errmsg(c->db));
		ckpt_free(c);
		return -1;
	}
	store_pragma_set(s->db, "wal_autocheckpoint", 0);
	sqlite3_wal_hook(s->db, on_commit, c);
	if (pthread_create(&c->th, NULL, ckpt_main, c) != 0) {
		ckpt_free(c);
		return lf_error_set(err, "thread", "", "无法创建线程 (cannot "
		    "start a thread)");
	}
	*out = c;
	return 0;
}

int
store_ckpt_frames(struct store_ckpt *c)
{
	return c->frames;
}

void
store_ckpt_period(struct store_ckpt *c, int ms)
{
	if (c == NULL || ms < 1)
		return;
	pthread_mutex_lock(&c->mu);
	c->period_ms = ms;
	pthread_mutex_unlock(&c->mu);
}

/*
 * One RESTART checkpoint. A reader is waited for by the busy handler;
 * the checkpoint lock is not: while the thread's PASSIVE checkpoint runs,
 * SQLite answers SQLITE_BUSY at once. With wait, that is tried again
 * every 5 ms until STORE_BUSY_MS have passed.
 */
static int
restart_once(struct store_ckpt *c, int wait)
{
	int64_t until = clock_mono_ns() + STORE_BUSY_MS * 1000000LL;
	int rc;

	while ((rc = sqlite3_wal_checkpoint_v2(c->s->db, "main",
	    SQLITE_CHECKPOINT_RESTART, NULL, NULL)) == SQLITE_BUSY && wait &&
	    clock_mono_ns() < until)
		usleep(5000);
	return rc;
}

int
store_ckpt_restart(struct store_ckpt *c, int wait, struct lf_error *err)
{
	int frames, rc;

	if (c == NULL)
		return 0;
	frames = store_ckpt_frames(c);
	if (frames < RESTART_FRAMES ||
	    (!wait && clock_mono_ns() < c->retry_at))
		return 0;
	if (!wait)
		sqlite3_busy_timeout(c->s->db, 0);
	rc = restart_once(c, wait);
	if (!wait)
		sqlite3_busy_timeout(c->s->db, STORE_BUSY_MS);
	if (rc == SQLITE_BUSY) {
		/* a reader stayed: the next time, and without waiting not
		 * before RETRY_MS */
		c->retry_at = clock_mono_ns() + RETRY_MS * 1000000LL;
		return 0;
	}
	if (rc != SQLITE_OK)
		return store_sqlite_error(c->s, "checkpoint", err);
	c->frames = 0;
	return 0;
}

void
store_ckpt_stop(struct store_ckpt *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->th, NULL);
	ckpt_free(c);
}

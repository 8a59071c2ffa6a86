/*
 * recond.c - the roster eraser's thread (recond.h).
 */
#include "server/http_int.h"
#include "server/recond.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "store/recon_rows.h"

static struct {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	pthread_t		 th;
	int			 running, stop, keep_days;
	const struct app	*app;
} rd = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0,
	NULL };

static void
erase_once(void)
{
	struct lf_error err;
	struct store *s;
	int64_t n = 0;

	lf_error_clear(&err);
	if (http_store_open(rd.app, &s, &err) != 0) {	/* either backend */
		log_warnx("roster eraser: %s", err.message);
		return;
	}
	if (recon_erase(s, rd.keep_days, (int64_t)time(NULL), &n, &err) != 0)
		log_warnx("roster eraser: %s", err.message);
	else if (n > 0)
		log_info("erased %lld reconciliation rosters older than %d "
		    "days", (long long)n, rd.keep_days);
	store_close(s);
}

static void *
loop(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&rd.mu);
	while (!rd.stop) {
		pthread_mutex_unlock(&rd.mu);
		erase_once();
		pthread_mutex_lock(&rd.mu);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += RECOND_PERIOD;
		while (!rd.stop && pthread_cond_timedwait(&rd.cv, &rd.mu,
		    &until) == 0)
			;
	}
	pthread_mutex_unlock(&rd.mu);
	return NULL;
}

int
recond_start(const struct app *app, int keep_days, struct lf_error *err)
{
	rd.app = app;
	rd.keep_days = keep_days;
	rd.stop = 0;
	if (pthread_create(&rd.th, NULL, loop, NULL) != 0)
		return lf_error_set(err, "thread", "", "无法启动线程 (cannot "
		    "start a thread)");
	rd.running = 1;
	return 0;
}

void
recond_stop(void)
{
	if (!rd.running)
		return;
	pthread_mutex_lock(&rd.mu);
	rd.stop = 1;
	pthread_cond_broadcast(&rd.cv);
	pthread_mutex_unlock(&rd.mu);
	pthread_join(rd.th, NULL);
	rd.running = 0;
}

/*
 * workq.c - the server's worker pool (see workq.h): a ring of jobs under
 * one mutex, n threads waiting on one condition variable.
 */
#include "server/workq.h"

#include <pthread.h>

#include "lib/mem.h"

#define WORKQ_MAX_THREADS	256

struct job {
	workq_fn	 fn;
	void		*arg;
};

static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;
	struct job	*ring;
	size_t		 cap, head, n;
	pthread_t	 threads[WORKQ_MAX_THREADS];
	int		 nthreads;
	int		 running;
	int		 stop;
} w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 0,
    0, { 0 }, 0, 0, 0 };

static void *
worker(void *arg)
{
	struct job j;

	(void)arg;
	pthread_mutex_lock(&w.mu);
	for (;;) {
		while (w.n == 0 && !w.stop)
			pthread_cond_wait(&w.work, &w.mu);
		if (w.n == 0)
			break;
		j = w.ring[w.head];
		w.head = (w.head + 1) % w.cap;
		w.n--;
		pthread_mutex_unlock(&w.mu);
		j.fn(j.arg);
		pthread_mutex_lock(&w.mu);
	}
	pthread_mutex_unlock(&w.mu);
	return NULL;
}

/* Stops and joins the threads started so far; frees the ring. */
static void
shut(void)
{
	int i;

	pthread_mutex_lock(&w.mu);
	w.stop = 1;
	pthread_cond_broadcast(&w.work);
	pthread_mutex_unlock(&w.mu);
	for (i = 0; i < w.nthreads; i++)
		pthread_join(w.threads[i], NULL);
	w.nthreads = 0;
	mem_free(w.ring);
	w.ring = NULL;
	w.running = 0;
}

int
workq_start(int n, size_t cap, struct lf_error *err)
{
	if (n < 1 || n > WORKQ_MAX_THREADS || cap < 1)
		return lf_error_set(err, "invalid", "workers", "工作线程数无效 "
		    "(workers must be 1 to %d, the queue at least 1)",
		    WORKQ_MAX_THREADS);
	if ((w.ring = mem_calloc(cap, sizeof(*w.ring))) == NULL)
		return lf_error_nomem(err);
	w.cap = cap;
	w.head = w.n = 0;
	w.stop = 0;
	w.running = 1;
	for (w.nthreads = 0; w.nthreads < n; w.nthreads++)
		if (pthread_create(&w.threads[w.nthreads], NULL, worker,
		    NULL) != 0) {
			shut();
			return lf_error_set(err, "thread", "", "无法启动工作线程 "
			    "(cannot start the worker threads)");
		}
	return 0;
}

void
workq_stop(void)
{
	if (w.running)
		shut();
}

int
workq_submit(workq_fn fn, void *arg)
{
	int rc = -1;

	pthread_mutex_lock(&w.mu);
	if (w.running && !w.stop && w.n < w.cap) {
		w.ring[(w.head + w.n) % w.cap] = (struct job){ fn, arg };
		w.n++;
		pthread_cond_signal(&w.work);
		rc = 0;
	}
	pthread_mutex_unlock(&w.mu);
	return rc;
}

size_t
workq_queued(void)
{
	size_t n;

	pthread_mutex_lock(&w.mu);
	n = w.n;
	pthread_mutex_unlock(&w.mu);
	return n;
}

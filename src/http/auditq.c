/*
 * auditq.c - the audit writer thread (see auditq.h).
 */
#include "http/auditq.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "io/log.h"

/* One waiting entry; it lives on the waiting request's stack. */
struct pending {
	struct audit_entry	 e;
	struct lf_error		 err;
	int			 done;
	int			 rc;
	struct pending		*next;
};

static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* writer: entries are waiting */
	pthread_cond_t	 done;		/* requests: a batch committed */
	struct pending	*head, *tail;
	struct store	*s;
	pthread_t	 thread;
	int		 running;
	int		 stop;
} q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
    PTHREAD_COND_INITIALIZER, NULL, NULL, NULL, 0, 0, 0 };

/* Appends a batch in one transaction; sets each entry's rc. */
static void
write_batch(struct pending *batch)
{
	struct lf_error err;
	struct pending *p;
	int ok;

	lf_error_clear(&err);
	ok = store_begin(q.s, &err) == 0;
	for (p = batch; p != NULL; p = p->next) {
		lf_error_clear(&p->err);
		if (!ok) {
			p->err = err;
			p->rc = -1;
			continue;
		}
		p->rc = audit_append(q.s, &p->e, &p->err);
	}
	if (!ok)
		return;
	if (store_commit(q.s, &err) != 0) {
		store_rollback(q.s);
		for (p = batch; p != NULL; p = p->next) {
			p->rc = -1;
			p->err = err;
		}
	}
}

static void *
writer(void *arg)
{
	struct pending *batch, *p;

	(void)arg;
	pthread_mutex_lock(&q.mu);
	for (;;) {
		while (q.head == NULL && !q.stop)
			pthread_cond_wait(&q.work, &q.mu);
		if (q.head == NULL && q.stop)
			break;
		batch = q.head;
		q.head = q.tail = NULL;
		pthread_mutex_unlock(&q.mu);
		write_batch(batch);
		pthread_mutex_lock(&q.mu);
		for (p = batch; p != NULL; p = p->next)
			p->done = 1;
		pthread_cond_broadcast(&q.done);
	}
	pthread_mutex_unlock(&q.mu);
	return NULL;
}

int
auditq_start(const struct app *app, struct lf_error *err)
{
	if (store_open(app->cfg->db, app->cat, app->regions, &q.s, err) != 0)
		return -1;
	q.stop = 0;
	if (pthread_create(&q.thread, NULL, writer, NULL) != 0) {
		store_close(q.s);
		q.s = NULL;
		return lf_error_set(err, "thread", "", "cannot start the audit "
		    "writer");
	}
	q.running = 1;
	return 0;
}

void
auditq_stop(void)
{
	if (!q.running)
		return;
	pthread_mutex_lock(&q.mu);
	q.stop = 1;
	pthread_cond_signal(&q.work);
	pthread_mutex_unlock(&q.mu);
	pthread_join(q.thread, NULL);
	store_close(q.s);
	q.s = NULL;
	q.running = 0;
}

int
auditq_append(const struct audit_entry *e, struct lf_error *err)
{
	struct pending p;

	memset(&p, 0, sizeof(p));
	p.e = *e;
	pthread_mutex_lock(&q.mu);
	if (!q.running || q.stop) {
		pthread_mutex_unlock(&q.mu);
		return lf_error_set(err, "unavailable", "", "audit writer not "
		    "running");
	}
	if (q.tail != NULL)
		q.tail->next = &p;
	else
		q.head = &p;
	q.tail = &p;
	pthread_cond_signal(&q.work);
	while (!p.done)
		pthread_cond_wait(&q.done, &q.mu);
	pthread_mutex_unlock(&q.mu);
	if (p.rc != 0)
		*err = p.err;
	return p.rc;
}

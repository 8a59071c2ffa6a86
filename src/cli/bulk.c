/*
 * bulk.c - the producer/consumer ring behind bulk.h.
 */
#include "cli/bulk.h"

#include <pthread.h>
#include <string.h>

#include "core/mem.h"

#define NBATCH		4
#define BATCH		256

struct batch {
	struct bulk_slot	 slot[BATCH];
	size_t			 n;
	int			 last;		/* end of input or fatal */
	int			 fatal;		/* slot[n - 1].err says why */
	int			 full;		/* ready for the consumer */
};

struct bulk {
	struct batch		*b;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 stop;
	bulk_produce_fn		 produce;
	void			*parg;
};

static void
batches_free(struct batch *b)
{
	size_t i, j;

	for (i = 0; b != NULL && i < NBATCH; i++)
		for (j = 0; j < BATCH; j++) {
			record_free(b[i].slot[j].r);
			store_prep_free(b[i].slot[j].prep);
			mem_free(b[i].slot[j].raw);
		}
	mem_free(b);
}

static struct batch *
batches_new(const struct catalog *cat)
{
	struct batch *b = mem_calloc(NBATCH, sizeof(*b));
	size_t i, j;

	if (b == NULL)
		return NULL;
	for (i = 0; i < NBATCH; i++)
		for (j = 0; j < BATCH; j++) {
			b[i].slot[j].r = record_new(cat);
			b[i].slot[j].prep = store_prep_new(cat);
			if (b[i].slot[j].r == NULL ||
			    b[i].slot[j].prep == NULL) {
				batches_free(b);
				return NULL;
			}
		}
	return b;
}

/* Waits until batch b is free for the producer; 0, or -1 when stopped. */
static int
wait_free(struct bulk *k, struct batch *b)
{
	int stop;

	pthread_mutex_lock(&k->mu);
	while (b->full && !k->stop)
		pthread_cond_wait(&k->cv, &k->mu);
	stop = k->stop;
	pthread_mutex_unlock(&k->mu);
	return stop ? -1 : 0;
}

static void
publish(struct bulk *k, struct batch *b)
{
	pthread_mutex_lock(&k->mu);
	b->full = 1;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

/* Fills one batch; 1 when input goes on, 0 when it ended. */
static int
fill(struct bulk *k, struct batch *b)
{
	int rc;

	b->n = 0;
	while (b->n < BATCH) {
		struct bulk_slot *s = &b->slot[b->n];

		s->failed = 0;
		mem_free(s->raw);
		s->raw = NULL;
		lf_error_clear(&s->err);
		rc = k->produce(k->parg, s);
		if (rc == 1) {
			b->n++;
			continue;
		}
		b->last = 1;
		if (rc < 0) {
			b->fatal = 1;
			b->n++;
		}
		return 0;
	}
	return 1;
}

static void *
producer(void *arg)
{
	struct bulk *k = arg;
	size_t i = 0;
	int more = 1;

	while (more) {
		struct batch *b = &k->b[i++ % NBATCH];

		if (wait_free(k, b) != 0)
			break;
		b->last = b->fatal = 0;
		more = fill(k, b);
		publish(k, b);
	}
	return NULL;
}

/* Waits for batch b to be full, or for the producer to have stopped. */
static void
wait_full(struct bulk *k, struct batch *b)
{
	pthread_mutex_lock(&k->mu);
	while (!b->full)
		pthread_cond_wait(&k->cv, &k->mu);
	pthread_mutex_unlock(&k->mu);
}

static void
release(struct bulk *k, struct batch *b, int stop)
{
	pthread_mutex_lock(&k->mu);
	b->full = 0;
	if (stop)
		k->stop = 1;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

/* Consumes batches in order; 0 at the end of input, -1 when stopped. */
static int
consume_all(struct bulk *k, bulk_consume_fn consume, void *carg,
    struct lf_error *err)
{
	size_t i = 0, j;

	for (;;) {
		struct batch *b = &k->b[i++ % NBATCH];
		int last, rc = 0;

		wait_full(k, b);
		last = b->last;
		for (j = 0; j < b->n && rc == 0; j++) {
			if (b->fatal && j == b->n - 1) {
				*err = b->slot[j].err;
				rc = -1;
			} else if ((rc = consume(carg, &b->slot[j])) != 0)
				*err = b->slot[j].err;
		}
		release(k, b, rc != 0);
		if (rc != 0)
			return -1;
		if (last)
			return 0;
	}
}

int
bulk_run(const struct catalog *cat, bulk_produce_fn produce, void *parg,
    bulk_consume_fn consume, void *carg, struct lf_error *err)
{
	struct bulk k;
	pthread_t th;
	int rc;

	memset(&k, 0, sizeof(k));
	k.produce = produce;
	k.parg = parg;
	if ((k.b = batches_new(cat)) == NULL)
		return lf_error_set(err, "no_memory", "", "内存不足 (out of "
		    "memory)");
	pthread_mutex_init(&k.mu, NULL);
	pthread_cond_init(&k.cv, NULL);
	if (pthread_create(&th, NULL, producer, &k) != 0) {
		rc = lf_error_set(err, "thread", "", "无法创建线程 (cannot "
		    "start a thread)");
		goto out;
	}
	rc = consume_all(&k, consume, carg, err);
	pthread_join(th, NULL);
out:
	pthread_cond_destroy(&k.cv);
	pthread_mutex_destroy(&k.mu);
	batches_free(k.b);
	return rc;
}

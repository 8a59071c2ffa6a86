/*
 * bulk.c - the three-stage ring behind bulk.h.
 *
 * Batches go round a ring of NBATCH: FREE -> PRODUCED (the producer
 * thread) -> PREPARING -> READY (a preparer thread) -> FREE (the
 * consumer, in ring order). Batch seq numbers are handed out by the
 * producer in order, preparers take them in that order (each takes the
 * next one), and the consumer reads them in that order too, so output
 * order is input order however the preparers interleave.
 */
#include "bulk/bulk.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "lib/mem.h"

#define NBATCH		8
#define BATCH		256
#define PREP_MAX	8	/* preparer threads at most */

enum bstate { B_FREE, B_PRODUCED, B_PREPARING, B_READY };

struct batch {
	struct bulk_slot	 slot[BATCH];
	size_t			 n;
	enum bstate		 state;
	int			 last;		/* end of input or fatal */
	int			 fatal;		/* slot[n - 1].err says why */
};

struct bulk {
	struct batch		*b;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 stop;		/* consumer gave up */
	int			 produced_all;	/* producer wrote its last */
	size_t			 nproduced;	/* batches produced */
	size_t			 next_prep;	/* next batch to prepare */
	const struct catalog	*cat;
	bulk_produce_fn		 produce;
	bulk_prepare_fn		 prepare;
	void			*parg;
	int			 reader;	/* bulk_run_read(): slots
						   carry sealed and out */
};

static void
batches_free(struct batch *b)
{
	size_t i, j;

	for (i = 0; b != NULL && i < NBATCH; i++)
		for (j = 0; j < BATCH; j++) {
			record_free(b[i].slot[j].r);
			store_prep_free(b[i].slot[j].prep);
			store_sealed_free(b[i].slot[j].sealed);
			buf_free(&b[i].slot[j].out);
			buf_free(&b[i].slot[j].scratch);
			mem_free(b[i].slot[j].raw);
		}
	mem_free(b);
}

/* Slots get their record and prep (or, reading, their sealed values and
 * output buffer) on first use, so a small input costs little (and an
 * allocation-failure sweep over one stays short). */
static int
slot_ready(struct bulk *k, struct bulk_slot *s)
{
	if (s->r == NULL)
		s->r = record_new(k->cat);
	if (!k->reader && s->prep == NULL)
		s->prep = store_prep_new(k->cat);
	if (k->reader && s->sealed == NULL) {
		s->sealed = store_sealed_new(k->cat);
		buf_init(&s->out, BULK_OUT_MAX);
		buf_init(&s->scratch, BULK_OUT_MAX);
	}
	if (s->r != NULL && (k->reader ? s->sealed != NULL : s->prep != NULL))
		return 0;
	lf_error_nomem(&s->err);
	return -1;
}

/* Sets batch b's state and wakes every waiter. */
static void
set_state(struct bulk *k, struct batch *b, enum bstate st)
{
	pthread_mutex_lock(&k->mu);
	b->state = st;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

/* Waits until batch b is free for the producer; 0, or -1 when stopped. */
static int
wait_free(struct bulk *k, struct batch *b)
{
	int stop;

	pthread_mutex_lock(&k->mu);
	while (b->state != B_FREE && !k->stop)
		pthread_cond_wait(&k->cv, &k->mu);
	stop = k->stop;
	pthread_mutex_unlock(&k->mu);
	return stop ? -1 : 0;
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
		rc = slot_ready(k, s) != 0 ? -1 : k->produce(k->parg, s);
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
		struct batch *b = &k->b[i % NBATCH];

		if (wait_free(k, b) != 0)
			break;
		b->last = b->fatal = 0;
		more = fill(k, b);
		pthread_mutex_lock(&k->mu);
		b->state = B_PRODUCED;
		k->nproduced = ++i;
		k->produced_all = !more;
		pthread_cond_broadcast(&k->cv);
		pthread_mutex_unlock(&k->mu);
	}
	pthread_mutex_lock(&k->mu);
	k->produced_all = 1;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

/* Takes the next produced batch for preparing; NULL when none will come. */
static struct batch *
take_produced(struct bulk *k)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&k->mu);
	while (!k->stop && k->next_prep == k->nproduced && !k->produced_all)
		pthread_cond_wait(&k->cv, &k->mu);
	if (!k->stop && k->next_prep < k->nproduced) {
		b = &k->b[k->next_prep++ % NBATCH];
		b->state = B_PREPARING;
	}
	pthread_mutex_unlock(&k->mu);
	return b;
}

/* Prepares the good slots of b; a fatal failure ends the batch there. */
static void
prepare_batch(struct bulk *k, struct batch *b)
{
	size_t j, n = b->fatal ? b->n - 1 : b->n;

	for (j = 0; j < n; j++) {
		if (b->slot[j].failed)
			continue;
		if (k->prepare(k->parg, &b->slot[j]) != 0) {
			b->n = j + 1;
			b->fatal = b->last = 1;
			return;
		}
	}
}

static void *
preparer(void *arg)
{
	struct bulk *k = arg;
	struct batch *b;

	while ((b = take_produced(k)) != NULL) {
		if (k->prepare != NULL)
			prepare_batch(k, b);
		set_state(k, b, B_READY);
	}
	return NULL;
}

/* Waits for batch b to be ready. */
static void
wait_ready(struct bulk *k, struct batch *b)
{
	pthread_mutex_lock(&k->mu);
	while (b->state != B_READY)
		pthread_cond_wait(&k->cv, &k->mu);
	pthread_mutex_unlock(&k->mu);
}

static void
release(struct bulk *k, struct batch *b, int stop)
{
	pthread_mutex_lock(&k->mu);
	b->state = B_FREE;
	if (stop)
		k->stop = 1;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

/* Consumes batches in order; 0 at the end of input, -1 when stopped. */
static int
consume_all(struct bulk *k, bulk_ahead_fn ahead, bulk_consume_fn consume,
    void *carg, struct lf_error *err)
{
	size_t i = 0, j;

	for (;;) {
		struct batch *b = &k->b[i++ % NBATCH];
		int last, rc = 0;

		wait_ready(k, b);
		last = b->last;
		if (ahead != NULL)
			rc = ahead(carg, b->slot, b->fatal ? b->n - 1 : b->n,
			    err);
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

/* Preparer threads: one per processor, within 1..PREP_MAX. */
static size_t
preparers_wanted(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > PREP_MAX ? PREP_MAX : (size_t)n;
}

static int
run(const struct catalog *cat, int reader, bulk_produce_fn produce,
    bulk_prepare_fn prepare, void *parg, bulk_ahead_fn ahead,
    bulk_consume_fn consume, void *carg, struct lf_error *err)
{
	struct bulk k;
	pthread_t th[1 + PREP_MAX];
	size_t i, nth = 0, want = 1 + preparers_wanted();
	int rc = 0;

	memset(&k, 0, sizeof(k));
	k.reader = reader;
	k.produce = produce;
	k.prepare = prepare;
	k.parg = parg;
	k.cat = cat;
	if ((k.b = mem_calloc(NBATCH, sizeof(*k.b))) == NULL)
		return lf_error_nomem(err);
	pthread_mutex_init(&k.mu, NULL);
	pthread_cond_init(&k.cv, NULL);
	for (nth = 0; nth < want; nth++)
		if (pthread_create(&th[nth], NULL, nth ? preparer : producer,
		    &k) != 0)
			break;
	if (nth < 2) {
		rc = lf_error_set(err, "thread", "", "无法创建线程 (cannot "
		    "start a thread)");
		release(&k, &k.b[0], 1);
	} else
		rc = consume_all(&k, ahead, consume, carg, err);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_cond_destroy(&k.cv);
	pthread_mutex_destroy(&k.mu);
	batches_free(k.b);
	return rc;
}

int
bulk_run(const struct catalog *cat, bulk_produce_fn produce,
    bulk_prepare_fn prepare, void *parg, bulk_consume_fn consume,
    void *carg, struct lf_error *err)
{
	return run(cat, 0, produce, prepare, parg, NULL, consume, carg, err);
}

int
bulk_run_ahead(const struct catalog *cat, bulk_produce_fn produce,
    bulk_prepare_fn prepare, void *parg, bulk_ahead_fn ahead,
    bulk_consume_fn consume, void *carg, struct lf_error *err)
{
	return run(cat, 0, produce, prepare, parg, ahead, consume, carg, err);
}

int
bulk_run_read(const struct catalog *cat, bulk_produce_fn produce,
    bulk_prepare_fn prepare, void *parg, bulk_consume_fn consume,
    void *carg, struct lf_error *err)
{
	return run(cat, 1, produce, prepare, parg, NULL, consume, carg, err);
}

int
bulk_write_ahead(struct store *s, struct bulk_slot *slots, size_t n,
    struct lf_error *err)
{
	const struct store_prep **preps;
	size_t i, k = 0;
	int rc;

	if (n == 0)
		return 0;
	if ((preps = mem_calloc(n, sizeof(*preps))) == NULL)
		return lf_error_nomem(err);
	for (i = 0; i < n; i++)
		if (!slots[i].failed)
			preps[k++] = slots[i].prep;
	rc = store_write_ahead(s, preps, k, err);
	mem_free(preps);
	return rc;
}

/*
 * plan_build_all.c - plan_build_all(): every plan of a year, fast.
 *
 * Two threads. The reader has its own read-only connection
 * (store/plan_rows.h's plan_scan) and pages
 * through the year's surveys in person order, PAGE persons a query (no
 * read transaction stays open long, so the WAL can be checkpointed). It
 * decodes only the items that are not secret (nothing to decrypt: rules
 * read no secret item), runs the planner without explanations, and picks
 * up last year's items to carry for the same persons with one range
 * query on the small partial index items_carry. Batches travel through a
 * ring of NBATCH slots to the calling thread, which merges them on the
 * store's connection (build_merge) in bulk transactions of CHUNK persons
 * (plan_bulk: foreign-key checks off), new items 32 rows to a
 * statement. A plan made
 * now takes pure inserts, so a first build reads no items at all; when a
 * batch's persons have no plan of the year yet, their plans too are
 * written 64 to a statement with ids the merger assigns (it holds the
 * write lock). Memory is the ring's, whatever the number of persons.
 *
 * Durability: the chunk commits run with synchronous=NORMAL (the WAL is
 * not fsynced at each of them); when the last has committed, the WAL is
 * fsynced (the store's own level, FULL), which makes every frame before
 * durable, and only then does plan_build_all() return.
 * A crash during the build leaves a consistent database holding the
 * chunks that reached the disk; running the build again completes it
 * (it is idempotent).
 *
 * Measured (2 cores, docs/performance.md): 1,000,000 persons and 9.5
 * million items in 28 s, the province's 3.5 million persons and 33.4
 * million items in 103 s; a second run, which only compares, in about
 * half that.
 */
#include "plan/plan_build_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lib/mem.h"

#define NBATCH		4
#ifndef LF_TESTING
#define PAGE		512
#define CHUNK		20000
#else
/* small, so that the unit tests go round the ring and commit chunks */
#define PAGE		16
#define CHUNK		40
#endif

struct slot {
	struct build_batch	 b;
	int			 full;		/* ready for the merger */
	int			 last;		/* end of input or fatal */
	int			 fatal;		/* err says why */
	struct lf_error		 err;
};

struct reader {
	struct store		*s;
	const struct policies	*ps;
	const struct disaster	*dis;
	int			 year;
	struct plan_scan	*sc;
	struct planner_result	 res;
	int64_t			 after;		/* last person read */
	struct build_batch	*b;		/* being filled */
	struct build_job	*j;		/* read_cands: the job */
	struct lf_error		*err;		/* of the batch being filled */
	struct slot		 slot[NBATCH];
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 stop;
};

static void
reader_close(struct reader *rd)
{
	size_t i;

	plan_scan_close(rd->sc);
	planner_result_free(&rd->res);
	for (i = 0; i < NBATCH; i++)
		build_batch_free(&rd->slot[i].b);
}

/* ---- the reader's work --------------------------------------------- */

/* plan_survey_fn: plans the survey into the batch. */
static int
plan_row(void *arg, int64_t person_id, const char *region,
    const struct record *r)
{
	struct reader *rd = arg;

	return build_job_plan(rd->b, rd->ps, rd->dis, person_id, region, r,
	    rd->year, &rd->res, rd->err);
}

/* plan_carry_fn: gives the item to carry to its person's job. */
static int
cand_row(void *arg, const struct plan_carry *c)
{
	struct reader *rd = arg;
	struct build_batch *b = rd->b;
	struct build_job *end = b->jobs + b->njobs;

	while (rd->j < end && rd->j->person_id < c->person_id)
		rd->j++;
	if (rd->j == end || rd->j->person_id != c->person_id)
		return 0;
	if (rd->j->ncand == 0)
		rd->j->cand0 = b->ncands;
	if (build_cand_add(b, c, rd->err) != 0)
		return -1;
	rd->j->ncand++;
	return 0;
}

/* Fills a batch with the next page: 1 when more may follow, 0 at the
 * end, -1 on error (err set). */
static int
fill(struct reader *rd, struct build_batch *b, struct lf_error *err)
{
	int64_t from = rd->after;
	int n;

	rd->b = b;
	rd->err = err;
	if (plan_scan_page(rd->sc, rd->after, PAGE, plan_row, rd, &n,
	    &rd->after, err) != 0)
		return -1;
	rd->j = b->jobs;
	if (n > 0 && plan_scan_any_carry(rd->sc) &&
	    plan_scan_carry(rd->sc, from, rd->after, cand_row, rd, err) != 0)
		return -1;
	return n == PAGE;
}

/* ---- the ring ------------------------------------------------------ */

static int
wait_free(struct reader *rd, struct slot *sl)
{
	int stop;

	pthread_mutex_lock(&rd->mu);
	while (sl->full && !rd->stop)
		pthread_cond_wait(&rd->cv, &rd->mu);
	stop = rd->stop;
	pthread_mutex_unlock(&rd->mu);
	return stop ? -1 : 0;
}

static void
publish(struct reader *rd, struct slot *sl)
{
	pthread_mutex_lock(&rd->mu);
	sl->full = 1;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
}

static void *
reader_main(void *arg)
{
	struct reader *rd = arg;
	struct slot *sl;
	size_t i = 0;
	int more = 1;

	while (more) {
		sl = &rd->slot[i++ % NBATCH];
		if (wait_free(rd, sl) != 0)
			break;
		build_batch_clear(&sl->b);
		lf_error_clear(&sl->err);
		more = fill(rd, &sl->b, &sl->err);
		sl->fatal = more < 0;
		sl->last = more <= 0;
		publish(rd, sl);
	}
	return NULL;
}

static void
wait_full(struct reader *rd, struct slot *sl)
{
	pthread_mutex_lock(&rd->mu);
	while (!sl->full)
		pthread_cond_wait(&rd->cv, &rd->mu);
	pthread_mutex_unlock(&rd->mu);
}

static void
release(struct reader *rd, struct slot *sl, int stop)
{
	pthread_mutex_lock(&rd->mu);
	sl->full = 0;
	if (stop)
		rd->stop = 1;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
}

/* Tells the reader to stop (it may be waiting for a free slot). */
static void
halt(struct reader *rd)
{
	pthread_mutex_lock(&rd->mu);
	rd->stop = 1;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
}

/* ---- the merger's side --------------------------------------------- */

struct progress_cb {
	void		(*fn)(void *arg, int64_t done, int64_t total);
	void		*arg;
	int64_t		 total;
};

/* Merges one slot's jobs; 1 when it was the last. */
static int
merge_slot(struct build_merger *m, struct slot *sl, struct lf_error *err)
{
	size_t j;

	if (sl->fatal) {
		*err = sl->err;
		return -1;
	}
	if (sl->b.njobs > 0 && build_merger_fresh(m, sl->b.jobs[0].person_id,
	    sl->b.jobs[sl->b.njobs - 1].person_id, err) != 0)
		return -1;
	for (j = 0; j < sl->b.njobs; j++)
		if (build_merge(m, &sl->b, &sl->b.jobs[j], err) != 0)
			return -1;
	/* the rows point into the batch: written before it is given back */
	if (build_merger_flush(m, err) != 0)
		return -1;
	return sl->last;
}

/* Merges every slot in bulk transactions of CHUNK persons; the last is
 * left for plan_bulk_end() to commit. */
static int
merge_all(struct reader *rd, struct build_merger *m, struct plan_bulk *bk,
    const struct progress_cb *pg, struct lf_error *err)
{
	int64_t done = 0, chunk = 0;
	struct slot *sl;
	size_t i = 0;
	int rc;

	for (;;) {
		sl = &rd->slot[i++ % NBATCH];
		wait_full(rd, sl);
		rc = merge_slot(m, sl, err);
		done += (int64_t)sl->b.njobs;
		chunk += (int64_t)sl->b.njobs;
		release(rd, sl, rc < 0);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			if (pg->fn != NULL)
				pg->fn(pg->arg, done, pg->total);
			return 0;
		}
		if (chunk >= CHUNK && plan_bulk_chunk(bk, err) != 0)
			return -1;
		if (pg->fn != NULL)
			pg->fn(pg->arg, done, pg->total);
		chunk = chunk >= CHUNK ? 0 : chunk;
	}
}

static int
run(struct reader *rd, struct build_merger *m, struct progress_cb *pg,
    struct lf_error *err)
{
	struct plan_bulk *bk = NULL;
	pthread_t th;
	int rc;

	if (pg->fn != NULL && plan_scan_count(rd->sc, &pg->total, err) != 0)
		return -1;
	if (pthread_create(&th, NULL, reader_main, rd) != 0)
		return lf_error_set(err, "thread", "", "无法创建线程 (cannot "
		    "start a thread)");
	rc = plan_bulk_begin(rd->s, &bk, err);
	if (rc == 0)
		rc = merge_all(rd, m, bk, pg, err);
	rc = plan_bulk_end(bk, rc, err);
	if (rc != 0)
		halt(rd);
	pthread_join(th, NULL);
	return rc;
}

int
plan_build_all(struct store *s, const struct policies *ps,
    const struct disaster *dis, int year, const struct region *in,
    const char *actor, void (*progress)(void *arg, int64_t done,
    int64_t total), void *arg, struct plan_build_stats *stats,
    struct lf_error *err)
{
	struct plan_build_stats local;
	struct progress_cb pg = { progress, arg, 0 };
	struct build_merger *m = NULL;
	struct reader *rd;
	int rc = -1;

	if (year < PLAN_YEAR_MIN || year > PLAN_YEAR_MAX)
		return lf_error_set(err, "invalid", "year", "年度无效 (year %d "
		    "is out of range)", year);
	if ((rd = mem_calloc(1, sizeof(*rd))) == NULL)
		return lf_error_nomem(err);
	memset(&local, 0, sizeof(local));
	rd->s = s;
	rd->ps = ps;
	rd->dis = dis;
	rd->year = year;
	planner_result_init(&rd->res);
	pthread_mutex_init(&rd->mu, NULL);
	pthread_cond_init(&rd->cv, NULL);
	if ((m = build_merger_new(s, year, actor, 1, stats != NULL ? stats :
	    &local)) == NULL)
		lf_error_nomem(err);
	else if (plan_scan_open(s, year, in, &rd->sc, err) == 0)
		rc = run(rd, m, &pg, err);
	build_merger_free(m);
	reader_close(rd);
	pthread_cond_destroy(&rd->cv);
	pthread_mutex_destroy(&rd->mu);
	mem_free(rd);
	return rc;
}

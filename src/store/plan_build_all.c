/*
 * plan_build_all.c - plan_build_all(): every plan of a year, fast.
 *
 * Two threads. The reader has its own read-only connection and pages
 * through the year's surveys in person order, PAGE persons a query (no
 * read transaction stays open long, so the WAL can be checkpointed). It
 * decodes only the items that are not secret (nothing to decrypt: rules
 * read no secret item), runs the planner without explanations, and picks
 * up last year's items to carry for the same persons with one range
 * query on the small partial index items_carry. Batches travel through a
 * ring of NBATCH slots to the calling thread, which merges them on the
 * store's connection (build_merge) in bulk transactions of CHUNK persons,
 * foreign-key checks off, new items 32 rows to a statement. A plan made
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
#include "store/plan_int.h"
#include "store/store_ckpt.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

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
	struct store		*s;	/* only for fieldio_read's signature:
					   no secret item is read */
	const struct catalog	*cat;
	const struct policies	*ps;
	const struct disaster	*dis;
	int			 year, carry, scoped;
	int			 sync;		/* the store's synchronous */
	struct store_ckpt	*ck;		/* during the merge */
	char			 lo[13], hi[13];	/* villages, both in */
	sqlite3			*db;
	sqlite3_stmt		*page, *cand;
	struct record		*r;
	struct planner_result	 res;
	int64_t			 after;		/* last person read */
	struct slot		 slot[NBATCH];
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 stop;
};

static int
db_error(sqlite3 *db, const char *what, struct lf_error *err)
{
	return lf_error_set(err, "store", "", "数据库错误 (database error in "
	    "%s): %s", what, db != NULL ? sqlite3_errmsg(db) : "no handle");
}

/* ---- the reader's queries ------------------------------------------ */

/* "SELECT person, village, <items that are not secret> ... ": the page
 * of persons after ?2, in order. */
static int
page_sql(const struct reader *rd, struct buf *b)
{
	size_t i;

	if (buf_adds(b, "SELECT s.person_id, p.region") != 0)
		return -1;
	for (i = 0; i < rd->cat->nfields; i++)
		if (!rd->cat->fields[i].secret &&
		    buf_addf(b, ", s.%s", rd->cat->fields[i].code) != 0)
			return -1;
	if (buf_adds(b, " FROM surveys s JOIN persons p ON p.id = "
	    "s.person_id WHERE s.year = ?1 AND s.person_id > ?2") != 0)
		return -1;
	if (rd->scoped && buf_adds(b, " AND p.region >= ?3 AND p.region <= "
	    "?4") != 0)
		return -1;
	return buf_adds(b, " ORDER BY s.person_id LIMIT ?5");
}

static int
prepare(struct reader *rd, const char *sql, sqlite3_stmt **st,
    struct lf_error *err)
{
	if (sqlite3_prepare_v3(rd->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK)
		return db_error(rd->db, "plan build", err);
	return 0;
}

/* One row of the query sql with an int parameter: its first column. */
static int
query_int(struct reader *rd, const char *sql, int64_t p1, int64_t *out,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if (sqlite3_prepare_v2(rd->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(rd->db, "plan build", err);
	sqlite3_bind_int64(st, 1, p1);
	if (rd->scoped) {
		sqlite3_bind_text(st, 3, rd->lo, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, rd->hi, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    db_error(rd->db, "plan build", err);
}

/* code (up to 12 digits) padded with c to 12 characters. */
static void
pad(char out[13], const char *code, char c)
{
	size_t n = strnlen(code, 12);

	memcpy(out, code, n);
	memset(out + n, c, 12 - n);
	out[12] = '\0';
}

static int
reader_open(struct reader *rd, const struct region *in, struct lf_error *err)
{
	const char *path = sqlite3_db_filename(rd->s->db, "main");
	struct buf sql;
	int64_t any;
	int rc;

	if (in != NULL) {
		rd->scoped = 1;
		pad(rd->lo, in->code, '0');
		pad(rd->hi, in->code, '9');
	}
	if (path == NULL || path[0] == '\0' || sqlite3_open_v2(path, &rd->db,
	    SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return db_error(rd->db, "plan build open", err);
	sqlite3_busy_timeout(rd->db, 10000);
	sqlite3_exec(rd->db, "PRAGMA cache_size=-65536", NULL, NULL, NULL);
	if (query_int(rd, "SELECT 1 FROM items INDEXED BY items_carry WHERE "
	    "year = ?1 AND " PLAN_CARRY_WHERE " LIMIT 1", rd->year - 1, &any,
	    err) != 0)
		return -1;
	rd->carry = any != 0;
	buf_init(&sql, 1 << 16);
	rc = page_sql(rd, &sql) != 0 ? lf_error_nomem(err) : prepare(rd,
	    buf_str(&sql), &rd->page, err);
	buf_free(&sql);
	if (rc != 0 || prepare(rd, "SELECT " PLAN_CAND_COLS " FROM items "
	    "INDEXED BY items_carry WHERE year = ?1 AND person_id > ?2 AND "
	    "person_id <= ?3 AND "
	    PLAN_CARRY_WHERE " ORDER BY person_id, seq", &rd->cand, err) != 0)
		return -1;
	if ((rd->r = record_new(rd->cat)) == NULL)
		return lf_error_nomem(err);
	return 0;
}

static void
reader_close(struct reader *rd)
{
	size_t i;

	sqlite3_finalize(rd->page);
	sqlite3_finalize(rd->cand);
	sqlite3_close(rd->db);
	record_free(rd->r);
	planner_result_free(&rd->res);
	for (i = 0; i < NBATCH; i++)
		build_batch_free(&rd->slot[i].b);
}

/* Persons of the year in scope, for progress. */
static int
count_persons(struct reader *rd, int64_t *n, struct lf_error *err)
{
	return query_int(rd, rd->scoped ? "SELECT count(*) FROM surveys s "
	    "JOIN persons p ON p.id = s.person_id WHERE s.year = ?1 AND "
	    "p.region >= ?3 AND p.region <= ?4" : "SELECT count(*) FROM "
	    "surveys WHERE year = ?1", rd->year, n, err);
}

/* ---- the reader's work --------------------------------------------- */

/* Decodes the row's survey and plans it into the batch. */
static int
plan_row(struct reader *rd, struct build_batch *b, struct lf_error *err)
{
	sqlite3_stmt *st = rd->page;
	char region[13];
	struct expr_ctx ctx;
	size_t i;
	int col = 2;

	store_copy_col(st, 1, region, sizeof(region));
	for (i = 0; i < rd->cat->nfields; i++)
		if (!rd->cat->fields[i].secret &&
		    fieldio_read(rd->s, st, &col, rd->r, &rd->cat->fields[i],
		    "", rd->year, err) != 0)
			return -1;
	planner_ctx(rd->r, rd->year, region, rd->dis, &ctx);
	if (planner_propose(rd->ps, rd->r, &ctx, 0, &rd->res, err) != 0)
		return -1;
	return build_job_add(b, sqlite3_column_int64(st, 0), region, &ctx,
	    &rd->res, err);
}

/* Last year's items to carry of the persons in (from, rd->after]. */
static int
read_cands(struct reader *rd, struct build_batch *b, int64_t from,
    struct lf_error *err)
{
	sqlite3_stmt *st = rd->cand;
	struct build_job *j = b->jobs, *end = b->jobs + b->njobs;
	int64_t pid;
	int rc;

	sqlite3_bind_int(st, 1, rd->year - 1);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, rd->after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pid = sqlite3_column_int64(st, 1);
		while (j < end && j->person_id < pid)
			j++;
		if (j == end || j->person_id != pid)
			continue;
		if (j->ncand == 0)
			j->cand0 = b->ncands;
		if (build_cand_add(b, st, err) != 0) {
			sqlite3_reset(st);
			return -1;
		}
		j->ncand++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(rd->db, "carry", err);
}

/* Fills a batch with the next page: 1 when more may follow, 0 at the
 * end, -1 on error (err set). */
static int
fill(struct reader *rd, struct build_batch *b, struct lf_error *err)
{
	sqlite3_stmt *st = rd->page;
	int64_t from = rd->after;
	int rc, n = 0;

	sqlite3_bind_int(st, 1, rd->year);
	sqlite3_bind_int64(st, 2, rd->after);
	if (rd->scoped) {
		sqlite3_bind_text(st, 3, rd->lo, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, rd->hi, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(st, 5, PAGE);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (plan_row(rd, b, err) != 0) {
			sqlite3_reset(st);
			return -1;
		}
		rd->after = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(rd->db, "plan build scan", err);
	if (n > 0 && rd->carry && read_cands(rd, b, from, err) != 0)
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

/* Sets the connection's synchronous level (0..3), outside a
 * transaction. */
static int
sync_set(struct store *s, int level, struct lf_error *err)
{
	if (store_pragma_set(s->db, "synchronous", level) != SQLITE_OK)
		return store_sqlite_error(s, "synchronous", err);
	return 0;
}

/* fsyncs the write-ahead log: every frame committed before is durable
 * when this returns 0. */
static int
wal_sync(struct store *s, struct lf_error *err)
{
	sqlite3_file *f = NULL;

	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER,
	    &f) != SQLITE_OK)
		return store_sqlite_error(s, "wal sync", err);
	if (f == NULL || f->pMethods == NULL)
		return 0;	/* no log open: every commit is in the file */
	if (f->pMethods->xSync(f, SQLITE_SYNC_FULL) != SQLITE_OK)
		return lf_error_set(err, "store", "", "数据库错误 (database "
		    "error in wal sync): fsync failed");
	return 0;
}

/* A bulk transaction: no savepoint per write. (store_begin_bulk() would
 * count the persons at every chunk.) */
static int
bulk_begin(struct store *s, struct lf_error *err)
{
	if (store_begin(s, err) != 0)
		return -1;
	s->bulk = 1;
	return 0;
}

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

static int
merge_all(struct reader *rd, struct build_merger *m,
    const struct progress_cb *pg, struct lf_error *err)
{
	struct store *s = rd->s;
	int64_t done = 0, chunk = 0;
	struct slot *sl;
	size_t i = 0;
	int rc;

	if (bulk_begin(s, err) != 0)
		return -1;
	for (;;) {
		sl = &rd->slot[i++ % NBATCH];
		wait_full(rd, sl);
		rc = merge_slot(m, sl, err);
		done += (int64_t)sl->b.njobs;
		chunk += (int64_t)sl->b.njobs;
		release(rd, sl, rc < 0);
		if (rc < 0)
			break;
		if ((rc == 1 || chunk >= CHUNK) && store_commit(s, err) != 0) {
			rc = -1;
			break;
		}
		if (pg->fn != NULL)
			pg->fn(pg->arg, done, pg->total);
		if (rc == 1)
			return 0;
		if (chunk >= CHUNK && (store_ckpt_restart(rd->ck, err) != 0 ||
		    bulk_begin(s, err) != 0))
			return -1;
		chunk = chunk >= CHUNK ? 0 : chunk;
	}
	store_rollback(s);
	return -1;
}

/*
 * The merge runs with foreign keys off: every row it writes refers to a
 * plan it has just read or made, of a person it has just read, and the
 * checks cost a fifth of its time. They are on again when it ends.
 */
static int
merge_unchecked(struct reader *rd, struct build_merger *m,
    const struct progress_cb *pg, struct lf_error *err)
{
	int fk = (int)store_pragma_get(rd->s->db, "foreign_keys", 0), rc;
	struct lf_error e2;

	rd->sync = (int)store_pragma_get(rd->s->db, "synchronous", 2);
	if (fk && store_pragma_set(rd->s->db, "foreign_keys", 0) !=
	    SQLITE_OK)
		return store_sqlite_error(rd->s, "foreign keys", err);
	rc = rd->sync > 1 ? sync_set(rd->s, 1, err) : 0;
	if (rc == 0)
		rc = store_ckpt_start(rd->s, &rd->ck, err);
	if (rc == 0)
		rc = merge_all(rd, m, pg, err);
	store_ckpt_stop(rd->ck);
	rd->ck = NULL;
	if ((sync_set(rd->s, rd->sync, &e2) != 0 || (rd->sync > 1 &&
	    wal_sync(rd->s, &e2) != 0)) && rc == 0) {
		*err = e2;
		rc = -1;
	}
	if (fk && store_pragma_set(rd->s->db, "foreign_keys", 1) !=
	    SQLITE_OK && rc == 0)
		rc = store_sqlite_error(rd->s, "foreign keys", err);
	return rc;
}

static int
run(struct reader *rd, struct build_merger *m, struct progress_cb *pg,
    struct lf_error *err)
{
	pthread_t th;
	int rc;

	if (pg->fn != NULL && count_persons(rd, &pg->total, err) != 0)
		return -1;
	if (pthread_create(&th, NULL, reader_main, rd) != 0)
		return lf_error_set(err, "thread", "", "无法创建线程 (cannot "
		    "start a thread)");
	rc = merge_unchecked(rd, m, pg, err);
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
	rd->cat = s->cat;
	rd->ps = ps;
	rd->dis = dis;
	rd->year = year;
	planner_result_init(&rd->res);
	pthread_mutex_init(&rd->mu, NULL);
	pthread_cond_init(&rd->cv, NULL);
	if ((m = build_merger_new(s, year, actor, 1, stats != NULL ? stats :
	    &local)) == NULL)
		lf_error_nomem(err);
	else if (reader_open(rd, in, err) == 0)
		rc = run(rd, m, &pg, err);
	build_merger_free(m);
	reader_close(rd);
	pthread_cond_destroy(&rd->cv);
	pthread_mutex_destroy(&rd->mu);
	mem_free(rd);
	return rc;
}

/*
 * stats_load.c - the statistics engine filled from the database and kept
 * current (stats_load.h).
 *
 * Two statements do all the reading, over a range of person ids: the
 * person statement joins each person to the year's survey and plan and
 * selects the survey's non-secret columns only, so nothing is decrypted;
 * the item statement reads the year's items of the same persons in
 * person order, and is merged with the first. Rows are decoded into
 * batches of persons (a record and the items of each), and a batch is
 * handed to the engine in one go.
 *
 * Decoding costs more than the engine, so a load reads with several
 * threads: each opens its own read-only connection and takes ranges of
 * person ids in turn, while the calling thread hands full batches to the
 * engine (which is not thread-safe and sees one caller only). A load
 * inside the caller's transaction, of a database without a file, or
 * whose connections cannot be opened, reads on the store's connection,
 * on the calling thread. A refresh reads one person's range on
 * statements prepared once per connection.
 */
#include "stats/stats_load.h"
#include "lib/hash.h"
#include "store/store_int.h"
#include "store/pg/pg_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/date.h"
#include "core/dept.h"
#include "lib/mem.h"

#define BATCH		256		/* persons a batch */
#define MAX_READERS	4		/* reading threads */
#define CHUNKS_PER	8		/* id ranges per reader */
#define PROGRESS_EVERY	16384		/* persons between progress calls */
#define LOAD_CACHE_KIB	65536		/* page cache while loading */

/* Columns of the person statement, the last the packed survey record. */
enum { PC_ID, PC_REGION, PC_STATUS, PC_SURVEY, PC_PLAN, PC_FIELDS };

/* Columns of the item statement. */
enum { IC_PERSON, IC_POLICY, IC_DEPT, IC_DECISION, IC_STATUS, IC_EFFECT,
	IC_MONTH, IC_PLANNED, IC_SPENT, IC_NEEDS };
#define ITEM_SQL	"SELECT person_id, policy, dept, decision, status, " \
	"effect, month, funds_planned, funds_spent, needs FROM items WHERE " \
	"year = ?1 AND person_id >= ?2 AND person_id < ?3 ORDER BY " \
	"person_id, seq"

#define PERSON_TAIL	" FROM persons p LEFT JOIN surveys v ON v.person_id" \
	" = p.id AND v.year = ?1 LEFT JOIN plans pl ON pl.person_id = p.id " \
	"AND pl.year = ?1 WHERE p.id >= ?2 AND p.id < ?3 ORDER BY p.id"

/* ---- codes ---------------------------------------------------------- */

/* Codes (policy or department) to indices: open addressing over a
 * power-of-two table at most half full. */
struct code_map {
	const char	**code;
	int		 *index;
	size_t		  mask;
};

/* What decoding needs, shared read-only by the readers. */
struct codes {
	const struct catalog	*cat;
	const struct packrec_set *packs;	/* the store's record versions */
	struct code_map		 pol, dept;
};

static int
map_init(struct code_map *m, size_t n)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	m->mask = size - 1;
	m->code = mem_calloc(size, sizeof(*m->code));
	m->index = mem_calloc(size, sizeof(*m->index));
	return m->code == NULL || m->index == NULL ? -1 : 0;
}

static void
map_put(struct code_map *m, const char *code, int index)
{
	size_t h = lf_hash_str(code) & m->mask;

	while (m->code[h] != NULL && strcmp(m->code[h], code) != 0)
		h = (h + 1) & m->mask;
	m->code[h] = code;
	m->index[h] = index;
}

/* The index of code, -1 when unknown, NULL or "". */
static int
map_get(const struct code_map *m, const char *code)
{
	size_t h;

	if (code == NULL || *code == '\0')
		return -1;
	h = lf_hash_str(code) & m->mask;
	while (m->code[h] != NULL) {
		if (strcmp(m->code[h], code) == 0)
			return m->index[h];
		h = (h + 1) & m->mask;
	}
	return -1;
}

static void
codes_free(struct codes *c)
{
	mem_free(c->pol.code);
	mem_free(c->pol.index);
	mem_free(c->dept.code);
	mem_free(c->dept.index);
}

static int
codes_init(struct codes *c, const struct store *s,
    const struct policies *ps, struct lf_error *err)
{
	size_t i, nd = dept_count();

	memset(c, 0, sizeof(*c));
	c->cat = s->cat;
	c->packs = s->packs;
	if (map_init(&c->pol, ps->n) != 0 || map_init(&c->dept, nd) != 0) {
		codes_free(c);
		return lf_error_nomem(err);
	}
	for (i = 0; i < ps->n; i++)
		map_put(&c->pol, ps->v[i].code, (int)i);
	for (i = 0; i < nd; i++)
		map_put(&c->dept, dept_get(i)->code, (int)i);
	return 0;
}

/* ---- batches -------------------------------------------------------- */

struct bperson {
	int64_t		 id;
	char		 village[13];
	int		 status, plan, surveyed;
	size_t		 item0, nitems;		/* in the batch's items */
};

/* Persons decoded, ready for the engine. Arrays only grow; records are
 * made as slots are first used. */
struct batch {
	const struct catalog	*cat;
	size_t			 n;
	struct bperson		 p[BATCH];
	struct record		*r[BATCH];
	struct stats_item	*items;
	size_t			*need0;		/* items[i]'s first need */
	size_t			 nitems, items_cap, need0_cap;
	int			*needs;
	size_t			 nneeds, needs_cap;
};

static void
batch_free(struct batch *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < BATCH; i++)
		record_free(b->r[i]);
	mem_free(b->items);
	mem_free(b->need0);
	mem_free(b->needs);
	mem_free(b);
}

static struct batch *
batch_new(const struct catalog *cat)
{
	struct batch *b = mem_calloc(1, sizeof(*b));

	if (b != NULL)
		b->cat = cat;
	return b;
}

/* ---- decoding rows -------------------------------------------------- */

static int
corrupt(const struct field *f, int64_t person_id, struct lf_error *err)
{
	return lf_error_set(err, "corrupt", f ? f->code : "", "数据库中的值"
	    "无效 (stored value is invalid: person %lld, %s)",
	    (long long)person_id, f ? f->code : "region");
}

/* The person row's packed survey record into r (what r held is
 * replaced); secret items stay unset, nothing is opened. */
static int
survey_read(const struct codes *c, sqlite3_stmt *st, struct record *r,
    int64_t person_id, struct lf_error *err)
{
	char field[64];

	if (packrec_decode(c->packs, sqlite3_column_blob(st, PC_FIELDS),
	    (size_t)sqlite3_column_bytes(st, PC_FIELDS), r, PACKREC_SKIP, NULL,
	    err) == 0)
		return 0;
	if (strcmp(err->code, "corrupt") != 0)
		return -1;
	snprintf(field, sizeof(field), "%s", err->field);
	return lf_error_set(err, "corrupt", field, "数据库中的值无效 (stored "
	    "value is invalid: person %lld, survey record)",
	    (long long)person_id);
}

/* Appends the need codes of "a,b,c" as field indices (unknown ones
 * skipped). */
static int
needs_add(struct batch *b, const struct catalog *cat, const char *text,
    struct lf_error *err)
{
	const struct field *f;
	const char *p = text, *e;

	while (p != NULL && *p != '\0') {
		e = strchr(p, ',');
		f = catalog_find(cat, p, e ? (size_t)(e - p) : strlen(p));
		if (f != NULL) {
			if (mem_grow(&b->needs, &b->needs_cap, b->nneeds + 1,
			    sizeof(*b->needs), SIZE_MAX) != 0)
				return lf_error_nomem(err);
			b->needs[b->nneeds++] = f->index;
		}
		p = e ? e + 1 : NULL;
	}
	return 0;
}

/* Appends the item v to the batch. */
static int
item_add(struct batch *b, const struct codes *c,
    const struct stats_item_text *v, struct lf_error *err)
{
	struct stats_item *it;

	if (mem_grow(&b->items, &b->items_cap, b->nitems + 1,
	    sizeof(*b->items), SIZE_MAX) != 0 || mem_grow(&b->need0,
	    &b->need0_cap, b->nitems + 1, sizeof(*b->need0), SIZE_MAX) != 0)
		return lf_error_nomem(err);
	it = &b->items[b->nitems];
	memset(it, 0, sizeof(*it));
	it->policy = map_get(&c->pol, v->policy);
	it->dept = map_get(&c->dept, v->dept);
	it->decision = v->decision;
	it->status = v->status;
	it->effect = v->effect;
	it->month = v->month;
	if (it->month < 1 || it->month > 12)
		it->month = 12;
	it->planned = v->planned;
	it->spent = v->spent;
	b->need0[b->nitems] = b->nneeds;
	if (needs_add(b, c->cat, v->needs, err) != 0)
		return -1;
	b->nitems++;
	return 0;
}

/* Appends the item of the row to the batch. */
static int
item_row_add(struct batch *b, const struct codes *c, sqlite3_stmt *st,
    struct lf_error *err)
{
	struct stats_item_text v;

	v.policy = (const char *)sqlite3_column_text(st, IC_POLICY);
	v.dept = (const char *)sqlite3_column_text(st, IC_DEPT);
	v.decision = sqlite3_column_int(st, IC_DECISION);
	v.status = sqlite3_column_int(st, IC_STATUS);
	v.effect = sqlite3_column_int(st, IC_EFFECT);
	v.month = sqlite3_column_int(st, IC_MONTH);
	v.planned = sqlite3_column_int64(st, IC_PLANNED);
	v.spent = sqlite3_column_int64(st, IC_SPENT);
	v.needs = (const char *)sqlite3_column_text(st, IC_NEEDS);
	return item_add(b, c, &v, err);
}

/* Points every item of b at its needs (their array has stopped
 * moving). */
static void
items_link(struct batch *b)
{
	size_t j, end;

	for (j = 0; j < b->nitems; j++) {
		end = j + 1 < b->nitems ? b->need0[j + 1] : b->nneeds;
		b->items[j].needs = b->needs + b->need0[j];
		b->items[j].nneeds = end - b->need0[j];
	}
}

/* ---- readers -------------------------------------------------------- */

/* The two statements over one connection, with the item cursor. */
struct reader {
	sqlite3		*db;
	sqlite3_stmt	*pst, *ist;
	int		 irc;		/* the item statement's last step */
	int		 open;		/* a range is being read */
};

/* Starts reading persons [lo, hi) of year. */
static int
reader_range(struct reader *rd, int year, int64_t lo, int64_t hi,
    struct lf_error *err)
{
	sqlite3_stmt *st[2] = { rd->pst, rd->ist };
	int i;

	for (i = 0; i < 2; i++) {
		sqlite3_reset(st[i]);
		sqlite3_bind_int(st[i], 1, year);
		sqlite3_bind_int64(st[i], 2, lo);
		sqlite3_bind_int64(st[i], 3, hi);
	}
	rd->open = 1;
	rd->irc = sqlite3_step(rd->ist);
	if (rd->irc != SQLITE_ROW && rd->irc != SQLITE_DONE)
		return lf_error_set(err, "store", "", "数据库错误 (database "
		    "error in statistics): %s", sqlite3_errmsg(rd->db));
	return 0;
}

/* The person row of pst into slot n of b, with its items from ist. */
static int
person_decode(struct reader *rd, const struct codes *c, struct batch *b,
    struct lf_error *err)
{
	struct bperson *p = &b->p[b->n];
	const char *village;
	int64_t pid;

	p->id = sqlite3_column_int64(rd->pst, PC_ID);
	village = (const char *)sqlite3_column_text(rd->pst, PC_REGION);
	if (village == NULL || strlen(village) != 12)
		return corrupt(NULL, p->id, err);
	memcpy(p->village, village, 13);
	p->status = sqlite3_column_int(rd->pst, PC_STATUS);
	p->surveyed = sqlite3_column_int(rd->pst, PC_SURVEY);
	p->plan = sqlite3_column_int(rd->pst, PC_PLAN);
	if (p->surveyed && b->r[b->n] == NULL &&
	    (b->r[b->n] = record_new(b->cat)) == NULL)
		return lf_error_nomem(err);
	if (p->surveyed && survey_read(c, rd->pst, b->r[b->n], p->id,
	    err) != 0)
		return -1;
	p->item0 = b->nitems;
	while (rd->irc == SQLITE_ROW) {
		pid = sqlite3_column_int64(rd->ist, IC_PERSON);
		if (pid > p->id)
			break;
		if (pid == p->id && item_row_add(b, c, rd->ist, err) != 0)
			return -1;
		rd->irc = sqlite3_step(rd->ist);
	}
	if (rd->irc != SQLITE_ROW && rd->irc != SQLITE_DONE)
		return lf_error_set(err, "store", "", "数据库错误 (database "
		    "error in items): %s", sqlite3_errmsg(rd->db));
	p->nitems = b->nitems - p->item0;
	b->n++;
	return 0;
}

/* Fills b (emptied first) from the open range until it is full or the
 * range ends (rd->open cleared). */
static int
batch_fill(struct reader *rd, const struct codes *c, struct batch *b,
    struct lf_error *err)
{
	int rc;

	b->n = b->nitems = b->nneeds = 0;
	while (rd->open && b->n < BATCH) {
		rc = sqlite3_step(rd->pst);
		if (rc == SQLITE_DONE) {
			rd->open = 0;
			break;
		}
		if (rc != SQLITE_ROW)
			return lf_error_set(err, "store", "", "数据库错误 "
			    "(database error in statistics): %s",
			    sqlite3_errmsg(rd->db));
		if (person_decode(rd, c, b, err) != 0)
			return -1;
	}
	return 0;
}

/* The persons of b to the engine. always: hand the items over even
 * when there are none and no plan (a refresh). */
static int
batch_apply(struct stats *st, struct batch *b, int always,
    struct lf_error *err)
{
	struct bperson *p;
	size_t i;

	items_link(b);
	for (i = 0; i < b->n; i++) {
		p = &b->p[i];
		if (stats_person_set(st, p->id, p->village, p->status,
		    p->surveyed ? b->r[i] : NULL, err) != 0)
			return -1;
		if ((always || p->plan != 0 || p->nitems > 0) &&
		    stats_items_set(st, p->id, p->plan, b->items + p->item0,
		    p->nitems, err) != 0)
			return -1;
	}
	return 0;
}

/* ---- statements ----------------------------------------------------- */

static int
person_sql(const struct catalog *cat, struct buf *b)
{
	(void)cat;
	if (buf_adds(b, "SELECT p.id, p.region, p.status, v.id IS NOT NULL, "
	    "IFNULL(pl.status, 0), v.rec") != 0)
		return -1;
	return buf_adds(b, PERSON_TAIL);
}

/* Prepares both statements on db into rd. */
static int
reader_prepare(struct reader *rd, sqlite3 *db, const struct catalog *cat,
    unsigned flags, struct lf_error *err)
{
	struct buf sql;
	int rc = -1;

	memset(rd, 0, sizeof(*rd));
	rd->db = db;
	buf_init(&sql, 1 << 16);
	if (person_sql(cat, &sql) != 0)
		lf_error_nomem(err);
	else if (sqlite3_prepare_v3(db, buf_str(&sql), -1, flags, &rd->pst,
	    NULL) != SQLITE_OK || sqlite3_prepare_v3(db, ITEM_SQL, -1, flags,
	    &rd->ist, NULL) != SQLITE_OK)
		lf_error_set(err, "store", "", "数据库错误 (database error in "
		    "statistics): %s", sqlite3_errmsg(db));
	else
		rc = 0;
	buf_free(&sql);
	return rc;
}

static void
reader_finalize(struct reader *rd)
{
	sqlite3_finalize(rd->pst);
	sqlite3_finalize(rd->ist);
	rd->pst = rd->ist = NULL;
}

/* ---- transactions and the page cache ------------------------------- */

/* A read transaction of our own when the caller has none: 1 begun, 0
 * joined the caller's, -1 error. */
static int
read_begin(sqlite3 *db, struct lf_error *err)
{
	if (!sqlite3_get_autocommit(db))
		return 0;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return lf_error_set(err, "store", "", "数据库错误 (database "
		    "error in begin): %s", sqlite3_errmsg(db));
	return 1;
}

static void
read_end(sqlite3 *db, int own)
{
	if (own == 1 && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

/* The smallest and one past the largest person id (lo = hi: none). */
static int
id_bounds(sqlite3 *db, int64_t *lo, int64_t *hi, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*lo = *hi = 0;
	if (sqlite3_prepare_v2(db, "SELECT min(id), max(id) FROM persons", -1,
	    &st, NULL) != SQLITE_OK)
		return lf_error_set(err, "store", "", "数据库错误 (database "
		    "error in statistics): %s", sqlite3_errmsg(db));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*lo = sqlite3_column_int64(st, 0);
		*hi = sqlite3_column_int64(st, 1) + 1;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : lf_error_set(err, "store", "", "数据库"
	    "错误 (database error in statistics): %s", sqlite3_errmsg(db));
}

/* ---- loading on one thread ----------------------------------------- */

struct progress_cb {
	void		(*fn)(void *, int64_t, int64_t);
	void		*arg;
	int64_t		 done, total, next;
};

static void
progress_add(struct progress_cb *p, size_t n)
{
	p->done += (int64_t)n;
	if (p->fn != NULL && p->done >= p->next) {
		p->fn(p->arg, p->done, p->total > p->done ? p->total :
		    p->done);
		p->next = p->done + PROGRESS_EVERY;
	}
}

/* Reads [lo, hi) on rd and applies it batch by batch. */
static int
load_inline(struct reader *rd, const struct codes *c, struct stats *st,
    int64_t lo, int64_t hi, struct progress_cb *pcb, struct lf_error *err)
{
	struct batch *b = batch_new(c->cat);
	int rc = -1;

	if (b == NULL)
		return lf_error_nomem(err);
	if (reader_range(rd, stats_year(st), lo, hi, err) != 0)
		goto out;
	while (rd->open) {
		if (batch_fill(rd, c, b, err) != 0 ||
		    batch_apply(st, b, 0, err) != 0)
			goto out;
		progress_add(pcb, b->n);
	}
	rc = 0;
out:
	batch_free(b);
	return rc;
}

/* ---- loading with reader threads ----------------------------------- */

/* Batches go from the free list to a reader, full to the engine's
 * thread, and back. */
struct par {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct batch		*free[2 * MAX_READERS], *full[2 * MAX_READERS];
	size_t			 nfree, nfull;
	int64_t			 lo, hi, step, next;	/* id ranges */
	int			 year, running, stop;
	const struct codes	*codes;
	struct lf_error		 err;		/* the first reader's error */
	int			 failed;
};

struct rthread {
	struct par	*par;
	struct reader	 rd;
	pthread_t	 tid;
	int		 started;
};

/* The next id range, 0 when none is left or the load stops. */
static int
next_range(struct par *pa, int64_t *lo, int64_t *hi)
{
	int more;

	pthread_mutex_lock(&pa->mu);
	more = !pa->stop && pa->next < pa->hi;
	if (more) {
		*lo = pa->next;
		*hi = pa->next + pa->step < pa->hi ? pa->next + pa->step :
		    pa->hi;
		pa->next = *hi;
	}
	pthread_mutex_unlock(&pa->mu);
	return more;
}

/* A free batch, NULL when the load stops. */
static struct batch *
take_free(struct par *pa)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&pa->mu);
	while (!pa->stop && pa->nfree == 0)
		pthread_cond_wait(&pa->cv, &pa->mu);
	if (!pa->stop)
		b = pa->free[--pa->nfree];
	pthread_mutex_unlock(&pa->mu);
	return b;
}

static void
give(struct par *pa, struct batch *b, int full)
{
	pthread_mutex_lock(&pa->mu);
	if (full)
		pa->full[pa->nfull++] = b;
	else
		pa->free[pa->nfree++] = b;
	pthread_cond_broadcast(&pa->cv);
	pthread_mutex_unlock(&pa->mu);
}

static void
reader_fail(struct par *pa, const struct lf_error *err)
{
	pthread_mutex_lock(&pa->mu);
	if (!pa->failed)
		pa->err = *err;
	pa->failed = 1;
	pa->stop = 1;
	pthread_cond_broadcast(&pa->cv);
	pthread_mutex_unlock(&pa->mu);
}

static void *
reader_main(void *arg)
{
	struct rthread *t = arg;
	struct par *pa = t->par;
	struct batch *b = NULL;
	struct lf_error err;
	int64_t lo, hi;

	lf_error_clear(&err);
	while (t->rd.open || next_range(pa, &lo, &hi)) {
		if (!t->rd.open && reader_range(&t->rd, pa->year, lo, hi,
		    &err) != 0)
			break;
		if (b == NULL && (b = take_free(pa)) == NULL)
			break;
		if (batch_fill(&t->rd, pa->codes, b, &err) != 0)
			break;
		if (b->n == BATCH || (!t->rd.open && b->n > 0)) {
			give(pa, b, 1);
			b = NULL;
		}
	}
	if (b != NULL)
		give(pa, b, 0);
	if (err.code != NULL)
		reader_fail(pa, &err);
	pthread_mutex_lock(&pa->mu);
	pa->running--;
	pthread_cond_broadcast(&pa->cv);
	pthread_mutex_unlock(&pa->mu);
	return NULL;
}

/* A full batch, NULL when every reader is done (or the load stops). */
static struct batch *
take_full(struct par *pa)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&pa->mu);
	while (!pa->stop && pa->nfull == 0 && pa->running > 0)
		pthread_cond_wait(&pa->cv, &pa->mu);
	if (!pa->stop && pa->nfull > 0)
		b = pa->full[--pa->nfull];
	pthread_mutex_unlock(&pa->mu);
	return b;
}

static void
par_stop(struct par *pa)
{
	pthread_mutex_lock(&pa->mu);
	pa->stop = 1;
	pthread_cond_broadcast(&pa->cv);
	pthread_mutex_unlock(&pa->mu);
}

/* A read-only connection of its own on the database file, in a read
 * transaction, or NULL. */
static sqlite3 *
reader_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_exec(db, "PRAGMA cache_size = -16384; "
	    "BEGIN; SELECT count(*) FROM persons WHERE id < 0",
	    NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static void
readers_close(struct rthread *t, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		reader_finalize(&t[i].rd);
		sqlite3_close(t[i].rd.db);
	}
}

/* n connections with their statements; 0, 1 when they cannot be had
 * (the caller reads on its own connection), -1 when memory runs out. */
static int
readers_open(struct store *s, struct rthread *t, int n,
    struct lf_error *err)
{
	const char *path = sqlite3_db_filename(s->db, "main");
	sqlite3 *db;
	int i;

	memset(t, 0, (size_t)n * sizeof(*t));
	if (path == NULL || *path == '\0')
		return 1;
	for (i = 0; i < n; i++) {
		if ((db = reader_open(path)) == NULL) {
			readers_close(t, i);
			return 1;
		}
		if (reader_prepare(&t[i].rd, db, s->cat, 0, err) != 0) {
			sqlite3_close(db);
			readers_close(t, i);
			return err->code != NULL &&
			    strcmp(err->code, "no_memory") == 0 ? -1 : 1;
		}
	}
	return 0;
}

static int
nreaders(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN) - 1;

	return n < 1 ? 1 : n > MAX_READERS ? MAX_READERS : (int)n;
}

/* The engine's side: full batches in, free ones out. */
static int
par_apply(struct par *pa, struct stats *st, struct progress_cb *pcb,
    struct lf_error *err)
{
	struct batch *b;

	while ((b = take_full(pa)) != NULL) {
		if (batch_apply(st, b, 0, err) != 0) {
			give(pa, b, 0);
			par_stop(pa);
			return -1;
		}
		progress_add(pcb, b->n);
		give(pa, b, 0);
	}
	pthread_mutex_lock(&pa->mu);
	while (pa->running > 0)
		pthread_cond_wait(&pa->cv, &pa->mu);
	pthread_mutex_unlock(&pa->mu);
	if (pa->failed) {
		*err = pa->err;
		return -1;
	}
	return 0;
}

static int
par_init(struct par *pa, const struct codes *c, int n, int year,
    int64_t lo, int64_t hi)
{
	int i;

	memset(pa, 0, sizeof(*pa));
	pa->codes = c;
	pa->year = year;
	pa->lo = pa->next = lo;
	pa->hi = hi;
	pa->step = (hi - lo) / (n * CHUNKS_PER) + 1;
	for (i = 0; i < 2 * n; i++) {
		if ((pa->free[i] = batch_new(c->cat)) == NULL)
			return -1;
		pa->nfree++;
	}
	pthread_mutex_init(&pa->mu, NULL);
	pthread_cond_init(&pa->cv, NULL);
	return 0;
}

static void
par_free(struct par *pa)
{
	size_t i;

	for (i = 0; i < pa->nfree; i++)
		batch_free(pa->free[i]);
	for (i = 0; i < pa->nfull; i++)
		batch_free(pa->full[i]);
}

/* Loads with n reader threads: 0, -1 with err, 1 when the readers'
 * connections cannot be had. */
static int
load_par(struct store *s, const struct codes *c, struct stats *st,
    int64_t lo, int64_t hi, struct progress_cb *pcb, struct lf_error *err)
{
	struct rthread t[MAX_READERS];
	struct par pa;
	int n = nreaders(), i, rc;

	if ((rc = readers_open(s, t, n, err)) != 0)
		return rc;
	rc = -1;
	if (par_init(&pa, c, n, stats_year(st), lo, hi) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		t[i].par = &pa;
		pthread_mutex_lock(&pa.mu);
		pa.running++;
		pthread_mutex_unlock(&pa.mu);
		if (pthread_create(&t[i].tid, NULL, reader_main, &t[i]) != 0) {
			pthread_mutex_lock(&pa.mu);
			pa.running--;
			pthread_mutex_unlock(&pa.mu);
			break;
		}
		t[i].started = 1;
	}
	rc = i == 0 ? lf_error_set(err, "no_memory", "", "无法启动线程 "
	    "(cannot start a thread)") : par_apply(&pa, st, pcb, err);
	par_stop(&pa);
	for (i = 0; i < n; i++)
		if (t[i].started)
			pthread_join(t[i].tid, NULL);
	pthread_mutex_destroy(&pa.mu);
	pthread_cond_destroy(&pa.cv);
out:
	par_free(&pa);
	readers_close(t, n);
	return rc;
}

/* ---- the API -------------------------------------------------------- */

/* Reads on the store's own connection, in the caller's transaction or
 * one of ours. */
static int
load_here(struct store *s, const struct codes *c, struct stats *st,
    int64_t lo, int64_t hi, struct progress_cb *pcb, struct lf_error *err)
{
	struct reader rd;
	int rc;

	if (reader_prepare(&rd, s->db, s->cat, 0, err) != 0)
		return -1;
	rc = load_inline(&rd, c, st, lo, hi, pcb, err);
	reader_finalize(&rd);
	return rc;
}

/* PostgreSQL's reader (store/pg/pg_stats.c) hands over each person's
 * plan and items, decoded here as SQLite's rows are. */
struct pg_sink {
	const struct codes	*c;
	struct stats		*st;
	struct batch		*b;
};

static int
pg_items(void *arg, int64_t person_id, int plan,
    const struct stats_item_text *v, size_t n, struct lf_error *err)
{
	struct pg_sink *k = arg;
	size_t i;

	k->b->nitems = k->b->nneeds = 0;
	for (i = 0; i < n; i++)
		if (item_add(k->b, k->c, &v[i], err) != 0)
			return -1;
	items_link(k->b);
	return stats_items_set(k->st, person_id, plan, k->b->items,
	    k->b->nitems, err);
}

static int
pg_load(struct store *s, const struct codes *c, struct stats *st,
    void (*progress)(void *, int64_t, int64_t), void *arg,
    struct lf_error *err)
{
	struct pg_sink k = { c, st, batch_new(s->cat) };
	int rc;

	if (k.b == NULL)
		return lf_error_nomem(err);
	rc = pg_stats_load(s, st, pg_items, &k, progress, arg, err);
	batch_free(k.b);
	return rc;
}

int
stats_load(struct store *s, struct stats *st, const struct policies *ps,
    void (*progress)(void *, int64_t, int64_t), void *arg,
    struct lf_error *err)
{
	struct progress_cb pcb = { progress, arg, 0, 0, 0 };
	struct codes c;
	int64_t lo, hi, cache;
	int own, rc = -1;

	if (codes_init(&c, s, ps, err) != 0)
		return -1;
	if (s->pg != NULL) {
		rc = pg_load(s, &c, st, progress, arg, err);
		codes_free(&c);
		return rc;
	}
	/* a load visits every page once: keep them from filling the cache */
	if ((cache = store_pragma_get(s->db, "cache_size", 0)) != 0)
		store_pragma_set(s->db, "cache_size", -LOAD_CACHE_KIB);
	if ((own = read_begin(s->db, err)) < 0)
		goto out;
	if (id_bounds(s->db, &lo, &hi, err) != 0 ||
	    store_count(s, "persons", &pcb.total, err) != 0)
		goto out;
	/* other connections would not see the caller's own writes */
	rc = own ? load_par(s, &c, st, lo, hi, &pcb, err) : 1;
	if (rc == 1)
		rc = load_here(s, &c, st, lo, hi, &pcb, err);
	if (rc == 0 && progress != NULL)
		progress(arg, pcb.done, pcb.done);
out:
	read_end(s->db, own);
	if (cache != 0)
		store_pragma_set(s->db, "cache_size", cache);
	codes_free(&c);
	return rc;
}

/* The refresh's statements, in the connection's slots. */
static int
refresh_reader(struct store *s, struct reader *rd, struct lf_error *err)
{
	if (s->st[ST_STATS_PERSON] == NULL) {
		if (reader_prepare(rd, s->db, s->cat,
		    SQLITE_PREPARE_PERSISTENT, err) != 0) {
			reader_finalize(rd);
			return -1;
		}
		s->st[ST_STATS_PERSON] = rd->pst;
		s->st[ST_STATS_ITEMS] = rd->ist;
	}
	memset(rd, 0, sizeof(*rd));
	rd->db = s->db;
	rd->pst = s->st[ST_STATS_PERSON];
	rd->ist = s->st[ST_STATS_ITEMS];
	return 0;
}

int
stats_refresh(struct store *s, struct stats *st, const struct policies *ps,
    int64_t person_id, struct lf_error *err)
{
	struct reader rd;
	struct batch *b = NULL;
	struct codes c;
	int own, rc = -1;

	if (refresh_reader(s, &rd, err) != 0 ||
	    codes_init(&c, s, ps, err) != 0)
		return -1;
	if ((b = batch_new(s->cat)) == NULL) {
		codes_free(&c);
		return lf_error_nomem(err);
	}
	if ((own = read_begin(s->db, err)) < 0)
		goto out;
	if (reader_range(&rd, stats_year(st), person_id, person_id + 1,
	    err) != 0 || batch_fill(&rd, &c, b, err) != 0)
		goto out;
	if (b->n == 0) {
		stats_person_remove(st, person_id);
		rc = 0;
	} else
		rc = batch_apply(st, b, 1, err);
out:
	sqlite3_reset(rd.pst);
	sqlite3_reset(rd.ist);
	read_end(s->db, own);
	batch_free(b);
	codes_free(&c);
	return rc;
}

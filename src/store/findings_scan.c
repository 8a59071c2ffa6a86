/*
 * findings_scan.c - the quality batch's reader thread (findings_scan.h).
 *
 * Two pages in a ring: the reader fills one while the caller evaluates
 * the other. Per page: the surveys joined with the persons (PAGE persons
 * after the last one), then for the same range of person ids the items
 * with their deliveries (one pass: a row per delivery, or one for an item
 * without; indexes items_person, deliveries_item) and the plans.
 */
#include "store/findings_scan.h"
#include "store/dbq.h"
#include "store/plan_int.h"
#include "store/pg/pg_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/date.h"
#include "lib/mem.h"

enum { SLOT_FREE, SLOT_FULL };

struct fscan {
	struct store		*s;	/* its catalog versions decode */
	int			 year;
	char			 lo[24], hi[24];
	int64_t			 first, last;	/* person ids (first, last] */
	const unsigned char	*want;		/* items decoded; NULL all */
	int			 cache_kib;
	sqlite3			*db;
	sqlite3_stmt		*page, *items, *plans;
	PGconn			*pc;		/* PostgreSQL; NULL */
	char			*psql;		/* its page statement */
	struct quality_dups	*dups;
	pthread_mutex_t		*dups_mu;	/* NULL: dups is ours */
	uint64_t		 key[FSCAN_PAGE];	/* of the page read */
	struct fscan_page	 pg[2];
	int			 state[2];
	int			 next;		/* the caller's next slot */
	int			 held;		/* the caller holds pg[next^1] */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	pthread_t		 th;
	int			 started, stop, done, rc;
	struct lf_error		 err;		/* the reader's */
};

static int
db_error(struct fscan *f, struct lf_error *err)
{
	return lf_error_set(err, "store", "", "数据库错误 (database error in "
	    "quality batch): %s", f->db != NULL ? sqlite3_errmsg(f->db) :
	    "no handle");
}

/* ---- the statements ------------------------------------------------ */

static int
prepare(struct fscan *f, const char *sql, sqlite3_stmt **st,
    struct lf_error *err)
{
	if (sqlite3_prepare_v3(f->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK)
		return db_error(f, err);
	return 0;
}

static int
open_db(struct fscan *f, struct lf_error *err)
{
	const char *path = sqlite3_db_filename(f->s->db, "main");
	char pragma[48];

	if (path == NULL || path[0] == '\0' || sqlite3_open_v2(path, &f->db,
	    SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return db_error(f, err);
	sqlite3_busy_timeout(f->db, 10000);
	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size=-%d", f->cache_kib);
	sqlite3_exec(f->db, pragma, NULL, NULL, NULL);
	return prepare(f, "SELECT s.person_id, p.region, p.status, p.name, "
	    "p.gender, p.birth_date, s.rec FROM surveys s JOIN persons p ON "
	    "p.id = s.person_id WHERE s.year = ?1 AND s.person_id > ?2 AND "
	    "s.person_id <= ?6 AND p.region >= ?3 AND p.region < ?4 ORDER BY "
	    "s.person_id LIMIT ?5",
	    &f->page, err) != 0 ||
	    prepare(f, "SELECT i.person_id, i.id, i.policy, i.decision, "
	    "coalesce(i.decision_reason, '') <> '', i.status, "
	    "i.funds_planned, d.date FROM items i LEFT JOIN deliveries d ON "
	    "d.item_id = i.id WHERE i.year = ?1 AND i.person_id > ?2 AND "
	    "i.person_id <= ?3 ORDER BY i.person_id, i.seq, d.date",
	    &f->items, err) != 0 ||
	    prepare(f, "SELECT person_id FROM plans WHERE person_id > ?2 AND "
	    "person_id <= ?3 AND +year = ?1 ORDER BY person_id",	/* the
	    (person_id, year) index, not the year's whole range */
	    &f->plans, err) != 0 ? -1 : 0;
}

/* ---- PostgreSQL ----------------------------------------------------- */

/* The reader's own connection, in the store's scope (row-level
 * security), and the page's statement with the surveys' columns. */
static int
open_pg(struct fscan *f, struct lf_error *err)
{
	const struct pgstore *p = f->s->pg;
	const char *params[1] = { p->scope };
	struct buf b;
	PGresult *r;

	if (pg_connect(p->url, &f->pc, err) != 0)
		return -1;
	if (p->scope[0] != '\0') {
		if (pg_query(f->pc, "SELECT set_config('liangfu.region', $1, "
		    "false)", 1, params, &r, "scope", err) != 0)
			return -1;
		PQclear(r);
	}
	buf_init(&b, 1 << 14);
	if (buf_adds(&b, "SELECT s.person_id, p.region, p.status, p.name, "
	    "p.gender, to_char(p.birth_date, 'YYYY-MM-DD')") != 0 ||
	    pg_survey_cols(f->s->cat, "s", &b) != 0 || buf_adds(&b, " FROM "
	    "surveys s JOIN persons p ON p.city = s.city AND p.county = "
	    "s.county AND p.id = s.person_id WHERE s.year = $1 AND "
	    "s.person_id > $2 AND s.person_id <= $3 AND p.region >= $4 AND "
	    "p.region < $5 ORDER BY s.person_id LIMIT $6") != 0 ||
	    (f->psql = mem_strdup(buf_str(&b))) == NULL) {
		buf_free(&b);
		return lf_error_nomem(err);
	}
	buf_free(&b);
	return 0;
}

/* The page's persons with their surveys (the rows kept in pg->pgres). */
static int
read_persons_pg(struct fscan *f, struct fscan_page *pg, struct lf_error *err)
{
	char year[16], from[24], last[24], lim[16];
	const char *params[6] = { year, from, last, f->lo, f->hi, lim };
	struct fscan_person *p;
	const char *name, *birth;
	PGresult *r;
	int i, n;

	snprintf(year, sizeof(year), "%d", f->year);
	snprintf(from, sizeof(from), "%lld", (long long)pg->from);
	snprintf(last, sizeof(last), "%lld", (long long)f->last);
	snprintf(lim, sizeof(lim), "%d", FSCAN_PAGE);
	if (pg_query(f->pc, f->psql, 6, params, &r, "quality batch",
	    err) != 0)
		return -1;
	PQclear(pg->pgres);
	pg->pgres = r;
	pg->nblob = 0;
	n = PQntuples(r);
	for (i = 0; i < n && i < FSCAN_PAGE; i++) {
		p = &pg->per[i];
		p->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		snprintf(p->region, sizeof(p->region), "%s",
		    PQgetvalue(r, i, 1));
		p->status = atoi(PQgetvalue(r, i, 2));
		p->has_plan = 0;
		name = PQgetvalue(r, i, 3);
		birth = PQgetvalue(r, i, 5);
		f->key[i] = quality_dup_key(name, atoi(PQgetvalue(r, i, 4)),
		    birth);
		pg->off[i] = 0;
		pg->len[i] = 0;
	}
	pg->n = (size_t)i;
	return 0;
}

/* The page's items (no deliveries on PostgreSQL) and plans. */
static int
read_items_pg(struct fscan *f, struct fscan_page *pg, struct lf_error *err)
{
	char year[16], from[24], to[24];
	const char *params[3] = { year, from, to };
	struct fscan_item *x;
	PGresult *r;
	size_t k = 0;
	int64_t pid;
	int i, n;

	snprintf(year, sizeof(year), "%d", f->year);
	snprintf(from, sizeof(from), "%lld", (long long)pg->from);
	snprintf(to, sizeof(to), "%lld", (long long)pg->per[pg->n - 1].id);
	pg->nit = 0;
	pg->ndl = 0;
	if (pg_query(f->pc, "SELECT person_id, id, coalesce(policy, ''), "
	    "decision, CASE WHEN coalesce(decision_reason, '') <> '' THEN 1 "
	    "ELSE 0 END, status, funds_planned FROM items WHERE year = $1 AND "
	    "person_id > $2 AND person_id <= $3 ORDER BY person_id, seq", 3,
	    params, &r, "quality batch", err) != 0)
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		if (mem_grow(&pg->it, &pg->itcap, pg->nit + 1,
		    sizeof(*pg->it), SIZE_MAX) != 0) {
			PQclear(r);
			return lf_error_nomem(err);
		}
		x = &pg->it[pg->nit++];
		memset(x, 0, sizeof(*x));
		x->person_id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		x->q.id = strtoll(PQgetvalue(r, i, 1), NULL, 10);
		snprintf(x->policy, sizeof(x->policy), "%s",
		    PQgetvalue(r, i, 2));
		x->q.decision = atoi(PQgetvalue(r, i, 3));
		x->q.has_reason = atoi(PQgetvalue(r, i, 4));
		x->q.status = atoi(PQgetvalue(r, i, 5));
		x->q.funds_planned = strtoll(PQgetvalue(r, i, 6), NULL, 10);
	}
	PQclear(r);
	if (pg_query(f->pc, "SELECT person_id FROM plans WHERE year = $1 AND "
	    "person_id > $2 AND person_id <= $3 ORDER BY person_id", 3,
	    params, &r, "quality batch", err) != 0)
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		pid = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		while (k < pg->n && pg->per[k].id < pid)
			k++;
		if (k < pg->n && pg->per[k].id == pid)
			pg->per[k].has_plan = 1;
	}
	PQclear(r);
	return 0;
}

/* ---- reading a page ------------------------------------------------ */

/* Copies the packed record of column col into the page. */
static int
keep_blob(struct fscan_page *pg, sqlite3_stmt *st, int col)
{
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	const void *b = sqlite3_column_blob(st, col);

	pg->off[pg->n] = pg->nblob;
	if (b == NULL) {
		pg->len[pg->n] = SIZE_MAX;
		return 0;
	}
	if (mem_grow(&pg->blob, &pg->blobcap, pg->nblob + n + 1, 1,
	    SIZE_MAX) != 0)
		return -1;
	memcpy(pg->blob + pg->nblob, b, n);
	pg->len[pg->n] = n;
	pg->nblob += n;
	return 0;
}

static int
read_row(struct fscan *f, struct fscan_page *pg, struct lf_error *err)
{
	sqlite3_stmt *st = f->page;
	struct fscan_person *p = &pg->per[pg->n];
	const char *name, *birth;

	p->id = sqlite3_column_int64(st, 0);
	store_copy_col(st, 1, p->region, sizeof(p->region));
	p->status = sqlite3_column_int(st, 2);
	p->has_plan = 0;
	name = (const char *)sqlite3_column_text(st, 3);
	birth = (const char *)sqlite3_column_text(st, 5);
	f->key[pg->n] = quality_dup_key(name ? name : "",
	    sqlite3_column_int(st, 4), birth ? birth : "");
	if (keep_blob(pg, st, 6) != 0)
		return lf_error_nomem(err);
	pg->n++;
	return 0;
}

static int
read_persons(struct fscan *f, struct fscan_page *pg, struct lf_error *err)
{
	sqlite3_stmt *st = f->page;
	int rc;

	sqlite3_bind_int(st, 1, f->year);
	sqlite3_bind_int64(st, 2, pg->from);
	sqlite3_bind_text(st, 3, f->lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->hi, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, FSCAN_PAGE);
	sqlite3_bind_int64(st, 6, f->last);
	pg->n = 0;
	pg->nblob = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (read_row(f, pg, err) != 0) {
			sqlite3_reset(st);
			return -1;
		}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(f, err);
}

/* Adds the registration keys of the page read to the tally (shared with
 * the other shards' readers under dups_mu). */
static int
add_keys(struct fscan *f, const struct fscan_page *pg, struct lf_error *err)
{
	size_t k;
	int rc = 0;

	if (f->dups_mu != NULL)
		pthread_mutex_lock(f->dups_mu);
	for (k = 0; k < pg->n && rc == 0; k++)
		rc = quality_dups_add(f->dups, f->key[k], pg->per[k].id);
	if (f->dups_mu != NULL)
		pthread_mutex_unlock(f->dups_mu);
	return rc != 0 ? lf_error_nomem(err) : 0;
}

static void
bind_range(struct fscan *f, sqlite3_stmt *st, const struct fscan_page *pg)
{
	sqlite3_bind_int(st, 1, f->year);
	sqlite3_bind_int64(st, 2, pg->from);
	sqlite3_bind_int64(st, 3, pg->per[pg->n - 1].id);
}

/* Appends the item of the row, unless it is the one before again (a
 * row per delivery). */
static int
add_item(struct fscan_page *pg, sqlite3_stmt *st)
{
	struct fscan_item *x;
	int64_t id = sqlite3_column_int64(st, 1);

	if (pg->nit > 0 && pg->it[pg->nit - 1].q.id == id)
		return 0;
	if (mem_grow(&pg->it, &pg->itcap, pg->nit + 1, sizeof(*pg->it),
	    SIZE_MAX) != 0)
		return -1;
	x = &pg->it[pg->nit++];
	x->person_id = sqlite3_column_int64(st, 0);
	x->q.id = id;
	store_copy_col(st, 2, x->policy, sizeof(x->policy));
	x->q.policy = NULL;
	x->q.decision = sqlite3_column_int(st, 3);
	x->q.has_reason = sqlite3_column_int(st, 4);
	x->q.status = sqlite3_column_int(st, 5);
	x->q.funds_planned = sqlite3_column_int64(st, 6);
	return 0;
}

/* Appends the row's delivery, if any (a date that does not parse is
 * left out, as no rule could compare it). */
static int
add_dl(struct fscan_page *pg, sqlite3_stmt *st)
{
	const char *d = (const char *)sqlite3_column_text(st, 7);
	int days;

	if (d == NULL || date_parse(d, &days) != 0)
		return 0;
	if (mem_grow(&pg->dl, &pg->dlcap, pg->ndl + 1, sizeof(*pg->dl),
	    SIZE_MAX) != 0)
		return -1;
	pg->dl[pg->ndl].person_id = sqlite3_column_int64(st, 0);
	pg->dl[pg->ndl].d.item_id = sqlite3_column_int64(st, 1);
	pg->dl[pg->ndl].d.date = days;
	pg->ndl++;
	return 0;
}

/* The page's items and their deliveries, in one pass over the items. */
static int
read_items(struct fscan *f, struct fscan_page *pg, struct lf_error *err)
{
	sqlite3_stmt *st = f->items;
	int rc;

	pg->nit = 0;
	pg->ndl = 0;
	bind_range(f, st, pg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (add_item(pg, st) != 0 || add_dl(pg, st) != 0) {
			sqlite3_reset(st);
			return lf_error_nomem(err);
		}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(f, err);
}

static int
read_plans(struct fscan *f, struct fscan_page *pg, struct lf_error *err)
{
	sqlite3_stmt *st = f->plans;
	size_t k = 0;
	int64_t pid;
	int rc;

	bind_range(f, st, pg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pid = sqlite3_column_int64(st, 0);
		while (k < pg->n && pg->per[k].id < pid)
			k++;
		if (k < pg->n && pg->per[k].id == pid)
			pg->per[k].has_plan = 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(f, err);
}

/* Fills pg with the persons after `after`; 1 a page, 0 none left. */
static int
fill(struct fscan *f, struct fscan_page *pg, int64_t after,
    struct lf_error *err)
{
	pg->from = after;
	if ((f->pc != NULL ? read_persons_pg(f, pg, err) :
	    read_persons(f, pg, err)) != 0)
		return -1;
	if (pg->n == 0)
		return 0;
	if (f->pc != NULL)
		return add_keys(f, pg, err) != 0 ||
		    read_items_pg(f, pg, err) != 0 ? -1 : 1;
	return add_keys(f, pg, err) != 0 || read_items(f, pg, err) != 0 ||
	    read_plans(f, pg, err) != 0 ? -1 : 1;
}

/* ---- the thread ---------------------------------------------------- */

/* Waits for slot k to be free; 0, or -1 when told to stop. */
static int
wait_free(struct fscan *f, int k)
{
	int rc;

	pthread_mutex_lock(&f->mu);
	while (f->state[k] == SLOT_FULL && !f->stop)
		pthread_cond_wait(&f->cv, &f->mu);
	rc = f->stop ? -1 : 0;
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static void
post(struct fscan *f, int k, int full, int done, int rc)
{
	pthread_mutex_lock(&f->mu);
	if (full)
		f->state[k] = SLOT_FULL;
	if (done) {
		f->done = 1;
		f->rc = rc;
	}
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

static void *
reader(void *arg)
{
	struct fscan *f = arg;
	int64_t after = f->first;
	int k = 0, got;

	for (;;) {
		if (wait_free(f, k) != 0) {
			post(f, k, 0, 1, 0);
			break;
		}
		if ((got = fill(f, &f->pg[k], after, &f->err)) <= 0) {
			post(f, k, 0, 1, got);
			break;
		}
		after = f->pg[k].per[f->pg[k].n - 1].id;
		post(f, k, 1, f->pg[k].n < FSCAN_PAGE, 0);
		if (f->pg[k].n < FSCAN_PAGE)
			break;
		k ^= 1;
	}
	return NULL;
}

/* ---- the caller's side --------------------------------------------- */

int
fscan_next(struct fscan *f, struct fscan_page **out, struct lf_error *err)
{
	int k = f->next, rc;

	pthread_mutex_lock(&f->mu);
	if (f->held) {
		f->state[k ^ 1] = SLOT_FREE;
		f->held = 0;
		pthread_cond_broadcast(&f->cv);
	}
	while (f->state[k] != SLOT_FULL && !f->done)
		pthread_cond_wait(&f->cv, &f->mu);
	if (f->state[k] == SLOT_FULL) {
		f->held = 1;
		f->next = k ^ 1;
		*out = &f->pg[k];
		rc = 1;
	} else if ((rc = f->rc) < 0)
		*err = f->err;
	pthread_mutex_unlock(&f->mu);
	return rc;
}

int
fscan_record(const struct fscan *f, const struct fscan_page *pg, size_t k,
    struct record *r, struct lf_error *err)
{
	if (f->pc != NULL) {	/* the survey's columns, from column 6 */
		record_clear(r);
		return pg_survey_read(f->s->cat, pg->pgres, (int)k, 6, r, "-",
		    err);
	}
	if (pg->len[k] == SIZE_MAX) {
		record_clear(r);
		return 0;
	}
	if (f->want != NULL)
		return packrec_decode_some(f->s->packs, pg->blob + pg->off[k],
		    pg->len[k], r, f->want, err);
	return packrec_decode(f->s->packs, pg->blob + pg->off[k], pg->len[k],
	    r, PACKREC_SKIP, NULL, err);
}

static void
scan_free(struct fscan *f)
{
	size_t k;

	sqlite3_finalize(f->page);
	sqlite3_finalize(f->items);
	sqlite3_finalize(f->plans);
	sqlite3_close(f->db);
	PQfinish(f->pc);
	mem_free(f->psql);
	for (k = 0; k < 2; k++) {
		PQclear(f->pg[k].pgres);
		mem_free(f->pg[k].blob);
		mem_free(f->pg[k].it);
		mem_free(f->pg[k].dl);
	}
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	mem_free(f);
}

void
fscan_stop(struct fscan *f)
{
	if (f == NULL)
		return;
	if (f->started) {
		pthread_mutex_lock(&f->mu);
		f->stop = 1;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
		pthread_join(f->th, NULL);
	}
	scan_free(f);
}

int
fscan_start(struct store *s, const struct fscan_range *rg,
    struct fscan **out, struct lf_error *err)
{
	struct fscan *f = mem_calloc(1, sizeof(*f));

	*out = NULL;
	if (f == NULL)
		return lf_error_nomem(err);
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->s = s;
	f->year = rg->year;
	f->first = rg->first;
	f->last = rg->last;
	f->want = rg->want;
	f->cache_kib = rg->cache_kib > 0 ? rg->cache_kib : 65536;
	f->dups = rg->dups;
	f->dups_mu = rg->dups_mu;
	snprintf(f->lo, sizeof(f->lo), "%012lld", (long long)rg->lo);
	if (rg->hi >= 1000000000000LL)
		snprintf(f->hi, sizeof(f->hi), ":");	/* after every digit */
	else
		snprintf(f->hi, sizeof(f->hi), "%012lld", (long long)rg->hi);
	lf_error_clear(&f->err);
	if ((s->pg != NULL ? open_pg(f, err) : open_db(f, err)) != 0) {
		scan_free(f);
		return -1;
	}
	if (pthread_create(&f->th, NULL, reader, f) != 0) {
		scan_free(f);
		return lf_error_set(err, "internal", "", "无法启动读取线程 "
		    "(cannot start the reader thread)");
	}
	f->started = 1;
	*out = f;
	return 0;
}

int
fscan_id_range(struct store *s, int64_t *first, int64_t *last,
    struct lf_error *err)
{
	struct dbq q;
	int rc;

	*first = 0;
	*last = 0;
	rc = dbq_prep(s, &q, "SELECT min(id) - 1, max(id) FROM persons",
	    "quality batch", err);
	if (rc == 0 && (rc = dbq_step(&q, err)) == 1) {
		if (!dbq_is_null(&q, 1)) {
			*first = dbq_int64(&q, 0);
			*last = dbq_int64(&q, 1);
		}
		rc = 0;
	}
	dbq_end(&q);
	return rc == 0 ? 0 : -1;
}

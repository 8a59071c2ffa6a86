/*
 * plan_rows.c - the rows of the bulk plan build (plan_rows.h): last
 * year's items to carry, the compared columns of a plan's items, and a
 * writer of new plans and items many rows a statement. The merge that
 * decides what to write is plan/plan_merge.c.
 */
#include "store/plan_int.h"
#include "lib/hash.h"
#include "store/pg/pg_plan.h"
#include "store/dbq.h"

#include <stdio.h>
#include <string.h>

#define ROWS_MAX	32	/* new items one statement writes */
#define ROW_PARAMS	16	/* parameters of one row */
#define PLANS_MAX	64	/* new plans one statement writes */
#define TEXTS_MAX	1024	/* interned texts whose id a writer keeps */
#define TEXT_SLOTS	(2 * TEXTS_MAX)

/*
 * The ids of the interned texts (plan_int.h) the writer has written,
 * by text: open addressing, at most half full; a text past TEXTS_MAX is
 * looked up each time. They are kept for the writer's life only, which
 * lies within one build: a rollback ends the build, and an id a rolled
 * back transaction took may be taken again by another text, so ids are
 * never kept on the connection across transactions that might not
 * commit.
 */
struct text_ids {
	char		*body[TEXT_SLOTS];
	int64_t		 id[TEXT_SLOTS];
	size_t		 n;
};

struct plan_writer {
	struct store		*s;
	int			 year;
	const char		*actor;
	int64_t			 t;		/* now, Unix seconds */
	struct plan_row		*rows;		/* new items to write */
	int64_t			 (*tids)[2];	/* their measures, effect_note */
	size_t			 nrows;
	struct text_ids		*texts;
	sqlite3_stmt		*ins_st[ROWS_MAX + 1];	/* by rows */
	int64_t			 plans[PLANS_MAX][3];	/* id, person, region */
	size_t			 nplans;
	sqlite3_stmt		*plan_st[PLANS_MAX + 1];	/* by rows */
	struct pg_plan_writer	*pg;	/* PostgreSQL's, or NULL */
};

/* ---- reads --------------------------------------------------------- */

void
plan_carry_from_row(sqlite3_stmt *st, struct plan_carry *c)
{
	int64_t left;

	c->id = sqlite3_column_int64(st, 0);
	c->person_id = sqlite3_column_int64(st, 1);
	store_copy_col(st, 2, c->policy, sizeof(c->policy));
	store_copy_col(st, 3, c->needs, sizeof(c->needs));
	store_copy_col(st, 4, c->dept, sizeof(c->dept));
	store_copy_col(st, 5, c->org, sizeof(c->org));
	store_copy_col(st, 6, c->contact, sizeof(c->contact));
	store_copy_col(st, 7, c->measures, sizeof(c->measures));
	left = sqlite3_column_int64(st, 8) - sqlite3_column_int64(st, 9);
	c->funds = left > 0 ? left : 0;
	c->monthly = sqlite3_column_int(st, 10);
}

/* A PLAN_CAND_COLS row of q into c. */
static void
carry_from_dbq(struct dbq *q, struct plan_carry *c)
{
	int64_t left;

	c->id = dbq_int64(q, 0);
	c->person_id = dbq_int64(q, 1);
	dbq_copy(q, 2, c->policy, sizeof(c->policy));
	dbq_copy(q, 3, c->needs, sizeof(c->needs));
	dbq_copy(q, 4, c->dept, sizeof(c->dept));
	dbq_copy(q, 5, c->org, sizeof(c->org));
	dbq_copy(q, 6, c->contact, sizeof(c->contact));
	dbq_copy(q, 7, c->measures, sizeof(c->measures));
	left = dbq_int64(q, 8) - dbq_int64(q, 9);
	c->funds = left > 0 ? left : 0;
	c->monthly = dbq_int(q, 10);
}

/* One person's items to carry, in dbq.h's dialect but for SQLite's
 * interned measures and its index hint. */
int
plan_carry_of(struct store *s, int year, int64_t person_id,
    plan_carry_fn fn, void *arg, struct lf_error *err)
{
	struct dbq q = { 0 };
	struct plan_carry *c;
	int pg = dbq_is_pg(s), rc, step = 0;

	if ((c = mem_alloc(sizeof(*c))) == NULL)
		return lf_error_nomem(err);
	rc = dbq_prep(s, &q, pg ? "SELECT " PLAN_CAND_COLS_PG " FROM items "
	    "WHERE year = ? AND person_id = ? AND " PLAN_CARRY_WHERE " ORDER "
	    "BY seq" : "SELECT " PLAN_CAND_COLS " FROM items INDEXED BY "
	    "items_carry WHERE year = ? AND person_id = ? AND "
	    PLAN_CARRY_WHERE " ORDER BY seq", "carry", err);
	if (rc == 0)
		rc = dbq_bind(&q, err, "ii", (int64_t)year, person_id);
	while (rc == 0 && (step = dbq_step(&q, err)) == 1) {
		carry_from_dbq(&q, c);
		rc = fn(arg, c) != 0 ? -1 : 0;
	}
	if (rc == 0 && step != 0)
		rc = -1;
	dbq_end(&q);
	mem_free(c);
	return rc;
}

int
plan_items_light(struct store *s, int year, int64_t person_id,
    plan_light_fn fn, void *arg, struct lf_error *err)
{
	sqlite3_stmt *st;
	struct plan_light o;
	int rc;

	if (s->pg != NULL)
		return pg_plan_items_light(s, year, person_id, fn, arg, err);
	if ((st = plan_stmt(s, PS_ITEMS_LIGHT, err)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_int64(st, 2, person_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o.id = sqlite3_column_int64(st, 0);
		o.seq = sqlite3_column_int(st, 1);
		store_copy_col(st, 2, o.policy, sizeof(o.policy));
		store_copy_col(st, 3, o.needs, sizeof(o.needs));
		o.origin = sqlite3_column_int(st, 4);
		o.decision = sqlite3_column_int(st, 5);
		o.edited = sqlite3_column_int(st, 6);
		o.carried_from = sqlite3_column_int64(st, 7);
		store_copy_col(st, 8, o.dept, sizeof(o.dept));
		o.funds = sqlite3_column_int64(st, 9);
		o.month = sqlite3_column_int(st, 10);
		o.monthly = sqlite3_column_int(st, 11);
		if (fn(arg, &o) != 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "items", err);
}

/* ---- the writer ---------------------------------------------------- */

struct plan_writer *
plan_writer_new(struct store *s, int year, const char *actor,
    const struct plan_clock *now)
{
	struct plan_writer *w = mem_calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	if ((w->rows = mem_calloc(ROWS_MAX, sizeof(*w->rows))) == NULL ||
	    (w->tids = mem_calloc(ROWS_MAX, sizeof(*w->tids))) == NULL ||
	    (w->texts = mem_calloc(1, sizeof(*w->texts))) == NULL) {
		plan_writer_free(w);
		return NULL;
	}
	w->s = s;
	w->year = year;
	w->actor = actor != NULL ? actor : "";
	w->t = now->t;
	if (s->pg != NULL && (w->pg = pg_plan_writer_new(s, year, w->actor,
	    w->t)) == NULL) {
		plan_writer_free(w);
		return NULL;
	}
	return w;
}

void
plan_writer_free(struct plan_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	pg_plan_writer_free(w->pg);
	for (i = 0; i <= ROWS_MAX; i++)
		sqlite3_finalize(w->ins_st[i]);
	for (i = 0; i <= PLANS_MAX; i++)
		sqlite3_finalize(w->plan_st[i]);
	for (i = 0; w->texts != NULL && i < TEXT_SLOTS; i++)
		mem_free(w->texts->body[i]);
	mem_free(w->texts);
	mem_free(w->tids);
	mem_free(w->rows);
	mem_free(w);
}

static void
bind_opt(sqlite3_stmt *st, int idx, const char *text)
{
	if (text != NULL && text[0] != '\0')
		sqlite3_bind_text(st, idx, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

/* id, or NULL for 0 */
static void
bind_ref(sqlite3_stmt *st, int idx, int64_t id)
{
	if (id != 0)
		sqlite3_bind_int64(st, idx, id);
	else
		sqlite3_bind_null(st, idx);
}

/* The statement in *slot, prepared from sql on first use. */
static sqlite3_stmt *
prepared(struct plan_writer *w, sqlite3_stmt **slot, int rc,
    struct buf *sql, const char *what, struct lf_error *err)
{
	if (rc != 0)
		lf_error_nomem(err);
	else if (sqlite3_prepare_v3(w->s->db, buf_str(sql), -1,
	    SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK) {
		store_sqlite_error(w->s, what, err);
		*slot = NULL;
	}
	buf_free(sql);
	return *slot;
}

/* The insert of n rows, prepared on first use (the writer keeps it). */
static sqlite3_stmt *
rows_stmt(struct plan_writer *w, size_t n, struct lf_error *err)
{
	struct buf sql;
	size_t i;
	int rc = 0;

	if (w->ins_st[n] != NULL)
		return w->ins_st[n];
	buf_init(&sql, 1 << 16);
	/* OR FAIL: no statement journal (with ABORT SQLite copies every page
	 * a multi-row insert touches, in case it must undo the statement);
	 * an error rolls the whole transaction or savepoint back anyway */
	rc = buf_adds(&sql, "INSERT OR FAIL INTO items(" PLAN_ROW_COLS ") "
	    "VALUES ");
	/* ?1 year, ?2 time and ?3 actor are shared by the rows */
	for (i = 0; rc == 0 && i < n; i++) {
		int b = 4 + (int)i * ROW_PARAMS;

		rc = buf_addf(&sql, "%s(?%d, ?%d, ?1, ?%d, ?%d, ?%d, ?%d, ?%d, "
		    "?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?2, ?3, "
		    PLAN_ROW_STATE_SQL ")", i ? ", " : "", b, b + 1, b + 2, b + 3,
		    b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, b + 11,
		    b + 12, b + 13, b + 14, b + 15);
	}
	return prepared(w, &w->ins_st[n], rc, &sql, "item insert", err);
}

/* Binds row r's own parameters, from i on; tid: the ids of its
 * measures and effect_note, 0 for none. */
static void
bind_row(sqlite3_stmt *st, int i, const struct plan_row *r,
    const int64_t tid[2])
{
	sqlite3_bind_int64(st, i, r->plan_id);
	sqlite3_bind_int64(st, i + 1, r->person_id);
	sqlite3_bind_int64(st, i + 2, r->region);
	sqlite3_bind_int(st, i + 3, r->seq);
	bind_opt(st, i + 4, r->policy);
	bind_opt(st, i + 5, r->needs);
	sqlite3_bind_int(st, i + 6, r->origin);
	bind_opt(st, i + 7, r->dept);
	bind_opt(st, i + 8, r->org);
	bind_opt(st, i + 9, r->contact);
	sqlite3_bind_int(st, i + 10, r->month);
	sqlite3_bind_int64(st, i + 11, r->funds);
	sqlite3_bind_int(st, i + 12, r->monthly);
	bind_ref(st, i + 13, tid[0]);
	bind_ref(st, i + 14, r->cf);
	bind_ref(st, i + 15, tid[1]);
}

/* The insert of n plans, prepared on first use (the writer keeps it). */
static sqlite3_stmt *
plans_stmt(struct plan_writer *w, size_t n, struct lf_error *err)
{
	struct buf sql;
	size_t i;
	int rc;

	if (w->plan_st[n] != NULL)
		return w->plan_st[n];
	buf_init(&sql, 1 << 14);
	/* ?1 year, ?2 time and ?3 actor are shared by the rows */
	rc = buf_adds(&sql, "INSERT OR FAIL INTO plans(" PLAN_NEW_COLS ") "
	    "VALUES ");
	for (i = 0; rc == 0 && i < n; i++)
		rc = buf_addf(&sql, "%s(?%d, ?%d, ?%d, ?1, 1, 1, ?2, ?3, ?2, "
		    "?3)", i ? ", " : "", 4 + (int)i * 3, 5 + (int)i * 3,
		    6 + (int)i * 3);
	return prepared(w, &w->plan_st[n], rc, &sql, "plan insert", err);
}

/* Binds the year, time and actor every row shares. */
static void
bind_shared(const struct plan_writer *w, sqlite3_stmt *st)
{
	sqlite3_bind_int(st, 1, w->year);
	sqlite3_bind_int64(st, 2, w->t);
	sqlite3_bind_text(st, 3, w->actor, -1, SQLITE_STATIC);
}

static int
flush_plans(struct plan_writer *w, struct lf_error *err)
{
	sqlite3_stmt *st;
	size_t i, n = w->nplans;
	int rc, k;

	if (n == 0)
		return 0;
	w->nplans = 0;
	if ((st = plans_stmt(w, n, err)) == NULL)
		return -1;
	bind_shared(w, st);
	for (i = 0; i < n; i++)
		for (k = 0; k < 3; k++)
			sqlite3_bind_int64(st, 4 + (int)i * 3 + k,
			    w->plans[i][k]);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(w->s, "plan insert",
	    err);
}

static int
flush_rows(struct plan_writer *w, struct lf_error *err)
{
	sqlite3_stmt *st;
	size_t i, n = w->nrows;
	int rc;

	if (n == 0)
		return 0;
	w->nrows = 0;
	if ((st = rows_stmt(w, n, err)) == NULL)
		return -1;
	bind_shared(w, st);
	for (i = 0; i < n; i++)
		bind_row(st, 4 + (int)i * ROW_PARAMS, &w->rows[i], w->tids[i]);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(w->s, "item insert",
	    err);
}

int
plan_writer_flush(struct plan_writer *w, struct lf_error *err)
{
	if (w->pg != NULL)
		return pg_plan_writer_flush(w->pg, err);
	if (flush_plans(w, err) != 0)
		return -1;
	return flush_rows(w, err);
}

/* The id of interned text body in texts (0 for NULL or ""): kept by the
 * writer, or looked up (and put there when new). */
static int
text_id(struct plan_writer *w, const char *body, int64_t *id,
    struct lf_error *err)
{
	struct text_ids *t = w->texts;
	size_t h, len;

	*id = 0;
	if (body == NULL || body[0] == '\0')
		return 0;
	h = lf_hash_str(body) & (TEXT_SLOTS - 1);
	while (t->body[h] != NULL) {
		if (strcmp(t->body[h], body) == 0) {
			*id = t->id[h];
			return 0;
		}
		h = (h + 1) & (TEXT_SLOTS - 1);
	}
	if (plan_text_id(w->s, body, id, err) != 0)
		return -1;
	len = strlen(body);
	/* out of memory: not kept, looked up again next time */
	if (t->n < TEXTS_MAX && (t->body[h] = mem_alloc(len + 1)) != NULL) {
		memcpy(t->body[h], body, len + 1);
		t->id[h] = *id;
		t->n++;
	}
	return 0;
}

int
plan_writer_item(struct plan_writer *w, const struct plan_row *r,
    struct lf_error *err)
{
	if (w->pg != NULL)
		return pg_plan_writer_item(w->pg, r, err);
	/* a full group of items goes alone: its plans may still wait, which
	 * only the bulk build's writes do, with foreign keys off */
	if (w->nrows == ROWS_MAX && flush_rows(w, err) != 0)
		return -1;
	if (text_id(w, r->measures, &w->tids[w->nrows][0], err) != 0 ||
	    text_id(w, r->effect_note, &w->tids[w->nrows][1], err) != 0)
		return -1;
	w->rows[w->nrows++] = *r;
	return 0;
}

int
plan_writer_plan(struct plan_writer *w, int64_t id, int64_t person_id,
    int64_t region, struct lf_error *err)
{
	if (w->pg != NULL)
		return pg_plan_writer_plan(w->pg, id, person_id, region, err);
	if (w->nplans == PLANS_MAX && flush_plans(w, err) != 0)
		return -1;
	w->plans[w->nplans][0] = id;
	w->plans[w->nplans][1] = person_id;
	w->plans[w->nplans++][2] = region;
	return 0;
}

int
plan_writer_fresh(struct plan_writer *w, int64_t lo, int64_t hi,
    int *none, int64_t *last_id, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (w->pg != NULL)
		return pg_plan_writer_fresh(w->pg, lo, hi, none, last_id, err);
	*none = 0;
	*last_id = 0;
	if ((st = plan_stmt(w->s, PS_PLAN_FRESH, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	sqlite3_bind_int(st, 3, w->year);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*none = sqlite3_column_int64(st, 0) == 0;
		*last_id = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_sqlite_error(w->s, "plan lookup",
	    err);
}

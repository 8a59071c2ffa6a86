/*
 * pg_plan_write.c - new plans and items of the bulk plan build as binary
 * COPY rows (pg_plan.h), the PostgreSQL side of plan_rows.h's writer.
 *
 * Rows are encoded as they are queued (so the texts they point to need
 * not outlive the call, unlike SQLite's writer's) and sent at a flush,
 * plans first, then items; the city and county of every row come from
 * its village. The build gives plans their ids (after the largest,
 * pg_plan_writer_fresh()); a flush moves plans_id_seq past them
 * (liangfu_plan_ids(), seq_past()), so that a plan made one at a time
 * (pg_plan_open(), nextval) never takes one.
 * Items are numbered by items_id_seq in the order they are sent.
 *
 * Row-level security refuses COPY into a table it guards (the app
 * role's build). A scoped build (liangfu.region set) therefore copies
 * into a temporary table of the same columns (made once a session) and
 * moves the rows with one INSERT, which the policy checks.
 */
#include "store/pg/pg_plan.h"
#include "store/pg/pg_int.h"
#include "store/plan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_BYTES	((size_t)8 << 20)	/* items waiting, at most */

#define FROM_STDIN	") FROM STDIN (FORMAT binary)"
#define PLANS_IN	"(city, county, " PLAN_NEW_COLS FROM_STDIN
#define ITEMS_IN	"(city, county, " PLAN_ROW_COLS FROM_STDIN

/* A table's COPY, directly or (scoped) through its temporary table. */
static const struct dest {
	const char	*copy, *scoped_copy;
	const char	*make, *move;
} plans_dest = {
	"COPY plans " PLANS_IN, "COPY lf_plans_in " PLANS_IN,
	"CREATE TEMP TABLE IF NOT EXISTS lf_plans_in (LIKE plans INCLUDING "
	"DEFAULTS)",
	"WITH m AS (DELETE FROM lf_plans_in RETURNING *) INSERT INTO plans "
	"SELECT * FROM m"
}, items_dest = {
	"COPY items " ITEMS_IN, "COPY lf_items_in " ITEMS_IN,
	"CREATE TEMP TABLE IF NOT EXISTS lf_items_in (LIKE items INCLUDING "
	"DEFAULTS)",
	"WITH m AS (DELETE FROM lf_items_in RETURNING *) INSERT INTO items "
	"SELECT * FROM m"
};
/* the state of a new item, in PLAN_ROW_COLS's order after updated_by */
static const int64_t new_state[] = { PLAN_ROW_STATE };
#define NSTATE		(sizeof(new_state) / sizeof(new_state[0]))
#define ITEM_NCOLS	(2 + 19 + NSTATE)

struct pg_plan_writer {
	struct store		*s;
	int			 year;
	const char		*actor;
	int64_t			 t;		/* now, Unix seconds */
	struct buf		 plans, items;
	int64_t			 last_plan;	/* largest id queued */
	int			 scoped;	/* through temporary tables */
	int			 made;		/* they exist */
};

struct pg_plan_writer *
pg_plan_writer_new(struct store *s, int year, const char *actor, int64_t t)
{
	struct pg_plan_writer *w = mem_calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->s = s;
	w->year = year;
	w->actor = actor != NULL ? actor : "";
	w->t = t;
	w->scoped = s->pg->scope[0] != '\0';
	buf_init(&w->plans, (size_t)1 << 30);
	buf_init(&w->items, (size_t)1 << 30);
	return w;
}

void
pg_plan_writer_free(struct pg_plan_writer *w)
{
	if (w == NULL)
		return;
	buf_free(&w->plans);
	buf_free(&w->items);
	mem_free(w);
}

/* Text t, NULL when empty (as SQLite's writer binds it). */
static int
put_opt(struct buf *b, const char *t)
{
	return t != NULL && t[0] != '\0' ? pg_put_text(b, t) :
	    pg_put_field(b, NULL, 0);
}

static int
item_row(struct pg_plan_writer *w, const struct plan_row *r)
{
	struct buf *b = &w->items;
	size_t i;

	if (pg_row_head(b, (int)ITEM_NCOLS, r->region) != 0 ||
	    pg_put_int(b, r->plan_id, 8) || pg_put_int(b, r->person_id, 8) ||
	    pg_put_int(b, w->year, 8) || pg_put_int(b, r->region, 8) ||
	    pg_put_int(b, r->seq, 8) || put_opt(b, r->policy) ||
	    put_opt(b, r->needs) || pg_put_int(b, r->origin, 8) ||
	    put_opt(b, r->dept) || put_opt(b, r->org) ||
	    put_opt(b, r->contact) || pg_put_int(b, r->month, 8) ||
	    pg_put_int(b, r->funds, 8) || pg_put_int(b, r->monthly, 8) ||
	    put_opt(b, r->measures) || (r->cf != 0 ? pg_put_int(b, r->cf, 8) :
	    pg_put_field(b, NULL, 0)) || put_opt(b, r->effect_note) ||
	    pg_put_int(b, w->t, 8) || pg_put_text(b, w->actor))
		return -1;
	for (i = 0; i < NSTATE; i++)
		if (pg_put_int(b, new_state[i], 8) != 0)
			return -1;
	return 0;
}

int
pg_plan_writer_item(struct pg_plan_writer *w, const struct plan_row *r,
    struct lf_error *err)
{
	if (item_row(w, r) != 0)
		return lf_error_nomem(err);
	if (w->items.len >= FLUSH_BYTES)
		return pg_plan_writer_flush(w, err);
	return 0;
}

int
pg_plan_writer_plan(struct pg_plan_writer *w, int64_t id, int64_t person_id,
    int64_t region, struct lf_error *err)
{
	struct buf *b = &w->plans;

	if (pg_row_head(b, 12, region) != 0 || pg_put_int(b, id, 8) ||
	    pg_put_int(b, person_id, 8) || pg_put_int(b, region, 8) ||
	    pg_put_int(b, w->year, 8) || pg_put_int(b, 1, 8) ||
	    pg_put_int(b, 1, 8) || pg_put_int(b, w->t, 8) ||
	    pg_put_text(b, w->actor) || pg_put_int(b, w->t, 8) ||
	    pg_put_text(b, w->actor))
		return lf_error_nomem(err);
	if (id > w->last_plan)
		w->last_plan = id;
	return 0;
}

/* The temporary tables of a scoped build, once. */
static int
make_temp(struct pg_plan_writer *w, struct lf_error *err)
{
	if (w->made)
		return 0;
	if (pg_exec(w->s->pg->conn, plans_dest.make, "plan insert", err) != 0 ||
	    pg_exec(w->s->pg->conn, items_dest.make, "item insert", err) != 0)
		return -1;
	w->made = 1;
	return 0;
}

/* Sends b's rows to d. */
static int
send(struct pg_plan_writer *w, struct buf *b, const struct dest *d,
    const char *what, struct lf_error *err)
{
	PGconn *c = w->s->pg->conn;
	int rc;

	if (b->len == 0)
		return 0;
	if (pg_put_be(b, 0xffff, 2) != 0)
		return lf_error_nomem(err);
	if (!w->scoped)
		rc = pg_copy_send(c, d->copy, b->data, b->len, what, err);
	else
		rc = make_temp(w, err) != 0 || pg_copy_send(c, d->scoped_copy,
		    b->data, b->len, what, err) != 0 || pg_exec(c, d->move,
		    what, err) != 0 ? -1 : 0;
	buf_reset(b);
	return rc;
}

/* Moves plans_id_seq past the largest plan id sent, through
 * liangfu_plan_ids() (pg_schema.c), the one way to move it (the app role
 * has no UPDATE on it), which wants the plan build lock (held since
 * pg_plan_bulk_begin()) and a next id no further than the largest plan's
 * + 1: the plans just sent are in the table. */
static int
seq_past(struct pg_plan_writer *w, struct lf_error *err)
{
	char id[24];
	const char *params[1] = { id };
	PGresult *r;

	snprintf(id, sizeof(id), "%lld", (long long)w->last_plan);
	if (pg_query(w->s->pg->conn, "SELECT liangfu_plan_ids('plans', "
	    "greatest($1::bigint + 1, (SELECT CASE WHEN is_called THEN "
	    "last_value + 1 ELSE last_value END FROM plans_id_seq)))", 1,
	    params, &r, "plan ids", err) != 0)
		return -1;
	PQclear(r);
	return 0;
}

int
pg_plan_writer_flush(struct pg_plan_writer *w, struct lf_error *err)
{
	int sent = w->plans.len > 0;

	if (send(w, &w->plans, &plans_dest, "plan insert", err) != 0 ||
	    (sent && seq_past(w, err) != 0))
		return -1;
	return send(w, &w->items, &items_dest, "item insert", err);
}

int
pg_plan_writer_fresh(struct pg_plan_writer *w, int64_t lo, int64_t hi,
    int *none, int64_t *last_id, struct lf_error *err)
{
	char a[24], b[24], y[16];
	const char *params[3] = { a, b, y };
	PGresult *r;

	*none = 0;
	*last_id = 0;
	snprintf(a, sizeof(a), "%lld", (long long)lo);
	snprintf(b, sizeof(b), "%lld", (long long)hi);
	snprintf(y, sizeof(y), "%d", w->year);
	if (pg_query(w->s->pg->conn, "SELECT NOT EXISTS (SELECT 1 FROM plans "
	    "WHERE person_id BETWEEN $1 AND $2 AND year = $3), (SELECT CASE "
	    "WHEN is_called THEN last_value ELSE last_value - 1 END FROM "
	    "plans_id_seq)", 3, params, &r, "plan lookup", err) != 0)
		return -1;
	*none = PQgetvalue(r, 0, 0)[0] == 't';
	*last_id = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	PQclear(r);
	/* a refresh: the range's plans and items in two round trips, not
	 * two a person */
	return *none ? 0 : pg_plan_prefetch(w->s, w->year, lo, hi, err);
}

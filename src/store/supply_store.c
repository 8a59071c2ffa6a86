/*
 * supply_store.c - stock, distribution lists, gaps and issues
 * (supply_store.h).
 */
#include "store/store_int.h"
#include "store/supply_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "plan/planner.h"
#include "store/audit.h"
#include "store/insight_scan.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS supply_stock ("
	" county TEXT NOT NULL, item TEXT NOT NULL, year INTEGER NOT NULL,"
	" quantity INTEGER NOT NULL CHECK (quantity >= 0),"
	" version INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" updated_by TEXT NOT NULL, PRIMARY KEY (county, item, year));"
	"CREATE TABLE IF NOT EXISTS supply_stock_history ("
	" id INTEGER PRIMARY KEY, county TEXT NOT NULL, item TEXT NOT NULL,"
	" year INTEGER NOT NULL, old INTEGER, new INTEGER NOT NULL,"
	" actor TEXT NOT NULL, at INTEGER NOT NULL);";

int
supply_init(struct store *s, struct lf_error *err)
{
	if (sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "supply_init", err);
	return 0;
}

static int
prep(struct store *s, const char *sql, sqlite3_stmt **st,
    struct lf_error *err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return store_sqlite_error(s, "supply", err);
	}
	return 0;
}

/* ---- stock ---------------------------------------------------------- */

static int
stock_one(struct store *s, sqlite3_stmt *old, sqlite3_stmt *up,
    sqlite3_stmt *hist, const struct supply_stock *r, const char *actor,
    int64_t now, struct lf_error *err)
{
	int has, rc;
	int64_t prev = 0;

	sqlite3_bind_text(old, 1, r->county, -1, SQLITE_STATIC);
	sqlite3_bind_text(old, 2, r->item->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(old, 3, r->year);
	has = sqlite3_step(old) == SQLITE_ROW;
	if (has)
		prev = sqlite3_column_int64(old, 0);
	sqlite3_reset(old);
	if (has && prev == r->quantity)
		return 0;
	sqlite3_bind_text(up, 1, r->county, -1, SQLITE_STATIC);
	sqlite3_bind_text(up, 2, r->item->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(up, 3, r->year);
	sqlite3_bind_int64(up, 4, r->quantity);
	sqlite3_bind_int64(up, 5, now);
	sqlite3_bind_text(up, 6, actor, -1, SQLITE_STATIC);
	rc = sqlite3_step(up);
	sqlite3_reset(up);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "supply stock", err);
	sqlite3_bind_text(hist, 1, r->county, -1, SQLITE_STATIC);
	sqlite3_bind_text(hist, 2, r->item->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(hist, 3, r->year);
	if (has)
		sqlite3_bind_int64(hist, 4, prev);
	else
		sqlite3_bind_null(hist, 4);
	sqlite3_bind_int64(hist, 5, r->quantity);
	sqlite3_bind_text(hist, 6, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(hist, 7, now);
	rc = sqlite3_step(hist);
	sqlite3_reset(hist);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "supply history",
	    err);
}

static int
stock_audit(struct store *s, size_t n, const char *actor,
    struct lf_error *err)
{
	struct audit_entry e;
	char detail[64];

	snprintf(detail, sizeof(detail), "rows=%zu", n);
	memset(&e, 0, sizeof(e));
	e.actor = actor;
	e.action = "supply.stock";
	e.target_type = "supply";
	e.result = "ok";
	e.detail = detail;
	return audit_append(s, &e, err);
}

int
supply_stock_put(struct store *s, const struct supply_stock *rows,
    size_t n, const char *actor, struct lf_error *err)
{
	sqlite3_stmt *old = NULL, *up = NULL, *hist = NULL;
	int64_t now = (int64_t)time(NULL);
	size_t i;
	int rc = -1;

	if (store_begin(s, err) != 0)
		return -1;
	if (prep(s, "SELECT quantity FROM supply_stock WHERE county = ?1 AND "
	    "item = ?2 AND year = ?3", &old, err) != 0 ||
	    prep(s, "INSERT INTO supply_stock(county, item, year, quantity, "
	    "version, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, 1, ?5, "
	    "?6) ON CONFLICT (county, item, year) DO UPDATE SET quantity = "
	    "?4, version = version + 1, updated_at = ?5, updated_by = ?6", &up,
	    err) != 0 ||
	    prep(s, "INSERT INTO supply_stock_history(county, item, year, old,"
	    " new, actor, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &hist,
	    err) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (stock_one(s, old, up, hist, &rows[i], actor, now, err) != 0)
			goto out;
	rc = stock_audit(s, n, actor, err);
out:
	sqlite3_finalize(old);
	sqlite3_finalize(up);
	sqlite3_finalize(hist);
	if (rc != 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err);
}

int
supply_stock_get(struct store *s, const char *county, const char *item,
    int year, int64_t *qty, struct lf_error *err)
{
	sqlite3_stmt *st;
	int step;

	*qty = 0;
	if (prep(s, "SELECT quantity FROM supply_stock WHERE county = ?1 AND "
	    "item = ?2 AND year = ?3", &st, err) != 0)
		return -1;
	sqlite3_bind_text(st, 1, county, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, item, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, year);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*qty = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_sqlite_error(s, "supply stock", err);
	return 0;
}

/* ---- who is closed, who was served ---------------------------------- */

struct idset {
	int64_t		*id;
	char		(*county)[7];
	size_t		 n, cap;
};

static void
idset_free(struct idset *x)
{
	mem_free(x->id);
	mem_free(x->county);
	memset(x, 0, sizeof(*x));
}

static int
idset_add(struct idset *x, int64_t id, const char *region)
{
	int64_t *ni;
	char (*nc)[7];

	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 256;
		ni = mem_realloc(x->id, x->cap * sizeof(*ni));
		if (ni == NULL)
			return -1;
		x->id = ni;
		nc = mem_realloc(x->county, x->cap * sizeof(*nc));
		if (nc == NULL)
			return -1;
		x->county = nc;
	}
	x->id[x->n] = id;
	snprintf(x->county[x->n], 7, "%.6s", region);
	x->n++;
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
idset_has(const struct idset *x, int64_t id)
{
	return x->n > 0 && bsearch(&id, x->id, x->n, sizeof(*x->id),
	    cmp_i64) != NULL;
}

/* Persons (ascending) with a delivered item of the policy naming the
 * need: in `year` (closed) or, when earlier, before it (served). */
static int
load_set(struct store *s, const struct supply_item *it, int year,
    int earlier, struct idset *x, struct lf_error *err)
{
	char need[80];
	sqlite3_stmt *st;
	int step;

	snprintf(need, sizeof(need), ",%s,", it->need->code);
	if (prep(s, earlier ? "SELECT DISTINCT i.person_id, p.region FROM "
	    "items i JOIN persons p ON p.id = i.person_id WHERE i.year < ?1 "
	    "AND i.policy = ?2 AND i.decision = 1 AND EXISTS (SELECT 1 FROM "
	    "deliveries d WHERE d.item_id = i.id) ORDER BY 1" :
	    "SELECT DISTINCT i.person_id, p.region FROM items i JOIN persons p"
	    " ON p.id = i.person_id WHERE i.year = ?1 AND i.policy = ?2 AND "
	    "instr(',' || coalesce(i.needs, '') || ',', ?3) > 0 AND EXISTS "
	    "(SELECT 1 FROM deliveries d WHERE d.item_id = i.id) ORDER BY 1",
	    &st, err) != 0)
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, it->policy->code, -1, SQLITE_STATIC);
	if (!earlier)
		sqlite3_bind_text(st, 3, need, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (idset_add(x, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1)) != 0) {
			sqlite3_finalize(st);
			return lf_error_nomem(err);
		}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return store_sqlite_error(s, "supply closed", err);
	return 0;
}

static int64_t
issued_in(const struct idset *closed, const char *county)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < closed->n; i++)
		n += strcmp(closed->county[i], county) == 0;
	return n;
}

/* ---- the list ------------------------------------------------------- */

struct lctx {
	const struct supply		*sp;
	const struct supply_item	*it;
	int				 year, today;
	struct idset			 closed, served;
	struct supply_list		*out;
	size_t				 cap;
	int				 f_fill, f_grade, f_birth;
};

static int
num_of(const struct record *r, int f, int64_t dflt)
{
	return f >= 0 && r->set[f] ? (int)r->num[f] : (int)dflt;
}

static int
list_person(void *arg, const struct insight_person *p, const struct record *r)
{
	struct lctx *c = arg;
	struct supply_cand *v, *nv;
	struct expr_ctx ctx;
	int fill;

	if (p->status != PERSON_ACTIVE || idset_has(&c->closed, p->id))
		return 0;
	planner_ctx(r, c->year, p->region, NULL, &ctx);
	if (!expr_eval_ctx(c->it->demand, r, &ctx))
		return 0;
	if (c->out->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		nv = mem_realloc(c->out->v, c->cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		c->out->v = nv;
	}
	v = &c->out->v[c->out->n++];
	memset(v, 0, sizeof(*v));
	v->person_id = p->id;
	memcpy(v->uid, p->uid, sizeof(v->uid));
	memcpy(v->region, p->region, sizeof(v->region));
	fill = num_of(r, c->f_fill, ctx.ref_days);
	v->survey_days = fill;
	v->served = idset_has(&c->served, p->id);
	v->severe = num_of(r, c->f_grade, 9) <= 2;
	v->age = c->f_birth >= 0 && r->set[c->f_birth] ?
	    date_age((int)r->num[c->f_birth], c->today) : -1;
	v->priority = supply_priority(c->sp, r, &ctx, c->today > fill ?
	    c->today - fill : 0, v->served);
	return 0;
}

static int
field_ix(const struct catalog *cat, const char *code)
{
	const struct field *f = catalog_find(cat, code, strlen(code));

	return f ? f->index : -1;
}

int
supply_list_build(struct store *s, const struct supply *sp,
    const struct supply_item *it, const char *county, int year, int today,
    struct supply_list *out, struct lf_error *err)
{
	const struct region *in = s->regions ? regions_find(s->regions,
	    county) : NULL;
	struct lctx c;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (in == NULL || in->level != RL_COUNTY)
		return lf_error_set(err, "invalid", "county", "应为区县代码 "
		    "(must be a county code)");
	c.sp = sp;
	c.it = it;
	c.year = year;
	c.today = today;
	c.out = out;
	c.f_fill = field_ix(s->cat, "fill_date");
	c.f_grade = field_ix(s->cat, "disability_grade");
	c.f_birth = field_ix(s->cat, "birth_date");
	if (load_set(s, it, year, 0, &c.closed, err) != 0 ||
	    load_set(s, it, year, 1, &c.served, err) != 0 ||
	    supply_stock_get(s, in->code, it->code, year, &out->stock,
	    err) != 0)
		goto out;
	if (insight_scan(s, year, in, list_person, &c, err) != 0) {
		if (err->code == NULL)
			lf_error_nomem(err);
		goto out;
	}
	out->issued = issued_in(&c.closed, in->code);
	out->remaining = out->stock > out->issued ? out->stock - out->issued :
	    0;
	out->gap = (int64_t)out->n > out->remaining ? (int64_t)out->n -
	    out->remaining : 0;
	supply_rank(out->v, out->n, out->remaining);
	rc = 0;
out:
	idset_free(&c.closed);
	idset_free(&c.served);
	if (rc != 0) {
		mem_free(out->v);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

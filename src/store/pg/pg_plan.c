/*
 * pg_plan.c - what the bulk plan build reads on PostgreSQL, its
 * transactions, and a person's plan made or found (pg_plan.h).
 *
 * The scan has a connection of its own, scoped for its whole life to
 * the store's region (row-level security), with its two statements
 * prepared once: a page of the year's surveys after a person id, in
 * person order (index surveys_year), and the items to carry of a range
 * of persons (the partial index items_carry, PLAN_CARRY_WHERE).
 */
#include "store/pg/pg_plan.h"
#include "store/pg/pg_int.h"
#include "store/plan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_plan_scan {
	const struct catalog	*cat;
	PGconn			*c;
	int			 year, carry, scoped;
	char			 lo[13], hi[13];	/* villages, both in */
	struct record		*r;
	struct plan_carry	 cc;
};

#define SCAN_JOIN	" FROM surveys s JOIN persons p ON p.city = s.city AND " \
	"p.county = s.county AND p.id = s.person_id WHERE s.year = $1"
#define SCAN_SCOPE	" AND p.region COLLATE \"C\" BETWEEN $4 AND $5"

int
pg_plan_unsupported(const char *zh, const char *en, struct lf_error *err)
{
	return lf_error_set(err, "unsupported", "", "PostgreSQL 暂不支持%s "
	    "(on PostgreSQL the plan build makes, keeps, updates and "
	    "deletes plans' items; %s is not implemented yet: see "
	    "docs/postgresql.md)", zh, en);
}

/* Runs the prepared statement name with the scan's year, a and b (and
 * the scope's bounds). */
static int
scan_exec(struct pg_plan_scan *sc, const char *name, int64_t a, int64_t b,
    PGresult **out, struct lf_error *err)
{
	char year[16], sa[24], sb[24];
	const char *params[5] = { year, sa, sb, sc->lo, sc->hi };
	PGresult *r;

	snprintf(year, sizeof(year), "%d", sc->year);
	snprintf(sa, sizeof(sa), "%lld", (long long)a);
	snprintf(sb, sizeof(sb), "%lld", (long long)b);
	r = PQexecPrepared(sc->c, name, sc->scoped ? 5 : 3, params, NULL,
	    NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_error(sc->c, r, "plan build", err);
		PQclear(r);
		return -1;
	}
	*out = r;
	return 0;
}

static int
prepare(struct pg_plan_scan *sc, const char *name, const char *sql,
    struct lf_error *err)
{
	PGresult *r = PQprepare(sc->c, name, sql, 0, NULL);
	int rc = 0;

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = pg_error(sc->c, r, "plan build", err);
	PQclear(r);
	return rc;
}

/* The page, count and carry statements; $3 is unused by some but every
 * statement takes the same parameters. */
static int
scan_prepare(struct pg_plan_scan *sc, struct lf_error *err)
{
	struct buf sql;
	int rc;

	buf_init(&sql, 1 << 16);
	rc = buf_adds(&sql, "SELECT s.person_id, p.region") != 0 ||
	    pg_survey_cols(sc->cat, "s", &sql) != 0 ||
	    buf_adds(&sql, SCAN_JOIN " AND s.person_id > $2") != 0 ||
	    (sc->scoped && buf_adds(&sql, SCAN_SCOPE) != 0) ||
	    buf_adds(&sql, " ORDER BY s.person_id LIMIT $3") != 0 ?
	    lf_error_nomem(err) : prepare(sc, "page", buf_str(&sql), err);
	buf_free(&sql);
	if (rc != 0)
		return -1;
	if (prepare(sc, "count", sc->scoped ? "SELECT count(*)" SCAN_JOIN
	    " AND $2::bigint = $3::bigint" SCAN_SCOPE : "SELECT count(*) FROM "
	    "surveys s WHERE s.year = $1 AND $2::bigint = $3::bigint",
	    err) != 0)
		return -1;
	return prepare(sc, "carry", sc->scoped ? "SELECT " PLAN_CAND_COLS_PG
	    " FROM items WHERE year = $1::int - 1 AND person_id > $2 AND "
	    "person_id <= $3 AND $4::text <= $5::text AND " PLAN_CARRY_WHERE
	    " ORDER BY person_id, seq" : "SELECT " PLAN_CAND_COLS_PG " FROM "
	    "items WHERE year = $1::int - 1 AND person_id > $2 AND person_id <= $3 "
	    "AND " PLAN_CARRY_WHERE " ORDER BY person_id, seq", err);
}

/* Whether any item of the year before is to be carried. */
static int
any_carry(struct pg_plan_scan *sc, struct lf_error *err)
{
	char year[16];
	const char *params[1] = { year };
	PGresult *r;

	snprintf(year, sizeof(year), "%d", sc->year - 1);
	if (pg_query(sc->c, "SELECT 1 FROM items WHERE year = $1 AND "
	    PLAN_CARRY_WHERE " LIMIT 1", 1, params, &r, "plan build",
	    err) != 0)
		return -1;
	sc->carry = PQntuples(r) > 0;
	PQclear(r);
	return 0;
}

/* The scan's connection, in the store's scope for the session. */
static int
scan_connect(struct pg_plan_scan *sc, const struct pgstore *p,
    struct lf_error *err)
{
	const char *params[1] = { p->scope };
	PGresult *r;

	if (pg_connect(p->url, &sc->c, err) != 0)
		return -1;
	/* a page is 512 surveys in person order, each joined to its person
	 * by key: without this the planner (a generic plan, or statistics
	 * not yet gathered after a load) merges the whole persons table
	 * sorted, 300 ms a page at 100,000 persons instead of 9 */
	if (pg_exec(sc->c, "SET enable_mergejoin = off; SET enable_hashjoin "
	    "= off", "plan build", err) != 0)
		return -1;
	if (p->scope[0] == '\0')
		return 0;
	if (pg_query(sc->c, "SELECT set_config('liangfu.region', $1, false)",
	    1, params, &r, "scope", err) != 0)
		return -1;
	PQclear(r);
	return 0;
}

int
pg_plan_scan_open(struct store *s, int year, const struct region *in,
    struct pg_plan_scan **out, struct lf_error *err)
{
	struct pg_plan_scan *sc = mem_calloc(1, sizeof(*sc));

	*out = NULL;
	if (sc == NULL)
		return lf_error_nomem(err);
	sc->cat = s->cat;
	sc->year = year;
	if (in != NULL) {
		sc->scoped = 1;
		plan_village_pad(sc->lo, in->code, '0');
		plan_village_pad(sc->hi, in->code, '9');
	}
	if ((sc->r = record_new(sc->cat)) == NULL)
		lf_error_nomem(err);
	else if (scan_connect(sc, s->pg, err) == 0 &&
	    scan_prepare(sc, err) == 0 && any_carry(sc, err) == 0) {
		*out = sc;
		return 0;
	}
	pg_plan_scan_close(sc);
	return -1;
}

void
pg_plan_scan_close(struct pg_plan_scan *sc)
{
	if (sc == NULL)
		return;
	PQfinish(sc->c);
	record_free(sc->r);
	mem_free(sc);
}

int
pg_plan_scan_any_carry(const struct pg_plan_scan *sc)
{
	return sc->carry;
}

int
pg_plan_scan_count(struct pg_plan_scan *sc, int64_t *n,
    struct lf_error *err)
{
	PGresult *r;

	*n = 0;
	if (scan_exec(sc, "count", 0, 0, &r, err) != 0)
		return -1;
	*n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

int
pg_plan_scan_page(struct pg_plan_scan *sc, int64_t after, int limit,
    plan_survey_fn fn, void *arg, int *n, int64_t *last,
    struct lf_error *err)
{
	PGresult *r;
	const char *id;
	int i, rc = 0;

	*n = 0;
	*last = after;
	if (scan_exec(sc, "page", after, limit, &r, err) != 0)
		return -1;
	for (i = 0; i < PQntuples(r) && rc == 0; i++) {
		id = PQgetvalue(r, i, 0);
		rc = pg_survey_read(sc->cat, r, i, 2, sc->r, id, err);
		if (rc == 0)
			rc = fn(arg, strtoll(id, NULL, 10), PQgetvalue(r, i, 1),
			    sc->r);
		*last = strtoll(id, NULL, 10);
		(*n)++;
	}
	PQclear(r);
	return rc != 0 ? -1 : 0;
}

/* Column col of row i into out (size n), cut to fit; "" for NULL. */
static void
copy_val(const PGresult *r, int i, int col, char *out, size_t n)
{
	size_t len = strnlen(PQgetvalue(r, i, col), n - 1);

	memcpy(out, PQgetvalue(r, i, col), len);
	out[len] = '\0';
}

/* A PLAN_CAND_COLS_PG row into c. */
static void
carry_row(const PGresult *r, int i, struct plan_carry *c)
{
	int64_t left;

	c->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	c->person_id = strtoll(PQgetvalue(r, i, 1), NULL, 10);
	copy_val(r, i, 2, c->policy, sizeof(c->policy));
	copy_val(r, i, 3, c->needs, sizeof(c->needs));
	copy_val(r, i, 4, c->dept, sizeof(c->dept));
	copy_val(r, i, 5, c->org, sizeof(c->org));
	copy_val(r, i, 6, c->contact, sizeof(c->contact));
	copy_val(r, i, 7, c->measures, sizeof(c->measures));
	left = strtoll(PQgetvalue(r, i, 8), NULL, 10) -
	    strtoll(PQgetvalue(r, i, 9), NULL, 10);
	c->funds = left > 0 ? left : 0;
	c->monthly = atoi(PQgetvalue(r, i, 10));
}

int
pg_plan_scan_carry(struct pg_plan_scan *sc, int64_t from, int64_t to,
    plan_carry_fn fn, void *arg, struct lf_error *err)
{
	PGresult *r;
	int i, rc = 0;

	if (scan_exec(sc, "carry", from, to, &r, err) != 0)
		return -1;
	for (i = 0; i < PQntuples(r) && rc == 0; i++) {
		carry_row(r, i, &sc->cc);
		rc = fn(arg, &sc->cc);
	}
	PQclear(r);
	return rc != 0 ? -1 : 0;
}

/* ---- the bulk transactions ------------------------------------------ */

int
pg_plan_bulk_begin(struct store *s, struct lf_error *err)
{
	if (s->pg->in_tx)
		return lf_error_set(err, "internal", "", "事务已开始 "
		    "(transaction already open)");
	if (pg_tx_begin(s, 1, err) < 0)
		return -1;
	if (pg_exec(s->pg->conn, "SELECT pg_advisory_xact_lock("
	    PG_PLAN_LOCK ")", "plan build lock", err) != 0) {
		pg_tx_end(s, 1, NULL);
		return -1;
	}
	return 0;
}

int
pg_plan_bulk_chunk(struct store *s, struct lf_error *err)
{
	if (pg_tx_end(s, 1, err) != 0)
		return -1;
	return pg_plan_bulk_begin(s, err);
}

int
pg_plan_bulk_end(struct store *s, int rc, struct lf_error *err)
{
	pg_plan_cache_drop(s);
	if (!s->pg->in_tx)
		return rc;
	if (rc == 0)
		return pg_tx_end(s, 1, err);
	pg_tx_end(s, 1, NULL);
	return rc;
}

/* ---- a person's plan, and what a merge compares -------------------- */

void
pg_plan_row(const PGresult *r, int i, struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	p->person_id = strtoll(PQgetvalue(r, i, 1), NULL, 10);
	p->year = atoi(PQgetvalue(r, i, 2));
	p->status = atoi(PQgetvalue(r, i, 3));
	p->version = strtoll(PQgetvalue(r, i, 4), NULL, 10);
	plan_time_iso(strtoll(PQgetvalue(r, i, 5), NULL, 10), p->created_at);
	copy_val(r, i, 6, p->created_by, sizeof(p->created_by));
	plan_time_iso(strtoll(PQgetvalue(r, i, 7), NULL, 10), p->updated_at);
	copy_val(r, i, 8, p->updated_by, sizeof(p->updated_by));
	plan_time_iso(strtoll(PQgetvalue(r, i, 9), NULL, 10),
	    p->confirmed_at);
	copy_val(r, i, 10, p->confirmed_by, sizeof(p->confirmed_by));
}

/* ---- the prefetched range ------------------------------------------ */

/* The person's plans and items (person_id in column PLAN_PERSON and
 * PG_ITEM_PERSON, pg_int.h), each ordered by person. */
#define PLAN_PERSON	1
#define ITEM_PERSON	PG_ITEM_PERSON

void
pg_plan_cache_drop(struct store *s)
{
	PQclear(s->pg->cache_plans);
	PQclear(s->pg->cache_items);
	s->pg->cache_plans = s->pg->cache_items = NULL;
	s->pg->light_from = s->pg->light_to = 0;
}

int
pg_plan_prefetch(struct store *s, int year, int64_t lo, int64_t hi,
    struct lf_error *err)
{
	struct pgstore *p = s->pg;
	char a[24], b[24], y[16];
	const char *params[3] = { y, a, b };

	pg_plan_cache_drop(s);
	snprintf(y, sizeof(y), "%d", year);
	snprintf(a, sizeof(a), "%lld", (long long)lo);
	snprintf(b, sizeof(b), "%lld", (long long)hi);
	if (pg_query(p->conn, "SELECT " PLAN_COLS " FROM plans WHERE year = "
	    "$1 AND person_id BETWEEN $2 AND $3 ORDER BY person_id", 3,
	    params, &p->cache_plans, "plans", err) != 0 ||
	    pg_query(p->conn, "SELECT " PLAN_LIGHT_COLS ", person_id, city, "
	    "county FROM "
	    "items WHERE year = $1 AND person_id BETWEEN $2 AND $3 ORDER BY "
	    "person_id, seq", 3, params, &p->cache_items, "items", err) != 0) {
		pg_plan_cache_drop(s);
		return -1;
	}
	p->cache_lo = lo;
	p->cache_hi = hi;
	p->cache_year = year;
	return 0;
}

/* 1 when the prefetched range holds person_id's rows of year. */
static int
cached(const struct pgstore *p, int year, int64_t person_id)
{
	return p->cache_items != NULL && p->cache_year == year &&
	    person_id >= p->cache_lo && person_id <= p->cache_hi;
}

/* The first row of r whose column col (a person id) is not below id. */
static int
first_of(const PGresult *r, int col, int64_t id)
{
	int lo = 0, hi = PQntuples(r), mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strtoll(PQgetvalue(r, mid, col), NULL, 10) < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* 1 when row i of r exists and is person id's. */
static int
is_of(const PGresult *r, int i, int col, int64_t id)
{
	return i < PQntuples(r) && strtoll(PQgetvalue(r, i, col), NULL, 10) ==
	    id;
}

/* The plan of person and year into p: 0, or 1 when there is none. */
static int
plan_find(struct store *s, const char *const *params, struct plan *p,
    struct lf_error *err)
{
	PGresult *r;
	int rc;

	if (pg_query(s->pg->conn, "SELECT " PLAN_COLS " FROM plans WHERE "
	    "city = $1 AND county = $2 AND person_id = $3 AND year = $4", 4,
	    params,
	    &r, "plan", err) != 0)
		return -1;
	rc = PQntuples(r) == 1 ? 0 : 1;
	if (rc == 0)
		pg_plan_row(r, 0, p);
	PQclear(r);
	return rc;
}

int
pg_plan_open(struct store *s, int64_t person_id, int year,
    const char *region, const char *actor, const struct plan_clock *now,
    struct plan *p, int *created, struct lf_error *err)
{
	char city[5], county[7], pid[24], y[16], reg[24], t[24];
	const char *params[7] = { city, county, pid, y, reg, t,
	    actor != NULL ? actor : "" };
	PGresult *r;
	int i, rc;

	*created = 0;
	i = cached(s->pg, year, person_id) ? first_of(s->pg->cache_plans,
	    PLAN_PERSON, person_id) : -1;
	if (i >= 0 && is_of(s->pg->cache_plans, i, PLAN_PERSON, person_id)) {
		pg_plan_row(s->pg->cache_plans, i, p);
		return 0;
	}
	snprintf(city, sizeof(city), "%.4s", region);
	snprintf(county, sizeof(county), "%.6s", region);
	snprintf(pid, sizeof(pid), "%lld", (long long)person_id);
	snprintf(y, sizeof(y), "%d", year);
	snprintf(reg, sizeof(reg), "%lld", (long long)plan_region_num(region));
	snprintf(t, sizeof(t), "%lld", (long long)now->t);
	/* looked up first (unless the prefetch says it is not there): an
	 * insert that finds the plan would still take an id from the
	 * sequence */
	if (i < 0 && (rc = plan_find(s, params, p, err)) != 1)
		return rc;
	if (pg_query(s->pg->conn, "INSERT INTO plans(city, county, person_id, "
	    "year, region, status, version, created_at, created_by, "
	    "updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, 1, 1, $6, $7, "
	    "$6, $7) RETURNING " PLAN_COLS, 7, params, &r, "plan insert",
	    err) != 0)
		return -1;
	rc = PQntuples(r) == 1 ? 0 : plan_not_found("plan", 0, err);
	if (rc == 0) {
		pg_plan_row(r, 0, p);
		*created = 1;
	}
	PQclear(r);
	return rc;
}

/* Rows from..to of r (PLAN_LIGHT_COLS) to fn. */
static int
light_rows(const PGresult *r, int from, int to, plan_light_fn fn, void *arg)
{
	struct plan_light o;
	int i, rc = 0;

	for (i = from; i < to && rc == 0; i++) {
		o.id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		o.seq = atoi(PQgetvalue(r, i, 1));
		copy_val(r, i, 2, o.policy, sizeof(o.policy));
		copy_val(r, i, 3, o.needs, sizeof(o.needs));
		o.origin = atoi(PQgetvalue(r, i, 4));
		o.decision = atoi(PQgetvalue(r, i, 5));
		o.edited = atoi(PQgetvalue(r, i, 6));
		o.carried_from = strtoll(PQgetvalue(r, i, 7), NULL, 10);
		copy_val(r, i, 8, o.dept, sizeof(o.dept));
		o.funds = strtoll(PQgetvalue(r, i, 9), NULL, 10);
		o.month = atoi(PQgetvalue(r, i, 10));
		o.monthly = atoi(PQgetvalue(r, i, 11));
		rc = fn(arg, &o);
	}
	return rc != 0 ? -1 : 0;
}

int
pg_plan_items_light(struct store *s, int year, int64_t person_id,
    plan_light_fn fn, void *arg, struct lf_error *err)
{
	const PGresult *c = s->pg->cache_items;
	char y[16], pid[24];
	const char *params[2] = { y, pid };
	PGresult *r;
	int i, j, rc;

	if (cached(s->pg, year, person_id)) {
		i = first_of(c, ITEM_PERSON, person_id);
		for (j = i; is_of(c, j, ITEM_PERSON, person_id); j++)
			;
		s->pg->light_from = i;
		s->pg->light_to = j;
		return light_rows(c, i, j, fn, arg);
	}
	snprintf(y, sizeof(y), "%d", year);
	snprintf(pid, sizeof(pid), "%lld", (long long)person_id);
	if (pg_query(s->pg->conn, "SELECT " PLAN_LIGHT_COLS " FROM items "
	    "WHERE year = $1 AND person_id = $2 ORDER BY seq", 2, params, &r,
	    "items", err) != 0)
		return -1;
	rc = light_rows(r, 0, PQntuples(r), fn, arg);
	PQclear(r);
	return rc;
}

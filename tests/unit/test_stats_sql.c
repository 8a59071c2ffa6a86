/*
 * test_stats_sql.c - the statistics engine loaded from a database
 * (store/stats_load.h) agrees with the same figures computed
 * independently, by hand-written SQL GROUP BY over that database.
 *
 * Two synthetic counties are seeded for two years: 彭州市 (510182) and
 * 泸定县 (513322); a tenth of the persons have no survey in the second
 * year, some moved out or died. Plans are built for both years, then a
 * third of them are decided (some items rejected), confirmed, delivered
 * or marked not done. For each year, for the province, a city, a county,
 * a township and a village, with and without filters, every table (every
 * catalog item, the three service tables, the KPIs, need vs supply) is
 * compared cell by cell with SQL. Then writes (a survey item, a person's
 * status, an item's status, a delivery) are followed by stats_refresh()
 * and the totals must move by exactly that write, and equal a fresh
 * load. Last, the error paths: corrupt rows, an unknown person, and
 * every allocation failing in turn.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/date.h"
#include "core/dept.h"
#include "core/disaster.h"
#include "lib/embedded.h"
#include "lib/mem.h"
#include "core/policy.h"
#include "stats/stats.h"
#include "synth/synth.h"
#include "plan/plan.h"
#include "store/plan.h"
#include "stats/stats_load.h"
#include "store/store.h"
#include "testutil.h"

#define Y1	2024
#define Y2	2025
#define NA	1500		/* persons of 彭州市 */
#define NB_	600		/* persons of 泸定县 */

static char dir[64], db[128];
static struct policies *ps;
static struct disaster *dis;

/* ---- seeding -------------------------------------------------------- */

static void
put(struct store *s, struct record *r, int year, int status)
{
	struct store_put p = { year, status, "seed", 0, 0 };
	struct store_put_result res;
	struct lf_error err;

	p.today = tu_days("2026-11-29");
	if (store_survey_put(s, r, &p, &res, &err) != 0)
		fail_msg("put %d: %s", year, err.message);
}

/* Persons of county for Y1 and (but every tenth) Y2; some leave. */
static void
seed(struct store *s, const char *county, uint64_t n, uint64_t seedv)
{
	struct lf_error err;
	struct synth *sy;
	struct record *r = record_new(tu_catalog());
	uint64_t i;
	int status;

	assert_int_equal(synth_new(tu_catalog(), tu_regions(),
	    regions_find(tu_regions(), county), seedv, tu_days("2026-11-29"),
	    &sy, &err), 0);
	assert_int_equal(synth_set_first_year(sy, Y1, &err), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(synth_person(sy, i, Y1, r, &err), 0);
		put(s, r, Y1, 0);
	}
	for (i = 0; i < n; i++) {
		if (i % 10 == 3)
			continue;
		status = i % 29 == 5 ? PERSON_MOVED_OUT : i % 31 == 7 ?
		    PERSON_DECEASED : 0;
		assert_int_equal(synth_person(sy, i, Y2, r, &err), 0);
		put(s, r, Y2, status);
	}
	synth_free(sy);
	record_free(r);
}

struct ids {
	int64_t		 v[256];
	size_t		 n;
};

static int
collect(void *arg, const struct plan_item *it)
{
	struct ids *ids = arg;

	if (ids->n < 256)
		ids->v[ids->n++] = it->id;
	return 0;
}

static void
item_change(struct store *s, int64_t id, struct plan_item_change *c)
{
	struct plan_item out;
	struct lf_error err;

	if (plan_item_update(s, id, c, 0, "worker", &out, &err) != 0)
		fail_msg("item %lld: %s", (long long)id, err.message);
}

/* Decides every item of the plan (every fourth rejected), confirms it,
 * then delivers to every second accepted item and marks every fifth not
 * done. */
static void
work_plan(struct store *s, int64_t plan_id, int year)
{
	struct plan_item_change c;
	struct plan_delivery d;
	struct plan_item it;
	struct lf_error err;
	struct plan p;
	struct ids ids;
	char date[16];
	size_t k;

	ids.n = 0;
	assert_int_equal(plan_items(s, plan_id, collect, &ids, &err), 0);
	for (k = 0; k < ids.n; k++) {
		memset(&c, 0, sizeof(c));
		c.set = PI_DECISION;
		c.decision = k % 4 == 3 ? DECISION_REJECTED : DECISION_ACCEPTED;
		c.decision_reason = "不需要";
		item_change(s, ids.v[k], &c);
	}
	if (plan_confirm(s, plan_id, 0, "officer", &p, &err) != 0)
		fail_msg("confirm: %s", err.message);
	snprintf(date, sizeof(date), "%d-03-15", year);
	for (k = 0; k < ids.n; k++) {
		if (k % 4 == 3)
			continue;
		if (k % 2 == 0 && plan_delivery_add(s, ids.v[k], date,
		    (int64_t)(1000 + 17 * k), "送达", NULL, "worker", &d, &it,
		    &err) != 0)
			fail_msg("delivery: %s", err.message);
		if (k % 5 == 1) {
			memset(&c, 0, sizeof(c));
			c.set = PI_STATUS;
			c.status = ITEM_NOT_DONE;
			c.status_reason = "联系不上";
			item_change(s, ids.v[k], &c);
		}
	}
}

/* Works a third of the year's plans. */
static void
work_plans(struct store *s, sqlite3 *h, int year)
{
	sqlite3_stmt *st;
	int64_t ids[4096];
	size_t n = 0, i;
	struct lf_error err;

	assert_int_equal(sqlite3_prepare_v2(h, "SELECT id FROM plans WHERE "
	    "year = ? AND person_id % 3 = 1 ORDER BY id", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_int(st, 1, year);
	while (sqlite3_step(st) == SQLITE_ROW && n < 4096)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	assert_true(n > 100);
	assert_int_equal(store_begin(s, &err), 0);
	for (i = 0; i < n; i++)
		work_plan(s, ids[i], year);
	assert_int_equal(store_commit(s, &err), 0);
}

static struct store *
open_store(void)
{
	struct lf_error err;
	struct store *s;

	if (store_open(db, tu_catalog(), tu_regions(), &s, &err) != 0)
		fail_msg("open: %s", err.message);
	return s;
}

static int
setup(void **state)
{
	struct plan_build_stats bs;
	struct lf_error err;
	struct store *s;
	sqlite3 *h;

	(void)state;
	tu_rules(&ps, &dis);
	s = tu_store_new(dir, db, "stats.db");
	assert_int_equal(store_begin(s, &err), 0);
	seed(s, "510182", NA, 7);
	seed(s, "513322", NB_, 8);
	assert_int_equal(store_commit(s, &err), 0);
	memset(&bs, 0, sizeof(bs));
	if (plan_build_all(s, ps, dis, Y1, NULL, "test", NULL, NULL, &bs,
	    &err) != 0 || plan_build_all(s, ps, dis, Y2, NULL, "test", NULL,
	    NULL, &bs, &err) != 0)
		fail_msg("plan_build_all: %s", err.message);
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	tu_wide_view(h);
	work_plans(s, h, Y1);
	work_plans(s, h, Y2);
	sqlite3_close(h);
	store_close(s);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	policies_free(ps);
	disaster_free(dis);
	tu_rmdir(dir);
	tu_env_free();
	return 0;
}

static struct stats *
load(struct store *s, int year)
{
	struct stats *st = stats_new(tu_catalog(), tu_regions(), ps, year);
	struct lf_error err;

	assert_non_null(st);
	if (stats_load(s, st, ps, NULL, NULL, &err) != 0)
		fail_msg("stats_load: %s", err.message);
	return st;
}

/* ---- SQL ------------------------------------------------------------ */

/* One comparison: year, region R, filters, today. */
struct cmp {
	sqlite3			*h;
	const struct stats	*st;
	int			 year;
	const struct region	*in;
	const struct stats_filter *fl;
	size_t			 nfl;
	int			 today;
	int			 digits;	/* of R's children */
	struct buf		 where;		/* persons p, surveys v */
	char			 label[160];
};

/* Rows of a GROUP BY: key (a child's code) and ncols values. */
#define GRP_ROWS	2048
#define GRP_COLS	256
struct grp {
	size_t		 n, ncols;
	char		 key[GRP_ROWS][48];
	int64_t		 v[GRP_ROWS][GRP_COLS];
};

static void
sqlf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sqlf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	assert_int_equal(buf_vaddf(b, fmt, ap), 0);
	va_end(ap);
}

/* The value a band of f is taken over. */
static void
band_value(const struct field *f, int year, struct buf *b)
{
	if (f->type == FT_DATE && strcmp(f->code, "birth_date") == 0)
		sqlf(b, "(%d - CAST(substr(v.%s, 1, 4) AS INT) - (substr(v.%s,"
		    " 6, 5) > '07-01'))", year, f->code, f->code);
	else if (f->type == FT_DATE)
		sqlf(b, "CAST(substr(v.%s, 1, 4) AS INT)", f->code);
	else
		sqlf(b, "v.%s", f->code);
}

static void
band_cond(const struct stats *st, const struct field *f, size_t j,
    int year, struct buf *b)
{
	const struct stats_band *bd;
	size_t n;

	bd = stats_bands(st, f, &n);
	sqlf(b, "(v.%s IS NOT NULL", f->code);
	if (j > 0) {
		sqlf(b, " AND ");
		band_value(f, year, b);
		sqlf(b, " >= %lld", (long long)bd[j].lo);
	}
	if (j + 1 < n) {
		sqlf(b, " AND ");
		band_value(f, year, b);
		sqlf(b, " < %lld", (long long)bd[j + 1].lo);
	}
	sqlf(b, ")");
}

/* Column j of f's item table as a condition on v (j = ncols: 未填). */
static void
col_cond(const struct stats *st, const struct field *f, size_t j,
    size_t ncols, int year, struct buf *b)
{
	if (j == ncols) {
		sqlf(b, "(v.%s IS NULL)", f->code);
		return;
	}
	switch (f->type) {
	case FT_ENUM:
		sqlf(b, "(v.%s = %d)", f->code, f->options[j].code);
		break;
	case FT_BOOL:
		sqlf(b, "(v.%s = %zu)", f->code, j);
		break;
	case FT_MULTI:
		sqlf(b, "((v.%s >> %d) & 1)", f->code, f->options[j].code);
		break;
	case FT_INT: case FT_MONEY: case FT_DECIMAL: case FT_DATE:
		band_cond(st, f, j, year, b);
		break;
	default:
		sqlf(b, "(v.%s IS NOT NULL)", f->code);
	}
}

/* The filter bit of option i of enum f: its code, or its index when
 * some code of f is above 63 (stats.h). */
static int
enum_bit(const struct field *f, size_t i)
{
	size_t j;

	for (j = 0; j < f->noptions; j++)
		if (f->options[j].code > 63)
			return (int)i;
	return f->options[i].code;
}

static void
filter_cond(const struct cmp *c, const struct stats_filter *sf,
    struct buf *b)
{
	const struct field *f = sf->f;
	size_t j, n;

	stats_bands(c->st, f, &n);
	sqlf(b, " AND IFNULL(");
	if (f->type == FT_MULTI)
		sqlf(b, "(v.%s & %llu) != 0", f->code,
		    (unsigned long long)sf->codes);
	else if (f->type == FT_TEXT || f->type == FT_REGION)
		sqlf(b, "v.%s IS NOT NULL", f->code);
	else if (n > 0) {
		sqlf(b, "(0");
		for (j = 0; j < n; j++)
			if (sf->codes >> j & 1) {
				sqlf(b, " OR ");
				band_cond(c->st, f, j, c->year, b);
			}
		sqlf(b, ")");
	} else if (f->type == FT_BOOL)
		sqlf(b, "v.%s IN (%s)", f->code, sf->codes == 3 ? "0, 1" :
		    sf->codes == 2 ? "1" : "0");
	else {
		sqlf(b, "v.%s IN (-1", f->code);
		for (j = 0; j < f->noptions; j++)
			if (sf->codes >> enum_bit(f, j) & 1)
				sqlf(b, ", %d", f->options[j].code);
		sqlf(b, ")");
	}
	sqlf(b, ", 0)");
}

/* [lo, hi) of the 12-digit village codes in r. */
static void
region_range(const struct region *r, char lo[24], char hi[24])
{
	int digits = region_level_digits(r->level), i;
	long long div = 1, base;

	for (i = digits; i < 12; i++)
		div *= 10;
	base = (long long)(r->code12 / div);
	snprintf(lo, 24, "%012lld", base * div);
	snprintf(hi, 24, "%012lld", (base + 1) * div);
}

static void
cmp_init(struct cmp *c, sqlite3 *h, const struct stats *st,
    const struct region *in, const struct stats_filter *fl, size_t nfl,
    int today)
{
	char lo[24], hi[24];
	size_t i;

	memset(c, 0, sizeof(*c));
	c->h = h;
	c->st = st;
	c->year = stats_year(st);
	c->in = in;
	c->fl = fl;
	c->nfl = nfl;
	c->today = today;
	c->digits = region_level_digits(in->level == RL_VILLAGE ? RL_VILLAGE :
	    in->level + 1);
	snprintf(c->label, sizeof(c->label), "%d %s, %zu filters", c->year,
	    in->code, nfl);
	buf_init(&c->where, 1 << 20);
	region_range(in, lo, hi);
	sqlf(&c->where, "p.status = 1 AND p.region >= '%s' AND p.region < "
	    "'%s'", lo, hi);
	for (i = 0; i < nfl; i++)
		filter_cond(c, &fl[i], &c->where);
}

static void
grp_run(const struct cmp *c, const char *sql, size_t ncols, struct grp *g)
{
	sqlite3_stmt *st;
	size_t j;
	int rc;

	g->n = 0;
	g->ncols = ncols;
	if (sqlite3_prepare_v2(c->h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s\n%s", sqlite3_errmsg(c->h), sql);
	assert_true(ncols <= GRP_COLS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		assert_true(g->n < GRP_ROWS);
		snprintf(g->key[g->n], sizeof(g->key[0]), "%s",
		    sqlite3_column_text(st, 0));
		for (j = 0; j < ncols; j++)
			g->v[g->n][j] = sqlite3_column_int64(st, (int)j + 1);
		g->n++;
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(st);
}

/* SQL's value of column j for table row i (0: the sum). */
static int64_t
grp_value(const struct grp *g, const struct stats_table *t, size_t i,
    size_t j)
{
	int64_t sum = 0;
	size_t k;

	for (k = 0; k < g->n; k++) {
		if (i == 0)
			sum += g->v[k][j];
		else if (strcmp(g->key[k], t->rows[i].region->code) == 0)
			return g->v[k][j];
	}
	return sum;
}

/* Every group with a non-zero value has its row in t. */
static void
grp_rows_present(const struct cmp *c, const struct grp *g,
    const struct stats_table *t, const char *what)
{
	size_t k, i, j;
	int nz;

	for (k = 0; k < g->n; k++) {
		for (nz = 0, j = 0; j < g->ncols; j++)
			nz |= g->v[k][j] != 0;
		for (i = 1; nz && i < t->nrows; i++)
			if (strcmp(t->rows[i].region->code, g->key[k]) == 0)
				break;
		if (nz && i == t->nrows)
			fail_msg("%s: %s: no row for %s", c->label, what,
			    g->key[k]);
	}
}

/* Columns c0 .. c0 + n - 1 of t equal SQL's grouped values g0 ... */
static void
cmp_slice(const struct cmp *c, const struct stats_table *t, size_t c0,
    const struct grp *g, size_t g0, size_t n, const char *what)
{
	int64_t want;
	size_t i, j;

	assert_true(t->nrows >= 1);
	assert_ptr_equal(t->rows[0].region, c->in);
	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < n; j++) {
			want = grp_value(g, t, i, g0 + j);
			if (t->rows[i].v[c0 + j] != want)
				fail_msg("%s: %s column %s, row %s: engine %lld, "
				    "SQL %lld", c->label, what,
				    t->col_code[c0 + j],
				    t->rows[i].region->code,
				    (long long)t->rows[i].v[c0 + j],
				    (long long)want);
		}
	grp_rows_present(c, g, t, what);
}

/* All columns of g against columns c0.. of t. */
static void
cmp_cols(const struct cmp *c, const struct stats_table *t, size_t c0,
    const struct grp *g, const char *what)
{
	cmp_slice(c, t, c0, g, 0, g->ncols, what);
}

static struct stats_query
query(const struct cmp *c)
{
	struct stats_query q;

	q.in = c->in;
	q.filters = c->fl;
	q.nfilters = c->nfl;
	q.today = c->today;
	return q;
}

#define PERSONS_FROM	"FROM persons p LEFT JOIN surveys v ON v.person_id = " \
	"p.id AND v.year = %d WHERE %s"
#define ITEMS_FROM	"FROM items i JOIN persons p ON p.id = i.person_id " \
	"LEFT JOIN surveys v ON v.person_id = p.id AND v.year = %d WHERE " \
	"i.year = %d AND i.decision != 2 AND %s"

/* ---- item tables ---------------------------------------------------- */

/* The column code the engine gives column j of f's table. */
static void
want_code(const struct field *f, size_t j, size_t ncols, char *out,
    size_t len)
{
	if (j == ncols)
		snprintf(out, len, "%s", "empty");
	else if (f->type == FT_ENUM || f->type == FT_MULTI)
		snprintf(out, len, "%s", f->options[j].code_text);
	else if (f->type == FT_TEXT || f->type == FT_REGION)
		snprintf(out, len, "%s", "filled");
	else
		snprintf(out, len, "%zu", j);
}

static void
check_codes(const struct field *f, const struct stats_table *t)
{
	char code[32];
	size_t j;

	assert_true(t->ncols >= 2);
	for (j = 0; j < t->ncols; j++) {
		want_code(f, j, t->ncols - 1, code, sizeof(code));
		if (strcmp(t->col_code[j], code) != 0)
			fail_msg("%s: column %zu is '%s', want '%s'", f->code,
			    j, t->col_code[j], code);
	}
}

/* Item tables, as many fields a query as fit in GRP_COLS sums. */
static void
check_fields(const struct cmp *c)
{
	const struct catalog *cat = tu_catalog();
	struct stats_query q = query(c);
	struct stats_table *t = mem_calloc(cat->nfields, sizeof(*t));
	struct grp *g = mem_alloc(sizeof(*g));
	struct lf_error err;
	struct buf sql;
	size_t i, first = 0, ncols = 0, j, g0;

	assert_true(t != NULL && g != NULL);
	buf_init(&sql, 1 << 22);
	for (i = 0; i <= cat->nfields; i++) {
		const struct field *f = &cat->fields[i];

		if (i < cat->nfields && f->secret)
			continue;
		if (i < cat->nfields) {
			if (stats_field_table(c->st, &q, f, &t[i], &err) != 0)
				fail_msg("%s: %s", f->code, err.message);
			check_codes(f, &t[i]);
		}
		if (i == cat->nfields || ncols + t[i].ncols > GRP_COLS) {
			sqlf(&sql, " " PERSONS_FROM " AND v.id IS NOT NULL "
			    "GROUP BY 1", c->year, buf_str(&c->where));
			grp_run(c, buf_str(&sql), ncols, g);
			for (j = first, g0 = 0; j < i; j++) {
				if (cat->fields[j].secret)
					continue;
				cmp_slice(c, &t[j], 0, g, g0, t[j].ncols,
				    cat->fields[j].code);
				g0 += t[j].ncols;
				stats_table_free(&t[j]);
			}
			first = i;
			ncols = 0;
			buf_reset(&sql);
		}
		if (i == cat->nfields)
			break;
		if (ncols == 0)
			sqlf(&sql, "SELECT substr(p.region, 1, %d)", c->digits);
		for (j = 0; j < t[i].ncols; j++) {
			sqlf(&sql, ", SUM(IFNULL(");
			col_cond(c->st, f, j, t[i].ncols - 1, c->year, &sql);
			sqlf(&sql, ", 0))");
		}
		ncols += t[i].ncols;
	}
	buf_free(&sql);
	mem_free(t);
	mem_free(g);
}

/* ---- KPI ------------------------------------------------------------ */

static int64_t
rate(int64_t num, int64_t den)
{
	return den == 0 ? 0 : num * 10000 / den;
}

static const char *const kpi_cols[] = { "registered", "valid_card",
	"surveyed", "entry_rate_bp", "covered", "coverage_bp", "items",
	"items_done", "completion_bp", "overdue", "plans_draft",
	"plans_confirmed", "items_open", "items_committed", "funds_planned",
	"funds_spent" };
#define NKPI	(sizeof(kpi_cols) / sizeof(kpi_cols[0]))

/* Items not done are overdue from the month after their planned one,
 * all of them once the year is past. */
static void
overdue_cond(const struct cmp *c, char *out, size_t len)
{
	int y, m, d;

	date_to_ymd(c->today, &y, &m, &d);
	if (y != c->year)
		snprintf(out, len, "%d", y > c->year);
	else
		snprintf(out, len, "i.month < %d", m);
}

static void
check_kpi(const struct cmp *c)
{
	struct stats_query q = query(c);
	struct stats_table t;
	struct lf_error err;
	struct buf sql;
	struct grp *pg = mem_alloc(sizeof(*pg)), *ig = mem_alloc(sizeof(*ig));
	char over[32], firm[160], cm[256];
	int64_t reg, val, sur, cov, it, done, com;
	size_t i, j;

	assert_true(pg != NULL && ig != NULL);
	assert_int_equal(stats_kpi_table(c->st, &q, &t, &err), 0);
	assert_int_equal(t.ncols, NKPI + 2);	/* + the target columns */
	for (j = 0; j < NKPI; j++)
		assert_string_equal(t.col_code[j], kpi_cols[j]);
	/* a plan that is confirmed or closed; a committed item: accepted,
	 * in such a plan (core/stats.h) */
	snprintf(firm, sizeof(firm), "EXISTS (SELECT 1 FROM plans pl WHERE "
	    "pl.person_id = p.id AND pl.year = %d AND pl.status IN (2, 3))",
	    c->year);
	snprintf(cm, sizeof(cm), "(i.decision = 1 AND %s)", firm);
	buf_init(&sql, 1 << 20);
	sqlf(&sql, "SELECT substr(p.region, 1, %d), count(*), SUM(IFNULL("
	    "v.card_status = 1, 0)), SUM(v.id IS NOT NULL), SUM(IFNULL("
	    "v.card_status = 1, 0) AND %s), SUM(EXISTS (SELECT 1 FROM plans "
	    "pl WHERE pl.person_id = p.id AND pl.year = %d AND pl.status = "
	    "1)), SUM(%s) " PERSONS_FROM " GROUP BY 1", c->digits, firm,
	    c->year, firm, c->year, buf_str(&c->where));
	grp_run(c, buf_str(&sql), 6, pg);
	buf_reset(&sql);
	overdue_cond(c, over, sizeof(over));
	sqlf(&sql, "SELECT substr(p.region, 1, %d), count(*), SUM(%s AND "
	    "i.status = 3), SUM(%s AND i.status NOT IN (3, 4) AND %s), "
	    "SUM(i.decision = 0), SUM(%s), SUM(CASE WHEN %s THEN "
	    "i.funds_planned ELSE 0 END), SUM(CASE WHEN %s THEN "
	    "i.funds_spent ELSE 0 END) " ITEMS_FROM " GROUP BY 1", c->digits,
	    cm, cm, over, cm, cm, cm, c->year, c->year, buf_str(&c->where));
	grp_run(c, buf_str(&sql), 7, ig);
	buf_free(&sql);
	for (i = 0; i < t.nrows; i++) {
		reg = grp_value(pg, &t, i, 0);
		val = grp_value(pg, &t, i, 1);
		sur = grp_value(pg, &t, i, 2);
		cov = grp_value(pg, &t, i, 3);
		it = grp_value(ig, &t, i, 0);
		done = grp_value(ig, &t, i, 1);
		com = grp_value(ig, &t, i, 4);
		{
			int64_t want[NKPI] = { reg, val, sur, rate(sur, reg),
			    cov, rate(cov, val), it, done, rate(done, com),
			    grp_value(ig, &t, i, 2), grp_value(pg, &t, i, 4),
			    grp_value(pg, &t, i, 5), grp_value(ig, &t, i, 3),
			    com, grp_value(ig, &t, i, 5),
			    grp_value(ig, &t, i, 6) };

			for (j = 0; j < NKPI; j++)
				if (t.rows[i].v[j] != want[j])
					fail_msg("%s: kpi %s, row %s: engine "
					    "%lld, SQL %lld", c->label,
					    kpi_cols[j],
					    t.rows[i].region->code,
					    (long long)t.rows[i].v[j],
					    (long long)want[j]);
		}
	}
	grp_rows_present(c, pg, &t, "kpi");
	grp_rows_present(c, ig, &t, "kpi items");
	stats_table_free(&t);
	mem_free(pg);
	mem_free(ig);
}

/* ---- service tables ------------------------------------------------- */

static const char *const service_cols[] = { ".persons", ".items", ".done",
	".planned", ".spent" };

static size_t
ngroups(enum stats_by by)
{
	return by == STATS_BY_POLICY ? ps->n : by == STATS_BY_BATCH ?
	    NBATCHES : dept_count();
}

static const char *
group_code(enum stats_by by, size_t g)
{
	return by == STATS_BY_POLICY ? ps->v[g].code : by == STATS_BY_BATCH ?
	    policy_batch_get((enum policy_batch)g)->code : dept_get(g)->code;
}

/* The group of an item as SQL: its policy, its department, or its
 * policy's batch (其他 also for no policy or an unknown one). */
static void
group_expr(enum stats_by by, struct buf *b)
{
	size_t i, g;

	if (by != STATS_BY_BATCH) {
		sqlf(b, "IFNULL(i.%s, '')", by == STATS_BY_POLICY ? "policy" :
		    "dept");
		return;
	}
	sqlf(b, "CASE");
	for (g = 0; g < NBATCHES; g++) {
		sqlf(b, " WHEN i.policy IN (''");
		for (i = 0; i < ps->n; i++)
			if ((size_t)ps->v[i].batch == g)
				sqlf(b, ", '%s'", ps->v[i].code);
		sqlf(b, ") THEN '%s'", group_code(STATS_BY_BATCH, g));
	}
	sqlf(b, " ELSE '%s' END", group_code(STATS_BY_BATCH, BATCH_NONE));
}

/* The rows of all whose key ends in "|code", keys cut there. */
static void
grp_pick(const struct grp *all, const char *code, struct grp *g)
{
	const char *bar;
	size_t k;

	g->n = 0;
	g->ncols = all->ncols;
	for (k = 0; k < all->n; k++) {
		bar = strchr(all->key[k], '|');
		if (bar == NULL || strcmp(bar + 1, code) != 0)
			continue;
		snprintf(g->key[g->n], 13, "%.*s", (int)(bar - all->key[k]),
		    all->key[k]);
		memcpy(g->v[g->n], all->v[k], all->ncols * sizeof(int64_t));
		g->n++;
	}
}

static void
check_service(const struct cmp *c, enum stats_by by)
{
	struct stats_query q = query(c);
	struct stats_table t;
	struct lf_error err;
	struct buf sql;
	struct grp *all = mem_alloc(sizeof(*all)), *g = mem_alloc(sizeof(*g));
	char code[64], what[64];
	size_t k, j;

	assert_true(all != NULL && g != NULL);
	assert_int_equal(stats_service_table(c->st, &q, by, &t, &err), 0);
	assert_int_equal(t.ncols, 5 * ngroups(by));
	buf_init(&sql, 1 << 20);
	sqlf(&sql, "SELECT substr(p.region, 1, %d) || '|' || ", c->digits);
	group_expr(by, &sql);
	sqlf(&sql, ", count(DISTINCT i.person_id), count(*), SUM(i.status = "
	    "3), SUM(i.funds_planned), SUM(i.funds_spent) " ITEMS_FROM
	    " GROUP BY 1", c->year, c->year, buf_str(&c->where));
	grp_run(c, buf_str(&sql), 5, all);
	buf_free(&sql);
	for (k = 0; k < ngroups(by); k++) {
		for (j = 0; j < 5; j++) {
			snprintf(code, sizeof(code), "%s%s", group_code(by, k),
			    service_cols[j]);
			assert_string_equal(t.col_code[5 * k + j], code);
		}
		grp_pick(all, group_code(by, k), g);
		snprintf(what, sizeof(what), "service %s", group_code(by, k));
		cmp_cols(c, &t, 5 * k, g, what);
	}
	stats_table_free(&t);
	mem_free(all);
	mem_free(g);
}

/* ---- need vs supply ------------------------------------------------- */

/* Need f answered yes (planner.h): bool true, multi any code but the
 * exclusive one, enum any but the exclusive one. */
static void
yes_cond(const struct field *f, struct buf *b)
{
	if (f->type == FT_BOOL)
		sqlf(b, "IFNULL(v.%s != 0, 0)", f->code);
	else if (f->type == FT_MULTI && f->exclusive >= 0)
		sqlf(b, "IFNULL((v.%s & ~(1 << %d)) != 0, 0)", f->code,
		    f->exclusive);
	else if (f->type == FT_MULTI)
		sqlf(b, "IFNULL(v.%s != 0, 0)", f->code);
	else if (f->type == FT_ENUM && f->exclusive >= 0)
		sqlf(b, "IFNULL(v.%s != %d, 0)", f->code, f->exclusive);
	else
		sqlf(b, "(v.%s IS NOT NULL)", f->code);
}

/* temp.pm: per person and need code met by a counted item of the
 * year, whether one of them is done (the needs list split by SQL). */
/* What temp.pm holds: the connection and year it was made on (made
 * again after writes: pm_h = NULL). */
static sqlite3 *pm_h;
static int pm_year;

static void
met_table(const struct cmp *c)
{
	char sql[1024];

	if (pm_h == c->h && pm_year == c->year)
		return;
	pm_h = c->h;
	pm_year = c->year;
	snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS temp.pm; CREATE "
	    "TEMP TABLE pm AS WITH RECURSIVE s(pid, done, code, rest) AS ("
	    "SELECT person_id, status = 3, '', needs || ',' FROM items WHERE "
	    "year = %d AND decision != 2 AND needs IS NOT NULL UNION ALL "
	    "SELECT pid, done, substr(rest, 1, instr(rest, ',') - 1), "
	    "substr(rest, instr(rest, ',') + 1) FROM s WHERE rest != '') "
	    "SELECT pid, code, max(done) AS done FROM s WHERE code != '' "
	    "GROUP BY pid, code; CREATE INDEX temp.pm_i ON pm(pid, code);",
	    c->year);
	if (sqlite3_exec(c->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(c->h));
}

#define NEEDS_PER_QUERY	16

/* Needs k0 .. k0 + n - 1 (catalog need order, fields nf[]): one query
 * joining temp.pm once per need. */
static void
need_batch(const struct cmp *c, const struct stats_table *t,
    const struct field *const *nf, size_t k0, size_t n, struct grp *g)
{
	struct buf sql;
	size_t k, r;

	buf_init(&sql, 1 << 20);
	sqlf(&sql, "SELECT substr(p.region, 1, %d)", c->digits);
	for (k = 0; k < n; k++) {
		sqlf(&sql, ", SUM(");
		yes_cond(nf[k0 + k], &sql);
		sqlf(&sql, "), SUM(");
		yes_cond(nf[k0 + k], &sql);
		sqlf(&sql, " AND m%zu.pid IS NOT NULL), SUM(", k);
		yes_cond(nf[k0 + k], &sql);
		sqlf(&sql, " AND IFNULL(m%zu.done, 0)), 0", k);
	}
	sqlf(&sql, " FROM persons p LEFT JOIN surveys v ON v.person_id = p.id "
	    "AND v.year = %d", c->year);
	for (k = 0; k < n; k++)
		sqlf(&sql, " LEFT JOIN pm m%zu ON m%zu.pid = p.id AND m%zu.code "
		    "= '%s'", k, k, k, nf[k0 + k]->code);
	sqlf(&sql, " WHERE %s GROUP BY 1", buf_str(&c->where));
	grp_run(c, buf_str(&sql), 4 * n, g);
	buf_free(&sql);
	for (r = 0; r < g->n; r++)
		for (k = 0; k < n; k++)
			g->v[r][4 * k + 3] = g->v[r][4 * k] -
			    g->v[r][4 * k + 1];
	cmp_cols(c, t, 4 * k0, g, "need vs supply");
}

static void
check_need(const struct cmp *c)
{
	static const char *const cols[] = { ".need", ".met", ".done", ".gap" };
	const struct catalog *cat = tu_catalog();
	const struct field **nf = mem_calloc(cat->nfields, sizeof(*nf));
	struct stats_query q = query(c);
	struct stats_table t;
	struct lf_error err;
	struct grp *g = mem_alloc(sizeof(*g));
	char code[80];
	size_t i, j, k = 0, n;

	assert_true(g != NULL && nf != NULL);
	met_table(c);
	assert_int_equal(stats_need_table(c->st, &q, &t, &err), 0);
	assert_int_equal(t.ncols, 4 * cat->nneed);
	for (i = 0; i < cat->nfields; i++) {
		if (cat->fields[i].section != SEC_NEED)
			continue;
		for (j = 0; j < 4; j++) {
			snprintf(code, sizeof(code), "%s%s",
			    cat->fields[i].code, cols[j]);
			assert_string_equal(t.col_code[4 * k + j], code);
		}
		nf[k++] = &cat->fields[i];
	}
	for (i = 0; i < k; i += n) {
		n = k - i < NEEDS_PER_QUERY ? k - i : NEEDS_PER_QUERY;
		need_batch(c, &t, nf, i, n, g);
	}
	stats_table_free(&t);
	mem_free(g);
	mem_free(nf);
}

static void
check_all(const struct cmp *c)
{
	check_fields(c);
	check_kpi(c);
	check_service(c, STATS_BY_POLICY);
	check_service(c, STATS_BY_BATCH);
	check_service(c, STATS_BY_DEPT);
	check_need(c);
}

/* ---- the tests ------------------------------------------------------ */

static const struct field *
field(const char *code)
{
	const struct field *f = catalog_find(tu_catalog(), code, strlen(code));

	assert_non_null(f);
	return f;
}

static const struct region *
region(const char *code)
{
	const struct region *r = regions_find(tu_regions(), code);

	assert_non_null(r);
	return r;
}

static void
sql_text(sqlite3 *h, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, len, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* The filter sets compared: none; an enum; a band, an enum and a multi;
 * a bool, an enum whose bits are option indices (codes above 63) and a
 * text item. */
struct fset {
	struct stats_filter	 f[4];
	size_t			 n;
};

static void
filter_sets(struct fset *fs)
{
	const struct field *eth = field("ethnicity");

	memset(fs, 0, 4 * sizeof(*fs));
	fs[1].f[0].f = field("disability_category");
	fs[1].f[0].codes = 1u << 4 | 1u << 5;
	fs[1].n = 1;
	fs[2].f[0].f = field("birth_date");
	fs[2].f[0].codes = 1u << 4 | 1u << 5 | 1u << 6;
	fs[2].f[1].f = field("gender");
	fs[2].f[1].codes = 1u << 2;
	fs[2].f[2].f = field("rehab_service_received");
	fs[2].f[2].codes = 1u << 1 | 1u << 2 | 1u << 3;
	fs[2].n = 3;
	fs[3].f[0].f = field("ss_living_subsidy");
	fs[3].f[0].codes = 1u << 1;
	fs[3].f[1].f = eth;
	fs[3].f[1].codes = (uint64_t)1 << enum_bit(eth, 0) |
	    (uint64_t)1 << enum_bit(eth, 6) | (uint64_t)1 << enum_bit(eth, 3);
	fs[3].f[2].f = field("residence_address");
	fs[3].f[2].codes = 1;
	fs[3].n = 3;
}

static void
test_tables_match_sql(void **state)
{
	static const int years[] = { Y1, Y2 };
	const char *today[] = { "2026-11-29", "2025-08-15" };
	const char *codes[5] = { "51", "5101", "510182", NULL, NULL };
	char village[16], township[16];
	struct fset fs[4];
	struct store *s;
	struct stats *st;
	struct cmp c;
	sqlite3 *h;
	size_t y, r, f;

	(void)state;
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	tu_wide_view(h);
	sql_text(h, "SELECT region FROM persons WHERE region LIKE '510182%' "
	    "GROUP BY region ORDER BY count(*) DESC, region LIMIT 1", village,
	    sizeof(village));
	snprintf(township, sizeof(township), "%.9s", village);
	codes[3] = township;
	codes[4] = village;
	filter_sets(fs);
	s = open_store();
	for (y = 0; y < 2; y++) {
		st = load(s, years[y]);
		for (r = 0; r < 5; r++)
			for (f = 0; f < 4; f++) {
				cmp_init(&c, h, st, region(codes[r]), fs[f].f,
				    fs[f].n, tu_days(today[y]));
				check_all(&c);
				buf_free(&c.where);
			}
		stats_free(st);
	}
	store_close(s);
	sqlite3_close(h);
}

/* ---- refresh --------------------------------------------------------- */

static int64_t
sql_int(sqlite3 *h, const char *sql)
{
	char v[32];

	sql_text(h, sql, v, sizeof(v));
	return strtoll(v, NULL, 10);
}

/* Which table of a query: a field's, a service table, KPI, need. */
enum which { W_FIELD, W_POLICY, W_BATCH, W_DEPT, W_KPI, W_NEED };

static void
table(const struct stats *st, const struct region *in, enum which w,
    const struct field *f, int today, struct stats_table *t)
{
	struct stats_query q = { in, NULL, 0, today };
	struct lf_error err;
	int rc;

	switch (w) {
	case W_FIELD:
		rc = stats_field_table(st, &q, f, t, &err);
		break;
	case W_POLICY: case W_BATCH: case W_DEPT:
		rc = stats_service_table(st, &q, w == W_POLICY ?
		    STATS_BY_POLICY : w == W_BATCH ? STATS_BY_BATCH :
		    STATS_BY_DEPT, t, &err);
		break;
	case W_KPI:
		rc = stats_kpi_table(st, &q, t, &err);
		break;
	default:
		rc = stats_need_table(st, &q, t, &err);
	}
	if (rc != 0)
		fail_msg("table: %s", err.message);
}

/* The column with this code. */
static size_t
col(const struct stats_table *t, const char *code)
{
	size_t j;

	for (j = 0; j < t->ncols; j++)
		if (strcmp(t->col_code[j], code) == 0)
			return j;
	fail_msg("no column %s", code);
	return 0;
}

/* A change expected between two versions of a table: column code,
 * amount, on the rows holding village (the others stay; rates are left
 * to the SQL comparison). */
struct delta {
	const char	*code;
	int64_t		 d;
};

static void
expect_moved(const struct stats_table *a, const struct stats_table *b,
    const char *village, const struct delta *dl, size_t n,
    const char *what)
{
	int64_t want, v12 = strtoll(village, NULL, 10);
	size_t i, j, k;

	assert_int_equal(a->nrows, b->nrows);
	assert_int_equal(a->ncols, b->ncols);
	for (i = 0; i < a->nrows; i++)
		for (j = 0; j < a->ncols; j++) {
			want = a->rows[i].v[j];
			if (strstr(a->col_code[j], "_bp") != NULL)
				continue;	/* rates: SQL checks them */
			for (k = 0; k < n; k++)
				if (strcmp(a->col_code[j], dl[k].code) == 0 &&
				    region_contains(a->rows[i].region, v12))
					want += dl[k].d;
			if (b->rows[i].v[j] != want)
				fail_msg("%s: %s row %s: %lld, want %lld", what,
				    a->col_code[j], a->rows[i].region->code,
				    (long long)b->rows[i].v[j],
				    (long long)want);
		}
}

/* Every table of st and st2 for region `in` holds the same. */
static void
same_tables(const struct stats *st, const struct stats *st2,
    const struct region *in, int today)
{
	const struct catalog *cat = tu_catalog();
	struct stats_table a, b;
	enum which w;
	size_t i, r, j;

	for (i = 0; i <= cat->nfields; i++) {
		if (i < cat->nfields && cat->fields[i].secret)
			continue;
		for (w = i < cat->nfields ? W_FIELD : W_POLICY; w <= (i <
		    cat->nfields ? W_FIELD : W_NEED); w++) {
			table(st, in, w, i < cat->nfields ? &cat->fields[i] :
			    NULL, today, &a);
			table(st2, in, w, i < cat->nfields ? &cat->fields[i] :
			    NULL, today, &b);
			assert_int_equal(a.nrows, b.nrows);
			assert_int_equal(a.ncols, b.ncols);
			for (r = 0; r < a.nrows; r++)
				for (j = 0; j < a.ncols; j++)
					if (a.rows[r].v[j] != b.rows[r].v[j])
						fail_msg("%s %s row %s: %lld vs "
						    "%lld", in->code,
						    a.col_code[j],
						    a.rows[r].region->code,
						    (long long)a.rows[r].v[j],
						    (long long)b.rows[r].v[j]);
			stats_table_free(&a);
			stats_table_free(&b);
		}
	}
}

struct fix {
	struct store	*s;
	struct stats	*st;
	sqlite3		*h;
	int		 today;
	const struct region *prov, *county;
};

static void
refresh(struct fix *x, int64_t pid)
{
	struct lf_error err;

	if (stats_refresh(x->s, x->st, ps, pid, &err) != 0)
		fail_msg("refresh %lld: %s", (long long)pid, err.message);
}

/* A survey item changes: its table moves one person from the old code
 * to the new, nothing else moves. */
static void
write_survey_item(struct fix *x)
{
	const struct field *f = field("check_state");
	struct store_put p = { Y2, 0, "tester", 0, 0 };
	struct store_put_result res;
	struct stats_table a, b, ka, kb;
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	struct delta dl[2];
	char village[16], from[8], to[8];
	int64_t pid, version;
	int old;

	pid = sql_int(x->h, "SELECT p.id FROM persons p JOIN surveys v ON "
	    "v.person_id = p.id AND v.year = 2025 WHERE p.status = 1 AND "
	    "p.region LIKE '510182%' ORDER BY p.id LIMIT 1");
	sql_text(x->h, "SELECT region FROM persons WHERE id = (SELECT "
	    "min(p.id) FROM persons p JOIN surveys v ON v.person_id = p.id "
	    "AND v.year = 2025 WHERE p.status = 1 AND p.region LIKE "
	    "'510182%')", village, sizeof(village));
	table(x->st, x->prov, W_FIELD, f, x->today, &a);
	table(x->st, x->prov, W_KPI, NULL, x->today, &ka);
	assert_int_equal(store_survey_get(x->s, pid, Y2, r, &version, &err),
	    0);
	old = r->set[f->index] ? (int)r->num[f->index] : -1;
	record_set_num(r, f->index, old == 2 ? 1 : 2);
	p.today = tu_days("2026-11-29");
	if (store_survey_put(x->s, r, &p, &res, &err) != 0)
		fail_msg("put: %s", err.message);
	refresh(x, pid);
	table(x->st, x->prov, W_FIELD, f, x->today, &b);
	table(x->st, x->prov, W_KPI, NULL, x->today, &kb);
	snprintf(from, sizeof(from), "%d", old);
	snprintf(to, sizeof(to), "%d", old == 2 ? 1 : 2);
	dl[0].code = old < 0 ? "empty" : from;
	dl[0].d = -1;
	dl[1].code = to;
	dl[1].d = 1;
	expect_moved(&a, &b, village, dl, 2, "check_state");
	expect_moved(&ka, &kb, village, NULL, 0, "kpi after a survey item");
	stats_table_free(&a);
	stats_table_free(&b);
	stats_table_free(&ka);
	stats_table_free(&kb);
	record_free(r);
}

/* An open item of a confirmed plan, of an active person with a survey:
 * its id, person, village, policy and whether it is overdue today. */
struct open_item {
	int64_t		 id, pid;
	char		 village[16], policy[40];
	int		 overdue;
};

static void
find_open_item(struct fix *x, int skip, struct open_item *o)
{
	char sql[1024];
	sqlite3_stmt *st;

	snprintf(sql, sizeof(sql), "SELECT i.id, i.person_id, p.region, "
	    "i.policy, i.month < 8 FROM items i JOIN plans pl ON pl.id = "
	    "i.plan_id JOIN persons p ON p.id = i.person_id WHERE i.year = %d"
	    " AND pl.status = 2 AND i.decision = 1 AND i.status IN (1, 2) AND "
	    "i.monthly = 0 AND i.policy IS NOT NULL AND p.status = 1 AND "
	    "p.region LIKE '510182%%' ORDER BY i.id LIMIT 1 OFFSET %d", Y2,
	    skip);
	assert_int_equal(sqlite3_prepare_v2(x->h, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	o->id = sqlite3_column_int64(st, 0);
	o->pid = sqlite3_column_int64(st, 1);
	snprintf(o->village, sizeof(o->village), "%s",
	    sqlite3_column_text(st, 2));
	snprintf(o->policy, sizeof(o->policy), "%s",
	    sqlite3_column_text(st, 3));
	o->overdue = sqlite3_column_int(st, 4);
	sqlite3_finalize(st);
}

/* An item is marked done: KPI done +1 (overdue -1 when it was), its
 * policy's done +1; nothing else (rates follow, SQL checks them). */
static void
write_item_status(struct fix *x)
{
	struct plan_item_change c;
	struct plan_item out;
	struct stats_table ka, kb, pa, pb;
	struct lf_error err;
	struct open_item o;
	struct delta dk[2], dp[1];
	char done[64];

	find_open_item(x, 0, &o);
	table(x->st, x->prov, W_KPI, NULL, x->today, &ka);
	table(x->st, x->prov, W_POLICY, NULL, x->today, &pa);
	memset(&c, 0, sizeof(c));
	c.set = PI_STATUS;
	c.status = ITEM_DONE;
	if (plan_item_update(x->s, o.id, &c, 0, "worker", &out, &err) != 0)
		fail_msg("update: %s", err.message);
	refresh(x, o.pid);
	table(x->st, x->prov, W_KPI, NULL, x->today, &kb);
	table(x->st, x->prov, W_POLICY, NULL, x->today, &pb);
	dk[0].code = "items_done";
	dk[0].d = 1;
	dk[1].code = "overdue";
	dk[1].d = -o.overdue;
	expect_moved(&ka, &kb, o.village, dk, 2, "kpi after done");
	snprintf(done, sizeof(done), "%s.done", o.policy);
	dp[0].code = done;
	dp[0].d = 1;
	expect_moved(&pa, &pb, o.village, dp, 1, "policy after done");
	stats_table_free(&ka);
	stats_table_free(&kb);
	stats_table_free(&pa);
	stats_table_free(&pb);
}

/* A delivery: its policy's spent grows by the amount. */
static void
write_delivery(struct fix *x)
{
	struct stats_table pa, pb;
	struct plan_delivery d;
	struct plan_item it;
	struct lf_error err;
	struct open_item o;
	struct delta dp[2];
	char spent[64], done[64];

	find_open_item(x, 3, &o);
	table(x->st, x->prov, W_POLICY, NULL, x->today, &pa);
	if (plan_delivery_add(x->s, o.id, "2025-06-10", 4321, "test", NULL,
	    "worker", &d, &it, &err) != 0)
		fail_msg("delivery: %s", err.message);
	refresh(x, o.pid);
	table(x->st, x->prov, W_POLICY, NULL, x->today, &pb);
	snprintf(spent, sizeof(spent), "%s.spent", o.policy);
	snprintf(done, sizeof(done), "%s.done", o.policy);
	dp[0].code = spent;
	dp[0].d = 4321;
	dp[1].code = done;
	dp[1].d = it.status == ITEM_DONE;
	expect_moved(&pa, &pb, o.village, dp, 2, "policy after delivery");
	stats_table_free(&pa);
	stats_table_free(&pb);
}

/* A person dies: 入库 -1 where they lived. */
static void
write_status(struct fix *x)
{
	struct store_put p = { Y2, PERSON_DECEASED, "tester", 0, 0 };
	struct store_put_result res;
	struct stats_table ka, kb;
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	char village[16];
	int64_t pid, version;

	pid = sql_int(x->h, "SELECT max(p.id) FROM persons p JOIN surveys v "
	    "ON v.person_id = p.id AND v.year = 2025 WHERE p.status = 1 AND "
	    "p.region LIKE '513322%'");
	sql_text(x->h, "SELECT region FROM persons WHERE id = (SELECT "
	    "max(p.id) FROM persons p JOIN surveys v ON v.person_id = p.id "
	    "AND v.year = 2025 WHERE p.status = 1 AND p.region LIKE "
	    "'513322%')", village, sizeof(village));
	table(x->st, x->prov, W_KPI, NULL, x->today, &ka);
	assert_int_equal(store_survey_get(x->s, pid, Y2, r, &version, &err),
	    0);
	p.today = tu_days("2026-11-29");
	if (store_survey_put(x->s, r, &p, &res, &err) != 0)
		fail_msg("put: %s", err.message);
	refresh(x, pid);
	table(x->st, x->prov, W_KPI, NULL, x->today, &kb);
	assert_int_equal(kb.rows[0].v[col(&kb, "registered")],
	    ka.rows[0].v[col(&ka, "registered")] - 1);
	assert_int_equal(kb.rows[0].v[col(&kb, "surveyed")],
	    ka.rows[0].v[col(&ka, "surveyed")] - 1);
	stats_table_free(&ka);
	stats_table_free(&kb);
	record_free(r);
}

static void
test_refresh_follows_writes(void **state)
{
	struct stats_table ka, kb;
	struct stats *fresh;
	struct fix x;
	struct cmp c;

	(void)state;
	x.s = open_store();
	x.st = load(x.s, Y2);
	x.today = tu_days("2025-08-15");
	x.prov = region("51");
	x.county = region("510182");
	assert_int_equal(sqlite3_open_v2(db, &x.h, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	tu_wide_view(x.h);
	write_survey_item(&x);
	write_item_status(&x);
	write_delivery(&x);
	write_status(&x);
	/* an unknown person: nothing moves */
	table(x.st, x.prov, W_KPI, NULL, x.today, &ka);
	refresh(&x, 99999999);
	table(x.st, x.prov, W_KPI, NULL, x.today, &kb);
	expect_moved(&ka, &kb, "510182000000", NULL, 0, "unknown person");
	stats_table_free(&ka);
	stats_table_free(&kb);
	/* the refreshed engine is a fresh load, and SQL's */
	fresh = load(x.s, Y2);
	same_tables(x.st, fresh, x.prov, x.today);
	same_tables(x.st, fresh, x.county, x.today);
	same_tables(x.st, fresh, region("513322"), x.today);
	stats_free(fresh);
	pm_h = NULL;
	cmp_init(&c, x.h, x.st, x.prov, NULL, 0, x.today);
	check_all(&c);
	buf_free(&c.where);
	stats_free(x.st);
	store_close(x.s);
	sqlite3_close(x.h);
}

/* ---- error paths ----------------------------------------------------- */

struct small {
	char		 db[160];
	struct store	*s;
	sqlite3		*h;		/* read-write, for corrupting rows */
};

static void
small_open(struct small *m)
{
	static int nsmall;
	struct plan_build_stats bs;
	struct lf_error err;
	struct synth *sy;
	struct record *r = record_new(tu_catalog());
	uint64_t i;


	snprintf(m->db, sizeof(m->db), "%s/small%d.db", dir, ++nsmall);
	m->s = tu_store_at(m->db);
	assert_int_equal(synth_new(tu_catalog(), tu_regions(),
	    region("510182"), 11, tu_days("2026-11-29"), &sy, &err), 0);
	assert_int_equal(store_begin(m->s, &err), 0);
	for (i = 0; i < 60; i++) {
		assert_int_equal(synth_person(sy, i, Y2, r, &err), 0);
		put(m->s, r, Y2, 0);
	}
	assert_int_equal(store_commit(m->s, &err), 0);
	synth_free(sy);
	record_free(r);
	memset(&bs, 0, sizeof(bs));
	assert_int_equal(plan_build_all(m->s, ps, dis, Y2, NULL, "test", NULL,
	    NULL, &bs, &err), 0);
	assert_int_equal(sqlite3_open(m->db, &m->h), SQLITE_OK);
	sqlite3_busy_timeout(m->h, 5000);
	tu_wide_view(m->h);
}

static void
small_exec(struct small *m, const char *sql)
{
	if (sqlite3_exec(m->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(m->h));
}

/* Loads m's year: 0, or -1 with *err. */
static int
small_load(struct small *m, struct stats **out, struct lf_error *err)
{
	*out = stats_new(tu_catalog(), tu_regions(), ps, Y2);
	assert_non_null(*out);
	lf_error_clear(err);
	return stats_load(m->s, *out, ps, NULL, NULL, err);
}

static const struct {
	const char	*corrupt, *repair;
	const char	*code, *field;
} bad_rows[] = {
	/* a packed record cut short (no item column can hold garbage now) */
	{ "CREATE TABLE saved AS SELECT rec FROM main.surveys WHERE id = 5; "
	    "UPDATE main.surveys SET rec = substr(rec, 1, 3) WHERE id = 5",
	    "UPDATE main.surveys SET rec = (SELECT rec FROM saved) WHERE "
	    "id = 5; DROP TABLE saved", "corrupt", "" },
	{ "UPDATE persons SET region = '12345' WHERE id = 7",
	    "UPDATE persons SET region = (SELECT region FROM persons WHERE "
	    "id = 8) WHERE id = 7", "corrupt", "" },
	{ "UPDATE persons SET region = '510182999999' WHERE id = 7",
	    "UPDATE persons SET region = (SELECT region FROM persons WHERE "
	    "id = 8) WHERE id = 7", "invalid", "village" },
	{ "UPDATE items SET decision = 7 WHERE id = 3",
	    "UPDATE items SET decision = 0 WHERE id = 3", "invalid",
	    "decision" },
	{ "UPDATE items SET status = 0 WHERE id = 3",
	    "UPDATE items SET status = 1 WHERE id = 3", "invalid", "status" },
};

/* A stored value the engine cannot take fails the load and the refresh
 * of that person, naming it; repaired, both work. */
static void
test_corrupt_rows(void **state)
{
	struct small m;
	struct stats *st;
	struct lf_error err;
	size_t i;
	int64_t pid;
	char sql[160];

	(void)state;
	small_open(&m);
	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		small_exec(&m, bad_rows[i].corrupt);
		if (small_load(&m, &st, &err) == 0)
			fail_msg("row %zu: loaded", i);
		assert_string_equal(err.code, bad_rows[i].code);
		assert_string_equal(err.field, bad_rows[i].field);
		stats_free(st);
		/* the refresh of that person fails the same way */
		snprintf(sql, sizeof(sql), "%s", bad_rows[i].corrupt);
		pid = strstr(sql, "items") ? sql_int(m.h, "SELECT person_id "
		    "FROM items WHERE id = 3") : strstr(sql, "surveys") ?
		    sql_int(m.h, "SELECT person_id FROM surveys WHERE id = 5") :
		    7;
		st = stats_new(tu_catalog(), tu_regions(), ps, Y2);
		assert_int_equal(stats_refresh(m.s, st, ps, pid, &err), -1);
		assert_string_equal(err.code, bad_rows[i].code);
		stats_free(st);
		small_exec(&m, bad_rows[i].repair);
		assert_int_equal(small_load(&m, &st, &err), 0);
		stats_free(st);
	}
	sqlite3_close(m.h);
	store_close(m.s);
}

/* Odd but loadable items: an unknown policy (batch 其他, no policy
 * group), an unknown department and need, a month outside 1..12
 * (December: not overdue in August). */
static void
test_odd_items(void **state)
{
	struct stats_table k, b, p;
	struct small m;
	struct stats *st;
	struct lf_error err;
	struct cmp c;
	int64_t n, sum = 0;
	size_t j;

	(void)state;
	small_open(&m);
	small_exec(&m, "UPDATE items SET month = 0 WHERE id = 1; UPDATE items "
	    "SET policy = 'NO_SUCH' WHERE id = 2; UPDATE items SET dept = "
	    "'nodept', needs = 'no_such_need,' || IFNULL(needs, '') WHERE id "
	    "= 4; UPDATE items SET month = 13 WHERE id = 6");
	assert_int_equal(small_load(&m, &st, &err), 0);
	stats_size(st, NULL, &n, NULL);
	assert_int_equal(n, sql_int(m.h, "SELECT count(*) FROM items WHERE "
	    "decision != 2"));
	table(st, region("510182"), W_KPI, NULL, tu_days("2025-08-15"), &k);
	table(st, region("510182"), W_BATCH, NULL, tu_days("2025-08-15"), &b);
	table(st, region("510182"), W_POLICY, NULL, tu_days("2025-08-15"), &p);
	for (j = 0; j < b.ncols; j++)
		if (strstr(b.col_code[j], ".items") != NULL)
			sum += b.rows[0].v[j];
	assert_int_equal(sum, k.rows[0].v[col(&k, "items")]);
	assert_true(b.rows[0].v[col(&b, "NONE.items")] >= 1);
	for (sum = 0, j = 0; j < p.ncols; j++)
		if (strstr(p.col_code[j], ".items") != NULL)
			sum += p.rows[0].v[j];
	assert_int_equal(sum, k.rows[0].v[col(&k, "items")] - 1);
	assert_int_equal(k.rows[0].v[col(&k, "overdue")], sql_int(m.h,
	    "SELECT count(*) FROM items i WHERE decision = 1 AND status NOT "
	    "IN (3, 4) AND month BETWEEN 1 AND 7 AND EXISTS (SELECT 1 FROM "
	    "plans pl WHERE pl.person_id = i.person_id AND pl.year = i.year "
	    "AND pl.status IN (2, 3))"));
	stats_table_free(&k);
	stats_table_free(&b);
	stats_table_free(&p);
	/* the rest still agrees with SQL */
	cmp_init(&c, m.h, st, region("510182"), NULL, 0,
	    tu_days("2025-08-15"));
	check_fields(&c);
	check_need(&c);
	buf_free(&c.where);
	stats_free(st);
	sqlite3_close(m.h);
	store_close(m.s);
}

struct calls {
	int64_t		 n, last_done, last_total;
};

static void
count_progress(void *arg, int64_t done, int64_t total)
{
	struct calls *c = arg;

	assert_true(done >= c->last_done);
	c->n++;
	c->last_done = done;
	c->last_total = total;
}

/* Progress ends at (persons, persons); a load joins the caller's
 * transaction; every allocation failing in turn fails cleanly, leaving
 * the store usable. */
static void
test_load_paths(void **state)
{
	struct calls calls = { 0, 0, 0 };
	struct small m;
	struct stats *st;
	struct lf_error err;
	long fail;
	int rc;

	(void)state;
	small_open(&m);
	st = stats_new(tu_catalog(), tu_regions(), ps, Y2);
	assert_int_equal(stats_load(m.s, st, ps, count_progress, &calls,
	    &err), 0);
	assert_int_equal(calls.last_done, 60);
	assert_int_equal(calls.last_total, 60);
	stats_free(st);
	assert_int_equal(store_begin(m.s, &err), 0);
	assert_int_equal(small_load(&m, &st, &err), 0);
	assert_int_equal(store_commit(m.s, &err), 0);
	stats_free(st);
	for (fail = 0, rc = -1; rc != 0; fail += fail < 64 ? 1 : fail / 4) {
		st = stats_new(tu_catalog(), tu_regions(), ps, Y2);
		assert_non_null(st);
		mem_fail_after(fail);
		rc = stats_load(m.s, st, ps, NULL, NULL, &err);
		mem_fail_after(-1);
		if (rc != 0)
			assert_string_equal(err.code, "no_memory");
		stats_free(st);
	}
	for (fail = 0, rc = -1; rc != 0; fail++) {
		st = stats_new(tu_catalog(), tu_regions(), ps, Y2);
		mem_fail_after(fail);
		rc = stats_refresh(m.s, st, ps, 9, &err);
		mem_fail_after(-1);
		if (rc != 0)
			assert_string_equal(err.code, "no_memory");
		stats_free(st);
	}
	/* no transaction was left open */
	assert_int_equal(store_begin(m.s, &err), 0);
	store_rollback(m.s);
	sqlite3_close(m.h);
	store_close(m.s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_match_sql),
		cmocka_unit_test(test_refresh_follows_writes),
		cmocka_unit_test(test_corrupt_rows),
		cmocka_unit_test(test_odd_items),
		cmocka_unit_test(test_load_paths),
	};

	return cmocka_run_group_tests_name("stats_sql", tests, setup,
	    teardown);
}

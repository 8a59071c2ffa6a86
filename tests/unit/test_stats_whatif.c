/*
 * test_stats_whatif.c - the what-if over the statistics engine
 * (stats/stats_whatif.h) equals the scan of the database it replaces
 * (store/insight_scan.h with core/budget.h's budget_add, as /budget
 * computed it), count for count and fen for fen.
 *
 * A seeded population: two counties, 彭州市 (510182) and 泸定县 (513322,
 * a disaster area in data/disaster_regions.tsv), one year; some persons
 * moved out or died, some have no survey of the year. Every policy's eligibility expression of
 * data/policies.tsv and the expression vectors below (ages and their
 * projection, enum sets and ranges, multi-choice sets, missing values,
 * dates, derived names, disaster_region, not/and/or) run through both,
 * over the province, a city, both counties, a township and a village,
 * with the sharing rows of data/budget_shares.tsv and the projection
 * years: every total (persons, cost, the three levels) of every year,
 * category and child region, and each child's first person, must be
 * equal. A comparison of a text, and a secret item, are refused as
 * "unsupported" (the server then scans).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/budget.h"
#include "core/disaster.h"
#include "core/policy.h"
#include "lib/embedded.h"
#include "lib/mem.h"
#include "plan/planner.h"
#include "stats/stats_load.h"
#include "stats/stats_whatif.h"
#include "store/insight_scan.h"
#include "store/store.h"
#include "synth/synth.h"
#include "testutil.h"

#define YEAR	2024	/* a leap year: 29 February fill dates */
#define NA	700		/* persons of 彭州市 */
#define NB_	400		/* persons of 泸定县 */

static char dir[64], db[128];
static struct policies *ps;
static struct disaster *dis;
static struct budget_shares *shares;
static struct store *s;
static struct stats *st;
static char village[13], township[10];

static const char *const vectors[] = {
	"true", "false", "severe", "not severe", "dibao", "reg_poor",
	"valid_card", "age >= 60", "age < 18", "age in 16..59",
	"age = 59", "age != 44", "age > 79 or age < 7", "age", "age >= 59",
	"age >= 62 and not age >= 63", "age < 60 or severe",
	"not age >= 60 and severe",
	"disability_category = 4", "disability_category in {1,2,3}",
	"disability_category in 5..7", "disability_grade <= 2",
	"rural_poverty_status = 1", "rural_poverty_status != 1",
	"not rural_poverty_status = 1",
	"rehab_training has 4", "rehab_training has_any {1,2}",
	"rehab_training", "not untreated_reason",
	"untreated_reason has 1 or untreated_reason has 3",
	"social_assistance_received has_any {1,2} and not dibao",
	"multi_disability_detail has 2",
	"birth_date < '1960-01-01'", "birth_date >= '2010-07-01'",
	"fill_date >= '2024-06-01'", "fill_date",
	"disaster_region", "not disaster_region", "disaster_region and severe",
	"disaster_region or age >= 65",
	"name", "not residence_address",
	"(severe or dibao) and not (age < 16 or age > 59)",
	"in_welfare_institution", "family_doctor_signed and age >= 65",
};

/* ---- seeding -------------------------------------------------------- */

static int nfeb29;	/* surveys filled on 29 February */

/* Puts r; for every 5th person first with a reference date where the
 * age k years on is not the age plus k (29 February: the engine's age
 * column marks it) or that the projected years cross a birthday on, kept
 * when the survey stays valid (the age moves the skip rules; birth dates
 * must match the ID number and both dates are required items, so a
 * stored survey has them). */
static void
put(struct record *r, const struct store_put *p, uint64_t i)
{
	static const char *const fills[] = { "2024-02-29", "2024-02-28",
	    "2024-03-01", "2024-12-31" };
	int f = catalog_find(tu_catalog(), "fill_date", 9)->index;
	int64_t was = r->num[f];
	struct store_put_result res;
	struct lf_error err;

	if (p->year == YEAR && i % 5 == 3) {
		r->num[f] = tu_days(fills[(i / 5) % 4]);
		if (store_survey_put(s, r, p, &res, &err) == 0) {
			nfeb29 += (i / 5) % 4 == 0;
			return;
		}
		r->num[f] = was;
	}
	if (store_survey_put(s, r, p, &res, &err) != 0)
		fail_msg("put: %s", err.message);
}

static void
seed(const char *county, uint64_t n, uint64_t seedv)
{
	struct store_put p = { YEAR, 0, "seed", 0, 0 };
	struct lf_error err;
	struct synth *sy;
	struct record *r = record_new(tu_catalog());
	uint64_t i;

	p.today = tu_days("2026-11-29");
	sy = tu_synth(county, seedv, YEAR - 1);
	for (i = 0; i < n; i++) {
		/* every 17th person without this year's survey */
		p.year = i % 17 == 9 ? YEAR - 1 : YEAR;
		assert_int_equal(synth_person(sy, i, p.year, r, &err), 0);
		p.status = i % 29 == 5 ? PERSON_MOVED_OUT : i % 31 == 7 ?
		    PERSON_DECEASED : 0;
		put(r, &p, i);
	}
	synth_free(sy);
	record_free(r);
}

static int
first_village(void *arg, const struct insight_person *p,
    const struct record *r)
{
	(void)arg;
	(void)r;
	snprintf(village, sizeof(village), "%s", p->region);
	return 1;
}

static int
setup(void **state)
{
	struct lf_error err;

	(void)state;
	tu_rules(&ps, &dis);
	assert_int_equal(budget_shares_load(ps, &shares, &err), 0);
	s = tu_store_new(dir, db, "whatif.db");
	assert_int_equal(store_begin(s, &err), 0);
	seed("510182", NA, 7);
	seed("513322", NB_, 8);
	assert_true(nfeb29 > 10);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(insight_scan(s, YEAR, NULL, first_village, NULL,
	    &err), 1);
	snprintf(township, sizeof(township), "%.9s", village);
	st = stats_new(tu_catalog(), tu_regions(), ps, YEAR);
	assert_non_null(st);
	if (stats_load(s, st, ps, NULL, NULL, &err) != 0)
		fail_msg("stats_load: %s", err.message);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	stats_free(st);
	store_close(s);
	budget_shares_free(shares);
	policies_free(ps);
	disaster_free(dis);
	tu_rmdir(dir);
	tu_env_free();
	return 0;
}

/* ---- the scan, as /budget computed it -------------------------------- */

struct scan {
	struct budget_scen	*s;
	int64_t			 first[BUDGET_CHILDREN];
	struct lf_error		 err;
};

static int
on_person(void *arg, const struct insight_person *p, const struct record *r)
{
	struct scan *sc = arg;
	struct expr_ctx ctx;
	int64_t n0 = sc->s->year[0].persons;
	size_t i;

	planner_ctx(r, YEAR, p->region, dis, &ctx);
	if (budget_add(sc->s, shares, r, p->region, YEAR, &ctx, &sc->err) != 0)
		return -1;
	if (sc->s->year[0].persons == n0)
		return 0;
	for (i = 0; i < sc->s->nchild; i++)	/* persons come by id */
		if (strncmp(sc->s->child[i].code, p->region,
		    (size_t)sc->s->child_len) == 0 && sc->first[i] == 0)
			sc->first[i] = p->id;
	return 0;
}

static void
scen_init(struct budget_scen *b, const struct expr *e, const char *policy,
    const struct region *in)
{
	static const int child_digits[] = { 4, 6, 9, 12, 12 };

	memset(b, 0, sizeof(*b));
	b->e = e;
	b->policy = policy;
	b->yearly = budget_yearly(8000 + 13 * (int64_t)strlen(policy),
	    PER_MONTH);
	b->child_len = child_digits[in->level < 4 ? in->level : 4];
}

static void
tot_equal(const char *what, const char *src, const struct budget_tot *a,
    const struct budget_tot *b)
{
	int i;

	if (a->persons != b->persons || a->cost != b->cost)
		fail_msg("%s of '%s': persons %lld/%lld cost %lld/%lld", what,
		    src, (long long)a->persons, (long long)b->persons,
		    (long long)a->cost, (long long)b->cost);
	for (i = 0; i < BUDGET_LEVELS; i++)
		if (a->level[i] != b->level[i])
			fail_msg("%s of '%s': level %d", what, src, i);
}

static const struct budget_child *
child_find(const struct budget_scen *b, const char *code, size_t *at)
{
	size_t i;

	for (i = 0; i < b->nchild; i++)
		if (strcmp(b->child[i].code, code) == 0) {
			*at = i;
			return &b->child[i];
		}
	return NULL;
}

/* One expression over region rc: the engine equals the scan. */
static int64_t
compare(const char *src, const char *policy, const char *rc)
{
	const struct region *in = regions_find(tu_regions(), rc);
	struct budget_scen *a = mem_calloc(1, sizeof(*a));
	struct budget_scen *b = mem_calloc(1, sizeof(*b));
	struct stats_whatif *w = mem_calloc(1, sizeof(*w));
	struct scan *sc = mem_calloc(1, sizeof(*sc));
	const struct budget_child *c;
	struct lf_error err;
	struct expr *e;
	int64_t n, held;
	size_t i, j;
	int k;

	assert_non_null(in);
	if (expr_compile(src, tu_catalog(), &e, &err) != 0)
		fail_msg("'%s': %s", src, err.message);
	scen_init(a, e, policy, in);
	scen_init(b, e, policy, in);
	sc->s = a;
	lf_error_clear(&sc->err);
	assert_int_equal(insight_scan(s, YEAR, in, on_person, sc, &err), 0);
	if (stats_whatif_run(st, in, dis, shares, b, BUDGET_YEARS, w, &err)
	    != 0)
		fail_msg("'%s' over %s: %s", src, rc, err.message);
	assert_int_equal(insight_count_surveys(s, YEAR, in, &n, &err), 0);
	assert_int_equal(w->surveys, n);
	for (k = 0; k <= BUDGET_YEARS; k++)
		tot_equal("year", src, &a->year[k], &b->year[k]);
	for (k = 0; k < BUDGET_CATS; k++)
		tot_equal("category", src, &a->cat[k], &b->cat[k]);
	assert_int_equal(a->nchild, b->nchild);
	for (i = 0; i < a->nchild; i++) {
		if ((c = child_find(b, a->child[i].code, &j)) == NULL)
			fail_msg("'%s': child %s missing", src,
			    a->child[i].code);
		tot_equal(a->child[i].code, src, &a->child[i].t, &c->t);
		assert_int_equal(sc->first[i], w->first[j]);
	}
	held = a->year[0].persons;
	expr_free(e);
	mem_free(a);
	mem_free(b);
	mem_free(w);
	mem_free(sc);
	return held;
}

static const char *const regions_of[] = { "51", "5101", "510182",
	"513322", NULL, NULL };

static void
test_vectors(void **state)
{
	size_t i, r;
	int64_t some = 0;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		for (r = 0; r < 4; r++)
			some += compare(vectors[i], "", regions_of[r]) > 0;
	assert_true(some > 100);	/* the vectors reach persons */
	for (i = 0; i < 6; i++) {
		compare(vectors[i * 7 % 40], "SUB_CARE", township);
		compare(vectors[i * 5 % 40], "", village);
	}
}

static void
test_policies(void **state)
{
	size_t i, r;
	int64_t some = 0;

	(void)state;
	for (i = 0; i < ps->n; i++)
		for (r = 0; r < 4; r++)
			some += compare(ps->v[i].elig_text, ps->v[i].code,
			    regions_of[r]) > 0;
	assert_true(some > 10);
}

static void
unsupported(const char *src, const char *field)
{
	struct budget_scen *b = mem_calloc(1, sizeof(*b));
	struct stats_whatif *w = mem_calloc(1, sizeof(*w));
	struct lf_error err;
	struct expr *e;

	assert_int_equal(expr_compile(src, tu_catalog(), &e, &err), 0);
	scen_init(b, e, "", regions_find(tu_regions(), "51"));
	lf_error_clear(&err);
	assert_int_equal(stats_whatif_run(st, regions_find(tu_regions(), "51"),
	    dis, shares, b, BUDGET_YEARS, w, &err), -1);
	assert_string_equal(err.code, "unsupported");
	assert_string_equal(err.field, field);
	expr_free(e);
	mem_free(b);
	mem_free(w);
}

static void
test_unsupported(void **state)
{
	(void)state;
	unsupported("name = '张三'", "name");
	unsupported("severe and residence_address != 'x'",
	    "residence_address");
	unsupported("id_number", "id_number");
}

/* Where each surveyed person lives, by id (the engine's keys). */
#define MAXID	4096
struct where {
	char	 region[13];
	int	 status, have;
};

static int
hold(void *arg, const struct insight_person *p, const struct record *r)
{
	struct where *wh = arg;

	(void)r;
	if (p->id <= 0 || p->id >= MAXID)
		return 0;
	snprintf(wh[p->id].region, sizeof(wh[0].region), "%s", p->region);
	wh[p->id].status = p->status;
	wh[p->id].have = 1;
	return 0;
}

/* The persons of seed(county, n, seedv) again, each year's survey with
 * its fill date moved to the year's first or last days or 29 February
 * (kept where it stays valid), into the store and the engine
 * (stats_person_set, in place); the number moved. */
static size_t
refill(const struct where *wh, const char *county, uint64_t n,
    uint64_t seedv)
{
	static const char *const days[] = { "2024-01-02", "2024-12-31",
	    "2024-02-29" };
	struct store_put p = { YEAR, 0, "seed", 0, 0 };
	struct store_put_result res;
	int f = catalog_find(tu_catalog(), "fill_date", 9)->index;
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	struct synth *sy;
	size_t moved = 0;
	uint64_t i;

	p.today = tu_days("2026-11-29");
	sy = tu_synth(county, seedv, YEAR - 1);
	for (i = 0; i < n; i++) {
		if (i % 17 == 9)
			continue;	/* no survey of the year */
		assert_int_equal(synth_person(sy, i, YEAR, r, &err), 0);
		r->num[f] = tu_days(days[i % 3]);
		if (store_survey_put(s, r, &p, &res, &err) != 0 ||
		    res.person_id >= MAXID || !wh[res.person_id].have)
			continue;
		if (stats_person_set(st, res.person_id,
		    wh[res.person_id].region, wh[res.person_id].status, r,
		    &err) != 0)
			fail_msg("stats_person_set: %s", err.message);
		moved++;
	}
	synth_free(sy);
	record_free(r);
	return moved;
}

/* A survey replaced in place takes its new age: the fill dates moved,
 * then the age rules again. */
static void
test_update(void **state)
{
	struct where *wh = mem_calloc(MAXID, sizeof(*wh));
	struct lf_error err;
	size_t i, moved;

	(void)state;
	assert_non_null(wh);
	assert_int_equal(insight_scan(s, YEAR, NULL, hold, wh, &err), 0);
	assert_int_equal(store_begin(s, &err), 0);
	moved = refill(wh, "510182", NA, 7) + refill(wh, "513322", NB_, 8);
	assert_int_equal(store_commit(s, &err), 0);
	assert_true(moved > 100);
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		if (strstr(vectors[i], "age") != NULL)
			compare(vectors[i], "", "51");
	mem_free(wh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_update),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

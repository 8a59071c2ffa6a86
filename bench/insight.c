/*
 * bench/insight.c - a province what-if with its full breakdown (issue 16)
 * beside the SQLite GROUP BY of the same counts, in the same run.
 *
 *   build/bench/insight DB YEAR [scan]
 *
 * 1. engine: the year loaded into the statistics engine (stats_load, as
 *    the server does at start; timed once);
 * 2. what-if over the engine (stats/stats_whatif.c, what POST
 *    /api/v1/budget and /rules/simulate now run): the rule "severe"
 *    (SUB_CARE, 80 yuan a month) over the province, split into province /
 *    city / county shares, by city and disability category, projected
 *    three years; best of 20, warm. The same for "age >= 60" and
 *    "age >= 59" (rules on age: the engine's age column, k years on
 *    age + k, so the projected years count more persons);
 * 3. baseline: SELECT substr(region, 1, 4), disability_category, count(*)
 *    ... WHERE year = YEAR AND disability_grade <= 2 GROUP BY 1, 2 (the
 *    counts only: no shares, no projection), best of 3;
 * 4. with "scan": the what-if as it ran before, a scan of every survey
 *    (store/insight_scan.c, the fallback), best of 3; and once for each
 *    age rule, whose breakdown must equal the engine's.
 * Prints milliseconds of each, the ratios, and checks that all count the
 * same persons and the engine's breakdown equals the scan's.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/budget.h"
#include "core/catalog.h"
#include "lib/embedded.h"
#include "lib/mem.h"
#include "plan/planner.h"
#include "core/policy.h"
#include "core/region.h"
#include "stats/stats_load.h"
#include "stats/stats_whatif.h"
#include "store/insight_scan.h"
#include "store/store.h"

struct run {
	struct budget_scen	*s;
	struct budget_shares	*b;
	int			 year;
	struct lf_error		*err;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
on_person(void *arg, const struct insight_person *p, const struct record *r)
{
	struct run *rn = arg;
	struct expr_ctx ctx;

	planner_ctx(r, rn->year, p->region, NULL, &ctx);
	return budget_add(rn->s, rn->b, r, p->region, rn->year, &ctx, rn->err);
}

static int64_t
baseline(const char *path, const struct catalog *cat, int year, double *ms)
{
	struct lf_error err;
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = 0;
	double t0 = now_ms();

	/* the survey items as columns: store_wide_view() (packed records) */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || store_wide_view(db, cat, &err) != 0 ||
	    sqlite3_prepare_v2(db, "SELECT substr(p.region, 1, "
	    "4), s.disability_category, count(*) FROM surveys s JOIN persons "
	    "p ON p.id = s.person_id WHERE s.year = ?1 AND "
	    "s.disability_grade <= 2 GROUP BY 1, 2", -1, &st, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "baseline: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_bind_int(st, 1, year);
	while (sqlite3_step(st) == SQLITE_ROW)
		n += sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	sqlite3_close(db);
	*ms = now_ms() - t0;
	return n;
}

static struct budget_scen *
scen_new(const struct expr *e)
{
	struct budget_scen *sc = mem_calloc(1, sizeof(*sc));

	if (sc == NULL)
		exit(1);
	sc->e = e;
	sc->policy = "SUB_CARE";
	sc->yearly = budget_yearly(8000, PER_MONTH);
	sc->child_len = 4;
	return sc;
}

/* The what-if over the engine, best of n; the last run's scenario. */
static struct budget_scen *
engine_whatif(const struct stats *st, const struct regions *rs,
    const struct budget_shares *b, const struct expr *e, int n, double *best)
{
	static struct stats_whatif w;
	struct budget_scen *sc = NULL;
	struct budget_tot t;
	struct lf_error err;
	int i, k;

	*best = 1e18;
	for (i = 0; i < n; i++) {
		double t0 = now_ms(), ms;

		mem_free(sc);
		sc = scen_new(e);
		if (stats_whatif_run(st, regions_find(rs, "51"), NULL, b, sc,
		    BUDGET_YEARS, &w, &err) != 0) {
			fprintf(stderr, "engine what-if: %s\n", err.message);
			exit(1);
		}
		for (k = 1; k <= BUDGET_YEARS; k++)
			budget_project(sc, k, w.surveys, w.surveys, &t);
		if ((ms = now_ms() - t0) < *best)
			*best = ms;
	}
	return sc;
}

/* The scan's what-if (the fallback), best of 3. */
static struct budget_scen *
scan_whatif(struct store *s, struct run *rn, const struct expr *e,
    double *best)
{
	struct budget_tot t;
	int i;

	*best = 1e18;
	for (i = 0; i < 3; i++) {
		double t0 = now_ms(), ms;

		if (i > 0)
			mem_free(rn->s);
		rn->s = scen_new(e);
		if (insight_scan(s, rn->year, NULL, on_person, rn, rn->err) != 0) {
			fprintf(stderr, "scan: %s\n", rn->err->message);
			exit(1);
		}
		budget_project(rn->s, 3, 100, 100, &t);
		if ((ms = now_ms() - t0) < *best)
			*best = ms;
	}
	return rn->s;
}

static int
child_cmp(const void *a, const void *b)
{
	return strcmp(((const struct budget_child *)a)->code,
	    ((const struct budget_child *)b)->code);
}

/* 0 when the two breakdowns are equal (years, categories, cities). */
static int
same(struct budget_scen *a, struct budget_scen *b)
{
	qsort(a->child, a->nchild, sizeof(*a->child), child_cmp);
	qsort(b->child, b->nchild, sizeof(*b->child), child_cmp);
	return memcmp(a->year, b->year, sizeof(a->year)) != 0 ||
	    memcmp(a->cat, b->cat, sizeof(a->cat)) != 0 ||
	    a->nchild != b->nchild || memcmp(a->child, b->child,
	    a->nchild * sizeof(*a->child)) != 0;
}

/* Each age rule's breakdown by the scan equals the engine's (its
 * projected years included). */
static int
same_ages(struct store *s, struct run *rn, struct expr *const age[2],
    struct budget_scen *const as[2], const char *const ages[2])
{
	struct budget_scen *ss;
	double ms;
	int i, rc;

	for (i = 0; i < 2; i++) {
		ss = scan_whatif(s, rn, age[i], &ms);
		rc = same(ss, as[i]);
		mem_free(ss);
		if (rc != 0)
			return fprintf(stderr, "\"%s\": engine and scan "
			    "differ\n", ages[i]), -1;
		printf("what-if \"%s\": same breakdown as the scan\n",
		    ages[i]);
	}
	return 0;
}

static struct stats *
engine_load(struct store *s, const struct catalog *cat,
    const struct regions *rs, const struct policies *ps, int year)
{
	struct stats *st = stats_new(cat, rs, ps, year);
	struct lf_error err;
	double t0 = now_ms();

	if (st == NULL || stats_load(s, st, ps, NULL, NULL, &err) != 0) {
		fprintf(stderr, "engine load: %s\n", st ? err.message :
		    "no memory");
		exit(1);
	}
	printf("engine load (scan of the database into memory): %.1f s\n",
	    (now_ms() - t0) / 1e3);
	return st;
}

int
main(int argc, char **argv)
{
	struct embedded_file cf, rf;
	struct catalog *cat;
	struct regions *rs;
	struct policies *ps;
	struct store *s;
	struct stats *st;
	struct lf_error err;
	struct run rn;
	static const char *const ages[2] = { "age >= 60", "age >= 59" };
	struct expr *e, *age[2];
	struct budget_scen *es, *as[2], *ss;
	double ems, ams[2], sms, bbest = 1e18, ms;
	int64_t base = 0;
	int i, year;

	if (argc != 3 && argc != 4)
		return fprintf(stderr, "usage: insight DB YEAR [scan]\n"), 2;
	year = (int)strtol(argv[2], NULL, 10);
	if (embedded_get("data/catalog.tsv", &cf) != 0 ||
	    embedded_get("data/regions-sichuan.tsv", &rf) != 0 ||
	    catalog_parse(cf.data, cf.len, "catalog.tsv", &cat, &err) != 0 ||
	    regions_parse(rf.data, rf.len, "regions", &rs, &err) != 0 ||
	    policies_load_embedded(cat, &ps, &err) != 0 ||
	    store_open(argv[1], cat, rs, &s, &err) != 0)
		return fprintf(stderr, "setup: %s\n", err.message), 1;
	memset(&rn, 0, sizeof(rn));
	rn.year = year;
	rn.err = &err;
	if (budget_shares_load(ps, &rn.b, &err) != 0 ||
	    expr_compile("severe", cat, &e, &err) != 0 ||
	    expr_compile(ages[0], cat, &age[0], &err) != 0 ||
	    expr_compile(ages[1], cat, &age[1], &err) != 0)
		return fprintf(stderr, "rules: %s\n", err.message), 1;
	st = engine_load(s, cat, rs, ps, year);
	es = engine_whatif(st, rs, rn.b, e, 20, &ems);
	for (i = 0; i < 2; i++)
		as[i] = engine_whatif(st, rs, rn.b, age[i], 20, &ams[i]);
	for (i = 0; i < 3; i++) {
		base = baseline(argv[1], cat, year, &ms);
		if (ms < bbest)
			bbest = ms;
	}
	if (base != es->year[0].persons)
		return fprintf(stderr, "mismatch: %lld vs %lld\n",
		    (long long)base, (long long)es->year[0].persons), 1;
	printf("what-if \"severe\" over the engine %.2f ms, baseline GROUP BY "
	    "%.1f ms, ratio %.4f (%.0fx faster); %lld persons, %zu cities, "
	    "cost %lld fen (province %lld, city %lld, county %lld)\n", ems,
	    bbest, ems / bbest, bbest / ems, (long long)base, es->nchild,
	    (long long)es->year[0].cost, (long long)es->year[0].level[0],
	    (long long)es->year[0].level[1], (long long)es->year[0].level[2]);
	for (i = 0; i < 2; i++)
		printf("what-if \"%s\" over the engine %.2f ms (ratio %.4f); "
		    "%lld persons, %lld in 3 years\n", ages[i], ams[i],
		    ams[i] / bbest, (long long)as[i]->year[0].persons,
		    (long long)as[i]->year[3].persons);
	if (argc == 4) {
		ss = scan_whatif(s, &rn, e, &sms);
		if (same(ss, es) != 0)
			return fprintf(stderr, "engine and scan differ\n"), 1;
		printf("what-if \"severe\" by the scan (fallback) %.1f ms, ratio "
		    "%.2f; engine %.0fx faster than the scan; same breakdown\n",
		    sms, sms / bbest, sms / ems);
		mem_free(ss);
		if (same_ages(s, &rn, age, as, ages) != 0)
			return 1;
	}
	mem_free(es);
	mem_free(as[0]);
	mem_free(as[1]);
	stats_free(st);
	expr_free(e);
	expr_free(age[0]);
	expr_free(age[1]);
	budget_shares_free(rn.b);
	store_close(s);
	policies_free(ps);
	regions_free(rs);
	catalog_free(cat);
	return 0;
}

/*
 * bench/insight.c - a province what-if with its full breakdown (issue 16)
 * beside the SQLite GROUP BY of the same counts, in the same run.
 *
 *   build/bench/insight DB YEAR
 *
 * 1. what-if: the rule "severe" (SUB_CARE, 80 yuan a month) over every
 *    survey of YEAR read without secrets (store/insight_scan.c), split
 *    into province / city / county shares, by city and disability
 *    category, projected three years (core/budget.c): what POST
 *    /api/v1/budget does.
 * 2. baseline: SELECT substr(region, 1, 4), disability_category, count(*)
 *    ... WHERE year = YEAR AND disability_grade <= 2 GROUP BY 1, 2 (the
 *    counts only: no shares, no projection).
 * Prints milliseconds of each (best of 3) and checks both count the same
 * persons.
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
baseline(const char *path, int year, double *ms)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = 0;
	double t0 = now_ms();

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(db, "SELECT substr(p.region, 1, "
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

int
main(int argc, char **argv)
{
	struct embedded_file cf, rf;
	struct catalog *cat;
	struct regions *rs;
	struct policies *ps;
	struct store *s;
	struct lf_error err;
	struct run rn;
	struct expr *e;
	struct budget_tot t;
	double best = 1e18, bbest = 1e18, ms;
	int64_t base = 0;
	int i, year;

	if (argc != 3)
		return fprintf(stderr, "usage: insight DB YEAR\n"), 2;
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
	    expr_compile("severe", cat, &e, &err) != 0)
		return fprintf(stderr, "rules: %s\n", err.message), 1;
	for (i = 0; i < 3; i++) {
		double t0 = now_ms();

		rn.s = mem_calloc(1, sizeof(*rn.s));
		rn.s->e = e;
		rn.s->policy = "SUB_CARE";
		rn.s->yearly = budget_yearly(8000, PER_MONTH);
		rn.s->child_len = 4;
		if (insight_scan(s, year, NULL, on_person, &rn, &err) != 0)
			return fprintf(stderr, "scan: %s\n", err.message), 1;
		budget_project(rn.s, 3, 100, 100, &t);
		ms = now_ms() - t0;
		if (ms < best)
			best = ms;
		if (i < 2)
			mem_free(rn.s);
		base = baseline(argv[1], year, &ms);
		if (ms < bbest)
			bbest = ms;
	}
	if (base != rn.s->year[0].persons)
		return fprintf(stderr, "mismatch: %lld vs %lld\n", (long long)base,
		    (long long)rn.s->year[0].persons), 1;
	printf("what-if %.1f ms, baseline GROUP BY %.1f ms, ratio %.2f; "
	    "%lld persons, %zu cities, cost %lld fen (province %lld, city "
	    "%lld, county %lld)\n", best, bbest, best / bbest,
	    (long long)base, rn.s->nchild, (long long)rn.s->year[0].cost,
	    (long long)rn.s->year[0].level[0],
	    (long long)rn.s->year[0].level[1],
	    (long long)rn.s->year[0].level[2]);
	mem_free(rn.s);
	expr_free(e);
	budget_shares_free(rn.b);
	store_close(s);
	policies_free(ps);
	regions_free(rs);
	catalog_free(cat);
	return 0;
}

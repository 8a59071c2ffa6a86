/*
 * rules.c - the rule engine's rate on synthetic persons (make bench).
 *
 * Makes NP synthetic surveys of the whole province in memory, then times
 * (1) every policy's eligibility on every person (expr_eval_ctx: persons
 * x policies per second), (2) planner_propose without explanations (the
 * batch's path), (3) planner_propose with explanations (the API's path).
 * Prints one line per figure; no database, no I/O in the timed loops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/catalog.h"
#include "lib/date.h"
#include "core/disaster.h"
#include "lib/embedded.h"
#include "plan/planner.h"
#include "core/policy.h"
#include "core/region.h"
#include "synth/synth.h"

#include "timing.h"

#define NP	10000
#define YEAR	2025

static struct catalog *cat;
static struct regions *rs;
static struct disaster *dis;
static struct policies *ps;
static struct record *recs[NP];
static struct expr_ctx ctx[NP];

static int
load(void)
{
	struct embedded_file f;
	struct lf_error err;
	struct synth *sy;
	int today;
	size_t i;
	char village[13];
	const struct field *reg;

	if (embedded_get("data/catalog.tsv", &f) || catalog_parse(f.data,
	    f.len, f.name, &cat, &err) || embedded_get(
	    "data/regions-sichuan.tsv", &f) || regions_parse(f.data, f.len,
	    f.name, &rs, &err) || embedded_get("data/disaster_regions.tsv",
	    &f) || disaster_parse(f.data, f.len, f.name, &dis, &err) ||
	    policies_load_embedded(cat, &ps, &err) ||
	    date_parse("2025-12-31", &today) ||
	    synth_new(cat, rs, NULL, 42, today, &sy, &err) ||
	    synth_set_first_year(sy, YEAR, &err))
		return -1;
	reg = catalog_find(cat, "hukou_region", 12);
	for (i = 0; i < NP; i++) {
		if ((recs[i] = record_new(cat)) == NULL ||
		    synth_person(sy, i, YEAR, recs[i], &err) != 0)
			return -1;
		snprintf(village, sizeof(village), "%s",
		    recs[i]->str[reg->index]);
		planner_ctx(recs[i], YEAR, village, dis, &ctx[i]);
	}
	synth_free(sy);
	return 0;
}

int
main(void)
{
	struct planner_result res;
	struct lf_error err;
	double t0, t;
	size_t i, j, pass, items = 0, holds = 0;

	if (load() != 0) {
		fprintf(stderr, "rules: cannot load data\n");
		return 1;
	}
	t0 = bench_now();
	for (pass = 0; pass < 20; pass++)
		for (i = 0; i < NP; i++)
			for (j = 0; j < ps->n; j++)
				holds += (size_t)expr_eval_ctx(ps->v[j].elig,
				    recs[i], &ctx[i]);
	t = bench_now() - t0;
	printf("eligibility: %.1f M persons x policies / s (%zu policies, "
	    "%.1f%% hold)\n", 20.0 * NP * (double)ps->n / t / 1e6, ps->n,
	    100.0 * (double)holds / (20.0 * NP * (double)ps->n));
	planner_result_init(&res);
	t0 = bench_now();
	for (pass = 0; pass < 20; pass++)
		for (i = 0; i < NP; i++) {
			planner_propose(ps, recs[i], &ctx[i], 0, &res, &err);
			items += res.nitems;
		}
	t = bench_now() - t0;
	printf("planner: %.0f persons/s, %.2f items per person; 3.5 M "
	    "persons: %.1f s of rules\n", 20.0 * NP / t,
	    (double)items / (20.0 * NP), 3.5e6 * t / (20.0 * NP));
	t0 = bench_now();
	for (i = 0; i < NP; i++)
		planner_propose(ps, recs[i], &ctx[i], PLANNER_EXPLAIN, &res,
		    &err);
	printf("planner with explanations: %.0f persons/s\n",
	    NP / (bench_now() - t0));
	planner_result_free(&res);
	for (i = 0; i < NP; i++)
		record_free(recs[i]);
	policies_free(ps);
	disaster_free(dis);
	regions_free(rs);
	catalog_free(cat);
	return 0;
}

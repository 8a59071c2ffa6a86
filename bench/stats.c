/*
 * stats.c - 全项统计 at scale (make bench): load the in-memory statistics
 * of a year from a database, then time full-item reports (every catalog
 * item, services by policy / batch / department, KPIs, need vs supply)
 * for the province by city and for one county by township, beside the
 * same kind of figures computed by SQLite GROUP BY over the same file.
 *
 *   build/bench/stats DB YEAR COUNTY
 *
 * Prints load time, resident memory, report times (best of 5) and the
 * GROUP BY times; bench/plan.sh runs it on the database it built.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/embedded.h"
#include "core/policy.h"
#include "stats/stats.h"
#include "stats/report.h"
#include "stats/stats_load.h"
#include "store/store.h"

#include "timing.h"

/* Best of five full reports of region in (with filter spec, or NULL),
 * in milliseconds. */
static double
report_ms(const struct stats *st, const struct catalog *cat,
    const struct region *in, const char *spec, size_t *ntables)
{
	struct stats_filter flt;
	struct stats_query q;
	struct lf_error err;
	struct report *rep;
	double best = 1e9, t;
	int i;

	memset(&q, 0, sizeof(q));
	q.in = in;
	if (spec != NULL) {
		if (report_filter_parse(st, cat, spec, &flt, &err) != 0) {
			fprintf(stderr, "filter: %s\n", err.message);
			exit(1);
		}
		q.filters = &flt;
		q.nfilters = 1;
	}
	q.today = (int)(time(NULL) / 86400);
	for (i = 0; i < 5; i++) {
		t = bench_now();
		if (report_build(st, cat, &q, NULL, &rep, &err) != 0) {
			fprintf(stderr, "report: %s\n", err.message);
			exit(1);
		}
		t = (bench_now() - t) * 1000;
		*ntables = rep->ntables;
		report_free(rep);
		if (t < best)
			best = t;
	}
	return best;
}

int
main(int argc, char **argv)
{
	struct embedded_file f;
	struct catalog *cat;
	struct regions *rs;
	struct policies *ps;
	struct lf_error err;
	struct store *s;
	struct stats *st;
	const struct region *prov, *county;
	sqlite3 *db;
	double t, p_ms, c_ms, g1, g2;
	size_t nt;
	int64_t persons, items;
	size_t bytes;
	char sql[1024];
	int year;

	if (argc != 4) {
		fprintf(stderr, "usage: stats DB YEAR COUNTY\n");
		return 2;
	}
	year = atoi(argv[2]);
	if (embedded_get("data/catalog.tsv", &f) || catalog_parse(f.data,
	    f.len, f.name, &cat, &err) || embedded_get(
	    "data/regions-sichuan.tsv", &f) || regions_parse(f.data, f.len,
	    f.name, &rs, &err) || policies_load_embedded(cat, &ps, &err) ||
	    store_open(argv[1], cat, rs, &s, &err)) {
		fprintf(stderr, "stats: %s\n", err.message);
		return 1;
	}
	prov = regions_find(rs, "51");
	county = regions_find(rs, argv[3]);
	st = stats_new(cat, rs, ps, year);
	t = bench_now();
	if (st == NULL || county == NULL ||
	    stats_load(s, st, ps, NULL, NULL, &err) != 0) {
		fprintf(stderr, "load: %s\n", st ? err.message : "no memory");
		return 1;
	}
	t = bench_now() - t;
	stats_size(st, &persons, &items, &bytes);
	printf("load: %lld persons, %lld items in %.1f s; engine %zu MiB, "
	    "process RSS %ld MiB\n", (long long)persons, (long long)items, t,
	    bytes >> 20, bench_rss_mib());
	p_ms = report_ms(st, cat, prov, NULL, &nt);
	c_ms = report_ms(st, cat, county, NULL, &nt);
	printf("full-item report (%zu tables): province by city %.1f ms, "
	    "county %s by township %.1f ms\n", nt, p_ms, county->name, c_ms);
	printf("filtered (disability_grade=1,2): province by city %.1f ms, "
	    "county by township %.1f ms\n", report_ms(st, cat, prov,
	    "disability_grade=1,2", &nt), report_ms(st, cat, county,
	    "disability_grade=1,2", &nt));
	store_close(s);
	/* the survey items as columns: store_wide_view() (packed records) */
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || store_wide_view(db, cat, &err) != 0)
		return 1;
	snprintf(sql, sizeof(sql), "SELECT substr(p.region, 1, 4), "
	    "v.disability_category, count(*) FROM surveys v JOIN persons p ON "
	    "p.id = v.person_id WHERE v.year = %d GROUP BY 1, 2", year);
	g1 = bench_sql_ms(db, sql);
	snprintf(sql, sizeof(sql), "SELECT substr(region, 1, 4), policy, "
	    "count(*), count(DISTINCT person_id), sum(status = 3), "
	    "sum(funds_planned), sum(funds_spent) FROM items WHERE year = %d "
	    "AND decision != 2 GROUP BY 1, 2", year);
	g2 = bench_sql_ms(db, sql);
	printf("SQLite GROUP BY, province by city: one survey item %.0f ms "
	    "(x %zu items: %.0f s), service items by policy %.0f ms\n", g1,
	    nt - 5, g1 * (double)(nt - 5) / 1000, g2);
	printf("ratio: our whole province report %.1f ms vs SQLite %.0f s "
	    "for the same tables: %.0fx faster\n", p_ms,
	    (g1 * (double)(nt - 5) + g2 * 3) / 1000,
	    (g1 * (double)(nt - 5) + g2 * 3) / p_ms);
	sqlite3_close(db);
	stats_free(st);
	policies_free(ps);
	regions_free(rs);
	catalog_free(cat);
	return 0;
}

/*
 * engine.c - the statistics engine's start-up and filtered reports
 * (make bench, bench/engine.sh), each beside a baseline of the same run:
 *
 *   build/bench/engine DB YEAR COUNTY SNAPSHOT
 *
 * 1. start-up: the year read from the database (the scan, today's
 *    start), then written to SNAPSHOT and read back from it, verified
 *    against the database's write counter; the province report of both
 *    must be the same JSON;
 * 2. a report filtered on one pivot item (disability grade 1-2), the
 *    province by city and COUNTY by township: from the slices, against
 *    the same persons counted by scanning them (the path every filtered
 *    report took before; forced by giving the filter twice), and against
 *    SQLite GROUP BY of one item with the same filter.
 * Prints times, ratios and the process's resident memory.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/embedded.h"
#include "core/policy.h"
#include "stats/stats.h"
#include "stats/stats_snap.h"
#include "stats/report.h"
#include "store/stats_gen.h"
#include "stats/stats_load.h"
#include "store/store.h"

#define SPEC	"disability_grade=1,2"

static const struct catalog *cat;

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long
rss_mib(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	long kb = 0;

	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	if (fp != NULL)
		fclose(fp);
	return kb / 1024;
}

static void
die(const char *what, const struct lf_error *err)
{
	fprintf(stderr, "engine: %s: %s\n", what, err->message);
	exit(1);
}

/* One report of in, filtered by SPEC given nflt times (0: none). */
static struct report *
report(const struct stats *st, const struct region *in, size_t nflt)
{
	struct stats_filter flt[2];
	struct stats_query q;
	struct lf_error err;
	struct report *rep;

	memset(&q, 0, sizeof(q));
	q.in = in;
	if (nflt > 0) {
		if (report_filter_parse(st, cat, SPEC, &flt[0], &err) != 0)
			die("filter", &err);
		flt[1] = flt[0];
		q.filters = flt;
		q.nfilters = nflt;
	}
	q.today = (int)(time(NULL) / 86400);
	if (report_build(st, cat, &q, "2025-01-01T00:00:00Z", &rep, &err) != 0)
		die("report", &err);
	return rep;
}

/* Best of `tries` reports, in milliseconds. */
static double
report_ms(const struct stats *st, const struct region *in, size_t nflt,
    int tries)
{
	double best = 1e12, t;
	int i;

	for (i = 0; i < tries; i++) {
		t = now();
		report_free(report(st, in, nflt));
		t = (now() - t) * 1000;
		if (t < best)
			best = t;
	}
	return best;
}

/* The province report (unfiltered and filtered) as JSON text. */
static char *
province_json(const struct stats *st, const struct region *prov)
{
	json_t *a = json_array();
	struct report *r;
	char *s;
	size_t n;

	for (n = 0; n < 2; n++) {
		r = report(st, prov, n);
		json_array_append_new(a, report_json(r));
		report_free(r);
	}
	s = json_dumps(a, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(a);
	return s;
}

static double
sql_ms(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	double t = now();

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		;
	sqlite3_finalize(st);
	return (now() - t) * 1000;
}

int
main(int argc, char **argv)
{
	struct embedded_file f;
	struct catalog *c;
	struct regions *rs;
	struct policies *ps;
	struct lf_error err;
	struct store *s;
	struct stats *st;
	struct report *rep;
	const struct region *prov, *county;
	struct stat sb;
	sqlite3 *db;
	double t_scan, t_write, t_read, fast_p, slow_p, fast_c, slow_c, g;
	int64_t persons, items;
	uint64_t gen;
	size_t bytes;
	char sql[1024], *j1, *j2;
	int year;

	if (argc != 5) {
		fprintf(stderr, "usage: engine DB YEAR COUNTY SNAPSHOT\n");
		return 2;
	}
	year = atoi(argv[2]);
	if (embedded_get("data/catalog.tsv", &f) || catalog_parse(f.data,
	    f.len, f.name, &c, &err) || embedded_get(
	    "data/regions-sichuan.tsv", &f) || regions_parse(f.data, f.len,
	    f.name, &rs, &err) || policies_load_embedded(c, &ps, &err) ||
	    store_open(argv[1], c, rs, &s, &err))
		die("open", &err);
	cat = c;
	prov = regions_find(rs, "51");
	county = regions_find(rs, argv[3]);
	if (county == NULL)
		return 2;

	/* 1. start-up */
	st = stats_new(cat, rs, ps, year);
	t_scan = now();
	if (st == NULL || stats_load(s, st, ps, NULL, NULL, &err) != 0)
		die("load", &err);
	t_scan = now() - t_scan;
	stats_size(st, &persons, &items, &bytes);
	printf("scan: %lld persons, %lld items read from the database in "
	    "%.2f s; engine %zu MiB, process RSS %ld MiB\n",
	    (long long)persons, (long long)items, t_scan, bytes >> 20,
	    rss_mib());
	if (stats_gen_get(s, &gen, &err) != 0)
		die("write counter", &err);
	t_write = now();
	if (stats_snap_write(st, gen, argv[4], &err) != 0)
		die("snapshot write", &err);
	t_write = now() - t_write;
	stat(argv[4], &sb);
	j1 = province_json(st, prov);
	stats_free(st);
	st = stats_new(cat, rs, ps, year);
	t_read = now();
	if (st == NULL || stats_gen_get(s, &gen, &err) != 0 ||
	    stats_snap_read(st, gen, argv[4], &err) != 0)
		die("snapshot read", &err);
	t_read = now() - t_read;
	j2 = province_json(st, prov);
	printf("snapshot: written in %.2f s (%lld MiB), read and verified in "
	    "%.2f s: %.1fx faster than the scan; province reports %s\n",
	    t_write, (long long)(sb.st_size >> 20), t_read, t_scan / t_read,
	    strcmp(j1, j2) == 0 ? "identical" : "DIFFER");
	free(j1);
	free(j2);

	/* 2. filtered reports */
	fast_p = report_ms(st, prov, 1, 5);
	slow_p = report_ms(st, prov, 2, 3);
	fast_c = report_ms(st, county, 1, 5);
	slow_c = report_ms(st, county, 2, 3);
	rep = report(st, prov, 0);
	printf("filtered report (%s, %zu tables): province by city %.2f ms "
	    "(scan %.1f ms: %.0fx); county %s by township %.2f ms (scan "
	    "%.1f ms: %.1fx)\n", SPEC, rep->ntables, fast_p,
	    slow_p, slow_p / fast_p, county->name, fast_c, slow_c,
	    slow_c / fast_c);
	report_free(rep);
	printf("process RSS %ld MiB\n", rss_mib());
	store_close(s);
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		return 1;
	/* the surveys are packed records: the wide view decodes the two
	 * items in SQL, as any ad-hoc GROUP BY over them must */
	if (store_wide_view(db, c, &err) != 0)
		die("wide view", &err);
	snprintf(sql, sizeof(sql), "SELECT substr(p.region, 1, 4), "
	    "v.disability_category, count(*) FROM surveys v JOIN persons p ON "
	    "p.id = v.person_id WHERE v.year = %d AND p.status = 1 AND "
	    "v.disability_grade IN (1, 2) GROUP BY 1, 2", year);
	g = sql_ms(db, sql);
	printf("SQLite GROUP BY, one item filtered the same, province by "
	    "city: %.0f ms (our whole filtered report: %.0fx faster)\n", g,
	    g / fast_p);
	sqlite3_close(db);
	stats_free(st);
	policies_free(ps);
	regions_free(rs);
	catalog_free(c);
	return 0;
}

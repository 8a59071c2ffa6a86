/*
 * test_pg_rls.c - row-level security holds below the C access checks
 * (issue 18).
 *
 *   test_pg_rls WEB_URL COUNTY_A COUNT_A TOTAL YEAR
 *
 * Opens the registry through the application's login role (a member of
 * liangfu_app, NOBYPASSRLS), confines the store to county A as the
 * server does for a user of A, and then asks, as a buggy access check
 * would, for everything: every person (store_count) and the whole
 * province's statistics (stats_load with no region). PostgreSQL must
 * hand over county A's COUNT_A persons only, never the TOTAL. Without a
 * scope, it must hand over none. Exit 0 when it holds, 1 with a message
 * when not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/embedded.h"
#include "core/policy.h"
#include "core/region.h"
#include "stats/stats.h"
#include "stats/stats_load.h"
#include "store/store.h"

static int
fail(const char *what, const struct lf_error *err)
{
	fprintf(stderr, "test_pg_rls: %s: %s\n", what, err ? err->message : "");
	return 1;
}

struct env {
	struct catalog	*cat;
	struct regions	*rs;
	struct policies	*ps;
};

static int
env_load(struct env *e, struct lf_error *err)
{
	struct embedded_file c, r;

	if (embedded_get("data/catalog.tsv", &c) != 0 ||
	    embedded_get("data/regions-sichuan.tsv", &r) != 0)
		return lf_error_set(err, "internal", "", "no built-in data");
	if (catalog_parse(c.data, c.len, c.name, &e->cat, err) != 0 ||
	    regions_parse(r.data, r.len, r.name, &e->rs, err) != 0)
		return -1;
	return policies_load_embedded(e->cat, &e->ps, err);
}

/* Persons the engine holds after a load with no region. */
static int
engine_persons(struct store *s, const struct env *e, int year, int64_t *n,
    struct lf_error *err)
{
	struct stats *st = stats_new(e->cat, e->rs, e->ps, year);
	int64_t items;
	size_t bytes;
	int rc;

	if (st == NULL)
		return lf_error_set(err, "no_memory", "", "no memory");
	if ((rc = stats_load(s, st, e->ps, NULL, NULL, err)) == 0)
		stats_size(st, n, &items, &bytes);
	stats_free(st);
	return rc;
}

int
main(int argc, char **argv)
{
	struct env e = { NULL, NULL, NULL };
	struct lf_error err;
	struct store *s = NULL;
	int64_t n = -1, want, total;
	int rc = 1;

	if (argc != 6) {
		fprintf(stderr, "usage: test_pg_rls WEB_URL COUNTY COUNT TOTAL "
		    "YEAR\n");
		return 2;
	}
	want = atoll(argv[3]);
	total = atoll(argv[4]);
	lf_error_clear(&err);
	if (env_load(&e, &err) != 0 ||
	    store_open_any(argv[1], e.cat, e.rs, &s, &err) != 0) {
		fail("open", &err);
		goto out;
	}
	if (want <= 0 || want >= total) {
		fail("the county must hold some but not all persons", NULL);
		goto out;
	}
	if (store_count(s, "persons", &n, &err) != 0 || n != 0) {
		fprintf(stderr, "test_pg_rls: no scope: %lld persons seen, "
		    "wanted 0\n", (long long)n);
		goto out;
	}
	if (store_set_scope(s, argv[2], &err) != 0 ||
	    store_count(s, "persons", &n, &err) != 0) {
		fail("count", &err);
		goto out;
	}
	if (n != want) {
		fprintf(stderr, "test_pg_rls: county %s: %lld persons seen, "
		    "wanted %lld of %lld\n", argv[2], (long long)n,
		    (long long)want, (long long)total);
		goto out;
	}
	if (engine_persons(s, &e, atoi(argv[5]), &n, &err) != 0) {
		fail("statistics", &err);
		goto out;
	}
	if (n != want) {
		fprintf(stderr, "test_pg_rls: province statistics saw %lld "
		    "persons, wanted county %s's %lld\n", (long long)n,
		    argv[2], (long long)want);
		goto out;
	}
	printf("test_pg_rls: county %s sees %lld of %lld persons, as it "
	    "should\n", argv[2], (long long)want, (long long)total);
	rc = 0;
out:
	store_close(s);
	policies_free(e.ps);
	regions_free(e.rs);
	catalog_free(e.cat);
	return rc;
}

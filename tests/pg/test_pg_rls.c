/*
 * test_pg_rls.c - row-level security holds below the C access checks
 * (issue 18).
 *
 *   test_pg_rls WEB_URL COUNTY_A COUNT_A TOTAL YEAR ITEMS_A ITEMS PERSON_B
 *
 * Opens the registry through the application's login role (a member of
 * liangfu_app, NOBYPASSRLS), confines the store to county A as the
 * server does for a user of A, and then asks, as a buggy access check
 * would, for everything: every person (store_count) and the whole
 * province's statistics (stats_load with no region). PostgreSQL must
 * hand over county A's COUNT_A persons only, never the TOTAL. Without a
 * scope, it must hand over none. The same for the service items of the
 * year's plans: the engine holds county A's ITEMS_A of all ITEMS, and
 * the plan build's own read of a person's items (plan_items_light(), as
 * a merge that was handed the wrong person would call it) returns none
 * of PERSON_B's, who lives in another county and has items. Exit 0 when
 * it holds, 1 with a message when not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/embedded.h"
#include "core/policy.h"
#include "core/region.h"
#include "stats/stats.h"
#include "stats/stats_load.h"
#include "store/plan_rows.h"
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

/* Persons and items the engine holds after a load with no region. */
static int
engine_persons(struct store *s, const struct env *e, int year, int64_t *n,
    int64_t *items, struct lf_error *err)
{
	struct stats *st = stats_new(e->cat, e->rs, e->ps, year);
	size_t bytes;
	int rc;

	if (st == NULL)
		return lf_error_set(err, "no_memory", "", "no memory");
	if ((rc = stats_load(s, st, e->ps, NULL, NULL, err)) == 0)
		stats_size(st, n, items, &bytes);
	stats_free(st);
	return rc;
}

static int
count_item(void *arg, const struct plan_light *o)
{
	(void)o;
	(*(int64_t *)arg)++;
	return 0;
}

/* Another county's person's items, read as the plan build reads them:
 * row-level security must hand over none. */
static int
other_items(struct store *s, int year, int64_t person, struct lf_error *err)
{
	int64_t n = 0;

	if (plan_items_light(s, year, person, count_item, &n, err) != 0)
		return fail("items", err);
	if (n != 0) {
		fprintf(stderr, "test_pg_rls: person %lld of another county: "
		    "%lld items seen, wanted 0\n", (long long)person,
		    (long long)n);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct env e = { NULL, NULL, NULL };
	struct lf_error err;
	struct store *s = NULL;
	int64_t n = -1, want, total, items = -1, want_items, all_items;
	int rc = 1;

	if (argc != 9) {
		fprintf(stderr, "usage: test_pg_rls WEB_URL COUNTY COUNT TOTAL "
		    "YEAR ITEMS_A ITEMS PERSON_B\n");
		return 2;
	}
	want = atoll(argv[3]);
	total = atoll(argv[4]);
	want_items = atoll(argv[6]);
	all_items = atoll(argv[7]);
	lf_error_clear(&err);
	if (env_load(&e, &err) != 0 ||
	    store_open_any(argv[1], e.cat, e.rs, &s, &err) != 0) {
		fail("open", &err);
		goto out;
	}
	if (want <= 0 || want >= total || want_items <= 0 ||
	    want_items >= all_items) {
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
	if (engine_persons(s, &e, atoi(argv[5]), &n, &items, &err) != 0) {
		fail("statistics", &err);
		goto out;
	}
	if (n != want || items != want_items) {
		fprintf(stderr, "test_pg_rls: province statistics saw %lld "
		    "persons and %lld items, wanted county %s's %lld and "
		    "%lld\n", (long long)n, (long long)items, argv[2],
		    (long long)want, (long long)want_items);
		goto out;
	}
	if (other_items(s, atoi(argv[5]), atoll(argv[8]), &err) != 0)
		goto out;
	printf("test_pg_rls: county %s sees %lld of %lld persons and %lld of "
	    "%lld items, none of person %s's, as it should\n", argv[2],
	    (long long)want, (long long)total, (long long)want_items,
	    (long long)all_items, argv[8]);
	rc = 0;
out:
	store_close(s);
	policies_free(e.ps);
	regions_free(e.rs);
	catalog_free(e.cat);
	return rc;
}

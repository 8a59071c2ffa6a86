/*
 * test_region.c - the region table: counts, lookups, containment, and
 * malformed files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/region.h"
#include "testutil.h"

static void
test_counts(void **state)
{
	const struct regions *rs = tu_regions();
	size_t n[5] = { 0 }, i;

	(void)state;
	for (i = 0; i < rs->n; i++)
		n[rs->v[i].level]++;
	assert_int_equal(n[RL_PROVINCE], 1);
	assert_int_equal(n[RL_CITY], 21);
	assert_int_equal(n[RL_COUNTY], 183);
	assert_int_equal(n[RL_TOWNSHIP], 3111);
	assert_int_equal(n[RL_VILLAGE], 34412);
	assert_int_equal(regions_find(rs, "51")->nchildren, 21);
}

static const struct {
	const char	*region;
	long long	 village;
	int		 inside;
} contain_rows[] = {
	{ "51", 510104017001LL, 1 },
	{ "5101", 510104017001LL, 1 },
	{ "5103", 510104017001LL, 0 },
	{ "510104", 510104017001LL, 1 },
	{ "510105", 510104017001LL, 0 },
	{ "510104017", 510104017001LL, 1 },
	{ "510104017", 510104018001LL, 0 },
	{ "510104017001", 510104017001LL, 1 },
	{ "510104017002", 510104017001LL, 0 },
};

static void
test_contains(void **state)
{
	const struct regions *rs = tu_regions();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(contain_rows) / sizeof(contain_rows[0]); i++) {
		const struct region *r = regions_find(rs,
		    contain_rows[i].region);

		assert_non_null(r);
		if (region_contains(r, contain_rows[i].village) !=
		    contain_rows[i].inside)
			fail_msg("%s ∋ %lld", contain_rows[i].region,
			    contain_rows[i].village);
	}
}

static void
test_lookup(void **state)
{
	const struct regions *rs = tu_regions();
	const struct region *v = regions_find(rs, "510104017001");

	(void)state;
	assert_non_null(v);
	assert_string_equal(v->name, "水井坊社区居委会");
	assert_int_equal(v->level, RL_VILLAGE);
	assert_string_equal(rs->v[v->parent].code, "510104017");
	assert_string_equal(rs->v[rs->v[v->parent].parent].name, "锦江区");
	assert_ptr_equal(regions_find12(rs, 510104000000LL, RL_COUNTY),
	    regions_find(rs, "510104"));
	assert_null(regions_find12(rs, 510104000000LL, RL_VILLAGE));
	assert_null(regions_find(rs, "5101x4"));
	assert_null(regions_find(rs, "5"));
	assert_null(regions_find(rs, ""));
	assert_null(regions_find(rs, "99"));
	assert_string_equal(region_level_name(RL_TOWNSHIP), "township");
}

#define H "code\tparent\tlevel\tname\n"
static const struct {
	const char	*text;
	const char	*msg;
} bad_rows[] = {
	{ "", "no regions" },
	{ "code\tname\n", "t:1:1:" },
	{ H "51\t\tprovince\t四川\n5101\t52\tcity\t成都\n", "t:3:2:" },
	{ H "51\t\tprovince\t四川\n510\t51\tcity\t成都\n", "t:3:1:" },
	{ H "51\t\tprovince\t四川\n5101\t51\ttown\t成都\n", "t:3:3:" },
	{ H "51\t\tprovince\t四川\n5101\t51\tcity\t\n", "t:3:4:" },
	{ H "51\t\tprovince\t四川\n5101\t51\tcity\n", "t:3:3:" },
	{ H "51\t\tprovince\t四川\n51\t\tprovince\t四川\n", "duplicate" },
	{ H "51\t5\tprovince\t四川\n", "t:2:2:" },
	{ H "51\t\tprovince\t四川\n5201\t51\tcity\t贵阳\n", "t:3:2:" },
};

static void
test_bad(void **state)
{
	struct regions *rs;
	struct lf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		lf_error_clear(&err);
		if (regions_parse(bad_rows[i].text, strlen(bad_rows[i].text),
		    "t", &rs, &err) == 0)
			fail_msg("row %zu parsed", i);
		if (strstr(err.message, bad_rows[i].msg) == NULL)
			fail_msg("row %zu: %s", i, err.message);
	}
}

static int
teardown(void **state)
{
	(void)state;
	tu_env_free();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests_name("region", tests, NULL, teardown);
}

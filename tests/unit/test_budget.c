/*
 * test_budget.c - sharing ratios, splits and the three-year projection
 * (core/budget.h) against a hand computation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/budget.h"
#include "plan/planner.h"
#include "core/policy.h"
#include "testutil.h"

static struct policies *
pols(void)
{
	static struct policies *ps;
	struct lf_error err;

	if (ps == NULL)
		assert_int_equal(policies_load_embedded(tu_catalog(), &ps,
		    &err), 0);
	return ps;
}

static void
test_parse(void **state)
{
	static const struct {
		const char	*text;
		const char	*field;		/* NULL: good */
		unsigned	 column;
	} rows[] = {
		{ "policy\tregion\tprovince\tcity\tcounty\tnote\n"
		    "*\t51\t40\t30\t30\tx\n", NULL, 0 },
		{ "policy\tregion\tprovince\tcity\tcounty\tnote\n"
		    "*\t51\t40\t30\t31\tx\n", "county", 5 },
		{ "policy\tregion\tprovince\tcity\tcounty\tnote\n"
		    "NOPE\t51\t40\t30\t30\tx\n", "policy", 1 },
		{ "policy\tregion\tprovince\tcity\tcounty\tnote\n"
		    "*\t5x\t40\t30\t30\tx\n", "region", 2 },
		{ "policy\tregion\tprovince\tcity\tcounty\tnote\n"
		    "*\t51\t-1\t30\t71\tx\n", "province", 3 },
		{ "policy\tregion\n", "policy", 1 },
		{ "# only a comment\n", "policy", 1 },
	};
	struct budget_shares *b;
	struct lf_error err;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		lf_error_clear(&err);
		rc = budget_shares_parse(rows[i].text, strlen(rows[i].text),
		    "t.tsv", pols(), &b, &err);
		if (rows[i].field == NULL) {
			assert_int_equal(rc, 0);
			assert_int_equal(b->n, 1);
			budget_shares_free(b);
			continue;
		}
		assert_int_equal(rc, -1);
		assert_null(b);
		assert_string_equal(err.code, "budget_file");
		if (strcmp(err.field, rows[i].field) != 0 ||
		    err.column != rows[i].column)
			fail_msg("row %zu: %s %u (%s)", i, err.field, err.column,
			    err.message);
	}
	/* the embedded file loads */
	assert_int_equal(budget_shares_load(pols(), &b, &err), 0);
	budget_shares_free(b);
}

static void
test_split(void **state)
{
	struct budget_shares *b;
	struct lf_error err;
	const struct budget_share *row;
	int64_t lv[BUDGET_LEVELS];

	(void)state;
	assert_int_equal(budget_shares_load(pols(), &b, &err), 0);
	/* the policy's own row, the longest prefix, then "*" */
	row = budget_share_find(b, "SUB_LIVING", "513401001001");
	assert_string_equal(row->region, "5134");
	assert_int_equal(row->pct[0], 80);
	row = budget_share_find(b, "SUB_LIVING", "510104017001");
	assert_string_equal(row->region, "51");
	assert_int_equal(row->pct[0], 50);
	row = budget_share_find(b, "LEGAL_AID", "510104017001");
	assert_string_equal(row->policy, "*");
	assert_null(budget_share_find(b, "", "110101001001"));
	/* 101 fen at 40/30/30: 40 and 30, the county takes the rest */
	budget_split(101, row, lv);
	assert_int_equal(lv[0], 40);
	assert_int_equal(lv[1], 30);
	assert_int_equal(lv[2], 31);
	budget_split(500, NULL, lv);
	assert_int_equal(lv[0], 500);
	assert_int_equal(budget_yearly(10000, PER_MONTH), 120000);
	assert_int_equal(budget_yearly(10000, PER_YEAR), 10000);
	budget_shares_free(b);
}

/*
 * Hand computation. Rule "age >= 40", SUB_LIVING, 100 yuan a month:
 * yearly 120000 fen a person. Surveys of 2024-05-10:
 *   A born 1985-06-15, 成都 (5101, shares 50/20/30): age 38; 40 in 2026
 *   B born 1983-01-01, 成都: age 41, holds every year
 *   C born 1970-01-01, 凉山 (5134, shares 80/10/10): holds every year
 * Split of 120000: 成都 60000 / 24000 / 36000, 凉山 96000 / 12000 / 12000.
 * Year 0 (2024) and 1: B and C: 2 persons, 240000 = 156000 + 36000 + 48000.
 * Years 2 and 3: A too: 3 persons, 360000 = 216000 + 60000 + 84000.
 * Growth 110 / 100 = 1.1:
 *   2025: persons round(2 * 1.1) = 2; 171600 + 39600 + 52800 = 264000
 *   2026: round(3 * 1.21 = 3.63) = 4; 261360 + 72600 + 101640 = 435600
 *   2027: round(3 * 1.331 = 3.993) = 4; 287496 + 79860 + 111804 = 479160
 */
static void
add(struct budget_scen *s, const struct budget_shares *b, struct record *r,
    const char *birth, const char *village)
{
	struct expr_ctx ctx;
	struct lf_error err;

	tu_valid_person(r, 1);
	tu_set(r, "birth_date", birth);
	planner_ctx(r, 2024, village, NULL, &ctx);
	assert_int_equal(budget_add(s, b, r, village, 2024, &ctx, &err), 0);
}

static void
test_projection(void **state)
{
	static const int64_t want[4][5] = {
		/* persons, cost, province, city, county */
		{ 2, 240000, 156000, 36000, 48000 },
		{ 2, 264000, 171600, 39600, 52800 },
		{ 4, 435600, 261360, 72600, 101640 },
		{ 4, 479160, 287496, 79860, 111804 },
	};
	struct budget_scen *s = test_calloc(1, sizeof(*s));
	struct record *r = record_new(tu_catalog());
	struct budget_shares *b;
	struct budget_tot t;
	struct lf_error err;
	struct expr *e;
	int k;

	(void)state;
	assert_int_equal(budget_shares_load(pols(), &b, &err), 0);
	assert_int_equal(expr_compile("age >= 40", tu_catalog(), &e, &err), 0);
	s->e = e;
	s->policy = "SUB_LIVING";
	s->yearly = budget_yearly(10000, PER_MONTH);
	s->child_len = 4;
	add(s, b, r, "1985-06-15", "510104017001");
	add(s, b, r, "1983-01-01", "510104017001");
	add(s, b, r, "1970-01-01", "513401001001");
	for (k = 0; k <= BUDGET_YEARS; k++) {
		if (k == 0)
			t = s->year[0];
		else
			budget_project(s, k, 110, 100, &t);
		assert_int_equal(t.persons, want[k][0]);
		assert_int_equal(t.cost, want[k][1]);
		assert_int_equal(t.level[0], want[k][2]);
		assert_int_equal(t.level[1], want[k][3]);
		assert_int_equal(t.level[2], want[k][4]);
	}
	/* year 0 by region and by category (all 肢体) */
	assert_int_equal(s->nchild, 2);
	assert_string_equal(s->child[0].code, "5101");
	assert_int_equal(s->child[0].t.persons, 1);
	assert_int_equal(s->child[0].t.level[0], 60000);
	assert_string_equal(s->child[1].code, "5134");
	assert_int_equal(s->child[1].t.level[0], 96000);
	assert_int_equal(s->cat[4].persons, 2);
	assert_int_equal(s->cat[4].cost, 240000);
	/* no growth when the year before has no surveys */
	budget_project(s, 2, 110, 0, &t);
	assert_int_equal(t.persons, 3);
	assert_int_equal(t.cost, 360000);
	expr_free(e);
	record_free(r);
	budget_shares_free(b);
	test_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_projection),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	policies_free(pols());
	tu_env_free();
	return rc;
}

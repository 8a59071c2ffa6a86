/*
 * test_kpi.c - every KPI of core/stats.h (精准管理指标) on a fixture whose
 * counts are known by construction, and the 入库 targets
 * (core/targets.h, data/targets.tsv).
 *
 * Seven persons of one village of 锦江区 (510104017001), year 2024,
 * made by hand (testutil's valid person, card_status 1 unless noted):
 *
 *   P1 active, surveyed, plan confirmed; items
 *        A accepted, done,              month 2,  planned 1000, spent 1000
 *        B accepted, in progress,       month 3,  planned 2000
 *        C accepted, not done (reason), month 1,  planned  100
 *        D accepted, planned,           month 11, planned  800
 *   P2 active, surveyed, plan DRAFT; items
 *        E proposed, planned,           month 1,  planned  500
 *        F accepted, planned,           month 1,  planned  700
 *   P3 active, surveyed with card_status 2 (invalid), plan confirmed;
 *        G accepted, planned,           month 1,  planned  300
 *   P4 active, no survey, no plan
 *   P5 moved out (status 2), surveyed, plan confirmed;
 *        H accepted, planned,           month 1,  planned  900
 *   P6 deceased (status 3), surveyed, no plan
 *   P7 active, surveyed, plan closed; items
 *        I accepted, done,              month 5,  planned  400, spent 400
 *        J rejected,                    month 1,  planned  600
 *
 * "Today" is 2024-06-15 (month 6) unless a test says otherwise. The
 * expected value of each KPI is counted by hand in its test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/policy.h"
#include "core/record.h"
#include "core/region.h"
#include "stats/stats.h"
#include "core/targets.h"
#include "testutil.h"

#define YEAR		2024
#define VILLAGE		"510104017001"
#define NPERSONS	7

static struct policies	*ps;
static struct stats	*st;
static struct record	*surveys[NPERSONS];

/* One item: decision, status, month, planned, spent. */
static struct stats_item
item(int decision, int status, int month, int64_t planned, int64_t spent)
{
	struct stats_item it;

	memset(&it, 0, sizeof(it));
	it.policy = 0;
	it.dept = 0;
	it.decision = decision;
	it.status = status;
	it.month = month;
	it.planned = planned;
	it.spent = spent;
	return it;
}

static void
put(int64_t id, int status, int surveyed, int card, int plan,
    const struct stats_item *items, size_t n)
{
	struct lf_error err;
	struct record *r = NULL;

	if (surveyed) {
		r = record_new(tu_catalog());
		assert_non_null(r);
		tu_valid_person(r, (int)id);
		tu_set(r, "card_status", card == 1 ? "1" : "2");
		surveys[id - 1] = r;
	}
	if (stats_person_set(st, id, VILLAGE, status, r, &err) != 0 ||
	    stats_items_set(st, id, plan, items, n, &err) != 0)
		fail_msg("%s", err.message);
}

static int
setup(void **state)
{
	struct lf_error err;
	struct stats_item p1[4], p2[2], p3[1], p5[1], p7[2];

	(void)state;
	if (policies_load_embedded(tu_catalog(), &ps, &err) != 0)
		fail_msg("%s", err.message);
	st = stats_new(tu_catalog(), tu_regions(), ps, YEAR);
	assert_non_null(st);
	p1[0] = item(1, 3, 2, 1000, 1000);	/* A */
	p1[1] = item(1, 2, 3, 2000, 0);		/* B */
	p1[2] = item(1, 4, 1, 100, 0);		/* C */
	p1[3] = item(1, 1, 11, 800, 0);		/* D */
	p2[0] = item(0, 1, 1, 500, 0);		/* E */
	p2[1] = item(1, 1, 1, 700, 0);		/* F */
	p3[0] = item(1, 1, 1, 300, 0);		/* G */
	p5[0] = item(1, 1, 1, 900, 0);		/* H */
	p7[0] = item(1, 3, 5, 400, 400);	/* I */
	p7[1] = item(2, 1, 1, 600, 0);		/* J */
	put(1, 1, 1, 1, 2, p1, 4);
	put(2, 1, 1, 1, 1, p2, 2);
	put(3, 1, 1, 2, 2, p3, 1);
	put(4, 1, 0, 0, 0, NULL, 0);
	put(5, 2, 1, 1, 2, p5, 1);
	put(6, 3, 1, 1, 0, NULL, 0);
	put(7, 1, 1, 1, 3, p7, 2);
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	stats_free(st);
	policies_free(ps);
	for (i = 0; i < NPERSONS; i++)
		record_free(surveys[i]);
	return 0;
}

/* The KPI `code` of region `in` (row 0) on day `today`. */
static int64_t
kpi_at(const char *in, const char *today, const char *code)
{
	struct stats_query q = { regions_find(tu_regions(), in), NULL, 0,
	    tu_days(today) };
	struct stats_table t;
	struct lf_error err;
	int64_t v = -1;
	size_t c;

	assert_non_null(q.in);
	if (stats_kpi_table(st, &q, &t, &err) != 0)
		fail_msg("%s", err.message);
	for (c = 0; c < t.ncols; c++)
		if (strcmp(t.col_code[c], code) == 0)
			v = t.rows[0].v[c];
	stats_table_free(&t);
	if (v < 0)
		fail_msg("no KPI column %s", code);
	return v;
}

static int64_t
kpi(const char *code)
{
	return kpi_at("510104", "2024-06-15", code);
}

/* 入库: active persons P1 P2 P3 P4 P7 = 5 (P5 moved out, P6 deceased). */
static void
test_registered(void **state)
{
	(void)state;
	assert_int_equal(kpi("registered"), 5);
	assert_int_equal(kpi_at("51", "2024-06-15", "registered"), 5);
}

/* 录入率: surveyed active persons P1 P2 P3 P7 = 4 of 5 = 80.00%. */
static void
test_entry_rate(void **state)
{
	(void)state;
	assert_int_equal(kpi("surveyed"), 4);
	assert_int_equal(kpi("entry_rate_bp"), 8000);
}

/* 持证人数: surveyed, card_status 1: P1 P2 P7 = 3 (P3's card is not
 * valid). 持证覆盖率: of those, with a confirmed or closed plan: P1 P7 =
 * 2 (P2's plan is a draft) of 3 = 66.66%. */
static void
test_coverage(void **state)
{
	(void)state;
	assert_int_equal(kpi("valid_card"), 3);
	assert_int_equal(kpi("covered"), 2);
	assert_int_equal(kpi("coverage_bp"), 6666);
}

/* Plans: drafts P2 = 1; confirmed or closed P1 P3 P7 = 3 (P5 is not
 * active). */
static void
test_plans(void **state)
{
	(void)state;
	assert_int_equal(kpi("plans_draft"), 1);
	assert_int_equal(kpi("plans_confirmed"), 3);
}

/* Items not rejected of active persons: A B C D E F G I = 8 (J rejected,
 * H moved out); open proposals: E = 1; committed (accepted, confirmed or
 * closed plan): A B C D G I = 6 (F lies in a draft). */
static void
test_items(void **state)
{
	(void)state;
	assert_int_equal(kpi("items"), 8);
	assert_int_equal(kpi("items_open"), 1);
	assert_int_equal(kpi("items_committed"), 6);
}

/* Completion: done committed items A I = 2 of 6 = 33.33%. */
static void
test_completion(void **state)
{
	(void)state;
	assert_int_equal(kpi("items_done"), 2);
	assert_int_equal(kpi("completion_bp"), 3333);
}

/* Overdue on 2024-06-15: committed, neither done nor closed as not done,
 * planned before June: B (March), G (January) = 2. Not C (not done with
 * a reason), not D (November), not E (a proposal), never F (draft plan,
 * though accepted and planned for January). On 2025-01-10 the year is
 * past: B D G = 3. On 2024-01-20: nothing planned before January = 0. */
static void
test_overdue(void **state)
{
	(void)state;
	assert_int_equal(kpi("overdue"), 2);
	assert_int_equal(kpi_at("510104", "2025-01-10", "overdue"), 3);
	assert_int_equal(kpi_at("510104", "2024-01-20", "overdue"), 0);
	assert_int_equal(kpi_at("510104017001", "2024-06-15", "overdue"), 2);
}

/* Funds of the committed items: planned A 1000 + B 2000 + C 100 + D 800 +
 * G 300 + I 400 = 4600 fen; spent A 1000 + I 400 = 1400 fen. */
static void
test_funds(void **state)
{
	(void)state;
	assert_int_equal(kpi("funds_planned"), 4600);
	assert_int_equal(kpi("funds_spent"), 1400);
}

/* 入库 targets: a table of 510104 (10 persons) and 51 (4): the county's
 * 5 registered are 50.00% of 10; the province's 5 are 125.00% of 4; a
 * township without a row has target 0 and rate 0. */
static void
test_targets(void **state)
{
	static const char tsv[] = "# test\nregion\tyear\tregistered\tnote\n"
	    "510104\t2024\t10\tx\n51\t2024\t4\ty\n510104\t2023\t99\tz\n";
	struct stats_query q = { regions_find(tu_regions(), "510104"), NULL,
	    0, tu_days("2024-06-15") };
	struct targets *tg;
	struct stats_table t;
	struct lf_error err;
	size_t r;

	(void)state;
	if (targets_parse(tsv, sizeof(tsv) - 1, "t.tsv", &tg, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(targets_get(tg, "510104", 2024), 10);
	assert_int_equal(targets_get(tg, "510104", 2023), 99);
	assert_int_equal(targets_get(tg, "510104", 2025), 0);
	assert_int_equal(targets_get(NULL, "51", 2024), 0);
	assert_int_equal(stats_kpi_table(st, &q, &t, &err), 0);
	assert_string_equal(t.col_code[16], "reg_target");
	assert_string_equal(t.col_code[17], "reg_target_bp");
	assert_int_equal(t.rows[0].v[16], 0);	/* before targets */
	stats_kpi_targets(&t, tg, YEAR);
	assert_int_equal(t.rows[0].v[16], 10);
	assert_int_equal(t.rows[0].v[17], 5000);
	for (r = 1; r < t.nrows; r++)
		assert_int_equal(t.rows[r].v[16], 0);
	stats_table_free(&t);
	q.in = regions_find(tu_regions(), "51");
	assert_int_equal(stats_kpi_table(st, &q, &t, &err), 0);
	stats_kpi_targets(&t, tg, YEAR);
	assert_int_equal(t.rows[0].v[17], 12500);
	stats_table_free(&t);
	targets_free(tg);
}

/* Bad target files name the line and column. */
static void
test_targets_errors(void **state)
{
	static const struct {
		const char	*tsv, *field;
		unsigned long	 line;
	} rows[] = {
		{ "region\tyear\tregistered\tnote\n5101x\t2024\t1\tn\n",
		    "region", 2 },
		{ "region\tyear\tregistered\tnote\n5101\t24\t1\tn\n",
		    "year", 2 },
		{ "region\tyear\tregistered\tnote\n5101\t2024\t0\tn\n",
		    "registered", 2 },
		{ "region\tyear\tregistered\tnote\n5101\t2024\t-5\tn\n",
		    "registered", 2 },
		{ "region\tyear\tregistered\tnote\n\n5101\t2024\t1\n",
		    "note", 3 },
		{ "code\tyear\n", "region", 1 },
		{ "region\tyear\tregistered\tnote\n5101\t2024\t1\tn\n"
		    "5101\t2024\t2\tn\n", "region", 0 },
	};
	struct targets *tg;
	struct lf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		lf_error_clear(&err);
		assert_int_equal(targets_parse(rows[i].tsv,
		    strlen(rows[i].tsv), "t.tsv", &tg, &err), -1);
		assert_string_equal(err.code, "targets_file");
		assert_string_equal(err.field, rows[i].field);
		if (rows[i].line > 0)
			assert_int_equal(err.line, rows[i].line);
	}
}

/* The built-in file: the speech's province target (above 3.5 M) for
 * every year it covers, and a row for every city of the region table,
 * each naming a region that exists; the cities of a year add up to the
 * province's target within rounding. */
static void
test_targets_builtin(void **state)
{
	const struct regions *rs = tu_regions();
	const struct targets *tg;
	struct lf_error err;
	int64_t sum;
	size_t i;
	int y, c;

	(void)state;
	tg = targets_builtin(&err);
	if (tg == NULL)
		fail_msg("%s", err.message);
	for (i = 0; i < tg->n; i++)
		if (regions_find(rs, tg->v[i].region) == NULL)
			fail_msg("targets.tsv: no region %s", tg->v[i].region);
	for (y = 2019; y <= 2026; y++) {
		const struct region *p = regions_find(rs, "51");

		assert_true(targets_get(tg, "51", y) >= 3500000);
		sum = 0;
		for (c = p->first_child; c >= 0; c = rs->v[c].next_sibling) {
			assert_true(targets_get(tg, rs->v[c].code, y) > 0);
			sum += targets_get(tg, rs->v[c].code, y);
		}
		assert_true(sum > 3500000 - 2100 && sum < 3500000 + 2100);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered),
		cmocka_unit_test(test_entry_rate),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_plans),
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_completion),
		cmocka_unit_test(test_overdue),
		cmocka_unit_test(test_funds),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_targets_errors),
		cmocka_unit_test(test_targets_builtin),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * test_supply.c - need-supply matching: the data files, stock rows, the
 * distribution list following data/distribution_rules.tsv on a fixture,
 * gaps, and issuing (item + delivery, the need closed) with its refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/idcard.h"
#include "lib/mem.h"
#include "core/policy.h"
#include "core/supply.h"
#include "plan/plan.h"
#include "store/plan.h"
#include "supply/supply.h"
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
test_files(void **state)
{
	static const char items[] = "code\tname_zh\tname_en\tunit\tneed\t"
	    "policy\tdemand\nx\tX\tx\t台\taid_wheelchair\tAID_DEVICE\t"
	    "aid_wheelchair\n";
	static const struct {
		const char	*rules;
		unsigned	 column;	/* 0: good */
	} rows[] = {
		{ "term\tweight\texpression\nexpr\t10\tsevere\n", 0 },
		{ "term\tweight\texpression\nexpr\t10\tsevere and\n", 3 },
		{ "term\tweight\texpression\nexpr\t1001\tsevere\n", 2 },
		{ "term\tweight\texpression\nwaiting\t1\tsevere\n", 3 },
		{ "term\tweight\texpression\nbonus\t1\t\n", 1 },
		{ "term\tweight\texpression\nserved\n", 2 },
	};
	struct supply *sp;
	struct lf_error err;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		lf_error_clear(&err);
		rc = supply_parse(items, strlen(items), rows[i].rules,
		    strlen(rows[i].rules), tu_catalog(), pols(), &sp, &err);
		if (rows[i].column == 0) {
			assert_int_equal(rc, 0);
			supply_free(sp);
			continue;
		}
		assert_int_equal(rc, -1);
		if (err.column != rows[i].column)
			fail_msg("row %zu: column %u: %s", i, err.column,
			    err.message);
		assert_non_null(strstr(err.message, "distribution_rules.tsv:2:"));
	}
	assert_int_equal(supply_load(tu_catalog(), pols(), &sp, &err), 0);
	assert_non_null(supply_item_find(sp, "轮椅"));
	assert_non_null(supply_item_find(sp, "wheelchair"));
	assert_null(supply_item_find(sp, "飞机"));
	supply_free(sp);
}

static void
test_stock_rows(void **state)
{
	static const struct {
		const char	*f[4];
		unsigned	 column;
	} rows[] = {
		{ { "510104", "轮椅", "2024", "30" }, 0 },
		{ { "510104", "hearing_aid", "2024", "0" }, 0 },
		{ { "5101", "轮椅", "2024", "30" }, 1 },
		{ { "510104", "飞机", "2024", "30" }, 2 },
		{ { "510104", "轮椅", "24", "30" }, 3 },
		{ { "510104", "轮椅", "2024", "-1" }, 4 },
		{ { "510104", "轮椅", "2024", "1000001" }, 4 },
		{ { "510104", "轮椅", "2024", "3.5" }, 4 },
	};
	struct supply_stock st;
	struct supply *sp;
	struct lf_error err;
	size_t i;
	int rc;

	(void)state;
	assert_int_equal(supply_load(tu_catalog(), pols(), &sp, &err), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rc = supply_stock_row(sp, tu_regions(), rows[i].f, 4, &st,
		    &err);
		if (rows[i].column == 0) {
			assert_int_equal(rc, 0);
			assert_string_equal(st.county, "510104");
			continue;
		}
		assert_int_equal(rc, -1);
		assert_int_equal(err.column, rows[i].column);
	}
	supply_free(sp);
}

/*
 * The fixture: eight persons of 锦江区 surveyed in 2024, all needing a
 * wheelchair but P6; today 2024-08-08. Rules (data/distribution_rules.tsv):
 * severe +100, grade 3 +40, dibao +30, +1 per 30 days waited, served
 * before -80.
 *   P1 grade 2, survey 2024-05-10 (90 days)      100 + 3       = 103
 *   P2 grade 3, 90 days                           40 + 3       =  43
 *   P3 grade 2, 低保, 90 days                      100 + 30 + 3 = 133
 *   P4 grade 4, 90 days                            0 + 3       =   3
 *   P5 grade 2, 90 days, a wheelchair in 2023    100 - 80 + 3  =  23
 *   P6 grade 2, no wheelchair need                 not listed
 *   P7 grade 2, 迁出                               not listed
 *   P8 grade 2, survey 2024-02-10 (180 days)      100 + 6      = 106
 * List: P3, P8, P1, P2, P5, P4; stock 3: the first three; gap 6 - 3 = 3.
 */
#define NP	8
struct fx {
	char		 dir[TU_DIR_MAX], db[TU_DB_MAX];
	struct store	*s;
	struct supply	*sp;
	int64_t		 pid[NP + 1];
	int		 today;
};

static void
put(struct fx *fx, int n, int year, int grade, int dibao, int wheel,
    int status, const char *fill)
{
	struct store_put p = { year, status, "test", 0, 0 };
	struct store_put_result res;
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	char card[21], g[2];

	p.today = tu_days("2026-11-29");
	tu_valid_person(r, n);
	snprintf(g, sizeof(g), "%d", grade);
	tu_set(r, "disability_grade", g);
	assert_int_equal(idcard_make_certificate(tu_id(n), 4, grade, card), 0);
	tu_set(r, "disability_card_no", card);
	if (grade > 2)	/* 托养 is asked of grades 1-2 only */
		record_unset(r, catalog_find(tu_catalog(),
		    "care_service_received", 21)->index);
	if (dibao)
		tu_set(r, "urban_income_status", "1");
	if (!wheel)
		tu_set(r, "aid_wheelchair", "否");
	tu_set(r, "fill_date", fill);
	if (store_survey_put(fx->s, r, &p, &res, &err) != 0)
		fail_msg("put %d: %s", n, err.message);
	fx->pid[n] = res.person_id;
	record_free(r);
}

/* A confirmed plan of the year for person n (one manual item). */
static void
confirmed_plan(struct fx *fx, int n, int year)
{
	struct plan_item_change c;
	struct plan_item it;
	struct plan pl;
	struct lf_error err;

	memset(&c, 0, sizeof(c));
	if (plan_item_add(fx->s, pols(), fx->pid[n], year, "LEGAL_AID", "",
	    &c, NULL, "test", &it, &err) != 0 || plan_get(fx->s, fx->pid[n],
	    year, &pl, &err) != 0 || plan_confirm(fx->s, pl.id, 0, "test", &pl,
	    &err) != 0)
		fail_msg("plan %d: %s", n, err.message);
}

static int
setup(void **state)
{
	struct fx *fx = test_calloc(1, sizeof(*fx));
	const struct supply_item *wc;
	struct supply_stock st;
	struct plan_item_change c;
	struct plan_item it;
	struct plan_delivery d;
	struct plan pl;
	struct lf_error err;

	fx->s = tu_store_new(fx->dir, fx->db, "supply.db");
	assert_int_equal(supply_load(tu_catalog(), pols(), &fx->sp, &err), 0);
	fx->today = tu_days("2024-08-08");
	put(fx, 1, 2024, 2, 0, 1, 0, "2024-05-10");
	put(fx, 2, 2024, 3, 0, 1, 0, "2024-05-10");
	put(fx, 3, 2024, 2, 1, 1, 0, "2024-05-10");
	put(fx, 4, 2024, 4, 0, 1, 0, "2024-05-10");
	put(fx, 5, 2023, 2, 0, 1, 0, "2023-05-10");
	put(fx, 5, 2024, 2, 0, 1, 0, "2024-05-10");
	put(fx, 6, 2024, 2, 0, 0, 0, "2024-05-10");
	put(fx, 7, 2024, 2, 0, 1, PERSON_MOVED_OUT, "2024-05-10");
	put(fx, 8, 2024, 2, 0, 1, 0, "2024-02-10");
	/* P5 got a wheelchair in 2023 */
	memset(&c, 0, sizeof(c));
	if (plan_item_add(fx->s, pols(), fx->pid[5], 2023, "AID_DEVICE",
	    "aid_wheelchair", &c, NULL, "test", &it, &err) != 0 ||
	    plan_get(fx->s, fx->pid[5], 2023, &pl, &err) != 0 ||
	    plan_confirm(fx->s, pl.id, 0, "test", &pl, &err) != 0 ||
	    plan_delivery_add(fx->s, it.id, "2023-06-01", 0, "", NULL, "test",
	    &d, &it, &err) != 0)
		fail_msg("2023: %s", err.message);
	wc = supply_item_find(fx->sp, "wheelchair");
	memset(&st, 0, sizeof(st));
	memcpy(st.county, "510104", 7);
	st.item = wc;
	st.year = 2024;
	st.quantity = 3;
	assert_int_equal(supply_stock_put(fx->s, &st, 1, "test", &err), 0);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	supply_free(fx->sp);
	store_close(fx->s);
	tu_rmdir(fx->dir);
	test_free(fx);
	return 0;
}

static void
check_list(struct fx *fx, const int *order, const int64_t *prio, size_t n,
    int64_t stock, int64_t issued, int64_t gap)
{
	const struct supply_item *wc = supply_item_find(fx->sp, "wheelchair");
	struct supply_list l;
	struct lf_error err;
	size_t i;

	lf_error_clear(&err);
	if (supply_list_build(fx->s, fx->sp, wc, "510104", 2024, fx->today,
	    &l, &err) != 0)
		fail_msg("list: %s", err.message);
	assert_int_equal(l.n, n);
	for (i = 0; i < n; i++) {
		if (l.v[i].person_id != fx->pid[order[i]])
			fail_msg("place %zu: not P%d", i, order[i]);
		assert_int_equal(l.v[i].priority, prio[i]);
		assert_int_equal(l.v[i].allocated, (int64_t)i < stock - issued);
	}
	assert_int_equal(l.stock, stock);
	assert_int_equal(l.issued, issued);
	assert_int_equal(l.gap, gap);
	mem_free(l.v);
}

static void
test_list(void **state)
{
	static const int order[] = { 3, 8, 1, 2, 5, 4 };
	static const int64_t prio[] = { 133, 106, 103, 43, 23, 3 };
	struct fx *fx = *state;

	check_list(fx, order, prio, 6, 3, 0, 3);
}

struct gaps {
	int64_t		 demand, gap, rows;
};

static int
on_gap(void *arg, const struct supply_gap *g)
{
	struct gaps *x = arg;

	assert_string_equal(g->county, "510104");
	if (strcmp(g->item->code, "wheelchair") == 0) {
		x->demand = g->demand;
		x->gap = g->gap;
		assert_int_equal(g->stock, 3);
	}
	x->rows++;
	return 0;
}

static void
test_gaps(void **state)
{
	struct fx *fx = *state;
	struct gaps x = { 0, 0, 0 };
	struct lf_error err;

	assert_int_equal(supply_gaps(fx->s, fx->sp, regions_find(tu_regions(),
	    "51"), 2024, on_gap, &x, &err), 0);
	assert_int_equal(x.demand, 6);
	assert_int_equal(x.gap, 3);
	assert_true(x.rows >= 1);
}

static void
test_issue(void **state)
{
	static const int order[] = { 8, 1, 2, 5, 4 };
	static const int64_t prio[] = { 106, 103, 43, 23, 3 };
	struct fx *fx = *state;
	const struct supply_item *wc = supply_item_find(fx->sp, "wheelchair");
	struct plan_item it;
	struct plan_delivery d;
	struct plan pl;
	struct lf_error err;

	/* P8's plan is not confirmed: refused, nothing written */
	assert_int_equal(supply_issue(fx->s, pols(), fx->sp, wc, fx->pid[8],
	    2024, "2024-08-08", fx->today, "test", &it, &d, &err), -1);
	assert_string_equal(err.code, "state");
	assert_int_equal(plan_get(fx->s, fx->pid[8], 2024, &pl, &err), 1);
	/* P4 is last: the rules put others first */
	assert_int_equal(supply_issue(fx->s, pols(), fx->sp, wc, fx->pid[4],
	    2024, "2024-08-08", fx->today, "test", &it, &d, &err), -1);
	assert_non_null(strstr(err.message, "尚未轮到"));
	/* P6 has no need */
	assert_int_equal(supply_issue(fx->s, pols(), fx->sp, wc, fx->pid[6],
	    2024, "2024-08-08", fx->today, "test", &it, &d, &err), -1);
	/* P3, confirmed plan: item and delivery, the need closed */
	confirmed_plan(fx, 3, 2024);
	if (supply_issue(fx->s, pols(), fx->sp, wc, fx->pid[3], 2024,
	    "2024-08-08", fx->today, "test", &it, &d, &err) != 0)
		fail_msg("issue: %s", err.message);
	assert_string_equal(it.policy, "AID_DEVICE");
	assert_string_equal(it.needs, "aid_wheelchair");
	assert_int_equal(d.item_id, it.id);
	check_list(fx, order, prio, 5, 3, 1, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_stock_rows),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_issue, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	policies_free(pols());
	tu_env_free();
	return rc;
}

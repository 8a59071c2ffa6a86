/*
 * test_plan_totals.c - the plans built for a seeded population agree with
 * the policy rules computed independently, by hand-written SQL over the
 * same database.
 *
 * Two synthetic counties are seeded: 彭州市 (510182, which has a county
 * override of the living subsidy) and 泸定县 (513322, a disaster area
 * until 2025). plan_build_all() builds 2025's plans; then for every policy
 * the number of items and their planned funds are compared with a SQL
 * query over the surveys that restates the policy's trigger needs and
 * eligibility (policies.tsv) and its amount (policy_amounts.tsv: the
 * yearly figure, a monthly rate x 12; the estimates restated here). A
 * second build must change nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/disaster.h"
#include "lib/embedded.h"
#include "core/policy.h"
#include "plan/plan.h"
#include "store/plan.h"
#include "store/store.h"
#include "testutil.h"

#define YEAR	2025

/* ---- the rules restated in SQL (v = surveys, p = persons) ---------- */

#define Y(x)		"IFNULL(v." #x " = 1, 0)"
#define M(x)		"IFNULL(v." #x " != 0, 0)"
#define HAS(x, c)	"IFNULL((v." #x " >> " #c ") & 1, 0)"
#define IN(x, set)	"IFNULL(v." #x " IN " set ", 0)"
#define EQ(x, c)	"IFNULL(v." #x " = " #c ", 0)"
#define AGE	"(CAST(strftime('%Y', v.fill_date) AS INT) - " \
	"CAST(strftime('%Y', v.birth_date) AS INT) - " \
	"(strftime('%m-%d', v.fill_date) < strftime('%m-%d', v.birth_date)))"
#define AGE_IN(a, b)	"(" AGE " BETWEEN " #a " AND " #b ")"
#define SEVERE		IN(disability_grade, "(1, 2)")
#define DIBAO		"(" EQ(urban_income_status, 1) " OR " \
	EQ(rural_poverty_status, 4) " OR " HAS(social_assistance_received, 1) \
	")"
#define REG_POOR	IN(rural_poverty_status, "(1, 2, 3)")
#define VALID		EQ(card_status, 1)
#define DISASTER	"(substr(p.region, 1, 6) IN ('513322', '511824'))"
/* a monthly rate's yearly figure (年度资金): 12 months */
#define MONTHS	"12"
#define DEVICES	"(" Y(aid_wheelchair) " + " Y(aid_crutch_walker) " + " \
	"(v.aid_prosthesis IS NOT NULL) + " Y(aid_orthosis) " + " \
	Y(aid_white_cane) " + " Y(aid_low_vision) " + " \
	Y(aid_reading_device) " + " Y(aid_hearing_aid) " + " \
	Y(aid_daily_living) " + " Y(aid_nursing_bed) " + " \
	Y(aid_communication) " + " Y(aid_fitting_repair) ")"

static const struct {
	const char	*policy;
	const char	*items;		/* items per survey row, SQL */
	const char	*funds;		/* planned fen per item, SQL */
} rules[] = {
	{ "SUB_LIVING", Y(ss_living_subsidy) " AND " VALID " AND " DIBAO
	    " AND NOT " HAS(social_assistance_received, 2),
	    "(CASE WHEN substr(p.region, 1, 6) = '510182' THEN 12000 ELSE "
	    "10000 END) * " MONTHS },
	{ "SUB_CARE", Y(ss_care_subsidy) " AND " VALID " AND " SEVERE,
	    "(CASE v.disability_grade WHEN 1 THEN 11000 WHEN 2 THEN 8000 "
	    "ELSE 0 END) * " MONTHS },
	{ "SUB_REGPOOR", Y(ss_poverty_living_allowance) " AND " VALID " AND "
	    REG_POOR, "60000" },
	{ "DIBAO", Y(ss_dibao) " AND NOT " DIBAO " AND (" EQ(
	    urban_income_status, 2) " OR " IN(rural_poverty_status, "(1, 3)")
	    ")", "696000" },
	{ "TEKUN", Y(ss_tekun) " AND " IN(self_care_ability, "(3, 4)") " AND "
	    "IFNULL(v.unemployed_income_source != 4, 0)", "900000" },
	{ "TEMP_ASSIST", Y(ss_temporary_assistance), "100000" },
	{ "PENSION_PREMIUM", Y(ss_pension_premium) " AND " AGE " >= 16 AND "
	    Y(resident_pension_insured) " AND (" SEVERE " OR " DIBAO " OR "
	    REG_POOR ")", "10000" },
	{ "MEDICAL_PREMIUM", Y(ss_medical_premium) " AND (" DIBAO " OR "
	    REG_POOR " OR " SEVERE " OR " HAS(social_assistance_received, 2)
	    ")", "38000" },
	{ "MED_ASSIST", Y(ss_medical_assistance) " AND (" DIBAO " OR "
	    REG_POOR " OR " HAS(social_assistance_received, 2) ")", "200000" },
	{ "REHAB_BASIC", Y(rehab_need_any), "120000" },
	{ "REHAB_CHILD", Y(rehab_child_rescue) " AND " AGE " <= 6 AND "
	    IN(disability_category, "(1, 2, 3, 4, 5)"), "2000000" },
	{ "REHAB_SURGERY", M(rehab_surgery) " AND IFNULL((v.rehab_surgery & 30)"
	    " != 0, 0)", "600000" },
	{ "MENTAL_MED", Y(rehab_medication) " AND (" EQ(disability_category, 6)
	    " OR " HAS(multi_disability_detail, 6) ")", "120000" },
	{ "AID_DEVICE", "(CASE WHEN " Y(aid_need_any) " THEN max(" DEVICES
	    ", 1) ELSE 0 END)", "80000" },
	{ "FAMILY_DOCTOR", Y(care_family_doctor) " AND NOT "
	    Y(family_doctor_signed), "8900" },
	{ "EDU_FUNDING", Y(edu_funding) " AND IFNULL(v.school_type != 0, 0) "
	    "AND (" DIBAO " OR " REG_POOR " OR " SEVERE ")", "200000" },
	{ "HOME_TEACHING", Y(edu_home_teaching) " AND " AGE_IN(6, 15) " AND "
	    EQ(school_type, 0) " AND (" SEVERE " OR " IN(self_care_ability,
	    "(3, 4)") ")", "300000" },
	{ "EDU_PLACEMENT", "(" Y(edu_preschool) " OR "
	    Y(edu_compulsory_placement) " OR " Y(edu_high_school_above) ") AND "
	    AGE_IN(3, 22), "100000" },
	{ "VOC_TRAIN", Y(emp_vocational_training) " AND " AGE_IN(16, 59)
	    " AND " Y(emp_need_any), "150000" },
	{ "RURAL_TECH", Y(emp_rural_tech_training) " AND " EQ(hukou_type, 1)
	    " AND " AGE_IN(16, 60), "50000" },
	{ "FLEX_EMPLOY", Y(emp_home_flexible) " AND " AGE_IN(16, 59) " AND "
	    EQ(employed, 2), "100000" },
	{ "CREDIT", Y(emp_credit_support) " AND " AGE_IN(18, 60) " AND ("
	    REG_POOR " OR " DIBAO " OR " EQ(employed, 1) ")", "150000" },
	{ "MATERIAL", Y(emp_material_support) " AND " EQ(hukou_type, 1)
	    " AND (" REG_POOR " OR " DIBAO ")", "200000" },
	{ "PUBLIC_POST", Y(emp_public_post) " AND " AGE_IN(16, 59) " AND "
	    EQ(employed, 2), "1200000" },
	{ "SUPPORTED_EMP", Y(emp_supported) " AND " AGE_IN(16, 59) " AND "
	    IN(disability_category, "(5, 6)"), "300000" },
	{ "SELF_EMPLOY", Y(emp_self_employment) " AND " AGE_IN(16, 59), "500000" },
	{ "FLEX_INSURANCE", Y(emp_flexible_insurance_subsidy) " AND "
	    AGE_IN(16, 59) " AND " EQ(employed, 1), "300000" },
	{ "HOUSE_RENOV", Y(house_dilapidated_renovation) " AND "
	    EQ(hukou_type, 1) " AND " IN(rural_housing_status, "(2, 3)")
	    " AND (" REG_POOR " OR " DIBAO " OR IFNULL((v.welfare_subsidy_"
	    "received & 6) != 0, 0))", "2000000" },
	{ "HOME_ACCESS", Y(access_need_any) " AND (" SEVERE " OR " DIBAO
	    " OR " REG_POOR ")", "500000" },
	{ "HOUSING_SEC", Y(house_security) " AND " EQ(hukou_type, 2) " AND "
	    DIBAO, "360000" },
	{ "RELOCATION", Y(house_relocation) " AND " REG_POOR, "2000000" },
	{ "DISASTER_REBUILD", Y(house_disaster_reconstruction) " AND "
	    DISASTER, "3000000" },
	{ "CARE_SERVICE", "(IFNULL(v.care_service != 4, 0) OR "
	    Y(care_home_nursing) ") AND " AGE_IN(16, 59) " AND ("
	    IN(disability_category, "(5, 6)") " OR (" EQ(disability_category,
	    4) " AND " SEVERE "))", "300000" },
	{ "ELDER_CARE", Y(care_elderly_service) " AND " AGE " >= 60", "120000" },
	{ "LEGAL_AID", Y(legal_aid) " OR " Y(legal_rights_protection), "50000" },
	{ "CERT_SERVICE", Y(legal_certificate_service) " AND (" EQ(card_status,
	    2) " OR " IN(self_care_ability, "(3, 4)") ")", "20000" },
	{ "CULTURE", Y(cult_need_any) " OR " M(cult_activity) " OR "
	    Y(cult_sports_fitness) " OR " Y(cult_accessible_info), "20000" },
};
#define NRULES	(sizeof(rules) / sizeof(rules[0]))

/* ---- fixtures ------------------------------------------------------ */

static char dir[64], db[128];
static struct policies *ps;
static struct disaster *dis;

static int
setup(void **state)
{
	struct lf_error err;
	struct store *s;

	(void)state;
	tu_rules(&ps, &dis);
	s = tu_store_new(dir, db, "totals.db");
	assert_int_equal(store_begin(s, &err), 0);
	tu_seed_county(s, "510182", 3000, 7, YEAR);
	tu_seed_county(s, "513322", 1000, 8, YEAR);
	assert_int_equal(store_commit(s, &err), 0);
	store_close(s);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	policies_free(ps);
	disaster_free(dis);
	tu_rmdir(dir);
	tu_env_free();
	return 0;
}

static void
build(struct plan_build_stats *st)
{
	struct lf_error err;
	struct store *s;

	memset(st, 0, sizeof(*st));
	assert_int_equal(store_open(db, tu_catalog(), tu_regions(), &s, &err),
	    0);
	if (plan_build_all(s, ps, dis, YEAR, NULL, "test", NULL, NULL, st,
	    &err) != 0)
		fail_msg("plan_build_all: %s", err.message);
	store_close(s);
}

static void
query2(sqlite3 *h, const char *sql, int64_t *a, int64_t *b)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s\n%s", sqlite3_errmsg(h), sql);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*a = sqlite3_column_int64(st, 0);
	*b = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
}

/* ---- tests --------------------------------------------------------- */

static void
test_totals_match_sql(void **state)
{
	struct plan_build_stats st;
	int64_t want_n, want_f, got_n, got_f, sum_n = 0, all_n, all_f;
	char sql[8192];
	sqlite3 *h;
	size_t i;

	(void)state;
	assert_int_equal(NRULES, ps->n);
	build(&st);
	assert_int_equal(st.persons, 4000);
	assert_int_equal(st.plans_created, 4000);
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	tu_wide_view(h);
	for (i = 0; i < NRULES; i++) {
		snprintf(sql, sizeof(sql), "SELECT IFNULL(sum(n), 0), "
		    "IFNULL(sum(n * f), 0) FROM (SELECT (%s) AS n, (%s) AS f "
		    "FROM surveys v JOIN persons p ON p.id = v.person_id WHERE "
		    "v.year = %d)", rules[i].items, rules[i].funds, YEAR);
		query2(h, sql, &want_n, &want_f);
		snprintf(sql, sizeof(sql), "SELECT count(*), "
		    "IFNULL(sum(funds_planned), 0) FROM items WHERE year = %d "
		    "AND policy = '%s'", YEAR, rules[i].policy);
		query2(h, sql, &got_n, &got_f);
		if (want_n != got_n || want_f != got_f)
			fail_msg("%s: SQL says %lld items, %lld fen; plans have "
			    "%lld items, %lld fen", rules[i].policy,
			    (long long)want_n, (long long)want_f,
			    (long long)got_n, (long long)got_f);
		sum_n += want_n;
	}
	snprintf(sql, sizeof(sql), "SELECT count(*), count(DISTINCT plan_id) "
	    "FROM items WHERE year = %d", YEAR);
	query2(h, sql, &all_n, &all_f);
	assert_int_equal(all_n, sum_n);
	assert_int_equal(st.inserted, sum_n);
	/* the seeded data reaches most policies, the disaster one included */
	snprintf(sql, sizeof(sql), "SELECT count(DISTINCT policy), sum(policy "
	    "= 'DISASTER_REBUILD') FROM items WHERE year = %d", YEAR);
	query2(h, sql, &all_n, &all_f);
	assert_true(all_n >= 30);
	assert_true(all_f > 0);
	sqlite3_close(h);
}

static void
test_second_build_changes_nothing(void **state)
{
	struct plan_build_stats st;

	(void)state;
	build(&st);
	assert_int_equal(st.plans_created, 0);
	assert_int_equal(st.inserted, 0);
	assert_int_equal(st.updated, 0);
	assert_int_equal(st.deleted, 0);
	assert_true(st.kept > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totals_match_sql),
		cmocka_unit_test(test_second_build_changes_nothing),
	};

	return cmocka_run_group_tests_name("plan_totals", tests, setup,
	    teardown);
}

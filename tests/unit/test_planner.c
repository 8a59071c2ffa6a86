/*
 * test_planner.c - 一人一策 proposals for hand-made surveys: when a need
 * is yes, items "one" and "per_need", umbrella needs, unmet needs and
 * why, amounts and months, reuse of a result, allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/disaster.h"
#include "lib/mem.h"
#include "plan/planner.h"
#include "core/policy.h"
#include "testutil.h"

#define MAXSET	6
#define DISASTERS "region\tfrom_year\tto_year\tevent_zh\tevent_en\n" \
	"510104\t2023\t2025\t测试灾区\ttest disaster\n"

static struct policies *policies;
static struct disaster *disasters;

static int
setup(void **state)
{
	struct lf_error err;

	(void)state;
	if (policies_load_embedded(tu_catalog(), &policies, &err) != 0 ||
	    disaster_parse(DISASTERS, strlen(DISASTERS), "d.tsv", &disasters,
	    &err) != 0)
		fail_msg("%s", err.message);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	policies_free(policies);
	disaster_free(disasters);
	tu_env_free();
	return 0;
}

static int
field_of(const char *code)
{
	const struct field *f = catalog_find(tu_catalog(), code, strlen(code));

	if (f == NULL)
		fail_msg("no field %s", code);
	return f->index;
}

static const char *
code_of(int f)
{
	return tu_catalog()->fields[f].code;
}

/* tu_valid_person (38 on 2024-05-10, 肢体 grade 2, 非农业, not 低保,
 * employed 2, in 510104017001) with no need answered, then the sets. */
static void
person(struct record *r, const char *const set[][2])
{
	const struct catalog *cat = tu_catalog();
	size_t i;

	tu_valid_person(r, 9);
	for (i = 0; i < cat->nfields; i++)
		if (cat->fields[i].section == SEC_NEED)
			record_unset(r, (int)i);
	for (i = 0; i < MAXSET && set[i][0] != NULL; i++)
		tu_set(r, set[i][0], set[i][1]);
}

static struct expr_ctx
context(const struct record *r, const char *survey, int year)
{
	struct expr_ctx ctx;

	ctx.ref_days = tu_days(survey);
	ctx.year = year;
	ctx.village = r->num[field_of("residence_region")];
	ctx.disaster = disasters;
	return ctx;
}

static const struct {
	const char	*code;
	const char	*value;		/* "" = unset */
	int		 want;
} yes_rows[] = {
	{ "aid_wheelchair", "是", 1 }, { "aid_wheelchair", "否", 0 },
	{ "aid_wheelchair", "", 0 },
	{ "rehab_surgery", "1", 1 }, { "rehab_surgery", "2;4", 1 },
	{ "rehab_surgery", "", 0 },
	{ "aid_prosthesis", "2", 1 },		/* enum, no exclusive code */
	{ "care_service", "1", 1 }, { "care_service", "3", 1 },
	{ "care_service", "4", 0 },		/* 不需要, exclusive */
	{ "care_service", "", 0 },
	/* multi items with an exclusive "none" code */
	{ "social_assistance_received", "7", 0 },
	{ "social_assistance_received", "1", 1 },
	{ "social_assistance_received", "1;7", 1 },
	{ "employee_social_insurance", "4", 0 },
	{ "rehab_service_received", "6", 0 },
	{ "rehab_service_received", "2", 1 },
};

static void
test_need_yes(void **state)
{
	const struct catalog *cat = tu_catalog();
	struct record *r = record_new(cat);
	size_t i;

	(void)state;
	assert_non_null(r);
	for (i = 0; i < sizeof(yes_rows) / sizeof(yes_rows[0]); i++) {
		tu_set(r, yes_rows[i].code, yes_rows[i].value);
		if (planner_need_yes(cat, r, field_of(yes_rows[i].code)) !=
		    yes_rows[i].want)
			fail_msg("%s = '%s' should be %d", yes_rows[i].code,
			    yes_rows[i].value, yes_rows[i].want);
	}
	assert_int_equal(planner_need_yes(cat, r, -1), 0);
	assert_int_equal(planner_need_yes(cat, r, (int)cat->nfields), 0);
	record_free(r);
}

static const struct {
	const char	*a, *b;
	int		 umbrella;	/* of a */
	int		 same;
} group_rows[] = {
	{ "aid_need_any", "aid_wheelchair", 1, 1 },
	{ "aid_wheelchair", "aid_need_any", 0, 1 },
	{ "aid_need_any", "access_ramp", 1, 0 },
	{ "access_need_any", "access_ramp", 1, 1 },
	{ "emp_need_any", "emp_public_post", 1, 1 },
	{ "rehab_need_any", "rehab_surgery", 1, 1 },
	{ "cult_need_any", "care_service", 1, 0 },
	{ "ss_dibao", "ss_tekun", 0, 1 },
	{ "house_security", "house_relocation", 0, 1 },
	{ "care_service", "cult_activity", 0, 0 },
	{ "legal_aid", "legal_certificate_service", 0, 1 },
	{ "edu_need_any", "emp_need_any", 1, 0 },
};

static void
test_groups(void **state)
{
	const struct catalog *cat = tu_catalog();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(group_rows) / sizeof(group_rows[0]); i++) {
		const struct field *a = &cat->fields[field_of(group_rows[i].a)];
		const struct field *b = &cat->fields[field_of(group_rows[i].b)];

		if (planner_need_is_umbrella(a) != group_rows[i].umbrella ||
		    planner_same_group(a, b) != group_rows[i].same)
			fail_msg("row %zu (%s, %s)", i, a->code, b->code);
	}
}

/* The items as "POLICY(need,need) ..." and the unmet needs as "a b". */
static void
render(const struct planner_result *res, char *items, char *unmet,
    size_t size)
{
	size_t i, j, n = 0, m = 0;

	items[0] = unmet[0] = '\0';
	for (i = 0; i < res->nitems; i++) {
		n += (size_t)snprintf(items + n, size - n, "%s%s(",
		    i ? " " : "", res->items[i].policy->code);
		for (j = 0; j < res->items[i].nneeds; j++)
			n += (size_t)snprintf(items + n, size - n, "%s%s",
			    j ? "," : "", code_of(res->items[i].needs[j]));
		n += (size_t)snprintf(items + n, size - n, ")");
	}
	for (i = 0; i < res->nunmet; i++)
		m += (size_t)snprintf(unmet + m, size - m, "%s%s", i ? " " : "",
		    code_of(res->unmet[i].need));
}

static const struct {
	const char	*set[MAXSET][2];
	const char	*items;
	const char	*unmet;
} plan_rows[] = {
	{ { { NULL, NULL } }, "", "" },
	/* per_need: the umbrella alone makes one item ... */
	{ { { "aid_need_any", "是" } }, "AID_DEVICE(aid_need_any)", "" },
	{ { { "aid_need_any", "是" }, { "aid_wheelchair", "否" } },
	    "AID_DEVICE(aid_need_any)", "" },
	/* ... and none once a device is yes: one item per device */
	{ { { "aid_need_any", "是" }, { "aid_wheelchair", "是" } },
	    "AID_DEVICE(aid_wheelchair)", "" },
	{ { { "aid_need_any", "是" }, { "aid_wheelchair", "是" },
	    { "aid_crutch_walker", "是" }, { "aid_prosthesis", "2" } },
	    "AID_DEVICE(aid_wheelchair) AID_DEVICE(aid_crutch_walker) "
	    "AID_DEVICE(aid_prosthesis)", "" },
	/* a device without the umbrella: not eligible, unmet */
	{ { { "aid_wheelchair", "是" } }, "", "aid_wheelchair" },
	/* one: a single item naming every yes trigger, in trigger order */
	{ { { "rehab_need_any", "是" }, { "rehab_home_guidance", "是" },
	    { "rehab_training", "4" }, { "rehab_psych_support", "否" } },
	    "REHAB_BASIC(rehab_need_any,rehab_training,rehab_home_guidance)",
	    "" },
	{ { { "cult_need_any", "是" }, { "cult_activity", "1;4" } },
	    "CULTURE(cult_need_any,cult_activity)", "" },
	{ { { "legal_aid", "是" }, { "legal_rights_protection", "是" } },
	    "LEGAL_AID(legal_aid,legal_rights_protection)", "" },
	/* an umbrella that triggers nothing is met by its group ... */
	{ { { "emp_need_any", "是" }, { "emp_vocational_training", "是" } },
	    "VOC_TRAIN(emp_vocational_training)", "" },
	/* ... and unmet when nothing of its group is proposed */
	{ { { "emp_need_any", "是" } }, "", "emp_need_any" },
	{ { { "emp_need_any", "是" }, { "emp_job_referral", "是" } }, "",
	    "emp_need_any emp_job_referral" },
	{ { { "edu_need_any", "是" }, { "edu_sign_braille", "是" } }, "",
	    "edu_need_any edu_sign_braille" },
	/* an umbrella whose policy is not eligible */
	{ { { "access_need_any", "是" }, { "access_ramp", "是" },
	    { "disability_grade", "3" } }, "", "access_need_any access_ramp" },
	{ { { "access_need_any", "是" }, { "access_ramp", "是" } },
	    "HOME_ACCESS(access_need_any,access_ramp)", "" },
	/* not eligible, eligible */
	{ { { "ss_living_subsidy", "是" } }, "", "ss_living_subsidy" },
	{ { { "ss_living_subsidy", "是" }, { "urban_income_status", "1" } },
	    "SUB_LIVING(ss_living_subsidy)", "" },
	/* enum exclusive: 4 不需要 is no need at all */
	{ { { "care_service", "4" } }, "", "" },
	{ { { "care_service", "1" } }, "CARE_SERVICE(care_service)", "" },
	{ { { "care_service", "4" }, { "care_home_nursing", "是" } },
	    "CARE_SERVICE(care_home_nursing)", "" },
	{ { { "care_service", "2" }, { "disability_grade", "3" } }, "",
	    "care_service" },
	/* policy-table order, whatever the order of the needs */
	{ { { "cult_need_any", "是" }, { "legal_aid", "是" },
	    { "ss_medical_premium", "是" }, { "ss_care_subsidy", "是" },
	    { "ss_accident_insurance", "是" } },
	    "SUB_CARE(ss_care_subsidy) MEDICAL_PREMIUM(ss_medical_premium) "
	    "LEGAL_AID(legal_aid) CULTURE(cult_need_any)",
	    "ss_accident_insurance" },
	/* disaster_region: the village in the context's table or not */
	{ { { "house_disaster_reconstruction", "是" } },
	    "DISASTER_REBUILD(house_disaster_reconstruction)", "" },
	{ { { "house_disaster_reconstruction", "是" },
	    { "residence_region", "510105001001" } }, "",
	    "house_disaster_reconstruction" },
};

static void
test_proposals(void **state)
{
	struct record *r = record_new(tu_catalog());
	struct planner_result res;
	struct expr_ctx ctx;
	struct lf_error err;
	char items[1024], unmet[1024];
	size_t i, j;

	(void)state;
	assert_non_null(r);
	planner_result_init(&res);
	for (i = 0; i < sizeof(plan_rows) / sizeof(plan_rows[0]); i++) {
		person(r, plan_rows[i].set);
		ctx = context(r, "2024-05-10", 2024);
		assert_int_equal(planner_propose(policies, r, &ctx, 0, &res,
		    &err), 0);
		render(&res, items, unmet, sizeof(items));
		if (strcmp(items, plan_rows[i].items) != 0 ||
		    strcmp(unmet, plan_rows[i].unmet) != 0)
			fail_msg("row %zu: items '%s' unmet '%s'", i, items,
			    unmet);
		for (j = 0; j < res.nitems; j++)
			assert_null(res.items[j].why_zh);
		for (j = 0; j < res.nunmet; j++)
			assert_null(res.unmet[j].why_en);
	}
	planner_result_free(&res);
	record_free(r);
}

static const struct {
	const char	*set[MAXSET][2];
	const char	*survey;
	int		 year;
	const char	*policy;
	int64_t		 fen;		/* of the row, -1: none */
	int		 month, monthly;
	int64_t		 funds;		/* the yearly figure: monthly x 12 */
} money_rows[] = {
	{ { { "ss_care_subsidy", "是" } }, "2024-05-10", 2024, "SUB_CARE",
	    8000, 6, 1, 8000 * 12 },
	{ { { "ss_care_subsidy", "是" }, { "disability_grade", "1" } },
	    "2024-05-10", 2024, "SUB_CARE", 11000, 6, 1, 11000 * 12 },
	{ { { "ss_care_subsidy", "是" } }, "2024-01-01", 2024, "SUB_CARE",
	    8000, 2, 1, 8000 * 12 },
	{ { { "ss_care_subsidy", "是" } }, "2024-11-30", 2024, "SUB_CARE",
	    8000, 12, 1, 8000 * 12 },
	{ { { "ss_care_subsidy", "是" } }, "2024-12-20", 2024, "SUB_CARE",
	    8000, 12, 1, 8000 * 12 },
	/* survey date outside the plan's year: January */
	{ { { "ss_care_subsidy", "是" } }, "2023-11-01", 2024, "SUB_CARE",
	    8000, 1, 1, 8000 * 12 },
	{ { { "ss_living_subsidy", "是" }, { "urban_income_status", "1" } },
	    "2024-05-10", 2024, "SUB_LIVING", 10000, 6, 1, 10000 * 12 },
	/* the example county override */
	{ { { "ss_living_subsidy", "是" }, { "urban_income_status", "1" },
	    { "residence_region", "510182100001" } }, "2024-05-10", 2024,
	    "SUB_LIVING", 12000, 6, 1, 12000 * 12 },
	/* outside Sichuan no row applies */
	{ { { "ss_care_subsidy", "是" },
	    { "residence_region", "500101001001" } }, "2024-05-10", 2024,
	    "SUB_CARE", -1, 6, 0, 0 },
	{ { { "ss_medical_premium", "是" } }, "2024-05-10", 2024,
	    "MEDICAL_PREMIUM", 38000, 6, 0, 38000 },
	{ { { "ss_pension_premium", "是" } }, "2024-09-10", 2024,
	    "PENSION_PREMIUM", 10000, 10, 0, 10000 },
	/* the estimate for a device: once */
	{ { { "aid_need_any", "是" } }, "2024-05-10", 2024, "AID_DEVICE",
	    80000, 6, 0, 80000 },
};

static const struct planner_item *
item_of(const struct planner_result *res, const char *policy)
{
	size_t i;

	for (i = 0; i < res->nitems; i++)
		if (strcmp(res->items[i].policy->code, policy) == 0)
			return &res->items[i];
	fail_msg("%s not proposed", policy);
	return NULL;
}

static void
test_money(void **state)
{
	struct record *r = record_new(tu_catalog());
	const struct planner_item *it;
	struct planner_result res;
	struct expr_ctx ctx;
	struct lf_error err;
	size_t i;

	(void)state;
	assert_non_null(r);
	planner_result_init(&res);
	for (i = 0; i < sizeof(money_rows) / sizeof(money_rows[0]); i++) {
		person(r, money_rows[i].set);
		ctx = context(r, money_rows[i].survey, money_rows[i].year);
		assert_int_equal(planner_propose(policies, r, &ctx, 0, &res,
		    &err), 0);
		it = item_of(&res, money_rows[i].policy);
		if ((money_rows[i].fen < 0 ? it->amount != NULL :
		    it->amount == NULL || it->amount->fen != money_rows[i].fen) ||
		    it->month != money_rows[i].month ||
		    it->monthly != money_rows[i].monthly ||
		    it->funds_fen != money_rows[i].funds)
			fail_msg("row %zu: month %d monthly %d funds %lld", i,
			    it->month, it->monthly, (long long)it->funds_fen);
	}
	/* no context: January, no village, so no amount */
	person(r, money_rows[0].set);
	assert_int_equal(planner_propose(policies, r, NULL, 0, &res, &err), 0);
	it = item_of(&res, "SUB_CARE");
	assert_int_equal(it->month, 1);
	assert_null(it->amount);
	assert_int_equal(it->funds_fen, 0);
	planner_result_free(&res);
	record_free(r);
}

static const char *const explain_set[][2] = {
	{ "ss_living_subsidy", "是" }, { "ss_accident_insurance", "是" },
	{ "ss_care_subsidy", "是" }, { "aid_need_any", "是" },
	{ "aid_wheelchair", "是" }, { "aid_white_cane", "是" },
};

static const struct planner_unmet *
unmet_of(const struct planner_result *res, const char *need)
{
	size_t i;

	for (i = 0; i < res->nunmet; i++)
		if (res->unmet[i].need == field_of(need))
			return &res->unmet[i];
	fail_msg("%s is not unmet", need);
	return NULL;
}

static void
test_explain(void **state)
{
	struct record *r = record_new(tu_catalog());
	const struct planner_unmet *u;
	const struct planner_item *it;
	struct planner_result res;
	struct expr_ctx ctx;
	struct lf_error err;
	size_t i;

	(void)state;
	assert_non_null(r);
	planner_result_init(&res);
	person(r, explain_set);
	ctx = context(r, "2024-05-10", 2024);
	assert_int_equal(planner_propose(policies, r, &ctx, PLANNER_EXPLAIN,
	    &res, &err), 0);
	assert_int_equal(res.nitems, 3);
	assert_int_equal(res.nunmet, 2);
	for (i = 0; i < res.nitems; i++) {
		assert_non_null(res.items[i].why_zh);
		assert_non_null(res.items[i].why_en);
		assert_true(res.items[i].why_zh[0] != '\0');
	}
	it = item_of(&res, "SUB_CARE");
	/* people read the reasons: labels, not codes */
	assert_non_null(strstr(it->why_en, "severely disabled"));
	assert_non_null(strstr(it->why_en, "holds a valid card"));
	assert_null(strstr(it->why_en, "valid_card"));
	assert_null(strstr(it->why_en, "disability_grade"));
	/* both device items share the policy's reason */
	assert_string_equal(res.items[1].why_en, res.items[2].why_en);
	u = unmet_of(&res, "ss_accident_insurance");
	assert_string_equal(u->why_en, "no policy for this need");
	assert_string_equal(u->why_zh, "没有对应的政策");
	u = unmet_of(&res, "ss_living_subsidy");
	if (strstr(u->why_en, "SUB_LIVING") != NULL ||
	    strstr(u->why_en, "Living subsidy for disabled persons in "
	    "hardship") == NULL ||
	    strstr(u->why_en, "minimum living guarantee") == NULL ||
	    strstr(u->why_zh, "困难残疾人生活补贴") == NULL)
		fail_msg("why: '%s' / '%s'", u->why_en, u->why_zh);
	/* the same survey without explanations: same result, no texts */
	assert_int_equal(planner_propose(policies, r, &ctx, 0, &res, &err), 0);
	assert_int_equal(res.nitems, 3);
	assert_int_equal(res.nunmet, 2);
	assert_null(res.items[0].why_en);
	assert_null(res.unmet[0].why_zh);
	planner_result_free(&res);
	record_free(r);
}

/* A need two policies answer: met when either is eligible; unmet with
 * the reasons of both when neither is. */
#define HDR "code\tname_zh\tname_en\tbatch\tdepartment\ttrigger_needs\t" \
	"eligibility\tamount\titems\n"
static const char two_text[] = HDR
    "P1\t甲\tOne\tNONE\t司法\tlegal_aid\tdisability_grade = 1\t\tone\n"
    "P2\t乙\tTwo\tNONE\t司法\tlegal_aid,legal_rights_protection\t"
    "disability_grade = 2\t\tone\n";

static const struct {
	const char	*grade;
	const char	*items;
	const char	*unmet;
	const char	*why_en;
} two_rows[] = {
	{ "1", "P1(legal_aid)", "", NULL },
	{ "2", "P2(legal_aid)", "", NULL },
	{ "3", "", "legal_aid", "One: Disability grade \"三级\"" },
};

static void
test_two_policies(void **state)
{
	static const char *const set[][2] = { { "legal_aid", "是" },
	    { NULL, NULL } };
	struct record *r = record_new(tu_catalog());
	struct planner_result res;
	struct policies *ps;
	struct expr_ctx ctx;
	struct lf_error err;
	char items[256], unmet[256];
	size_t i;

	(void)state;
	assert_non_null(r);
	if (policies_parse(two_text, sizeof(two_text) - 1, "t.tsv",
	    tu_catalog(), &ps, &err) != 0)
		fail_msg("%s", err.message);
	planner_result_init(&res);
	for (i = 0; i < sizeof(two_rows) / sizeof(two_rows[0]); i++) {
		person(r, set);
		tu_set(r, "disability_grade", two_rows[i].grade);
		ctx = context(r, "2024-05-10", 2024);
		assert_int_equal(planner_propose(ps, r, &ctx, PLANNER_EXPLAIN,
		    &res, &err), 0);
		render(&res, items, unmet, sizeof(items));
		assert_string_equal(items, two_rows[i].items);
		assert_string_equal(unmet, two_rows[i].unmet);
		if (two_rows[i].why_en != NULL && (strncmp(res.unmet[0].why_en,
		    two_rows[i].why_en, strlen(two_rows[i].why_en)) != 0 ||
		    strstr(res.unmet[0].why_en, "; Two: ") == NULL ||
		    strstr(res.unmet[0].why_zh, "；乙: ") == NULL))
			fail_msg("why: '%s' / '%s'", res.unmet[0].why_en,
			    res.unmet[0].why_zh);
	}
	planner_result_free(&res);
	policies_free(ps);
	record_free(r);
}

/* A result reused for many surveys gives what a fresh one gives, and
 * allocates nothing once warm. */
static void
test_reuse(void **state)
{
	struct record *r = record_new(tu_catalog());
	struct planner_result res, fresh;
	struct expr_ctx ctx;
	struct lf_error err;
	char a[1024], b[1024], ua[1024], ub[1024];
	size_t i, k;

	(void)state;
	assert_non_null(r);
	planner_result_init(&res);
	for (i = 0; i < 60; i++) {
		k = i % (sizeof(plan_rows) / sizeof(plan_rows[0]));
		person(r, plan_rows[k].set);
		ctx = context(r, "2024-05-10", 2024);
		assert_int_equal(planner_propose(policies, r, &ctx,
		    i % 2 ? PLANNER_EXPLAIN : 0, &res, &err), 0);
		planner_result_init(&fresh);
		assert_int_equal(planner_propose(policies, r, &ctx, 0, &fresh,
		    &err), 0);
		render(&res, a, ua, sizeof(a));
		render(&fresh, b, ub, sizeof(b));
		assert_string_equal(a, b);
		assert_string_equal(ua, ub);
		planner_result_free(&fresh);
	}
	tu_valid_person(r, 9);		/* many needs */
	tu_set(r, "ss_accident_insurance", "是");
	ctx = context(r, "2024-05-10", 2024);
	assert_int_equal(planner_propose(policies, r, &ctx, PLANNER_EXPLAIN,
	    &res, &err), 0);
	assert_true(res.nitems >= 3);
	mem_fail_after(-1);
	for (i = 0; i < 10; i++)
		assert_int_equal(planner_propose(policies, r, &ctx,
		    i % 2 ? PLANNER_EXPLAIN : 0, &res, &err), 0);
	assert_int_equal(mem_alloc_count(), 0);
	planner_result_free(&res);
	planner_result_free(&res);	/* free twice is harmless */
	record_free(r);
}

static void
test_alloc_failure(void **state)
{
	struct record *r = record_new(tu_catalog());
	struct planner_result res;
	struct expr_ctx ctx;
	struct lf_error err;
	long n;
	int rc;

	(void)state;
	assert_non_null(r);
	person(r, explain_set);
	tu_set(r, "emp_need_any", "是");
	ctx = context(r, "2024-05-10", 2024);
	for (n = 0; n < 100; n++) {
		planner_result_init(&res);
		mem_fail_after(n);
		rc = planner_propose(policies, r, &ctx, PLANNER_EXPLAIN, &res,
		    &err);
		mem_fail_after(-1);
		if (rc == 0) {
			assert_int_equal(res.nunmet, 3);
			planner_result_free(&res);
			break;
		}
		assert_string_equal(err.code, "no_memory");
		assert_int_equal(res.nitems, 0);
		assert_int_equal(res.nunmet, 0);
		planner_result_free(&res);
	}
	assert_true(n > 2 && n < 100);
	record_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_need_yes),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_proposals),
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_two_policies),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests_name("planner", tests, setup, teardown);
}

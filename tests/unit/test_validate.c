/*
 * test_validate.c - skip rules, required items, exclusive options and
 * every cross-field rule, on the real catalog.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/idcard.h"
#include "core/validate.h"
#include "testutil.h"

static struct validate_ctx
ctx(void)
{
	struct validate_ctx c = { tu_regions(), tu_days("2026-11-29"), 2024 };

	return c;
}

/* Gives the person another birth date (and matching ID, card). */
static void
set_birth(struct record *r, const char *date, int seq)
{
	char id[19], card[21];
	int cat = (int)r->num[catalog_find(r->cat, "disability_category",
	    19)->index];
	int grade = (int)r->num[catalog_find(r->cat, "disability_grade",
	    16)->index];

	assert_int_equal(idcard_make("510104", tu_days(date), seq, id), 0);
	assert_int_equal(idcard_make_certificate(id, cat, grade, card), 0);
	tu_set(r, "id_number", id);
	tu_set(r, "householder_id_number", id);
	tu_set(r, "disability_card_no", card);
	tu_set(r, "birth_date", date);
	tu_set(r, "gender", seq % 2 ? "1" : "2");
}

/* Empties every item whose skip rule does not hold any more. */
static void
prune(struct record *r)
{
	int ref = record_ref_date(r, tu_days("2026-11-29"));
	size_t i;

	for (i = 0; i < r->cat->nfields; i++)
		if (!record_asked(r, &r->cat->fields[i], ref))
			record_unset(r, (int)i);
}

struct kv {
	const char	*code;
	const char	*value;		/* "" unsets */
};

static const struct {
	const char	*name;
	struct kv	 set[6];
	int		 prune;		/* drop items no longer asked */
	const char	*birth;		/* NULL keeps 1985-06-15 */
	const char	*error;		/* NULL = valid */
	const char	*field;
} cases[] = {
	{ "base person is valid", { { NULL, NULL } }, 0, NULL, NULL, NULL },
	{ "rural items for 非农业", { { "rural_poverty_status", "5" } }, 0,
	    NULL, "not_asked", "rural_poverty_status" },
	{ "switch to 农业 keeps urban items", { { "hukou_type", "1" } }, 0,
	    NULL, "not_asked", "urban_income_status" },
	{ "农业 with rural items", { { "hukou_type", "1" },
	    { "rural_poverty_status", "5" }, { "rural_housing_status", "1" } },
	    1, NULL, NULL, NULL },
	{ "welfare institution skips economy", {
	    { "in_welfare_institution", "是" } }, 0, NULL, "not_asked",
	    "urban_income_status" },
	{ "welfare institution pruned", { { "in_welfare_institution", "是" } },
	    1, NULL, NULL, NULL },
	{ "housing security type required", {
	    { "urban_housing_status", "2" } }, 0, NULL, "required",
	    "housing_security_type" },
	{ "housing security type given", { { "urban_housing_status", "2" },
	    { "housing_security_type", "1;2" } }, 0, NULL, NULL, NULL },
	{ "employed needs a form", { { "employed", "1" } }, 1, NULL,
	    "required", "employment_form" },
	{ "employed with form", { { "employed", "1" },
	    { "employment_form", "6" } }, 1, NULL, NULL, NULL },
	{ "unemployed items when employed", { { "employed", "1" },
	    { "employment_form", "6" } }, 0, NULL, "not_asked",
	    "unemployment_registered" },
	{ "exclusive none", { { "employment_support_received", "1;6" } }, 0,
	    NULL, "exclusive", "employment_support_received" },
	{ "exclusive none in social assistance", {
	    { "social_assistance_received", "1;7" } }, 0, NULL, "exclusive",
	    "social_assistance_received" },
	{ "pension subsidy needs pension", {
	    { "resident_pension_insured", "否" } }, 0, NULL, "not_asked",
	    "resident_pension_subsidy" },
	{ "illness follow-up", { { "illness_two_weeks", "是" } }, 0, NULL,
	    NULL, NULL },
	{ "untreated reason only if untreated", { { "illness_two_weeks",
	    "是" }, { "illness_treated", "是" }, { "untreated_reason", "1" } },
	    0, NULL, "not_asked", "untreated_reason" },
	{ "no rehab reason when none received", {
	    { "rehab_service_received", "6" } }, 0, NULL, NULL, NULL },
	{ "no rehab reason when some received", {
	    { "no_rehab_reason", "1" } }, 0, NULL, "not_asked",
	    "no_rehab_reason" },
	{ "culture reason", { { "culture_sports_participation", "3" },
	    { "no_culture_reason", "2" } }, 0, NULL, NULL, NULL },
	{ "rehab block gated", { { "rehab_need_any", "否" } }, 0, NULL,
	    "not_asked", "rehab_training" },
	{ "rehab need required", { { "rehab_need_any", "" } }, 1, NULL,
	    "required", "rehab_need_any" },
	{ "aid block gated", { { "aid_need_any", "否" } }, 0, NULL,
	    "not_asked", "aid_wheelchair" },
	{ "child: no education items", { { NULL, NULL } }, 0, "2015-03-01",
	    "not_asked", "literate" },
	{ "child pruned: school type required?", { { NULL, NULL } }, 1,
	    "2015-03-01", NULL, NULL },
	{ "out of school reason for 6-14", { { "school_type", "0" } }, 1,
	    "2015-03-01", "required", "out_of_school_reason" },
	{ "elderly: employment not asked", { { NULL, NULL } }, 0, "1950-01-02",
	    "not_asked", "employed" },
	{ "care service for 16-59 severe 肢体", { { "disability_grade",
	    "3" } }, 0, NULL, "not_asked", "care_service_received" },
	{ "lost needs a reason", { { "survey_method", "4" } }, 0, NULL,
	    "required", "lost_reason" },
	{ "reason only when lost", { { "lost_reason", "1" } }, 0, NULL,
	    "not_asked", "lost_reason" },
	/* cross-field rules */
	{ "gender from ID", { { "gender", "2" } }, 0, NULL, "gender_mismatch",
	    "gender" },
	{ "birth from ID", { { "birth_date", "1985-06-16" } }, 0, NULL,
	    "birth_mismatch", "birth_date" },
	{ "certificate grade", { { "disability_grade", "1" } }, 0, NULL,
	    "card_grade", "disability_card_no" },
	{ "certificate category", { { "disability_category", "1" } }, 1, NULL,
	    "card_category", "disability_card_no" },
	{ "certificate prefix", { { "disability_card_no",
	    "5101041985061501114" "2" } }, 0, NULL, "card_prefix",
	    "disability_card_no" },
	{ "multi needs components", { { "disability_category", "7" } }, 1,
	    NULL, "required", "multi_disability_detail" },
	{ "one phone at least", { { "contact_mobile", "" } }, 0, NULL,
	    "required", "contact_mobile" },
	{ "landline is enough", { { "contact_mobile", "" },
	    { "contact_landline", "028-85550000" } }, 0, NULL, NULL, NULL },
	{ "householder is self", { { "householder_id_number",
	    "11010519491231002X" } }, 0, NULL, "householder_mismatch",
	    "householder_id_number" },
	{ "householder someone else", { { "householder_id_number",
	    "11010519491231002X" }, { "relation_to_householder", "2" } }, 0,
	    NULL, NULL, NULL },
	{ "illiterate education", { { "literate", "否" } }, 0, NULL,
	    "education_literacy", "education_level" },
	{ "unknown village", { { "hukou_region", "510104017999" } }, 0, NULL,
	    "unknown_region", "hukou_region" },
	{ "county is not a village", { { "residence_region",
	    "510104000000" } }, 0, NULL, "unknown_region", "residence_region" },
	{ "fill date in the year", { { "fill_date", "2023-12-31" } }, 0, NULL,
	    "wrong_year", "fill_date" },
	{ "fill date in the future", { { "fill_date", "2027-01-01" } }, 0,
	    NULL, "future_date", "fill_date" },
	{ "required surveyor", { { "surveyor_name", "" } }, 0, NULL,
	    "required", "surveyor_name" },
};

static void
run_case(size_t i)
{
	struct validate_ctx c = ctx();
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	size_t k;
	int rc;

	tu_valid_person(r, 7);
	if (cases[i].birth)
		set_birth(r, cases[i].birth, 7);
	for (k = 0; k < 6 && cases[i].set[k].code; k++)
		tu_set(r, cases[i].set[k].code, cases[i].set[k].value);
	if (cases[i].prune)
		prune(r);
	lf_error_clear(&err);
	rc = record_validate(r, &c, &err);
	if (cases[i].error == NULL && rc != 0)
		fail_msg("%s: %s", cases[i].name, err.message);
	if (cases[i].error != NULL && (rc == 0 || strcmp(err.code,
	    cases[i].error) != 0 || strcmp(err.field, cases[i].field) != 0))
		fail_msg("%s: got %s", cases[i].name, rc ? err.message : "ok");
	record_free(r);
}

static void
test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(i);
}

/* A value of the right form for any field, for the generic test. */
static const char *
some_value(const struct field *f)
{
	static char buf[32];

	switch (f->type) {
	case FT_ENUM:
	case FT_MULTI:
		snprintf(buf, sizeof(buf), "%s", f->options[0].code_text);
		return buf;
	case FT_BOOL:
		return "否";
	case FT_DATE:
		return "2024-01-01";
	case FT_REGION:
		return "510104017001";
	case FT_PHONE:
		return "13900000000";
	default:
		return "文字";
	}
}

/* Every item whose skip rule does not hold for a person refuses a value,
 * naming the item and its rule. */
static void
test_every_skip_rule(void **state)
{
	static const char *births[] = { "1985-06-15", "2015-03-01",
	    "1950-01-02", "2021-01-01" };
	struct validate_ctx c = ctx();
	struct record *r = record_new(tu_catalog());
	const struct catalog *cat = tu_catalog();
	struct lf_error err;
	size_t i, b, checked = 0;

	(void)state;
	for (b = 0; b < 4; b++)
		for (i = 0; i < cat->nfields; i++) {
			const struct field *f = &cat->fields[i];

			tu_valid_person(r, 9);
			set_birth(r, births[b], 9);
			prune(r);
			if (f->ask_if == NULL || record_asked(r, f,
			    tu_days("2024-05-10")))
				continue;
			tu_set(r, f->code, some_value(f));
			lf_error_clear(&err);
			assert_int_equal(record_validate(r, &c, &err), -1);
			if (strcmp(err.code, "not_asked") != 0 ||
			    strcmp(err.field, f->code) != 0 ||
			    strstr(err.message, f->ask_if_text) == NULL)
				fail_msg("%s: %s", f->code, err.message);
			checked++;
		}
	assert_true(checked > 60);
	record_free(r);
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
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_every_skip_rule),
	};

	return cmocka_run_group_tests_name("validate", tests, NULL, teardown);
}

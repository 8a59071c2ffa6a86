/*
 * test_expr.c - the rule language: every operator, derived names,
 * precedence, empty items, and compile errors with their positions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/expr.h"
#include "testutil.h"

static struct record *
person(void)
{
	struct record *r = record_new(tu_catalog());

	assert_non_null(r);
	tu_valid_person(r, 11);
	return r;
}

/* Each row holds on tu_valid_person (age 38 at 2024-05-10, category 4,
 * grade 2, hukou 2, urban_income_status 3, social_assistance 7, ...). */
static const struct {
	const char	*src;
	int		 want;
} eval_rows[] = {
	{ "true", 1 }, { "false", 0 }, { "not true", 0 }, { "not not true", 1 },
	{ "disability_category = 4", 1 }, { "disability_category != 4", 0 },
	{ "disability_grade < 2", 0 }, { "disability_grade <= 2", 1 },
	{ "disability_grade > 1", 1 }, { "disability_grade >= 3", 0 },
	{ "disability_category in {1,4,7}", 1 },
	{ "disability_category in {1,2}", 0 },
	{ "age in 16..59", 1 }, { "age in 39..59", 0 }, { "age in 38..38", 1 },
	{ "age = 38", 1 }, { "age >= 60", 0 },
	{ "rehab_training has 4", 1 }, { "rehab_training has 5", 0 },
	{ "rehab_training has_any {1,4}", 1 },
	{ "rehab_training has_any {1,2}", 0 },
	{ "rehab_need_any", 1 }, { "family_doctor_signed", 0 },
	{ "not family_doctor_signed", 1 },
	{ "rehab_training", 1 },		/* non-empty multi */
	{ "name = '张三'", 1 }, { "name != '张三'", 0 },
	{ "name = '李四'", 0 },
	{ "birth_date < '1990-01-01'", 1 }, { "birth_date = '1985-06-15'", 1 },
	/* derived names */
	{ "severe", 1 }, { "valid_card", 1 }, { "dibao", 0 },
	{ "reg_poor", 0 }, { "not dibao and severe", 1 },
	/* precedence: and binds tighter than or; not tighter than and */
	{ "true or false and false", 1 }, { "(true or false) and false", 0 },
	{ "not false and false", 0 }, { "not (false and false)", 1 },
	{ "false or not false", 1 },
	/* a test on an empty item is false; not negates it */
	{ "rural_poverty_status = 1", 0 }, { "rural_poverty_status != 1", 0 },
	{ "not rural_poverty_status = 1", 1 },
	{ "rural_poverty_status in {1,2,3,4,5}", 0 },
	{ "edu_need_any", 0 }, { "not edu_need_any", 1 },
	{ "untreated_reason has 1", 0 },
	{ "  disability_category=4  and\tsevere ", 1 },
};

static void
test_eval(void **state)
{
	struct record *r = person();
	int ref = tu_days("2024-05-10");
	struct lf_error err;
	struct expr *e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(eval_rows) / sizeof(eval_rows[0]); i++) {
		lf_error_clear(&err);
		if (expr_compile(eval_rows[i].src, tu_catalog(), &e, &err))
			fail_msg("'%s': %s", eval_rows[i].src, err.message);
		if (expr_eval(e, r, ref) != eval_rows[i].want)
			fail_msg("'%s' should be %d", eval_rows[i].src,
			    eval_rows[i].want);
		expr_free(e);
	}
	record_free(r);
}

static void
test_age_boundary(void **state)
{
	struct record *r = person();
	struct lf_error err;
	struct expr *e;

	(void)state;
	assert_int_equal(expr_compile("age >= 39", tu_catalog(), &e, &err), 0);
	assert_int_equal(expr_eval(e, r, tu_days("2024-06-14")), 0);
	assert_int_equal(expr_eval(e, r, tu_days("2024-06-15")), 1);
	assert_true(expr_uses_age(e));
	expr_free(e);
	record_free(r);
}

static void
test_derived_dibao(void **state)
{
	struct record *r = person();
	struct lf_error err;
	struct expr *e;
	int ref = tu_days("2024-05-10");

	(void)state;
	assert_int_equal(expr_compile("dibao", tu_catalog(), &e, &err), 0);
	assert_int_equal(expr_eval(e, r, ref), 0);
	tu_set(r, "urban_income_status", "1");
	assert_int_equal(expr_eval(e, r, ref), 1);
	tu_set(r, "urban_income_status", "3");
	tu_set(r, "social_assistance_received", "1;3");
	assert_int_equal(expr_eval(e, r, ref), 1);
	expr_free(e);
	record_free(r);
}

static const struct {
	const char	*src;
	const char	*code;
	unsigned	 column;
	const char	*msg;		/* a part of the message */
} error_rows[] = {
	{ "", "expr_syntax", 1, "ends too early" },
	{ "nosuch = 1", "expr_name", 1, "unknown name" },
	{ "severe and nosuch", "expr_name", 12, "unknown name" },
	{ "disability_category = 9", "expr_type", 23, "not an option" },
	{ "disability_category in {1,9}", "expr_type", 27, "not an option" },
	{ "rehab_training = 1", "expr_type", 18, "use has" },
	{ "rehab_training in {1}", "expr_type", 19, "has" },
	{ "disability_grade has 1", "expr_type", 1, "multi" },
	{ "rehab_need_any = 2", "expr_type", 18, "0 or 1" },
	{ "(true", "expr_syntax", 6, "expected ')'" },
	{ "true)", "expr_syntax", 5, "expected and, or" },
	{ "true and", "expr_syntax", 9, "ends too early" },
	{ "and true", "expr_syntax", 1, "expected a name" },
	{ "age in 5", "expr_syntax", 8, "A..B" },
	{ "age in 9..5", "expr_syntax", 11, "range end" },
	{ "age in {1,", "expr_syntax", 11, "expected a number" },
	{ "age in {1 2}", "expr_syntax", 11, "expected ','" },
	{ "name = 'abc", "expr_syntax", 8, "unterminated" },
	{ "age = 'x'", "expr_type", 7, "integer" },
	{ "disability_grade = 'x'", "expr_type", 20, "not a text item" },
	{ "birth_date < '1990-13-01'", "expr_type", 14, "YYYY-MM-DD" },
	{ "name < 'a'", "expr_type", 8, "= or !=" },
	{ "age = 99999999999999999999", "expr_syntax", 7, "out of range" },
	{ "true true", "expr_syntax", 6, "expected and, or" },
};

static void
test_errors(void **state)
{
	struct lf_error err;
	struct expr *e = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(error_rows) / sizeof(error_rows[0]); i++) {
		lf_error_clear(&err);
		if (expr_compile(error_rows[i].src, tu_catalog(), &e,
		    &err) == 0)
			fail_msg("'%s' compiled", error_rows[i].src);
		if (strcmp(err.code, error_rows[i].code) != 0 ||
		    err.column != error_rows[i].column ||
		    strstr(err.message, error_rows[i].msg) == NULL)
			fail_msg("'%s': got %s at %u: %s", error_rows[i].src,
			    err.code, err.column, err.message);
	}
}

static void
nested(char *src, size_t depth)
{
	size_t i;

	for (i = 0; i < depth; i++)
		src[i] = '(';
	memcpy(src + depth, "true", 4);
	for (i = 0; i < depth; i++)
		src[depth + 4 + i] = ')';
	src[2 * depth + 4] = '\0';
}

static void
test_deep_nesting(void **state)
{
	char src[400];
	struct lf_error err;
	struct expr *e;

	(void)state;
	nested(src, 100);
	assert_int_equal(expr_compile(src, tu_catalog(), &e, &err), -1);
	assert_non_null(strstr(err.message, "nested"));
	nested(src, 40);
	assert_int_equal(expr_compile(src, tu_catalog(), &e, &err), 0);
	assert_int_equal(expr_eval(e, NULL, 0), 1);
	expr_free(e);
}

#ifdef LF_TESTING
#include "core/mem.h"
static void
test_alloc_failure(void **state)
{
	struct lf_error err;
	struct expr *e;
	long n;

	(void)state;
	for (n = 0; n < 50; n++) {
		mem_fail_after(n);
		e = NULL;
		if (expr_compile("age in 16..59 and (disability_category in "
		    "{5,6} or severe) and name != 'x'", tu_catalog(), &e,
		    &err) == 0) {
			mem_fail_after(-1);
			expr_free(e);
			break;
		}
		assert_string_equal(err.code, "no_memory");
	}
	mem_fail_after(-1);
	assert_true(n < 50);
}
#endif

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
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_age_boundary),
		cmocka_unit_test(test_derived_dibao),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests_name("expr", tests, NULL, teardown);
}

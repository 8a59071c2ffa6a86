/*
 * test_catalog.c - the built-in catalog and every way a catalog file can
 * be wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/catalog.h"
#include "lib/mem.h"
#include "testutil.h"

static void
test_builtin(void **state)
{
	const struct catalog *cat = tu_catalog();
	const struct field *f;
	size_t i;

	(void)state;
	assert_int_equal(cat->nbasic, 58);
	assert_int_equal(cat->nneed, 72);
	assert_true(cat->nenvelope >= 5);
	f = catalog_find(cat, "ethnicity", 9);
	assert_non_null(f);
	assert_int_equal(f->type, FT_ENUM);
	assert_string_equal(field_option(f, 1)->code_text, "01");
	assert_string_equal(f->group, "ident");
	for (i = 0; i < cat->nfields; i++)	/* basic items fold in groups */
		assert_int_equal(cat->fields[i].group[0] != '\0',
		    cat->fields[i].section == SEC_BASIC);
	assert_string_equal(field_option(f, 7)->label, "彝族");
	f = catalog_find(cat, "social_assistance_received", 26);
	assert_int_equal(f->exclusive, 7);
	assert_non_null(f->ask_if == NULL ? f : NULL);
	f = catalog_find(cat, "education_level", 15);
	assert_non_null(f->ask_if);
	assert_string_equal(f->ask_if_text, "age >= 15");
	assert_true(catalog_find(cat, "id_number", 9)->secret);
	assert_true(catalog_find(cat, "contact_mobile", 14)->secret);
	assert_false(catalog_find(cat, "name", 4)->secret);
	assert_int_equal(catalog_find(cat, "name", 4)->max, 32);
	assert_null(catalog_find(cat, "nosuch", 6));
	assert_null(catalog_find(cat, "name_", 5));
	assert_ptr_equal(catalog_find_label(cat, "姓名"),
	    catalog_find(cat, "name", 4));
	f = catalog_find(cat, "gender", 6);
	assert_int_equal(field_option_parse(f, "女")->code, 2);
	assert_int_equal(field_option_parse(f, "1")->code, 1);
	assert_null(field_option_parse(f, "3"));
}

#define HDR "section\tcode\tlabel_zh\tlabel_en\ttype\toptions\trequired\t" \
	"rule\task_if\texclusive\n"

static const struct {
	const char	*text;
	const char	*where;		/* expected start of the message */
	const char	*why;		/* a part of it */
} bad_rows[] = {
	{ "", "t.tsv: ", "empty" },
	{ "section\tcode\n", "t.tsv:1:label_zh", "header lacks" },
	{ HDR "basic\ta\tA\tA\ttext\t\ty\t\t\n", "t.tsv:2:", "expected 10" },
	{ HDR "other\ta\tA\tA\ttext\t\ty\t\t\t\n", "t.tsv:2:section", "section" },
	{ HDR "basic\tA b\tA\tA\ttext\t\ty\t\t\t\n", "t.tsv:2:code", "lower" },
	{ HDR "basic\ta\t\tA\ttext\t\ty\t\t\t\n", "t.tsv:2:label_zh", "empty" },
	{ HDR "basic\ta\tA\tA\tblob\t\ty\t\t\t\n", "t.tsv:2:type", "unknown type" },
	{ HDR "basic\ta\tA\tA\tenum\t\ty\t\t\t\n", "t.tsv:2:options", "need" },
	{ HDR "basic\ta\tA\tA\tenum\t1=x|1=y\ty\t\t\t\n", "t.tsv:2:options",
	    "twice" },
	{ HDR "basic\ta\tA\tA\tenum\tx=y\ty\t\t\t\n", "t.tsv:2:options",
	    "not a number" },
	{ HDR "basic\ta\tA\tA\tenum\t1\ty\t\t\t\n", "t.tsv:2:options",
	    "CODE=label" },
	{ HDR "basic\ta\tA\tA\tmulti\t63=x\ty\t\t\t\n", "t.tsv:2:options",
	    "not a number in range" },
	{ HDR "basic\ta\tA\tA\ttext\tlen=5..1\ty\t\t\t\n", "t.tsv:2:options",
	    "A..B" },
	{ HDR "basic\ta\tA\tA\tint\tlen=1..2\ty\t\t\t\n", "t.tsv:2:options",
	    "does not fit" },
	{ HDR "basic\ta\tA\tA\tdecimal\tscale=12\ty\t\t\t\n",
	    "t.tsv:2:options", "scale" },
	{ HDR "basic\ta\tA\tA\ttext\t\tmaybe\t\t\t\n", "t.tsv:2:required",
	    "not y or n" },
	{ HDR "basic\ta\tA\tA\tint\t\ty\t\t\t1\n", "t.tsv:2:exclusive",
	    "only enum and multi" },
	{ HDR "basic\ta\tA\tA\tmulti\t1=x\ty\t\t\t2\n", "t.tsv:2:exclusive",
	    "not an option" },
	{ HDR "basic\ta\tA\tA\ttext\t\ty\t\t\t\n"
	    "basic\ta\tB\tB\ttext\t\ty\t\t\t\n", "t.tsv:3:code", "twice" },
	{ HDR "basic\ta\tA\tA\tbool\t\ty\t\tb = 1\t\n", "t.tsv:2:ask_if:1",
	    "unknown name" },
	{ HDR "basic\ta\tA\tA\tbool\t\ty\t\ta = 1 and\t\n",
	    "t.tsv:2:ask_if:10", "ends too early" },
	{ "\xff\xfe", "t.tsv: ", "UTF-8" },
};

static void
test_bad_files(void **state)
{
	struct catalog *cat = NULL;
	struct lf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		lf_error_clear(&err);
		if (catalog_parse(bad_rows[i].text, strlen(bad_rows[i].text),
		    "t.tsv", &cat, &err) == 0)
			fail_msg("row %zu parsed", i);
		if (strncmp(err.message, bad_rows[i].where,
		    strlen(bad_rows[i].where)) != 0 ||
		    strstr(err.message, bad_rows[i].why) == NULL)
			fail_msg("row %zu: %s", i, err.message);
	}
}

static void
test_every_type(void **state)
{
	static const char text[] = HDR
	    "envelope\tt\tT\tT\ttext\tlen=2..4\ty\t\t\t\n"
	    "basic\ti\tI\tI\tint\trange=-5..5\tn\t\t\t\n"
	    "basic\td\tD\tD\tdate\t\tn\t\t\t\n"
	    "basic\te\tE\tE\tenum\t01=a|2=b\tn\t\t\t\n"
	    "basic\tm\tM\tM\tmulti\t1=x|2=y|3=none\tn\t\t\t3\n"
	    "basic\tb\tB\tB\tbool\t\tn\t\t\t\n"
	    "need\tmo\tMO\tMO\tmoney\trange=0..100000\tn\t\tb\t\n"
	    "need\tid\tID\tID\tid_number\t\tn\t\t\t\n"
	    "need\tph\tPH\tPH\tphone\t\tn\t\t\t\n"
	    "need\trg\tRG\tRG\tregion\t\tn\t\t\t\n"
	    "need\tdc\tDC\tDC\tdecimal\trange=-90000..90000;scale=3\tn\t\t\t\n"
	    "# a comment line\n\n";
	struct catalog *cat;
	struct lf_error err;

	(void)state;
	if (catalog_parse(text, sizeof(text) - 1, "t.tsv", &cat, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(cat->nfields, 11);
	assert_int_equal(cat->nenvelope, 1);
	assert_int_equal(cat->nbasic, 5);
	assert_int_equal(cat->nneed, 5);
	assert_int_equal(cat->fields[0].min, 2);
	assert_int_equal(cat->fields[0].max, 4);
	assert_int_equal(cat->fields[1].min, -5);
	assert_int_equal(cat->fields[4].exclusive, 3);
	assert_int_equal(cat->fields[10].scale, 3);
	assert_non_null(cat->fields[6].ask_if);
	assert_true(cat->fields[7].secret && cat->fields[8].secret);
	assert_int_equal(field_is_coded(&cat->fields[5]), 1);
	assert_string_equal(field_type_name(cat->fields[9].type), "region");
	catalog_free(cat);
}

/*
 * The optional group column: read when present (in any position), empty
 * when the file has the old layout, and a group that is not an ASCII
 * identifier is refused at its line and column.
 */
static void
test_group_column(void **state)
{
	static const char text[] = "section\tcode\tlabel_zh\tlabel_en\t"
	    "type\toptions\trequired\trule\tgroup\task_if\texclusive\n"
	    "basic\ta\tA\tA\tbool\t\tn\t\tident\t\t\n"
	    "basic\tb\tB\tB\tbool\t\tn\t\t\t\t\n"
	    "need\tc\tC\tC\tbool\t\tn\t\tedu_emp2\t\t\n";
	static const char bad_group[] = "section\tcode\tlabel_zh\t"
	    "label_en\ttype\toptions\trequired\trule\task_if\texclusive\t"
	    "group\n"
	    "basic\ta\tA\tA\tbool\t\tn\t\t\t\tident\n"
	    "basic\tc\tC\tC\tbool\t\tn\t\t\t\n"
	    "basic\tb\tB\tB\tbool\t\tn\t\t\t\t身份\n";
	static const char old[] = HDR "basic\ta\tA\tA\tbool\t\tn\t\t\t\n";
	struct catalog *cat = NULL;
	struct lf_error err;

	(void)state;
	if (catalog_parse(text, sizeof(text) - 1, "t.tsv", &cat, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(cat->nfields, 3);
	assert_string_equal(cat->fields[0].group, "ident");
	assert_string_equal(cat->fields[1].group, "");
	assert_string_equal(cat->fields[2].group, "edu_emp2");
	catalog_free(cat);
	cat = NULL;
	lf_error_clear(&err);
	assert_int_equal(catalog_parse(bad_group, sizeof(bad_group) - 1,
	    "t.tsv", &cat, &err), -1);
	assert_null(cat);
	assert_string_equal(err.code, "catalog");
	assert_string_equal(err.field, "group");
	assert_int_equal(err.line, 4);	/* line 3 leaves the cell out */
	assert_int_equal(err.column, 11);
	assert_true(strncmp(err.message, "t.tsv:4:group: ", 15) == 0);
	assert_non_null(strstr(err.message, "group code"));
	if (catalog_parse(old, sizeof(old) - 1, "t.tsv", &cat, &err) != 0)
		fail_msg("%s", err.message);
	assert_string_equal(cat->fields[0].group, "");
	catalog_free(cat);
}

static void
test_alloc_failure(void **state)
{
	struct embedded_file;
	const char text[] = HDR "basic\ta\tA\tA\tenum\t1=x|2=y\ty\t\t\t\n"
	    "basic\tb\tB\tB\tbool\t\tn\t\ta = 1\t\n";
	struct catalog *cat;
	struct lf_error err;
	long n;

	(void)state;
	for (n = 0; n < 100; n++) {
		mem_fail_after(n);
		if (catalog_parse(text, sizeof(text) - 1, "t", &cat, &err) ==
		    0)
			break;
		assert_string_equal(err.code, "no_memory");
	}
	mem_fail_after(-1);
	assert_true(n < 100);
	catalog_free(cat);
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
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_group_column),
		cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests_name("catalog", tests, NULL, teardown);
}

/*
 * test_record.c - text forms of every catalog type: what parses, what is
 * refused and why, and the canonical form written back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/record.h"
#include "testutil.h"

#define HDR "section\tcode\tlabel_zh\tlabel_en\ttype\toptions\trequired\t" \
	"rule\task_if\texclusive\n"
static const char types_tsv[] = HDR
	"basic\tt\t文本\tT\ttext\tlen=2..4\tn\t\t\t\n"
	"basic\ti\t整数\tI\tint\trange=-5..500\tn\t\t\t\n"
	"basic\td\t日期\tD\tdate\t\tn\t\t\t\n"
	"basic\te\t单选\tE\tenum\t01=甲|2=乙\tn\t\t\t\n"
	"basic\tm\t多选\tM\tmulti\t1=x|2=y|3=无\tn\t\t\t3\n"
	"basic\tb\t是否\tB\tbool\t\tn\t\t\t\n"
	"basic\tmo\t金额\tMO\tmoney\trange=0..1000000\tn\t\t\t\n"
	"basic\tid\t证号\tID\tid_number\t\tn\t\t\t\n"
	"basic\tph\t电话\tPH\tphone\t\tn\t\t\t\n"
	"basic\trg\t区划\tRG\tregion\t\tn\t\t\t\n"
	"basic\tdc\t小数\tDC\tdecimal\trange=-90000000..90000000;scale=6\tn"
	"\t\t\t\n";

static const struct {
	const char	*field;
	const char	*in;
	const char	*error;		/* NULL = accepted */
	const char	*out;		/* canonical form when accepted */
	long long	 num;
} rows[] = {
	{ "t", "ab", NULL, "ab", 0 },
	{ "t", "  张三丰 ", NULL, "张三丰", 0 },
	{ "t", "a", "bad_length", NULL, 0 },
	{ "t", "abcde", "bad_length", NULL, 0 },
	{ "t", "四个汉字", NULL, "四个汉字", 0 },
	{ "t", "a\x01" "b", "bad_text", NULL, 0 },
	{ "t", "", NULL, "", 0 },
	{ "t", "=1+2", "bad_text", NULL, 0 },
	{ "t", "@x", "bad_text", NULL, 0 },
	{ "t", "-ab", "bad_text", NULL, 0 },
	{ "t", "a=b", NULL, "a=b", 0 },
	{ "i", "-5", NULL, "-5", -5 },
	{ "i", "500", NULL, "500", 500 },
	{ "i", "501", "out_of_range", NULL, 0 },
	{ "i", "-6", "out_of_range", NULL, 0 },
	{ "i", "1.5", "bad_number", NULL, 0 },
	{ "i", "x", "bad_number", NULL, 0 },
	{ "i", "99999999999999999999", "bad_number", NULL, 0 },
	{ "d", "2024-02-29", NULL, "2024-02-29", 19782 },
	{ "d", "2023-02-29", "bad_date", NULL, 0 },
	{ "d", "2024-2-1", "bad_date", NULL, 0 },
	{ "e", "01", NULL, "01", 1 },
	{ "e", "1", NULL, "01", 1 },
	{ "e", "乙", NULL, "2", 2 },
	{ "e", "3", "bad_option", NULL, 0 },
	{ "e", "丙", "bad_option", NULL, 0 },
	{ "m", "2;1", NULL, "1;2", 6 },
	{ "m", "x|y", NULL, "1;2", 6 },
	{ "m", "1、2", NULL, "1;2", 6 },
	{ "m", "1,2", NULL, "1;2", 6 },
	{ "m", "无", NULL, "3", 8 },
	{ "m", "1;;2", "bad_option", NULL, 0 },
	{ "m", "1;9", "bad_option", NULL, 0 },
	{ "b", "是", NULL, "是", 1 },
	{ "b", "n", NULL, "否", 0 },
	{ "b", "1", NULL, "是", 1 },
	{ "b", "false", NULL, "否", 0 },
	{ "b", "maybe", "bad_bool", NULL, 0 },
	{ "mo", "12.5", NULL, "12.50", 1250 },
	{ "mo", "12.05", NULL, "12.05", 1205 },
	{ "mo", "7", NULL, "7.00", 700 },
	{ "mo", "10000.00", NULL, "10000.00", 1000000 },
	{ "mo", "10000.01", "out_of_range", NULL, 0 },
	{ "mo", "1.234", "bad_number", NULL, 0 },
	{ "mo", "1.", "bad_number", NULL, 0 },
	{ "mo", "-1", "out_of_range", NULL, 0 },
	{ "id", "11010519491231002x", NULL, "11010519491231002X", 0 },
	{ "id", "11010519491231002Y", "id_chars", NULL, 0 },
	{ "id", "110105194912310021", "id_check_digit", NULL, 0 },
	{ "id", "1101051949123", "id_length", NULL, 0 },
	{ "ph", "13912345678", NULL, "13912345678", 0 },
	{ "ph", "028-85551234", NULL, "028-85551234", 0 },
	{ "ph", "08185551234", NULL, "08185551234", 0 },
	{ "ph", "12912345678", "bad_phone", NULL, 0 },
	{ "ph", "1391234567", "bad_phone", NULL, 0 },
	{ "ph", "028-123", "bad_phone", NULL, 0 },
	{ "rg", "510104017001", NULL, "510104017001", 510104017001LL },
	{ "rg", "5101", "bad_region", NULL, 0 },
	{ "rg", "51010401700a", "bad_region", NULL, 0 },
	{ "dc", "30.5", NULL, "30.500000", 30500000 },
	{ "dc", "-0.000001", NULL, "-0.000001", -1 },
	{ "dc", "90.000001", "out_of_range", NULL, 0 },
	{ "dc", "1.0000001", "bad_number", NULL, 0 },
};

static void
test_types(void **state)
{
	struct catalog *cat;
	struct lf_error err;
	struct record *r;
	struct buf b;
	size_t i;

	(void)state;
	if (catalog_parse(types_tsv, sizeof(types_tsv) - 1, "t", &cat, &err))
		fail_msg("%s", err.message);
	r = record_new(cat);
	buf_init(&b, 1024);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct field *f = catalog_find(cat, rows[i].field,
		    strlen(rows[i].field));

		lf_error_clear(&err);
		if (record_parse_value(r, f, rows[i].in, &err) != 0) {
			if (rows[i].error == NULL ||
			    strcmp(err.code, rows[i].error) != 0)
				fail_msg("%s '%s': %s", rows[i].field,
				    rows[i].in, err.message);
			assert_string_equal(err.field, f->code);
			assert_non_null(strstr(err.message, f->label_zh));
			assert_false(r->set[f->index]);
			continue;
		}
		if (rows[i].error != NULL)
			fail_msg("%s '%s' accepted", rows[i].field, rows[i].in);
		buf_reset(&b);
		assert_int_equal(record_format_value(r, f, &b), 0);
		if (strcmp(buf_str(&b), rows[i].out) != 0)
			fail_msg("%s '%s' -> '%s'", rows[i].field, rows[i].in,
			    buf_str(&b));
		if (rows[i].num != 0)
			assert_int_equal(r->num[f->index], rows[i].num);
		/* the canonical form reads back to the same value */
		if (*rows[i].out) {
			struct record *r2 = record_new(cat);

			assert_int_equal(record_parse_value(r2, f, rows[i].out,
			    &err), 0);
			assert_true(record_field_equal(r, r2, f->index));
			record_free(r2);
		}
	}
	buf_free(&b);
	record_free(r);
	catalog_free(cat);
}

static void
test_copy_equal(void **state)
{
	struct record *a = record_new(tu_catalog()), *b = record_new(
	    tu_catalog());
	size_t i;

	(void)state;
	tu_valid_person(a, 3);
	assert_int_equal(record_copy(b, a), 0);
	for (i = 0; i < tu_catalog()->nfields; i++)
		assert_true(record_field_equal(a, b, (int)i));
	tu_set(b, "name", "李四");
	assert_false(record_field_equal(a, b, catalog_find(tu_catalog(),
	    "name", 4)->index));
	record_free(a);
	record_free(b);
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
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_copy_equal),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, teardown);
}

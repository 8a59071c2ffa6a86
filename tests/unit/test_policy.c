/*
 * test_policy.c - the policy catalog: the built-in tables, every way
 * policies.tsv and policy_amounts.tsv can be wrong, the choice of an
 * amount row, and for each of the 37 policies a person who is eligible
 * and one who just is not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/disaster.h"
#include "lib/embedded.h"
#include "lib/mem.h"
#include "plan/planner.h"
#include "core/policy.h"
#include "testutil.h"

#define NPOLICIES	37
#define SURVEY		"2024-05-10"

static struct policies *
builtin(void)
{
	struct policies *ps = NULL;
	struct lf_error err;

	if (policies_load_embedded(tu_catalog(), &ps, &err) != 0)
		fail_msg("built-in policies: %s", err.message);
	return ps;
}

static int
field_of(const char *code)
{
	const struct field *f = catalog_find(tu_catalog(), code, strlen(code));

	if (f == NULL)
		fail_msg("no field %s", code);
	return f->index;
}

static void
test_builtin(void **state)
{
	struct policies *ps = builtin();
	const struct policy *p;
	const int *list;
	size_t i, n;

	(void)state;
	assert_int_equal(ps->n, NPOLICIES);
	for (i = 0; i < ps->n; i++) {
		assert_int_equal(ps->v[i].index, (int)i);
		assert_int_equal(ps->v[i].per_need,
		    strcmp(ps->v[i].code, "AID_DEVICE") == 0);
	}
	p = policy_find(ps, "SUB_CARE");
	assert_non_null(p);
	assert_int_equal(p->batch, BATCH_SOCIAL_SEC);
	assert_string_equal(p->dept->code, "civil");
	assert_string_equal(p->elig_text, "valid_card and severe");
	assert_null(policy_find(ps, "NO_SUCH"));
	p = policy_find(ps, "AID_DEVICE");
	assert_int_equal(p->ntriggers, 13);
	list = policy_triggered_by(ps, field_of("aid_wheelchair"), &n);
	assert_int_equal(n, 1);
	assert_int_equal(list[0], p->index);
	list = policy_triggered_by(ps, field_of("ss_accident_insurance"), &n);
	assert_null(list);
	assert_int_equal(n, 0);
	assert_null(policy_triggered_by(ps, -1, &n));
	assert_null(policy_triggered_by(ps, (int)tu_catalog()->nfields, &n));
	/* 6 published or example rows, 33 estimates: every policy has one */
	assert_int_equal(ps->namounts, 39);
	for (i = 1; i < ps->namounts; i++)
		assert_true(ps->amounts[i - 1].policy <= ps->amounts[i].policy);
	policies_free(ps);
	policies_free(NULL);
}

static const struct {
	const char		*code;
	enum policy_batch	 batch;
} batch_rows[] = {
	{ "PROD_EMPLOY", BATCH_PROD_EMPLOY }, { "RELOCATE", BATCH_RELOCATE },
	{ "SOCIAL_SEC", BATCH_SOCIAL_SEC }, { "MEDICAL", BATCH_MEDICAL },
	{ "DISASTER", BATCH_DISASTER }, { "EDUCATION", BATCH_EDUCATION },
	{ "NONE", BATCH_NONE }, { "social_sec", -1 }, { "", -1 },
	{ "OTHER", -1 },
};

static void
test_batches_and_pers(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(batch_rows) / sizeof(batch_rows[0]); i++) {
		assert_int_equal(policy_batch_find(batch_rows[i].code),
		    (int)batch_rows[i].batch);
		if ((int)batch_rows[i].batch >= 0)
			assert_string_equal(policy_batch_get(
			    batch_rows[i].batch)->code, batch_rows[i].code);
	}
	/* The speech's names of the 五个一批 batches (issue 14, point 10). */
	assert_string_equal(policy_batch_get(BATCH_PROD_EMPLOY)->name_zh,
	    "扶持发展生产和就业一批");
	assert_string_equal(policy_batch_get(BATCH_SOCIAL_SEC)->name_zh,
	    "社会保障兜底一批");
	assert_string_equal(policy_batch_get(BATCH_EDUCATION)->name_zh,
	    "发展教育一批");
	assert_string_equal(policy_batch_get(BATCH_MEDICAL)->name_zh,
	    "医疗救助一批");
	assert_string_equal(policy_batch_get(BATCH_RELOCATE)->name_zh,
	    "移民搬迁安置一批");
	assert_string_equal(policy_batch_get(BATCH_DISASTER)->name_zh,
	    "灾后重建帮扶一批");
	assert_null(policy_batch_get(NBATCHES));
	assert_string_equal(policy_per_name(PER_MONTH), "month");
	assert_string_equal(policy_per_name(PER_YEAR), "year");
	assert_string_equal(policy_per_name(PER_ONCE), "once");
	assert_null(policy_per_name((enum policy_per)3));
	assert_int_equal(policy_per_find("month"), PER_MONTH);
	assert_int_equal(policy_per_find("year"), PER_YEAR);
	assert_int_equal(policy_per_find("once"), PER_ONCE);
	assert_int_equal(policy_per_find("week"), -1);
}

#define HDR "code\tname_zh\tname_en\tbatch\tdepartment\ttrigger_needs\t" \
	"eligibility\tamount\titems\n"
#define ROW(code, batch, dept, needs, elig, items) \
	code "\t名称\tName\t" batch "\t" dept "\t" needs "\t" elig "\t\t" \
	items "\n"
#define GOOD ROW("A", "SOCIAL_SEC", "民政", "ss_dibao", "true", "one")
#define MANY "aid_need_any,aid_wheelchair,aid_crutch_walker,aid_prosthesis," \
	"aid_orthosis,aid_white_cane,aid_low_vision,aid_reading_device," \
	"aid_hearing_aid,aid_daily_living,aid_nursing_bed,aid_communication," \
	"aid_fitting_repair,access_need_any,access_ramp,access_handrail," \
	"access_bathroom_kitchen"

static const struct {
	const char	*text;
	const char	*where;		/* expected start of the message */
	const char	*field;
	unsigned long	 line;
	unsigned	 column;
	const char	*why;		/* a part of it */
} bad_policies[] = {
	{ "", "t.tsv: ", "", 0, 0, "empty" },
	{ "\xff\n", "t.tsv: ", "", 0, 0, "UTF-8" },
	{ "code\tname_zh\n", "t.tsv:1:code:1: ", "code", 1, 1,
	    "header must have 9" },
	{ "code\tname_zh\tname_en\tfive\tdepartment\ttrigger_needs\t"
	    "eligibility\tamount\titems\n", "t.tsv:1:batch:1: ", "batch", 1, 1,
	    "header column 4 must be 'batch'" },
	{ HDR "A\tB\n", "t.tsv:2: ", "", 2, 0, "expected 9" },
	{ HDR GOOD "\n# note\n" "A\tn\tn\tNONE\t民政\tss_dibao\ttrue\t\tone\tx\n",
	    "t.tsv:5: ", "", 5, 0, "found 10" },
	{ HDR ROW("sub_living", "SOCIAL_SEC", "民政", "ss_dibao", "true",
	    "one"), "t.tsv:2:code:1: ", "code", 2, 1, "upper-case" },
	{ HDR ROW("", "SOCIAL_SEC", "民政", "ss_dibao", "true", "one"),
	    "t.tsv:2:code:1: ", "code", 2, 1, "upper-case" },
	{ HDR ROW("A234567890123456789012345678901234", "SOCIAL_SEC", "民政",
	    "ss_dibao", "true", "one"), "t.tsv:2:code:1: ", "code", 2, 1,
	    "at most 32" },
	{ HDR GOOD GOOD, "t.tsv:3:code:1: ", "code", 3, 1, "appears twice" },
	{ HDR "A\t\tName\tNONE\t民政\tss_dibao\ttrue\t\tone\n",
	    "t.tsv:2:name_zh:1: ", "name_zh", 2, 1, "empty name_zh" },
	{ HDR ROW("A", "SOCIAL", "民政", "ss_dibao", "true", "one"),
	    "t.tsv:2:batch:1: ", "batch", 2, 1, "unknown batch" },
	{ HDR ROW("A", "NONE", "民政局", "ss_dibao", "true", "one"),
	    "t.tsv:2:department:1: ", "department", 2, 1,
	    "unknown department" },
	{ HDR ROW("A", "NONE", "civil", "ss_dibao,ss_nosuch", "true", "one"),
	    "t.tsv:2:trigger_needs:10: ", "trigger_needs", 2, 10,
	    "not a need item" },
	{ HDR ROW("A", "NONE", "civil", "disability_grade", "true", "one"),
	    "t.tsv:2:trigger_needs:1: ", "trigger_needs", 2, 1,
	    "not a need item" },
	{ HDR ROW("A", "NONE", "civil", "ss_dibao,,ss_tekun", "true", "one"),
	    "t.tsv:2:trigger_needs:10: ", "trigger_needs", 2, 10, "empty" },
	{ HDR ROW("A", "NONE", "civil", "", "true", "one"),
	    "t.tsv:2:trigger_needs:1: ", "trigger_needs", 2, 1, "empty" },
	{ HDR ROW("A", "NONE", "civil", "ss_dibao,ss_dibao", "true", "one"),
	    "t.tsv:2:trigger_needs:10: ", "trigger_needs", 2, 10,
	    "appears twice" },
	{ HDR ROW("A", "NONE", "civil", MANY, "true", "one"),
	    "t.tsv:2:trigger_needs:254: ", "trigger_needs", 2, 254,
	    "more than 16" },
	{ HDR ROW("A", "NONE", "civil", "ss_dibao", "valid_card and", "one"),
	    "t.tsv:2:eligibility:15: ", "eligibility", 2, 15,
	    "ends too early" },
	{ HDR ROW("A", "NONE", "civil", "ss_dibao", "valid_card and foo = 1",
	    "one"), "t.tsv:2:eligibility:16: ", "eligibility", 2, 16,
	    "unknown name" },
	{ HDR ROW("A", "NONE", "civil", "ss_dibao", "age in 60..16", "one"),
	    "t.tsv:2:eligibility:12: ", "eligibility", 2, 12, "range end" },
	{ HDR ROW("A", "NONE", "civil", "ss_dibao", "disability_grade = 9",
	    "one"), "t.tsv:2:eligibility:20: ", "eligibility", 2, 20,
	    "not an option" },
	{ HDR ROW("A", "NONE", "civil", "ss_dibao", "", "one"),
	    "t.tsv:2:eligibility:1: ", "eligibility", 2, 1, "ends too early" },
	{ HDR ROW("A", "NONE", "civil", "ss_dibao", "true", "many"),
	    "t.tsv:2:items:1: ", "items", 2, 1, "one or per_need" },
	{ HDR ROW("A", "NONE", "civil", "ss_dibao", "true", ""),
	    "t.tsv:2:items:1: ", "items", 2, 1, "one or per_need" },
};

static void
test_bad_policies(void **state)
{
	struct policies *ps;
	struct lf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_policies) / sizeof(bad_policies[0]); i++) {
		const char *t = bad_policies[i].text;

		ps = NULL;
		if (policies_parse(t, strlen(t), "t.tsv", tu_catalog(), &ps,
		    &err) == 0)
			fail_msg("row %zu parsed", i);
		assert_null(ps);
		if (strcmp(err.code, "policy_file") != 0 ||
		    strncmp(err.message, bad_policies[i].where,
		    strlen(bad_policies[i].where)) != 0 ||
		    strstr(err.message, bad_policies[i].why) == NULL ||
		    strcmp(err.field, bad_policies[i].field) != 0 ||
		    err.line != bad_policies[i].line ||
		    err.column != bad_policies[i].column)
			fail_msg("row %zu: %s [%s] %lu:%u: %s", i, err.code,
			    err.field, err.line, err.column, err.message);
	}
}

static void
test_nul_in_text(void **state)
{
	static const char t[] = HDR "A\0B";
	struct policies *ps;
	struct lf_error err;

	(void)state;
	assert_int_equal(policies_parse(t, sizeof(t) - 1, "t.tsv",
	    tu_catalog(), &ps, &err), -1);
	assert_non_null(strstr(err.message, "UTF-8"));
}

/* CRLF, comments, empty lines and a department by its ASCII code. */
static void
test_good_file(void **state)
{
	static const char t[] = HDR "# a comment\r\n\r\n"
	    "A\t甲\tA\tMEDICAL\tcdpf\taid_need_any,aid_wheelchair\t"
	    "aid_need_any\tfree\tper_need\r\n"
	    "B\t乙\t\tNONE\t司法\tlegal_aid,aid_wheelchair\ttrue\t\tone";
	struct policies *ps;
	struct lf_error err;
	const int *list;
	size_t n;

	(void)state;
	if (policies_parse(t, sizeof(t) - 1, "t.tsv", tu_catalog(), &ps,
	    &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(ps->n, 2);
	assert_int_equal(ps->v[0].per_need, 1);
	assert_string_equal(ps->v[0].amount_text, "free");
	assert_string_equal(ps->v[1].dept->code, "justice");
	assert_string_equal(ps->v[1].name_en, "");
	list = policy_triggered_by(ps, field_of("aid_wheelchair"), &n);
	assert_int_equal(n, 2);
	assert_int_equal(list[0], 0);
	assert_int_equal(list[1], 1);
	assert_int_equal(ps->namounts, 0);
	policies_free(ps);
}

static struct policies *
bare(void)
{
	struct embedded_file f;
	struct policies *ps;
	struct lf_error err;

	assert_int_equal(embedded_get("data/policies.tsv", &f), 0);
	if (policies_parse(f.data, f.len, f.name, tu_catalog(), &ps,
	    &err) != 0)
		fail_msg("%s", err.message);
	return ps;
}

#define AHDR "policy\tregion\twhen\tamount_yuan\tper\tnote\n"

static const struct {
	const char	*text;
	const char	*where;
	const char	*field;
	unsigned long	 line;
	unsigned	 column;
	const char	*why;
} bad_amounts[] = {
	{ "", "a.tsv: ", "", 0, 0, "empty" },
	{ "policy\tregion\twhen\tamount\tper\tnote\n", "a.tsv:1:amount_yuan:1: ",
	    "amount_yuan", 1, 1, "header column 4" },
	{ AHDR "SUB_LIVING\t51\t\t100\tmonth\n", "a.tsv:2: ", "", 2, 0,
	    "expected 6" },
	{ AHDR "NOPE\t51\t\t100\tmonth\t\n", "a.tsv:2:policy:1: ", "policy", 2,
	    1, "unknown policy" },
	{ AHDR "SUB_LIVING\t5\t\t100\tmonth\t\n", "a.tsv:2:region:1: ",
	    "region", 2, 1, "2 to 12 digits" },
	{ AHDR "SUB_LIVING\t51a\t\t100\tmonth\t\n", "a.tsv:2:region:1: ",
	    "region", 2, 1, "2 to 12 digits" },
	{ AHDR "SUB_LIVING\t5101820000001\t\t100\tmonth\t\n",
	    "a.tsv:2:region:1: ", "region", 2, 1, "2 to 12 digits" },
	{ AHDR "SUB_LIVING\t\t\t100\tmonth\t\n", "a.tsv:2:region:1: ",
	    "region", 2, 1, "2 to 12 digits" },
	{ AHDR "SUB_CARE\t51\tdisability_grade == 1\t80\tmonth\t\n",
	    "a.tsv:2:when:19: ", "when", 2, 19, "expected a number" },
	{ AHDR "SUB_CARE\t51\tgrade = 1\t80\tmonth\t\n", "a.tsv:2:when:1: ",
	    "when", 2, 1, "unknown name" },
	{ AHDR "SUB_LIVING\t51\t\t1.234\tmonth\t\n", "a.tsv:2:amount_yuan:1: ",
	    "amount_yuan", 2, 1, "two decimals" },
	{ AHDR "SUB_LIVING\t51\t\t-1\tmonth\t\n", "a.tsv:2:amount_yuan:1: ",
	    "amount_yuan", 2, 1, "two decimals" },
	{ AHDR "SUB_LIVING\t51\t\tabc\tmonth\t\n", "a.tsv:2:amount_yuan:1: ",
	    "amount_yuan", 2, 1, "two decimals" },
	{ AHDR "SUB_LIVING\t51\t\t\tmonth\t\n", "a.tsv:2:amount_yuan:1: ",
	    "amount_yuan", 2, 1, "two decimals" },
	{ AHDR "SUB_LIVING\t51\t\t1.\tmonth\t\n", "a.tsv:2:amount_yuan:1: ",
	    "amount_yuan", 2, 1, "two decimals" },
	{ AHDR "SUB_LIVING\t51\t\t.5\tmonth\t\n", "a.tsv:2:amount_yuan:1: ",
	    "amount_yuan", 2, 1, "two decimals" },
	{ AHDR "SUB_LIVING\t51\t\t1.2.3\tmonth\t\n", "a.tsv:2:amount_yuan:1: ",
	    "amount_yuan", 2, 1, "two decimals" },
	{ AHDR "SUB_LIVING\t51\t\t1e3\tmonth\t\n", "a.tsv:2:amount_yuan:1: ",
	    "amount_yuan", 2, 1, "two decimals" },
	{ AHDR "SUB_LIVING\t51\t\t1000000000.01\tmonth\t\n",
	    "a.tsv:2:amount_yuan:1: ", "amount_yuan", 2, 1, "10^9" },
	{ AHDR "SUB_LIVING\t51\t\t99999999999999999999999\tmonth\t\n",
	    "a.tsv:2:amount_yuan:1: ", "amount_yuan", 2, 1, "10^9" },
	{ AHDR "SUB_LIVING\t51\t\t100\tweek\t\n", "a.tsv:2:per:1: ", "per", 2,
	    1, "month, year or once" },
	/* all or nothing: the good first row is not added either */
	{ AHDR "SUB_LIVING\t51\t\t100\tmonth\t\nSUB_LIVING\t51\t\t100\tMonth\t"
	    "\n", "a.tsv:3:per:1: ", "per", 3, 1, "month, year or once" },
};

static void
test_bad_amounts(void **state)
{
	struct policies *ps = bare();
	struct lf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_amounts) / sizeof(bad_amounts[0]); i++) {
		const char *t = bad_amounts[i].text;

		if (policies_amounts_parse(ps, t, strlen(t), "a.tsv",
		    &err) == 0)
			fail_msg("row %zu parsed", i);
		assert_int_equal(ps->namounts, 0);
		if (strcmp(err.code, "policy_file") != 0 ||
		    strncmp(err.message, bad_amounts[i].where,
		    strlen(bad_amounts[i].where)) != 0 ||
		    strstr(err.message, bad_amounts[i].why) == NULL ||
		    strcmp(err.field, bad_amounts[i].field) != 0 ||
		    err.line != bad_amounts[i].line ||
		    err.column != bad_amounts[i].column)
			fail_msg("row %zu: %s [%s] %lu:%u: %s", i, err.code,
			    err.field, err.line, err.column, err.message);
	}
	policies_free(ps);
}

static const struct {
	const char	*text;
	int64_t		 fen;
} yuan_rows[] = {
	{ "0", 0 }, { "0.01", 1 }, { "0.5", 50 }, { "80", 8000 },
	{ "12.34", 1234 }, { "007", 700 }, { "1000000000", 100000000000 },
};

static void
test_yuan(void **state)
{
	struct policies *ps = bare();
	struct lf_error err;
	char t[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yuan_rows) / sizeof(yuan_rows[0]); i++) {
		snprintf(t, sizeof(t), AHDR "MED_ASSIST\t51\t\t%s\tonce\tn\n",
		    yuan_rows[i].text);
		if (policies_amounts_parse(ps, t, strlen(t), "a.tsv", &err))
			fail_msg("%s: %s", yuan_rows[i].text, err.message);
		assert_int_equal(ps->namounts, i + 1);
		assert_int_equal(ps->amounts[i].fen, yuan_rows[i].fen);
		assert_int_equal(ps->amounts[i].per, PER_ONCE);
		assert_string_equal(ps->amounts[i].note, "n");
		assert_null(ps->amounts[i].when);
	}
	policies_free(ps);
}

static const struct {
	const char	*policy, *region, *when;
	int64_t		 fen;
	int		 per;
	const char	*field;		/* NULL: accepted */
	unsigned	 column;
} add_rows[] = {
	{ NULL, "51", NULL, 100, PER_MONTH, "policy", 0 },
	{ "NOPE", "51", NULL, 100, PER_MONTH, "policy", 1 },
	{ "SUB_LIVING", NULL, NULL, 100, PER_MONTH, "region", 0 },
	{ "SUB_LIVING", "5", NULL, 100, PER_MONTH, "region", 1 },
	{ "SUB_LIVING", "51x", NULL, 100, PER_MONTH, "region", 1 },
	{ "SUB_LIVING", "51", "age >", 100, PER_MONTH, "when", 6 },
	{ "SUB_LIVING", "51", NULL, -1, PER_MONTH, "amount", 1 },
	{ "SUB_LIVING", "51", NULL, 100000000001, PER_MONTH, "amount", 1 },
	{ "SUB_LIVING", "51", NULL, 100, 3, "per", 1 },
	{ "SUB_LIVING", "51", NULL, 100, -1, "per", 1 },
	{ "SUB_LIVING", "51", NULL, 100, PER_MONTH, NULL, 0 },
	{ "SUB_LIVING", "510104017001", "", 0, PER_ONCE, NULL, 0 },
	{ "SUB_CARE", "51", "disability_grade = 1", 11000, PER_MONTH, NULL,
	    0 },
};

static void
test_amounts_add(void **state)
{
	struct policies *ps = bare();
	struct lf_error err;
	size_t i, added = 0;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(add_rows) / sizeof(add_rows[0]); i++) {
		rc = policy_amounts_add(ps, add_rows[i].policy,
		    add_rows[i].region, add_rows[i].when, add_rows[i].fen,
		    (enum policy_per)add_rows[i].per, NULL, &err);
		if (add_rows[i].field == NULL) {
			if (rc != 0)
				fail_msg("row %zu: %s", i, err.message);
			added++;
		} else if (rc == 0 || strcmp(err.code, "invalid") != 0 ||
		    strcmp(err.field, add_rows[i].field) != 0 ||
		    err.column != add_rows[i].column)
			fail_msg("row %zu: rc %d %s [%s] %u: %s", i, rc,
			    err.code ? err.code : "-", err.field, err.column,
			    err.message);
		assert_int_equal(ps->namounts, added);
	}
	/* kept in policy-table order, SUB_LIVING before SUB_CARE */
	assert_string_equal(ps->v[ps->amounts[0].policy].code, "SUB_LIVING");
	assert_string_equal(ps->amounts[0].region, "51");
	assert_string_equal(ps->amounts[1].region, "510104017001");
	assert_string_equal(ps->amounts[1].when_text, "");
	assert_string_equal(ps->amounts[1].note, "");
	assert_string_equal(ps->v[ps->amounts[2].policy].code, "SUB_CARE");
	assert_string_equal(ps->amounts[2].when_text, "disability_grade = 1");
	policies_free(ps);
}

static const char amounts_text[] = AHDR
    "SUB_CARE\t51\tdisability_grade = 1\t110\tmonth\tprovince\n"
    "SUB_LIVING\t51\t\t100\tmonth\tprovince\n"
    "SUB_CARE\t51\tdisability_grade = 2\t80\tmonth\tprovince\n"
    "SUB_LIVING\t510182\t\t120\tmonth\tcounty\n"
    "SUB_CARE\t510182\tdisability_grade = 1\t150\tmonth\tcounty\n"
    "MEDICAL_PREMIUM\t51\t\t380\tyear\t\n"
    "SUB_LIVING\t51\t\t999\tmonth\tnever: a row before it applies\n";

static const struct {
	const char	*policy;
	int64_t		 village;
	const char	*grade;
	int64_t		 fen;		/* -1: no row applies */
	int		 per;
	const char	*note;
} pick_rows[] = {
	{ "SUB_LIVING", 510104018001, "2", 10000, PER_MONTH, "province" },
	{ "SUB_LIVING", 510182100001, "2", 12000, PER_MONTH, "county" },
	{ "SUB_LIVING", 510104017001, "2", 13000, PER_MONTH, "township" },
	{ "SUB_LIVING", 500101001001, "2", -1, 0, NULL },
	{ "SUB_LIVING", 0, "2", -1, 0, NULL },
	{ "SUB_LIVING", 51, "2", -1, 0, NULL },
	{ "SUB_LIVING", 5101040170011, "2", -1, 0, NULL },
	{ "SUB_CARE", 510104018001, "1", 11000, PER_MONTH, "province" },
	{ "SUB_CARE", 510104018001, "2", 8000, PER_MONTH, "province" },
	{ "SUB_CARE", 510104018001, "3", -1, 0, NULL },
	{ "SUB_CARE", 510182100001, "1", 15000, PER_MONTH, "county" },
	/* the county's rows replace the province's: no grade-2 row there */
	{ "SUB_CARE", 510182100001, "2", -1, 0, NULL },
	{ "MEDICAL_PREMIUM", 510104018001, "4", 38000, PER_YEAR, "" },
	{ "AID_DEVICE", 510104018001, "2", -1, 0, NULL },
};

static void
test_amount_pick(void **state)
{
	struct policies *ps = bare();
	struct record *r = record_new(tu_catalog());
	const struct policy_amount *a;
	struct expr_ctx ctx = { 0, 2024, 0, NULL };
	struct lf_error err;
	size_t i;
	int rc;

	(void)state;
	assert_non_null(r);
	if (policies_amounts_parse(ps, amounts_text, sizeof(amounts_text) - 1,
	    "a.tsv", &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(policy_amounts_add(ps, "SUB_LIVING", "510104017", "",
	    13000, PER_MONTH, "township", &err), 0);
	tu_valid_person(r, 5);
	ctx.ref_days = tu_days(SURVEY);
	for (i = 0; i < sizeof(pick_rows) / sizeof(pick_rows[0]); i++) {
		a = NULL;
		tu_set(r, "disability_grade", pick_rows[i].grade);
		ctx.village = pick_rows[i].village;
		rc = policy_amount(ps, policy_find(ps, pick_rows[i].policy), r,
		    &ctx, &a);
		if (pick_rows[i].fen < 0) {
			if (rc != 1)
				fail_msg("row %zu: got %lld", i,
				    (long long)a->fen);
			continue;
		}
		if (rc != 0 || a->fen != pick_rows[i].fen ||
		    (int)a->per != pick_rows[i].per ||
		    strcmp(a->note, pick_rows[i].note) != 0)
			fail_msg("row %zu: rc %d", i, rc);
	}
	assert_int_equal(policy_amount(ps, policy_find(ps, "SUB_LIVING"), r,
	    NULL, &a), 1);
	record_free(r);
	policies_free(ps);
}

/*
 * For each policy, persons who are eligible and persons who just are
 * not: tu_valid_person (born 1985-06-15, 38 on 2024-05-10, 肢体 grade 2,
 * 非农业, urban_income_status 3, employed 2, card valid, in 510104017001)
 * with the changes of the row. Birth dates put the age one day on either
 * side of a bound.
 */
#define MAXSET	4

static const struct {
	const char	*policy;
	int		 want;
	const char	*set[MAXSET][2];
} elig_rows[] = {
	{ "SUB_LIVING", 1, { { "urban_income_status", "1" } } },
	{ "SUB_LIVING", 0, { { "urban_income_status", "1" },
	    { "social_assistance_received", "1;2" } } },
	{ "SUB_LIVING", 0, { { "urban_income_status", "1" },
	    { "card_status", "2" } } },
	{ "SUB_LIVING", 0, { { "urban_income_status", "2" } } },
	{ "SUB_CARE", 1, { { "disability_grade", "2" } } },
	{ "SUB_CARE", 0, { { "disability_grade", "3" } } },
	{ "SUB_CARE", 0, { { "card_status", "4" } } },
	{ "SUB_REGPOOR", 1, { { "hukou_type", "1" },
	    { "rural_poverty_status", "3" } } },
	{ "SUB_REGPOOR", 0, { { "hukou_type", "1" },
	    { "rural_poverty_status", "4" } } },
	{ "DIBAO", 1, { { "urban_income_status", "2" } } },
	{ "DIBAO", 1, { { "hukou_type", "1" }, { "urban_income_status", "" },
	    { "rural_poverty_status", "3" } } },
	{ "DIBAO", 0, { { "urban_income_status", "2" },
	    { "social_assistance_received", "1" } } },
	{ "DIBAO", 0, { { "urban_income_status", "3" } } },
	{ "TEKUN", 1, { { "self_care_ability", "3" },
	    { "unemployed_income_source", "3" } } },
	{ "TEKUN", 0, { { "self_care_ability", "2" },
	    { "unemployed_income_source", "3" } } },
	{ "TEKUN", 0, { { "self_care_ability", "4" },
	    { "unemployed_income_source", "4" } } },
	{ "TEMP_ASSIST", 1, { { NULL, NULL } } },
	{ "PENSION_PREMIUM", 1, { { "birth_date", "2008-05-10" } } },
	{ "PENSION_PREMIUM", 0, { { "birth_date", "2008-05-11" } } },
	{ "PENSION_PREMIUM", 0, { { "disability_grade", "3" } } },
	{ "PENSION_PREMIUM", 0, { { "resident_pension_insured", "否" } } },
	{ "MEDICAL_PREMIUM", 1, { { "disability_grade", "2" } } },
	{ "MEDICAL_PREMIUM", 1, { { "disability_grade", "3" },
	    { "social_assistance_received", "2" } } },
	{ "MEDICAL_PREMIUM", 0, { { "disability_grade", "3" } } },
	{ "MED_ASSIST", 1, { { "social_assistance_received", "2" } } },
	{ "MED_ASSIST", 0, { { "social_assistance_received", "3" } } },
	{ "REHAB_BASIC", 1, { { "rehab_need_any", "是" } } },
	{ "REHAB_BASIC", 0, { { "rehab_need_any", "否" } } },
	{ "REHAB_CHILD", 1, { { "birth_date", "2017-05-11" } } },
	{ "REHAB_CHILD", 0, { { "birth_date", "2017-05-10" } } },
	{ "REHAB_CHILD", 0, { { "birth_date", "2017-05-11" },
	    { "disability_category", "6" } } },
	{ "REHAB_SURGERY", 1, { { "rehab_surgery", "3" } } },
	{ "REHAB_SURGERY", 0, { { "rehab_surgery", "" } } },
	{ "MENTAL_MED", 1, { { "disability_category", "6" } } },
	{ "MENTAL_MED", 1, { { "disability_category", "7" },
	    { "multi_disability_detail", "4;6" } } },
	{ "MENTAL_MED", 0, { { "disability_category", "7" },
	    { "multi_disability_detail", "4;5" } } },
	{ "AID_DEVICE", 1, { { "aid_need_any", "是" } } },
	{ "AID_DEVICE", 0, { { "aid_need_any", "否" } } },
	{ "FAMILY_DOCTOR", 1, { { "family_doctor_signed", "否" } } },
	{ "FAMILY_DOCTOR", 0, { { "family_doctor_signed", "是" } } },
	{ "EDU_FUNDING", 1, { { "school_type", "2" } } },
	{ "EDU_FUNDING", 0, { { "school_type", "0" } } },
	{ "EDU_FUNDING", 0, { { "school_type", "2" },
	    { "disability_grade", "3" } } },
	{ "HOME_TEACHING", 1, { { "birth_date", "2008-05-11" },
	    { "school_type", "0" } } },
	{ "HOME_TEACHING", 0, { { "birth_date", "2008-05-10" },
	    { "school_type", "0" } } },
	{ "HOME_TEACHING", 1, { { "birth_date", "2018-05-10" },
	    { "school_type", "0" } } },
	{ "HOME_TEACHING", 0, { { "birth_date", "2018-05-11" },
	    { "school_type", "0" } } },
	{ "HOME_TEACHING", 0, { { "birth_date", "2010-01-01" },
	    { "school_type", "0" }, { "disability_grade", "3" } } },
	{ "EDU_PLACEMENT", 1, { { "birth_date", "2001-05-11" } } },
	{ "EDU_PLACEMENT", 0, { { "birth_date", "2001-05-10" } } },
	{ "EDU_PLACEMENT", 1, { { "birth_date", "2021-05-10" } } },
	{ "EDU_PLACEMENT", 0, { { "birth_date", "2021-05-11" } } },
	{ "VOC_TRAIN", 1, { { "birth_date", "1964-05-11" } } },
	{ "VOC_TRAIN", 0, { { "birth_date", "1964-05-10" } } },
	{ "VOC_TRAIN", 0, { { "emp_need_any", "否" } } },
	{ "RURAL_TECH", 1, { { "hukou_type", "1" },
	    { "birth_date", "1963-05-11" } } },
	{ "RURAL_TECH", 0, { { "hukou_type", "1" },
	    { "birth_date", "1963-05-10" } } },
	{ "RURAL_TECH", 0, { { "hukou_type", "2" } } },
	{ "FLEX_EMPLOY", 1, { { "employed", "2" } } },
	{ "FLEX_EMPLOY", 0, { { "employed", "1" } } },
	{ "CREDIT", 1, { { "employed", "1" },
	    { "birth_date", "2006-05-10" } } },
	{ "CREDIT", 0, { { "employed", "1" },
	    { "birth_date", "2006-05-11" } } },
	{ "CREDIT", 0, { { "employed", "2" } } },
	{ "MATERIAL", 1, { { "hukou_type", "1" },
	    { "rural_poverty_status", "4" } } },
	{ "MATERIAL", 0, { { "hukou_type", "1" },
	    { "rural_poverty_status", "5" } } },
	{ "PUBLIC_POST", 1, { { "birth_date", "1964-05-11" } } },
	{ "PUBLIC_POST", 0, { { "birth_date", "1964-05-10" } } },
	{ "SUPPORTED_EMP", 1, { { "disability_category", "5" } } },
	{ "SUPPORTED_EMP", 0, { { "disability_category", "4" } } },
	{ "SUPPORTED_EMP", 0, { { "disability_category", "7" } } },
	{ "SELF_EMPLOY", 1, { { "birth_date", "2008-05-10" } } },
	{ "SELF_EMPLOY", 0, { { "birth_date", "2008-05-11" } } },
	{ "FLEX_INSURANCE", 1, { { "employed", "1" } } },
	{ "FLEX_INSURANCE", 0, { { "employed", "2" } } },
	{ "HOUSE_RENOV", 1, { { "hukou_type", "1" },
	    { "rural_housing_status", "3" } } },
	{ "HOUSE_RENOV", 0, { { "hukou_type", "1" },
	    { "rural_housing_status", "1" } } },
	{ "HOUSE_RENOV", 0, { { "hukou_type", "1" },
	    { "rural_housing_status", "2" },
	    { "welfare_subsidy_received", "3" } } },
	{ "HOME_ACCESS", 1, { { "access_need_any", "是" } } },
	{ "HOME_ACCESS", 0, { { "access_need_any", "是" },
	    { "disability_grade", "3" } } },
	{ "HOUSING_SEC", 1, { { "urban_income_status", "1" } } },
	{ "HOUSING_SEC", 0, { { "urban_income_status", "2" } } },
	{ "RELOCATION", 1, { { "hukou_type", "1" },
	    { "rural_poverty_status", "2" } } },
	{ "RELOCATION", 0, { { "hukou_type", "1" },
	    { "rural_poverty_status", "4" } } },
	{ "DISASTER_REBUILD", 1, { { "residence_region", "510104017001" } } },
	{ "DISASTER_REBUILD", 0, { { "residence_region", "510105001001" } } },
	{ "CARE_SERVICE", 1, { { "disability_grade", "2" } } },
	{ "CARE_SERVICE", 0, { { "disability_grade", "3" } } },
	{ "CARE_SERVICE", 0, { { "disability_category", "6" },
	    { "birth_date", "1964-05-10" } } },
	{ "ELDER_CARE", 1, { { "birth_date", "1964-05-10" } } },
	{ "ELDER_CARE", 0, { { "birth_date", "1964-05-11" } } },
	{ "LEGAL_AID", 1, { { NULL, NULL } } },
	{ "CERT_SERVICE", 1, { { "card_status", "2" } } },
	{ "CERT_SERVICE", 1, { { "self_care_ability", "3" } } },
	{ "CERT_SERVICE", 0, { { "self_care_ability", "2" } } },
	{ "CULTURE", 1, { { NULL, NULL } } },
};

#define DISASTERS "region\tfrom_year\tto_year\tevent_zh\tevent_en\n" \
	"510104\t2023\t2025\t测试灾区\ttest disaster\n"

static int
row_sets(size_t i, const char *code)
{
	size_t j;

	for (j = 0; j < MAXSET && elig_rows[i].set[j][0] != NULL; j++)
		if (strcmp(elig_rows[i].set[j][0], code) == 0)
			return 1;
	return 0;
}

/* Makes a trigger need of p that the row leaves alone answer yes. */
static void
force_trigger(struct record *r, const struct policy *p, size_t row)
{
	const struct field *f;
	size_t i, k;

	for (i = 0; i < p->ntriggers; i++) {
		f = &tu_catalog()->fields[p->triggers[i]];
		if (row_sets(row, f->code))
			continue;
		if (f->type == FT_BOOL) {
			tu_set(r, f->code, "是");
			return;
		}
		for (k = 0; k < f->noptions; k++)
			if (f->options[k].code != f->exclusive) {
				tu_set(r, f->code, f->options[k].code_text);
				return;
			}
	}
}

static int
proposed(const struct planner_result *res, const struct policy *p)
{
	size_t i;

	for (i = 0; i < res->nitems; i++)
		if (res->items[i].policy == p)
			return 1;
	return 0;
}

static void
check_elig_row(const struct policies *ps, struct record *r,
    struct expr_ctx *ctx, struct planner_result *res, size_t i)
{
	const struct policy *p = policy_find(ps, elig_rows[i].policy);
	struct lf_error err;
	size_t j;

	if (p == NULL)
		fail_msg("no policy %s", elig_rows[i].policy);
	tu_valid_person(r, 7);
	for (j = 0; j < MAXSET && elig_rows[i].set[j][0] != NULL; j++)
		tu_set(r, elig_rows[i].set[j][0], elig_rows[i].set[j][1]);
	ctx->village = r->num[field_of("residence_region")];
	if (expr_eval_ctx(p->elig, r, ctx) != elig_rows[i].want)
		fail_msg("row %zu: %s should be %s", i, p->code,
		    elig_rows[i].want ? "eligible" : "not eligible");
	force_trigger(r, p, i);
	assert_int_equal(planner_propose(ps, r, ctx, 0, res, &err), 0);
	if (proposed(res, p) != elig_rows[i].want)
		fail_msg("row %zu: %s proposed %d", i, p->code, !elig_rows[i].want);
}

static void
test_eligibility(void **state)
{
	struct policies *ps = builtin();
	struct record *r = record_new(tu_catalog());
	struct planner_result res;
	struct disaster *d;
	struct expr_ctx ctx;
	struct lf_error err;
	int yes[NPOLICIES] = { 0 }, no[NPOLICIES] = { 0 };
	size_t i;

	(void)state;
	assert_non_null(r);
	if (disaster_parse(DISASTERS, strlen(DISASTERS), "d.tsv", &d, &err))
		fail_msg("%s", err.message);
	ctx.ref_days = tu_days(SURVEY);
	ctx.year = 2024;
	ctx.disaster = d;
	planner_result_init(&res);
	for (i = 0; i < sizeof(elig_rows) / sizeof(elig_rows[0]); i++) {
		check_elig_row(ps, r, &ctx, &res, i);
		if (elig_rows[i].want)
			yes[policy_find(ps, elig_rows[i].policy)->index]++;
		else
			no[policy_find(ps, elig_rows[i].policy)->index]++;
	}
	/* every policy has both; "true" can refuse no one, not even an
	 * empty survey */
	record_clear(r);
	for (i = 0; i < ps->n; i++) {
		if (yes[i] == 0)
			fail_msg("%s: no eligible person", ps->v[i].code);
		if (strcmp(ps->v[i].elig_text, "true") == 0)
			assert_int_equal(expr_eval_ctx(ps->v[i].elig, r, &ctx),
			    1);
		else if (no[i] == 0)
			fail_msg("%s: no ineligible person", ps->v[i].code);
	}
	planner_result_free(&res);
	disaster_free(d);
	record_free(r);
	policies_free(ps);
}

static void
test_alloc_failure(void **state)
{
	struct embedded_file f;
	struct policies *ps;
	struct lf_error err;
	long n;
	int rc;

	(void)state;
	assert_int_equal(embedded_get("data/policies.tsv", &f), 0);
	for (n = 0; n < 5000; n++) {
		mem_fail_after(n);
		ps = NULL;
		rc = policies_parse(f.data, f.len, f.name, tu_catalog(), &ps,
		    &err);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		assert_string_equal(err.code, "no_memory");
		assert_null(ps);
	}
	assert_true(n < 5000);
	for (n = 0; n < 200; n++) {
		mem_fail_after(n);
		rc = policies_amounts_parse(ps, amounts_text,
		    sizeof(amounts_text) - 1, "a.tsv", &err);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		assert_string_equal(err.code, "no_memory");
		assert_int_equal(ps->namounts, 0);
	}
	assert_true(n < 200);
	for (n = 0; n < 50; n++) {
		size_t before = ps->namounts;

		mem_fail_after(n);
		rc = policy_amounts_add(ps, "SUB_CARE", "5101", "disability_grade"
		    " = 1", 100, PER_MONTH, "note", &err);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		assert_string_equal(err.code, "no_memory");
		assert_int_equal(ps->namounts, before);
	}
	assert_true(n < 50);
	policies_free(ps);
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
		cmocka_unit_test(test_batches_and_pers),
		cmocka_unit_test(test_bad_policies),
		cmocka_unit_test(test_nul_in_text),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_bad_amounts),
		cmocka_unit_test(test_yuan),
		cmocka_unit_test(test_amounts_add),
		cmocka_unit_test(test_amount_pick),
		cmocka_unit_test(test_eligibility),
		cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, teardown);
}

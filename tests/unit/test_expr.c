/*
 * test_expr.c - the rule language: every operator, derived names,
 * precedence, empty items, evaluation with a context (disaster_region),
 * explanations in English and Chinese, and compile errors with their
 * positions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/disaster.h"
#include "core/expr.h"
#include "lib/mem.h"
#include "testutil.h"

#define LUDING_VILLAGE	513322100001LL	/* 泸定县泸桥镇南段社区 */
#define CHENGDU_VILLAGE	510104017001LL	/* tu_valid_person's village */

static const char disaster_tsv[] =
    "# test table\n"
    "region\tfrom_year\tto_year\tevent_zh\tevent_en\n"
    "513322\t2022\t2025\t2022年泸定6.8级地震\t2022 Luding M6.8 earthquake\n";

/* Evaluation contexts the rows choose from. */
enum ctx_kind { CTX_NONE, CTX_HIT, CTX_MISS, CTX_LATE, CTX_NO_TABLE,
    CTX_NO_VILLAGE };

static struct disaster *dis_table;

static struct disaster *
disasters(void)
{
	struct lf_error err;

	if (dis_table == NULL && disaster_parse(disaster_tsv,
	    sizeof(disaster_tsv) - 1, "test.tsv", &dis_table, &err) != 0)
		fail_msg("disaster table: %s", err.message);
	disaster_set_regions(dis_table, tu_regions());
	return dis_table;
}

/* The context of kind k in *c; NULL for CTX_NONE. */
static const struct expr_ctx *
context(enum ctx_kind k, struct expr_ctx *c)
{
	c->ref_days = tu_days("2024-05-10");
	c->year = k == CTX_LATE ? 2026 : 2024;
	c->village = k == CTX_MISS ? CHENGDU_VILLAGE :
	    k == CTX_NO_VILLAGE ? 0 : LUDING_VILLAGE;
	c->disaster = k == CTX_NO_TABLE ? NULL : disasters();
	return k == CTX_NONE ? NULL : c;
}

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
	/* no context: disaster_region is false */
	{ "disaster_region", 0 }, { "not disaster_region", 1 },
	{ "disaster_region or severe", 1 },
	{ "in_welfare_institution", 0 }, { "not in_welfare_institution", 1 },
	{ "age", 1 }, { "age > -1", 1 }, { "age < -1", 0 },
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

/* Evaluation with a context: disaster_region asks the table. */
static const struct {
	const char	*src;
	enum ctx_kind	 ctx;
	int		 want;
} ctx_rows[] = {
	{ "disaster_region", CTX_HIT, 1 },
	{ "disaster_region", CTX_MISS, 0 },
	{ "disaster_region", CTX_LATE, 0 },
	{ "disaster_region", CTX_NO_TABLE, 0 },
	{ "disaster_region", CTX_NO_VILLAGE, 0 },
	{ "disaster_region", CTX_NONE, 0 },
	{ "not disaster_region", CTX_HIT, 0 },
	{ "not disaster_region", CTX_NONE, 1 },
	{ "disaster_region and severe", CTX_HIT, 1 },
	{ "disaster_region and not severe", CTX_HIT, 0 },
	{ "(severe or dibao) and disaster_region", CTX_LATE, 0 },
	{ "age = 38 and disaster_region", CTX_HIT, 1 },	/* ref_days */
};

static void
test_eval_ctx(void **state)
{
	struct record *r = person();
	struct expr_ctx c;
	struct lf_error err;
	struct expr *e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ctx_rows) / sizeof(ctx_rows[0]); i++) {
		if (expr_compile(ctx_rows[i].src, tu_catalog(), &e, &err))
			fail_msg("'%s': %s", ctx_rows[i].src, err.message);
		if (expr_eval_ctx(e, r, context(ctx_rows[i].ctx, &c)) !=
		    ctx_rows[i].want)
			fail_msg("'%s' (context %d) should be %d",
			    ctx_rows[i].src, ctx_rows[i].ctx,
			    ctx_rows[i].want);
		expr_free(e);
	}
	record_free(r);
}

/* Explanations on tu_valid_person with up to three items changed ("" =
 * unset). Every operator both ways, derived names, unset items. */
static const struct {
	const char	*src;
	const char	*set[3][2];
	enum ctx_kind	 ctx;
	int		 want;
	const char	*en;
	const char	*zh;
} explain_rows[] = {
	/* = != < <= > >= state the relation that is true */
	{ "disability_category = 4", { { NULL } }, CTX_HIT, 1,
	    "Disability category \"Physical\" = \"Physical\"",
	    "残疾类别 “肢体残疾” 等于 “肢体残疾”" },
	{ "disability_category = 5", { { NULL } }, CTX_HIT, 0,
	    "Disability category \"Physical\" != \"Intellectual\"",
	    "残疾类别 “肢体残疾” 不等于 “智力残疾”" },
	{ "disability_category != 4", { { NULL } }, CTX_HIT, 0,
	    "Disability category \"Physical\" = \"Physical\"",
	    "残疾类别 “肢体残疾” 等于 “肢体残疾”" },
	{ "disability_category != 5", { { NULL } }, CTX_HIT, 1,
	    "Disability category \"Physical\" != \"Intellectual\"",
	    "残疾类别 “肢体残疾” 不等于 “智力残疾”" },
	{ "disability_grade < 3", { { NULL } }, CTX_HIT, 1,
	    "Disability grade \"Grade 2\" < \"Grade 3\"",
	    "残疾等级 “二级” 小于 “三级”" },
	{ "disability_grade < 2", { { NULL } }, CTX_HIT, 0,
	    "Disability grade \"Grade 2\" >= \"Grade 2\"",
	    "残疾等级 “二级” 大于等于 “二级”" },
	{ "disability_grade <= 2", { { NULL } }, CTX_HIT, 1,
	    "Disability grade \"Grade 2\" <= \"Grade 2\"",
	    "残疾等级 “二级” 小于等于 “二级”" },
	{ "disability_grade <= 1", { { NULL } }, CTX_HIT, 0,
	    "Disability grade \"Grade 2\" > \"Grade 1\"",
	    "残疾等级 “二级” 大于 “一级”" },
	{ "disability_grade > 1", { { NULL } }, CTX_HIT, 1,
	    "Disability grade \"Grade 2\" > \"Grade 1\"",
	    "残疾等级 “二级” 大于 “一级”" },
	{ "disability_grade > 2", { { NULL } }, CTX_HIT, 0,
	    "Disability grade \"Grade 2\" <= \"Grade 2\"",
	    "残疾等级 “二级” 小于等于 “二级”" },
	{ "disability_grade >= 2", { { NULL } }, CTX_HIT, 1,
	    "Disability grade \"Grade 2\" >= \"Grade 2\"",
	    "残疾等级 “二级” 大于等于 “二级”" },
	{ "disability_grade >= 3", { { NULL } }, CTX_HIT, 0,
	    "Disability grade \"Grade 2\" < \"Grade 3\"",
	    "残疾等级 “二级” 小于 “三级”" },
	{ "age >= 60", { { NULL } }, CTX_HIT, 0,
	    "age 38 < 60", "年龄 38 小于 60" },
	{ "birth_date < '1990-01-01'", { { NULL } }, CTX_HIT, 1,
	    "Date of birth 1985-06-15 < 1990-01-01",
	    "出生日期 1985-06-15 小于 1990-01-01" },
	{ "name = '张三'", { { NULL } }, CTX_HIT, 1,
	    "Full name '张三' = '张三'",
	    "姓名 '张三' 等于 '张三'" },
	{ "name != '张三'", { { NULL } }, CTX_HIT, 0,
	    "Full name '张三' = '张三'",
	    "姓名 '张三' 等于 '张三'" },
	{ "disability_card_no = 'x'", { { NULL } }, CTX_HIT, 0,
	    "Disability certificate number *** != 'x'",
	    "残疾人证号 *** 不等于 'x'" },
	{ "rehab_need_any = 1", { { NULL } }, CTX_HIT, 1,
	    "Needs any rehabilitation service yes = yes",
	    "是否需要康复服务 是 等于 是" },
	/* in {..}, in a..b */
	{ "disability_category in {1,4,7}", { { NULL } }, CTX_HIT, 1,
	    "Disability category \"Physical\" in \"Visual\", \"Physical\", \"M"
	    "ultiple\"",
	    "残疾类别 “肢体残疾” 属于 “视力残疾”、“肢体残疾”、“多重残疾”" },
	{ "disability_category in {7,1}", { { NULL } }, CTX_HIT, 0,
	    "Disability category \"Physical\" not in \"Visual\", \"Multiple\"",
	    "残疾类别 “肢体残疾” 不属于 “视力残疾”、“多重残疾”" },
	{ "hukou_region in {510104017001,510104017002}", { { NULL } },
	    CTX_HIT, 1,
	    "Registered residence (village/community) \"锦江区锦官驿街道水井坊社"
	    "区居委会\" in \"锦江区锦官驿街道水井坊社区居委会\", \"锦江区锦官驿街道"
	    "崇德里社区居委会\"",
	    "户籍地(村/社区) “锦江区锦官驿街道水井坊社区居委会” 属于 “锦江区锦官驿"
	    "街道水井坊社区居委会”、“锦江区锦官驿街道崇德里社区居委会”" },
	/* an unknown village keeps its code: it is what is wrong */
	{ "hukou_region in {510104017001}", { { "hukou_region",
	    "510104999001" } }, CTX_HIT, 0,
	    "Registered residence (village/community) 510104999001 not in \"锦"
	    "江区锦官驿街道水井坊社区居委会\"",
	    "户籍地(村/社区) 510104999001 不属于 “锦江区锦官驿街道水井坊社区居委会”" },
	{ "marital_status in {90,20}", { { NULL } }, CTX_HIT, 1,
	    "Marital status \"Married\" in \"Not stated\", \"Married\"",
	    "婚姻状况 “已婚” 属于 “未说明的婚姻状况”、“已婚”" },
	{ "ethnicity = 1", { { NULL } }, CTX_HIT, 1,
	    "Ethnicity \"Han\" = \"Han\"",
	    "民族 “汉族” 等于 “汉族”" },
	{ "birth_date in {'1990-01-01'}", { { NULL } }, CTX_HIT, 0,
	    "Date of birth 1985-06-15 not in 1990-01-01",
	    "出生日期 1985-06-15 不属于 1990-01-01" },
	{ "age in 16..59", { { NULL } }, CTX_HIT, 1,
	    "age 38 in 16..59", "年龄 38 在 16..59 之内" },
	{ "age in 38..38", { { NULL } }, CTX_HIT, 1,
	    "age 38 in 38..38", "年龄 38 在 38..38 之内" },
	{ "age in 16..59", { { "birth_date", "1957-01-01" } }, CTX_HIT, 0,
	    "age 67 not in 16..59", "年龄 67 不在 16..59 之内" },
	/* has, has_any */
	{ "rehab_training has 4", { { NULL } }, CTX_HIT, 1,
	    "Functional training needed \"Motor function training\" has \"Moto"
	    "r function training\"",
	    "功能训练需求 “肢体运动功能训练” 含 “肢体运动功能训练”" },
	{ "rehab_training has 5", { { NULL } }, CTX_HIT, 0,
	    "Functional training needed \"Motor function training\" lacks \"Co"
	    "gnitive training\"",
	    "功能训练需求 “肢体运动功能训练” 不含 “智力认知训练”" },
	{ "rehab_training has_any {1,4}", { { NULL } }, CTX_HIT, 1,
	    "Functional training needed \"Motor function training\" has one of"
	    " \"Visual function training (low vision)\", \"Motor function trai"
	    "ning\"",
	    "功能训练需求 “肢体运动功能训练” 含 “视功能训练(低视力)”、“肢体运动功能训练” 之一" },
	{ "rehab_training has_any {2,1}", { { "rehab_training", "5;6" } },
	    CTX_HIT, 0,
	    "Functional training needed \"Cognitive training\", \"Psychosocial"
	    " function training\" has none of \"Visual function training (low "
	    "vision)\", \"Orientation and mobility training\"",
	    "功能训练需求 “智力认知训练”、“精神社会功能训练” 不含 “视功能训练(低视力)”、“定向行走训练” 中任何一项" },
	{ "rehab_training has_any {3}", { { NULL } }, CTX_HIT, 0,
	    "Functional training needed \"Motor function training\" lacks \"He"
	    "aring and speech training\"",
	    "功能训练需求 “肢体运动功能训练” 不含 “听觉言语训练”" },
	/* bare names */
	{ "rehab_need_any", { { NULL } }, CTX_HIT, 1,
	    "Needs any rehabilitation service yes",
	    "是否需要康复服务 是" },
	{ "age", { { NULL } }, CTX_HIT, 1, "age 38", "年龄 38" },
	{ "family_doctor_signed", { { NULL } }, CTX_HIT, 0,
	    "Has family-doctor contract no",
	    "是否签订家庭医生服务协议 否" },
	{ "rehab_training", { { NULL } }, CTX_HIT, 1,
	    "Functional training needed \"Motor function training\"",
	    "功能训练需求 “肢体运动功能训练”" },
	{ "hukou_region", { { NULL } }, CTX_HIT, 1,
	    "Registered residence (village/community) has a value",
	    "户籍地(村/社区) 已填写" },
	{ "id_number", { { NULL } }, CTX_HIT, 1,
	    "Resident ID number has a value",
	    "公民身份号码 已填写" },
	/* not adds no words: its part's facts say what is true */
	{ "not family_doctor_signed", { { NULL } }, CTX_HIT, 1,
	    "Has family-doctor contract no",
	    "是否签订家庭医生服务协议 否" },
	{ "not not rehab_need_any", { { NULL } }, CTX_HIT, 1,
	    "Needs any rehabilitation service yes",
	    "是否需要康复服务 是" },
	{ "true", { { NULL } }, CTX_HIT, 1, "true", "恒成立" },
	{ "false", { { NULL } }, CTX_HIT, 0, "false", "恒不成立" },
	{ "not true", { { NULL } }, CTX_HIT, 0, "true", "恒成立" },
	/* and: all parts when it holds, the first failing one when not */
	{ "severe and valid_card", { { NULL } }, CTX_HIT, 1,
	    "severely disabled (Disability grade \"Grade 2\") and holds a vali"
	    "d card (Certificate status \"Valid\")",
	    "重度残疾(残疾等级 “二级”) 且 持证有效(残疾人证状态 “有效”)" },
	{ "valid_card and disability_grade > 2 and age < 10", { { NULL } },
	    CTX_HIT, 0,
	    "Disability grade \"Grade 2\" <= \"Grade 2\"",
	    "残疾等级 “二级” 小于等于 “二级”" },
	/* or: the first holding part, every part when it fails */
	{ "disability_grade > 2 or age < 60 or severe", { { NULL } },
	    CTX_HIT, 1, "age 38 < 60", "年龄 38 小于 60" },
	{ "disability_category in {1,2} or disability_grade in {3,4}",
	    { { NULL } }, CTX_HIT, 0,
	    "Disability category \"Physical\" not in \"Visual\", \"Hearing\" and "
	    "Disability grade \"Grade 2\" not in \"Grade 3\", \"Grade 4\"",
	    "残疾类别 “肢体残疾” 不属于 “视力残疾”、“听力残疾” 且 残疾等级 “二级” 不属于 “三级”、“四级”" },
	/* parentheses and precedence: not > and > or */
	{ "(disability_grade > 2 or severe) and age >= 16", { { NULL } },
	    CTX_HIT, 1,
	    "severely disabled (Disability grade \"Grade 2\") and age 38 >= 16",
	    "重度残疾(残疾等级 “二级”) 且 年龄 38 大于等于 16" },
	{ "disability_grade > 2 and age < 10 or severe", { { NULL } },
	    CTX_HIT, 1,
	    "severely disabled (Disability grade \"Grade 2\")",
	    "重度残疾(残疾等级 “二级”)" },
	{ "disability_grade > 2 and (age < 10 or severe)", { { NULL } },
	    CTX_HIT, 0,
	    "Disability grade \"Grade 2\" <= \"Grade 2\"",
	    "残疾等级 “二级” 小于等于 “二级”" },
	{ "not severe and valid_card", { { NULL } }, CTX_HIT, 0,
	    "severely disabled (Disability grade \"Grade 2\")",
	    "重度残疾(残疾等级 “二级”)" },
	{ "not (severe and valid_card)", { { NULL } }, CTX_HIT, 0,
	    "severely disabled (Disability grade \"Grade 2\") and holds a vali"
	    "d card (Certificate status \"Valid\")",
	    "重度残疾(残疾等级 “二级”) 且 持证有效(残疾人证状态 “有效”)" },
	{ "true or false and false", { { NULL } }, CTX_HIT, 1, "true",
	    "恒成立" },
	{ "(true or false) and false", { { NULL } }, CTX_HIT, 0, "false",
	    "恒不成立" },
	/* derived names, named as themselves with their values */
	{ "severe", { { "disability_grade", "3" } }, CTX_HIT, 0,
	    "not severely disabled (Disability grade \"Grade 3\")",
	    "非重度残疾(残疾等级 “三级”)" },
	{ "dibao", { { NULL } }, CTX_HIT, 0,
	    "no minimum living guarantee (Urban household income status \"Other\""
	    ", no value for Poverty / registered-poor status, Social assistanc"
	    "e / housing improvement received this year \"None\")",
	    "非低保(城镇家庭收入情况 “其他”、贫困与建档立卡情况 未填写、年度内社会救助及住房改善情况 “无”)" },
	{ "dibao", { { "urban_income_status", "1" } }, CTX_HIT, 1,
	    "receives the minimum living guarantee (Urban household income sta"
	    "tus \"Urban/rural minimum-living-guarantee household\")",
	    "低保(城镇家庭收入情况 “城乡低保家庭”)" },
	{ "dibao", { { "social_assistance_received", "1;3" } }, CTX_HIT, 1,
	    "receives the minimum living guarantee (Social assistance / housin"
	    "g improvement received this year \"Minimum living guarantee\", \"Temporary assistance\")",
	    "低保(年度内社会救助及住房改善情况 “最低生活保障”、“临时救助”)" },
	{ "reg_poor", { { "rural_poverty_status", "2" } }, CTX_HIT, 1,
	    "registered poor (Poverty / registered-poor status \"Household lifted out of poverty\")",
	    "建档立卡贫困(贫困与建档立卡情况 “脱贫户”)" },
	{ "reg_poor", { { NULL } }, CTX_HIT, 0,
	    "not registered poor (no value for Poverty / registered-poor statu"
	    "s)",
	    "非建档立卡贫困(贫困与建档立卡情况 未填写)" },
	{ "valid_card", { { "card_status", "2" } }, CTX_HIT, 0,
	    "no valid card (Certificate status \"Expired, awaiting renewal\")",
	    "未持有效证(残疾人证状态 “过期待换领”)" },
	{ "not dibao and severe", { { NULL } }, CTX_HIT, 1,
	    "no minimum living guarantee (Urban household income status \"Other\""
	    ", no value for Poverty / registered-poor status, Social assistanc"
	    "e / housing improvement received this year \"None\") and severely di"
	    "sabled (Disability grade \"Grade 2\")",
	    "非低保(城镇家庭收入情况 “其他”、贫困与建档立卡情况 未填写、年度内社会救助及住房改善情况 “无”) 且 重度残疾(残疾等级 “"
	    "二级”)" },
	/* disaster_region, from the context */
	{ "disaster_region", { { NULL } }, CTX_HIT, 1,
	    "in a disaster area (the village, 2024: 2022 Luding M6.8 "
	    "earthquake 2022..2025)",
	    "灾区(泸定县泸桥镇南段社区居民委员会，2024年：2022年泸定6.8级地震 "
	    "2022..2025年)" },
	{ "disaster_region", { { NULL } }, CTX_MISS, 0,
	    "not in a disaster area (the village, 2024: not listed)",
	    "非灾区(锦江区锦官驿街道水井坊社区居委会，2024年：不在灾区表内)" },
	{ "disaster_region", { { NULL } }, CTX_LATE, 0,
	    "not in a disaster area (the village, 2026: not listed)",
	    "非灾区(泸定县泸桥镇南段社区居民委员会，2026年：不在灾区表内)" },
	{ "disaster_region", { { NULL } }, CTX_NO_VILLAGE, 0,
	    "not in a disaster area (no village)",
	    "非灾区(村/社区 未填写)" },
	{ "disaster_region", { { NULL } }, CTX_NO_TABLE, 0,
	    "not in a disaster area (no disaster table)",
	    "非灾区(无灾区表)" },
	{ "disaster_region", { { NULL } }, CTX_NONE, 0,
	    "not in a disaster area (no disaster table)",
	    "非灾区(无灾区表)" },
	{ "house_disaster_reconstruction and disaster_region",
	    { { NULL } }, CTX_MISS, 0,
	    "no value for Post-disaster reconstruction",
	    "灾后重建 未填写" },
	/* items with no value */
	{ "rural_poverty_status != 1", { { NULL } }, CTX_HIT, 0,
	    "no value for Poverty / registered-poor status",
	    "贫困与建档立卡情况 未填写" },
	{ "not rural_poverty_status = 1", { { NULL } }, CTX_HIT, 1,
	    "no value for Poverty / registered-poor status",
	    "贫困与建档立卡情况 未填写" },
	{ "edu_need_any", { { NULL } }, CTX_HIT, 0,
	    "no value for Needs any education service",
	    "是否需要教育服务 未填写" },
	{ "untreated_reason has_any {1,2}", { { NULL } }, CTX_HIT, 0,
	    "no value for Reason for not seeking treatment",
	    "未就诊或治疗原因 未填写" },
	{ "name = 'x'", { { "name", "" } }, CTX_HIT, 0,
	    "no value for Full name",
	    "姓名 未填写" },
	{ "age in 16..59", { { "birth_date", "" } }, CTX_HIT, 0,
	    "no value for Date of birth",
	    "出生日期 未填写" },
	{ "severe", { { "disability_grade", "" } }, CTX_HIT, 0,
	    "not severely disabled (no value for Disability grade)",
	    "非重度残疾(残疾等级 未填写)" },
};

static void
explain_one(const struct expr *e, const struct record *r,
    const struct expr_ctx *c, enum expr_lang lang, int want,
    const char *text, const char *src)
{
	struct buf b;
	int rc;

	buf_init(&b, 4096);
	rc = expr_explain(e, r, c, lang, &b);
	if (rc != want || strcmp(buf_str(&b), text) != 0)
		fail_msg("'%s': got %d \"%s\", want %d \"%s\"", src, rc,
		    buf_str(&b), want, text);
	buf_free(&b);
}

static void
test_explain(void **state)
{
	struct record *r = person();
	const struct expr_ctx *cp;
	struct expr_ctx c;
	struct lf_error err;
	struct expr *e;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(explain_rows) / sizeof(explain_rows[0]); i++) {
		tu_valid_person(r, 11);
		for (j = 0; j < 3 && explain_rows[i].set[j][0] != NULL; j++)
			tu_set(r, explain_rows[i].set[j][0],
			    explain_rows[i].set[j][1]);
		if (expr_compile(explain_rows[i].src, tu_catalog(), &e, &err))
			fail_msg("'%s': %s", explain_rows[i].src, err.message);
		cp = context(explain_rows[i].ctx, &c);
		if (expr_eval_ctx(e, r, cp) != explain_rows[i].want)
			fail_msg("'%s': eval disagrees", explain_rows[i].src);
		explain_one(e, r, cp, EXPR_EN, explain_rows[i].want,
		    explain_rows[i].en, explain_rows[i].src);
		explain_one(e, r, cp, EXPR_ZH, explain_rows[i].want,
		    explain_rows[i].zh, explain_rows[i].src);
		expr_free(e);
	}
	record_free(r);
}

/* explain and eval never disagree, in either language. */
static void
test_explain_agrees(void **state)
{
	struct record *r = person();
	struct expr_ctx c;
	struct lf_error err;
	struct expr *e;
	struct buf b;
	size_t i;
	int lang;

	(void)state;
	context(CTX_HIT, &c);
	for (i = 0; i < sizeof(eval_rows) / sizeof(eval_rows[0]); i++) {
		assert_int_equal(expr_compile(eval_rows[i].src, tu_catalog(),
		    &e, &err), 0);
		for (lang = EXPR_EN; lang <= EXPR_ZH; lang++) {
			buf_init(&b, 4096);
			if (expr_explain(e, r, &c, (enum expr_lang)lang, &b) !=
			    expr_eval_ctx(e, r, &c) || b.len == 0)
				fail_msg("'%s' (%d): %s", eval_rows[i].src,
				    lang, buf_str(&b));
			buf_free(&b);
		}
		expr_free(e);
	}
	record_free(r);
}

/* A buffer too small for the explanation: -1, at every size short of
 * the whole text. */
static void
test_explain_full(void **state)
{
	struct record *r = person();
	struct lf_error err;
	struct expr *e;
	struct buf b;
	size_t cap, len;

	(void)state;
	assert_int_equal(expr_compile("severe and valid_card and not dibao",
	    tu_catalog(), &e, &err), 0);
	buf_init(&b, 4096);
	assert_int_equal(expr_explain(e, r, NULL, EXPR_ZH, &b), 1);
	len = b.len;
	buf_free(&b);
	for (cap = 0; cap <= len; cap++) {
		buf_init(&b, cap);
		assert_int_equal(expr_explain(e, r, NULL, EXPR_ZH, &b),
		    cap < len ? -1 : 1);
		buf_free(&b);
	}
	expr_free(e);
	record_free(r);
}

static void
test_uses_age(void **state)
{
	const struct field *birth = catalog_find(tu_catalog(), "birth_date",
	    10);
	struct lf_error err;
	struct expr *e;

	(void)state;
	assert_int_equal(expr_compile("severe or age > 60", tu_catalog(), &e,
	    &err), 0);
	assert_int_equal(expr_uses_age(e), birth->index);
	expr_free(e);
	assert_int_equal(expr_compile("severe and disaster_region",
	    tu_catalog(), &e, &err), 0);
	assert_int_equal(expr_uses_age(e), -1);
	expr_free(e);
}

/* The fields an expression reads: its tests', a derived name's
 * definition's, birth_date for age; nothing else. */
static void
test_fields(void **state)
{
	static const char *const want[] = { "urban_income_status",
	    "rural_poverty_status", "social_assistance_received", "birth_date",
	    "card_status" };
	const struct catalog *cat = tu_catalog();
	unsigned char *mark = test_calloc(cat->nfields, 1);
	struct lf_error err;
	struct expr *e;
	size_t i, n = 0;

	(void)state;
	assert_int_equal(expr_compile("dibao and (age >= 60 or card_status = "
	    "1)", cat, &e, &err), 0);
	expr_fields(e, mark, cat->nfields);
	expr_fields(NULL, mark, cat->nfields);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_true(mark[catalog_find(cat, want[i],
		    strlen(want[i]))->index]);
	for (i = 0; i < cat->nfields; i++)
		n += mark[i];
	assert_int_equal(n, 5);
	expr_free(e);
	test_free(mark);
}

/* A catalog that lacks what a derived name or age needs. */
static const char small_catalog[] =
    "section\tcode\tlabel_zh\tlabel_en\ttype\toptions\trequired\trule\t"
    "ask_if\texclusive\n"
    "basic\tdisability_grade\t残疾等级\tGrade\tenum\t1=一级|2=二级|3=三级|"
    "4=四级\ty\t\t\t\n"
    "basic\tbirth_date\t出生日期\tBirth\ttext\tlen=1..10\ty\t\t\t\n";

static const struct {
	const char	*src;
	unsigned	 column;
	const char	*msg;
} small_rows[] = {
	{ "dibao", 1, "in derived name dibao" },
	{ "severe and valid_card", 12, "in derived name valid_card" },
	{ "age > 1", 1, "age needs a date item" },
};

static void
test_derived_missing_field(void **state)
{
	struct catalog *cat;
	struct lf_error err;
	struct expr *e;
	size_t i;

	(void)state;
	if (catalog_parse(small_catalog, sizeof(small_catalog) - 1, "small",
	    &cat, &err) != 0)
		fail_msg("small catalog: %s", err.message);
	assert_int_equal(expr_compile("severe and disaster_region", cat, &e,
	    &err), 0);
	expr_free(e);
	for (i = 0; i < sizeof(small_rows) / sizeof(small_rows[0]); i++) {
		lf_error_clear(&err);
		if (expr_compile(small_rows[i].src, cat, &e, &err) == 0)
			fail_msg("'%s' compiled", small_rows[i].src);
		if (strcmp(err.code, "expr_name") != 0 ||
		    err.column != small_rows[i].column ||
		    strstr(err.message, small_rows[i].msg) == NULL)
			fail_msg("'%s': got %s at %u: %s", small_rows[i].src,
			    err.code, err.column, err.message);
	}
	catalog_free(cat);
}

/* "not" and derived names count toward the nesting limit. */
static void
test_derived_depth(void **state)
{
	char src[512];
	struct lf_error err;
	struct expr *e;
	size_t i;

	(void)state;
	for (i = 0; i < 47; i++)
		memcpy(src + 4 * i, "not ", 4);
	memcpy(src + 4 * i, "severe", sizeof("severe"));
	assert_int_equal(expr_compile(src, tu_catalog(), &e, &err), 0);
	expr_free(e);
	memmove(src + 4, src, strlen(src) + 1);
	memcpy(src, "not ", 4);
	assert_int_equal(expr_compile(src, tu_catalog(), &e, &err), -1);
	assert_string_equal(err.code, "expr_syntax");
	assert_int_equal(err.column, 4 * 48 + 1);
	assert_non_null(strstr(err.message, "nested"));
	memcpy(src + 4 * 48, "not true", sizeof("not true"));
	assert_int_equal(expr_compile(src, tu_catalog(), &e, &err), -1);
	assert_int_equal(err.column, 4 * 48 + 4);	/* after the 49th */
	assert_non_null(strstr(err.message, "nested"));
}

/* A value that is no option (set past record_parse_value) is shown as
 * the bare number. */
static void
test_explain_odd_value(void **state)
{
	const struct field *f = catalog_find(tu_catalog(),
	    "disability_category", 19);
	struct record *r = person();
	struct lf_error err;
	struct expr *e;
	struct buf b;

	(void)state;
	record_set_num(r, f->index, 9);
	assert_int_equal(expr_compile("disability_category in {1,2}",
	    tu_catalog(), &e, &err), 0);
	buf_init(&b, 256);
	assert_int_equal(expr_explain(e, r, NULL, EXPR_ZH, &b), 0);
	assert_string_equal(buf_str(&b), "残疾类别 9 不属于 “视力残疾”、“听力残疾”");
	buf_free(&b);
	expr_free(e);
	record_free(r);
}

/* Caps on sets and text values. */
static void
test_caps(void **state)
{
	char src[512];
	struct lf_error err;
	struct expr *e;
	size_t i, n;

	(void)state;
	n = (size_t)snprintf(src, sizeof(src), "age in {");
	for (i = 0; i < 65; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n, "%s%zu",
		    i ? "," : "", i);
	snprintf(src + n, sizeof(src) - n, "}");
	assert_int_equal(expr_compile(src, tu_catalog(), &e, &err), -1);
	assert_non_null(strstr(err.message, "too many values"));
	assert_int_equal(err.column, n - 2 + 1);
	n = (size_t)snprintf(src, sizeof(src), "name = '");
	memset(src + n, 'a', 128);
	snprintf(src + n + 128, sizeof(src) - n - 128, "'");
	assert_int_equal(expr_compile(src, tu_catalog(), &e, &err), -1);
	assert_non_null(strstr(err.message, "too long"));
	assert_int_equal(err.column, 8);
	src[n + 127] = '\'';
	src[n + 128] = '\0';
	assert_int_equal(expr_compile(src, tu_catalog(), &e, &err), 0);
	expr_free(e);
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
	/* nonsense the browser's evaluator could not match */
	{ "name in 1..3", "expr_type", 9, "range" },
	{ "rehab_training in 1..3", "expr_type", 19, "range" },
	{ "name < 3", "expr_type", 8, "compared with a number" },
	{ "id_number = 1", "expr_type", 13, "compared with a number" },
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
	{ "disaster_region = 1", "expr_syntax", 17, "expected and, or" },
	{ "disaster_region has 1", "expr_syntax", 17, "expected and, or" },
	{ "severe = 1", "expr_syntax", 8, "expected and, or" },
	{ "not", "expr_syntax", 4, "ends too early" },
	{ "not and true", "expr_syntax", 5, "expected a name" },
	{ "true or", "expr_syntax", 8, "ends too early" },
	{ "dibao and", "expr_syntax", 10, "ends too early" },
	{ "(true or false", "expr_syntax", 15, "expected ')'" },
	{ "orphan", "expr_name", 1, "unknown name" },
	{ "android = 1", "expr_name", 1, "unknown name" },
	{ "rehab_training has_any 1", "expr_syntax", 24, "expected '{'" },
	{ "rehab_training has 9", "expr_type", 20, "not an option" },
	{ "rehab_training has '4'", "expr_type", 20, "not a text item" },
	{ "age has 1", "expr_type", 1, "multi" },
	{ "age in {1,2", "expr_syntax", 12, "expected ','" },
	{ "age in 1..'x'", "expr_syntax", 11, "range end" },
	{ "disability_category <", "expr_syntax", 22, "expected a number" },
	{ "name in {'a'}", "expr_type", 9, "in needs a coded" },
	{ "birth_date in {'1990-02-30'}", "expr_type", 16, "YYYY-MM-DD" },
	{ "age = -", "expr_syntax", 7, "expected a number" },
	{ "age in 'a", "expr_syntax", 8, "unterminated" },
	{ "age in 1..x", "expr_syntax", 11, "expected a number" },
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
/* Fails each allocation of compiling src in turn: a clean no_memory every
 * time (the leak checker sees the rest), until it compiles. */
static void
sweep_compile(const char *src)
{
	struct lf_error err;
	struct expr *e;
	long n;

	for (n = 0; n < 100; n++) {
		mem_fail_after(n);
		e = NULL;
		if (expr_compile(src, tu_catalog(), &e, &err) == 0) {
			mem_fail_after(-1);
			expr_free(e);
			break;
		}
		if (strcmp(err.code, "no_memory") != 0)
			fail_msg("'%s' at %ld: %s", src, n, err.message);
	}
	mem_fail_after(-1);
	assert_true(n > 0 && n < 100);
}

static void
test_alloc_failure(void **state)
{
	static const char *const srcs[] = {
		"true", "disaster_region", "name != 'x'",
		"age in 16..59 and (disability_category in {5,6} or severe) "
		"and name != 'x' and not disaster_region and hukou_region in "
		"{510104017001,510104017002} or dibao",
	};
	char src[128];
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++)
		sweep_compile(srcs[i]);
	/* "not"s and chains that outgrow the first code and node arrays */
	for (k = 0; k < 20; k++) {
		for (i = 0; i < k; i++)
			memcpy(src + 4 * i, "not ", 4);
		memcpy(src + 4 * k, "true or true", sizeof("true or true"));
		sweep_compile(src);
	}
}

static void
test_explain_alloc_failure(void **state)
{
	struct record *r = person();
	struct expr_ctx c;
	struct lf_error err;
	struct expr *e;
	struct buf b;
	long n;
	int rc;

	(void)state;
	assert_int_equal(expr_compile("not dibao and severe and age in 16..59",
	    tu_catalog(), &e, &err), 0);
	context(CTX_HIT, &c);
	for (n = 0; n < 20; n++) {
		buf_init(&b, 4096);
		mem_fail_after(n);
		rc = expr_explain(e, r, &c, EXPR_ZH, &b);
		mem_fail_after(-1);
		buf_free(&b);
		if (rc != -1)
			break;
	}
	assert_true(n > 0 && n < 20);
	assert_int_equal(rc, 1);
	expr_free(e);
	record_free(r);
}
#endif

static int
teardown(void **state)
{
	(void)state;
	disaster_free(dis_table);
	dis_table = NULL;
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
		cmocka_unit_test(test_eval_ctx),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_explain_agrees),
		cmocka_unit_test(test_explain_full),
		cmocka_unit_test(test_uses_age),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_derived_missing_field),
		cmocka_unit_test(test_derived_depth),
		cmocka_unit_test(test_explain_odd_value),
		cmocka_unit_test(test_caps),
#ifdef LF_TESTING
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_explain_alloc_failure),
#endif
	};

	return cmocka_run_group_tests_name("expr", tests, NULL, teardown);
}

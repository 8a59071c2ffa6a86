/*
 * validate.c - skip rules, required items and cross-field rules.
 */
#include "core/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "core/expr.h"
#include "core/idcard.h"

struct vstate {
	const struct record		*r;
	const struct validate_ctx	*ctx;
	int				 ref;
	struct lf_error			*err;
};

static int
fail(struct vstate *v, const struct field *f, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
fail(struct vstate *v, const struct field *f, const char *code,
    const char *fmt, ...)
{
	char why[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return lf_error_set(v->err, code, f->code, "%s(%s): %s", f->label_zh,
	    f->code, why);
}

/* The field named code when the catalog has it and the record sets it. */
static const struct field *
get(const struct vstate *v, const char *code)
{
	const struct field *f = catalog_find(v->r->cat, code, strlen(code));

	return f != NULL && v->r->set[f->index] ? f : NULL;
}

static int64_t
num(const struct vstate *v, const struct field *f)
{
	return v->r->num[f->index];
}

static const char *
str(const struct vstate *v, const struct field *f)
{
	return v->r->str[f->index];
}

int
record_ref_date(const struct record *r, int today)
{
	const struct field *f = catalog_find(r->cat, "fill_date", 9);

	return f != NULL && r->set[f->index] ? (int)r->num[f->index] : today;
}

int
record_asked(const struct record *r, const struct field *f, int ref)
{
	return f->ask_if == NULL || expr_eval(f->ask_if, r, ref);
}

static int
check_item(struct vstate *v, const struct field *f)
{
	int asked = record_asked(v->r, f, v->ref);
	int is_set = v->r->set[f->index];
	int64_t m;

	if (!asked && is_set)
		return fail(v, f, "not_asked", "本项不应填写: 条件“%s”不成立 "
		    "(item not asked: its condition does not hold)",
		    f->ask_if_text);
	if (asked && f->required && !is_set)
		return fail(v, f, "required", "必填项未填写 (required item "
		    "is empty)");
	if (!is_set || f->type != FT_MULTI)
		return 0;
	m = num(v, f);
	if (m == 0)
		return fail(v, f, "required", "多选项至少选一项 (choose at "
		    "least one option)");
	if (f->exclusive >= 0 && ((m >> f->exclusive) & 1) &&
	    m != ((int64_t)1 << f->exclusive))
		return fail(v, f, "exclusive", "选项“%s”不能与其他选项同时选择 "
		    "(the 'none' option excludes the others)",
		    field_option(f, f->exclusive)->label);
	return 0;
}

static int
rule_identity(struct vstate *v)
{
	const struct field *id = get(v, "id_number");
	const struct field *g = get(v, "gender"), *b = get(v, "birth_date");
	struct idcard_info info;
	struct idcard_error ie;

	if (id == NULL)
		return 0;
	if (idcard_parse(str(v, id), v->ref, &info, &ie) != 0)
		return fail(v, id, ie.code, "%s", ie.message);
	if (g != NULL && num(v, g) != info.gender)
		return fail(v, g, "gender_mismatch", "性别与身份证号不符 "
		    "(sex does not match the ID number)");
	if (b != NULL && num(v, b) != info.birth_days)
		return fail(v, b, "birth_mismatch", "出生日期与身份证号不符 "
		    "(birth date does not match the ID number)");
	return 0;
}

static int
rule_certificate(struct vstate *v)
{
	const struct field *card = get(v, "disability_card_no");
	const struct field *id = get(v, "id_number");
	const struct field *cat = get(v, "disability_category");
	const struct field *gr = get(v, "disability_grade");
	struct idcard_error ie;

	if (card == NULL || id == NULL || cat == NULL || gr == NULL)
		return 0;
	if (idcard_check_certificate(str(v, card), str(v, id),
	    (int)num(v, cat), (int)num(v, gr), &ie) != 0)
		return fail(v, card, ie.code, "%s", ie.message);
	return 0;
}

static int
rule_multi_detail(struct vstate *v)
{
	const struct field *cat = get(v, "disability_category");
	const struct field *d = get(v, "multi_disability_detail");
	int64_t m;
	int n = 0;

	if (cat == NULL || num(v, cat) != 7 || d == NULL)
		return 0;
	for (m = num(v, d); m != 0; m &= m - 1)
		n++;
	if (n < 2)
		return fail(v, d, "multi_components", "多重残疾至少包含两类 "
		    "(多重 needs at least two component categories)");
	return 0;
}

static int
rule_contact_phone(struct vstate *v)
{
	const struct field *m = catalog_find(v->r->cat, "contact_mobile", 14);
	const struct field *l = catalog_find(v->r->cat, "contact_landline",
	    16);

	if (m == NULL || l == NULL)
		return 0;
	if (!v->r->set[m->index] && !v->r->set[l->index])
		return fail(v, m, "required", "手机与固话至少填一项 (give a "
		    "mobile or a landline number)");
	return 0;
}

static int
rule_householder(struct vstate *v)
{
	const struct field *rel = get(v, "relation_to_householder");
	const struct field *hid = get(v, "householder_id_number");
	const struct field *id = get(v, "id_number");

	if (rel == NULL || hid == NULL || id == NULL || num(v, rel) != 0)
		return 0;
	if (strcmp(str(v, hid), str(v, id)) != 0)
		return fail(v, hid, "householder_mismatch", "与户主关系为本人时, "
		    "户主身份证号应与本人相同 (relation 本人: the householder's "
		    "ID must be the person's own)");
	return 0;
}

static int
rule_education(struct vstate *v)
{
	const struct field *lit = get(v, "literate");
	const struct field *edu = get(v, "education_level");

	if (lit == NULL || edu == NULL || num(v, lit) != 0)
		return 0;
	if (num(v, edu) > 2)
		return fail(v, edu, "education_literacy", "不识字时受教育程度只能"
		    "为未上过学或小学 (not literate: education must be "
		    "none or primary)");
	return 0;
}

static int
rule_regions(struct vstate *v)
{
	size_t i;

	if (v->ctx->regions == NULL)
		return 0;
	for (i = 0; i < v->r->cat->nfields; i++) {
		const struct field *f = &v->r->cat->fields[i];

		if (f->type != FT_REGION || !v->r->set[i])
			continue;
		if (regions_find12(v->ctx->regions, num(v, f),
		    RL_VILLAGE) == NULL)
			return fail(v, f, "unknown_region", "不是已知的村/社区"
			    "代码 (not a known village or community code)");
	}
	return 0;
}

static int
rule_dates(struct vstate *v)
{
	const struct field *fd = get(v, "fill_date");
	size_t i;
	int y, m, d;

	for (i = 0; i < v->r->cat->nfields; i++) {
		const struct field *f = &v->r->cat->fields[i];

		if (f->type == FT_DATE && v->r->set[i] &&
		    num(v, f) > v->ctx->today)
			return fail(v, f, "future_date", "日期不能晚于今天 "
			    "(date is in the future)");
	}
	if (fd == NULL || v->ctx->year == 0)
		return 0;
	date_to_ymd((int)num(v, fd), &y, &m, &d);
	if (y != v->ctx->year)
		return fail(v, fd, "wrong_year", "填报日期不在调查年度 %d 内 "
		    "(fill date is not in survey year %d)", v->ctx->year,
		    v->ctx->year);
	return 0;
}

static int (*const cross_rules[])(struct vstate *) = {
	rule_dates, rule_identity, rule_certificate, rule_multi_detail,
	rule_contact_phone, rule_householder, rule_education, rule_regions,
};

int
record_validate(const struct record *r, const struct validate_ctx *ctx,
    struct lf_error *err)
{
	struct vstate v = { r, ctx, record_ref_date(r, ctx->today), err };
	size_t i;

	for (i = 0; i < r->cat->nfields; i++)
		if (check_item(&v, &r->cat->fields[i]) != 0)
			return -1;
	for (i = 0; i < sizeof(cross_rules) / sizeof(cross_rules[0]); i++)
		if (cross_rules[i](&v) != 0)
			return -1;
	return 0;
}

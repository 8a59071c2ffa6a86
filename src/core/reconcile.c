/*
 * reconcile.c - the roster kinds, roster rows and the findings for one
 * person (reconcile.h).
 */
#include "core/reconcile.h"

#include <string.h>

#include "core/date.h"
#include "core/idcard.h"
#include "core/mem.h"

#define COL_ID		"身份证号"
#define COL_NAME	"姓名"
#define NAME_MAX_BYTES	50
#define TEXT_MAX_BYTES	200

/*
 * The kinds. says: what the survey records about the roster's fact;
 * policy and needs_on: which service item depends on it, and how;
 * elig: what else the policy needs (besides the fact), so that a person
 * the fact qualifies and who receives nothing is 应享未享.
 */
static const struct recon_kind kinds[] = {
	{ "dibao", "民政低保名单", "civil affairs dibao roster",
	    "保障起始日期", RC_DATE, "dibao", "SUB_LIVING", 1,
	    "valid_card and not social_assistance_received has 2", 0,
	    NULL, NULL },
	{ "medical", "医保参保名单", "medical insurance enrolment",
	    "参保日期", RC_DATE,
	    "resident_medical_insured or employee_social_insurance has 2",
	    "MEDICAL_PREMIUM", 1,
	    "dibao or reg_poor or severe or social_assistance_received has 2",
	    0, NULL, NULL },
	{ "school", "教育学籍名单", "school rolls", "学校名称", RC_TEXT,
	    "school_type != 0", "HOME_TEACHING", 0,
	    "age in 6..15 and (severe or self_care_ability in {3,4})", 0,
	    NULL, NULL },
	{ "death", "公安死亡名单", "police death register", "死亡日期",
	    RC_DATE, "", "*", 0, "", 1, NULL, NULL },
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

static const struct {
	const char	*code, *zh;
} findings[NRFINDINGS] = {
	{ "eligible_not_receiving", "应享未享" },
	{ "receiving_not_eligible", "不应享而享" },
	{ "deceased_receiving", "已死亡仍在享受" },
	{ "moved_receiving", "已迁出或注销仍在享受" },
	{ "disagree", "记录不一致" },
};

const char *
recon_finding_code(int f)
{
	return f >= 0 && f < NRFINDINGS ? findings[f].code : NULL;
}

const char *
recon_finding_zh(int f)
{
	return f >= 0 && f < NRFINDINGS ? findings[f].zh : NULL;
}

int
recon_finding_find(const char *code)
{
	int i;

	for (i = 0; i < NRFINDINGS; i++)
		if (strcmp(findings[i].code, code) == 0)
			return i;
	return -1;
}

void
recon_kinds_free(struct recon_kinds *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++) {
		expr_free(k->v[i].says);
		expr_free(k->v[i].elig);
	}
	mem_free(k->v);
	mem_free(k);
}

static int
compile(const char *src, const struct catalog *cat, struct expr **out,
    const char *kind, struct lf_error *err)
{
	*out = NULL;
	if (src[0] == '\0')
		return 0;
	if (expr_compile(src, cat, out, err) != 0)
		return lf_error_prefix(err, "reconcile %s: ", kind);
	return 0;
}

int
recon_kinds_load(const struct catalog *cat, struct recon_kinds **out,
    struct lf_error *err)
{
	struct recon_kinds *k;
	size_t i;

	*out = NULL;
	k = mem_calloc(1, sizeof(*k));
	if (k == NULL || (k->v = mem_calloc(NKINDS, sizeof(*k->v))) == NULL) {
		mem_free(k);
		return lf_error_set(err, "no_memory", "", "内存不足 (out of "
		    "memory)");
	}
	for (i = 0; i < NKINDS; i++) {
		k->v[i] = kinds[i];
		k->v[i].says = k->v[i].elig = NULL;
		k->n = i + 1;
		if (compile(kinds[i].says_src, cat, &k->v[i].says,
		    kinds[i].code, err) != 0 || compile(kinds[i].elig_src, cat,
		    &k->v[i].elig, kinds[i].code, err) != 0) {
			recon_kinds_free(k);
			return -1;
		}
	}
	*out = k;
	return 0;
}

const struct recon_kind *
recon_kind_find(const struct recon_kinds *k, const char *code)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->v[i].code, code) == 0)
			return &k->v[i];
	return NULL;
}

/* Position of header `want` in fields, once: 0, or -1 with err. */
static int
find_col(const char *want, const char *const *fields, size_t n, size_t *at,
    struct lf_error *err)
{
	size_t i, seen = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(fields[i], want) != 0)
			continue;
		if (seen++ > 0) {
			lf_error_set(err, "roster_header", want, "列“%s”重复 "
			    "(column repeated)", want);
			err->column = (unsigned)i + 1;
			return -1;
		}
		*at = i;
	}
	if (seen == 0)
		return lf_error_set(err, "roster_header", want, "缺少列“%s” "
		    "(missing column)", want);
	return 0;
}

int
recon_header(const struct recon_kind *k, const char *const *fields,
    size_t n, struct recon_cols *cols, struct lf_error *err)
{
	if (find_col(COL_ID, fields, n, &cols->id, err) != 0 ||
	    find_col(COL_NAME, fields, n, &cols->name, err) != 0 ||
	    find_col(k->column, fields, n, &cols->own, err) != 0)
		return -1;
	return 0;
}

static int
col_error(struct lf_error *err, size_t col, const char *field,
    const char *why)
{
	lf_error_set(err, "roster_row", field, "%s: %s", field, why);
	err->column = (unsigned)col + 1;
	return -1;
}

int
recon_row(const struct recon_kind *k, const struct recon_cols *cols,
    const char *const *fields, size_t n, int today, char id18[19],
    int *fact_days, struct lf_error *err)
{
	struct idcard_info info;
	struct idcard_error ie;
	const char *v;
	size_t len;

	*fact_days = 0;
	if (cols->id >= n || idcard_parse(fields[cols->id], today, &info,
	    &ie) != 0)
		return col_error(err, cols->id, COL_ID, cols->id >= n ?
		    "缺少 (missing)" : ie.message);
	memcpy(id18, info.id, 19);
	if (cols->name >= n || fields[cols->name][0] == '\0')
		return col_error(err, cols->name, COL_NAME, "不能为空 "
		    "(must not be empty)");
	if (strlen(fields[cols->name]) > NAME_MAX_BYTES)
		return col_error(err, cols->name, COL_NAME, "过长 (too long)");
	v = cols->own < n ? fields[cols->own] : "";
	len = strlen(v);
	if (k->coltype == RC_TEXT) {
		if (len == 0 || len > TEXT_MAX_BYTES)
			return col_error(err, cols->own, k->column, "应为 1-200 "
			    "字节的文字 (must be a text of 1-200 bytes)");
		return 0;
	}
	if (date_parse(v, fact_days) != 0)
		return col_error(err, cols->own, k->column, "应为日期 "
		    "YYYY-MM-DD (must be a date YYYY-MM-DD)");
	if (*fact_days > today)
		return col_error(err, cols->own, k->column, "日期在未来 (date "
		    "in the future)");
	return 0;
}

static unsigned
classify_death(const struct recon_person *p)
{
	unsigned f = 0;

	if (p->on_roster) {
		if (p->receiving)
			f |= 1u << RF_DECEASED_RECEIVING;
		if (p->status == 1)
			f |= 1u << RF_DISAGREE;
	} else if (p->status != 1 && p->receiving)
		f |= 1u << RF_MOVED_RECEIVING;
	return f;
}

unsigned
recon_classify(const struct recon_kind *k, const struct recon_person *p)
{
	unsigned f = 0;
	int fact_ok, says;

	if (k->death)
		return classify_death(p);
	if (p->survey != NULL && k->says != NULL) {
		says = expr_eval_ctx(k->says, p->survey, p->ctx);
		if (says != (p->on_roster != 0))
			f |= 1u << RF_DISAGREE;
	}
	fact_ok = k->needs_on ? p->on_roster != 0 : p->on_roster == 0;
	if (p->receiving && !fact_ok)
		f |= 1u << RF_RECEIVING_NOT_ELIGIBLE;
	if (!p->receiving && fact_ok && p->status == 1 && p->survey != NULL &&
	    (k->elig == NULL || expr_eval_ctx(k->elig, p->survey, p->ctx)))
		f |= 1u << RF_ELIGIBLE_NOT_RECEIVING;
	return f;
}

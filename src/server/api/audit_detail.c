/*
 * audit_detail.c - an audit entry's detail in words a person reads
 * (issue 14, point 3 and 5).
 *
 * The stored detail is a machine field: either "key=value" pairs
 * ("region=510104 year=2025 filters=2 rows=50"), one reason or error
 * code ("role", "conflict"), a fixed English reason ("outside the
 * scope"), or a person's own words (a survey's kept reason, "code #12").
 * The audit screen and its xlsx show instead the words made here, in
 * Chinese and in English: a region by its name, a plan status, an item
 * state, a role, a device or a roster kind by their labels, an error
 * code by what it means. A code without words is never shown: it reads
 * "(代码见机器字段)" and stays in the entry's detail field for machines.
 * Every key written anywhere has a row in keys[] below
 * (tests/lint/audit_words.sh fails otherwise).
 *
 * Ownership: struct audit_detail loads the device and roster-kind tables
 * on first need and frees them in audit_detail_end(). Never fails: a
 * table that cannot load leaves its codes without words.
 */
#include "server/access.h"
#include "server/session.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/reconcile.h"
#include "core/supply.h"
#include "store/audit.h"

struct words {
	const char	*code, *zh, *en;
};

/* Reasons and error codes a detail may hold alone. */
static const struct words reasons[] = {
	{ "role", "角色无此权限", "the role may not do this" },
	{ "scope", "超出管辖范围", "outside the scope" },
	{ "outside the scope", "超出管辖范围", "outside the scope" },
	{ "outside the caller's scope or role", "超出管辖范围或角色无此权限",
	    "outside the caller's scope or role" },
	{ "outside the caller's scope, role or department",
	    "超出管辖范围或角色、部门无此权限",
	    "outside the caller's scope, role or department" },
	{ "village outside the caller's scope or role",
	    "村不在管辖范围内或角色无此权限",
	    "village outside the caller's scope or role" },
	{ "person outside scope or unknown", "人员不在管辖范围内或不存在",
	    "person outside the scope or unknown" },
	{ "no such code in the caller's scope", "管辖范围内没有这个查询码",
	    "no such code in the caller's scope" },
	{ "already registered", "已经登记过", "already registered" },
	{ "not an administrator", "不是管理员", "not an administrator" },
	{ "invalid or expired session", "会话无效或已过期",
	    "invalid or expired session" },
	{ "no session", "未登录", "not logged in" },
	{ "missing or wrong CSRF token", "缺少或错误的防伪令牌",
	    "missing or wrong CSRF token" },
	{ "invalid or expired self-service session", "自助会话无效或已过期",
	    "invalid or expired self-service session" },
	{ "no self-service session", "未登录本人自助",
	    "no self-service session" },
	{ "csv", "从 CSV 文件导入", "imported from a CSV file" },
	{ "error", "服务器错误", "server error" },
	{ "invalid", "输入无效", "invalid input" },
	{ "bad_request", "请求参数无效", "bad request" },
	{ "bad_json", "请求内容不是有效的 JSON", "the body is not valid JSON" },
	{ "bad_year", "年度无效", "invalid year" },
	{ "bad_region", "区划无效或超出范围", "region invalid or outside the "
	    "scope" },
	{ "bad_filter", "筛选条件无效", "invalid filter" },
	{ "bad_type", "类型不符", "wrong type" },
	{ "bad_argument", "参数无效", "invalid argument" },
	{ "bad_code", "查询码或验证码错误", "wrong code" },
	{ "unknown_field", "未知字段", "unknown field" },
	{ "too_long", "内容过长", "too long" },
	{ "too_many", "数量过多", "too many" },
	{ "conflict", "已被他人修改，请刷新后重试",
	    "changed by someone else meanwhile; reload and retry" },
	{ "stale", "数据已过时", "stale data" },
	{ "state", "当前状态不允许这样操作", "not allowed in the current "
	    "state" },
	{ "not_found", "未找到", "not found" },
	{ "exists", "已经存在", "already exists" },
	{ "reason_required", "需要填写原因", "a reason is required" },
	{ "checker_is_surveyor", "核查人不能是原调查人",
	    "the checker may not be the surveyor" },
	{ "department", "不属于本部门", "not this department's" },
	{ "region", "区划不符", "wrong region" },
	{ "password", "密码不符合要求", "password not accepted" },
	{ "expired", "已过期", "expired" },
	{ "revoked", "已作废", "revoked" },
	{ "locked", "错误次数过多，已锁定", "locked after too many tries" },
	{ "throttled", "尝试过于频繁", "too many attempts" },
	{ "busy", "系统繁忙", "busy" },
	{ "unavailable", "暂不可用", "unavailable" },
	{ "store", "数据库错误", "database error" },
	{ "io", "读写错误", "input/output error" },
	{ "crypto", "加密错误", "encryption error" },
	{ "corrupt", "数据损坏", "corrupt data" },
	{ "internal", "内部错误", "internal error" },
	{ "no_memory", "内存不足", "out of memory" },
	{ "format", "格式错误", "wrong format" },
	{ "unsupported", "不支持", "unsupported" },
	{ NULL, NULL, NULL }
};

/* How a value reads. */
enum vkind {
	V_NUM,		/* a count or a year: as written */
	V_REGION,	/* its name */
	V_STATUS,	/* a plan status */
	V_STATE,	/* a department inbox state */
	V_BY,		/* the key a search used */
	V_ROLE,
	V_REASON,	/* reasons[] */
	V_SUPPLY,	/* a device or service of the supply table */
	V_KIND,		/* a roster kind */
	V_NAME,		/* a login: as written */
	V_REF,		/* an entry number: "#12" (0: the whole plan) */
	V_RATING,	/* 1 satisfied, 2 basic, 3 unsatisfied */
	V_FORMAT	/* json, xlsx, csv */
};

static const struct {
	const char	*key, *zh, *en;
	enum vkind	 v;
} keys[] = {
	{ "region", "区划", "region", V_REGION },
	{ "year", "年度", "year", V_NUM },
	{ "filters", "筛选条件", "filters", V_NUM },
	{ "rows", "条数", "rows", V_NUM },
	{ "persons", "人数", "persons", V_NUM },
	{ "matches", "找到", "matches", V_NUM },
	{ "findings", "发现问题", "findings", V_NUM },
	{ "rating", "评价", "rating", V_RATING },
	{ "status", "状态", "status", V_STATUS },
	{ "state", "状态", "state", V_STATE },
	{ "by", "查找方式", "searched by", V_BY },
	{ "role", "角色", "role", V_ROLE },
	{ "error", "原因", "reason", V_REASON },
	{ "supply", "辅具或服务", "device or service", V_SUPPLY },
	{ "kind", "名单", "roster", V_KIND },
	{ "checker", "核查人", "checker", V_NAME },
	{ "item", "服务项目", "item", V_REF },
	{ "check", "核查任务", "check", V_REF },
	{ "code", "自助查询码", "self-service code", V_REF },
	{ "format", "格式", "format", V_FORMAT },
	{ NULL, NULL, NULL, 0 }
};

static const struct words statuses[] = {
	{ "draft", "草稿", "draft" }, { "confirmed", "已确认", "confirmed" },
	{ "closed", "已结束", "closed" }, { "", "全部", "all" },
	{ NULL, NULL, NULL }
};

static const struct words states[] = {
	{ "-1", "全部", "all" }, { "0", "待接收", "to accept" },
	{ "1", "已接收", "accepted" }, { "2", "已退回", "returned" },
	{ NULL, NULL, NULL }
};

static const struct words bys[] = {
	{ "id_number", "身份证号", "ID number" },
	{ "certificate_no", "残疾人证号", "certificate number" },
	{ "name", "姓名", "name" },
	{ NULL, NULL, NULL }
};

static const struct words roles[] = {
	{ "village", "村级工作人员", "village worker" },
	{ "township", "乡镇工作人员", "township worker" },
	{ "county", "县级管理员", "county manager" },
	{ "city", "市级", "city officer" },
	{ "province", "省级", "province officer" },
	{ "department", "部门经办人", "department officer" },
	{ "supervisor", "监督员", "supervisor" },
	{ "auditor", "审计员", "auditor" },
	{ "admin", "管理员", "administrator" },
	{ "self", "本人自助", "self-service" },
	{ NULL, NULL, NULL }
};

static const struct words ratings[] = {
	{ "1", "满意", "satisfied" }, { "2", "基本满意", "basically satisfied" },
	{ "3", "不满意", "not satisfied" },
	{ NULL, NULL, NULL }
};

static const struct words formats[] = {
	{ "json", "页面", "screen" }, { "xlsx", "Excel 表格", "Excel workbook" },
	{ "csv", "CSV 文件", "CSV file" },
	{ NULL, NULL, NULL }
};

static const char HIDDEN_ZH[] = "(代码见机器字段)";
static const char HIDDEN_EN[] = "(code in the machine field)";

static const struct words *
find(const struct words *t, const char *code)
{
	for (; t->code != NULL; t++)
		if (strcmp(t->code, code) == 0)
			return t;
	return NULL;
}

void
audit_detail_begin(struct audit_detail *d, struct req *r)
{
	memset(d, 0, sizeof(*d));
	d->r = r;
}

void
audit_detail_end(struct audit_detail *d)
{
	supply_free(d->supply);
	recon_kinds_free(d->kinds);
	memset(d, 0, sizeof(*d));
}

/* A role's words ("village" -> 村级工作人员), or NULL. */
const char *
audit_role_words(const char *role, int en)
{
	const struct words *w = find(roles, role);

	return w == NULL ? NULL : en ? w->en : w->zh;
}

/* The words of a supply or roster-kind code, loading its table once. */
static int
table_words(struct audit_detail *d, enum vkind v, const char *code,
    const char **zh, const char **en)
{
	const struct supply_item *it;
	const struct recon_kind *k;
	struct lf_error err;

	lf_error_clear(&err);
	if (v == V_SUPPLY) {
		if (!d->supply_tried && (d->supply_tried = 1) &&
		    supply_load(d->r->app->cat, d->r->app->policies,
		    &d->supply, &err) != 0)
			d->supply = NULL;
		if (d->supply == NULL ||
		    (it = supply_item_find(d->supply, code)) == NULL)
			return -1;
		*zh = it->name_zh;
		*en = it->name_en;
		return 0;
	}
	if (!d->kinds_tried && (d->kinds_tried = 1) &&
	    recon_kinds_load(d->r->app->cat, &d->kinds, &err) != 0)
		d->kinds = NULL;
	if (d->kinds == NULL || (k = recon_kind_find(d->kinds, code)) == NULL)
		return -1;
	*zh = k->name_zh;
	*en = k->name_en;
	return 0;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* One value's words; 0, or -1 when it has none. */
static int
value_words(struct audit_detail *d, enum vkind v, const char *val,
    const char **zh, const char **en, char *tmp, size_t ntmp)
{
	const struct words *w = NULL;
	const struct region *rg;

	switch (v) {
	case V_NUM:
		if (!all_digits(val) && !(val[0] == '-' && all_digits(val + 1)))
			return -1;
		*zh = *en = val;
		return 0;
	case V_NAME:
		*zh = *en = val;
		return 0;
	case V_REF:
		if (!all_digits(val))
			return -1;
		if (strcmp(val, "0") == 0) {
			*zh = "整个计划";
			*en = "the whole plan";
			return 0;
		}
		snprintf(tmp, ntmp, "#%s", val);
		*zh = *en = tmp;
		return 0;
	case V_REGION:
		if ((rg = regions_find(d->r->app->regions, val)) == NULL)
			return -1;
		*zh = *en = rg->name;
		return 0;
	case V_SUPPLY:
	case V_KIND:
		return table_words(d, v, val, zh, en);
	case V_STATUS: w = find(statuses, val); break;
	case V_STATE: w = find(states, val); break;
	case V_BY: w = find(bys, val); break;
	case V_ROLE: w = find(roles, val); break;
	case V_REASON: w = find(reasons, val); break;
	case V_FORMAT: w = find(formats, val); break;
	case V_RATING: w = find(ratings, val); break;
	}
	if (w == NULL)
		return -1;
	*zh = w->zh;
	*en = w->en;
	return 0;
}

static void
append(char *out, size_t n, const char *sep, const char *a, const char *b)
{
	size_t len = strlen(out);

	if (len < n)
		snprintf(out + len, n - len, "%s%s%s%s", len ? sep : "", a,
		    *b ? ": " : "", b);
}

/* A "key=value ..." detail; -1 when it is not one. */
static int
pairs_words(struct audit_detail *d, const char *detail, char *zh,
    size_t nzh, char *en, size_t nen)
{
	char copy[AUDIT_DETAIL_MAX + 1], tmp[32], *tok, *save, *eq;
	const char *vz, *ve;
	size_t i;

	if (strchr(detail, '=') == NULL || strlen(detail) >= sizeof(copy))
		return -1;
	snprintf(copy, sizeof(copy), "%s", detail);
	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		if ((eq = strchr(tok, '=')) == NULL)
			return -1;
		*eq = '\0';
		for (i = 0; keys[i].key != NULL; i++)
			if (strcmp(keys[i].key, tok) == 0)
				break;
		if (keys[i].key == NULL)
			return -1;
		if (value_words(d, keys[i].v, eq + 1, &vz, &ve, tmp,
		    sizeof(tmp)) != 0)
			vz = HIDDEN_ZH, ve = HIDDEN_EN;
		append(zh, nzh, "，", keys[i].zh, vz);
		append(en, nen, ", ", keys[i].en, ve);
	}
	return 0;
}

/* A code a machine reads: lower-case letters, digits, '_', '.', '-'
 * only, or a run of six digits or more anywhere. */
static int
looks_like_code(const char *s)
{
	const char *p;
	int run = 0, plain = 1;

	for (p = s; *p; p++) {
		run = isdigit((unsigned char)*p) ? run + 1 : 0;
		if (run >= 6)
			return 1;
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p)
		    && *p != '_' && *p != '.' && *p != '-')
			plain = 0;
	}
	return plain;
}

void
audit_detail_words(struct audit_detail *d, const char *detail, char *zh,
    size_t nzh, char *en, size_t nen)
{
	const struct words *w;

	zh[0] = en[0] = '\0';
	if (detail == NULL || *detail == '\0')
		return;
	if ((w = find(reasons, detail)) != NULL) {
		snprintf(zh, nzh, "%s", w->zh);
		snprintf(en, nen, "%s", w->en);
		return;
	}
	if (pairs_words(d, detail, zh, nzh, en, nen) == 0)
		return;
	zh[0] = en[0] = '\0';
	if (looks_like_code(detail)) {
		snprintf(zh, nzh, "%s", HIDDEN_ZH);
		snprintf(en, nen, "%s", HIDDEN_EN);
		return;
	}
	/* a person's own words */
	snprintf(zh, nzh, "%s", detail);
	snprintf(en, nen, "%s", detail);
}

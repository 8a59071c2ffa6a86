/*
 * h_audit.c - the audit log for supervisors and auditors: who read,
 * changed or was refused what.
 *
 *   GET /api/v1/audit?person=ID&user=&from=&to=&after=&limit=&format=
 *	A page of entries, each with its action, result and target in
 *	words (Chinese and English) and, for a person, the masked name;
 *	"next" is the cursor of the following page (null on the last).
 *	format=xlsx downloads every matching entry (up to AUDIT_EXPORT_MAX)
 *	as a workbook instead. Without a person filter the caller must
 *	hold the province.
 *   POST /api/v1/audit/persons {"id_number"|"certificate_no"|"name",
 *	"region"?}
 *	The persons inside the caller's scope the search finds (through
 *	the persons search's code path, psearch.c), masked: the ID number
 *	travels in the body only, never in a URL, and the audit entry says
 *	only which key was searched and how many matched.
 *
 * Reading the audit log is itself audited.
 */
#include "server/access.h"
#include "server/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "io/sheet.h"
#include "store/audit.h"

#define AUDIT_EXPORT_MAX	20000	/* entries in one workbook */

/* ---- words for codes ---------------------------------------------- */

struct label {
	const char	*code, *zh, *en;
};

/* Every action the server logs, and the results (tests/lint/audit_words.sh
 * fails when an action, target or result written anywhere has no words
 * here). */
static const struct label actions[] = {
	{ "person.read", "查看人员", "Read a person" },
	{ "person.search", "查找人员", "Searched persons" },
	{ "person.list", "人员名单", "Listed persons" },
	{ "person.reveal", "查看完整号码", "Revealed numbers" },
	{ "person.create", "登记新人员", "Registered a person" },
	{ "survey.write", "保存调查", "Saved a survey" },
	{ "plan.read", "查看一人一策", "Read a plan" },
	{ "plan.build", "生成一人一策", "Built a plan" },
	{ "plan.build_all", "批量生成一人一策", "Built plans in bulk" },
	{ "plan.confirm", "确认一人一策", "Confirmed a plan" },
	{ "plan.reopen", "退回一人一策", "Reopened a plan" },
	{ "plan.list", "计划名单", "Listed plans" },
	{ "plan.villages", "按村统计计划", "Counted plans by village" },
	{ "item.read", "查看服务项目", "Read a service item" },
	{ "item.add", "添加服务项目", "Added a service item" },
	{ "item.write", "修改服务项目", "Changed a service item" },
	{ "item.accept", "部门接收项目", "Department accepted an item" },
	{ "item.return", "部门退回项目", "Department returned an item" },
	{ "item.deliver", "记录服务落实", "Recorded a delivery" },
	{ "item.inbox", "部门待办", "Department inbox" },
	{ "rules.simulate", "政策测算", "Simulated a rule" },
	{ "stats.read", "查看统计", "Read statistics" },
	{ "session.login", "登录", "Login" },
	{ "session.logout", "退出", "Logout" },
	{ "session.check", "会话检查", "Session check" },
	{ "session.csrf", "CSRF 检查", "CSRF check" },
	{ "audit.read", "查看审计日志", "Read the audit log" },
	{ "audit.search", "审计中查找人员", "Searched persons in the audit "
	    "log" },
	{ "audit.export", "导出审计日志", "Exported the audit log" },
	{ "user.add", "添加账号", "Added an account" },
	{ "user.disable", "停用账号", "Disabled an account" },
	{ "user.passwd", "修改密码", "Changed a password" },
	{ "user.list", "账号列表", "Listed accounts" },
	/* 精准监督, feedback and self-service, findings, 智慧量服 */
	{ "budget.simulate", "预算测算", "Budget what-if" },
	{ "check.assign", "分派核查任务", "Assigned a check" },
	{ "check.list", "核查任务列表", "Listed check tasks" },
	{ "check.read", "查看核查任务", "Read a check task" },
	{ "check.record", "记录核查结果", "Recorded a check" },
	{ "feedback.add", "记录满意度评价", "Recorded satisfaction" },
	{ "feedback.read", "查看满意度评价", "Read satisfaction" },
	{ "finding.dismiss", "驳回数据质量问题", "Dismissed a finding" },
	{ "finding.list", "数据质量问题列表", "Listed findings" },
	{ "finding.read", "查看数据质量问题", "Read a finding" },
	{ "finding.resolve", "处理数据质量问题", "Resolved a finding" },
	{ "precision.read", "查看精准率", "Read precision rates" },
	{ "recon.close", "关闭比对任务", "Closed a reconciliation task" },
	{ "recon.list", "比对任务列表", "Listed reconciliation tasks" },
	{ "recon.run", "部门名单比对", "Reconciled a roster" },
	{ "sample.create", "抽取抽查样本", "Drew a spot-check sample" },
	{ "sample.read", "查看抽查样本", "Read a spot-check sample" },
	{ "self.check", "本人自助会话检查", "Self-service session check" },
	{ "self.csrf", "本人自助 CSRF 检查", "Self-service CSRF check" },
	{ "self.login", "本人自助登录", "Self-service login" },
	{ "self.logout", "本人自助退出", "Self-service logout" },
	{ "self.read", "本人查看计划", "Person read their own plan" },
	{ "selfcode.issue", "发放自助查询码", "Issued a self-service code" },
	{ "selfcode.list", "自助查询码列表", "Listed self-service codes" },
	{ "selfcode.revoke", "作废自助查询码", "Revoked a self-service code" },
	{ "supply.gaps", "查看供需缺口", "Read supply gaps" },
	{ "supply.issue", "按名单发放", "Issued from the distribution list" },
	{ "supply.list", "查看分配名单", "Read a distribution list" },
	{ "supply.stock", "登记库存", "Recorded stock" },
	{ NULL, NULL, NULL }
};

static const struct label results[] = {
	{ "ok", "成功", "OK" }, { "denied", "拒绝", "Denied" },
	{ "not_found", "未找到", "Not found" },
	{ "conflict", "冲突", "Conflict" }, { "invalid", "无效", "Invalid" },
	{ "failed", "失败", "Failed" }, { "error", "错误", "Error" },
	{ "refused", "被拒绝", "Refused" },
	{ NULL, NULL, NULL }
};

static const struct label targets[] = {
	{ "person", "人员", "Person" }, { "item", "服务项目", "Service item" },
	{ "plan", "一人一策", "Plan" }, { "region", "区划", "Region" },
	{ "user", "账号", "Account" }, { "session", "会话", "Session" },
	{ "audit", "审计日志", "Audit log" },
	{ "check", "核查任务", "Check task" },
	{ "sample", "抽查样本", "Sample" },
	{ "finding", "数据质量问题", "Finding" },
	{ "selfcode", "自助查询码", "Self-service code" },
	{ "supply", "库存", "Stock" }, { "roster", "比对名单", "Roster" },
	{ "recon_task", "比对任务", "Reconciliation task" },
	{ NULL, NULL, NULL }
};

/* The words for code; the code itself when there are none. */
static const struct label *
label_of(const struct label *t, const char *code)
{
	static struct label none;

	for (; t->code != NULL; t++)
		if (strcmp(t->code, code) == 0)
			return t;
	none.code = none.zh = none.en = code;
	return &none;
}

/* ---- one entry in words ------------------------------------------- */

struct entry_words {
	const struct label	*action, *result, *type;
	const char		*role, *role_en;
	char			 target[AUDIT_FIELD_MAX + 64];
	char			 target_en[AUDIT_FIELD_MAX + 64];
	char			 detail[AUDIT_DETAIL_MAX * 3];
	char			 detail_en[AUDIT_DETAIL_MAX * 3];
};

static void
target_set(struct entry_words *w, const char *zh, const char *en)
{
	snprintf(w->target, sizeof(w->target), "%s", zh);
	snprintf(w->target_en, sizeof(w->target_en), "%s", en);
}

/* A person's target: the masked name and village. */
static int
person_words(struct req *r, const char *uid, struct entry_words *w)
{
	struct store_person p;
	const struct region *rg;
	char masked[128], both[AUDIT_FIELD_MAX + 64];
	struct lf_error err;
	int rc;

	lf_error_clear(&err);
	if ((rc = store_person_by_uid(r->s, uid, &p, &err)) < 0)
		return -1;
	if (rc != 0) {
		target_set(w, "不在名册中的人员", "a person not in the registry");
		return 0;
	}
	http_mask_name(p.name, masked, sizeof(masked));
	rg = regions_find(r->app->regions, p.region);
	snprintf(both, sizeof(both), "%s (%s)", masked, rg ? rg->name :
	    "未知区划");
	target_set(w, both, both);
	return 0;
}

/* A service item's target: its person's masked name and its policy. */
static int
item_words(struct req *r, const char *ref, struct entry_words *w)
{
	struct store_person p;
	struct plan_item it;
	const struct policy *po;
	char masked[128], zh[AUDIT_FIELD_MAX + 64], en[AUDIT_FIELD_MAX + 64];
	struct lf_error err;
	int64_t id;
	int rc;

	lf_error_clear(&err);
	if (plan_item_unref(r->s, ref, &id) != 0 ||
	    (rc = plan_item_get(r->s, id, &it, &err)) > 0) {
		target_set(w, "不存在的服务项目", "an unknown service item");
		return 0;
	}
	if (rc < 0 || (rc = store_person_by_id(r->s, it.person_id, &p,
	    &err)) < 0)
		return -1;
	http_mask_name(rc == 0 ? p.name : "", masked, sizeof(masked));
	po = it.policy[0] ? policy_find(r->app->policies, it.policy) : NULL;
	snprintf(zh, sizeof(zh), "%s · %s", masked, po ? po->name_zh :
	    "自定义项目");
	snprintf(en, sizeof(en), "%s · %s", masked, po ? po->name_en :
	    "own item");
	target_set(w, zh, en);
	return 0;
}

/* The target as a person reads it: a person's masked name and village,
 * a region's name, an entry's number ("#12"), a login; never a code
 * (the stored target stays in the entry's machine field). */
static int
target_words(struct req *r, const struct audit_row *a, struct entry_words *w)
{
	const struct region *rg;
	char num[AUDIT_FIELD_MAX + 2];
	const char *t = a->target;

	target_set(w, t, t);
	if (*t == '\0' || *t == '#')
		return 0;
	if (strcmp(a->target_type, "person") == 0)
		return http_valid_uid(t) ? person_words(r, t, w) : 0;
	if (strcmp(a->target_type, "item") == 0)
		return item_words(r, t, w);
	if (strcmp(a->target_type, "region") == 0) {
		rg = regions_find(r->app->regions, t);
		target_set(w, rg ? rg->name : "未知区划", rg ? rg->name :
		    "unknown region");
	} else if (strcmp(a->target_type, "user") != 0 &&
	    strspn(t, "0123456789") == strlen(t)) {
		snprintf(num, sizeof(num), "#%s", t);
		target_set(w, num, num);
	}
	return 0;
}

static int
words(struct req *r, struct audit_detail *d, const struct audit_row *a,
    struct entry_words *w)
{
	w->action = label_of(actions, a->action);
	w->result = label_of(results, a->result);
	w->type = label_of(targets, a->target_type);
	w->role = audit_role_words(a->role, 0);
	w->role_en = audit_role_words(a->role, 1);
	if (w->role == NULL)
		w->role = w->role_en = a->role;
	audit_detail_words(d, a->detail, w->detail, sizeof(w->detail),
	    w->detail_en, sizeof(w->detail_en));
	return target_words(r, a, w);
}

/* ---- JSON pages --------------------------------------------------- */

struct page {
	struct req	*r;
	struct audit_detail	 d;
	json_t		*list;
	int64_t		 last;
	int		 n;
};

static int
add_row(void *arg, const struct audit_row *a)
{
	struct page *pg = arg;
	struct entry_words w;

	if (words(pg->r, &pg->d, a, &w) != 0)
		return -1;
	pg->last = a->id;
	pg->n++;
	return json_array_append_new(pg->list, json_pack("{s:I,s:s,s:s,s:s,"
	    "s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s},"
	    "s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s}}",
	    "id", (json_int_t)a->id, "at", a->at, "actor", a->actor, "role",
	    a->role, "action", a->action, "target_type", a->target_type,
	    "target", a->target, "result", a->result, "client", a->client,
	    "request_id", a->request_id, "detail", a->detail,
	    "action_label", "zh", w.action->zh, "en", w.action->en,
	    "result_label", "zh", w.result->zh, "en", w.result->en,
	    "target_type_label", "zh", w.type->zh, "en", w.type->en,
	    "target_label", "zh", w.target, "en", w.target_en,
	    "detail_label", "zh", w.detail, "en", w.detail_en,
	    "role_label", "zh", w.role, "en", w.role_en));
}

/* ---- xlsx --------------------------------------------------------- */

static const struct sheet_col xcols[] = {
	{ "时间 (UTC)", SHEET_TEXT, 21 }, { "操作人", SHEET_TEXT, 14 },
	{ "角色", SHEET_TEXT, 10 }, { "操作", SHEET_TEXT, 16 },
	{ "对象类型", SHEET_TEXT, 10 }, { "对象", SHEET_TEXT, 26 },
	{ "结果", SHEET_TEXT, 8 }, { "详情", SHEET_TEXT, 30 },
	{ "地址", SHEET_TEXT, 16 }, { "请求号", SHEET_TEXT, 18 },
};
#define NXCOLS	(sizeof(xcols) / sizeof(xcols[0]))

struct xrows {
	struct req		*r;
	struct audit_detail	 d;
	struct sheet_cell	*cells;
	char			**owned;	/* strings the cells point to */
	size_t			 n, cap;
	int64_t			 last;
};

static char *
keep(struct xrows *x, size_t slot, const char *s)
{
	return x->owned[slot] = mem_strdup(s);
}

static int
add_xrow(void *arg, const struct audit_row *a)
{
	struct xrows *x = arg;
	struct entry_words w;
	struct sheet_cell *c;
	size_t base, i;
	const char *v[NXCOLS];

	if (words(x->r, &x->d, a, &w) != 0)
		return -1;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		struct sheet_cell *nc = mem_realloc(x->cells, cap * NXCOLS *
		    sizeof(*nc));
		char **no;

		if (nc == NULL)
			return -1;
		x->cells = nc;
		if ((no = mem_realloc(x->owned, cap * NXCOLS *
		    sizeof(*no))) == NULL)
			return -1;
		x->owned = no;
		x->cap = cap;
	}
	v[0] = a->at; v[1] = a->actor; v[2] = w.role; v[3] = w.action->zh;
	v[4] = w.type->zh; v[5] = w.target; v[6] = w.result->zh;
	v[7] = w.detail; v[8] = a->client; v[9] = a->request_id;
	base = x->n * NXCOLS;
	c = &x->cells[base];
	for (i = 0; i < NXCOLS; i++) {
		c[i].n = 0;
		if ((c[i].text = keep(x, base + i, v[i])) == NULL) {
			for (; i < NXCOLS; i++)
				x->owned[base + i] = NULL;
			x->n++;
			return -1;
		}
	}
	x->n++;
	x->last = a->id;
	return 0;
}

static void
xrows_free(struct xrows *x)
{
	size_t i;

	for (i = 0; i < x->n * NXCOLS; i++)
		mem_free(x->owned[i]);
	mem_free(x->owned);
	mem_free(x->cells);
}

static enum MHD_Result
reply_xlsx(struct req *r, struct audit_query *q, const char *person)
{
	struct xrows x;
	struct sheet sh;
	struct lf_error err;
	char title[160], *data = NULL;
	size_t len, before;
	int rc = 0;

	memset(&x, 0, sizeof(x));
	x.r = r;
	audit_detail_begin(&x.d, r);
	x.last = q->after_id;
	lf_error_clear(&err);
	q->limit = AUDIT_LIMIT_MAX;
	do {
		before = x.n;
		q->after_id = x.last;
		rc = audit_query(r->s, q, add_xrow, &x, &err);
	} while (rc == 0 && x.n - before == AUDIT_LIMIT_MAX &&
	    x.n < AUDIT_EXPORT_MAX);
	if (rc == 0) {
		snprintf(title, sizeof(title), "审计日志 (audit log) · %s · "
		    "%zu 条", person ? "按人员" : "全部", x.n);
		sh.name = "审计日志";
		sh.title = title;
		sh.cols = xcols;
		sh.ncols = NXCOLS;
		sh.cells = x.cells;
		sh.nrows = x.n;
		rc = sheet_xlsx_bytes(&sh, &data, &len, &err);
	}
	xrows_free(&x);
	audit_detail_end(&x.d);
	if (rc != 0) {
		if (err.code == NULL)
			lf_error_nomem(&err);
		return reply_lf_error(r, &err);
	}
	http_audit(r, "audit.export", person ? "person" : "audit",
	    person ? person : "", "ok", "");
	return reply_bytes(r, 200, "application/vnd.openxmlformats-"
	    "officedocument.spreadsheetml.sheet", "liangfu-audit.xlsx", data,
	    len);
}

/* ---- GET /api/v1/audit -------------------------------------------- */

static const char *
arg(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

/* The person filter must name a person the caller may see. */
static int
person_in_scope(struct req *r, const char *uid, struct lf_error *err)
{
	struct store_person p;
	int rc;

	if (!http_valid_uid(uid))
		return 1;
	if ((rc = store_person_by_uid(r->s, uid, &p, err)) != 0)
		return rc;
	return access_allowed(&r->who, ACT_AUDIT_READ, strtoll(p.region, NULL,
	    10)) ? 0 : 1;
}

static enum MHD_Result
refuse_role(struct req *r, const char *action)
{
	return http_audit_refuse(r, action, "audit", "role",
	    "无权查看审计日志 (your role cannot read the audit log)");
}

enum MHD_Result
h_audit(struct req *r)
{
	struct audit_query q;
	struct lf_error err;
	const char *person = arg(r, "person"), *after = arg(r, "after");
	const char *limit = arg(r, "limit"), *format = arg(r, "format");
	struct page pg;
	int rc;

	memset(&q, 0, sizeof(q));
	memset(&pg, 0, sizeof(pg));
	pg.r = r;
	lf_error_clear(&err);
	/* the audit writer's commits stale no held snapshot: read the
	 * newest entries (those of the answers already sent) */
	store_hold_drop(r->s);
	if (!access_allowed(&r->who, ACT_AUDIT_READ, 0))
		return refuse_role(r, "audit.read");
	if (format != NULL && strcmp(format, "json") != 0 &&
	    strcmp(format, "xlsx") != 0)
		return reply_error(r, 400, "bad_request", "format", "format 应为 "
		    "json 或 xlsx (format: json or xlsx)");
	if (person != NULL && *person != '\0') {
		if ((rc = person_in_scope(r, person, &err)) != 0) {
			if (rc < 0)
				return reply_lf_error(r, &err);
			http_audit(r, "audit.read", "person", "", "denied",
			    "person outside scope or unknown");
			return reply_not_found(r);
		}
		q.target_type = "person";
		q.target = person;
	} else if (r->who.scope->level != RL_PROVINCE) {
		return reply_error(r, 400, "bad_request", "person", "请指定 "
		    "person (name a person: only province-wide users query "
		    "the whole log)");
	} else {
		person = NULL;
	}
	q.actor = arg(r, "user");
	if (q.actor != NULL && *q.actor == '\0')
		q.actor = NULL;
	q.from = arg(r, "from");
	q.to = arg(r, "to");
	q.after_id = after ? strtoll(after, NULL, 10) : 0;
	if (format != NULL && strcmp(format, "xlsx") == 0)
		return reply_xlsx(r, &q, person);
	q.limit = limit ? (int)strtol(limit, NULL, 10) : AUDIT_LIMIT_DEFAULT;
	if (q.limit <= 0)
		q.limit = AUDIT_LIMIT_DEFAULT;
	pg.list = json_array();
	audit_detail_begin(&pg.d, r);
	rc = audit_query(r->s, &q, add_row, &pg, &err);
	audit_detail_end(&pg.d);
	if (rc != 0) {
		json_decref(pg.list);
		return err.code && strcmp(err.code, "store") != 0 &&
		    strcmp(err.code, "io") != 0 ?
		    reply_error(r, 400, err.code, err.field, "%s", err.message) :
		    reply_lf_error(r, &err);
	}
	http_audit(r, "audit.read", person ? "person" : "audit",
	    person ? person : "", "ok", "");
	return reply_json(r, 200, json_pack("{s:o,s:o}", "entries", pg.list,
	    "next", pg.n == q.limit ? json_integer(pg.last) : json_null()));
}

/* ---- POST /api/v1/audit/persons ----------------------------------- */

static int
add_hit(struct req *r, json_t *list, const struct store_person *p)
{
	const struct region *v = regions_find(r->app->regions, p->region);
	char name[128], idn[40];

	http_mask_name(p->name, name, sizeof(name));
	json_mask(store_person_shown_id(p), idn, sizeof(idn));
	return json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,"
	    "s:s,s:i}", "id", p->uid, "name", name, "id_number", idn,
	    "region", p->region, "region_name", v ? v->name : "", "status",
	    p->status));
}

enum MHD_Result
h_audit_persons(struct req *r)
{
	static const char *const allowed[] = { "id_number", "certificate_no",
	    "name", "region", NULL };
	enum MHD_Result res;
	json_t *body;

	if (!access_allowed(&r->who, ACT_AUDIT_READ, 0))
		return refuse_role(r, "audit.search");
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	return http_person_search_audited(r, "audit.search", body,
	    ACT_AUDIT_READ, add_hit);
}

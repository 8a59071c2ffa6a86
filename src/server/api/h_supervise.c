/*
 * h_supervise.c - 精准监督 over the API: spot-check samples, their check
 * tasks, assigning checkers, recording checks, and the precision rates.
 *
 * Routes (router.c):
 *   POST /api/v1/samples              draw a sample (ACT_SAMPLE)
 *   GET  /api/v1/samples              samples inside the caller's scope
 *   GET  /api/v1/samples/{id}         one sample with its tasks
 *   GET  /api/v1/checks               the caller's own check tasks
 *   GET  /api/v1/checks/{id}          one task with its checklist
 *   POST /api/v1/checks/{id}/assign   assign or reassign (ACT_SAMPLE)
 *   POST /api/v1/checks/{id}          record the check (its checker)
 *   GET  /api/v1/precision            the three rates by region, surveyor
 * A sample or task outside the caller's scope answers 404, as a missing
 * one; every read of a task (it shows survey values) and every write is
 * audited.
 */
#include "server/access.h"
#include "server/session.h"
#include "stats/statsd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "stats/report_precision.h"
#include "store/plan.h"
#include "supervise/supervise.h"

static int
in_scope(const struct req *r, const char *code)
{
	return strncmp(code, r->who.region, strlen(r->who.region)) == 0;
}

static int64_t
parse_id(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	return *s != '\0' && *end == '\0' && v > 0 ? (int64_t)v : 0;
}

static json_t *
sample_json(const struct sup_sample *sm)
{
	return json_pack("{s:I, s:i, s:s, s:f, s:i, s:f, s:s, s:s, s:s, s:s, "
	    "s:I, s:s, s:s, s:{s:I, s:I, s:I, s:I, s:I}}", "id",
	    (json_int_t)sm->id, "year", sm->year, "region", sm->region,
	    "rate", sm->prm.rate, "min_per_surveyor", sm->prm.min_per_surveyor,
	    "recheck_rate", sm->prm.recheck_rate, "seed", "", "items",
	    sm->items, "mode", supervise_mode_en(sm->mode), "due", sm->due,
	    "persons", (json_int_t)sm->persons, "created_at", sm->created_at,
	    "created_by", sm->created_by, "progress", "tasks",
	    (json_int_t)sm->tasks, "assigned", (json_int_t)sm->assigned,
	    "done", (json_int_t)sm->done, "overdue", (json_int_t)sm->overdue,
	    "rechecks", (json_int_t)sm->rechecks);
}

/* The seed as a decimal string (a JSON number loses 64-bit values). */
static json_t *
sample_full(const struct sup_sample *sm)
{
	json_t *j = sample_json(sm);
	char seed[24];

	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)sm->prm.seed);
	if (j != NULL)
		json_object_set_new(j, "seed", json_string(seed));
	return j;
}

static json_t *
task_json(const struct sup_task *t)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s?, s:s, "
	    "s:s, s:b, s:s?, s:I}", "id", (json_int_t)t->id, "sample",
	    (json_int_t)t->sample_id, "person", t->uid, "name", t->name,
	    "village", t->region, "township", t->township, "surveyor",
	    t->surveyor, "recheck_of", (json_int_t)t->recheck_of, "checker",
	    t->checker[0] ? t->checker : NULL, "mode",
	    supervise_mode_en(t->mode), "due", t->due, "done", t->done,
	    "done_at", t->done_at[0] ? t->done_at : NULL, "version",
	    (json_int_t)t->version);
}

/* ---- samples ----------------------------------------------------------- */

static int
body_num(json_t *b, const char *k, double *out)
{
	json_t *v = json_object_get(b, k);

	if (v == NULL)
		return 0;
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

/* The seed: an integer, its decimal string, or none (from the date). */
static int
parse_seed(json_t *v, int year, uint64_t *out)
{
	const char *s = json_string_value(v);
	char *end;

	if (v == NULL) {
		*out = (uint64_t)store_today() * 7919ULL + (uint64_t)year;
		return 0;
	}
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 20)
		return -1;
	*out = strtoull(s, &end, 10);
	return *end == '\0' ? 0 : -1;
}

enum MHD_Result
h_samples_create(struct req *r)
{
	static const char *const allowed[] = { "year", "region", "rate",
	    "min_per_surveyor", "recheck_rate", "seed", "items", "mode", "due",
	    NULL };
	const struct region *in;
	struct sup_params prm = { 0.05, 1, 0.1, 0 };
	struct sup_sample sm;
	struct lf_error err;
	enum MHD_Result res;
	const char *region, *mode, *due, *items;
	char dflt_due[11], idbuf[24];
	double year = 0, min = 1;
	int64_t id;
	json_t *b;

	if (!access_allowed(&r->who, ACT_SAMPLE, 0))
		return http_audit_refuse(r, "sample.create", "region", "role",
		    "无权抽样 (your role cannot draw samples)");
	if ((b = req_json(r, allowed, &res)) == NULL)
		return res;
	region = json_string_value(json_object_get(b, "region"));
	mode = json_string_value(json_object_get(b, "mode"));
	due = json_string_value(json_object_get(b, "due"));
	items = json_string_value(json_object_get(b, "items"));
	if (body_num(b, "year", &year) != 0 || body_num(b, "rate",
	    &prm.rate) != 0 || body_num(b, "min_per_surveyor", &min) != 0 ||
	    body_num(b, "recheck_rate", &prm.recheck_rate) != 0 ||
	    region == NULL || year < 1990 || year > 2999) {
		json_decref(b);
		return reply_error(r, 400, "bad_request", "year", "需要 year、"
		    "region (字符串)、rate 等数值 (year, region as a string and "
		    "numeric rate, min_per_surveyor, recheck_rate)");
	}
	if (parse_seed(json_object_get(b, "seed"), (int)year, &prm.seed) !=
	    0) {
		json_decref(b);
		return reply_error(r, 400, "bad_request", "seed", "seed 须为"
		    "非负整数或其十进制字符串 (seed: a non-negative integer or "
		    "its decimal string)");
	}
	prm.min_per_surveyor = (int)min;
	in = regions_find(r->app->regions, region);
	if (in == NULL || !in_scope(r, in->code)) {
		http_audit(r, "sample.create", "region", region, "denied",
		    "outside the scope");
		json_decref(b);
		return reply_not_found(r);
	}
	if (due == NULL) {
		date_format(store_today() + 30, dflt_due);
		due = dflt_due;
	}
	lf_error_clear(&err);
	if (supervise_draw(r->s, (int)year, in, &prm, items, mode ?
	    supervise_mode_parse(mode) : SUP_VISIT, due, r->who.login, &id,
	    &err) != 0 || supervise_sample_get(r->s, id, &sm, &err) != 0) {
		json_decref(b);
		http_audit(r, "sample.create", "region", in->code, "error",
		    err.code);
		return reply_lf_error(r, &err);
	}
	json_decref(b);
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	http_audit(r, "sample.create", "sample", idbuf, "ok", http_audit_kv(
	    HTTP_AUDIT_KV, "region", in->code));
	return reply_json(r, 201, sample_full(&sm));
}

static int
list_sample(void *arg, const struct sup_sample *sm)
{
	return json_array_append_new(arg, sample_full(sm)) != 0 ? -1 : 0;
}

enum MHD_Result
h_samples_list(struct req *r)
{
	static const char *const names[] = { "year", NULL };
	const char *v[2] = { NULL, NULL };
	struct lf_error err;
	json_t *a;
	long year;

	if (!access_allowed(&r->who, ACT_SAMPLE, 0))
		return reply_error(r, 403, "forbidden", "", "无权查看抽样 (your "
		    "role cannot see samples)");
	if (http_query_args(r, names, v) != 0 ||
	    (year = http_query_num(v[0], 0, 1990, 2999)) == 1989)
		return reply_error(r, 400, "bad_request", "year", "参数无效 "
		    "(bad query: year)");
	lf_error_clear(&err);
	if ((a = json_array()) == NULL ||
	    supervise_samples(r->s, r->who.scope, (int)year, list_sample, a,
	    &err) != 0) {
		json_decref(a);
		return reply_lf_error(r, &err);
	}
	return reply_json(r, 200, json_pack("{s:o}", "samples", a));
}

static int
list_task(void *arg, const struct sup_task *t)
{
	return json_array_append_new(arg, task_json(t)) != 0 ? -1 : 0;
}

enum MHD_Result
h_sample_get(struct req *r)
{
	struct sup_sample sm;
	struct lf_error err;
	int64_t id = parse_id(r->params[0]);
	json_t *j, *tasks;
	int rc;

	lf_error_clear(&err);
	if (!access_allowed(&r->who, ACT_SAMPLE, 0) || id == 0)
		return reply_not_found(r);
	rc = supervise_sample_get(r->s, id, &sm, &err);
	if (rc < 0)
		return reply_lf_error(r, &err);
	if (rc == 1 || !in_scope(r, sm.region)) {
		http_audit(r, "sample.read", "sample", r->params[0], "denied",
		    "outside the scope");
		return reply_not_found(r);
	}
	tasks = json_array();
	if (tasks == NULL || supervise_tasks(r->s, id, NULL, r->who.scope,
	    list_task, tasks, &err) != 0) {
		json_decref(tasks);
		return reply_lf_error(r, &err);
	}
	j = sample_full(&sm);
	json_object_set_new(j, "tasks", tasks);
	if (http_audit_gate(r, "sample.read", "sample", r->params[0], "ok",
	    "") != 0) {
		json_decref(j);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, 200, j);
}

/* ---- tasks ------------------------------------------------------------- */

enum MHD_Result
h_checks_mine(struct req *r)
{
	struct lf_error err;
	json_t *a = json_array();

	lf_error_clear(&err);
	if (a == NULL || supervise_tasks(r->s, 0, r->who.login, NULL,
	    list_task, a, &err) != 0) {
		json_decref(a);
		return reply_lf_error(r, &err);
	}
	/* the list names persons: audited like a person list */
	if (http_audit_gate(r, "check.list", "user", r->who.login, "ok",
	    "") != 0) {
		json_decref(a);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, 200, json_pack("{s:o}", "tasks", a));
}

/* The task of the path if the caller is its checker or may sample in
 * its region: 0; else 1 with the reply queued in *res. */
static int
load_task(struct req *r, const char *what, int sampler_only,
    struct sup_task *t, enum MHD_Result *res)
{
	struct lf_error err;
	int64_t id = parse_id(r->params[0]);
	int64_t village;
	int rc = 1, ok;

	lf_error_clear(&err);
	if (id != 0 && (rc = supervise_task_get(r->s, id, t, &err)) < 0) {
		*res = reply_lf_error(r, &err);
		return 1;
	}
	village = rc == 0 ? strtoll(t->region, NULL, 10) : 0;
	ok = rc == 0 && (access_allowed(&r->who, ACT_SAMPLE, village) ||
	    (!sampler_only && strcmp(t->checker, r->who.login) == 0 &&
	    access_allowed(&r->who, ACT_CHECK, village)));
	if (!ok) {
		http_audit(r, what, "check", r->params[0], "denied",
		    "outside the scope");
		*res = reply_not_found(r);
		return 1;
	}
	return 0;
}

static json_t *
line_json(const struct req *r, const struct sup_line *ln)
{
	const struct policy *po;
	char ref[PLAN_REF_LEN + 1];
	struct lf_error err;
	json_t *j;

	if (ln->kind == SUP_SURVEY_ITEM)
		j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "survey",
		    "code", ln->ref, "label_zh", ln->f ? ln->f->label_zh : "",
		    "label_en", ln->f ? ln->f->label_en : "", "recorded",
		    ln->recorded);
	else {
		/* the item as everywhere else in the API: its opaque
		 * reference, never the row id (crypto/ref.h) */
		if (plan_item_ref(r->s, strtoll(ln->ref, NULL, 10), ref,
		    &err) != 0)
			return NULL;
		po = policy_find(r->app->policies, ln->recorded);
		j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "service",
		    "item", ref, "policy", ln->recorded, "label_zh",
		    po ? po->name_zh : ln->recorded, "label_en",
		    po ? po->name_en : ln->recorded);
	}
	if (j != NULL && ln->answered) {
		json_object_set_new(j, "ok", json_boolean(ln->ok));
		if (!ln->ok && ln->right[0])
			json_object_set_new(j, "value", json_string(ln->right));
	}
	return j;
}

enum MHD_Result
h_check_get(struct req *r)
{
	struct sup_line *v;
	struct sup_task t;
	struct lf_error err;
	enum MHD_Result res;
	json_t *j, *lines;
	size_t n, i;

	if (load_task(r, "check.read", 0, &t, &res) != 0)
		return res;
	lf_error_clear(&err);
	if (supervise_checklist(r->s, &t, &v, &n, &err) != 0)
		return reply_lf_error(r, &err);
	lines = json_array();
	for (i = 0; lines != NULL && i < n; i++)
		json_array_append_new(lines, line_json(r, &v[i]));
	mem_free(v);
	j = task_json(&t);
	json_object_set_new(j, "lines", lines);
	if (http_audit_gate(r, "check.read", "person", t.uid, "ok",
	    http_audit_kv(HTTP_AUDIT_KV, "check", r->params[0])) != 0) {
		json_decref(j);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, 200, j);
}

enum MHD_Result
h_check_assign(struct req *r)
{
	static const char *const allowed[] = { "checker", "mode", "due",
	    "version", NULL };
	struct sup_task t, out;
	struct lf_error err;
	enum MHD_Result res;
	const char *checker, *mode;
	json_t *b;
	int m = 0;

	if (load_task(r, "check.assign", 1, &t, &res) != 0)
		return res;
	if ((b = req_json(r, allowed, &res)) == NULL)
		return res;
	checker = json_string_value(json_object_get(b, "checker"));
	mode = json_string_value(json_object_get(b, "mode"));
	if (checker == NULL || (mode != NULL &&
	    (m = supervise_mode_parse(mode)) == 0)) {
		json_decref(b);
		return reply_error(r, 400, "bad_request", checker ? "mode" :
		    "checker", "需要 checker (账号), mode 为 visit 或 phone "
		    "(checker login required; mode visit or phone)");
	}
	lf_error_clear(&err);
	if (supervise_assign(r->s, t.id, checker, m,
	    json_string_value(json_object_get(b, "due")),
	    json_integer_value(json_object_get(b, "version")), r->who.login,
	    &out, &err) != 0) {
		json_decref(b);
		http_audit(r, "check.assign", "check", r->params[0], "error",
		    err.code);
		return reply_lf_error(r, &err);
	}
	http_audit(r, "check.assign", "check", r->params[0], "ok",
	    http_audit_kv(HTTP_AUDIT_KV, "checker", checker));
	json_decref(b);
	return reply_json(r, 200, task_json(&out));
}

/* One answer of the body: {"code", "ok", "value"} or {"item", "ok"}; a
 * service item comes by its opaque reference and is kept by its row id,
 * as the checklist holds it. */
static int
answer_of(struct req *r, json_t *e, int kind, struct sup_line *ln)
{
	int64_t id;

	json_t *ok = json_object_get(e, "ok");
	const char *ref = json_string_value(json_object_get(e,
	    kind == SUP_SURVEY_ITEM ? "code" : "item"));
	const char *val = json_string_value(json_object_get(e, "value"));

	memset(ln, 0, sizeof(*ln));
	if (!json_is_object(e) || !json_is_boolean(ok) || ref == NULL ||
	    strlen(ref) >= sizeof(ln->ref) ||
	    (val != NULL && strlen(val) >= sizeof(ln->right)))
		return -1;
	ln->kind = kind;
	ln->ok = json_is_true(ok);
	if (kind == SUP_SERVICE_ITEM) {
		if (plan_item_unref(r->s, ref, &id) != 0)
			return -1;
		snprintf(ln->ref, sizeof(ln->ref), "%lld", (long long)id);
	} else
		snprintf(ln->ref, sizeof(ln->ref), "%s", ref);
	snprintf(ln->right, sizeof(ln->right), "%s", val ? val : "");
	return 0;
}

static int
answers(struct req *r, json_t *b, struct sup_line **out, size_t *n)
{
	json_t *items = json_object_get(b, "items"),
	    *svc = json_object_get(b, "services");
	size_t ni = json_array_size(items), ns = json_array_size(svc), i;
	struct sup_line *v;

	*out = NULL;
	*n = 0;
	if ((items != NULL && !json_is_array(items)) || (svc != NULL &&
	    !json_is_array(svc)) || ni + ns > 1000)
		return -1;
	if (ni + ns == 0)
		return 0;
	if ((v = mem_calloc(ni + ns, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < ni; i++)
		if (answer_of(r, json_array_get(items, i), SUP_SURVEY_ITEM,
		    &v[i]) != 0)
			goto bad;
	for (i = 0; i < ns; i++)
		if (answer_of(r, json_array_get(svc, i), SUP_SERVICE_ITEM,
		    &v[ni + i]) != 0)
			goto bad;
	*out = v;
	*n = ni + ns;
	return 0;
bad:
	mem_free(v);
	return -1;
}

enum MHD_Result
h_check_record(struct req *r)
{
	static const char *const allowed[] = { "items", "services", NULL };
	struct sup_line *v;
	struct sup_task t;
	struct lf_error err;
	enum MHD_Result res;
	size_t n;
	json_t *b;
	int rc;

	if (load_task(r, "check.record", 0, &t, &res) != 0)
		return res;
	if ((b = req_json(r, allowed, &res)) == NULL)
		return res;
	rc = answers(r, b, &v, &n);
	json_decref(b);
	if (rc != 0)
		return reply_error(r, 400, "bad_request", "items", "items: "
		    "[{code, ok, value}], services: [{item, ok}]");
	lf_error_clear(&err);
	rc = supervise_check(r->s, t.id, v, n, r->who.login, 0, &err);
	mem_free(v);
	if (rc != 0) {
		http_audit(r, "check.record", "check", r->params[0], "error",
		    err.code);
		if (strcmp(err.code, "not_assigned") == 0)
			return reply_error(r, 403, err.code, "", "%s",
			    err.message);
		return reply_lf_error(r, &err);
	}
	statsd_person(r->s, t.person_id);
	http_audit(r, "check.record", "person", t.uid, "ok", http_audit_kv(
	    HTTP_AUDIT_KV, "check", r->params[0]));
	if (supervise_task_get(r->s, t.id, &t, &err) != 0)
		return reply_lf_error(r, &err);
	return reply_json(r, 200, task_json(&t));
}

/* ---- precision --------------------------------------------------------- */

enum MHD_Result
h_precision(struct req *r)
{
	static const char *const names[] = { "year", "region", NULL };
	const char *v[3] = { NULL, NULL, NULL };
	const struct region *in;
	struct sup_precision p;
	struct lf_error err;
	json_t *j;
	long year;

	if (!access_allowed(&r->who, ACT_STATS_READ, 0) &&
	    !access_allowed(&r->who, ACT_SAMPLE, 0))
		return reply_error(r, 403, "forbidden", "", "无权查看精准率 "
		    "(your role cannot read precision)");
	if (http_query_args(r, names, v) != 0 ||
	    (year = http_query_num(v[0], 0, 1990, 2999)) < 1990)
		return reply_error(r, 400, "bad_request", "year", "需要 year "
		    "(year required)");
	in = v[1] ? regions_find(r->app->regions, v[1]) : r->who.scope;
	if (in == NULL || !in_scope(r, in->code))
		return reply_not_found(r);
	lf_error_clear(&err);
	if (supervise_precision(r->s, (int)year, in, 0, &p, &err) != 0)
		return reply_lf_error(r, &err);
	j = report_precision_json(&p);
	sup_precision_free(&p);
	http_audit(r, "precision.read", "region", in->code, "ok", "");
	return reply_json(r, 200, j);
}

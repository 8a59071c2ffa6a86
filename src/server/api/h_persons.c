/*
 * h_persons.c - search, the person page, reveal, and survey writes.
 *
 * Every read of a person and every write is audited. A person outside the
 * caller's region answers 404 exactly like a missing one (and the attempt
 * is audited as denied). Lists and pages show ID and phone numbers masked;
 * only /reveal gives them in full.
 */
#include "server/access.h"
#include "server/json_out.h"
#include "server/session.h"
#include "stats/statsd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/idcard.h"
#include "store/audit.h"

static int
add_found(struct req *r, json_t *list, const struct store_person *p)
{
	json_array_append_new(list, http_person_json(r, p));
	return 0;
}

enum MHD_Result
h_persons_search(struct req *r)
{
	static const char *const allowed[] = { "id_number", "certificate_no",
	    "name", "region", NULL };
	enum MHD_Result res;
	json_t *body;

	if (!access_allowed(&r->who, ACT_PERSON_READ, 0))
		return http_audit_refuse(r, "person.search", "person", "role",
		    "无权查询人员 (your role cannot read persons)");
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	return http_person_search_audited(r, "person.search", body,
	    ACT_PERSON_READ, add_found);
}

/* Largest person page: 64 years of surveys and plans fit many times. */
#define PAGE_MAX	(16u << 20)
/* The first allocation of a page: the last page's size on this thread
 * and an eighth, at most PAGE_HINT_MAX. */
#define PAGE_HINT_MAX	(256u << 10)
static _Thread_local size_t page_hint = 16u << 10;

/* One year of the page: {"year","version","survey"} after a comma
 * unless first. */
static int
page_year(struct buf *b, int first, int year, int64_t version,
    const struct record *rec, struct buf *tmp)
{
	return buf_adds(b, first ? "{\"year\":" : ",{\"year\":") != 0 ||
	    jout_int(b, year) != 0 || buf_adds(b, ",\"version\":") != 0 ||
	    jout_int(b, version) != 0 || buf_adds(b, ",\"survey\":") != 0 ||
	    jout_record_tmp(b, rec, 1, tmp) != 0 || buf_addc(b, '}') != 0 ?
	    -1 : 0;
}

struct years_out {
	struct buf	*b;
	struct buf	 tmp;	/* scratch for text values, for every year */
	int		 n;
};

/* One year of the page; -1 when the buffer is full. */
static int
year_out(void *arg, int year, int64_t version, const struct record *rec)
{
	struct years_out *y = arg;

	return page_year(y->b, y->n++ == 0, year, version, rec, &y->tmp);
}

/* Every year's survey, secrets masked, as a JSON array into b. */
static int
page_years(struct req *r, const struct store_person *p, struct buf *b,
    struct lf_error *err)
{
	struct record *rec = record_new(r->app->cat);
	struct years_out y;
	int rc;

	y.b = b;
	y.n = 0;
	buf_init(&y.tmp, 4096);
	if (rec == NULL || buf_addc(b, '[') != 0) {
		record_free(rec);
		return lf_error_nomem(err);
	}
	rc = store_surveys_each_masked(r->s, p->id, rec, year_out, &y, err);
	buf_free(&y.tmp);
	record_free(rec);
	if (rc < 0 && err->code != NULL)
		return -1;
	if (rc != 0 || buf_addc(b, ']') != 0)
		return lf_error_nomem(err);
	return 0;
}

/* The person page {"person","years","plans"} into b (see docs/api.md),
 * written straight into the buffer (json_out.h), plans included. */
static int
page(struct req *r, const struct store_person *p, struct buf *b,
    struct lf_error *err)
{
	if (buf_adds(b, "{\"person\":") != 0 ||
	    jout_person(b, r->app->regions, p) != 0 ||
	    buf_adds(b, ",\"years\":") != 0)
		return lf_error_nomem(err);
	if (page_years(r, p, b, err) != 0 ||
	    buf_adds(b, ",\"plans\":") != 0 ||
	    http_person_plans(r, p, b, err) != 0)
		return err->code != NULL ? -1 : lf_error_nomem(err);
	return buf_addc(b, '}') != 0 ? lf_error_nomem(err) : 0;
}

enum MHD_Result
h_person_get(struct req *r)
{
	struct store_person p;
	struct lf_error err;
	struct buf b;
	int rc;

	lf_error_clear(&err);
	/* one snapshot for the whole page: every year as of one moment */
	if (store_read_begin(r->s, &err) != 0)
		return reply_lf_error(r, &err);
	rc = http_load_person(r, r->params[0], ACT_PERSON_READ, "person.read", &p,
	    &err);
	if (rc != 0) {
		store_read_end(r->s);
		return rc < 0 ? reply_lf_error(r, &err) : reply_not_found(r);
	}
	buf_init(&b, PAGE_MAX);
	/* room for a page like this thread's last one: no doublings */
	rc = buf_reserve(&b, page_hint) != 0 ? lf_error_nomem(&err) :
	    page(r, &p, &b, &err);
	if (rc == 0)
		page_hint = b.len + b.len / 8 < PAGE_HINT_MAX ?
		    b.len + b.len / 8 : PAGE_HINT_MAX;
	store_read_end(r->s);
	if (rc != 0) {
		buf_free(&b);
		return reply_lf_error(r, &err);
	}
	if (http_audit_gate(r, "person.read", "person", p.uid, "ok", "") != 0) {
		buf_free(&b);
		return reply_audit_unavailable(r);
	}
	return reply_buf(r, 200, &b);
}

enum MHD_Result
h_person_reveal(struct req *r)
{
	struct store_person p;
	struct lf_error err;
	struct record *rec;
	json_t *out;
	int years[64], rc;
	size_t n, i;
	int64_t version;

	lf_error_clear(&err);
	rc = http_load_person(r, r->params[0], ACT_PERSON_REVEAL, "person.reveal",
	    &p, &err);
	if (rc != 0)
		return rc < 0 ? reply_lf_error(r, &err) : reply_not_found(r);
	if (store_person_open_id(r->s, &p, &err) != 0)
		return reply_lf_error(r, &err);
	if ((rec = record_new(r->app->cat)) == NULL)
		return reply_nomem(r);
	out = json_pack("{s:s}", "id_number", p.id_number);
	if (store_survey_years(r->s, p.id, years, 64, &n, &err) == 0 && n > 0 &&
	    store_survey_get(r->s, p.id, years[n - 1], rec, &version,
	    &err) == 0) {
		for (i = 0; i < r->app->cat->nfields; i++) {
			const struct field *f = &r->app->cat->fields[i];

			if (f->secret && rec->set[i])
				json_object_set_new(out, f->code,
				    json_string(rec->str[i]));
		}
	}
	record_free(rec);
	if (http_audit_gate(r, "person.reveal", "person", p.uid, "ok", "") != 0) {
		json_decref(out);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, 200, out);
}

/* 409 with both versions: what is stored now, and what was sent. */
static enum MHD_Result
conflict(struct req *r, const struct store_person *p, int year,
    json_t *values)
{
	struct record *cur = record_new(r->app->cat);
	struct lf_error err;
	int64_t version = 0;
	json_t *stored = NULL;

	if (cur != NULL && store_survey_get(r->s, p->id, year, cur, &version,
	    &err) == 0)
		stored = json_from_record(cur, 1);
	record_free(cur);
	http_audit(r, "survey.write", "person", p->uid, "conflict", "");
	return reply_json(r, 409, json_pack("{s:{s:s,s:s,s:s},s:{s:I,s:o*},"
	    "s:O}", "error", "code", "conflict", "message", "记录已被他人修改,"
	    " 请比较两个版本 (changed meanwhile: compare both versions)",
	    "field", "version", "current", "version", (json_int_t)version,
	    "values", stored, "yours", values));
}

/* Version 0 means "new": it must not exist yet. */
static int
survey_exists(struct req *r, const struct store_person *p, int year)
{
	struct record *cur = record_new(r->app->cat);
	struct lf_error err;
	int64_t version;
	int rc = cur ? store_survey_get(r->s, p->id, year, cur, &version,
	    &err) : -1;

	record_free(cur);
	return rc != 1;
}

/* The X-Change-Reason header, percent-decoded, into out ("" if none). */
static void
change_reason(struct req *r, char *out, size_t len)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    "X-Change-Reason");
	size_t n = 0;
	unsigned v;

	for (; h != NULL && *h != '\0' && n + 1 < len; h++) {
		if (h[0] == '%' && sscanf(h + 1, "%2x", &v) == 1 &&
		    h[1] != '\0' && h[2] != '\0') {
			out[n++] = (char)v;
			h += 2;
		} else
			out[n++] = *h;
	}
	out[n] = '\0';
}

/*
 * A secret item sent back exactly as the person page showed it (masked,
 * e.g. "510***********1234") keeps the stored value of the year's survey
 * (or, for a new year, of the latest earlier one), so that a client need
 * not reveal a number to save a survey. A masked value that is not the
 * stored one's mask is an error naming the item.
 */
static int
unmask_secrets(struct req *r, const struct store_person *p, int year,
    json_t *values, struct lf_error *err)
{
	const struct catalog *cat = r->app->cat;
	struct record *old = record_new(cat);
	int years[64], rc = 1;
	size_t n = 0, i;
	int64_t version;
	char masked[80];

	if (old == NULL)
		return lf_error_nomem(err);
	rc = store_survey_get(r->s, p->id, year, old, &version, err);
	if (rc == 1 && store_survey_years(r->s, p->id, years, 64, &n,
	    err) == 0)
		for (i = n; i-- > 0 && rc == 1;)
			if (years[i] < year)
				rc = store_survey_get(r->s, p->id, years[i],
				    old, &version, err);
	for (i = 0; rc >= 0 && i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];
		const char *v = json_string_value(json_object_get(values,
		    f->code));

		if (!f->secret || v == NULL || strchr(v, '*') == NULL)
			continue;
		if (rc == 0 && old->set[i]) {
			json_mask(old->str[i], masked, sizeof(masked));
			if (strcmp(masked, v) == 0) {
				json_object_set_new(values, f->code,
				    json_string(old->str[i]));
				continue;
			}
		}
		rc = lf_error_set(err, "masked", f->code, "遮蔽的值与已存的值不符,"
		    " 请输入完整号码 (a masked value that is not the stored "
		    "one's: enter the full number)");
	}
	record_free(old);
	return rc < 0 ? -1 : 0;
}

enum MHD_Result
h_survey_put(struct req *r)
{
	static const char *const allowed[] = { "version", "values", NULL };
	struct store_put put = { 0, 0, r->who.login, 0, 0 };
	struct store_put_result res;
	struct store_person p;
	struct record *rec = NULL;
	struct lf_error err;
	enum MHD_Result out;
	json_t *body, *values, *ver;
	char reason[512], detail[AUDIT_DETAIL_MAX];
	long long year;
	char *end;
	int rc;

	lf_error_clear(&err);
	rc = http_load_person(r, r->params[0], ACT_PERSON_WRITE, "survey.write", &p,
	    &err);
	if (rc != 0)
		return rc < 0 ? reply_lf_error(r, &err) : reply_not_found(r);
	year = strtoll(r->params[1], &end, 10);
	if (*end != '\0' || year < 1990 || year > 2999)
		return reply_error(r, 400, "bad_year", "year", "年度无效 (bad "
		    "year)");
	if ((body = req_json(r, allowed, &out)) == NULL)
		return out;
	values = json_object_get(body, "values");
	ver = json_object_get(body, "version");
	if (!json_is_object(values) || !json_is_integer(ver)) {
		json_decref(body);
		return reply_error(r, 400, "bad_request", values ? "version" :
		    "values", "需要 version (整数) 和 values (对象) (version "
		    "integer and values object are required)");
	}
	if ((rec = record_new(r->app->cat)) == NULL) {
		json_decref(body);
		return reply_nomem(r);
	}
	put.year = (int)year;
	put.expect_version = json_integer_value(ver);
	change_reason(r, reason, sizeof(reason));
	if (store_person_open_id(r->s, &p, &err) != 0 ||
	    unmask_secrets(r, &p, put.year, values, &err) != 0 ||
	    json_to_record(values, rec, &err) != 0)
		out = err.code && (strcmp(err.code, "store") == 0 ||
		    strcmp(err.code, "io") == 0) ? reply_lf_error(r, &err) :
		    reply_error(r, 422, err.code, err.field, "%s", err.message);
	else if (rec->str[catalog_find(r->app->cat, "id_number", 9)->index] ==
	    NULL || strcmp(rec->str[catalog_find(r->app->cat, "id_number",
	    9)->index], p.id_number) != 0)
		out = reply_error(r, 422, "id_mismatch", "id_number", "身份证号"
		    "与此人不符 (the ID number is not this person's)");
	else if (put.expect_version == 0 && survey_exists(r, &p, put.year))
		out = conflict(r, &p, put.year, values);
	else if (store_survey_put_reason(r->s, rec, &put, reason, &res,
	    &err) != 0) {
		/* the store keeps the rule (store.h, store_prep_reason) */
		if (strcmp(err.code, "reason_required") == 0)
			out = reply_error(r, 422, "reason_required",
			    err.field, "修改残疾类别或等级须说明原因 (a change "
			    "of disability category or grade needs a reason: "
			    "X-Change-Reason)");
		else if (strcmp(err.code, "conflict") == 0)
			out = conflict(r, &p, put.year, values);
		else {
			http_audit(r, "survey.write", "person", p.uid,
			    "invalid", err.code);
			out = reply_lf_error(r, &err);
		}
	} else {
		audit_clean(reason, detail, sizeof(detail));
		http_audit(r, "survey.write", "person", p.uid, "ok",
		    res.reason_kept ? detail : "");
		statsd_person(r->s, p.id);
		out = reply_json(r, 200, json_pack("{s:I,s:i,s:b}", "version",
		    (json_int_t)res.version, "changed", res.changed,
		    "created", res.created_survey));
	}
	record_free(rec);
	json_decref(body);
	return out;
}

/* POST /api/v1/persons {"year", "values"}: registers a new person with
 * the year's survey. The person's village must lie in the caller's
 * region; an ID number already registered is 409 "exists" (without saying
 * where, so the answer leaks nothing outside the caller's region). */
enum MHD_Result
h_person_create(struct req *r)
{
	static const char *const allowed[] = { "year", "values", NULL };
	struct store_put put = { 0, 0, r->who.login, 0, 0 };
	const struct field *fid, *freg;
	struct store_put_result res;
	struct store_person old;
	struct record *rec = NULL;
	struct lf_error err;
	enum MHD_Result out;
	json_t *body, *values, *year;

	if ((body = req_json(r, allowed, &out)) == NULL)
		return out;
	values = json_object_get(body, "values");
	year = json_object_get(body, "year");
	if (!json_is_object(values) || !json_is_integer(year)) {
		json_decref(body);
		return reply_error(r, 400, "bad_request", values ? "year" :
		    "values", "需要 year (整数) 和 values (对象) (year integer "
		    "and values object are required)");
	}
	put.year = (int)json_integer_value(year);
	fid = catalog_find(r->app->cat, "id_number", 9);
	freg = catalog_find(r->app->cat, "hukou_region", 12);
	lf_error_clear(&err);
	if ((rec = record_new(r->app->cat)) == NULL)
		out = reply_nomem(r);
	else if (json_to_record(values, rec, &err) != 0)
		out = reply_error(r, 422, err.code, err.field, "%s",
		    err.message);
	else if (!rec->set[fid->index] || !rec->set[freg->index] ||
	    !access_allowed(&r->who, ACT_PERSON_WRITE, rec->num[freg->index])) {
		http_audit(r, "person.create", "person", "", "denied",
		    "village outside the caller's scope or role");
		out = reply_error(r, 403, "forbidden", "hukou_region", "只能在"
		    "您的辖区内登记 (you can register persons in your region "
		    "only)");
	} else if (store_person_by_idnum(r->s, rec->str[fid->index], &old,
	    &err) == 0) {
		http_audit(r, "person.create", "person", "", "conflict",
		    "already registered");
		out = reply_error(r, 409, "exists", "id_number", "此身份证号已"
		    "登记 (this ID number is already registered)");
	} else if (err.code == NULL &&
	    store_survey_put(r->s, rec, &put, &res, &err) == 0) {
		http_audit(r, "person.create", "person", res.uid, "ok", "");
		statsd_person(r->s, res.person_id);
		out = reply_json(r, 201, json_pack("{s:s,s:I}", "id", res.uid,
		    "version", (json_int_t)res.version));
	} else
		out = reply_lf_error(r, &err);
	record_free(rec);
	json_decref(body);
	return out;
}

/*
 * h_list.c - GET /api/v1/persons: a page of the persons of a region with a
 * survey in a year, filtered on any catalog item.
 *
 *   ?region=CODE (default: the caller's region; must lie inside it)
 *   &year=Y (default: this year) &after=CURSOR &limit=N (1..200, 50)
 *   &<item code>=<value>  e.g. disability_category=4&aid_wheelchair=是
 *
 * Values are read as the CSV importer reads them (codes or labels; for a
 * multi item, every code given must be held). Secret items cannot be
 * filtered. ID numbers are masked. Audited as person.list.
 */
#include "server/access.h"
#include "server/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/date.h"

#define MAX_FILTERS	16

struct args {
	struct req		*r;
	struct record		*rec;
	struct store_filter	 fl[MAX_FILTERS];
	size_t			 n;
	const char		*region, *year, *after, *limit;
	struct lf_error		 err;
	int			 bad;
};

static enum MHD_Result
on_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct args *a = cls;
	const struct field *f;

	(void)kind;
	if (a->bad)
		return MHD_NO;
	if (value == NULL)
		value = "";
	if (strcmp(key, "region") == 0)
		a->region = value;
	else if (strcmp(key, "year") == 0)
		a->year = value;
	else if (strcmp(key, "after") == 0)
		a->after = value;
	else if (strcmp(key, "limit") == 0)
		a->limit = value;
	else if ((f = catalog_find(a->r->app->cat, key, strlen(key))) == NULL) {
		/* a client's name is echoed only when shaped like one */
		a->bad = body_key_safe(key) ? lf_error_set(&a->err,
		    "unknown_field", key, "未知筛选项 %s (not a catalog item)",
		    key) : lf_error_set(&a->err, "unknown_field", "", "未知筛选项"
		    " (a query name that is not a catalog item)");
	} else if (f->secret || a->n == MAX_FILTERS) {
		a->bad = lf_error_set(&a->err, "bad_filter", key, "不能按此项"
		    "筛选 (secret item, or more than %d filters)", MAX_FILTERS);
	} else if (record_parse_value(a->rec, f, value, &a->err) != 0 ||
	    !a->rec->set[f->index]) {
		if (a->err.code == NULL)
			lf_error_set(&a->err, "bad_filter", key, "筛选值为空 "
			    "(empty filter value)");
		a->bad = -1;
	} else {
		a->fl[a->n].f = f;
		a->fl[a->n].num = a->rec->num[f->index];
		a->fl[a->n].text = NULL;	/* text_values() fills it */
		a->n++;
	}
	return a->bad ? MHD_NO : MHD_YES;
}

struct page {
	struct req	*r;
	json_t		*list;
};

static int
add(void *arg, const struct store_person *p)
{
	struct page *pg = arg;
	char masked[40];

	json_mask(store_person_shown_id(p), masked, sizeof(masked));
	return json_array_append_new(pg->list, json_pack("{s:s,s:s,s:s,s:i,"
	    "s:s,s:s,s:i}", "id", p->uid, "name", p->name, "id_number", masked,
	    "gender", p->gender, "birth_date", p->birth_date, "region",
	    p->region, "status", p->status));
}

/* Filter values as the store binds them: text forms for text, date and
 * region items (kept in the scratch record, which lives until the
 * query ends). */
static void
text_values(struct args *a)
{
	char date[11];
	size_t i;

	for (i = 0; i < a->n; i++) {
		const struct field *f = a->fl[i].f;

		if (f->type == FT_TEXT || f->type == FT_REGION)
			a->fl[i].text = a->rec->str[f->index];
		else if (f->type == FT_DATE) {
			date_format((int)a->rec->num[f->index], date);
			record_set_str(a->rec, f->index, date);
			a->fl[i].text = a->rec->str[f->index];
		}
	}
}

static enum MHD_Result
list(struct req *r, struct args *a)
{
	struct page pg = { r, NULL };
	const struct region *in = r->who.scope;
	int this_year;
	long year, limit;
	long long after;
	int64_t last;
	char detail[96];

	http_china_date(&this_year, NULL);
	year = http_query_num(a->year, this_year, 1990, 2999);
	limit = http_query_num(a->limit, 50, 1, 200);
	after = a->after ? strtoll(a->after, NULL, 10) : 0;
	if (year < 1990 || limit < 1 || after < 0)
		return reply_error(r, 400, "bad_request", "", "year、limit 或 "
		    "after 无效 (bad year, limit or after)");
	if (a->region != NULL && ((in = regions_find(r->app->regions,
	    a->region)) == NULL || !region_contains(r->who.scope, in->code12)
	    || in->level < r->who.scope->level))
		return reply_error(r, 400, "bad_region", "region", "区划不在您的"
		    "范围内 (region unknown or outside your scope)");
	text_values(a);
	pg.list = json_array();
	lf_error_clear(&a->err);
	if (store_list(r->s, (int)year, in, a->fl, a->n, after, (int)limit,
	    add, &pg, &last, &a->err) != 0) {
		json_decref(pg.list);
		return reply_lf_error(r, &a->err);
	}
	snprintf(detail, sizeof(detail), "region=%s year=%ld filters=%zu "
	    "rows=%zu", in->code, year, a->n, json_array_size(pg.list));
	if (http_audit_gate(r, "person.list", "person", "", "ok", detail) != 0) {
		json_decref(pg.list);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, 200, json_pack("{s:o,s:o}", "persons", pg.list,
	    "next", json_array_size(pg.list) == (size_t)limit ?
	    json_sprintf("%lld", (long long)last) : json_null()));
}

enum MHD_Result
h_persons_list(struct req *r)
{
	struct args a;
	enum MHD_Result res;

	if (!access_allowed(&r->who, ACT_PERSON_READ, 0))
		return http_audit_refuse(r, "person.list", "person", "role",
		    "无权查询人员 (your role cannot read persons)");
	memset(&a, 0, sizeof(a));
	a.r = r;
	lf_error_clear(&a.err);
	if ((a.rec = record_new(r->app->cat)) == NULL)
		return reply_nomem(r);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, on_arg, &a);
	res = a.bad ? reply_error(r, 400, a.err.code, a.err.field, "%s",
	    a.err.message) : list(r, &a);
	record_free(a.rec);
	return res;
}

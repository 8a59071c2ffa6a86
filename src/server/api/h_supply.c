/*
 * h_supply.c - need-supply matching over HTTP (supply/supply.h): the
 * devices and places, gaps by county with the total, a county's
 * distribution list, stock entered on screen or imported as CSV, and
 * issuing from the list. County and higher officers, inside their region
 * (elsewhere 404 for persons, 400 bad_region for regions).
 */
#include "server/access.h"
#include "server/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "core/supply.h"
#include "io/csv.h"
#include "supply/supply.h"

#define STOCK_ROWS_MAX	2000
#define BAD_ROWS_MAX	50

static enum MHD_Result
forbidden(struct req *r, const char *action)
{
	return http_audit_refuse(r, action, "supply", "role",
	    "只有县级及以上干部可做供需匹配 (only county and higher "
	    "officers match needs and supply)");
}

static struct supply *
load(struct req *r, struct lf_error *err)
{
	struct supply *sp = NULL;

	if (supply_load(r->app->cat, r->app->policies, &sp, err) != 0)
		return NULL;
	return sp;
}

static const struct region *
scope_region(struct req *r, const char *code)
{
	const struct region *in = r->who.scope;

	if (code == NULL)
		return in;
	in = regions_find(r->app->regions, code);
	if (in == NULL || !region_contains(r->who.scope, in->code12) ||
	    in->level < r->who.scope->level)
		return NULL;
	return in;
}

static int
year_of(const char *s)
{
	int y;

	http_china_date(&y, NULL);
	return (int)http_query_num(s, y, 1990, 2999);
}

static enum MHD_Result
bad_region(struct req *r)
{
	return reply_error(r, 400, "bad_region", "region", "区划不在您的范围内 "
	    "(region unknown or outside your scope)");
}

/* GET /api/v1/supply/items */
enum MHD_Result
h_supply_items(struct req *r)
{
	struct lf_error err;
	struct supply *sp;
	json_t *a;
	size_t i;

	lf_error_clear(&err);
	if ((sp = load(r, &err)) == NULL)
		return reply_lf_error(r, &err);
	a = json_array();
	for (i = 0; i < sp->nitems; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
		    "code", sp->items[i].code, "name", sp->items[i].name_zh,
		    "name_en", sp->items[i].name_en, "unit",
		    sp->items[i].unit, "need", sp->items[i].need->code,
		    "policy", sp->items[i].policy->code));
	supply_free(sp);
	return reply_json(r, 200, json_pack("{s:o}", "items", a));
}

struct gacc {
	struct req		*r;
	json_t			*rows;
	const struct supply	*sp;
	int64_t			 tot[32][5];	/* demand stock issued
						   remaining gap */
};

static int
on_gap(void *arg, const struct supply_gap *g)
{
	struct gacc *a = arg;
	const struct region *rg = regions_find(a->r->app->regions, g->county);
	size_t ix = (size_t)(g->item - a->sp->items);
	char msg[200] = "";

	if (g->gap > 0)
		snprintf(msg, sizeof(msg), "%s%s缺%lld%s", rg ? rg->name :
		    g->county, g->item->name_zh, (long long)g->gap,
		    g->item->unit);
	if (ix < 32) {
		a->tot[ix][0] += g->demand;
		a->tot[ix][1] += g->stock;
		a->tot[ix][2] += g->issued;
		a->tot[ix][3] += g->remaining;
		a->tot[ix][4] += g->gap;
	}
	return json_array_append_new(a->rows, json_pack("{s:s,s:s,s:s,s:s,"
	    "s:I,s:I,s:I,s:I,s:I,s:s}", "county", g->county, "county_name",
	    rg ? rg->name : "", "item", g->item->code, "item_name",
	    g->item->name_zh, "demand", (json_int_t)g->demand, "stock",
	    (json_int_t)g->stock, "issued", (json_int_t)g->issued,
	    "remaining", (json_int_t)g->remaining, "gap", (json_int_t)g->gap,
	    "message", msg)) == 0 ? 0 : -1;
}

static json_t *
totals(const struct gacc *a, const struct region *in)
{
	json_t *t = json_array();
	char msg[200];
	size_t i;

	for (i = 0; i < a->sp->nitems && i < 32; i++) {
		msg[0] = '\0';
		if (a->tot[i][4] > 0)
			snprintf(msg, sizeof(msg), "%s合计%s缺%lld%s", in->name,
			    a->sp->items[i].name_zh, (long long)a->tot[i][4],
			    a->sp->items[i].unit);
		json_array_append_new(t, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,"
		    "s:I,s:s}", "item", a->sp->items[i].code, "item_name",
		    a->sp->items[i].name_zh, "demand", (json_int_t)a->tot[i][0],
		    "stock", (json_int_t)a->tot[i][1], "issued",
		    (json_int_t)a->tot[i][2], "remaining",
		    (json_int_t)a->tot[i][3], "gap", (json_int_t)a->tot[i][4],
		    "message", msg));
	}
	return t;
}

/* GET /api/v1/supply/gaps?year=&region= */
enum MHD_Result
h_supply_gaps(struct req *r)
{
	static const char *const names[] = { "year", "region", NULL };
	const char *a[3] = { NULL, NULL, NULL };
	const struct region *in;
	struct gacc acc;
	struct lf_error err;
	int year;

	if (!access_allowed(&r->who, ACT_PLAN_BATCH, 0))
		return forbidden(r, "supply.gaps");
	if (http_query_args(r, names, a) != 0 || (year = year_of(a[0])) < 0)
		return reply_error(r, 400, "bad_request", "", "参数无效: 可用 "
		    "year、region (bad query)");
	if ((in = scope_region(r, a[1])) == NULL)
		return bad_region(r);
	memset(&acc, 0, sizeof(acc));
	lf_error_clear(&err);
	acc.r = r;
	if ((acc.sp = load(r, &err)) == NULL)
		return reply_lf_error(r, &err);
	acc.rows = json_array();
	if (supply_gaps(r->s, acc.sp, in, year, on_gap, &acc, &err) != 0) {
		json_decref(acc.rows);
		supply_free((struct supply *)acc.sp);
		return reply_lf_error(r, &err);
	}
	http_audit(r, "supply.gaps", "region", in->code, "ok", "");
	{
		json_t *out = json_pack("{s:s,s:s,s:i,s:o,s:o}", "region",
		    in->code, "region_name", in->name, "year", year, "counties",
		    acc.rows, "totals", totals(&acc, in));

		supply_free((struct supply *)acc.sp);
		return reply_json(r, 200, out);
	}
}

/* GET /api/v1/supply/list?year=&county=&item= */
enum MHD_Result
h_supply_list(struct req *r)
{
	static const char *const names[] = { "year", "county", "item", NULL };
	const char *a[4] = { NULL, NULL, NULL, NULL };
	const struct supply_item *it;
	const struct region *in;
	struct supply_list l;
	struct lf_error err;
	struct supply *sp;
	json_t *list, *out;
	size_t i;
	int year;

	if (!access_allowed(&r->who, ACT_PLAN_BATCH, 0))
		return forbidden(r, "supply.list");
	if (http_query_args(r, names, a) != 0 || a[1] == NULL || a[2] == NULL
	    || (year = year_of(a[0])) < 0)
		return reply_error(r, 400, "bad_request", "", "参数无效: 需要 "
		    "county、item，可选 year (bad query: county and item needed)");
	if ((in = scope_region(r, a[1])) == NULL || in->level != RL_COUNTY)
		return bad_region(r);
	lf_error_clear(&err);
	if ((sp = load(r, &err)) == NULL)
		return reply_lf_error(r, &err);
	if ((it = supply_item_find(sp, a[2])) == NULL) {
		supply_free(sp);
		return reply_error(r, 400, "bad_request", "item", "未知的辅具或"
		    "服务 (unknown device or service)");
	}
	if (supply_list_build(r->s, sp, it, in->code, year, store_today(), &l,
	    &err) != 0) {
		supply_free(sp);
		return reply_lf_error(r, &err);
	}
	list = json_array();
	for (i = 0; i < l.n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:I,s:b,s:i,"
		    "s:b,s:b,s:i}", "person", l.v[i].uid, "region",
		    l.v[i].region, "priority", (json_int_t)l.v[i].priority,
		    "severe", l.v[i].severe, "age", l.v[i].age, "served",
		    l.v[i].served, "allocated", l.v[i].allocated, "rank",
		    (int)i + 1));
	out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:o}",
	    "county", in->code, "county_name", in->name, "item", it->code,
	    "item_name", it->name_zh, "unit", it->unit, "year", year, "demand",
	    (json_int_t)l.n, "stock", (json_int_t)l.stock, "issued",
	    (json_int_t)l.issued, "remaining", (json_int_t)l.remaining, "gap",
	    (json_int_t)l.gap, "list", list);
	mem_free(l.v);
	supply_free(sp);
	http_audit(r, "supply.list", "region", in->code, "ok", http_audit_kv(
	    HTTP_AUDIT_KV, "supply", a[2]));
	return reply_json(r, 200, out);
}

/* Checks the rows and that each county lies in the caller's scope. */
static int
stock_check(struct req *r, const struct supply *sp, const char *const *f,
    size_t n, struct supply_stock *row, struct lf_error *err)
{
	const struct region *rg;

	if (supply_stock_row(sp, r->app->regions, f, n, row, err) != 0)
		return -1;
	rg = regions_find(r->app->regions, row->county);
	if (!region_contains(r->who.scope, rg->code12)) {
		lf_error_set(err, "bad_region", "区县", "区县: 不在您的范围内 "
		    "(county outside your scope)");
		err->column = 1;
		return -1;
	}
	return 0;
}

static enum MHD_Result
stock_commit(struct req *r, struct supply_stock *rows, size_t n)
{
	struct lf_error err;
	char detail[32];
	int rc;

	lf_error_clear(&err);
	rc = supply_stock_put(r->s, rows, n, r->who.login, &err);
	snprintf(detail, sizeof(detail), "rows=%zu", n);
	http_audit(r, "supply.stock", "supply", "", rc == 0 ? "ok" : "failed",
	    detail);
	if (rc != 0)
		return reply_lf_error(r, &err);
	return reply_json(r, 200, json_pack("{s:I}", "rows", (json_int_t)n));
}

/* PUT /api/v1/supply/stock {"year", "rows": [{"county","item",
 * "quantity"}]}: the screen's entry; all rows or none. */
enum MHD_Result
h_supply_stock_put(struct req *r)
{
	static const char *const allowed[] = { "year", "rows", NULL };
	struct supply_stock *rows = NULL;
	struct lf_error err;
	struct supply *sp = NULL;
	enum MHD_Result res;
	json_t *body, *arr, *o;
	char year[8], qty[24], field[64];
	const char *f[4];
	size_t i, n = 0;

	if (!access_allowed(&r->who, ACT_PLAN_BATCH, 0))
		return forbidden(r, "supply.stock");
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	lf_error_clear(&err);
	arr = json_object_get(body, "rows");
	o = json_object_get(body, "year");
	if (!json_is_integer(o) || !json_is_array(arr) ||
	    json_array_size(arr) < 1 || json_array_size(arr) > STOCK_ROWS_MAX) {
		lf_error_set(&err, "bad_request", "rows", "需要 year 和 1-2000 行 "
		    "rows (year and 1-2000 rows needed)");
		goto out;
	}
	snprintf(year, sizeof(year), "%lld", (long long)json_integer_value(o));
	if ((sp = load(r, &err)) == NULL || (rows = mem_calloc(
	    json_array_size(arr), sizeof(*rows))) == NULL)
		goto out;
	for (i = 0; i < json_array_size(arr); i++, n++) {
		o = json_array_get(arr, i);
		snprintf(qty, sizeof(qty), "%lld", json_is_integer(
		    json_object_get(o, "quantity")) ? (long long)
		    json_integer_value(json_object_get(o, "quantity")) : -1LL);
		f[0] = json_string_value(json_object_get(o, "county"));
		f[1] = json_string_value(json_object_get(o, "item"));
		f[2] = year;
		f[3] = qty;
		if (f[0] == NULL || f[1] == NULL || stock_check(r, sp, f, 4,
		    &rows[i], &err) != 0) {
			if (err.code == NULL)
				lf_error_set(&err, "invalid", "county", "需要 "
				    "county 和 item (county and item needed)");
			snprintf(field, sizeof(field), "rows[%zu]", i);
			snprintf(err.field, sizeof(err.field), "%s", field);
			goto out;
		}
	}
	res = stock_commit(r, rows, n);
	err.code = NULL;
out:
	json_decref(body);
	supply_free(sp);
	mem_free(rows);
	return err.code != NULL ? reply_lf_error(r, &err) : res;
}

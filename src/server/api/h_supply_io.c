/*
 * h_supply_io.c - stock imported as CSV or xlsx, and issuing from a
 * distribution list (supply/supply.h), over HTTP.
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
#include "io/xlsx_csv.h"
#include "store/plan.h"
#include "supply/supply.h"

#define STOCK_ROWS_MAX	2000
#define BAD_ROWS_MAX	50

static const char *const stock_head[4] = { "区县代码", "物品", "年度",
	"数量" };

struct imp {
	struct req		*r;
	const struct supply	*sp;
	struct supply_stock	*rows;
	size_t			 n;
	int			 col[4];
	json_t			*bad;
	const char		*file;	/* "stock.csv" or "stock.xlsx" */
};

static void
bad_row(struct imp *im, unsigned long line, unsigned col, const char *why)
{
	char msg[512];

	if (json_array_size(im->bad) >= BAD_ROWS_MAX)
		return;
	snprintf(msg, sizeof(msg), "%s:%lu:%u: %s", im->file, line, col,
	    why);
	json_array_append_new(im->bad, json_string(msg));
}

static int
header(struct imp *im, const struct csv_row *row)
{
	size_t i, k;

	for (k = 0; k < 4; k++) {
		im->col[k] = -1;
		for (i = 0; i < row->nfields; i++)
			if (strcmp(row->fields[i], stock_head[k]) == 0)
				im->col[k] = (int)i;
		if (im->col[k] < 0) {
			char why[96];

			snprintf(why, sizeof(why), "缺少列“%s” (missing column)",
			    stock_head[k]);
			bad_row(im, row->line, 1, why);
			return -1;
		}
	}
	return 0;
}

static void
data_row(struct imp *im, const struct csv_row *row)
{
	struct lf_error err;
	const char *f[4];
	const struct region *rg;
	size_t k;

	for (k = 0; k < 4; k++)
		f[k] = (size_t)im->col[k] < row->nfields ?
		    row->fields[im->col[k]] : "";
	lf_error_clear(&err);
	if (supply_stock_row(im->sp, im->r->app->regions, f, 4,
	    &im->rows[im->n], &err) != 0) {
		bad_row(im, row->line, (unsigned)im->col[err.column - 1] + 1,
		    err.message);
		return;
	}
	rg = regions_find(im->r->app->regions, im->rows[im->n].county);
	if (!region_contains(im->r->who.scope, rg->code12)) {
		bad_row(im, row->line, (unsigned)im->col[0] + 1, "区县代码: 不在"
		    "您的范围内 (county outside your scope)");
		return;
	}
	im->n++;
}

static int
read_all(struct imp *im, FILE *fp, int encoding)
{
	struct csv_reader *cr;
	struct csv_error ce;
	struct csv_row row;
	int rc, first = 1;

	if ((cr = csv_open(fp, im->file, encoding, &ce)) == NULL) {
		json_array_append_new(im->bad, json_string(ce.message));
		return -1;
	}
	while ((rc = csv_next(cr, &row, &ce)) == 1) {
		if (first) {
			first = 0;
			if (header(im, &row) != 0)
				break;
			continue;
		}
		if (im->n + json_array_size(im->bad) >= STOCK_ROWS_MAX) {
			bad_row(im, row.line, 1, "行数过多 (too many rows)");
			break;
		}
		data_row(im, &row);
	}
	if (rc < 0)
		json_array_append_new(im->bad, json_string(ce.message));
	else if (first)
		bad_row(im, 1, 1, "缺少表头 (no header row)");
	csv_close(cr);
	return 0;
}

/* The body as CSV: itself, or an .xlsx workbook's first sheet
 * (io/xlsx_csv.h) when it starts as one. NULL with the reason in im->bad. */
static FILE *
body_csv(struct imp *im, int *encoding)
{
	const struct req *r = im->r;
	struct csv_error ce;
	FILE *fp;

	*encoding = CSV_ENC_AUTO;
	im->file = "stock.csv";
	if (!xlsx_is(NULL, (const unsigned char *)r->body.data,
	    r->body.len))
		return fmemopen(r->body.data, r->body.len, "rb");
	im->file = "stock.xlsx";
	*encoding = CSV_ENC_UTF8;
	if ((fp = xlsx_csv_open_mem(r->body.data, r->body.len, im->file,
	    &ce)) == NULL)
		json_array_append_new(im->bad, json_string(ce.message));
	return fp;
}

/* POST /api/v1/supply/stock/import (body: CSV 区县代码,物品,年度,数量 in
 * UTF-8 or GB18030, or an .xlsx workbook whose first sheet holds those
 * columns): all rows or none; every bad row named. */
enum MHD_Result
h_supply_stock_import(struct req *r)
{
	struct imp im;
	struct lf_error err;
	struct supply *sp = NULL;
	enum MHD_Result res;
	FILE *fp;
	int enc;

	if (!access_allowed(&r->who, ACT_PLAN_BATCH, 0))
		return reply_error(r, 403, "forbidden", "", "只有县级及以上干部可"
		    "录入库存 (only county and higher officers enter stock)");
	memset(&im, 0, sizeof(im));
	im.r = r;
	lf_error_clear(&err);
	if (r->body.len == 0)
		return reply_error(r, 400, "bad_request", "", "需要 CSV 或 xlsx "
		    "内容 (a CSV or xlsx body is needed)");
	if (supply_load(r->app->cat, r->app->policies, &sp, &err) != 0 ||
	    (im.rows = mem_calloc(STOCK_ROWS_MAX, sizeof(*im.rows))) == NULL) {
		supply_free(sp);
		return reply_lf_error(r, &err);
	}
	im.sp = sp;
	im.bad = json_array();
	if ((fp = body_csv(&im, &enc)) != NULL) {
		read_all(&im, fp, enc);
		fclose(fp);
	} else if (json_array_size(im.bad) == 0)
		json_array_append_new(im.bad, json_string("无法读取 (cannot "
		    "read the body)"));
	if (json_array_size(im.bad) > 0) {
		http_audit(r, "supply.stock", "supply", "", "invalid",
		    im.file + 6);
		res = reply_json(r, 422, json_pack("{s:{s:s,s:s,s:s,s:O}}",
		    "error", "code", "invalid", "field", "file", "message",
		    "文件有误，未导入任何行 (bad rows; nothing imported)",
		    "rows", im.bad));
	} else if (supply_stock_put(r->s, im.rows, im.n, r->who.login,
	    &err) != 0)
		res = reply_lf_error(r, &err);
	else {
		http_audit(r, "supply.stock", "supply", "", "ok", im.file + 6);
		res = reply_json(r, 200, json_pack("{s:I}", "rows",
		    (json_int_t)im.n));
	}
	json_decref(im.bad);
	mem_free(im.rows);
	supply_free(sp);
	return res;
}

/* POST /api/v1/supply/issue {"person", "item", "year", "date"} */
enum MHD_Result
h_supply_issue(struct req *r)
{
	static const char *const allowed[] = { "person", "item", "year",
	    "date", NULL };
	const struct supply_item *it = NULL;
	struct store_person p;
	struct plan_item io;
	struct plan_delivery d;
	struct lf_error err;
	struct supply *sp = NULL;
	enum MHD_Result res;
	const char *uid, *code, *date;
	json_t *body, *y;
	char today[11], ref[PLAN_REF_LEN + 1];
	int rc;

	if (!access_allowed(&r->who, ACT_PLAN_BATCH, 0))
		return reply_error(r, 403, "forbidden", "", "只有县级及以上干部可"
		    "发放 (only county and higher officers issue)");
	if ((body = req_json(r, allowed, &res)) == NULL)
		return res;
	lf_error_clear(&err);
	uid = json_string_value(json_object_get(body, "person"));
	code = json_string_value(json_object_get(body, "item"));
	date = json_string_value(json_object_get(body, "date"));
	y = json_object_get(body, "year");
	date_format(store_today(), today);
	rc = uid == NULL ? 1 : store_person_by_uid(r->s, uid, &p, &err);
	if (rc == 0 && !region_contains(r->who.scope, strtoll(p.region, NULL,
	    10)))
		rc = 1;
	if (rc == 1) {
		json_decref(body);
		http_audit(r, "supply.issue", "person", "", "not_found", "");
		return reply_not_found(r);
	}
	if (rc == 0 && (supply_load(r->app->cat, r->app->policies, &sp,
	    &err) != 0 || (it = supply_item_find(sp, code ? code : "")) ==
	    NULL || !json_is_integer(y))) {
		if (err.code == NULL)
			lf_error_set(&err, "bad_request", it ? "year" : "item",
			    "需要 item (辅具或服务) 和 year (item and year "
			    "needed)");
		rc = -1;
	}
	if (rc == 0)
		rc = supply_issue(r->s, r->app->policies, sp, it, p.id,
		    (int)json_integer_value(y), date ? date : today,
		    store_today(), r->who.login, &io, &d, &err);
	http_audit(r, "supply.issue", "person", rc == 0 ? p.uid : "", rc == 0 ?
	    "ok" : "invalid", rc == 0 ?
	    http_audit_kv(HTTP_AUDIT_KV, "supply", it->code) : err.code);
	json_decref(body);
	supply_free(sp);
	if (rc == 0)
		rc = plan_item_ref(r->s, io.id, ref, &err);
	if (rc != 0)
		return reply_lf_error(r, &err);
	/* the item by its reference, never the row id (crypto/ref.h) */
	return reply_json(r, 200, json_pack("{s:s,s:I,s:s,s:s}", "item",
	    ref, "delivery", (json_int_t)d.id, "date", d.date,
	    "policy", io.policy));
}

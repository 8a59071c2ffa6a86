/*
 * test_api_insight.c - issue 16 over real HTTP: reconciliation tasks
 * (listed by county and higher only, inside their region; closed with a
 * reason), budgets (shares add up, 1-4 scenarios, xlsx), need-supply
 * matching (stock entry and CSV import refused row by row, gaps, the
 * list), and the `recon` table of the statistics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>
#include <xlsxwriter.h>

#include "core/reconcile.h"
#include "recon/recon.h"
#include "store/store.h"
#include "auth/users.h"
#include "testutil.h"
#include "apiclient.h"

#define YEAR	2024

static const struct api_user users[] = {
	{ "cty1", "county", "510104", NULL },
	{ "cty2", "county", "510105", NULL },
	{ "vil1", "village", "510104017001", NULL },
};

/* Three persons of 锦江区 on a death roster: three 不一致 tasks. */
static void
plant(struct store *s)
{
	struct store_put p = { YEAR, 0, "test", 0, 0 };
	struct store_put_result res;
	struct recon_roster_row rows[3];
	struct recon_run_opts o;
	struct recon_summary sum;
	struct recon_kinds *ks;
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	int i;

	p.today = tu_days("2026-11-29");
	memset(rows, 0, sizeof(rows));
	for (i = 0; i < 3; i++) {
		tu_valid_person(r, i + 1);
		if (store_survey_put(s, r, &p, &res, &err) != 0 ||
		    recon_id_hash(s, tu_id(i + 1), rows[i].hash, &err) != 0)
			fail_msg("%s", err.message);
	}
	record_free(r);
	assert_int_equal(recon_kinds_load(tu_catalog(), &ks, &err), 0);
	memset(&o, 0, sizeof(o));
	o.kind = recon_kind_find(ks, "death");
	o.year = YEAR;
	o.actor = "test";
	if (recon_run(s, rows, 3, &o, NULL, NULL, &sum, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(sum.counts[RF_DISAGREE], 3);
	recon_kinds_free(ks);
}

/* One number from SQL on the test's database (read-only). */
static long long
sql_num(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_open_v2(api_db, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static int
group_setup(void **state)
{
	struct store *s;

	(void)state;
	api_group_begin("insight.db");
	s = api_store_new();
	api_seed_counties(s, 300, 5, 100, 6, YEAR);
	plant(s);
	api_store_done(s, users, API_NELEMS(users));
	/* the roster was imported long ago: the server erases it at start
	 * (roster_keep_days, default 30) */
	assert_int_equal(sql_num("SELECT count(*) FROM roster_rows"), 3);
	sql_num("UPDATE rosters SET imported_at = 1000 RETURNING 0");
	api_start_server();
	return 0;
}

static json_t *
call_want(const struct who *w, const char *method, const char *path,
    const char *body, long want)
{
	struct resp r;
	json_t *j;

	api_call(&r, method, path, body, w, 1);
	if (r.status != want)
		fail_msg("%s %s: %ld, wanted %ld: %s", method, path, r.status,
		    want, buf_str(&r.body));
	j = json_incref(r.json);
	api_done(&r);
	return j;
}

static void
test_recon(void **state)
{
	struct who c1, c2, v;
	json_t *j, *t;
	char path[128];
	long long id;

	(void)state;
	api_login(&c1, "cty1");
	api_login(&c2, "cty2");
	api_login(&v, "vil1");
	j = api_get_json(&c1, "/api/v1/recon/tasks?open=1", 200);
	assert_int_equal(json_array_size(json_object_get(j, "tasks")), 3);
	t = json_array_get(json_object_get(j, "tasks"), 0);
	assert_string_equal(json_string_value(json_object_get(t, "finding")),
	    "disagree");
	assert_string_equal(json_string_value(json_object_get(t, "county")),
	    "510104");
	id = json_integer_value(json_object_get(t, "id"));
	json_decref(j);
	json_decref(api_get_json(&v, "/api/v1/recon/tasks", 403));
	j = api_get_json(&c2, "/api/v1/recon/tasks", 200);
	assert_int_equal(json_array_size(json_object_get(j, "tasks")), 0);
	json_decref(j);
	json_decref(api_get_json(&c2, "/api/v1/recon/tasks?region=510104",
	    400));
	snprintf(path, sizeof(path), "/api/v1/recon/tasks/%lld/close", id);
	json_decref(call_want(&c2, "POST", path, "{\"reason\":\"x\"}", 404));
	json_decref(call_want(&c1, "POST", path, "{\"reason\":\"\"}", 422));
	j = call_want(&c1, "POST", path, "{\"reason\":\"已核实\"}", 200);
	assert_false(json_is_true(json_object_get(j, "open")));
	json_decref(j);
	json_decref(call_want(&c1, "POST", path, "{\"reason\":\"again\"}", 422));
	json_decref(call_want(&c1, "POST", "/api/v1/recon/tasks/abc/close",
	    "{\"reason\":\"x\"}", 404));
	/* the statistics' recon table: two open 不一致 in 锦江区 */
	j = api_get_json(&c1, "/api/v1/stats?year=2024", 200);
	t = json_object_get(json_object_get(j, "recon"), "region");
	assert_int_equal(json_integer_value(json_object_get(t, "disagree")),
	    2);
	json_decref(j);
}

static void
test_budget(void **state)
{
	struct who c1, v;
	struct resp r;
	json_t *j, *y;
	size_t k;

	(void)state;
	api_login(&c1, "cty1");
	api_login(&v, "vil1");
	j = call_want(&c1, "POST", "/api/v1/budget", "{\"year\":2024,\"scenarios\":"
	    "[{\"name\":\"a\",\"expression\":\"severe\",\"policy\":"
	    "\"SUB_CARE\",\"amount\":8000},{\"name\":\"b\",\"expression\":"
	    "\"age >= 60\",\"amount\":10000,\"per\":\"year\"}]}", 200);
	assert_int_equal(json_array_size(json_object_get(j, "scenarios")), 2);
	y = json_object_get(json_array_get(json_object_get(j, "scenarios"), 0),
	    "years");
	assert_int_equal(json_array_size(y), 4);
	for (k = 0; k < 4; k++) {
		json_t *o = json_array_get(y, k);
		json_int_t cost = json_integer_value(json_object_get(o,
		    "cost"));

		assert_int_equal(cost, json_integer_value(json_object_get(o,
		    "province")) + json_integer_value(json_object_get(o,
		    "city")) + json_integer_value(json_object_get(o,
		    "county")));
		if (k == 0) {
			/* 成都 SUB_CARE: 50 / 20 / 30 */
			assert_int_equal(cost, json_integer_value(
			    json_object_get(o, "persons")) * 96000);
			assert_int_equal(json_integer_value(json_object_get(o,
			    "province")) * 2, cost);
		}
	}
	json_decref(j);
	j = call_want(&c1, "POST", "/api/v1/budget", "{\"year\":2024,\"scenarios\":"
	    "[{\"expression\":\"severe and\",\"amount\":1}]}", 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "error"), "field")), "expression");
	json_decref(j);
	json_decref(call_want(&c1, "POST", "/api/v1/budget", "{\"year\":2024,"
	    "\"scenarios\":[]}", 422));
	json_decref(call_want(&v, "POST", "/api/v1/budget", "{\"year\":2024,"
	    "\"scenarios\":[{\"expression\":\"severe\",\"amount\":1}]}", 403));
	api_call(&r, "POST", "/api/v1/budget", "{\"year\":2024,\"format\":"
	    "\"xlsx\",\"scenarios\":[{\"expression\":\"severe\",\"amount\":1},"
	    "{\"expression\":\"dibao\",\"amount\":2}]}", &c1, 1);
	assert_int_equal(r.status, 200);
	assert_true(r.body.len > 1000);
	assert_memory_equal(buf_str(&r.body), "PK", 2);
	api_done(&r);
}

/* rows[i] = { county, item, year, quantity } written to a workbook in
 * api_dir (quantity as a number cell), POSTed as the import's body. */
static json_t *
post_stock_xlsx(const struct who *w, const char *const (*rows)[4],
    size_t n, long want)
{
	static const char *const head[4] = { "区县代码", "物品", "年度", "数量" };
	char path[160], *data;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	json_t *j;
	FILE *fp;
	long len;
	size_t i, k;

	snprintf(path, sizeof(path), "%s/stock.xlsx", api_dir);
	wb = workbook_new(path);
	ws = workbook_add_worksheet(wb, NULL);
	for (k = 0; k < 4; k++)
		worksheet_write_string(ws, 0, (lxw_col_t)k, head[k], NULL);
	for (i = 0; i < n; i++)
		for (k = 0; k < 4; k++)
			if (k == 3)
				worksheet_write_number(ws, (lxw_row_t)i + 1, 3,
				    atof(rows[i][3]), NULL);
			else
				worksheet_write_string(ws, (lxw_row_t)i + 1,
				    (lxw_col_t)k, rows[i][k], NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	assert_non_null(fp = fopen(path, "rb"));
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	assert_non_null(data = malloc((size_t)len));
	assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	api_body_len = (size_t)len;
	api_content_type = "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet";
	j = call_want(w, "POST", "/api/v1/supply/stock/import", data, want);
	api_body_len = 0;
	api_content_type = NULL;
	free(data);
	return j;
}

static long long
stock_of(const struct who *w, const char *item)
{
	json_t *j = api_get_json(w, "/api/v1/supply/gaps?year=2024", 200);
	json_t *rows = json_object_get(j, "counties"), *o;
	long long n = -1;
	size_t i;

	for (i = 0; i < json_array_size(rows); i++) {
		o = json_array_get(rows, i);
		if (strcmp(json_string_value(json_object_get(o, "item")),
		    item) == 0 && strcmp(json_string_value(json_object_get(o,
		    "county")), "510104") == 0)
			n = json_integer_value(json_object_get(o, "stock"));
	}
	json_decref(j);
	return n;
}

/* The stock import takes an .xlsx workbook too: refused row by row as
 * stock.xlsx:ROW:COLUMN, a damaged one refused as such, a good one
 * imported. */
static void
test_supply_xlsx(void **state)
{
	static const char *const bad[2][4] = {
		{ "510104", "助听器", "2024", "5" },
		{ "510104", "飞机", "2024", "1" },
	};
	static const char *const good[1][4] = {
		{ "510104", "助听器", "2024", "5" },
	};
	struct who c1;
	json_t *j, *rows;

	(void)state;
	api_login(&c1, "cty1");
	assert_true(stock_of(&c1, "hearing_aid") != 5);
	j = post_stock_xlsx(&c1, bad, 2, 422);
	rows = json_object_get(json_object_get(j, "error"), "rows");
	assert_int_equal(json_array_size(rows), 1);
	assert_non_null(strstr(json_string_value(json_array_get(rows, 0)),
	    "stock.xlsx:3:2:"));
	json_decref(j);
	assert_true(stock_of(&c1, "hearing_aid") != 5);
	api_body_len = 12;
	j = call_want(&c1, "POST", "/api/v1/supply/stock/import",
	    "PK\003\004damaged!!", 422);
	api_body_len = 0;
	rows = json_object_get(json_object_get(j, "error"), "rows");
	assert_non_null(strstr(json_string_value(json_array_get(rows, 0)),
	    "stock.xlsx: 不是可读的 xlsx 工作簿"));
	json_decref(j);
	j = post_stock_xlsx(&c1, good, 1, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "rows")), 1);
	json_decref(j);
	assert_int_equal(stock_of(&c1, "hearing_aid"), 5);
}

static void
test_supply(void **state)
{
	struct who c1;
	json_t *j, *rows, *o;
	size_t i, alloc = 0;
	long long demand = -1;

	(void)state;
	api_login(&c1, "cty1");
	json_decref(call_want(&c1, "PUT", "/api/v1/supply/stock", "{\"year\":2024,"
	    "\"rows\":[{\"county\":\"510104\",\"item\":\"轮椅\",\"quantity\":"
	    "2}]}", 200));
	j = call_want(&c1, "PUT", "/api/v1/supply/stock", "{\"year\":2024,\"rows\":"
	    "[{\"county\":\"510105\",\"item\":\"wheelchair\",\"quantity\":1}]}",
	    422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "error"), "field")), "rows[0]");
	json_decref(j);
	j = call_want(&c1, "POST", "/api/v1/supply/stock/import",
	    "区县代码,物品,年度,数量\n510104,助听器,2024,3\n"
	    "510104,飞机,2024,1\n510104,轮椅,2024,-1\n", 422);
	rows = json_object_get(json_object_get(j, "error"), "rows");
	assert_int_equal(json_array_size(rows), 2);
	assert_non_null(strstr(json_string_value(json_array_get(rows, 0)),
	    "stock.csv:3:2:"));
	assert_non_null(strstr(json_string_value(json_array_get(rows, 1)),
	    "stock.csv:4:4:"));
	json_decref(j);
	j = api_get_json(&c1, "/api/v1/supply/gaps?year=2024", 200);
	rows = json_object_get(j, "counties");
	for (i = 0; i < json_array_size(rows); i++) {
		o = json_array_get(rows, i);
		/* the refused import left the hearing aids at 0 */
		if (strcmp(json_string_value(json_object_get(o, "item")),
		    "hearing_aid") == 0)
			assert_int_equal(json_integer_value(json_object_get(o,
			    "stock")), 0);
		if (strcmp(json_string_value(json_object_get(o, "item")),
		    "wheelchair") != 0)
			continue;
		assert_int_equal(json_integer_value(json_object_get(o,
		    "stock")), 2);
		demand = json_integer_value(json_object_get(o, "demand"));
	}
	json_decref(j);
	assert_true(demand > 0);
	j = api_get_json(&c1, "/api/v1/supply/list?year=2024&county=510104&"
	    "item=wheelchair", 200);
	rows = json_object_get(j, "list");
	assert_int_equal((long long)json_array_size(rows), demand);
	for (i = 0; i < json_array_size(rows); i++) {
		o = json_array_get(rows, i);
		alloc += json_is_true(json_object_get(o, "allocated"));
		if (i > 0)
			assert_true(json_integer_value(json_object_get(o,
			    "priority")) <= json_integer_value(json_object_get(
			    json_array_get(rows, i - 1), "priority")));
	}
	assert_int_equal(alloc, demand < 2 ? demand : 2);
	/* a draft plan cannot take a delivery: refused, nothing written */
	o = json_array_get(rows, 0);
	{
		char body[256];

		snprintf(body, sizeof(body), "{\"person\":\"%s\",\"item\":"
		    "\"wheelchair\",\"year\":2024,\"date\":\"2024-08-01\"}",
		    json_string_value(json_object_get(o, "person")));
		json_decref(call_want(&c1, "POST", "/api/v1/supply/issue", body,
		    422));
	}
	json_decref(j);
	json_decref(api_get_json(&c1, "/api/v1/supply/list?year=2024&"
	    "county=510105&item=wheelchair", 400));
}

static void
test_erased_at_start(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 100 && sql_num("SELECT count(*) FROM roster_rows") !=
	    0; i++)
		usleep(50000);
	assert_int_equal(sql_num("SELECT count(*) FROM roster_rows"), 0);
	assert_int_equal(sql_num("SELECT count(*) FROM rosters WHERE "
	    "erased_at IS NOT NULL"), 1);
	/* the tasks stay */
	assert_int_equal(sql_num("SELECT count(*) FROM recon_tasks"), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_erased_at_start),
		cmocka_unit_test(test_recon),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_supply),
		cmocka_unit_test(test_supply_xlsx),
	};

	return cmocka_run_group_tests_name("api-insight", tests, group_setup,
	    api_group_teardown);
}

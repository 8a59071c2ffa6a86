/*
 * test_labels.c - reasons a person can read (issue 14, point 3): no raw
 * code in what people read. Over 1,500 synthetic surveys (need scale 3,
 * so that most policies and unmet needs come up), every explanation of
 * a proposal and every unmet-need reason, in Chinese and English, and
 * every cell of `liangfu export --items` meant for people (all but the
 * machine columns 政策代码 and 村(社区)代码), and the statistics CSV
 * (`liangfu stats --csv`) must name no catalog item
 * code (those with an '_'), no policy code and no 五个一批 code, and must
 * not show an option as a code, neither "5(一般农户)" nor "{1,4}".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bulk/export.h"
#include "plan/planner.h"
#include "core/policy.h"
#include "core/region.h"
#include "synth/synth.h"
#include "stats/report.h"
#include "store/plan.h"
#include "stats/stats_load.h"
#include "store/store.h"
#include "testutil.h"

#define YEAR	2024
#define NPERS	1500

static struct policies *ps;
static size_t checked;

/* Fails when text holds a code people should not read. */
static void
no_code(const char *text, const char *what)
{
	const struct catalog *cat = tu_catalog();
	const char *p;
	size_t i;
	int b;

	checked++;
	for (i = 0; i < cat->nfields; i++)
		if (strchr(cat->fields[i].code, '_') != NULL &&
		    strstr(text, cat->fields[i].code) != NULL)
			fail_msg("%s names item %s: %s", what,
			    cat->fields[i].code, text);
	for (i = 0; i < ps->n; i++)
		if (strstr(text, ps->v[i].code) != NULL)
			fail_msg("%s names policy %s: %s", what, ps->v[i].code,
			    text);
	for (b = 0; b < NBATCHES - 1; b++)
		if (strstr(text, policy_batch_get((enum policy_batch)b)->code))
			fail_msg("%s names batch %s: %s", what,
			    policy_batch_get((enum policy_batch)b)->code, text);
	/* an option as "code(label)" or a set as "{codes}" */
	for (p = text; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9' && p[1] == '(')
			fail_msg("%s shows an option code: %s", what, text);
		if (*p == '{')
			fail_msg("%s shows a set of codes: %s", what, text);
	}
}

static void
test_explanations(void **state)
{
	const struct catalog *cat = tu_catalog();
	struct planner_result res;
	struct record *r = record_new(cat);
	struct synth *sy;
	struct expr_ctx ctx;
	struct lf_error err;
	size_t i, k, items = 0, unmet = 0;

	(void)state;
	assert_non_null(r);
	if (synth_new(cat, tu_regions(), regions_find(tu_regions(), "510182"),
	    5, tu_days("2024-12-31"), &sy, &err) != 0 ||
	    synth_set_first_year(sy, YEAR, &err) != 0 ||
	    synth_set_need_scale(sy, 3, &err) != 0)
		fail_msg("%s", err.message);
	planner_result_init(&res);
	for (k = 0; k < NPERS; k++) {
		if (synth_person(sy, k, YEAR, r, &err) != 0)
			fail_msg("%s", err.message);
		ctx.ref_days = tu_days("2024-05-10");
		ctx.year = YEAR;
		ctx.village = r->num[catalog_find(cat, "residence_region",
		    strlen("residence_region"))->index];
		ctx.disaster = NULL;
		if (planner_propose(ps, r, &ctx, PLANNER_EXPLAIN, &res,
		    &err) != 0)
			fail_msg("%s", err.message);
		for (i = 0; i < res.nitems; i++) {
			no_code(res.items[i].why_zh, "why (zh)");
			no_code(res.items[i].why_en, "why (en)");
		}
		for (i = 0; i < res.nunmet; i++) {
			no_code(res.unmet[i].why_zh, "unmet (zh)");
			no_code(res.unmet[i].why_en, "unmet (en)");
		}
		items += res.nitems;
		unmet += res.nunmet;
	}
	assert_true(items > 1000);
	assert_true(unmet > 100);
	planner_result_free(&res);
	synth_free(sy);
	record_free(r);
}

/* Splits a CSV line (no quoted commas are written for these columns
 * except in texts; a quoted field is taken whole). */
static size_t
csv_cells(char *line, char **cells, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		if (*p == '"') {
			cells[n++] = ++p;
			while (*p != '\0' && !(p[0] == '"' && p[1] != '"'))
				p += p[0] == '"' ? 2 : 1;
			if (*p == '"')
				*p++ = '\0';
		} else {
			cells[n++] = p;
			p += strcspn(p, ",");
		}
		if (*p != ',')
			break;
		*p++ = '\0';
	}
	return n;
}

/* The statistics of the same store as CSV: every line is for people. */
static void
stats_csv(struct store *s, const char *dir)
{
	struct stats_query q = { regions_find(tu_regions(), "510182"), NULL,
	    0, tu_days("2024-12-31") };
	struct report *rep;
	struct stats *st;
	struct lf_error err;
	char path[256], line[1 << 16];
	size_t n = 0;
	FILE *fp;

	st = stats_new(tu_catalog(), tu_regions(), ps, YEAR);
	assert_non_null(st);
	if (stats_load(s, st, ps, NULL, NULL, &err) != 0 ||
	    report_build(st, tu_catalog(), &q, NULL, &rep, &err) != 0)
		fail_msg("%s", err.message);
	snprintf(path, sizeof(path), "%s/stats.csv", dir);
	if (report_csv_write(rep, path, &err) != 0)
		fail_msg("%s", err.message);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		no_code(line, "stats CSV");
		n++;
	}
	fclose(fp);
	assert_true(n > 100);
	report_free(rep);
	stats_free(st);
}

static void
test_items_csv(void **state)
{
	char dir[TU_DIR_MAX], db[TU_DB_MAX], path[256], line[8192];
	char *cells[32];
	struct plan_build_stats st;
	struct lf_error err;
	struct store *s;
	uint64_t rows;
	size_t n, c, lines = 0;
	FILE *fp;

	(void)state;
	s = tu_store_new(dir, db, "l.db");
	tu_seed_county(s, "510182", 300, 3, YEAR);
	memset(&st, 0, sizeof(st));
	if (plan_build_all(s, ps, NULL, YEAR, NULL, "t", NULL, NULL, &st,
	    &err) != 0)
		fail_msg("%s", err.message);
	snprintf(path, sizeof(path), "%s/items.csv", dir);
	if (export_items_csv(s, tu_regions(), ps, YEAR, NULL, path, 0, &rows,
	    &err) != 0)
		fail_msg("%s", err.message);
	assert_true(rows > 100);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		n = csv_cells(line, cells, 32);
		if (lines++ == 0)
			continue;	/* the header */
		for (c = 0; c < n; c++)
			if (c != 3 && c != 6)	/* 村(社区)代码, 政策代码 */
				no_code(cells[c], "items CSV");
	}
	fclose(fp);
	assert_int_equal(lines, rows + 1);
	stats_csv(s, dir);
	store_close(s);
	tu_rmdir(dir);
}

static int
setup(void **state)
{
	struct lf_error err;

	(void)state;
	if (policies_load_embedded(tu_catalog(), &ps, &err) != 0)
		fail_msg("%s", err.message);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	policies_free(ps);
	assert_true(checked > 0);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explanations),
		cmocka_unit_test(test_items_csv),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

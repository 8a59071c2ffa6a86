/*
 * test_stats_snap.c - statistics snapshots (stats/stats_snap.h) and the
 * database's write counter (store/stats_gen.h).
 *
 * Two counties are seeded with plans; the engine loaded from the
 * database is written to a snapshot and read back: every report (the
 * province, a city, a county, a township, with and without filters)
 * must be the same JSON, and so after the same writes applied to both.
 * A snapshot with another label (a write since), a damaged byte, a cut
 * file and another year's layout are refused with their own error. Every
 * change of persons, surveys, plans and items moves the write counter in
 * its transaction (a rolled back one does not), and the watch counts the
 * moves this thread's connection committed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/disaster.h"
#include "lib/embedded.h"
#include "core/policy.h"
#include "lib/mem.h"
#include "stats/stats.h"
#include "stats/stats_snap.h"
#include "stats/report.h"
#include "plan/plan.h"
#include "store/plan.h"
#include "store/stats_gen.h"
#include "stats/stats_load.h"
#include "store/store.h"
#include "testutil.h"

#define YEAR	2025

static char dir[64], db[128], snap[256];
static struct policies *ps;
static struct disaster *dis;
static struct store *s;

static int
setup(void **state)
{
	struct plan_build_stats bs;
	struct lf_error err;

	(void)state;
	tu_rules(&ps, &dis);
	s = tu_store_new(dir, db, "snap.db");
	snprintf(snap, sizeof(snap), "%s/snap.db.stats-%d", dir, YEAR);
	tu_seed_county(s, "510182", 700, 7, YEAR);
	tu_seed_county(s, "513322", 300, 8, YEAR);
	memset(&bs, 0, sizeof(bs));
	if (plan_build_all(s, ps, dis, YEAR, NULL, "test", NULL, NULL, &bs,
	    &err) != 0)
		fail_msg("plan_build_all: %s", err.message);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	store_close(s);
	policies_free(ps);
	disaster_free(dis);
	tu_rmdir(dir);
	tu_env_free();
	return 0;
}

static struct stats *
load(void)
{
	struct stats *st = stats_new(tu_catalog(), tu_regions(), ps, YEAR);
	struct lf_error err;

	assert_non_null(st);
	if (stats_load(s, st, ps, NULL, NULL, &err) != 0)
		fail_msg("stats_load: %s", err.message);
	return st;
}

static uint64_t
gen(void)
{
	struct lf_error err;
	uint64_t g;

	if (stats_gen_get(s, &g, &err) != 0)
		fail_msg("stats_gen_get: %s", err.message);
	return g;
}

/* The report of region code with spec (NULL: none) as its filter, given
 * ntimes (a repeated filter selects the same persons, but is counted by
 * scanning them), as JSON text without the list of filters. */
static char *
report_n(const struct stats *st, const char *code, const char *spec,
    size_t ntimes)
{
	struct stats_filter flt[4];
	struct stats_query q;
	struct report *rep;
	struct lf_error err;
	json_t *j;
	char *text;

	memset(&q, 0, sizeof(q));
	q.in = regions_find(tu_regions(), code);
	assert_non_null(q.in);
	q.today = tu_days("2025-09-30");
	if (spec != NULL) {
		if (report_filter_parse(st, tu_catalog(), spec, &flt[0], &err) !=
		    0)
			fail_msg("filter %s: %s", spec, err.message);
		for (q.nfilters = 1; q.nfilters < ntimes; q.nfilters++)
			flt[q.nfilters] = flt[0];
		q.filters = flt;
	}
	if (report_build(st, tu_catalog(), &q, "2025-09-30T00:00:00Z", &rep,
	    &err) != 0)
		fail_msg("report %s: %s", code, err.message);
	j = report_json(rep);
	assert_non_null(j);
	json_object_del(j, "filters");
	text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_non_null(text);
	json_decref(j);
	report_free(rep);
	return text;
}

static char *
report(const struct stats *st, const char *code, const char *spec)
{
	return report_n(st, code, spec, 1);
}

static const char *const regions_asked[] = { "51", "5101", "510182",
	"513322", NULL };
static const char *const filters_asked[] = { NULL,
	"disability_grade=1,2", "gender=1", NULL };

static void
same_reports(const struct stats *a, const struct stats *b)
{
	char *ta, *tb;
	size_t i, j;

	for (i = 0; regions_asked[i] != NULL; i++)
		for (j = 0; j < 3; j++) {
			ta = report(a, regions_asked[i], filters_asked[j]);
			tb = report(b, regions_asked[i], filters_asked[j]);
			if (strcmp(ta, tb) != 0)
				fail_msg("report of %s (%s) differs",
				    regions_asked[i], filters_asked[j] ?
				    filters_asked[j] : "no filter");
			free(ta);
			free(tb);
		}
}

/* A fresh engine from the snapshot at label g. */
static int
read_snap(uint64_t g, struct stats **out, struct lf_error *err)
{
	*out = stats_new(tu_catalog(), tu_regions(), ps, YEAR);
	assert_non_null(*out);
	lf_error_clear(err);
	if (stats_snap_read(*out, g, snap, err) == 0)
		return 0;
	stats_free(*out);
	*out = NULL;
	return -1;
}

/* Runs sql on a connection of its own (as a SQL shell would). */
static void
external(const char *sql)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/* A new person with a survey, written on s. */
static int
put_new(int seq, struct lf_error *err)
{
	struct store_put p = { YEAR, 0, "test", 0, 0 };
	struct store_put_result res;
	struct record *r = record_new(tu_catalog());
	int rc;

	assert_non_null(r);
	tu_valid_person(r, seq);
	tu_set(r, "fill_date", "2025-05-10");
	p.today = tu_days("2025-09-30");
	rc = store_survey_put(s, r, &p, &res, err);
	record_free(r);
	return rc;
}

/* Persons whose survey the tests change. */
static int64_t
some_person(int k)
{
	sqlite3_stmt *q;
	sqlite3 *h;
	int64_t id = 0;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT person_id FROM items "
	    "ORDER BY person_id LIMIT 1 OFFSET ?", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_int(q, 1, k);
	if (sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(h);
	assert_true(id > 0);
	return id;
}

/* Filters on the pivot items are answered from per-county slices for
 * counties and above: the same figures as scanning the persons. */
static void
slices_equal_scans(const struct stats *st)
{
	static const char *const specs[] = { "gender=2", "disability_grade=1,2",
	    "disability_grade=4", "disability_category=1,5,7",
	    "hukou_type=1", "card_status=1", "self_care_ability=3,4",
	    "birth_date=0,1,2", "birth_date=6", NULL };
	char *fast, *slow;
	size_t i, j;

	for (i = 0; regions_asked[i] != NULL; i++)
		for (j = 0; specs[j] != NULL; j++) {
			fast = report_n(st, regions_asked[i], specs[j], 1);
			slow = report_n(st, regions_asked[i], specs[j], 2);
			if (strcmp(fast, slow) != 0)
				fail_msg("%s filtered by %s: slices differ from "
				    "the scan", regions_asked[i], specs[j]);
			free(fast);
			free(slow);
		}
}

static int64_t
next_grade(int64_t g)
{
	return 1 + g % 4;
}

static int64_t
other_gender(int64_t g)
{
	return 3 - g;
}

static void
test_slices(void **state)
{
	struct stats *a = load();
	struct lf_error err;
	int64_t id;
	int k;

	(void)state;
	slices_equal_scans(a);
	/* after persons move to another county, leave, change */
	for (k = 0; k < 60; k += 3) {
		id = some_person(k * 5);
		if (k % 2 == 0)
			stats_person_remove(a, id);
		else
			assert_int_equal(stats_person_set(a, id,
			    "510104017001", 1, NULL, &err), 0);
	}
	slices_equal_scans(a);
	for (k = 0; k < 60; k += 3)
		assert_int_equal(stats_refresh(s, a, ps, some_person(k * 5),
		    &err), 0);
	slices_equal_scans(a);
	/* pivot values changed in place */
	for (id = 1; id <= 80; id++) {
		tu_poke_num(db, id, "disability_grade", next_grade);
		tu_poke_num(db, id, "gender", other_gender);
		assert_int_equal(stats_refresh(s, a, ps, id, &err), 0);
	}
	slices_equal_scans(a);
	stats_free(a);
}

static void
test_round_trip(void **state)
{
	struct stats *a = load(), *b;
	struct lf_error err;
	int64_t pa, pb, ia, ib;
	size_t ba, bb;
	uint64_t g = gen();

	(void)state;
	assert_int_equal(stats_snap_write(a, g, snap, &err), 0);
	assert_int_equal(access(snap, F_OK), 0);
	if (read_snap(g, &b, &err) != 0)
		fail_msg("read: %s", err.message);
	stats_size(a, &pa, &ia, &ba);
	stats_size(b, &pb, &ib, &bb);
	assert_true(pa > 900);
	assert_int_equal(pa, pb);
	assert_int_equal(ia, ib);
	same_reports(a, b);
	stats_free(a);
	stats_free(b);
}

/* A snapshot read back keeps working: the same writes to the loaded
 * engine and to the one read from its snapshot give the same reports. */
static void
test_writes_after_read(void **state)
{
	struct stats *a = load(), *b;
	struct lf_error err;
	int64_t id;
	int k;

	(void)state;
	assert_int_equal(stats_snap_write(a, 9, snap, &err), 0);
	assert_int_equal(read_snap(9, &b, &err), 0);
	for (k = 0; k < 40; k += 3) {
		id = some_person(k * 7);
		if (k % 2 == 0) {
			stats_person_remove(a, id);
			stats_person_remove(b, id);
		} else {
			assert_int_equal(stats_person_set(a, id,
			    "510104017001", 1, NULL, &err), 0);
			assert_int_equal(stats_person_set(b, id,
			    "510104017001", 1, NULL, &err), 0);
		}
	}
	same_reports(a, b);
	/* and back from the database */
	for (k = 0; k < 40; k += 3) {
		id = some_person(k * 7);
		assert_int_equal(stats_refresh(s, a, ps, id, &err), 0);
		assert_int_equal(stats_refresh(s, b, ps, id, &err), 0);
	}
	same_reports(a, b);
	stats_free(a);
	stats_free(b);
}

static void
test_stale_refused(void **state)
{
	struct stats *a = load(), *b;
	struct lf_error err;
	uint64_t g = gen();
	static const char *const writes[] = {
		"UPDATE persons SET status = status WHERE id = 5",
		"UPDATE surveys SET year = year WHERE person_id = 5",
		"UPDATE plans SET status = status WHERE person_id = 5",
		"UPDATE items SET status = status WHERE id = 1",
		NULL
	};
	size_t i;

	(void)state;
	assert_int_equal(stats_snap_write(a, g, snap, &err), 0);
	assert_int_equal(read_snap(g, &b, &err), 0);
	stats_free(b);
	/* any write to the rows the engine reads moves the counter, a SQL
	 * shell's too; the snapshot is then stale */
	for (i = 0; writes[i] != NULL; i++) {
		external(writes[i]);
		assert_true(gen() == g + 1);
		assert_int_equal(read_snap(gen(), &b, &err), -1);
		assert_string_equal(err.code, "stale");
		assert_non_null(strstr(err.message, "stale"));
		g = gen();
	}
	/* a write elsewhere does not */
	external("CREATE TABLE unrelated(x); INSERT INTO unrelated VALUES (1)");
	assert_true(gen() == g);
	stats_free(a);
}

static void
flip_byte(long at)
{
	FILE *fp = fopen(snap, "r+b");
	int c;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, at, at < 0 ? SEEK_END : SEEK_SET), 0);
	c = fgetc(fp);
	assert_int_equal(fseek(fp, -1, SEEK_CUR), 0);
	fputc(c ^ 0x20, fp);
	fclose(fp);
}

static void
test_corrupt_refused(void **state)
{
	struct stats *a = load(), *b;
	struct lf_error err;
	long size;
	FILE *fp;

	(void)state;
	assert_int_equal(stats_snap_write(a, 5, snap, &err), 0);
	fp = fopen(snap, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fclose(fp);
	/* a byte in the middle of the persons */
	flip_byte(size / 2);
	assert_int_equal(read_snap(5, &b, &err), -1);
	assert_string_equal(err.code, "corrupt");
	assert_non_null(strstr(err.message, "damaged"));
	/* the magic */
	assert_int_equal(stats_snap_write(a, 5, snap, &err), 0);
	flip_byte(1);
	assert_int_equal(read_snap(5, &b, &err), -1);
	assert_string_equal(err.code, "corrupt");
	/* cut short */
	assert_int_equal(stats_snap_write(a, 5, snap, &err), 0);
	assert_int_equal(truncate(snap, size - 100), 0);
	assert_int_equal(read_snap(5, &b, &err), -1);
	assert_string_equal(err.code, "corrupt");
	/* another year's engine: another layout */
	assert_int_equal(stats_snap_write(a, 5, snap, &err), 0);
	b = stats_new(tu_catalog(), tu_regions(), ps, YEAR - 1);
	assert_int_equal(stats_snap_read(b, 5, snap, &err), -1);
	assert_string_equal(err.code, "layout");
	stats_free(b);
	/* none */
	unlink(snap);
	assert_int_equal(read_snap(5, &b, &err), -1);
	assert_string_equal(err.code, "not_found");
	stats_free(a);
}

/* Every allocation of a read or a write failing in turn: a clean
 * "no_memory", nothing leaked, and the next try succeeds. */
static void
test_alloc_failures(void **state)
{
	struct stats *a = load(), *b;
	struct lf_error err;
	long n;
	int rc;

	(void)state;
	for (n = 0;; n++) {
		mem_fail_after(n);
		lf_error_clear(&err);
		rc = stats_snap_write(a, 3, snap, &err);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		assert_string_equal(err.code, "no_memory");
	}
	for (n = 0;; n++) {
		b = stats_new(tu_catalog(), tu_regions(), ps, YEAR);
		assert_non_null(b);
		mem_fail_after(n);
		lf_error_clear(&err);
		rc = stats_snap_read(b, 3, snap, &err);
		mem_fail_after(-1);
		stats_free(b);
		if (rc == 0)
			break;
		assert_string_equal(err.code, "no_memory");
	}
	assert_true(n > 10);
	stats_free(a);
}

static void
test_counter_moves(void **state)
{
	struct lf_error err;
	uint64_t g0, g1;

	(void)state;
	stats_gen_watch(s);
	g0 = gen();
	if (put_new(901, &err) != 0)
		fail_msg("put: %s", err.message);
	g1 = gen();
	assert_true(g1 > g0);
	assert_int_equal((int)stats_gen_take(), (int)(g1 - g0));
	assert_int_equal((int)stats_gen_take(), 0);
	/* rolled back: no move, nothing counted */
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(put_new(902, &err), 0);
	store_rollback(s);
	assert_true(gen() == g1);
	assert_int_equal((int)stats_gen_take(), 0);
	/* another connection's writes are not this one's */
	external("UPDATE persons SET status = status WHERE id = 6");
	assert_true(gen() == g1 + 1);
	assert_int_equal((int)stats_gen_take(), 0);
	/* forgotten */
	assert_int_equal(put_new(903, &err), 0);
	stats_gen_forget();
	assert_int_equal((int)stats_gen_take(), 0);
	assert_true(gen() > g1 + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_slices),
		cmocka_unit_test(test_writes_after_read),
		cmocka_unit_test(test_stale_refused),
		cmocka_unit_test(test_corrupt_refused),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_counter_moves),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * test_copy_carry.c - SQLite's bulk writer takes a copy's carried person
 * (store_prep_carry(), liangfu migrate PostgreSQL -> SQLite): the person
 * row gets the carried id and uid, a survey-only put writes the survey
 * alone, no history row is written, later persons are numbered after the
 * largest id; outside a bulk transaction a carried put is refused and
 * writes nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"
#include "testutil.h"

#define UID	"0123456789abcdef0123456789abcdef"
#define UID2	"fedcba9876543210fedcba9876543210"

static int64_t
count(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Prepares person seq's survey of year and writes it carried as id. */
static int
put_carried(struct store *s, struct store_prep *prep, struct record *r,
    int seq, int year, int64_t id, int survey_only, struct lf_error *err)
{
	const char *uid = seq == 1 ? UID : UID2;
	struct store_put put = { year, 0, "migrate", 0, 0 };
	struct store_put_result res;

	record_clear(r);
	tu_valid_person(r, seq);
	assert_int_equal(store_prepare(s, r, &put, prep, err), 0);
	store_prep_carry(prep, id, uid, survey_only);
	return store_write(s, prep, &res, err);
}

static void
test_carried_into_sqlite(void **state)
{
	char dir[TU_DIR_MAX], db[TU_DB_MAX];
	struct store *s = tu_store_new(dir, db, "carry.db");
	struct store_prep *prep = store_prep_new(s->cat);
	struct record *r = record_new(s->cat);
	struct store_put_result res;
	struct lf_error err;

	(void)state;
	assert_non_null(prep);
	assert_non_null(r);
	lf_error_clear(&err);
	/* outside a bulk transaction: refused, nothing written */
	assert_int_equal(put_carried(s, prep, r, 1, 2024, 41, 0, &err), -1);
	assert_string_equal(err.code, "internal");
	assert_int_equal(count(s, "SELECT count(*) FROM persons"), 0);
	/* in one: the carried id and uid, the survey alone the second time */
	assert_int_equal(store_begin_bulk(s, &err), 0);
	assert_int_equal(put_carried(s, prep, r, 1, 2024, 41, 0, &err), 0);
	assert_int_equal(put_carried(s, prep, r, 1, 2024, 41, 1, &err), -1);
	store_rollback(s);
	assert_int_equal(store_begin_bulk(s, &err), 0);
	assert_int_equal(put_carried(s, prep, r, 1, 2024, 41, 0, &err), 0);
	assert_int_equal(put_carried(s, prep, r, 2, 2024, 7, 0, &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM persons WHERE "
	    "(id = 41 AND uid = '" UID "') OR (id = 7 AND uid = '" UID2
	    "')"), 2);
	assert_int_equal(count(s, "SELECT count(*) FROM surveys WHERE "
	    "person_id IN (7, 41) AND year = 2024"), 2);
	assert_int_equal(count(s, "SELECT count(*) FROM history"), 0);
	/* a person loaded later: after the largest id */
	record_clear(r);
	tu_valid_person(r, 3);
	assert_int_equal(store_survey_put(s, r, &(struct store_put){ 2024, 0,
	    "cli:test", 0, 0 }, &res, &err), 0);
	assert_int_equal(count(s, "SELECT max(id) FROM persons"), 42);
	record_free(r);
	store_prep_free(prep);
	store_close(s);
	tu_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_carried_into_sqlite),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tu_env_free();
	return rc;
}

/*
 * test_put_single.c - single survey and person writes (store_survey_put()
 * outside a bulk load, alone or in store_begin()'s transaction): a new
 * person, an unchanged put, an update with its history row, the version
 * check (conflict, nothing written), the reason rule for a grade change
 * (refused without one, its history row with one), a transaction rolled
 * back writing nothing, a failed put inside a transaction leaving it
 * usable, a scoped transaction through PostgreSQL's app role (row-level
 * security refusing another county's put), and writers on two
 * connections at once (every acknowledged write there, each conflict
 * refused whole, new persons numbered apart).
 *
 * On a new SQLite file, and with LIANGFU_TEST_PG_URL set on that
 * PostgreSQL registry (tests/pg/run.sh gives it a database of its own):
 * the same source, the same expectations (issue 18).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/dbq.h"
#include "store/store.h"
#include "testutil.h"

#define YEAR	2024

struct fx {
	char		 dir[TU_DIR_MAX];
	char		 db[TU_DB_MAX];
	struct store	*s;
	struct record	*r;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->s = tu_store_any(fx->dir, fx->db, "single.db");
	fx->r = record_new(tu_catalog());
	assert_non_null(fx->r);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	record_free(fx->r);
	store_close(fx->s);
	if (tu_pg_url() == NULL)
		tu_rmdir(fx->dir);
	free(fx);
	return 0;
}

/* A put of person seq's valid record with wheelchair wc; expect_version
 * ver; reason (may be NULL). 0, or -1 with err. */
static int
put(struct store *s, struct record *r, int seq, const char *wc,
    const char *grade, int64_t ver, const char *reason,
    struct store_put_result *res, struct lf_error *err)
{
	struct store_put p = { YEAR, 0, "test", ver, 0 };
	char card[32];

	p.today = tu_days("2026-11-29");
	tu_valid_person(r, seq);
	tu_set(r, "aid_wheelchair", wc);
	if (grade != NULL) {
		tu_set(r, "disability_grade", grade);
		snprintf(card, sizeof(card), "%s4%s", tu_id(seq), grade);
		tu_set(r, "disability_card_no", card);
	}
	lf_error_clear(err);
	return store_survey_put_reason(s, r, &p, reason, res, err);
}

/* The rows of table (history or persons) where col = v, counted by SQL
 * on either backend. */
static int64_t
count(struct store *s, const char *sql, int64_t v)
{
	struct lf_error err;
	struct dbq q = { 0 };
	int64_t n = -1;

	if (dbq_prep(s, &q, sql, "count", &err) != 0 ||
	    dbq_bind(&q, &err, "i", v) != 0 || dbq_step(&q, &err) != 1)
		fail_msg("%s: %s", sql, err.message);
	n = dbq_int64(&q, 0);
	dbq_end(&q);
	return n;
}

static int64_t
history(struct store *s, int64_t pid, const char *entity)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM history WHERE "
	    "person_id = ? AND entity = '%s'", entity);
	return count(s, sql, pid);
}

static int64_t
version(struct store *s, struct record *r, int64_t pid)
{
	struct lf_error err;
	int64_t v = 0;

	if (store_survey_get(s, pid, YEAR, r, &v, &err) != 0)
		fail_msg("survey of %lld: %s", (long long)pid, err.message);
	return v;
}

static void
test_create_update(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct lf_error err;
	int64_t pid, want;
	int wc;

	assert_int_equal(put(fx->s, fx->r, 11, "是", NULL, 0, NULL, &res,
	    &err), 0);
	assert_true(res.created_person);
	assert_true(res.created_survey);
	assert_int_equal(res.version, 1);
	pid = res.person_id;
	assert_true(pid > 0);
	assert_int_equal(strlen(res.uid), STORE_UID_LEN);
	/* the same again: nothing changes, no history */
	assert_int_equal(put(fx->s, fx->r, 11, "是", NULL, 1, NULL, &res,
	    &err), 0);
	assert_false(res.created_person);
	assert_int_equal(res.person_id, pid);
	assert_int_equal(res.changed, 0);
	assert_int_equal(res.version, 1);
	assert_int_equal(history(fx->s, pid, "survey"), 0);
	/* a change: the next version, one history row with the change */
	assert_int_equal(put(fx->s, fx->r, 11, "否", NULL, 1, NULL, &res,
	    &err), 0);
	assert_int_equal(res.version, 2);
	assert_true(res.changed >= 1);
	assert_int_equal(history(fx->s, pid, "survey"), 1);
	assert_int_equal(count(fx->s, "SELECT count(*) FROM history WHERE "
	    "person_id = ? AND changes LIKE '%aid_wheelchair%'", pid), 1);
	assert_int_equal(version(fx->s, fx->r, pid), 2);
	wc = catalog_find(tu_catalog(), "aid_wheelchair", 14)->index;
	assert_true(fx->r->set[wc]);
	want = fx->r->num[wc];
	tu_set(fx->r, "aid_wheelchair", "否");
	assert_int_equal(fx->r->num[wc], want);
	tu_set(fx->r, "aid_wheelchair", "是");
	assert_int_not_equal(fx->r->num[wc], want);
}

static void
test_conflict(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct lf_error err;
	int64_t pid;

	assert_int_equal(put(fx->s, fx->r, 12, "是", NULL, 0, NULL, &res,
	    &err), 0);
	pid = res.person_id;
	assert_int_equal(put(fx->s, fx->r, 12, "否", NULL, 1, NULL, &res,
	    &err), 0);
	/* a writer that saw version 1: refused, nothing written */
	assert_int_equal(put(fx->s, fx->r, 12, "是", NULL, 1, NULL, &res,
	    &err), -1);
	assert_string_equal(err.code, "conflict");
	assert_int_equal(version(fx->s, fx->r, pid), 2);
	assert_int_equal(history(fx->s, pid, "survey"), 1);
}

static void
test_reason(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct lf_error err;
	int64_t pid;

	assert_int_equal(put(fx->s, fx->r, 13, "是", NULL, 0, NULL, &res,
	    &err), 0);
	pid = res.person_id;
	/* grade 2 -> 1 without a reason: refused, nothing written */
	assert_int_equal(put(fx->s, fx->r, 13, "是", "1", 1, NULL, &res,
	    &err), -1);
	assert_string_equal(err.code, "reason_required");
	assert_int_equal(version(fx->s, fx->r, pid), 1);
	assert_int_equal(history(fx->s, pid, "survey"), 0);
	assert_int_equal(history(fx->s, pid, "reason"), 0);
	/* with one: written, the reason kept in its history row */
	assert_int_equal(put(fx->s, fx->r, 13, "是", "1", 1, "复评", &res,
	    &err), 0);
	assert_true(res.reason_kept);
	assert_int_equal(res.version, 2);
	assert_int_equal(history(fx->s, pid, "survey"), 1);
	assert_int_equal(history(fx->s, pid, "reason"), 1);
	assert_int_equal(count(fx->s, "SELECT count(*) FROM history WHERE "
	    "person_id = ? AND entity = 'reason' AND changes LIKE "
	    "'%复评%'", pid), 1);
}

static void
test_transaction(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct lf_error err;
	struct store_person p;
	int64_t pid;

	/* rolled back: no one */
	assert_int_equal(store_begin(fx->s, &err), 0);
	assert_int_equal(put(fx->s, fx->r, 14, "是", NULL, 0, NULL, &res,
	    &err), 0);
	assert_int_equal(put(fx->s, fx->r, 15, "是", NULL, 0, NULL, &res,
	    &err), 0);
	store_rollback(fx->s);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(14), &p, &err), 1);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(15), &p, &err), 1);
	/* a put refused inside leaves the rest, and the transaction, whole */
	assert_int_equal(store_begin(fx->s, &err), 0);
	assert_int_equal(put(fx->s, fx->r, 14, "是", NULL, 0, NULL, &res,
	    &err), 0);
	pid = res.person_id;
	assert_int_equal(put(fx->s, fx->r, 14, "否", NULL, 7, NULL, &res,
	    &err), -1);
	assert_string_equal(err.code, "conflict");
	assert_int_equal(put(fx->s, fx->r, 14, "否", NULL, 1, NULL, &res,
	    &err), 0);
	assert_int_equal(res.version, 2);
	assert_int_equal(put(fx->s, fx->r, 15, "是", NULL, 0, NULL, &res,
	    &err), 0);
	assert_true(res.created_person);
	assert_int_equal(store_commit(fx->s, &err), 0);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(14), &p, &err), 0);
	assert_int_equal(p.id, pid);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(15), &p, &err), 0);
	assert_int_equal(version(fx->s, fx->r, pid), 2);
	assert_int_equal(history(fx->s, pid, "survey"), 1);
}

/* A new person seq living in village (put alone or in s's transaction). */
static int
put_in(struct store *s, struct record *r, int seq, const char *village,
    struct store_put_result *res, struct lf_error *err)
{
	struct store_put p = { YEAR, 0, "test", 0, 0 };

	p.today = tu_days("2026-11-29");
	tu_valid_person(r, seq);
	tu_set(r, "hukou_region", village);
	tu_set(r, "residence_region", village);
	lf_error_clear(err);
	return store_survey_put(s, r, &p, res, err);
}

/* PostgreSQL through the app role (LIANGFU_TEST_PG_WEB_URL): store_begin()
 * scoped to county 510104 writes there, a put into another county is
 * refused by row-level security and leaves the transaction usable, and
 * unscoped nothing is written. (On SQLite the scope confines nothing:
 * the C access checks do; skipped.) */
static void
test_scoped_transaction(void **state)
{
	struct fx *fx = *state;
	const char *web = getenv("LIANGFU_TEST_PG_WEB_URL");
	struct store_put_result res;
	struct store_person p;
	struct lf_error err;
	struct store *s;

	if (tu_pg_url() == NULL || web == NULL || *web == '\0') {
		print_message("[  SKIP    ] row-level security: PostgreSQL "
		    "through the app role only\n");
		skip();
	}
	if (store_open_any(web, tu_catalog(), tu_regions(), &s, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(store_set_scope(s, "510104", &err), 0);
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(put_in(s, fx->r, 17, "510104017001", &res, &err), 0);
	assert_int_equal(put_in(s, fx->r, 18, "510105002002", &res, &err), -1);
	assert_int_equal(put_in(s, fx->r, 19, "510104017001", &res, &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	/* unscoped the app role writes no one */
	assert_int_equal(store_set_scope(s, NULL, &err), 0);
	assert_int_equal(put_in(s, fx->r, 20, "510104017001", &res, &err), -1);
	store_close(s);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(17), &p, &err), 0);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(18), &p, &err), 1);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(19), &p, &err), 0);
	assert_int_equal(store_person_by_idnum(fx->s, tu_id(20), &p, &err), 1);
}

/* ---- two writers at once --------------------------------------------- */

#define ROUNDS	15

struct writer {
	const char	*db;
	int64_t		 pid;		/* the person both update */
	int		 seq;		/* the first new person's */
	int		 ok, conflicts, changed, created;
	char		 failed[512];
};

static void *
writer_run(void *arg)
{
	struct writer *w = arg;
	struct store_put_result res;
	struct lf_error err;
	struct store *s;
	struct record *r = record_new(tu_catalog());
	int i;

	lf_error_clear(&err);
	if (r == NULL || store_open_any(w->db, tu_catalog(), tu_regions(), &s,
	    &err) != 0) {
		snprintf(w->failed, sizeof(w->failed), "open: %s",
		    err.message);
		record_free(r);
		return NULL;
	}
	for (i = 0; i < ROUNDS && w->failed[0] == '\0'; i++) {
		int64_t v = 0;

		if (store_survey_get(s, w->pid, YEAR, r, &v, &err) != 0)
			snprintf(w->failed, sizeof(w->failed), "get: %s",
			    err.message);
		else if (put(s, r, 16, i % 2 ? "是" : "否", NULL, v, NULL,
		    &res, &err) == 0) {
			w->ok++;
			w->changed += res.changed > 0;
		}
		else if (strcmp(err.code, "conflict") == 0)
			w->conflicts++;
		else
			snprintf(w->failed, sizeof(w->failed), "put: %s %s",
			    err.code, err.message);
		if (w->failed[0] == '\0' && put(s, r, w->seq + i, "是", NULL,
		    0, NULL, &res, &err) != 0)
			snprintf(w->failed, sizeof(w->failed), "new: %s %s",
			    err.code, err.message);
		else if (w->failed[0] == '\0')
			w->created += res.created_person;
	}
	record_free(r);
	store_close(s);
	return NULL;
}

static void
test_two_writers(void **state)
{
	struct fx *fx = *state;
	struct store_put_result res;
	struct lf_error err;
	struct writer w[2];
	pthread_t t[2];
	int64_t pid, ids;
	int i, ok = 0;

	assert_int_equal(put(fx->s, fx->r, 16, "是", NULL, 0, NULL, &res,
	    &err), 0);
	pid = res.person_id;
	memset(w, 0, sizeof(w));
	for (i = 0; i < 2; i++) {
		w[i].db = fx->db;
		w[i].pid = pid;
		w[i].seq = 100 + 50 * i;
		assert_int_equal(pthread_create(&t[i], NULL, writer_run, &w[i]),
		    0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		if (w[i].failed[0] != '\0')
			fail_msg("writer %d: %s", i, w[i].failed);
		assert_int_equal(w[i].ok + w[i].conflicts, ROUNDS);
		assert_int_equal(w[i].created, ROUNDS);
		ok += w[i].changed;
	}
	/* every acknowledged change is a version with its history row */
	assert_true(ok >= 1);
	assert_int_equal(version(fx->s, fx->r, pid), 1 + ok);
	assert_int_equal(history(fx->s, pid, "survey"), ok);
	/* the new persons: every one there, each with an id of its own */
	ids = count(fx->s, "SELECT count(DISTINCT id) FROM persons WHERE "
	    "id > ?", pid);
	assert_int_equal(ids, 2 * ROUNDS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_update, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_scoped_transaction, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_two_writers, setup,
		    teardown),
	};

	if (tu_pg_url() != NULL)
		printf("test_put_single: on PostgreSQL\n");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

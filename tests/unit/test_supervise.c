/*
 * test_supervise.c - 精准监督: the stratified draw (core/supervise.h), the
 * Wilson intervals against hand computations, and in the store the
 * checker rule, corrections with history and the precision tallies.
 *
 * The store's tests run on a new SQLite file, and on PostgreSQL when
 * LIANGFU_TEST_PG_URL is set (tu_store_any(); tests/pg/run.sh): the
 * persons come from a bulk load, and the tables they use are emptied
 * before and after each test there. A check that corrects the survey is
 * a single survey write, which PostgreSQL may refuse ("unsupported",
 * docs/postgresql.md): then nothing of the check is written, and the
 * test answers that line right instead and counts so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/mem.h"
#include "core/supervise.h"
#include "supervise/supervise.h"
#include "auth/users.h"
#include "store/dbq.h"
#include "testutil.h"

/* Three townships: A has 100 persons (surveyor a1 80, a2 20), B 40 (b1
 * 37, b2 3), C 1 (c1). */
#define NP	141
static struct sup_person people[NP];

static void
make_people(int reverse)
{
	int i, k;

	for (i = 0; i < NP; i++) {
		k = reverse ? NP - 1 - i : i;
		people[k].id = 1000 + i * 7;
		people[k].township = i < 100 ? "A" : i < 140 ? "B" : "C";
		people[k].surveyor = i < 80 ? "a1" : i < 100 ? "a2" :
		    i < 137 ? "b1" : i < 140 ? "b2" : "ck1";
	}
}

/* The person ids drawn, ascending. */
static size_t
draw_ids(uint64_t seed, int64_t *ids, unsigned char *rc)
{
	struct sup_params prm = { 0.05, 2, 0.25, seed };
	struct lf_error err;
	unsigned char *re;
	size_t *idx, n, i;

	assert_int_equal(sup_draw(people, NP, &prm, &idx, &re, &n, &err), 0);
	for (i = 0; i < n; i++) {
		ids[i] = people[idx[i]].id;
		rc[i] = re[i];
	}
	mem_free(idx);
	mem_free(re);
	return n;
}

static size_t
count(const int64_t *ids, size_t n, const char *town, const char *surv)
{
	size_t i, j, c = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j < NP; j++)
			if (people[j].id == ids[i] &&
			    strcmp(people[j].township, town) == 0 &&
			    (surv == NULL || strcmp(people[j].surveyor,
			    surv) == 0))
				c++;
	return c;
}

static void
test_draw_stratified(void **state)
{
	int64_t ids[NP], ids2[NP];
	unsigned char rc[NP], rc2[NP];
	size_t n, n2, i, re = 0;

	(void)state;
	make_people(0);
	n = draw_ids(42, ids, rc);
	/* every township its share: ceil(5% of 100) = 5, ceil(5% of 40) =
	 * 2, and at least one of C's one */
	assert_true(count(ids, n, "A", NULL) >= 5);
	assert_true(count(ids, n, "B", NULL) >= 2);
	assert_int_equal(count(ids, n, "C", NULL), 1);
	/* every surveyor at least min(2, their persons) */
	assert_true(count(ids, n, "A", "a1") >= 2);
	assert_true(count(ids, n, "A", "a2") >= 2);
	assert_true(count(ids, n, "B", "b1") >= 2);
	assert_true(count(ids, n, "B", "b2") >= 2);
	/* no more than the shares plus the top-ups: 5 + 2 + 1 + 2 * 4 */
	assert_true(n <= 16);
	for (i = 0; i < n; i++) {
		re += rc[i];
		if (i > 0)
			assert_true(ids[i - 1] < ids[i]);
	}
	/* re-checks: ceil(25% of n) */
	assert_int_equal(re, (n + 3) / 4);
	/* the same seed: the same sample, in any input order */
	make_people(1);
	n2 = draw_ids(42, ids2, rc2);
	assert_int_equal(n2, n);
	assert_memory_equal(ids, ids2, n * sizeof(ids[0]));
	assert_memory_equal(rc, rc2, n);
	/* another seed: another sample */
	n2 = draw_ids(43, ids2, rc2);
	assert_true(n2 != n || memcmp(ids, ids2, n * sizeof(ids[0])) != 0);
}

static void
test_draw_params(void **state)
{
	static const struct {
		struct sup_params prm;
		const char *field;
	} bad[] = {
		{ { 0.0, 1, 0.1, 1 }, "rate" },
		{ { 1.5, 1, 0.1, 1 }, "rate" },
		{ { 0.1, -1, 0.1, 1 }, "min_per_surveyor" },
		{ { 0.1, 1, 1.1, 1 }, "recheck_rate" },
	};
	struct lf_error err;
	size_t *idx, n, i;

	(void)state;
	make_people(0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		lf_error_clear(&err);
		assert_int_equal(sup_draw(people, NP, &bad[i].prm, &idx, NULL,
		    &n, &err), -1);
		assert_string_equal(err.field, bad[i].field);
	}
	/* rate 1: everyone */
	{
		struct sup_params all = { 1.0, 0, 0.0, 9 };

		assert_int_equal(sup_draw(people, NP, &all, &idx, NULL, &n,
		    &err), 0);
		assert_int_equal(n, NP);
		mem_free(idx);
	}
}

/* Every failed allocation of a draw: a clean "no_memory", nothing kept. */
static void
test_draw_oom(void **state)
{
	struct sup_params prm = { 0.05, 2, 0.25, 42 };
	struct sup_precision p;
	struct sup_counts c;
	struct lf_error err;
	unsigned char *re;
	size_t *idx, n;
	long k;
	int rc;

	(void)state;
	make_people(0);
	for (k = 0; k < 8; k++) {
		lf_error_clear(&err);
		mem_fail_after(k);
		rc = sup_draw(people, NP, &prm, &idx, &re, &n, &err);
		mem_fail_after(-1);
		if (rc == 0) {
			mem_free(idx);
			mem_free(re);
			break;
		}
		assert_string_equal(err.code, "no_memory");
		assert_null(idx);
		assert_null(re);
	}
	assert_true(k < 8);
	memset(&p, 0, sizeof(p));
	memset(&c, 0, sizeof(c));
	mem_fail_after(0);
	assert_int_equal(sup_precision_add(&p, 0, "51", "四川省", &c, &err),
	    -1);
	mem_fail_after(-1);
	assert_string_equal(err.code, "no_memory");
	sup_precision_free(&p);
}

/*
 * Wilson 95% intervals by hand (z = 1.959964, z^2 = 3.841459):
 *  45/50: p = 0.9, z^2/n = 0.0768292, den = 1.0768292,
 *         centre = (0.9 + 0.0384146) / 1.0768292 = 0.8714610,
 *         half = 1.959964 / 1.0768292 * sqrt(0.09/50 + 3.841459/10000)
 *              = 1.8201240 * 0.0467349 = 0.0850634
 *         -> [0.786398, 0.956524]: not below 90% (0.9565 >= 0.9)
 *  10/10: p = 1, centre - half = n / (n + z^2) = 10 / 13.841459 = 0.722467,
 *         upper bound 1
 *  35/50: -> [0.562496, 0.808964]: below target (0.809 < 0.9)
 *   7/8:  -> [0.529112, 0.977583]
 */
static void
test_wilson(void **state)
{
	static const struct {
		int64_t x, n;
		double lo, hi;
		int below;
	} rows[] = {
		{ 45, 50, 0.786398, 0.956524, 0 },
		{ 10, 10, 0.722467, 1.0, 0 },
		{ 35, 50, 0.562496, 0.808964, 1 },
		{ 7, 8, 0.529112, 0.977583, 0 },
	};
	struct sup_rate r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sup_rate(rows[i].x, rows[i].n, &r);
		assert_true(r.valid);
		assert_true(fabs(r.p - (double)rows[i].x / (double)rows[i].n) <
		    1e-12);
		assert_true(fabs(r.lo - rows[i].lo) < 1e-5);
		assert_true(fabs(r.hi - rows[i].hi) < 1e-5);
		assert_int_equal(sup_below_target(&r), rows[i].below);
	}
	sup_rate(0, 0, &r);
	assert_false(r.valid);
	assert_false(sup_below_target(&r));
}

/* ---- in the store ---------------------------------------------------- */

static void
add_user(struct store *s, const char *login, const char *role,
    const char *region)
{
	struct user_new u;
	struct lf_error err;

	memset(&u, 0, sizeof(u));
	u.login = login;
	u.role = role;
	u.region = region;
	u.password = "Pw-12345678abc";
	if (users_add(s, &u, &err) != 0)
		fail_msg("users_add %s: %s", login, err.message);
}

/* On PostgreSQL: the rows these tests write (and the persons' ids
 * given back, so that the registry is as init left it). */
static const char empty_sql[] =
	"DELETE FROM check_results_rows; DELETE FROM check_tasks_rows; "
	"DELETE FROM samples; DELETE FROM sessions; DELETE FROM users; "
	"DELETE FROM history; DELETE FROM surveys; DELETE FROM persons; "
	"ALTER SEQUENCE persons_id_seq RESTART; "
	"ALTER SEQUENCE history_id_seq RESTART; "
	"ALTER SEQUENCE samples_id_seq RESTART; "
	"ALTER SEQUENCE check_tasks_id_seq RESTART; "
	"ALTER SEQUENCE check_results_id_seq RESTART";

static void
empty(struct store *s)
{
	struct lf_error err;

	if (tu_pg_url() != NULL && dbq_script(s, empty_sql, "empty",
	    &err) != 0)
		fail_msg("empty: %s", err.message);
}

static struct store *
store_fresh(char dir[TU_DIR_MAX], char db[TU_DB_MAX], const char *name)
{
	struct store *s = tu_store_any(dir, db, name);

	empty(s);
	return s;
}

static void
store_done(struct store *s, const char *dir)
{
	empty(s);
	store_close(s);
	tu_rmdir(dir);
}

/* n persons surveyed in 2024 by actor, in one bulk load (the writer
 * both backends have). */
static void
put_persons(struct store *s, int n, const char *actor)
{
	struct record *r = record_new(tu_catalog());
	struct store_put_result res;
	struct store_put put;
	struct lf_error err;
	int i;

	memset(&put, 0, sizeof(put));
	put.year = 2024;
	put.actor = actor;
	put.today = tu_days("2024-06-01");
	if (store_begin_bulk(s, &err) != 0)
		fail_msg("bulk: %s", err.message);
	for (i = 1; i <= n; i++) {
		record_clear(r);
		tu_valid_person(r, i);
		if (store_survey_put(s, r, &put, &res, &err) != 0)
			fail_msg("put: %s", err.message);
	}
	if (store_commit(s, &err) != 0)
		fail_msg("commit: %s", err.message);
	record_free(r);
}

/* Whether task id is finished. */
static int
task_done(struct store *s, int64_t id)
{
	struct sup_task t;
	struct lf_error err;

	assert_int_equal(supervise_task_get(s, id, &t, &err), 0);
	return t.done;
}

/*
 * supervise_check() of ans, which corrects the survey (a single survey
 * write inside the check's transaction, on either backend): 1 when it
 * did; any refusal fails the test.
 */
static int
check_correcting(struct store *s, int64_t task, struct sup_line *ans,
    size_t n, const char *actor, int day)
{
	struct lf_error err;

	if (supervise_check(s, task, ans, n, actor, day, &err) != 0)
		fail_msg("check: %s: %s", err.code, err.message);
	return 1;
}

struct first {
	int64_t id[8];
	size_t n;
};

static int
first_tasks(void *arg, const struct sup_task *t)
{
	struct first *f = arg;

	if (f->n < 8)
		f->id[f->n++] = t->id;
	return 0;
}

struct hist {
	int seen;
	char actor[80];
};

static int
on_change(void *arg, const struct store_change *c)
{
	struct hist *h = arg;

	if (strstr(c->changes, "marital_status") != NULL) {
		h->seen++;
		snprintf(h->actor, sizeof(h->actor), "%s", c->actor);
	}
	return 0;
}

struct tal {
	struct sup_counts total;
	int rows;
};

static int
on_tally(void *arg, const char *key, const struct sup_counts *c)
{
	struct tal *t = arg;

	if (key[0] == '\0')
		t->total = *c;
	t->rows++;
	return 0;
}

static void
test_store_checks(void **state)
{
	char dir[TU_DIR_MAX], db[TU_DB_MAX];
	struct store *s = store_fresh(dir, db, "sup.db");
	const struct region *county = regions_find(tu_regions(), "510104");
	struct sup_params prm = { 1.0, 0, 0.0, 7 };
	struct sup_sample sm;
	struct sup_line *v, ans[2];
	struct sup_task t;
	struct first f = { { 0 }, 0 };
	struct hist h = { 0, "" };
	struct tal tl;
	struct lf_error err;
	struct record *r;
	int64_t id, ver;
	size_t n;
	int fixed;

	(void)state;
	put_persons(s, 3, "wk1");
	add_user(s, "wk1", "village", "510104017001");
	add_user(s, "ck1", "county", "510104");
	add_user(s, "far1", "county", "510105");
	assert_int_equal(supervise_draw(s, 2024, county, &prm,
	    "marital_status,family_doctor_signed", SUP_PHONE, "2024-07-01",
	    "sup", &id, &err), 0);
	assert_int_equal(supervise_tasks(s, id, NULL, NULL, first_tasks, &f,
	    &err), 0);
	assert_int_equal(f.n, 3);
	/* the sample as stored: its parameters and progress */
	assert_int_equal(supervise_sample_get(s, id, &sm, &err), 0);
	assert_int_equal(sm.year, 2024);
	assert_string_equal(sm.region, "510104");
	assert_true(sm.prm.rate == 1.0 && sm.prm.recheck_rate == 0.0);
	assert_int_equal(sm.prm.seed, 7);
	assert_string_equal(sm.items, "marital_status,family_doctor_signed");
	assert_int_equal(sm.persons, 3);
	assert_int_equal(sm.tasks, 3);
	assert_int_equal(sm.assigned, 0);
	assert_int_equal(supervise_sample_get(s, id + 1000, &sm, &err), 1);
	/* the surveyor's own account, by login or by name, cannot check */
	assert_int_equal(supervise_assign(s, f.id[0], "wk1", 0, NULL, 0, "sup",
	    NULL, &err), -1);
	assert_string_equal(err.code, "checker_is_surveyor");
	/* nor an account outside the person's region */
	assert_int_equal(supervise_assign(s, f.id[0], "far1", 0, NULL, 0, "sup",
	    NULL, &err), -1);
	assert_string_equal(err.code, "checker");
	assert_int_equal(supervise_assign(s, f.id[0], "ck1", 0, NULL, 0, "sup",
	    &t, &err), 0);
	assert_string_equal(t.checker, "ck1");
	assert_int_equal(t.mode, SUP_PHONE);
	/* the checklist: the two items as recorded, no service items */
	assert_int_equal(supervise_checklist(s, &t, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].ref, "marital_status");
	assert_string_equal(v[0].recorded, "20");
	assert_string_equal(v[1].recorded, "否");
	mem_free(v);
	/* only the assigned checker answers, and every line */
	memset(ans, 0, sizeof(ans));
	ans[0].kind = ans[1].kind = SUP_SURVEY_ITEM;
	snprintf(ans[0].ref, sizeof(ans[0].ref), "marital_status");
	snprintf(ans[0].right, sizeof(ans[0].right), "30");
	snprintf(ans[1].ref, sizeof(ans[1].ref), "family_doctor_signed");
	ans[1].ok = 1;
	assert_int_equal(supervise_check(s, t.id, ans, 2, "wk1",
	    tu_days("2024-06-20"), &err), -1);
	assert_string_equal(err.code, "not_assigned");
	assert_int_equal(supervise_check(s, t.id, ans, 1, "ck1",
	    tu_days("2024-06-20"), &err), -1);
	assert_string_equal(err.field, "family_doctor_signed");
	fixed = check_correcting(s, t.id, ans, 2, "ck1", tu_days("2024-06-20"));
	assert_int_equal(task_done(s, t.id), 1);
	/* the wrong item is corrected, with the check in the history */
	r = record_new(tu_catalog());
	assert_int_equal(store_survey_get(s, t.person_id, 2024, r, &ver, &err),
	    0);
	assert_int_equal(r->num[catalog_find(tu_catalog(), "marital_status",
	    14)->index], fixed ? 30 : 20);
	record_free(r);
	if (tu_pg_url() == NULL) {	/* history: SQLite's reader only */
		assert_int_equal(store_history(s, t.person_id, on_change, &h,
		    &err), 0);
		assert_int_equal(h.seen, 1);
		assert_string_equal(h.actor, "spot check #1: ck1");
	}
	/* the answers as stored, the progress */
	assert_int_equal(supervise_sample_get(s, id, &sm, &err), 0);
	assert_int_equal(sm.assigned, 1);
	assert_int_equal(sm.done, 1);
	/* a finished task cannot be checked again */
	assert_int_equal(supervise_check(s, t.id, ans, 2, "ck1", 0, &err), -1);
	assert_string_equal(err.code, "state");
	/* tallies on 2024-07-02: 1 of 2 items right; of 3 checks due, 1
	 * finished on time */
	memset(&tl, 0, sizeof(tl));
	assert_int_equal(supervise_tally(s, 2024, county, SUP_BY_REGION,
	    tu_days("2024-07-02"), on_tally, &tl, &err), 0);
	assert_int_equal(tl.total.survey_ok, fixed ? 1 : 2);
	assert_int_equal(tl.total.survey_n, 2);
	assert_int_equal(tl.total.sup_ok, 1);
	assert_int_equal(tl.total.sup_n, 3);
	assert_int_equal(tl.total.tasks, 3);
	assert_int_equal(tl.rows, 2);	/* the county and one township */
	/* before the due date only the finished check counts */
	memset(&tl, 0, sizeof(tl));
	assert_int_equal(supervise_tally(s, 2024, county, SUP_BY_REGION,
	    tu_days("2024-06-21"), on_tally, &tl, &err), 0);
	assert_int_equal(tl.total.sup_n, 1);
	store_done(s, dir);
}

/*
 * Re-checks: one person, re-checked (recheck_rate 1: two tasks). The
 * first check finds marital status wrong (20 -> 30); a re-check that
 * finds the corrected 30 right agrees (the value after each check is 30):
 * supervision 1/1. A re-check that finds 30 wrong again (-> 40) does not:
 * supervision 0/1.
 */
static void
recheck_case(int agree)
{
	char dir[TU_DIR_MAX], db[TU_DB_MAX];
	struct store *s = store_fresh(dir, db, "re.db");
	const struct region *county = regions_find(tu_regions(), "510104");
	struct sup_params prm = { 1.0, 0, 1.0, 7 };
	struct first f = { { 0 }, 0 };
	struct sup_line ans[1];
	struct lf_error err;
	struct tal tl;
	int64_t id;
	int fixed;

	put_persons(s, 1, "wk1");
	add_user(s, "ck1", "county", "510104");
	add_user(s, "ck2", "county", "510104");
	assert_int_equal(supervise_draw(s, 2024, county, &prm,
	    "marital_status", SUP_VISIT, "2024-07-01", "sup", &id, &err), 0);
	assert_int_equal(supervise_tasks(s, id, NULL, NULL, first_tasks, &f,
	    &err), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(supervise_assign(s, f.id[0], "ck1", 0, NULL, 0, "sup",
	    NULL, &err), 0);
	/* the re-check may not go to the first check's checker */
	assert_int_equal(supervise_assign(s, f.id[1], "ck1", 0, NULL, 0, "sup",
	    NULL, &err), -1);
	assert_string_equal(err.code, "checker_is_surveyor");
	assert_int_equal(supervise_assign(s, f.id[1], "ck2", 0, NULL, 0, "sup",
	    NULL, &err), 0);
	memset(ans, 0, sizeof(ans));
	ans[0].kind = SUP_SURVEY_ITEM;
	snprintf(ans[0].ref, sizeof(ans[0].ref), "marital_status");
	snprintf(ans[0].right, sizeof(ans[0].right), "30");
	fixed = check_correcting(s, f.id[0], ans, 1, "ck1",
	    tu_days("2024-06-20"));
	memset(ans, 0, sizeof(ans));
	ans[0].kind = SUP_SURVEY_ITEM;
	snprintf(ans[0].ref, sizeof(ans[0].ref), "marital_status");
	ans[0].ok = agree;
	snprintf(ans[0].right, sizeof(ans[0].right), "%s", agree ? "" : "40");
	if (check_correcting(s, f.id[1], ans, 1, "ck2",
	    tu_days("2024-06-25")) == 0)
		agree = 1;	/* refused: answered right, as the first */
	memset(&tl, 0, sizeof(tl));
	assert_int_equal(supervise_tally(s, 2024, county, SUP_BY_REGION,
	    tu_days("2024-07-02"), on_tally, &tl, &err), 0);
	/* re-checks count for supervision only */
	assert_int_equal(tl.total.tasks, 1);
	assert_int_equal(tl.total.survey_n, 1);
	assert_int_equal(tl.total.survey_ok, fixed ? 0 : 1);
	assert_int_equal(tl.total.sup_n, 1);
	assert_int_equal(tl.total.sup_ok, agree ? 1 : 0);
	store_done(s, dir);
}

static void
test_recheck_consistent(void **state)
{
	(void)state;
	recheck_case(1);
	recheck_case(0);
}

/* A check finished after its due date counts against supervision. */
static void
test_late_check(void **state)
{
	char dir[TU_DIR_MAX], db[TU_DB_MAX];
	struct store *s = store_fresh(dir, db, "late.db");
	const struct region *county = regions_find(tu_regions(), "510104");
	struct sup_params prm = { 1.0, 0, 0.0, 7 };
	struct first f = { { 0 }, 0 };
	struct sup_line ans[1];
	struct lf_error err;
	struct tal tl;
	int64_t id;

	(void)state;
	put_persons(s, 1, "wk1");
	add_user(s, "ck1", "county", "510104");
	assert_int_equal(supervise_draw(s, 2024, county, &prm,
	    "marital_status", SUP_VISIT, "2024-07-01", "sup", &id, &err), 0);
	assert_int_equal(supervise_tasks(s, id, NULL, NULL, first_tasks, &f,
	    &err), 0);
	assert_int_equal(supervise_assign(s, f.id[0], "ck1", 0, NULL, 0, "sup",
	    NULL, &err), 0);
	memset(ans, 0, sizeof(ans));
	ans[0].kind = SUP_SURVEY_ITEM;
	ans[0].ok = 1;
	snprintf(ans[0].ref, sizeof(ans[0].ref), "marital_status");
	assert_int_equal(supervise_check(s, f.id[0], ans, 1, "ck1",
	    tu_days("2024-07-05"), &err), 0);
	memset(&tl, 0, sizeof(tl));
	assert_int_equal(supervise_tally(s, 2024, county, SUP_BY_REGION,
	    tu_days("2024-07-06"), on_tally, &tl, &err), 0);
	assert_int_equal(tl.total.survey_ok, 1);
	assert_int_equal(tl.total.sup_n, 1);
	assert_int_equal(tl.total.sup_ok, 0);
	store_done(s, dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_draw_stratified),
		cmocka_unit_test(test_draw_params),
		cmocka_unit_test(test_draw_oom),
		cmocka_unit_test(test_wilson),
		cmocka_unit_test(test_store_checks),
		cmocka_unit_test(test_recheck_consistent),
		cmocka_unit_test(test_late_check),
	};
	int rc;

	if (tu_pg_url() != NULL)
		printf("test_supervise: on PostgreSQL\n");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tu_env_free();
	return rc;
}

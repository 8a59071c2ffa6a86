/*
 * test_feedback.c - satisfaction: ratings and the rate (core/satisf.h),
 * recording ratings with their history, what may be rated, and the
 * counts by region (feedback/feedback.h), checked against a hand count.
 * The store tests run on SQLite, and on PostgreSQL with
 * LIANGFU_TEST_PG_URL set (tu_store_any(); the persons by a bulk load;
 * what a test made is removed after it, tu_pg_forget()). PostgreSQL has
 * no single plan writes yet (docs/postgresql.md), so there the
 * confirmed plans and the delivered and open items are inserted as rows
 * (pg_plan(), pg_item()); SQLite's fixture makes them through plan.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "core/satisf.h"
#include "feedback/feedback.h"
#include "plan/plan.h"
#include "store/dbq.h"
#include "store/plan.h"
#include "testutil.h"

#define YEAR	2024

/* ---- core ---------------------------------------------------------- */

static void
test_parse(void **state)
{
	static const struct {
		const char	*in;
		int		 want;
	} rows[] = {
		{ "satisfied", 1 }, { "basic", 2 }, { "unsatisfied", 3 },
		{ "满意", 1 }, { "基本满意", 2 }, { "不满意", 3 },
		{ "1", 1 }, { "3", 3 }, { "0", 0 }, { "4", 0 }, { "", 0 },
		{ "Satisfied", 0 }, { NULL, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(satisf_rating_parse(rows[i].in),
		    rows[i].want);
	assert_string_equal(satisf_rating_zh(2), "基本满意");
	assert_string_equal(satisf_rating_code(3), "unsatisfied");
	assert_string_equal(satisf_rating_code(4), "");
}

static void
test_rate(void **state)
{
	static const struct {
		struct satisf_count	 c;
		int64_t			 bp;
	} rows[] = {
		{ { 0, 0, 0, 0, 0 }, -1 },
		{ { 1, 0, 0, 1, 0 }, 10000 },
		{ { 0, 0, 1, 1, 0 }, 0 },
		{ { 9, 0, 1, 10, 0 }, 9000 },
		{ { 1, 1, 1, 3, 0 }, 6667 },	/* 2/3 rounded half up */
		{ { 0, 1, 2, 3, 0 }, 3333 },
		{ { 5, 4, 1, 8, 2 }, 9000 },	/* basic counts as satisfied */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(satisf_rate_bp(&rows[i].c), rows[i].bp);
}

static void
test_rateable(void **state)
{
	(void)state;
	/* accepted and in progress or done */
	assert_true(satisf_item_rateable(DECISION_ACCEPTED, ITEM_DONE));
	assert_true(satisf_item_rateable(DECISION_ACCEPTED,
	    ITEM_IN_PROGRESS));
	assert_false(satisf_item_rateable(DECISION_ACCEPTED, ITEM_PLANNED));
	assert_false(satisf_item_rateable(DECISION_ACCEPTED, ITEM_NOT_DONE));
	assert_false(satisf_item_rateable(DECISION_PROPOSED, ITEM_DONE));
	assert_false(satisf_item_rateable(DECISION_REJECTED, ITEM_DONE));
	assert_true(satisf_plan_rateable(PLAN_CONFIRMED));
	assert_true(satisf_plan_rateable(PLAN_CLOSED));
	assert_false(satisf_plan_rateable(PLAN_DRAFT));
}

/* ---- store --------------------------------------------------------- */

static struct policies *ps;

struct fx {
	char		 dir[TU_DIR_MAX];
	char		 db[TU_DB_MAX];
	struct store	*s;
	int64_t		 pid[3];	/* two in 510104017001, one in
					   510104017002 */
	int64_t		 done[3];	/* a delivered item of each */
	int64_t		 open0;		/* an undelivered item of pid[0] */
};

/* Puts person seq in village inside the caller's bulk load. */
static int64_t
put(struct store *s, int seq, const char *village)
{
	struct store_put p = { YEAR, 0, "tester", 0, 0 };
	struct store_put_result res;
	struct lf_error err;
	struct record *r = record_new(tu_catalog());

	tu_valid_person(r, seq);
	tu_set(r, "hukou_region", village);
	tu_set(r, "residence_region", village);
	lf_error_clear(&err);
	if (store_survey_put(s, r, &p, &res, &err) != 0)
		fail_msg("put: %s", err.message);
	record_free(r);
	return res.person_id;
}

/* Runs the INSERT ... RETURNING id sql with the arguments of fmt. */
static int64_t
pg_insert(struct store *s, const char *sql, const char *fmt, ...)
{
	struct lf_error err;
	struct dbq q;
	va_list ap;
	int64_t id;
	int rc;

	lf_error_clear(&err);
	if (dbq_prep(s, &q, sql, "fixture", &err) != 0)
		fail_msg("fixture: %s", err.message);
	va_start(ap, fmt);
	rc = dbq_vbind(&q, &err, fmt, ap);
	va_end(ap);
	if (rc != 0 || dbq_step(&q, &err) != 1)
		fail_msg("fixture: %s", err.message);
	id = dbq_int64(&q, 0);
	if (dbq_step(&q, &err) != 0)
		fail_msg("fixture: %s", err.message);
	dbq_end(&q);
	return id;
}

/* PostgreSQL: the person's plan of YEAR, confirmed. */
static int64_t
pg_plan(struct store *s, int64_t pid, const char *village)
{
	return pg_insert(s, "INSERT INTO plans (city, county, person_id, "
	    "year, region, status, version, created_at, created_by, "
	    "updated_at, updated_by) VALUES (substr(?, 1, 4), substr(?, 1, 6), "
	    "?, ?, ?, ?, 1, 1700000000, 'worker', 1700000000, 'worker') "
	    "RETURNING id", "ttiiii", village, village, pid, (int64_t)YEAR,
	    strtoll(village, NULL, 10), (int64_t)PLAN_CONFIRMED);
}

/* PostgreSQL: an accepted rehab_training item of the plan, number seq,
 * in status. */
static int64_t
pg_item(struct store *s, int64_t plan, int64_t pid, const char *village,
    int seq, int status)
{
	return pg_insert(s, "INSERT INTO items (city, county, plan_id, "
	    "person_id, year, region, seq, policy, origin, decision, dept, "
	    "month, funds_planned, funds_spent, monthly, effect, status, "
	    "dept_state, edited, version, updated_at, updated_by) VALUES "
	    "(substr(?, 1, 4), substr(?, 1, 6), ?, ?, ?, ?, ?, "
	    "'rehab_training', 1, ?, 'cdpf', 3, 10000, 0, 0, 0, ?, 0, 0, 1, "
	    "1700000000, 'worker') RETURNING id", "ttiiiiiii", village,
	    village, plan, pid, (int64_t)YEAR, strtoll(village, NULL, 10),
	    (int64_t)seq, (int64_t)DECISION_ACCEPTED, (int64_t)status);
}

static int64_t
item(struct store *s, int64_t pid)
{
	struct plan_item_change c;
	struct plan_item it;
	struct lf_error err;

	memset(&c, 0, sizeof(c));
	c.set = PI_DEPT | PI_MONTH | PI_FUNDS;
	c.dept = "cdpf";
	c.planned_month = "2024-03";
	c.funds_planned = 10000;
	lf_error_clear(&err);
	if (plan_item_add(s, ps, pid, YEAR, "", "rehab_training", &c, NULL,
	    "worker", &it, &err) != 0)
		fail_msg("add: %s", err.message);
	return it.id;
}

static void
confirm_deliver(struct store *s, int64_t pid, int64_t item_id)
{
	struct plan p;
	struct lf_error err;

	lf_error_clear(&err);
	assert_int_equal(plan_get(s, pid, YEAR, &p, &err), 0);
	if (plan_confirm(s, p.id, 0, "officer", &p, &err) != 0)
		fail_msg("confirm: %s", err.message);
	if (plan_delivery_add(s, item_id, "2024-04-02", 5000, "", NULL,
	    "dept", NULL, NULL, &err) != 0)
		fail_msg("deliver: %s", err.message);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	static const char *const villages[] = { "510104017001",
	    "510104017001", "510104017002" };
	struct lf_error err;
	size_t i;

	int64_t plan;

	if (ps == NULL && policies_load_embedded(tu_catalog(), &ps, &err) != 0)
		fail_msg("policies: %s", err.message);
	fx->s = tu_store_any(fx->dir, fx->db, "fb.db");
	if (store_begin_bulk(fx->s, &err) != 0)
		fail_msg("bulk: %s", err.message);
	for (i = 0; i < 3; i++)
		fx->pid[i] = put(fx->s, (int)i + 1, villages[i]);
	if (store_commit(fx->s, &err) != 0)
		fail_msg("commit: %s", err.message);
	for (i = 0; i < 3 && dbq_is_pg(fx->s); i++) {
		plan = pg_plan(fx->s, fx->pid[i], villages[i]);
		fx->done[i] = pg_item(fx->s, plan, fx->pid[i], villages[i], 1,
		    ITEM_DONE);
		if (i == 0)
			fx->open0 = pg_item(fx->s, plan, fx->pid[i],
			    villages[i], 2, ITEM_PLANNED);
	}
	for (i = 0; i < 3 && !dbq_is_pg(fx->s); i++) {
		fx->done[i] = item(fx->s, fx->pid[i]);
		if (i == 0)
			fx->open0 = item(fx->s, fx->pid[i]);
		confirm_deliver(fx->s, fx->pid[i], fx->done[i]);
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	tu_pg_forget(fx->s, fx->pid, 3);
	store_close(fx->s);
	tu_rmdir(fx->dir);
	free(fx);
	return 0;
}

static const char *
rate(struct fx *fx, int who, int64_t item_id, int rating, const char *note,
    int by_self, struct feedback *out)
{
	struct feedback_new in = { fx->pid[who], YEAR, item_id, rating, note,
	    by_self, by_self ? "self-service via code #7" : "vil1",
	    by_self ? 7 : 0, 1800000000LL };
	struct lf_error err;

	lf_error_clear(&err);
	return feedback_add(fx->s, &in, out, &err) == 0 ? "" : err.code;
}

static int
count_row(void *arg, const struct feedback *f)
{
	struct feedback *rows = arg;
	size_t i = 0;

	while (rows[i].id != 0)
		i++;
	rows[i] = *f;
	return 0;
}

static void
test_add_and_history(void **state)
{
	struct fx *fx = *state;
	struct feedback f, rows[8];
	struct lf_error err;

	assert_string_equal(rate(fx, 0, fx->done[0], SATISF_UNSATISFIED,
	    "上门晚了", 0, &f), "");
	assert_int_equal(f.item_id, fx->done[0]);
	assert_string_equal(f.actor, "vil1");
	assert_int_equal(f.by_self, 0);
	assert_string_equal(f.note, "上门晚了");
	/* the person rates again: it supersedes, the old one stays */
	assert_string_equal(rate(fx, 0, fx->done[0], SATISF_SATISFIED, NULL, 1,
	    &f), "");
	assert_int_equal(f.by_self, 1);
	assert_int_equal(f.code_id, 7);
	assert_string_equal(f.actor, "self-service via code #7");
	/* the plan itself */
	assert_string_equal(rate(fx, 0, 0, SATISF_BASIC, "", 1, &f), "");
	assert_int_equal(f.item_id, 0);
	memset(rows, 0, sizeof(rows));
	lf_error_clear(&err);
	assert_int_equal(feedback_each(fx->s, fx->pid[0], YEAR, count_row, rows,
	    &err), 0);
	assert_int_equal(rows[0].rating, SATISF_UNSATISFIED);
	assert_int_equal(rows[0].superseded_by, rows[1].id);
	assert_int_equal(rows[1].superseded_by, 0);
	assert_int_equal(rows[2].superseded_by, 0);
	assert_int_equal(rows[3].id, 0);
}

static void
test_refusals(void **state)
{
	struct fx *fx = *state;
	char big[SATISF_NOTE_MAX + 2];

	/* not delivered yet */
	assert_string_equal(rate(fx, 0, fx->open0, 1, NULL, 0, NULL), "state");
	/* another person's item: as if missing (no id walking) */
	assert_string_equal(rate(fx, 0, fx->done[1], 1, NULL, 1, NULL),
	    "not_found");
	assert_string_equal(rate(fx, 0, 999999, 1, NULL, 1, NULL),
	    "not_found");
	assert_string_equal(rate(fx, 0, fx->done[0], 0, NULL, 0, NULL),
	    "invalid");
	assert_string_equal(rate(fx, 0, fx->done[0], 4, NULL, 0, NULL),
	    "invalid");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_string_equal(rate(fx, 0, fx->done[0], 1, big, 0, NULL),
	    "invalid");
	assert_string_equal(rate(fx, 0, fx->done[0], 1, "\xff", 0, NULL),
	    "invalid");
	big[SATISF_NOTE_MAX] = '\0';
	assert_string_equal(rate(fx, 0, fx->done[0], 1, big, 0, NULL), "");
}

static void
test_counts(void **state)
{
	struct fx *fx = *state;
	const struct region *town = regions_find(tu_regions(), "510104017");
	const struct region *county = regions_find(tu_regions(), "510104");
	const struct region *other = regions_find(tu_regions(), "510105");
	struct satisf_table t;
	struct lf_error err;
	size_t i, v1 = 0, v2 = 0;

	/* pid0: item unsatisfied then satisfied (latest counts), plan basic;
	 * pid1: item unsatisfied; pid2 (other village): item satisfied */
	assert_string_equal(rate(fx, 0, fx->done[0], 3, NULL, 0, NULL), "");
	assert_string_equal(rate(fx, 0, fx->done[0], 1, NULL, 1, NULL), "");
	assert_string_equal(rate(fx, 0, 0, 2, NULL, 1, NULL), "");
	assert_string_equal(rate(fx, 1, fx->done[1], 3, NULL, 0, NULL), "");
	assert_string_equal(rate(fx, 2, fx->done[2], 1, NULL, 0, NULL), "");
	lf_error_clear(&err);
	assert_int_equal(feedback_counts(fx->s, town, tu_regions(), YEAR, &t,
	    &err), 0);
	assert_string_equal(t.rows[0].code, "510104017");
	assert_int_equal(t.rows[0].c.satisfied, 2);
	assert_int_equal(t.rows[0].c.basic, 1);
	assert_int_equal(t.rows[0].c.unsatisfied, 1);
	assert_int_equal(t.rows[0].c.items, 3);
	assert_int_equal(t.rows[0].c.plans, 1);
	assert_int_equal(satisf_rate_bp(&t.rows[0].c), 7500);	/* 3 / 4 */
	for (i = 1; i < t.n; i++) {
		if (strcmp(t.rows[i].code, "510104017001") == 0)
			v1 = i;
		if (strcmp(t.rows[i].code, "510104017002") == 0)
			v2 = i;
	}
	assert_true(v1 > 0 && v2 > 0);
	assert_int_equal(satisf_rated(&t.rows[v1].c), 3);
	assert_int_equal(satisf_rate_bp(&t.rows[v1].c), 6667);	/* 2 / 3 */
	assert_int_equal(satisf_rated(&t.rows[v2].c), 1);
	assert_int_equal(satisf_rate_bp(&t.rows[v2].c), 10000);
	satisf_table_free(&t);
	/* the county sums the same; another county and year see nothing */
	assert_int_equal(feedback_counts(fx->s, county, tu_regions(), YEAR, &t,
	    &err), 0);
	assert_int_equal(satisf_rated(&t.rows[0].c), 4);
	satisf_table_free(&t);
	assert_int_equal(feedback_counts(fx->s, other, tu_regions(), YEAR, &t,
	    &err), 0);
	assert_int_equal(satisf_rated(&t.rows[0].c), 0);
	assert_int_equal(satisf_rate_bp(&t.rows[0].c), -1);
	satisf_table_free(&t);
	assert_int_equal(feedback_counts(fx->s, town, tu_regions(), YEAR + 1,
	    &t, &err), 0);
	assert_int_equal(satisf_rated(&t.rows[0].c), 0);
	satisf_table_free(&t);
}

static int
group_teardown(void **state)
{
	(void)state;
	policies_free(ps);
	tu_env_free();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_rateable),
		cmocka_unit_test_setup_teardown(test_add_and_history, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
	};

	if (tu_pg_url() != NULL)
		printf("test_feedback: on PostgreSQL\n");
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}

/*
 * test_plan_rows.c - the single reads and writes of plans, items and
 * deliveries (store/plan_write.c, plan_read.c, plan_villages.c over
 * store/dbq.h) under the rules of plan/, on either backend: a new SQLite
 * file in `make unit-test`, the PostgreSQL registry of
 * LIANGFU_TEST_PG_URL in `make pg-test` (tu_store_any()). The same
 * source, the same expectations: items added (idempotent by client id),
 * changed with the version checked and their history, a plan confirmed
 * and reopened with its history, the department's answers, deliveries
 * (idempotent, on the person page), the inbox, the plans list, the
 * villages' counts, carrying last year's unmet item into a one-person
 * build, and a rebuild of a reopened plan.
 *
 * Persons are loaded by a bulk load (the one single-survey write that
 * runs on PostgreSQL). On PostgreSQL the tables are emptied and their
 * sequences set back before and after, so that the registry is as init
 * left it for the checks that follow in tests/pg/run.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "lib/mem.h"
#include "plan/plan.h"
#include "store/dbq.h"
#include "store/plan.h"
#include "store/plan_rows.h"
#include "store/store.h"
#include "testutil.h"

#define YEAR	2024

struct fx {
	char		 dir[TU_DIR_MAX];
	char		 db[TU_DB_MAX];
	struct store	*s;
	struct record	*r;
	int64_t		 pid, other;	/* surveyed YEAR and YEAR + 1 */
};

static struct policies *ps;

/* ---- fixtures ------------------------------------------------------ */

static int
group_setup(void **state)
{
	struct lf_error err;

	(void)state;
	if (policies_load_embedded(tu_catalog(), &ps, &err) != 0)
		fail_msg("policies: %s", err.message);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	policies_free(ps);
	tu_env_free();
	return 0;
}

/* PostgreSQL: the tables as init left them (the owner role). */
static void
pg_empty(struct store *s)
{
	struct lf_error err;

	if (!dbq_is_pg(s))
		return;
	if (dbq_script(s, "DELETE FROM deliveries; DELETE FROM items; "
	    "DELETE FROM plans; DELETE FROM history; DELETE FROM surveys; "
	    "DELETE FROM persons; SELECT setval('persons_id_seq', 1, false); "
	    "SELECT setval('plans_id_seq', 1, false); SELECT setval("
	    "'items_id_seq', 1, false); SELECT setval('history_id_seq', 1, "
	    "false); SELECT setval('deliveries_id_seq', 1, false)", "empty",
	    &err) != 0)
		fail_msg("empty: %s", err.message);
}

/* Persons seq 1 and 2, surveyed YEAR and YEAR + 1, by a bulk load. */
static void
seed(struct fx *fx)
{
	struct store_put_result res;
	struct lf_error err;
	int seq, year;
	int64_t ids[2];

	assert_int_equal(store_begin_bulk(fx->s, &err), 0);
	for (seq = 1; seq <= 2; seq++)
		for (year = YEAR; year <= YEAR + 1; year++) {
			struct store_put p = { year, 0, "seed", 0, 0 };

			tu_valid_person(fx->r, seq);
			tu_set(fx->r, "fill_date", year == YEAR ? "2024-05-10" :
			    "2025-05-10");
			if (store_survey_put(fx->s, fx->r, &p, &res, &err) != 0)
				fail_msg("seed: %s", err.message);
			ids[seq - 1] = res.person_id;
		}
	if (store_commit(fx->s, &err) != 0)
		fail_msg("commit: %s", err.message);
	fx->pid = ids[0];
	fx->other = ids[1];
	assert_true(fx->pid > 0 && fx->other > 0 && fx->pid != fx->other);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->s = tu_store_any(fx->dir, fx->db, "rows.db");
	pg_empty(fx->s);
	fx->r = record_new(tu_catalog());
	seed(fx);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	pg_empty(fx->s);
	store_close(fx->s);
	record_free(fx->r);
	tu_rmdir(fx->dir);
	free(fx);
	return 0;
}

/* The one number sql gives with the int64 arguments of fmt ("ii"). */
static int64_t
num(struct fx *fx, const char *sql, const char *fmt, ...)
{
	struct dbq q = { 0 };
	struct lf_error err;
	va_list ap;
	int64_t v = -1;
	int rc;

	if (dbq_prep(fx->s, &q, sql, "test", &err) != 0)
		fail_msg("%s: %s", sql, err.message);
	va_start(ap, fmt);
	rc = dbq_vbind(&q, &err, fmt, ap);
	va_end(ap);
	assert_int_equal(rc, 0);
	if ((rc = dbq_step(&q, &err)) == 1)
		v = dbq_int64(&q, 0);
	else if (rc < 0)
		fail_msg("%s: %s", sql, err.message);
	dbq_end(&q);
	return v;
}

/* The change set of the history row of entity id and version. */
static void
changes_of(struct fx *fx, const char *entity, int64_t id, int64_t version,
    char *out, size_t len)
{
	struct dbq q = { 0 };
	struct lf_error err;

	out[0] = '\0';
	assert_int_equal(dbq_prep(fx->s, &q, "SELECT changes FROM history "
	    "WHERE entity = ? AND entity_id = ? AND version = ?", "test", &err),
	    0);
	assert_int_equal(dbq_bind(&q, &err, "tii", entity, id, version), 0);
	if (dbq_step(&q, &err) == 1)
		dbq_copy(&q, 0, out, len);
	dbq_end(&q);
}

static int64_t
history_count(struct fx *fx, const char *entity, int64_t id)
{
	return num(fx, "SELECT count(*) FROM history WHERE entity = ? AND "
	    "entity_id = ?", "ti", entity, id);
}

static int
on_item(void *arg, const struct plan_item *it)
{
	int64_t *n = arg;

	(void)it;
	(*n)++;
	return 0;
}

/* ---- the person page's walk ----------------------------------------- */

struct page {
	int		 plans, items, deliveries;
	int64_t		 amount, last_item;
	int		 order_ok;
};

static int
page_plan(void *arg, const struct plan *p)
{
	struct page *pg = arg;

	(void)p;
	pg->plans++;
	return 0;
}

static int
page_item(void *arg, const struct plan_item *it)
{
	struct page *pg = arg;

	pg->items++;
	pg->last_item = it->id;
	return 0;
}

static int
page_delivery(void *arg, const struct plan_delivery *d)
{
	struct page *pg = arg;

	pg->deliveries++;
	pg->amount += d->amount;
	/* each delivery follows its own item */
	if (d->item_id != pg->last_item)
		pg->order_ok = 0;
	return 0;
}

/* ---- the writes ---------------------------------------------------- */

static int
on_summary(void *arg, const struct plan_summary *ps_)
{
	struct plan_summary *out = arg;

	*out = *ps_;
	return 0;
}

static int
on_village(void *arg, const struct plan_village *v)
{
	struct plan_village *out = arg;

	*out = *v;
	return 0;
}

static void
test_writes(void **state)
{
	struct fx *fx = *state;
	static const struct plan_person_fns fns = { page_plan, page_item,
	    page_delivery };
	struct plan_item_change c;
	struct plan_item *it = mem_alloc(sizeof(*it)), *two =
	    mem_alloc(sizeof(*two));
	struct plan_delivery d, d2;
	struct plan_inbox_query iq;
	struct plan_list_query lq;
	struct plan_villages_query vq;
	struct plan_summary sum;
	struct plan_village vil;
	struct page page;
	struct lf_error err;
	struct plan p;
	char ch[512];
	int64_t n, last, total, item1, item2;

	assert_non_null(it);
	assert_non_null(two);
	/* an item added by hand makes the draft; idempotent by client id */
	memset(&c, 0, sizeof(c));
	c.set = PI_DEPT | PI_MONTH | PI_FUNDS | PI_MEASURES;
	c.dept = "cdpf";
	c.planned_month = "2024-03";
	c.funds_planned = 10000;
	c.measures = "上门康复训练";
	if (plan_item_add(fx->s, ps, fx->pid, YEAR, "", "rehab_training", &c,
	    "c-1", "worker", it, &err) != 0)
		fail_msg("add: %s", err.message);
	item1 = it->id;
	assert_true(item1 > 0);
	assert_int_equal(it->seq, 1);
	assert_int_equal(it->origin, ORIGIN_MANUAL);
	assert_int_equal(it->decision, DECISION_ACCEPTED);
	assert_int_equal(it->version, 1);
	assert_string_equal(it->measures, "上门康复训练");
	assert_int_equal(plan_item_add(fx->s, ps, fx->pid, YEAR, "",
	    "rehab_training", &c, "c-1", "worker", it, &err), 0);
	assert_int_equal(it->id, item1);
	assert_int_equal(plan_item_add(fx->s, ps, fx->other, YEAR, "", "",
	    NULL, "c-1", "worker", it, &err), -1);
	assert_string_equal(err.code, "conflict");
	c.planned_month = "2024-04";
	assert_int_equal(plan_item_add(fx->s, ps, fx->pid, YEAR, "", "", &c,
	    NULL, "worker", two, &err), 0);
	item2 = two->id;
	assert_int_equal(two->seq, 2);
	assert_int_equal(num(fx, "SELECT count(*) FROM items WHERE person_id "
	    "= ?", "i", fx->pid), 2);
	assert_int_equal(plan_get(fx->s, fx->pid, YEAR, &p, &err), 0);
	assert_int_equal(p.status, PLAN_DRAFT);
	assert_int_equal(p.version, 1);
	assert_string_equal(p.created_by, "worker");
	assert_int_equal(plan_get(fx->s, fx->pid, YEAR + 1, &p, &err), 1);
	assert_int_equal(plan_get(fx->s, fx->pid, YEAR, &p, &err), 0);
	n = 0;
	assert_int_equal(plan_items(fx->s, p.id, on_item, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(plan_item_get(fx->s, item1, it, &err), 0);
	assert_int_equal(it->plan_id, p.id);
	assert_string_equal(it->region, two->region);

	/* five elements changed, the version checked, the history kept */
	memset(&c, 0, sizeof(c));
	c.set = PI_ORG | PI_CONTACT;
	c.org = "锦江区康复中心";
	c.contact = "李老师";
	assert_int_equal(plan_item_update(fx->s, item1, &c, 1, "worker", it,
	    &err), 0);
	assert_int_equal(it->version, 2);
	assert_string_equal(it->org, "锦江区康复中心");
	assert_int_equal(plan_item_update(fx->s, item1, &c, 1, "worker", it,
	    &err), -1);
	assert_string_equal(err.code, "conflict");
	assert_int_equal(history_count(fx, "item", item1), 1);
	changes_of(fx, "item", item1, 1, ch, sizeof(ch));
	assert_non_null(strstr(ch, "锦江区康复中心"));
	assert_non_null(strstr(ch, "\"contact\""));

	/* confirmed: a stale version is a conflict, history says so */
	assert_int_equal(plan_confirm(fx->s, p.id, 7, "officer", &p, &err),
	    -1);
	assert_string_equal(err.code, "conflict");
	assert_int_equal(plan_confirm(fx->s, p.id, 1, "officer", &p, &err), 0);
	assert_int_equal(p.status, PLAN_CONFIRMED);
	assert_int_equal(p.version, 2);
	assert_string_equal(p.confirmed_by, "officer");
	assert_int_equal(plan_get(fx->s, fx->pid, YEAR, &p, &err), 0);
	assert_int_equal(p.status, PLAN_CONFIRMED);
	assert_string_equal(p.confirmed_by, "officer");
	assert_true(p.confirmed_at[0] != '\0');
	changes_of(fx, "plan", p.id, 1, ch, sizeof(ch));
	assert_string_equal(ch, "{\"status\":{\"new\":\"2\",\"old\":\"1\"}}");
	assert_int_equal(num(fx, "SELECT count(*) FROM history WHERE entity = "
	    "'plan' AND person_id = ? AND year = ? AND actor = 'officer'", "ii",
	    fx->pid, (int64_t)YEAR), 1);

	/* the department's inbox, its answers */
	memset(&iq, 0, sizeof(iq));
	iq.dept = "cdpf";
	iq.region = "510104";
	iq.year = YEAR;
	iq.dept_state = -1;
	iq.limit = 10;
	n = 0;
	assert_int_equal(plan_inbox(fx->s, &iq, on_item, &n, &last, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(last, item2);
	assert_int_equal(plan_item_dept_accept(fx->s, item1, 0, "cdpf-1", it,
	    &err), 0);
	assert_int_equal(it->dept_state, DEPT_ACCEPTED);
	assert_int_equal(plan_item_dept_return(fx->s, item2, "不属本部门", 0,
	    "cdpf-1", two, &err), 0);
	assert_int_equal(two->dept_state, DEPT_RETURNED);
	iq.dept_state = DEPT_RETURNED;
	n = 0;
	assert_int_equal(plan_inbox(fx->s, &iq, on_item, &n, &last, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(last, item2);
	iq.region = "510105";
	n = 0;
	assert_int_equal(plan_inbox(fx->s, &iq, on_item, &n, &last, &err), 0);
	assert_int_equal(n, 0);

	/* a delivery, once per client id, on the item and the page */
	if (plan_delivery_add(fx->s, item1, "2024-07-01", 5000, "首次", "d-1",
	    "cdpf-1", &d, it, &err) != 0)
		fail_msg("deliver: %s", err.message);
	assert_true(d.id > 0);
	assert_int_equal(it->funds_spent, 5000);
	assert_int_equal(it->status, ITEM_DONE);
	assert_string_equal(it->actual_date, "2024-07-01");
	assert_int_equal(plan_delivery_add(fx->s, item1, "2024-07-01", 5000,
	    "首次", "d-1", "cdpf-1", &d2, it, &err), 0);
	assert_int_equal(d2.id, d.id);
	assert_int_equal(num(fx, "SELECT count(*) FROM deliveries WHERE "
	    "item_id = ?", "i", item1), 1);
	assert_int_equal(plan_delivery_by_client(fx->s, "d-1", &d2, &err), 0);
	assert_int_equal(d2.amount, 5000);
	assert_string_equal(d2.note, "首次");
	assert_string_equal(d2.created_by, "cdpf-1");
	assert_int_equal(plan_delivery_by_client(fx->s, "d-2", &d2, &err), 1);
	memset(&page, 0, sizeof(page));
	page.order_ok = 1;
	assert_int_equal(plan_person_each(fx->s, fx->pid, &fns, &page, &err),
	    0);
	assert_int_equal(page.plans, 1);
	assert_int_equal(page.items, 2);
	assert_int_equal(page.deliveries, 1);
	assert_int_equal(page.amount, 5000);
	assert_true(page.order_ok);

	/* the plans list and the villages: item2 is overdue, item1 done */
	memset(&lq, 0, sizeof(lq));
	lq.region = "5101";
	lq.year = YEAR;
	lq.status = -1;
	lq.overdue_before = 13;
	lq.limit = 10;
	memset(&sum, 0, sizeof(sum));
	assert_int_equal(plan_list(fx->s, &lq, on_summary, &sum, &last, &err),
	    0);
	assert_int_equal(sum.plan_id, p.id);
	assert_int_equal(sum.items, 2);
	assert_int_equal(sum.done, 1);
	assert_int_equal(sum.overdue, 1);
	assert_int_equal(sum.spent, 5000);
	assert_int_equal(sum.planned, 20000);
	lq.status = PLAN_DRAFT;
	memset(&sum, 0, sizeof(sum));
	assert_int_equal(plan_list(fx->s, &lq, on_summary, &sum, &last, &err),
	    0);
	assert_int_equal(sum.plan_id, 0);
	memset(&vq, 0, sizeof(vq));
	vq.region = "5101";
	vq.year = YEAR;
	vq.overdue_before = 13;
	vq.limit = 10;
	memset(&vil, 0, sizeof(vil));
	assert_int_equal(plan_villages(fx->s, &vq, on_village, &vil, &total,
	    &err), 0);
	assert_int_equal(total, 1);
	assert_int_equal(vil.plans, 1);
	assert_int_equal(vil.drafts, 0);
	assert_int_equal(vil.overdue, 1);
	assert_int_equal(vil.village, plan_region_num(it->region));

	/* reopened: a draft again, the second history row */
	assert_int_equal(plan_reopen(fx->s, p.id, 1, "officer", &p, &err), -1);
	assert_string_equal(err.code, "conflict");
	assert_int_equal(plan_reopen(fx->s, p.id, 2, "officer", &p, &err), 0);
	assert_int_equal(p.status, PLAN_DRAFT);
	assert_string_equal(p.confirmed_by, "");
	assert_int_equal(history_count(fx, "plan", p.id), 2);
	changes_of(fx, "plan", p.id, 2, ch, sizeof(ch));
	assert_string_equal(ch, "{\"status\":{\"new\":\"1\",\"old\":\"2\"}}");
	memset(&vil, 0, sizeof(vil));
	assert_int_equal(plan_villages(fx->s, &vq, on_village, &vil, &total,
	    &err), 0);
	assert_int_equal(vil.drafts, 1);
	assert_int_equal(vil.overdue, 0);
	mem_free(two);
	mem_free(it);
}

/* ---- carrying and rebuilding --------------------------------------- */

struct undecided {
	int64_t	 ids[64];
	int	 n;
};

static int
on_undecided(void *arg, const struct plan_item *it)
{
	struct undecided *u = arg;

	if (it->decision == DECISION_PROPOSED && u->n < 64)
		u->ids[u->n++] = it->id;
	return 0;
}

/* plan_build() of the person's survey of year (the API's refresh). */
static int
build(struct fx *fx, int64_t pid, int year, struct plan_build_stats *st,
    struct lf_error *err)
{
	struct store_person p;
	int64_t version;

	memset(st, 0, sizeof(*st));
	if (store_person_by_id(fx->s, pid, &p, err) != 0 ||
	    store_survey_get(fx->s, pid, year, fx->r, &version, err) != 0)
		return -1;
	return plan_build(fx->s, ps, NULL, &p, fx->r, year, "builder", st,
	    err);
}

static void
test_carry_rebuild(void **state)
{
	struct fx *fx = *state;
	struct plan_item_change c;
	struct plan_item *it = mem_alloc(sizeof(*it));
	struct plan_build_stats st;
	struct undecided u;
	struct lf_error err;
	struct plan p;
	int64_t man, items, i;

	assert_non_null(it);
	/* last year: an item added by hand, ended not done */
	memset(&c, 0, sizeof(c));
	c.set = PI_DEPT | PI_FUNDS | PI_MEASURES;
	c.dept = "cdpf";
	c.funds_planned = 50000;
	c.measures = "家庭无障碍改造";
	assert_int_equal(plan_item_add(fx->s, ps, fx->pid, YEAR, "",
	    "access_ramp", &c, NULL, "w", it, &err), 0);
	man = it->id;
	memset(&c, 0, sizeof(c));
	c.set = PI_EFFECT;
	c.effect = EFFECT_NOT_DONE;
	assert_int_equal(plan_item_update(fx->s, man, &c, 0, "w", it, &err), 0);
	assert_int_equal(it->effect, EFFECT_NOT_DONE);

	/* this year's plan of one person carries it, once */
	if (build(fx, fx->pid, YEAR + 1, &st, &err) != 0)
		fail_msg("build: %s", err.message);
	assert_int_equal(st.carried, 1);
	assert_int_equal(st.plans_created, 1);
	assert_int_equal(num(fx, "SELECT count(*) FROM items WHERE year = ? "
	    "AND person_id = ? AND carried_from = ? AND origin = 3 AND "
	    "funds_planned = 50000 AND measures IS NOT NULL AND decision = 0",
	    "iii", (int64_t)YEAR + 1, fx->pid, man), 1);
	items = num(fx, "SELECT count(*) FROM items WHERE year = ? AND "
	    "person_id = ?", "ii", (int64_t)YEAR + 1, fx->pid);
	assert_int_equal(build(fx, fx->pid, YEAR + 1, &st, &err), 0);
	assert_int_equal(st.carried + st.inserted + st.updated + st.deleted,
	    0);

	/* decided and confirmed: the whole-year build leaves it alone */
	assert_int_equal(plan_get(fx->s, fx->pid, YEAR + 1, &p, &err), 0);
	memset(&u, 0, sizeof(u));
	assert_int_equal(plan_items(fx->s, p.id, on_undecided, &u, &err), 0);
	assert_true(u.n > 0);
	memset(&c, 0, sizeof(c));
	c.set = PI_DECISION;
	c.decision = DECISION_ACCEPTED;
	for (i = 0; i < u.n; i++)
		assert_int_equal(plan_item_update(fx->s, u.ids[i], &c, 0, "w",
		    it, &err), 0);
	assert_int_equal(plan_confirm(fx->s, p.id, 0, "officer", &p, &err), 0);
	memset(&st, 0, sizeof(st));
	assert_int_equal(plan_build_all(fx->s, ps, NULL, YEAR + 1, NULL, "b",
	    NULL, NULL, &st, &err), 0);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(st.plans_created, 1);	/* the other person's */

	/* reopened, the plan is a draft the build refreshes again: the
	 * accepted items are kept, nothing is carried twice */
	assert_int_equal(plan_reopen(fx->s, p.id, 0, "officer", &p, &err), 0);
	memset(&st, 0, sizeof(st));
	if (plan_build_all(fx->s, ps, NULL, YEAR + 1, NULL, "b", NULL, NULL,
	    &st, &err) != 0)
		fail_msg("build all: %s", err.message);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.carried + st.inserted + st.deleted, 0);
	assert_int_equal(num(fx, "SELECT count(*) FROM items WHERE year = ? "
	    "AND person_id = ?", "ii", (int64_t)YEAR + 1, fx->pid), items);
	assert_int_equal(num(fx, "SELECT count(*) FROM items WHERE year = ? "
	    "AND person_id = ? AND decision = 1", "ii", (int64_t)YEAR + 1,
	    fx->pid), items);
	assert_int_equal(build(fx, fx->pid, YEAR + 1, &st, &err), 0);
	assert_int_equal(st.carried + st.inserted + st.updated + st.deleted,
	    0);
	mem_free(it);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_carry_rebuild, setup,
		    teardown),
	};

	if (tu_pg_url() != NULL)
		printf("test_plan_rows: on PostgreSQL\n");
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/*
 * test_reconcile.c - roster rows (core/reconcile.h) and the run, tasks and
 * erasure of rosters (store/recon_rows.h, recon/recon.h) on a fixture with planted
 * mismatches: every planted one is found and nothing else. On SQLite, and
 * on PostgreSQL with LIANGFU_TEST_PG_URL set (tu_store_any(): the same
 * tests; the persons seeded by a bulk load on both, the items given
 * through plan_item_add() on SQLite and as rows on PostgreSQL, where
 * single item inserts do not run yet; every table emptied after each).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/policy.h"
#include "core/reconcile.h"
#include "plan/plan.h"
#include "store/plan.h"
#include "recon/recon.h"
#include "store/store.h"
#include "store/dbq.h"
#include "auth/users.h"
#include "testutil.h"

/* ---- roster rows ---------------------------------------------------- */

static void
test_rows(void **state)
{
	static const struct {
		const char	*kind;
		const char	*f[3];
		unsigned	 column;	/* 0: good */
		const char	*why;
	} rows[] = {
		{ "death", { NULL, "张三", "2024-03-01" }, 0, NULL },
		{ "death", { "12345", "张三", "2024-03-01" }, 1, "18" },
		{ "death", { "X", "张三", "2024-03-01" }, 1, NULL },
		{ "death", { NULL, "", "2024-03-01" }, 2, "不能为空" },
		{ "death", { NULL, "张三", "2024-02-30" }, 3, "YYYY-MM-DD" },
		{ "death", { NULL, "张三", "2031-01-01" }, 3, "未来" },
		{ "death", { NULL, "张三", "" }, 3, "日期" },
		{ "school", { NULL, "张三", "成都市特殊教育学校" }, 0, NULL },
		{ "school", { NULL, "张三", "" }, 3, "1-200" },
		{ "dibao", { NULL, "张三", "2020-01-01" }, 0, NULL },
	};
	struct recon_kinds *ks;
	struct recon_cols cols = { 0, 1, 2 };
	struct lf_error err;
	const char *f[3];
	char id18[19];
	size_t i;
	int fact, rc;

	(void)state;
	assert_int_equal(recon_kinds_load(tu_catalog(), &ks, &err), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct recon_kind *k = recon_kind_find(ks, rows[i].kind);

		assert_non_null(k);
		f[0] = rows[i].f[0] ? rows[i].f[0] : tu_id(1);
		f[1] = rows[i].f[1];
		f[2] = rows[i].f[2];
		lf_error_clear(&err);
		rc = recon_row(k, &cols, f, 3, tu_days("2026-11-29"), id18,
		    &fact, &err);
		if (rows[i].column == 0) {
			if (rc != 0)
				fail_msg("row %zu: %s", i, err.message);
			assert_string_equal(id18, tu_id(1));
			continue;
		}
		assert_int_equal(rc, -1);
		if (err.column != rows[i].column)
			fail_msg("row %zu: column %u, wanted %u (%s)", i,
			    err.column, rows[i].column, err.message);
		if (rows[i].why && strstr(err.message, rows[i].why) == NULL)
			fail_msg("row %zu: '%s' lacks '%s'", i, err.message,
			    rows[i].why);
		/* the ID number never appears in a message */
		assert_null(strstr(err.message, tu_id(1)));
	}
	recon_kinds_free(ks);
}

static void
test_header(void **state)
{
	static const char *const good[] = { "序号", "死亡日期", "姓名",
	    "身份证号" };
	static const char *const missing[] = { "身份证号", "姓名" };
	static const char *const twice[] = { "身份证号", "姓名", "死亡日期",
	    "身份证号" };
	struct recon_kinds *ks;
	struct recon_cols c;
	struct lf_error err;
	const struct recon_kind *k;

	(void)state;
	assert_int_equal(recon_kinds_load(tu_catalog(), &ks, &err), 0);
	k = recon_kind_find(ks, "death");
	assert_int_equal(recon_header(k, good, 4, &c, &err), 0);
	assert_int_equal(c.id, 3);
	assert_int_equal(c.name, 2);
	assert_int_equal(c.own, 1);
	assert_int_equal(recon_header(k, missing, 2, &c, &err), -1);
	assert_non_null(strstr(err.message, "死亡日期"));
	assert_int_equal(recon_header(k, twice, 4, &c, &err), -1);
	assert_int_equal(err.column, 4);
	assert_null(recon_kind_find(ks, "tax"));
	recon_kinds_free(ks);
}

static void
test_kinds_file(void **state)
{
	static const char head[] = "kind\tname_zh\tname_en\tcolumn\ttype\t"
	    "says\tpolicy\tneeds\teligible\n";
	static const struct {
		const char	*row;
		unsigned	 column;	/* 0: good */
	} rows[] = {
		{ "x\tX\tx\t日期\tdate\tdibao\tSUB_LIVING\ton\tsevere\n", 0 },
		{ "x\tX\tx\t日期\tnumber\tdibao\tSUB_LIVING\ton\t\n", 5 },
		{ "x\tX\tx\t日期\tdate\tdibao and\tSUB_LIVING\ton\t\n", 6 },
		{ "x\tX\tx\t日期\tdate\tdibao\tNOPE\ton\t\n", 7 },
		{ "x\tX\tx\t日期\tdate\tdibao\tSUB_LIVING\tyes\t\n", 8 },
		{ "x\tX\tx\t日期\tdate\t\t*\toff\tnosuch\n", 9 },
		{ "x\tX\tx\t\tdate\t\t*\toff\t\n", 4 },
		{ "x\tX\tx\t日期\tdate\t\t*\toff\t\n"
		    "x\tX\tx\t日期\tdate\t\t*\toff\t\n", 1 },
	};
	struct recon_kinds *ks;
	struct policies *ps;
	struct lf_error err;
	char text[1024];
	size_t i;
	int rc;

	(void)state;
	assert_int_equal(policies_load_embedded(tu_catalog(), &ps, &err), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", head, rows[i].row);
		lf_error_clear(&err);
		rc = recon_kinds_parse(text, strlen(text), "k.tsv",
		    tu_catalog(), ps, &ks, &err);
		if (rows[i].column == 0) {
			assert_int_equal(rc, 0);
			assert_int_equal(ks->n, 1);
			assert_true(ks->v[0].needs_on);
			recon_kinds_free(ks);
			continue;
		}
		assert_int_equal(rc, -1);
		assert_null(ks);
		if (err.column != rows[i].column)
			fail_msg("row %zu: column %u (%s)", i, err.column,
			    err.message);
		assert_non_null(strstr(err.message, "k.tsv:"));
	}
	/* the embedded file: the four kinds */
	assert_int_equal(recon_kinds_load(tu_catalog(), &ks, &err), 0);
	assert_int_equal(ks->n, 4);
	assert_true(recon_kind_find(ks, "death")->death);
	assert_false(recon_kind_find(ks, "school")->needs_on);
	recon_kinds_free(ks);
	policies_free(ps);
}

/* ---- the run on a fixture ------------------------------------------- */

/*
 * Six persons of 锦江区 surveyed in 2024 (tu_valid_person: adult, 肢体二级
 * so severe, valid card, 非农业). What differs:
 *   P1 survey 低保, on the 低保 roster, receives SUB_LIVING    -> nothing
 *   P2 survey 低保, on the roster, receives nothing       -> 应享未享
 *   P3 survey not 低保, on the roster, receives nothing   -> 不一致 + 应享未享
 *   P4 survey not 低保, off the roster, receives SUB_LIVING -> 不应享而享
 *   P5 survey 低保, off the roster                         -> 不一致
 *   P6 survey not 低保, off the roster, 迁出, receives LEGAL_AID -> nothing
 * Death roster {P1, P3}: P1 receives -> 已死亡仍在享受 + 不一致 (在册);
 * P3 receives nothing -> 不一致; P6 迁出 and receiving -> 已迁出仍在享受.
 */
#define NP	6
struct fx {
	char			 dir[TU_DIR_MAX], db[TU_DB_MAX];
	struct store		*s;
	struct policies		*ps;
	struct recon_kinds	*ks;
	int64_t			 pid[NP + 1];
	char			 uid[NP + 1][STORE_UID_LEN + 1];
};

static void
put(struct fx *fx, int n, int dibao, int status)
{
	struct store_put p = { 2024, status, "test", 0, 0 };
	struct store_put_result res;
	struct record *r = record_new(tu_catalog());
	struct lf_error err;

	p.today = tu_days("2026-11-29");
	tu_valid_person(r, n);
	if (dibao)
		tu_set(r, "urban_income_status", "1");
	if (store_survey_put(fx->s, r, &p, &res, &err) != 0)
		fail_msg("put %d: %s", n, err.message);
	fx->pid[n] = res.person_id;
	memcpy(fx->uid[n], res.uid, sizeof(res.uid));
	record_free(r);
}

static void
give(struct fx *fx, int n, const char *policy)
{
	struct plan_item_change c;
	struct plan_item it;
	struct lf_error err;
	char sql[1024];

	if (dbq_is_pg(fx->s)) {
		/* planned (decision 1), neither cancelled nor without effect */
		snprintf(sql, sizeof(sql), "INSERT INTO items(city, county, "
		    "plan_id, person_id, year, region, seq, policy, origin, "
		    "decision, month, funds_planned, funds_spent, monthly, "
		    "effect, status, dept_state, edited, version, updated_at, "
		    "updated_by) SELECT city, county, 0, id, 2024, "
		    "CAST(region AS bigint), 1, '%s', 2, 1, 1, 0, 0, 0, 0, 1, "
		    "0, 0, 1, 0, 'test' FROM persons WHERE id = %lld", policy,
		    (long long)fx->pid[n]);
		if (dbq_script(fx->s, sql, "give", &err) != 0)
			fail_msg("item %d: %s", n, err.message);
		return;
	}
	memset(&c, 0, sizeof(c));
	if (plan_item_add(fx->s, fx->ps, fx->pid[n], 2024, policy, "", &c,
	    NULL, "test", &it, &err) != 0)
		fail_msg("item %d: %s", n, err.message);
}

/* PostgreSQL: the rows the tests wrote go, and the id sequences back to
 * just past what is left (the registry outlives the test). */
static void
empty_pg(struct store *s)
{
	static const char *const seqs[][2] = { { "persons", "persons" },
	    { "history", "history" }, { "items", "items" }, { "plans",
	    "plans" }, { "rosters", "rosters" }, { "recon_tasks",
	    "recon_tasks" }, { "users", "users" }, { "sessions",
	    "sessions" } };
	struct lf_error err;
	char sql[256];
	size_t i;

	if (dbq_script(s, "DELETE FROM recon_tasks; DELETE FROM roster_rows; "
	    "DELETE FROM rosters; DELETE FROM items; DELETE FROM plans; "
	    "DELETE FROM history; DELETE FROM surveys; DELETE FROM persons; "
	    "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users "
	    "WHERE login LIKE 'cty_%'); DELETE FROM users WHERE login LIKE "
	    "'cty_%'", "empty", &err) != 0)
		fail_msg("empty: %s", err.message);
	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT setval('%s_id_seq', "
		    "coalesce(max(id), 0) + 1, false) FROM %s", seqs[i][0],
		    seqs[i][1]);
		if (dbq_script(s, sql, "empty", &err) != 0)
			fail_msg("empty: %s", err.message);
	}
}

static int
setup(void **state)
{
	struct fx *fx = test_calloc(1, sizeof(*fx));
	struct lf_error err;

	fx->s = tu_store_any(fx->dir, fx->db, "recon.db");
	if (dbq_is_pg(fx->s))
		empty_pg(fx->s);
	assert_int_equal(policies_load_embedded(tu_catalog(), &fx->ps, &err),
	    0);
	assert_int_equal(recon_kinds_load(tu_catalog(), &fx->ks, &err), 0);
	/* one bulk load (single survey writes need not run on PostgreSQL) */
	assert_int_equal(store_begin_bulk(fx->s, &err), 0);
	put(fx, 1, 1, 0);
	put(fx, 2, 1, 0);
	put(fx, 3, 0, 0);
	put(fx, 4, 0, 0);
	put(fx, 5, 1, 0);
	put(fx, 6, 0, PERSON_MOVED_OUT);
	if (store_commit(fx->s, &err) != 0)
		fail_msg("commit: %s", err.message);
	give(fx, 1, "SUB_LIVING");
	give(fx, 4, "SUB_LIVING");
	give(fx, 6, "LEGAL_AID");
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	recon_kinds_free(fx->ks);
	policies_free(fx->ps);
	if (dbq_is_pg(fx->s))
		empty_pg(fx->s);
	store_close(fx->s);
	tu_rmdir(fx->dir);
	test_free(fx);
	return 0;
}

struct got {
	struct fx	*fx;
	int		 n;
	char		 what[32][48];	/* "P<n>:<finding>" */
	int		 created;
	char		 owner[64];	/* of the last new task */
};

static int
on_found(void *arg, const struct recon_found *f)
{
	struct got *g = arg;
	int i, who = 0;

	for (i = 1; i <= NP; i++)
		if (g->fx->pid[i] == f->person_id)
			who = i;
	assert_true(who > 0);
	assert_string_equal(f->uid, g->fx->uid[who]);
	assert_string_equal(f->county, "510104");
	assert_true(g->n < 32);
	snprintf(g->what[g->n++], sizeof(g->what[0]), "P%d:%s", who,
	    recon_finding_code(f->finding));
	g->created += f->created;
	if (f->created)
		snprintf(g->owner, sizeof(g->owner), "%s", f->owner);
	return 0;
}

/* A run over the region `in` (NULL: the whole province, which reads
 * persons and surveys as two merged scans; a county reads by the region
 * index). */
static void
run_in(struct fx *fx, const char *kind, const int *on, size_t non,
    const char *in, struct got *g, struct recon_summary *sum)
{
	struct recon_roster_row rows[NP + 1];
	struct recon_run_opts o;
	struct lf_error err;
	size_t i;

	memset(g, 0, sizeof(*g));
	g->fx = fx;
	memset(rows, 0, sizeof(rows));
	for (i = 0; i < non; i++) {
		assert_int_equal(recon_id_hash(fx->s, tu_id(on[i]),
		    rows[i].hash, &err), 0);
		rows[i].fact_days = tu_days("2024-03-01");
	}
	/* one row of a person the registry does not hold */
	assert_int_equal(recon_id_hash(fx->s, tu_id(90), rows[non].hash, &err),
	    0);
	memset(&o, 0, sizeof(o));
	o.kind = recon_kind_find(fx->ks, kind);
	o.year = 2024;
	o.actor = "cli:test";
	o.file = "roster.csv";
	o.in = in ? regions_find(tu_regions(), in) : NULL;
	if (recon_run(fx->s, rows, non + 1, &o, on_found, g, sum, &err) != 0)
		fail_msg("run: %s", err.message);
	assert_int_equal(sum->rows, (int64_t)non + 1);
	assert_int_equal(sum->matched, (int64_t)non);
	assert_int_equal(sum->unmatched, 1);
	assert_int_equal(sum->persons, NP);
}

static void
run(struct fx *fx, const char *kind, const int *on, size_t non,
    struct got *g, struct recon_summary *sum)
{
	run_in(fx, kind, on, non, NULL, g, sum);
}

static void
expect(const struct got *g, const char *const *want, size_t n)
{
	size_t i;
	int j, found;

	for (i = 0; i < n; i++) {
		found = 0;
		for (j = 0; j < g->n; j++)
			found += strcmp(g->what[j], want[i]) == 0;
		if (found != 1)
			fail_msg("%s found %d times", want[i], found);
	}
	if ((size_t)g->n != n) {
		for (j = 0; j < g->n; j++)
			print_message("got %s\n", g->what[j]);
		fail_msg("%d findings, wanted %zu", g->n, n);
	}
}

static void
test_dibao(void **state)
{
	static const int on[] = { 1, 2, 3 };
	static const char *const want[] = { "P2:eligible_not_receiving",
	    "P3:disagree", "P3:eligible_not_receiving",
	    "P4:receiving_not_eligible", "P5:disagree" };
	struct fx *fx = *state;
	struct recon_summary sum;
	struct got g;

	run(fx, "dibao", on, 3, &g, &sum);
	expect(&g, want, 5);
	assert_int_equal(g.created, 5);
	assert_int_equal(sum.tasks_created, 5);
	/* the same roster again: the same findings, no new task */
	run(fx, "dibao", on, 3, &g, &sum);
	expect(&g, want, 5);
	assert_int_equal(g.created, 0);
	/* over the county only: the same */
	run_in(fx, "dibao", on, 3, "510104", &g, &sum);
	expect(&g, want, 5);
	assert_int_equal(g.created, 0);
}

static void
test_death(void **state)
{
	static const int on[] = { 1, 3 };
	static const char *const want[] = { "P1:deceased_receiving",
	    "P1:disagree", "P3:disagree", "P6:moved_receiving" };
	struct fx *fx = *state;
	struct recon_summary sum;
	struct got g;

	struct user_new u;
	struct lf_error err;

	/* new tasks are owned by the county's first active county account */
	memset(&u, 0, sizeof(u));
	u.role = "county";
	u.region = "510104";
	u.password = "Pw-12345678abc";
	u.login = "cty_b";
	assert_int_equal(users_add(fx->s, &u, &err), 0);
	u.login = "cty_a";
	assert_int_equal(users_add(fx->s, &u, &err), 0);
	run_in(fx, "death", on, 2, "510104", &g, &sum);
	expect(&g, want, 4);
	assert_int_equal(g.created, 4);
	assert_string_equal(g.owner, "cty_b");
	run(fx, "death", on, 2, &g, &sum);
	expect(&g, want, 4);
	assert_int_equal(g.created, 0);
}

struct tasks {
	int		 n;
	int64_t		 first;
};

static int
on_task(void *arg, const struct recon_task *t)
{
	struct tasks *ts = arg;

	if (ts->n++ == 0)
		ts->first = t->id;
	assert_string_equal(t->county, "510104");
	assert_string_equal(t->kind, "dibao");
	return 0;
}

static int
on_count(void *arg, const char *region, const char *finding, int64_t n)
{
	int64_t *total = arg;

	assert_string_equal(region, "5101");	/* the child of the province */
	assert_true(recon_finding_find(finding) >= 0);
	*total += n;
	return 0;
}

static void
test_tasks(void **state)
{
	static const int on[] = { 1, 2, 3 };
	struct recon_task_query q = { "510104", "dibao", 1, 0, 100 };
	struct fx *fx = *state;
	struct recon_summary sum;
	struct recon_task t;
	struct lf_error err;
	struct tasks ts;
	struct got g;
	int64_t last, total = 0;

	run(fx, "dibao", on, 3, &g, &sum);
	memset(&ts, 0, sizeof(ts));
	assert_int_equal(recon_tasks(fx->s, &q, on_task, &ts, &last, &err), 0);
	assert_int_equal(ts.n, 5);
	assert_int_equal(recon_counts(fx->s, regions_find(tu_regions(), "51"),
	    on_count, &total, &err), 0);
	assert_int_equal(total, 5);
	/* a reason is required; closing twice is a state error */
	assert_int_equal(recon_task_close(fx->s, ts.first, "", "w", &t, &err),
	    -1);
	assert_string_equal(err.code, "invalid");
	assert_int_equal(recon_task_close(fx->s, ts.first, "已核实，民政已更新",
	    "w", &t, &err), 0);
	assert_false(t.open);
	assert_string_equal(t.close_reason, "已核实，民政已更新");
	assert_int_equal(recon_task_close(fx->s, ts.first, "again", "w", &t,
	    &err), -1);
	assert_string_equal(err.code, "state");
	assert_int_equal(recon_task_close(fx->s, 999999, "x", "w", &t, &err),
	    -1);
	assert_string_equal(err.code, "not_found");
	memset(&ts, 0, sizeof(ts));
	assert_int_equal(recon_tasks(fx->s, &q, on_task, &ts, &last, &err), 0);
	assert_int_equal(ts.n, 4);
	/* the closed finding is found again: a new task is opened */
	run(fx, "dibao", on, 3, &g, &sum);
	assert_int_equal(g.created, 1);
}

static int64_t
count_rows(struct fx *fx)
{
	struct dbq q = { 0 };
	struct lf_error err;
	int64_t n = -1;

	assert_int_equal(dbq_prep(fx->s, &q, "SELECT count(*) FROM "
	    "roster_rows", "count", &err), 0);
	if (dbq_step(&q, &err) == 1)
		n = dbq_int64(&q, 0);
	dbq_end(&q);
	return n;
}

static void
test_erase(void **state)
{
	static const int on[] = { 1, 2, 3 };
	struct fx *fx = *state;
	struct recon_summary sum;
	struct lf_error err;
	struct got g;
	int64_t erased, now = (int64_t)time(NULL);

	run(fx, "dibao", on, 3, &g, &sum);
	assert_int_equal(count_rows(fx), 4);
	/* kept for 30 days: nothing to erase today or in 29 days */
	assert_int_equal(recon_erase(fx->s, 30, now, &erased, &err), 0);
	assert_int_equal(erased, 0);
	assert_int_equal(recon_erase(fx->s, 30, now + 29 * 86400, &erased,
	    &err), 0);
	assert_int_equal(erased, 0);
	assert_int_equal(count_rows(fx), 4);
	assert_int_equal(recon_erase(fx->s, 30, now + 31 * 86400, &erased,
	    &err), 0);
	assert_int_equal(erased, 1);
	assert_int_equal(count_rows(fx), 0);
	assert_int_equal(recon_erase(fx->s, -1, now, &erased, &err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_kinds_file),
		cmocka_unit_test_setup_teardown(test_dibao, setup, teardown),
		cmocka_unit_test_setup_teardown(test_death, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tasks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erase, setup, teardown),
	};
	int rc;

	if (tu_pg_url() != NULL)
		printf("test_reconcile: on PostgreSQL\n");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tu_env_free();
	return rc;
}

/*
 * test_plan.c - 一人一策 persistence (store/plan.h): schema, item changes
 * and their checks, versions and history, manual items, confirmation,
 * the department's answers, deliveries, the inbox, and building plans
 * from a seeded synthetic county.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "synth/synth.h"
#include "plan/plan.h"
#include "store/plan.h"
#include "store/store_int.h"
#include "testutil.h"

#define YEAR		2024
#define COUNTY		"510104"
#define NSYNTH		150

struct fx {
	char		 dir[64];
	char		 db[128];
	struct store	*s;
	struct record	*r;
	int64_t		 pid;		/* tu_valid_person(1), surveyed YEAR */
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

static int64_t
put_person(struct fx *fx, int year)
{
	struct store_put p = { year, 0, "tester", 0, 0 };
	struct store_put_result res;
	struct lf_error err;

	lf_error_clear(&err);
	if (store_survey_put(fx->s, fx->r, &p, &res, &err) != 0)
		fail_msg("put: %s", err.message);
	return res.person_id;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	fx->s = tu_store_new(fx->dir, fx->db, "p.db");
	fx->r = record_new(tu_catalog());
	tu_valid_person(fx->r, 1);
	fx->pid = put_person(fx, YEAR);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->s);
	record_free(fx->r);
	tu_rmdir(fx->dir);
	free(fx);
	return 0;
}

/* The first column of the first row of sql, on a connection of its own. */
static int64_t
sql_int(struct fx *fx, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* A setting of the store's own connection. */
static int64_t
store_pragma(struct fx *fx, const char *name)
{
	sqlite3_stmt *st;
	char sql[64];
	int64_t v = -1;

	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	assert_int_equal(sqlite3_prepare_v2(fx->s->db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
sql_exec(struct fx *fx, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* A manual item of pid's plan of YEAR, with dept. */
static int64_t
add_item(struct fx *fx, int64_t pid, const char *dept, const char *client)
{
	struct plan_item_change c;
	struct plan_item it;
	struct lf_error err;

	memset(&c, 0, sizeof(c));
	c.set = PI_DEPT | PI_MONTH | PI_FUNDS;
	c.dept = dept;
	c.planned_month = "2024-03";
	c.funds_planned = 10000;
	lf_error_clear(&err);
	if (plan_item_add(fx->s, ps, pid, YEAR, "", "rehab_training", &c,
	    client, "worker", &it, &err) != 0)
		fail_msg("add: %s", err.message);
	return it.id;
}

static struct plan_item *
get_item(struct fx *fx, int64_t id)
{
	static struct plan_item it;
	struct lf_error err;

	assert_int_equal(plan_item_get(fx->s, id, &it, &err), 0);
	return &it;
}

static void
confirm(struct fx *fx, int64_t pid)
{
	struct plan p;
	struct lf_error err;

	assert_int_equal(plan_get(fx->s, pid, YEAR, &p, &err), 0);
	if (plan_confirm(fx->s, p.id, 0, "officer", &p, &err) != 0)
		fail_msg("confirm: %s", err.message);
}

/* ---- schema -------------------------------------------------------- */

static void
test_schema(void **state)
{
	struct fx *fx = *state;
	static const char *const names[] = { "plans", "items", "deliveries",
	    "items_person", "items_inbox", "items_client",
	    "items_carry", "deliveries_item", "deliveries_client" };
	struct lf_error err;
	struct store *s2;
	char sql[160];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master"
		    " WHERE name = '%s'", names[i]);
		if (sql_int(fx, sql) != 1)
			fail_msg("%s missing", names[i]);
	}
	/* a second connection finds the schema and changes nothing */
	assert_int_equal(store_open(fx->db, tu_catalog(), tu_regions(), &s2,
	    &err), 0);
	store_close(s2);
	/* the inbox and export queries use their indexes */
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM (SELECT 1 FROM "
	    "items WHERE dept = 'x' AND year = 1 AND region >= 1 AND region < "
	    "2 AND decision = 1 ORDER BY id LIMIT 5)"), 0);
}

static void
test_labels(void **state)
{
	static const struct {
		const char	*(*fn)(int);
		int		 v;
		const char	*want;
	} rows[] = {
		{ plan_effect_zh, 0, "" },
		{ plan_effect_zh, 1, "已落实" },
		{ plan_effect_zh, 4, "不再需要" },
		{ plan_effect_zh, 5, "" },
		{ plan_effect_zh, -1, "" },
		{ plan_status_zh, 1, "计划中" },
		{ plan_status_zh, 4, "未完成" },
		{ plan_status_zh, 0, "" },
		{ plan_origin_zh, 3, "上年结转" },
		{ plan_origin_zh, 9, "" },
		{ plan_decision_zh, 0, "待定" },
		{ plan_decision_zh, 2, "不采纳" },
		{ plan_decision_zh, 3, "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_string_equal(rows[i].fn(rows[i].v), rows[i].want);
}

/* ---- item changes -------------------------------------------------- */

static const struct urow {
	unsigned	 set;
	int64_t		 num;		/* decision, funds, effect, status */
	const char	*a;		/* the bit's text (reason, note...) */
	size_t		 fill;		/* a is this many 'a's instead */
	const char	*code;		/* NULL: accepted */
	const char	*field;		/* the field named; accepted: the
					   value read back */
} urows[] = {
	{ PI_DECISION, 3, NULL, 0, "invalid", "decision" },
	{ PI_DECISION, -1, NULL, 0, "invalid", "decision" },
	{ PI_DECISION, DECISION_REJECTED, NULL, 0, "invalid",
	    "decision_reason" },
	{ PI_DECISION, DECISION_REJECTED, "", 0, "invalid",
	    "decision_reason" },
	{ PI_DECISION, DECISION_REJECTED, "\xff", 0, "invalid",
	    "decision_reason" },
	{ PI_DECISION, DECISION_REJECTED, "已享受", 0, NULL, "已享受" },
	{ PI_DECISION, DECISION_ACCEPTED, NULL, 0, NULL, "" },
	{ PI_DEPT, 0, NULL, 0, "invalid", "dept" },
	{ PI_DEPT, 0, "", 0, "invalid", "dept" },
	{ PI_DEPT, 0, "nope", 0, "invalid", "dept" },
	{ PI_DEPT, 0, "民政", 0, NULL, "civil" },
	{ PI_DEPT, 0, "cdpf", 0, NULL, "cdpf" },
	{ PI_ORG, 0, NULL, 200, "invalid", "org" },
	{ PI_ORG, 0, NULL, 199, NULL, NULL },
	{ PI_ORG, 0, "a\x01z", 0, "invalid", "org" },
	{ PI_ORG, 0, "\xe5\x8e", 0, "invalid", "org" },
	{ PI_ORG, 0, "县民政局\n二科", 0, NULL, "县民政局\n二科" },
	{ PI_CONTACT, 0, NULL, 100, "invalid", "contact" },
	{ PI_CONTACT, 0, "\x7f", 0, "invalid", "contact" },
	{ PI_CONTACT, 0, "王科长 028-1234", 0, NULL, "王科长 028-1234" },
	{ PI_MONTH, 0, NULL, 0, "invalid", "planned_month" },
	{ PI_MONTH, 0, "2024-13", 0, "invalid", "planned_month" },
	{ PI_MONTH, 0, "2024-00", 0, "invalid", "planned_month" },
	{ PI_MONTH, 0, "2024-5", 0, "invalid", "planned_month" },
	{ PI_MONTH, 0, "2023-05", 0, "invalid", "planned_month" },
	{ PI_MONTH, 0, "2024/05", 0, "invalid", "planned_month" },
	{ PI_MONTH, 0, "2024-01", 0, NULL, "2024-01" },
	{ PI_MONTH, 0, "2024-12", 0, NULL, "2024-12" },
	{ PI_ACTUAL, 0, NULL, 0, "invalid", "actual_date" },
	{ PI_ACTUAL, 0, "2023-02-29", 0, "invalid", "actual_date" },
	{ PI_ACTUAL, 0, "2024-1-05", 0, "invalid", "actual_date" },
	{ PI_ACTUAL, 0, "2024-02-29", 0, NULL, "2024-02-29" },
	{ PI_ACTUAL, 0, "", 0, NULL, "" },
	{ PI_FUNDS, -1, NULL, 0, "invalid", "funds_planned" },
	{ PI_FUNDS, 100000000001LL, NULL, 0, "invalid", "funds_planned" },
	{ PI_FUNDS, 100000000000LL, NULL, 0, NULL, "100000000000" },
	{ PI_FUNDS, 0, NULL, 0, NULL, "0" },
	{ PI_MEASURES, 0, NULL, PLAN_TEXT_MAX, "invalid", "measures" },
	{ PI_MEASURES, 0, NULL, PLAN_TEXT_MAX - 1, NULL, NULL },
	{ PI_MEASURES, 0, "\xc3", 0, "invalid", "measures" },
	{ PI_MEASURES, 0, "上门康复指导\t每月两次", 0, NULL,
	    "上门康复指导\t每月两次" },
	{ PI_EFFECT, 5, NULL, 0, "invalid", "effect" },
	{ PI_EFFECT, -1, NULL, 0, "invalid", "effect" },
	{ PI_EFFECT, 2, "\xed\xa0\x80", 0, "invalid", "effect_note" },
	{ PI_EFFECT, 2, "一半已发", 0, NULL, "一半已发" },
	{ PI_EFFECT, 0, NULL, 0, NULL, "" },
	{ PI_STATUS, 0, NULL, 0, "invalid", "status" },
	{ PI_STATUS, 5, NULL, 0, "invalid", "status" },
	{ PI_STATUS, ITEM_NOT_DONE, NULL, 0, "invalid", "status_reason" },
	{ PI_STATUS, ITEM_NOT_DONE, NULL, PLAN_TEXT_MAX, "invalid",
	    "status_reason" },
	{ PI_STATUS, ITEM_NOT_DONE, "本人外出", 0, NULL, "本人外出" },
	{ PI_STATUS, ITEM_DONE, NULL, 0, NULL, "" },
	{ 1u << 10, 0, NULL, 0, "invalid", "set" },
	{ PI_STATUS | (1u << 12), ITEM_DONE, NULL, 0, "invalid", "set" },
};

static void
make_change(const struct urow *u, struct plan_item_change *c, char *text)
{
	const char *a = u->a;

	if (u->fill > 0) {
		memset(text, 'a', u->fill);
		text[u->fill] = '\0';
		a = text;
	}
	memset(c, 0, sizeof(*c));
	c->set = u->set;
	c->decision = (int)u->num;
	c->decision_reason = a;
	c->dept = c->org = c->contact = a;
	c->planned_month = c->actual_date = a;
	c->funds_planned = u->num;
	c->measures = c->effect_note = c->status_reason = a;
	c->effect = c->status = (int)u->num;
}

/* The value the bit of u sets, as text, read back from it. */
static const char *
bit_value(const struct urow *u, const struct plan_item *it, char *num)
{
	switch (u->set) {
	case PI_DECISION:
		return it->decision_reason;
	case PI_DEPT:
		return it->dept;
	case PI_ORG:
		return it->org;
	case PI_CONTACT:
		return it->contact;
	case PI_MONTH:
		return it->planned_month;
	case PI_ACTUAL:
		return it->actual_date;
	case PI_FUNDS:
		snprintf(num, 24, "%lld", (long long)it->funds_planned);
		return num;
	case PI_MEASURES:
		return it->measures;
	case PI_EFFECT:
		return it->effect_note;
	default:
		return it->status_reason;
	}
}

static void
test_update_checks(void **state)
{
	struct fx *fx = *state;
	static char text[PLAN_TEXT_MAX + 8];
	struct plan_item_change c;
	struct plan_item out;
	struct lf_error err;
	char num[24];
	int64_t id = add_item(fx, fx->pid, "civil", NULL), v;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(urows) / sizeof(urows[0]); i++) {
		const struct urow *u = &urows[i];

		v = get_item(fx, id)->version;
		make_change(u, &c, text);
		lf_error_clear(&err);
		rc = plan_item_update(fx->s, id, &c, v, "worker", &out, &err);
		if (u->code != NULL) {
			if (rc != -1 || strcmp(err.code, u->code) != 0 ||
			    strcmp(err.field, u->field) != 0)
				fail_msg("row %zu: rc %d code %s field %s", i,
				    rc, err.code ? err.code : "-", err.field);
			assert_int_equal(get_item(fx, id)->version, v);
			continue;
		}
		if (rc != 0)
			fail_msg("row %zu: %s", i, err.message);
		assert_int_equal(out.version, get_item(fx, id)->version);
		assert_true(out.edited);
		if (u->field != NULL)
			assert_string_equal(bit_value(u, &out, num), u->field);
	}
	/* an item that is not there */
	assert_int_equal(plan_item_get(fx->s, 999999, &out, &err), 1);
	c.set = PI_STATUS;
	assert_int_equal(plan_item_update(fx->s, 999999, &c, 0, "w", &out,
	    &err), -1);
	assert_string_equal(err.code, "not_found");
}

static void
test_update_conflict_history(void **state)
{
	struct fx *fx = *state;
	struct plan_item_change c;
	struct plan_item out;
	struct lf_error err;
	int64_t id = add_item(fx, fx->pid, "civil", NULL);
	int64_t hist = sql_int(fx, "SELECT count(*) FROM history");
	const char *changes;
	sqlite3 *db;
	sqlite3_stmt *st;

	memset(&c, 0, sizeof(c));
	c.set = PI_FUNDS | PI_MEASURES;
	c.funds_planned = 25000;
	c.measures = "购买轮椅";
	assert_int_equal(plan_item_update(fx->s, id, &c, 1, "worker", &out,
	    &err), 0);
	assert_int_equal(out.version, 2);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM history"), hist + 1);
	/* a stale version writes nothing */
	c.funds_planned = 30000;
	assert_int_equal(plan_item_update(fx->s, id, &c, 1, "other", &out,
	    &err), -1);
	assert_string_equal(err.code, "conflict");
	assert_int_equal(get_item(fx, id)->funds_planned, 25000);
	assert_int_equal(get_item(fx, id)->version, 2);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM history"), hist + 1);
	/* the same values again: no version, no history */
	c.funds_planned = 25000;
	assert_int_equal(plan_item_update(fx->s, id, &c, 2, "worker", &out,
	    &err), 0);
	assert_int_equal(out.version, 2);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM history"), hist + 1);
	/* the history row: entity item, old -> new */
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT entity, entity_id, "
	    "person_id, year, version, actor, changes FROM history ORDER BY id "
	    "DESC LIMIT 1", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "item");
	assert_int_equal(sqlite3_column_int64(st, 1), id);
	assert_int_equal(sqlite3_column_int64(st, 2), fx->pid);
	assert_int_equal(sqlite3_column_int(st, 3), YEAR);
	assert_int_equal(sqlite3_column_int(st, 4), 1);
	assert_string_equal(sqlite3_column_text(st, 5), "worker");
	changes = (const char *)sqlite3_column_text(st, 6);
	assert_string_equal(changes, "{\"funds_planned\":{\"new\":\"25000\","
	    "\"old\":\"10000\"},\"measures\":{\"new\":\"购买轮椅\","
	    "\"old\":\"\"}}");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ---- manual items -------------------------------------------------- */

static const struct arow {
	int64_t		 person;	/* 0: the fixture's */
	int		 year;
	const char	*policy, *needs, *client;
	unsigned	 set;
	const char	*dept;
	const char	*code, *field;	/* NULL: accepted */
} arows[] = {
	{ 0, YEAR, "", "", NULL, 0, NULL, NULL, NULL },
	{ 0, YEAR, NULL, NULL, NULL, 0, NULL, NULL, NULL },
	{ 0, YEAR, "SUB_LIVING", "ss_living_subsidy", NULL, 0, NULL, NULL,
	    NULL },
	{ 0, YEAR, "", "rehab_training,aid_wheelchair", NULL, 0, NULL, NULL,
	    NULL },
	{ 0, YEAR, "NOPE", "", NULL, 0, NULL, "invalid", "policy" },
	{ 0, YEAR, "", "name", NULL, 0, NULL, "invalid", "needs" },
	{ 0, YEAR, "", "nope", NULL, 0, NULL, "invalid", "needs" },
	{ 0, YEAR, "", "rehab_training,", NULL, 0, NULL, "invalid", "needs" },
	{ 0, YEAR, "", ",rehab_training", NULL, 0, NULL, "invalid", "needs" },
	{ 0, 1989, "", "", NULL, 0, NULL, "invalid", "year" },
	{ 0, 3000, "", "", NULL, 0, NULL, "invalid", "year" },
	{ 0, YEAR, "", "", "has space", 0, NULL, "invalid", "client_id" },
	{ 0, YEAR, "", "", "0123456789012345678901234567890123456789", 0,
	    NULL, "invalid", "client_id" },
	{ 0, YEAR, "", "", NULL, PI_DEPT, "nope", "invalid", "dept" },
	{ 0, YEAR, "", "", NULL, 1u << 11, NULL, "invalid", "set" },
	{ 424242, YEAR, "", "", NULL, 0, NULL, "not_found", "" },
};

static void
test_add(void **state)
{
	struct fx *fx = *state;
	struct plan_item_change c;
	struct plan_item it;
	struct lf_error err;
	struct plan p;
	char longneeds[PLAN_NEEDS_MAX + 1];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(arows) / sizeof(arows[0]); i++) {
		const struct arow *a = &arows[i];

		memset(&c, 0, sizeof(c));
		c.set = a->set;
		c.dept = a->dept;
		lf_error_clear(&err);
		rc = plan_item_add(fx->s, ps, a->person ? a->person : fx->pid,
		    a->year, a->policy, a->needs, &c, a->client, "worker", &it,
		    &err);
		if (a->code == NULL) {
			if (rc != 0)
				fail_msg("row %zu: %s", i, err.message);
			assert_int_equal(it.origin, ORIGIN_MANUAL);
			assert_int_equal(it.decision, DECISION_ACCEPTED);
			/* never without a department: 残联 by default */
			assert_true(it.dept[0] != '\0');
			if (a->dept == NULL && (a->policy == NULL ||
			    a->policy[0] == '\0'))
				assert_string_equal(it.dept, "cdpf");
			assert_int_equal(it.status, ITEM_PLANNED);
			assert_true(it.edited);
			assert_string_equal(it.region, "510104017001");
			continue;
		}
		if (rc != -1 || strcmp(err.code, a->code) != 0 ||
		    strcmp(err.field, a->field) != 0)
			fail_msg("row %zu: rc %d %s %s", i, rc,
			    err.code ? err.code : "-", err.field);
	}
	/* needs as long as the field is */
	memset(longneeds, 'a', sizeof(longneeds) - 1);
	longneeds[sizeof(longneeds) - 1] = '\0';
	assert_int_equal(plan_item_add(fx->s, ps, fx->pid, YEAR, "", longneeds,
	    NULL, NULL, "w", &it, &err), -1);
	assert_string_equal(err.field, "needs");
	/* the policy gives the department; seq counts up */
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM items"), 4);
	assert_int_equal(sql_int(fx, "SELECT max(seq) FROM items"), 4);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM items WHERE policy "
	    "= 'SUB_LIVING' AND dept = 'civil'"), 1);
	assert_int_equal(plan_get(fx->s, fx->pid, YEAR, &p, &err), 0);
	assert_int_equal(p.status, PLAN_DRAFT);
	assert_string_equal(p.created_by, "worker");
	assert_int_equal(plan_get(fx->s, fx->pid, YEAR + 1, &p, &err), 1);
}

static void
test_add_idempotent(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	struct plan_item it;
	int64_t a, b, other;

	a = add_item(fx, fx->pid, "civil", "req-1");
	b = add_item(fx, fx->pid, "hrss", "req-1");
	assert_int_equal(a, b);
	assert_string_equal(get_item(fx, a)->client_id, "req-1");
	assert_string_equal(get_item(fx, a)->dept, "civil");
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM items"), 1);
	/* "" is no client id */
	add_item(fx, fx->pid, "civil", "");
	add_item(fx, fx->pid, "civil", "");
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM items"), 3);
	/* the same id for another person is a conflict */
	tu_valid_person(fx->r, 2);
	other = put_person(fx, YEAR);
	assert_int_equal(plan_item_add(fx->s, ps, other, YEAR, "", "", NULL,
	    "req-1", "worker", &it, &err), -1);
	assert_string_equal(err.code, "conflict");
	assert_int_equal(plan_item_add(fx->s, ps, fx->pid, YEAR + 1, "", "",
	    NULL, "req-1", "worker", &it, &err), -1);
	assert_string_equal(err.code, "conflict");
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM items"), 3);
}

/* ---- confirmation -------------------------------------------------- */

static void
test_confirm_reopen(void **state)
{
	struct fx *fx = *state;
	struct plan_item_change c;
	struct plan_item it;
	struct lf_error err;
	struct plan p;
	int64_t a = add_item(fx, fx->pid, "civil", NULL);
	int64_t hist;

	/* an open proposal stops confirmation */
	sql_exec(fx, "UPDATE items SET decision = 0");
	assert_int_equal(plan_get(fx->s, fx->pid, YEAR, &p, &err), 0);
	assert_int_equal(plan_confirm(fx->s, p.id, 0, "officer", &p, &err),
	    -1);
	assert_string_equal(err.code, "state");
	assert_non_null(strstr(err.message, "1 items are still proposed"));
	memset(&c, 0, sizeof(c));
	c.set = PI_DECISION;
	c.decision = DECISION_ACCEPTED;
	assert_int_equal(plan_item_update(fx->s, a, &c, 0, "w", &it, &err), 0);
	/* stale, then right */
	assert_int_equal(plan_confirm(fx->s, p.id, p.version + 1, "officer",
	    &p, &err), -1);
	assert_string_equal(err.code, "conflict");
	hist = sql_int(fx, "SELECT count(*) FROM history");
	assert_int_equal(plan_confirm(fx->s, p.id, p.version, "officer", &p,
	    &err), 0);
	assert_int_equal(p.status, PLAN_CONFIRMED);
	assert_int_equal(p.version, 2);
	assert_string_equal(p.confirmed_by, "officer");
	assert_int_equal(strlen(p.confirmed_at), 20);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM history WHERE "
	    "entity = 'plan'"), 1);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM history"), hist + 1);
	assert_int_equal(plan_confirm(fx->s, p.id, 0, "officer", &p, &err), -1);
	assert_string_equal(err.code, "state");
	/* a confirmed plan: no decisions, no new items; status still moves */
	c.decision = DECISION_REJECTED;
	c.decision_reason = "x";
	assert_int_equal(plan_item_update(fx->s, a, &c, 0, "w", &it, &err), -1);
	assert_string_equal(err.code, "state");
	assert_string_equal(err.field, "decision");
	c.set = PI_MEASURES;
	c.measures = "m";
	assert_int_equal(plan_item_update(fx->s, a, &c, 0, "w", &it, &err), -1);
	assert_string_equal(err.field, "measures");
	c.set = PI_STATUS | PI_EFFECT | PI_ACTUAL;
	c.status = ITEM_IN_PROGRESS;
	c.effect = EFFECT_PARTIAL;
	c.actual_date = "2024-04-01";
	assert_int_equal(plan_item_update(fx->s, a, &c, 0, "w", &it, &err), 0);
	assert_int_equal(plan_item_add(fx->s, ps, fx->pid, YEAR, "", "", NULL,
	    NULL, "w", &it, &err), -1);
	assert_string_equal(err.code, "state");
	/* reopen */
	assert_int_equal(plan_reopen(fx->s, p.id, 1, "officer", &p, &err), -1);
	assert_string_equal(err.code, "conflict");
	assert_int_equal(plan_reopen(fx->s, p.id, 2, "officer", &p, &err), 0);
	assert_int_equal(p.status, PLAN_DRAFT);
	assert_string_equal(p.confirmed_by, "");
	assert_int_equal(plan_reopen(fx->s, p.id, 0, "officer", &p, &err), -1);
	assert_string_equal(err.code, "state");
	assert_int_equal(plan_confirm(fx->s, 424242, 0, "o", &p, &err), -1);
	assert_string_equal(err.code, "not_found");
}

/* ---- the department ------------------------------------------------ */

static void
test_dept(void **state)
{
	struct fx *fx = *state;
	struct plan_item_change c;
	struct plan_item it;
	struct lf_error err;
	int64_t a = add_item(fx, fx->pid, "civil", NULL);
	int64_t b = add_item(fx, fx->pid, "civil", NULL);

	/* not yet confirmed */
	assert_int_equal(plan_item_dept_accept(fx->s, a, 0, "d", &it, &err),
	    -1);
	assert_string_equal(err.code, "state");
	confirm(fx, fx->pid);
	assert_int_equal(plan_item_dept_accept(fx->s, a, 2, "d", &it, &err),
	    -1);
	assert_string_equal(err.code, "conflict");
	assert_int_equal(plan_item_dept_accept(fx->s, a, 1, "d", &it, &err), 0);
	assert_int_equal(it.dept_state, DEPT_ACCEPTED);
	assert_int_equal(it.version, 2);
	assert_int_equal(plan_item_dept_accept(fx->s, a, 0, "d", &it, &err),
	    -1);
	assert_string_equal(err.code, "state");
	/* return needs a reason; accepted or pending may be returned */
	assert_int_equal(plan_item_dept_return(fx->s, a, "", 0, "d", &it,
	    &err), -1);
	assert_string_equal(err.code, "invalid");
	assert_string_equal(err.field, "dept_reason");
	assert_int_equal(plan_item_dept_return(fx->s, a, NULL, 0, "d", &it,
	    &err), -1);
	assert_string_equal(err.field, "dept_reason");
	assert_int_equal(plan_item_dept_return(fx->s, a, "不属本部门", 0, "d",
	    &it, &err), 0);
	assert_int_equal(it.dept_state, DEPT_RETURNED);
	assert_int_equal(it.decision, DECISION_ACCEPTED);
	assert_string_equal(it.dept_reason, "不属本部门");
	assert_int_equal(plan_item_dept_return(fx->s, a, "again", 0, "d", &it,
	    &err), -1);
	assert_string_equal(err.code, "state");
	assert_int_equal(plan_item_dept_return(fx->s, b, "不符合条件", 0, "d",
	    &it, &err), 0);
	assert_int_equal(plan_item_dept_accept(fx->s, 424242, 0, "d", &it,
	    &err), -1);
	assert_string_equal(err.code, "not_found");
	/* the worker routes it anew in the confirmed plan: another
	 * department, accepted again, back to pending; other items of the
	 * confirmed plan still cannot change */
	memset(&c, 0, sizeof(c));
	c.set = PI_MEASURES;
	c.measures = "x";
	assert_int_equal(plan_item_update(fx->s, a, &c, 0, "w", &it, &err), 0);
	memset(&c, 0, sizeof(c));
	c.set = PI_DECISION;
	c.decision = DECISION_ACCEPTED;
	assert_int_equal(plan_item_update(fx->s, a, &c, 0, "w", &it, &err), 0);
	assert_int_equal(it.dept_state, DEPT_PENDING);
	assert_string_equal(it.dept_reason, "");
}

/* ---- deliveries ---------------------------------------------------- */

static const struct drow {
	const char	*date;
	int64_t		 amount;
	const char	*note, *client;
	const char	*code, *field;
} drows[] = {
	{ NULL, 100, NULL, NULL, "invalid", "date" },
	{ "2024-02-30", 100, NULL, NULL, "invalid", "date" },
	{ "2024-2-03", 100, NULL, NULL, "invalid", "date" },
	{ "2023-12-31", 100, NULL, NULL, "invalid", "date" },
	{ "2025-01-01", 100, NULL, NULL, "invalid", "date" },
	{ "2999-01-01", 100, NULL, NULL, "invalid", "date" },
	{ "2024-05-01", -1, NULL, NULL, "invalid", "amount" },
	{ "2024-05-01", 100000000001LL, NULL, NULL, "invalid", "amount" },
	{ "2024-05-01", 100, "\x01", NULL, "invalid", "note" },
	{ "2024-05-01", 100, NULL, "a b", "invalid", "client_id" },
};

struct sum {
	int64_t	 total;
	int	 n;
};

static int
sum_delivery(void *arg, const struct plan_delivery *d)
{
	struct sum *s = arg;

	s->total += d->amount;
	s->n++;
	return 0;
}

static void
test_deliveries(void **state)
{
	struct fx *fx = *state;
	struct plan_delivery d, d2;
	struct plan_item it;
	struct lf_error err;
	struct sum sum = { 0, 0 };
	int64_t a = add_item(fx, fx->pid, "civil", NULL);
	size_t i;

	/* only on a confirmed plan */
	assert_int_equal(plan_delivery_add(fx->s, a, "2024-05-01", 100, NULL,
	    NULL, "d", &d, &it, &err), -1);
	assert_string_equal(err.code, "state");
	confirm(fx, fx->pid);
	for (i = 0; i < sizeof(drows) / sizeof(drows[0]); i++) {
		const struct drow *r = &drows[i];

		lf_error_clear(&err);
		if (plan_delivery_add(fx->s, a, r->date, r->amount, r->note,
		    r->client, "d", &d, &it, &err) != -1 ||
		    strcmp(err.code, r->code) != 0 ||
		    strcmp(err.field, r->field) != 0)
			fail_msg("row %zu: %s %s", i, err.code ? err.code :
			    "-", err.field);
	}
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM deliveries"), 0);
	assert_int_equal(plan_delivery_add(fx->s, a, "2024-06-10", 3000,
	    "第一次", "dl-1", "d", &d, &it, &err), 0);
	assert_int_equal(it.funds_spent, 3000);
	assert_int_equal(it.status, ITEM_DONE);
	assert_int_equal(it.dept_state, DEPT_ACCEPTED);
	assert_string_equal(it.actual_date, "2024-06-10");
	assert_string_equal(d.note, "第一次");
	assert_string_equal(d.created_by, "d");
	/* the same client id: the same delivery, nothing added */
	assert_int_equal(plan_delivery_add(fx->s, a, "2024-06-10", 3000,
	    "第一次", "dl-1", "d", &d2, &it, &err), 0);
	assert_int_equal(d2.id, d.id);
	assert_int_equal(it.funds_spent, 3000);
	assert_int_equal(plan_delivery_add(fx->s, 424242, "2024-06-10", 1,
	    NULL, "dl-1", "d", &d2, &it, &err), -1);
	assert_string_equal(err.code, "conflict");
	/* an earlier one moves the actual date; several in a month are fine
	 * for an item that is not monthly */
	assert_int_equal(plan_delivery_add(fx->s, a, "2024-06-01", 500, NULL,
	    NULL, "d", &d, &it, &err), 0);
	assert_int_equal(plan_delivery_add(fx->s, a, "2024-06-20", 0, NULL,
	    "", NULL, &d, &it, &err), 0);
	assert_string_equal(d.created_by, "");
	assert_string_equal(d.client_id, "");
	assert_string_equal(it.actual_date, "2024-06-01");
	assert_int_equal(plan_deliveries(fx->s, a, sum_delivery, &sum, &err),
	    0);
	assert_int_equal(sum.n, 3);
	assert_int_equal(sum.total, 3500);
	assert_int_equal(get_item(fx, a)->funds_spent, 3500);
	assert_int_equal(plan_delivery_add(fx->s, 424242, "2024-06-10", 1,
	    NULL, NULL, "d", &d, &it, &err), -1);
	assert_string_equal(err.code, "not_found");
}

static void
test_deliveries_monthly(void **state)
{
	struct fx *fx = *state;
	struct plan_delivery d;
	struct plan_item it;
	struct lf_error err;
	int64_t a = add_item(fx, fx->pid, "civil", NULL);

	sql_exec(fx, "UPDATE items SET monthly = 1, month = 11");
	confirm(fx, fx->pid);
	assert_int_equal(plan_delivery_add(fx->s, a, "2024-11-05", 10000,
	    NULL, NULL, "d", &d, &it, &err), 0);
	assert_int_equal(it.status, ITEM_IN_PROGRESS);
	assert_int_equal(plan_delivery_add(fx->s, a, "2024-11-25", 10000,
	    NULL, NULL, "d", &d, &it, &err), -1);
	assert_string_equal(err.code, "invalid");
	assert_string_equal(err.field, "date");
	/* a month before the planned one counts nothing towards it */
	assert_int_equal(plan_delivery_add(fx->s, a, "2024-10-05", 10000,
	    NULL, NULL, "d", &d, &it, &err), 0);
	assert_int_equal(it.status, ITEM_IN_PROGRESS);
	assert_int_equal(plan_delivery_add(fx->s, a, "2024-12-05", 10000,
	    NULL, NULL, "d", &d, &it, &err), 0);
	assert_int_equal(it.status, ITEM_DONE);
	assert_int_equal(it.funds_spent, 30000);
	assert_string_equal(it.actual_date, "2024-10-05");
}

/* ---- the inbox ----------------------------------------------------- */

struct ids {
	int64_t	 v[16];
	int	 n;
};

static int
collect(void *arg, const struct plan_item *it)
{
	struct ids *ids = arg;

	if (ids->n < 16)
		ids->v[ids->n++] = it->id;
	return 0;
}

static int
inbox(struct fx *fx, const char *dept, const char *region, int state,
    int64_t after, int limit, struct ids *ids, struct lf_error *err)
{
	struct plan_inbox_query q = { dept, region, YEAR, state, after, limit };
	int64_t last;

	memset(ids, 0, sizeof(*ids));
	lf_error_clear(err);
	return plan_inbox(fx->s, &q, collect, ids, &last, err);
}

static void
test_inbox(void **state)
{
	struct fx *fx = *state;
	static const struct {
		const char	*dept, *region;
		int		 year, state, limit;
		const char	*field;
	} bad[] = {
		{ "nope", "51", YEAR, -1, 10, "dept" },
		{ NULL, "51", YEAR, -1, 10, "dept" },
		{ "civil", "5", YEAR, -1, 10, "region" },
		{ "civil", "5101040170011", YEAR, -1, 10, "region" },
		{ "civil", "51a", YEAR, -1, 10, "region" },
		{ "civil", NULL, YEAR, -1, 10, "region" },
		{ "civil", "51", 1989, -1, 10, "year" },
		{ "civil", "51", 3000, -1, 10, "year" },
		{ "civil", "51", YEAR, 3, 10, "dept_state" },
		{ "civil", "51", YEAR, -2, 10, "dept_state" },
		{ "civil", "51", YEAR, -1, 0, "limit" },
		{ "civil", "51", YEAR, -1, 1001, "limit" },
	};
	struct plan_inbox_query q;
	int64_t last;
	struct lf_error err;
	struct plan_item it;
	struct ids ids;
	int64_t a, b, c, o, other;
	char sql[128];
	size_t i;

	a = add_item(fx, fx->pid, "civil", NULL);
	b = add_item(fx, fx->pid, "civil", NULL);
	add_item(fx, fx->pid, "hrss", NULL);
	c = add_item(fx, fx->pid, "civil", NULL);
	snprintf(sql, sizeof(sql), "UPDATE items SET decision = 2, "
	    "decision_reason = 'x' WHERE id = %lld", (long long)c);
	sql_exec(fx, sql);
	tu_valid_person(fx->r, 2);
	tu_set(fx->r, "hukou_region", "510105002002");
	tu_set(fx->r, "residence_region", "510105002002");
	other = put_person(fx, YEAR);
	o = add_item(fx, other, "civil", NULL);
	/* draft plans are not in the inbox */
	assert_int_equal(inbox(fx, "civil", "51", -1, 0, 10, &ids, &err), 0);
	assert_int_equal(ids.n, 0);
	confirm(fx, fx->pid);
	confirm(fx, other);
	assert_int_equal(inbox(fx, "civil", "51", -1, 0, 10, &ids, &err), 0);
	assert_int_equal(ids.n, 3);
	assert_int_equal(ids.v[0], a);
	assert_int_equal(ids.v[1], b);
	assert_int_equal(ids.v[2], o);
	assert_int_equal(inbox(fx, "民政", "510104", -1, 0, 10, &ids, &err), 0);
	assert_int_equal(ids.n, 2);
	assert_int_equal(inbox(fx, "civil", "510105002002", -1, 0, 10, &ids,
	    &err), 0);
	assert_int_equal(ids.n, 1);
	assert_int_equal(inbox(fx, "hrss", "51", -1, 0, 10, &ids, &err), 0);
	assert_int_equal(ids.n, 1);
	assert_int_equal(inbox(fx, "cdpf", "51", -1, 0, 10, &ids, &err), 0);
	assert_int_equal(ids.n, 0);
	/* by state */
	assert_int_equal(plan_item_dept_accept(fx->s, b, 0, "d", &it, &err), 0);
	assert_int_equal(inbox(fx, "civil", "51", DEPT_PENDING, 0, 10, &ids,
	    &err), 0);
	assert_int_equal(ids.n, 2);
	assert_int_equal(inbox(fx, "civil", "51", DEPT_ACCEPTED, 0, 10, &ids,
	    &err), 0);
	assert_int_equal(ids.n, 1);
	assert_int_equal(ids.v[0], b);
	/* paging */
	assert_int_equal(inbox(fx, "civil", "51", -1, 0, 2, &ids, &err), 0);
	assert_int_equal(ids.n, 2);
	assert_int_equal(inbox(fx, "civil", "51", -1, ids.v[1], 2, &ids, &err),
	    0);
	assert_int_equal(ids.n, 1);
	assert_int_equal(ids.v[0], o);
	assert_int_equal(inbox(fx, "civil", "51", -1, o, 2, &ids, &err), 0);
	assert_int_equal(ids.n, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		q.dept = bad[i].dept;
		q.region = bad[i].region;
		q.year = bad[i].year;
		q.dept_state = bad[i].state;
		q.after = 0;
		q.limit = bad[i].limit;
		lf_error_clear(&err);
		if (plan_inbox(fx->s, &q, collect, &ids, &last, &err) != -1 ||
		    strcmp(err.field, bad[i].field) != 0)
			fail_msg("bad row %zu: %s", i, err.field);
		assert_string_equal(err.code, "invalid");
	}
}

/* ---- reading ------------------------------------------------------- */

struct walk {
	int64_t	 person[64], id[64];
	int	 seq[64];
	int	 n, stop_at;
};

static int
walk_item(void *arg, const struct plan_item *it)
{
	struct walk *w = arg;

	if (w->n < 64) {
		w->person[w->n] = it->person_id;
		w->id[w->n] = it->id;
		w->seq[w->n] = it->seq;
	}
	w->n++;
	return w->n == w->stop_at ? 7 : 0;
}

static void
test_read(void **state)
{
	struct fx *fx = *state;
	struct lf_error err;
	struct plan p;
	struct walk w;
	int years[4];
	size_t n;
	int64_t other;
	int i;

	add_item(fx, fx->pid, "civil", NULL);
	add_item(fx, fx->pid, "hrss", NULL);
	tu_valid_person(fx->r, 2);
	tu_set(fx->r, "hukou_region", "510105002002");
	tu_set(fx->r, "residence_region", "510105002002");
	other = put_person(fx, YEAR);
	add_item(fx, other, "civil", NULL);
	add_item(fx, fx->pid, "cdpf", NULL);
	assert_int_equal(plan_item_add(fx->s, ps, fx->pid, YEAR + 1, "", "",
	    NULL, NULL, "w", NULL, &err), 0);
	assert_int_equal(plan_years(fx->s, fx->pid, years, 4, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(years[0], YEAR);
	assert_int_equal(years[1], YEAR + 1);
	assert_int_equal(plan_years(fx->s, fx->pid, years, 1, &n, &err), 0);
	assert_int_equal(n, 1);
	/* a plan's items by seq; a callback's stop value comes back */
	assert_int_equal(plan_get(fx->s, fx->pid, YEAR, &p, &err), 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(plan_items(fx->s, p.id, walk_item, &w, &err), 0);
	assert_int_equal(w.n, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(w.seq[i], i + 1);
	memset(&w, 0, sizeof(w));
	w.stop_at = 2;
	assert_int_equal(plan_items(fx->s, p.id, walk_item, &w, &err), 7);
	/* the year's items, by person then seq; in a region */
	memset(&w, 0, sizeof(w));
	assert_int_equal(plan_scan_items(fx->s, YEAR, NULL, walk_item, &w,
	    &err), 0);
	assert_int_equal(w.n, 4);
	assert_true(w.person[0] == fx->pid && w.person[2] == fx->pid &&
	    w.person[3] == other);
	assert_int_equal(w.seq[2], 3);
	memset(&w, 0, sizeof(w));
	assert_int_equal(plan_scan_items(fx->s, YEAR, "510105", walk_item, &w,
	    &err), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(plan_scan_items(fx->s, YEAR, "5", walk_item, &w,
	    &err), -1);
	assert_string_equal(err.field, "region");
	memset(&w, 0, sizeof(w));
	assert_int_equal(plan_scan_items(fx->s, YEAR + 5, NULL, walk_item, &w,
	    &err), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(plan_get(fx->s, other, YEAR + 1, &p, &err), 1);
}

/* ---- drafts and overdue items by village (issue 14) ---------------- */

struct vrows {
	int64_t	village[8];
	int	plans[8], drafts[8], overdue[8];
	int	n;
};

static int
vrow(void *arg, const struct plan_village *v)
{
	struct vrows *w = arg;

	if (w->n < 8) {
		w->village[w->n] = v->village;
		w->plans[w->n] = v->plans;
		w->drafts[w->n] = v->drafts;
		w->overdue[w->n] = v->overdue;
	}
	w->n++;
	return 0;
}

static int
count_overdue(void *arg, const struct plan_summary *sum)
{
	int *n = arg;

	*n += sum->overdue > 0;
	return 0;
}

static int64_t
villager(struct fx *fx, int seq, const char *village)
{
	tu_valid_person(fx->r, seq);
	tu_set(fx->r, "hukou_region", village);
	tu_set(fx->r, "residence_region", village);
	return put_person(fx, YEAR);
}

static int
villages(struct fx *fx, const char *region, int before, int limit,
    struct vrows *w, int64_t *total)
{
	struct plan_villages_query q = { region, YEAR, before, limit };
	struct lf_error err;

	memset(w, 0, sizeof(*w));
	return plan_villages(fx->s, &q, vrow, w, total, &err);
}

/*
 * Village A (510104017001): a draft whose item is planned in March (a
 * draft is never overdue), a confirmed plan with an item of March not
 * done, one whose items are done or closed as not done, one with an
 * item planned in December. Village B (510105002002): a confirmed plan
 * with an item of March not done.
 */
static void
test_villages(void **state)
{
	struct fx *fx = *state;
	struct plan_list_query lq = { "51", YEAR, -1, 13, 0, 1000 };
	struct plan_villages_query bad;
	struct lf_error err;
	struct vrows w;
	int64_t total, p3, p4, p5, p6, a, b;
	char sql[160];
	int listed = 0;

	add_item(fx, fx->pid, "civil", NULL);		/* draft, A */
	p3 = villager(fx, 3, "510104017001");
	add_item(fx, p3, "civil", NULL);
	confirm(fx, p3);				/* overdue, A */
	p4 = villager(fx, 4, "510104017001");
	a = add_item(fx, p4, "civil", NULL);
	b = add_item(fx, p4, "hrss", NULL);
	confirm(fx, p4);
	snprintf(sql, sizeof(sql), "UPDATE items SET status = 3 WHERE id = "
	    "%lld; UPDATE items SET status = 4, status_reason = 'x' WHERE id "
	    "= %lld", (long long)a, (long long)b);
	sql_exec(fx, sql);				/* finished, A */
	p5 = villager(fx, 5, "510104017001");
	a = add_item(fx, p5, "civil", NULL);
	snprintf(sql, sizeof(sql), "UPDATE items SET month = 12 WHERE id = "
	    "%lld", (long long)a);
	sql_exec(fx, sql);
	confirm(fx, p5);				/* December, A */
	p6 = villager(fx, 6, "510105002002");
	add_item(fx, p6, "civil", NULL);
	confirm(fx, p6);				/* overdue, B */

	/* the year is past: A has 1 draft and 2 persons with overdue items
	 * (March and December), B 1 */
	assert_int_equal(villages(fx, "51", 13, 100, &w, &total), 0);
	assert_int_equal(total, 2);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.village[0], 510104017001LL);
	assert_int_equal(w.plans[0], 4);
	assert_int_equal(w.drafts[0], 1);
	assert_int_equal(w.overdue[0], 2);
	assert_int_equal(w.village[1], 510105002002LL);
	assert_int_equal(w.plans[1], 1);
	assert_int_equal(w.drafts[1], 0);
	assert_int_equal(w.overdue[1], 1);
	/* the same rule as the plans list's overdue count */
	assert_int_equal(plan_list(fx->s, &lq, count_overdue, &listed, &total,
	    &err), 0);
	assert_int_equal(listed, w.overdue[0] + w.overdue[1]);
	/* in December, the December item is not late yet */
	assert_int_equal(villages(fx, "51", 12, 100, &w, &total), 0);
	assert_int_equal(w.n, 2);
	assert_true(w.drafts[0] == 1 && w.overdue[0] == 1);
	assert_true(w.drafts[1] == 0 && w.overdue[1] == 1);
	lq.overdue_before = 12;
	listed = 0;
	assert_int_equal(plan_list(fx->s, &lq, count_overdue, &listed, &total,
	    &err), 0);
	assert_int_equal(listed, 2);
	/* in March nothing is late yet: B drops out, A keeps its draft */
	assert_int_equal(villages(fx, "51", 3, 100, &w, &total), 0);
	assert_int_equal(total, 1);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.drafts[0], 1);
	assert_int_equal(w.overdue[0], 0);
	/* a region, a limit, another year */
	assert_int_equal(villages(fx, "510105", 13, 100, &w, &total), 0);
	assert_true(w.n == 1 && w.village[0] == 510105002002LL);
	assert_int_equal(villages(fx, "51", 13, 1, &w, &total), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(total, 2);
	bad = (struct plan_villages_query){ "51", YEAR + 1, 13, 10 };
	memset(&w, 0, sizeof(w));
	assert_int_equal(plan_villages(fx->s, &bad, vrow, &w, &total, &err),
	    0);
	assert_int_equal(w.n, 0);
	assert_int_equal(total, 0);
	/* bad queries name their field */
	bad.year = 1000;
	assert_int_equal(plan_villages(fx->s, &bad, vrow, &w, &total, &err),
	    -1);
	assert_string_equal(err.field, "year");
	bad.year = YEAR;
	bad.limit = 0;
	assert_int_equal(plan_villages(fx->s, &bad, vrow, &w, &total, &err),
	    -1);
	assert_string_equal(err.field, "limit");
	bad.limit = 10;
	bad.region = "5";
	assert_int_equal(plan_villages(fx->s, &bad, vrow, &w, &total, &err),
	    -1);
	assert_string_equal(err.field, "region");
}

/* ---- building ------------------------------------------------------ */

/* NSYNTH persons of the county, surveyed in YEAR and YEAR + 1. */
static void
seed(struct fx *fx)
{
	const struct region *scope = regions_find(tu_regions(), COUNTY);
	struct store_put_result res;
	struct synth *sy;
	struct lf_error err;
	int year;
	uint64_t i;

	assert_non_null(scope);
	if (synth_new(tu_catalog(), tu_regions(), scope, 20241, (int)(time(NULL)
	    / 86400), &sy, &err) != 0 ||
	    synth_set_first_year(sy, YEAR, &err) != 0)
		fail_msg("synth: %s", err.message);
	assert_int_equal(store_begin(fx->s, &err), 0);
	for (year = YEAR; year <= YEAR + 1; year++)
		for (i = 0; i < NSYNTH; i++) {
			struct store_put p = { year, 0, "seed", 0, 0 };

			if (synth_person(sy, i, year, fx->r, &err) != 0 ||
			    store_survey_put(fx->s, fx->r, &p, &res, &err) != 0)
				fail_msg("seed %d/%llu: %s", year,
				    (unsigned long long)i, err.message);
		}
	assert_int_equal(store_commit(fx->s, &err), 0);
	synth_free(sy);
}

struct calls {
	int	 n;
	int64_t	 done, total;
};

static void
on_progress(void *arg, int64_t done, int64_t total)
{
	struct calls *c = arg;

	c->n++;
	c->done = done;
	c->total = total;
}

static struct plan_build_stats
build_all(struct fx *fx, int year, const char *in)
{
	struct plan_build_stats st;
	struct calls calls = { 0, 0, 0 };
	struct lf_error err;

	memset(&st, 0, sizeof(st));
	lf_error_clear(&err);
	if (plan_build_all(fx->s, ps, NULL, year, in ? regions_find(
	    tu_regions(), in) : NULL, "batch", on_progress, &calls, &st,
	    &err) != 0)
		fail_msg("build_all: %s", err.message);
	assert_true(calls.n > 0);
	assert_int_equal(calls.done, st.persons);
	assert_int_equal(calls.total, st.persons);
	return st;
}

/* Builds one person's plan of year from the stored survey, with edit
 * (may be NULL) applied to the survey in memory first. */
static int
build_one(struct fx *fx, int64_t pid, int year,
    void (*edit)(struct record *), struct plan_build_stats *st,
    struct lf_error *err)
{
	struct store_person p;
	struct record *r = record_new(tu_catalog());
	int64_t version;
	int rc;

	memset(&p, 0, sizeof(p));
	memset(st, 0, sizeof(*st));
	p.id = pid;
	assert_int_equal(store_survey_get(fx->s, pid, year, r, &version, err),
	    0);
	snprintf(p.region, sizeof(p.region), "%s", r->str[catalog_find(
	    tu_catalog(), "hukou_region", 12)->index]);
	if (edit != NULL)
		edit(r);
	lf_error_clear(err);
	rc = plan_build(fx->s, ps, NULL, &p, r, year, "refresh", st, err);
	record_free(r);
	return rc;
}

/* A person of the seeded county (not the fixture's) with at least n
 * items in year. */
static int64_t
person_with(struct fx *fx, int year, int n)
{
	char sql[200];
	int64_t pid;

	snprintf(sql, sizeof(sql), "SELECT person_id FROM items WHERE year = "
	    "%d AND person_id <> %lld GROUP BY person_id HAVING count(*) >= %d"
	    " ORDER BY person_id LIMIT 1", year, (long long)fx->pid, n);
	pid = sql_int(fx, sql);
	assert_true(pid > 0);
	return pid;
}

/* The id of item number k (by seq, from 1) of the person's plan. */
static int64_t
item_of(struct fx *fx, int64_t pid, int year, int k)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT id FROM items WHERE person_id = "
	    "%lld AND year = %d ORDER BY seq LIMIT 1 OFFSET %d",
	    (long long)pid, year, k - 1);
	return sql_int(fx, sql);
}

static int64_t
count_where(struct fx *fx, const char *table, const char *where)
{
	char sql[300];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE %s", table,
	    where);
	return sql_int(fx, sql);
}

static void
test_build_first_and_again(void **state)
{
	struct fx *fx = *state;
	struct plan_build_stats st;
	struct lf_error err;
	int64_t items, pid;
	char sql[300];

	seed(fx);
	st = build_all(fx, YEAR, NULL);
	items = count_where(fx, "items", "1");
	assert_int_equal(st.persons, NSYNTH + 1);
	assert_int_equal(st.plans_created, NSYNTH + 1);
	assert_true(items > NSYNTH);
	assert_int_equal(st.inserted, items);
	assert_int_equal(st.updated + st.deleted + st.kept + st.carried +
	    st.skipped, 0);
	assert_int_equal(count_where(fx, "plans", "year = 2024 AND status = 1"),
	    NSYNTH + 1);
	/* proposals: undecided, untouched, a rule, a month, a department */
	assert_int_equal(count_where(fx, "items", "origin = 1 AND decision = 0 "
	    "AND edited = 0 AND version = 1 AND month BETWEEN 1 AND 12 AND "
	    "policy IS NOT NULL AND needs IS NOT NULL AND dept IS NOT NULL AND "
	    "status = 1 AND year = 2024"), items);
	assert_int_equal(count_where(fx, "items i", "region <> (SELECT "
	    "p.region FROM persons p WHERE p.id = i.person_id)"), 0);
	/* again: nothing changes */
	st = build_all(fx, YEAR, NULL);
	assert_int_equal(st.persons, NSYNTH + 1);
	assert_int_equal(st.plans_created + st.inserted + st.updated +
	    st.deleted + st.carried, 0);
	assert_int_equal(st.kept, items);
	assert_int_equal(count_where(fx, "items", "1"), items);
	assert_int_equal(count_where(fx, "history", "entity = 'item'"), 0);
	/* one person's refresh agrees */
	pid = person_with(fx, YEAR, 3);
	assert_int_equal(build_one(fx, pid, YEAR, NULL, &st, &err), 0);
	assert_int_equal(st.inserted + st.updated + st.deleted, 0);
	assert_true(st.kept >= 3);
	/* and builds the same plan from nothing */
	snprintf(sql, sizeof(sql), "CREATE TABLE keep AS SELECT seq, policy, "
	    "needs, dept, month, funds_planned, monthly FROM items WHERE "
	    "person_id = %lld", (long long)pid);
	sql_exec(fx, sql);
	snprintf(sql, sizeof(sql), "DELETE FROM items WHERE person_id = %lld;"
	    " DELETE FROM plans WHERE person_id = %lld", (long long)pid,
	    (long long)pid);
	sql_exec(fx, sql);
	assert_int_equal(build_one(fx, pid, YEAR, NULL, &st, &err), 0);
	assert_int_equal(st.plans_created, 1);
	assert_int_equal(st.inserted, sql_int(fx, "SELECT count(*) FROM keep"));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM (SELECT seq, policy, "
	    "needs, dept, month, funds_planned, monthly FROM items WHERE "
	    "person_id = %lld EXCEPT SELECT * FROM keep)", (long long)pid);
	assert_int_equal(sql_int(fx, sql), 0);
	/* a scope: one township */
	st = build_all(fx, YEAR, "510104017");
	assert_int_equal(st.persons, sql_int(fx, "SELECT count(*) FROM surveys"
	    " s JOIN persons p ON p.id = s.person_id WHERE s.year = 2024 AND "
	    "p.region LIKE '510104017%'"));
	assert_true(st.persons < NSYNTH);
	assert_int_equal(st.inserted + st.updated + st.deleted, 0);
}

/*
 * A batch whose persons have no plan of the year writes its plans with
 * ids the merger assigns; a batch holding a person whose plan exists
 * goes the way of one lookup a person. Both in one build, and the plans,
 * ids and items agree afterwards, and the store's synchronous,
 * wal_autocheckpoint and foreign_keys settings are back.
 */
static void
test_build_fresh_and_mixed(void **state)
{
	struct fx *fx = *state;
	struct plan_build_stats st;
	struct lf_error err;
	int64_t pid, plan_id, persons;

	seed(fx);
	persons = sql_int(fx, "SELECT count(*) FROM surveys WHERE year = "
	    "2024");
	/* one person in the middle has a plan already */
	pid = sql_int(fx, "SELECT person_id FROM surveys WHERE year = 2024 "
	    "ORDER BY person_id LIMIT 1 OFFSET 70");
	assert_int_equal(build_one(fx, pid, YEAR, NULL, &st, &err), 0);
	assert_int_equal(st.plans_created, 1);
	plan_id = sql_int(fx, "SELECT max(id) FROM plans");
	st = build_all(fx, YEAR, NULL);
	assert_int_equal(st.persons, persons);
	assert_int_equal(st.plans_created, persons - 1);
	assert_int_equal(count_where(fx, "plans", "year = 2024"), persons);
	/* the earlier plan kept its id; the new ones follow, no gaps */
	assert_int_equal(sql_int(fx, "SELECT max(id) FROM plans"), persons);
	{
		char where[120];

		snprintf(where, sizeof(where), "person_id = %lld AND id = %lld",
		    (long long)pid, (long long)plan_id);
		assert_int_equal(count_where(fx, "plans", where), 1);
	}
	assert_int_equal(sql_int(fx, "SELECT count(DISTINCT id) FROM plans"),
	    persons);
	/* every item is in the plan of its person and year, same region */
	assert_int_equal(count_where(fx, "items i", "NOT EXISTS (SELECT 1 FROM "
	    "plans p WHERE p.id = i.plan_id AND p.person_id = i.person_id AND "
	    "p.year = i.year AND p.region = i.region)"), 0);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM "
	    "pragma_foreign_key_check"), 0);
	/* the store's connection is as it was */
	assert_int_equal(store_pragma(fx, "synchronous"), 2);
	assert_int_equal(store_pragma(fx, "wal_autocheckpoint"), 1000);
	assert_int_equal(store_pragma(fx, "foreign_keys"), 1);
	/* the plans the batch made are ordinary drafts (the one other plan
	 * was made by build_one) */
	assert_int_equal(count_where(fx, "plans", "year = 2024 AND (status <> 1"
	    " OR version <> 1 OR created_by <> 'batch' OR updated_at <> "
	    "created_at OR confirmed_at IS NOT NULL)"), 1);
}

/* Items alike in what a build could change. */
static int
same(const struct plan_item *a, const struct plan_item *b)
{
	return a->version == b->version && a->seq == b->seq &&
	    a->decision == b->decision &&
	    a->funds_planned == b->funds_planned &&
	    a->monthly == b->monthly && a->carried_from == b->carried_from &&
	    strcmp(a->needs, b->needs) == 0 && strcmp(a->dept, b->dept) == 0 &&
	    strcmp(a->planned_month, b->planned_month) == 0 &&
	    strcmp(a->measures, b->measures) == 0 &&
	    strcmp(a->updated_at, b->updated_at) == 0;
}

/* Survey edits in memory, for build_one(). */
static void
later_survey(struct record *r)
{
	const struct field *f = catalog_find(r->cat, "fill_date", 9);
	int y, m, d;

	/* a month earlier, or later: another planned month */
	date_to_ymd((int)r->num[f->index], &y, &m, &d);
	r->num[f->index] += m > 2 ? -40 : 40;
}

static void
no_needs(struct record *r)
{
	size_t i;

	for (i = 0; i < r->cat->nfields; i++)
		if (r->cat->fields[i].section == SEC_NEED)
			record_unset(r, (int)i);
}

static void
test_build_merge(void **state)
{
	struct fx *fx = *state;
	struct plan_item_change c;
	struct plan_build_stats st;
	struct plan_item it, i1, i2;
	struct lf_error err;
	char where[120];
	int64_t pid, a, b, n, untouched;

	seed(fx);
	build_all(fx, YEAR, NULL);
	pid = person_with(fx, YEAR, 4);
	snprintf(where, sizeof(where), "person_id = %lld", (long long)pid);
	n = count_where(fx, "items", where);
	a = item_of(fx, pid, YEAR, 1);
	b = item_of(fx, pid, YEAR, 2);
	/* a decided, b edited */
	memset(&c, 0, sizeof(c));
	c.set = PI_DECISION;
	c.decision = DECISION_ACCEPTED;
	assert_int_equal(plan_item_update(fx->s, a, &c, 1, "w", &i1, &err), 0);
	c.set = PI_MEASURES;
	c.measures = "上门服务";
	assert_int_equal(plan_item_update(fx->s, b, &c, 1, "w", &i2, &err), 0);
	/* another month: the untouched proposals move, a and b stay */
	assert_int_equal(build_one(fx, pid, YEAR, later_survey, &st, &err), 0);
	assert_int_equal(st.updated, n - 2);
	assert_int_equal(st.kept, 2);
	assert_int_equal(st.inserted + st.deleted, 0);
	assert_true(same(get_item(fx, a), &i1));
	assert_true(same(get_item(fx, b), &i2));
	it = *get_item(fx, item_of(fx, pid, YEAR, 3));
	assert_int_equal(it.version, 2);
	assert_false(it.edited);
	assert_string_equal(it.updated_by, "refresh");
	assert_int_equal(count_where(fx, "history", "entity = 'item' AND "
	    "changes LIKE '%planned_month%' AND actor = 'refresh'"), n - 2);
	/* the same again: nothing */
	assert_int_equal(build_one(fx, pid, YEAR, later_survey, &st, &err), 0);
	assert_int_equal(st.updated + st.inserted + st.deleted, 0);
	assert_int_equal(st.kept, n);
	/* no needs any more: the untouched go, a and b stay */
	assert_int_equal(build_one(fx, pid, YEAR, no_needs, &st, &err), 0);
	assert_int_equal(st.deleted, n - 2);
	assert_int_equal(st.kept, 2);
	assert_int_equal(st.inserted + st.updated, 0);
	assert_int_equal(count_where(fx, "items", where), 2);
	assert_int_equal(count_where(fx, "history", "entity = 'item' AND "
	    "changes LIKE '%\"new\":null%'"), n - 2);
	/* the survey as it was: the proposals come back, a and b match */
	assert_int_equal(build_one(fx, pid, YEAR, NULL, &st, &err), 0);
	assert_int_equal(st.inserted, n - 2);
	assert_int_equal(st.kept, 2);
	untouched = count_where(fx, "items", "edited = 0");
	/* the whole county again: nothing */
	st = build_all(fx, YEAR, NULL);
	assert_int_equal(st.inserted + st.updated + st.deleted, 0);
	assert_int_equal(count_where(fx, "items", "edited = 0"), untouched);
}

static void
test_build_carry(void **state)
{
	struct fx *fx = *state;
	struct plan_item_change c;
	struct plan_build_stats st;
	struct plan_item it;
	struct lf_error err;
	char sql[300];
	int64_t pid, a, b, x, man, total, by_rule;

	seed(fx);
	build_all(fx, YEAR, NULL);
	pid = person_with(fx, YEAR, 3);
	a = item_of(fx, pid, YEAR, 1);
	b = item_of(fx, pid, YEAR, 2);
	x = item_of(fx, pid, YEAR, 3);
	memset(&c, 0, sizeof(c));
	/* a: accepted, not done; b: accepted, partly; x: no longer needed */
	c.set = PI_DECISION | PI_STATUS;
	c.decision = DECISION_ACCEPTED;
	c.status = ITEM_NOT_DONE;
	c.status_reason = "资金未到位";
	assert_int_equal(plan_item_update(fx->s, a, &c, 0, "w", &it, &err), 0);
	c.set = PI_DECISION | PI_EFFECT;
	c.effect = EFFECT_PARTIAL;
	assert_int_equal(plan_item_update(fx->s, b, &c, 0, "w", &it, &err), 0);
	c.set = PI_DECISION | PI_EFFECT | PI_STATUS;
	c.effect = EFFECT_NOT_NEEDED;
	assert_int_equal(plan_item_update(fx->s, x, &c, 0, "w", &it, &err), 0);
	/* a manual item no rule proposes, not done */
	c.set = PI_DEPT | PI_FUNDS | PI_EFFECT | PI_MEASURES;
	c.dept = "cdpf";
	c.funds_planned = 50000;
	c.effect = EFFECT_NOT_DONE;
	c.measures = "家庭无障碍改造";
	assert_int_equal(plan_item_add(fx->s, ps, pid, YEAR, "",
	    "access_ramp", &c, NULL, "w", &it, &err), 0);
	man = it.id;
	assert_int_equal(plan_delivery_add(fx->s, man, "2024-06-01", 1, NULL,
	    NULL, "d", NULL, NULL, &err), -1);
	sql_exec(fx, "UPDATE items SET funds_spent = 20000 WHERE origin = 2");
	/* the next year carries a, b and the manual item, once */
	st = build_all(fx, YEAR + 1, NULL);
	assert_int_equal(st.carried, 3);
	assert_int_equal(st.persons, NSYNTH);
	snprintf(sql, sizeof(sql), "SELECT count(DISTINCT carried_from) FROM "
	    "items WHERE year = 2025 AND person_id = %lld AND carried_from IN "
	    "(%lld, %lld, %lld)", (long long)pid, (long long)a, (long long)b,
	    (long long)man);
	assert_int_equal(sql_int(fx, sql), 3);
	assert_int_equal(count_where(fx, "items", "year = 2025 AND carried_from"
	    " IS NOT NULL"), 3);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM items WHERE "
	    "carried_from = %lld AND origin = 3 AND funds_planned = 30000 AND "
	    "dept = 'cdpf' AND measures = (SELECT id FROM texts WHERE body = "
	    "'家庭无障碍改造') AND decision = 0 "
	    "AND needs = 'access_ramp'", (long long)man);
	assert_int_equal(sql_int(fx, sql), 1);
	total = count_where(fx, "items", "year = 2025");
	/* exactly once */
	st = build_all(fx, YEAR + 1, NULL);
	assert_int_equal(st.carried + st.inserted + st.updated + st.deleted,
	    0);
	assert_int_equal(count_where(fx, "items", "year = 2025"), total);
	assert_int_equal(build_one(fx, pid, YEAR + 1, NULL, &st, &err), 0);
	assert_int_equal(st.carried + st.inserted + st.updated + st.deleted,
	    0);
	/* proposals gone: what they carried is carried on its own */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM items WHERE year = "
	    "2025 AND origin = 1 AND carried_from IS NOT NULL AND person_id = "
	    "%lld", (long long)pid);
	by_rule = sql_int(fx, sql);
	assert_true(by_rule > 0);
	assert_int_equal(build_one(fx, pid, YEAR + 1, no_needs, &st, &err), 0);
	assert_true(st.deleted > 0);
	assert_int_equal(st.carried, by_rule);
	snprintf(sql, sizeof(sql), "SELECT count(DISTINCT carried_from) FROM "
	    "items WHERE year = 2025 AND person_id = %lld", (long long)pid);
	assert_int_equal(sql_int(fx, sql), 3);
	assert_int_equal(build_one(fx, pid, YEAR + 1, no_needs, &st, &err), 0);
	assert_int_equal(st.carried + st.inserted + st.updated + st.deleted,
	    0);
}

static void
test_build_confirmed(void **state)
{
	struct fx *fx = *state;
	struct plan_build_stats st;
	struct lf_error err;
	struct plan p;
	char sql[200];
	int64_t pid;

	seed(fx);
	build_all(fx, YEAR, NULL);
	pid = person_with(fx, YEAR, 1);
	snprintf(sql, sizeof(sql), "UPDATE items SET decision = 1, edited = 1 "
	    "WHERE person_id = %lld", (long long)pid);
	sql_exec(fx, sql);
	assert_int_equal(plan_get(fx->s, pid, YEAR, &p, &err), 0);
	assert_int_equal(plan_confirm(fx->s, p.id, 0, "o", &p, &err), 0);
	assert_int_equal(build_one(fx, pid, YEAR, no_needs, &st, &err), -1);
	assert_string_equal(err.code, "state");
	st = build_all(fx, YEAR, NULL);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(st.inserted + st.updated + st.deleted, 0);
	assert_int_equal(plan_build_all(fx->s, ps, NULL, 1989, NULL, "b", NULL,
	    NULL, &st, &err), -1);
	assert_string_equal(err.field, "year");
	assert_int_equal(build_one(fx, pid, YEAR, NULL, &st, &err), -1);
	assert_int_equal(plan_build(fx->s, ps, NULL, &(struct store_person){
	    .id = pid }, fx->r, 3000, "r", &st, &err), -1);
	assert_string_equal(err.field, "year");
	/* a year nobody was surveyed in */
	memset(&st, 0, sizeof(st));
	assert_int_equal(plan_build_all(fx->s, ps, NULL, 2020, NULL, "b", NULL,
	    NULL, &st, &err), 0);
	assert_int_equal(st.persons, 0);
}

/* Last year's unmet item reaches a plan built before it was unmet: the
 * untouched item of its key takes it; a kept item of its key covers it. */
static void
test_build_carry_existing(void **state)
{
	struct fx *fx = *state;
	struct plan_item_change c;
	struct plan_build_stats st;
	struct plan_item it, next;
	struct lf_error err;
	char sql[400];
	int64_t pid, a, man;

	seed(fx);
	build_all(fx, YEAR, NULL);
	build_all(fx, YEAR + 1, NULL);
	/* a person whose first item of YEAR is proposed again, untouched */
	snprintf(sql, sizeof(sql), "SELECT o.person_id FROM items o JOIN items"
	    " n ON n.person_id = o.person_id AND n.year = 2025 AND n.policy = "
	    "o.policy AND n.needs = o.needs WHERE o.year = 2024 AND o.seq = 1 "
	    "AND o.person_id <> %lld ORDER BY o.person_id LIMIT 1",
	    (long long)fx->pid);
	pid = sql_int(fx, sql);
	assert_true(pid > 0);
	a = item_of(fx, pid, YEAR, 1);
	memset(&c, 0, sizeof(c));
	c.set = PI_DECISION | PI_STATUS;
	c.decision = DECISION_ACCEPTED;
	c.status = ITEM_NOT_DONE;
	c.status_reason = "未办";
	assert_int_equal(plan_item_update(fx->s, a, &c, 0, "w", &it, &err), 0);
	/* a manual item, unmet; next year already has one of its key */
	c.set = PI_EFFECT;
	c.effect = EFFECT_NOT_DONE;
	assert_int_equal(plan_item_add(fx->s, ps, pid, YEAR, "", "legal_aid",
	    &c, NULL, "w", &it, &err), 0);
	man = it.id;
	assert_int_equal(plan_item_add(fx->s, ps, pid, YEAR + 1, "",
	    "legal_aid,legal_rights_protection", NULL, NULL, "w", &next, &err),
	    0);
	st = build_all(fx, YEAR + 1, NULL);
	assert_int_equal(st.carried, 1);
	assert_int_equal(st.updated, 1);
	assert_int_equal(st.inserted + st.deleted, 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM items WHERE year = "
	    "2025 AND carried_from = %lld AND origin = 1 AND version = 2",
	    (long long)a);
	assert_int_equal(sql_int(fx, sql), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM items WHERE "
	    "carried_from = %lld", (long long)man);
	assert_int_equal(sql_int(fx, sql), 0);
	st = build_all(fx, YEAR + 1, NULL);
	assert_int_equal(st.carried + st.inserted + st.updated + st.deleted,
	    0);
}

/* Writes join the caller's transaction in a savepoint: a failed one
 * leaves the rest; a rollback takes everything. */
static void
test_caller_tx(void **state)
{
	struct fx *fx = *state;
	struct plan_item_change c;
	struct plan_build_stats st;
	struct plan_item it;
	struct lf_error err;
	int64_t a = add_item(fx, fx->pid, "civil", NULL);

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_begin(fx->s, &err), 0);
	c.set = PI_FUNDS;
	c.funds_planned = 777;
	assert_int_equal(plan_item_update(fx->s, a, &c, 0, "w", &it, &err), 0);
	c.set = PI_FUNDS | PI_MONTH;
	c.funds_planned = 888;
	c.planned_month = "1999-01";
	assert_int_equal(plan_item_update(fx->s, a, &c, 0, "w", &it, &err), -1);
	assert_int_equal(plan_item_add(fx->s, ps, 424242, YEAR, "", "", NULL,
	    NULL, "w", &it, &err), -1);
	assert_int_equal(store_commit(fx->s, &err), 0);
	assert_int_equal(get_item(fx, a)->funds_planned, 777);
	/* rolled back: nothing stays */
	assert_int_equal(store_begin(fx->s, &err), 0);
	c.set = PI_FUNDS;
	c.funds_planned = 999;
	assert_int_equal(plan_item_update(fx->s, a, &c, 0, "w", &it, &err), 0);
	store_rollback(fx->s);
	assert_int_equal(get_item(fx, a)->funds_planned, 777);
	/* a build in a bulk transaction */
	assert_int_equal(store_begin_bulk(fx->s, &err), 0);
	assert_int_equal(build_one(fx, fx->pid, YEAR, NULL, &st, &err), 0);
	assert_true(st.inserted > 0);
	assert_int_equal(store_commit(fx->s, &err), 0);
	/* plan_build_all makes its own transactions */
	assert_int_equal(store_begin(fx->s, &err), 0);
	assert_int_equal(plan_build_all(fx->s, ps, NULL, YEAR, NULL, "b", NULL,
	    NULL, &st, &err), -1);
	store_rollback(fx->s);
}

/* ---- out of memory ------------------------------------------------- */

static void
test_alloc_sweep(void **state)
{
	struct fx *fx = *state;
	struct plan_build_stats st;
	struct plan_item_change c;
	struct plan_item it;
	struct store_person p;
	struct lf_error err;
	long n, failures = 0;
	int64_t items;
	int rc = -1;

	seed(fx);
	for (n = 0; n < 5000 && rc != 0; n++) {
		memset(&st, 0, sizeof(st));
		mem_fail_after(n);
		rc = plan_build_all(fx->s, ps, NULL, YEAR, NULL, "b", NULL,
		    NULL, &st, &err);
		mem_fail_after(-1);
		if (rc != 0) {
			/* chunks done stay; none is half written */
			failures++;
			assert_non_null(err.code);
			assert_int_equal(sql_int(fx, "SELECT count(*) FROM "
			    "(SELECT plan_id FROM items GROUP BY plan_id "
			    "HAVING count(*) <> max(seq))"), 0);
			assert_int_equal(count_where(fx, "items", "plan_id NOT "
			    "IN (SELECT id FROM plans)"), 0);
		}
	}
	assert_int_equal(rc, 0);
	assert_true(failures > 5);
	assert_int_equal(count_where(fx, "plans", "1"), NSYNTH + 1);
	rc = -1;
	memset(&c, 0, sizeof(c));
	c.set = PI_MEASURES | PI_DEPT;
	c.measures = "m";
	c.dept = "civil";
	for (n = 0; n < 100 && rc != 0; n++) {
		mem_fail_after(n);
		rc = plan_item_add(fx->s, ps, fx->pid, YEAR + 1, "", "", &c,
		    NULL, "w", &it, &err);
		mem_fail_after(-1);
		if (rc != 0)
			assert_int_equal(count_where(fx, "plans",
			    "year = 2025"), 0);
	}
	assert_int_equal(rc, 0);
	/* one person's refresh, failing anywhere, leaves the plan as it was */
	rc = -1;
	tu_valid_person(fx->r, 1);
	no_needs(fx->r);
	memset(&p, 0, sizeof(p));
	p.id = fx->pid;
	snprintf(p.region, sizeof(p.region), "510104017001");
	items = count_where(fx, "items", "1");
	for (n = 0; n < 100 && rc != 0; n++) {
		mem_fail_after(n);
		rc = plan_build(fx->s, ps, NULL, &p, fx->r, YEAR, "r", &st,
		    &err);
		mem_fail_after(-1);
		if (rc != 0)
			assert_int_equal(count_where(fx, "items", "1"), items);
	}
	assert_int_equal(rc, 0);
	assert_true(count_where(fx, "items", "1") < items);
}

/* ---- a person's plans in one statement (the person page) ----------- */

struct trace {
	char	text[256];
	int64_t	dl_item;	/* item of the last delivery */
	int	stop_at_item;	/* stop (return 7) at this item seq; 0 never */
};

static int
tr_plan(void *arg, const struct plan *p)
{
	struct trace *t = arg;
	size_t n = strlen(t->text);

	snprintf(t->text + n, sizeof(t->text) - n, "P%d ", p->year);
	return 0;
}

static int
tr_item(void *arg, const struct plan_item *it)
{
	struct trace *t = arg;
	size_t n = strlen(t->text);

	snprintf(t->text + n, sizeof(t->text) - n, "I%d ", it->seq);
	return it->seq == t->stop_at_item ? 7 : 0;
}

static int
tr_delivery(void *arg, const struct plan_delivery *d)
{
	struct trace *t = arg;
	size_t n = strlen(t->text);

	snprintf(t->text + n, sizeof(t->text) - n, "D%lld ",
	    (long long)d->amount);
	t->dl_item = d->item_id;
	return 0;
}

static void
test_person_each(void **state)
{
	static const struct plan_person_fns fns = { tr_plan, tr_item,
	    tr_delivery };
	struct fx *fx = *state;
	struct plan_delivery d;
	struct plan_item it;
	struct lf_error err;
	struct trace t;
	char sql[300];
	int64_t a = add_item(fx, fx->pid, "civil", NULL), other;

	add_item(fx, fx->pid, "health", NULL);
	confirm(fx, fx->pid);
	/* out of date order: handed over by date, then by id */
	assert_int_equal(plan_delivery_add(fx->s, a, "2024-06-20", 200, NULL,
	    NULL, "d", &d, &it, &err), 0);
	assert_int_equal(plan_delivery_add(fx->s, a, "2024-06-10", 100, NULL,
	    NULL, "d", &d, &it, &err), 0);
	assert_int_equal(plan_delivery_add(fx->s, a, "2024-06-10", 50, NULL,
	    NULL, "d", &d, &it, &err), 0);
	/* a plan of the year before without items */
	snprintf(sql, sizeof(sql), "INSERT INTO plans(person_id, year, region,"
	    " status, version, created_at, created_by, updated_at, updated_by)"
	    " VALUES (%lld, %d, 510104001001, 1, 1, 0, 'x', 0, 'x')",
	    (long long)fx->pid, YEAR - 1);
	sql_exec(fx, sql);
	memset(&t, 0, sizeof(t));
	lf_error_clear(&err);
	assert_int_equal(plan_person_each(fx->s, fx->pid, &fns, &t, &err), 0);
	assert_string_equal(t.text, "P2023 P2024 I1 D100 D50 D200 I2 ");
	assert_int_equal(t.dl_item, a);
	/* a callback's value stops the walk and is returned; the statement
	 * is reset for the next call */
	memset(&t, 0, sizeof(t));
	t.stop_at_item = 1;
	assert_int_equal(plan_person_each(fx->s, fx->pid, &fns, &t, &err), 7);
	assert_string_equal(t.text, "P2023 P2024 I1 ");
	memset(&t, 0, sizeof(t));
	assert_int_equal(plan_person_each(fx->s, fx->pid, &fns, &t, &err), 0);
	assert_string_equal(t.text, "P2023 P2024 I1 D100 D50 D200 I2 ");
	/* someone without plans: nothing */
	tu_valid_person(fx->r, 2);
	other = put_person(fx, YEAR);
	memset(&t, 0, sizeof(t));
	assert_int_equal(plan_person_each(fx->s, other, &fns, &t, &err), 0);
	assert_string_equal(t.text, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
		cmocka_unit_test(test_labels),
		cmocka_unit_test_setup_teardown(test_update_checks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_update_conflict_history,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_idempotent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_confirm_reopen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliveries, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deliveries_monthly, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_inbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_villages, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_build_first_and_again,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_fresh_and_mixed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_merge, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_build_carry, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_build_carry_existing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_confirmed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_caller_tx, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_person_each, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_alloc_sweep, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("plan", tests, group_setup,
	    group_teardown);
}

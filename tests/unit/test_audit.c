/*
 * test_audit.c - the audit log: appends and queries, field checks, the
 * hash chain and tampering, the append-only triggers, transactions,
 * concurrent appenders, busy databases and allocation failures.
 *
 * One source for both backends: on a new SQLite file in make unit-test,
 * and with LIANGFU_TEST_PG_URL set (tests/pg/run.sh, the owner role's
 * URL) on PostgreSQL, where every test starts from an emptied audit
 * table (dropped and made again by audit_init()) and raw SQL runs on a
 * libpq connection of its own. What differs by backend is said where it
 * does: the statements that drop the triggers, SQLite's locking (busy,
 * a stale snapshot) against PostgreSQL's READ COMMITTED appenders.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <postgresql/libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/mem.h"
#include "store/audit.h"
#include "store/audit_anchor.h"
#include "store/dbq.h"
#include "store/store_int.h"	/* s->db and s->keys, for white-box tests */
#include "testutil.h"

#define P1	"0123456789abcdef0123456789abcdef"
#define P2	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define MAXIDS	1100

struct fx {
	char		 dir[64];
	char		 db[128];
	struct store	*s;
};

static int raw(const struct fx *, const char *, char *, size_t);
static void raw_ok(const struct fx *, const char *);

static int
on_pg(void)
{
	return tu_pg_url() != NULL;
}

/* A fresh store with an empty log and no anchor; with bare, without the
 * audit table store_open() made. */
static struct fx *
fx_new(int bare)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct lf_error err;
	char path[512];

	assert_non_null(fx);
	fx->s = tu_store_any(fx->dir, fx->db, "t.db");
	/* PostgreSQL: one database for every test, made empty (as the
	 * owner role) */
	if (on_pg())
		raw_ok(fx, "DROP TABLE IF EXISTS audit");
	if (audit_init(fx->s, &err) != 0)
		fail_msg("%s", err.message);
	if (audit_anchor_path(fx->s, path, sizeof(path)) == 0)
		unlink(path);
	if (bare)
		assert_int_equal(raw(fx, "DROP TABLE audit", NULL, 0), 0);
	return fx;
}

static void
fx_free(struct fx *fx)
{
	store_close(fx->s);
	tu_rmdir(fx->dir);
	free(fx);
}

static int
setup(void **state)
{
	*state = fx_new(0);
	return 0;
}

static int
setup_bare(void **state)
{
	*state = fx_new(1);
	return 0;
}

static int
teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* PostgreSQL: sql on a connection of its own; 0, or 1 with msg. */
static int
raw_pg(const struct fx *fx, const char *sql, char *msg, size_t msglen)
{
	PGconn *c = PQconnectdb(fx->db);
	PGresult *r;
	int rc;

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("%s", PQerrorMessage(c));
	r = PQexec(c, sql);
	rc = PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : 1;
	if (msg != NULL)
		snprintf(msg, msglen, "%s", rc ? PQresultErrorMessage(r) : "");
	PQclear(r);
	PQfinish(c);
	return rc;
}

/* Runs sql on a connection of its own: 0 (SQLITE_OK), else not 0 with
 * msg. */
static int
raw(const struct fx *fx, const char *sql, char *msg, size_t msglen)
{
	sqlite3 *db;
	char *e = NULL;
	int rc;

	if (on_pg())
		return raw_pg(fx, sql, msg, msglen);
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_exec(db, sql, NULL, NULL, &e);
	if (msg != NULL)
		snprintf(msg, msglen, "%s", e ? e : "");
	sqlite3_free(e);
	sqlite3_close(db);
	return rc;
}

static void
raw_ok(const struct fx *fx, const char *sql)
{
	char msg[256];

	if (raw(fx, sql, msg, sizeof(msg)) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static int64_t
raw_int_pg(const struct fx *fx, const char *sql)
{
	PGconn *c = PQconnectdb(fx->db);
	PGresult *r = PQexec(c, sql);
	int64_t v;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return v;
}

static int64_t
raw_int(const struct fx *fx, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v;

	if (on_pg())
		return raw_int_pg(fx, sql);
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* What tampering runs first: the triggers gone (SQLite) or off (the
 * owner role on PostgreSQL). */
static const char *
drop_triggers(void)
{
	return on_pg() ? "ALTER TABLE audit DISABLE TRIGGER USER;" :
	    "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
	    " DROP TRIGGER audit_append_only;";
}

/* A transaction of the caller's, on either backend. */
static int
tx_begin(struct fx *fx)
{
	struct lf_error err;
	int tx;

	if (dbq_tx_begin(fx->s, &tx, &err) != 0)
		fail_msg("begin: %s", err.message);
	return tx;
}

/* Commits (commit 1) or rolls back tx; fails the test when a commit
 * fails. */
static void
tx_end(struct fx *fx, int tx, int commit)
{
	struct lf_error err;

	if (dbq_tx_end(fx->s, tx, commit ? 0 : 1, &err) != 0 && commit)
		fail_msg("commit: %s", err.message);
}

static struct audit_entry
entry(const char *at, const char *actor, const char *action,
    const char *ttype, const char *target, const char *result)
{
	struct audit_entry e = { at, actor, "village", action, ttype, target,
	    result, "10.0.0.7", "00000001abcd", "" };

	return e;
}

static void
append(struct fx *fx, const struct audit_entry *e)
{
	struct lf_error err;

	if (audit_append(fx->s, e, &err) != 0)
		fail_msg("append: %s", err.message);
}

static void
append_n(struct fx *fx, int n)
{
	struct audit_entry e = entry(NULL, "wang", "person.read", "person",
	    P1, "ok");
	int i;

	for (i = 0; i < n; i++)
		append(fx, &e);
}

/* Verifies; returns first_bad and sets *count. */
static int64_t
verify(struct fx *fx, int64_t *count)
{
	struct lf_error err;
	int64_t bad, n;

	if (audit_verify(fx->s, &bad, &n, &err) != 0)
		fail_msg("verify: %s", err.message);
	if (count != NULL)
		*count = n;
	return bad;
}

static int64_t
entries(struct fx *fx)
{
	int64_t n;

	assert_int_equal(verify(fx, &n), 0);
	return n;
}

struct ids {
	int64_t	 id[MAXIDS];
	int	 n;
	int	 stop_after;	/* 0 = never */
};

static int
collect(void *arg, const struct audit_row *row)
{
	struct ids *ids = arg;

	assert_true(ids->n < MAXIDS);
	ids->id[ids->n++] = row->id;
	return ids->stop_after && ids->n == ids->stop_after ? 7 : 0;
}

/* The ten entries the query tests work on (ids 1..10). */
static void
fill(struct fx *fx)
{
	static const struct {
		const char *at, *actor, *role, *action, *ttype, *target,
		    *result;
	} rows[] = {
		{ "2025-03-01T08:00:00Z", "wang", "village", "person.read",
		    "person", P1, "ok" },
		{ "2025-12-31T23:59:59Z", "li", "township", "person.reveal",
		    "person", P1, "ok" },
		{ "2026-01-01T00:00:00Z", "wang", "village", "survey.write",
		    "person", P1, "ok" },
		{ "2026-02-10T10:00:00Z", "zhao", "county", "person.read",
		    "person", P2, "ok" },
		{ "2026-02-10T10:00:01Z", "-", "-", "session.login",
		    "session", "", "denied" },
		{ "2026-03-01T09:00:00Z", "li", "township", "person.read",
		    "person", P1, "denied" },
		{ "2026-06-30T12:00:00Z", "audit1", "auditor", "audit.read",
		    "user", "wang", "ok" },
		{ "2026-12-31T23:59:59Z", "wang", "village", "person.read",
		    "person", P2, "not_found" },
		{ "2027-01-01T00:00:00Z", "wang", "village", "person.reveal",
		    "person", P1, "ok" },
		{ "2027-01-02T00:00:00Z", "zhao", "county", "survey.write",
		    "person", P2, "failed" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct audit_entry e = { rows[i].at, rows[i].actor,
		    rows[i].role, rows[i].action, rows[i].ttype,
		    rows[i].target, rows[i].result, "192.168.1.20",
		    "req-0001", i == 4 ? "密码错误 (bad password)" : "" };

		append(fx, &e);
	}
}

static void
test_init_idempotent(void **state)
{
	struct fx *fx = *state;
	static const struct {
		const char	*type;
		int64_t		 n;
	} want[] = { { "table", 1 }, { "index", 3 }, { "trigger", 3 } };
	struct lf_error err;
	char sql[160];
	size_t i;
	int tx;

	append_n(fx, 2);
	assert_int_equal(audit_init(fx->s, &err), 0);
	tx = tx_begin(fx);
	assert_int_equal(audit_init(fx->s, &err), 0);
	tx_end(fx, tx, 1);
	/* a dropped trigger or index comes back */
	raw_ok(fx, on_pg() ? "DROP TRIGGER audit_no_delete ON audit;"
	    " DROP INDEX audit_at" :
	    "DROP TRIGGER audit_no_delete; DROP INDEX audit_at");
	assert_int_equal(audit_init(fx->s, &err), 0);
	if (on_pg()) {
		/* the table, the key and 3 indexes; 4 triggers */
		assert_int_equal(raw_int(fx, "SELECT count(*) FROM pg_indexes"
		    " WHERE tablename = 'audit'"), 4);
		assert_int_equal(raw_int(fx, "SELECT count(*) FROM pg_trigger"
		    " WHERE tgrelid = 'audit'::regclass"), 4);
		assert_int_equal(entries(fx), 2);
		return;
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master"
		    " WHERE tbl_name = 'audit' AND type = '%s'", want[i].type);
		assert_int_equal(raw_int(fx, sql), want[i].n);
	}
	assert_int_equal(entries(fx), 2);
}

static void
test_init_rolled_back(void **state)
{
	struct fx *fx = *state;
	struct audit_entry e = entry(NULL, "wang", "person.read", "person",
	    P1, "ok");
	struct lf_error err;
	int64_t bad, n, id;
	unsigned char h[AUDIT_HASH_LEN];
	struct audit_query q = { 0 };
	struct ids ids = { .n = 0 };

	int tx;

	/* made in the caller's transaction, gone with it */
	tx = tx_begin(fx);
	assert_int_equal(audit_init(fx->s, &err), 0);
	append(fx, &e);
	tx_end(fx, tx, 0);
	/* without the table every function fails cleanly */
	assert_int_equal(audit_append(fx->s, &e, &err), -1);
	assert_string_equal(err.code, "store");
	assert_int_equal(audit_verify(fx->s, &bad, &n, &err), -1);
	assert_string_equal(err.code, "store");
	assert_int_equal(audit_head(fx->s, &id, h, &err), -1);
	assert_string_equal(err.code, "store");
	assert_int_equal(audit_query(fx->s, &q, collect, &ids, &err), -1);
	assert_string_equal(err.code, "store");
	assert_int_equal(ids.n, 0);
}

static void
test_query(void **state)
{
	static const struct {
		struct audit_query	 q;
		int64_t			 want[12];	/* ends at 0 */
	} cases[] = {
		{ { 0 }, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 } },
		{ { .target_type = "person", .target = P1 },
		    { 1, 2, 3, 6, 9 } },
		/* who looked at this person this year? */
		{ { .target_type = "person", .target = P1, .from = "2026-01-01",
		    .to = "2027-01-01" }, { 3, 6 } },
		{ { .target_type = "person", .target = P1,
		    .from = "2026-01-01T00:00:00Z",
		    .to = "2027-01-01T00:00:00Z" }, { 3, 6 } },
		{ { .target = P1 }, { 1, 2, 3, 6, 9 } },
		{ { .target_type = "person", .target = P2 }, { 4, 8, 10 } },
		{ { .target_type = "user", .target = "wang" }, { 7 } },
		{ { .target_type = "session", .target = "" }, { 5 } },
		{ { .target_type = "user", .target = P1 }, { 0 } },
		{ { .actor = "wang" }, { 1, 3, 8, 9 } },
		{ { .actor = "wang", .action_prefix = "person." },
		    { 1, 8, 9 } },
		{ { .actor = "nobody" }, { 0 } },
		{ { .action_prefix = "person.re" }, { 1, 2, 4, 6, 8, 9 } },
		{ { .action_prefix = "person.reveal" }, { 2, 9 } },
		{ { .action_prefix = "survey" }, { 3, 10 } },
		{ { .action_prefix = "" }, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 } },
		{ { .action_prefix = "person.reveal.x" }, { 0 } },
		{ { .from = "2026-02-10T10:00:01Z" }, { 5, 6, 7, 8, 9, 10 } },
		{ { .to = "2026-02-10T10:00:01Z" }, { 1, 2, 3, 4 } },
		{ { .from = "2026-02-10T10:00:01Z",
		    .to = "2026-02-10T10:00:01Z" }, { 0 } },
		{ { .from = "2027-01-03" }, { 0 } },
		{ { .limit = 2 }, { 1, 2 } },
		{ { .limit = 1 }, { 1 } },
		{ { .limit = 1000 }, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 } },
		{ { .after_id = 8 }, { 9, 10 } },
		{ { .after_id = 3, .limit = 2 }, { 4, 5 } },
		{ { .after_id = 10 }, { 0 } },
		{ { .after_id = 1, .limit = 2, .actor = "wang" }, { 3, 8 } },
	};
	struct fx *fx = *state;
	struct lf_error err;
	size_t i;
	int k;

	fill(fx);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ids ids = { .n = 0 };

		if (audit_query(fx->s, &cases[i].q, collect, &ids, &err) != 0)
			fail_msg("case %zu: %s", i, err.message);
		for (k = 0; k < ids.n && cases[i].want[k] != 0; k++)
			if (ids.id[k] != cases[i].want[k])
				fail_msg("case %zu: row %d is %lld", i, k,
				    (long long)ids.id[k]);
		if (k != ids.n || cases[i].want[k] != 0)
			fail_msg("case %zu: %d rows", i, ids.n);
	}
}

struct first {
	struct audit_row	 row;
	char			 text[10][300];
};

static int
keep_first(void *arg, const struct audit_row *row)
{
	struct first *f = arg;
	const char *v[10] = { row->at, row->actor, row->role, row->action,
	    row->target_type, row->target, row->result, row->client,
	    row->request_id, row->detail };
	int i;

	f->row = *row;
	for (i = 0; i < 10; i++)
		snprintf(f->text[i], sizeof(f->text[i]), "%s", v[i]);
	return 1;
}

/* The ids a query by person returns, all pages of lim. */
static void
person_ids(struct fx *fx, const char *ttype, const char *target,
    const char *actor, int lim, struct ids *ids)
{
	struct audit_query q = { .target_type = ttype, .target = target,
	    .actor = actor, .limit = lim };
	struct lf_error err;
	int last;

	ids->n = 0;
	do {
		last = ids->n;
		if (audit_query(fx->s, &q, collect, ids, &err) != 0)
			fail_msg("query: %s", err.message);
		if (ids->n > 0)
			q.after_id = ids->id[ids->n - 1];
	} while (ids->n > last);
}

/* A query by person gives the same entries, in the same pages, before,
 * across and after the fills of the person index behind the log
 * (SQLite's audit_person; a no-op on PostgreSQL), as the same query by
 * target alone, which never uses it. */
static void
test_person_fill(void **state)
{
	static const char *const who[3] = { P1, P2, "" };
	struct fx *fx = *state;
	struct audit_entry e;
	struct ids *a = calloc(2, sizeof(*a)), *b = a + 1;
	struct lf_error err;
	unsigned char h[AUDIT_HASH_LEN];
	int64_t head;
	int round, i, k, lim;

	assert_non_null(a);
	for (round = 0; round < 4; round++) {
		for (i = 0; i < 40; i++) {
			e = entry(NULL, i % 3 ? "wang" : "li", "person.read",
			    i % 5 ? "person" : "user", who[i % 3], "ok");
			if (i % 5 == 0)
				e.target = "wang";
			append(fx, &e);
		}
		if (round % 2 == 0 &&
		    audit_person_fill(fx->s, &err) != 0)
			fail_msg("fill: %s", err.message);
		for (k = 0; k < 3; k++)
			for (lim = 1; lim <= 101; lim += 50) {
				person_ids(fx, "person", who[k], NULL, lim, a);
				person_ids(fx, NULL, who[k], NULL, lim, b);
				if (k == 2)	/* "" is also the user rows' */
					person_ids(fx, NULL, "", NULL, lim, b);
				assert_true(a->n > 0);
				if (k < 2) {
					assert_int_equal(a->n, b->n);
					assert_memory_equal(a->id, b->id,
					    sizeof(a->id[0]) * (size_t)a->n);
				}
				person_ids(fx, "person", who[k], "li", lim, a);
				person_ids(fx, NULL, who[k], "li", lim, b);
				if (k < 2) {
					assert_int_equal(a->n, b->n);
					assert_memory_equal(a->id, b->id,
					    sizeof(a->id[0]) * (size_t)a->n);
				}
			}
		/* another target type still finds its entries */
		person_ids(fx, "user", "wang", NULL, 7, a);
		assert_int_equal(a->n, 8 * (round + 1));
	}
	free(a);
	if (on_pg())
		return;
	/* filled up to the head, each person entry once */
	assert_int_equal(audit_person_fill(fx->s, &err), 0);
	assert_int_equal(audit_head(fx->s, &head, h, &err), 0);
	assert_int_equal(raw_int(fx, "SELECT w FROM audit_person_w"), head);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM audit_person"),
	    raw_int(fx, "SELECT count(*) FROM audit WHERE target_type ="
	    " 'person'"));
	/* the index is kept like the log: no row changed or removed, the
	 * mark never moved back */
	assert_int_not_equal(raw(fx, "DELETE FROM audit_person", NULL, 0), 0);
	assert_int_not_equal(raw(fx, "UPDATE audit_person SET id = id + 1000",
	    NULL, 0), 0);
	assert_int_not_equal(raw(fx, "UPDATE audit_person_w SET w = 0", NULL,
	    0), 0);
	assert_int_not_equal(raw(fx, "DELETE FROM audit_person_w", NULL, 0),
	    0);
	assert_int_equal(raw_int(fx, "SELECT w FROM audit_person_w"), head);
}

/* A registry made with the full person index: audit_init() replaces it
 * by the partial one and indexes the person entries behind the log at
 * once (SQLite only). */
static void
test_person_upgrade(void **state)
{
	struct fx *fx = *state;
	struct audit_query q = { .target_type = "person", .target = P1 };
	struct ids ids = { .n = 0 };
	struct lf_error err;

	if (on_pg())
		skip();
	/* the schema before: the full index, no person table */
	raw_ok(fx, "DROP TRIGGER audit_person_no_delete;"
	    " DROP TRIGGER audit_person_no_update;"
	    " DROP TRIGGER audit_person_w_back;"
	    " DROP TRIGGER audit_person_w_no_delete;"
	    " DROP TABLE audit_person; DROP TABLE audit_person_w;"
	    " DROP INDEX audit_target; CREATE INDEX audit_target ON"
	    " audit(target_type, target, id)");
	append_n(fx, 30);
	assert_int_equal(audit_init(fx->s, &err), 0);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'audit_target' AND sql LIKE '%WHERE%'"), 1);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM audit_person"),
	    30);
	assert_int_equal(raw_int(fx, "SELECT w FROM audit_person_w"), 30);
	assert_int_equal(audit_query(fx->s, &q, collect, &ids, &err), 0);
	assert_int_equal(ids.n, 30);
	assert_int_equal(entries(fx), 30);
}

static void
test_row_and_head(void **state)
{
	struct fx *fx = *state;
	static const char *const want[10] = { "2026-02-10T10:00:01Z", "-",
	    "-", "session.login", "session", "", "denied", "192.168.1.20",
	    "req-0001", "密码错误 (bad password)" };
	struct audit_query q = { .after_id = 4 };
	struct lf_error err;
	struct first f;
	unsigned char h[AUDIT_HASH_LEN], zero[AUDIT_HASH_LEN] = { 0 };
	int64_t id;
	int i;

	assert_int_equal(audit_head(fx->s, &id, h, &err), 0);
	assert_int_equal(id, 0);
	assert_memory_equal(h, zero, AUDIT_HASH_LEN);
	fill(fx);
	/* the callback's non-zero value stops the query and is returned */
	assert_int_equal(audit_query(fx->s, &q, keep_first, &f, &err), 1);
	assert_int_equal(f.row.id, 5);
	for (i = 0; i < 10; i++)
		assert_string_equal(f.text[i], want[i]);
	q.after_id = 9;
	assert_int_equal(audit_query(fx->s, &q, keep_first, &f, &err), 1);
	assert_int_equal(audit_head(fx->s, &id, h, &err), 0);
	assert_int_equal(id, 10);
	assert_memory_equal(h, f.row.hash, AUDIT_HASH_LEN);
	assert_memory_not_equal(h, zero, AUDIT_HASH_LEN);
}

static void
test_query_stop_and_paging(void **state)
{
	struct fx *fx = *state;
	struct audit_query q = { .target_type = "person", .target = P1,
	    .limit = 100 };
	struct ids ids = { .n = 0, .stop_after = 3 };
	struct lf_error err;
	int pages = 0, last;

	append_n(fx, 250);
	assert_int_equal(audit_query(fx->s, &q, collect, &ids, &err), 7);
	assert_int_equal(ids.n, 3);
	ids.n = 0;
	ids.stop_after = 0;
	do {
		last = ids.n;
		assert_int_equal(audit_query(fx->s, &q, collect, &ids, &err),
		    0);
		assert_true(ids.n - last <= 100);
		if (ids.n > 0)
			q.after_id = ids.id[ids.n - 1];
		pages++;
	} while (ids.n > last);
	assert_int_equal(ids.n, 250);
	assert_int_equal(pages, 4);	/* 100, 100, 50, then none */
	for (last = 0; last < 250; last++)
		assert_int_equal(ids.id[last], last + 1);
	/* the default limit */
	ids.n = 0;
	q.after_id = 0;
	q.limit = 0;
	assert_int_equal(audit_query(fx->s, &q, collect, &ids, &err), 0);
	assert_int_equal(ids.n, AUDIT_LIMIT_DEFAULT);
}

static void
test_query_invalid(void **state)
{
	char long_s[AUDIT_FIELD_MAX + 2];
	const struct {
		struct audit_query	 q;
		const char		*field;	/* NULL = accepted */
	} cases[] = {
		{ { .limit = -1 }, "limit" },
		{ { .limit = AUDIT_LIMIT_MAX + 1 }, "limit" },
		{ { .limit = AUDIT_LIMIT_MAX }, NULL },
		{ { .after_id = -1 }, "after_id" },
		{ { .from = "2026-13-01" }, "from" },
		{ { .from = "2026-01-01T00:00:00" }, "from" },
		{ { .from = "" }, "from" },
		{ { .to = "yesterday" }, "to" },
		{ { .to = "2026-01-01T24:00:00Z" }, "to" },
		{ { .to = "2026-01-01T23:59:60Z" }, NULL },
		{ { .target = long_s }, "target" },
		{ { .target = long_s + 1 }, NULL },
		{ { .actor = "\xff" }, "actor" },
		{ { .target_type = "a\nb" }, "target_type" },
		{ { .action_prefix = long_s }, "action_prefix" },
		/* query values are not stored: digits are fine */
		{ { .target = "510104198506150012" }, NULL },
	};
	struct fx *fx = *state;
	struct lf_error err;
	size_t i;

	memset(long_s, 'a', sizeof(long_s) - 1);
	long_s[sizeof(long_s) - 1] = '\0';
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ids ids = { .n = 0 };
		int rc = audit_query(fx->s, &cases[i].q, collect, &ids, &err);

		if (cases[i].field == NULL) {
			if (rc != 0)
				fail_msg("case %zu: %s", i, err.message);
			continue;
		}
		if (rc != -1)
			fail_msg("case %zu accepted", i);
		assert_string_equal(err.code, "invalid");
		assert_string_equal(err.field, cases[i].field);
	}
}

static void
test_fields(void **state)
{
	char f128[AUDIT_FIELD_MAX + 1], f129[AUDIT_FIELD_MAX + 2];
	char d256[AUDIT_DETAIL_MAX + 1], d257[AUDIT_DETAIL_MAX + 2];
	char zh255[300], zh258[300];
	const struct {
		size_t		 off;
		const char	*name;
		const char	*value;
		int		 ok;
	} cases[] = {
#define E(f) offsetof(struct audit_entry, f), #f
		{ E(at), NULL, 1 },
		{ E(at), "", 1 },
		{ E(at), "2026-11-29T05:30:00Z", 1 },
		{ E(at), "2024-02-29T23:59:60Z", 1 },
		{ E(at), "2026-11-29 05:30:00Z", 0 },
		{ E(at), "2026-11-29T05:30:00", 0 },
		{ E(at), "2026-11-29", 0 },
		{ E(at), "2026-02-30T00:00:00Z", 0 },
		{ E(at), "2026-11-29T24:00:00Z", 0 },
		{ E(at), "2026-11-29T05:60:00Z", 0 },
		{ E(at), "2026-11-29T05:30:61Z", 0 },
		{ E(at), "2026-11-29T05:30:00+08", 0 },
		{ E(actor), NULL, 0 },
		{ E(actor), "", 0 },
		{ E(actor), "-", 1 },
		{ E(actor), "cli:张三", 1 },
		{ E(actor), f128, 1 },
		{ E(actor), f129, 0 },
		{ E(actor), "wang\tli", 0 },
		{ E(actor), "wang\x7f", 0 },
		{ E(actor), "\xe5\xbc", 0 },
		{ E(role), NULL, 1 },
		{ E(role), "", 1 },
		{ E(role), "-", 1 },
		{ E(role), "Admin", 0 },
		{ E(role), f129, 0 },
		{ E(action), NULL, 0 },
		{ E(action), "", 0 },
		{ E(action), "person.reveal", 1 },
		{ E(action), "person.read_v2-x", 1 },
		{ E(action), "Person.Read", 0 },
		{ E(action), "person read", 0 },
		{ E(target_type), "", 0 },
		{ E(target_type), "user", 1 },
		{ E(target_type), "user/x", 0 },
		{ E(target), NULL, 1 },
		{ E(target), "", 1 },
		{ E(target), P2, 1 },
		{ E(target), "0123456789012345678901234567890a", 1 },
		{ E(target), "0123456789ABCDEF0123456789ABCDEF", 0 },
		{ E(target), "0123456789abcdef0123456789abcde", 0 },
		{ E(target), "510104198506150012", 0 },
		{ E(target), "张三", 0 },
		{ E(result), "ok", 1 },
		{ E(result), "denied", 1 },
		{ E(result), "not_found", 1 },
		{ E(result), "conflict", 1 },
		{ E(result), "failed", 1 },
		{ E(result), "invalid", 1 },
		{ E(result), "OK", 0 },
		{ E(result), "", 0 },
		{ E(result), NULL, 0 },
		{ E(client), NULL, 1 },
		{ E(client), "2001:db8::1", 1 },
		{ E(client), f129, 0 },
		{ E(request_id), NULL, 1 },
		{ E(request_id), f128, 1 },
		{ E(request_id), "ab\r", 0 },
		{ E(detail), NULL, 1 },
		{ E(detail), d256, 1 },
		{ E(detail), d257, 0 },
		{ E(detail), zh255, 1 },
		{ E(detail), zh258, 0 },
		{ E(detail), "n=12345678901234", 1 },
		{ E(detail), "id 510104198506150012", 0 },
		{ E(detail), "old id 510104850615001", 0 },
		{ E(detail), "a\nb", 0 },
		{ E(detail), "\xc0\x80", 0 },
#undef E
	};
	struct fx *fx = *state;
	struct lf_error err;
	size_t i, n = 0;

	memset(f128, 'a', sizeof(f128) - 1);
	f128[sizeof(f128) - 1] = '\0';
	memset(f129, 'a', sizeof(f129) - 1);
	f129[sizeof(f129) - 1] = '\0';
	memset(d256, 'x', sizeof(d256) - 1);
	d256[sizeof(d256) - 1] = '\0';
	memset(d257, 'x', sizeof(d257) - 1);
	d257[sizeof(d257) - 1] = '\0';
	for (i = 0; i < 86; i++) {
		memcpy(zh255 + 3 * i, "查", 3);
		memcpy(zh258 + 3 * i, "查", 3);
	}
	memcpy(zh255 + 255, "a", 2);	/* 85 characters and "a": 256 bytes */
	zh258[258] = '\0';
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct audit_entry e = entry("2026-11-29T05:30:00Z", "wang",
		    "person.read", "person", P1, "ok");
		int rc;

		*(const char **)(void *)((char *)&e + cases[i].off) =
		    cases[i].value;
		rc = audit_append(fx->s, &e, &err);
		if (cases[i].ok) {
			if (rc != 0)
				fail_msg("case %zu: %s", i, err.message);
			n++;
			continue;
		}
		if (rc != -1)
			fail_msg("case %zu (%s) accepted", i, cases[i].name);
		assert_string_equal(err.code, "invalid");
		assert_string_equal(err.field, cases[i].name);
	}
	/* refused entries left nothing behind */
	assert_int_equal(entries(fx), (int64_t)n);
}

static void
test_user_target_digits(void **state)
{
	struct fx *fx = *state;
	struct audit_entry e = entry(NULL, "wang", "person.search", "user",
	    "510104198506150012", "ok");
	struct lf_error err;

	/* an ID number is refused whatever the target type */
	assert_int_equal(audit_append(fx->s, &e, &err), -1);
	assert_string_equal(err.field, "target");
	e.target = "zhang3";
	assert_int_equal(audit_append(fx->s, &e, &err), 0);
	/* a staff member's login may be any text */
	e.target = "张三";
	assert_int_equal(audit_append(fx->s, &e, &err), 0);
}

/* The hash is the one audit.h documents. */
static void
test_format(void **state)
{
	struct fx *fx = *state;
	struct audit_entry e = { "2026-11-29T05:30:00Z", "wang", "village",
	    "person.read", "person", P1, "ok", "10.0.0.7", "r1", "详情" };
	const char *v[10] = { e.at, e.actor, e.role, e.action, e.target_type,
	    e.target, e.result, e.client, e.request_id, e.detail };
	unsigned char msg[1024], h1[32], h2[32];
	struct audit_query q = { 0 };
	struct first f;
	struct lf_error err;
	size_t n = 0, len, i;
	int64_t id;
	int round;

	for (round = 1; round <= 2; round++) {
		assert_int_equal(audit_head(fx->s, &id, h1, &err), 0);
		append(fx, &e);
		n = 0;
		msg[n++] = 1;
		memcpy(msg + n, h1, 32);
		n += 32;
		for (i = 0; i < 8; i++)
			msg[n++] = (unsigned char)((uint64_t)(id + 1) >>
			    (56 - 8 * i));
		for (i = 0; i < 10; i++) {
			len = strlen(v[i]);
			msg[n++] = (unsigned char)(len >> 24);
			msg[n++] = (unsigned char)(len >> 16);
			msg[n++] = (unsigned char)(len >> 8);
			msg[n++] = (unsigned char)len;
			memcpy(msg + n, v[i], len);
			n += len;
		}
		assert_int_equal(crypto_lookup_hash(fx->s->keys, "audit", msg,
		    n, h2), 0);
		q.after_id = id;
		assert_int_equal(audit_query(fx->s, &q, keep_first, &f, &err),
		    1);
		assert_int_equal(f.row.id, id + 1);
		assert_memory_equal(f.row.hash, h2, 32);
	}
}

static void
test_verify_intact(void **state)
{
	struct fx *fx = *state;
	int64_t n;

	assert_int_equal(verify(fx, &n), 0);
	assert_int_equal(n, 0);
	fill(fx);
	append_n(fx, 5);
	assert_int_equal(verify(fx, &n), 0);
	assert_int_equal(n, 15);
}

#define COPY_COLS "at, actor, role, action, target_type, target, result, " \
	"client, request_id"
#define SHIFT_UP "UPDATE audit SET id = id + 100 WHERE id >= 6;" \
	" UPDATE audit SET id = id - 99 WHERE id >= 106;"

static void
test_tamper(void **state)
{
	static const struct {
		const char	*name;
		const char	*sql;
		int64_t		 bad;
		int64_t		 count;
	} cases[] = {
		{ "edit actor",
		    "UPDATE audit SET actor = 'mallory' WHERE id = 4", 4, 10 },
		{ "edit newest detail",
		    "UPDATE audit SET detail = 'x' WHERE id = 10", 10, 10 },
		{ "edit first time",
		    "UPDATE audit SET at = '2020-01-01T00:00:00Z' WHERE id = 1",
		    1, 10 },
		{ "edit result",
		    "UPDATE audit SET result = 'ok' WHERE id = 6", 6, 10 },
		{ "target as a number",
		    "UPDATE audit SET target = 7 WHERE id = 2", 2, 10 },
		{ "shift a field boundary", "UPDATE audit SET role ="
		    " 'villagep', action = 'erson.read' WHERE id = 1", 1, 10 },
		{ "forge hash",
		    "UPDATE audit SET hash = prev WHERE id = 3", 3, 10 },
		{ "short hash",
		    "UPDATE audit SET hash = substr(hash, 1, 1) WHERE id = 3", 3,
		    10 },
		{ "forge prev",
		    "UPDATE audit SET prev = hash WHERE id = 7", 7, 10 },
		{ "empty prev",
		    "UPDATE audit SET prev = substr(prev, 1, 0) WHERE id = 8", 8,
		    10 },
		{ "renumber newest",
		    "UPDATE audit SET id = 20 WHERE id = 10", 20, 10 },
		{ "delete middle",
		    "DELETE FROM audit WHERE id = 5", 6, 9 },
		{ "delete first",
		    "DELETE FROM audit WHERE id = 1", 2, 9 },
		{ "insert at end",
		    "INSERT INTO audit SELECT 11, " COPY_COLS ", 'forged', hash,"
		    " prev FROM audit WHERE id = 10", 11, 11 },
		{ "insert in middle", SHIFT_UP
		    "INSERT INTO audit SELECT 6, " COPY_COLS ", 'forged', hash,"
		    " prev FROM audit WHERE id = 5", 6, 11 },
		{ "duplicate in middle", SHIFT_UP
		    "INSERT INTO audit SELECT 6, " COPY_COLS ", detail, prev,"
		    " hash FROM audit WHERE id = 5", 6, 11 },
		{ "insert id 0",
		    "INSERT INTO audit SELECT 0, " COPY_COLS ", detail, prev,"
		    " hash FROM audit WHERE id = 1", -1, 11 },
		{ "reorder", "UPDATE audit SET id = -3 WHERE id = 3;"
		    " UPDATE audit SET id = 3 WHERE id = 4;"
		    " UPDATE audit SET id = 4 WHERE id = -3", 3, 10 },
		/* cutting off the newest entries is not visible in the
		 * chain: compare with a saved audit_head() */
		{ "truncate newest",
		    "DELETE FROM audit WHERE id >= 9", 0, 8 },
	};
	size_t i;
	char sql[1024];
	int64_t n, id;
	unsigned char h[AUDIT_HASH_LEN];
	struct lf_error err;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx *fx = fx_new(0);

		fill(fx);
		assert_int_equal(verify(fx, NULL), 0);
		snprintf(sql, sizeof(sql), "%s %s", drop_triggers(),
		    cases[i].sql);
		raw_ok(fx, sql);
		if (verify(fx, &n) != cases[i].bad || n != cases[i].count)
			fail_msg("%s: first bad %lld of %lld", cases[i].name,
			    (long long)verify(fx, NULL), (long long)n);
		assert_int_equal(audit_head(fx->s, &id, h, &err), 0);
		if (cases[i].bad == 0)
			assert_int_equal(id, 8);	/* was 10 */
		fx_free(fx);
	}
}

/* The full check (audit_check()): with the anchor written after the
 * tenth entry, every kind of tampering names its first bad entry, the
 * cut of the newest entries too. */
static void
test_check_with_anchor(void **state)
{
	static const struct {
		const char	*name;
		const char	*sql;
		int64_t		 bad;
	} cases[] = {
		{ "intact", "SELECT 1", 0 },
		{ "edit a middle entry",
		    "UPDATE audit SET actor = 'mallory' WHERE id = 5", 5 },
		{ "delete the newest two",
		    "DELETE FROM audit WHERE id >= 9", 9 },
		{ "delete the newest",
		    "DELETE FROM audit WHERE id = 10", 10 },
		{ "empty the table", "DELETE FROM audit", 1 },
		{ "delete the newest, forge a new one in its place",
		    "DELETE FROM audit WHERE id = 10; INSERT INTO audit SELECT "
		    "10, " COPY_COLS ", 'forged', hash, prev FROM "
		    "audit WHERE id = 9", 10 },
		{ "edit a middle entry and cut the end",
		    "UPDATE audit SET detail = 'x' WHERE id = 3;"
		    " DELETE FROM audit WHERE id >= 7", 3 },
	};
	struct audit_check c;
	struct lf_error err;
	char sql[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx *fx = fx_new(0);

		fill(fx);
		assert_int_equal(audit_anchor_write(fx->s, &err), 0);
		snprintf(sql, sizeof(sql), "%s %s", drop_triggers(),
		    cases[i].sql);
		raw_ok(fx, sql);
		assert_int_equal(audit_check(fx->s, &c, &err), 0);
		if (c.first_bad != cases[i].bad || c.anchor != 1 ||
		    c.anchor_id != 10 || (c.problem == NULL) !=
		    (cases[i].bad == 0))
			fail_msg("%s: first bad %lld, anchor %d id %lld, %s",
			    cases[i].name, (long long)c.first_bad, c.anchor,
			    (long long)c.anchor_id, c.problem ? c.problem :
			    "ok");
		fx_free(fx);
	}
}

/* A missing anchor is reported as such; a damaged or forged one is a
 * problem; a newer log than its anchor is fine. */
static void
test_anchor_file(void **state)
{
	struct fx *fx = *state;
	struct audit_check c;
	struct lf_error err;
	char path[256], text[512];
	FILE *fp;
	size_t n;

	fill(fx);
	assert_int_equal(audit_check(fx->s, &c, &err), 0);
	assert_int_equal(c.anchor, 0);
	assert_null(c.problem);
	assert_int_equal(audit_anchor_write(fx->s, &err), 0);
	append_n(fx, 3);
	assert_int_equal(audit_check(fx->s, &c, &err), 0);
	assert_int_equal(c.anchor, 1);
	assert_int_equal(c.anchor_id, 10);
	assert_int_equal(c.newest, 13);
	assert_null(c.problem);
	/* change one digit of the id: the mac no longer matches */
	assert_int_equal(audit_anchor_path(fx->s, path, sizeof(path)), 0);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	assert_non_null(strstr(text, "\nid 10\n"));
	strstr(text, "\nid 10\n")[5] = '9';
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(audit_check(fx->s, &c, &err), 0);
	assert_int_equal(c.anchor, -1);
	assert_non_null(c.problem);
	/* garbage */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("liangfu-audit-head 1\nid x\n", fp);
	fclose(fp);
	assert_int_equal(audit_check(fx->s, &c, &err), 0);
	assert_int_equal(c.anchor, -1);
}

/* The server's anchor, rewritten in place: it follows every put, keeps
 * one size, and still shows a cut of the entries it names. */
static void
test_anchor_in_place(void **state)
{
	struct fx *fx = *state;
	struct audit_check c;
	struct lf_error err;
	struct stat sb;
	char path[256], sql[256];
	int fd;

	fill(fx);
	assert_int_equal(audit_anchor_open(fx->s, &fd, &err), 0);
	assert_true(fd >= 0);
	assert_int_equal(audit_anchor_path(fx->s, path, sizeof(path)), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 256);
	assert_int_equal(audit_check(fx->s, &c, &err), 0);
	assert_int_equal(c.anchor_id, 10);
	assert_null(c.problem);
	/* ids grow by a digit (10 -> 105): same size, new anchor */
	append_n(fx, 95);
	assert_int_equal(audit_anchor_put(fx->s, fd, &err), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 256);
	assert_int_equal(audit_check(fx->s, &c, &err), 0);
	assert_int_equal(c.anchor, 1);
	assert_int_equal(c.anchor_id, 105);
	assert_int_equal(c.newest, 105);
	assert_null(c.problem);
	/* cut the newest entry: the in-place anchor shows it */
	snprintf(sql, sizeof(sql), "%s DELETE FROM audit WHERE id = 105",
	    drop_triggers());
	raw_ok(fx, sql);
	assert_int_equal(audit_check(fx->s, &c, &err), 0);
	assert_int_equal(c.first_bad, 105);
	assert_non_null(c.problem);
	close(fd);
}

/* The triggers refuse these as the owner role too (the app role on
 * PostgreSQL has no UPDATE, DELETE nor TRUNCATE at all: tests/pg). */
static void
test_triggers(void **state)
{
	static const struct {
		const char	*sql;
		int		 only;	/* 0 both, 1 SQLite, 2 PostgreSQL */
	} refused[] = {
		{ "UPDATE audit SET actor = 'mallory' WHERE id = 2", 0 },
		{ "UPDATE audit SET id = 20 WHERE id = 10", 0 },
		{ "DELETE FROM audit WHERE id = 5", 0 },
		{ "DELETE FROM audit", 0 },
		{ "INSERT OR REPLACE INTO audit SELECT * FROM audit WHERE id = 3",
		    1 },
		{ "TRUNCATE audit", 2 },
		{ "INSERT INTO audit(" COPY_COLS ", detail, prev, hash) SELECT "
		    COPY_COLS ", detail, prev, hash FROM audit WHERE id = 3", 0 },
		{ "INSERT INTO audit SELECT 0, " COPY_COLS ", detail, prev, hash"
		    " FROM audit WHERE id = 3", 0 },
		{ "INSERT INTO audit SELECT 3, " COPY_COLS ", detail, prev, hash"
		    " FROM audit WHERE id = 3 ON CONFLICT(id) DO UPDATE SET"
		    " detail = 'x'", 0 },
	};
	struct fx *fx = *state;
	char msg[256];
	size_t i;
	int64_t n;

	fill(fx);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (refused[i].only == (on_pg() ? 1 : 2))
			continue;
		if (raw(fx, refused[i].sql, msg, sizeof(msg)) == 0)
			fail_msg("not refused: %s", refused[i].sql);
		if (strstr(msg, "append-only") == NULL)
			fail_msg("%s: %s", refused[i].sql, msg);
	}
	assert_int_equal(verify(fx, &n), 0);
	assert_int_equal(n, 10);
	/* a real append past the newest entry is still possible by hand,
	 * but it does not verify without the key */
	raw_ok(fx, "INSERT INTO audit SELECT 11, " COPY_COLS ", detail, hash,"
	    " prev FROM audit WHERE id = 10");
	assert_int_equal(verify(fx, &n), 11);
}

struct worker {
	struct store	*s;
	const char	*actor;
	int		 fails;
	char		 msg[400];
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct audit_entry e = entry(NULL, w->actor, "person.read", "person",
	    P1, "ok");
	struct lf_error err;
	char detail[32];
	int i;

	for (i = 0; i < 200; i++) {
		snprintf(detail, sizeof(detail), "n=%d", i);
		e.detail = detail;
		if (audit_append(w->s, &e, &err) != 0) {
			w->fails++;
			snprintf(w->msg, sizeof(w->msg), "%s", err.message);
		}
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct fx *fx = *state;
	struct worker w[2] = { { .actor = "wang" }, { .actor = "li" } };
	pthread_t t[2];
	struct audit_query q = { .limit = 1000 };
	struct ids ids = { .n = 0 };
	struct lf_error err;
	int64_t n;
	int i;

	for (i = 0; i < 2; i++)
		if (store_open_any(fx->db, tu_catalog(), tu_regions(), &w[i].s,
		    &err) != 0)
			fail_msg("%s", err.message);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		if (w[i].fails)
			fail_msg("%d failures: %s", w[i].fails, w[i].msg);
		store_close(w[i].s);
	}
	assert_int_equal(verify(fx, &n), 0);
	assert_int_equal(n, 400);
	for (i = 0; i < 2; i++) {
		ids.n = 0;
		q.actor = w[i].actor;
		assert_int_equal(audit_query(fx->s, &q, collect, &ids, &err),
		    0);
		assert_int_equal(ids.n, 200);
	}
}

static void
test_transactions(void **state)
{
	struct fx *fx = *state;
	struct audit_entry e = entry(NULL, "wang", "survey.write", "person",
	    P1, "ok");
	struct audit_entry bad = entry(NULL, "wang", "survey.write", "person",
	    "510104198506150012", "ok");
	struct store_put p = { 2024, 0, "wang", 0, tu_days("2026-11-29") };
	struct store_put_result res;
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	int64_t n;
	int tx;

	/* rolled back with the caller's work (a survey put: SQLite's; on
	 * PostgreSQL the appends alone) */
	tu_valid_person(r, 3);
	if (!on_pg()) {
		assert_int_equal(store_begin(fx->s, &err), 0);
		if (store_survey_put(fx->s, r, &p, &res, &err) != 0)
			fail_msg("%s", err.message);
		append(fx, &e);
		append(fx, &e);
		store_rollback(fx->s);
		assert_int_equal(entries(fx), 0);
		assert_int_equal(store_count(fx->s, "persons", &n, &err), 0);
		assert_int_equal(n, 0);
	}
	tx = tx_begin(fx);
	append(fx, &e);
	append(fx, &e);
	tx_end(fx, tx, 0);
	assert_int_equal(entries(fx), 0);
	/* a refused entry leaves the caller's transaction usable */
	tx = tx_begin(fx);
	append(fx, &e);
	assert_int_equal(audit_append(fx->s, &bad, &err), -1);
	append(fx, &e);
	tx_end(fx, tx, 1);
	assert_int_equal(entries(fx), 2);
	/* and without a transaction each append commits on its own */
	append(fx, &e);
	tx = tx_begin(fx);
	append(fx, &e);
	tx_end(fx, tx, 0);
	assert_int_equal(entries(fx), 3);
	record_free(r);
}

static void
test_corrupt_head(void **state)
{
	struct fx *fx = *state;
	struct audit_entry e = entry(NULL, "wang", "person.read", "person",
	    P1, "ok");
	unsigned char h[AUDIT_HASH_LEN];
	struct lf_error err;
	char sql[256];
	int64_t id;
	int tx;

	append_n(fx, 3);
	snprintf(sql, sizeof(sql), "%s UPDATE audit SET hash = substr(hash, "
	    "1, 2) WHERE id = 3", drop_triggers());
	raw_ok(fx, sql);
	assert_int_equal(audit_append(fx->s, &e, &err), -1);
	assert_string_equal(err.code, "corrupt");
	assert_int_equal(audit_head(fx->s, &id, h, &err), -1);
	assert_string_equal(err.code, "corrupt");
	/* inside a transaction: the savepoint goes, the transaction stays */
	tx = tx_begin(fx);
	assert_int_equal(audit_append(fx->s, &e, &err), -1);
	assert_string_equal(err.code, "corrupt");
	tx_end(fx, tx, 1);
	assert_int_equal(verify(fx, &id), 3);
	assert_int_equal(id, 3);
}

static void
test_busy(void **state)
{
	struct fx *fx = *state;
	struct audit_entry e = entry(NULL, "wang", "person.read", "person",
	    P1, "ok");
	struct lf_error err;
	sqlite3 *db;

	if (on_pg())
		skip();		/* SQLite's locks (PostgreSQL's appenders
				   wait for the lock: test_threads) */
	append_n(fx, 1);
	sqlite3_busy_timeout(fx->s->db, 5);
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	/* on its own: retried, then refused */
	assert_int_equal(audit_append(fx->s, &e, &err), -1);
	assert_string_equal(err.code, "busy");
	/* opening needs no write lock while the schema is complete */
	assert_int_equal(audit_init(fx->s, &err), 0);
	assert_int_equal(sqlite3_exec(db, "COMMIT; DROP TRIGGER "
	    "audit_no_update; BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(audit_init(fx->s, &err), -1);
	assert_string_equal(err.code, "busy");
	/* in the caller's transaction: refused at once, transaction kept */
	assert_int_equal(sqlite3_exec(fx->s->db, "BEGIN", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(audit_append(fx->s, &e, &err), -1);
	assert_string_equal(err.code, "busy");
	assert_int_equal(sqlite3_get_autocommit(fx->s->db), 0);
	assert_int_equal(sqlite3_exec(fx->s->db, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	append(fx, &e);
	assert_int_equal(entries(fx), 2);
	assert_int_equal(audit_init(fx->s, &err), 0);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM sqlite_master WHERE"
	    " type = 'trigger' AND tbl_name = 'audit'"), 3);
}

/* A caller who read the head before another connection appended cannot
 * fork the chain: on SQLite its snapshot is stale and the append is
 * refused ("busy"); on PostgreSQL (READ COMMITTED, the appenders' lock)
 * the append reads the new head and follows it. */
static void
test_stale_snapshot(void **state)
{
	struct fx *fx = *state;
	struct audit_entry e = entry(NULL, "wang", "person.read", "person",
	    P1, "ok");
	unsigned char h[AUDIT_HASH_LEN];
	struct store *s2;
	struct lf_error err;
	int64_t id, n;
	int tx = 0;

	append_n(fx, 2);
	if (store_open_any(fx->db, tu_catalog(), tu_regions(), &s2,
	    &err) != 0)
		fail_msg("%s", err.message);
	if (on_pg())
		tx = tx_begin(fx);
	else
		assert_int_equal(sqlite3_exec(fx->s->db, "BEGIN", NULL, NULL,
		    NULL), SQLITE_OK);
	assert_int_equal(audit_head(fx->s, &id, h, &err), 0);
	assert_int_equal(id, 2);
	assert_int_equal(audit_append(s2, &e, &err), 0);
	if (on_pg()) {
		append(fx, &e);
		tx_end(fx, tx, 1);
		assert_int_equal(verify(fx, &n), 0);
		assert_int_equal(n, 4);
	} else {
		assert_int_equal(audit_append(fx->s, &e, &err), -1);
		assert_string_equal(err.code, "busy");
		assert_int_equal(sqlite3_exec(fx->s->db, "ROLLBACK", NULL,
		    NULL, NULL), SQLITE_OK);
	}
	store_close(s2);
	append(fx, &e);
	assert_int_equal(entries(fx), on_pg() ? 5 : 4);
}

static void
test_alloc_failures(void **state)
{
	struct fx *fx = *state;
	struct audit_entry e = entry(NULL, "wang", "person.read", "person",
	    P1, "ok");
	struct audit_query q = { .target_type = "person", .target = P1,
	    .action_prefix = "person." };
	struct lf_error err;
	long n;
	int rc;

	/* a fresh connection: the first hash may need crypto contexts */
	for (n = 0; ; n++) {
		mem_fail_after(n);
		rc = audit_append(fx->s, &e, &err);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		/* PostgreSQL: the kept statements' text is allocated too */
		if (strcmp(err.code, "crypto") != 0 && !(on_pg() &&
		    strcmp(err.code, "no_memory") == 0))
			fail_msg("%ld: %s", n, err.message);
		assert_int_equal(entries(fx), 0);
	}
	assert_int_equal(entries(fx), 1);
	for (n = 0; ; n++) {
		struct ids ids = { .n = 0 };

		mem_fail_after(n);
		rc = audit_query(fx->s, &q, collect, &ids, &err);
		mem_fail_after(-1);
		if (rc == 0) {
			assert_int_equal(ids.n, 1);
			break;
		}
		assert_string_equal(err.code, "no_memory");
		assert_int_equal(ids.n, 0);
	}
	assert_true(n > 0);
}

static void
test_clean(void **state)
{
	static const struct {
		const char	*in;
		size_t		 outlen;
		const char	*want;
		int		 changed;
	} cases[] = {
		{ "wang", 129, "wang", 0 },
		{ NULL, 129, "", 0 },
		{ "", 1, "", 0 },
		{ "x", 1, "", 1 },
		{ "a\nb", 129, "a?b", 1 },
		{ "a\x7f", 129, "a?", 1 },
		{ "\xff\xfe", 129, "??", 1 },
		{ "\xe5\xbc", 129, "??", 1 },
		{ "\xc0\x80", 129, "??", 1 },
		{ "\xed\xa0\x80", 129, "???", 1 },
		{ "510104198506150012", 129, "******************", 1 },
		{ "id=51010419850615001X!", 129, "id=*****************X!", 1 },
		{ "tel 13500002077", 129, "tel 13500002077", 0 },
		{ "12345678901234", 129, "12345678901234", 0 },
		{ "123456789012345", 129, "***************", 1 },
		{ "123456789012345", 4, "***", 1 },
		{ "1234567890", 4, "123", 1 },
		{ "abcdef", 4, "abc", 1 },
		{ "abc", 4, "abc", 0 },
		{ "张三", 5, "张", 1 },
		{ "张三", 7, "张三", 0 },
		{ "a\n", 2, "a", 1 },
		{ "a\n", 3, "a?", 1 },
	};
	struct fx *fx = *state;
	struct audit_entry e = entry(NULL, "-", "session.login", "user", "",
	    "denied");
	char out[AUDIT_DETAIL_MAX + 1], big[600];
	struct lf_error err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(audit_clean(cases[i].in, out,
		    cases[i].outlen), cases[i].changed);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: \"%s\"", i, out);
		/* whatever comes out is accepted */
		e.target = out;
		e.detail = out;
		if (audit_append(fx->s, &e, &err) != 0)
			fail_msg("case %zu: %s", i, err.message);
	}
	/* caps: long input cut to fit, never refused */
	for (i = 0; i < sizeof(big) - 1; i++)
		big[i] = "ab\x01" "9"[i % 4];
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(audit_clean(big, out, AUDIT_DETAIL_MAX + 1), 1);
	assert_int_equal(strlen(out), AUDIT_DETAIL_MAX);
	e.target = "";
	e.detail = out;
	assert_int_equal(audit_append(fx->s, &e, &err), 0);
	/* no room at all: nothing written */
	assert_int_equal(audit_clean("x", out, 0), 1);
	assert_int_equal(audit_clean(NULL, out, 0), 0);
	assert_int_equal(out[0], 'a');
}

/* PostgreSQL: the registry is left with its triggers and three good
 * entries, their anchor written beside the key file, for the command
 * line's checks in tests/pg/run.sh (audit verify, the app role's
 * rights, tampering as the owner role). */
static int
group_teardown(void **state)
{
	struct lf_error err;
	struct fx *fx;

	(void)state;
	if (on_pg()) {
		fx = fx_new(0);
		append_n(fx, 3);
		if (audit_anchor_write(fx->s, &err) != 0)
			fail_msg("%s", err.message);
		store_close(fx->s);
		tu_rmdir(fx->dir);
		free(fx);
	}
	tu_env_free();
	return 0;
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_idempotent),
		cmocka_unit_test_setup_teardown(test_init_rolled_back,
		    setup_bare, teardown),
		T(test_query),
		T(test_person_fill),
		T(test_person_upgrade),
		T(test_row_and_head),
		T(test_query_stop_and_paging),
		T(test_query_invalid),
		T(test_fields),
		T(test_user_target_digits),
		T(test_format),
		T(test_verify_intact),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_check_with_anchor),
		T(test_anchor_in_place),
		T(test_anchor_file),
		T(test_triggers),
		T(test_threads),
		T(test_transactions),
		T(test_corrupt_head),
		T(test_busy),
		T(test_stale_snapshot),
		T(test_alloc_failures),
		T(test_clean),
	};

	if (on_pg())
		printf("test_audit: on PostgreSQL\n");
	return cmocka_run_group_tests_name("audit", tests, NULL,
	    group_teardown);
}

/*
 * selfcode_rows.c - the rows of the self-service tables
 * (selfcode_rows.h), written once in store/dbq.h's dialect. The tables
 * are made by feedback_init() (feedback_rows.c) on SQLite and by the
 * registry's schema on PostgreSQL (pg/pg_feedback.c, format 7), whose
 * code and session rows also carry their person's city and county: the
 * one statement names those two columns first there (KEYS below), taken
 * from the person or the code the row belongs to. A lone write runs as
 * SQLite's autocommit statement, as it always did (dbq_no_turn()): the
 * callers group them with store_tx_join().
 *
 * On PostgreSQL a redemption and a session check run before any scope
 * is known: the code's or the session token's keyed hash is handed to
 * row-level security as the principal (dbq_auth(), liangfu.token), which
 * shows that code or session only; selfcode_rows_scope() then scopes the
 * store to the code's county, so that the person is read as a worker of
 * the county would read them.
 */
#include "store/selfcode_rows.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/dbq.h"
#include "store/plan_int.h"

#define CODE_COLS "id, person_id, issued_by, issued_at, expires_at, " \
	"revoked_at, revoked_by, locked_at, failures, uses, last_used_at"

/* PostgreSQL's key columns of a code or session row, and their values
 * from the row of alias a (persons p, self_codes c); none on SQLite. */
#define KEYS(s)		(dbq_is_pg(s) ? "city, county, " : "")
#define KEYS_OF(s, a)	(dbq_is_pg(s) ? a ".city, " a ".county, " : "")

/* Prepares sql with the arguments after fmt bound (dbq_bind()'s
 * letters). 0 or -1; the caller ends q either way. */
static int
query(struct store *s, struct dbq *q, struct lf_error *err, const char *sql,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (dbq_prep(s, q, sql, "selfcode", err) != 0)
		return -1;
	dbq_no_turn(q);
	va_start(ap, fmt);
	rc = dbq_vbind(q, err, fmt, ap);
	va_end(ap);
	return rc;
}

/* Runs q to its end and ends it: 0 or -1 (a constraint is an error
 * here: no verb expects one). */
static int
done(struct dbq *q, struct lf_error *err)
{
	int rc = dbq_exec(q, err);

	if (rc == 2)
		rc = lf_error_set(err, "store", "", "数据库错误 (database "
		    "error in %s): a constraint refused the write", q->what);
	dbq_end(q);
	return rc;
}

/* A write without rows: 0 or -1. */
static int
run(struct store *s, struct lf_error *err, const char *sql, const char *fmt,
    ...)
{
	struct dbq q;
	va_list ap;
	int rc;

	if (dbq_prep(s, &q, sql, "selfcode", err) != 0) {
		dbq_end(&q);
		return -1;
	}
	dbq_no_turn(&q);
	va_start(ap, fmt);
	rc = dbq_vbind(&q, err, fmt, ap);
	va_end(ap);
	if (rc != 0) {
		dbq_end(&q);
		return -1;
	}
	return done(&q, err);
}

/* An INSERT ... RETURNING id run to its end: *id, 0 or -1. Ends q. */
static int
insert_id(struct dbq *q, int64_t *id, struct lf_error *err)
{
	int rc = dbq_step(q, err);

	if (rc == 1) {
		*id = dbq_int64(q, 0);
		return done(q, err);
	}
	if (rc == 0)
		rc = lf_error_set(err, "store", "", "数据库错误 (database "
		    "error in %s): no id returned", q->what);
	else if (rc == 2)
		return done(q, err);
	dbq_end(q);
	return -1;
}

/* Steps q once and ends it: fill(q, out) and 0 when it gives a row, 1
 * when none, -1 when the step fails. */
static int
one_row(struct dbq *q, void (*fill)(struct dbq *, void *), void *out,
    struct lf_error *err)
{
	int rc = dbq_step(q, err);

	if (rc == 1) {
		fill(q, out);
		rc = 0;
	} else if (rc == 0)
		rc = 1;
	else
		rc = -1;
	dbq_end(q);
	return rc;
}

static void
code_from_row(struct dbq *q, struct selfcode *c)
{
	memset(c, 0, sizeof(*c));
	c->id = dbq_int64(q, 0);
	c->person_id = dbq_int64(q, 1);
	dbq_copy(q, 2, c->issued_by, sizeof(c->issued_by));
	c->issued_at = dbq_int64(q, 3);
	c->expires_at = dbq_int64(q, 4);
	c->revoked_at = dbq_int64(q, 5);
	dbq_copy(q, 6, c->revoked_by, sizeof(c->revoked_by));
	c->locked_at = dbq_int64(q, 7);
	c->failures = dbq_int(q, 8);
	c->uses = dbq_int(q, 9);
	c->last_used_at = dbq_int64(q, 10);
}

static int
code_hash(struct store *s, const char *code, unsigned char h[CRYPTO_HASH_LEN],
    struct lf_error *err)
{
	if (crypto_lookup_hash(s->keys, "self_code", code, strlen(code),
	    h) != 0)
		return lf_error_set(err, "crypto", "", "无法计算散列 (hash "
		    "failed)");
	return 0;
}

static void
fill_code(struct dbq *q, void *out)
{
	code_from_row(q, out);
}

int
selfcode_get(struct store *s, int64_t id, struct selfcode *out,
    struct lf_error *err)
{
	struct dbq q;

	if (query(s, &q, err, "SELECT " CODE_COLS " FROM self_codes WHERE id "
	    "= ?", "i", id) != 0) {
		dbq_end(&q);
		return -1;
	}
	return one_row(&q, fill_code, out, err);
}

int
selfcode_list(struct store *s, int64_t person_id, selfcode_fn fn, void *arg,
    struct lf_error *err)
{
	struct selfcode c;
	struct dbq q;
	int rc;

	if (query(s, &q, err, "SELECT " CODE_COLS " FROM self_codes WHERE "
	    "person_id = ? ORDER BY id DESC", "i", person_id) != 0) {
		dbq_end(&q);
		return -1;
	}
	while ((rc = dbq_step(&q, err)) == 1) {
		code_from_row(&q, &c);
		if ((rc = fn(arg, &c)) != 0)
			break;
	}
	dbq_end(&q);
	return rc;
}

int
selfcode_rows_by_code(struct store *s, const char *code,
    struct selfcode *out, struct lf_error *err)
{
	unsigned char h[CRYPTO_HASH_LEN];
	struct dbq q;

	if (code_hash(s, code, h, err) != 0)
		return -1;
	/* PostgreSQL: row-level security shows this code (no scope yet) */
	dbq_auth(s, NULL, 0, h);
	if (dbq_auth_now(s, err) != 0)
		return -1;
	if (query(s, &q, err, "SELECT " CODE_COLS " FROM self_codes WHERE "
	    "code_hash = ?", "h", h) != 0) {
		dbq_end(&q);
		return -1;
	}
	return one_row(&q, fill_code, out, err);
}

int
selfcode_rows_insert(struct store *s, int64_t person_id, const char *code,
    const char *actor, int64_t now, int64_t expires_at, int64_t *id,
    struct lf_error *err)
{
	unsigned char h[CRYPTO_HASH_LEN];
	struct dbq q;
	char sql[256];

	if (code_hash(s, code, h, err) != 0)
		return -1;
	snprintf(sql, sizeof(sql), "INSERT INTO self_codes (%sperson_id, "
	    "code_hash, issued_by, issued_at, expires_at) SELECT %sp.id, ?, "
	    "?, ?, ? FROM persons p WHERE p.id = ? RETURNING id", KEYS(s),
	    KEYS_OF(s, "p"));
	if (query(s, &q, err, sql, "htiii", h, actor, now, expires_at,
	    person_id) != 0) {
		dbq_end(&q);
		return -1;
	}
	return insert_id(&q, id, err);
}

int
selfcode_rows_revoke(struct store *s, int64_t id, const char *actor,
    int64_t now, struct lf_error *err)
{
	return run(s, err, "UPDATE self_codes SET revoked_at = ?, revoked_by "
	    "= ? WHERE id = ?", "iti", now, actor, id);
}

int
selfcode_rows_failures(struct store *s, int64_t id, int failures,
    int64_t locked_at, struct lf_error *err)
{
	return run(s, err, "UPDATE self_codes SET failures = ?, locked_at = ? "
	    "WHERE id = ?", "iii", (int64_t)failures, locked_at, id);
}

int
selfcode_rows_used(struct store *s, int64_t id, int64_t now,
    struct lf_error *err)
{
	return run(s, err, "UPDATE self_codes SET uses = uses + 1, "
	    "last_used_at = ? WHERE id = ?", "ii", now, id);
}

int
selfcode_rows_end_sessions(struct store *s, int64_t code_id,
    struct lf_error *err)
{
	return run(s, err, "UPDATE self_sessions SET ended = 1 WHERE code_id "
	    "= ?", "i", code_id);
}

/* ---- client addresses ---------------------------------------------- */

static void
fill_client(struct dbq *q, void *out)
{
	struct self_throttle *t = out;

	t->window_start = dbq_int64(q, 0);
	t->failures = dbq_int(q, 1);
}

int
selfcode_rows_client(struct store *s, const char *client,
    struct self_throttle *out, struct lf_error *err)
{
	struct dbq q;

	memset(out, 0, sizeof(*out));
	if (query(s, &q, err, "SELECT window_start, failures FROM "
	    "self_throttle WHERE client = ?", "t", client) != 0) {
		dbq_end(&q);
		return -1;
	}
	return one_row(&q, fill_client, out, err);
}

int
selfcode_rows_client_set(struct store *s, const char *client,
    const struct self_throttle *t, struct lf_error *err)
{
	return run(s, err, "INSERT INTO self_throttle (client, window_start, "
	    "failures) VALUES (?, ?, ?) ON CONFLICT (client) DO UPDATE SET "
	    "window_start = excluded.window_start, failures = "
	    "excluded.failures", "tii", client, t->window_start,
	    (int64_t)t->failures);
}

/* ---- sessions ------------------------------------------------------ */

static int
token_hash(struct store *s, const char *token,
    unsigned char h[CRYPTO_HASH_LEN], struct lf_error *err)
{
	if (crypto_lookup_hash(s->keys, "self_session", token, SELF_TOKEN_HEX,
	    h) != 0)
		return lf_error_set(err, "crypto", "", "散列失败");
	return 0;
}

int
selfcode_rows_session_add(struct store *s, struct self_session *ss,
    int64_t now, struct lf_error *err)
{
	unsigned char h[CRYPTO_HASH_LEN];
	struct dbq q;
	char sql[256];

	if (token_hash(s, ss->token, h, err) != 0)
		return -1;
	snprintf(sql, sizeof(sql), "INSERT INTO self_sessions (%stoken_hash, "
	    "code_id, person_id, csrf, created_at, expires_at) SELECT %s?, "
	    "c.id, ?, ?, ?, ? FROM self_codes c WHERE c.id = ? RETURNING id",
	    KEYS(s), KEYS_OF(s, "c"));
	if (query(s, &q, err, sql, "hitiii", h, ss->person_id, ss->csrf, now,
	    ss->expires_at, ss->code_id) != 0) {
		dbq_end(&q);
		return -1;
	}
	return insert_id(&q, &ss->id, err);
}

/* The session and the state columns; arg: struct session_read. */
struct session_read {
	struct self_session		*out;
	struct self_session_state	*st;
};

static void
fill_session(struct dbq *q, void *arg)
{
	struct session_read *r = arg;
	struct self_session *out = r->out;

	out->id = dbq_int64(q, 0);
	out->code_id = dbq_int64(q, 1);
	out->person_id = dbq_int64(q, 2);
	dbq_copy(q, 3, out->csrf, sizeof(out->csrf));
	out->expires_at = dbq_int64(q, 4);
	r->st->ended = dbq_int(q, 5);
	r->st->code_revoked_at = dbq_int64(q, 6);
	r->st->code_expires_at = dbq_int64(q, 7);
}

int
selfcode_rows_session(struct store *s, const char *token,
    struct self_session *out, struct self_session_state *state,
    struct lf_error *err)
{
	struct session_read r = { out, state };
	unsigned char h[CRYPTO_HASH_LEN];
	struct dbq q;

	memset(out, 0, sizeof(*out));
	memset(state, 0, sizeof(*state));
	if (token_hash(s, token, h, err) != 0)
		return -1;
	/* PostgreSQL: row-level security shows this session and its code */
	dbq_auth(s, NULL, 0, h);
	if (dbq_auth_now(s, err) != 0)
		return -1;
	if (query(s, &q, err, "SELECT ss.id, ss.code_id, ss.person_id, "
	    "ss.csrf, ss.expires_at, ss.ended, c.revoked_at, c.expires_at "
	    "FROM self_sessions ss JOIN self_codes c ON c.id = ss.code_id "
	    "WHERE ss.token_hash = ?", "h", h) != 0) {
		dbq_end(&q);
		return -1;
	}
	return one_row(&q, fill_session, &r, err);
}

int
selfcode_rows_session_end(struct store *s, const char *token,
    struct lf_error *err)
{
	unsigned char h[CRYPTO_HASH_LEN];

	/* not inside a held read snapshot (dbq ends one before a write),
	 * and seen by every later request of the server at once (store.h,
	 * "Held read snapshots") */
	if (token_hash(s, token, h, err) != 0)
		return -1;
	dbq_auth(s, NULL, 0, h);
	if (dbq_auth_now(s, err) != 0 || run(s, err, "UPDATE self_sessions "
	    "SET ended = 1 WHERE token_hash = ?", "h", h) != 0)
		return -1;
	store_hold_bump();
	return 0;
}

/* ---- PostgreSQL's scope -------------------------------------------- */

static void
fill_county(struct dbq *q, void *out)
{
	dbq_copy(q, 0, out, 7);
}

int
selfcode_rows_scope(struct store *s, int64_t code_id, struct lf_error *err)
{
	char county[7] = "";
	struct dbq q;
	int rc;

	if (!dbq_is_pg(s))
		return 0;
	if (query(s, &q, err, "SELECT county FROM self_codes WHERE id = ?",
	    "i", code_id) != 0) {
		dbq_end(&q);
		return -1;
	}
	if ((rc = one_row(&q, fill_county, county, err)) != 0)
		return rc;
	if (strlen(county) != 6)
		return lf_error_set(err, "store", "", "数据库错误 (database "
		    "error in selfcode): the code has no county");
	if (store_set_scope(s, county, err) != 0 || dbq_auth_now(s, err) != 0)
		return -1;
	return 0;
}

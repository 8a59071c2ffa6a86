/*
 * selfcode_rows.c - the rows of the self-service tables
 * (selfcode_rows.h). The tables are made by feedback_init()
 * (feedback_rows.c).
 */
#include "store/selfcode_rows.h"

#include <string.h>

#include "store/plan_int.h"

#define CODE_COLS "id, person_id, issued_by, issued_at, expires_at, " \
	"revoked_at, revoked_by, locked_at, failures, uses, last_used_at"

static int
prep(struct store *s, const char *sql, sqlite3_stmt **st,
    struct lf_error *err)
{
	return store_stmt(s, sql, "selfcode", st, err);
}

/* Steps a statement that returns no row and finalizes it. */
static int
done(struct store *s, sqlite3_stmt *st, struct lf_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "selfcode", err);
}

static void
code_from_row(sqlite3_stmt *st, struct selfcode *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	c->person_id = sqlite3_column_int64(st, 1);
	store_copy_col(st, 2, c->issued_by, sizeof(c->issued_by));
	c->issued_at = sqlite3_column_int64(st, 3);
	c->expires_at = sqlite3_column_int64(st, 4);
	c->revoked_at = sqlite3_column_int64(st, 5);
	store_copy_col(st, 6, c->revoked_by, sizeof(c->revoked_by));
	c->locked_at = sqlite3_column_int64(st, 7);
	c->failures = sqlite3_column_int(st, 8);
	c->uses = sqlite3_column_int(st, 9);
	c->last_used_at = sqlite3_column_int64(st, 10);
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

/* Steps the prepared statement st once, then finalizes it: fill(st,
 * out) and 0 when it gives a row, 1 when none, -1 when the step fails. */
static int
one_row(struct store *s, sqlite3_stmt *st, void (*fill)(sqlite3_stmt *,
    void *), void *out, struct lf_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		fill(st, out);
		rc = 0;
	} else if (rc == SQLITE_DONE)
		rc = 1;
	else
		rc = store_sqlite_error(s, "selfcode", err);
	sqlite3_finalize(st);
	return rc;
}

static void
fill_code(sqlite3_stmt *st, void *out)
{
	code_from_row(st, out);
}

/* One code row by a statement with one bound parameter already set. */
static int
code_one(struct store *s, sqlite3_stmt *st, struct selfcode *out,
    struct lf_error *err)
{
	return one_row(s, st, fill_code, out, err);
}

int
selfcode_get(struct store *s, int64_t id, struct selfcode *out,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (prep(s, "SELECT " CODE_COLS " FROM self_codes WHERE id = ?", &st,
	    err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return code_one(s, st, out, err);
}

int
selfcode_list(struct store *s, int64_t person_id, selfcode_fn fn, void *arg,
    struct lf_error *err)
{
	struct selfcode c;
	sqlite3_stmt *st;
	int rc;

	if (prep(s, "SELECT " CODE_COLS " FROM self_codes WHERE person_id = ? "
	    "ORDER BY id DESC", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		code_from_row(st, &c);
		if ((rc = fn(arg, &c)) != 0) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "selfcode", err);
}

int
selfcode_rows_by_code(struct store *s, const char *code,
    struct selfcode *out, struct lf_error *err)
{
	unsigned char h[CRYPTO_HASH_LEN];
	sqlite3_stmt *st;

	if (code_hash(s, code, h, err) != 0 || prep(s, "SELECT " CODE_COLS
	    " FROM self_codes WHERE code_hash = ?", &st, err) != 0)
		return -1;
	sqlite3_bind_blob(st, 1, h, CRYPTO_HASH_LEN, SQLITE_TRANSIENT);
	return code_one(s, st, out, err);
}

int
selfcode_rows_insert(struct store *s, int64_t person_id, const char *code,
    const char *actor, int64_t now, int64_t expires_at, int64_t *id,
    struct lf_error *err)
{
	unsigned char h[CRYPTO_HASH_LEN];
	sqlite3_stmt *st;

	if (code_hash(s, code, h, err) != 0 || prep(s, "INSERT INTO "
	    "self_codes (person_id, code_hash, issued_by, issued_at, "
	    "expires_at) VALUES (?, ?, ?, ?, ?)", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_blob(st, 2, h, CRYPTO_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, expires_at);
	if (done(s, st, err) != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int
selfcode_rows_revoke(struct store *s, int64_t id, const char *actor,
    int64_t now, struct lf_error *err)
{
	sqlite3_stmt *st;

	if (prep(s, "UPDATE self_codes SET revoked_at = ?, revoked_by = ? "
	    "WHERE id = ?", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	return done(s, st, err);
}

int
selfcode_rows_failures(struct store *s, int64_t id, int failures,
    int64_t locked_at, struct lf_error *err)
{
	sqlite3_stmt *st;

	if (prep(s, "UPDATE self_codes SET failures = ?, locked_at = ? WHERE "
	    "id = ?", &st, err) != 0)
		return -1;
	sqlite3_bind_int(st, 1, failures);
	sqlite3_bind_int64(st, 2, locked_at);
	sqlite3_bind_int64(st, 3, id);
	return done(s, st, err);
}

int
selfcode_rows_used(struct store *s, int64_t id, int64_t now,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (prep(s, "UPDATE self_codes SET uses = uses + 1, last_used_at = ? "
	    "WHERE id = ?", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	return done(s, st, err);
}

int
selfcode_rows_end_sessions(struct store *s, int64_t code_id,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (prep(s, "UPDATE self_sessions SET ended = 1 WHERE code_id = ?",
	    &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, code_id);
	return done(s, st, err);
}

/* ---- client addresses ---------------------------------------------- */

static void
fill_client(sqlite3_stmt *st, void *out)
{
	struct self_throttle *t = out;

	t->window_start = sqlite3_column_int64(st, 0);
	t->failures = sqlite3_column_int(st, 1);
}

int
selfcode_rows_client(struct store *s, const char *client,
    struct self_throttle *out, struct lf_error *err)
{
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	if (prep(s, "SELECT window_start, failures FROM self_throttle WHERE "
	    "client = ?", &st, err) != 0)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	return one_row(s, st, fill_client, out, err);
}

int
selfcode_rows_client_set(struct store *s, const char *client,
    const struct self_throttle *t, struct lf_error *err)
{
	sqlite3_stmt *st;

	if (prep(s, "INSERT INTO self_throttle (client, window_start, "
	    "failures) VALUES (?1, ?2, ?3) ON CONFLICT (client) DO UPDATE SET "
	    "window_start = ?2, failures = ?3", &st, err) != 0)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, t->window_start);
	sqlite3_bind_int(st, 3, t->failures);
	return done(s, st, err);
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
	sqlite3_stmt *st;

	if (token_hash(s, ss->token, h, err) != 0)
		return -1;
	if (prep(s, "INSERT INTO self_sessions (token_hash, code_id, "
	    "person_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, "
	    "?)", &st, err) != 0)
		return -1;
	sqlite3_bind_blob(st, 1, h, CRYPTO_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, ss->code_id);
	sqlite3_bind_int64(st, 3, ss->person_id);
	sqlite3_bind_text(st, 4, ss->csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, ss->expires_at);
	if (done(s, st, err) != 0)
		return -1;
	ss->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* The session and the state columns; arg: struct session_read. */
struct session_read {
	struct self_session		*out;
	struct self_session_state	*st;
};

static void
fill_session(sqlite3_stmt *st, void *arg)
{
	struct session_read *r = arg;
	struct self_session *out = r->out;

	out->id = sqlite3_column_int64(st, 0);
	out->code_id = sqlite3_column_int64(st, 1);
	out->person_id = sqlite3_column_int64(st, 2);
	store_copy_col(st, 3, out->csrf, sizeof(out->csrf));
	out->expires_at = sqlite3_column_int64(st, 4);
	r->st->ended = sqlite3_column_int(st, 5);
	r->st->code_revoked_at = sqlite3_column_int64(st, 6);
	r->st->code_expires_at = sqlite3_column_int64(st, 7);
}

int
selfcode_rows_session(struct store *s, const char *token,
    struct self_session *out, struct self_session_state *state,
    struct lf_error *err)
{
	struct session_read r = { out, state };
	unsigned char h[CRYPTO_HASH_LEN];
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	memset(state, 0, sizeof(*state));
	if (token_hash(s, token, h, err) != 0 || prep(s, "SELECT ss.id, "
	    "ss.code_id, ss.person_id, ss.csrf, ss.expires_at, ss.ended, "
	    "c.revoked_at, c.expires_at FROM self_sessions ss JOIN self_codes "
	    "c ON c.id = ss.code_id WHERE ss.token_hash = ?", &st, err) != 0)
		return -1;
	sqlite3_bind_blob(st, 1, h, CRYPTO_HASH_LEN, SQLITE_TRANSIENT);
	return one_row(s, st, fill_session, &r, err);
}

int
selfcode_rows_session_end(struct store *s, const char *token,
    struct lf_error *err)
{
	unsigned char h[CRYPTO_HASH_LEN];
	sqlite3_stmt *st;

	/* not inside a held read snapshot, and seen by every later request
	 * of the server at once (store.h, "Held read snapshots") */
	(void)store_autocommit(s);
	if (token_hash(s, token, h, err) != 0 || prep(s, "UPDATE "
	    "self_sessions SET ended = 1 WHERE token_hash = ?", &st, err) != 0)
		return -1;
	sqlite3_bind_blob(st, 1, h, CRYPTO_HASH_LEN, SQLITE_TRANSIENT);
	if (done(s, st, err) != 0)
		return -1;
	store_hold_bump();
	return 0;
}

/*
 * selfcode.c - self-service codes, their redemption and sessions
 * (selfcode.h). Tables are made by feedback_init() (feedback.c).
 */
#include "store/selfcode.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "store/plan_int.h"

#define CODE_COLS "id, person_id, issued_by, issued_at, expires_at, " \
	"revoked_at, revoked_by, locked_at, failures, uses, last_used_at"

static int
prep(struct store *s, const char *sql, sqlite3_stmt **st,
    struct lf_error *err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return store_sqlite_error(s, "selfcode", err);
	}
	return 0;
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

static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
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

static int
issue_row(struct store *s, int64_t person_id, const char *actor, int64_t now,
    int64_t ttl, const unsigned char h[CRYPTO_HASH_LEN], struct lf_error *err)
{
	sqlite3_stmt *st;

	if (prep(s, "INSERT INTO self_codes (person_id, code_hash, issued_by, "
	    "issued_at, expires_at) VALUES (?, ?, ?, ?, ?)", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_blob(st, 2, h, CRYPTO_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now + ttl);
	return done(s, st, err);
}

int
selfcode_issue(struct store *s, int64_t person_id, const char *actor,
    int64_t now, int64_t ttl, char code[SELFCODE_LEN + 1],
    struct selfcode *out, struct lf_error *err)
{
	unsigned char rnd[SELFCODE_RANDOM_BYTES], h[CRYPTO_HASH_LEN];
	enum plan_tx tx;
	int rc;

	code[0] = '\0';
	if (ttl < 1 || ttl > SELFCODE_TTL_MAX)
		return lf_error_set(err, "invalid", "ttl", "有效期须在 1 秒到 "
		    "30 天之间 (validity must be 1 second to 30 days)");
	if (crypto_random(rnd, sizeof(rnd)) != 0)
		return lf_error_set(err, "crypto", "", "无法生成随机数 (no "
		    "random bytes)");
	selfcode_from_random(rnd, code);
	OPENSSL_cleanse(rnd, sizeof(rnd));
	if (code_hash(s, code, h, err) != 0)
		goto fail;
	if (plan_tx_begin(s, &tx, err) != 0)
		goto fail;
	rc = issue_row(s, person_id, actor, now, ttl, h, err);
	if (plan_tx_end(s, tx, rc, err) != 0)
		goto fail;
	if (selfcode_get(s, sqlite3_last_insert_rowid(s->db), out, err) != 0)
		goto fail;
	return 0;
fail:
	OPENSSL_cleanse(code, SELFCODE_LEN + 1);
	if (err->code == NULL)
		lf_error_set(err, "store", "", "无法保存 (cannot store the code)");
	return -1;
}

int
selfcode_revoke(struct store *s, int64_t id, const char *actor, int64_t now,
    struct lf_error *err)
{
	struct selfcode c;
	sqlite3_stmt *st;
	enum plan_tx tx;
	int rc;

	if ((rc = selfcode_get(s, id, &c, err)) != 0)
		return rc < 0 ? -1 : lf_error_set(err, "not_found", "",
		    "未找到 (no such code)");
	if (c.revoked_at != 0)
		return 0;
	if (plan_tx_begin(s, &tx, err) != 0)
		return -1;
	rc = prep(s, "UPDATE self_codes SET revoked_at = ?, revoked_by = ? "
	    "WHERE id = ?", &st, err);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, id);
		rc = done(s, st, err);
	}
	if (rc == 0 && (rc = prep(s, "UPDATE self_sessions SET ended = 1 "
	    "WHERE code_id = ?", &st, err)) == 0) {
		sqlite3_bind_int64(st, 1, id);
		rc = done(s, st, err);
	}
	return plan_tx_end(s, tx, rc, err);
}

/* ---- redeeming ---------------------------------------------------- */

/* 1 when the client is over its failures in the window. */
static int
throttled(struct store *s, const char *client, int64_t now, int *over,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*over = 0;
	if (prep(s, "SELECT failures FROM self_throttle WHERE client = ? AND "
	    "window_start > ?", &st, err) != 0)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now - SELF_CLIENT_WINDOW);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*over = sqlite3_column_int(st, 0) >= SELF_CLIENT_MAX_FAILURES;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    store_sqlite_error(s, "selfcode", err);
}

/* One more failure for the client (a new window when the last is over). */
static int
client_failed(struct store *s, const char *client, int64_t now,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (prep(s, "INSERT INTO self_throttle (client, window_start, "
	    "failures) VALUES (?1, ?2, 1) ON CONFLICT (client) DO UPDATE SET "
	    "failures = CASE WHEN window_start > ?2 - ?3 THEN failures + 1 "
	    "ELSE 1 END, window_start = CASE WHEN window_start > ?2 - ?3 THEN "
	    "window_start ELSE ?2 END", &st, err) != 0)
		return -1;
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, SELF_CLIENT_WINDOW);
	return done(s, st, err);
}

/* One more wrong last six for the code; locks it at the limit. */
static int
code_failed(struct store *s, const struct selfcode *c, int64_t now,
    int *locked, struct lf_error *err)
{
	sqlite3_stmt *st;

	*locked = c->failures + 1 >= SELFCODE_MAX_FAILURES;
	if (prep(s, "UPDATE self_codes SET failures = failures + 1, "
	    "locked_at = CASE WHEN failures + 1 >= ? THEN ? ELSE locked_at "
	    "END WHERE id = ?", &st, err) != 0)
		return -1;
	sqlite3_bind_int(st, 1, SELFCODE_MAX_FAILURES);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, c->id);
	return done(s, st, err);
}

static int
random_hex(char out[SELF_TOKEN_HEX + 1])
{
	unsigned char raw[SELF_TOKEN_HEX / 2];

	if (crypto_random(raw, sizeof(raw)) != 0)
		return -1;
	hex(raw, sizeof(raw), out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

static int
session_make(struct store *s, const struct selfcode *c, int64_t now,
    struct self_session *out, struct lf_error *err)
{
	unsigned char h[CRYPTO_HASH_LEN];
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	if (random_hex(out->token) != 0 || random_hex(out->csrf) != 0 ||
	    crypto_lookup_hash(s->keys, "self_session", out->token,
	    SELF_TOKEN_HEX, h) != 0)
		return lf_error_set(err, "crypto", "", "无法生成会话 (cannot "
		    "make a session)");
	out->code_id = c->id;
	out->person_id = c->person_id;
	out->expires_at = selfcode_session_end(now, c->expires_at);
	if (prep(s, "INSERT INTO self_sessions (token_hash, code_id, "
	    "person_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, "
	    "?)", &st, err) != 0)
		return -1;
	sqlite3_bind_blob(st, 1, h, CRYPTO_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, c->id);
	sqlite3_bind_int64(st, 3, c->person_id);
	sqlite3_bind_text(st, 4, out->csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, out->expires_at);
	if (done(s, st, err) != 0)
		return -1;
	out->id = sqlite3_last_insert_rowid(s->db);
	if (prep(s, "UPDATE self_codes SET uses = uses + 1, last_used_at = ? "
	    "WHERE id = ?", &st, err) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, c->id);
	return done(s, st, err);
}

/* 0 when the last six match the person's ID number (constant time). */
static int
last6_matches(struct store *s, int64_t person_id, const char *last6,
    int *ok, struct lf_error *err)
{
	struct store_person p;
	size_t n;
	int rc;

	*ok = 0;
	if ((rc = store_person_by_id(s, person_id, &p, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (store_person_open_id(s, &p, err) != 0)
		return -1;
	n = strlen(p.id_number);
	if (n >= SELF_LAST6_LEN)
		*ok = CRYPTO_memcmp(p.id_number + n - SELF_LAST6_LEN, last6,
		    SELF_LAST6_LEN) == 0;
	OPENSSL_cleanse(p.id_number, sizeof(p.id_number));
	return 0;
}

static const char bad_msg[] = "验证码或身份证号后六位不正确 (the code or "
    "the last six characters of the ID number are wrong)";

/* The checks of selfcode.h, steps 2-5, inside the transaction. 0 with
 * *refused: err holds the refusal (the counters are to be committed). */
static int
redeem_tx(struct store *s, const char *code, const char *last6,
    const char *client, int64_t now, struct self_session *out,
    int64_t *code_id, int *refused, struct lf_error *err)
{
	char c10[SELFCODE_LEN + 1], l6[SELF_LAST6_LEN + 1];
	unsigned char h[CRYPTO_HASH_LEN];
	struct selfcode c;
	struct selfcode_times t;
	sqlite3_stmt *st;
	enum selfcode_state state;
	int rc, ok, locked;

	*refused = 1;
	if (selfcode_normalize(code, c10) != 0 ||
	    selfcode_last6_normalize(last6, l6) != 0) {
		lf_error_set(err, "bad_code", "", "%s", bad_msg);
		return client_failed(s, client, now, err);
	}
	rc = code_hash(s, c10, h, err);
	OPENSSL_cleanse(c10, sizeof(c10));
	if (rc != 0 || prep(s, "SELECT " CODE_COLS " FROM self_codes WHERE "
	    "code_hash = ?", &st, err) != 0)
		return -1;
	sqlite3_bind_blob(st, 1, h, CRYPTO_HASH_LEN, SQLITE_TRANSIENT);
	if ((rc = code_one(s, st, &c, err)) < 0)
		return -1;
	if (rc == 1) {
		lf_error_set(err, "bad_code", "", "%s", bad_msg);
		return client_failed(s, client, now, err);
	}
	*code_id = c.id;
	t.issued_at = c.issued_at;
	t.expires_at = c.expires_at;
	t.revoked_at = c.revoked_at;
	t.locked_at = c.locked_at;
	if ((state = selfcode_state(&t, now)) != SELFCODE_OK) {
		lf_error_set(err, selfcode_state_name(state), "",
		    state == SELFCODE_EXPIRED ? "验证码已过期,请向工作人员重新"
		    "索取 (the code has expired; ask the worker for a new one)" :
		    state == SELFCODE_REVOKED ? "验证码已作废,请向工作人员重新"
		    "索取 (the code was revoked; ask the worker for a new one)" :
		    "验证码已锁定,请向工作人员重新索取 (the code is locked after "
		    "too many wrong entries; ask the worker for a new one)");
		return client_failed(s, client, now, err);
	}
	if (last6_matches(s, c.person_id, l6, &ok, err) != 0)
		return -1;
	OPENSSL_cleanse(l6, sizeof(l6));
	if (!ok) {
		if (code_failed(s, &c, now, &locked, err) != 0)
			return -1;
		if (locked)
			lf_error_set(err, "locked", "", "错误次数过多,验证码已"
			    "锁定,请向工作人员重新索取 (too many wrong entries: "
			    "the code is now locked; ask the worker for a new "
			    "one)");
		else
			lf_error_set(err, "bad_code", "", "%s", bad_msg);
		return client_failed(s, client, now, err);
	}
	*refused = 0;
	return session_make(s, &c, now, out, err);
}

int
selfcode_redeem(struct store *s, const char *code, const char *last6,
    const char *client, int64_t now, struct self_session *out,
    int64_t *code_id, struct lf_error *err)
{
	struct lf_error refusal;
	enum plan_tx tx;
	int over, refused = 0, rc;

	*code_id = 0;
	memset(out, 0, sizeof(*out));
	if (throttled(s, client, now, &over, err) != 0)
		return -1;
	if (over)
		return lf_error_set(err, "throttled", "", "尝试次数过多,请 15 "
		    "分钟后再试 (too many attempts from this address; try "
		    "again in 15 minutes)");
	lf_error_clear(&refusal);
	if (plan_tx_begin(s, &tx, err) != 0)
		return -1;
	rc = redeem_tx(s, code, last6, client, now, out, code_id, &refused,
	    &refusal);
	if (rc != 0)
		*err = refusal;
	if (plan_tx_end(s, tx, rc, err) != 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	if (refused) {
		*err = refusal;
		return -1;
	}
	return 0;
}

/* ---- sessions ------------------------------------------------------ */

static int
token_hash(struct store *s, const char *token, unsigned char h[CRYPTO_HASH_LEN])
{
	if (token == NULL || strlen(token) != SELF_TOKEN_HEX ||
	    strspn(token, "0123456789abcdef") != SELF_TOKEN_HEX)
		return 1;
	return crypto_lookup_hash(s->keys, "self_session", token,
	    SELF_TOKEN_HEX, h) != 0 ? -1 : 0;
}

static void
fill_session(sqlite3_stmt *st, void *arg)
{
	struct self_session *out = arg;

	out->id = sqlite3_column_int64(st, 0);
	out->code_id = sqlite3_column_int64(st, 1);
	out->person_id = sqlite3_column_int64(st, 2);
	store_copy_col(st, 3, out->csrf, sizeof(out->csrf));
	out->expires_at = sqlite3_column_int64(st, 4);
}

int
self_session_check(struct store *s, const char *token, int64_t now,
    struct self_session *out, struct lf_error *err)
{
	unsigned char h[CRYPTO_HASH_LEN];
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = token_hash(s, token, h)) != 0)
		return rc < 0 ? lf_error_set(err, "crypto", "", "散列失败") : 1;
	if (prep(s, "SELECT ss.id, ss.code_id, ss.person_id, ss.csrf, "
	    "ss.expires_at FROM self_sessions ss JOIN self_codes c ON c.id = "
	    "ss.code_id WHERE ss.token_hash = ? AND ss.ended = 0 AND "
	    "ss.expires_at > ?2 AND c.revoked_at = 0 AND c.expires_at > ?2",
	    &st, err) != 0)
		return -1;
	sqlite3_bind_blob(st, 1, h, CRYPTO_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	return one_row(s, st, fill_session, out, err);
}

int
self_session_end(struct store *s, const char *token, struct lf_error *err)
{
	unsigned char h[CRYPTO_HASH_LEN];
	sqlite3_stmt *st;
	int rc;

	if ((rc = token_hash(s, token, h)) != 0)
		return rc < 0 ? lf_error_set(err, "crypto", "", "散列失败") : 0;
	if (prep(s, "UPDATE self_sessions SET ended = 1 WHERE token_hash = ?",
	    &st, err) != 0)
		return -1;
	sqlite3_bind_blob(st, 1, h, CRYPTO_HASH_LEN, SQLITE_TRANSIENT);
	return done(s, st, err);
}

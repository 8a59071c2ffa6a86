/*
 * users_rows.c - the rows of the users and sessions tables
 * (users_rows.h) over the store's SQLite connection.
 *
 * Statements are prepared per call: logins are rare. The session read and
 * touch, made on every request, keep their statements prepared on the
 * connection (store_int.h's ST_USERS_*). Each write is a single
 * statement; users_rows_tx_begin() groups several in a savepoint.
 */
#include "store/users_rows.h"

#include <stdarg.h>
#include <string.h>

#include "store/store_int.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS users ("
	" id INTEGER PRIMARY KEY,"
	" login TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL,"
	" region TEXT NOT NULL,"
	" department TEXT,"
	" pw_hash TEXT NOT NULL,"
	" disabled INTEGER NOT NULL DEFAULT 0,"
	" failed_count INTEGER NOT NULL DEFAULT 0,"
	" locked_until INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" pw_changed_at INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS users_region ON users(region);"
	"CREATE TABLE IF NOT EXISTS sessions ("
	" id INTEGER PRIMARY KEY,"
	" token_hash BLOB NOT NULL UNIQUE,"
	" user_id INTEGER NOT NULL REFERENCES users(id),"
	" csrf TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" revoked INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);";

/* The columns user_from_row() reads, from column 0 on. */
#define USER_COLS "u.id, u.login, u.role, u.region, u.department, " \
	"u.disabled, u.failed_count, u.locked_until, u.created_at, " \
	"u.updated_at, u.pw_changed_at"
#define USER_NCOLS	11

/* ---- statements ---------------------------------------------------- */

/*
 * Binds the arguments after fmt, one letter each: 't' a string (NULL
 * binds NULL), 'i' an int64_t, 'h' CRYPTO_HASH_LEN bytes. The values
 * must live until the statement is finalized.
 */
static int
bind_args(sqlite3_stmt *st, const char *fmt, va_list ap)
{
	const unsigned char *h;
	const char *t;
	int i, rc = SQLITE_OK;

	for (i = 0; fmt[i] != '\0' && rc == SQLITE_OK; i++) {
		if (fmt[i] == 't') {
			t = va_arg(ap, const char *);
			rc = sqlite3_bind_text(st, i + 1, t, -1, SQLITE_STATIC);
		} else if (fmt[i] == 'i')
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		else {
			h = va_arg(ap, const unsigned char *);
			rc = sqlite3_bind_blob(st, i + 1, h, CRYPTO_HASH_LEN,
			    SQLITE_STATIC);
		}
	}
	return rc;
}

/* Prepares sql with the arguments bound (see bind_args). 0 or -1; the
 * caller finalizes *st. */
static int
query(struct store *s, sqlite3_stmt **st, struct lf_error *err,
    const char *sql, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return store_sqlite_error(s, "users", err);
	}
	va_start(ap, fmt);
	rc = bind_args(*st, fmt, ap);
	va_end(ap);
	if (rc != SQLITE_OK) {
		store_sqlite_error(s, "users", err);
		sqlite3_finalize(*st);
		*st = NULL;
		return -1;
	}
	return 0;
}

/*
 * Runs a statement that returns no row. *changes (may be NULL) gets the
 * rows changed. 0, 1 when a constraint refused it, -1 on other errors.
 */
static int
run(struct store *s, int *changes, struct lf_error *err, const char *sql,
    const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc, own;

	/* alone, a write takes its turn among the server's writers */
	if ((own = store_autocommit(s)) != 0 &&
	    store_tx_immediate(s, "users", err) != 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = store_sqlite_error(s, "users", err);
		goto out;
	}
	va_start(ap, fmt);
	rc = bind_args(st, fmt, ap);
	va_end(ap);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		if (changes != NULL)
			*changes = sqlite3_changes(s->db);
		rc = 0;
	} else if ((rc & 0xff) == SQLITE_CONSTRAINT)
		rc = 1;
	else
		rc = store_sqlite_error(s, "users", err);
	sqlite3_finalize(st);
out:
	if (own && store_tx_finish(s, rc == 0, err) != 0 && rc == 0)
		rc = -1;
	return rc;
}

int
users_rows_tx_begin(struct store *s, int *tx, struct lf_error *err)
{
	return store_tx_join(s, tx, err);
}

int
users_rows_tx_end(struct store *s, int tx, int rc, struct lf_error *err)
{
	int end = store_tx_leave(s, tx, rc, err);

	return rc != 0 ? rc : end;
}

static int
user_from_row(sqlite3_stmt *st, int col, struct user *u,
    struct lf_error *err)
{
	const struct users_role *r;

	memset(u, 0, sizeof(*u));
	r = users_role_find((const char *)sqlite3_column_text(st, col + 2));
	if (r == NULL)
		return lf_error_set(err, "corrupt", "role", "用户记录损坏 "
		    "(a user row has an unknown role)");
	u->id = sqlite3_column_int64(st, col);
	store_copy_col(st, col + 1, u->login, sizeof(u->login));
	u->role = r->role;
	store_copy_col(st, col + 3, u->region, sizeof(u->region));
	store_copy_col(st, col + 4, u->department, sizeof(u->department));
	u->disabled = sqlite3_column_int(st, col + 5);
	u->failed_count = sqlite3_column_int(st, col + 6);
	u->locked_until = sqlite3_column_int64(st, col + 7);
	u->created_at = sqlite3_column_int64(st, col + 8);
	u->updated_at = sqlite3_column_int64(st, col + 9);
	u->pw_changed_at = sqlite3_column_int64(st, col + 10);
	return 0;
}

/* Steps a query for one user row; hash (may be NULL) gets the column
 * after the user's. 0 found, 1 not, -1 error. Finalizes st. */
static int
fetch_user(struct store *s, sqlite3_stmt *st, struct user *u,
    char hash[PASSWORD_HASH_MAX], struct lf_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		rc = 1;
	else if (rc != SQLITE_ROW)
		rc = store_sqlite_error(s, "users", err);
	else {
		rc = user_from_row(st, 0, u, err);
		if (rc == 0 && hash != NULL)
			store_copy_col(st, USER_NCOLS, hash, PASSWORD_HASH_MAX);
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- accounts ------------------------------------------------------ */

int
users_init(struct store *s, struct lf_error *err)
{
	if (sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "users_init", err);
	return 0;
}

int
users_get(struct store *s, const char *login, struct user *out,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (login == NULL)
		return 1;
	if (query(s, &st, err, "SELECT " USER_COLS " FROM users u WHERE "
	    "u.login = ?", "t", login) != 0)
		return -1;
	return fetch_user(s, st, out, NULL, err);
}

int
users_get_id(struct store *s, int64_t id, struct user *out,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (query(s, &st, err, "SELECT " USER_COLS " FROM users u WHERE "
	    "u.id = ?", "i", id) != 0)
		return -1;
	return fetch_user(s, st, out, NULL, err);
}

int
users_list(struct store *s, const char *region_prefix, users_list_fn fn,
    void *arg, struct lf_error *err)
{
	sqlite3_stmt *st;
	struct user u;
	int rc;

	if (region_prefix != NULL && region_prefix[0] == '\0')
		region_prefix = NULL;
	if (query(s, &st, err, "SELECT " USER_COLS " FROM users u WHERE "
	    "?1 IS NULL OR substr(u.region, 1, length(?1)) = ?1 ORDER BY "
	    "u.login", "t", region_prefix) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (user_from_row(st, 0, &u, err) != 0) {
			rc = -1;
			goto out;
		}
		rc = fn(arg, &u);
		if (rc != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "users", err);
out:
	sqlite3_finalize(st);
	return rc;
}


int
users_rows_secret(struct store *s, const char *login, struct user *out,
    char hash[PASSWORD_HASH_MAX], struct lf_error *err)
{
	sqlite3_stmt *st;

	if (query(s, &st, err, "SELECT " USER_COLS ", u.pw_hash FROM users u "
	    "WHERE u.login = ?", "t", login) != 0)
		return -1;
	return fetch_user(s, st, out, hash, err);
}

int
users_rows_insert(struct store *s, const struct user_row_new *u,
    struct lf_error *err)
{
	return run(s, NULL, err, "INSERT INTO users(login, role, region, "
	    "department, pw_hash, created_at, updated_at, pw_changed_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "tttttiii", u->login, u->role,
	    u->region, u->department, u->pw_hash, u->now, u->now, u->now);
}

/* run()'s result for an UPDATE of one row: 1 when none changed. */
static int
one_changed(int rc, int changes)
{
	return rc == 0 && changes == 0 ? 1 : rc;
}

int
users_rows_disable(struct store *s, const char *login, int64_t now,
    struct lf_error *err)
{
	int changes = 0, rc;

	rc = run(s, &changes, err, "UPDATE users SET disabled = 1, "
	    "updated_at = ? WHERE login = ?", "it", now, login);
	return one_changed(rc, changes);
}

int
users_rows_set_password(struct store *s, const char *login,
    const char *pw_hash, int64_t now, struct lf_error *err)
{
	int changes = 0, rc;

	rc = run(s, &changes, err, "UPDATE users SET pw_hash = ?, "
	    "pw_changed_at = ?, updated_at = ? WHERE login = ?", "tiit",
	    pw_hash, now, now, login);
	return one_changed(rc, changes);
}

int
users_rows_set_failures(struct store *s, int64_t id, int count,
    int64_t locked_until, struct lf_error *err)
{
	return run(s, NULL, err, "UPDATE users SET failed_count = ?, "
	    "locked_until = ? WHERE id = ?", "iii", (int64_t)count,
	    locked_until, id);
}

int
users_rows_swap_failures(struct store *s, const struct user *seen,
    int count, int64_t locked_until, struct lf_error *err)
{
	int changes = 0, rc;

	rc = run(s, &changes, err, "UPDATE users SET failed_count = ?, "
	    "locked_until = ? WHERE id = ? AND failed_count = ? AND "
	    "locked_until = ?", "iiiii", (int64_t)count, locked_until,
	    seen->id, (int64_t)seen->failed_count, seen->locked_until);
	return one_changed(rc, changes);
}

/* ---- sessions ------------------------------------------------------ */

static int
token_hash(struct store *s, const char *token,
    unsigned char out[CRYPTO_HASH_LEN], struct lf_error *err)
{
	if (crypto_lookup_hash(s->keys, "session", token, USERS_TOKEN_HEX,
	    out) != 0)
		return lf_error_set(err, "crypto", "", "无法计算会话散列 "
		    "(session hashing failed)");
	return 0;
}

int
users_rows_revoke_all(struct store *s, const char *login,
    struct lf_error *err)
{
	return run(s, NULL, err, "UPDATE sessions SET revoked = 1 WHERE "
	    "revoked = 0 AND user_id = (SELECT id FROM users WHERE login = ?)",
	    "t", login);
}

int
users_rows_revoke(struct store *s, const char *token, struct lf_error *err)
{
	unsigned char th[CRYPTO_HASH_LEN];
	int changes = 0;

	if (token_hash(s, token, th, err) != 0 ||
	    run(s, &changes, err, "UPDATE sessions SET revoked = 1 WHERE "
	    "token_hash = ?", "h", th) != 0)
		return -1;
	return changes > 0 ? 0 : 1;
}

int
users_rows_prune(struct store *s, int64_t user_id, int64_t now,
    int64_t seen_before, struct lf_error *err)
{
	return run(s, NULL, err, "DELETE FROM sessions WHERE user_id = ? AND "
	    "(revoked != 0 OR expires_at <= ? OR last_seen <= ?)", "iii",
	    user_id, now, seen_before);
}

int
users_rows_session_add(struct store *s, const char *token,
    struct session_info *si, struct lf_error *err)
{
	unsigned char th[CRYPTO_HASH_LEN];
	int rc;

	if (token_hash(s, token, th, err) != 0)
		return -1;
	rc = run(s, NULL, err, "INSERT INTO sessions(token_hash, user_id, "
	    "csrf, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, "
	    "?)", "hitiii", th, si->user_id, si->csrf, si->created_at,
	    si->last_seen, si->expires_at);
	if (rc == 0)
		si->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

/* Columns: session id, user_id, csrf, created_at, last_seen,
 * expires_at, revoked, then the user's. */
static void
info_from_row(sqlite3_stmt *st, struct session_info *si)
{
	memset(si, 0, sizeof(*si));
	si->id = sqlite3_column_int64(st, 0);
	si->user_id = sqlite3_column_int64(st, 1);
	store_copy_col(st, 2, si->csrf, sizeof(si->csrf));
	si->created_at = sqlite3_column_int64(st, 3);
	si->last_seen = sqlite3_column_int64(st, 4);
	si->expires_at = sqlite3_column_int64(st, 5);
}

/* The connection's statement id, prepared on first use (kept until
 * store_close()); the caller resets it after use. NULL on error. */
static sqlite3_stmt *
kept(struct store *s, enum stmt_id id, const char *sql, struct lf_error *err)
{
	if (s->st[id] == NULL && sqlite3_prepare_v3(s->db, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &s->st[id], NULL) != SQLITE_OK) {
		s->st[id] = NULL;
		store_sqlite_error(s, "users", err);
	}
	return s->st[id];
}

int
users_rows_session(struct store *s, const char *token, struct user *u,
    struct session_info *si, int *revoked, struct lf_error *err)
{
	unsigned char th[CRYPTO_HASH_LEN];
	sqlite3_stmt *st;
	int rc;

	if (token_hash(s, token, th, err) != 0)
		return -1;
	st = kept(s, ST_USERS_SESSION, "SELECT s.id, s.user_id, s.csrf, "
	    "s.created_at, s.last_seen, s.expires_at, s.revoked, " USER_COLS
	    " FROM sessions s JOIN users u ON u.id = s.user_id WHERE "
	    "s.token_hash = ?", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, th, CRYPTO_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		info_from_row(st, si);
		*revoked = sqlite3_column_int(st, 6);
		rc = user_from_row(st, 7, u, err);
	} else
		rc = rc == SQLITE_DONE ? 1 : store_sqlite_error(s, "users",
		    err);
	sqlite3_reset(st);
	return rc;
}

int
users_rows_touch(struct store *s, int64_t id, int64_t now,
    struct lf_error *err)
{
	sqlite3_stmt *st = kept(s, ST_USERS_TOUCH, "UPDATE sessions SET "
	    "last_seen = ?1 WHERE id = ?2 AND last_seen < ?1", err);
	int rc;

	if (st == NULL)
		return -1;
	/* never inside a held read snapshot (store.h): it could not be
	 * upgraded once stale, and would keep the write lock */
	(void)store_autocommit(s);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "users", err);
}

/*
 * users_rows.c - the rows of the users and sessions tables
 * (users_rows.h), written once in dbq.h's dialect: the same functions run
 * on the store's SQLite file and on PostgreSQL (whose tables pg_schema.c
 * makes; users_init() makes SQLite's).
 *
 * Statements are prepared per call: logins are rare. The session read and
 * touch, made on every request, keep their statements prepared on the
 * connection (store_int.h's ST_USERS_*, dbq_keep()). Each write is a
 * single statement; users_rows_tx_begin() groups several.
 */
#include "store/users_rows.h"

#include <stdarg.h>
#include <string.h>

#include "store/dbq.h"
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

/* Prepares sql (dbq.h's dialect) with the arguments bound (dbq_bind()'s
 * letters). 0 or -1; the caller ends q either way. */
static int
query(struct store *s, struct dbq *q, struct lf_error *err, const char *sql,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (dbq_prep(s, q, sql, "users", err) != 0)
		return -1;
	va_start(ap, fmt);
	rc = dbq_vbind(q, err, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * Runs a statement that returns no row (alone, in a transaction of its
 * own that takes the writers' turn: dbq.h). *changes (may be NULL) gets
 * the rows changed. 0, 1 when a constraint refused it, -1 on other
 * errors.
 */
static int
run(struct store *s, int *changes, struct lf_error *err, const char *sql,
    const char *fmt, ...)
{
	struct dbq q;
	va_list ap;
	int rc;

	if (dbq_prep(s, &q, sql, "users", err) != 0) {
		dbq_end(&q);
		return -1;
	}
	va_start(ap, fmt);
	rc = dbq_vbind(&q, err, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = dbq_exec(&q, err);
	if (rc == 0 && changes != NULL)
		*changes = (int)dbq_changes(&q);
	dbq_end(&q);
	return rc == 2 ? 1 : rc;
}

int
users_rows_tx_begin(struct store *s, int *tx, struct lf_error *err)
{
	return dbq_tx_begin(s, tx, err);
}

int
users_rows_tx_end(struct store *s, int tx, int rc, struct lf_error *err)
{
	return dbq_tx_end(s, tx, rc, err);
}

static int
user_from_row(struct dbq *q, int col, struct user *u, struct lf_error *err)
{
	const struct users_role *r;

	memset(u, 0, sizeof(*u));
	r = users_role_find(dbq_text(q, col + 2));
	if (r == NULL)
		return lf_error_set(err, "corrupt", "role", "用户记录损坏 "
		    "(a user row has an unknown role)");
	u->id = dbq_int64(q, col);
	dbq_copy(q, col + 1, u->login, sizeof(u->login));
	u->role = r->role;
	dbq_copy(q, col + 3, u->region, sizeof(u->region));
	dbq_copy(q, col + 4, u->department, sizeof(u->department));
	u->disabled = dbq_int(q, col + 5);
	u->failed_count = dbq_int(q, col + 6);
	u->locked_until = dbq_int64(q, col + 7);
	u->created_at = dbq_int64(q, col + 8);
	u->updated_at = dbq_int64(q, col + 9);
	u->pw_changed_at = dbq_int64(q, col + 10);
	return 0;
}

/* Steps a query for one user row; hash (may be NULL) gets the column
 * after the user's. 0 found, 1 not, -1 error. Ends q. */
static int
fetch_user(struct dbq *q, struct user *u, char hash[PASSWORD_HASH_MAX],
    struct lf_error *err)
{
	int rc = dbq_step(q, err);

	if (rc == 0)
		rc = 1;
	else if (rc == 1) {
		rc = user_from_row(q, 0, u, err);
		if (rc == 0 && hash != NULL)
			dbq_copy(q, USER_NCOLS, hash, PASSWORD_HASH_MAX);
	} else
		rc = -1;
	dbq_end(q);
	return rc;
}

/* ---- accounts ------------------------------------------------------ */

int
users_init(struct store *s, struct lf_error *err)
{
	/* PostgreSQL's tables are made by `liangfu init` and the owner
	 * role's upgrade (store/pg/pg_schema.c) */
	if (dbq_is_pg(s))
		return 0;
	return dbq_script(s, schema_sql, "users_init", err);
}

int
users_get(struct store *s, const char *login, struct user *out,
    struct lf_error *err)
{
	struct dbq q;

	if (login == NULL)
		return 1;
	if (query(s, &q, err, "SELECT " USER_COLS " FROM users u WHERE "
	    "u.login = ?", "t", login) != 0) {
		dbq_end(&q);
		return -1;
	}
	return fetch_user(&q, out, NULL, err);
}

int
users_get_id(struct store *s, int64_t id, struct user *out,
    struct lf_error *err)
{
	struct dbq q;

	if (query(s, &q, err, "SELECT " USER_COLS " FROM users u WHERE "
	    "u.id = ?", "i", id) != 0) {
		dbq_end(&q);
		return -1;
	}
	return fetch_user(&q, out, NULL, err);
}

int
users_list(struct store *s, const char *region_prefix, users_list_fn fn,
    void *arg, struct lf_error *err)
{
	const char *pre = region_prefix != NULL ? region_prefix : "";
	struct dbq q;
	struct user u;
	int rc;

	/* "" selects every account: substr(x, 1, 0) is "" */
	if (query(s, &q, err, "SELECT " USER_COLS " FROM users u WHERE "
	    "substr(u.region, 1, length(CAST(? AS text))) = ? ORDER BY "
	    "u.login", "tt", pre, pre) != 0) {
		dbq_end(&q);
		return -1;
	}
	while ((rc = dbq_step(&q, err)) == 1) {
		if (user_from_row(&q, 0, &u, err) != 0) {
			rc = -1;
			break;
		}
		if ((rc = fn(arg, &u)) != 0)
			break;
	}
	dbq_end(&q);
	return rc;
}

int
users_rows_secret(struct store *s, const char *login, struct user *out,
    char hash[PASSWORD_HASH_MAX], struct lf_error *err)
{
	struct dbq q;

	dbq_auth(s, login, 0, NULL);	/* a login: before any scope */
	if (query(s, &q, err, "SELECT " USER_COLS ", u.pw_hash FROM users u "
	    "WHERE u.login = ?", "t", login) != 0) {
		dbq_end(&q);
		return -1;
	}
	return fetch_user(&q, out, hash, err);
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
	dbq_auth(s, NULL, id, NULL);
	return run(s, NULL, err, "UPDATE users SET failed_count = ?, "
	    "locked_until = ? WHERE id = ?", "iii", (int64_t)count,
	    locked_until, id);
}

int
users_rows_swap_failures(struct store *s, const struct user *seen,
    int count, int64_t locked_until, struct lf_error *err)
{
	int changes = 0, rc;

	dbq_auth(s, NULL, seen->id, NULL);
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

	if (token_hash(s, token, th, err) != 0)
		return -1;
	dbq_auth(s, NULL, 0, th);
	if (run(s, &changes, err, "UPDATE sessions SET revoked = 1 WHERE "
	    "token_hash = ?", "h", th) != 0)
		return -1;
	return changes > 0 ? 0 : 1;
}

int
users_rows_prune(struct store *s, int64_t user_id, int64_t now,
    int64_t seen_before, struct lf_error *err)
{
	dbq_auth(s, NULL, user_id, NULL);
	return run(s, NULL, err, "DELETE FROM sessions WHERE user_id = ? AND "
	    "(revoked != 0 OR expires_at <= ? OR last_seen <= ?)", "iii",
	    user_id, now, seen_before);
}

int
users_rows_session_add(struct store *s, const char *token,
    struct session_info *si, struct lf_error *err)
{
	unsigned char th[CRYPTO_HASH_LEN];
	struct dbq q;
	int rc;

	if (token_hash(s, token, th, err) != 0)
		return -1;
	dbq_auth(s, NULL, si->user_id, th);
	rc = query(s, &q, err, "INSERT INTO sessions(token_hash, user_id, "
	    "csrf, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, "
	    "?) RETURNING id", "hitiii", th, si->user_id, si->csrf,
	    si->created_at, si->last_seen, si->expires_at);
	if (rc == 0 && (rc = dbq_step(&q, err)) == 1) {
		si->id = dbq_int64(&q, 0);
		rc = dbq_step(&q, err);		/* commits its own */
	}
	dbq_end(&q);
	return rc == 2 ? 1 : rc;
}

/* Columns: session id, user_id, csrf, created_at, last_seen,
 * expires_at, revoked, then the user's. */
static void
info_from_row(struct dbq *q, struct session_info *si)
{
	memset(si, 0, sizeof(*si));
	si->id = dbq_int64(q, 0);
	si->user_id = dbq_int64(q, 1);
	dbq_copy(q, 2, si->csrf, sizeof(si->csrf));
	si->created_at = dbq_int64(q, 3);
	si->last_seen = dbq_int64(q, 4);
	si->expires_at = dbq_int64(q, 5);
}

int
users_rows_session(struct store *s, const char *token, struct user *u,
    struct session_info *si, int *revoked, struct lf_error *err)
{
	unsigned char th[CRYPTO_HASH_LEN];
	struct dbq q;
	int rc;

	if (token_hash(s, token, th, err) != 0)
		return -1;
	dbq_auth(s, NULL, 0, th);	/* a session check: before any scope */
	rc = dbq_keep(s, &q, ST_USERS_SESSION, "SELECT s.id, s.user_id, "
	    "s.csrf, s.created_at, s.last_seen, s.expires_at, s.revoked, "
	    USER_COLS " FROM sessions s JOIN users u ON u.id = s.user_id "
	    "WHERE s.token_hash = ?", "users", err);
	if (rc == 0)
		rc = dbq_bind(&q, err, "h", th);
	if (rc == 0 && (rc = dbq_step(&q, err)) == 1) {
		info_from_row(&q, si);
		*revoked = dbq_int(&q, 6);
		rc = user_from_row(&q, 7, u, err);
	} else if (rc == 0)
		rc = 1;
	dbq_end(&q);
	return rc < 0 ? -1 : rc;
}

int
users_rows_touch(struct store *s, int64_t id, int64_t now,
    struct lf_error *err)
{
	struct dbq q;
	int rc;

	/* alone, SQLite's autocommit statement (never inside a held read
	 * snapshot, store.h: dbq ends one before a write) */
	rc = dbq_keep(s, &q, ST_USERS_TOUCH, "UPDATE sessions SET last_seen "
	    "= ? WHERE id = ? AND last_seen < ?", "users", err);
	dbq_no_turn(&q);
	if (rc == 0)
		rc = dbq_bind(&q, err, "iii", now, id, now);
	if (rc == 0)
		rc = dbq_exec(&q, err);
	dbq_end(&q);
	return rc == 0 ? 0 : -1;
}

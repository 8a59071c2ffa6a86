/*
 * users.c - accounts, login with lockout, and sessions (users.h) over the
 * store's SQLite connection.
 *
 * Statements are prepared per call: logins are rare. The session check,
 * made on every request, keeps its two statements prepared on the
 * connection (store_int.h's ST_USERS_*) and costs one indexed read (plus
 * a write at most once a USERS_TOUCH_SECS).
 * Argon2 runs outside any transaction, so a slow hash never holds the
 * database's write lock; each write is a single statement or a savepoint
 * whose first statement writes.
 */
#include "store/users.h"

#include "lib/date.h"
#include "core/dept.h"

#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto/failtab.h"
#include "crypto/password.h"
#include "store/store_int.h"

#define TOKEN_BYTES	(USERS_TOKEN_HEX / 2)
#define CSRF_BYTES	(USERS_CSRF_HEX / 2)

static const struct users_role roles[USER_NROLES] = {
	{ USER_VILLAGE, "village", "村(社区)专职委员", RL_VILLAGE },
	{ USER_TOWNSHIP, "township", "乡镇(街道)工作人员", RL_TOWNSHIP },
	{ USER_COUNTY, "county", "县(市、区)工作人员", RL_COUNTY },
	{ USER_CITY, "city", "市(州)工作人员", RL_CITY },
	{ USER_PROVINCE, "province", "省级工作人员", RL_PROVINCE },
	{ USER_DEPARTMENT, "department", "部门工作人员", -1 },
	{ USER_SUPERVISOR, "supervisor", "督导人员", -1 },
	{ USER_AUDITOR, "auditor", "审计人员", -1 },
	{ USER_ADMIN, "admin", "系统管理员", -1 },
};

static const char *const level_zh[] = { "省", "市(州)", "县(市、区)",
	"乡镇(街道)", "村(社区)" };

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

const struct users_role *
users_role_find(const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < USER_NROLES; i++)
		if (strcmp(roles[i].code, code) == 0)
			return &roles[i];
	return NULL;
}

const struct users_role *
users_role_get(enum user_role r)
{
	return &roles[r];
}

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
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "users", err);
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
	return rc;
}

static int
savepoint(struct store *s, struct lf_error *err)
{
	return run(s, NULL, err, "SAVEPOINT users", "") == 0 ? 0 : -1;
}

/* Releases the savepoint after success (rc 0), else rolls back to it.
 * Returns rc, or -1 when releasing fails. */
static int
savepoint_end(struct store *s, int rc, struct lf_error *err)
{
	if (rc == 0)
		return run(s, NULL, err, "RELEASE users", "") == 0 ? 0 : -1;
	sqlite3_exec(s->db, "ROLLBACK TO users; RELEASE users", NULL, NULL,
	    NULL);
	return rc;
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

static int
login_valid(const char *login)
{
	size_t i, n;

	if (login == NULL)
		return 0;
	n = strnlen(login, USERS_LOGIN_MAX + 1);
	if (n < USERS_LOGIN_MIN || n > USERS_LOGIN_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789_.-",
		    login[i]) == NULL)
			return 0;
	return 1;
}

static int
check_role(const struct user_new *u, const struct users_role **role,
    struct lf_error *err)
{
	*role = users_role_find(u->role);
	if (*role == NULL)
		return lf_error_set(err, "role", "role", "未知角色 (unknown "
		    "role; one of village, township, county, city, province, "
		    "department, supervisor, auditor, admin)");
	if ((*role)->role != USER_DEPARTMENT) {
		if (u->department != NULL && u->department[0] != '\0')
			return lf_error_set(err, "department", "department",
			    "只有部门角色有部门 (only role department takes a "
			    "department)");
		return 0;
	}
	if (u->department == NULL || u->department[0] == '\0')
		return lf_error_set(err, "department", "department", "部门角色"
		    "须指定部门 (role department needs a department)");
	if (dept_find(u->department) == NULL)
		return lf_error_set(err, "department", "department", "未知部门"
		    " (unknown department; a code such as civil, hrss, health, "
		    "cdpf, or its Chinese name)");
	return 0;
}

static int
check_region(const struct store *s, const struct user_new *u,
    const struct users_role *role, struct lf_error *err)
{
	const struct region *r;

	if (s->regions == NULL)
		return lf_error_set(err, "region", "region", "未加载地区表, "
		    "无法校验地区 (no region table loaded)");
	r = u->region != NULL ? regions_find(s->regions, u->region) : NULL;
	if (r == NULL)
		return lf_error_set(err, "region", "region", "地区代码不存在 "
		    "(no such region code)");
	if (role->level >= 0 && (int)r->level != role->level)
		return lf_error_set(err, "region", "region", "角色 %s 须对应"
		    "%s级地区 (role %s needs a %s region)", role->code,
		    level_zh[role->level], role->code,
		    region_level_name((enum region_level)role->level));
	return 0;
}

/* The checks of users_add() but the unused login; the password's only
 * when it is set or need_pw. */
static int
check_new(const struct store *s, const struct user_new *u, int need_pw,
    struct lf_error *err)
{
	const struct users_role *role;
	const char *why;

	if (!login_valid(u->login))
		return lf_error_set(err, "login", "login", "登录名须为 3 到 32 "
		    "个小写字母、数字或 _ . - (login: 3 to 32 of a-z 0-9 _ . "
		    "-)");
	if (check_role(u, &role, err) != 0 ||
	    check_region(s, u, role, err) != 0)
		return -1;
	if ((need_pw || u->password != NULL) &&
	    password_policy(u->password, &why) != 0)
		return lf_error_set(err, "password", "password", "%s", why);
	return 0;
}

static int
taken(struct lf_error *err)
{
	return lf_error_set(err, "exists", "login", "登录名已被占用 (login "
	    "already taken)");
}

int
users_check(struct store *s, const struct user_new *u, struct lf_error *err)
{
	struct user old;
	int rc;

	if (check_new(s, u, 0, err) != 0)
		return -1;
	rc = users_get(s, u->login, &old, err);
	if (rc == 0)
		return taken(err);
	return rc == 1 ? 0 : -1;
}

int
users_add(struct store *s, const struct user_new *u, struct lf_error *err)
{
	char hash[PASSWORD_HASH_MAX];
	int64_t now = u->now != 0 ? u->now : (int64_t)time(NULL);
	const char *dept;
	int rc;

	if (check_new(s, u, 1, err) != 0)
		return -1;
	if (password_hash(u->password, hash, sizeof(hash)) != 0)
		return lf_error_set(err, "crypto", "", "无法计算密码散列 "
		    "(password hashing failed)");
	dept = u->department != NULL && u->department[0] != '\0' ?
	    dept_find(u->department)->code : NULL;
	rc = run(s, NULL, err, "INSERT INTO users(login, role, region, "
	    "department, pw_hash, created_at, updated_at, pw_changed_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "tttttiii", u->login, u->role,
	    u->region, dept, hash, now, now, now);
	explicit_bzero(hash, sizeof(hash));
	return rc == 1 ? taken(err) : rc;
}

/* Revokes every live session of the user with this login. */
static int
revoke_all(struct store *s, const char *login, struct lf_error *err)
{
	return run(s, NULL, err, "UPDATE sessions SET revoked = 1 WHERE "
	    "revoked = 0 AND user_id = (SELECT id FROM users WHERE login = ?)",
	    "t", login);
}

static int
not_found(struct lf_error *err)
{
	return lf_error_set(err, "not_found", "login", "没有这个用户 "
	    "(no such user)");
}

/* Bumped after every revocation this process commits (users.h). */
static atomic_ulong	revocations;

unsigned long
users_revocations(void)
{
	return atomic_load(&revocations);
}

int
users_disable(struct store *s, const char *login, struct lf_error *err)
{
	int changes = 0, rc;

	if (login == NULL)
		return not_found(err);
	if (savepoint(s, err) != 0)
		return -1;
	rc = run(s, &changes, err, "UPDATE users SET disabled = 1, "
	    "updated_at = ? WHERE login = ?", "it", (int64_t)time(NULL),
	    login);
	if (rc == 0 && changes == 0)
		rc = not_found(err);
	if (rc == 0)
		rc = revoke_all(s, login, err);
	rc = savepoint_end(s, rc, err);
	if (rc == 0)
		atomic_fetch_add(&revocations, 1);
	return rc;
}

int
users_passwd(struct store *s, const char *login, const char *newpw,
    struct lf_error *err)
{
	char hash[PASSWORD_HASH_MAX];
	int64_t now = (int64_t)time(NULL);
	const char *why;
	int changes = 0, rc;

	if (login == NULL)
		return not_found(err);
	if (password_policy(newpw, &why) != 0)
		return lf_error_set(err, "password", "password", "%s", why);
	if (password_hash(newpw, hash, sizeof(hash)) != 0)
		return lf_error_set(err, "crypto", "", "无法计算密码散列 "
		    "(password hashing failed)");
	rc = savepoint(s, err);
	if (rc == 0) {
		rc = run(s, &changes, err, "UPDATE users SET pw_hash = ?, "
		    "pw_changed_at = ?, updated_at = ?, failed_count = 0, "
		    "locked_until = 0 WHERE login = ?", "tiit", hash, now, now,
		    login);
		if (rc == 0 && changes == 0)
			rc = not_found(err);
		if (rc == 0)
			rc = revoke_all(s, login, err);
		rc = savepoint_end(s, rc, err);
		if (rc == 0)
			atomic_fetch_add(&revocations, 1);
	}
	explicit_bzero(hash, sizeof(hash));
	return rc;
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

/* ---- login and sessions -------------------------------------------- */

static void
hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
token_valid(const char *token)
{
	size_t i;

	if (token == NULL || strnlen(token, USERS_TOKEN_HEX + 1) !=
	    USERS_TOKEN_HEX)
		return 0;
	for (i = 0; i < USERS_TOKEN_HEX; i++)
		if (strchr("0123456789abcdef", token[i]) == NULL)
			return 0;
	return 1;
}

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

static int
bad_login(struct lf_error *err)
{
	return lf_error_set(err, "bad_login", "", "登录名或密码错误 "
	    "(wrong login or password)");
}

static int
locked(struct lf_error *err, int64_t until)
{
	char when[DATE_TIMELEN + 1];

	date_china_text(until, 1, when);
	return lf_error_set(err, "locked", "", "密码连续错误次数过多, 账号锁定"
	    "至北京时间 %s (too many failed logins; locked until %s Beijing "
	    "time)", when, when);
}

/* Counts a wrong password; locks the account at the limit. While the
 * account is not locked, locked_until holds the time of the run's last
 * failure: a failure USERS_FAIL_WINDOW or more after it starts a new run
 * (failtab.h counts unknown logins the same way). */
static int
count_failure(struct store *s, const struct user *u, int64_t now,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int64_t until = 0;
	int rc;

#define RUN "(CASE WHEN failed_count > 0 AND locked_until > ?2 - ?4 " \
	    "THEN failed_count + 1 ELSE 1 END)"
	if (query(s, &st, err, "UPDATE users SET failed_count = CASE WHEN "
	    RUN " >= ?1 THEN 0 ELSE " RUN " END, locked_until = CASE WHEN "
	    RUN " >= ?1 THEN ?2 + ?3 ELSE ?2 END WHERE id = ?5 "
	    "RETURNING locked_until", "iiiii", (int64_t)USERS_MAX_FAILURES,
	    now, (int64_t)USERS_LOCK_SECS, (int64_t)USERS_FAIL_WINDOW,
	    u->id) != 0)
		return -1;
#undef RUN
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		until = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "users", err);
	return until > now ? locked(err, until) : bad_login(err);
}

/* Fresh tokens into out; the token's hash into th. */
static int
new_tokens(struct store *s, struct session *out,
    unsigned char th[CRYPTO_HASH_LEN], struct lf_error *err)
{
	unsigned char raw[TOKEN_BYTES > CSRF_BYTES ? TOKEN_BYTES : CSRF_BYTES];
	int rc = -1;

	if (crypto_random(raw, TOKEN_BYTES) != 0)
		goto fail;
	hex(raw, TOKEN_BYTES, out->token);
	if (crypto_random(raw, CSRF_BYTES) != 0)
		goto fail;
	hex(raw, CSRF_BYTES, out->info.csrf);
	rc = token_hash(s, out->token, th, err);
	goto out;
fail:
	lf_error_set(err, "crypto", "", "无法生成随机数 (no random bytes)");
out:
	explicit_bzero(raw, sizeof(raw));
	return rc;
}

static int
open_session(struct store *s, const struct user *u, int64_t now,
    struct session *out, struct lf_error *err)
{
	unsigned char th[CRYPTO_HASH_LEN];
	int rc;

	if (new_tokens(s, out, th, err) != 0 || savepoint(s, err) != 0)
		return -1;
	rc = run(s, NULL, err, "UPDATE users SET failed_count = 0, "
	    "locked_until = 0 WHERE id = ?", "i", u->id);
	if (rc == 0)
		rc = run(s, NULL, err, "DELETE FROM sessions WHERE user_id = ? "
		    "AND (revoked != 0 OR expires_at <= ? OR last_seen <= ?)",
		    "iii", u->id, now, now - USERS_IDLE_SECS);
	if (rc == 0)
		rc = run(s, NULL, err, "INSERT INTO sessions(token_hash, "
		    "user_id, csrf, created_at, last_seen, expires_at) VALUES "
		    "(?, ?, ?, ?, ?, ?)", "hitiii", th, u->id, out->info.csrf,
		    now, now, now + USERS_ABSOLUTE_SECS);
	if (rc == 1)
		rc = lf_error_set(err, "crypto", "", "会话令牌重复 (session "
		    "token collision)");
	if (rc == 0) {
		out->info.id = sqlite3_last_insert_rowid(s->db);
		out->info.user_id = u->id;
		out->info.created_at = out->info.last_seen = now;
		out->info.expires_at = now + USERS_ABSOLUTE_SECS;
	}
	return savepoint_end(s, rc, err);
}

/* Logins that name no account, counted like accounts' wrong passwords
 * (in memory, bounded): the same answers after the same work. */
static struct failtab unknown = FAILTAB_INIT(USERS_MAX_FAILURES,
    USERS_FAIL_WINDOW, USERS_LOCK_SECS);

static int
unknown_login(const char *login, const char *pw, int64_t now,
    struct lf_error *err)
{
	size_t len = login != NULL ? strlen(login) : 0;
	int64_t until;

	if (login == NULL)
		login = "";
	if (failtab_locked(&unknown, login, len, now, &until))
		return locked(err, until);
	password_verify_dummy(pw);
	if (failtab_fail(&unknown, login, len, now, &until))
		return locked(err, until);
	return bad_login(err);
}

void
users_forget_unknown(void)
{
	failtab_reset(&unknown);
}

int
users_login(struct store *s, const char *login, const char *pw,
    int64_t now, struct session *out, struct lf_error *err)
{
	char hash[PASSWORD_HASH_MAX];
	sqlite3_stmt *st;
	struct user u;
	int rc = 1;

	memset(out, 0, sizeof(*out));
	hash[0] = '\0';
	if (login_valid(login)) {
		if (query(s, &st, err, "SELECT " USER_COLS ", u.pw_hash FROM "
		    "users u WHERE u.login = ?", "t", login) != 0)
			return -1;
		rc = fetch_user(s, st, &u, hash, err);
	}
	if (rc == 1)
		rc = unknown_login(login, pw, now, err);
	else if (rc == 0 && u.locked_until > now)
		rc = locked(err, u.locked_until);
	else if (rc == 0 && password_verify(hash, pw != NULL ? pw : "") != 0)
		rc = count_failure(s, &u, now, err);
	else if (rc == 0 && u.disabled)
		rc = lf_error_set(err, "disabled", "", "账号已停用 (account "
		    "disabled)");
	else if (rc == 0)
		rc = open_session(s, &u, now, out, err);
	explicit_bzero(hash, sizeof(hash));
	if (rc != 0)
		explicit_bzero(out, sizeof(*out));
	return rc;
}

static int
no_session(struct lf_error *err)
{
	lf_error_set(err, "session", "", "登录已失效, 请重新登录 (session "
	    "invalid or expired; log in again)");
	return 1;
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

/* Reads the session of token hash th. 0 live, 1 not, -1 error. */
static int
read_session(struct store *s, const unsigned char *th, int64_t now,
    struct user *u, struct session_info *si, struct lf_error *err)
{
	sqlite3_stmt *st = kept(s, ST_USERS_SESSION, "SELECT s.id, s.user_id,"
	    " s.csrf, s.created_at, s.last_seen, s.expires_at, s.revoked, "
	    USER_COLS " FROM sessions s JOIN users u ON u.id = s.user_id "
	    "WHERE s.token_hash = ?", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, th, CRYPTO_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		info_from_row(st, si);
		rc = user_from_row(st, 7, u, err);
		if (rc == 0 && (sqlite3_column_int(st, 6) != 0 ||
		    now >= si->expires_at ||
		    now >= si->last_seen + USERS_IDLE_SECS || u->disabled))
			rc = 1;
	} else
		rc = rc == SQLITE_DONE ? 1 : store_sqlite_error(s, "users",
		    err);
	sqlite3_reset(st);
	return rc;
}

/* Advances the session's last_seen to now. 0 or -1. */
static int
touch_session(struct store *s, int64_t id, int64_t now, struct lf_error *err)
{
	sqlite3_stmt *st = kept(s, ST_USERS_TOUCH, "UPDATE sessions SET "
	    "last_seen = ?1 WHERE id = ?2 AND last_seen < ?1", err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "users", err);
}

int
users_session(struct store *s, const char *token, int64_t now,
    struct user *u, struct session_info *si, struct lf_error *err)
{
	unsigned char th[CRYPTO_HASH_LEN];
	struct session_info sil;
	struct user ul;
	int rc;

	if (u == NULL)
		u = &ul;
	if (si == NULL)
		si = &sil;
	if (!token_valid(token))
		return no_session(err);
	if (token_hash(s, token, th, err) != 0)
		return -1;
	rc = read_session(s, th, now, u, si, err);
	if (rc == 1)
		return no_session(err);
	if (rc != 0 || now - si->last_seen < USERS_TOUCH_SECS)
		return rc;
	if (touch_session(s, si->id, now, err) != 0)
		return -1;
	si->last_seen = now;
	return 0;
}

int
users_logout(struct store *s, const char *token, struct lf_error *err)
{
	unsigned char th[CRYPTO_HASH_LEN];
	int changes = 0;

	if (!token_valid(token))
		return no_session(err);
	if (token_hash(s, token, th, err) != 0 ||
	    run(s, &changes, err, "UPDATE sessions SET revoked = 1 WHERE "
	    "token_hash = ?", "h", th) != 0)
		return -1;
	atomic_fetch_add(&revocations, 1);
	return changes > 0 ? 0 : no_session(err);
}

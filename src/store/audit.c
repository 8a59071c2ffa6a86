/*
 * audit.c - the audit log (audit.h) over the store's SQLite connection.
 *
 * One table of entries in id order; each entry's hash covers its
 * predecessor's hash, its id and a length-prefixed encoding of its fields
 * (the layout is in audit.h). The fields are declared once, in `cols`:
 * name, where they sit in struct audit_entry and struct audit_row, how
 * they are checked and their cap. Column order, chain order and check
 * order all come from that table.
 */
#include "store/audit.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/date.h"
#include "lib/utf8.h"
#include "store/store_int.h"

#define NFIELDS		10
#define FORMAT_VERSION	1
#define DIGIT_RUN_MAX	14	/* longer runs look like ID numbers */
#define APPEND_TRIES	5
#define SQL_MAX		2048
/* version, prev, id, then a length and the bytes of each field */
#define MSG_MAX		(1 + AUDIT_HASH_LEN + 8 + NFIELDS * 4 + \
			    (NFIELDS - 1) * AUDIT_FIELD_MAX + AUDIT_DETAIL_MAX)

#define COLS	"at, actor, role, action, target_type, target, result, " \
		"client, request_id, detail"

enum kind {
	K_TIME,		/* "YYYY-MM-DDTHH:MM:SSZ" */
	K_WORD,		/* [a-z0-9._-] */
	K_TEXT,		/* UTF-8 without control characters */
	K_RESULT	/* one of `results` */
};

/* Field indexes, in the order of cols[]. */
enum {
	F_AT, F_ACTOR, F_ROLE, F_ACTION, F_TTYPE, F_TARGET, F_RESULT,
	F_CLIENT, F_REQID, F_DETAIL
};

static const struct col {
	const char	*name;
	size_t		 eoff;		/* in struct audit_entry */
	size_t		 roff;		/* in struct audit_row */
	enum kind	 kind;
	int		 required;
	size_t		 max;		/* bytes */
} cols[NFIELDS] = {
#define C(f, k, req, max) { #f, offsetof(struct audit_entry, f), \
	    offsetof(struct audit_row, f), k, req, max }
	C(at,		K_TIME,		1, AUDIT_TIME_LEN),
	C(actor,	K_TEXT,		1, AUDIT_FIELD_MAX),
	C(role,		K_WORD,		0, AUDIT_FIELD_MAX),
	C(action,	K_WORD,		1, AUDIT_FIELD_MAX),
	C(target_type,	K_WORD,		1, AUDIT_FIELD_MAX),
	C(target,	K_TEXT,		0, AUDIT_FIELD_MAX),
	C(result,	K_RESULT,	1, AUDIT_FIELD_MAX),
	C(client,	K_TEXT,		0, AUDIT_FIELD_MAX),
	C(request_id,	K_TEXT,		0, AUDIT_FIELD_MAX),
	C(detail,	K_TEXT,		0, AUDIT_DETAIL_MAX),
#undef C
};

static const char *const results[] = {
	"ok", "denied", "not_found", "conflict", "failed", "invalid"
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS audit ("
	" id INTEGER PRIMARY KEY,"
	" at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,"
	" action TEXT NOT NULL, target_type TEXT NOT NULL,"
	" target TEXT NOT NULL, result TEXT NOT NULL, client TEXT NOT NULL,"
	" request_id TEXT NOT NULL, detail TEXT NOT NULL,"
	" prev BLOB NOT NULL, hash BLOB NOT NULL);"
	"CREATE INDEX IF NOT EXISTS audit_target ON audit(target_type,"
	" target, id);"
	"CREATE INDEX IF NOT EXISTS audit_actor ON audit(actor, id);"
	"CREATE INDEX IF NOT EXISTS audit_at ON audit(at);"
	"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only:"
	" UPDATE refused'); END;"
	"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only:"
	" DELETE refused'); END;"
	"CREATE TRIGGER IF NOT EXISTS audit_append_only BEFORE INSERT ON audit"
	" WHEN NEW.id IS NULL OR NEW.id <= coalesce((SELECT max(id) FROM"
	" audit), 0)"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only:"
	" an entry must follow the newest one'); END;";

/* The objects schema_sql makes, all of them named here. */
static const char present_sql[] =
	"SELECT count(*) FROM sqlite_master WHERE tbl_name = 'audit' AND name"
	" IN ('audit', 'audit_target', 'audit_actor', 'audit_at',"
	" 'audit_no_update', 'audit_no_delete', 'audit_append_only')";
#define NOBJECTS	7

/* Sets err from the connection's last error, "busy" when it was a lock. */
static int
sql_error(struct store *s, const char *what, struct lf_error *err)
{
	int rc = sqlite3_errcode(s->db) & 0xff;	/* BUSY_SNAPSHOT too */

	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return lf_error_set(err, "busy", "", "数据库忙, 请稍后重试 "
		    "(database busy in %s: %s)", what, sqlite3_errmsg(s->db));
	return store_sqlite_error(s, what, err);
}

static int
exec_sql(struct store *s, const char *sql, const char *what,
    struct lf_error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sql_error(s, what, err);
	return 0;
}

/* Opens a transaction (own) or a savepoint in the caller's. */
static int
tx_begin(struct store *s, int own, struct lf_error *err)
{
	if (own)
		return store_tx_immediate(s, "audit begin", err);
	return exec_sql(s, "SAVEPOINT audit", "audit begin", err);
}

/* Commits when rc is 0, else rolls back; returns 0 or -1. */
static int
tx_end(struct store *s, int own, int rc, struct lf_error *err)
{
	if (own) {
		if (rc == 0 && exec_sql(s, "COMMIT", "audit commit", err) == 0) {
			store_tx_released(s);
			return 0;
		}
		store_tx_finish(s, 0, err);
		return -1;
	}
	if (rc == 0 && exec_sql(s, "RELEASE audit", "audit commit", err) == 0)
		return 0;
	sqlite3_exec(s->db, "ROLLBACK TO audit; RELEASE audit", NULL, NULL,
	    NULL);
	return -1;
}

int
audit_init(struct store *s, struct lf_error *err)
{
	int own = store_autocommit(s);

	/* every connection opens with this: take no write lock when there
	 * is nothing to do */
	if (store_sqlite_count(s, present_sql) == NOBJECTS)
		return 0;
	if (tx_begin(s, own, err) != 0)
		return -1;
	return tx_end(s, own, exec_sql(s, schema_sql, "audit schema", err),
	    err);
}

/* ---- checking fields ---------------------------------------------- */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
digits_ok(const char *v, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		run = is_digit(v[i]) ? run + 1 : 0;
		if (run > DIGIT_RUN_MAX)
			return 0;
	}
	return 1;
}

static int
text_ok(const char *v, size_t len)
{
	size_t i;

	if (!utf8_valid(v, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return 0;
	return 1;
}

static int
word_ok(const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!(v[i] >= 'a' && v[i] <= 'z') && !is_digit(v[i]) &&
		    strchr("._-", v[i]) == NULL)
			return 0;
	return 1;
}

/* Two digits at v, at most max. */
static int
two_digits(const char *v, int max)
{
	if (!is_digit(v[0]) || !is_digit(v[1]))
		return 0;
	return (v[0] - '0') * 10 + (v[1] - '0') <= max;
}

/* "YYYY-MM-DDTHH:MM:SSZ", or with allow_date "YYYY-MM-DD" too. */
static int
time_ok(const char *v, size_t len, int allow_date)
{
	char date[DATE_STRLEN + 1];
	int days;

	if (len != AUDIT_TIME_LEN && !(allow_date && len == DATE_STRLEN))
		return 0;
	memcpy(date, v, DATE_STRLEN);
	date[DATE_STRLEN] = '\0';
	if (date_parse(date, &days) != 0)
		return 0;
	if (len == DATE_STRLEN)
		return 1;
	return v[10] == 'T' && two_digits(v + 11, 23) && v[13] == ':' &&
	    two_digits(v + 14, 59) && v[16] == ':' && two_digits(v + 17, 60) &&
	    v[19] == 'Z';
}

static int
result_ok(const char *v)
{
	size_t i;

	for (i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (strcmp(v, results[i]) == 0)
			return 1;
	return 0;
}

static int
uid_ok(const char *v, size_t len)
{
	size_t i;

	if (len != STORE_UID_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_digit(v[i]) && !(v[i] >= 'a' && v[i] <= 'f'))
			return 0;
	return 1;
}

static int
refuse(struct lf_error *err, const char *field, const char *zh,
    const char *en)
{
	return lf_error_set(err, "invalid", field, "审计字段 %s %s (audit "
	    "field %s %s)", field, zh, field, en);
}

static int
check_field(const struct col *c, const char *v, size_t len,
    struct lf_error *err)
{
	if (len == 0)
		return c->required ? refuse(err, c->name, "不能为空",
		    "is required") : 0;
	if (len > c->max)
		return lf_error_set(err, "invalid", c->name, "审计字段 %s 过长 "
		    "(audit field %s is too long: %zu bytes, at most %zu)",
		    c->name, c->name, len, c->max);
	if (!text_ok(v, len))
		return refuse(err, c->name, "含无效字符", "holds invalid "
		    "UTF-8 or control characters");
	if (!digits_ok(v, len))
		return refuse(err, c->name, "含疑似证件号的长数字", "holds a "
		    "long run of digits, like an ID number; log opaque ids "
		    "only");
	switch (c->kind) {
	case K_TIME:
		if (!time_ok(v, len, 0))
			return refuse(err, c->name, "时间格式错误", "must be "
			    "YYYY-MM-DDTHH:MM:SSZ (UTC)");
		break;
	case K_WORD:
		if (!word_ok(v, len))
			return refuse(err, c->name, "只能含小写字母、数字和 "
			    "._-", "may hold only a-z, 0-9, '.', '_', '-'");
		break;
	case K_RESULT:
		if (!result_ok(v))
			return refuse(err, c->name, "未知", "is not one of ok, "
			    "denied, not_found, conflict, failed, invalid");
		break;
	case K_TEXT:
		break;
	}
	return 0;
}

/* Gathers e's fields into v/len (now fills in a missing time), checked. */
static int
collect(const struct audit_entry *e, char now[AUDIT_TIME_LEN + 1],
    const char *v[NFIELDS], size_t len[NFIELDS], struct lf_error *err)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		v[i] = *(const char *const *)(const void *)
		    ((const char *)e + cols[i].eoff);
		if (v[i] == NULL)
			v[i] = "";
		if (i == F_AT && v[i][0] == '\0') {
			store_now_iso(now);
			v[i] = now;
		}
		len[i] = strlen(v[i]);
		if (i == F_TARGET && strcmp(v[F_TTYPE], "person") == 0) {
			if (len[i] != 0 && !uid_ok(v[i], len[i]))
				return refuse(err, cols[i].name, "须为人员的不"
				    "透明编号", "of a person must be its opaque "
				    "id (32 lowercase hex digits)");
			continue;
		}
		if (check_field(&cols[i], v[i], len[i], err) != 0)
			return -1;
	}
	return 0;
}

/* ---- the chain ------------------------------------------------------ */

static void
put_be(unsigned char *p, uint64_t x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(x >> (8 * (n - 1 - i)));
}

/* The hashed message of an entry; its length, or 0 when a field is too
 * long to have been appended. */
static size_t
encode(unsigned char msg[MSG_MAX], const unsigned char *prev, int64_t id,
    const char *const v[NFIELDS], const size_t len[NFIELDS])
{
	size_t i, n = 0;

	msg[n++] = FORMAT_VERSION;
	memcpy(msg + n, prev, AUDIT_HASH_LEN);
	n += AUDIT_HASH_LEN;
	put_be(msg + n, (uint64_t)id, 8);
	n += 8;
	for (i = 0; i < NFIELDS; i++) {
		if (MSG_MAX - n < 4 || len[i] > MSG_MAX - n - 4)
			return 0;
		put_be(msg + n, len[i], 4);
		memcpy(msg + n + 4, v[i], len[i]);
		n += 4 + len[i];
	}
	return n;
}

/* The entry's hash into out: 0, 1 when the fields cannot be encoded,
 * -1 with err set when hashing fails. */
static int
entry_hash(struct store *s, const unsigned char *prev, int64_t id,
    const char *const v[NFIELDS], const size_t len[NFIELDS],
    unsigned char out[AUDIT_HASH_LEN], struct lf_error *err)
{
	unsigned char msg[MSG_MAX];
	size_t n = encode(msg, prev, id, v, len);

	if (n == 0)
		return 1;
	if (crypto_lookup_hash(s->keys, "audit", msg, n, out) != 0)
		return lf_error_set(err, "crypto", "", "审计哈希计算失败 "
		    "(cannot compute the audit hash)");
	return 0;
}

/* Statement `which` of this connection, prepared on first use and kept
 * until store_close(); the caller resets it after use. NULL on error. */
static sqlite3_stmt *
cached(struct store *s, int which, const char *sql, const char *what,
    struct lf_error *err)
{
	if (s->audit_st[which] == NULL &&
	    sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &s->audit_st[which], NULL) != SQLITE_OK) {
		sql_error(s, what, err);
		return NULL;
	}
	return s->audit_st[which];
}

/* Ends a use of a cached() statement that stepped to step: resets it;
 * 0 for a row or the end, else -1 with what's error (read first). */
static int
uncache(struct store *s, sqlite3_stmt *st, int step, const char *what,
    struct lf_error *err)
{
	int rc = 0;

	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sql_error(s, what, err);
	sqlite3_reset(st);
	return rc;
}

/* The newest entry's id and hash; 0 and zeros when there is none. */
static int
last_entry(struct store *s, int64_t *id, unsigned char hash[AUDIT_HASH_LEN],
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int step;

	*id = 0;
	memset(hash, 0, AUDIT_HASH_LEN);
	if ((st = cached(s, 0, "SELECT id, hash FROM audit ORDER BY id DESC "
	    "LIMIT 1", "audit head", err)) == NULL)
		return -1;
	if ((step = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 1) != AUDIT_HASH_LEN) {
		sqlite3_reset(st);
		return lf_error_set(err, "corrupt", "hash", "审计日志最新一条"
		    "已损坏 (the newest audit entry has no valid hash)");
	}
	if (step == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		memcpy(hash, sqlite3_column_blob(st, 1), AUDIT_HASH_LEN);
	}
	return uncache(s, st, step, "audit head", err);
}

int
audit_head(struct store *s, int64_t *id, unsigned char hash[AUDIT_HASH_LEN],
    struct lf_error *err)
{
	return last_entry(s, id, hash, err);
}

static int
insert(struct store *s, int64_t id, const char *const v[NFIELDS],
    const size_t len[NFIELDS], const unsigned char *prev,
    const unsigned char *hash, struct lf_error *err)
{
	sqlite3_stmt *st;
	int i;

	if ((st = cached(s, 1, "INSERT INTO audit(id, " COLS ", prev, hash) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "audit insert",
	    err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	for (i = 0; i < NFIELDS; i++)
		sqlite3_bind_text(st, i + 2, v[i], (int)len[i], SQLITE_STATIC);
	sqlite3_bind_blob(st, NFIELDS + 2, prev, AUDIT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, NFIELDS + 3, hash, AUDIT_HASH_LEN, SQLITE_STATIC);
	return uncache(s, st, sqlite3_step(st), "audit insert", err);
}

/* Hashes and inserts the entry after c; c moves on to it on success. */
static int
append_after(struct store *s, struct audit_chain *c,
    const char *const v[NFIELDS], const size_t len[NFIELDS],
    struct lf_error *err)
{
	unsigned char hash[AUDIT_HASH_LEN];

	/* the fields were checked, so they always encode */
	if (entry_hash(s, c->hash, c->id + 1, v, len, hash, err) != 0 ||
	    insert(s, c->id + 1, v, len, c->hash, hash, err) != 0)
		return -1;
	c->id++;
	memcpy(c->hash, hash, AUDIT_HASH_LEN);
	return 0;
}

/* Reads the head, hashes, inserts. Inside the caller's transaction no
 * savepoint is needed: the one statement that writes (the INSERT) is
 * undone by SQLite by itself when it fails, and an error that undoes
 * more undoes the caller's whole transaction, savepoint or not. (The
 * server's audit writer appends its whole group in one transaction, so
 * this saves two statements an entry.) */
static int
append_once(struct store *s, int own, const char *const v[NFIELDS],
    const size_t len[NFIELDS], struct lf_error *err)
{
	struct audit_chain c;
	int rc = -1;

	if (own && tx_begin(s, own, err) != 0)
		return -1;
	if (last_entry(s, &c.id, c.hash, err) != 0 ||
	    append_after(s, &c, v, len, err) != 0)
		goto out;
	rc = 0;
out:
	return own ? tx_end(s, own, rc, err) : rc;
}

static void
nap(int attempt)
{
	struct timespec ts = { 0, 20L * 1000 * 1000 * attempt };

	nanosleep(&ts, NULL);
}

int
audit_append(struct store *s, const struct audit_entry *e,
    struct lf_error *err)
{
	char now[AUDIT_TIME_LEN + 1];
	const char *v[NFIELDS];
	size_t len[NFIELDS];
	int attempt, own, rc;

	if (collect(e, now, v, len, err) != 0)
		return -1;
	own = store_autocommit(s);
	for (attempt = 1; ; attempt++) {
		rc = append_once(s, own, v, len, err);
		/* inside the caller's transaction a retry cannot help: its
		 * snapshot stays stale until the caller rolls back */
		if (rc == 0 || !own || attempt == APPEND_TRIES ||
		    strcmp(err->code, "busy") != 0)
			break;
		nap(attempt);
	}
	return rc;
}

/* The caller's write transaction is open, and when c is given it is the
 * one c began in: a cursor from before it ended could name an entry that
 * was rolled back. */
static int
chain_tx_open(struct store *s, const struct audit_chain *c,
    struct lf_error *err)
{
	if (s->db != NULL && !sqlite3_get_autocommit(s->db) &&
	    (c == NULL || c->tx == s->tx_serial))
		return 0;
	return lf_error_set(err, "store", "", "审计追加须在同一事务内 (audit "
	    "chain: its transaction has ended)");
}

int
audit_chain_begin(struct store *s, struct audit_chain *c,
    struct lf_error *err)
{
	if (chain_tx_open(s, NULL, err) != 0)
		return -1;
	c->tx = s->tx_serial;
	return last_entry(s, &c->id, c->hash, err);
}

int
audit_chain_append(struct store *s, struct audit_chain *c,
    const struct audit_entry *e, struct lf_error *err)
{
	char now[AUDIT_TIME_LEN + 1];
	const char *v[NFIELDS];
	size_t len[NFIELDS];

	if (collect(e, now, v, len, err) != 0 || chain_tx_open(s, c, err) != 0)
		return -1;
	return append_after(s, c, v, len, err);
}

/* ---- reading -------------------------------------------------------- */

/* The fields of a row from column `first` on ("" for NULL). */
static void
row_fields(sqlite3_stmt *st, int first, const char *v[NFIELDS],
    size_t len[NFIELDS])
{
	int i;

	for (i = 0; i < NFIELDS; i++) {
		v[i] = (const char *)sqlite3_column_text(st, first + i);
		len[i] = (size_t)sqlite3_column_bytes(st, first + i);
		if (v[i] == NULL) {
			v[i] = "";
			len[i] = 0;
		}
	}
}

/* Checks the row (id, fields, prev, hash) against the expected prev:
 * 1 good (expect becomes its hash), 0 bad, -1 error. */
static int
check_row(struct store *s, sqlite3_stmt *st, unsigned char *expect,
    struct lf_error *err)
{
	const char *v[NFIELDS];
	size_t len[NFIELDS];
	unsigned char h[AUDIT_HASH_LEN];
	const void *prev, *hash;
	int rc;

	if (sqlite3_column_int64(st, 0) < 1)
		return 0;
	row_fields(st, 1, v, len);
	prev = sqlite3_column_blob(st, NFIELDS + 1);
	if (sqlite3_column_bytes(st, NFIELDS + 1) != AUDIT_HASH_LEN ||
	    memcmp(prev, expect, AUDIT_HASH_LEN) != 0)
		return 0;
	rc = entry_hash(s, expect, sqlite3_column_int64(st, 0), v, len, h,
	    err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	hash = sqlite3_column_blob(st, NFIELDS + 2);
	if (sqlite3_column_bytes(st, NFIELDS + 2) != AUDIT_HASH_LEN ||
	    memcmp(hash, h, AUDIT_HASH_LEN) != 0)
		return 0;
	memcpy(expect, h, AUDIT_HASH_LEN);
	return 1;
}

int
audit_verify(struct store *s, int64_t *first_bad, int64_t *count,
    struct lf_error *err)
{
	unsigned char expect[AUDIT_HASH_LEN];
	sqlite3_stmt *st = NULL;
	int rc = -1, step, ok;
	int64_t id;

	*first_bad = 0;
	*count = 0;
	memset(expect, 0, sizeof(expect));
	if (sqlite3_prepare_v2(s->db, "SELECT id, " COLS ", prev, hash FROM "
	    "audit ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		sql_error(s, "audit verify", err);
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		(*count)++;
		if (*first_bad != 0)
			continue;
		ok = check_row(s, st, expect, err);
		if (ok < 0)
			goto out;
		id = sqlite3_column_int64(st, 0);
		if (ok == 0)
			*first_bad = id != 0 ? id : -1;
	}
	if (step != SQLITE_DONE) {
		sql_error(s, "audit verify", err);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Optional conditions of a query, in binding order. */
static const struct cond {
	size_t		 off;		/* in struct audit_query */
	const char	*name;
	const char	*sql;
	int		 nbind;
	int		 time;
} conds[] = {
#define Q(f) offsetof(struct audit_query, f), #f
	{ Q(target_type),	" AND target_type = ?", 1, 0 },
	{ Q(target),		" AND target = ?", 1, 0 },
	{ Q(actor),		" AND actor = ?", 1, 0 },
	{ Q(from),		" AND at >= ?", 1, 1 },
	{ Q(to),		" AND at < ?", 1, 1 },
	{ Q(action_prefix),	" AND substr(action, 1, length(?)) = ?", 2, 0 },
#undef Q
};
#define NCONDS	(sizeof(conds) / sizeof(conds[0]))

static const char *
cond_value(const struct audit_query *q, const struct cond *c)
{
	return *(const char *const *)(const void *)((const char *)q +
	    c->off);
}

/* Query strings are not stored: they need only be sane text. */
static int
query_check(const struct audit_query *q, struct lf_error *err)
{
	const char *v;
	size_t i, len;

	if (q->after_id < 0)
		return lf_error_set(err, "invalid", "after_id", "after_id 不能"
		    "为负 (after_id must not be negative)");
	if (q->limit < 0 || q->limit > AUDIT_LIMIT_MAX)
		return lf_error_set(err, "invalid", "limit", "limit 须在 1 到 "
		    "%d 之间 (limit must be 1..%d)", AUDIT_LIMIT_MAX,
		    AUDIT_LIMIT_MAX);
	for (i = 0; i < NCONDS; i++) {
		v = cond_value(q, &conds[i]);
		if (v == NULL)
			continue;
		len = strlen(v);
		if (len > AUDIT_FIELD_MAX || !text_ok(v, len))
			return lf_error_set(err, "invalid", conds[i].name,
			    "查询条件 %s 无效 (query parameter %s is too long "
			    "or not text)", conds[i].name, conds[i].name);
		if (conds[i].time && !time_ok(v, len, 1))
			return lf_error_set(err, "invalid", conds[i].name,
			    "查询时间 %s 格式错误 (query time %s must be "
			    "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
			    conds[i].name, conds[i].name);
	}
	return 0;
}

static int
query_prepare(struct store *s, const struct audit_query *q,
    sqlite3_stmt **st, struct lf_error *err)
{
	struct buf sql;
	size_t i;
	int k, idx = 1, rc = -1;
	const char *v;

	buf_init(&sql, SQL_MAX);
	if (buf_adds(&sql, "SELECT id, " COLS ", hash FROM audit WHERE "
	    "id > ?") != 0)
		goto nomem;
	for (i = 0; i < NCONDS; i++)
		if (cond_value(q, &conds[i]) != NULL &&
		    buf_adds(&sql, conds[i].sql) != 0)
			goto nomem;
	if (buf_adds(&sql, " ORDER BY id LIMIT ?") != 0)
		goto nomem;
	if (sqlite3_prepare_v2(s->db, buf_str(&sql), -1, st, NULL) !=
	    SQLITE_OK) {
		sql_error(s, "audit query", err);
		goto out;
	}
	sqlite3_bind_int64(*st, idx++, q->after_id);
	for (i = 0; i < NCONDS; i++) {
		v = cond_value(q, &conds[i]);
		if (v == NULL)
			continue;
		for (k = 0; k < conds[i].nbind; k++)
			sqlite3_bind_text(*st, idx++, v, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(*st, idx, q->limit ? q->limit : AUDIT_LIMIT_DEFAULT);
	rc = 0;
	goto out;
nomem:
	lf_error_nomem(err);
out:
	buf_free(&sql);
	return rc;
}

static void
row_from(sqlite3_stmt *st, struct audit_row *row)
{
	const char *v[NFIELDS];
	size_t len[NFIELDS], i;

	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(st, 0);
	row_fields(st, 1, v, len);
	for (i = 0; i < NFIELDS; i++)
		*(const char **)(void *)((char *)row + cols[i].roff) = v[i];
	if (sqlite3_column_bytes(st, NFIELDS + 1) == AUDIT_HASH_LEN)
		memcpy(row->hash, sqlite3_column_blob(st, NFIELDS + 1),
		    AUDIT_HASH_LEN);
}

int
audit_query(struct store *s, const struct audit_query *q, audit_row_fn fn,
    void *arg, struct lf_error *err)
{
	sqlite3_stmt *st = NULL;
	struct audit_row row;
	int rc = -1, step, stop;

	if (query_check(q, err) != 0 || query_prepare(s, q, &st, err) != 0)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		row_from(st, &row);
		stop = fn(arg, &row);
		if (stop != 0) {
			rc = stop;
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		sql_error(s, "audit query", err);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* ---- cleaning untrusted text ------------------------------------------ */

struct sink {
	char	*p;
	size_t	 n;
	size_t	 room;		/* bytes that may still be written */
};

static int
sink_put(struct sink *k, const char *s, size_t n)
{
	if (n > k->room)
		return -1;
	memcpy(k->p + k->n, s, n);
	k->n += n;
	k->room -= n;
	return 0;
}

/* Bytes of the valid, printable UTF-8 character at s; 0 if there is
 * none. */
static size_t
char_len(const char *s, size_t rest)
{
	unsigned char c = (unsigned char)s[0];
	size_t n;

	if (c < 0x20 || c == 0x7f)
		return 0;
	n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
	if (n == 0 || n > rest || !utf8_valid(s, n))
		return 0;
	return n;
}

/* Copies the run of digits at s, masked when it is long; its length or
 * 0 when it did not fit. */
static size_t
clean_digits(struct sink *k, const char *s, int *changed)
{
	size_t i, run = 0;

	while (is_digit(s[run]))
		run++;
	for (i = 0; i < run; i++)
		if (sink_put(k, run > DIGIT_RUN_MAX ? "*" : s + i, 1) != 0)
			return 0;
	*changed |= run > DIGIT_RUN_MAX;
	return run;
}

/* Copies one character or digit run at s; the bytes of input used, or 0
 * when out is full. */
static size_t
clean_one(struct sink *k, const char *s, size_t rest, int *changed)
{
	size_t n;

	if (is_digit(s[0]))
		return clean_digits(k, s, changed);
	n = char_len(s, rest);
	if (n == 0) {
		*changed = 1;
		return sink_put(k, "?", 1) == 0 ? 1 : 0;
	}
	return sink_put(k, s, n) == 0 ? n : 0;
}

int
audit_clean(const char *in, char *out, size_t outlen)
{
	struct sink k = { out, 0, outlen ? outlen - 1 : 0 };
	size_t i = 0, len, n;
	int changed = 0;

	if (outlen == 0)
		return in != NULL && *in != '\0';
	len = in ? strlen(in) : 0;
	while (i < len) {
		n = clean_one(&k, in + i, len - i, &changed);
		if (n == 0)
			break;
		i += n;
	}
	out[k.n] = '\0';
	return changed || i < len;
}

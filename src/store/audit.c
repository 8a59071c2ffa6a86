/*
 * audit.c - the audit log (audit.h): its schema, the chain, appending,
 * verifying and querying, written once in store/dbq.h's dialect for the
 * SQLite file and for PostgreSQL alike. The fields are declared once, in
 * audit_fields.c's audit_cols[] (audit_int.h): column order, chain order
 * and check order all come from that table.
 *
 * What differs by backend, and only that: the schema's types and its
 * append-only triggers (SQLite triggers, a PL/pgSQL trigger function),
 * and how appenders are serialized. On SQLite the writers' BEGIN
 * IMMEDIATE does it. On PostgreSQL every append first takes a
 * transaction-level advisory lock (AUDIT_PG_LOCK); under READ COMMITTED
 * the head read after it sees the previous appender's committed entry,
 * so appenders through any number of connections form one chain. The
 * lock writes nothing (a one-row head table read FOR UPDATE would need
 * an UPDATE, a dead row and WAL per entry, and the app role's UPDATE
 * right), and it is released by the commit or rollback that ends the
 * entry. The primary key on id stays the last guard: an appender that
 * skipped the lock gets a refused insert, never a fork.
 */
#include "store/audit.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "store/audit_int.h"
#include "store/dbq.h"
#include "store/store_int.h"

#define NFIELDS		AUDIT_NFIELDS
#define FORMAT_VERSION	1
#define APPEND_TRIES	5
#define SQL_MAX		2048
/* version, prev, id, then a length and the bytes of each field */
#define MSG_MAX		(1 + AUDIT_HASH_LEN + 8 + NFIELDS * 4 + \
			    (NFIELDS - 1) * AUDIT_FIELD_MAX + AUDIT_DETAIL_MAX)
/* pg_advisory_xact_lock's key: one appender at a time (store/pg/pg_int.h
 * has the others, 7103823445 and 7103823446) */
#define AUDIT_PG_LOCK	"7103823447"

#define COLS	"at, actor, role, action, target_type, target, result, " \
		"client, request_id, detail"

/* The table, its columns in audit_cols[]'s order, with each backend's
 * types. */
#define TABLE_SQL(INT, TEXT, BLOB) \
	"CREATE TABLE IF NOT EXISTS audit (" \
	" id " INT " PRIMARY KEY," \
	" at " TEXT " NOT NULL, actor " TEXT " NOT NULL," \
	" role " TEXT " NOT NULL, action " TEXT " NOT NULL," \
	" target_type " TEXT " NOT NULL, target " TEXT " NOT NULL," \
	" result " TEXT " NOT NULL, client " TEXT " NOT NULL," \
	" request_id " TEXT " NOT NULL, detail " TEXT " NOT NULL," \
	" prev " BLOB " NOT NULL, hash " BLOB " NOT NULL);"
#define TARGET_INDEX_SQL \
	"CREATE INDEX IF NOT EXISTS audit_target ON audit(target_type," \
	" target, id)"
#define INDEX_SQL_REST \
	"CREATE INDEX IF NOT EXISTS audit_actor ON audit(actor, id);" \
	"CREATE INDEX IF NOT EXISTS audit_at ON audit(at);"
#define INDEX_SQL	TARGET_INDEX_SQL ";" INDEX_SQL_REST
#define REFUSED	"audit log is append-only"
#define NOT_PAST REFUSED ": an entry must follow the newest one"

/*
 * SQLite: the entries naming a person are indexed behind the log, not by
 * audit_target (which holds the other targets only, a partial index):
 * audit_person holds (target, id) of every "person" entry up to the id
 * in audit_person_w, filled by audit_person_fill() in batches (the
 * server's audit writer, once a second). Each read of a person page
 * appends an entry for another person, so a by-person B-tree written at
 * every append changed one random leaf an entry, one more page in every
 * group commit's WAL and in the next checkpoint (docs/performance.md,
 * "the audit path"); the rest of the index only appends at its right
 * edge. audit_query() reads audit_person up to the mark and the entries
 * after it by id, so a query sees every entry whether filled or not.
 * Filling changes nothing of the entries, the chain or the anchor.
 * PostgreSQL keeps the one full index (pg_schema_sql).
 */
#define PERSON_SQL \
	"CREATE TABLE IF NOT EXISTS audit_person (target TEXT NOT NULL," \
	" id INTEGER NOT NULL, PRIMARY KEY (target, id)) WITHOUT ROWID;" \
	"CREATE TABLE IF NOT EXISTS audit_person_w (one INTEGER PRIMARY KEY" \
	" CHECK (one = 1), w INTEGER NOT NULL);" \
	"INSERT OR IGNORE INTO audit_person_w VALUES (1, 0);" \
	"CREATE TRIGGER IF NOT EXISTS audit_person_no_update BEFORE UPDATE" \
	" ON audit_person BEGIN SELECT RAISE(ABORT, '" REFUSED ": UPDATE" \
	" refused'); END;" \
	"CREATE TRIGGER IF NOT EXISTS audit_person_no_delete BEFORE DELETE" \
	" ON audit_person BEGIN SELECT RAISE(ABORT, '" REFUSED ": DELETE" \
	" refused'); END;" \
	"CREATE TRIGGER IF NOT EXISTS audit_person_w_back BEFORE UPDATE ON" \
	" audit_person_w WHEN NEW.w < OLD.w OR NEW.one <> 1 BEGIN SELECT" \
	" RAISE(ABORT, '" REFUSED ": the mark only moves on'); END;" \
	"CREATE TRIGGER IF NOT EXISTS audit_person_w_no_delete BEFORE DELETE" \
	" ON audit_person_w BEGIN SELECT RAISE(ABORT, '" REFUSED ": DELETE" \
	" refused'); END;"

/* The fill: every "person" entry after the mark, then the mark moved to
 * the newest entry (both in one transaction, so that audit_person holds
 * exactly the person entries up to the mark). */
static const char fill_sql[] =
	"INSERT OR IGNORE INTO audit_person (target, id) SELECT target, id"
	" FROM audit WHERE id > (SELECT w FROM audit_person_w) AND"
	" target_type = 'person' ORDER BY target, id;"
	"UPDATE audit_person_w SET w = (SELECT coalesce(max(id), 0) FROM"
	" audit) WHERE one = 1 AND w < (SELECT coalesce(max(id), 0) FROM"
	" audit);";

static const char schema_sql[] =
	TABLE_SQL("INTEGER", "TEXT", "BLOB")
	TARGET_INDEX_SQL " WHERE target_type <> 'person';" INDEX_SQL_REST
	PERSON_SQL
	"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, '" REFUSED ": UPDATE refused'); END;"
	"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, '" REFUSED ": DELETE refused'); END;"
	"CREATE TRIGGER IF NOT EXISTS audit_append_only BEFORE INSERT ON audit"
	" WHEN NEW.id IS NULL OR NEW.id <= coalesce((SELECT max(id) FROM"
	" audit), 0)"
	" BEGIN SELECT RAISE(ABORT, '" NOT_PAST "'); END;";

/* The objects schema_sql makes, all of them named here (audit_target
 * only as the partial index: a registry made before it has the full one,
 * which audit_init() replaces). */
static const char present_sql[] =
	"SELECT count(*) FROM sqlite_master WHERE tbl_name IN ('audit',"
	" 'audit_person', 'audit_person_w') AND name IN ('audit',"
	" 'audit_target', 'audit_actor', 'audit_at', 'audit_no_update',"
	" 'audit_no_delete', 'audit_append_only', 'audit_person',"
	" 'audit_person_w', 'audit_person_no_update', 'audit_person_no_delete',"
	" 'audit_person_w_back', 'audit_person_w_no_delete') AND (name <>"
	" 'audit_target' OR sql LIKE '%WHERE%')";
#define NOBJECTS	13
/* audit_target as it was before the partial index */
static const char full_target_sql[] =
	"SELECT count(*) FROM sqlite_master WHERE name = 'audit_target' AND"
	" sql NOT LIKE '%WHERE%'";

/*
 * PostgreSQL's: the same table and indexes, one trigger function for the
 * same refusals (and TRUNCATE's), with a fixed search_path; the app role
 * (liangfu_app, when the cluster has it) may only read and add entries.
 * No row-level security: the entries carry no region (audit_query()'s
 * caller, server/api/h_audit.c, scopes what a user may ask for), and an
 * appender must see the newest entry whoever wrote it.
 */
static const char pg_schema_sql[] =
	TABLE_SQL("bigint", "text COLLATE \"C\"", "bytea") INDEX_SQL "\n"
	"CREATE OR REPLACE FUNCTION liangfu_audit_append_only()\n"
	"  RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_OP = 'INSERT' THEN\n"
	"    IF NEW.id IS NULL OR NEW.id <= coalesce((SELECT max(id) FROM "
	"audit), 0)\n"
	"    THEN\n"
	"      RAISE EXCEPTION '" NOT_PAST "';\n"
	"    END IF;\n"
	"    RETURN NEW;\n"
	"  END IF;\n"
	"  RAISE EXCEPTION '" REFUSED ": % refused', TG_OP;\n"
	"END $$;\n"
	"DO $$ BEGIN EXECUTE format('ALTER FUNCTION liangfu_audit_append_only()"
	" SET search_path = pg_catalog, %I, pg_temp', current_schema()); "
	"END $$;\n"
	"CREATE OR REPLACE TRIGGER audit_no_update BEFORE UPDATE ON audit\n"
	"  FOR EACH ROW EXECUTE FUNCTION liangfu_audit_append_only();\n"
	"CREATE OR REPLACE TRIGGER audit_no_delete BEFORE DELETE ON audit\n"
	"  FOR EACH ROW EXECUTE FUNCTION liangfu_audit_append_only();\n"
	"CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION liangfu_audit_append_only();\n"
	"CREATE OR REPLACE TRIGGER audit_append_only BEFORE INSERT ON audit\n"
	"  FOR EACH ROW EXECUTE FUNCTION liangfu_audit_append_only();\n"
	"REVOKE ALL ON audit FROM PUBLIC;\n"
	"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
	"'liangfu_app') THEN\n"
	"  REVOKE ALL ON audit FROM liangfu_app;\n"
	"  GRANT SELECT, INSERT ON audit TO liangfu_app;\n"
	"END IF; END $$;\n";

/* The objects pg_schema_sql makes (table, indexes, triggers). */
static const char pg_present_sql[] =
	"SELECT (SELECT count(*) FROM pg_class WHERE relnamespace ="
	" current_schema()::regnamespace AND relname IN ('audit',"
	" 'audit_target', 'audit_actor', 'audit_at')) + (SELECT count(*)"
	" FROM pg_trigger WHERE tgrelid = to_regclass('audit') AND tgname IN"
	" ('audit_no_update', 'audit_no_delete', 'audit_no_truncate',"
	" 'audit_append_only'))";
#define PG_NOBJECTS	8

static const char head_sql[] =
	"SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1";
static const char insert_sql[] =
	"INSERT INTO audit(id, " COLS ", prev, hash) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char lock_sql[] =
	"SELECT pg_advisory_xact_lock(" AUDIT_PG_LOCK ")";

int
audit_pg_schema_sql(struct buf *b)
{
	return buf_adds(b, pg_schema_sql);
}

/* A failed statement's err as "busy" when SQLite's last error was a lock
 * (the appender retries then); -1. */
static int
busy(struct store *s, const char *what, struct lf_error *err)
{
	int rc;

	if (dbq_is_pg(s))
		return -1;
	rc = sqlite3_errcode(s->db) & 0xff;	/* BUSY_SNAPSHOT too */
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		lf_error_set(err, "busy", "", "数据库忙, 请稍后重试 (database "
		    "busy in %s: %s)", what, sqlite3_errmsg(s->db));
	return -1;
}

/* The number of sql's one-number answer, or -1 with err. */
static int64_t
count_of(struct store *s, const char *sql, struct lf_error *err)
{
	struct dbq q;
	int64_t n = -1;

	if (dbq_prep(s, &q, sql, "audit schema", err) == 0 &&
	    dbq_step(&q, err) == 1)
		n = dbq_int64(&q, 0);
	else
		busy(s, "audit schema", err);
	dbq_end(&q);
	return n;
}

int
audit_init(struct store *s, struct lf_error *err)
{
	int pg = dbq_is_pg(s), tx, rc;
	int64_t n;

	/* every connection opens with this: take no write lock when there
	 * is nothing to do */
	if ((n = count_of(s, pg ? pg_present_sql : present_sql, err)) < 0)
		return -1;
	if (n == (pg ? PG_NOBJECTS : NOBJECTS))
		return 0;
	if (dbq_tx_begin(s, &tx, err) != 0)
		return -1;
	rc = 0;
	/* SQLite: the full person index of an older registry goes; its
	 * person entries are filled into audit_person at once */
	if (!pg && (n = count_of(s, full_target_sql, err)) != 0)
		rc = n < 0 ? -1 : dbq_script(s, "DROP INDEX audit_target",
		    "audit schema", err);
	if (rc == 0)
		rc = dbq_script(s, pg ? pg_schema_sql : schema_sql,
		    "audit schema", err);
	if (rc == 0 && !pg)
		rc = dbq_script(s, fill_sql, "audit person index", err);
	if (rc != 0)
		busy(s, "audit schema", err);
	return dbq_tx_end(s, tx, rc, err);
}

int
audit_person_fill(struct store *s, struct lf_error *err)
{
	int tx, rc;

	if (dbq_is_pg(s))
		return 0;
	if (dbq_tx_begin(s, &tx, err) != 0)
		return busy(s, "audit person index", err);
	if ((rc = dbq_script(s, fill_sql, "audit person index", err)) != 0)
		busy(s, "audit person index", err);
	return dbq_tx_end(s, tx, rc, err);
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

/* A hash column of q's row: 1 when it holds AUDIT_HASH_LEN bytes (into
 * out), 0 when not, -1 with err when it could not be read (memory). */
static int
hash_col(struct dbq *q, int col, unsigned char out[AUDIT_HASH_LEN],
    struct lf_error *err)
{
	const void *p;
	size_t n;
	int bad;

	p = dbq_blob(q, col, &n, &bad);
	if (bad)
		return lf_error_nomem(err);
	if (p == NULL || n != AUDIT_HASH_LEN)
		return 0;
	memcpy(out, p, AUDIT_HASH_LEN);
	return 1;
}

/* The newest entry's id and hash; 0 and zeros when there is none. */
static int
last_entry(struct store *s, int64_t *id, unsigned char hash[AUDIT_HASH_LEN],
    struct lf_error *err)
{
	struct dbq q;
	int step, rc = -1;

	*id = 0;
	memset(hash, 0, AUDIT_HASH_LEN);
	if (dbq_keep(s, &q, ST_AUDIT_HEAD, head_sql, "audit head", err) != 0)
		goto out;
	if ((step = dbq_step(&q, err)) < 0) {
		busy(s, "audit head", err);
		goto out;
	}
	if (step == 1 && (rc = hash_col(&q, 1, hash, err)) != 1) {
		if (rc == 0)
			rc = lf_error_set(err, "corrupt", "hash", "审计日志最新"
			    "一条已损坏 (the newest audit entry has no valid "
			    "hash)");
		goto out;
	}
	if (step == 1)
		*id = dbq_int64(&q, 0);
	rc = 0;
out:
	dbq_end(&q);
	return rc;
}

int
audit_head(struct store *s, int64_t *id, unsigned char hash[AUDIT_HASH_LEN],
    struct lf_error *err)
{
	return last_entry(s, id, hash, err);
}

/* PostgreSQL: waits for the appenders' lock, held to the end of the
 * transaction (the file's comment says why). Nothing on SQLite, whose
 * write transaction already excludes other appenders. */
static int
serialize(struct store *s, struct lf_error *err)
{
	struct dbq q;
	int rc;

	if (!dbq_is_pg(s))
		return 0;
	rc = dbq_keep(s, &q, ST_AUDIT_LOCK, lock_sql, "audit lock", err);
	if (rc == 0 && dbq_exec(&q, err) != 0)
		rc = -1;
	dbq_end(&q);
	return rc;
}

static int
insert(struct store *s, int64_t id, const char *const v[NFIELDS],
    const unsigned char *prev, const unsigned char *hash,
    struct lf_error *err)
{
	struct dbq q;
	int i, rc;

	rc = dbq_keep(s, &q, ST_AUDIT_INSERT, insert_sql, "audit insert", err);
	if (rc == 0)
		rc = dbq_bind_int(&q, 1, id, err);
	for (i = 0; i < NFIELDS && rc == 0; i++)
		rc = dbq_bind_text(&q, i + 2, v[i], err);
	if (rc == 0 && (dbq_bind_blob(&q, NFIELDS + 2, prev, AUDIT_HASH_LEN,
	    err) != 0 || dbq_bind_blob(&q, NFIELDS + 3, hash, AUDIT_HASH_LEN,
	    err) != 0))
		rc = -1;
	if (rc == 0 && (rc = dbq_exec(&q, err)) < 0)
		busy(s, "audit insert", err);
	if (rc == 2)	/* the key or the append-only trigger */
		rc = lf_error_set(err, "store", "id", "审计条目被拒绝 (audit "
		    "insert: entry %lld is taken or not past the newest)",
		    (long long)id);
	dbq_end(&q);
	return rc;
}

/* Reads the head, hashes, inserts. Inside the caller's transaction no
 * savepoint is needed: the one statement that writes (the INSERT) is
 * undone by itself when it fails (dbq runs it under a savepoint on
 * PostgreSQL), and an error that undoes more undoes the caller's whole
 * transaction, savepoint or not. (The server's audit writer appends its
 * whole group in one transaction, so this saves two statements an
 * entry.) */
static int
append_once(struct store *s, int own, const char *const v[NFIELDS],
    const size_t len[NFIELDS], struct lf_error *err)
{
	unsigned char prev[AUDIT_HASH_LEN], hash[AUDIT_HASH_LEN];
	int64_t id;
	int tx = 0, rc = -1;

	if (own && dbq_tx_begin(s, &tx, err) != 0)
		return -1;
	if (serialize(s, err) != 0 || last_entry(s, &id, prev, err) != 0)
		goto out;
	/* the fields were checked, so they always encode */
	if (entry_hash(s, prev, id + 1, v, len, hash, err) != 0 ||
	    insert(s, id + 1, v, prev, hash, err) != 0)
		goto out;
	rc = 0;
out:
	return own ? dbq_tx_end(s, tx, rc, err) : rc;
}

int
audit_group_begin(struct store *s, int *tx, struct lf_error *err)
{
	return dbq_tx_begin(s, tx, err);
}

int
audit_group_end(struct store *s, int tx, int rc, struct lf_error *err)
{
	return dbq_tx_end(s, tx, rc, err);
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

	if (audit_collect(e, now, v, len, err) != 0)
		return -1;
	own = !dbq_in_tx(s);
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

/* ---- reading -------------------------------------------------------- */

/* Entries audit_verify() reads at a time (a statement per page: the whole
 * log is never held in memory, whatever the backend). */
#define VERIFY_PAGE	5000

static const char verify_sql[] =
	"SELECT id, " COLS ", prev, hash FROM audit WHERE id > ? "
	"ORDER BY id LIMIT ?";

/* The bytes of text column col of q's row (t, its text): SQLite's own
 * count, so that a value with a NUL inside (written by hand) is hashed
 * whole and fails; PostgreSQL's text holds no NUL. */
static size_t
text_len(struct dbq *q, int col, const char *t)
{
	if (dbq_is_pg(q->s))
		return strlen(t);
	return (size_t)sqlite3_column_bytes(q->st, col);
}

/* The fields of a row from column `first` on ("" for NULL). */
static void
row_fields(struct dbq *q, int first, const char *v[NFIELDS],
    size_t len[NFIELDS])
{
	int i;

	for (i = 0; i < NFIELDS; i++) {
		v[i] = dbq_text(q, first + i);
		len[i] = v[i] != NULL ? text_len(q, first + i, v[i]) : 0;
		if (v[i] == NULL)
			v[i] = "";
	}
}

/* Checks the row (id, fields, prev, hash) against the expected prev:
 * 1 good (expect becomes its hash), 0 bad, -1 error. */
static int
check_row(struct store *s, struct dbq *q, unsigned char *expect,
    struct lf_error *err)
{
	const char *v[NFIELDS];
	size_t len[NFIELDS];
	unsigned char h[AUDIT_HASH_LEN], col[AUDIT_HASH_LEN];
	int rc;

	if (dbq_int64(q, 0) < 1)
		return 0;
	row_fields(q, 1, v, len);
	if ((rc = hash_col(q, NFIELDS + 1, col, err)) != 1)
		return rc;
	if (memcmp(col, expect, AUDIT_HASH_LEN) != 0)
		return 0;
	rc = entry_hash(s, expect, dbq_int64(q, 0), v, len, h, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if ((rc = hash_col(q, NFIELDS + 2, col, err)) != 1)
		return rc;
	if (memcmp(col, h, AUDIT_HASH_LEN) != 0)
		return 0;
	memcpy(expect, h, AUDIT_HASH_LEN);
	return 1;
}

/* One page of entries after *last: checks them, counts them; *last
 * becomes the page's last id, *rows its entries. 0 or -1. */
static int
verify_page(struct store *s, int64_t *last, int *rows,
    unsigned char *expect, int64_t *first_bad, int64_t *count,
    struct lf_error *err)
{
	struct dbq q;
	int rc = -1, step, ok;
	int64_t id;

	*rows = 0;
	if (dbq_prep(s, &q, verify_sql, "audit verify", err) != 0 ||
	    dbq_bind(&q, err, "ii", *last, (int64_t)VERIFY_PAGE) != 0)
		goto out;
	while ((step = dbq_step(&q, err)) == 1) {
		(*rows)++;
		(*count)++;
		*last = id = dbq_int64(&q, 0);
		if (*first_bad != 0)
			continue;
		if ((ok = check_row(s, &q, expect, err)) < 0)
			goto out;
		if (ok == 0)
			*first_bad = id != 0 ? id : -1;
	}
	if (step == 0)
		rc = 0;
	else
		busy(s, "audit verify", err);
out:
	dbq_end(&q);
	return rc;
}

int
audit_verify(struct store *s, int64_t *first_bad, int64_t *count,
    struct lf_error *err)
{
	unsigned char expect[AUDIT_HASH_LEN];
	int64_t last = INT64_MIN;
	int rows;

	*first_bad = 0;
	*count = 0;
	memset(expect, 0, sizeof(expect));
	do {
		if (verify_page(s, &last, &rows, expect, first_bad, count,
		    err) != 0)
			return -1;
	} while (rows == VERIFY_PAGE);
	return 0;
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
	{ Q(action_prefix),	" AND substr(action, 1, length(CAST(? AS "
				    "text))) = ?", 2, 0 },
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
		if (len > AUDIT_FIELD_MAX || !audit_text_ok(v, len))
			return lf_error_set(err, "invalid", conds[i].name,
			    "查询条件 %s 无效 (query parameter %s is too long "
			    "or not text)", conds[i].name, conds[i].name);
		if (conds[i].time && !audit_time_ok(v, len, 1))
			return lf_error_set(err, "invalid", conds[i].name,
			    "查询时间 %s 格式错误 (query time %s must be "
			    "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
			    conds[i].name, conds[i].name);
	}
	return 0;
}

/* SQLite, a query by person: through audit_person (see PERSON_SQL). */
static int
by_person(struct store *s, const struct audit_query *q)
{
	return !dbq_is_pg(s) && q->target_type != NULL && q->target != NULL &&
	    strcmp(q->target_type, "person") == 0;
}

/* Appends the set conditions to sql: 0, or -1 when out of memory. On
 * SQLite a query by another target type says so as a literal too, which
 * lets the partial audit_target index serve it. */
static int
conds_sql(struct store *s, const struct audit_query *q, struct buf *sql)
{
	size_t i;

	for (i = 0; i < NCONDS; i++)
		if (cond_value(q, &conds[i]) != NULL &&
		    buf_adds(sql, conds[i].sql) != 0)
			return -1;
	if (!dbq_is_pg(s) && q->target_type != NULL &&
	    strcmp(q->target_type, "person") != 0 &&
	    buf_adds(sql, " AND target_type <> 'person'") != 0)
		return -1;
	return 0;
}

/* Binds the set conditions from *idx on. */
static int
conds_bind(const struct audit_query *q, struct dbq *st, int *idx,
    struct lf_error *err)
{
	const char *v;
	size_t i;
	int k;

	for (i = 0; i < NCONDS; i++) {
		v = cond_value(q, &conds[i]);
		for (k = 0; v != NULL && k < conds[i].nbind; k++)
			if (dbq_bind_text(st, (*idx)++, v, err) != 0)
				return -1;
	}
	return 0;
}

#define SELECT_SQL	"SELECT id, " COLS ", hash FROM audit WHERE "

/*
 * The query's statement, its conditions bound. By person on SQLite: the
 * filled part through audit_person, then the entries after its mark (a
 * range of ids), each with every condition.
 */
static int
query_prepare(struct store *s, const struct audit_query *q,
    struct dbq *st, struct lf_error *err)
{
	struct buf sql;
	int idx = 1, rc = -1, person = by_person(s, q);

	memset(st, 0, sizeof(*st));
	buf_init(&sql, SQL_MAX);
	if (person && (buf_adds(&sql, SELECT_SQL "id IN (SELECT id FROM "
	    "audit_person WHERE target = ? AND id > ?)") != 0 ||
	    conds_sql(s, q, &sql) != 0 || buf_adds(&sql, " UNION ALL "
	    SELECT_SQL "id > max(?, (SELECT w FROM audit_person_w))") != 0))
		goto nomem;
	if (!person && buf_adds(&sql, SELECT_SQL "id > ?") != 0)
		goto nomem;
	if (conds_sql(s, q, &sql) != 0 ||
	    buf_adds(&sql, " ORDER BY id LIMIT ?") != 0)
		goto nomem;
	if (dbq_prep(s, st, buf_str(&sql), "audit query", err) != 0)
		goto out;
	if (person && (dbq_bind_text(st, idx++, q->target, err) != 0 ||
	    dbq_bind_int(st, idx++, q->after_id, err) != 0 ||
	    conds_bind(q, st, &idx, err) != 0))
		goto out;
	if (dbq_bind_int(st, idx++, q->after_id, err) != 0 ||
	    conds_bind(q, st, &idx, err) != 0)
		goto out;
	rc = dbq_bind_int(st, idx, q->limit ? q->limit : AUDIT_LIMIT_DEFAULT,
	    err);
	goto out;
nomem:
	lf_error_nomem(err);
out:
	buf_free(&sql);
	return rc;
}

/* q's row as an audit_row; -1 with err when its hash cannot be read. */
static int
row_from(struct dbq *q, struct audit_row *row, struct lf_error *err)
{
	const char *v[NFIELDS];
	size_t len[NFIELDS], i;

	memset(row, 0, sizeof(*row));
	row->id = dbq_int64(q, 0);
	row_fields(q, 1, v, len);
	for (i = 0; i < NFIELDS; i++)
		*(const char **)(void *)((char *)row + audit_cols[i].roff) =
		    v[i];
	return hash_col(q, NFIELDS + 1, row->hash, err) < 0 ? -1 : 0;
}

int
audit_query(struct store *s, const struct audit_query *q, audit_row_fn fn,
    void *arg, struct lf_error *err)
{
	struct dbq st;
	struct audit_row row;
	int rc = -1, step, stop;

	memset(&st, 0, sizeof(st));
	if (query_check(q, err) != 0 || query_prepare(s, q, &st, err) != 0)
		goto out;
	while ((step = dbq_step(&st, err)) == 1) {
		if (row_from(&st, &row, err) != 0)
			goto out;
		if ((stop = fn(arg, &row)) != 0) {
			rc = stop;
			goto out;
		}
	}
	if (step == 0)
		rc = 0;
	else
		busy(s, "audit query", err);
out:
	dbq_end(&st);
	return rc;
}

/*
 * pg_store.c - creating, opening and closing a PostgreSQL registry, its
 * bulk transactions and counts (pg_int.h).
 */
#include "store/pg/pg_int.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/embedded.h"
#include "lib/mem.h"
#include "core/policy.h"

/* 2: the persons(id_hash) index a load finds persons by, and
 * liangfu_ids_back() instead of the app role's UPDATE on persons_id_seq
 * (pg_schema.c). 3: liangfu_plan_ids() (and the plans(id) index it
 * reads) instead of the app role's UPDATE on plans_id_seq and
 * items_id_seq. 4: users ids from users_id_seq and the sessions table
 * (store/users_rows.c runs on PostgreSQL), with row-level security on
 * both. 5: the audit log (store/audit.c's table, triggers and the app
 * role's SELECT and INSERT on it). 6: the accounts' row-level security
 * lets the app role see the principal of a login or a session check
 * (liangfu.login, liangfu.user, liangfu.token; pg_schema.c), so that
 * `serve` runs through the app role. 7: the deliveries table
 * (partitioned, row-level security, append-only for the app role) and
 * the partial indexes of items' and deliveries' client ids
 * (pg_schema.c's deliveries_sql()); the tables of feedback and
 * self-service (pg_feedback.c: feedback, self_codes, self_sessions
 * person-owned with row-level security that also shows the code or
 * session whose hash is liangfu.token; self_throttle without county);
 * of reconciliation and need-supply matching (pg_recon.c: rosters,
 * roster_rows, recon_tasks partitioned by city with row-level security,
 * supply_stock and its history scoped by county); of spot checks and
 * data-quality findings (pg_rowtables.c: samples, check_tasks,
 * check_results, findings, finding_events); and statement triggers on
 * persons, surveys, plans and items that send NOTIFY liangfu_stats at
 * commit (pg_watch.c), which keeps the server's statistics current. A
 * registry of format 1 to 6 is upgraded when the owner role opens it
 * (upgrade()); any other role is refused until then. */
#define PG_FORMAT_TAG	"liangfu-registry-pg 7"
#define PG_FORMAT_OLD	"liangfu-registry-pg "

/* 1 when the database already holds a liangfu schema, 0 when not. */
static int
has_schema(PGconn *c, struct lf_error *err)
{
	PGresult *r;
	int yes;

	if (pg_query(c, "SELECT to_regclass('meta') IS NOT NULL", 0, NULL, &r,
	    "schema", err) != 0)
		return -1;
	yes = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return yes;
}

static int
write_schema(PGconn *c, const struct catalog *cat, const struct regions *rs,
    const struct policies *ps, struct lf_error *err)
{
	struct buf sql;
	char now[21];
	int rc = -1;

	buf_init(&sql, 1 << 22);
	store_now_iso(now);
	if (pg_schema_sql(cat, rs, &sql) != 0 || buf_addf(&sql, "INSERT INTO "
	    "meta VALUES ('format', '%s'), ('created_at', '%s');",
	    PG_FORMAT_TAG, now) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (pg_exec(c, "BEGIN", "begin", err) != 0)
		goto out;
	if (pg_exec(c, buf_str(&sql), "schema", err) != 0 ||
	    pg_reference_load(c, cat, rs, ps, err) != 0 ||
	    pg_exec(c, "COMMIT", "commit", err) != 0) {
		pg_exec(c, "ROLLBACK", "rollback", err);
		goto out;
	}
	rc = 0;
out:
	buf_free(&sql);
	return rc;
}

/* The built-in region table (the one the commands use). */
static int
regions_builtin(struct regions **out, struct lf_error *err)
{
	struct embedded_file f;

	if (embedded_get("data/regions-sichuan.tsv", &f) != 0)
		return lf_error_set(err, "internal", "", "built-in region table "
		    "missing");
	return regions_parse(f.data, f.len, f.name, out, err);
}

static int
create_in(PGconn *c, const struct catalog *cat, const char *key,
    struct lf_error *err)
{
	struct regions *rs = NULL;
	struct policies *ps = NULL;
	char msg[256];
	int rc = -1, e;

	if ((e = has_schema(c, err)) != 0)
		return e < 0 ? -1 : lf_error_set(err, "exists", "", "该 "
		    "PostgreSQL 库已有 liangfu 表, 不会覆盖 (the database "
		    "already holds a liangfu registry; not overwritten)");
	if (regions_builtin(&rs, err) != 0 ||
	    policies_load_embedded(cat, &ps, err) != 0)
		goto out;
	if (crypto_keys_create(key, msg, sizeof(msg)) != 0) {
		lf_error_set(err, "keys", "", "%s: %s", key, msg);
		goto out;
	}
	if ((rc = write_schema(c, cat, rs, ps, err)) != 0)
		unlink(key);
out:
	policies_free(ps);
	regions_free(rs);
	return rc;
}

int
pg_store_create(const char *url, const struct catalog *cat,
    struct lf_error *err)
{
	const char *key = pg_keyfile(err);
	struct stat sb;
	PGconn *c;
	int rc;

	if (key == NULL)
		return -1;
	if (stat(key, &sb) == 0)
		return lf_error_set(err, "exists", "", "%s 已存在, 不会覆盖 "
		    "(key file already exists; not overwritten)", key);
	if (pg_connect(url, &c, err) != 0)
		return -1;
	rc = create_in(c, cat, key, err);
	PQfinish(c);
	return rc;
}

/* The registry's format tag into tag ("" when none). */
static int
format_of(PGconn *c, char *tag, size_t n, struct lf_error *err)
{
	PGresult *r;

	if (pg_query(c, "SELECT value FROM meta WHERE key = 'format'", 0,
	    NULL, &r, "format", err) != 0)
		return -1;
	snprintf(tag, n, "%s", PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return 0;
}

/* 1 when the connecting role has its tables' owner's rights. */
static int
owns_tables(PGconn *c, struct lf_error *err)
{
	PGresult *r;
	int yes;

	if (pg_query(c, "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class "
	    "WHERE oid = 'persons'::regclass", 0, NULL, &r, "format", err) != 0)
		return -1;
	yes = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return yes;
}

/* Format 1 to 6 to this format, in one transaction under the load lock
 * and the plan build lock (no load or plan build runs meanwhile; a
 * second process opening it at the same time waits, then runs the same
 * statements again, which change nothing). */
static int
upgrade(PGconn *c, struct lf_error *err)
{
	struct lf_error e;
	struct buf sql;
	int rc = -1;

	buf_init(&sql, 1 << 16);
	if (pg_schema_upgrade_sql(&sql) != 0 || buf_adds(&sql, "UPDATE meta "
	    "SET value = '" PG_FORMAT_TAG "' WHERE key = 'format';") != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (pg_exec(c, "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT "
	    "pg_advisory_xact_lock(" PG_LOAD_LOCK "); SELECT "
	    "pg_advisory_xact_lock(" PG_PLAN_LOCK ")", "upgrade", err) != 0)
		goto out;
	if (pg_exec(c, buf_str(&sql), "upgrade", err) != 0 ||
	    pg_exec(c, "COMMIT", "upgrade", err) != 0) {
		pg_exec(c, "ROLLBACK", "rollback", &e);
		goto out;
	}
	rc = 0;
out:
	buf_free(&sql);
	return rc;
}

static int
check_format(PGconn *c, struct lf_error *err)
{
	char tag[64];
	const char *old;
	int own;

	if (has_schema(c, err) != 1)
		return lf_error_set(err, "format", "", "该 PostgreSQL 库不是 "
		    "liangfu 库 (no liangfu registry in that database: run "
		    "liangfu init first)");
	if (format_of(c, tag, sizeof(tag), err) != 0)
		return -1;
	if (strcmp(tag, PG_FORMAT_TAG) == 0)
		return 0;
	old = strncmp(tag, PG_FORMAT_OLD, sizeof(PG_FORMAT_OLD) - 1) == 0 ?
	    tag + sizeof(PG_FORMAT_OLD) - 1 : "";
	if (strcmp(old, "1") != 0 && strcmp(old, "2") != 0 &&
	    strcmp(old, "3") != 0 && strcmp(old, "4") != 0 &&
	    strcmp(old, "5") != 0 && strcmp(old, "6") != 0)
		return lf_error_set(err, "format", "", "PostgreSQL 库的格式"
		    "版本不符 (another format version)");
	if ((own = owns_tables(c, err)) < 0)
		return -1;
	if (!own)
		return lf_error_set(err, "format", "", "PostgreSQL 库为旧格式 "
		    "%s, 须由表的所有者角色升级 (the registry has format %s: run "
		    "any command once as the owner role, e.g. liangfu_owner, "
		    "which upgrades it; see docs/postgresql.md)", old, old);
	return upgrade(c, err);
}

int
pg_store_open(struct store *s, const char *url, struct lf_error *err)
{
	const char *key = pg_keyfile(err);
	char msg[256];

	if (key == NULL)
		return -1;
	if ((s->pg = mem_calloc(1, sizeof(*s->pg))) == NULL)
		return lf_error_nomem(err);
	buf_init(&s->pg->persons, (size_t)1 << 30);
	buf_init(&s->pg->surveys, (size_t)1 << 30);
	buf_init(&s->pg->history, (size_t)1 << 30);
	if ((s->pg->url = mem_strdup(url)) == NULL)
		return lf_error_nomem(err);
	if (crypto_keys_load(key, &s->keys, msg, sizeof(msg)) != 0)
		return lf_error_set(err, "keys", "", "%s: %s", key, msg);
	if (pg_connect(url, &s->pg->conn, err) != 0)
		return -1;
	return check_format(s->pg->conn, err);
}

void
pg_store_close(struct store *s)
{
	struct pgstore *p = s->pg;

	if (p == NULL)
		return;
	if (p->conn != NULL && p->bulk)
		pg_put_rollback(s);
	if (p->conn != NULL && p->in_tx)
		PQclear(PQexec(p->conn, "ROLLBACK"));
	PQclear(p->cache_plans);
	PQclear(p->cache_items);
	PQfinish(p->conn);
	pg_put_free(s);
	buf_free(&p->persons);
	buf_free(&p->surveys);
	buf_free(&p->history);
	mem_free(p->url);
	mem_free(p);
	s->pg = NULL;
}

int
pg_begin_bulk(struct store *s, struct lf_error *err)
{
	struct pgstore *p = s->pg;

	if (p->in_tx)
		return lf_error_set(err, "internal", "", "事务已开始 "
		    "(transaction already open)");
	if (pg_tx_begin(s, 1, err) < 0)
		return -1;
	p->bulk = p->puts = 1;
	p->pending = 0;
	buf_reset(&p->persons);
	buf_reset(&p->surveys);
	buf_reset(&p->history);
	store_now_iso(p->now);
	if (pg_put_begin(s, err) != 0) {
		pg_rollback(s);
		return -1;
	}
	return 0;
}

int
pg_commit(struct store *s, struct lf_error *err)
{
	struct pgstore *p = s->pg;

	if (pg_copy_flush(s, err) != 0 || pg_put_commit(s, err) != 0 ||
	    pg_exec(p->conn, "COMMIT", "commit", err) != 0) {
		pg_rollback(s);
		return -1;
	}
	p->in_tx = p->bulk = p->puts = p->locked = 0;
	pg_put_end(s);
	return 0;
}

void
pg_rollback(struct store *s)
{
	struct pgstore *p = s->pg;

	if (p->bulk)
		pg_put_rollback(s);
	if (p->in_tx)
		PQclear(PQexec(p->conn, "ROLLBACK"));
	p->in_tx = p->bulk = p->puts = p->locked = 0;
	p->pending = 0;
	buf_reset(&p->persons);
	buf_reset(&p->surveys);
	buf_reset(&p->history);
	pg_put_end(s);
}

int
pg_count(struct store *s, const char *what, int64_t *n,
    struct lf_error *err)
{
	char sql[64];
	PGresult *r;
	int own;

	if (store_count_sql(what, sql, err) != 0)
		return -1;
	if ((own = pg_tx_begin(s, 0, err)) < 0)
		return -1;
	if (pg_query(s->pg->conn, sql, 0, NULL, &r, "count", err) != 0) {
		pg_tx_end(s, own, NULL);
		return -1;
	}
	*n = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return pg_tx_end(s, own, err);
}

/* Sets the scope and the principal for the open transaction (SET
 * LOCAL); none set: nothing to do. */
static int
settings_apply(struct store *s, struct lf_error *err)
{
	struct pgstore *p = s->pg;
	const char *params[4] = { p->scope, p->auth_login, p->auth_user,
	    p->auth_token };
	PGresult *r;

	if (p->scope[0] == '\0' && p->auth_login[0] == '\0' &&
	    p->auth_user[0] == '\0' && p->auth_token[0] == '\0')
		return 0;
	if (pg_query(p->conn, "SELECT set_config('liangfu.region', $1, "
	    "true), set_config('liangfu.login', $2, true), "
	    "set_config('liangfu.user', $3, true), "
	    "set_config('liangfu.token', $4, true)", 4, params, &r,
	    "scope", err) != 0)
		return -1;
	PQclear(r);
	return 0;
}

int
pg_tx_begin(struct store *s, int write, struct lf_error *err)
{
	struct pgstore *p = s->pg;

	if (p->in_tx)
		return 0;
	/* a write transaction reads what others committed while it waited
	 * (a load on the load lock, the previous load's persons), whatever
	 * the server's default_transaction_isolation */
	if (pg_exec(p->conn, write ? "BEGIN ISOLATION LEVEL READ COMMITTED" :
	    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin", err)
	    != 0)
		return -1;
	p->in_tx = 1;
	if (settings_apply(s, err) != 0) {
		pg_tx_end(s, 1, NULL);
		return -1;
	}
	return 1;
}

int
pg_settings_now(struct store *s, struct lf_error *err)
{
	if (!s->pg->in_tx)
		return 0;
	return settings_apply(s, err);
}

int
pg_tx_end(struct store *s, int own, struct lf_error *err)
{
	struct pgstore *p = s->pg;
	struct lf_error e;

	if (own != 1)
		return 0;
	p->in_tx = 0;
	if (err != NULL && pg_exec(p->conn, "COMMIT", "commit", err) == 0)
		return 0;
	pg_exec(p->conn, "ROLLBACK", "rollback", &e);
	return -1;
}

int
pg_lost(const struct store *s)
{
	return s->pg != NULL && (s->pg->conn == NULL ||
	    PQstatus(s->pg->conn) == CONNECTION_BAD);
}

int
pg_reconnect(struct store *s, struct lf_error *err)
{
	struct pgstore *p = s->pg;
	PGconn *c;

	if (!pg_lost(s))
		return 0;
	if (pg_connect(p->url, &c, err) != 0)
		return lf_error_set(err, "unavailable", "", "PostgreSQL 不可用 "
		    "(PostgreSQL is unavailable: %s)", err->message);
	PQfinish(p->conn);
	p->conn = c;
	p->in_tx = p->bulk = p->puts = p->locked = 0;
	pg_put_lost(s);
	memset(p->kept, 0, sizeof(p->kept));
	memset(p->kept_write, 0, sizeof(p->kept_write));
	PQclear(p->cache_plans);
	PQclear(p->cache_items);
	p->cache_plans = p->cache_items = NULL;
	return 0;
}

int
pg_set_scope(struct store *s, const char *region, struct lf_error *err)
{
	size_t n = region != NULL ? strlen(region) : 0;

	if (region == NULL) {		/* a new request: no one yet */
		s->pg->scope[0] = '\0';
		pg_set_auth(s, NULL, 0, NULL, 1);
		return 0;
	}
	if (n < 2 || n > 12 || strspn(region, "0123456789") != n)
		return lf_error_set(err, "invalid", "region", "区划代码无效 "
		    "(a region code has 2 to 12 digits)");
	memcpy(s->pg->scope, region, n + 1);
	return 0;
}

void
pg_set_auth(struct store *s, const char *login, int64_t user,
    const unsigned char *token, int clear)
{
	struct pgstore *p = s->pg;
	size_t i;

	if (clear)
		p->auth_login[0] = p->auth_user[0] = p->auth_token[0] = '\0';
	if (login != NULL)
		snprintf(p->auth_login, sizeof(p->auth_login), "%s", login);
	if (user > 0)
		snprintf(p->auth_user, sizeof(p->auth_user), "%lld",
		    (long long)user);
	if (token != NULL)
		for (i = 0; i < CRYPTO_HASH_LEN; i++)
			snprintf(p->auth_token + 2 * i, 3, "%02x", token[i]);
}

/*
 * pg_schema.c - the PostgreSQL schema, generated from the field catalog
 * like the SQLite one (store_schema.c), and its reference rows.
 *
 * Every person-owned table (persons, surveys, history, plans, items)
 * carries the city (4 digits) and county (6 digits) of the person's
 * village, is
 * partitioned by LIST (city) with one partition per city of the region
 * table and a DEFAULT one, and has the county in every primary, unique
 * and foreign key, so that Citus can distribute it by county
 * (docs/postgresql.md lists the commands). Regions, catalog items,
 * policies and users are small reference tables.
 *
 * The survey keeps one typed column per catalog item (secret items: a
 * sealed bytea and its lookup hash), not a packed record: PostgreSQL
 * stores a row's NULLs as a bitmap, so a sparse wide row costs little,
 * and typed columns let roll-ups run as SQL next to the data (a Citus
 * worker aggregates its own counties). Users and sessions: users_sql
 * below.
 *
 * The plan tables' columns are derived from SQLite's own definition
 * (plan_tables_sql() below).
 *
 * The audit log's table, triggers and rights come from store/audit.c
 * (audit_pg_schema_sql()), next to SQLite's.
 *
 * Row-level security: every person-owned table shows a role other
 * than their owner only the rows of the county (or city, or province)
 * named by the setting liangfu.region, which the application sets per
 * transaction (SET LOCAL) from the authenticated user; unset, no row.
 */
#include "store/pg/pg_int.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core/policy.h"
#include "store/audit_int.h"
#include "store/plan_int.h"

static const char person_tables[] =
	"CREATE TABLE meta(key text PRIMARY KEY, value text NOT NULL);\n"
	"CREATE TABLE regions(code text PRIMARY KEY, parent text,\n"
	"  level text NOT NULL, name text NOT NULL);\n"
	"CREATE TABLE catalog_items(code text PRIMARY KEY,\n"
	"  position integer NOT NULL, type text NOT NULL,\n"
	"  label_zh text NOT NULL, label_en text NOT NULL,\n"
	"  secret boolean NOT NULL);\n"
	"CREATE TABLE policies(code text PRIMARY KEY, name_zh text NOT NULL,\n"
	"  name_en text NOT NULL, dept text);\n"
	"CREATE SEQUENCE persons_id_seq;\n"
	"CREATE SEQUENCE history_id_seq;\n"
	"CREATE TABLE persons(\n"
	"  city text NOT NULL, county text NOT NULL,\n"
	"  id bigint NOT NULL DEFAULT nextval('persons_id_seq'),\n"
	"  uid text NOT NULL, id_hash bytea NOT NULL, id_enc bytea NOT NULL,\n"
	"  name text NOT NULL, gender smallint NOT NULL,\n"
	"  birth_date date NOT NULL, region text NOT NULL,\n"
	"  status smallint NOT NULL CHECK (status BETWEEN 1 AND 3),\n"
	"  version bigint NOT NULL,\n"
	"  created_at timestamptz NOT NULL, created_by text NOT NULL,\n"
	"  updated_at timestamptz NOT NULL, updated_by text NOT NULL,\n"
	"  CHECK (county = left(region, 6) AND city = left(region, 4)),\n"
	"  PRIMARY KEY (city, county, id),\n"
	"  UNIQUE (city, county, id_hash), UNIQUE (city, county, uid)\n"
	") PARTITION BY LIST (city);\n"
	"CREATE TABLE history(\n"
	"  city text NOT NULL, county text NOT NULL,\n"
	"  id bigint NOT NULL DEFAULT nextval('history_id_seq'),\n"
	"  entity text NOT NULL, entity_id bigint NOT NULL,\n"
	"  person_id bigint NOT NULL, year integer NOT NULL,\n"
	"  version bigint NOT NULL, actor text NOT NULL,\n"
	"  at timestamptz NOT NULL, changes text NOT NULL,\n"
	"  PRIMARY KEY (city, county, id),\n"
	"  FOREIGN KEY (city, county, person_id)\n"
	"    REFERENCES persons (city, county, id)\n"
	") PARTITION BY LIST (city);\n";

static const char tail_sql[] =
	"CREATE INDEX persons_region ON persons(region);\n"
	"CREATE INDEX persons_name ON persons(name);\n"
	"CREATE INDEX persons_idx_id ON persons(id);\n"
	/* a load finds a person by ID number whatever their county */
	"CREATE INDEX persons_hash ON persons(id_hash);\n"
	"CREATE INDEX surveys_year ON surveys(year, person_id);\n"
	"CREATE INDEX history_person ON history(person_id, id);\n"
	"CREATE INDEX plans_person ON plans(person_id, year);\n"
	"CREATE INDEX plans_region ON plans(year, region);\n"
	/* the largest plan id, which liangfu_plan_ids() reads at every
	 * flush of a plan build */
	"CREATE INDEX plans_idx_id ON plans(id);\n"
	"CREATE INDEX items_person ON items(year, person_id, seq);\n"
	"CREATE INDEX items_carry ON items(year, person_id, seq) WHERE "
	PLAN_CARRY_WHERE ";\n";

/* The policy of every person-owned table: the county must start with
 * the first six digits of liangfu.region (province "51", city "5101",
 * county "510104" or finer); unset or empty, nothing matches. */
static const char rls_sql[] =
	"CREATE FUNCTION liangfu_scope() RETURNS text LANGUAGE sql STABLE\n"
	"  AS $$ SELECT left(nullif(current_setting('liangfu.region', true),"
	" ''), 6) $$;\n";

/*
 * The accounts (store/users_rows.c, written once for both backends in
 * dbq.h's dialect): users and sessions with SQLite's columns, ids from a
 * sequence (RETURNING id). Every statement may run again: a registry of
 * format 3, whose users table had no id default and which had no
 * sessions, gets them from the owner role's upgrade (pg_store.c); the
 * sequence is moved past the largest user id there.
 *
 * Row-level security mirrors the C access checks (server/access.c,
 * users_list()'s region prefix): through the app role, scoped to a
 * region (liangfu.region, liangfu_scope()), an account is seen, added
 * and changed only when its region code starts with the scope's (a
 * county manager sees the county's accounts, not the city's nor another
 * county's); a session only with its account. Unscoped, the app role
 * sees no account but the principal of a login or a session check
 * (format 6): the account named by liangfu.login or liangfu.user, and
 * the session whose token hash is liangfu.token with its account
 * (dbq_auth(), set only by users_rows.c for the call that needs it and
 * cleared with the scope at every request). The owner role is not
 * confined.
 */
static const char users_sql[] =
	"CREATE TABLE IF NOT EXISTS users(id bigint PRIMARY KEY,\n"
	"  login text NOT NULL UNIQUE,\n"
	"  role text NOT NULL, region text NOT NULL, department text,\n"
	"  pw_hash text NOT NULL, disabled smallint NOT NULL DEFAULT 0,\n"
	"  failed_count integer NOT NULL DEFAULT 0,\n"
	"  locked_until bigint NOT NULL DEFAULT 0,\n"
	"  created_at bigint NOT NULL, updated_at bigint NOT NULL,\n"
	"  pw_changed_at bigint NOT NULL);\n"
	"CREATE SEQUENCE IF NOT EXISTS users_id_seq OWNED BY users.id;\n"
	"SELECT setval('users_id_seq', m) FROM (SELECT max(id) AS m FROM "
	"users) x\n"
	"  WHERE m IS NOT NULL AND m >= (SELECT CASE WHEN is_called THEN\n"
	"  last_value + 1 ELSE last_value END FROM users_id_seq);\n"
	"ALTER TABLE users ALTER COLUMN id SET DEFAULT nextval('users_id_seq');\n"
	"CREATE INDEX IF NOT EXISTS users_region ON users(region);\n"
	"CREATE SEQUENCE IF NOT EXISTS sessions_id_seq;\n"
	"CREATE TABLE IF NOT EXISTS sessions(\n"
	"  id bigint PRIMARY KEY DEFAULT nextval('sessions_id_seq'),\n"
	"  token_hash bytea NOT NULL UNIQUE,\n"
	"  user_id bigint NOT NULL REFERENCES users(id),\n"
	"  csrf text NOT NULL, created_at bigint NOT NULL,\n"
	"  last_seen bigint NOT NULL, expires_at bigint NOT NULL,\n"
	"  revoked integer NOT NULL DEFAULT 0);\n"
	"ALTER SEQUENCE sessions_id_seq OWNED BY sessions.id;\n"
	"CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);\n"
	"ALTER TABLE users ENABLE ROW LEVEL SECURITY;\n"
	"ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;\n"
	/* the principal a login or a session check is about (dbq_auth()) */
	"CREATE OR REPLACE FUNCTION liangfu_auth_user() RETURNS bigint\n"
	"  LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting("
	"'liangfu.user', true), '')::bigint $$;\n"
	"CREATE OR REPLACE FUNCTION liangfu_auth_token() RETURNS bytea\n"
	"  LANGUAGE sql STABLE AS $$ SELECT decode(nullif(current_setting("
	"'liangfu.token', true), ''), 'hex') $$;\n"
	/* the account of the session whose token hash is liangfu.token,
	 * read as the owner: sessions' own policy asks users', which must
	 * not ask sessions' again (a recursion PostgreSQL refuses) */
	"CREATE OR REPLACE FUNCTION liangfu_token_user() RETURNS bigint\n"
	"  LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT user_id FROM "
	"sessions\n"
	"  WHERE token_hash = liangfu_auth_token() $$;\n"
	"DO $$ BEGIN EXECUTE format('ALTER FUNCTION liangfu_token_user() "
	"SET search_path = pg_catalog, %I, pg_temp', current_schema()); "
	"END $$;\n"
	"DROP POLICY IF EXISTS users_region ON users;\n"
	"CREATE POLICY users_region ON users\n"
	"  USING (starts_with(region, liangfu_scope()) OR login =\n"
	"  nullif(current_setting('liangfu.login', true), '') OR id =\n"
	"  liangfu_auth_user() OR id = liangfu_token_user());\n"
	"DROP POLICY IF EXISTS sessions_user ON sessions;\n"
	"CREATE POLICY sessions_user ON sessions\n"
	"  USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id) OR\n"
	"  token_hash = liangfu_auth_token());\n";

/*
 * The one way to move persons_id_seq back (a load gives back the ids it
 * took and did not use, pg_put.c): the application's role has USAGE on
 * the sequence (nextval) but not UPDATE (setval, which could rewind it
 * and hand out ids again, the same id in two counties). Run as the
 * owner (SECURITY DEFINER, a fixed search_path: pg_catalog, the schema
 * the tables are made in, pg_temp last), so that the largest person id
 * is read past row-level security. It only lowers the sequence, down to
 * the largest person id + 1, and only for a caller that holds the load
 * lock (PG_LOAD_LOCK, a bigint advisory key: objsubid 1) in its own
 * backend.
 */
static const char ids_back_sql[] =
	"CREATE OR REPLACE FUNCTION liangfu_ids_back(want bigint)\n"
	"  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $$\n"
	"DECLARE lo bigint; hi bigint;\n"
	"BEGIN\n"
	"  IF NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'\n"
	"      AND pid = pg_backend_pid() AND granted AND objsubid = 1\n"
	"      AND (classid::bigint << 32 | objid::bigint) = " PG_LOAD_LOCK ")\n"
	"  THEN\n"
	"    RAISE EXCEPTION 'liangfu_ids_back: the load lock is not held';\n"
	"  END IF;\n"
	"  SELECT coalesce(max(id), 0) + 1 INTO lo FROM persons;\n"
	"  SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END\n"
	"    INTO hi FROM persons_id_seq;\n"
	"  IF want IS NULL OR want < lo OR want > hi THEN\n"
	"    RAISE EXCEPTION 'liangfu_ids_back: ids are only given back, "
	"down to the largest person id + 1';\n"
	"  END IF;\n"
	"  RETURN setval('persons_id_seq', want, false);\n"
	"END $$;\n"
	"DO $$ BEGIN EXECUTE format('ALTER FUNCTION liangfu_ids_back(bigint) "
	"SET search_path = pg_catalog, %I, pg_temp', current_schema()); "
	"END $$;\n"
	"REVOKE ALL ON FUNCTION liangfu_ids_back(bigint) FROM PUBLIC;\n";

/*
 * The one way to move plans_id_seq or items_id_seq (tbl 'plans' or
 * 'items', nothing else): the plan build gives plans their ids itself
 * and then moves plans_id_seq past them (pg_plan_write.c), so that a
 * plan made one at a time (nextval) never takes one. The app role has
 * USAGE and SELECT on both sequences (nextval, and the build reads
 * plans_id_seq's last value) but not UPDATE (setval, which could rewind
 * one and hand out plan or item ids again, or push it to the bigint
 * maximum). As liangfu_ids_back(): run as the owner with a fixed
 * search_path, so that the table's largest id is read past row-level
 * security; only for a caller that holds the plan build lock
 * (PG_PLAN_LOCK) in its own backend; the next id set must lie between
 * the table's largest id + 1 and the greater of that and the
 * sequence's next id (moved on to just past the rows, or given back down
 * to them, never further).
 */
static const char plan_ids_sql[] =
	"CREATE OR REPLACE FUNCTION liangfu_plan_ids(tbl text, want bigint)\n"
	"  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $$\n"
	"DECLARE lo bigint; hi bigint;\n"
	"BEGIN\n"
	"  IF tbl IS NULL OR tbl NOT IN ('plans', 'items') THEN\n"
	"    RAISE EXCEPTION 'liangfu_plan_ids: plans or items only';\n"
	"  END IF;\n"
	"  IF NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'\n"
	"      AND pid = pg_backend_pid() AND granted AND objsubid = 1\n"
	"      AND (classid::bigint << 32 | objid::bigint) = " PG_PLAN_LOCK ")\n"
	"  THEN\n"
	"    RAISE EXCEPTION 'liangfu_plan_ids: the plan build lock is not "
	"held';\n"
	"  END IF;\n"
	"  IF tbl = 'plans' THEN\n"
	"    SELECT coalesce(max(id), 0) + 1 INTO lo FROM plans;\n"
	"    SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value "
	"END\n"
	"      INTO hi FROM plans_id_seq;\n"
	"  ELSE\n"
	"    SELECT coalesce(max(id), 0) + 1 INTO lo FROM items;\n"
	"    SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value "
	"END\n"
	"      INTO hi FROM items_id_seq;\n"
	"  END IF;\n"
	"  IF want IS NULL OR want < lo OR want > greatest(lo, hi) THEN\n"
	"    RAISE EXCEPTION 'liangfu_plan_ids: the next id must lie between "
	"the largest id + 1 and the sequence''s next id';\n"
	"  END IF;\n"
	/* is_called, as nextval leaves it, when an id was taken */
	"  IF tbl = 'plans' THEN\n"
	"    RETURN setval('plans_id_seq', greatest(want - 1, 1), want > 1);\n"
	"  END IF;\n"
	"  RETURN setval('items_id_seq', greatest(want - 1, 1), want > 1);\n"
	"END $$;\n"
	"DO $$ BEGIN EXECUTE format('ALTER FUNCTION liangfu_plan_ids(text, "
	"bigint) SET search_path = pg_catalog, %I, pg_temp', "
	"current_schema()); END $$;\n"
	"REVOKE ALL ON FUNCTION liangfu_plan_ids(text, bigint) FROM PUBLIC;\n";

/* The application's role, when the cluster has it: what it may do (the
 * UPDATE on persons_id_seq that format 1 granted, and on plans_id_seq
 * and items_id_seq that format 2 granted, is taken back). */
static const char grants_sql[] =
	"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles "
	"WHERE rolname = 'liangfu_app') THEN\n"
	"  GRANT SELECT, INSERT, UPDATE ON persons, surveys, history, "
	"plans, items TO liangfu_app;\n"
	"  GRANT DELETE ON items TO liangfu_app;\n"
	"  GRANT USAGE, SELECT ON SEQUENCE plans_id_seq, items_id_seq TO "
	"liangfu_app;\n"
	"  REVOKE UPDATE ON SEQUENCE plans_id_seq, items_id_seq FROM "
	"liangfu_app;\n"
	"  GRANT SELECT ON meta, regions, catalog_items, policies "
	"TO liangfu_app;\n"
	"  GRANT SELECT, INSERT, UPDATE ON users TO liangfu_app;\n"
	"  GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO liangfu_app;\n"
	"  GRANT USAGE ON SEQUENCE users_id_seq, sessions_id_seq TO "
	"liangfu_app;\n"
	"  GRANT USAGE ON SEQUENCE history_id_seq, persons_id_seq TO "
	"liangfu_app;\n"
	"  REVOKE SELECT, UPDATE ON SEQUENCE persons_id_seq FROM "
	"liangfu_app;\n"
	"  GRANT EXECUTE ON FUNCTION liangfu_ids_back(bigint), "
	"liangfu_plan_ids(text, bigint) TO liangfu_app;\n"
	"END IF; END $$;\n";

static const char *const owned[] = { "persons", "surveys", "history",
	"plans", "items" };
#define NOWNED	(sizeof(owned) / sizeof(owned[0]))

const char *
pg_field_type(const struct field *f)
{
	switch (f->type) {
	case FT_DATE:
		return "date";
	case FT_ENUM:
	case FT_BOOL:
		return "integer";
	case FT_INT:
	case FT_MULTI:
	case FT_MONEY:
	case FT_DECIMAL:
		return "bigint";
	default:
		return "text";
	}
}

static int
survey_table(const struct catalog *cat, struct buf *b)
{
	const struct field *f;
	size_t i;

	if (buf_adds(b, "CREATE TABLE surveys(\n"
	    "  city text NOT NULL, county text NOT NULL,\n"
	    "  person_id bigint NOT NULL, year smallint NOT NULL,\n"
	    "  version bigint NOT NULL,\n"
	    "  created_at timestamptz NOT NULL, created_by text NOT NULL,\n"
	    "  updated_at timestamptz NOT NULL, updated_by text NOT NULL") != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++) {
		f = &cat->fields[i];
		if (f->secret ? buf_addf(b, ",\n  %s_enc bytea, %s_hash bytea",
		    f->code, f->code) : buf_addf(b, ",\n  %s %s", f->code,
		    pg_field_type(f)))
			return -1;
	}
	return buf_adds(b, ",\n  PRIMARY KEY (city, county, person_id, year),\n"
	    "  FOREIGN KEY (city, county, person_id)\n"
	    "    REFERENCES persons (city, county, id)\n"
	    ") PARTITION BY LIST (city);\n");
}

/* One partition per city of the region table, and a default one. */
static int
partitions(const struct regions *rs, struct buf *b)
{
	size_t i, t;

	for (t = 0; t < NOWNED; t++) {
		for (i = 0; i < rs->n; i++)
			if (rs->v[i].level == RL_CITY && buf_addf(b, "CREATE "
			    "TABLE %s_%s PARTITION OF %s FOR VALUES IN "
			    "('%s');\n", owned[t], rs->v[i].code, owned[t],
			    rs->v[i].code) != 0)
				return -1;
		if (buf_addf(b, "CREATE TABLE %s_other PARTITION OF %s "
		    "DEFAULT;\n", owned[t], owned[t]) != 0)
			return -1;
	}
	return 0;
}

static int
security(struct buf *b)
{
	size_t t;

	if (buf_adds(b, rls_sql) != 0 || buf_adds(b, users_sql) != 0)
		return -1;
	for (t = 0; t < NOWNED; t++)
		if (buf_addf(b, "ALTER TABLE %s ENABLE ROW LEVEL SECURITY;\n"
		    "CREATE POLICY %s_county ON %s USING (starts_with(county, "
		    "liangfu_scope()));\n", owned[t], owned[t], owned[t]) != 0)
			return -1;
	return buf_adds(b, ids_back_sql) != 0 || buf_adds(b, plan_ids_sql) !=
	    0 || audit_pg_schema_sql(b) != 0 || pg_stats_watch_sql(b) != 0 ?
	    -1 : buf_adds(b, grants_sql);
}

static int	deliveries_sql(const struct regions *rs, struct buf *b);

/* What format 7 adds, for a new registry (rs, its regions) and for the
 * owner role's upgrade (rs NULL: partitions from the regions table):
 * every statement may run again. */
static int
pg_format7_sql(const struct regions *rs, struct buf *b)
{
	return deliveries_sql(rs, b) != 0 || pg_feedback_sql(rs, b) != 0 ||
	    pg_recon_schema_sql(b) != 0 || pg_rowtables_sql(b) != 0 ? -1 : 0;
}

int
pg_schema_upgrade_sql(struct buf *b)
{
	return buf_adds(b, "CREATE INDEX IF NOT EXISTS persons_hash ON "
	    "persons(id_hash);\nCREATE INDEX IF NOT EXISTS plans_idx_id ON "
	    "plans(id);\n") != 0 || buf_adds(b, users_sql) != 0 ||
	    buf_adds(b, ids_back_sql) != 0 ||
	    buf_adds(b, plan_ids_sql) != 0 || audit_pg_schema_sql(b) != 0 ||
	    pg_stats_watch_sql(b) != 0 ||
	    buf_adds(b, grants_sql) != 0 ? -1 : pg_format7_sql(NULL, b);
}

/* ---- the plan tables, derived from SQLite's ------------------------- */

/*
 * The keys PostgreSQL adds to a plan table of SQLite's (plan_int.h's
 * plan_schema_sql(), the one definition of their columns): the city and
 * county of the plan's village (region, a 12-digit number) in every key.
 * No foreign key: the plan build writes them as SQLite's does with
 * foreign keys off (every row refers to a plan or person it has just
 * read or made), and a per-row check against a partitioned table cost
 * two thirds of the build's time (docs/postgresql.md).
 */
static const struct plan_table {
	const char	*name, *keys;
	int		 village;	/* has region: the key checked by it */
} plan_tables[] = {
	{ "plans", "  PRIMARY KEY (city, county, id),\n"
	    "  UNIQUE (city, county, person_id, year)", 1 },
	{ "items", "  PRIMARY KEY (city, county, id),\n"
	    "  UNIQUE (city, county, year, person_id, seq)", 1 },
	/* format 7: a delivery's city and county are its item's
	 * (deliveries_sql()) */
	{ "deliveries", "  PRIMARY KEY (city, county, id)", 0 },
};

/* One column of SQLite's table as PostgreSQL's: INTEGER bigint (times
 * stay Unix seconds, as on SQLite), TEXT text; the key id numbered by the
 * table's sequence. An item's interned text (an id into SQLite's texts,
 * plan_int.h) is a text column here: PostgreSQL keeps the texts in the
 * rows (docs/postgresql.md). */
static int
plan_column(const struct plan_table *t, sqlite3_stmt *st, struct buf *b)
{
	const char *name = (const char *)sqlite3_column_text(st, 0);
	const char *type = (const char *)sqlite3_column_text(st, 1);
	int pk = sqlite3_column_int(st, 3);

	if (name == NULL || type == NULL)
		return -1;
	if (pk)
		return buf_addf(b, ",\n  %s bigint NOT NULL DEFAULT "
		    "nextval('%s_id_seq')", name, t->name);
	return buf_addf(b, ",\n  %s %s%s", name, strcmp(type, "INTEGER") ==
	    0 && !(strcmp(t->name, "items") == 0 && plan_item_interned(name)) ?
	    "bigint" : "text", sqlite3_column_int(st, 2) ? " NOT NULL" : "");
}

static int
plan_table(sqlite3 *db, const struct plan_table *t, struct buf *b)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if (buf_addf(b, "CREATE SEQUENCE IF NOT EXISTS %s_id_seq;\nCREATE "
	    "TABLE IF NOT EXISTS %s(\n  city text NOT NULL, county text NOT "
	    "NULL", t->name, t->name) != 0 || sqlite3_prepare_v2(db, "SELECT "
	    "name, type, "
	    "\"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid", -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n >= 0)
		n = plan_column(t, st, b) != 0 ? -1 : n + 1;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || n <= 0)
		return -1;
	if (t->village && buf_adds(b, ",\n  CHECK (county = left(lpad("
	    "region::text, 12, '0'), 6) AND city = left(county, 4))") != 0)
		return -1;
	return buf_addf(b, ",\n%s\n) PARTITION BY LIST (city);\n", t->keys);
}

/* The plan tables plan_tables[from..to), their columns read from
 * SQLite's own definition in a database in memory. */
static int
plan_tables_sql(struct buf *b, size_t from, size_t to)
{
	sqlite3 *db = NULL;
	size_t i;
	int rc = -1;

	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) == SQLITE_OK &&
	    sqlite3_exec(db, plan_schema_sql(), NULL, NULL, NULL) ==
	    SQLITE_OK) {
		for (i = from, rc = 0; i < to && rc == 0; i++)
			rc = plan_table(db, &plan_tables[i], b);
	}
	sqlite3_close(db);
	return rc;
}

/*
 * Format 7 (issue 18, the single plan and item writes): the deliveries
 * table (SQLite's columns, plan_tables[2]), keyed by its item's city
 * and county, partitioned and confined by county like the other
 * person-owned tables; append-only (the app role may SELECT and INSERT
 * it, nothing else). The lookups by client id of items and deliveries
 * (an idempotent retry) get partial indexes (rows without a client id
 * are not in them, so the bulk build's COPY does not index them).
 * Every statement may run again: a fresh registry's partitions come
 * from rs, an upgraded one's from its regions table.
 */
static const char deliveries_tail_sql[] =
	"CREATE TABLE IF NOT EXISTS deliveries_other PARTITION OF deliveries "
	"DEFAULT;\n"
	"CREATE INDEX IF NOT EXISTS deliveries_item ON deliveries(item_id, "
	"date);\n"
	"CREATE INDEX IF NOT EXISTS deliveries_client ON deliveries(client_id) "
	"WHERE client_id IS NOT NULL;\n"
	"CREATE UNIQUE INDEX IF NOT EXISTS deliveries_client_key ON "
	"deliveries(city, county, client_id) WHERE client_id IS NOT NULL;\n"
	"CREATE INDEX IF NOT EXISTS items_client ON items(client_id) "
	"WHERE client_id IS NOT NULL;\n"
	"CREATE UNIQUE INDEX IF NOT EXISTS items_client_key ON items(city, "
	"county, client_id) WHERE client_id IS NOT NULL;\n"
	"ALTER TABLE deliveries ENABLE ROW LEVEL SECURITY;\n"
	"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE "
	"tablename = 'deliveries' AND policyname = 'deliveries_county' AND "
	"schemaname = current_schema()) THEN\n"
	"  CREATE POLICY deliveries_county ON deliveries USING "
	"(starts_with(county, liangfu_scope()));\n"
	"END IF; END $$;\n"
	"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles "
	"WHERE rolname = 'liangfu_app') THEN\n"
	"  GRANT SELECT, INSERT ON deliveries TO liangfu_app;\n"
	"  GRANT USAGE ON SEQUENCE deliveries_id_seq TO liangfu_app;\n"
	"END IF; END $$;\n";

static int
deliveries_sql(const struct regions *rs, struct buf *b)
{
	size_t i;

	if (plan_tables_sql(b, 2, 3) != 0)
		return -1;
	if (rs == NULL && buf_adds(b, "DO $$ DECLARE c text; BEGIN FOR c IN "
	    "SELECT code FROM regions WHERE level = 'city' LOOP EXECUTE "
	    "format('CREATE TABLE IF NOT EXISTS %I PARTITION OF deliveries "
	    "FOR VALUES IN (%L)', 'deliveries_' || c, c); END LOOP; "
	    "END $$;\n") != 0)
		return -1;
	for (i = 0; rs != NULL && i < rs->n; i++)
		if (rs->v[i].level == RL_CITY && buf_addf(b, "CREATE TABLE IF "
		    "NOT EXISTS deliveries_%s PARTITION OF deliveries FOR "
		    "VALUES IN ('%s');\n", rs->v[i].code, rs->v[i].code) != 0)
			return -1;
	return buf_adds(b, deliveries_tail_sql);
}

int
pg_schema_sql(const struct catalog *cat, const struct regions *rs,
    struct buf *b)
{
	if (buf_adds(b, person_tables) != 0 || survey_table(cat, b) != 0 ||
	    plan_tables_sql(b, 0, 2) != 0 || partitions(rs, b) != 0 ||
	    buf_adds(b, tail_sql) != 0 || security(b) != 0)
		return -1;
	return pg_format7_sql(rs, b);
}

/* ---- reference rows -------------------------------------------------- */

/* s as one COPY text field (backslash, tab and newline escaped); NULL
 * as \N. */
static int
copy_field(struct buf *b, const char *s, int last)
{
	int rc = 0;

	if (s == NULL)
		rc = buf_adds(b, "\\N");
	for (; s != NULL && *s != '\0' && rc == 0; s++)
		rc = *s == '\\' ? buf_adds(b, "\\\\") : *s == '\t' ?
		    buf_adds(b, "\\t") : *s == '\n' ? buf_adds(b, "\\n") :
		    buf_addc(b, *s);
	return rc != 0 ? -1 : buf_addc(b, last ? '\n' : '\t');
}

static int
region_rows(const struct regions *rs, struct buf *b)
{
	const struct region *r;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		r = &rs->v[i];
		if (copy_field(b, r->code, 0) != 0 || copy_field(b,
		    r->parent >= 0 ? rs->v[r->parent].code : NULL, 0) != 0 ||
		    copy_field(b, region_level_name(r->level), 0) != 0 ||
		    copy_field(b, r->name, 1) != 0)
			return -1;
	}
	return 0;
}

static int
catalog_rows(const struct catalog *cat, struct buf *b)
{
	const struct field *f;
	char pos[24];
	size_t i;

	for (i = 0; i < cat->nfields; i++) {
		f = &cat->fields[i];
		snprintf(pos, sizeof(pos), "%zu", i);
		if (copy_field(b, f->code, 0) != 0 || copy_field(b, pos, 0) ||
		    copy_field(b, field_type_name(f->type), 0) != 0 ||
		    copy_field(b, f->label_zh, 0) != 0 ||
		    copy_field(b, f->label_en, 0) != 0 ||
		    copy_field(b, f->secret ? "t" : "f", 1) != 0)
			return -1;
	}
	return 0;
}

static int
policy_rows(const struct policies *ps, struct buf *b)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (copy_field(b, ps->v[i].code, 0) != 0 ||
		    copy_field(b, ps->v[i].name_zh, 0) != 0 ||
		    copy_field(b, ps->v[i].name_en, 0) != 0 ||
		    copy_field(b, ps->v[i].dept ? ps->v[i].dept->code : NULL,
		    1) != 0)
			return -1;
	return 0;
}

int
pg_reference_load(PGconn *c, const struct catalog *cat,
    const struct regions *rs, const struct policies *ps,
    struct lf_error *err)
{
	static const char *const sql[] = { "COPY regions FROM STDIN",
	    "COPY catalog_items FROM STDIN", "COPY policies FROM STDIN" };
	struct buf b;
	int i, rc = 0;

	for (i = 0; i < 3 && rc == 0; i++) {
		buf_init(&b, (size_t)1 << 30);
		if ((i == 0 ? region_rows(rs, &b) : i == 1 ?
		    catalog_rows(cat, &b) : policy_rows(ps, &b)) != 0)
			rc = lf_error_nomem(err);
		else
			rc = pg_copy_send(c, sql[i], b.data ? b.data : "",
			    b.len, sql[i] + 5, err);
		buf_free(&b);
	}
	return rc;
}

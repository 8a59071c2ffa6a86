/*
 * pg_rowtables.c - PostgreSQL's tables of spot checks (samples,
 * check_tasks, check_results: store/supervise.c) and data-quality
 * findings (findings, finding_events: store/findings.c), derived from
 * SQLite's own definition of them (supervise_schema_sql(),
 * findings_schema_sql(): the one list of their columns), run in a
 * database in memory and read back (pragma_table_info, pragma_index_list).
 *
 * Their row functions are written once over store/dbq.h and name the
 * tables as SQLite does. On PostgreSQL a person-owned one (every table
 * here but samples) is:
 *
 *   - <t>_rows: city and county (derived from the row's village code,
 *     `region`, or taken from the row it belongs to: a check result's
 *     task, a finding event's finding), then SQLite's columns (INTEGER
 *     bigint, REAL double precision, TEXT text, NOT NULL and defaults
 *     kept; the key id numbered by <t>_id_seq), PRIMARY KEY (city,
 *     county, id), partitioned by LIST (city) with the partitions of
 *     persons (one per city and a default one), SQLite's indexes (a
 *     unique one with city and county first: a unique key must hold the
 *     partition key) and one on id; row-level security by county, as
 *     persons; no foreign key (as plans and items);
 *   - <t>: a view of SQLite's columns (security_invoker: the caller's
 *     rights and row-level security apply), with the columns' defaults,
 *     which the row functions read and update (a simple view updates its
 *     table), and an INSTEAD OF INSERT trigger that inserts the row with
 *     its city and county (a BEFORE trigger on a partitioned table may
 *     not set the partition key: the row is routed before it runs).
 *
 * samples is not person-owned (a sample's region may be a city or the
 * province): a plain table with SQLite's columns, whose policy shows a
 * scope the samples inside it and those around it (a county's checker
 * reads the city's sample of their task).
 *
 * Every statement may run again (IF NOT EXISTS, OR REPLACE): the same
 * text serves a new registry and the upgrade to format 7 (pg_store.c).
 */
#include "store/pg/pg_int.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/findings_rows.h"
#include "store/supervise_rows.h"

/* How a table's rows get their city and county. */
struct rowtable {
	const char	*name;
	const char	*region;	/* its village code column, */
	const char	*parent;	/* or NULL: the table and */
	const char	*fk;		/* column of the row it is of */
	const char	*grants;	/* the app role's */
};

static const struct rowtable rowtables[] = {
	{ "check_tasks", "region", NULL, NULL, "SELECT, INSERT, UPDATE" },
	{ "check_results", NULL, "check_tasks", "task_id", "SELECT, INSERT" },
	{ "findings", "region", NULL, NULL, "SELECT, INSERT, UPDATE" },
	{ "finding_events", NULL, "findings", "finding_id",
	    "SELECT, INSERT" },
};
#define NROWTABLES	(sizeof(rowtables) / sizeof(rowtables[0]))

/* A column of SQLite's table. */
struct col {
	char	 name[64];
	char	 type[24];
	char	 dflt[64];	/* "" none */
	int	 notnull, pk;
};

#define MAXCOLS	32

static const char *
pg_type(const char *sqlite_type)
{
	if (strcmp(sqlite_type, "INTEGER") == 0)
		return "bigint";
	if (strcmp(sqlite_type, "REAL") == 0)
		return "double precision";
	return "text";
}

static void
copy_text(sqlite3_stmt *st, int i, char *out, size_t len)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	snprintf(out, len, "%s", t != NULL ? t : "");
}

/* SQLite's columns of table name: their number, or -1. */
static int
columns(sqlite3 *db, const char *name, struct col *c)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if (sqlite3_prepare_v2(db, "SELECT name, type, \"notnull\", "
	    "dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < MAXCOLS) {
		copy_text(st, 0, c[n].name, sizeof(c[n].name));
		copy_text(st, 1, c[n].type, sizeof(c[n].type));
		c[n].notnull = sqlite3_column_int(st, 2);
		copy_text(st, 3, c[n].dflt, sizeof(c[n].dflt));
		c[n].pk = sqlite3_column_int(st, 4);
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE && n > 0 ? n : -1;
}

/* The column definitions: "  name type[ NOT NULL][ DEFAULT d]", each
 * after a comma but the first when none is before (lead 0). */
static int
column_defs(const char *tbl, const struct col *c, int n, int lead,
    struct buf *b)
{
	int i, rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const char *sep = i > 0 || lead ? ",\n" : "\n";

		if (c[i].pk)
			rc = buf_addf(b, "%s  %s bigint NOT NULL DEFAULT "
			    "nextval('%s_id_seq')", sep, c[i].name, tbl);
		else
			rc = buf_addf(b, "%s  %s %s%s%s%s", sep, c[i].name,
			    pg_type(c[i].type), c[i].notnull ? " NOT NULL" :
			    "", c[i].dflt[0] ? " DEFAULT " : "", c[i].dflt);
	}
	return rc;
}

/* "a, b, c" of the columns, each after prefix ("" or "NEW."). */
static int
column_list(const struct col *c, int n, const char *prefix, struct buf *b)
{
	int i, rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = buf_addf(b, "%s%s%s", i ? ", " : "", prefix, c[i].name);
	return rc;
}

/* SQLite's indexes of table name (not its primary key) on tbl (the
 * PostgreSQL table): a unique one with city and county first. */
static int
indexes(sqlite3 *db, const char *name, const char *tbl, int keyed,
    struct buf *b)
{
	sqlite3_stmt *il, *ii, *sq;
	const char *iname, *sql, *where;
	int rc, rc2, uniq, k = 0, first;

	if (sqlite3_prepare_v2(db, "SELECT name, \"unique\" FROM "
	    "pragma_index_list(?1) WHERE origin <> 'pk' ORDER BY name", -1,
	    &il, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_index_info(?1) "
	    "ORDER BY seqno", -1, &ii, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE "
	    "type = 'index' AND name = ?1", -1, &sq, NULL) != SQLITE_OK) {
		sqlite3_finalize(il);
		sqlite3_finalize(ii);
		return -1;
	}
	sqlite3_bind_text(il, 1, name, -1, SQLITE_STATIC);
	rc = SQLITE_ROW;
	while (rc == SQLITE_ROW && (rc = sqlite3_step(il)) == SQLITE_ROW) {
		iname = (const char *)sqlite3_column_text(il, 0);
		uniq = sqlite3_column_int(il, 1);
		k++;
		if (strncmp(iname, "sqlite_", 7) == 0)
			rc2 = buf_addf(b, "CREATE %sINDEX IF NOT EXISTS %s_u%d "
			    "ON %s(", uniq ? "UNIQUE " : "", tbl, k, tbl);
		else
			rc2 = buf_addf(b, "CREATE %sINDEX IF NOT EXISTS %s ON "
			    "%s(", uniq ? "UNIQUE " : "", iname, tbl);
		if (rc2 == 0 && uniq && keyed)
			rc2 = buf_adds(b, "city, county, ");
		sqlite3_bind_text(ii, 1, iname, -1, SQLITE_TRANSIENT);
		first = 1;
		while (rc2 == 0 && sqlite3_step(ii) == SQLITE_ROW) {
			rc2 = buf_addf(b, "%s%s", first ? "" : ", ",
			    (const char *)sqlite3_column_text(ii, 0));
			first = 0;
		}
		sqlite3_reset(ii);
		/* a partial index keeps its WHERE (SQLite's text) */
		sqlite3_bind_text(sq, 1, iname, -1, SQLITE_TRANSIENT);
		where = NULL;
		if (sqlite3_step(sq) == SQLITE_ROW &&
		    (sql = (const char *)sqlite3_column_text(sq, 0)) != NULL)
			where = strstr(sql, " WHERE ");
		if (rc2 == 0)
			rc2 = buf_addf(b, ")%s;\n", where ? where : "");
		sqlite3_reset(sq);
		if (rc2 != 0)
			rc = SQLITE_ERROR;
	}
	sqlite3_finalize(il);
	sqlite3_finalize(ii);
	sqlite3_finalize(sq);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The partitions of t_rows: those of persons, with the same bounds. */
static int
partitions(const char *tbl, struct buf *b)
{
	return buf_addf(b, "DO $$ DECLARE r record; BEGIN\n"
	    "  FOR r IN SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) "
	    "AS bound\n"
	    "    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid\n"
	    "    WHERE i.inhparent = 'persons'::regclass LOOP\n"
	    "    EXECUTE format('CREATE TABLE IF NOT EXISTS %%I PARTITION OF "
	    "%s %%s',\n"
	    "      '%s' || substr(r.relname, 8), r.bound);\n"
	    "  END LOOP;\nEND $$;\n", tbl, tbl);
}

/* The trigger that inserts a row of the view with its city and county. */
static int
insert_trigger(const struct rowtable *t, const struct col *c, int n,
    struct buf *b)
{
	int rc;

	rc = buf_addf(b, "CREATE OR REPLACE FUNCTION %s_insert() RETURNS "
	    "trigger\n  LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO %s_rows "
	    "(city, county, ", t->name, t->name);
	rc = rc != 0 ? -1 : column_list(c, n, "", b);
	if (rc == 0 && t->region != NULL)
		rc = buf_addf(b, ")\n  VALUES (left(NEW.%s, 4), left(NEW.%s, "
		    "6), ", t->region, t->region);
	else if (rc == 0)
		rc = buf_adds(b, ")\n  SELECT p.city, p.county, ");
	rc = rc != 0 ? -1 : column_list(c, n, "NEW.", b);
	if (rc == 0 && t->region != NULL)
		rc = buf_adds(b, ");\n");
	else if (rc == 0)
		rc = buf_addf(b, " FROM %s_rows p WHERE p.id = NEW.%s;\n"
		    "  IF NOT FOUND THEN\n"
		    "    RAISE EXCEPTION '%s: no %s row %%', NEW.%s\n"
		    "      USING ERRCODE = 'foreign_key_violation';\n"
		    "  END IF;\n", t->parent, t->fk, t->name, t->parent,
		    t->fk);
	return rc != 0 ? -1 : buf_addf(b, "  RETURN NEW;\nEND $$;\n"
	    "CREATE OR REPLACE TRIGGER %s_insert INSTEAD OF INSERT ON %s\n"
	    "  FOR EACH ROW EXECUTE FUNCTION %s_insert();\n", t->name,
	    t->name, t->name);
}

/* The view of SQLite's columns, with their defaults. */
static int
view(const char *name, const char *tbl, const struct col *c, int n,
    struct buf *b)
{
	int i, rc;

	rc = buf_addf(b, "CREATE OR REPLACE VIEW %s WITH (security_invoker = "
	    "true) AS SELECT ", name);
	rc = rc != 0 ? -1 : column_list(c, n, "", b);
	rc = rc != 0 ? -1 : buf_addf(b, " FROM %s;\n", tbl);
	for (i = 0; i < n && rc == 0; i++) {
		if (c[i].pk)
			rc = buf_addf(b, "ALTER VIEW %s ALTER COLUMN %s SET "
			    "DEFAULT nextval('%s_id_seq');\n", name, c[i].name,
			    name);
		else if (c[i].dflt[0])
			rc = buf_addf(b, "ALTER VIEW %s ALTER COLUMN %s SET "
			    "DEFAULT %s;\n", name, c[i].name, c[i].dflt);
	}
	return rc;
}

static int
rowtable(sqlite3 *db, const struct rowtable *t, struct buf *b)
{
	struct col c[MAXCOLS];
	char tbl[64];
	int n;

	if ((n = columns(db, t->name, c)) < 0)
		return -1;
	snprintf(tbl, sizeof(tbl), "%s_rows", t->name);
	if (buf_addf(b, "CREATE SEQUENCE IF NOT EXISTS %s_id_seq;\n"
	    "CREATE TABLE IF NOT EXISTS %s(\n  city text NOT NULL, county "
	    "text NOT NULL", t->name, tbl) != 0 ||
	    column_defs(t->name, c, n, 1, b) != 0 ||
	    buf_addf(b, ",\n  CHECK (city = left(county, 4)),\n  PRIMARY KEY "
	    "(city, county, id)\n) PARTITION BY LIST (city);\n") != 0 ||
	    partitions(tbl, b) != 0 ||
	    buf_addf(b, "CREATE INDEX IF NOT EXISTS %s_id ON %s(id);\n", tbl,
	    tbl) != 0 || indexes(db, t->name, tbl, 1, b) != 0 ||
	    buf_addf(b, "ALTER TABLE %s ENABLE ROW LEVEL SECURITY;\n"
	    "DROP POLICY IF EXISTS %s_county ON %s;\n"
	    "CREATE POLICY %s_county ON %s USING (starts_with(county, "
	    "liangfu_scope()));\n", tbl, tbl, tbl, tbl, tbl) != 0 ||
	    view(t->name, tbl, c, n, b) != 0 ||
	    insert_trigger(t, c, n, b) != 0)
		return -1;
	return buf_addf(b, "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles "
	    "WHERE rolname = 'liangfu_app') THEN\n"
	    "  GRANT %s ON %s, %s TO liangfu_app;\n"
	    "  GRANT USAGE ON SEQUENCE %s_id_seq TO liangfu_app;\n"
	    "END IF; END $$;\n", t->grants, t->name, tbl, t->name);
}

/* samples: SQLite's columns, not partitioned (see above). */
static int
samples(sqlite3 *db, struct buf *b)
{
	struct col c[MAXCOLS];
	int n;

	if ((n = columns(db, "samples", c)) < 0)
		return -1;
	return buf_adds(b, "CREATE SEQUENCE IF NOT EXISTS samples_id_seq;\n"
	    "CREATE TABLE IF NOT EXISTS samples(") != 0 ||
	    column_defs("samples", c, n, 0, b) != 0 ||
	    buf_adds(b, ",\n  PRIMARY KEY (id));\n"
	    "ALTER SEQUENCE samples_id_seq OWNED BY samples.id;\n"
	    "CREATE INDEX IF NOT EXISTS samples_year ON samples(year, region);\n"
	    "ALTER TABLE samples ENABLE ROW LEVEL SECURITY;\n"
	    "DROP POLICY IF EXISTS samples_region ON samples;\n"
	    "CREATE POLICY samples_region ON samples USING (starts_with(region, "
	    "liangfu_scope()) OR starts_with(liangfu_scope(), region));\n"
	    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles "
	    "WHERE rolname = 'liangfu_app') THEN\n"
	    "  GRANT SELECT, INSERT ON samples TO liangfu_app;\n"
	    "  GRANT USAGE ON SEQUENCE samples_id_seq TO liangfu_app;\n"
	    "END IF; END $$;\n") != 0 ? -1 : 0;
}

int
pg_rowtables_sql(struct buf *b)
{
	sqlite3 *db = NULL;
	size_t i;
	int rc = -1;

	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) == SQLITE_OK &&
	    sqlite3_exec(db, supervise_schema_sql(), NULL, NULL, NULL) ==
	    SQLITE_OK && sqlite3_exec(db, findings_schema_sql(), NULL, NULL,
	    NULL) == SQLITE_OK) {
		rc = samples(db, b);
		for (i = 0; i < NROWTABLES && rc == 0; i++)
			rc = rowtable(db, &rowtables[i], b);
	}
	sqlite3_close(db);
	return rc;
}

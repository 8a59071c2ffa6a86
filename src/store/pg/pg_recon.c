/*
 * pg_recon.c - the PostgreSQL tables of reconciliation and need-supply
 * matching (format 7): rosters, roster_rows, recon_tasks, supply_stock
 * and supply_stock_history, their columns derived from SQLite's own
 * definitions (store/recon.c's recon_schema_sql(), store/supply_store.c's
 * supply_schema_sql()) read back from a database in memory, as the plan
 * tables are (pg_schema.c): INTEGER becomes bigint, TEXT text, BLOB
 * bytea, NOT NULL is kept, a key id is numbered by <table>_id_seq;
 * SQLite's CHECK constraints are not carried over.
 *
 * recon_tasks is person-owned: it gains city (SQLite's table has the
 * county already), is partitioned by LIST (city) like persons (one
 * partition for each of persons' partitions, read from the catalog, so
 * that the same statements make them in a new registry and in an
 * upgraded one), keeps the county in its keys and references the person
 * by (city, county, person_id), and shows a role other than its owner
 * only the tasks of the county liangfu.region names. Rosters and their
 * rows hold no person (a roster row is an ID lookup hash and a date) and
 * are not scoped. The stock is kept per county and scoped by it.
 *
 * Every statement may run again (IF NOT EXISTS, policies dropped and
 * made again): pg_recon_schema_sql() goes into both the new registry's
 * DDL and pg_schema_upgrade_sql().
 */
#include "store/pg/pg_int.h"
#include "store/recon_int.h"
#include "store/supply_rows.h"

#include <string.h>

#include <sqlite3.h>

static const struct pg_rtable {
	const char	*name;
	int		 owned;		/* person-owned: city, partitions */
	int		 seq;		/* id numbered by <name>_id_seq */
	const char	*keys;
} pg_rtables[] = {
	{ "rosters", 0, 1, "  PRIMARY KEY (id)" },
	{ "roster_rows", 0, 0, "  FOREIGN KEY (roster_id) REFERENCES rosters(id)" },
	{ "recon_tasks", 1, 1, "  CHECK (county = left(region, 6) AND city = "
	    "left(region, 4)),\n  PRIMARY KEY (city, county, id),\n"
	    "  FOREIGN KEY (roster_id) REFERENCES rosters(id),\n"
	    "  FOREIGN KEY (city, county, person_id)\n"
	    "    REFERENCES persons (city, county, id)" },
	{ "supply_stock", 0, 0, "  PRIMARY KEY (county, item, year)" },
	{ "supply_stock_history", 0, 1, "  PRIMARY KEY (id)" },
};
#define NTABLES	(sizeof(pg_rtables) / sizeof(pg_rtables[0]))

static const char tail_sql[] =
	"CREATE INDEX IF NOT EXISTS roster_rows_roster ON "
	"roster_rows(roster_id);\n"
	/* SQLite's recon_tasks_open (one open task per person, kind and
	 * finding) with the partition's keys: a person lives in one county */
	"CREATE UNIQUE INDEX IF NOT EXISTS recon_tasks_open ON "
	"recon_tasks(city, county, person_id, kind, finding) WHERE open = 1;\n"
	"CREATE INDEX IF NOT EXISTS recon_tasks_region ON "
	"recon_tasks(region, id);\n"
	/* a task read by id (the close route) */
	"CREATE INDEX IF NOT EXISTS recon_tasks_idx_id ON recon_tasks(id);\n"
	/* recon_tasks' partitions: one for each of persons' */
	"DO $$ DECLARE p record; BEGIN\n"
	"  FOR p IN SELECT c.relname AS name,\n"
	"      pg_get_expr(c.relpartbound, c.oid) AS bound\n"
	"    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid\n"
	"    WHERE i.inhparent = 'persons'::regclass LOOP\n"
	"    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF "
	"recon_tasks %s',\n"
	"      'recon_tasks' || substr(p.name, 8), p.bound);\n"
	"  END LOOP;\n"
	"END $$;\n"
	"ALTER TABLE recon_tasks ENABLE ROW LEVEL SECURITY;\n"
	"DROP POLICY IF EXISTS recon_tasks_county ON recon_tasks;\n"
	"CREATE POLICY recon_tasks_county ON recon_tasks\n"
	"  USING (starts_with(county, liangfu_scope()));\n"
	"ALTER TABLE supply_stock ENABLE ROW LEVEL SECURITY;\n"
	"DROP POLICY IF EXISTS supply_stock_county ON supply_stock;\n"
	"CREATE POLICY supply_stock_county ON supply_stock\n"
	"  USING (starts_with(county, liangfu_scope()));\n"
	"ALTER TABLE supply_stock_history ENABLE ROW LEVEL SECURITY;\n"
	"DROP POLICY IF EXISTS supply_stock_history_county ON "
	"supply_stock_history;\n"
	"CREATE POLICY supply_stock_history_county ON supply_stock_history\n"
	"  USING (starts_with(county, liangfu_scope()));\n"
	/* the server's rights: tasks listed and closed, rosters erased (the
	 * roster eraser, recond.c), stock set with its history (append
	 * only); a run (liangfu reconcile) is the owner role's */
	"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles "
	"WHERE rolname = 'liangfu_app') THEN\n"
	"  REVOKE ALL ON rosters, roster_rows, recon_tasks, supply_stock, "
	"supply_stock_history FROM liangfu_app;\n"
	"  GRANT SELECT, UPDATE (erased_at) ON rosters TO liangfu_app;\n"
	"  GRANT SELECT, DELETE ON roster_rows TO liangfu_app;\n"
	"  GRANT SELECT, UPDATE (open, close_reason, closed_by, closed_at, "
	"version) ON recon_tasks TO liangfu_app;\n"
	"  GRANT SELECT, INSERT, UPDATE ON supply_stock TO liangfu_app;\n"
	"  GRANT SELECT, INSERT ON supply_stock_history TO liangfu_app;\n"
	"  GRANT USAGE ON SEQUENCE supply_stock_history_id_seq TO "
	"liangfu_app;\n"
	"END IF; END $$;\n";

/* One column of SQLite's table as PostgreSQL's, after sep; a key id
 * alone is numbered by <table>_id_seq. */
static int
column(const struct pg_rtable *t, sqlite3_stmt *st, const char *sep,
    struct buf *b)
{
	const char *name = (const char *)sqlite3_column_text(st, 0);
	const char *type = (const char *)sqlite3_column_text(st, 1);
	int pk = sqlite3_column_int(st, 3), npk = sqlite3_column_int(st, 4);

	if (name == NULL || type == NULL)
		return -1;
	if (pk && npk == 1 && strcmp(name, "id") == 0)
		return buf_addf(b, "%s\n  id bigint NOT NULL DEFAULT "
		    "nextval('%s_id_seq')", sep, t->name);
	return buf_addf(b, "%s\n  %s %s%s", sep, name, strcmp(type,
	    "INTEGER") == 0 ? "bigint" : strcmp(type, "BLOB") == 0 ? "bytea" :
	    "text", sqlite3_column_int(st, 2) || pk ? " NOT NULL" : "");
}

static int
table(sqlite3 *db, const struct pg_rtable *t, struct buf *b)
{
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_ERROR, n = 0;

	if (sqlite3_prepare_v2(db, "SELECT name, type, \"notnull\", pk, "
	    "(SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0) FROM "
	    "pragma_table_info(?1) ORDER BY cid", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	if ((t->seq && buf_addf(b, "CREATE SEQUENCE IF NOT EXISTS %s_id_seq;\n",
	    t->name) != 0) || buf_addf(b, "CREATE TABLE IF NOT EXISTS %s(%s",
	    t->name, t->owned ? "\n  city text NOT NULL" : "") != 0)
		n = -1;
	while (n >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		n = column(t, st, n > 0 || t->owned ? "," : "", b) != 0 ? -1 :
		    n + 1;
	sqlite3_finalize(st);
	if (n <= 0 || rc != SQLITE_DONE)
		return -1;
	return buf_addf(b, ",\n%s\n)%s;\n", t->keys, t->owned ?
	    " PARTITION BY LIST (city)" : "");
}

int
pg_recon_schema_sql(struct buf *b)
{
	sqlite3 *db = NULL;
	size_t i;
	int rc = -1;

	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) == SQLITE_OK &&
	    sqlite3_exec(db, "CREATE TABLE persons(id INTEGER PRIMARY KEY);",
	    NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_exec(db, recon_schema_sql(), NULL, NULL, NULL) ==
	    SQLITE_OK && sqlite3_exec(db, supply_schema_sql(), NULL, NULL,
	    NULL) == SQLITE_OK) {
		for (i = 0, rc = 0; i < NTABLES && rc == 0; i++)
			rc = table(db, &pg_rtables[i], b);
	}
	sqlite3_close(db);
	return rc != 0 ? -1 : buf_adds(b, tail_sql);
}

/*
 * pg_feedback.c - the PostgreSQL tables of satisfaction ratings and of
 * self-service (format 7): feedback, self_codes, self_sessions and
 * self_throttle, their columns derived from SQLite's own definition
 * (feedback_schema_sql(), store/feedback_rows.c, the one list of their
 * columns), as the plan tables' are (pg_schema.c).
 *
 * feedback, self_codes and self_sessions are person-owned: they carry
 * the city and county of their person, are partitioned by LIST (city),
 * keyed by (city, county, id) and refer to their person (feedback,
 * self_codes) or code (self_sessions) by a key holding the county, so
 * that a row's county is its person's. Row-level security shows the app
 * role the rows of its scope (liangfu.region), and, before any scope is
 * known, the code or the session whose keyed hash is liangfu.token
 * (dbq_auth()): a redemption finds its code by the hash of what the
 * person typed, a self-service request its session by its cookie's
 * hash, and then store/selfcode_rows.c scopes the store to that code's
 * county (selfcode_rows_scope()), so that the person, their plans and
 * their ratings are read under row-level security as a worker of the
 * county would read them, and no other county's.
 *
 * self_throttle (a client address's failed redemptions) is not
 * person-owned: no county, no partition and no row-level security. It
 * is read and written before any code is found (the refusal of an
 * unknown code counts too), and it must count one address's failures
 * across every county, or an address could try codes county by county.
 * It holds no person's data.
 *
 * Every statement may run again (a new registry's init and the owner
 * role's upgrade to format 7 run the same text).
 */
#include "store/pg/pg_int.h"

#include <string.h>

#include <sqlite3.h>

#include "store/feedback_rows.h"

/* PostgreSQL's keys of a table of SQLite's feedback_schema_sql(). */
static const struct fb_table {
	const char	*name;
	int		 owned;		/* person-owned: city, county */
	const char	*keys;
} fb_tables[] = {
	{ "feedback", 1,
	    "  CHECK (county = left(lpad(region::text, 12, '0'), 6) AND "
	    "city = left(county, 4)),\n"
	    "  CHECK (rating BETWEEN 1 AND 3),\n"
	    "  PRIMARY KEY (city, county, id),\n"
	    "  FOREIGN KEY (city, county, person_id)\n"
	    "    REFERENCES persons (city, county, id)" },
	{ "self_codes", 1,
	    "  CHECK (city = left(county, 4)),\n"
	    "  PRIMARY KEY (city, county, id),\n"
	    "  UNIQUE (city, county, code_hash),\n"
	    "  FOREIGN KEY (city, county, person_id)\n"
	    "    REFERENCES persons (city, county, id)" },
	{ "self_sessions", 1,
	    "  CHECK (city = left(county, 4)),\n"
	    "  PRIMARY KEY (city, county, id),\n"
	    "  UNIQUE (city, county, token_hash),\n"
	    "  FOREIGN KEY (city, county, code_id)\n"
	    "    REFERENCES self_codes (city, county, id)" },
	{ "self_throttle", 0, "  PRIMARY KEY (client)" },
};
#define NFB	(sizeof(fb_tables) / sizeof(fb_tables[0]))

static const char fb_tail_sql[] =
	"CREATE INDEX IF NOT EXISTS feedback_target ON feedback(person_id, "
	"year, item_id);\n"
	"CREATE INDEX IF NOT EXISTS feedback_latest ON feedback(year, region)"
	" WHERE superseded_by IS NULL;\n"
	"CREATE INDEX IF NOT EXISTS feedback_idx_id ON feedback(id);\n"
	"CREATE INDEX IF NOT EXISTS self_codes_person ON self_codes"
	"(person_id);\n"
	"CREATE INDEX IF NOT EXISTS self_codes_idx_id ON self_codes(id);\n"
	/* a redemption finds its code by hash whatever its county */
	"CREATE INDEX IF NOT EXISTS self_codes_hash ON self_codes"
	"(code_hash);\n"
	"CREATE INDEX IF NOT EXISTS self_sessions_code ON self_sessions"
	"(code_id);\n"
	"CREATE INDEX IF NOT EXISTS self_sessions_token ON self_sessions"
	"(token_hash);\n"
	"ALTER TABLE feedback ENABLE ROW LEVEL SECURITY;\n"
	"ALTER TABLE self_codes ENABLE ROW LEVEL SECURITY;\n"
	"ALTER TABLE self_sessions ENABLE ROW LEVEL SECURITY;\n"
	"DROP POLICY IF EXISTS feedback_county ON feedback;\n"
	"CREATE POLICY feedback_county ON feedback\n"
	"  USING (starts_with(county, liangfu_scope()));\n"
	/* the scope's sessions, and the one whose token hash the request
	 * presents (self_session_check(), before the scope is known) */
	"DROP POLICY IF EXISTS self_sessions_county ON self_sessions;\n"
	"CREATE POLICY self_sessions_county ON self_sessions\n"
	"  USING (starts_with(county, liangfu_scope()) OR\n"
	"  token_hash = liangfu_auth_token());\n"
	/* the scope's codes, the code whose hash a redemption presents,
	 * and the code of the session presented (self_sessions' policy
	 * does not ask self_codes': no recursion) */
	"DROP POLICY IF EXISTS self_codes_county ON self_codes;\n"
	"CREATE POLICY self_codes_county ON self_codes\n"
	"  USING (starts_with(county, liangfu_scope()) OR\n"
	"  code_hash = liangfu_auth_token() OR id IN (SELECT code_id FROM\n"
	"  self_sessions WHERE token_hash = liangfu_auth_token()));\n"
	/* append and mark superseded, issue and count; nothing deleted */
	"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles "
	"WHERE rolname = 'liangfu_app') THEN\n"
	"  GRANT SELECT, INSERT, UPDATE ON feedback, self_codes, "
	"self_sessions, self_throttle TO liangfu_app;\n"
	"  REVOKE DELETE, TRUNCATE ON feedback, self_codes, self_sessions, "
	"self_throttle FROM liangfu_app;\n"
	"  GRANT USAGE ON SEQUENCE feedback_id_seq, self_codes_id_seq, "
	"self_sessions_id_seq TO liangfu_app;\n"
	"END IF; END $$;\n";

/* One column of SQLite's table as PostgreSQL's, after sep: INTEGER
 * bigint, TEXT text, BLOB bytea, NOT NULL and the default kept; an owned
 * table's key id numbered by its sequence. */
static int
fb_column(const struct fb_table *t, sqlite3_stmt *st, const char *sep,
    struct buf *b)
{
	const char *name = (const char *)sqlite3_column_text(st, 0);
	const char *type = (const char *)sqlite3_column_text(st, 1);
	const char *dflt = (const char *)sqlite3_column_text(st, 3);
	int notnull = sqlite3_column_int(st, 2), pk = sqlite3_column_int(st, 4);

	if (name == NULL || type == NULL)
		return -1;
	if (pk && t->owned)
		return buf_addf(b, "%s\n  %s bigint NOT NULL DEFAULT "
		    "nextval('%s_id_seq')", sep, name, t->name);
	return buf_addf(b, "%s\n  %s %s%s%s%s", sep, name,
	    strcmp(type, "INTEGER") == 0 ? "bigint" : strcmp(type, "BLOB") ==
	    0 ? "bytea" : "text", notnull || pk ? " NOT NULL" : "",
	    dflt != NULL ? " DEFAULT " : "", dflt != NULL ? dflt : "");
}

static int
fb_table(sqlite3 *db, const struct fb_table *t, struct buf *b)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if ((t->owned && buf_addf(b, "CREATE SEQUENCE IF NOT EXISTS "
	    "%s_id_seq;\n", t->name) != 0) || buf_addf(b, "CREATE TABLE IF NOT "
	    "EXISTS %s(%s", t->name, t->owned ? "\n  city text NOT NULL, "
	    "county text NOT NULL" : "") != 0 || sqlite3_prepare_v2(db,
	    "SELECT name, type, \"notnull\", dflt_value, pk FROM "
	    "pragma_table_info(?1) ORDER BY cid", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n >= 0)
		n = fb_column(t, st, n == 0 && !t->owned ? "" : ",", b) != 0 ?
		    -1 : n + 1;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || n <= 0)
		return -1;
	return buf_addf(b, ",\n%s\n)%s;\n", t->keys, t->owned ?
	    " PARTITION BY LIST (city)" : "");
}

/* An owned table's partitions: one per city of rs, or, without rs (an
 * upgrade), of the regions table, and a default one. */
static int
fb_partitions(const struct regions *rs, const char *name, struct buf *b)
{
	size_t i;

	if (rs == NULL) {
		if (buf_addf(b, "DO $$ DECLARE c text; BEGIN FOR c IN SELECT "
		    "code FROM regions WHERE level = 'city' LOOP EXECUTE "
		    "format('CREATE TABLE IF NOT EXISTS %%I PARTITION OF %s "
		    "FOR VALUES IN (%%L)', '%s_' || c, c); END LOOP; END $$;\n",
		    name, name) != 0)
			return -1;
	} else {
		for (i = 0; i < rs->n; i++)
			if (rs->v[i].level == RL_CITY && buf_addf(b, "CREATE "
			    "TABLE IF NOT EXISTS %s_%s PARTITION OF %s FOR "
			    "VALUES IN ('%s');\n", name, rs->v[i].code, name,
			    rs->v[i].code) != 0)
				return -1;
	}
	return buf_addf(b, "CREATE TABLE IF NOT EXISTS %s_other PARTITION OF "
	    "%s DEFAULT;\n", name, name);
}

int
pg_feedback_sql(const struct regions *rs, struct buf *b)
{
	sqlite3 *db = NULL;
	size_t i;
	int rc = -1;

	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) == SQLITE_OK &&
	    sqlite3_exec(db, feedback_schema_sql(), NULL, NULL, NULL) ==
	    SQLITE_OK) {
		for (i = 0, rc = 0; i < NFB && rc == 0; i++)
			rc = fb_table(db, &fb_tables[i], b) != 0 ||
			    (fb_tables[i].owned && fb_partitions(rs,
			    fb_tables[i].name, b) != 0) ? -1 : 0;
	}
	sqlite3_close(db);
	return rc != 0 ? -1 : buf_adds(b, fb_tail_sql);
}

/*
 * pg_watch.c - the statistics' change signal on PostgreSQL (stats_gen.h).
 *
 * SQLite's write counter is one row moved by a trigger per changed row.
 * On PostgreSQL one row updated by every writer would serialise them all
 * on its row lock until they commit (a load holds it for minutes, and
 * every survey write of the server would wait for it). A statement
 * trigger on each watched table sends NOTIFY instead: PostgreSQL delivers
 * it only when the writing transaction commits (after its rows are
 * visible), once per transaction, and drops it when the transaction
 * rolls back; a COPY into the partitioned table fires it too. The
 * server's statistics listen on a connection of their own.
 */
#include "store/pg/pg_int.h"
#include "store/store_int.h"
#include "store/stats_gen.h"

#include <string.h>

#define CHANNEL	"liangfu_stats"

/* The tables whose rows the statistics read (as stats_gen.c's). */
static const char *const watched[] = { "persons", "surveys", "plans",
	"items" };

int
pg_stats_watch_sql(struct buf *b)
{
	size_t t;

	if (buf_adds(b, "CREATE OR REPLACE FUNCTION liangfu_stats_notify() "
	    "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM "
	    "pg_notify('" CHANNEL "', ''); RETURN NULL; END $$;\n") != 0)
		return -1;
	for (t = 0; t < sizeof(watched) / sizeof(watched[0]); t++)
		if (buf_addf(b, "CREATE OR REPLACE TRIGGER %s_stats AFTER "
		    "INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s FOR EACH "
		    "STATEMENT EXECUTE FUNCTION liangfu_stats_notify();\n",
		    watched[t], watched[t]) != 0)
			return -1;
	return 0;
}

int
pg_stats_listen(struct store *s, struct lf_error *err)
{
	return pg_exec(s->pg->conn, "LISTEN " CHANNEL, "listen", err);
}

int
pg_stats_notified(struct store *s, struct lf_error *err)
{
	PGnotify *n;
	int got = 0;

	if (pg_lost(s) || !PQconsumeInput(s->pg->conn)) {
		/* lost: anything may have changed meanwhile */
		if (store_reconnect(s, err) != 0 || pg_stats_listen(s, err) !=
		    0)
			return -1;
		return 1;
	}
	while ((n = PQnotifies(s->pg->conn)) != NULL) {
		got = 1;
		PQfreemem(n);
	}
	return got;
}

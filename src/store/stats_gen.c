/*
 * stats_gen.c - the statistics' write counter (stats_gen.h).
 */
#include "store/stats_gen.h"
#include "store/store_int.h"
#include "store/pg/pg_int.h"

#include <stdio.h>
#include <string.h>

#define GEN_TABLE	"stats_gen"

/* The tables whose rows the statistics read (store/stats_load.c). */
static const char *const watched[] = { "persons", "surveys", "plans",
	"items" };
static const char *const ops[] = { "INSERT", "UPDATE", "DELETE" };

int
stats_gen_watches(const char *table)
{
	size_t t;

	for (t = 0; t < sizeof(watched) / sizeof(watched[0]); t++)
		if (strcmp(table, watched[t]) == 0)
			return 1;
	return 0;
}

/* This thread's watched connection: moves in its open transaction, moves
 * committed and not yet taken. */
static _Thread_local struct {
	uint64_t	 open, committed;
} w;

static int
create(struct store *s, struct lf_error *err)
{
	char sql[256];
	size_t t, o;

	if (store_tx_immediate(s, "write counter", err) != 0)
		return -1;
	if (sqlite3_exec(s->db, "CREATE TABLE IF NOT EXISTS "
	    GEN_TABLE "(k INTEGER PRIMARY KEY CHECK (k = 1), gen INTEGER NOT "
	    "NULL); INSERT OR IGNORE INTO " GEN_TABLE " VALUES (1, 0);", NULL,
	    NULL, NULL) != SQLITE_OK)
		goto fail;
	for (t = 0; t < sizeof(watched) / sizeof(watched[0]); t++)
		for (o = 0; o < 3; o++) {
			snprintf(sql, sizeof(sql), "CREATE TRIGGER IF NOT EXISTS "
			    GEN_TABLE "_%s_%c AFTER %s ON %s BEGIN UPDATE "
			    GEN_TABLE " SET gen = gen + 1 WHERE k = 1; END",
			    watched[t], ops[o][0], ops[o], watched[t]);
			if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) !=
			    SQLITE_OK)
				goto fail;
		}
	return store_tx_finish(s, 1, err);
fail:
	store_sqlite_error(s, "write counter", err);
	store_tx_finish(s, 0, err);
	return -1;
}

int
stats_gen_init(struct store *s, struct lf_error *err)
{
	sqlite3_stmt *st;
	int n = -1;

	/* installed: nothing to write (opening stays read-only) */
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name = '" GEN_TABLE "' OR name LIKE '" GEN_TABLE "\\_%' "
	    "ESCAPE '\\'", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "write counter", err);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (n == 1 + 3 * (int)(sizeof(watched) / sizeof(watched[0])))
		return 0;
	return create(s, err);
}

int
stats_gen_get(struct store *s, uint64_t *gen, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT gen FROM " GEN_TABLE " WHERE "
	    "k = 1", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "write counter", err);
	rc = sqlite3_step(st);
	*gen = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_sqlite_error(s, "write counter",
	    err);
}

int
stats_gen_listen(struct store *s, struct lf_error *err)
{
	return s->pg != NULL ? pg_stats_listen(s, err) : 0;
}

int
stats_gen_notified(struct store *s, struct lf_error *err)
{
	return s->pg != NULL ? pg_stats_notified(s, err) : 0;
}

/* ---- the calling thread's watch ------------------------------------ */

static void
on_update(void *arg, int op, const char *db, const char *table,
    sqlite3_int64 rowid)
{
	(void)arg;
	(void)db;
	(void)rowid;
	if (op == SQLITE_UPDATE && strcmp(table, GEN_TABLE) == 0)
		w.open++;
}

static int
on_commit(void *arg)
{
	(void)arg;
	w.committed += w.open;
	w.open = 0;
	return 0;
}

static void
on_rollback(void *arg)
{
	(void)arg;
	w.open = 0;
}

void
stats_gen_watch(struct store *s)
{
	w.open = w.committed = 0;
	sqlite3_update_hook(s->db, on_update, NULL);
	sqlite3_commit_hook(s->db, on_commit, NULL);
	sqlite3_rollback_hook(s->db, on_rollback, NULL);
}

void
stats_gen_forget(void)
{
	w.committed = 0;
}

uint64_t
stats_gen_take(void)
{
	uint64_t n = w.committed;

	w.committed = 0;
	return n;
}

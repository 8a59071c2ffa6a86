/*
 * loadfloor.c - the floor of a load: SQLite alone writing the rows a
 * `liangfu seed` wrote (persons and packed survey rows, byte for byte),
 * into the same schema with the same indexes, as the bulk load does: one
 * transaction under a rollback journal, synchronous=FULL, rows bound one
 * by one on prepared statements, the secondary indexes built at the end.
 * No validation, no sealing, no hashing. The rows are read from the
 * seeded file while they are written (reading is part of the figure: a
 * slightly high floor).
 *
 * Usage: loadfloor SEEDED.db NEW.db   (prints seconds; exit 1 on error)
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "loadfloor: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void
exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(db, sql);
}

/* Runs every statement the query returns (one SQL text a row). */
static void
exec_rows(sqlite3 *db, const char *query)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, query, -1, &st, NULL) != SQLITE_OK)
		die(db, query);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *sql = strdup((const char *)sqlite3_column_text(st, 0));

		exec(db, sql);
		free(sql);
	}
	sqlite3_finalize(st);
}

/* Copies table t row by row: SELECT * from src, INSERT with binds. */
static long
copy(sqlite3 *db, const char *t)
{
	sqlite3_stmt *rd, *wr;
	char sql[512];
	int i, n;
	long rows = 0;

	snprintf(sql, sizeof(sql), "SELECT * FROM src.%s", t);
	if (sqlite3_prepare_v2(db, sql, -1, &rd, NULL) != SQLITE_OK)
		die(db, sql);
	n = sqlite3_column_count(rd);
	snprintf(sql, sizeof(sql), "INSERT INTO main.%s VALUES (?", t);
	for (i = 1; i < n; i++)
		strcat(sql, ", ?");
	strcat(sql, ")");
	if (sqlite3_prepare_v2(db, sql, -1, &wr, NULL) != SQLITE_OK)
		die(db, sql);
	while (sqlite3_step(rd) == SQLITE_ROW) {
		for (i = 0; i < n; i++)
			sqlite3_bind_value(wr, i + 1, sqlite3_column_value(rd,
			    i));
		if (sqlite3_step(wr) != SQLITE_DONE)
			die(db, "insert");
		sqlite3_reset(wr);
		rows++;
	}
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	return rows;
}

int
main(int argc, char **argv)
{
	char sql[4096];
	sqlite3 *db;
	double t0, t1, t2, t3, t4;
	long p, s;

	if (argc != 3) {
		fprintf(stderr, "usage: loadfloor SEEDED.db NEW.db\n");
		return 2;
	}
	remove(argv[2]);
	t0 = now();
	if (sqlite3_open(argv[2], &db) != SQLITE_OK)
		die(db, "open");
	/* the store's own settings (store_sqlite.c), and its page size
	 * (LOADFLOOR_PAGE_SIZE tries another) */
	snprintf(sql, sizeof(sql), "PRAGMA page_size = %d; PRAGMA "
	    "journal_mode = delete; PRAGMA synchronous = FULL; PRAGMA "
	    "cache_size = -1048576; PRAGMA temp_store = MEMORY; PRAGMA threads = %d; ATTACH '%s' "
	    "AS src", getenv("LOADFLOOR_PAGE_SIZE") ?
	    atoi(getenv("LOADFLOOR_PAGE_SIZE")) : 8192,
	    getenv("LOADFLOOR_THREADS") ? atoi(getenv("LOADFLOOR_THREADS")) :
	    0, argv[1]);
	exec(db, sql);
	exec(db, "BEGIN");
	exec_rows(db, "SELECT sql FROM src.sqlite_master WHERE type = "
	    "'table' AND name IN ('persons', 'surveys')");
	t1 = now();
	p = copy(db, "persons");
	t2 = now();
	s = copy(db, "surveys");
	t3 = now();
	exec_rows(db, "SELECT sql FROM src.sqlite_master WHERE type = "
	    "'index' AND tbl_name IN ('persons', 'surveys') AND sql IS NOT "
	    "NULL");
	t4 = now();
	exec(db, "COMMIT");
	sqlite3_close(db);
	printf("%.1f s  %ld persons, %ld surveys (persons %.1f s, surveys "
	    "%.1f s, indexes %.1f s, commit %.1f s)\n", now() - t0, p, s,
	    t2 - t1, t3 - t2, t4 - t3, now() - t4);
	return 0;
}

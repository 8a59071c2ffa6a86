/*
 * floor.c - what SQLite alone can do with the API's reads on this machine:
 * a floor for the HTTP figures, below even bench/lookup.c. For random
 * persons it runs only the SQL the two requests need, with every core
 * (one connection a thread), and reads every column of every row it gets,
 * but opens no sealed value, builds no JSON, writes no audit entry and
 * speaks no HTTP:
 *
 *   page:   the person by opaque id, then every year's survey (all columns);
 *   search: the person by its lookup hash (the id_hash index).
 *
 * Usage: floor DB UIDS-FILE [SECONDS [THREADS]]   (5 s; one thread a core)
 * Prints the rate of each, summed over the threads. Exit 1 on any error,
 * naming it; 2 on bad usage.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXP	5000
#define MAXT	64

static char uids[MAXP][40];
static unsigned char hashes[MAXP][32];
static int hashlen[MAXP];
static size_t npersons;
static const char *dbpath;
static double seconds = 5.0;

static const char person_sql[] = "SELECT * FROM persons WHERE uid = ?1";
static const char years_sql[] =
	"SELECT * FROM surveys WHERE person_id = ?1 ORDER BY year";
static const char search_sql[] = "SELECT * FROM persons WHERE id_hash = ?1";

struct worker {
	pthread_t	 t;
	int		 search;
	unsigned	 seed;
	long		 done;
	int		 failed;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Steps st to the end, touching every column of every row; the rows, or
 * -1. *id gets the first row's first column. */
static int
drain(sqlite3_stmt *st, sqlite3_int64 *id)
{
	int rc, rows = 0, i, n;
	size_t sum = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rows == 0)
			*id = sqlite3_column_int64(st, 0);
		n = sqlite3_column_count(st);
		for (i = 0; i < n; i++)
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				sum += (size_t)sqlite3_column_int64(st, i);
				break;
			case SQLITE_TEXT:
				sum += (size_t)sqlite3_column_bytes(st, i);
				break;
			case SQLITE_BLOB:
				sum += (size_t)sqlite3_column_bytes(st, i) +
				    (sqlite3_column_blob(st, i) != NULL);
				break;
			}
		rows++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE && sum != (size_t)-1 ? rows : -1;
}

struct stmts {
	sqlite3_stmt	*begin, *commit, *person, *years, *search;
};

/* One request's SQL for person k, in one read transaction, as the server
 * runs it: the person row (by opaque id, or by lookup hash for a search),
 * then for the page every year's survey. 0 or -1. */
static int
one(const struct stmts *q, size_t k, int search)
{
	sqlite3_int64 id = 0;
	int ok;

	if (search)
		sqlite3_bind_blob(q->search, 1, hashes[k], hashlen[k],
		    SQLITE_STATIC);
	else
		sqlite3_bind_text(q->person, 1, uids[k], -1, SQLITE_STATIC);
	if (sqlite3_step(q->begin) != SQLITE_DONE)
		return -1;
	sqlite3_reset(q->begin);
	ok = drain(search ? q->search : q->person, &id) == 1;
	if (ok && !search) {
		sqlite3_bind_int64(q->years, 1, id);
		ok = drain(q->years, &id) > 0;
	}
	if (sqlite3_step(q->commit) != SQLITE_DONE)
		return -1;
	sqlite3_reset(q->commit);
	return ok ? 0 : -1;
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct stmts q = { NULL, NULL, NULL, NULL, NULL };
	sqlite3 *db = NULL;
	double t0;

	w->failed = sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "BEGIN", -1, &q.begin, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "COMMIT", -1, &q.commit, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, person_sql, -1, &q.person, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(db, years_sql, -1, &q.years, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, search_sql, -1, &q.search, NULL) != SQLITE_OK;
	t0 = now();
	while (!w->failed && now() - t0 < seconds) {
		if (one(&q, (size_t)rand_r(&w->seed) % npersons, w->search) != 0)
			w->failed = 1;
		else
			w->done++;
	}
	if (w->failed)
		fprintf(stderr, "floor: %s\n", db ? sqlite3_errmsg(db) :
		    "cannot open");
	sqlite3_finalize(q.begin);
	sqlite3_finalize(q.commit);
	sqlite3_finalize(q.person);
	sqlite3_finalize(q.years);
	sqlite3_finalize(q.search);
	sqlite3_close(db);
	return NULL;
}

/* Requests per second over nt threads, or -1. */
static double
run(int nt, int search)
{
	struct worker w[MAXT];
	long done = 0;
	int i, failed = 0;
	double t0 = now();

	for (i = 0; i < nt; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].search = search;
		w[i].seed = 7u + (unsigned)i;
		if (pthread_create(&w[i].t, NULL, work, &w[i]) != 0) {
			failed = 1;
			nt = i;		/* join those started */
		}
	}
	for (i = 0; i < nt; i++) {
		pthread_join(w[i].t, NULL);
		done += w[i].done;
		failed |= w[i].failed;
	}
	return failed ? -1 : done / (now() - t0);
}

/* Loads every person's lookup hash. 0 or -1. */
static int
load_hashes(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t i;
	int ok;

	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	ok = sqlite3_prepare_v2(db, "SELECT id_hash FROM persons WHERE uid = ?1",
	    -1, &st, NULL) == SQLITE_OK;
	for (i = 0; ok && i < npersons; i++) {
		sqlite3_bind_text(st, 1, uids[i], -1, SQLITE_STATIC);
		ok = sqlite3_step(st) == SQLITE_ROW &&
		    (hashlen[i] = sqlite3_column_bytes(st, 0)) > 0 &&
		    hashlen[i] <= 32;
		if (ok)
			memcpy(hashes[i], sqlite3_column_blob(st, 0),
			    (size_t)hashlen[i]);
		sqlite3_reset(st);
	}
	if (!ok)
		fprintf(stderr, "floor: person %zu: %s\n", i, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok ? 0 : -1;
}

int
main(int argc, char **argv)
{
	long nt = sysconf(_SC_NPROCESSORS_ONLN);
	double page, search;
	FILE *fp;

	if (argc < 3 || argc > 5 || (fp = fopen(argv[2], "r")) == NULL) {
		fprintf(stderr, "usage: floor DB UIDS-FILE [SECONDS [THREADS]]\n");
		return 2;
	}
	dbpath = argv[1];
	if ((argc >= 4 && (seconds = strtod(argv[3], NULL)) <= 0) ||
	    (argc == 5 && (nt = strtol(argv[4], NULL, 10)) < 1)) {
		fclose(fp);
		return 2;
	}
	while (npersons < MAXP && fgets(uids[npersons], sizeof(uids[0]), fp)) {
		uids[npersons][strcspn(uids[npersons], "\n")] = '\0';
		npersons++;
	}
	fclose(fp);
	if (nt > MAXT)
		nt = MAXT;
	if (nt < 1)
		nt = 1;
	if (npersons == 0 || load_hashes() != 0)
		return 1;
	if ((page = run((int)nt, 0)) < 0 || (search = run((int)nt, 1)) < 0)
		return 1;
	printf("SQLite floor, person page rows: %.0f/s (%ld threads)\n", page, nt);
	printf("SQLite floor, search row: %.0f/s (%ld threads)\n", search, nt);
	return 0;
}

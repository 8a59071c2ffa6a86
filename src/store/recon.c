/*
 * recon.c - the reconciliation tables, the lookup hash and erasing old
 * rosters (recon_rows.h); a run's rows are recon_rows.c, the tasks'
 * recon_task.c. The statements are store/dbq.h's, for either backend;
 * SQLite's tables are made here, PostgreSQL's from this definition
 * (pg/pg_recon.c).
 */
#include "store/store_int.h"
#include "store/recon_rows.h"
#include "store/recon_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/mem.h"
#include "store/dbq.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS rosters ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL, year INTEGER NOT NULL, region TEXT NOT NULL,"
	" file TEXT NOT NULL, rows INTEGER NOT NULL,"
	" matched INTEGER NOT NULL, findings INTEGER NOT NULL,"
	" imported_at INTEGER NOT NULL, imported_by TEXT NOT NULL,"
	" erased_at INTEGER);"
	"CREATE TABLE IF NOT EXISTS roster_rows ("
	" roster_id INTEGER NOT NULL REFERENCES rosters(id),"
	" id_hash BLOB NOT NULL, fact INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS roster_rows_roster ON"
	" roster_rows(roster_id);"
	"CREATE TABLE IF NOT EXISTS recon_tasks ("
	" id INTEGER PRIMARY KEY,"
	" roster_id INTEGER NOT NULL REFERENCES rosters(id),"
	" person_id INTEGER NOT NULL REFERENCES persons(id),"
	" kind TEXT NOT NULL, finding TEXT NOT NULL,"
	" region TEXT NOT NULL, county TEXT NOT NULL, owner TEXT,"
	" open INTEGER NOT NULL CHECK (open IN (0, 1)),"
	" close_reason TEXT, closed_by TEXT, closed_at INTEGER,"
	" created_at INTEGER NOT NULL, created_by TEXT NOT NULL,"
	" version INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX IF NOT EXISTS recon_tasks_open ON"
	" recon_tasks(person_id, kind, finding) WHERE open = 1;"
	"CREATE INDEX IF NOT EXISTS recon_tasks_region ON"
	" recon_tasks(region, id);";

const char *
recon_schema_sql(void)
{
	return schema_sql;
}

int
recon_init(struct store *s, struct lf_error *err)
{
	if (sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "recon_init", err);
	return 0;
}

int
recon_id_hash(struct store *s, const char *id18,
    unsigned char out[CRYPTO_HASH_LEN], struct lf_error *err)
{
	if (crypto_lookup_hash(s->keys, "id_number", id18, strlen(id18),
	    out) != 0)
		return lf_error_set(err, "store", "", "哈希失败 (hash failed)");
	return 0;
}

struct hash_part {
	struct store			*s;
	const char			(*ids)[19];
	struct recon_roster_row		*rows;
	size_t				 lo, hi;
	int				 rc;
};

static void *
hash_part(void *arg)
{
	struct hash_part *h = arg;
	size_t i;

	for (i = h->lo; i < h->hi && h->rc == 0; i++)
		if (crypto_lookup_hash(h->s->keys, "id_number", h->ids[i],
		    strlen(h->ids[i]), h->rows[i].hash) != 0)
			h->rc = -1;
	return NULL;
}

int
recon_id_hash_all(struct store *s, const char (*ids)[19],
    struct recon_roster_row *rows, size_t n, int threads,
    struct lf_error *err)
{
	struct hash_part part[8];
	pthread_t tid[8];
	int i, started[8] = { 0 }, rc = 0;

	if (threads < 1 || threads > 8)
		threads = 1;
	for (i = 0; i < threads; i++) {
		part[i] = (struct hash_part){ s, ids, rows,
		    n * (size_t)i / (size_t)threads,
		    n * (size_t)(i + 1) / (size_t)threads, 0 };
		if (i > 0)
			started[i] = pthread_create(&tid[i], NULL, hash_part,
			    &part[i]) == 0;
	}
	for (i = 1; i < threads; i++)
		if (!started[i])	/* no thread: the caller does it */
			hash_part(&part[i]);
	hash_part(&part[0]);
	for (i = 0; i < threads; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		rc |= part[i].rc;
	}
	if (rc != 0)
		return lf_error_set(err, "store", "", "哈希失败 (hash failed)");
	return 0;
}

/* ---- erase ---------------------------------------------------------- */

int
recon_erase(struct store *s, int keep_days, int64_t now, int64_t *erased,
    struct lf_error *err)
{
	struct dbq q = { 0 };
	int64_t before = now - (int64_t)keep_days * 86400;
	int tx, rc;

	*erased = 0;
	if (keep_days < 0)
		return lf_error_set(err, "invalid", "roster_keep_days", "保留天数"
		    "不能为负 (keep days must not be negative)");
	if (dbq_tx_begin(s, &tx, err) != 0)
		return -1;
	rc = dbq_prep(s, &q, "DELETE FROM roster_rows WHERE roster_id IN "
	    "(SELECT id FROM rosters WHERE imported_at < ? AND erased_at IS "
	    "NULL)", "recon erase", err) != 0 || dbq_bind(&q, err, "i",
	    before) != 0 ? -1 : dbq_exec(&q, err);
	dbq_end(&q);
	if (rc == 0)
		rc = dbq_prep(s, &q, "UPDATE rosters SET erased_at = ? WHERE "
		    "imported_at < ? AND erased_at IS NULL", "recon erase",
		    err) != 0 || dbq_bind(&q, err, "ii", now, before) != 0 ?
		    -1 : dbq_exec(&q, err);
	if (rc == 0)
		*erased = dbq_changes(&q);
	dbq_end(&q);
	if (rc == 2)	/* no constraint to refuse these */
		rc = lf_error_set(err, "store", "", "recon erase refused");
	if ((rc = dbq_tx_end(s, tx, rc, err)) != 0)
		*erased = 0;
	return rc;
}

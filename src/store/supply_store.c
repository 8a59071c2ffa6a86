/*
 * supply_store.c - the rows of need-supply matching (supply_rows.h):
 * stock with its history and audit, and the plan rows the matching
 * reads. The rules are supply/'s.
 */
#include "store/store_int.h"
#include "store/supply_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/audit.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS supply_stock ("
	" county TEXT NOT NULL, item TEXT NOT NULL, year INTEGER NOT NULL,"
	" quantity INTEGER NOT NULL CHECK (quantity >= 0),"
	" version INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" updated_by TEXT NOT NULL, PRIMARY KEY (county, item, year));"
	"CREATE TABLE IF NOT EXISTS supply_stock_history ("
	" id INTEGER PRIMARY KEY, county TEXT NOT NULL, item TEXT NOT NULL,"
	" year INTEGER NOT NULL, old INTEGER, new INTEGER NOT NULL,"
	" actor TEXT NOT NULL, at INTEGER NOT NULL);";

int
supply_init(struct store *s, struct lf_error *err)
{
	if (sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "supply_init", err);
	return 0;
}

static int
prep(struct store *s, const char *sql, sqlite3_stmt **st,
    struct lf_error *err)
{
	return store_stmt(s, sql, "supply", st, err);
}

/* ---- stock ---------------------------------------------------------- */

static int
stock_one(struct store *s, sqlite3_stmt *old, sqlite3_stmt *up,
    sqlite3_stmt *hist, const struct supply_stock *r, const char *actor,
    int64_t now, struct lf_error *err)
{
	int has, rc;
	int64_t prev = 0;

	sqlite3_bind_text(old, 1, r->county, -1, SQLITE_STATIC);
	sqlite3_bind_text(old, 2, r->item->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(old, 3, r->year);
	has = sqlite3_step(old) == SQLITE_ROW;
	if (has)
		prev = sqlite3_column_int64(old, 0);
	sqlite3_reset(old);
	if (has && prev == r->quantity)
		return 0;
	sqlite3_bind_text(up, 1, r->county, -1, SQLITE_STATIC);
	sqlite3_bind_text(up, 2, r->item->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(up, 3, r->year);
	sqlite3_bind_int64(up, 4, r->quantity);
	sqlite3_bind_int64(up, 5, now);
	sqlite3_bind_text(up, 6, actor, -1, SQLITE_STATIC);
	rc = sqlite3_step(up);
	sqlite3_reset(up);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "supply stock", err);
	sqlite3_bind_text(hist, 1, r->county, -1, SQLITE_STATIC);
	sqlite3_bind_text(hist, 2, r->item->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(hist, 3, r->year);
	if (has)
		sqlite3_bind_int64(hist, 4, prev);
	else
		sqlite3_bind_null(hist, 4);
	sqlite3_bind_int64(hist, 5, r->quantity);
	sqlite3_bind_text(hist, 6, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(hist, 7, now);
	rc = sqlite3_step(hist);
	sqlite3_reset(hist);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "supply history",
	    err);
}

static int
stock_audit(struct store *s, size_t n, const char *actor,
    struct lf_error *err)
{
	struct audit_entry e;
	char detail[64];

	snprintf(detail, sizeof(detail), "rows=%zu", n);
	memset(&e, 0, sizeof(e));
	e.actor = actor;
	e.action = "supply.stock";
	e.target_type = "supply";
	e.result = "ok";
	e.detail = detail;
	return audit_append(s, &e, err);
}

int
supply_stock_put(struct store *s, const struct supply_stock *rows,
    size_t n, const char *actor, struct lf_error *err)
{
	sqlite3_stmt *old = NULL, *up = NULL, *hist = NULL;
	int64_t now = (int64_t)time(NULL);
	size_t i;
	int rc = -1;

	if (store_begin(s, err) != 0)
		return -1;
	if (prep(s, "SELECT quantity FROM supply_stock WHERE county = ?1 AND "
	    "item = ?2 AND year = ?3", &old, err) != 0 ||
	    prep(s, "INSERT INTO supply_stock(county, item, year, quantity, "
	    "version, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, 1, ?5, "
	    "?6) ON CONFLICT (county, item, year) DO UPDATE SET quantity = "
	    "?4, version = version + 1, updated_at = ?5, updated_by = ?6", &up,
	    err) != 0 ||
	    prep(s, "INSERT INTO supply_stock_history(county, item, year, old,"
	    " new, actor, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &hist,
	    err) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (stock_one(s, old, up, hist, &rows[i], actor, now, err) != 0)
			goto out;
	rc = stock_audit(s, n, actor, err);
out:
	sqlite3_finalize(old);
	sqlite3_finalize(up);
	sqlite3_finalize(hist);
	if (rc != 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err);
}

int
supply_stock_get(struct store *s, const char *county, const char *item,
    int year, int64_t *qty, struct lf_error *err)
{
	sqlite3_stmt *st;
	int step;

	*qty = 0;
	if (prep(s, "SELECT quantity FROM supply_stock WHERE county = ?1 AND "
	    "item = ?2 AND year = ?3", &st, err) != 0)
		return -1;
	sqlite3_bind_text(st, 1, county, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, item, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, year);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*qty = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_sqlite_error(s, "supply stock", err);
	return 0;
}

int
supply_stock_rows(struct store *s, const struct region *in, int year,
    supply_stock_fn fn, void *arg, struct lf_error *err)
{
	char lo[24], hi[24];
	sqlite3_stmt *st;
	int step, stop = 0;

	store_region_range(in, lo, hi);
	lo[6] = hi[6] = '\0';
	if (prep(s, "SELECT county, item, quantity FROM supply_stock WHERE "
	    "year = ?1 AND county >= ?2 AND county < ?3", &st, err) != 0)
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, strcmp(lo, hi) == 0 ? "999999" : hi, -1,
	    SQLITE_STATIC);
	while (!stop && (step = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn(arg, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int64(st, 2));
	sqlite3_finalize(st);
	if (stop)
		return stop < 0 ? -1 : 0;
	return step == SQLITE_DONE ? 0 : store_sqlite_error(s, "supply stock",
	    err);
}

/* ---- plan rows the matching reads ----------------------------------- */

int
supply_delivered(struct store *s, const char *policy, const char *need,
    int year, int earlier, supply_person_fn fn, void *arg,
    struct lf_error *err)
{
	char key[80];
	sqlite3_stmt *st;
	int step, stop = 0;

	snprintf(key, sizeof(key), ",%s,", need);
	if (prep(s, earlier ? "SELECT DISTINCT i.person_id, p.region FROM "
	    "items i JOIN persons p ON p.id = i.person_id WHERE i.year < ?1 "
	    "AND i.policy = ?2 AND i.decision = 1 AND EXISTS (SELECT 1 FROM "
	    "deliveries d WHERE d.item_id = i.id) ORDER BY 1" :
	    "SELECT DISTINCT i.person_id, p.region FROM items i JOIN persons p"
	    " ON p.id = i.person_id WHERE i.year = ?1 AND i.policy = ?2 AND "
	    "instr(',' || coalesce(i.needs, '') || ',', ?3) > 0 AND EXISTS "
	    "(SELECT 1 FROM deliveries d WHERE d.item_id = i.id) ORDER BY 1",
	    &st, err) != 0)
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, policy, -1, SQLITE_STATIC);
	if (!earlier)
		sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	while (!stop && (step = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn(arg, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	if (stop)
		return stop < 0 ? -1 : 0;
	return step == SQLITE_DONE ? 0 : store_sqlite_error(s,
	    "supply closed", err);
}

int
supply_item_of(struct store *s, const char *policy, const char *need,
    int64_t person, int year, int64_t *id, int *decision,
    struct lf_error *err)
{
	char key[80];
	sqlite3_stmt *st;
	int step;

	*id = 0;
	snprintf(key, sizeof(key), ",%s,", need);
	if (prep(s, "SELECT id, decision FROM items WHERE year = ?1 AND "
	    "person_id = ?2 AND policy = ?3 AND instr(',' || coalesce(needs, "
	    "'') || ',', ?4) > 0 AND decision <> 2 ORDER BY seq LIMIT 1", &st,
	    err) != 0)
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_int64(st, 2, person);
	sqlite3_bind_text(st, 3, policy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, key, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*decision = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 :
	    store_sqlite_error(s, "supply issue", err);
}

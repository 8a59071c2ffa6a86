/*
 * supply_store.c - the rows of need-supply matching (supply_rows.h):
 * stock with its history and audit, and the plan rows the matching
 * reads. The rules are supply/'s. The statements are store/dbq.h's, for
 * either backend; SQLite's tables are made here, PostgreSQL's from this
 * definition (pg/pg_recon.c).
 */
#include "store/store_int.h"
#include "store/supply_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/audit.h"
#include "store/dbq.h"

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

const char *
supply_schema_sql(void)
{
	return schema_sql;
}

int
supply_init(struct store *s, struct lf_error *err)
{
	if (sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "supply_init", err);
	return 0;
}

/* A write that no constraint refuses here but one did: an error. */
static int
refused(int rc, const char *what, struct lf_error *err)
{
	return rc == 2 ? lf_error_set(err, "store", "", "%s refused", what) :
	    rc;
}

/* ---- stock ---------------------------------------------------------- */

static int
stock_one(struct store *s, const struct supply_stock *r, const char *actor,
    int64_t now, struct lf_error *err)
{
	struct dbq q = { 0 };
	int64_t prev = 0;
	int has, rc;

	has = dbq_prep(s, &q, "SELECT quantity FROM supply_stock WHERE county "
	    "= ? AND item = ? AND year = ?", "supply stock", err) != 0 ||
	    dbq_bind(&q, err, "tti", r->county, r->item->code,
	    (int64_t)r->year) != 0 ? -1 : dbq_step(&q, err);
	if (has == 1)
		prev = dbq_int64(&q, 0);
	dbq_end(&q);
	if (has < 0)
		return -1;
	if (has == 1 && prev == r->quantity)
		return 0;
	rc = dbq_prep(s, &q, "INSERT INTO supply_stock(county, item, year, "
	    "quantity, version, updated_at, updated_by) VALUES (?, ?, ?, ?, 1,"
	    " ?, ?) ON CONFLICT (county, item, year) DO UPDATE SET quantity = "
	    "?, version = supply_stock.version + 1, updated_at = ?, updated_by "
	    "= ?", "supply stock", err) != 0 || dbq_bind(&q, err, "ttiiitiit",
	    r->county, r->item->code, (int64_t)r->year, r->quantity, now,
	    actor, r->quantity, now, actor) != 0 ? -1 : dbq_exec(&q, err);
	dbq_end(&q);
	if ((rc = refused(rc, "supply stock", err)) != 0)
		return -1;
	rc = dbq_prep(s, &q, "INSERT INTO supply_stock_history(county, item, "
	    "year, old, new, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    "supply history", err) != 0 || dbq_bind(&q, err, "tti", r->county,
	    r->item->code, (int64_t)r->year) != 0 || (has == 1 ?
	    dbq_bind_int(&q, 4, prev, err) : dbq_bind_null(&q, 4, err)) != 0 ||
	    dbq_bind_int(&q, 5, r->quantity, err) != 0 || dbq_bind_text(&q, 6,
	    actor, err) != 0 || dbq_bind_int(&q, 7, now, err) != 0 ? -1 :
	    dbq_exec(&q, err);
	dbq_end(&q);
	return refused(rc, "supply history", err) != 0 ? -1 : 0;
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
	int64_t now = (int64_t)time(NULL);
	size_t i;
	int tx, rc = 0;

	if (dbq_tx_begin(s, &tx, err) != 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		rc = stock_one(s, &rows[i], actor, now, err);
	if (rc == 0)
		rc = stock_audit(s, n, actor, err);
	return dbq_tx_end(s, tx, rc, err) != 0 ? -1 : 0;
}

int
supply_stock_get(struct store *s, const char *county, const char *item,
    int year, int64_t *qty, struct lf_error *err)
{
	struct dbq q = { 0 };
	int step;

	*qty = 0;
	step = dbq_prep(s, &q, "SELECT quantity FROM supply_stock WHERE county "
	    "= ? AND item = ? AND year = ?", "supply stock", err) != 0 ||
	    dbq_bind(&q, err, "tti", county, item, (int64_t)year) != 0 ? -1 :
	    dbq_step(&q, err);
	if (step == 1)
		*qty = dbq_int64(&q, 0);
	dbq_end(&q);
	return step < 0 ? -1 : 0;
}

int
supply_stock_rows(struct store *s, const struct region *in, int year,
    supply_stock_fn fn, void *arg, struct lf_error *err)
{
	char lo[24], hi[24];
	struct dbq q = { 0 };
	int step, stop = 0;

	store_region_range(in, lo, hi);
	lo[6] = hi[6] = '\0';
	step = dbq_prep(s, &q, "SELECT county, item, quantity FROM supply_stock"
	    " WHERE year = ? AND county >= ? AND county < ?", "supply stock",
	    err) != 0 || dbq_bind(&q, err, "itt", (int64_t)year, lo,
	    strcmp(lo, hi) == 0 ? "999999" : hi) != 0 ? -1 : 1;
	while (!stop && step == 1 && (step = dbq_step(&q, err)) == 1)
		stop = fn(arg, dbq_text0(&q, 0), dbq_text0(&q, 1),
		    dbq_int64(&q, 2));
	dbq_end(&q);
	if (stop)
		return stop < 0 ? -1 : 0;
	return step == 0 ? 0 : -1;
}

/* ---- plan rows the matching reads ----------------------------------- */

/* "item names need": the need's ",code," inside the item's needs with
 * commas round them (replace() finds it on both backends, as SQLite's
 * instr() did) */
#define NAMES_NEED(col) "replace(',' || coalesce(" col ", '') || ',', " \
	"CAST(? AS text), '') <> ',' || coalesce(" col ", '') || ','"

int
supply_delivered(struct store *s, const char *policy, const char *need,
    int year, int earlier, supply_person_fn fn, void *arg,
    struct lf_error *err)
{
	char key[80];
	struct dbq q = { 0 };
	int step, stop = 0;

	snprintf(key, sizeof(key), ",%s,", need);
	step = dbq_prep(s, &q, earlier ? "SELECT DISTINCT i.person_id, "
	    "p.region FROM items i JOIN persons p ON p.id = i.person_id WHERE "
	    "i.year < ? AND i.policy = ? AND i.decision = 1 AND EXISTS (SELECT"
	    " 1 FROM deliveries d WHERE d.item_id = i.id) ORDER BY 1" :
	    "SELECT DISTINCT i.person_id, p.region FROM items i JOIN persons p"
	    " ON p.id = i.person_id WHERE i.year = ? AND i.policy = ? AND "
	    NAMES_NEED("i.needs") " AND EXISTS (SELECT 1 FROM deliveries d "
	    "WHERE d.item_id = i.id) ORDER BY 1", "supply closed", err) != 0 ||
	    (earlier ? dbq_bind(&q, err, "it", (int64_t)year, policy) :
	    dbq_bind(&q, err, "itt", (int64_t)year, policy, key)) != 0 ? -1 : 1;
	while (!stop && step == 1 && (step = dbq_step(&q, err)) == 1)
		stop = fn(arg, dbq_int64(&q, 0), dbq_text0(&q, 1));
	dbq_end(&q);
	if (stop)
		return stop < 0 ? -1 : 0;
	return step == 0 ? 0 : -1;
}

int
supply_item_of(struct store *s, const char *policy, const char *need,
    int64_t person, int year, int64_t *id, int *decision,
    struct lf_error *err)
{
	char key[80];
	struct dbq q = { 0 };
	int step;

	*id = 0;
	snprintf(key, sizeof(key), ",%s,", need);
	step = dbq_prep(s, &q, "SELECT id, decision FROM items WHERE year = ? "
	    "AND person_id = ? AND policy = ? AND " NAMES_NEED("needs") " AND "
	    "decision <> 2 ORDER BY seq LIMIT 1", "supply issue", err) != 0 ||
	    dbq_bind(&q, err, "iitt", (int64_t)year, person, policy, key) != 0 ?
	    -1 : dbq_step(&q, err);
	if (step == 1) {
		*id = dbq_int64(&q, 0);
		*decision = dbq_int(&q, 1);
	}
	dbq_end(&q);
	return step < 0 ? -1 : 0;
}

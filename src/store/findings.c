/*
 * findings.c - the findings tables: schema, rows written and read
 * (findings_rows.h). The rules that decide them are quality/'s.
 */
#include "store/findings_rows.h"
#include "store/plan_rows.h"
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS findings ("
	" id INTEGER PRIMARY KEY,"
	" rule TEXT NOT NULL,"
	" year INTEGER NOT NULL,"
	" person_id INTEGER NOT NULL,"
	" item_id INTEGER NOT NULL,"
	" surveyor TEXT NOT NULL,"
	" region TEXT NOT NULL,"
	" owner TEXT NOT NULL,"
	" status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 3),"
	" detail TEXT NOT NULL,"
	" reason TEXT,"
	" version INTEGER NOT NULL,"
	" created_at TEXT NOT NULL, created_by TEXT NOT NULL,"
	" updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS findings_person ON findings(year,"
	" person_id);"
	"CREATE INDEX IF NOT EXISTS findings_region ON findings(year, region);"
	"CREATE UNIQUE INDEX IF NOT EXISTS findings_open ON findings(rule,"
	" year, person_id, item_id, surveyor) WHERE status = 1;"
	"CREATE TABLE IF NOT EXISTS finding_events ("
	" id INTEGER PRIMARY KEY,"
	" finding_id INTEGER NOT NULL REFERENCES findings(id),"
	" at TEXT NOT NULL, actor TEXT NOT NULL,"
	" from_status INTEGER NOT NULL, to_status INTEGER NOT NULL,"
	" reason TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS finding_events_f ON finding_events("
	"finding_id, id);";

#define KEY_COLS	"id, person_id, item_id, rule, surveyor, status"
#define ROW_COLS	"f.id, f.rule, f.year, f.person_id, f.item_id," \
	" f.surveyor, f.region, f.owner, f.status, f.detail, f.reason," \
	" f.version, f.created_at, f.created_by, f.updated_at, f.updated_by," \
	" p.uid"
#define ROW_FROM	" FROM findings f LEFT JOIN persons p ON p.id =" \
	" f.person_id"

static const char *const status_codes[] = { "", "open", "resolved",
	"dismissed" };
static const char *const status_zh[] = { "", "待处理", "已整改", "已排除" };

const char *
finding_status_code(int status)
{
	return status >= 1 && status <= 3 ? status_codes[status] : "";
}

const char *
finding_status_zh(int status)
{
	return status >= 1 && status <= 3 ? status_zh[status] : "";
}

int
finding_status_parse(const char *code)
{
	int i;

	for (i = 1; i <= 3; i++)
		if (strcmp(code, status_codes[i]) == 0)
			return i;
	return -1;
}

static int
db_error(struct store *s, struct lf_error *err)
{
	return store_sqlite_error(s, "findings", err);
}

int
findings_init(struct store *s, struct lf_error *err)
{
	if (sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, err);
	return 0;
}

void
finding_keys_free(struct finding_keys *k)
{
	mem_free(k->v);
	memset(k, 0, sizeof(*k));
}

static int
key_add(struct finding_keys *k, sqlite3_stmt *st, struct lf_error *err)
{
	struct finding_key *x;

	if (mem_grow(&k->v, &k->cap, k->n + 1, sizeof(*k->v), SIZE_MAX) != 0)
		return lf_error_nomem(err);
	x = &k->v[k->n++];
	memset(x, 0, sizeof(*x));
	x->id = sqlite3_column_int64(st, 0);
	x->person_id = sqlite3_column_int64(st, 1);
	x->item_id = sqlite3_column_int64(st, 2);
	store_copy_col(st, 3, x->rule, sizeof(x->rule));
	store_copy_col(st, 4, x->surveyor, sizeof(x->surveyor));
	x->status = sqlite3_column_int(st, 5);
	return 0;
}

static int
load_keys(struct store *s, sqlite3_stmt *st, struct finding_keys *out,
    struct lf_error *err)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (key_add(out, st, err) != 0) {
			sqlite3_finalize(st);
			return -1;
		}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(s, err);
}

int
findings_load_persons(struct store *s, int year, int64_t lo, int64_t hi,
    struct finding_keys *out, struct lf_error *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "SELECT " KEY_COLS " FROM findings "
	    "WHERE year = ?1 AND person_id > ?2 AND person_id <= ?3 AND "
	    "surveyor = '' ORDER BY person_id, id", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_error(s, err);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	return load_keys(s, st, out, err);
}

int
findings_load_rule(struct store *s, int year, const char *rule,
    const char *prefix, struct finding_keys *out, struct lf_error *err)
{
	sqlite3_stmt *st;
	char hi[16];

	snprintf(hi, sizeof(hi), "%s\x7f", prefix);
	if (sqlite3_prepare_v2(s->db, "SELECT " KEY_COLS " FROM findings "
	    "WHERE year = ?1 AND rule = ?2 AND region >= ?3 AND region < ?4",
	    -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, hi, -1, SQLITE_TRANSIENT);
	return load_keys(s, st, out, err);
}

/* ---- writing --------------------------------------------------------- */

static int
event(struct store *s, int64_t id, const char *at, const char *actor,
    int from, int to, const char *reason, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v3(s->db, "INSERT INTO finding_events(finding_id,"
	    " at, actor, from_status, to_status, reason) VALUES (?1, ?2, ?3,"
	    " ?4, ?5, ?6)", -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
	    SQLITE_OK)
		return db_error(s, err);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, from);
	sqlite3_bind_int(st, 5, to);
	sqlite3_bind_text(st, 6, reason, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(s, err);
}

int
findings_row_open(struct store *s, const struct finding_new *f,
    const char *reason, const char *at, const char *actor,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v3(s->db, "INSERT INTO findings(rule, year, "
	    "person_id, item_id, surveyor, region, owner, status, detail, "
	    "version, created_at, created_by, updated_at, updated_by) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, 1, ?9, ?10, ?9, ?10)", -1,
	    SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return db_error(s, err);
	sqlite3_bind_text(st, 1, f->rule, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, f->year);
	sqlite3_bind_int64(st, 3, f->person_id);
	sqlite3_bind_int64(st, 4, f->item_id);
	sqlite3_bind_text(st, 5, f->surveyor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, f->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, f->owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, f->detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, actor, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(s, err);
	return event(s, sqlite3_last_insert_rowid(s->db), at, actor, 0,
	    FINDING_OPEN, reason, err);
}

int
findings_row_close(struct store *s, int64_t id, int to, const char *reason,
    const char *at, const char *actor, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v3(s->db, "UPDATE findings SET status = ?2, "
	    "reason = ?3, version = version + 1, updated_at = ?4, "
	    "updated_by = ?5 WHERE id = ?1 AND status = 1", -1,
	    SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return db_error(s, err);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, to);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(s, err);
	if (sqlite3_changes(s->db) != 1)
		return lf_error_set(err, "state", "status", "该问题已不是待处理"
		    "状态 (the finding is no longer open)");
	return event(s, id, at, actor, FINDING_OPEN, to, reason, err);
}

/* ---- what the rules read besides the findings ------------------------ */

int
findings_namesake(struct store *s, const struct store_person *p,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM persons WHERE name = ?1 "
	    "AND gender = ?2 AND birth_date = ?3 AND id <> ?4 LIMIT 1", -1,
	    &st, NULL) != SQLITE_OK)
		return db_error(s, err);
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, p->gender);
	sqlite3_bind_text(st, 3, p->birth_date, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, p->id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(s, err);
	return rc == SQLITE_ROW;
}

int
findings_region_surveys(struct store *s, int year, const char *prefix,
    struct record *r, findings_survey_fn fn, void *arg, struct lf_error *err)
{
	char lo[13], hi[13], village[13];
	sqlite3_stmt *st;
	int64_t a, b;
	int rc;

	if (plan_region_bounds(prefix, &a, &b, err) != 0)
		return -1;
	snprintf(lo, sizeof(lo), "%012lld", (long long)a);
	snprintf(hi, sizeof(hi), "%012lld", (long long)b);
	/* CROSS JOIN keeps persons outside (by the region index, then each
	 * survey by its key): SQLite, without statistics, otherwise chose
	 * the year's whole survey index, a scan of every survey of the year
	 * (10+ s at province, inside the write transaction of every write) */
	if (sqlite3_prepare_v2(s->db, "SELECT p.region, s.rec FROM persons p "
	    "CROSS JOIN surveys s ON s.person_id = p.id AND s.year = ?1 WHERE "
	    "p.region >= ?2 AND p.region < ?3", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "surveyor findings", err);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_copy_col(st, 0, village, sizeof(village));
		if (store_rec_read(s, st, 1, r, PACKREC_SKIP, err) != 0 ||
		    fn(arg, r, village, err) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return -1;
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s,
	    "surveyor findings", err);
}

/* ---- reading --------------------------------------------------------- */

static void
from_row(sqlite3_stmt *st, void *out)
{
	struct finding *f = out;

	f->id = sqlite3_column_int64(st, 0);
	store_copy_col(st, 1, f->rule, sizeof(f->rule));
	f->year = sqlite3_column_int(st, 2);
	f->person_id = sqlite3_column_int64(st, 3);
	f->item_id = sqlite3_column_int64(st, 4);
	store_copy_col(st, 5, f->surveyor, sizeof(f->surveyor));
	store_copy_col(st, 6, f->region, sizeof(f->region));
	store_copy_col(st, 7, f->owner, sizeof(f->owner));
	f->status = sqlite3_column_int(st, 8);
	store_copy_col(st, 9, f->detail, sizeof(f->detail));
	store_copy_col(st, 10, f->reason, sizeof(f->reason));
	f->version = sqlite3_column_int64(st, 11);
	store_copy_col(st, 12, f->created_at, sizeof(f->created_at));
	store_copy_col(st, 13, f->created_by, sizeof(f->created_by));
	store_copy_col(st, 14, f->updated_at, sizeof(f->updated_at));
	store_copy_col(st, 15, f->updated_by, sizeof(f->updated_by));
	store_copy_col(st, 16, f->person_uid, sizeof(f->person_uid));
}

int
findings_list(struct store *s, const struct findings_query *q,
    finding_fn fn, void *arg, int64_t *last, struct lf_error *err)
{
	struct finding f;
	sqlite3_stmt *st;
	char hi[16];
	int rc;

	*last = 0;
	if (q->limit < 1 || q->limit > 1000)
		return lf_error_set(err, "invalid", "limit", "limit 应在 1..1000 "
		    "之间 (limit must be 1..1000)");
	snprintf(hi, sizeof(hi), "%s\x7f", q->region);
	if (sqlite3_prepare_v2(s->db, "SELECT " ROW_COLS ROW_FROM " WHERE "
	    "f.id > ?1 AND f.region >= ?2 AND f.region < ?3 AND (?4 = 0 OR "
	    "f.year = ?4) AND (?5 IS NULL OR f.rule = ?5) AND (?6 = 0 OR "
	    "f.status = ?6) AND (?7 IS NULL OR f.owner = ?7) AND (?8 = 0 OR "
	    "f.person_id = ?8) ORDER BY f.id LIMIT ?9", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_error(s, err);
	sqlite3_bind_int64(st, 1, q->after);
	sqlite3_bind_text(st, 2, q->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, q->year);
	if (q->rule != NULL)
		sqlite3_bind_text(st, 5, q->rule, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, q->status);
	if (q->owner != NULL)
		sqlite3_bind_text(st, 7, q->owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, q->person_id);
	sqlite3_bind_int(st, 9, q->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		from_row(st, &f);
		*last = f.id;
		if (fn(arg, &f) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(s, err);
}

int
findings_get(struct store *s, int64_t id, struct finding *out,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "SELECT " ROW_COLS ROW_FROM
	    " WHERE f.id = ?1", -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err);
	sqlite3_bind_int64(st, 1, id);
	return store_one_row_final(s, st, from_row, out, "findings", err);
}

int
findings_events(struct store *s, int64_t id, finding_event_fn fn, void *arg,
    struct lf_error *err)
{
	struct finding_event e;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT at, actor, from_status, "
	    "to_status, reason FROM finding_events WHERE finding_id = ?1 "
	    "ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err);
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_copy_col(st, 0, e.at, sizeof(e.at));
		store_copy_col(st, 1, e.actor, sizeof(e.actor));
		e.from = sqlite3_column_int(st, 2);
		e.to = sqlite3_column_int(st, 3);
		e.reason = (const char *)sqlite3_column_text(st, 4);
		if (e.reason == NULL)
			e.reason = "";
		if (fn(arg, &e) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(s, err);
}

int
findings_count(struct store *s, int year, const char *prefix, int digits,
    finding_count_fn fn, void *arg, struct lf_error *err)
{
	sqlite3_stmt *st;
	char hi[16], reg[13];
	int rc;

	/* PostgreSQL keeps no findings table yet (docs/postgresql.md): none */
	if (s->pg != NULL)
		return 0;
	snprintf(hi, sizeof(hi), "%s\x7f", prefix);
	if (sqlite3_prepare_v2(s->db, "SELECT substr(region, 1, ?4), rule, "
	    "status, count(*) FROM findings WHERE year = ?1 AND region >= ?2 "
	    "AND region < ?3 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", -1, &st,
	    NULL) != SQLITE_OK)
		return db_error(s, err);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, digits);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char rule[FINDING_RULE_MAX];

		store_copy_col(st, 0, reg, sizeof(reg));
		store_copy_col(st, 1, rule, sizeof(rule));
		if (fn(arg, reg, rule, sqlite3_column_int(st, 2),
		    sqlite3_column_int64(st, 3)) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(s, err);
}

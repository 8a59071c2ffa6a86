/*
 * findings.c - the findings tables: schema, rows written and read
 * (findings_rows.h). The rules that decide them are quality/'s.
 *
 * Written once over store/dbq.h (issue 18): every statement runs on the
 * SQLite file and on a PostgreSQL registry alike. The tables are
 * SQLite's schema_sql below; PostgreSQL's are derived from it
 * (pg/pg_rowtables.c). Only a survey's layout differs (SQLite's packed
 * record, PostgreSQL's column per item: findings_region_surveys()).
 */
#include "store/findings_rows.h"
#include "store/dbq.h"
#include "store/plan_rows.h"
#include "store/store_int.h"
#include "store/pg/pg_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
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

const char *
findings_schema_sql(void)
{
	return schema_sql;
}

int
findings_init(struct store *s, struct lf_error *err)
{
	if (s->pg != NULL)	/* made by init or the upgrade */
		return 0;
	if (sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "findings", err);
	return 0;
}

void
finding_keys_free(struct finding_keys *k)
{
	mem_free(k->v);
	memset(k, 0, sizeof(*k));
}

static int
key_add(struct finding_keys *k, struct dbq *q, struct lf_error *err)
{
	struct finding_key *x;

	if (mem_grow(&k->v, &k->cap, k->n + 1, sizeof(*k->v), SIZE_MAX) != 0)
		return lf_error_nomem(err);
	x = &k->v[k->n++];
	memset(x, 0, sizeof(*x));
	x->id = dbq_int64(q, 0);
	x->person_id = dbq_int64(q, 1);
	x->item_id = dbq_int64(q, 2);
	dbq_copy(q, 3, x->rule, sizeof(x->rule));
	dbq_copy(q, 4, x->surveyor, sizeof(x->surveyor));
	x->status = dbq_int(q, 5);
	return 0;
}

/* Steps q (prepared and bound unless rc is not 0) into out. Ends q. */
static int
load_keys(struct dbq *q, int rc, struct finding_keys *out,
    struct lf_error *err)
{
	if (rc == 0)
		while ((rc = dbq_step(q, err)) == 1)
			if (key_add(out, q, err) != 0)
				break;
	dbq_end(q);
	return rc == 0 ? 0 : -1;
}

int
findings_load_persons(struct store *s, int year, int64_t lo, int64_t hi,
    struct finding_keys *out, struct lf_error *err)
{
	struct dbq q;

	return load_keys(&q, dbq_query(s, &q, "findings", err, "SELECT " KEY_COLS
	    " FROM findings WHERE year = ? AND person_id > ? AND person_id <= "
	    "? AND surveyor = '' ORDER BY person_id, id", "iii",
	    (int64_t)year, lo, hi), out, err);
}

int
findings_load_rule(struct store *s, int year, const char *rule,
    const char *prefix, struct finding_keys *out, struct lf_error *err)
{
	struct dbq q;
	char hi[16];

	snprintf(hi, sizeof(hi), "%s\x7f", prefix);
	return load_keys(&q, dbq_query(s, &q, "findings", err, "SELECT " KEY_COLS
	    " FROM findings WHERE year = ? AND rule = ? AND region >= ? AND "
	    "region < ?", "itt" "t", (int64_t)year, rule, prefix, hi), out,
	    err);
}

/* ---- writing --------------------------------------------------------- */

/* Runs the write prepared in q (rc: its preparation's); a constraint's
 * refusal is a "store" error. Ends q. */
static int
write_end(struct dbq *q, int rc, struct lf_error *err)
{
	if (rc == 0 && (rc = dbq_exec(q, err)) == 2)
		rc = lf_error_set(err, "store", "", "数据库错误 (findings: "
		    "the row was refused by a constraint)");
	dbq_end(q);
	return rc == 0 ? 0 : -1;
}

static int
event(struct store *s, int64_t id, const char *at, const char *actor,
    int from, int to, const char *reason, struct lf_error *err)
{
	struct dbq q;

	return write_end(&q, dbq_query(s, &q, "findings", err, "INSERT INTO "
	    "finding_events(finding_id, at, actor, from_status, to_status, "
	    "reason) VALUES (?, ?, ?, ?, ?, ?)", "ittiit", id, at, actor,
	    (int64_t)from, (int64_t)to, reason), err);
}

int
findings_row_open(struct store *s, const struct finding_new *f,
    const char *reason, const char *at, const char *actor,
    struct lf_error *err)
{
	struct dbq q;
	int64_t id = 0;
	int rc;

	rc = dbq_query(s, &q, "findings", err, "INSERT INTO findings(rule, year, "
	    "person_id, item_id, surveyor, region, owner, status, detail, "
	    "version, created_at, created_by, updated_at, updated_by) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, 1, ?, 1, ?, ?, ?, ?) RETURNING id",
	    "tiiitttttttt", f->rule, (int64_t)f->year, f->person_id,
	    f->item_id, f->surveyor, f->region, f->owner, f->detail, at, actor,
	    at, actor);
	if (rc == 0)
		while ((rc = dbq_step(&q, err)) == 1)
			id = dbq_int64(&q, 0);
	dbq_end(&q);
	if (rc == 2)
		return lf_error_set(err, "store", "", "数据库错误 (findings: "
		    "the row was refused by a constraint)");
	if (rc != 0)
		return -1;
	return event(s, id, at, actor, 0, FINDING_OPEN, reason, err);
}

int
findings_row_close(struct store *s, int64_t id, int to, const char *reason,
    const char *at, const char *actor, struct lf_error *err)
{
	struct dbq q;
	int64_t changed = 0;
	int rc;

	rc = dbq_query(s, &q, "findings", err, "UPDATE findings SET status = ?, "
	    "reason = ?, version = version + 1, updated_at = ?, "
	    "updated_by = ? WHERE id = ? AND status = 1", "ittti",
	    (int64_t)to, reason, at, actor, id);
	if (rc == 0 && (rc = dbq_exec(&q, err)) == 0)
		changed = dbq_changes(&q);
	dbq_end(&q);
	if (rc == 2)
		return lf_error_set(err, "store", "", "数据库错误 (findings: "
		    "the row was refused by a constraint)");
	if (rc != 0)
		return -1;
	if (changed != 1)
		return lf_error_set(err, "state", "status", "该问题已不是待处理"
		    "状态 (the finding is no longer open)");
	return event(s, id, at, actor, FINDING_OPEN, to, reason, err);
}

/* ---- what the rules read besides the findings ------------------------ */

int
findings_namesake(struct store *s, const struct store_person *p,
    struct lf_error *err)
{
	struct dbq q;
	int rc;

	rc = dbq_query(s, &q, "findings", err, "SELECT 1 FROM persons WHERE "
	    "name = ? AND gender = ? AND birth_date = ? AND id <> ? LIMIT 1",
	    "titi", p->name, (int64_t)p->gender, p->birth_date, p->id);
	if (rc == 0)
		rc = dbq_step(&q, err);
	dbq_end(&q);
	return rc == 0 || rc == 1 ? rc : -1;
}

/* The surveys of a region: the village, then the survey's items
 * (SQLite: the packed record; PostgreSQL: a column per item). */
static int
region_sql(struct store *s, struct buf *b)
{
	/* CROSS JOIN keeps persons outside (by the region index, then each
	 * survey by its key): SQLite, without statistics, otherwise chose
	 * the year's whole survey index, a scan of every survey of the year
	 * (10+ s at province, inside the write transaction of every write) */
	if (s->pg == NULL)
		return buf_adds(b, "SELECT p.region, s.rec FROM persons p "
		    "CROSS JOIN surveys s ON s.person_id = p.id AND s.year = ? "
		    "WHERE p.region >= ? AND p.region < ?");
	if (buf_adds(b, "SELECT p.region") != 0 ||
	    pg_survey_cols(s->cat, "v", b) != 0)
		return -1;
	return buf_adds(b, " FROM persons p JOIN surveys v ON v.person_id = "
	    "p.id AND v.year = ? WHERE p.region >= ? AND p.region < ?");
}

/* The items of q's row (from column 1) into r, secrets left out (no
 * rule reads one). */
static int
region_row(struct store *s, struct dbq *q, struct record *r,
    struct lf_error *err)
{
	record_clear(r);
	if (s->pg != NULL)
		return pg_survey_read(s->cat, q->res, q->row, 1, r, "-", err);
	return store_rec_read(s, q->st, 1, r, PACKREC_SKIP, err);
}

int
findings_region_surveys(struct store *s, int year, const char *prefix,
    struct record *r, findings_survey_fn fn, void *arg, struct lf_error *err)
{
	char lo[13], hi[13], village[13];
	struct buf sql;
	struct dbq q;
	int64_t a, b;
	int rc;

	memset(&q, 0, sizeof(q));
	if (plan_region_bounds(prefix, &a, &b, err) != 0)
		return -1;
	snprintf(lo, sizeof(lo), "%012lld", (long long)a);
	snprintf(hi, sizeof(hi), "%012lld", (long long)b);
	buf_init(&sql, 1 << 14);
	rc = region_sql(s, &sql) != 0 ? lf_error_nomem(err) :
	    dbq_query(s, &q, "surveyor findings", err, buf_str(&sql), "itt",
	    (int64_t)year, lo, hi);
	buf_free(&sql);
	if (rc == 0)
		while ((rc = dbq_step(&q, err)) == 1) {
			dbq_copy(&q, 0, village, sizeof(village));
			if (region_row(s, &q, r, err) != 0 ||
			    fn(arg, r, village, err) != 0) {
				rc = -1;
				break;
			}
		}
	dbq_end(&q);
	return rc == 0 ? 0 : -1;
}

/* ---- reading --------------------------------------------------------- */

static void
from_row(struct dbq *q, struct finding *f)
{
	f->id = dbq_int64(q, 0);
	dbq_copy(q, 1, f->rule, sizeof(f->rule));
	f->year = dbq_int(q, 2);
	f->person_id = dbq_int64(q, 3);
	f->item_id = dbq_int64(q, 4);
	dbq_copy(q, 5, f->surveyor, sizeof(f->surveyor));
	dbq_copy(q, 6, f->region, sizeof(f->region));
	dbq_copy(q, 7, f->owner, sizeof(f->owner));
	f->status = dbq_int(q, 8);
	dbq_copy(q, 9, f->detail, sizeof(f->detail));
	dbq_copy(q, 10, f->reason, sizeof(f->reason));
	f->version = dbq_int64(q, 11);
	dbq_copy(q, 12, f->created_at, sizeof(f->created_at));
	dbq_copy(q, 13, f->created_by, sizeof(f->created_by));
	dbq_copy(q, 14, f->updated_at, sizeof(f->updated_at));
	dbq_copy(q, 15, f->updated_by, sizeof(f->updated_by));
	dbq_copy(q, 16, f->person_uid, sizeof(f->person_uid));
}

int
findings_list(struct store *s, const struct findings_query *q,
    finding_fn fn, void *arg, int64_t *last, struct lf_error *err)
{
	struct finding f;
	struct dbq d;
	char hi[16];
	int rc;

	*last = 0;
	if (q->limit < 1 || q->limit > 1000)
		return lf_error_set(err, "invalid", "limit", "limit 应在 1..1000 "
		    "之间 (limit must be 1..1000)");
	snprintf(hi, sizeof(hi), "%s\x7f", q->region);
	rc = dbq_query(s, &d, "findings", err, "SELECT " ROW_COLS ROW_FROM
	    " WHERE f.id > ? AND f.region >= ? AND f.region < ? AND (? = 0 OR "
	    "f.year = ?) AND (CAST(? AS text) IS NULL OR f.rule = ?) AND "
	    "(? = 0 OR f.status = ?) AND (CAST(? AS text) IS NULL OR "
	    "f.owner = ?) AND (? = 0 OR f.person_id = ?) ORDER BY f.id "
	    "LIMIT ?", "ittiittiittiii", q->after, q->region, hi,
	    (int64_t)q->year, (int64_t)q->year, q->rule, q->rule,
	    (int64_t)q->status, (int64_t)q->status, q->owner, q->owner,
	    q->person_id, q->person_id, (int64_t)q->limit);
	if (rc == 0)
		while ((rc = dbq_step(&d, err)) == 1) {
			from_row(&d, &f);
			*last = f.id;
			if (fn(arg, &f) != 0) {
				rc = 0;
				break;
			}
		}
	dbq_end(&d);
	return rc == 0 ? 0 : -1;
}

int
findings_get(struct store *s, int64_t id, struct finding *out,
    struct lf_error *err)
{
	struct dbq q;
	int rc;

	rc = dbq_query(s, &q, "findings", err, "SELECT " ROW_COLS ROW_FROM
	    " WHERE f.id = ?", "i", id);
	if (rc == 0 && (rc = dbq_step(&q, err)) == 1) {
		from_row(&q, out);
		rc = 0;
	} else if (rc == 0)
		rc = 1;
	else
		rc = -1;
	dbq_end(&q);
	return rc;
}

int
findings_events(struct store *s, int64_t id, finding_event_fn fn, void *arg,
    struct lf_error *err)
{
	struct finding_event e;
	struct dbq q;
	int rc;

	rc = dbq_query(s, &q, "findings", err, "SELECT at, actor, from_status, "
	    "to_status, reason FROM finding_events WHERE finding_id = ? "
	    "ORDER BY id", "i", id);
	if (rc == 0)
		while ((rc = dbq_step(&q, err)) == 1) {
			dbq_copy(&q, 0, e.at, sizeof(e.at));
			dbq_copy(&q, 1, e.actor, sizeof(e.actor));
			e.from = dbq_int(&q, 2);
			e.to = dbq_int(&q, 3);
			e.reason = dbq_text0(&q, 4);
			if (fn(arg, &e) != 0) {
				rc = 0;
				break;
			}
		}
	dbq_end(&q);
	return rc == 0 ? 0 : -1;
}

int
findings_count(struct store *s, int year, const char *prefix, int digits,
    finding_count_fn fn, void *arg, struct lf_error *err)
{
	struct dbq q;
	char hi[16], reg[13];
	int rc;

	snprintf(hi, sizeof(hi), "%s\x7f", prefix);
	rc = dbq_query(s, &q, "findings", err, "SELECT substr(region, 1, ?), "
	    "rule, status, count(*) FROM findings WHERE year = ? AND "
	    "region >= ? AND region < ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
	    "iitt", (int64_t)digits, (int64_t)year, prefix, hi);
	if (rc == 0)
		while ((rc = dbq_step(&q, err)) == 1) {
			char rule[FINDING_RULE_MAX];

			dbq_copy(&q, 0, reg, sizeof(reg));
			dbq_copy(&q, 1, rule, sizeof(rule));
			if (fn(arg, reg, rule, dbq_int(&q, 2),
			    dbq_int64(&q, 3)) != 0) {
				rc = 0;
				break;
			}
		}
	dbq_end(&q);
	return rc == 0 ? 0 : -1;
}

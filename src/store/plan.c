/*
 * plan.c - the 一人一策 tables (plan.h): schema, the statements prepared
 * once per connection, row conversion, transactions, the clock, shared
 * checks and labels. Reading is in plan_read.c, item writes in
 * plan_item.c, the batch in plan_build.c.
 *
 * The item columns are declared once, in `icols`: the select list, the
 * insert and update statements, row decoding, binding, the history's
 * change sets and PostgreSQL's text values (plan_item_col*) all come
 * from that table.
 */
#include "store/plan_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "lib/date.h"
#include "lib/progress.h"
#include "lib/utf8.h"
#include "store/dbq.h"
#include "store/store_diff.h"
#include "store/pg/pg_plan.h"


/* The items table, named name (the migration to interned texts makes it
 * under another name first). measures and effect_note hold the id of
 * their text in texts (plan_int.h). */
#define ITEMS_TABLE(name) \
	"CREATE TABLE IF NOT EXISTS " name " (" \
	" id INTEGER PRIMARY KEY," \
	" plan_id INTEGER NOT NULL REFERENCES plans(id)," \
	" person_id INTEGER NOT NULL," \
	" year INTEGER NOT NULL," \
	" region INTEGER NOT NULL," \
	" seq INTEGER NOT NULL," \
	" policy TEXT, needs TEXT," \
	" origin INTEGER NOT NULL, decision INTEGER NOT NULL," \
	" decision_reason TEXT," \
	" dept TEXT, org TEXT, contact TEXT," \
	" month INTEGER NOT NULL," \
	" actual_date TEXT," \
	" funds_planned INTEGER NOT NULL, funds_spent INTEGER NOT NULL," \
	" monthly INTEGER NOT NULL," \
	" measures INTEGER," \
	" effect INTEGER NOT NULL, effect_note INTEGER," \
	" status INTEGER NOT NULL, status_reason TEXT," \
	" dept_state INTEGER NOT NULL, dept_reason TEXT," \
	" edited INTEGER NOT NULL," \
	" carried_from INTEGER," \
	" client_id TEXT," \
	" version INTEGER NOT NULL," \
	" updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL);"

/* The interned texts: append-only (plan_int.h). */
#define TEXTS_TABLE \
	"CREATE TABLE IF NOT EXISTS texts (" \
	" id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE);"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS plans ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES persons(id),"
	" year INTEGER NOT NULL,"
	" region INTEGER NOT NULL,"
	" status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 3),"
	" version INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL, created_by TEXT NOT NULL,"
	" updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL,"
	" confirmed_at INTEGER, confirmed_by TEXT,"
	" UNIQUE (person_id, year));"
	ITEMS_TABLE("items")
	TEXTS_TABLE
	"CREATE INDEX IF NOT EXISTS items_inbox ON items(dept, year, region)"
	" WHERE decision = 1;"
	"CREATE UNIQUE INDEX IF NOT EXISTS items_person ON items(year,"
	" person_id, seq);"
	"CREATE UNIQUE INDEX IF NOT EXISTS items_client ON items(client_id)"
	" WHERE client_id IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS items_carry ON items(year, person_id,"
	" seq) WHERE " PLAN_CARRY_WHERE ";"
	"CREATE TABLE IF NOT EXISTS deliveries ("
	" id INTEGER PRIMARY KEY,"
	" item_id INTEGER NOT NULL REFERENCES items(id),"
	" date TEXT NOT NULL,"
	" amount INTEGER NOT NULL CHECK (amount >= 0),"
	" note TEXT, client_id TEXT,"
	" created_at INTEGER NOT NULL, created_by TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS deliveries_item ON deliveries(item_id,"
	" date);"
	"CREATE UNIQUE INDEX IF NOT EXISTS deliveries_client ON"
	" deliveries(client_id) WHERE client_id IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS plans_region ON plans(year, region);";

/* The objects schema_sql makes, all of them named here. */
static const char present_sql[] =
	"SELECT count(*) FROM sqlite_master WHERE name IN ('plans', 'items',"
	" 'items_person', 'items_inbox', 'items_client', 'items_carry',"
	" 'deliveries', 'deliveries_item', 'deliveries_client',"
	" 'plans_region', 'texts')";
#define NOBJECTS	11

const char *
plan_schema_sql(void)
{
	return schema_sql;
}

/* ---- the item columns ---------------------------------------------- */

enum ckind {
	CK_I64,		/* int64_t */
	CK_INT,		/* int */
	CK_TEXT,	/* char[]; NULL when "" */
	CK_ITEXT,	/* char[], interned: its id in texts; NULL when "" */
	CK_MONTH,	/* "YYYY-MM" as 1..12 (the year is the item's) */
	CK_TIME,	/* ISO time as Unix seconds */
	CK_REGION,	/* 12-digit village as a number */
	CK_REF		/* int64_t id; NULL when 0 */
};

#define F(m)	offsetof(struct plan_item, m), \
	sizeof(((struct plan_item *)0)->m)

static const struct icol {
	const char	*col;		/* SQL column */
	const char	*key;		/* history key; NULL: not a change */
	enum ckind	 kind;
	size_t		 off, size;	/* in struct plan_item */
	int		 upd;		/* written by an update */
} icols[] = {
	{ "id",			NULL,		CK_I64,	  F(id),	    0 },
	{ "plan_id",		NULL,		CK_I64,	  F(plan_id),	    0 },
	{ "person_id",		NULL,		CK_I64,	  F(person_id),	    0 },
	{ "year",		NULL,		CK_INT,	  F(year),	    0 },
	{ "region",		NULL,		CK_REGION, F(region),	    0 },
	{ "seq",		"seq",		CK_INT,	  F(seq),	    1 },
	{ "policy",		"policy",	CK_TEXT,  F(policy),	    1 },
	{ "needs",		"needs",	CK_TEXT,  F(needs),	    1 },
	{ "origin",		"origin",	CK_INT,	  F(origin),	    1 },
	{ "decision",		"decision",	CK_INT,	  F(decision),	    1 },
	{ "decision_reason",	"decision_reason", CK_TEXT,
	    F(decision_reason), 1 },
	{ "dept",		"dept",		CK_TEXT,  F(dept),	    1 },
	{ "org",		"org",		CK_TEXT,  F(org),	    1 },
	{ "contact",		"contact",	CK_TEXT,  F(contact),	    1 },
	{ "month",		"planned_month", CK_MONTH,
	    F(planned_month), 1 },
	{ "actual_date",	"actual_date",	CK_TEXT,  F(actual_date),   1 },
	{ "funds_planned",	"funds_planned", CK_I64,  F(funds_planned), 1 },
	{ "funds_spent",	"funds_spent",	CK_I64,	  F(funds_spent),   1 },
	{ "monthly",		"monthly",	CK_INT,	  F(monthly),	    1 },
	{ "measures",		"measures",	CK_ITEXT, F(measures),	    1 },
	{ "effect",		"effect",	CK_INT,	  F(effect),	    1 },
	{ "effect_note",	"effect_note",	CK_ITEXT, F(effect_note),   1 },
	{ "status",		"status",	CK_INT,	  F(status),	    1 },
	{ "status_reason",	"status_reason", CK_TEXT, F(status_reason), 1 },
	{ "dept_state",		"dept_state",	CK_INT,	  F(dept_state),    1 },
	{ "dept_reason",	"dept_reason",	CK_TEXT,  F(dept_reason),   1 },
	{ "edited",		NULL,		CK_INT,	  F(edited),	    1 },
	{ "carried_from",	"carried_from",	CK_REF,	  F(carried_from),  1 },
	{ "client_id",		NULL,		CK_TEXT,  F(client_id),	    0 },
	{ "version",		NULL,		CK_I64,	  F(version),	    1 },
	{ "updated_at",		NULL,		CK_TIME,  F(updated_at),    1 },
	{ "updated_by",		NULL,		CK_TEXT,  F(updated_by),    1 },
};
#undef F
#define NICOLS	(sizeof(icols) / sizeof(icols[0]))
_Static_assert(NICOLS == PLAN_ITEM_NCOLS, "plan_int.h: PLAN_ITEM_NCOLS");

int
plan_item_cols(struct buf *b, int texts)
{
	size_t i;

	for (i = 0; i < NICOLS; i++)
		if (buf_adds(b, i ? ", " : "") != 0 || buf_addf(b,
		    texts && icols[i].kind == CK_ITEXT ? PLAN_TEXT_OF("%s") :
		    "%s", icols[i].col) != 0)
			return -1;
	return 0;
}

int
plan_item_interned(const char *col)
{
	size_t i;

	for (i = 0; i < NICOLS; i++)
		if (strcmp(icols[i].col, col) == 0)
			return icols[i].kind == CK_ITEXT;
	return 0;
}

/* A parameter of column c: an interned text's id is looked up (the text
 * was put in texts first, plan_item_texts_put()). */
static const char *
param(const struct icol *c)
{
	return c->kind == CK_ITEXT ? "(SELECT id FROM texts WHERE body = ?)" :
	    "?";
}

/* "(plan_id, ...) VALUES (?, ...)": every column but id; pg: with
 * PostgreSQL's key columns first and its texts as they are. */
static int
insert_cols_of(struct buf *b, int pg)
{
	size_t i;

	if (buf_addf(b, "(%s", PLAN_KEY_COLS(pg)) != 0)
		return -1;
	for (i = 1; i < NICOLS; i++)
		if (buf_addf(b, "%s%s", i > 1 ? ", " : "", icols[i].col) != 0)
			return -1;
	if (buf_addf(b, ") VALUES (%s", PLAN_KEY_VALS(pg)) != 0)
		return -1;
	for (i = 1; i < NICOLS; i++)
		if (buf_addf(b, "%s%s", i > 1 ? ", " : "", pg ? "?" :
		    param(&icols[i])) != 0)
			return -1;
	return buf_adds(b, ")");
}


/* "seq = ?, ...": the columns an update writes. */
static int
set_cols(struct buf *b)
{
	size_t i;
	int n = 0;

	for (i = 0; i < NICOLS; i++)
		if (icols[i].upd && buf_addf(b, "%s%s = %s", n++ ? ", " : "",
		    icols[i].col, param(&icols[i])) != 0)
			return -1;
	return 0;
}

#define FIELD(it, c)	((char *)(it) + (c)->off)
#define CFIELD(it, c)	((const char *)(it) + (c)->off)

void
plan_item_from_row(sqlite3_stmt *st, int col, struct plan_item *it)
{
	const struct icol *c;
	size_t i;

	for (i = 0; i < NICOLS; i++) {
		c = &icols[i];
		switch (c->kind) {
		case CK_I64:
		case CK_REF:
			*(int64_t *)FIELD(it, c) = sqlite3_column_int64(st,
			    col + (int)i);
			break;
		case CK_INT:
			*(int *)FIELD(it, c) = sqlite3_column_int(st,
			    col + (int)i);
			break;
		case CK_TEXT:
		case CK_ITEXT:
			store_copy_col(st, col + (int)i, FIELD(it, c), c->size);
			break;
		case CK_MONTH:
			plan_month_text(it->year, sqlite3_column_int(st,
			    col + (int)i), FIELD(it, c));
			break;
		case CK_TIME:
			plan_time_iso(sqlite3_column_int64(st, col + (int)i),
			    FIELD(it, c));
			break;
		case CK_REGION:
			snprintf(FIELD(it, c), c->size, "%012llu",
			    (unsigned long long)sqlite3_column_int64(st,
			    col + (int)i) % 1000000000000ULL);
			break;
		}
	}
}

void
plan_item_from_dbq(struct dbq *q, int col, struct plan_item *it)
{
	size_t i;

	memset(it, 0, sizeof(*it));
	/* in row order: the month needs the year before it */
	for (i = 0; i < NICOLS; i++)
		plan_item_col_set(it, i, dbq_text(q, col + (int)i));
}

int
plan_item_bind_dbq(struct dbq *q, int pos, const struct plan_item *it,
    struct lf_error *err)
{
	const char *v;
	char num[24];
	size_t i;
	int rc;

	for (i = 1; i < NICOLS; i++, pos++) {
		v = plan_item_col_value(it, i, num);
		if (v == NULL)
			rc = dbq_bind_null(q, pos, err);
		else if (icols[i].kind == CK_TEXT || icols[i].kind == CK_ITEXT)
			rc = dbq_bind_text(q, pos, v, err);
		else
			rc = dbq_bind_int(q, pos, strtoll(v, NULL, 10), err);
		if (rc != 0)
			return -1;
	}
	return pos;
}

/* ---- the item columns one by one, as text (store/pg/) ------------- */

const char *
plan_item_col(size_t i, int *upd)
{
	*upd = icols[i].upd;
	return icols[i].col;
}

static int64_t	iso_seconds(const char *iso);

const char *
plan_item_col_value(const struct plan_item *it, size_t i, char num[24])
{
	const struct icol *c = &icols[i];
	int64_t v = 0;

	switch (c->kind) {
	case CK_TEXT:
	case CK_ITEXT:
		return CFIELD(it, c)[0] != '\0' ? CFIELD(it, c) : NULL;
	case CK_REF:
		if ((v = *(const int64_t *)CFIELD(it, c)) == 0)
			return NULL;
		break;
	case CK_I64:
		v = *(const int64_t *)CFIELD(it, c);
		break;
	case CK_INT:
		v = *(const int *)CFIELD(it, c);
		break;
	case CK_MONTH:
		v = plan_month_of(CFIELD(it, c));
		break;
	case CK_TIME:
		v = iso_seconds(CFIELD(it, c));
		break;
	case CK_REGION:
		v = plan_region_num(CFIELD(it, c));
		break;
	}
	snprintf(num, 24, "%lld", (long long)v);
	return num;
}

void
plan_item_col_set(struct plan_item *it, size_t i, const char *v)
{
	const struct icol *c = &icols[i];
	long long n = v != NULL ? strtoll(v, NULL, 10) : 0;

	switch (c->kind) {
	case CK_I64:
	case CK_REF:
		*(int64_t *)FIELD(it, c) = n;
		break;
	case CK_INT:
		*(int *)FIELD(it, c) = (int)n;
		break;
	case CK_TEXT:
	case CK_ITEXT:
		snprintf(FIELD(it, c), c->size, "%s", v != NULL ? v : "");
		break;
	case CK_MONTH:
		plan_month_text(it->year, (int)n, FIELD(it, c));
		break;
	case CK_TIME:
		plan_time_iso(n, FIELD(it, c));
		break;
	case CK_REGION:
		snprintf(FIELD(it, c), c->size, "%012llu",
		    (unsigned long long)n % 1000000000000ULL);
		break;
	}
}

/* Unix seconds of "YYYY-MM-DDTHH:MM:SSZ"; 0 for anything else. */
static int64_t
iso_seconds(const char *iso)
{
	char date[11];
	int days, h, m, sec;

	if (strlen(iso) != 20 || iso[10] != 'T' || iso[19] != 'Z')
		return 0;
	memcpy(date, iso, 10);
	date[10] = '\0';
	if (date_parse(date, &days) != 0 ||
	    sscanf(iso + 11, "%2d:%2d:%2d", &h, &m, &sec) != 3)
		return 0;
	return (int64_t)days * 86400 + h * 3600 + m * 60 + sec;
}

static void
bind_col(sqlite3_stmt *st, int idx, const struct plan_item *it,
    const struct icol *c)
{
	const char *text;
	int64_t v;

	switch (c->kind) {
	case CK_I64:
		sqlite3_bind_int64(st, idx, *(const int64_t *)CFIELD(it, c));
		break;
	case CK_REF:
		v = *(const int64_t *)CFIELD(it, c);
		if (v != 0)
			sqlite3_bind_int64(st, idx, v);
		else
			sqlite3_bind_null(st, idx);
		break;
	case CK_INT:
		sqlite3_bind_int(st, idx, *(const int *)CFIELD(it, c));
		break;
	case CK_TEXT:
	case CK_ITEXT:
		text = CFIELD(it, c);
		if (text[0] != '\0')
			sqlite3_bind_text(st, idx, text, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, idx);
		break;
	case CK_MONTH:
		sqlite3_bind_int(st, idx, plan_month_of(CFIELD(it, c)));
		break;
	case CK_TIME:
		sqlite3_bind_int64(st, idx, iso_seconds(CFIELD(it, c)));
		break;
	case CK_REGION:
		sqlite3_bind_int64(st, idx, plan_region_num(CFIELD(it, c)));
		break;
	}
}

/* The columns an update writes, then id and the old version. */
static void
bind_update(sqlite3_stmt *st, const struct plan_item *it, int64_t old_version)
{
	size_t i;
	int idx = 1;

	for (i = 0; i < NICOLS; i++)
		if (icols[i].upd)
			bind_col(st, idx++, it, &icols[i]);
	sqlite3_bind_int64(st, idx++, it->id);
	sqlite3_bind_int64(st, idx, old_version);
}

/* The text form of column c of it, for history. */
static void
col_text(const struct plan_item *it, const struct icol *c, char *out,
    size_t len)
{
	switch (c->kind) {
	case CK_INT:
		snprintf(out, len, "%d", *(const int *)CFIELD(it, c));
		break;
	case CK_REF:
		if (*(const int64_t *)CFIELD(it, c) == 0) {
			snprintf(out, len, "%s", "");
			break;
		}
		/* FALLTHROUGH */
	case CK_I64:
		snprintf(out, len, "%lld",
		    (long long)*(const int64_t *)CFIELD(it, c));
		break;
	default:
		snprintf(out, len, "%s", CFIELD(it, c));
	}
}

/*
 * The fields that differ between old and new (new NULL: every field of
 * old that is not empty, going to null) as a JSON object the caller frees
 * with free(); *json NULL when nothing differs. 0 or -1 (no memory).
 */
static int
item_changes(const struct plan_item *old, const struct plan_item *new,
    char **json)
{
	char o[PLAN_TEXT_MAX], n[PLAN_TEXT_MAX];
	json_t *obj = json_object();
	const struct icol *c;
	size_t i;
	int rc = -1;

	*json = NULL;
	if (obj == NULL)
		return -1;
	for (i = 0; i < NICOLS; i++) {
		c = &icols[i];
		if (c->key == NULL)
			continue;
		col_text(old, c, o, sizeof(o));
		if (new == NULL) {
			if (o[0] != '\0' &&
			    diff_add_plain(obj, c->key, o, NULL) != 0)
				goto out;
			continue;
		}
		col_text(new, c, n, sizeof(n));
		if (strcmp(o, n) != 0 && diff_add_plain(obj, c->key, o, n) != 0)
			goto out;
	}
	rc = 0;
	if (json_object_size(obj) > 0 &&
	    (*json = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		rc = -1;
out:
	json_decref(obj);
	return rc;
}

/* ---- statements ---------------------------------------------------- */

enum sqlcols { SC_NONE, SC_SELECT, SC_SET };

/* head, then the item columns of the kind, then tail */
static const struct stmt_def {
	const char	*head;
	enum sqlcols	 cols;
	const char	*tail;
} stmt_defs[PS_N] = {
	[PS_PLAN_INS] = { "INSERT INTO plans(person_id, year, region, status, "
	    "version, created_at, created_by, updated_at, updated_by) VALUES "
	    "(?1, ?2, ?3, 1, 1, ?4, ?5, ?4, ?5) ON CONFLICT (person_id, year) "
	    "DO NOTHING", SC_NONE, "" },
	/* "+year": the persons' range on (person_id, year), never a scan
	 * of the year's plans by plans_region */
	[PS_PLAN_FRESH] = { "SELECT EXISTS (SELECT 1 FROM plans WHERE "
	    "person_id BETWEEN ?1 AND ?2 AND +year = ?3), (SELECT max(id) FROM "
	    "plans)", SC_NONE, "" },
	[PS_ITEM_GET] = { "SELECT ", SC_SELECT, " FROM items WHERE id = ?" },
	[PS_ITEM_UPD] = { "UPDATE items SET ", SC_SET, " WHERE id = ? AND "
	    "version = ?" },
	[PS_ITEM_DEL] = { "DELETE FROM items WHERE id = ? AND version = ?",
	    SC_NONE, "" },
	[PS_ITEMS_LIGHT] = { "SELECT " PLAN_LIGHT_COLS " FROM items WHERE "
	    "year = ? AND person_id = ?", SC_NONE, "" },
	/* every plan of a person with its items and their deliveries, in
	 * the page's order, each table by its index (plans' (person_id,
	 * year), items_person, deliveries_item): no sort */
	[PS_PERSON_PLANS] = { "SELECT p.*, i.*, d.* FROM (SELECT " PLAN_COLS
	    " FROM plans WHERE person_id = ?1) p LEFT JOIN (SELECT ",
	    SC_SELECT, " FROM items) i ON i.year = p.year AND i.person_id = "
	    "p.person_id LEFT JOIN (SELECT " PLAN_DLV_COLS " FROM deliveries) "
	    "d ON d.item_id = i.id ORDER BY p.year, i.seq, d.date, d.id" },
	/* OR IGNORE: a text stored already is kept, with its id */
	[PS_TEXT_ADD] = { "INSERT OR IGNORE INTO texts(body) VALUES (?1)",
	    SC_NONE, "" },
	[PS_TEXT_ID] = { "SELECT id FROM texts WHERE body = ?1", SC_NONE, "" },
};

_Static_assert(PS_N <= ST_PLAN_SLOTS, "store_int.h: too few plan slots");

static int
stmt_sql(const struct stmt_def *d, struct buf *b)
{
	int rc = buf_adds(b, d->head);

	if (rc == 0 && d->cols == SC_SELECT)
		rc = plan_item_cols(b, 1);
	else if (rc == 0 && d->cols == SC_SET)
		rc = set_cols(b);
	return rc == 0 ? buf_adds(b, d->tail) : -1;
}

sqlite3_stmt *
plan_stmt(struct store *s, enum plan_stmt id, struct lf_error *err)
{
	sqlite3_stmt **st = &s->st[ST_PLAN_BASE + id];
	struct buf sql;

	/* on PostgreSQL the bulk build's verbs dispatch before this */
	if (s->pg != NULL) {
		pg_plan_unsupported("此项服务计划操作", "this plan or item "
		    "operation (a single write, a plan by id, deliveries)", err);
		return NULL;
	}
	if (*st != NULL)
		return *st;
	buf_init(&sql, 8192);
	if (stmt_sql(&stmt_defs[id], &sql) != 0)
		lf_error_nomem(err);
	else if (sqlite3_prepare_v3(s->db, buf_str(&sql), -1,
	    SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
		store_sqlite_error(s, "plan statement", err);
		*st = NULL;
	}
	buf_free(&sql);
	return *st;
}

/* ---- interned texts ------------------------------------------------ */

/* Steps PS_TEXT_ADD for body. */
static int
text_add(struct store *s, const char *body, struct lf_error *err)
{
	sqlite3_stmt *st = plan_stmt(s, PS_TEXT_ADD, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "text insert",
	    err);
}

int
plan_text_id(struct store *s, const char *body, int64_t *id,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (text_add(s, body, err) != 0 ||
	    (st = plan_stmt(s, PS_TEXT_ID, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_sqlite_error(s, "text lookup",
	    err);
}

int
plan_item_texts_put(struct store *s, const struct plan_item *it,
    struct lf_error *err)
{
	size_t i;

	for (i = 0; i < NICOLS; i++)
		if (icols[i].kind == CK_ITEXT && CFIELD(it, &icols[i])[0] !=
		    '\0' && text_add(s, CFIELD(it, &icols[i]), err) != 0)
			return -1;
	return 0;
}

/* ---- schema -------------------------------------------------------- */

/*
 * The migration of an items table whose texts are stored in the rows
 * (before issue 17's interning) to one whose interned columns hold ids:
 * SQLite cannot change a column's type, so the rows are copied into a
 * new table of the current layout, a slice of ids at a time (progress on
 * stderr), each slice's texts put in texts first; then the old table is
 * dropped and the new one renamed, its indexes made again. One
 * transaction (store_migrate_once()): a crash leaves the old layout and
 * the next open starts again. An empty text ('') becomes NULL, as every
 * empty text is.
 */
#define MIGRATE_SLICE	65536	/* item ids a statement copies */

/* "INSERT INTO items_texts(<columns>) SELECT <the same, interned ones
 * looked up> FROM items WHERE id > ?1 AND id <= ?2" */
static int
migrate_copy_sql(struct buf *b)
{
	size_t i;

	if (buf_adds(b, "INSERT INTO items_texts(") != 0)
		return -1;
	for (i = 0; i < NICOLS; i++)
		if (buf_addf(b, "%s%s", i ? ", " : "", icols[i].col) != 0)
			return -1;
	if (buf_adds(b, ") SELECT ") != 0)
		return -1;
	for (i = 0; i < NICOLS; i++)
		if (buf_addf(b, icols[i].kind == CK_ITEXT ? "%s(SELECT id FROM "
		    "texts WHERE body = items.%s)" : "%s%s", i ? ", " : "",
		    icols[i].col) != 0)
			return -1;
	return buf_adds(b, " FROM items WHERE id > ?1 AND id <= ?2 ORDER BY "
	    "id");
}

/* Steps st over ids lo..hi: 0, or -1. */
static int
migrate_slice(sqlite3_stmt *st, int64_t lo, int64_t hi)
{
	int rc;

	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
migrate_texts(struct store *s, struct lf_error *err)
{
	sqlite3_stmt *put[NICOLS] = { NULL }, *copy = NULL;
	struct progress *pg = NULL;
	struct buf sql;
	int64_t lo, top, done = 0;
	size_t i, nput = 0;
	int rc = -1;

	buf_init(&sql, 1 << 14);
	if (store_sqlite_exec(s, TEXTS_TABLE ITEMS_TABLE("items_texts"),
	    err) != 0)
		goto out;
	for (i = 0; i < NICOLS; i++) {
		if (icols[i].kind != CK_ITEXT)
			continue;
		buf_reset(&sql);
		if (buf_addf(&sql, "INSERT OR IGNORE INTO texts(body) SELECT %s "
		    "FROM items WHERE id > ?1 AND id <= ?2 AND %s <> '' ORDER "
		    "BY id", icols[i].col, icols[i].col) != 0) {
			lf_error_nomem(err);
			goto out;
		}
		if (sqlite3_prepare_v2(s->db, buf_str(&sql), -1, &put[nput++],
		    NULL) != SQLITE_OK)
			goto fail;
	}
	buf_reset(&sql);
	if (migrate_copy_sql(&sql) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (sqlite3_prepare_v2(s->db, buf_str(&sql), -1, &copy, NULL) !=
	    SQLITE_OK)
		goto fail;
	pg = progress_start("服务项目文本去重 (interning the items' texts)",
	    (uint64_t)store_sqlite_count(s, "SELECT count(*) FROM items"));
	top = store_sqlite_count(s, "SELECT coalesce(max(id), 0) FROM items");
	for (lo = 0; lo < top; lo += MIGRATE_SLICE) {
		for (i = 0; i < nput; i++)
			if (migrate_slice(put[i], lo, lo + MIGRATE_SLICE) != 0)
				goto fail;
		if (migrate_slice(copy, lo, lo + MIGRATE_SLICE) != 0)
			goto fail;
		done += sqlite3_changes(s->db);
		progress_update(pg, (uint64_t)done);
	}
	/* the old table's indexes and triggers go with it; schema_sql makes
	 * the indexes again, stats_gen_init() the triggers */
	rc = store_sqlite_exec(s, "DROP TABLE items;\n"
	    "ALTER TABLE items_texts RENAME TO items;\n", err) != 0 ? -1 :
	    store_sqlite_exec(s, schema_sql, err);
	goto out;
fail:
	store_sqlite_error(s, "migration", err);
out:
	progress_done(pg);
	for (i = 0; i < nput; i++)
		sqlite3_finalize(put[i]);
	sqlite3_finalize(copy);
	buf_free(&sql);
	return rc;
}

/* 1 when the items table stores its texts in its rows (the layout of
 * before the interning), 0 when not (or there is no items table yet),
 * -1 on error. */
static int
texts_in_rows(struct store *s)
{
	int64_t n = store_sqlite_count(s, "SELECT count(*) FROM "
	    "pragma_table_info('items') WHERE name = 'measures' AND type = "
	    "'TEXT'");

	return n < 0 ? -1 : n > 0;
}

/* migrate_texts() when another connection has not done it meanwhile
 * (checked again inside the migration's transaction). */
static int
migrate_texts_once(struct store *s, struct lf_error *err)
{
	int old = texts_in_rows(s);

	if (old < 0)
		return store_sqlite_error(s, "migration", err);
	if (!old)
		return 0;
	/* format 2: an older binary now refuses the file (store_int.h) */
	return migrate_texts(s, err) != 0 ? -1 : store_sqlite_exec(s,
	    "UPDATE meta SET value = '" STORE_FORMAT_TAG "' WHERE key = "
	    "'format'", err);
}

/* The migration to interned texts when the items table stores them in
 * its rows: 0, or -1 with err. Foreign keys are off meanwhile (dropping
 * the old table must not check the deliveries that refer to it; the
 * setting cannot change inside a transaction). */
static int
texts_upgrade(struct store *s, struct lf_error *err)
{
	int old = texts_in_rows(s), fk, rc;

	if (old < 0)
		return store_sqlite_error(s, "migration", err);
	if (old == 0)
		return 0;
	fk = (int)store_pragma_get(s->db, "foreign_keys", 0);
	if (fk && store_pragma_set(s->db, "foreign_keys", 0) != SQLITE_OK)
		return store_sqlite_error(s, "foreign keys", err);
	rc = store_migrate_once(s, "liangfu: 旧版数据库, 服务项目文本去重, 仅此"
	    "一次 (old database layout: interning the items' texts, once)",
	    migrate_texts_once, err);
	if (fk && store_pragma_set(s->db, "foreign_keys", 1) != SQLITE_OK &&
	    rc == 0)
		rc = store_sqlite_error(s, "foreign keys", err);
	return rc;
}

int
plan_init(struct store *s, struct lf_error *err)
{
	enum plan_tx tx;

	/* every connection opens with this: take no write lock when there
	 * is nothing to do */
	if (store_sqlite_count(s, present_sql) == NOBJECTS)
		return 0;
	if (texts_upgrade(s, err) != 0 || plan_tx_begin(s, &tx, err) != 0)
		return -1;
	return plan_tx_end(s, tx, store_sqlite_exec(s, schema_sql, err), err);
}

/* ---- transactions -------------------------------------------------- */

int
plan_tx_begin(struct store *s, enum plan_tx *tx, struct lf_error *err)
{
	int t;

	/* PostgreSQL: a transaction of its own (scoped), a savepoint in
	 * the caller's, none in a bulk one: the same three (0, 1, 2) */
	if (s->pg != NULL) {
		if (dbq_tx_begin(s, &t, err) != 0)
			return -1;
		*tx = t == 1 ? PLAN_TX_OWN : t == 2 ? PLAN_TX_SAVEPOINT :
		    PLAN_TX_NONE;
		return 0;
	}
	if (store_autocommit(s)) {
		*tx = PLAN_TX_OWN;
		return store_tx_immediate(s, "plan", err);
	}
	if (s->bulk) {
		*tx = PLAN_TX_NONE;
		return 0;
	}
	*tx = PLAN_TX_SAVEPOINT;
	return store_sqlite_exec(s, "SAVEPOINT plan", err);
}

int
plan_tx_end(struct store *s, enum plan_tx tx, int rc, struct lf_error *err)
{
	if (s->pg != NULL)
		return dbq_tx_end(s, tx == PLAN_TX_OWN ? 1 : tx ==
		    PLAN_TX_SAVEPOINT ? 2 : 0, rc, err) != 0 ? -1 : 0;
	if (tx == PLAN_TX_NONE)
		return rc;
	if (tx == PLAN_TX_OWN) {
		if (rc != 0) {
			store_tx_finish(s, 0, err);
			return -1;
		}
		return store_tx_finish(s, 1, err);
	}
	if (rc == 0 && store_sqlite_exec(s, "RELEASE plan", err) == 0)
		return 0;
	sqlite3_exec(s->db, "ROLLBACK TO plan; RELEASE plan", NULL, NULL,
	    NULL);
	return -1;
}

/* ---- rows ---------------------------------------------------------- */

void
plan_from_row(sqlite3_stmt *st, int col, struct plan *p)
{
	p->id = sqlite3_column_int64(st, col);
	p->person_id = sqlite3_column_int64(st, col + 1);
	p->year = sqlite3_column_int(st, col + 2);
	p->status = sqlite3_column_int(st, col + 3);
	p->version = sqlite3_column_int64(st, col + 4);
	plan_time_iso(sqlite3_column_int64(st, col + 5), p->created_at);
	store_copy_col(st, col + 6, p->created_by, sizeof(p->created_by));
	plan_time_iso(sqlite3_column_int64(st, col + 7), p->updated_at);
	store_copy_col(st, col + 8, p->updated_by, sizeof(p->updated_by));
	plan_time_iso(sqlite3_column_int64(st, col + 9), p->confirmed_at);
	store_copy_col(st, col + 10, p->confirmed_by, sizeof(p->confirmed_by));
}

static void
item_row(sqlite3_stmt *st, void *out)
{
	plan_item_from_row(st, 0, out);
}

/* Reads the row of id through st (one int64 parameter). */
static int
load_one(struct store *s, sqlite3_stmt *st, int64_t id, void *out,
    store_fill_fn fn, struct lf_error *err)
{
	sqlite3_bind_int64(st, 1, id);
	return store_one_row(s, st, fn, out, "plan", err);
}

int
plan_item_load(struct store *s, int64_t id, struct plan_item *it,
    struct lf_error *err)
{
	sqlite3_stmt *st;

	if (s->pg != NULL)
		return pg_plan_item_load(s, id, it, err);
	st = plan_stmt(s, PS_ITEM_GET, err);
	return st == NULL ? -1 : load_one(s, st, id, it, item_row, err);
}

void
plan_from_dbq(struct dbq *q, int col, struct plan *p)
{
	p->id = dbq_int64(q, col);
	p->person_id = dbq_int64(q, col + 1);
	p->year = dbq_int(q, col + 2);
	p->status = dbq_int(q, col + 3);
	p->version = dbq_int64(q, col + 4);
	plan_time_iso(dbq_int64(q, col + 5), p->created_at);
	dbq_copy(q, col + 6, p->created_by, sizeof(p->created_by));
	plan_time_iso(dbq_int64(q, col + 7), p->updated_at);
	dbq_copy(q, col + 8, p->updated_by, sizeof(p->updated_by));
	plan_time_iso(dbq_int64(q, col + 9), p->confirmed_at);
	dbq_copy(q, col + 10, p->confirmed_by, sizeof(p->confirmed_by));
}

int
plan_load(struct store *s, int64_t id, struct plan *p, struct lf_error *err)
{
	struct dbq q = { 0 };
	int rc;

	if ((rc = dbq_prep(s, &q, "SELECT " PLAN_COLS " FROM plans WHERE id = "
	    "?", "plan", err)) == 0 && (rc = dbq_bind(&q, err, "i", id)) == 0 &&
	    (rc = dbq_step(&q, err)) == 1)
		plan_from_dbq(&q, 0, p);
	dbq_end(&q);
	return rc == 1 ? 0 : rc == 0 ? 1 : -1;
}

int
plan_key_bind(struct dbq *q, int pos, struct plan_key *k,
    const char *village, struct lf_error *err)
{
	if (!dbq_is_pg(q->s))
		return pos;
	snprintf(k->city, sizeof(k->city), "%.4s", village);
	snprintf(k->county, sizeof(k->county), "%.6s", village);
	if (dbq_bind_text(q, pos, k->city, err) != 0 ||
	    dbq_bind_text(q, pos + 1, k->county, err) != 0)
		return -1;
	return pos + 2;
}

int
plan_history_put(struct store *s, const char *entity, int64_t id,
    int64_t person_id, int year, int64_t version, const char *actor,
    const char *at, const char *changes, const char *village,
    struct lf_error *err)
{
	struct dbq q = { 0 };
	struct plan_key k;
	char sql[256];
	int pg = dbq_is_pg(s), pos, rc;

	snprintf(sql, sizeof(sql), "INSERT INTO history(%sentity, entity_id, "
	    "person_id, year, version, actor, at, changes) VALUES (%s?, ?, ?, "
	    "?, ?, ?, ?, ?)", PLAN_KEY_COLS(pg), PLAN_KEY_VALS(pg));
	rc = dbq_prep(s, &q, sql, "history", err);
	if (rc == 0 && (pos = plan_key_bind(&q, 1, &k, village, err)) < 0)
		rc = -1;
	if (rc == 0 && (dbq_bind_text(&q, pos, entity, err) != 0 ||
	    dbq_bind_int(&q, pos + 1, id, err) != 0 ||
	    dbq_bind_int(&q, pos + 2, person_id, err) != 0 ||
	    dbq_bind_int(&q, pos + 3, year, err) != 0 ||
	    dbq_bind_int(&q, pos + 4, version, err) != 0 ||
	    dbq_bind_text(&q, pos + 5, actor, err) != 0 ||
	    dbq_bind_text(&q, pos + 6, at, err) != 0 ||
	    dbq_bind_text(&q, pos + 7, changes, err) != 0))
		rc = -1;
	if (rc == 0 && (rc = dbq_exec(&q, err)) == 2)
		rc = lf_error_set(err, "store", "", "数据库错误 (history: a "
		    "constraint refused the row)");
	dbq_end(&q);
	return rc;
}

static void
stamp(struct plan_item *it, const char *actor, const struct plan_clock *now)
{
	snprintf(it->updated_at, sizeof(it->updated_at), "%s", now->iso);
	snprintf(it->updated_by, sizeof(it->updated_by), "%s",
	    actor != NULL ? actor : "");
}

int
plan_item_save(struct store *s, const struct plan_item *old,
    struct plan_item *new, const char *actor, const struct plan_clock *now,
    int *changed, struct lf_error *err)
{
	sqlite3_stmt *st;
	char *changes = NULL;
	int rc = -1;

	if (changed != NULL)
		*changed = 0;
	if (item_changes(old, new, &changes) != 0)
		return lf_error_nomem(err);
	if (changes == NULL) {
		new->version = old->version;
		return 0;
	}
	new->version = old->version + 1;
	stamp(new, actor, now);
	if (s->pg != NULL) {
		rc = pg_plan_item_update(s, old, new, now->iso, changes, err);
		goto out;
	}
	if ((st = plan_stmt(s, PS_ITEM_UPD, err)) == NULL ||
	    plan_item_texts_put(s, new, err) != 0 ||
	    store_history_add(s, "item", old->id, old->person_id, old->year,
	    old->version, new->updated_by, now->iso, changes, err) != 0)
		goto out;
	bind_update(st, new, old->version);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = store_sqlite_error(s, "item update", err);
		goto out;
	}
	rc = sqlite3_changes(s->db) == 1 ? 0 : plan_version_check(-1,
	    old->version, "item", err);
out:
	if (rc == 0 && changed != NULL)
		*changed = 1;
	free(changes);
	return rc;
}

int
plan_item_delete(struct store *s, const struct plan_item *it,
    const char *actor, const struct plan_clock *now, struct lf_error *err)
{
	sqlite3_stmt *st;
	char *changes = NULL;
	int rc = -1;

	if (item_changes(it, NULL, &changes) != 0)
		return lf_error_nomem(err);
	if (s->pg != NULL) {
		rc = pg_plan_item_delete(s, it, actor != NULL ? actor : "",
		    now->iso, changes != NULL ? changes : "{}", err);
		goto out;
	}
	if ((st = plan_stmt(s, PS_ITEM_DEL, err)) == NULL ||
	    store_history_add(s, "item", it->id, it->person_id, it->year,
	    it->version, actor != NULL ? actor : "", now->iso,
	    changes != NULL ? changes : "{}", err) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, it->id);
	sqlite3_bind_int64(st, 2, it->version);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = store_sqlite_error(s, "item delete", err);
		goto out;
	}
	rc = sqlite3_changes(s->db) == 1 ? 0 : plan_version_check(-1,
	    it->version, "item", err);
out:
	free(changes);
	return rc;
}

int
plan_item_insert(struct store *s, struct plan_item *it, struct lf_error *err)
{
	struct dbq q = { 0 };
	struct plan_key k;
	struct buf sql;
	int pg = dbq_is_pg(s), pos, rc;

	if (!pg && plan_item_texts_put(s, it, err) != 0)
		return -1;
	it->version = 1;
	buf_init(&sql, 8192);
	if (buf_adds(&sql, "INSERT INTO items") != 0 ||
	    insert_cols_of(&sql, pg) != 0 ||
	    buf_adds(&sql, " RETURNING id") != 0) {
		buf_free(&sql);
		return lf_error_nomem(err);
	}
	rc = dbq_prep(s, &q, buf_str(&sql), "item insert", err);
	if (rc == 0 && ((pos = plan_key_bind(&q, 1, &k, it->region,
	    err)) < 0 || plan_item_bind_dbq(&q, pos, it, err) < 0))
		rc = -1;
	if (rc == 0 && (rc = dbq_step(&q, err)) == 1) {
		it->id = dbq_int64(&q, 0);
		rc = dbq_step(&q, err);
	}
	if (rc == 2)
		rc = lf_error_set(err, "store", "", "数据库错误 (item insert: "
		    "a constraint refused the row)");
	dbq_end(&q);
	buf_free(&sql);
	return rc;
}

/* ---- time ---------------------------------------------------------- */

void
plan_clock_now(struct plan_clock *c)
{
	time_t t = time(NULL);
	int d;

	c->t = (int64_t)t;
	plan_time_iso(c->t, c->iso);
	/* dates people give are Beijing dates */
	c->today = date_china_day(c->t);
	date_to_ymd(c->today, &c->year, &c->month, &d);
}

void
plan_time_iso(int64_t t, char out[21])
{
	out[0] = '\0';
	if (t != 0)
		date_utc_iso(t, out);
}

void
plan_month_text(int year, int month, char out[8])
{
	out[0] = '\0';
	if (month >= 1 && month <= 12 && year >= 0 && year <= 9999)
		snprintf(out, 8, "%04u-%02u", (unsigned)year % 10000u,
		    (unsigned)month % 100u);
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
plan_month_of(const char *ym)
{
	int m;

	if (strlen(ym) != 7 || !digits(ym, 4) || ym[4] != '-' ||
	    !digits(ym + 5, 2))
		return 0;
	m = (ym[5] - '0') * 10 + (ym[6] - '0');
	return m >= 1 && m <= 12 ? m : 0;
}

/* ---- checks -------------------------------------------------------- */

static int
text_clean(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7f)
			return 0;
	}
	return 1;
}

int
plan_text_set(char *dst, size_t size, const char *v, const char *field,
    const char *zh, int required, struct lf_error *err)
{
	size_t n;

	if (v == NULL)
		v = "";
	n = strnlen(v, size);
	if (required && n == 0)
		return lf_error_set(err, "invalid", field, "%s必填 (%s is "
		    "required)", zh, field);
	if (n >= size)
		return lf_error_set(err, "invalid", field, "%s过长 (%s is too "
		    "long: at most %zu bytes)", zh, field, size - 1);
	if (!utf8_valid(v, n) || !text_clean(v, n))
		return lf_error_set(err, "invalid", field, "%s含有无效字符 "
		    "(%s: not valid UTF-8 or holds control characters)", zh,
		    field);
	memcpy(dst, v, n + 1);
	return 0;
}

int
plan_client_id_check(const char *id, struct lf_error *err)
{
	size_t i, n = strnlen(id, 40);

	for (i = 0; i < n; i++)
		if (id[i] < 0x21 || id[i] > 0x7e)
			break;
	if (n == 0 || n >= 40 || i < n)
		return lf_error_set(err, "invalid", "client_id",
		    "客户端编号无效 (client_id: 1..39 printable ASCII "
		    "characters)");
	return 0;
}

int
plan_region_bounds(const char *prefix, int64_t *lo, int64_t *hi,
    struct lf_error *err)
{
	size_t i, n = prefix != NULL ? strnlen(prefix, 13) : 0;
	int64_t v = 0, mul = 1;

	if (n < 2 || n > 12 || !digits(prefix, n))
		return lf_error_set(err, "invalid", "region", "区划代码无效 "
		    "(region: a code prefix of 2 to 12 digits)");
	for (i = 0; i < n; i++)
		v = v * 10 + (prefix[i] - '0');
	for (i = n; i < 12; i++)
		mul *= 10;
	*lo = v * mul;
	*hi = (v + 1) * mul;
	return 0;
}

int64_t
plan_region_num(const char *region)
{
	size_t i, n = strnlen(region, 13);
	int64_t v = 0;

	if (n == 0 || n > 12 || !digits(region, n))
		return 0;
	for (i = 0; i < n; i++)
		v = v * 10 + (region[i] - '0');
	return v;
}

int
plan_version_check(int64_t expect, int64_t version, const char *what,
    struct lf_error *err)
{
	if (expect == 0 || expect == version)
		return 0;
	if (expect < 0)
		return lf_error_set(err, "conflict", "", "记录已被他人修改 "
		    "(the %s was changed meanwhile; reload and retry)", what);
	return lf_error_set(err, "conflict", "", "记录已被他人修改: 您看到的是"
	    "第 %lld 版, 现为第 %lld 版 (%s: stale version %lld; current is "
	    "%lld)", (long long)expect, (long long)version, what,
	    (long long)expect, (long long)version);
}

int
plan_not_found(const char *what, int64_t id, struct lf_error *err)
{
	return lf_error_set(err, "not_found", "", "%s不存在 (no %s with id "
	    "%lld)", strcmp(what, "plan") == 0 ? "计划" : strcmp(what,
	    "person") == 0 ? "人员" : "服务项目", what, (long long)id);
}

/* ---- labels -------------------------------------------------------- */

static const char *
label(const char *const *v, size_t n, int i)
{
	return i >= 0 && (size_t)i < n ? v[i] : "";
}

#define LABEL(v, i)	label(v, sizeof(v) / sizeof(v[0]), i)

const char *
plan_effect_zh(int effect)
{
	static const char *const v[] = { "", "已落实", "部分落实", "未落实",
	    "不再需要" };

	return LABEL(v, effect);
}

const char *
plan_status_zh(int status)
{
	static const char *const v[] = { "", "计划中", "进行中", "已完成",
	    "未完成" };

	return LABEL(v, status);
}

const char *
plan_origin_zh(int origin)
{
	static const char *const v[] = { "", "政策匹配", "手工添加",
	    "上年结转" };

	return LABEL(v, origin);
}

const char *
plan_decision_zh(int decision)
{
	static const char *const v[] = { "待定", "采纳", "不采纳" };

	return LABEL(v, decision);
}

const char *
plan_effect_en(int effect)
{
	static const char *const v[] = { "", "delivered", "partly delivered",
	    "not delivered", "no longer needed" };

	return LABEL(v, effect);
}

const char *
plan_status_en(int status)
{
	static const char *const v[] = { "", "planned", "in progress", "done",
	    "not done" };

	return LABEL(v, status);
}

const char *
plan_origin_en(int origin)
{
	static const char *const v[] = { "", "proposed by a policy",
	    "added by hand", "carried from last year" };

	return LABEL(v, origin);
}

const char *
plan_decision_en(int decision)
{
	static const char *const v[] = { "open", "accepted", "rejected" };

	return LABEL(v, decision);
}

/* ---- plans --------------------------------------------------------- */

int
plan_open(struct store *s, int64_t person_id, int year, const char *region,
    const char *actor, const struct plan_clock *now, struct plan *p,
    int *created, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (s->pg != NULL)
		return pg_plan_open(s, person_id, year, region, actor, now, p,
		    created, err);
	*created = 0;
	if ((st = plan_stmt(s, PS_PLAN_INS, err)) == NULL)
		return -1;
	if (actor == NULL)
		actor = "";
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int(st, 2, year);
	sqlite3_bind_int64(st, 3, plan_region_num(region));
	sqlite3_bind_int64(st, 4, now->t);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "plan insert", err);
	if (sqlite3_changes(s->db) == 0) {
		rc = plan_get(s, person_id, year, p, err);
		return rc == 1 ? plan_not_found("plan", 0, err) : rc;
	}
	*created = 1;
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_last_insert_rowid(s->db);
	p->person_id = person_id;
	p->year = year;
	p->status = PLAN_DRAFT;
	p->version = 1;
	snprintf(p->created_at, sizeof(p->created_at), "%s", now->iso);
	snprintf(p->created_by, sizeof(p->created_by), "%s", actor);
	memcpy(p->updated_at, p->created_at, sizeof(p->updated_at));
	memcpy(p->updated_by, p->created_by, sizeof(p->updated_by));
	return 0;
}

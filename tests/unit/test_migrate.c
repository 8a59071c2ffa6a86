/*
 * test_migrate.c - a database of the old layout (one survey column per
 * catalog item) is migrated to packed records on open, once, and gives
 * the same answers: every person read, the CSV export byte for byte and
 * the statistics JSON. A packed database whose survey table is the rowid
 * table of before is clustered by person, once, keeping every survey's
 * id. And the person page's reads open no sealed value. An items table
 * whose texts lie in its rows (before issue 17's interning) is migrated
 * to interned texts, once, and gives the same plans, items, item export,
 * history and statistics.
 *
 * The old layout is made by the fixture below (the old schema's writer
 * lives only here): it rewrites a database of today's layout into the
 * old one, copying each sealed value as it is (bound to person, year and
 * item, as the old layout bound them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulk/export.h"
#include "lib/date.h"
#include "core/policy.h"
#include "plan/plan.h"
#include "server/json_plan.h"
#include "stats/report.h"
#include "stats/stats_load.h"
#include "store/store_int.h"
#include "testutil.h"

#define YEAR	2024
#define COUNTY	"510182"
#define NPERSON	200

static char dir[TU_DIR_MAX], db[TU_DB_MAX];

/* ---- the old layout (fixture) ---------------------------------------- */

static const char *
old_type(const struct field *f)
{
	if (f->secret)
		return "BLOB";
	switch (f->type) {
	case FT_TEXT:
	case FT_DATE:
	case FT_REGION:
		return "TEXT";
	default:
		return "INTEGER";
	}
}

static void
old_table_sql(const struct catalog *cat, struct buf *b)
{
	size_t i;

	buf_adds(b, "CREATE TABLE surveys_old(id INTEGER PRIMARY KEY, "
	    "person_id INTEGER NOT NULL REFERENCES persons(id), year INTEGER "
	    "NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL, "
	    "created_by TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by "
	    "TEXT NOT NULL");
	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];

		if (f->secret)
			buf_addf(b, ", %s_enc BLOB, %s_hash BLOB", f->code,
			    f->code);
		else
			buf_addf(b, ", %s %s", f->code, old_type(f));
	}
	buf_adds(b, ", UNIQUE (person_id, year))");
}

/* Binds r's items (and the row's sealed values and hashes) as the old
 * INSERT had them, from parameter 9 on. */
static void
old_bind(struct store *s, sqlite3_stmt *ins, sqlite3_stmt *row,
    const struct record *r)
{
	const struct catalog *cat = s->cat;
	char date[11], name[80];
	int idx = 9, c;
	size_t i, k;

	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];

		if (f->secret) {
			if (r->set[i])
				sqlite3_bind_blob(ins, idx, s->sealed[i].sealed,
				    (int)s->sealed[i].slen, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(ins, idx);
			snprintf(name, sizeof(name), "%s_hash", f->code);
			for (c = -1, k = 0; k < (size_t)sqlite3_column_count(
			    row); k++)
				if (strcmp(sqlite3_column_name(row, (int)k),
				    name) == 0)
					c = (int)k;
			if (c >= 0)
				sqlite3_bind_value(ins, idx + 1,
				    sqlite3_column_value(row, c));
			else
				sqlite3_bind_null(ins, idx + 1);
			idx += 2;
			continue;
		}
		if (!r->set[i])
			sqlite3_bind_null(ins, idx);
		else if (f->type == FT_TEXT || f->type == FT_REGION)
			sqlite3_bind_text(ins, idx, r->str[i], -1,
			    SQLITE_TRANSIENT);
		else if (f->type == FT_DATE) {
			date_format((int)r->num[i], date);
			sqlite3_bind_text(ins, idx, date, -1, SQLITE_TRANSIENT);
		} else
			sqlite3_bind_int64(ins, idx, r->num[i]);
		idx++;
	}
}

/* Rewrites the database at path into the old layout. */
static void
to_old_layout(const char *path)
{
	struct store *s;
	struct lf_error err;
	struct record *r = record_new(tu_catalog());
	sqlite3_stmt *row, *ins;
	struct buf sql;
	char bind[BIND_LEN + 1];
	size_t i;
	int k;

	if (store_open(path, tu_catalog(), NULL, &s, &err) != 0)
		fail_msg("%s", err.message);
	buf_init(&sql, 1 << 20);
	old_table_sql(s->cat, &sql);
	assert_int_equal(sqlite3_exec(s->db, buf_str(&sql), NULL, NULL, NULL),
	    SQLITE_OK);
	buf_reset(&sql);
	buf_adds(&sql, "INSERT INTO surveys_old VALUES (?, ?, ?, ?, ?, ?, ?, "
	    "?");
	for (i = 0; i < s->cat->nfields; i++)
		buf_adds(&sql, s->cat->fields[i].secret ? ", ?, ?" : ", ?");
	buf_adds(&sql, ")");
	assert_int_equal(sqlite3_prepare_v2(s->db, buf_str(&sql), -1, &ins,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(s->db, "SELECT p.id_hash, s.* "
	    "FROM surveys s JOIN persons p ON p.id = s.person_id", -1, &row,
	    NULL), SQLITE_OK);
	while (sqlite3_step(row) == SQLITE_ROW) {
		fieldio_bind_of(sqlite3_column_blob(row, 0), bind);
		for (k = 1; k <= 8; k++)
			sqlite3_bind_value(ins, k, sqlite3_column_value(row,
			    k));
		if (store_rec_open(s, row, 9, r, bind, sqlite3_column_int(row,
		    3), s->sealed, &err) != 0)
			fail_msg("%s", err.message);
		old_bind(s, ins, row, r);
		assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
		sqlite3_reset(ins);
	}
	sqlite3_finalize(row);
	sqlite3_finalize(ins);
	assert_int_equal(sqlite3_exec(s->db, "DROP TABLE surveys; "
	    "ALTER TABLE surveys_old RENAME TO surveys; "
	    "CREATE INDEX surveys_year ON surveys(year, person_id); "
	    "CREATE INDEX surveys_card ON surveys(disability_card_no_hash); "
	    "DROP TABLE catalog_versions; "
	    "ALTER TABLE persons DROP COLUMN id_masked", NULL, NULL, NULL),
	    SQLITE_OK);
	buf_free(&sql);
	record_free(r);
	store_close(s);
}

/* Rewrites the database at path into the packed layout of before the
 * clustering: a rowid table whose rows lie in the order they were
 * written, year by year. */
static void
to_rowid_layout(const char *path)
{
	struct buf sql;
	sqlite3 *h;

	buf_init(&sql, 1 << 16);
	buf_adds(&sql, "CREATE TABLE surveys_r(id INTEGER PRIMARY KEY, "
	    "person_id INTEGER NOT NULL REFERENCES persons(id), year INTEGER "
	    "NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL, "
	    "created_by TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by "
	    "TEXT NOT NULL, rec BLOB NOT NULL");
	schema_hash_columns(tu_catalog(), ", ", &sql);
	buf_adds(&sql, ", UNIQUE (person_id, year)); "
	    "INSERT INTO surveys_r SELECT * FROM surveys ORDER BY year, "
	    "person_id; DROP TABLE surveys; "
	    "ALTER TABLE surveys_r RENAME TO surveys; "
	    "CREATE INDEX surveys_year ON surveys(year, person_id); "
	    "CREATE INDEX surveys_card ON surveys(disability_card_no_hash);");
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	if (sqlite3_exec(h, buf_str(&sql), NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s", sqlite3_errmsg(h));
	sqlite3_close(h);
	buf_free(&sql);
}

/* ---- the answers ----------------------------------------------------- */

struct answers {
	struct buf	 persons;	/* every person and survey as text */
	char		*csv;
	size_t		 csv_len;
	char		*stats;		/* the report's JSON */
};

static int
survey_text(void *arg, int year, int64_t version, const struct record *r)
{
	struct buf *b = arg;
	size_t i;

	buf_addf(b, "  %d v%lld", year, (long long)version);
	for (i = 0; i < r->cat->nfields; i++) {
		buf_addf(b, " %s=", r->cat->fields[i].code);
		record_format_value(r, &r->cat->fields[i], b);
	}
	buf_addc(b, '\n');
	return 0;
}

static char *
stats_json(struct store *s)
{
	struct policies *ps;
	struct stats *st;
	struct report *rep;
	struct stats_query q;
	struct lf_error err;
	json_t *j;
	char *out;

	assert_int_equal(policies_load_embedded(tu_catalog(), &ps, &err), 0);
	st = stats_new(tu_catalog(), tu_regions(), ps, YEAR);
	assert_non_null(st);
	if (stats_load(s, st, ps, NULL, NULL, &err) != 0)
		fail_msg("%s", err.message);
	memset(&q, 0, sizeof(q));
	q.in = regions_find(tu_regions(), COUNTY);
	q.today = tu_days("2025-08-15");
	assert_int_equal(report_build(st, tu_catalog(), &q,
	    "2025-08-15T00:00:00Z", &rep, &err), 0);
	j = report_json(rep);
	out = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	report_free(rep);
	stats_free(st);
	policies_free(ps);
	return out;
}

static void
answers(struct store *s, struct answers *a)
{
	struct store_person p;
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	char csv[TU_DB_MAX + 16];
	uint64_t rows;
	int64_t id;

	buf_init(&a->persons, 1 << 26);
	for (id = 1; store_person_by_id(s, id, &p, &err) == 0; id++) {
		assert_int_equal(store_person_open_id(s, &p, &err), 0);
		buf_addf(&a->persons, "%s %s %s %d %s %s %d %lld %s\n", p.uid,
		    p.id_number, p.name, p.gender, p.birth_date, p.region,
		    p.status, (long long)p.version, p.id_masked);
		assert_int_equal(store_surveys_each(s, p.id, r, survey_text,
		    &a->persons, &err), 0);
	}
	assert_int_equal(id, NPERSON + 1);
	snprintf(csv, sizeof(csv), "%s.csv", db);
	assert_int_equal(export_csv(s, tu_catalog(), YEAR, NULL, csv, 0, &rows,
	    &err), 0);
	assert_int_equal(rows, NPERSON);
	a->csv = tu_slurp(csv, &a->csv_len);
	a->stats = stats_json(s);
	record_free(r);
}

static void
answers_free(struct answers *a)
{
	buf_free(&a->persons);
	free(a->csv);
	free(a->stats);
}

static int
has_rec(void)
{
	sqlite3 *h;
	int n;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	n = schema_has_column(h, "surveys", "rec");
	sqlite3_close(h);
	return n;
}

/* 1 when the survey table is keyed (person_id, year) WITHOUT ROWID. */
static int
is_clustered(void)
{
	sqlite3_stmt *st;
	sqlite3 *h;
	int n;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM "
	    "pragma_index_list('surveys') WHERE origin = 'pk'", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* Every survey's id, person, year, version and authors, by id. */
static char *
survey_keys(void)
{
	char *out;
	FILE *p;
	size_t n;
	char cmd[TU_DB_MAX + 128];

	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'SELECT id, person_id, year, "
	    "version, created_by, updated_at, hex(rec) FROM surveys ORDER BY "
	    "id'", db);
	out = calloc(1, 1 << 22);
	assert_non_null(p = popen(cmd, "r"));
	n = fread(out, 1, (1 << 22) - 1, p);
	assert_int_equal(pclose(p), 0);
	assert_true(n > 0);
	return out;
}

/* The answers of the database, then of the same rewritten by to_old into
 * an older layout (is_new() 0) and migrated on open (is_new() 1): the
 * same. */
static void
migrates_same(void (*to_old)(const char *), int (*is_new)(void))
{
	struct answers before, after;
	struct store *s;
	struct lf_error err;

	assert_int_equal(store_open(db, tu_catalog(), tu_regions(), &s, &err),
	    0);
	answers(s, &before);
	store_close(s);
	to_old(db);
	assert_int_equal(is_new(), 0);
	if (store_open(db, tu_catalog(), tu_regions(), &s, &err) != 0)
		fail_msg("migration: %s", err.message);
	assert_int_equal(is_new(), 1);
	answers(s, &after);
	store_close(s);
	assert_string_equal(buf_str(&after.persons), buf_str(&before.persons));
	assert_int_equal(after.csv_len, before.csv_len);
	assert_memory_equal(after.csv, before.csv, before.csv_len);
	assert_string_equal(after.stats, before.stats);
	answers_free(&before);
	answers_free(&after);
}

static void
test_old_layout_migrates(void **state)
{
	struct store *s;
	struct lf_error err;

	(void)state;
	migrates_same(to_old_layout, has_rec);
	/* once: the next open finds packed records and leaves them */
	assert_int_equal(store_open(db, tu_catalog(), tu_regions(), &s, &err),
	    0);
	store_close(s);
	assert_int_equal(has_rec(), 1);
}

static void
test_rowid_layout_clusters(void **state)
{
	char *kb, *ka;

	(void)state;
	kb = survey_keys();
	migrates_same(to_rowid_layout, is_clustered);
	ka = survey_keys();
	assert_string_equal(ka, kb);
	free(ka);
	free(kb);
}

/* ---- the person page opens nothing ----------------------------------- */

struct masked {
	struct buf	*b;
	int		 n;
};

static int
masked_survey(void *arg, int year, int64_t version, const struct record *r)
{
	struct masked *m = arg;
	char mask[80];
	size_t i;

	(void)year;
	(void)version;
	for (i = 0; i < r->cat->nfields; i++)
		if (r->cat->fields[i].secret && r->set[i]) {
			packrec_mask(r->str[i], mask, sizeof(mask));
			buf_addf(m->b, "%s=%s ", r->cat->fields[i].code, mask);
			m->n++;
		}
	return 0;
}

static int
list_one(void *arg, const struct store_person *p)
{
	int *n = arg;

	(*n)++;
	assert_string_equal(p->id_number, "");
	assert_int_equal(strlen(p->id_masked), 18);
	return 0;
}

static void
test_page_opens_nothing(void **state)
{
	struct store *s;
	struct store_person p, q;
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	struct buf opened, shown;
	struct masked mo, ms;
	unsigned long before;
	int64_t last;
	int n = 0;

	(void)state;
	assert_int_equal(store_open(db, tu_catalog(), tu_regions(), &s, &err),
	    0);
	buf_init(&opened, 1 << 16);
	buf_init(&shown, 1 << 16);
	mo.b = &opened;
	ms.b = &shown;
	mo.n = ms.n = 0;
	/* what the edit path opens, masked by hand */
	assert_int_equal(store_person_by_id(s, 7, &q, &err), 0);
	assert_int_equal(store_person_open_id(s, &q, &err), 0);
	assert_int_equal(store_surveys_each(s, 7, r, masked_survey, &mo,
	    &err), 0);
	before = crypto_open_count();
	/* the page's and the lists' reads */
	assert_int_equal(store_person_by_uid(s, q.uid, &p, &err), 0);
	assert_string_equal(p.id_number, "");
	packrec_mask(q.id_number, q.id_masked, sizeof(q.id_masked));
	assert_string_equal(p.id_masked, q.id_masked);
	assert_int_equal(store_surveys_each_masked(s, 7, r, masked_survey, &ms,
	    &err), 0);
	assert_int_equal(store_person_search_name(s, p.name, NULL, 10,
	    list_one, &n, &err), 0);
	assert_int_equal(store_list(s, YEAR, regions_find(tu_regions(), COUNTY),
	    NULL, 0, 0, 50, list_one, &n, &last, &err), 0);
	assert_int_equal(crypto_open_count(), before);
	assert_true(ms.n > 0 && n > 0);
	assert_int_equal(ms.n, mo.n);
	assert_string_equal(buf_str(&shown), buf_str(&opened));
	/* reveal opens */
	assert_int_equal(store_person_open_id(s, &p, &err), 0);
	assert_int_equal(crypto_open_count(), before + 1);
	buf_free(&opened);
	buf_free(&shown);
	record_free(r);
	store_close(s);
}

/* ---- interned item texts ------------------------------------------- */

static void
add_rows(sqlite3 *h, const char *sql, const char *fmt, struct buf *b)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		buf_addf(b, fmt, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* Rewrites the database at path into the layout of before the
 * interning: measures and effect_note as texts in the rows, no texts
 * table, the same indexes. */
static void
to_text_layout(const char *path)
{
	struct buf sql;
	sqlite3 *h;

	buf_init(&sql, 1 << 16);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	buf_adds(&sql, "PRAGMA foreign_keys=OFF; BEGIN; ");
	add_rows(h, "SELECT replace(replace('CREATE TABLE items_old ' || "
	    "substr(sql, instr(sql, '(')), ' measures INTEGER', ' measures "
	    "TEXT'), ' effect_note INTEGER', ' effect_note TEXT') FROM "
	    "sqlite_master WHERE name = 'items'", "%s; INSERT INTO items_old "
	    "SELECT ", &sql);
	add_rows(h, "SELECT group_concat(CASE WHEN name IN ('measures', "
	    "'effect_note') THEN '(SELECT body FROM texts WHERE texts.id = "
	    "items.' || name || ')' ELSE name END, ', ') FROM (SELECT name "
	    "FROM pragma_table_info('items') ORDER BY cid)", "%s FROM items; "
	    "DROP TABLE items; ALTER TABLE items_old RENAME TO items; DROP "
	    "TABLE texts; ", &sql);
	add_rows(h, "SELECT sql FROM sqlite_master WHERE tbl_name = 'items' "
	    "AND type = 'index' AND sql IS NOT NULL", "%s; ", &sql);
	buf_adds(&sql, "COMMIT;");
	if (sqlite3_exec(h, buf_str(&sql), NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s", sqlite3_errmsg(h));
	sqlite3_close(h);
	buf_free(&sql);
}

/* 1 when the items' texts are interned. */
static int
is_interned(void)
{
	sqlite3_stmt *st;
	sqlite3 *h;
	int n;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM "
	    "pragma_table_info('items') WHERE name IN ('measures', "
	    "'effect_note') AND type = 'INTEGER'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n == 2;
}

struct page {
	struct store		*s;
	const struct policies	*ps;
	struct buf		*b;
};

static int
page_plan(void *arg, const struct plan *p)
{
	struct page *pg = arg;

	return jout_plan(pg->b, p) != 0 || buf_addc(pg->b, '\n') != 0;
}

static int
page_item(void *arg, const struct plan_item *it)
{
	struct page *pg = arg;

	return jout_item(pg->b, pg->s, tu_catalog(), pg->ps, it) != 0 ||
	    buf_addc(pg->b, '\n') != 0;
}

static int
page_delivery(void *arg, const struct plan_delivery *d)
{
	struct page *pg = arg;

	return jout_delivery(pg->b, d, "") != 0 || buf_addc(pg->b, '\n') != 0;
}

/* The person pages' plans and items (the page's JSON), the items' CSV
 * export, every history row and the statistics, as one text. */
static char *
plan_answers(const struct policies *ps)
{
	static const struct plan_person_fns fns = { page_plan, page_item,
	    page_delivery };
	struct page pg;
	struct store *s;
	struct lf_error err;
	struct buf b;
	char csv[TU_DB_MAX + 16], *text, *stats;
	uint64_t rows;
	size_t len;
	sqlite3 *h;
	int64_t id;

	buf_init(&b, 1 << 26);
	if (store_open(db, tu_catalog(), tu_regions(), &s, &err) != 0)
		fail_msg("open: %s", err.message);
	pg.s = s;
	pg.ps = ps;
	pg.b = &b;
	for (id = 1; id <= NPERSON; id++)
		assert_int_equal(plan_person_each(s, id, &fns, &pg, &err), 0);
	snprintf(csv, sizeof(csv), "%s.items.csv", db);
	assert_int_equal(export_items_csv(s, tu_regions(), ps, YEAR, NULL, csv,
	    0, &rows, &err), 0);
	assert_true(rows > 0);
	text = tu_slurp(csv, &len);
	buf_add(&b, text, len);
	free(text);
	stats = stats_json(s);
	buf_addf(&b, "%s\n", stats);
	free(stats);
	store_close(s);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	add_rows(h, "SELECT entity || ' ' || entity_id || ' ' || version || "
	    "' ' || actor || ' ' || changes FROM history WHERE entity = 'item' "
	    "ORDER BY id", "%s\n", &b);
	sqlite3_close(h);
	text = strdup(buf_str(&b));
	buf_free(&b);
	return text;
}

/* Sets the file's format tag (meta.format) by hand. */
static void
set_format(const char *tag)
{
	char sql[128];
	sqlite3 *h;

	snprintf(sql, sizeof(sql), "UPDATE meta SET value = '%s' WHERE key = "
	    "'format'", tag);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/* The file's format tag (a static buffer). */
static const char *
format_now(void)
{
	static char tag[64];
	sqlite3_stmt *st;
	sqlite3 *h;

	tag[0] = '\0';
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT value FROM meta WHERE "
	    "key = 'format'", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(tag, sizeof(tag), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return tag;
}

static void
test_item_texts_intern(void **state)
{
	struct plan_item_change c;
	struct plan_build_stats st;
	struct plan_item it;
	struct policies *ps;
	struct store *s;
	struct lf_error err;
	char *before, *after;

	(void)state;
	assert_int_equal(policies_load_embedded(tu_catalog(), &ps, &err), 0);
	assert_int_equal(store_open(db, tu_catalog(), tu_regions(), &s, &err),
	    0);
	memset(&st, 0, sizeof(st));
	if (plan_build_all(s, ps, NULL, YEAR, NULL, "t", NULL, NULL, &st,
	    &err) != 0)
		fail_msg("plans: %s", err.message);
	assert_true(st.inserted > 0);
	/* texts written by hand, one emptied: new texts, history rows */
	memset(&c, 0, sizeof(c));
	c.set = PI_MEASURES;
	c.measures = "手写的措施";
	assert_int_equal(plan_item_update(s, 1, &c, 0, "t", &it, &err), 0);
	c.measures = "";
	assert_int_equal(plan_item_update(s, 2, &c, 0, "t", &it, &err), 0);
	c.set = PI_EFFECT;
	c.effect = 2;
	c.effect_note = "手写的效果";
	if (plan_item_update(s, 3, &c, 0, "t", &it, &err) != 0)
		fail_msg("effect: %s", err.message);
	store_close(s);
	before = plan_answers(ps);
	assert_non_null(strstr(before, "手写的措施"));
	to_text_layout(db);
	set_format("liangfu-registry 1");	/* as an older binary made it */
	assert_int_equal(is_interned(), 0);
	after = plan_answers(ps);
	assert_int_equal(is_interned(), 1);
	/* format 2 after the migration: an older binary refuses the file */
	assert_string_equal(format_now(), "liangfu-registry 2");
	assert_string_equal(after, before);
	free(after);
	/* once: the next open leaves them */
	after = plan_answers(ps);
	assert_string_equal(after, before);
	free(after);
	free(before);
	policies_free(ps);
}

static int
setup(void **state)
{
	struct store *s;

	(void)state;
	s = tu_store_new(dir, db, "m.db");
	tu_seed_county(s, COUNTY, NPERSON, 5, YEAR);
	store_close(s);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tu_rmdir(dir);
	tu_env_free();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_old_layout_migrates),
		cmocka_unit_test(test_rowid_layout_clusters),
		cmocka_unit_test(test_page_opens_nothing),
		cmocka_unit_test(test_item_texts_intern),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

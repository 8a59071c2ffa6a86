/*
 * test_report.c - statistics reports (io/report.h): filter parsing,
 * value and header text, the KPI ranking, and the JSON, xlsx, CSV and
 * text outputs of a report built from a seeded county, checked against
 * the engine's own tables; the xlsx is unzipped (unzip -p) and its sheet
 * names, headers, cells, frozen panes and number formats read back.
 * Files are written atomically: a failed write leaves nothing behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/disaster.h"
#include "lib/embedded.h"
#include "lib/mem.h"
#include "core/policy.h"
#include "stats/stats.h"
#include "synth/synth.h"
#include "lib/utf8.h"
#include "stats/report.h"
#include "plan/plan.h"
#include "store/plan.h"
#include "stats/stats_load.h"
#include "store/store.h"
#include "testutil.h"

#define YEAR	2025
#define COUNTY	"510182"
#define PERSONS	300
#define AS_OF	"2026-11-29T04:22:07Z"

static char dir[64], db[128];
static struct policies *ps;
static struct stats *st;

/* ---- fixtures ------------------------------------------------------- */

static void
seed(struct store *s)
{
	struct store_put p = { YEAR, 0, "seed", 0, 0 };
	struct store_put_result res;
	struct record *r = record_new(tu_catalog());
	struct lf_error err;
	struct synth *sy;
	uint64_t i;

	p.today = tu_days("2026-11-29");
	assert_int_equal(synth_new(tu_catalog(), tu_regions(),
	    regions_find(tu_regions(), COUNTY), 5, p.today, &sy, &err), 0);
	assert_int_equal(store_begin(s, &err), 0);
	for (i = 0; i < PERSONS; i++) {
		assert_int_equal(synth_person(sy, i, YEAR, r, &err), 0);
		if (store_survey_put(s, r, &p, &res, &err) != 0)
			fail_msg("put: %s", err.message);
	}
	assert_int_equal(store_commit(s, &err), 0);
	synth_free(sy);
	record_free(r);
}

static int
group_setup(void **state)
{
	struct plan_build_stats bs;
	struct disaster *dis;
	struct lf_error err;
	struct store *s;

	(void)state;
	tu_rules(&ps, &dis);
	s = tu_store_new(dir, db, "r.db");
	seed(s);
	memset(&bs, 0, sizeof(bs));
	assert_int_equal(plan_build_all(s, ps, dis, YEAR, NULL, "test", NULL,
	    NULL, &bs, &err), 0);
	st = stats_new(tu_catalog(), tu_regions(), ps, YEAR);
	assert_non_null(st);
	if (stats_load(s, st, ps, NULL, NULL, &err) != 0)
		fail_msg("load: %s", err.message);
	store_close(s);
	disaster_free(dis);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	stats_free(st);
	policies_free(ps);
	tu_rmdir(dir);
	tu_env_free();
	return 0;
}

static const struct field *
field(const char *code)
{
	const struct field *f = catalog_find(tu_catalog(), code, strlen(code));

	assert_non_null(f);
	return f;
}

/* The county's report, with the filters given (may be none). */
static struct report *
report(const struct stats_filter *fl, size_t n)
{
	struct stats_query q;
	struct report *r;
	struct lf_error err;

	q.in = regions_find(tu_regions(), COUNTY);
	q.filters = fl;
	q.nfilters = n;
	q.today = tu_days("2025-08-15");
	if (report_build(st, tu_catalog(), &q, AS_OF, &r, &err) != 0)
		fail_msg("build: %s", err.message);
	return r;
}

static struct report *
report_filtered(void)
{
	struct stats_filter f;
	struct lf_error err;

	assert_int_equal(report_filter_parse(st, tu_catalog(),
	    "disability_category=4,5", &f, &err), 0);
	return report(&f, 1);
}

/* ---- filters -------------------------------------------------------- */

static const struct {
	const char	*spec;
	const char	*item;		/* NULL: an error */
	uint64_t	 mask;		/* or the error's field */
	const char	*field;
} filters[] = {
	{ "disability_category=1,2", "disability_category", 6, NULL },
	{ "残疾类别=视力残疾,听力残疾", "disability_category", 6, NULL },
	{ "disability_category= 1 , 7 ", "disability_category", 130, NULL },
	{ "gender=女", "gender", 4, NULL },
	{ "ss_dibao=是", "ss_dibao", 2, NULL },
	{ "ss_dibao=0", "ss_dibao", 1, NULL },
	{ "ss_dibao=YES,no", "ss_dibao", 3, NULL },
	{ "birth_date=0,6", "birth_date", 65, NULL },
	{ "birth_date=60-79岁", "birth_date", 32, NULL },
	{ "rehab_service_received=2,6", "rehab_service_received", 68, NULL },
	{ "ethnicity=汉族,07", "ethnicity", 65, NULL },	/* option indices */
	{ "marital_status=90", "marital_status", 128, NULL },
	{ "residence_address=filled", "residence_address", 1, NULL },
	{ "residence_address=已填", "residence_address", 1, NULL },
	/* errors */
	{ "birth_date=7", NULL, 0, "birth_date" },
	{ "residence_address=x", NULL, 0, "residence_address" },
	{ "disability_category=9", NULL, 0, "disability_category" },
	{ "disability_category=", NULL, 0, "disability_category" },
	{ "disability_category=1,,2", NULL, 0, "disability_category" },
	{ "ss_dibao=maybe", NULL, 0, "ss_dibao" },
	{ "id_number=1", NULL, 0, "id_number" },
	{ "disability_card_no=1", NULL, 0, "disability_card_no" },
	{ "no_such_item=1", NULL, 0, "filter" },
	{ "disability_category", NULL, 0, "filter" },
	{ "=1", NULL, 0, "filter" },
};

static void
test_filter_parse(void **state)
{
	struct stats_filter f;
	struct lf_error err;
	char big[600];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		memset(&f, 0, sizeof(f));
		lf_error_clear(&err);
		rc = report_filter_parse(st, tu_catalog(), filters[i].spec, &f,
		    &err);
		if (filters[i].item == NULL) {
			if (rc != -1)
				fail_msg("%s: accepted", filters[i].spec);
			assert_string_equal(err.code, "invalid");
			assert_string_equal(err.field, filters[i].field);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: %s", filters[i].spec, err.message);
		assert_string_equal(f.f->code, filters[i].item);
		if (f.codes != filters[i].mask)
			fail_msg("%s: mask %llu, want %llu", filters[i].spec,
			    (unsigned long long)f.codes,
			    (unsigned long long)filters[i].mask);
	}
	/* the bits are the engine's */
	assert_int_equal(stats_filter_bit(st, field("ethnicity"), 7), 6);
	/* overlong item and code */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[300] = '=';
	assert_int_equal(report_filter_parse(st, tu_catalog(), big, &f, &err),
	    -1);
	assert_string_equal(err.field, "filter");
	memcpy(big, "gender=", 7);
	assert_int_equal(report_filter_parse(st, tu_catalog(), big, &f, &err),
	    -1);
	assert_string_equal(err.field, "gender");
	/* input echoed in messages is cut: never a whole ID number */
	assert_int_equal(report_filter_parse(st, tu_catalog(),
	    "disability_category=510104198506151234", &f, &err), -1);
	assert_null(strstr(err.message, "510104198506151234"));
	assert_non_null(strstr(err.message, "5101041985061512…"));
	assert_int_equal(report_filter_parse(st, tu_catalog(),
	    "510104198506151234=1", &f, &err), -1);
	assert_null(strstr(err.message, "510104198506151234"));
	/* codes alone */
	assert_int_equal(report_filter_codes(st, field("gender"), "1", &f.codes,
	    &err), 0);
	assert_int_equal(f.codes, 2);
}

/* ---- text of values and headers ------------------------------------- */

static const struct {
	enum report_unit	 u;
	int64_t			 v;
	const char		*text;
} values[] = {
	{ RU_COUNT, 0, "0" }, { RU_COUNT, 1234567, "1234567" },
	{ RU_COUNT, -3, "-3" },
	{ RU_FEN, 0, "0.00" }, { RU_FEN, 5, "0.05" },
	{ RU_FEN, 123456, "1234.56" }, { RU_FEN, -150, "-1.50" },
	{ RU_FEN, INT64_MIN, "-92233720368547758.08" },
	{ RU_BP, 0, "0.0%" }, { RU_BP, 4, "0.0%" }, { RU_BP, 5, "0.1%" },
	{ RU_BP, 9850, "98.5%" }, { RU_BP, 9999, "100.0%" },
	{ RU_BP, 10000, "100.0%" }, { RU_BP, 333, "3.3%" },
};

static void
test_value_text(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		buf_init(&b, 64);
		assert_int_equal(report_value_text(values[i].u, values[i].v,
		    &b), 0);
		assert_string_equal(buf_str(&b), values[i].text);
		buf_free(&b);
	}
	/* a full buffer fails */
	buf_init(&b, 3);
	assert_int_equal(report_value_text(RU_FEN, 123456, &b), -1);
	buf_free(&b);
}

static const struct {
	const char		*code;
	enum report_unit	 u;
	const char		*label, *head;
} heads[] = {
	{ "SUB_LIVING.planned", RU_FEN, "生活补贴·年度计划资金(分)",
	    "生活补贴·年度计划资金(元)" },
	{ "civil.spent", RU_FEN, "民政·已支出(分)", "民政·已支出(元)" },
	{ "x.spent", RU_FEN, "支出", "支出(元)" },
	{ "x.spent", RU_FEN, "支出(元)", "支出(元)" },
	{ "entry_rate_bp", RU_BP, "录入率(万分比)", "录入率" },
	{ "registered", RU_COUNT, "入库人数", "入库人数" },
	{ "1", RU_COUNT, "视力残疾", "视力残疾" },
	{ "empty", RU_COUNT, "未填", "未填" },
};

static void
test_heads(void **state)
{
	struct stats_table t;
	const char *code[1], *label[1];
	struct buf b;
	size_t i;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.ncols = 1;
	t.col_code = code;
	t.col_label = label;
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		code[0] = heads[i].code;
		label[0] = heads[i].label;
		assert_int_equal(report_unit(heads[i].code), heads[i].u);
		buf_init(&b, 256);
		assert_int_equal(report_col_head(&t, 0, &b), 0);
		assert_string_equal(buf_str(&b), heads[i].head);
		buf_free(&b);
	}
}

/* ---- KPI ranking ---------------------------------------------------- */

static const char *const kcodes[] = { "registered", "valid_card",
	"entry_rate_bp", "coverage_bp" };

static const struct {
	int64_t		 v[4][4];	/* three children, a fourth */
	const char	*order;		/* of children 1..4, worst first */
} ranks[] = {
	/* all at target */
	{ { { 10, 10, 9800, 9800 }, { 5, 5, 10000, 9900 },
	    { 1, 1, 9800, 10000 }, { 2, 2, 9900, 9900 } }, "" },
	/* 2 is 800 short, 1 is 100 short, 3 has nobody (not ranked) */
	{ { { 10, 10, 9700, 9900 }, { 5, 5, 10000, 9000 },
	    { 0, 0, 0, 0 }, { 2, 2, 9900, 9900 } }, "21" },
	/* no valid cards: coverage not ranked; ties by code */
	{ { { 10, 0, 9000, 0 }, { 5, 5, 9000, 9900 }, { 3, 0, 9000, 0 },
	    { 2, 2, 9900, 9700 } }, "1234" },
};

static void
test_below_target(void **state)
{
	const struct region *county = regions_find(tu_regions(), COUNTY);
	struct stats_row rows[5];
	struct stats_table t;
	int64_t cells[5][4];
	char got[8];
	size_t i, j, n, *order;
	struct lf_error err;
	int c;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.ncols = 4;
	t.col_code = (const char **)kcodes;
	t.col_label = (const char **)kcodes;
	t.rows = rows;
	t.nrows = 5;
	rows[0].region = county;
	rows[0].v = cells[0];
	for (i = 0, c = county->first_child; i < 4; i++) {
		rows[i + 1].region = &tu_regions()->v[c];
		c = tu_regions()->v[c].next_sibling;
	}
	for (i = 0; i < sizeof(ranks) / sizeof(ranks[0]); i++) {
		for (j = 0; j < 4; j++) {
			memcpy(cells[j + 1], ranks[i].v[j], sizeof(cells[0]));
			rows[j + 1].v = cells[j + 1];
		}
		assert_int_equal(report_below_target(&t, &order, &n, &err), 0);
		for (j = 0; j < n; j++)
			got[j] = (char)('0' + (int)order[j]);
		got[n] = '\0';
		assert_string_equal(got, ranks[i].order);
		mem_free(order);
	}
}

/* ---- building ------------------------------------------------------- */

static void
test_build(void **state)
{
	struct report *r = report_filtered();
	const struct report_table *t;
	struct stats_filter bad[STATS_MAX_FILTERS + 1];
	struct stats_query q;
	struct report *r2;
	struct lf_error err;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < tu_catalog()->nfields; i++)
		n += !tu_catalog()->fields[i].secret;
	assert_int_equal(r->ntables, 5 + n);
	assert_string_equal(r->tables[0].key, "kpi");
	assert_string_equal(r->tables[4].key, "need_supply");
	assert_null(report_table(r, "id_number"));
	t = report_table(r, "disability_category");
	assert_non_null(t);
	assert_string_equal(t->title, "残疾类别");
	assert_int_equal(r->nfilters, 1);
	assert_int_equal(r->filters[0].n, 2);
	assert_string_equal(r->filters[0].code[0], "4");
	assert_string_equal(r->filters[0].label[1], "智力残疾");
	/* filtered: only categories 4 and 5 */
	assert_int_equal(t->t.rows[0].v[0], 0);
	assert_true(t->t.rows[0].v[3] > 0);
	assert_string_equal(r->as_of, AS_OF);
	report_free(r);
	/* too many filters; an engine error */
	memset(bad, 0, sizeof(bad));
	q.in = regions_find(tu_regions(), COUNTY);
	q.filters = bad;
	q.nfilters = STATS_MAX_FILTERS + 1;
	q.today = 0;
	assert_int_equal(report_build(st, tu_catalog(), &q, NULL, &r2, &err),
	    -1);
	assert_string_equal(err.code, "invalid");
	bad[0].f = field("gender");
	bad[0].codes = 0;
	q.nfilters = 1;
	assert_int_equal(report_build(st, tu_catalog(), &q, NULL, &r2, &err),
	    -1);
	assert_string_equal(err.field, "gender");
	/* as_of NULL: now */
	q.nfilters = 0;
	assert_int_equal(report_build(st, tu_catalog(), &q, NULL, &r2, &err),
	    0);
	assert_int_equal(strlen(r2->as_of), 20);
	report_free(r2);
}

/* Every allocation failing in turn fails the build cleanly. */
static void
test_build_nomem(void **state)
{
	struct stats_filter f;
	struct stats_query q;
	struct report *r;
	struct lf_error err;
	long fail;
	int rc = -1;

	(void)state;
	assert_int_equal(report_filter_parse(st, tu_catalog(), "gender=1", &f,
	    &err), 0);
	q.in = regions_find(tu_regions(), COUNTY);
	q.filters = &f;
	q.nfilters = 1;
	q.today = 0;
	for (fail = 0; rc != 0; fail++) {
		mem_fail_after(fail);
		rc = report_build(st, tu_catalog(), &q, AS_OF, &r, &err);
		mem_fail_after(-1);
		if (rc != 0)
			assert_string_equal(err.code, "no_memory");
	}
	report_free(r);
}

/* ---- JSON ----------------------------------------------------------- */

static json_t *
at(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	if (v == NULL)
		fail_msg("no key %s", key);
	return v;
}

static void
check_table_json(json_t *tj, const struct report_table *rt)
{
	const struct stats_table *t = &rt->t;
	json_t *cols = at(tj, "columns"), *reg = at(tj, "region");
	json_t *kids = at(tj, "children"), *kid;
	size_t i, j;

	assert_string_equal(json_string_value(at(tj, "label")), rt->title);
	assert_int_equal(json_array_size(cols), t->ncols);
	assert_int_equal(json_object_size(kids), t->nrows - 1);
	for (j = 0; j < t->ncols; j++) {
		assert_string_equal(json_string_value(at(json_array_get(cols,
		    j), "code")), t->col_code[j]);
		assert_int_equal(json_integer_value(at(reg, t->col_code[j])),
		    t->rows[0].v[j]);
	}
	for (i = 1; i < t->nrows; i++) {
		kid = at(kids, t->rows[i].region->code);
		assert_string_equal(json_string_value(at(kid, "name")),
		    t->rows[i].region->name);
		for (j = 0; j < t->ncols; j++)
			assert_int_equal(json_integer_value(at(kid,
			    t->col_code[j])), t->rows[i].v[j]);
	}
}

static void
test_json(void **state)
{
	struct report *r = report_filtered();
	const struct report_table *kpi = report_table(r, "kpi");
	json_t *j = report_json(r), *back, *f, *items, *below;
	char path[160];
	struct lf_error err;
	size_t i, n, *rows;

	(void)state;
	assert_non_null(j);
	assert_int_equal(json_integer_value(at(j, "year")), YEAR);
	assert_string_equal(json_string_value(at(at(j, "region"), "code")),
	    COUNTY);
	assert_string_equal(json_string_value(at(at(j, "region"), "name")),
	    "彭州市");
	assert_string_equal(json_string_value(at(at(j, "region"), "level")),
	    region_level_name(RL_COUNTY));
	assert_string_equal(json_string_value(at(j, "as_of")), AS_OF);
	f = json_array_get(at(j, "filters"), 0);
	assert_string_equal(json_string_value(at(f, "item")),
	    "disability_category");
	assert_string_equal(json_string_value(json_array_get(at(f, "codes"),
	    1)), "5");
	assert_string_equal(json_string_value(json_array_get(at(f, "labels"),
	    0)), "肢体残疾");
	/* the example: an item keyed by its code and option codes */
	items = at(j, "items");
	assert_int_equal(json_object_size(items), r->ntables - 5);
	for (i = 5; i < r->ntables; i++)
		check_table_json(at(items, r->tables[i].key), &r->tables[i]);
	assert_int_equal(json_integer_value(at(at(at(items,
	    "disability_category"), "region"), "4")),
	    report_table(r, "disability_category")->t.rows[0].v[3]);
	check_table_json(at(at(j, "services"), "batch"), &r->tables[1]);
	check_table_json(at(at(j, "services"), "policy"), &r->tables[2]);
	check_table_json(at(at(j, "services"), "dept"), &r->tables[3]);
	check_table_json(at(j, "need_supply"), &r->tables[4]);
	check_table_json(at(j, "kpi"), kpi);
	assert_int_equal(json_integer_value(at(at(at(j, "kpi"), "targets"),
	    "entry_rate_bp")), 9800);
	/* the precision targets live with their figures ("precision") */
	assert_null(json_object_get(at(at(j, "kpi"), "targets"),
	    "precision_bp"));
	below = at(at(j, "kpi"), "below_target");
	assert_int_equal(report_below_target(&kpi->t, &rows, &n, &err), 0);
	assert_int_equal(json_array_size(below), n);
	for (i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(below, i)),
		    kpi->t.rows[rows[i]].region->code);
	mem_free(rows);
	/* the file holds the same */
	snprintf(path, sizeof(path), "%s/r.json", dir);
	assert_int_equal(report_json_write(r, path, &err), 0);
	back = json_load_file(path, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, j));
	json_decref(back);
	json_decref(j);
	report_free(r);
}

/* ---- files ---------------------------------------------------------- */

/* The entry of a zip, read with unzip -p, into b. */
static void
unzip(const char *zip, const char *entry, struct buf *b)
{
	char cmd[512], chunk[4096];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "unzip -p '%s' '%s'", zip, entry);
	p = popen(cmd, "r");
	assert_non_null(p);
	buf_init(b, 64 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		assert_int_equal(buf_add(b, chunk, n), 0);
	assert_int_equal(pclose(p), 0);
	assert_true(b->len > 0);
}

/* The content of cell ref in sheet XML: its <v> text. */
static void
cell(const struct buf *sheet, const char *ref, char *out, size_t len)
{
	char pat[32];
	const char *c, *v, *e;

	snprintf(pat, sizeof(pat), "<c r=\"%s\"", ref);
	c = strstr(buf_str(sheet), pat);
	if (c == NULL)
		fail_msg("no cell %s", ref);
	v = strstr(c, "<v>");
	e = v ? strstr(v, "</v>") : NULL;
	assert_non_null(e);
	snprintf(out, len, "%.*s", (int)(e - v - 3), v + 3);
}

/* Shared string number i. */
static void
shared(const struct buf *sst, long i, char *out, size_t len)
{
	const char *p = buf_str(sst), *e;

	for (; i >= 0; i--) {
		p = strstr(p, "<si><t");
		assert_non_null(p);
		p += 6;
	}
	p = strchr(p, '>') + 1;
	e = strstr(p, "</t>");
	snprintf(out, len, "%.*s", (int)(e - p), p);
}

static void
string_cell(const struct buf *sheet, const struct buf *sst, const char *ref,
    char *out, size_t len)
{
	char v[32];

	cell(sheet, ref, v, sizeof(v));
	shared(sst, strtol(v, NULL, 10), out, len);
}

static int
file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static void
check_sheet_names(const struct report *r, const struct buf *wb)
{
	const char *p = buf_str(wb), *e;
	char name[256], names[200][256];
	size_t n = 0, i;

	while ((p = strstr(p, "<sheet name=\"")) != NULL) {
		p += 13;
		e = strchr(p, '"');
		snprintf(name, sizeof(name), "%.*s", (int)(e - p), p);
		assert_true(utf8_count(name, strlen(name)) <= 31);
		for (i = 0; i < n; i++)
			assert_string_not_equal(names[i], name);
		snprintf(names[n++], sizeof(names[0]), "%s", name);
	}
	assert_int_equal(n, r->ntables);
	assert_string_equal(names[0], "精准管理指标");
	assert_string_equal(names[1], "服务项目(按五个一批)");
	assert_string_equal(names[4], "需求与供给");
	/* the slash Excel refuses became a full-width one */
	for (i = 0; i < n; i++)
		if (strcmp(names[i], "户籍地(村／社区)") == 0)
			break;
	assert_true(i < n);
}

/* The sheet number (1-based) of table key. */
static int
sheet_no(const struct report *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->ntables; i++)
		if (strcmp(r->tables[i].key, key) == 0)
			return (int)i + 1;
	fail_msg("no table %s", key);
	return 0;
}

static void
test_xlsx(void **state)
{
	struct report *r = report_filtered();
	const struct report_table *kpi = report_table(r, "kpi");
	const struct report_table *cat = report_table(r, "disability_category");
	struct buf wb, sst, sheet, styles;
	struct lf_error err;
	char path[160], tmp[170], entry[64], v[512], want[64];

	(void)state;
	snprintf(path, sizeof(path), "%s/r.xlsx", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(report_xlsx_write(r, path, &err), 0);
	assert_false(file_exists(tmp));
	unzip(path, "xl/workbook.xml", &wb);
	check_sheet_names(r, &wb);
	unzip(path, "xl/sharedStrings.xml", &sst);
	unzip(path, "xl/styles.xml", &styles);
	assert_non_null(strstr(buf_str(&styles), "formatCode=\"#,##0\""));
	assert_non_null(strstr(buf_str(&styles), "formatCode=\"#,##0.00\""));
	assert_non_null(strstr(buf_str(&styles), "formatCode=\"0.0%\""));
	/* KPI: title, headers, the 合计 row, frozen panes, merged title */
	unzip(path, "xl/worksheets/sheet1.xml", &sheet);
	assert_non_null(strstr(buf_str(&sheet), "<pane xSplit=\"1\" "
	    "ySplit=\"2\" topLeftCell=\"B3\""));
	assert_non_null(strstr(buf_str(&sheet), "<mergeCell ref=\"A1:T1\"/>"));
	string_cell(&sheet, &sst, "A1", v, sizeof(v));
	assert_non_null(strstr(v, "2025年 彭州市 精准管理指标"));
	assert_non_null(strstr(v, "筛选: 残疾类别=肢体残疾、智力残疾"));
	assert_non_null(strstr(v, "数据截至 " AS_OF));
	string_cell(&sheet, &sst, "A2", v, sizeof(v));
	assert_string_equal(v, "区划");
	string_cell(&sheet, &sst, "B2", v, sizeof(v));
	assert_string_equal(v, "区划代码");
	string_cell(&sheet, &sst, "C2", v, sizeof(v));
	assert_string_equal(v, "入库人数");
	string_cell(&sheet, &sst, "F2", v, sizeof(v));
	assert_string_equal(v, "录入率");
	string_cell(&sheet, &sst, "A3", v, sizeof(v));
	assert_string_equal(v, "合计");
	string_cell(&sheet, &sst, "B3", v, sizeof(v));
	assert_string_equal(v, COUNTY);
	cell(&sheet, "C3", v, sizeof(v));
	snprintf(want, sizeof(want), "%lld", (long long)kpi->t.rows[0].v[0]);
	assert_string_equal(v, want);
	string_cell(&sheet, &sst, "A4", v, sizeof(v));
	assert_string_equal(v, kpi->t.rows[1].region->name);
	cell(&sheet, "F3", v, sizeof(v));
	assert_true(strtod(v, NULL) * 10000 > (double)kpi->t.rows[0].v[3] -
	    0.5 && strtod(v, NULL) * 10000 < (double)kpi->t.rows[0].v[3] + 0.5);
	buf_free(&sheet);
	/* an item's sheet: option labels, counts by region */
	snprintf(entry, sizeof(entry), "xl/worksheets/sheet%d.xml",
	    sheet_no(r, "disability_category"));
	unzip(path, entry, &sheet);
	string_cell(&sheet, &sst, "C2", v, sizeof(v));
	assert_string_equal(v, "视力残疾");
	string_cell(&sheet, &sst, "J2", v, sizeof(v));
	assert_string_equal(v, "未填");
	cell(&sheet, "F4", v, sizeof(v));
	snprintf(want, sizeof(want), "%lld", (long long)cat->t.rows[1].v[3]);
	assert_string_equal(v, want);
	buf_free(&sheet);
	/* money in 元 on the policy sheet */
	snprintf(entry, sizeof(entry), "xl/worksheets/sheet%d.xml",
	    sheet_no(r, "policy"));
	unzip(path, entry, &sheet);
	string_cell(&sheet, &sst, "F2", v, sizeof(v));
	assert_non_null(strstr(v, "·年度计划资金(元)"));
	buf_free(&sheet);
	buf_free(&wb);
	buf_free(&sst);
	buf_free(&styles);
	report_free(r);
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

static void
test_csv(void **state)
{
	struct report *r = report(NULL, 0);
	const struct report_table *kpi = report_table(r, "kpi");
	struct lf_error err;
	char path[160], want[256], *data;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/r.csv", dir);
	assert_int_equal(report_csv_write(r, path, &err), 0);
	data = tu_slurp(path, &len);
	assert_memory_equal(data, "\xef\xbb\xbf", 3);
	/* a title line per table, then the header */
	assert_int_equal(count(data, "2025年 彭州市 "), r->ntables);
	assert_non_null(strstr(data, "2025年 彭州市 精准管理指标 数据截至 "
	    AS_OF "\r\n区划,区划代码,入库人数,持证人数,已调查人数,录入率,"));
	snprintf(want, sizeof(want), "\r\n合计,510182,%lld,%lld,%lld,",
	    (long long)kpi->t.rows[0].v[0], (long long)kpi->t.rows[0].v[1],
	    (long long)kpi->t.rows[0].v[2]);
	assert_non_null(strstr(data, want));
	assert_non_null(strstr(data, "\r\n区划,区划代码,视力残疾,听力残疾,"));
	assert_non_null(strstr(data, "·年度计划资金(元),"));
	assert_non_null(strstr(data, "%,"));
	/* tables end in a blank line */
	assert_int_equal(count(data, "\r\n\r\n"), r->ntables);
	free(data);
	report_free(r);
}

static void
test_text_kpi(void **state)
{
	struct report *r = report(NULL, 0);
	struct lf_error err;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	(void)state;
	assert_non_null(fp);
	assert_int_equal(report_text_kpi(r, fp, &err), 0);
	fclose(fp);
	assert_non_null(strstr(text, "精准管理指标"));
	assert_non_null(strstr(text, "区划"));
	assert_non_null(strstr(text, "入库人数"));
	assert_non_null(strstr(text, "\n合计 "));
	assert_int_equal(count(text, "\n"), r->tables[0].t.nrows + 2 +
	    (strstr(text, "未达标") != NULL));
	free(text);
	/* a closed stream fails */
	fp = fopen("/dev/full", "w");
	assert_non_null(fp);
	assert_int_equal(report_text_kpi(r, fp, &err), -1);
	assert_string_equal(err.code, "io");
	fclose(fp);
	report_free(r);
}

/* libxlsxwriter reports its failures on stderr itself: keep the
 * expected ones out of the test's output. */
static int saved_stderr = -1;

static void
quiet(int on)
{
	int null;

	fflush(stderr);
	if (on) {
		saved_stderr = dup(2);
		null = open("/dev/null", O_WRONLY);
		assert_true(saved_stderr >= 0 && null >= 0);
		dup2(null, 2);
		close(null);
	} else {
		dup2(saved_stderr, 2);
		close(saved_stderr);
	}
}

/* A write that cannot happen leaves neither the file nor PATH.tmp; a
 * good one replaces the old file. */
static void
test_write_failures(void **state)
{
	struct report *r = report(NULL, 0);
	struct lf_error err;
	char path[256], tmp[270], longp[5000];
	struct stat sb;
	size_t i, len;
	char *data;
	FILE *fp;
	int (*const writers[])(const struct report *, const char *,
	    struct lf_error *) = { report_json_write, report_xlsx_write,
	    report_csv_write };

	(void)state;
	quiet(1);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/no/such/dir/r.out", dir);
		assert_int_equal(writers[i](r, path, &err), -1);
		assert_string_equal(err.code, "io");
		assert_false(file_exists(path));
		/* a directory in the way: not a regular file, written in
		 * place, which fails; no tmp */
		snprintf(path, sizeof(path), "%s/adir%zu", dir, i);
		assert_int_equal(mkdir(path, 0700), 0);
		assert_int_equal(writers[i](r, path, &err), -1);
		assert_string_equal(err.code, "io");
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		assert_false(file_exists(tmp));
		/* over an old file */
		snprintf(path, sizeof(path), "%s/old%zu", dir, i);
		fp = fopen(path, "w");
		fputs("old", fp);
		fclose(fp);
		assert_int_equal(writers[i](r, path, &err), 0);
		data = tu_slurp(path, &len);
		assert_true(len > 100);
		free(data);
		/* a name too long */
		memset(longp, 'x', sizeof(longp) - 1);
		longp[sizeof(longp) - 1] = '\0';
		assert_int_equal(writers[i](r, longp, &err), -1);
		assert_string_equal(err.code, "io");
	}
	/* not a regular file: written in place, never replaced */
	for (i = 0; i < 3; i++) {
		assert_int_equal(writers[i](r, "/dev/full", &err), -1);
		assert_string_equal(err.code, "io");
		assert_int_equal(lstat("/dev/full", &sb), 0);
		assert_true(S_ISCHR(sb.st_mode));
	}
	snprintf(path, sizeof(path), "%s/real.csv", dir);
	snprintf(tmp, sizeof(tmp), "%s/link.csv", dir);
	fp = fopen(path, "w");
	fclose(fp);
	assert_int_equal(symlink(path, tmp), 0);
	assert_int_equal(report_csv_write(r, tmp, &err), 0);
	assert_int_equal(lstat(tmp, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	data = tu_slurp(path, &len);
	assert_true(len > 100);
	free(data);
	quiet(0);
	report_free(r);
}

/* Allocation failures while writing fail cleanly, leaving no file. */
static void
test_write_nomem(void **state)
{
	struct report *r = report(NULL, 0);
	struct lf_error err;
	char path[160];
	long fail;
	int rc, i;
	FILE *null = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(null);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/nomem%d", dir, i);
		for (fail = 0, rc = -1; rc != 0; fail++) {
			mem_fail_after(fail);
			rc = i == 0 ? report_csv_write(r, path, &err) : i == 1 ?
			    report_xlsx_write(r, path, &err) :
			    report_text_kpi(r, null, &err);
			mem_fail_after(-1);
			if (rc != 0) {
				assert_string_equal(err.code, "no_memory");
				assert_false(file_exists(path));
			}
		}
	}
	fclose(null);
	report_free(r);
}

/* ---- extra sections -------------------------------------------------- */

static int released;

static int
mark_json(json_t *root, const struct report *r, const void *data)
{
	(void)r;
	return json_object_set_new(root, "mark", json_string(data));
}

static int
mark_text(const struct report *r, const void *data, FILE *fp)
{
	(void)r;
	return fprintf(fp, "MARK %s\n", (const char *)data) < 0 ? -1 : 0;
}

static int
mark_xlsx(struct lxw_workbook *wb, const struct report *r, const void *data)
{
	(void)r;
	(void)data;
	return workbook_add_worksheet(wb, "MARKSHEET") == NULL ? -1 : 0;
}

static void
mark_release(void *data)
{
	(void)data;
	released++;
}

static const struct report_section_ops mark_ops = {
	mark_json, mark_text, mark_text, mark_xlsx, mark_release
};

/* A section added once is rendered by every writer, then released. */
static void
test_section_every_writer(void **state)
{
	struct report *r = report(NULL, 0);
	struct lf_error err;
	char path[160], *data, *text = NULL;
	size_t len = 0, i;
	struct buf wb;
	json_t *j;
	FILE *fp;

	(void)state;
	released = 0;
	assert_int_equal(report_section_add(r, &mark_ops, "S1", &err), 0);
	j = report_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "mark")),
	    "S1");
	json_decref(j);
	assert_non_null(fp = open_memstream(&text, &len));
	assert_int_equal(report_text_kpi(r, fp, &err), 0);
	fclose(fp);
	assert_non_null(strstr(text, "\nMARK S1\n"));
	free(text);
	snprintf(path, sizeof(path), "%s/m.csv", dir);
	assert_int_equal(report_csv_write(r, path, &err), 0);
	data = tu_slurp(path, &len);
	assert_non_null(strstr(data, "\r\n\r\nMARK S1\n"));
	free(data);
	snprintf(path, sizeof(path), "%s/m.xlsx", dir);
	assert_int_equal(report_xlsx_write(r, path, &err), 0);
	unzip(path, "xl/workbook.xml", &wb);
	assert_non_null(strstr(buf_str(&wb), "<sheet name=\"MARKSHEET\""));
	buf_free(&wb);
	/* the report is full: the section is refused and released */
	for (i = r->nsections; i < REPORT_MAX_SECTIONS; i++)
		assert_int_equal(report_section_add(r, &mark_ops, "x", &err),
		    0);
	assert_int_equal(report_section_add(r, &mark_ops, "x", &err), -1);
	assert_string_equal(err.code, "invalid");
	assert_int_equal(released, 1);
	report_free(r);
	assert_int_equal(released, 1 + REPORT_MAX_SECTIONS - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_parse),
		cmocka_unit_test(test_value_text),
		cmocka_unit_test(test_heads),
		cmocka_unit_test(test_below_target),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_build_nomem),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_xlsx),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_text_kpi),
		cmocka_unit_test(test_section_every_writer),
		cmocka_unit_test(test_write_failures),
		cmocka_unit_test(test_write_nomem),
	};

	return cmocka_run_group_tests_name("report", tests, group_setup,
	    group_teardown);
}

/*
 * test_synth.c - core/synth: synthetic persons and surveys.
 *
 * Loads the real catalog and region table (embedded), makes a population
 * of 20,000 persons for two years and checks that every survey validates,
 * that the data is reproducible and stable where it should be, that the
 * region scope holds, and that the distributions of shared/domain.md
 * section 8 come out within tolerances. Error paths and allocation
 * failures (synth_new and synth_person) are swept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/catalog.h"
#include "lib/date.h"
#include "lib/embedded.h"
#include "lib/mem.h"
#include "core/record.h"
#include "core/region.h"
#include "synth/synth.h"
#include "lib/utf8.h"
#include "core/validate.h"

#define TODAY		"2025-06-30"
#define NPERSONS	20000
#define YEAR_A		2019
#define YEAR_B		2023
#define NROWS(a)	(sizeof(a) / sizeof((a)[0]))

static struct catalog	*cat;
static struct regions	*rs;
static int		 today;

/* ---- helpers ------------------------------------------------------- */

static int
day(const char *iso)
{
	int d;

	if (date_parse(iso, &d) != 0)
		fail_msg("bad test date \"%s\"", iso);
	return d;
}

static const struct field *
field(const char *code)
{
	const struct field *f = catalog_find(cat, code, strlen(code));

	if (f == NULL)
		fail_msg("catalog lacks %s", code);
	return f;
}

static int
fi(const char *code)
{
	return field(code)->index;
}

static int
setup(void **state)
{
	struct embedded_file e;
	struct lf_error err;

	(void)state;
	if (embedded_get("data/catalog.tsv", &e) != 0 ||
	    catalog_parse(e.data, e.len, "catalog.tsv", &cat, &err) != 0)
		return -1;
	if (embedded_get("data/regions-sichuan.tsv", &e) != 0 ||
	    regions_parse(e.data, e.len, "regions.tsv", &rs, &err) != 0)
		return -1;
	today = day(TODAY);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	catalog_free(cat);
	regions_free(rs);
	return 0;
}

static struct synth *
new_synth(const char *scope, uint64_t seed, int first_year)
{
	const struct region *r = NULL;
	struct synth *sy = NULL;
	struct lf_error err;

	if (scope != NULL && (r = regions_find(rs, scope)) == NULL)
		fail_msg("no region %s", scope);
	if (synth_new(cat, rs, r, seed, today, &sy, &err) != 0)
		fail_msg("synth_new: %s", err.message);
	if (first_year != 0 && synth_set_first_year(sy, first_year, &err) != 0)
		fail_msg("synth_set_first_year: %s", err.message);
	return sy;
}

static void
make(struct synth *sy, uint64_t i, int year, struct record *r)
{
	struct lf_error err;

	if (synth_person(sy, i, year, r, &err) != 0)
		fail_msg("synth_person(%llu, %d): %s", (unsigned long long)i,
		    year, err.message);
}

static void
must_validate(const struct record *r, int year, uint64_t i)
{
	struct validate_ctx ctx = { rs, today, year };
	struct lf_error err;

	if (record_validate(r, &ctx, &err) != 0)
		fail_msg("person %llu year %d: %s: %s", (unsigned long long)i,
		    year, err.field, err.message);
}

/* The text form of the listed fields (all when codes is NULL). */
static void
text_of(const struct record *r, const char *const *codes, size_t n,
    struct buf *b)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < (codes ? n : cat->nfields); i++) {
		const struct field *f = codes ? field(codes[i]) :
		    &cat->fields[i];

		if (record_format_value(r, f, b) != 0 || buf_addc(b, '|') != 0)
			fail_msg("format %s", f->code);
	}
}

static uint64_t
fnv(const char *s)
{
	uint64_t h = 0xCBF29CE484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001B3ULL;
	return h;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A need item that says "yes": bool yes, a multi with answers, an enum
 * other than 不需要. */
static int
need_yes(const struct record *r, const struct field *f)
{
	if (f->section != SEC_NEED || !r->set[f->index])
		return 0;
	if (f->type == FT_BOOL)
		return r->num[f->index] != 0;
	if (f->type == FT_ENUM)
		return strcmp(f->code, "care_service") != 0 ||
		    r->num[f->index] != 4;
	return 1;
}

/* ---- the population ------------------------------------------------ */

static const char *const identity[] = {
	"name", "id_number", "gender", "birth_date", "ethnicity",
	"disability_card_no", "disability_category", "disability_grade",
	"multi_disability_detail", "hukou_type", "hukou_region",
	"residence_region", "household_no", "householder_name",
	"householder_id_number", "relation_to_householder", "contact_mobile",
};

struct tally {
	long	 n;
	long	 cat[8], severe, living, care, yes;
	long	 male, rural, working, employed;
	long	 band[3];
	long	 n5134, yi5134, n5133, bo5133;
	long	 lost, gps;
};

static void
count(struct tally *t, const struct record *r)
{
	int64_t w = r->num[fi("welfare_subsidy_received")];
	int c = (int)r->num[fi("disability_category")];
	int a = date_age((int)r->num[fi("birth_date")],
	    (int)r->num[fi("fill_date")]);
	int64_t pref = r->num[fi("hukou_region")] / 100000000;
	size_t i;

	t->n++;
	t->cat[c]++;
	t->severe += r->num[fi("disability_grade")] <= 2;
	t->living += (w >> 1) & 1;
	t->care += (w >> 2) & 1;
	for (i = 0; i < cat->nfields; i++)
		t->yes += need_yes(r, &cat->fields[i]);
	t->male += r->num[fi("gender")] == 1;
	t->rural += r->num[fi("hukou_type")] == 1;
	if (r->set[fi("employed")]) {
		t->working++;
		t->employed += r->num[fi("employed")] == 1;
	}
	t->band[a < 18 ? 0 : a < 60 ? 1 : 2]++;
	t->n5134 += pref == 5134;
	t->yi5134 += pref == 5134 && r->num[fi("ethnicity")] == 7;
	t->n5133 += pref == 5133;
	t->bo5133 += pref == 5133 && r->num[fi("ethnicity")] == 4;
	t->lost += r->num[fi("survey_method")] == 4;
	t->gps += r->set[fi("gps_lat")];
}

static double
pct(long part, long whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static void
within(const char *what, double got, double lo, double hi)
{
	if (got < lo || got > hi)
		fail_msg("%s = %.2f, want %.2f..%.2f", what, got, lo, hi);
}

static void
check_tally(const struct tally *t)
{
	static const double share[8] = { 0, 10, 10, 2, 45, 11, 11, 11 };
	char what[32];
	int c;

	for (c = 1; c <= 7; c++) {
		snprintf(what, sizeof(what), "category %d %%", c);
		within(what, pct(t->cat[c], t->n), share[c] - 2, share[c] + 2);
	}
	within("severe %", pct(t->severe, t->n), 27, 34);
	within("living subsidy %", pct(t->living, t->n), 23, 29);
	within("care subsidy %", pct(t->care, t->n), 22.5, 28.5);
	within("mean yes needs", (double)t->yes / (double)t->n, 7, 12);
	within("male %", pct(t->male, t->n), 49.6, 53.6);
	within("hukou 农业 %", pct(t->rural, t->n), 67, 77);
	within("employed % of 16-59", pct(t->employed, t->working), 40, 50);
	within("age 0-17 %", pct(t->band[0], t->n), 3.5, 6.5);
	within("age 18-59 %", pct(t->band[1], t->n), 46, 54);
	within("age 60+ %", pct(t->band[2], t->n), 41, 49);
	within("彝 % in 5134", pct(t->yi5134, t->n5134), 50, 60);
	within("藏 % in 5133", pct(t->bo5133, t->n5133), 70, 90);
	within("失访 %", pct(t->lost, t->n), 0.1, 1.5);
	within("gps %", pct(t->gps, t->n), 40, 56);
}

/* Identity and ID number of year A, compared with year B. */
struct seen {
	uint64_t	*ident;
	char		**ids;
	long		 changed, flips;
};

static void
remember(struct seen *s, const struct record *r, size_t i, struct buf *b)
{
	text_of(r, identity, NROWS(identity), b);
	s->ident[i] = fnv(buf_str(b));
	s->ids[i] = strdup(r->str[fi("id_number")]);
	assert_non_null(s->ids[i]);
}

static void
compare(const struct seen *s, const struct record *r, size_t i,
    struct buf *b)
{
	text_of(r, identity, NROWS(identity), b);
	if (fnv(buf_str(b)) != s->ident[i])
		fail_msg("person %zu: identity changed between years", i);
}

/* Mask of the first 64 need items that say yes. */
static uint64_t
needs_mask(const struct record *r)
{
	uint64_t m = 0;
	size_t i, k = 0;

	for (i = 0; i < cat->nfields && k < 64; i++) {
		if (cat->fields[i].section != SEC_NEED)
			continue;
		if (need_yes(r, &cat->fields[i]))
			m |= 1ULL << k;
		k++;
	}
	return m;
}

static void
test_population(void **state)
{
	struct synth *sy = new_synth(NULL, 42, YEAR_A);
	struct record *r = record_new(cat);
	struct seen s = { calloc(NPERSONS, sizeof(uint64_t)),
	    calloc(NPERSONS, sizeof(char *)), 0, 0 };
	uint64_t *needs = calloc(NPERSONS, sizeof(uint64_t));
	struct tally t = { 0 };
	struct buf b;
	size_t i;

	(void)state;
	assert_non_null(r);
	assert_non_null(s.ident);
	assert_non_null(s.ids);
	assert_non_null(needs);
	buf_init(&b, 1 << 16);
	for (i = 0; i < NPERSONS; i++) {
		make(sy, i, YEAR_A, r);
		must_validate(r, YEAR_A, i);
		count(&t, r);
		remember(&s, r, i, &b);
		needs[i] = needs_mask(r);
	}
	check_tally(&t);
	for (i = 0; i < NPERSONS; i++) {
		make(sy, i, YEAR_B, r);
		must_validate(r, YEAR_B, i);
		compare(&s, r, i, &b);
		s.changed += needs_mask(r) != needs[i];
		s.flips += __builtin_popcountll(needs_mask(r) ^ needs[i]);
	}
	/* needs change plausibly: most persons change some, most items
	 * keep their answer */
	within("persons whose needs changed %", pct(s.changed, NPERSONS),
	    50, 100);
	within("need answers that changed %", pct(s.flips, 64L * NPERSONS),
	    2, 20);
	qsort(s.ids, NPERSONS, sizeof(char *), cmp_str);
	for (i = 1; i < NPERSONS; i++)
		if (strcmp(s.ids[i - 1], s.ids[i]) == 0)
			fail_msg("ID number used twice (row %zu)", i);
	for (i = 0; i < NPERSONS; i++)
		free(s.ids[i]);
	free(s.ids);
	free(s.ident);
	free(needs);
	buf_free(&b);
	record_free(r);
	synth_free(sy);
}

/* ---- reproducibility ----------------------------------------------- */

static void
test_determinism(void **state)
{
	struct synth *a = new_synth(NULL, 7, 0), *b = new_synth(NULL, 7, 0);
	struct synth *c = new_synth(NULL, 8, 0);
	struct record *ra = record_new(cat), *rb = record_new(cat);
	struct buf ta, tb;
	int differ = 0;
	size_t i;

	(void)state;
	buf_init(&ta, 1 << 16);
	buf_init(&tb, 1 << 16);
	for (i = 0; i < 500; i++) {
		make(a, i, 2024, ra);
		make(b, i, 2024, rb);
		text_of(ra, NULL, 0, &ta);
		text_of(rb, NULL, 0, &tb);
		assert_string_equal(buf_str(&ta), buf_str(&tb));
		make(c, i, 2024, rb);
		text_of(rb, NULL, 0, &tb);
		differ += strcmp(buf_str(&ta), buf_str(&tb)) != 0;
	}
	assert_int_equal(differ, 500);
	/* a second pass over the same synth gives the same again */
	make(a, 3, 2024, ra);
	make(b, 3, 2024, rb);
	text_of(ra, NULL, 0, &ta);
	text_of(rb, NULL, 0, &tb);
	assert_string_equal(buf_str(&ta), buf_str(&tb));
	buf_free(&ta);
	buf_free(&tb);
	record_free(ra);
	record_free(rb);
	synth_free(a);
	synth_free(b);
	synth_free(c);
}

/* Every value reads back through record_parse_value() (phone syntax,
 * text lengths, options), and validation holds in the current year. */
static void
test_round_trip(void **state)
{
	struct synth *sy = new_synth(NULL, 99, 0);
	struct record *r = record_new(cat), *back = record_new(cat);
	struct lf_error err;
	struct buf b;
	size_t i, k;

	(void)state;
	buf_init(&b, 4096);
	for (i = 0; i < 2000; i++) {
		make(sy, i, 2025, r);
		must_validate(r, 2025, i);
		assert_true(r->num[fi("fill_date")] <= today);
		for (k = 0; k < cat->nfields; k++) {
			const struct field *f = &cat->fields[k];

			buf_reset(&b);
			assert_int_equal(record_format_value(r, f, &b), 0);
			if (record_parse_value(back, f, buf_str(&b), &err) != 0)
				fail_msg("person %zu %s: %s", i, f->code,
				    err.message);
			if (!record_field_equal(r, back, (int)k))
				fail_msg("person %zu %s: \"%s\" reads back "
				    "differently", i, f->code, buf_str(&b));
		}
	}
	buf_free(&b);
	record_free(r);
	record_free(back);
	synth_free(sy);
}

/* ---- scope --------------------------------------------------------- */

static const struct scope_row {
	const char	*code;
	int		 n;
	int		 min_yi_pct;	/* 彝 share at least, or -1 */
} scope_rows[] = {
	{ "5134", 3000, 50 },		/* 凉山州 */
	{ "513431", 1000, 80 },		/* 昭觉县 */
	{ "510104", 1000, -1 },		/* 锦江区 */
	{ "510104017", 300, -1 },	/* a township */
	{ "510104017002", 200, -1 },	/* one community */
};

static void
test_scope(void **state)
{
	struct record *r = record_new(cat);
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < NROWS(scope_rows); i++) {
		const struct scope_row *row = &scope_rows[i];
		const struct region *sc = regions_find(rs, row->code);
		struct synth *sy = new_synth(row->code, i, 0);
		int yi = 0;

		assert_non_null(sc);
		for (k = 0; k < row->n; k++) {
			make(sy, (uint64_t)k, 2022, r);
			must_validate(r, 2022, (uint64_t)k);
			if (!region_contains(sc, r->num[fi("hukou_region")]) ||
			    !region_contains(sc,
			    r->num[fi("residence_region")]))
				fail_msg("row %zu: person %d outside %s", i, k,
				    row->code);
			yi += r->num[fi("ethnicity")] == 7;
		}
		if (row->min_yi_pct >= 0 && yi * 100 < row->min_yi_pct * row->n)
			fail_msg("row %zu: 彝 %d of %d", i, yi, row->n);
		synth_free(sy);
	}
	record_free(r);
}

/* ---- details ------------------------------------------------------- */

static void
test_values(void **state)
{
	struct synth *sy = new_synth(NULL, 5, 2015);
	struct record *r = record_new(cat);
	int first = day("2015-01-01"), k;

	(void)state;
	for (k = 0; k < 3000; k++) {
		const char *name, *mob;
		long chars;

		make(sy, (uint64_t)k, 2015, r);
		must_validate(r, 2015, (uint64_t)k);
		assert_true(r->num[fi("birth_date")] < first);
		name = r->str[fi("name")];
		chars = utf8_count(name, strlen(name));
		if (chars < 2 || chars > 6)
			fail_msg("person %d: name of %ld characters", k, chars);
		mob = r->str[fi("contact_mobile")];
		if (mob != NULL && (strlen(mob) != 11 || mob[0] != '1' ||
		    mob[1] < '3' || mob[1] > '9'))
			fail_msg("person %d: mobile %s", k, mob);
		if (r->set[fi("gps_lat")]) {
			int64_t lat = r->num[fi("gps_lat")];
			int64_t lon = r->num[fi("gps_lon")];

			assert_true(lat >= 26000000 && lat <= 34000000);
			assert_true(lon >= 97000000 && lon <= 108000000);
		}
		if (r->num[fi("survey_method")] == 4)
			assert_true(r->set[fi("lost_reason")]);
	}
	record_free(r);
	synth_free(sy);
}

/* Joiners share the founder's household number, village and householder. */
static void
test_households(void **state)
{
	struct synth *sy = new_synth(NULL, 11, 0);
	struct record *r = record_new(cat);
	char prev_no[64] = "", prev_holder[32] = "";
	int shared = 0, k;

	(void)state;
	for (k = 0; k < 4000; k++) {
		const char *no, *holder;

		make(sy, (uint64_t)k, 2021, r);
		no = r->str[fi("household_no")];
		holder = r->str[fi("householder_id_number")];
		if (strcmp(no, prev_no) == 0) {
			shared++;
			assert_string_equal(holder, prev_holder);
			assert_int_not_equal(r->num[fi(
			    "relation_to_householder")], 0);
		}
		snprintf(prev_no, sizeof(prev_no), "%s", no);
		snprintf(prev_holder, sizeof(prev_holder), "%s", holder);
	}
	/* about 6.5% of persons join the previous person's household */
	within("shared households %", pct(shared, 4000), 4, 9);
	record_free(r);
	synth_free(sy);
}

/* Replaces the first `from` in text (malloc'd) by `to`. */
static char *
replace(char *text, const char *from, const char *to)
{
	char *at = strstr(text, from), *out;
	size_t n = strlen(text) + strlen(to) + 1;

	if (at == NULL)
		fail_msg("catalog lacks \"%s\"", from);
	out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to,
	    at + strlen(from));
	free(text);
	return out;
}

/* A catalog that differs from the generator's: options it does not
 * produce, other GPS scales, and items it does not know. Unknown items
 * get a neutral value when required and stay empty otherwise; unknown
 * codes become the first option; the survey still validates. */
static void
test_unknown_items(void **state)
{
	static const char extra[] =
	    "basic\tx_text\t甲\tA\ttext\tlen=2..8\ty\t\t\t\n"
	    "basic\tx_int\t乙\tB\tint\trange=5..9\ty\t\t\t\n"
	    "basic\tx_money\t丙\tC\tmoney\trange=100..900\ty\t\t\t\n"
	    "basic\tx_dec\t丁\tD\tdecimal\trange=-50..-10;scale=1\ty"
	    "\t\t\t\n"
	    "basic\tx_date\t戊\tE\tdate\t\ty\t\t\t\n"
	    "basic\tx_enum\t己\tF\tenum\t3=a|4=b\ty\t\t\t\n"
	    "basic\tx_multi\t庚\tG\tmulti\t2=a|5=b\ty\t\t\t\n"
	    "basic\tx_bool\t辛\tH\tbool\t\ty\t\t\t\n"
	    "basic\tx_phone\t壬\tI\tphone\t\ty\t\t\t\n"
	    "basic\tx_region\t癸\tJ\tregion\t\ty\t\t\t\n"
	    "basic\tx_id\t子\tK\tid_number\t\ty\t\t\t\n"
	    "basic\tx_optional\t丑\tL\ttext\tlen=1..8\tn\t\t\t\n";
	struct embedded_file e;
	struct catalog *big;
	struct synth *sy = NULL;
	struct record *r;
	struct lf_error err;
	struct validate_ctx ctx = { NULL, 0, 2021 };
	char *text;
	int k, gps = 0;

	(void)state;
	assert_int_equal(embedded_get("data/catalog.tsv", &e), 0);
	text = malloc(e.len + sizeof(extra));
	assert_non_null(text);
	memcpy(text, e.data, e.len);
	memcpy(text + e.len, extra, sizeof(extra));
	text = replace(text, "0=未核查|1=核查通过|2=退回", "5=甲|6=乙");
	text = replace(text, "1=经济困难|2=行动不便|3=自感病轻|4=附近无医疗机构"
	    "|5=其他", "7=甲|8=乙");
	text = replace(text, "range=-90000000..90000000;scale=6",
	    "range=0..100;scale=5");
	text = replace(text, "range=-180000000..180000000;scale=6",
	    "range=-1800000000..1800000000;scale=7");
	if (catalog_parse(text, strlen(text), "big", &big, &err) != 0)
		fail_msg("%s", err.message);
	free(text);
	assert_int_equal(synth_new(big, rs, NULL, 4, today, &sy, &err), 0);
	r = record_new(big);
	ctx.regions = rs;
	ctx.today = today;
	for (k = 0; k < 200; k++) {
		make(sy, (uint64_t)k, 2021, r);
		if (record_validate(r, &ctx, &err) != 0)
			fail_msg("person %d: %s", k, err.message);
		assert_false(r->set[catalog_find(big, "x_optional", 10)->index]);
		assert_int_equal(r->num[catalog_find(big, "x_int", 5)->index],
		    5);
		assert_int_equal(r->num[catalog_find(big, "x_enum", 6)->index],
		    3);
		assert_int_equal(r->num[catalog_find(big, "check_state",
		    11)->index], 5);
		assert_false(r->set[catalog_find(big, "untreated_reason",
		    16)->index]);
		assert_false(r->set[catalog_find(big, "gps_lat", 7)->index]);
		gps += r->set[catalog_find(big, "gps_lon", 7)->index];
	}
	assert_true(gps > 50);
	record_free(r);
	synth_free(sy);
	catalog_free(big);
}

/* Another region table: no prefecture the tables know, a village with
 * an unusual name; defaults apply and the surveys validate. */
static void
test_other_table(void **state)
{
	static const char tsv[] =
	    "code\tparent\tlevel\tname\n"
	    "52\t\tprovince\t贵州省\n"
	    "5201\t52\tcity\t贵阳市\n"
	    "520102\t5201\tcounty\t南明区\n"
	    "520102001\t520102\ttownship\t新华路街道\n"
	    "520102001001\t520102001\tvillage\t富水社区居民委员会\n"
	    "520102001002\t520102001\tvillage\t花果园村村民委员会\n"
	    "520102001003\t520102001\tvillage\t村民委员会\n";
	struct regions *other;
	struct synth *sy;
	struct record *r = record_new(cat);
	struct validate_ctx ctx = { NULL, 0, 2021 };
	struct lf_error err;
	int k;

	(void)state;
	if (regions_parse(tsv, sizeof(tsv) - 1, "gz", &other, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(synth_new(cat, other, NULL, 2, today, &sy, &err), 0);
	ctx.regions = other;
	ctx.today = today;
	for (k = 0; k < 300; k++) {
		make(sy, (uint64_t)k, 2021, r);
		if (record_validate(r, &ctx, &err) != 0)
			fail_msg("person %d: %s", k, err.message);
		assert_true(r->num[fi("hukou_region")] / 1000000 == 520102);
		assert_non_null(strstr(r->str[fi("residence_address")], "号"));
	}
	synth_free(sy);
	regions_free(other);
	record_free(r);
}

/* ---- errors -------------------------------------------------------- */

static void
test_new_errors(void **state)
{
	struct region nowhere = { .code12 = 990000000000LL, .code = "99",
	    .level = RL_PROVINCE, .parent = -1, .first_child = -1,
	    .next_sibling = -1, .name = "无" };
	const struct {
		const struct catalog	*cat;
		const struct regions	*rs;
		const struct region	*scope;
		const char		*today;
		const char		*code;
	} rows[] = {
		{ NULL, NULL, NULL, TODAY, "bad_argument" },
		{ NULL, NULL, NULL, "1899-12-31", "bad_argument" },
		{ NULL, NULL, &nowhere, TODAY, "no_villages" },
		{ NULL, NULL, NULL, "1900-01-01", NULL },
		{ NULL, NULL, NULL, TODAY, NULL },
	};
	struct synth *sy;
	struct lf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		const struct catalog *c = i == 0 ? NULL : cat;
		int rc;

		sy = NULL;
		lf_error_clear(&err);
		rc = synth_new(c, rs, rows[i].scope, 1, day(rows[i].today),
		    &sy, &err);
		if (rows[i].code == NULL) {
			assert_int_equal(rc, 0);
			assert_non_null(sy);
			synth_free(sy);
			continue;
		}
		assert_int_equal(rc, -1);
		assert_null(sy);
		assert_string_equal(err.code, rows[i].code);
	}
	assert_int_equal(synth_new(cat, NULL, NULL, 1, today, &sy, &err), -1);
	synth_free(NULL);
}

static void
test_person_errors(void **state)
{
	const struct {
		uint64_t	 index;
		int		 year;
		int		 other_catalog;
		const char	*code;
	} rows[] = {
		{ 0, 2017, 0, "bad_year" },	/* before the first year */
		{ 0, 2026, 0, "bad_year" },	/* after today's year */
		{ SYNTH_MAX_PERSONS, 2020, 0, "bad_index" },
		{ 0, 2020, 1, "bad_argument" },
		{ 0, 2018, 0, NULL },		/* first year: 2025 - 7 */
		{ 0, 2025, 0, NULL },
		{ 1000000, 2020, 0, NULL },
	};
	struct synth *sy = new_synth(NULL, 3, 0);
	struct record *r = record_new(cat);
	struct catalog *other;
	struct embedded_file e;
	struct lf_error err;
	struct record *ro;
	size_t i;

	(void)state;
	assert_int_equal(embedded_get("data/catalog.tsv", &e), 0);
	assert_int_equal(catalog_parse(e.data, e.len, "c", &other, &err), 0);
	ro = record_new(other);
	for (i = 0; i < NROWS(rows); i++) {
		struct record *rr = rows[i].other_catalog ? ro : r;
		int rc = synth_person(sy, rows[i].index, rows[i].year, rr,
		    &err);

		if (rows[i].code == NULL) {
			if (rc != 0)
				fail_msg("row %zu: %s", i, err.message);
			must_validate(r, rows[i].year, rows[i].index);
			continue;
		}
		assert_int_equal(rc, -1);
		assert_string_equal(err.code, rows[i].code);
	}
	record_free(ro);
	catalog_free(other);
	record_free(r);
	synth_free(sy);
}

static void
test_first_year(void **state)
{
	const struct {
		int		 year;
		int		 started;
		const char	*code;
	} rows[] = {
		{ 1949, 0, "bad_year" },
		{ 2026, 0, "bad_year" },
		{ 1950, 0, NULL },
		{ 2025, 0, NULL },
		{ 2010, 1, "bad_year" },	/* after the first person */
	};
	struct record *r = record_new(cat);
	struct lf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct synth *sy = new_synth(NULL, 1, 0);
		int rc;

		if (rows[i].started)
			make(sy, 0, 2020, r);
		rc = synth_set_first_year(sy, rows[i].year, &err);
		if (rows[i].code == NULL) {
			assert_int_equal(rc, 0);
			make(sy, 0, rows[i].year, r);
			must_validate(r, rows[i].year, 0);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(err.code, rows[i].code);
		}
		synth_free(sy);
	}
	record_free(r);
}

/* "Yes" answers among the need items of r. */
static int
needs_yes(const struct record *r)
{
	size_t i;
	int n = 0;

	for (i = 0; i < cat->nfields; i++)
		n += need_yes(r, &cat->fields[i]);
	return n;
}

/* --need-scale: range and timing errors; a larger scale gives more
 * needs, valid records, and the same basic items. */
static void
test_need_scale(void **state)
{
	const struct {
		double		 k;
		int		 started;
		const char	*code;
	} rows[] = {
		{ 0.99, 0, "bad_argument" },
		{ 10.01, 0, "bad_argument" },
		{ -1, 0, "bad_argument" },
		{ 1, 0, NULL },
		{ 10, 0, NULL },
		{ 3.5, 1, "bad_argument" },	/* after the first person */
	};
	struct record *r = record_new(cat), *r2 = record_new(cat);
	struct synth *a, *b;
	struct lf_error err;
	int yes1 = 0, yes2 = 0;
	size_t i, f;
	uint64_t p;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		struct synth *sy = new_synth(NULL, 1, 0);
		int rc;

		if (rows[i].started)
			make(sy, 0, 2020, r);
		rc = synth_set_need_scale(sy, rows[i].k, &err);
		if (rows[i].code == NULL) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(err.code, rows[i].code);
		}
		synth_free(sy);
	}
	a = new_synth(NULL, 7, 0);
	b = new_synth(NULL, 7, 0);
	assert_int_equal(synth_set_need_scale(b, 3.5, &err), 0);
	for (p = 0; p < 2000; p++) {
		make(a, p, 2024, r);
		make(b, p, 2024, r2);
		must_validate(r2, 2024, p);
		yes1 += needs_yes(r);
		yes2 += needs_yes(r2);
		for (f = 0; f < cat->nfields; f++)
			if (cat->fields[f].section != SEC_NEED)
				assert_true(record_field_equal(r, r2,
				    cat->fields[f].index));
	}
	assert_true(yes2 > yes1 * 3 / 2);
	synth_free(a);
	synth_free(b);
	record_free(r);
	record_free(r2);
}

/* The set of taken IDs and the per-person table grow as persons come;
 * when the first allocation of a call fails, whatever it was, the call
 * fails cleanly and a retry gives what an undisturbed run gives. */
static void
test_growth_alloc(void **state)
{
	struct synth *ref = new_synth(NULL, 31, 0);
	struct synth *sy = new_synth(NULL, 31, 0);
	struct record *want = record_new(cat), *r = record_new(cat);
	struct buf tw, tr;
	struct lf_error err;
	int k, failed = 0;

	(void)state;
	buf_init(&tw, 1 << 16);
	buf_init(&tr, 1 << 16);
	for (k = 0; k < 1500; k++) {
		mem_fail_after(0);
		if (synth_person(sy, (uint64_t)k, 2022, r, &err) != 0) {
			assert_string_equal(err.code, "no_memory");
			failed++;
		}
		mem_fail_after(-1);
		make(sy, (uint64_t)k, 2022, r);
		make(ref, (uint64_t)k, 2022, want);
		text_of(want, NULL, 0, &tw);
		text_of(r, NULL, 0, &tr);
		assert_string_equal(buf_str(&tw), buf_str(&tr));
	}
	assert_int_equal(failed, 1500);
	buf_free(&tw);
	buf_free(&tr);
	record_free(want);
	record_free(r);
	synth_free(ref);
	synth_free(sy);
}

/* synth_new fails cleanly at every allocation. */
static void
test_new_alloc_sweep(void **state)
{
	const struct region *county = regions_find(rs, "510104");
	struct synth *sy;
	struct lf_error err;
	long n;
	int rc;

	(void)state;
	for (n = 0; n < 100; n++) {
		sy = NULL;
		mem_fail_after(n);
		rc = synth_new(cat, rs, county, 1, today, &sy, &err);
		mem_fail_after(-1);
		if (rc == 0)
			break;
		assert_null(sy);
		assert_string_equal(err.code, "no_memory");
	}
	assert_int_equal(rc, 0);
	assert_true(n > 3);
	synth_free(sy);
}

/* synth_person fails cleanly at every allocation, and a retry gives the
 * very survey an undisturbed run gives. */
static void
test_person_alloc_sweep(void **state)
{
	struct synth *ref = new_synth(NULL, 21, 0);
	struct record *want = record_new(cat), *r = record_new(cat);
	struct buf tw, tr;
	struct lf_error err;
	long n;
	int rc, k;

	(void)state;
	buf_init(&tw, 1 << 16);
	buf_init(&tr, 1 << 16);
	for (n = 0; n < 200; n++) {
		struct synth *sy = new_synth(NULL, 21, 0);

		for (k = 0; k < 3; k++) {
			mem_fail_after(n);
			rc = synth_person(sy, (uint64_t)k, 2020, r, &err);
			mem_fail_after(-1);
			if (rc != 0) {
				assert_string_equal(err.code, "no_memory");
				make(sy, (uint64_t)k, 2020, r);
			}
			make(ref, (uint64_t)k, 2020, want);
			text_of(want, NULL, 0, &tw);
			text_of(r, NULL, 0, &tr);
			assert_string_equal(buf_str(&tw), buf_str(&tr));
		}
		synth_free(sy);
		if (rc == 0 && n > 60)
			break;
	}
	buf_free(&tw);
	buf_free(&tr);
	record_free(want);
	record_free(r);
	synth_free(ref);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_population),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_households),
		cmocka_unit_test(test_unknown_items),
		cmocka_unit_test(test_other_table),
		cmocka_unit_test(test_new_errors),
		cmocka_unit_test(test_person_errors),
		cmocka_unit_test(test_first_year),
		cmocka_unit_test(test_need_scale),
		cmocka_unit_test(test_growth_alloc),
		cmocka_unit_test(test_new_alloc_sweep),
		cmocka_unit_test(test_person_alloc_sweep),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

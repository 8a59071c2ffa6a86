/*
 * expr_vectors.c - test vectors for the browser's copy of the rule
 * language (web/app/expr.js), computed by the one engine (core/expr.c).
 *
 * usage: expr_vectors [--persons N] [--seed S] OUT.jsonl
 *
 * The survey form hides and shows items with expr.js; the server decides
 * with core/expr.c. The project's rule is one rule engine, never two that
 * can disagree, so tests/e2e/conformance.test.mjs evaluates every line
 * written here with expr.js and requires the result the C engine gave.
 *
 * Expressions: every ask_if of the catalog, every policy's eligibility
 * and every amount rule's `when` (data/policies.tsv,
 * data/policy_amounts.tsv), and a table of our own that reaches every
 * operator on every item type (dates, decimals, region codes, text, bare
 * names, not/and/or nesting, disaster_region), some of it made from the
 * first surveys' own values so that equality also holds sometimes.
 *
 * Surveys: N synthetic persons (core/synth.h, whole province, default
 * 2000), person i surveyed in year 2021 + i % 5 with "today" fixed at
 * 2025-12-31, so the file does not depend on the clock. Each expression
 * is evaluated with expr_eval_ctx() in the planner's context (age at the
 * survey's fill date; the person's village and the disaster table for
 * disaster_region) and, for the first 500 persons, also on the day
 * before and the day of their birthday in the survey year (Mar 1 for a
 * Feb 29 birthday in a common year), where age turns.
 *
 * Output, one JSON object a line:
 *   line 1  {"catalog":{"fields":[{"code","type","scale","options":
 *            [{"code"}]}]},"persons","seed","expressions":[{"src",
 *            "expr"}]} (src: "ask_if:CODE", "policy:CODE",
 *            "amount:POLICY", "table" or "made"; a text met twice, as
 *            many ask_if are, is kept once under its first source);
 *   then    {"expr","compiles":false} for each expression of a table the
 *            C compiler refuses (expr.js must refuse them too);
 *   then    {"expr","values","ref","result"} and, for expressions that
 *            read disaster_region, "ctx":{"disaster_region":bool}.
 * values holds only the items the compiled expression reads (its test
 * instructions, read through core/expr_int.h; birth_date for age), in
 * the API's JSON form (json_from_record, unmasked: the data is
 * synthetic). The result is
 * checked to be the same on those values as on the whole survey, so
 * leaving the rest out cannot change it. Lines that would repeat an
 * earlier one (same expression and values, and the same reference date
 * when the expression reads age) are written once.
 *
 * Exit status 0; 1 with a message on stderr when data cannot be loaded,
 * an expression of our table does not compile (or a refused one does),
 * or the output cannot be written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/catalog.h"
#include "lib/date.h"
#include "core/disaster.h"
#include "lib/embedded.h"
#include "core/expr.h"
#include "core/expr_int.h"
#include "lib/mem.h"
#include "plan/planner.h"
#include "core/policy.h"
#include "core/record.h"
#include "core/region.h"
#include "synth/synth.h"
#include "server/http_int.h"

#define FIRST_YEAR	2021
#define NYEARS		5
#define TODAY		"2025-12-31"
#define BIRTHDAY_REFS	500		/* persons also tried at birthdays */
#define MAX_EXPRS	512
#define SEEN_BITS	22		/* dedup table: 4 M slots */

/* Operators on every item type; each must compile. */
static const char *const extras[] = {
	"true", "false", "not true", "not not false",
	"survey_method != 1", "disability_grade < 3", "disability_grade <= 3",
	"disability_grade > 2", "disability_grade >= 2",
	"disability_category in {1,4,7}", "disability_grade in 2..3",
	"disability_category", "not disability_category",
	"multi_disability_detail", "not multi_disability_detail",
	"multi_disability_detail has 1", "multi_disability_detail has_any {2,6}",
	"social_assistance_received has_any {1,2,3}",
	"in_welfare_institution = 1", "in_welfare_institution = 0",
	"in_welfare_institution != 1", "literate in {0}", "literate",
	"not literate", "age", "age < 18", "age = 60", "age != 60",
	"age > 79", "age >= 0 and age <= 17", "age in 0..6", "age in 16..59",
	"fill_date >= '2023-07-01'", "fill_date < '2022-01-01'",
	"fill_date != '2024-06-30'", "birth_date <= '1960-12-31'",
	"birth_date > '2000-01-01'", "fill_date", "birth_date in 0..3650",
	"fill_date > 19000", "gps_lat > 30000000", "gps_lat <= 29500000",
	"gps_lon in 102000000..104500000", "gps_lat", "gps_lat > -1",
	"gps_lon != 104000000",
	"hukou_region in 510100000000..510199999999",
	"residence_region >= 513000000000", "hukou_region",
	"residence_region < 510200000000", "name != 'x'", "name",
	"household_no", "contact_mobile", "id_number", "disability_card_no",
	"householder_id_number", "contact_landline",
	"(severe or dibao) and not (reg_poor or valid_card)",
	"not (age >= 60 or severe) or in_welfare_institution",
	"survey_method = 1 or survey_method = 2 and employed = 2",
	"(survey_method = 1 or survey_method = 2) and employed = 2",
	"not survey_method = 1 and not (employed = 2)",
	"disaster_region", "not disaster_region", "disaster_region or age >= 60",
	"rehab_service_received has 6 and not rehab_service_received "
	    "has_any {1,2}",
	"hukou_type = 1 and (reg_poor or dibao or welfare_subsidy_received "
	    "has_any {1,2})",
	NULL
};

/* Expressions C refuses; expr.js must throw on each. */
static const char *const refused[] = {
	"and", "survey_method =", "(survey_method = 1",
	"survey_method = 1 survey_method", "survey_method in {1,",
	"age in 3..", "age in 5..3", "survey_method has 1", "survey_method # 1",
	"no_such_item", "survey_method = 99", "disability_category in {1,99}",
	"multi_disability_detail = 1", "multi_disability_detail has 99",
	"in_welfare_institution = 2", "name > 'a'", "name in {1}",
	"survey_method = 'a'", "age = 'x'", "fill_date = '2024-02-30'",
	"fill_date < 'soon'", "id_number = '510'", "contact_mobile in {1}",
	"severe = 1", "'text'", "not", "true false", NULL
};

struct xpr {
	char			 src[64];	/* "ask_if:lost_reason" */
	const char		*text;
	const struct expr	*e;
	struct expr		*own;		/* compiled here, else NULL */
	unsigned char		*reads;		/* by catalog index */
	int			 age, region;	/* reads age, disaster_region */
	long			 lines, holds;
};

struct gen {
	const struct catalog	*cat;
	struct regions		*rs;
	struct disaster		*dis;
	struct policies		*ps;
	struct xpr		 x[MAX_EXPRS];
	size_t			 nx;
	uint64_t		*seen;		/* hashes of lines written */
	size_t			 nseen;
	int			 birth, village;	/* catalog indices */
	long			 lines, dups;
	FILE			*out;
};

static int
die(const char *what, const struct lf_error *err)
{
	fprintf(stderr, "expr_vectors: %s%s%s\n", what, err ? ": " : "",
	    err && err->message[0] ? err->message : "");
	return -1;
}

/* The catalog index of an item the generator itself reads. */
static int
index_of(const struct gen *g, const char *code, int *out)
{
	const struct field *f = catalog_find(g->cat, code, strlen(code));

	if (f == NULL) {
		fprintf(stderr, "expr_vectors: the catalog has no %s\n", code);
		return -1;
	}
	*out = f->index;
	return 0;
}

static int
load(struct gen *g, struct catalog **cat)
{
	struct embedded_file f;
	struct lf_error err;

	lf_error_clear(&err);
	if (embedded_get("data/catalog.tsv", &f) != 0 ||
	    catalog_parse(f.data, f.len, f.name, cat, &err) != 0)
		return die("catalog", &err);
	g->cat = *cat;
	if (embedded_get("data/regions-sichuan.tsv", &f) != 0 ||
	    regions_parse(f.data, f.len, f.name, &g->rs, &err) != 0)
		return die("regions", &err);
	if (embedded_get("data/disaster_regions.tsv", &f) != 0 ||
	    disaster_parse(f.data, f.len, f.name, &g->dis, &err) != 0)
		return die("disaster regions", &err);
	if (policies_load_embedded(g->cat, &g->ps, &err) != 0)
		return die("policies", &err);
	return index_of(g, "birth_date", &g->birth) != 0 ||
	    index_of(g, "hukou_region", &g->village) != 0 ? -1 : 0;
}

/* Notes what the compiled expression reads: its tests' items. */
static int
add_expr(struct gen *g, const char *src, const char *text,
    const struct expr *e, struct expr *own)
{
	struct xpr *x;
	size_t i;

	for (i = 0; i < g->nx; i++)
		if (strcmp(g->x[i].text, text) == 0) {
			expr_free(own);		/* the same rule again */
			return 0;
		}
	if (g->nx == MAX_EXPRS) {
		expr_free(own);
		return die("too many expressions", NULL);
	}
	x = &g->x[g->nx];
	memset(x, 0, sizeof(*x));
	snprintf(x->src, sizeof(x->src), "%s", src);
	x->text = text;
	x->e = e;
	x->own = own;
	if ((x->reads = mem_calloc(g->cat->nfields, 1)) == NULL) {
		expr_free(own);
		return die("out of memory", NULL);
	}
	g->nx++;
	for (i = 0; i < e->n; i++) {
		const struct expr_insn *in = &e->code[i];

		if (in->op == OP_REGION)
			x->region = 1;
		if (in->op != OP_TEST)
			continue;
		if (in->field == EXPR_AGE_FIELD) {
			x->age = 1;
			x->reads[in->birth] = 1;
		} else
			x->reads[in->field] = 1;
	}
	return 0;
}

static int
add_text(struct gen *g, const char *src, const char *text)
{
	struct expr *e;
	struct lf_error err;

	lf_error_clear(&err);
	if (expr_compile(text, g->cat, &e, &err) != 0) {
		fprintf(stderr, "expr_vectors: %s: %s: %s\n", src, text,
		    err.message);
		return -1;
	}
	return add_expr(g, src, text, e, e);
}

/* Expressions made from a survey's own values (equality that holds). */
static char made[8][160];

static int
add_made(struct gen *g, const struct record *r0, const struct record *r1)
{
	char d1[DATE_STRLEN + 1], d2[DATE_STRLEN + 1];
	int nm, hr, rr, bd, fd;
	size_t i;

	if (index_of(g, "name", &nm) != 0 || index_of(g, "hukou_region",
	    &hr) != 0 || index_of(g, "residence_region", &rr) != 0 ||
	    index_of(g, "birth_date", &bd) != 0 || index_of(g, "fill_date",
	    &fd) != 0)
		return -1;
	if (!r0->set[nm] || !r0->set[hr] || !r1->set[hr] || !r0->set[rr] ||
	    !r0->set[bd] || !r0->set[fd])
		return die("the first surveys lack a name, village or date",
		    NULL);
	date_format((int)r0->num[bd], d1);
	date_format((int)r0->num[fd], d2);
	snprintf(made[0], sizeof(made[0]), "name = '%s'", r0->str[nm]);
	snprintf(made[1], sizeof(made[1]), "name != '%s'", r0->str[nm]);
	snprintf(made[2], sizeof(made[2]), "hukou_region = %lld",
	    (long long)r0->num[hr]);
	snprintf(made[3], sizeof(made[3]), "hukou_region in {%lld, %lld}",
	    (long long)r0->num[hr], (long long)r1->num[hr]);
	snprintf(made[4], sizeof(made[4]), "residence_region != %lld",
	    (long long)r0->num[rr]);
	snprintf(made[5], sizeof(made[5]), "birth_date = '%s'", d1);
	snprintf(made[6], sizeof(made[6]), "fill_date = '%s'", d2);
	snprintf(made[7], sizeof(made[7]), "hukou_region != %lld or "
	    "birth_date >= '%s'", (long long)r1->num[hr], d1);
	for (i = 0; i < 8; i++)
		if (add_text(g, "made", made[i]) != 0)
			return -1;
	return 0;
}

static int
collect(struct gen *g)
{
	char src[64];
	size_t i;

	for (i = 0; i < g->cat->nfields; i++) {
		const struct field *f = &g->cat->fields[i];

		if (f->ask_if == NULL)
			continue;
		snprintf(src, sizeof(src), "ask_if:%s", f->code);
		if (add_expr(g, src, f->ask_if_text, f->ask_if, NULL) != 0)
			return -1;
	}
	for (i = 0; i < g->ps->n; i++) {
		snprintf(src, sizeof(src), "policy:%s", g->ps->v[i].code);
		if (add_expr(g, src, g->ps->v[i].elig_text, g->ps->v[i].elig,
		    NULL) != 0)
			return -1;
	}
	for (i = 0; i < g->ps->namounts; i++) {
		const struct policy_amount *am = &g->ps->amounts[i];

		if (am->when == NULL)
			continue;
		snprintf(src, sizeof(src), "amount:%s",
		    g->ps->v[am->policy].code);
		if (add_expr(g, src, am->when_text, am->when, NULL) != 0)
			return -1;
	}
	for (i = 0; extras[i] != NULL; i++)
		if (add_text(g, "table", extras[i]) != 0)
			return -1;
	return 0;
}

static uint64_t
fnv(const char *s, uint64_t h)
{
	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

/* 1 when the key was seen before (then nothing is written). Keys are
 * 64-bit hashes; once the table is 3/4 full every line is written. */
static int
seen(struct gen *g, const char *a, const char *b, const char *c)
{
	uint64_t h = fnv(c, fnv(b, fnv(a, 14695981039346656037ULL)));
	size_t size = (size_t)1 << SEEN_BITS, i;

	if (h == 0)
		h = 1;
	for (i = (size_t)h & (size - 1); g->seen[i] != 0;
	    i = (i + 1) & (size - 1))
		if (g->seen[i] == h)
			return 1;
	if (g->nseen < size / 4 * 3) {
		g->seen[i] = h;
		g->nseen++;
	}
	return 0;
}

static int
put_line(struct gen *g, json_t *line)
{
	char *s = json_dumps(line, JSON_COMPACT);
	int rc = -1;

	if (s != NULL && fprintf(g->out, "%s\n", s) > 0) {
		g->lines++;
		rc = 0;
	}
	free(s);
	json_decref(line);
	return rc == 0 ? 0 : die("cannot write", NULL);
}

/* part: r's values of the items x reads. */
static int
restrict_to(const struct xpr *x, const struct record *r, struct record *part)
{
	size_t i;

	record_clear(part);
	for (i = 0; i < r->cat->nfields; i++) {
		if (!x->reads[i] || !r->set[i])
			continue;
		if (r->str[i] != NULL &&
		    record_set_str(part, (int)i, r->str[i]) != 0)
			return -1;
		record_set_num(part, (int)i, r->num[i]);
	}
	return 0;
}

static int
one(struct gen *g, struct xpr *x, const struct record *r,
    struct record *part, const struct expr_ctx *ctx)
{
	char ref[DATE_STRLEN + 1], *vs = NULL;
	json_t *values = NULL, *line;
	int res, whole = expr_eval_ctx(x->e, r, ctx), region = 0, rc = -1;

	if (restrict_to(x, r, part) != 0)
		return die("out of memory", NULL);
	res = expr_eval_ctx(x->e, part, ctx);
	if (res != whole) {
		fprintf(stderr, "expr_vectors: %s: %s reads items its code "
		    "does not name\n", x->src, x->text);
		return -1;
	}
	date_format(ctx->ref_days, ref);
	if (x->region)
		region = expr_region_holds(ctx);
	if ((values = json_from_record(part, 0)) == NULL ||
	    (vs = json_dumps(values, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		die("out of memory", NULL);
		goto out;
	}
	if (seen(g, x->text, vs, x->age ? ref : !x->region ? "" :
	    region ? "r1" : "r0")) {
		g->dups++;
		rc = 0;
		goto out;
	}
	line = json_pack("{s:s,s:O,s:s,s:i}", "expr", x->text, "values",
	    values, "ref", ref, "result", res);
	if (line != NULL && x->region)
		json_object_set_new(line, "ctx", json_pack("{s:b}",
		    "disaster_region", region));
	if (line == NULL) {
		die("out of memory", NULL);
		goto out;
	}
	x->lines++;
	x->holds += res;
	rc = put_line(g, line);
out:
	free(vs);
	json_decref(values);
	return rc;
}

/* The day before and the day of r's birthday in year (Mar 1 for Feb 29
 * in a common year). n is the number of dates put in refs. */
static size_t
birthday_refs(const struct gen *g, const struct record *r, int year,
    int refs[2])
{
	int y, m, d, day;

	if (!r->set[g->birth])
		return 0;
	date_to_ymd((int)r->num[g->birth], &y, &m, &d);
	if (date_from_ymd(year, m, d, &day) != 0 &&
	    date_from_ymd(year, 3, 1, &day) != 0)
		return 0;
	refs[0] = day - 1;
	refs[1] = day;
	return 2;
}

static int
survey(struct gen *g, const struct record *r, int year, int birthdays,
    struct record *part)
{
	struct expr_ctx ctx;
	int refs[2];
	size_t i, j, n = 0;

	planner_ctx(r, year, r->set[g->village] ? r->str[g->village] : NULL,
	    g->dis, &ctx);
	if (birthdays)
		n = birthday_refs(g, r, year, refs);
	for (i = 0; i < g->nx; i++) {
		struct expr_ctx at = ctx;

		if (one(g, &g->x[i], r, part, &ctx) != 0)
			return -1;
		for (j = 0; g->x[i].age && j < n; j++) {
			at.ref_days = refs[j];
			if (one(g, &g->x[i], r, part, &at) != 0)
				return -1;
		}
	}
	return 0;
}

static int
write_refused(struct gen *g)
{
	struct expr *e = NULL;
	struct lf_error err;
	size_t i;

	for (i = 0; refused[i] != NULL; i++) {
		lf_error_clear(&err);
		if (expr_compile(refused[i], g->cat, &e, &err) == 0) {
			expr_free(e);
			fprintf(stderr, "expr_vectors: \"%s\" compiles; take it "
			    "out of the refused table\n", refused[i]);
			return -1;
		}
		if (put_line(g, json_pack("{s:s,s:b}", "expr", refused[i],
		    "compiles", 0)) != 0)
			return -1;
	}
	return 0;
}

static int
write_head(struct gen *g, unsigned long persons, unsigned long long seed)
{
	json_t *fields = json_array(), *exprs = json_array(), *opts;
	size_t i, k;

	for (i = 0; exprs != NULL && i < g->nx; i++)
		json_array_append_new(exprs, json_pack("{s:s,s:s}", "src",
		    g->x[i].src, "expr", g->x[i].text));

	for (i = 0; fields != NULL && i < g->cat->nfields; i++) {
		const struct field *f = &g->cat->fields[i];

		opts = json_array();
		for (k = 0; opts != NULL && k < f->noptions; k++)
			json_array_append_new(opts, json_pack("{s:i}", "code",
			    f->options[k].code));
		json_array_append_new(fields, json_pack("{s:s,s:s,s:i,s:o}",
		    "code", f->code, "type", field_type_name(f->type), "scale",
		    f->scale, "options", opts));
	}
	return put_line(g, json_pack("{s:{s:o},s:I,s:I,s:o}", "catalog",
	    "fields", fields, "persons", (json_int_t)persons, "seed",
	    (json_int_t)seed, "expressions", exprs));
}

static int
make_surveys(struct gen *g, unsigned long persons, unsigned long long seed)
{
	struct synth *sy = NULL;
	struct record *r = record_new(g->cat), *r1 = record_new(g->cat);
	struct record *part = record_new(g->cat);
	struct lf_error err;
	unsigned long i;
	int today, rc = -1;

	lf_error_clear(&err);
	if (r == NULL || r1 == NULL || part == NULL) {
		die("out of memory", NULL);
		goto out;
	}
	if (date_parse(TODAY, &today) != 0 ||
	    synth_new(g->cat, g->rs, NULL, seed, today, &sy, &err) != 0 ||
	    synth_set_first_year(sy, FIRST_YEAR, &err) != 0 ||
	    synth_person(sy, 0, FIRST_YEAR, r, &err) != 0 ||
	    synth_person(sy, 1, FIRST_YEAR + 1, r1, &err) != 0) {
		die("synth", &err);
		goto out;
	}
	if (add_made(g, r, r1) != 0 || write_head(g, persons, seed) != 0 ||
	    write_refused(g) != 0)
		goto out;
	for (i = 0; i < persons; i++) {
		int year = FIRST_YEAR + (int)(i % NYEARS);

		if (synth_person(sy, i, year, r, &err) != 0) {
			die("synth", &err);
			goto out;
		}
		if (survey(g, r, year, i < BIRTHDAY_REFS, part) != 0)
			goto out;
	}
	rc = 0;
out:
	synth_free(sy);
	record_free(part);
	record_free(r1);
	record_free(r);
	return rc;
}

static void
report(const struct gen *g)
{
	size_t i, constant = 0;

	for (i = 0; i < g->nx; i++)
		if (g->x[i].holds == 0 || g->x[i].holds == g->x[i].lines)
			constant++;
	fprintf(stderr, "expr_vectors: %zu expressions, %ld lines (%ld "
	    "repeats left out); %zu expressions give one result only\n",
	    g->nx, g->lines, g->dups, constant);
}

static int
usage(void)
{
	fprintf(stderr, "usage: expr_vectors [--persons N] [--seed S] "
	    "OUT.jsonl\n");
	return 1;
}

int
main(int argc, char **argv)
{
	static struct gen g;
	struct catalog *cat = NULL;
	unsigned long persons = 2000;
	unsigned long long seed = 2026;
	const char *path = NULL;
	char *end;
	size_t i;
	int a, rc = 1;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--persons") == 0 && a + 1 < argc) {
			persons = strtoul(argv[++a], &end, 10);
			if (*end != '\0' || persons < 2 || persons > 100000)
				return usage();
		} else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc) {
			seed = strtoull(argv[++a], &end, 10);
			if (*end != '\0')
				return usage();
		} else if (argv[a][0] != '-' && path == NULL)
			path = argv[a];
		else
			return usage();
	}
	if (path == NULL)
		return usage();
	g.seen = mem_calloc((size_t)1 << SEEN_BITS, sizeof(*g.seen));
	if (g.seen == NULL || load(&g, &cat) != 0 || collect(&g) != 0)
		goto out;
	if ((g.out = fopen(path, "w")) == NULL) {
		perror(path);
		goto out;
	}
	if (make_surveys(&g, persons, seed) == 0) {
		report(&g);
		rc = 0;
	}
	if (fclose(g.out) != 0 && rc == 0) {
		perror(path);
		rc = 1;
	}
out:
	for (i = 0; i < g.nx; i++) {
		expr_free(g.x[i].own);
		mem_free(g.x[i].reads);
	}
	mem_free(g.seen);
	policies_free(g.ps);
	disaster_free(g.dis);
	regions_free(g.rs);
	catalog_free(cat);
	return rc;
}

/*
 * test_pg_read.c - the person reads of store.h give the same on
 * PostgreSQL as on SQLite (issue 18), row-level security confines them,
 * and a lost connection is found and replaced.
 *
 *   test_pg_read same SQLITE_DB PG_URL YEAR [plans]
 *   test_pg_read rls WEB_URL COUNTY_A YEAR
 *   test_pg_read restart PG_URL DOWN_CMD UP_CMD
 *
 * same: both registries were seeded alike (the same persons, ids and
 * surveys; each with its own key file: LIANGFU_KEY_FILE for PostgreSQL,
 * SQLITE_DB.key for SQLite). For every person (a spread of PERSONS_MAX
 * of a larger registry): by id, the person's
 * columns (but uid and times, made at each seed), the opened and the
 * masked ID number; by uid and by ID number the same person; their
 * years; every year's survey opened (store_surveys_each(),
 * store_survey_get()) and masked, item by item; a disability card found
 * by its number; the person page's plans and items (plan_person_each(),
 * every column but the time stamps; with "plans", some must exist).
 * The year's list (a city, unfiltered, paged; filtered by
 * an enum and a multi item), the name search by a name's first
 * character, and each county's count: the same persons in the same
 * order.
 * rls: through the application's role scoped to county A, no person of
 * another county is found by id, by the list of the province or by the
 * name search; scoped to nothing, none at all.
 * restart: a read works; DOWN_CMD stops the server: reads fail with
 * code "unavailable" and store_reconnect() too; UP_CMD starts it again:
 * store_reconnect() connects again and the read works.
 * Exit 0 when it holds, 1 with a message naming the first difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/embedded.h"
#include "core/record.h"
#include "core/region.h"
#include "lib/buf.h"
#include "store/plan.h"
#include "store/plan_int.h"
#include "store/store.h"

/* The persons "same" reads one by one at most (spread over all). */
#define PERSONS_MAX	400

static struct catalog	*cat;
static struct regions	*rs;
static int		 failed;
static int		 cards;		/* persons found by their card */
static int64_t		 plans_seen;	/* plans on the person pages */

static int
bad(const char *fmt, long long a, const char *what)
{
	fprintf(stderr, "test_pg_read: ");
	fprintf(stderr, fmt, a, what);
	fprintf(stderr, "\n");
	failed = 1;
	return 1;
}

static int
env_load(struct lf_error *err)
{
	struct embedded_file c, r;

	if (embedded_get("data/catalog.tsv", &c) != 0 ||
	    embedded_get("data/regions-sichuan.tsv", &r) != 0)
		return lf_error_set(err, "internal", "", "no built-in data");
	if (catalog_parse(c.data, c.len, c.name, &cat, err) != 0)
		return -1;
	return regions_parse(r.data, r.len, r.name, &rs, err);
}

static struct store *
open_at(const char *where)
{
	struct lf_error err;
	struct store *s = NULL;

	lf_error_clear(&err);
	if (store_open_any(where, cat, rs, &s, &err) != 0) {
		fprintf(stderr, "test_pg_read: open: %s\n", err.message);
		exit(1);
	}
	return s;
}

/* 0 when a and b hold the same values. */
static int
rec_same(const struct record *a, const struct record *b, int64_t id,
    int year)
{
	size_t i;

	for (i = 0; i < cat->nfields; i++) {
		const char *sa = a->set[i] && a->str[i] ? a->str[i] : "";
		const char *sb = b->set[i] && b->str[i] ? b->str[i] : "";

		if (a->set[i] != b->set[i] || (a->set[i] &&
		    (a->num[i] != b->num[i] || strcmp(sa, sb) != 0))) {
			fprintf(stderr, "test_pg_read: person %lld year %d: "
			    "item %s differs\n", (long long)id, year,
			    cat->fields[i].code);
			failed = 1;
			return 1;
		}
	}
	return 0;
}

struct years {
	int		 n, year[64];
	int64_t		 version[64];
	struct record	*r[64];
};

static int
keep_year(void *arg, int year, int64_t version, const struct record *r)
{
	struct years *y = arg;

	if (y->n == 64 || (y->r[y->n] = record_new(cat)) == NULL ||
	    record_copy(y->r[y->n], r) != 0)
		return -1;
	y->year[y->n] = year;
	y->version[y->n++] = version;
	return 0;
}

static void
years_free(struct years *y)
{
	int i;

	for (i = 0; i < y->n; i++)
		record_free(y->r[i]);
	y->n = 0;
}

/* Every year of person id on a (SQLite) and b, opened or masked. */
static int
surveys_same(struct store *a, struct store *b, int64_t id, int masked)
{
	struct years ya = { 0 }, yb = { 0 };
	struct record *r = record_new(cat);
	struct lf_error err;
	int i, rc;

	lf_error_clear(&err);
	rc = masked ? store_surveys_each_masked(a, id, r, keep_year, &ya,
	    &err) : store_surveys_each(a, id, r, keep_year, &ya, &err);
	if (rc == 0)
		rc = masked ? store_surveys_each_masked(b, id, r, keep_year,
		    &yb, &err) : store_surveys_each(b, id, r, keep_year, &yb,
		    &err);
	if (rc != 0)
		bad("person %lld: surveys: %s", (long long)id, err.message);
	else if (ya.n != yb.n || ya.n == 0)
		rc = bad("person %lld: %s years", (long long)id, "different");
	for (i = 0; rc == 0 && i < ya.n; i++) {
		if (ya.year[i] != yb.year[i] || yb.version[i] < 1)
			rc = bad("person %lld: %s", (long long)id, "year");
		else
			rc = rec_same(ya.r[i], yb.r[i], id, ya.year[i]);
	}
	years_free(&ya);
	years_free(&yb);
	record_free(r);
	return rc;
}

/* The year's survey by store_survey_get() and the person's years. */
static int
get_same(struct store *a, struct store *b, int64_t id, int year)
{
	struct record *ra = record_new(cat), *rb = record_new(cat);
	int ya[64], yb[64], rc;
	size_t na = 0, nb = 0;
	int64_t va, vb;
	struct lf_error err;

	lf_error_clear(&err);
	if (store_survey_years(a, id, ya, 64, &na, &err) != 0 ||
	    store_survey_years(b, id, yb, 64, &nb, &err) != 0)
		rc = bad("person %lld: years: %s", (long long)id, err.message);
	else if (na != nb || memcmp(ya, yb, na * sizeof(int)) != 0)
		rc = bad("person %lld: %s", (long long)id, "years differ");
	else if (store_survey_get(a, id, year, ra, &va, &err) != 0 ||
	    store_survey_get(b, id, year, rb, &vb, &err) != 0)
		rc = bad("person %lld: survey: %s", (long long)id,
		    err.message[0] ? err.message : "none");
	else
		rc = rec_same(ra, rb, id, year);
	if (rc == 0 && store_survey_get(b, id, 1900, rb, &vb, &err) != 1)
		rc = bad("person %lld: %s", (long long)id, "a year of none");
	record_free(ra);
	record_free(rb);
	return rc;
}

/* Person id by id, uid and ID number on a and b. */
static int
person_same(struct store *a, struct store *b, int64_t id)
{
	struct store_person pa, pb, q;
	struct lf_error err;

	lf_error_clear(&err);
	if (store_person_by_id(a, id, &pa, &err) != 0 ||
	    store_person_by_id(b, id, &pb, &err) != 0)
		return bad("person %lld: by id: %s", (long long)id,
		    err.message);
	if (strcmp(pa.name, pb.name) != 0 || pa.gender != pb.gender ||
	    strcmp(pa.birth_date, pb.birth_date) != 0 ||
	    strcmp(pa.region, pb.region) != 0 || pa.status != pb.status ||
	    pa.version != pb.version || strcmp(pa.id_masked, pb.id_masked)
	    != 0 || pb.id_number[0] != '\0' || strlen(pb.updated_at) != 20)
		return bad("person %lld: %s", (long long)id, "columns differ");
	if (store_person_open_id(a, &pa, &err) != 0 ||
	    store_person_open_id(b, &pb, &err) != 0)
		return bad("person %lld: open: %s", (long long)id, err.message);
	if (strcmp(pa.id_number, pb.id_number) != 0)
		return bad("person %lld: %s", (long long)id, "ID numbers differ");
	if (store_person_by_uid(b, pb.uid, &q, &err) != 0 || q.id != id)
		return bad("person %lld: %s", (long long)id, "by uid");
	if (store_person_by_idnum(b, pb.id_number, &q, &err) != 0 ||
	    q.id != id || strcmp(q.id_masked, pa.id_masked) != 0)
		return bad("person %lld: %s", (long long)id, "by ID number");
	return 0;
}

struct ids {
	int64_t	 v[4096];
	int	 n;
};

static int
keep_id(void *arg, const struct store_person *p)
{
	struct ids *x = arg;

	if (x->n == 4096)
		return -1;
	x->v[x->n++] = p->id;
	return 0;
}

static int
ids_same(const struct ids *a, const struct ids *b, const char *what)
{
	if (a->n != b->n || memcmp(a->v, b->v, (size_t)a->n * 8) != 0)
		return bad("%lld persons on SQLite: %s differs", a->n, what);
	if (a->n == 0)
		return bad("%lld persons: %s is empty", 0, what);
	return 0;
}

/* The year's list of region in, pages of 7, with filters. */
static int
list_of(struct store *s, int year, const struct region *in,
    const struct store_filter *fl, size_t n, struct ids *out)
{
	struct lf_error err;
	int64_t after = 0, last;
	int before;

	lf_error_clear(&err);
	out->n = 0;
	do {
		before = out->n;
		if (store_list(s, year, in, fl, n, after, 7, keep_id, out,
		    &last, &err) != 0)
			return bad("list: %lld %s", 0, err.message);
		after = last;
	} while (out->n - before == 7);
	return 0;
}

/* The first enum and multi items answered by person id's survey. */
static size_t
filters_of(struct store *s, int64_t id, int year, struct store_filter *fl)
{
	struct record *r = record_new(cat);
	struct lf_error err;
	int64_t v;
	size_t i, n = 0;
	int have_enum = 0, have_multi = 0;

	if (store_survey_get(s, id, year, r, &v, &err) != 0)
		return 0;
	for (i = 0; i < cat->nfields && n < 2; i++) {
		const struct field *f = &cat->fields[i];

		if (f->secret || !r->set[i] || (f->type != FT_ENUM &&
		    f->type != FT_MULTI) || r->num[i] == 0)
			continue;
		if ((f->type == FT_ENUM && have_enum) ||
		    (f->type == FT_MULTI && have_multi))
			continue;
		have_enum |= f->type == FT_ENUM;
		have_multi |= f->type == FT_MULTI;
		fl[n].f = f;
		fl[n].num = f->type == FT_MULTI ? (r->num[i] & -r->num[i]) :
		    r->num[i];
		fl[n++].text = NULL;
	}
	record_free(r);
	return n;
}

static int
lists_same(struct store *a, struct store *b, int year,
    const struct region *city, int64_t first)
{
	static struct ids la, lb;
	struct store_filter fl[2];
	size_t n;

	if (list_of(a, year, city, NULL, 0, &la) != 0 ||
	    list_of(b, year, city, NULL, 0, &lb) != 0 ||
	    ids_same(&la, &lb, "the city's list") != 0)
		return 1;
	n = filters_of(a, first, year, fl);
	if (n < 2)
		return bad("person %lld: %s", (long long)first, "no filters");
	if (list_of(a, year, city, fl, n, &la) != 0 ||
	    list_of(b, year, city, fl, n, &lb) != 0 ||
	    ids_same(&la, &lb, "the filtered list") != 0)
		return 1;
	return 0;
}

/* The name search by the first character of person id's name. */
static int
search_same(struct store *a, struct store *b, int64_t id)
{
	static struct ids sa, sb;
	struct store_person p;
	struct lf_error err;
	char prefix[8];

	lf_error_clear(&err);
	if (store_person_by_id(a, id, &p, &err) != 0)
		return bad("person %lld: %s", (long long)id, err.message);
	snprintf(prefix, sizeof(prefix), "%.3s", p.name);
	sa.n = sb.n = 0;
	if (store_person_search_name(a, prefix, NULL, 500, keep_id, &sa,
	    &err) != 0 || store_person_search_name(b, prefix, NULL, 500,
	    keep_id, &sb, &err) != 0)
		return bad("search: %lld %s", 0, err.message);
	return ids_same(&sa, &sb, "the name search");
}

/* Every county's and city's count. */
static int
counts_same(struct store *a, struct store *b)
{
	struct lf_error err;
	int64_t na, nb, all = 0;
	size_t i;

	lf_error_clear(&err);
	for (i = 0; i < rs->n; i++) {
		if (rs->v[i].level > RL_COUNTY)
			continue;
		if (store_count_region(a, &rs->v[i], &na, &err) != 0 ||
		    store_count_region(b, &rs->v[i], &nb, &err) != 0)
			return bad("count: %lld %s", 0, err.message);
		if (na != nb)
			return bad("region %lld: %s", rs->v[i].code12,
			    "counts differ");
		all += rs->v[i].level == RL_COUNTY ? na : 0;
	}
	return all > 0 ? 0 : bad("%lld persons %s", all, "counted");
}

/* A person whose surveys hold a disability card number is found by it. */
static int
card_same(struct store *a, struct store *b, int64_t id, int year)
{
	struct record *r = record_new(cat);
	const struct field *f = catalog_find(cat, "disability_card_no", 18);
	struct store_person p;
	struct lf_error err;
	int64_t v;
	int rc = 0;

	lf_error_clear(&err);
	if (f == NULL || store_survey_get(a, id, year, r, &v, &err) != 0)
		rc = bad("person %lld: %s", (long long)id, "no card item");
	else if (r->set[f->index] && (store_person_by_card(b,
	    r->str[f->index], &p, &err) != 0 || p.id != id))
		rc = bad("person %lld: %s", (long long)id, "by card");
	else
		cards += r->set[f->index];
	record_free(r);
	return rc;
}


/* The person page's plans and items as text: every column but the
 * time stamps (each backend's build made its own). */
static int
plan_text(void *arg, const struct plan *p)
{
	plans_seen++;
	return buf_addf(arg, "plan %lld %lld %d %d %lld %s|", (long long)p->id,
	    (long long)p->person_id, p->year, p->status,
	    (long long)p->version, p->created_by);
}

static int
item_text(void *arg, const struct plan_item *it)
{
	const char *name, *v;
	char num[24];
	size_t i;
	int upd;

	for (i = 0; i < PLAN_ITEM_NCOLS; i++) {
		name = plan_item_col(i, &upd);
		if (strlen(name) > 3 && strcmp(name + strlen(name) - 3, "_at")
		    == 0)
			continue;
		v = plan_item_col_value(it, i, num);
		if (buf_addf(arg, "%s=%s,", name, v ? v : "NULL") != 0)
			return -1;
	}
	return buf_addc(arg, '|');
}

static int
delivery_text(void *arg, const struct plan_delivery *d)
{
	(void)d;
	return buf_adds(arg, "delivery|");
}

/* Person id's plans and items on a and b. */
static int
plans_same(struct store *a, struct store *b, int64_t id)
{
	static const struct plan_person_fns fns = { plan_text, item_text,
	    delivery_text };
	struct buf ta, tb;
	struct lf_error err;
	int rc = 0;

	lf_error_clear(&err);
	buf_init(&ta, 1 << 24);
	buf_init(&tb, 1 << 24);
	if (plan_person_each(a, id, &fns, &ta, &err) != 0 ||
	    plan_person_each(b, id, &fns, &tb, &err) != 0)
		rc = bad("person %lld: plans: %s", (long long)id, err.message);
	else if (ta.len != tb.len || memcmp(buf_str(&ta), buf_str(&tb),
	    ta.len) != 0)
		rc = bad("person %lld: %s", (long long)id, "plans differ");
	buf_free(&ta);
	buf_free(&tb);
	return rc;
}

static int
same(const char *db, const char *url, int year, int want_plans)
{
	struct store *a = open_at(db), *b = open_at(url);
	struct lf_error err;
	const struct region *city = NULL;
	struct store_person p;
	int64_t id, n = 0, step;

	lf_error_clear(&err);
	if (store_count(a, "persons", &n, &err) != 0 || n == 0)
		return bad("%lld persons: %s", n, err.message);
	/* every person of a small registry, else a spread of PERSONS_MAX
	 * (each is some twenty round trips per backend) */
	step = n > PERSONS_MAX ? n / PERSONS_MAX : 1;
	for (id = 1; id <= n && !failed; id += step) {
		if (person_same(a, b, id) || surveys_same(a, b, id, 0) ||
		    surveys_same(a, b, id, 1) || get_same(a, b, id, year) ||
		    card_same(a, b, id, year) || plans_same(a, b, id))
			break;
	}
	if (!failed && store_person_by_id(b, n + 1, &p, &err) != 1)
		bad("person %lld: %s", (long long)n + 1, "found");
	if (!failed && store_person_by_id(a, 1, &p, &err) == 0)
		city = regions_find(rs, p.region);
	while (city != NULL && city->level > RL_CITY)
		city = &rs->v[city->parent];
	if (!failed && city != NULL)
		lists_same(a, b, year, city, 1);
	if (!failed)
		search_same(a, b, 1);
	if (!failed)
		counts_same(a, b);
	if (!failed && want_plans && plans_seen == 0)
		bad("%lld plans on %s", 0, "the person pages");
	if (!failed && cards == 0)
		bad("%lld persons found by %s", 0, "their card");
	store_close(a);
	store_close(b);
	if (!failed)
		printf("test_pg_read: %lld persons read alike (every %lld "
		    "one by one; %lld plans)\n", (long long)n,
		    (long long)step, (long long)plans_seen / 2);
	return failed;
}

/* Through the app role scoped to county: nobody of another county. */
static int
rls(const char *url, const char *county, int year)
{
	static struct ids l;
	struct store *s = open_at(url);
	const struct region *prov = regions_find(rs, "51");
	struct store_person p;
	struct lf_error err;
	int64_t id, n = 0, seen = 0;
	int i, rc;

	lf_error_clear(&err);
	if (store_count(s, "persons", &n, &err) != 0 || n != 0)
		bad("unscoped: %lld persons seen %s", n, err.message);
	if (store_set_scope(s, county, &err) != 0 || prov == NULL)
		return bad("scope: %lld %s", 0, err.message);
	for (id = 1; id <= 4000 && !failed; id++) {
		rc = store_person_by_id(s, id, &p, &err);
		if (rc < 0)
			bad("person %lld: %s", (long long)id, err.message);
		if (rc == 0 && strncmp(p.region, county, 6) != 0)
			bad("person %lld of %s seen", (long long)id, "another county");
		seen += rc == 0;
	}
	if (!failed && seen == 0)
		bad("%lld persons of %s seen", 0, county);
	if (!failed)
		list_of(s, year, prov, NULL, 0, &l);
	for (i = 0; !failed && i < l.n; i++)
		if (store_person_by_id(s, l.v[i], &p, &err) != 0 ||
		    strncmp(p.region, county, 6) != 0)
			bad("list: person %lld %s", (long long)l.v[i], "outside");
	if (!failed && l.n != seen)
		bad("list: %lld persons, not %s", l.n, "the county's");
	if (!failed && store_set_scope(s, NULL, &err) == 0 &&
	    store_person_by_id(s, l.v[0], &p, &err) != 1)
		bad("unscoped again: person %lld %s", (long long)l.v[0], "seen");
	store_close(s);
	if (!failed)
		printf("test_pg_read: county %s: %lld persons, no other\n",
		    county, (long long)seen);
	return failed;
}

/* A read of person 1: 0 found, else the error's code ("" none). */
static const char *
read_code(struct store *s)
{
	struct store_person p;
	struct lf_error err;

	lf_error_clear(&err);
	if (store_person_by_id(s, 1, &p, &err) == 0)
		return "";
	return err.code != NULL ? err.code : "not_found";
}

static int
restart(const char *url, const char *down, const char *up)
{
	struct store *s = open_at(url);
	struct lf_error err;
	const char *code;

	lf_error_clear(&err);
	if (strcmp(read_code(s), "") != 0)
		return bad("%lld: %s before the restart", 0, "no read");
	if (system(down) != 0)
		return bad("%lld: %s failed", 0, down);
	if (strcmp((code = read_code(s)), "unavailable") != 0)
		bad("%lld: a read while down gave '%s'", 0, code);
	if (store_reconnect(s, &err) == 0 || err.code == NULL ||
	    strcmp(err.code, "unavailable") != 0)
		bad("%lld: reconnect while down: %s", 0, "not unavailable");
	if (system(up) != 0)
		return bad("%lld: %s failed", 0, up);
	lf_error_clear(&err);
	if (store_reconnect(s, &err) != 0)
		bad("%lld: reconnect: %s", 0, err.message);
	else if (strcmp((code = read_code(s)), "") != 0)
		bad("%lld: a read after the restart gave '%s'", 0, code);
	store_close(s);
	if (!failed)
		printf("test_pg_read: unavailable while down, read again after "
		    "the restart\n");
	return failed;
}

int
main(int argc, char **argv)
{
	struct lf_error err;

	lf_error_clear(&err);
	if (env_load(&err) != 0) {
		fprintf(stderr, "test_pg_read: %s\n", err.message);
		return 1;
	}
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "same") == 0)
		return same(argv[2], argv[3], atoi(argv[4]), argc == 6);
	if (argc == 5 && strcmp(argv[1], "rls") == 0)
		return rls(argv[2], argv[3], atoi(argv[4]));
	if (argc == 5 && strcmp(argv[1], "restart") == 0)
		return restart(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: test_pg_read same SQLITE_DB PG_URL YEAR [plans] | "
	    "rls WEB_URL COUNTY YEAR | restart PG_URL DOWN_CMD UP_CMD\n");
	return 2;
}

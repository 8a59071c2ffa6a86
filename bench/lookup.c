/*
 * lookup.c - the API's database work done directly in C, as a baseline for
 * the HTTP figures: for random persons, find the person and read every
 * year's survey (opening sealed values) with the statement the person
 * page uses, first by opaque id (the page), then by ID number (the
 * search). No HTTP, no JSON, no audit.
 *
 * Usage: lookup DB UIDS-FILE [IDS-OUT]
 * Prints lookups per second for each way, one thread, 5 s each. With
 * IDS-OUT, first writes the ID numbers of the persons in UIDS-FILE there,
 * one a line (synthetic data: the bench's search requests use them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/embedded.h"
#include "store/store.h"

#define MAXP	5000

static char uids[MAXP][40];
static char ids[MAXP][24];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
one_year(void *arg, int year, int64_t version, const struct record *r)
{
	(void)year;
	(void)version;
	(void)r;
	++*(int *)arg;
	return 0;
}

/* Every year's survey of p, read as the person page reads them (one
 * statement, store_surveys_each()). 0, or -1 when there is none. */
static int
read_years(struct store *s, const struct store_person *p, struct record *r,
    struct lf_error *err)
{
	int n = 0;

	if (store_surveys_each(s, p->id, r, one_year, &n, err) != 0)
		return -1;
	return n > 0 ? 0 : -1;
}

/* Lookups per second for 5 s, by uid (by_id 0) or by ID number. */
static double
run(struct store *s, struct record *r, size_t n, int by_id)
{
	struct store_person p;
	struct lf_error err;
	long done = 0;
	double t0 = now();

	while (now() - t0 < 5.0) {
		size_t k = (size_t)rand() % n;
		int rc = by_id ? store_person_by_idnum(s, ids[k], &p, &err) :
		    store_person_by_uid(s, uids[k], &p, &err);

		if (rc != 0 || read_years(s, &p, r, &err) != 0) {
			fprintf(stderr, "lookup: person %zu not found\n", k);
			exit(1);
		}
		done++;
	}
	return done / (now() - t0);
}

/* Fills ids[] from the persons of uids[]; writes them to path if set. */
static int
load_ids(struct store *s, size_t n, const char *path)
{
	struct store_person p;
	struct lf_error err;
	FILE *fp = path ? fopen(path, "w") : NULL;
	size_t i;

	if (path != NULL && fp == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (store_person_by_uid(s, uids[i], &p, &err) != 0 ||
		    store_person_open_id(s, &p, &err) != 0)
			return -1;
		snprintf(ids[i], sizeof(ids[i]), "%s", p.id_number);
		if (fp != NULL)
			fprintf(fp, "%s\n", ids[i]);
	}
	return fp != NULL && fclose(fp) != 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct embedded_file f;
	struct catalog *cat;
	struct regions *rs;
	struct lf_error err;
	struct store *s;
	struct record *r;
	size_t n = 0;
	FILE *fp;

	if ((argc != 3 && argc != 4) || (fp = fopen(argv[2], "r")) == NULL)
		return 2;
	while (n < MAXP && fgets(uids[n], sizeof(uids[n]), fp) != NULL)
		uids[n++][32] = '\0';
	fclose(fp);
	lf_error_clear(&err);
	if (n == 0 || embedded_get("data/catalog.tsv", &f) != 0 ||
	    catalog_parse(f.data, f.len, f.name, &cat, &err) != 0 ||
	    embedded_get("data/regions-sichuan.tsv", &f) != 0 ||
	    regions_parse(f.data, f.len, f.name, &rs, &err) != 0 ||
	    store_open(argv[1], cat, rs, &s, &err) != 0 ||
	    (r = record_new(cat)) == NULL) {
		fprintf(stderr, "lookup: %s\n", n ? err.message :
		    "no persons");
		return 1;
	}
	if (load_ids(s, n, argc == 4 ? argv[3] : NULL) != 0) {
		fprintf(stderr, "lookup: cannot read the persons' ID numbers\n");
		return 1;
	}
	printf("direct lookups by id: %.0f/s (one thread)\n", run(s, r, n, 0));
	printf("direct lookups by ID number: %.0f/s (one thread)\n",
	    run(s, r, n, 1));
	record_free(r);
	store_close(s);
	regions_free(rs);
	catalog_free(cat);
	return 0;
}

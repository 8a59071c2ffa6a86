/*
 * lookup.c - the person page's database work done directly in C, as a
 * baseline for the HTTP figure: for random opaque ids, find the person and
 * read every year's survey (opening sealed values). No HTTP, no JSON, no
 * audit. Usage: lookup DB UIDS-FILE; prints lookups per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/embedded.h"
#include "store/store.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static char uids[5000][40];
	struct embedded_file f;
	struct catalog *cat;
	struct regions *rs;
	struct lf_error err;
	struct store *s;
	struct store_person p;
	struct record *r;
	int years[64];
	size_t n = 0, ny, i;
	int64_t v;
	long done = 0;
	double t0;
	FILE *fp;

	if (argc != 3 || (fp = fopen(argv[2], "r")) == NULL)
		return 2;
	while (n < 5000 && fgets(uids[n], sizeof(uids[n]), fp) != NULL)
		uids[n++][32] = '\0';
	fclose(fp);
	if (embedded_get("data/catalog.tsv", &f) != 0 ||
	    catalog_parse(f.data, f.len, f.name, &cat, &err) != 0 ||
	    embedded_get("data/regions-sichuan.tsv", &f) != 0 ||
	    regions_parse(f.data, f.len, f.name, &rs, &err) != 0 ||
	    store_open(argv[1], cat, rs, &s, &err) != 0 ||
	    (r = record_new(cat)) == NULL) {
		fprintf(stderr, "lookup: %s\n", err.message);
		return 1;
	}
	t0 = now();
	while (now() - t0 < 5.0) {
		const char *uid = uids[(size_t)rand() % n];

		if (store_person_by_uid(s, uid, &p, &err) != 0 ||
		    store_survey_years(s, p.id, years, 64, &ny, &err) != 0)
			return 1;
		for (i = 0; i < ny; i++)
			if (store_survey_get(s, p.id, years[i], r, &v, &err))
				return 1;
		done++;
	}
	printf("direct lookups: %.0f/s (one thread)\n", done / (now() - t0));
	record_free(r);
	store_close(s);
	regions_free(rs);
	catalog_free(cat);
	return 0;
}

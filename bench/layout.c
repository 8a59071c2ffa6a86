/*
 * layout.c - the survey layouts of issue 17.1 side by side, in one run on
 * one machine: what the person page's survey read costs in each, and how
 * big each file is.
 *
 *   wide:    one 154-column row per person-year (the layout before
 *            packing; made here from the packed file, every item a column,
 *            each secret a sealed-size blob and a 32-byte hash);
 *   packed:  one row per person-year, the items in one packed record
 *            (store/packrec.h; the database `liangfu seed` made);
 *   person:  one row per person, every year's packed record in one value.
 *
 * For random persons it reads every year's survey into a struct record,
 * as the page does (wide: column by column by type; packed and person:
 * packrec_decode, secrets in their masked form), on one thread, for
 * SECONDS each, after a warming pass; three rounds in turn, the best kept.
 *
 * Each layout is a file of its own holding the surveys only (OUTDIR/wide.db,
 * packed.db, person.db), so that the sizes compare.
 *
 * Usage: layout PACKED.db OUTDIR [SECONDS]   (prints one line a layout)
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/date.h"
#include "lib/embedded.h"
#include "store/store_int.h"

static const struct catalog *cat;
static struct packrec_set *packs;
static int64_t npersons;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what, sqlite3 *db)
{
	fprintf(stderr, "layout: %s: %s\n", what, db ? sqlite3_errmsg(db) :
	    "failed");
	exit(1);
}

static void
exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql, db);
}

/* The wide file: CREATE TABLE AS over the old-columns view. */
static void
make_wide(const char *packed, const char *path)
{
	struct lf_error err;
	struct buf sql;
	sqlite3 *db;
	size_t i;

	if (sqlite3_open(packed, &db) != SQLITE_OK ||
	    store_wide_view(db, cat, &err) != 0)
		die("wide view", db);
	buf_init(&sql, 1 << 20);
	buf_addf(&sql, "ATTACH '%s' AS w; PRAGMA w.page_size = 8192; "
	    "PRAGMA w.journal_mode = off; CREATE TABLE w.surveys AS SELECT "
	    "id, person_id, year, version, created_at, created_by, "
	    "updated_at, updated_by", path);
	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];

		if (f->secret)
			buf_addf(&sql, ", CASE WHEN lf_item(rec, 'name') IS "
			    "NOT NULL THEN randomblob(%d) END AS %s_enc, "
			    "randomblob(32) AS %s_hash", f->type == FT_PHONE ?
			    60 : 67, f->code, f->code);
		else
			buf_addf(&sql, ", %s", f->code);
	}
	buf_adds(&sql, " FROM temp.surveys ORDER BY id; CREATE UNIQUE INDEX "
	    "w.wide_py ON surveys(person_id, year); DETACH w;");
	exec(db, buf_str(&sql));
	buf_free(&sql);
	sqlite3_close(db);
}

/* The packed file: the survey table alone, as the others. */
static void
make_packed(const char *packed, const char *path)
{
	char sql[8192];
	sqlite3 *db;

	if (sqlite3_open(packed, &db) != SQLITE_OK)
		die("open", db);
	snprintf(sql, sizeof(sql), "ATTACH '%s' AS w; PRAGMA w.page_size = "
	    "8192; PRAGMA w.journal_mode = off; CREATE TABLE w.surveys AS "
	    "SELECT * FROM main.surveys ORDER BY id; CREATE UNIQUE INDEX "
	    "w.packed_py ON surveys(person_id, year); DETACH w", path);
	exec(db, sql);
	sqlite3_close(db);
}

/* The one-row-a-person file: each year's record with a 4-byte length. */
static void
make_person(const char *packed, const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *rd, *wr;
	struct buf all;
	int64_t cur = -1, pid;
	char sql[8192];

	if (sqlite3_open(packed, &db) != SQLITE_OK)
		die("open", db);
	snprintf(sql, sizeof(sql), "ATTACH '%s' AS w; PRAGMA w.page_size = "
	    "8192; PRAGMA w.journal_mode = off; CREATE TABLE w.persons_all("
	    "person_id INTEGER PRIMARY KEY, recs BLOB NOT NULL); BEGIN", path);
	exec(db, sql);
	if (sqlite3_prepare_v2(db, "SELECT person_id, year, rec FROM "
	    "main.surveys ORDER BY person_id, year", -1, &rd, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO w.persons_all VALUES (?, ?)",
	    -1, &wr, NULL))
		die("prepare", db);
	buf_init(&all, 1 << 24);
	for (;;) {
		int more = sqlite3_step(rd) == SQLITE_ROW;

		pid = more ? sqlite3_column_int64(rd, 0) : -2;
		if (pid != cur && cur >= 0) {
			sqlite3_bind_int64(wr, 1, cur);
			sqlite3_bind_blob(wr, 2, all.data, (int)all.len,
			    SQLITE_STATIC);
			if (sqlite3_step(wr) != SQLITE_DONE)
				die("insert", db);
			sqlite3_reset(wr);
			buf_reset(&all);
		}
		if (!more)
			break;
		cur = pid;
		{
			uint32_t n = (uint32_t)sqlite3_column_bytes(rd, 2);
			uint16_t y = (uint16_t)sqlite3_column_int(rd, 1);

			buf_add(&all, &y, 2);
			buf_add(&all, &n, 4);
			buf_add(&all, sqlite3_column_blob(rd, 2), n);
		}
	}
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	exec(db, "COMMIT; DETACH w");
	buf_free(&all);
	sqlite3_close(db);
}

/* Reads a wide row into r column by column, as the old reader did. */
static void
wide_row(sqlite3_stmt *st, struct record *r)
{
	const char *text;
	size_t i;
	int col = 8, days;

	record_clear(r);
	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];
		int c = col;

		col += f->secret ? 2 : 1;
		if (sqlite3_column_type(st, c) == SQLITE_NULL)
			continue;
		if (f->secret) {
			(void)sqlite3_column_blob(st, c);
			record_set_str(r, f->index, "***");
			continue;
		}
		switch (f->type) {
		case FT_TEXT:
		case FT_REGION:
			text = (const char *)sqlite3_column_text(st, c);
			record_set_str(r, f->index, text ? text : "");
			break;
		case FT_DATE:
			text = (const char *)sqlite3_column_text(st, c);
			if (text != NULL && date_parse(text, &days) == 0)
				record_set_num(r, f->index, days);
			break;
		default:
			record_set_num(r, f->index, sqlite3_column_int64(st, c));
		}
	}
}

enum kind { WIDE, PACKED, PERSON };

static double
read_rate(const char *path, enum kind k, double seconds)
{
	static const char *const sql[] = {
		"SELECT * FROM surveys WHERE person_id = ? ORDER BY year",
		"SELECT year, version, rec FROM surveys WHERE person_id = ? "
		    "ORDER BY year",
		"SELECT recs FROM persons_all WHERE person_id = ?"
	};
	struct record *r = record_new(cat);
	struct lf_error err;
	sqlite3_stmt *st;
	sqlite3 *db;
	unsigned seed = 7;
	double t0, t;
	long done = 0, years = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(db, sql[k], -1, &st, NULL) !=
	    SQLITE_OK)
		die(path, db);
	exec(db, "PRAGMA cache_size = -262144");
	t0 = now();
	do {
		for (int i = 0; i < 256; i++) {
			int64_t pid = 1 + (int64_t)(rand_r(&seed) % npersons);

			sqlite3_bind_int64(st, 1, pid);
			while (sqlite3_step(st) == SQLITE_ROW) {
				if (k == WIDE) {
					wide_row(st, r);
					years++;
				} else if (k == PACKED) {
					if (packrec_decode(packs,
					    sqlite3_column_blob(st, 2),
					    (size_t)sqlite3_column_bytes(st, 2),
					    r, PACKREC_MASKED, NULL, &err))
						die(err.message, NULL);
					years++;
				} else {
					const unsigned char *p =
					    sqlite3_column_blob(st, 0);
					size_t n = (size_t)
					    sqlite3_column_bytes(st, 0), o = 0;
					uint32_t len;

					while (o + 6 <= n) {
						memcpy(&len, p + o + 2, 4);
						if (packrec_decode(packs, p + o +
						    6, len, r, PACKREC_MASKED,
						    NULL, &err))
							die(err.message, NULL);
						o += 6 + len;
						years++;
					}
				}
			}
			sqlite3_reset(st);
			done++;
		}
		t = now() - t0;
	} while (t < seconds);
	sqlite3_finalize(st);
	sqlite3_close(db);
	record_free(r);
	if (done > 0 && years == 0)
		die("no surveys read", NULL);
	return done / t;
}

static double
mib(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size / 1048576.0 : 0;
}

int
main(int argc, char **argv)
{
	static const char *const names[] = { "wide", "packed", "person" };
	char wide[4096], person[4096], packed[4096];
	const char *paths[3];
	struct embedded_file f;
	struct catalog *c;
	struct lf_error err;
	struct store *s;
	double secs = argc > 3 ? atof(argv[3]) : 5, base, rate;
	double best[3] = { 0, 0, 0 };
	int64_t n;
	int k;

	if (argc < 3) {
		fprintf(stderr, "usage: layout PACKED.db OUTDIR [SECONDS]\n");
		return 2;
	}
	if (embedded_get("data/catalog.tsv", &f) != 0 ||
	    catalog_parse(f.data, f.len, f.name, &c, &err) != 0)
		die("catalog", NULL);
	cat = c;
	if (store_open(argv[1], cat, NULL, &s, &err) != 0 ||
	    store_count(s, "persons", &n, &err) != 0)
		die(err.message, NULL);
	npersons = n;
	packs = s->packs;
	snprintf(wide, sizeof(wide), "%s/wide.db", argv[2]);
	snprintf(person, sizeof(person), "%s/person.db", argv[2]);
	snprintf(packed, sizeof(packed), "%s/packed.db", argv[2]);
	remove(wide);
	remove(person);
	remove(packed);
	make_wide(argv[1], wide);
	make_packed(argv[1], packed);
	make_person(argv[1], person);
	paths[0] = wide;
	paths[1] = packed;
	paths[2] = person;
	/* warm each file, then three rounds in turn: the best of each
	 * (a shared machine: the best is the least disturbed) */
	for (k = 0; k < 3; k++)
		read_rate(paths[k], (enum kind)k, 1);
	for (int round = 0; round < 3; round++)
		for (k = 0; k < 3; k++) {
			rate = read_rate(paths[k], (enum kind)k, secs);
			if (rate > best[k])
				best[k] = rate;
		}
	base = best[0];
	printf("layout   pages/s (all years, 1 thread)  x wide   file MiB\n");
	for (k = 0; k < 3; k++)
		printf("%-8s %10.0f %28.2f %10.0f\n", names[k], best[k],
		    best[k] / base, mib(paths[k]));
	store_close(s);
	catalog_free(c);
	return 0;
}

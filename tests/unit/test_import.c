/*
 * test_import.c - CSV import and export: the round trip, every kind of bad
 * file with nothing half-written, the reason a change of grade needs,
 * --skip-bad, GB18030, and an
 * allocation-failure sweep over one import.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bulk/export.h"
#include "bulk/import.h"
#include "lib/embedded.h"
#include "core/idcard.h"
#include "lib/mem.h"
#include "io/csv.h"
#include "testutil.h"

static char dir[64];
static char good[128];		/* a.csv exported from 3 persons */

static void
spit(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

static struct store *
new_store(const char *name)
{
	char db[160];

	snprintf(db, sizeof(db), "%s/%s", dir, name);
	return tu_store_at(db);
}

static int64_t
persons(struct store *s)
{
	struct lf_error err;
	int64_t n;

	assert_int_equal(store_count(s, "persons", &n, &err), 0);
	return n;
}

static int
group_setup(void **state)
{
	struct store_put p = { 2024, 0, "t", 0, 0 };
	struct store_put_result res;
	struct record *r;
	struct lf_error err;
	struct store *s;
	uint64_t rows;
	int seq;

	(void)state;
	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(good, sizeof(good), "%s/a.csv", dir);
	s = new_store("a.db");
	r = record_new(tu_catalog());
	p.today = tu_days("2026-11-29");
	for (seq = 5; seq <= 7; seq++) {
		tu_valid_person(r, seq);
		if (seq == 6)
			tu_set(r, "residence_address", "水井坊, \"东\"院");
		if (store_survey_put(s, r, &p, &res, &err) != 0)
			fail_msg("%s", err.message);
	}
	if (export_csv(s, tu_catalog(), 2024, NULL, good, 0, &rows, &err))
		fail_msg("%s", err.message);
	assert_int_equal(rows, 3);
	record_free(r);
	store_close(s);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	tu_rmdir(dir);
	tu_env_free();
	return 0;
}

static int
run_import(struct store *s, const char *path, const char *rejects,
    int enc, struct import_stats *st, struct lf_error *err)
{
	struct import_opts o = { path, rejects, enc, 0, tu_days("2026-11-29"),
	    NULL, "test" };

	lf_error_clear(err);
	return import_csv(s, tu_catalog(), &o, st, err);
}

/* A row whose only change is 人员状态 (1 在册 -> 2 迁出) is an update,
 * not "unchanged" (the status is recorded either way). */
static void
status_only(struct store *s, const char *csv, size_t len)
{
	struct import_stats st;
	struct lf_error err;
	char path[160], *text, *row;
	FILE *fp;

	text = malloc(len + 1);
	assert_non_null(text);
	memcpy(text, csv, len);
	text[len] = '\0';
	row = strstr(text, "\n2024,1,");	/* the first data row */
	assert_non_null(row);
	row[6] = '2';
	snprintf(path, sizeof(path), "%s/moved.csv", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	fclose(fp);
	free(text);
	assert_int_equal(run_import(s, path, NULL, CSV_ENC_AUTO, &st, &err),
	    0);
	assert_int_equal(st.rows, 3);
	assert_int_equal(st.updated, 1);
	assert_int_equal(st.unchanged, 2);
	/* the same file again: now nothing changes */
	assert_int_equal(run_import(s, path, NULL, CSV_ENC_AUTO, &st, &err),
	    0);
	assert_int_equal(st.updated, 0);
	assert_int_equal(st.unchanged, 3);
}

/* A file written before the form's clock items (catalog group "auto")
 * existed lacks their columns: it still imports, and the same rows with
 * the columns are unchanged. */
static void
old_layout(struct store *s, const char *csv, size_t len)
{
	const struct field *f = catalog_find(tu_catalog(), "form_started_at",
	    15);
	struct import_stats st;
	struct lf_error err;
	char path[160], *out, *o;
	const char *p = csv, *end = csv + len;
	FILE *fp;
	int c;

	assert_non_null(f);
	assert_true(field_is_auto(f) && field_is_auto(f + 1));
	out = malloc(len + 1);
	assert_non_null(out);
	o = out;
	/* drop the two columns (and their commas) of every line; no field
	 * before them holds a comma */
	for (c = 1; p < end; p++) {
		if (c != f->index + 3 && c != f->index + 4)
			*o++ = *p;
		if (*p == '\n')
			c = 1;
		else if (*p == ',' && c > 0)
			c = c == f->index + 4 ? 0 : c + 1;
	}
	snprintf(path, sizeof(path), "%s/old.csv", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(out, 1, (size_t)(o - out), fp),
	    (size_t)(o - out));
	fclose(fp);
	free(out);
	assert_int_equal(run_import(s, path, NULL, CSV_ENC_AUTO, &st, &err),
	    0);
	assert_int_equal(st.rows, 3);
	assert_int_equal(st.unchanged, 3);
}

static void
test_round_trip(void **state)
{
	struct store *s = new_store("b.db");
	struct import_stats st;
	struct lf_error err;
	char again[160];
	char *a, *b;
	size_t alen, blen;
	uint64_t rows;

	(void)state;
	if (run_import(s, good, NULL, CSV_ENC_AUTO, &st, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(st.rows, 3);
	assert_int_equal(st.new_persons, 3);
	assert_int_equal(st.new_surveys, 3);
	snprintf(again, sizeof(again), "%s/b.csv", dir);
	assert_int_equal(export_csv(s, tu_catalog(), 2024, NULL, again, 0,
	    &rows, &err), 0);
	a = tu_slurp(good, &alen);
	b = tu_slurp(again, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	assert_memory_equal(a, "\xef\xbb\xbf" "年度,人员状态,", 22);
	/* importing the same file again changes nothing */
	assert_int_equal(run_import(s, good, NULL, CSV_ENC_AUTO, &st, &err), 0);
	assert_int_equal(st.unchanged, 3);
	assert_int_equal(st.updated, 0);
	old_layout(s, b, blen);
	status_only(s, b, blen);
	free(a);
	free(b);
	store_close(s);
}

/* An export that meets a sealed value that fails to open (here, one moved
 * from another person's row) stops, names the item, and leaves no file,
 * not even the temporary one. */
static void
test_export_corrupt(void **state)
{
	struct store *s = new_store("c.db");
	struct import_stats st;
	struct lf_error err;
	char out[160], tmp[176], db[160], msg[sizeof(err.message)];
	struct store_person p;
	struct stat sb;
	uint64_t rows = 0;

	(void)state;
	if (run_import(s, good, NULL, CSV_ENC_AUTO, &st, &err) != 0)
		fail_msg("%s", err.message);
	snprintf(db, sizeof(db), "%s/c.db", dir);
	tu_poke_sealed(db, "contact_mobile", 1, 3, NULL, 0);
	snprintf(out, sizeof(out), "%s/c.csv", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	lf_error_clear(&err);
	assert_int_equal(export_csv(s, tu_catalog(), 2024, NULL, out, 0, &rows,
	    &err), -1);
	snprintf(msg, sizeof(msg), "%s", err.message);
	assert_string_equal(err.code, "corrupt");
	assert_string_equal(err.field, "contact_mobile");
	/* the message names the person (opaque id) and the year */
	assert_non_null(store_person_by_idnum(s, tu_id(7), &p, &err) == 0 ?
	    strstr(msg, p.uid) : NULL);
	assert_non_null(strstr(msg, ", 2024: "));
	assert_int_equal(stat(out, &sb), -1);
	assert_int_equal(stat(tmp, &sb), -1);
	store_close(s);
}

/* Rewrites the good file: line `line` (1-based; 0 = none) replaced by
 * `with` (NULL deletes it), then `append` added, then the whole cut to
 * `cut` bytes from the end. Returns the path. */
static const char *
variant(const char *name, int line, const char *with, const char *append,
    size_t cut)
{
	static char path[160];
	size_t len, i, start = 0;
	char *text = tu_slurp(good, &len), *out = malloc(len * 2 + 4096);
	size_t n = 0;
	int ln = 1;

	for (i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (ln == line) {
			if (with)
				n += (size_t)snprintf(out + n, len * 2 + 4096 -
				    n, "%s\r\n", with);
		} else {
			memcpy(out + n, text + start, i - start + (i < len));
			n += i - start + (i < len);
		}
		start = i + 1;
		ln++;
	}
	if (append)
		n += (size_t)snprintf(out + n, len * 2 + 4096 - n, "%s",
		    append);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	spit(path, out, n - cut);
	free(text);
	free(out);
	return path;
}

/* Line n of the good file without its line end (static storage). */
static const char *
line_of(int n)
{
	static char buf[8192];
	char *text = tu_slurp(good, NULL), *p = text, *e;

	while (--n > 0)
		p = strchr(p, '\n') + 1;
	e = strstr(p, "\r\n");
	snprintf(buf, sizeof(buf), "%.*s", (int)(e - p), p);
	free(text);
	return buf;
}

/* Replaces the col-th (1-based) comma-separated field of a line. */
static const char *
with_field(const char *line, int col, const char *value)
{
	static char buf[8192];
	const char *p = line, *e;
	int c;

	for (c = 1; c < col; c++)
		p = strchr(p, ',') + 1;
	e = strchr(p, ',');
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - line), line, value,
	    e ? e : "");
	return buf;
}

static int
column_of(const char *label)
{
	const struct field *f = catalog_find_label(tu_catalog(), label);

	return f->index + 3;
}

static void
expect_error(const char *path, int enc, const char *where, const char *why)
{
	struct store *s = new_store("e.db");
	struct import_stats st;
	struct lf_error err;
	char db[160];

	if (run_import(s, path, NULL, enc, &st, &err) == 0)
		fail_msg("%s imported", path);
	if (strstr(err.message, where) == NULL || strstr(err.message,
	    why) == NULL)
		fail_msg("want %s ... %s, got %s", where, why, err.message);
	assert_int_equal(persons(s), 0);
	store_close(s);
	snprintf(db, sizeof(db), "rm -f %s/e.db*", dir);
	assert_int_equal(system(db), 0);
}

static void
test_bad_files(void **state)
{
	char where[256], line4[8192];

	(void)state;
	snprintf(line4, sizeof(line4), "%s", line_of(4));
	/* wrong header */
	expect_error(variant("h1.csv", 1, "年度,人员状态,姓名", NULL, 0),
	    CSV_ENC_AUTO, "h1.csv:1:", "missing columns");
	expect_error(variant("h2.csv", 1, with_field(line_of(1), 5, "性别x"),
	    NULL, 0), CSV_ENC_AUTO, "h2.csv:1:5:", "unknown column");
	snprintf(where, sizeof(where), "h3.csv:1:%d:", column_of("姓名"));
	expect_error(variant("h3.csv", 1, with_field(line_of(1), 5, "姓名"),
	    NULL, 0), CSV_ENC_AUTO, where, "also column 5");
	/* bad values: form and cross-field */
	snprintf(where, sizeof(where), "v1.csv:3:%d:", column_of("性别"));
	expect_error(variant("v1.csv", 3, with_field(line_of(3),
	    column_of("性别"), "9"), NULL, 0), CSV_ENC_AUTO, where,
	    "not an option");
	snprintf(where, sizeof(where), "v2.csv:3:%d:", column_of("性别"));
	expect_error(variant("v2.csv", 3, with_field(line_of(3),
	    column_of("性别"), "1"), NULL, 0), CSV_ENC_AUTO, where,
	    "does not match the ID");
	snprintf(where, sizeof(where), "v3.csv:4:1:");
	expect_error(variant("v3.csv", 4, with_field(line4, 1, "20x4"), NULL,
	    0), CSV_ENC_AUTO, where, "year");
	/* duplicate ID number in one file */
	snprintf(where, sizeof(where), "d.csv:5:%d:", column_of("公民身份号码"));
	expect_error(variant("d.csv", 0, NULL, line4, 0), CSV_ENC_AUTO,
	    where, "line 4");
	/* truncated file: a short last row, or an open quote */
	expect_error(variant("t1.csv", 0, NULL, NULL, 400), CSV_ENC_AUTO,
	    "t1.csv:4:", "found");
	expect_error(variant("t2.csv", 0, NULL, "2024,1,\"abc", 0),
	    CSV_ENC_AUTO, "t2.csv:5:", "");
}

/* history: counts the entries that keep the reason 复评 for the grade */
static int
reason_kept(void *arg, const struct store_change *c)
{
	int *found = arg;

	if (strcmp(c->entity, "reason") == 0 &&
	    strstr(c->changes, "\"reason\":{\"new\":\"复评\"") != NULL &&
	    strstr(c->changes, "\"disability_grade\":{\"new\":\"1\","
	    "\"old\":\"2\"}") != NULL)
		(*found)++;
	return 0;
}

/* A row that changes a person's disability grade needs a reason, as
 * through the API (store.h, store_prep_reason): without the column
 * 变更原因, or with it empty, the row is refused at its line and the
 * grade's column; with one it is written and history keeps the reason. */
static void
test_change_reason(void **state)
{
	struct store *s = new_store("r.db");
	struct import_stats st;
	struct lf_error err;
	struct store_person p;
	char row[8192], card[32], where[64], path[160], text[32768];
	int found = 0, i;
	size_t n;

	(void)state;
	if (run_import(s, good, NULL, CSV_ENC_AUTO, &st, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(idcard_make_certificate(tu_id(5), 4, 1, card), 0);
	snprintf(row, sizeof(row), "%s", with_field(line_of(2),
	    column_of("残疾等级"), "1"));
	snprintf(text, sizeof(text), "%s", with_field(row,
	    column_of("残疾人证号"), card));
	n = strlen(text);
	assert_true(n < sizeof(row));
	memcpy(row, text, n + 1);
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "%s%s\r\n%s%s\r\n", line_of(1),
		    i ? ",变更原因" : "", row, i == 0 ? "" : i == 1 ? "," :
		    ",复评");
		snprintf(path, sizeof(path), "%s/g%d.csv", dir, i);
		spit(path, text, strlen(text));
		if (i < 2) {
			if (run_import(s, path, NULL, CSV_ENC_AUTO, &st,
			    &err) == 0)
				fail_msg("g%d.csv imported", i);
			snprintf(where, sizeof(where), "g%d.csv:2:%d:", i,
			    column_of("残疾等级"));
			if (strstr(err.message, where) == NULL)
				fail_msg("want %s, got %s", where,
				    err.message);
			assert_string_equal(err.code, "reason_required");
		} else if (run_import(s, path, NULL, CSV_ENC_AUTO, &st,
		    &err) != 0)
			fail_msg("%s", err.message);
	}
	assert_int_equal(st.updated, 1);
	assert_int_equal(store_person_by_idnum(s, tu_id(5), &p, &err), 0);
	assert_int_equal(store_history(s, p.id, reason_kept, &found, &err),
	    0);
	assert_int_equal(found, 1);
	store_close(s);
}

static const char *
to_gb18030(const char *name)
{
	static char path[160];
	size_t len, inleft, outleft;
	char *text = tu_slurp(good, &len), *out = malloc(len * 2), *in = text + 3;
	char *o = out;
	iconv_t cd = iconv_open("GB18030", "UTF-8");

	inleft = len - 3;		/* without the BOM */
	outleft = len * 2;
	assert_true(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
	iconv_close(cd);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	spit(path, out, (size_t)(o - out));
	free(text);
	free(out);
	return path;
}

static void
test_encodings(void **state)
{
	struct store *s = new_store("g.db");
	struct import_stats st;
	struct lf_error err;
	const char *gb = to_gb18030("gb.csv");

	(void)state;
	if (run_import(s, gb, NULL, CSV_ENC_AUTO, &st, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(st.new_persons, 3);
	store_close(s);
	/* GB18030 bytes read as UTF-8: refused, nothing written */
	expect_error(gb, CSV_ENC_UTF8, "gb.csv:1:", "UTF-8");
}

static void
test_skip_bad(void **state)
{
	struct store *s = new_store("k.db");
	struct import_stats st;
	struct lf_error err;
	char rej[160], *text;
	const char *path = variant("k.csv", 3, with_field(line_of(3),
	    column_of("性别"), "9"), NULL, 0);

	(void)state;
	snprintf(rej, sizeof(rej), "%s/rejects.csv", dir);
	if (run_import(s, path, rej, CSV_ENC_AUTO, &st, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.new_persons, 2);
	assert_int_equal(persons(s), 2);
	text = tu_slurp(rej, NULL);
	assert_non_null(strstr(text, "错误 (error)"));
	assert_non_null(strstr(text, "k.csv:3:"));
	free(text);
	store_close(s);
}

/* Replaces every occurrence of from (same length as to) in the good file. */
static const char *
replaced(const char *name, const char *from, const char *to)
{
	static char path[160];
	size_t len, n = strlen(from);
	char *text = tu_slurp(good, &len), *p = text;

	while ((p = strstr(p, from)) != NULL) {
		memcpy(p, to, n);
		p += n;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	spit(path, text, len);
	free(text);
	return path;
}

static void
test_unknown_id_region(void **state)
{
	struct import_opts o = { NULL, NULL, CSV_ENC_AUTO, 0,
	    tu_days("2026-11-29"), NULL, NULL };
	struct store *s = new_store("u.db");
	struct embedded_file f;
	struct regions *cn;
	struct import_stats st;
	struct lf_error err;
	char id[19];

	(void)state;
	assert_int_equal(embedded_get("data/regions-china-counties.tsv", &f),
	    0);
	assert_int_equal(regions_parse(f.data, f.len, f.name, &cn, &err), 0);
	/* 510199 is no county: an old code, say; accepted with a warning */
	assert_int_equal(idcard_make("510199", tu_days("1985-06-15"), 6, id),
	    0);
	o.path = replaced("u.csv", tu_id(6), id);
	o.counties = cn;
	if (import_csv(s, tu_catalog(), &o, &st, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(st.new_persons, 3);
	assert_int_equal(st.unknown_id_region, 1);
	assert_int_equal(st.unknown_id_line, 3);
	regions_free(cn);
	store_close(s);
}

/* Size of the file at path; 0 when there is none. */
static long
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : 0;
}

/* The journal mode of the database file at path, read by a new
 * connection (static storage). */
static const char *
journal_of(const char *path)
{
	static char mode[16];
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1,
	    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(mode, sizeof(mode), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return mode;
}

/*
 * A load into an empty registry runs under a rollback journal (new pages
 * are written once, not to the log and again by a checkpoint) and leaves
 * the database in WAL mode, whether it succeeded or failed; with another
 * connection open it stays in WAL and still works.
 */
static void
test_bulk_journal(void **state)
{
	struct store *s = new_store("jn1.db");
	struct import_stats st;
	struct lf_error err;
	char db[160], gone[192], wal[192];
	sqlite3 *other;

	(void)state;
	snprintf(db, sizeof(db), "%s/jn1.db", dir);
	snprintf(gone, sizeof(gone), "%s-journal", db);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	assert_int_equal(run_import(s, variant("j1.csv", 3, "x,y", NULL, 0),
	    NULL, CSV_ENC_AUTO, &st, &err), -1);
	assert_string_equal(journal_of(db), "wal");
	assert_int_equal(access(gone, F_OK), -1);
	assert_int_equal(persons(s), 0);
	if (run_import(s, good, NULL, CSV_ENC_AUTO, &st, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(persons(s), 3);
	/* nothing went through the log */
	assert_int_equal(file_size(wal), 0);
	assert_string_equal(journal_of(db), "wal");
	assert_int_equal(access(gone, F_OK), -1);
	store_close(s);

	/* another connection holds the file open: the load stays in WAL */
	s = new_store("jn2.db");
	snprintf(db, sizeof(db), "%s/jn2.db", dir);
	assert_int_equal(sqlite3_open(db, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "SELECT count(*) FROM persons",
	    NULL, NULL, NULL), SQLITE_OK);
	if (run_import(s, good, NULL, CSV_ENC_AUTO, &st, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(persons(s), 3);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	assert_true(file_size(wal) > 0);
	assert_string_equal(journal_of(db), "wal");
	sqlite3_close(other);
	store_close(s);
}

static void
test_alloc_sweep(void **state)
{
	struct store *s = new_store("m.db");
	struct import_stats st;
	struct lf_error err;
	const char *path = variant("m.csv", 4, NULL, NULL, 0);
	long n, failures = 0;
	int rc = -1;

	(void)state;
	for (n = 0; n < 20000 && rc != 0; n++) {
		mem_fail_after(n);
		rc = run_import(s, path, NULL, CSV_ENC_AUTO, &st, &err);
		mem_fail_after(-1);
		if (rc != 0) {
			failures++;
			assert_non_null(err.code);
			assert_int_equal(persons(s), 0);
		}
	}
	assert_int_equal(rc, 0);
	assert_true(failures > 20);
	assert_int_equal(persons(s), 2);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_export_corrupt),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_change_reason),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_skip_bad),
		cmocka_unit_test(test_unknown_id_region),
		cmocka_unit_test(test_bulk_journal),
		cmocka_unit_test(test_alloc_sweep),
	};

	return cmocka_run_group_tests_name("import", tests, group_setup,
	    group_teardown);
}

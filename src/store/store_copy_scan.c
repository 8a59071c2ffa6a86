/*
 * store_copy_scan.c - a copy's source read year by year, either backend
 * (store_copy.h): the range of survey years, and every survey of a year
 * with its person and every item opened (SQLite: store_scan_surveys();
 * PostgreSQL: the export's cursor, each row's sealed values opened as
 * it comes).
 */
#include "store/store_copy.h"
#include "store/store_int.h"
#include "store/pg/pg_int.h"

#include "lib/mem.h"

static int
sqlite_years(struct store *s, int *lo, int *hi, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(min(year), 0), "
	    "coalesce(max(year), 0) FROM surveys", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "survey years", err);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*lo = sqlite3_column_int(st, 0);
		*hi = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_sqlite_error(s, "survey years",
	    err);
}

int
store_copy_years(struct store *s, int *lo, int *hi, struct lf_error *err)
{
	*lo = *hi = 0;
	return s->pg != NULL ? pg_survey_years(s, lo, hi, err) :
	    sqlite_years(s, lo, hi, err);
}

/* The cursor's rows, each opened, to fn; what fn returns when not 0. */
static int
cursor_rows(struct store *s, struct store_cursor *c, struct record *r,
    struct store_sealed *sv, store_scan_fn fn, void *arg,
    struct lf_error *err)
{
	struct store_person p;
	int rc;

	while ((rc = store_cursor_next(c, &p, r, sv, err)) == 1) {
		if (store_sealed_open(s, sv, r, err) != 0)
			return lf_error_prefix(err, "surveys: person %lld: ",
			    (long long)p.id);
		if ((rc = fn(arg, &p, r)) != 0)
			return rc;
	}
	return rc;
}

static int
pg_scan(struct store *s, int year, store_scan_fn fn, void *arg,
    struct lf_error *err)
{
	struct store_cursor *c = NULL;
	struct store_sealed *sv;
	struct record *r;
	int rc = -1;

	r = record_new(s->cat);
	sv = store_sealed_new(s->cat);
	if (r == NULL || sv == NULL)
		lf_error_nomem(err);
	else if (store_cursor_open(s, year, NULL, &c, err) == 0) {
		rc = cursor_rows(s, c, r, sv, fn, arg, err);
		store_cursor_close(c);
	}
	store_sealed_free(sv);
	record_free(r);
	return rc;
}

int
store_copy_scan(struct store *s, int year, store_scan_fn fn, void *arg,
    struct lf_error *err)
{
	if (s->pg != NULL)
		return pg_scan(s, year, fn, arg, err);
	return store_scan_surveys(s, year, NULL, fn, arg, err);
}

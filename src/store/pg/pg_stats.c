/*
 * pg_stats.c - a year of the registry for the statistics engine, read
 * from PostgreSQL (stats_load.h).
 *
 * One statement reads every person joined to the year's survey, its
 * non-secret columns only (nothing is decrypted), in person id order,
 * streamed row by row (libpq's single-row mode), and hands each person
 * to the engine as stats_load.c does for SQLite. Plans and service items
 * are not kept on PostgreSQL yet, so no person has any (docs/
 * postgresql.md). Rows the role may not see under row-level security are
 * not read: the engine then holds the caller's county only.
 */
#include "store/pg/pg_int.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "stats/stats.h"

#define PROGRESS_EVERY	16384

enum { PC_ID, PC_REGION, PC_STATUS, PC_SURVEY, PC_FIELDS };

static int
load_sql(const struct catalog *cat, struct buf *b)
{
	size_t i;

	if (buf_adds(b, "SELECT p.id, p.region, p.status, v.person_id IS NOT "
	    "NULL") != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++)
		if (!cat->fields[i].secret &&
		    buf_addf(b, ", v.%s", cat->fields[i].code) != 0)
			return -1;
	return buf_adds(b, " FROM persons p LEFT JOIN surveys v ON v.city = "
	    "p.city AND v.county = p.county AND v.person_id = p.id AND "
	    "v.year = $1 ORDER BY p.id");
}

static int
corrupt(const struct field *f, const char *id, struct lf_error *err)
{
	return lf_error_set(err, "corrupt", f ? f->code : "", "数据库中的值"
	    "无效 (stored value is invalid: person %s, %s)", id,
	    f ? f->code : "region");
}

/* Field f of r from its text v. */
static int
field_text(struct record *r, const struct field *f, const char *v,
    const char *id, struct lf_error *err)
{
	int days;

	switch (f->type) {
	case FT_TEXT:
	case FT_REGION:
		if (record_set_str(r, f->index, v) != 0)
			return lf_error_nomem(err);
		if (f->type == FT_REGION)
			r->num[f->index] = strtoll(v, NULL, 10);
		return 0;
	case FT_DATE:
		if (date_parse(v, &days) != 0)
			return corrupt(f, id, err);
		record_set_num(r, f->index, days);
		return 0;
	default:
		record_set_num(r, f->index, strtoll(v, NULL, 10));
		return 0;
	}
}

static int
survey_text(const struct catalog *cat, const PGresult *res, struct record *r,
    struct lf_error *err)
{
	const char *id = PQgetvalue(res, 0, PC_ID);
	size_t i;
	int col = PC_FIELDS;

	for (i = 0; i < cat->nfields; i++) {
		if (cat->fields[i].secret)
			continue;	/* not selected */
		if (!PQgetisnull(res, 0, col)) {
			if (field_text(r, &cat->fields[i], PQgetvalue(res, 0,
			    col), id, err) != 0)
				return -1;
		} else if (r->set[i])
			record_unset(r, (int)i);
		col++;
	}
	return 0;
}

/* The person of the single row res to the engine. */
static int
person_row(struct store *s, struct stats *st, const PGresult *res,
    struct record *r, struct lf_error *err)
{
	const char *village = PQgetvalue(res, 0, PC_REGION);
	int surveyed = PQgetvalue(res, 0, PC_SURVEY)[0] == 't';
	int64_t id = strtoll(PQgetvalue(res, 0, PC_ID), NULL, 10);

	if (strlen(village) != 12)
		return corrupt(NULL, PQgetvalue(res, 0, PC_ID), err);
	if (surveyed && survey_text(s->cat, res, r, err) != 0)
		return -1;
	return stats_person_set(st, id, village, atoi(PQgetvalue(res, 0,
	    PC_STATUS)), surveyed ? r : NULL, err);
}

/* Reads the rows of the sent query into the engine; drains the
 * connection whatever happens. */
static int
read_rows(struct store *s, struct stats *st, int64_t total,
    void (*progress)(void *, int64_t, int64_t), void *arg,
    struct lf_error *err)
{
	PGconn *c = s->pg->conn;
	struct record *r = record_new(s->cat);
	PGresult *res;
	int64_t done = 0;
	int rc = r == NULL ? lf_error_nomem(err) : 0;

	while ((res = PQgetResult(c)) != NULL) {
		if (rc == 0 && PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
			rc = person_row(s, st, res, r, err);
			if (progress && ++done % PROGRESS_EVERY == 0)
				progress(arg, done, total);
		} else if (rc == 0 && PQresultStatus(res) != PGRES_TUPLES_OK)
			rc = pg_error(c, res, "statistics", err);
		PQclear(res);
	}
	if (rc == 0 && progress)
		progress(arg, done, total);
	record_free(r);
	return rc;
}

int
pg_stats_load(struct store *s, struct stats *st,
    void (*progress)(void *arg, int64_t done, int64_t total), void *arg,
    struct lf_error *err)
{
	char year[16];
	const char *params[1] = { year };
	struct buf sql;
	PGresult *res;
	int64_t total = 0;
	int own, rc = -1;

	snprintf(year, sizeof(year), "%d", stats_year(st));
	buf_init(&sql, 1 << 16);
	if (load_sql(s->cat, &sql) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (progress && pg_count(s, "persons", &total, err) != 0)
		goto out;
	if ((own = pg_tx_begin(s, 0, err)) < 0)
		goto out;
	if (!PQsendQueryParams(s->pg->conn, buf_str(&sql), 1, NULL, params,
	    NULL, NULL, 0) || !PQsetSingleRowMode(s->pg->conn)) {
		pg_error(s->pg->conn, NULL, "statistics", err);
		while ((res = PQgetResult(s->pg->conn)) != NULL)
			PQclear(res);
		pg_tx_end(s, own, NULL);
		goto out;
	}
	rc = read_rows(s, st, total, progress, arg, err);
	if (pg_tx_end(s, own, rc == 0 ? err : NULL) != 0)
		rc = -1;
out:
	buf_free(&sql);
	return rc;
}

/*
 * pg_stats.c - a year of the registry for the statistics engine, read
 * from PostgreSQL (stats_load.h).
 *
 * One statement reads every person joined to the year's survey, its
 * non-secret columns only (nothing is decrypted), in person id order,
 * streamed row by row (libpq's single-row mode), and hands each person
 * to the engine as stats_load.c does for SQLite, with the status of the
 * person's plan of the year and their items of the year, aggregated by
 * the server into one text column per person (one line an item, in seq
 * order), whose codes stats_load.c decodes as it does SQLite's rows.
 * Rows the role may not see under row-level security are not read: the
 * engine then holds the caller's county only.
 */
#include "store/pg/pg_int.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "stats/stats.h"
#include "stats/stats_load.h"

#define PROGRESS_EVERY	16384

enum { PC_ID, PC_REGION, PC_STATUS, PC_SURVEY, PC_PLAN, PC_ITEMS,
	PC_FIELDS };

/* The fields of an item line, '|' between them (codes hold none). */
#define ITEM_LINE	"coalesce(policy, '') || '|' || coalesce(dept, '') " \
	"|| '|' || decision || '|' || status || '|' || effect || '|' || " \
	"month || '|' || funds_planned || '|' || funds_spent || '|' || " \
	"coalesce(needs, '')"
#define ITEM_FIELDS	9

struct loader {
	struct store		*s;
	struct stats		*st;
	pg_items_fn		 items;
	void			*items_arg;
	struct record		*r;
	struct buf		 text;		/* a person's item lines */
	struct stats_item_text	*v;
	size_t			 nv, vcap;
};

int
pg_survey_cols(const struct catalog *cat, const char *alias, struct buf *b)
{
	size_t i;

	for (i = 0; i < cat->nfields; i++)
		if (!cat->fields[i].secret &&
		    buf_addf(b, ", %s.%s", alias, cat->fields[i].code) != 0)
			return -1;
	return 0;
}

static int
load_sql(const struct catalog *cat, struct buf *b)
{
	if (buf_adds(b, "SELECT p.id, p.region, p.status, v.person_id IS NOT "
	    "NULL, coalesce(pl.status, 0), i.lines") != 0 ||
	    pg_survey_cols(cat, "v", b) != 0)
		return -1;
	return buf_adds(b, " FROM persons p LEFT JOIN surveys v ON v.city = "
	    "p.city AND v.county = p.county AND v.person_id = p.id AND "
	    "v.year = $1 LEFT JOIN plans pl ON pl.city = p.city AND "
	    "pl.county = p.county AND pl.person_id = p.id AND pl.year = $1 "
	    "LEFT JOIN (SELECT city, county, person_id, string_agg(" ITEM_LINE
	    ", E'\\n' ORDER BY seq) AS lines FROM items WHERE year = $1 "
	    "GROUP BY city, county, person_id) i ON i.city = p.city AND "
	    "i.county = p.county AND i.person_id = p.id ORDER BY p.id");
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

int
pg_survey_read(const struct catalog *cat, const PGresult *res, int row,
    int col, struct record *r, const char *id, struct lf_error *err)
{
	size_t i;

	for (i = 0; i < cat->nfields; i++) {
		if (cat->fields[i].secret)
			continue;	/* not selected */
		if (!PQgetisnull(res, row, col)) {
			if (field_text(r, &cat->fields[i], PQgetvalue(res, row,
			    col), id, err) != 0)
				return -1;
		} else if (r->set[i])
			record_unset(r, (int)i);
		col++;
	}
	return 0;
}

/* One item line (changed in place) into v; -1 when it is malformed. */
static int
item_line(char *line, struct stats_item_text *v)
{
	char *f[ITEM_FIELDS];
	int n = 0;

	f[n++] = line;
	for (; *line != '\0' && n < ITEM_FIELDS; line++)
		if (*line == '|') {
			*line = '\0';
			f[n++] = line + 1;
		}
	if (n != ITEM_FIELDS)
		return -1;
	v->policy = f[0];
	v->dept = f[1];
	v->decision = atoi(f[2]);
	v->status = atoi(f[3]);
	v->effect = atoi(f[4]);
	v->month = atoi(f[5]);
	v->planned = strtoll(f[6], NULL, 10);
	v->spent = strtoll(f[7], NULL, 10);
	v->needs = f[8];
	return 0;
}

/* The person's plan status and item lines to the load's items sink. */
static int
person_items(struct loader *ld, int64_t id, const PGresult *res,
    struct lf_error *err)
{
	int plan = atoi(PQgetvalue(res, 0, PC_PLAN));
	char *p, *e;

	ld->nv = 0;
	buf_reset(&ld->text);
	if (!PQgetisnull(res, 0, PC_ITEMS) &&
	    buf_adds(&ld->text, PQgetvalue(res, 0, PC_ITEMS)) != 0)
		return lf_error_nomem(err);
	for (p = ld->text.len > 0 ? ld->text.data : NULL; p != NULL; p = e) {
		if ((e = strchr(p, '\n')) != NULL)
			*e++ = '\0';
		if (mem_grow(&ld->v, &ld->vcap, ld->nv + 1, sizeof(*ld->v),
		    SIZE_MAX) != 0)
			return lf_error_nomem(err);
		if (item_line(p, &ld->v[ld->nv++]) != 0)
			return corrupt(NULL, PQgetvalue(res, 0, PC_ID), err);
	}
	if (plan == 0 && ld->nv == 0)
		return 0;
	return ld->items(ld->items_arg, id, plan, ld->v, ld->nv, err);
}

/* The person of the single row res to the engine. */
static int
person_row(struct loader *ld, const PGresult *res, struct lf_error *err)
{
	const char *village = PQgetvalue(res, 0, PC_REGION);
	const char *sid = PQgetvalue(res, 0, PC_ID);
	int surveyed = PQgetvalue(res, 0, PC_SURVEY)[0] == 't';
	int64_t id = strtoll(sid, NULL, 10);

	if (strlen(village) != 12)
		return corrupt(NULL, sid, err);
	if (surveyed && pg_survey_read(ld->s->cat, res, 0, PC_FIELDS, ld->r,
	    sid, err) != 0)
		return -1;
	if (stats_person_set(ld->st, id, village, atoi(PQgetvalue(res, 0,
	    PC_STATUS)), surveyed ? ld->r : NULL, err) != 0)
		return -1;
	return person_items(ld, id, res, err);
}

/* Reads the rows of the sent query into the engine; drains the
 * connection whatever happens. */
static int
read_rows(struct loader *ld, int64_t total,
    void (*progress)(void *, int64_t, int64_t), void *arg,
    struct lf_error *err)
{
	PGconn *c = ld->s->pg->conn;
	PGresult *res;
	int64_t done = 0;
	int rc = 0;

	while ((res = PQgetResult(c)) != NULL) {
		if (rc == 0 && PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
			rc = person_row(ld, res, err);
			if (progress && ++done % PROGRESS_EVERY == 0)
				progress(arg, done, total);
		} else if (rc == 0 && PQresultStatus(res) != PGRES_TUPLES_OK)
			rc = pg_error(c, res, "statistics", err);
		PQclear(res);
	}
	if (rc == 0 && progress)
		progress(arg, done, total);
	return rc;
}

static int
load(struct loader *ld, const char *sql, void (*progress)(void *, int64_t,
    int64_t), void *arg, struct lf_error *err)
{
	char year[16];
	const char *params[1] = { year };
	struct store *s = ld->s;
	PGresult *res;
	int64_t total = 0;
	int own, rc;

	snprintf(year, sizeof(year), "%d", stats_year(ld->st));
	if (progress && pg_count(s, "persons", &total, err) != 0)
		return -1;
	if ((own = pg_tx_begin(s, 0, err)) < 0)
		return -1;
	if (!PQsendQueryParams(s->pg->conn, sql, 1, NULL, params, NULL, NULL,
	    0) || !PQsetSingleRowMode(s->pg->conn)) {
		pg_error(s->pg->conn, NULL, "statistics", err);
		while ((res = PQgetResult(s->pg->conn)) != NULL)
			PQclear(res);
		pg_tx_end(s, own, NULL);
		return -1;
	}
	rc = read_rows(ld, total, progress, arg, err);
	if (pg_tx_end(s, own, rc == 0 ? err : NULL) != 0)
		rc = -1;
	return rc;
}

int
pg_stats_load(struct store *s, struct stats *st, pg_items_fn items,
    void *items_arg, void (*progress)(void *arg, int64_t done,
    int64_t total), void *arg, struct lf_error *err)
{
	struct loader ld;
	struct buf sql;
	int rc = -1;

	memset(&ld, 0, sizeof(ld));
	ld.s = s;
	ld.st = st;
	ld.items = items;
	ld.items_arg = items_arg;
	buf_init(&sql, 1 << 16);
	buf_init(&ld.text, (size_t)1 << 30);
	if ((ld.r = record_new(s->cat)) == NULL || load_sql(s->cat, &sql) != 0)
		lf_error_nomem(err);
	else
		rc = load(&ld, buf_str(&sql), progress, arg, err);
	record_free(ld.r);
	mem_free(ld.v);
	buf_free(&ld.text);
	buf_free(&sql);
	return rc;
}

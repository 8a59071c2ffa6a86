/*
 * pg_cursor.c - store.h's survey cursor on PostgreSQL (export): a year's
 * surveys with their persons, in person order, streamed in libpq's
 * single-row mode from one query inside one read-only transaction (so
 * one snapshot, scoped by liangfu.region), each row's secrets left
 * sealed for store_sealed_open() on the export's other threads.
 */
#include "store/pg/pg_int.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

/* columns before the survey's items */
#define CC_ID		0
#define CC_UID		1
#define CC_NAME		2
#define CC_GENDER	3
#define CC_BIRTH	4
#define CC_REGION	5
#define CC_STATUS	6
#define CC_VERSION	7
#define CC_HASH		8
#define CC_ITEMS	9

struct pgcursor {
	struct store	*s;
	int		 year;
	int		 own;		/* began the transaction */
	int		 open;		/* rows may still come */
	size_t		 nopen;		/* items that are not secret */
};

static int
cursor_sql(const struct catalog *cat, const struct region *in,
    struct buf *q)
{
	size_t i;

	if (buf_adds(q, "SELECT p.id, p.uid, p.name, p.gender, "
	    "p.birth_date::text, p.region, p.status, p.version, p.id_hash")
	    != 0 || pg_survey_cols(cat, "v", q) != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++)
		if (cat->fields[i].secret && buf_addf(q, ", v.%s_enc",
		    cat->fields[i].code) != 0)
			return -1;
	if (buf_adds(q, " FROM surveys v JOIN persons p ON p.city = v.city "
	    "AND p.county = v.county AND p.id = v.person_id WHERE v.year = "
	    "$1::smallint") != 0)
		return -1;
	if (in != NULL && buf_adds(q, " AND p.region >= $2 AND p.region < $3")
	    != 0)
		return -1;
	return buf_adds(q, " ORDER BY v.person_id");
}

/* Reads what is left of the query's results. */
static void
drain(PGconn *c)
{
	PGresult *r;

	while ((r = PQgetResult(c)) != NULL)
		PQclear(r);
}

int
pg_cursor_open(struct store *s, int year, const struct region *in,
    struct pgcursor **out, struct lf_error *err)
{
	struct pgcursor *c = mem_calloc(1, sizeof(*c));
	char y[16], lo[24], hi[24];
	const char *params[3] = { y, lo, hi };
	PGconn *conn = s->pg->conn;
	struct buf q;
	size_t i;
	int ok;

	*out = NULL;
	buf_init(&q, 1 << 20);
	if (c == NULL || cursor_sql(s->cat, in, &q) != 0) {
		mem_free(c);
		buf_free(&q);
		return lf_error_nomem(err);
	}
	c->s = s;
	c->year = year;
	for (i = 0; i < s->cat->nfields; i++)
		c->nopen += !s->cat->fields[i].secret;
	snprintf(y, sizeof(y), "%d", year);
	if (in != NULL)
		store_region_range(in, lo, hi);
	if ((c->own = pg_tx_begin(s, 0, err)) < 0) {
		mem_free(c);
		buf_free(&q);
		return -1;
	}
	ok = PQsendQueryParams(conn, buf_str(&q), in != NULL ? 3 : 1, NULL,
	    params, NULL, NULL, 0) == 1 && PQsetSingleRowMode(conn) == 1;
	buf_free(&q);
	if (!ok) {
		pg_error(conn, NULL, "scan", err);
		drain(conn);
		pg_tx_end(s, c->own, NULL);
		mem_free(c);
		return -1;
	}
	c->open = 1;
	*out = c;
	return 0;
}

/* Row 0 of res: the person into p, the open items into r, the sealed
 * ones into sv. */
static int
cursor_row(struct pgcursor *c, const PGresult *res, struct store_person *p,
    struct record *r, struct store_sealed *sv, struct lf_error *err)
{
	const struct catalog *cat = c->s->cat;
	char bind[BIND_LEN + 1];
	unsigned char *b;
	size_t i, n;
	int col = CC_ITEMS + (int)c->nopen, rc = 0;

	memset(p, 0, sizeof(*p));
	p->id = strtoll(PQgetvalue(res, 0, CC_ID), NULL, 10);
	snprintf(p->uid, sizeof(p->uid), "%s", PQgetvalue(res, 0, CC_UID));
	snprintf(p->name, sizeof(p->name), "%s", PQgetvalue(res, 0, CC_NAME));
	p->gender = atoi(PQgetvalue(res, 0, CC_GENDER));
	snprintf(p->birth_date, sizeof(p->birth_date), "%s",
	    PQgetvalue(res, 0, CC_BIRTH));
	snprintf(p->region, sizeof(p->region), "%s",
	    PQgetvalue(res, 0, CC_REGION));
	p->status = atoi(PQgetvalue(res, 0, CC_STATUS));
	p->version = strtoll(PQgetvalue(res, 0, CC_VERSION), NULL, 10);
	b = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0,
	    CC_HASH), &n);
	if (b == NULL)
		return lf_error_nomem(err);
	if (n != CRYPTO_HASH_LEN)
		rc = lf_error_set(err, "corrupt", "id_hash", "数据库中的值无效 "
		    "(stored value is invalid: lookup hash)");
	else
		fieldio_bind_of(b, bind);
	PQfreemem(b);
	if (rc != 0)
		return -1;
	store_sealed_bind(sv, bind, c->year);
	record_clear(r);
	if (pg_survey_read(cat, res, 0, CC_ITEMS, r, p->uid, err) != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++) {
		if (!cat->fields[i].secret)
			continue;
		if (PQgetisnull(res, 0, col)) {
			col++;
			continue;
		}
		b = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0,
		    col++), &n);
		if (b == NULL)
			return lf_error_nomem(err);
		rc = store_sealed_set(sv, i, b, n, err);
		PQfreemem(b);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
pg_cursor_next(struct pgcursor *c, struct store_person *p, struct record *r,
    struct store_sealed *sv, struct lf_error *err)
{
	PGconn *conn = c->s->pg->conn;
	PGresult *res;
	int rc;

	if (!c->open)
		return 0;
	res = PQgetResult(conn);
	if (res != NULL && PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
		rc = cursor_row(c, res, p, r, sv, err);
		PQclear(res);
		return rc != 0 ? -1 : 1;
	}
	c->open = 0;
	rc = res == NULL || PQresultStatus(res) == PGRES_TUPLES_OK ? 0 :
	    pg_error(conn, res, "scan", err);
	PQclear(res);
	drain(conn);
	return rc;
}

void
pg_cursor_close(struct pgcursor *c)
{
	PGconn *conn;
	PGcancel *k;
	char msg[256];

	if (c == NULL)
		return;
	conn = c->s->pg->conn;
	if (c->open) {	/* stopped early: cancel the rest */
		if ((k = PQgetCancel(conn)) != NULL) {
			PQcancel(k, msg, sizeof(msg));
			PQfreeCancel(k);
		}
		drain(conn);
	}
	/* read only: nothing to keep */
	pg_tx_end(c->s, c->own, NULL);
	mem_free(c);
}

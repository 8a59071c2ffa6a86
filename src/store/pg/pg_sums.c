/*
 * pg_sums.c - the PostgreSQL side of store_copy.h: the id sequences
 * after a copy, the survey years, a table's rows read by id in pages
 * (for its sum, or copied into SQLite), and every person's and survey's
 * canonical line summed, read by key in pages (surveys with every secret
 * opened with the store's keys, as SQLite's scan opens them).
 */
#include "store/pg/pg_int.h"
#include "store/store_int.h"
#include "store/store_copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE	"2000"

int
pg_seq_past(struct store *s, const char *table, int64_t last,
    struct lf_error *err)
{
	char id[24], seq[64];
	const char *params[2] = { seq, id };
	PGresult *r;

	snprintf(id, sizeof(id), "%lld", (long long)last);
	snprintf(seq, sizeof(seq), "%s_id_seq", table);
	if (pg_query(s->pg->conn, "SELECT setval($1::regclass, $2::bigint)",
	    2, params, &r, "ids", err) != 0)
		return -1;
	PQclear(r);
	return 0;
}

int
pg_rows_send(struct store *s, const char *table, const char *cols,
    struct buf *b, struct lf_error *err)
{
	struct buf sql;
	int rc;

	if (b->len == 0)
		return 0;
	buf_init(&sql, 1 << 16);
	if (pg_put_be(b, 0xffff, 2) != 0 || buf_addf(&sql, "COPY %s (city, "
	    "county, %s) FROM STDIN (FORMAT binary)", table, cols) != 0)
		rc = lf_error_nomem(err);
	else
		rc = pg_copy_send(s->pg->conn, buf_str(&sql), b->data, b->len,
		    table, err);
	buf_reset(b);
	buf_free(&sql);
	return rc;
}

/* table's columns but city and county, in byte order of their names,
 * as a select list into q (a time as SQLite keeps it:
 * "YYYY-MM-DDTHH:MM:SSZ"; a survey history row's entity_id left out,
 * STORE_COPY_SURVEY_REF); their names into names (PQclear()ed by the
 * caller through *res). */
static int
table_cols(struct store *s, const char *table, struct buf *q,
    PGresult **res, struct lf_error *err)
{
	const char *params[1] = { table }, *c;
	int i;

	if (pg_query(s->pg->conn, "SELECT column_name, data_type = 'timestamp "
	    "with time zone' FROM information_schema.columns WHERE "
	    "table_schema = current_schema() AND table_name = $1 AND "
	    "column_name NOT IN ('city', 'county') ORDER BY column_name "
	    "COLLATE \"C\"", 1, params, res, table, err) != 0)
		return -1;
	if (buf_adds(q, "SELECT ") != 0)
		return lf_error_nomem(err);
	for (i = 0; i < PQntuples(*res); i++) {
		c = PQgetvalue(*res, i, 0);
		if (strcmp(table, "history") == 0 && strcmp(c, "entity_id") == 0)
			c = STORE_COPY_SURVEY_REF;
		if ((strcmp(PQgetvalue(*res, i, 1), "t") == 0 ? buf_addf(q,
		    "%sto_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:"
		    "SS\"Z\"') AS %s", i ? ", " : "", c, c) : buf_addf(q,
		    "%s%s", i ? ", " : "", c)) != 0)
			return lf_error_nomem(err);
	}
	if (buf_addf(q, " FROM %s WHERE id > $1 ORDER BY id LIMIT "
	    PAGE, table) != 0)
		return lf_error_nomem(err);
	return PQntuples(*res) > 0 && PQntuples(*res) <= 64 ? 0 :
	    lf_error_set(err, "store", table, "表 %s 的列无法读取 (cannot "
	    "read the columns of %s)", table, table);
}

/* One page of rows to fn; last gets the last id, *n the rows. -1 with
 * err (fn's, or without an id column). */
static int
table_page(const PGresult *cols, const PGresult *r, pg_row_fn fn,
    void *arg, char *last, size_t lastlen, int *n, struct lf_error *err)
{
	const char *names[64], *v[64];
	int i, j, nc = PQntuples(cols), idcol = PQfnumber(r, "id");

	if (idcol < 0)
		return lf_error_set(err, "store", "id", "表无 id 列 (the table "
		    "has no id column)");
	for (j = 0; j < nc; j++)
		names[j] = PQgetvalue(cols, j, 0);
	*n = PQntuples(r);
	for (i = 0; i < *n; i++) {
		for (j = 0; j < nc; j++)
			v[j] = PQgetisnull(r, i, j) ? NULL : PQgetvalue(r, i, j);
		if (fn(arg, nc, names, v, err) != 0)
			return -1;
		snprintf(last, lastlen, "%s", PQgetvalue(r, i, idcol));
	}
	return 0;
}

int
pg_table_each(struct store *s, const char *table, pg_row_fn fn, void *arg,
    struct lf_error *err)
{
	char last[24] = "0";
	const char *params[1] = { last };
	PGresult *cols = NULL, *r = NULL;
	struct buf q;
	int n = 1, rc = -1, own;

	if ((own = pg_tx_begin(s, 0, err)) < 0)
		return -1;
	buf_init(&q, 1 << 16);
	if (table_cols(s, table, &q, &cols, err) != 0)
		goto out;
	while (n > 0) {
		PQclear(r);
		r = NULL;
		if (pg_query(s->pg->conn, buf_str(&q), 1, params, &r, table,
		    err) != 0 || table_page(cols, r, fn, arg, last,
		    sizeof(last), &n, err) != 0)
			goto out;
	}
	rc = 0;
out:
	PQclear(r);
	PQclear(cols);
	buf_free(&q);
	if (rc != 0)
		pg_tx_end(s, own, NULL);
	else
		rc = pg_tx_end(s, own, err);
	return rc;
}

struct tsum {
	struct store		*s;
	struct buf		*b;
	struct store_sum	*sum;
};

static int
row_sum(void *arg, int n, const char *const *names, const char *const *v,
    struct lf_error *err)
{
	struct tsum *t = arg;

	if (store_copy_cols_line(t->b, n, names, v) != 0 ||
	    store_copy_sum_add(t->s, t->sum, t->b) != 0)
		return lf_error_nomem(err);
	return 0;
}

int
pg_table_sum(struct store *s, const char *table, struct buf *b,
    struct store_sum *sum, struct lf_error *err)
{
	struct tsum t = { s, b, sum };

	return pg_table_each(s, table, row_sum, &t, err);
}

/* The binary COPY form of a PostgreSQL type: its width, or 't' a
 * timestamptz, 's' text; 0 another type. */
static char
kind_of(const char *type)
{
	static const struct {
		const char	*type;
		char		 kind;
	} kinds[] = {
		{ "bigint", 8 }, { "integer", 4 }, { "smallint", 2 },
		{ "text", 's' }, { "timestamp with time zone", 't' },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(type, kinds[i].type) == 0)
			return kinds[i].kind;
	return 0;
}

int
pg_col_kinds(struct store *s, const char *table, int n,
    const char *const *names, char *kinds, struct lf_error *err)
{
	const char *params[1] = { table };
	PGresult *r;
	int i, j;

	if (pg_query(s->pg->conn, "SELECT column_name, data_type FROM "
	    "information_schema.columns WHERE table_schema = current_schema() "
	    "AND table_name = $1", 1, params, &r, table, err) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		kinds[i] = 0;
		for (j = 0; j < PQntuples(r); j++)
			if (strcmp(PQgetvalue(r, j, 0), names[i]) == 0)
				kinds[i] = kind_of(PQgetvalue(r, j, 1));
		if (kinds[i] == 0)
			break;
	}
	PQclear(r);
	return i == n ? 0 : lf_error_set(err, "store", table, "表 %s 的列与 "
	    "PostgreSQL 的不符 (table %s: a column is missing on PostgreSQL "
	    "or of a type a copy does not carry)", table, table);
}

int
pg_survey_years(struct store *s, int *lo, int *hi, struct lf_error *err)
{
	PGresult *r;
	int own, rc;

	if ((own = pg_tx_begin(s, 0, err)) < 0)
		return -1;
	rc = pg_query(s->pg->conn, "SELECT coalesce(min(year), 0), "
	    "coalesce(max(year), 0) FROM surveys", 0, NULL, &r,
	    "survey years", err);
	if (rc == 0) {
		*lo = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
		*hi = (int)strtol(PQgetvalue(r, 0, 1), NULL, 10);
		PQclear(r);
		return pg_tx_end(s, own, err);
	}
	pg_tx_end(s, own, NULL);
	return -1;
}

static int unhex(const char *h, unsigned char *out, size_t max, size_t *n);

static int
num(const PGresult *res, int i, int col)
{
	return (int)strtol(PQgetvalue(res, i, col), NULL, 10);
}

/* Row i of persons into sum, its sealed ID number opened. */
static int
person_sum(struct store *s, const PGresult *res, int i, struct buf *b,
    struct record *r, struct store_sum *sum, struct lf_error *err)
{
	unsigned char h[CRYPTO_HASH_LEN], enc[SEALED_MAX];
	const char *pid = PQgetvalue(res, i, 0), *id;
	size_t n, elen;

	if (unhex(PQgetvalue(res, i, 2), h, sizeof(h), &n) != 0 ||
	    n != CRYPTO_HASH_LEN || unhex(PQgetvalue(res, i, 8), enc,
	    sizeof(enc), &elen) != 0)
		return lf_error_set(err, "corrupt", "id_hash", "persons: "
		    "person %s: 哈希或密文无效 (lookup hash or sealed value "
		    "malformed)", pid);
	if (store_copy_open_id(s, h, enc, elen, r, &id, err) != 0)
		return lf_error_prefix(err, "persons: person %s: ", pid);
	if (store_copy_person_line(b, strtoll(pid, NULL, 10),
	    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), id,
	    PQgetvalue(res, i, 3), num(res, i, 4), PQgetvalue(res, i, 5),
	    PQgetvalue(res, i, 6), num(res, i, 7)) != 0 ||
	    store_copy_sum_add(s, sum, b) != 0)
		return lf_error_nomem(err);
	return 0;
}

static int
persons_sum(struct store *s, struct buf *b, struct record *r,
    struct store_sum *sum, struct lf_error *err)
{
	PGresult *res;
	int i, rc = 0;

	if (pg_query(s->pg->conn, "SELECT id, uid, encode(id_hash, 'hex'), "
	    "name, gender, birth_date::text, region, status, encode(id_enc, "
	    "'hex') FROM persons", 0, NULL, &res, "persons", err) != 0)
		return -1;
	for (i = 0; rc == 0 && i < PQntuples(res); i++)
		rc = person_sum(s, res, i, b, r, sum, err);
	PQclear(res);
	return rc;
}

/* A page of surveys after (person, year): person id, year, the
 * person's lookup hash, the open items, then each secret's sealed
 * value (hex). */
static int
surveys_sql(const struct catalog *cat, struct buf *q)
{
	size_t i;

	if (buf_adds(q, "SELECT v.person_id, v.year, encode(p.id_hash, 'hex')")
	    != 0 || pg_survey_cols(cat, "v", q) != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++)
		if (cat->fields[i].secret && buf_addf(q, ", encode(v.%s_enc, "
		    "'hex')", cat->fields[i].code) != 0)
			return -1;
	return buf_adds(q, " FROM surveys v JOIN persons p ON p.city = v.city "
	    "AND p.county = v.county AND p.id = v.person_id WHERE "
	    "(v.person_id, v.year) > ($1::bigint, $2::int) ORDER BY "
	    "v.person_id, v.year LIMIT " PAGE);
}

static int
unhex(const char *h, unsigned char *out, size_t max, size_t *n)
{
	size_t len = strlen(h), i;
	unsigned int x;

	if (len % 2 != 0 || len / 2 > max)
		return -1;
	for (i = 0; i < len / 2; i++) {
		if (sscanf(h + 2 * i, "%2x", &x) != 1)
			return -1;
		out[i] = (unsigned char)x;
	}
	*n = len / 2;
	return 0;
}

/* The secrets of row i, from column col on, opened into r. */
static int
open_secrets(struct store *s, const PGresult *res, int i, int col,
    const char *bind, int year, struct record *r, struct lf_error *err)
{
	unsigned char blob[SEALED_MAX];
	const struct field *f;
	size_t k, n;

	for (k = 0; k < s->cat->nfields; k++) {
		f = &s->cat->fields[k];
		if (!f->secret)
			continue;
		if (!PQgetisnull(res, i, col)) {
			if (unhex(PQgetvalue(res, i, col), blob, sizeof(blob),
			    &n) != 0)
				return lf_error_set(err, "corrupt", f->code,
				    "密文无效 (sealed value malformed)");
			if (fieldio_open(s, blob, n, r, f, bind, year, err) != 0)
				return -1;
		}
		col++;
	}
	return 0;
}

/* One survey row into the sum. */
static int
survey_row_sum(struct store *s, const PGresult *res, int i, struct record *r,
    struct buf *b, struct store_sum *sum, struct lf_error *err)
{
	unsigned char h[CRYPTO_HASH_LEN];
	char bind[BIND_LEN + 1];
	const char *id = PQgetvalue(res, i, 0);
	int year = num(res, i, 1);
	size_t n, k, open = 0;

	for (k = 0; k < s->cat->nfields; k++)
		open += !s->cat->fields[k].secret;
	if (unhex(PQgetvalue(res, i, 2), h, sizeof(h), &n) != 0 ||
	    n != CRYPTO_HASH_LEN)
		return lf_error_set(err, "corrupt", "id_hash", "人员 %s 的哈希"
		    "无效 (person %s: lookup hash malformed)", id, id);
	fieldio_bind_of(h, bind);
	record_clear(r);
	if (pg_survey_read(s->cat, res, i, 3, r, id, err) != 0 ||
	    open_secrets(s, res, i, 3 + (int)open, bind, year, r, err) != 0)
		return lf_error_prefix(err, "surveys: person %s, %d: ", id, year);
	if (store_copy_survey_line(b, s->cat, strtoll(id, NULL, 10), year,
	    r) != 0 || store_copy_sum_add(s, sum, b) != 0)
		return lf_error_nomem(err);
	return 0;
}

static int
surveys_sum(struct store *s, struct buf *b, struct record *r,
    struct store_sum *sum, struct lf_error *err)
{
	char pid[24] = "0", year[16] = "0";
	const char *params[2] = { pid, year };
	struct buf q;
	PGresult *res = NULL;
	int i, n, rc = -1;

	buf_init(&q, (size_t)1 << 20);
	if (surveys_sql(s->cat, &q) != 0) {
		buf_free(&q);
		return lf_error_nomem(err);
	}
	do {
		PQclear(res);
		if (pg_query(s->pg->conn, buf_str(&q), 2, params, &res,
		    "surveys", err) != 0) {
			res = NULL;
			goto out;
		}
		n = PQntuples(res);
		for (i = 0; i < n; i++)
			if (survey_row_sum(s, res, i, r, b, sum, err) != 0)
				goto out;
		if (n > 0) {
			snprintf(pid, sizeof(pid), "%s", PQgetvalue(res, n - 1, 0));
			snprintf(year, sizeof(year), "%s",
			    PQgetvalue(res, n - 1, 1));
		}
	} while (n > 0);
	rc = 0;
out:
	PQclear(res);
	buf_free(&q);
	return rc;
}

int
pg_copy_sums(struct store *s, struct buf *b, struct store_sum *out,
    struct lf_error *err)
{
	struct record *r;
	int own, rc;

	if ((r = record_new(s->cat)) == NULL)
		return lf_error_nomem(err);
	if ((own = pg_tx_begin(s, 0, err)) < 0) {
		record_free(r);
		return -1;
	}
	rc = persons_sum(s, b, r, &out[STORE_SUM_PERSONS], err) != 0 ||
	    surveys_sum(s, b, r, &out[STORE_SUM_SURVEYS], err) != 0 ? -1 : 0;
	if (rc != 0)
		pg_tx_end(s, own, NULL);
	else
		rc = pg_tx_end(s, own, err);
	record_free(r);
	return rc;
}

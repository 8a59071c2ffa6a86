/*
 * pg_dbq.c - the PostgreSQL half of dbq.h: a statement translated to
 * $1..$n, run by PQexecParams (or PQexecPrepared for a kept one) with
 * text results, blobs sent binary, in its own transaction (pg_tx_begin()
 * sets the row-level security scope) or under a savepoint in the
 * caller's.
 */
#include "store/dbq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/mem.h"
#include "store/pg/pg_int.h"
#include "store/store_int.h"

/* 1 when sql only reads: it begins with SELECT, WITH or VALUES. */
static int
reads(const char *sql)
{
	static const char *const kw[] = { "select", "with", "values" };
	size_t i, n;

	sql += strspn(sql, " \t\r\n(");
	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++) {
		n = strlen(kw[i]);
		if (strncasecmp(sql, kw[i], n) == 0 && (sql[n] == '\0' ||
		    strchr(" \t\r\n(", sql[n]) != NULL))
			return 1;
	}
	return 0;
}

/* sql in PostgreSQL's form into *out (the caller frees it). */
static int
translate(struct dbq *q, const char *sql, char **out, struct lf_error *err)
{
	size_t len = strlen(sql) + 2 * (size_t)q->nparams + 1;

	if ((*out = mem_alloc(len)) == NULL)
		return lf_error_nomem(err);
	if (dbq_scan(sql, *out, len) != q->nparams) {
		mem_free(*out);
		*out = NULL;
		return lf_error_set(err, "internal", "", "SQL 转换失败 (%s: "
		    "cannot translate)", q->what);
	}
	return 0;
}

int
pg_dbq_prep(struct dbq *q, const char *sql, struct lf_error *err)
{
	q->write = !reads(sql);
	return translate(q, sql, &q->sql, err);
}

int
pg_dbq_keep(struct dbq *q, const char *sql, struct lf_error *err)
{
	struct pgstore *p = q->s->pg;
	char name[16], *pgsql = NULL;
	PGresult *r;
	int rc = 0;

	if (q->slot >= PG_DBQ_SLOTS)
		return lf_error_set(err, "internal", "", "语句槽无效 (%s: "
		    "no such statement slot)", q->what);
	/* prepared already: its parameter count kept (+ 1) and its kind */
	if (p->kept[q->slot] != 0) {
		q->nparams = p->kept[q->slot] - 1;
		q->write = p->kept_write[q->slot];
		return 0;
	}
	if (sql == NULL)
		return lf_error_set(err, "internal", "", "语句未准备 (%s: no "
		    "statement text)", q->what);
	q->write = !reads(sql);
	if ((q->nparams = dbq_scan(sql, NULL, 0)) < 0 ||
	    q->nparams > DBQ_MAX_PARAMS)
		return lf_error_set(err, "internal", "", "SQL 语句不符合通用"
		    "方言 (%s: not in dbq's dialect)", q->what);
	if (translate(q, sql, &pgsql, err) != 0)
		return -1;
	snprintf(name, sizeof(name), "dbq%d", q->slot);
	r = PQprepare(p->conn, name, pgsql, q->nparams, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = pg_error(p->conn, r, q->what, err);
	else {
		p->kept[q->slot] = (unsigned char)(q->nparams + 1);
		p->kept_write[q->slot] = (unsigned char)q->write;
	}
	PQclear(r);
	mem_free(pgsql);
	return rc;
}

int
pg_dbq_is_kept(const struct store *s, int slot)
{
	return slot < PG_DBQ_SLOTS && s->pg->kept[slot] != 0;
}

int
pg_dbq_param(struct dbq *q, int pos, const void *v, int len, int binary)
{
	q->vals[pos - 1] = v;
	q->lens[pos - 1] = v != NULL && binary ? len : 0;
	q->fmts[pos - 1] = binary;
	return 0;
}

/* The statement's result (PQexecParams or PQexecPrepared). */
static PGresult *
exec(struct dbq *q)
{
	PGconn *c = q->s->pg->conn;
	char name[16];

	if (q->slot < 0)
		return PQexecParams(c, q->sql, q->nparams, NULL, q->vals,
		    q->lens, q->fmts, 0);
	snprintf(name, sizeof(name), "dbq%d", q->slot);
	return PQexecPrepared(c, name, q->nparams, q->vals, q->lens, q->fmts,
	    0);
}

/* r's outcome: 0 ran, 2 a constraint refused it, -1 error with err. */
static int
outcome(struct dbq *q, PGresult *r, struct lf_error *err)
{
	ExecStatusType t = PQresultStatus(r);
	const char *state;

	if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK) {
		q->changes = strtoll(PQcmdTuples(r), NULL, 10);
		q->nrows = PQntuples(r);
		return 0;
	}
	state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (state != NULL && strncmp(state, "23", 2) == 0)
		return 2;
	/* a data exception's primary message quotes the value at fault
	 * ("invalid input syntax for type bigint: \"...\""): its code only */
	if (state != NULL && strncmp(state, "22", 2) == 0)
		return lf_error_set(err, "store", "", "PostgreSQL 错误 (%s): "
		    "数据无效 (a value the column does not take: SQLSTATE "
		    "%.5s)", q->what, state);
	return pg_error(q->s->pg->conn, r, q->what, err);
}

/* Runs the statement: in its own transaction outside one; a write in
 * the caller's (not bulk) under a savepoint. 0, 2 or -1. */
static int
run(struct dbq *q, struct lf_error *err)
{
	struct pgstore *p = q->s->pg;
	struct lf_error e;
	int own = 0, sp = 0, rc;

	if (!p->in_tx) {
		if ((own = pg_tx_begin(q->s, q->write, err)) < 0)
			return -1;
	} else if (q->write && !p->bulk) {
		if (pg_exec(p->conn, "SAVEPOINT dbq_stmt", q->what, err) != 0)
			return -1;
		sp = 1;
	}
	q->res = exec(q);
	rc = outcome(q, q->res, err);
	if (sp && rc == 0 && pg_exec(p->conn, "RELEASE SAVEPOINT dbq_stmt",
	    q->what, err) != 0)
		rc = -1;
	if (sp && rc != 0)
		pg_exec(p->conn, "ROLLBACK TO SAVEPOINT dbq_stmt; RELEASE "
		    "SAVEPOINT dbq_stmt", q->what, &e);
	if (own && pg_tx_end(q->s, own, rc == 0 ? err : NULL) != 0 && rc == 0)
		rc = -1;
	return rc;
}

int
pg_dbq_step(struct dbq *q, struct lf_error *err)
{
	int rc;

	if (!q->ran) {
		q->ran = 1;
		if ((rc = run(q, err)) != 0) {
			q->done = rc;
			return rc;
		}
	}
	if (++q->row < q->nrows)
		return 1;
	q->done = 1;
	return 0;
}

/* The current row, or -1 when there is none. */
static int
row_of(const struct dbq *q, int col)
{
	if (q->res == NULL || q->row < 0 || q->row >= q->nrows || col < 0 ||
	    col >= PQnfields(q->res))
		return -1;
	return q->row;
}

const char *
pg_dbq_text(struct dbq *q, int col)
{
	int row = row_of(q, col);

	if (row < 0 || PQgetisnull(q->res, row, col))
		return NULL;
	return PQgetvalue(q->res, row, col);
}

int64_t
pg_dbq_int64(struct dbq *q, int col)
{
	const char *t = pg_dbq_text(q, col);

	return t != NULL ? strtoll(t, NULL, 10) : 0;
}

/* bytea's hex text form ("\x0a1b...", what the server sends) into b,
 * decoded by libpq; -1 when it is not that form or memory runs out. */
static int
unhex(const char *t, struct dbq_blob *b)
{
	unsigned char *p;
	size_t n;
	int rc = -1;

	if (t[0] != '\\' || t[1] != 'x' || (p = PQunescapeBytea((const
	    unsigned char *)t, &n)) == NULL)
		return -1;
	if (mem_grow(&b->p, &b->cap, n + 1, 1, (size_t)1 << 30) == 0) {
		memcpy(b->p, p, n);
		b->len = n;
		rc = 0;
	}
	PQfreemem(p);
	return rc;
}

const void *
pg_dbq_blob(struct dbq *q, int col, size_t *n, int *bad)
{
	const char *t = pg_dbq_text(q, col);
	struct dbq_blob *b;
	int i;

	*n = 0;
	if (t == NULL)
		return NULL;
	if (q->blobs == NULL) {
		if ((q->blobs = mem_calloc((size_t)PQnfields(q->res),
		    sizeof(*q->blobs))) == NULL)
			goto bad;
		q->nblobs = PQnfields(q->res);
		for (i = 0; i < q->nblobs; i++)
			q->blobs[i].row = -1;
	}
	b = &q->blobs[col];
	if (b->row != q->row) {
		b->row = -1;
		if (unhex(t, b) != 0)
			goto bad;
		b->row = q->row;
	}
	*n = b->len;
	return b->p != NULL ? b->p : (const void *)"";
bad:
	if (bad != NULL)
		*bad = 1;
	return NULL;
}

void
pg_dbq_end(struct dbq *q)
{
	int i;

	PQclear(q->res);
	q->res = NULL;
	mem_free(q->sql);
	for (i = 0; i < q->nblobs; i++)
		mem_free(q->blobs[i].p);
	mem_free(q->blobs);
}

int
pg_dbq_tx_begin(struct store *s, int *tx, struct lf_error *err)
{
	struct pgstore *p = s->pg;

	*tx = 0;
	if (!p->in_tx) {
		if (pg_tx_begin(s, 1, err) < 0)
			return -1;
		*tx = 1;
		return 0;
	}
	if (p->bulk)
		return 0;
	if (pg_exec(p->conn, "SAVEPOINT dbq_tx", "savepoint", err) != 0)
		return -1;
	*tx = 2;
	return 0;
}

int
pg_dbq_tx_end(struct store *s, int tx, int rc, struct lf_error *err)
{
	struct pgstore *p = s->pg;
	struct lf_error e;

	if (tx == 1)
		return pg_tx_end(s, 1, rc == 0 ? err : NULL);
	if (tx != 2)
		return rc;
	if (rc == 0 && pg_exec(p->conn, "RELEASE SAVEPOINT dbq_tx",
	    "release", err) == 0)
		return 0;
	pg_exec(p->conn, "ROLLBACK TO SAVEPOINT dbq_tx; RELEASE SAVEPOINT "
	    "dbq_tx", "rollback", &e);
	return -1;
}

/*
 * dbq.c - the statement API of dbq.h: the dialect scanner, binding by
 * format, and the SQLite half (the PostgreSQL half is pg/pg_dbq.c).
 */
#include "store/dbq.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "store/pg/pg_int.h"
#include "store/store_int.h"

/* ---- the dialect ---------------------------------------------------- */

/* The end of the quoted run that starts at p (quote q, doubled inside);
 * NULL when unterminated. */
static const char *
quoted_end(const char *p, char q)
{
	for (p++; *p != '\0'; p++)
		if (*p == q) {
			if (p[1] != q)
				return p + 1;
			p++;
		}
	return NULL;
}

/* Appends n bytes of p to out (at *o, outlen in all); -1 when full. */
static int
put(char *out, size_t outlen, size_t *o, const char *p, size_t n)
{
	if (out == NULL)
		return 0;
	if (*o + n >= outlen)
		return -1;
	memcpy(out + *o, p, n);
	*o += n;
	return 0;
}

int
dbq_scan(const char *sql, char *out, size_t outlen)
{
	const char *p = sql, *e;
	char num[16];
	size_t o = 0;
	int n = 0, len;

	while (*p != '\0') {
		if (*p == '\'' || *p == '"') {
			if ((e = quoted_end(p, *p)) == NULL)
				return -1;
		} else if (p[0] == '-' && p[1] == '-')
			e = p + strcspn(p, "\n");
		else if (*p == '?') {
			if (p[1] >= '0' && p[1] <= '9')
				return -1;
			len = snprintf(num, sizeof(num), "$%d", ++n);
			if (put(out, outlen, &o, num, (size_t)len) != 0)
				return -1;
			p++;
			continue;
		} else
			e = p + 1;
		if (put(out, outlen, &o, p, (size_t)(e - p)) != 0)
			return -1;
		p = e;
	}
	if (out != NULL) {
		if (o >= outlen)
			return -1;
		out[o] = '\0';
	}
	return n;
}

int
dbq_in_tx(struct store *s)
{
	if (s->pg != NULL)
		return s->pg->in_tx;
	return !store_autocommit(s);
}

int
dbq_is_pg(const struct store *s)
{
	return s->pg != NULL;
}

void
dbq_auth(struct store *s, const char *login, int64_t user,
    const unsigned char *token)
{
	if (s->pg != NULL)
		pg_set_auth(s, login, user, token, 0);
}

int
dbq_auth_now(struct store *s, struct lf_error *err)
{
	return s->pg != NULL ? pg_settings_now(s, err) : 0;
}

/* ---- preparing (SQLite) --------------------------------------------- */

static void
init_q(struct store *s, struct dbq *q, const char *what)
{
	memset(q, 0, sizeof(*q));
	q->s = s;
	q->what = what;
	q->turn = 1;
	q->slot = -1;
	q->row = -1;
}

/* q->nparams from sql; -1 with err for a statement outside the dialect. */
static int
count(struct dbq *q, const char *sql, struct lf_error *err)
{
	if ((q->nparams = dbq_scan(sql, NULL, 0)) < 0)
		return lf_error_set(err, "internal", "", "SQL 语句不符合通用"
		    "方言 (%s: not in dbq's dialect: ?NNN or an unterminated "
		    "string)", q->what);
	if (q->nparams > DBQ_MAX_PARAMS)
		return lf_error_set(err, "internal", "", "SQL 参数过多 (%s: "
		    "more than %d parameters)", q->what, DBQ_MAX_PARAMS);
	return 0;
}

static int
start(struct store *s, struct dbq *q, const char *sql, const char *what,
    struct lf_error *err)
{
	init_q(s, q, what);
	return count(q, sql, err);
}

int
dbq_prep(struct store *s, struct dbq *q, const char *sql, const char *what,
    struct lf_error *err)
{
	if (start(s, q, sql, what, err) != 0)
		return -1;
	if (s->pg != NULL)
		return pg_dbq_prep(q, sql, err);
	if (sqlite3_prepare_v2(s->db, sql, -1, &q->st, NULL) != SQLITE_OK) {
		q->st = NULL;
		return store_sqlite_error(s, what, err);
	}
	q->write = !sqlite3_stmt_readonly(q->st);
	return 0;
}

int
dbq_keep(struct store *s, struct dbq *q, int slot, const char *sql,
    const char *what, struct lf_error *err)
{
	init_q(s, q, what);
	if (slot < 0 || slot >= NSTMT)
		return lf_error_set(err, "internal", "", "语句槽无效 (%s: "
		    "no such statement slot)", what);
	q->slot = slot;
	if (s->pg != NULL)
		return pg_dbq_keep(q, sql, err);
	/* prepared already (every request but the first): no scan */
	if (s->st[slot] == NULL) {
		if (sql == NULL)
			return lf_error_set(err, "internal", "", "语句未准备 "
			    "(%s: no statement text)", what);
		if (count(q, sql, err) != 0)
			return -1;
		if (sqlite3_prepare_v3(s->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[slot], NULL) != SQLITE_OK) {
			s->st[slot] = NULL;
			return store_sqlite_error(s, what, err);
		}
	}
	q->st = s->st[slot];
	q->nparams = sqlite3_bind_parameter_count(q->st);
	q->kept = 1;
	q->write = !sqlite3_stmt_readonly(q->st);
	return 0;
}

int
dbq_is_kept(const struct store *s, int slot)
{
	if (slot < 0 || slot >= NSTMT)
		return 0;
	return s->pg != NULL ? pg_dbq_is_kept(s, slot) : s->st[slot] != NULL;
}

void
dbq_no_turn(struct dbq *q)
{
	q->turn = 0;
}

/* ---- binding ---------------------------------------------------------- */

static int
bad_pos(struct dbq *q, int pos, struct lf_error *err)
{
	if (pos >= 1 && pos <= q->nparams && (q->st != NULL ||
	    q->s->pg != NULL))
		return 0;
	return lf_error_set(err, "internal", "", "SQL 参数位置无效 (%s: no "
	    "parameter %d)", q->what, pos);
}

/* SQLite's result of a bind, as dbq's. */
static int
bound(struct dbq *q, int rc, struct lf_error *err)
{
	return rc == SQLITE_OK ? 0 : store_sqlite_error(q->s, q->what, err);
}

int
dbq_query(struct store *s, struct dbq *q, const char *what,
    struct lf_error *err, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (dbq_prep(s, q, sql, what, err) != 0)
		return -1;
	va_start(ap, fmt);
	rc = dbq_vbind(q, err, fmt, ap);
	va_end(ap);
	return rc;
}

int
dbq_bind_text(struct dbq *q, int pos, const char *t, struct lf_error *err)
{
	if (bad_pos(q, pos, err) != 0)
		return -1;
	if (q->s->pg != NULL)
		return pg_dbq_param(q, pos, t, -1, 0);
	return bound(q, sqlite3_bind_text(q->st, pos, t, -1, SQLITE_STATIC),
	    err);
}

int
dbq_bind_int(struct dbq *q, int pos, int64_t v, struct lf_error *err)
{
	if (bad_pos(q, pos, err) != 0)
		return -1;
	if (q->s->pg != NULL) {
		snprintf(q->num[pos - 1], DBQ_NUM_LEN, "%lld", (long long)v);
		return pg_dbq_param(q, pos, q->num[pos - 1], -1, 0);
	}
	return bound(q, sqlite3_bind_int64(q->st, pos, v), err);
}

int
dbq_bind_double(struct dbq *q, int pos, double v, struct lf_error *err)
{
	if (bad_pos(q, pos, err) != 0)
		return -1;
	if (q->s->pg != NULL) {
		snprintf(q->num[pos - 1], DBQ_NUM_LEN, "%.17g", v);
		return pg_dbq_param(q, pos, q->num[pos - 1], -1, 0);
	}
	return bound(q, sqlite3_bind_double(q->st, pos, v), err);
}

int
dbq_bind_blob(struct dbq *q, int pos, const void *p, size_t n,
    struct lf_error *err)
{
	if (bad_pos(q, pos, err) != 0)
		return -1;
	if (n > INT32_MAX)
		return lf_error_set(err, "internal", "", "参数过大 (%s: a blob "
		    "over 2 GB)", q->what);
	if (q->s->pg != NULL)
		return pg_dbq_param(q, pos, p, (int)n, 1);
	/* a zero-length blob is a blob, not NULL */
	return bound(q, p == NULL ? sqlite3_bind_null(q->st, pos) :
	    sqlite3_bind_blob(q->st, pos, n ? p : "", (int)n, SQLITE_STATIC),
	    err);
}

int
dbq_bind_null(struct dbq *q, int pos, struct lf_error *err)
{
	return dbq_bind_text(q, pos, NULL, err);
}

int
dbq_vbind(struct dbq *q, struct lf_error *err, const char *fmt, va_list ap)
{
	const void *p;
	int i, rc = 0;

	for (i = 0; fmt[i] != '\0' && rc == 0; i++) {
		switch (fmt[i]) {
		case 't':
			rc = dbq_bind_text(q, i + 1, va_arg(ap, const char *),
			    err);
			break;
		case 'i':
			rc = dbq_bind_int(q, i + 1, va_arg(ap, int64_t), err);
			break;
		case 'd':
			rc = dbq_bind_double(q, i + 1, va_arg(ap, double),
			    err);
			break;
		case 'h':
			rc = dbq_bind_blob(q, i + 1, va_arg(ap, const void *),
			    CRYPTO_HASH_LEN, err);
			break;
		case 'b':
			p = va_arg(ap, const void *);
			rc = dbq_bind_blob(q, i + 1, p, va_arg(ap, size_t),
			    err);
			break;
		case 'n':
			rc = dbq_bind_null(q, i + 1, err);
			break;
		default:
			rc = lf_error_set(err, "internal", "", "绑定格式无效 "
			    "(%s: unknown bind letter)", q->what);
		}
	}
	return rc;
}

int
dbq_bind(struct dbq *q, struct lf_error *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = dbq_vbind(q, err, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- running (SQLite) ------------------------------------------------ */

/* Before the first step of a write: its own transaction when none is
 * open (store_autocommit() also ends a held read snapshot). */
static int
sq_begin(struct dbq *q, struct lf_error *err)
{
	if (!q->write || !store_autocommit(q->s) || !q->turn)
		return 0;
	if (store_tx_immediate(q->s, q->what, err) != 0)
		return -1;
	q->own = 1;
	return 0;
}

/* The end of a statement's run: rc 0 done, 2 refused, -1 failed; the
 * own transaction committed (0) or rolled back. */
static int
sq_finish(struct dbq *q, int rc, struct lf_error *err)
{
	struct lf_error e;

	q->done = rc == 0 ? 1 : rc;
	if (rc == 0)
		q->changes = sqlite3_changes64(q->s->db);
	if (q->own) {
		q->own = 0;
		if (store_tx_finish(q->s, rc == 0, rc == 0 ? err : &e) != 0 &&
		    rc == 0)
			q->done = rc = -1;
	}
	return rc;
}

static int
sq_step(struct dbq *q, struct lf_error *err)
{
	int rc;

	if (!q->ran) {
		q->ran = 1;
		if (sq_begin(q, err) != 0)
			return q->done = -1;
	}
	rc = sqlite3_step(q->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return sq_finish(q, 0, err);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return sq_finish(q, 2, err);
	store_sqlite_error(q->s, q->what, err);
	return sq_finish(q, -1, err);
}

int
dbq_step(struct dbq *q, struct lf_error *err)
{
	if (q->done != 0)
		return q->done == 1 ? 0 : q->done;
	if (q->s == NULL || (q->st == NULL && q->s->pg == NULL))
		return lf_error_set(err, "internal", "", "语句未准备 (statement "
		    "not prepared)");
	if (q->s->pg != NULL)
		return pg_dbq_step(q, err);
	return sq_step(q, err);
}

int
dbq_exec(struct dbq *q, struct lf_error *err)
{
	int rc;

	while ((rc = dbq_step(q, err)) == 1)
		;
	return rc;
}

/* ---- columns ---------------------------------------------------------- */

int64_t
dbq_int64(struct dbq *q, int col)
{
	if (q->s->pg != NULL)
		return pg_dbq_int64(q, col);
	return sqlite3_column_int64(q->st, col);
}

int
dbq_int(struct dbq *q, int col)
{
	return (int)dbq_int64(q, col);
}

double
dbq_double(struct dbq *q, int col)
{
	const char *t;

	if (q->s->pg == NULL)
		return sqlite3_column_double(q->st, col);
	t = pg_dbq_text(q, col);
	return t != NULL ? strtod(t, NULL) : 0.0;
}

int
dbq_is_null(struct dbq *q, int col)
{
	if (q->s->pg != NULL)
		return pg_dbq_text(q, col) == NULL;
	return sqlite3_column_type(q->st, col) == SQLITE_NULL;
}

const char *
dbq_text(struct dbq *q, int col)
{
	if (q->s->pg != NULL)
		return pg_dbq_text(q, col);
	return (const char *)sqlite3_column_text(q->st, col);
}

const char *
dbq_text0(struct dbq *q, int col)
{
	const char *t = dbq_text(q, col);

	return t != NULL ? t : "";
}

void
dbq_copy(struct dbq *q, int col, char *out, size_t len)
{
	const char *t = dbq_text0(q, col);
	size_t n;

	if (len == 0)
		return;
	n = strnlen(t, len - 1);	/* cut as snprintf(), store_copy_col() */
	memcpy(out, t, n);
	out[n] = '\0';
}

const void *
dbq_blob(struct dbq *q, int col, size_t *n, int *bad)
{
	const void *p;

	if (bad != NULL)
		*bad = 0;
	if (q->s->pg != NULL)
		return pg_dbq_blob(q, col, n, bad);
	p = sqlite3_column_blob(q->st, col);
	*n = p != NULL ? (size_t)sqlite3_column_bytes(q->st, col) : 0;
	/* SQLite gives NULL for an empty blob too */
	if (p == NULL && sqlite3_column_type(q->st, col) != SQLITE_NULL)
		return "";
	return p;
}

int64_t
dbq_changes(const struct dbq *q)
{
	return q->changes;
}

void
dbq_end(struct dbq *q)
{
	struct lf_error e;

	if (q == NULL || q->s == NULL)
		return;
	if (q->s->pg != NULL)
		pg_dbq_end(q);
	else if (q->kept)
		sqlite3_reset(q->st);
	else
		sqlite3_finalize(q->st);
	if (q->own)
		store_tx_finish(q->s, 0, &e);
	memset(q, 0, sizeof(*q));
}

/* ---- transactions and scripts ---------------------------------------- */

int
dbq_tx_begin(struct store *s, int *tx, struct lf_error *err)
{
	if (s->pg != NULL)
		return pg_dbq_tx_begin(s, tx, err);
	return store_tx_join(s, tx, err);
}

int
dbq_tx_end(struct store *s, int tx, int rc, struct lf_error *err)
{
	int end;

	if (s->pg != NULL)
		end = pg_dbq_tx_end(s, tx, rc, err);
	else
		end = store_tx_leave(s, tx, rc, err);
	return rc != 0 ? rc : end;
}

int
dbq_script(struct store *s, const char *sql, const char *what,
    struct lf_error *err)
{
	if (s->pg != NULL)
		return pg_exec(s->pg->conn, sql, what, err);
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlite_error(s, what, err);
	return 0;
}

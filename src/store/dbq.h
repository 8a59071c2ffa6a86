/*
 * dbq.h - one statement API over struct store for either backend
 * (issue 18: "no rule written twice"). A row function of store/ is written
 * once, in the common SQL dialect below, and runs on the store's SQLite
 * file or on its PostgreSQL database alike. Implemented by store/dbq.c
 * (the common part and SQLite) and store/pg/pg_dbq.c (libpq).
 *
 * The common dialect (what both SQLite 3.40 and PostgreSQL 15 accept with
 * the same meaning; a statement outside it is a bug, caught by the tests
 * that run every row function on both backends):
 *   - parameters are `?` only (no ?NNN, :name, @name or $n); a parameter
 *     used twice is bound twice. dbq_prep() refuses ?NNN. On PostgreSQL
 *     the statement is translated once to $1..$n (skipping '...' strings,
 *     "..." identifiers and -- comments).
 *   - PostgreSQL infers each parameter's type from its use. A parameter it
 *     cannot infer (`? IS NULL`, a bare `SELECT ?`, both sides of `||`)
 *     needs a CAST: `CAST(? AS text)`, `CAST(? AS bigint)`, which SQLite
 *     accepts too.
 *   - a new row's id by `INSERT ... RETURNING id` (SQLite 3.35 has
 *     RETURNING), never last_insert_rowid(); no rowid.
 *   - `INSERT ... ON CONFLICT (cols) DO NOTHING / DO UPDATE SET ...`
 *     instead of INSERT OR IGNORE / OR REPLACE.
 *   - integers (0/1) for booleans; integers for times (Unix seconds); text
 *     and blobs (PostgreSQL bytea). coalesce(), not ifnull(); substr(),
 *     length(), lower(), upper(), abs(), min()/max() of a column; no
 *     SQLite-only function (printf, instr, group_concat, julianday...)
 *     nor PostgreSQL-only one (::casts, ILIKE, string_agg...).
 *   - `WITH` is for reads only: a statement is a read when it begins with
 *     SELECT, WITH or VALUES (PostgreSQL: run READ ONLY), else a write.
 *
 * Transactions: inside the caller's transaction (store_begin(),
 * dbq_tx_begin(), a bulk transaction) a statement joins it. Outside one,
 * a statement runs in its own: on SQLite a write waits for the writers'
 * turn and runs BEGIN IMMEDIATE (store_tx_immediate(), as every single
 * write of the row files does; dbq_no_turn() opts out) and commits when
 * it has run to the end; a read runs as SQLite's autocommit statement
 * (or in the held snapshot, store_hold_begin()). On PostgreSQL
 * pg_tx_begin() and pg_tx_end() around it, so that liangfu.region (the
 * row-level security scope, store_set_scope()) is set for it. A write
 * inside the caller's PostgreSQL transaction runs under a savepoint, so
 * that a refused write (a constraint) leaves the transaction usable, as
 * on SQLite.
 *
 * Ownership: struct dbq lives in the caller (on the stack); dbq_end()
 * frees what it holds and is called after every dbq_prep() or dbq_keep(),
 * also one that failed (they set q up first), and may be called on a q
 * zeroed by the caller (`struct dbq q = { 0 }`) that was never prepared. Bound text and blobs
 * are not copied: they must live until the statement has run (its first
 * dbq_step()). Column text and blobs are owned by q and valid until the
 * next dbq_step() or dbq_end().
 *
 * Errors: -1 with err: code "store" (or "io" for a failing disk on
 * SQLite) naming `what` (the caller's name for the statement, never a
 * value) and the database's message; on PostgreSQL its primary message
 * only, never its DETAIL (which may quote row values).
 *
 * Threads: as struct store: one thread at a time per store.
 */
#ifndef LF_STORE_DBQ_H
#define LF_STORE_DBQ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct store;
struct sqlite3_stmt;
struct pg_result;

#define DBQ_MAX_PARAMS	40	/* `?` in one statement (an item's insert
				   on PostgreSQL: 31 columns, 2 keys) */
#define DBQ_NUM_LEN	32	/* an int64 or a double as text, with NUL */

struct dbq_blob {		/* a decoded bytea column (PostgreSQL) */
	unsigned char	*p;
	size_t		 len, cap;
	int		 row;	/* the row it was decoded from; -1 none */
};

struct dbq {
	struct store		*s;
	const char		*what;
	int			 nparams;	/* `?` counted */
	int			 write;		/* not a read (above) */
	int			 turn;		/* SQLite: a lone write takes
						   the writers' turn */
	int			 own;		/* ran in its own transaction
						   (still open on SQLite) */
	int			 ran;		/* executed (PostgreSQL) */
	int			 done;		/* stepped to the end */
	int64_t			 changes;
	/* SQLite */
	struct sqlite3_stmt	*st;
	int			 kept;		/* st is s->st[slot]: reset,
						   not finalized */
	/* PostgreSQL */
	char			*sql;		/* translated ($1..$n) */
	int			 slot;		/* kept: prepared "dbqN"; -1 */
	const char		*vals[DBQ_MAX_PARAMS];
	int			 lens[DBQ_MAX_PARAMS];
	int			 fmts[DBQ_MAX_PARAMS];	/* 1: binary */
	char			 num[DBQ_MAX_PARAMS][DBQ_NUM_LEN];
	struct pg_result	*res;
	int			 row;		/* the current row; -1 none */
	int			 nrows;
	struct dbq_blob		*blobs;		/* per column, on demand */
	int			 nblobs;
};

/*
 * Prepares sql (the common dialect) on the store's backend. 0, or -1 with
 * err ("internal" for a statement outside the dialect: ?NNN, more than
 * DBQ_MAX_PARAMS parameters). Call dbq_end() in either case.
 */
int	dbq_prep(struct store *s, struct dbq *q, const char *sql,
	    const char *what, struct lf_error *err);
/*
 * The same for a hot statement (every request): prepared once per
 * connection and kept until store_close(), in slot (store_int.h's enum
 * stmt_id; each slot holds one statement text for the store's life: the
 * text is read only the first time). On SQLite the statement is
 * s->st[slot], reset by dbq_end(); on PostgreSQL it is prepared on the
 * server once (PQprepare "dbq<slot>").
 */
int	dbq_keep(struct store *s, struct dbq *q, int slot, const char *sql,
	    const char *what, struct lf_error *err);
/* 1 when slot's statement is prepared already on this connection: a
 * caller that builds its text may then pass NULL for sql to dbq_keep()
 * and skip the building (every request but the first). */
int	dbq_is_kept(const struct store *s, int slot);
/* A write run outside a transaction goes without the writers' turn and
 * its own BEGIN IMMEDIATE on SQLite: SQLite's autocommit statement (a
 * one-row update on every request, which must not queue behind the
 * writers: the session touch). No effect on PostgreSQL. */
void	dbq_no_turn(struct dbq *q);

/*
 * Binding, by position (1..n) or in order by a format: one letter per
 * parameter, from the first: 't' const char * (NULL binds NULL), 'i'
 * int64_t, 'd' double, 'h' const unsigned char * of CRYPTO_HASH_LEN
 * bytes (a hash),
 * 'b' const void * then size_t (a blob; NULL binds NULL), 'n' NULL (no
 * argument). 0, or -1 with err ("internal" for a position out of range or
 * an unknown letter).
 */
/* dbq_prep() of sql named what, then dbq_bind() of the arguments after
 * fmt: 0 or -1 with err; the caller ends q either way. */
int	dbq_query(struct store *s, struct dbq *q, const char *what,
	    struct lf_error *err, const char *sql, const char *fmt, ...);
int	dbq_bind(struct dbq *q, struct lf_error *err, const char *fmt, ...);
int	dbq_vbind(struct dbq *q, struct lf_error *err, const char *fmt,
	    va_list ap);
int	dbq_bind_text(struct dbq *q, int pos, const char *t,
	    struct lf_error *err);
int	dbq_bind_int(struct dbq *q, int pos, int64_t v, struct lf_error *err);
int	dbq_bind_blob(struct dbq *q, int pos, const void *p, size_t n,
	    struct lf_error *err);
/* A double (SQLite REAL, PostgreSQL double precision: sent as the
 * text of 17 significant digits, which reads back to the same double). */
int	dbq_bind_double(struct dbq *q, int pos, double v,
	    struct lf_error *err);
int	dbq_bind_null(struct dbq *q, int pos, struct lf_error *err);

/*
 * Runs the statement (the first call) and moves to its next row: 1 a
 * row, 0 no more rows (a write: it has run; its own transaction is
 * committed), 2 a constraint refused it (SQLite SQLITE_CONSTRAINT,
 * PostgreSQL SQLSTATE class 23: nothing written; err left alone), -1
 * error with err. A write with RETURNING gives its rows, then 0: step it
 * to 0, or its own transaction on SQLite is rolled back by dbq_end().
 * After 0, 2 or -1, further calls return the same.
 */
int	dbq_step(struct dbq *q, struct lf_error *err);
/* Steps a statement to its end (no rows wanted): 0, 2 or -1 as above. */
int	dbq_exec(struct dbq *q, struct lf_error *err);

/* Columns of the current row, from 0. NULL reads 0; a column that is not
 * a number reads 0. */
int64_t	dbq_int64(struct dbq *q, int col);
int	dbq_int(struct dbq *q, int col);
int	dbq_is_null(struct dbq *q, int col);
/* A REAL / double precision column; NULL or not a number reads 0. */
double	dbq_double(struct dbq *q, int col);
/* The column's text, NULL for SQL NULL (dbq_text0: "" instead). */
const char *dbq_text(struct dbq *q, int col);
const char *dbq_text0(struct dbq *q, int col);
/* Copies the column's text ("" for NULL) into out, cut to len - 1 bytes
 * as snprintf() would (store_copy_col()'s rule). */
void	dbq_copy(struct dbq *q, int col, char *out, size_t len);
/* The column's bytes (a blob: PostgreSQL's bytea decoded into a buffer q
 * owns); *n gets the length. NULL for SQL NULL (and *n 0), and NULL with
 * *n 0 when memory runs out or the value is no bytea (*bad set to 1, may
 * be NULL). */
const void *dbq_blob(struct dbq *q, int col, size_t *n, int *bad);

/* The rows the write changed (after it ran). */
int64_t	dbq_changes(const struct dbq *q);
/* Frees what q holds; an own transaction not yet committed (a write not
 * stepped to its end) is rolled back. NULL or a zeroed q is fine. */
void	dbq_end(struct dbq *q);

/*
 * Transactions of several statements, on either backend: on SQLite
 * store_tx_join() and store_tx_leave() (a transaction of their own,
 * taking the writers' turn, or a savepoint in the caller's, none in bulk
 * mode); on PostgreSQL pg_tx_begin(s, write) or, inside a transaction, a
 * savepoint. dbq_tx_end() commits or releases when rc is 0 and rolls back
 * otherwise: it returns rc when rc is not 0, else 0 or -1 when the commit
 * fails.
 */
int	dbq_tx_begin(struct store *s, int *tx, struct lf_error *err);
int	dbq_tx_end(struct store *s, int tx, int rc, struct lf_error *err);

/* 1 when a transaction is open on the store (the caller's: store_begin(),
 * dbq_tx_begin(), a bulk one), so that a statement would join it; 0 when
 * it would run in its own. On SQLite a held read snapshot that no
 * store_read_begin() is using is ended first (store_autocommit()). */
int	dbq_in_tx(struct store *s);
/* 1 when the store is PostgreSQL's (the schema statements differ). */
int	dbq_is_pg(const struct store *s);
/*
 * The principal of a login or a session check, for PostgreSQL's
 * row-level security on users and sessions (format 6), which otherwise
 * shows the unscoped app role no account: the account of login (may be
 * NULL), of id user (0: none), the session whose token hash is token
 * (CRYPTO_HASH_LEN bytes, may be NULL) and its account. Added to what
 * was set; every later transaction of the store sets them, until the
 * next request's store_set_scope(s, NULL, ...) empties them. No effect
 * on SQLite, whose access checks are the C code's alone.
 */
void	dbq_auth(struct store *s, const char *login, int64_t user,
	    const unsigned char *token);
/*
 * What dbq_auth() and store_set_scope() set, applied at once to the
 * transaction open on the store (PostgreSQL: SET LOCAL), for a call that
 * learns its principal or scope inside the caller's transaction (a
 * self-service redemption finds its code, then reads its person);
 * outside a transaction the next one sets them anyway. 0, or -1 with
 * err. No effect on SQLite.
 */
int	dbq_auth_now(struct store *s, struct lf_error *err);
/* Runs sql (statements without parameters or rows, several allowed:
 * DDL) on either backend; 0 or -1 with err naming what. */
int	dbq_script(struct store *s, const char *sql, const char *what,
	    struct lf_error *err);

/* The SQL scanner (also for the tests): counts the `?` of sql outside
 * strings, identifiers and comments, and when out is not NULL writes the
 * PostgreSQL form ($1..$n) there (outlen bytes; it needs at most
 * strlen(sql) + 2 * count + 1). The count, or -1 for ?NNN or an
 * unterminated string, or when out is too small. */
int	dbq_scan(const char *sql, char *out, size_t outlen);

#endif

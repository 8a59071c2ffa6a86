/*
 * pg_int.h - private to store/: the PostgreSQL backend (issue 18).
 *
 * A store whose location starts "postgresql://" or "postgres://" keeps
 * its rows in PostgreSQL through libpq. struct store (store_int.h) then
 * has db == NULL and pg set; the catalog, regions, keys and person item
 * slots are filled as for SQLite, so store_prepare() (validation and
 * sealing, no database) is shared. The backend implements persistence
 * only: the schema (generated from the catalog, pg_schema.c), the bulk
 * write of prepared puts with binary COPY (pg_copy.c), the rows a
 * load's puts read and update (pg_put.c, pg_put_read.c, for
 * store_put.c's decisions), the survey cursor of export (pg_cursor.c),
 * the reading of a year for the statistics engine (pg_stats.c) and the
 * bulk plan build's rows (pg_plan.h). Every rule stays above it. Which
 * verbs run on PostgreSQL is listed in docs/postgresql.md; store_open()
 * refuses a PostgreSQL location, store_open_any() opens it for the
 * callers that only use those verbs.
 *
 * Keys: the key file never goes into the database; its path comes from
 * the environment variable LIANGFU_KEY_FILE.
 *
 * Errors: -1 with err, code "store" naming what failed and the server's
 * primary message only (never its DETAIL, which may quote row values).
 */
#ifndef LF_STORE_PG_PG_INT_H
#define LF_STORE_PG_PG_INT_H

#include <postgresql/libpq-fe.h>
#include <stdint.h>
#include <time.h>

#include "crypto/crypto.h"
#include "lib/buf.h"
#include "core/catalog.h"
#include "lib/error.h"
#include "core/region.h"

struct store;
struct store_prep;
struct store_put_result;
struct store_person_row;
struct packrec_sealed;
struct record;
struct pgput;
struct stats;
struct policies;

/* Statement slots dbq_keep() may use (store_int.h's NSTMT fits). */
#define PG_DBQ_SLOTS	128

struct pgstore {
	PGconn		*conn;
	char		*url;		/* for a reader's own connection */
	int		 in_tx;
	int		 bulk;
	int		 puts;		/* a write transaction with put
					   state: bulk, or store_begin()'s
					   or a single put's (pg_begin()) */
	int		 locked;	/* the load lock is held (a single
					   put that took a person id) */
	int64_t		 next_id;	/* bulk: the next person id */
	int64_t		 ids_left;	/* ids taken from the sequence */
	struct buf	 persons;	/* bulk: pending COPY rows */
	struct buf	 surveys;
	struct buf	 history;
	size_t		 pending;	/* rows in the buffers and
					   staged updates */
	struct pgput	*put;		/* bulk: pg_put.c's state */
	char		 now[21];	/* bulk: the transaction's time */
	char		 scope[13];	/* liangfu.region of each transaction */
	/* the principal of a login or a session check (pg_set_auth()):
	 * liangfu.login, liangfu.user, liangfu.token of each transaction */
	char		 auth_login[64];
	char		 auth_user[24];
	char		 auth_token[2 * CRYPTO_HASH_LEN + 1];
	/* the plan build's plans and items of persons cache_lo..hi of
	 * cache_year, read in one go (pg_plan.c); NULL when none */
	PGresult	*cache_plans, *cache_items;
	int64_t		 cache_lo, cache_hi;
	int		 cache_year;
	/* the cached items rows of the person last asked for
	 * (pg_plan_items_light()), [light_from, light_to) */
	int		 light_from, light_to;
	/* dbq_keep()'s statements prepared on this connection ("dbqN"):
	 * 0 not yet, else its parameter count + 1 */
	unsigned char	 kept[PG_DBQ_SLOTS];
	unsigned char	 kept_write[PG_DBQ_SLOTS];	/* not a read */
};
/* The columns of cache_items: PLAN_LIGHT_COLS (the item's id first),
 * then these. */
#define PG_ITEM_PERSON	12
#define PG_ITEM_CITY	13
#define PG_ITEM_COUNTY	14

/* pg_advisory_xact_lock's key: one load at a time (SQLite has one
 * writer too), so that a load can give back the person ids it took and
 * did not use (liangfu_ids_back(), pg_schema.c, checks that its caller
 * holds it), and new persons are numbered after the largest, as on
 * SQLite */
#define PG_LOAD_LOCK	"7103823446"
/* pg_advisory_xact_lock's key: one plan build at a time (pg_plan.c);
 * liangfu_plan_ids() (pg_schema.c), which moves plans_id_seq or
 * items_id_seq, checks that its caller holds it */
#define PG_PLAN_LOCK	"7103823445"

/* Rows (persons, surveys, staged survey updates, history) a bulk load
 * gathers before it sends them. */
#define PG_FLUSH_ROWS	4096
/* PG_FLUSH_ROWS; in a test build (LF_TESTING) LF_PG_FLUSH_ROWS, when set
 * to a number from 1, instead (pg_copy.c). */
size_t	pg_flush_rows(void);

/* 1 when location names a PostgreSQL database. */
int	pg_location(const char *location);

/* pg_conn.c: connecting, commands, errors. */
int	pg_connect(const char *url, PGconn **out, struct lf_error *err);
/* Runs sql (no parameters, several statements allowed). */
int	pg_exec(PGconn *c, const char *sql, const char *what,
	    struct lf_error *err);
/* Runs sql with text parameters; *out gets the tuples (caller
 * PQclear()s). */
int	pg_query(PGconn *c, const char *sql, int n, const char *const *params,
	    PGresult **out, const char *what, struct lf_error *err);
/* Sets err from a failed result (or the connection when r is NULL);
 * -1. */
int	pg_error(PGconn *c, const PGresult *r, const char *what,
	    struct lf_error *err);
/* Runs copy_sql (a COPY ... FROM STDIN) with data as its input. */
int	pg_copy_send(PGconn *c, const char *copy_sql, const char *data,
	    size_t len, const char *what, struct lf_error *err);
/* The key file's path from LIANGFU_KEY_FILE; NULL with err. */
const char *pg_keyfile(struct lf_error *err);

/* pg_schema.c: the DDL of a new registry into b. */
int	pg_schema_sql(const struct catalog *cat, const struct regions *rs,
	    struct buf *b);
/* The DDL that brings a registry of format 1 to 4 to this format
 * (pg_store.c): the persons(id_hash) and plans(id) indexes, the users
 * id sequence, the sessions table and their row-level security,
 * liangfu_ids_back(), liangfu_plan_ids(), the audit log (store/audit.c's
 * audit_pg_schema_sql()) and the app role's grants;
 * every statement may run again. */
int	pg_schema_upgrade_sql(struct buf *b);
/* pg_feedback.c: the tables of feedback and self-service (format 7),
 * partitioned by the cities of rs, or of the regions table when rs is
 * NULL (an upgrade); every statement may run again. */
int	pg_feedback_sql(const struct regions *rs, struct buf *b);
/* pg_watch.c (stats_gen.h): format 7's statement triggers that send
 * NOTIFY liangfu_stats when persons, surveys, plans or items change (at
 * commit); every statement may run again. pg_stats_listen() subscribes
 * the store's connection; pg_stats_notified(): 1 when a change was
 * notified since the last call, or the connection was lost and made
 * again (it listens again; anything may have changed), 0 when not, -1
 * with err when the server cannot be reached. */
int	pg_stats_watch_sql(struct buf *b);
int	pg_stats_listen(struct store *s, struct lf_error *err);
int	pg_stats_notified(struct store *s, struct lf_error *err);
/* pg_rowtables.c: the spot checks' and findings' tables (format 7),
 * derived from SQLite's; may run again. After the persons partitions. */
int	pg_rowtables_sql(struct buf *b);
/* Fills the reference tables (regions, catalog items, policies). */
int	pg_reference_load(PGconn *c, const struct catalog *cat,
	    const struct regions *rs, const struct policies *ps,
	    struct lf_error *err);
/* pg_recon.c: the tables of reconciliation and need-supply matching
 * (format 7), every statement idempotent; after the person tables'
 * partitions and liangfu_scope(). */
int	pg_recon_schema_sql(struct buf *b);
/* PostgreSQL type of a non-secret field's column. */
const char *pg_field_type(const struct field *f);

/* pg_store.c: the store verbs on PostgreSQL. */
int	pg_store_create(const char *url, const struct catalog *cat,
	    struct lf_error *err);
int	pg_store_open(struct store *s, const char *url, struct lf_error *err);
void	pg_store_close(struct store *s);
int	pg_begin_bulk(struct store *s, struct lf_error *err);
/* store_begin() on PostgreSQL: a write transaction (READ COMMITTED,
 * liangfu.region set to the scope) for single puts (pg_put_single_*()),
 * without the load lock (taken only by a put that needs a new person
 * id, until the transaction ends). */
int	pg_begin(struct store *s, struct lf_error *err);
/* Commits (sending what is queued first); a commit that fails rolls
 * back (store_commit()'s rule: the caller need not). */
int	pg_commit(struct store *s, struct lf_error *err);
void	pg_rollback(struct store *s);
int	pg_count(struct store *s, const char *what, int64_t *n,
	    struct lf_error *err);
/* The region code (2..12 digits) pg_tx_begin() sets. */
int	pg_set_scope(struct store *s, const char *region, struct lf_error *err);
/* The principal row-level security lets the app role see before the
 * user's region is known (format 6, pg_schema.c's users_sql): the
 * account of login, of id user (> 0), the session of token (its hash,
 * CRYPTO_HASH_LEN bytes) and its account; each NULL or 0 left as it is,
 * all emptied first when clear. pg_set_scope(s, NULL) empties them. */
void	pg_set_auth(struct store *s, const char *login, int64_t user,
	    const unsigned char *token, int clear);
/* Begins a transaction (read only unless write) and sets liangfu.region
 * for it (SET LOCAL) to the store's scope; row-level security shows the
 * application's role nothing without it. Inside a bulk transaction,
 * nothing (begun at pg_begin_bulk). 1 begun, 0 joined, -1 error. */
int	pg_tx_begin(struct store *s, int write, struct lf_error *err);
/* Sets the store's scope and principal, as they are now, for the
 * transaction open on the store (SET LOCAL), when one is; else
 * nothing: the next pg_tx_begin() sets them. 0 or -1. */
int	pg_settings_now(struct store *s, struct lf_error *err);
/* Ends what pg_tx_begin() returned own for (commit; on failure
 * rollback). */
int	pg_tx_end(struct store *s, int own, struct lf_error *err);

/* pg_copy.c: binary COPY fields (big-endian; NULL p: SQL NULL) and a
 * prepared put as binary COPY rows (bulk only). */
#define PG_COPY_HEADER_LEN	19
extern const char pg_copy_header[PG_COPY_HEADER_LEN];
int	pg_put_be(struct buf *b, uint64_t v, int bytes);
int	pg_put_field(struct buf *b, const void *p, size_t n);
int	pg_put_text(struct buf *b, const char *s);
int	pg_put_int(struct buf *b, int64_t v, int bytes);
int	pg_put_time(struct buf *b, time_t now);
/* The start of a row of ncols fields (the COPY header first when b is
 * empty): the city and county of village number region. */
int	pg_row_head(struct buf *b, int ncols, int64_t region);
int	pg_write(struct store *s, const struct store_prep *prep,
	    struct store_put_result *res, struct lf_error *err);
/* Sends the pending rows (persons, surveys, history, then the staged
 * survey updates). */
int	pg_copy_flush(struct store *s, struct lf_error *err);

/* The rows of a new person and of a survey (version given) as binary
 * COPY rows: the person into s->pg->persons, the survey into b (whose
 * table's columns pg_surveys_copy_sql() lists); region is the person's
 * village (its city and county key the row). */
int	pg_person_row(struct store *s, const struct store_prep *prep,
	    const char *region, int64_t id, const char *uid, int status,
	    time_t now);
int	pg_survey_row(struct store *s, struct buf *b,
	    const struct store_prep *prep, const char *region,
	    int64_t person_id, int64_t version, time_t now);
int	pg_surveys_copy_sql(const struct catalog *cat, const char *table,
	    struct buf *b);
/* Sends b's rows (ended here) by the COPY sql, as they are (no scope:
 * pg_copy_flush() sends the guarded tables' rows); b emptied. */
int	pg_send_rows(struct store *s, struct buf *b, const char *sql,
	    struct lf_error *err);
/* The next person id from persons_id_seq (taken a block at a time). */
int	pg_next_person_id(struct pgstore *p, int64_t *id,
	    struct lf_error *err);

/*
 * pg_put.c, pg_put_read.c (pg_put.h): the rows a bulk load's puts read and
 * write on PostgreSQL. store_put.c decides (new person or update, the
 * reason rule, the change sets, the version check) for both backends and
 * calls these where SQLite runs its statements. pg_put_begin() starts a
 * load (after BEGIN; it waits for the loads lock, held to the end of the
 * transaction: one load at a time), pg_put_commit() gives the person ids
 * the load took and did not use back to persons_id_seq (before COMMIT,
 * under the lock: the next load numbers its new persons on from the
 * largest, as SQLite does), pg_put_rollback() gives back every id a failed
 * load took (rolling back to the savepoint pg_put_begin() made, still
 * under the lock; the caller then rolls back), pg_put_end() forgets the
 * load (commit or rollback), pg_put_free() at close.
 *
 * pg_put_ahead() (store_write_ahead()): reads the persons of the preps
 * about to be written, with their stored surveys, in one round trip.
 * pg_put_find(): the person with prep's ID number, with their stored
 * survey of the put's year, else of the latest earlier year (its secrets
 * opened, their sealed values kept for the history), as the announced
 * batch read them, else read alone; 0 found, 1 new, -1 error. A load into
 * a registry that held no person when it began asks the server only for
 * persons it has put already; before reading a person it has put, the
 * pending rows are sent. pg_put_stored() and pg_put_survey() give that
 * survey (store_reason.c's "of the year, else the latest earlier", and the
 * year's own): 0, 1 when there is none. pg_put_person_new() and
 * pg_put_survey_new() add COPY rows (new rows); pg_put_person_upd()
 * updates the person row at once (its version checked; a move to another
 * county is refused: "unsupported"); pg_put_survey_upd() stages the
 * survey's new values (version checked when sent); pg_put_history() adds a
 * COPY row to history, in the county of the person being put.
 * pg_put_flush() sends the staged survey updates (through a temporary
 * table and one UPDATE; "conflict" when a survey's version moved
 * meanwhile): pg_copy_flush() calls it after the COPY rows.
 */
int	pg_in_bulk(const struct store *s);
int	pg_put_begin(struct store *s, struct lf_error *err);
int	pg_put_commit(struct store *s, struct lf_error *err);
void	pg_put_rollback(struct store *s);
void	pg_put_end(struct store *s);
void	pg_put_free(struct store *s);
/* The connection was replaced (pg_reconnect()): the puts' reads are
 * prepared again on the new one. */
void	pg_put_lost(struct store *s);
int	pg_put_ahead(struct store *s, const struct store_prep *const *preps,
	    size_t n, struct lf_error *err);
int	pg_put_find(struct store *s, const struct store_prep *prep,
	    struct store_person_row *p, struct lf_error *err);
int	pg_put_stored(struct store *s, int64_t person_id, int year,
	    struct record *old, struct lf_error *err);
int	pg_put_survey(struct store *s, int year, const struct record **old,
	    const struct packrec_sealed **sealed, int64_t *version);
int	pg_put_person_new(struct store *s, const struct store_prep *prep,
	    struct store_person_row *p, struct lf_error *err);
int	pg_put_person_upd(struct store *s, const struct store_person_row *old,
	    const struct store_person_row *n, const char *actor,
	    const char *now, struct lf_error *err);
int	pg_put_survey_new(struct store *s, const struct store_prep *prep,
	    const struct store_person_row *p, struct lf_error *err);
int	pg_put_survey_upd(struct store *s, const struct store_prep *prep,
	    const struct store_person_row *p, int64_t version, const char *now,
	    struct lf_error *err);
int	pg_put_history(struct store *s, const char *entity, int64_t entity_id,
	    int64_t person_id, int year, int64_t version, const char *actor,
	    const char *changes, struct lf_error *err);
int	pg_put_flush(struct store *s, struct lf_error *err);
/*
 * A single put (store_write() outside a bulk load, issue 18): the same
 * rows as a load's, for one person, sent before it returns (so that a
 * conflict or a refused row is this put's). pg_put_single_begin():
 * outside a transaction begins one of its own (pg_begin(); 1), inside
 * store_begin()'s a savepoint (0); -1 with err (also inside a read-only
 * or bulk transaction: "internal"). pg_put_single_end(): with rc 0
 * commits (own) or releases the savepoint; else rolls back either, the
 * put's queued rows dropped, and returns -1. A new person's id is taken
 * under the load lock (pg_put_person_new()): a load may be giving ids
 * back meanwhile (liangfu_ids_back()); the lock is held to the end of
 * the transaction, no longer.
 */
int	pg_put_single_begin(struct store *s, struct lf_error *err);
int	pg_put_single_end(struct store *s, int own, int rc,
	    struct lf_error *err);

/*
 * pg_dbq.c: the PostgreSQL half of store/dbq.h, called by dbq.c for a
 * store with pg set. prep and keep translate the statement (keep
 * prepares it on the server once per slot); param records a parameter
 * (not copied; binary for blobs); step runs it at the first call and
 * moves through the rows; text, int64 and blob read the current row's
 * columns; end frees. tx_begin and tx_end: dbq_tx_begin()/_end() (tx 1
 * own transaction, 2 savepoint, 0 joined a bulk transaction).
 */
struct dbq;
int	pg_dbq_prep(struct dbq *q, const char *sql, struct lf_error *err);
int	pg_dbq_keep(struct dbq *q, const char *sql, struct lf_error *err);
/* 1 when dbq_keep() prepared slot's statement on this connection. */
int	pg_dbq_is_kept(const struct store *s, int slot);
int	pg_dbq_param(struct dbq *q, int pos, const void *v, int len,
	    int binary);
int	pg_dbq_step(struct dbq *q, struct lf_error *err);
const char *pg_dbq_text(struct dbq *q, int col);
int64_t	pg_dbq_int64(struct dbq *q, int col);
const void *pg_dbq_blob(struct dbq *q, int col, size_t *n, int *bad);
void	pg_dbq_end(struct dbq *q);
int	pg_dbq_tx_begin(struct store *s, int *tx, struct lf_error *err);
int	pg_dbq_tx_end(struct store *s, int tx, int rc, struct lf_error *err);

/* pg_cursor.c: store_cursor_open(), _next() and _close() on PostgreSQL
 * (store.h): the year's surveys in person order, streamed from one query
 * in one read-only transaction; the connection serves nothing else until
 * pg_cursor_close() (which cancels a query stopped early). */
struct pgcursor;
struct store_person;
struct store_sealed;
struct region;
int	pg_cursor_open(struct store *s, int year, const struct region *in,
	    struct pgcursor **out, struct lf_error *err);
int	pg_cursor_next(struct pgcursor *c, struct store_person *p,
	    struct record *r, struct store_sealed *sv, struct lf_error *err);
void	pg_cursor_close(struct pgcursor *c);

/* pg_read.c: a person's survey row as store_read_survey.c reads it.
 * pg_read_survey_cols(): ", v.<item>" for each item that is not secret,
 * then ", v.<item>_enc" for each secret one (catalog order). pg_read_
 * survey(): those columns of dbq q's current row, from column col on,
 * into r (cleared by the caller): secrets opened with bind and year, or
 * in their masked form (packrec_mask()) when masked. 0, or -1 with err
 * ("corrupt" naming the item whose sealed value does not open). */
int	pg_read_survey_cols(const struct store *s, struct buf *b);
int	pg_read_survey(struct store *s, struct dbq *q, int col,
	    struct record *r, const char *bind, int year, int masked,
	    struct lf_error *err);
/* pg_store.c: a connection found broken (the server restarted, the
 * network failed) is replaced by a new one: pg_lost() 1 when the
 * connection is broken; pg_reconnect() connects again (statements kept
 * by dbq_keep() are prepared again on first use, no transaction is
 * open). 0, or -1 with err "unavailable". */
int	pg_lost(const struct store *s);
int	pg_reconnect(struct store *s, struct lf_error *err);

/* pg_sums.c (store_copy.h). pg_seq_past() moves <table>_id_seq to last
 * (the largest id a copy carried). pg_copy_sums(): every person's and
 * survey's canonical line (surveys with every secret opened) summed into
 * out. pg_rows_send(): b's binary COPY rows (pg_row_head()) into table's
 * (city, county, cols), b emptied. pg_table_each(): every row of table in
 * id order to fn (0 to go on, -1 with err to stop), every column but city
 * and county in byte order of their names, as text (NULL: NULL; a
 * timestamptz as SQLite keeps times, "YYYY-MM-DDTHH:MM:SSZ"), in one
 * read-only transaction (or the caller's). pg_table_sum(): those rows
 * summed. pg_survey_years(): the smallest and largest survey year (0 and
 * 0 when none). pg_col_kinds(): how each of the n named columns of table
 * goes in binary COPY, into kinds: 8, 4 or 2 (bigint, integer, smallint:
 * the width), 't' timestamptz, 's' text; -1 with err naming the table
 * when a column is missing or of another type. */
struct store_sum;
typedef int (*pg_row_fn)(void *arg, int n, const char *const *names,
	    const char *const *v, struct lf_error *err);
int	pg_table_each(struct store *s, const char *table, pg_row_fn fn,
	    void *arg, struct lf_error *err);
int	pg_survey_years(struct store *s, int *lo, int *hi,
	    struct lf_error *err);
int	pg_col_kinds(struct store *s, const char *table, int n,
	    const char *const *names, char *kinds, struct lf_error *err);
int	pg_seq_past(struct store *s, const char *table, int64_t last,
	    struct lf_error *err);
int	pg_copy_sums(struct store *s, struct buf *b, struct store_sum *out,
	    struct lf_error *err);
int	pg_rows_send(struct store *s, const char *table, const char *cols,
	    struct buf *b, struct lf_error *err);
int	pg_table_sum(struct store *s, const char *table, struct buf *b,
	    struct store_sum *sum, struct lf_error *err);

/* pg_stats.c: the engine's year from the registry (stats_load.h);
 * items hands each person's plan and items over (stats_load.c decodes
 * their codes). */
struct stats_item_text;
typedef int (*pg_items_fn)(void *arg, int64_t person_id, int plan,
	    const struct stats_item_text *v, size_t n, struct lf_error *err);
int	pg_stats_load(struct store *s, struct stats *st, pg_items_fn items,
	    void *items_arg,
	    void (*progress)(void *arg, int64_t done, int64_t total),
	    void *arg, struct lf_error *err);
/* ", A.code" for each item of the catalog that is not secret. */
int	pg_survey_cols(const struct catalog *cat, const char *alias,
	    struct buf *b);
/* Those columns of row of res, from column col on, into r (an unset
 * column unsets the item); id names the person in an error. */
struct record;
int	pg_survey_read(const struct catalog *cat, const PGresult *res,
	    int row, int col, struct record *r, const char *id,
	    struct lf_error *err);

#endif

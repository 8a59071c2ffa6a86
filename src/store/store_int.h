/*
 * store_int.h - private to store/: the SQLite connection and the mapping
 * from catalog fields to survey-table columns.
 */
#ifndef LF_STORE_STORE_INT_H
#define LF_STORE_STORE_INT_H

/*
 * The registry's format tag (meta.format). 2: the items' texts interned
 * (plan.c), so that an older binary, which knows only 1, refuses the file
 * instead of showing text ids as texts. A file of format 1 is opened and
 * brought to 2 by the interning's migration (in its transaction).
 */
#define STORE_FORMAT_TAG	"liangfu-registry 2"
#define STORE_FORMAT_OLD	"liangfu-registry 1"

/* How long a connection of the store waits for a lock (busy timeout). */
#define STORE_BUSY_MS	10000

#include <sqlite3.h>

#include "lib/buf.h"
#include "crypto/crypto.h"
#include "store/packrec.h"
#include "store/store.h"

/* Statements prepared once per connection. */
#define ST_PLAN_SLOTS	24
enum stmt_id {
	ST_PERSON_FIND, ST_PERSON_FIND_ID, ST_PERSON_INS, ST_SURVEY_INS_ID,
	ST_SURVEY_LATEST, ST_PERSON_UPD, ST_SURVEY_FIND,
	ST_SURVEY_INS, ST_SURVEY_UPD, ST_HIST_INS, ST_SAVEPOINT, ST_RELEASE,
	ST_ROLLBACK_TO, ST_PERSON_BY_UID, ST_SURVEY_YEARS, ST_PERSON_BIND,
	ST_READ_BEGIN, ST_READ_END, ST_SURVEY_ALL, ST_PERSON_SEALED,
	/* store_read.c's person lookups, prepared on first use */
	ST_PERSON_BY_ID, ST_PERSON_BY_HASH,
	/* stats_load.c's refresh, prepared on first use */
	ST_STATS_PERSON, ST_STATS_ITEMS,
	/* users_rows.c's session read (every request), prepared on first use */
	ST_USERS_SESSION, ST_USERS_TOUCH,
	/* audit.c's appends (the newest entry, the insert, PostgreSQL's
	 * appenders' lock), prepared on first use */
	ST_AUDIT_HEAD, ST_AUDIT_INSERT, ST_AUDIT_LOCK,
	/* recon_rows.c's roster rows and task inserts, prepared on first
	 * use */
	ST_RECON_ROWS, ST_RECON_TASK,
	/* plan*.c's own (plan_int.h names them), prepared on first use */
	ST_PLAN_BASE, NSTMT = ST_PLAN_BASE + ST_PLAN_SLOTS
};

struct pgstore;
struct bulk_ids;

struct store {
	sqlite3			*db;		/* NULL on PostgreSQL */
	struct pgstore		*pg;		/* store/pg/pg_int.h, or NULL */
	const struct catalog	*cat;
	const struct regions	*regions;
	struct crypto_keys	*keys;
	sqlite3_stmt		*st[NSTMT];
	struct record		*old;		/* scratch for updates */
	struct store_prep	*prep;		/* scratch for store_survey_put */
	int			 in_tx;
	int			 gated;		/* has the writers' turn
						   (store_gate.c) */
	int			 bulk;		/* no savepoints per write */
	unsigned		 reindex;	/* bulk dropped these indexes
						   (bit i: schema_indexes[i]) */
	int64_t			 next_sid;	/* bulk: the next survey id */
	int			 bulk_fk;	/* bulk turned foreign keys off */
	int			 gen_held;	/* bulk turned triggers off: */
	int64_t			 gen_moves;	/* the write counter's moves
						   since (store_sqlite.c) */
	struct bulk_ids		*ids;		/* bulk into an empty registry:
						   store_bulkids.c */
	int			 rollback_journal; /* bulk left WAL for now */
	/* catalog items that make up the person row */
	int			 f_id, f_name, f_gender, f_birth, f_region;
	int			 f_card;	/* the certificate number, whose
						   hash is a column; -1 none */
	struct packrec_set	*packs;		/* catalog versions of records */
	struct packrec_sealed	*sealed;	/* scratch, per field */
	/* held read snapshots (store_hold.c) */
	int64_t			 hold_ns;	/* 0: off */
	int			 held;		/* a snapshot is held */
	int64_t			 held_at;	/* CLOCK_MONOTONIC ns it began */
	uint64_t		 held_gen;	/* store_hold_gen() then */
	int			 wrote;		/* a write tx since the last
						   end (store_tx_immediate) */
	int			 quiet;		/* writes stale no snapshot */
};

/*
 * Held snapshots (store_hold.c). store_autocommit() is what every "is a
 * transaction open?" question of the write paths asks: it first drops a
 * held snapshot that no store_read_begin() is using, so that a write never
 * joins (and upgrades) it; then sqlite3_get_autocommit(). store_hold_wrote()
 * is called when a write transaction ends (store_tx_released()): it moves
 * the process's write generation on, which stales every held snapshot.
 */
int	store_autocommit(struct store *s);
void	store_hold_wrote(struct store *s);
/* Moves the write generation on for a write made outside
 * store_tx_immediate() that later requests must see (a session ended). */
void	store_hold_bump(void);
/* store_read_begin()/_end() with holding on: 1 when handled here. */
int	store_hold_read_begin(struct store *s);
int	store_hold_read_end(struct store *s);

/*
 * Write transactions (store_gate.c). store_tx_immediate() waits for this
 * connection's turn among the process's writers (store_gate.h), then
 * runs BEGIN IMMEDIATE: 0, or -1 with err ("busy" when the turn did not
 * come within STORE_BUSY_MS, else SQLite's error). store_tx_finish()
 * commits (commit 1) or rolls back (0), rolling back a commit that
 * failed, and passes the turn on: 0, or -1 with err when the commit
 * failed. store_tx_released() passes the turn on when the connection is
 * back in autocommit (after a ROLLBACK run by hand); a no-op otherwise.
 */
int	store_tx_immediate(struct store *s, const char *what,
	    struct lf_error *err);
int	store_tx_finish(struct store *s, int commit, struct lf_error *err);
void	store_tx_released(struct store *s);

/* The survey item whose lookup hash column is indexed. */
#define CARD_CODE	"disability_card_no"
/* 1 when secret item f has a lookup hash column "<code>_hash" in the
 * survey row (ID and certificate numbers; phones are not looked up). */
int	schema_hashed(const struct field *f);
/* Appends ", <code>_hash" for every hashed item (prefix before each). */
int	schema_hash_columns(const struct catalog *cat, const char *prefix,
	    struct buf *b);

/*
 * The persons a bulk load into an empty registry wrote, by ID hash
 * (store_bulkids.c): begin makes the table (s->ids), end frees it (no-op
 * without one), add records person pid under hash. next gives the persons
 * whose hash may be hash, one a call (*cursor 0 at first), 0 after the
 * last: candidates, whose full hash the caller compares.
 */
int	store_bulk_ids_begin(struct store *s, struct lf_error *err);
void	store_bulk_ids_end(struct store *s);
int	store_bulk_ids_add(struct store *s, const unsigned char *hash,
	    int64_t pid, struct lf_error *err);
int64_t	store_bulk_ids_next(const struct store *s, const unsigned char *hash,
	    size_t *cursor);

/* A secondary index: its name, its table and the SQL that builds it. */
struct schema_index {
	const char	*name;
	const char	*table;
	const char	*sql;
};
/* Every secondary index of persons and surveys; ends with a NULL name. */
extern const struct schema_index schema_indexes[];
/* Builds every index of schema_indexes on table (after a migration's
 * copy); 0, or -1 with err. */
int	schema_indexes_create(struct store *s, const char *table,
	    struct lf_error *err);

int	schema_create_sql(const struct catalog *cat, struct buf *b);
/* CREATE TABLE name for surveys: keys, the packed record `rec`, then a
 * lookup hash column per hashed item. */
int	schema_survey_table(const struct catalog *cat, const char *name,
	    struct buf *b);
/* 1 when table has column name, 0 when not, -1 on error. */
int	schema_has_column(sqlite3 *db, const char *table, const char *name);
/* Registers the catalog's layout as a catalog version (when new) and
 * loads every version the database knows into s->packs; migrates a
 * database of the old one-column-per-item layout first. */
int	schema_open(struct store *s, struct lf_error *err);
/* Registers lf_item(rec, code) on db: one item of a packed record, as
 * the old survey column had it (NULL for secrets and unset items). */
int	schema_functions(sqlite3 *db, const struct packrec_set *ps);
/* Migrates a database of the old layout (store_migrate.c): 0, 1 when
 * it was already packed, -1 with err. */
int	migrate_wide(struct store *s, struct lf_error *err);
/* Copies a survey table of the rowid layout into the one keyed
 * (person_id, year) WITHOUT ROWID: 0, 1 when it was already, -1 with
 * err. */
int	migrate_cluster(struct store *s, struct lf_error *err);
/* Tells stderr what, then runs step in one transaction, all or nothing,
 * with bounded memory (store_migrate.c): 0, or -1 with err. Also the
 * plan tables' migration to interned texts (plan.c). */
int	store_migrate_once(struct store *s, const char *what,
	    int (*step)(struct store *, struct lf_error *),
	    struct lf_error *err);

/* Sets err from the connection's last SQLite error. Returns -1. */
int	store_sqlite_error(struct store *s, const char *what,
	    struct lf_error *err);
/* Prepares sql on s's connection (not kept: the caller finalizes *st):
 * 0, or -1 with *st NULL and err naming what. */
int	store_stmt(struct store *s, const char *sql, const char *what,
	    sqlite3_stmt **st, struct lf_error *err);
/* Runs sql (statements without results); 0, or -1 with err naming sql. */
int	store_sqlite_exec(struct store *s, const char *sql,
	    struct lf_error *err);
/* The first column of sql's first row as a number; -1 on any error. */
int64_t	store_sqlite_count(struct store *s, const char *sql);

/* Copies column col's text ("" for NULL) into out, cut to len. */
void	store_copy_col(sqlite3_stmt *st, int col, char *out, size_t len);
/* PRAGMA name of db as one number; dflt when it cannot be read. */
int64_t	store_pragma_get(sqlite3 *db, const char *name, int64_t dflt);
/* PRAGMA name = v on db (not inside a transaction for synchronous).
 * SQLite's result code. */
int	store_pragma_set(sqlite3 *db, const char *name, int64_t v);
void	store_now_iso(char out[21]);	/* "2026-11-29T04:22:07Z" */
/* Fills out from the one row of a bound statement. */
typedef void	(*store_fill_fn)(sqlite3_stmt *st, void *out);
/* Steps the bound statement st once and resets it (a cached statement):
 * fill(st, out) and 0 when it gives a row, 1 when none, -1 (a store error
 * naming `what`) when the step fails. Every "one row by key" read. */
int	store_one_row(struct store *s, sqlite3_stmt *st, store_fill_fn fill,
	    void *out, const char *what, struct lf_error *err);
/* The same for a statement of the caller's own, which it finalizes. */
int	store_one_row_final(struct store *s, sqlite3_stmt *st,
	    store_fill_fn fill, void *out, const char *what,
	    struct lf_error *err);
/* store_count()'s statement for what ("persons", "surveys", "history",
 * "plans", "items")
 * into sql; -1 with code "usage" for another name. */
int	store_count_sql(const char *what, char sql[64], struct lf_error *err);
/* A new opaque person id (STORE_UID_LEN hex digits); 0 or -1. */
int	store_new_uid(char out[STORE_UID_LEN + 1]);
/* Steps a statement that returns no row, then resets it. */
int	store_step_done(struct store *s, enum stmt_id id, const char *what,
	    struct lf_error *err);
/* Appends one change set to the history table. */
int	store_history_add(struct store *s, const char *entity,
	    int64_t entity_id, int64_t person_id, int year, int64_t version,
	    const char *actor, const char *at, const char *changes,
	    struct lf_error *err);

#define SECRET_MAX	64	/* bytes of an ID, card or phone number */
#define SEALED_MAX	(SECRET_MAX + CRYPTO_SEAL_OVERHEAD)
#define BIND_LEN	32	/* hex characters of a row binding */

/*
 * A put made ready outside the database: validated, with every secret
 * sealed. The binding of sealed values is the person's lookup hash (hex
 * of its first 16 bytes), known before the person's row is found, so
 * preparing needs no database and runs on any thread.
 */
struct store_prep {
	const struct record	*r;
	struct store_put	 put;
	char			 actor[64];
	unsigned char		 id_hash[CRYPTO_HASH_LEN];
	char			 bind[BIND_LEN + 1];
	unsigned char		 person_seal[SEALED_MAX];
	size_t			 person_seal_len;
	unsigned char		(*blob)[SEALED_MAX];	/* per field */
	size_t			*blen;
	unsigned char		(*hash)[CRYPTO_HASH_LEN];	/* per field */
	const char		*reason;	/* store_prep_reason() */
	int64_t			 carry_id;	/* store_prep_carry(); 0 none */
	int			 carry_survey_only;
	char			 id_masked[24];
	struct {			/* the person row's columns */
		char		 name[100];
		int		 gender;
		char		 birth[11];
		char		 region[13];
	}			 pcols;
	char			 uid[STORE_UID_LEN + 1];	/* a new
						   person's, drawn here so the
						   writer need not */
	struct packrec_sealed	*sealed;		/* per field */
	struct buf		 rec;			/* the packed record */
};

/*
 * A copy between stores (store_copy.c): the bulk writer (PostgreSQL's,
 * or SQLite's inside store_begin_bulk()) then gives the person the id
 * person_id and the opaque id uid (both carried from the source) instead
 * of new ones, and with survey_only writes the survey row alone (the
 * person row was written earlier in the same bulk transaction); no
 * lookup, history or reason rule runs. Call after store_prepare(), which
 * clears it.
 */
void	store_prep_carry(struct store_prep *prep, int64_t person_id,
	    const char *uid, int survey_only);

/* The person row a put reads and writes (store_put.c; on PostgreSQL
 * store/pg/pg_put.c). */
struct store_person_row {
	int64_t	 id;
	char	 uid[STORE_UID_LEN + 1];
	char	 name[100];
	int	 gender;
	char	 birth[11];
	char	 region[13];
	int	 status;
	int64_t	 version;
};

/* A change of disability category or grade a write makes (core/
 * validate.h's validate_key_change), found by store_reason_check(). */
struct store_key_change {
	const struct field	*f;		/* NULL: none */
	int64_t			 old, new;
};
/* Before writing prep for the existing person: the change of a key item
 * against their stored survey of the year (else the latest earlier
 * one) into *kc; "reason_required" (field: the item) when there is one
 * and prep carries no reason. */
int	store_reason_check(struct store *s, const struct store_prep *prep,
	    int64_t person_id, struct store_key_change *kc,
	    struct lf_error *err);
/* After writing it: the history row (entity "reason") that keeps the
 * reason with the change; nothing when kc->f is NULL. */
int	store_reason_note(struct store *s, const struct store_prep *prep,
	    int64_t person_id, int64_t version, const struct store_key_change *kc,
	    const char *now, struct lf_error *err);

/* The binding (AAD) of a sealed value: "s:<bind>:<year>:<code>" or, for
 * year 0 (the person row), "p:<bind>:<code>". Length, or -1. */
int	fieldio_aad(char *out, size_t outlen, const char *bind, int year,
	    const char *code);
/* The binding of the person with this lookup hash. */
void	fieldio_bind_of(const unsigned char *id_hash, char out[BIND_LEN + 1]);
/* Seals field f of r into prep (when set and secret). */
int	fieldio_seal(const struct store *s, struct store_prep *prep,
	    const struct field *f, struct lf_error *err);
/* The person of a SQLite row whose columns, from `col` on, are: id uid
 * name gender birth_date region status version updated_at updated_by
 * id_enc id_hash id_masked (store_read.c's one person decoder). Sets
 * bind (the binding of the person's sealed values); opens the sealed ID
 * number into p->id_number only when open_id (else it is ""). 0, or -1
 * with err. */
int	store_person_row(struct store *s, sqlite3_stmt *st, int col,
	    struct store_person *p, char bind[BIND_LEN + 1], int open_id,
	    struct lf_error *err);
/* Opens a person's sealed ID number (enc, n bytes; NULL fails), bound to
 * bind, into p->id_number: 0, or -1 with err "corrupt". */
/* The binding of person person_id's sealed values (from their lookup
 * hash): 0, 1 when there is no such person, -1 with err. */
int	store_person_open_sealed(struct store *s, const void *enc, size_t n,
	    const char *bind, struct store_person *p, struct lf_error *err);
int	store_person_bind(struct store *s, int64_t person_id,
	    char bind[BIND_LEN + 1], struct lf_error *err);
/* The [lo, hi) text range of the 12-digit village codes inside r. */
void	store_region_range(const struct region *r, char lo[24], char hi[24]);
/* Opens the sealed value (blob, blen) of secret field f, sealed with
 * binding bind and year, into r. Only reads the store's keys: safe on any
 * thread. 0, or -1 with err (code "corrupt" when it fails to open). */
int	fieldio_open(const struct store *s, const void *blob, size_t blen,
	    struct record *r, const struct field *f, const char *bind,
	    int year, struct lf_error *err);
/* For a cursor of another backend (store/pg/pg_cursor.c): a row's sealed
 * values begin, bound to bind and year, every value cleared; then each
 * secret field's (by field index) is set ("corrupt" naming the item when
 * it is no sealed value). */
struct store_sealed;
void	store_sealed_bind(struct store_sealed *sv, const char *bind, int year);
int	store_sealed_set(struct store_sealed *sv, size_t field,
	    const void *blob, size_t len, struct lf_error *err);
/* Decodes the packed record in column col into r (cleared; a NULL
 * column leaves it empty), secrets per mode. */
int	store_rec_read(const struct store *s, sqlite3_stmt *st, int col,
	    struct record *r, enum packrec_secrets mode, struct lf_error *err);
/* The same, opening every secret item (bound to bind and year); sealed,
 * when not NULL, keeps the sealed values (pointers into the row). */
int	store_rec_open(struct store *s, sqlite3_stmt *st, int col,
	    struct record *r, const char *bind, int year,
	    struct packrec_sealed *sealed, struct lf_error *err);

#endif

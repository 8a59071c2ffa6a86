/*
 * store_int.h - private to store/: the SQLite connection and the mapping
 * from catalog fields to survey-table columns.
 */
#ifndef LF_STORE_STORE_INT_H
#define LF_STORE_STORE_INT_H

#include <sqlite3.h>

#include "lib/buf.h"
#include "crypto/crypto.h"
#include "store/store.h"

/* Statements prepared once per connection. */
#define ST_PLAN_SLOTS	24
enum stmt_id {
	ST_PERSON_FIND, ST_PERSON_INS, ST_PERSON_UPD, ST_SURVEY_FIND,
	ST_SURVEY_INS, ST_SURVEY_UPD, ST_HIST_INS, ST_SAVEPOINT, ST_RELEASE,
	ST_ROLLBACK_TO, ST_PERSON_BY_UID, ST_SURVEY_YEARS, ST_PERSON_BIND,
	ST_READ_BEGIN, ST_READ_END, ST_SURVEY_ALL,
	/* stats_load.c's refresh, prepared on first use */
	ST_STATS_PERSON, ST_STATS_ITEMS,
	/* users.c's session check (every request), prepared on first use */
	ST_USERS_SESSION, ST_USERS_TOUCH,
	/* plan*.c's own (plan_int.h names them), prepared on first use */
	ST_PLAN_BASE, NSTMT = ST_PLAN_BASE + ST_PLAN_SLOTS
};

struct store {
	sqlite3			*db;
	const struct catalog	*cat;
	const struct regions	*regions;
	struct crypto_keys	*keys;
	sqlite3_stmt		*st[NSTMT];
	struct record		*old;		/* scratch for updates */
	struct store_prep	*prep;		/* scratch for store_survey_put */
	int			 in_tx;
	int			 bulk;		/* no savepoints per write */
	int			 reindex;	/* bulk dropped the indexes */
	int			 rollback_journal; /* bulk left WAL for now */
	sqlite3_stmt		*audit_st[2];	/* audit.c's, prepared once */
	/* catalog items that make up the person row */
	int			 f_id, f_name, f_gender, f_birth, f_region;
};

extern const char schema_index_sql[];
extern const char schema_index_drop_sql[];

/* Survey columns of a field: secret fields have <code>_enc and
 * <code>_hash, others one column named <code>. */
int	schema_create_sql(const struct catalog *cat, struct buf *b);
/* Appends the survey column names of every field, comma-separated. */
int	schema_survey_columns(const struct catalog *cat, const char *prefix,
	    struct buf *b);
/* Columns a field takes (1 or 2). */
int	schema_field_ncols(const struct field *f);
const char *schema_sql_type(const struct field *f);
/* Adds missing catalog columns to the survey table. */
int	schema_upgrade(sqlite3 *db, const struct catalog *cat,
	    struct lf_error *err);

/* Sets err from the connection's last SQLite error. Returns -1. */
int	store_sqlite_error(struct store *s, const char *what,
	    struct lf_error *err);
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
	unsigned char		(*hash)[CRYPTO_HASH_LEN];
};

/* The binding (AAD) of a sealed value: "s:<bind>:<year>:<code>" or, for
 * year 0 (the person row), "p:<bind>:<code>". Length, or -1. */
int	fieldio_aad(char *out, size_t outlen, const char *bind, int year,
	    const char *code);
/* The binding of the person with this lookup hash. */
void	fieldio_bind_of(const unsigned char *id_hash, char out[BIND_LEN + 1]);
/* Seals field f of r into prep (when set and secret). */
int	fieldio_seal(const struct store *s, struct store_prep *prep,
	    const struct field *f, struct lf_error *err);
/* Binds field f of prep->r at parameter *idx (advanced); secrets come
 * sealed from prep. */
int	fieldio_bind(struct store *s, sqlite3_stmt *st, int *idx,
	    const struct store_prep *prep, const struct field *f,
	    struct lf_error *err);
/* The person of a row whose columns, from `col` on, are: id uid name
 * gender birth_date region status version updated_at updated_by id_enc
 * id_hash. Sets bind (the binding of the person's sealed values); opens
 * the sealed ID number into p->id_number only when open_id (else it is
 * ""). 0, or -1 with err. */
int	store_person_row(struct store *s, sqlite3_stmt *st, int col,
	    struct store_person *p, char bind[BIND_LEN + 1], int open_id,
	    struct lf_error *err);
/* The [lo, hi) text range of the 12-digit village codes inside r. */
void	store_region_range(const struct region *r, char lo[24], char hi[24]);
/* Opens the sealed value (blob, blen) of secret field f, sealed with
 * binding bind and year, into r. Only reads the store's keys: safe on any
 * thread. 0, or -1 with err (code "corrupt" when it fails to open). */
int	fieldio_open(const struct store *s, const void *blob, size_t blen,
	    struct record *r, const struct field *f, const char *bind,
	    int year, struct lf_error *err);
/* Reads field f from column *col (advanced) into r, opening secrets
 * sealed with binding bind and year. */
int	fieldio_read(struct store *s, sqlite3_stmt *st, int *col,
	    struct record *r, const struct field *f, const char *bind,
	    int year, struct lf_error *err);

#endif

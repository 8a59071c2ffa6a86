/*
 * store.h - the registry's persistence, behind one opaque handle.
 *
 * The verbs speak the domain (persons, yearly surveys, their history), not
 * SQL; store_sqlite.c implements them over one SQLite file (WAL,
 * synchronous=FULL, foreign keys on). A survey is one packed record laid
 * out by the field catalog (packrec.h); a catalog that gains items gains
 * a catalog version when the store is next opened, and older records stay
 * readable. A database of the old one-column-per-item layout is migrated
 * when first opened (progress on stderr). A "postgresql://" location keeps
 * the rows in PostgreSQL instead (store/pg/pg_int.h), with the survey as
 * typed columns generated from the catalog; only some verbs run there yet
 * (store_open_any() below, docs/postgresql.md).
 *
 * Secrets: every catalog item marked secret - ID numbers, disability
 * certificate numbers (they contain the ID number) and phone numbers - is
 * stored sealed with SM4-CTR + HMAC-SM3 (crypto.h), bound to its person,
 * year and item, with its masked form beside it (what pages and lists
 * show, so that showing them opens nothing); the ID and certificate
 * numbers have a keyed SM3 hash beside them for exact lookup. The keys live in the key file
 * "<db>.key" (mode 0600) beside the database, made by store_create(), never
 * inside it.
 *
 * History: every update of a person or survey writes the replaced
 * version's changes (who, when, item: old -> new; secrets masked, with the
 * old sealed value kept) to the history table in the same transaction.
 *
 * Threads: a struct store is one connection; use it from one thread at a
 * time. Errors: every function returning int gives 0 on success and -1
 * with err filled; lookups return 1 for "not found".
 */
#ifndef LF_STORE_STORE_H
#define LF_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "lib/error.h"
#include "core/record.h"
#include "core/region.h"

struct store;

enum person_status {
	PERSON_ACTIVE = 1,	/* 在册 */
	PERSON_MOVED_OUT = 2,	/* 迁出 */
	PERSON_DECEASED = 3	/* 死亡 */
};

#define STORE_UID_LEN	32	/* hex characters of an opaque person id */

struct store_person {
	int64_t		 id;			/* internal row id */
	char		 uid[STORE_UID_LEN + 1];	/* opaque, for URLs */
	char		 id_number[19];		/* "" until opened */
	char		 name[100];
	int		 gender;
	char		 birth_date[11];
	char		 region[13];		/* 户籍 village */
	int		 status;
	int64_t		 version;
	char		 updated_at[21];
	char		 updated_by[64];
	char		 id_masked[19];		/* as lists show it */
};

/* What a page shows of the person's ID number (to be masked): the stored
 * masked form, or the opened number when the person was filled by hand. */
const char *store_person_shown_id(const struct store_person *p);

/* Creates a new database at path and its key file path.key; both must not
 * exist. The schema follows the catalog. A location starting
 * "postgresql://" or "postgres://" creates the registry's tables in that
 * PostgreSQL database instead (which must hold none yet), and the key
 * file at the path in the environment variable LIANGFU_KEY_FILE. */
int	store_create(const char *path, const struct catalog *cat,
	    struct lf_error *err);

/* Opens an existing database with its key file. The catalog and regions
 * must outlive the store; regions may be NULL (no region check). */
int	store_open(const char *path, const struct catalog *cat,
	    const struct regions *regions, struct store **out,
	    struct lf_error *err);
/*
 * Like store_open(), and a PostgreSQL location opens too (store_open()
 * refuses it with code "unsupported"). On PostgreSQL only these verbs
 * work so far (docs/postgresql.md): store_prepare(), store_prep_reason(),
 * store_begin_bulk(), store_write() inside it (new and registered
 * persons; a move to another county fails with "unsupported"),
 * single writes (store_write(), store_survey_put(), store_survey_put_
 * reason() alone or in store_begin()'s transaction, decided as on
 * SQLite; a new person waits for a running load), store_begin(),
 * store_commit(), store_rollback(), store_count(), store_set_scope(),
 * store_cursor_open(), _next(), _close() with store_sealed_open(),
 * store_close(), stats_load() and the report sections of `liangfu
 * stats`, and the accounts: store/users_rows.h (written once over
 * store/dbq.h) and so auth/users.h's account, login and session
 * functions; the person reads (store_person_by_*(), store_survey_*()),
 * store_history() and plan_scan_items() (`show`, `export --items`), and
 * stats_gen_listen()/stats_gen_notified() (the server's statistics); a
 * caller opening with this function uses no other verb on such a store.
 */
int	store_open_any(const char *path, const struct catalog *cat,
	    const struct regions *regions, struct store **out,
	    struct lf_error *err);
/*
 * Confines every later read and write of a PostgreSQL store to the rows
 * of region (2..12 digits; a village confines to its county): each
 * transaction sets liangfu.region (SET LOCAL) and row-level security
 * hides every other county's persons, surveys and history from the
 * application's role (liangfu_app), whatever the query asks. The caller
 * gives the authenticated user's region. On SQLite it only checks the
 * code: the C access checks alone confine reads there.
 */
int	store_set_scope(struct store *s, const char *region,
	    struct lf_error *err);
/* (store_set_scope() with region NULL clears the scope: a PostgreSQL
 * store then shows the application's role no person-owned row.) */
/*
 * PostgreSQL: a connection found broken (the server restarted; the
 * request that met it failed with code "unavailable") is replaced by a
 * new one; nothing when it is sound, or on SQLite. Call between requests,
 * never inside a transaction. 0, or -1 with err "unavailable" (the
 * server is still down: try again later).
 */
int	store_reconnect(struct store *s, struct lf_error *err);
/* 1 when location names a PostgreSQL database ("postgresql://..."). */
int	store_location_is_pg(const char *location);
/* 1 when the store keeps its rows in PostgreSQL. */
int	store_is_pg(const struct store *s);
void	store_close(struct store *s);
/* The catalog the store was opened with. */
const struct catalog *store_catalog(const struct store *s);
/* The region table the store was opened with. */
const struct regions *store_regions(const struct store *s);
/* The connection's page cache in MiB (1..65536; store_open() sets 1024,
 * for bulk work). A server with many connections sets it lower, so that
 * its memory does not grow with the number of threads. */
int	store_set_cache(struct store *s, int mib, struct lf_error *err);

/* Explicit transactions group many puts into one all-or-nothing write.
 * Without one, each put is its own transaction. */
int	store_begin(struct store *s, struct lf_error *err);
/* A read snapshot: every read until store_read_end() sees the database
 * as it was at the first of them (one consistent page of a person across
 * several statements), and SQLite takes its file locks once instead of
 * once per statement. Not for writes, not nested in a transaction. */
int	store_read_begin(struct store *s, struct lf_error *err);
/* (On PostgreSQL: one REPEATABLE READ, READ ONLY transaction, scoped as
 * store_set_scope() says.) */
void	store_read_end(struct store *s);

/*
 * Held read snapshots (the server's connections; store_hold.c). Every
 * commit of another connection to the same file makes SQLite drop this
 * connection's page cache at its next read, and the server's audit writer
 * commits for every read: each page was read back from the kernel, a
 * pread a page. With holding on (store_hold_enable(s, ms), ms > 0), the
 * read snapshot of store_read_begin() or store_hold_begin() is kept open
 * between requests and reused, and the cache with it, until one of:
 *   - it is ms old (what another process, e.g. the CLI, wrote is seen
 *     within ms);
 *   - a write transaction of any connection of this process has ended
 *     since it began (store_tx_immediate() ... store_tx_finish() and the
 *     verbs built on them), except the connections marked with
 *     store_hold_quiet() (the audit writer's: what it writes is read
 *     only by the audit screens, which call store_hold_drop() first);
 *     so a request always sees the writes answered before it began;
 *   - this connection writes: a write transaction drops the snapshot
 *     before it begins (never upgrades it), and so does store_hold_drop().
 * store_hold_begin() is called at the start of a read-only request: it
 * drops a snapshot that is no longer fresh and keeps or opens one; the
 * request's statements, also those outside store_read_begin(), then read
 * in it. A no-op when holding is off (the default; the CLI) or on
 * PostgreSQL. None of these fails: a snapshot that cannot be ended is
 * rolled back.
 */
void	store_hold_enable(struct store *s, int ms);
void	store_hold_begin(struct store *s);
void	store_hold_drop(struct store *s);
void	store_hold_quiet(struct store *s);
/* After a request: a write that some path ran inside the held snapshot
 * (none should) is committed at once rather than left holding SQLite's
 * write lock; a snapshot ended underneath is forgotten. */
void	store_hold_after(struct store *s);
/* A held snapshot must also end when the thread goes idle, or it would
 * keep the log from being checkpointed: the server drops it when its
 * thread has no request left (server.c). */
/* Like store_begin(), for bulk work that rolls the whole transaction back
 * on any failed write: single writes then skip their savepoints, which
 * makes them faster, and a failed write leaves the transaction unusable
 * until store_rollback(). Into an empty registry it also drops the
 * secondary indexes (rebuilt by sorting at commit) and, when no other
 * connection has the file open, writes under a rollback journal instead
 * of the WAL (new pages once, not twice); store_commit() and
 * store_rollback() return to WAL. On SQLite it holds the connection's
 * triggers off until then: store_commit() moves the write counter
 * (stats_gen.h) once, by the persons and surveys rows the load changed,
 * to the value the triggers would have left. */
int	store_begin_bulk(struct store *s, struct lf_error *err);
int	store_commit(struct store *s, struct lf_error *err);
void	store_rollback(struct store *s);
/*
 * Groups the several row writes of one domain decision (the *_rows.h
 * verbs): joins the caller's transaction in a savepoint (in bulk mode
 * without one), or else begins its own (BEGIN IMMEDIATE, so that it
 * never has to upgrade a read lock); *tx says which, for
 * store_tx_leave(). That commits or releases when rc is 0 and returns
 * 0, or -1 when that fails; else it rolls back and returns -1 (bulk
 * mode: leaves the rollback to the caller and returns rc).
 */
int	store_tx_join(struct store *s, int *tx, struct lf_error *err);
int	store_tx_leave(struct store *s, int tx, int rc, struct lf_error *err);

/*
 * Deferred durability, for the server's audit writer (docs/audit.md,
 * "Durability"). store_sync_deferred(s, 1) makes this connection's
 * commits write the WAL without syncing it (SQLite synchronous=NORMAL):
 * a committed transaction is in the kernel's hands, so it survives a
 * crash or kill of the process, but not yet a power loss.
 * store_sync_log() then makes every commit so far (of any connection)
 * durable: one fdatasync of the WAL (of the database file when the
 * connection is not in WAL mode). On PostgreSQL both do nothing (its
 * commits are durable). 0, or -1 with err.
 */
int	store_sync_deferred(struct store *s, int on, struct lf_error *err);
int	store_sync_log(struct store *s, struct lf_error *err);

struct store_put {
	int		 year;
	int		 status;	/* person_status, 0 = keep (new: 1) */
	const char	*actor;		/* login or "cli:<user>" */
	int64_t		 expect_version; /* survey version the writer saw;
					   0 = no check */
	int		 today;		/* days; 0 = the clock's */
};

struct store_put_result {
	int64_t		 person_id;
	char		 uid[STORE_UID_LEN + 1];
	int		 created_person;
	int		 created_survey;
	int		 changed;	/* fields changed on update */
	int		 person_changed; /* the person row changed (name,
					   region, status...) */
	int64_t		 version;	/* survey version now */
	int		 reason_kept;	/* a change of category or grade,
					   its reason in history */
};

/*
 * Creates or updates the survey of the person with the record's ID number
 * for p->year, creating the person when new, after full validation
 * (record_validate). An update keeps the old values in history. When
 * expect_version is set and differs from the stored one, fails with code
 * "conflict" and writes nothing.
 */
int	store_survey_put(struct store *s, const struct record *r,
	    const struct store_put *p, struct store_put_result *res,
	    struct lf_error *err);

/*
 * The same put in two steps, so that bulk work can prepare on several
 * threads and write on one. store_prepare() validates r and seals its
 * secrets; it touches no database and is safe to call from many threads
 * at once with distinct preps. r must stay unchanged until store_write()
 * has used the prep. A prep comes from store_prep_new() (NULL when memory
 * runs out), is reusable, and is freed with store_prep_free().
 */
struct store_prep;
struct store_prep *store_prep_new(const struct catalog *cat);
void	store_prep_free(struct store_prep *prep);
int	store_prepare(const struct store *s, const struct record *r,
	    const struct store_put *p, struct store_prep *prep,
	    struct lf_error *err);
int	store_write(struct store *s, const struct store_prep *prep,
	    struct store_put_result *res, struct lf_error *err);

/*
 * A hint inside a bulk transaction: the next store_write() calls will
 * write these n preps, in this order (some may be left out, none
 * added). On PostgreSQL the persons they name are read with their
 * stored surveys in one round trip instead of one each; SQLite does
 * nothing. The preps must stay as they are until written. 0, or -1 with
 * err.
 */
int	store_write_ahead(struct store *s,
	    const struct store_prep *const *preps, size_t n,
	    struct lf_error *err);

/*
 * The reason a write carries. A survey that changes the person's
 * disability category or grade against their stored survey of the year
 * (else the latest earlier one) needs one, whoever writes it (the API,
 * the CSV import): store_write() fails with "reason_required" (err->field
 * naming the item) and writes nothing without it, and with it adds a
 * history row (entity "reason": the item's old and new code and the
 * reason). store_prep_reason() sets it after store_prepare(), which
 * clears it; reason (NULL or "" = none) must outlive store_write().
 * store_survey_put_reason() is store_survey_put() with a reason.
 */
void	store_prep_reason(struct store_prep *prep, const char *reason);
int	store_survey_put_reason(struct store *s, const struct record *r,
	    const struct store_put *put, const char *reason,
	    struct store_put_result *res, struct lf_error *err);

/* The lookups below fill id_masked (what pages and lists show) and leave
 * id_number "": the sealed ID number is opened only by
 * store_person_open_id(), for reveal, export and the person's own edit. */
int	store_person_open_id(struct store *s, struct store_person *p,
	    struct lf_error *err);
/* Looks a person up by ID number (18 characters). 0 found, 1 not found. */
int	store_person_by_idnum(struct store *s, const char *id18,
	    struct store_person *out, struct lf_error *err);
/* Looks a person up by opaque id. 0 found, 1 not found. */
int	store_person_by_uid(struct store *s, const char *uid,
	    struct store_person *out, struct lf_error *err);
/* Looks a person up by internal row id. 0 found, 1 not found. */
int	store_person_by_id(struct store *s, int64_t id,
	    struct store_person *out, struct lf_error *err);
/* Looks a person up by certificate number (20 characters) in any year's
 * survey. 0 found, 1 not found. */
int	store_person_by_card(struct store *s, const char *card,
	    struct store_person *out, struct lf_error *err);
/* Persons whose name starts with prefix and whose village lies in `in`
 * (NULL = anywhere), by name, at most limit; fn gets each. */
int	store_person_search_name(struct store *s, const char *prefix,
	    const struct region *in, int limit,
	    int (*fn)(void *arg, const struct store_person *p), void *arg,
	    struct lf_error *err);

/* Reads one survey into r (cleared first). 0 found, 1 not found. */
int	store_survey_get(struct store *s, int64_t person_id, int year,
	    struct record *r, int64_t *version, struct lf_error *err);
/* Calls fn with every survey of the person, years ascending, read with
 * one statement (r is cleared and refilled for each; fn must not keep
 * it). fn returns 0 to go on, non-zero to stop (then returned). */
typedef int (*store_survey_fn)(void *arg, int year, int64_t version,
	    const struct record *r);
int	store_surveys_each(struct store *s, int64_t person_id,
	    struct record *r, store_survey_fn fn, void *arg,
	    struct lf_error *err);
/* The same with every secret item in its masked form (what the person
 * page shows), stored beside the sealed value: nothing is opened. */
int	store_surveys_each_masked(struct store *s, int64_t person_id,
	    struct record *r, store_survey_fn fn, void *arg,
	    struct lf_error *err);
/* The years that person has surveys for, ascending; *n set. */
int	store_survey_years(struct store *s, int64_t person_id, int *years,
	    size_t max, size_t *n, struct lf_error *err);

struct store_change {
	const char	*entity;	/* "person", "survey" or "reason"
					   (store_prep_reason()) */
	int64_t		 entity_id;
	int		 year;		/* surveys; 0 for persons */
	int64_t		 version;	/* the version replaced */
	const char	*actor;
	const char	*at;
	const char	*changes;	/* JSON object: item -> {old,new} */
};
typedef int (*store_history_fn)(void *arg, const struct store_change *c);
/* Calls fn for each change of the person and their surveys, oldest first.
 * fn returns 0 to go on, non-zero to stop. */
int	store_history(struct store *s, int64_t person_id, store_history_fn fn,
	    void *arg, struct lf_error *err);

typedef int (*store_scan_fn)(void *arg, const struct store_person *p,
	    const struct record *r);
/* Calls fn for every survey of `year` whose person's village lies in
 * region (NULL = all), in the order persons were registered, with every
 * item of r opened; the person's own sealed ID number is not opened
 * (p->id_number is "": the survey's id_number item holds it). fn returns
 * 0 to go on, non-zero to stop (store_scan_surveys then returns that). */
int	store_scan_surveys(struct store *s, int year, const struct region *in,
	    store_scan_fn fn, void *arg, struct lf_error *err);

/*
 * The same scan as a cursor, for bulk readers that open sealed values on
 * other threads (export). store_cursor_next() fills p (p->id_number left
 * "") and every item of r but the secret ones, which it leaves unset and
 * whose sealed values it copies into sv; store_sealed_open() then opens
 * them into r. That touches no database and only reads the store's keys,
 * so it may run on many threads at once, with distinct sv and r, while
 * the cursor goes on. The cursor uses the store's connection: make no
 * other call on s until store_cursor_close().
 *
 * sv and r must be made for the store's own catalog (else code
 * "internal").
 *
 * store_cursor_open(): 0, or -1 with err. store_cursor_next(): 1 with the
 * next row, 0 after the last, -1 with err (a stored value that is not
 * valid: code "corrupt", naming the item; p->uid names the row when its
 * person was read). store_sealed_open(): 0, or -1 with err (code
 * "corrupt" naming the item when a value fails to authenticate).
 * store_sealed_new() returns NULL when memory runs out.
 */
struct store_cursor;
struct store_sealed;
int	store_cursor_open(struct store *s, int year, const struct region *in,
	    struct store_cursor **out, struct lf_error *err);
int	store_cursor_next(struct store_cursor *c, struct store_person *p,
	    struct record *r, struct store_sealed *sv, struct lf_error *err);
void	store_cursor_close(struct store_cursor *c);
struct store_sealed *store_sealed_new(const struct catalog *cat);
void	store_sealed_free(struct store_sealed *sv);
int	store_sealed_open(const struct store *s, const struct store_sealed *sv,
	    struct record *r, struct lf_error *err);

/* A filter on one catalog item of the year's survey: equal to the value
 * in r (for a multi item: holding every code set in it). */
struct store_filter {
	const struct field	*f;
	int64_t			 num;
	const char		*text;		/* text, date, region */
};

/* Persons with a survey in `year` whose village lies in `in`, matching
 * every filter, in registration order after person id `after`, at most
 * limit (1..1000). Secret items cannot be filtered (code "bad_filter").
 * fn gets each; *last is the last id given (for the next page). */
int	store_list(struct store *s, int year, const struct region *in,
	    const struct store_filter *filters, size_t nfilters,
	    int64_t after, int limit,
	    int (*fn)(void *arg, const struct store_person *p), void *arg,
	    int64_t *last, struct lf_error *err);

/* Persons whose village lies in region r. */
int	store_count_region(struct store *s, const struct region *r,
	    int64_t *n, struct lf_error *err);

/* For queries written against the old survey table (test oracles, ad-hoc
 * SQL from C): on a connection of its own to a store's database, defines
 * lf_item(rec, code) and a TEMP VIEW "surveys" that shows every item that
 * is not secret as a column of its own, as the table had it before the
 * records were packed (dates and regions as text; slow: for checks, not
 * for the application). db must be a sqlite3 handle. */
int	store_wide_view(void *db, const struct catalog *cat,
	    struct lf_error *err);

/* Today in China (UTC+8), as days since 1970-01-01: the day surveys and
 * deliveries are dated by. */
int	store_today(void);

/* The rows of table what ("persons", "surveys", "history", "plans",
 * "items"; another name: code "usage"), for messages, tests and the
 * emptiness check of migrate. */
int	store_count(struct store *s, const char *what, int64_t *n,
	    struct lf_error *err);

#endif

/*
 * recon_rows.h - the narrow persistence interface under reconciliation
 * with other departments' rosters (recon/recon.h decides; this stores):
 * the tables rosters, roster_rows and recon_tasks (made on open by
 * recon_init() on SQLite; on PostgreSQL by init, store/pg/pg_recon.c),
 * their rows read and written, and the scan a run reads the registry
 * with. Every function runs on either backend (store/dbq.h).
 *
 * A roster is kept only as the keyed lookup hashes of its ID numbers
 * (crypto_lookup_hash, domain "id_number": the same hash persons.id_hash
 * holds) and each row's date; names and ID numbers are never stored.
 * recon_erase() deletes the rows of rosters older than a number of days
 * (the server's `roster_keep_days`); the roster's summary line stays.
 *
 * Nothing here decides which persons become tasks, who owns a task or
 * when one may be closed: recon/ does, then calls these. The guards kept
 * here are the storage's own: at most one open task per person, kind and
 * finding (a unique index), and closing only a task still open (a
 * conditional update). Writes run in the caller's transaction
 * (store_begin()/store_commit()), except recon_erase(), which is its own.
 *
 * Errors: 0 / -1 with err (codes "invalid", "store", "no_memory");
 * lookups return 1 for "not found". Threads: as for struct store.
 */
#ifndef LF_STORE_RECON_ROWS_H
#define LF_STORE_RECON_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "core/reconcile.h"
#include "core/region.h"
#include "core/record.h"
#include "crypto/crypto.h"
#include "store/store.h"

int	recon_init(struct store *s, struct lf_error *err);

/* The lookup hash of a normalised 18-character ID number. */
int	recon_id_hash(struct store *s, const char *id18,
	    unsigned char out[CRYPTO_HASH_LEN], struct lf_error *err);

struct recon_roster_row {
	unsigned char	 hash[CRYPTO_HASH_LEN];
	int		 fact_days;	/* the kind's date; 0 for text */
	unsigned long	 line;		/* in the roster file, for messages */
};

/* The lookup hashes of ids[0..n) (normalised 18-character ID numbers,
 * each NUL-terminated in 19 bytes) into rows[i].hash, on `threads`
 * threads (1..8) sharing the work. */
int	recon_id_hash_all(struct store *s, const char (*ids)[19],
	    struct recon_roster_row *rows, size_t n, int threads,
	    struct lf_error *err);

/* ---- a run's rows (recon/run.c) ------------------------------------ */

/* Records a roster: its summary line (matched and findings 0 until
 * recon_rows_roster_finish) and its rows' hashes and dates; *id its id. */
struct recon_roster_new {
	const char			*kind;
	int				 year;
	const char			*region;	/* "51" = all */
	const char			*file;		/* "" none */
	const struct recon_roster_row	*rows;
	size_t				 nrows;
	int64_t				 at;		/* Unix seconds */
	const char			*actor;
};
int	recon_rows_roster_add(struct store *s, const struct recon_roster_new *r,
	    int64_t *id, struct lf_error *err);
int	recon_rows_roster_finish(struct store *s, int64_t id, int64_t matched,
	    int64_t findings, struct lf_error *err);

/* The ids of persons with a service item of the year that is planned
 * (decision 1) and neither cancelled (status 4) nor without effect
 * (effect 4), of policy `policy` ("*" = any), ascending, in *ids (the
 * caller frees it with mem_free). */
int	recon_rows_receiving(struct store *s, int year, const char *policy,
	    int64_t **ids, size_t *n, struct lf_error *err);

/* Every open task of the kind: fn gets (person, finding code, task id,
 * owner login or ""), in no order. A callback (here and below) that
 * returns nonzero stops the read, with err set by it. */
typedef int (*recon_open_fn)(void *arg, int64_t person_id,
	    const char *finding, int64_t task_id, const char *owner,
	    struct lf_error *err);
int	recon_rows_open_tasks(struct store *s, const char *kind,
	    recon_open_fn fn, void *arg, struct lf_error *err);

/* Every active county-level account (region of 6 digits): fn gets
 * (county code, login), in ascending account id. */
typedef int (*recon_account_fn)(void *arg, const char *county,
	    const char *login, struct lf_error *err);
int	recon_rows_county_accounts(struct store *s, recon_account_fn fn,
	    void *arg, struct lf_error *err);

/* A new task, open, written by a task writer. */
struct recon_task_new {
	int64_t		 roster_id, person_id;
	const char	*kind, *finding;
	const char	*region;	/* village */
	const char	*county;
	const char	*owner;		/* "" = none */
	int64_t		 at;		/* Unix seconds */
	const char	*actor;
};
struct recon_task_writer;
int	recon_rows_writer_open(struct store *s, struct recon_task_writer **w,
	    struct lf_error *err);
int	recon_rows_task_add(struct recon_task_writer *w,
	    const struct recon_task_new *t, int64_t *id, struct lf_error *err);
void	recon_rows_writer_close(struct recon_task_writer *w);

/* The registry as a run reads it: the persons in `in` (NULL = every
 * person), in id order, each with the year's survey decoded into a record
 * (only the items want[] marks, by catalog index) or NULL when the person
 * has none that year. `hash` is the person's ID lookup hash
 * (CRYPTO_HASH_LEN bytes) or NULL. The row and record are valid during
 * the call only. The whole province is read as two merged cursors in
 * person order; below it one lookup a person. The scan caps the
 * connection's page cache at RECON_SCAN_CACHE_KIB while it runs. */
struct recon_person_row {
	int64_t		 id;
	char		 uid[STORE_UID_LEN + 1];
	char		 region[13];
	int		 status;
	const void	*hash;
};
typedef int (*recon_person_fn)(void *arg, const struct recon_person_row *p,
	    const struct record *survey, struct lf_error *err);
int	recon_rows_scan(struct store *s, const struct region *in, int year,
	    const unsigned char *want, recon_person_fn fn, void *arg,
	    struct lf_error *err);

/* SQLite's page cache during a run, KiB (the connection's own is 1 GiB):
 * a province run reads the whole database once, in order, so a larger
 * cache only holds pages that are not read again; the run's dirty pages
 * beyond it go to the WAL before the commit. Keeps a 3.5 M run's peak
 * memory near half a gigabyte (docs/performance.md). Set for the run's
 * whole transaction by recon_rows_cache_cap(); *old is what to restore
 * with recon_rows_cache_restore(). */
#define RECON_SCAN_CACHE_KIB	262144
void	recon_rows_cache_cap(struct store *s, int64_t *old);
void	recon_rows_cache_restore(struct store *s, int64_t old);

/* ---- tasks ------------------------------------------------------------ */

/* Deletes the rows of rosters imported more than keep_days days before
 * `now` (Unix seconds); *erased = rosters erased. keep_days >= 0. */
int	recon_erase(struct store *s, int keep_days, int64_t now,
	    int64_t *erased, struct lf_error *err);

struct recon_task {
	int64_t		 id;
	int64_t		 person_id;
	char		 uid[STORE_UID_LEN + 1];
	char		 kind[16];
	char		 finding[32];
	char		 region[13];
	char		 county[7];
	char		 owner[64];
	int		 open;
	char		 close_reason[400];
	char		 closed_by[64];
	int64_t		 created_at, closed_at;
};
typedef int (*recon_task_fn)(void *arg, const struct recon_task *t);

struct recon_task_query {
	const char	*region;	/* village code prefix, required */
	const char	*kind;		/* NULL = any */
	int		 open;		/* -1 any, 1 open, 0 closed */
	int64_t		 after;		/* task id, paging */
	int		 limit;		/* 1..1000 */
};
int	recon_tasks(struct store *s, const struct recon_task_query *q,
	    recon_task_fn fn, void *arg, int64_t *last, struct lf_error *err);
/* One task: 0 found, 1 none. */
int	recon_task_get(struct store *s, int64_t id, struct recon_task *out,
	    struct lf_error *err);
/* Marks the open task t closed with the reason and writes its history
 * (entity "recon_task"), in the caller's transaction; "state" when it
 * was closed meanwhile. The reason is the caller's to check. */
int	recon_rows_task_close(struct store *s, const struct recon_task *t,
	    const char *reason, const char *actor, struct lf_error *err);

/* Open tasks by region one level below `in` and finding: fn gets each
 * (child region code, finding code, count), children ascending. */
typedef int (*recon_count_fn)(void *arg, const char *region,
	    const char *finding, int64_t n);
int	recon_counts(struct store *s, const struct region *in,
	    recon_count_fn fn, void *arg, struct lf_error *err);

#endif

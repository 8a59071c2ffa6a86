/*
 * recon.h - reconciliation with other departments' rosters: the rosters
 * (lookup hashes only), the run that compares one with the registry, and
 * the tasks its findings become (tables rosters, roster_rows, recon_tasks;
 * made on open by recon_init()).
 *
 * A roster is kept only as the keyed lookup hashes of its ID numbers
 * (crypto_lookup_hash, domain "id_number": the same hash persons.id_hash
 * holds) and each row's date; names and ID numbers are never stored.
 * recon_erase() deletes the rows of rosters older than a number of days
 * (the server's `roster_keep_days`); the roster's summary line stays.
 *
 * A run (recon_run) is one transaction: the roster is recorded, every
 * registered person in the region is classified by core/reconcile.h, and
 * each finding becomes an open task owned by the person's county (and by
 * the first active county-level account of that county, when there is
 * one), unless an open task of the same person, kind and finding exists
 * already (it is reported again, not duplicated). Closing a task needs a
 * reason and writes history (entity "recon_task").
 *
 * Errors: 0 / -1 with err (codes "not_found", "invalid", "state",
 * "store"). Threads: as for struct store.
 */
#ifndef LF_STORE_RECON_H
#define LF_STORE_RECON_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "core/reconcile.h"
#include "core/region.h"
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

struct recon_run_opts {
	const struct recon_kind	*kind;
	int			 year;		/* surveys and items */
	const struct region	*in;		/* NULL = every person */
	const char		*actor;
	const char		*file;		/* the roster's name, for the
						   summary (may be NULL) */
};

struct recon_found {
	int64_t		 task_id;
	int		 created;	/* 0: an open task existed */
	int		 finding;	/* enum recon_finding */
	int64_t		 person_id;
	char		 uid[STORE_UID_LEN + 1];
	char		 region[13];	/* village */
	char		 county[7];
	char		 owner[64];	/* "" when the county has no account */
	int		 status;	/* person_status */
};
typedef int (*recon_found_fn)(void *arg, const struct recon_found *f);

struct recon_summary {
	int64_t		 roster_id;
	int64_t		 rows, matched, unmatched;	/* roster rows */
	int64_t		 persons;	/* registered persons looked at */
	int64_t		 counts[NRFINDINGS];
	int64_t		 tasks_created;
};

/*
 * Runs the roster rows[0..n) (the caller checked every row and that no
 * hash repeats) against the registry, as described on top; fn (may be
 * NULL) gets each finding in person order. All or nothing.
 */
int	recon_run(struct store *s, const struct recon_roster_row *rows,
	    size_t n, const struct recon_run_opts *o, recon_found_fn fn,
	    void *arg, struct recon_summary *sum, struct lf_error *err);

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
/* Closes an open task with a reason (1..400 bytes of UTF-8). */
int	recon_task_close(struct store *s, int64_t id, const char *reason,
	    const char *actor, struct recon_task *out, struct lf_error *err);

/* Open tasks by region one level below `in` and finding: fn gets each
 * (child region code, finding code, count), children ascending. */
typedef int (*recon_count_fn)(void *arg, const char *region,
	    const char *finding, int64_t n);
int	recon_counts(struct store *s, const struct region *in,
	    recon_count_fn fn, void *arg, struct lf_error *err);

/* The same counts as a statistics table (core/stats.h): row 0 the
 * region `in` itself, then each of its children (every child, with or
 * without tasks); one column per finding (code, Chinese label). The
 * caller frees it with stats_table_free(). */
struct stats_table;
int	recon_table(struct store *s, const struct region *in,
	    struct stats_table *out, struct lf_error *err);

#endif

/*
 * recon.h - reconciliation with other departments' rosters, the rules:
 * the run that compares a roster with the registry, who owns the tasks
 * its findings become, closing a task, and the open tasks as a
 * statistics table. The findings themselves (应享未享, 不应享而享, on a
 * roster but not registered...) are core/reconcile.h's pure
 * classification; the rows are store/recon_rows.h's.
 *
 * A run (recon_run) is one transaction: the roster is recorded, every
 * registered person in the region is classified by core/reconcile.h, and
 * each finding becomes an open task owned by the person's county (and by
 * the first active county-level account of that county, by account id,
 * when there is one), unless an open task of the same person, kind and
 * finding exists already (it is reported again, not duplicated). Closing
 * a task needs a reason and writes history (entity "recon_task").
 *
 * Errors: 0 / -1 with err (codes "not_found", "invalid", "state",
 * "store", "no_memory", "stopped"). Threads: as for struct store.
 */
#ifndef LF_RECON_RECON_H
#define LF_RECON_RECON_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "core/reconcile.h"
#include "core/region.h"
#include "store/recon_rows.h"
#include "store/store.h"

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

/* Closes an open task with a reason (1..400 bytes of UTF-8); *out the
 * task as closed. */
int	recon_task_close(struct store *s, int64_t id, const char *reason,
	    const char *actor, struct recon_task *out, struct lf_error *err);

/* The open tasks as a statistics table (stats/stats.h): row 0 the
 * region `in` itself, then each of its children (every child, with or
 * without tasks); one column per finding (code, Chinese label). The
 * caller frees it with stats_table_free(). */
struct stats_table;
int	recon_table(struct store *s, const struct region *in,
	    struct stats_table *out, struct lf_error *err);

#endif

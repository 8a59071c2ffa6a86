/*
 * statsd.h - the server's statistics: one in-memory struct stats per year
 * (core/stats.h), loaded from the database on first use and kept current
 * by every write the server makes.
 *
 * At most `max_years` years are resident (the memory of a year grows with
 * the persons: about 0.3 KB a person with its service items, 1.1 GiB for
 * the province); asking for another evicts the one used longest ago. The current year (China time) is loaded at start, in
 * the background; requests for a year that is loading wait for it.
 *
 * Writers call statsd_person() after a successful commit: every resident
 * year re-reads that person (survey, plan, items), so a total moves within
 * the request that caused it. A write during a load does not wait for it:
 * the person is noted and re-read when the load ends (a load reads one
 * snapshot, which may or may not hold the write), and the report's as-of
 * time is when the load started. statsd_reload() re-reads a whole year (after
 * a bulk build).
 *
 * Snapshots (issue 17.4). A year is read from its snapshot DB.stats-YEAR
 * (stats/stats_snap.h) when the snapshot is labelled with the database's
 * current write counter (store/stats_gen.h), else scanned (the log says
 * why: none, stale, damaged, another layout). A snapshot is written after
 * a scan, every ten minutes when the year changed, when the year is
 * evicted for another (its memory is then returned to the system before
 * the next year loads), and at statsd_stop() (a clean stop), each time only when the server can certify the engine
 * is exactly the database at that counter: every move of the counter
 * since the year was loaded was committed by this server on a watched
 * connection (stats_gen_watch(), which the server sets on each worker's
 * connection and stats_gen_forget() at each request's start) and claimed
 * by statsd_person() after the person was re-read. A write by another
 * program, one not followed by statsd_person(), or one in flight leaves
 * the counter ahead of the claims: no snapshot is written (logged), and
 * the next start scans. Readers go on while a snapshot is written;
 * writers of that year wait for it (about 1 s per 100 MiB of snapshot).
 *
 * PostgreSQL (issue 18; statsd.c's head and docs/postgresql.md): years
 * load on the statistics' own connection, scoped to the whole registry
 * (the caller's store is not used); no snapshot and no write counter:
 * every commit of any writer sends a notice (format 7's triggers), and
 * every 2 seconds a year is reloaded when one arrived, readers going on
 * with the old engine meanwhile; statsd_person() re-reads no one there.
 *
 * Threads: any. Each year has a read-write lock; readers hold it while
 * they build a report, writers while they refresh one person.
 */
#ifndef LF_HTTP_STATSD_H
#define LF_HTTP_STATSD_H

#include <stdint.h>

#include "lib/error.h"
#include "stats/stats.h"
#include "store/store.h"

struct app;

/* Sets up the resident-year table. 0 or -1. */
int	statsd_start(const struct app *app, int max_years,
	    struct lf_error *err);
/* Frees every year (after the last request). */
void	statsd_stop(void);

/* A year held for reading. */
struct statsd_ref {
	const struct stats	*st;
	int64_t			 as_of;		/* Unix time of the last change */
	void			*slot;		/* private */
};

/* The stats of year, loaded with s when not resident, read-locked for
 * the caller: 0 with ref filled, or -1 with err. Release with
 * statsd_release() as soon as the report is built. */
int	statsd_acquire(struct store *s, int year, struct statsd_ref *ref,
	    struct lf_error *err);
void	statsd_release(struct statsd_ref *ref);

/* Re-reads one person into every resident year. Failures are logged;
 * the year is then marked for reloading on its next use. */
void	statsd_person(struct store *s, int64_t person_id);
/* Marks year to be loaded again on its next use. */
void	statsd_reload(int year);

#endif

/*
 * stats_load.h - filling the statistics engine (core/stats.h) from the
 * store, and keeping it current one person at a time.
 *
 * stats_load() reads, for the engine's year, every person (village and
 * status), their survey of that year, their plan's status and their
 * service items, and hands them to the engine person by person. It reads
 * only the coded columns the engine keeps: secret items (ID, phone and
 * certificate numbers) are neither selected nor decrypted. Two statements
 * over a range of person ids do the reading: persons LEFT JOIN the year's
 * survey and plan, in id order, merged with the year's items in person
 * order; rows are decoded into batches of 256 persons. Decoding costs
 * more than the engine, so the load reads with up to four threads (one
 * fewer than the processors), each on a read-only connection of its own
 * taking ranges of ids in turn, while the calling thread alone feeds the
 * engine. Memory stays at a few batches whatever the size of the
 * database; the store's page cache is held to 64 MiB meanwhile.
 *
 * Each reading connection reads one snapshot, taken when the load
 * starts; writes committed while it runs may or may not be seen, so the
 * caller refreshes (stats_refresh) the persons written meanwhile once
 * the load is done. A load inside the caller's transaction (which other
 * connections would not see), or of a database that cannot be opened a
 * second time, reads on the store's connection, on the calling thread,
 * in one snapshot.
 *
 * stats_refresh() re-reads one person the same way, after a write that
 * touched them (survey, person status, plan or any item, a delivery), on
 * statements prepared once per connection (about 0.1 ms). A person no
 * longer in the database is removed from the engine.
 *
 * The engine must be empty for stats_load() (a fresh stats_new()) and
 * must belong to the store's catalog; ps must be the policy table the
 * engine was made with (stats_new()), since items name their policy by
 * code and the engine counts them by index in that table (core/stats.h
 * has no accessor for it). An item whose policy or department code is
 * unknown counts with policy or department -1 (batch 其他); an unknown
 * need code is skipped; a planned month outside 1..12 counts as
 * December (never overdue before the year is over).
 *
 * Threads: as for struct store (one thread at a time on a connection);
 * the caller serialises these writers against the engine's readers (the
 * reading threads of a load never touch the engine).
 *
 * Errors: 0, or -1 with err: "store" (SQLite), "no_memory", "corrupt"
 * (a stored value that cannot be read: a date that does not parse, a
 * village that is not 12 digits; err->field names the item, "" for the
 * village) or the engine's "invalid" (err->field "village", "decision",
 * "status"...). After a failed stats_load() the engine holds part of the
 * year: free it. After a failed stats_refresh() the person may be half
 * updated (registration and survey, not items): refresh again or
 * reload.
 */
#ifndef LF_STORE_STATS_LOAD_H
#define LF_STORE_STATS_LOAD_H

#include <stdint.h>

#include "lib/error.h"
#include "core/policy.h"
#include "stats/stats.h"
#include "store/store.h"

/* An item as the store reads it, codes as text (NULL or "" none): what
 * a backend hands over for the load to decode (PostgreSQL's,
 * store/pg/pg_stats.c). */
struct stats_item_text {
	const char	*policy, *dept, *needs;
	int		 decision, status, effect, month;
	int64_t		 planned, spent;
};

/* progress (may be NULL) is called on the calling thread now and then
 * with persons done and the total, and once at the end. */
int	stats_load(struct store *s, struct stats *st,
	    const struct policies *ps,
	    void (*progress)(void *arg, int64_t done, int64_t total),
	    void *arg, struct lf_error *err);

/* Re-reads person_id: registration, survey, plan and items of the
 * engine's year. */
int	stats_refresh(struct store *s, struct stats *st,
	    const struct policies *ps, int64_t person_id,
	    struct lf_error *err);

#endif

/*
 * store_hold.c - held read snapshots (store.h, "Held read snapshots").
 *
 * A snapshot is one open read transaction (BEGIN DEFERRED; SQLite takes
 * the snapshot at its first read). While it stays open, commits of other
 * connections (the audit writer's, one every group of reads) do not reach
 * this connection, and SQLite keeps its page cache: the b-tree pages
 * every lookup descends through are read from memory instead of from the
 * kernel. It is ended when it is too old, when a write of this process
 * has ended since it began (the write generation below), or when this
 * connection is about to write.
 */
#include <stdatomic.h>

#include "lib/clock.h"
#include "store/store_int.h"

/* Write transactions of this process that have ended, but for the quiet
 * connections'. Starts at 1 so that a zeroed held_gen is never current. */
static _Atomic uint64_t write_gen = 1;

void
store_hold_enable(struct store *s, int ms)
{
	if (s->db == NULL)
		return;
	store_hold_drop(s);
	s->hold_ns = ms > 0 ? (int64_t)ms * 1000000LL : 0;
}

void
store_hold_quiet(struct store *s)
{
	s->quiet = 1;
}

void
store_hold_drop(struct store *s)
{
	if (!s->held)
		return;
	s->held = 0;
	if (s->in_tx || sqlite3_get_autocommit(s->db))
		return;		/* in use by store_read_begin(), or gone */
	/* a read transaction: COMMIT only ends it; should a write have
	 * slipped into it, it is committed as the statement meant */
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Still as fresh as store.h promises? */
static int
fresh(const struct store *s)
{
	return s->held && !sqlite3_get_autocommit(s->db) &&
	    atomic_load(&write_gen) == s->held_gen &&
	    clock_mono_ns() - s->held_at < s->hold_ns &&
	    sqlite3_txn_state(s->db, NULL) != SQLITE_TXN_WRITE;
}

/* Opens a snapshot to hold: 0, or -1 when BEGIN failed (then none). */
static int
take(struct store *s)
{
	/* the generation before the snapshot: a write ending in between
	 * stales it at once rather than being missed */
	s->held_gen = atomic_load(&write_gen);
	s->held_at = clock_mono_ns();
	if (sqlite3_exec(s->db, "BEGIN DEFERRED", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return -1;
	s->held = 1;
	return 0;
}

/* Keeps a fresh snapshot, or ends a stale one and takes a new one: 0
 * when one is held, -1 when none (then reads run as before). */
static int
keep_or_take(struct store *s)
{
	if (s->held && fresh(s))
		return 0;
	store_hold_drop(s);
	return sqlite3_get_autocommit(s->db) ? take(s) : -1;
}

void
store_hold_begin(struct store *s)
{
	if (s->hold_ns != 0 && !s->in_tx)
		(void)keep_or_take(s);
}

void
store_hold_bump(void)
{
	atomic_fetch_add(&write_gen, 1);
}

void
store_hold_after(struct store *s)
{
	if (!s->held || s->in_tx || s->db == NULL)
		return;
	if (sqlite3_get_autocommit(s->db)) {
		s->held = 0;	/* ended underneath (an error rolled back) */
		return;
	}
	if (sqlite3_txn_state(s->db, NULL) != SQLITE_TXN_WRITE)
		return;
	/* a write that joined the snapshot: committed now, never left
	 * holding SQLite's write lock after the request */
	store_hold_drop(s);
	store_hold_bump();
}

int
store_autocommit(struct store *s)
{
	if (s->held && !s->in_tx)
		store_hold_drop(s);
	return sqlite3_get_autocommit(s->db);
}

void
store_hold_wrote(struct store *s)
{
	if (!s->wrote || !sqlite3_get_autocommit(s->db))
		return;
	s->wrote = 0;
	if (!s->quiet)
		store_hold_bump();
}

/*
 * store_read_begin() and store_read_end() with holding on: the snapshot a
 * request's store_hold_begin() opened is reused, one begun here is kept.
 * 1 when these handled the call, 0 when the plain path is to run.
 */
int
store_hold_read_begin(struct store *s)
{
	if (s->hold_ns == 0 || s->in_tx || keep_or_take(s) != 0)
		return 0;
	s->in_tx = 1;
	return 1;
}

int
store_hold_read_end(struct store *s)
{
	if (!s->held || !s->in_tx)
		return 0;
	s->in_tx = 0;
	/* a write made inside the read: commit it now, as before */
	if (sqlite3_txn_state(s->db, NULL) == SQLITE_TXN_WRITE)
		store_hold_drop(s);
	return 1;
}

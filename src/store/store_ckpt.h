/*
 * store_ckpt.h - checkpoints on a thread of their own during bulk work.
 *
 * In WAL mode SQLite copies the log back into the database file
 * (a checkpoint, with an fsync of each file) inside the commit that
 * crosses wal_autocheckpoint pages, so a bulk writer waits for that
 * I/O at each of its chunk commits. store_ckpt_start() turns the
 * automatic checkpoints of the store's connection off and starts a
 * thread with its own connection that runs PASSIVE checkpoints (they
 * never block the writer nor wait for it) every few tens of
 * milliseconds while the writer goes on. store_ckpt_stop() stops the
 * thread, closes its connection and restores the writer's automatic
 * checkpoints.
 *
 * Durability is unchanged: what a checkpoint copies was committed (and
 * the copy is fsynced before the log is reused). Owned by the caller of
 * start; stop it before the store is closed. Not for ":memory:" stores
 * (start returns 0 and does nothing there).
 */
#ifndef LF_STORE_STORE_CKPT_H
#define LF_STORE_STORE_CKPT_H

#include "lib/error.h"
#include "store/store.h"

struct store_ckpt;

/* 0 and *out (NULL when there is nothing to do), or -1 with err (code
 * "store" when the connection cannot be opened, "thread", "no_memory"). */
int	store_ckpt_start(struct store *s, struct store_ckpt **out,
	    struct lf_error *err);
/*
 * Sets the time between the thread's PASSIVE checkpoints (50 ms unless
 * set; from the next one on). A page the writer changes again and again
 * (the audit log's newest pages and the random leaves of its person
 * index) is copied once a period, however many commits changed it, so a
 * writer of many small commits (the server's audit writer) copies less
 * with a longer one; the log then holds a little more between
 * checkpoints (restarts, above, are unchanged). ms < 1 and c NULL are
 * ignored.
 */
void	store_ckpt_period(struct store_ckpt *c, int ms);

/*
 * Called by the writer between its transactions: when the log has grown
 * past a limit (the thread's checkpoints cannot restart it while a
 * reader and the writer keep it in use; the size comes from a commit hook
 * on the writer's connection, sqlite3_wal_hook()), checkpoints what is left on
 * the writer's connection in RESTART mode, so that the next transaction
 * writes the log from its start again, into file pages already cached,
 * instead of growing it by the size of the whole job.
 *
 * wait 1 (a bulk job, few readers): waits for readers through the busy
 * handler. wait 0 (the server's audit writer, with readers all the time):
 * never waits; a restart that finds a reader is tried again at the
 * earliest a second later. A RESTART holds the write lock while it waits,
 * so waiting for readers that never all leave blocked every writer and
 * every answer behind the audit writer for the busy timeout (found by
 * bench/load.sh at province scale). 0, or -1 with err (code "store").
 * c may be NULL (nothing to do).
 */
int	store_ckpt_restart(struct store_ckpt *c, int wait, struct lf_error *err);
/* The log's size in frames after the writer's last commit. The writer's
 * thread only, like store_ckpt_restart(). */
int	store_ckpt_frames(struct store_ckpt *c);
/* Stops and frees c (NULL is fine). */
void	store_ckpt_stop(struct store_ckpt *c);

#endif

/*
 * stats_gen.h - the database's write counter for the statistics: a
 * number in the database that every change of the rows the statistics
 * engine reads (persons, surveys, plans, items) moves, in the same
 * transaction as the change, whoever makes it (this program's server,
 * its command line, or a SQL shell).
 *
 * It is kept by triggers (one UPDATE of a one-row table per changed
 * row, about 0.1 us: measured 2 M inserts 1.09 s of CPU without, 1.33 s
 * with), installed on open by stats_gen_init(). A snapshot of the
 * statistics labelled with the counter (core/stats_snap.h) is current
 * exactly when the counter still has that value. A bulk load on SQLite
 * (store_begin_bulk()) holds the triggers off and moves the counter once,
 * at its commit, by the rows it changed: the same final value, one UPDATE
 * (a watch below would count it as one move; no watched connection, the
 * server's, runs a bulk load).
 *
 * A server also needs to know which moves of the counter were its own
 * and already applied to its resident statistics: stats_gen_watch()
 * counts, on the calling thread, the moves committed by that connection
 * (SQLite's update, commit and rollback hooks); stats_gen_forget() drops
 * what was counted (at the start of each request); stats_gen_take()
 * returns what was committed since and clears it (statsd_person(), once
 * the written person is re-read). A move rolled back by ROLLBACK TO a
 * savepoint inside a committed transaction is still counted: the count
 * can only be too high, which makes the server refuse to write a
 * snapshot, never write a wrong one (unless a write by another program
 * made up exactly the difference).
 *
 * Threads: the watch is per thread (thread-local): one watched
 * connection per thread, used on that thread only.
 * Errors: -1 with err "store".
 */
#ifndef LF_STORE_STATS_GEN_H
#define LF_STORE_STATS_GEN_H

#include <stdint.h>

#include "lib/error.h"
#include "store/store.h"

/* The counter's table and triggers, when missing (store_open()). */
int	stats_gen_init(struct store *s, struct lf_error *err);
/* 1 when table's rows move the counter (persons, surveys, plans, items):
 * what a bulk load, which holds the triggers off, counts itself. */
int	stats_gen_watches(const char *table);
/* The counter's value. */
int	stats_gen_get(struct store *s, uint64_t *gen, struct lf_error *err);

/*
 * PostgreSQL (issue 18) keeps no counter: one row that every writer
 * updates would hold them all on its row lock until they commit (a load
 * for minutes). A statement trigger on each watched table sends NOTIFY
 * instead, delivered when the writing transaction commits, once per
 * transaction, whoever writes (store/pg/pg_watch.c, format 7).
 * stats_gen_listen() subscribes the store's connection (a connection of
 * its own: it must stay the same one); stats_gen_notified() reads what
 * has arrived, without waiting: 1 when a watched table changed since the
 * last call, or the connection was lost and made again (it listens again;
 * anything may have changed meanwhile), 0 when not, -1 with err
 * ("unavailable") while the server cannot be reached. On SQLite both
 * return 0 (its counter above says the same).
 */
int	stats_gen_listen(struct store *s, struct lf_error *err);
int	stats_gen_notified(struct store *s, struct lf_error *err);

void		stats_gen_watch(struct store *s);
void		stats_gen_forget(void);
uint64_t	stats_gen_take(void);

#endif

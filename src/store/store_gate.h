/*
 * store_gate.h - the process's writers take SQLite's write lock in turn.
 *
 * SQLite lets one connection write at a time; the others wait in the busy
 * handler, which sleeps and polls (up to 100 ms between tries) and lets a
 * newcomer take a free lock before a writer that has waited for seconds.
 * When writes hold the lock long (a province database with a cold page
 * cache: every plan build reads index pages from disk under the lock),
 * an unlucky writer polled for 10 s and failed "database is locked"
 * (bench/load.sh after a cache drop: 4 of 11,196 requests).
 *
 * The gate puts the process's own writers in a queue, first come first
 * served: a write transaction (BEGIN IMMEDIATE) is opened only by the
 * connection at the head, and the next one is woken the moment the
 * transaction ends. SQLite's lock stays the arbiter between processes (a
 * CLI beside the server): the gate only orders the threads of this one.
 *
 * The gate is off until store_gate_enable(1) (the server turns it on; a
 * CLI run has one writer and needs none). A writer waits at most
 * STORE_BUSY_MS for its turn, as for SQLite's lock, then fails "busy"
 * rather than hang: so a thread that would wait on itself (two
 * connections writing in one thread) gets an error, not a deadlock.
 *
 * Every store function that opens or ends a write transaction goes
 * through store_tx_immediate() and store_tx_finish() (store_int.h); a
 * connection's turn ends when it is back in autocommit. Thread-safe.
 */
#ifndef LF_STORE_GATE_H
#define LF_STORE_GATE_H

/* Turns the gate on (1) or off (0) for the whole process; off, the
 * functions below only open and end transactions. Call before writers
 * start (the server's start) or after they have stopped. */
void	store_gate_enable(int on);

#endif

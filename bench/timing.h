/*
 * timing.h - what the benchmark programs of bench/ share to time their
 * runs: a monotonic clock, the process's resident memory and the time a
 * SQLite query takes to give all its rows.
 *
 * Linked into each benchmark that includes it (Makefile: bench/timing.c
 * beside the program). Nothing is kept between calls. bench_sql_ms()
 * prints the query and SQLite's message and exits 1 when the query does
 * not prepare; the others do not fail.
 */
#ifndef LF_BENCH_TIMING_H
#define LF_BENCH_TIMING_H

#include <sqlite3.h>

/* Seconds on the monotonic clock. */
double	bench_now(void);
/* The process's resident memory (VmRSS), in MiB; 0 when unknown. */
long	bench_rss_mib(void);
/* Milliseconds to prepare sql on db and step through all its rows. */
double	bench_sql_ms(sqlite3 *db, const char *sql);

#endif

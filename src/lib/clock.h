/*
 * clock.h - the two clock readings the background threads share: the
 * monotonic time in nanoseconds (for "how long since") and a deadline
 * for pthread_cond_timedwait() on a given clock.
 *
 * Neither allocates nor fails (clock_gettime() on CLOCK_MONOTONIC and
 * CLOCK_REALTIME cannot fail on Linux). Thread-safe.
 */
#ifndef LF_LIB_CLOCK_H
#define LF_LIB_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC now, in nanoseconds. */
int64_t	clock_mono_ns(void);
/* *ts = clock clk now plus ns nanoseconds (ns >= 0), normalised: the
 * deadline of a timed wait on a condition variable of clock clk. */
void	clock_deadline(struct timespec *ts, clockid_t clk, int64_t ns);

#endif

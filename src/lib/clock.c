/*
 * clock.c - monotonic nanoseconds and condition-variable deadlines
 * (clock.h).
 */
#include "lib/clock.h"

int64_t
clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
clock_deadline(struct timespec *ts, clockid_t clk, int64_t ns)
{
	clock_gettime(clk, ts);
	ts->tv_sec += (time_t)(ns / 1000000000LL);
	ts->tv_nsec += (long)(ns % 1000000000LL);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

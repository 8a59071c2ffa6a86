/*
 * progress.h - a one-line progress bar on stderr for long CLI work.
 *
 *	struct progress *p = progress_start("导入", nrows);
 *	for (...)
 *		progress_update(p, ++done);
 *	progress_done(p);
 *
 * On a terminal the line is redrawn in place with '\r' at most about eight
 * times a second:
 *
 *   导入 [##########....................]  36% 126000/350000 8.4k/s ETA 00:26
 *
 * With an unknown total (0) it shows the count, the rate and the elapsed
 * time instead. progress_done() replaces it with a final line
 * "导入: 3500000 done in 00:42 (83.3k/s)".
 *
 * When stderr is not a terminal nothing at all is written, not even the
 * final line, so logs and pipes stay clean. The environment variable
 * LIANGFU_PROGRESS=1 forces output on (tests), =0 forces it off; other
 * values are ignored. The choice is made once, in progress_start().
 *
 * progress_update() is cheap enough to call once per record for millions
 * of records: it reads the clock only after a countdown that adapts to
 * the update rate (at most every 256 updates, at least every update when
 * they are slow). The first update always reads the clock.
 *
 * One struct progress belongs to one thread. Every function accepts NULL
 * and then does nothing, so a failed progress_start() (out of memory)
 * never stops the real work.
 */
#ifndef LF_IO_PROGRESS_H
#define LF_IO_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

struct progress;

/*
 * Start timing a job of total units (0 = unknown). label is copied (cut
 * to 40 bytes on a character boundary). Returns NULL when memory runs
 * out. The caller ends the job with progress_done(), which frees it.
 */
struct progress	*progress_start(const char *label, uint64_t total);

/* Record that done units are finished (an absolute count, not an
 * increment) and redraw if the last drawing is old enough. */
void		 progress_update(struct progress *p, uint64_t done);

/* Write the final line (count from the last update, elapsed time, rate)
 * when output is on, and free p. p is no longer valid afterwards. */
void		 progress_done(struct progress *p);

/*
 * Formatting helpers, also used for CLI summaries. Both write a
 * NUL-terminated string into dst (cut to size) and return dst.
 * progress_format_rate: "0/s", "950/s", "12.3k/s", "4.5M/s", "1.2G/s".
 * progress_format_duration: "mm:ss" under an hour, else "h:mm:ss";
 * negative or not-a-number seconds give "--:--". Seconds are truncated.
 */
const char	*progress_format_rate(char *dst, size_t size, double per_sec);
const char	*progress_format_duration(char *dst, size_t size,
		    double seconds);

#endif

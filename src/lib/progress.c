/*
 * progress.c - progress bar on stderr.
 *
 * progress_update() only decrements a countdown; when it reaches zero the
 * clock is read. The countdown length doubles while clock reads come less
 * than CHECK_MIN apart and halves when they come more than CHECK_MAX
 * apart, so a fast loop reads the clock once per INTERVAL_MAX updates and
 * a loop of slow updates reads it on every call. The cap bounds how stale
 * the bar can get when fast updates suddenly turn slow. A redraw happens
 * when DRAW_EVERY has passed since the last one.
 */
#include "lib/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/mem.h"
#include "lib/utf8.h"

#define LABEL_MAX	40		/* bytes */
#define BAR_WIDTH	30		/* characters */
#define TEXT_MAX	256
#define DRAW_EVERY	0.125		/* seconds: at most 8 redraws/s */
#define CHECK_MIN	0.002		/* seconds between clock reads */
#define CHECK_MAX	0.020
#define INTERVAL_MAX	256		/* updates between clock reads */

struct progress {
	char		 label[LABEL_MAX + 1];
	uint64_t	 total;
	uint64_t	 done;
	struct timespec	 t0;
	double		 last_check;	/* seconds since t0 */
	double		 last_draw;
	uint32_t	 countdown;	/* updates before the next clock read */
	uint32_t	 interval;
	size_t		 width;		/* bytes of the last drawn line */
	int		 on;
};

static int
output_wanted(void)
{
	const char *v = getenv("LIANGFU_PROGRESS");

	if (v != NULL && strcmp(v, "1") == 0)
		return 1;
	if (v != NULL && strcmp(v, "0") == 0)
		return 0;
	return isatty(STDERR_FILENO);
}

/* The coarse clock is read from memory, no syscall; ms resolution will
 * do for a display. */
#ifdef CLOCK_MONOTONIC_COARSE
#define PROGRESS_CLOCK	CLOCK_MONOTONIC_COARSE
#else
#define PROGRESS_CLOCK	CLOCK_MONOTONIC
#endif

static double
since_start(const struct progress *p)
{
	struct timespec now;

	clock_gettime(PROGRESS_CLOCK, &now);
	return (double)(now.tv_sec - p->t0.tv_sec) +
	    (double)(now.tv_nsec - p->t0.tv_nsec) / 1e9;
}

const char *
progress_format_rate(char *dst, size_t size, double per_sec)
{
	if (!(per_sec >= 0))
		per_sec = 0;
	if (per_sec < 999.5)
		snprintf(dst, size, "%.0f/s", per_sec);
	else if (per_sec < 999950.0)
		snprintf(dst, size, "%.1fk/s", per_sec / 1e3);
	else if (per_sec < 999950000.0)
		snprintf(dst, size, "%.1fM/s", per_sec / 1e6);
	else
		snprintf(dst, size, "%.1fG/s", per_sec / 1e9);
	return dst;
}

const char *
progress_format_duration(char *dst, size_t size, double seconds)
{
	unsigned long long s;

	if (!(seconds >= 0) || seconds >= 1e15) {
		snprintf(dst, size, "--:--");
		return dst;
	}
	s = (unsigned long long)seconds;
	if (s < 3600)
		snprintf(dst, size, "%02llu:%02llu", s / 60, s % 60);
	else
		snprintf(dst, size, "%llu:%02llu:%02llu", s / 3600,
		    s / 60 % 60, s % 60);
	return dst;
}

/* Write line (len bytes) after '\r', blanking what is left of a longer
 * previous line, and end with nl when asked. */
static void
emit(struct progress *p, const char *line, size_t len, int nl)
{
	char out[1 + TEXT_MAX + TEXT_MAX + 1];
	size_t n = 0, pad;

	out[n++] = '\r';
	memcpy(out + n, line, len);
	n += len;
	pad = p->width > len ? p->width - len : 0;
	memset(out + n, ' ', pad);
	n += pad;
	if (nl)
		out[n++] = '\n';
	p->width = len;
	fwrite(out, 1, n, stderr);
	fflush(stderr);
}

static size_t
format_known(const struct progress *p, double t, char *line, size_t size)
{
	char bar[BAR_WIDTH + 1], rate[32], eta[32];
	double frac = (double)p->done / (double)p->total;
	double per_sec = t > 0 ? (double)p->done / t : 0;
	size_t fill;
	int n;

	if (frac > 1)
		frac = 1;
	fill = (size_t)(frac * BAR_WIDTH);
	memset(bar, '#', fill);
	memset(bar + fill, '.', BAR_WIDTH - fill);
	bar[BAR_WIDTH] = '\0';
	progress_format_rate(rate, sizeof(rate), per_sec);
	if (p->done >= p->total)
		progress_format_duration(eta, sizeof(eta), 0);
	else
		progress_format_duration(eta, sizeof(eta), per_sec > 0 ?
		    (double)(p->total - p->done) / per_sec : -1);
	n = snprintf(line, size, "%s [%s] %3u%% %llu/%llu %s ETA %s",
	    p->label, bar, (unsigned)(frac * 100), (unsigned long long)p->done,
	    (unsigned long long)p->total, rate, eta);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static size_t
format_unknown(const struct progress *p, double t, char *line, size_t size)
{
	char rate[32], el[32];
	int n;

	progress_format_rate(rate, sizeof(rate),
	    t > 0 ? (double)p->done / t : 0);
	progress_format_duration(el, sizeof(el), t);
	n = snprintf(line, size, "%s %llu %s %s", p->label,
	    (unsigned long long)p->done, rate, el);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static void
draw(struct progress *p, double t)
{
	char line[TEXT_MAX];
	size_t len;

	if (p->total > 0)
		len = format_known(p, t, line, sizeof(line));
	else
		len = format_unknown(p, t, line, sizeof(line));
	emit(p, line, len, 0);
	p->last_draw = t;
}

/* The countdown ran out: read the clock, adapt, maybe redraw. */
static void
tick(struct progress *p)
{
	double t = since_start(p), gap = t - p->last_check;

	p->last_check = t;
	if (gap < CHECK_MIN && p->interval < INTERVAL_MAX)
		p->interval *= 2;
	else if (gap > CHECK_MAX && p->interval > 1)
		p->interval /= 2;
	p->countdown = p->interval;
	if (t - p->last_draw >= DRAW_EVERY)
		draw(p, t);
}

struct progress *
progress_start(const char *label, uint64_t total)
{
	struct progress *p;
	size_t n;

	p = mem_calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	if (label == NULL)
		label = "";
	n = utf8_cut(label, strlen(label), LABEL_MAX);
	memcpy(p->label, label, n);
	p->label[n] = '\0';
	p->total = total;
	p->on = output_wanted();
	p->interval = 1;
	p->countdown = 1;
	clock_gettime(PROGRESS_CLOCK, &p->t0);
	return p;
}

void
progress_update(struct progress *p, uint64_t done)
{
	if (p == NULL || !p->on)
		return;
	p->done = done;
	if (--p->countdown == 0)
		tick(p);
}

void
progress_done(struct progress *p)
{
	char line[TEXT_MAX], rate[32], el[32];
	double t;
	int n;

	if (p == NULL)
		return;
	if (p->on) {
		t = since_start(p);
		progress_format_rate(rate, sizeof(rate),
		    t > 0 ? (double)p->done / t : 0);
		progress_format_duration(el, sizeof(el), t);
		n = snprintf(line, sizeof(line), "%s: %llu done in %s (%s)",
		    p->label, (unsigned long long)p->done, el, rate);
		if (n > 0)
			emit(p, line, (size_t)n < sizeof(line) ?
			    (size_t)n : sizeof(line) - 1, 1);
	}
	mem_free(p);
}

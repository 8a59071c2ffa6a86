/*
 * faultfile.c - see faultfile.h. Compiled into every build; the points
 * exist only with -DLF_TESTING.
 */
#include "lib/faultfile.h"

#ifndef LF_TESTING

int
faultfile(const char *point)
{
	(void)point;
	return 0;
}

#else

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPOINTS	16

static struct point {
	char		 name[32];
	unsigned long	 from, times, calls;
} pts[NPOINTS];
static size_t npts;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void
bad_spec(const char *spec, const char *what)
{
	fprintf(stderr, "faultfile: LF_FAULT_FILE=\"%s\": %s\n", spec, what);
	abort();
}

static const char *const known[] = {
	"key-open", "key-read", "key-write", "key-sync", "anchor-open",
	"anchor-write", "anchor-sync", "anchor-rename", "anchor-put",
	"anchor-read", NULL
};

/* One "NAME[@N[/K]]" of spec, n bytes at p. */
static void
parse_one(const char *spec, const char *p, size_t n)
{
	struct point *pt;
	const char *at = memchr(p, '@', n);
	size_t k = at != NULL ? (size_t)(at - p) : n, i;
	char *end;

	if (npts == NPOINTS)
		bad_spec(spec, "too many points");
	pt = &pts[npts++];
	if (k == 0 || k >= sizeof(pt->name))
		bad_spec(spec, "a point name expected");
	memcpy(pt->name, p, k);
	pt->name[k] = '\0';
	for (i = 0; known[i] != NULL && strcmp(known[i], pt->name) != 0; i++)
		;
	if (known[i] == NULL)
		bad_spec(spec, "unknown point (see lib/faultfile.h)");
	pt->from = 1;
	if (at == NULL)
		return;
	if (at[1] < '0' || at[1] > '9')
		bad_spec(spec, "@N expected");
	pt->from = strtoul(at + 1, &end, 10);
	if (*end == '/') {
		if (end[1] < '0' || end[1] > '9')
			bad_spec(spec, "/K expected");
		pt->times = strtoul(end + 1, &end, 10);
	}
	if (end != p + n || pt->from == 0)
		bad_spec(spec, "NAME, NAME@N or NAME@N/K expected (N from 1)");
}

static void
install(void)
{
	const char *spec = getenv("LF_FAULT_FILE"), *p, *e;

	if (spec == NULL)
		return;
	for (p = spec; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		parse_one(spec, p, (size_t)(e - p));
	}
}

int
faultfile(const char *point)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct point *pt;
	int bad = 0;
	size_t i;

	pthread_once(&once, install);
	for (i = 0; i < npts; i++) {
		pt = &pts[i];
		if (strcmp(pt->name, point) != 0)
			continue;
		pthread_mutex_lock(&lock);
		pt->calls++;
		bad = pt->calls >= pt->from && (pt->times == 0 ||
		    pt->calls < pt->from + pt->times);
		pthread_mutex_unlock(&lock);
	}
	if (bad)
		errno = EIO;
	return bad ? -1 : 0;
}

#endif

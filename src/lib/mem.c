/*
 * mem.c - allocator wrapper with fault injection in test builds.
 */
#include "lib/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef LF_TESTING
#include <stdatomic.h>
static _Atomic long fail_at = -1;
static _Atomic long counter;

void
mem_fail_after(long n)
{
	counter = 0;
	fail_at = n;
}

long
mem_alloc_count(void)
{
	return counter;
}

static int
should_fail(void)
{
	long c = atomic_fetch_add(&counter, 1);
	long f = fail_at;

	return f >= 0 && c >= f;
}
#else
#define should_fail() 0
#endif

void *
mem_alloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n == 0 ? 1 : n);
}

void *
mem_calloc(size_t count, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
}

void *
mem_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n == 0 ? 1 : n);
}

int
mem_grow(void *pp, size_t *cap, size_t need, size_t size, size_t max)
{
	size_t lim, n;
	void *p, *np;

	if (need <= *cap)
		return 0;
	lim = size == 0 ? 0 : SIZE_MAX / size;
	if (max < lim)
		lim = max;
	if (need > lim)
		return -1;
	n = *cap ? *cap : 16;
	while (n < need)
		n = n > lim / 2 ? lim : n * 2;
	if (n > lim)
		n = lim;
	memcpy(&p, pp, sizeof(p));
	if ((np = mem_realloc(p, n * size)) == NULL)
		return -1;
	memcpy(pp, &np, sizeof(np));
	*cap = n;
	return 0;
}

char *
mem_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = mem_alloc(len + 1);

	if (d == NULL)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *
mem_strdup(const char *s)
{
	return mem_strndup(s, strlen(s));
}

void
mem_free(void *p)
{
	free(p);
}

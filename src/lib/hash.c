/*
 * hash.c - FNV-1a (hash.h).
 */
#include "lib/hash.h"

#include <string.h>

uint32_t
lf_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}

uint32_t
lf_hash_str(const char *s)
{
	return lf_hash(s, strlen(s));
}

/*
 * mem.h - the allocator wrapper every liangfu module uses.
 *
 * All functions return NULL when memory cannot be had; callers check and
 * fail cleanly (no caller may assume success). mem_free(NULL) is a no-op.
 * Memory from these functions is released with mem_free() only.
 *
 * In test builds (LF_TESTING) an allocation can be made to fail on purpose:
 * mem_fail_after(n) makes the n-th allocation from now (0 = the next one)
 * and every later one fail until mem_fail_after(-1). Tests sweep n over a
 * whole operation and assert a clean error and no leak (SQLite's
 * test_malloc.c, curl's torture mode).
 */
#ifndef LF_CORE_MEM_H
#define LF_CORE_MEM_H

#include <stddef.h>
#include <stdint.h>

void *mem_alloc(size_t n);
void *mem_calloc(size_t count, size_t size);
/* On failure returns NULL and leaves p untouched (still owned by caller). */
void *mem_realloc(void *p, size_t n);
char *mem_strdup(const char *s);
/* Copies at most n bytes of s and terminates the copy. */
char *mem_strndup(const char *s, size_t n);
void mem_free(void *p);
/* Makes room in an array for need elements of size bytes. pp is the
 * address of the array's pointer (any element type; NULL for none yet),
 * *cap its room in elements. The room doubles from 16 (or from need when
 * larger) and is cut at max elements. Returns 0, with *pp and *cap
 * updated when the array moved; -1 when need exceeds max, need * size
 * overflows, or memory runs out: *pp (still owned by the caller) and
 * *cap are then unchanged. */
int mem_grow(void *pp, size_t *cap, size_t need, size_t size, size_t max);

#ifdef LF_TESTING
void mem_fail_after(long n);
/* Allocations made since the last mem_fail_after() call. */
long mem_alloc_count(void);
#endif

#endif

/*
 * store_bulkids.c - the persons a bulk load into an empty registry has
 * written, by ID hash, while the unique index on the hash is dropped
 * (store_begin_bulk() builds it again at the end, by sorting).
 *
 * An input may hold the same person twice (a second row is an update of
 * the first, as in any other write), so the load must still find a person
 * by ID hash. Without the index SQLite would scan the table; this table
 * keeps, per person written, the hash's first 8 bytes and the row id, in
 * open addressing with linear probing (16 bytes a person, grown by
 * doubling at half full: 128 MiB at 3.5 M persons). A prefix that matches
 * is only a candidate: the caller compares the full hash in the row.
 */
#include "store/store_int.h"

#include <string.h>

#include "lib/mem.h"

struct bulk_ids {
	uint64_t	*key;		/* 0: free slot */
	int64_t		*pid;
	size_t		 cap, n;	/* cap a power of two */
};

#define IDS_FIRST	(1u << 16)

/* The slot key of a hash: its first 8 bytes, never 0. */
static uint64_t
key_of(const unsigned char *hash)
{
	uint64_t k;

	memcpy(&k, hash, sizeof(k));
	return k ? k : 1;
}

static int
ids_alloc(struct bulk_ids *t, size_t cap)
{
	t->key = mem_calloc(cap, sizeof(*t->key));
	t->pid = mem_calloc(cap, sizeof(*t->pid));
	t->cap = cap;
	t->n = 0;
	return t->key != NULL && t->pid != NULL ? 0 : -1;
}

static void
ids_free(struct bulk_ids *t)
{
	mem_free(t->key);
	mem_free(t->pid);
	t->key = NULL;
	t->pid = NULL;
}

static void
ids_put(struct bulk_ids *t, uint64_t k, int64_t pid)
{
	size_t i = (size_t)(k * 0x9e3779b97f4a7c15ull) & (t->cap - 1);

	while (t->key[i] != 0)
		i = (i + 1) & (t->cap - 1);
	t->key[i] = k;
	t->pid[i] = pid;
	t->n++;
}

/* Doubles the table; -1 out of memory (the old one is kept). */
static int
ids_grow(struct bulk_ids *t)
{
	struct bulk_ids bigger;
	size_t i;

	if (ids_alloc(&bigger, t->cap * 2) != 0) {
		ids_free(&bigger);
		return -1;
	}
	for (i = 0; i < t->cap; i++)
		if (t->key[i] != 0)
			ids_put(&bigger, t->key[i], t->pid[i]);
	ids_free(t);
	*t = bigger;
	return 0;
}

int
store_bulk_ids_begin(struct store *s, struct lf_error *err)
{
	store_bulk_ids_end(s);
	if ((s->ids = mem_calloc(1, sizeof(*s->ids))) == NULL ||
	    ids_alloc(s->ids, IDS_FIRST) != 0) {
		store_bulk_ids_end(s);
		return lf_error_nomem(err);
	}
	return 0;
}

void
store_bulk_ids_end(struct store *s)
{
	if (s->ids == NULL)
		return;
	ids_free(s->ids);
	mem_free(s->ids);
	s->ids = NULL;
}

int
store_bulk_ids_add(struct store *s, const unsigned char *hash, int64_t pid,
    struct lf_error *err)
{
	struct bulk_ids *t = s->ids;

	if (2 * (t->n + 1) > t->cap && ids_grow(t) != 0)
		return lf_error_nomem(err);
	ids_put(t, key_of(hash), pid);
	return 0;
}

int64_t
store_bulk_ids_next(const struct store *s, const unsigned char *hash,
    size_t *cursor)
{
	const struct bulk_ids *t = s->ids;
	uint64_t k = key_of(hash);
	size_t i = *cursor == 0 ? (size_t)(k * 0x9e3779b97f4a7c15ull) &
	    (t->cap - 1) : *cursor - 1;

	for (; t->key[i] != 0; i = (i + 1) & (t->cap - 1))
		if (t->key[i] == k) {
			*cursor = ((i + 1) & (t->cap - 1)) + 1;
			return t->pid[i];
		}
	return 0;
}

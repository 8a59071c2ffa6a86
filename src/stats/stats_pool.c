/*
 * stats_pool.c - the service items of a village's persons, in one array
 * of words per village (see stats_int.h, "Items").
 *
 * A chunk is written once and never changed in place: new items take a
 * new chunk at the end, the old one becomes garbage. Rebuilding copies
 * the live chunks in person order into a new array, which both makes
 * room and drops the garbage; it happens when the pool must grow and
 * when garbage passes half of what is used, so a pool holds at most
 * about two and a half times its live items, and on average little more
 * than them.
 */
#include <string.h>

#include "lib/mem.h"
#include "stats/stats_int.h"

#define MIN_WORDS	8

/* The capacity for `live` words: a quarter more to grow into. */
static size_t
room(size_t live)
{
	return live + live / 4 + MIN_WORDS;
}

static size_t
chunk_words(const struct stats *st, const uint64_t *chunk)
{
	return stats_chunk_words(st, (size_t)(uint32_t)chunk[0]);
}

/* Copies the live chunks into a new array of cap words (0: none). */
static int
rebuild(struct stats *st, struct stats_vblock *b, size_t cap)
{
	uint32_t *off = stats_items_col(st, b);
	uint64_t *np = NULL;
	size_t used = 0, w, i;

	if (cap > 0) {
		np = mem_alloc(cap * sizeof(uint64_t));
		if (np == NULL)
			return -1;
	}
	for (i = 0; i < b->n; i++) {
		if (off[i] == STATS_NOITEMS)
			continue;
		w = chunk_words(st, b->pool + off[i]);
		memcpy(np + used, b->pool + off[i], w * sizeof(uint64_t));
		off[i] = (uint32_t)used;
		used += w;
	}
	mem_free(b->pool);
	st->item_bytes = st->item_bytes - b->pcap * sizeof(uint64_t) +
	    cap * sizeof(uint64_t);
	b->pool = np;
	b->pcap = cap;
	b->pused = used;
	b->pgarbage = 0;
	return 0;
}

int
stats_pool_reserve(struct stats *st, struct stats_vblock *b, size_t words)
{
	size_t live = b->pused - b->pgarbage + words;

	if (b->pcap - b->pused >= words)
		return 0;
	if (room(live) >= STATS_NOITEMS)
		return -1;
	return rebuild(st, b, room(live));
}

struct stats_pitems *
stats_pool_take(struct stats_vblock *b, size_t words, uint32_t *off)
{
	uint64_t *chunk = b->pool + b->pused;

	memset(chunk, 0, words * sizeof(uint64_t));
	*off = (uint32_t)b->pused;
	b->pused += words;
	return (struct stats_pitems *)(void *)chunk;
}

void
stats_pool_drop(struct stats *st, struct stats_vblock *b, uint32_t off)
{
	if (off == STATS_NOITEMS)
		return;
	st->nitems -= (int64_t)(uint32_t)b->pool[off];
	b->pgarbage += chunk_words(st, b->pool + off);
}

void
stats_pool_trim(struct stats *st, struct stats_vblock *b)
{
	size_t live = b->pused - b->pgarbage;

	if (b->n == 0 || live == 0)
		(void)rebuild(st, b, 0);
	else if (b->pgarbage > b->pused / 2)
		(void)rebuild(st, b, room(live));
}

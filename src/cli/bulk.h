/*
 * bulk.h - a two-stage pipeline for bulk writes (seed, import).
 *
 * A producer thread fills slots in order (parse or generate a record, then
 * store_prepare(): validation and sealing), while the calling thread
 * consumes them in the same order (store_write(), rejects, counts). Slots
 * travel in batches through a small ring, so the two stages overlap and
 * memory stays bounded whatever the input size.
 *
 * The producer returns 1 for a filled slot (slot->failed and slot->err
 * say whether the row itself was bad), 0 at the end of input, -1 for an
 * error that must stop everything (slot->err says why). The consumer
 * returns 0 to go on and -1 to stop; the producer is then told to stop and
 * joined before bulk_run() returns. Callbacks never run concurrently with
 * themselves; the producer runs on its own thread.
 */
#ifndef LF_CLI_BULK_H
#define LF_CLI_BULK_H

#include <stdint.h>

#include "core/error.h"
#include "core/record.h"
#include "store/store.h"

struct bulk_slot {
	struct record		*r;
	struct store_prep	*prep;
	struct lf_error		 err;
	int			 failed;	/* the row is bad: err */
	unsigned long		 line;		/* input line, for messages */
	uint64_t		 index;		/* position in the input */
	int			 year, status;
	char			*raw;		/* the row as read, kept only
						   when failed (owned): nraw
						   NUL-terminated fields */
	size_t			 nraw;
};

typedef int (*bulk_produce_fn)(void *arg, struct bulk_slot *s);
typedef int (*bulk_consume_fn)(void *arg, struct bulk_slot *s);

/*
 * Runs the pipeline to the end of input or the first stop. Returns 0 when
 * the producer reached its end and every consume returned 0; -1 with err
 * set otherwise (from the stopping callback's slot, or out of memory).
 */
int	bulk_run(const struct catalog *cat, bulk_produce_fn produce,
	    void *parg, bulk_consume_fn consume, void *carg,
	    struct lf_error *err);

#endif

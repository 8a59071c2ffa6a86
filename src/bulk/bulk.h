/*
 * bulk.h - a three-stage pipeline for bulk writes (seed, import) and
 * bulk reads (export).
 *
 * A producer thread fills slots in input order (parse or generate a
 * record: work that must be sequential), preparer threads, one per
 * processor, run the prepare callback on them (store_prepare(): validation
 * and sealing, the costly part, which needs no order), and the calling
 * thread consumes them in input order (store_write(), rejects, counts).
 * Slots travel in batches through a small ring, so the stages overlap and
 * memory stays bounded whatever the input size.
 *
 * The producer returns 1 for a filled slot (slot->failed and slot->err
 * say whether the row itself was bad), 0 at the end of input, -1 for an
 * error that must stop everything (slot->err says why). The prepare
 * callback (may be NULL: no such stage) runs only on slots the producer
 * did not mark failed; it returns 0, having marked the slot failed or not,
 * or -1 for an error that must stop everything (slot->err says why; the
 * slots after it are dropped). The consumer returns 0 to go on and -1 to
 * stop; the other threads are then told to stop and joined before
 * bulk_run() returns. The producer and the consumer never run
 * concurrently with themselves; prepare does, on different slots, from
 * several threads at once, so it must only read shared state.
 */
#ifndef LF_CLI_BULK_H
#define LF_CLI_BULK_H

#include <stdint.h>

#include "lib/buf.h"
#include "lib/error.h"
#include "core/record.h"
#include "store/store.h"

struct bulk_slot {
	struct record		*r;
	struct store_prep	*prep;		/* bulk_run() */
	struct store_sealed	*sealed;	/* bulk_run_read() */
	struct buf		 out;		/* bulk_run_read(): the row's
						   output, BULK_OUT_MAX at most */
	struct buf		 scratch;	/* bulk_run_read(): working
						   space for prepare, as big */
	struct lf_error		 err;
	int			 failed;	/* the row is bad: err */
	unsigned long		 line;		/* input line, for messages */
	uint64_t		 index;		/* position in the input */
	char			 uid[STORE_UID_LEN + 1];	/* reading: the
						   row's person, for messages */
	int			 year, status;
	char			 reason[512];	/* import: the row's 变更原因,
						   "" for none */
	char			*raw;		/* the row as read, kept only
						   when failed (owned): nraw
						   NUL-terminated fields */
	size_t			 nraw;
};

typedef int (*bulk_produce_fn)(void *arg, struct bulk_slot *s);
typedef int (*bulk_prepare_fn)(void *arg, struct bulk_slot *s);
typedef int (*bulk_consume_fn)(void *arg, struct bulk_slot *s);

/*
 * Runs the pipeline to the end of input or the first stop; produce and
 * prepare get parg. Returns 0 when the producer reached its end and every
 * consume returned 0; -1 with err set otherwise (from the stopping
 * callback's slot, or out of memory, or no thread could be started).
 */
int	bulk_run(const struct catalog *cat, bulk_produce_fn produce,
	    bulk_prepare_fn prepare, void *parg, bulk_consume_fn consume,
	    void *carg, struct lf_error *err);

/*
 * The same, with ahead called on the calling thread before each batch is
 * consumed, with the batch's slots (in order; failed ones included, for
 * it to skip): a writer tells the store what it is about to write
 * (store_write_ahead()). ahead returns 0, or -1 with err set, which
 * stops everything as a consumer's -1 does.
 */
typedef int (*bulk_ahead_fn)(void *arg, struct bulk_slot *slots, size_t n,
	    struct lf_error *err);
int	bulk_run_ahead(const struct catalog *cat, bulk_produce_fn produce,
	    bulk_prepare_fn prepare, void *parg, bulk_ahead_fn ahead,
	    bulk_consume_fn consume, void *carg, struct lf_error *err);
/* An ahead's work for a writer: store_write_ahead() with the preps of
 * the slots that are not failed. */
int	bulk_write_ahead(struct store *s, struct bulk_slot *slots, size_t n,
	    struct lf_error *err);

/*
 * The same pipeline for reading (export): slots come with a record, a
 * store_sealed and an output buffer instead of a prep. The producer
 * typically fills r and sealed from a store cursor, prepare opens the
 * sealed values and formats the row into out on the preparer threads, and
 * the consumer writes out in input order.
 */
#define BULK_OUT_MAX	(4u << 20)
int	bulk_run_read(const struct catalog *cat, bulk_produce_fn produce,
	    bulk_prepare_fn prepare, void *parg, bulk_consume_fn consume,
	    void *carg, struct lf_error *err);

/*
 * The CSV layout of one survey row (import and export): 年度 (year),
 * 人员状态 (person status) and then every catalog item, headed by its
 * Chinese label. Import also accepts the items' codes as headers, in any
 * order.
 */
#define CSV_COL_YEAR	"年度"
#define CSV_COL_STATUS	"人员状态"

#endif

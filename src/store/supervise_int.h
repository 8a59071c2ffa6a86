/*
 * supervise_int.h - private to store/supervise*.c: the transaction
 * helpers the check and the draw share.
 */
#ifndef LF_STORE_SUPERVISE_INT_H
#define LF_STORE_SUPERVISE_INT_H

#include "store/supervise.h"

/* Begins a transaction, or a savepoint inside the caller's: 1 when this
 * call owns a transaction, 0 for a savepoint, -1 on error. */
int	supervise_tx_begin(struct store *s, struct lf_error *err);
/* Commits or releases on rc == 0, else rolls back; returns 0 or -1. */
int	supervise_tx_end(struct store *s, int own, int rc,
	    struct lf_error *err);

#endif

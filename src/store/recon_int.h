/*
 * recon_int.h - what the reconciliation files of store/ share (recon.c,
 * recon_rows.c, recon_task.c); not for use outside store/.
 *
 * recon_prep() prepares sql on the store's connection: 0, or -1 with err
 * (code "store") and *st NULL.
 */
#ifndef LF_STORE_RECON_INT_H
#define LF_STORE_RECON_INT_H

#include "store/store_int.h"

int	recon_prep(struct store *s, const char *sql, sqlite3_stmt **st,
	    struct lf_error *err);

#endif

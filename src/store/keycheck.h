/*
 * keycheck.h - does the key file belong to this database?
 *
 * The key file (<db>.key, crypto/) is kept apart from the database and
 * backed up apart. A damaged key file (a flipped digit), or another
 * database's, loads without complaint: a changed mac or lookup key makes
 * every sealed value fail to open and every lookup miss, and a changed
 * seal key opens them into garbage with a valid tag, so an export would
 * write wrong ID numbers without an error. So the key set's check value
 * (crypto_keys_check(), 64 hex digits) is kept in the database's meta
 * table under "key_check", and every open compares.
 *
 * A database made before the check existed has no row: the first open
 * writes it (trust on first use, from the key file of that open).
 *
 * Errors: code "keys" when the key file does not match, naming the key
 * file and what to do (never a key); a database error ("io", "store")
 * when the row cannot be read or written.
 */
#ifndef LF_STORE_KEYCHECK_H
#define LF_STORE_KEYCHECK_H

#include "lib/error.h"
#include "store/store_int.h"

/* Compares the store's keys with the database's check value (keypath
 * for the message), writing the value when there is none. 0 or -1. */
int	keycheck_verify(struct store *s, const char *keypath,
	    struct lf_error *err);

#endif

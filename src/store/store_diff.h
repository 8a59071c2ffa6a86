/*
 * store_diff.h - private to store/: change sets for the history table.
 */
#ifndef LF_STORE_STORE_DIFF_H
#define LF_STORE_STORE_DIFF_H

#include <sqlite3.h>

#include "lib/error.h"
#include "core/record.h"

/*
 * Compares old and new field by field. st, when not NULL, is positioned
 * on the old row with the first catalog column at firstcol (used to keep
 * old sealed values). On success *json is a compact JSON object the caller
 * frees with free() (jansson's allocator), or NULL when nothing changed;
 * *nchanged counts the changed items.
 */
int	diff_build(const struct record *old, const struct record *new,
	    sqlite3_stmt *st, int firstcol, char **json, int *nchanged,
	    struct lf_error *err);
/* Adds {"old": old, "new": new} under key to a jansson object (json_t *).
 * NULL strings become JSON null. 0 or -1. */
int	diff_add_plain(void *obj, const char *key, const char *old,
	    const char *new);

#endif

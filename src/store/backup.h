/*
 * backup.h - online backup and restore of a database file.
 *
 * store_backup() copies a database that may be serving (other processes
 * reading and writing it) into a new file with SQLite's online backup API
 * in one step, so the copy is one consistent snapshot: the database as of
 * the moment the copy's read transaction began (WAL mode: writers are not
 * held up meanwhile). The copy is written beside its final name, switched
 * to rollback-journal mode (one self-contained file), checked with
 * PRAGMA integrity_check, fsync'ed and renamed into place, so a crash
 * never leaves a half-written backup under the final name. The key file
 * is not part of the copy: the caller keeps it separately (see
 * docs/operations.md).
 *
 * store_restore() puts a backup in place of a database: it checks the
 * backup (integrity_check), refuses a database in use by another process
 * (a server: SQLite's locks tell) and, unless force is set, any existing
 * database, copies the backup beside the target, fsyncs and renames it
 * over the target (atomic: the target is the old or the new database,
 * never a mix), removing stale -wal/-shm files of the old one first, and
 * its audit anchor (<db>.audit-head, which names the old log: the caller
 * writes the restored log's own, as `liangfu restore` does).
 *
 * Errors: -1 with err, codes "exists" (target there, no force), "in_use",
 * "corrupt" (integrity_check failed; the message holds its first line),
 * "io" (with errno's text), "store" (SQLite).
 */
#ifndef LF_STORE_BACKUP_H
#define LF_STORE_BACKUP_H

#include <stdint.h>

#include "lib/error.h"

/* What a backup or restore copied. */
struct store_backup_info {
	int64_t		 pages;		/* database pages copied */
	int64_t		 bytes;		/* size of the file written */
};

/* Looks at the finished copy at path before it gets its name (the caller
 * checks the audit chain there): 0, or -1 with err to abandon it. */
typedef int (*store_verify_fn)(const char *path, void *arg,
	    struct lf_error *err);

/* Copies db into out (which must not exist); verify may be NULL. 0 or
 * -1. */
int	store_backup(const char *db, const char *out, store_verify_fn verify,
	    void *arg, struct store_backup_info *info, struct lf_error *err);

/* Replaces db with the backup in `from`. 0 or -1. */
int	store_restore(const char *from, const char *db, int force,
	    struct store_backup_info *info, struct lf_error *err);

/* 0 when path is a database that passes PRAGMA integrity_check, else -1
 * with err ("corrupt", "store"). */
int	store_integrity(const char *path, struct lf_error *err);

/* 1 when another connection (a server) has db open, 0 when none does,
 * -1 with err when it cannot be told. */
int	store_in_use(const char *db, struct lf_error *err);

#endif

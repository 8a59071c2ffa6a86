/*
 * store_sync.c - deferred durability of a connection's commits
 * (store.h, store_sync_deferred()).
 */
#include "store/store_int.h"

int
store_sync_deferred(struct store *s, int on, struct lf_error *err)
{
	if (s->db == NULL)
		return 0;
	/* 1 = NORMAL: in WAL mode the log is synced at checkpoints only;
	 * 2 = FULL: at every commit (what store_open() sets) */
	if (store_pragma_set(s->db, "synchronous", on ? 1 : 2) != SQLITE_OK)
		return store_sqlite_error(s, "synchronous", err);
	return 0;
}

/* The connection's open WAL (or, outside WAL mode, database) file. */
static sqlite3_file *
log_file(sqlite3 *db)
{
	sqlite3_file *f = NULL;

	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER,
	    &f) == SQLITE_OK && f != NULL && f->pMethods != NULL)
		return f;
	f = NULL;
	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER,
	    &f) == SQLITE_OK && f != NULL && f->pMethods != NULL)
		return f;
	return NULL;
}

int
store_sync_log(struct store *s, struct lf_error *err)
{
	sqlite3_file *f;
	int rc;

	if (s->db == NULL || (f = log_file(s->db)) == NULL)
		return 0;
	/* through the VFS, so the fault VFS (faultvfs.h) sees it */
	rc = f->pMethods->xSync(f, SQLITE_SYNC_NORMAL);
	if (rc != SQLITE_OK)
		return lf_error_set(err, "io", "", "数据库日志无法写入磁盘 "
		    "(cannot sync the database log): SQLite error %d", rc);
	return 0;
}

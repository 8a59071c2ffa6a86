/*
 * backup.c - see backup.h.
 */
#include "store/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUSY_RETRIES	600	/* 100 ms apart: a minute of busy source */

static int
db_error(sqlite3 *db, const char *what, struct lf_error *err)
{
	return lf_error_set(err, "store", "", "数据库错误 (database error): "
	    "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

static int
io_error(const char *path, struct lf_error *err)
{
	return lf_error_set(err, "io", "", "%s: %s", path, strerror(errno));
}

static int
open_db(const char *path, int flags, sqlite3 **out, struct lf_error *err)
{
	if (sqlite3_open_v2(path, out, flags, NULL) != SQLITE_OK) {
		db_error(*out, path, err);
		sqlite3_close(*out);
		*out = NULL;
		return -1;
	}
	sqlite3_busy_timeout(*out, 10000);
	return 0;
}

/* fsync of a file, then of the directory holding it. */
static int
sync_path(const char *path, struct lf_error *err)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		return io_error(path, err);
	if (fsync(fd) != 0) {
		close(fd);
		return io_error(path, err);
	}
	close(fd);
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path) +
		    (slash == path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		return io_error(dir, err);
	if (fsync(fd) != 0) {
		close(fd);
		return io_error(dir, err);
	}
	close(fd);
	return 0;
}

/* The whole of src copied into dst in one step (one read transaction on
 * src: a consistent snapshot). */
/* Removes path + suffix when it exists. */
static int
remove_side(const char *path, const char *suffix, struct lf_error *err)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	if (unlink(p) != 0 && errno != ENOENT)
		return err != NULL ? io_error(p, err) : -1;
	return 0;
}

static int
copy(sqlite3 *src, sqlite3 *dst, struct store_backup_info *info,
    struct lf_error *err)
{
	sqlite3_backup *b;
	int rc, tries = 0;

	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL)
		return db_error(dst, "backup", err);
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED) {
		if (++tries > BUSY_RETRIES)
			break;
		sqlite3_sleep(100);
	}
	if (info != NULL)
		info->pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return lf_error_set(err, "store", "", "备份失败 (backup "
		    "failed): %s", sqlite3_errstr(rc));
	return 0;
}

static int
integrity(sqlite3 *db, const char *path, struct lf_error *err)
{
	sqlite3_stmt *st;
	const char *res;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st,
	    NULL) != SQLITE_OK)
		return db_error(db, path, err);
	if (sqlite3_step(st) != SQLITE_ROW)
		rc = db_error(db, path, err);
	else if ((res = (const char *)sqlite3_column_text(st, 0)) == NULL ||
	    strcmp(res, "ok") != 0)
		rc = lf_error_set(err, "corrupt", "", "%s: 完整性检查失败 "
		    "(integrity_check failed): %.200s", path, res ? res : "");
	sqlite3_finalize(st);
	return rc;
}

int
store_integrity(const char *path, struct lf_error *err)
{
	sqlite3 *db;
	int rc;

	if (open_db(path, SQLITE_OPEN_READONLY, &db, err) != 0)
		return -1;
	rc = integrity(db, path, err);
	sqlite3_close(db);
	return rc;
}

int
store_in_use(const char *db, struct lf_error *err)
{
	sqlite3 *h;
	int rc;

	if (access(db, F_OK) != 0)
		return 0;
	if (open_db(db, SQLITE_OPEN_READWRITE, &h, err) != 0)
		return -1;
	sqlite3_busy_timeout(h, 0);
	/* an exclusive lock on the file: any other connection (WAL mode
	 * keeps a shared lock while open) makes it fail */
	rc = sqlite3_exec(h, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;"
	    " COMMIT;", NULL, NULL, NULL);
	sqlite3_close(h);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return 1;
	if (rc != SQLITE_OK)
		return lf_error_set(err, "store", "", "%s: %s", db,
		    sqlite3_errstr(rc));
	return 0;
}

/* Copies src_path into a new file tmp (removed on failure); verify (may
 * be NULL) looks at it; then it goes to rollback journal mode, is checked
 * and fsync'ed. */
static int
copy_file(const char *src_path, const char *tmp, store_verify_fn verify,
    void *arg, struct store_backup_info *info, struct lf_error *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	struct stat st;
	int rc = -1;

	unlink(tmp);
	if (open_db(src_path, SQLITE_OPEN_READONLY, &src, err) != 0 ||
	    open_db(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &dst,
	    err) != 0)
		goto out;
	if (copy(src, dst, info, err) != 0)
		goto out;
	sqlite3_close(src);
	src = NULL;
	if (verify != NULL) {
		if (sqlite3_close(dst) != SQLITE_OK) {
			db_error(dst, tmp, err);
			goto out;
		}
		dst = NULL;
		if (verify(tmp, arg, err) != 0 || open_db(tmp,
		    SQLITE_OPEN_READWRITE, &dst, err) != 0)
			goto out;
	}
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		db_error(dst, tmp, err);
		goto out;
	}
	if (integrity(dst, tmp, err) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_close(src);
	if (sqlite3_close(dst) != SQLITE_OK && rc == 0)
		rc = db_error(dst, tmp, err);
	if (rc == 0 && sync_path(tmp, err) != 0)
		rc = -1;
	if (rc == 0 && info != NULL && stat(tmp, &st) == 0)
		info->bytes = (int64_t)st.st_size;
	if (rc != 0) {
		unlink(tmp);
		remove_side(tmp, "-wal", NULL);
		remove_side(tmp, "-shm", NULL);
	}
	return rc;
}

static int
tmp_name(const char *path, char *out, size_t len, struct lf_error *err)
{
	int n = snprintf(out, len, "%s.tmp-%ld", path, (long)getpid());

	if (n < 0 || (size_t)n >= len)
		return lf_error_set(err, "io", "", "路径过长 (path too long)");
	return 0;
}

int
store_backup(const char *db, const char *out, store_verify_fn verify,
    void *arg, struct store_backup_info *info, struct lf_error *err)
{
	char tmp[4096];

	if (access(db, R_OK) != 0)
		return io_error(db, err);
	if (access(out, F_OK) == 0)
		return lf_error_set(err, "exists", "", "%s 已存在, 不覆盖 "
		    "(exists; not overwritten)", out);
	if (tmp_name(out, tmp, sizeof(tmp), err) != 0 ||
	    copy_file(db, tmp, verify, arg, info, err) != 0)
		return -1;
	if (link(tmp, out) != 0) {	/* fails rather than overwrite */
		io_error(out, err);
		unlink(tmp);
		return -1;
	}
	unlink(tmp);
	return sync_path(out, err);
}

int
store_restore(const char *from, const char *db, int force,
    struct store_backup_info *info, struct lf_error *err)
{
	char tmp[4096];
	int used;

	if (store_integrity(from, err) != 0)
		return -1;
	if ((used = store_in_use(db, err)) < 0)
		return -1;
	if (used)
		return lf_error_set(err, "in_use", "", "%s 正在使用 (a server "
		    "or another program has it open: stop it first)", db);
	if (!force && access(db, F_OK) == 0)
		return lf_error_set(err, "exists", "", "%s 已存在; 用 --force "
		    "替换 (exists; --force replaces it)", db);
	if (tmp_name(db, tmp, sizeof(tmp), err) != 0 ||
	    copy_file(from, tmp, NULL, NULL, info, err) != 0)
		return -1;
	/* the replaced database's audit anchor names its log, not the
	 * backup's: the caller writes the restored log's own */
	if (remove_side(db, "-wal", err) != 0 ||
	    remove_side(db, ".audit-head", err) != 0 ||
	    remove_side(db, "-shm", err) != 0 ||
	    remove_side(db, "-journal", err) != 0 || rename(tmp, db) != 0) {
		if (err->code == NULL)
			io_error(db, err);
		unlink(tmp);
		return -1;
	}
	return sync_path(db, err);
}

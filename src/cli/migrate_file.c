/*
 * migrate_file.c - the new SQLite file of `liangfu migrate URL TO.db`
 * when TO.db does not exist yet (cli.h): made by store_create() (what
 * `liangfu init` runs) under the name TO.db.part, its key file
 * TO.db.part.key then replaced by a copy of LIANGFU_KEY_FILE (mode 0600:
 * the copied values are sealed with the source's keys); the copy runs
 * there, and only a committed copy is linked to TO.db and TO.db.key. A
 * failed, refused or killed run never leaves a file named TO.db: a
 * failure removes the .part files, a killed run leaves them (the next
 * run refuses, naming them) and nothing that opens as TO.db.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/mem.h"

#define KEY_MAX	65536

static int
refuse(const char *msg, const char *name)
{
	fprintf(stderr, "liangfu: migrate: %s%s%s\n", msg, name ? ": " : "",
	    name ? name : "");
	return 1;
}

static int
exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

/* The whole of a (small) file into buf; its length, or -1. */
static ssize_t
slurp(const char *path, char *buf, size_t max)
{
	ssize_t n, got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while ((size_t)got < max && (n = read(fd, buf + got, max -
	    (size_t)got)) > 0)
		got += n;
	close(fd);
	return (size_t)got < max ? got : -1;
}

/* Writes key's n bytes over path (mode 0600). */
static int
key_write(const char *path, const char *key, size_t n)
{
	ssize_t w;
	size_t done = 0;
	int fd, rc = 0;

	if ((fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	if (fchmod(fd, 0600) != 0)
		rc = -1;
	while (rc == 0 && done < n) {
		if ((w = write(fd, key + done, n - done)) <= 0)
			rc = -1;
		else
			done += (size_t)w;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = -1;
	return close(fd) != 0 ? -1 : rc;
}

/* The names TO.db.part, TO.db.part.key and TO.db.key into part, pkey
 * and dkey (PATH_LEN each); -1 when too long. */
#define PATH_LEN	4096
static int
names(const char *dst, char *part, char *pkey, char *dkey)
{
	return snprintf(part, PATH_LEN, "%s.part", dst) >= PATH_LEN ||
	    snprintf(pkey, PATH_LEN, "%s.part.key", dst) >= PATH_LEN ||
	    snprintf(dkey, PATH_LEN, "%s.key", dst) >= PATH_LEN ? -1 : 0;
}

/*
 * A -wal, -journal or -shm file under TO.db's name, left by an old file
 * removed by hand: SQLite matches them by name, so the first open of the
 * new TO.db would replay an old log into it or roll a hot journal's
 * foreign pages back over it. Refused (printed, 1), else 0.
 */
static int
stale_sides(const char *dst)
{
	static const char *const tails[] = { "-wal", "-journal", "-shm" };
	char p[PATH_LEN];
	size_t i;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		if (snprintf(p, sizeof(p), "%s%s", dst, tails[i]) >= PATH_LEN)
			return refuse("路径过长 (path too long)", NULL);
		if (exists(p))
			return refuse("目标旁有旧数据库的日志文件 (a log file of an "
			    "old database is under TO's name; SQLite would apply "
			    "it to the new file: move it away, then run again)",
			    p);
	}
	return 0;
}

/* fsync()s the folder that holds path, so that a name made or removed
 * in it survives a power loss: 0, or -1. */
static int
sync_dir(const char *path)
{
	char d[PATH_LEN];
	int fd, rc;

	if (snprintf(d, sizeof(d), "%s", path) >= PATH_LEN)
		return -1;
	if ((fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	return close(fd) != 0 ? -1 : rc;
}

/* The key file's bytes into key (KEY_MAX); its length, or -1 printed. A
 * TO.db.key that is not the same bytes is refused. */
static ssize_t
source_key(const char *dkey, char *key)
{
	char *other;
	const char *path = getenv("LIANGFU_KEY_FILE");
	ssize_t n, m;

	if (path == NULL || *path == '\0')
		return -refuse("LIANGFU_KEY_FILE 未设置 (LIANGFU_KEY_FILE is not "
		    "set: the PostgreSQL registry's key file)", NULL);
	if ((n = slurp(path, key, KEY_MAX)) <= 0)
		return -refuse("密钥文件无法读取 (cannot read the key file in "
		    "LIANGFU_KEY_FILE)", NULL);
	if (!exists(dkey))
		return n;
	if ((other = mem_alloc(KEY_MAX)) == NULL)
		return -refuse("内存不足 (out of memory)", NULL);
	m = slurp(dkey, other, KEY_MAX);
	m = m == n && memcmp(key, other, (size_t)n) == 0 ? n : -1;
	mem_free(other);
	if (m < 0)
		return -refuse("目标的密钥文件已存在且不同 (TO's key file exists "
		    "and is not a copy of LIANGFU_KEY_FILE; the copied values "
		    "would not open with it)", dkey);
	return n;
}

int
cli_migrate_file_make(const char *dst, struct cli_env *env, char *part,
    size_t len)
{
	char pkey[PATH_LEN], dkey[PATH_LEN], *key;
	struct lf_error err;
	ssize_t n;
	int rc = 1;

	if (len < PATH_LEN || names(dst, part, pkey, dkey) != 0)
		return refuse("路径过长 (path too long)", NULL);
	if (exists(part) || exists(pkey))
		return refuse("上次未完成的复制仍在 (an unfinished copy is there, "
		    "from a run that was stopped: remove it and its .key "
		    "file, then run again)", part);
	if (stale_sides(dst) != 0)
		return 1;
	if ((key = mem_alloc(KEY_MAX)) == NULL)
		return refuse("内存不足 (out of memory)", NULL);
	if ((n = source_key(dkey, key)) > 0) {
		lf_error_clear(&err);
		if (store_create(part, env->cat, &err) != 0)
			rc = cli_fail(&err);
		else if (key_write(pkey, key, (size_t)n) != 0) {
			rc = refuse("无法写入密钥文件 (cannot write the key file)",
			    pkey);
			cli_migrate_file_drop(part);
		} else
			rc = 0;
	}
	explicit_bzero(key, KEY_MAX);
	mem_free(key);
	return rc;
}

void
cli_migrate_file_drop(const char *part)
{
	static const char *const tails[] = { "", ".key", "-journal", "-wal",
	    "-shm" };
	char p[PATH_LEN];
	size_t i;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
		if (snprintf(p, sizeof(p), "%s%s", part, tails[i]) < PATH_LEN)
			unlink(p);
}

/* Links part to dst and syncs the folder: 0, or 1 printed (a dst this
 * call linked is removed again). */
static int
put_in_place(const char *part, const char *dst)
{
	if (link(part, dst) != 0)
		return refuse(errno == EEXIST ? "目标已存在 (TO appeared "
		    "meanwhile; nothing was kept)" : "无法放置数据库 "
		    "(cannot put the database in place)", dst);
	if (sync_dir(dst) != 0) {
		unlink(dst);
		return refuse("无法同步目录 (cannot sync the folder; nothing "
		    "was kept)", dst);
	}
	return 0;
}

int
cli_migrate_file_keep(const char *dst, const char *part)
{
	char pkey[PATH_LEN], dkey[PATH_LEN], p[PATH_LEN], side[PATH_LEN];
	int rc = 1, linked;

	if (names(dst, p, pkey, dkey) != 0 || snprintf(side, sizeof(side),
	    "%s-wal", part) >= PATH_LEN || snprintf(p, sizeof(p), "%s-journal",
	    part) >= PATH_LEN)
		rc = refuse("路径过长 (path too long)", NULL);
	else if (exists(side) || exists(p))
		rc = refuse("数据库未完整关闭 (the new file was not closed "
		    "cleanly; nothing was kept)", part);
	else if (stale_sides(dst) != 0)
		rc = 1;
	/* link, not rename: never over a TO.db made meanwhile */
	else if (!(linked = !exists(dkey)) || link(pkey, dkey) == 0) {
		rc = put_in_place(part, dst);
		if (rc != 0 && linked)
			unlink(dkey);
	} else
		rc = refuse("无法放置密钥文件 (cannot put the key file in "
		    "place)", dkey);
	cli_migrate_file_drop(part);
	if (rc == 0)
		sync_dir(dst);	/* the .part names gone; TO.db is in place */
	return rc;
}

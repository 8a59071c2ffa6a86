/*
 * faultvfs.c - see faultvfs.h. Compiled into every build; the VFS itself
 * exists only with -DLF_TESTING.
 */
#include "store/faultvfs.h"

#ifndef LF_TESTING

void
faultvfs_install(void)
{
}

#else

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OP_READ, OP_WRITE, OP_SYNC, OP_TRUNC, OP_LOCK, OP_SHM, OP_OPEN, NOPS };

static struct {
	uint64_t	 after, times, prob, rng;
	int		 ops[NOPS];
	char		 hold[1024], report[1024];
	uint64_t	 counted, failed;
	pthread_mutex_t	 lock;
} fv = { .prob = 1000000, .rng = 1, .lock = PTHREAD_MUTEX_INITIALIZER };

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;

/* A file of ours: the wrapped file's struct follows it in memory. */
struct ffile {
	sqlite3_file	 base;
	sqlite3_file	*real;
};

/* xorshift64: enough for reproducible draws. */
static uint64_t
draw(void)
{
	fv.rng ^= fv.rng << 13;
	fv.rng ^= fv.rng >> 7;
	fv.rng ^= fv.rng << 17;
	return fv.rng;
}

/* 1 when this operation of kind op is to fail. */
static int
inject(int op)
{
	int bad = 0;

	if (!fv.ops[op] || (fv.hold[0] != '\0' && access(fv.hold, F_OK) == 0))
		return 0;
	pthread_mutex_lock(&fv.lock);
	fv.counted++;
	if (fv.counted > fv.after && (fv.times == 0 ||
	    fv.counted <= fv.after + fv.times))
		bad = draw() % 1000000 < fv.prob;
	fv.failed += (uint64_t)bad;
	pthread_mutex_unlock(&fv.lock);
	return bad;
}

#define REAL(f)	(((struct ffile *)(f))->real)

static int
f_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	if (inject(OP_READ))
		return SQLITE_IOERR_READ;
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int
f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	if (inject(OP_WRITE))
		return SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}

static int
f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (inject(OP_TRUNC))
		return SQLITE_IOERR_TRUNCATE;
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
f_sync(sqlite3_file *f, int flags)
{
	if (inject(OP_SYNC))
		return SQLITE_IOERR_FSYNC;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

/* The file locks fail as a failing fcntl() would (an NFS server gone,
 * a lock table full): the lock is not taken, or not released. */
static int
f_lock(sqlite3_file *f, int level)
{
	if (inject(OP_LOCK))
		return SQLITE_IOERR_LOCK;
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int
f_unlock(sqlite3_file *f, int level)
{
	if (inject(OP_LOCK))
		return SQLITE_IOERR_UNLOCK;
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int
f_reserved(sqlite3_file *f, int *out)
{
	if (inject(OP_LOCK)) {
		*out = 0;
		return SQLITE_IOERR_CHECKRESERVEDLOCK;
	}
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
f_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
f_caps(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

/* Shared memory (WAL index) and memory maps pass through when the real
 * file has them. Mapping a page of the WAL index and taking its locks
 * fail as mmap() or fcntl() on the -shm file would; an unlock
 * (SQLITE_SHM_UNLOCK) is never failed: the real VFS cannot fail it
 * either, and SQLite does not check. The barrier is a memory fence: it
 * cannot fail, so it is only counted. */
static int
f_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
	if (REAL(f)->pMethods->iVersion < 2)
		return SQLITE_IOERR_SHMMAP;
	if (inject(OP_SHM)) {
		*pp = NULL;
		return SQLITE_IOERR_SHMMAP;
	}
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, pp);
}

static int
f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	if (REAL(f)->pMethods->iVersion < 2)
		return SQLITE_IOERR_SHMLOCK;
	if ((flags & SQLITE_SHM_LOCK) && inject(OP_SHM))
		return SQLITE_IOERR_SHMLOCK;
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
f_shm_barrier(sqlite3_file *f)
{
	if (REAL(f)->pMethods->iVersion >= 2) {
		(void)inject(OP_SHM);
		REAL(f)->pMethods->xShmBarrier(REAL(f));
	}
}

static int
f_shm_unmap(sqlite3_file *f, int del)
{
	if (REAL(f)->pMethods->iVersion < 2)
		return SQLITE_OK;
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	if (REAL(f)->pMethods->iVersion < 3) {
		*pp = NULL;
		return SQLITE_OK;
	}
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	if (REAL(f)->pMethods->iVersion < 3)
		return SQLITE_OK;
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static sqlite3_io_methods fault_io = {
	3, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock,
	f_unlock, f_reserved, f_control, f_sector, f_caps, f_shm_map,
	f_shm_lock, f_shm_barrier, f_shm_unmap, f_fetch, f_unfetch
};

static int
f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct ffile *ff = (struct ffile *)f;
	int rc;

	(void)vfs;
	ff->base.pMethods = NULL;
	ff->real = (sqlite3_file *)(ff + 1);
	if (inject(OP_OPEN))
		return SQLITE_CANTOPEN;
	rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
	if (rc == SQLITE_OK && ff->real->pMethods != NULL)
		ff->base.pMethods = &fault_io;
	return rc;
}

static void
report(void)
{
	FILE *fp = fopen(fv.report, "w");

	if (fp == NULL)
		return;
	pthread_mutex_lock(&fv.lock);
	fprintf(fp, "ops=%llu faults=%llu\n", (unsigned long long)fv.counted,
	    (unsigned long long)fv.failed);
	pthread_mutex_unlock(&fv.lock);
	fclose(fp);
}

static void
bad_spec(const char *spec, const char *what)
{
	fprintf(stderr, "faultvfs: LF_FAULT_IO=\"%s\": %s\n", spec, what);
	abort();
}

static uint64_t
number(const char *spec, const char *v, size_t n)
{
	char *end;
	unsigned long long x;

	if (n == 0 || v[0] < '0' || v[0] > '9')
		bad_spec(spec, "a number expected");
	x = strtoull(v, &end, 10);
	if ((size_t)(end - v) != n)
		bad_spec(spec, "a number expected");
	return (uint64_t)x;
}

static void
path_value(const char *spec, char *out, size_t len, const char *v, size_t n)
{
	if (n == 0 || n >= len)
		bad_spec(spec, "a path expected");
	memcpy(out, v, n);
	out[n] = '\0';
}

static void
set_ops(const char *spec, const char *v, size_t n)
{
	static const char letters[NOPS + 1] = "rwstlmo";
	const char *c;
	size_t i;

	memset(fv.ops, 0, sizeof(fv.ops));
	for (i = 0; i < n; i++) {
		c = v[i] != '\0' ? strchr(letters, v[i]) : NULL;
		if (c == NULL)
			bad_spec(spec, "ops takes letters of rwstlmo");
		fv.ops[c - letters] = 1;
	}
}

/* One key=value of the spec. */
static void
parse_one(const char *spec, const char *p, size_t n)
{
	const char *eq = memchr(p, '=', n);
	size_t k, vn;

	if (eq == NULL)
		bad_spec(spec, "key=value expected");
	k = (size_t)(eq - p);
	vn = n - k - 1;
	if (k == 5 && memcmp(p, "after", 5) == 0)
		fv.after = number(spec, eq + 1, vn);
	else if (k == 5 && memcmp(p, "times", 5) == 0)
		fv.times = number(spec, eq + 1, vn);
	else if (k == 4 && memcmp(p, "prob", 4) == 0) {
		fv.prob = number(spec, eq + 1, vn);
		if (fv.prob > 1000000)
			bad_spec(spec, "prob is per million (0-1000000)");
	} else if (k == 4 && memcmp(p, "seed", 4) == 0) {
		fv.rng = number(spec, eq + 1, vn) * 2654435761u + 1;
	} else if (k == 3 && memcmp(p, "ops", 3) == 0)
		set_ops(spec, eq + 1, vn);
	else if (k == 4 && memcmp(p, "hold", 4) == 0)
		path_value(spec, fv.hold, sizeof(fv.hold), eq + 1, vn);
	else if (k == 6 && memcmp(p, "report", 6) == 0)
		path_value(spec, fv.report, sizeof(fv.report), eq + 1, vn);
	else
		bad_spec(spec, "unknown key (after, times, prob, seed, ops, "
		    "hold, report)");
}

static void
install(void)
{
	const char *spec = getenv("LF_FAULT_IO"), *p, *e;
	size_t i;

	if (spec == NULL || spec[0] == '\0')
		return;
	for (i = 0; i <= OP_TRUNC; i++)	/* default "rwst" */
		fv.ops[i] = 1;
	for (p = spec; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		parse_one(spec, p, (size_t)(e - p));
	}
	if ((real_vfs = sqlite3_vfs_find(NULL)) == NULL)
		bad_spec(spec, "SQLite has no default VFS");
	fault_vfs = *real_vfs;		/* the real one's methods and data */
	fault_vfs.zName = "lf-fault";
	fault_vfs.pNext = NULL;
	fault_vfs.szOsFile = (int)sizeof(struct ffile) + real_vfs->szOsFile;
	fault_vfs.xOpen = f_open;
	if (sqlite3_vfs_register(&fault_vfs, 1) != SQLITE_OK)
		bad_spec(spec, "sqlite3_vfs_register failed");
	if (fv.report[0] != '\0')
		atexit(report);
}

void
faultvfs_install(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, install);
}

#endif

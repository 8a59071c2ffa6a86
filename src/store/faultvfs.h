/*
 * faultvfs.h - I/O-error injection under SQLite, for the reliability tests
 * (issue 15.2; tests/rel/ioerr.sh).
 *
 * In a test build (-DLF_TESTING) faultvfs_install() reads the environment
 * variable LF_FAULT_IO and, when it is set, registers a SQLite VFS that
 * wraps the default one and makes it the default, so every connection the
 * process opens afterwards goes through it. In a release build, or
 * without LF_FAULT_IO, it does nothing: the release binary has no fault
 * injection at all.
 *
 * LF_FAULT_IO is a comma-separated list of key=value:
 *   after=N    the first N counted operations pass; later ones fail
 *              (default 0: all fail)
 *   times=K    only K operations fail after the first N, then all pass
 *              again (a transient fault; default 0 = no end)
 *   prob=P     of the operations past N, each fails with probability
 *              P per million (default 1000000: every one)
 *   seed=S     the seed of those draws (default 1; same seed, same
 *              sequence of draws)
 *   ops=LIST   which operations count and may fail, letters of
 *              r (xRead), w (xWrite), s (xSync), t (xTruncate),
 *              l (the file locks: xLock, xUnlock, xCheckReservedLock),
 *              m (the WAL index: xShmMap, xShmLock but its unlocks, and
 *                xShmBarrier, which is counted but cannot fail),
 *              o (xOpen of any file: database, journal, WAL, -shm);
 *              default "rwst"
 *   hold=PATH  while the file PATH exists nothing fails and nothing is
 *              counted (a test arms the faults by removing it and lifts
 *              them by creating it again)
 *   report=PATH at exit, "ops=K faults=F" is written to PATH: how many
 *              operations were counted and how many failed
 * Failed operations return SQLITE_IOERR_READ, _WRITE, _FSYNC, _TRUNCATE,
 * _LOCK, _UNLOCK, _CHECKRESERVEDLOCK, _SHMMAP, _SHMLOCK, or SQLITE_CANTOPEN
 * for an open, without touching the file, as a failing disk would. The
 * key file and the audit anchor are not SQLite's: lib/faultfile.h.
 *
 * A malformed LF_FAULT_IO is a mistake in a test: the process prints what
 * is wrong and aborts.
 */
#ifndef LF_STORE_FAULTVFS_H
#define LF_STORE_FAULTVFS_H

/* Called once before SQLite's first connection (store_sqlite.c's one-time
 * setup). Idempotent. */
void	faultvfs_install(void);

#endif

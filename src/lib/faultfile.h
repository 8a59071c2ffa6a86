/*
 * faultfile.h - I/O-error injection into the files liangfu reads and
 * writes itself, outside SQLite: the key file (crypto/) and the audit
 * anchor (store/audit_anchor.c). The reliability tests use it (issue
 * 15.2; tests/rel/ioerr_files.sh); SQLite's own files have the fault VFS
 * (store/faultvfs.h).
 *
 * In a test build (-DLF_TESTING) faultfile() reads the environment
 * variable LF_FAULT_FILE once: a comma-separated list of points, each
 * "NAME", "NAME@N" or "NAME@N/K":
 *   NAME   the point: key-open, key-read, key-write, key-sync,
 *          anchor-open, anchor-write, anchor-sync, anchor-rename,
 *          anchor-put, anchor-read
 *   @N     the first N-1 calls of the point pass, the Nth and later fail
 *          (default 1: every call fails)
 *   /K     only K calls fail, then the point passes again (a transient
 *          fault; default: no end)
 * A point that fails makes faultfile() set errno to EIO and return -1,
 * and the caller acts as if its system call had failed so, without
 * touching the file, as a failing disk would. In a release build, or
 * without LF_FAULT_FILE, it returns 0.
 *
 * A malformed LF_FAULT_FILE is a mistake in a test: the process prints
 * what is wrong and aborts. Thread-safe.
 */
#ifndef LF_LIB_FAULTFILE_H
#define LF_LIB_FAULTFILE_H

/* 0, or -1 with errno EIO when the point is to fail: call it just before
 * the point's system call, as in
 *	if (faultfile("key-read") != 0 || read(fd, p, n) == -1) ... */
int	faultfile(const char *point);

#endif

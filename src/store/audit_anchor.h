/*
 * audit_anchor.h - the audit chain's head, kept outside the database, and
 * the whole check of the log (`liangfu audit verify`, `serve --check`).
 *
 * The chain (store/audit.h) shows any edited, inserted or removed entry
 * except the newest ones: cut off the last entries and what is left is a
 * shorter chain that still verifies. So the newest entry's id and hash
 * are also written to an anchor file beside the database and its key
 * file, "<db>.audit-head" (a PostgreSQL registry: beside its key file,
 * "$LIANGFU_KEY_FILE.audit-head"):
 *
 *	liangfu-audit-head 1
 *	id <newest id>
 *	hash <its hash, 64 hex digits>
 *	mac <HMAC-SM3 with the lookup key, domain "audit-head", over the id
 *	     (8 bytes big-endian) and the hash, 64 hex digits>
 *
 * The server rewrites it in place after every commit of the audit writer
 * (after the commit, so the anchor never names an entry that is not
 * durable), syncs it at most once a second and writes it atomically (a
 * new file, synced, renamed over the old one) at start and stop; every
 * other writer (backup, restore) writes it atomically. A log whose
 * newest id is below the anchor's, or whose entry at the anchor's id has
 * another hash, was cut or rewritten. Someone who can write the database but not the anchor
 * (or lacks the key file to forge its mac) cannot hide a cut.
 *
 * Errors: -1 with err for I/O and database failures; problems found in
 * the log are results, not errors.
 */
#ifndef LF_STORE_AUDIT_ANCHOR_H
#define LF_STORE_AUDIT_ANCHOR_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "store/store.h"

/* What audit_check() found. */
struct audit_check {
	int64_t		 count;		/* entries in the table */
	int64_t		 newest;	/* the newest id, 0 when empty */
	int		 anchor;	/* 1 read and valid, 0 no file,
					 * -1 unreadable or forged */
	int64_t		 anchor_id;	/* the id it names */
	/* 0 when all is well; else the first bad entry: the first entry
	 * whose chain link or hash is wrong, the anchor's entry when its
	 * hash differs, or newest + 1 (the first missing one) when the
	 * log ends before the anchor */
	int64_t		 first_bad;
	const char	*problem;	/* what is wrong, English; NULL */
};

/* The anchor file's path for the store's database into out (on
 * PostgreSQL the key file's path from LIANGFU_KEY_FILE, ".audit-head"
 * added). 0, or -1 when it does not fit or there is no such path. */
int	audit_anchor_path(struct store *s, char *out, size_t len);
/* Writes the anchor of the current newest entry (atomically: a synced
 * temporary file renamed over the old one). 0, or -1 with err. */
int	audit_anchor_write(struct store *s, struct lf_error *err);
/* For a writer that appends often (the server's audit writer): writes
 * the anchor as audit_anchor_write() does, then opens it for rewriting
 * in place; *fd (close() it) or -1 with err. */
int	audit_anchor_open(struct store *s, int *fd, struct lf_error *err);
/* Rewrites the anchor in place (one pwrite of a fixed-size text, no
 * sync) after a commit: it then names a durable entry; the caller syncs
 * fd now and then (fdatasync) and writes a synced anchor when it stops.
 * After a power loss the anchor may lag the log by what was written
 * since the last sync (a cut of only those entries goes unseen) but
 * never names an entry the log lacks. 0, or -1 with err. */
int	audit_anchor_put(struct store *s, int fd, struct lf_error *err);
/* Compares the log with its anchor only (no chain walk): fills c's
 * anchor fields, newest, first_bad and problem (count stays 0). An
 * anchor that exists but cannot be read (an I/O error) is an error, -1
 * with err code "io", never a finding: it says nothing of the log. */
int	audit_anchor_check(struct store *s, struct audit_check *c,
	    struct lf_error *err);
/* The full check: the chain (audit_verify()) and the anchor. 0 with c
 * filled, or -1 with err when the database or the anchor cannot be
 * read. */
int	audit_check(struct store *s, struct audit_check *c,
	    struct lf_error *err);

#endif

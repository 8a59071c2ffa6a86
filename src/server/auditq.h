/*
 * auditq.h - group commit for the server's audit entries, without
 * blocking the request threads.
 *
 * A request hands its entry to auditq_submit() and goes on; one writer
 * thread appends every entry waiting at that moment in one transaction
 * and then calls each entry's `done` callback with the outcome. The
 * server parks the request's answer until every entry of the request is
 * done (server.c), so no answer leaves before its audit entries are
 * written, and no request thread waits for the disk.
 *
 * When an entry is done depends on its kind (docs/audit.md,
 * "Durability"):
 *   AUDITQ_DURABLE (writes, logins, reveals, refusals of them): after
 *     the commit is synced to disk (fdatasync), as every write is;
 *   AUDITQ_WRITTEN (reads): after the commit, which hands the entry to
 *     the kernel (it survives a crash or SIGKILL of the server); the
 *     writer syncs it to disk within the server's audit_sync_ms (default
 *     100 ms), together with everything committed meanwhile. With
 *     audit_sync_ms = 0 every entry is AUDITQ_DURABLE.
 * The anchor file (store/audit_anchor.h) is written only after a sync,
 * so it never names an entry that a power loss could take away.
 */
#ifndef LF_HTTP_AUDITQ_H
#define LF_HTTP_AUDITQ_H

#include "server/http_int.h"
#include "store/audit.h"

/* Called once per submitted entry, on the writer thread, after the batch
 * holding it committed (rc 0) or failed (rc -1, err says why; err is
 * valid during the call only). Must not block. */
typedef void (*auditq_done_fn)(void *arg, int rc, const struct lf_error *err);

/* Opens the writer's own database connection and starts it. 0 or -1. */
int	auditq_start(const struct app *app, struct lf_error *err);
/* Commits what is queued (calling its callbacks), stops the writer,
 * closes its connection. */
void	auditq_stop(void);
enum auditq_kind { AUDITQ_DURABLE, AUDITQ_WRITTEN };

/* Queues a copy of e (its strings are copied; the caller's may go away).
 * 0: done(arg, ...) will be called exactly once. -1 with err when the
 * writer is not running or memory ran out: done is never called. */
int	auditq_submit(const struct audit_entry *e, enum auditq_kind kind,
	    auditq_done_fn done, void *arg, struct lf_error *err);

#endif

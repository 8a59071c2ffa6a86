/*
 * auditq.h - group commit for the server's audit entries.
 *
 * Every request that must be audited hands its entry to one writer thread
 * and waits until the entry is committed; the writer appends all entries
 * waiting at that moment in one transaction (one fsync for the batch). A
 * read is therefore never answered before its audit entry is durable, and
 * the audit log does not serialise requests one fsync at a time.
 */
#ifndef LF_HTTP_AUDITQ_H
#define LF_HTTP_AUDITQ_H

#include "http/http_int.h"
#include "store/audit.h"

/* Opens the writer's own database connection and starts it. 0 or -1. */
int	auditq_start(const struct app *app, struct lf_error *err);
/* Commits what is queued, stops the writer, closes its connection. */
void	auditq_stop(void);
/* Queues a copy of e and waits until it is committed. 0, or -1 when the
 * entry could not be written (err says why). */
int	auditq_append(const struct audit_entry *e, struct lf_error *err);

#endif

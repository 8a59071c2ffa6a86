/*
 * task.c - closing a reconciliation task (recon.h): the rule that a task
 * is closed once, with a reason of 1-400 bytes of UTF-8; the row and its
 * history are store/recon_rows.h's.
 */
#include "recon/recon.h"

#include <string.h>

#include "lib/utf8.h"

int
recon_task_close(struct store *s, int64_t id, const char *reason,
    const char *actor, struct recon_task *out, struct lf_error *err)
{
	struct recon_task t;
	size_t len = reason ? strlen(reason) : 0;
	int rc;

	if (len == 0 || len > 400 || !utf8_valid(reason, len))
		return lf_error_set(err, "invalid", "reason", "关闭需要原因 "
		    "(1-400 字节) (closing needs a reason of 1-400 bytes)");
	if (store_begin(s, err) != 0)
		return -1;
	rc = recon_task_get(s, id, &t, err);
	if (rc == 1)
		lf_error_set(err, "not_found", "", "没有这个任务 (no such task)");
	else if (rc == 0 && !t.open)
		lf_error_set(err, "state", "", "任务已关闭 (task already "
		    "closed)");
	if (rc != 0 || !t.open || recon_rows_task_close(s, &t, reason, actor,
	    err) != 0 || recon_task_get(s, id, out, err) != 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err);
}

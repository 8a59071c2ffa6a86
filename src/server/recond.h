/*
 * recond.h - erases reconciliation rosters past their time: a thread with
 * its own store connection runs recon_erase() (store/recon_rows.h) at start and
 * then every RECOND_PERIOD seconds, keeping rosters `keep_days` days (the
 * server's roster_keep_days). The tasks made from a roster stay.
 *
 * recond_start() returns 0, or -1 with err when the thread cannot start;
 * a failed erase is logged and retried at the next period. recond_stop()
 * wakes the thread, waits for it and may be called when it never started.
 */
#ifndef LF_HTTP_RECOND_H
#define LF_HTTP_RECOND_H

#include "lib/error.h"

#define RECOND_PERIOD	3600

struct app;
int	recond_start(const struct app *app, int keep_days,
	    struct lf_error *err);
void	recond_stop(void);

#endif

/*
 * report_insight.h - the issue-16 section of the statistics reports:
 * open reconciliation tasks (store/recon.h) by the report's region and
 * its children and by finding, appended to a built report as the table
 * "recon" (kind RK_NEED: a top-level key in JSON, a sheet in xlsx, a
 * block in CSV). The report writers' callers (cli/cmd_stats.c,
 * http/h_stats.c) call it with one line after report_build(). This is
 * the one place io/ reads the store, to keep that call one line.
 */
#ifndef LF_IO_REPORT_INSIGHT_H
#define LF_IO_REPORT_INSIGHT_H

#include "lib/error.h"
#include "stats/report.h"

struct store;
/* Appends the table; 0, or -1 with err (the report is left as it was). */
int	report_insight_add(struct report *r, struct store *s,
	    struct lf_error *err);

#endif

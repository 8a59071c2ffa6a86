/*
 * report_insight.h - the issue-16 section of the statistics reports:
 * open reconciliation tasks by the report's region and its children and
 * by finding, appended to a built report as the table "recon" (a
 * top-level key in JSON, a sheet in xlsx, a block in CSV). The callers
 * (cli/cmd_stats.c, server/api/h_stats.c) read the table from the store
 * (recon_table(), recon/recon.h) and hand it over: the report layer does
 * not read the store.
 */
#ifndef LF_IO_REPORT_INSIGHT_H
#define LF_IO_REPORT_INSIGHT_H

#include "lib/error.h"
#include "stats/report.h"

/* Appends t (moved into r, see report_table_add()); 0, or -1 with err
 * (t freed, the report left as it was). */
int	report_insight_add(struct report *r, struct stats_table *t,
	    struct lf_error *err);

#endif

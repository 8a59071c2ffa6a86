/*
 * report_insight.c - the reconciliation section of the reports
 * (report_insight.h).
 */
#include "stats/report_insight.h"

int
report_insight_add(struct report *r, struct stats_table *t,
    struct lf_error *err)
{
	return report_table_add(r, "recon", "比对核查任务(未关闭)", t, err);
}

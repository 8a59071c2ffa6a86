/*
 * stats_findings.h - the data-quality findings (stats/findings_stats.h)
 * as a section of a statistics report (report_section_add): the
 * "findings" object in JSON, the totals and open findings by rule after
 * the KPI text, and one table 数据质量问题 (a row per rule, then 合计) in
 * CSV and as an xlsx sheet. Every writer of the report renders it.
 */
#ifndef LF_STATS_STATS_FINDINGS_H
#define LF_STATS_STATS_FINDINGS_H

#include "core/quality.h"
#include "core/region.h"
#include "stats/report.h"

struct store;

/* Counts the findings of r's year inside r's region from s (rules qr) and
 * adds them to r. 0, or -1 with err (the store's; r unchanged). */
int	stats_findings_add(struct report *r, struct store *s,
	    const struct quality_rules *qr, const struct regions *regs,
	    struct lf_error *err);

#endif

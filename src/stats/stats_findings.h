/*
 * stats_findings.h - the data-quality findings in `liangfu stats`: the
 * "findings" object of store/findings_stats.h added to the JSON file at
 * json (when not NULL; rewritten whole), and the open findings by rule
 * printed on stdout when text is set. 0, or -1 with err.
 */
#ifndef LF_CLI_STATS_FINDINGS_H
#define LF_CLI_STATS_FINDINGS_H

#include "cli/cli.h"

int	stats_findings(struct store *s, const struct cli_env *env, int year,
	    const char *region, const char *json, int text,
	    struct lf_error *err);

#endif

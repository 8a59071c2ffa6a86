/*
 * findings_stats.h - the "findings" section of the statistics (liangfu
 * stats, GET /api/v1/stats, liangfu quality --json): counts of a year's
 * findings inside a region by status (open, resolved, dismissed), by rule
 * (with its Chinese and English names) and by the region's children:
 *
 *   {"year":2025,"region":"510104","totals":{"open":3,...},
 *    "rules":[{"code":"UNMET_POLICY","name_zh":"应享未享...","name_en":...,
 *              "severity":"high","scope":"plan","owner":"township",
 *              "counts":{"open":2,...}}, ...],
 *    "by_region":[{"region":"510104001","name":"...","open":1,...,
 *                  "by_rule":{"UNMET_POLICY":{"open":1,...}}}, ...]}
 *
 * A surveyor's findings count in their township. NULL with err when the
 * store fails; the caller owns the JSON.
 */
#ifndef LF_STORE_FINDINGS_STATS_H
#define LF_STORE_FINDINGS_STATS_H

#include <stdio.h>

#include <jansson.h>

#include "core/region.h"
#include "store/findings_rows.h"

json_t	*findings_stats_json(struct store *s, const struct quality_rules *qr,
	    const struct regions *regs, int year, const char *prefix,
	    struct lf_error *err);
/* The totals and the open findings by rule, as lines of text. */
int	findings_stats_text(const json_t *j, FILE *fp);

#endif

/*
 * report_precision.h - the three precision rates (精准率: survey, plan,
 * supervision; core/supervise.h) in the statistics report, beside the
 * engine's tables. The report holds a pointer to the caller's
 * sup_precision (report.precision, NULL = none: nothing is written);
 * each writer calls one function of this file.
 *
 * JSON: "precision": {"year", "region", "method": "wilson95",
 *   "targets": {"survey_bp": 9000, "plan_bp": 9000, "supervision_bp": 9000},
 *   "regions": [ROW, ...] (the region first, then its children),
 *   "surveyors": [ROW, ...], "below_target": [surveyor names]}
 *   ROW = {"code" | "surveyor", "name", "tasks", "done",
 *          "survey": RATE, "plan": RATE, "supervision": RATE, "below"}
 *   RATE = {"right", "checked", "rate_bp", "lo_bp", "hi_bp"} (basis
 *          points of the rate and of its 95% Wilson interval; no rate_bp
 *          when nothing was checked).
 * Text, CSV and xlsx: one table 精准率, a row per region then per
 * surveyor, each rate as x/n, percentage and interval, against 90%.
 */
#ifndef LF_IO_REPORT_PRECISION_H
#define LF_IO_REPORT_PRECISION_H

#include <stdio.h>

#include <jansson.h>
#include <xlsxwriter.h>

#include "core/supervise.h"
#include "stats/report.h"

/* NULL when memory runs out. */
json_t	*report_precision_json(const struct sup_precision *p);
/* 0, or -1 on a write error. */
int	report_precision_text(const struct sup_precision *p, FILE *fp);
int	report_precision_csv(const struct sup_precision *p, FILE *fp);
lxw_error report_precision_xlsx(lxw_workbook *wb,
	    const struct sup_precision *p);

/* The report section (stats/report.h) of the precision rates p, which
 * stay the caller's and must outlive the writing: report_section_add(r,
 * &report_precision_section, &p, err). */
extern const struct report_section_ops report_precision_section;

#endif

/*
 * findings_hook.h - the server's side of data-quality findings: the rule
 * table, loaded once, and the re-check after every write.
 *
 * findings_hook_person() re-evaluates a person's findings (every year the
 * person has a survey of) right after a write that touched them (survey,
 * registration, plan, item, delivery), and the surveyor findings of the
 * person's township (findings_person(), quality/findings.h): a surveyor's
 * Nth fast or identical survey opens its finding on that write.
 * statsd_person() calls it, so every
 * writer that keeps the statistics current keeps the findings current.
 * It runs on the request's store connection after the write committed,
 * in a transaction of its own; a failure is logged and leaves the
 * findings as they were until the next write or batch.
 */
#ifndef LF_HTTP_FINDINGS_HOOK_H
#define LF_HTTP_FINDINGS_HOOK_H

#include <stdint.h>

#include "core/quality.h"
#include "server/http_int.h"

/* Loads the rules against the app's catalog (first call; later calls may
 * pass NULL). NULL when they cannot be loaded (logged). */
const struct quality_rules *findings_rules_of(const struct app *app);
/* The rules once loaded, else NULL. */
const struct quality_rules *findings_rules(void);

void	findings_hook_person(struct store *s, const struct app *app,
	    int64_t person_id);

/* Adds the findings section (stats/stats_findings.h) to the statistics
 * report rep; a failure is logged and leaves rep without it. */
struct report;
void	findings_report_add(struct req *r, struct report *rep);

#endif

/*
 * findings.h - the data-quality findings' rules: which findings a pass
 * opens, re-opens and closes, who owns one, and what a user may decide.
 * The rules themselves (what holds for a record) are core/quality.h's;
 * the rows are store/findings_rows.h's.
 *
 * Keeping them current (findings_sync): the findings of a record set are
 * brought in line with what the rules say now. A rule that holds and has
 * no open finding for the record gets one, owned by the rule's role at
 * the rule's level of the record's region ("township:510104001"), unless
 * a finding of it for that record was dismissed (a dismissal stands); a
 * finding resolved before is opened again (a new finding) when the rule
 * holds again. An open finding whose rule no longer holds is resolved by
 * the system with the reason "复核时规则不再成立". Running it again
 * changes nothing (idempotent); at most one open finding exists per rule
 * and record.
 *
 * A person decides an open finding resolved or dismissed, with a reason.
 *
 * Threads: as struct store. Errors: 0 / -1 with err ("store",
 * "no_memory", "invalid" naming the field, "state" for a finding that is
 * not open, "conflict" for a stale version, "not_found").
 */
#ifndef LF_QUALITY_FINDINGS_H
#define LF_QUALITY_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/disaster.h"
#include "core/policy.h"
#include "core/quality.h"
#include "lib/error.h"
#include "store/findings_rows.h"

/* What the rules say now, for one record. */
struct finding_hit {
	const char	*rule;
	int64_t		 person_id;
	int64_t		 item_id;
	const char	*surveyor;	/* "" for persons */
	const char	*region;	/* village, or township for surveyors */
	const char	*owner_role;
	int		 owner_digits;	/* of region, for the owner */
	const char	*detail;
};

struct findings_counts {
	int64_t		 opened, closed;
};

/*
 * Brings the findings in ex (of the record set the caller loaded with
 * findings_load_*(), only the rules it evaluated) in line with hits, in
 * the caller's transaction (or one of its own). Counts are added to *c
 * (may be NULL).
 */
int	findings_sync(struct store *s, int year, struct finding_keys *ex,
	    const struct finding_hit *hits, size_t nhits, const char *actor,
	    struct findings_counts *c, struct lf_error *err);

/* findings_sync() over every stored finding of rule in year whose region
 * starts with prefix ("" = all): a rule evaluated over a whole region. */
int	findings_sync_rule(struct store *s, int year, const char *rule,
	    const char *prefix, const struct finding_hit *hits, size_t nhits,
	    const char *actor, struct findings_counts *c,
	    struct lf_error *err);

/* Resolves or dismisses (to = FINDING_RESOLVED / FINDING_DISMISSED) an
 * open finding with a reason (required, 1..FINDING_REASON_MAX-1 bytes,
 * not only blanks). expect_version 0 = no check. out (may be NULL) gets
 * it as now. */
int	findings_decide(struct store *s, int64_t id, int to, const char *reason,
	    int64_t expect_version, const char *actor, struct finding *out,
	    struct lf_error *err);

/* ---- the surveyor rules (findings_surveyor.c) ----------------------- */

/* A tally of surveyors (core/quality.h) for the rules qr: the fast
 * threshold is the first surveyor_fast rule's. NULL when memory runs
 * out. */
struct quality_surveyors *findings_surveyors_new(const struct catalog *cat,
	    const struct quality_rules *qr);
/*
 * Syncs the findings of every surveyor rule of qr in year whose township
 * starts with prefix (a township's 9 digits or fewer: a village sees only
 * part of a township, so a longer prefix syncs nothing) with the tally
 * svs, which must hold every survey of the region's persons. A finding's
 * surveyor is "township|name". hits (may be NULL) gets the findings by
 * rule index added.
 */
int	findings_surveyors_sync(struct store *s, const struct quality_rules *qr,
	    const struct quality_surveyors *svs, int year, const char *prefix,
	    const char *actor, int64_t *hits, struct findings_counts *c,
	    struct lf_error *err);
/*
 * The surveyor rules after a single write: tallies the year's surveys of
 * the persons of the village's township (index persons_region: a few
 * hundred surveys, not the year) and syncs that township's surveyor
 * findings, so they open and close as the batch would leave them.
 */
int	findings_surveyors_township(struct store *s,
	    const struct quality_rules *qr, int year, const char *village,
	    const char *actor, struct findings_counts *c,
	    struct lf_error *err);

/*
 * Evaluates the rules over one person's year as it is stored now
 * (registration, survey, plan, items, deliveries, duplicates) and syncs
 * the person's findings of every rule but the surveyor ones; with a
 * survey of the year, then the surveyor findings of the person's
 * township (findings_surveyors_township). Without a survey of the year
 * the person's findings of it are closed.
 */
int	findings_person(struct store *s, const struct quality_rules *qr,
	    const struct policies *ps, const struct disaster *dis,
	    int64_t person_id, int year, const char *actor,
	    struct findings_counts *c, struct lf_error *err);

#endif

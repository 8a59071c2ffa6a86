/*
 * findings.h - data-quality findings (core/quality.h) kept in the store.
 *
 * A finding is one rule holding for one record: a person's year (item_id
 * 0), a service item or a delivery (through its item), or a surveyor (a
 * name within a township; person_id 0). It has an owner (role and region:
 * "township:510104001"), a status (open, resolved, dismissed), the
 * explanation shown to people (Chinese), and a history of status
 * changes in finding_events (who, when, from, to, reason).
 *
 * Keeping them current (findings_sync): the findings of a record set are
 * brought in line with what the rules say now. A rule that holds and has
 * no open finding for the record gets one, unless a finding of it for
 * that record was dismissed (a dismissal stands); an open finding whose
 * rule no longer holds is resolved by the system with the reason "复核时
 * 规则不再成立". Running it again changes nothing (idempotent); at most one
 * open finding exists per rule and record (a unique index says so).
 *
 * A person decided resolved or dismissed by a user needs a reason.
 *
 * Threads: as struct store. Errors: 0 / -1 with err ("store",
 * "no_memory", "invalid" naming the field, "state" for a finding that is
 * not open, "conflict" for a stale version); lookups return 1 for "not
 * found".
 */
#ifndef LF_STORE_FINDINGS_H
#define LF_STORE_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/disaster.h"
#include "lib/error.h"
#include "core/policy.h"
#include "core/quality.h"
#include "store/store.h"

enum finding_status { FINDING_OPEN = 1, FINDING_RESOLVED = 2,
	FINDING_DISMISSED = 3 };

#define FINDING_RULE_MAX	41
#define FINDING_SURVEYOR_MAX	80	/* surveyor rules: "township|name" */
#define FINDING_REASON_MAX	1000

struct finding {
	int64_t		 id;
	char		 rule[FINDING_RULE_MAX];
	int		 year;
	int64_t		 person_id;		/* 0: a surveyor */
	char		 person_uid[STORE_UID_LEN + 1];	/* "" none */
	int64_t		 item_id;		/* 0: the person-year */
	char		 surveyor[FINDING_SURVEYOR_MAX];
	char		 region[13];		/* village (township) */
	char		 owner[32];		/* "role:region" */
	int		 status;
	char		 detail[QUALITY_DETAIL_MAX];
	char		 reason[FINDING_REASON_MAX];
	int64_t		 version;
	char		 created_at[21], created_by[64];
	char		 updated_at[21], updated_by[64];
};

/* What the rules say now, for one record. */
struct finding_hit {
	const char	*rule;
	int64_t		 person_id;
	int64_t		 item_id;
	const char	*surveyor;	/* "" for persons */
	const char	*region;	/* village, or township for surveyors */
	const char	*owner_role;
	int		 owner_digits;
	const char	*detail;
};

/* The findings already stored for a record set (findings_load_*). */
struct finding_key {
	int64_t		 id, person_id, item_id;
	char		 rule[FINDING_RULE_MAX];
	char		 surveyor[FINDING_SURVEYOR_MAX];
	int		 status;
	int		 seen;		/* private to findings_sync */
};
struct finding_keys {
	struct finding_key	*v;
	size_t			 n, cap;
};
void	finding_keys_free(struct finding_keys *k);

struct findings_counts {
	int64_t		 opened, closed;
};

/* Creates the tables when missing; on every open. */
int	findings_init(struct store *s, struct lf_error *err);

/* Appends the stored findings of the persons in (lo, hi] of year (all
 * rules, surveyor ones excluded), in person order. */
int	findings_load_persons(struct store *s, int year, int64_t lo,
	    int64_t hi, struct finding_keys *out, struct lf_error *err);
/* Appends the stored findings of rule in year whose region starts with
 * prefix ("" = all). */
int	findings_load_rule(struct store *s, int year, const char *rule,
	    const char *prefix, struct finding_keys *out,
	    struct lf_error *err);

/*
 * Brings the findings in ex (of the record set the caller loaded, only
 * the rules it evaluated) in line with hits, in the caller's transaction
 * (or one of its own). Counts are added to *c (may be NULL).
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

/* ---- reading and deciding ------------------------------------------- */

struct findings_query {
	int		 year;		/* 0 = any */
	const char	*region;	/* prefix, required ("" = all) */
	const char	*rule;		/* NULL = any */
	int		 status;	/* 0 = any */
	const char	*owner;		/* "role:region", NULL = any */
	int64_t		 person_id;	/* 0 = any */
	int64_t		 after;		/* id, for paging */
	int		 limit;		/* 1..1000 */
};
typedef int (*finding_fn)(void *arg, const struct finding *f);
/* Findings matching q by id after q->after; *last the last id given. */
int	findings_list(struct store *s, const struct findings_query *q,
	    finding_fn fn, void *arg, int64_t *last, struct lf_error *err);
/* One finding. 0 found, 1 none. */
int	findings_get(struct store *s, int64_t id, struct finding *out,
	    struct lf_error *err);

struct finding_event {
	char		 at[21], actor[64];
	int		 from, to;
	const char	*reason;
};
typedef int (*finding_event_fn)(void *arg, const struct finding_event *e);
/* The history of a finding, oldest first. */
int	findings_events(struct store *s, int64_t id, finding_event_fn fn,
	    void *arg, struct lf_error *err);

/* Resolves or dismisses (to = FINDING_RESOLVED / FINDING_DISMISSED) an
 * open finding with a reason (required, 1..FINDING_REASON_MAX-1 bytes).
 * expect_version 0 = no check. out (may be NULL) gets it as now. */
int	findings_decide(struct store *s, int64_t id, int to, const char *reason,
	    int64_t expect_version, const char *actor, struct finding *out,
	    struct lf_error *err);

/* Counts of year by region (prefix, cut to digits), rule and status. */
typedef int (*finding_count_fn)(void *arg, const char *region,
	    const char *rule, int status, int64_t n);
int	findings_count(struct store *s, int year, const char *prefix,
	    int digits, finding_count_fn fn, void *arg, struct lf_error *err);

/* "open" / "resolved" / "dismissed" and the Chinese names; -1 unknown. */
const char *finding_status_code(int status);
const char *finding_status_zh(int status);
int	finding_status_parse(const char *code);

#endif

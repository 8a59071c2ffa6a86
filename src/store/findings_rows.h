/*
 * findings_rows.h - the narrow persistence interface under the
 * data-quality findings (quality/findings.h decides; this stores): the
 * tables findings and finding_events (created on open), their rows read
 * and written.
 *
 * A finding is one rule holding for one record: a person's year (item_id
 * 0), a service item or a delivery (through its item), or a surveyor (a
 * name within a township; person_id 0). It has an owner (role and region:
 * "township:510104001"), a status (open, resolved, dismissed), the
 * explanation shown to people (Chinese), and a history of status
 * changes in finding_events (who, when, from, to, reason).
 *
 * Nothing here decides which findings a pass opens or closes, who owns
 * one, or what a user may decide: quality/ does, then calls these. The
 * one guard kept here is the storage's own: at most one open finding per
 * rule and record (a unique index), and a status change only of a
 * finding still open (a conditional update, so two writers cannot both
 * close it).
 *
 * Written once over store/dbq.h: the same on SQLite and PostgreSQL.
 * Threads: as struct store. Errors: 0 / -1 with err ("store",
 * "no_memory", "invalid" naming the field, "state" for a finding that is
 * not open); lookups return 1 for "not found".
 */
#ifndef LF_STORE_FINDINGS_ROWS_H
#define LF_STORE_FINDINGS_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
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

/* The findings already stored for a record set (findings_load_*). */
struct finding_key {
	int64_t		 id, person_id, item_id;
	char		 rule[FINDING_RULE_MAX];
	char		 surveyor[FINDING_SURVEYOR_MAX];
	int		 status;
	int		 seen;		/* the caller's mark */
};
struct finding_keys {
	struct finding_key	*v;
	size_t			 n, cap;
};
void	finding_keys_free(struct finding_keys *k);

/* Creates the tables when missing; on every open of a SQLite file
 * (PostgreSQL's are made by init and the format upgrade from
 * findings_schema_sql(): store/pg/pg_rowtables.c). */
int	findings_init(struct store *s, struct lf_error *err);
/* SQLite's DDL of the two tables, the one definition of their columns. */
const char *findings_schema_sql(void);

/* Appends the stored findings of the persons in (lo, hi] of year (all
 * rules, surveyor ones excluded), in person order. */
int	findings_load_persons(struct store *s, int year, int64_t lo,
	    int64_t hi, struct finding_keys *out, struct lf_error *err);
/* Appends the stored findings of rule in year whose region starts with
 * prefix ("" = all). */
int	findings_load_rule(struct store *s, int year, const char *rule,
	    const char *prefix, struct finding_keys *out,
	    struct lf_error *err);

/* A new finding's columns (the rest is set by findings_row_open). */
struct finding_new {
	const char	*rule;
	int		 year;
	int64_t		 person_id, item_id;
	const char	*surveyor, *region, *owner, *detail;
};
/* Stores f as an open finding created at `at` by actor, with its first
 * event (0 -> open) carrying reason. */
int	findings_row_open(struct store *s, const struct finding_new *f,
	    const char *reason, const char *at, const char *actor,
	    struct lf_error *err);
/* Sets the status of finding id, if it is still open, to `to` with its
 * reason and event; "state" when it is not open any more. */
int	findings_row_close(struct store *s, int64_t id, int to,
	    const char *reason, const char *at, const char *actor,
	    struct lf_error *err);

/* 1 when a person other than p has p's name, sex and birth date, 0 when
 * none, -1 on error. */
int	findings_namesake(struct store *s, const struct store_person *p,
	    struct lf_error *err);
/* Calls fn with every survey of year of the persons whose village lies
 * in the region of prefix (decoded into r, the caller's record, items
 * only: PACKREC_SKIP) and its village; fn's nonzero stops the scan and
 * is returned as -1 (fn sets err). */
typedef int (*findings_survey_fn)(void *arg, const struct record *r,
	    const char *village, struct lf_error *err);
int	findings_region_surveys(struct store *s, int year, const char *prefix,
	    struct record *r, findings_survey_fn fn, void *arg,
	    struct lf_error *err);

/* ---- reading -------------------------------------------------------- */

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

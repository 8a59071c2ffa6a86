/*
 * quality.h - data-quality rules (data/quality_rules.tsv) and their
 * evaluation over one person's year, without I/O.
 *
 * quality_rules.tsv columns (header row required, in this order):
 *   code name_zh name_en severity scope owner kind condition threshold
 *   min_count
 * severity: high, medium, low. scope: survey (the person-year survey),
 * plan (the person-year plan), item (a service item), delivery (a
 * delivery, linked through its item), surveyor, cross (across persons).
 * owner: the role that answers for a finding (village, township, county,
 * city, province); the finding's owner region is the record's village cut
 * to that level. kind: "expr" (condition, in the rule language of
 * core/expr.h, holds over the year's survey, age at its fill_date) or a
 * built-in kind whose parameters are the threshold and min_count columns
 * (empty = 0):
 *   dup_person              the same name, sex and birth date registered
 *                           as two persons (the registry's unique ID hash
 *                           rules out two persons with one ID number)
 *   unmet_policy            应享未享: the planner proposes the policy (a
 *                           trigger need is yes and the eligibility
 *                           holds) and the plan holds no item of it, or
 *                           only ones rejected without a reason; checked
 *                           once the person has a plan of the year
 *   exit_active             person deceased or moved out (registry
 *                           status, or certificate status 注销(死亡)/迁出)
 *                           with an accepted item still planned or in
 *                           progress
 *   exit_delivery           such a person with a delivery dated after
 *                           the survey that recorded the status
 *   delivery_before_survey  a delivery dated before the year's survey
 *   funds_off               an item's planned funds differ from the
 *                           policy amount for the person by more than
 *                           threshold percent
 *   surveyor_identical      a surveyor (name within a township) with at
 *                           least min_count surveys in the year whose
 *                           need items are all identical
 *   surveyor_fast           a surveyor (name within a township) with at
 *                           least min_count (at least 1) surveys in the
 *                           year filled in under threshold seconds: the
 *                           envelope's form_submitted_at minus
 *                           form_started_at, set by the web form and API
 *                           clients (surveys without both are not timed)
 * Empty lines and lines starting with '#' are ignored. Errors name
 * file:line:column:pos like policies.tsv (code "quality_file").
 *
 * A struct quality_rules is immutable after parsing and may be used from
 * many threads.
 */
#ifndef LF_CORE_QUALITY_H
#define LF_CORE_QUALITY_H

#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/disaster.h"
#include "lib/error.h"
#include "core/expr.h"
#include "plan/planner.h"
#include "core/policy.h"
#include "core/record.h"

enum quality_kind {
	QK_EXPR, QK_DUP_PERSON, QK_UNMET_POLICY, QK_EXIT_ACTIVE,
	QK_EXIT_DELIVERY, QK_DELIVERY_BEFORE_SURVEY, QK_FUNDS_OFF,
	QK_SURVEYOR_IDENTICAL, QK_SURVEYOR_FAST, NQKINDS
};
enum quality_scope { QS_SURVEY, QS_PLAN, QS_ITEM, QS_DELIVERY,
	QS_SURVEYOR, QS_CROSS, NQSCOPES };
enum quality_severity { QV_HIGH, QV_MEDIUM, QV_LOW, NQSEVERITIES };

#define QUALITY_MAX_RULES	64
#define QUALITY_DETAIL_MAX	480	/* bytes of a finding's explanation */

struct quality_rule {
	int			 index;
	char			*code, *name_zh, *name_en;
	enum quality_severity	 severity;
	enum quality_scope	 scope;
	char			 owner[16];	/* role */
	int			 owner_digits;	/* region code digits */
	enum quality_kind	 kind;
	struct expr		*cond;		/* QK_EXPR only */
	char			*cond_text;
	int64_t			 threshold, min_count;
};

struct quality_rules {
	const struct catalog	*cat;
	struct quality_rule	*v;
	size_t			 n;
};

/* Parses the text (copied). -1 with err (code "quality_file"). The
 * catalog must outlive the rules; free with quality_rules_free(). */
int	quality_rules_parse(const char *text, size_t len, const char *filename,
	    const struct catalog *cat, struct quality_rules **out,
	    struct lf_error *err);
/* The built-in data/quality_rules.tsv. */
int	quality_rules_load_embedded(const struct catalog *cat,
	    struct quality_rules **out, struct lf_error *err);
void	quality_rules_free(struct quality_rules *qr);
/* The rule with this code, or NULL. */
const struct quality_rule *quality_rule_find(const struct quality_rules *qr,
	    const char *code);
/* Names for people: "高"/"high" ..., "调查"/"survey" ... */
const char *quality_severity_name(enum quality_severity v, int zh);
const char *quality_scope_name(enum quality_scope v, int zh);
/* 1 when the rule is evaluated across persons (batch only). */
int	quality_rule_is_global(const struct quality_rule *q);

/* ---- one person's year ---------------------------------------------- */

struct quality_item {
	int64_t		 id;
	const char	*policy;	/* code, "" none */
	int		 decision;	/* 0 proposed, 1 accepted, 2 rejected */
	int		 has_reason;	/* decision reason given */
	int		 status;	/* 1 planned 2 in progress 3 done 4 not */
	int64_t		 funds_planned;	/* fen */
};

struct quality_delivery {
	int64_t		 item_id;
	int		 date;		/* days since 1970-01-01 */
};

struct quality_person {
	int64_t				 person_id;
	const char			*village;	/* 12 digits */
	int				 status;	/* 1 在册 2 迁出 3 死亡 */
	int				 year;
	const struct record		*r;		/* the survey; NULL none */
	int				 has_plan;
	const struct quality_item	*items;
	size_t				 nitems;
	const struct quality_delivery	*dl;
	size_t				 ndl;
	int				 dup;	/* another person has the same
						   name, sex and birth date */
};

struct quality_hit {
	int		 rule;		/* index */
	int64_t		 item_id;	/* 0: the person-year */
	char		 detail[QUALITY_DETAIL_MAX];	/* Chinese */
};

struct quality_hits {
	struct quality_hit	*v;
	size_t			 n, cap;
};
void	quality_hits_init(struct quality_hits *h);
void	quality_hits_free(struct quality_hits *h);

/*
 * Evaluates every rule that looks at one person-year (all but the
 * surveyor kind; dup_person from p->dup) and appends what holds to out
 * (cleared first), at most one hit per rule and item. scratch is the
 * planner's result, reused between calls. dis may be NULL. 0, or -1 with
 * err (no_memory).
 */
int	quality_eval(const struct quality_rules *qr, const struct policies *ps,
	    const struct disaster *dis, const struct quality_person *p,
	    struct planner_result *scratch, struct quality_hits *out,
	    struct lf_error *err);

/*
 * Marks in want[0..nfields) every survey item quality_eval() reads: the
 * expression rules' fields, the items the built-in kinds read (survey
 * date, certificate status) and what the planner reads for ps (may be
 * NULL). A survey decoded with only these items gives the same hits.
 */
void	quality_fields(const struct quality_rules *qr,
	    const struct policies *ps, unsigned char *want);

/* ---- across persons (batch) ----------------------------------------- */

/* The duplicate key of a registration (64-bit hash of name, sex, birth
 * date). */
uint64_t quality_dup_key(const char *name, int gender, const char *birth);

/*
 * A set of registration keys that remembers which persons share one.
 * Memory: 16 bytes a slot, at most half full (about 112 MB at 3.5 M
 * persons), plus the persons found twice. NULL when memory runs out.
 */
struct quality_dups;
struct quality_dups *quality_dups_new(void);
void	quality_dups_free(struct quality_dups *d);
/* Makes room for n keys at once (no table grown and copied on the way:
 * the largest block of the tally's memory). 0, or -1 (memory). */
int	quality_dups_reserve(struct quality_dups *d, size_t n);
/* 0, or -1 when memory runs out. */
int	quality_dups_add(struct quality_dups *d, uint64_t key,
	    int64_t person_id);
/* The persons whose key another person holds, ascending, no repeats. */
const int64_t *quality_dups_persons(struct quality_dups *d, size_t *n);

/* The explanation of a dup_person finding (Chinese). */
extern const char quality_dup_detail[];
/* The explanation of a surveyor rule's finding (Chinese): surveyor name,
 * n the surveys that count (all of them, or the fast ones). */
void	quality_surveyor_detail(const struct quality_rule *q, const char *name,
	    int64_t n, char out[QUALITY_DETAIL_MAX]);

/* Surveyors' need fingerprints (surveyor_identical). */
struct quality_surveyors;
struct quality_surveyors *quality_surveyors_new(const struct catalog *cat);
void	quality_surveyors_free(struct quality_surveyors *q);
/* Adds a survey of surveyor `name` in township `township` (9 digits; a
 * longer code counts by its first 9).
 * 0, or -1 when memory runs out. */
int	quality_surveyors_add(struct quality_surveyors *q, const char *name,
	    const char *township, const struct record *r);
/* The same for the survey r of a person of village (12 digits): its
 * surveyor_name within the village's township; none, nothing added. */
int	quality_surveyors_add_survey(struct quality_surveyors *q,
	    const struct record *r, const char *village);
/* Marks in want[0..nfields) the survey items a tally reads (surveyor
 * name, form timestamps, need items). */
void	quality_surveyors_fields(const struct quality_surveyors *q,
	    unsigned char *want);
/* Adds the tally of src into dst (same catalog and fast threshold): as
 * if dst had been given src's surveys too. 0, or -1 when memory runs
 * out. */
int	quality_surveyors_merge(struct quality_surveyors *dst,
	    const struct quality_surveyors *src);
/* Calls fn for each surveyor with at least min_count surveys whose need
 * items are all identical. */
int	quality_surveyors_each(const struct quality_surveyors *q,
	    int64_t min_count, int (*fn)(void *arg, const char *name,
	    const char *township, int64_t n), void *arg);
/* Surveys filled in under `seconds` (submit minus start) count as fast
 * from now on (0, the default: none is). Set before adding surveys. */
void	quality_surveyors_set_fast(struct quality_surveyors *q,
	    int64_t seconds);
/* Calls fn for each surveyor with at least min_count (at least 1) fast
 * surveys; n is the number of fast ones (surveyor_fast). */
int	quality_surveyors_fast_each(const struct quality_surveyors *q,
	    int64_t min_count, int (*fn)(void *arg, const char *name,
	    const char *township, int64_t n), void *arg);

#endif

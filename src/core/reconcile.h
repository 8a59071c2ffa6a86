/*
 * reconcile.h - 应享未享 / 不应享而享: comparing another department's
 * roster (民政 低保, 医保 enrolment, 教育 school rolls, 公安 deaths) with
 * the registry, the year's surveys and the plans. No I/O: the caller reads
 * the roster file and the store; this module says what a roster row must
 * hold and what a person's facts amount to.
 *
 * Kinds. Each kind is one row of data/reconcile_kinds.tsv (columns kind
 * name_zh name_en column type says policy needs eligible): its code, its
 * roster column besides 身份证号 and 姓名 (e.g. 死亡日期) and that column's
 * type (date or text), what the survey says about the roster's fact (an
 * expression of core/expr.h, e.g. `dibao`; empty: nothing), the policy
 * whose service item means "receiving" ("*" = any service item), whether
 * receiving it needs the person to be on the roster (低保 -> 生活补贴,
 * "on") or off it (in school -> no 送教上门, "off"), and what else
 * eligibility needs (an expression; empty: nothing). The kind "death" is
 * the death register. recon_kinds_load() reads the embedded file and
 * compiles the expressions against the catalog; recon_kinds_parse() takes
 * any such text (errors "file:line:column: why", code "recon_file";
 * unknown policies, fields and types are errors).
 *
 * Findings for one registered person (recon_classify):
 *   RF_ELIGIBLE_NOT_RECEIVING  the roster's fact and eligible_if qualify
 *                              the person, who is 在册 and receives no
 *                              item of the policy (应享未享);
 *   RF_RECEIVING_NOT_ELIGIBLE  receives the policy although the roster's
 *                              fact rules it out (不应享而享);
 *   RF_DECEASED_RECEIVING      (death) on the death roster and still
 *                              receiving a service item;
 *   RF_MOVED_RECEIVING         (death) the registry says 迁出 or 死亡 and
 *                              the person still receives a service item;
 *   RF_DISAGREE                the records disagree: the survey says the
 *                              opposite of the roster (低保 on the roster,
 *                              not in the survey, or the reverse), or the
 *                              death roster holds a person still 在册.
 * "Receiving" means an accepted item of the year that is neither marked
 * 不再需要 nor ended 未完成; the caller works that out from the store.
 *
 * Errors: recon_kinds_load() and recon_header() return -1 with err;
 * recon_row() returns -1 with err->column set to the 1-based roster column
 * at fault (its message never holds the ID number).
 */
#ifndef LF_CORE_RECONCILE_H
#define LF_CORE_RECONCILE_H

#include <stddef.h>

#include "core/catalog.h"
#include "lib/error.h"
#include "core/expr.h"
#include "core/record.h"

enum recon_finding {
	RF_ELIGIBLE_NOT_RECEIVING,
	RF_RECEIVING_NOT_ELIGIBLE,
	RF_DECEASED_RECEIVING,
	RF_MOVED_RECEIVING,
	RF_DISAGREE,
	NRFINDINGS
};

enum recon_coltype { RC_DATE, RC_TEXT };

struct recon_kind {
	char			 code[16];	/* "dibao" */
	char			 name_zh[64], name_en[64];
	char			 column[64];	/* own roster column, Chinese */
	enum recon_coltype	 coltype;
	char			 says_src[512];	/* survey's view; "" = none */
	char			 policy[32];	/* "*" = any item */
	int			 needs_on;	/* receiving needs: 1 on the
						   roster, 0 off it */
	char			 elig_src[512];	/* "" = nothing more */
	int			 death;		/* the death roster */
	/* compiled */
	struct expr		*says, *elig;
};

struct recon_kinds {
	struct recon_kind	*v;
	size_t			 n;
};

/* The embedded data/reconcile_kinds.tsv, compiled against cat (which
 * must outlive the result), policies checked against the embedded
 * policies.tsv. Frees with recon_kinds_free() (NULL is a no-op). */
int	recon_kinds_load(const struct catalog *cat, struct recon_kinds **out,
	    struct lf_error *err);
/* The same from text; ps (may be NULL: not checked) for policy codes. */
struct policies;
int	recon_kinds_parse(const char *text, size_t len, const char *file,
	    const struct catalog *cat, const struct policies *ps,
	    struct recon_kinds **out, struct lf_error *err);
void	recon_kinds_free(struct recon_kinds *k);
/* The kind with this code, or NULL. */
const struct recon_kind *recon_kind_find(const struct recon_kinds *k,
	    const char *code);

/* Stable codes and labels of findings: "eligible_not_receiving" ...,
 * "应享未享" ...; NULL for an unknown value. */
const char *recon_finding_code(int f);
const char *recon_finding_zh(int f);
int	recon_finding_find(const char *code);	/* -1 when unknown */

/* The columns of a roster: positions (0-based) of 身份证号, 姓名 and the
 * kind's own column in the header row. */
struct recon_cols {
	size_t		 id, name, own;
};

/* Reads the header row (n fields): every one of the three columns must be
 * there, once; other columns are allowed and ignored. -1 with err naming
 * the missing or repeated column (err->column = its position, or 0). */
int	recon_header(const struct recon_kind *k, const char *const *fields,
	    size_t n, struct recon_cols *cols, struct lf_error *err);

/* One data row, checked: the ID number valid (GB 11643, not born after
 * today), normalised into id18; the name non-empty, at most 50 bytes; the
 * own column a date not after today (RC_DATE) or a non-empty text of at
 * most 200 bytes (RC_TEXT). *fact_days gets the date (0 for text). -1
 * with err, err->column the roster column (1-based) at fault. */
int	recon_row(const struct recon_kind *k, const struct recon_cols *cols,
	    const char *const *fields, size_t n, int today,
	    char id18[19], int *fact_days, struct lf_error *err);

/* What is known of one registered person. */
struct recon_person {
	int			 on_roster;
	int			 status;	/* person_status: 1 在册,
						   2 迁出, 3 死亡 */
	const struct record	*survey;	/* of the year, NULL: none */
	const struct expr_ctx	*ctx;		/* for age and regions */
	int			 receiving;	/* an item of the kind's
						   policy (any, for death) */
};

/* The findings for p as a bit set (1 << enum recon_finding). */
unsigned recon_classify(const struct recon_kind *k,
	    const struct recon_person *p);

#endif

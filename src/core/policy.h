/*
 * policy.h - the policy catalog (data/policies.tsv) and its amount rules
 * (data/policy_amounts.tsv), compiled against the field catalog.
 *
 * policies.tsv columns (header row required, in this order):
 *   code name_zh name_en batch department trigger_needs eligibility
 *   amount items
 * batch is one of the 五个一批 codes below; department a name or code of
 * core/dept.h; trigger_needs a comma-separated list of need items of the
 * catalog (section need); eligibility an expression of core/expr.h;
 * amount free text for people; items "one" (one service item for the
 * policy, naming every trigger need answered yes) or "per_need" (one item
 * per trigger need answered yes, e.g. one per assistive device; an
 * umbrella need "<group>_need_any" then makes an item only when no other
 * trigger need is yes).
 *
 * policy_amounts.tsv columns:
 *   policy region when amount_yuan per note
 * region a region-code prefix (2..12 digits) the row applies in; when an
 * expression (empty = true); amount_yuan yuan with up to two decimals
 * (stored in fen); per one of month, year, once. For a person the rows of
 * the policy whose region is the longest prefix of the person's village
 * are taken (a county's rows replace the province's), and the first of
 * them whose `when` holds gives the amount. More rows may be added at run
 * time (policy_amounts_add), e.g. a county's overrides kept in the
 * database; they count as read after the file. ps->amounts is kept in
 * policy-table order, the rows of one policy in the order they were read
 * (so a lookup is a binary search); adding rows moves them, so pointers
 * to rows (policy_amount's *out, planner items) are valid only until the
 * next add.
 *
 * In both files empty lines and lines starting with '#' are ignored; a
 * policy has 1..POLICY_MAX_TRIGGERS trigger needs, none twice.
 *
 * Errors name file:line, the column and, for expressions, the position
 * inside it (err->column is the 1-based byte offset within the line's
 * column text; the message says which column): messages start
 * "file:line:column:pos: ", e.g. "policies.tsv:7:eligibility:12: ".
 * Unknown policies, fields, departments and batches are errors.
 *
 * A struct policies is immutable after loading and may be used from many
 * threads at once; policy_amounts_add() must not run concurrently with
 * readers.
 */
#ifndef LF_CORE_POLICY_H
#define LF_CORE_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/dept.h"
#include "lib/error.h"
#include "core/expr.h"
#include "core/record.h"

enum policy_batch {
	BATCH_PROD_EMPLOY,	/* 扶持发展生产和就业一批 */
	BATCH_RELOCATE,		/* 移民搬迁安置一批 */
	BATCH_SOCIAL_SEC,	/* 社会保障兜底一批 */
	BATCH_MEDICAL,		/* 医疗救助一批 */
	BATCH_DISASTER,		/* 灾后重建帮扶一批 */
	BATCH_EDUCATION,	/* 发展教育一批 */
	BATCH_NONE,		/* 其他 (not in 五个一批) */
	NBATCHES
};

struct policy_batch_info {
	const char	*code;		/* "SOCIAL_SEC" */
	const char	*name_zh;	/* "社会保障兜底一批" */
	const char	*name_en;
};
const struct policy_batch_info *policy_batch_get(enum policy_batch b);
/* -1 when unknown. */
int	policy_batch_find(const char *code);

enum policy_per { PER_ONCE, PER_MONTH, PER_YEAR };

#define POLICY_MAX_TRIGGERS	16	/* trigger needs of one policy */

struct policy_amount {
	int			 policy;	/* index into policies */
	char			 region[13];
	struct expr		*when;		/* NULL = always */
	char			*when_text;
	int64_t			 fen;
	enum policy_per		 per;
	char			*note;
};

struct policy {
	int			 index;
	char			*code, *name_zh, *name_en;
	enum policy_batch	 batch;
	const struct dept	*dept;
	int			*triggers;	/* catalog field indices */
	size_t			 ntriggers;
	struct expr		*elig;
	char			*elig_text;
	char			*amount_text;
	int			 per_need;
	/* data/policy_texts.tsv: the default 具体措施 and 预期效果 of a
	 * proposal; NULL until policies_texts_parse() */
	char			*measures, *effect;
};

/* private: a need item of the catalog, compact for the planner's scan */
struct policy_need {
	int			 field;
	int			 type;		/* enum field_type */
	int			 exclusive;
};

struct policies {
	const struct catalog	*cat;
	struct policy		*v;
	size_t			 n;
	struct policy_amount	*amounts;
	size_t			 namounts;
	/* private */
	size_t			 amounts_cap;
	int			*by_field;	/* need field -> first policy
						   list offset, see policy.c */
	int			*field_list;
	struct policy_need	*needs;		/* every need item, in catalog
						   order */
	size_t			 nneeds;
};

/* Parses policies.tsv text (copied). The catalog must outlive the result.
 * -1 with err (code "policy_file", field = the column name). The caller
 * frees *out with policies_free(). */
int	policies_parse(const char *text, size_t len, const char *filename,
	    const struct catalog *cat, struct policies **out,
	    struct lf_error *err);
void	policies_free(struct policies *ps);

/* Sets every policy's default measures and expected effect from a
 * policy_texts.tsv text (header "code measures effect"; '#' lines and
 * empty lines ignored). Every policy must have exactly one row and each
 * row name a policy, with both texts non-empty valid UTF-8. All or
 * nothing (code "policy_file", naming filename:line and the column). */
int	policies_texts_parse(struct policies *ps, const char *text, size_t len,
	    const char *filename, struct lf_error *err);

/* Adds the rows of a policy_amounts.tsv text. All or nothing: on error
 * no row is added (code "policy_file"). */
int	policies_amounts_parse(struct policies *ps, const char *text,
	    size_t len, const char *filename, struct lf_error *err);
/* Adds one amount row; same checks as the file (code "invalid",
 * err->field names the bad argument: "policy", "region", "when",
 * "amount", "per"; err->column the position in `when`). when and note
 * may be NULL or "" (always; no note). */
int	policy_amounts_add(struct policies *ps, const char *policy,
	    const char *region, const char *when, int64_t fen,
	    enum policy_per per, const char *note, struct lf_error *err);

/* The policy with this code, or NULL. */
const struct policy *policy_find(const struct policies *ps,
	    const char *code);

/* Policies that need field f triggers: *n set, NULL when none. */
const int *policy_triggered_by(const struct policies *ps, int field,
	    size_t *n);

/* The amount for the person r (village and reference date in ctx): 0 and
 * *out set to the chosen row, or 1 when no row applies (also when ctx
 * is NULL or its village is not a 12-digit code). Does not allocate. */
int	policy_amount(const struct policies *ps, const struct policy *p,
	    const struct record *r, const struct expr_ctx *ctx,
	    const struct policy_amount **out);

/* "month", "year", "once"; and back (-1 when unknown). */
const char *policy_per_name(enum policy_per per);
int	policy_per_find(const char *name);

/* Loads the embedded policies.tsv and policy_amounts.tsv. */
int	policies_load_embedded(const struct catalog *cat,
	    struct policies **out, struct lf_error *err);

#endif

/*
 * budget.h - budgets by government level for what-if scenarios: who pays
 * (data/budget_shares.tsv), the split of a cost, and a three-year
 * projection. No I/O.
 *
 * Shares. Each row gives a policy (a code of policies.tsv, or "*"), a
 * region prefix (2..12 digits) and the percentages borne by the province,
 * the city and the county (integers 0..100 summing to 100). For a person
 * the rows of the policy (else of "*") whose region is the longest prefix
 * of the person's village apply. budget_split() gives the province
 * floor(cost * p / 100), the city floor(cost * c / 100) and the county the
 * rest, so the three always add up to the cost.
 *
 * A scenario is an expression (who qualifies), a policy code (whose
 * shares apply; "" = "*"), and an amount in fen per month, year or once
 * (the yearly cost of a person: amount * 12, or amount). budget_add()
 * takes one surveyed person and adds, for k = 0..BUDGET_YEARS, whether
 * the rule holds when the person is k years older (the survey's reference
 * date moved k years on, so age-bound rules let persons in and out), by
 * the person's region one level below the scenario's region and by
 * disability category.
 *
 * Projection model (documented in docs/insight.md): the registry grows by
 * the factor g = persons surveyed in the year / persons surveyed the year
 * before (1 when the year before has none); for year y + k, persons_k =
 * round(n_k * g^k) where n_k counts today's persons for whom the rule holds
 * k years on, and each level's cost is round(cost_k[level] * g^k), cost_k
 * the split of today's persons' costs k years on. Deaths and new entrants'
 * own profile are not modelled apart: new entrants are assumed to look
 * like today's registry.
 *
 * Errors: budget_shares_parse() returns -1 with err (code "budget_file",
 * message "file:line:column: why"); the rest cannot fail but for memory.
 */
#ifndef LF_CORE_BUDGET_H
#define LF_CORE_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "core/expr.h"
#include "core/policy.h"
#include "core/record.h"

#define BUDGET_YEARS	3	/* projected years after the survey year */
#define BUDGET_LEVELS	3	/* province, city, county */
#define BUDGET_CATS	8	/* disability category 1..7, 0 = unknown */
#define BUDGET_CHILDREN	512	/* regions one level down, at most */

struct budget_share {
	char		 policy[32];	/* "*" or a code */
	char		 region[13];
	int		 pct[BUDGET_LEVELS];
};

struct budget_shares {
	struct budget_share	*v;
	size_t			 n;
};

int	budget_shares_parse(const char *text, size_t len, const char *file,
	    const struct policies *ps, struct budget_shares **out,
	    struct lf_error *err);
/* The embedded data/budget_shares.tsv. */
int	budget_shares_load(const struct policies *ps,
	    struct budget_shares **out, struct lf_error *err);
void	budget_shares_free(struct budget_shares *b);

/* The row for policy ("" or NULL = "*") and the 12-digit village, or
 * NULL when none applies. */
const struct budget_share *budget_share_find(const struct budget_shares *b,
	    const char *policy, const char *village);
/* Splits cost (fen >= 0) by row (NULL: all to the province). */
void	budget_split(int64_t cost, const struct budget_share *row,
	    int64_t out[BUDGET_LEVELS]);

/* Totals of one year (k) of a scenario over some persons. */
struct budget_tot {
	int64_t		 persons;
	int64_t		 cost;			/* fen per year */
	int64_t		 level[BUDGET_LEVELS];	/* fen per year */
};

struct budget_child {
	char			 code[13];
	struct budget_tot	 t;		/* year 0 */
};

struct budget_scen {
	const struct expr	*e;
	const char		*policy;	/* "" = "*" */
	int64_t			 yearly;	/* fen per person per year */
	int			 child_len;	/* digits of a child region */
	struct budget_tot	 year[BUDGET_YEARS + 1];	/* unscaled */
	struct budget_tot	 cat[BUDGET_CATS];		/* year 0 */
	struct budget_child	 child[BUDGET_CHILDREN];
	size_t			 nchild;
};

/* Yearly fen per person for amount fen per `per` (enum policy_per). */
int64_t	budget_yearly(int64_t amount, int per);

/* Adds one person (survey r, village, year) to s. The category comes
 * from r's disability_category. 0, or -1 when there are more than
 * BUDGET_CHILDREN child regions (code "too_many"). */
int	budget_add(struct budget_scen *s, const struct budget_shares *b,
	    const struct record *r, const char *village, int year,
	    const struct expr_ctx *ctx, struct lf_error *err);

/* The catalog field of the disability category (-1 none), and a
 * record's category by it: 1..BUDGET_CATS-1, 0 when unset or unknown. */
int	budget_cat_field(const struct catalog *cat);
int	budget_cat_of(const struct record *r, int field);

/* The child region of s that village lies in, added when new; NULL
 * with err ("too_many") beyond BUDGET_CHILDREN. */
struct budget_child *budget_child_of(struct budget_scen *s,
	    const char *village, struct lf_error *err);

/* The evaluation context k years on: year + k, the reference date k
 * years later (29 February becomes 28 February). */
void	budget_ctx_years_on(const struct expr_ctx *ctx, int k,
	    struct expr_ctx *out);

/* The projection of year k (1..BUDGET_YEARS) from s->year[k] with the
 * registry's growth n_now / n_prev (see top). */
void	budget_project(const struct budget_scen *s, int k, int64_t n_now,
	    int64_t n_prev, struct budget_tot *out);

#endif

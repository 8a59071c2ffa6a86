/*
 * stats_wprog.h - a rule (core/expr.h) compiled over the engine's
 * columns, run on the persons of one village block at a time: the
 * evaluator of stats_whatif.h (which documents the method). Private to
 * stats/.
 *
 * wprog_compile() prepares the program for blocks of at most cap
 * persons: -1 with err "unsupported" (a test the engine cannot answer
 * exactly, named) or "no_memory"; free with wprog_free() either way.
 * wprog_base() sets the context without a survey date (a person's
 * reference date when fill_date is missing) the age tests read;
 * wprog_run() then returns one byte per person of the block, bit k set
 * where the rule holds k years on (at[k]: the village's context that
 * year: its year, village and disaster table; age + k), for k = 0..
 * BUDGET_YEARS: one pass over the block for the year and its projection.
 * The bytes are valid until the next run. Threads: one program per
 * thread.
 */
#ifndef LF_STATS_WPROG_H
#define LF_STATS_WPROG_H

#include "core/budget.h"
#include "core/expr.h"
#include "core/record.h"
#include "stats/stats_int.h"

/* How a test reads its column: a table by stored code, the exact value
 * person by person, or the code decoded person by person. */
enum wmode { W_LUT, W_EXACT, W_DECODE, W_AGE };

#define WAGES	256	/* ages -1..254 looked up, others evaluated */
#define WALL	((1u << (BUDGET_YEARS + 1)) - 1)	/* every year */
#define WEVAL	0x80u	/* amask: evaluate from the dates */

struct wstep {
	struct expr_step s;
	int		 k;		/* kept column of a test */
	enum wmode	 mode;
	unsigned char	*lut;		/* W_LUT: per stored value */
	signed char	*alut;		/* W_AGE: per age + 1; -1 = evaluate */
	unsigned char	 amask[WAGES];	/* W_AGE: years bits per age at the
					   survey's date + 1; WEVAL */
};

#define WMEMO	1024	/* remembered reference dates per year on */

struct wprog {
	const struct stats	*st;
	const struct expr	*e;
	struct wstep		*steps;
	size_t			 n, depth, cap;
	int			 ages;		/* some test reads age */
	int			 ctxdep;	/* the result may change with
						   the year (age, disaster) */
	int			 ref_k;		/* kept column of fill_date */
	struct record		*rec;		/* one field at a time */
	unsigned char		*stk;		/* depth rows of cap + 1 */
	struct expr_ctx		 base;		/* of wprog_base() */
	int			 mkey[(BUDGET_YEARS + 1) * WMEMO];
	int			 mval[(BUDGET_YEARS + 1) * WMEMO];
	unsigned char		 mset[(BUDGET_YEARS + 1) * WMEMO];
};

int	wprog_compile(struct wprog *p, const struct stats *st,
	    const struct expr *e, size_t cap, struct lf_error *err);
void	wprog_free(struct wprog *p);
/* Asks the processor for the first bytes of the block's columns the
 * program reads, ahead of wprog_run() (blocks are apart in memory). */
void	wprog_prefetch(const struct wprog *p, const struct stats_vblock *b);
void	wprog_base(struct wprog *p, const struct expr_ctx *ctx);
/* Puts stored value v of column c into r as core/record.h holds it (not
 * for banded columns: their code is no value). */
void	wprog_decode(const struct stats_col *c, uint64_t v, struct record *r);
const unsigned char *wprog_run(struct wprog *p, const struct stats_vblock *b,
	    const struct expr_ctx at[BUDGET_YEARS + 1]);

#endif

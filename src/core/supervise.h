/*
 * supervise.h - 精准监督: drawing a spot-check sample, and the precision
 * rates with their confidence intervals. Pure functions, no I/O.
 *
 * Sampling. A sample is drawn over the year's surveyed persons of a
 * region, each given with the township of their village and their
 * surveyor (the surveyor_name envelope item; see supervise/supervise.h). It is
 * stratified two ways:
 *   - by township: in each township of n persons, the ceil(rate * n)
 *     persons with the lowest draw keys are taken (so every township gets
 *     its share, at least one person);
 *   - by surveyor: every surveyor (township + name) who has fewer than
 *     min_per_surveyor persons taken then gets more, again by lowest key,
 *     until min(min_per_surveyor, the surveyor's persons) are taken.
 * A person's draw key is splitmix64(seed, person id): a deterministic
 * pseudo-random number that depends on nothing else, so the same seed,
 * parameters and persons give the same sample in any input order, and a
 * different seed another one. Re-checks: of the persons taken,
 * ceil(recheck_rate * taken) with the lowest second keys
 * (splitmix64(seed ^ SUP_RECHECK_SALT, id)) are marked for a second,
 * independent check.
 *
 * Rates. A rate is x of n; its 95% interval is the Wilson score interval
 * (z = 1.959964):
 *     centre = (p + z^2 / 2n) / (1 + z^2 / n)
 *     half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)
 * with p = x / n; [centre - half, centre + half]. Unlike p +- z sqrt(..)
 * it stays inside [0, 1] and is sound for small n and p near 1, which is
 * where precision rates live. n = 0 gives no rate (valid = 0).
 *
 * Below target: a surveyor (or region) is listed as far below target when
 * the upper bound of the 95% interval of their survey precision is under
 * the 90% target: even the most favourable reading of the checks does not
 * reach it.
 */
#ifndef LF_CORE_SUPERVISE_H
#define LF_CORE_SUPERVISE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define SUP_TARGET		0.90	/* each precision rate, >= */
#define SUP_Z95			1.959964
#define SUP_RECHECK_SALT	0x5EC0DC4ECCULL

/* One candidate person. township and surveyor are compared as strings
 * and must outlive the call. */
struct sup_person {
	int64_t		 id;		/* the person's row id */
	const char	*township;	/* township code */
	const char	*surveyor;	/* surveyor name ("" when unknown) */
};

struct sup_params {
	double		 rate;		/* share per township, (0, 1] */
	int		 min_per_surveyor;	/* 0.. */
	double		 recheck_rate;	/* share re-checked, [0, 1] */
	uint64_t	 seed;
};

/* The draw key of person id under seed (splitmix64). */
uint64_t	sup_key(uint64_t seed, int64_t id);

/*
 * Draws the sample of p among n persons (any order). On success *out is
 * an array (mem_alloc; the caller frees it with mem_free) of *nout
 * indexes into p of the persons taken, ascending by person id, and
 * recheck (when not NULL) an array of as many flags, 1 for a person marked
 * for a re-check (the caller frees it too). -1 with err: "invalid" (a
 * parameter out of range, err->field naming it) or "no_memory".
 */
int	sup_draw(const struct sup_person *p, size_t n,
	    const struct sup_params *prm, size_t **out, unsigned char **recheck,
	    size_t *nout, struct lf_error *err);

/* A rate x / n with its 95% Wilson interval. */
struct sup_rate {
	int64_t		 x, n;
	int		 valid;		/* n > 0 */
	double		 p, lo, hi;
};
void	sup_rate(int64_t x, int64_t n, struct sup_rate *out);
/* 1 when the interval's upper bound is below SUP_TARGET (valid only). */
int	sup_below_target(const struct sup_rate *r);

/* Counts of one group for the three rates. */
struct sup_counts {
	int64_t		 survey_ok, survey_n;	/* items right, checked */
	int64_t		 plan_ok, plan_n;	/* delivered items confirmed,
						   checked */
	int64_t		 sup_ok, sup_n;		/* checks on time and
						   consistent, checks due */
	int64_t		 tasks, done;		/* first checks, finished */
};

/* One row of a precision table: a region or a surveyor. */
#define SUP_KEY_MAX	160
struct sup_prec_row {
	char		 key[SUP_KEY_MAX];	/* region code, or
						   "township|surveyor" */
	char		 name[SUP_KEY_MAX];	/* for people */
	struct sup_counts c;
	struct sup_rate	 survey, plan, sup;
	int		 below;			/* survey upper bound < 90% */
};

/* The precision of a year and region: by_region[0] is the region itself,
 * then its children with checks; by_surveyor every surveyor. */
struct sup_precision {
	int			 year;
	char			 region[13];
	struct sup_prec_row	*by_region;
	size_t			 nregion;
	struct sup_prec_row	*by_surveyor;
	size_t			 nsurveyor;
};

/* Appends a row (rates computed from c) to by_region (surveyor 0) or
 * by_surveyor. -1 with "no_memory". */
int	sup_precision_add(struct sup_precision *p, int surveyor,
	    const char *key, const char *name, const struct sup_counts *c,
	    struct lf_error *err);
void	sup_precision_free(struct sup_precision *p);

#endif

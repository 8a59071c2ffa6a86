/*
 * stats_whatif.h - a what-if (who a rule reaches, what it costs and who
 * pays) over the statistics engine's persons in memory, instead of a scan
 * of the database: POST /api/v1/rules/simulate and /api/v1/budget.
 *
 * The rule is compiled into operations over the engine's per-item
 * columns (core/expr.h's program, step by step): each test becomes, for
 * the persons of one village at a time, a byte per person whose bit k
 * says whether it holds k years on (k = 0..BUDGET_YEARS: the year and
 * its projection in one pass); "not", "and", "or" combine those bytes;
 * disaster_region is one value per village and year. A test of an enum,
 * bool or multi item is a table lookup by the person's stored code, the
 * table filled by running the very test of core/expr.c on each possible
 * value (so a missing value, a set of codes, a range mean exactly what
 * they mean for a survey record); a test of an int, money, decimal or
 * date item reads the exact value the engine keeps beside the band
 * (stats_int.h) and runs the same test person by person; a test of age
 * reads the engine's age column (the age at the survey's reference date,
 * fill_date else 1 July, computed at load by core/expr.c's date_age())
 * and looks the bits of every year up in a table by age (filled by the
 * same test on dates exactly that many years apart; k years on, for the
 * projection (core/budget.h), the age is that age plus k); persons whose
 * reference date is 29 February, or whose age the table does not hold,
 * are computed from the dates as core/expr.c does. The totals are then counted per village:
 * persons, yearly cost, the province / city / county shares of the
 * village's sharing row, by region one level below `in` and by
 * disability category, for the year and BUDGET_YEARS years on; added
 * into s exactly as core/budget.h's budget_add() adds person by person
 * from the scan (the unit test compares the two on a seeded population).
 *
 * Not evaluated here (err code "unsupported", message naming the item;
 * the caller then scans the database): a test of a secret item (ID,
 * phone, certificate: the engine does not hold them), a comparison of
 * the text of a text or region item (the engine holds only whether it
 * is filled). Persons counted: every person held in a village of `in`
 * with the year's survey, whatever their status (as the scan: surveys
 * joined to persons by region).
 *
 * Errors: -1 with err: "unsupported" (above), "no_memory", "too_many"
 * (more than BUDGET_CHILDREN child regions), "invalid" (in is not a
 * region of the engine's table). Threads: reads st only (the caller
 * holds it for reading).
 */
#ifndef LF_STATS_WHATIF_H
#define LF_STATS_WHATIF_H

#include <stdint.h>

#include "core/budget.h"
#include "core/region.h"
#include "lib/error.h"
#include "stats/stats.h"

struct disaster;

struct stats_whatif {
	int64_t		 surveys;	/* persons with the year's survey */
	int64_t		 first[BUDGET_CHILDREN];	/* per s->child: the
						   smallest person id for
						   whom the rule holds */
};

/* Evaluates s->e over the persons of region in for the engine's year and
 * years = 0..BUDGET_YEARS years on, adding into s (b: sharing rows, NULL
 * = all to the province; dis may be NULL). out is filled. */
int	stats_whatif_run(const struct stats *st, const struct region *in,
	    const struct disaster *dis, const struct budget_shares *b,
	    struct budget_scen *s, int years, struct stats_whatif *out,
	    struct lf_error *err);

#endif

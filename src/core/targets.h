/*
 * targets.h - registration (入库) targets by region and year, from
 * data/targets.tsv: the province's target of the speech (入库 above 3.5
 * million) and each city's and county's yearly base. The statistics
 * show a region's registered persons against its row (stats.h: the KPI
 * columns reg_target and reg_target_bp).
 *
 * File format: TSV with the header
 *   region	year	registered	note
 * region a code of 2, 4 or 6 digits (province, city, county), year
 * 1949..2100, registered the target count 1..10^9, note free text. One
 * row per region and year. Lines starting with '#' and empty lines are
 * ignored.
 *
 * A table is immutable once parsed and may be read from many threads;
 * targets_builtin() parses the built-in file once (thread-safe) and keeps
 * it for the life of the process.
 *
 * Errors: -1 with err, code "targets_file", naming filename:line and the
 * column (a bad code, year or count, a repeated region and year, a
 * missing column), or "no_memory".
 */
#ifndef LF_CORE_TARGETS_H
#define LF_CORE_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct target_row {
	char		 region[7];
	int		 year;
	int64_t		 registered;
};

struct targets {
	struct target_row	*v;	/* sorted by region, then year */
	size_t			 n;
};

/* Parses len bytes of TSV. The caller frees *out with targets_free(). */
int	targets_parse(const char *text, size_t len, const char *filename,
	    struct targets **out, struct lf_error *err);
void	targets_free(struct targets *t);

/* The target of region (its code as written) in year, or 0 when there is
 * none. t may be NULL. */
int64_t	targets_get(const struct targets *t, const char *region, int year);

/* The built-in data/targets.tsv, parsed on first use; NULL (with err)
 * when it does not parse, which the unit tests rule out. */
const struct targets *targets_builtin(struct lf_error *err);

#endif

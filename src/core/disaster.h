/*
 * disaster.h - the table of disaster areas (data/disaster_regions.tsv):
 * regions where post-disaster reconstruction (灾后重建) policies apply in
 * given years. The rule language's derived name disaster_region asks it.
 *
 * File format: TSV with the header
 *   region	from_year	to_year	event_zh	event_en
 * region a region code of 2..12 digits (a prefix of the villages it
 * covers), years inclusive (1949..2100, from <= to). Lines starting with
 * '#' and empty lines are ignored.
 *
 * A table is immutable once parsed and may be read from many threads.
 */
#ifndef LF_CORE_DISASTER_H
#define LF_CORE_DISASTER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct disaster_area {
	char		 region[13];
	int		 from_year, to_year;
	const char	*event_zh;
	const char	*event_en;
};

struct disaster {
	struct disaster_area	*v;
	size_t			 n;
	char			*text;		/* private */
};

/* Parses len bytes of TSV (copied). On error -1 with err naming
 * filename:line and the column (code "disaster_file"); *out untouched.
 * The caller frees *out with disaster_free(). */
int	disaster_parse(const char *text, size_t len, const char *filename,
	    struct disaster **out, struct lf_error *err);
void	disaster_free(struct disaster *d);

/* The first area that holds village (12 digits) in year, or NULL. d may
 * be NULL. */
const struct disaster_area *disaster_find(const struct disaster *d,
	    int64_t village, int year);

#endif

/*
 * embedded.h - the data files built into the binary.
 *
 * data/catalog.tsv, data/policies.tsv, data/quality_rules.tsv,
 * data/targets.tsv,
 * data/regions-sichuan.tsv and
 * data/regions-china-counties.tsv (every province, city and county of
 * China, for ID number address codes) are linked into liangfu at build
 * time (embedded_data.S), so the program needs no data directory at run
 * time. The bytes are read-only and not terminated.
 */
#ifndef LF_CORE_EMBEDDED_H
#define LF_CORE_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char	*name;		/* "data/catalog.tsv" */
	const char	*data;
	size_t		 len;
};

/* Fills *out with the file of that name: 0, or -1 when there is none. */
int	embedded_get(const char *name, struct embedded_file *out);

#endif

/*
 * region.h - the administrative hierarchy (province > city > county >
 * township > village), from data/regions-sichuan.tsv (columns code, parent,
 * level, name; codes of 2/4/6/9/12 digits by level).
 *
 * Every region is known by its code padded to 12 digits plus its level, so
 * "is village V inside region R" is one division: V and R agree on R's
 * leading digits. Lookup by code is a hash probe. The table is immutable
 * once parsed and may be shared between threads.
 */
#ifndef LF_CORE_REGION_H
#define LF_CORE_REGION_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

enum region_level {
	RL_PROVINCE, RL_CITY, RL_COUNTY, RL_TOWNSHIP, RL_VILLAGE
};

struct region {
	int64_t		 code12;	/* padded to 12 digits */
	char		 code[13];	/* as written: 2..12 digits */
	enum region_level level;
	int		 parent;	/* index, -1 for the root */
	int		 first_child;	/* index or -1 */
	int		 next_sibling;	/* index or -1 */
	int		 nchildren;
	const char	*name;
};

struct regions {
	struct region	*v;
	size_t		 n;
	/* private */
	char		*text;
	int		*hash;
	size_t		 hashsize;
};

/* Parses the TSV (header "code parent level name"). Every parent must be
 * listed before its children and be one level up; codes must have the
 * length of their level and extend the parent's code. On error -1 with
 * file:line:column in err. Caller frees *out with regions_free(). */
int	regions_parse(const char *text, size_t len, const char *filename,
	    struct regions **out, struct lf_error *err);
void	regions_free(struct regions *rs);

/* The region with this code (2..12 digits, as written), or NULL. */
const struct region *regions_find(const struct regions *rs, const char *code);
/* The region with this 12-digit padded code and level, or NULL. */
const struct region *regions_find12(const struct regions *rs, int64_t code12,
	    enum region_level level);
/* 1 when the village (12-digit code) lies inside r (or is r). */
int	region_contains(const struct region *r, int64_t village12);
/* Number of digits a level's code has (2, 4, 6, 9, 12). */
int	region_level_digits(enum region_level level);
const char *region_level_name(enum region_level level);

#endif

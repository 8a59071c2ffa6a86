/*
 * import.h - CSV import of surveys, callable from the CLI and from tests.
 *
 * The file's first row names the columns: 年度 (year), 人员状态 (person
 * status, optional: 1 在册, 2 迁出, 3 死亡) and every catalog item, by
 * Chinese label or code, in any order; an unknown, repeated or missing
 * column is an error at line 1. Each later row becomes one survey through
 * store_survey_put(), with full validation. The same ID number twice for
 * the same year in one file is an error naming both lines.
 *
 * All-or-nothing: the whole file is one transaction; the first bad row
 * stops the import, rolls everything back and is reported as
 * FILE:LINE:COLUMN: why. With a reject file, bad rows are written there
 * (the row plus a column 错误 with the reason) and the good rows are
 * committed; the reject file appears only when complete.
 */
#ifndef LF_CLI_IMPORT_H
#define LF_CLI_IMPORT_H

#include <stdint.h>

#include "cli/cli.h"
#include "lib/error.h"

struct import_opts {
	const char	*path;		/* the CSV file */
	const char	*rejects;	/* NULL = all-or-nothing */
	int		 encoding;	/* enum csv_encoding */
	int		 progress;	/* show a progress bar when on a tty */
	int		 today;		/* days; 0 = the clock's */
	/* the national county list: ID numbers whose address code is not
	 * in it are counted (old codes of abolished counties stay valid,
	 * so this warns and never refuses); NULL = no check */
	const struct regions *counties;
};

struct import_stats {
	uint64_t	 rows;
	uint64_t	 new_persons;
	uint64_t	 new_surveys;
	uint64_t	 updated;
	uint64_t	 unchanged;
	uint64_t	 rejected;
	uint64_t	 unknown_id_region;	/* address code not listed */
	unsigned long	 unknown_id_line;	/* the first such row */
};

/* 0 on success (stats filled), -1 with err when nothing was imported. */
int	import_csv(struct store *s, const struct catalog *cat,
	    const struct import_opts *o, struct import_stats *st,
	    struct lf_error *err);

#endif

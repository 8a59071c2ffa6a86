/*
 * import.h - CSV import of surveys, callable from the CLI and from tests.
 *
 * The file's first row names the columns: 年度 (year), 人员状态 (person
 * status, optional: 1 在册, 2 迁出, 3 死亡), 变更原因 (change_reason,
 * optional: the reason a row that changes the person's disability
 * category or grade needs, store.h's store_prep_reason(); such a row
 * without one is refused at the item's column) and every catalog item, by
 * Chinese label or code, in any order; an unknown, repeated or missing
 * column is an error at line 1, except that the columns of items the
 * client sets itself (catalog group "auto": the survey form's clock) may
 * be left out, so files written before those items existed still import
 * (their items are then unset). Each later row becomes one survey through
 * store_survey_put(), with full validation. The same ID number twice for
 * the same year in one file is an error naming both lines.
 *
 * All-or-nothing: the whole file is one transaction; the first bad row
 * stops the import, rolls everything back and is reported as
 * FILE:LINE:COLUMN: why. With a reject file, bad rows are written there
 * (the row plus a column 错误 with the reason) and the good rows are
 * committed; the reject file appears only when complete.
 *
 * A row counts as updated when its survey or its person row (人员状态,
 * name, region...) changed, unchanged when neither did. The caller runs
 * the data-quality rules over import_stats' years and region afterwards
 * (cli/cmd_import.c), as a single write re-checks its person.
 */
#ifndef LF_CLI_IMPORT_H
#define LF_CLI_IMPORT_H

#include <stdint.h>

#include "lib/error.h"
#include "store/store.h"

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
	/* who imports, for the audit log and the history (the CLI's
	 * "cli:USER"); NULL = "import" */
	const char	*actor;
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
	/* what the new and updated rows touched, for the data-quality
	 * re-check: years year_lo..year_hi (0 when none), and the region
	 * holding every such person's registered village (a code of 0, 2,
	 * 4, 6, 9 or 12 digits; "" = the whole province) */
	int		 year_lo, year_hi;
	char		 region[13];
};

/* 0 on success (stats filled), -1 with err when nothing was imported. */
int	import_csv(struct store *s, const struct catalog *cat,
	    const struct import_opts *o, struct import_stats *st,
	    struct lf_error *err);

#endif

/*
 * export.h - write a year's surveys as CSV, the layout import reads.
 *
 * UTF-8 with a BOM and the catalog's Chinese headers (年度, 人员状态, then
 * every item), values in their canonical text form, rows in the order
 * persons were registered. The file is written as FILE.tmp and renamed
 * into place when complete, so an interrupted export leaves no
 * half-written FILE.
 */
#ifndef LF_CLI_EXPORT_H
#define LF_CLI_EXPORT_H

#include <stdint.h>

#include "cli/cli.h"

/* Surveys of `year` of persons inside `in` (NULL = all) to `file`.
 * 0 with *rows set, or -1 with err (no file left behind). */
int	export_csv(struct store *s, const struct catalog *cat, int year,
	    const struct region *in, const char *file, int progress,
	    uint64_t *rows, struct lf_error *err);

/*
 * The service items of `year` (plans of persons inside `in`, NULL = all)
 * to `file`, one row each: the person's masked ID number and name, the
 * village, the policy and its 五个一批 batch, the needs, and the five
 * elements, under Chinese headers; amounts in yuan with two decimals.
 * Written like export_csv(): FILE.tmp renamed when complete.
 */
int	export_items_csv(struct store *s, const struct regions *regions,
	    const struct policies *ps, int year, const struct region *in,
	    const char *file, int progress, uint64_t *rows,
	    struct lf_error *err);

#endif

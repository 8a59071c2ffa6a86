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

#endif

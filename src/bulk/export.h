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
#include <stdio.h>

#include "core/policy.h"
#include "store/store.h"

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

/*
 * Shared by the exports: export_open() opens file.tmp (its name into tmp,
 * len bytes) for writing, NULL with "io"; export_finish() closes fp
 * (synced) and, when rc is 0, renames tmp over file, else removes tmp.
 * export_finish() returns 0, or -1 (err set unless rc had set it).
 */
FILE	*export_open(const char *file, char *tmp, size_t len,
	    struct lf_error *err);
int	export_finish(FILE *fp, const char *tmp, const char *file, int rc,
	    struct lf_error *err);

#endif

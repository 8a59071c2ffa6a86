/*
 * budget_xlsx.h - what-if scenarios side by side in one workbook
 * (libxlsxwriter): sheet "方案对比" compares every scenario's persons and
 * yearly cost split into province / city / county shares, this year and
 * the three projected years (core/budget.h); then one sheet per scenario
 * with the breakdown by region one level down and by disability
 * category. Money in 元 (#,##0.00). Written to path.tmp and renamed.
 */
#ifndef LF_IO_BUDGET_XLSX_H
#define LF_IO_BUDGET_XLSX_H

#include "core/budget.h"
#include "lib/error.h"
#include "core/region.h"

struct budget_view {
	const char		*name;		/* the scenario's */
	const char		*expression;
	const struct budget_scen *s;
	struct budget_tot	 proj[BUDGET_YEARS + 1];	/* [0] = now */
};

int	budget_xlsx_write(const struct budget_view *v, size_t n, int year,
	    const struct region *in, const struct regions *rs,
	    const char *path, struct lf_error *err);

#endif

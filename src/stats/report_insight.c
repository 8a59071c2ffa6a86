/*
 * report_insight.c - the reconciliation section of the reports
 * (report_insight.h).
 */
#include "stats/report_insight.h"

#include <string.h>

#include "lib/mem.h"
#include "store/recon.h"

int
report_insight_add(struct report *r, struct store *s, struct lf_error *err)
{
	struct report_table *nv;
	struct stats_table t;

	if (recon_table(s, r->in, &t, err) != 0)
		return -1;
	nv = mem_realloc(r->tables, (r->ntables + 1) * sizeof(*nv));
	if (nv == NULL) {
		stats_table_free(&t);
		return lf_error_nomem(err);
	}
	r->tables = nv;
	memset(&nv[r->ntables], 0, sizeof(nv[0]));
	nv[r->ntables].kind = RK_NEED;
	nv[r->ntables].key = "recon";
	nv[r->ntables].title = "比对核查任务(未关闭)";
	nv[r->ntables].t = t;
	r->ntables++;
	return 0;
}

/*
 * planner_ctx.c - the evaluation context of one survey (planner.h).
 */
#include "plan/planner.h"

#include <stdlib.h>
#include <string.h>

#include "lib/date.h"

void
planner_ctx(const struct record *r, int year, const char *village,
    const struct disaster *dis, struct expr_ctx *ctx)
{
	const struct field *f = catalog_find(r->cat, "fill_date", 9);
	char *end;
	long long v;

	memset(ctx, 0, sizeof(*ctx));
	ctx->year = year;
	ctx->disaster = dis;
	if (f != NULL && r->set[f->index])
		ctx->ref_days = (int)r->num[f->index];
	else if (date_from_ymd(year, 7, 1, &ctx->ref_days) != 0)
		ctx->ref_days = 0;
	v = village != NULL ? strtoll(village, &end, 10) : 0;
	if (village != NULL && strlen(village) == 12 && *end == '\0')
		ctx->village = v;
}

/*
 * planner_ctx.c - the evaluation context of one survey (planner.h).
 */
#include "plan/planner.h"

#include <stdlib.h>
#include <string.h>

#include "lib/date.h"

int
planner_ref_field(const struct catalog *cat)
{
	const struct field *f = catalog_find(cat, "fill_date", 9);

	return f != NULL ? f->index : -1;
}

void
planner_ctx(const struct record *r, int year, const char *village,
    const struct disaster *dis, struct expr_ctx *ctx)
{
	int f = planner_ref_field(r->cat);
	char *end;
	long long v;

	memset(ctx, 0, sizeof(*ctx));
	ctx->year = year;
	ctx->disaster = dis;
	if (f >= 0 && r->set[f])
		ctx->ref_days = (int)r->num[f];
	else if (date_from_ymd(year, 7, 1, &ctx->ref_days) != 0)
		ctx->ref_days = 0;
	v = village != NULL ? strtoll(village, &end, 10) : 0;
	if (village != NULL && strlen(village) == 12 && *end == '\0')
		ctx->village = v;
}

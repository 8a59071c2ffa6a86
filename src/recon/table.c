/*
 * table.c - the open reconciliation tasks as a statistics table
 * (recon.h's recon_table): one row for the region and one for each of its
 * children, one column per finding, counted by store/recon_rows.h.
 */
#include "recon/recon.h"

#include <string.h>

#include "lib/mem.h"
#include "stats/stats.h"

struct tctx {
	struct stats_table	*t;
	const struct region	*in;
};

static int
on_table_count(void *arg, const char *region, const char *finding,
    int64_t n)
{
	struct tctx *c = arg;
	int f = recon_finding_find(finding);
	size_t i;

	if (f < 0)
		return 0;
	c->t->rows[0].v[f] += n;
	for (i = 1; i < c->t->nrows; i++)
		if (strncmp(c->t->rows[i].region->code, region,
		    strlen(c->t->rows[i].region->code)) == 0) {
			c->t->rows[i].v[f] += n;
			break;
		}
	return 0;
}

int
recon_table(struct store *s, const struct region *in,
    struct stats_table *out, struct lf_error *err)
{
	const struct regions *all = store_regions(s);
	const struct region *rs = all ? all->v : NULL;
	struct tctx c = { out, in };
	size_t nrows = 1, size, i;
	int ch;

	memset(out, 0, sizeof(*out));
	if (rs == NULL)
		return lf_error_set(err, "invalid", "region", "没有区划表 (no "
		    "region table)");
	for (ch = in->first_child; ch >= 0; ch = rs[ch].next_sibling)
		nrows++;
	size = nrows * NRFINDINGS * sizeof(int64_t) + nrows *
	    sizeof(*out->rows) + 2 * NRFINDINGS * sizeof(char *);
	if ((out->cells = mem_calloc(1, size)) == NULL)
		return lf_error_nomem(err);
	out->rows = (struct stats_row *)(void *)(out->cells + nrows *
	    NRFINDINGS);
	out->col_code = (const char **)(void *)(out->rows + nrows);
	out->col_label = out->col_code + NRFINDINGS;
	for (i = 0; i < NRFINDINGS; i++) {
		out->col_code[i] = recon_finding_code((int)i);
		out->col_label[i] = recon_finding_zh((int)i);
	}
	out->ncols = NRFINDINGS;
	out->nrows = nrows;
	out->rows[0].region = in;
	for (i = 1, ch = in->first_child; ch >= 0; ch = rs[ch].next_sibling)
		out->rows[i++].region = &rs[ch];
	for (i = 0; i < nrows; i++)
		out->rows[i].v = out->cells + i * NRFINDINGS;
	if (recon_counts(s, in, on_table_count, &c, err) != 0) {
		stats_table_free(out);
		return -1;
	}
	return 0;
}

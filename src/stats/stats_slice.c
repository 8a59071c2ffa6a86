/*
 * stats_slice.c - running totals per county and per value of a few
 * pivot items, so that a report filtered on one of them reads totals
 * instead of scanning the persons (see "Slices" in stats_int.h).
 *
 * The pivots are the items reports are usually filtered by: sex, age
 * (birth date's bands), disability category and grade, hukou, card and
 * self-care. Each is a one-byte item with at most a dozen values, so a
 * county's slice is about 31 blocks of the counter layout (5-6 KB each
 * with this catalog): 31 MB for the province's 183 counties. A person
 * change updates one block per pivot of its county, through the same
 * per-person code as the other totals (stats_acc.c).
 */
#include <string.h>

#include "lib/mem.h"
#include "stats/stats_int.h"

static const char *const pivots[STATS_NPIV] = { "gender", "birth_date",
	"disability_category", "disability_grade", "hukou_type",
	"card_status", "self_care_ability" };

static size_t
block_bytes(const struct stats *st)
{
	return st->nmoney * sizeof(int64_t) + st->ncnt * sizeof(int32_t);
}

static void
block_acc(const struct stats *st, unsigned char *slice, size_t j,
    struct stats_acc *a)
{
	unsigned char *p = slice + j * block_bytes(st);

	a->money = (int64_t *)(void *)p;
	a->cnt = (int32_t *)(void *)(p + st->nmoney * sizeof(int64_t));
}

/* The pivots' columns and blocks. */
static void
init_pivots(struct stats *st)
{
	const struct field *f;
	const struct stats_col *c;
	size_t p;

	st->npivb = 0;
	for (p = 0; p < STATS_NPIV; p++) {
		st->piv_k[p] = -1;
		f = catalog_find(st->cat, pivots[p], strlen(pivots[p]));
		if (f == NULL || st->col_of[f->index] < 0)
			continue;
		c = &st->cols[st->col_of[f->index]];
		if (c->width != 1 || c->kind == SK_MULTI ||
		    c->kind == SK_FILLED || c->ncols == 0 || c->ncols > 64)
			continue;
		st->piv_k[p] = st->col_of[f->index];
		st->piv_first[p] = st->npivb;
		st->npivb += c->ncols;
	}
	st->slicebytes = st->npivb * block_bytes(st);
}

/* Each village's county, and the counties in village order. */
static int
init_counties(struct stats *st)
{
	const struct regions *rs = st->rs;
	size_t v, n = 0;
	int r;

	st->vcounty = mem_alloc((st->nvill + 1) * sizeof(int32_t));
	st->nocounty = mem_alloc((st->nvill + 1) * sizeof(int32_t));
	st->counties = mem_alloc((rs->n + 1) * sizeof(int32_t));
	st->slice = mem_calloc(rs->n + 1, sizeof(*st->slice));
	if (st->vcounty == NULL || st->counties == NULL || st->slice == NULL ||
	    st->nocounty == NULL)
		return -1;
	st->nocounty[0] = 0;
	for (v = 0; v < st->nvill; v++) {
		st->vcounty[v] = -1;
		for (r = rs->v[st->vreg[v]].parent; r >= 0; r = rs->v[r].parent)
			if (rs->v[r].level == RL_COUNTY) {
				st->vcounty[v] = r;
				break;
			}
		st->nocounty[v + 1] = st->nocounty[v] + (st->vcounty[v] < 0);
		if (st->vcounty[v] >= 0 && (n == 0 ||
		    st->counties[n - 1] != st->vcounty[v]))
			st->counties[n++] = st->vcounty[v];
	}
	st->ncounties = n;
	return 0;
}

int
stats_slice_init(struct stats *st)
{
	init_pivots(st);
	return init_counties(st);
}

void
stats_slice_free(struct stats *st)
{
	size_t r;

	for (r = 0; st->slice != NULL && r < st->rs->n; r++)
		mem_free(st->slice[r]);
	mem_free(st->slice);
	mem_free(st->vcounty);
	mem_free(st->nocounty);
	mem_free(st->counties);
}

int
stats_slice_ensure(struct stats *st, int r)
{
	if (st->rs->v[r].level != RL_COUNTY || st->slice[r] != NULL ||
	    st->npivb == 0)
		return 0;
	if ((st->slice[r] = mem_calloc(1, st->slicebytes)) == NULL)
		return -1;
	st->nslice++;
	return 0;
}

void
stats_slice_release(struct stats *st, int r)
{
	if (st->slice[r] == NULL)
		return;
	mem_free(st->slice[r]);
	st->slice[r] = NULL;
	st->nslice--;
}

size_t
stats_slice_accs(const struct stats *st, int32_t v,
    const struct stats_vblock *b, size_t i, struct stats_acc *acc)
{
	int32_t c = st->vcounty[v];
	size_t p, n = 0;
	uint64_t val;

	if (c < 0 || st->slice[c] == NULL)
		return 0;
	for (p = 0; p < STATS_NPIV; p++) {
		if (st->piv_k[p] < 0)
			continue;
		val = stats_get(st, b, (size_t)st->piv_k[p], i);
		if (val == 0)		/* no value: passes no filter */
			continue;
		block_acc(st, st->slice[c], st->piv_first[p] + val - 1,
		    &acc[n++]);
	}
	return n;
}

int
stats_slice_covers(const struct stats *st, int r)
{
	return st->npivb > 0 && st->rs->v[r].level <= RL_COUNTY &&
	    st->nocounty[st->vhi[r]] == st->nocounty[st->vlo[r]];
}

int
stats_slice_pivot(const struct stats *st, size_t nqf,
    const struct stats_qfilter *qf)
{
	const struct stats_col *c;
	int p;

	if (nqf != 1 || qf->width != 1 || qf->multi)
		return -1;
	for (p = 0; p < STATS_NPIV; p++) {
		if (st->piv_k[p] < 0)
			continue;
		c = &st->cols[st->piv_k[p]];
		if (c->pos == qf->pos)
			return p;
	}
	return -1;
}

static void
add_block(const struct stats *st, const unsigned char *slice, size_t j,
    struct stats_acc *acc)
{
	struct stats_acc b;
	size_t i;

	block_acc(st, (unsigned char *)(uintptr_t)slice, j, &b);
	for (i = 0; i < st->ncnt; i++)
		acc->cnt[i] += b.cnt[i];
	for (i = 0; i < st->nmoney; i++)
		acc->money[i] += b.money[i];
}

void
stats_slice_region(const struct stats *st, int r, int p,
    const struct stats_qfilter *qf, struct stats_acc *acc)
{
	const struct stats_col *c = &st->cols[st->piv_k[p]];
	size_t k, v;
	int32_t cr;

	memset(acc->cnt, 0, st->ncnt * sizeof(int32_t));
	memset(acc->money, 0, st->nmoney * sizeof(int64_t));
	for (k = 0; k < st->ncounties; k++) {
		cr = st->counties[k];
		if (st->vlo[cr] < st->vlo[r] || st->vhi[cr] > st->vhi[r] ||
		    st->slice[cr] == NULL)
			continue;
		for (v = 1; v <= c->ncols; v++)
			if (qf->ok[v])
				add_block(st, st->slice[cr],
				    st->piv_first[p] + v - 1, acc);
	}
}

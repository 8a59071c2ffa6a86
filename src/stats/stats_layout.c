/*
 * stats_layout.c - making and freeing a struct stats: which catalog items
 * are kept and how they are coded, the person columns, the counter
 * layout and the numbering of villages (see stats_int.h).
 */
#include <assert.h>
#include <string.h>

#include "lib/date.h"
#include "core/dept.h"
#include "lib/mem.h"
#include "plan/planner.h"
#include "stats/stats_int.h"

static size_t
width_bits(size_t bits)
{
	if (bits <= 8)
		return 1;
	if (bits <= 16)
		return 2;
	return bits <= 32 ? 4 : 8;
}

static void
col_kind(struct stats_col *c)
{
	const struct field *f = c->f;
	size_t i;

	c->width = 1;
	memset(c->midx, -1, sizeof(c->midx));
	switch (f->type) {
	case FT_ENUM:
		c->kind = SK_ENUM;
		c->ncols = f->noptions;
		assert(f->noptions <= 255);	/* catalog.c: index + 1 fits */
		c->codebits = 1;
		for (i = 0; i < f->noptions; i++)
			if (f->options[i].code < 0 || f->options[i].code > 63)
				c->codebits = 0;
		break;
	case FT_BOOL:
		c->kind = SK_BOOL;
		c->ncols = 2;
		break;
	case FT_MULTI:
		c->kind = SK_MULTI;
		c->ncols = f->noptions;
		c->width = width_bits(f->noptions + 1);
		for (i = 0; i < f->noptions; i++)
			if (f->options[i].code >= 0 && f->options[i].code < 63)
				c->midx[f->options[i].code] = (signed char)i;
		break;
	case FT_INT: case FT_MONEY: case FT_DECIMAL: case FT_DATE:
		c->kind = SK_BAND;
		break;
	default:
		c->kind = SK_FILLED;
		c->ncols = 1;
	}
}

static int
layout_fields(struct stats *st)
{
	const struct catalog *cat = st->cat;
	size_t i, k = 0;

	st->col_of = mem_alloc(cat->nfields * sizeof(int));
	st->need_of = mem_alloc(cat->nfields * sizeof(int));
	st->need_field = mem_alloc((cat->nneed + 1) * sizeof(int));
	st->cols = mem_calloc(cat->nfields, sizeof(*st->cols));
	if (st->col_of == NULL || st->need_of == NULL ||
	    st->need_field == NULL || st->cols == NULL)
		return -1;
	st->card_col = -1;
	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];

		st->need_of[i] = -1;
		if (f->section == SEC_NEED && st->nneed < cat->nneed) {
			st->need_of[i] = (int)st->nneed;
			st->need_field[st->nneed++] = (int)i;
		}
		st->col_of[i] = -1;
		if (f->secret)
			continue;
		st->cols[k].f = f;
		col_kind(&st->cols[k]);
		if (strcmp(f->code, "card_status") == 0 && f->type == FT_ENUM &&
		    field_option(f, 1) != NULL) {
			st->card_col = (int)k;
			st->card_valid = (uint64_t)(field_option(f, 1) -
			    f->options) + 1;
		}
		st->col_of[i] = (int)k++;
	}
	st->ncols = k;
	st->nw = (st->nneed + 63) / 64;
	return stats_bands_init(st);
}

static void
add_pcol(struct stats *st, size_t width, size_t *pos)
{
	st->pcols[st->npcols].pos = st->rowbytes;
	st->pcols[st->npcols].width = width;
	st->npcols++;
	*pos = st->rowbytes;
	st->rowbytes += width;
}

/* The kept birth_date and fill_date columns when the age column can be
 * derived from them (stats_int.h), else age_k = -1. */
static void
age_columns(struct stats *st)
{
	const struct field *b = catalog_find(st->cat, "birth_date", 10);
	int r = planner_ref_field(st->cat);

	st->age_k = b != NULL ? st->col_of[b->index] : -1;
	st->aref_k = r >= 0 ? st->col_of[r] : -1;
	if (st->age_k >= 0 && (st->cols[st->age_k].kind != SK_BAND ||
	    (st->aref_k >= 0 && st->cols[st->aref_k].kind != SK_BAND)))
		st->age_k = -1;
}

/* Person columns, widest first (see stats_int.h). */
static int
layout_persons(struct stats *st)
{
	static const size_t widths[] = { 8, 4, 2, 1 };
	size_t w, k;

	age_columns(st);
	st->pcols = mem_calloc(2 * st->ncols + 5, sizeof(*st->pcols));
	if (st->pcols == NULL)
		return -1;
	add_pcol(st, 8, &st->pos_id);
	for (k = 0; k < st->ncols; k++)
		if (st->cols[k].kind == SK_BAND)
			add_pcol(st, 8, &st->cols[k].xpos);
	if (st->nw > 0)
		add_pcol(st, 8 * st->nw, &st->pos_yes);
	for (w = 0; w < 4; w++) {
		if (widths[w] == 4)
			add_pcol(st, 4, &st->pos_items);
		if (widths[w] == 2 && st->age_k >= 0)
			add_pcol(st, 2, &st->pos_age);
		for (k = 0; k < st->ncols; k++)
			if (st->cols[k].width == widths[w])
				add_pcol(st, widths[w], &st->cols[k].pos);
	}
	add_pcol(st, 1, &st->pos_flags);
	return 0;
}

static void
sec_add(struct stats *st, enum stats_secid s, size_t ncnt, size_t nmoney)
{
	st->sec[s].coff = st->ncnt;
	st->sec[s].ncnt = ncnt;
	st->sec[s].moff = st->nmoney;
	st->sec[s].nmoney = nmoney;
	st->ncnt += ncnt;
	st->nmoney += nmoney;
}

static void
layout_counters(struct stats *st)
{
	size_t k, n = 0, np = st->ps->n;

	for (k = 0; k < st->ncols; k++) {
		if (st->cols[k].kind == SK_BAND)
			st->cols[k].ncols = st->cols[k].nbands;
		st->cols[k].coff = n;
		n += st->cols[k].ncols + 1;
	}
	st->ndept = dept_count();
	sec_add(st, SS_FIELDS, n, 0);
	sec_add(st, SS_KPI, SKPI_N, SKPIM_N);
	sec_add(st, SS_POLICY, 3 * np, 2 * np);
	sec_add(st, SS_BATCH, 3 * NBATCHES, 2 * NBATCHES);
	sec_add(st, SS_DEPT, 3 * st->ndept, 2 * st->ndept);
	sec_add(st, SS_NEED, 3 * st->nneed, 0);
	st->totbytes = sizeof(struct stats_tot) + st->nmoney * 8 +
	    st->ncnt * 4;
}

/* Numbers the villages under region r depth-first. */
static void
number_villages(struct stats *st, int r)
{
	const struct region *rg = &st->rs->v[r];
	int c;

	st->vlo[r] = (int32_t)st->nvill;
	if (rg->level == RL_VILLAGE)
		st->vreg[st->nvill++] = r;
	for (c = rg->first_child; c >= 0; c = st->rs->v[c].next_sibling)
		number_villages(st, c);
	st->vhi[r] = (int32_t)st->nvill;
}

static int
layout_regions(struct stats *st)
{
	size_t n = st->rs->n, i;

	st->vlo = mem_alloc((n + 1) * sizeof(int32_t));
	st->vhi = mem_alloc((n + 1) * sizeof(int32_t));
	st->vreg = mem_alloc((n + 1) * sizeof(int32_t));
	st->tot = mem_calloc(n + 1, sizeof(*st->tot));
	if (st->vlo == NULL || st->vhi == NULL || st->vreg == NULL ||
	    st->tot == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (st->rs->v[i].parent < 0)
			number_villages(st, (int)i);
	st->vb = mem_calloc(st->nvill + 1, sizeof(*st->vb));
	return st->vb == NULL ? -1 : 0;
}

struct stats *
stats_new(const struct catalog *cat, const struct regions *rs,
    const struct policies *ps, int year)
{
	struct stats *st;
	size_t k;

	st = mem_calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->cat = cat;
	st->rs = rs;
	st->ps = ps;
	st->year = year;
	if (date_from_ymd(year, 7, 1, &st->july1) != 0 ||
	    layout_fields(st) != 0 || layout_persons(st) != 0 ||
	    layout_regions(st) != 0)
		goto fail;
	layout_counters(st);
	if (stats_slice_init(st) != 0)
		goto fail;
	st->enc = mem_calloc(st->ncols + 1, sizeof(uint64_t));
	st->yes = mem_calloc(st->nw + 1, sizeof(uint64_t));
	st->xenc = mem_calloc(st->ncols + 1, sizeof(int64_t));
	if (st->enc == NULL || st->yes == NULL || st->xenc == NULL)
		goto fail;
	st->base_bytes = sizeof(*st) + cat->nfields * (sizeof(*st->cols) +
	    3 * sizeof(int)) + st->npcols * sizeof(*st->pcols) +
	    (rs->n + 1) * (3 * sizeof(int32_t) + sizeof(*st->tot)) +
	    (st->nvill + 1) * sizeof(*st->vb) + (st->ncols + st->nw + 2) * 8;
	for (k = 0; k < st->ncols; k++)
		st->base_bytes += st->cols[k].nbands *
		    (sizeof(struct stats_band) + STATS_LABEL_MAX);
	return st;
fail:
	stats_free(st);
	return NULL;
}

void
stats_free(struct stats *st)
{
	size_t v, i, k;

	if (st == NULL)
		return;
	for (v = 0; st->vb != NULL && v < st->nvill; v++) {
		mem_free(st->vb[v].pool);
		mem_free(st->vb[v].data);
	}
	for (i = 0; st->tot != NULL && i < st->rs->n; i++)
		mem_free(st->tot[i]);
	for (k = 0; st->cols != NULL && k < st->cat->nfields; k++)
		mem_free(st->cols[k].bands);
	stats_slice_free(st);
	mem_free(st->cols);
	mem_free(st->col_of);
	mem_free(st->need_of);
	mem_free(st->need_field);
	mem_free(st->pcols);
	mem_free(st->vlo);
	mem_free(st->vhi);
	mem_free(st->vreg);
	mem_free(st->vb);
	mem_free(st->tot);
	mem_free(st->loc);
	mem_free(st->enc);
	mem_free(st->xenc);
	mem_free(st->yes);
	mem_free(st);
}

int
stats_year(const struct stats *st)
{
	return st->year;
}

void
stats_size(const struct stats *st, int64_t *persons, int64_t *items,
    size_t *bytes)
{
	size_t v, n = st->base_bytes + st->item_bytes + st->ntot *
	    st->totbytes + st->nloc * sizeof(*st->loc) + st->nslice *
	    st->slicebytes;

	for (v = 0; v < st->nvill; v++)
		n += (size_t)st->vb[v].cap * st->rowbytes;
	if (persons != NULL)
		*persons = st->npersons;
	if (items != NULL)
		*items = st->nitems;
	if (bytes != NULL)
		*bytes = n;
}


/*
 * stats_acc.c - what one person adds to the statistics counters.
 *
 * The one definition of every count: the running totals (stats.c, with
 * s = -1 for a person's old state and +1 for the new one) and the scans
 * of filtered tables (stats_table.c) both call these functions, so the
 * two can only agree. Rules (stats.h): persons who are not active count
 * nowhere; item tables count surveyed persons; rejected items were never
 * stored; "done" is status done; a need is met only for a person who
 * answered it yes.
 */
#include "stats/stats_int.h"

static inline void
bump(struct stats_acc *a, size_t na, size_t idx, int32_t d)
{
	size_t j;

	for (j = 0; j < na; j++)
		a[j].cnt[idx] += d;
}

static inline void
bump_money(struct stats_acc *a, size_t na, size_t idx, int64_t d)
{
	size_t j;

	for (j = 0; j < na; j++)
		a[j].money[idx] += d;
}

void
stats_acc_field(const struct stats *st, size_t k, uint64_t v,
    struct stats_acc *a, size_t na, int32_t d)
{
	const struct stats_col *c = &st->cols[k];
	size_t bit;

	if (v == 0) {
		bump(a, na, c->coff + c->ncols, d);
		return;
	}
	if (c->kind != SK_MULTI) {
		bump(a, na, c->coff + (size_t)(v - 1), d);
		return;
	}
	for (bit = 0; bit < c->ncols; bit++)
		if (v & ((uint64_t)1 << bit))
			bump(a, na, c->coff + bit, d);
}

static void
acc_fields(const struct stats *st, const struct stats_vblock *b, size_t i,
    struct stats_acc *a, size_t na, int s)
{
	size_t k;

	for (k = 0; k < st->ncols; k++)
		stats_acc_field(st, k, stats_get(st, b, k, i), a, na, s);
}

static int64_t
funds(int16_t hi, uint32_t lo)
{
	return (int64_t)hi * ((int64_t)1 << 32) + (int64_t)lo;
}

static void
acc_kpi(const struct stats *st, const struct stats_vblock *b, size_t i,
    const struct stats_pitems *p, struct stats_acc *a, size_t na, int s)
{
	size_t off = st->sec[SS_KPI].coff, moff = st->sec[SS_KPI].moff, j;
	unsigned fl = stats_flags(st, b, i), plan = fl >> STATS_F_PLAN_SH;
	const struct stats_sitem *it;
	int firm = plan == 2 || plan == 3;

	bump(a, na, off + SKPI_REG, s);
	if (plan == 1)
		bump(a, na, off + SKPI_DRAFT, s);
	else if (firm)
		bump(a, na, off + SKPI_CONFIRMED, s);
	if (fl & STATS_F_SURVEY) {
		bump(a, na, off + SKPI_SURV, s);
		if (st->card_col >= 0 && stats_get(st, b,
		    (size_t)st->card_col, i) == st->card_valid) {
			bump(a, na, off + SKPI_VALID, s);
			if (plan == 2 || plan == 3)
				bump(a, na, off + SKPI_COVERED, s);
		}
	}
	if (p == NULL)
		return;
	it = stats_sitems(st, p);
	for (j = 0; j < p->n; j++) {
		bump(a, na, off + SKPI_ITEMS, s);
		if (!(it[j].policy & STATS_ACCEPTED)) {
			bump(a, na, off + SKPI_OPEN, s);
			continue;
		}
		if (!firm)
			continue;
		bump(a, na, off + SKPI_COMMITTED, s);
		bump_money(a, na, moff + SKPIM_PLANNED, s *
		    funds(it[j].planned_hi, it[j].planned_lo));
		bump_money(a, na, moff + SKPIM_SPENT, s *
		    funds(it[j].spent_hi, it[j].spent_lo));
		if (it[j].mf & STATS_DONE)
			bump(a, na, off + SKPI_DONE, s);
		else if (!(it[j].policy & STATS_NOTDONE))
			bump(a, na, off + SKPI_NOTDONE +
			    (size_t)(it[j].mf & STATS_MONTH) - 1, s);
	}
}

/* The group of an item in a service section, -1 for none. */
static int
group_of(enum stats_secid sec,
    const struct stats_sitem *it)
{
	switch (sec) {
	case SS_POLICY:
		return (it->policy & STATS_NONE16) == STATS_NONE16 ? -1 :
		    (int)(it->policy & STATS_NONE16);
	case SS_BATCH:
		return (int)(it->mf >> STATS_BATCH_SH);
	default:
		return it->dept == STATS_NONE8 ? -1 : (int)it->dept;
	}
}

/* 1 when item j is the first of the person's items in group g. */
static int
first_of(enum stats_secid sec,
    const struct stats_sitem *it, size_t j, size_t g, uint64_t *seen)
{
	size_t l;

	if (g < 64) {
		if (*seen & ((uint64_t)1 << g))
			return 0;
		*seen |= (uint64_t)1 << g;
		return 1;
	}
	for (l = 0; l < j; l++)
		if (group_of(sec, &it[l]) == (int)g)
			return 0;
	return 1;
}

static void
acc_service(const struct stats *st, enum stats_secid sec,
    const struct stats_pitems *p, struct stats_acc *a, size_t na, int s)
{
	const struct stats_sec *ss = &st->sec[sec];
	const struct stats_sitem *it;
	uint64_t seen = 0;
	size_t j, g, c;
	int gj;

	if (p == NULL)
		return;
	it = stats_sitems(st, p);
	for (j = 0; j < p->n; j++) {
		gj = group_of(sec, &it[j]);
		if (gj < 0)
			continue;
		g = (size_t)gj;
		c = ss->coff + 3 * g;
		if (first_of(sec, it, j, g, &seen))
			bump(a, na, c, s);
		bump(a, na, c + 1, s);
		if (it[j].mf & STATS_DONE)
			bump(a, na, c + 2, s);
		bump_money(a, na, ss->moff + 2 * g,
		    s * funds(it[j].planned_hi, it[j].planned_lo));
		bump_money(a, na, ss->moff + 2 * g + 1,
		    s * funds(it[j].spent_hi, it[j].spent_lo));
	}
}

static void
acc_need(const struct stats *st, const struct stats_vblock *b, size_t i,
    const struct stats_pitems *p, struct stats_acc *a, size_t na, int s)
{
	const uint64_t *yes = (const uint64_t *)(const void *)stats_colp(b,
	    st->pos_yes) + i * st->nw;
	size_t off = st->sec[SS_NEED].coff, w, j;
	uint64_t y, bit;

	for (w = 0; w < st->nw; w++) {
		for (y = yes[w]; y != 0; y &= y - 1) {
			bit = y & (0 - y);
			j = w * 64 + (size_t)__builtin_ctzll(y);
			bump(a, na, off + 3 * j, s);
			if (p == NULL)
				continue;
			if (p->w[w] & bit)
				bump(a, na, off + 3 * j + 1, s);
			if (p->w[st->nw + w] & bit)
				bump(a, na, off + 3 * j + 2, s);
		}
	}
}

void
stats_acc_person(const struct stats *st, const struct stats_vblock *b,
    size_t i, struct stats_acc *a, size_t na, int s, unsigned secs)
{
	const struct stats_pitems *p;

	if ((stats_flags(st, b, i) & STATS_F_STATUS) != STATS_ACTIVE)
		return;
	p = stats_items_of(st, b, i);
	if ((secs & SS_BIT(SS_FIELDS)) &&
	    (stats_flags(st, b, i) & STATS_F_SURVEY))
		acc_fields(st, b, i, a, na, s);
	if (secs & SS_BIT(SS_KPI))
		acc_kpi(st, b, i, p, a, na, s);
	if (secs & SS_BIT(SS_POLICY))
		acc_service(st, SS_POLICY, p, a, na, s);
	if (secs & SS_BIT(SS_BATCH))
		acc_service(st, SS_BATCH, p, a, na, s);
	if (secs & SS_BIT(SS_DEPT))
		acc_service(st, SS_DEPT, p, a, na, s);
	if (secs & SS_BIT(SS_NEED))
		acc_need(st, b, i, p, a, na, s);
}

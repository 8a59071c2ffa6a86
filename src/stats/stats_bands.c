/*
 * stats_bands.c - the bands of numeric and date items for the statistics
 * (see stats.h, stats_int.h).
 *
 * One table by item code gives the bands people ask for: ages on 1 July
 * for birth_date, household sizes 1..6+, incomes in fen. Items not in it
 * get defaults: a date its year (up to three years back, each year, next
 * year on), a number five equal bands (quintiles) of the catalog range.
 * A value below the first band's lower bound counts in the first band.
 */
#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "stats/stats_int.h"

static const struct stats_band age_bands[] = {
	{ 0, "0-6岁" }, { 7, "7-14岁" }, { 15, "15-17岁" },
	{ 18, "18-44岁" }, { 45, "45-59岁" }, { 60, "60-79岁" },
	{ 80, "80岁及以上" },
};

static const struct stats_band size_bands[] = {
	{ 1, "1人" }, { 2, "2人" }, { 3, "3人" }, { 4, "4人" }, { 5, "5人" },
	{ 6, "6人及以上" },
};

/* Yearly incomes, fen. */
static const struct stats_band income_bands[] = {
	{ 0, "5000元以下" }, { 500000, "5000-9999元" },
	{ 1000000, "1万-2万元" }, { 2000000, "2万-3万元" },
	{ 3000000, "3万-5万元" }, { 5000000, "5万-10万元" },
	{ 10000000, "10万元及以上" },
};

/* Monthly incomes and allowances, fen. */
static const struct stats_band month_bands[] = {
	{ 0, "500元以下" }, { 50000, "500-999元" }, { 100000, "1000-1999元" },
	{ 200000, "2000-2999元" }, { 300000, "3000-4999元" },
	{ 500000, "5000元及以上" },
};

#define NB(a)	(sizeof(a) / sizeof((a)[0]))

static const struct band_def {
	const char		*code;
	enum field_type		 type;
	enum stats_unit		 unit;
	const struct stats_band	*b;
	size_t			 n;
} band_defs[] = {
	{ "birth_date", FT_DATE, SU_AGE, age_bands, NB(age_bands) },
	{ "household_size", FT_INT, SU_VALUE, size_bands, NB(size_bands) },
	{ "household_members", FT_INT, SU_VALUE, size_bands, NB(size_bands) },
	{ "family_size", FT_INT, SU_VALUE, size_bands, NB(size_bands) },
	{ "family_members", FT_INT, SU_VALUE, size_bands, NB(size_bands) },
	{ "annual_income", FT_MONEY, SU_VALUE, income_bands,
	    NB(income_bands) },
	{ "household_income", FT_MONEY, SU_VALUE, income_bands,
	    NB(income_bands) },
	{ "family_income", FT_MONEY, SU_VALUE, income_bands,
	    NB(income_bands) },
	{ "per_capita_income", FT_MONEY, SU_VALUE, income_bands,
	    NB(income_bands) },
	{ "monthly_income", FT_MONEY, SU_VALUE, month_bands,
	    NB(month_bands) },
	{ "pension_amount", FT_MONEY, SU_VALUE, month_bands,
	    NB(month_bands) },
};

static const struct band_def *
band_def(const struct field *f)
{
	size_t i;

	for (i = 0; i < NB(band_defs); i++)
		if (strcmp(band_defs[i].code, f->code) == 0 &&
		    band_defs[i].type == f->type)
			return &band_defs[i];
	return NULL;
}

/* v in the field's units as text: money in yuan, decimal with its scale,
 * else the integer. */
static void
fmt_value(const struct field *f, int64_t v, char *out, size_t size)
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t p = 1;
	const char *sign = v < 0 ? "-" : "";
	int scale = 0, i;

	if (f->type == FT_MONEY)
		scale = 2;
	else if (f->type == FT_DECIMAL)
		scale = f->scale;
	for (i = 0; i < scale; i++)
		p *= 10;
	if (scale == 0 || a % p == 0) {
		snprintf(out, size, "%s%llu", sign,
		    (unsigned long long)(a / p));
		return;
	}
	while (a % 10 == 0) {
		a /= 10;
		p /= 10;
		scale--;
	}
	snprintf(out, size, "%s%llu.%0*llu", sign, (unsigned long long)(a / p),
	    scale, (unsigned long long)(a % p));
}

/* Quintiles of the catalog range (one band a value when it is short;
 * catalog.c ensures min <= max). */
static size_t
quintiles(const struct stats_col *c, int64_t *lo)
{
	const struct field *f = c->f;
	uint64_t span;
	size_t i, n;

	span = (uint64_t)f->max - (uint64_t)f->min + 1;
	n = span != 0 && span < 5 ? (size_t)span : 5;
	for (i = 0; i < n; i++)
		lo[i] = (int64_t)((uint64_t)f->min + span / n * i +
		    span % n * i / n);
	return n;
}

static void
label_range(const struct stats_col *c, size_t i, int64_t hi, char *out)
{
	char a[32], b[32];

	fmt_value(c->f, c->bands[i].lo, a, sizeof(a));
	fmt_value(c->f, hi, b, sizeof(b));
	if (c->bands[i].lo == hi)
		snprintf(out, STATS_LABEL_MAX, "%s", a);
	else
		snprintf(out, STATS_LABEL_MAX, "%s~%s", a, b);
}

static int
col_init(struct stats *st, struct stats_col *c)
{
	const struct band_def *d = band_def(c->f);
	int64_t lo[STATS_MAX_BANDS];
	size_t i, n;

	if (d != NULL) {
		n = d->n;
		c->unit = d->unit;
	} else if (c->f->type == FT_DATE) {
		n = 5;
		c->unit = SU_YEAR;
		for (i = 0; i < n; i++)
			lo[i] = st->year - 3 + (int64_t)i;
	} else {
		n = quintiles(c, lo);
		c->unit = SU_VALUE;
	}
	c->bands = mem_alloc(n * (sizeof(*c->bands) + STATS_LABEL_MAX));
	if (c->bands == NULL)
		return -1;
	c->labels = (char (*)[STATS_LABEL_MAX])(void *)(c->bands + n);
	c->nbands = n;
	for (i = 0; i < n; i++) {
		c->bands[i].lo = d != NULL ? d->b[i].lo : lo[i];
		c->bands[i].label = c->labels[i];
	}
	for (i = 0; i < n; i++) {
		if (d != NULL)
			snprintf(c->labels[i], STATS_LABEL_MAX, "%s",
			    d->b[i].label);
		else if (c->unit == SU_YEAR)
			snprintf(c->labels[i], STATS_LABEL_MAX, "%lld年%s",
			    (long long)lo[i], i == 0 ? "及以前" :
			    i == n - 1 ? "及以后" : "");
		else
			label_range(c, i, i + 1 < n ? lo[i + 1] - 1 :
			    c->f->max, c->labels[i]);
	}
	return 0;
}

int
stats_bands_init(struct stats *st)
{
	size_t k;

	for (k = 0; k < st->ncols; k++)
		if (st->cols[k].kind == SK_BAND &&
		    col_init(st, &st->cols[k]) != 0)
			return -1;
	return 0;
}

size_t
stats_bands_of(const struct stats *st, const struct stats_col *c, int64_t v)
{
	int y, m, d;
	size_t i;

	if (c->unit == SU_AGE) {
		if (v < INT32_MIN || v > st->july1)
			v = -1;
		else
			v = date_age((int)v, st->july1);
	} else if (c->unit == SU_YEAR) {
		if (v < -1000000 || v > 1000000)
			return v < 0 ? 0 : c->nbands - 1;
		date_to_ymd((int)v, &y, &m, &d);
		v = y;
	}
	for (i = c->nbands; i-- > 1;)
		if (v >= c->bands[i].lo)
			return i;
	return 0;
}

const struct stats_band *
stats_bands(const struct stats *st, const struct field *f, size_t *n)
{
	const struct stats_col *c;
	int k;

	*n = 0;
	if (f == NULL || f < st->cat->fields ||
	    f >= st->cat->fields + st->cat->nfields)
		return NULL;
	k = st->col_of[f->index];
	if (k < 0 || st->cols[k].kind != SK_BAND)
		return NULL;
	c = &st->cols[k];
	*n = c->nbands;
	return c->bands;
}

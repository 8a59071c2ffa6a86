/*
 * supervise.c - the spot-check sample and the precision rates (see
 * supervise.h).
 */
#include "core/supervise.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

struct entry {
	const char	*town, *surv;
	uint64_t	 key;
	int64_t		 id;
	size_t		 idx;
	int		 taken;
};

uint64_t
sup_key(uint64_t seed, int64_t id)
{
	uint64_t z = seed + 0x9E3779B97F4A7C15ULL * ((uint64_t)id + 1);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static int
by_key(const struct entry *a, const struct entry *b)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int
cmp_town(const void *va, const void *vb)
{
	const struct entry *a = va, *b = vb;
	int c = strcmp(a->town, b->town);

	return c != 0 ? c : by_key(a, b);
}

static int
cmp_surveyor(const void *va, const void *vb)
{
	const struct entry *a = va, *b = vb;
	int c = strcmp(a->town, b->town);

	if (c == 0)
		c = strcmp(a->surv, b->surv);
	return c != 0 ? c : by_key(a, b);
}

static int
cmp_key(const void *va, const void *vb)
{
	return by_key(va, vb);
}

static int
cmp_id(const void *va, const void *vb)
{
	const struct entry *a = va, *b = vb;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* ceil(share * n), robust to the rounding of share (0.05 * 100 = 5). */
static size_t
quota(double share, size_t n)
{
	double q = share * (double)n;
	size_t k = (size_t)q;

	if ((double)k < q - 1e-9)
		k++;
	return k > n ? n : k;
}

static int
check_params(const struct sup_params *prm, struct lf_error *err)
{
	if (!(prm->rate > 0.0 && prm->rate <= 1.0))
		return lf_error_set(err, "invalid", "rate", "抽样比例须在 0 到 1 "
		    "之间 (rate must be in (0, 1])");
	if (prm->min_per_surveyor < 0 || prm->min_per_surveyor > 1000)
		return lf_error_set(err, "invalid", "min_per_surveyor",
		    "每名调查员最少抽查数须在 0..1000 (min_per_surveyor must "
		    "be 0..1000)");
	if (!(prm->recheck_rate >= 0.0 && prm->recheck_rate <= 1.0))
		return lf_error_set(err, "invalid", "recheck_rate", "复核比例须"
		    "在 0 到 1 之间 (recheck_rate must be in [0, 1])");
	return 0;
}

/* Every township's share: the lowest keys of each township. */
static void
take_townships(struct entry *e, size_t n, double rate)
{
	size_t i = 0, j, k, q;

	qsort(e, n, sizeof(*e), cmp_town);
	while (i < n) {
		for (j = i; j < n && strcmp(e[j].town, e[i].town) == 0; j++)
			;
		q = quota(rate, j - i);
		if (q == 0)
			q = 1;
		for (k = i; k < i + q; k++)
			e[k].taken = 1;
		i = j;
	}
}

/* Every surveyor's minimum, topping up by lowest key. */
static void
take_surveyors(struct entry *e, size_t n, int min)
{
	size_t i = 0, j, k, have;

	qsort(e, n, sizeof(*e), cmp_surveyor);
	while (i < n) {
		for (j = i; j < n && strcmp(e[j].town, e[i].town) == 0 &&
		    strcmp(e[j].surv, e[i].surv) == 0; j++)
			;
		for (have = 0, k = i; k < j; k++)
			have += (size_t)e[k].taken;
		for (k = i; k < j && have < (size_t)min; k++)
			if (!e[k].taken) {
				e[k].taken = 1;
				have++;
			}
		i = j;
	}
}

int
sup_draw(const struct sup_person *p, size_t n, const struct sup_params *prm,
    size_t **out, unsigned char **recheck, size_t *nout, struct lf_error *err)
{
	struct entry *e = NULL;
	size_t i, m = 0, *idx = NULL, q;
	unsigned char *rc = NULL;

	*out = NULL;
	*nout = 0;
	if (recheck != NULL)
		*recheck = NULL;
	if (check_params(prm, err) != 0)
		return -1;
	if (n == 0)
		return 0;
	e = mem_calloc(n, sizeof(*e));
	if (e == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		e[i].town = p[i].township ? p[i].township : "";
		e[i].surv = p[i].surveyor ? p[i].surveyor : "";
		e[i].id = p[i].id;
		e[i].idx = i;
		e[i].key = sup_key(prm->seed, p[i].id);
	}
	take_townships(e, n, prm->rate);
	take_surveyors(e, n, prm->min_per_surveyor);
	for (i = 0; i < n; i++)
		if (e[i].taken)
			e[m++] = e[i];
	idx = mem_calloc(m, sizeof(*idx));
	rc = mem_calloc(m, 1);
	if (idx == NULL || rc == NULL)
		goto oom;
	/* the re-check sub-sample: lowest second keys */
	for (i = 0; i < m; i++)
		e[i].key = sup_key(prm->seed ^ SUP_RECHECK_SALT, e[i].id);
	qsort(e, m, sizeof(*e), cmp_key);
	q = quota(prm->recheck_rate, m);
	for (i = 0; i < m; i++)
		e[i].taken = i < q ? 2 : 1;
	qsort(e, m, sizeof(*e), cmp_id);
	for (i = 0; i < m; i++) {
		idx[i] = e[i].idx;
		rc[i] = e[i].taken == 2;
	}
	mem_free(e);
	*out = idx;
	*nout = m;
	if (recheck != NULL)
		*recheck = rc;
	else
		mem_free(rc);
	return 0;
oom:
	mem_free(e);
	mem_free(idx);
	mem_free(rc);
	return lf_error_nomem(err);
}

void
sup_rate(int64_t x, int64_t n, struct sup_rate *out)
{
	double p, z2, den, centre, half, nn;

	memset(out, 0, sizeof(*out));
	out->x = x;
	out->n = n;
	if (n <= 0 || x < 0 || x > n)
		return;
	nn = (double)n;
	p = (double)x / nn;
	z2 = SUP_Z95 * SUP_Z95;
	den = 1.0 + z2 / nn;
	centre = (p + z2 / (2.0 * nn)) / den;
	half = SUP_Z95 / den * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
	out->valid = 1;
	out->p = p;
	out->lo = centre - half < 0.0 ? 0.0 : centre - half;
	out->hi = centre + half > 1.0 ? 1.0 : centre + half;
}

int
sup_below_target(const struct sup_rate *r)
{
	return r->valid && r->hi < SUP_TARGET;
}

int
sup_precision_add(struct sup_precision *p, int surveyor, const char *key,
    const char *name, const struct sup_counts *c, struct lf_error *err)
{
	struct sup_prec_row **v = surveyor ? &p->by_surveyor : &p->by_region;
	size_t *n = surveyor ? &p->nsurveyor : &p->nregion;
	struct sup_prec_row *nv, *row;

	nv = mem_realloc(*v, (*n + 1) * sizeof(**v));
	if (nv == NULL)
		return lf_error_nomem(err);
	*v = nv;
	row = &nv[(*n)++];
	memset(row, 0, sizeof(*row));
	snprintf(row->key, sizeof(row->key), "%s", key);
	snprintf(row->name, sizeof(row->name), "%s", name);
	row->c = *c;
	sup_rate(c->survey_ok, c->survey_n, &row->survey);
	sup_rate(c->plan_ok, c->plan_n, &row->plan);
	sup_rate(c->sup_ok, c->sup_n, &row->sup);
	row->below = sup_below_target(&row->survey);
	return 0;
}

void
sup_precision_free(struct sup_precision *p)
{
	mem_free(p->by_region);
	mem_free(p->by_surveyor);
	p->by_region = p->by_surveyor = NULL;
	p->nregion = p->nsurveyor = 0;
}

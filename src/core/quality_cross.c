/*
 * quality_cross.c - the rules across persons (quality.h): duplicate
 * registrations and surveyors whose surveys are all identical.
 */
#include "core/quality.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "lib/num.h"

#define FNV_OFF		0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= c[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* A final mix, so that open addressing on the low bits spreads well. */
static uint64_t
mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

uint64_t
quality_dup_key(const char *name, int gender, const char *birth)
{
	unsigned char g = (unsigned char)gender;
	uint64_t h = FNV_OFF;

	h = fnv(h, name, strlen(name) + 1);
	h = fnv(h, &g, 1);
	h = fnv(h, birth, strlen(birth) + 1);
	return mix(h) | 1;	/* 0 marks an empty slot */
}

/* ---- duplicates ----------------------------------------------------- */

struct dup_slot {
	uint64_t	 key;
	int64_t		 person;
};

struct quality_dups {
	struct dup_slot	*v;
	size_t		 cap, n;		/* cap a power of two */
	int64_t		*twice;
	size_t		 ntwice, twice_cap;
	int		 sorted;
};

struct quality_dups *
quality_dups_new(void)
{
	struct quality_dups *d = mem_calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->cap = 1 << 16;
	if ((d->v = mem_calloc(d->cap, sizeof(*d->v))) == NULL) {
		mem_free(d);
		return NULL;
	}
	return d;
}

void
quality_dups_free(struct quality_dups *d)
{
	if (d == NULL)
		return;
	mem_free(d->v);
	mem_free(d->twice);
	mem_free(d);
}

static int
twice_add(struct quality_dups *d, int64_t person)
{

	if (mem_grow(&d->twice, &d->twice_cap, d->ntwice + 1,
	    sizeof(*d->twice), SIZE_MAX) != 0)
		return -1;
	d->twice[d->ntwice++] = person;
	d->sorted = 0;
	return 0;
}

/* Puts (key, person) into v without growing; the slot's person when the
 * key was there already, else 0. */
static int64_t
put(struct dup_slot *v, size_t cap, uint64_t key, int64_t person)
{
	size_t i = (size_t)key & (cap - 1);

	while (v[i].key != 0) {
		if (v[i].key == key)
			return v[i].person;
		i = (i + 1) & (cap - 1);
	}
	v[i].key = key;
	v[i].person = person;
	return 0;
}

static int
grow(struct quality_dups *d)
{
	struct dup_slot *nv;
	size_t i, cap = d->cap * 2;

	if ((nv = mem_calloc(cap, sizeof(*nv))) == NULL)
		return -1;
	for (i = 0; i < d->cap; i++)
		if (d->v[i].key != 0)
			put(nv, cap, d->v[i].key, d->v[i].person);
	mem_free(d->v);
	d->v = nv;
	d->cap = cap;
	return 0;
}

int
quality_dups_reserve(struct quality_dups *d, size_t n)
{
	struct dup_slot *nv;
	size_t cap = d->cap;

	while ((n + 1) * 2 > cap)
		cap *= 2;
	if (cap == d->cap)
		return 0;
	if (d->n > 0) {		/* keys in: grown and copied */
		while (d->cap < cap)
			if (grow(d) != 0)
				return -1;
		return 0;
	}
	if ((nv = mem_calloc(cap, sizeof(*nv))) == NULL)
		return -1;
	mem_free(d->v);
	d->v = nv;
	d->cap = cap;
	return 0;
}

int
quality_dups_add(struct quality_dups *d, uint64_t key, int64_t person_id)
{
	int64_t other;

	if (key == 0)
		key = 1;
	if ((d->n + 1) * 2 > d->cap && grow(d) != 0)
		return -1;
	other = put(d->v, d->cap, key, person_id);
	if (other == 0) {
		d->n++;
		return 0;
	}
	if (other == person_id)
		return 0;
	return twice_add(d, other) != 0 || twice_add(d, person_id) != 0 ?
	    -1 : 0;
}

const int64_t *
quality_dups_persons(struct quality_dups *d, size_t *n)
{
	size_t i, k = 0;

	if (!d->sorted && d->ntwice > 0) {
		qsort(d->twice, d->ntwice, sizeof(*d->twice), lf_cmp_i64);
		for (i = 0; i < d->ntwice; i++)
			if (k == 0 || d->twice[k - 1] != d->twice[i])
				d->twice[k++] = d->twice[i];
		d->ntwice = k;
	}
	d->sorted = 1;
	*n = d->ntwice;
	return d->twice;
}

/* ---- explanations --------------------------------------------------- */

const char quality_dup_detail[] = "另有一人姓名、性别、出生日期与此人相同, "
    "可能重复登记";

void
quality_surveyor_detail(const struct quality_rule *q, const char *name,
    int64_t n, char out[QUALITY_DETAIL_MAX])
{
	if (q->kind == QK_SURVEYOR_FAST)
		snprintf(out, QUALITY_DETAIL_MAX, "调查员「%s」本年 %lld 份调查"
		    "填写用时不足 %lld 秒", name, (long long)n,
		    (long long)q->threshold);
	else
		snprintf(out, QUALITY_DETAIL_MAX, "调查员「%s」本年 %lld 份调查"
		    "的需求信息完全相同", name, (long long)n);
}

/* ---- surveyors ------------------------------------------------------ */

#define SURVEYOR_NAME	64

struct surveyor {
	char		 name[SURVEYOR_NAME];
	char		 township[10];
	uint64_t	 key, print;
	int64_t		 n;
	int64_t		 fast;		/* surveys filled under fast_secs */
	int		 same;		/* every print so far equal */
};

struct quality_surveyors {
	const struct catalog	*cat;
	struct surveyor		*v;
	size_t			 cap, n;
	int			*need;		/* need item indices */
	size_t			 nneed;
	int			 f_start, f_submit;	/* -1: none */
	int			 f_name;		/* surveyor_name */
	int64_t			 fast_secs;
	struct surveyor		*last;	/* the slot added to last, NULL */
};

struct quality_surveyors *
quality_surveyors_new(const struct catalog *cat)
{
	struct quality_surveyors *q = mem_calloc(1, sizeof(*q));
	const struct field *f;
	size_t i;

	if (q == NULL)
		return NULL;
	q->cat = cat;
	q->cap = 1 << 10;
	q->v = mem_calloc(q->cap, sizeof(*q->v));
	q->need = mem_calloc(cat->nfields + 1, sizeof(*q->need));
	if (q->v == NULL || q->need == NULL) {
		quality_surveyors_free(q);
		return NULL;
	}
	for (i = 0; i < cat->nfields; i++)
		if (cat->fields[i].section == SEC_NEED)
			q->need[q->nneed++] = (int)i;
	f = catalog_find(cat, "form_started_at", 15);
	q->f_start = f != NULL ? f->index : -1;
	f = catalog_find(cat, "form_submitted_at", 17);
	q->f_submit = f != NULL ? f->index : -1;
	f = catalog_find(cat, "surveyor_name", 13);
	q->f_name = f != NULL ? f->index : -1;
	return q;
}

void
quality_surveyors_set_fast(struct quality_surveyors *q, int64_t seconds)
{
	q->fast_secs = seconds;
}

/* 1 when r was filled (submit - start) in under the fast threshold. */
static int
is_fast(const struct quality_surveyors *q, const struct record *r)
{
	int64_t took;

	if (q->fast_secs <= 0 || q->f_start < 0 || q->f_submit < 0 ||
	    !r->set[q->f_start] || !r->set[q->f_submit])
		return 0;
	took = r->num[q->f_submit] - r->num[q->f_start];
	return took >= 0 && took < q->fast_secs;
}

void
quality_surveyors_free(struct quality_surveyors *q)
{
	if (q == NULL)
		return;
	mem_free(q->v);
	mem_free(q->need);
	mem_free(q);
}

/* One step of the fingerprint: 8 bytes at a time (the fingerprints are
 * only compared with each other). */
static uint64_t
step(uint64_t h, uint64_t v)
{
	return (h ^ v) * FNV_PRIME ^ (h >> 29);
}

/* The fingerprint of the survey's need items. */
static uint64_t
need_print(const struct quality_surveyors *q, const struct record *r)
{
	uint64_t h = FNV_OFF;
	size_t k, i;

	for (k = 0; k < q->nneed; k++) {
		i = (size_t)q->need[k];
		if (!r->set[i]) {
			h = step(h, k);
			continue;
		}
		h = step(h, (uint64_t)r->num[i] ^ ((uint64_t)k << 48));
		if (r->str[i] != NULL)
			h = fnv(h, r->str[i], strlen(r->str[i]) + 1);
	}
	return h;
}

/* 1 when slot s is surveyor name within township (the lengths as kept). */
static int
is_slot(const struct surveyor *s, const char *name, size_t nlen,
    const char *township, size_t tlen)
{
	return strncmp(s->name, name, nlen) == 0 && s->name[nlen] == '\0' &&
	    strncmp(s->township, township, tlen) == 0 &&
	    s->township[tlen] == '\0';
}

static struct surveyor *
slot_of(struct surveyor *v, size_t cap, uint64_t key, const char *name,
    size_t nlen, const char *township, size_t tlen)
{
	size_t i = (size_t)key & (cap - 1);

	while (v[i].key != 0) {
		if (v[i].key == key && is_slot(&v[i], name, nlen, township,
		    tlen))
			return &v[i];
		i = (i + 1) & (cap - 1);
	}
	return &v[i];
}

static int
sv_grow(struct quality_surveyors *q)
{
	struct surveyor *nv, *s;
	size_t i, cap = q->cap * 2;

	if ((nv = mem_calloc(cap, sizeof(*nv))) == NULL)
		return -1;
	for (i = 0; i < q->cap; i++)
		if (q->v[i].key != 0) {
			s = slot_of(nv, cap, q->v[i].key, q->v[i].name,
			    strlen(q->v[i].name), q->v[i].township,
			    strlen(q->v[i].township));
			*s = q->v[i];
		}
	mem_free(q->v);
	q->v = nv;
	q->cap = cap;
	q->last = NULL;
	return 0;
}

/* The tally key of a surveyor: name (at most SURVEYOR_NAME - 1 bytes, as
 * kept) within the township (at most 9 bytes). */
static uint64_t
sv_key(const char *name, size_t nlen, const char *township, size_t tlen)
{
	uint64_t h = fnv(FNV_OFF, name, nlen);

	h = fnv(h, "", 1);
	return mix(fnv(h, township, tlen)) | 1;
}

int
quality_surveyors_add(struct quality_surveyors *q, const char *name,
    const char *township, const struct record *r)
{
	size_t nlen, tlen;
	struct surveyor *s;
	uint64_t key = 0, print;

	if (name == NULL || name[0] == '\0')
		return 0;
	nlen = strnlen(name, SURVEYOR_NAME - 1);
	tlen = strnlen(township, 9);
	print = need_print(q, r);
	/* persons come by village: mostly the surveyor of the one before */
	if ((s = q->last) == NULL || !is_slot(s, name, nlen, township,
	    tlen)) {
		key = sv_key(name, nlen, township, tlen);
		if ((q->n + 1) * 2 > q->cap && sv_grow(q) != 0)
			return -1;
		s = slot_of(q->v, q->cap, key, name, nlen, township, tlen);
	}
	q->last = s;
	if (s->key == 0) {
		s->key = key;
		memcpy(s->name, name, nlen);
		s->name[nlen] = '\0';
		memcpy(s->township, township, tlen);
		s->township[tlen] = '\0';
		s->print = print;
		s->same = 1;
		q->n++;
	} else if (s->print != print)
		s->same = 0;
	s->n++;
	s->fast += is_fast(q, r);
	return 0;
}

int
quality_surveyors_add_survey(struct quality_surveyors *q,
    const struct record *r, const char *village)
{
	if (q->f_name < 0 || !r->set[q->f_name])
		return 0;
	return quality_surveyors_add(q, r->str[q->f_name], village, r);
}

void
quality_surveyors_fields(const struct quality_surveyors *q,
    unsigned char *want)
{
	size_t k;

	for (k = 0; k < q->nneed; k++)
		want[q->need[k]] = 1;
	if (q->f_start >= 0)
		want[q->f_start] = 1;
	if (q->f_submit >= 0)
		want[q->f_submit] = 1;
	if (q->f_name >= 0)
		want[q->f_name] = 1;
}

int
quality_surveyors_merge(struct quality_surveyors *dst,
    const struct quality_surveyors *src)
{
	const struct surveyor *x;
	struct surveyor *s;
	size_t i;

	for (i = 0; i < src->cap; i++) {
		if ((x = &src->v[i])->key == 0)
			continue;
		if ((dst->n + 1) * 2 > dst->cap && sv_grow(dst) != 0)
			return -1;
		s = slot_of(dst->v, dst->cap, x->key, x->name, strlen(x->name),
		    x->township, strlen(x->township));
		if (s->key == 0) {
			*s = *x;
			dst->n++;
			continue;
		}
		s->same = s->same && x->same && s->print == x->print;
		s->n += x->n;
		s->fast += x->fast;
	}
	return 0;
}

int
quality_surveyors_each(const struct quality_surveyors *q, int64_t min_count,
    int (*fn)(void *arg, const char *name, const char *township, int64_t n),
    void *arg)
{
	size_t i;
	int rc;

	for (i = 0; i < q->cap; i++) {
		const struct surveyor *s = &q->v[i];

		if (s->key == 0 || !s->same || s->n < min_count || s->n < 2)
			continue;
		if ((rc = fn(arg, s->name, s->township, s->n)) != 0)
			return rc;
	}
	return 0;
}

int
quality_surveyors_fast_each(const struct quality_surveyors *q,
    int64_t min_count, int (*fn)(void *arg, const char *name,
    const char *township, int64_t n), void *arg)
{
	size_t i;
	int rc;

	for (i = 0; i < q->cap; i++) {
		const struct surveyor *s = &q->v[i];

		if (s->key == 0 || s->fast == 0 || s->fast < min_count)
			continue;
		if ((rc = fn(arg, s->name, s->township, s->fast)) != 0)
			return rc;
	}
	return 0;
}

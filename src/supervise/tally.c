/*
 * tally.c - the counts behind the three precision rates, by region or by
 * surveyor (supervise/supervise.h defines them): what a first check adds
 * to survey, plan and supervision precision (due, on time, re-checked
 * consistent), summed by group, and the precision tables named from the
 * region table.
 */
#include "supervise/supervise.h"

#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"

#define GROUP_KEY_MAX	160

struct group {
	char		 key[GROUP_KEY_MAX];
	struct sup_counts c;
};

struct groups {
	struct group	*v;
	size_t		 n, cap;
};

/* What first check t adds to c, today (YYYY-MM-DD) being the day "due"
 * is measured by. */
static void
add_task(struct sup_counts *c, const struct sup_tally_row *t,
    const char *today)
{
	int on_time, consistent;

	c->tasks++;
	c->done += t->done;
	c->survey_n += t->survey_n;
	c->survey_ok += t->survey_ok;
	c->plan_n += t->plan_n;
	c->plan_ok += t->plan_ok;
	if (t->done_day == NULL || t->due == NULL)
		return;
	if (!t->done && strcmp(t->due, today) >= 0)
		return;			/* not yet due */
	c->sup_n++;
	on_time = t->done && strcmp(t->done_day, t->due) <= 0;
	consistent = t->differing == 0;
	c->sup_ok += on_time && consistent;
}

static void
counts_add(struct sup_counts *a, const struct sup_counts *b)
{
	a->survey_ok += b->survey_ok;
	a->survey_n += b->survey_n;
	a->plan_ok += b->plan_ok;
	a->plan_n += b->plan_n;
	a->sup_ok += b->sup_ok;
	a->sup_n += b->sup_n;
	a->tasks += b->tasks;
	a->done += b->done;
}

static struct group *
group_for(struct groups *g, const char *key)
{

	if (g->n > 0 && strcmp(g->v[g->n - 1].key, key) == 0)
		return &g->v[g->n - 1];
	if (mem_grow(&g->v, &g->cap, g->n + 1, sizeof(*g->v), SIZE_MAX) != 0)
		return NULL;
	memset(&g->v[g->n], 0, sizeof(g->v[0]));
	snprintf(g->v[g->n].key, sizeof(g->v[0].key), "%s", key);
	return &g->v[g->n++];
}

struct collect_arg {
	struct groups	*g;
	char		 today[11];
	struct lf_error	*err;
};

static int
collect_row(void *arg, const struct sup_tally_row *t)
{
	struct collect_arg *a = arg;
	struct group *gr;

	if ((gr = group_for(a->g, t->key)) == NULL)
		return lf_error_nomem(a->err);
	add_task(&gr->c, t, a->today);
	return 0;
}

static int
collect(struct store *s, int year, const struct region *in,
    enum sup_group by, int today, struct groups *g, struct lf_error *err)
{
	struct collect_arg a;
	int digits = 12;

	if (by == SUP_BY_REGION && in->level < RL_VILLAGE)
		digits = region_level_digits(in->level + 1);
	a.g = g;
	a.err = err;
	date_format(today, a.today);
	return supervise_tally_rows(s, year, in, by == SUP_BY_SURVEYOR, digits,
	    collect_row, &a, err);
}

int
supervise_tally(struct store *s, int year, const struct region *in,
    enum sup_group by, int today, supervise_tally_fn fn, void *arg,
    struct lf_error *err)
{
	struct groups g = { NULL, 0, 0 };
	struct sup_counts total;
	size_t i;
	int rc = 0;

	if (today == 0)
		today = store_today();
	if (collect(s, year, in, by, today, &g, err) != 0) {
		mem_free(g.v);
		return -1;
	}
	memset(&total, 0, sizeof(total));
	for (i = 0; i < g.n; i++)
		counts_add(&total, &g.v[i].c);
	if (by == SUP_BY_REGION)
		rc = fn(arg, "", &total);
	for (i = 0; i < g.n && rc == 0; i++)
		if (by == SUP_BY_SURVEYOR || in->level < RL_VILLAGE)
			rc = fn(arg, g.v[i].key, &g.v[i].c);
	mem_free(g.v);
	return rc < 0 ? -1 : 0;
}

struct prec_arg {
	struct store		*s;
	struct sup_precision	*p;
	int			 surveyor;
	const struct region	*in;
	struct lf_error		*err;
};

static int
prec_row(void *arg, const char *key, const struct sup_counts *c)
{
	struct prec_arg *a = arg;
	const struct region *r = NULL;
	char name[SUP_KEY_MAX], town[13];
	const char *bar;

	if (!a->surveyor) {
		r = key[0] ? regions_find(store_regions(a->s), key) : a->in;
		snprintf(name, sizeof(name), "%s", r ? r->name : key);
	} else {
		bar = strchr(key, '|');
		snprintf(town, sizeof(town), "%.*s", bar ? (int)(bar - key) :
		    0, key);
		r = regions_find(store_regions(a->s), town);
		snprintf(name, sizeof(name), "%s (%s)", bar ? bar + 1 : key,
		    r ? r->name : town);
	}
	return sup_precision_add(a->p, a->surveyor, key[0] ? key :
	    a->in->code, name, c, a->err);
}

int
supervise_precision(struct store *s, int year, const struct region *in,
    int today, struct sup_precision *p, struct lf_error *err)
{
	struct prec_arg a = { s, p, 0, in, err };

	memset(p, 0, sizeof(*p));
	p->year = year;
	snprintf(p->region, sizeof(p->region), "%s", in->code);
	if (supervise_tally(s, year, in, SUP_BY_REGION, today, prec_row, &a,
	    err) != 0)
		goto fail;
	a.surveyor = 1;
	if (supervise_tally(s, year, in, SUP_BY_SURVEYOR, today, prec_row, &a,
	    err) != 0)
		goto fail;
	return 0;
fail:
	sup_precision_free(p);
	return -1;
}

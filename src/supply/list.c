/*
 * list.c - a county's distribution list of one supply item
 * (supply/supply.h): the persons 在册 whose demand expression holds and
 * whose need is not closed, each with the priority the distribution
 * rules give (waiting time since the survey, served before), ranked,
 * the first `remaining` allocated; and the sets of persons closed and
 * served that the gaps share.
 */
#include "supply/supply.h"
#include "supply/supply_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "plan/planner.h"
#include "store/insight_scan.h"

static int64_t
issued_in(const struct supply_set *closed, const char *county)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < closed->n; i++)
		n += strlen(county) == 6 &&
		    strncmp(closed->region[i], county, 6) == 0;
	return n;
}

/* ---- the list ------------------------------------------------------- */

struct lctx {
	const struct supply		*sp;
	const struct supply_item	*it;
	int				 year, today;
	struct supply_set			 closed, served;
	struct supply_list		*out;
	size_t				 cap;
	int				 f_fill, f_grade, f_birth;
};

static int
num_of(const struct record *r, int f, int64_t dflt)
{
	return f >= 0 && r->set[f] ? (int)r->num[f] : (int)dflt;
}

static int
list_person(void *arg, const struct insight_person *p, const struct record *r)
{
	struct lctx *c = arg;
	struct supply_cand *v, *nv;
	struct expr_ctx ctx;
	int fill;

	if (p->status != PERSON_ACTIVE || supply_set_has(&c->closed, p->id))
		return 0;
	planner_ctx(r, c->year, p->region, NULL, &ctx);
	if (!expr_eval_ctx(c->it->demand, r, &ctx))
		return 0;
	if (c->out->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		nv = mem_realloc(c->out->v, c->cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		c->out->v = nv;
	}
	v = &c->out->v[c->out->n++];
	memset(v, 0, sizeof(*v));
	v->person_id = p->id;
	memcpy(v->uid, p->uid, sizeof(v->uid));
	memcpy(v->region, p->region, sizeof(v->region));
	fill = num_of(r, c->f_fill, ctx.ref_days);
	v->survey_days = fill;
	v->served = supply_set_has(&c->served, p->id);
	v->severe = num_of(r, c->f_grade, 9) <= 2;
	v->age = c->f_birth >= 0 && r->set[c->f_birth] ?
	    date_age((int)r->num[c->f_birth], c->today) : -1;
	v->priority = supply_priority(c->sp, r, &ctx, c->today > fill ?
	    c->today - fill : 0, v->served);
	return 0;
}

static int
field_ix(const struct catalog *cat, const char *code)
{
	const struct field *f = catalog_find(cat, code, strlen(code));

	return f ? f->index : -1;
}

int
supply_list_build(struct store *s, const struct supply *sp,
    const struct supply_item *it, const char *county, int year, int today,
    struct supply_list *out, struct lf_error *err)
{
	const struct region *in = store_regions(s) ?
	    regions_find(store_regions(s), county) : NULL;
	struct lctx c;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (in == NULL || in->level != RL_COUNTY)
		return lf_error_set(err, "invalid", "county", "应为区县代码 "
		    "(must be a county code)");
	c.sp = sp;
	c.it = it;
	c.year = year;
	c.today = today;
	c.out = out;
	c.f_fill = field_ix(store_catalog(s), "fill_date");
	c.f_grade = field_ix(store_catalog(s), "disability_grade");
	c.f_birth = field_ix(store_catalog(s), "birth_date");
	if (supply_set_load(s, it, year, 0, &c.closed, err) != 0 ||
	    supply_set_load(s, it, year, 1, &c.served, err) != 0 ||
	    supply_stock_get(s, in->code, it->code, year, &out->stock,
	    err) != 0)
		goto out;
	if (insight_scan(s, year, in, list_person, &c, err) != 0) {
		if (err->code == NULL)
			lf_error_nomem(err);
		goto out;
	}
	out->issued = issued_in(&c.closed, in->code);
	out->remaining = out->stock > out->issued ? out->stock - out->issued :
	    0;
	out->gap = (int64_t)out->n > out->remaining ? (int64_t)out->n -
	    out->remaining : 0;
	supply_rank(out->v, out->n, out->remaining);
	rc = 0;
out:
	supply_set_free(&c.closed);
	supply_set_free(&c.served);
	if (rc != 0) {
		mem_free(out->v);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

/*
 * findings_person.c - findings_person(): the rules over one person's
 * year as stored, run after every write that touches the person, then
 * the surveyor rules over the person's township (findings_surveyor.c).
 */
#include "quality/findings.h"
#include "store/plan.h"
#include "store/plan_rows.h"

#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"

#define MAX_ITEMS	256
#define MAX_DL		1024

struct pitems {
	struct quality_item	 v[MAX_ITEMS];
	char			 policy[MAX_ITEMS][32];
	size_t			 n;
	struct quality_delivery	 dl[MAX_DL];
	size_t			 ndl;
	struct store		*s;
	struct lf_error		*err;
	int			 year;		/* the plan's read */
	int			 has_plan;
	int			 cur;		/* in that plan */
	int			 took;		/* the last item was kept */
};

static int
on_delivery(void *arg, const struct plan_delivery *d)
{
	struct pitems *pi = arg;
	int days;

	if (!pi->cur || !pi->took || pi->ndl == MAX_DL ||
	    date_parse(d->date, &days) != 0)
		return 0;
	pi->dl[pi->ndl].item_id = d->item_id;
	pi->dl[pi->ndl].date = days;
	pi->ndl++;
	return 0;
}

static int
on_item(void *arg, const struct plan_item *it)
{
	struct pitems *pi = arg;
	struct quality_item *q;

	pi->took = 0;
	if (!pi->cur || pi->n == MAX_ITEMS)
		return 0;
	pi->took = 1;
	q = &pi->v[pi->n];
	snprintf(pi->policy[pi->n], sizeof(pi->policy[0]), "%s", it->policy);
	q->id = it->id;
	q->policy = pi->policy[pi->n];
	q->decision = it->decision;
	q->has_reason = it->decision_reason[0] != '\0';
	q->status = it->status;
	q->funds_planned = it->funds_planned;
	pi->n++;
	return 0;
}

static int
on_plan(void *arg, const struct plan *p)
{
	struct pitems *pi = arg;

	pi->cur = p->year == pi->year;
	pi->has_plan |= pi->cur;
	return 0;
}

/* The person's plan of pi->year (pi->has_plan), its items and their
 * deliveries: read with the person page's plans (plan_person_each(),
 * which runs on SQLite and PostgreSQL alike). */
static int
read_plan(struct store *s, int64_t person_id, struct pitems *pi,
    struct lf_error *err)
{
	static const struct plan_person_fns fns = { on_plan, on_item,
	    on_delivery };

	return plan_person_each(s, person_id, &fns, pi, err) != 0 ? -1 : 0;
}

/* The hits as findings_sync takes them. */
static int
to_hits(const struct quality_rules *qr, const struct store_person *p,
    const struct quality_hits *h, struct finding_hit **out,
    struct lf_error *err)
{
	struct finding_hit *v;
	size_t i;

	*out = NULL;
	if (h->n == 0)
		return 0;
	if ((v = mem_calloc(h->n, sizeof(*v))) == NULL)
		return lf_error_nomem(err);
	for (i = 0; i < h->n; i++) {
		const struct quality_rule *q = &qr->v[h->v[i].rule];

		v[i].rule = q->code;
		v[i].person_id = p->id;
		v[i].item_id = h->v[i].item_id;
		v[i].surveyor = "";
		v[i].region = p->region;
		v[i].owner_role = q->owner;
		v[i].owner_digits = q->owner_digits;
		v[i].detail = h->v[i].detail;
	}
	*out = v;
	return 0;
}

static int
evaluate(struct store *s, const struct quality_rules *qr,
    const struct policies *ps, const struct disaster *dis,
    const struct store_person *p, struct record *r, int surveyed,
    struct pitems *pi, int has_plan, int year, struct quality_hits *h,
    struct lf_error *err)
{
	struct planner_result res;
	struct quality_person qp;
	int rc;

	memset(&qp, 0, sizeof(qp));
	qp.person_id = p->id;
	qp.village = p->region;
	qp.status = p->status;
	qp.year = year;
	qp.r = surveyed ? r : NULL;
	qp.has_plan = has_plan;
	qp.items = pi->v;
	qp.nitems = pi->n;
	qp.dl = pi->dl;
	qp.ndl = pi->ndl;
	if ((rc = findings_namesake(s, p, err)) < 0)
		return -1;
	qp.dup = rc;
	if (!surveyed)
		return 0;
	planner_result_init(&res);
	rc = quality_eval(qr, ps, dis, &qp, &res, h, err);
	planner_result_free(&res);
	return rc;
}

static int
gather(struct store *s, const struct quality_rules *qr,
    const struct policies *ps, const struct disaster *dis,
    const struct store_person *p, int year, struct record *r,
    struct pitems *pi, struct quality_hits *h, int *surveyed,
    struct lf_error *err)
{
	int64_t version;

	pi->year = year;
	if ((*surveyed = store_survey_get(s, p->id, year, r, &version,
	    err)) < 0 || read_plan(s, p->id, pi, err) != 0)
		return -1;
	*surveyed = *surveyed == 0;
	return evaluate(s, qr, ps, dis, p, r, *surveyed, pi, pi->has_plan,
	    year, h, err);
}

int
findings_person(struct store *s, const struct quality_rules *qr,
    const struct policies *ps, const struct disaster *dis,
    int64_t person_id, int year, const char *actor,
    struct findings_counts *c, struct lf_error *err)
{
	struct finding_keys ex = { 0 };
	struct finding_hit *hits = NULL;
	struct quality_hits h;
	struct store_person p;
	struct pitems *pi;
	struct record *r;
	int rc = -1, found, surveyed = 0;

	quality_hits_init(&h);
	pi = mem_calloc(1, sizeof(*pi));
	r = record_new(store_catalog(s));
	if (pi == NULL || r == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	if ((found = store_person_by_id(s, person_id, &p, err)) < 0)
		goto out;
	if (found == 1) {
		rc = 0;		/* gone: nothing to check */
		goto out;
	}
	if (gather(s, qr, ps, dis, &p, year, r, pi, &h, &surveyed,
	    err) != 0 ||
	    to_hits(qr, &p, &h, &hits, err) != 0 ||
	    findings_load_persons(s, year, person_id - 1, person_id, &ex,
	    err) != 0)
		goto out;
	rc = findings_sync(s, year, &ex, hits, h.n, actor, c, err);
	if (rc == 0 && surveyed)	/* the surveyor rules, over the township */
		rc = findings_surveyors_township(s, qr, year, p.region, actor,
		    c, err);
out:
	finding_keys_free(&ex);
	mem_free(hits);
	quality_hits_free(&h);
	record_free(r);
	mem_free(pi);
	return rc;
}

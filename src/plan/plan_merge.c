/*
 * plan_merge.c - merging the planner's proposals into a plan, by the
 * refresh rules on top of plan/plan.h, and plan_build() for one person.
 * Rows are read and written through store/plan_rows.h.
 *
 * A job is one person's proposals and last year's items to carry. A plan
 * made now takes pure inserts. An existing draft has the few columns the
 * merge compares read once (a whole row is read only for an item that is
 * updated or deleted), then:
 *   1. each proposal finds the item of its key (policy, first need);
 *   2. rule items nobody touched and no proposal found are deleted;
 *   3. each item to carry is skipped when an item carries it already or
 *      an item of its key exists that cannot take it; else the proposal
 *      of its key takes it (carried_from); else it is inserted as origin
 *      carried;
 *   4. untouched rule items a proposal found are updated in place when
 *      the proposal differs; proposals that found none are inserted.
 */
#include "plan/plan_build_int.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"

#define F_MATCHED	0x01
#define F_DELETE	0x02

/* What the merge compares of an existing item, and what it decided. */
struct old_item {
	struct plan_light	 o;
	unsigned char		 flag;
};

struct build_merger {
	struct store		*s;
	const struct catalog	*cat;
	int			 year, all;
	const char		*actor;
	struct plan_clock	 now;
	struct plan_build_stats	*st;
	struct old_item		*old;
	size_t			 nold, old_cap;
	int			*match;		/* proposal -> old index, -1 */
	size_t			 match_cap;
	int64_t			*cf;		/* proposal -> carried_from */
	size_t			 cf_cap;
	unsigned char		*ins;		/* candidate: insert it */
	size_t			 ins_cap;
	struct plan_item	*full;		/* an item read whole */
	struct plan_item	*new;
	int64_t			 plan_id, person_id, region;
	int			 seq;		/* the plan's last seq */
	char			 needs[PLAN_NEEDS_MAX];
	struct plan_writer	*w;		/* new plans and items */
	int			 oom;		/* old_add() could not grow */
	int			 fresh;		/* build_merger_fresh() */
	int64_t			 next_plan;	/* its next plan id */
};

/* ---- batches ------------------------------------------------------- */

void
build_batch_clear(struct build_batch *b)
{
	b->njobs = b->nprops = b->ncands = 0;
}

void
build_batch_free(struct build_batch *b)
{
	mem_free(b->jobs);
	mem_free(b->props);
	mem_free(b->cands);
	memset(b, 0, sizeof(*b));
}

/* Appends the job of person from the planner's result. */
static int
job_add(struct build_batch *b, int64_t person_id, const char *region,
    const struct expr_ctx *ctx, const struct planner_result *res,
    struct lf_error *err)
{
	const struct planner_item *pi;
	struct build_prop *p;
	struct build_job *j;
	size_t i;

	if (mem_grow(&b->jobs, &b->jobs_cap, b->njobs + 1, sizeof(*b->jobs),
	    SIZE_MAX) || mem_grow(&b->props, &b->props_cap, b->nprops +
	    res->nitems, sizeof(*b->props), SIZE_MAX))
		return lf_error_nomem(err);
	j = &b->jobs[b->njobs++];
	j->person_id = person_id;
	snprintf(j->region, sizeof(j->region), "%s", region);
	j->month = planner_month(ctx);
	j->unmet = (int64_t)res->nunmet;
	j->prop0 = b->nprops;
	j->nprop = res->nitems;
	j->cand0 = b->ncands;
	j->ncand = 0;
	for (i = 0; i < res->nitems; i++) {
		pi = &res->items[i];
		p = &b->props[b->nprops++];
		p->pol = pi->policy;
		p->nneeds = pi->nneeds < PLANNER_MAX_NEEDS ? (int)pi->nneeds :
		    PLANNER_MAX_NEEDS;
		memcpy(p->needs, pi->needs, (size_t)p->nneeds *
		    sizeof(p->needs[0]));
		p->month = pi->month;
		p->monthly = pi->monthly;
		p->funds = pi->funds_fen;
	}
	return 0;
}

int
build_job_plan(struct build_batch *b, const struct policies *ps,
    const struct disaster *dis, int64_t person_id, const char *region,
    const struct record *r, int year, struct planner_result *res,
    struct lf_error *err)
{
	struct expr_ctx ctx;

	planner_ctx(r, year, region, dis, &ctx);
	if (planner_propose(ps, r, &ctx, 0, res, err) != 0)
		return -1;
	return job_add(b, person_id, region, &ctx, res, err);
}

int
build_cand_add(struct build_batch *b, const struct plan_carry *c,
    struct lf_error *err)
{
	if (mem_grow(&b->cands, &b->cands_cap, b->ncands + 1,
	    sizeof(*b->cands), SIZE_MAX))
		return lf_error_nomem(err);
	b->cands[b->ncands++] = *c;
	return 0;
}

/* ---- the merger ---------------------------------------------------- */

struct build_merger *
build_merger_new(struct store *s, int year, const char *actor, int all,
    struct plan_build_stats *st)
{
	struct build_merger *m = mem_calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->s = s;
	m->cat = store_catalog(s);
	m->year = year;
	m->all = all;
	m->actor = actor != NULL ? actor : "";
	m->st = st;
	plan_clock_now(&m->now);
	m->full = mem_alloc(sizeof(*m->full));
	m->new = mem_alloc(sizeof(*m->new));
	m->w = plan_writer_new(s, year, m->actor, &m->now);
	if (m->full == NULL || m->new == NULL || m->w == NULL) {
		build_merger_free(m);
		return NULL;
	}
	return m;
}

void
build_merger_free(struct build_merger *m)
{
	if (m == NULL)
		return;
	plan_writer_free(m->w);
	mem_free(m->old);
	mem_free(m->match);
	mem_free(m->cf);
	mem_free(m->ins);
	mem_free(m->full);
	mem_free(m->new);
	mem_free(m);
}

/* The refresh may change or delete only a rule item nobody touched. */
static int
refreshable(const struct plan_light *o)
{
	return o->origin == ORIGIN_RULE && !o->edited &&
	    o->decision == DECISION_PROPOSED;
}

static int
first_need_is(const char *needs, const char *code)
{
	size_t n = strcspn(needs, ",");

	return strlen(code) == n && strncmp(needs, code, n) == 0;
}

/* Two need lists start with the same code. */
static int
same_first(const char *a, const char *b)
{
	size_t n = strcspn(a, ",");

	return n == strcspn(b, ",") && strncmp(a, b, n) == 0;
}

static const char *
prop_need(const struct build_merger *m, const struct build_prop *p)
{
	return p->nneeds > 0 ? m->cat->fields[p->needs[0]].code : "";
}

/* The need codes of p, comma-separated, cut at a whole code. */
static void
needs_text(const struct build_merger *m, const struct build_prop *p,
    char out[PLAN_NEEDS_MAX])
{
	size_t len = 0, n;
	int i;

	out[0] = '\0';
	for (i = 0; i < p->nneeds; i++) {
		const char *code = m->cat->fields[p->needs[i]].code;

		n = strlen(code);
		if (len + n + (len > 0) >= PLAN_NEEDS_MAX)
			break;
		if (len > 0)
			out[len++] = ',';
		memcpy(out + len, code, n + 1);
		len += n;
	}
}

static const char *
prop_dept(const struct build_prop *p)
{
	return p->pol->dept != NULL ? p->pol->dept->code : "";
}

static int
old_add(void *arg, const struct plan_light *o)
{
	struct build_merger *m = arg;

	if (mem_grow(&m->old, &m->old_cap, m->nold + 1, sizeof(*m->old),
	    SIZE_MAX)) {
		m->oom = 1;
		return -1;
	}
	m->old[m->nold].o = *o;
	m->old[m->nold++].flag = 0;
	if (o->seq > m->seq)
		m->seq = o->seq;
	return 0;
}

/* Reads the plan's items (the compared columns) into m->old. */
static int
load_old(struct build_merger *m, struct lf_error *err)
{
	int rc;

	m->oom = 0;
	rc = plan_items_light(m->s, m->year, m->person_id, old_add, m, err);
	return rc != 0 && m->oom ? lf_error_nomem(err) : rc;
}

/* Steps 1 and 2: proposals find their items; deletions. */
static void
match_props(struct build_merger *m, const struct build_prop *props,
    size_t n)
{
	struct old_item *o;
	size_t k, i;

	for (k = 0; k < n; k++) {
		m->match[k] = -1;
		m->cf[k] = 0;
		for (i = 0; i < m->nold; i++) {
			o = &m->old[i];
			if (!(o->flag & F_MATCHED) &&
			    strcmp(o->o.policy, props[k].pol->code) == 0 &&
			    first_need_is(o->o.needs, prop_need(m, &props[k]))) {
				o->flag |= F_MATCHED;
				m->match[k] = (int)i;
				break;
			}
		}
	}
	for (i = 0; i < m->nold; i++) {
		o = &m->old[i];
		if (!(o->flag & F_MATCHED) &&
		    refreshable(&o->o))
			o->flag |= F_DELETE;
	}
}

/* An item that stays carries c already, or has c's key. */
static int
old_covers(const struct build_merger *m, const struct plan_carry *c,
    int by_key)
{
	size_t i;

	for (i = 0; i < m->nold; i++) {
		const struct old_item *o = &m->old[i];

		if (o->flag & F_DELETE)
			continue;
		if (!by_key && o->o.carried_from == c->id)
			return 1;
		if (by_key && strcmp(o->o.policy, c->policy) == 0 &&
		    same_first(o->o.needs, c->needs))
			return 1;
	}
	return 0;
}

/* The proposal with c's key, or -1. */
static int
prop_of(const struct build_merger *m, const struct build_prop *props,
    size_t n, const struct plan_carry *c)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (strcmp(props[k].pol->code, c->policy) == 0 &&
		    first_need_is(c->needs, prop_need(m, &props[k])))
			return (int)k;
	return -1;
}

/* Step 3: what becomes of each item to carry. */
static void
carry(struct build_merger *m, const struct build_prop *props, size_t n,
    const struct plan_carry *cands, size_t ncand)
{
	const struct old_item *o;
	size_t c;
	int k;

	for (c = 0; c < ncand; c++) {
		m->ins[c] = 0;
		if (old_covers(m, &cands[c], 0))
			continue;
		k = prop_of(m, props, n, &cands[c]);
		if (k >= 0 && m->match[k] >= 0) {
			o = &m->old[m->match[k]];
			if (refreshable(&o->o) &&
			    o->o.carried_from == 0 && m->cf[k] == 0) {
				m->cf[k] = cands[c].id;
				m->st->carried++;
			}
			continue;
		}
		if (k >= 0 && m->cf[k] == 0) {
			m->cf[k] = cands[c].id;
			m->st->carried++;
			continue;
		}
		if (k < 0 && old_covers(m, &cands[c], 1))
			continue;
		m->ins[c] = 1;
		m->st->carried++;
	}
}

/* ---- writes -------------------------------------------------------- */

struct new_item {
	const char	*policy, *needs, *dept, *org, *contact, *measures,
			*effect_note;
	int		 origin, month, monthly;
	int64_t		 funds, carried_from;
};

int
build_merger_fresh(struct build_merger *m, int64_t lo, int64_t hi,
    struct lf_error *err)
{
	int64_t last;
	int none;

	m->fresh = 0;
	if (plan_writer_fresh(m->w, lo, hi, &none, &last, err) != 0)
		return -1;
	m->fresh = none;
	m->next_plan = last + 1;
	return 0;
}

int
build_merger_flush(struct build_merger *m, struct lf_error *err)
{
	m->fresh = 0;
	return plan_writer_flush(m->w, err);
}

/* Copies src into dst (size n), cut to fit. */
static void
copy_text(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Queues a new item of the job's plan. */
static int
insert(struct build_merger *m, const struct build_job *j,
    const struct new_item *ni, struct lf_error *err)
{
	struct plan_row row, *r = &row;

	r->plan_id = m->plan_id;
	r->person_id = j->person_id;
	r->region = m->region;
	r->seq = ++m->seq;
	r->policy = ni->policy;
	copy_text(r->needs, sizeof(r->needs), ni->needs);
	r->origin = ni->origin;
	r->dept = ni->dept;
	r->org = ni->org;
	r->contact = ni->contact;
	r->month = ni->month;
	r->funds = ni->funds;
	r->monthly = ni->monthly;
	r->measures = ni->measures;
	r->effect_note = ni->effect_note;
	r->cf = ni->carried_from;
	return plan_writer_item(m->w, r, err);
}

static int
insert_prop(struct build_merger *m, const struct build_job *j,
    const struct build_prop *p, int64_t cf, struct lf_error *err)
{
	struct new_item ni;

	memset(&ni, 0, sizeof(ni));
	needs_text(m, p, m->needs);
	ni.policy = p->pol->code;
	ni.needs = m->needs;
	ni.dept = prop_dept(p);
	ni.origin = ORIGIN_RULE;
	ni.month = p->month;
	ni.monthly = p->monthly;
	ni.funds = p->funds;
	/* the policy's default texts (data/policy_texts.tsv): the worker
	 * edits only what differs */
	ni.measures = p->pol->measures;
	ni.effect_note = p->pol->effect;
	ni.carried_from = cf;
	m->st->inserted++;
	return insert(m, j, &ni, err);
}

static int
insert_cand(struct build_merger *m, const struct build_job *j,
    const struct plan_carry *c, struct lf_error *err)
{
	struct new_item ni;

	ni.policy = c->policy;
	ni.needs = c->needs;
	ni.dept = c->dept;
	ni.org = c->org;
	ni.contact = c->contact;
	ni.measures = c->measures;
	ni.effect_note = NULL;
	ni.origin = ORIGIN_CARRIED;
	ni.month = j->month;
	ni.monthly = c->monthly;
	ni.funds = c->funds;
	ni.carried_from = c->id;
	return insert(m, j, &ni, err);
}

/* Reads the item whole into m->full. */
static int
load_full(struct build_merger *m, int64_t id, struct lf_error *err)
{
	int rc = plan_item_load(m->s, id, m->full, err);

	return rc == 1 ? plan_not_found("item", id, err) : rc;
}

/* Step 4 for one proposal that found o: update in place or keep. */
static int
refresh(struct build_merger *m, const struct old_item *o,
    const struct build_prop *p, int64_t cf, struct lf_error *err)
{
	struct plan_item *n = m->new;
	int64_t want_cf = cf != 0 ? cf : o->o.carried_from;

	needs_text(m, p, m->needs);
	if (!refreshable(&o->o) ||
	    (strcmp(o->o.needs, m->needs) == 0 &&
	    strcmp(o->o.dept, prop_dept(p)) == 0 && o->o.funds == p->funds &&
	    o->o.month == p->month && o->o.monthly == p->monthly &&
	    o->o.carried_from == want_cf)) {
		m->st->kept++;
		return 0;
	}
	if (load_full(m, o->o.id, err) != 0)
		return -1;
	*n = *m->full;
	memcpy(n->needs, m->needs, sizeof(n->needs));
	snprintf(n->dept, sizeof(n->dept), "%s", prop_dept(p));
	n->funds_planned = p->funds;
	plan_month_text(n->year, p->month, n->planned_month);
	n->monthly = p->monthly;
	n->carried_from = want_cf;
	m->st->updated++;
	return plan_item_save(m->s, m->full, n, m->actor, &m->now, NULL, err);
}

/* A job's proposals and candidates; NULL when it has none (the batch's
 * arrays may then be NULL too, and NULL + 0 is undefined). */
static const struct build_prop *
job_props(const struct build_batch *b, const struct build_job *j)
{
	return j->nprop > 0 ? b->props + j->prop0 : NULL;
}

static const struct plan_carry *
job_cands(const struct build_batch *b, const struct build_job *j)
{
	return j->ncand > 0 ? b->cands + j->cand0 : NULL;
}

static int
apply(struct build_merger *m, const struct build_batch *b,
    const struct build_job *j, struct lf_error *err)
{
	const struct build_prop *props = job_props(b, j);
	const struct plan_carry *cands = job_cands(b, j);
	size_t i;

	for (i = 0; i < m->nold; i++) {
		if (!(m->old[i].flag & F_DELETE))
			continue;
		if (load_full(m, m->old[i].o.id, err) != 0 ||
		    plan_item_delete(m->s, m->full, m->actor, &m->now, err))
			return -1;
		m->st->deleted++;
	}
	for (i = 0; i < j->nprop; i++)
		if (m->match[i] >= 0 && refresh(m, &m->old[m->match[i]],
		    &props[i], m->cf[i], err) != 0)
			return -1;
	for (i = 0; i < m->nold; i++)
		if (!(m->old[i].flag & (F_MATCHED | F_DELETE)))
			m->st->kept++;
	for (i = 0; i < j->nprop; i++)
		if (m->match[i] < 0 && insert_prop(m, j, &props[i], m->cf[i],
		    err) != 0)
			return -1;
	for (i = 0; i < j->ncand; i++)
		if (m->ins[i] && insert_cand(m, j, &cands[i], err) != 0)
			return -1;
	return 0;
}

/* The plan of the job, made when missing; 1 when it is to be left. */
static int
open_plan(struct build_merger *m, const struct build_job *j,
    int *created, struct lf_error *err)
{
	struct plan plan;

	if (m->fresh) {
		m->plan_id = m->next_plan++;
		if (plan_writer_plan(m->w, m->plan_id, j->person_id,
		    plan_region_num(j->region), err) != 0)
			return -1;
		*created = 1;
		m->st->plans_created++;
		return 0;
	}
	if (plan_open(m->s, j->person_id, m->year, j->region, m->actor,
	    &m->now, &plan, created, err) != 0)
		return -1;
	m->plan_id = plan.id;
	if (*created) {
		m->st->plans_created++;
		return 0;
	}
	if (plan.status == PLAN_DRAFT)
		return 0;
	if (!m->all)
		return lf_error_set(err, "state", "status", "计划已确认, 不能"
		    "刷新 (the plan is no longer a draft; reopen it first)");
	m->st->skipped++;
	return 1;
}

int
build_merge(struct build_merger *m, const struct build_batch *b,
    const struct build_job *j, struct lf_error *err)
{
	int created = 0, rc;

	m->st->persons++;
	m->st->unmet += j->unmet;
	if ((rc = open_plan(m, j, &created, err)) != 0)
		return rc < 0 ? -1 : 0;
	m->region = plan_region_num(j->region);
	m->person_id = j->person_id;
	m->nold = 0;
	m->seq = 0;
	if (mem_grow(&m->match, &m->match_cap, j->nprop + 1,
	    sizeof(*m->match), SIZE_MAX) || mem_grow(&m->cf, &m->cf_cap,
	    j->nprop + 1, sizeof(*m->cf), SIZE_MAX) || mem_grow(&m->ins,
	    &m->ins_cap, j->ncand + 1, sizeof(*m->ins), SIZE_MAX))
		return lf_error_nomem(err);
	if (!created && load_old(m, err) != 0)
		return -1;
	match_props(m, job_props(b, j), j->nprop);
	carry(m, job_props(b, j), j->nprop, job_cands(b, j), j->ncand);
	return apply(m, b, j, err);
}

/* ---- one person ---------------------------------------------------- */

struct cand_sink {
	struct build_batch	*b;
	struct lf_error		*err;
};

static int
cand_add(void *arg, const struct plan_carry *c)
{
	struct cand_sink *k = arg;

	return build_cand_add(k->b, c, k->err);
}

/* Last year's items of the person to carry, into the job. */
static int
carried_of(struct store *s, struct build_batch *b, struct build_job *j,
    int year, struct lf_error *err)
{
	struct cand_sink k = { b, err };
	int rc = plan_carry_of(s, year - 1, j->person_id, cand_add, &k, err);

	j->ncand = b->ncands - j->cand0;
	return rc;
}

static int
build_one(struct store *s, struct build_batch *b, int year,
    const char *actor, struct plan_build_stats *stats, struct lf_error *err)
{
	struct build_merger *m;
	enum plan_tx tx;
	int rc = -1;

	if ((m = build_merger_new(s, year, actor, 0, stats)) == NULL)
		return lf_error_nomem(err);
	if (plan_tx_begin(s, &tx, err) == 0) {
		if (carried_of(s, b, &b->jobs[0], year, err) == 0 &&
		    build_merge(m, b, &b->jobs[0], err) == 0)
			rc = build_merger_flush(m, err);
		rc = plan_tx_end(s, tx, rc, err);
	}
	build_merger_free(m);
	return rc;
}

int
plan_build(struct store *s, const struct policies *ps,
    const struct disaster *dis, const struct store_person *p,
    const struct record *r, int year, const char *actor,
    struct plan_build_stats *stats, struct lf_error *err)
{
	struct plan_build_stats local;
	struct planner_result res;
	struct build_batch b;
	int rc = -1;

	if (year < PLAN_YEAR_MIN || year > PLAN_YEAR_MAX)
		return lf_error_set(err, "invalid", "year", "年度无效 (year %d "
		    "is out of range)", year);
	memset(&local, 0, sizeof(local));
	memset(&b, 0, sizeof(b));
	planner_result_init(&res);
	if (build_job_plan(&b, ps, dis, p->id, p->region, r, year, &res,
	    err) == 0)
		rc = build_one(s, &b, year, actor, &local, err);
	if (rc == 0 && stats != NULL) {
		stats->persons += local.persons;
		stats->plans_created += local.plans_created;
		stats->inserted += local.inserted;
		stats->updated += local.updated;
		stats->deleted += local.deleted;
		stats->kept += local.kept;
		stats->carried += local.carried;
		stats->unmet += local.unmet;
		stats->skipped += local.skipped;
	}
	planner_result_free(&res);
	build_batch_free(&b);
	return rc;
}

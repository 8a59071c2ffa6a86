/*
 * stats.c - persons, service items and the running totals of the
 * statistics (see stats.h, stats_int.h).
 *
 * Every change of a person is "take the old contribution out, put the
 * new one in": stats_acc_person() with s = -1 over the old state, then
 * the state is replaced, then s = +1, on the running totals of every
 * region above the village. Everything that can fail (allocation,
 * validation) happens before the first counter moves, so a failed call
 * leaves the statistics exactly as they were.
 */
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "plan/planner.h"
#include "stats/stats_int.h"

#define MAX_DEPTH	8		/* region levels above a village */
#define MAX_ACC		(MAX_DEPTH + STATS_NPIV)
#define MAX_ITEMS	100000		/* service items of one person */
#define MAX_ID		INT64_C(2147483647)
#define FUNDS_LIM	(INT64_C(1) << 47)

_Static_assert(NBATCHES <= 8, "a batch takes 3 bits of stats_sitem.mf");

static int
bad(struct lf_error *err, const char *field, const char *zh, const char *en)
{
	return lf_error_set(err, "invalid", field, "统计: %s (stats: %s)",
	    zh, en);
}

/* ---- survey coding ----------------------------------------------- */

static int
encode_one(const struct stats *st, const struct stats_col *c,
    const struct record *r, uint64_t *out, struct lf_error *err)
{
	const struct field *f = c->f;
	const struct field_option *o;
	int64_t v = r->num[f->index];
	uint64_t m = 0, bits;
	int code;

	*out = 0;
	if (!r->set[f->index])
		return 0;
	switch (c->kind) {
	case SK_ENUM:
		o = v < INT32_MIN || v > INT32_MAX ? NULL :
		    field_option(f, (int)v);
		if (o == NULL)
			return bad(err, f->code, "选项不存在",
			    "no such option");
		*out = (uint64_t)(o - f->options) + 1;
		return 0;
	case SK_BOOL:
		if (v != 0 && v != 1)
			return bad(err, f->code, "是否值无效", "bad yes/no");
		*out = (uint64_t)v + 1;
		return 0;
	case SK_MULTI:
		for (bits = (uint64_t)v; bits != 0; bits &= bits - 1) {
			code = __builtin_ctzll(bits);
			if (code == 63 || c->midx[code] < 0)
				return bad(err, f->code, "选项不存在",
				    "no such option");
			m |= (uint64_t)1 << c->midx[code];
		}
		*out = m | ((uint64_t)1 << c->ncols);
		return 0;
	case SK_BAND:
		*out = stats_bands_of(st, c, v) + 1;
		return 0;
	default:
		*out = 1;
		return 0;
	}
}

/* The survey's codes into st->enc, its yes needs into st->yes. */
static int
encode(struct stats *st, const struct record *r, struct lf_error *err)
{
	size_t k, j;

	memset(st->enc, 0, st->ncols * sizeof(uint64_t));
	memset(st->xenc, 0, st->ncols * sizeof(int64_t));
	memset(st->yes, 0, st->nw * sizeof(uint64_t));
	if (r == NULL)
		return 0;
	for (k = 0; k < st->ncols; k++) {
		if (encode_one(st, &st->cols[k], r, &st->enc[k], err) != 0)
			return -1;
		if (st->cols[k].kind == SK_BAND && r->set[st->cols[k].f->index])
			st->xenc[k] = r->num[st->cols[k].f->index];
	}
	for (j = 0; j < st->nneed; j++)
		if (planner_need_yes(st->cat, r, st->need_field[j]))
			st->yes[j / 64] |= (uint64_t)1 << (j % 64);
	return 0;
}

/* ---- village blocks ---------------------------------------------- */

static int
block_relayout(const struct stats *st, struct stats_vblock *b,
    uint32_t cap)
{
	unsigned char *nd;
	size_t c;

	nd = mem_alloc((size_t)cap * st->rowbytes);
	if (nd == NULL)
		return -1;
	for (c = 0; c < st->npcols && b->n > 0; c++)
		memcpy(nd + st->pcols[c].pos * cap, stats_colp(b,
		    st->pcols[c].pos), (size_t)b->n * st->pcols[c].width);
	mem_free(b->data);
	b->data = nd;
	b->cap = cap;
	return 0;
}

/* Room for one more person (growth by half: less slack per village).
 * No overflow: ids are below 2^31, so n is, and cap stays below 2^32. */
static int
block_reserve(const struct stats *st, struct stats_vblock *b)
{
	if (b->n < b->cap)
		return 0;
	return block_relayout(st, b, b->cap ? b->cap + b->cap / 2 : 4);
}

static void
block_shrink(const struct stats *st, struct stats_vblock *b)
{
	if (b->n == 0) {
		mem_free(b->data);
		b->data = NULL;
		b->cap = 0;
	} else if (b->cap > 8 && b->n <= b->cap / 4)
		(void)block_relayout(st, b, b->cap / 2);
}

static void
slot_copy(const struct stats *st, struct stats_vblock *b, size_t dst,
    size_t src)
{
	size_t c, w;
	unsigned char *p;

	for (c = 0; c < st->npcols; c++) {
		w = st->pcols[c].width;
		p = stats_colp(b, st->pcols[c].pos);
		memcpy(p + dst * w, p + src * w, w);
	}
}

/* Removes slot i of village v; the last person takes its place. */
static void
block_remove(struct stats *st, int32_t v, uint32_t i)
{
	struct stats_vblock *b = &st->vb[v];
	int64_t moved;

	if (i != b->n - 1) {
		slot_copy(st, b, i, b->n - 1);
		moved = ((int64_t *)(void *)stats_colp(b, st->pos_id))[i];
		st->loc[moved].i = i;
	}
	b->n--;
}

static void
set_value(const struct stats *st, struct stats_vblock *b, size_t k,
    size_t i, uint64_t v)
{
	const struct stats_col *c = &st->cols[k];
	unsigned char *p = stats_colp(b, c->pos);

	switch (c->width) {
	case 1:
		p[i] = (unsigned char)v;
		break;
	case 2:
		((uint16_t *)(void *)p)[i] = (uint16_t)v;
		break;
	case 4:
		((uint32_t *)(void *)p)[i] = (uint32_t)v;
		break;
	default:
		((uint64_t *)(void *)p)[i] = v;
	}
}

/* The exact value of banded field k (st->xenc) into person i. */
static void
set_exact(const struct stats *st, struct stats_vblock *b, size_t k,
    size_t i)
{
	if (st->cols[k].kind == SK_BAND)
		((int64_t *)(void *)stats_colp(b, st->cols[k].xpos))[i] =
		    st->xenc[k];
}

/* The age column's value of the person in st->enc / st->xenc
 * (stats_int.h): the row evaluator's age at the survey's date. */
static int16_t
age_code(const struct stats *st)
{
	int ref = st->july1, y, m, d, a;

	if (st->enc[st->age_k] == 0)
		return STATS_AGE_NONE;
	if (st->aref_k >= 0 && st->enc[st->aref_k] != 0)
		ref = (int)st->xenc[st->aref_k];	/* as planner_ctx() */
	date_to_ymd(ref, &y, &m, &d);
	a = date_age((int)st->xenc[st->age_k], ref);
	if ((m == 2 && d == 29) || a < 0 || a > STATS_AGE_MAX)
		return STATS_AGE_EXACT;
	return (int16_t)a;
}

static void
set_age(const struct stats *st, struct stats_vblock *b, size_t i)
{
	if (st->age_k >= 0)
		((int16_t *)(void *)stats_colp(b, st->pos_age))[i] =
		    age_code(st);
}

static void
slot_write(const struct stats *st, struct stats_vblock *b, size_t i,
    int64_t id, uint32_t items, unsigned flags)
{
	size_t k;

	((int64_t *)(void *)stats_colp(b, st->pos_id))[i] = id;
	stats_items_col(st, b)[i] = items;
	if (st->nw > 0)
		memcpy(stats_colp(b, st->pos_yes) + i * 8 * st->nw, st->yes,
		    8 * st->nw);
	for (k = 0; k < st->ncols; k++) {
		set_value(st, b, k, i, st->enc[k]);
		set_exact(st, b, k, i);
	}
	set_age(st, b, i);
	stats_colp(b, st->pos_flags)[i] = (unsigned char)flags;
}

/* ---- running totals ---------------------------------------------- */

/* The regions above village ordinal v. */
static size_t
ancestors(const struct stats *st, int32_t v, int *anc)
{
	int r = st->rs->v[st->vreg[v]].parent;
	size_t n = 0;

	for (; r >= 0 && n < MAX_DEPTH; r = st->rs->v[r].parent)
		anc[n++] = r;
	return n;
}

static void
tot_release(struct stats *st, const int *anc, size_t na)
{
	size_t j;

	for (j = 0; j < na; j++) {
		if (st->tot[anc[j]] == NULL || st->tot[anc[j]]->npersons != 0)
			continue;
		stats_slice_release(st, anc[j]);
		mem_free(st->tot[anc[j]]);
		st->tot[anc[j]] = NULL;
		st->ntot--;
	}
}

static int
tot_ensure(struct stats *st, const int *anc, size_t na)
{
	struct stats_tot *t;
	size_t j;

	for (j = 0; j < na; j++) {
		if (st->tot[anc[j]] != NULL)
			continue;
		t = mem_calloc(1, st->totbytes);
		if (t == NULL || stats_slice_ensure(st, anc[j]) != 0) {
			mem_free(t);
			tot_release(st, anc, na);
			return -1;
		}
		t->money = (int64_t *)(void *)(t + 1);
		t->cnt = (int32_t *)(void *)(t->money + st->nmoney);
		st->tot[anc[j]] = t;
		st->ntot++;
	}
	return 0;
}

/* The running totals above village v as accumulators; persons (s) is
 * added to their counts of persons held. */
static size_t
accs(struct stats *st, int32_t v, struct stats_acc *acc, int persons)
{
	int anc[MAX_DEPTH];
	size_t na, j;

	na = ancestors(st, v, anc);
	for (j = 0; j < na; j++) {
		acc[j].cnt = st->tot[anc[j]]->cnt;
		acc[j].money = st->tot[anc[j]]->money;
		st->tot[anc[j]]->npersons += persons;
	}
	return na;
}

/* Person at l in or out (s) of the totals above it and of its county's
 * slices, sections secs. */
static void
contrib(struct stats *st, struct stats_loc l, int s, unsigned secs)
{
	struct stats_acc acc[MAX_ACC];
	size_t na;

	na = accs(st, l.v, acc, secs == SS_ALL ? s : 0);
	na += stats_slice_accs(st, l.v, &st->vb[l.v], l.i, acc + na);
	stats_acc_person(st, &st->vb[l.v], l.i, acc, na, s, secs);
}

/* Person at l in or out (s) of its county's slices only. */
static void
slices(struct stats *st, struct stats_loc l, int s)
{
	struct stats_acc acc[STATS_NPIV];
	size_t na;

	na = stats_slice_accs(st, l.v, &st->vb[l.v], l.i, acc);
	stats_acc_person(st, &st->vb[l.v], l.i, acc, na, s, SS_ALL);
}

static int
fields_counted(unsigned flags)
{
	return (flags & (STATS_F_STATUS | STATS_F_SURVEY)) ==
	    (STATS_ACTIVE | STATS_F_SURVEY);
}

/* The person at l takes the new survey (st->enc, st->yes) and flags in
 * place: only the items whose code changed move in the totals. */
static void
update_in_place(struct stats *st, struct stats_loc l, unsigned flags)
{
	struct stats_vblock *b = &st->vb[l.v];
	struct stats_acc acc[MAX_DEPTH];
	size_t na = accs(st, l.v, acc, 0), k;
	int was = fields_counted(stats_flags(st, b, l.i));
	int will = fields_counted(flags);
	uint64_t ov, nv;

	slices(st, l, -1);	/* a pivot's value may change: all of it */
	stats_acc_person(st, b, l.i, acc, na, -1, SS_PLAN);
	for (k = 0; k < st->ncols; k++) {
		ov = stats_get(st, b, k, l.i);
		nv = st->enc[k];
		set_exact(st, b, k, l.i);
		if (ov == nv && was == will)
			continue;
		if (was)
			stats_acc_field(st, k, ov, acc, na, -1);
		if (will)
			stats_acc_field(st, k, nv, acc, na, 1);
		set_value(st, b, k, l.i, nv);
	}
	if (st->nw > 0)
		memcpy(stats_colp(b, st->pos_yes) + l.i * 8 * st->nw, st->yes,
		    8 * st->nw);
	set_age(st, b, l.i);
	stats_colp(b, st->pos_flags)[l.i] = (unsigned char)flags;
	stats_acc_person(st, b, l.i, acc, na, 1, SS_PLAN);
	slices(st, l, 1);
}

/* ---- persons ----------------------------------------------------- */

static int
loc_reserve(struct stats *st, int64_t id)
{
	struct stats_loc *nl;
	size_t n, i;

	if ((size_t)id < st->nloc)
		return 0;
	n = st->nloc < 1024 ? 1024 : 2 * st->nloc;
	if (n <= (size_t)id)
		n = (size_t)id + 1;
	nl = mem_realloc(st->loc, n * sizeof(*nl));
	if (nl == NULL)
		return -1;
	for (i = st->nloc; i < n; i++) {
		nl[i].v = -1;
		nl[i].i = 0;
	}
	st->loc = nl;
	st->nloc = n;
	return 0;
}

static int
held(const struct stats *st, int64_t id)
{
	return id >= 1 && (size_t)id < st->nloc && st->loc[id].v >= 0;
}

static int
check_person(const struct stats *st, int64_t id, const char *village,
    int status, const struct record *survey, int32_t *ord,
    struct lf_error *err)
{
	const struct region *r;

	if (id < 1 || id > MAX_ID)
		return bad(err, "person_id", "人员编号无效", "bad person id");
	if (status < 1 || status > 3)
		return bad(err, "status", "人员状态无效", "bad status");
	r = village != NULL && strlen(village) == 12 ?
	    regions_find(st->rs, village) : NULL;
	if (r == NULL || r->level != RL_VILLAGE)
		return bad(err, "village", "村(社区)代码无效",
		    "not a village of the region table");
	if (survey != NULL && survey->cat != st->cat)
		return bad(err, "survey", "调查表目录不符",
		    "survey of another catalog");
	*ord = st->vlo[r - st->rs->v];
	return 0;
}

/* Room in village block b for the person at old (not of b), with their
 * items: -1 when memory runs out, b then as it was. */
static int
room_for(struct stats *st, struct stats_vblock *b, struct stats_loc old)
{
	const struct stats_pitems *p = NULL;

	if (old.v >= 0)
		p = stats_items_of(st, &st->vb[old.v], old.i);
	if (p != NULL &&
	    stats_pool_reserve(st, b, stats_chunk_words(st, p->n)) != 0)
		return -1;
	if (block_reserve(st, b) != 0) {
		stats_pool_trim(st, b);
		return -1;
	}
	return 0;
}

/* Copies the items of the person at old into b's pool (reserved). */
static uint32_t
move_items(struct stats *st, struct stats_vblock *b, struct stats_loc old)
{
	struct stats_vblock *ob = &st->vb[old.v];
	const struct stats_pitems *p = stats_items_of(st, ob, old.i);
	uint32_t off = STATS_NOITEMS;
	size_t words;

	if (p == NULL)
		return off;
	words = stats_chunk_words(st, p->n);
	memcpy(stats_pool_take(b, words, &off), p, words * sizeof(uint64_t));
	st->nitems += (int64_t)p->n;
	stats_pool_drop(st, ob, stats_items_col(st, ob)[old.i]);
	return off;
}

/* After a person left village block v (moved away or removed): gives
 * back what it and the totals above no longer need. */
static void
left(struct stats *st, int32_t v)
{
	int anc[MAX_DEPTH];
	size_t na;

	na = ancestors(st, v, anc);
	tot_release(st, anc, na);
	block_shrink(st, &st->vb[v]);
	stats_pool_trim(st, &st->vb[v]);
}

int
stats_person_set(struct stats *st, int64_t id, const char *village,
    int status, const struct record *survey, struct lf_error *err)
{
	struct stats_loc old, nl;
	struct stats_vblock *b;
	uint32_t items = STATS_NOITEMS;
	int anc[MAX_DEPTH];
	unsigned flags;
	size_t na;
	int32_t ord = -1;

	if (check_person(st, id, village, status, survey, &ord, err) != 0 ||
	    encode(st, survey, err) != 0)
		return -1;
	if (loc_reserve(st, id) != 0)
		return lf_error_nomem(err);
	old = st->loc[id];
	b = &st->vb[ord];
	na = ancestors(st, ord, anc);
	if (tot_ensure(st, anc, na) != 0)
		return lf_error_nomem(err);
	if (old.v != ord && room_for(st, b, old) != 0) {
		tot_release(st, anc, na);
		return lf_error_nomem(err);
	}
	flags = (unsigned)status | (survey != NULL ? STATS_F_SURVEY : 0);
	if (old.v == ord) {
		flags |= stats_flags(st, b, old.i) & STATS_F_PLAN;
		update_in_place(st, old, flags);
		return 0;
	}
	if (old.v >= 0) {
		contrib(st, old, -1, SS_ALL);
		flags |= stats_flags(st, &st->vb[old.v], old.i) & STATS_F_PLAN;
		items = move_items(st, b, old);
		block_remove(st, old.v, old.i);
	} else
		st->npersons++;
	nl.v = ord;
	nl.i = b->n++;
	slot_write(st, b, nl.i, id, items, flags);
	st->loc[id] = nl;
	contrib(st, nl, 1, SS_ALL);
	if (old.v >= 0)
		left(st, old.v);
	return 0;
}

void
stats_person_remove(struct stats *st, int64_t id)
{
	struct stats_vblock *b;
	struct stats_loc l;

	if (!held(st, id))
		return;
	l = st->loc[id];
	b = &st->vb[l.v];
	contrib(st, l, -1, SS_ALL);
	stats_pool_drop(st, b, stats_items_col(st, b)[l.i]);
	block_remove(st, l.v, l.i);
	st->loc[id].v = -1;
	st->npersons--;
	left(st, l.v);
}

/* ---- service items ----------------------------------------------- */

static int
check_item(const struct stats *st, const struct stats_item *it,
    struct lf_error *err)
{
	size_t j;

	if (it->policy < -1 || (it->policy >= 0 &&
	    ((size_t)it->policy >= st->ps->n ||
	    it->policy >= (int)STATS_NONE16)))
		return bad(err, "policy", "政策无效", "bad policy index");
	if (it->dept < -1 || (it->dept >= 0 &&
	    ((size_t)it->dept >= st->ndept || it->dept >= 0xff)))
		return bad(err, "dept", "部门无效", "bad department index");
	if (it->decision < 0 || it->decision > 2)
		return bad(err, "decision", "决定无效", "bad decision");
	if (it->status < 1 || it->status > 4)
		return bad(err, "status", "项目状态无效", "bad item status");
	if (it->effect < 0 || it->effect > 4)
		return bad(err, "effect", "成效无效", "bad effect");
	if (it->month < 1 || it->month > 12)
		return bad(err, "month", "计划月份无效", "bad month");
	if (it->planned <= -FUNDS_LIM || it->planned >= FUNDS_LIM)
		return bad(err, "planned", "计划资金超限", "planned funds "
		    "out of range");
	if (it->spent <= -FUNDS_LIM || it->spent >= FUNDS_LIM)
		return bad(err, "spent", "支出超限", "spent out of range");
	if (it->nneeds > 0 && it->needs == NULL)
		return bad(err, "needs", "需求无效", "bad needs");
	for (j = 0; j < it->nneeds; j++)
		if (it->needs[j] < 0 || (size_t)it->needs[j] >=
		    st->cat->nfields || st->need_of[it->needs[j]] < 0)
			return bad(err, "needs", "需求无效", "not a need item");
	return 0;
}

static void
split_funds(int64_t v, int16_t *hi, uint32_t *lo)
{
	*lo = (uint32_t)v;
	*hi = (int16_t)((v - (int64_t)*lo) / ((int64_t)1 << 32));
}

static void
item_pack(struct stats *st, struct stats_pitems *p,
    const struct stats_item *it)
{
	struct stats_sitem *s = (struct stats_sitem *)(void *)(p->w +
	    2 * st->nw) + p->n++;
	size_t j, n;

	split_funds(it->planned, &s->planned_hi, &s->planned_lo);
	split_funds(it->spent, &s->spent_hi, &s->spent_lo);
	s->policy = it->policy < 0 ? STATS_NONE16 : (uint16_t)it->policy;
	if (it->decision == 1)
		s->policy |= STATS_ACCEPTED;
	if (it->status == 4)
		s->policy |= STATS_NOTDONE;
	s->dept = it->dept < 0 ? STATS_NONE8 : (uint8_t)it->dept;
	s->mf = (uint8_t)(it->month | (it->policy < 0 ? BATCH_NONE :
	    st->ps->v[it->policy].batch) << STATS_BATCH_SH);
	if (it->status == 3)
		s->mf |= STATS_DONE;
	for (j = 0; j < it->nneeds; j++) {
		n = (size_t)st->need_of[it->needs[j]];
		p->w[n / 64] |= (uint64_t)1 << (n % 64);
		if (it->status == 3)
			p->w[st->nw + n / 64] |= (uint64_t)1 << (n % 64);
	}
}

static int
check_items(const struct stats *st, int64_t id, int plan_status,
    const struct stats_item *items, size_t n, struct lf_error *err)
{
	size_t j;

	if (!held(st, id))
		return bad(err, "person_id", "人员未登记", "person not set");
	if (plan_status < 0 || plan_status > 3)
		return bad(err, "plan_status", "计划状态无效",
		    "bad plan status");
	if (n > MAX_ITEMS)
		return bad(err, "items", "服务项目过多", "too many items");
	if (n > 0 && items == NULL)
		return bad(err, "items", "服务项目缺失", "items missing");
	for (j = 0; j < n; j++)
		if (check_item(st, &items[j], err) != 0)
			return -1;
	return 0;
}

int
stats_items_set(struct stats *st, int64_t id, int plan_status,
    const struct stats_item *items, size_t n, struct lf_error *err)
{
	struct stats_pitems *p = NULL;
	struct stats_vblock *b;
	struct stats_loc l;
	size_t j, counted = 0;
	uint32_t off = STATS_NOITEMS, *col;
	unsigned char *fl;

	if (check_items(st, id, plan_status, items, n, err) != 0)
		return -1;
	for (j = 0; j < n; j++)
		counted += items[j].decision != 2;
	l = st->loc[id];
	b = &st->vb[l.v];
	if (counted > 0) {
		if (stats_pool_reserve(st, b, stats_chunk_words(st,
		    counted)) != 0)
			return lf_error_nomem(err);
		p = stats_pool_take(b, stats_chunk_words(st, counted), &off);
		for (j = 0; j < n; j++)
			if (items[j].decision != 2)
				item_pack(st, p, &items[j]);
		st->nitems += (int64_t)counted;
	}
	contrib(st, l, -1, SS_PLAN);
	col = stats_items_col(st, b);
	stats_pool_drop(st, b, col[l.i]);
	col[l.i] = off;
	fl = &stats_colp(b, st->pos_flags)[l.i];
	*fl = (unsigned char)((*fl & ~STATS_F_PLAN) |
	    (unsigned)plan_status << STATS_F_PLAN_SH);
	contrib(st, l, 1, SS_PLAN);
	stats_pool_trim(st, b);
	return 0;
}

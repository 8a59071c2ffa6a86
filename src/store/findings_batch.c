/*
 * findings_batch.c - findings_batch(): every rule over a year's
 * population in one pass (findings_batch.h).
 *
 * The pass pages through the year's surveys in person order, PAGE
 * persons a query, decoding only the items that are not secret (no rule
 * reads a secret item, so nothing is decrypted); for the same range of
 * person ids it reads the plans, the items and the deliveries with one
 * range query each (indexes items_person and deliveries_item), and the
 * findings already stored. Each person is then evaluated and synced.
 * Writes go in transactions of CHUNK pages. Memory: a page of records and
 * items, the hash of registration keys (duplicates) and the surveyors'
 * fingerprints.
 */
#include "store/findings_batch.h"
#include "store/plan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"

#ifndef LF_TESTING
#define PAGE		512
#define CHUNK		40
#else
#define PAGE		8
#define CHUNK		3
#endif

struct bitem {
	int64_t			 person_id;
	struct quality_item	 q;
	char			 policy[32];
};

struct bdl {
	int64_t			 person_id;
	struct quality_delivery	 d;
};

struct bperson {
	int64_t		 id;
	char		 region[13];
	int		 status;
	int		 has_plan;
};

struct batch {
	struct store			*s;
	const struct quality_rules	*qr;
	const struct policies		*ps;
	const struct disaster		*dis;
	const char			*actor;
	int				 year;
	char				 prefix[13];
	int64_t				 lo, hi;	/* villages */
	sqlite3_stmt			*page, *items, *dls, *plans;
	struct record			*rec[PAGE];
	struct bperson			 per[PAGE];
	size_t				 n;
	struct bitem			*it;
	size_t				 nit, itcap;
	struct bdl			*dl;
	size_t				 ndl, dlcap;
	struct quality_item		*qit;
	struct quality_delivery		*qdl;
	size_t				 qcap, qdlcap;
	struct finding_keys		 ex;
	struct finding_hit		*fh;
	size_t				 fhcap;
	struct quality_hits		 hits;
	struct planner_result		 res;
	struct quality_dups		*dups;
	struct quality_surveyors	*svs;
	int				 f_surveyor;
	struct findings_batch_stats	*st;
};

static int
db_error(struct batch *b, struct lf_error *err)
{
	return store_sqlite_error(b->s, "quality batch", err);
}

/* ---- the statements ------------------------------------------------ */

static int
page_sql(const struct batch *b, struct buf *q)
{
	(void)b;
	if (buf_adds(q, "SELECT s.person_id, p.region, p.status, p.name, "
	    "p.gender, p.birth_date, s.rec") != 0)
		return -1;
	return buf_adds(q, " FROM surveys s JOIN persons p ON p.id = "
	    "s.person_id WHERE s.year = ?1 AND s.person_id > ?2 AND p.region "
	    ">= ?3 AND p.region < ?4 ORDER BY s.person_id LIMIT ?5");
}

static int
prepare(struct batch *b, const char *sql, sqlite3_stmt **st,
    struct lf_error *err)
{
	if (sqlite3_prepare_v3(b->s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    st, NULL) != SQLITE_OK)
		return db_error(b, err);
	return 0;
}

static int
open_stmts(struct batch *b, struct lf_error *err)
{
	struct buf q;
	int rc;

	buf_init(&q, 1 << 16);
	rc = page_sql(b, &q) != 0 ? lf_error_nomem(err) :
	    prepare(b, buf_str(&q), &b->page, err);
	buf_free(&q);
	if (rc != 0)
		return -1;
	return prepare(b, "SELECT person_id, id, policy, decision, "
	    "coalesce(decision_reason, '') <> '', status, funds_planned FROM "
	    "items WHERE year = ?1 AND person_id > ?2 AND person_id <= ?3 "
	    "ORDER BY person_id, seq", &b->items, err) != 0 ||
	    prepare(b, "SELECT i.person_id, d.item_id, d.date FROM items i "
	    "JOIN deliveries d ON d.item_id = i.id WHERE i.year = ?1 AND "
	    "i.person_id > ?2 AND i.person_id <= ?3 ORDER BY i.person_id",
	    &b->dls, err) != 0 ||
	    prepare(b, "SELECT person_id FROM plans WHERE person_id > ?2 AND "
	    "person_id <= ?3 AND +year = ?1 ORDER BY person_id",	/* the
	    (person_id, year) index, not the year's whole range */
	    &b->plans, err) != 0 ? -1 : 0;
}

/* ---- reading a page ------------------------------------------------ */

static int
read_row(struct batch *b, struct record *r, struct bperson *p,
    struct lf_error *err)
{
	sqlite3_stmt *st = b->page;
	const char *name, *birth;

	p->id = sqlite3_column_int64(st, 0);
	store_copy_col(st, 1, p->region, sizeof(p->region));
	p->status = sqlite3_column_int(st, 2);
	p->has_plan = 0;
	name = (const char *)sqlite3_column_text(st, 3);
	birth = (const char *)sqlite3_column_text(st, 5);
	if (quality_dups_add(b->dups, quality_dup_key(name ? name : "",
	    sqlite3_column_int(st, 4), birth ? birth : ""), p->id) != 0)
		return lf_error_nomem(err);
	return store_rec_read(b->s, st, 6, r, PACKREC_SKIP, err);
}

static int
read_page(struct batch *b, int64_t after, struct lf_error *err)
{
	sqlite3_stmt *st = b->page;
	char lo[13], hi[13];
	int rc;

	snprintf(lo, sizeof(lo), "%012lld", (long long)b->lo);
	snprintf(hi, sizeof(hi), "%012lld", (long long)b->hi);
	sqlite3_bind_int(st, 1, b->year);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_text(st, 3, lo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, b->hi >= 1000000000000LL ? ":" : hi, -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 5, PAGE);
	b->n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (read_row(b, b->rec[b->n], &b->per[b->n], err) != 0) {
			sqlite3_reset(st);
			return -1;
		}
		b->n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(b, err);
}

static void
bind_range(struct batch *b, sqlite3_stmt *st, int64_t from, int64_t to)
{
	sqlite3_bind_int(st, 1, b->year);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
}

static int
read_items(struct batch *b, int64_t from, int64_t to, struct lf_error *err)
{
	sqlite3_stmt *st = b->items;
	struct bitem *x;
	int rc;

	b->nit = 0;
	bind_range(b, st, from, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (mem_grow(&b->it, &b->itcap, b->nit + 1, sizeof(*b->it),
		    SIZE_MAX) != 0) {
			sqlite3_reset(st);
			return lf_error_nomem(err);
		}
		x = &b->it[b->nit++];
		x->person_id = sqlite3_column_int64(st, 0);
		x->q.id = sqlite3_column_int64(st, 1);
		store_copy_col(st, 2, x->policy, sizeof(x->policy));
		x->q.decision = sqlite3_column_int(st, 3);
		x->q.has_reason = sqlite3_column_int(st, 4);
		x->q.status = sqlite3_column_int(st, 5);
		x->q.funds_planned = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(b, err);
}

static int
read_dls(struct batch *b, int64_t from, int64_t to, struct lf_error *err)
{
	sqlite3_stmt *st = b->dls;
	const char *d;
	int rc, days;

	b->ndl = 0;
	bind_range(b, st, from, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d = (const char *)sqlite3_column_text(st, 2);
		if (d == NULL || date_parse(d, &days) != 0)
			continue;
		if (mem_grow(&b->dl, &b->dlcap, b->ndl + 1, sizeof(*b->dl),
		    SIZE_MAX) != 0) {
			sqlite3_reset(st);
			return lf_error_nomem(err);
		}
		b->dl[b->ndl].person_id = sqlite3_column_int64(st, 0);
		b->dl[b->ndl].d.item_id = sqlite3_column_int64(st, 1);
		b->dl[b->ndl].d.date = days;
		b->ndl++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(b, err);
}

static int
read_plans(struct batch *b, int64_t from, int64_t to, struct lf_error *err)
{
	sqlite3_stmt *st = b->plans;
	size_t k = 0;
	int64_t pid;
	int rc;

	bind_range(b, st, from, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pid = sqlite3_column_int64(st, 0);
		while (k < b->n && b->per[k].id < pid)
			k++;
		if (k < b->n && b->per[k].id == pid)
			b->per[k].has_plan = 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(b, err);
}

/* ---- one person ---------------------------------------------------- */

/* Stored findings of rules evaluated per person (not the global ones). */
static int
per_person_rule(const struct batch *b, const char *code)
{
	const struct quality_rule *q = quality_rule_find(b->qr, code);

	return q == NULL || !quality_rule_is_global(q);
}

static int
person_hits(struct batch *b, const struct bperson *p, size_t *nfh,
    struct lf_error *err)
{
	size_t i;

	*nfh = 0;
	if (mem_grow(&b->fh, &b->fhcap, b->hits.n, sizeof(*b->fh),
	    SIZE_MAX) != 0)
		return lf_error_nomem(err);
	for (i = 0; i < b->hits.n; i++) {
		const struct quality_rule *q = &b->qr->v[b->hits.v[i].rule];
		struct finding_hit *h = &b->fh[(*nfh)++];

		b->st->hits[q->index]++;
		h->rule = q->code;
		h->person_id = p->id;
		h->item_id = b->hits.v[i].item_id;
		h->surveyor = "";
		h->region = p->region;
		h->owner_role = q->owner;
		h->owner_digits = q->owner_digits;
		h->detail = b->hits.v[i].detail;
	}
	return 0;
}

static int
surveyor_add(struct batch *b, const struct bperson *p, const struct record *r)
{
	char tw[10];

	if (b->f_surveyor < 0 || !r->set[b->f_surveyor])
		return 0;
	snprintf(tw, sizeof(tw), "%.9s", p->region);
	return quality_surveyors_add(b->svs, r->str[b->f_surveyor], tw, r);
}

static int
check_person(struct batch *b, size_t k, size_t *it, size_t *dl, size_t *ex,
    struct lf_error *err)
{
	const struct bperson *p = &b->per[k];
	struct quality_person qp;
	struct finding_keys view;
	size_t i0, n, nfh;

	memset(&qp, 0, sizeof(qp));
	qp.person_id = p->id;
	qp.village = p->region;
	qp.status = p->status;
	qp.year = b->year;
	qp.r = b->rec[k];
	qp.has_plan = p->has_plan;
	while (*it < b->nit && b->it[*it].person_id < p->id)
		(*it)++;
	for (n = 0; *it < b->nit && b->it[*it].person_id == p->id; (*it)++) {
		b->qit[n] = b->it[*it].q;
		b->qit[n++].policy = b->it[*it].policy;
	}
	qp.items = b->qit;
	qp.nitems = n;
	while (*dl < b->ndl && b->dl[*dl].person_id < p->id)
		(*dl)++;
	for (n = 0; *dl < b->ndl && b->dl[*dl].person_id == p->id; (*dl)++)
		b->qdl[n++] = b->dl[*dl].d;
	qp.dl = b->qdl;
	qp.ndl = n;
	if (surveyor_add(b, p, b->rec[k]) != 0)
		return lf_error_nomem(err);
	if (quality_eval(b->qr, b->ps, b->dis, &qp, &b->res, &b->hits,
	    err) != 0 || person_hits(b, p, &nfh, err) != 0)
		return -1;
	while (*ex < b->ex.n && b->ex.v[*ex].person_id < p->id)
		(*ex)++;
	for (i0 = *ex; *ex < b->ex.n && b->ex.v[*ex].person_id == p->id;)
		(*ex)++;
	view.v = b->ex.v + i0;
	view.n = *ex - i0;
	view.cap = view.n;
	b->st->persons++;
	return findings_sync(b->s, b->year, &view, b->fh, nfh, b->actor,
	    &b->st->c, err);
}

/* Drops the loaded findings of global rules (synced at the end). */
static void
keep_per_person(struct batch *b)
{
	size_t i, k = 0;

	for (i = 0; i < b->ex.n; i++)
		if (per_person_rule(b, b->ex.v[i].rule))
			b->ex.v[k++] = b->ex.v[i];
	b->ex.n = k;
}

static int
check_page(struct batch *b, int64_t from, struct lf_error *err)
{
	int64_t to = b->per[b->n - 1].id;
	size_t k, it = 0, dl = 0, ex = 0;

	b->ex.n = 0;
	if (read_items(b, from, to, err) != 0 || read_dls(b, from, to,
	    err) != 0 || read_plans(b, from, to, err) != 0 ||
	    findings_load_persons(b->s, b->year, from, to, &b->ex, err) != 0)
		return -1;
	keep_per_person(b);
	if (mem_grow(&b->qit, &b->qcap, b->nit + 1, sizeof(*b->qit),
	    SIZE_MAX) != 0 || mem_grow(&b->qdl, &b->qdlcap, b->ndl + 1,
	    sizeof(*b->qdl), SIZE_MAX) != 0)
		return lf_error_nomem(err);
	for (k = 0; k < b->n; k++)
		if (check_person(b, k, &it, &dl, &ex, err) != 0)
			return -1;
	return 0;
}

/* ---- the global rules ---------------------------------------------- */

static int
sync_rule(struct batch *b, const struct quality_rule *q,
    const struct finding_hit *h, size_t n, struct lf_error *err)
{
	struct finding_keys ex = { 0 };
	int rc;

	b->st->hits[q->index] += (int64_t)n;
	rc = findings_load_rule(b->s, b->year, q->code, b->prefix, &ex, err);
	if (rc == 0)
		rc = findings_sync(b->s, b->year, &ex, h, n, b->actor,
		    &b->st->c, err);
	finding_keys_free(&ex);
	return rc;
}

static int
sync_dups(struct batch *b, const struct quality_rule *q, struct lf_error *err)
{
	static const char why[] = "另有一人姓名、性别、出生日期与此人相同, "
	    "可能重复登记";
	struct store_person *pv = NULL;
	struct finding_hit *h = NULL;
	const int64_t *ids;
	size_t n, i, k = 0;
	int rc = -1, found;

	ids = quality_dups_persons(b->dups, &n);
	if (n > 0 && ((pv = mem_calloc(n, sizeof(*pv))) == NULL ||
	    (h = mem_calloc(n, sizeof(*h))) == NULL)) {
		lf_error_nomem(err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((found = store_person_by_id(b->s, ids[i], &pv[k], err)) < 0)
			goto out;
		if (found == 1)
			continue;
		h[k].rule = q->code;
		h[k].person_id = ids[i];
		h[k].surveyor = "";
		h[k].region = pv[k].region;
		h[k].owner_role = q->owner;
		h[k].owner_digits = q->owner_digits;
		h[k].detail = why;
		k++;
	}
	rc = sync_rule(b, q, h, k, err);
out:
	mem_free(pv);
	mem_free(h);
	return rc;
}

struct sv_hits {
	struct finding_hit	*v;
	char			(*text)[QUALITY_DETAIL_MAX];
	char			(*name)[FINDING_SURVEYOR_MAX];
	char			(*tw)[10];
	size_t			 n, cap;
	const struct quality_rule *q;
};

static int
sv_hit(void *arg, const char *name, const char *township, int64_t n)
{
	struct sv_hits *s = arg;
	struct finding_hit *h;
	size_t c[4] = { s->cap, s->cap, s->cap, s->cap };

	/* four arrays in step: each grows from the same room to the same
	 * room, so one cap tells all four */
	if (s->n == s->cap) {
		if (mem_grow(&s->v, &c[0], s->n + 1, sizeof(*s->v), SIZE_MAX) ||
		    mem_grow(&s->text, &c[1], s->n + 1, sizeof(*s->text),
		    SIZE_MAX) || mem_grow(&s->name, &c[2], s->n + 1,
		    sizeof(*s->name), SIZE_MAX) || mem_grow(&s->tw, &c[3],
		    s->n + 1, sizeof(*s->tw), SIZE_MAX))
			return -1;
		s->cap = c[0];
	}
	/* "township|name": a surveyor is a name within a township, and the
	 * open-finding key (rule, year, person, item, surveyor) must tell
	 * two namesakes of two townships apart */
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s|%s", township, name);
	snprintf(s->tw[s->n], sizeof(s->tw[0]), "%s", township);
	if (s->q->kind == QK_SURVEYOR_FAST)
		snprintf(s->text[s->n], sizeof(s->text[0]), "调查员「%s」本年 "
		    "%lld 份调查填写用时不足 %lld 秒", name, (long long)n,
		    (long long)s->q->threshold);
	else
		snprintf(s->text[s->n], sizeof(s->text[0]), "调查员「%s」本年 "
		    "%lld 份调查的需求信息完全相同", name, (long long)n);
	h = &s->v[s->n];
	memset(h, 0, sizeof(*h));
	h->rule = s->q->code;
	h->owner_role = s->q->owner;
	h->owner_digits = s->q->owner_digits;
	s->n++;
	return 0;
}

/* Points each hit at its texts once the arrays stopped moving (growing
 * them moves them). */
static void
sv_link(struct sv_hits *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		s->v[i].surveyor = s->name[i];
		s->v[i].region = s->tw[i];
		s->v[i].detail = s->text[i];
	}
}

/* Surveyor findings are resynced only by an unscoped or township-wide
 * (or wider) batch: a village batch sees part of a township. */
static int
sync_surveyors(struct batch *b, const struct quality_rule *q,
    struct lf_error *err)
{
	struct sv_hits s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.q = q;
	if (strlen(b->prefix) > 9)
		return 0;
	if ((q->kind == QK_SURVEYOR_FAST ? quality_surveyors_fast_each(b->svs,
	    q->min_count, sv_hit, &s) : quality_surveyors_each(b->svs,
	    q->min_count, sv_hit, &s)) != 0)
		rc = lf_error_nomem(err);
	else {
		sv_link(&s);
		rc = sync_rule(b, q, s.v, s.n, err);
	}
	mem_free(s.v);
	mem_free(s.text);
	mem_free(s.name);
	mem_free(s.tw);
	return rc;
}

static int
sync_global(struct batch *b, struct lf_error *err)
{
	enum plan_tx tx;
	size_t i;
	int rc = 0;

	if (plan_tx_begin(b->s, &tx, err) != 0)
		return -1;
	for (i = 0; i < b->qr->n && rc == 0; i++) {
		const struct quality_rule *q = &b->qr->v[i];

		if (q->kind == QK_DUP_PERSON)
			rc = sync_dups(b, q, err);
		else if (q->kind == QK_SURVEYOR_IDENTICAL ||
		    q->kind == QK_SURVEYOR_FAST)
			rc = sync_surveyors(b, q, err);
	}
	return plan_tx_end(b->s, tx, rc, err);
}

/* ---- the pass ------------------------------------------------------ */

static int
run(struct batch *b, void (*progress)(void *, int64_t), void *arg,
    struct lf_error *err)
{
	enum plan_tx tx = PLAN_TX_NONE;
	int64_t after = 0;
	int pages = 0, rc = 0, open = 0;

	for (;;) {
		if (read_page(b, after, err) != 0) {
			rc = -1;
			break;
		}
		if (b->n == 0)
			break;
		if (!open && (rc = plan_tx_begin(b->s, &tx, err)) != 0)
			break;
		open = 1;
		if ((rc = check_page(b, after, err)) != 0)
			break;
		after = b->per[b->n - 1].id;
		if (++pages % CHUNK == 0) {
			open = 0;
			if ((rc = plan_tx_end(b->s, tx, 0, err)) != 0)
				break;
			if (progress != NULL)
				progress(arg, b->st->persons);
		}
		if (b->n < PAGE)
			break;
	}
	if (open && plan_tx_end(b->s, tx, rc, err) != 0)
		rc = -1;
	if (rc == 0)
		rc = sync_global(b, err);
	if (progress != NULL)
		progress(arg, b->st->persons);
	return rc;
}

static void
batch_free(struct batch *b)
{
	size_t i;

	sqlite3_finalize(b->page);
	sqlite3_finalize(b->items);
	sqlite3_finalize(b->dls);
	sqlite3_finalize(b->plans);
	for (i = 0; i < PAGE; i++)
		record_free(b->rec[i]);
	mem_free(b->it);
	mem_free(b->dl);
	mem_free(b->qit);
	mem_free(b->qdl);
	mem_free(b->fh);
	finding_keys_free(&b->ex);
	quality_hits_free(&b->hits);
	planner_result_free(&b->res);
	quality_dups_free(b->dups);
	quality_surveyors_free(b->svs);
}

static int
batch_init(struct batch *b, const char *region, struct lf_error *err)
{
	const struct field *f;
	size_t i;

	if (region == NULL || region[0] == '\0') {
		b->lo = 0;
		b->hi = 1000000000000LL;
	} else if (plan_region_bounds(region, &b->lo, &b->hi, err) != 0)
		return -1;
	snprintf(b->prefix, sizeof(b->prefix), "%s", region ? region : "");
	f = catalog_find(b->s->cat, "surveyor_name", 13);
	b->f_surveyor = f != NULL ? f->index : -1;
	quality_hits_init(&b->hits);
	planner_result_init(&b->res);
	for (i = 0; i < PAGE; i++)
		if ((b->rec[i] = record_new(b->s->cat)) == NULL)
			return lf_error_nomem(err);
	if ((b->dups = quality_dups_new()) == NULL ||
	    (b->svs = quality_surveyors_new(b->s->cat)) == NULL)
		return lf_error_nomem(err);
	for (i = 0; i < b->qr->n; i++)	/* one threshold: the first rule's */
		if (b->qr->v[i].kind == QK_SURVEYOR_FAST) {
			quality_surveyors_set_fast(b->svs,
			    b->qr->v[i].threshold);
			break;
		}
	return open_stmts(b, err);
}

int
findings_batch(struct store *s, const struct quality_rules *qr,
    const struct policies *ps, const struct disaster *dis, int year,
    const char *region, const char *actor,
    void (*progress)(void *arg, int64_t done), void *arg,
    struct findings_batch_stats *st, struct lf_error *err)
{
	struct batch *b;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if ((b = mem_calloc(1, sizeof(*b))) == NULL)
		return lf_error_nomem(err);
	b->s = s;
	b->qr = qr;
	b->ps = ps;
	b->dis = dis;
	b->actor = actor;
	b->year = year;
	b->st = st;
	if (batch_init(b, region, err) == 0)
		rc = run(b, progress, arg, err);
	batch_free(b);
	mem_free(b);
	return rc;
}

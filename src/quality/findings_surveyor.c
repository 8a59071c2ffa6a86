/*
 * findings_surveyor.c - the surveyor rules' findings (findings.h): a
 * tally of surveyors (core/quality.h) turned into findings and synced,
 * by the batch over the year and after a single write over the
 * township of the person written.
 */
#include "quality/findings.h"
#include "store/plan_rows.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"

struct quality_surveyors *
findings_surveyors_new(const struct catalog *cat,
    const struct quality_rules *qr)
{
	struct quality_surveyors *svs = quality_surveyors_new(cat);
	size_t i;

	if (svs == NULL)
		return NULL;
	for (i = 0; i < qr->n; i++)	/* one threshold: the first rule's */
		if (qr->v[i].kind == QK_SURVEYOR_FAST) {
			quality_surveyors_set_fast(svs, qr->v[i].threshold);
			break;
		}
	return svs;
}

/* ---- the findings of a tally ---------------------------------------- */

/* One surveyor's finding with the texts it points at. */
struct sv_hit {
	struct finding_hit	 h;
	char			 text[QUALITY_DETAIL_MAX];
	char			 name[FINDING_SURVEYOR_MAX];
	char			 tw[10];
};

struct sv_hits {
	struct sv_hit		*v;
	size_t			 n, cap;
	const struct quality_rule *q;
};

static int
sv_hit(void *arg, const char *name, const char *township, int64_t n)
{
	struct sv_hits *s = arg;
	struct sv_hit *x;

	if (mem_grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v), SIZE_MAX) != 0)
		return -1;
	x = &s->v[s->n++];
	memset(x, 0, sizeof(*x));
	/* "township|name": a surveyor is a name within a township, and the
	 * open-finding key (rule, year, person, item, surveyor) must tell
	 * two namesakes of two townships apart */
	snprintf(x->name, sizeof(x->name), "%s|%s", township, name);
	snprintf(x->tw, sizeof(x->tw), "%s", township);
	quality_surveyor_detail(s->q, name, n, x->text);
	x->h.rule = s->q->code;
	x->h.owner_role = s->q->owner;
	x->h.owner_digits = s->q->owner_digits;
	return 0;
}

/* The hits of rule q as findings_sync() takes them (a copy: the texts
 * stay where they are once the array stopped growing). */
static struct finding_hit *
sv_finding_hits(struct sv_hits *s)
{
	struct finding_hit *h;
	size_t i;

	if ((h = mem_calloc(s->n + 1, sizeof(*h))) == NULL)
		return NULL;
	for (i = 0; i < s->n; i++) {
		h[i] = s->v[i].h;
		h[i].surveyor = s->v[i].name;
		h[i].region = s->v[i].tw;
		h[i].detail = s->v[i].text;
	}
	return h;
}

static int
sync_one(struct store *s, const struct quality_rule *q,
    const struct quality_surveyors *svs, int year, const char *prefix,
    const char *actor, int64_t *hits, struct findings_counts *c,
    struct lf_error *err)
{
	struct finding_hit *h = NULL;
	struct sv_hits sv;
	int rc;

	memset(&sv, 0, sizeof(sv));
	sv.q = q;
	if ((q->kind == QK_SURVEYOR_FAST ? quality_surveyors_fast_each(svs,
	    q->min_count, sv_hit, &sv) : quality_surveyors_each(svs,
	    q->min_count, sv_hit, &sv)) != 0 ||
	    (h = sv_finding_hits(&sv)) == NULL)
		rc = lf_error_nomem(err);
	else {
		if (hits != NULL)
			hits[q->index] += (int64_t)sv.n;
		rc = findings_sync_rule(s, year, q->code, prefix, h, sv.n,
		    actor, c, err);
	}
	mem_free(h);
	mem_free(sv.v);
	return rc;
}

int
findings_surveyors_sync(struct store *s, const struct quality_rules *qr,
    const struct quality_surveyors *svs, int year, const char *prefix,
    const char *actor, int64_t *hits, struct findings_counts *c,
    struct lf_error *err)
{
	size_t i;

	if (strlen(prefix) > 9)
		return 0;
	for (i = 0; i < qr->n; i++) {
		const struct quality_rule *q = &qr->v[i];

		if ((q->kind == QK_SURVEYOR_IDENTICAL ||
		    q->kind == QK_SURVEYOR_FAST) && sync_one(s, q, svs, year,
		    prefix, actor, hits, c, err) != 0)
			return -1;
	}
	return 0;
}

/* ---- after a single write ------------------------------------------- */

static int
has_surveyor_rule(const struct quality_rules *qr)
{
	size_t i;

	for (i = 0; i < qr->n; i++)
		if (qr->v[i].kind == QK_SURVEYOR_IDENTICAL ||
		    qr->v[i].kind == QK_SURVEYOR_FAST)
			return 1;
	return 0;
}

static int
tally_one(void *arg, const struct record *r, const char *village,
    struct lf_error *err)
{
	if (quality_surveyors_add_survey(arg, r, village) != 0)
		return lf_error_nomem(err);
	return 0;
}

/* Tallies the year's surveys of the persons of township tw. */
static int
tally(struct store *s, int year, const char *tw,
    struct quality_surveyors *svs, struct lf_error *err)
{
	struct record *r;
	int rc;

	if ((r = record_new(store_catalog(s))) == NULL)
		return lf_error_nomem(err);
	rc = findings_region_surveys(s, year, tw, r, tally_one, svs, err);
	record_free(r);
	return rc;
}

int
findings_surveyors_township(struct store *s, const struct quality_rules *qr,
    int year, const char *village, const char *actor,
    struct findings_counts *c, struct lf_error *err)
{
	struct quality_surveyors *svs;
	char tw[10];
	int tx;
	int rc;

	if (!has_surveyor_rule(qr) || strlen(village) < 9)
		return 0;
	snprintf(tw, sizeof(tw), "%.9s", village);
	if ((svs = findings_surveyors_new(store_catalog(s), qr)) == NULL)
		return lf_error_nomem(err);
	if (store_tx_join(s, &tx, err) != 0) {
		quality_surveyors_free(svs);
		return -1;
	}
	rc = tally(s, year, tw, svs, err);
	if (rc == 0)
		rc = findings_surveyors_sync(s, qr, svs, year, tw, actor, NULL,
		    c, err);
	quality_surveyors_free(svs);
	return store_tx_leave(s, tx, rc, err);
}

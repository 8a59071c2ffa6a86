/*
 * stats_filter.c - filters of the statistics tables: checking a query,
 * compiling its filters against the stored codes (stats_int.h) and
 * passing persons through them (see stats.h).
 */
#include <string.h>

#include "stats/stats_int.h"

static int
bad(struct lf_error *err, const char *field, const char *zh, const char *en)
{
	return lf_error_set(err, "invalid", field, "统计: %s (stats: %s)",
	    zh, en);
}

/* The kept column of field f, or NULL (not of this catalog, secret). */
const struct stats_col *
stats_filter_field(const struct stats *st, const struct field *f)
{
	if (f == NULL || f < st->cat->fields ||
	    f >= st->cat->fields + st->cat->nfields ||
	    st->col_of[f->index] < 0)
		return NULL;
	return &st->cols[st->col_of[f->index]];
}

/* The option index filter bit b stands for in an enum, or -1. */
static int
enum_index(const struct stats_col *c, size_t b)
{
	const struct field_option *o;

	if (!c->codebits)
		return b < c->f->noptions ? (int)b : -1;
	o = field_option(c->f, (int)b);
	return o == NULL ? -1 : (int)(o - c->f->options);
}

static int
compile_bits(const struct stats_col *c, uint64_t codes,
    struct stats_qfilter *qf)
{
	size_t b;
	int x;

	for (b = 0; b < 64; b++) {
		if (!(codes & ((uint64_t)1 << b)))
			continue;
		switch (c->kind) {
		case SK_ENUM:
			x = enum_index(c, b);
			break;
		case SK_MULTI:
			x = b < 63 ? c->midx[b] : -1;
			break;
		default:
			x = b < c->ncols ? (int)b : -1;
		}
		if (x < 0 || x >= 64)
			return -1;
		qf->mask |= (uint64_t)1 << x;
	}
	return 0;
}

static int
compile_filter(const struct stats *st, const struct stats_filter *sf,
    struct stats_qfilter *qf, struct lf_error *err)
{
	const struct field *f = sf->f;
	const struct stats_col *c = stats_filter_field(st, f);
	size_t v;

	if (c == NULL)
		return bad(err, f == NULL ? "filters" : f->code,
		    "不能按此项筛选", "no such item to filter on");
	memset(qf, 0, sizeof(*qf));
	qf->pos = c->pos;
	qf->width = c->width;
	qf->multi = c->kind == SK_MULTI;
	if (sf->codes == 0 || compile_bits(c, sf->codes, qf) != 0)
		return bad(err, f->code, "筛选代码无效", "bad filter codes");
	for (v = 1; v < 256 && c->width == 1; v++)
		qf->ok[v] = qf->multi ? (v & qf->mask) != 0 :
		    v - 1 < 64 && (qf->mask >> (v - 1)) & 1;
	return 0;
}

int
stats_filter_query(const struct stats *st, const struct stats_query *q,
    struct stats_qfilter *qf, struct lf_error *err)
{
	size_t i;

	if (q == NULL || q->in == NULL || q->in < st->rs->v ||
	    q->in >= st->rs->v + st->rs->n)
		return bad(err, "region", "地区无效",
		    "not a region of the table");
	if (q->nfilters > STATS_MAX_FILTERS ||
	    (q->nfilters > 0 && q->filters == NULL))
		return bad(err, "filters", "筛选条件过多", "too many filters");
	for (i = 0; i < q->nfilters; i++)
		if (compile_filter(st, &q->filters[i], &qf[i], err) != 0)
			return -1;
	return 0;
}

/* Wider columns are multi items (enums take one byte). */
static int
accept_wide(const struct stats_qfilter *qf, uint64_t v)
{
	return (v & qf->mask) != 0;
}

static uint64_t
wide_value(const unsigned char *p, size_t width, size_t i)
{
	if (width == 2)
		return ((const uint16_t *)(const void *)p)[i];
	if (width == 4)
		return ((const uint32_t *)(const void *)p)[i];
	return ((const uint64_t *)(const void *)p)[i];
}

/* pass[i] for persons from .. from + m - 1 of block b. */
void
stats_filter_pass(const struct stats *st, const struct stats_vblock *b,
    size_t from, size_t m, const struct stats_qfilter *qf, size_t nqf,
    unsigned want, unsigned char *pass)
{
	const unsigned char *fl = stats_colp(b, st->pos_flags) + from, *p;
	unsigned mask = want | STATS_F_STATUS;
	size_t i, j;

	for (i = 0; i < m; i++)
		pass[i] = (fl[i] & mask) == want;
	for (j = 0; j < nqf; j++) {
		p = stats_colp(b, qf[j].pos);
		if (qf[j].width == 1) {
			for (i = 0; i < m; i++)
				pass[i] &= qf[j].ok[p[from + i]];
			continue;
		}
		for (i = 0; i < m; i++)
			if (pass[i])
				pass[i] = (unsigned char)accept_wide(&qf[j],
				    wide_value(p, qf[j].width, from + i));
	}
}


int
stats_filter_bit(const struct stats *st, const struct field *f, int code)
{
	const struct stats_col *c = stats_filter_field(st, f);
	const struct field_option *o;
	struct stats_qfilter qf;

	if (c == NULL || code < 0)
		return -1;
	if (c->kind == SK_ENUM && !c->codebits) {
		o = field_option(f, code);
		if (o == NULL || o - f->options >= 64)
			return -1;
		return (int)(o - f->options);
	}
	memset(&qf, 0, sizeof(qf));
	if (code >= 64 || compile_bits(c, (uint64_t)1 << code, &qf) != 0)
		return -1;
	return code;
}

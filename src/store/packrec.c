/*
 * packrec.c - the packed survey record (see packrec.h): encoding,
 * decoding, one item's value, and the catalog versions behind them.
 */
#include "store/packrec.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"

/* How a slot is stored. */
enum kind { K_UNSIGNED, K_SIGNED, K_TEXT, K_SECRET };

struct slot {
	int		 field;		/* today's index, -1 when skipped */
	enum kind	 kind;
};

struct layout {
	int		 version;
	size_t		 n;
	struct slot	*slot;
};

struct packrec_set {
	const struct catalog	*cat;
	struct layout		*v;
	size_t			 n;
	int			 current;	/* index into v, -1 none */
};

static enum kind
kind_of(enum field_type t, int secret)
{
	if (secret)
		return K_SECRET;
	switch (t) {
	case FT_ENUM:
	case FT_BOOL:
	case FT_MULTI:
	case FT_REGION:
		return K_UNSIGNED;
	case FT_INT:
	case FT_MONEY:
	case FT_DECIMAL:
	case FT_DATE:
		return K_SIGNED;
	default:
		return K_TEXT;
	}
}

struct packrec_set *
packrec_set_new(const struct catalog *cat)
{
	struct packrec_set *ps = mem_calloc(1, sizeof(*ps));

	if (ps != NULL) {
		ps->cat = cat;
		ps->current = -1;
	}
	return ps;
}

void
packrec_set_free(struct packrec_set *ps)
{
	size_t i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->n; i++)
		mem_free(ps->v[i].slot);
	mem_free(ps->v);
	mem_free(ps);
}

int
packrec_layout(const struct catalog *cat, struct buf *b)
{
	size_t i;

	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];

		if (buf_addf(b, "%s\t%s%s\n", f->code,
		    field_type_name(f->type), f->secret ? "*" : "") != 0)
			return -1;
	}
	return 0;
}

const struct catalog *
packrec_catalog(const struct packrec_set *ps)
{
	return ps->cat;
}

int
packrec_set_current(const struct packrec_set *ps)
{
	return ps->current < 0 ? 0 : ps->v[ps->current].version;
}

/* The slot of one layout line "code\ttype[*]" (len bytes). */
static int
parse_slot(const struct catalog *cat, const char *line, size_t len,
    struct slot *s)
{
	const char *tab = memchr(line, '\t', len);
	const struct field *f;
	size_t tl;
	int secret;

	if (tab == NULL)
		return -1;
	tl = len - (size_t)(tab + 1 - line);
	secret = tl > 0 && tab[tl] == '*';
	tl -= (size_t)secret;
	s->field = -1;
	s->kind = K_TEXT;
	f = catalog_find(cat, line, (size_t)(tab - line));
	/* the stored kind from the type name; unknown names read as text */
	for (int t = FT_TEXT; t <= FT_DECIMAL; t++) {
		const char *name = field_type_name((enum field_type)t);

		if (strlen(name) == tl && memcmp(name, tab + 1, tl) == 0) {
			s->kind = kind_of((enum field_type)t, secret);
			if (f != NULL && f->type == (enum field_type)t &&
			    f->secret == secret)
				s->field = f->index;
		}
	}
	if (secret)
		s->kind = K_SECRET;
	return 0;
}

int
packrec_set_add(struct packrec_set *ps, int version, const char *text,
    int current, struct lf_error *err)
{
	struct layout *v, *grown;
	const char *p, *e;
	size_t n = 0;

	for (p = text; *p != '\0'; p++)
		n += *p == '\n';
	grown = mem_realloc(ps->v, (ps->n + 1) * sizeof(*ps->v));
	if (grown == NULL)
		return lf_error_nomem(err);
	ps->v = grown;
	v = &ps->v[ps->n];
	v->version = version;
	v->n = 0;
	if ((v->slot = mem_calloc(n ? n : 1, sizeof(*v->slot))) == NULL)
		return lf_error_nomem(err);
	for (p = text; *p != '\0'; p = e + 1) {
		e = strchr(p, '\n');
		if (e == NULL || parse_slot(ps->cat, p, (size_t)(e - p),
		    &v->slot[v->n]) != 0) {
			mem_free(v->slot);
			return lf_error_set(err, "corrupt", "", "目录版本 %d 的"
			    "布局无效 (catalog version %d has a bad layout "
			    "line)", version, version);
		}
		v->n++;
	}
	if (current)
		ps->current = (int)ps->n;
	ps->n++;
	return 0;
}

/* ---- varints -------------------------------------------------------- */

static int
put_varint(struct buf *b, uint64_t v)
{
	unsigned char tmp[10];
	int n = 0;

	do {
		tmp[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	return buf_add(b, tmp, (size_t)n);
}

static uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t
unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* A cursor over a record's bytes. */
struct rd {
	const unsigned char	*p, *end;
	const char		*bad;	/* what went wrong, NULL when fine */
};

static uint64_t
get_varint(struct rd *rd)
{
	uint64_t v = 0;
	int shift;

	for (shift = 0; shift < 70; shift += 7) {
		if (rd->p >= rd->end) {
			rd->bad = "a number runs past the end";
			return 0;
		}
		v |= (uint64_t)(*rd->p & 0x7f) << shift;
		if ((*rd->p++ & 0x80) == 0)
			return v;
	}
	rd->bad = "a number is longer than 10 bytes";
	return 0;
}

/* A length-prefixed byte string; NULL (rd->bad set) when it overruns. */
static const unsigned char *
get_bytes(struct rd *rd, size_t *len)
{
	uint64_t n = get_varint(rd);
	const unsigned char *s = rd->p;

	if (rd->bad == NULL && n > (uint64_t)(rd->end - rd->p))
		rd->bad = "a text runs past the end";
	if (rd->bad != NULL)
		return NULL;
	rd->p += n;
	*len = (size_t)n;
	return s;
}

/* ---- encoding ------------------------------------------------------- */

void
packrec_mask(const char *s, char *out, size_t outlen)
{
	size_t n = strlen(s), i;

	if (outlen == 0)
		return;
	for (i = 0; i < n && i + 1 < outlen; i++)
		out[i] = (n >= 11 && (i < 3 || i >= n - 4)) ? s[i] : '*';
	out[i] = '\0';
}

static int
put_text(struct buf *b, const char *s, size_t n)
{
	return put_varint(b, n) != 0 || buf_add(b, s, n) != 0 ? -1 : 0;
}

static int
encode_trailer(const struct catalog *cat, const struct record *r,
    const struct packrec_sealed *sealed, struct buf *out)
{
	char masked[128];
	size_t i;

	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];
		enum kind k = kind_of(f->type, f->secret);

		if (!r->set[i] || k == K_UNSIGNED || k == K_SIGNED)
			continue;
		if (k == K_TEXT) {
			if (put_text(out, r->str[i], strlen(r->str[i])) != 0)
				return -1;
			continue;
		}
		packrec_mask(r->str[i], masked, sizeof(masked));
		if (put_text(out, (const char *)sealed[i].sealed,
		    sealed[i].slen) != 0 ||
		    put_text(out, masked, strlen(masked)) != 0)
			return -1;
	}
	return 0;
}

int
packrec_encode(const struct packrec_set *ps, const struct record *r,
    const struct packrec_sealed *sealed, struct buf *out,
    struct lf_error *err)
{
	const struct catalog *cat = ps->cat;
	unsigned char bits[64] = { 0 };
	size_t i, nb = (cat->nfields + 7) / 8;

	if (ps->current < 0 || nb > sizeof(bits))
		return lf_error_set(err, "internal", "", "没有当前目录版本 "
		    "(no current catalog version to pack under)");
	for (i = 0; i < cat->nfields; i++)
		if (r->set[i])
			bits[i / 8] |= (unsigned char)(1u << (i % 8));
	if (buf_addc(out, (char)PACKREC_FORMAT) != 0 ||
	    put_varint(out, (uint64_t)ps->v[ps->current].version) != 0 ||
	    put_varint(out, cat->nfields) != 0 || buf_add(out, bits, nb) != 0)
		goto full;
	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];
		enum kind k = kind_of(f->type, f->secret);

		if (!r->set[i] || (k != K_UNSIGNED && k != K_SIGNED))
			continue;
		if (put_varint(out, k == K_SIGNED ? zigzag(r->num[i]) :
		    (uint64_t)r->num[i]) != 0)
			goto full;
	}
	if (encode_trailer(cat, r, sealed, out) == 0)
		return 0;
full:
	return lf_error_set(err, "no_memory", "", "内存不足 (the record does "
	    "not fit)");
}

/* ---- decoding ------------------------------------------------------- */

/* What the walk hands over for each present slot. */
struct item {
	const struct slot	*s;
	uint64_t		 u;
	const unsigned char	*t, *m;		/* text or sealed; masked */
	size_t			 tlen, mlen;
};

typedef int (*item_fn)(void *arg, const struct item *it);

static const struct layout *
layout_of(const struct packrec_set *ps, uint64_t version)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if ((uint64_t)ps->v[i].version == version)
			return &ps->v[i];
	return NULL;
}

static int
bad(struct lf_error *err, const char *why)
{
	return lf_error_set(err, "corrupt", "", "调查记录无法解码 (the packed "
	    "survey record is invalid: %s)", why);
}

/* Reads the header; the presence bits stay at rd->p. */
static const struct layout *
header(const struct packrec_set *ps, struct rd *rd, const unsigned char **bits,
    struct lf_error *err)
{
	const struct layout *l;
	uint64_t version, n;

	if (rd->p >= rd->end || *rd->p++ != PACKREC_FORMAT) {
		bad(err, "not a packed record, or another format");
		return NULL;
	}
	version = get_varint(rd);
	n = get_varint(rd);
	if (rd->bad != NULL) {
		bad(err, rd->bad);
		return NULL;
	}
	if ((l = layout_of(ps, version)) == NULL) {
		bad(err, "written under a catalog version this database does "
		    "not know");
		return NULL;
	}
	if (n != l->n || (l->n + 7) / 8 > (size_t)(rd->end - rd->p)) {
		bad(err, "its item count does not match its catalog version");
		return NULL;
	}
	*bits = rd->p;
	rd->p += (l->n + 7) / 8;
	return l;
}

static int
present(const unsigned char *bits, size_t i)
{
	return bits[i / 8] >> (i % 8) & 1;
}

/* Calls fn for every present slot: numbers first, then the trailer. */
static int
walk(const struct packrec_set *ps, const void *data, size_t len, item_fn fn,
    void *arg, struct lf_error *err)
{
	struct rd rd = { data, (const unsigned char *)data + len, NULL };
	const unsigned char *bits;
	const struct layout *l;
	struct item it;
	size_t i;
	int rc;

	if (data == NULL || (l = header(ps, &rd, &bits, err)) == NULL)
		return data == NULL ? bad(err, "empty") : -1;
	memset(&it, 0, sizeof(it));
	for (i = 0; i < l->n; i++) {
		it.s = &l->slot[i];
		if (!present(bits, i) || (it.s->kind != K_UNSIGNED &&
		    it.s->kind != K_SIGNED))
			continue;
		it.u = get_varint(&rd);
		if (rd.bad != NULL)
			return bad(err, rd.bad);
		if ((rc = fn(arg, &it)) != 0)
			return rc;
	}
	for (i = 0; i < l->n; i++) {
		it.s = &l->slot[i];
		if (!present(bits, i) || it.s->kind == K_UNSIGNED ||
		    it.s->kind == K_SIGNED)
			continue;
		memset(&it.u, 0, sizeof(it) - offsetof(struct item, u));
		it.t = get_bytes(&rd, &it.tlen);
		if (it.s->kind == K_SECRET && rd.bad == NULL)
			it.m = get_bytes(&rd, &it.mlen);
		if (rd.bad != NULL)
			return bad(err, rd.bad);
		if ((rc = fn(arg, &it)) != 0)
			return rc;
	}
	return rd.p == rd.end ? 0 : bad(err, "bytes left after the last item");
}

struct dec {
	struct record		*r;
	enum packrec_secrets	 mode;
	struct packrec_sealed	*sealed;
	const unsigned char	*want;		/* NULL: every item */
};

static int
set_text(struct record *r, int i, const void *s, size_t n)
{
	return record_set_strn(r, i, s, n);
}

static int
dec_item(void *arg, const struct item *it)
{
	struct dec *d = arg;
	const struct field *f;
	char text[16];
	int i = it->s->field;

	if (i < 0 || (d->want != NULL && !d->want[i]))
		return 0;
	f = &d->r->cat->fields[i];
	switch (it->s->kind) {
	case K_SIGNED:
		record_set_num(d->r, i, unzigzag(it->u));
		return 0;
	case K_UNSIGNED:
		if (f->type == FT_REGION) {
			snprintf(text, sizeof(text), "%012llu",
			    (unsigned long long)it->u);
			if (set_text(d->r, i, text, strlen(text)) != 0)
				return -2;
		}
		record_set_num(d->r, i, (int64_t)it->u);
		return 0;
	case K_TEXT:
		return set_text(d->r, i, it->t, it->tlen) != 0 ? -2 : 0;
	default:
		if (d->sealed != NULL) {
			d->sealed[i].sealed = it->t;
			d->sealed[i].slen = it->tlen;
			d->sealed[i].masked = (const char *)it->m;
			d->sealed[i].mlen = it->mlen;
		}
		if (d->mode == PACKREC_MASKED &&
		    set_text(d->r, i, it->m, it->mlen) != 0)
			return -2;
		return 0;
	}
}

int
packrec_decode(const struct packrec_set *ps, const void *data, size_t len,
    struct record *r, enum packrec_secrets mode,
    struct packrec_sealed *sealed, struct lf_error *err)
{
	struct dec d = { r, mode, sealed, NULL };
	int rc;

	record_clear(r);
	if (sealed != NULL)
		memset(sealed, 0, ps->cat->nfields * sizeof(*sealed));
	rc = walk(ps, data, len, dec_item, &d, err);
	if (rc == -2)
		return lf_error_nomem(err);
	return rc == 0 ? 0 : -1;
}

int
packrec_decode_some(const struct packrec_set *ps, const void *data,
    size_t len, struct record *r, const unsigned char *want,
    struct lf_error *err)
{
	struct dec d = { r, PACKREC_SKIP, NULL, want };
	size_t i;
	int rc;

	for (i = 0; i < ps->cat->nfields; i++)
		if (want[i])
			record_unset(r, (int)i);
	rc = walk(ps, data, len, dec_item, &d, err);
	if (rc == -2)
		return lf_error_nomem(err);
	return rc == 0 ? 0 : -1;
}

/* ---- one item ------------------------------------------------------- */

struct one {
	const struct catalog	*cat;
	int			 field;
	struct packrec_value	*v;
};

static int
one_item(void *arg, const struct item *it)
{
	struct one *o = arg;
	struct packrec_value *v = o->v;
	enum field_type t = o->cat->fields[o->field].type;

	if (it->s->field != o->field)
		return 0;
	if (it->s->kind == K_SECRET)
		return 1;
	if (it->s->kind == K_TEXT) {
		v->kind = 2;
		v->text = (const char *)it->t;
		v->tlen = it->tlen;
		return 1;
	}
	v->num = it->s->kind == K_SIGNED ? unzigzag(it->u) : (int64_t)it->u;
	v->kind = 1;
	if (t == FT_DATE || t == FT_REGION) {
		if (t == FT_DATE)
			date_format((int)v->num, v->buf);
		else
			snprintf(v->buf, sizeof(v->buf), "%012llu",
			    (unsigned long long)v->num);
		v->kind = 2;
		v->text = v->buf;
		v->tlen = strlen(v->buf);
	}
	return 1;
}

int
packrec_item(const struct packrec_set *ps, const void *data, size_t len,
    int field, struct packrec_value *v, struct lf_error *err)
{
	struct one o = { ps->cat, field, v };

	memset(v, 0, sizeof(*v));
	return walk(ps, data, len, one_item, &o, err) < 0 ? -1 : 0;
}

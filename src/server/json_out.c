/*
 * json_out.c - JSON straight into a buffer (see json_out.h).
 */
#include "server/json_out.h"

#include <stdio.h>
#include <string.h>

#include "lib/utf8.h"
#include "server/http_int.h"

/* Keys up to this size are written in one append. */
#define CATALOG_CODE_KEY	96

/* The bytes jansson escapes: controls, '"' and '\\' (bytes of multi-byte
 * characters are >= 0x80: never escaped). */
#define ESCAPED(c)	((c) < 0x20 || (c) == '"' || (c) == '\\')

/* The escape jansson writes for byte c (ESCAPED(c)). */
static const char *
escape(unsigned char c, char seq[8])
{
	switch (c) {
	case '\\':
		return "\\\\";
	case '"':
		return "\\\"";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	default:
		break;
	}
	snprintf(seq, 8, "\\u%04X", (unsigned)c);
	return seq;
}

int
jout_str(struct buf *b, const char *s)
{
	return jout_strn(b, s, strlen(s));
}

/* Appends "s" (len bytes, nothing in them to escape) in one step. */
static int
quoted(struct buf *b, const char *s, size_t len)
{
	char *p;

	if (buf_reserve(b, len + 2) != 0)
		return -1;
	p = b->data + b->len;
	p[0] = '"';
	memcpy(p + 1, s, len);
	p[len + 1] = '"';
	b->len += len + 2;
	b->data[b->len] = '\0';
	return 0;
}

int
jout_strn(struct buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, run = 0;
	char seq[8];

	if (!utf8_valid(s, len))
		return -1;
	for (i = 0; i < len && !ESCAPED(u[i]); i++)
		;
	if (i == len)
		return quoted(b, s, len);
	if (buf_addc(b, '"') != 0)
		return -1;
	for (; i < len; i++) {
		if (!ESCAPED(u[i]))
			continue;
		if (buf_add(b, s + run, i - run) != 0 ||
		    buf_adds(b, escape(u[i], seq)) != 0)
			return -1;
		run = i + 1;
	}
	if (buf_add(b, s + run, len - run) != 0)
		return -1;
	return buf_addc(b, '"');
}

int
jout_key(struct buf *b, int *first, const char *key)
{
	char text[CATALOG_CODE_KEY];
	size_t n = strlen(key), k = 0;

	if (n > sizeof(text) - 4) {
		if ((!*first && buf_addc(b, ',') != 0) ||
		    buf_addc(b, '"') != 0 || buf_add(b, key, n) != 0)
			return -1;
		*first = 0;
		return buf_add(b, "\":", 2);
	}
	/* one append a key: ,"key": */
	if (!*first)
		text[k++] = ',';
	*first = 0;
	text[k++] = '"';
	memcpy(text + k, key, n);
	k += n;
	text[k++] = '"';
	text[k++] = ':';
	return buf_add(b, text, k);
}

int
jout_int(struct buf *b, int64_t v)
{
	char text[24], *p = text + sizeof(text);
	/* the magnitude as unsigned: INT64_MIN has no positive int64_t */
	uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + m % 10);
		m /= 10;
	} while (m != 0);
	if (v < 0)
		*--p = '-';
	return buf_add(b, p, (size_t)(text + sizeof(text) - p));
}

static int
dump_cb(const char *text, size_t len, void *arg)
{
	return buf_add(arg, text, len);
}

int
jout_json(struct buf *b, const json_t *j)
{
	return j == NULL ? -1 : json_dump_callback(j, dump_cb, b,
	    JSON_COMPACT | JSON_ENCODE_ANY);
}

/* A multi item: the codes of its options that are set, in option order. */
static int
multi(struct buf *b, const struct field *f, int64_t mask)
{
	size_t i;
	int first = 1;

	if (buf_addc(b, '[') != 0)
		return -1;
	for (i = 0; i < f->noptions; i++) {
		if (!((mask >> f->options[i].code) & 1))
			continue;
		if ((!first && buf_addc(b, ',') != 0) ||
		    jout_int(b, f->options[i].code) != 0)
			return -1;
		first = 0;
	}
	return buf_addc(b, ']');
}

/* One value, as json_record.c's value_json() gives it; tmp is scratch. */
static int
value(struct buf *b, const struct record *r, const struct field *f,
    int mask, struct buf *tmp)
{
	char masked[80];

	switch (f->type) {
	case FT_ENUM:
	case FT_INT:
	case FT_MONEY:
		return jout_int(b, r->num[f->index]);
	case FT_BOOL:
		return buf_adds(b, r->num[f->index] != 0 ? "true" : "false");
	case FT_MULTI:
		return multi(b, f, r->num[f->index]);
	default:
		break;
	}
	if (f->secret && mask) {
		json_mask(r->str[f->index], masked, sizeof(masked));
		return jout_str(b, masked);
	}
	buf_reset(tmp);
	if (record_format_value(r, f, tmp) != 0)
		return -1;
	return jout_str(b, buf_str(tmp));
}

int
jout_record_tmp(struct buf *b, const struct record *r, int mask_secrets,
    struct buf *tmp)
{
	size_t i;
	int first = 1, rc = buf_addc(b, '{');

	for (i = 0; rc == 0 && i < r->cat->nfields; i++) {
		const struct field *f = &r->cat->fields[i];

		if (r->set[i])
			rc = jout_key(b, &first, f->code) != 0 ||
			    value(b, r, f, mask_secrets, tmp) != 0 ? -1 : 0;
	}
	return rc == 0 ? buf_addc(b, '}') : -1;
}

int
jout_record(struct buf *b, const struct record *r, int mask_secrets)
{
	struct buf tmp;
	int rc;

	buf_init(&tmp, 4096);
	rc = jout_record_tmp(b, r, mask_secrets, &tmp);
	buf_free(&tmp);
	return rc;
}

int
jout_person(struct buf *b, const struct regions *regions,
    const struct store_person *p)
{
	const struct region *v = regions_find(regions, p->region);
	char masked[40];
	int first = 1;

	json_mask(store_person_shown_id(p), masked, sizeof(masked));
	if (buf_addc(b, '{') != 0 ||
	    jout_key(b, &first, "id") != 0 || jout_str(b, p->uid) != 0 ||
	    jout_key(b, &first, "name") != 0 || jout_str(b, p->name) != 0 ||
	    jout_key(b, &first, "id_number") != 0 || jout_str(b, masked) != 0 ||
	    jout_key(b, &first, "gender") != 0 || jout_int(b, p->gender) != 0 ||
	    jout_key(b, &first, "birth_date") != 0 ||
	    jout_str(b, p->birth_date) != 0 ||
	    jout_key(b, &first, "region") != 0 || jout_str(b, p->region) != 0 ||
	    jout_key(b, &first, "region_name") != 0 ||
	    jout_str(b, v ? v->name : "") != 0 ||
	    jout_key(b, &first, "status") != 0 || jout_int(b, p->status) != 0 ||
	    jout_key(b, &first, "version") != 0 ||
	    jout_int(b, p->version) != 0)
		return -1;
	return buf_addc(b, '}');
}

/*
 * record.c - survey values and their text form.
 */
#include "core/record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "core/idcard.h"
#include "lib/mem.h"
#include "lib/utf8.h"

#define MAX_VALUE	1024	/* bytes in one text form */

struct record *
record_new(const struct catalog *cat)
{
	struct record *r = mem_calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->cat = cat;
	r->num = mem_calloc(cat->nfields, sizeof(*r->num));
	r->str = mem_calloc(cat->nfields, sizeof(*r->str));
	r->set = mem_calloc(cat->nfields, sizeof(*r->set));
	if (r->num == NULL || r->str == NULL || r->set == NULL) {
		record_free(r);
		return NULL;
	}
	return r;
}

void
record_free(struct record *r)
{
	if (r == NULL)
		return;
	if (r->num != NULL && r->str != NULL && r->set != NULL)
		record_clear(r);

	mem_free(r->num);
	mem_free(r->str);
	mem_free(r->set);
	mem_free(r);
}

void
record_unset(struct record *r, int i)
{
	mem_free(r->str[i]);
	r->str[i] = NULL;
	r->num[i] = 0;
	r->set[i] = 0;
}

void
record_clear(struct record *r)
{
	size_t i, n = r->cat->nfields;

	for (i = 0; i < n; i++)	/* record_unset() of each, in bulk: decoding
				   a packed record clears first */
		if (r->str[i] != NULL) {
			mem_free(r->str[i]);
			r->str[i] = NULL;
		}
	memset(r->num, 0, n * sizeof(*r->num));
	memset(r->set, 0, n * sizeof(*r->set));
}

void
record_set_num(struct record *r, int i, int64_t v)
{
	r->num[i] = v;
	r->set[i] = 1;
}

int
record_set_str(struct record *r, int i, const char *s)
{
	return record_set_strn(r, i, s, strlen(s));
}

int
record_set_strn(struct record *r, int i, const char *s, size_t n)
{
	char *d = mem_strndup(s, n);

	if (d == NULL)
		return -1;
	mem_free(r->str[i]);
	r->str[i] = d;
	r->set[i] = 1;
	return 0;
}

int
record_copy(struct record *dst, const struct record *src)
{
	size_t i;

	for (i = 0; i < src->cat->nfields; i++) {
		record_unset(dst, (int)i);
		if (!src->set[i])
			continue;
		if (src->str[i] != NULL &&
		    record_set_str(dst, (int)i, src->str[i]) != 0)
			return -1;
		record_set_num(dst, (int)i, src->num[i]);
	}
	return 0;
}

int
record_field_equal(const struct record *a, const struct record *b, int i)
{
	if (a->set[i] != b->set[i])
		return 0;
	if (!a->set[i])
		return 1;
	if (a->num[i] != b->num[i])
		return 0;
	if ((a->str[i] == NULL) != (b->str[i] == NULL))
		return 0;
	return a->str[i] == NULL || strcmp(a->str[i], b->str[i]) == 0;
}

static int
perr(struct lf_error *err, const struct field *f, const char *code,
    const char *why)
{
	return lf_error_set(err, code, f->code, "%s(%s): %s", f->label_zh,
	    f->code, why);
}

/* Parses "[-]digits[.digits]" with at most `scale` decimals into units of
 * 10^-scale. */
static int
parse_fixed(const char *s, int scale, int64_t *out)
{
	int64_t v = 0;
	int neg = 0, decimals = -1;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s; s++) {
		if (*s == '.' && decimals < 0 && scale > 0) {
			decimals = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || decimals == scale)
			return -1;
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
		if (decimals >= 0)
			decimals++;
	}
	if (decimals == 0)
		return -1;
	for (decimals = decimals < 0 ? 0 : decimals; decimals < scale;
	    decimals++) {
		if (v > INT64_MAX / 10)
			return -1;
		v *= 10;
	}
	*out = neg ? -v : v;
	return 0;
}

static int
parse_bool(const char *s, int64_t *v)
{
	static const char *yes[] = { "是", "y", "Y", "yes", "true", "1" };
	static const char *no[] = { "否", "n", "N", "no", "false", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*v = 1;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*v = 0;
			return 0;
		}
	}
	return -1;
}

/* Length of the separator at p: ';', '|', ',' or '、', else 0. */
static size_t
sep_len(const char *p)
{
	if (*p == ';' || *p == '|' || *p == ',')
		return 1;
	return strncmp(p, "、", 3) == 0 ? 3 : 0;
}

/* Splits a multi value at its separators and ORs the codes. */
static int
parse_multi(const struct field *f, const char *s, int64_t *mask,
    struct lf_error *err)
{
	char part[256], why[320];
	const struct field_option *o;
	const char *p = s;
	size_t n;

	*mask = 0;
	while (*p) {
		for (n = 0; p[n] && sep_len(p + n) == 0; n++)
			;
		if (n == 0 || n >= sizeof(part))
			return perr(err, f, "bad_option", "多选值格式错误, "
			    "应以 ; 分隔 (multi values are codes separated "
			    "by ;)");
		memcpy(part, p, n);
		part[n] = '\0';
		if ((o = field_option_parse(f, part)) == NULL) {
			snprintf(why, sizeof(why), "“%.64s” 不是有效选项 "
			    "(not an option of this item)", part);
			return perr(err, f, "bad_option", why);
		}
		*mask |= (int64_t)1 << o->code;
		p += n;
		p += sep_len(p);
	}
	return 0;
}

static int
valid_phone(const char *s)
{
	size_t n = strlen(s), i, digits = 0, dash = 0;

	if (n == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9') {
		for (i = 0; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return 0;
		return 1;
	}
	/* landline: 0 + area code (2-3 more digits), optional '-', 7-8 */
	if (s[0] != '0')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '-' && dash == 0 && i >= 3 && i <= 4) {
			dash = i;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return 0;
		digits++;
	}
	if (dash)
		return n - dash - 1 >= 7 && n - dash - 1 <= 8;
	return digits >= 10 && digits <= 12;
}

static int
parse_text(struct record *r, const struct field *f, const char *s,
    struct lf_error *err)
{
	long chars = utf8_count(s, strlen(s));
	char why[160];
	size_t i;

	if (chars < 0)
		return perr(err, f, "bad_text", "不是有效的 UTF-8 (not valid "
		    "UTF-8)");
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return perr(err, f, "bad_text", "含有控制字符 "
			    "(contains a control character)");
	if (strchr("=+-@", s[0]) != NULL)
		return perr(err, f, "bad_text", "不能以 = + - @ 开头 (must not "
		    "start with =, +, - or @: spreadsheets read it as a "
		    "formula)");
	if (chars < f->min || chars > f->max) {
		snprintf(why, sizeof(why), "长度应为 %lld 到 %lld 个字 "
		    "(length must be %lld..%lld characters, is %ld)",
		    (long long)f->min, (long long)f->max, (long long)f->min,
		    (long long)f->max, chars);
		return perr(err, f, "bad_length", why);
	}
	return record_set_str(r, f->index, s) == 0 ? 0 :
	    perr(err, f, "no_memory", LF_ERROR_NOMEM_TEXT);
}

static int
parse_number(struct record *r, const struct field *f, const char *s,
    struct lf_error *err)
{
	int scale = f->type == FT_MONEY ? 2 : f->type == FT_DECIMAL ?
	    f->scale : 0;
	char why[200];
	int64_t v;

	if (parse_fixed(s, scale, &v) != 0) {
		snprintf(why, sizeof(why), "应为数字, 最多 %d 位小数 (must be "
		    "a number with at most %d decimals)", scale, scale);
		return perr(err, f, "bad_number", why);
	}
	if (v < f->min || v > f->max)
		return perr(err, f, "out_of_range", "超出允许范围 (out of the "
		    "allowed range)");
	record_set_num(r, f->index, v);
	return 0;
}

static int
parse_id(struct record *r, const struct field *f, const char *s,
    struct lf_error *err)
{
	struct idcard_info info;
	struct idcard_error ie;

	/* the not-in-future check is record_validate()'s, at survey date */
	if (idcard_parse(s, 2 * 365 * 1000, &info, &ie) != 0)
		return perr(err, f, ie.code, ie.message);
	if (record_set_str(r, f->index, info.id) != 0)
		return perr(err, f, "no_memory", LF_ERROR_NOMEM_TEXT);
	return 0;
}

static int
parse_region(struct record *r, const struct field *f, const char *s,
    struct lf_error *err)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			break;
	if (i != 12 || s[i] != '\0')
		return perr(err, f, "bad_region", "应为 12 位统计用区划代码 "
		    "(must be a 12-digit division code)");
	if (record_set_str(r, f->index, s) != 0)
		return perr(err, f, "no_memory", LF_ERROR_NOMEM_TEXT);
	r->num[f->index] = strtoll(s, NULL, 10);
	return 0;
}

static int
parse_coded(struct record *r, const struct field *f, const char *s,
    struct lf_error *err)
{
	const struct field_option *o;
	int64_t v;

	if (f->type == FT_BOOL) {
		if (parse_bool(s, &v) != 0)
			return perr(err, f, "bad_bool", "应为 是 或 否 (must "
			    "be 是/否, y/n or 1/0)");
	} else if (f->type == FT_MULTI) {
		if (parse_multi(f, s, &v, err) != 0)
			return -1;
	} else {
		o = field_option_parse(f, s);
		if (o == NULL) {
			char why[320];

			snprintf(why, sizeof(why), "“%.64s” 不是有效选项 "
			    "(not an option of this item)", s);
			return perr(err, f, "bad_option", why);
		}
		v = o->code;
	}
	record_set_num(r, f->index, v);
	return 0;
}

int
record_parse_value(struct record *r, const struct field *f, const char *text,
    struct lf_error *err)
{
	char s[MAX_VALUE];
	size_t n;
	int d;

	while (*text == ' ' || *text == '\t')
		text++;
	n = strlen(text);
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n >= sizeof(s))
		return perr(err, f, "too_long", "值过长 (value too long)");
	memcpy(s, text, n);
	s[n] = '\0';
	record_unset(r, f->index);
	if (n == 0)
		return 0;
	switch (f->type) {
	case FT_TEXT:
		return parse_text(r, f, s, err);
	case FT_INT:
	case FT_MONEY:
	case FT_DECIMAL:
		return parse_number(r, f, s, err);
	case FT_DATE:
		if (date_parse(s, &d) != 0)
			return perr(err, f, "bad_date", "应为有效日期 "
			    "YYYY-MM-DD (must be a real date YYYY-MM-DD)");
		record_set_num(r, f->index, d);
		return 0;
	case FT_ID_NUMBER:
		return parse_id(r, f, s, err);
	case FT_PHONE:
		if (!valid_phone(s))
			return perr(err, f, "bad_phone", "应为 11 位手机号或 "
			    "区号+固话号码 (must be an 11-digit mobile or an "
			    "area code + landline number)");
		return record_set_str(r, f->index, s) == 0 ? 0 :
		    perr(err, f, "no_memory", LF_ERROR_NOMEM_TEXT);
	case FT_REGION:
		return parse_region(r, f, s, err);
	default:
		return parse_coded(r, f, s, err);
	}
}

static int
format_fixed(struct buf *b, int64_t v, int scale)
{
	int64_t p = 1;
	int i;

	if (scale == 0)
		return buf_addf(b, "%lld", (long long)v);
	for (i = 0; i < scale; i++)
		p *= 10;
	return buf_addf(b, "%s%lld.%0*lld", v < 0 ? "-" : "",
	    (long long)(v < 0 ? -v : v) / p, scale,
	    (long long)(v < 0 ? -v : v) % p);
}

static int
format_multi(struct buf *b, const struct field *f, int64_t mask)
{
	size_t i;
	int first = 1;

	/* in catalog order, so the text form is canonical */
	for (i = 0; i < f->noptions; i++) {
		if (!((mask >> f->options[i].code) & 1))
			continue;
		if ((!first && buf_addc(b, ';') != 0) ||
		    buf_adds(b, f->options[i].code_text) != 0)
			return -1;
		first = 0;
	}
	return 0;
}

int
record_format_value(const struct record *r, const struct field *f,
    struct buf *b)
{
	int64_t v = r->num[f->index];
	const struct field_option *o;
	char date[11];

	if (!r->set[f->index])
		return 0;
	switch (f->type) {
	case FT_TEXT:
	case FT_ID_NUMBER:
	case FT_PHONE:
	case FT_REGION:
		return buf_adds(b, r->str[f->index]);
	case FT_INT:
		return format_fixed(b, v, 0);
	case FT_MONEY:
		return format_fixed(b, v, 2);
	case FT_DECIMAL:
		return format_fixed(b, v, f->scale);
	case FT_DATE:
		date_format((int)v, date);
		return buf_adds(b, date);
	case FT_BOOL:
		return buf_adds(b, v ? "是" : "否");
	case FT_MULTI:
		return format_multi(b, f, v);
	case FT_ENUM:
		o = field_option(f, (int)v);
		return buf_adds(b, o ? o->code_text : "?");
	}
	return -1;
}

/*
 * json_record.c - survey records as JSON objects keyed by catalog code.
 *
 * enum: integer code; multi: array of codes; bool: true/false; int and
 * money (fen): integers; date: "YYYY-MM-DD"; decimal: string with its
 * scale; text, ID, phone and region: strings. Items with no value are
 * left out (null on input unsets). Input goes through
 * record_parse_value(), so the API validates exactly as the CLI does.
 */
#include "server/http_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void
json_mask(const char *s, char *out, size_t outlen)
{
	size_t n = strlen(s), i;

	if (outlen == 0)
		return;
	for (i = 0; i < n && i + 1 < outlen; i++)
		out[i] = (n >= 11 && (i < 3 || i >= n - 4)) ? s[i] : '*';
	out[i] = '\0';
}

static json_t *
multi_json(const struct field *f, int64_t mask)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < f->noptions; i++)
		if ((mask >> f->options[i].code) & 1)
			json_array_append_new(a,
			    json_integer(f->options[i].code));
	return a;
}

static json_t *
value_json(const struct record *r, const struct field *f, int mask)
{
	char masked[80];
	struct buf b;
	json_t *j;

	switch (f->type) {
	case FT_ENUM:
	case FT_INT:
	case FT_MONEY:
		return json_integer(r->num[f->index]);
	case FT_BOOL:
		return json_boolean(r->num[f->index] != 0);
	case FT_MULTI:
		return multi_json(f, r->num[f->index]);
	default:
		break;
	}
	if (f->secret && mask) {
		json_mask(r->str[f->index], masked, sizeof(masked));
		return json_string(masked);
	}
	buf_init(&b, 4096);
	j = record_format_value(r, f, &b) == 0 ? json_string(buf_str(&b)) :
	    NULL;
	buf_free(&b);
	return j;
}

json_t *
json_from_record(const struct record *r, int mask_secrets)
{
	json_t *obj = json_object();
	size_t i;

	for (i = 0; obj != NULL && i < r->cat->nfields; i++) {
		const struct field *f = &r->cat->fields[i];

		if (r->set[i] && json_object_set_new(obj, f->code,
		    value_json(r, f, mask_secrets)) != 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

static int
type_error(struct lf_error *err, const struct field *f, const char *want)
{
	return lf_error_set(err, "bad_type", f->code, "%s(%s): 类型错误, 应为"
	    "%s (wrong JSON type: expected %s)", f->label_zh, f->code, want,
	    want);
}

/* The text form of a JSON value for field f, into b. */
static int
text_form(const struct field *f, json_t *v, struct buf *b,
    struct lf_error *err)
{
	size_t i;
	json_t *e;

	switch (f->type) {
	case FT_ENUM:
	case FT_INT:
		if (!json_is_integer(v))
			return type_error(err, f, "integer");
		return buf_addf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case FT_MONEY:
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return type_error(err, f, "integer fen >= 0");
		return buf_addf(b, "%lld.%02lld",
		    (long long)json_integer_value(v) / 100,
		    (long long)json_integer_value(v) % 100);
	case FT_BOOL:
		if (!json_is_boolean(v))
			return type_error(err, f, "true/false");
		return buf_adds(b, json_is_true(v) ? "是" : "否");
	case FT_MULTI:
		if (!json_is_array(v))
			return type_error(err, f, "array of codes");
		json_array_foreach(v, i, e) {
			if (!json_is_integer(e))
				return type_error(err, f, "array of codes");
			if (buf_addf(b, "%s%" JSON_INTEGER_FORMAT, i ? ";" : "",
			    json_integer_value(e)) != 0)
				return -1;
		}
		return 0;
	default:
		if (!json_is_string(v))
			return type_error(err, f, "string");
		return buf_add(b, json_string_value(v),
		    json_string_length(v));
	}
}

int
json_to_record(json_t *obj, struct record *rec, struct lf_error *err)
{
	const char *key;
	json_t *v;
	struct buf b;
	int rc = 0;

	buf_init(&b, 4096);
	json_object_foreach(obj, key, v) {
		const struct field *f = catalog_find(rec->cat, key,
		    strlen(key));

		if (f == NULL && body_key_safe(key)) {
			rc = lf_error_set(err, "unknown_field", key, "未知项 %s "
			    "(not a catalog item)", key);
			break;
		}
		if (f == NULL) {
			/* client text of any shape: not echoed */
			rc = lf_error_set(err, "unknown_field", "", "未知项 (a "
			    "name that is not a catalog item)");
			break;
		}
		buf_reset(&b);
		if (json_is_null(v)) {
			record_unset(rec, f->index);
			continue;
		}
		if (text_form(f, v, &b, err) != 0) {
			if (err->code == NULL)
				lf_error_set(err, "too_long", f->code, "%s(%s): "
				    "值过长 (value too long)", f->label_zh,
				    f->code);
			rc = -1;
			break;
		}
		if (f->type == FT_MULTI && b.len == 0) {
			record_unset(rec, f->index);
			continue;
		}
		if (strlen(buf_str(&b)) != b.len) {
			rc = lf_error_set(err, "bad_text", f->code, "%s(%s): 含有 "
			    "NUL 字符 (contains a NUL character)", f->label_zh,
			    f->code);
			break;
		}
		if ((rc = record_parse_value(rec, f, buf_str(&b), err)) != 0)
			break;
	}
	buf_free(&b);
	return rc;
}

/*
 * store_diff.c - what changed between two versions, as JSON for history.
 *
 * {"item": {"old": "text form", "new": "text form"}, ...}; for a secret
 * item both sides are masked and "old_sealed" keeps the replaced sealed
 * value (hex), so the previous version can be restored with the key.
 */
#include "store/store_diff.h"

#include <jansson.h>
#include <string.h>

#include "core/idcard.h"
#include "lib/mem.h"

static json_t *
text_form(const struct record *r, const struct field *f)
{
	struct buf b;
	char masked[40];
	json_t *j;

	if (!r->set[f->index])
		return json_null();
	if (f->secret) {
		idcard_mask(r->str[f->index], masked, sizeof(masked));
		return json_string(masked);
	}
	buf_init(&b, 4096);
	if (record_format_value(r, f, &b) != 0) {
		buf_free(&b);
		return NULL;
	}
	j = json_string(buf_str(&b));
	buf_free(&b);
	return j;
}

static json_t *
hex_blob(const unsigned char *p, int n)
{
	static const char hexd[] = "0123456789abcdef";
	char *s = mem_alloc((size_t)n * 2 + 1);
	json_t *j;
	int i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		s[2 * i] = hexd[p[i] >> 4];
		s[2 * i + 1] = hexd[p[i] & 15];
	}
	s[2 * n] = '\0';
	j = json_string(s);
	mem_free(s);
	return j;
}

static int
add_change(json_t *obj, const struct field *f, const struct record *old,
    const struct record *new, const struct packrec_sealed *sealed)
{
	json_t *c = json_object();

	if (c == NULL || json_object_set_new(c, "old", text_form(old, f)) ||
	    json_object_set_new(c, "new", text_form(new, f))) {
		json_decref(c);
		return -1;
	}
	if (f->secret && sealed != NULL && sealed[f->index].slen > 0 &&
	    json_object_set_new(c, "old_sealed", hex_blob(
	    sealed[f->index].sealed, (int)sealed[f->index].slen))) {
		json_decref(c);
		return -1;
	}
	return json_object_set_new(obj, f->code, c);
}

int
diff_build(const struct record *old, const struct record *new,
    const struct packrec_sealed *sealed, char **json, int *nchanged,
    struct lf_error *err)
{
	const struct catalog *cat = old->cat;
	json_t *obj = json_object();
	size_t i;

	*nchanged = 0;
	*json = NULL;
	if (obj == NULL)
		return lf_error_nomem(err);
	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];

		if (!record_field_equal(old, new, (int)i)) {
			if (add_change(obj, f, old, new, sealed) != 0)
				goto nomem;
			(*nchanged)++;
		}
	}
	if (*nchanged > 0 &&
	    (*json = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		goto nomem;
	json_decref(obj);
	return 0;
nomem:
	json_decref(obj);
	return lf_error_nomem(err);
}

int
diff_add_plain(void *objp, const char *key, const char *old, const char *new)
{
	json_t *obj = objp, *c = json_object();

	if (c == NULL || json_object_set_new(c, "old", old ? json_string(old) :
	    json_null()) || json_object_set_new(c, "new", new ?
	    json_string(new) : json_null())) {
		json_decref(c);
		return -1;
	}
	return json_object_set_new(obj, key, c);
}

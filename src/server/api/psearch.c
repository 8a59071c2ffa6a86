/*
 * psearch.c - finding persons by ID number, certificate number (both
 * exact, through the keyed lookup hash) or name prefix, inside the
 * caller's scope for a given action. The persons search (ACT_PERSON_READ)
 * and the audit log's search (ACT_AUDIT_READ) both go through here, so
 * they cannot differ in what a caller may find, and both answer through
 * http_person_search_audited(), so they count and audit their matches
 * alike. The searched value never leaves this file: not in an error, a
 * log line or an audit entry.
 */
#include "server/access.h"
#include "server/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idcard.h"

struct scoped {
	struct req	*r;
	enum action	 a;
	http_found_fn	 fn;
	void		*arg;
};

static int
in_scope(void *arg, const struct store_person *p)
{
	struct scoped *s = arg;

	if (!access_allowed(&s->r->who, s->a, strtoll(p->region, NULL, 10)))
		return 0;
	return s->fn(s->arg, p);
}

static int
find_exact(struct req *r, json_t *body, struct scoped *sc,
    const char **by, struct lf_error *err)
{
	const char *idn = json_string_value(json_object_get(body,
	    "id_number"));
	const char *card = json_string_value(json_object_get(body,
	    "certificate_no"));
	struct idcard_info info;
	struct idcard_error ie;
	struct store_person p;
	int rc;

	if (idn != NULL) {
		*by = "id_number";
		if (idcard_parse(idn, store_today(), &info, &ie))
			return lf_error_set(err, ie.code, "id_number", "%s",
			    ie.message);
		rc = store_person_by_idnum(r->s, info.id, &p, err);
	} else {
		*by = "certificate_no";
		if (strlen(card) != 20)
			return lf_error_set(err, "card_length",
			    "certificate_no", "残疾人证号应为 20 位 (a "
			    "certificate number has 20 characters)");
		rc = store_person_by_card(r->s, card, &p, err);
	}
	if (rc < 0)
		return -1;
	return rc == 0 ? in_scope(sc, &p) : 0;
}

static int
find_name(struct req *r, json_t *body, struct scoped *sc,
    struct lf_error *err)
{
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *code = json_string_value(json_object_get(body, "region"));
	const struct region *in = r->who.scope;

	if (name == NULL || *name == '\0' || strlen(name) > 64)
		return lf_error_set(err, "bad_name", "name", "姓名应为 1 到 64 "
		    "字节的字符串 (name must be a non-empty string)");
	if (code != NULL) {
		in = regions_find(r->app->regions, code);
		if (in == NULL || !region_contains(r->who.scope, in->code12) ||
		    in->level < r->who.scope->level)
			return lf_error_set(err, "bad_region", "region", "区划不在"
			    "您的范围内 (region unknown or outside your scope)");
	}
	return store_person_search_name(r->s, name, in, 50, in_scope, sc,
	    err);
}

int
http_person_find(struct req *r, json_t *body, int a, http_found_fn fn,
    void *arg, const char **by, struct lf_error *err)
{
	struct scoped sc = { r, (enum action)a, fn, arg };
	json_t *idn = json_object_get(body, "id_number");
	json_t *card = json_object_get(body, "certificate_no");
	json_t *name = json_object_get(body, "name");
	int rc;

	*by = "name";
	if ((idn != NULL) + (card != NULL) + (name != NULL) != 1 ||
	    (idn != NULL && !json_is_string(idn)) ||
	    (card != NULL && !json_is_string(card)))
		return lf_error_set(err, "bad_request", "", "请给出 id_number、"
		    "certificate_no 或 name 之一 (give exactly one of "
		    "id_number, certificate_no, name as a string)");
	if (store_read_begin(r->s, err) != 0)
		return -1;
	rc = name != NULL ? find_name(r, body, &sc, err) :
	    find_exact(r, body, &sc, by, err);
	store_read_end(r->s);
	return rc;
}

struct found {
	struct req		*r;
	json_t			*list;
	http_person_add_fn	 add;
	int			 n;
};

static int
add_found(void *arg, const struct store_person *p)
{
	struct found *f = arg;

	f->n++;
	return f->add(f->r, f->list, p);
}

enum MHD_Result
http_person_search_audited(struct req *r, const char *audit_action,
    json_t *body, int a, http_person_add_fn add)
{
	struct found f = { r, json_array(), add, 0 };
	struct lf_error err;
	const char *by = "name";
	char detail[64];
	int rc;

	lf_error_clear(&err);
	rc = http_person_find(r, body, a, add_found, &f, &by, &err);
	json_decref(body);
	if (rc != 0) {
		json_decref(f.list);
		return reply_lf_error(r, &err);
	}
	snprintf(detail, sizeof(detail), "by=%s matches=%d", by, f.n);
	if (http_audit_gate(r, audit_action, "person", "", "ok", detail) != 0) {
		json_decref(f.list);
		return reply_audit_unavailable(r);
	}
	return reply_json(r, 200, json_pack("{s:o}", "persons", f.list));
}

void
http_mask_name(const char *name, char *out, size_t outlen)
{
	size_t o = 0, n, chars = 0, i, total = 0;
	const char *s;

	if (outlen == 0)
		return;
	for (s = name; *s != '\0'; s++)
		if ((*s & 0xC0) != 0x80)
			total++;
	for (s = name; *s != '\0'; s += n, chars++) {
		n = 1;
		while ((s[n] & 0xC0) == 0x80)
			n++;
		/* first character, and the last of three or more, shown */
		if (chars == 0 || (total >= 3 && chars == total - 1)) {
			if (o + n >= outlen)
				break;
			for (i = 0; i < n; i++)
				out[o++] = s[i];
		} else {
			if (o + 1 >= outlen)
				break;
			out[o++] = '*';
		}
	}
	out[o] = '\0';
}

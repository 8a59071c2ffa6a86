/*
 * h_meta.c - the catalog (clients render forms from it) and the region
 * tree with person counts.
 */
#include "server/access.h"

#include <string.h>

static json_t *
field_json(const struct field *f)
{
	static const char *sections[] = { "envelope", "basic", "need" };
	json_t *opts = json_array(), *o, *j;
	size_t i;

	for (i = 0; opts != NULL && i < f->noptions; i++) {
		o = json_pack("{s:i,s:s,s:s}", "code", f->options[i].code,
		    "text", f->options[i].code_text, "label",
		    f->options[i].label);
		json_array_append_new(opts, o);
	}
	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:b,s:s,s:i,s:I,s:I,s:i,"
	    "s:b}",
	    "code", f->code, "section", sections[f->section], "label",
	    f->label_zh, "label_en", f->label_en, "type",
	    field_type_name(f->type), "options", opts, "required",
	    f->required, "ask_if", f->ask_if_text, "exclusive", f->exclusive,
	    "min", (json_int_t)f->min, "max", (json_int_t)f->max, "scale",
	    f->scale, "secret", f->secret);
	if (j != NULL && f->group != NULL && f->group[0] != '\0')
		json_object_set_new(j, "group", json_string(f->group));
	return j;
}

enum MHD_Result
h_catalog(struct req *r)
{
	const struct catalog *cat = r->app->cat;
	json_t *fields = json_array();
	size_t i;

	for (i = 0; fields != NULL && i < cat->nfields; i++)
		json_array_append_new(fields, field_json(&cat->fields[i]));
	return reply_json(r, 200, json_pack("{s:o}", "fields", fields));
}


enum MHD_Result
h_region_children(struct req *r)
{
	const struct regions *rs = r->app->regions;
	const struct region *node = regions_find(rs, r->params[0]), *c;
	json_t *children;
	int64_t n;
	int i;

	if (node == NULL || !access_allowed(&r->who, ACT_REGION_READ, 0) ||
	    !region_contains(r->who.scope, node->code12) ||
	    node->level < r->who.scope->level)
		return reply_not_found(r);
	children = json_array();
	for (i = node->first_child; i >= 0; i = c->next_sibling) {
		struct lf_error err;

		c = &rs->v[i];
		lf_error_clear(&err);
		if (store_count_region(r->s, c, &n, &err) != 0) {
			json_decref(children);
			return reply_lf_error(r, &err);
		}
		json_array_append_new(children, json_pack("{s:s,s:s,s:s,s:i,"
		    "s:I}", "code", c->code, "name", c->name, "level",
		    region_level_name(c->level), "children", c->nchildren,
		    "persons", (json_int_t)n));
	}
	return reply_json(r, 200, json_pack("{s:s,s:s,s:o}", "code",
	    node->code, "name", node->name, "children", children));
}

/*
 * report_json.c - a statistics report as JSON (report.h).
 */
#include "stats/report.h"
#include "io/outfile.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/mem.h"

/* obj[key] = v, taking v's reference; -1 when v is NULL or on failure. */
static int
set(json_t *obj, const char *key, json_t *v)
{
	return v == NULL ? -1 : json_object_set_new(obj, key, v);
}

/* The columns of row i of t into obj. */
static int
row_counts(const struct stats_table *t, size_t i, json_t *obj)
{
	size_t c;

	for (c = 0; c < t->ncols; c++)
		if (set(obj, t->col_code[c], json_integer(t->rows[i].v[c])) !=
		    0)
			return -1;
	return 0;
}

static json_t *
columns(const struct stats_table *t)
{
	json_t *a = json_array(), *c;
	size_t i;

	for (i = 0; a != NULL && i < t->ncols; i++) {
		c = json_pack("{s:s, s:s}", "code", t->col_code[i], "label",
		    t->col_label[i]);
		if (c == NULL || json_array_append_new(a, c) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
children(const struct stats_table *t)
{
	json_t *obj = json_object(), *row;
	size_t i;

	for (i = 1; obj != NULL && i < t->nrows; i++) {
		row = json_pack("{s:s}", "name", t->rows[i].region->name);
		if (row == NULL || row_counts(t, i, row) != 0 ||
		    json_object_set_new(obj, t->rows[i].region->code, row) !=
		    0) {
			json_decref(row);
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

/* TABLE of report.h. */
static json_t *
table_json(const struct report_table *rt)
{
	const struct stats_table *t = &rt->t;
	json_t *obj = json_object(), *reg = json_object();

	if (obj == NULL || reg == NULL || set(obj, "label",
	    json_string(rt->title)) != 0 || set(obj, "columns",
	    columns(t)) != 0 || (t->nrows > 0 && row_counts(t, 0, reg) != 0) ||
	    json_object_set(obj, "region", reg) != 0 ||
	    set(obj, "children", children(t)) != 0) {
		json_decref(obj);
		obj = NULL;
	}
	json_decref(reg);
	return obj;
}

static int
kpi_extra(const struct report_table *rt, json_t *obj)
{
	const struct report_target *tg;
	struct lf_error err;
	json_t *targets = json_object(), *below = json_array();
	size_t i, n, *rows = NULL;
	int rc = -1;

	tg = report_targets(&n);
	if (targets == NULL || below == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (set(targets, tg[i].col, json_integer(tg[i].bp)) != 0)
			goto out;
	if (report_below_target(&rt->t, &rows, &n, &err) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (json_array_append_new(below, json_string(
		    rt->t.rows[rows[i]].region->code)) != 0)
			goto out;
	rc = json_object_set(obj, "targets", targets) != 0 ||
	    json_object_set(obj, "below_target", below) != 0 ? -1 : 0;
out:
	mem_free(rows);
	json_decref(targets);
	json_decref(below);
	return rc;
}

static json_t *
filter_json(const struct report_filter *rf)
{
	json_t *f, *codes, *labels;
	size_t j;

	f = json_pack("{s:s, s:s, s:[], s:[]}", "item", rf->f->code, "label",
	    rf->f->label_zh, "codes", "labels");
	if (f == NULL)
		return NULL;
	codes = json_object_get(f, "codes");
	labels = json_object_get(f, "labels");
	for (j = 0; j < rf->n; j++)
		if (json_array_append_new(codes, json_string(rf->code[j])) !=
		    0 || json_array_append_new(labels,
		    json_string(rf->label[j])) != 0) {
			json_decref(f);
			return NULL;
		}
	return f;
}

static json_t *
filters_json(const struct report *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < r->nfilters; i++)
		if (json_array_append_new(a, filter_json(&r->filters[i])) !=
		    0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The table r->tables[i] into the report object. */
static int
put_table(const struct report_table *rt, json_t *root, json_t *items,
    json_t *services)
{
	json_t *t = table_json(rt);

	if (t == NULL)
		return -1;
	if (rt->kind == RK_KPI && kpi_extra(rt, t) != 0) {
		json_decref(t);
		return -1;
	}
	switch (rt->kind) {
	case RK_KPI:
	case RK_NEED:
		return json_object_set_new(root, rt->key, t);
	case RK_ITEM:
		return json_object_set_new(items, rt->key, t);
	default:
		return json_object_set_new(services, rt->key, t);
	}
}

json_t *
report_json(const struct report *r)
{
	json_t *root, *items = json_object(), *services = json_object();
	size_t i;

	root = json_pack("{s:i, s:{s:s, s:s, s:s}, s:o, s:s}", "year",
	    r->year, "region", "code", r->in->code, "name", r->in->name,
	    "level", region_level_name(r->in->level), "filters",
	    filters_json(r), "as_of", r->as_of);
	if (root == NULL || items == NULL || services == NULL ||
	    json_object_set(root, "items", items) != 0 ||
	    json_object_set(root, "services", services) != 0)
		goto fail;
	for (i = 0; i < r->ntables; i++)
		if (put_table(&r->tables[i], root, items, services) != 0)
			goto fail;
	if (report_sections_json(root, r) != 0)
		goto fail;
	json_decref(items);
	json_decref(services);
	return root;
fail:
	json_decref(root);
	json_decref(items);
	json_decref(services);
	return NULL;
}

int
report_json_write(const struct report *r, const char *path,
    struct lf_error *err)
{
	char tmp[4096];
	json_t *j = NULL;
	FILE *fp = NULL;
	int rc = -1, direct;

	if (outfile_path(path, tmp, sizeof(tmp), &direct, err) != 0)
		return -1;
	if ((j = report_json(r)) == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	if ((fp = fopen(tmp, "w")) == NULL) {
		lf_error_set(err, "io", "path", "%s: 无法创建 (cannot create)",
		    tmp);
		goto out;
	}
	if (json_dumpf(j, fp, JSON_INDENT(1)) != 0 || fputc('\n', fp) == EOF ||
	    fflush(fp) != 0 || (!direct && fsync(fileno(fp)) != 0)) {
		lf_error_set(err, "io", "path", "%s: 写入失败 (write failed)",
		    tmp);
		goto out;
	}
	rc = 0;
out:
	if (fp != NULL && fclose(fp) != 0 && rc == 0)
		rc = lf_error_set(err, "io", "path", "%s: 写入失败 (write "
		    "failed)", tmp);
	json_decref(j);
	return outfile_finish(tmp, path, direct, rc, err);
}

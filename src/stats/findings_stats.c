/*
 * findings_stats.c - counts of findings by rule, status and region, as the
 * "findings" section of the statistics (findings_stats.h).
 */
#include "stats/findings_stats.h"

#include <string.h>

struct acc {
	json_t			*by_rule;	/* code -> {open,...} */
	json_t			*by_region;	/* code -> {open,..,by_rule} */
	json_t			*totals;
};

static void
bump(json_t *o, const char *key, int64_t n)
{
	json_t *v = json_object_get(o, key);

	json_object_set_new(o, key, json_integer((v ? json_integer_value(v) :
	    0) + n));
}

static json_t *
counts(void)
{
	return json_pack("{s:i,s:i,s:i}", "open", 0, "resolved", 0,
	    "dismissed", 0);
}

static json_t *
child(json_t *parent, const char *key, int with_rules)
{
	json_t *o = json_object_get(parent, key);

	if (o == NULL) {
		o = counts();
		if (with_rules)
			json_object_set_new(o, "by_rule", json_object());
		json_object_set_new(parent, key, o);
	}
	return o;
}

static int
on_count(void *arg, const char *region, const char *rule, int status,
    int64_t n)
{
	struct acc *a = arg;
	const char *st = finding_status_code(status);
	json_t *reg;

	if (*st == '\0')
		return 0;
	bump(a->totals, st, n);
	bump(child(a->by_rule, rule, 0), st, n);
	reg = child(a->by_region, region, 1);
	bump(reg, st, n);
	bump(child(json_object_get(reg, "by_rule"), rule, 0), st, n);
	return 0;
}

static json_t *
rules_json(const struct quality_rules *qr, json_t *by_rule)
{
	json_t *a = json_array(), *c;
	size_t i;

	for (i = 0; i < qr->n; i++) {
		const struct quality_rule *q = &qr->v[i];

		c = json_object_get(by_rule, q->code);
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,"
		    "s:o}", "code", q->code, "name_zh", q->name_zh, "name_en",
		    q->name_en, "severity", quality_severity_name(q->severity,
		    0), "scope", quality_scope_name(q->scope, 0), "owner",
		    q->owner, "counts", c ? json_incref(c) : counts()));
	}
	return a;
}

static json_t *
regions_json(const struct regions *regs, json_t *by_region)
{
	const struct region *r;
	const char *key;
	json_t *a = json_array(), *v;

	json_object_foreach(by_region, key, v) {
		r = regs != NULL ? regions_find(regs, key) : NULL;
		json_object_set_new(v, "region", json_string(key));
		json_object_set_new(v, "name", json_string(r ? r->name : key));
		json_array_append(a, v);
	}
	return a;
}

static int
child_digits(const char *prefix)
{
	size_t n = strlen(prefix);

	return n == 0 ? 2 : n == 2 ? 4 : n == 4 ? 6 : n == 6 ? 9 : 12;
}

json_t *
findings_stats_json(struct store *s, const struct quality_rules *qr,
    const struct regions *regs, int year, const char *prefix,
    struct lf_error *err)
{
	struct acc a;
	json_t *out;

	a.by_rule = json_object();
	a.by_region = json_object();
	a.totals = counts();
	if (findings_count(s, year, prefix, child_digits(prefix), on_count,
	    &a, err) != 0) {
		json_decref(a.by_rule);
		json_decref(a.by_region);
		json_decref(a.totals);
		return NULL;
	}
	out = json_pack("{s:i,s:s,s:o,s:o,s:o}", "year", year, "region",
	    prefix, "totals", a.totals, "rules", rules_json(qr, a.by_rule),
	    "by_region", regions_json(regs, a.by_region));
	json_decref(a.by_rule);
	json_decref(a.by_region);
	return out;
}

int
findings_stats_text(const json_t *j, FILE *fp)
{
	const json_t *t = json_object_get(j, "totals"), *v;
	size_t i;

	fprintf(fp, "\n数据质量问题 (data-quality findings): 待处理 %lld, "
	    "已整改 %lld, 已排除 %lld\n",
	    (long long)json_integer_value(json_object_get(t, "open")),
	    (long long)json_integer_value(json_object_get(t, "resolved")),
	    (long long)json_integer_value(json_object_get(t, "dismissed")));
	json_array_foreach(json_object_get(j, "rules"), i, v) {
		const json_t *c = json_object_get(v, "counts");

		fprintf(fp, "  %-8lld %s\n", (long long)json_integer_value(
		    json_object_get(c, "open")), json_string_value(
		    json_object_get(v, "name_zh")));
	}
	return ferror(fp) ? -1 : 0;
}

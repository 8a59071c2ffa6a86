/*
 * report.c - building a statistics report from the engine, its filters,
 * and what the JSON, xlsx, CSV and text writers share (report.h).
 */
#include "stats/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "lib/utf8.h"

/* ---- filters --------------------------------------------------------- */

static const struct {
	const char	*text;
	int		 v;
} bools[] = {
	{ "1", 1 }, { "0", 0 }, { "是", 1 }, { "否", 0 }, { "y", 1 },
	{ "n", 0 }, { "yes", 1 }, { "no", 0 }, { "true", 1 },
	{ "false", 0 },
};

/* A whole decimal number 0..max, else -1. */
static int
small_number(const char *s, int max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno != 0 || *end != '\0' || v > max ? -1 : (int)v;
}

/* Echoing input in a message: at most ECHO_MAX bytes, cut on a character
 * boundary, so that no full ID number (18) ever appears. */
#define ECHO_MAX	16

static int
echo_len(const char *s)
{
	return (int)utf8_cut(s, strlen(s), ECHO_MAX);
}

static const char *
echo_more(const char *s)
{
	return strlen(s) > (size_t)echo_len(s) ? "…" : "";
}

static int
is_text(const struct field *f)
{
	return f->type == FT_TEXT || f->type == FT_REGION;
}

/* The filter bit of one code of f (see stats_filter_bit()), or -1 with
 * err. */
static int
filter_code(const struct stats *st, const struct field *f, const char *tok,
    struct lf_error *err)
{
	const struct field_option *o;
	const struct stats_band *b;
	size_t i, nb;
	int code = -1, bit;

	b = stats_bands(st, f, &nb);
	if (nb > 0) {
		if ((code = small_number(tok, (int)nb - 1)) < 0)
			for (i = 0; i < nb; i++)
				if (strcmp(b[i].label, tok) == 0)
					code = (int)i;
	} else if (f->type == FT_BOOL) {
		for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
			if (strcasecmp(bools[i].text, tok) == 0)
				code = bools[i].v;
	} else if (is_text(f)) {
		if (strcmp(tok, "filled") == 0 || strcmp(tok, "已填") == 0)
			code = 0;
	} else if ((o = field_option_parse(f, tok)) != NULL)
		code = o->code;
	if (code >= 0 && (bit = stats_filter_bit(st, f, code)) >= 0)
		return bit;
	return lf_error_set(err, "invalid", f->code, "%s(%s): 未知代码 '%.*s%s'"
	    " (unknown %s)", f->label_zh, f->code, echo_len(tok), tok,
	    echo_more(tok), nb > 0 ?
	    "band index or label" : is_text(f) ? "code: only 'filled'" :
	    "option code or label");
}

int
report_filter_codes(const struct stats *st, const struct field *f,
    const char *codes, uint64_t *mask, struct lf_error *err)
{
	char tok[256];
	const char *p = codes, *e;
	size_t len;
	int bit;

	*mask = 0;
	if (f->secret)
		return lf_error_set(err, "invalid", f->code, "%s(%s): 加密项"
		    "不能筛选 (secret items cannot be filtered)",
		    f->label_zh, f->code);
	while (p != NULL) {
		e = strchr(p, ',');
		len = e ? (size_t)(e - p) : strlen(p);
		while (len > 0 && *p == ' ') {
			p++;
			len--;
		}
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == 0 || len >= sizeof(tok))
			return lf_error_set(err, "invalid", f->code, "%s(%s): "
			    "代码为空或过长 (empty or overlong code)",
			    f->label_zh, f->code);
		memcpy(tok, p, len);
		tok[len] = '\0';
		if ((bit = filter_code(st, f, tok, err)) < 0)
			return -1;
		*mask |= (uint64_t)1 << bit;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

int
report_filter_parse(const struct stats *st, const struct catalog *cat,
    const char *spec, struct stats_filter *out, struct lf_error *err)
{
	const char *eq = strchr(spec, '=');
	const struct field *f;
	char item[256];
	size_t len;

	if (eq == NULL || eq == spec)
		return lf_error_set(err, "invalid", "filter", "筛选条件应为 "
		    "项目=代码[,代码] (a filter is ITEM=CODE[,CODE...])");
	len = (size_t)(eq - spec);
	if (len >= sizeof(item))
		return lf_error_set(err, "invalid", "filter", "筛选项目过长 "
		    "(item name too long)");
	memcpy(item, spec, len);
	item[len] = '\0';
	if ((f = catalog_find(cat, item, len)) == NULL &&
	    (f = catalog_find_label(cat, item)) == NULL)
		return lf_error_set(err, "invalid", "filter", "未知统计项目 "
		    "'%.*s%s' (unknown item: give a catalog code or label)",
		    echo_len(item), item, echo_more(item));
	out->f = f;
	return report_filter_codes(st, f, eq + 1, &out->codes, err);
}

/* The code and label of filter bit `bit` of f; NULL when none. */
static void
bit_name(const struct stats *st, const struct field *f, int bit,
    char num[24], const char **code, const char **label)
{
	const struct stats_band *b;
	size_t i, nb;

	snprintf(num, 24, "%d", bit);
	*code = *label = NULL;
	b = stats_bands(st, f, &nb);
	if (nb > 0 || f->type == FT_BOOL) {
		if ((nb > 0 && (size_t)bit >= nb) || (nb == 0 && bit > 1))
			return;
		*code = num;
		*label = nb > 0 ? b[bit].label : bit == 1 ? "是" : "否";
	} else if (is_text(f)) {
		*code = bit == 0 ? "filled" : NULL;
		*label = "已填";
	} else
		for (i = 0; i < f->noptions; i++)
			if (stats_filter_bit(st, f, f->options[i].code) ==
			    bit) {
				*code = f->options[i].code_text;
				*label = f->options[i].label;
			}
}

/* Names filter sf's codes and labels into rf (copies). */
static int
filter_describe(const struct stats *st, const struct stats_filter *sf,
    struct report_filter *rf)
{
	const char *code, *label;
	char num[24];
	int bit;

	rf->f = sf->f;
	rf->mask = sf->codes;
	for (bit = 0; bit < REPORT_MAX_CODES; bit++) {
		if (!(sf->codes >> bit & 1))
			continue;
		bit_name(st, sf->f, bit, num, &code, &label);
		if (code == NULL)
			code = label = num;
		rf->code[rf->n] = mem_strdup(code);
		rf->label[rf->n] = mem_strdup(label);
		rf->n++;
		if (rf->code[rf->n - 1] == NULL || rf->label[rf->n - 1] == NULL)
			return -1;
	}
	return 0;
}

/* ---- building -------------------------------------------------------- */

static const struct {
	enum report_kind	 kind;
	const char		*key;
	const char		*title;
} fixed_tables[] = {
	{ RK_KPI, "kpi", "精准管理指标" },
	{ RK_BATCH, "batch", "服务项目(按五个一批)" },
	{ RK_POLICY, "policy", "服务项目(按政策)" },
	{ RK_DEPT, "dept", "服务项目(按部门)" },
	{ RK_NEED, "need_supply", "需求与供给" },
};
#define NFIXED	(sizeof(fixed_tables) / sizeof(fixed_tables[0]))

static int
table_fill(const struct stats *st, const struct stats_query *q,
    struct report_table *t, struct lf_error *err)
{
	const struct targets *tg;

	switch (t->kind) {
	case RK_KPI:
		/* 入库 targets: the built-in data/targets.tsv */
		if ((tg = targets_builtin(err)) == NULL ||
		    stats_kpi_table(st, q, &t->t, err) != 0)
			return -1;
		stats_kpi_targets(&t->t, tg, stats_year(st));
		return 0;
	case RK_BATCH:
		return stats_service_table(st, q, STATS_BY_BATCH, &t->t, err);
	case RK_POLICY:
		return stats_service_table(st, q, STATS_BY_POLICY, &t->t,
		    err);
	case RK_DEPT:
		return stats_service_table(st, q, STATS_BY_DEPT, &t->t, err);
	case RK_NEED:
		return stats_need_table(st, q, &t->t, err);
	default:
		return stats_field_table(st, q, t->f, &t->t, err);
	}
}

/* Every table of the report, filled in order; r->ntables counts the
 * filled ones (for report_free). The item tables come from one pass over
 * the persons (stats_field_tables), which matters for filtered reports. */
static int
tables_build(struct report *r, const struct stats *st,
    const struct catalog *cat, const struct stats_query *q,
    struct lf_error *err)
{
	const struct field **fs;
	struct stats_table *items;
	struct report_table *t;
	size_t i, n = 0;
	int rc = -1;

	for (i = 0; i < cat->nfields; i++)
		n += !cat->fields[i].secret;
	if ((r->tables = mem_calloc(NFIXED + n, sizeof(*r->tables))) == NULL)
		return lf_error_nomem(err);
	for (i = 0; i < NFIXED; i++) {
		t = &r->tables[r->ntables];
		t->kind = fixed_tables[i].kind;
		t->key = fixed_tables[i].key;
		t->title = fixed_tables[i].title;
		if (table_fill(st, q, t, err) != 0)
			return -1;
		r->ntables++;
	}
	fs = mem_calloc(n ? n : 1, sizeof(*fs));
	items = mem_calloc(n ? n : 1, sizeof(*items));
	if (fs == NULL || items == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	for (i = 0, n = 0; i < cat->nfields; i++)
		if (!cat->fields[i].secret)
			fs[n++] = &cat->fields[i];
	if (stats_field_tables(st, q, fs, n, items, err) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		t = &r->tables[r->ntables++];
		t->kind = RK_ITEM;
		t->f = fs[i];
		t->key = fs[i]->code;
		t->title = fs[i]->label_zh;
		t->t = items[i];	/* the report owns it now */
	}
	rc = 0;
out:
	mem_free(fs);
	mem_free(items);
	return rc;
}

void
report_now(char out[REPORT_TIME_LEN])
{
	date_utc_iso((int64_t)time(NULL), out);
}

int
report_build(const struct stats *st, const struct catalog *cat,
    const struct stats_query *q, const char *as_of, struct report **out,
    struct lf_error *err)
{
	struct report *r;
	size_t i;

	if (q->nfilters > STATS_MAX_FILTERS)
		return lf_error_set(err, "invalid", "filter", "筛选条件过多 "
		    "(at most %d filters)", STATS_MAX_FILTERS);
	if ((r = mem_calloc(1, sizeof(*r))) == NULL)
		return lf_error_nomem(err);
	r->year = stats_year(st);
	r->in = q->in;
	if (as_of != NULL)
		snprintf(r->as_of, sizeof(r->as_of), "%s", as_of);
	else
		report_now(r->as_of);
	for (i = 0; i < q->nfilters; i++) {
		r->nfilters++;
		if (filter_describe(st, &q->filters[i], &r->filters[i]) != 0) {
			report_free(r);
			return lf_error_nomem(err);
		}
	}
	if (tables_build(r, st, cat, q, err) != 0 ||
	    report_section_add(r, &report_satisf_section, NULL, err) != 0) {
		report_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int
report_section_add(struct report *r, const struct report_section_ops *ops,
    void *data, struct lf_error *err)
{
	if (r->nsections == REPORT_MAX_SECTIONS) {
		if (ops->release != NULL)
			ops->release(data);
		return lf_error_set(err, "invalid", "", "报表附加部分过多 (too "
		    "many report sections)");
	}
	r->sections[r->nsections].ops = ops;
	r->sections[r->nsections++].data = data;
	return 0;
}

int
report_table_add(struct report *r, const char *key, const char *title,
    struct stats_table *t, struct lf_error *err)
{
	struct report_table *nv;

	nv = mem_realloc(r->tables, (r->ntables + 1) * sizeof(*nv));
	if (nv == NULL) {
		stats_table_free(t);
		return lf_error_nomem(err);
	}
	r->tables = nv;
	memset(&nv[r->ntables], 0, sizeof(nv[0]));
	nv[r->ntables].kind = RK_NEED;	/* a top-level table */
	nv[r->ntables].key = key;
	nv[r->ntables].title = title;
	nv[r->ntables].t = *t;
	memset(t, 0, sizeof(*t));
	r->ntables++;
	return 0;
}

int
report_sections_json(json_t *root, const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nsections; i++)
		if (r->sections[i].ops->json != NULL &&
		    r->sections[i].ops->json(root, r, r->sections[i].data) != 0)
			return -1;
	return 0;
}

int
report_sections_text(const struct report *r, FILE *fp)
{
	size_t i;

	for (i = 0; i < r->nsections; i++)
		if (r->sections[i].ops->text != NULL &&
		    r->sections[i].ops->text(r, r->sections[i].data, fp) != 0)
			return -1;
	return 0;
}

int
report_sections_csv(const struct report *r, FILE *fp)
{
	size_t i;

	for (i = 0; i < r->nsections; i++)
		if (r->sections[i].ops->csv != NULL &&
		    r->sections[i].ops->csv(r, r->sections[i].data, fp) != 0)
			return -1;
	return 0;
}

int
report_sections_xlsx(struct lxw_workbook *wb, const struct report *r)
{
	size_t i;
	int e;

	for (i = 0; i < r->nsections; i++)
		if (r->sections[i].ops->xlsx != NULL && (e =
		    r->sections[i].ops->xlsx(wb, r, r->sections[i].data)) != 0)
			return e;
	return 0;
}

void
report_free(struct report *r)
{
	size_t i, j;

	if (r == NULL)
		return;
	for (i = 0; i < r->ntables; i++)
		stats_table_free(&r->tables[i].t);
	mem_free(r->tables);
	satisf_table_free(&r->satisf);
	for (i = 0; i < r->nsections; i++)
		if (r->sections[i].ops->release != NULL)
			r->sections[i].ops->release(r->sections[i].data);
	for (i = 0; i < r->nfilters; i++)
		for (j = 0; j < r->filters[i].n; j++) {
			mem_free(r->filters[i].code[j]);
			mem_free(r->filters[i].label[j]);
		}
	mem_free(r);
}

const struct report_table *
report_table(const struct report *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->ntables; i++)
		if (strcmp(r->tables[i].key, key) == 0)
			return &r->tables[i];
	return NULL;
}

/* ---- what the writers share ----------------------------------------- */

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

enum report_unit
report_unit(const char *code)
{
	if (ends_with(code, "planned") || ends_with(code, "spent"))
		return RU_FEN;
	if (ends_with(code, "_bp"))
		return RU_BP;
	return RU_COUNT;
}

/* The engine's unit suffixes, replaced for display. */
static const struct {
	enum report_unit	 unit;
	const char		*engine, *shown;
} suffixes[] = {
	{ RU_FEN, "(分)", "(元)" },
	{ RU_BP, "(万分比)", "" },
};

int
report_col_head(const struct stats_table *t, size_t i, struct buf *b)
{
	const char *label = t->col_label[i];
	enum report_unit u = report_unit(t->col_code[i]);
	size_t j;

	for (j = 0; j < sizeof(suffixes) / sizeof(suffixes[0]); j++)
		if (u == suffixes[j].unit && ends_with(label,
		    suffixes[j].engine))
			return buf_add(b, label, strlen(label) -
			    strlen(suffixes[j].engine)) != 0 ? -1 :
			    buf_adds(b, suffixes[j].shown);
	if (buf_adds(b, label) != 0)
		return -1;
	return u == RU_FEN && strstr(label, "元") == NULL ? buf_adds(b,
	    "(元)") : 0;
}

int
report_value_text(enum report_unit u, int64_t v, struct buf *b)
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	switch (u) {
	case RU_FEN:
		return buf_addf(b, "%s%llu.%02llu", v < 0 ? "-" : "",
		    (unsigned long long)(a / 100),
		    (unsigned long long)(a % 100));
	case RU_BP:
		a = (a + 5) / 10;	/* tenths of a percent */
		return buf_addf(b, "%s%llu.%llu%%", v < 0 ? "-" : "",
		    (unsigned long long)(a / 10),
		    (unsigned long long)(a % 10));
	default:
		return buf_addf(b, "%lld", (long long)v);
	}
}

const char *
report_row_name(const struct stats_table *t, size_t i)
{
	return i == 0 ? "合计" : t->rows[i].region->name;
}

int
report_title(const struct report *r, const struct report_table *t,
    struct buf *b)
{
	const struct report_filter *rf;
	size_t i, j;

	/* the region by its name: codes are for machines (issue 14) */
	if (buf_addf(b, "%d年 %s", r->year, r->in->name) != 0 ||
	    (t != NULL && buf_addf(b, " %s",
	    t->title) != 0))
		return -1;
	for (i = 0; i < r->nfilters; i++) {
		rf = &r->filters[i];
		if (buf_addf(b, "%s%s=", i ? "; " : " 筛选: ",
		    rf->f->label_zh) != 0)
			return -1;
		for (j = 0; j < rf->n; j++)
			if (buf_addf(b, "%s%s", j ? "、" : "",
			    rf->label[j]) != 0)
				return -1;
	}
	return buf_addf(b, " 数据截至 %s", r->as_of);
}

static const struct report_target targets[] = {
	{ "entry_rate_bp", "registered", 9800 },
	{ "coverage_bp", "valid_card", 9800 },
	/* 满意度: (满意 + 基本满意) / rated (core/satisf.h) */
	{ "satisfaction_bp", "rated", 9000 },
};
#define NTARGETS	(sizeof(targets) / sizeof(targets[0]))

const struct report_target *
report_targets(size_t *n)
{
	*n = NTARGETS;
	return targets;
}

/* The column with this code, or -1. */
static int
col_index(const struct stats_table *t, const char *code)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->col_code[i], code) == 0)
			return (int)i;
	return -1;
}

/* How far row i falls short of its worst target (0: none). */
static int64_t
shortfall(const struct stats_table *t, size_t row)
{
	const int64_t *v = t->rows[row].v;
	int64_t worst = 0;
	size_t i;
	int c, d;

	for (i = 0; i < NTARGETS; i++) {
		c = col_index(t, targets[i].col);
		d = col_index(t, targets[i].denom);
		if (c < 0 || d < 0 || v[d] <= 0 || v[c] >= targets[i].bp)
			continue;
		if (targets[i].bp - v[c] > worst)
			worst = targets[i].bp - v[c];
	}
	return worst;
}

struct below {
	size_t		 row;
	int64_t		 shortfall;
	const char	*code;
};

static int
by_shortfall(const void *a, const void *b)
{
	const struct below *x = a, *y = b;

	if (x->shortfall != y->shortfall)
		return x->shortfall > y->shortfall ? -1 : 1;
	return strcmp(x->code, y->code);
}

int
report_below_target(const struct stats_table *kpi, size_t **rows,
    size_t *n, struct lf_error *err)
{
	struct below *v;
	size_t i, m = 0;

	*n = 0;
	v = mem_calloc(kpi->nrows ? kpi->nrows : 1, sizeof(*v));
	*rows = mem_calloc(kpi->nrows ? kpi->nrows : 1, sizeof(**rows));
	if (v == NULL || *rows == NULL) {
		mem_free(v);
		mem_free(*rows);
		*rows = NULL;
		return lf_error_nomem(err);
	}
	for (i = 1; i < kpi->nrows; i++) {
		v[m].row = i;
		v[m].code = kpi->rows[i].region->code;
		if ((v[m].shortfall = shortfall(kpi, i)) > 0)
			m++;
	}
	qsort(v, m, sizeof(*v), by_shortfall);
	for (i = 0; i < m; i++)
		(*rows)[i] = v[i].row;
	*n = m;
	mem_free(v);
	return 0;
}

/*
 * catalog.c - parse data/catalog.tsv into struct catalog.
 *
 * The text is copied once and cut in place; every string in the catalog
 * points into that copy. Skip rules are compiled after all fields are
 * known, so an ask_if may name any item.
 */
#include "core/catalog.h"
#include "lib/hash.h"
#include "lib/num.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tsv.h"
#include "core/expr.h"
#include "lib/mem.h"
#include "lib/utf8.h"

enum col {
	COL_SECTION, COL_CODE, COL_LABEL_ZH, COL_LABEL_EN, COL_TYPE,
	COL_OPTIONS, COL_REQUIRED, COL_RULE, COL_ASK_IF, COL_EXCLUSIVE,
	COL_GROUP,	/* optional: the first one that may be missing */
	COL_OPTIONS_EN,	/* optional */
	NCOLS
};

static const char *col_names[NCOLS] = {
	"section", "code", "label_zh", "label_en", "type", "options",
	"required", "rule", "ask_if", "exclusive", "group", "options_en"
};

static const char *type_names[] = {
	"text", "int", "date", "enum", "multi", "bool", "money", "id_number",
	"phone", "region", "decimal"
};

struct ctx {
	const char	*filename;
	unsigned long	 line;
	struct lf_error	*err;
	const int	*map;	/* column in the file of each enum col */
};

static int
bad(struct ctx *c, enum col col, const char *fmt, const char *what)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, what);
	lf_error_set(c->err, "catalog", col_names[col], "%s:%lu:%s: %s",
	    c->filename, c->line, col_names[col], msg);
	c->err->line = c->line;
	c->err->column = (unsigned)(c->map != NULL && c->map[col] >= 0 ?
	    c->map[col] : (int)col) + 1;
	return -1;
}

const char *
field_type_name(enum field_type t)
{
	return type_names[t];
}

int
field_is_auto(const struct field *f)
{
	return f->group != NULL && strcmp(f->group, "auto") == 0;
}

int
field_is_coded(const struct field *f)
{
	return f->type == FT_ENUM || f->type == FT_MULTI || f->type == FT_BOOL;
}

/* Splits s at each sep (in place) into at most max parts. */
static size_t
split(char *s, char sep, char **parts, size_t max)
{
	size_t n = 0;

	parts[n++] = s;
	while (*s != '\0') {
		if (*s == sep) {
			*s = '\0';
			if (n == max)
				return max + 1;
			parts[n++] = s + 1;
		}
		s++;
	}
	return n;
}

/* lib/num.h's parser, into an int64_t. */
static int
parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	long long v;

	if (lf_parse_int(s, lo, hi, &v) != 0)
		return -1;
	*out = v;
	return 0;
}

/* "A..B" */
static int
parse_range(char *s, int64_t *lo, int64_t *hi)
{
	char *dots = strstr(s, "..");

	if (dots == NULL)
		return -1;
	*dots = '\0';
	if (parse_int(s, INT64_MIN / 2, INT64_MAX / 2, lo) != 0 ||
	    parse_int(dots + 2, INT64_MIN / 2, INT64_MAX / 2, hi) != 0 ||
	    *hi < *lo)
		return -1;
	return 0;
}

static int
parse_coded_options(struct ctx *c, struct field *f, char *s)
{
	char *parts[256];
	size_t n, i, j;
	int64_t code, maxcode = f->type == FT_MULTI ? 62 : 9999;

	if (*s == '\0')
		return bad(c, COL_OPTIONS, "%s 需要选项 (enum and multi items "
		    "need CODE=label options)", type_names[f->type]);
	n = split(s, '|', parts, 255);
	if (n > 255)
		return bad(c, COL_OPTIONS, "%s", "选项过多 (too many options)");
	f->options = mem_calloc(n, sizeof(*f->options));
	if (f->options == NULL)
		return lf_error_nomem(c->err);
	for (i = 0; i < n; i++) {
		char *eq = strchr(parts[i], '=');

		if (eq == NULL || eq[1] == '\0')
			return bad(c, COL_OPTIONS, "选项应为 CODE=label "
			    "(option '%s' is not CODE=label)", parts[i]);
		*eq = '\0';
		if (parse_int(parts[i], 0, maxcode, &code) != 0)
			return bad(c, COL_OPTIONS, "选项代码无效 (option code "
			    "'%s' is not a number in range)", parts[i]);
		for (j = 0; j < i; j++)
			if (f->options[j].code == code)
				return bad(c, COL_OPTIONS, "选项代码重复 "
				    "(option code %s appears twice)",
				    parts[i]);
		f->options[i].code = (int)code;
		f->options[i].code_text = parts[i];
		f->options[i].label = eq + 1;
	}
	f->noptions = n;
	return 0;
}

/* A CJK ideograph or full-width form at s (UTF-8 lead 0xE3..0xE9 covers
 * U+3000..U+9FFF, 0xEF 0xBC/0xBD U+FF00..U+FF7F). */
static int
has_cjk(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++)
		if ((*p >= 0xE3 && *p <= 0xE9) || (*p == 0xEF &&
		    (p[1] == 0xBC || p[1] == 0xBD)))
			return 1;
	return 0;
}

/* One "CODE=label" of options_en onto its option. */
static int
option_en(struct ctx *c, struct field *f, char *part)
{
	char *eq = strchr(part, '=');
	struct field_option *o;
	int64_t code;

	if (eq == NULL || eq[1] == '\0')
		return bad(c, COL_OPTIONS_EN, "英文选项应为 CODE=label "
		    "(English option '%s' is not CODE=label)", part);
	*eq = '\0';
	if (parse_int(part, 0, 9999, &code) != 0 ||
	    (o = (struct field_option *)field_option(f, (int)code)) == NULL)
		return bad(c, COL_OPTIONS_EN, "英文选项代码不是本项的选项 "
		    "(English option code '%s' is not an option of this "
		    "item)", part);
	if (o->label_en != NULL)
		return bad(c, COL_OPTIONS_EN, "英文选项代码重复 (English "
		    "option code %s appears twice)", part);
	if (has_cjk(eq + 1))
		return bad(c, COL_OPTIONS_EN, "英文选项名称含中文 (English "
		    "label '%s' holds Chinese characters)", eq + 1);
	o->label_en = eq + 1;
	return 0;
}

/* options_en: an English label for every option of an enum or multi item;
 * with the column absent (have 0) each option's English label is its
 * Chinese one (small test catalogs). */
static int
parse_options_en(struct ctx *c, struct field *f, char *s, int have)
{
	char *parts[256];
	size_t n, i;

	if (f->type != FT_ENUM && f->type != FT_MULTI) {
		if (*s == '\0')
			return 0;
		return bad(c, COL_OPTIONS_EN, "%s", "只有单选和多选项有英文"
		    "选项 (only enum and multi items have English options)");
	}
	if (!have) {
		for (i = 0; i < f->noptions; i++)
			f->options[i].label_en = f->options[i].label;
		return 0;
	}
	if (*s == '\0')
		return bad(c, COL_OPTIONS_EN, "%s 需要英文选项 (every option "
		    "needs an English label)", type_names[f->type]);
	n = split(s, '|', parts, 255);
	if (n > 255)
		return bad(c, COL_OPTIONS_EN, "%s", "英文选项过多 (too many "
		    "English options)");
	for (i = 0; i < n; i++)
		if (option_en(c, f, parts[i]) != 0)
			return -1;
	for (i = 0; i < f->noptions; i++)
		if (f->options[i].label_en == NULL)
			return bad(c, COL_OPTIONS_EN, "选项 %s 缺少英文名称 "
			    "(option has no English label)",
			    f->options[i].code_text);
	return 0;
}

static int
parse_limits(struct ctx *c, struct field *f, char *s)
{
	char *parts[4];
	size_t n, i;
	int64_t v;

	if (*s == '\0')
		return 0;
	n = split(s, ';', parts, 3);
	if (n > 3)
		return bad(c, COL_OPTIONS, "%s", "限制过多 (too many limits)");
	for (i = 0; i < n; i++) {
		int is_len = strncmp(parts[i], "len=", 4) == 0;
		int is_range = strncmp(parts[i], "range=", 6) == 0;

		if ((is_len && (f->type == FT_TEXT)) ||
		    (is_range && (f->type == FT_INT || f->type == FT_MONEY ||
		    f->type == FT_DECIMAL))) {
			if (parse_range(parts[i] + (is_len ? 4 : 6), &f->min,
			    &f->max) != 0)
				return bad(c, COL_OPTIONS, "%s", "范围应为 A..B "
				    "(limit must be A..B with A <= B)");
		} else if (strcmp(parts[i], "secret") == 0 &&
		    f->type == FT_TEXT) {
			f->secret = 1;
		} else if (strncmp(parts[i], "scale=", 6) == 0 &&
		    f->type == FT_DECIMAL) {
			if (parse_int(parts[i] + 6, 0, 9, &v) != 0)
				return bad(c, COL_OPTIONS, "%s", "scale 应为 "
				    "0..9 (scale must be 0..9)");
			f->scale = (int)v;
		} else
			return bad(c, COL_OPTIONS, "不支持的限制 (limit '%s' "
			    "does not fit this type)", parts[i]);
	}
	return 0;
}

static void
default_limits(struct field *f)
{
	f->min = 0;
	switch (f->type) {
	case FT_TEXT:
		f->max = 200;
		break;
	case FT_INT:
		f->min = INT32_MIN;
		f->max = INT32_MAX;
		break;
	case FT_MONEY:
		f->max = INT64_C(100000000000000);	/* 1e12 yuan */
		break;
	case FT_DECIMAL:
		f->min = -INT64_C(1000000000000);
		f->max = INT64_C(1000000000000);
		break;
	default:
		f->max = 0;
	}
}

static int
parse_type(struct ctx *c, struct field *f, const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(s, type_names[i]) == 0) {
			f->type = (enum field_type)i;
			return 0;
		}
	return bad(c, COL_TYPE, "未知类型 (unknown type '%s')", s);
}

static int
parse_section(struct ctx *c, struct field *f, const char *s)
{
	if (strcmp(s, "envelope") == 0)
		f->section = SEC_ENVELOPE;
	else if (strcmp(s, "basic") == 0)
		f->section = SEC_BASIC;
	else if (strcmp(s, "need") == 0)
		f->section = SEC_NEED;
	else
		return bad(c, COL_SECTION, "应为 envelope、basic 或 need "
		    "(section '%s' is not envelope, basic or need)", s);
	return 0;
}

static int
valid_code(const char *s)
{
	size_t i;

	if (!(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_'))
			return 0;
	return i <= 48;
}

static int
parse_exclusive(struct ctx *c, struct field *f, const char *s)
{
	int64_t v;

	f->exclusive = -1;
	if (*s == '\0')
		return 0;
	if (f->type != FT_MULTI && f->type != FT_ENUM)
		return bad(c, COL_EXCLUSIVE, "%s", "只有单选和多选项可设“无”选项 "
		    "(only enum and multi items have an exclusive option)");
	if (parse_int(s, 0, 62, &v) != 0 || field_option(f, (int)v) == NULL)
		return bad(c, COL_EXCLUSIVE, "互斥选项不是本项的选项 "
		    "(exclusive '%s' is not an option of this item)", s);
	f->exclusive = (int)v;
	return 0;
}

static int
parse_row(struct ctx *c, struct field *f, char **col)
{
	if (parse_section(c, f, col[COL_SECTION]) != 0)
		return -1;
	if (!valid_code(col[COL_CODE]))
		return bad(c, COL_CODE, "代码应为小写字母、数字和下划线 (code "
		    "'%s' must be lower-case ASCII letters, digits, _)",
		    col[COL_CODE]);
	f->code = col[COL_CODE];
	if (*col[COL_LABEL_ZH] == '\0')
		return bad(c, COL_LABEL_ZH, "%s", "缺少中文名称 (empty label)");
	f->label_zh = col[COL_LABEL_ZH];
	f->label_en = col[COL_LABEL_EN];
	if (parse_type(c, f, col[COL_TYPE]) != 0)
		return -1;
	f->secret = f->type == FT_ID_NUMBER || f->type == FT_PHONE;
	default_limits(f);
	if (f->type == FT_ENUM || f->type == FT_MULTI) {
		if (parse_coded_options(c, f, col[COL_OPTIONS]) != 0)
			return -1;
	} else if (parse_limits(c, f, col[COL_OPTIONS]) != 0)
		return -1;
	if (strcmp(col[COL_REQUIRED], "y") != 0 &&
	    strcmp(col[COL_REQUIRED], "n") != 0)
		return bad(c, COL_REQUIRED, "应为 y 或 n (required is '%s', "
		    "not y or n)", col[COL_REQUIRED]);
	f->required = col[COL_REQUIRED][0] == 'y';
	f->rule = col[COL_RULE];
	f->ask_if_text = col[COL_ASK_IF];
	if (*col[COL_GROUP] != '\0' && !valid_code(col[COL_GROUP]))
		return bad(c, COL_GROUP, "分组代码 '%s' 无效 (group code is "
		    "not an ASCII identifier)", col[COL_GROUP]);
	f->group = col[COL_GROUP];
	if (parse_options_en(c, f, col[COL_OPTIONS_EN],
	    c->map[COL_OPTIONS_EN] >= 0) != 0)
		return -1;
	return parse_exclusive(c, f, col[COL_EXCLUSIVE]);
}

static int
build_hash(struct catalog *cat, struct ctx *c)
{
	size_t i, size = 64;

	while (size < cat->nfields * 4)
		size *= 2;
	cat->hash = mem_alloc(size * sizeof(int));
	if (cat->hash == NULL)
		return lf_error_nomem(c->err);
	cat->hashsize = size;
	for (i = 0; i < size; i++)
		cat->hash[i] = -1;
	for (i = 0; i < cat->nfields; i++) {
		const char *code = cat->fields[i].code;
		size_t len = strlen(code);
		unsigned h = lf_hash(code, len) & (size - 1);

		if (catalog_find(cat, code, len) != NULL) {
			c->line = i + 2;
			return bad(c, COL_CODE, "代码重复 (code '%s' appears "
			    "twice)", code);
		}
		while (cat->hash[h] != -1)
			h = (h + 1) & (size - 1);
		cat->hash[h] = (int)i;
	}
	return 0;
}

static int
compile_rules(struct catalog *cat, struct ctx *c)
{
	struct lf_error e;
	size_t i;

	for (i = 0; i < cat->nfields; i++) {
		struct field *f = &cat->fields[i];

		if (f->ask_if_text[0] == '\0')
			continue;
		lf_error_clear(&e);
		if (expr_compile(f->ask_if_text, cat, &f->ask_if, &e) != 0) {
			lf_error_set(c->err, e.code, f->code, "%s:%lu:ask_if:"
			    "%u: %s", c->filename, (unsigned long)i + 2,
			    e.column, e.message);
			c->err->line = i + 2;
			c->err->column = (unsigned)c->map[COL_ASK_IF] + 1;
			return -1;
		}
	}
	return 0;
}

static int
check_header(struct ctx *c, char *line, int *map)
{
	char *cols[NCOLS + 8];
	size_t n, i, j;

	n = split(line, '\t', cols, NCOLS + 7);
	for (j = 0; j < NCOLS; j++)
		map[j] = -1;
	for (i = 0; i < n && i < NCOLS + 7; i++)
		for (j = 0; j < NCOLS; j++)
			if (strcmp(cols[i], col_names[j]) == 0)
				map[j] = (int)i;
	for (j = 0; j < COL_GROUP; j++)
		if (map[j] < 0)
			return bad(c, (enum col)j, "表头缺少列 (header lacks "
			    "column '%s')", col_names[j]);
	return (int)n;
}

/* 1 when every column from file column `from` on is an optional one. */
static int
trailing_optional(const int *map, int from)
{
	int j, found = 0;

	for (j = 0; j < NCOLS; j++) {
		if (map[j] < from)
			continue;
		if (j < COL_GROUP)
			return 0;
		found++;
	}
	return found > 0;
}

static int
parse_rows(struct catalog *cat, struct ctx *c, char *p, int *map, int ncols)
{
	static char empty[] = "";
	char *line, *raw[NCOLS + 8], *col[NCOLS];
	size_t n, j;

	while ((line = tsv_line(&p)) != NULL) {
		c->line++;
		if (line[0] == '\0' || line[0] == '#')
			continue;
		n = split(line, '\t', raw, (size_t)ncols);
		/* a row may leave out the optional cells that end it */
		while (n < (size_t)ncols && trailing_optional(map, (int)n))
			raw[n++] = empty;
		if (n != (size_t)ncols) {
			lf_error_set(c->err, "catalog", "", "%s:%lu: 应有 %d "
			    "列, 实有 %zu 列 (expected %d tab-separated columns, "
			    "found %zu)", c->filename, c->line, ncols, n, ncols,
			    n);
			c->err->line = c->line;
			return -1;
		}
		for (j = 0; j < NCOLS; j++)
			col[j] = map[j] < 0 ? empty : raw[map[j]];
		cat->fields[cat->nfields].index = (int)cat->nfields;
		if (parse_row(c, &cat->fields[cat->nfields], col) != 0)
			return -1;
		switch (cat->fields[cat->nfields].section) {
		case SEC_ENVELOPE: cat->nenvelope++; break;
		case SEC_BASIC: cat->nbasic++; break;
		case SEC_NEED: cat->nneed++; break;
		}
		cat->nfields++;
	}
	return 0;
}

int
catalog_parse(const char *text, size_t len, const char *filename,
    struct catalog **out, struct lf_error *err)
{
	struct catalog *cat;
	int map[NCOLS], ncols;
	struct ctx c = { filename, 1, err, NULL };
	char *p, *header;

	cat = mem_calloc(1, sizeof(*cat));
	if (cat == NULL)
		return lf_error_nomem(err);
	if (!utf8_valid(text, len) || memchr(text, '\0', len) != NULL) {
		lf_error_set(err, "catalog", "", "%s: 不是有效的 UTF-8 文本 "
		    "(not valid UTF-8 text)", filename);
		goto fail;
	}
	cat->text = mem_strndup(text, len);
	if (cat->text == NULL) {
		lf_error_nomem(err);
		goto fail;
	}
	cat->fields = mem_calloc(tsv_lines(cat->text,
	    strlen(cat->text)), sizeof(*cat->fields));
	if (cat->fields == NULL) {
		lf_error_nomem(err);
		goto fail;
	}
	p = cat->text;
	header = tsv_line(&p);
	if (header == NULL) {
		lf_error_set(err, "catalog", "", "%s: 文件为空 (empty file)",
		    filename);
		goto fail;
	}
	if ((ncols = check_header(&c, header, map)) >= 0)
		c.map = map;
	if (ncols < 0 ||
	    parse_rows(cat, &c, p, map, ncols) != 0 ||
	    build_hash(cat, &c) != 0 || compile_rules(cat, &c) != 0)
		goto fail;
	*out = cat;
	return 0;
fail:
	catalog_free(cat);
	return -1;
}

void
catalog_free(struct catalog *cat)
{
	size_t i;

	if (cat == NULL)
		return;
	for (i = 0; cat->fields != NULL && i < cat->nfields; i++) {
		mem_free(cat->fields[i].options);
		expr_free(cat->fields[i].ask_if);
	}
	/* a row that failed half-way may own options past nfields */
	if (cat->fields != NULL)
		mem_free(cat->fields[cat->nfields].options);
	mem_free(cat->fields);
	mem_free(cat->hash);
	mem_free(cat->text);
	mem_free(cat);
}

const struct field *
catalog_find(const struct catalog *cat, const char *code, size_t len)
{
	unsigned h;

	if (cat->hash == NULL)
		return NULL;
	h = lf_hash(code, len) & (cat->hashsize - 1);
	while (cat->hash[h] != -1) {
		const struct field *f = &cat->fields[cat->hash[h]];

		if (strncmp(f->code, code, len) == 0 && f->code[len] == '\0')
			return f;
		h = (h + 1) & (cat->hashsize - 1);
	}
	return NULL;
}

const struct field *
catalog_find_label(const struct catalog *cat, const char *label)
{
	size_t i;

	for (i = 0; i < cat->nfields; i++)
		if (strcmp(cat->fields[i].label_zh, label) == 0)
			return &cat->fields[i];
	return NULL;
}

const struct field_option *
field_option(const struct field *f, int code)
{
	size_t i;

	for (i = 0; i < f->noptions; i++)
		if (f->options[i].code == code)
			return &f->options[i];
	return NULL;
}

const struct field_option *
field_option_parse(const struct field *f, const char *s)
{
	size_t i;
	int64_t v;

	/* codes first: "01" and "1" both name option 1 */
	if (s[0] >= '0' && s[0] <= '9' && parse_int(s, 0, 9999, &v) == 0 &&
	    field_option(f, (int)v) != NULL)
		return field_option(f, (int)v);
	for (i = 0; i < f->noptions; i++)
		if (strcmp(f->options[i].label, s) == 0)
			return &f->options[i];
	return NULL;
}

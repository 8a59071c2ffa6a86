/*
 * quality.c - reading data/quality_rules.tsv (quality.h).
 */
#include "core/quality.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tsv.h"
#include "lib/embedded.h"
#include "lib/mem.h"
#include "lib/utf8.h"

enum { C_CODE, C_NAME_ZH, C_NAME_EN, C_SEVERITY, C_SCOPE, C_OWNER, C_KIND,
	C_COND, C_THRESHOLD, C_MIN, NCOLS };

static const char *const cols[NCOLS] = {
	"code", "name_zh", "name_en", "severity", "scope", "owner", "kind",
	"condition", "threshold", "min_count"
};

static const char *const kinds[NQKINDS] = {
	"expr", "dup_person", "unmet_policy", "exit_active", "exit_delivery",
	"delivery_before_survey", "funds_off", "surveyor_identical",
	"surveyor_fast"
};

static const struct { const char *code, *zh; } severities[NQSEVERITIES] = {
	{ "high", "高" }, { "medium", "中" }, { "low", "低" }
};

static const struct { const char *code, *zh; } scopes[NQSCOPES] = {
	{ "survey", "入户调查" }, { "plan", "一人一策" },
	{ "item", "服务项目" }, { "delivery", "交付记录" },
	{ "surveyor", "调查员" }, { "cross", "跨人员" }
};

static const struct { const char *role; int digits; } owners[] = {
	{ "village", 12 }, { "township", 9 }, { "county", 6 },
	{ "city", 4 }, { "province", 2 }
};

struct reader {
	const char		*filename;
	unsigned long		 line;
	struct lf_error		*err;
};

static int
bad(struct reader *rd, int col, unsigned pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
bad(struct reader *rd, int col, unsigned pos, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lf_error_set(rd->err, "quality_file", cols[col], "%s:%lu:%s:%u: %s",
	    rd->filename, rd->line, cols[col], pos, msg);
	rd->err->line = rd->line;
	rd->err->column = pos;
	return -1;
}

/* Index of s in the n strings at base (stride bytes apart), or -1. */
static int
lookup(const char *s, const void *base, size_t n, size_t stride)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, *(const char *const *)(const void *)
		    ((const char *)base + i * stride)) == 0)
			return (int)i;
	return -1;
}

static int
parse_num(struct reader *rd, int col, const char *s, int64_t *out)
{
	char *end;
	long long v;

	*out = 0;
	if (*s == '\0')
		return 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v < 0 || v > 1000000000)
		return bad(rd, col, 1, "应为非负整数 (expected a whole number "
		    ">= 0): '%s'", s);
	*out = v;
	return 0;
}

static int
valid_code(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 40)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n;
}

static int
parse_enums(struct reader *rd, struct quality_rule *q, char **c)
{
	int v;

	if ((v = lookup(c[C_SEVERITY], severities, NQSEVERITIES,
	    sizeof(severities[0]))) < 0)
		return bad(rd, C_SEVERITY, 1, "未知严重程度 (unknown severity) "
		    "'%s': high, medium or low", c[C_SEVERITY]);
	q->severity = v;
	if ((v = lookup(c[C_SCOPE], scopes, NQSCOPES, sizeof(scopes[0]))) < 0)
		return bad(rd, C_SCOPE, 1, "未知范围 (unknown scope) '%s'",
		    c[C_SCOPE]);
	q->scope = v;
	if ((v = lookup(c[C_OWNER], owners, sizeof(owners) / sizeof(owners[0]),
	    sizeof(owners[0]))) < 0)
		return bad(rd, C_OWNER, 1, "未知责任角色 (unknown owner role) "
		    "'%s'", c[C_OWNER]);
	snprintf(q->owner, sizeof(q->owner), "%s", owners[v].role);
	q->owner_digits = owners[v].digits;
	if ((v = lookup(c[C_KIND], kinds, NQKINDS, sizeof(kinds[0]))) < 0)
		return bad(rd, C_KIND, 1, "未知规则类型 (unknown kind) '%s'",
		    c[C_KIND]);
	q->kind = v;
	return 0;
}

static int
parse_cond(struct reader *rd, const struct catalog *cat,
    struct quality_rule *q, const char *s)
{
	struct lf_error e;

	if (q->kind != QK_EXPR) {
		if (*s != '\0')
			return bad(rd, C_COND, 1, "内置规则不取条件 (a built-in "
			    "kind takes no condition)");
		return 0;
	}
	if (*s == '\0')
		return bad(rd, C_COND, 1, "expr 规则需要条件 (kind expr needs a "
		    "condition)");
	lf_error_clear(&e);
	if (expr_compile(s, cat, &q->cond, &e) != 0) {
		if (e.code != NULL && strcmp(e.code, "no_memory") == 0)
			return lf_error_nomem(rd->err);
		return bad(rd, C_COND, e.column, "%s", e.message);
	}
	return 0;
}

static int
parse_row(struct reader *rd, struct quality_rules *qr, char **c)
{
	struct quality_rule *q = &qr->v[qr->n];

	memset(q, 0, sizeof(*q));
	q->index = (int)qr->n;
	if (!valid_code(c[C_CODE]))
		return bad(rd, C_CODE, 1, "规则代码应为大写字母、数字和下划线 "
		    "(code must be A-Z, 0-9 and _): '%s'", c[C_CODE]);
	if (quality_rule_find(qr, c[C_CODE]) != NULL)
		return bad(rd, C_CODE, 1, "规则代码重复 (duplicate code) '%s'",
		    c[C_CODE]);
	if (c[C_NAME_ZH][0] == '\0' || c[C_NAME_EN][0] == '\0')
		return bad(rd, c[C_NAME_ZH][0] == '\0' ? C_NAME_ZH : C_NAME_EN,
		    1, "名称不能为空 (name must not be empty)");
	if (parse_enums(rd, q, c) != 0 ||
	    parse_num(rd, C_THRESHOLD, c[C_THRESHOLD], &q->threshold) != 0 ||
	    parse_num(rd, C_MIN, c[C_MIN], &q->min_count) != 0)
		return -1;
	if (q->kind == QK_SURVEYOR_FAST && q->threshold <= 0)
		return bad(rd, C_THRESHOLD, 1, "surveyor_fast 需要秒数阈值 "
		    "(kind surveyor_fast needs a threshold in seconds > 0)");
	q->code = mem_strdup(c[C_CODE]);
	q->name_zh = mem_strdup(c[C_NAME_ZH]);
	q->name_en = mem_strdup(c[C_NAME_EN]);
	q->cond_text = mem_strdup(c[C_COND]);
	qr->n++;	/* owned from here: freed with the table */
	if (q->code == NULL || q->name_zh == NULL || q->name_en == NULL ||
	    q->cond_text == NULL)
		return lf_error_nomem(rd->err);
	return parse_cond(rd, qr->cat, q, c[C_COND]);
}

/* Splits line at tabs into c (NCOLS); -1 when the count differs. */
static int
read_line(struct reader *rd, struct quality_rules *qr, char *line)
{
	char *c[NCOLS];
	size_t len = strlen(line);
	int i;

	if (len > 0 && line[len - 1] == '\r')
		line[len - 1] = '\0';
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	if (tsv_split(line, c, NCOLS) != NCOLS) {
		lf_error_set(rd->err, "quality_file", "", "%s:%lu: 应有 %d 列 "
		    "(expected %d tab-separated columns)", rd->filename,
		    rd->line, NCOLS, NCOLS);
		rd->err->line = rd->line;
		return -1;
	}
	if (rd->line == 1) {
		for (i = 0; i < NCOLS; i++)
			if (strcmp(c[i], cols[i]) != 0)
				return bad(rd, i, 1, "表头第 %d 列应为 %s "
				    "(header column %d must be '%s')", i + 1,
				    cols[i], i + 1, cols[i]);
		return 0;
	}
	if (qr->n == QUALITY_MAX_RULES)
		return bad(rd, C_CODE, 1, "规则过多 (more than %d rules)",
		    QUALITY_MAX_RULES);
	return parse_row(rd, qr, c);
}

static int
read_all(struct reader *rd, struct quality_rules *qr, char *p)
{
	char *nl;

	for (rd->line = 1; *p != '\0'; rd->line++) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (read_line(rd, qr, p) != 0)
			return -1;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (rd->line < 1 || qr->n == 0)
		return lf_error_set(rd->err, "quality_file", "", "%s: 没有规则 "
		    "(no rules)", rd->filename);
	return 0;
}

int
quality_rules_parse(const char *text, size_t len, const char *filename,
    const struct catalog *cat, struct quality_rules **out,
    struct lf_error *err)
{
	struct reader rd = { filename, 0, err };
	struct quality_rules *qr;
	char *copy;
	int rc;

	*out = NULL;
	if (!utf8_valid(text, len) || memchr(text, '\0', len) != NULL)
		return lf_error_set(err, "quality_file", "", "%s: 不是有效的 "
		    "UTF-8 文本 (not valid UTF-8 text)", filename);
	if ((qr = mem_calloc(1, sizeof(*qr))) == NULL ||
	    (qr->v = mem_calloc(QUALITY_MAX_RULES, sizeof(*qr->v))) == NULL) {
		mem_free(qr);
		return lf_error_nomem(err);
	}
	qr->cat = cat;
	if ((copy = mem_strndup(text, len)) == NULL) {
		quality_rules_free(qr);
		return lf_error_nomem(err);
	}
	rc = read_all(&rd, qr, copy);
	mem_free(copy);
	if (rc != 0) {
		quality_rules_free(qr);
		return -1;
	}
	*out = qr;
	return 0;
}

int
quality_rules_load_embedded(const struct catalog *cat,
    struct quality_rules **out, struct lf_error *err)
{
	struct embedded_file f;

	if (embedded_get("data/quality_rules.tsv", &f) != 0)
		return lf_error_set(err, "quality_file", "", "未内置质量规则 "
		    "(quality rules are not built in)");
	return quality_rules_parse(f.data, f.len, f.name, cat, out, err);
}

void
quality_rules_free(struct quality_rules *qr)
{
	size_t i;

	if (qr == NULL)
		return;
	for (i = 0; i < qr->n; i++) {
		mem_free(qr->v[i].code);
		mem_free(qr->v[i].name_zh);
		mem_free(qr->v[i].name_en);
		mem_free(qr->v[i].cond_text);
		expr_free(qr->v[i].cond);
	}
	mem_free(qr->v);
	mem_free(qr);
}

const struct quality_rule *
quality_rule_find(const struct quality_rules *qr, const char *code)
{
	size_t i;

	for (i = 0; i < qr->n; i++)
		if (qr->v[i].code != NULL && strcmp(qr->v[i].code, code) == 0)
			return &qr->v[i];
	return NULL;
}

const char *
quality_severity_name(enum quality_severity v, int zh)
{
	if ((unsigned)v >= NQSEVERITIES)
		return "";
	return zh ? severities[v].zh : severities[v].code;
}

const char *
quality_scope_name(enum quality_scope v, int zh)
{
	if ((unsigned)v >= NQSCOPES)
		return "";
	return zh ? scopes[v].zh : scopes[v].code;
}

int
quality_rule_is_global(const struct quality_rule *q)
{
	return q->kind == QK_DUP_PERSON || q->kind == QK_SURVEYOR_IDENTICAL ||
	    q->kind == QK_SURVEYOR_FAST;
}

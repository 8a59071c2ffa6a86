/*
 * policy_text.c - the default texts of each policy's proposals
 * (data/policy_texts.tsv): 具体措施 (measures) and 预期效果 (the expected
 * effect). See policies_texts_parse() in policy.h.
 *
 * The texts are first collected per policy, then set all at once, so a
 * bad file leaves the policies as they were.
 */
#include "core/policy.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"
#include "lib/utf8.h"

#define NCOLS	3

static const char *const col_names[NCOLS] = { "code", "measures", "effect" };
static const char header[] = "code\tmeasures\teffect";

struct tparse {
	const char	*file;
	unsigned long	 line;
	struct lf_error	*err;
};

static int
bad(const struct tparse *tp, int col, const char *why, const char *what)
{
	lf_error_set(tp->err, "policy_file", col_names[col], "%s:%lu:%s: %s%s",
	    tp->file, tp->line, col_names[col], why, what);
	tp->err->line = tp->line;
	tp->err->column = (unsigned)(col + 1);
	return -1;
}

/* Splits line at tabs into exactly NCOLS columns: 0, or -1. */
static int
split3(char *line, char **col)
{
	char *tab;
	int n;

	col[0] = line;
	for (n = 1; n < NCOLS; n++) {
		if ((tab = strchr(col[n - 1], '\t')) == NULL)
			return -1;
		*tab = '\0';
		col[n] = tab + 1;
	}
	return strchr(col[NCOLS - 1], '\t') == NULL ? 0 : -1;
}

/* One row into texts[2 * i], texts[2 * i + 1] (pointers into the copy). */
static int
text_row(const struct policies *ps, const struct tparse *tp, char *line,
    char **texts)
{
	const struct policy *p;
	char *col[NCOLS];
	int i;

	if (split3(line, col) != 0)
		return bad(tp, 0, "应有 3 列 (a row has 3 columns: code, "
		    "measures, effect)", "");
	if ((p = policy_find(ps, col[0])) == NULL)
		return bad(tp, 0, "未知的政策代码 (unknown policy) ", col[0]);
	if (texts[2 * p->index] != NULL)
		return bad(tp, 0, "政策重复 (policy listed twice) ", col[0]);
	for (i = 1; i < NCOLS; i++)
		if (col[i][0] == '\0' || !utf8_valid(col[i], strlen(col[i])))
			return bad(tp, i, "应为非空 UTF-8 文本 (must be "
			    "non-empty UTF-8 text)", "");
	texts[2 * p->index] = col[1];
	texts[2 * p->index + 1] = col[2];
	return 0;
}

static int
text_lines(const struct policies *ps, struct tparse *tp, char *p,
    char **texts)
{
	char *line;
	size_t n;
	int seen_header = 0;

	while (*p != '\0') {
		line = p;
		n = strcspn(line, "\n");
		p = line + n + (line[n] == '\n');
		line[n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		tp->line++;
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (!seen_header) {
			if (strcmp(line, header) != 0)
				return bad(tp, 0, "表头应为 code measures "
				    "effect (bad header)", "");
			seen_header = 1;
			continue;
		}
		if (text_row(ps, tp, line, texts) != 0)
			return -1;
	}
	return 0;
}

/* Every policy has its texts; then they are copied in. */
static int
texts_set(struct policies *ps, struct tparse *tp, char **texts)
{
	char **copies;
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (texts[2 * i] == NULL)
			return lf_error_set(tp->err, "policy_file", "code",
			    "%s: 政策 %s 缺少默认措施 (policy %s has no row)",
			    tp->file, ps->v[i].code, ps->v[i].code);
	if ((copies = mem_calloc(2 * ps->n + 1, sizeof(*copies))) == NULL)
		return lf_error_nomem(tp->err);
	for (i = 0; i < 2 * ps->n; i++)
		if ((copies[i] = mem_strdup(texts[i])) == NULL) {
			while (i > 0)
				mem_free(copies[--i]);
			mem_free(copies);
			return lf_error_nomem(tp->err);
		}
	for (i = 0; i < ps->n; i++) {
		mem_free(ps->v[i].measures);
		mem_free(ps->v[i].effect);
		ps->v[i].measures = copies[2 * i];
		ps->v[i].effect = copies[2 * i + 1];
	}
	mem_free(copies);
	return 0;
}

int
policies_texts_parse(struct policies *ps, const char *text, size_t len,
    const char *filename, struct lf_error *err)
{
	struct tparse tp = { filename, 0, err };
	char *copy, **texts;
	int rc = -1;

	copy = mem_alloc(len + 1);
	texts = mem_calloc(2 * ps->n + 1, sizeof(*texts));
	if (copy == NULL || texts == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		tp.line = 1;
		bad(&tp, 0, "文件含 NUL 字节 (NUL byte in the file)", "");
		goto out;
	}
	if (text_lines(ps, &tp, copy, texts) == 0)
		rc = texts_set(ps, &tp, texts);
out:
	mem_free(copy);
	mem_free(texts);
	return rc;
}

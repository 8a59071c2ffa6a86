/*
 * reconcile.c - the roster kinds, roster rows and the findings for one
 * person (reconcile.h).
 */
#include "core/reconcile.h"

#include <stdio.h>
#include <string.h>

#include "core/tsv.h"
#include "lib/date.h"
#include "core/idcard.h"
#include "lib/embedded.h"
#include "lib/mem.h"
#include "core/policy.h"

#define COL_ID		"身份证号"
#define COL_NAME	"姓名"
#define NAME_MAX_BYTES	50
#define TEXT_MAX_BYTES	200

static const struct {
	const char	*code, *zh;
} findings[NRFINDINGS] = {
	{ "eligible_not_receiving", "应享未享" },
	{ "receiving_not_eligible", "不应享而享" },
	{ "deceased_receiving", "已死亡仍在享受" },
	{ "moved_receiving", "已迁出或注销仍在享受" },
	{ "disagree", "记录不一致" },
};

const char *
recon_finding_code(int f)
{
	return f >= 0 && f < NRFINDINGS ? findings[f].code : NULL;
}

const char *
recon_finding_zh(int f)
{
	return f >= 0 && f < NRFINDINGS ? findings[f].zh : NULL;
}

int
recon_finding_find(const char *code)
{
	int i;

	for (i = 0; i < NRFINDINGS; i++)
		if (strcmp(findings[i].code, code) == 0)
			return i;
	return -1;
}

void
recon_kinds_free(struct recon_kinds *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++) {
		expr_free(k->v[i].says);
		expr_free(k->v[i].elig);
	}
	mem_free(k->v);
	mem_free(k);
}

#define NCOLS	9

static int
file_bad(struct lf_error *err, const char *file, int line, int col,
    const char *why)
{
	return tsv_error(err, "recon_file", NULL, file, (unsigned long)line,
	    (unsigned)col, why);
}

static int
copy_col(char *dst, size_t cap, const char *src, int col, const char *file,
    int line, struct lf_error *err)
{
	if (strlen(src) >= cap)
		return file_bad(err, file, line, col, "过长 (too long)");
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int
compile_col(const char *src, const struct catalog *cat, struct expr **e,
    const char *file, int line, int col, struct lf_error *err)
{
	struct lf_error ee;
	char why[420];

	*e = NULL;
	if (src[0] == '\0' || expr_compile(src, cat, e, &ee) == 0)
		return 0;
	snprintf(why, sizeof(why), "%u: %s", ee.column, ee.message);
	return file_bad(err, file, line, col, why);
}

static int
kind_row(struct recon_kind *k, char **f, size_t nf, const char *file,
    int line, const struct catalog *cat, const struct policies *ps,
    struct lf_error *err)
{
	memset(k, 0, sizeof(*k));
	if (nf < NCOLS - 1)
		return file_bad(err, file, line, (int)nf + 1, "缺少列 (missing "
		    "column)");
	if (copy_col(k->code, sizeof(k->code), f[0], 1, file, line, err) ||
	    copy_col(k->name_zh, sizeof(k->name_zh), f[1], 2, file, line,
	    err) || copy_col(k->name_en, sizeof(k->name_en), f[2], 3, file,
	    line, err) || copy_col(k->column, sizeof(k->column), f[3], 4,
	    file, line, err) || copy_col(k->says_src, sizeof(k->says_src),
	    f[5], 6, file, line, err) || copy_col(k->policy,
	    sizeof(k->policy), f[6], 7, file, line, err) ||
	    copy_col(k->elig_src, sizeof(k->elig_src), nf > 8 ? f[8] : "", 9,
	    file, line, err))
		return -1;
	if (k->code[0] == '\0' || k->column[0] == '\0')
		return file_bad(err, file, line, k->code[0] ? 4 : 1, "不能为空 "
		    "(must not be empty)");
	if (strcmp(f[4], "date") != 0 && strcmp(f[4], "text") != 0)
		return file_bad(err, file, line, 5, "应为 date 或 text (type: "
		    "date or text)");
	k->coltype = strcmp(f[4], "date") == 0 ? RC_DATE : RC_TEXT;
	if (strcmp(k->policy, "*") != 0 && ps != NULL &&
	    policy_find(ps, k->policy) == NULL)
		return file_bad(err, file, line, 7, "未知政策 (unknown policy)");
	if (strcmp(f[7], "on") != 0 && strcmp(f[7], "off") != 0)
		return file_bad(err, file, line, 8, "应为 on 或 off (needs: on or "
		    "off)");
	k->needs_on = strcmp(f[7], "on") == 0;
	k->death = strcmp(k->code, "death") == 0;
	if (compile_col(k->says_src, cat, &k->says, file, line, 6, err) != 0)
		return -1;
	return compile_col(k->elig_src, cat, &k->elig, file, line, 9, err);
}

static int
parse_lines(char *text, const char *file, const struct catalog *cat,
    const struct policies *ps, struct recon_kinds *k, size_t cap,
    struct lf_error *err)
{
	char *p = text, *line, *f[NCOLS];
	unsigned long lineno = 0;
	int header = 1;
	size_t nf, i;

	while ((line = tsv_next(&p, &lineno)) != NULL) {
		if ((nf = tsv_split(line, f, NCOLS)) > NCOLS)
			nf = NCOLS;	/* further columns are ignored */
		if (header) {
			header = 0;
			if (nf != NCOLS || strcmp(f[0], "kind") != 0)
				return file_bad(err, file, lineno, 1, "表头不对 "
				    "(bad header)");
			continue;
		}
		if (k->n == cap)
			return file_bad(err, file, lineno, 1, "行数过多");
		if (kind_row(&k->v[k->n], f, nf, file, lineno, cat, ps,
		    err) != 0) {
			expr_free(k->v[k->n].says);
			expr_free(k->v[k->n].elig);
			return -1;
		}
		for (i = 0; i < k->n; i++)
			if (strcmp(k->v[i].code, k->v[k->n].code) == 0) {
				k->n++;
				return file_bad(err, file, lineno, 1, "重复 "
				    "(repeated)");
			}
		k->n++;
	}
	return header ? file_bad(err, file, 1, 1, "缺少表头 (no header)") : 0;
}

int
recon_kinds_parse(const char *text, size_t len, const char *file,
    const struct catalog *cat, const struct policies *ps,
    struct recon_kinds **out, struct lf_error *err)
{
	struct recon_kinds *k;
	size_t lines;
	char *copy;
	int rc;

	*out = NULL;
	lines = tsv_lines(text, len);
	k = mem_calloc(1, sizeof(*k));
	copy = mem_strndup(text, len);
	if (k == NULL || copy == NULL ||
	    (k->v = mem_calloc(lines, sizeof(*k->v))) == NULL) {
		mem_free(copy);
		recon_kinds_free(k);
		return lf_error_nomem(err);
	}
	rc = parse_lines(copy, file, cat, ps, k, lines, err);
	mem_free(copy);
	if (rc != 0) {
		recon_kinds_free(k);
		return -1;
	}
	*out = k;
	return 0;
}

int
recon_kinds_load(const struct catalog *cat, struct recon_kinds **out,
    struct lf_error *err)
{
	struct embedded_file f;
	struct policies *ps;
	int rc;

	*out = NULL;
	if (embedded_get("data/reconcile_kinds.tsv", &f) != 0)
		return lf_error_set(err, "recon_file", "", "缺少 "
		    "reconcile_kinds.tsv (file missing)");
	if (policies_load_embedded(cat, &ps, err) != 0)
		return -1;
	rc = recon_kinds_parse(f.data, f.len, "reconcile_kinds.tsv", cat, ps,
	    out, err);
	policies_free(ps);
	return rc;
}

const struct recon_kind *
recon_kind_find(const struct recon_kinds *k, const char *code)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->v[i].code, code) == 0)
			return &k->v[i];
	return NULL;
}

/* Position of header `want` in fields, once: 0, or -1 with err. */
static int
find_col(const char *want, const char *const *fields, size_t n, size_t *at,
    struct lf_error *err)
{
	size_t i, seen = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(fields[i], want) != 0)
			continue;
		if (seen++ > 0) {
			lf_error_set(err, "roster_header", want, "列“%s”重复 "
			    "(column repeated)", want);
			err->column = (unsigned)i + 1;
			return -1;
		}
		*at = i;
	}
	if (seen == 0)
		return lf_error_set(err, "roster_header", want, "缺少列“%s” "
		    "(missing column)", want);
	return 0;
}

int
recon_header(const struct recon_kind *k, const char *const *fields,
    size_t n, struct recon_cols *cols, struct lf_error *err)
{
	if (find_col(COL_ID, fields, n, &cols->id, err) != 0 ||
	    find_col(COL_NAME, fields, n, &cols->name, err) != 0 ||
	    find_col(k->column, fields, n, &cols->own, err) != 0)
		return -1;
	return 0;
}

static int
col_error(struct lf_error *err, size_t col, const char *field,
    const char *why)
{
	lf_error_set(err, "roster_row", field, "%s: %s", field, why);
	err->column = (unsigned)col + 1;
	return -1;
}

int
recon_row(const struct recon_kind *k, const struct recon_cols *cols,
    const char *const *fields, size_t n, int today, char id18[19],
    int *fact_days, struct lf_error *err)
{
	struct idcard_info info;
	struct idcard_error ie;
	const char *v;
	size_t len;

	*fact_days = 0;
	if (cols->id >= n || idcard_parse(fields[cols->id], today, &info,
	    &ie) != 0)
		return col_error(err, cols->id, COL_ID, cols->id >= n ?
		    "缺少 (missing)" : ie.message);
	memcpy(id18, info.id, 19);
	if (cols->name >= n || fields[cols->name][0] == '\0')
		return col_error(err, cols->name, COL_NAME, "不能为空 "
		    "(must not be empty)");
	if (strlen(fields[cols->name]) > NAME_MAX_BYTES)
		return col_error(err, cols->name, COL_NAME, "过长 (too long)");
	v = cols->own < n ? fields[cols->own] : "";
	len = strlen(v);
	if (k->coltype == RC_TEXT) {
		if (len == 0 || len > TEXT_MAX_BYTES)
			return col_error(err, cols->own, k->column, "应为 1-200 "
			    "字节的文字 (must be a text of 1-200 bytes)");
		return 0;
	}
	if (date_parse(v, fact_days) != 0)
		return col_error(err, cols->own, k->column, "应为日期 "
		    "YYYY-MM-DD (must be a date YYYY-MM-DD)");
	if (*fact_days > today)
		return col_error(err, cols->own, k->column, "日期在未来 (date "
		    "in the future)");
	return 0;
}

static unsigned
classify_death(const struct recon_person *p)
{
	unsigned f = 0;

	if (p->on_roster) {
		if (p->receiving)
			f |= 1u << RF_DECEASED_RECEIVING;
		if (p->status == 1)
			f |= 1u << RF_DISAGREE;
	} else if (p->status != 1 && p->receiving)
		f |= 1u << RF_MOVED_RECEIVING;
	return f;
}

unsigned
recon_classify(const struct recon_kind *k, const struct recon_person *p)
{
	unsigned f = 0;
	int fact_ok, says;

	if (k->death)
		return classify_death(p);
	if (p->survey != NULL && k->says != NULL) {
		says = expr_eval_ctx(k->says, p->survey, p->ctx);
		if (says != (p->on_roster != 0))
			f |= 1u << RF_DISAGREE;
	}
	fact_ok = k->needs_on ? p->on_roster != 0 : p->on_roster == 0;
	if (p->receiving && !fact_ok)
		f |= 1u << RF_RECEIVING_NOT_ELIGIBLE;
	if (!p->receiving && fact_ok && p->status == 1 && p->survey != NULL &&
	    (k->elig == NULL || expr_eval_ctx(k->elig, p->survey, p->ctx)))
		f |= 1u << RF_ELIGIBLE_NOT_RECEIVING;
	return f;
}

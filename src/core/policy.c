/*
 * policy.c - parse data/policies.tsv into struct policies and index the
 * policies by the need items that trigger them; parse the amount rules
 * of data/policy_amounts.tsv and pick the one that applies to a person.
 *
 * The text is copied once and cut in place; each policy then keeps its
 * own copies of its strings, so the copy is released when parsing ends.
 * The need index is a compressed table: by_field[f] .. by_field[f + 1]
 * are the offsets in field_list of the policies need field f triggers,
 * in policy-table order. Amount rows are kept sorted by policy (stable),
 * so a person's rows are found by binary search; amounts are capped at
 * 10^9 yuan.
 */
#include "core/policy.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/tsv.h"
#include "lib/embedded.h"
#include "lib/mem.h"
#include "lib/utf8.h"

#define CODE_MAX	32	/* bytes of a policy code */
#define MAX_COLS	9	/* columns of the widest file */

enum col {
	COL_CODE, COL_NAME_ZH, COL_NAME_EN, COL_BATCH, COL_DEPT,
	COL_TRIGGERS, COL_ELIG, COL_AMOUNT, COL_ITEMS, NCOLS
};

static const char *const col_names[NCOLS] = {
	"code", "name_zh", "name_en", "batch", "department", "trigger_needs",
	"eligibility", "amount", "items"
};

static const struct policy_batch_info batches[NBATCHES] = {
	{ "PROD_EMPLOY", "扶持发展生产和就业一批",
	    "Production and employment support" },
	{ "RELOCATE", "移民搬迁安置一批", "Relocation and resettlement" },
	{ "SOCIAL_SEC", "社会保障兜底一批", "Social-security safety net" },
	{ "MEDICAL", "医疗救助一批", "Medical assistance" },
	{ "DISASTER", "灾后重建帮扶一批", "Post-disaster reconstruction" },
	{ "EDUCATION", "发展教育一批", "Education development" },
	{ "NONE", "其他", "Other" },
};

struct reader {
	const char		*filename;
	unsigned long		 line;
	const struct catalog	*cat;
	struct lf_error		*err;
	const char *const	*cols;		/* the file's column names */
	int			 ncols;
};


const struct policy_batch_info *
policy_batch_get(enum policy_batch b)
{
	if ((int)b < 0 || b >= NBATCHES)
		return NULL;
	return &batches[b];
}

int
policy_batch_find(const char *code)
{
	int i;

	for (i = 0; i < NBATCHES; i++)
		if (strcmp(batches[i].code, code) == 0)
			return i;
	return -1;
}

/* "file:line:column:pos: message" with err->line and err->column set. */
static int
bad(struct reader *rd, int col, unsigned pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
bad(struct reader *rd, int col, unsigned pos, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lf_error_set(rd->err, "policy_file", rd->cols[col], "%s:%lu:%s:%u: %s",
	    rd->filename, rd->line, rd->cols[col], pos, msg);
	rd->err->line = rd->line;
	rd->err->column = pos;
	return -1;
}

static size_t
count_tabs(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\t';
	return n;
}

/* Splits s at each tab (in place) into parts, which has room for every
 * part (count_tabs(s) + 1). */
static void
split_tabs(char *s, char **parts)
{
	size_t n = 0;

	parts[n++] = s;
	for (; *s != '\0'; s++)
		if (*s == '\t') {
			*s = '\0';
			parts[n++] = s + 1;
		}
}

static int
check_header(struct reader *rd, char *line)
{
	char *cols[MAX_COLS];
	size_t n = count_tabs(line) + 1, i;

	if (n != (size_t)rd->ncols)
		return bad(rd, 0, 1, "表头应有 %d 列, 实有 %zu 列 (header must "
		    "have %d columns, found %zu)", rd->ncols, n, rd->ncols, n);
	split_tabs(line, cols);
	for (i = 0; i < n; i++)
		if (strcmp(cols[i], rd->cols[i]) != 0)
			return bad(rd, (int)i, 1, "表头第 %zu 列应为 %s (header "
			    "column %zu must be '%s')", i + 1, rd->cols[i],
			    i + 1, rd->cols[i]);
	return 0;
}

/* Rows after the header, each split into exactly rd->ncols columns. */
static int
read_rows(struct reader *rd, char *p,
    int (*fn)(struct reader *, char **, void *), void *arg)
{
	char *line, *col[MAX_COLS];
	size_t n;

	while ((line = tsv_line(&p)) != NULL) {
		rd->line++;
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((n = count_tabs(line) + 1) != (size_t)rd->ncols) {
			lf_error_set(rd->err, "policy_file", "", "%s:%lu: 应有 "
			    "%d 列, 实有 %zu 列 (expected %d tab-separated "
			    "columns, found %zu)", rd->filename, rd->line,
			    rd->ncols, n, rd->ncols, n);
			rd->err->line = rd->line;
			return -1;
		}
		split_tabs(line, col);
		if (fn(rd, col, arg) != 0)
			return -1;
	}
	return 0;
}

/* Checks and copies the text, then the header and each row. */
static int
read_tsv(struct reader *rd, const char *text, size_t len,
    int (*fn)(struct reader *, char **, void *), void *arg)
{
	char *copy, *p, *header;
	int rc = -1;

	if (!utf8_valid(text, len) || memchr(text, '\0', len) != NULL) {
		lf_error_set(rd->err, "policy_file", "", "%s: 不是有效的 UTF-8 "
		    "文本 (not valid UTF-8 text)", rd->filename);
		return -1;
	}
	if ((copy = mem_strndup(text, len)) == NULL)
		return lf_error_nomem(rd->err);
	p = copy;
	if ((header = tsv_line(&p)) == NULL) {
		lf_error_set(rd->err, "policy_file", "", "%s: 文件为空 (empty "
		    "file)", rd->filename);
		goto out;
	}
	rd->line = 1;
	if (check_header(rd, header) != 0 || read_rows(rd, p, fn, arg) != 0)
		goto out;
	rc = 0;
out:
	mem_free(copy);
	return rc;
}

static int
valid_code(const char *s)
{
	size_t i;

	if (!(s[0] >= 'A' && s[0] <= 'Z'))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_'))
			return 0;
	return i <= CODE_MAX;
}

static int
parse_code(struct reader *rd, const struct policies *ps, const char *s)
{
	if (!valid_code(s))
		return bad(rd, COL_CODE, 1, "代码应为大写字母、数字和下划线, 至多 "
		    "%d 字节 (code must be upper-case ASCII letters, digits "
		    "and _, at most %d bytes)", CODE_MAX, CODE_MAX);
	if (policy_find(ps, s) != NULL)
		return bad(rd, COL_CODE, 1, "政策代码重复 (policy %s appears "
		    "twice)", s);
	return 0;
}

/* One trigger need name at s (len bytes, at byte pos of the column). */
static int
add_trigger(struct reader *rd, struct policy *p, const char *s, size_t len,
    unsigned pos)
{
	const struct field *f = catalog_find(rd->cat, s, len);
	size_t i;

	if (len == 0)
		return bad(rd, COL_TRIGGERS, pos, "%s", "需求项为空 (empty "
		    "need item in the list)");
	if (f == NULL || f->section != SEC_NEED)
		return bad(rd, COL_TRIGGERS, pos, "%.*s 不是需求项 (%.*s is not "
		    "a need item of the catalog)", (int)(len > 64 ? 64 : len),
		    s, (int)(len > 64 ? 64 : len), s);
	for (i = 0; i < p->ntriggers; i++)
		if (p->triggers[i] == f->index)
			return bad(rd, COL_TRIGGERS, pos, "需求项 %s 重复 (need "
			    "%s appears twice)", f->code, f->code);
	if (p->ntriggers == POLICY_MAX_TRIGGERS)
		return bad(rd, COL_TRIGGERS, pos, "需求项过多, 至多 %d 个 (more "
		    "than %d trigger needs)", POLICY_MAX_TRIGGERS,
		    POLICY_MAX_TRIGGERS);
	p->triggers[p->ntriggers++] = f->index;
	return 0;
}

static int
parse_triggers(struct reader *rd, struct policy *p, const char *s)
{
	const char *start = s, *comma;

	p->triggers = mem_calloc(POLICY_MAX_TRIGGERS, sizeof(*p->triggers));
	if (p->triggers == NULL)
		return lf_error_nomem(rd->err);
	for (;;) {
		comma = strchr(s, ',');
		if (add_trigger(rd, p, s, comma ? (size_t)(comma - s) :
		    strlen(s), (unsigned)(s - start) + 1) != 0)
			return -1;
		if (comma == NULL)
			return 0;
		s = comma + 1;
	}
}

static int
parse_elig(struct reader *rd, struct policy *p, const char *s)
{
	struct lf_error e;

	lf_error_clear(&e);
	if (expr_compile(s, rd->cat, &p->elig, &e) != 0) {
		if (e.code != NULL && strcmp(e.code, "no_memory") == 0)
			return lf_error_nomem(rd->err);
		return bad(rd, COL_ELIG, e.column, "%s", e.message);
	}
	return 0;
}

static int
copy_strings(struct reader *rd, struct policy *p, char **col)
{
	p->code = mem_strdup(col[COL_CODE]);
	p->name_zh = mem_strdup(col[COL_NAME_ZH]);
	p->name_en = mem_strdup(col[COL_NAME_EN]);
	p->elig_text = mem_strdup(col[COL_ELIG]);
	p->amount_text = mem_strdup(col[COL_AMOUNT]);
	if (p->code == NULL || p->name_zh == NULL || p->name_en == NULL ||
	    p->elig_text == NULL || p->amount_text == NULL)
		return lf_error_nomem(rd->err);
	return 0;
}

static int
parse_row(struct reader *rd, struct policies *ps, struct policy *p,
    char **col)
{
	int batch;

	if (parse_code(rd, ps, col[COL_CODE]) != 0)
		return -1;
	if (col[COL_NAME_ZH][0] == '\0')
		return bad(rd, COL_NAME_ZH, 1, "%s", "缺少中文名称 (empty "
		    "name_zh)");
	if ((batch = policy_batch_find(col[COL_BATCH])) < 0)
		return bad(rd, COL_BATCH, 1, "未知的五个一批代码 %.32s (unknown "
		    "batch: PROD_EMPLOY, RELOCATE, SOCIAL_SEC, MEDICAL, "
		    "DISASTER, EDUCATION or NONE)", col[COL_BATCH]);
	p->batch = (enum policy_batch)batch;
	if ((p->dept = dept_find(col[COL_DEPT])) == NULL)
		return bad(rd, COL_DEPT, 1, "未知部门 %.32s (unknown "
		    "department)", col[COL_DEPT]);
	if (strcmp(col[COL_ITEMS], "one") == 0)
		p->per_need = 0;
	else if (strcmp(col[COL_ITEMS], "per_need") == 0)
		p->per_need = 1;
	else
		return bad(rd, COL_ITEMS, 1, "%s", "应为 one 或 per_need "
		    "(items must be one or per_need)");
	if (parse_triggers(rd, p, col[COL_TRIGGERS]) != 0 ||
	    parse_elig(rd, p, col[COL_ELIG]) != 0)
		return -1;
	return copy_strings(rd, p, col);
}

static int
policy_row(struct reader *rd, char **col, void *arg)
{
	struct policies *ps = arg;

	ps->v[ps->n].index = (int)ps->n;
	ps->n++;	/* a half-parsed policy is freed with the rest */
	return parse_row(rd, ps, &ps->v[ps->n - 1], col);
}

static int
build_index(struct policies *ps, struct lf_error *err)
{
	size_t nf = ps->cat->nfields, i, j, total = 0;
	int *fill;

	ps->by_field = mem_calloc(nf + 1, sizeof(*ps->by_field));
	for (i = 0; i < ps->n; i++)
		total += ps->v[i].ntriggers;
	ps->field_list = mem_calloc(total, sizeof(*ps->field_list));
	fill = mem_calloc(nf + 1, sizeof(*fill));
	if (ps->by_field == NULL || ps->field_list == NULL || fill == NULL) {
		mem_free(fill);
		return lf_error_nomem(err);
	}
	for (i = 0; i < ps->n; i++)
		for (j = 0; j < ps->v[i].ntriggers; j++)
			ps->by_field[ps->v[i].triggers[j] + 1]++;
	for (i = 0; i < nf; i++)
		ps->by_field[i + 1] += ps->by_field[i];
	for (i = 0; i < ps->n; i++)
		for (j = 0; j < ps->v[i].ntriggers; j++) {
			int f = ps->v[i].triggers[j];

			ps->field_list[ps->by_field[f] + fill[f]++] = (int)i;
		}
	mem_free(fill);
	return 0;
}

static int
list_needs(struct policies *ps, struct lf_error *err)
{
	const struct catalog *cat = ps->cat;
	size_t i;

	ps->needs = mem_calloc(cat->nneed, sizeof(*ps->needs));
	if (ps->needs == NULL)
		return lf_error_nomem(err);
	for (i = 0; i < cat->nfields && ps->nneeds < cat->nneed; i++) {
		if (cat->fields[i].section != SEC_NEED)
			continue;
		ps->needs[ps->nneeds].field = (int)i;
		ps->needs[ps->nneeds].type = (int)cat->fields[i].type;
		ps->needs[ps->nneeds].exclusive = cat->fields[i].exclusive;
		ps->nneeds++;
	}
	return 0;
}

int
policies_parse(const char *text, size_t len, const char *filename,
    const struct catalog *cat, struct policies **out, struct lf_error *err)
{
	struct reader rd = { filename, 0, cat, err, col_names, NCOLS };
	struct policies *ps;

	lf_error_clear(err);
	if ((ps = mem_calloc(1, sizeof(*ps))) == NULL)
		return lf_error_nomem(err);
	ps->cat = cat;
	ps->v = mem_calloc(tsv_lines(text, len), sizeof(*ps->v));
	if (ps->v == NULL) {
		lf_error_nomem(err);
		goto fail;
	}
	if (read_tsv(&rd, text, len, policy_row, ps) != 0 ||
	    build_index(ps, err) != 0 || list_needs(ps, err) != 0)
		goto fail;
	*out = ps;
	return 0;
fail:
	policies_free(ps);
	return -1;
}

static void
policy_release(struct policy *p)
{
	mem_free(p->code);
	mem_free(p->name_zh);
	mem_free(p->name_en);
	mem_free(p->triggers);
	expr_free(p->elig);
	mem_free(p->elig_text);
	mem_free(p->amount_text);
	mem_free(p->measures);
	mem_free(p->effect);
}

void
policies_free(struct policies *ps)
{
	size_t i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->n; i++)
		policy_release(&ps->v[i]);
	for (i = 0; i < ps->namounts; i++) {
		expr_free(ps->amounts[i].when);
		mem_free(ps->amounts[i].when_text);
		mem_free(ps->amounts[i].note);
	}
	mem_free(ps->v);
	mem_free(ps->amounts);
	mem_free(ps->by_field);
	mem_free(ps->field_list);
	mem_free(ps->needs);
	mem_free(ps);
}

const struct policy *
policy_find(const struct policies *ps, const char *code)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (ps->v[i].code != NULL && strcmp(ps->v[i].code, code) == 0)
			return &ps->v[i];
	return NULL;
}

const int *
policy_triggered_by(const struct policies *ps, int field, size_t *n)
{
	int lo, hi;

	*n = 0;
	if (field < 0 || (size_t)field >= ps->cat->nfields)
		return NULL;
	lo = ps->by_field[field];
	hi = ps->by_field[field + 1];
	if (hi == lo)
		return NULL;
	*n = (size_t)(hi - lo);
	return &ps->field_list[lo];
}

/*
 * Amount rules.
 */

enum acol { A_POLICY, A_REGION, A_WHEN, A_AMOUNT, A_PER, A_NOTE, NACOLS };

static const char *const acol_names[NACOLS] = {
	"policy", "region", "when", "amount_yuan", "per", "note"
};

/* policy_amounts_add()'s names for the same arguments. */
static const char *const arg_names[NACOLS] = {
	"policy", "region", "when", "amount", "per", "note"
};

static const char *const per_names[] = { "once", "month", "year" };

#define FEN_MAX		INT64_C(100000000000)	/* 10^9 yuan */
#define VILLAGE_MIN	INT64_C(100000000000)	/* 12 digits */
#define VILLAGE_MAX	INT64_C(999999999999)

/* Why an amount row was refused: the column, the position in it. */
struct fault {
	int		 col;
	unsigned	 pos;
	int		 oom;
	char		 msg[320];
};

/* Rows of one policy_amounts.tsv, added to the policies at the end. */
struct pending {
	struct policies		*ps;
	struct policy_amount	*v;
	size_t			 n, cap;
};

const char *
policy_per_name(enum policy_per per)
{
	if ((int)per < 0 || (size_t)per >= sizeof(per_names) /
	    sizeof(per_names[0]))
		return NULL;
	return per_names[per];
}

int
policy_per_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(per_names) / sizeof(per_names[0]); i++)
		if (strcmp(per_names[i], name) == 0)
			return (int)i;
	return -1;
}

static int
fault(struct fault *ft, int col, unsigned pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fault(struct fault *ft, int col, unsigned pos, const char *fmt, ...)
{
	va_list ap;

	ft->col = col;
	ft->pos = pos;
	va_start(ap, fmt);
	vsnprintf(ft->msg, sizeof(ft->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int
valid_region(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return i >= 2 && i <= 12;
}

/* Yuan with up to two decimals ("80", "0.5", "12.34") into fen. */
static int
parse_yuan(const char *s, int64_t *fen)
{
	int64_t v = 0;
	int dec = -1, scale;
	size_t i;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.' && dec < 0) {
			dec = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9' || v > FEN_MAX ||
		    (dec >= 0 && ++dec > 2))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (dec == 0)
		return -1;
	for (scale = dec < 0 ? 2 : 2 - dec; scale > 0; scale--)
		v *= 10;
	if (v > FEN_MAX)
		return -1;
	*fen = v;
	return 0;
}

static void
amount_release(struct policy_amount *a)
{
	expr_free(a->when);
	mem_free(a->when_text);
	mem_free(a->note);
}

static int
compile_when(struct policies *ps, struct policy_amount *a, const char *when,
    struct fault *ft)
{
	struct lf_error e;

	if (when == NULL || when[0] == '\0')
		return 0;
	lf_error_clear(&e);
	if (expr_compile(when, ps->cat, &a->when, &e) != 0) {
		if (e.code != NULL && strcmp(e.code, "no_memory") == 0)
			ft->oom = 1;
		return fault(ft, A_WHEN, e.column, "%s", e.message);
	}
	return 0;
}

/* Checks and fills one row; on error nothing is left allocated. */
static int
build_row(struct policies *ps, const char *policy, const char *region,
    const char *when, int64_t fen, int per, const char *note,
    struct policy_amount *a, struct fault *ft)
{
	const struct policy *p = policy_find(ps, policy);

	memset(a, 0, sizeof(*a));
	ft->oom = 0;
	if (p == NULL)
		return fault(ft, A_POLICY, 1, "未知政策 %.32s (unknown policy)",
		    policy);
	if (!valid_region(region))
		return fault(ft, A_REGION, 1, "%s", "区划代码应为 2 至 12 位数字 "
		    "(region must be a code prefix of 2 to 12 digits)");
	if (fen < 0 || fen > FEN_MAX)
		return fault(ft, A_AMOUNT, 1, "%s", "金额应在 0 至 10 亿元之间 "
		    "(amount must be 0 to 10^9 yuan)");
	if (policy_per_name((enum policy_per)per) == NULL)
		return fault(ft, A_PER, 1, "%s", "周期应为 month、year 或 once "
		    "(per must be month, year or once)");
	if (compile_when(ps, a, when, ft) != 0)
		return -1;
	a->policy = p->index;
	memcpy(a->region, region, strlen(region) + 1);
	a->fen = fen;
	a->per = (enum policy_per)per;
	a->when_text = mem_strdup(when != NULL ? when : "");
	a->note = mem_strdup(note != NULL ? note : "");
	if (a->when_text == NULL || a->note == NULL) {
		amount_release(a);
		ft->oom = 1;
		return fault(ft, A_NOTE, 0, "%s", LF_ERROR_NOMEM_TEXT);
	}
	return 0;
}

/* Index of the first row of policy p (or where it would go). */
static size_t
first_row(const struct policies *ps, int p)
{
	size_t lo = 0, hi = ps->namounts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ps->amounts[mid].policy < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Moves n rows into ps (after its rows of the same policy): all or
 * nothing. */
static int
insert_rows(struct policies *ps, struct policy_amount *rows, size_t n,
    struct lf_error *err)
{
	size_t i, at;

	if (mem_grow(&ps->amounts, &ps->amounts_cap, ps->namounts + n,
	    sizeof(*ps->amounts), SIZE_MAX) != 0)
		return lf_error_nomem(err);
	for (i = 0; i < n; i++) {
		at = first_row(ps, rows[i].policy + 1);
		memmove(&ps->amounts[at + 1], &ps->amounts[at],
		    (ps->namounts - at) * sizeof(*ps->amounts));
		ps->amounts[at] = rows[i];
		ps->namounts++;
	}
	return 0;
}

static int
amount_row(struct reader *rd, char **col, void *arg)
{
	struct pending *pd = arg;
	struct fault ft;
	int64_t fen;
	int per;

	if (parse_yuan(col[A_AMOUNT], &fen) != 0)
		return bad(rd, A_AMOUNT, 1, "%s", "金额应为元, 至多两位小数, 不超过 "
		    "10 亿 (amount must be yuan with up to two decimals, at "
		    "most 10^9)");
	if ((per = policy_per_find(col[A_PER])) < 0)
		return bad(rd, A_PER, 1, "%s", "周期应为 month、year 或 once "
		    "(per must be month, year or once)");
	if (mem_grow(&pd->v, &pd->cap, pd->n + 1, sizeof(*pd->v),
	    SIZE_MAX) != 0)
		return lf_error_nomem(rd->err);
	if (build_row(pd->ps, col[A_POLICY], col[A_REGION], col[A_WHEN], fen,
	    per, col[A_NOTE], &pd->v[pd->n], &ft) != 0) {
		if (ft.oom)
			return lf_error_nomem(rd->err);
		return bad(rd, ft.col, ft.pos, "%s", ft.msg);
	}
	pd->n++;
	return 0;
}

int
policies_amounts_parse(struct policies *ps, const char *text, size_t len,
    const char *filename, struct lf_error *err)
{
	struct reader rd = { filename, 0, ps->cat, err, acol_names, NACOLS };
	struct pending pd = { ps, NULL, 0, 0 };
	size_t i;
	int rc = -1;

	lf_error_clear(err);
	if (read_tsv(&rd, text, len, amount_row, &pd) != 0 ||
	    insert_rows(ps, pd.v, pd.n, err) != 0) {
		for (i = 0; i < pd.n; i++)
			amount_release(&pd.v[i]);
		goto out;
	}
	rc = 0;
out:
	mem_free(pd.v);
	return rc;
}

int
policy_amounts_add(struct policies *ps, const char *policy,
    const char *region, const char *when, int64_t fen, enum policy_per per,
    const char *note, struct lf_error *err)
{
	struct policy_amount a;
	struct fault ft;

	lf_error_clear(err);
	if (policy == NULL || region == NULL)
		return lf_error_set(err, "invalid", policy == NULL ? "policy" :
		    "region", "%s", "缺少参数 (argument missing)");
	if (build_row(ps, policy, region, when, fen, (int)per, note, &a,
	    &ft) != 0) {
		if (ft.oom)
			return lf_error_nomem(err);
		lf_error_set(err, "invalid", arg_names[ft.col], "%s", ft.msg);
		err->column = ft.pos;
		return -1;
	}
	if (insert_rows(ps, &a, 1, err) != 0) {
		amount_release(&a);
		return -1;
	}
	return 0;
}

static int
village_digits(int64_t v, char out[13])
{
	int i;

	if (v < VILLAGE_MIN || v > VILLAGE_MAX)
		return -1;
	for (i = 11; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	out[12] = '\0';
	return 0;
}

int
policy_amount(const struct policies *ps, const struct policy *p,
    const struct record *r, const struct expr_ctx *ctx,
    const struct policy_amount **out)
{
	const struct policy_amount *a, *end = ps->amounts + ps->namounts;
	char village[13];
	size_t len, best = 0;

	if (ps->namounts == 0 || ctx == NULL ||
	    village_digits(ctx->village, village) != 0)
		return 1;
	a = ps->amounts + first_row(ps, p->index);
	for (; a < end && a->policy == p->index; a++) {
		len = strlen(a->region);
		if (len > best && memcmp(a->region, village, len) == 0)
			best = len;
	}
	if (best == 0)
		return 1;
	for (a = ps->amounts + first_row(ps, p->index);
	    a < end && a->policy == p->index; a++) {
		if (strlen(a->region) != best ||
		    memcmp(a->region, village, best) != 0)
			continue;
		if (a->when == NULL || expr_eval_ctx(a->when, r, ctx)) {
			*out = a;
			return 0;
		}
	}
	return 1;
}

int
policies_load_embedded(const struct catalog *cat, struct policies **out,
    struct lf_error *err)
{
	struct embedded_file pf, af, tf;
	struct policies *ps;

	if (embedded_get("data/policies.tsv", &pf) != 0 ||
	    embedded_get("data/policy_amounts.tsv", &af) != 0 ||
	    embedded_get("data/policy_texts.tsv", &tf) != 0)
		return lf_error_set(err, "policy_file", "", "%s", "未内置政策"
		    "文件 (policy files are not built in)");
	if (policies_parse(pf.data, pf.len, pf.name, cat, &ps, err) != 0)
		return -1;
	if (policies_amounts_parse(ps, af.data, af.len, af.name, err) != 0 ||
	    policies_texts_parse(ps, tf.data, tf.len, tf.name, err) != 0) {
		policies_free(ps);
		return -1;
	}
	*out = ps;
	return 0;
}

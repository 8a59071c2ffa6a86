/*
 * targets.c - registration targets by region and year (see targets.h).
 *
 * The rows are copied into one array and sorted, so a lookup is a binary
 * search on (region, year).
 */
#include "core/targets.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/tsv.h"
#include "lib/embedded.h"
#include "lib/mem.h"

#define NCOLS		4
#define YEAR_MIN	1949
#define YEAR_MAX	2100
#define TARGET_MAX	1000000000LL

static const char *const col_names[NCOLS] = {
	"region", "year", "registered", "note"
};
static const char header[] = "region\tyear\tregistered\tnote";

struct parse {
	const char	*file;
	unsigned long	 line;
	struct lf_error	*err;
};

static int
bad(const struct parse *ps, int col, const char *why)
{
	lf_error_set(ps->err, "targets_file", col_names[col], "%s:%lu:%s: %s",
	    ps->file, ps->line, col_names[col], why);
	ps->err->line = ps->line;
	ps->err->column = (unsigned)(col + 1);
	return -1;
}

static int
digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return len > 0;
}

/* Column col of line: its start and *len (up to the next tab), or NULL
 * when the line has fewer columns. */
static const char *
column(const char *line, int col, size_t *len)
{
	const char *p = line, *tab;
	int i;

	for (i = 0; i < col; i++) {
		if ((tab = strchr(p, '\t')) == NULL)
			return NULL;
		p = tab + 1;
	}
	*len = strcspn(p, "\t");
	return p;
}

static int
parse_row(const struct parse *ps, const char *line, struct target_row *r)
{
	const char *c[NCOLS];
	size_t len[NCOLS];
	char num[16];
	int i;

	for (i = 0; i < NCOLS; i++)
		if ((c[i] = column(line, i, &len[i])) == NULL)
			return bad(ps, i, "缺少此列 (column missing)");
	if ((len[0] != 2 && len[0] != 4 && len[0] != 6) || !digits(c[0],
	    len[0]))
		return bad(ps, 0, "地区代码应为 2、4 或 6 位数字 (region must "
		    "be a code of 2, 4 or 6 digits)");
	memcpy(r->region, c[0], len[0]);
	r->region[len[0]] = '\0';
	if (len[1] != 4 || !digits(c[1], 4))
		return bad(ps, 1, "年份应为四位数字 (year must be four "
		    "digits)");
	memcpy(num, c[1], 4);
	num[4] = '\0';
	r->year = (int)strtol(num, NULL, 10);
	if (r->year < YEAR_MIN || r->year > YEAR_MAX)
		return bad(ps, 1, "年份超出 1949..2100 (year out of "
		    "1949..2100)");
	if (len[2] > 10 || !digits(c[2], len[2]))
		return bad(ps, 2, "目标人数应为正整数 (registered must be a "
		    "positive whole number)");
	memcpy(num, c[2], len[2]);
	num[len[2]] = '\0';
	r->registered = strtoll(num, NULL, 10);
	if (r->registered < 1 || r->registered > TARGET_MAX)
		return bad(ps, 2, "目标人数超出 1..10^9 (registered out of "
		    "1..10^9)");
	return 0;
}

static int
row_cmp(const void *a, const void *b)
{
	const struct target_row *x = a, *y = b;
	int c = strcmp(x->region, y->region);

	if (c != 0)
		return c;
	return (x->year > y->year) - (x->year < y->year);
}

static int
parse_lines(struct parse *ps, char *text, struct targets *t)
{
	char *p = text, *line;
	int seen_header = 0;

	while ((line = tsv_next(&p, &ps->line)) != NULL) {
		if (!seen_header) {
			if (strcmp(line, header) != 0)
				return bad(ps, 0, "表头应为 region year "
				    "registered note (bad header)");
			seen_header = 1;
			continue;
		}
		if (parse_row(ps, line, &t->v[t->n]) != 0)
			return -1;
		t->n++;
	}
	if (!seen_header)
		return bad(ps, 0, "缺少表头 (no header)");
	return 0;
}

/* The line of the first repeated (region, year), 0 when none. */
static int
check_unique(const struct parse *ps, struct targets *t)
{
	size_t i;

	qsort(t->v, t->n, sizeof(*t->v), row_cmp);
	for (i = 1; i < t->n; i++)
		if (row_cmp(&t->v[i - 1], &t->v[i]) == 0) {
			lf_error_set(ps->err, "targets_file", "region", "%s: "
			    "%s 的 %d 年目标重复 (region %s has two rows for "
			    "%d)", ps->file, t->v[i].region, t->v[i].year,
			    t->v[i].region, t->v[i].year);
			return -1;
		}
	return 0;
}

int
targets_parse(const char *text, size_t len, const char *filename,
    struct targets **out, struct lf_error *err)
{
	struct parse ps = { filename, 0, err };
	struct targets *t;
	char *copy;
	size_t lines;

	lines = tsv_lines(text, len);
	t = mem_calloc(1, sizeof(*t));
	copy = mem_alloc(len + 1);
	if (t != NULL)
		t->v = mem_calloc(lines, sizeof(*t->v));
	if (t == NULL || copy == NULL || t->v == NULL) {
		mem_free(copy);
		targets_free(t);
		return lf_error_nomem(err);
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		ps.line = 1;
		bad(&ps, 0, "文件含 NUL 字节 (NUL byte in the file)");
	} else if (parse_lines(&ps, copy, t) == 0 &&
	    check_unique(&ps, t) == 0) {
		mem_free(copy);
		*out = t;
		return 0;
	}
	mem_free(copy);
	targets_free(t);
	return -1;
}

void
targets_free(struct targets *t)
{
	if (t == NULL)
		return;
	mem_free(t->v);
	mem_free(t);
}

int64_t
targets_get(const struct targets *t, const char *region, int year)
{
	struct target_row key, *r;

	if (t == NULL || strlen(region) >= sizeof(key.region))
		return 0;
	memset(&key, 0, sizeof(key));
	memcpy(key.region, region, strlen(region) + 1);
	key.year = year;
	r = bsearch(&key, t->v, t->n, sizeof(*t->v), row_cmp);
	return r != NULL ? r->registered : 0;
}

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static struct targets *builtin;
static struct lf_error builtin_err;

static void
builtin_load(void)
{
	struct embedded_file f;

	if (embedded_get("data/targets.tsv", &f) != 0) {
		lf_error_set(&builtin_err, "targets_file", "", "未内置入库目标"
		    "文件 (data/targets.tsv is not built in)");
		return;
	}
	if (targets_parse(f.data, f.len, f.name, &builtin, &builtin_err) != 0)
		builtin = NULL;
}

const struct targets *
targets_builtin(struct lf_error *err)
{
	pthread_once(&builtin_once, builtin_load);
	if (builtin == NULL && err != NULL)
		*err = builtin_err;
	return builtin;
}

/*
 * disaster.c - the table of disaster areas (see disaster.h).
 *
 * The file is small (tens of rows) and read once; lookups scan it in file
 * order, checking the year first, then whether the area's code is a
 * prefix of the village's twelve digits.
 */
#include "core/disaster.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/tsv.h"
#include "lib/mem.h"

#define YEAR_MIN	1949
#define YEAR_MAX	2100
#define NCOLS		5

static const char *const col_names[NCOLS] = {
	"region", "from_year", "to_year", "event_zh", "event_en"
};
static const char header[] = "region\tfrom_year\tto_year\tevent_zh\tevent_en";

struct parse {
	struct disaster	*d;
	const char	*file;
	unsigned long	 line;
	struct lf_error	*err;
};

/* Fails for column col (0-based; -1 for the line as a whole). */
static int
bad(const struct parse *ps, int col, const char *why)
{
	const char *name = col >= 0 ? col_names[col] : "";

	lf_error_set(ps->err, "disaster_file", name, "%s:%lu:%s%s%s",
	    ps->file, ps->line, name, col >= 0 ? ": " : " ", why);
	ps->err->line = ps->line;
	ps->err->column = (unsigned)(col + 1);
	return -1;
}

/* 1 when s holds only digits (callers check the length). */
static int
digits_only(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int
parse_year(const struct parse *ps, int col, const char *s, int *year)
{
	long v;

	if (strlen(s) != 4 || !digits_only(s))
		return bad(ps, col, "年份应为四位数字 (year must be four "
		    "digits)");
	v = strtol(s, NULL, 10);
	if (v < YEAR_MIN || v > YEAR_MAX)
		return bad(ps, col, "年份超出 1949..2100 (year out of "
		    "1949..2100)");
	*year = (int)v;
	return 0;
}

/* Parses one row's columns into the next area. */
static int
parse_row(struct parse *ps, char **col)
{
	struct disaster_area *a = &ps->d->v[ps->d->n];
	size_t len = strlen(col[0]);

	if (len < 2 || len > 12 || !digits_only(col[0]))
		return bad(ps, 0, "地区代码应为 2 至 12 位数字 (region must "
		    "be a code of 2..12 digits)");
	memcpy(a->region, col[0], len + 1);
	if (parse_year(ps, 1, col[1], &a->from_year) != 0 ||
	    parse_year(ps, 2, col[2], &a->to_year) != 0)
		return -1;
	if (a->to_year < a->from_year)
		return bad(ps, 2, "截止年份早于起始年份 (to_year is before "
		    "from_year)");
	if (col[3][0] == '\0')
		return bad(ps, 3, "缺少中文事件名 (empty event_zh)");
	if (col[4][0] == '\0')
		return bad(ps, 4, "缺少英文事件名 (empty event_en)");
	a->event_zh = col[3];
	a->event_en = col[4];
	ps->d->n++;
	return 0;
}

static int
parse_lines(struct parse *ps)
{
	char *p = ps->d->text, *line, *col[NCOLS];
	int seen_header = 0;

	while ((line = tsv_next(&p, &ps->line)) != NULL) {
		if (!seen_header) {
			if (strcmp(line, header) != 0)
				return bad(ps, -1, "表头应为 region from_year "
				    "to_year event_zh event_en (header must "
				    "be region, from_year, to_year, event_zh, "
				    "event_en)");
			seen_header = 1;
			continue;
		}
		if (tsv_split(line, col, NCOLS) != NCOLS)
			return bad(ps, -1, "应有 5 列 (expected 5 "
			    "tab-separated columns)");
		if (parse_row(ps, col) != 0)
			return -1;
	}
	if (!seen_header) {
		ps->line++;
		return bad(ps, -1, "缺少表头 (no header line)");
	}
	return 0;
}

int
disaster_parse(const char *text, size_t len, const char *filename,
    struct disaster **out, struct lf_error *err)
{
	struct parse ps;
	struct disaster *d;
	size_t lines;
	int rc = -1;

	d = mem_calloc(1, sizeof(*d));
	if (d == NULL)
		return lf_error_nomem(err);
	lines = tsv_lines(text, len);
	d->text = mem_strndup(text, len);
	d->v = mem_calloc(lines, sizeof(*d->v));
	if (d->text == NULL || d->v == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	memset(&ps, 0, sizeof(ps));
	ps.d = d;
	ps.file = filename;
	ps.err = err;
	if (parse_lines(&ps) != 0)
		goto out;
	*out = d;
	d = NULL;
	rc = 0;
out:
	disaster_free(d);
	return rc;
}

void
disaster_set_regions(struct disaster *d, const struct regions *rs)
{
	d->regions = rs;
}

void
disaster_free(struct disaster *d)
{
	if (d == NULL)
		return;
	mem_free(d->v);
	mem_free(d->text);
	mem_free(d);
}

/* 1 when the code `region` is a prefix of the digits s. */
static int
is_prefix(const char *region, const char *s)
{
	size_t i;

	for (i = 0; region[i] != '\0'; i++)
		if (region[i] != s[i])
			return 0;
	return 1;
}

const struct disaster_area *
disaster_find(const struct disaster *d, int64_t village, int year)
{
	char s[13];
	int64_t v = village;
	size_t i;

	if (d == NULL || village < 100000000000LL ||
	    village > 999999999999LL)
		return NULL;
	s[12] = '\0';
	for (i = 12; i-- > 0; v /= 10)
		s[i] = (char)('0' + v % 10);
	for (i = 0; i < d->n; i++) {
		const struct disaster_area *a = &d->v[i];

		if (year >= a->from_year && year <= a->to_year &&
		    is_prefix(a->region, s))
			return a;
	}
	return NULL;
}

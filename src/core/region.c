/*
 * region.c - parse the region table and answer containment.
 */
#include "core/region.h"

#include <stdlib.h>
#include <string.h>

#include "core/tsv.h"
#include "lib/mem.h"

static const int level_digits[] = { 2, 4, 6, 9, 12 };
static const char *level_names[] = {
	"province", "city", "county", "township", "village"
};
static const int64_t pow10_tab[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000, 100000000000, 1000000000000
};

int
region_level_digits(enum region_level level)
{
	return level_digits[level];
}

const char *
region_level_name(enum region_level level)
{
	return level_names[level];
}

int
region_contains(const struct region *r, int64_t village12)
{
	int64_t div = pow10_tab[12 - level_digits[r->level]];

	return village12 / div == r->code12 / div;
}

static size_t
slot(int64_t code12, int level, size_t size)
{
	uint64_t h = (uint64_t)code12 * 0x9E3779B97F4A7C15ull + (uint64_t)level;

	return (size_t)(h >> 20) & (size - 1);
}

const struct region *
regions_find12(const struct regions *rs, int64_t code12,
    enum region_level level)
{
	size_t h = slot(code12, (int)level, rs->hashsize);

	while (rs->hash[h] != -1) {
		const struct region *r = &rs->v[rs->hash[h]];

		if (r->code12 == code12 && r->level == level)
			return r;
		h = (h + 1) & (rs->hashsize - 1);
	}
	return NULL;
}

static int
level_of_len(size_t len)
{
	int i;

	for (i = 0; i < 5; i++)
		if ((size_t)level_digits[i] == len)
			return i;
	return -1;
}

static int
digits_only(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

const struct region *
regions_find(const struct regions *rs, const char *code)
{
	size_t len = strlen(code);
	int level = level_of_len(len);

	if (level < 0 || !digits_only(code))
		return NULL;
	return regions_find12(rs, strtoll(code, NULL, 10) *
	    pow10_tab[12 - len], (enum region_level)level);
}

static int
bad(struct lf_error *err, const char *file, unsigned long line, unsigned col,
    const char *why)
{
	return tsv_error(err, "regions", NULL, file, line, col, why);
}

static int
parse_level(const char *s)
{
	int i;

	for (i = 0; i < 5; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

static void
insert(struct regions *rs, size_t i)
{
	struct region *r = &rs->v[i];
	size_t h = slot(r->code12, (int)r->level, rs->hashsize);

	while (rs->hash[h] != -1)
		h = (h + 1) & (rs->hashsize - 1);
	rs->hash[h] = (int)i;
}

/* Parses one row (cols: code, parent, level, name) into rs->v[rs->n]. */
static int
parse_row(struct regions *rs, char **col, const char *file,
    unsigned long line, struct lf_error *err)
{
	struct region *r = &rs->v[rs->n];
	const struct region *p = NULL;
	size_t len = strlen(col[0]);
	int level = parse_level(col[2]);

	if (level < 0)
		return bad(err, file, line, 3, "未知级别 (unknown level)");
	if (!digits_only(col[0]) || len != (size_t)level_digits[level])
		return bad(err, file, line, 1, "代码位数与级别不符 (code "
		    "length does not fit the level)");
	if (col[3][0] == '\0')
		return bad(err, file, line, 4, "缺少名称 (empty name)");
	memcpy(r->code, col[0], len + 1);
	r->code12 = strtoll(col[0], NULL, 10) * pow10_tab[12 - len];
	r->level = (enum region_level)level;
	r->name = col[3];
	r->parent = r->first_child = r->next_sibling = -1;
	if (regions_find12(rs, r->code12, r->level) != NULL)
		return bad(err, file, line, 1, "代码重复 (duplicate code)");
	if (level > 0) {
		p = regions_find(rs, col[1]);
		if (p == NULL || (int)p->level != level - 1 ||
		    strncmp(col[1], col[0], strlen(col[1])) != 0)
			return bad(err, file, line, 2, "上级不存在或不符 "
			    "(parent missing, listed later, or not a prefix "
			    "one level up)");
		r->parent = (int)(p - rs->v);
	} else if (col[1][0] != '\0')
		return bad(err, file, line, 2, "省级不应有上级 (a province has "
		    "no parent)");
	insert(rs, rs->n);
	rs->n++;
	return 0;
}

/* Links children in file order. */
static void
link_children(struct regions *rs)
{
	size_t i;

	for (i = rs->n; i-- > 0;) {
		struct region *r = &rs->v[i];

		if (r->parent < 0)
			continue;
		r->next_sibling = rs->v[r->parent].first_child;
		rs->v[r->parent].first_child = (int)i;
		rs->v[r->parent].nchildren++;
	}
}

static int
parse_lines(struct regions *rs, const char *file, struct lf_error *err)
{
	char *p = rs->text, *line, *col[5];
	unsigned long ln = 0;
	size_t n;

	while (*p) {
		line = p;
		p += strcspn(p, "\n");
		if (*p)
			*p++ = '\0';
		if (line[0] && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (++ln == 1) {
			if (strcmp(line, "code\tparent\tlevel\tname") != 0)
				return bad(err, file, 1, 1, "表头应为 code "
				    "parent level name (header must be code, "
				    "parent, level, name)");
			continue;
		}
		if (line[0] == '\0')
			continue;
		if ((n = tsv_split(line, col, 4)) != 4)
			return bad(err, file, ln, (unsigned)n, "应有 4 列 "
			    "(expected 4 tab-separated columns)");
		if (parse_row(rs, col, file, ln, err) != 0)
			return -1;
	}
	return 0;
}

int
regions_parse(const char *text, size_t len, const char *filename,
    struct regions **out, struct lf_error *err)
{
	struct regions *rs = mem_calloc(1, sizeof(*rs));
	size_t lines;

	if (rs == NULL)
		return lf_error_nomem(err);
	lines = tsv_lines(text, len);
	rs->text = mem_strndup(text, len);
	rs->v = mem_calloc(lines, sizeof(*rs->v));
	for (rs->hashsize = 64; rs->hashsize < lines * 2; rs->hashsize *= 2)
		;
	rs->hash = mem_alloc(rs->hashsize * sizeof(int));
	if (rs->text == NULL || rs->v == NULL || rs->hash == NULL) {
		lf_error_nomem(err);
		goto fail;
	}
	memset(rs->hash, 0xff, rs->hashsize * sizeof(int));
	if (parse_lines(rs, filename, err) != 0)
		goto fail;
	if (rs->n == 0) {
		bad(err, filename, 1, 1, "没有区划 (no regions)");
		goto fail;
	}
	link_children(rs);
	*out = rs;
	return 0;
fail:
	regions_free(rs);
	return -1;
}

void
regions_free(struct regions *rs)
{
	if (rs == NULL)
		return;
	mem_free(rs->v);
	mem_free(rs->hash);
	mem_free(rs->text);
	mem_free(rs);
}

int
regions_place_name(const struct regions *rs, int64_t village12, char *out,
    size_t size)
{
	const struct region *v, *chain[3];
	size_t len = 0, n, k;
	int i;

	if (size == 0)
		return -1;
	out[0] = '\0';
	v = rs != NULL ? regions_find12(rs, village12, RL_VILLAGE) : NULL;
	if (v == NULL)
		return -1;
	chain[2] = v;
	chain[1] = v->parent >= 0 ? &rs->v[v->parent] : NULL;
	chain[0] = chain[1] != NULL && chain[1]->parent >= 0 ?
	    &rs->v[chain[1]->parent] : NULL;
	for (i = 0; i < 3; i++) {
		if (chain[i] == NULL)
			continue;
		n = strlen(chain[i]->name);
		if (len + n >= size) {
			/* cut before a UTF-8 continuation byte */
			k = size - 1 - len;
			while (k > 0 && (chain[i]->name[k] & 0xC0) == 0x80)
				k--;
			n = k;
		}
		memcpy(out + len, chain[i]->name, n);
		len += n;
		out[len] = '\0';
	}
	return 0;
}

/*
 * import.c - CSV import of surveys (see import.h).
 */
#include "bulk/import.h"
#include "lib/num.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulk/bulk.h"
#include "lib/buf.h"
#include "lib/mem.h"
#include "io/csv.h"
#include "lib/progress.h"

#define COL_NONE	(-1)
#define COL_YEAR	(-2)
#define COL_STATUS	(-3)
#define COL_REASON	(-4)
/* The optional column of the reason for a change of disability category
 * or grade (store.h, store_prep_reason). */
#define COL_NAME_REASON	"变更原因"

/* Seen (ID number, year) keys: 64-bit hashes with the line first seen. */
struct seen {
	uint64_t	*keys;
	unsigned long	*lines;
	size_t		 cap, n;
};

struct import {
	const struct import_opts *o;
	const struct catalog	*cat;
	struct store		*s;
	struct csv_reader	*csv;
	struct progress		*bar;
	const char		*actor;
	int			*map;		/* column -> field or COL_* */
	size_t			 ncols;
	int			*colof;		/* field -> column (0-based) */
	int			 year_col, status_col, reason_col;
	struct seen		 seen;
	FILE			*rej;
	char			 rejtmp[4096];
	struct import_stats	*st;
	struct lf_error		*err;
};

/* Fills e with "FILE:LINE[:COLUMN]: why"; col < 0 for none. -1. */
static int
at(const struct import *im, struct lf_error *e, unsigned long line, int col,
    const char *code, const char *field, const char *why)
{
	if (col >= 0)
		lf_error_set(e, code, field, "%s:%lu:%d: %s", im->o->path,
		    line, col + 1, why);
	else
		lf_error_set(e, code, field, "%s:%lu: %s", im->o->path, line,
		    why);
	e->line = line;
	e->column = col >= 0 ? (unsigned)col + 1 : 0;
	return -1;
}

static uint64_t
key_of(const char *id, int year)
{
	uint64_t h = 1469598103934665603ull;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	h = (h ^ (uint64_t)year) * 1099511628211ull;
	return h ? h : 1;
}

/* Adds key; returns 0, or the line it was first seen on, or -1 (memory). */
static long
seen_add(struct seen *sn, uint64_t key, unsigned long line)
{
	size_t i, mask;

	if (sn->n * 2 >= sn->cap) {
		struct seen big = { NULL, NULL, sn->cap ? sn->cap * 2 : 4096, 0 };

		big.keys = mem_calloc(big.cap, sizeof(*big.keys));
		big.lines = mem_calloc(big.cap, sizeof(*big.lines));
		if (big.keys == NULL || big.lines == NULL) {
			mem_free(big.keys);
			mem_free(big.lines);
			return -1;
		}
		for (i = 0; i < sn->cap; i++)
			if (sn->keys[i])
				seen_add(&big, sn->keys[i], sn->lines[i]);
		mem_free(sn->keys);
		mem_free(sn->lines);
		*sn = big;
	}
	mask = sn->cap - 1;
	for (i = (size_t)(key >> 17) & mask; sn->keys[i]; i = (i + 1) & mask)
		if (sn->keys[i] == key)
			return (long)sn->lines[i];
	sn->keys[i] = key;
	sn->lines[i] = line;
	sn->n++;
	return 0;
}

static int
map_column(struct import *im, size_t i, const char *name)
{
	const struct field *f = catalog_find_label(im->cat, name);
	char why[300];
	size_t j;

	if (f == NULL)
		f = catalog_find(im->cat, name, strlen(name));
	if (strcmp(name, CSV_COL_YEAR) == 0 || strcmp(name, "year") == 0)
		im->map[i] = COL_YEAR;
	else if (strcmp(name, CSV_COL_STATUS) == 0 ||
	    strcmp(name, "status") == 0)
		im->map[i] = COL_STATUS;
	else if (strcmp(name, COL_NAME_REASON) == 0 ||
	    strcmp(name, "change_reason") == 0)
		im->map[i] = COL_REASON;
	else if (f != NULL)
		im->map[i] = f->index;
	else {
		snprintf(why, sizeof(why), "未知列“%.80s” (unknown column: not "
		    "a catalog item)", name);
		return at(im, im->err, 1, (int)i, "bad_header", "", why);
	}
	for (j = 0; j < i; j++)
		if (im->map[j] == im->map[i]) {
			snprintf(why, sizeof(why), "列“%.80s”重复, 亦见第 %zu 列 "
			    "(column repeated; also column %zu)", name, j + 1,
			    j + 1);
			return at(im, im->err, 1, (int)i, "bad_header", "", why);
		}
	if (im->map[i] >= 0)
		im->colof[im->map[i]] = (int)i;
	else if (im->map[i] == COL_YEAR)
		im->year_col = (int)i;
	else if (im->map[i] == COL_REASON)
		im->reason_col = (int)i;
	else
		im->status_col = (int)i;
	return 0;
}

static int
missing_columns(struct import *im)
{
	struct buf b;
	size_t i, n = 0;

	buf_init(&b, 300);
	for (i = 0; i < im->cat->nfields; i++)
		/* an item the client sets itself may be left out */
		if (im->colof[i] < 0 && !field_is_auto(&im->cat->fields[i]) &&
		    n++ < 8)
			buf_addf(&b, "%s%s", n > 1 ? "、" : "",
			    im->cat->fields[i].label_zh);
	if (im->year_col < 0 && n++ < 8)
		buf_addf(&b, "%s%s", n > 1 ? "、" : "", CSV_COL_YEAR);
	if (n == 0) {
		buf_free(&b);
		return 0;
	}
	at(im, im->err, 1, -1, "bad_header", "", "");
	snprintf(im->err->message, sizeof(im->err->message), "%s:1: 缺少 %zu "
	    "列: %s%s (missing columns)", im->o->path, n, buf_str(&b),
	    n > 8 ? "…" : "");
	buf_free(&b);
	return -1;
}

static int
read_header(struct import *im, struct csv_row *row)
{
	struct csv_error ce;
	size_t i;
	int rc = csv_next(im->csv, row, &ce);

	if (rc <= 0)
		return lf_error_set(im->err, "bad_header", "", "%s", rc == 0 ?
		    "文件为空 (empty file: no header row)" : ce.message);
	im->ncols = row->nfields;
	im->map = mem_calloc(row->nfields, sizeof(*im->map));
	im->colof = mem_calloc(im->cat->nfields, sizeof(*im->colof));
	if (im->map == NULL || im->colof == NULL)
		return lf_error_nomem(im->err);
	for (i = 0; i < im->cat->nfields; i++)
		im->colof[i] = COL_NONE;
	im->year_col = im->status_col = im->reason_col = COL_NONE;
	for (i = 0; i < row->nfields; i++)
		if (map_column(im, i, row->fields[i]) != 0)
			return -1;
	return missing_columns(im);
}

static int
parse_status(const char *s, int *status)
{
	static const char *const names[] = { "在册", "迁出", "死亡" };
	int i;

	if (*s == '\0') {
		*status = 0;
		return 0;
	}
	for (i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0 || (s[0] == '1' + i && !s[1])) {
			*status = i + 1;
			return 0;
		}
	return -1;
}

/* Parses one row into slot->r, year and status. */
static int
parse_row(struct import *im, const struct csv_row *row, struct bulk_slot *sl)
{
	struct lf_error e;
	long long y;
	size_t i;

	if (row->nfields != im->ncols) {
		char why[200];

		snprintf(why, sizeof(why), "应有 %zu 列, 实有 %zu 列 (expected "
		    "%zu fields, found %zu; truncated or misaligned row?)",
		    im->ncols, row->nfields, im->ncols, row->nfields);
		return at(im, &sl->err, row->line, -1, "bad_row", "", why);
	}
	if (lf_parse_int(row->fields[im->year_col], 1990, 2999, &y) != 0)
		return at(im, &sl->err, row->line, im->year_col, "bad_year",
		    "year", "年度应为 1990 到 2999 的整数 (year must be a whole "
		    "number)");
	sl->year = (int)y;
	sl->status = 0;
	if (im->status_col >= 0 &&
	    parse_status(row->fields[im->status_col], &sl->status) != 0)
		return at(im, &sl->err, row->line, im->status_col,
		    "bad_status", "status", "人员状态应为 1在册、2迁出 或 3死亡 "
		    "(status must be 1, 2 or 3)");
	sl->reason[0] = '\0';
	if (im->reason_col >= 0 && row->lens[im->reason_col] >=
	    sizeof(sl->reason))
		return at(im, &sl->err, row->line, im->reason_col,
		    "bad_reason", "change_reason", "变更原因过长 (change "
		    "reason: at most 511 bytes)");
	if (im->reason_col >= 0)
		memcpy(sl->reason, row->fields[im->reason_col],
		    row->lens[im->reason_col] + 1);
	record_clear(sl->r);
	for (i = 0; i < im->cat->nfields; i++) {
		const struct field *f = &im->cat->fields[i];
		int col = im->colof[i];

		if (col < 0)	/* an "auto" item left out: unset */
			continue;
		lf_error_clear(&e);
		if (record_parse_value(sl->r, f, row->fields[col], &e) != 0)
			return at(im, &sl->err, row->line, col, e.code, f->code,
			    e.message);
	}
	return 0;
}

static int
check_duplicate(struct import *im, const struct csv_row *row,
    struct bulk_slot *sl)
{
	const struct field *f = catalog_find(im->cat, "id_number", 9);
	char why[200];
	long first;

	if (f == NULL || !sl->r->set[f->index])
		return 0;
	first = seen_add(&im->seen, key_of(sl->r->str[f->index], sl->year),
	    row->line);
	if (first < 0)
		return lf_error_nomem(&sl->err);
	if (first == 0)
		return 0;
	snprintf(why, sizeof(why), "身份证号重复: 第 %ld 行已有此人 %d 年的调查 "
	    "(duplicate ID number: this person's %d survey is on line %ld "
	    "too)", first, sl->year, sl->year, first);
	return at(im, &sl->err, row->line, im->colof[f->index], "duplicate",
	    f->code, why);
}

/* Column of the item an error names, or -1. */
static int
column_of(const struct import *im, const struct lf_error *e)
{
	const struct field *f = e->field[0] ?
	    catalog_find(im->cat, e->field, strlen(e->field)) : NULL;

	return f != NULL ? im->colof[f->index] : -1;
}

static int
prepare_row(const struct import *im, struct bulk_slot *sl)
{
	struct store_put put = { sl->year, sl->status, im->actor, 0,
	    im->o->today };
	struct lf_error e;

	lf_error_clear(&e);
	if (store_prepare(im->s, sl->r, &put, sl->prep, &e) != 0)
		return at(im, &sl->err, sl->line, column_of(im, &e), e.code,
		    e.field, e.message);
	store_prep_reason(sl->prep, sl->reason);
	return 0;
}

/* Keeps the row's fields, NUL-separated, for the reject file. */
static int
keep_raw(struct bulk_slot *sl, const struct csv_row *row)
{
	size_t i, len = 0;
	char *p;

	for (i = 0; i < row->nfields; i++)
		len += row->lens[i] + 1;
	if ((sl->raw = p = mem_alloc(len)) == NULL)
		return -1;
	for (i = 0; i < row->nfields; i++) {
		memcpy(p, row->fields[i], row->lens[i] + 1);
		p += row->lens[i] + 1;
	}
	sl->nraw = row->nfields;
	return 0;
}

/* With a reject file, keeps the row for it (row NULL: kept already);
 * 1, or -1 when memory runs out. */
static int
keep_for_rejects(const struct import *im, struct bulk_slot *sl,
    const struct csv_row *row)
{
	if (im->rej != NULL && row != NULL && keep_raw(sl, row) != 0)
		return lf_error_nomem(&sl->err);
	return 1;
}

/* Marks sl failed, keeping the row for the reject file; 1, or -1. */
static int
fail_row(struct import *im, struct bulk_slot *sl, const struct csv_row *row)
{
	if (strcmp(sl->err.code, "no_memory") == 0)
		return -1;
	sl->failed = 1;
	return keep_for_rejects(im, sl, row);
}

/* The producer: read, parse and check one row. */
static int
produce(void *arg, struct bulk_slot *sl)
{
	struct import *im = arg;
	struct csv_error ce;
	struct csv_row row;
	int rc = csv_next(im->csv, &row, &ce);

	if (rc <= 0) {
		if (rc < 0)
			lf_error_set(&sl->err, "bad_csv", "", "%s", ce.message);
		return rc;
	}
	sl->line = row.line;
	if (parse_row(im, &row, sl) != 0 || check_duplicate(im, &row, sl) != 0)
		return fail_row(im, sl, &row);
	/* the preparer may refuse it too, after the row buffer is gone */
	return keep_for_rejects(im, sl, &row);
}

/* The preparer (several threads): validate and seal one parsed row. */
static int
prepare(void *arg, struct bulk_slot *sl)
{
	struct import *im = arg;

	if (prepare_row(im, sl) == 0)
		return 0;
	return fail_row(im, sl, NULL) < 0 ? -1 : 0;
}

static int
reject_open(struct import *im, const struct csv_row *hdr)
{
	const char **cols = mem_calloc(hdr->nfields + 1, sizeof(*cols));
	size_t i;
	int rc = -1;

	if (cols == NULL)
		return lf_error_nomem(im->err);
	snprintf(im->rejtmp, sizeof(im->rejtmp), "%s.tmp", im->o->rejects);
	im->rej = fopen(im->rejtmp, "wb");
	if (im->rej != NULL) {
		for (i = 0; i < hdr->nfields; i++)
			cols[i] = hdr->fields[i];
		cols[hdr->nfields] = "错误 (error)";
		rc = csv_write_bom(im->rej) != 0 ||
		    csv_write_row(im->rej, cols, hdr->nfields + 1) ? -1 : 0;
	}
	mem_free(cols);
	if (rc != 0)
		lf_error_set(im->err, "io", "", "%s: 无法写入拒收文件 (cannot "
		    "write the reject file)", im->rejtmp);
	return rc;
}

static int
reject_row(struct import *im, struct bulk_slot *sl)
{
	const char **cols = mem_calloc(sl->nraw + 1, sizeof(*cols));
	const char *p = sl->raw;
	size_t i;
	int rc;

	if (cols == NULL)
		return lf_error_nomem(&sl->err);
	for (i = 0; i < sl->nraw; i++) {
		cols[i] = p;
		p += strlen(p) + 1;
	}
	cols[sl->nraw] = sl->err.message;
	rc = csv_write_row(im->rej, cols, sl->nraw + 1);
	mem_free(cols);
	im->st->rejected++;
	if (rc != 0)
		return lf_error_set(&sl->err, "io", "", "%s: 写入失败 (write "
		    "failed)", im->rejtmp);
	return 0;
}

/* Counts ID numbers whose address code the county list lacks. */
static void
check_id_region(struct import *im, const struct bulk_slot *sl)
{
	const struct field *f = catalog_find(im->cat, "id_number", 9);
	char code[7];

	if (im->o->counties == NULL || f == NULL || !sl->r->set[f->index])
		return;
	memcpy(code, sl->r->str[f->index], 6);
	code[6] = '\0';
	if (regions_find(im->o->counties, code) != NULL)
		return;
	if (im->st->unknown_id_region++ == 0)
		im->st->unknown_id_line = sl->line;
}

/* Widens the re-check's scope (import_stats) to a written row. */
static void
note_scope(struct import *im, const struct bulk_slot *sl)
{
	static const size_t cut[] = { 12, 9, 6, 4, 2, 0 };
	const struct field *f = catalog_find(im->cat, "hukou_region", 12);
	struct import_stats *st = im->st;
	const char *v = f != NULL && sl->r->set[f->index] ?
	    sl->r->str[f->index] : "";
	size_t n = 0, k = 0;

	if (st->year_lo == 0) {
		st->year_lo = st->year_hi = sl->year;
		snprintf(st->region, sizeof(st->region), "%s", v);
		return;
	}
	if (sl->year < st->year_lo)
		st->year_lo = sl->year;
	if (sl->year > st->year_hi)
		st->year_hi = sl->year;
	while (st->region[n] != '\0' && st->region[n] == v[n])
		n++;
	while (cut[k] > n)
		k++;
	st->region[cut[k]] = '\0';
}

/* Before a batch: the store reads its persons in one go (PostgreSQL). */
static int
ahead(void *arg, struct bulk_slot *slots, size_t n, struct lf_error *err)
{
	struct import *im = arg;

	return bulk_write_ahead(im->s, slots, n, err);
}

/* The consumer: write one prepared row, or reject it. */
static int
consume(void *arg, struct bulk_slot *sl)
{
	struct import *im = arg;
	struct store_put_result res;
	struct lf_error e;

	im->st->rows++;
	progress_update(im->bar, im->st->rows);
	if (sl->failed)
		return im->rej != NULL ? reject_row(im, sl) : -1;
	lf_error_clear(&e);
	if (store_write(im->s, sl->prep, &res, &e) != 0)
		return at(im, &sl->err, sl->line, column_of(im, &e), e.code,
		    e.field, e.message);
	check_id_region(im, sl);
	im->st->new_persons += res.created_person;
	im->st->new_surveys += res.created_survey;
	/* a row whose only change is the person's (人员状态, name...) is an
	 * update too */
	im->st->updated += !res.created_survey && (res.changed > 0 ||
	    res.person_changed);
	im->st->unchanged += !res.created_survey && res.changed == 0 &&
	    !res.person_changed;
	if (res.created_survey || res.changed > 0 || res.person_changed)
		note_scope(im, sl);
	return 0;
}

static uint64_t
count_lines(FILE *fp)
{
	char block[1 << 16];
	uint64_t n = 0;
	size_t got, i;

	while ((got = fread(block, 1, sizeof(block), fp)) > 0)
		for (i = 0; i < got; i++)
			n += block[i] == '\n';
	rewind(fp);
	return n;
}

static int
run(struct import *im, FILE *fp)
{
	struct csv_error ce;
	struct csv_row hdr;
	int rc;
	/* counted before the reader starts: it reads ahead from fp */
	uint64_t lines = im->o->progress ? count_lines(fp) : 0;

	im->csv = csv_open(fp, im->o->path, im->o->encoding, &ce);
	if (im->csv == NULL)
		return lf_error_set(im->err, "bad_csv", "", "%s", ce.message);
	if (read_header(im, &hdr) != 0 ||
	    (im->o->rejects != NULL && reject_open(im, &hdr) != 0))
		return -1;
	if (store_begin_bulk(im->s, im->err) != 0)
		return -1;
	if (im->o->progress)
		im->bar = progress_start("导入 import", lines > 0 ? lines - 1 :
		    0);
	rc = bulk_run_ahead(im->cat, produce, prepare, im, ahead, consume, im,
	    im->err);
	progress_done(im->bar);
	if (rc != 0) {
		store_rollback(im->s);
		return -1;
	}
	return store_commit(im->s, im->err);
}

static int
finish_rejects(struct import *im, int ok)
{
	int rc = 0;

	if (im->rej == NULL)
		return 0;
	if (fflush(im->rej) != 0 || fsync(fileno(im->rej)) != 0)
		rc = -1;
	if (fclose(im->rej) != 0)
		rc = -1;
	if (ok && rc == 0 && rename(im->rejtmp, im->o->rejects) == 0)
		return 0;
	unlink(im->rejtmp);
	return ok ? lf_error_set(im->err, "io", "", "%s: 无法写入拒收文件 "
	    "(cannot write the reject file)", im->o->rejects) : 0;
}

int
import_csv(struct store *s, const struct catalog *cat,
    const struct import_opts *o, struct import_stats *st,
    struct lf_error *err)
{
	struct import im;
	FILE *fp;
	int rc = -1;

	memset(&im, 0, sizeof(im));
	memset(st, 0, sizeof(*st));
	im.o = o;
	im.cat = cat;
	im.s = s;
	im.st = st;
	im.err = err;
	if ((fp = fopen(o->path, "rb")) == NULL)
		return lf_error_set(err, "io", "", "%s: 无法打开 (cannot open "
		    "the file)", o->path);
	im.actor = o->actor != NULL ? o->actor : "import";
	rc = run(&im, fp);
	if (finish_rejects(&im, rc == 0) != 0)
		rc = -1;
	csv_close(im.csv);
	fclose(fp);
	mem_free(im.map);
	mem_free(im.colof);
	mem_free(im.seen.keys);
	mem_free(im.seen.lines);
	return rc;
}

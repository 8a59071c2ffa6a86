/*
 * cmd_reconcile.c - liangfu reconcile DB --roster FILE
 *     --kind dibao|medical|school|death [--year Y] [--region CODE]
 *     [--encoding auto|utf-8|gb18030] [--json OUT]
 *
 * Reads another department's roster (CSV, UTF-8 or GB18030, or an .xlsx
 * workbook's first sheet through io/xlsx_csv.h; the first row
 * names the columns in Chinese: 身份证号, 姓名 and the kind's own, e.g.
 * 死亡日期), checks every row, and reports every bad row as
 * FILE:LINE:COLUMN: why (at most MAX_REPORTED; nothing is recorded when
 * any row is bad). ID numbers are held in memory only until every row is
 * read, then turned into the store's lookup hashes on HASH_THREADS
 * threads and wiped; they are never stored in clear. Then recon_run() compares the
 * roster with the registry in one transaction and makes a task of each
 * finding; --json writes {"findings": [...], "summary": {...}}, one entry
 * per finding, naming persons by their opaque id.
 */
#include "cli/cli.h"
#include "lib/num.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "lib/mem.h"
#include "core/reconcile.h"
#include "io/csv.h"
#include "io/xlsx_csv.h"
#include "recon/recon.h"

#define MAX_REPORTED	50	/* bad rows printed before giving up */
#define ROSTER_MAX	(8u * 1024 * 1024)	/* rows */
#define HASH_THREADS	2	/* hashing the roster's ID numbers */

struct roster {
	struct recon_roster_row	*v;
	size_t			 n, cap;
	char			(*ids)[19];	/* in clear until hashed */
	size_t			 idcap;
	int			 bad;
	unsigned		 id_col;	/* 1-based, of 身份证号 */
};

static int
cmp_row(const void *a, const void *b)
{
	const struct recon_roster_row *x = a, *y = b;
	int c = memcmp(x->hash, y->hash, CRYPTO_HASH_LEN);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
roster_add(struct roster *ro, const char *id18, int fact,
    unsigned long line)
{

	if (mem_grow(&ro->v, &ro->cap, ro->n + 1,
	    sizeof(*ro->v), SIZE_MAX) != 0 || mem_grow(&ro->ids, &ro->idcap,
	    ro->n + 1, sizeof(*ro->ids), SIZE_MAX) != 0)
		return -1;
	memcpy(ro->ids[ro->n], id18, sizeof(*ro->ids));
	memset(ro->v[ro->n].hash, 0, CRYPTO_HASH_LEN);
	ro->v[ro->n].fact_days = fact;
	ro->v[ro->n].line = line;
	ro->n++;
	return 0;
}

static void
row_error(struct roster *ro, const char *file, unsigned long line,
    unsigned col, const char *why)
{
	if (ro->bad++ < MAX_REPORTED)
		fprintf(stderr, "%s:%lu:%u: %s\n", file, line, col, why);
}

/* The ID numbers read in clear, wiped and freed. */
static void
roster_wipe_ids(struct roster *ro)
{
	if (ro->ids != NULL)
		memset(ro->ids, 0, ro->idcap * sizeof(*ro->ids));
	mem_free(ro->ids);
	ro->ids = NULL;
	ro->idcap = 0;
}

/* Reads and checks every row; ID numbers go to ro (hashed later by
 * hash_roster), bad rows are printed and counted in ro->bad. -1 only
 * when reading cannot go on. */
static int
read_roster(const struct recon_kind *k, FILE *fp,
    const char *file, int encoding, struct roster *ro)
{
	struct recon_cols cols;
	struct csv_reader *r;
	struct csv_error ce;
	struct csv_row row;
	struct lf_error err;
	char id18[19];
	int rc, fact, today = store_today(), header = 1;

	if ((r = csv_open(fp, file, encoding, &ce)) == NULL) {
		fprintf(stderr, "liangfu: %s\n", ce.message);
		return -1;
	}
	while ((rc = csv_next(r, &row, &ce)) == 1) {
		lf_error_clear(&err);
		if (header) {
			header = 0;
			if (recon_header(k, row.fields, row.nfields, &cols,
			    &err) != 0)
				row_error(ro, file, row.line, err.column ?
				    err.column : 1, err.message);
			if (ro->bad)
				break;
			ro->id_col = (unsigned)cols.id + 1;
			continue;
		}
		if (recon_row(k, &cols, row.fields, row.nfields, today, id18,
		    &fact, &err) != 0) {
			row_error(ro, file, row.line, err.column, err.message);
			continue;
		}
		if (ro->n >= ROSTER_MAX || roster_add(ro, id18, fact,
		    row.line) != 0) {
			memset(id18, 0, sizeof(id18));
			fprintf(stderr, "liangfu: %s: 名单过大或内存不足 (roster "
			    "too large or out of memory)\n", file);
			csv_close(r);
			return -1;
		}
		memset(id18, 0, sizeof(id18));
	}
	if (rc < 0)
		row_error(ro, file, ce.line, ce.column, ce.message);
	else if (header)
		row_error(ro, file, 1, 1, "名单为空，缺少表头 (empty roster, no "
		    "header row)");
	csv_close(r);
	return 0;
}

/* A hash seen twice is a repeated ID number: the later row is bad.
 * Sorts ro (by hash, then line). */
static int
check_repeats(struct roster *ro, const char *file, unsigned col)
{
	char why[160];
	size_t i;

	qsort(ro->v, ro->n, sizeof(*ro->v), cmp_row);
	for (i = 1; i < ro->n; i++) {
		if (memcmp(ro->v[i - 1].hash, ro->v[i].hash,
		    CRYPTO_HASH_LEN) != 0)
			continue;
		snprintf(why, sizeof(why), "身份证号: 与第 %lu 行重复 (ID "
		    "number repeats line %lu)", ro->v[i - 1].line,
		    ro->v[i - 1].line);
		row_error(ro, file, ro->v[i].line, col, why);
	}
	return ro->bad ? -1 : 0;
}

/* --json, written as the run goes (a province finds millions: nothing
 * is held in memory) into OUT.tmp, renamed to OUT when the run has
 * committed and removed when it has not. */
struct out {
	const struct recon_kind	*kind;
	FILE			*fp;
	char			 tmp[4096];
	int64_t			 n;
};

static int
on_found(void *arg, const struct recon_found *f)
{
	struct out *o = arg;
	json_t *e;
	int rc;

	if (o->fp == NULL)
		return 0;
	e = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:b}", "task",
	    (json_int_t)f->task_id, "kind", o->kind->code, "finding",
	    recon_finding_code(f->finding), "finding_zh",
	    recon_finding_zh(f->finding), "person", f->uid, "region",
	    f->region, "county", f->county, "owner", f->owner,
	    "person_status", f->status, "new", f->created);
	rc = e == NULL || fputs(o->n++ ? ",\n  " : "\n  ", o->fp) < 0 ||
	    json_dumpf(e, o->fp, JSON_PRESERVE_ORDER) != 0 ? -1 : 0;
	json_decref(e);
	return rc;
}

static int
out_open(struct out *o, const char *path)
{
	if (path == NULL)
		return 0;
	snprintf(o->tmp, sizeof(o->tmp), "%s.tmp", path);
	if ((o->fp = fopen(o->tmp, "wb")) == NULL ||
	    fputs("{\n \"findings\": [", o->fp) < 0) {
		fprintf(stderr, "liangfu: %s: 无法写入 (cannot write)\n", path);
		return -1;
	}
	return 0;
}

/* Drops the unfinished file. */
static void
out_drop(struct out *o)
{
	if (o->fp == NULL)
		return;
	fclose(o->fp);
	o->fp = NULL;
	remove(o->tmp);
}

static json_t *
summary_json(const struct recon_summary *sum)
{
	json_t *c = json_object();
	int i;

	for (i = 0; i < NRFINDINGS; i++)
		json_object_set_new(c, recon_finding_code(i),
		    json_integer(sum->counts[i]));
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "roster",
	    (json_int_t)sum->roster_id, "rows", (json_int_t)sum->rows,
	    "matched", (json_int_t)sum->matched, "unmatched",
	    (json_int_t)sum->unmatched, "persons", (json_int_t)sum->persons,
	    "tasks_created", (json_int_t)sum->tasks_created, "counts", c);
}

static int
write_json(struct out *o, const char *path, const struct recon_summary *sum)
{
	json_t *doc = summary_json(sum);
	int rc;

	rc = doc == NULL || fputs(o->n ? "\n ],\n \"summary\": " :
	    "],\n \"summary\": ", o->fp) < 0 || json_dumpf(doc, o->fp,
	    JSON_PRESERVE_ORDER) != 0 || fputs("\n}\n", o->fp) < 0 ? -1 : 0;
	json_decref(doc);
	if (fclose(o->fp) != 0)
		rc = -1;
	o->fp = NULL;
	if (rc == 0 && rename(o->tmp, path) != 0)
		rc = -1;
	if (rc != 0) {
		remove(o->tmp);
		fprintf(stderr, "liangfu: %s: 无法写入 (cannot write)\n", path);
	}
	return rc;
}

struct args {
	const char		*db, *roster, *kind, *json, *region;
	int			 year, encoding;
};

static void
print_summary(const struct recon_kind *k, const struct recon_summary *sum)
{
	int i;

	fprintf(stderr, "liangfu: reconcile %s (%s): %lld rows, %lld matched,"
	    " %lld not in the registry; %lld persons looked at;",
	    k->code, k->name_zh, (long long)sum->rows,
	    (long long)sum->matched, (long long)sum->unmatched,
	    (long long)sum->persons);
	for (i = 0; i < NRFINDINGS; i++)
		fprintf(stderr, " %s %lld", recon_finding_zh(i),
		    (long long)sum->counts[i]);
	fprintf(stderr, "; %lld new tasks\n", (long long)sum->tasks_created);
}

/* The roster as CSV: the file itself, or an .xlsx workbook's first sheet
 * converted (io/xlsx_csv.h; *enc then CSV_ENC_UTF8, else -1). */
static FILE *
open_roster(const char *file, int *enc)
{
	unsigned char head[4];
	struct csv_error ce;
	FILE *fp, *csv;
	size_t n;

	*enc = -1;
	if ((fp = fopen(file, "rb")) == NULL) {
		fprintf(stderr, "liangfu: %s: 无法打开 (cannot open)\n", file);
		return NULL;
	}
	n = fread(head, 1, sizeof(head), fp);
	if (!xlsx_is(file, head, n)) {
		rewind(fp);
		return fp;
	}
	csv = xlsx_csv_open(fileno(fp), file, &ce);
	fclose(fp);
	if (csv == NULL)
		fprintf(stderr, "liangfu: %s\n", ce.message);
	*enc = CSV_ENC_UTF8;
	return csv;
}

static int
run(const struct args *a, struct cli_env *env, const struct recon_kind *k,
    const struct region *in)
{
	struct recon_run_opts o = { k, a->year, in, cli_actor(), a->roster };
	struct recon_summary sum;
	struct roster ro = { NULL, 0, 0, NULL, 0, 0, 0 };
	struct out out = { k, NULL, "", 0 };
	struct lf_error err;
	struct store *s;
	FILE *fp = NULL;
	int rc = 1, enc;

	if (cli_store_open_any(a->db, env, &s) != 0)
		return 1;
	if ((fp = open_roster(a->roster, &enc)) == NULL)
		goto out;
	if (read_roster(k, fp, a->roster, enc < 0 ? a->encoding : enc,
	    &ro) != 0)
		goto out;
	lf_error_clear(&err);
	if (ro.bad == 0 && recon_id_hash_all(s, (const char (*)[19])ro.ids,
	    ro.v, ro.n, HASH_THREADS, &err) != 0) {
		roster_wipe_ids(&ro);
		cli_fail(&err);
		goto out;
	}
	roster_wipe_ids(&ro);
	if (check_repeats(&ro, a->roster, ro.id_col) != 0 || ro.bad) {
		if (ro.bad)
			fprintf(stderr, "liangfu: %s: %d 行有误，未记录任何内容 "
			    "(%d bad rows; nothing recorded)\n", a->roster,
			    ro.bad, ro.bad);
		goto out;
	}
	lf_error_clear(&err);
	if (out_open(&out, a->json) != 0)
		goto out;
	if (recon_run(s, ro.v, ro.n, &o, on_found, &out, &sum, &err) != 0) {
		cli_fail(&err);
		goto out;
	}
	print_summary(k, &sum);
	rc = a->json && write_json(&out, a->json, &sum) != 0;
out:
	if (fp != NULL)
		fclose(fp);
	out_drop(&out);
	roster_wipe_ids(&ro);
	mem_free(ro.v);
	store_close(s);
	return rc;
}

static int
parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "roster", required_argument, NULL, 'f' },
		{ "kind", required_argument, NULL, 'k' },
		{ "json", required_argument, NULL, 'j' },
		{ "year", required_argument, NULL, 'y' },
		{ "region", required_argument, NULL, 'r' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	long long y;
	time_t now = time(NULL);
	struct tm tm;
	int c;

	memset(a, 0, sizeof(*a));
	a->encoding = CSV_ENC_AUTO;
	gmtime_r(&now, &tm);
	a->year = tm.tm_year + 1900;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f')
			a->roster = optarg;
		else if (c == 'k')
			a->kind = optarg;
		else if (c == 'j')
			a->json = optarg;
		else if (c == 'r')
			a->region = optarg;
		else if (c == 'y' && lf_parse_int(optarg, 1990, 2999, &y) ==
		    0)
			a->year = (int)y;
		else if (c == 'e' && strcmp(optarg, "auto") == 0)
			a->encoding = CSV_ENC_AUTO;
		else if (c == 'e' && strcmp(optarg, "utf-8") == 0)
			a->encoding = CSV_ENC_UTF8;
		else if (c == 'e' && strcmp(optarg, "gb18030") == 0)
			a->encoding = CSV_ENC_GB18030;
		else
			return -1;
	}
	if (a->roster == NULL || a->kind == NULL || argc - optind != 1)
		return -1;
	a->db = argv[optind];
	return 0;
}

int
cmd_reconcile(int argc, char **argv)
{
	const struct recon_kind *k;
	const struct region *in = NULL;
	struct recon_kinds *kinds = NULL;
	struct cli_env env;
	struct lf_error err;
	struct args a;
	int rc = 1;

	if (parse(argc, argv, &a) != 0)
		return cli_usage("reconcile");
	if (cli_env_load(&env) != 0)
		return 1;
	lf_error_clear(&err);
	if (recon_kinds_load(env.cat, &kinds, &err) != 0) {
		cli_fail(&err);
		goto out;
	}
	if ((k = recon_kind_find(kinds, a.kind)) == NULL) {
		fprintf(stderr, "liangfu: --kind %s: 应为 dibao、medical、school "
		    "或 death (must be dibao, medical, school or death)\n",
		    a.kind);
		rc = 2;
		goto out;
	}
	if (cli_region(&env, a.region, &in) != 0)
		goto out;
	rc = run(&a, &env, k, in);
out:
	recon_kinds_free(kinds);
	cli_env_free(&env);
	return rc;
}

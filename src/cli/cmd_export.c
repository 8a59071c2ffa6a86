/*
 * cmd_export.c - liangfu export DB --year Y [--region CODE] FILE.csv
 *
 * Writes the year's surveys as CSV, UTF-8 with a BOM and the catalog's
 * Chinese headers, so Excel opens it. The file is written beside its
 * final name and renamed into place at the end: an interrupted export
 * leaves no half-written FILE.csv.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "io/csv.h"
#include "io/progress.h"

struct export {
	FILE			*fp;
	const struct catalog	*cat;
	struct buf		*vals;		/* one per column */
	const char		**cols;
	size_t			 ncols;
	struct progress		*bar;
	uint64_t		 rows;
	int			 year;
};

static int
write_header(struct export *ex)
{
	size_t i;

	ex->cols[0] = CLI_COL_YEAR;
	ex->cols[1] = CLI_COL_STATUS;
	for (i = 0; i < ex->cat->nfields; i++)
		ex->cols[i + 2] = ex->cat->fields[i].label_zh;
	return csv_write_bom(ex->fp) != 0 ||
	    csv_write_row(ex->fp, ex->cols, ex->ncols) != 0 ? -1 : 0;
}

static int
write_row(void *arg, const struct store_person *p, const struct record *r)
{
	struct export *ex = arg;
	size_t i;

	for (i = 0; i < ex->ncols; i++)
		buf_reset(&ex->vals[i]);
	if (buf_addf(&ex->vals[0], "%d", ex->year) != 0 ||
	    buf_addf(&ex->vals[1], "%d", p->status) != 0)
		return -1;
	for (i = 0; i < ex->cat->nfields; i++)
		if (record_format_value(r, &ex->cat->fields[i],
		    &ex->vals[i + 2]) != 0)
			return -1;
	for (i = 0; i < ex->ncols; i++)
		ex->cols[i] = buf_str(&ex->vals[i]);
	if (csv_write_row(ex->fp, ex->cols, ex->ncols) != 0)
		return -1;
	progress_update(ex->bar, ++ex->rows);
	return 0;
}

static int
run_export(struct store *s, struct export *ex, const struct region *in,
    const char *tmp)
{
	struct lf_error err;
	size_t i;
	int rc;

	ex->ncols = ex->cat->nfields + 2;
	ex->vals = mem_calloc(ex->ncols, sizeof(*ex->vals));
	ex->cols = mem_calloc(ex->ncols, sizeof(*ex->cols));
	if (ex->vals == NULL || ex->cols == NULL) {
		fprintf(stderr, "liangfu: out of memory\n");
		rc = -1;
		goto out;
	}
	for (i = 0; i < ex->ncols; i++)
		buf_init(&ex->vals[i], 64 * 1024);
	if (write_header(ex) != 0) {
		perror(tmp);
		rc = -1;
		goto out;
	}
	lf_error_clear(&err);
	ex->bar = progress_start("导出 export", 0);
	rc = store_scan_surveys(s, ex->year, in, write_row, ex, &err);
	progress_done(ex->bar);
	if (rc < 0 && err.code != NULL)
		cli_fail(&err);
	else if (rc != 0)
		perror(tmp);
out:
	for (i = 0; ex->vals != NULL && i < ex->ncols; i++)
		buf_free(&ex->vals[i]);
	mem_free(ex->vals);
	mem_free(ex->cols);
	return rc;
}

static int
export_to(struct store *s, struct cli_env *env, int year,
    const struct region *in, const char *file)
{
	struct export ex;
	char tmp[4096];
	int rc;

	memset(&ex, 0, sizeof(ex));
	ex.cat = env->cat;
	ex.year = year;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", file) >= (int)sizeof(tmp) ||
	    (ex.fp = fopen(tmp, "wb")) == NULL) {
		perror(tmp);
		return 1;
	}
	rc = run_export(s, &ex, in, tmp);
	if (fflush(ex.fp) != 0 || fsync(fileno(ex.fp)) != 0) {
		perror(tmp);
		rc = -1;
	}
	if (fclose(ex.fp) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, file) != 0) {
		perror(file);
		rc = -1;
	}
	if (rc != 0) {
		unlink(tmp);
		return 1;
	}
	fprintf(stderr, "liangfu: exported %llu surveys of %d to %s\n",
	    (unsigned long long)ex.rows, year, file);
	return 0;
}

int
cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "region", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *region = NULL;
	const struct region *in = NULL;
	struct cli_env env;
	struct store *s;
	long long year = 0;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'y' && cli_parse_int(optarg, 1990, 2999, &year) == 0)
			continue;
		if (c == 'r') {
			region = optarg;
			continue;
		}
		return cli_usage("export");
	}
	if (year == 0 || argc - optind != 2)
		return cli_usage("export");
	if (cli_env_load(&env) != 0)
		return 1;
	if (region != NULL && (in = regions_find(env.regions, region)) == NULL) {
		fprintf(stderr, "liangfu: --region %s: 未知区划代码 (unknown "
		    "region code)\n", region);
		cli_env_free(&env);
		return 1;
	}
	if (cli_store_open(argv[optind], &env, &s) != 0) {
		cli_env_free(&env);
		return 1;
	}
	rc = export_to(s, &env, (int)year, in, argv[optind + 1]);
	store_close(s);
	cli_env_free(&env);
	return rc;
}

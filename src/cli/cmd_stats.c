/*
 * cmd_stats.c - liangfu stats DB --year Y [--region CODE]
 *               [--filter ITEM=C1,C2 ...] [--xlsx FILE] [--json FILE]
 *               [--csv FILE]
 *
 * Loads the year into the statistics engine and writes the report of
 * the region (default: the province) in each format asked for; with no
 * output file, prints the KPI table.
 */
#include "cli/cli.h"
#include "lib/num.h"
#include "stats/stats_findings.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "stats/stats.h"
#include "lib/progress.h"
#include "stats/report.h"
#include "store/feedback_rows.h"
#include "stats/report_insight.h"
#include "stats/report_precision.h"
#include "recon/recon.h"
#include "stats/stats_load.h"
#include "supervise/supervise.h"

struct stats_args {
	long long	 year;
	const char	*region;
	const char	*filter[STATS_MAX_FILTERS];
	size_t		 nfilters;
	const char	*xlsx, *json, *csv;
	const char	*db;
};

/* 0, or the exit status of a usage error. */
static int
parse_args(int argc, char **argv, struct stats_args *a)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "region", required_argument, NULL, 'r' },
		{ "filter", required_argument, NULL, 'f' },
		{ "xlsx", required_argument, NULL, 'x' },
		{ "json", required_argument, NULL, 'j' },
		{ "csv", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'y' && lf_parse_int(optarg, 1990, 2999,
		    &a->year) != 0) {
			fprintf(stderr, "liangfu: --year %s: 年度无效 (a year "
			    "1990..2999)\n", optarg);
			return 2;
		}
		if (c == 'y')
			continue;
		if (c == 'f' && a->nfilters == STATS_MAX_FILTERS) {
			fprintf(stderr, "liangfu: 筛选条件过多 (at most %d "
			    "--filter)\n", STATS_MAX_FILTERS);
			return 2;
		}
		if (c == 'f')
			a->filter[a->nfilters++] = optarg;
		else if (c == 'r')
			a->region = optarg;
		else if (c == 'x')
			a->xlsx = optarg;
		else if (c == 'j')
			a->json = optarg;
		else if (c == 'c')
			a->csv = optarg;
		else
			return cli_usage("stats");
	}
	if (a->year == 0 || argc - optind != 1)
		return cli_usage("stats");
	a->db = argv[optind];
	return 0;
}

/* The region of --region, or the root of the table. */
static const struct region *
find_region(const struct regions *rs, const char *code)
{
	size_t i;

	if (code != NULL)
		return regions_find(rs, code);
	for (i = 0; i < rs->n; i++)
		if (rs->v[i].parent < 0)
			return &rs->v[i];
	return NULL;
}

static void
on_progress(void *arg, int64_t done, int64_t total)
{
	(void)total;
	progress_update(arg, (uint64_t)done);
}

/* The year of the database into the engine st. */
static int
load(struct store *s, struct stats *st, const struct policies *ps,
    struct lf_error *err)
{
	struct progress *p;
	int64_t n = 0;
	int rc;

	if (store_count(s, "persons", &n, err) != 0)
		return -1;
	p = progress_start("统计载入", (uint64_t)n);
	rc = stats_load(s, st, ps, on_progress, p, err);
	progress_done(p);
	return rc;
}

static int
filters_parse(const struct stats_args *a, const struct catalog *cat,
    const struct stats *st, struct stats_filter *f, struct lf_error *err)
{
	size_t i;

	for (i = 0; i < a->nfilters; i++)
		if (report_filter_parse(st, cat, a->filter[i], &f[i], err) != 0)
			return -1;
	return 0;
}

static int
write_all(const struct stats_args *a, const struct report *r,
    struct lf_error *err)
{
	if (a->xlsx != NULL && report_xlsx_write(r, a->xlsx, err) != 0)
		return -1;
	if (a->json != NULL && report_json_write(r, a->json, err) != 0)
		return -1;
	if (a->csv != NULL && report_csv_write(r, a->csv, err) != 0)
		return -1;
	if (a->xlsx == NULL && a->json == NULL && a->csv == NULL)
		return report_text_kpi(r, stdout, err);
	return 0;
}

/* The data-quality findings section (stats/stats_findings.h). */
static int
findings(struct report *r, struct store *s, const struct cli_env *env,
    struct lf_error *err)
{
	struct quality_rules *qr;
	int rc;

	if (quality_rules_load_embedded(env->cat, &qr, err) != 0)
		return -1;
	rc = stats_findings_add(r, s, qr, env->regions, err);
	quality_rules_free(qr);
	return rc;
}

/* Filters first (bad input fails before the long load), then the load,
 * the report and its files. */
static int
run(const struct stats_args *a, struct cli_env *env, struct store *s,
    const struct region *in, struct lf_error *err)
{
	struct stats_filter f[STATS_MAX_FILTERS];
	char as_of[REPORT_TIME_LEN];
	struct stats_query q;
	struct stats *st;
	struct report *r = NULL;
	struct sup_precision prec;
	struct stats_table t;
	int rc = -1;

	memset(&prec, 0, sizeof(prec));

	if ((st = stats_new(env->cat, env->regions, env->policies,
	    (int)a->year)) == NULL)
		return lf_error_nomem(err);
	report_now(as_of);
	/* on PostgreSQL, row-level security keeps the load to the region */
	if (filters_parse(a, env->cat, st, f, err) != 0 ||
	    store_set_scope(s, in->code, err) != 0 ||
	    load(s, st, env->policies, err) != 0)
		goto out;
	q.in = in;
	q.filters = f;
	q.nfilters = a->nfilters;
	q.today = store_today();
	if (report_build(st, env->cat, &q, as_of, &r, err) != 0 ||
	    feedback_counts(s, in, env->regions, (int)a->year, &r->satisf,
	    err) != 0)
		goto out;
	/* 精准率 from the spot checks (supervise/supervise.h) */
	if (supervise_precision(s, (int)a->year, in, 0, &prec, err) != 0 ||
	    report_section_add(r, &report_precision_section, &prec, err) != 0)
		goto out;
	if (recon_table(s, in, &t, err) != 0 ||	/* issue 16 */
	    report_insight_add(r, &t, err) != 0 ||
	    findings(r, s, env, err) != 0 ||		/* issue 13 */
	    write_all(a, r, err) != 0)
		goto out;
	rc = 0;
out:
	report_free(r);
	sup_precision_free(&prec);
	stats_free(st);
	return rc;
}

int
cmd_stats(int argc, char **argv)
{
	struct stats_args a;
	const struct region *in;
	struct cli_env env;
	struct lf_error err;
	struct store *s;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != 0)
		return rc;
	lf_error_clear(&err);
	if (cli_env_load_rules(&env) != 0)
		return 1;
	if ((in = find_region(env.regions, a.region)) == NULL) {
		fprintf(stderr, "liangfu: --region %s: 未知区划代码 (unknown "
		    "region code)\n", a.region ? a.region : "");
		cli_env_free(&env);
		return 1;
	}
	if (cli_store_open_any(a.db, &env, &s) != 0) {
		cli_env_free(&env);
		return 1;
	}
	rc = run(&a, &env, s, in, &err);
	store_close(s);
	cli_env_free(&env);
	return rc != 0 ? cli_fail(&err) : 0;
}

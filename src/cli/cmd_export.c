/*
 * cmd_export.c - liangfu export DB --year Y [--region CODE] [--items]
 *                FILE.csv
 *
 * Both run on PostgreSQL too (docs/postgresql.md).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bulk/export.h"

int
cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "region", required_argument, NULL, 'r' },
		{ "items", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *region = NULL;
	const struct region *in = NULL;
	struct cli_env env;
	struct store *s;
	struct lf_error err;
	uint64_t rows;
	long long year = 0;
	int c, rc, items = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (cli_opt_year_region(c, optarg, &year, &region))
			continue;
		if (c == 'i') {
			items = 1;
			continue;
		}
		return cli_usage("export");
	}
	if (year == 0 || argc - optind != 2)
		return cli_usage("export");
	if (cli_env_region(&env, items, region, &in) != 0)
		return 1;
	if (cli_store_open_any(argv[optind], &env, &s) != 0) {
		cli_env_free(&env);
		return 1;
	}
	/* PostgreSQL: row-level security shows the application's role the
	 * region's rows only */
	lf_error_clear(&err);
	if (in != NULL && store_set_scope(s, in->code, &err) != 0)
		rc = -1;
	else if (items)
		rc = export_items_csv(s, env.regions, env.policies, (int)year,
		    in, argv[optind + 1], 1, &rows, &err);
	else
		rc = export_csv(s, env.cat, (int)year, in, argv[optind + 1], 1,
		    &rows, &err);
	store_close(s);
	cli_env_free(&env);
	if (rc != 0)
		return cli_fail(&err);
	fprintf(stderr, "liangfu: exported %llu %s of %lld to %s\n",
	    (unsigned long long)rows, items ? "service items" : "surveys",
	    year, argv[optind + 1]);
	return 0;
}

/*
 * cmd_plan.c - liangfu plan DB --year Y [--region CODE]
 *
 * Builds or refreshes the 一人一策 draft plans of every person surveyed in
 * year Y (inside CODE), from the surveys and the policy rules, then runs
 * the data-quality rules over the same persons (as a single write
 * re-checks its person's findings). Idempotent:
 * a second run changes nothing; a changed survey updates the proposals
 * nobody has touched and never what a person edited or decided.
 *
 * On PostgreSQL (docs/postgresql.md) the plans are built by the same
 * rules; the data-quality findings have no tables there yet, so that
 * pass is skipped and said so.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "lib/progress.h"
#include "plan/plan.h"
#include "store/plan.h"

static void
on_progress(void *arg, int64_t done, int64_t total)
{
	struct progress **bar = arg;

	if (*bar == NULL)
		*bar = progress_start("生成计划 plans", (uint64_t)total);
	progress_update(*bar, (uint64_t)done);
}

static int
run(const char *db, struct cli_env *env, int year, const struct region *in)
{
	struct plan_build_stats st;
	struct progress *bar = NULL;
	struct lf_error err;
	struct store *s;
	int64_t opened = 0, closed = 0;
	int rc;

	if (cli_store_open_any(db, env, &s) != 0)
		return 1;
	lf_error_clear(&err);
	/* PostgreSQL: row-level security shows the application's role the
	 * region's rows only */
	if (in != NULL && store_set_scope(s, in->code, &err) != 0) {
		store_close(s);
		return cli_fail(&err);
	}
	memset(&st, 0, sizeof(st));
	lf_error_clear(&err);
	rc = plan_build_all(s, env->policies, env->disaster, year, in,
	    cli_actor(), on_progress, &bar, &st, &err);
	progress_done(bar);
	if (rc != 0) {
		store_close(s);
		return cli_fail(&err);
	}
	rc = cli_findings_recheck(s, env, year, in ? in->code : NULL,
	    &opened, &closed);
	store_close(s);
	fprintf(stderr, "liangfu: plans %d%s%s: %lld persons, %lld plans "
	    "created; items %lld inserted, %lld updated, %lld deleted, %lld "
	    "kept, %lld carried from last year; %lld needs unmet\n", year,
	    in ? " in " : "", in ? in->code : "", (long long)st.persons,
	    (long long)st.plans_created, (long long)st.inserted,
	    (long long)st.updated, (long long)st.deleted, (long long)st.kept,
	    (long long)st.carried, (long long)st.unmet);
	if (rc != 0)
		return cli_recheck_failed(db, year, year);
	fprintf(stderr, "liangfu: data-quality findings %lld opened, %lld "
	    "closed\n", (long long)opened, (long long)closed);
	return 0;
}

int
cmd_plan(int argc, char **argv)
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
	long long year = 0;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (cli_opt_year_region(c, optarg, &year, &region))
			continue;
		return cli_usage("plan");
	}
	if (year == 0 || argc - optind != 1)
		return cli_usage("plan");
	if (cli_env_region(&env, 1, region, &in) != 0)
		return 1;
	rc = run(argv[optind], &env, (int)year, in);
	cli_env_free(&env);
	return rc;
}

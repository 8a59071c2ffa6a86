/*
 * cmd_quality.c - liangfu quality DB --year Y [--region CODE] [--json FILE]
 *
 * Runs every data-quality rule (data/quality_rules.tsv) over the year's
 * persons, surveys, plans, items and deliveries (inside CODE), and brings
 * the findings in line: new ones opened, ones whose rule no longer holds
 * resolved, dismissed ones left alone. Idempotent. Prints the open
 * findings by rule; --json writes the counts (stats/findings_stats.h)
 * with what this run did.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/quality.h"
#include "lib/log.h"
#include "quality/findings_batch.h"
#include "stats/findings_stats.h"

static json_t *
run_json(const struct quality_rules *qr, const struct findings_batch_stats *st,
    json_t *counts)
{
	json_t *hits = json_object();
	size_t i;

	for (i = 0; i < qr->n; i++)
		json_object_set_new(hits, qr->v[i].code,
		    json_integer(st->hits[i]));
	json_object_set_new(counts, "run", json_pack("{s:I,s:I,s:I,s:o}",
	    "persons", (json_int_t)st->persons, "opened",
	    (json_int_t)st->c.opened, "closed", (json_int_t)st->c.closed,
	    "hits", hits));
	return counts;
}

static int
report(struct store *s, const struct cli_env *env,
    const struct quality_rules *qr, int year, const char *region,
    const struct findings_batch_stats *st, const char *json)
{
	struct lf_error err;
	json_t *j;
	int rc = 0;

	lf_error_clear(&err);
	fprintf(stderr, "liangfu: quality %d%s%s: %lld persons checked; "
	    "findings %lld opened, %lld closed\n", year, region ? " in " : "",
	    region ? region : "", (long long)st->persons,
	    (long long)st->c.opened, (long long)st->c.closed);
	if ((j = findings_stats_json(s, qr, env->regions, year, region ?
	    region : "", &err)) == NULL)
		return cli_fail(&err);
	findings_stats_text(j, stdout);
	if (json != NULL && json_dump_file(run_json(qr, st, j), json,
	    JSON_INDENT(1)) != 0) {
		fprintf(stderr, "liangfu: %s: 无法写入 (cannot write)\n", json);
		rc = 1;
	}
	json_decref(j);
	return rc;
}

static int
run(const char *db, struct cli_env *env, int year, const char *region,
    const char *json)
{
	struct findings_batch_stats st;
	struct quality_rules *qr = NULL;
	struct lf_error err;
	struct store *s;
	int rc;

	lf_error_clear(&err);
	if (quality_rules_load_embedded(env->cat, &qr, &err) != 0)
		return cli_fail(&err);
	if (cli_store_open_any(db, env, &s) != 0) {
		quality_rules_free(qr);
		return 1;
	}
	/* PostgreSQL: row-level security shows the application's role the
	 * region's rows only */
	if (region != NULL && store_set_scope(s, region, &err) != 0) {
		store_close(s);
		quality_rules_free(qr);
		return cli_fail(&err);
	}
	/* a bounded page cache: the pass reads each page once */
	if (store_set_cache(s, 64, &err) != 0)
		log_warnx("quality: %s", err.message);
	rc = findings_batch(s, qr, env->policies, env->disaster, year, region,
	    cli_actor(), NULL, NULL, &st, &err);
	if (rc != 0)
		rc = cli_fail(&err);
	else
		rc = report(s, env, qr, year, region, &st, json);
	store_close(s);
	quality_rules_free(qr);
	return rc;
}

int
cmd_quality(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "region", required_argument, NULL, 'r' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *region = NULL, *json = NULL;
	const struct region *in;
	struct cli_env env;
	long long year = 0;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (cli_opt_year_region(c, optarg, &year, &region))
			continue;
		if (c == 'j') {
			json = optarg;
			continue;
		}
		return cli_usage("quality");
	}
	if (year == 0 || argc - optind != 1)
		return cli_usage("quality");
	if (cli_env_region(&env, 1, region, &in) != 0)
		return 1;
	rc = run(argv[optind], &env, (int)year, region, json);
	cli_env_free(&env);
	return rc;
}

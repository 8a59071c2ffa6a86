/*
 * cli_common.c - helpers shared by the subcommands.
 */
#include "cli/cli.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/quality.h"
#include "lib/embedded.h"
#include "lib/num.h"
#include "quality/findings_batch.h"

int
cli_fail(const struct lf_error *err)
{
	fprintf(stderr, "liangfu: %s\n", err->message);
	return 1;
}

int
cli_env_load(struct cli_env *env)
{
	struct embedded_file cat, reg, cn;
	struct lf_error err;

	env->cat = NULL;
	env->regions = env->counties = NULL;
	env->policies = NULL;
	env->disaster = NULL;
	lf_error_clear(&err);
	if (embedded_get("data/catalog.tsv", &cat) != 0 ||
	    embedded_get("data/regions-sichuan.tsv", &reg) != 0 ||
	    embedded_get("data/regions-china-counties.tsv", &cn) != 0) {
		fprintf(stderr, "liangfu: built-in data missing\n");
		return -1;
	}
	if (catalog_parse(cat.data, cat.len, cat.name, &env->cat, &err) != 0 ||
	    regions_parse(reg.data, reg.len, reg.name, &env->regions,
	    &err) != 0 || regions_parse(cn.data, cn.len, cn.name,
	    &env->counties, &err) != 0) {
		cli_fail(&err);
		cli_env_free(env);
		return -1;
	}
	return 0;
}

int
cli_env_rules(struct cli_env *env)
{
	struct embedded_file dis;
	struct lf_error err;

	lf_error_clear(&err);
	if (embedded_get("data/disaster_regions.tsv", &dis) != 0) {
		fprintf(stderr, "liangfu: built-in data missing\n");
		return -1;
	}
	if (policies_load_embedded(env->cat, &env->policies, &err) != 0 ||
	    disaster_parse(dis.data, dis.len, dis.name, &env->disaster,
	    &err) != 0)
		return cli_fail(&err) ? -1 : -1;
	disaster_set_regions(env->disaster, env->regions);
	return 0;
}

int
cli_env_load_rules(struct cli_env *env)
{
	if (cli_env_load(env) != 0)
		return -1;
	if (cli_env_rules(env) != 0) {
		cli_env_free(env);
		return -1;
	}
	return 0;
}

void
cli_env_free(struct cli_env *env)
{
	policies_free(env->policies);
	disaster_free(env->disaster);
	env->policies = NULL;
	env->disaster = NULL;
	catalog_free(env->cat);
	regions_free(env->regions);
	regions_free(env->counties);
	env->cat = NULL;
	env->regions = env->counties = NULL;
}

int
cli_store_open(const char *path, struct cli_env *env, struct store **out)
{
	struct lf_error err;

	lf_error_clear(&err);
	if (store_open(path, env->cat, env->regions, out, &err) != 0) {
		cli_fail(&err);
		return -1;
	}
	return 0;
}

int
cli_store_open_any(const char *path, struct cli_env *env,
    struct store **out)
{
	struct lf_error err;

	lf_error_clear(&err);
	if (store_open_any(path, env->cat,
	    env->regions, out, &err) != 0) {
		cli_fail(&err);
		return -1;
	}
	return 0;
}

const char *
cli_actor(void)
{
	static char actor[80];
	struct passwd *pw;

	if (actor[0] != '\0')
		return actor;
	pw = getpwuid(getuid());
	snprintf(actor, sizeof(actor), "cli:%s", pw ? pw->pw_name : "unknown");
	return actor;
}

int
cli_findings_recheck(struct store *s, struct cli_env *env, int year,
    const char *region, int64_t *opened, int64_t *closed)
{
	struct findings_batch_stats st;
	struct quality_rules *qr = NULL;
	struct lf_error err;
	int rc;

	lf_error_clear(&err);
	if (env->policies == NULL && cli_env_rules(env) != 0)
		return -1;
	if (quality_rules_load_embedded(env->cat, &qr, &err) != 0)
		return cli_fail(&err) ? -1 : -1;
	rc = findings_batch(s, qr, env->policies, env->disaster, year, region,
	    cli_actor(), NULL, NULL, &st, &err);
	quality_rules_free(qr);
	if (rc != 0)
		return cli_fail(&err) ? -1 : -1;
	*opened += st.c.opened;
	*closed += st.c.closed;
	return 0;
}

int
cli_recheck_failed(const char *db, int year_lo, int year_hi)
{
	fprintf(stderr, "liangfu: 数据已写入, 但数据质量复查未完成 (what was "
	    "written above is kept; the data-quality re-check failed): run "
	    "`liangfu quality %s --year %d`%s\n", db, year_lo,
	    year_hi > year_lo ? " for each year written" : "");
	return CLI_EXIT_RECHECK;
}

int
cli_opt_year_region(int c, const char *arg, long long *year,
    const char **region)
{
	if (c == 'y')
		return lf_parse_int(arg, 1990, 2999, year) == 0;
	if (c == 'r')
		*region = arg;
	return c == 'r';
}

int
cli_env_region(struct cli_env *env, int rules, const char *code,
    const struct region **out)
{
	if ((rules ? cli_env_load_rules(env) : cli_env_load(env)) != 0)
		return -1;
	if (cli_region(env, code, out) != 0) {
		cli_env_free(env);
		return -1;
	}
	return 0;
}

int
cli_region(const struct cli_env *env, const char *code,
    const struct region **out)
{
	*out = NULL;
	if (code == NULL)
		return 0;
	if ((*out = regions_find(env->regions, code)) != NULL)
		return 0;
	fprintf(stderr, "liangfu: --region %s: 未知区划代码 (unknown region "
	    "code)\n", code);
	return -1;
}

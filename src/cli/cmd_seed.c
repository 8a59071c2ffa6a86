/*
 * cmd_seed.c - liangfu seed DB --persons N [--region CODE]
 *              [--years 2019-2023] [--seed S] [--need-scale K]
 *
 * Fills DB (created when missing) with a synthetic population from
 * core/synth.c: the same seed gives the same persons and surveys. Each
 * year is one transaction, written through store_survey_put() like any
 * other survey, so every seeded record passes full validation.
 * --need-scale K (1..10, default 1) makes needs more frequent (see
 * synth_set_need_scale()), for benches at the 9-10 items a person.
 */
#include "cli/cli.h"
#include "lib/num.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bulk/bulk.h"
#include "synth/synth.h"
#include "lib/progress.h"

struct seed_opts {
	long long	 persons;
	const char	*region;
	int		 first, last;
	unsigned long long seed;
	double		 need_scale;	/* --need-scale, 1 = calibrated */
};

static int
parse_years(const char *s, int *first, int *last)
{
	const char *dash = strchr(s, '-');
	char a[8];
	long long x, y;

	if (dash == NULL)
		dash = s + strlen(s);
	if (dash - s >= (long)sizeof(a))
		return -1;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	if (lf_parse_int(a, 1990, 2999, &x) != 0)
		return -1;
	y = x;
	if (*dash == '-' && lf_parse_int(dash + 1, x, 2999, &y) != 0)
		return -1;
	*first = (int)x;
	*last = (int)y;
	return 0;
}

struct seeding {
	struct store		*s;
	struct synth		*sy;
	const struct catalog	*cat;
	const struct seed_opts	*o;
	struct progress		*bar;
	int			 year;
	uint64_t		 next;		/* producer: next index */
	uint64_t		 done;		/* consumer: surveys written */
};

/* Puts "person #i, year: " before the message in sl->err; -1. */
static int
name_person(struct bulk_slot *sl)
{
	return lf_error_prefix(&sl->err, "person #%llu, %d: ",
	    (unsigned long long)sl->index, sl->year);
}

/* Producer: generate person #next for the year. */
static int
produce(void *arg, struct bulk_slot *sl)
{
	struct seeding *sd = arg;

	if (sd->next >= (uint64_t)sd->o->persons)
		return 0;
	sl->index = sd->next++;
	sl->year = sd->year;
	if (synth_person(sd->sy, sl->index, sd->year, sl->r, &sl->err) != 0)
		return name_person(sl);
	return 1;
}

/* Preparer (several threads): validate and seal it. */
static int
prepare(void *arg, struct bulk_slot *sl)
{
	const struct seeding *sd = arg;
	struct store_put put = { sl->year, 0, "seed", 0, 0 };

	if (store_prepare(sd->s, sl->r, &put, sl->prep, &sl->err) != 0)
		return name_person(sl);
	return 0;
}

/* Before a batch: the store reads its persons in one go (PostgreSQL). */
static int
ahead(void *arg, struct bulk_slot *slots, size_t n, struct lf_error *err)
{
	struct seeding *sd = arg;

	return bulk_write_ahead(sd->s, slots, n, err);
}

/* Consumer: write it. */
static int
consume(void *arg, struct bulk_slot *sl)
{
	struct seeding *sd = arg;
	struct store_put_result res;

	if (store_write(sd->s, sl->prep, &res, &sl->err) != 0)
		return -1;
	progress_update(sd->bar, ++sd->done);
	return 0;
}

static int
seed_year(struct seeding *sd)
{
	struct lf_error err;

	lf_error_clear(&err);
	sd->next = 0;
	if (store_begin_bulk(sd->s, &err) != 0)
		return cli_fail(&err);
	if (bulk_run_ahead(sd->cat, produce, prepare, sd, ahead, consume, sd,
	    &err) != 0) {
		store_rollback(sd->s);
		return cli_fail(&err);
	}
	return store_commit(sd->s, &err) != 0 ? cli_fail(&err) : 0;
}

static int
seed(struct store *s, struct cli_env *env, const struct region *scope,
    const struct seed_opts *o)
{
	struct seeding sd;
	struct synth *sy = NULL;
	struct lf_error err;
	int year, rc = 1;

	lf_error_clear(&err);
	if (synth_new(env->cat, env->regions, scope, o->seed,
	    (int)(time(NULL) / 86400), &sy, &err) != 0)
		return cli_fail(&err);
	if (synth_set_first_year(sy, o->first, &err) != 0 ||
	    synth_set_need_scale(sy, o->need_scale, &err) != 0) {
		cli_fail(&err);
		goto out;
	}
	memset(&sd, 0, sizeof(sd));
	sd.s = s;
	sd.sy = sy;
	sd.cat = env->cat;
	sd.o = o;
	sd.bar = progress_start("生成 seed", (uint64_t)o->persons *
	    (uint64_t)(o->last - o->first + 1));
	for (year = o->first; year <= o->last; year++) {
		sd.year = year;
		if ((rc = seed_year(&sd)) != 0)
			break;
	}
	progress_done(sd.bar);
	if (rc == 0)
		fprintf(stderr, "liangfu: seeded %lld persons x %d years\n",
		    o->persons, o->last - o->first + 1);
out:
	synth_free(sy);
	return rc;
}

/* --need-scale K: a decimal number; synth_set_need_scale() checks the
 * range. */
static int
parse_scale(const char *s, double *k)
{
	char *end;

	errno = 0;
	*k = strtod(s, &end);
	return errno != 0 || end == s || *end != '\0' ? -1 : 0;
}

static int
parse_opts(int argc, char **argv, struct seed_opts *o)
{
	static const struct option opts[] = {
		{ "persons", required_argument, NULL, 'n' },
		{ "region", required_argument, NULL, 'r' },
		{ "years", required_argument, NULL, 'y' },
		{ "seed", required_argument, NULL, 's' },
		{ "need-scale", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	time_t now = time(NULL);
	struct tm tm;
	long long v;
	int c;

	gmtime_r(&now, &tm);
	memset(o, 0, sizeof(*o));
	o->persons = -1;
	o->first = o->last = tm.tm_year + 1900;
	o->seed = 1;
	o->need_scale = 1.0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n' && lf_parse_int(optarg, 0, 100000000,
		    &o->persons) == 0)
			continue;
		if (c == 'r') {
			o->region = optarg;
			continue;
		}
		if (c == 'y' && parse_years(optarg, &o->first, &o->last) == 0)
			continue;
		if (c == 's' && lf_parse_int(optarg, 0, INT64_MAX, &v) == 0) {
			o->seed = (unsigned long long)v;
			continue;
		}
		if (c == 'k' && parse_scale(optarg, &o->need_scale) == 0)
			continue;
		return -1;
	}
	return o->persons < 0 || argc - optind != 1 ? -1 : 0;
}

int
cmd_seed(int argc, char **argv)
{
	const struct region *scope = NULL;
	struct seed_opts o;
	struct cli_env env;
	struct lf_error err;
	struct store *s;
	struct stat sb;
	const char *db;
	int rc;

	if (parse_opts(argc, argv, &o) != 0)
		return cli_usage("seed");
	db = argv[optind];
	if (!(o.need_scale >= 1.0 && o.need_scale <= 10.0)) {
		fprintf(stderr, "liangfu: --need-scale %g: 需求倍数应在 1 到 10 "
		    "之间 (need scale must lie in 1..10)\n", o.need_scale);
		return 1;
	}
	if (cli_env_region(&env, 0, o.region, &scope) != 0)
		return 1;
	lf_error_clear(&err);
	/* a PostgreSQL registry is made by liangfu init (no file to stat) */
	if (!store_location_is_pg(db) && stat(db, &sb) != 0 &&
	    store_create(db, env.cat, &err) != 0) {
		cli_env_free(&env);
		return cli_fail(&err);
	}
	if (cli_store_open_any(db, &env, &s) != 0) {
		cli_env_free(&env);
		return 1;
	}
	/* PostgreSQL: --region is the scope row-level security holds the
	 * application's role to */
	if (scope != NULL && store_set_scope(s, scope->code, &err) != 0) {
		store_close(s);
		cli_env_free(&env);
		return cli_fail(&err);
	}
	rc = seed(s, &env, scope, &o);
	store_close(s);
	cli_env_free(&env);
	return rc;
}

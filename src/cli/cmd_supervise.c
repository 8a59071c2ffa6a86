/*
 * cmd_supervise.c - liangfu supervise: 精准监督 from the command line.
 *
 *   supervise DB --year Y --region CODE --rate R [--min-per-surveyor N]
 *       [--recheck R] [--seed S] [--due DATE] [--mode visit|phone]
 *       [--items CODE,...] [--checkers LOGIN,...]
 *     draws a stratified sample (supervise/supervise.h); with --checkers its
 *     tasks are assigned in turn to those accounts, each task to the next
 *     account that may check it (never the person's own surveyor).
 *   supervise DB --list [--year Y] [--region CODE]
 *     the samples with their progress.
 *   supervise DB --tasks ID
 *     the sample's tasks: id, person (opaque id), village, surveyor,
 *     re-check of, checker, mode, due, done.
 *   supervise DB --precision --year Y [--region CODE]
 *     the three precision rates with 95% intervals, by region and by
 *     surveyor, and the surveyors far below target.
 */
#include "cli/cli.h"
#include "lib/num.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/mem.h"
#include "supervise/supervise.h"

struct opts {
	long long	 year;
	const char	*region, *due, *items, *checkers, *mode;
	double		 rate, recheck;
	long long	 min, seed;
	int		 have_seed, list, precision;
	long long	 tasks;
};

static void
print_sample(const struct sup_sample *sm)
{
	printf("sample %lld: %d %s rate %.4g min/surveyor %d recheck %.4g "
	    "seed %llu mode %s due %s items %s; %lld persons, %lld tasks "
	    "(%lld re-checks), %lld assigned, %lld done, %lld overdue\n",
	    (long long)sm->id, sm->year, sm->region, sm->prm.rate,
	    sm->prm.min_per_surveyor, sm->prm.recheck_rate,
	    (unsigned long long)sm->prm.seed, supervise_mode_en(sm->mode),
	    sm->due, sm->items, (long long)sm->persons, (long long)sm->tasks,
	    (long long)sm->rechecks, (long long)sm->assigned,
	    (long long)sm->done, (long long)sm->overdue);
}

static int
task_one(void *arg, const struct sup_task *t)
{
	(void)arg;
	printf("%lld\t%s\t%s\t%s\t%lld\t%s\t%s\t%s\t%s\n", (long long)t->id,
	    t->uid, t->region, t->surveyor, (long long)t->recheck_of,
	    t->checker[0] ? t->checker : "-", supervise_mode_en(t->mode),
	    t->due, t->done ? "done" : "open");
	return 0;
}

static int
list_one(void *arg, const struct sup_sample *sm)
{
	(void)arg;
	print_sample(sm);
	return 0;
}

struct assign_arg {
	struct store	*s;
	char		*logins[64];
	size_t		 n, next;
	int64_t		 assigned, refused;
	struct lf_error	*err;
};

/* The task goes to the next account in turn that may check it. */
static int
assign_one(void *arg, const struct sup_task *t)
{
	struct assign_arg *a = arg;
	size_t k;

	(void)t;
	for (k = 0; k < a->n; k++) {
		const char *login = a->logins[(a->next + k) % a->n];

		lf_error_clear(a->err);
		if (supervise_assign(a->s, t->id, login, 0, NULL, 0,
		    cli_actor(), NULL, a->err) == 0) {
			a->next = (a->next + k + 1) % a->n;
			a->assigned++;
			return 0;
		}
		if (strcmp(a->err->code, "checker") != 0 &&
		    strcmp(a->err->code, "checker_is_surveyor") != 0)
			return -1;
	}
	a->refused++;
	return 0;
}

static int
assign_all(struct store *s, int64_t sample, char *checkers,
    struct lf_error *err)
{
	struct assign_arg a;
	char *save = NULL, *tok;

	memset(&a, 0, sizeof(a));
	a.s = s;
	a.err = err;
	for (tok = strtok_r(checkers, ",", &save); tok != NULL && a.n < 64;
	    tok = strtok_r(NULL, ",", &save))
		a.logins[a.n++] = tok;
	if (a.n == 0)
		return 0;
	/* tasks are read first, then assigned: one list, many writes */
	if (store_begin(s, err) != 0)
		return -1;
	if (supervise_tasks(s, sample, NULL, NULL, assign_one, &a, err) != 0) {
		store_rollback(s);
		return -1;
	}
	if (store_commit(s, err) != 0)
		return -1;
	fprintf(stderr, "liangfu: %lld tasks assigned, %lld left unassigned "
	    "(no listed account may check them)\n", (long long)a.assigned,
	    (long long)a.refused);
	return 0;
}

static int
draw(struct store *s, const struct region *in, struct opts *o,
    struct lf_error *err)
{
	struct sup_params prm;
	struct sup_sample sm;
	char due[11], *ck;
	int64_t id;
	int mode = o->mode ? supervise_mode_parse(o->mode) : SUP_VISIT, rc;

	memset(&prm, 0, sizeof(prm));
	prm.rate = o->rate;
	prm.min_per_surveyor = (int)o->min;
	prm.recheck_rate = o->recheck;
	prm.seed = (uint64_t)o->seed;
	if (o->due == NULL) {
		date_format(store_today() + 30, due);
		o->due = due;
	}
	if (supervise_draw(s, (int)o->year, in, &prm, o->items, mode, o->due,
	    cli_actor(), &id, err) != 0)
		return -1;
	if (supervise_sample_get(s, id, &sm, err) != 0)
		return -1;
	print_sample(&sm);
	if (o->checkers == NULL)
		return 0;
	if ((ck = mem_strdup(o->checkers)) == NULL)
		return lf_error_nomem(err);
	rc = assign_all(s, id, ck, err);
	mem_free(ck);
	return rc;
}

static void
print_rate(const char *what, const struct sup_rate *r)
{
	if (!r->valid) {
		printf("  %s -", what);
		return;
	}
	printf("  %s %5.1f%% [%5.1f, %5.1f] %lld/%lld", what, 100 * r->p,
	    100 * r->lo, 100 * r->hi, (long long)r->x, (long long)r->n);
}

static void
print_row(const struct sup_prec_row *row)
{
	printf("%-28s", row->name);
	print_rate("调研 survey", &row->survey);
	print_rate("一人一策 plan", &row->plan);
	print_rate("监督 supervision", &row->sup);
	printf("%s\n", row->below ? "  低于目标 below target" : "");
}

static int
precision(struct store *s, const struct region *in, int year,
    struct lf_error *err)
{
	struct sup_precision p;
	size_t i;

	if (supervise_precision(s, year, in, 0, &p, err) != 0)
		return -1;
	printf("%d %s 精准率 precision (target %.0f%%, 95%% Wilson "
	    "interval)\n", year, in->code, 100 * SUP_TARGET);
	for (i = 0; i < p.nregion; i++)
		print_row(&p.by_region[i]);
	printf("\n按调查员 by surveyor\n");
	for (i = 0; i < p.nsurveyor; i++)
		print_row(&p.by_surveyor[i]);
	printf("\n远低于目标的调查员 surveyors far below target (survey "
	    "precision upper bound < 90%%):");
	for (i = 0; i < p.nsurveyor; i++)
		if (p.by_surveyor[i].below)
			printf(" %s", p.by_surveyor[i].name);
	printf("\n");
	sup_precision_free(&p);
	return 0;
}

static int
run(const char *db, struct cli_env *env, const struct region *in,
    struct opts *o)
{
	struct lf_error err;
	struct store *s;
	int rc;

	if (cli_store_open_any(db, env, &s) != 0)
		return 1;
	lf_error_clear(&err);
	/* PostgreSQL: row-level security shows the application's role the
	 * region's rows only */
	if (o->region != NULL && in != NULL && store_set_scope(s, in->code,
	    &err) != 0) {
		store_close(s);
		return cli_fail(&err);
	}
	if (o->tasks != 0)
		rc = supervise_tasks(s, o->tasks, NULL, NULL, task_one, NULL,
		    &err);
	else if (o->list)
		rc = supervise_samples(s, in, (int)o->year, list_one, NULL,
		    &err);
	else if (o->precision)
		rc = precision(s, in, (int)o->year, &err);
	else
		rc = draw(s, in, o, &err);
	store_close(s);
	return rc != 0 ? cli_fail(&err) : 0;
}

static int
parse_share(const char *arg, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (*arg == '\0' || *end != '\0' || !(v >= 0.0 && v <= 1.0))
		return -1;
	*out = v;
	return 0;
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "region", required_argument, NULL, 'r' },
		{ "rate", required_argument, NULL, 'R' },
		{ "min-per-surveyor", required_argument, NULL, 'm' },
		{ "recheck", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 's' },
		{ "due", required_argument, NULL, 'd' },
		{ "mode", required_argument, NULL, 'M' },
		{ "items", required_argument, NULL, 'i' },
		{ "checkers", required_argument, NULL, 'c' },
		{ "list", no_argument, NULL, 'l' },
		{ "precision", no_argument, NULL, 'p' },
		{ "tasks", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->recheck = 0.1;
	o->min = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((c == 'y' && lf_parse_int(optarg, 1990, 2999,
		    &o->year) == 0) || (c == 'm' && lf_parse_int(optarg, 0,
		    1000, &o->min) == 0) || (c == 'R' && parse_share(optarg,
		    &o->rate) == 0) || (c == 'k' && parse_share(optarg,
		    &o->recheck) == 0))
			continue;
		if (c == 't' && lf_parse_int(optarg, 1, INT64_MAX,
		    &o->tasks) == 0)
			continue;
		if (c == 's' && lf_parse_int(optarg, 0, INT64_MAX,
		    &o->seed) == 0) {
			o->have_seed = 1;
			continue;
		}
		if (c == 'r' || c == 'd' || c == 'M' || c == 'i' || c == 'c') {
			*(c == 'r' ? &o->region : c == 'd' ? &o->due :
			    c == 'M' ? &o->mode : c == 'i' ? &o->items :
			    &o->checkers) = optarg;
			continue;
		}
		if (c == 'l' || c == 'p') {
			*(c == 'l' ? &o->list : &o->precision) = 1;
			continue;
		}
		return -1;
	}
	if (argc - optind != 1 || (o->list && o->precision))
		return -1;
	if (o->tasks != 0)
		return o->list || o->precision ? -1 : 0;
	if (!o->list && (o->year == 0 || o->region == NULL))
		return -1;
	if (!o->list && !o->precision && o->rate <= 0.0)
		return -1;
	if (o->mode != NULL && supervise_mode_parse(o->mode) == 0)
		return -1;
	return 0;
}

int
cmd_supervise(int argc, char **argv)
{
	const struct region *in = NULL;
	struct cli_env env;
	struct opts o;
	int rc;

	if (parse(argc, argv, &o) != 0)
		return cli_usage("supervise");
	if (!o.have_seed)
		o.seed = (long long)(store_today() * 7919LL + o.year);
	if (cli_env_region(&env, 0, o.region ? o.region : "51", &in) != 0)
		return 1;
	rc = run(argv[optind], &env, in, &o);
	cli_env_free(&env);
	return rc;
}

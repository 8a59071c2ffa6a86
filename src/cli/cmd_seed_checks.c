/*
 * cmd_seed_checks.c - liangfu seed-checks DB --sample ID [--right R]
 * [--seed S]: SYNTHETIC check results, for demos and benchmarks only,
 * like `liangfu seed`.
 *
 * Every open, assigned task of the sample is answered as its checker
 * would: each line is right with probability R (default 0.95), drawn
 * from a deterministic generator (core/supervise.h's sup_key) so the
 * same seed gives the same answers. A wrong survey item gets another
 * value: the next option of an enum item, the other value of a bool;
 * items of other types are answered right (there is no plausible wrong
 * value to make up). When a made-up value does not pass the survey's
 * validation (a skip rule or cross-field rule), that item is answered
 * right and the check tried again. The results go through supervise_check(),
 * so wrong items correct the survey with history, exactly as a real
 * check would: never run this on real data.
 */
#include "cli/cli.h"
#include "lib/num.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "supervise/supervise.h"

struct seed_arg {
	struct store	*s;
	double		 right;
	uint64_t	 seed;
	int64_t		 checked, lines, wrong, skipped;
	struct lf_error	*err;
};

static double
unit(uint64_t seed, int64_t task, size_t line)
{
	uint64_t k = sup_key(seed, task * 4096 + (int64_t)line);

	return (double)(k >> 11) / 9007199254740992.0;
}

/* Another valid-looking value for a survey item, or 0 when none. */
static int
other_value(const struct sup_line *ln, char *out, size_t len)
{
	const struct field *f = ln->f;
	long cur;
	size_t i;

	if (f == NULL)
		return 0;
	if (f->type == FT_BOOL) {
		snprintf(out, len, "%s", strcmp(ln->recorded, "是") == 0 ?
		    "否" : "是");
		return 1;
	}
	if (f->type != FT_ENUM || f->noptions < 2)
		return 0;
	cur = strtol(ln->recorded, NULL, 10);
	for (i = 0; i < f->noptions; i++)
		if (f->options[i].code == cur)
			break;
	snprintf(out, len, "%d", f->options[(i + 1) % f->noptions].code);
	return 1;
}

static void
answer(struct seed_arg *a, const struct sup_task *t, struct sup_line *v,
    size_t n, int survey_right)
{
	size_t i;

	for (i = 0; i < n; i++) {
		v[i].ok = 1;
		v[i].right[0] = '\0';
		if (unit(a->seed, t->id, i) < a->right)
			continue;
		if (v[i].kind == SUP_SERVICE_ITEM)
			v[i].ok = 0;
		else if (!survey_right && other_value(&v[i], v[i].right,
		    sizeof(v[i].right)))
			v[i].ok = 0;
	}
}

/* The wrong survey line named by field, or n. */
static size_t
line_named(const struct sup_line *v, size_t n, const char *field)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].kind == SUP_SURVEY_ITEM && !v[i].ok &&
		    strcmp(v[i].ref, field) == 0)
			return i;
	return n;
}

static int
seed_one(void *arg, const struct sup_task *t)
{
	struct seed_arg *a = arg;
	struct sup_line *v = NULL;
	size_t n, i, tries;
	int rc = -1;

	if (t->done || t->checker[0] == '\0') {
		a->skipped += !t->done;
		return 0;
	}
	if (supervise_checklist(a->s, t, &v, &n, a->err) != 0)
		return -1;
	answer(a, t, v, n, 0);
	/* a made-up value the survey's rules refuse: answer that item
	 * right and try again (each retry rights one more item) */
	for (tries = 0; tries <= n; tries++) {
		rc = supervise_check(a->s, t->id, v, n, t->checker, 0, a->err);
		if (rc == 0 || strcmp(a->err->code, "store") == 0 ||
		    strcmp(a->err->code, "io") == 0 ||
		    (i = line_named(v, n, a->err->field)) == n)
			break;
		v[i].ok = 1;
		lf_error_clear(a->err);
	}
	if (rc != 0 && strcmp(a->err->code, "store") != 0 &&
	    strcmp(a->err->code, "io") != 0) {
		lf_error_clear(a->err);
		answer(a, t, v, n, 1);
		rc = supervise_check(a->s, t->id, v, n, t->checker, 0, a->err);
	}
	if (rc == 0) {
		a->checked++;
		a->lines += (int64_t)n;
		for (i = 0; i < n; i++)
			a->wrong += !v[i].ok;
	}
	mem_free(v);
	return rc;
}

int
cmd_seed_checks(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sample", required_argument, NULL, 'S' },
		{ "right", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct seed_arg a;
	struct lf_error err;
	struct cli_env env;
	long long sample = 0, seed = 1;
	char *end;
	int c, rc;

	memset(&a, 0, sizeof(a));
	a.right = 0.95;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((c == 'S' && lf_parse_int(optarg, 1, INT64_MAX,
		    &sample) == 0) || (c == 's' && lf_parse_int(optarg, 0,
		    INT64_MAX, &seed) == 0))
			continue;
		if (c == 'r') {
			a.right = strtod(optarg, &end);
			if (*end == '\0' && a.right >= 0.0 && a.right <= 1.0)
				continue;
		}
		return cli_usage("seed-checks");
	}
	if (sample == 0 || argc - optind != 1)
		return cli_usage("seed-checks");
	if (cli_env_load(&env) != 0)
		return 1;
	if (cli_store_open(argv[optind], &env, &a.s) != 0) {
		cli_env_free(&env);
		return 1;
	}
	lf_error_clear(&err);
	a.err = &err;
	a.seed = (uint64_t)seed;
	rc = supervise_tasks(a.s, sample, NULL, NULL, seed_one, &a, &err);
	store_close(a.s);
	cli_env_free(&env);
	if (rc != 0)
		return cli_fail(&err);
	fprintf(stderr, "liangfu: synthetic checks: %lld tasks, %lld lines, "
	    "%lld wrong; %lld tasks not assigned\n", (long long)a.checked,
	    (long long)a.lines, (long long)a.wrong, (long long)a.skipped);
	return 0;
}

/*
 * cmd_feedback.c - liangfu feedback: self-service codes from the command
 * line, and synthetic ratings for demo databases.
 *
 *   liangfu feedback code DB --id-number N [--days D]
 *	Issues a one-time self-service code for the person (valid D days,
 *	default 7) and prints it once, with its expiry. The code is stored
 *	only as its keyed hash. Runs on PostgreSQL too (as the owner
 *	role: it takes no scope).
 *
 *   liangfu feedback demo DB --year Y [--region CODE] [--persons N]
 *	[--seed S]
 *	FOR SYNTHETIC DEMO DATABASES ONLY: takes N (default 200) draft plans
 *	of the year in the region, accepts their proposals, confirms them,
 *	records one delivery on each accepted item ("演示数据") and a
 *	synthetic rating of each item and of the plan (about 70% 满意, 22%
 *	基本满意, 8% 不满意; the same seed gives the same ratings), so that
 *	the satisfaction rate shows figures. All in one transaction.
 */
#include "cli/cli.h"
#include "lib/num.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/date.h"
#include "core/idcard.h"
#include "lib/mem.h"
#include "core/satisf.h"
#include "core/selfcode.h"
#include "feedback/feedback.h"
#include "plan/plan.h"
#include "store/plan.h"
#include "auth/selfcode.h"

#define DEMO_ACTOR	"demo-village"

struct fargs {
	const char	*idnum, *region;
	long long	 days, year, persons, seed;
};

/* "计划 (plans): 2025 已确认, 2026 草稿": what the person will see. */
static int
plans_line(struct store *s, int64_t pid, struct lf_error *err)
{
	static const char *const st[] = { "?", "草稿", "已确认", "已结束" };
	struct plan plan;
	int years[64];
	size_t n, i;

	if (plan_years(s, pid, years, 64, &n, err) != 0)
		return -1;
	printf("计划 (plans):");
	for (i = 0; i < n; i++) {
		if (plan_get(s, pid, years[i], &plan, err) != 0)
			return -1;
		printf("%s %d %s", i ? "," : "", years[i],
		    st[plan.status >= 1 && plan.status <= 3 ? plan.status : 0]);
	}
	printf("%s\n", n ? "" : " 无 (none)");
	return 0;
}

static int
code(struct store *s, const struct fargs *a)
{
	char c[SELFCODE_LEN + 1], shown[SELFCODE_DISPLAY_LEN + 1];
	char until[DATE_TIMELEN + 1];
	struct idcard_info info;
	struct idcard_error ie;
	struct store_person p;
	struct selfcode sc;
	struct lf_error err;
	int rc;

	if (idcard_parse(a->idnum, 2 * 365 * 1000, &info, &ie) != 0) {
		fprintf(stderr, "liangfu: --id-number: %s\n", ie.message);
		return 1;
	}
	lf_error_clear(&err);
	if ((rc = store_person_by_idnum(s, info.id, &p, &err)) != 0) {
		if (rc == 1)
			fprintf(stderr, "liangfu: 查无此人 (no person with "
			    "that ID number)\n");
		return rc < 0 ? cli_fail(&err) : 1;
	}
	if (selfcode_issue(s, p.id, cli_actor(), (int64_t)time(NULL),
	    a->days * 24 * 3600, c, &sc, &err) != 0)
		return cli_fail(&err);
	selfcode_display(c, shown);
	date_china_text(sc.expires_at, 0, until);
	printf("验证码 (code) #%lld for %s: %s\n有效期至 (valid until, China "
	    "time) %s\n", (long long)sc.id, p.name, shown, until);
	return plans_line(s, p.id, &err) != 0 ? cli_fail(&err) : 0;
}

/* ---- demo ratings ------------------------------------------------- */

struct demo {
	struct store		*s;
	const struct policies	*ps;
	uint64_t		 rng;
	int			 year;
	char			 date[11];
	int64_t			 ids[64];
	size_t			 nids;
	int64_t			 plans, items, ratings;
	int64_t			*persons;
	size_t			 npersons, cap;
};

static uint64_t
next(struct demo *d)
{
	uint64_t z = (d->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 70% 满意, 22% 基本满意, 8% 不满意 */
static int
pick_rating(struct demo *d)
{
	uint64_t r = next(d) % 100;

	return r < 70 ? SATISF_SATISFIED : r < 92 ? SATISF_BASIC :
	    SATISF_UNSATISFIED;
}

static int
take_plan(void *arg, const struct plan_summary *ps)
{
	struct demo *d = arg;
	int64_t *n;

	if (d->npersons == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 256;
		if ((n = mem_realloc(d->persons, d->cap * sizeof(*n))) == NULL)
			return -1;
		d->persons = n;
	}
	d->persons[d->npersons++] = ps->person_id;
	return 0;
}

static int
take_item(void *arg, const struct plan_item *it)
{
	struct demo *d = arg;

	if (it->decision != DECISION_REJECTED && d->nids < 64)
		d->ids[d->nids++] = it->id;
	return 0;
}

static int
rate(struct demo *d, int64_t pid, int64_t item, struct lf_error *err)
{
	struct feedback_new in = { pid, d->year, item, pick_rating(d),
	    "演示数据 (synthetic demo rating)", 0, DEMO_ACTOR, 0,
	    (int64_t)time(NULL) };

	d->ratings++;
	return feedback_add(d->s, &in, NULL, err);
}

/* Accept, confirm, deliver and rate one person's plan. */
static int
demo_person(struct demo *d, int64_t pid, struct lf_error *err)
{
	struct plan_item_change c;
	struct plan_item it;
	struct plan plan;
	size_t i;

	d->nids = 0;
	if (plan_get(d->s, pid, d->year, &plan, err) != 0 ||
	    plan_items(d->s, plan.id, take_item, d, err) != 0)
		return -1;
	if (d->nids == 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.set = PI_DECISION;
	c.decision = DECISION_ACCEPTED;
	for (i = 0; i < d->nids; i++)
		if (plan_item_update(d->s, d->ids[i], &c, 0, DEMO_ACTOR, &it,
		    err) != 0)
			return -1;
	if (plan_confirm(d->s, plan.id, 0, "demo-township", &plan, err) != 0)
		return -1;
	for (i = 0; i < d->nids; i++) {
		if (plan_item_get(d->s, d->ids[i], &it, err) != 0 ||
		    plan_delivery_add(d->s, it.id, d->date, it.funds_planned /
		    (it.monthly ? 12 : 1), "演示数据 (synthetic)", NULL,
		    "demo-civil", NULL, NULL, err) != 0 ||
		    rate(d, pid, it.id, err) != 0)
			return -1;
		d->items++;
	}
	d->plans++;
	return rate(d, pid, 0, err);
}

static int
demo(struct store *s, struct cli_env *env, const struct fargs *a)
{
	struct plan_list_query q = { a->region, (int)a->year, PLAN_DRAFT, 13,
	    0, (int)a->persons };
	struct demo d;
	struct lf_error err;
	int64_t last;
	int today = store_today(), y, m, day, rc = -1;
	size_t i;

	memset(&d, 0, sizeof(d));
	d.s = s;
	d.ps = env->policies;
	d.rng = (uint64_t)a->seed;
	d.year = (int)a->year;
	date_to_ymd(today, &y, &m, &day);
	if (a->year > y) {
		fprintf(stderr, "liangfu: --year: 不能晚于今年 (not after this "
		    "year)\n");
		return 1;
	}
	if (a->year == y)
		date_format(today, d.date);
	else
		snprintf(d.date, sizeof(d.date), "%04d-06-15", (int)a->year);
	lf_error_clear(&err);
	if (plan_list(s, &q, take_plan, &d, &last, &err) != 0 ||
	    store_begin(s, &err) != 0)
		goto out;
	for (i = 0; i < d.npersons; i++)
		if (demo_person(&d, d.persons[i], &err) != 0) {
			store_rollback(s);
			goto out;
		}
	if (store_commit(s, &err) != 0)
		goto out;
	printf("feedback demo %d: %lld plans confirmed, %lld items delivered, "
	    "%lld synthetic ratings\n", d.year, (long long)d.plans,
	    (long long)d.items, (long long)d.ratings);
	rc = 0;
out:
	mem_free(d.persons);
	if (rc != 0 && err.code != NULL)
		return cli_fail(&err);
	return rc == 0 ? 0 : 1;
}

int
cmd_feedback(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id-number", required_argument, NULL, 'i' },
		{ "days", required_argument, NULL, 'd' },
		{ "year", required_argument, NULL, 'y' },
		{ "region", required_argument, NULL, 'r' },
		{ "persons", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct fargs a = { NULL, "51", 7, 0, 200, 1 };
	struct cli_env env;
	struct store *s;
	int c, rc, is_code;

	if (argc < 2 || (strcmp(argv[1], "code") != 0 &&
	    strcmp(argv[1], "demo") != 0))
		return cli_usage("feedback");
	is_code = strcmp(argv[1], "code") == 0;
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((c == 'i' && (a.idnum = optarg) != NULL) ||
		    (c == 'r' && (a.region = optarg) != NULL))
			continue;
		if ((c == 'd' && lf_parse_int(optarg, 1, 30, &a.days) == 0) ||
		    (c == 'y' && lf_parse_int(optarg, 1990, 2999,
		    &a.year) == 0) ||
		    (c == 'n' && lf_parse_int(optarg, 1, 100000,
		    &a.persons) == 0) ||
		    (c == 's' && lf_parse_int(optarg, 0, 1LL << 62,
		    &a.seed) == 0))
			continue;
		return cli_usage("feedback");
	}
	if (argc - optind != 1 || (is_code && a.idnum == NULL) ||
	    (!is_code && a.year == 0))
		return cli_usage("feedback");
	/* demo confirms plans and records deliveries: single plan writes,
	 * not on PostgreSQL yet (docs/postgresql.md) */
	if (!is_code && store_location_is_pg(argv[optind])) {
		fprintf(stderr, "liangfu: feedback demo: PostgreSQL 上尚不支持 "
		    "(this command does not run on PostgreSQL yet: it confirms "
		    "plans and records deliveries)\n");
		return 1;
	}
	if (cli_env_load(&env) != 0)
		return 1;
	if ((!is_code && cli_env_rules(&env) != 0) ||
	    cli_store_open_any(argv[optind], &env, &s) != 0) {
		cli_env_free(&env);
		return 1;
	}
	rc = is_code ? code(s, &a) : demo(s, &env, &a);
	store_close(s);
	cli_env_free(&env);
	return rc;
}

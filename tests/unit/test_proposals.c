/*
 * test_proposals.c - proposals worth confirming (issue 14, point 4): on a
 * seeded population, every item the rules propose carries all five
 * elements (责任主体, 落实时间, 投入资金, 具体措施, 服务效果), the measures
 * and expected effect are the policy's defaults (data/policy_texts.tsv)
 * and the funds are the amount rule's yearly figure
 * (data/policy_amounts.tsv: a monthly rate x 12, a yearly or one-off
 * amount as it is), counted here from the data file's rows, not through
 * the planner.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/policy.h"
#include "core/region.h"
#include "plan/plan.h"
#include "store/plan.h"
#include "store/store.h"
#include "testutil.h"

#define YEAR	2024

static struct policies *ps;

struct seen {
	size_t	items, by_policy[64];
};

/* 1 when the yearly figure of one of p's amount rows that apply to the
 * village (the longest region prefix; several rows when they differ by
 * their when) is funds. */
static int
yearly_figure_of(const struct policy *p, const char *village, int64_t funds)
{
	size_t i, best = 0, len;

	for (i = 0; i < ps->namounts; i++) {
		len = strlen(ps->amounts[i].region);
		if (ps->amounts[i].policy == p->index &&
		    strncmp(ps->amounts[i].region, village, len) == 0 &&
		    len > best)
			best = len;
	}
	for (i = 0; i < ps->namounts; i++) {
		const struct policy_amount *a = &ps->amounts[i];

		if (a->policy != p->index || strlen(a->region) != best ||
		    strncmp(a->region, village, best) != 0)
			continue;
		if ((a->per == PER_MONTH ? a->fen * 12 : a->fen) == funds)
			return 1;
	}
	return 0;
}

static int
check_item(void *arg, const struct plan_item *it)
{
	struct seen *s = arg;
	const struct policy *p;

	if (it->origin != ORIGIN_RULE)
		return 0;
	p = policy_find(ps, it->policy);
	if (p == NULL)
		fail_msg("item %lld: unknown policy %s", (long long)it->id,
		    it->policy);
	s->items++;
	s->by_policy[p->index]++;
	/* 责任主体 */
	if (it->dept[0] == '\0')
		fail_msg("%s: no responsible department", it->policy);
	/* 落实时间 */
	if (strlen(it->planned_month) != 7)
		fail_msg("%s: no planned month", it->policy);
	/* 具体措施 and 服务效果 (the expected effect, until assessed) */
	if (it->measures[0] == '\0' || strcmp(it->measures, p->measures) != 0)
		fail_msg("%s: measures \"%s\"", it->policy, it->measures);
	if (it->effect_note[0] == '\0' || strcmp(it->effect_note,
	    p->effect) != 0)
		fail_msg("%s: effect \"%s\"", it->policy, it->effect_note);
	/* 投入资金: the rule's yearly figure */
	if (it->funds_planned <= 0 || !yearly_figure_of(p, it->region,
	    it->funds_planned))
		fail_msg("%s in %s: funds %lld are not the rule's yearly "
		    "figure", it->policy, it->region,
		    (long long)it->funds_planned);
	return 0;
}

/* ---- the plans list: no overdue item in a draft (issue 14, point 1) */

struct ids {
	int64_t	v[64];
	int64_t	ver[64];
	size_t	n;
};

static int
collect(void *arg, const struct plan_item *it)
{
	struct ids *x = arg;

	if (x->n < 64) {
		x->v[x->n] = it->id;
		x->ver[x->n++] = it->version;
	}
	return 0;
}

struct sums {
	int64_t	plan_id;
	int	overdue, items, status;
};

static int
find_plan(void *arg, const struct plan_summary *ps_)
{
	struct sums *s = arg;

	if (ps_->plan_id == s->plan_id) {
		s->overdue = ps_->overdue;
		s->items = ps_->items;
		s->status = ps_->status;
	}
	return 0;
}

static struct sums
summary_of(struct store *s, int64_t plan_id)
{
	struct plan_list_query q = { "51", YEAR, -1, 13, 0, 1000 };
	struct sums out = { plan_id, -1, -1, 0 };
	struct lf_error err;
	int64_t last;

	if (plan_list(s, &q, find_plan, &out, &last, &err) != 0)
		fail_msg("%s", err.message);
	return out;
}

/* One plan of the past year 2024 (so every unfinished accepted item is
 * due): its items all accepted while it is a draft, overdue 0 (an item
 * in a draft is never overdue); once confirmed, every item (none is
 * done) is overdue. */
static void
draft_never_overdue(struct store *s)
{
	struct plan_item_change c;
	struct plan_item out;
	struct plan p;
	struct ids ids;
	struct lf_error err;
	struct sums sm;
	int64_t pid;
	size_t i;

	for (pid = 1; pid < 300; pid++)
		if (plan_get(s, pid, YEAR, &p, &err) == 0) {
			memset(&ids, 0, sizeof(ids));
			assert_int_equal(plan_items(s, p.id, collect, &ids,
			    &err), 0);
			if (ids.n >= 2)
				break;
		}
	assert_true(pid < 300);
	memset(&c, 0, sizeof(c));
	c.set = PI_DECISION;
	c.decision = DECISION_ACCEPTED;
	for (i = 0; i < ids.n; i++)
		if (plan_item_update(s, ids.v[i], &c, ids.ver[i], "t", &out,
		    &err) != 0)
			fail_msg("%s", err.message);
	sm = summary_of(s, p.id);
	assert_int_equal(sm.status, PLAN_DRAFT);
	assert_int_equal(sm.items, (int)ids.n);
	assert_int_equal(sm.overdue, 0);
	assert_int_equal(plan_get(s, pid, YEAR, &p, &err), 0);
	if (plan_confirm(s, p.id, p.version, "t", &p, &err) != 0)
		fail_msg("%s", err.message);
	sm = summary_of(s, p.id);
	assert_int_equal(sm.status, PLAN_CONFIRMED);
	assert_int_equal(sm.overdue, (int)ids.n);
}

static void
test_five_elements(void **state)
{
	char dir[TU_DIR_MAX], db[TU_DB_MAX];
	struct plan_build_stats st;
	struct lf_error err;
	struct store *s;
	struct seen seen;
	size_t i, policies_seen = 0;

	(void)state;
	s = tu_store_new(dir, db, "p.db");
	/* two counties: one with the example override of SUB_LIVING */
	tu_seed_county(s, "510182", 300, 11, YEAR);
	tu_seed_county(s, "510104", 300, 12, YEAR);
	memset(&st, 0, sizeof(st));
	if (plan_build_all(s, ps, NULL, YEAR, NULL, "t", NULL, NULL, &st,
	    &err) != 0)
		fail_msg("%s", err.message);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(plan_scan_items(s, YEAR, NULL, check_item, &seen,
	    &err), 0);
	assert_true(seen.items > 600);
	for (i = 0; i < ps->n; i++)
		policies_seen += seen.by_policy[i] > 0;
	/* most policies were proposed at least once */
	assert_true(policies_seen >= 20);
	draft_never_overdue(s);
	store_close(s);
	tu_rmdir(dir);
}

/* Every policy has its default texts; a file that lacks one, names an
 * unknown policy or leaves a text empty is refused and changes nothing. */
static void
test_texts(void **state)
{
	static const char *const bad[] = {
		"code\tmeasures\teffect\nNO_SUCH\tm\te\n",
		"code\tmeasures\teffect\nSUB_CARE\t\te\n",
		"code\tmeasures\teffect\nSUB_CARE\tm\n",
		"code\tmeasures\teffect\nSUB_CARE\tm\te\n",	/* others lack */
		"code\tmeasure\teffect\n",
	};
	struct lf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < ps->n; i++) {
		assert_non_null(ps->v[i].measures);
		assert_true(ps->v[i].measures[0] != '\0');
		assert_non_null(ps->v[i].effect);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *before = policy_find(ps, "SUB_CARE")->measures;

		assert_int_equal(policies_texts_parse(ps, bad[i],
		    strlen(bad[i]), "t.tsv", &err), -1);
		assert_string_equal(err.code, "policy_file");
		assert_ptr_equal(policy_find(ps, "SUB_CARE")->measures, before);
	}
}

static int
setup(void **state)
{
	struct lf_error err;

	(void)state;
	if (policies_load_embedded(tu_catalog(), &ps, &err) != 0)
		fail_msg("%s", err.message);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	policies_free(ps);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_five_elements),
		cmocka_unit_test(test_texts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * test_quality.c - data-quality rules (core/quality.h) and findings
 * (quality/findings.h, quality/findings_batch.h): every rule fires on a
 * fixture made to trigger it and stays silent on a clean one (one table);
 * the rule file's errors; duplicates and surveyors; run-on-write opens
 * and closes a finding; the batch is idempotent; resolve and dismiss
 * need a reason, and a dismissal stands.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "core/idcard.h"
#include "core/quality.h"
#include "quality/findings_batch.h"
#include "lib/buf.h"
#include "plan/plan.h"
#include "store/plan.h"
#include "store/dbq.h"
#include "store/store_int.h"
#include "testutil.h"

#define YEAR	2024

static struct policies *ps;
static struct quality_rules *qr;

static int
group_setup(void **state)
{
	struct lf_error err;

	(void)state;
	lf_error_clear(&err);
	if (policies_load_embedded(tu_catalog(), &ps, &err) != 0 ||
	    quality_rules_load_embedded(tu_catalog(), &qr, &err) != 0)
		fail_msg("load: %s", err.message);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	quality_rules_free(qr);
	policies_free(ps);
	tu_env_free();
	return 0;
}

/* ---- the rule table, case by case ---------------------------------- */

struct qfx {
	struct record		*r;
	struct quality_person	 p;
	struct quality_item	 items[16];
	char			 policy[16][32];
	struct quality_delivery	 dl[4];
	struct planner_result	 res;
};

static void
grade(struct qfx *f, int g)
{
	char card[21];

	assert_int_equal(idcard_make_certificate(tu_id(1), 4, g, card), 0);
	tu_set(f->r, "disability_card_no", card);
	tu_set(f->r, "disability_grade", g == 1 ? "1" : "2");
}

/* The plan holds an accepted item of every policy the planner proposes,
 * with the policy's amount. */
static void
full_plan(struct qfx *f)
{
	struct expr_ctx ctx;
	struct lf_error err;
	size_t i;

	planner_ctx(f->r, YEAR, f->p.village, NULL, &ctx);
	assert_int_equal(planner_propose(ps, f->r, &ctx, 0, &f->res, &err), 0);
	assert_true(f->res.nitems > 0 && f->res.nitems <= 16);
	for (i = 0; i < f->res.nitems; i++) {
		snprintf(f->policy[i], sizeof(f->policy[i]), "%s",
		    f->res.items[i].policy->code);
		f->items[i].id = 100 + (int64_t)i;
		f->items[i].policy = f->policy[i];
		f->items[i].decision = 1;
		f->items[i].status = 1;
		f->items[i].funds_planned = f->res.items[i].funds_fen;
	}
	f->p.nitems = f->res.nitems;
	f->p.has_plan = 1;
}

static void
delivery(struct qfx *f, const char *date)
{
	full_plan(f);
	f->dl[0].item_id = f->items[0].id;
	f->dl[0].date = tu_days(date);
	f->p.ndl = 1;
}

static void mk_base(struct qfx *f) { (void)f; }
static void mk_limb1(struct qfx *f)
{
	grade(f, 1);
	tu_set(f->r, "self_care_ability", "1");
	tu_set(f->r, "aid_wheelchair", "否");
}
static void mk_limb1_aid(struct qfx *f)
{
	mk_limb1(f);
	tu_set(f->r, "aid_wheelchair", "是");
}
static void mk_child(struct qfx *f)
{
	tu_set(f->r, "birth_date", "2014-01-01");
}
static void mk_child_school(struct qfx *f)
{
	mk_child(f);
	tu_set(f->r, "school_type", "2");
}
static void mk_dup(struct qfx *f) { f->p.dup = 1; }
static void mk_unmet(struct qfx *f) { f->p.has_plan = 1; }
static void mk_unmet_rejected(struct qfx *f)
{
	full_plan(f);
	f->items[0].decision = 2;
}
static void mk_met_rejected(struct qfx *f)
{
	mk_unmet_rejected(f);
	f->items[0].has_reason = 1;
}
static void mk_exit_active(struct qfx *f)
{
	full_plan(f);
	f->p.status = 3;
}
static void mk_exit_card(struct qfx *f)
{
	full_plan(f);
	tu_set(f->r, "card_status", "4");
}
static void mk_exit_done(struct qfx *f)
{
	size_t i;

	mk_exit_active(f);
	for (i = 0; i < f->p.nitems; i++)
		f->items[i].status = 3;
}
static void mk_exit_dl(struct qfx *f)
{
	delivery(f, "2024-08-01");
	f->p.status = 2;
}
static void mk_exit_dl_before(struct qfx *f)
{
	delivery(f, "2024-05-10");
	f->p.status = 2;
}
static void mk_dl_late(struct qfx *f) { delivery(f, "2024-08-01"); }
static void mk_dl_early(struct qfx *f) { delivery(f, "2024-01-02"); }
static void mk_funds(struct qfx *f)
{
	tu_set(f->r, "ss_care_subsidy", "是");
	full_plan(f);
}
static void mk_funds_off(struct qfx *f)
{
	size_t i;

	mk_funds(f);
	for (i = 0; i < f->p.nitems; i++)
		if (strcmp(f->items[i].policy, "SUB_CARE") == 0)
			f->items[i].funds_planned *= 3;
}
static void mk_funds_near(struct qfx *f)
{
	size_t i;

	mk_funds(f);
	for (i = 0; i < f->p.nitems; i++)
		if (strcmp(f->items[i].policy, "SUB_CARE") == 0)
			f->items[i].funds_planned +=
			    f->items[i].funds_planned / 4;
}

static const struct rule_case {
	const char	*name;
	const char	*rule;
	void		(*mk)(struct qfx *);
	int		 fires;
} cases[] = {
	{ "limb grade 1, no aid",	"LIMB1_NO_NEED", mk_limb1,	1 },
	{ "limb grade 1, wheelchair",	"LIMB1_NO_NEED", mk_limb1_aid,	0 },
	{ "limb grade 2",		"LIMB1_NO_NEED", mk_base,	0 },
	{ "child, no school status",	"CHILD_NO_SCHOOL", mk_child,	1 },
	{ "child at school",		"CHILD_NO_SCHOOL", mk_child_school, 0 },
	{ "adult",			"CHILD_NO_SCHOOL", mk_base,	0 },
	{ "same name, sex, birth",	"DUP_PERSON",	mk_dup,		1 },
	{ "no other",			"DUP_PERSON",	mk_base,	0 },
	{ "plan without the items",	"UNMET_POLICY",	mk_unmet,	1 },
	{ "rejected without reason",	"UNMET_POLICY",	mk_unmet_rejected, 1 },
	{ "rejected with reason",	"UNMET_POLICY",	mk_met_rejected, 0 },
	{ "every item planned",		"UNMET_POLICY",	mk_funds,	0 },
	{ "no plan yet",		"UNMET_POLICY",	mk_base,	0 },
	{ "deceased, items open",	"EXIT_ACTIVE",	mk_exit_active,	1 },
	{ "card moved out, items open",	"EXIT_ACTIVE",	mk_exit_card,	1 },
	{ "deceased, items done",	"EXIT_ACTIVE",	mk_exit_done,	0 },
	{ "active, items open",		"EXIT_ACTIVE",	mk_funds,	0 },
	{ "moved out, delivery after",	"EXIT_DELIVERY", mk_exit_dl,	1 },
	{ "moved out, delivery on day",	"EXIT_DELIVERY", mk_exit_dl_before, 0 },
	{ "active, delivery after",	"EXIT_DELIVERY", mk_dl_late,	0 },
	{ "delivery before survey",	"DELIVERY_BEFORE_SURVEY", mk_dl_early, 1 },
	{ "delivery after survey",	"DELIVERY_BEFORE_SURVEY", mk_dl_late, 0 },
	{ "funds 3x the amount",	"FUNDS_OFF",	mk_funds_off,	1 },
	{ "funds 1.25x the amount",	"FUNDS_OFF",	mk_funds_near,	0 },
	{ "funds as the amount",	"FUNDS_OFF",	mk_funds,	0 },
};

static int
fired(const struct quality_hits *h, const char *rule)
{
	const struct quality_rule *q = quality_rule_find(qr, rule);
	size_t i;

	assert_non_null(q);
	for (i = 0; i < h->n; i++)
		if (h->v[i].rule == q->index) {
			assert_true(h->v[i].detail[0] != '\0');
			return 1;
		}
	return 0;
}

static void
test_rule_table(void **state)
{
	struct planner_result scratch;
	struct quality_hits h;
	struct lf_error err;
	struct qfx *f = calloc(1, sizeof(*f));
	size_t i;

	(void)state;
	f->r = record_new(tu_catalog());
	planner_result_init(&f->res);
	planner_result_init(&scratch);
	quality_hits_init(&h);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&f->p, 0, sizeof(f->p));
		memset(f->items, 0, sizeof(f->items));
		tu_valid_person(f->r, 1);
		f->p.person_id = 1;
		f->p.village = "510104017001";
		f->p.status = 1;
		f->p.year = YEAR;
		f->p.r = f->r;
		f->p.items = f->items;
		f->p.dl = f->dl;
		cases[i].mk(f);
		lf_error_clear(&err);
		assert_int_equal(quality_eval(qr, ps, NULL, &f->p, &scratch,
		    &h, &err), 0);
		if (fired(&h, cases[i].rule) != cases[i].fires)
			fail_msg("%s: %s %s", cases[i].name, cases[i].rule,
			    cases[i].fires ? "did not fire" : "fired");
		if (cases[i].mk == mk_base)
			assert_int_equal(h.n, 0);	/* the clean person */
	}
	quality_hits_free(&h);
	planner_result_free(&scratch);
	planner_result_free(&f->res);
	record_free(f->r);
	free(f);
}

/* Every rule of the table is covered by a case that fires it (the
 * surveyor rule by test_surveyors). */
static void
test_every_rule_covered(void **state)
{
	size_t i, k;
	int seen;

	(void)state;
	for (i = 0; i < qr->n; i++) {
		if (qr->v[i].kind == QK_SURVEYOR_IDENTICAL ||
		    qr->v[i].kind == QK_SURVEYOR_FAST)
			continue;
		for (seen = 0, k = 0; k < sizeof(cases) / sizeof(cases[0]);
		    k++)
			seen |= cases[k].fires && strcmp(cases[k].rule,
			    qr->v[i].code) == 0;
		if (!seen)
			fail_msg("rule %s has no firing case", qr->v[i].code);
	}
}

static int
cb(void *arg, const char *name, const char *tw, int64_t c)
{
	(void)tw;
	assert_string_equal(name, "王调查");
	assert_int_equal(c, 10);
	(*(int64_t *)arg)++;
	return 0;
}

static void
test_surveyors(void **state)
{
	struct quality_surveyors *s = quality_surveyors_new(tu_catalog());
	struct record *r = record_new(tu_catalog());
	int64_t n = 0;
	int i;

	(void)state;
	tu_valid_person(r, 1);
	for (i = 0; i < 10; i++) {
		assert_int_equal(quality_surveyors_add(s, "王调查",
		    "510104017", r), 0);
		assert_int_equal(quality_surveyors_add(s, "李调查",
		    "510104017", r), 0);
		assert_int_equal(quality_surveyors_add(s, "王调查",
		    "510104018", r), 0);
	}
	tu_set(r, "aid_wheelchair", "否");
	assert_int_equal(quality_surveyors_add(s, "李调查", "510104017", r),
	    0);	/* one different survey: not all identical */
	for (i = 0; i < 2000; i++) {	/* many others: the table grows */
		char name[32];

		snprintf(name, sizeof(name), "调查%d", i);
		assert_int_equal(quality_surveyors_add(s, name, "510104017",
		    r), 0);
	}
	assert_int_equal(quality_surveyors_each(s, 10, cb, &n), 0);
	assert_int_equal(n, 2);		/* 王调查 in two townships */
	n = 0;
	assert_int_equal(quality_surveyors_each(s, 11, cb, &n), 0);
	assert_int_equal(n, 0);		/* min_count */
	record_free(r);
	quality_surveyors_free(s);
}

static int
cb_fast(void *arg, const char *name, const char *tw, int64_t c)
{
	(void)tw;
	assert_string_equal(name, "快调查");
	*(int64_t *)arg = c;
	return 0;
}

/* surveyor_fast: surveys filled in under the threshold, counted per
 * surveyor; untimed and slow ones do not count. */
static void
test_surveyors_fast(void **state)
{
	struct quality_surveyors *s = quality_surveyors_new(tu_catalog());
	struct record *r = record_new(tu_catalog());
	int64_t n = 0;
	int i;

	(void)state;
	quality_surveyors_set_fast(s, 120);
	tu_valid_person(r, 1);	/* untimed */
	assert_int_equal(quality_surveyors_add(s, "慢调查", "510104017", r),
	    0);
	tu_set(r, "form_started_at", "1715300000");
	tu_set(r, "form_submitted_at", "1715300120");	/* 120 s: not fast */
	for (i = 0; i < 5; i++)
		assert_int_equal(quality_surveyors_add(s, "慢调查",
		    "510104017", r), 0);
	assert_int_equal(quality_surveyors_fast_each(s, 1, cb_fast, &n), 0);
	assert_int_equal(n, 0);		/* silent on the clean ones */
	tu_set(r, "form_submitted_at", "1715300119");
	for (i = 0; i < 3; i++)
		assert_int_equal(quality_surveyors_add(s, "快调查",
		    "510104017", r), 0);
	assert_int_equal(quality_surveyors_fast_each(s, 4, cb_fast, &n), 0);
	assert_int_equal(n, 0);		/* min_count */
	assert_int_equal(quality_surveyors_fast_each(s, 3, cb_fast, &n), 0);
	assert_int_equal(n, 3);
	record_free(r);
	quality_surveyors_free(s);
}

static void
test_dups(void **state)
{
	struct quality_dups *d = quality_dups_new();
	const int64_t *v;
	size_t n;
	int64_t i;

	(void)state;
	for (i = 1; i <= 200000; i++)
		assert_int_equal(quality_dups_add(d, quality_dup_key("张三",
		    1, "1985-06-15") + (uint64_t)i * 2, i), 0);
	v = quality_dups_persons(d, &n);
	assert_int_equal(n, 0);
	assert_int_equal(quality_dups_add(d, quality_dup_key("李四", 2,
	    "1990-01-01"), 500001), 0);
	assert_int_equal(quality_dups_add(d, quality_dup_key("李四", 2,
	    "1990-01-01"), 500000), 0);
	assert_int_equal(quality_dups_add(d, quality_dup_key("李四", 2,
	    "1990-01-01"), 500000), 0);	/* the same person again */
	assert_int_equal(quality_dups_add(d, quality_dup_key("李四", 1,
	    "1990-01-01"), 500002), 0);	/* another sex */
	v = quality_dups_persons(d, &n);
	assert_int_equal(n, 2);
	assert_int_equal(v[0], 500000);
	assert_int_equal(v[1], 500001);
	/* room made with keys in (the table grown), then more keys */
	assert_int_equal(quality_dups_reserve(d, 1000000), 0);
	assert_int_equal(quality_dups_add(d, quality_dup_key("李四", 2,
	    "1990-01-01"), 7), 0);
	v = quality_dups_persons(d, &n);
	assert_int_equal(n, 3);
	assert_int_equal(v[0], 7);
	quality_dups_free(d);
	/* room made first: the same as grown on the way */
	d = quality_dups_new();
	assert_int_equal(quality_dups_reserve(d, 300000), 0);
	for (i = 1; i <= 300000; i++)
		assert_int_equal(quality_dups_add(d, (uint64_t)i * 2654435761u,
		    i), 0);
	assert_int_equal(quality_dups_add(d, 2654435761u, 300001), 0);
	v = quality_dups_persons(d, &n);
	assert_int_equal(n, 2);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 300001);
	quality_dups_free(d);
}

static const struct bad_file {
	const char	*text;
	const char	*field;
	unsigned	 column;
} bad_files[] = {
	{ "code\tname_zh\n", "code", 0 },
	{ "code\tname_zh\tname_en\tseverity\tscope\towner\tkind\tcondition\t"
	  "threshold\tmin_count\nX\t甲\tx\thuge\tsurvey\tvillage\texpr\t"
	  "age > 1\t\t\n", "severity", 1 },
	{ "code\tname_zh\tname_en\tseverity\tscope\towner\tkind\tcondition\t"
	  "threshold\tmin_count\nX\t甲\tx\thigh\tsurvey\tvillage\texpr\t"
	  "age > 1 and nosuch = 2\t\t\n", "condition", 13 },
	{ "code\tname_zh\tname_en\tseverity\tscope\towner\tkind\tcondition\t"
	  "threshold\tmin_count\nX\t甲\tx\thigh\tsurvey\tvillage\tfunds_off\t"
	  "\t-5\t\n", "threshold", 1 },
	{ "code\tname_zh\tname_en\tseverity\tscope\towner\tkind\tcondition\t"
	  "threshold\tmin_count\nX\t甲\tx\thigh\tsurvey\tmayor\tfunds_off\t"
	  "\t5\t\n", "owner", 1 },
	{ "code\tname_zh\tname_en\tseverity\tscope\towner\tkind\tcondition\t"
	  "threshold\tmin_count\nX\t甲\tx\thigh\tsurvey\tvillage\tfunds_off\t"
	  "\t5\t\nX\t甲\tx\thigh\tsurvey\tvillage\tfunds_off\t\t5\t\n",
	  "code", 1 },
};

static void
test_rule_file_errors(void **state)
{
	struct quality_rules *q;
	struct lf_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		lf_error_clear(&err);
		assert_int_equal(quality_rules_parse(bad_files[i].text,
		    strlen(bad_files[i].text), "q.tsv", tu_catalog(), &q,
		    &err), -1);
		assert_string_equal(err.code, "quality_file");
		assert_non_null(strstr(err.message, "q.tsv:"));
		if (bad_files[i].column != 0) {
			assert_string_equal(err.field, bad_files[i].field);
			assert_int_equal(err.column, bad_files[i].column);
		}
	}
}

/* ---- the store: run on write, batch, deciding ---------------------- */

struct sfx {
	char		 dir[64];
	char		 db[128];
	struct store	*s;
	struct record	*r;
	int64_t		 pid;
};

/*
 * On PostgreSQL (LIANGFU_TEST_PG_URL, tests/pg/run.sh) the store's tests
 * run against the registry init made: their writes go through bulk loads
 * (the writer PostgreSQL has; single survey writes may not be there yet),
 * and the tables they write are emptied before and after each test.
 * test_batch_shards stays on SQLite (it writes deliveries and reads the
 * findings by SQLite's own calls).
 */
static const char empty_sql[] =
	"DELETE FROM finding_events_rows; DELETE FROM findings_rows; "
	"DELETE FROM items; DELETE FROM plans; DELETE FROM history; "
	"DELETE FROM surveys; DELETE FROM persons; "
	"ALTER SEQUENCE persons_id_seq RESTART; "
	"ALTER SEQUENCE history_id_seq RESTART; "
	"ALTER SEQUENCE findings_id_seq RESTART; "
	"ALTER SEQUENCE finding_events_id_seq RESTART";

static void
empty(struct store *s)
{
	struct lf_error err;

	if (tu_pg_url() != NULL && dbq_script(s, empty_sql, "empty",
	    &err) != 0)
		fail_msg("empty: %s", err.message);
}

/* A bulk load around the writes on PostgreSQL (begin 1, commit 0). */
static void
pg_bulk(struct store *s, int begin)
{
	struct lf_error err;

	if (tu_pg_url() == NULL)
		return;
	if ((begin ? store_begin_bulk(s, &err) : store_commit(s, &err)) != 0)
		fail_msg("bulk: %s", err.message);
}

static int64_t
put(struct sfx *fx)
{
	struct store_put p = { YEAR, 0, "tester", 0, 0 };
	struct store_put_result res;
	struct lf_error err;

	lf_error_clear(&err);
	pg_bulk(fx->s, 1);
	/* test_on_write changes the grade: a write that does needs a reason
	 * (store.h, store_prep_reason) */
	if (store_survey_put_reason(fx->s, fx->r, &p, "复评", &res,
	    &err) != 0)
		fail_msg("put: %s", err.message);
	pg_bulk(fx->s, 0);
	return res.person_id;
}

static int
setup(void **state)
{
	struct sfx *fx = calloc(1, sizeof(*fx));
	char card[21];

	fx->s = tu_store_any(fx->dir, fx->db, "q.db");
	empty(fx->s);
	fx->r = record_new(tu_catalog());
	tu_valid_person(fx->r, 1);
	/* grade-1 limb disability, fully self-caring, no aid: LIMB1 */
	assert_int_equal(idcard_make_certificate(tu_id(1), 4, 1, card), 0);
	tu_set(fx->r, "disability_card_no", card);
	tu_set(fx->r, "disability_grade", "1");
	tu_set(fx->r, "self_care_ability", "1");
	tu_set(fx->r, "aid_wheelchair", "否");
	fx->pid = put(fx);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct sfx *fx = *state;

	empty(fx->s);
	store_close(fx->s);
	record_free(fx->r);
	tu_rmdir(fx->dir);
	free(fx);
	return 0;
}

struct tally {
	int		 n, open, resolved, dismissed;
	int64_t		 id, version;
	char		 rule[FINDING_RULE_MAX];
};

static int
count_one(void *arg, const struct finding *f)
{
	struct tally *t = arg;

	t->n++;
	t->open += f->status == FINDING_OPEN;
	t->resolved += f->status == FINDING_RESOLVED;
	t->dismissed += f->status == FINDING_DISMISSED;
	if (f->status == FINDING_OPEN) {
		t->id = f->id;
		t->version = f->version;
		snprintf(t->rule, sizeof(t->rule), "%s", f->rule);
	}
	return 0;
}

static struct tally
tally(struct store *s, const char *region, const char *rule)
{
	struct findings_query q;
	struct tally t;
	struct lf_error err;
	int64_t last;

	memset(&t, 0, sizeof(t));
	memset(&q, 0, sizeof(q));
	q.region = region;
	q.rule = rule;
	q.limit = 1000;
	lf_error_clear(&err);
	assert_int_equal(findings_list(s, &q, count_one, &t, &last, &err), 0);
	return t;
}

static void
recheck(struct sfx *fx, struct findings_counts *c)
{
	struct lf_error err;

	lf_error_clear(&err);
	if (findings_person(fx->s, qr, ps, NULL, fx->pid, YEAR, "tester", c,
	    &err) != 0)
		fail_msg("findings_person: %s", err.message);
}

static void
test_on_write(void **state)
{
	struct sfx *fx = *state;
	struct findings_counts c = { 0, 0 };
	struct tally t;
	char card[21];

	recheck(fx, &c);
	t = tally(fx->s, "", NULL);
	assert_int_equal(t.open, 1);
	assert_string_equal(t.rule, "LIMB1_NO_NEED");
	assert_int_equal(c.opened, 1);
	recheck(fx, &c);	/* again: nothing new */
	assert_int_equal(c.opened, 1);
	assert_int_equal(tally(fx->s, "", NULL).n, 1);
	/* the survey is corrected: the finding closes */
	assert_int_equal(idcard_make_certificate(tu_id(1), 4, 2, card), 0);
	tu_set(fx->r, "disability_card_no", card);
	tu_set(fx->r, "disability_grade", "2");
	put(fx);
	recheck(fx, &c);
	t = tally(fx->s, "", NULL);
	assert_int_equal(t.open, 0);
	assert_int_equal(t.resolved, 1);
	assert_int_equal(c.closed, 1);
	/* wrong again: a new open finding beside the resolved one */
	assert_int_equal(idcard_make_certificate(tu_id(1), 4, 1, card), 0);
	tu_set(fx->r, "disability_card_no", card);
	tu_set(fx->r, "disability_grade", "1");
	put(fx);
	recheck(fx, &c);
	t = tally(fx->s, "", NULL);
	assert_int_equal(t.open, 1);
	assert_int_equal(t.n, 2);
}

static int
event_count(void *arg, const struct finding_event *e)
{
	(void)e;
	(*(int *)arg)++;
	return 0;
}

static void
test_decide(void **state)
{
	struct sfx *fx = *state;
	struct lf_error err;
	struct finding f;
	struct tally t;
	int n = 0;

	recheck(fx, NULL);
	t = tally(fx->s, "", NULL);
	assert_int_equal(t.open, 1);
	lf_error_clear(&err);
	assert_int_equal(findings_decide(fx->s, t.id, FINDING_DISMISSED, "",
	    0, "tester", &f, &err), -1);
	assert_string_equal(err.code, "invalid");
	assert_string_equal(err.field, "reason");
	assert_int_equal(findings_decide(fx->s, t.id, FINDING_DISMISSED,
	    " \n ", 0, "tester", &f, &err), -1);
	assert_string_equal(err.field, "reason");
	assert_int_equal(findings_decide(fx->s, t.id, FINDING_DISMISSED,
	    "已核实", t.version + 1, "tester", &f, &err), -1);
	assert_string_equal(err.code, "conflict");
	assert_int_equal(tally(fx->s, "", NULL).open, 1);	/* unchanged */
	assert_int_equal(findings_decide(fx->s, t.id, FINDING_DISMISSED,
	    "已入户核实: 本人确可自理", t.version, "tester", &f, &err), 0);
	assert_int_equal(f.status, FINDING_DISMISSED);
	assert_string_equal(f.reason, "已入户核实: 本人确可自理");
	assert_string_equal(f.updated_by, "tester");
	assert_int_equal(findings_decide(fx->s, t.id, FINDING_RESOLVED, "x",
	    0, "tester", &f, &err), -1);
	assert_string_equal(err.code, "state");
	assert_int_equal(findings_events(fx->s, t.id, event_count, &n, &err),
	    0);
	assert_int_equal(n, 2);		/* opened, dismissed */
	/* a dismissal stands: the rule still holds, no new finding */
	recheck(fx, NULL);
	t = tally(fx->s, "", NULL);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.dismissed, 1);
}

static void
test_batch(void **state)
{
	struct sfx *fx = *state;
	struct findings_batch_stats st;
	struct lf_error err;
	int64_t first;
	char county[] = "510104";

	pg_bulk(fx->s, 1);
	tu_seed_county(fx->s, county, 60, 7, YEAR);
	pg_bulk(fx->s, 0);
	tu_valid_person(fx->r, 3);	/* 张三, same sex and birth date */
	put(fx);
	lf_error_clear(&err);
	assert_int_equal(findings_batch(fx->s, qr, ps, NULL, YEAR, NULL,
	    "tester", NULL, NULL, &st, &err), 0);
	assert_int_equal(st.persons, 62);
	assert_int_equal(tally(fx->s, "", "DUP_PERSON").open, 2);
	assert_true(st.c.opened >= 1);	/* at least the LIMB1 fixture */
	assert_int_equal(st.hits[quality_rule_find(qr,
	    "LIMB1_NO_NEED")->index] >= 1, 1);
	first = tally(fx->s, "", NULL).n;
	assert_int_equal(first, st.c.opened);
	/* again: idempotent */
	assert_int_equal(findings_batch(fx->s, qr, ps, NULL, YEAR, NULL,
	    "tester", NULL, NULL, &st, &err), 0);
	assert_int_equal(st.c.opened, 0);
	assert_int_equal(st.c.closed, 0);
	assert_int_equal(tally(fx->s, "", NULL).n, first);
	/* the same as person by person */
	recheck(fx, NULL);
	assert_int_equal(tally(fx->s, "", NULL).n, first);
	/* scoped: a region with nobody changes nothing */
	assert_int_equal(findings_batch(fx->s, qr, ps, NULL, YEAR, "5133",
	    "tester", NULL, NULL, &st, &err), 0);
	assert_int_equal(st.persons, 0);
	assert_int_equal(tally(fx->s, "", NULL).open, first);
	assert_int_equal(tally(fx->s, "5133", NULL).n, 0);
	assert_int_equal(findings_batch(fx->s, qr, ps, NULL, YEAR, "51x",
	    "tester", NULL, NULL, &st, &err), -1);
	assert_string_equal(err.field, "region");
}

/* The batch over stored surveys: SURVEYOR_FAST (data: 120 s, at least
 * 3) is silent while a surveyor has 2 fast surveys and fires with the
 * third; a form submitted before it was opened is refused. */
static void
test_batch_fast(void **state)
{
	struct sfx *fx = *state;
	struct findings_batch_stats st;
	struct store_put p = { YEAR, 0, "tester", 0, 0 };
	struct store_put_result res;
	struct finding f;
	struct lf_error err;
	struct tally t;
	int k;

	assert_int_equal(quality_rule_find(qr, "SURVEYOR_FAST")->threshold,
	    120);
	for (k = 20; k < 24; k++) {	/* 2 fast, 2 slow */
		tu_valid_person(fx->r, k);
		tu_set(fx->r, "surveyor_name", "快调查");
		tu_set(fx->r, "form_started_at", "1715300000");
		tu_set(fx->r, "form_submitted_at", k < 22 ? "1715300045" :
		    "1715300900");
		put(fx);
	}
	lf_error_clear(&err);
	assert_int_equal(findings_batch(fx->s, qr, ps, NULL, YEAR, NULL,
	    "tester", NULL, NULL, &st, &err), 0);
	assert_int_equal(tally(fx->s, "", "SURVEYOR_FAST").n, 0);
	tu_valid_person(fx->r, 24);
	tu_set(fx->r, "surveyor_name", "快调查");
	tu_set(fx->r, "form_started_at", "1715300000");
	tu_set(fx->r, "form_submitted_at", "1715300030");
	put(fx);
	assert_int_equal(findings_batch(fx->s, qr, ps, NULL, YEAR, NULL,
	    "tester", NULL, NULL, &st, &err), 0);
	t = tally(fx->s, "", "SURVEYOR_FAST");
	assert_int_equal(t.open, 1);
	assert_int_equal(findings_get(fx->s, t.id, &f, &err), 0);
	assert_non_null(strstr(f.detail, "3 份调查填写用时不足 120 秒"));
	/* a namesake in another township is another surveyor */
	for (k = 30; k < 33; k++) {
		tu_valid_person(fx->r, k);
		tu_set(fx->r, "hukou_region", "510104018001");
		tu_set(fx->r, "residence_region", "510104018001");
		tu_set(fx->r, "surveyor_name", "快调查");
		tu_set(fx->r, "form_started_at", "1715300000");
		tu_set(fx->r, "form_submitted_at", "1715300010");
		put(fx);
	}
	assert_int_equal(findings_batch(fx->s, qr, ps, NULL, YEAR, NULL,
	    "tester", NULL, NULL, &st, &err), 0);
	assert_int_equal(tally(fx->s, "", "SURVEYOR_FAST").open, 2);
	assert_int_equal(tally(fx->s, "510104018", "SURVEYOR_FAST").open, 1);
	/* submitted before opened: refused, nothing written */
	tu_valid_person(fx->r, 25);
	tu_set(fx->r, "form_started_at", "1715300000");
	tu_set(fx->r, "form_submitted_at", "1715299999");
	assert_int_equal(store_survey_put(fx->s, fx->r, &p, &res, &err), -1);
	assert_string_equal(err.code, "before_start");
	assert_string_equal(err.field, "form_submitted_at");
}

/* Every finding of the year, one line each, in a fixed order. */
static char *
dump_findings(struct store *s)
{
	struct buf b;
	sqlite3_stmt *st;
	int i;

	buf_init(&b, 1 << 20);
	assert_int_equal(sqlite3_prepare_v2(s->db, "SELECT rule, person_id, "
	    "item_id, surveyor, region, owner, status, detail FROM findings "
	    "ORDER BY rule, person_id, item_id, surveyor", -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < 8; i++) {
			const char *t = (const char *)sqlite3_column_text(st,
			    i);

			assert_int_equal(buf_add(&b, t, strlen(t)), 0);
			assert_int_equal(buf_addc(&b, i < 7 ? '|' : '\n'), 0);
		}
	}
	sqlite3_finalize(st);
	assert_int_equal(buf_addc(&b, '\0'), 0);
	return b.data;
}

/* A fast survey of surveyor 跨片 for person k. */
static void
put_fast(struct sfx *fx, int k)
{
	tu_valid_person(fx->r, k);
	tu_set(fx->r, "surveyor_name", "跨片");
	tu_set(fx->r, "form_started_at", "1715300000");
	tu_set(fx->r, "form_submitted_at", "1715300020");
	put(fx);
}

/* Runs the batch from no findings with n shards; its findings. */
static char *
batch_shards(struct sfx *fx, const char *n, struct findings_batch_stats *st)
{
	struct lf_error err;

	assert_int_equal(sqlite3_exec(fx->s->db, "DELETE FROM finding_events;"
	    "DELETE FROM findings", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(setenv("LF_QUALITY_SHARDS", n, 1), 0);
	lf_error_clear(&err);
	if (findings_batch(fx->s, qr, ps, NULL, YEAR, NULL, "tester", NULL,
	    NULL, st, &err) != 0)
		fail_msg("batch (%s shards): %s", n, err.message);
	unsetenv("LF_QUALITY_SHARDS");
	return dump_findings(fx->s);
}

/* The batch split into shards (person-id ranges, each read and evaluated
 * by threads of their own) finds what one shard finds: a duplicate pair
 * whose persons fall into two shards, a fast surveyor with one survey in
 * the first shard and two in the last (3 needed), plans and items. */
static void
test_batch_shards(void **state)
{
	static const char *const counts[] = { "2", "3", "8" };
	struct sfx *fx = *state;
	struct findings_batch_stats one, st;
	struct plan_build_stats pst;
	struct lf_error err;
	char *want, *got;
	size_t i;

	if (tu_pg_url() != NULL)
		skip();		/* SQLite's deliveries and calls (above) */
	put_fast(fx, 40);		/* person 2: the first shard */
	tu_seed_county(fx->s, "510104", 60, 7, YEAR);
	tu_valid_person(fx->r, 3);	/* 张三 again: the last shard */
	put(fx);
	put_fast(fx, 41);
	put_fast(fx, 42);
	memset(&pst, 0, sizeof(pst));
	lf_error_clear(&err);
	if (plan_build_all(fx->s, ps, NULL, YEAR, NULL, "t", NULL, NULL, &pst,
	    &err) != 0)
		fail_msg("plans: %s", err.message);
	/* deliveries dated before the survey: two on one item of the first
	 * person, one on an item of the last (a row per delivery) */
	assert_int_equal(sqlite3_exec(fx->s->db, "INSERT INTO deliveries("
	    "item_id, date, amount, created_at, created_by) SELECT id, d, 0, "
	    "0, 't' FROM (SELECT min(id) AS id FROM items WHERE person_id IN "
	    "(1, 65) GROUP BY person_id), (SELECT '2001-03-02' AS d UNION "
	    "SELECT '2001-01-05') WHERE id IS NOT NULL", NULL, NULL, NULL),
	    SQLITE_OK);
	want = batch_shards(fx, "1", &one);
	assert_int_equal(one.persons, 65);
	assert_int_equal(one.hits[quality_rule_find(qr,
	    "DELIVERY_BEFORE_SURVEY")->index], 2);
	assert_true(tally(fx->s, "", "DUP_PERSON").open >= 2);
	assert_non_null(strstr(want, "DUP_PERSON|1|"));	/* the fixture */
	assert_int_equal(tally(fx->s, "", "SURVEYOR_FAST").open, 1);
	assert_int_equal(tally(fx->s, "", "LIMB1_NO_NEED").open, 1);
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		got = batch_shards(fx, counts[i], &st);
		assert_string_equal(got, want);
		assert_int_equal(st.persons, one.persons);
		assert_int_equal(st.c.opened, one.c.opened);
		assert_memory_equal(st.hits, one.hits, sizeof(st.hits));
		free(got);
	}
	free(want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_table),
		cmocka_unit_test(test_every_rule_covered),
		cmocka_unit_test(test_surveyors),
		cmocka_unit_test(test_surveyors_fast),
		cmocka_unit_test(test_dups),
		cmocka_unit_test(test_rule_file_errors),
		cmocka_unit_test_setup_teardown(test_on_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_fast, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batch_shards, setup,
		    teardown),
	};

	if (tu_pg_url() != NULL)
		printf("test_quality: on PostgreSQL\n");
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

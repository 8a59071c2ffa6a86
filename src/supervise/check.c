/*
 * check.c - a check task's checklist and the checker's answers, with the
 * corrections they make to the survey (supervise/supervise.h): which
 * survey and service items a check covers, that every line is answered
 * once, a wrong survey item's right value, the value a re-check is
 * compared by, and the correction written through the survey's own
 * write path (its history and reason kept).
 */
#include "supervise/supervise.h"
#include "supervise/supervise_int.h"

#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/date.h"
#include "lib/mem.h"
#include "store/plan.h"

struct lines {
	struct sup_line	*v;
	size_t		 n, cap;
};

static struct sup_line *
line_add(struct lines *l)
{

	if (mem_grow(&l->v, &l->cap, l->n + 1, sizeof(*l->v), SIZE_MAX) != 0)
		return NULL;
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

static int
oom(struct lf_error *err)
{
	return lf_error_nomem(err);
}

/* The survey items of the sample that are filled in r. */
static int
survey_lines(const struct catalog *cat, const char *items,
    const struct record *r, struct lines *l, struct lf_error *err)
{
	const struct field *f;
	const char *p = items, *e;
	struct sup_line *ln;
	struct buf b;
	size_t len;

	while (*p != '\0') {
		e = strchr(p, ',');
		len = e ? (size_t)(e - p) : strlen(p);
		f = catalog_find(cat, p, len);
		p += len + (e != NULL);
		if (f == NULL || f->secret || !r->set[f->index])
			continue;
		if ((ln = line_add(l)) == NULL)
			return oom(err);
		ln->kind = SUP_SURVEY_ITEM;
		ln->f = f;
		snprintf(ln->ref, sizeof(ln->ref), "%s", f->code);
		buf_init(&b, SUP_VALUE_MAX - 1);
		if (record_format_value(r, f, &b) != 0) {
			buf_free(&b);
			return oom(err);
		}
		snprintf(ln->recorded, sizeof(ln->recorded), "%s", buf_str(&b));
		buf_free(&b);
	}
	return 0;
}

struct svc_arg {
	struct lines	*l;
	int		 year;		/* the task's */
	int		 failed;
};

static int
svc_plan(void *arg, const struct plan *p)
{
	(void)arg;
	(void)p;
	return 0;
}

static int
svc_line(void *arg, const struct plan_item *it)
{
	struct svc_arg *a = arg;
	struct sup_line *ln;

	if (it->year != a->year || it->decision == DECISION_REJECTED ||
	    (it->status != ITEM_DONE && it->effect != EFFECT_DONE))
		return 0;
	if ((ln = line_add(a->l)) == NULL) {
		a->failed = 1;
		return 1;
	}
	ln->kind = SUP_SERVICE_ITEM;
	snprintf(ln->ref, sizeof(ln->ref), "%lld", (long long)it->id);
	snprintf(ln->recorded, sizeof(ln->recorded), "%s", it->policy);
	return 0;
}

static int
svc_delivery(void *arg, const struct plan_delivery *d)
{
	(void)arg;
	(void)d;
	return 0;
}

/*
 * Every service item of the person's plan of the task's year that is
 * done or delivered, by seq: read with the person page's plans
 * (plan_person_each(), which runs on SQLite and PostgreSQL alike).
 */
static int
service_lines(struct store *s, const struct sup_task *t, struct lines *l,
    struct lf_error *err)
{
	static const struct plan_person_fns fns = { svc_plan, svc_line,
	    svc_delivery };
	struct svc_arg a = { l, t->year, 0 };

	if (plan_person_each(s, t->person_id, &fns, &a, err) < 0 && !a.failed)
		return -1;
	return a.failed ? oom(err) : 0;
}

struct answered_arg {
	struct lines		*l;
	const struct catalog	*cat;
	int			 failed;
};

static int
answered_line(void *arg, const struct sup_line *row)
{
	struct answered_arg *a = arg;
	struct sup_line *ln;

	if ((ln = line_add(a->l)) == NULL) {
		a->failed = 1;
		return 1;
	}
	*ln = *row;
	if (ln->kind == SUP_SURVEY_ITEM)
		ln->f = catalog_find(a->cat, ln->ref, strlen(ln->ref));
	return 0;
}

/* A finished task's lines, as answered. */
static int
answered_lines(struct store *s, const struct sup_task *t, struct lines *l,
    struct lf_error *err)
{
	struct answered_arg a = { l, store_catalog(s), 0 };

	if (supervise_results(s, t->id, answered_line, &a, err) != 0)
		return -1;
	return a.failed ? oom(err) : 0;
}

/* The open checklist, with the survey read into r (version in *ver). */
static int
open_lines(struct store *s, const struct sup_task *t, struct record *r,
    int64_t *ver, struct lines *l, struct lf_error *err)
{
	struct sup_sample sm;
	int rc;

	rc = supervise_sample_get(s, t->sample_id, &sm, err);
	if (rc != 0)
		return rc < 0 ? -1 : lf_error_set(err, "not_found", "",
		    "无此抽样 (no such sample)");
	rc = store_survey_get(s, t->person_id, t->year, r, ver, err);
	if (rc != 0)
		return rc < 0 ? -1 : lf_error_set(err, "not_found", "",
		    "无此调查 (no such survey)");
	if (survey_lines(store_catalog(s), sm.items, r, l, err) != 0)
		return -1;
	return service_lines(s, t, l, err);
}

int
supervise_checklist(struct store *s, const struct sup_task *t,
    struct sup_line **out, size_t *n, struct lf_error *err)
{
	struct lines l = { NULL, 0, 0 };
	struct record *r;
	int64_t ver;
	int rc;

	*out = NULL;
	*n = 0;
	if (t->done)
		rc = answered_lines(s, t, &l, err);
	else if ((r = record_new(store_catalog(s))) == NULL)
		rc = oom(err);
	else {
		rc = open_lines(s, t, r, &ver, &l, err);
		record_free(r);
	}
	if (rc != 0) {
		mem_free(l.v);
		return -1;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

/* ---- recording ------------------------------------------------------- */

/* The answer to line ln in ans, or NULL. */
static const struct sup_line *
answer_of(const struct sup_line *ln, const struct sup_line *ans, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ans[i].kind == ln->kind && strcmp(ans[i].ref, ln->ref) == 0)
			return &ans[i];
	return NULL;
}

/* Every answer fits one line, every line has one answer; wrong survey
 * items get their right value parsed into r. */
static int
match_answers(const struct lines *l, const struct sup_line *ans, size_t n,
    struct record *r, int *corrections, struct lf_error *err)
{
	const struct sup_line *a;
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < l->n; j++)
			if (l->v[j].kind == ans[i].kind &&
			    strcmp(l->v[j].ref, ans[i].ref) == 0)
				break;
		if (j == l->n)
			return lf_error_set(err, "invalid", ans[i].ref, "不在核查"
			    "清单中 (not on the checklist): %s", ans[i].ref);
		if (answer_of(&ans[i], ans, i) != NULL)
			return lf_error_set(err, "invalid", ans[i].ref, "重复的"
			    "答案 (answered twice): %s", ans[i].ref);
	}
	for (j = 0; j < l->n; j++) {
		struct sup_line *ln = &l->v[j];

		if ((a = answer_of(ln, ans, n)) == NULL)
			return lf_error_set(err, "invalid", ln->ref, "缺少核查"
			    "结果 (not answered): %s", ln->ref);
		ln->answered = 1;
		ln->ok = a->ok != 0;
		if (ln->ok || ln->kind != SUP_SURVEY_ITEM)
			continue;
		if (a->right[0] == '\0')
			return lf_error_set(err, "invalid", ln->ref, "错误项须"
			    "填写正确值 (a wrong item needs the right value): %s",
			    ln->ref);
		if (record_parse_value(r, ln->f, a->right, err) != 0)
			return -1;
		snprintf(ln->right, sizeof(ln->right), "%s", a->right);
		(*corrections)++;
	}
	return 0;
}

/* The canonical text of the corrected values (what final compares). */
static int
canonical_rights(struct lines *l, const struct record *r,
    struct lf_error *err)
{
	struct buf b;
	size_t j;

	for (j = 0; j < l->n; j++) {
		struct sup_line *ln = &l->v[j];

		if (ln->ok || ln->kind != SUP_SURVEY_ITEM)
			continue;
		buf_init(&b, SUP_VALUE_MAX - 1);
		if (record_format_value(r, ln->f, &b) != 0) {
			buf_free(&b);
			return oom(err);
		}
		snprintf(ln->right, sizeof(ln->right), "%s", buf_str(&b));
		buf_free(&b);
		if (strcmp(ln->right, ln->recorded) == 0)
			return lf_error_set(err, "invalid", ln->ref, "正确值与"
			    "记录值相同 (the right value equals the recorded "
			    "one): %s", ln->ref);
	}
	return 0;
}

/* Stores the answers, each with the value a re-check is compared by:
 * a survey item's value after the check (the recorded value when right,
 * the right value when wrong), a service item's "1" confirmed or "0". */
static int
save_results(struct store *s, const struct sup_task *t,
    const struct lines *l, struct lf_error *err)
{
	const char **final;
	size_t j;
	int rc;

	if ((final = mem_calloc(l->n + 1, sizeof(*final))) == NULL)
		return oom(err);
	for (j = 0; j < l->n; j++) {
		const struct sup_line *ln = &l->v[j];

		if (ln->kind == SUP_SERVICE_ITEM)
			final[j] = ln->ok ? "1" : "0";
		else
			final[j] = ln->ok ? ln->recorded : ln->right;
	}
	rc = supervise_results_save(s, t->id, l->v, final, l->n, err);
	mem_free(final);
	return rc;
}

/* Writes the corrected survey through the normal path (history kept). */
static int
correct(struct store *s, const struct sup_task *t, const struct record *r,
    int64_t ver, const char *actor, int today, struct lf_error *err)
{
	struct store_put_result res;
	struct store_put put;
	char who[64], why[64];

	snprintf(who, sizeof(who), "spot check #%lld: %s", (long long)t->id,
	    actor);
	/* the check is the reason a corrected category or grade needs */
	snprintf(why, sizeof(why), "抽查更正 (spot check #%lld)",
	    (long long)t->id);
	memset(&put, 0, sizeof(put));
	put.year = t->year;
	put.actor = who;
	put.expect_version = ver;
	put.today = today;
	if (store_survey_put_reason(s, r, &put, why, &res, err) != 0)
		return lf_error_prefix(err, "更正调查 (correcting the survey): ");
	return 0;
}

static int
check_task(const struct sup_task *t, const char *actor,
    struct lf_error *err)
{
	if (t->done)
		return lf_error_set(err, "state", "", "核查已完成 (the check is "
		    "finished)");
	if (t->checker[0] == '\0' || strcmp(t->checker, actor) != 0)
		return lf_error_set(err, "not_assigned", "", "此任务未分配给您 "
		    "(this task is not assigned to you)");
	return 0;
}

int
supervise_check(struct store *s, int64_t task, const struct sup_line *ans,
    size_t n, const char *actor, int today, struct lf_error *err)
{
	struct lines l = { NULL, 0, 0 };
	struct record *r = NULL;
	struct sup_task t;
	int64_t ver = 0;
	int own, rc = -1, corrections = 0;

	if (today == 0)
		today = store_today();
	if ((own = supervise_tx_begin(s, err)) < 0)
		return -1;
	if (supervise_task_need(s, task, &t, err) != 0)
		goto out;
	if (check_task(&t, actor, err) != 0)
		goto out;
	if ((r = record_new(store_catalog(s))) == NULL) {
		oom(err);
		goto out;
	}
	if (open_lines(s, &t, r, &ver, &l, err) != 0 ||
	    match_answers(&l, ans, n, r, &corrections, err) != 0 ||
	    canonical_rights(&l, r, err) != 0)
		goto out;
	if (corrections > 0 && correct(s, &t, r, ver, actor, today, err) != 0)
		goto out;
	if (save_results(s, &t, &l, err) != 0 ||
	    supervise_task_finish(s, t.id, today, err) != 0)
		goto out;
	rc = 0;
out:
	record_free(r);
	mem_free(l.v);
	return supervise_tx_end(s, own, rc, err);
}

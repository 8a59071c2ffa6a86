/*
 * supervise_check.c - a check task's checklist and the checker's answers,
 * with the corrections they make to the survey (see supervise.h).
 */
#include "store/supervise.h"

#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/date.h"
#include "lib/mem.h"
#include "store/plan.h"
#include "store/store_int.h"
#include "store/supervise_int.h"

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
	int		 failed;
};

static int
svc_line(void *arg, const struct plan_item *it)
{
	struct svc_arg *a = arg;
	struct sup_line *ln;

	if (it->decision == DECISION_REJECTED || (it->status != ITEM_DONE &&
	    it->effect != EFFECT_DONE))
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

/* Every service item of the person's plan that is done or delivered. */
static int
service_lines(struct store *s, const struct sup_task *t, struct lines *l,
    struct lf_error *err)
{
	struct svc_arg a = { l, 0 };
	struct plan pl;
	int rc;

	rc = plan_get(s, t->person_id, t->year, &pl, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (plan_items(s, pl.id, svc_line, &a, err) < 0)
		return -1;
	return a.failed ? oom(err) : 0;
}

/* A finished task's lines, as answered. */
static int
answered_lines(struct store *s, const struct sup_task *t, struct lines *l,
    struct lf_error *err)
{
	struct sup_line *ln;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT kind, ref, recorded, ok, "
	    "coalesce(right_value, '') FROM check_results WHERE task_id = ? "
	    "ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "check", err);
	sqlite3_bind_int64(st, 1, t->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((ln = line_add(l)) == NULL) {
			sqlite3_finalize(st);
			return oom(err);
		}
		ln->kind = sqlite3_column_int(st, 0);
		store_copy_col(st, 1, ln->ref, sizeof(ln->ref));
		store_copy_col(st, 2, ln->recorded, sizeof(ln->recorded));
		ln->answered = 1;
		ln->ok = sqlite3_column_int(st, 3);
		store_copy_col(st, 4, ln->right, sizeof(ln->right));
		if (ln->kind == SUP_SURVEY_ITEM)
			ln->f = catalog_find(s->cat, ln->ref, strlen(ln->ref));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "check", err);
	return 0;
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
	if (survey_lines(s->cat, sm.items, r, l, err) != 0)
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
	else if ((r = record_new(s->cat)) == NULL)
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

static int
save_results(struct store *s, const struct sup_task *t,
    const struct lines *l, struct lf_error *err)
{
	sqlite3_stmt *st;
	size_t j;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO check_results (task_id, "
	    "kind, ref, recorded, ok, right_value, final) VALUES (?, ?, ?, ?, "
	    "?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "check", err);
	for (j = 0; j < l->n && rc == SQLITE_DONE; j++) {
		const struct sup_line *ln = &l->v[j];
		const char *final;

		if (ln->kind == SUP_SERVICE_ITEM)
			final = ln->ok ? "1" : "0";
		else
			final = ln->ok ? ln->recorded : ln->right;
		sqlite3_bind_int64(st, 1, t->id);
		sqlite3_bind_int(st, 2, ln->kind);
		sqlite3_bind_text(st, 3, ln->ref, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, ln->recorded, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, ln->ok);
		if (ln->ok || ln->kind != SUP_SURVEY_ITEM)
			sqlite3_bind_null(st, 6);
		else
			sqlite3_bind_text(st, 6, ln->right, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, final, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "check", err);
}

static int
finish_task(struct store *s, const struct sup_task *t, int today,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	char now[21], day[11];
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE check_tasks SET done = 1, "
	    "done_at = ?, done_day = ?, version = version + 1 WHERE id = ? "
	    "AND done = 0", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "check", err);
	store_now_iso(now);
	date_format(today, day);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, t->id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "check", err);
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
	int own, rc = -1, g, corrections = 0;

	if (today == 0)
		today = store_today();
	if ((own = supervise_tx_begin(s, err)) < 0)
		return -1;
	g = supervise_task_get(s, task, &t, err);
	if (g != 0) {
		if (g == 1)
			lf_error_set(err, "not_found", "", "无此核查任务 (no such "
			    "check task)");
		goto out;
	}
	if (check_task(&t, actor, err) != 0)
		goto out;
	if ((r = record_new(s->cat)) == NULL) {
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
	    finish_task(s, &t, today, err) != 0)
		goto out;
	rc = 0;
out:
	record_free(r);
	mem_free(l.v);
	return supervise_tx_end(s, own, rc, err);
}

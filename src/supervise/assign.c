/*
 * assign.c - who may check a person (supervise/supervise.h): never the
 * person's surveyor nor an account that wrote the survey, a re-check
 * never by the first check's checker, and only an active account whose
 * role reads persons and whose region holds the person; and assigning a
 * task by that rule.
 */
#include "supervise/supervise.h"
#include "supervise/supervise_int.h"

#include <string.h>

#include "lib/date.h"
#include "store/users_rows.h"

/* The roles whose accounts may check a person (they read persons). */
static int
checker_role(enum user_role r)
{
	return r == USER_VILLAGE || r == USER_TOWNSHIP || r == USER_COUNTY ||
	    r == USER_CITY || r == USER_PROVINCE || r == USER_SUPERVISOR;
}

static int
check_checker(struct store *s, const struct sup_task *t, const char *login,
    struct lf_error *err)
{
	struct user u;
	struct sup_task first;
	int rc;

	if (strcmp(login, t->survey_by) == 0 ||
	    strcmp(login, t->survey_upd_by) == 0 ||
	    strcmp(login, t->surveyor) == 0)
		return lf_error_set(err, "checker_is_surveyor", "checker",
		    "核查员不能是该人员的调查员 (the checker cannot be the "
		    "person's own surveyor)");
	if (t->recheck_of != 0) {
		rc = supervise_task_get(s, t->recheck_of, &first, err);
		if (rc < 0)
			return -1;
		if (rc == 0 && strcmp(first.checker, login) == 0)
			return lf_error_set(err, "checker_is_surveyor",
			    "checker", "复核须由另一名核查员完成 (a re-check "
			    "needs another checker than the first check)");
	}
	rc = users_get(s, login, &u, err);
	if (rc < 0)
		return -1;
	if (rc == 1 || u.disabled || !checker_role(u.role) ||
	    strncmp(t->region, u.region, strlen(u.region)) != 0)
		return lf_error_set(err, "checker", "checker", "该账号不能核查"
		    "此人员 (this account cannot check this person)");
	return 0;
}

int
supervise_task_need(struct store *s, int64_t id, struct sup_task *t,
    struct lf_error *err)
{
	int g = supervise_task_get(s, id, t, err);

	if (g == 1)
		return lf_error_set(err, "not_found", "", "无此核查任务 (no such "
		    "check task)");
	return g;
}

int
supervise_assign(struct store *s, int64_t task, const char *checker,
    int mode, const char *due, int64_t expect_version, const char *actor,
    struct sup_task *out, struct lf_error *err)
{
	struct sup_task t;
	int days, own, rc = -1;

	if (mode != 0 && mode != SUP_VISIT && mode != SUP_PHONE)
		return lf_error_set(err, "invalid", "mode", "复核方式须为 visit "
		    "或 phone (mode must be visit or phone)");
	if (due != NULL && date_parse(due, &days) != 0)
		return lf_error_set(err, "invalid", "due", "截止日期须为 "
		    "YYYY-MM-DD (due must be a date YYYY-MM-DD)");
	if (checker == NULL || checker[0] == '\0')
		return lf_error_set(err, "invalid", "checker", "缺少核查员 "
		    "(checker missing)");
	if ((own = supervise_tx_begin(s, err)) < 0)
		return -1;
	if (supervise_task_need(s, task, &t, err) != 0)
		goto out;
	if (t.done) {
		lf_error_set(err, "state", "", "核查已完成 (the check is "
		    "finished)");
		goto out;
	}
	if (expect_version != 0 && expect_version != t.version) {
		lf_error_set(err, "conflict", "version", "任务已被他人修改 (the "
		    "task was changed meanwhile)");
		goto out;
	}
	if (check_checker(s, &t, checker, err) != 0)
		goto out;
	if (supervise_task_assign(s, task, checker, mode ? mode : t.mode,
	    due ? due : t.due, actor, err) != 0)
		goto out;
	if (out != NULL && supervise_task_get(s, task, out, err) != 0)
		goto out;
	rc = 0;
out:
	return supervise_tx_end(s, own, rc, err);
}

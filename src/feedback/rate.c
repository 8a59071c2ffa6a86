/*
 * rate.c - recording a satisfaction rating (feedback.h): the rating and
 * note must be valid, the plan or item must be the person's of that year
 * and rateable (core/satisf.h: a confirmed plan, a delivered item), and
 * a new rating supersedes the latest one of the same thing. The rows are
 * store/feedback_rows.h's; plans and items are read through
 * store/plan.h.
 */
#include "feedback/feedback.h"

#include <string.h>

#include "core/satisf.h"
#include "lib/utf8.h"
#include "store/plan.h"

/* What is rated exists, belongs to the person and year, and may be
 * rated. */
static int
check_target(struct store *s, const struct feedback_new *in,
    struct lf_error *err)
{
	struct plan_item it;
	struct plan plan;
	int rc;

	if ((rc = plan_get(s, in->person_id, in->year, &plan, err)) != 0)
		return rc < 0 ? -1 : lf_error_set(err, "not_found", "year",
		    "该年度没有计划 (no plan for that year)");
	if (in->item_id == 0)
		return satisf_plan_rateable(plan.status) ? 0 :
		    lf_error_set(err, "state", "", "计划确认后才能评价 (a plan "
		    "can be rated once it is confirmed)");
	if ((rc = plan_item_get(s, in->item_id, &it, err)) < 0)
		return -1;
	if (rc == 1 || it.person_id != in->person_id || it.year != in->year)
		return lf_error_set(err, "not_found", "item", "没有这个服务项目 "
		    "(no such service item in this plan)");
	return satisf_item_rateable(it.decision, it.status) ? 0 :
	    lf_error_set(err, "state", "item", "服务项目落实后才能评价 (an "
	    "item can be rated once it is delivered)");
}

static int
check_input(const struct feedback_new *in, struct lf_error *err)
{
	size_t n = in->note ? strlen(in->note) : 0;

	if (in->rating < SATISF_SATISFIED || in->rating > SATISF_UNSATISFIED)
		return lf_error_set(err, "invalid", "rating", "评价须为 满意、"
		    "基本满意 或 不满意 (rating must be satisfied, basic or "
		    "unsatisfied)");
	if (n > SATISF_NOTE_MAX || (n > 0 && !utf8_valid(in->note, n)))
		return lf_error_set(err, "invalid", "note", "意见最多 %d 字节的"
		    " UTF-8 文本 (note: at most %d bytes of UTF-8)",
		    SATISF_NOTE_MAX, SATISF_NOTE_MAX);
	return 0;
}

/* The writes of a rating that passed its checks: the row with the
 * person's village, then the earlier latest one superseded. */
static int
record(struct store *s, const struct feedback_new *in, int64_t *id,
    struct lf_error *err)
{
	struct store_person p;
	int rc;

	if ((rc = store_person_by_id(s, in->person_id, &p, err)) > 0)
		rc = lf_error_set(err, "not_found", "", "未找到 (not found)");
	if (rc == 0)
		rc = feedback_rows_insert(s, in, p.region, id, err);
	if (rc == 0)
		rc = feedback_rows_supersede(s, in, *id, err);
	return rc;
}

int
feedback_add(struct store *s, const struct feedback_new *in,
    struct feedback *out, struct lf_error *err)
{
	int64_t id = 0;
	int rc, tx;

	if (check_input(in, err) != 0)
		return -1;
	if (store_tx_join(s, &tx, err) != 0)
		return -1;
	rc = check_target(s, in, err);
	if (rc == 0)
		rc = record(s, in, &id, err);
	if (store_tx_leave(s, tx, rc, err) != 0)
		return -1;
	return out != NULL ? feedback_rows_get(s, id, out, err) : 0;
}

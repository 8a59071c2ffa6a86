/*
 * supervise.h - 精准监督's rules: drawing a spot-check sample, who may
 * check a person, what a check task's checklist holds, recording a check
 * and the corrections it makes, and the precision rates. The rows are
 * store/supervise_rows.h's; the draw and the rates' arithmetic are
 * core/supervise.h's.
 *
 * A sample (supervise_draw) is drawn over the year's surveys of a region
 * by core/supervise.h's stratified draw, and keeps its parameters and
 * seed, so that it can be drawn again identically. Each person taken
 * becomes a check task; a person marked for a re-check gets a second task
 * (recheck_of = the first) to be done by another checker.
 *
 * The surveyor of a person is read from their survey of the year: the
 * surveyor_name envelope item (who made the visit; "" when not filled)
 * stratifies the sample and the precision by surveyor (a surveyor is
 * their township + name), and the accounts that wrote the survey
 * (created_by, updated_by) are kept with the task. A checker may be
 * neither of those accounts, nor an account whose login is the surveyor's
 * name; a re-check's checker may not be the first check's. The checker
 * must be an active account whose role reads persons (village, township,
 * county, city, province, supervisor) and whose region holds the person.
 *
 * The checklist of a task: the sample's survey items (catalog codes) that
 * are filled in the person's survey of the year, with their recorded
 * value, and every service item of the person's plan of the year that is
 * done (status 已完成) or marked delivered (effect 已落实). A check
 * (supervise_check) answers every line: right, or wrong with the right
 * value (survey items). A wrong survey item is corrected in the survey
 * through store_survey_put() in the same transaction, so the old value
 * stays in the survey's history; the history's actor names the check:
 * "spot check #<task id>: <checker login>".
 *
 * Precision (supervise_tally), over the first checks (not re-checks) of
 * the year's samples inside a region:
 *   survey       items right / survey items checked;
 *   plan         delivered items confirmed / service items checked;
 *   supervision  checks finished on or before their due date and
 *                re-checked consistent / checks due: every first check
 *                that is finished or whose due date has passed. A check is
 *                re-checked consistent when it has no finished re-check,
 *                or when its finished re-check reaches, on every line both
 *                answered, the same value: a survey item's value after
 *                the check (the recorded value when right, the right value
 *                when wrong), a service item's confirmed or not.
 *
 * Errors: 0 or -1 with err ("invalid" with err->field, "not_found",
 * "conflict" for a stale version, "state" for a finished task,
 * "checker_is_surveyor", "checker" for an account that cannot check,
 * "store"); lookups return 1 for not found. Threads: as struct store.
 */
#ifndef LF_SUPERVISE_SUPERVISE_H
#define LF_SUPERVISE_SUPERVISE_H

#include <stddef.h>
#include <stdint.h>

#include "core/region.h"
#include "core/supervise.h"
#include "store/supervise_rows.h"

#define SUP_DEFAULT_ITEMS	"disability_category,disability_grade," \
	"self_care_ability,marital_status,employed,resident_pension_insured," \
	"resident_medical_insured,family_doctor_signed"

/*
 * Draws and stores a sample of `year` in region `in` (county level or
 * above is the caller's rule). items: comma-separated catalog codes (NULL
 * = SUP_DEFAULT_ITEMS; secret items refused); mode enum sup_mode; due
 * YYYY-MM-DD. One transaction. *id is the new sample's id.
 */
int	supervise_draw(struct store *s, int year, const struct region *in,
	    const struct sup_params *prm, const char *items, int mode,
	    const char *due, const char *actor, int64_t *id,
	    struct lf_error *err);

/*
 * Assigns (or reassigns) an open task to the checker's account, with
 * mode (0 = keep) and due (NULL = keep). Refuses a checker who is the
 * person's surveyor ("checker_is_surveyor"), an account that cannot
 * check the person ("checker"), a finished task ("state").
 */
int	supervise_assign(struct store *s, int64_t task, const char *checker,
	    int mode, const char *due, int64_t expect_version,
	    const char *actor, struct sup_task *out, struct lf_error *err);

/* The checklist of task t (lines answered = 0): *out (mem_alloc; the
 * caller frees it) of *n lines. With answers from a finished check when
 * the task is done. */
int	supervise_checklist(struct store *s, const struct sup_task *t,
	    struct sup_line **out, size_t *n, struct lf_error *err);

/*
 * Records the check of task by its checker (actor must be the assigned
 * login): ans holds one answer per checklist line (kind, ref, ok, right
 * for a wrong survey item; recorded is ignored). today: days (0 = the
 * clock's). Wrong survey items are corrected as described on top. All
 * or nothing.
 */
int	supervise_check(struct store *s, int64_t task,
	    const struct sup_line *ans, size_t n, const char *actor,
	    int today, struct lf_error *err);

enum sup_group { SUP_BY_REGION, SUP_BY_SURVEYOR };
/* Called once per group: key is the child region's code ("" for the
 * region itself, first), or "township|surveyor name". */
typedef int (*supervise_tally_fn)(void *arg, const char *key,
	    const struct sup_counts *c);
/*
 * The precision counts of year inside `in`: for SUP_BY_REGION the region
 * itself then each child region one level down that has checks (the
 * children of a village: none); for SUP_BY_SURVEYOR each surveyor.
 * today: days (0 = the clock's), what "due date passed" is measured by.
 */
int	supervise_tally(struct store *s, int year, const struct region *in,
	    enum sup_group by, int today, supervise_tally_fn fn, void *arg,
	    struct lf_error *err);

/*
 * The precision tables of year inside `in` (core/supervise.h): the region
 * and its children, named from the region table, and every surveyor,
 * named "name (township)". p is cleared first; free it with
 * sup_precision_free().
 */
int	supervise_precision(struct store *s, int year, const struct region *in,
	    int today, struct sup_precision *p, struct lf_error *err);

const char *supervise_mode_zh(int mode);
const char *supervise_mode_en(int mode);
/* "visit" / "phone" -> enum sup_mode; 0 when unknown. */
int	supervise_mode_parse(const char *s);

#endif

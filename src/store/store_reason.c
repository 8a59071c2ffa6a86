/*
 * store_reason.c - the reason a survey write carries (store.h): every
 * write of a survey for a person already registered passes
 * store_reason_check() (the rule itself is core/validate.h's
 * validate_key_change()), and a change made with a reason leaves a
 * history row that keeps it.
 */
#include "store/store_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "store/pg/pg_int.h"
#include "store/store_diff.h"

void
store_prep_reason(struct store_prep *prep, const char *reason)
{
	prep->reason = reason != NULL && reason[0] != '\0' ? reason : NULL;
}

int
store_survey_put_reason(struct store *s, const struct record *r,
    const struct store_put *put, const char *reason,
    struct store_put_result *res, struct lf_error *err)
{
	memset(res, 0, sizeof(*res));
	if (store_prepare(s, r, put, s->prep, err) != 0)
		return -1;
	store_prep_reason(s->prep, reason);
	return store_write(s, s->prep, res, err);
}

/* The person's survey of year, else of the latest earlier year, into
 * old: 0, 1 when there is none, -1 on error. One seek in the survey
 * table (keyed by person and year); sealed values are not opened: the
 * rule's items (category, grade) are not secret. */
static int
stored_survey(struct store *s, int64_t person_id, int year,
    struct record *old, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (s->pg != NULL)	/* read with the person (pg/pg_put_read.c) */
		return pg_put_stored(s, person_id, year, old, err);
	st = s->st[ST_SURVEY_LATEST];
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int(st, 2, year);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = store_rec_read(s, st, 0, old, PACKREC_SKIP, err);
	else
		rc = rc == SQLITE_DONE ? 1 : store_sqlite_error(s, "survey",
		    err);
	sqlite3_reset(st);
	return rc;
}

int
store_reason_check(struct store *s, const struct store_prep *prep,
    int64_t person_id, struct store_key_change *kc, struct lf_error *err)
{
	struct record *old = s->old;	/* scratch: the put's diff comes
					   after this check */
	int rc;

	memset(kc, 0, sizeof(*kc));
	rc = stored_survey(s, person_id, prep->put.year, old, err);
	if (rc == 0 && (kc->f = validate_key_change(old, prep->r)) != NULL) {
		kc->old = old->num[kc->f->index];
		kc->new = prep->r->num[kc->f->index];
	}
	if (rc < 0)
		return -1;
	if (kc->f != NULL && prep->reason == NULL)
		return lf_error_set(err, "reason_required", kc->f->code,
		    "修改残疾类别或等级须说明原因 (a change of disability "
		    "category or grade needs a reason: %s)", kc->f->code);
	return 0;
}

int
store_reason_note(struct store *s, const struct store_prep *prep,
    int64_t person_id, int64_t version, const struct store_key_change *kc,
    const char *now, struct lf_error *err)
{
	json_t *obj;
	char a[24], b[24], *changes = NULL;
	int rc;

	if (kc->f == NULL)
		return 0;
	snprintf(a, sizeof(a), "%lld", (long long)kc->old);
	snprintf(b, sizeof(b), "%lld", (long long)kc->new);
	obj = json_object();
	if (obj == NULL || diff_add_plain(obj, kc->f->code, a, b) != 0 ||
	    diff_add_plain(obj, "reason", NULL, prep->reason) != 0 ||
	    (changes = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		rc = lf_error_nomem(err);
	else
		rc = store_history_add(s, "reason", person_id, person_id,
		    prep->put.year, version, prep->put.actor, now, changes,
		    err);
	free(changes);
	json_decref(obj);
	return rc;
}

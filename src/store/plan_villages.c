/*
 * plan_villages.c - drafts and overdue items counted by village (plan.h):
 * what the home of a township, county, city or province leads with.
 */
#include "store/plan_int.h"

#include <string.h>

#include "store/dbq.h"

static int
villages_check(const struct plan_villages_query *q, struct lf_error *err)
{
	if (q->year < PLAN_YEAR_MIN || q->year > PLAN_YEAR_MAX)
		return lf_error_set(err, "invalid", "year", "年度无效 (year %d "
		    "is out of range)", q->year);
	if (q->overdue_before < 1 || q->overdue_before > 13)
		return lf_error_set(err, "invalid", "overdue_before", "月份无效 "
		    "(overdue_before: 1..13)");
	if (q->limit < 1 || q->limit > 1000)
		return lf_error_set(err, "invalid", "limit", "每页条数无效 "
		    "(limit: 1..1000)");
	return 0;
}

/*
 * The plans of the region's villages in the year (plans_region), grouped
 * by village; a plan counts as overdue when one of its items (found by
 * items_person) is, by the one rule PLAN_OVERDUE_Q. dbq.h's dialect:
 * the same statement on SQLite and PostgreSQL.
 */
static const char villages_sql[] =
	"SELECT region, n, d, o, count(*) OVER () FROM ("
	"SELECT p.region AS region, count(*) AS n, sum(CASE WHEN p.status = 1 "
	"THEN 1 ELSE 0 END) AS d, sum(CASE WHEN p.status != 1 AND EXISTS "
	"(SELECT 1 FROM items i WHERE i.year = p.year AND i.person_id = "
	"p.person_id AND " PLAN_OVERDUE_Q ") THEN 1 ELSE 0 END) AS o "
	"FROM plans p WHERE p.year = ? AND p.region >= ? AND "
	"p.region < ? GROUP BY p.region) v WHERE d > 0 OR o > 0 "
	"ORDER BY d + o DESC, region LIMIT ?";

int
plan_villages(struct store *s, const struct plan_villages_query *q,
    plan_village_fn fn, void *arg, int64_t *total, struct lf_error *err)
{
	struct plan_village v;
	struct dbq st = { 0 };
	int64_t lo, hi;
	int rc, stop = 0;

	*total = 0;
	if (villages_check(q, err) != 0 ||
	    plan_region_bounds(q->region, &lo, &hi, err) != 0)
		return -1;
	if ((rc = dbq_prep(s, &st, villages_sql, "plan villages", err)) == 0)
		rc = dbq_bind(&st, err, "iiiii", (int64_t)q->overdue_before,
		    (int64_t)q->year, lo, hi, (int64_t)q->limit);
	while (rc == 0 && (rc = dbq_step(&st, err)) == 1) {
		memset(&v, 0, sizeof(v));
		v.village = dbq_int64(&st, 0);
		v.plans = dbq_int(&st, 1);
		v.drafts = dbq_int(&st, 2);
		v.overdue = dbq_int(&st, 3);
		*total = dbq_int64(&st, 4);
		if ((stop = fn(arg, &v)) != 0)
			break;
		rc = 0;
	}
	dbq_end(&st);
	if (stop != 0)
		return stop < 0 ? -1 : 0;
	return rc == 0 ? 0 : -1;
}

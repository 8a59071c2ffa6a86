/*
 * plan_villages.c - drafts and overdue items counted by village (plan.h):
 * what the home of a township, county, city or province leads with.
 */
#include "store/plan_int.h"

#include <string.h>

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
 * items_person) is, by the one rule PLAN_OVERDUE_SQL.
 */
static const char villages_sql[] =
	"SELECT region, n, d, o, count(*) OVER () FROM ("
	"SELECT p.region AS region, count(*) AS n, sum(p.status = 1) AS d, "
	"sum(p.status != 1 AND EXISTS (SELECT 1 FROM items i WHERE "
	"i.year = p.year AND i.person_id = p.person_id AND "
	PLAN_OVERDUE_SQL ")) AS o "
	"FROM plans p WHERE p.year = ?2 AND p.region >= ?3 AND "
	"p.region < ?4 GROUP BY p.region) WHERE d > 0 OR o > 0 "
	"ORDER BY d + o DESC, region LIMIT ?5";

int
plan_villages(struct store *s, const struct plan_villages_query *q,
    plan_village_fn fn, void *arg, int64_t *total, struct lf_error *err)
{
	struct plan_village v;
	sqlite3_stmt *st;
	int64_t lo, hi;
	int rc, stop = 0;

	*total = 0;
	if (villages_check(q, err) != 0 ||
	    plan_region_bounds(q->region, &lo, &hi, err) != 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, villages_sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return store_sqlite_error(s, "plan villages", err);
	sqlite3_bind_int(st, 1, q->overdue_before);
	sqlite3_bind_int(st, 2, q->year);
	sqlite3_bind_int64(st, 3, lo);
	sqlite3_bind_int64(st, 4, hi);
	sqlite3_bind_int(st, 5, q->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&v, 0, sizeof(v));
		v.village = sqlite3_column_int64(st, 0);
		v.plans = sqlite3_column_int(st, 1);
		v.drafts = sqlite3_column_int(st, 2);
		v.overdue = sqlite3_column_int(st, 3);
		*total = sqlite3_column_int64(st, 4);
		if ((stop = fn(arg, &v)) != 0)
			break;
	}
	if (stop == 0 && rc != SQLITE_DONE)
		stop = store_sqlite_error(s, "plan villages", err);
	sqlite3_finalize(st);
	return stop < 0 ? -1 : 0;
}

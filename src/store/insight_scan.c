/*
 * insight_scan.c - surveys without secrets, for budgets and matching
 * (insight_scan.h).
 */
#include "store/store_int.h"
#include "store/insight_scan.h"

#include <string.h>

static int
scan_sql(struct buf *b)
{
	buf_adds(b, "SELECT p.id, p.uid, p.region, p.status, s.rec");
	return buf_adds(b, " FROM surveys s JOIN persons p ON p.id = "
	    "s.person_id WHERE s.year = ?1 AND p.region >= ?2 AND p.region < "
	    "?3 ORDER BY p.id");
}

static void
range(const struct region *in, char lo[24], char hi[24])
{
	if (in != NULL) {
		store_region_range(in, lo, hi);
		return;
	}
	memcpy(lo, "0", 2);
	memcpy(hi, "A", 2);
}

int
insight_scan(struct store *s, int year, const struct region *in,
    insight_scan_fn fn, void *arg, struct lf_error *err)
{
	struct insight_person p;
	struct record *r = record_new(s->cat);
	sqlite3_stmt *st = NULL;
	char lo[24], hi[24];
	struct buf sql;
	int step = SQLITE_DONE, rc = -1;

	buf_init(&sql, 65536);
	if (r == NULL || scan_sql(&sql) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (sqlite3_prepare_v2(s->db, buf_str(&sql), -1, &st, NULL) !=
	    SQLITE_OK) {
		store_sqlite_error(s, "insight scan", err);
		goto out;
	}
	range(in, lo, hi);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	rc = 0;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&p, 0, sizeof(p));
		p.id = sqlite3_column_int64(st, 0);
		store_copy_col(st, 1, p.uid, sizeof(p.uid));
		store_copy_col(st, 2, p.region, sizeof(p.region));
		p.status = sqlite3_column_int(st, 3);
		rc = store_rec_read(s, st, 4, r, PACKREC_SKIP, err);
		if (rc == 0)
			rc = fn(arg, &p, r);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlite_error(s, "insight scan", err);
out:
	sqlite3_finalize(st);
	buf_free(&sql);
	record_free(r);
	return rc;
}

int
insight_count_surveys(struct store *s, int year, const struct region *in,
    int64_t *n, struct lf_error *err)
{
	sqlite3_stmt *st;
	char lo[24], hi[24];
	int step;

	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM surveys s JOIN "
	    "persons p ON p.id = s.person_id WHERE s.year = ?1 AND p.region "
	    ">= ?2 AND p.region < ?3", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "insight count", err);
	range(in, lo, hi);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return step == SQLITE_ROW ? 0 : store_sqlite_error(s, "insight count",
	    err);
}

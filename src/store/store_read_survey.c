/*
 * store_read_survey.c - a person's surveys (store.h: store_survey_get(),
 * store_surveys_each(), store_surveys_each_masked()) on either backend.
 * The statements and the loop are common (store/dbq.h); only the row's
 * layout differs: SQLite keeps the items in one packed record column
 * (packrec.h), PostgreSQL one column per item that is not secret and the
 * sealed value of each secret one (pg_read_survey(), pg/pg_read.c).
 * Secrets are opened with the person's binding and the survey's year;
 * masked, they take packrec_mask()'s form on both.
 */
#include "store/store_int.h"
#include "store/dbq.h"
#include "store/pg/pg_int.h"

#include <string.h>

#include "lib/buf.h"

/* The survey statement: "SELECT year, version, <items> FROM surveys ...
 * WHERE person_id = ?" then tail. */
static int
survey_sql(const struct store *s, const char *tail, struct buf *b)
{
	if (s->pg == NULL)
		return buf_addf(b, "SELECT year, version, rec FROM surveys "
		    "WHERE person_id = ?%s", tail);
	if (buf_adds(b, "SELECT v.year, v.version") != 0 ||
	    pg_read_survey_cols(s, b) != 0)
		return -1;
	return buf_addf(b, " FROM surveys v WHERE v.person_id = ?%s", tail);
}

/* The items of q's row (from column 2) into r: secrets opened (bound to
 * bind and year), or masked. */
static int
survey_row(struct store *s, struct dbq *q, struct record *r,
    const char *bind, int year, int masked, struct lf_error *err)
{
	record_clear(r);
	if (s->pg != NULL)
		return pg_read_survey(s, q, 2, r, bind, year, masked, err);
	return masked ? store_rec_read(s, q->st, 2, r, PACKREC_MASKED, err) :
	    store_rec_open(s, q->st, 2, r, bind, year, NULL, err);
}

/* Prepares the kept survey statement of slot with tail. */
static int
survey_stmt(struct store *s, struct dbq *q, int slot, const char *tail,
    struct lf_error *err)
{
	struct buf sql;
	int rc;

	/* the text only when it is to be prepared (not on every request) */
	if (dbq_is_kept(s, slot))
		return dbq_keep(s, q, slot, NULL, "survey", err);
	buf_init(&sql, 1 << 16);
	rc = survey_sql(s, tail, &sql) != 0 ? lf_error_nomem(err) :
	    dbq_keep(s, q, slot, buf_str(&sql), "survey", err);
	buf_free(&sql);
	return rc;
}

int
store_survey_get(struct store *s, int64_t person_id, int year,
    struct record *r, int64_t *version, struct lf_error *err)
{
	char bind[BIND_LEN + 1];
	struct dbq q;
	int rc;

	record_clear(r);
	lf_error_clear(err);
	memset(&q, 0, sizeof(q));
	if ((rc = store_person_bind(s, person_id, bind, err)) != 0)
		return rc;
	rc = survey_stmt(s, &q, ST_SURVEY_FIND, " AND year = ?", err) != 0 ||
	    dbq_bind(&q, err, "ii", person_id, (int64_t)year) != 0 ? -1 :
	    dbq_step(&q, err);
	if (rc == 1) {
		*version = dbq_int64(&q, 1);
		rc = survey_row(s, &q, r, bind, year, 0, err);
	} else if (rc == 0)
		rc = 1;
	dbq_end(&q);
	return rc;
}

static int
surveys_each(struct store *s, int64_t person_id, struct record *r,
    int masked, store_survey_fn fn, void *arg, struct lf_error *err)
{
	char bind[BIND_LEN + 1];
	struct dbq q;
	int rc, step = 0, year;

	lf_error_clear(err);
	memset(&q, 0, sizeof(q));
	if ((rc = store_person_bind(s, person_id, bind, err)) != 0)
		return rc == 1 ? 0 : rc;	/* no person: no surveys */
	if (survey_stmt(s, &q, ST_SURVEY_ALL, " ORDER BY year", err) != 0 ||
	    dbq_bind(&q, err, "i", person_id) != 0) {
		dbq_end(&q);
		return -1;
	}
	while ((step = dbq_step(&q, err)) == 1) {
		year = dbq_int(&q, 0);
		if ((rc = survey_row(s, &q, r, bind, year, masked, err)) != 0 ||
		    (rc = fn(arg, year, dbq_int64(&q, 1), r)) != 0)
			break;
	}
	if (rc == 0 && step != 0)
		rc = -1;
	dbq_end(&q);
	return rc;
}

int
store_surveys_each(struct store *s, int64_t person_id, struct record *r,
    store_survey_fn fn, void *arg, struct lf_error *err)
{
	return surveys_each(s, person_id, r, 0, fn, arg, err);
}

int
store_surveys_each_masked(struct store *s, int64_t person_id,
    struct record *r, store_survey_fn fn, void *arg, struct lf_error *err)
{
	return surveys_each(s, person_id, r, 1, fn, arg, err);
}

/*
 * pg_put.c - a PostgreSQL load (its lock, savepoint and person ids) and
 * the rows its puts write (pg_int.h, pg_put.h; pg_put_read.c reads the
 * persons). No rule is here: store_put.c decides what to write.
 *
 * New persons, new surveys and history rows are binary COPY rows
 * (pg_copy.c) sent every PG_FLUSH_ROWS rows (history rows count); a
 * changed survey's new values are staged as COPY rows of a temporary
 * table and applied by one UPDATE at each flush, which checks every
 * row's version. A changed person row (rare: name, village, status) is
 * updated at once.
 */
#include "store/pg/pg_put.h"
#include "store/store_int.h"
#include "store/dbq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/date.h"
#include "lib/mem.h"

#define UPD_TABLE	"lf_survey_upd"

int
pg_in_bulk(const struct store *s)
{
	return s->pg != NULL && s->pg->bulk;
}

/* ---- a load ----------------------------------------------------------- */

static int
put_alloc(struct store *s, struct lf_error *err)
{
	struct pgput *u;
	size_t n = s->cat->nfields;

	if (s->pg->put != NULL)
		return 0;
	if ((u = mem_calloc(1, sizeof(*u))) == NULL)
		return lf_error_nomem(err);
	s->pg->put = u;
	buf_init(&u->upd, (size_t)1 << 30);
	u->old = record_new(s->cat);
	u->sealed = mem_calloc(n, sizeof(*u->sealed));
	u->blobs = mem_calloc(n, SEALED_MAX);
	if (u->old == NULL || u->sealed == NULL || u->blobs == NULL)
		return lf_error_nomem(err);
	return 0;
}

int
pg_put_begin(struct store *s, struct lf_error *err)
{
	struct pgput *u;
	PGresult *r;

	if (put_alloc(s, err) != 0)
		return -1;
	u = s->pg->put;
	pg_put_end(s);
	s->pg->ids_left = 0;
	/* the savepoint: a failed load can still give its ids back
	 * (pg_put_rollback()) under the lock */
	if (pg_exec(s->pg->conn, "SELECT pg_advisory_xact_lock(" PG_LOAD_LOCK
	    "); SAVEPOINT lf_load", "load lock", err) != 0)
		return -1;
	if (pg_query(s->pg->conn, "SELECT NOT EXISTS (SELECT 1 FROM persons)",
	    0, NULL, &r, "persons", err) != 0)
		return -1;
	u->fresh = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return 0;
}

/* Makes the open transaction one that single puts write in. */
static int
puts_on(struct store *s, struct lf_error *err)
{
	struct pgstore *p = s->pg;

	if (put_alloc(s, err) != 0)
		return -1;
	pg_put_end(s);		/* fresh 0: every person is looked up */
	p->puts = 1;
	p->locked = 0;
	p->pending = 0;
	p->ids_left = 0;
	buf_reset(&p->persons);
	buf_reset(&p->surveys);
	buf_reset(&p->history);
	store_now_iso(p->now);
	return 0;
}

int
pg_begin(struct store *s, struct lf_error *err)
{
	if (s->pg->in_tx)
		return lf_error_set(err, "internal", "", "事务已开始 "
		    "(transaction already open)");
	if (pg_tx_begin(s, 1, err) < 0)
		return -1;
	if (puts_on(s, err) != 0) {
		pg_rollback(s);
		return -1;
	}
	return 0;
}

/* The open transaction back to a plain one after a put that made it
 * one of puts (pg_put_single_begin()). */
static void
puts_off(struct store *s)
{
	int upd_table = s->pg->put->upd_table;	/* lives to the commit */

	s->pg->puts = 0;
	s->pg->pending = 0;
	pg_put_end(s);
	s->pg->put->upd_table = upd_table;
	s->pg->put->adopted = 0;
}

int
pg_put_single_begin(struct store *s, struct lf_error *err)
{
	struct pgstore *p = s->pg;
	int adopt;

	if (!p->in_tx)
		return pg_begin(s, err) == 0 ? 1 : -1;
	if (p->bulk)
		return lf_error_set(err, "internal", "", "写入须在写事务中 "
		    "(a single put inside a bulk transaction)");
	/* a transaction of store/dbq.h's (store_tx_join(): a spot check
	 * correcting the survey) holds this put for its length only */
	adopt = !p->puts;
	if (adopt && puts_on(s, err) != 0)
		return -1;
	if (pg_exec(p->conn, "SAVEPOINT lf_put", "savepoint", err) != 0) {
		if (adopt)
			puts_off(s);
		return -1;
	}
	p->put->locked_before = p->locked;
	p->put->adopted = adopt;
	return 0;
}

int
pg_put_single_end(struct store *s, int own, int rc, struct lf_error *err)
{
	struct pgstore *p = s->pg;
	struct pgput *u = p->put;
	struct lf_error e;

	if (own && rc == 0)
		return pg_commit(s, err);
	if (own) {
		pg_rollback(s);
		return -1;
	}
	if (rc == 0 && u->adopted) {
		/* the ids of the block it took but did not use go back now:
		 * the caller's transaction ends without pg_commit() */
		rc = pg_exec(p->conn, "RELEASE SAVEPOINT lf_put", "release",
		    err) != 0 || pg_put_commit(s, err) != 0 ? -1 : 0;
		puts_off(s);
		return rc;
	}
	if (rc == 0)
		return pg_exec(p->conn, "RELEASE SAVEPOINT lf_put", "release",
		    err);
	/* the put's rows, its temporary update table and a lock it took
	 * go with the savepoint */
	pg_exec(p->conn, "ROLLBACK TO SAVEPOINT lf_put; RELEASE SAVEPOINT "
	    "lf_put", "rollback", &e);
	buf_reset(&p->persons);
	buf_reset(&p->surveys);
	buf_reset(&p->history);
	buf_reset(&u->upd);
	u->nupd = 0;
	u->upd_table = 0;
	p->pending = 0;
	p->locked = u->locked_before;
	if (u->adopted)
		puts_off(s);
	return -1;
}

/* persons_id_seq hands out next on: liangfu_ids_back() (pg_schema.c), the
 * one way to move it back (the app role has no UPDATE on it), which
 * takes no id below the largest person's + 1 and wants the load lock. */
static int
ids_back(struct store *s, int64_t next, struct lf_error *err)
{
	char v[24];
	const char *params[1] = { v };
	PGresult *r;

	snprintf(v, sizeof(v), "%lld", (long long)next);
	if (pg_query(s->pg->conn, "SELECT liangfu_ids_back($1)", 1, params,
	    &r, "person ids", err) != 0)
		return -1;
	PQclear(r);
	return 0;
}

int
pg_put_commit(struct store *s, struct lf_error *err)
{
	if (s->pg->ids_left == 0)
		return 0;
	if (ids_back(s, s->pg->next_id, err) != 0)
		return -1;
	s->pg->ids_left = 0;
	return 0;
}

void
pg_put_rollback(struct store *s)
{
	struct pgput *u = s->pg->put;
	struct lf_error e;

	if (u == NULL || u->first_id == 0 || !s->pg->in_tx)
		return;
	if (pg_exec(s->pg->conn, "ROLLBACK TO SAVEPOINT lf_load", "rollback",
	    &e) == 0)
		ids_back(s, u->first_id, &e);
	u->first_id = 0;
}

void
pg_put_end(struct store *s)
{
	struct pgput *u = s->pg != NULL ? s->pg->put : NULL;

	if (u == NULL)
		return;
	pg_put_read_reset(u);
	u->fresh = 0;
	u->region[0] = '\0';
	buf_reset(&u->upd);
	u->nupd = 0;
	u->upd_table = 0;	/* ON COMMIT DROP */
	u->first_id = 0;
}

void
pg_put_free(struct store *s)
{
	struct pgput *u = s->pg->put;

	if (u == NULL)
		return;
	pg_put_read_free(u);
	record_free(u->old);
	mem_free(u->sealed);
	mem_free(u->blobs);
	buf_free(&u->upd);
	mem_free(u);
	s->pg->put = NULL;
}

void
pg_put_lost(struct store *s)
{
	if (s->pg->put != NULL)
		s->pg->put->prepared = 0;
}

/* ---- writing ---------------------------------------------------------- */

int
pg_put_person_new(struct store *s, const struct store_prep *prep,
    struct store_person_row *p, struct lf_error *err)
{
	if (strlen(p->region) != 12)
		return lf_error_set(err, "invalid", "hukou_region", "户籍地"
		    "应为 12 位村级代码 (the village code must have 12 digits)");
	/* a single put: the id under the load lock (pg_int.h) */
	if (!s->pg->bulk && !s->pg->locked) {
		if (pg_exec(s->pg->conn, "SELECT pg_advisory_xact_lock("
		    PG_LOAD_LOCK ")", "load lock", err) != 0)
			return -1;
		s->pg->locked = 1;
	}
	if (pg_next_person_id(s->pg, &p->id, err) != 0)
		return -1;
	if (s->pg->put->first_id == 0)
		s->pg->put->first_id = p->id;
	if (pg_person_row(s, prep, p->region, p->id, p->uid, p->status,
	    time(NULL)) != 0)
		return lf_error_nomem(err);
	s->pg->pending++;
	return 0;
}

int
pg_put_survey_new(struct store *s, const struct store_prep *prep,
    const struct store_person_row *p, struct lf_error *err)
{
	if (pg_survey_row(s, &s->pg->surveys, prep, p->region, p->id, 1,
	    time(NULL)) != 0)
		return lf_error_nomem(err);
	s->pg->pending++;
	return 0;
}

int
pg_put_person_upd(struct store *s, const struct store_person_row *old,
    const struct store_person_row *n, const char *actor, const char *now,
    struct lf_error *err)
{
	char city[5], county[7], gender[8], status[8], id[24], ver[24];
	const char *params[11] = { n->name, gender, n->birth, n->region,
	    status, now, actor, city, county, id, ver };
	PGresult *r;
	int rc;

	if (strncmp(old->region, n->region, 6) != 0)
		return lf_error_set(err, "unsupported", "hukou_region",
		    "PostgreSQL 暂不支持跨县迁移人员 (moving a person to "
		    "another county does not run on PostgreSQL yet; see "
		    "docs/postgresql.md)");
	memcpy(city, old->region, 4);
	city[4] = '\0';
	memcpy(county, old->region, 6);
	county[6] = '\0';
	snprintf(gender, sizeof(gender), "%d", n->gender);
	snprintf(status, sizeof(status), "%d", n->status);
	snprintf(id, sizeof(id), "%lld", (long long)old->id);
	snprintf(ver, sizeof(ver), "%lld", (long long)old->version);
	if (pg_query(s->pg->conn, "UPDATE persons SET name = $1, gender = $2, "
	    "birth_date = $3, region = $4, status = $5, version = version + 1, "
	    "updated_at = $6, updated_by = $7 WHERE city = $8 AND county = $9 "
	    "AND id = $10 AND version = $11", 11, params, &r, "person update",
	    err) != 0)
		return -1;
	rc = strcmp(PQcmdTuples(r), "1") == 0 ? 0 : lf_error_set(err,
	    "conflict", "", "记录已被他人修改 (the person was changed "
	    "meanwhile; reload and retry)");
	PQclear(r);
	return rc;
}

int
pg_put_survey_upd(struct store *s, const struct store_prep *prep,
    const struct store_person_row *p, int64_t version, const char *now,
    struct lf_error *err)
{
	struct pgput *u = s->pg->put;

	(void)now;	/* the row's time: the same clock as the COPY rows' */
	if (pg_survey_row(s, &u->upd, prep, p->region, p->id, version,
	    time(NULL)) != 0)
		return lf_error_nomem(err);
	u->nupd++;
	s->pg->pending++;
	return 0;
}

/* A history row outside a bulk load (a single write: a reconciliation
 * task closed), at once, in the county of person_id. */
static int
history_one(struct store *s, const char *entity, int64_t entity_id,
    int64_t person_id, int year, int64_t version, const char *actor,
    const char *changes, struct lf_error *err)
{
	struct dbq q = { 0 };
	int rc;

	rc = dbq_prep(s, &q, "INSERT INTO history(city, county, entity, "
	    "entity_id, person_id, year, version, actor, at, changes) SELECT "
	    "city, county, ?, ?, id, ?, ?, ?, now(), ? FROM persons WHERE id = "
	    "?", "history", err) != 0 || dbq_bind(&q, err, "tiiitti", entity,
	    entity_id, (int64_t)year, version, actor, changes, person_id) !=
	    0 ? -1 : dbq_exec(&q, err);
	if (rc == 0 && dbq_changes(&q) != 1)
		rc = lf_error_set(err, "not_found", "", "history: no such "
		    "person");
	dbq_end(&q);
	return rc == 2 ? lf_error_set(err, "store", "", "history refused") :
	    rc;
}

/* 1 when a put writes history rows of entity (store_put.c: the person,
 * the survey, the reason for a category or grade change). */
static int
put_entity(const char *entity)
{
	return strcmp(entity, "person") == 0 || strcmp(entity, "survey") ==
	    0 || strcmp(entity, "reason") == 0;
}

int
pg_put_history(struct store *s, const char *entity, int64_t entity_id,
    int64_t person_id, int year, int64_t version, const char *actor,
    const char *changes, struct lf_error *err)
{
	struct pgput *u = s->pg->put;
	struct buf *b = &s->pg->history;
	char city[5], county[7];

	/* a put's own rows go with its COPY; any other history row (a
	 * reconciliation task closed, or a write outside a put) at once,
	 * in its person's county */
	if (!s->pg->puts || u == NULL || strlen(u->region) != 12 ||
	    !put_entity(entity))
		return history_one(s, entity, entity_id, person_id, year,
		    version, actor, changes, err);
	memcpy(city, u->region, 4);
	city[4] = '\0';
	memcpy(county, u->region, 6);
	county[6] = '\0';
	if ((b->len == 0 && buf_add(b, pg_copy_header, PG_COPY_HEADER_LEN) !=
	    0) || pg_put_be(b, 10, 2) || pg_put_text(b, city) ||
	    pg_put_text(b, county) || pg_put_text(b, entity) ||
	    pg_put_int(b, entity_id, 8) || pg_put_int(b, person_id, 8) ||
	    pg_put_int(b, year, 4) || pg_put_int(b, version, 8) ||
	    pg_put_text(b, actor) || pg_put_time(b, time(NULL)) ||
	    pg_put_text(b, changes))
		return lf_error_nomem(err);
	/* counted like the other rows: a load that changes person rows
	 * only (updated at once) still sends its history every
	 * pg_flush_rows() rows, not all at commit */
	s->pg->pending++;
	return 0;
}

/* "UPDATE surveys ... FROM UPD_TABLE": every item column and the
 * stamps from the staged row, where its version is still the one read. */
static int
update_sql(const struct catalog *cat, struct buf *b)
{
	const struct field *f;
	size_t i;

	if (buf_adds(b, "UPDATE surveys s SET version = t.version + 1, "
	    "updated_at = t.updated_at, updated_by = t.updated_by") != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++) {
		f = &cat->fields[i];
		if (f->secret ? buf_addf(b, ", %s_enc = t.%s_enc, %s_hash = "
		    "t.%s_hash", f->code, f->code, f->code, f->code) :
		    buf_addf(b, ", %s = t.%s", f->code, f->code))
			return -1;
	}
	return buf_adds(b, " FROM " UPD_TABLE " t WHERE s.city = t.city AND "
	    "s.county = t.county AND s.person_id = t.person_id AND s.year = "
	    "t.year AND s.version = t.version");
}

int
pg_put_flush(struct store *s, struct lf_error *err)
{
	struct pgput *u = s->pg->put;
	struct buf copy, upd;
	char want[24];
	PGresult *r = NULL;
	int rc = -1;

	if (u == NULL || u->nupd == 0)
		return 0;
	buf_init(&copy, 1 << 16);
	buf_init(&upd, 1 << 16);
	if (pg_surveys_copy_sql(s->cat, UPD_TABLE, &copy) != 0 ||
	    update_sql(s->cat, &upd) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	if (!u->upd_table && pg_exec(s->pg->conn, "CREATE TEMP TABLE IF "
	    "NOT EXISTS " UPD_TABLE " (LIKE surveys) ON COMMIT DROP",
	    "survey update", err) != 0)
		goto out;
	u->upd_table = 1;
	snprintf(want, sizeof(want), "%zu", u->nupd);
	u->nupd = 0;
	if (pg_send_rows(s, &u->upd, buf_str(&copy), err) != 0 ||
	    pg_query(s->pg->conn, buf_str(&upd), 0, NULL, &r, "survey update",
	    err) != 0)
		goto out;
	if (strcmp(PQcmdTuples(r), want) != 0) {
		lf_error_set(err, "conflict", "", s->pg->bulk ? "记录已被他人"
		    "修改 (a survey was changed meanwhile by another writer; "
		    "nothing of this load is kept)" : "记录已被他人修改 (the "
		    "survey was changed meanwhile; reload and retry)");
		goto out;
	}
	rc = pg_exec(s->pg->conn, "TRUNCATE " UPD_TABLE, "survey update", err);
out:
	PQclear(r);
	buf_free(&copy);
	buf_free(&upd);
	return rc;
}

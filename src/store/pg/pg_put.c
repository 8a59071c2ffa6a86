/*
 * pg_put.c - the rows a bulk load's puts read and write on PostgreSQL
 * (pg_int.h). No rule is here: store_put.c decides what to write.
 *
 * A person is read with their stored survey in one round trip (a
 * prepared statement: the person by lookup hash, the survey of the
 * year or else the latest earlier one). New persons, new surveys and
 * history rows are binary COPY rows (pg_copy.c) sent every
 * PG_FLUSH_ROWS puts; a changed survey's new values are staged as COPY
 * rows of a temporary table and applied by one UPDATE at each flush,
 * which checks every row's version. A changed person row (rare: name,
 * village, status) is updated at once. The ID-hash prefixes of the
 * persons put in this load are kept, so that reading one of them again
 * (another year of theirs in the same file) first sends what is
 * pending.
 */
#include "store/pg/pg_int.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/date.h"
#include "lib/mem.h"

/* pg_advisory_xact_lock's key: one load at a time (SQLite has one
 * writer too), so that a load can give back the person ids it took and
 * did not use, and new persons are numbered after the largest, as on
 * SQLite */
#define LOAD_LOCK	"7103823446"
#define FIND_STMT	"lf_put_find"
#define UPD_TABLE	"lf_survey_upd"
/* columns of the find statement before the survey's items */
#define FC_SURVEY_YEAR	8
#define FC_SURVEY_VER	9
#define FC_ITEMS	10

struct pgput {
	int			 fresh;		/* no person when begun */
	uint64_t		*keys;		/* hash prefixes put, 0 free */
	size_t			 cap, n;
	char			 region[13];	/* the person being put */
	struct record		*old;		/* their stored survey */
	int			 old_year;	/* 0: none */
	int64_t			 old_version;
	struct packrec_sealed	*sealed;	/* its sealed values */
	unsigned char		*blobs;		/* SEALED_MAX per field */
	struct buf		 upd;		/* staged survey updates */
	size_t			 nupd;
	int			 upd_table;	/* made in this transaction */
	int			 prepared;	/* FIND_STMT, per session */
	int64_t			 first_id;	/* the first person id this
						   load took; 0 none */
};

int
pg_in_bulk(const struct store *s)
{
	return s->pg != NULL && s->pg->bulk;
}

/* ---- the hash prefixes of the persons put --------------------------- */

static uint64_t
key_of(const unsigned char *hash)
{
	uint64_t k = 0;
	int i;

	for (i = 0; i < 8; i++)
		k = k << 8 | hash[i];
	return k != 0 ? k : 1;
}

static size_t
slot_of(const struct pgput *u, uint64_t k)
{
	size_t i = (size_t)(k % u->cap);

	while (u->keys[i] != 0 && u->keys[i] != k)
		i = (i + 1) % u->cap;
	return i;
}

static int
keys_grow(struct pgput *u)
{
	uint64_t *old = u->keys;
	size_t ocap = u->cap, i;

	u->cap = ocap ? ocap * 2 : 4096;
	if ((u->keys = mem_calloc(u->cap, sizeof(*u->keys))) == NULL) {
		u->keys = old;
		u->cap = ocap;
		return -1;
	}
	for (i = 0; i < ocap; i++)
		if (old[i] != 0)
			u->keys[slot_of(u, old[i])] = old[i];
	mem_free(old);
	return 0;
}

/* Adds k; 1 when it was there already, 0 when added, -1 no memory. */
static int
key_add(struct pgput *u, uint64_t k)
{
	size_t i;

	if ((u->n + 1) * 2 > u->cap && keys_grow(u) != 0)
		return -1;
	i = slot_of(u, k);
	if (u->keys[i] == k)
		return 1;
	u->keys[i] = k;
	u->n++;
	return 0;
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
	if (pg_exec(s->pg->conn, "SELECT pg_advisory_xact_lock(" LOAD_LOCK
	    "); SAVEPOINT lf_load", "load lock", err) != 0)
		return -1;
	if (pg_query(s->pg->conn, "SELECT NOT EXISTS (SELECT 1 FROM persons)",
	    0, NULL, &r, "persons", err) != 0)
		return -1;
	u->fresh = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return 0;
}

/* persons_id_seq hands out next on. */
static int
ids_back(struct store *s, int64_t next, struct lf_error *err)
{
	char v[24];
	const char *params[1] = { v };
	PGresult *r;

	snprintf(v, sizeof(v), "%lld", (long long)next);
	if (pg_query(s->pg->conn, "SELECT setval('persons_id_seq', $1, false)",
	    1, params, &r, "person ids", err) != 0)
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
	if (u->keys != NULL)
		memset(u->keys, 0, u->cap * sizeof(*u->keys));
	u->n = 0;
	u->fresh = 0;
	u->region[0] = '\0';
	u->old_year = 0;
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
	mem_free(u->keys);
	record_free(u->old);
	mem_free(u->sealed);
	mem_free(u->blobs);
	buf_free(&u->upd);
	mem_free(u);
	s->pg->put = NULL;
}

/* ---- reading a person ------------------------------------------------- */

static int
find_prepare(struct store *s, struct lf_error *err)
{
	const struct catalog *cat = s->cat;
	struct buf q;
	PGresult *r;
	size_t i;
	int rc = -1;

	buf_init(&q, 1 << 20);
	if (buf_adds(&q, "SELECT p.id, p.uid, p.name, p.gender, "
	    "p.birth_date::text, p.region, p.status, p.version, v.year, "
	    "v.version") != 0 || pg_survey_cols(cat, "v", &q) != 0)
		goto nomem;
	for (i = 0; i < cat->nfields; i++)
		if (cat->fields[i].secret && buf_addf(&q, ", v.%s_enc",
		    cat->fields[i].code) != 0)
			goto nomem;
	if (buf_adds(&q, " FROM persons p LEFT JOIN LATERAL (SELECT * FROM "
	    "surveys s WHERE s.city = p.city AND s.county = p.county AND "
	    "s.person_id = p.id AND s.year <= $2::smallint ORDER BY s.year "
	    "DESC LIMIT 1) v ON true WHERE p.id_hash = $1::bytea") != 0)
		goto nomem;
	r = PQprepare(s->pg->conn, FIND_STMT, buf_str(&q), 2, NULL);
	if (PQresultStatus(r) == PGRES_COMMAND_OK)
		rc = 0;
	else
		pg_error(s->pg->conn, r, "person", err);
	PQclear(r);
	buf_free(&q);
	return rc;
nomem:
	buf_free(&q);
	return lf_error_nomem(err);
}

/* The survey's sealed values of row 0, from column col on, opened into
 * u->old and kept in u->sealed. */
static int
survey_secrets(struct store *s, const PGresult *res, int col,
    const char *bind, struct lf_error *err)
{
	struct pgput *u = s->pg->put;
	const struct field *f;
	unsigned char *b;
	size_t i, n;
	int rc;

	for (i = 0; i < s->cat->nfields; i++) {
		u->sealed[i].sealed = NULL;
		u->sealed[i].slen = 0;
		f = &s->cat->fields[i];
		if (!f->secret)
			continue;
		if (PQgetisnull(res, 0, col)) {
			col++;
			continue;
		}
		b = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0,
		    col++), &n);
		if (b == NULL)
			return lf_error_nomem(err);
		if (n > SEALED_MAX) {
			PQfreemem(b);
			return lf_error_set(err, "corrupt", f->code, "数据库中的"
			    "值无效 (stored value is invalid: not a sealed "
			    "value): %s", f->code);
		}
		memcpy(u->blobs + i * SEALED_MAX, b, n);
		PQfreemem(b);
		u->sealed[i].sealed = u->blobs + i * SEALED_MAX;
		u->sealed[i].slen = n;
		rc = fieldio_open(s, u->sealed[i].sealed, n, u->old, f, bind,
		    u->old_year, err);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Row 0 of the find statement into p and the cached survey. */
static int
found(struct store *s, const struct store_prep *prep, const PGresult *res,
    struct store_person_row *p, struct lf_error *err)
{
	struct pgput *u = s->pg->put;
	size_t i, open = 0;

	p->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	snprintf(p->uid, sizeof(p->uid), "%s", PQgetvalue(res, 0, 1));
	snprintf(p->name, sizeof(p->name), "%s", PQgetvalue(res, 0, 2));
	p->gender = atoi(PQgetvalue(res, 0, 3));
	snprintf(p->birth, sizeof(p->birth), "%s", PQgetvalue(res, 0, 4));
	snprintf(p->region, sizeof(p->region), "%s", PQgetvalue(res, 0, 5));
	p->status = atoi(PQgetvalue(res, 0, 6));
	p->version = strtoll(PQgetvalue(res, 0, 7), NULL, 10);
	if (strlen(p->region) != 12)
		return lf_error_set(err, "corrupt", "region", "数据库中的值无效 "
		    "(stored value is invalid: person %s, region)", p->uid);
	memcpy(u->region, p->region, sizeof(u->region));
	if (PQgetisnull(res, 0, FC_SURVEY_YEAR))
		return 0;
	u->old_year = atoi(PQgetvalue(res, 0, FC_SURVEY_YEAR));
	u->old_version = strtoll(PQgetvalue(res, 0, FC_SURVEY_VER), NULL, 10);
	record_clear(u->old);
	for (i = 0; i < s->cat->nfields; i++)
		open += !s->cat->fields[i].secret;
	if (pg_survey_read(s->cat, res, 0, FC_ITEMS, u->old, p->uid, err) != 0
	    || survey_secrets(s, res, FC_ITEMS + (int)open, prep->bind,
	    err) != 0)
		return lf_error_prefix(err, "人员 (person) %s, %d: ", p->uid,
		    u->old_year);
	return 0;
}

int
pg_put_find(struct store *s, const struct store_prep *prep,
    struct store_person_row *p, struct lf_error *err)
{
	struct pgput *u = s->pg->put;
	char year[16];
	const char *vals[2] = { (const char *)prep->id_hash, year };
	int lens[2] = { CRYPTO_HASH_LEN, 0 }, fmts[2] = { 1, 0 };
	PGresult *res;
	int seen, rc;

	u->old_year = 0;
	snprintf(u->region, sizeof(u->region), "%s", prep->pcols.region);
	if ((seen = key_add(u, key_of(prep->id_hash))) < 0)
		return lf_error_nomem(err);
	/* a person put before in this load: their rows must be sent */
	if ((seen || s->pg->pending >= PG_FLUSH_ROWS) &&
	    pg_copy_flush(s, err) != 0)
		return -1;
	if (u->fresh && !seen)
		return 1;
	if (!u->prepared && find_prepare(s, err) != 0)
		return -1;
	u->prepared = 1;
	snprintf(year, sizeof(year), "%d", prep->put.year);
	res = PQexecPrepared(s->pg->conn, FIND_STMT, 2, vals, lens, fmts, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_error(s->pg->conn, res, "person", err);
		PQclear(res);
		return -1;
	}
	if (PQntuples(res) > 1)
		rc = lf_error_set(err, "exists", "id_number", "该身份证号在多个"
		    "县登记 (the ID number is registered in more than one "
		    "county)");
	else
		rc = PQntuples(res) == 0 ? 1 : found(s, prep, res, p, err);
	PQclear(res);
	return rc;
}

int
pg_put_stored(struct store *s, int64_t person_id, int year,
    struct record *old, struct lf_error *err)
{
	struct pgput *u = s->pg->put;

	(void)person_id;	/* read with the person by pg_put_find() */
	if (u->old_year == 0 || u->old_year > year)
		return 1;
	return record_copy(old, u->old) != 0 ? lf_error_nomem(err) : 0;
}

int
pg_put_survey(struct store *s, int year, const struct record **old,
    const struct packrec_sealed **sealed, int64_t *version)
{
	struct pgput *u = s->pg->put;

	if (u->old_year != year)
		return 1;
	*old = u->old;
	*sealed = u->sealed;
	*version = u->old_version;
	return 0;
}

/* ---- writing ---------------------------------------------------------- */

int
pg_put_person_new(struct store *s, const struct store_prep *prep,
    struct store_person_row *p, struct lf_error *err)
{
	if (strlen(p->region) != 12)
		return lf_error_set(err, "invalid", "hukou_region", "户籍地"
		    "应为 12 位村级代码 (the village code must have 12 digits)");
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
		return lf_error_set(err, "unsupported", "hukou_region", "PostgreSQL"
		    " 暂不支持跨县迁移人员 (moving a person to another county "
		    "does not run on PostgreSQL yet; see docs/postgresql.md)");
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

int
pg_put_history(struct store *s, const char *entity, int64_t entity_id,
    int64_t person_id, int year, int64_t version, const char *actor,
    const char *changes, struct lf_error *err)
{
	struct pgput *u = s->pg->put;
	struct buf *b = &s->pg->history;
	char city[5], county[7];

	if (!pg_in_bulk(s) || u == NULL || strlen(u->region) != 12)
		return lf_error_set(err, "unsupported", "", "PostgreSQL 暂只"
		    "支持批量写入 (on PostgreSQL only bulk loads write yet; "
		    "see docs/postgresql.md)");
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
	if (!u->upd_table && pg_exec(s->pg->conn, "CREATE TEMP TABLE "
	    UPD_TABLE " (LIKE surveys) ON COMMIT DROP", "survey update",
	    err) != 0)
		goto out;
	u->upd_table = 1;
	snprintf(want, sizeof(want), "%zu", u->nupd);
	u->nupd = 0;
	if (pg_send_rows(s, &u->upd, buf_str(&copy), err) != 0 ||
	    pg_query(s->pg->conn, buf_str(&upd), 0, NULL, &r, "survey update",
	    err) != 0)
		goto out;
	if (strcmp(PQcmdTuples(r), want) != 0) {
		lf_error_set(err, "conflict", "", "记录已被他人修改 (a survey "
		    "was changed meanwhile by another writer; nothing of this "
		    "load is kept)");
		goto out;
	}
	rc = pg_exec(s->pg->conn, "TRUNCATE " UPD_TABLE, "survey update", err);
out:
	PQclear(r);
	buf_free(&copy);
	buf_free(&upd);
	return rc;
}

/*
 * pg_put.c - the rows a bulk load's puts read and write on PostgreSQL
 * (pg_int.h). No rule is here: store_put.c decides what to write.
 *
 * A person is read with their stored survey (the survey of the year or
 * else the latest earlier one): a batch's persons in one round trip when
 * the writer announced them (store_write_ahead(), pg_put_ahead()), else
 * one by one (prepared statements, both). New persons, new surveys and
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
#define AHEAD_STMT	"lf_put_ahead"
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
	/* the persons of the batch store_write_ahead() announced */
	PGresult		*ahead;		/* AHEAD_STMT's rows, or NULL */
	int			*ahead_row;	/* per position: its row, -1
						   none, -2 several */
	unsigned char		*ahead_hash;	/* per position */
	int			*ahead_year;
	size_t			 ahead_n, ahead_cap, ahead_next;
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

static void
ahead_clear(struct pgput *u)
{
	PQclear(u->ahead);
	u->ahead = NULL;
	u->ahead_n = u->ahead_next = 0;
}

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
	ahead_clear(u);
}

void
pg_put_free(struct store *s)
{
	struct pgput *u = s->pg->put;

	if (u == NULL)
		return;
	ahead_clear(u);
	mem_free(u->ahead_row);
	mem_free(u->ahead_hash);
	mem_free(u->ahead_year);
	mem_free(u->keys);
	record_free(u->old);
	mem_free(u->sealed);
	mem_free(u->blobs);
	buf_free(&u->upd);
	mem_free(u);
	s->pg->put = NULL;
}

/* ---- reading a person ------------------------------------------------- */

/* The columns both reads give: the person (FC_* before the survey's),
 * the survey's open items, its sealed ones. */
static int
read_cols(const struct catalog *cat, struct buf *q)
{
	size_t i;

	if (buf_adds(q, "SELECT p.id, p.uid, p.name, p.gender, "
	    "p.birth_date::text, p.region, p.status, p.version, v.year, "
	    "v.version") != 0 || pg_survey_cols(cat, "v", q) != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++)
		if (cat->fields[i].secret && buf_addf(q, ", v.%s_enc",
		    cat->fields[i].code) != 0)
			return -1;
	return 0;
}

/* The survey of the year YEAR, else the latest earlier one, of person p. */
#define LATEST_SURVEY(YEAR) " LEFT JOIN LATERAL (SELECT * FROM surveys s " \
	"WHERE s.city = p.city AND s.county = p.county AND s.person_id = " \
	"p.id AND s.year <= " YEAR " ORDER BY s.year DESC LIMIT 1) v ON true"

static int
prepare_one(struct store *s, const char *name, const char *from,
    struct lf_error *err)
{
	struct buf q;
	PGresult *r;
	int rc = -1;

	buf_init(&q, 1 << 20);
	if (read_cols(s->cat, &q) != 0 || buf_adds(&q, from) != 0) {
		buf_free(&q);
		return lf_error_nomem(err);
	}
	r = PQprepare(s->pg->conn, name, buf_str(&q), 2, NULL);
	if (PQresultStatus(r) == PGRES_COMMAND_OK)
		rc = 0;
	else
		pg_error(s->pg->conn, r, "person", err);
	PQclear(r);
	buf_free(&q);
	return rc;
}

/* The session's two reads: one person ($1 the lookup hash, $2 the
 * year), and a batch's persons ($1 their hashes in hex, $2 the years,
 * the batch's position last). */
static int
find_prepare(struct store *s, struct lf_error *err)
{
	if (s->pg->put->prepared)
		return 0;
	if (prepare_one(s, FIND_STMT, " FROM persons p" LATEST_SURVEY(
	    "$2::smallint") " WHERE p.id_hash = $1::bytea", err) != 0 ||
	    prepare_one(s, AHEAD_STMT, ", k.n FROM unnest($1::text[], "
	    "$2::int[]) WITH ORDINALITY AS k(h, y, n) JOIN persons p ON "
	    "p.id_hash = decode(k.h, 'hex')" LATEST_SURVEY("k.y"), err) != 0)
		return -1;
	s->pg->put->prepared = 1;
	return 0;
}

/* The survey's sealed values of row, from column col on, opened into
 * u->old and kept in u->sealed. */
static int
survey_secrets(struct store *s, const PGresult *res, int row, int col,
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
		if (PQgetisnull(res, row, col)) {
			col++;
			continue;
		}
		b = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row,
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

static int
several(struct lf_error *err)
{
	return lf_error_set(err, "exists", "id_number", "该身份证号在多个县登记 "
	    "(the ID number is registered in more than one county)");
}

/* A row of the find (or ahead) statement into p and the cached survey. */
static int
found(struct store *s, const struct store_prep *prep, const PGresult *res,
    int row, struct store_person_row *p, struct lf_error *err)
{
	struct pgput *u = s->pg->put;
	size_t i, open = 0;

	p->id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
	snprintf(p->uid, sizeof(p->uid), "%s", PQgetvalue(res, row, 1));
	snprintf(p->name, sizeof(p->name), "%s", PQgetvalue(res, row, 2));
	p->gender = atoi(PQgetvalue(res, row, 3));
	snprintf(p->birth, sizeof(p->birth), "%s", PQgetvalue(res, row, 4));
	snprintf(p->region, sizeof(p->region), "%s", PQgetvalue(res, row, 5));
	p->status = atoi(PQgetvalue(res, row, 6));
	p->version = strtoll(PQgetvalue(res, row, 7), NULL, 10);
	if (strlen(p->region) != 12)
		return lf_error_set(err, "corrupt", "region", "数据库中的值无效 "
		    "(stored value is invalid: person %s, region)", p->uid);
	memcpy(u->region, p->region, sizeof(u->region));
	if (PQgetisnull(res, row, FC_SURVEY_YEAR))
		return 0;
	u->old_year = atoi(PQgetvalue(res, row, FC_SURVEY_YEAR));
	u->old_version = strtoll(PQgetvalue(res, row, FC_SURVEY_VER), NULL, 10);
	record_clear(u->old);
	for (i = 0; i < s->cat->nfields; i++)
		open += !s->cat->fields[i].secret;
	if (pg_survey_read(s->cat, res, row, FC_ITEMS, u->old, p->uid, err) != 0
	    || survey_secrets(s, res, row, FC_ITEMS + (int)open, prep->bind,
	    err) != 0)
		return lf_error_prefix(err, "人员 (person) %s, %d: ", p->uid,
		    u->old_year);
	return 0;
}

static int
ahead_room(struct pgput *u, size_t n)
{
	size_t cap = n < 256 ? 256 : n;

	if (n <= u->ahead_cap)
		return 0;
	mem_free(u->ahead_row);
	mem_free(u->ahead_hash);
	mem_free(u->ahead_year);
	u->ahead_row = mem_calloc(cap, sizeof(*u->ahead_row));
	u->ahead_hash = mem_calloc(cap, CRYPTO_HASH_LEN);
	u->ahead_year = mem_calloc(cap, sizeof(*u->ahead_year));
	u->ahead_cap = u->ahead_row && u->ahead_hash && u->ahead_year ? cap :
	    0;
	return u->ahead_cap ? 0 : -1;
}

/* The two arrays AHEAD_STMT takes: the hashes in hex, the years. */
static int
ahead_params(const struct store_prep *const *preps, size_t n, struct buf *h,
    struct buf *y)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i, j;

	if (buf_addc(h, '{') != 0 || buf_addc(y, '{') != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (i > 0 && (buf_addc(h, ',') != 0 || buf_addc(y, ',') != 0))
			return -1;
		for (j = 0; j < CRYPTO_HASH_LEN; j++)
			if (buf_addc(h, hexd[preps[i]->id_hash[j] >> 4]) != 0 ||
			    buf_addc(h, hexd[preps[i]->id_hash[j] & 15]) != 0)
				return -1;
		if (buf_addf(y, "%d", preps[i]->put.year) != 0)
			return -1;
	}
	return buf_addc(h, '}') != 0 || buf_addc(y, '}') != 0 ? -1 : 0;
}

/* AHEAD_STMT's rows by the batch's position (its last column, from 1). */
static int
ahead_map(struct pgput *u, PGresult *res, size_t n, struct lf_error *err)
{
	int r, k, last = PQnfields(res) - 1;
	size_t i;

	for (i = 0; i < n; i++)
		u->ahead_row[i] = -1;
	for (r = 0; r < PQntuples(res); r++) {
		k = atoi(PQgetvalue(res, r, last)) - 1;
		if (k < 0 || (size_t)k >= n)
			return lf_error_set(err, "internal", "", "批量读取位置"
			    "无效 (a batch read gave a position out of range)");
		u->ahead_row[k] = u->ahead_row[k] == -1 ? r : -2;
	}
	return 0;
}

int
pg_put_ahead(struct store *s, const struct store_prep *const *preps,
    size_t n, struct lf_error *err)
{
	struct pgput *u = s->pg->put;
	struct buf h, y;
	const char *vals[2];
	PGresult *res = NULL;
	size_t i;
	int rc = -1;

	ahead_clear(u);
	/* a fresh registry holds only what this load put: read one by one */
	if (u->fresh || n == 0)
		return 0;
	if (ahead_room(u, n) != 0)
		return lf_error_nomem(err);
	if (find_prepare(s, err) != 0)
		return -1;
	buf_init(&h, (size_t)1 << 24);
	buf_init(&y, (size_t)1 << 20);
	if (ahead_params(preps, n, &h, &y) != 0) {
		lf_error_nomem(err);
		goto out;
	}
	vals[0] = buf_str(&h);
	vals[1] = buf_str(&y);
	res = PQexecPrepared(s->pg->conn, AHEAD_STMT, 2, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_error(s->pg->conn, res, "persons", err);
		goto out;
	}
	if (ahead_map(u, res, n, err) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		memcpy(u->ahead_hash + i * CRYPTO_HASH_LEN, preps[i]->id_hash,
		    CRYPTO_HASH_LEN);
		u->ahead_year[i] = preps[i]->put.year;
	}
	u->ahead = res;
	res = NULL;
	u->ahead_n = n;
	rc = 0;
out:
	PQclear(res);
	buf_free(&h);
	buf_free(&y);
	return rc;
}

/* The person of prep as the announced batch read them: 0 found, 1 new,
 * -1 error, 2 when prep is not in the batch (read it alone). */
static int
from_ahead(struct store *s, const struct store_prep *prep,
    struct store_person_row *p, struct lf_error *err)
{
	struct pgput *u = s->pg->put;
	size_t i;
	int row;

	for (i = u->ahead_next; i < u->ahead_n; i++) {
		if (u->ahead_year[i] != prep->put.year || memcmp(u->ahead_hash +
		    i * CRYPTO_HASH_LEN, prep->id_hash, CRYPTO_HASH_LEN) != 0)
			continue;
		u->ahead_next = i + 1;
		if ((row = u->ahead_row[i]) == -1)
			return 1;
		if (row == -2)
			return several(err);
		return found(s, prep, u->ahead, row, p, err);
	}
	return 2;
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
	/* not put yet in this load: as the batch read them (unchanged) */
	if (!seen && (rc = from_ahead(s, prep, p, err)) != 2)
		return rc;
	if (find_prepare(s, err) != 0)
		return -1;
	snprintf(year, sizeof(year), "%d", prep->put.year);
	res = PQexecPrepared(s->pg->conn, FIND_STMT, 2, vals, lens, fmts, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_error(s->pg->conn, res, "person", err);
		PQclear(res);
		return -1;
	}
	if (PQntuples(res) > 1)
		rc = several(err);
	else
		rc = PQntuples(res) == 0 ? 1 : found(s, prep, res, 0, p, err);
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

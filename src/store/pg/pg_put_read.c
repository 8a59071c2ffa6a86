/*
 * pg_put_read.c - the persons a PostgreSQL load's puts name, read with
 * their stored surveys (pg_int.h, pg_put.h). No rule is here.
 *
 * A person is read with their stored survey (the survey of the year or
 * else the latest earlier one; its secrets opened for store_put.c's
 * change set, their sealed values kept for the history): a batch's
 * persons in one round trip when the writer announced them
 * (store_write_ahead(), pg_put_ahead()), else one by one (prepared
 * statements, both). The ID-hash prefixes of the persons put in this
 * load are kept: a person put already is read alone, after what is
 * queued has been sent (another year of theirs in the same file), and a
 * load into a registry that held no person asks the server for no one
 * else.
 */
#include "store/pg/pg_put.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

#define FIND_STMT	"lf_put_find"
#define AHEAD_STMT	"lf_put_ahead"
/* columns of both reads before the survey's items */
#define FC_SURVEY_YEAR	8
#define FC_SURVEY_VER	9
#define FC_ITEMS	10

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

static void
ahead_clear(struct pgput *u)
{
	PQclear(u->ahead);
	u->ahead = NULL;
	u->ahead_n = u->ahead_next = 0;
}

void
pg_put_read_reset(struct pgput *u)
{
	if (u->keys != NULL)
		memset(u->keys, 0, u->cap * sizeof(*u->keys));
	u->n = 0;
	u->old_year = 0;
	ahead_clear(u);
}

void
pg_put_read_free(struct pgput *u)
{
	ahead_clear(u);
	mem_free(u->ahead_row);
	mem_free(u->ahead_hash);
	mem_free(u->ahead_year);
	mem_free(u->keys);
}

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
	if ((seen || s->pg->pending >= pg_flush_rows()) &&
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

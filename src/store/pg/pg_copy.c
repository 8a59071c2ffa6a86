/*
 * pg_copy.c - prepared puts as binary COPY rows (pg_int.h).
 *
 * A bulk transaction gathers the rows of new persons, their surveys and
 * history rows in buffers in PostgreSQL's binary COPY format and sends
 * them, the persons first, every PG_FLUSH_ROWS rows and at commit, then
 * the survey updates pg_put.c staged; a scoped store (the application's
 * role) sends them through temporary tables (send_table()). Person ids
 * come from persons_id_seq, taken ID_BLOCK at a time. A load's puts are
 * decided by store_put.c (new person or update, history) and reach this
 * file through pg_put.c; a person another load registered meanwhile fails
 * on the unique key, naming no value, and the transaction rolls back as a
 * whole. A copy between stores (store_copy.c) comes straight to
 * pg_write(): it carries each person's id and opaque id and writes a
 * person's later surveys without the person row (store_prep_carry()).
 * Single writes (store_write() outside a bulk transaction) send the
 * same rows through pg_put.c (pg_put_single_begin()).
 */
#include "store/pg/pg_int.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/date.h"

#define ID_BLOCK	1024
#define PG_EPOCH_DAYS	10957		/* 2000-01-01 in days since 1970 */

const char pg_copy_header[PG_COPY_HEADER_LEN] =
    "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";

static const char persons_copy[] = "COPY persons (city, county, id, uid, "
	"id_hash, id_enc, name, gender, birth_date, region, status, version, "
	"created_at, created_by, updated_at, updated_by) FROM STDIN "
	"(FORMAT binary)";

int
pg_put_be(struct buf *b, uint64_t v, int bytes)
{
	unsigned char o[8];
	int i;

	for (i = 0; i < bytes; i++)
		o[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
	return buf_add(b, o, (size_t)bytes);
}

/* A field of n bytes at p; p NULL: SQL NULL. */
int
pg_put_field(struct buf *b, const void *p, size_t n)
{
	if (p == NULL)
		return pg_put_be(b, 0xffffffffu, 4);
	return pg_put_be(b, (uint32_t)n, 4) || buf_add(b, p, n) ? -1 : 0;
}

int
pg_put_text(struct buf *b, const char *s)
{
	return pg_put_field(b, s, strlen(s));
}

int
pg_put_int(struct buf *b, int64_t v, int bytes)
{
	return pg_put_be(b, (uint32_t)bytes, 4) ||
	    pg_put_be(b, (uint64_t)v, bytes) ? -1 : 0;
}

/* now as a timestamptz: microseconds since 2000-01-01 UTC. */
int
pg_put_time(struct buf *b, time_t now)
{
	return pg_put_int(b, ((int64_t)now - PG_EPOCH_DAYS * 86400LL) *
	    1000000, 8);
}

int
pg_row_head(struct buf *b, int ncols, int64_t region)
{
	char v[24];

	snprintf(v, sizeof(v), "%012lld", (long long)region);
	if (b->len == 0 && buf_add(b, pg_copy_header, PG_COPY_HEADER_LEN))
		return -1;
	return pg_put_be(b, (uint64_t)ncols, 2) || pg_put_field(b, v, 4) ||
	    pg_put_field(b, v, 6) ? -1 : 0;
}

/* One survey item: NULL when unset; secrets sealed and hashed. */
static int
put_item(struct buf *b, const struct store_prep *prep, const struct field *f)
{
	const struct record *r = prep->r;

	if (!r->set[f->index])
		return f->secret ? pg_put_field(b, NULL, 0) ||
		    pg_put_field(b, NULL, 0) : pg_put_field(b, NULL, 0);
	if (f->secret)
		return pg_put_field(b, prep->blob[f->index],
		    prep->blen[f->index]) || pg_put_field(b,
		    prep->hash[f->index], CRYPTO_HASH_LEN) ? -1 : 0;
	switch (f->type) {
	case FT_DATE:
		return pg_put_int(b, r->num[f->index] - PG_EPOCH_DAYS, 4);
	case FT_ENUM:
	case FT_BOOL:
		return pg_put_int(b, r->num[f->index], 4);
	case FT_INT:
	case FT_MULTI:
	case FT_MONEY:
	case FT_DECIMAL:
		return pg_put_int(b, r->num[f->index], 8);
	default:
		return pg_put_text(b, r->str[f->index]);
	}
}

static size_t
survey_ncols(const struct catalog *cat)
{
	size_t i, n = 9;

	for (i = 0; i < cat->nfields; i++)
		n += cat->fields[i].secret ? 2 : 1;
	return n;
}

size_t
pg_flush_rows(void)
{
#ifdef LF_TESTING
	const char *v = getenv("LF_PG_FLUSH_ROWS");
	long n = v != NULL ? strtol(v, NULL, 10) : 0;

	if (n >= 1)
		return (size_t)n;
#endif
	return PG_FLUSH_ROWS;
}

int
pg_next_person_id(struct pgstore *p, int64_t *id, struct lf_error *err)
{
	int64_t *left = &p->ids_left;
	PGresult *r;

	if (!p->bulk) {		/* a single put: one id, nothing to give
				   back (the load lock is held) */
		if (pg_query(p->conn, "SELECT nextval('persons_id_seq')", 0,
		    NULL, &r, "person id", err) != 0)
			return -1;
		*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		return 0;
	}
	if (*left == 0) {
		if (pg_query(p->conn, "SELECT min(v), count(*) FROM (SELECT "
		    "nextval('persons_id_seq') AS v FROM generate_series(1, "
		    "1024)) t", 0, NULL, &r, "person id", err) != 0)
			return -1;
		p->next_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		*left = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
		PQclear(r);
	}
	*id = p->next_id++;
	(*left)--;
	return 0;
}

struct prow {
	char		 region[13];
	char		 uid[STORE_UID_LEN + 1];
	int64_t		 id;
	int		 status;
};

int
pg_person_row(struct store *s, const struct store_prep *prep,
    const char *region, int64_t id, const char *uid, int status, time_t now)
{
	struct buf *b = &s->pg->persons;
	const struct record *r = prep->r;
	char city[5], county[7];

	memcpy(city, region, 4);
	city[4] = '\0';
	memcpy(county, region, 6);
	county[6] = '\0';
	if (b->len == 0 && buf_add(b, pg_copy_header, PG_COPY_HEADER_LEN) != 0)
		return -1;
	return pg_put_be(b, 16, 2) || pg_put_text(b, city) ||
	    pg_put_text(b, county) || pg_put_int(b, id, 8) ||
	    pg_put_text(b, uid) || pg_put_field(b, prep->id_hash,
	    CRYPTO_HASH_LEN) || pg_put_field(b, prep->person_seal,
	    prep->person_seal_len) || pg_put_text(b, r->str[s->f_name]) ||
	    pg_put_int(b, r->num[s->f_gender], 2) ||
	    pg_put_int(b, r->num[s->f_birth] - PG_EPOCH_DAYS, 4) ||
	    pg_put_text(b, region) || pg_put_int(b, status, 2) ||
	    pg_put_int(b, 1, 8) || pg_put_time(b, now) || pg_put_text(b, prep->actor) ||
	    pg_put_time(b, now) || pg_put_text(b, prep->actor) ? -1 : 0;
}

int
pg_survey_row(struct store *s, struct buf *b, const struct store_prep *prep,
    const char *region, int64_t person_id, int64_t version, time_t now)
{
	char city[5], county[7];
	size_t i;

	memcpy(city, region, 4);
	city[4] = '\0';
	memcpy(county, region, 6);
	county[6] = '\0';
	if (b->len == 0 && buf_add(b, pg_copy_header, PG_COPY_HEADER_LEN) != 0)
		return -1;
	if (pg_put_be(b, survey_ncols(s->cat), 2) || pg_put_text(b, city) ||
	    pg_put_text(b, county) || pg_put_int(b, person_id, 8) ||
	    pg_put_int(b, prep->put.year, 2) || pg_put_int(b, version, 8) ||
	    pg_put_time(b, now) || pg_put_text(b, prep->actor) ||
	    pg_put_time(b, now) || pg_put_text(b, prep->actor))
		return -1;
	for (i = 0; i < s->cat->nfields; i++)
		if (put_item(b, prep, &s->cat->fields[i]) != 0)
			return -1;
	return 0;
}

/* The person's id and opaque id: carried (store_prep_carry()) or new. */
static int
person_ids(struct pgstore *p, const struct store_prep *prep, struct prow *w,
    struct lf_error *err)
{
	if (prep->carry_id > 0) {
		w->id = prep->carry_id;
		memcpy(w->uid, prep->uid, sizeof(w->uid));
		return 0;
	}
	if (store_new_uid(w->uid) != 0)
		return lf_error_set(err, "crypto", "", "随机数失败 (no random "
		    "bytes for the person's id)");
	return pg_next_person_id(p, &w->id, err);
}

int
pg_write(struct store *s, const struct store_prep *prep,
    struct store_put_result *res, struct lf_error *err)
{
	struct pgstore *p = s->pg;
	const char *reg = prep->r->str[s->f_region];
	struct prow w;
	time_t now = time(NULL);

	memset(res, 0, sizeof(*res));
	if (!p->bulk)
		return lf_error_set(err, "unsupported", "", "PostgreSQL 暂只"
		    "支持批量写入 (on PostgreSQL only bulk loads write yet; "
		    "see docs/postgresql.md)");
	if (prep->carry_id <= 0)
		return lf_error_set(err, "internal", "", "批量写入须经 "
		    "store_write (a load's put goes through store_write)");
	if (strlen(reg) != 12)
		return lf_error_set(err, "invalid", "hukou_region", "户籍地"
		    "应为 12 位村级代码 (the village code must have 12 digits)");
	memset(&w, 0, sizeof(w));
	memcpy(w.region, reg, 12);
	w.status = prep->put.status ? prep->put.status : PERSON_ACTIVE;
	if (person_ids(p, prep, &w, err) != 0)
		return -1;
	if ((!prep->carry_survey_only && pg_person_row(s, prep, w.region, w.id,
	    w.uid, w.status, now) != 0) ||
	    pg_survey_row(s, &p->surveys, prep, w.region, w.id, 1, now) != 0)
		return lf_error_nomem(err);
	res->person_id = w.id;
	memcpy(res->uid, w.uid, sizeof(res->uid));
	res->created_person = !prep->carry_survey_only;
	res->created_survey = 1;
	res->version = 1;
	if (++p->pending >= pg_flush_rows())
		return pg_copy_flush(s, err);
	return 0;
}

int
pg_surveys_copy_sql(const struct catalog *cat, const char *table,
    struct buf *b)
{
	size_t i;

	if (buf_addf(b, "COPY %s (city, county, person_id, year, version, "
	    "created_at, created_by, updated_at, updated_by", table) != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++)
		if (cat->fields[i].secret ? buf_addf(b, ", %s_enc, %s_hash",
		    cat->fields[i].code, cat->fields[i].code) :
		    buf_addf(b, ", %s", cat->fields[i].code))
			return -1;
	return buf_adds(b, ") FROM STDIN (FORMAT binary)");
}

int
pg_send_rows(struct store *s, struct buf *b, const char *sql,
    struct lf_error *err)
{
	int rc;

	if (b->len == 0)
		return 0;
	if (pg_put_be(b, 0xffff, 2) != 0)
		return lf_error_nomem(err);
	rc = pg_copy_send(s->pg->conn, sql, b->data, b->len, "COPY", err);
	buf_reset(b);
	return rc;
}

/*
 * b's rows into table by copy ("COPY <table> (...) FROM STDIN ...").
 * Row-level security refuses COPY into the tables it guards, so a scoped
 * store (liangfu.region set: the application's role) copies into a
 * temporary table of the same columns (made once a session) and moves
 * the rows with one INSERT, which the policy checks.
 */
static int
send_table(struct store *s, struct buf *b, const char *table,
    const char *copy, struct lf_error *err)
{
	struct buf q;
	int rc = -1;

	if (b->len == 0)
		return 0;
	if (s->pg->scope[0] == '\0') {
		rc = pg_send_rows(s, b, copy, err);
		goto out;
	}
	buf_init(&q, 1 << 16);
	if (buf_addf(&q, "CREATE TEMP TABLE IF NOT EXISTS lf_%s_in (LIKE %s "
	    "INCLUDING DEFAULTS)", table, table) != 0) {
		rc = lf_error_nomem(err);
		goto done;
	}
	if (pg_exec(s->pg->conn, buf_str(&q), table, err) != 0)
		goto done;
	buf_reset(&q);
	if (buf_addf(&q, "COPY lf_%s_in%s", table, copy + strlen("COPY ") +
	    strlen(table)) != 0) {
		rc = lf_error_nomem(err);
		goto done;
	}
	if (pg_send_rows(s, b, buf_str(&q), err) != 0)
		goto done;
	buf_reset(&q);
	if (buf_addf(&q, "WITH m AS (DELETE FROM lf_%s_in RETURNING *) "
	    "INSERT INTO %s SELECT * FROM m", table, table) != 0) {
		rc = lf_error_nomem(err);
		goto done;
	}
	rc = pg_exec(s->pg->conn, buf_str(&q), table, err);
done:
	buf_free(&q);
out:
	buf_reset(b);
	if (rc != 0 && strstr(err->message, "duplicate key") != NULL)
		return lf_error_set(err, "exists", "id_number", "该身份证号"
		    "已在其县登记 (an ID number is already registered in its "
		    "county: written by another load meanwhile)");
	return rc;
}

static const char history_copy[] = "COPY history (city, county, entity, "
	"entity_id, person_id, year, version, actor, at, changes) FROM STDIN "
	"(FORMAT binary)";

int
pg_copy_flush(struct store *s, struct lf_error *err)
{
	struct buf sql;
	int rc;

	buf_init(&sql, 1 << 16);
	if (pg_surveys_copy_sql(s->cat, "surveys", &sql) != 0) {
		buf_free(&sql);
		return lf_error_nomem(err);
	}
	rc = send_table(s, &s->pg->persons, "persons", persons_copy, err) != 0
	    || send_table(s, &s->pg->surveys, "surveys", buf_str(&sql), err)
	    != 0 || send_table(s, &s->pg->history, "history", history_copy,
	    err) != 0 || pg_put_flush(s, err) != 0 ? -1 : 0;
	buf_free(&sql);
	s->pg->pending = 0;
	return rc;
}

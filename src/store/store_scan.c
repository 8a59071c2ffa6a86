/*
 * store_scan.c - a year's surveys in registration order: the scan, and
 * the cursor whose sealed values open on other threads (see store.h).
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"
#include "store/pg/pg_int.h"

/* The sealed values of one row: only the secret fields have room. */
struct store_sealed {
	const struct catalog	*cat;
	char			 bind[BIND_LEN + 1];
	int			 year;
	int			*slot;			/* per field: -1, or
							   its secret's index */
	unsigned char		(*blob)[SEALED_MAX];	/* per secret */
	size_t			*blen;			/* 0: no value */
};

struct store_cursor {
	struct store	*s;
	struct pgcursor	*pg;		/* on PostgreSQL (pg_cursor.c) */
	sqlite3_stmt	*st;
	int		 year;
	char		 lo[24], hi[24];
};

/* Columns of the person (store_person_row()) then the packed record. */
#define REC_COL	13
static int
scan_sql(const struct region *in, struct buf *b)
{
	if (buf_adds(b, "SELECT p.id, p.uid, p.name, p.gender, p.birth_date, "
	    "p.region, p.status, p.version, p.updated_at, p.updated_by, "
	    "p.id_enc, p.id_hash, p.id_masked, s.rec") != 0 ||
	    buf_adds(b, " FROM surveys s JOIN persons p ON p.id = s.person_id"
	    " WHERE s.year = ?") != 0)
		return -1;
	if (in != NULL && buf_adds(b, " AND p.region >= ? AND p.region < ?"))
		return -1;
	return buf_adds(b, " ORDER BY s.year, s.person_id");
}

struct store_sealed *
store_sealed_new(const struct catalog *cat)
{
	struct store_sealed *sv = mem_calloc(1, sizeof(*sv));
	size_t i, n = 0;

	if (sv == NULL || (sv->slot = mem_calloc(cat->nfields,
	    sizeof(*sv->slot))) == NULL) {
		store_sealed_free(sv);
		return NULL;
	}
	sv->cat = cat;
	for (i = 0; i < cat->nfields; i++)
		sv->slot[i] = cat->fields[i].secret ? (int)n++ : -1;
	sv->blob = mem_calloc(n ? n : 1, sizeof(*sv->blob));
	sv->blen = mem_calloc(n ? n : 1, sizeof(*sv->blen));
	if (sv->blob == NULL || sv->blen == NULL) {
		store_sealed_free(sv);
		return NULL;
	}
	return sv;
}

void
store_sealed_free(struct store_sealed *sv)
{
	if (sv == NULL)
		return;
	mem_free(sv->slot);
	mem_free(sv->blob);
	mem_free(sv->blen);
	mem_free(sv);
}

/* 1 (err set) when sv or r were made for another catalog than cat. */
static int
other_catalog(const struct catalog *cat, const struct store_sealed *sv,
    const struct record *r, struct lf_error *err)
{
	if (sv->cat == cat && r->cat == cat)
		return 0;
	lf_error_set(err, "internal", "", "目录不一致 (sealed values, record "
	    "and store have different catalogs)");
	return 1;
}

int
store_sealed_open(const struct store *s, const struct store_sealed *sv,
    struct record *r, struct lf_error *err)
{
	size_t i;
	int k;

	if (other_catalog(s->cat, sv, r, err))
		return -1;
	for (i = 0; i < sv->cat->nfields; i++)
		if ((k = sv->slot[i]) >= 0 && sv->blen[k] > 0 &&
		    fieldio_open(s, sv->blob[k], sv->blen[k], r,
		    &sv->cat->fields[i], sv->bind, sv->year, err) != 0)
			return -1;
	return 0;
}

void
store_sealed_bind(struct store_sealed *sv, const char *bind, int year)
{
	size_t i;
	int k;

	snprintf(sv->bind, sizeof(sv->bind), "%s", bind);
	sv->year = year;
	for (i = 0; i < sv->cat->nfields; i++)
		if ((k = sv->slot[i]) >= 0)
			sv->blen[k] = 0;
}

int
store_sealed_set(struct store_sealed *sv, size_t field, const void *blob,
    size_t len, struct lf_error *err)
{
	const struct field *f = &sv->cat->fields[field];
	int k = sv->slot[field];

	if (k < 0 || len > SEALED_MAX)
		return lf_error_set(err, "corrupt", f->code, "%s(%s): 数据库中的"
		    "值无效 (stored value is invalid: not a sealed value)",
		    f->label_zh, f->code);
	memcpy(sv->blob[k], blob, len);
	sv->blen[k] = len;
	return 0;
}

int
store_cursor_open(struct store *s, int year, const struct region *in,
    struct store_cursor **out, struct lf_error *err)
{
	struct store_cursor *c = mem_calloc(1, sizeof(*c));
	struct buf sql;
	int rc;

	*out = NULL;
	if (c != NULL && s->pg != NULL) {
		c->s = s;
		if (pg_cursor_open(s, year, in, &c->pg, err) != 0) {
			mem_free(c);
			return -1;
		}
		*out = c;
		return 0;
	}
	buf_init(&sql, 1 << 20);
	if (c == NULL || scan_sql(in, &sql) != 0) {
		mem_free(c);
		buf_free(&sql);
		return lf_error_nomem(err);
	}
	rc = sqlite3_prepare_v2(s->db, buf_str(&sql), -1, &c->st, NULL);
	buf_free(&sql);
	if (rc != SQLITE_OK) {
		mem_free(c);
		return store_sqlite_error(s, "scan", err);
	}
	c->s = s;
	c->year = year;
	sqlite3_bind_int(c->st, 1, year);
	if (in != NULL) {
		store_region_range(in, c->lo, c->hi);
		sqlite3_bind_text(c->st, 2, c->lo, -1, SQLITE_STATIC);
		sqlite3_bind_text(c->st, 3, c->hi, -1, SQLITE_STATIC);
	}
	*out = c;
	return 0;
}

/* Copies the sealed values of the row's record (c->s->sealed) into sv. */
static int
copy_sealed(const struct store *s, struct store_sealed *sv,
    struct lf_error *err)
{
	const struct catalog *cat = s->cat;
	size_t i;
	int k;

	for (i = 0; i < cat->nfields; i++) {
		if ((k = sv->slot[i]) < 0)
			continue;
		sv->blen[k] = s->sealed[i].slen;
		if (sv->blen[k] > SEALED_MAX)
			return lf_error_set(err, "corrupt", cat->fields[i].code,
			    "%s(%s): 数据库中的值无效 (stored value is invalid: "
			    "not a sealed value)", cat->fields[i].label_zh,
			    cat->fields[i].code);
		if (sv->blen[k] > 0)
			memcpy(sv->blob[k], s->sealed[i].sealed, sv->blen[k]);
	}
	return 0;
}

int
store_cursor_next(struct store_cursor *c, struct store_person *p,
    struct record *r, struct store_sealed *sv, struct lf_error *err)
{
	const struct catalog *cat = c->s->cat;
	int step;

	if (other_catalog(cat, sv, r, err))
		return -1;
	if (c->pg != NULL)
		return pg_cursor_next(c->pg, p, r, sv, err);
	step = sqlite3_step(c->st);
	if (step == SQLITE_DONE)
		return 0;
	if (step != SQLITE_ROW)
		return store_sqlite_error(c->s, "scan", err);
	if (store_person_row(c->s, c->st, 0, p, sv->bind, 0, err) != 0)
		return -1;
	sv->year = c->year;
	if (packrec_decode(c->s->packs, sqlite3_column_blob(c->st, REC_COL),
	    (size_t)sqlite3_column_bytes(c->st, REC_COL), r, PACKREC_SKIP,
	    c->s->sealed, err) != 0)
		return -1;
	return copy_sealed(c->s, sv, err) != 0 ? -1 : 1;
}

void
store_cursor_close(struct store_cursor *c)
{
	if (c == NULL)
		return;
	pg_cursor_close(c->pg);
	sqlite3_finalize(c->st);
	mem_free(c);
}

int
store_scan_surveys(struct store *s, int year, const struct region *in,
    store_scan_fn fn, void *arg, struct lf_error *err)
{
	struct store_cursor *c = NULL;
	struct store_sealed *sv = store_sealed_new(s->cat);
	struct record *r = record_new(s->cat);
	struct store_person p;
	int rc = -1, more;

	if (sv == NULL || r == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	if (store_cursor_open(s, year, in, &c, err) != 0)
		goto out;
	while ((more = store_cursor_next(c, &p, r, sv, err)) == 1) {
		if (store_sealed_open(s, sv, r, err) != 0) {
			rc = -1;
			goto out;
		}
		if ((rc = fn(arg, &p, r)) != 0)
			goto out;
	}
	rc = more;
out:
	store_cursor_close(c);
	record_free(r);
	store_sealed_free(sv);
	return rc;
}

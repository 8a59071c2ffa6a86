/*
 * store_read.c - lookups, scans and history reads.
 */
#include "store/store_int.h"
#include "store/pg/pg_int.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"

/* Opens a person's sealed ID number (column col) into p->id_number. */
static int
open_person_id(struct store *s, sqlite3_stmt *st, int col, const char *bind,
    struct store_person *p, struct lf_error *err)
{
	char aad[128];
	size_t n;
	int alen = fieldio_aad(aad, sizeof(aad), bind, 0, "id_number");

	if (alen < 0 || sqlite3_column_type(st, col) != SQLITE_BLOB ||
	    crypto_open(s->keys, aad, (size_t)alen, sqlite3_column_blob(st,
	    col), (size_t)sqlite3_column_bytes(st, col), p->id_number,
	    sizeof(p->id_number) - 1, &n) != 0)
		return lf_error_set(err, "corrupt", "id_number", "身份证号无法"
		    "解密 (the sealed ID number fails authentication)");
	p->id_number[n] = '\0';
	return 0;
}

/* The binding of the person whose lookup hash is in column col. */
static int
bind_from_row(sqlite3_stmt *st, int col, char bind[BIND_LEN + 1],
    struct lf_error *err)
{
	if (sqlite3_column_bytes(st, col) != CRYPTO_HASH_LEN)
		return lf_error_set(err, "corrupt", "id_number", "人员记录损坏 "
		    "(a person row has no valid lookup hash)");
	fieldio_bind_of(sqlite3_column_blob(st, col), bind);
	return 0;
}

const char *
store_person_shown_id(const struct store_person *p)
{
	return p->id_masked[0] != '\0' ? p->id_masked : p->id_number;
}

int
store_person_row(struct store *s, sqlite3_stmt *st, int col,
    struct store_person *p, char bind[BIND_LEN + 1], int open_id,
    struct lf_error *err)
{
	memset(p, 0, sizeof(*p));
	if (bind_from_row(st, col + 11, bind, err) != 0)
		return -1;
	p->id = sqlite3_column_int64(st, col);
	store_copy_col(st, col + 1, p->uid, sizeof(p->uid));
	store_copy_col(st, col + 2, p->name, sizeof(p->name));
	p->gender = sqlite3_column_int(st, col + 3);
	store_copy_col(st, col + 4, p->birth_date, sizeof(p->birth_date));
	store_copy_col(st, col + 5, p->region, sizeof(p->region));
	p->status = sqlite3_column_int(st, col + 6);
	p->version = sqlite3_column_int64(st, col + 7);
	store_copy_col(st, col + 8, p->updated_at, sizeof(p->updated_at));
	store_copy_col(st, col + 9, p->updated_by, sizeof(p->updated_by));
	store_copy_col(st, col + 12, p->id_masked, sizeof(p->id_masked));
	return open_id ? open_person_id(s, st, col + 10, bind, p, err) : 0;
}

/* Steps st once: 0 with the person of the row, 1 when there is none, -1
 * on error. The caller resets or finalizes st. */
static int
person_step(struct store *s, sqlite3_stmt *st, struct store_person *out,
    struct lf_error *err)
{
	char bind[BIND_LEN + 1];
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return store_person_row(s, st, 0, out, bind, 0, err);
	return rc == SQLITE_DONE ? 1 : store_sqlite_error(s, "person", err);
}

int
store_person_by_idnum(struct store *s, const char *id18,
    struct store_person *out, struct lf_error *err)
{
	sqlite3_stmt *st = s->st[ST_PERSON_FIND];
	unsigned char hash[CRYPTO_HASH_LEN];
	int rc;

	if (crypto_lookup_hash(s->keys, "id_number", id18, strlen(id18), hash))
		return lf_error_set(err, "crypto", "id_number", "哈希失败");
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	rc = person_step(s, st, out, err);
	sqlite3_reset(st);
	/* the number looked up is the one whose hash matched: nothing to
	 * open */
	if (rc == 0)
		snprintf(out->id_number, sizeof(out->id_number), "%s", id18);
	return rc;
}

#define PERSON_COLS "p.id, p.uid, p.name, p.gender, p.birth_date, " \
	"p.region, p.status, p.version, p.updated_at, p.updated_by, " \
	"p.id_enc, p.id_hash, p.id_masked"

/* Runs sql (one text or blob parameter, bound by the caller's choice)
 * and reads the first row's person. 0 found, 1 not found. */
static int
person_query(struct store *s, const char *sql, const void *key, int keylen,
    int is_blob, struct store_person *out, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "person", err);
	if (is_blob)
		sqlite3_bind_blob(st, 1, key, keylen, SQLITE_STATIC);
	else
		sqlite3_bind_text(st, 1, key, keylen, SQLITE_STATIC);
	rc = person_step(s, st, out, err);
	sqlite3_finalize(st);
	return rc;
}

int
store_person_by_uid(struct store *s, const char *uid,
    struct store_person *out, struct lf_error *err)
{
	sqlite3_stmt *st = s->st[ST_PERSON_BY_UID];
	int rc;

	if (strlen(uid) != STORE_UID_LEN)
		return 1;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	rc = person_step(s, st, out, err);
	sqlite3_reset(st);
	return rc;
}

int
store_person_by_id(struct store *s, int64_t id, struct store_person *out,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT " PERSON_COLS " FROM persons p "
	    "WHERE p.id = ?", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "person", err);
	sqlite3_bind_int64(st, 1, id);
	rc = person_step(s, st, out, err);
	sqlite3_finalize(st);
	return rc;
}

int
store_person_by_card(struct store *s, const char *card,
    struct store_person *out, struct lf_error *err)
{
	unsigned char hash[CRYPTO_HASH_LEN];

	if (crypto_lookup_hash(s->keys, "disability_card_no", card,
	    strlen(card), hash) != 0)
		return lf_error_set(err, "crypto", "", "哈希失败");
	return person_query(s, "SELECT " PERSON_COLS " FROM surveys v JOIN "
	    "persons p ON p.id = v.person_id WHERE v.disability_card_no_hash "
	    "= ? ORDER BY v.year DESC LIMIT 1", hash, sizeof(hash), 1, out,
	    err);
}

int
store_person_search_name(struct store *s, const char *prefix,
    const struct region *in, int limit,
    int (*fn)(void *arg, const struct store_person *p), void *arg,
    struct lf_error *err)
{
	char hi[256], lo12[24], hi12[24], bind[BIND_LEN + 1];
	struct store_person p;
	sqlite3_stmt *st;
	int rc = 0, step;

	/* every name with the prefix sorts below prefix + U+10FFFF */
	if (snprintf(hi, sizeof(hi), "%s\xf4\x8f\xbf\xbf", prefix) >=
	    (int)sizeof(hi))
		return lf_error_set(err, "too_long", "name", "姓名过长");
	if (sqlite3_prepare_v2(s->db, "SELECT " PERSON_COLS " FROM persons p "
	    "WHERE p.name >= ? AND p.name < ? AND p.region >= ? AND p.region "
	    "< ? ORDER BY p.name, p.id LIMIT ?", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "search", err);
	if (in != NULL)
		store_region_range(in, lo12, hi12);
	else {
		snprintf(lo12, sizeof(lo12), "000000000000");
		snprintf(hi12, sizeof(hi12), "999999999999~");
	}
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, lo12, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, hi12, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, limit);
	while ((step = sqlite3_step(st)) == SQLITE_ROW && rc == 0) {
		if ((rc = store_person_row(s, st, 0, &p, bind, 0, err)) != 0)
			break;
		rc = fn(arg, &p);
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = store_sqlite_error(s, "search", err);
	sqlite3_finalize(st);
	return rc;
}

static int
person_bind(struct store *s, int64_t person_id, char bind[BIND_LEN + 1],
    struct lf_error *err)
{
	sqlite3_stmt *st = s->st[ST_PERSON_BIND];
	int rc;

	sqlite3_bind_int64(st, 1, person_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = bind_from_row(st, 0, bind, err) == 0 ? SQLITE_ROW :
		    SQLITE_ERROR;
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_ERROR && err->code != NULL)
		return -1;
	return rc == SQLITE_DONE ? 1 : store_sqlite_error(s, "person", err);
}

int
store_survey_get(struct store *s, int64_t person_id, int year,
    struct record *r, int64_t *version, struct lf_error *err)
{
	sqlite3_stmt *st = s->st[ST_SURVEY_FIND];
	char bind[BIND_LEN + 1];
	int rc;

	record_clear(r);
	lf_error_clear(err);
	if ((rc = person_bind(s, person_id, bind, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int(st, 2, year);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 1);
		rc = store_rec_open(s, st, 2, r, bind, year, NULL, err);
	} else
		rc = rc == SQLITE_DONE ? 1 : store_sqlite_error(s, "survey",
		    err);
	sqlite3_reset(st);
	return rc;
}

static int
surveys_each(struct store *s, int64_t person_id, struct record *r,
    int masked, store_survey_fn fn, void *arg, struct lf_error *err)
{
	sqlite3_stmt *st = s->st[ST_SURVEY_ALL];
	char bind[BIND_LEN + 1];
	int rc, step, year;

	lf_error_clear(err);
	if ((rc = person_bind(s, person_id, bind, err)) != 0)
		return rc == 1 ? 0 : rc;	/* no person: no surveys */
	sqlite3_bind_int64(st, 1, person_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		year = sqlite3_column_int(st, 0);
		record_clear(r);
		rc = masked ? store_rec_read(s, st, 2, r, PACKREC_MASKED, err) :
		    store_rec_open(s, st, 2, r, bind, year, NULL, err);
		if (rc != 0 ||
		    (rc = fn(arg, year, sqlite3_column_int64(st, 1), r)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlite_error(s, "surveys", err);
	sqlite3_reset(st);
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

int
store_person_open_id(struct store *s, struct store_person *p,
    struct lf_error *err)
{
	sqlite3_stmt *st = s->st[ST_PERSON_SEALED];
	char bind[BIND_LEN + 1];
	int rc;

	sqlite3_bind_int64(st, 1, p->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = bind_from_row(st, 1, bind, err) != 0 ||
		    open_person_id(s, st, 0, bind, p, err) != 0 ? -1 : 0;
	else
		rc = rc == SQLITE_DONE ? lf_error_set(err, "not_found", "",
		    "人员不存在 (no such person)") : store_sqlite_error(s,
		    "person", err);
	sqlite3_reset(st);
	return rc;
}

int
store_survey_years(struct store *s, int64_t person_id, int *years,
    size_t max, size_t *n, struct lf_error *err)
{
	sqlite3_stmt *st = s->st[ST_SURVEY_YEARS];
	int rc;

	*n = 0;
	sqlite3_bind_int64(st, 1, person_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		years[(*n)++] = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_error(s, "years", err);
	return 0;
}

int
store_history(struct store *s, int64_t person_id, store_history_fn fn,
    void *arg, struct lf_error *err)
{
	struct store_change c;
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT entity, entity_id, year, "
	    "version, actor, at, changes FROM history WHERE person_id = ? "
	    "ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "history", err);
	sqlite3_bind_int64(st, 1, person_id);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		c.entity = (const char *)sqlite3_column_text(st, 0);
		c.entity_id = sqlite3_column_int64(st, 1);
		c.year = sqlite3_column_int(st, 2);
		c.version = sqlite3_column_int64(st, 3);
		c.actor = (const char *)sqlite3_column_text(st, 4);
		c.at = (const char *)sqlite3_column_text(st, 5);
		c.changes = (const char *)sqlite3_column_text(st, 6);
		stop = fn(arg, &c);
	}
	sqlite3_finalize(st);
	if (!stop && rc != SQLITE_DONE)
		return store_sqlite_error(s, "history", err);
	return 0;
}

/* The [lo, hi) text range of 12-digit village codes inside region r. */
void
store_region_range(const struct region *r, char lo[24], char hi[24])
{
	int digits = region_level_digits(r->level);
	long long div = 1, base;
	int i;

	for (i = digits; i < 12; i++)
		div *= 10;
	base = (long long)(r->code12 / div);
	snprintf(lo, 24, "%0*lld", 12, base * div);
	snprintf(hi, 24, "%0*lld", 12, (base + 1) * div);
}

int
store_count_sql(const char *what, char sql[64], struct lf_error *err)
{
	static const char *const tables[] = { "persons", "surveys", "history",
	    "plans", "items" };
	size_t i, n = sizeof(tables) / sizeof(tables[0]);

	for (i = 0; i < n; i++)
		if (strcmp(what, tables[i]) == 0)
			break;
	if (i == n)
		return lf_error_set(err, "usage", "", "unknown table %s", what);
	snprintf(sql, 64, "SELECT count(*) FROM %s", tables[i]);
	return 0;
}

int
store_count(struct store *s, const char *what, int64_t *n,
    struct lf_error *err)
{
	char sql[64];
	sqlite3_stmt *st;
	int rc;

	if (s->pg != NULL)
		return pg_count(s, what, n, err);
	if (store_count_sql(what, sql, err) != 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "count", err);
	rc = sqlite3_step(st);
	*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_sqlite_error(s, "count", err);
}

int
store_count_region(struct store *s, const struct region *r, int64_t *n,
    struct lf_error *err)
{
	char lo[24], hi[24];
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM persons WHERE "
	    "region >= ? AND region < ?", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "count", err);
	store_region_range(r, lo, hi);
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_sqlite_error(s, "count", err);
}

static size_t
count_multi(const struct store_filter *fl, size_t n)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++)
		m += fl[i].f->type == FT_MULTI;
	return m;
}

static int
list_sql(const struct store_filter *fl, size_t n, struct buf *b,
    struct lf_error *err)
{
	size_t i;

	if (buf_adds(b, "SELECT " PERSON_COLS " FROM surveys v JOIN persons p "
	    "ON p.id = v.person_id WHERE v.year = ? AND p.region >= ? AND "
	    "p.region < ? AND v.person_id > ?") != 0)
		return lf_error_nomem(err);
	for (i = 0; i < n; i++) {
		const struct field *f = fl[i].f;

		if (f->secret)
			return lf_error_set(err, "bad_filter", f->code, "%s 是"
			    "加密项, 不能筛选 (secret items cannot be filtered)",
			    f->code);
		if (f->type == FT_MULTI ? buf_addf(b, " AND (lf_item(v.rec, "
		    "'%s') & ?) = ?", f->code) : buf_addf(b, " AND lf_item("
		    "v.rec, '%s') = ?", f->code))
			return lf_error_nomem(err);
	}
	/* v.person_id, not p.id (the same value): SQLite then walks
	 * surveys_year in order and stops at the limit, instead of sorting
	 * every survey of the year first (1.6 s at 1 M persons) */
	return buf_adds(b, " ORDER BY v.person_id LIMIT ?") == 0 ? 0 :
	    lf_error_nomem(err);
}

static void
bind_filters(sqlite3_stmt *st, const struct store_filter *fl, size_t n,
    int idx)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (fl[i].f->type == FT_MULTI) {
			sqlite3_bind_int64(st, idx++, fl[i].num);
			sqlite3_bind_int64(st, idx++, fl[i].num);
		} else if (fl[i].text != NULL)
			sqlite3_bind_text(st, idx++, fl[i].text, -1,
			    SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, idx++, fl[i].num);
	}
}

int
store_list(struct store *s, int year, const struct region *in,
    const struct store_filter *fl, size_t n, int64_t after, int limit,
    int (*fn)(void *arg, const struct store_person *p), void *arg,
    int64_t *last, struct lf_error *err)
{
	char lo[24], hi[24], bind[BIND_LEN + 1];
	struct store_person p;
	sqlite3_stmt *st = NULL;
	struct buf sql;
	int rc = -1, step;

	*last = after;
	buf_init(&sql, 1 << 16);
	if (list_sql(fl, n, &sql, err) != 0)
		goto out;
	if (sqlite3_prepare_v2(s->db, buf_str(&sql), -1, &st, NULL) !=
	    SQLITE_OK) {
		store_sqlite_error(s, "list", err);
		goto out;
	}
	store_region_range(in, lo, hi);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, after);
	bind_filters(st, fl, n, 5);
	sqlite3_bind_int(st, 5 + (int)n + (int)count_multi(fl, n),
	    limit < 1 ? 1 : limit > 1000 ? 1000 : limit);
	rc = 0;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = store_person_row(s, st, 0, &p, bind, 0, err)) != 0)
			break;
		*last = p.id;
		rc = fn(arg, &p);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlite_error(s, "list", err);
out:
	sqlite3_finalize(st);
	buf_free(&sql);
	return rc;
}

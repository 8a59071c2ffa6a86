/*
 * store_read.c - lookups, scans and history reads. The person reads run
 * on either backend through store/dbq.h: one SQL text where the dialect
 * is common, the person row's columns per backend (PostgreSQL keeps
 * birth dates as date, times as timestamptz and no masked ID number:
 * it is made here from the opened one, by the same packrec_mask()), one
 * decoder (person_from()). The surveys of a person are in
 * store_read_survey.c.
 */
#include "store/store_int.h"
#include "store/dbq.h"
#include "store/pg/pg_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/mem.h"

/* The person columns person_from() reads, from its col on. */
#define PERSON_COLS_SQ "p.id, p.uid, p.name, p.gender, p.birth_date, " \
	"p.region, p.status, p.version, p.updated_at, p.updated_by, " \
	"p.id_enc, p.id_hash, p.id_masked"
#define PERSON_COLS_PG "p.id, p.uid, p.name, p.gender, " \
	"p.birth_date::text, p.region, p.status, p.version, " \
	"to_char(p.updated_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), p.updated_by, p.id_enc, " \
	"p.id_hash, NULL"
#define PC_ENC		10
#define PC_HASH		11
#define PC_MASKED	12

static const char *
person_cols(const struct store *s)
{
	return s->pg != NULL ? PERSON_COLS_PG : PERSON_COLS_SQ;
}

int
store_person_open_sealed(struct store *s, const void *enc, size_t n, const char *bind,
    struct store_person *p, struct lf_error *err)
{
	char aad[128];
	size_t len;
	int alen = fieldio_aad(aad, sizeof(aad), bind, 0, "id_number");

	if (alen < 0 || enc == NULL || crypto_open(s->keys, aad,
	    (size_t)alen, enc, n, p->id_number, sizeof(p->id_number) - 1,
	    &len) != 0)
		return lf_error_set(err, "corrupt", "id_number", "身份证号无法"
		    "解密 (the sealed ID number fails authentication)");
	p->id_number[len] = '\0';
	return 0;
}

/* The binding of the person whose lookup hash is in column col. */
static int
bind_from(struct dbq *q, int col, char bind[BIND_LEN + 1],
    struct lf_error *err)
{
	const void *h;
	size_t n;
	int bad;

	h = dbq_blob(q, col, &n, &bad);
	if (bad)
		return lf_error_nomem(err);
	if (h == NULL || n != CRYPTO_HASH_LEN)
		return lf_error_set(err, "corrupt", "id_number", "人员记录损坏 "
		    "(a person row has no valid lookup hash)");
	fieldio_bind_of(h, bind);
	return 0;
}

/*
 * The person of q's current row (PERSON_COLS_*, from column c on). Sets
 * bind; opens the ID number into p->id_number when want_id (else ""). A
 * row without a masked ID number (PostgreSQL) gets it from the opened
 * one.
 */
static int
person_from(struct store *s, struct dbq *q, int c, struct store_person *p,
    char bind[BIND_LEN + 1], int want_id, struct lf_error *err)
{
	const void *enc;
	size_t n;
	int masked, bad;

	memset(p, 0, sizeof(*p));
	if (bind_from(q, c + PC_HASH, bind, err) != 0)
		return -1;
	p->id = dbq_int64(q, c);
	dbq_copy(q, c + 1, p->uid, sizeof(p->uid));
	dbq_copy(q, c + 2, p->name, sizeof(p->name));
	p->gender = dbq_int(q, c + 3);
	dbq_copy(q, c + 4, p->birth_date, sizeof(p->birth_date));
	dbq_copy(q, c + 5, p->region, sizeof(p->region));
	p->status = dbq_int(q, c + 6);
	p->version = dbq_int64(q, c + 7);
	dbq_copy(q, c + 8, p->updated_at, sizeof(p->updated_at));
	dbq_copy(q, c + 9, p->updated_by, sizeof(p->updated_by));
	masked = !dbq_is_null(q, c + PC_MASKED);
	if (masked)
		dbq_copy(q, c + PC_MASKED, p->id_masked, sizeof(p->id_masked));
	if (!want_id && masked)
		return 0;
	enc = dbq_blob(q, c + PC_ENC, &n, &bad);
	if (bad)
		return lf_error_nomem(err);
	if (store_person_open_sealed(s, enc, n, bind, p, err) != 0)
		return -1;
	if (!masked)
		packrec_mask(p->id_number, p->id_masked, sizeof(p->id_masked));
	if (!want_id)
		memset(p->id_number, 0, sizeof(p->id_number));
	return 0;
}

int
store_person_row(struct store *s, sqlite3_stmt *st, int col,
    struct store_person *p, char bind[BIND_LEN + 1], int open_id,
    struct lf_error *err)
{
	struct dbq q;

	/* the row of a statement the caller steps, read through dbq's
	 * column functions: one decoder for every person row */
	memset(&q, 0, sizeof(q));
	q.s = s;
	q.st = st;
	return person_from(s, &q, col, p, bind, open_id, err);
}

const char *
store_person_shown_id(const struct store_person *p)
{
	return p->id_masked[0] != '\0' ? p->id_masked : p->id_number;
}

/* The lookups of one person: by what, their WHERE (after the columns,
 * "FROM persons p"), the kept statement's slot (-1: prepared each time). */
enum by { BY_UID, BY_ID, BY_HASH, BY_CARD };
static const struct {
	const char	*from_where;
	int		 slot;
} bys[] = {
	[BY_UID] = { "FROM persons p WHERE p.uid = ?", ST_PERSON_BY_UID },
	[BY_ID] = { "FROM persons p WHERE p.id = ?", ST_PERSON_BY_ID },
	[BY_HASH] = { "FROM persons p WHERE p.id_hash = ?", ST_PERSON_BY_HASH },
	[BY_CARD] = { "FROM surveys v JOIN persons p ON p.id = v.person_id "
	    "WHERE v.disability_card_no_hash = ? ORDER BY v.year DESC LIMIT 1",
	    -1 },
};

/* The person found by `by` (its one parameter bound by fmt, dbq_bind()'s
 * letters): 0 found, 1 not found, -1 error. */
static int
person_by(struct store *s, enum by by, struct store_person *out,
    struct lf_error *err, const char *fmt, ...)
{
	char sql[1024], bind[BIND_LEN + 1];
	struct dbq q;
	va_list ap;
	int slot = bys[by].slot, kept = slot >= 0 && dbq_is_kept(s, slot), rc;

	/* the text only when it is to be prepared (not on every request) */
	if (!kept)
		snprintf(sql, sizeof(sql), "SELECT %s %s", person_cols(s),
		    bys[by].from_where);
	rc = slot < 0 ? dbq_prep(s, &q, sql, "person", err) : dbq_keep(s, &q,
	    slot, kept ? NULL : sql, "person", err);
	if (rc == 0) {
		va_start(ap, fmt);
		rc = dbq_vbind(&q, err, fmt, ap);
		va_end(ap);
	}
	if (rc == 0 && (rc = dbq_step(&q, err)) == 1)
		rc = person_from(s, &q, 0, out, bind, 0, err);
	else if (rc == 0)
		rc = 1;
	dbq_end(&q);
	return rc;
}

int
store_person_by_idnum(struct store *s, const char *id18,
    struct store_person *out, struct lf_error *err)
{
	unsigned char hash[CRYPTO_HASH_LEN];
	int rc;

	if (crypto_lookup_hash(s->keys, "id_number", id18, strlen(id18), hash))
		return lf_error_set(err, "crypto", "id_number", "哈希失败");
	rc = person_by(s, BY_HASH, out, err, "h", hash);
	/* the number looked up is the one whose hash matched: nothing to
	 * open */
	if (rc == 0)
		snprintf(out->id_number, sizeof(out->id_number), "%s", id18);
	return rc;
}

int
store_person_by_uid(struct store *s, const char *uid,
    struct store_person *out, struct lf_error *err)
{
	if (strlen(uid) != STORE_UID_LEN)
		return 1;
	return person_by(s, BY_UID, out, err, "t", uid);
}

int
store_person_by_id(struct store *s, int64_t id, struct store_person *out,
    struct lf_error *err)
{
	return person_by(s, BY_ID, out, err, "i", id);
}

int
store_person_by_card(struct store *s, const char *card,
    struct store_person *out, struct lf_error *err)
{
	unsigned char hash[CRYPTO_HASH_LEN];

	if (crypto_lookup_hash(s->keys, "disability_card_no", card,
	    strlen(card), hash) != 0)
		return lf_error_set(err, "crypto", "", "哈希失败");
	return person_by(s, BY_CARD, out, err, "h", hash);
}

/* Runs q (bound) and hands each row's person to fn; 0, fn's non-zero,
 * or -1 with err. last (may be NULL) gets the last person's id. */
static int
persons_each(struct store *s, struct dbq *q,
    int (*fn)(void *arg, const struct store_person *p), void *arg,
    int64_t *last, struct lf_error *err)
{
	char bind[BIND_LEN + 1];
	struct store_person p;
	int rc = 0, step;

	while (rc == 0 && (step = dbq_step(q, err)) == 1) {
		if ((rc = person_from(s, q, 0, &p, bind, 0, err)) != 0)
			break;
		if (last != NULL)
			*last = p.id;
		rc = fn(arg, &p);
	}
	if (rc == 0 && step != 0)
		rc = -1;
	return rc;
}

int
store_person_search_name(struct store *s, const char *prefix,
    const struct region *in, int limit,
    int (*fn)(void *arg, const struct store_person *p), void *arg,
    struct lf_error *err)
{
	char hi[256], lo12[24], hi12[24], sql[1024];
	struct dbq q;
	int rc;

	/* every name with the prefix sorts below prefix + U+10FFFF (byte
	 * order: SQLite's BINARY, PostgreSQL's "C" collation) */
	if (snprintf(hi, sizeof(hi), "%s\xf4\x8f\xbf\xbf", prefix) >=
	    (int)sizeof(hi))
		return lf_error_set(err, "too_long", "name", "姓名过长");
	if (in != NULL)
		store_region_range(in, lo12, hi12);
	else {
		snprintf(lo12, sizeof(lo12), "000000000000");
		snprintf(hi12, sizeof(hi12), "999999999999~");
	}
	snprintf(sql, sizeof(sql), "SELECT %s FROM persons p WHERE p.name >= "
	    "? AND p.name < ? AND p.region >= ? AND p.region < ? ORDER BY "
	    "p.name, p.id LIMIT ?", person_cols(s));
	rc = dbq_prep(s, &q, sql, "search", err) != 0 || dbq_bind(&q, err,
	    "tttti", prefix, hi, lo12, hi12, (int64_t)limit) != 0 ? -1 :
	    persons_each(s, &q, fn, arg, NULL, err);
	dbq_end(&q);
	return rc;
}

int
store_person_bind(struct store *s, int64_t person_id,
    char bind[BIND_LEN + 1], struct lf_error *err)
{
	struct dbq q;
	int rc;

	rc = dbq_keep(s, &q, ST_PERSON_BIND, "SELECT id_hash FROM persons "
	    "WHERE id = ?", "person", err) != 0 || dbq_bind(&q, err, "i",
	    person_id) != 0 ? -1 : dbq_step(&q, err);
	if (rc == 1)
		rc = bind_from(&q, 0, bind, err);
	else if (rc == 0)
		rc = 1;
	dbq_end(&q);
	return rc;
}

int
store_person_open_id(struct store *s, struct store_person *p,
    struct lf_error *err)
{
	char bind[BIND_LEN + 1];
	const void *enc;
	struct dbq q;
	size_t n;
	int rc, bad;

	rc = dbq_keep(s, &q, ST_PERSON_SEALED, "SELECT id_enc, id_hash FROM "
	    "persons WHERE id = ?", "person", err) != 0 || dbq_bind(&q, err,
	    "i", p->id) != 0 ? -1 : dbq_step(&q, err);
	if (rc == 1) {
		enc = dbq_blob(&q, 0, &n, &bad);
		rc = bad ? lf_error_nomem(err) : bind_from(&q, 1, bind, err)
		    != 0 ? -1 : store_person_open_sealed(s, enc, n, bind, p, err);
	} else if (rc == 0)
		rc = lf_error_set(err, "not_found", "", "人员不存在 (no such "
		    "person)");
	dbq_end(&q);
	return rc;
}

int
store_survey_years(struct store *s, int64_t person_id, int *years,
    size_t max, size_t *n, struct lf_error *err)
{
	struct dbq q;
	int rc;

	*n = 0;
	rc = dbq_keep(s, &q, ST_SURVEY_YEARS, "SELECT year FROM surveys WHERE "
	    "person_id = ? ORDER BY year", "years", err) != 0 ||
	    dbq_bind(&q, err, "i", person_id) != 0 ? -1 : 0;
	while (rc == 0 && *n < max && (rc = dbq_step(&q, err)) == 1) {
		years[(*n)++] = dbq_int(&q, 0);
		rc = 0;
	}
	dbq_end(&q);
	return rc < 0 ? -1 : 0;
}

/* A history row's time as SQLite keeps it, "YYYY-MM-DDTHH:MM:SSZ": a
 * timestamptz on PostgreSQL (the one column whose form differs). */
#define HIST_AT_PG	"to_char(at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

int
store_history(struct store *s, int64_t person_id, store_history_fn fn,
    void *arg, struct lf_error *err)
{
	struct store_change c;
	struct dbq q;
	char sql[256];
	int rc, stop = 0;

	snprintf(sql, sizeof(sql), "SELECT entity, entity_id, year, version, "
	    "actor, %s, changes FROM history WHERE person_id = ? ORDER BY id",
	    dbq_is_pg(s) ? HIST_AT_PG : "at");
	rc = dbq_prep(s, &q, sql, "history", err) != 0 ||
	    dbq_bind(&q, err, "i", person_id) != 0 ? -1 : 0;
	while (rc == 0 && !stop && (rc = dbq_step(&q, err)) == 1) {
		c.entity = dbq_text0(&q, 0);
		c.entity_id = dbq_int64(&q, 1);
		c.year = dbq_int(&q, 2);
		c.version = dbq_int64(&q, 3);
		c.actor = dbq_text0(&q, 4);
		c.at = dbq_text0(&q, 5);
		c.changes = dbq_text0(&q, 6);
		stop = fn(arg, &c);
		rc = 0;
	}
	dbq_end(&q);
	return rc < 0 ? -1 : 0;
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

/* The one count q gives (bound); 0 or -1. */
static int
count_of(struct dbq *q, int64_t *n, struct lf_error *err)
{
	int rc = dbq_step(q, err);

	*n = rc == 1 ? dbq_int64(q, 0) : 0;
	return rc == 1 ? 0 : -1;
}

int
store_count(struct store *s, const char *what, int64_t *n,
    struct lf_error *err)
{
	char sql[64];
	struct dbq q;
	int rc;

	*n = 0;
	if (store_count_sql(what, sql, err) != 0)
		return -1;
	rc = dbq_prep(s, &q, sql, "count", err) != 0 ? -1 :
	    count_of(&q, n, err);
	dbq_end(&q);
	return rc;
}

int
store_count_region(struct store *s, const struct region *r, int64_t *n,
    struct lf_error *err)
{
	char lo[24], hi[24];
	struct dbq q;
	int rc;

	*n = 0;
	store_region_range(r, lo, hi);
	rc = dbq_prep(s, &q, "SELECT count(*) FROM persons WHERE region >= ? "
	    "AND region < ?", "count", err) != 0 || dbq_bind(&q, err, "tt",
	    lo, hi) != 0 ? -1 : count_of(&q, n, err);
	dbq_end(&q);
	return rc;
}

/* The expression of a survey item in a list's WHERE: SQLite reads it
 * from the packed record, PostgreSQL has a column per item. */
static int
item_expr(const struct store *s, const struct field *f, struct buf *b)
{
	return s->pg != NULL ? buf_addf(b, "v.%s", f->code) :
	    buf_addf(b, "lf_item(v.rec, '%s')", f->code);
}

static int
list_sql(const struct store *s, const struct store_filter *fl, size_t n,
    struct buf *b, struct lf_error *err)
{
	size_t i;

	if (buf_addf(b, "SELECT %s FROM surveys v JOIN persons p ON p.id = "
	    "v.person_id WHERE v.year = ? AND p.region >= ? AND p.region < ? "
	    "AND v.person_id > ?", person_cols(s)) != 0)
		return lf_error_nomem(err);
	for (i = 0; i < n; i++) {
		const struct field *f = fl[i].f;
		int multi = f->type == FT_MULTI;

		if (f->secret)
			return lf_error_set(err, "bad_filter", f->code, "%s 是"
			    "加密项, 不能筛选 (secret items cannot be filtered)",
			    f->code);
		if (buf_adds(b, multi ? " AND (" : " AND ") != 0 ||
		    item_expr(s, f, b) != 0 ||
		    buf_adds(b, multi ? " & ?) = ?" : " = ?") != 0)
			return lf_error_nomem(err);
	}
	/* v.person_id, not p.id (the same value): SQLite then walks
	 * surveys_year in order and stops at the limit, instead of sorting
	 * every survey of the year first (1.6 s at 1 M persons) */
	return buf_adds(b, " ORDER BY v.person_id LIMIT ?") == 0 ? 0 :
	    lf_error_nomem(err);
}

static int
bind_filters(struct dbq *q, const struct store_filter *fl, size_t n,
    struct lf_error *err)
{
	int pos = 5;
	size_t i;

	for (i = 0; i < n; i++) {
		if (fl[i].f->type == FT_MULTI &&
		    (dbq_bind_int(q, pos++, fl[i].num, err) != 0 ||
		    dbq_bind_int(q, pos++, fl[i].num, err) != 0))
			return -1;
		if (fl[i].f->type != FT_MULTI && (fl[i].text != NULL ?
		    dbq_bind_text(q, pos++, fl[i].text, err) :
		    dbq_bind_int(q, pos++, fl[i].num, err)) != 0)
			return -1;
	}
	return 0;
}

int
store_list(struct store *s, int year, const struct region *in,
    const struct store_filter *fl, size_t n, int64_t after, int limit,
    int (*fn)(void *arg, const struct store_person *p), void *arg,
    int64_t *last, struct lf_error *err)
{
	char lo[24], hi[24];
	struct dbq q;
	struct buf sql;
	int rc = -1;

	*last = after;
	memset(&q, 0, sizeof(q));
	buf_init(&sql, 1 << 16);
	store_region_range(in, lo, hi);
	if (list_sql(s, fl, n, &sql, err) != 0 ||
	    dbq_prep(s, &q, buf_str(&sql), "list", err) != 0 ||
	    dbq_bind(&q, err, "itti", (int64_t)year, lo, hi, after) != 0 ||
	    bind_filters(&q, fl, n, err) != 0 ||
	    dbq_bind_int(&q, q.nparams, limit < 1 ? 1 : limit > 1000 ? 1000 :
	    limit, err) != 0)
		goto out;
	rc = persons_each(s, &q, fn, arg, last, err);
out:
	dbq_end(&q);
	buf_free(&sql);
	return rc;
}

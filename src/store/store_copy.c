/*
 * store_copy.c - a registry's persons and surveys copied between SQLite
 * and PostgreSQL (either way), and the row sums that check the copy
 * (store_copy.h).
 */
#include "store/store_copy.h"
#include "store/store_int.h"
#include "store/pg/pg_int.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"

const char *const store_sum_tables[STORE_NSUMS] = {
	"persons", "surveys", "history", "plans", "items"
};

int
store_copy_keys_same(const struct store *a, const struct store *b)
{
	unsigned char x[CRYPTO_HASH_LEN], y[CRYPTO_HASH_LEN];

	if (crypto_keys_check(a->keys, x) != 0 ||
	    crypto_keys_check(b->keys, y) != 0)
		return 0;
	return memcmp(x, y, sizeof(x)) == 0;
}

int
store_copy_sum_add(const struct store *s, struct store_sum *sum,
    const struct buf *b)
{
	unsigned char h[CRYPTO_HASH_LEN];
	uint64_t v = 0;
	int i;

	if (crypto_lookup_hash(s->keys, "copy-sum", b->len ? b->data : NULL,
	    b->len, h) != 0)
		return -1;
	for (i = 0; i < 8; i++)
		v = v << 8 | h[i];
	sum->rows++;
	sum->sum += v;
	return 0;
}

/*
 * Escapes the text appended to b since byte `from`: '\\' and '|' and a
 * newline get a backslash, so that no value can end its field early and
 * no value can read as another split of the line (a value "a|x=b" would
 * otherwise sum as two columns). Most values hold none of them and are
 * left as they are, without an allocation.
 */
int
store_copy_sum_escape(struct buf *b, size_t from)
{
	char *tail;
	size_t i, n = b->len - from;
	int rc = 0;

	if (strcspn(b->data + from, "\\|\n") == n)
		return 0;
	if ((tail = mem_alloc(n)) == NULL)
		return -1;
	memcpy(tail, b->data + from, n);
	b->len = from;
	b->data[from] = '\0';
	for (i = 0; i < n && rc == 0; i++) {
		if (tail[i] == '\n')
			rc = buf_adds(b, "\\n");
		else if (tail[i] == '\\' || tail[i] == '|')
			rc = buf_addc(b, '\\') != 0 ? -1 :
			    buf_addc(b, tail[i]);
		else
			rc = buf_addc(b, tail[i]);
	}
	mem_free(tail);
	return rc;
}

/* "|" then the text s (NULL as ""), escaped. */
static int
sum_field(struct buf *b, const char *s)
{
	size_t from;

	if (buf_addc(b, '|') != 0)
		return -1;
	from = b->len;
	return buf_adds(b, s != NULL ? s : "") != 0 ? -1 :
	    store_copy_sum_escape(b, from);
}

int
store_copy_person_line(struct buf *b, int64_t id, const char *uid,
    const char *hash_hex, const char *id_number, const char *name,
    int gender, const char *birth, const char *region, int status)
{
	buf_reset(b);
	return buf_addf(b, "%lld", (long long)id) != 0 ||
	    sum_field(b, uid) != 0 || sum_field(b, hash_hex) != 0 ||
	    sum_field(b, id_number) != 0 || sum_field(b, name) != 0 ||
	    buf_addf(b, "|%d", gender) != 0 || sum_field(b, birth) != 0 ||
	    sum_field(b, region) != 0 ? -1 : buf_addf(b, "|%d\n", status);
}

int
store_copy_open_id(struct store *s, const unsigned char *hash,
    const void *enc, size_t len, struct record *r, const char **out,
    struct lf_error *err)
{
	char bind[BIND_LEN + 1];

	fieldio_bind_of(hash, bind);
	record_clear(r);
	if (fieldio_open(s, enc, len, r, &s->cat->fields[s->f_id], bind, 0,
	    err) != 0)
		return -1;
	*out = r->str[s->f_id];
	return 0;
}

int
store_copy_survey_line(struct buf *b, const struct catalog *cat,
    int64_t person_id, int year, const struct record *r)
{
	size_t i, from;

	buf_reset(b);
	if (buf_addf(b, "%lld|%d", (long long)person_id, year) != 0)
		return -1;
	for (i = 0; i < cat->nfields; i++) {
		if (buf_addc(b, '|') != 0)
			return -1;
		from = b->len;
		if (record_format_value(r, &cat->fields[i], b) != 0 ||
		    store_copy_sum_escape(b, from) != 0)
			return -1;
	}
	return buf_adds(b, "\n");
}

struct copying {
	struct store		*to;
	struct store_prep	*prep;
	unsigned char		*seen;		/* a bit by person id */
	size_t			 nseen;
	int64_t			 persons, surveys, last_id;
	int			 year;
	void			(*progress)(void *, int64_t);
	void			*arg;
	struct lf_error		*err;
};

/* Marks person id seen (one bit a person id); 1 when it already was, -1
 * out of memory. */
static int
seen(struct copying *c, int64_t id)
{
	size_t byte = (size_t)id / 8, want;
	unsigned char *n, bit = (unsigned char)(1u << (id % 8));

	if (byte >= c->nseen) {
		want = byte * 2 + 1024;
		if ((n = mem_realloc(c->seen, want)) == NULL)
			return -1;
		memset(n + c->nseen, 0, want - c->nseen);
		c->seen = n;
		c->nseen = want;
	}
	if (c->seen[byte] & bit)
		return 1;
	c->seen[byte] |= bit;
	return 0;
}

/* One survey of the source into the target; the person with the first
 * (latest year's) survey seen of them. */
static int
copy_one(void *arg, const struct store_person *p, const struct record *r)
{
	struct copying *c = arg;
	struct store_put put = { c->year, p->status, "migrate", 0, 0 };
	struct store_put_result res;
	int was;

	if (p->id <= 0 || (was = seen(c, p->id)) < 0)
		return lf_error_nomem(c->err);
	if (store_prepare(c->to, r, &put, c->prep, c->err) != 0)
		return lf_error_prefix(c->err, "person %lld, %d: ",
		    (long long)p->id, c->year);
	store_prep_carry(c->prep, p->id, p->uid, was);
	if (store_write(c->to, c->prep, &res, c->err) != 0)
		return -1;
	c->persons += !was;
	c->surveys++;
	if (p->id > c->last_id)
		c->last_id = p->id;
	if (c->progress != NULL)
		c->progress(c->arg, c->surveys);
	return 0;
}

static int
copy_years(struct store *from, struct copying *c, struct lf_error *err)
{
	int lo, hi;

	if (store_copy_years(from, &lo, &hi, err) != 0)
		return -1;
	/* latest year first: the person row is built from the first
	 * survey written, and the source's row holds the latest values */
	for (c->year = hi; lo > 0 && c->year >= lo; c->year--)
		if (store_copy_scan(from, c->year, copy_one, c, err) != 0)
			return -1;
	/* SQLite numbers new persons after the largest id by itself */
	return c->persons > 0 && c->to->pg != NULL ? pg_seq_past(c->to,
	    "persons", c->last_id, err) : 0;
}

/* Persons and surveys (sent: history refers to the persons), then the
 * history, plans and items. */
static int
copy_all(struct store *from, struct copying *c, int64_t rows[STORE_NSUMS],
    struct lf_error *err)
{
	int i;

	if (copy_years(from, c, err) != 0 ||
	    (c->to->pg != NULL && pg_copy_flush(c->to, err) != 0) ||
	    store_copy_survey_ids(c->to, err) != 0)
		return -1;
	rows[STORE_SUM_PERSONS] = c->persons;
	rows[STORE_SUM_SURVEYS] = c->surveys;
	for (i = STORE_SUM_HISTORY; i < STORE_NSUMS; i++)
		if (store_copy_table(from, c->to, store_sum_tables[i], &rows[i],
		    err) != 0)
			return -1;
	return 0;
}

int
store_copy_compare(const struct store_sum a[STORE_NSUMS],
    const struct store_sum b[STORE_NSUMS], const char **what)
{
	int i;

	for (i = 0; i < STORE_NSUMS; i++) {
		*what = a[i].rows != b[i].rows ? "row counts" : "checksums";
		if (a[i].rows != b[i].rows || a[i].sum != b[i].sum)
			return i;
	}
	return -1;
}

/* Both sides' sums inside the copy's transaction (the rows sent
 * first); -1 with code "mismatch" naming the first table that differs. */
static int
check(struct store *from, struct store *to, struct store_sum *a,
    struct store_sum *b, struct lf_error *err)
{
	const char *what;
	int t;

	if ((to->pg != NULL && pg_copy_flush(to, err) != 0) ||
	    store_copy_sums(from, a, err) != 0 ||
	    store_copy_sums(to, b, err) != 0)
		return -1;
	if ((t = store_copy_compare(a, b, &what)) < 0)
		return 0;
	return lf_error_set(err, "mismatch", store_sum_tables[t], "表 %s 不"
	    "一致 (table %s differs: %s)", store_sum_tables[t],
	    store_sum_tables[t], what);
}

int
store_copy_registry(struct store *from, struct store *to,
    void (*progress)(void *arg, int64_t done), void *arg,
    int64_t rows[STORE_NSUMS], struct store_sum a[STORE_NSUMS],
    struct store_sum b[STORE_NSUMS], struct lf_error *err)
{
	struct copying c;
	int rc;

	memset(rows, 0, sizeof(*rows) * STORE_NSUMS);
	memset(a, 0, sizeof(*a) * STORE_NSUMS);
	memset(b, 0, sizeof(*b) * STORE_NSUMS);
	if ((from->pg == NULL) == (to->pg == NULL))
		return lf_error_set(err, "unsupported", "", "只支持 SQLite 与 "
		    "PostgreSQL 之间的复制 (a copy runs between SQLite and "
		    "PostgreSQL, either way)");
	memset(&c, 0, sizeof(c));
	c.to = to;
	c.progress = progress;
	c.arg = arg;
	c.err = err;
	if ((c.prep = store_prep_new(to->cat)) == NULL)
		return lf_error_nomem(err);
	if ((rc = store_begin_bulk(to, err)) == 0) {
		rc = copy_all(from, &c, rows, err) != 0 ||
		    check(from, to, a, b, err) != 0 ? -1 : 0;
		if (rc == 0)
			rc = store_commit(to, err);
		else
			store_rollback(to);
	}
	store_prep_free(c.prep);
	mem_free(c.seen);
	return rc;
}

static void
hex_of(const unsigned char *p, size_t n, char *out)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexd[p[i] >> 4];
		out[2 * i + 1] = hexd[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
person_sum(struct store *s, sqlite3_stmt *st, struct buf *b,
    struct record *r, struct store_sum *sum, struct lf_error *err)
{
	char hex[2 * CRYPTO_HASH_LEN + 1];
	const unsigned char *h = sqlite3_column_blob(st, 2);
	const char *id;

	if (h == NULL || sqlite3_column_bytes(st, 2) != CRYPTO_HASH_LEN)
		return lf_error_set(err, "corrupt", "id_hash", "persons: "
		    "person %lld: 哈希无效 (lookup hash malformed)",
		    (long long)sqlite3_column_int64(st, 0));
	hex_of(h, CRYPTO_HASH_LEN, hex);
	if (store_copy_open_id(s, h, sqlite3_column_blob(st, 8),
	    (size_t)sqlite3_column_bytes(st, 8), r, &id, err) != 0)
		return lf_error_prefix(err, "persons: person %lld: ",
		    (long long)sqlite3_column_int64(st, 0));
	if (store_copy_person_line(b, sqlite3_column_int64(st, 0),
	    (const char *)sqlite3_column_text(st, 1), hex, id,
	    (const char *)sqlite3_column_text(st, 3),
	    sqlite3_column_int(st, 4), (const char *)sqlite3_column_text(st, 5),
	    (const char *)sqlite3_column_text(st, 6),
	    sqlite3_column_int(st, 7)) != 0 ||
	    store_copy_sum_add(s, sum, b) != 0)
		return lf_error_nomem(err);
	return 0;
}

static int
sqlite_persons(struct store *s, struct buf *b, struct store_sum *sum,
    struct lf_error *err)
{
	sqlite3_stmt *st;
	struct record *r;
	int rc;

	if ((r = record_new(s->cat)) == NULL)
		return lf_error_nomem(err);
	if (sqlite3_prepare_v2(s->db, "SELECT id, uid, id_hash, name, gender, "
	    "birth_date, region, status, id_enc FROM persons", -1, &st,
	    NULL) != SQLITE_OK) {
		record_free(r);
		return store_sqlite_error(s, "persons", err);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (person_sum(s, st, b, r, sum, err) != 0)
			break;
	sqlite3_finalize(st);
	record_free(r);
	if (rc == SQLITE_ROW)
		return -1;
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(s, "persons", err);
}

struct summing {
	const struct store	*s;
	const struct catalog	*cat;
	struct buf		*b;
	struct store_sum	*sum;
	int			 year;
	struct lf_error		*err;
};

static int
survey_sum(void *arg, const struct store_person *p, const struct record *r)
{
	struct summing *sm = arg;

	if (store_copy_survey_line(sm->b, sm->cat, p->id, sm->year, r) != 0 ||
	    store_copy_sum_add(sm->s, sm->sum, sm->b) != 0)
		return lf_error_nomem(sm->err);
	return 0;
}

static int
sqlite_sums(struct store *s, struct buf *b, struct store_sum *out,
    struct lf_error *err)
{
	struct summing sm = { s, s->cat, b, &out[STORE_SUM_SURVEYS], 0, err };
	int lo, hi;

	if (sqlite_persons(s, b, &out[STORE_SUM_PERSONS], err) != 0 ||
	    store_copy_years(s, &lo, &hi, err) != 0)
		return -1;
	for (sm.year = lo; lo > 0 && sm.year <= hi; sm.year++)
		if (store_scan_surveys(s, sm.year, NULL, survey_sum, &sm,
		    err) != 0)
			return -1;
	return 0;
}

int
store_copy_sums(struct store *s, struct store_sum out[STORE_NSUMS],
    struct lf_error *err)
{
	struct buf b;
	int i, rc;

	memset(out, 0, sizeof(*out) * STORE_NSUMS);
	buf_init(&b, (size_t)1 << 20);
	rc = s->pg != NULL ? pg_copy_sums(s, &b, out, err) :
	    sqlite_sums(s, &b, out, err);
	for (i = STORE_SUM_HISTORY; rc == 0 && i < STORE_NSUMS; i++)
		rc = store_copy_table_sum(s, store_sum_tables[i], &b, &out[i],
		    err);
	buf_free(&b);
	return rc;
}

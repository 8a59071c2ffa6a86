/*
 * store_fieldio.c - sealing and opening secret items, and a survey row's
 * packed record (packrec.h) to and from a record.
 *
 * ID, phone and certificate numbers are sealed (crypto_seal) and bound to
 * their person, year and item; the certificate number's keyed lookup hash
 * is a column of its own, for the search by certificate.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"


int
fieldio_aad(char *out, size_t outlen, const char *bind, int year,
    const char *code)
{
	int n = year ? snprintf(out, outlen, "s:%s:%d:%s", bind, year, code) :
	    snprintf(out, outlen, "p:%s:%s", bind, code);

	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

void
fieldio_bind_of(const unsigned char *id_hash, char out[BIND_LEN + 1])
{
	static const char hexd[] = "0123456789abcdef";
	int i;

	for (i = 0; i < BIND_LEN / 2; i++) {
		out[2 * i] = hexd[id_hash[i] >> 4];
		out[2 * i + 1] = hexd[id_hash[i] & 15];
	}
	out[BIND_LEN] = '\0';
}

/* The lookup-hash domain: all ID numbers share one, so a householder's
 * ID matches a person's; other secrets hash by item. */
static const char *
secret_domain(const struct field *f)
{
	return f->type == FT_TEXT ? f->code : field_type_name(f->type);
}

/* The item's lookup hash into prep (ID and certificate numbers only:
 * schema_hashed()). An ID number equal to the person's own (the survey's
 * id_number, and householder_id_number when the person is the
 * householder) has the person's hash, already made by store_prepare():
 * same domain, same value. */
static int
lookup_hash(const struct store *s, struct store_prep *prep,
    const struct field *f, const char *value, size_t len)
{
	if (!schema_hashed(f))
		return 0;
	if (f->type == FT_ID_NUMBER && strcmp(value, prep->r->str[s->f_id]) ==
	    0) {
		memcpy(prep->hash[f->index], prep->id_hash, CRYPTO_HASH_LEN);
		return 0;
	}
	return crypto_lookup_hash(s->keys, secret_domain(f), value, len,
	    prep->hash[f->index]);
}

int
fieldio_seal(const struct store *s, struct store_prep *prep,
    const struct field *f, struct lf_error *err)
{
	const char *value = prep->r->str[f->index];
	size_t len = strlen(value);
	char aad[128];
	int alen = fieldio_aad(aad, sizeof(aad), prep->bind, prep->put.year,
	    f->code);

	if (len > SECRET_MAX || alen < 0 ||
	    crypto_seal(s->keys, aad, (size_t)alen, value, len,
	    prep->blob[f->index], SEALED_MAX, &prep->blen[f->index]) != 0 ||
	    lookup_hash(s, prep, f, value, len) != 0)
		return lf_error_set(err, "crypto", f->code, "%s(%s): 加密失败 "
		    "(cannot seal the value)", f->label_zh, f->code);
	return 0;
}

static int
corrupt(const struct field *f, struct lf_error *err, const char *why)
{
	return lf_error_set(err, "corrupt", f->code, "%s(%s): 数据库中的值无效"
	    " (stored value is invalid: %s)", f->label_zh, f->code, why);
}

int
fieldio_open(const struct store *s, const void *blob, size_t blen,
    struct record *r, const struct field *f, const char *bind, int year,
    struct lf_error *err)
{
	char plain[SECRET_MAX + 1], aad[128];
	int alen = fieldio_aad(aad, sizeof(aad), bind, year, f->code);
	size_t plen;

	if (blob == NULL || alen < 0 ||
	    crypto_open(s->keys, aad, (size_t)alen, blob, blen, plain,
	    SECRET_MAX, &plen) != 0)
		return corrupt(f, err, "authentication failed: wrong key, "
		    "tampered or moved value");
	plain[plen] = '\0';
	return record_set_str(r, f->index, plain) == 0 ? 0 :
	    lf_error_set(err, "no_memory", f->code, "%s", LF_ERROR_NOMEM_TEXT);
}

int
store_rec_read(const struct store *s, sqlite3_stmt *st, int col,
    struct record *r, enum packrec_secrets mode, struct lf_error *err)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		record_clear(r);
		return 0;
	}
	return packrec_decode(s->packs, sqlite3_column_blob(st, col),
	    (size_t)sqlite3_column_bytes(st, col), r, mode, NULL, err);
}

int
store_rec_open(struct store *s, sqlite3_stmt *st, int col, struct record *r,
    const char *bind, int year, struct packrec_sealed *sealed,
    struct lf_error *err)
{
	struct packrec_sealed *sv = sealed ? sealed : s->sealed;
	size_t i;

	if (packrec_decode(s->packs, sqlite3_column_blob(st, col),
	    (size_t)sqlite3_column_bytes(st, col), r, PACKREC_SKIP, sv,
	    err) != 0)
		return -1;
	for (i = 0; i < s->cat->nfields; i++)
		if (sv[i].slen > 0 && fieldio_open(s, sv[i].sealed,
		    sv[i].slen, r, &s->cat->fields[i], bind, year, err) != 0)
			return -1;
	return 0;
}

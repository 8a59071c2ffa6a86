/*
 * store_fieldio.c - one catalog field to and from SQLite columns.
 *
 * Dates are stored as ISO text, regions as 12-digit text, codes and
 * numbers as integers (a multi item as its bit mask), ID and phone numbers
 * sealed (crypto_seal) with their keyed lookup hash beside them.
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

/* The item's lookup hash into prep. An ID number equal to the person's
 * own (the survey's id_number, and householder_id_number when the person
 * is the householder) has the person's hash, already made by
 * store_prepare(): same domain, same value. */
static int
lookup_hash(const struct store *s, struct store_prep *prep,
    const struct field *f, const char *value, size_t len)
{
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

int
fieldio_bind(struct store *s, sqlite3_stmt *st, int *idx,
    const struct store_prep *prep, const struct field *f,
    struct lf_error *err)
{
	const struct record *r = prep->r;
	char date[11];
	int rc;

	if (!r->set[f->index]) {
		rc = sqlite3_bind_null(st, (*idx)++);
		if (rc == SQLITE_OK && f->secret)
			rc = sqlite3_bind_null(st, (*idx)++);
		return rc == SQLITE_OK ? 0 : store_sqlite_error(s, "bind", err);
	}
	if (f->secret) {
		rc = sqlite3_bind_blob(st, (*idx)++, prep->blob[f->index],
		    (int)prep->blen[f->index], SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_blob(st, (*idx)++,
			    prep->hash[f->index], CRYPTO_HASH_LEN,
			    SQLITE_STATIC);
		return rc == SQLITE_OK ? 0 : store_sqlite_error(s, "bind", err);
	}
	switch (f->type) {
	case FT_TEXT:
	case FT_REGION:
		rc = sqlite3_bind_text(st, (*idx)++, r->str[f->index], -1,
		    SQLITE_STATIC);
		break;
	case FT_DATE:
		date_format((int)r->num[f->index], date);
		rc = sqlite3_bind_text(st, (*idx)++, date, 10,
		    SQLITE_TRANSIENT);
		break;
	default:
		rc = sqlite3_bind_int64(st, (*idx)++, r->num[f->index]);
	}
	return rc == SQLITE_OK ? 0 : store_sqlite_error(s, "bind", err);
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
fieldio_read(struct store *s, sqlite3_stmt *st, int *col, struct record *r,
    const struct field *f, const char *bind, int year, struct lf_error *err)
{
	const char *text;
	int c = *col, days;

	*col += schema_field_ncols(f);
	record_unset(r, f->index);
	if (sqlite3_column_type(st, c) == SQLITE_NULL)
		return 0;
	if (f->secret)
		return fieldio_open(s, sqlite3_column_blob(st, c),
		    (size_t)sqlite3_column_bytes(st, c), r, f, bind, year, err);
	switch (f->type) {
	case FT_TEXT:
	case FT_REGION:
		text = (const char *)sqlite3_column_text(st, c);
		if (text == NULL || record_set_str(r, f->index, text) != 0)
			return lf_error_set(err, "no_memory", f->code, "%s",
			    LF_ERROR_NOMEM_TEXT);
		if (f->type == FT_REGION)
			r->num[f->index] = strtoll(text, NULL, 10);
		return 0;
	case FT_DATE:
		text = (const char *)sqlite3_column_text(st, c);
		if (text == NULL || date_parse(text, &days) != 0)
			return corrupt(f, err, "not a date");
		record_set_num(r, f->index, days);
		return 0;
	default:
		record_set_num(r, f->index, sqlite3_column_int64(st, c));
		return 0;
	}
}

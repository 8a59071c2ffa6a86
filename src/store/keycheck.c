/*
 * keycheck.c - see keycheck.h.
 */
#include "store/keycheck.h"

#include <sodium.h>
#include <string.h>

#include "crypto/crypto.h"

/* The stored value into hex (a NUL string; "" when there is none).
 * 0, or -1 with err. */
static int
stored(struct store *s, char hex[2 * CRYPTO_HASH_LEN + 1],
    struct lf_error *err)
{
	sqlite3_stmt *st;
	const unsigned char *v;
	int rc;

	hex[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = "
	    "'key_check'", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "key check", err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (v = sqlite3_column_text(st, 0)) != NULL &&
	    strlen((const char *)v) < 2 * CRYPTO_HASH_LEN + 1)
		strcpy(hex, (const char *)v);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_error(s, "key check", err);
	return 0;
}

static int
remember(struct store *s, const char *hex, struct lf_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO meta(key, value) "
	    "VALUES ('key_check', ?)", -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, "key check", err);
	sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(s, "key check", err);
	return 0;
}

int
keycheck_verify(struct store *s, const char *keypath, struct lf_error *err)
{
	unsigned char v[CRYPTO_HASH_LEN];
	char want[2 * CRYPTO_HASH_LEN + 1], have[2 * CRYPTO_HASH_LEN + 1];

	if (crypto_keys_check(s->keys, v) != 0)
		return lf_error_set(err, "keys", "", "%s: 无法计算密钥校验值 "
		    "(cannot compute the key check value)", keypath);
	sodium_bin2hex(want, sizeof(want), v, sizeof(v));
	if (stored(s, have, err) != 0)
		return -1;
	if (have[0] == '\0' && (remember(s, want, err) != 0 ||
	    stored(s, have, err) != 0))
		return -1;
	if (strcmp(have, want) != 0)
		return lf_error_set(err, "keys", "", "%s: 密钥文件与数据库不符, "
		    "可能已损坏或属于另一数据库; 请从备份恢复密钥文件 (the key "
		    "file does not match this database: it is damaged or "
		    "another database's; restore it from its backup, see "
		    "docs/operations.md)", keypath);
	return 0;
}

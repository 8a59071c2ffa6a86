/*
 * selfcode.c - issuing and revoking self-service codes, and the
 * self-service sessions' check and end (selfcode.h); redeeming is
 * redeem.c's. The rows are store/selfcode_rows.h's.
 */
#include "auth/selfcode.h"

#include <openssl/crypto.h>
#include <string.h>

#include "crypto/crypto.h"

int
selfcode_issue(struct store *s, int64_t person_id, const char *actor,
    int64_t now, int64_t ttl, char code[SELFCODE_LEN + 1],
    struct selfcode *out, struct lf_error *err)
{
	unsigned char rnd[SELFCODE_RANDOM_BYTES];
	int64_t id;
	int rc, tx;

	code[0] = '\0';
	if (ttl < 1 || ttl > SELFCODE_TTL_MAX)
		return lf_error_set(err, "invalid", "ttl", "有效期须在 1 秒到 "
		    "30 天之间 (validity must be 1 second to 30 days)");
	if (crypto_random(rnd, sizeof(rnd)) != 0)
		return lf_error_set(err, "crypto", "", "无法生成随机数 (no "
		    "random bytes)");
	selfcode_from_random(rnd, code);
	OPENSSL_cleanse(rnd, sizeof(rnd));
	if (store_tx_join(s, &tx, err) != 0)
		goto fail;
	rc = selfcode_rows_insert(s, person_id, code, actor, now, now + ttl,
	    &id, err);
	if (store_tx_leave(s, tx, rc, err) != 0)
		goto fail;
	if (selfcode_get(s, id, out, err) != 0)
		goto fail;
	return 0;
fail:
	OPENSSL_cleanse(code, SELFCODE_LEN + 1);
	if (err->code == NULL)
		lf_error_set(err, "store", "", "无法保存 (cannot store the code)");
	return -1;
}

int
selfcode_revoke(struct store *s, int64_t id, const char *actor, int64_t now,
    struct lf_error *err)
{
	struct selfcode c;
	int rc, tx;

	if ((rc = selfcode_get(s, id, &c, err)) != 0)
		return rc < 0 ? -1 : lf_error_set(err, "not_found", "",
		    "未找到 (no such code)");
	if (c.revoked_at != 0)
		return 0;
	if (store_tx_join(s, &tx, err) != 0)
		return -1;
	rc = selfcode_rows_revoke(s, id, actor, now, err);
	if (rc == 0)
		rc = selfcode_rows_end_sessions(s, id, err);
	return store_tx_leave(s, tx, rc, err);
}

/* 1 when token has the form of a session token, else 0. */
static int
token_valid(const char *token)
{
	return token != NULL && strlen(token) == SELF_TOKEN_HEX &&
	    strspn(token, "0123456789abcdef") == SELF_TOKEN_HEX;
}

int
self_session_check(struct store *s, const char *token, int64_t now,
    struct self_session *out, struct lf_error *err)
{
	struct self_session_state st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!token_valid(token))
		return 1;
	rc = selfcode_rows_session(s, token, out, &st, err);
	if (rc != 0)
		return rc;
	if (st.ended || out->expires_at <= now || st.code_revoked_at != 0 ||
	    st.code_expires_at <= now) {
		memset(out, 0, sizeof(*out));
		return 1;
	}
	/* PostgreSQL: the request reads its person's county only */
	if ((rc = selfcode_rows_scope(s, out->code_id, err)) != 0) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	return 0;
}

int
self_session_end(struct store *s, const char *token, struct lf_error *err)
{
	if (!token_valid(token))
		return 0;
	return selfcode_rows_session_end(s, token, err);
}

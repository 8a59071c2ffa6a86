/*
 * redeem.c - redeeming a self-service code (selfcode.h, steps 1-5): the
 * client address's failure limit, the code's state, the last six
 * characters of the person's ID number with the code's own failure
 * limit, and the session that a right answer opens. The rows are
 * store/selfcode_rows.h's; one transaction holds every read and write,
 * so the counts read are the counts written.
 */
#include "auth/selfcode.h"

#include <openssl/crypto.h>
#include <string.h>

#include "crypto/crypto.h"

static const char bad_msg[] = "验证码或身份证号后六位不正确 (the code or "
    "the last six characters of the ID number are wrong)";

/* 1 when the client address's row t counts a window still open at now. */
static int
window_open(const struct self_throttle *t, int64_t now)
{
	return t->window_start > now - SELF_CLIENT_WINDOW;
}

/* Step 1: *over when the client has SELF_CLIENT_MAX_FAILURES failures
 * in the window. */
static int
throttled(struct store *s, const char *client, int64_t now, int *over,
    struct lf_error *err)
{
	struct self_throttle t;
	int rc = selfcode_rows_client(s, client, &t, err);

	*over = rc == 0 && window_open(&t, now) &&
	    t.failures >= SELF_CLIENT_MAX_FAILURES;
	return rc < 0 ? -1 : 0;
}

/* One more failure for the client (a new window when the last is over). */
static int
client_failed(struct store *s, const char *client, int64_t now,
    struct lf_error *err)
{
	struct self_throttle t;
	int rc = selfcode_rows_client(s, client, &t, err);

	if (rc < 0)
		return -1;
	if (rc == 0 && window_open(&t, now))
		t.failures++;
	else {
		t.window_start = now;
		t.failures = 1;
	}
	return selfcode_rows_client_set(s, client, &t, err);
}

/* One more wrong last six for the code; *locked when it reaches the
 * limit, which locks the code at now. */
static int
code_failed(struct store *s, const struct selfcode *c, int64_t now,
    int *locked, struct lf_error *err)
{
	*locked = c->failures + 1 >= SELFCODE_MAX_FAILURES;
	return selfcode_rows_failures(s, c->id, c->failures + 1,
	    *locked ? now : c->locked_at, err);
}

/* Step 5: a session for the code's person, ending at the earlier of
 * SELF_SESSION_SECS and the code's end; the code's use is counted. */
static int
session_make(struct store *s, const struct selfcode *c, int64_t now,
    struct self_session *out, struct lf_error *err)
{
	memset(out, 0, sizeof(*out));
	if (crypto_random_hex(out->token, SELF_TOKEN_HEX / 2) != 0 ||
	    crypto_random_hex(out->csrf, SELF_TOKEN_HEX / 2) != 0)
		return lf_error_set(err, "crypto", "", "无法生成会话 (cannot "
		    "make a session)");
	out->code_id = c->id;
	out->person_id = c->person_id;
	out->expires_at = selfcode_session_end(now, c->expires_at);
	if (selfcode_rows_session_add(s, out, now, err) != 0)
		return -1;
	return selfcode_rows_used(s, c->id, now, err);
}

/* 0 when the last six match the person's ID number (constant time). */
static int
last6_matches(struct store *s, int64_t person_id, const char *last6,
    int *ok, struct lf_error *err)
{
	struct store_person p;
	size_t n;
	int rc;

	*ok = 0;
	if ((rc = store_person_by_id(s, person_id, &p, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (store_person_open_id(s, &p, err) != 0)
		return -1;
	n = strlen(p.id_number);
	if (n >= SELF_LAST6_LEN)
		*ok = CRYPTO_memcmp(p.id_number + n - SELF_LAST6_LEN, last6,
		    SELF_LAST6_LEN) == 0;
	OPENSSL_cleanse(p.id_number, sizeof(p.id_number));
	return 0;
}

/* A refusal of steps 2-4: err says why, the client's failure counts. */
static int
refuse(struct store *s, const char *client, int64_t now, const char *code,
    const char *msg, struct lf_error *err)
{
	lf_error_set(err, code, "", "%s", msg);
	return client_failed(s, client, now, err);
}

static const char *
state_msg(enum selfcode_state state)
{
	if (state == SELFCODE_EXPIRED)
		return "验证码已过期,请向工作人员重新索取 (the code has expired; "
		    "ask the worker for a new one)";
	if (state == SELFCODE_REVOKED)
		return "验证码已作废,请向工作人员重新索取 (the code was revoked; "
		    "ask the worker for a new one)";
	return "验证码已锁定,请向工作人员重新索取 (the code is locked after "
	    "too many wrong entries; ask the worker for a new one)";
}

/* Step 3: the code's state at now. */
static enum selfcode_state
code_state(const struct selfcode *c, int64_t now)
{
	struct selfcode_times t;

	t.issued_at = c->issued_at;
	t.expires_at = c->expires_at;
	t.revoked_at = c->revoked_at;
	t.locked_at = c->locked_at;
	return selfcode_state(&t, now);
}

/* Step 4 for the usable code c: the last six, then a session. */
static int
answer(struct store *s, const struct selfcode *c, char *l6,
    const char *client, int64_t now, struct self_session *out,
    int *refused, struct lf_error *err)
{
	int ok, locked;

	if (last6_matches(s, c->person_id, l6, &ok, err) != 0)
		return -1;
	OPENSSL_cleanse(l6, SELF_LAST6_LEN + 1);
	if (!ok) {
		if (code_failed(s, c, now, &locked, err) != 0)
			return -1;
		return locked ? refuse(s, client, now, "locked", "错误次数过多,"
		    "验证码已锁定,请向工作人员重新索取 (too many wrong entries: "
		    "the code is now locked; ask the worker for a new one)",
		    err) : refuse(s, client, now, "bad_code", bad_msg, err);
	}
	*refused = 0;
	return session_make(s, c, now, out, err);
}

/* The checks of selfcode.h, steps 2-5, inside the transaction. 0 with
 * *refused: err holds the refusal (the counters are to be committed). */
static int
redeem_tx(struct store *s, const char *code, const char *last6,
    const char *client, int64_t now, struct self_session *out,
    int64_t *code_id, int *refused, struct lf_error *err)
{
	char c10[SELFCODE_LEN + 1], l6[SELF_LAST6_LEN + 1];
	enum selfcode_state state;
	struct selfcode c;
	int rc;

	*refused = 1;
	if (selfcode_normalize(code, c10) != 0 ||
	    selfcode_last6_normalize(last6, l6) != 0)
		return refuse(s, client, now, "bad_code", bad_msg, err);
	rc = selfcode_rows_by_code(s, c10, &c, err);
	OPENSSL_cleanse(c10, sizeof(c10));
	if (rc < 0)
		return -1;
	if (rc == 1)
		return refuse(s, client, now, "bad_code", bad_msg, err);
	*code_id = c.id;
	/* PostgreSQL: the person is read in the code's county only */
	if (selfcode_rows_scope(s, c.id, err) != 0)
		return -1;
	if ((state = code_state(&c, now)) != SELFCODE_OK)
		return refuse(s, client, now, selfcode_state_name(state),
		    state_msg(state), err);
	return answer(s, &c, l6, client, now, out, refused, err);
}

int
selfcode_redeem(struct store *s, const char *code, const char *last6,
    const char *client, int64_t now, struct self_session *out,
    int64_t *code_id, struct lf_error *err)
{
	struct lf_error refusal;
	int over, refused = 0, rc, tx;

	*code_id = 0;
	memset(out, 0, sizeof(*out));
	if (throttled(s, client, now, &over, err) != 0)
		return -1;
	if (over)
		return lf_error_set(err, "throttled", "", "尝试次数过多,请 15 "
		    "分钟后再试 (too many attempts from this address; try "
		    "again in 15 minutes)");
	lf_error_clear(&refusal);
	if (store_tx_join(s, &tx, err) != 0)
		return -1;
	rc = redeem_tx(s, code, last6, client, now, out, code_id, &refused,
	    &refusal);
	if (rc != 0)
		*err = refusal;
	if (store_tx_leave(s, tx, rc, err) != 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	if (refused) {
		*err = refusal;
		return -1;
	}
	return 0;
}

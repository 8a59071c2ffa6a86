/*
 * login.c - login with lockout (users.h): a wrong password counts, the
 * USERS_MAX_FAILURES-th in a run locks the account, a success makes a
 * session. Unknown logins are counted the same way in memory.
 *
 * Argon2 runs outside any transaction; the failure count is written by a
 * compare and swap on the values read (users_rows_swap_failures()), so
 * two processes counting failures of one account at once both count.
 */
#include "auth/users.h"

#include <string.h>

#include "auth/auth_int.h"
#include "crypto/crypto.h"
#include "crypto/failtab.h"
#include "crypto/password.h"
#include "lib/date.h"

static int
bad_login(struct lf_error *err)
{
	return lf_error_set(err, "bad_login", "", "登录名或密码错误 "
	    "(wrong login or password)");
}

static int
locked(struct lf_error *err, int64_t until)
{
	char when[DATE_TIMELEN + 1];

	date_china_text(until, 1, when);
	return lf_error_set(err, "locked", "", "密码连续错误次数过多, 账号锁定"
	    "至北京时间 %s (too many failed logins; locked until %s Beijing "
	    "time)", when, when);
}

/*
 * The account's failure state after one more wrong password at now.
 * While the account is not locked, locked_until holds the time of the
 * run's last failure: a failure USERS_FAIL_WINDOW or more after it starts
 * a new run (failtab.h counts unknown logins the same way). The failure
 * that reaches USERS_MAX_FAILURES locks and ends the run.
 */
static void
next_failure(const struct user *u, int64_t now, int *count, int64_t *until)
{
	int run = u->failed_count > 0 &&
	    u->locked_until > now - USERS_FAIL_WINDOW ? u->failed_count + 1 : 1;

	*count = run >= USERS_MAX_FAILURES ? 0 : run;
	*until = run >= USERS_MAX_FAILURES ? now + USERS_LOCK_SECS : now;
}

#define SWAP_TRIES	8	/* re-reads of a count another login moved */

/* Counts a wrong password of u (as read) at now: "locked" when this
 * failure locks the account, else "bad_login". */
static int
count_failure(struct store *s, struct user *u, int64_t now,
    struct lf_error *err)
{
	int64_t until;
	int count, rc, tries;

	for (tries = 0; ; tries++) {
		next_failure(u, now, &count, &until);
		rc = users_rows_swap_failures(s, u, count, until, err);
		if (rc != 1)
			break;
		/* another login changed the count first: read it again; a
		 * lock it set stands (a run starting anew would lift it) */
		if (tries == SWAP_TRIES)
			return lf_error_set(err, "busy", "", "登录繁忙, 请稍后"
			    "重试 (too many logins to this account at once; try "
			    "again)");
		rc = users_get_id(s, u->id, u, err);
		if (rc != 0)
			return rc == 1 ? bad_login(err) : -1;
		if (u->failed_count == 0 && u->locked_until > now)
			return locked(err, u->locked_until);
	}
	if (rc != 0)
		return -1;
	return until > now ? locked(err, until) : bad_login(err);
}

/* Fresh random session and CSRF tokens into out. 0 or -1 ("crypto"). */
static int
new_tokens(struct session *out, struct lf_error *err)
{
	if (crypto_random_hex(out->token, USERS_TOKEN_HEX / 2) != 0 ||
	    crypto_random_hex(out->info.csrf, USERS_CSRF_HEX / 2) != 0)
		return lf_error_set(err, "crypto", "", "无法生成随机数 (no "
		    "random bytes)");
	return 0;
}

/* A success: the run of failures ends, the user's dead sessions go and a
 * new one starts at now, ending USERS_ABSOLUTE_SECS later. */
static int
open_session(struct store *s, const struct user *u, int64_t now,
    struct session *out, struct lf_error *err)
{
	int rc, tx;

	if (new_tokens(out, err) != 0 ||
	    users_rows_tx_begin(s, &tx, err) != 0)
		return -1;
	out->info.user_id = u->id;
	out->info.created_at = out->info.last_seen = now;
	out->info.expires_at = now + USERS_ABSOLUTE_SECS;
	rc = users_rows_set_failures(s, u->id, 0, 0, err);
	if (rc == 0)
		rc = users_rows_prune(s, u->id, now, now - USERS_IDLE_SECS,
		    err);
	if (rc == 0)
		rc = users_rows_session_add(s, out->token, &out->info, err);
	if (rc == 1)
		rc = lf_error_set(err, "crypto", "", "会话令牌重复 (session "
		    "token collision)");
	return users_rows_tx_end(s, tx, rc, err);
}

/* Logins that name no account, counted like accounts' wrong passwords
 * (in memory, bounded): the same answers after the same work. */
static struct failtab unknown = FAILTAB_INIT(USERS_MAX_FAILURES,
    USERS_FAIL_WINDOW, USERS_LOCK_SECS);

static int
unknown_login(const char *login, const char *pw, int64_t now,
    struct lf_error *err)
{
	size_t len = login != NULL ? strlen(login) : 0;
	int64_t until;

	if (login == NULL)
		login = "";
	if (failtab_locked(&unknown, login, len, now, &until))
		return locked(err, until);
	password_verify_dummy(pw);
	if (failtab_fail(&unknown, login, len, now, &until))
		return locked(err, until);
	return bad_login(err);
}

void
users_forget_unknown(void)
{
	failtab_reset(&unknown);
}

int
users_login(struct store *s, const char *login, const char *pw,
    int64_t now, struct session *out, struct lf_error *err)
{
	char hash[PASSWORD_HASH_MAX];
	struct user u;
	int rc = 1;

	memset(out, 0, sizeof(*out));
	hash[0] = '\0';
	if (users_login_valid(login))
		rc = users_rows_secret(s, login, &u, hash, err);
	if (rc == 1)
		rc = unknown_login(login, pw, now, err);
	else if (rc == 0 && u.locked_until > now)
		rc = locked(err, u.locked_until);
	else if (rc == 0 && password_verify(hash, pw != NULL ? pw : "") != 0)
		rc = count_failure(s, &u, now, err);
	else if (rc == 0 && u.disabled)
		rc = lf_error_set(err, "disabled", "", "账号已停用 (account "
		    "disabled)");
	else if (rc == 0)
		rc = open_session(s, &u, now, out, err);
	explicit_bzero(hash, sizeof(hash));
	if (rc != 0)
		explicit_bzero(out, sizeof(*out));
	return rc;
}

/*
 * session.c - the session rules of users.h: when a session is live, when
 * its "last seen" moves, logout, and the count of revocations that the
 * server's session cache watches. The rows are users_rows.h's.
 */
#include "auth/users.h"

#include <stdatomic.h>
#include <string.h>

#include "auth/auth_int.h"

/* Bumped after every revocation this process commits (users.h). */
static atomic_ulong	revocations;

unsigned long
users_revocations(void)
{
	return atomic_load(&revocations);
}

void
users_revoked(void)
{
	atomic_fetch_add(&revocations, 1);
}

static int
token_valid(const char *token)
{
	size_t i;

	if (token == NULL || strnlen(token, USERS_TOKEN_HEX + 1) !=
	    USERS_TOKEN_HEX)
		return 0;
	for (i = 0; i < USERS_TOKEN_HEX; i++)
		if (strchr("0123456789abcdef", token[i]) == NULL)
			return 0;
	return 1;
}

static int
no_session(struct lf_error *err)
{
	lf_error_set(err, "session", "", "登录已失效, 请重新登录 (session "
	    "invalid or expired; log in again)");
	return 1;
}

/* 1 when the session read is live at now, else 0. */
static int
live(const struct user *u, const struct session_info *si, int revoked,
    int64_t now)
{
	return !revoked && now < si->expires_at &&
	    now < si->last_seen + USERS_IDLE_SECS && !u->disabled;
}

int
users_session(struct store *s, const char *token, int64_t now,
    struct user *u, struct session_info *si, struct lf_error *err)
{
	struct session_info sil;
	struct user ul;
	int revoked = 0, rc;

	if (u == NULL)
		u = &ul;
	if (si == NULL)
		si = &sil;
	if (!token_valid(token))
		return no_session(err);
	rc = users_rows_session(s, token, u, si, &revoked, err);
	if (rc == 0 && !live(u, si, revoked, now))
		rc = 1;
	if (rc == 1)
		return no_session(err);
	if (rc != 0 || now - si->last_seen < USERS_TOUCH_SECS)
		return rc;
	if (users_rows_touch(s, si->id, now, err) != 0)
		return -1;
	si->last_seen = now;
	return 0;
}

int
users_logout(struct store *s, const char *token, struct lf_error *err)
{
	int rc;

	if (!token_valid(token))
		return no_session(err);
	rc = users_rows_revoke(s, token, err);
	if (rc < 0)
		return -1;
	users_revoked();
	return rc == 0 ? 0 : no_session(err);
}

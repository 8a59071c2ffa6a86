/*
 * auth_int.h - what the files of auth/ share and nothing outside uses.
 */
#ifndef LF_AUTH_INT_H
#define LF_AUTH_INT_H

/* 1 when login has the form users.h gives ([a-z0-9_.-], 3 to 32 bytes),
 * else 0 (also for NULL). */
int	users_login_valid(const char *login);
/* Counts a committed revocation (users_revocations()). */
void	users_revoked(void);

#endif

/*
 * password.h - password hashing (Argon2id, libsodium) and the password
 * policy.
 *
 * A stored password is the encoded string crypto_pwhash_str() makes:
 * "$argon2id$v=19$m=...,t=...,p=1$<salt>$<hash>", which carries its own
 * salt and cost, so a hash made under one cost still verifies after the
 * cost changes. Release builds use libsodium's INTERACTIVE cost (2 passes
 * over 64 MiB); test builds (LF_TESTING) use the minimum cost so suites
 * stay fast.
 *
 * Passwords are never logged and never put in any message; the policy's
 * reasons describe the rule broken, not the password. Callers should wipe
 * their password buffers (explicit_bzero) when done.
 *
 * Threads: every function may be called from any number of threads at
 * once. libsodium is initialised, and the dummy hash made, once, on first
 * use (pthread_once). At most PASSWORD_PARALLEL hashes or verifications
 * run at once (each takes MEMLIMIT bytes, 64 MiB in release builds); more
 * callers wait their turn, so a flood of logins costs time, not memory.
 */
#ifndef LF_CRYPTO_PASSWORD_H
#define LF_CRYPTO_PASSWORD_H

#include <stddef.h>

/* Room an encoded hash needs, NUL included (crypto_pwhash_STRBYTES). */
#define PASSWORD_HASH_MAX	128

/* Argon2 computations running at once, at most. */
#define PASSWORD_PARALLEL	4

/* The policy's limits. */
#define PASSWORD_MIN_CHARS	10	/* code points */
#define PASSWORD_LONG_CHARS	16	/* this long needs no mix of classes */
#define PASSWORD_MAX_BYTES	128
#define PASSWORD_MIN_CLASSES	3	/* of lower, upper, digit, other */

/*
 * Hashes the NUL-terminated pw with Argon2id and a fresh random salt into
 * out (room for outlen bytes, at least PASSWORD_HASH_MAX), as a
 * NUL-terminated encoded string. Does not apply the policy. Returns 0, or
 * -1 (NULL arguments, outlen too small, libsodium unusable, memory for
 * Argon2 not available) with out set to "" when outlen > 0.
 */
int	password_hash(const char *pw, char *out, size_t outlen);

/*
 * Checks pw against an encoded hash from password_hash(). Returns 0 when
 * they match, -1 otherwise (wrong password, malformed or NULL encoded,
 * NULL pw, no memory for Argon2).
 */
int	password_verify(const char *encoded, const char *pw);

/*
 * Spends the time password_verify() takes on a real hash, then returns
 * -1. Login calls it for an unknown login, so that an unknown login and a
 * wrong password take equally long. The dummy hash is made once per
 * process, on first use of any function here.
 */
int	password_verify_dummy(const char *pw);

/*
 * Applies the minimum policy to pw: valid UTF-8 without control
 * characters; at most PASSWORD_MAX_BYTES bytes; at least PASSWORD_MIN_CHARS
 * code points; not one character repeated; and at least
 * PASSWORD_MIN_CLASSES of the four classes lower case, upper case, digits
 * and other (anything else, Chinese included) unless it has at least
 * PASSWORD_LONG_CHARS code points. Returns 0 when pw passes; otherwise -1
 * and, when why is not NULL, *why points to a static reason, Chinese first
 * with English in parentheses.
 */
int	password_policy(const char *pw, const char **why);

#endif

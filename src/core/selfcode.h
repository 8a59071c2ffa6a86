/*
 * selfcode.h - the one-time codes of self-service (开放量服): their form,
 * how typed input is read, and when a code may still be used. Pure
 * functions, no I/O: auth/selfcode.h holds the rules that use them, the
 * server hands them out.
 *
 * A code is SELFCODE_LEN characters of the 32-symbol alphabet
 * SELFCODE_ALPHABET (digits 2-9 and the letters without I and O, so that
 * 0/O and 1/I cannot be confused), each symbol 5 bits of a random draw:
 * 10 symbols are 50 bits (docs/security.md has the guessing arithmetic).
 * It is shown in two groups of five, "K7MX2-QP9RD". Typed input is read
 * case-insensitively and spaces and hyphens are ignored; anything else
 * outside the alphabet makes the input malformed (it cannot be a code).
 *
 * The person proves it is them with the last six characters of their ID
 * number (digits, the last one may be X/x).
 *
 * A code is usable from issue until it expires, is revoked, or is locked
 * after SELFCODE_MAX_FAILURES wrong last-6 entries; a self-service
 * session lasts SELF_SESSION_SECS and never outlives its code.
 */
#ifndef LF_CORE_SELFCODE_H
#define LF_CORE_SELFCODE_H

#include <stddef.h>
#include <stdint.h>

#define SELFCODE_LEN		10
#define SELFCODE_ALPHABET	"23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#define SELFCODE_RANDOM_BYTES	7	/* 56 bits drawn, 50 used */
#define SELFCODE_DISPLAY_LEN	(SELFCODE_LEN + 1)	/* with the hyphen */
#define SELFCODE_TTL_DEFAULT	(7 * 24 * 3600)	/* seconds */
#define SELFCODE_TTL_MAX	(30 * 24 * 3600)
#define SELFCODE_MAX_FAILURES	5	/* wrong last-6 entries: locked */
#define SELF_CLIENT_MAX_FAILURES 10	/* failures per client address */
#define SELF_CLIENT_WINDOW	(15 * 60)	/* ... within this window */
#define SELF_SESSION_SECS	(30 * 60)
#define SELF_LAST6_LEN		6

enum selfcode_state {
	SELFCODE_OK,
	SELFCODE_EXPIRED,
	SELFCODE_REVOKED,
	SELFCODE_LOCKED
};

/* What decides a code's state (Unix seconds; 0 = not revoked/locked). */
struct selfcode_times {
	int64_t	 issued_at;
	int64_t	 expires_at;
	int64_t	 revoked_at;
	int64_t	 locked_at;
};

/* The code made from SELFCODE_RANDOM_BYTES random bytes: out gets
 * SELFCODE_LEN symbols and a NUL. */
void	selfcode_from_random(const unsigned char rnd[SELFCODE_RANDOM_BYTES],
	    char out[SELFCODE_LEN + 1]);
/* Reads typed input into the canonical code (upper case, no separators).
 * 0, or -1 when it is not SELFCODE_LEN symbols of the alphabet (out is
 * then ""). NULL input is malformed. */
int	selfcode_normalize(const char *in, char out[SELFCODE_LEN + 1]);
/* "K7MX2QP9RD" -> "K7MX2-QP9RD". */
void	selfcode_display(const char *code, char out[SELFCODE_DISPLAY_LEN + 1]);
/* Reads the typed last six characters of an ID number (spaces ignored,
 * x as X, X only last). 0, or -1 (out ""). */
int	selfcode_last6_normalize(const char *in, char out[SELF_LAST6_LEN + 1]);
/* The state at now. Revoked wins over locked, locked over expired. */
enum selfcode_state selfcode_state(const struct selfcode_times *t,
	    int64_t now);
/* Stable names: "ok", "expired", "revoked", "locked". */
const char *selfcode_state_name(enum selfcode_state st);
/* When a session opened at now with a code expiring at code_expires
 * ends: the earlier of now + SELF_SESSION_SECS and code_expires. */
int64_t	selfcode_session_end(int64_t now, int64_t code_expires);

#endif

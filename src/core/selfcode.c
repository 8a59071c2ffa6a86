/*
 * selfcode.c - form and lifetime of self-service codes (selfcode.h).
 */
#include "core/selfcode.h"

#include <string.h>

void
selfcode_from_random(const unsigned char rnd[SELFCODE_RANDOM_BYTES],
    char out[SELFCODE_LEN + 1])
{
	static const char alpha[] = SELFCODE_ALPHABET;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < SELFCODE_RANDOM_BYTES; i++)
		v = (v << 8) | rnd[i];
	/* 32 symbols: 5 bits each, no modulo bias */
	for (i = 0; i < SELFCODE_LEN; i++) {
		out[i] = alpha[v & 31];
		v >>= 5;
	}
	out[SELFCODE_LEN] = '\0';
}

int
selfcode_normalize(const char *in, char out[SELFCODE_LEN + 1])
{
	size_t n = 0;
	char c;

	out[0] = '\0';
	if (in == NULL)
		return -1;
	for (; *in != '\0'; in++) {
		if (*in == ' ' || *in == '-')
			continue;
		c = *in >= 'a' && *in <= 'z' ? (char)(*in - 'a' + 'A') : *in;
		if (c == '\0' || strchr(SELFCODE_ALPHABET, c) == NULL ||
		    n == SELFCODE_LEN) {
			out[0] = '\0';
			return -1;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (n != SELFCODE_LEN) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

void
selfcode_display(const char *code, char out[SELFCODE_DISPLAY_LEN + 1])
{
	size_t half = SELFCODE_LEN / 2;

	memcpy(out, code, half);
	out[half] = '-';
	memcpy(out + half + 1, code + half, SELFCODE_LEN - half);
	out[SELFCODE_DISPLAY_LEN] = '\0';
}

int
selfcode_last6_normalize(const char *in, char out[SELF_LAST6_LEN + 1])
{
	size_t n = 0;

	out[0] = '\0';
	if (in == NULL)
		return -1;
	for (; *in != '\0'; in++) {
		if (*in == ' ')
			continue;
		if (n == SELF_LAST6_LEN)
			goto bad;
		if (*in >= '0' && *in <= '9')
			out[n++] = *in;
		else if ((*in == 'x' || *in == 'X') && n == SELF_LAST6_LEN - 1)
			out[n++] = 'X';
		else
			goto bad;
	}
	if (n != SELF_LAST6_LEN)
		goto bad;
	out[n] = '\0';
	return 0;
bad:
	out[0] = '\0';
	return -1;
}

enum selfcode_state
selfcode_state(const struct selfcode_times *t, int64_t now)
{
	if (t->revoked_at != 0)
		return SELFCODE_REVOKED;
	if (t->locked_at != 0)
		return SELFCODE_LOCKED;
	if (now >= t->expires_at)
		return SELFCODE_EXPIRED;
	return SELFCODE_OK;
}

const char *
selfcode_state_name(enum selfcode_state st)
{
	static const char *const names[] = { "ok", "expired", "revoked",
	    "locked" };

	return (unsigned)st < 4 ? names[st] : "";
}

int64_t
selfcode_session_end(int64_t now, int64_t code_expires)
{
	int64_t end = now + SELF_SESSION_SECS;

	return code_expires < end ? code_expires : end;
}

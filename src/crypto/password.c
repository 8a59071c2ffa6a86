/*
 * password.c - Argon2id through libsodium, and the password policy.
 */
#include "crypto/password.h"

#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "lib/utf8.h"

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES,
    "PASSWORD_HASH_MAX must match libsodium");

#ifdef LF_TESTING
#define OPSLIMIT	crypto_pwhash_OPSLIMIT_MIN
#define MEMLIMIT	crypto_pwhash_MEMLIMIT_MIN
#else
#define OPSLIMIT	crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEMLIMIT	crypto_pwhash_MEMLIMIT_INTERACTIVE
#endif

static pthread_once_t	 init_once = PTHREAD_ONCE_INIT;
static int		 init_ok;
static char		 dummy[PASSWORD_HASH_MAX];
static const char	 dummy_pw[] = "liangfu: no such login";

static pthread_mutex_t	 gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 gate_cv = PTHREAD_COND_INITIALIZER;
static int		 gate_busy;

static void
init(void)
{
	init_ok = sodium_init() >= 0;
	/* the dummy hash is made now, so no login pays for it */
	if (!init_ok || crypto_pwhash_str_alg(dummy, dummy_pw,
	    sizeof(dummy_pw) - 1, OPSLIMIT, MEMLIMIT,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		dummy[0] = '\0';
}

static int
ready(void)
{
	pthread_once(&init_once, init);
	return init_ok;
}

/* At most PASSWORD_PARALLEL Argon2 computations at once. */
static void
gate_enter(void)
{
	pthread_mutex_lock(&gate_mu);
	while (gate_busy >= PASSWORD_PARALLEL)
		pthread_cond_wait(&gate_cv, &gate_mu);
	gate_busy++;
	pthread_mutex_unlock(&gate_mu);
}

static void
gate_leave(void)
{
	pthread_mutex_lock(&gate_mu);
	gate_busy--;
	pthread_cond_signal(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
}

int
password_hash(const char *pw, char *out, size_t outlen)
{
	int rc;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (pw == NULL || out == NULL || outlen < PASSWORD_HASH_MAX ||
	    !ready())
		return -1;
	gate_enter();
	rc = crypto_pwhash_str_alg(out, pw, strlen(pw), OPSLIMIT, MEMLIMIT,
	    crypto_pwhash_ALG_ARGON2ID13);
	gate_leave();
	if (rc != 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

int
password_verify(const char *encoded, const char *pw)
{
	int rc;

	if (encoded == NULL || pw == NULL || !ready())
		return -1;
	if (memchr(encoded, '\0', PASSWORD_HASH_MAX) == NULL)
		return -1;
	gate_enter();
	rc = crypto_pwhash_str_verify(encoded, pw, strlen(pw));
	gate_leave();
	return rc == 0 ? 0 : -1;
}

int
password_verify_dummy(const char *pw)
{
	char scratch[PASSWORD_HASH_MAX];

	if (pw == NULL)
		pw = "";
	if (!ready())
		return -1;
	/* without a dummy hash, hashing costs the same as verifying */
	if (dummy[0] != '\0')
		(void)password_verify(dummy, pw);
	else if (password_hash(pw, scratch, sizeof(scratch)) == 0)
		sodium_memzero(scratch, sizeof(scratch));
	return -1;
}

/* Bytes of the UTF-8 sequence led by c (input already validated). */
static size_t
seqlen(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Bit 0 lower, 1 upper, 2 digit, 3 other. */
static unsigned
char_class(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return 1u;
	if (c >= 'A' && c <= 'Z')
		return 2u;
	if (c >= '0' && c <= '9')
		return 4u;
	return 8u;
}

static int
has_control(const char *pw, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)pw[i] < 0x20 || pw[i] == 0x7f)
			return 1;
	return 0;
}

/* Sets *classes and returns 1 when pw is one code point repeated. */
static int
scan(const char *pw, size_t len, unsigned *classes)
{
	size_t first = seqlen((unsigned char)pw[0]), i, n;
	int same = 1;

	*classes = 0;
	for (i = 0; i < len; i += n) {
		n = seqlen((unsigned char)pw[i]);
		*classes |= char_class((unsigned char)pw[i]);
		if (n != first || memcmp(pw + i, pw, n) != 0)
			same = 0;
	}
	return same;
}

static int
nclasses(unsigned classes)
{
	int n = 0;

	for (; classes != 0; classes >>= 1)
		n += (int)(classes & 1u);
	return n;
}

static int
refuse(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return -1;
}

int
password_policy(const char *pw, const char **why)
{
	unsigned classes;
	size_t len;
	long chars;

	if (pw == NULL)
		return refuse(why, "密码不能为空 (password is empty)");
	len = strnlen(pw, PASSWORD_MAX_BYTES + 1);
	if (len > PASSWORD_MAX_BYTES)
		return refuse(why, "密码过长, 最多 128 字节 (password too "
		    "long: at most 128 bytes)");
	chars = utf8_count(pw, len);
	if (chars < 0)
		return refuse(why, "密码不是有效的 UTF-8 文本 (password is not "
		    "valid UTF-8)");
	if (has_control(pw, len))
		return refuse(why, "密码不能含控制字符 (password must not "
		    "contain control characters)");
	if (chars < PASSWORD_MIN_CHARS)
		return refuse(why, "密码过短, 至少 10 个字符 (password too "
		    "short: at least 10 characters)");
	if (scan(pw, len, &classes))
		return refuse(why, "密码不能是同一个字符的重复 (password must "
		    "not be one character repeated)");
	if (chars < PASSWORD_LONG_CHARS &&
	    nclasses(classes) < PASSWORD_MIN_CLASSES)
		return refuse(why, "密码须含小写字母、大写字母、数字、"
		    "其他字符中的至少三类, 或长至 16 个字符 (use at least 3 "
		    "of lower case, upper case, digits, other characters, or "
		    "at least 16 characters)");
	return 0;
}

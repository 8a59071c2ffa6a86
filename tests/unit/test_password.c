/*
 * test_password.c - the password policy (table of rows), Argon2id hashing
 * and verification, the dummy verify, the test-only cost, threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "crypto/password.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* 128 bytes: "Aa1!" 32 times */
#define P128 "Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!" \
	"Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!" \
	"Aa1!"
_Static_assert(sizeof(P128) == 129, "P128 is 128 bytes");

static const struct {
	const char	*pw;
	const char	*why;	/* NULL = accepted, else a part of the reason */
} policy_rows[] = {
	{ NULL, "empty" },
	{ "", "too short" },
	{ "Abc1234!x", "too short" },			/* 9 */
	{ "Abc1234!xy", NULL },				/* 10, 4 classes */
	{ "abcdefghij", "at least 3" },			/* 1 class */
	{ "abcdefghi1", "at least 3" },			/* 2 classes */
	{ "abcdefghI1", NULL },				/* lower upper digit */
	{ "abcdefgh!1", NULL },				/* lower other digit */
	{ "ABCDEFGH!a", NULL },				/* upper other lower */
	{ "ABCDEFGH!1", NULL },				/* upper other digit */
	{ "abcdefghijklmno", "at least 3" },		/* 15, 1 class */
	{ "abcdefghijklmnop", NULL },			/* 16 needs no mix */
	{ "1234567890123456", NULL },
	{ "ababababababababab", NULL },			/* not one char */
	{ "aaaaaaaaaaaaaaaa", "repeated" },
	{ "1111111111", "repeated" },
	{ "中中中中中中中中中中中中中中中中", "repeated" },
	{ "中文密码中文密码中文", "at least 3" },	/* 10, other only */
	{ "中文密码中文密码中文密码中文密码", NULL },	/* 16 code points */
	{ "中文密码abc123", NULL },			/* 10: other lower digit */
	{ "中文密码abc12", "too short" },		/* 9 chars, 17 bytes */
	{ P128, NULL },					/* 128 bytes */
	{ P128 "x", "too long" },			/* 129 bytes */
	{ "Abcdefgh1\xff", "UTF-8" },
	{ "Abcdefgh1\xc0\xaf", "UTF-8" },		/* overlong '/' */
	{ "Abcdefgh1\xe4\xb8", "UTF-8" },		/* cut short */
	{ "Abcdefgh1\t2", "control" },
	{ "Abcdefgh12\n", "control" },
	{ "Abcdefgh1\x7f", "control" },
	{ "Abc defgh1", NULL },				/* a space is other */
};

static void
test_policy(void **state)
{
	const char *why;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < nitems(policy_rows); i++) {
		why = NULL;
		rc = password_policy(policy_rows[i].pw, &why);
		if (policy_rows[i].why == NULL) {
			if (rc != 0)
				fail_msg("row %zu refused: %s", i, why);
			continue;
		}
		if (rc != -1 || why == NULL)
			fail_msg("row %zu accepted", i);
		if (strstr(why, policy_rows[i].why) == NULL)
			fail_msg("row %zu: '%s' lacks '%s'", i, why,
			    policy_rows[i].why);
		/* the reason is Chinese first, English in parentheses */
		assert_true((unsigned char)why[0] >= 0x80);
		assert_non_null(strstr(why, " ("));
		/* why may be NULL */
		assert_int_equal(password_policy(policy_rows[i].pw, NULL), -1);
	}
}

static void
test_hash_verify(void **state)
{
	char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("Abc1234!xy", h1, sizeof(h1)), 0);
	assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
	assert_int_equal(password_verify(h1, "Abc1234!xy"), 0);
	assert_int_equal(password_verify(h1, "Abc1234!xz"), -1);
	assert_int_equal(password_verify(h1, "Abc1234!x"), -1);
	assert_int_equal(password_verify(h1, ""), -1);
	/* a fresh salt each time */
	assert_int_equal(password_hash("Abc1234!xy", h2, sizeof(h2)), 0);
	assert_string_not_equal(h1, h2);
	assert_int_equal(password_verify(h2, "Abc1234!xy"), 0);
	/* hashing does not apply the policy */
	assert_int_equal(password_hash("", h2, sizeof(h2)), 0);
	assert_int_equal(password_verify(h2, ""), 0);
	assert_int_equal(password_verify(h2, "x"), -1);
	/* non-ASCII */
	assert_int_equal(password_hash("中文密码abc123", h2, sizeof(h2)), 0);
	assert_int_equal(password_verify(h2, "中文密码abc123"), 0);
}

static void
test_test_cost(void **state)
{
	char h[PASSWORD_HASH_MAX];

	(void)state;
	/* LF_TESTING builds use libsodium's minimum cost */
	assert_int_equal(password_hash("Abc1234!xy", h, sizeof(h)), 0);
	assert_non_null(strstr(h, "$m=8,t=1,p=1$"));
}

static void
test_bad_arguments(void **state)
{
	char h[PASSWORD_HASH_MAX], small[PASSWORD_HASH_MAX - 1];
	char unterminated[PASSWORD_HASH_MAX + 8];

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_int_equal(password_hash("Abc1234!xy", small, sizeof(small)),
	    -1);
	assert_int_equal(small[0], '\0');
	assert_int_equal(password_hash("Abc1234!xy", small, 0), -1);
	assert_int_equal(password_hash("Abc1234!xy", NULL, 128), -1);
	memset(h, 'x', sizeof(h));
	assert_int_equal(password_hash(NULL, h, sizeof(h)), -1);
	assert_int_equal(h[0], '\0');
	assert_int_equal(password_verify(NULL, "x"), -1);
	assert_int_equal(password_hash("Abc1234!xy", h, sizeof(h)), 0);
	assert_int_equal(password_verify(h, NULL), -1);
	assert_int_equal(password_verify("", "Abc1234!xy"), -1);
	assert_int_equal(password_verify("$argon2id$v=19$garbage",
	    "Abc1234!xy"), -1);
	/* a hash cut short, or one changed, does not verify */
	h[strlen(h) - 1] = h[strlen(h) - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(password_verify(h, "Abc1234!xy"), -1);
	h[strlen(h) - 4] = '\0';
	assert_int_equal(password_verify(h, "Abc1234!xy"), -1);
	/* no NUL within PASSWORD_HASH_MAX bytes */
	memset(unterminated, 'a', sizeof(unterminated) - 1);
	unterminated[sizeof(unterminated) - 1] = '\0';
	assert_int_equal(password_verify(unterminated, "Abc1234!xy"), -1);
}

static void
test_dummy(void **state)
{
	(void)state;
	assert_int_equal(password_verify_dummy("Abc1234!xy"), -1);
	assert_int_equal(password_verify_dummy("liangfu: no such login"), -1);
	assert_int_equal(password_verify_dummy(""), -1);
	assert_int_equal(password_verify_dummy(NULL), -1);
}

static void *
worker(void *arg)
{
	char h[PASSWORD_HASH_MAX];
	int i, *ok = arg;

	*ok = 1;
	for (i = 0; i < 20; i++)
		if (password_hash("Abc1234!xy", h, sizeof(h)) != 0 ||
		    password_verify(h, "Abc1234!xy") != 0 ||
		    password_verify_dummy("Abc1234!xy") != -1)
			*ok = 0;
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t t[8];
	int ok[8];
	size_t i;

	(void)state;
	for (i = 0; i < nitems(t); i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, &ok[i]),
		    0);
	for (i = 0; i < nitems(t); i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(ok[i], 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* first, so that pthread_once runs under contention */
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_hash_verify),
		cmocka_unit_test(test_test_cost),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_dummy),
	};

	return cmocka_run_group_tests_name("password", tests, NULL, NULL);
}

/*
 * ref.c - row ids as SM4-encrypted opaque references.
 */
#include "crypto/ref.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#define BLOCK	16

/* One SM4-ECB block in place, under the key of domain. 0 or -1. */
static int
sm4_block(const struct crypto_keys *k, const char *domain, int enc,
    unsigned char blk[BLOCK])
{
	unsigned char key[CRYPTO_HASH_LEN], out[BLOCK + BLOCK];
	EVP_CIPHER_CTX *ctx;
	int n = 0, rc = -1;

	if (crypto_lookup_hash(k, "ref", domain, strlen(domain), key) != 0)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) != NULL &&
	    EVP_CipherInit_ex(ctx, EVP_sm4_ecb(), NULL, key, NULL, enc) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_CipherUpdate(ctx, out, &n, blk, BLOCK) == 1 && n == BLOCK) {
		memcpy(blk, out, BLOCK);
		rc = 0;
	}
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(out, sizeof(out));
	if (rc != 0)
		ERR_clear_error();
	return rc;
}

int
crypto_ref_encode(const struct crypto_keys *k, const char *domain, int64_t id,
    char out[CRYPTO_REF_LEN + 1])
{
	unsigned char blk[BLOCK] = { 0 };
	int i;

	out[0] = '\0';
	if (id <= 0)
		return -1;
	for (i = 0; i < 8; i++)
		blk[i] = (unsigned char)((uint64_t)id >> (56 - 8 * i));
	if (sm4_block(k, domain, 1, blk) != 0)
		return -1;
	for (i = 0; i < BLOCK; i++) {
		out[2 * i] = (char)('a' + (blk[i] >> 4));
		out[2 * i + 1] = (char)('a' + (blk[i] & 15));
	}
	out[CRYPTO_REF_LEN] = '\0';
	return 0;
}

int
crypto_ref_decode(const struct crypto_keys *k, const char *domain,
    const char *ref, int64_t *id)
{
	unsigned char blk[BLOCK];
	uint64_t v = 0;
	int i;

	if (strlen(ref) != CRYPTO_REF_LEN ||
	    strspn(ref, "abcdefghijklmnop") != CRYPTO_REF_LEN)
		return -1;
	for (i = 0; i < BLOCK; i++)
		blk[i] = (unsigned char)((ref[2 * i] - 'a') << 4 |
		    (ref[2 * i + 1] - 'a'));
	if (sm4_block(k, domain, 0, blk) != 0)
		return -1;
	for (i = 8; i < BLOCK; i++)
		if (blk[i] != 0)
			return -1;
	for (i = 0; i < 8; i++)
		v = v << 8 | blk[i];
	if (v == 0 || v > INT64_MAX)
		return -1;
	*id = (int64_t)v;
	return 0;
}

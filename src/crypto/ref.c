/*
 * ref.c - row ids as SM4-encrypted opaque references.
 */
#include "crypto/ref.h"

#include <string.h>


#define BLOCK	16	/* crypto_ref_block()'s */

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
	if (crypto_ref_block(k, domain, 1, blk) != 0)
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
	if (crypto_ref_block(k, domain, 0, blk) != 0)
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

/*
 * ref.h - opaque references for row ids in URLs (service items).
 *
 * A row id (a positive 64-bit integer, given out in sequence) must not
 * appear in a URL, where the next one is the previous plus one. Its
 * reference is the id encrypted under a key of the key file: one SM4
 * block, id (8 bytes, big-endian) || 8 zero bytes, with a key derived
 * from the lookup key and a domain ("item"), written as 32 letters a-p
 * (one per 4 bits: never a digit, so never an ID-shaped run). The same
 * id always gives the same reference under one key file; without the key
 * file neither direction can be computed, and a reference changed in any
 * character decodes to garbage whose zero half fails (2^-64 chance of a
 * false hit), so references cannot be walked or forged.
 *
 * Losing or replacing the key file changes every reference (URLs kept by
 * users stop working; the rows are untouched).
 */
#ifndef LF_CRYPTO_REF_H
#define LF_CRYPTO_REF_H

#include <stdint.h>

#include "crypto/crypto.h"

#define CRYPTO_REF_LEN	32

/* Writes id's reference in domain (a short ASCII name) to out. 0, or -1
 * (id <= 0, OpenSSL failure) with out = "". */
int	crypto_ref_encode(const struct crypto_keys *k, const char *domain,
	    int64_t id, char out[CRYPTO_REF_LEN + 1]);
/* The id whose reference in domain is ref: 0 with *id, or -1 when ref is
 * not one (wrong length or letters, another domain or key file, changed). */
int	crypto_ref_decode(const struct crypto_keys *k, const char *domain,
	    const char *ref, int64_t *id);

#endif

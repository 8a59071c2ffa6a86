/*
 * hash.h - the one hash of short strings for in-memory tables.
 *
 * FNV-1a over 32 bits: fast on codes and short texts, good enough spread
 * for open-addressing tables whose slot is the hash masked by a power of
 * two minus one. Not for anything an attacker chooses in bulk (no seed)
 * and never for security: the keyed hashes are in crypto/. Pure: no
 * state, no allocation, no error.
 */
#ifndef LF_LIB_HASH_H
#define LF_LIB_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The hash of n bytes at p. */
uint32_t	lf_hash(const void *p, size_t n);
/* The hash of the NUL-terminated s (lf_hash of its bytes). */
uint32_t	lf_hash_str(const char *s);

#endif

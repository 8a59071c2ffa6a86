/*
 * crypto.h - keys, field encryption and lookup hashes (SM4, SM3).
 *
 * Everything secret in liangfu goes through this module. ID numbers and
 * phone numbers of registered persons are stored sealed: encrypted with
 * SM4-CTR and authenticated with HMAC-SM3 (encrypt-then-MAC), the tag bound
 * to the row the value belongs to. Exact lookup and duplicate detection use
 * a keyed hash (HMAC-SM3) of the value instead of the value itself.
 *
 * Key file. One file holds three independent random keys:
 *
 *	liangfu-keys 1
 *	enc <32 hex digits>	SM4 key, 16 bytes
 *	mac <64 hex digits>	HMAC-SM3 key for sealing, 32 bytes
 *	lookup <64 hex digits>	HMAC-SM3 key for lookup hashes, 32 bytes
 *
 * The header comes first; the key lines may come in any order, each
 * exactly once; every line ends in '\n' (the last may omit it); nothing
 * else is accepted (no blank lines, no comments, no '\r'). Hex digits may
 * be upper or lower case. The file must give group and others no access
 * at all (mode 0600 or 0400). Losing the file loses every sealed value and
 * every lookup hash: back it up apart from the database.
 *
 * Sealed format (CRYPTO_SEAL_OVERHEAD = 49 bytes more than the plaintext):
 *
 *	version (1 byte, CRYPTO_SEAL_VERSION) || iv (16) || ct || tag (32)
 *
 * ct = SM4-CTR(enckey, iv, pt), the iv being the initial 128-bit
 * big-endian counter block and drawn at random for every seal;
 * tag = HMAC-SM3(mackey, version || iv || aadlen || aad || ct), aadlen as
 * 4 bytes big-endian. The aad ("additional authenticated data") names
 * where the value lives, e.g. "surveys:<person>:<year>:contact_mobile", so
 * a sealed value copied to another row or column no longer opens. The aad
 * itself is not stored; the caller rebuilds it to open.
 *
 * Lookup hash: HMAC-SM3(lookupkey, domain || 0x00 || data). The domain
 * ("id_number", "phone") keeps hashes of one kind of value from matching
 * another kind.
 *
 * Threads. A loaded key set may be used by any number of threads at once
 * with crypto_seal(), crypto_open() and crypto_lookup_hash(). Each call
 * borrows a set of keyed OpenSSL contexts from a small pool kept in the key
 * set (created on first need, at most one per concurrent caller) and
 * returns it; IVs come from a per-context buffer of random bytes refilled
 * from RAND_bytes(), discarded in a child after fork(). crypto_keys_free()
 * must not run while another thread still uses the key set. After fork() a
 * child process must not use a key set its parent loaded: it loads its own.
 *
 * Errors. crypto_keys_create() and crypto_keys_load() return -1 with a
 * message in err (Chinese first, English in parentheses; never any key
 * material; err may be NULL when errlen is 0). The other functions return
 * -1 with no message: a sealed value that fails to open is indistinguishable
 * from a forged one, on purpose. On failure no output buffer holds partial
 * results: what was written is wiped to zero and the length is set to 0.
 */
#ifndef LF_CRYPTO_CRYPTO_H
#define LF_CRYPTO_CRYPTO_H

#include <stddef.h>

#define CRYPTO_SEAL_VERSION	1
#define CRYPTO_IV_LEN		16
#define CRYPTO_TAG_LEN		32
#define CRYPTO_SEAL_OVERHEAD	(1 + CRYPTO_IV_LEN + CRYPTO_TAG_LEN)	/* 49 */
#define CRYPTO_HASH_LEN		32

/* Largest plaintext crypto_seal() takes, largest aad any function takes. */
#define CRYPTO_SEAL_MAX		(16u * 1024 * 1024)
#define CRYPTO_AAD_MAX		(64u * 1024)

/* Longest lookup-hash domain, in bytes without the NUL. */
#define CRYPTO_DOMAIN_MAX	64

/* Largest key file crypto_keys_load() reads. */
#define CRYPTO_KEYFILE_MAX	1024

struct crypto_keys;

/*
 * Creates a new key file at path holding three fresh keys from RAND_bytes(),
 * mode 0600, synced to disk (file and directory). Refuses to replace any
 * existing file or symlink. On failure nothing is left at path (a file
 * created by this call is removed). Returns 0, or -1 with a message in err.
 */
int	crypto_keys_create(const char *path, char *err, size_t errlen);

/*
 * Reads the key file at path and prepares the keys for use. Refuses a file
 * that is not a regular file, is readable or writable by group or others,
 * exceeds CRYPTO_KEYFILE_MAX bytes, or breaks the format above in any way.
 * On success *out is a key set the caller releases with crypto_keys_free();
 * on failure *out is NULL and err holds the reason. Returns 0 or -1.
 */
int	crypto_keys_load(const char *path, struct crypto_keys **out,
	    char *err, size_t errlen);

/* Wipes and frees the key set and its context pool. NULL is a no-op. */
void	crypto_keys_free(struct crypto_keys *k);

/*
 * Seals ptlen bytes at pt (ptlen <= CRYPTO_SEAL_MAX; pt may be NULL when
 * ptlen is 0) bound to aadlen bytes at aad (<= CRYPTO_AAD_MAX; NULL when
 * aadlen is 0). Writes ptlen + CRYPTO_SEAL_OVERHEAD bytes to out, which has
 * room for outcap bytes and must not overlap pt, and that length to
 * *outlen. Returns 0, or -1 (outcap too small, bad arguments, no memory,
 * OpenSSL failure) with *outlen = 0 and nothing left in out.
 */
int	crypto_seal(const struct crypto_keys *k, const void *aad, size_t aadlen,
	    const void *pt, size_t ptlen, unsigned char *out, size_t outcap,
	    size_t *outlen);

/*
 * Opens inlen bytes at in sealed by crypto_seal() with the same key set
 * and the same aad. The tag is checked, in constant time, before anything
 * is decrypted. Writes inlen - CRYPTO_SEAL_OVERHEAD bytes to pt (room for
 * ptcap bytes, must not overlap in; may be NULL when that length is 0) and
 * that length to *ptlen. Returns 0, or -1 for anything wrong (another aad
 * or key set, any byte changed, truncated or extended input, unknown
 * version, ptcap too small, bad arguments, no memory) with *ptlen = 0 and
 * nothing left in pt.
 */
int	crypto_open(const struct crypto_keys *k, const void *aad, size_t aadlen,
	    const unsigned char *in, size_t inlen, void *pt, size_t ptcap,
	    size_t *ptlen);
#ifdef LF_TESTING
/* Calls of crypto_open() in this process so far (tests: which paths open
 * sealed values). */
unsigned long crypto_open_count(void);
#endif

/*
 * Writes the lookup hash of len bytes at data (NULL when len is 0) in
 * domain (a non-empty string of at most CRYPTO_DOMAIN_MAX bytes) to out.
 * Equal (domain, data) give equal hashes under one key set and unrelated
 * hashes under another. Returns 0, or -1 (bad arguments, no memory,
 * OpenSSL failure) with out zeroed (when out is not NULL).
 */
int	crypto_lookup_hash(const struct crypto_keys *k, const char *domain,
	    const void *data, size_t len, unsigned char out[CRYPTO_HASH_LEN]);

/*
 * One SM4-ECB block in place (enc 1 encrypts, 0 decrypts) under the key of
 * references in domain (ref.h): the lookup hash of domain in domain "ref",
 * derived on the first use of a domain and kept in the key set (for up to
 * CRYPTO_REF_DOMAINS domains; others are derived at every call). Any
 * number of threads at once. 0, or -1 (no memory, OpenSSL failure).
 */
#define CRYPTO_REF_DOMAINS	4
int	crypto_ref_block(const struct crypto_keys *k, const char *domain,
	    int enc, unsigned char blk[16]);

/*
 * Writes the key set's check value to out: a hash that depends on all
 * three keys (seal, mac, lookup) and reveals none of them. Stored beside
 * the data (store/keycheck.h), it tells at open whether a key file is the
 * one the data was sealed with: a damaged or foreign key file would
 * otherwise open values into garbage (a changed seal key passes the tag).
 * Returns 0, or -1 (no memory, OpenSSL failure) with out zeroed.
 */
int	crypto_keys_check(const struct crypto_keys *k,
	    unsigned char out[CRYPTO_HASH_LEN]);

/*
 * Fills n bytes at buf (NULL when n is 0) from the OpenSSL CSPRNG.
 * Returns 0, or -1 with buf zeroed.
 */
int	crypto_random(void *buf, size_t n);
/*
 * Writes the lower-case hex digits of n fresh random bytes (n at most
 * CRYPTO_RANDOM_HEX_MAX) and a NUL to out, which holds 2 * n + 1 bytes:
 * session tokens, CSRF tokens. Returns 0, or -1 with out "".
 */
#define CRYPTO_RANDOM_HEX_MAX	64
int	crypto_random_hex(char *out, size_t n);

#endif

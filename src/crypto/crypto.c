/*
 * crypto.c - key file, SM4-CTR + HMAC-SM3 sealing, lookup hashes.
 *
 * The formats are described in crypto.h; this file is about doing them
 * fast and safely from many threads.
 *
 * A bulk import seals and hashes some twenty million fields, so the per-call
 * cost matters. Sealing an 18-byte field is two SM4 blocks and three SM3
 * compressions (the HMAC key pads are hashed once, at load); everything
 * else OpenSSL would do per call is done once instead. crypto_keys_load()
 * fetches the algorithms and keys one template context per key. Calls do
 * not use the templates: they borrow a "worker" (a copy of each template
 * plus a buffer of random IVs) from the key set's pool, reset its contexts
 * to the keyed state (EVP_MAC_init() with no key, EVP_EncryptInit_ex2()
 * with only an IV), use it and give it back. A worker is used by one thread
 * at a time, so no OpenSSL context is ever shared between threads; the pool
 * lock is held only to pop or push a worker, and while copying templates to
 * make a new one. A call that saw OpenSSL fail drops its worker rather
 * than return contexts in an unknown state to the pool.
 *
 * RAND_bytes() costs more per call than the whole SM4 encryption of a short
 * field, so each worker draws 2 KiB of randomness at a time and hands out
 * 16-byte IVs from it. IVs are public, so the buffer holds nothing secret,
 * but two processes must never share it: a pthread_atfork() child handler
 * bumps fork_gen and a worker refills when its buffer predates the fork.
 *
 * Every failure wipes what it had written to the caller's buffer and clears
 * the OpenSSL error queue, so no caller can take a half-built result for a
 * real one and no OpenSSL error lingers into an unrelated later report.
 */
#include "crypto/crypto.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "lib/faultfile.h"
#include "lib/mem.h"

#define KEYFILE_MAGIC	"liangfu-keys "
#define KEYFILE_VERSION	"1"
#define ENC_KEY_LEN	16
#define MAC_KEY_LEN	32
#define VI_LEN		(1 + CRYPTO_IV_LEN)	/* version || iv */
#define IV_BUF_LEN	(CRYPTO_IV_LEN * 128)
#define POOL_MAX	64	/* idle workers kept per key set */
#define RAND_CHUNK	(1 << 20)

struct keymat {
	unsigned char	enc[ENC_KEY_LEN];
	unsigned char	mac[MAC_KEY_LEN];
	unsigned char	lookup[MAC_KEY_LEN];
};

/* The key lines of the key file, in the order crypto_keys_create() writes. */
static const struct keyline {
	const char	*name;
	size_t		 off;	/* into struct keymat */
	size_t		 len;	/* key bytes */
} keylines[] = {
	{ "enc",	offsetof(struct keymat, enc),		ENC_KEY_LEN },
	{ "mac",	offsetof(struct keymat, mac),		MAC_KEY_LEN },
	{ "lookup",	offsetof(struct keymat, lookup),	MAC_KEY_LEN },
};
#define NKEYLINES	(sizeof(keylines) / sizeof(keylines[0]))

/* Longest file crypto_keys_create() writes: header + name, space, hex, \n. */
_Static_assert(sizeof(KEYFILE_MAGIC KEYFILE_VERSION) +
    NKEYLINES * (8 + 2 * MAC_KEY_LEN) < CRYPTO_KEYFILE_MAX,
    "CRYPTO_KEYFILE_MAX too small for a key file");

/* One caller's keyed contexts; owned by one thread between get and put. */
struct worker {
	struct worker	*next;
	EVP_CIPHER_CTX	*enc;
	EVP_MAC_CTX	*mac;
	EVP_MAC_CTX	*lookup;
	unsigned long	 forkgen;	/* fork_gen when ivs was filled */
	size_t		 ivpos;		/* next unused byte of ivs */
	unsigned char	 ivs[IV_BUF_LEN];
};

struct pool {
	pthread_mutex_t	 lock;	/* guards idle, nidle, template reads */
	struct worker	*idle;
	size_t		 nidle;
};

/* The key of references in one domain (crypto_ref_block()). */
struct refkey {
	char		 domain[CRYPTO_DOMAIN_MAX + 1];
	unsigned char	 key[CRYPTO_HASH_LEN];
};

struct crypto_keys {
	EVP_CIPHER	*cipher;	/* SM4-CTR */
	EVP_CIPHER	*ecb;		/* SM4-ECB, for references */
	pthread_mutex_t	 ref_lock;	/* guards ref, nref */
	int		 ref_lock_ok;
	struct refkey	 ref[CRYPTO_REF_DOMAINS];
	int		 nref;
	EVP_MAC		*hmac;
	EVP_CIPHER_CTX	*enc_tmpl;	/* SM4 key set, no IV */
	EVP_MAC_CTX	*mac_tmpl;	/* HMAC-SM3 with the seal key */
	EVP_MAC_CTX	*lookup_tmpl;	/* HMAC-SM3 with the lookup key */
	struct pool	*pool;
};

static atomic_ulong	fork_gen;
static pthread_once_t	fork_once = PTHREAD_ONCE_INIT;
static int		fork_hooked;

static char		digest_name[] = "SM3";

static void	seterr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void
fork_child(void)
{
	atomic_fetch_add(&fork_gen, 1);
}

static void
fork_hook(void)
{
	fork_hooked = pthread_atfork(NULL, NULL, fork_child) == 0;
}

/* A (pointer, length) argument: NULL only when empty, at most max bytes. */
static int
span_ok(const void *p, size_t n, size_t max)
{
	return (p != NULL || n == 0) && n <= max;
}

static int
overlaps(const void *a, size_t alen, const void *b, size_t blen)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	if (alen == 0 || blen == 0)
		return 0;
	return x < y + blen && y < x + alen;
}

/* ---- key file ---------------------------------------------------------- */

static void
hex_encode(char *dst, const unsigned char *src, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		dst[2 * i] = digits[src[i] >> 4];
		dst[2 * i + 1] = digits[src[i] & 0x0f];
	}
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes 2n hex digits at src into n bytes at dst. */
static int
hex_decode(unsigned char *dst, const char *src, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		hi = hex_value(src[2 * i]);
		lo = hex_value(src[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		dst[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Writes the key file text for km to text; returns its length. */
static size_t
keyfile_format(const struct keymat *km, char text[CRYPTO_KEYFILE_MAX])
{
	const unsigned char *base = (const unsigned char *)km;
	const struct keyline *kl;
	size_t i, len, n;

	len = strlen(KEYFILE_MAGIC KEYFILE_VERSION);
	memcpy(text, KEYFILE_MAGIC KEYFILE_VERSION, len);
	text[len++] = '\n';
	for (i = 0; i < NKEYLINES; i++) {
		kl = &keylines[i];
		n = strlen(kl->name);
		memcpy(text + len, kl->name, n);
		len += n;
		text[len++] = ' ';
		hex_encode(text + len, base + kl->off, kl->len);
		len += 2 * kl->len;
		text[len++] = '\n';
	}
	return len;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsyncs the directory holding path, so the new name survives a crash. */
static int
sync_dir(const char *path)
{
	char *copy;
	int fd = -1, rc = -1;

	copy = mem_strdup(path);
	if (copy == NULL) {
		errno = ENOMEM;
		goto out;
	}
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || fsync(fd) == -1)
		goto out;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	mem_free(copy);
	return rc;
}

int
crypto_keys_create(const char *path, char *err, size_t errlen)
{
	struct keymat km;
	char text[CRYPTO_KEYFILE_MAX];
	size_t len;
	int fd = -1, created = 0, rc = -1;

	if (path == NULL) {
		seterr(err, errlen, "参数错误 (no key file path given)");
		return -1;
	}
	if (RAND_bytes((unsigned char *)&km, sizeof(km)) != 1) {
		seterr(err, errlen, "随机数生成失败 (RAND_bytes failed)");
		goto out;
	}
	len = keyfile_format(&km, text);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1 && errno == EEXIST) {
		seterr(err, errlen, "密钥文件已存在 (key file %s already "
		    "exists; refusing to overwrite it)", path);
		goto out;
	}
	if (fd == -1) {
		seterr(err, errlen, "无法创建密钥文件 (cannot create key file "
		    "%s: %s)", path, strerror(errno));
		goto out;
	}
	created = 1;
	/* fchmod: the umask may have taken bits we want (0600 exactly). */
	if (fchmod(fd, 0600) == -1 || faultfile("key-write") != 0 ||
	    write_all(fd, text, len) == -1 ||
	    faultfile("key-sync") != 0 || fsync(fd) == -1) {
		seterr(err, errlen, "无法写入密钥文件 (cannot write key file "
		    "%s: %s)", path, strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		seterr(err, errlen, "无法写入密钥文件 (cannot write key file "
		    "%s: %s)", path, strerror(errno));
		goto out;
	}
	fd = -1;
	if (sync_dir(path) == -1) {
		seterr(err, errlen, "无法同步目录 (cannot sync the directory "
		    "of %s: %s)", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (rc != 0 && created)
		unlink(path);
	if (rc != 0)
		ERR_clear_error();
	OPENSSL_cleanse(&km, sizeof(km));
	OPENSSL_cleanse(text, sizeof(text));
	return rc;
}

/* Reads the whole key file into text (cap bytes, one more than allowed). */
static int
keyfile_read(const char *path, char *text, size_t cap, size_t *len,
    char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd, rc = -1;

	/* O_NONBLOCK: a FIFO planted at path must not hang us. */
	if (faultfile("key-open") != 0)
		fd = -1;
	else
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		seterr(err, errlen, "无法打开密钥文件 (cannot open key file "
		    "%s: %s)", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		seterr(err, errlen, "无法读取密钥文件 (cannot stat key file "
		    "%s: %s)", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errlen, "密钥文件不是普通文件 (key file %s is not "
		    "a regular file)", path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		seterr(err, errlen, "密钥文件权限过宽 (key file %s has mode "
		    "%04o, open to group or others; run chmod 600 %s)", path,
		    (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	while (got < cap) {
		if (faultfile("key-read") != 0)
			n = -1;
		else
			n = read(fd, text + got, cap - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			seterr(err, errlen, "无法读取密钥文件 (cannot read key "
			    "file %s: %s)", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == cap) {
		seterr(err, errlen, "密钥文件过大 (key file %s is larger than "
		    "%u bytes)", path, (unsigned)(cap - 1));
		goto out;
	}
	*len = got;
	rc = 0;
out:
	close(fd);
	return rc;
}

static int
parse_header(const char *line, size_t len, char *err, size_t errlen)
{
	size_t mlen = strlen(KEYFILE_MAGIC);
	size_t vlen = strlen(KEYFILE_VERSION);

	if (len < mlen || memcmp(line, KEYFILE_MAGIC, mlen) != 0) {
		seterr(err, errlen, "密钥文件格式错误 (line 1: not a liangfu "
		    "key file)");
		return -1;
	}
	if (len != mlen + vlen || memcmp(line + mlen, KEYFILE_VERSION,
	    vlen) != 0) {
		seterr(err, errlen, "密钥文件版本不支持 (line 1: unsupported "
		    "key file version, expected %s)", KEYFILE_VERSION);
		return -1;
	}
	return 0;
}

static const struct keyline *
keyline_find(const char *name, size_t len, size_t *idx)
{
	size_t i;

	for (i = 0; i < NKEYLINES; i++) {
		if (strlen(keylines[i].name) == len &&
		    memcmp(keylines[i].name, name, len) == 0) {
			*idx = i;
			return &keylines[i];
		}
	}
	return NULL;
}

/* One "<name> <hex>" line. The line's text never goes into a message. */
static int
parse_keyline(const char *line, size_t len, unsigned lineno,
    struct keymat *km, int seen[NKEYLINES], char *err, size_t errlen)
{
	const struct keyline *kl;
	const char *sp;
	size_t idx = 0, hexlen;

	sp = memchr(line, ' ', len);
	kl = sp != NULL ? keyline_find(line, (size_t)(sp - line), &idx) : NULL;
	if (kl == NULL) {
		seterr(err, errlen, "密钥文件格式错误 (line %u: expected "
		    "'enc', 'mac' or 'lookup', a space and hex digits)",
		    lineno);
		return -1;
	}
	if (seen[idx]) {
		seterr(err, errlen, "密钥文件格式错误 (line %u: key '%s' "
		    "given twice)", lineno, kl->name);
		return -1;
	}
	hexlen = len - (size_t)(sp + 1 - line);
	if (hexlen != 2 * kl->len) {
		seterr(err, errlen, "密钥长度错误 (line %u: key '%s' needs %zu "
		    "hex digits, found %zu characters)", lineno, kl->name,
		    2 * kl->len, hexlen);
		return -1;
	}
	if (hex_decode((unsigned char *)km + kl->off, sp + 1, kl->len) != 0) {
		seterr(err, errlen, "密钥格式错误 (line %u: key '%s' is not "
		    "hexadecimal)", lineno, kl->name);
		return -1;
	}
	seen[idx] = 1;
	return 0;
}

static int
keyfile_parse(const char *text, size_t len, struct keymat *km, char *err,
    size_t errlen)
{
	const char *p = text, *end = text + len, *nl;
	int seen[NKEYLINES] = { 0 };
	unsigned lineno = 0;
	size_t i, linelen;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		linelen = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		if (lineno == 1 && parse_header(p, linelen, err, errlen) != 0)
			return -1;
		if (lineno > 1 && parse_keyline(p, linelen, lineno, km, seen,
		    err, errlen) != 0)
			return -1;
		p += linelen + (nl != NULL);
	}
	if (lineno == 0)
		return parse_header(text, 0, err, errlen);
	for (i = 0; i < NKEYLINES; i++) {
		if (!seen[i]) {
			seterr(err, errlen, "缺少密钥 (key file has no '%s' "
			    "line)", keylines[i].name);
			return -1;
		}
	}
	return 0;
}

/* ---- key set and worker pool ------------------------------------------- */

static EVP_MAC_CTX *
hmac_new(EVP_MAC *mac, const unsigned char key[MAC_KEY_LEN])
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;

	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest_name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, MAC_KEY_LEN, params) != 1 ||
	    EVP_MAC_CTX_get_mac_size(ctx) != CRYPTO_TAG_LEN) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static struct pool *
pool_new(void)
{
	struct pool *p;

	p = mem_calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		mem_free(p);
		return NULL;
	}
	return p;
}

static void
worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	EVP_CIPHER_CTX_free(w->enc);
	EVP_MAC_CTX_free(w->mac);
	EVP_MAC_CTX_free(w->lookup);
	OPENSSL_cleanse(w, sizeof(*w));
	mem_free(w);
}

static void
pool_free(struct pool *p)
{
	struct worker *w;

	if (p == NULL)
		return;
	while (p->idle != NULL) {
		w = p->idle;
		p->idle = w->next;
		worker_free(w);
	}
	pthread_mutex_destroy(&p->lock);
	mem_free(p);
}

static int
keys_setup(struct crypto_keys *k, const struct keymat *km)
{
	k->pool = pool_new();
	k->cipher = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
	k->ecb = EVP_CIPHER_fetch(NULL, "SM4-ECB", NULL);
	k->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	k->enc_tmpl = EVP_CIPHER_CTX_new();
	k->ref_lock_ok = pthread_mutex_init(&k->ref_lock, NULL) == 0;
	if (k->pool == NULL || k->cipher == NULL || k->ecb == NULL ||
	    k->hmac == NULL || k->enc_tmpl == NULL || !k->ref_lock_ok)
		return -1;
	if (EVP_CIPHER_get_key_length(k->cipher) != ENC_KEY_LEN ||
	    EVP_CIPHER_get_iv_length(k->cipher) != CRYPTO_IV_LEN ||
	    EVP_EncryptInit_ex2(k->enc_tmpl, k->cipher, km->enc, NULL,
	    NULL) != 1)
		return -1;
	k->mac_tmpl = hmac_new(k->hmac, km->mac);
	k->lookup_tmpl = hmac_new(k->hmac, km->lookup);
	if (k->mac_tmpl == NULL || k->lookup_tmpl == NULL)
		return -1;
	return 0;
}

int
crypto_keys_load(const char *path, struct crypto_keys **out, char *err,
    size_t errlen)
{
	struct crypto_keys *k = NULL;
	struct keymat km;
	char text[CRYPTO_KEYFILE_MAX + 1];
	size_t len = 0;
	int rc = -1;

	if (out != NULL)
		*out = NULL;
	if (path == NULL || out == NULL) {
		seterr(err, errlen, "参数错误 (no key file path given)");
		return -1;
	}
	pthread_once(&fork_once, fork_hook);
	if (!fork_hooked) {
		seterr(err, errlen, "初始化失败 (pthread_atfork failed)");
		return -1;
	}
	if (keyfile_read(path, text, sizeof(text), &len, err, errlen) != 0 ||
	    keyfile_parse(text, len, &km, err, errlen) != 0)
		goto out;
	k = mem_calloc(1, sizeof(*k));
	if (k == NULL || keys_setup(k, &km) != 0) {
		seterr(err, errlen, "密钥初始化失败 (cannot set up SM4 and "
		    "HMAC-SM3: out of memory, or OpenSSL lacks SM3/SM4)");
		goto out;
	}
	*out = k;
	k = NULL;
	rc = 0;
out:
	crypto_keys_free(k);
	if (rc != 0)
		ERR_clear_error();
	OPENSSL_cleanse(&km, sizeof(km));
	OPENSSL_cleanse(text, sizeof(text));
	return rc;
}

void
crypto_keys_free(struct crypto_keys *k)
{
	if (k == NULL)
		return;
	pool_free(k->pool);
	EVP_MAC_CTX_free(k->mac_tmpl);
	EVP_MAC_CTX_free(k->lookup_tmpl);
	EVP_CIPHER_CTX_free(k->enc_tmpl);
	EVP_MAC_free(k->hmac);
	EVP_CIPHER_free(k->cipher);
	EVP_CIPHER_free(k->ecb);
	if (k->ref_lock_ok)
		pthread_mutex_destroy(&k->ref_lock);
	OPENSSL_cleanse(k, sizeof(*k));
	mem_free(k);
}

/* Copies the templates; the caller holds the pool lock. */
static struct worker *
worker_new(const struct crypto_keys *k)
{
	struct worker *w;

	w = mem_calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->ivpos = sizeof(w->ivs);	/* empty: filled on first use */
	w->enc = EVP_CIPHER_CTX_new();
	w->mac = EVP_MAC_CTX_dup(k->mac_tmpl);
	w->lookup = EVP_MAC_CTX_dup(k->lookup_tmpl);
	if (w->enc == NULL || w->mac == NULL || w->lookup == NULL ||
	    EVP_CIPHER_CTX_copy(w->enc, k->enc_tmpl) != 1) {
		worker_free(w);
		ERR_clear_error();
		return NULL;
	}
	return w;
}

static struct worker *
worker_get(const struct crypto_keys *k)
{
	struct pool *p = k->pool;
	struct worker *w;

	if (pthread_mutex_lock(&p->lock) != 0)
		return NULL;
	w = p->idle;
	if (w != NULL) {
		p->idle = w->next;
		p->nidle--;
	} else
		w = worker_new(k);
	pthread_mutex_unlock(&p->lock);
	return w;
}

/* Returns w to the pool, or frees it when broken (OpenSSL failed in it). */
static void
worker_put(const struct crypto_keys *k, struct worker *w, int broken)
{
	struct pool *p;

	if (w == NULL)
		return;
	p = k->pool;
	if (broken)
		ERR_clear_error();
	if (!broken && pthread_mutex_lock(&p->lock) == 0) {
		if (p->nidle < POOL_MAX) {
			w->next = p->idle;
			p->idle = w;
			p->nidle++;
			w = NULL;
		}
		pthread_mutex_unlock(&p->lock);
	}
	worker_free(w);
}

/* ---- sealing and hashing ----------------------------------------------- */

static int
next_iv(struct worker *w, unsigned char iv[CRYPTO_IV_LEN])
{
	unsigned long gen = atomic_load(&fork_gen);

	if (w->ivpos + CRYPTO_IV_LEN > sizeof(w->ivs) || w->forkgen != gen) {
		w->ivpos = sizeof(w->ivs);
		if (RAND_bytes(w->ivs, sizeof(w->ivs)) != 1)
			return -1;
		w->ivpos = 0;
		w->forkgen = gen;
	}
	memcpy(iv, w->ivs + w->ivpos, CRYPTO_IV_LEN);
	w->ivpos += CRYPTO_IV_LEN;
	return 0;
}

/* SM4-CTR of len bytes; encryption and decryption are the same. */
static int
ctr(struct worker *w, const unsigned char iv[CRYPTO_IV_LEN],
    const unsigned char *in, size_t len, unsigned char *out)
{
	int n;

	if (EVP_EncryptInit_ex2(w->enc, NULL, NULL, iv, NULL) != 1)
		return -1;
	if (len == 0)
		return 0;
	if (EVP_EncryptUpdate(w->enc, out, &n, in, (int)len) != 1 ||
	    n < 0 || (size_t)n != len)
		return -1;
	return 0;
}

static int
mac_update(EVP_MAC_CTX *ctx, const void *p, size_t n)
{
	return n == 0 || EVP_MAC_update(ctx, p, n) == 1;
}

static int
mac_final(EVP_MAC_CTX *ctx, unsigned char out[CRYPTO_TAG_LEN])
{
	size_t n = 0;

	return EVP_MAC_final(ctx, out, &n, CRYPTO_TAG_LEN) == 1 &&
	    n == CRYPTO_TAG_LEN;
}

/* tag = HMAC-SM3(mackey, version || iv || be32(aadlen) || aad || ct) */
static int
seal_tag(EVP_MAC_CTX *ctx, const unsigned char vi[VI_LEN], const void *aad,
    size_t aadlen, const unsigned char *ct, size_t ctlen,
    unsigned char tag[CRYPTO_TAG_LEN])
{
	unsigned char head[VI_LEN + 4];

	memcpy(head, vi, VI_LEN);
	head[VI_LEN] = (unsigned char)(aadlen >> 24);
	head[VI_LEN + 1] = (unsigned char)(aadlen >> 16);
	head[VI_LEN + 2] = (unsigned char)(aadlen >> 8);
	head[VI_LEN + 3] = (unsigned char)aadlen;
	if (EVP_MAC_init(ctx, NULL, 0, NULL) != 1 ||
	    !mac_update(ctx, head, sizeof(head)) ||
	    !mac_update(ctx, aad, aadlen) || !mac_update(ctx, ct, ctlen) ||
	    !mac_final(ctx, tag))
		return -1;
	return 0;
}

int
crypto_seal(const struct crypto_keys *k, const void *aad, size_t aadlen,
    const void *pt, size_t ptlen, unsigned char *out, size_t outcap,
    size_t *outlen)
{
	struct worker *w = NULL;
	unsigned char *iv, *ct;
	size_t need;
	int broken = 0, rc = -1;

	if (outlen != NULL)
		*outlen = 0;
	if (k == NULL || out == NULL || outlen == NULL ||
	    !span_ok(aad, aadlen, CRYPTO_AAD_MAX) ||
	    !span_ok(pt, ptlen, CRYPTO_SEAL_MAX))
		return -1;
	need = ptlen + CRYPTO_SEAL_OVERHEAD;
	if (outcap < need || overlaps(pt, ptlen, out, need))
		return -1;
	iv = out + 1;
	ct = iv + CRYPTO_IV_LEN;
	w = worker_get(k);
	if (w == NULL)
		goto out;
	out[0] = CRYPTO_SEAL_VERSION;
	if (next_iv(w, iv) != 0 || ctr(w, iv, pt, ptlen, ct) != 0 ||
	    seal_tag(w->mac, out, aad, aadlen, ct, ptlen, ct + ptlen) != 0) {
		broken = 1;
		goto out;
	}
	*outlen = need;
	rc = 0;
out:
	if (rc != 0)
		OPENSSL_cleanse(out, need);
	worker_put(k, w, broken);
	return rc;
}

#ifdef LF_TESTING
static _Atomic unsigned long open_count;

unsigned long
crypto_open_count(void)
{
	return open_count;
}
#endif

int
crypto_open(const struct crypto_keys *k, const void *aad, size_t aadlen,
    const unsigned char *in, size_t inlen, void *pt, size_t ptcap,
    size_t *ptlen)
{
	struct worker *w = NULL;
	unsigned char tag[CRYPTO_TAG_LEN];
	const unsigned char *ct;
	size_t ctlen = 0;
	int broken = 0, rc = -1;

#ifdef LF_TESTING
	open_count++;
#endif

	if (ptlen != NULL)
		*ptlen = 0;
	if (k == NULL || in == NULL || ptlen == NULL ||
	    !span_ok(aad, aadlen, CRYPTO_AAD_MAX) ||
	    inlen < CRYPTO_SEAL_OVERHEAD || in[0] != CRYPTO_SEAL_VERSION)
		return -1;
	ctlen = inlen - CRYPTO_SEAL_OVERHEAD;
	if (ctlen > CRYPTO_SEAL_MAX || !span_ok(pt, ctlen, ptcap) ||
	    overlaps(in, inlen, pt, ctlen))
		return -1;
	ct = in + VI_LEN;
	w = worker_get(k);
	if (w == NULL)
		goto out;
	if (seal_tag(w->mac, in, aad, aadlen, ct, ctlen, tag) != 0) {
		broken = 1;
		goto out;
	}
	if (CRYPTO_memcmp(tag, ct + ctlen, CRYPTO_TAG_LEN) != 0)
		goto out;
	if (ctr(w, in + 1, ct, ctlen, pt) != 0) {
		broken = 1;
		goto out;
	}
	*ptlen = ctlen;
	rc = 0;
out:
	if (rc != 0 && ctlen > 0)
		OPENSSL_cleanse(pt, ctlen);
	OPENSSL_cleanse(tag, sizeof(tag));
	worker_put(k, w, broken);
	return rc;
}

int
crypto_lookup_hash(const struct crypto_keys *k, const char *domain,
    const void *data, size_t len, unsigned char out[CRYPTO_HASH_LEN])
{
	struct worker *w = NULL;
	size_t dlen;
	int broken = 0, rc = -1;

	if (out == NULL)
		return -1;
	if (k == NULL || domain == NULL || !span_ok(data, len, SIZE_MAX))
		goto out;
	dlen = strnlen(domain, CRYPTO_DOMAIN_MAX + 1);
	if (dlen == 0 || dlen > CRYPTO_DOMAIN_MAX)
		goto out;
	w = worker_get(k);
	if (w == NULL)
		goto out;
	/* The domain's own NUL is the 0x00 separator. */
	if (EVP_MAC_init(w->lookup, NULL, 0, NULL) != 1 ||
	    !mac_update(w->lookup, domain, dlen + 1) ||
	    !mac_update(w->lookup, data, len) || !mac_final(w->lookup, out)) {
		broken = 1;
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		OPENSSL_cleanse(out, CRYPTO_HASH_LEN);
	worker_put(k, w, broken);
	return rc;
}

int
crypto_keys_check(const struct crypto_keys *k,
    unsigned char out[CRYPTO_HASH_LEN])
{
	static const unsigned char zero[CRYPTO_IV_LEN];
	unsigned char e[CRYPTO_IV_LEN], t[CRYPTO_TAG_LEN];
	struct worker *w = NULL;
	int broken = 0, rc = -1;

	if (k == NULL || (w = worker_get(k)) == NULL)
		goto out;
	/* SM4-CTR of a zero block under a zero IV, HMAC-SM3 over that with
	 * the mac key (as seal_tag() with version byte 0, which no seal
	 * has, so it is no seal's tag): a value of both that reveals
	 * neither */
	if (ctr(w, zero, zero, sizeof(zero), e) != 0 ||
	    seal_tag(w->mac, (const unsigned char *)"\0liangfu-keycheck",
	    e, sizeof(e), NULL, 0, t) != 0) {
		broken = 1;
		goto out;
	}
	worker_put(k, w, 0);
	w = NULL;
	rc = crypto_lookup_hash(k, "key-check", t, sizeof(t), out);
out:
	if (w != NULL)
		worker_put(k, w, broken);
	if (rc != 0 && out != NULL)
		OPENSSL_cleanse(out, CRYPTO_HASH_LEN);
	OPENSSL_cleanse(e, sizeof(e));
	OPENSSL_cleanse(t, sizeof(t));
	return rc;
}

/* The key of references in domain into key: kept in k after its first
 * derivation while there is room. 0 or -1. */
static int
ref_key(const struct crypto_keys *k, const char *domain,
    unsigned char key[CRYPTO_HASH_LEN])
{
	struct crypto_keys *kw = (struct crypto_keys *)k;	/* the cache */
	int i, rc = -1;

	if (strlen(domain) > CRYPTO_DOMAIN_MAX ||
	    pthread_mutex_lock(&kw->ref_lock) != 0)
		return -1;
	for (i = 0; i < kw->nref; i++)
		if (strcmp(kw->ref[i].domain, domain) == 0) {
			memcpy(key, kw->ref[i].key, CRYPTO_HASH_LEN);
			rc = 0;
			break;
		}
	if (rc != 0 && crypto_lookup_hash(k, "ref", domain, strlen(domain),
	    key) == 0) {
		rc = 0;
		if (kw->nref < CRYPTO_REF_DOMAINS) {
			strcpy(kw->ref[kw->nref].domain, domain);
			memcpy(kw->ref[kw->nref++].key, key, CRYPTO_HASH_LEN);
		}
	}
	pthread_mutex_unlock(&kw->ref_lock);
	return rc;
}

int
crypto_ref_block(const struct crypto_keys *k, const char *domain, int enc,
    unsigned char blk[16])
{
	unsigned char key[CRYPTO_HASH_LEN], out[32];
	EVP_CIPHER_CTX *ctx = NULL;
	int n = 0, rc = -1;

	if (k == NULL || domain == NULL || ref_key(k, domain, key) != 0)
		goto out;
	if ((ctx = EVP_CIPHER_CTX_new()) != NULL &&
	    EVP_CipherInit_ex2(ctx, k->ecb, key, NULL, enc, NULL) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_CipherUpdate(ctx, out, &n, blk, 16) == 1 && n == 16) {
		memcpy(blk, out, 16);
		rc = 0;
	}
out:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(out, sizeof(out));
	if (rc != 0)
		ERR_clear_error();
	return rc;
}

int
crypto_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t chunk, done = 0;

	if (buf == NULL)
		return n == 0 ? 0 : -1;
	while (done < n) {
		chunk = n - done < RAND_CHUNK ? n - done : RAND_CHUNK;
		if (RAND_bytes(p + done, (int)chunk) != 1) {
			OPENSSL_cleanse(buf, n);
			ERR_clear_error();
			return -1;
		}
		done += chunk;
	}
	return 0;
}

int
crypto_random_hex(char *out, size_t n)
{
	unsigned char raw[CRYPTO_RANDOM_HEX_MAX];
	int rc = -1;

	out[0] = '\0';
	if (n <= sizeof(raw) && crypto_random(raw, n) == 0) {
		hex_encode(out, raw, n);
		out[2 * n] = '\0';
		rc = 0;
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

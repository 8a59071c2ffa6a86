/*
 * audit_anchor.c - the audit chain's head in a file beside the database,
 * and the full check of the log.
 */
#include "store/audit_anchor.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/faultfile.h"
#include "store/audit.h"
#include "store/dbq.h"
#include "store/pg/pg_int.h"
#include "store/store_int.h"

#define ANCHOR_MAGIC	"liangfu-audit-head 1"
#define ANCHOR_MAX	512
#define ANCHOR_PAD	256	/* bytes of every anchor file */

int
audit_anchor_path(struct store *s, char *out, size_t len)
{
	struct lf_error e;
	const char *base;
	int n;

	/* PostgreSQL: beside the key file, which names one registry */
	base = store_is_pg(s) ? pg_keyfile(&e) : sqlite3_db_filename(s->db,
	    "main");
	if (base == NULL || base[0] == '\0')
		return -1;
	n = snprintf(out, len, "%s.audit-head", base);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The mac of (id, hash) into mac. 0 or -1. */
static int
anchor_mac(struct store *s, int64_t id, const unsigned char *hash,
    unsigned char mac[CRYPTO_HASH_LEN])
{
	unsigned char msg[8 + AUDIT_HASH_LEN];
	int i;

	for (i = 0; i < 8; i++)
		msg[i] = (unsigned char)((uint64_t)id >> (56 - 8 * i));
	memcpy(msg + 8, hash, AUDIT_HASH_LEN);
	return crypto_lookup_hash(s->keys, "audit-head", msg, sizeof(msg),
	    mac);
}

/* Writes text to path through path.tmp: written, synced, renamed. */
static int
write_atomic(const char *path, const char *text, struct lf_error *err)
{
	char tmp[4096];
	size_t len = strlen(text);
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return lf_error_set(err, "io", "", "路径过长 (path too long)");
	fd = faultfile("anchor-open") != 0 ? -1 :
	    open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return lf_error_set(err, "io", "", "无法写入审计锚点 (cannot "
		    "write the audit anchor): %s", strerror(errno));
	if (faultfile("anchor-write") != 0 ||
	    write(fd, text, len) != (ssize_t)len ||
	    faultfile("anchor-sync") != 0 || fsync(fd) != 0) {
		lf_error_set(err, "io", "", "无法写入审计锚点 (cannot write the "
		    "audit anchor): %s", strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (faultfile("anchor-rename") != 0 || rename(tmp, path) != 0) {
		lf_error_set(err, "io", "", "无法写入审计锚点 (cannot write the "
		    "audit anchor): %s", strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The anchor of the newest entry as text, padded with newlines to
 * ANCHOR_PAD bytes (every anchor file has that size, so that an
 * in-place rewrite covers the old text whole). */
static int
anchor_text(struct store *s, char text[ANCHOR_PAD + 1], struct lf_error *err)
{
	unsigned char hash[AUDIT_HASH_LEN], mac[CRYPTO_HASH_LEN];
	char hhex[2 * AUDIT_HASH_LEN + 1], mhex[2 * CRYPTO_HASH_LEN + 1];
	int64_t id;
	int n;

	if (audit_head(s, &id, hash, err) != 0)
		return -1;
	if (anchor_mac(s, id, hash, mac) != 0)
		return lf_error_set(err, "crypto", "", "无法计算审计锚点 "
		    "(cannot compute the audit anchor)");
	sodium_bin2hex(hhex, sizeof(hhex), hash, sizeof(hash));
	sodium_bin2hex(mhex, sizeof(mhex), mac, sizeof(mac));
	n = snprintf(text, ANCHOR_PAD + 1, ANCHOR_MAGIC "\nid %" PRId64
	    "\nhash %s\nmac %s\n", id, hhex, mhex);
	if (n < 0 || n > ANCHOR_PAD)
		return lf_error_set(err, "io", "", "审计锚点过长 (audit anchor "
		    "too long)");
	memset(text + n, '\n', (size_t)(ANCHOR_PAD - n));
	text[ANCHOR_PAD] = '\0';
	return 0;
}

static int
no_path(struct lf_error *err)
{
	return lf_error_set(err, "io", "", "数据库没有文件路径 (the database "
	    "has no file path)");
}

int
audit_anchor_write(struct store *s, struct lf_error *err)
{
	char path[4096], text[ANCHOR_PAD + 1];

	if (audit_anchor_path(s, path, sizeof(path)) != 0)
		return no_path(err);
	if (anchor_text(s, text, err) != 0)
		return -1;
	return write_atomic(path, text, err);
}

int
audit_anchor_open(struct store *s, int *fd, struct lf_error *err)
{
	char path[4096];

	*fd = -1;
	if (audit_anchor_write(s, err) != 0)
		return -1;
	if (audit_anchor_path(s, path, sizeof(path)) != 0)
		return no_path(err);
	if ((*fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return lf_error_set(err, "io", "", "无法打开审计锚点 (cannot open "
		    "the audit anchor): %s", strerror(errno));
	return 0;
}

int
audit_anchor_put(struct store *s, int fd, struct lf_error *err)
{
	char text[ANCHOR_PAD + 1];

	if (anchor_text(s, text, err) != 0)
		return -1;
	if (faultfile("anchor-put") != 0 ||
	    pwrite(fd, text, ANCHOR_PAD, 0) != ANCHOR_PAD)
		return lf_error_set(err, "io", "", "无法写入审计锚点 (cannot "
		    "write the audit anchor): %s", strerror(errno));
	return 0;
}

static int
unreadable(struct lf_error *err)
{
	lf_error_set(err, "io", "", "无法读取审计锚点 (cannot read the audit "
	    "anchor): %s", strerror(errno));
	return -2;
}

/* Reads the anchor at path: 1 valid (id, hash set), 0 no file, -1 not a
 * valid anchor, -2 unreadable (an I/O error, with err: that says nothing
 * of the log, so it is an error, not a finding). */
static int
anchor_read(struct store *s, const char *path, int64_t *id,
    unsigned char hash[AUDIT_HASH_LEN], struct lf_error *err)
{
	unsigned char mac[CRYPTO_HASH_LEN], want[CRYPTO_HASH_LEN];
	char text[ANCHOR_MAX], hhex[2 * AUDIT_HASH_LEN + 2],
	    mhex[2 * CRYPTO_HASH_LEN + 2], tail;
	long long v;
	size_t n;
	FILE *fp;

	fp = faultfile("anchor-read") != 0 ? NULL : fopen(path, "r");
	if (fp == NULL && errno == ENOENT)
		return 0;
	if (fp == NULL)
		return unreadable(err);
	n = fread(text, 1, sizeof(text) - 1, fp);
	if (ferror(fp)) {
		fclose(fp);
		return unreadable(err);
	}
	fclose(fp);
	text[n] = '\0';
	if (sscanf(text, ANCHOR_MAGIC "\nid %lld\nhash %65s\nmac %65s%c",
	    &v, hhex, mhex, &tail) != 4 || tail != '\n' || v < 0 ||
	    strlen(hhex) != 2 * AUDIT_HASH_LEN ||
	    strlen(mhex) != 2 * CRYPTO_HASH_LEN ||
	    sodium_hex2bin(hash, AUDIT_HASH_LEN, hhex, strlen(hhex), NULL,
	    NULL, NULL) != 0 ||
	    sodium_hex2bin(mac, sizeof(mac), mhex, strlen(mhex), NULL, NULL,
	    NULL) != 0)
		return -1;
	*id = (int64_t)v;
	if (anchor_mac(s, *id, hash, want) != 0 ||
	    sodium_memcmp(mac, want, sizeof(mac)) != 0)
		return -1;
	return 1;
}

/* The hash of entry id: 0, 1 when there is no such entry, -1 error. */
static int
entry_hash(struct store *s, int64_t id, unsigned char hash[AUDIT_HASH_LEN],
    struct lf_error *err)
{
	struct dbq q;
	const void *p;
	size_t n;
	int rc;

	if (dbq_prep(s, &q, "SELECT hash FROM audit WHERE id = ?",
	    "audit anchor", err) != 0 || dbq_bind_int(&q, 1, id, err) != 0) {
		dbq_end(&q);
		return -1;
	}
	if ((rc = dbq_step(&q, err)) == 1) {
		memset(hash, 0, AUDIT_HASH_LEN);
		p = dbq_blob(&q, 0, &n, NULL);
		if (p != NULL && n == AUDIT_HASH_LEN)
			memcpy(hash, p, AUDIT_HASH_LEN);
	}
	dbq_end(&q);
	return rc == 1 ? 0 : rc == 0 ? 1 : -1;
}

/* The earlier of two first-bad ids (0 = none). */
static int64_t
earliest(int64_t a, int64_t b)
{
	if (a == 0)
		return b;
	return b == 0 || a < b ? a : b;
}

int
audit_anchor_check(struct store *s, struct audit_check *c,
    struct lf_error *err)
{
	unsigned char head[AUDIT_HASH_LEN], want[AUDIT_HASH_LEN],
	    got[AUDIT_HASH_LEN];
	char path[4096];
	int rc;

	c->anchor = 0;
	c->anchor_id = 0;
	if (audit_head(s, &c->newest, head, err) != 0)
		return -1;
	if (audit_anchor_path(s, path, sizeof(path)) != 0)
		return 0;	/* an in-memory database: nothing to compare */
	c->anchor = anchor_read(s, path, &c->anchor_id, want, err);
	if (c->anchor == -2) {
		c->anchor = -1;
		return -1;
	}
	if (c->anchor < 0) {
		c->problem = "the anchor file is damaged or forged";
		return 0;
	}
	if (c->anchor == 0 || c->anchor_id == 0)
		return 0;
	if (c->newest < c->anchor_id) {
		c->first_bad = earliest(c->first_bad, c->newest + 1);
		c->problem = "entries up to the anchor's are missing: the log "
		    "was cut";
		return 0;
	}
	if ((rc = entry_hash(s, c->anchor_id, got, err)) < 0)
		return -1;
	if (rc == 1 || sodium_memcmp(got, want, AUDIT_HASH_LEN) != 0) {
		c->first_bad = earliest(c->first_bad, c->anchor_id);
		c->problem = "the anchor's entry differs from the anchor";
	}
	return 0;
}

int
audit_check(struct store *s, struct audit_check *c, struct lf_error *err)
{
	memset(c, 0, sizeof(*c));
	if (audit_verify(s, &c->first_bad, &c->count, err) != 0)
		return -1;
	if (c->first_bad != 0)
		c->problem = "an entry does not match the chain";
	if (audit_anchor_check(s, c, err) != 0)
		return -1;
	return 0;
}

/*
 * stats_snap.c - the engine to a file and back (see stats_snap.h).
 *
 * File: header (magic, version, year, label, layout fingerprint), then
 * the counts (persons, items, largest id + 1), then per village ordinal
 * its person count and, when it has persons, its pool's used and
 * garbage words, each person column (count x width bytes) and the pool;
 * then per region a presence byte and its running totals; then the
 * checksum of everything before it. Blocks are read back at exactly
 * their size (no room to grow: the first new person grows a block as
 * usual); the person index (loc) is rebuilt from the id columns.
 */
#include "stats/stats_snap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dept.h"
#include "lib/mem.h"
#include "stats/stats_int.h"

#define MAGIC		"LFSTATS\n"
#define VERSION		2u	/* 2: the age column */
#define HASH_MUL	UINT64_C(0x9e3779b97f4a7c15)
#define IOBUF		(1u << 20)

static int
corrupt(struct lf_error *err, const char *path, const char *what)
{
	return lf_error_set(err, "corrupt", "snapshot", "统计快照 %s 已损坏: "
	    "%s (statistics snapshot %s is damaged: %s)", path, what, path,
	    what);
}

/* ---- checksum ----------------------------------------------------- */

static uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * HASH_MUL;
	return h ^ (h >> 29);
}

static uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t w;

	for (; n >= 8; n -= 8, c += 8) {
		memcpy(&w, c, 8);
		h = mix(h, w);
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, c, n);
		h = mix(h, w ^ ((uint64_t)n << 56));
	}
	return h;
}

static uint64_t
hash_str(uint64_t h, const char *s)
{
	return hash_bytes(h, s, strlen(s) + 1);
}

static uint64_t
hash_u64(uint64_t h, uint64_t v)
{
	return mix(h, v);
}

/* Everything a snapshot's bytes depend on besides the persons. */
static uint64_t
fingerprint(const struct stats *st)
{
	uint64_t h = hash_u64(0, VERSION);
	const struct stats_col *c;
	size_t k, b, i;

	h = hash_u64(h, (uint64_t)st->year);
	h = hash_u64(h, st->ncols);
	for (k = 0; k < st->ncols; k++) {
		c = &st->cols[k];
		h = hash_str(h, c->f->code);
		h = hash_u64(h, (uint64_t)c->kind << 32 | c->width);
		h = hash_u64(h, c->pos);
		h = hash_u64(h, c->ncols << 32 | c->coff);
		h = hash_u64(h, c->f->noptions);
		for (i = 0; i < c->f->noptions; i++)
			h = hash_u64(h, (uint64_t)c->f->options[i].code);
		for (b = 0; b < c->nbands; b++)
			h = hash_u64(h, (uint64_t)c->bands[b].lo);
	}
	h = hash_u64(h, st->rowbytes << 32 | st->npcols);
	h = hash_u64(h, st->ncnt << 32 | st->nmoney);
	h = hash_u64(h, st->nneed << 32 | st->nw);
	h = hash_u64(h, st->nvill);
	h = hash_u64(h, st->rs->n);
	for (i = 0; i < st->rs->n; i++)
		h = hash_str(h, st->rs->v[i].code);
	h = hash_u64(h, st->ps->n);
	for (i = 0; i < st->ps->n; i++) {
		h = hash_str(h, st->ps->v[i].code);
		h = hash_u64(h, (uint64_t)st->ps->v[i].batch);
	}
	for (i = 0; i < STATS_NPIV; i++)
		h = hash_u64(h, (uint64_t)(int64_t)st->piv_k[i]);
	h = hash_u64(h, st->ndept);
	for (i = 0; i < st->ndept; i++)
		h = hash_str(h, dept_get(i)->code);
	return h;
}

/* ---- buffered stream with a running checksum ---------------------- */

struct stream {
	FILE		*fp;
	uint64_t	 h;
	int		 failed;	/* short read or write */
};

static void
put(struct stream *s, const void *p, size_t n)
{
	if (s->failed || n == 0)
		return;
	s->h = hash_bytes(s->h, p, n);
	if (fwrite(p, 1, n, s->fp) != n)
		s->failed = 1;
}

static void
put_u64(struct stream *s, uint64_t v)
{
	put(s, &v, sizeof(v));
}

static int
get(struct stream *s, void *p, size_t n)
{
	if (s->failed)
		return -1;
	if (n > 0 && fread(p, 1, n, s->fp) != n) {
		s->failed = 1;
		return -1;
	}
	s->h = hash_bytes(s->h, p, n);
	return 0;
}

static int
get_u64(struct stream *s, uint64_t *v)
{
	return get(s, v, sizeof(*v));
}

/* ---- writing ------------------------------------------------------ */

static void
put_header(struct stream *s, const struct stats *st, uint64_t label)
{
	uint32_t v[2] = { VERSION, (uint32_t)st->year };

	put(s, MAGIC, 8);
	put(s, v, sizeof(v));
	put_u64(s, label);
	put_u64(s, fingerprint(st));
}

/* A block's person columns are written as if its capacity were its
 * count (each column n x width bytes, in order), so that reading takes
 * them in one piece; scratch has room for the largest block. */
static void
put_block(struct stream *s, const struct stats *st,
    const struct stats_vblock *b, unsigned char *scratch)
{
	uint32_t n = b->n;
	size_t c, at = 0, w;

	put(s, &n, sizeof(n));
	if (n == 0)
		return;
	put_u64(s, b->pused);
	put_u64(s, b->pgarbage);
	if (b->cap == n)
		put(s, b->data, (size_t)n * st->rowbytes);
	else {
		for (c = 0; c < st->npcols; c++) {
			w = (size_t)n * st->pcols[c].width;
			memcpy(scratch + at, stats_colp(b, st->pcols[c].pos),
			    w);
			at += w;
		}
		put(s, scratch, at);
	}
	put(s, b->pool, b->pused * sizeof(uint64_t));
}

static int
put_body(struct stream *s, const struct stats *st)
{
	const struct stats_tot *t;
	unsigned char present, *scratch;
	size_t v, r, most = 1;

	for (v = 0; v < st->nvill; v++)
		if (st->vb[v].n > most)
			most = st->vb[v].n;
	if ((scratch = mem_alloc(most * st->rowbytes)) == NULL)
		return -1;
	put_u64(s, (uint64_t)st->npersons);
	put_u64(s, (uint64_t)st->nitems);
	put_u64(s, st->nloc);
	for (v = 0; v < st->nvill; v++)
		put_block(s, st, &st->vb[v], scratch);
	mem_free(scratch);
	for (r = 0; r < st->rs->n; r++) {
		t = st->tot[r];
		present = t != NULL;
		put(s, &present, 1);
		if (t == NULL)
			continue;
		put_u64(s, (uint64_t)t->npersons);
		put(s, t->money, st->nmoney * sizeof(int64_t));
		put(s, t->cnt, st->ncnt * sizeof(int32_t));
		if (st->slice[r] != NULL)
			put(s, st->slice[r], st->slicebytes);
	}
	return 0;
}

static int
io_error(struct lf_error *err, const char *path, const char *what)
{
	return lf_error_set(err, "io", "snapshot", "统计快照 %s 无法%s: %s "
	    "(statistics snapshot %s: %s failed: %s)", path, what,
	    strerror(errno), path, what, strerror(errno));
}

int
stats_snap_write(const struct stats *st, uint64_t label, const char *path,
    struct lf_error *err)
{
	struct stream s = { NULL, 0, 0 };
	char tmp[4096];
	uint64_t h;
	int fd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return lf_error_set(err, "io", "snapshot", "快照路径过长 "
		    "(snapshot path too long)");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (s.fp = fdopen(fd, "wb")) == NULL) {
		if (fd >= 0)
			close(fd);
		return io_error(err, tmp, "写入 (write)");
	}
	setvbuf(s.fp, NULL, _IOFBF, IOBUF);
	put_header(&s, st, label);
	if (put_body(&s, st) != 0) {
		fclose(s.fp);
		unlink(tmp);
		return lf_error_nomem(err);
	}
	h = s.h;
	put(&s, &h, sizeof(h));
	ok = !s.failed && fflush(s.fp) == 0 && fsync(fd) == 0;
	if (fclose(s.fp) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		io_error(err, tmp, "写入 (write)");
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- reading ------------------------------------------------------ */

static int
get_header(struct stream *s, const struct stats *st, uint64_t label,
    const char *path, struct lf_error *err)
{
	char magic[8];
	uint32_t v[2];
	uint64_t got, fp;

	if (get(s, magic, 8) != 0 || memcmp(magic, MAGIC, 8) != 0 ||
	    get(s, v, sizeof(v)) != 0 || v[0] != VERSION)
		return corrupt(err, path, "不是本程序的统计快照 (not a snapshot "
		    "of this version)");
	if (get_u64(s, &got) != 0 || get_u64(s, &fp) != 0)
		return corrupt(err, path, "文件过短 (truncated)");
	if (v[1] != (uint32_t)st->year || fp != fingerprint(st))
		return lf_error_set(err, "layout", "snapshot", "统计快照 %s 与"
		    "当前的调查目录、区划或政策不符 (statistics snapshot %s was "
		    "written for another catalog, region table, policy set or "
		    "year)", path, path);
	if (got != label)
		return lf_error_set(err, "stale", "snapshot", "统计快照 %s 已"
		    "过期: 写于第 %llu 次写入, 数据库已到第 %llu 次 (statistics "
		    "snapshot %s is stale: written at write %llu, the database "
		    "is at write %llu)", path, (unsigned long long)got,
		    (unsigned long long)label, path, (unsigned long long)got,
		    (unsigned long long)label);
	return 0;
}

/* Checks the items offsets of block b (n persons, pused words). */
static int
check_items(const struct stats *st, const struct stats_vblock *b)
{
	const uint32_t *off = stats_items_col(st, b);
	size_t i, w;

	for (i = 0; i < b->n; i++) {
		if (off[i] == STATS_NOITEMS)
			continue;
		if (off[i] >= b->pused)
			return -1;
		w = stats_chunk_words(st, (uint32_t)b->pool[off[i]]);
		if (w > b->pused - off[i])
			return -1;
	}
	return 0;
}

static int
get_block(struct stream *s, struct stats *st, struct stats_vblock *b,
    struct lf_error *err)
{
	uint64_t pused, garbage;
	uint32_t n;

	if (get(s, &n, sizeof(n)) != 0)
		return 1;
	if (n == 0)
		return 0;
	if (n > st->nloc || get_u64(s, &pused) != 0 ||
	    get_u64(s, &garbage) != 0 || pused >= STATS_NOITEMS ||
	    garbage > pused)
		return 1;
	if ((b->data = mem_alloc((size_t)n * st->rowbytes)) == NULL ||
	    (pused > 0 && (b->pool = mem_alloc(pused * 8)) == NULL))
		return lf_error_nomem(err);
	b->n = b->cap = n;
	b->pused = b->pcap = pused;
	b->pgarbage = garbage;
	st->item_bytes += pused * 8;
	if (get(s, b->data, (size_t)n * st->rowbytes) != 0)
		return 1;
	if (get(s, b->pool, pused * 8) != 0 || check_items(st, b) != 0)
		return 1;
	return 0;
}

static int
get_tot(struct stream *s, struct stats *st, size_t r, struct lf_error *err)
{
	struct stats_tot *t;
	unsigned char present;
	uint64_t np;

	if (get(s, &present, 1) != 0 || present > 1)
		return 1;
	if (!present)
		return 0;
	if ((t = mem_calloc(1, st->totbytes)) == NULL)
		return lf_error_nomem(err);
	t->money = (int64_t *)(void *)(t + 1);
	t->cnt = (int32_t *)(void *)(t->money + st->nmoney);
	st->tot[r] = t;
	st->ntot++;
	if (get_u64(s, &np) != 0 || get(s, t->money, st->nmoney * 8) != 0 ||
	    get(s, t->cnt, st->ncnt * 4) != 0)
		return 1;
	t->npersons = (int64_t)np;
	if (stats_slice_ensure(st, (int)r) != 0)
		return lf_error_nomem(err);
	if (st->slice[r] != NULL && get(s, st->slice[r], st->slicebytes) != 0)
		return 1;
	return 0;
}

/* The person index from the id columns; 1 when an id is out of range or
 * held twice. */
static int
rebuild_loc(struct stats *st)
{
	const int64_t *ids;
	size_t v, i;
	int64_t n = 0;

	for (i = 0; i < st->nloc; i++)
		st->loc[i].v = -1;
	for (v = 0; v < st->nvill; v++) {
		ids = (const int64_t *)(const void *)stats_colp(&st->vb[v],
		    st->pos_id);
		for (i = 0; i < st->vb[v].n; i++) {
			if (ids[i] < 1 || (uint64_t)ids[i] >= st->nloc ||
			    st->loc[ids[i]].v >= 0)
				return 1;
			st->loc[ids[i]].v = (int32_t)v;
			st->loc[ids[i]].i = (uint32_t)i;
			n++;
		}
	}
	return n != st->npersons;
}

static int
get_body(struct stream *s, struct stats *st, struct lf_error *err)
{
	uint64_t np, ni, nloc;
	size_t v, r;
	int rc;

	if (get_u64(s, &np) != 0 || get_u64(s, &ni) != 0 ||
	    get_u64(s, &nloc) != 0 || nloc > (UINT64_C(1) << 31) + 1 ||
	    np >= nloc + 1)
		return 1;
	st->npersons = (int64_t)np;
	st->nitems = (int64_t)ni;
	if (nloc > 0 && (st->loc = mem_alloc(nloc * sizeof(*st->loc))) ==
	    NULL)
		return lf_error_nomem(err);
	st->nloc = nloc;
	for (v = 0; v < st->nvill; v++)
		if ((rc = get_block(s, st, &st->vb[v], err)) != 0)
			return rc;
	for (r = 0; r < st->rs->n; r++)
		if ((rc = get_tot(s, st, r, err)) != 0)
			return rc;
	return rebuild_loc(st);
}

int
stats_snap_read(struct stats *st, uint64_t label, const char *path,
    struct lf_error *err)
{
	struct stream s = { NULL, 0, 0 };
	uint64_t want, got;
	char extra;
	int rc;

	if (st->npersons != 0 || st->nloc != 0)
		return lf_error_set(err, "internal", "", "统计快照只能读入空的"
		    "统计 (a snapshot is read into an empty engine only)");
	if ((s.fp = fopen(path, "rbe")) == NULL)
		return errno == ENOENT ? lf_error_set(err, "not_found",
		    "snapshot", "没有统计快照 %s (no statistics snapshot %s)",
		    path, path) : io_error(err, path, "读取 (read)");
	setvbuf(s.fp, NULL, _IOFBF, IOBUF);
	if ((rc = get_header(&s, st, label, path, err)) == 0) {
		rc = get_body(&s, st, err);
		want = s.h;
		if (rc == 0 && (get_u64(&s, &got) != 0 || got != want ||
		    fread(&extra, 1, 1, s.fp) != 0))
			rc = 1;
		if (rc == 1)
			corrupt(err, path, s.failed ? "文件过短 (truncated)" :
			    "校验和或计数不符 (checksum or counts do not "
			    "match)");
	}
	fclose(s.fp);
	return rc == 0 ? 0 : -1;
}

/*
 * csv.c - streaming CSV reader and writer.
 *
 * The reader has two layers. The input layer turns the file into valid
 * UTF-8 in buf[pos..end), followed by a NUL sentinel at buf[end]. In UTF-8
 * mode a block is read into buf and checked in place; the one to three
 * bytes of a character cut by the block edge are kept in carried[] and go
 * to the front of the next block. In GB18030 mode blocks go into raw[] and
 * iconv writes UTF-8 into buf. When a block holds an invalid byte, end
 * stops just before it and `bad` is set, so the parser reports the error
 * with its own line and field once it has used up the good bytes.
 *
 * The parser is a state machine that can stop at any byte and resume after
 * a refill. Field bytes are copied into row[], each field NUL-terminated;
 * lens[] holds the field start offsets until the record is complete, when
 * ptrs[] and lens[] are turned into the row the caller sees. row[] is
 * managed here rather than with struct buf because the copy loops write
 * into it directly: make_room() guarantees space for everything the
 * buffered input can become, so they need no per-byte checks. Its hard
 * cap follows from the field caps.
 */
#include "io/csv.h"

#include <assert.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/error.h"
#include "lib/mem.h"
#include "lib/utf8.h"

#define BLOCK		(256 * 1024)
#define SLACK		8	/* room for a carried partial character */
#define NAME_KEEP	96	/* bytes of a file name kept for messages */
#define FIELDS_INIT	64
#define BOM		"\xEF\xBB\xBF"

#define MSG_CR		"回车符后没有换行符 (CR not followed by LF)"

enum state {
	S_START,	/* at the start of a field (or of a record) */
	S_PLAIN,	/* inside an unquoted field */
	S_QUOTED,	/* inside a quoted field */
	S_QUOTE,	/* just after a '"' inside a quoted field */
	S_CR		/* just after a CR outside quotes */
};

struct csv_reader {
	FILE		*fp;
	char		 name[NAME_KEEP + 4];
	int		 enc;
	int		 guessed;	/* enc was chosen by CSV_ENC_AUTO */
	iconv_t		 cd;

	char		*buf;		/* valid UTF-8 in buf[pos..end) */
	size_t		 bufsz;
	size_t		 block;		/* bytes per read */
	size_t		 pos, end;
	char		 carried[4];	/* UTF-8: a character cut by the */
	size_t		 carry;		/* block edge, waiting for the rest */

	char		*raw;		/* GB18030: raw[rawpos..rawlen) */
	size_t		 rawlen, rawpos;
	int		 stall;		/* iconv wants more bytes */

	int		 eof;		/* fp is exhausted */
	int		 bad;		/* invalid input right after buf[end) */
	unsigned char	 badbyte;

	enum state	 state;
	unsigned long	 line;		/* physical line of buf[pos] */
	unsigned long	 row_line;
	unsigned long	 quote_line;
	size_t		 nf;		/* fields begun in this record */
	size_t		 fstart;	/* row offset of the current field */
	char		*row;		/* field bytes, each NUL-terminated */
	size_t		 rowlen, rowcap, rowmax;
	const char	**ptrs;
	size_t		*lens;		/* field offsets until the row ends */
	size_t		 fcap;
	size_t		 max_field, max_fields;
	int		 fresh;		/* nothing read yet: BOM possible */
	int		 failed, done;
	struct csv_error err;
};

/*
 * Bytes that end a run inside an unquoted or a quoted field. All of them
 * are below 0x2D; LOW(w) marks the bytes of an eight-byte word below 0x2D
 * (its lowest mark is exact), which lets copy_plain() move eight bytes
 * per step and consult the table only at those bytes.
 */
#define ONES		0x0101010101010101ULL
#define LOW(w)		(((w) - ONES * 0x2D) & ~(w) & (ONES * 0x80))
static const unsigned char plain_stop[256] = {
	[0] = 1, [','] = 1, ['"'] = 1, ['\n'] = 1, ['\r'] = 1
};
static const unsigned char quoted_stop[256] = {
	[0] = 1, ['"'] = 1, ['\n'] = 1
};

#ifdef LF_TESTING
static size_t test_block;

void
csv_test_block_size(size_t n)
{
	test_block = n;
}
#define BLOCK_SIZE()	(test_block ? test_block : BLOCK)
#else
#define BLOCK_SIZE()	BLOCK
#endif

static void __attribute__((format(printf, 5, 0)))
verror(struct csv_error *e, const char *name, unsigned long line,
    unsigned col, const char *fmt, va_list ap)
{
	size_t size = sizeof(e->message);
	int n;

	e->line = line;
	e->column = col;
	if (line > 0)
		n = snprintf(e->message, size, "%s:%lu:%u: ", name, line, col);
	else
		n = snprintf(e->message, size, "%s: ", name);
	/* NAME_KEEP keeps every message of ours well inside the array. */
	if (n >= 0 && (size_t)n < size)
		vsnprintf(e->message + n, size - (size_t)n, fmt, ap);
}

static void __attribute__((format(printf, 3, 4)))
set_error(struct csv_error *e, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	verror(e, name, 0, 0, fmt, ap);
	va_end(ap);
}

/* Fail the reader at line, field col. Always returns -1. */
static int __attribute__((format(printf, 4, 5)))
fail_at(struct csv_reader *r, unsigned long line, size_t col,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(&r->err, r->name, line, (unsigned)col, fmt, ap);
	va_end(ap);
	r->failed = 1;
	return -1;
}

/* The current line and field (field 1 before any field has begun). */
#define fail_here(r, ...)	fail_at((r), (r)->line, (r)->nf ? (r)->nf : 1, \
			    __VA_ARGS__)

/* Keep the tail of long names: ".../dir/file.csv" says more than the
 * head. dst holds NAME_KEEP + 4 bytes. */
static void
keep_name(char *dst, const char *name)
{
	size_t len = strlen(name), skip = 0, at = 0;

	if (len > NAME_KEEP) {
		skip = len - NAME_KEEP;
		while (skip < len && ((unsigned char)name[skip] & 0xC0) == 0x80)
			skip++;
		memcpy(dst, "...", 3);
		at = 3;
	}
	memcpy(dst + at, name + skip, len - skip);
	dst[at + len - skip] = '\0';
}

/* ---- input layer ---------------------------------------------------- */

/* Read up to want (> 0) bytes into dst. Returns 0 (also at end of input,
 * setting eof) or -1 on a read error. */
static int
read_into(struct csv_reader *r, char *dst, size_t want, size_t *got)
{
	char ebuf[128];
	int saved;

	*got = fread(dst, 1, want, r->fp);
	if (*got == want)
		return 0;
	saved = errno;
	/* GNU strerror_r (the build defines _GNU_SOURCE). */
	if (ferror(r->fp))
		return fail_at(r, 0, 0, "读取失败 (read error: %s)",
		    strerror_r(saved, ebuf, sizeof(ebuf)));
	r->eof = 1;
	return 0;
}

/* Take buf[0..total) as UTF-8 input: set end, carry and bad. */
static void
accept_utf8(struct csv_reader *r, size_t total)
{
	size_t off;
	int rc;

	rc = utf8_scan(r->buf, total, &off);
	r->end = off;
	r->carry = 0;
	if (rc == UTF8_TRUNCATED && !r->eof) {
		r->carry = total - off;
		memcpy(r->carried, r->buf + off, r->carry);
	} else if (rc != UTF8_OK) {
		r->bad = 1;
		r->badbyte = (unsigned char)r->buf[off];
	}
	r->buf[r->end] = '\0';
}

static int
utf8_fill(struct csv_reader *r)
{
	size_t n;

	do {
		if (r->bad || r->eof)
			return 0;
		memcpy(r->buf, r->carried, r->carry);
		r->pos = r->end = 0;
		if (read_into(r, r->buf + r->carry, r->block, &n) != 0)
			return -1;
		accept_utf8(r, r->carry + n);
	} while (r->end == 0);
	return 1;
}

/* Move unconverted bytes to the front of raw and read another block. */
static int
raw_more(struct csv_reader *r)
{
	size_t left = r->rawlen - r->rawpos, n;

	memmove(r->raw, r->raw + r->rawpos, left);
	r->rawpos = 0;
	r->rawlen = left;
	r->stall = 0;
	if (read_into(r, r->raw + left, r->block, &n) != 0)
		return -1;
	r->rawlen += n;
	return 0;
}

/* Convert raw bytes into buf. */
static void
convert(struct csv_reader *r)
{
	char *in = r->raw + r->rawpos, *out = r->buf;
	size_t inleft = r->rawlen - r->rawpos, outleft = r->bufsz;

	/* EINVAL: a character continues in the next block. E2BIG: buf is
	 * full. EILSEQ (or anything else): invalid input at *in. */
	if (iconv(r->cd, &in, &inleft, &out, &outleft) == (size_t)-1) {
		if (errno == EINVAL)
			r->stall = 1;
		else if (errno != E2BIG) {
			r->bad = 1;
			r->badbyte = (unsigned char)*in;
		}
	}
	r->rawpos = r->rawlen - inleft;
	r->end = r->bufsz - outleft;
	r->buf[r->end] = '\0';
}

static int
gb_fill(struct csv_reader *r)
{
	r->pos = r->end = 0;
	while (!r->bad) {
		if (r->rawpos < r->rawlen && !r->stall) {
			convert(r);
			if (r->end > 0)
				return 1;
			continue;
		}
		if (r->eof) {
			/* A character cut short by the end of the file. */
			if (r->rawpos < r->rawlen) {
				r->bad = 1;
				r->badbyte = (unsigned char)r->raw[r->rawpos];
			}
			return 0;
		}
		if (raw_more(r) != 0)
			return -1;
	}
	return 0;
}

/* Make more decoded input available: 1, 0 (none: end or bad), -1. */
static int
fill(struct csv_reader *r)
{
	if (r->enc == CSV_ENC_UTF8)
		return utf8_fill(r);
	return gb_fill(r);
}

/* CSV_ENC_AUTO: the first n bytes read, eof as read_into() left it. */
static int
detect(const char *p, size_t n, int eof)
{
	size_t len = n < CSV_DETECT_LEN ? n : CSV_DETECT_LEN;
	int rc;

	if (n >= 3 && memcmp(p, BOM, 3) == 0)
		return CSV_ENC_UTF8;
	rc = utf8_scan(p, len, NULL);
	if (rc == UTF8_INVALID || (rc == UTF8_TRUNCATED && len == n && eof))
		return CSV_ENC_GB18030;
	return CSV_ENC_UTF8;
}

/* Switch to GB18030: the n bytes already in buf are raw input. */
static int
start_gb(struct csv_reader *r, size_t n)
{
	r->raw = mem_alloc(r->bufsz);
	if (r->raw == NULL)
		return fail_at(r, 0, 0, LF_ERROR_NOMEM_TEXT);
	memcpy(r->raw, r->buf, n);
	r->rawlen = n;
	r->cd = iconv_open("UTF-8", "GB18030");
	if (r->cd == (iconv_t)-1)
		return fail_at(r, 0, 0,
		    "无法转换 GB18030 (iconv has no GB18030 converter)");
	return 0;
}

/*
 * Drop a U+FEFF at the very start of the decoded input. A fill only ever
 * hands out whole characters, so the first fill holds all of it.
 */
static int
skip_bom(struct csv_reader *r)
{
	int rc = 1;

	r->fresh = 0;
	if (r->pos == r->end)
		rc = fill(r);
	if (rc > 0 && r->end - r->pos >= 3 &&
	    memcmp(r->buf + r->pos, BOM, 3) == 0)
		r->pos += 3;
	return rc < 0 ? -1 : 0;
}

/* ---- reader API ----------------------------------------------------- */

struct csv_reader *
csv_open(FILE *fp, const char *filename, int encoding, struct csv_error *err)
{
	struct csv_reader *r = NULL;
	char name[NAME_KEEP + 4];
	size_t n;

	keep_name(name, filename != NULL ? filename : "-");
	if (fp == NULL || encoding < CSV_ENC_AUTO ||
	    encoding > CSV_ENC_GB18030) {
		set_error(err, name, "参数错误 (no input or unknown encoding)");
		goto fail;
	}
	r = mem_calloc(1, sizeof(*r));
	if (r == NULL) {
		set_error(err, name, LF_ERROR_NOMEM_TEXT);
		goto fail;
	}
	r->fp = fp;
	r->cd = (iconv_t)-1;
	r->line = 1;
	memcpy(r->name, name, sizeof(r->name));
	r->block = BLOCK_SIZE();
	r->bufsz = (r->block > CSV_DETECT_LEN ? r->block : CSV_DETECT_LEN) +
	    SLACK;
	csv_set_limits(r, CSV_FIELD_MAX, CSV_FIELDS_MAX);
	r->buf = mem_alloc(r->bufsz + 1);
	if (r->buf == NULL) {
		fail_at(r, 0, 0, LF_ERROR_NOMEM_TEXT);
		goto fail;
	}
	/* AUTO needs CSV_DETECT_LEN bytes to look at; else read a block. */
	if (read_into(r, r->buf, encoding == CSV_ENC_AUTO ?
	    r->bufsz - SLACK : r->block, &n) != 0)
		goto fail;
	r->guessed = encoding == CSV_ENC_AUTO;
	r->enc = r->guessed ? detect(r->buf, n, r->eof) : encoding;
	if (r->enc == CSV_ENC_UTF8)
		accept_utf8(r, n);
	else if (start_gb(r, n) != 0)
		goto fail;
	r->fresh = 1;
	return r;

fail:
	if (r != NULL && err != NULL)
		*err = r->err;
	csv_close(r);
	return NULL;
}

int
csv_set_limits(struct csv_reader *r, size_t max_field, size_t max_fields)
{
	if (max_field == 0 || max_fields == 0 || max_field >= SIZE_MAX / 4 ||
	    max_fields > SIZE_MAX / 4 / (max_field + 1) ||
	    max_fields > SIZE_MAX / 4 / sizeof(size_t))
		return -1;
	r->max_field = max_field;
	r->max_fields = max_fields;
	r->rowmax = (max_field + 1) * max_fields + r->bufsz + 1;
	return 0;
}

int
csv_encoding(const struct csv_reader *r)
{
	return r->enc;
}

/* ---- parser --------------------------------------------------------- */

#define UBUF(r)	((const unsigned char *)(r)->buf)

/*
 * Keep room in row[] for everything buf[pos..end) can become, plus the NUL
 * that ends a record at the end of input. Parsing never writes more bytes
 * than it consumes (a comma or a line end becomes the NUL, "" becomes "),
 * so the step functions below copy without bounds checks.
 */
static int
make_room(struct csv_reader *r)
{
	size_t need = r->rowlen + (r->end - r->pos) + 1, ncap;
	char *p;

	if (need <= r->rowcap)
		return 0;
	/* Fields within their caps, plus one buffer: never more. */
	assert(need <= r->rowmax);
	ncap = r->rowcap > r->rowmax / 2 ? r->rowmax : r->rowcap * 2;
	if (ncap < need)
		ncap = need;
	p = mem_realloc(r->row, ncap);
	if (p == NULL)
		return fail_here(r, LF_ERROR_NOMEM_TEXT);
	r->row = p;
	r->rowcap = ncap;
	return 0;
}

static int
grow_fields(struct csv_reader *r)
{
	size_t ncap = r->fcap ? r->fcap * 2 : FIELDS_INIT;
	const char **p;
	size_t *l;

	if (ncap > r->max_fields)
		ncap = r->max_fields;
	p = mem_realloc(r->ptrs, ncap * sizeof(*p));
	if (p == NULL)
		return -1;
	r->ptrs = p;
	l = mem_realloc(r->lens, ncap * sizeof(*l));
	if (l == NULL)
		return -1;
	r->lens = l;
	r->fcap = ncap;
	return 0;
}

static int
begin_field(struct csv_reader *r)
{
	if (r->nf >= r->max_fields)
		return fail_at(r, r->line, r->nf + 1,
		    "字段过多 (more than %zu fields)", r->max_fields);
	if (r->nf == r->fcap && grow_fields(r) != 0)
		return fail_here(r, LF_ERROR_NOMEM_TEXT);
	r->fstart = r->rowlen;
	r->lens[r->nf++] = r->rowlen;
	return 0;
}

static int
check_len(struct csv_reader *r)
{
	if (r->rowlen - r->fstart > r->max_field)
		return fail_here(r, "字段过长 (field longer than %zu bytes)",
		    r->max_field);
	return 0;
}

/* A comma: close this field, open the next. */
static int
next_field(struct csv_reader *r)
{
	r->row[r->rowlen++] = '\0';
	r->state = S_START;
	return begin_field(r);
}

/* Close the last field. Returns 1: the record is complete. */
static int
end_row(struct csv_reader *r)
{
	r->row[r->rowlen++] = '\0';
	r->state = S_START;
	return 1;
}

static int
step_start(struct csv_reader *r)
{
	char c = r->buf[r->pos];

	if (r->nf == 0) {
		if (c == '\n' || c == '\r') {
			/* An empty line is no record. */
			r->pos++;
			if (c == '\n')
				r->line++;
			else
				r->state = S_CR;
			return 0;
		}
		r->row_line = r->line;
		if (begin_field(r) != 0)
			return -1;
	}
	if (c == '"') {
		r->pos++;
		r->quote_line = r->line;
		r->state = S_QUOTED;
	} else
		r->state = S_PLAIN;
	return 0;
}

/* The byte c (not a comma) ended an unquoted field. */
static int
plain_end(struct csv_reader *r, unsigned char c)
{
	switch (c) {
	case '\n':
		r->line++;
		return end_row(r);
	case '\r':
		r->state = S_CR;
		return 0;
	case '"':
		return fail_here(r, "未加引号的字段中有引号 "
		    "(quote inside an unquoted field)");
	default:
		return fail_here(r, "含有 NUL 字节 (NUL byte in input)");
	}
}

/*
 * Copy the run of bytes at p that are not in plain_stop[] to *d and return
 * where it ends (a stop byte, or e, where the sentinel NUL lies). Eight
 * bytes are copied per step, possibly a few past the run: make_room()
 * leaves room for all of buf[pos..end) and the bytes are overwritten.
 */
static const unsigned char *
copy_plain(const unsigned char *p, const unsigned char *e, char **dp)
{
	char *d = *dp;
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w, m;
	unsigned k;

	while (e - p >= 8) {
		memcpy(&w, p, sizeof(w));
		memcpy(d, &w, sizeof(w));
		m = LOW(w);
		if (m == 0) {
			p += 8;
			d += 8;
			continue;
		}
		k = (unsigned)__builtin_ctzll(m) >> 3;
		p += k;
		d += k;
		if (plain_stop[*p])
			break;
		p++;
		d++;
	}
#endif
	while (!plain_stop[*p])
		*d++ = (char)*p++;
	*dp = d;
	return p;
}

/*
 * The end of a run of a field's bytes, copied up to d, read up to p (the
 * byte that stopped it, or e, the block's end): keeps both in r and checks
 * the field's length. -1 when it is too long, 0 at e, else 1 with r->pos
 * past the byte at p.
 */
static int
run_end(struct csv_reader *r, const unsigned char *p,
    const unsigned char *e, const char *d)
{
	r->rowlen = (size_t)(d - r->row);
	r->pos = (size_t)(p - UBUF(r));
	if (check_len(r) != 0)
		return -1;
	if (p == e)
		return 0;
	r->pos++;
	return 1;
}

/* Unquoted fields, one after another while no quote follows a comma. */
static int
step_plain(struct csv_reader *r)
{
	const unsigned char *p = UBUF(r) + r->pos, *e = UBUF(r) + r->end;
	char *d = r->row + r->rowlen;
	int rc;

	for (;;) {
		p = copy_plain(p, e, &d);
		if ((rc = run_end(r, p, e, d)) <= 0)
			return rc;
		if (*p++ != ',')
			return plain_end(r, p[-1]);
		if (next_field(r) != 0)
			return -1;
		d++;
		/* A quote, or the block's end, goes through S_START. */
		if (p == e || *p == '"')
			return 0;
		r->state = S_PLAIN;
	}
}

static int
step_quoted(struct csv_reader *r)
{
	const unsigned char *p = UBUF(r) + r->pos, *e = UBUF(r) + r->end;
	char *d = r->row + r->rowlen;
	int rc;

	for (;;) {
		while (!quoted_stop[*p])
			*d++ = (char)*p++;
		if (p == e || *p != '\n')
			break;
		r->line++;
		*d++ = (char)*p++;
	}
	if ((rc = run_end(r, p, e, d)) <= 0)
		return rc;
	if (*p == '"') {
		r->state = S_QUOTE;
		return 0;
	}
	return fail_here(r, "含有 NUL 字节 (NUL byte in input)");
}

static int
step_quote(struct csv_reader *r)
{
	char c = r->buf[r->pos++];

	switch (c) {
	case '"':
		r->row[r->rowlen++] = '"';
		r->state = S_QUOTED;
		return check_len(r);
	case ',':
		return next_field(r);
	case '\n':
		r->line++;
		return end_row(r);
	case '\r':
		r->state = S_CR;
		return 0;
	default:
		return fail_here(r, "闭合引号后有多余字符 "
		    "(text after the closing quote)");
	}
}

static int
step_cr(struct csv_reader *r)
{
	if (r->buf[r->pos] != '\n')
		return fail_here(r, MSG_CR);
	r->pos++;
	r->line++;
	if (r->nf == 0) {
		r->state = S_START;
		return 0;
	}
	return end_row(r);
}

static int (*const steps[])(struct csv_reader *) = {
	[S_START] = step_start,
	[S_PLAIN] = step_plain,
	[S_QUOTED] = step_quoted,
	[S_QUOTE] = step_quote,
	[S_CR] = step_cr
};

static int
bad_encoding(struct csv_reader *r)
{
	if (r->enc == CSV_ENC_GB18030)
		return fail_here(r, "GB18030 编码无效 "
		    "(invalid GB18030 byte 0x%02x%s)", r->badbyte, r->guessed ?
		    "; the input is not UTF-8 either" : "");
	return fail_here(r, "UTF-8 编码无效 (invalid UTF-8 byte 0x%02x%s)",
	    r->badbyte, r->guessed ?
	    "; encoding was guessed from the first 64 KiB" : "");
}

/* No more input: finish the record, or report why it cannot be. */
static int
at_end(struct csv_reader *r)
{
	if (r->bad)
		return bad_encoding(r);
	if (r->state == S_QUOTED)
		return fail_at(r, r->quote_line, r->nf,
		    "引号未闭合 (unterminated quoted field; file truncated?)");
	if (r->state == S_CR)
		return fail_here(r, MSG_CR);
	if (r->state == S_START && r->nf == 0) {
		r->done = 1;
		return 0;
	}
	return end_row(r);
}

static void
make_row(struct csv_reader *r, struct csv_row *row)
{
	size_t i, off, next;

	for (i = 0; i < r->nf; i++) {
		off = r->lens[i];
		next = i + 1 < r->nf ? r->lens[i + 1] : r->rowlen;
		r->ptrs[i] = r->row + off;
		r->lens[i] = next - off - 1;
	}
	row->nfields = r->nf;
	row->line = r->row_line;
	row->fields = r->ptrs;
	row->lens = r->lens;
}

int
csv_next(struct csv_reader *r, struct csv_row *row, struct csv_error *err)
{
	int rc = -1;

	if (r->failed)
		goto out;
	rc = 0;
	if (r->done)
		goto out;
	r->nf = 0;
	r->rowlen = 0;
	r->state = S_START;
	if (r->fresh && skip_bom(r) != 0) {
		rc = -1;
		goto out;
	}
	rc = make_room(r);
	while (rc == 0) {
		if (r->pos == r->end) {
			rc = fill(r);
			if (rc == 0) {
				rc = at_end(r);
				break;
			}
			if (rc < 0 || make_room(r) != 0) {
				rc = -1;
				break;
			}
		}
		rc = steps[r->state](r);
	}
	if (rc == 1)
		make_row(r, row);
out:
	if (rc < 0 && err != NULL)
		*err = r->err;
	return rc;
}

const char *
csv_field(const struct csv_row *row, size_t i)
{
	return i < row->nfields ? row->fields[i] : NULL;
}

void
csv_close(struct csv_reader *r)
{
	if (r == NULL)
		return;
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	mem_free(r->row);
	mem_free(r->ptrs);
	mem_free(r->lens);
	mem_free(r->raw);
	mem_free(r->buf);
	mem_free(r);
}

/* ---- writer --------------------------------------------------------- */

/* Where a row goes: a stream, or (fp NULL) a buffer. */
struct sink {
	FILE		*fp;
	struct buf	*b;
};

/* glibc's fwrite() on an unbuffered stream can report success for a
 * failed write; the error flag is what tells. */
static int
put(const struct sink *k, const char *s, size_t n)
{
	if (k->fp == NULL)
		return buf_add(k->b, s, n);
	return fwrite(s, 1, n, k->fp) == n && !ferror(k->fp) ? 0 : -1;
}

static int
write_field(const struct sink *k, const char *s, int alone)
{
	const char *q;

	if (strpbrk(s, ",\"\r\n") == NULL && !(alone && *s == '\0'))
		return put(k, s, strlen(s));
	if (put(k, "\"", 1) != 0)
		return -1;
	for (q = strchr(s, '"'); q != NULL; q = strchr(s, '"')) {
		/* Write up to and including the quote, then one more. */
		if (put(k, s, (size_t)(q - s) + 1) != 0 ||
		    put(k, "\"", 1) != 0)
			return -1;
		s = q + 1;
	}
	if (put(k, s, strlen(s)) != 0 || put(k, "\"", 1) != 0)
		return -1;
	return 0;
}

static int
write_row(const struct sink *k, const char *const *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0 && put(k, ",", 1) != 0)
			return -1;
		if (write_field(k, fields[i] ? fields[i] : "", n == 1) != 0)
			return -1;
	}
	return put(k, "\r\n", 2);
}

int
csv_write_row(FILE *fp, const char *const *fields, size_t n)
{
	struct sink k = { fp, NULL };
	int rc;

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	flockfile(fp);
	rc = write_row(&k, fields, n);
	funlockfile(fp);
	return rc;
}

int
csv_format_row(struct buf *b, const char *const *fields, size_t n)
{
	struct sink k = { NULL, b };

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	return write_row(&k, fields, n);
}

int
csv_write_bom(FILE *fp)
{
	struct sink k = { fp, NULL };

	return put(&k, BOM, 3);
}

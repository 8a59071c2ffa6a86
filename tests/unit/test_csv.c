/*
 * test_csv.c - the CSV reader and writer.
 *
 * Reader cases are rows of (input, encoding, caps) -> expected dump, where
 * the dump lists each record as "LINE:NFIELDS:f1|f2|..." (with \n, \r, |
 * and \ escaped) and ends with "ERR <message>" when reading fails. Every
 * case runs with the default 256 KiB blocks and again with tiny blocks,
 * so that every byte of every case falls on a block edge once. Large
 * generated inputs then put fields, CRLFs, "" escapes and UTF-8 and
 * GB18030 characters across real 256 KiB edges, and a writer round trip
 * reads back several megabytes of awkward fields.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/mem.h"
#include "lib/utf8.h"
#include "io/csv.h"

#define KIB		1024
#define DEFAULT_BLOCK	(256 * KIB)
#define DUMP_MAX	(64 * 1024 * KIB)

/* ---- helpers -------------------------------------------------------- */

static FILE *
file_with(const char *data, size_t len)
{
	FILE *fp = tmpfile();

	assert_non_null(fp);
	if (len > 0)
		assert_int_equal(fwrite(data, 1, len, fp), len);
	rewind(fp);
	return fp;
}

static void
dump_field(struct buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		case '|':
			buf_adds(b, "\\|");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		default:
			buf_addc(b, s[i]);
		}
	}
}

static void
dump_row(struct buf *b, const struct csv_row *row)
{
	size_t i;

	buf_addf(b, "%lu:%zu:", row->line, row->nfields);
	for (i = 0; i < row->nfields; i++) {
		assert_ptr_equal(csv_field(row, i), row->fields[i]);
		assert_int_equal(strlen(row->fields[i]), row->lens[i]);
		assert_true(utf8_valid(row->fields[i], row->lens[i]));
		if (i > 0)
			buf_addc(b, '|');
		dump_field(b, row->fields[i], row->lens[i]);
	}
	assert_null(csv_field(row, row->nfields));
	buf_addc(b, '\n');
}

/* Read everything from r into b; check that errors stick and that the
 * end stays the end. Returns the last csv_next() result. */
static int
dump_reader(struct csv_reader *r, struct buf *b)
{
	struct csv_error err, again;
	struct csv_row row;
	int rc;

	for (;;) {
		rc = csv_next(r, &row, &err);
		if (rc != 1)
			break;
		dump_row(b, &row);
	}
	if (rc < 0) {
		buf_addf(b, "ERR %s", err.message);
		assert_int_equal(csv_next(r, &row, &again), -1);
		assert_string_equal(again.message, err.message);
		assert_int_equal(again.line, err.line);
		assert_int_equal(again.column, err.column);
		assert_int_equal(csv_next(r, &row, NULL), -1);
	} else
		assert_int_equal(csv_next(r, &row, NULL), 0);
	return rc;
}

/* Open data as "t.csv" and dump it; a failed open dumps "OPEN <msg>". */
static void
dump_input(const char *data, size_t len, int enc, size_t max_field,
    size_t max_fields, struct buf *b)
{
	struct csv_error err;
	struct csv_reader *r;
	FILE *fp = file_with(data, len);

	r = csv_open(fp, "t.csv", enc, &err);
	if (r == NULL)
		buf_addf(b, "OPEN %s", err.message);
	else {
		if (max_field || max_fields)
			assert_int_equal(csv_set_limits(r,
			    max_field ? max_field : CSV_FIELD_MAX,
			    max_fields ? max_fields : CSV_FIELDS_MAX), 0);
		dump_reader(r, b);
	}
	csv_close(r);
	fclose(fp);
}

/* ---- the reader table ----------------------------------------------- */

#define A	CSV_ENC_AUTO
#define U	CSV_ENC_UTF8
#define G	CSV_ENC_GB18030

#define E_QUOTE \
	"引号未闭合 (unterminated quoted field; file truncated?)"
#define E_INQUOTE \
	"未加引号的字段中有引号 (quote inside an unquoted field)"
#define E_AFTER		"闭合引号后有多余字符 (text after the closing quote)"
#define E_CR		"回车符后没有换行符 (CR not followed by LF)"
#define E_NUL		"含有 NUL 字节 (NUL byte in input)"
#define E_UTF8(b)	"UTF-8 编码无效 (invalid UTF-8 byte " b ")"
#define E_GB(b)		"GB18030 编码无效 (invalid GB18030 byte " b ")"

struct read_case {
	const char	*name;
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	int		 enc;
	size_t		 max_field;	/* 0: default */
	size_t		 max_fields;	/* 0: default */
	const char	*want;
};

static const struct read_case read_cases[] = {
	/* Plain RFC 4180. */
	{ "empty", "", 0, U, 0, 0, "" },
	{ "empty auto", "", 0, A, 0, 0, "" },
	{ "empty gb", "", 0, G, 0, 0, "" },
	{ "one row", "a,b,c\n", 0, U, 0, 0, "1:3:a|b|c\n" },
	{ "no final newline", "a,b,c", 0, U, 0, 0, "1:3:a|b|c\n" },
	{ "crlf", "a,b\r\nc,d\r\n", 0, U, 0, 0, "1:2:a|b\n2:2:c|d\n" },
	{ "quoted", "\"a,b\",\"c\"\"d\",\"\"\n", 0, U, 0, 0,
	    "1:3:a,b|c\"d|\n" },
	{ "only quotes", "\"\"\"\"\"\"\n", 0, U, 0, 0, "1:1:\"\"\n" },
	{ "embedded newline", "\"x\ny\",z\nnext,1\n", 0, U, 0, 0,
	    "1:2:x\\ny|z\n3:2:next|1\n" },
	{ "embedded crlf", "\"x\r\ny\"\r\nb\r\n", 0, U, 0, 0,
	    "1:1:x\\r\\ny\n3:1:b\n" },
	{ "blank line in field", "h\n\"a\n\nb\",c\nd\n", 0, U, 0, 0,
	    "1:1:h\n2:2:a\\n\\nb|c\n5:1:d\n" },
	{ "blank lines skipped", "\n\na\n\n\nb\n\n", 0, U, 0, 0,
	    "3:1:a\n6:1:b\n" },
	{ "blank crlf lines", "\r\na\r\n\r\n", 0, U, 0, 0, "2:1:a\n" },
	{ "empty fields", ",\n,,\na,\n", 0, U, 0, 0,
	    "1:2:|\n2:3:||\n3:2:a|\n" },
	{ "one empty quoted", "\"\"\n", 0, U, 0, 0, "1:1:\n" },
	{ "spaces kept", " a , b \n", 0, U, 0, 0, "1:2: a | b \n" },
	{ "quote at eof", "a,\"b\"", 0, U, 0, 0, "1:2:a|b\n" },
	{ "comma at eof", "a,", 0, U, 0, 0, "1:2:a|\n" },
	{ "quoted crlf end", "\"a\"\r\n\"b\",\"c\"\r\n", 0, U, 0, 0,
	    "1:1:a\n2:2:b|c\n" },
	{ "quoted comma", "\",\"\n", 0, U, 0, 0, "1:1:,\n" },
	{ "cr in quotes", "\"a\rb\"\n", 0, U, 0, 0, "1:1:a\\rb\n" },
	{ "escapes dumped", "a|b,c\\d\n", 0, U, 0, 0, "1:2:a\\|b|c\\\\d\n" },
	{ "long plain run", "abcdefghijklmnopqrstuvwxyz0123456789,x\n", 0, U,
	    0, 0, "1:2:abcdefghijklmnopqrstuvwxyz0123456789|x\n" },
	{ "low bytes in run", "a b!c#d$e%f&g'h(i)j*k+l-m.n/o\n", 0, U, 0, 0,
	    "1:1:a b!c#d$e%f&g'h(i)j*k+l-m.n/o\n" },
	{ "tab and controls", "a\tb\x01\x1f\n", 0, U, 0, 0,
	    "1:1:a\tb\x01\x1f\n" },

	/* Byte order marks and UTF-8. */
	{ "bom", "\xEF\xBB\xBF" "a,b\n", 0, U, 0, 0, "1:2:a|b\n" },
	{ "bom auto", "\xEF\xBB\xBF" "a,b\n", 0, A, 0, 0, "1:2:a|b\n" },
	{ "bom only", "\xEF\xBB\xBF", 0, U, 0, 0, "" },
	{ "bom then quote", "\xEF\xBB\xBF\"a\"\n", 0, U, 0, 0, "1:1:a\n" },
	{ "bom then blank", "\xEF\xBB\xBF\nb\n", 0, U, 0, 0, "2:1:b\n" },
	{ "second bom kept", "\xEF\xBB\xBF\xEF\xBB\xBF" "a\n", 0, U, 0, 0,
	    "1:1:\xEF\xBB\xBF" "a\n" },
	{ "bom not first", "a\n\xEF\xBB\xBF" "b\n", 0, U, 0, 0,
	    "1:1:a\n2:1:\xEF\xBB\xBF" "b\n" },
	{ "utf8 text", "姓名,住址\n张三,四川省成都市\n", 0, A, 0, 0,
	    "1:2:姓名|住址\n2:2:张三|四川省成都市\n" },
	{ "4-byte char", "\xf0\xa0\x80\x80,x\n", 0, U, 0, 0,
	    "1:2:\xf0\xa0\x80\x80|x\n" },

	/* GB18030. */
	{ "gb", "\xc4\xe3\xba\xc3,1\n", 0, G, 0, 0, "1:2:你好|1\n" },
	{ "gb auto", "\xc4\xe3\xba\xc3,1\n", 0, A, 0, 0, "1:2:你好|1\n" },
	{ "gb 4-byte", "\x95\x32\x82\x36\n", 0, G, 0, 0,
	    "1:1:\xf0\xa0\x80\x80\n" },
	{ "gb bom", "\x84\x31\x95\x33" "a\n", 0, G, 0, 0, "1:1:a\n" },
	{ "gb quoted newline", "\"\xc4\xe3\n\xba\xc3\",x\ny\n", 0, G, 0, 0,
	    "1:2:你\\n好|x\n3:1:y\n" },
	{ "gb ascii", "a,b\n", 0, G, 0, 0, "1:2:a|b\n" },
	{ "auto cut utf8 is gb", "a\xe4\xbd\n", 0, A, 0, 0, "1:1:a浣\n" },

	/* Syntax errors. */
	{ "unterminated", "\"abc\n", 0, U, 0, 0, "ERR t.csv:1:1: " E_QUOTE },
	{ "unterminated later", "a\nb,\"c\nd\ne", 0, U, 0, 0,
	    "1:1:a\nERR t.csv:2:2: " E_QUOTE },
	{ "lone quote", "\"", 0, U, 0, 0, "ERR t.csv:1:1: " E_QUOTE },
	{ "quote in plain", "ab\"c\n", 0, U, 0, 0,
	    "ERR t.csv:1:1: " E_INQUOTE },
	{ "quote in 3rd", "x\na,b,c\"\n", 0, U, 0, 0,
	    "1:1:x\nERR t.csv:2:3: " E_INQUOTE },
	{ "text after quote", "a,\"b\"x\n", 0, U, 0, 0,
	    "ERR t.csv:1:2: " E_AFTER },
	{ "space after quote", "\"b\" \n", 0, U, 0, 0,
	    "ERR t.csv:1:1: " E_AFTER },
	{ "bare cr", "a\rb\n", 0, U, 0, 0, "ERR t.csv:1:1: " E_CR },
	{ "cr at eof", "a,b\r", 0, U, 0, 0, "ERR t.csv:1:2: " E_CR },
	{ "cr blank line", "\rx", 0, U, 0, 0, "ERR t.csv:1:1: " E_CR },
	{ "cr at eof alone", "\r", 0, U, 0, 0, "ERR t.csv:1:1: " E_CR },
	{ "cr after quote", "\"a\"\rb", 0, U, 0, 0, "ERR t.csv:1:1: " E_CR },
	{ "nul plain", "a\0b\n", 4, U, 0, 0, "ERR t.csv:1:1: " E_NUL },
	{ "nul first", "\0", 1, U, 0, 0, "ERR t.csv:1:1: " E_NUL },
	{ "nul quoted", "x,\"a\0\"\n", 7, U, 0, 0, "ERR t.csv:1:2: " E_NUL },

	/* Encoding errors. */
	{ "bad utf8", "ok\nab,c\xff\n", 0, U, 0, 0,
	    "1:1:ok\nERR t.csv:2:2: " E_UTF8("0xff") },
	{ "overlong", "\xc0\x80\n", 0, U, 0, 0,
	    "ERR t.csv:1:1: " E_UTF8("0xc0") },
	{ "surrogate", "a,\xed\xa0\x80\n", 0, U, 0, 0,
	    "ERR t.csv:1:2: " E_UTF8("0xed") },
	{ "too big", "\xf4\x90\x80\x80\n", 0, U, 0, 0,
	    "ERR t.csv:1:1: " E_UTF8("0xf4") },
	{ "cut utf8 at eof", "a,\xe4\xbd", 0, U, 0, 0,
	    "ERR t.csv:1:2: " E_UTF8("0xe4") },
	{ "bad utf8 2nd line of field", "\"a\nb\xff\"\n", 0, U, 0, 0,
	    "ERR t.csv:2:1: " E_UTF8("0xff") },
	{ "gb read as utf8", "\xc4\xe3\n", 0, U, 0, 0,
	    "ERR t.csv:1:1: " E_UTF8("0xc4") },
	{ "bad gb", "a,\x80\n", 0, G, 0, 0, "ERR t.csv:1:2: " E_GB("0x80") },
	{ "bad gb trail", "\x81\x20\n", 0, G, 0, 0,
	    "ERR t.csv:1:1: " E_GB("0x81") },
	{ "cut gb at eof", "x\na,\xc4", 0, G, 0, 0,
	    "1:1:x\nERR t.csv:2:2: " E_GB("0xc4") },
	{ "bad gb auto", "\xc4\xe3,\xff\n", 0, A, 0, 0,
	    "ERR t.csv:1:2: GB18030 编码无效 (invalid GB18030 byte 0xff; "
	    "the input is not UTF-8 either)" },

	/* Caps. */
	{ "field at cap", "abcd,efgh\n", 0, U, 4, 0, "1:2:abcd|efgh\n" },
	{ "field over cap", "abcde\n", 0, U, 4, 0,
	    "ERR t.csv:1:1: 字段过长 (field longer than 4 bytes)" },
	{ "escape at cap", "\"ab\"\"c\"\n", 0, U, 4, 0, "1:1:ab\"c\n" },
	{ "escape over cap", "\"ab\"\"cd\"\n", 0, U, 4, 0,
	    "ERR t.csv:1:1: 字段过长 (field longer than 4 bytes)" },
	{ "quoted over cap", "x,\"abcde\"\n", 0, U, 4, 0,
	    "ERR t.csv:1:2: 字段过长 (field longer than 4 bytes)" },
	{ "chars over cap", "你好\n", 0, U, 5, 0,
	    "ERR t.csv:1:1: 字段过长 (field longer than 5 bytes)" },
	{ "gb over cap", "\xc4\xe3\xba\xc3\n", 0, G, 5, 0,
	    "ERR t.csv:1:1: 字段过长 (field longer than 5 bytes)" },
	{ "fields at cap", "a,b,c\n", 0, U, 0, 3, "1:3:a|b|c\n" },
	{ "fields over cap", "a,b,c,d\n", 0, U, 0, 3,
	    "ERR t.csv:1:4: 字段过多 (more than 3 fields)" },
	{ "one field cap", "a\nb,c\n", 0, U, 0, 1,
	    "1:1:a\nERR t.csv:2:2: 字段过多 (more than 1 fields)" },
	{ "quoted over fields", "a,\"b\",\"c\"\n", 0, U, 0, 2,
	    "ERR t.csv:1:3: 字段过多 (more than 2 fields)" },
};

static const size_t block_sizes[] = { 0, 1, 2, 3, 4, 5, 7, 16 };

static void
test_read_table(void **state)
{
	const struct read_case *c;
	struct buf b;
	size_t i, j, len;

	(void)state;
	buf_init(&b, DUMP_MAX);
	for (i = 0; i < sizeof(read_cases) / sizeof(read_cases[0]); i++) {
		c = &read_cases[i];
		len = c->len ? c->len : strlen(c->in);
		for (j = 0; j < sizeof(block_sizes) / sizeof(block_sizes[0]);
		    j++) {
			csv_test_block_size(block_sizes[j]);
			buf_reset(&b);
			dump_input(c->in, len, c->enc, c->max_field,
			    c->max_fields, &b);
			if (strcmp(buf_str(&b), c->want) != 0)
				fail_msg("%s (block %zu):\n got: %s\nwant: %s",
				    c->name, block_sizes[j], buf_str(&b),
				    c->want);
		}
	}
	csv_test_block_size(0);
	buf_free(&b);
}

/* ---- encoding choice ------------------------------------------------ */

static int
encoding_of(const char *data, size_t len, int enc)
{
	struct csv_reader *r;
	FILE *fp = file_with(data, len);
	int got;

	r = csv_open(fp, "t.csv", enc, NULL);
	assert_non_null(r);
	got = csv_encoding(r);
	csv_close(r);
	fclose(fp);
	return got;
}

/* `filler` bytes of complete lines, then s. */
static void
filler(struct buf *b, size_t n)
{
	while (n >= 8) {
		buf_adds(b, "0123456\n");
		n -= 8;
	}
	if (n > 0) {
		while (--n > 0)
			buf_addc(b, 'y');
		buf_addc(b, '\n');
	}
}

static void
test_encoding_choice(void **state)
{
	struct buf b;

	(void)state;
	assert_int_equal(encoding_of("", 0, A), U);
	assert_int_equal(encoding_of("abc", 3, A), U);
	assert_int_equal(encoding_of("你好", 6, A), U);
	assert_int_equal(encoding_of("\xc4\xe3", 2, A), G);
	assert_int_equal(encoding_of("\xc4\xe3", 2, U), U);
	assert_int_equal(encoding_of("abc", 3, G), G);
	/* A BOM decides even when invalid bytes follow. */
	assert_int_equal(encoding_of("\xEF\xBB\xBF\xc4\xe3", 5, A), U);

	/* 0x81 cannot start UTF-8: inside the first 64 KiB it means GB. */
	buf_init(&b, DUMP_MAX);
	filler(&b, CSV_DETECT_LEN - 1);
	buf_adds(&b, "\x81\x40,z\n");
	assert_int_equal(encoding_of(b.data, b.len, A), G);
	buf_reset(&b);
	filler(&b, CSV_DETECT_LEN);
	buf_adds(&b, "\x81\x40,z\n");
	assert_int_equal(encoding_of(b.data, b.len, A), U);
	/* A UTF-8 character cut by the 64 KiB mark is still UTF-8. */
	buf_reset(&b);
	filler(&b, CSV_DETECT_LEN - 1);
	buf_adds(&b, "你,z\n");
	assert_int_equal(encoding_of(b.data, b.len, A), U);
	buf_free(&b);
}

/* GB18030 after 64 KiB of ASCII: AUTO chose UTF-8, the error says so. */
static void
test_auto_late_gb(void **state)
{
	struct buf in, out;
	char want[256];
	const char *got;

	(void)state;
	buf_init(&in, DUMP_MAX);
	buf_init(&out, DUMP_MAX);
	filler(&in, 70000);
	buf_adds(&in, "\xc4\xe3,x\n");
	dump_input(in.data, in.len, A, 0, 0, &out);
	got = strstr(buf_str(&out), "ERR ");
	assert_non_null(got);
	snprintf(want, sizeof(want), "ERR t.csv:8751:1: UTF-8 编码无效 "
	    "(invalid UTF-8 byte 0xc4; encoding was guessed from the first "
	    "64 KiB)");
	assert_string_equal(got, want);
	assert_non_null(strstr(buf_str(&out), "\n8750:1:0123456\nERR"));
	buf_free(&in);
	buf_free(&out);
}

/* ---- block edges ---------------------------------------------------- */

/*
 * Rows whose awkward parts land on a block edge at every shift: a UTF-8
 * or GB18030 character, a "" escape, a CRLF, a quoted newline. `gb`
 * selects the encoding of the Chinese text; the expected dump is UTF-8.
 */
static void
special_rows(struct buf *b, int gb)
{
	buf_adds(b, gb ? "a\xc4\xe3\x95\x32\x82\x36" : "a你\xf0\xa0\x80\x80");
	buf_adds(b, ",\"x\"\"y\",z\r\n\"q\n");
	buf_adds(b, gb ? "\xc4\xe3" : "你");
	buf_adds(b, "\"\"\",\"\"\r\nafter,1\n");
}

#define SPECIAL_DUMP \
	"%lu:3:a你\xf0\xa0\x80\x80|x\"y|z\n" \
	"%lu:2:q\\n你\"|\n" \
	"%lu:2:after|1\n"

static void
check_edges(size_t block, size_t edge, int enc)
{
	struct buf in, out, want;
	unsigned long line;
	const char *tail;
	size_t shift;

	buf_init(&in, DUMP_MAX);
	buf_init(&out, DUMP_MAX);
	buf_init(&want, DUMP_MAX);
	csv_test_block_size(block);
	for (shift = 0; shift < 12; shift++) {
		buf_reset(&in);
		buf_reset(&out);
		buf_reset(&want);
		filler(&in, edge - shift);
		line = (unsigned long)(edge - shift + 7) / 8 + 1;
		special_rows(&in, enc == G);
		dump_input(in.data, in.len, enc, 0, 0, &out);
		buf_addf(&want, SPECIAL_DUMP, line, line + 1, line + 3);
		tail = out.len > 200 ? out.data + out.len - 200 : out.data;
		if (out.len < want.len || strcmp(out.data + out.len - want.len,
		    want.data) != 0)
			fail_msg("block %zu edge %zu shift %zu enc %d: %s",
			    block, edge, shift, enc, tail);
	}
	csv_test_block_size(0);
	buf_free(&in);
	buf_free(&out);
	buf_free(&want);
}

static void
test_block_edges(void **state)
{
	static const int encs[] = { U, A, G };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		check_edges(0, DEFAULT_BLOCK, encs[i]);
		check_edges(0, 2 * DEFAULT_BLOCK, encs[i]);
		check_edges(70001, 2 * 70001, encs[i]);
	}
}

/* ---- big rows and fields -------------------------------------------- */

static void
test_big_rows(void **state)
{
	struct csv_error err;
	struct csv_reader *r;
	struct csv_row row;
	struct buf in;
	FILE *fp;
	size_t i, j;

	(void)state;
	buf_init(&in, DUMP_MAX);
	/* 1024 fields (the default cap), then 1025. */
	for (i = 0; i < CSV_FIELDS_MAX; i++)
		buf_adds(&in, i ? ",f" : "f");
	buf_adds(&in, "\n");
	for (i = 0; i <= CSV_FIELDS_MAX; i++)
		buf_adds(&in, i ? ",f" : "f");
	buf_adds(&in, "\n");
	fp = file_with(in.data, in.len);
	r = csv_open(fp, "big.csv", U, &err);
	assert_non_null(r);
	assert_int_equal(csv_next(r, &row, &err), 1);
	assert_int_equal(row.nfields, CSV_FIELDS_MAX);
	assert_string_equal(row.fields[CSV_FIELDS_MAX - 1], "f");
	assert_int_equal(csv_next(r, &row, &err), -1);
	assert_string_equal(err.message,
	    "big.csv:2:1025: 字段过多 (more than 1024 fields)");
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 1025);
	csv_close(r);
	fclose(fp);

	/* A 64 KiB field is fine, one byte more is not; ten fields of
	 * 60 KiB make a record longer than two blocks. */
	buf_reset(&in);
	for (i = 0; i < CSV_FIELD_MAX; i++)
		buf_addc(&in, 'x');
	buf_adds(&in, "\n\"");
	for (j = 0; j < 10; j++) {
		for (i = 0; i < 60 * KIB; i++)
			buf_addc(&in, 'q');
		buf_adds(&in, j == 0 ? "\"," : ",");
	}
	buf_adds(&in, "\"\"\n");
	for (i = 0; i <= CSV_FIELD_MAX; i++)
		buf_addc(&in, 'x');
	fp = file_with(in.data, in.len);
	r = csv_open(fp, "big.csv", A, &err);
	assert_non_null(r);
	assert_int_equal(csv_next(r, &row, &err), 1);
	assert_int_equal(row.lens[0], CSV_FIELD_MAX);
	assert_int_equal(csv_next(r, &row, &err), 1);
	assert_int_equal(row.line, 2);
	assert_int_equal(row.nfields, 11);
	for (i = 0; i < 10; i++)
		assert_int_equal(row.lens[i], 60 * KIB);
	assert_int_equal(row.lens[10], 0);
	assert_int_equal(csv_next(r, &row, &err), -1);
	assert_string_equal(err.message,
	    "big.csv:3:1: 字段过长 (field longer than 65536 bytes)");
	csv_close(r);
	fclose(fp);
	buf_free(&in);
}

/* ---- open, limits, read errors -------------------------------------- */

static void
test_open_errors(void **state)
{
	struct csv_error err;
	FILE *fp = file_with("a\n", 2);
	struct buf name;
	struct csv_reader *r;
	size_t i;

	(void)state;
	assert_null(csv_open(NULL, "t.csv", U, &err));
	assert_string_equal(err.message,
	    "t.csv: 参数错误 (no input or unknown encoding)");
	assert_int_equal(err.line, 0);
	assert_int_equal(err.column, 0);
	assert_null(csv_open(fp, NULL, 3, &err));
	assert_string_equal(err.message,
	    "-: 参数错误 (no input or unknown encoding)");
	assert_null(csv_open(fp, "t.csv", -1, NULL));

	/* Long names keep their tail and whole characters. */
	buf_init(&name, 1024);
	for (i = 0; i < 40; i++)
		buf_adds(&name, "目录/");
	buf_adds(&name, "a\"b.csv");
	assert_null(csv_open(fp, buf_str(&name), 9, &err));
	buf_free(&name);
	assert_true(utf8_valid(err.message, strlen(err.message)));
	assert_int_equal(strncmp(err.message, "...", 3), 0);
	assert_non_null(strstr(err.message, "/目录/a\"b.csv: 参数错误"));
	assert_true(strlen(err.message) < 160);

	r = csv_open(fp, NULL, U, &err);
	assert_non_null(r);
	assert_int_equal(csv_set_limits(r, 0, 1), -1);
	assert_int_equal(csv_set_limits(r, 1, 0), -1);
	assert_int_equal(csv_set_limits(r, SIZE_MAX, 1), -1);
	assert_int_equal(csv_set_limits(r, 1, SIZE_MAX), -1);
	assert_int_equal(csv_set_limits(r, SIZE_MAX / 8, 2), -1);
	assert_int_equal(csv_set_limits(r, SIZE_MAX / 8, 1), 0);
	assert_int_equal(csv_set_limits(r, 1, 1), 0);
	csv_close(r);
	csv_close(NULL);
	fclose(fp);
}

/* A stream that yields `data` and then fails with EIO. */
struct failing {
	const char	*data;
	size_t		 len, pos;
};

static ssize_t
failing_read(void *cookie, char *out, size_t n)
{
	struct failing *f = cookie;

	if (f->pos == f->len) {
		errno = EIO;
		return -1;
	}
	if (n > f->len - f->pos)
		n = f->len - f->pos;
	memcpy(out, f->data + f->pos, n);
	f->pos += n;
	return (ssize_t)n;
}

static FILE *
failing_file(struct failing *f, const char *data)
{
	cookie_io_functions_t io = { failing_read, NULL, NULL, NULL };
	FILE *fp;

	f->data = data;
	f->len = strlen(data);
	f->pos = 0;
	fp = fopencookie(f, "r", io);
	assert_non_null(fp);
	setvbuf(fp, NULL, _IONBF, 0);
	return fp;
}

struct ioerr_case {
	const char	*data;
	int		 enc;
	size_t		 block;
	const char	*want;
};

#define E_IO	"t.csv: 读取失败 (read error: Input/output error)"

static const struct ioerr_case ioerr_cases[] = {
	{ "a,b\n", A, 0, "OPEN " E_IO },
	{ "a,b\n", U, 0, "OPEN " E_IO },
	{ "a,b\nc,d\n", U, 4, "1:2:a|b\n2:2:c|d\nERR " E_IO },
	{ "a,b\nc,d\n", G, 4, "1:2:a|b\n2:2:c|d\nERR " E_IO },
	{ "\xc4\xe3\n\xc4", G, 4, "1:1:你\nERR " E_IO },
	{ "", G, 4, "OPEN " E_IO },
	{ "\xc4", G, 1, "ERR " E_IO },
	{ "\xc3", U, 1, "ERR " E_IO },
};

static void
test_read_errors(void **state)
{
	const struct ioerr_case *c;
	struct failing f;
	struct csv_error err;
	struct csv_reader *r;
	struct buf b;
	FILE *fp;
	size_t i;

	(void)state;
	buf_init(&b, DUMP_MAX);
	for (i = 0; i < sizeof(ioerr_cases) / sizeof(ioerr_cases[0]); i++) {
		c = &ioerr_cases[i];
		buf_reset(&b);
		csv_test_block_size(c->block);
		fp = failing_file(&f, c->data);
		r = csv_open(fp, "t.csv", c->enc, &err);
		if (r == NULL)
			buf_addf(&b, "OPEN %s", err.message);
		else
			dump_reader(r, &b);
		if (strcmp(buf_str(&b), c->want) != 0)
			fail_msg("case %zu: got %s", i, buf_str(&b));
		csv_close(r);
		fclose(fp);
	}
	csv_test_block_size(0);
	buf_free(&b);
}

/* ---- out of memory -------------------------------------------------- */

static void
oom_sweep(const char *data, size_t len, int enc, size_t block)
{
	struct csv_error err;
	struct csv_reader *r;
	struct buf ok, b;
	FILE *fp;
	long n;
	int rc = -1;

	buf_init(&ok, DUMP_MAX);
	buf_init(&b, DUMP_MAX);
	csv_test_block_size(block);
	dump_input(data, len, enc, 0, 0, &ok);
	for (n = 0; rc != 0; n++) {
		/* Room for the whole dump, so that only the reader fails. */
		buf_add(&b, ok.data, ok.len);
		buf_addf(&b, "%300s", "");
		buf_reset(&b);
		fp = file_with(data, len);
		mem_fail_after(n);
		r = csv_open(fp, "t.csv", enc, &err);
		if (r == NULL) {
			mem_fail_after(-1);
			assert_string_equal(err.message,
			    "t.csv: 内存不足 (out of memory)");
		} else {
			rc = dump_reader(r, &b);
			mem_fail_after(-1);
			/* A clean error, or everything read correctly. */
			if (rc < 0 && strstr(buf_str(&b),
			    ": 内存不足 (out of memory)") == NULL)
				fail_msg("n %ld: %.200s", n, buf_str(&b));
			if (rc == 0)
				assert_string_equal(buf_str(&b), buf_str(&ok));
		}
		csv_close(r);
		fclose(fp);
		assert_true(n < 1000);
	}
	csv_test_block_size(0);
	buf_free(&ok);
	buf_free(&b);
}

static void
test_out_of_memory(void **state)
{
	struct buf in;
	size_t i;

	(void)state;
	buf_init(&in, DUMP_MAX);
	for (i = 0; i < 200; i++)
		buf_adds(&in, i ? ",\"f\"\"\"" : "a");
	buf_adds(&in, "\n");
	for (i = 0; i < 300; i++)
		buf_adds(&in, "long field ");
	buf_adds(&in, "\n");
	oom_sweep(in.data, in.len, U, 64);
	oom_sweep(in.data, in.len, A, 0);
	oom_sweep(in.data, in.len, G, 64);
	buf_free(&in);
}

/* ---- writer --------------------------------------------------------- */

struct write_case {
	const char	*fields[4];
	size_t		 n;
	const char	*want;
};

static const struct write_case write_cases[] = {
	{ { "a", "b" }, 2, "a,b\r\n" },
	{ { "a,b" }, 1, "\"a,b\"\r\n" },
	{ { "x\"y" }, 1, "\"x\"\"y\"\r\n" },
	{ { "\"" }, 1, "\"\"\"\"\r\n" },
	{ { "\"\"a\"" }, 1, "\"\"\"\"\"a\"\"\"\r\n" },
	{ { "line\nbreak", "z" }, 2, "\"line\nbreak\",z\r\n" },
	{ { "cr\r" }, 1, "\"cr\r\"\r\n" },
	{ { "" }, 1, "\"\"\r\n" },
	{ { "", "" }, 2, ",\r\n" },
	{ { NULL, "a" }, 2, ",a\r\n" },
	{ { NULL }, 1, "\"\"\r\n" },
	{ { " sp ", "你好" }, 2, " sp ,你好\r\n" },
	{ { "=1+1" }, 1, "=1+1\r\n" },
};

static void
test_write_table(void **state)
{
	const struct write_case *c;
	char got[128];
	FILE *fp;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(write_cases) / sizeof(write_cases[0]); i++) {
		c = &write_cases[i];
		fp = tmpfile();
		assert_non_null(fp);
		assert_int_equal(csv_write_row(fp, c->fields, c->n), 0);
		rewind(fp);
		n = fread(got, 1, sizeof(got) - 1, fp);
		got[n] = '\0';
		if (strcmp(got, c->want) != 0)
			fail_msg("case %zu: got [%s]", i, got);
		fclose(fp);
	}
}

/* csv_format_row() appends what csv_write_row() writes, and fails, with
 * the buffer's earlier bytes kept, when its cap is reached. */
static void
test_format_row(void **state)
{
	const char *f[] = { "a", "b,c" };
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 1 << 16);
	for (i = 0; i < sizeof(write_cases) / sizeof(write_cases[0]); i++) {
		buf_reset(&b);
		assert_int_equal(buf_adds(&b, "<"), 0);
		assert_int_equal(csv_format_row(&b, write_cases[i].fields,
		    write_cases[i].n), 0);
		assert_string_equal(buf_str(&b) + 1, write_cases[i].want);
	}
	errno = 0;
	assert_int_equal(csv_format_row(&b, f, 0), -1);
	assert_int_equal(errno, EINVAL);
	buf_free(&b);
	buf_init(&b, 6);
	assert_int_equal(csv_format_row(&b, f, 1), 0);
	assert_int_equal(csv_format_row(&b, f, 2), -1);
	assert_int_equal(b.len >= 3, 1);
	assert_memory_equal(b.data, "a\r\n", 3);
	buf_free(&b);
}

static void
test_write_errors(void **state)
{
	const char *f[] = { "a", "b,c", "d\"e" };
	FILE *fp;

	(void)state;
	fp = tmpfile();
	errno = 0;
	assert_int_equal(csv_write_row(fp, f, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(csv_write_bom(fp), 0);
	rewind(fp);
	assert_int_equal(fgetc(fp), 0xEF);
	assert_int_equal(fgetc(fp), 0xBB);
	assert_int_equal(fgetc(fp), 0xBF);
	assert_int_equal(fgetc(fp), EOF);
	fclose(fp);

	fp = fopen("/dev/full", "w");
	assert_non_null(fp);
	setvbuf(fp, NULL, _IONBF, 0);
	assert_int_equal(csv_write_bom(fp), -1);
	assert_int_equal(csv_write_row(fp, f, 1), -1);
	assert_int_equal(csv_write_row(fp, f + 1, 1), -1);
	assert_int_equal(csv_write_row(fp, f + 2, 1), -1);
	assert_int_equal(csv_write_row(fp, f, 3), -1);
	fclose(fp);
}

/*
 * Fields that fail one step into a quoted field (the opening quote, an
 * escape, the closing quote, the separator, the line end) on a stream
 * that accepts only `room` bytes.
 */
static ssize_t
limited_write(void *cookie, const char *buf, size_t n)
{
	size_t *room = cookie;

	(void)buf;
	if (*room == 0) {
		errno = ENOSPC;
		return -1;
	}
	if (n > *room)
		n = *room;
	*room -= n;
	return (ssize_t)n;
}

static void
test_write_short(void **state)
{
	cookie_io_functions_t io = { NULL, limited_write, NULL, NULL };
	const char *f[] = { "a\"b", "c" };
	size_t room, full = strlen("\"a\"\"b\",c\r\n");
	FILE *fp;
	int rc;

	(void)state;
	for (room = 0; room <= full; room++) {
		size_t left = room;

		fp = fopencookie(&left, "w", io);
		assert_non_null(fp);
		setvbuf(fp, NULL, _IONBF, 0);
		rc = csv_write_row(fp, f, 2);
		if (rc != (room == full ? 0 : -1))
			fail_msg("room %zu: %d", room, rc);
		fclose(fp);
	}
}

/* ---- round trip ----------------------------------------------------- */

static unsigned long rng = 12345;

static unsigned
next_rand(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rng >> 33) % n;
}

static const char *const pieces[] = {
	"a", "b", "0", "9", ",", "\"", "\"\"", "\n", "\r", "\r\n", " ", "|",
	"你", "好", "川", "\xf0\xa0\x80\x80", "\xc3\xa9", "-", "x=y",
};

/* One random field of 0..24 pieces into b (NUL-terminated). */
static void
random_field(struct buf *b)
{
	unsigned i, n = next_rand(25);

	for (i = 0; i < n; i++)
		buf_adds(b, pieces[next_rand(sizeof(pieces) /
		    sizeof(pieces[0]))]);
	buf_addc(b, '\0');
}

#define RT_ROWS		4000

static void
round_trip(int enc, size_t block)
{
	struct buf store, line_of;
	struct csv_error err;
	struct csv_reader *r;
	struct csv_row row;
	const char *fields[160];
	size_t nf[RT_ROWS], i, j, k, off;
	unsigned long line = 1;
	FILE *fp;
	int rc;

	buf_init(&store, DUMP_MAX);
	buf_init(&line_of, DUMP_MAX);
	fp = tmpfile();
	assert_non_null(fp);
	assert_int_equal(csv_write_bom(fp), 0);
	rng = 777;
	/* Write every row, keeping its fields and starting line. */
	for (i = 0; i < RT_ROWS; i++) {
		nf[i] = 1 + next_rand(150);
		off = store.len;
		for (j = 0; j < nf[i]; j++)
			random_field(&store);
		for (j = 0, k = off; j < nf[i]; j++) {
			fields[j] = store.data + k;
			k += strlen(fields[j]) + 1;
		}
		assert_int_equal(csv_write_row(fp, fields, nf[i]), 0);
		buf_add(&line_of, &line, sizeof(line));
		for (k = off; k < store.len; k++)
			if (store.data[k] == '\n')
				line++;
		line++;
	}
	rewind(fp);
	csv_test_block_size(block);
	r = csv_open(fp, "rt.csv", enc, &err);
	assert_non_null(r);
	off = 0;
	for (i = 0; i < RT_ROWS; i++) {
		rc = csv_next(r, &row, &err);
		if (rc != 1)
			fail_msg("row %zu: %s", i, err.message);
		assert_int_equal(row.nfields, nf[i]);
		memcpy(&line, line_of.data + i * sizeof(line), sizeof(line));
		assert_int_equal(row.line, line);
		for (j = 0; j < nf[i]; j++) {
			if (strcmp(row.fields[j], store.data + off) != 0)
				fail_msg("row %zu field %zu", i, j);
			off += row.lens[j] + 1;
		}
	}
	assert_int_equal(csv_next(r, &row, &err), 0);
	csv_close(r);
	csv_test_block_size(0);
	fclose(fp);
	buf_free(&store);
	buf_free(&line_of);
}

static void
test_round_trip(void **state)
{
	(void)state;
	round_trip(A, 0);
	round_trip(U, 4093);
}

/* The round trip again through GB18030: convert the written file with
 * iconv and read it in both explicit and AUTO mode. */
static void
test_round_trip_gb(void **state)
{
	static const char *const rows[][3] = {
		{ "四川省", "成都市,锦江区", "残疾人\"服务\"" },
		{ "多行\n字段", "", "\xf0\xa0\x80\x80" },
	};
	char utf[512], gb[1024], *in = utf, *out = gb;
	size_t inleft, outleft = sizeof(gb), n;
	struct csv_reader *r;
	struct csv_row row;
	iconv_t cd;
	FILE *fp;
	int pass;

	(void)state;
	fp = tmpfile();
	csv_write_row(fp, rows[0], 3);
	csv_write_row(fp, rows[1], 3);
	rewind(fp);
	inleft = fread(utf, 1, sizeof(utf), fp);
	fclose(fp);
	cd = iconv_open("GB18030", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	assert_int_equal(iconv(cd, &in, &inleft, &out, &outleft), 0);
	iconv_close(cd);
	n = sizeof(gb) - outleft;
	for (pass = 0; pass < 2; pass++) {
		fp = file_with(gb, n);
		r = csv_open(fp, "gb.csv", pass ? A : G, NULL);
		assert_int_equal(csv_encoding(r), G);
		assert_int_equal(csv_next(r, &row, NULL), 1);
		assert_string_equal(row.fields[1], rows[0][1]);
		assert_string_equal(row.fields[2], rows[0][2]);
		assert_int_equal(csv_next(r, &row, NULL), 1);
		assert_int_equal(row.line, 2);
		assert_string_equal(row.fields[0], rows[1][0]);
		assert_string_equal(row.fields[2], rows[1][2]);
		assert_int_equal(csv_next(r, &row, NULL), 0);
		csv_close(r);
		fclose(fp);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_table),
		cmocka_unit_test(test_encoding_choice),
		cmocka_unit_test(test_auto_late_gb),
		cmocka_unit_test(test_block_edges),
		cmocka_unit_test(test_big_rows),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_write_table),
		cmocka_unit_test(test_format_row),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_write_short),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_gb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

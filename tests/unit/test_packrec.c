/*
 * test_packrec.c - store/packrec: the packed survey record.
 *
 * Every item type round trips at its boundaries; a record written under
 * an older catalog version reads under today's catalog; every damaged
 * record (each prefix, a trailing byte, another format, an unknown
 * version) gives a "corrupt" error and no crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include "store/packrec.h"

static const char v1_text[] =
    "section\tcode\tlabel_zh\tlabel_en\ttype\toptions\trequired\trule\t"
    "ask_if\texclusive\n"
    "envelope\tt\tT\tT\ttext\tlen=0..64\tn\t\t\t\n"
    "basic\ti\tI\tI\tint\trange=-9000000000..9000000000\tn\t\t\t\n"
    "basic\td\tD\tD\tdate\t\tn\t\t\t\n"
    "basic\te\tE\tE\tenum\t1=a|2=b|62=z\tn\t\t\t\n"
    "basic\tm\tM\tM\tmulti\t0=x|1=y|62=z\tn\t\t\t\n"
    "basic\tb\tB\tB\tbool\t\tn\t\t\t\n"
    "need\tmo\tMO\tMO\tmoney\trange=-100000..100000\tn\t\t\t\n"
    "need\tid\tID\tID\tid_number\t\tn\t\t\t\n"
    "need\tph\tPH\tPH\tphone\t\tn\t\t\t\n"
    "need\trg\tRG\tRG\tregion\t\tn\t\t\t\n"
    "need\tdc\tDC\tDC\tdecimal\trange=-90000..90000;scale=3\tn\t\t\t\n"
    "need\tcard\tCARD\tCARD\ttext\tlen=0..20;secret\tn\t\t\t\n";

/* v2: "b" left, "new" came before "i", "dc" changed type to int. */
static const char v2_text[] =
    "section\tcode\tlabel_zh\tlabel_en\ttype\toptions\trequired\trule\t"
    "ask_if\texclusive\n"
    "envelope\tt\tT\tT\ttext\tlen=0..64\tn\t\t\t\n"
    "basic\tnew\tN\tN\tint\trange=0..9\tn\t\t\t\n"
    "basic\ti\tI\tI\tint\trange=-9000000000..9000000000\tn\t\t\t\n"
    "basic\td\tD\tD\tdate\t\tn\t\t\t\n"
    "basic\te\tE\tE\tenum\t1=a|2=b|62=z\tn\t\t\t\n"
    "basic\tm\tM\tM\tmulti\t0=x|1=y|62=z\tn\t\t\t\n"
    "need\tmo\tMO\tMO\tmoney\trange=-100000..100000\tn\t\t\t\n"
    "need\tid\tID\tID\tid_number\t\tn\t\t\t\n"
    "need\tph\tPH\tPH\tphone\t\tn\t\t\t\n"
    "need\trg\tRG\tRG\tregion\t\tn\t\t\t\n"
    "need\tdc\tDC\tDC\tint\trange=0..9\tn\t\t\t\n"
    "need\tcard\tCARD\tCARD\ttext\tlen=0..20;secret\tn\t\t\t\n";

static struct catalog *
parse(const char *text)
{
	struct catalog *cat;
	struct lf_error err;

	if (catalog_parse(text, strlen(text), "t.tsv", &cat, &err) != 0)
		fail_msg("%s", err.message);
	return cat;
}

/* A set holding cat's own layout as version `version`, current. */
static struct packrec_set *
set_of(const struct catalog *cat, int version)
{
	struct packrec_set *ps = packrec_set_new(cat);
	struct lf_error err;
	struct buf b;

	assert_non_null(ps);
	buf_init(&b, 1 << 16);
	assert_int_equal(packrec_layout(cat, &b), 0);
	if (packrec_set_add(ps, version, buf_str(&b), 1, &err) != 0)
		fail_msg("%s", err.message);
	assert_int_equal(packrec_set_current(ps), version);
	buf_free(&b);
	return ps;
}

static int
fi(const struct catalog *cat, const char *code)
{
	const struct field *f = catalog_find(cat, code, strlen(code));

	assert_non_null(f);
	return f->index;
}

/* The v1 record at a set of boundary values; sealed values are made up
 * bytes (the codec does not look inside). */
static const unsigned char sealed_id[] = { 0, 1, 2, 0xff, 0x80, 0x7f };
static const unsigned char sealed_ph[] = { 0x42 };
static const unsigned char sealed_card[] = { 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
	9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
	9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
	9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
	9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
	9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
	9, 9, 9, 9, 9, 9, 9, 9 };	/* 134 bytes: a two-byte length */

static void
fill(const struct catalog *cat, struct record *r, int64_t big,
    struct packrec_sealed *sv)
{
	memset(sv, 0, cat->nfields * sizeof(*sv));
	record_clear(r);
	assert_int_equal(record_set_str(r, fi(cat, "t"), "张三 O'Brien\n\t"),
	    0);
	record_set_num(r, fi(cat, "i"), big);
	record_set_num(r, fi(cat, "d"), -719162);	/* 0001-01-01 */
	record_set_num(r, fi(cat, "e"), 62);
	record_set_num(r, fi(cat, "m"), (int64_t)1 << 62 | 3);
	record_set_num(r, fi(cat, "b"), 0);
	record_set_num(r, fi(cat, "mo"), -100000);
	assert_int_equal(record_set_str(r, fi(cat, "id"),
	    "51010419850615123X"), 0);
	assert_int_equal(record_set_str(r, fi(cat, "ph"), "028-1234"), 0);
	assert_int_equal(record_set_str(r, fi(cat, "rg"), "999999999999"), 0);
	r->num[fi(cat, "rg")] = 999999999999LL;
	record_set_num(r, fi(cat, "dc"), -90000);
	assert_int_equal(record_set_str(r, fi(cat, "card"),
	    "51010419850615123X11"), 0);
	sv[fi(cat, "id")].sealed = sealed_id;
	sv[fi(cat, "id")].slen = sizeof(sealed_id);
	sv[fi(cat, "ph")].sealed = sealed_ph;
	sv[fi(cat, "ph")].slen = sizeof(sealed_ph);
	sv[fi(cat, "card")].sealed = sealed_card;
	sv[fi(cat, "card")].slen = sizeof(sealed_card);
}

static void
encode(const struct packrec_set *ps, const struct record *r,
    const struct packrec_sealed *sv, struct buf *out)
{
	struct lf_error err;

	buf_reset(out);
	if (packrec_encode(ps, r, sv, out, &err) != 0)
		fail_msg("%s", err.message);
}

static void
check_sealed(const struct packrec_sealed *got, const void *want, size_t n,
    const char *masked)
{
	assert_int_equal(got->slen, n);
	assert_memory_equal(got->sealed, want, n);
	assert_int_equal(got->mlen, strlen(masked));
	assert_memory_equal(got->masked, masked, got->mlen);
}

static void
test_round_trip(void **state)
{
	static const int64_t bigs[] = { INT64_MIN, -1, 0, 1, 63, 64, 127, 128,
	    INT64_MAX };
	struct catalog *cat = parse(v1_text);
	struct packrec_set *ps = set_of(cat, 1);
	struct record *r = record_new(cat), *back = record_new(cat);
	struct packrec_sealed sv[12], got[12];
	struct lf_error err;
	struct buf out;
	size_t k, i;

	(void)state;
	buf_init(&out, 1 << 16);
	for (k = 0; k < sizeof(bigs) / sizeof(bigs[0]); k++) {
		fill(cat, r, bigs[k], sv);
		encode(ps, r, sv, &out);
		if (packrec_decode(ps, out.data, out.len, back, PACKREC_MASKED,
		    got, &err) != 0)
			fail_msg("%s", err.message);
		for (i = 0; i < cat->nfields; i++) {
			if (cat->fields[i].secret)
				continue;
			assert_true(record_field_equal(r, back, (int)i));
		}
		assert_int_equal(back->num[fi(cat, "i")], bigs[k]);
		check_sealed(&got[fi(cat, "id")], sealed_id,
		    sizeof(sealed_id), "510***********123X");
		check_sealed(&got[fi(cat, "ph")], sealed_ph,
		    sizeof(sealed_ph), "********");
		check_sealed(&got[fi(cat, "card")], sealed_card,
		    sizeof(sealed_card), "510*************3X11");
		assert_string_equal(back->str[fi(cat, "id")],
		    "510***********123X");
		/* without secrets: they stay unset */
		assert_int_equal(packrec_decode(ps, out.data, out.len, back,
		    PACKREC_SKIP, NULL, &err), 0);
		assert_false(back->set[fi(cat, "id")]);
		assert_true(back->set[fi(cat, "b")]);
	}
	/* an empty record, and an empty text */
	record_clear(r);
	assert_int_equal(record_set_str(r, fi(cat, "t"), ""), 0);
	encode(ps, r, sv, &out);
	assert_int_equal(packrec_decode(ps, out.data, out.len, back,
	    PACKREC_MASKED, NULL, &err), 0);
	for (i = 0; i < cat->nfields; i++)
		assert_int_equal(back->set[i], i == (size_t)fi(cat, "t"));
	assert_string_equal(back->str[fi(cat, "t")], "");
	buf_free(&out);
	record_free(r);
	record_free(back);
	packrec_set_free(ps);
	catalog_free(cat);
}

/* Only the wanted items are set, as a full decode sets them. */
static void
test_decode_some(void **state)
{
	struct catalog *cat = parse(v1_text);
	struct packrec_set *ps = set_of(cat, 1);
	struct record *r = record_new(cat), *full = record_new(cat),
	    *some = record_new(cat);
	struct packrec_sealed sv[12];
	unsigned char want[12];
	struct lf_error err;
	struct buf out;
	size_t i;

	(void)state;
	buf_init(&out, 1 << 16);
	fill(cat, r, 77, sv);
	encode(ps, r, sv, &out);
	assert_int_equal(packrec_decode(ps, out.data, out.len, full,
	    PACKREC_SKIP, NULL, &err), 0);
	memset(want, 0, sizeof(want));
	want[fi(cat, "i")] = want[fi(cat, "t")] = want[fi(cat, "id")] = 1;
	assert_int_equal(packrec_decode_some(ps, out.data, out.len, some, want,
	    &err), 0);
	for (i = 0; i < cat->nfields; i++) {
		if (want[i] && !cat->fields[i].secret)
			assert_true(record_field_equal(some, full, (int)i));
		else
			assert_false(some->set[i]);
	}
	assert_int_equal(some->num[fi(cat, "i")], 77);
	assert_int_not_equal(packrec_decode_some(ps, out.data, out.len - 1,
	    some, want, &err), 0);
	buf_free(&out);
	record_free(r);
	record_free(full);
	record_free(some);
	packrec_set_free(ps);
	catalog_free(cat);
}

static void
test_one_item(void **state)
{
	struct catalog *cat = parse(v1_text);
	struct packrec_set *ps = set_of(cat, 1);
	struct record *r = record_new(cat);
	struct packrec_sealed sv[12];
	struct packrec_value v;
	struct lf_error err;
	struct buf out;

	(void)state;
	buf_init(&out, 1 << 16);
	fill(cat, r, -5, sv);
	record_unset(r, fi(cat, "b"));
	encode(ps, r, sv, &out);
	assert_int_equal(packrec_item(ps, out.data, out.len, fi(cat, "i"), &v,
	    &err), 0);
	assert_int_equal(v.kind, 1);
	assert_int_equal(v.num, -5);
	assert_int_equal(packrec_item(ps, out.data, out.len, fi(cat, "d"), &v,
	    &err), 0);
	assert_int_equal(v.kind, 2);
	assert_int_equal(v.tlen, 10);
	assert_memory_equal(v.text, "0001-01-01", 10);
	assert_int_equal(packrec_item(ps, out.data, out.len, fi(cat, "rg"), &v,
	    &err), 0);
	assert_memory_equal(v.text, "999999999999", 12);
	assert_int_equal(packrec_item(ps, out.data, out.len, fi(cat, "t"), &v,
	    &err), 0);
	assert_int_equal(v.tlen, strlen("张三 O'Brien\n\t"));
	assert_int_equal(packrec_item(ps, out.data, out.len, fi(cat, "id"), &v,
	    &err), 0);
	assert_int_equal(v.kind, 0);		/* secrets: none */
	assert_int_equal(packrec_item(ps, out.data, out.len, fi(cat, "b"), &v,
	    &err), 0);
	assert_int_equal(v.kind, 0);		/* unset */
	buf_free(&out);
	record_free(r);
	packrec_set_free(ps);
	catalog_free(cat);
}

static void
test_older_version(void **state)
{
	struct catalog *c1 = parse(v1_text), *c2 = parse(v2_text);
	struct packrec_set *p1 = set_of(c1, 1), *p2 = packrec_set_new(c2);
	struct record *r = record_new(c1), *back = record_new(c2);
	struct packrec_sealed sv[12], got[12];
	struct lf_error err;
	struct buf l1, out;

	(void)state;
	buf_init(&l1, 1 << 16);
	buf_init(&out, 1 << 16);
	assert_int_equal(packrec_layout(c1, &l1), 0);
	assert_int_equal(packrec_set_add(p2, 1, buf_str(&l1), 0, &err), 0);
	buf_reset(&l1);
	assert_int_equal(packrec_layout(c2, &l1), 0);
	assert_int_equal(packrec_set_add(p2, 2, buf_str(&l1), 1, &err), 0);
	fill(c1, r, 123456789, sv);
	encode(p1, r, sv, &out);
	if (packrec_decode(p2, out.data, out.len, back, PACKREC_MASKED, got,
	    &err) != 0)
		fail_msg("%s", err.message);
	assert_string_equal(back->str[fi(c2, "t")], "张三 O'Brien\n\t");
	assert_int_equal(back->num[fi(c2, "i")], 123456789);
	assert_int_equal(back->num[fi(c2, "m")], (int64_t)1 << 62 | 3);
	assert_int_equal(back->num[fi(c2, "rg")], 999999999999LL);
	assert_false(back->set[fi(c2, "new")]);	/* added later */
	assert_false(back->set[fi(c2, "dc")]);	/* changed type */
	check_sealed(&got[fi(c2, "card")], sealed_card, sizeof(sealed_card),
	    "510*************3X11");
	/* new records go under version 2 and read back (got points into
	 * out: write elsewhere) */
	record_set_num(back, fi(c2, "new"), 7);
	encode(p2, back, got, &l1);
	buf_reset(&out);
	assert_int_equal(buf_add(&out, l1.data, l1.len), 0);
	assert_int_equal(out.data[1], 2);
	assert_int_equal(packrec_decode(p2, out.data, out.len, back,
	    PACKREC_SKIP, NULL, &err), 0);
	assert_int_equal(back->num[fi(c2, "new")], 7);
	/* a version this set does not know */
	assert_int_equal(packrec_decode(p1, out.data, out.len, r, PACKREC_SKIP,
	    NULL, &err), -1);
	assert_string_equal(err.code, "corrupt");
	assert_non_null(strstr(err.message, "catalog version"));
	buf_free(&l1);
	buf_free(&out);
	record_free(r);
	record_free(back);
	packrec_set_free(p1);
	packrec_set_free(p2);
	catalog_free(c1);
	catalog_free(c2);
}

static void
test_corrupt(void **state)
{
	struct catalog *cat = parse(v1_text);
	struct packrec_set *ps = set_of(cat, 1);
	struct record *r = record_new(cat);
	struct packrec_sealed sv[12];
	struct packrec_value v;
	struct lf_error err;
	struct buf out;
	size_t n;

	(void)state;
	buf_init(&out, 1 << 16);
	fill(cat, r, INT64_MIN, sv);
	encode(ps, r, sv, &out);
	/* every prefix is an error, never a read past the end */
	for (n = 0; n < out.len; n++) {
		char *copy = test_malloc(n ? n : 1);

		memcpy(copy, out.data, n);
		assert_int_equal(packrec_decode(ps, copy, n, r, PACKREC_MASKED,
		    NULL, &err), -1);
		assert_string_equal(err.code, "corrupt");
		assert_non_null(strstr(err.message, "packed survey record"));
		test_free(copy);
	}
	assert_int_equal(packrec_decode(ps, NULL, 0, r, PACKREC_SKIP, NULL,
	    &err), -1);
	/* a byte too many */
	assert_int_equal(buf_addc(&out, 0), 0);
	assert_int_equal(packrec_decode(ps, out.data, out.len, r,
	    PACKREC_SKIP, NULL, &err), -1);
	assert_non_null(strstr(err.message, "bytes left"));
	out.len--;
	/* another format */
	out.data[0] = 0x01;
	assert_int_equal(packrec_decode(ps, out.data, out.len, r,
	    PACKREC_SKIP, NULL, &err), -1);
	assert_non_null(strstr(err.message, "another format"));
	assert_int_equal(packrec_item(ps, out.data, out.len, 0, &v, &err), -1);
	out.data[0] = (char)PACKREC_FORMAT;
	/* a varint of eleven bytes */
	out.data[3 + 2] = (char)0xff;
	memset(out.data + 3 + 2, 0xff, 11);
	assert_int_equal(packrec_decode(ps, out.data, out.len, r,
	    PACKREC_SKIP, NULL, &err), -1);
	assert_string_equal(err.code, "corrupt");
	buf_free(&out);
	record_free(r);
	packrec_set_free(ps);
	catalog_free(cat);
}

static void
test_mask(void **state)
{
	char a[40], b[40];

	(void)state;
	packrec_mask("13800000001", a, sizeof(a));
	assert_string_equal(a, "138****0001");
	packrec_mask(a, b, sizeof(b));
	assert_string_equal(a, b);
	packrec_mask("1234567890", a, sizeof(a));
	assert_string_equal(a, "**********");
	packrec_mask("", a, sizeof(a));
	assert_string_equal(a, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_one_item),
		cmocka_unit_test(test_decode_some),
		cmocka_unit_test(test_older_version),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

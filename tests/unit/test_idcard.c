/*
 * test_idcard.c - core/idcard: resident ID and disability certificate
 * numbers, masking.
 *
 * All IDs are made up (address codes 51xxxx), except the standard's own
 * worked example 11010519491231002X. Check characters in the tables were
 * computed independently of idcard.c; two are worked by hand below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/date.h"
#include "core/idcard.h"

#define TODAY		"2025-06-30"
#define NROWS(a)	(sizeof(a) / sizeof((a)[0]))

static int
day(const char *iso)
{
	int	 d;

	if (date_parse(iso, &d) != 0)
		fail_msg("bad test date \"%s\"", iso);
	return d;
}

/* The failure is reported with a code and a message that never quotes the
 * input number. */
static void
assert_error(const struct idcard_error *err, const char *code,
    const char *in, size_t row)
{
	if (err->code == NULL || strcmp(err->code, code) != 0)
		fail_msg("row %zu: code %s, want %s", row,
		    err->code ? err->code : "(null)", code);
	if (err->message[0] == '\0' ||
	    strlen(err->message) >= sizeof(err->message) - 1)
		fail_msg("row %zu: message empty or truncated", row);
	if (in != NULL && strlen(in) >= IDCARD_LEGACY_LEN &&
	    strstr(err->message, in) != NULL)
		fail_msg("row %zu: message quotes the number", row);
}

/* ---- check character ---------------------------------------------- */

static const struct check_row {
	const char	*first17;
	char		 want;
} check_rows[] = {
	{ "11010519491231002", 'X' },	/* GB 11643 example, see below */
	{ "51010419900101123", '0' },	/* worked by hand, see below */
	{ "51010419900101128", '1' },
	{ "51010419900101122", '2' },
	{ "51010419900101127", '3' },
	{ "51010419900101121", '4' },
	{ "51010419900101126", '5' },
	{ "51010419900101120", '6' },
	{ "51010419900101125", '7' },
	{ "51012319880808100", '7' },
	{ "51012319880808105", '8' },
	{ "51010419900101124", '9' },
	{ "51012319880808104", 'X' },
	{ "51010419900101129", 'X' },
	{ "510104199001011230", '0' },	/* 18th char is ignored */
	{ "5101041990010112a", '\0' },	/* non-digit */
	{ "X1010419900101123", '\0' },
	{ "5101041990010112", '\0' },	/* 16: stops at NUL */
	{ "", '\0' },
	{ NULL, '\0' },
};

static void
test_check_char(void **state)
{
	size_t	 i;
	char	 c;

	(void)state;
	for (i = 0; i < NROWS(check_rows); i++) {
		c = idcard_check_char(check_rows[i].first17);
		if (c != check_rows[i].want)
			fail_msg("row %zu: '%c' (%d), want '%c'", i, c, c,
			    check_rows[i].want);
	}
}

/*
 * By hand, with w = 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
 *
 * 11010519491231002: 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167,
 * 167 mod 11 = 2, "10X98765432"[2] = 'X'.
 *
 * 51010419900101123: 35+9+0+5+0+16+2+9+54+0+0+9+0+5+8+8+6 = 166,
 * 166 mod 11 = 1, "10X98765432"[1] = '0'.
 *
 * 51012319880808104: 35+9+0+5+16+12+2+9+48+24+0+72+0+40+8+0+8 = 288,
 * 288 mod 11 = 2, 'X'.
 */
static void
test_check_char_by_hand(void **state)
{
	static const int	 w[17] = {
		7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
	};
	static const int	 gb[17] = {
		1, 1, 0, 1, 0, 5, 1, 9, 4, 9, 1, 2, 3, 1, 0, 0, 2
	};
	int			 i, s = 0;

	(void)state;
	for (i = 0; i < 17; i++)
		s += gb[i] * w[i];
	assert_int_equal(s, 167);
	assert_int_equal(s % 11, 2);
	assert_int_equal(idcard_check_char("11010519491231002"), 'X');
	assert_int_equal(idcard_check_char("51010419900101123"), '0');
	assert_int_equal(idcard_check_char("51012319880808104"), 'X');
}

/* ---- idcard_parse ------------------------------------------------- */

static const struct parse_row {
	const char	*in;
	const char	*today;		/* NULL: TODAY */
	const char	*code;		/* NULL: valid */
	const char	*id;		/* normalised result */
	const char	*birth;
	int		 gender;
	const char	*msg_part;	/* must appear in the message */
} parse_rows[] = {
	/* valid, 18 */
	{ "510104199001011230", NULL, NULL, "510104199001011230",
	  "1990-01-01", IDCARD_MALE, NULL },
	{ "11010519491231002X", NULL, NULL, "11010519491231002X",
	  "1949-12-31", IDCARD_FEMALE, NULL },
	{ "11010519491231002x", NULL, NULL, "11010519491231002X",
	  "1949-12-31", IDCARD_FEMALE, NULL },
	{ "51012319880808104X", NULL, NULL, "51012319880808104X",
	  "1988-08-08", IDCARD_FEMALE, NULL },
	{ "51012319880808104x", NULL, NULL, "51012319880808104X",
	  "1988-08-08", IDCARD_FEMALE, NULL },
	{ "510104199001011249", NULL, NULL, "510104199001011249",
	  "1990-01-01", IDCARD_FEMALE, NULL },
	{ "510123198808081058", NULL, NULL, "510123198808081058",
	  "1988-08-08", IDCARD_MALE, NULL },
	{ "519901200002290014", NULL, NULL, "519901200002290014",
	  "2000-02-29", IDCARD_MALE, NULL },	/* Feb 29, leap */
	{ "510104199001011230", "1990-01-01", NULL, "510104199001011230",
	  "1990-01-01", IDCARD_MALE, NULL },	/* born today */
	/* valid, 15 (converted) */
	{ "510104900101123", NULL, NULL, "510104199001011230",
	  "1990-01-01", IDCARD_MALE, NULL },
	{ "510123880808104", NULL, NULL, "51012319880808104X",
	  "1988-08-08", IDCARD_FEMALE, NULL },
	/* length */
	{ "", NULL, IDCARD_E_ID_LENGTH, NULL, NULL, 0, "got 0" },
	{ NULL, NULL, IDCARD_E_ID_LENGTH, NULL, NULL, 0, "got 0" },
	{ "51010419900101", NULL, IDCARD_E_ID_LENGTH, NULL, NULL, 0,
	  "got 14" },
	{ "5101041990010112", NULL, IDCARD_E_ID_LENGTH, NULL, NULL, 0,
	  "got 16" },
	{ "51010419900101123", NULL, IDCARD_E_ID_LENGTH, NULL, NULL, 0,
	  "got 17" },
	{ "5101041990010112301", NULL, IDCARD_E_ID_LENGTH, NULL, NULL, 0,
	  "got 19" },
	{ "51010419900101123042", NULL, IDCARD_E_ID_LENGTH, NULL, NULL, 0,
	  "got 20" },
	{ "5101041990010112305101041990010112305101", NULL,
	  IDCARD_E_ID_LENGTH, NULL, NULL, 0, "got 32 or more" },
	/* characters */
	{ "X10104199001011230", NULL, IDCARD_E_ID_CHARS, NULL, NULL, 0,
	  "character 1 must be a digit)" },
	{ "5101041990010112X0", NULL, IDCARD_E_ID_CHARS, NULL, NULL, 0,
	  "character 17 must be a digit)" },
	{ "51010419900101123Y", NULL, IDCARD_E_ID_CHARS, NULL, NULL, 0,
	  "character 18 must be a digit or X" },
	{ "51010419900101123 ", NULL, IDCARD_E_ID_CHARS, NULL, NULL, 0,
	  "character 18" },
	{ " 51010419900101123", NULL, IDCARD_E_ID_CHARS, NULL, NULL, 0,
	  "character 1 " },
	{ "510104-990010112300", NULL, IDCARD_E_ID_LENGTH, NULL, NULL, 0,
	  NULL },
	{ "510104-99001011230", NULL, IDCARD_E_ID_CHARS, NULL, NULL, 0,
	  "character 7 " },
	{ "51010490010112X", NULL, IDCARD_E_ID_CHARS, NULL, NULL, 0,
	  "character 15 must be a digit)" },	/* no X in 15-digit IDs */
	{ "51010490010112x", NULL, IDCARD_E_ID_CHARS, NULL, NULL, 0,
	  "character 15" },
	{ "\xef\xbc\x95\xef\xbc\x91" "0104199001011230", NULL,
	  IDCARD_E_ID_LENGTH, NULL, NULL, 0, "got 22" },
	{ "\xef\xbc\x95\xef\xbc\x91" "010419900101", NULL,
	  IDCARD_E_ID_CHARS, NULL, NULL, 0, "character 1 " },
	/* birth date */
	{ "519901202302290010", NULL, IDCARD_E_ID_BIRTH, NULL, NULL, 0,
	  NULL },				/* Feb 29, not leap */
	{ "519901190002290010", NULL, IDCARD_E_ID_BIRTH, NULL, NULL, 0,
	  NULL },				/* 1900 not leap */
	{ "510104199013011230", NULL, IDCARD_E_ID_BIRTH, NULL, NULL, 0,
	  NULL },
	{ "510104199000011230", NULL, IDCARD_E_ID_BIRTH, NULL, NULL, 0,
	  NULL },
	{ "510104199001001230", NULL, IDCARD_E_ID_BIRTH, NULL, NULL, 0,
	  NULL },
	{ "510104199004311230", NULL, IDCARD_E_ID_BIRTH, NULL, NULL, 0,
	  NULL },
	{ "510104179912311230", NULL, IDCARD_E_ID_BIRTH, NULL, NULL, 0,
	  NULL },				/* before 1800 */
	{ "510104000001011230", NULL, IDCARD_E_ID_BIRTH, NULL, NULL, 0,
	  NULL },
	{ "510104900230123", NULL, IDCARD_E_ID_BIRTH, NULL, NULL, 0,
	  NULL },				/* 15: 1990-02-30 */
	{ "519901970229001", NULL, IDCARD_E_ID_BIRTH, NULL, NULL, 0,
	  NULL },				/* 15: 1997-02-29 */
	/* future */
	{ "519901202607011230", NULL, IDCARD_E_ID_FUTURE, NULL, NULL, 0,
	  NULL },				/* after TODAY */
	{ "519901300001011230", NULL, IDCARD_E_ID_BIRTH, NULL, NULL, 0,
	  NULL },				/* year 3000: out of range */
	{ "510104199001011230", "1989-12-31", IDCARD_E_ID_FUTURE, NULL,
	  NULL, 0, NULL },
	{ "510104900101123", "1989-12-31", IDCARD_E_ID_FUTURE, NULL,
	  NULL, 0, NULL },
	/* check digit */
	{ "510104199001011231", NULL, IDCARD_E_ID_CHECK, NULL, NULL, 0,
	  "expected 0" },
	{ "51010419900101123X", NULL, IDCARD_E_ID_CHECK, NULL, NULL, 0,
	  "expected 0" },
	{ "510123198808081040", NULL, IDCARD_E_ID_CHECK, NULL, NULL, 0,
	  "expected X" },
	{ "110105194912310021", NULL, IDCARD_E_ID_CHECK, NULL, NULL, 0,
	  "expected X" },
	{ "510104199001011240", NULL, IDCARD_E_ID_CHECK, NULL, NULL, 0,
	  "expected 9" },
	{ "510104199001011320", NULL, IDCARD_E_ID_CHECK, NULL, NULL, 0,
	  "expected 9" },			/* transposed digits */
};

static void
check_parse_ok(const struct parse_row *r, const struct idcard_info *info,
    const struct idcard_error *err, size_t i)
{
	if (err->code != NULL || err->message[0] != '\0')
		fail_msg("row %zu: error left set on success", i);
	if (strcmp(info->id, r->id) != 0)
		fail_msg("row %zu: id %s, want %s", i, info->id, r->id);
	if (info->birth_days != day(r->birth))
		fail_msg("row %zu: birth wrong", i);
	if (info->gender != r->gender)
		fail_msg("row %zu: gender %d, want %d", i, info->gender,
		    r->gender);
	if (strlen(info->region6) != 6 ||
	    memcmp(info->region6, r->id, 6) != 0)
		fail_msg("row %zu: region %s", i, info->region6);
}

static void
test_parse(void **state)
{
	struct idcard_info	 info, before;
	struct idcard_error	 err;
	size_t			 i;
	int			 rc;

	(void)state;
	for (i = 0; i < NROWS(parse_rows); i++) {
		const struct parse_row	*r = &parse_rows[i];

		memset(&info, 0x5a, sizeof(info));
		before = info;
		err.code = "stale";
		memcpy(err.message, "stale", 6);
		rc = idcard_parse(r->in, day(r->today ? r->today : TODAY),
		    &info, &err);
		if (r->code == NULL) {
			if (rc != 0)
				fail_msg("row %zu: rejected: %s", i,
				    err.message);
			check_parse_ok(r, &info, &err, i);
			continue;
		}
		if (rc != -1)
			fail_msg("row %zu: accepted, want %s", i, r->code);
		assert_error(&err, r->code, r->in, i);
		if (r->msg_part != NULL &&
		    strstr(err.message, r->msg_part) == NULL)
			fail_msg("row %zu: message \"%s\" lacks \"%s\"", i,
			    err.message, r->msg_part);
		if (memcmp(&info, &before, sizeof(info)) != 0)
			fail_msg("row %zu: info changed on failure", i);
	}
}

static void
test_parse_err_null(void **state)
{
	struct idcard_info	 info;

	(void)state;
	assert_int_equal(idcard_parse("510104199001011231", day(TODAY),
	    &info, NULL), -1);
	assert_int_equal(idcard_parse("", day(TODAY), &info, NULL), -1);
	assert_int_equal(idcard_parse("510104199001011230", day(TODAY),
	    &info, NULL), 0);
	assert_string_equal(info.id, "510104199001011230");
}

/* Made IDs parse back; future is relative to the today passed in. */
static void
test_make_parse_today(void **state)
{
	struct idcard_info	 info;
	struct idcard_error	 err;
	char			 id[IDCARD_LEN + 1];
	int			 today = day(TODAY);

	(void)state;
	assert_int_equal(idcard_make("519901", today, 1, id), 0);
	assert_int_equal(idcard_parse(id, today, &info, &err), 0);
	assert_int_equal(idcard_parse(id, today - 1, &info, &err), -1);
	assert_string_equal(err.code, IDCARD_E_ID_FUTURE);
	assert_int_equal(idcard_make("519901", today + 1, 2, id), 0);
	assert_int_equal(idcard_parse(id, today, &info, &err), -1);
	assert_string_equal(err.code, IDCARD_E_ID_FUTURE);
	assert_int_equal(idcard_parse(id, today + 1, &info, &err), 0);
	assert_int_equal(info.gender, IDCARD_FEMALE);
}

/* ---- idcard_make -------------------------------------------------- */

static const struct make_row {
	const char	*region;
	const char	*birth;
	int		 seq;
	int		 rc;
	const char	*out;
} make_rows[] = {
	{ "510104", "1990-01-01", 123, 0, "510104199001011230" },
	{ "510123", "1988-08-08", 104, 0, "51012319880808104X" },
	{ "519901", "2000-02-29", 1, 0, "519901200002290014" },
	{ "510104", "1990-01-01", 0, 0, "510104199001010000" },
	{ "510104", "1990-01-01", 999, 0, "510104199001019996" },
	{ "510104", "1800-01-01", 1, 0, "510104180001010019" },
	{ "510104", "2999-12-31", 2, 0, "510104299912310029" },
	{ "510104", "1990-01-01", -1, -1, "" },
	{ "510104", "1990-01-01", 1000, -1, "" },
	{ "51010a", "1990-01-01", 1, -1, "" },
	{ "51", "1990-01-01", 1, -1, "" },	/* stops at the NUL */
	{ "", "1990-01-01", 1, -1, "" },
	{ NULL, "1990-01-01", 1, -1, "" },
};

static void
test_make(void **state)
{
	char	 out[IDCARD_LEN + 1];
	size_t	 i;
	int	 rc;

	(void)state;
	for (i = 0; i < NROWS(make_rows); i++) {
		const struct make_row	*r = &make_rows[i];

		memset(out, 'z', sizeof(out));
		rc = idcard_make(r->region, day(r->birth), r->seq, out);
		if (rc != r->rc || strcmp(out, r->out) != 0)
			fail_msg("row %zu: rc %d \"%s\", want %d \"%s\"", i,
			    rc, out, r->rc, r->out);
	}
}

static void
test_make_out_of_range(void **state)
{
	char	 out[IDCARD_LEN + 1];

	(void)state;
	assert_int_equal(idcard_make("510104", day("1800-01-01") - 1, 1,
	    out), -1);
	assert_string_equal(out, "");
	assert_int_equal(idcard_make("510104", day("2999-12-31") + 1, 1,
	    out), -1);
	assert_string_equal(out, "");
}

/* Property: every made ID parses to the same birth day and the sex its
 * sequence gives, over a spread of days and all sequences. */
static void
test_make_parse_sweep(void **state)
{
	struct idcard_info	 info;
	struct idcard_error	 err;
	char			 id[IDCARD_LEN + 1];
	int			 b, seq, today = day(TODAY);

	(void)state;
	for (b = day("1800-01-01"); b <= today; b += 997) {
		for (seq = 0; seq <= 999; seq += 37) {
			assert_int_equal(idcard_make("519902", b, seq, id), 0);
			if (idcard_parse(id, today, &info, &err) != 0)
				fail_msg("%s: %s", id, err.message);
			assert_int_equal(info.birth_days, b);
			assert_int_equal(info.gender,
			    seq % 2 ? IDCARD_MALE : IDCARD_FEMALE);
		}
	}
}

/* ---- certificate -------------------------------------------------- */

#define ID_A	"51012319880808104X"
#define ID_B	"510104199001011230"

static const struct cert_row {
	const char	*card;
	const char	*id18;
	int		 category;
	int		 grade;
	const char	*code;		/* NULL: valid */
	const char	*msg_part;
} cert_rows[] = {
	{ ID_A "42", ID_A, 4, 2, NULL, NULL },
	{ ID_B "11", ID_B, 1, 1, NULL, NULL },
	{ ID_B "74", ID_B, 7, 4, NULL, NULL },
	{ "51012319880808104x42", ID_A, 4, 2, NULL, NULL },
	{ ID_A "42", "51012319880808104x", 4, 2, NULL, NULL },
	/* length */
	{ "", ID_A, 4, 2, IDCARD_E_CARD_LENGTH, "got 0" },
	{ NULL, ID_A, 4, 2, IDCARD_E_CARD_LENGTH, "got 0" },
	{ ID_A, ID_A, 4, 2, IDCARD_E_CARD_LENGTH, "got 18" },
	{ ID_A "4", ID_A, 4, 2, IDCARD_E_CARD_LENGTH, "got 19" },
	{ ID_A "421", ID_A, 4, 2, IDCARD_E_CARD_LENGTH, "got 21" },
	{ ID_A "42" ID_A, ID_A, 4, 2, IDCARD_E_CARD_LENGTH, "or more" },
	/* characters */
	{ "5101231988080810X442", ID_A, 4, 2, IDCARD_E_CARD_CHARS,
	  "character 17 must be a digit)" },
	{ "51012319880808104Y42", ID_A, 4, 2, IDCARD_E_CARD_CHARS,
	  "character 18 must be a digit or X" },
	{ ID_A "X2", ID_A, 4, 2, IDCARD_E_CARD_CHARS, "character 19 " },
	{ ID_A "4x", ID_A, 4, 2, IDCARD_E_CARD_CHARS, "character 20 " },
	{ ID_A "4 ", ID_A, 4, 2, IDCARD_E_CARD_CHARS, "character 20 " },
	{ " " ID_A "4", ID_A, 4, 2, IDCARD_E_CARD_CHARS, "character 1 " },
	/* prefix */
	{ ID_B "42", ID_A, 4, 2, IDCARD_E_CARD_PREFIX, NULL },
	{ "51012319880809104X" "42", ID_A, 4, 2, IDCARD_E_CARD_PREFIX,
	  NULL },				/* birth date differs */
	{ "51012319880808105X" "42", ID_A, 4, 2, IDCARD_E_CARD_PREFIX,
	  NULL },				/* 17th char differs */
	{ "510123198808081041" "42", ID_A, 4, 2, IDCARD_E_CARD_PREFIX,
	  NULL },				/* last ID char differs */
	{ "51012319880808104X42", "51012319880808104", 4, 2,
	  IDCARD_E_CARD_PREFIX, NULL },		/* id18 too short */
	{ "51012319880808104X42", ID_A "4", 4, 2, IDCARD_E_CARD_PREFIX,
	  NULL },				/* id18 too long */
	{ ID_A "42", NULL, 4, 2, IDCARD_E_CARD_PREFIX, NULL },
	{ ID_A "42", "", 4, 2, IDCARD_E_CARD_PREFIX, NULL },
	/* category */
	{ ID_A "52", ID_A, 4, 2, IDCARD_E_CARD_CATEGORY,
	  "category digit in the certificate number is 5, expected 4" },
	{ ID_A "02", ID_A, 4, 2, IDCARD_E_CARD_CATEGORY, "is 0, expected 4" },
	{ ID_A "82", ID_A, 4, 2, IDCARD_E_CARD_CATEGORY, "is 8, expected 4" },
	{ ID_A "02", ID_A, 0, 2, IDCARD_E_CARD_CATEGORY,
	  "category must be 1-7, got 0" },
	{ ID_A "82", ID_A, 8, 2, IDCARD_E_CARD_CATEGORY,
	  "category must be 1-7, got 8" },
	{ ID_A "42", ID_A, -4, 2, IDCARD_E_CARD_CATEGORY, "got -4" },
	/* grade */
	{ ID_A "43", ID_A, 4, 2, IDCARD_E_CARD_GRADE,
	  "grade digit in the certificate number is 3, expected 2" },
	{ ID_A "40", ID_A, 4, 2, IDCARD_E_CARD_GRADE, "is 0, expected 2" },
	{ ID_A "45", ID_A, 4, 2, IDCARD_E_CARD_GRADE, "is 5, expected 2" },
	{ ID_A "45", ID_A, 4, 5, IDCARD_E_CARD_GRADE,
	  "grade must be 1-4, got 5" },
	{ ID_A "40", ID_A, 4, 0, IDCARD_E_CARD_GRADE,
	  "grade must be 1-4, got 0" },
	/* first failure wins */
	{ ID_B "99", ID_A, 9, 9, IDCARD_E_CARD_PREFIX, NULL },
	{ ID_A "99", ID_A, 9, 9, IDCARD_E_CARD_CATEGORY, NULL },
};

static void
test_certificate(void **state)
{
	struct idcard_error	 err;
	size_t			 i;
	int			 rc;

	(void)state;
	for (i = 0; i < NROWS(cert_rows); i++) {
		const struct cert_row	*r = &cert_rows[i];

		err.code = "stale";
		rc = idcard_check_certificate(r->card, r->id18, r->category,
		    r->grade, &err);
		if (r->code == NULL) {
			if (rc != 0 || err.code != NULL)
				fail_msg("row %zu: rejected: %s", i,
				    err.message);
			continue;
		}
		if (rc != -1)
			fail_msg("row %zu: accepted, want %s", i, r->code);
		assert_error(&err, r->code, r->card, i);
		if (r->id18 != NULL && strlen(r->id18) == IDCARD_LEN &&
		    strstr(err.message, r->id18) != NULL)
			fail_msg("row %zu: message quotes the ID", i);
		if (r->msg_part != NULL &&
		    strstr(err.message, r->msg_part) == NULL)
			fail_msg("row %zu: message \"%s\" lacks \"%s\"", i,
			    err.message, r->msg_part);
	}
	assert_int_equal(idcard_check_certificate(ID_A "43", ID_A, 4, 2,
	    NULL), -1);
}

static const struct make_cert_row {
	const char	*id18;
	int		 category;
	int		 grade;
	int		 rc;
	const char	*out;
} make_cert_rows[] = {
	{ ID_A, 4, 2, 0, ID_A "42" },
	{ "51012319880808104x", 4, 2, 0, ID_A "42" },
	{ ID_B, 1, 1, 0, ID_B "11" },
	{ ID_B, 7, 4, 0, ID_B "74" },
	{ ID_B, 0, 1, -1, "" },
	{ ID_B, 8, 1, -1, "" },
	{ ID_B, 1, 0, -1, "" },
	{ ID_B, 1, 5, -1, "" },
	{ "510104199001011231", 1, 1, -1, "" },	/* check digit wrong */
	{ "51010419900101123", 1, 1, -1, "" },	/* 17 */
	{ ID_B "1", 1, 1, -1, "" },		/* 19 */
	{ "5101041990010112a0", 1, 1, -1, "" },
	{ "", 1, 1, -1, "" },
	{ NULL, 1, 1, -1, "" },
};

static void
test_make_certificate(void **state)
{
	char	 out[IDCARD_CERT_LEN + 1];
	size_t	 i;
	int	 rc;

	(void)state;
	for (i = 0; i < NROWS(make_cert_rows); i++) {
		const struct make_cert_row	*r = &make_cert_rows[i];

		memset(out, 'z', sizeof(out));
		rc = idcard_make_certificate(r->id18, r->category, r->grade,
		    out);
		if (rc != r->rc || strcmp(out, r->out) != 0)
			fail_msg("row %zu: rc %d \"%s\", want %d \"%s\"", i,
			    rc, out, r->rc, r->out);
	}
}

/* Every category and grade: made numbers check, others do not. */
static void
test_certificate_all_codes(void **state)
{
	char	 card[IDCARD_CERT_LEN + 1];
	int	 c, g;

	(void)state;
	for (c = IDCARD_CATEGORY_MIN; c <= IDCARD_CATEGORY_MAX; c++) {
		for (g = IDCARD_GRADE_MIN; g <= IDCARD_GRADE_MAX; g++) {
			assert_int_equal(idcard_make_certificate(ID_A, c, g,
			    card), 0);
			assert_int_equal(idcard_check_certificate(card, ID_A,
			    c, g, NULL), 0);
			assert_int_equal(idcard_check_certificate(card, ID_A,
			    c % 7 + 1, g, NULL), -1);
			assert_int_equal(idcard_check_certificate(card, ID_A,
			    c, g % 4 + 1, NULL), -1);
		}
	}
}

/* ---- mask --------------------------------------------------------- */

static const struct mask_row {
	const char	*in;
	size_t		 outlen;
	const char	*out;
} mask_rows[] = {
	{ ID_B, 32, "510***********1230" },
	{ ID_A, 19, "510***********104X" },	/* exact fit */
	{ ID_A "42", 21, "510*************4X42" },
	{ ID_B "1", 32, "510************2301" },	/* 19 */
	{ ID_A, 18, "*****************" },		/* too small: 17 '*' */
	{ ID_A, 5, "****" },
	{ ID_A, 1, "" },
	{ "510104900101123", 32, "***************" },	/* 15: all */
	{ "51010419900101123", 32, "*****************" },	/* 17 */
	{ "1234", 32, "****" },
	{ "", 32, "" },
	{ NULL, 32, "" },
	{ "51-10419900101-230", 32, "51*************230" },
	{ "\xe4\xb8\xad" "104199001011230", 32, "**************1230" },
	{ "510104199001011\xe4\xb8\xad", 32, "510***********1***" },
};

static void
test_mask(void **state)
{
	char	 out[32];
	size_t	 i;

	(void)state;
	for (i = 0; i < NROWS(mask_rows); i++) {
		const struct mask_row	*r = &mask_rows[i];

		memset(out, 'z', sizeof(out));
		idcard_mask(r->in, out, r->outlen);
		if (strcmp(out, r->out) != 0)
			fail_msg("row %zu: \"%s\", want \"%s\"", i, out,
			    r->out);
	}
}

static void
test_mask_no_out(void **state)
{
	char	 out[4] = "abc";

	(void)state;
	idcard_mask(ID_A, out, 0);
	assert_string_equal(out, "abc");
	idcard_mask(ID_A, NULL, 19);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_char),
		cmocka_unit_test(test_check_char_by_hand),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_err_null),
		cmocka_unit_test(test_make_parse_today),
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_make_out_of_range),
		cmocka_unit_test(test_make_parse_sweep),
		cmocka_unit_test(test_certificate),
		cmocka_unit_test(test_make_certificate),
		cmocka_unit_test(test_certificate_all_codes),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_mask_no_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

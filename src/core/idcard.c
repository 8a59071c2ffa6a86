/*
 * idcard.c - resident ID (GB 11643-1999) and disability certificate rules.
 *
 * Everything works on fixed-size local copies; nothing is allocated. The
 * parse and check functions stop at the first failure, in the order the
 * header documents, and say in err which rule failed without quoting the
 * number itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "core/idcard.h"

static const int	 weights[IDCARD_LEN - 1] = {
	7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
};
static const char	 check_chars[] = "10X98765432";

static void	 set_err(struct idcard_error *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
set_err(struct idcard_error *err, const char *code, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return;
	err->code = code;
	va_start(ap, fmt);
	/* Messages are short constants plus a number; truncation would only
	 * shorten the text, never overrun it. */
	(void)vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

static void
clear_err(struct idcard_error *err)
{
	if (err == NULL)
		return;
	err->code = NULL;
	err->message[0] = '\0';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char
upper_x(char c)
{
	return c == 'x' ? 'X' : c;
}

static size_t
scan_len(const char *s)
{
	return s == NULL ? 0 : strnlen(s, IDCARD_SCAN_MAX);
}

/*
 * 1-based position of the first character of s[0..len) that breaks the
 * ID shape, or 0. Positions below digits_upto must be digits; the one at
 * x_at (0-based, or (size_t)-1 for none) may also be X or x.
 */
static size_t
bad_char(const char *s, size_t len, size_t x_at)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (is_digit(s[i]))
			continue;
		if (i == x_at && upper_x(s[i]) == 'X')
			continue;
		return i + 1;
	}
	return 0;
}

char
idcard_check_char(const char *first17)
{
	int	 i, sum = 0;

	if (first17 == NULL)
		return '\0';
	for (i = 0; i < IDCARD_LEN - 1; i++) {
		if (!is_digit(first17[i]))
			return '\0';
		sum += (first17[i] - '0') * weights[i];
	}
	return check_chars[sum % 11];
}

/* Expand a checked 15- or 18-character input into a normalised 18. */
static void
normalise(const char *in, size_t len, char id[IDCARD_LEN + 1])
{
	if (len == IDCARD_LEN) {
		memcpy(id, in, IDCARD_LEN);
		id[IDCARD_LEN - 1] = upper_x(id[IDCARD_LEN - 1]);
	} else {
		memcpy(id, in, 6);
		id[6] = '1';
		id[7] = '9';
		memcpy(id + 8, in + 6, IDCARD_LEGACY_LEN - 6);
		id[IDCARD_LEN - 1] = idcard_check_char(id);
	}
	id[IDCARD_LEN] = '\0';
}

static int
check_shape(const char *in, size_t len, struct idcard_error *err)
{
	size_t	 pos;

	if (len != IDCARD_LEN && len != IDCARD_LEGACY_LEN) {
		set_err(err, IDCARD_E_ID_LENGTH, "身份证号应为18位 "
		    "(ID number must have 18 characters, or 15 for an old "
		    "one; got %zu%s)", len,
		    len >= IDCARD_SCAN_MAX ? " or more" : "");
		return -1;
	}
	pos = bad_char(in, len,
	    len == IDCARD_LEN ? IDCARD_LEN - 1 : (size_t)-1);
	if (pos != 0) {
		set_err(err, IDCARD_E_ID_CHARS, "身份证号第%zu位字符无效 "
		    "(character %zu must be a digit%s)", pos, pos,
		    pos == IDCARD_LEN ? " or X" : "");
		return -1;
	}
	return 0;
}

int
idcard_parse(const char *in, int today_days, struct idcard_info *info,
    struct idcard_error *err)
{
	char	 id[IDCARD_LEN + 1], want;
	size_t	 len;
	int	 birth, rc = -1;

	clear_err(err);
	len = scan_len(in);
	if (check_shape(in, len, err) == -1)
		goto out;
	normalise(in, len, id);
	if (date_from_ymd(date_digits(id + 6, 4), date_digits(id + 10, 2),
	    date_digits(id + 12, 2), &birth) == -1) {
		set_err(err, IDCARD_E_ID_BIRTH, "身份证号中的出生日期无效 "
		    "(birth date in the ID number is not a real date)");
		goto out;
	}
	if (birth > today_days) {
		set_err(err, IDCARD_E_ID_FUTURE, "出生日期晚于今天 "
		    "(birth date in the ID number is in the future)");
		goto out;
	}
	want = idcard_check_char(id);
	if (id[IDCARD_LEN - 1] != want) {
		set_err(err, IDCARD_E_ID_CHECK, "校验码错误 "
		    "(check digit wrong, expected %c)", want);
		goto out;
	}
	memcpy(info->id, id, sizeof(info->id));
	info->birth_days = birth;
	info->gender = (id[16] - '0') % 2 ? IDCARD_MALE : IDCARD_FEMALE;
	memcpy(info->region6, id, 6);
	info->region6[6] = '\0';
	rc = 0;
out:
	return rc;
}

int
idcard_make(const char region6[6], int birth_days, int seq,
    char out[IDCARD_LEN + 1])
{
	int	 i, y, m, d;

	out[0] = '\0';
	if (region6 == NULL)
		return -1;
	for (i = 0; i < 6; i++)
		if (!is_digit(region6[i]))
			return -1;
	if (seq < 0 || seq > 999)
		return -1;
	date_to_ymd(birth_days, &y, &m, &d);
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX)
		return -1;
	memcpy(out, region6, 6);
	date_put_digits(out + 6, y, 4);
	date_put_digits(out + 10, m, 2);
	date_put_digits(out + 12, d, 2);
	date_put_digits(out + 14, seq, 3);
	out[IDCARD_LEN - 1] = idcard_check_char(out);
	out[IDCARD_LEN] = '\0';
	return 0;
}

/* First 18 of card equal id18 (18 chars), the last one ignoring x/X case. */
static int
same_id(const char *card, const char *id18)
{
	if (scan_len(id18) != IDCARD_LEN)
		return 0;
	if (memcmp(card, id18, IDCARD_LEN - 1) != 0)
		return 0;
	return upper_x(card[IDCARD_LEN - 1]) == upper_x(id18[IDCARD_LEN - 1]);
}

/* The two code digits after the ID part of a certificate number. */
static const struct card_digit {
	size_t		 idx;		/* 0-based position in card_no */
	int		 lo, hi;	/* valid range of the recorded value */
	const char	*code;
	const char	*zh, *en;	/* what it is, for messages */
} card_digits[] = {
	{ IDCARD_LEN, IDCARD_CATEGORY_MIN, IDCARD_CATEGORY_MAX,
	  IDCARD_E_CARD_CATEGORY, "残疾类别", "category" },
	{ IDCARD_LEN + 1, IDCARD_GRADE_MIN, IDCARD_GRADE_MAX,
	  IDCARD_E_CARD_GRADE, "残疾等级", "grade" },
};

/* Recorded value want is in range and card's digit equals it. */
static int
check_card_digit(const char *card, const struct card_digit *cd, int want,
    struct idcard_error *err)
{
	if (want < cd->lo || want > cd->hi) {
		set_err(err, cd->code, "%s无效 (%s must be %d-%d, got %d)",
		    cd->zh, cd->en, cd->lo, cd->hi, want);
		return -1;
	}
	if (card[cd->idx] - '0' != want) {
		set_err(err, cd->code, "残疾人证号第%zu位与%s不符 (%s digit "
		    "in the certificate number is %c, expected %d)",
		    cd->idx + 1, cd->zh, cd->en, card[cd->idx], want);
		return -1;
	}
	return 0;
}

int
idcard_check_certificate(const char *card_no, const char *id18,
    int category, int grade, struct idcard_error *err)
{
	size_t	 len, pos;
	int	 rc = -1;

	clear_err(err);
	len = scan_len(card_no);
	if (len != IDCARD_CERT_LEN) {
		set_err(err, IDCARD_E_CARD_LENGTH, "残疾人证号应为20位 "
		    "(certificate number must have 20 characters; got %zu%s)",
		    len, len >= IDCARD_SCAN_MAX ? " or more" : "");
		goto out;
	}
	pos = bad_char(card_no, len, IDCARD_LEN - 1);
	if (pos != 0) {
		set_err(err, IDCARD_E_CARD_CHARS, "残疾人证号第%zu位字符无效 "
		    "(character %zu must be a digit%s)", pos, pos,
		    pos == IDCARD_LEN ? " or X" : "");
		goto out;
	}
	if (!same_id(card_no, id18)) {
		set_err(err, IDCARD_E_CARD_PREFIX, "残疾人证号前18位与身份证号"
		    "不符 (certificate number does not start with the ID "
		    "number)");
		goto out;
	}
	if (check_card_digit(card_no, &card_digits[0], category, err) == -1)
		goto out;
	if (check_card_digit(card_no, &card_digits[1], grade, err) == -1)
		goto out;
	rc = 0;
out:
	return rc;
}

int
idcard_make_certificate(const char *id18, int category, int grade,
    char out[IDCARD_CERT_LEN + 1])
{
	char	 want;

	out[0] = '\0';
	if (scan_len(id18) != IDCARD_LEN)
		return -1;
	want = idcard_check_char(id18);
	if (want == '\0' || upper_x(id18[IDCARD_LEN - 1]) != want)
		return -1;
	if (category < IDCARD_CATEGORY_MIN || category > IDCARD_CATEGORY_MAX)
		return -1;
	if (grade < IDCARD_GRADE_MIN || grade > IDCARD_GRADE_MAX)
		return -1;
	memcpy(out, id18, IDCARD_LEN - 1);
	out[IDCARD_LEN - 1] = want;
	out[IDCARD_LEN] = (char)('0' + category);
	out[IDCARD_LEN + 1] = (char)('0' + grade);
	out[IDCARD_CERT_LEN] = '\0';
	return 0;
}

static int
is_alnum(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

void
idcard_mask(const char *id, char *out, size_t outlen)
{
	size_t	 i, len;
	int	 show;

	if (out == NULL || outlen == 0)
		return;
	len = id == NULL ? 0 : strnlen(id, outlen);
	if (len == outlen) {
		memset(out, '*', outlen - 1);
		out[outlen - 1] = '\0';
		return;
	}
	for (i = 0; i < len; i++) {
		show = len >= IDCARD_LEN && (i < 3 || i >= len - 4) &&
		    is_alnum(id[i]);
		out[i] = show ? id[i] : '*';
	}
	out[len] = '\0';
}

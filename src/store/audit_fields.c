/*
 * audit_fields.c - the audit entry's fields (audit_int.h): their table,
 * the checks audit_append() applies before anything is written, and
 * audit_clean() for untrusted text. No database here.
 */
#include "store/audit_int.h"

#include <string.h>

#include "lib/date.h"
#include "lib/utf8.h"
#include "store/store_int.h"	/* store_now_iso(), STORE_UID_LEN */

#define DIGIT_RUN_MAX	14	/* longer runs look like ID numbers */

const struct audit_col audit_cols[AUDIT_NFIELDS] = {
#define C(f, k, req, max) { #f, offsetof(struct audit_entry, f), \
	    offsetof(struct audit_row, f), k, req, max }
	C(at,		AK_TIME,	1, AUDIT_TIME_LEN),
	C(actor,	AK_TEXT,	1, AUDIT_FIELD_MAX),
	C(role,		AK_WORD,	0, AUDIT_FIELD_MAX),
	C(action,	AK_WORD,	1, AUDIT_FIELD_MAX),
	C(target_type,	AK_WORD,	1, AUDIT_FIELD_MAX),
	C(target,	AK_TEXT,	0, AUDIT_FIELD_MAX),
	C(result,	AK_RESULT,	1, AUDIT_FIELD_MAX),
	C(client,	AK_TEXT,	0, AUDIT_FIELD_MAX),
	C(request_id,	AK_TEXT,	0, AUDIT_FIELD_MAX),
	C(detail,	AK_TEXT,	0, AUDIT_DETAIL_MAX),
#undef C
};

static const char *const results[] = {
	"ok", "denied", "not_found", "conflict", "failed", "invalid"
};

/* ---- checking fields ---------------------------------------------- */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
digits_ok(const char *v, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		run = is_digit(v[i]) ? run + 1 : 0;
		if (run > DIGIT_RUN_MAX)
			return 0;
	}
	return 1;
}

int
audit_text_ok(const char *v, size_t len)
{
	size_t i;

	if (!utf8_valid(v, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return 0;
	return 1;
}

static int
word_ok(const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!(v[i] >= 'a' && v[i] <= 'z') && !is_digit(v[i]) &&
		    strchr("._-", v[i]) == NULL)
			return 0;
	return 1;
}

/* Two digits at v, at most max. */
static int
two_digits(const char *v, int max)
{
	if (!is_digit(v[0]) || !is_digit(v[1]))
		return 0;
	return (v[0] - '0') * 10 + (v[1] - '0') <= max;
}

/* "YYYY-MM-DDTHH:MM:SSZ", or with allow_date "YYYY-MM-DD" too. */
int
audit_time_ok(const char *v, size_t len, int allow_date)
{
	char date[DATE_STRLEN + 1];
	int days;

	if (len != AUDIT_TIME_LEN && !(allow_date && len == DATE_STRLEN))
		return 0;
	memcpy(date, v, DATE_STRLEN);
	date[DATE_STRLEN] = '\0';
	if (date_parse(date, &days) != 0)
		return 0;
	if (len == DATE_STRLEN)
		return 1;
	return v[10] == 'T' && two_digits(v + 11, 23) && v[13] == ':' &&
	    two_digits(v + 14, 59) && v[16] == ':' && two_digits(v + 17, 60) &&
	    v[19] == 'Z';
}

static int
result_ok(const char *v)
{
	size_t i;

	for (i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (strcmp(v, results[i]) == 0)
			return 1;
	return 0;
}

static int
uid_ok(const char *v, size_t len)
{
	size_t i;

	if (len != STORE_UID_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_digit(v[i]) && !(v[i] >= 'a' && v[i] <= 'f'))
			return 0;
	return 1;
}

static int
refuse(struct lf_error *err, const char *field, const char *zh,
    const char *en)
{
	return lf_error_set(err, "invalid", field, "审计字段 %s %s (audit "
	    "field %s %s)", field, zh, field, en);
}

static int
check_field(const struct audit_col *c, const char *v, size_t len,
    struct lf_error *err)
{
	if (len == 0)
		return c->required ? refuse(err, c->name, "不能为空",
		    "is required") : 0;
	if (len > c->max)
		return lf_error_set(err, "invalid", c->name, "审计字段 %s 过长 "
		    "(audit field %s is too long: %zu bytes, at most %zu)",
		    c->name, c->name, len, c->max);
	if (!audit_text_ok(v, len))
		return refuse(err, c->name, "含无效字符", "holds invalid "
		    "UTF-8 or control characters");
	if (!digits_ok(v, len))
		return refuse(err, c->name, "含疑似证件号的长数字", "holds a "
		    "long run of digits, like an ID number; log opaque ids "
		    "only");
	switch (c->kind) {
	case AK_TIME:
		if (!audit_time_ok(v, len, 0))
			return refuse(err, c->name, "时间格式错误", "must be "
			    "YYYY-MM-DDTHH:MM:SSZ (UTC)");
		break;
	case AK_WORD:
		if (!word_ok(v, len))
			return refuse(err, c->name, "只能含小写字母、数字和 "
			    "._-", "may hold only a-z, 0-9, '.', '_', '-'");
		break;
	case AK_RESULT:
		if (!result_ok(v))
			return refuse(err, c->name, "未知", "is not one of ok, "
			    "denied, not_found, conflict, failed, invalid");
		break;
	case AK_TEXT:
		break;
	}
	return 0;
}

int
audit_collect(const struct audit_entry *e, char now[AUDIT_TIME_LEN + 1],
    const char *v[AUDIT_NFIELDS], size_t len[AUDIT_NFIELDS], struct lf_error *err)
{
	size_t i;

	for (i = 0; i < AUDIT_NFIELDS; i++) {
		v[i] = *(const char *const *)(const void *)
		    ((const char *)e + audit_cols[i].eoff);
		if (v[i] == NULL)
			v[i] = "";
		if (i == AF_AT && v[i][0] == '\0') {
			store_now_iso(now);
			v[i] = now;
		}
		len[i] = strlen(v[i]);
		if (i == AF_TARGET && strcmp(v[AF_TTYPE], "person") == 0) {
			if (len[i] != 0 && !uid_ok(v[i], len[i]))
				return refuse(err, audit_cols[i].name, "须为人员的不"
				    "透明编号", "of a person must be its opaque "
				    "id (32 lowercase hex digits)");
			continue;
		}
		if (check_field(&audit_cols[i], v[i], len[i], err) != 0)
			return -1;
	}
	return 0;
}


/* ---- cleaning untrusted text ------------------------------------------ */

struct sink {
	char	*p;
	size_t	 n;
	size_t	 room;		/* bytes that may still be written */
};

static int
sink_put(struct sink *k, const char *s, size_t n)
{
	if (n > k->room)
		return -1;
	memcpy(k->p + k->n, s, n);
	k->n += n;
	k->room -= n;
	return 0;
}

/* Bytes of the valid, printable UTF-8 character at s; 0 if there is
 * none. */
static size_t
char_len(const char *s, size_t rest)
{
	unsigned char c = (unsigned char)s[0];
	size_t n;

	if (c < 0x20 || c == 0x7f)
		return 0;
	n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
	if (n == 0 || n > rest || !utf8_valid(s, n))
		return 0;
	return n;
}

/* Copies the run of digits at s, masked when it is long; its length or
 * 0 when it did not fit. */
static size_t
clean_digits(struct sink *k, const char *s, int *changed)
{
	size_t i, run = 0;

	while (is_digit(s[run]))
		run++;
	for (i = 0; i < run; i++)
		if (sink_put(k, run > DIGIT_RUN_MAX ? "*" : s + i, 1) != 0)
			return 0;
	*changed |= run > DIGIT_RUN_MAX;
	return run;
}

/* Copies one character or digit run at s; the bytes of input used, or 0
 * when out is full. */
static size_t
clean_one(struct sink *k, const char *s, size_t rest, int *changed)
{
	size_t n;

	if (is_digit(s[0]))
		return clean_digits(k, s, changed);
	n = char_len(s, rest);
	if (n == 0) {
		*changed = 1;
		return sink_put(k, "?", 1) == 0 ? 1 : 0;
	}
	return sink_put(k, s, n) == 0 ? n : 0;
}

int
audit_clean(const char *in, char *out, size_t outlen)
{
	struct sink k = { out, 0, outlen ? outlen - 1 : 0 };
	size_t i = 0, len, n;
	int changed = 0;

	if (outlen == 0)
		return in != NULL && *in != '\0';
	len = in ? strlen(in) : 0;
	while (i < len) {
		n = clean_one(&k, in + i, len - i, &changed);
		if (n == 0)
			break;
		i += n;
	}
	out[k.n] = '\0';
	return changed || i < len;
}


/*
 * idcard.h - resident ID numbers and disability certificate numbers.
 *
 * Resident ID (GB 11643-1999), 18 characters:
 *
 *	RRRRRR YYYYMMDD SSS C
 *
 * R is the address code (GB/T 2260), YYYYMMDD the birth date, SSS the
 * sequence (odd = male, even = female) and C the check character:
 * S = sum(a[i] * w[i]) over the first 17 digits with
 * w = 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, C = "10X98765432"[S mod 11].
 * A lower-case x is accepted on input and stored as X. Legacy 15-digit IDs
 * (RRRRRR YYMMDD SSS) are converted by inserting "19" before the year and
 * appending the check character; only 18-character IDs leave this module.
 * The address code is not looked up: codes of abolished counties stay
 * valid in old IDs, and warning about unknown ones is the caller's job.
 *
 * Disability certificate number (残疾人证号), 20 characters: the holder's
 * 18-character ID, then the category digit (1..7: 视力, 听力, 言语, 肢体,
 * 智力, 精神, 多重), then the grade digit (1..4, 一级 most severe).
 *
 * ID numbers are personal data: error messages produced here never contain
 * one, and idcard_mask() gives the form shown in lists and logs.
 *
 * This module does no I/O, never reads the clock ("today" is passed in as
 * days since 1970-01-01, see core/date.h) and allocates nothing. All
 * functions are thread-safe. Input strings are read up to their NUL but
 * never beyond IDCARD_SCAN_MAX bytes (idcard_mask(): outlen bytes), so an
 * overlong or unterminated string is refused without a long scan.
 */
#ifndef LF_CORE_IDCARD_H
#define LF_CORE_IDCARD_H

#include <stddef.h>

#define IDCARD_LEN		18
#define IDCARD_LEGACY_LEN	15
#define IDCARD_CERT_LEN		20
#define IDCARD_SCAN_MAX		32

#define IDCARD_MALE		1
#define IDCARD_FEMALE		2

#define IDCARD_CATEGORY_MIN	1
#define IDCARD_CATEGORY_MAX	7
#define IDCARD_GRADE_MIN	1
#define IDCARD_GRADE_MAX	4

/*
 * Error codes: stable ASCII, one per kind of failure, safe to send to API
 * clients and to compare with strcmp().
 */
#define IDCARD_E_ID_LENGTH	"id_length"	/* not 15 or 18 characters */
#define IDCARD_E_ID_CHARS	"id_chars"	/* a non-digit (X only last) */
#define IDCARD_E_ID_BIRTH	"id_birth_date"	/* not a real date in range */
#define IDCARD_E_ID_FUTURE	"id_future"	/* born after today */
#define IDCARD_E_ID_CHECK	"id_check_digit" /* check character wrong */
#define IDCARD_E_CARD_LENGTH	"card_length"	/* not 20 characters */
#define IDCARD_E_CARD_CHARS	"card_chars"	/* not 17 digits, digit/X, 2 digits */
#define IDCARD_E_CARD_PREFIX	"card_prefix"	/* first 18 differ from the ID */
#define IDCARD_E_CARD_CATEGORY	"card_category"	/* 19th char wrong or out of range */
#define IDCARD_E_CARD_GRADE	"card_grade"	/* 20th char wrong or out of range */

/*
 * Why a check failed. code is one of the IDCARD_E_* strings (static
 * storage, never freed) or NULL after success; message is a short
 * NUL-terminated UTF-8 text for people, Chinese first and English in
 * parentheses, e.g. "校验码错误 (check digit wrong, expected X)".
 */
struct idcard_error {
	const char	*code;
	char		 message[160];
};

/* What a valid ID says. */
struct idcard_info {
	char	 id[IDCARD_LEN + 1];	/* normalised 18-char ID, upper X */
	int	 birth_days;		/* days since 1970-01-01 */
	int	 gender;		/* IDCARD_MALE or IDCARD_FEMALE */
	char	 region6[7];		/* address code, NUL-terminated */
};

/*
 * Validate an 18- or 15-character ID number. No trimming is done: leading
 * or trailing spaces make it fail. Checks, in this order: length, characters,
 * birth date (a real date, years 1800..2999), birth not after today_days,
 * check character (18-char input only; 15-char input gets one computed).
 * Returns 0 and fills *info, or returns -1, leaves *info untouched and, if
 * err is not NULL, describes the first failure in *err. in == NULL fails
 * as id_length. info must not be NULL; err may be NULL.
 */
int	 idcard_parse(const char *in, int today_days, struct idcard_info *info,
	    struct idcard_error *err);

/*
 * Check character for the first 17 characters of first17 ('0'..'9' or
 * 'X'). Returns '\0' if first17 is NULL or any of those 17 is not a digit
 * (reading stops at the first non-digit).
 */
char	 idcard_check_char(const char *first17);

/*
 * Build a valid 18-character ID into out (19 bytes, NUL-terminated) from
 * six address-code digits (region6 need not be NUL-terminated; reading
 * stops at the first non-digit), a birth day whose year is in 1800..2999,
 * and a sequence 0..999 (odd for a man, even for a woman). Meant for
 * synthetic data and tests. Returns 0, or -1 with out set to "" on bad
 * input; region6 NULL is bad input. out must not be NULL.
 */
int	 idcard_make(const char region6[6], int birth_days, int seq,
	    char out[IDCARD_LEN + 1]);

/*
 * Check a certificate number against its holder's ID and the recorded
 * category and grade. card_no must be 20 characters: 17 digits, a digit or
 * X/x (normalised to X before comparing), then two digits; its first 18
 * must equal id18 (whose last character is compared case-insensitively),
 * the 19th must be the digit of category and the 20th of grade, with
 * category in 1..7 and grade in 1..4. Checks in that order. Returns 0, or
 * -1 with *err (if not NULL) describing the first failure. card_no NULL
 * fails as card_length; id18 NULL or not 18 characters fails as
 * card_prefix. The ID's own check character is not verified here (use
 * idcard_parse() on id18 first).
 */
int	 idcard_check_certificate(const char *card_no, const char *id18,
	    int category, int grade, struct idcard_error *err);

/*
 * Build a certificate number into out (21 bytes, NUL-terminated): id18
 * (must be a valid 18-character ID, check character included; a
 * lower-case x is normalised) followed by the category (1..7) and grade
 * (1..4) digits. Returns 0, or -1 with out set to "" on bad input;
 * id18 NULL is bad input. out must not be NULL.
 */
int	 idcard_make_certificate(const char *id18, int category, int grade,
	    char out[IDCARD_CERT_LEN + 1]);

/*
 * Masked form for display, same length as id: "510***********1234" for an
 * 18-character ID, first 3 and last 4 shown, '*' in between. Strings of
 * 18 characters or more are masked that way (a shown character that is
 * not an ASCII letter or digit is masked too, so out is always ASCII);
 * shorter strings are masked entirely. If id does not fit in out with its
 * NUL (strlen(id) >= outlen), out is filled with outlen - 1 '*' so that
 * nothing leaks. id == NULL gives "". Nothing is written when out is NULL
 * or outlen is 0.
 */
void	 idcard_mask(const char *id, char *out, size_t outlen);

#endif

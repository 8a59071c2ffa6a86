/*
 * record.h - one survey's values, indexed by catalog field.
 *
 * Every field has a "set" flag; a field that is not set has no value (not
 * asked, or left empty). Numeric forms, by type:
 *   enum, bool (0/1), int, money (fen) -> num
 *   multi   -> num is a bit mask, bit c set for option code c
 *   date    -> num is days since 1970-01-01
 *   decimal -> num in units of 10^-scale
 *   region  -> num is the 12-digit code
 * text, id_number and phone values live in str (UTF-8, owned by the record);
 * id_number and region also keep str for printing.
 *
 * A record belongs to one catalog, which must outlive it. Not thread-safe;
 * one thread per record.
 */
#ifndef LF_CORE_RECORD_H
#define LF_CORE_RECORD_H

#include <stdint.h>

#include "lib/buf.h"
#include "core/catalog.h"
#include "lib/error.h"

struct record {
	const struct catalog	*cat;
	int64_t			*num;
	char			**str;
	unsigned char		*set;
};

/* NULL when memory runs out. Free with record_free(). */
struct record	*record_new(const struct catalog *cat);
void		 record_free(struct record *r);
/* Unsets every field. */
void		 record_clear(struct record *r);
void		 record_unset(struct record *r, int field);
void		 record_set_num(struct record *r, int field, int64_t v);
/* Copies s. For text-valued types only. -1 when memory runs out. */
int		 record_set_str(struct record *r, int field, const char *s);
/* Copies every value of src (same catalog). -1 when memory runs out. */
int		 record_copy(struct record *dst, const struct record *src);
/* 1 when field i holds the same value in both (or is unset in both). */
int		 record_field_equal(const struct record *a,
		    const struct record *b, int field);

/*
 * Parses the text form of a value into field `f` (an empty string unsets
 * it). Accepted forms: enum an option's code ("01" or "1") or its label;
 * multi codes or labels separated by ';' (also '|', ',' or '、'); bool
 * 是/否, y/n, yes/no, true/false, 1/0; date YYYY-MM-DD; money yuan with up
 * to two decimals ("12.50" = 1250 fen); decimal up to `scale` places;
 * id_number 18 characters (x upper-cased; 15-digit IDs converted); region
 * a 12-digit code. Only the form is checked here (option exists, number in
 * range, text length, phone syntax...); rules that involve other fields are
 * record_validate()'s. On error returns -1, err->field = the field's code.
 */
int	record_parse_value(struct record *r, const struct field *f,
	    const char *text, struct lf_error *err);
/* Appends the canonical text form (what record_parse_value reads back) of
 * field f to b; nothing for an unset field. -1 on buffer cap/memory. */
int	record_format_value(const struct record *r, const struct field *f,
	    struct buf *b);

#endif

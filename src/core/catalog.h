/*
 * catalog.h - the field catalog: the one list of survey items.
 *
 * data/catalog.tsv declares every item of the yearly survey: the envelope
 * (how and when the visit was made), the 58 basic items and the 72 need
 * items. Validation, skip rules, the SQL schema, CSV headers, JSON names and
 * the rule language's field names all come from here; no other file lists
 * the fields.
 *
 * Columns (tab-separated, header row required, in any order):
 *   section   envelope | basic | need
 *   code      ASCII identifier, unique; JSON name and SQL column
 *   label_zh  Chinese label; CSV header
 *   label_en  English label
 *   type      text int date enum multi bool money id_number phone region
 *             decimal
 *   options   enum/multi: "CODE=label|CODE=label..." (codes 0..62 for
 *             multi, written as in the source, e.g. "01"); text: "len=A..B"
 *             and "secret" (stored sealed, like ID and phone numbers);
 *             int/money: "range=A..B"; decimal: "range=A..B;scale=N"
 *   required  y | n: required when asked
 *   rule      prose (source tags, cross-field checks done in C)
 *   ask_if    rule-language expression; the item is asked only when it
 *             holds; empty = always asked
 *   exclusive enum and multi: the option code that stands for "none"
 *             (a multi item may not hold it with other codes)
 *   group     optional column (a file without it loads as before): an
 *             ASCII identifier naming the form group the item is shown
 *             in (the basic step's folds); its titles are in the web
 *             app's i18n.js under "form.group.CODE"; empty = no group;
 *             when it is the last column a row may leave its cell out
 *
 * The catalog is immutable once parsed and may be shared between threads.
 */
#ifndef LF_CORE_CATALOG_H
#define LF_CORE_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

enum field_type {
	FT_TEXT, FT_INT, FT_DATE, FT_ENUM, FT_MULTI, FT_BOOL, FT_MONEY,
	FT_ID_NUMBER, FT_PHONE, FT_REGION, FT_DECIMAL
};

enum field_section { SEC_ENVELOPE, SEC_BASIC, SEC_NEED };

struct field_option {
	int		 code;
	const char	*code_text;	/* as written in the catalog ("01") */
	const char	*label;
};

struct expr;

struct field {
	int			 index;		/* position in the catalog */
	enum field_section	 section;
	const char		*code;
	const char		*label_zh;
	const char		*label_en;
	enum field_type		 type;
	struct field_option	*options;
	size_t			 noptions;
	int			 required;
	const char		*rule;
	const char		*ask_if_text;	/* "" when always asked */
	struct expr		*ask_if;	/* NULL when always asked */
	int			 exclusive;	/* multi, enum: "none" code,
						   else -1 */
	const char		*group;		/* form group code, "" when
						   none */
	int64_t			 min, max;	/* text: chars; int/money/decimal:
						   value (decimal in units of
						   10^-scale) */
	int			 scale;		/* decimal places */
	int			 secret;	/* stored sealed: id_number,
						   phone, text marked secret */
};

struct catalog {
	struct field	*fields;
	size_t		 nfields;
	size_t		 nbasic, nneed, nenvelope;
	/* private */
	char		*text;
	int		*hash;
	size_t		 hashsize;
};

/*
 * Parses a catalog from `len` bytes of TSV text (copied; the caller keeps
 * `text`). `filename` is used in messages. On error returns -1 with err
 * naming file:line and the column at fault; *out is untouched.
 * On success the caller owns *out and frees it with catalog_free().
 */
int	catalog_parse(const char *text, size_t len, const char *filename,
	    struct catalog **out, struct lf_error *err);
void	catalog_free(struct catalog *cat);

/* The field named `code` (len bytes, need not be terminated) or NULL. */
const struct field *catalog_find(const struct catalog *cat, const char *code,
	    size_t len);
/* The field whose Chinese label is `label`, or NULL. */
const struct field *catalog_find_label(const struct catalog *cat,
	    const char *label);
/* The option with `code`, or NULL. */
const struct field_option *field_option(const struct field *f, int code);
/* The option whose code text or label equals `s`, or NULL. */
const struct field_option *field_option_parse(const struct field *f,
	    const char *s);
const char *field_type_name(enum field_type t);
int	field_is_coded(const struct field *f);	/* enum, multi or bool */

#endif

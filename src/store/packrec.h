/*
 * packrec.h - a yearly survey as one packed record, derived from the
 * field catalog.
 *
 * A survey used to be one SQLite row of 154 columns, one per catalog item;
 * decoding those columns, not reading pages, was what made the person page
 * and the load slow (issue 17). Now the survey row keeps as real columns
 * only what an index needs (person, year, certificate hash) and holds the
 * items in one value laid out by the catalog:
 *
 *   byte      0xA7, the record format (1)
 *   varint    catalog version the record was written under
 *   varint    number of slots n (the items of that catalog version)
 *   n/8 bytes presence bits: bit i of byte i/8 set when slot i has a value
 *   numbers   for each present coded or numeric slot, in slot order, a
 *             varint: enum, bool, region and multi (bit set) unsigned;
 *             int, money, decimal and date (days since 1970) zigzag
 *   trailer   for each present text slot: varint length, UTF-8 bytes;
 *             for each present secret slot: varint length, the sealed
 *             value (crypto_seal, bound as before to person, year and
 *             item), varint length, the masked form lists show
 *
 * Varints are LEB128 (7 bits a byte, low first, at most 10 bytes). The
 * catalog versions a database has seen are kept beside it (each a text
 * layout: one "code<TAB>type" line per slot, type followed by "*" when
 * secret); a record written under an older version is read by mapping its
 * slots to today's items by code. A slot whose item left the catalog, or
 * changed type, is skipped; items added later are unset.
 *
 * Ownership: a packrec_set belongs to its creator and refers to the
 * catalog, which must outlive it; once filled it is read-only and may be
 * shared between threads. Errors: 0, or -1 with err (code "corrupt" for a
 * record that cannot be decoded, naming what is wrong; "no_memory").
 */
#ifndef LF_STORE_PACKREC_H
#define LF_STORE_PACKREC_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "core/catalog.h"
#include "lib/error.h"
#include "core/record.h"

#define PACKREC_FORMAT	0xA7

struct packrec_set;

/* A sealed value and its masked form inside a record (pointers into it;
 * len 0 when the item has no value). */
struct packrec_sealed {
	const unsigned char	*sealed;
	size_t			 slen;
	const char		*masked;
	size_t			 mlen;
};

/* What decoding does with secret items. */
enum packrec_secrets {
	PACKREC_SKIP,		/* leave them unset */
	PACKREC_MASKED		/* set them to their masked form */
};

/* NULL when memory runs out. */
struct packrec_set *packrec_set_new(const struct catalog *cat);
void	packrec_set_free(struct packrec_set *ps);
/* Appends cat's layout text (see above) to b. 0 or -1 (memory). */
int	packrec_layout(const struct catalog *cat, struct buf *b);
/* Adds catalog version `version` with its layout text; `current` marks
 * the version new records are written under (its layout must be the
 * set's catalog's own). */
int	packrec_set_add(struct packrec_set *ps, int version,
	    const char *layout, int current, struct lf_error *err);
/* The catalog the set decodes into. */
const struct catalog *packrec_catalog(const struct packrec_set *ps);
/* The version new records are written under; 0 when none is current. */
int	packrec_set_current(const struct packrec_set *ps);

/* Appends the record of r under the current version to out. sealed is
 * indexed by field: the sealed value of each set secret item (the masked
 * form is made here from r's plain value). -1 when out is full or no
 * version is current. */
int	packrec_encode(const struct packrec_set *ps, const struct record *r,
	    const struct packrec_sealed *sealed, struct buf *out,
	    struct lf_error *err);
/* Decodes a record into r (cleared first). sealed, when not NULL, is
 * indexed by field and receives every secret item's sealed value and
 * masked form (pointers into data). */
int	packrec_decode(const struct packrec_set *ps, const void *data,
	    size_t len, struct record *r, enum packrec_secrets mode,
	    struct packrec_sealed *sealed, struct lf_error *err);

/* As packrec_decode() with PACKREC_SKIP and no sealed values, setting
 * only the items i with want[i] (indexed by field; the rest of r is left
 * as it was: start from a fresh record). For a reader that needs a few
 * items of every record (reconciliation). */
int	packrec_decode_some(const struct packrec_set *ps, const void *data,
	    size_t len, struct record *r, const unsigned char *want,
	    struct lf_error *err);

/* One item's value, as the 154-column row had it: kind 0 none (not set,
 * or secret), 1 integer (num), 2 text (text, tlen bytes; a date as
 * YYYY-MM-DD in buf, a region as its 12 digits). */
struct packrec_value {
	int		 kind;
	int64_t		 num;
	const char	*text;
	size_t		 tlen;
	char		 buf[24];
};
int	packrec_item(const struct packrec_set *ps, const void *data,
	    size_t len, int field, struct packrec_value *v,
	    struct lf_error *err);

/* The masked form of a secret (first 3 and last 4 characters of a value
 * of 11 or more, the rest '*'), into out. Masking twice changes nothing. */
void	packrec_mask(const char *s, char *out, size_t outlen);

#endif
